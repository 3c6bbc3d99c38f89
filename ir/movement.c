/* Strided box copy and the small checks every data-movement op shares. */
#include <string.h>

#include "movement.h"

/* Copies n elements of size es at byte strides ds / ss. Called with a
 * constant es in each case below so the compiler turns memcpy into one load
 * and one store. */
static inline void copy_elems(char *dst, const char *src, int64_t n, int64_t ds, int64_t ss,
                              size_t es) {
    for (int64_t i = 0; i < n; i++) memcpy(dst + i * ds, src + i * ss, es);
}

/* A 2-D transpose: element (a, b) goes from src + a*es + b*ssb to
 * dst + a*dsa + b*es. Walked in square tiles so that both the reads and the
 * writes stay within a few cache lines at a time. */
static inline void transpose_tiles(char *dst, const char *src, int64_t na, int64_t nb,
                                   int64_t dsa, int64_t ssb, size_t es) {
    enum { TILE = 16 };
    for (int64_t a0 = 0; a0 < na; a0 += TILE) {
        int64_t ae = a0 + TILE < na ? a0 + TILE : na;
        for (int64_t b0 = 0; b0 < nb; b0 += TILE) {
            int64_t be = b0 + TILE < nb ? b0 + TILE : nb;
            for (int64_t a = a0; a < ae; a++)
                for (int64_t b = b0; b < be; b++)
                    memcpy(dst + a * dsa + b * (int64_t)es, src + a * (int64_t)es + b * ssb, es);
        }
    }
}

/* How the innermost dims of a plan are copied for each outer index. */
typedef enum {
    KERNEL_RUN,       /* last dim contiguous in both: one memcpy */
    KERNEL_FILL,      /* last dim broadcast into a contiguous row */
    KERNEL_STRIDED,   /* last dim strided: element by element */
    KERNEL_TRANSPOSE, /* last two dims: src contiguous along one, dst along the other */
} kernel;

static void run_kernel(kernel k, const qgc_move_plan *p, char *dst, const char *src, size_t es) {
    int last = p->rank - 1;
    int64_t e = (int64_t)es, n = p->dims[last];
    int64_t ds = p->dst_stride[last] * e, ss = p->src_stride[last] * e;
    if (k == KERNEL_RUN) {
        memcpy(dst, src, (size_t)n * es);
    } else if (k == KERNEL_FILL) {
        /* one element, then the filled prefix doubles each step */
        memcpy(dst, src, es);
        for (int64_t done = 1; done < n; done *= 2)
            memcpy(dst + done * e, dst, (size_t)(done < n - done ? done : n - done) * es);
    } else if (k == KERNEL_STRIDED) {
        switch (es) {
        case 1: copy_elems(dst, src, n, ds, ss, 1); break;
        case 2: copy_elems(dst, src, n, ds, ss, 2); break;
        case 4: copy_elems(dst, src, n, ds, ss, 4); break;
        case 8: copy_elems(dst, src, n, ds, ss, 8); break;
        default: copy_elems(dst, src, n, ds, ss, es); break;
        }
    } else {
        int64_t na = p->dims[last - 1], dsa = p->dst_stride[last - 1] * e;
        switch (es) {
        case 1: transpose_tiles(dst, src, na, n, dsa, ss, 1); break;
        case 2: transpose_tiles(dst, src, na, n, dsa, ss, 2); break;
        case 4: transpose_tiles(dst, src, na, n, dsa, ss, 4); break;
        case 8: transpose_tiles(dst, src, na, n, dsa, ss, 8); break;
        default: transpose_tiles(dst, src, na, n, dsa, ss, es); break;
        }
    }
}

/* Drops unit dims and merges neighbours that are contiguous in both tensors,
 * so e.g. a slice of whole rows becomes one long run. Returns false if the
 * box is empty. */
static bool simplify(const qgc_move_plan *in, qgc_move_plan *p) {
    p->rank = 0;
    for (int k = 0; k < in->rank; k++) {
        if (in->dims[k] == 0) return false;
        if (in->dims[k] == 1) continue;
        int r = p->rank;
        if (r > 0 && p->src_stride[r - 1] == in->src_stride[k] * in->dims[k] &&
            p->dst_stride[r - 1] == in->dst_stride[k] * in->dims[k]) {
            p->dims[r - 1] *= in->dims[k];
            p->src_stride[r - 1] = in->src_stride[k];
            p->dst_stride[r - 1] = in->dst_stride[k];
            continue;
        }
        p->dims[r] = in->dims[k];
        p->src_stride[r] = in->src_stride[k];
        p->dst_stride[r] = in->dst_stride[k];
        p->rank++;
    }
    return true;
}

/* Picks the kernel. Iteration order does not change the result, so for a
 * transpose the dim along which src is contiguous is moved next to the last
 * one and the pair is copied in tiles. Returns how many dims it covers. */
static int choose_kernel(qgc_move_plan *p, kernel *k) {
    int last = p->rank - 1;
    if (p->src_stride[last] == 1 && p->dst_stride[last] == 1) {
        *k = KERNEL_RUN;
        return 1;
    }
    *k = p->src_stride[last] == 0 && p->dst_stride[last] == 1 ? KERNEL_FILL : KERNEL_STRIDED;
    if (p->dst_stride[last] != 1 || p->src_stride[last] == 0) return 1;
    for (int j = 0; j < last; j++) {
        if (p->src_stride[j] != 1) continue;
        int64_t t;
        int m = last - 1;
        t = p->dims[j], p->dims[j] = p->dims[m], p->dims[m] = t;
        t = p->src_stride[j], p->src_stride[j] = p->src_stride[m], p->src_stride[m] = t;
        t = p->dst_stride[j], p->dst_stride[j] = p->dst_stride[m], p->dst_stride[m] = t;
        *k = KERNEL_TRANSPOSE;
        return 2;
    }
    return 1;
}

