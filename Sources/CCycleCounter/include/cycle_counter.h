#ifndef ARB_CYCLE_COUNTER_H
#define ARB_CYCLE_COUNTER_H

#include <stdint.h>
#include <time.h>

/// The CPU's cycle counter where it is constant-rate and cheap to read (x86-64 TSC, the Arm virtual counter),
/// the monotonic clock in nanoseconds elsewhere. Only differences mean anything; see CycleClock.swift.
static inline uint64_t arb_cycles(void) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t value;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

#endif
