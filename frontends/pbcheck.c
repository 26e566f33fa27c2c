/* Protobuf wire-format pre-check and allocation budget (see pbcheck.h).
 *
 * protobuf-c parses nested messages recursively and allocates a struct per
 * submessage, so a small hostile file could overflow the stack (a GraphProto
 * inside an attribute inside a GraphProto, ten thousand times) or ask for
 * far more memory than it holds. The walk below follows the schema's message
 * fields without allocating, and the budget caps what the unpack may take. */
#include "frontends/pbcheck.h"

#include <stdio.h>
#include <stdlib.h>

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

static const ProtobufCFieldDescriptor *field(const ProtobufCMessageDescriptor *d, uint32_t id)
{
	for (unsigned i = 0; i < d->n_fields; i++)
		if (d->fields[i].id == id)
			return &d->fields[i];
	return NULL;
}

/* The wire type a field of this type is encoded with (repeated scalars may
 * also come packed, as length-delimited). */
static unsigned wire_of(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return 5;
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 1;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_BYTES:
	case PROTOBUF_C_TYPE_MESSAGE:
		return 2;
	default:
		return 0;
	}
}

static int walk(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end,
		int depth, int max_depth, char *why, size_t whysize)
{
	if (depth > max_depth) {
		snprintf(why, whysize, "messages nest deeper than %d levels", max_depth);
		return -1;
	}
	while (p < end) {
		uint64_t key, v;
		if (varint(&p, end, &key) < 0) {
			snprintf(why, whysize, "truncated field key");
			return -1;
		}
		uint32_t id = (uint32_t)(key >> 3);
		if (id == 0 || key >> 3 > 0x1fffffff) {
			snprintf(why, whysize, "invalid field number");
			return -1;
		}
		const ProtobufCFieldDescriptor *f = desc ? field(desc, id) : NULL;
		unsigned wt = (unsigned)(key & 7), want = f ? wire_of(f->type) : wt;
		if (f && wt != want && !(wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED)) {
			snprintf(why, whysize, "field %u (%s of %s) has wire type %u, expected %u", id,
				 f->name, desc->short_name, wt, want);
			return -1;
		}
		switch (key & 7) {
		case 0:
			if (varint(&p, end, &v) < 0) {
				snprintf(why, whysize, "truncated varint in field %u", id);
				return -1;
			}
			break;
		case 1:
		case 5: {
			size_t n = (key & 7) == 1 ? 8 : 4;
			if ((size_t)(end - p) < n) {
				snprintf(why, whysize, "truncated fixed-size field %u", id);
				return -1;
			}
			p += n;
			break;
		}
		case 2: {
			if (varint(&p, end, &v) < 0 || v > (uint64_t)(end - p)) {
				snprintf(why, whysize, "field %u runs past the end of its message", id);
				return -1;
			}
			if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    walk(f->descriptor, p, p + v, depth + 1, max_depth, why, whysize) < 0)
				return -1;
			p += v;
			break;
		}
		default:
			snprintf(why, whysize, "field %u has unsupported wire type %u", id,
				 (unsigned)(key & 7));
			return -1;
		}
	}
	return 0;
}

int pb_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
	     int max_depth, char *why, size_t whysize)
{
	return walk(desc, data, data + len, 0, max_depth, why, whysize);
}

static void *budget_alloc(void *ctx, size_t size)
{
	struct pb_budget *b = ctx;
	if (size > b->budget - b->used) {
		b->exhausted = 1;
		return NULL;
	}
	void *p = malloc(size ? size : 1);
	if (p)
		b->used += size;
	return p;
}

static void budget_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

void pb_budget_init(struct pb_budget *b, size_t budget)
{
	b->allocator.alloc = budget_alloc;
	b->allocator.free = budget_free;
	b->allocator.allocator_data = b;
	b->budget = budget;
	b->used = 0;
	b->exhausted = 0;
}

size_t pb_default_budget(size_t len)
{
	/* submessage structs are bigger than their encodings: allow 32x plus a
	 * fixed margin, capped well below what would hurt the machine */
	size_t b = (size_t)256 << 20;
	if (len < ((size_t)1 << 40) / 32)
		b += 32 * len;
	return b;
}
