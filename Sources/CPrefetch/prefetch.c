// The hint is a static inline function in the header; this file gives the target its one source.
#include "prefetch.h"
