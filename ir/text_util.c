/* Shared by the text form's printer and parser: the output buffer, name
 * quoting, numbers that read back to the same bits, the content hash. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_internal.h"

/* ---- output buffer ------------------------------------------------------- */

void qgc_sb_put(qgc_strbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->cap - b->n <= n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->n <= n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

void qgc_sb_puts(qgc_strbuf *b, const char *s) { qgc_sb_put(b, s, strlen(s)); }

void qgc_sb_printf(qgc_strbuf *b, const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
    } else if ((size_t)n < sizeof buf) {
        qgc_sb_put(b, buf, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            b->oom = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        qgc_sb_put(b, big, (size_t)n);
        free(big);
    }
}

/* ---- names and strings --------------------------------------------------- */

static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

bool qgc_text_is_bare(const char *s, size_t n) {
    if (n == 0 || !is_alpha((unsigned char)s[0])) return false;
    for (size_t i = 1; i < n; i++)
        if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) && s[i] != '.' &&
            s[i] != '/')
            return false;
    return true;
}

void qgc_text_put_quoted(qgc_strbuf *b, const char *s) {
    qgc_sb_put(b, "\"", 1);
    for (const char *run = s;; s++) {
        unsigned char c = (unsigned char)*s;
        bool plain = c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
        if (plain) continue;
        qgc_sb_put(b, run, (size_t)(s - run));
        run = s + 1;
        if (!c) break;
        switch (c) {
        case '"': qgc_sb_puts(b, "\\\""); break;
        case '\\': qgc_sb_puts(b, "\\\\"); break;
        case '\n': qgc_sb_puts(b, "\\n"); break;
        case '\t': qgc_sb_puts(b, "\\t"); break;
        case '\r': qgc_sb_puts(b, "\\r"); break;
        default: qgc_sb_printf(b, "\\x%02x", c); break;
        }
    }
    qgc_sb_put(b, "\"", 1);
}

void qgc_text_put_name(qgc_strbuf *b, const char *s) {
    if (s && qgc_text_is_bare(s, strlen(s))) qgc_sb_puts(b, s);
    else qgc_text_put_quoted(b, s ? s : "");
}

/* ---- integers ------------------------------------------------------------ */

static bool all_digits(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i])) return false;
    return true;
}

bool qgc_text_is_int_literal(const char *s, size_t n) {
    if (n && (s[0] == '-' || s[0] == '+')) s++, n--;
    return all_digits(s, n);
}

qgc_num_status qgc_text_read_u64(const char *s, size_t n, uint64_t *out) {
    if (!all_digits(s, n)) return QGC_NUM_SYNTAX;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned dgt = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - dgt) / 10) return QGC_NUM_RANGE;
        v = v * 10 + dgt;
    }
    *out = v;
    return QGC_NUM_OK;
}

qgc_num_status qgc_text_read_i64(const char *s, size_t n, int64_t *out) {
    bool neg = n && s[0] == '-';
    if (n && (s[0] == '-' || s[0] == '+')) s++, n--;
    uint64_t mag;
    qgc_num_status st = qgc_text_read_u64(s, n, &mag);
    if (st) return st;
    if (mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) return QGC_NUM_RANGE;
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return QGC_NUM_OK;
}

qgc_num_status qgc_text_read_hex(const char *s, size_t n, uint64_t *out) {
    if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return QGC_NUM_SYNTAX;
    if (n > 18) return QGC_NUM_RANGE;
    uint64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        int c = (unsigned char)s[i], x;
        if (is_digit(c)) x = c - '0';
        else if (c >= 'a' && c <= 'f') x = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') x = c - 'A' + 10;
        else return QGC_NUM_SYNTAX;
        v = v << 4 | (uint64_t)x;
    }
    *out = v;
    return QGC_NUM_OK;
}

/* ---- floats -------------------------------------------------------------- */

static int float_width(qgc_dtype t) { return t == QGC_F64 ? 64 : t == QGC_F32 ? 32 : 16; }

static uint64_t float_bits(qgc_dtype t, const void *p, int64_t i) {
    switch (float_width(t)) {
    case 64: {
        uint64_t v;
        memcpy(&v, (const uint64_t *)p + i, 8);
        return v;
    }
    case 32: {
        uint32_t v;
        memcpy(&v, (const uint32_t *)p + i, 4);
        return v;
    }
    default: return ((const uint16_t *)p)[i];
    }
}

void qgc_text_set_float_bits(qgc_dtype t, void *p, int64_t i, uint64_t bits) {
    switch (float_width(t)) {
    case 64: memcpy((uint64_t *)p + i, &bits, 8); return;
    case 32: {
        uint32_t v = (uint32_t)bits;
        memcpy((uint32_t *)p + i, &v, 4);
        return;
    }
    default: ((uint16_t *)p)[i] = (uint16_t)bits; return;
    }
}

/* Exponent and mantissa fields of each float dtype. */
static void float_fields(qgc_dtype t, uint64_t *exp_mask, uint64_t *man_mask) {
    switch (t) {
    case QGC_F64:
        *exp_mask = UINT64_C(0x7ff0000000000000), *man_mask = (UINT64_C(1) << 52) - 1;
        return;
    case QGC_F32: *exp_mask = 0x7f800000u, *man_mask = 0x007fffffu; return;
    case QGC_BF16: *exp_mask = 0x7f80u, *man_mask = 0x007fu; return;
    default: *exp_mask = 0x7c00u, *man_mask = 0x03ffu; return;
    }
}

