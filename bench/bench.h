/*
 * bench: shared helpers of the benchmarks.  Each benchmark prints
 * "name: value unit" lines; the clock is read only here, never in src/core.
 */
#ifndef CATS_BENCH_H
#define CATS_BENCH_H

#include <stdint.h>
#include <time.h>

static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep a value alive so the compiler cannot drop the work producing it. */
static inline void
bench_keep(uint64_t v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

#endif
