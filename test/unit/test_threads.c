/* The runtime's thread pool: every part runs exactly once, on however many
 * threads; part 0 on the caller; jobs follow each other without a
 * straggler from one touching the next; a call from inside a task runs
 * inline. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "dlcrt.h"
#include "unit.h"

enum { PARTS = 37 };

struct job {
	atomic_int ran[PARTS];
	int nparts_seen;
	atomic_int bad;
};

static void count(void *ctx, int part, int nparts)
{
	struct job *j = ctx;
	if (part < 0 || part >= PARTS || nparts != j->nparts_seen)
		atomic_fetch_add(&j->bad, 1);
	else
		atomic_fetch_add(&j->ran[part], 1);
}

static int each_once(const struct job *j, int nparts)
{
	for (int p = 0; p < nparts; p++)
		if (atomic_load(&j->ran[p]) != 1)
			return 0;
	return atomic_load(&j->bad) == 0;
}

TEST(threads_every_part_once)
{
	for (int threads = 1; threads <= 4; threads++)
		for (int nparts = 1; nparts <= PARTS; nparts += 9) {
			struct job j = {.nparts_seen = nparts};
			dlc_rt_parallel(threads, nparts, count, &j);
			CHECK(each_once(&j, nparts));
		}
}

TEST(threads_many_jobs)
{
	/* back-to-back jobs: a worker late from one must not run the next */
	for (int i = 0; i < 20000; i++) {
		struct job j = {.nparts_seen = 2 + i % 5};
		dlc_rt_parallel(2 + i % 3, j.nparts_seen, count, &j);
		if (!each_once(&j, j.nparts_seen)) {
			CHECK(!"a part ran twice or not at all");
			return;
		}
	}
}

struct owner {
	pthread_t part0;
	atomic_int seen;
};

static void who(void *ctx, int part, int nparts)
{
	struct owner *o = ctx;
	(void)nparts;
	if (part == 0) {
		o->part0 = pthread_self();
		atomic_store(&o->seen, 1);
	}
}

TEST(threads_part0_on_caller)
{
	/* part 0 always runs on the calling thread (consecutive kernels find
	 * their part of the data in the same core's cache) */
	for (int i = 0; i < 2000; i++) {
		struct owner o = {0};
		dlc_rt_parallel(2, 2, who, &o);
		if (!atomic_load(&o.seen) || !pthread_equal(o.part0, pthread_self())) {
			CHECK(!"part 0 ran on a worker");
			return;
		}
	}
}

static void slow(void *ctx, int part, int nparts)
{
	double x = 0;
	for (int i = 0; i < 20000; i++) /* long enough for a worker to join */
		x += i * 1e-9;
	if (x < 0)
		atomic_fetch_add(&((struct job *)ctx)->bad, 1);
	count(ctx, part, nparts);
}

TEST(threads_slow_parts)
{
	for (int rep = 0; rep < 50; rep++) {
		struct job j = {.nparts_seen = PARTS};
		dlc_rt_parallel(2, PARTS, slow, &j);
		CHECK(each_once(&j, PARTS));
	}
}

static void nested(void *ctx, int part, int nparts)
{
	(void)part;
	(void)nparts;
	struct job *inner = (struct job *)ctx + 1 + part;
	dlc_rt_parallel(2, PARTS, count, inner); /* runs inline: the pool is busy */
}

TEST(threads_nested_inline)
{
	struct job *j = calloc(3, sizeof *j);
	REQUIRE(j);
	for (int i = 1; i < 3; i++)
		j[i].nparts_seen = PARTS;
	dlc_rt_parallel(2, 2, nested, j);
	CHECK(each_once(&j[1], PARTS));
	CHECK(each_once(&j[2], PARTS));
	free(j);
}

TEST(threads_count_from_env)
{
	/* read once per process, so the second call keeps the first answer */
	int n = dlc_rt_num_threads(2);
	CHECK(n >= 1 && n <= DLC_RT_MAX_THREADS);
	CHECK(dlc_rt_num_threads(7) == n);
}
