/* Blobs: refcounted constant payloads. A blob is shared, never copied, when a
 * constant moves between values or graphs; release() knows how its data was
 * obtained (malloc, mmap, a protobuf buffer). */
#include <stdlib.h>

#include "dlc/ir.h"
#include "dlc/util.h"

static void release_free(struct dlc_blob *b)
{
	free(b->data);
}

struct dlc_blob *dlc_blob_new(size_t size)
{
	void *data = calloc(size ? size : 1, 1);
	if (!data)
		return NULL;
	return dlc_blob_wrap(data, size, release_free, NULL);
}

struct dlc_blob *dlc_blob_take(void *data, size_t size)
{
	return dlc_blob_wrap(data, size, release_free, NULL);
}

struct dlc_blob *dlc_blob_elided(size_t size)
{
	return dlc_blob_wrap(NULL, size, NULL, NULL);
}

struct dlc_blob *dlc_blob_wrap(void *data, size_t size,
			       void (*release)(struct dlc_blob *), void *ctx)
{
	struct dlc_blob *b = dlc_xcalloc(1, sizeof *b);
	b->refs = 1;
	b->size = size;
	b->data = data;
	b->release = release;
	b->ctx = ctx;
	return b;
}

struct dlc_blob *dlc_blob_ref(struct dlc_blob *b)
{
	if (b)
		b->refs++;
	return b;
}

void dlc_blob_unref(struct dlc_blob *b)
{
	if (!b || --b->refs > 0)
		return;
	if (b->release)
		b->release(b);
	free(b);
}
