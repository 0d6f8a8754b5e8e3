// glibc's allocator controls, which Swift's Glibc module does not export (<malloc.h> is not in it).
#ifndef CMALLOC_H
#define CMALLOC_H

#include <stddef.h>
#include <stdlib.h>  // defines __GLIBC__ on glibc, which the checks below need
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Fixes the size from which blocks come from mmap (glibc otherwise raises it to the largest block freed).
// Returns 1 when set, 0 where there is no such control.
static inline int cmalloc_set_mmap_threshold(size_t bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    return 0;
#endif
}

// Returns the free pages of every arena to the system: 1 when some were, 0 otherwise.
static inline int cmalloc_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}

#endif
