/* Weights sidecar loading and status strings. */
#include <stdio.h>

#include "dlcrt.h"

const char *dlc_status_str(int status)
{
	switch (status) {
	case DLC_OK: return "ok";
	case DLC_ERR_ARG: return "invalid argument (NULL pointer or arena not 64-byte aligned)";
	case DLC_ERR_IO: return "cannot read the weights file";
	case DLC_ERR_WEIGHTS: return "weights file does not match the model (size or checksum)";
	case DLC_ERR_NOT_INIT: return "init was not called or failed";
	default: return "unknown status";
	}
}

uint64_t dlc_rt_checksum(const void *data, size_t size)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < size; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

int dlc_rt_load_weights(const char *path, void *dst, size_t size, uint64_t checksum)
{
	if (!path || !dst)
		return DLC_ERR_ARG;
	FILE *f = fopen(path, "rb");
	if (!f)
		return DLC_ERR_IO;
	size_t got = fread(dst, 1, size, f);
	int extra = fgetc(f); /* the file must hold exactly size bytes */
	int err = ferror(f);
	fclose(f);
	if (err)
		return DLC_ERR_IO;
	if (got != size || extra != EOF)
		return DLC_ERR_WEIGHTS;
	return dlc_rt_checksum(dst, size) == checksum ? DLC_OK : DLC_ERR_WEIGHTS;
}
