/* Model loading: reads a file, detects its format from the content, hands it
 * to the matching frontend and verifies the result. */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "dlc/compiler.h"
#include "dlc/diag.h"
#include "dlc/ir.h"
#include "dlc/onnx.h"
#include "dlc/tf.h"
#include "dlc/util.h"

/* Text IR starts, after blanks and // comments, with the word "graph". */
static bool looks_like_text(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
			i++;
		} else if (p[i] == '/' && i + 1 < len && p[i + 1] == '/') {
			while (i < len && p[i] != '\n')
				i++;
		} else {
			break;
		}
	}
	return len - i >= 6 && !memcmp(p + i, "graph", 5) &&
	       (p[i + 5] == ' ' || p[i + 5] == '\t' || p[i + 5] == '\n' || p[i + 5] == '\r' || p[i + 5] == '@');
}

/* Reads a protobuf varint; false at the end of the buffer or past 10 bytes. */
static bool varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 70 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return true;
	}
	return false;
}

/* Walks the top-level protobuf fields. ModelProto starts with ir_version
 * (field 1, varint) and holds its graph in field 7; GraphDef's field 1 is
 * its node list (length-delimited) and its fields stop at 4. A file cut
 * short ends in a field that runs past its end: the complete fields before
 * it decide, so that a truncated model reaches its frontend, which reports
 * it as truncated rather than as a format dlc does not know. */
static enum dlc_format detect_protobuf(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	bool onnx = false, tf = false, other = false;
	while (p < end) {
		uint64_t key, v;
		if (!varint(&p, end, &key))
			break;
		uint64_t field = key >> 3, wire = key & 7;
		bool cut = false;
		switch (wire) {
		case 0:
			cut = !varint(&p, end, &v);
			break;
		case 1:
			cut = end - p < 8;
			p += cut ? 0 : 8;
			break;
		case 5:
			cut = end - p < 4;
			p += cut ? 0 : 4;
			break;
		case 2:
			cut = !varint(&p, end, &v) || v > (uint64_t)(end - p);
			p += cut ? 0 : v;
			break;
		default:
			return DLC_FORMAT_UNKNOWN;
		}
		if (cut)
			break;
		if ((field == 1 && wire == 0) || (field >= 7 && wire == 2))
			onnx = true;
		else if (field == 1 && wire == 2)
			tf = true;
		else if (field == 0 || field > 30)
			other = true;
	}
	if (other || onnx == tf)
		return DLC_FORMAT_UNKNOWN;
	return onnx ? DLC_FORMAT_ONNX : DLC_FORMAT_TF;
}

enum dlc_format dlc_detect_format(const unsigned char *data, size_t len)
{
	if (looks_like_text(data, len))
		return DLC_FORMAT_TEXT;
	return detect_protobuf(data, len);
}

/* The directory holding path, for external data ("." for a bare name). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return dlc_xstrdup(".");
	if (slash == path)
		return dlc_xstrdup("/");
	char *d = dlc_xmalloc((size_t)(slash - path) + 1);
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = 0;
	return d;
}

struct dlc_graph *dlc_load_model(const char *path, struct dlc_diag *d)
{
	return dlc_load_model_with(path, NULL, d);
}

struct dlc_graph *dlc_load_model_with(const char *path, const struct dlc_load_opts *lo,
				      struct dlc_diag *d)
{
	size_t len;
	char *data = dlc_read_file(path, &len);
	if (!data) {
		dlc_error(d, "cannot read file: %s", strerror(errno));
		return NULL;
	}
	struct dlc_graph *g = NULL;
	enum dlc_format fmt = dlc_detect_format((const unsigned char *)data, len);
	if (lo && lo->noutputs && fmt != DLC_FORMAT_TF) {
		dlc_error(d, "--outputs selects the outputs of TensorFlow GraphDef models; this model names its own");
		free(data);
		return NULL;
	}
	switch (fmt) {
	case DLC_FORMAT_TEXT:
		g = dlc_parse_graph(data, len, d);
		break;
	case DLC_FORMAT_ONNX: {
		char *dir = strcmp(path, "-") ? dir_of(path) : NULL;
		struct dlc_import_opts o = {.model_dir = dir,
					    .max_bytes = lo ? lo->max_import_bytes : 0};
		g = dlc_onnx_import(data, len, &o, d);
		free(dir);
		break;
	}
	case DLC_FORMAT_TF: {
		struct dlc_tf_import_opts o = {.outputs = lo ? lo->outputs : NULL,
					       .noutputs = lo ? lo->noutputs : 0,
					       .max_bytes = lo ? lo->max_import_bytes : 0};
		g = dlc_tf_import(data, len, &o, d);
		break;
	}
	default:
		dlc_error(d, "unrecognized file format (expected dlc text IR, an ONNX model or a TensorFlow GraphDef)");
		break;
	}
	free(data);
	if (g && dlc_verify(g, d) < 0) {
		dlc_graph_free(g);
		g = NULL;
	}
	return g;
}
