/* Ops that make new tensors from shapes or counts: Shape, Size,
 * ConstantOfShape, Range and NonZero. Their output shapes depend on data
 * (except Shape and Size), so the shape rules compute them only when the
 * data is known. */
#include <math.h>
#include <string.h>

#include "movement.h"

static void type_i64(qgc_type *t, int rank, int64_t dim0) {
    qgc_type_unknown(t, QGC_I64, rank);
    t->dims[0] = dim0;
}

/* ---- Shape and Size -------------------------------------------------------- */

/* Opset 15 start/end: negative values count from the end, then clamp to [0, rank]. */
static void shape_range(const qgc_node *n, int rank, int64_t *start, int64_t *end) {
    int64_t s = qgc_attr_int(n, "start", 0), e = qgc_attr_int(n, "end", rank);
    if (s < 0) s += rank;
    if (e < 0) e += rank;
    *start = qgc_clamp64(s, 0, rank);
    *end = qgc_clamp64(e, *start, rank);
}

qgc_status qgc_infer_shape(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                           qgc_diag *d) {
    (void)d;
    int64_t s, e;
    if (in[0]->type.rank < 0) {
        type_i64(out, 1, -1);
        return QGC_OK;
    }
    shape_range(n, in[0]->type.rank, &s, &e);
    type_i64(out, 1, e - s);
    return QGC_OK;
}

/* Reads only the input's type, never its data. */
qgc_status qgc_eval_shape(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                          qgc_diag *d) {
    int64_t s, e;
    shape_range(n, in[0]->type.rank, &s, &e);
    if (out[0]->type.dtype != QGC_I64 || qgc_tensor_numel(out[0]) != e - s)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: output must be i64[%lld]", QGC_LABEL(n),
                        (long long)(e - s));
    for (int64_t i = s; i < e; i++) ((int64_t *)out[0]->data)[i - s] = in[0]->type.dims[i];
    return QGC_OK;
}

qgc_status qgc_infer_size(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    (void)n, (void)in, (void)d;
    type_i64(out, 0, 0);
    return QGC_OK;
}

qgc_status qgc_eval_size(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    if (out[0]->type.dtype != QGC_I64 || out[0]->nbytes < sizeof(int64_t))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: output must be an i64 scalar", QGC_LABEL(n));
    ((int64_t *)out[0]->data)[0] = qgc_tensor_numel(in[0]);
    return QGC_OK;
}

/* ---- ConstantOfShape ------------------------------------------------------- */

/* The `value` attribute: a one-element tensor; absent means f32 0. */
static qgc_status fill_value(const qgc_node *n, const qgc_tensor **v, qgc_diag *d) {
    const qgc_attr *a = qgc_attr_get(n, "value");
    *v = NULL;
    if (!a) return QGC_OK;
    if (a->kind != QGC_ATTR_TENSOR || !a->t || qgc_tensor_numel(a->t) != 1)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: value must be a one-element tensor",
                        QGC_LABEL(n));
    *v = a->t;
    return QGC_OK;
}

qgc_status qgc_infer_constant_of_shape(const qgc_node *n, const qgc_tensor *const *in,
                                       qgc_type *out, qgc_diag *d) {
    const qgc_tensor *v;
    qgc_status st = fill_value(n, &v, d);
    if (st) return st;
    const qgc_type *s = &in[0]->type;
    bool len_known = s->rank == 1 && s->dims[0] >= 0 && s->dims[0] <= QGC_MAX_RANK;
    qgc_type_unknown(out, v ? v->type.dtype : QGC_F32, len_known ? (int)s->dims[0] : -1);
    if (!in[0]->data) return QGC_OK;
    int64_t cnt;
    st = qgc_read_ints(n, in[0], "shape", out->dims, QGC_MAX_RANK, &cnt, d);
    if (st) return st;
    out->rank = (int)cnt;
    for (int i = 0; i < out->rank; i++)
        if (out->dims[i] < 0)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: shape[%d] is %lld", QGC_LABEL(n), i,
                            (long long)out->dims[i]);
    return qgc_check_dims(n, out, d);
}

qgc_status qgc_eval_constant_of_shape(const qgc_node *n, const qgc_tensor *const *in,
                                      qgc_tensor *const *out, qgc_diag *d) {
    (void)in;
    const qgc_tensor *v;
    size_t es;
    qgc_status st = fill_value(n, &v, d);
    if (!st) st = qgc_move_esize(n, out[0]->type.dtype, &es, d);
    if (st) return st;
    if (!v) {
        if (out[0]->nbytes) memset(out[0]->data, 0, out[0]->nbytes);
        return QGC_OK;
    }
    if (v->type.dtype != out[0]->type.dtype || v->nbytes < es)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: value does not match the output dtype",
                        QGC_LABEL(n));
    int64_t total = qgc_tensor_numel(out[0]);
    for (int64_t i = 0; i < total; i++) memcpy((char *)out[0]->data + i * (int64_t)es, v->data, es);
    return QGC_OK;
}

/* ---- Range ----------------------------------------------------------------- */

/* Element count max(ceil((limit - start) / delta), 0), in integer arithmetic
 * for integer dtypes and in the input's float precision otherwise. */
