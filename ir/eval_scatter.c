/* Scatters: ScatterElements (also the old Scatter) and ScatterND. The output
 * starts as a copy of data; each update then replaces or, with `reduction`,
 * combines with the element its index selects. Updates apply in index order,
 * so duplicates with reduction "none" keep the last one. */
#include <string.h>

#include "movement.h"

typedef enum { RED_NONE, RED_ADD, RED_MUL, RED_MAX, RED_MIN } reduction;

static qgc_status get_reduction(const qgc_node *n, reduction *r, qgc_diag *d) {
    static const char *const names[] = {"none", "add", "mul", "max", "min"};
    const char *s = qgc_attr_string(n, "reduction", "none");
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *r = (reduction)i;
            return QGC_OK;
        }
    return qgc_fail(d, QGC_ERR_INVALID, "%s: reduction '%s' is not none/add/mul/max/min",
                    QGC_LABEL(n), s);
}

/* dst[i] = dst[i] (op) src[j], in the dtype's own arithmetic: doubles for
 * floats (exact for one f32/f16 add or mul before rounding back), wrapping
 * 64-bit integer arithmetic for integers, stored back with wrap-around. */
static void combine(qgc_dtype t, void *dst, int64_t i, const void *src, int64_t j, reduction r) {
    if (qgc_dtype_is_float(t)) {
        double a = qgc_load_f64(t, dst, i), b = qgc_load_f64(t, src, j);
        double v = r == RED_ADD ? a + b : r == RED_MUL ? a * b : r == RED_MAX ? (a > b ? a : b)
                                                                              : (a < b ? a : b);
        qgc_store_f64(t, dst, i, v);
        return;
    }
    int64_t a = qgc_load_i64(t, dst, i), b = qgc_load_i64(t, src, j);
    bool less = t == QGC_U64 ? (uint64_t)a < (uint64_t)b : a < b;
    int64_t v = r == RED_ADD   ? (int64_t)((uint64_t)a + (uint64_t)b)
                : r == RED_MUL ? (int64_t)((uint64_t)a * (uint64_t)b)
                : r == RED_MAX ? (less ? b : a)
                               : (less ? a : b);
    qgc_store_i64(t, dst, i, v);
}

/* Writes src[j] into dst[i] as the reduction says. */
static void apply(qgc_dtype t, size_t es, void *dst, int64_t i, const void *src, int64_t j,
                  reduction r) {
    if (r == RED_NONE) memcpy((char *)dst + i * (int64_t)es, (const char *)src + j * (int64_t)es, es);
    else combine(t, dst, i, src, j, r);
}

/* Common start: element size, reduction, index dtype, and out = data. */
static qgc_status begin(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *out,
                        size_t *es, reduction *r, qgc_diag *d) {
    qgc_status st = qgc_move_esize(n, in[0]->type.dtype, es, d);
    if (!st) st = get_reduction(n, r, d);
    if (!st) st = qgc_check_index_dtype(n, in[1], "indices", d);
    if (!st && in[2]->type.dtype != in[0]->type.dtype)
        st = qgc_fail(d, QGC_ERR_INVALID, "%s: updates have dtype %s, data %s", QGC_LABEL(n),
                      qgc_dtype_name(in[2]->type.dtype), qgc_dtype_name(in[0]->type.dtype));
    if (!st && out->nbytes != in[0]->nbytes)
        st = qgc_fail(d, QGC_ERR_INVALID, "%s: output size differs from data", QGC_LABEL(n));
    if (!st && out->nbytes) memcpy(out->data, in[0]->data, out->nbytes);
    return st;
}

/* out[i with i[axis] = indices[i]] (op)= updates[i], for every i of indices. */
qgc_status qgc_eval_scatter_elements(const qgc_node *n, const qgc_tensor *const *in,
                                     qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *it = &in[1]->type;
    size_t es;
    reduction red;
    int axis, r = x->rank;
    qgc_status st = begin(n, in, out[0], &es, &red, d);
    if (st) return st;
    if (!qgc_norm_axis(qgc_attr_int(n, "axis", 0), r, &axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis out of range for rank %d", QGC_LABEL(n), r);
    if (it->rank != r)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: indices rank %d differs from data rank %d",
                        QGC_LABEL(n), it->rank, r);
    for (int k = 0; k < r; k++) {
        if (in[2]->type.rank != r || in[2]->type.dims[k] != it->dims[k])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: updates and indices differ in shape",
                            QGC_LABEL(n));
        if (k != axis && it->dims[k] > x->dims[k])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: indices dim %d (%lld) exceeds data's (%lld)",
                            QGC_LABEL(n), k, (long long)it->dims[k], (long long)x->dims[k]);
    }
    int64_t xs[QGC_MAX_RANK], idx[QGC_MAX_RANK] = {0}, total = qgc_tensor_numel(in[1]);
    qgc_strides(x, xs);
    for (int64_t e = 0; e < total; e++) {
        int64_t raw = qgc_load_i64(it->dtype, in[1]->data, e), v, off = 0;
        if (!qgc_wrap_index(raw, x->dims[axis], &v))
            return qgc_bad_index(n, "index", raw, x->dims[axis], d);
        for (int k = 0; k < r; k++) off += (k == axis ? v : idx[k]) * xs[k];
        apply(x->dtype, es, out[0]->data, off, in[2]->data, e, red);
        for (int k = r - 1; k >= 0 && ++idx[k] == it->dims[k]; k--) idx[k] = 0;
    }
    return QGC_OK;
}

/* indices [..., k] address slices data[i0, .., ik-1, :]; updates have shape
 * indices.shape[:-1] + data.shape[k:]. */
qgc_status qgc_eval_scatter_nd(const qgc_node *n, const qgc_tensor *const *in,
                               qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *it = &in[1]->type, *ut = &in[2]->type;
    size_t es;
    reduction red;
    qgc_status st = begin(n, in, out[0], &es, &red, d);
    if (st) return st;
    int64_t k = it->rank ? it->dims[it->rank - 1] : 0;
    bool ok = it->rank >= 1 && k >= 1 && k <= x->rank && ut->rank == it->rank - 1 + x->rank - k;
    for (int i = 0; ok && i < ut->rank; i++)
        ok = ut->dims[i] == (i < it->rank - 1 ? it->dims[i] : x->dims[k + i - (it->rank - 1)]);
    if (!ok)
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s: updates must have shape indices.shape[:-1] + data.shape[k:]",
                        QGC_LABEL(n));
    int64_t xs[QGC_MAX_RANK], tuples = qgc_tensor_numel(in[1]) / k;
    qgc_strides(x, xs);
    int64_t slice = xs[k - 1]; /* elements of data.shape[k:] */
    for (int64_t t = 0; t < tuples; t++) {
        int64_t off = 0;
        for (int64_t j = 0; j < k; j++) {
            int64_t raw = qgc_load_i64(it->dtype, in[1]->data, t * k + j), v;
            if (!qgc_wrap_index(raw, x->dims[j], &v))
                return qgc_bad_index(n, "index", raw, x->dims[j], d);
            off += v * xs[j];
        }
        if (red == RED_NONE && slice)
            memcpy((char *)out[0]->data + off * (int64_t)es,
                   (const char *)in[2]->data + t * slice * (int64_t)es, (size_t)slice * es);
        else
            for (int64_t e = 0; e < slice; e++)
                combine(x->dtype, out[0]->data, off + e, in[2]->data, t * slice + e, red);
    }
    return QGC_OK;
}
