/* Element types: names, sizes, and scalar access for code off the hot path. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "qgc_ir.h"

qgc_status qgc_fail(qgc_diag *d, qgc_status st, const char *fmt, ...) {
    if (d) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}

const char *qgc_status_name(qgc_status st) {
    switch (st) {
    case QGC_OK: return "ok";
    case QGC_ERR_INVALID: return "invalid";
    case QGC_ERR_UNSUPPORTED: return "unsupported";
    case QGC_ERR_IO: return "io";
    case QGC_ERR_NOMEM: return "out of memory";
    case QGC_ERR_PARSE: return "parse";
    }
    return "?";
}

static const struct {
    const char *name;
    int bits;
} dtypes[QGC_DTYPE_END] = {
    [QGC_F32] = {"f32", 32},  [QGC_U8] = {"u8", 8},     [QGC_I8] = {"i8", 8},
    [QGC_U16] = {"u16", 16},  [QGC_I16] = {"i16", 16},  [QGC_I32] = {"i32", 32},
    [QGC_I64] = {"i64", 64},  [QGC_STRING] = {"string", 0}, [QGC_BOOL] = {"bool", 8},
    [QGC_F16] = {"f16", 16},  [QGC_F64] = {"f64", 64},  [QGC_U32] = {"u32", 32},
    [QGC_U64] = {"u64", 64},  [QGC_BF16] = {"bf16", 16}, [QGC_U4] = {"u4", 4},
    [QGC_I4] = {"i4", 4},
};

const char *qgc_dtype_name(qgc_dtype t) {
    return (unsigned)t < QGC_DTYPE_END ? dtypes[t].name : NULL;
}

qgc_dtype qgc_dtype_from_name(const char *s, size_t n) {
    for (int i = 0; i < QGC_DTYPE_END; i++)
        if (dtypes[i].name && strlen(dtypes[i].name) == n && memcmp(dtypes[i].name, s, n) == 0)
            return (qgc_dtype)i;
    return QGC_UNDEF;
}

int qgc_dtype_bits(qgc_dtype t) { return (unsigned)t < QGC_DTYPE_END ? dtypes[t].bits : 0; }

bool qgc_dtype_is_float(qgc_dtype t) {
    return t == QGC_F32 || t == QGC_F16 || t == QGC_BF16 || t == QGC_F64;
}

bool qgc_dtype_is_int(qgc_dtype t) {
    switch (t) {
    case QGC_U8: case QGC_I8: case QGC_U16: case QGC_I16: case QGC_I32: case QGC_I64:
    case QGC_U32: case QGC_U64: case QGC_U4: case QGC_I4:
        return true;
    default:
        return false;
    }
}

bool qgc_dtype_is_signed(qgc_dtype t) {
    return qgc_dtype_is_float(t) || t == QGC_I8 || t == QGC_I16 || t == QGC_I32 ||
           t == QGC_I64 || t == QGC_I4;
}

bool qgc_dtype_nbytes(qgc_dtype t, int64_t n, size_t *out) {
    int bits = qgc_dtype_bits(t);
    if (bits == 0 || n < 0) return false;
    if (bits == 4) {
        *out = (size_t)((n + 1) / 2);
        return true;
    }
    size_t sz = (size_t)bits / 8;
    if ((uint64_t)n > SIZE_MAX / sz) return false;
    *out = (size_t)n * sz;
    return true;
}

float qgc_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: value = man * 2^-24 */
            float f = ldexpf((float)man, -24);
            return sign ? -f : f;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t qgc_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or nan */
        return sign | 0x7c00 | (ax > 0x7f800000u ? 0x200 : 0);
    if (ax >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
        return sign | 0x7c00;
    if (ax < 0x38800000u) { /* below the smallest normal half: subnormal or zero */
        float a;
        memcpy(&a, &ax, 4);
        return sign | (uint16_t)nearbyintf(a * 16777216.0f); /* units of 2^-24, ties even */
    }
    uint32_t mant_odd = (ax >> 13) & 1;
    ax += 0xc8000fffu + mant_odd; /* rebias exponent (-112<<23) and round to nearest even */
    return sign | (uint16_t)(ax >> 13);
}

float qgc_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t qgc_f32_to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);
    x += 0x7fffu + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

static int nibble(const void *p, int64_t i, bool is_signed) {
    uint8_t b = ((const uint8_t *)p)[i / 2];
    int v = (i & 1) ? b >> 4 : b & 0xf;
    return is_signed && v >= 8 ? v - 16 : v;
}

