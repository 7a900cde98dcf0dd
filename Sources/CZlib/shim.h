// The system zlib, as seen from Swift.
//
// zlib's initialisers are function-like macros (they pass ZLIB_VERSION and
// sizeof(z_stream) for a version check), which Swift cannot import; the
// inline functions below expand them.

#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

/// `deflateInit(stream, level)`: a zlib-wrapped deflate stream, 32 KiB window.
static inline int czlib_deflate_init(z_streamp stream, int level) {
    return deflateInit(stream, level);
}

/// `inflateInit(stream)`: accepts only a zlib-wrapped stream (no gzip, no raw).
static inline int czlib_inflate_init(z_streamp stream) {
    return inflateInit(stream);
}

#endif
