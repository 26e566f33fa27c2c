/* Command-line helpers shared by dlc, dlc-opt and dlc-run. */
#include "tools/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dlc/diag.h"

const char *dlc_cli_value(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

bool dlc_cli_opt_level(const char *arg, int *level)
{
	if (arg[0] == '-' && arg[1] == 'O' && arg[2] >= '0' && arg[2] <= '3' && !arg[3]) {
		*level = arg[2] - '0';
		return true;
	}
	return false;
}

int dlc_cli_write(struct dlc_diag *d, const char *path, const char *data, size_t len)
{
	bool std_out = !path || !strcmp(path, "-");
	FILE *f = std_out ? stdout : fopen(path, "wb");
	if (!f) {
		dlc_error(d, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	size_t w = fwrite(data, 1, len, f);
	int err = std_out ? fflush(f) : fclose(f);
	if (w != len || err) {
		dlc_error(d, "cannot write '%s': %s", std_out ? "<stdout>" : path, strerror(errno));
		return -1;
	}
	return 0;
}

int dlc_cli_kernel_opt(const char *arg, struct dlc_kernel_opts *k, struct dlc_diag *d)
{
	const char *v;
	if ((v = dlc_cli_value(arg, "--cpu"))) {
		if (dlc_cpu_parse(v, &k->cpu) < 0) {
			dlc_error(d, "--cpu=%s: expected native, x86-64-v4, x86-64-v3 or generic", v);
			return -1;
		}
		return 1;
	}
	if ((v = dlc_cli_value(arg, "--threads"))) {
		char *end;
		long t = strtol(v, &end, 10);
		if (!*v || *end || t < 1 || t > 64) {
			dlc_error(d, "--threads=%s: expected a number of threads from 1 to 64", v);
			return -1;
		}
		k->threads = (int)t;
		return 1;
	}
	if ((v = dlc_cli_value(arg, "--kernels"))) {
		if (strcmp(v, "fast") && strcmp(v, "naive")) {
			dlc_error(d, "--kernels=%s: expected fast or naive", v);
			return -1;
		}
		k->naive = !strcmp(v, "naive");
		return 1;
	}
	return 0;
}

int dlc_cli_weights_mode(const char *s, enum dlc_weights_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = DLC_WEIGHTS_AUTO;
	else if (!strcmp(s, "embed"))
		*mode = DLC_WEIGHTS_EMBED;
	else if (!strcmp(s, "file"))
		*mode = DLC_WEIGHTS_FILE;
	else
		return -1;
	return 0;
}

int dlc_cli_bytes(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *s == '-' || *end || errno || v == 0 || v > (1ull << 50))
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Autodiff has no gradient table yet: that column says "no" for every op. */
const char *dlc_cli_op_support(enum dlc_op op, const char *what)
{
	const struct dlc_target *t = dlc_target_find(what);
	return t && t->supports(op) ? "yes" : "no";
}