static void set_nibble(void *p, int64_t i, int v) {
    uint8_t *b = (uint8_t *)p + i / 2;
    if (i & 1) *b = (uint8_t)((*b & 0x0f) | ((v & 0xf) << 4));
    else *b = (uint8_t)((*b & 0xf0) | (v & 0xf));
}

double qgc_load_f64(qgc_dtype t, const void *p, int64_t i) {
    switch (t) {
    case QGC_F32: return ((const float *)p)[i];
    case QGC_F64: return ((const double *)p)[i];
    case QGC_F16: return qgc_f16_to_f32(((const uint16_t *)p)[i]);
    case QGC_BF16: return qgc_bf16_to_f32(((const uint16_t *)p)[i]);
    case QGC_U64: return (double)((const uint64_t *)p)[i];
    default: return (double)qgc_load_i64(t, p, i);
    }
}

int64_t qgc_load_i64(qgc_dtype t, const void *p, int64_t i) {
    switch (t) {
    case QGC_U8: return ((const uint8_t *)p)[i];
    case QGC_I8: return ((const int8_t *)p)[i];
    case QGC_U16: return ((const uint16_t *)p)[i];
    case QGC_I16: return ((const int16_t *)p)[i];
    case QGC_I32: return ((const int32_t *)p)[i];
    case QGC_I64: return ((const int64_t *)p)[i];
    case QGC_U32: return ((const uint32_t *)p)[i];
    case QGC_U64: return (int64_t)((const uint64_t *)p)[i];
    case QGC_BOOL: return ((const uint8_t *)p)[i] != 0;
    case QGC_U4: return nibble(p, i, false);
    case QGC_I4: return nibble(p, i, true);
    default: {
        double v = qgc_load_f64(t, p, i);
        if (!(v == v)) return 0;
        if (v >= 9.2233720368547758e18) return INT64_MAX;
        if (v <= -9.2233720368547758e18) return INT64_MIN;
        return (int64_t)v;
    }
    }
}

/* Float-to-integer conversion saturates and truncates toward zero, and NaN
 * becomes 0, so that no input can reach C's undefined conversions. */
static int64_t f64_to_i64(double v) {
    if (!(v == v)) return 0;
    if (v >= 9.2233720368547758e18) return INT64_MAX;
    if (v <= -9.2233720368547758e18) return INT64_MIN;
    return (int64_t)v;
}

void qgc_store_f64(qgc_dtype t, void *p, int64_t i, double v) {
    switch (t) {
    case QGC_F32: ((float *)p)[i] = (float)v; return;
    case QGC_F64: ((double *)p)[i] = v; return;
    case QGC_F16: ((uint16_t *)p)[i] = qgc_f32_to_f16((float)v); return;
    case QGC_BF16: ((uint16_t *)p)[i] = qgc_f32_to_bf16((float)v); return;
    case QGC_BOOL: ((uint8_t *)p)[i] = v != 0; return;
    case QGC_U64:
        ((uint64_t *)p)[i] = !(v > 0) ? 0 : v >= 1.8446744073709552e19 ? UINT64_MAX : (uint64_t)v;
        return;
    default: qgc_store_i64(t, p, i, f64_to_i64(v)); return;
    }
}

/* Integer stores wrap modulo 2^bits, as a C cast to the narrower type does. */
void qgc_store_i64(qgc_dtype t, void *p, int64_t i, int64_t v) {
    switch (t) {
    case QGC_U8: ((uint8_t *)p)[i] = (uint8_t)v; return;
    case QGC_I8: ((int8_t *)p)[i] = (int8_t)v; return;
    case QGC_U16: ((uint16_t *)p)[i] = (uint16_t)v; return;
    case QGC_I16: ((int16_t *)p)[i] = (int16_t)v; return;
    case QGC_I32: ((int32_t *)p)[i] = (int32_t)v; return;
    case QGC_I64: ((int64_t *)p)[i] = v; return;
    case QGC_U32: ((uint32_t *)p)[i] = (uint32_t)v; return;
    case QGC_U64: ((uint64_t *)p)[i] = (uint64_t)v; return;
    case QGC_BOOL: ((uint8_t *)p)[i] = v != 0; return;
    case QGC_U4: case QGC_I4: set_nibble(p, i, (int)(v & 0xf)); return;
    default: qgc_store_f64(t, p, i, (double)v); return;
    }
}
