#ifndef ARB_PREFETCH_H
#define ARB_PREFETCH_H

/// Asks the CPU to bring the cache line holding `address` into its caches: a hint that never faults and never
/// waits, so any address will do.
static inline void arb_prefetch(const void *address) {
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(address, 0, 3);
#endif
}

#endif
