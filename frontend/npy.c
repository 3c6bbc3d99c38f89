/* NumPy .npy files (numpy/lib/format.py's format: magic, version, header
 * length, a Python dict literal, then the C-order data). The header comes
 * from files a user hands us, so it is parsed strictly and bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgc_frontend.h"

/* numpy itself refuses headers over 10000 bytes by default. */
#define NPY_MAX_HEADER 10000
#define NPY_DEFAULT_MAX_BYTES (UINT64_C(4) << 30)

static const struct {
    const char *descr;
    qgc_dtype dtype;
} npy_types[] = {
    {"<f4", QGC_F32}, {"<f8", QGC_F64}, {"<f2", QGC_F16}, {"|i1", QGC_I8},
    {"|u1", QGC_U8},  {"<i2", QGC_I16}, {"<u2", QGC_U16}, {"<i4", QGC_I32},
    {"<u4", QGC_U32}, {"<i8", QGC_I64}, {"<u8", QGC_U64}, {"|b1", QGC_BOOL},
};

/* ---- header dict parser ----------------------------------------------------- */

typedef struct {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool eat(cursor *c, char ch) {
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

/* A quoted string without escapes (numpy's keys and descr have none). */
static bool read_str(cursor *c, const char **s, size_t *n) {
    skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return false;
    char q = *c->p++;
    const char *start = c->p;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\') return false;
        c->p++;
    }
    if (c->p >= c->end) return false;
    *s = start;
    *n = (size_t)(c->p - start);
    c->p++;
    return true;
}

static bool read_word(cursor *c, const char *w) {
    skip_ws(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) return false;
    c->p += n;
    return true;
}

static bool read_shape(cursor *c, qgc_type *t) {
    if (!eat(c, '(')) return false;
    t->rank = 0;
    for (;;) {
        if (eat(c, ')')) return true;
        skip_ws(c);
        if (c->p >= c->end || *c->p < '0' || *c->p > '9' || t->rank == QGC_MAX_RANK)
            return false;
        int64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (v > (INT64_MAX - 9) / 10) return false;
            v = v * 10 + (*c->p++ - '0');
        }
        t->dims[t->rank++] = v;
        /* "(3,)" is a 1-tuple, "(2, 3)" a pair: ',' or ')' follows each. */
        if (!eat(c, ',')) {
            skip_ws(c);
            if (c->p >= c->end || *c->p != ')') return false;
        }
    }
}

static qgc_status bad_header(qgc_diag *d, const char *why) {
    return qgc_fail(d, QGC_ERR_PARSE, "npy header: %s", why);
}

static qgc_status parse_dict(const char *h, size_t n, qgc_type *t, qgc_diag *d) {
    cursor c = {h, h + n};
    bool seen[3] = {false, false, false};
    memset(t, 0, sizeof *t);
    if (!eat(&c, '{')) return bad_header(d, "not a dict");
    for (;;) {
        if (eat(&c, '}')) break;
        const char *k;
        size_t kn;
        if (!read_str(&c, &k, &kn) || !eat(&c, ':')) return bad_header(d, "malformed dict");
        int key = kn == 5 && memcmp(k, "descr", 5) == 0           ? 0
                : kn == 13 && memcmp(k, "fortran_order", 13) == 0 ? 1
                : kn == 5 && memcmp(k, "shape", 5) == 0           ? 2
                                                                  : -1;
        if (key < 0) return qgc_fail(d, QGC_ERR_PARSE, "npy header: unknown key '%.*s'",
                                     (int)(kn > 40 ? 40 : kn), k);
        if (seen[key]) return bad_header(d, "repeated key");
        seen[key] = true;
        if (key == 0) {
            const char *s;
            size_t sn;
            if (!read_str(&c, &s, &sn)) return bad_header(d, "descr is not a string");
            for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
                if (strlen(npy_types[i].descr) == sn && memcmp(npy_types[i].descr, s, sn) == 0)
                    t->dtype = npy_types[i].dtype;
            if (t->dtype == QGC_UNDEF)
                return qgc_fail(d, QGC_ERR_UNSUPPORTED, "npy: unsupported dtype '%.*s'",
                                (int)(sn > 20 ? 20 : sn), s);
        } else if (key == 1) {
            if (read_word(&c, "True"))
                return qgc_fail(d, QGC_ERR_UNSUPPORTED, "npy: fortran_order arrays are not "
                                "supported");
            if (!read_word(&c, "False")) return bad_header(d, "fortran_order is not a bool");
        } else if (!read_shape(&c, t)) {
            return bad_header(d, "shape is not a tuple of at most 8 integers");
        }
        if (!eat(&c, ',')) {
            if (!eat(&c, '}')) return bad_header(d, "malformed dict");
            break;
        }
    }
    skip_ws(&c);
    if (c.p != c.end) return bad_header(d, "text after the dict");
    if (!seen[0] || !seen[1] || !seen[2])
        return bad_header(d, "needs the keys descr, fortran_order and shape");
    return QGC_OK;
}

