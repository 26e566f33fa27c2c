/* Protobuf input hardening shared by the frontends: a pre-check of the wire
 * format (well-formed, nesting bounded) and an allocator with a budget, so
 * that protobuf-c never recurses or allocates without limit on hostile
 * bytes. */
#ifndef DLC_FRONTENDS_PBCHECK_H
#define DLC_FRONTENDS_PBCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/* Deepest submessage nesting accepted (models nest graphs in attributes). */
#define DLC_PB_MAX_DEPTH 64

/* Checks that data is a well-formed encoding of a desc message nesting at
 * most max_depth deep. Returns 0, or -1 with the reason in why. */
int pb_check(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
	     int max_depth, char *why, size_t whysize);

/* An allocator that refuses to hand out more than `budget` bytes in all. */
struct pb_budget {
	ProtobufCAllocator allocator;
	size_t budget, used;
	int exhausted;
};
void pb_budget_init(struct pb_budget *b, size_t budget);

/* The default budget for a file of len bytes: generous for real models
 * (which unpack to about their own size), bounded for hostile ones. */
size_t pb_default_budget(size_t len);

#endif
