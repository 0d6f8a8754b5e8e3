#ifndef ARB_CZLIB_SHIM_H
#define ARB_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro; windowBits 15 + 32 accepts gzip and zlib headers. */
static inline int arb_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

/* deflateInit2 with a gzip header (windowBits 15 + 16). */
static inline int arb_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