void qgc_move_strided(const qgc_move_plan *plan, size_t es, void *dst, const void *src) {
    qgc_move_plan p;
    if (!simplify(plan, &p)) return;
    if (p.rank == 0) {
        memcpy(dst, src, es);
        return;
    }
    kernel kern;
    int outer = p.rank - choose_kernel(&p, &kern);
    int64_t idx[QGC_MOVE_MAX_DIMS] = {0};
    char *d = dst;
    const char *s = src;
    for (;;) {
        run_kernel(kern, &p, d, s, es);
        /* Odometer over the outer dims; pointers move by whole strides so they
         * always point at an element of their tensor. */
        int k = outer - 1;
        for (; k >= 0; k--) {
            if (++idx[k] < p.dims[k]) {
                d += p.dst_stride[k] * (int64_t)es;
                s += p.src_stride[k] * (int64_t)es;
                break;
            }
            idx[k] = 0;
            d -= (p.dims[k] - 1) * p.dst_stride[k] * (int64_t)es;
            s -= (p.dims[k] - 1) * p.src_stride[k] * (int64_t)es;
        }
        if (k < 0) return;
    }
}

qgc_status qgc_move_esize(const qgc_node *n, qgc_dtype t, size_t *esize, qgc_diag *d) {
    int bits = qgc_dtype_bits(t);
    if (t == QGC_STRING || bits == 0)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: dtype %s is not supported", QGC_LABEL(n),
                        qgc_dtype_name(t) ? qgc_dtype_name(t) : "?");
    if (bits % 8)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                        "%s: packed %d-bit dtype %s is not supported by data movement",
                        QGC_LABEL(n), bits, qgc_dtype_name(t));
    *esize = (size_t)bits / 8;
    return QGC_OK;
}

qgc_status qgc_read_ints(const qgc_node *n, const qgc_tensor *t, const char *what, int64_t *dst,
                         int64_t max, int64_t *count, qgc_diag *d) {
    if (!t || !t->data) return qgc_fail(d, QGC_ERR_INVALID, "%s: %s has no value", QGC_LABEL(n), what);
    if (!qgc_dtype_is_int(t->type.dtype) || qgc_dtype_bits(t->type.dtype) < 8)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: %s must be an integer tensor, not %s",
                        QGC_LABEL(n), what,
                        qgc_dtype_name(t->type.dtype) ? qgc_dtype_name(t->type.dtype) : "?");
    int64_t num = qgc_tensor_numel(t);
    size_t need;
    if (num < 0 || !qgc_dtype_nbytes(t->type.dtype, num, &need) || need > t->nbytes)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: %s has an inconsistent size", QGC_LABEL(n), what);
    if (num > max)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: %s has %lld values, at most %lld supported",
                        QGC_LABEL(n), what, (long long)num, (long long)max);
    for (int64_t i = 0; i < num; i++) dst[i] = qgc_load_i64(t->type.dtype, t->data, i);
    *count = num;
    return QGC_OK;
}

qgc_status qgc_check_index_dtype(const qgc_node *n, const qgc_tensor *t, const char *what,
                                 qgc_diag *d) {
    if (t->type.dtype == QGC_I64 || t->type.dtype == QGC_I32) return QGC_OK;
    return qgc_fail(d, QGC_ERR_INVALID, "%s: %s must be i32 or i64, not %s", QGC_LABEL(n), what,
                    qgc_dtype_name(t->type.dtype) ? qgc_dtype_name(t->type.dtype) : "?");
}

qgc_status qgc_bad_index(const qgc_node *n, const char *what, int64_t v, int64_t dim,
                         qgc_diag *d) {
    return qgc_fail(d, QGC_ERR_INVALID, "%s: %s %lld is out of range for a dim of %lld",
                    QGC_LABEL(n), what, (long long)v, (long long)dim);
}

int64_t qgc_dim_mul(int64_t a, int64_t b) {
    if (a < 0 || b < 0) return -1;
    if (b != 0 && a >= QGC_DIM_LIMIT / b) return a == 0 ? 0 : QGC_DIM_LIMIT;
    return a * b;
}

void qgc_type_unknown(qgc_type *t, qgc_dtype dt, int rank) {
    memset(t, 0, sizeof *t);
    t->dtype = dt;
    t->rank = rank;
    for (int i = 0; i < QGC_MAX_RANK; i++) t->dims[i] = -1;
}

qgc_status qgc_check_dims(const qgc_node *n, const qgc_type *t, qgc_diag *d) {
    int64_t numel = 1;
    for (int i = 0; i < t->rank; i++) {
        int64_t v = t->dims[i];
        if (v < -1 || v >= QGC_DIM_LIMIT)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: output dim %d is %lld", QGC_LABEL(n), i,
                            (long long)v);
        if (v < 0 || numel < 0) {
            numel = -1;
            continue;
        }
        if (v != 0 && numel > QGC_DIM_LIMIT / v)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: output has more than 2^62 elements",
                            QGC_LABEL(n));
        numel *= v;
    }
    return QGC_OK;
}
