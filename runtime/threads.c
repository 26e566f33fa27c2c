/* The thread pool that parallel kernels of generated code run on.
 *
 * One process-wide pool of persistent workers, started on first use and
 * grown to the most threads asked for. A job is `nparts` parts of a
 * kernel (its output tiles, split by the kernel); the calling thread runs
 * part 0 and then claims others too, so a job on T threads wakes T - 1
 * workers. Parts are claimed from one atomic word, so a slow or preempted
 * worker delays only its own part.
 *
 * Workers spin briefly after a job before they sleep on a condition
 * variable: a model's kernels follow each other within microseconds, and
 * waking a sleeping thread costs more than a small kernel. The caller
 * waits only for the parts, not for workers that woke too late to take one.
 *
 * One job at a time: a second thread calling in while a job runs (two
 * models run on two threads, or a task that calls in again) runs its parts
 * itself, in order, so the pool never holds more threads than asked for.
 * With one thread, or one part, nothing is locked or woken. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "dlcrt.h"

enum { SPINS = 1 << 14 };

/* The posted job's claim word: generation (16 bits) | parts (16) | the next
 * unclaimed part (32). Claiming with one compare-and-swap on all three
 * means a worker late from an earlier job can never take a part of a later
 * one, and nobody has to wait for workers that did not take part. */
#define GEN(w) ((unsigned)((w) >> 48))
#define PARTS(w) ((int)(((w) >> 32) & 0xffff))
#define NEXT(w) ((int)((w) & 0xffffffff))

static struct {
	pthread_mutex_t mu;         /* guards sleeping and starting workers */
	pthread_cond_t wake;
	int nworkers;
	atomic_flag busy;           /* a job is running */
	atomic_ullong work;         /* the claim word */
	dlc_rt_task fn;             /* the job: written before the claim word */
	void *ctx;
	atomic_int done;            /* parts finished */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .busy = ATOMIC_FLAG_INIT};

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Claims and runs parts of job `gen` until none is left. A successful
 * claim means the job is unfinished, so its fn and ctx are still posted. */
static void run_parts(unsigned gen)
{
	unsigned long long w = atomic_load(&pool.work);
	while (GEN(w) == (gen & 0xffff) && NEXT(w) < PARTS(w)) {
		if (!atomic_compare_exchange_weak(&pool.work, &w, w + 1))
			continue; /* w was reloaded */
		pool.fn(pool.ctx, NEXT(w), PARTS(w));
		atomic_fetch_add(&pool.done, 1);
		w = atomic_load(&pool.work);
	}
}

static void *worker(void *arg)
{
	unsigned seen = (unsigned)(uintptr_t)arg, g;
	for (;;) {
		int spins = 0;
		while ((g = GEN(atomic_load(&pool.work))) == seen && ++spins < SPINS)
			relax();
		if (g == seen) {
			pthread_mutex_lock(&pool.mu);
			while ((g = GEN(atomic_load(&pool.work))) == seen)
				pthread_cond_wait(&pool.wake, &pool.mu);
			pthread_mutex_unlock(&pool.mu);
		}
		seen = g;
		run_parts(g);
	}
	return NULL;
}

/* Starts workers up to `want`; returns how many there are. */
static int grow(int want)
{
	pthread_mutex_lock(&pool.mu);
	while (pool.nworkers < want) {
		pthread_t t;
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		/* a new worker waits for the next job */
		uintptr_t now = GEN(atomic_load(&pool.work));
		int rc = pthread_create(&t, &a, worker, (void *)now);
		pthread_attr_destroy(&a);
		if (rc)
			break; /* run with the workers there are */
		pool.nworkers++;
	}
	int n = pool.nworkers;
	pthread_mutex_unlock(&pool.mu);
	return n;
}

static void run_inline(int nparts, dlc_rt_task fn, void *ctx)
{
	for (int p = 0; p < nparts; p++)
		fn(ctx, p, nparts);
}

void dlc_rt_parallel(int threads, int nparts, dlc_rt_task fn, void *ctx)
{
	if (threads > nparts)
		threads = nparts;
	if (threads <= 1 || nparts > 0xffff || atomic_flag_test_and_set(&pool.busy)) {
		run_inline(nparts, fn, ctx);
		return;
	}
	if (grow(threads - 1) == 0) {
		atomic_flag_clear(&pool.busy);
		run_inline(nparts, fn, ctx);
		return;
	}
	pool.fn = fn;
	pool.ctx = ctx;
	atomic_store(&pool.done, 0);
	unsigned gen = (GEN(atomic_load(&pool.work)) + 1) & 0xffff;
	pthread_mutex_lock(&pool.mu);
	/* part 0 is the caller's, always: consecutive kernels split alike then
	 * find their part of the data in the same core's cache (left to the
	 * race, a spinning worker often took part 0, and half of every input
	 * crossed between the cores) */
	atomic_store(&pool.work, (unsigned long long)gen << 48 | (unsigned long long)nparts << 32 | 1u);
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.mu);
	fn(ctx, 0, nparts);
	atomic_fetch_add(&pool.done, 1);
	run_parts(gen);
	for (int spins = 0; atomic_load(&pool.done) < nparts; spins++)
		if (spins < SPINS)
			relax();
		else
			sched_yield(); /* a worker holding a part was preempted */
	atomic_flag_clear(&pool.busy);
}

int dlc_rt_num_threads(int compiled)
{
	static atomic_int cached; /* 0: not read yet */
	int n = atomic_load(&cached);
	if (n)
		return n;
	const char *env = getenv("DLC_NUM_THREADS");
	char *end;
	long v = env ? strtol(env, &end, 10) : 0;
	n = env && *env && !*end && v > 0 ? (int)(v < DLC_RT_MAX_THREADS ? v : DLC_RT_MAX_THREADS) : compiled;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus > 0 && n > cpus)
		n = (int)cpus; /* never more threads than CPUs */
	if (n < 1)
		n = 1;
	atomic_store(&cached, n);
	return n;
}
