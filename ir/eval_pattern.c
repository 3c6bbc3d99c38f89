/* Ops whose output is a fixed pattern placed by indices: OneHot, Trilu and
 * EyeLike. */
#include <string.h>

#include "movement.h"

/* ---- OneHot ------------------------------------------------------------ */

/* depth: one number of any numeric dtype, truncated; must be >= 1. */
static qgc_status read_depth(const qgc_node *n, const qgc_tensor *t, int64_t *depth, qgc_diag *d) {
    if (qgc_tensor_numel(t) != 1 || qgc_dtype_bits(t->type.dtype) < 8 || t->type.dtype == QGC_STRING)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: depth must hold exactly one number",
                        QGC_LABEL(n));
    double v = qgc_load_f64(t->type.dtype, t->data, 0);
    if (!(v >= 1 && v < (double)QGC_DIM_LIMIT))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: depth %g is invalid", QGC_LABEL(n), v);
    *depth = (int64_t)v;
    return QGC_OK;
}

/* y = indices.shape with depth inserted at axis; dtype of values. */
qgc_status qgc_infer_onehot(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    const qgc_type *ix = &in[0]->type;
    int axis;
    int64_t depth = -1;
    qgc_type_unknown(out, in[2]->type.dtype, -1);
    if (ix->rank < 0) return QGC_OK;
    if (ix->rank + 1 > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: output rank exceeds %d", QGC_LABEL(n),
                        QGC_MAX_RANK);
    out->rank = ix->rank + 1;
    qgc_status st = qgc_node_axis(n, -1, out->rank, &axis, d);
    if (!st && in[1]->data) st = read_depth(n, in[1], &depth, d);
    if (st) return st;
    for (int i = 0, j = 0; i < out->rank; i++) {
        if (i == axis) {
            out->dims[i] = depth;
            continue;
        }
        out->sym[i] = ix->sym[j];
        out->dims[i] = ix->dims[j++];
    }
    return qgc_check_dims(n, out, d);
}

/* Indices outside [-depth, depth) give a row of off values, per the spec. */
qgc_status qgc_eval_onehot(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                           qgc_diag *d) {
    const qgc_tensor *ix = in[0], *vals = in[2];
    int axis;
    int64_t depth;
    size_t es;
    qgc_status st = qgc_move_esize(n, vals->type.dtype, &es, d);
    if (!st) st = qgc_node_axis(n, -1, ix->type.rank + 1, &axis, d);
    if (!st) st = read_depth(n, in[1], &depth, d);
    if (st) return st;
    if (qgc_tensor_numel(vals) != 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: values must hold [off, on]", QGC_LABEL(n));
    if (qgc_dtype_bits(ix->type.dtype) < 8 || ix->type.dtype == QGC_STRING)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: indices must be numeric", QGC_LABEL(n));
    int64_t inner = 1, total = qgc_tensor_numel(ix);
    for (int i = axis; i < ix->type.rank; i++) inner *= ix->type.dims[i];
    char *y = out[0]->data;
    const char *off = vals->data, *on = off + es;
    int64_t ny = qgc_tensor_numel(out[0]);
    for (int64_t i = 0; i < ny; i++) memcpy(y + i * (int64_t)es, off, es);
    for (int64_t e = 0; e < total; e++) {
        int64_t v = qgc_load_i64(ix->type.dtype, ix->data, e);
        if (v < -depth || v >= depth) continue;
        if (v < 0) v += depth;
        int64_t o = e / inner, i = e % inner;
        memcpy(y + ((o * depth + v) * inner + i) * (int64_t)es, on, es);
    }
    return QGC_OK;
}

/* ---- Trilu and EyeLike ---------------------------------------------------- */

/* Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of every
 * matrix in the last two dims; the rest is zero. */
qgc_status qgc_eval_trilu(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                          qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (st) return st;
    if (x->rank < 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: input must have rank >= 2", QGC_LABEL(n));
    int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1], k = 0;
    const qgc_tensor *kt = n->n_in > 1 ? in[1] : NULL;
    if (kt) {
        st = qgc_check_index_dtype(n, kt, "k", d);
        if (!st && qgc_tensor_numel(kt) != 1)
            st = qgc_fail(d, QGC_ERR_INVALID, "%s: k must be a scalar", QGC_LABEL(n));
        if (st) return st;
        k = qgc_load_i64(kt->type.dtype, kt->data, 0);
    }
    k = qgc_clamp64(k, -rows - 1, cols + 1); /* beyond that every row is the same */
    bool upper = qgc_attr_int(n, "upper", 1) != 0;
    int64_t total_rows = cols ? qgc_tensor_numel(in[0]) / cols : 0;
    size_t row = (size_t)cols * es;
    for (int64_t r = 0; r < total_rows; r++) {
        int64_t i = r % rows;
        int64_t from = upper ? qgc_clamp64(i + k, 0, cols) : 0;
        int64_t to = upper ? cols : qgc_clamp64(i + k + 1, 0, cols);
        char *dst = (char *)out[0]->data + (size_t)r * row;
        const char *src = (const char *)in[0]->data + (size_t)r * row;
        memset(dst, 0, row);
        if (to > from)
            memcpy(dst + from * (int64_t)es, src + from * (int64_t)es, (size_t)(to - from) * es);
    }
    return QGC_OK;
}

/* Ones on the k-th diagonal of a 2-D tensor, zeros elsewhere. */
qgc_status qgc_eval_eye_like(const qgc_node *n, const qgc_tensor *const *in,
                             qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *y = &out[0]->type;
    (void)in;
    if (y->rank != 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: input must have rank 2, not %d", QGC_LABEL(n),
                        y->rank);
    int64_t rows = y->dims[0], cols = y->dims[1];
    int64_t k = qgc_clamp64(qgc_attr_int(n, "k", 0), -rows, cols);
    if (out[0]->nbytes) memset(out[0]->data, 0, out[0]->nbytes);
    for (int64_t i = 0; i < rows; i++)
        if (i + k >= 0 && i + k < cols) qgc_store_i64(y->dtype, out[0]->data, i * cols + i + k, 1);
    return QGC_OK;
}