static qgc_status range_count(const qgc_node *n, const qgc_tensor *const *in, int64_t *count,
                              qgc_diag *d) {
    qgc_dtype t = in[0]->type.dtype;
    for (int i = 0; i < 3; i++)
        if (qgc_tensor_numel(in[i]) != 1 || in[i]->type.dtype != t || qgc_dtype_bits(t) < 8 ||
            t == QGC_STRING || t == QGC_BOOL)
            return qgc_fail(d, QGC_ERR_INVALID,
                            "%s: start, limit and delta must be numeric scalars of one dtype",
                            QGC_LABEL(n));
    if (qgc_dtype_is_float(t)) {
        double s = qgc_load_f64(t, in[0]->data, 0), l = qgc_load_f64(t, in[1]->data, 0);
        double dl = qgc_load_f64(t, in[2]->data, 0);
        double diff = t == QGC_F64 ? l - s : (double)((float)l - (float)s);
        double c = ceil(diff / dl);
        if (!(c < (double)QGC_DIM_LIMIT) || dl == 0 || !isfinite(s) || !isfinite(l))
            return qgc_fail(d, QGC_ERR_INVALID, "%s: range(%g, %g, %g) is invalid or too long",
                            QGC_LABEL(n), s, l, dl);
        *count = c > 0 ? (int64_t)c : 0;
        return QGC_OK;
    }
    int64_t s = qgc_load_i64(t, in[0]->data, 0), l = qgc_load_i64(t, in[1]->data, 0);
    int64_t dl = qgc_load_i64(t, in[2]->data, 0), diff;
    if (dl == 0 || __builtin_sub_overflow(l, s, &diff) || (diff == INT64_MIN && dl == -1))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: range(%lld, %lld, %lld) is invalid",
                        QGC_LABEL(n), (long long)s, (long long)l, (long long)dl);
    int64_t q = diff / dl + (diff % dl != 0 && (diff < 0) == (dl < 0));
    if (q >= QGC_DIM_LIMIT)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: range has %lld elements", QGC_LABEL(n),
                        (long long)q);
    *count = q > 0 ? q : 0;
    return QGC_OK;
}

qgc_status qgc_infer_range(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                           qgc_diag *d) {
    int64_t count = -1;
    qgc_type_unknown(out, in[0]->type.dtype, 1);
    if (in[0]->data && in[1]->data && in[2]->data) {
        qgc_status st = range_count(n, in, &count, d);
        if (st) return st;
    }
    out->dims[0] = count;
    return QGC_OK;
}

/* y[i] = start + i * delta. For integers every value lies between start and
 * limit, so i * delta cannot overflow. */
qgc_status qgc_eval_range(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                          qgc_diag *d) {
    int64_t count;
    qgc_status st = range_count(n, in, &count, d);
    if (st) return st;
    if (qgc_tensor_numel(out[0]) != count)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: output must have %lld elements", QGC_LABEL(n),
                        (long long)count);
    qgc_dtype t = in[0]->type.dtype;
    if (qgc_dtype_is_float(t)) {
        double s = qgc_load_f64(t, in[0]->data, 0), dl = qgc_load_f64(t, in[2]->data, 0);
        for (int64_t i = 0; i < count; i++) qgc_store_f64(t, out[0]->data, i, s + (double)i * dl);
    } else {
        int64_t s = qgc_load_i64(t, in[0]->data, 0), dl = qgc_load_i64(t, in[2]->data, 0);
        for (int64_t i = 0; i < count; i++) qgc_store_i64(t, out[0]->data, i, s + i * dl);
    }
    return QGC_OK;
}

/* ---- NonZero -------------------------------------------------------------- */

/* -0.0 is zero and NaN is not, as a float comparison says. */
static int64_t count_nonzero(const qgc_tensor *x) {
    int64_t total = qgc_tensor_numel(x), cnt = 0;
    for (int64_t i = 0; i < total; i++) cnt += qgc_load_f64(x->type.dtype, x->data, i) != 0;
    return cnt;
}

qgc_status qgc_infer_nonzero(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    (void)n, (void)d;
    const qgc_type *x = &in[0]->type;
    type_i64(out, 2, x->rank);
    out->dims[1] = in[0]->data ? count_nonzero(in[0]) : -1;
    return QGC_OK;
}

/* y[k][j]: coordinate k of the j-th nonzero element in row-major order. */
qgc_status qgc_eval_nonzero(const qgc_node *n, const qgc_tensor *const *in,
                            qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int64_t total = qgc_tensor_numel(in[0]), nnz = count_nonzero(in[0]);
    if (out[0]->type.rank != 2 || out[0]->type.dims[0] != x->rank || out[0]->type.dims[1] != nnz)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: output must be i64[%d, %lld]", QGC_LABEL(n),
                        x->rank, (long long)nnz);
    int64_t *y = out[0]->data, idx[QGC_MAX_RANK] = {0};
    for (int64_t e = 0, j = 0; e < total; e++) {
        if (qgc_load_f64(x->dtype, in[0]->data, e) != 0) {
            for (int k = 0; k < x->rank; k++) y[k * nnz + j] = idx[k];
            j++;
        }
        for (int k = x->rank - 1; k >= 0 && ++idx[k] == x->dims[k]; k--) idx[k] = 0;
    }
    return QGC_OK;
}