bool qgc_text_is_nan_bits(qgc_dtype t, uint64_t bits) {
    uint64_t e, m;
    float_fields(t, &e, &m);
    if (float_width(t) < 64 && bits >> float_width(t)) return false;
    return (bits & e) == e && (bits & m) != 0;
}

/* The quiet NaN with sign 0 and only the top mantissa bit set. */
static uint64_t default_nan(qgc_dtype t) {
    uint64_t e, m;
    float_fields(t, &e, &m);
    return e | ((m + 1) >> 1);
}

static bool is_decimal(const char *s, size_t n) {
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    for (; i < n && is_digit((unsigned char)s[i]); i++) digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit((unsigned char)s[i]); i++) digits++;
    if (!digits) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) i++;
        if (!(i < n && is_digit((unsigned char)s[i]))) return false;
        while (i < n && is_digit((unsigned char)s[i])) i++;
    }
    return i == n;
}

static bool word_is(const char *s, size_t n, const char *w) {
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

qgc_num_status qgc_text_read_float(const char *s, size_t n, qgc_dtype t, void *p, int64_t i) {
    double v;
    if (word_is(s, n, "nan")) {
        qgc_text_set_float_bits(t, p, i, default_nan(t));
        return QGC_NUM_OK;
    } else if (word_is(s, n, "inf") || word_is(s, n, "+inf")) {
        v = INFINITY;
    } else if (word_is(s, n, "-inf")) {
        v = -INFINITY;
    } else {
        if (n >= QGC_NUM_MAX || !is_decimal(s, n)) return QGC_NUM_SYNTAX;
        char buf[QGC_NUM_MAX];
        memcpy(buf, s, n);
        buf[n] = 0;
        /* strtof rounds once, straight to float; ERANGE on underflow is ignored
         * (subnormals are exact values), overflow shows as infinity. */
        v = t == QGC_F64 ? strtod(buf, NULL) : (double)strtof(buf, NULL);
        if (isinf(v)) return QGC_NUM_RANGE;
    }
    switch (t) {
    case QGC_F64: memcpy((double *)p + i, &v, 8); break;
    case QGC_F32: {
        float f = (float)v;
        memcpy((float *)p + i, &f, 4);
        break;
    }
    case QGC_F16:
    case QGC_BF16: {
        uint16_t h = t == QGC_F16 ? qgc_f32_to_f16((float)v) : qgc_f32_to_bf16((float)v);
        if (!isinf(v) && (h & 0x7fff) == (t == QGC_F16 ? 0x7c00 : 0x7f80)) return QGC_NUM_RANGE;
        ((uint16_t *)p)[i] = h;
        break;
    }
    default: return QGC_NUM_SYNTAX;
    }
    return QGC_NUM_OK;
}

static void fmt_float(char *buf, qgc_dtype t, const void *p, int64_t i) {
    uint64_t bits = float_bits(t, p, i);
    double v = qgc_load_f64(t, p, i);
    if (v != v) {
        if (bits == default_nan(t)) snprintf(buf, QGC_NUM_MAX, "nan");
        else
            snprintf(buf, QGC_NUM_MAX, "nan(0x%0*llx)", float_width(t) / 4,
                     (unsigned long long)bits);
        return;
    }
    if (isinf(v)) {
        snprintf(buf, QGC_NUM_MAX, v < 0 ? "-inf" : "inf");
        return;
    }
    /* The shortest %g precision that reads back to the same bits. */
    uint64_t back[1];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, QGC_NUM_MAX, "%.*g", prec, v);
        if (qgc_text_read_float(buf, strlen(buf), t, back, 0) == QGC_NUM_OK &&
            float_bits(t, back, 0) == bits)
            break;
    }
    /* Integral values below 1e16 read better without an exponent: 1500.0,
     * not 1.5e+03. More digits than the shortest still read back exactly. */
    const char *e = strchr(buf, 'e');
    int exp10 = e ? atoi(e + 1) : -1;
    if (exp10 >= 0 && exp10 < 16 && v == floor(v)) snprintf(buf, QGC_NUM_MAX, "%.*g", exp10 + 1, v);
    if (!strpbrk(buf, ".e")) strcat(buf, ".0");
}

void qgc_text_fmt_element(char *buf, qgc_dtype t, const void *p, int64_t i) {
    if (qgc_dtype_is_float(t)) {
        fmt_float(buf, t, p, i);
    } else if (t == QGC_BOOL) {
        snprintf(buf, QGC_NUM_MAX, "%s", ((const uint8_t *)p)[i] ? "true" : "false");
    } else if (t == QGC_U64) {
        uint64_t v;
        memcpy(&v, (const uint64_t *)p + i, 8);
        snprintf(buf, QGC_NUM_MAX, "%llu", (unsigned long long)v);
    } else {
        snprintf(buf, QGC_NUM_MAX, "%lld", (long long)qgc_load_i64(t, p, i));
    }
}

uint64_t qgc_text_hash(const void *p, size_t n) {
    const unsigned char *s = p;
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * UINT64_C(0x100000001b3);
    return h;
}