/* ---- read ------------------------------------------------------------------- */

qgc_status qgc_npy_parse(const void *buf, size_t len, qgc_tensor **out, qgc_diag *d) {
    const unsigned char *b = buf;
    *out = NULL;
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return qgc_fail(d, QGC_ERR_PARSE, "not an npy file (no \\x93NUMPY magic)");
    int major = b[6];
    size_t hl, pre;
    if (major == 1) {
        hl = (size_t)b[8] | (size_t)b[9] << 8;
        pre = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return qgc_fail(d, QGC_ERR_PARSE, "npy: truncated header");
        hl = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        pre = 12;
    } else {
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "npy: format version %d.%d is not supported",
                        major, b[7]);
    }
    if (hl > NPY_MAX_HEADER)
        return qgc_fail(d, QGC_ERR_PARSE, "npy: header length %zu is over the limit of %d",
                        hl, NPY_MAX_HEADER);
    if (len - pre < hl) return qgc_fail(d, QGC_ERR_PARSE, "npy: truncated header");
    qgc_type t;
    qgc_status st = parse_dict((const char *)b + pre, hl, &t, d);
    if (st) return st;
    int64_t numel = qgc_type_numel(&t);
    size_t nbytes, have = len - pre - hl;
    if (numel < 0 || !qgc_dtype_nbytes(t.dtype, numel, &nbytes))
        return qgc_fail(d, QGC_ERR_PARSE, "npy: shape overflows");
    if (nbytes != have)
        return qgc_fail(d, QGC_ERR_PARSE, "npy: %zu data bytes, but the shape needs %zu", have,
                        nbytes);
    if ((st = qgc_tensor_new(&t, out, d))) return st;
    if (nbytes) memcpy((*out)->data, b + pre + hl, nbytes);
    return QGC_OK;
}

qgc_status qgc_npy_read(const char *path, qgc_tensor **out, qgc_diag *d) {
    *out = NULL;
    void *buf;
    size_t len;
    qgc_status st = qgc_read_file(path, NPY_DEFAULT_MAX_BYTES + NPY_MAX_HEADER + 12, &buf, &len, d);
    if (st) return st;
    st = qgc_npy_parse(buf, len, out, d);
    free(buf);
    if (st) qgc_diag_prefix(d, path);
    return st;
}

/* ---- write ------------------------------------------------------------------ */

qgc_status qgc_npy_write(const char *path, const qgc_tensor *t, qgc_diag *d) {
    const char *descr = NULL;
    for (size_t i = 0; i < sizeof npy_types / sizeof npy_types[0]; i++)
        if (npy_types[i].dtype == t->type.dtype) descr = npy_types[i].descr;
    if (!descr)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "npy: dtype %s has no npy equivalent",
                        qgc_dtype_name(t->type.dtype) ? qgc_dtype_name(t->type.dtype) : "?");
    if (!qgc_type_is_static(&t->type) || t->type.rank > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_INVALID, "npy: tensor shape is not static");
    size_t nbytes;
    if (!qgc_dtype_nbytes(t->type.dtype, qgc_type_numel(&t->type), &nbytes) ||
        nbytes > t->nbytes || (nbytes && !t->data))
        return qgc_fail(d, QGC_ERR_INVALID, "npy: tensor data does not match its shape");
    /* Version 1.0; the header is space-padded so the data starts on a
     * 64-byte boundary, ending in '\n', as numpy writes it. */
    char shape[QGC_MAX_RANK * 24 + 4], hdr[512];
    int n = snprintf(shape, sizeof shape, "(");
    for (int i = 0; i < t->type.rank; i++)
        n += snprintf(shape + n, sizeof shape - (size_t)n, "%s%lld", i ? ", " : "",
                      (long long)t->type.dims[i]);
    snprintf(shape + n, sizeof shape - (size_t)n, "%s)", t->type.rank == 1 ? "," : "");
    int hl = snprintf(hdr + 10, sizeof hdr - 10,
                      "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
    int total = (10 + hl + 1 + 63) / 64 * 64;
    memset(hdr + 10 + hl, ' ', (size_t)(total - 10 - hl - 1));
    hdr[total - 1] = '\n';
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)((total - 10) & 0xff);
    hdr[9] = (char)((total - 10) >> 8);
    FILE *f = fopen(path, "wb");
    if (!f) return qgc_fail(d, QGC_ERR_IO, "cannot create %s", path);
    bool ok = fwrite(hdr, 1, (size_t)total, f) == (size_t)total &&
              (nbytes == 0 || fwrite(t->data, 1, nbytes, f) == nbytes);
    if (fclose(f) != 0) ok = false;
    return ok ? QGC_OK : qgc_fail(d, QGC_ERR_IO, "cannot write %s", path);
}
