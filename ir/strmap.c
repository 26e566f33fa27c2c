/* String -> pointer hash map with open addressing (FNV-1a, linear probing,
 * tombstones on delete). Used for value names and name lookups in parsers. */
#include <stdlib.h>
#include <string.h>

#include "dlc/util.h"

struct slot {
	char *key;      /* NULL: empty; TOMB: deleted */
	size_t len;
	uint64_t hash;
	void *val;
};

struct dlc_strmap {
	struct slot *slots;
	size_t cap, used; /* used counts live keys and tombstones */
};

static char tomb;
#define TOMB (&tomb)

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

struct dlc_strmap *dlc_strmap_new(void)
{
	struct dlc_strmap *m = dlc_xcalloc(1, sizeof *m);
	m->cap = 64;
	m->slots = dlc_xcalloc(m->cap, sizeof(struct slot));
	return m;
}

void dlc_strmap_free(struct dlc_strmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != TOMB)
			free(m->slots[i].key);
	free(m->slots);
	free(m);
}

static struct slot *find(const struct dlc_strmap *m, const char *k, size_t n,
			 uint64_t h, struct slot **free_slot)
{
	*free_slot = NULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct slot *s = &m->slots[i];
		if (!s->key) {
			if (!*free_slot)
				*free_slot = s;
			return NULL;
		}
		if (s->key == TOMB) {
			if (!*free_slot)
				*free_slot = s;
			continue;
		}
		if (s->hash == h && s->len == n && !memcmp(s->key, k, n))
			return s;
	}
}

void *dlc_strmap_get(const struct dlc_strmap *m, const char *k, size_t n)
{
	struct slot *fs, *s = find(m, k, n, hash(k, n), &fs);
	return s ? s->val : NULL;
}

static void rehash(struct dlc_strmap *m, size_t cap)
{
	struct slot *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = dlc_xcalloc(cap, sizeof(struct slot));
	m->cap = cap;
	m->used = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].key || old[i].key == TOMB)
			continue;
		struct slot *fs;
		find(m, old[i].key, old[i].len, old[i].hash, &fs);
		*fs = old[i];
		m->used++;
	}
	free(old);
}

void dlc_strmap_put(struct dlc_strmap *m, const char *k, size_t n, void *val)
{
	if ((m->used + 1) * 4 >= m->cap * 3)
		rehash(m, m->cap * 2);
	uint64_t h = hash(k, n);
	struct slot *fs, *s = find(m, k, n, h, &fs);
	if (s) {
		s->val = val;
		return;
	}
	if (fs->key != TOMB)
		m->used++;
	fs->key = dlc_xmalloc(n + 1);
	memcpy(fs->key, k, n);
	fs->key[n] = 0;
	fs->len = n;
	fs->hash = h;
	fs->val = val;
}

bool dlc_strmap_del(struct dlc_strmap *m, const char *k, size_t n)
{
	struct slot *fs, *s = find(m, k, n, hash(k, n), &fs);
	if (!s)
		return false;
	free(s->key);
	s->key = TOMB;
	s->val = NULL;
	return true;
}
