/* Exercises the status codes of a generated model's API (prefix "model",
 * weights in model.weights.bin in the current directory). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static const char *name(int st)
{
	switch (st) {
	case DLC_OK: return "ok";
	case DLC_ERR_ARG: return "arg";
	case DLC_ERR_IO: return "io";
	case DLC_ERR_WEIGHTS: return "weights";
	case DLC_ERR_NOT_INIT: return "not-init";
	default: return "?";
	}
}

static void copy_file(const char *from, const char *to, long keep, int flip)
{
	FILE *f = fopen(from, "rb"), *g = fopen(to, "wb");
	int ch;
	long n = 0;
	while (f && g && (ch = fgetc(f)) != EOF && (keep < 0 || n < keep)) {
		fputc(n == 100 && flip ? ch ^ 1 : ch, g);
		n++;
	}
	fclose(f);
	fclose(g);
}

static _Alignas(64) unsigned char arena[MODEL_ARENA_BYTES + 64];

int main(void)
{
	static float x[1 * 1 * 28 * 28], y[10];
	struct model_inputs in = {.input = x};
	struct model_outputs out = {.output = y};
	printf("run before init: %s\n", name(model_run(arena, &in, &out)));
	printf("init with a missing file: %s\n", name(model_init("no-such-file.bin")));
	copy_file("model.weights.bin", "short.bin", 1000, 0);
	printf("init with a short file: %s\n", name(model_init("short.bin")));
	copy_file("model.weights.bin", "flipped.bin", -1, 1);
	printf("init with a corrupted file: %s\n", name(model_init("flipped.bin")));
	printf("init: %s\n", name(model_init(NULL)));
	printf("misaligned arena: %s\n", name(model_run(arena + 4, &in, &out)));
	in.input = NULL;
	printf("NULL input: %s\n", name(model_run(arena, &in, &out)));
	in.input = x;
	printf("run: %s\n", name(model_run(arena, &in, &out)));
	return 0;
}
