/* See include/CRuntime.h: rt_parallel_for, a pool of workers that spin briefly before they sleep. */
#define _GNU_SOURCE
#include "CRuntime.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
static inline void relax(void) { _mm_pause(); }
#else
static inline void relax(void) {}
#endif

enum { RT_MAX_WORKERS = 63 };                                    /* fits region's low byte */

static pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;   /* one parallel region at a time */
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int sleepers;                                             /* under sleep_lock */
static int started;                                              /* workers created; under call_lock */

/* The region being run: written by the caller before `region` changes (release), read after (acquire). `region`
 * holds the region's number times 256 plus the workers taking part, in one word: a worker left out of one region
 * must not read the count of the next, which the caller may already be writing (it waits only for the workers
 * that take part). */
static rt_task job_task;
static void *job_context;
static int job_count;
static int job_cpu;                                              /* the caller's core, -1 if unknown */
static atomic_int next_index, outstanding;
static atomic_ulong region;
static unsigned long regions;                                    /* under call_lock */
static _Thread_local int inside;                                 /* 1 on a worker, or in a region's caller */

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void run_indices(void) {
    int i;
    while ((i = atomic_fetch_add_explicit(&next_index, 1, memory_order_relaxed)) < job_count) job_task(job_context, i);
}

/* A worker woken onto the core its caller runs on would run only when the caller waits, that is after the
 * caller's share: the region would run serially until the kernel's load balancing moved one of them, which on a
 * 2-core VM took several milliseconds (four 1.7 ms products in a row at one thread's speed, then 0.9 ms). So a
 * worker that wakes there moves itself off that core at once, then allows every core again. */
static void leave_callers_core(void) {
#if defined(__linux__)
    const int cpu = job_cpu;
    if (cpu < 0 || sched_getcpu() != cpu) return;
    cpu_set_t allowed, others;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    others = allowed;
    CPU_CLR(cpu, &others);
    if (CPU_COUNT(&others) == 0) return;
    if (sched_setaffinity(0, sizeof others, &others) == 0) sched_setaffinity(0, sizeof allowed, &allowed);
#endif
}

static void *worker(void *arg) {
    const int id = (int)(long)arg;
    unsigned long seen = 0;
    inside = 1;
    for (;;) {
        unsigned long g;
        int woke = 0;
        double since = 0;
        unsigned spins = 0;
        while ((g = atomic_load_explicit(&region, memory_order_acquire)) == seen) {
            relax();
            if (++spins % 256 != 0) continue;
            sched_yield();                      /* a thread waiting for this core (the region's caller) runs */
            double t = seconds_now();
            if (since == 0) { since = t; continue; }
            if (t - since < RT_SPIN_SECONDS) continue;
            pthread_mutex_lock(&sleep_lock);
            sleepers++;
            woke = 1;
            while (atomic_load_explicit(&region, memory_order_acquire) == seen) pthread_cond_wait(&wake, &sleep_lock);
            sleepers--;
            pthread_mutex_unlock(&sleep_lock);
        }
        seen = g;
        if (id < (int)(g & 255)) {
            if (woke) leave_callers_core();
            run_indices();
            atomic_fetch_sub_explicit(&outstanding, 1, memory_order_release);
        }
    }
    return 0;
}

void rt_parallel_for(int count, int threads, rt_task task, void *context) {
    if (count <= 0) return;
    if (threads > count) threads = count;
    if (threads > RT_MAX_WORKERS + 1) threads = RT_MAX_WORKERS + 1;
    if (threads <= 1 || inside) {
        for (int i = 0; i < count; i++) task(context, i);
        return;
    }
    pthread_mutex_lock(&call_lock);
    while (started < threads - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int failed = pthread_create(&t, &attr, worker, (void *)(long)started);
        pthread_attr_destroy(&attr);
        if (failed) break;
        started++;
    }
    const int workers = threads - 1 < started ? threads - 1 : started;
    job_task = task;
    job_context = context;
    job_count = count;
#if defined(__linux__)
    job_cpu = sched_getcpu();
#else
    job_cpu = -1;
#endif
    atomic_store_explicit(&next_index, 0, memory_order_relaxed);
    atomic_store_explicit(&outstanding, workers, memory_order_relaxed);
    regions++;
    atomic_store_explicit(&region, (regions << 8) | (unsigned long)workers, memory_order_release);
    pthread_mutex_lock(&sleep_lock);
    if (sleepers > 0) pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
    inside = 1;
    run_indices();
    inside = 0;
    /* Wait for the workers, yielding now and then: a worker woken onto the caller's core runs only when the
     * caller lets it. */
    for (unsigned spins = 1; atomic_load_explicit(&outstanding, memory_order_acquire) > 0; spins++) {
        relax();
        if (spins % 64 == 0) sched_yield();
    }
    pthread_mutex_unlock(&call_lock);
}
