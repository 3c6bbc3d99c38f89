/* Softmax, LogSoftmax and Hardmax along one axis (ONNX opset-13 meaning),
 * and CumSum. */
#include <stdlib.h>
#include <string.h>
#include <tgmath.h>

#include "ops.h"

/* outer x len x inner view of a tensor around `axis`. */
static qgc_status split_at_axis(const qgc_node *n, const qgc_type *t, int64_t axis_attr,
                                int64_t *outer, int64_t *len, int64_t *inner, qgc_diag *d) {
    int axis;
    char lbl[160];
    if (!qgc_norm_axis(axis_attr, t->rank, &axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range for rank %d",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)axis_attr, t->rank);
    *outer = *inner = 1;
    *len = t->dims[axis];
    for (int i = 0; i < axis; i++) *outer *= t->dims[i];
    for (int i = axis + 1; i < t->rank; i++) *inner *= t->dims[i];
    return QGC_OK;
}

/* In place over one row of len > 0 values; the row maximum is subtracted
 * before exp so that large inputs do not overflow. Hardmax marks the first
 * maximum. */
#define DEFINE_ROW(NAME, T)                                                               \
    static void NAME(qgc_op op, T *x, int64_t len) {                                      \
        int64_t arg = 0;                                                                  \
        for (int64_t i = 1; i < len; i++)                                                 \
            if (x[i] > x[arg]) arg = i;                                                   \
        T m = x[arg];                                                                     \
        double sum = 0;                                                                   \
        if (op == QGC_OP_HARDMAX) {                                                       \
            for (int64_t i = 0; i < len; i++) x[i] = i == arg;                            \
        } else if (op == QGC_OP_LOG_SOFTMAX) {                                            \
            for (int64_t i = 0; i < len; i++) {                                           \
                x[i] -= m;                                                                \
                sum += exp(x[i]);                                                         \
            }                                                                             \
            T ls = (T)log(sum);                                                           \
            for (int64_t i = 0; i < len; i++) x[i] -= ls;                                 \
        } else {                                                                          \
            for (int64_t i = 0; i < len; i++) {                                           \
                x[i] = exp(x[i] - m);                                                     \
                sum += x[i];                                                              \
            }                                                                             \
            T inv = (T)(1 / sum);                                                         \
            for (int64_t i = 0; i < len; i++) x[i] *= inv;                                \
        }                                                                                 \
    }
DEFINE_ROW(row_f32, float)
DEFINE_ROW(row_f64, double)

qgc_status qgc_eval_softmax(const qgc_node *n, const qgc_tensor *const *in,
                            qgc_tensor *const *out, qgc_diag *d) {
    const qgc_tensor *x = in[0];
    qgc_tensor *y = out[0];
    qgc_dtype t = x->type.dtype;
    int64_t outer, len, inner;
    qgc_status st = split_at_axis(n, &x->type, qgc_attr_int(n, "axis", -1), &outer, &len, &inner, d);
    if (st != QGC_OK || len == 0 || outer * inner == 0) return st;
    if (t == QGC_F32 && inner == 1) { /* contiguous rows: in place in the output */
        memcpy(y->data, x->data, y->nbytes);
        for (int64_t o = 0; o < outer; o++) row_f32(n->op, (float *)y->data + o * len, len);
        return QGC_OK;
    }
    double *buf = malloc((size_t)len * sizeof *buf);
    if (!buf) {
        char lbl[160];
        return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_node_label(n, lbl, sizeof lbl));
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            int64_t base = o * len * inner + j;
            for (int64_t k = 0; k < len; k++) buf[k] = qgc_load_f64(t, x->data, base + k * inner);
            row_f64(n->op, buf, len);
            for (int64_t k = 0; k < len; k++) qgc_store_f64(t, y->data, base + k * inner, buf[k]);
        }
    free(buf);
    return QGC_OK;
}

_Static_assert(sizeof(double) == sizeof(uint64_t), "cumsum shares one buffer between domains");

/* CumSum rows: acc holds one running sum per inner position, so each step
 * along the axis reads a contiguous row of n elements at x[off]. */
static void cum_row_f32(const float *x, float *y, double *acc, int64_t n, bool exclusive) {
    for (int64_t j = 0; j < n; j++) {
        double before = acc[j];
        acc[j] += x[j];
        y[j] = (float)(exclusive ? before : acc[j]);
    }
}

static void cum_row_f64(qgc_dtype t, const void *x, void *y, int64_t off, double *acc, int64_t n,
                        bool exclusive) {
    for (int64_t j = 0; j < n; j++) {
        double before = acc[j];
        acc[j] += qgc_load_f64(t, x, off + j);
        qgc_store_f64(t, y, off + j, exclusive ? before : acc[j]);
    }
}

static void cum_row_int(qgc_dtype t, const void *x, void *y, int64_t off, uint64_t *acc,
                        int64_t n, bool exclusive) {
    for (int64_t j = 0; j < n; j++) {
        uint64_t before = acc[j];
        acc[j] += (uint64_t)qgc_load_i64(t, x, off + j);
        qgc_store_i64(t, y, off + j, (int64_t)(exclusive ? before : acc[j]));
    }
}

/* CumSum (ONNX CumSum-14): running sums along the axis given as input 1;
 * exclusive leaves out the current element, reverse runs from the end.
 * Floats sum in double, integers in wrapping 64-bit arithmetic. */
qgc_status qgc_eval_cumsum(const qgc_node *n, const qgc_tensor *const *in,
                           qgc_tensor *const *out, qgc_diag *d) {
    const qgc_tensor *x = in[0];
    qgc_tensor *y = out[0];
    qgc_dtype t = x->type.dtype;
    int64_t axis, outer, len, inner;
    char lbl[160];
    if (qgc_tensor_read_ints(in[1], &axis, 1) != 1)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis must be one i32/i64 value",
                        qgc_node_label(n, lbl, sizeof lbl));
    qgc_status st = split_at_axis(n, &x->type, axis, &outer, &len, &inner, d);
    if (st != QGC_OK) return st;
    bool exclusive = qgc_attr_int(n, "exclusive", 0) != 0;
    bool reverse = qgc_attr_int(n, "reverse", 0) != 0, is_float = qgc_dtype_is_float(t);
    /* doubles and uint64s have the same size: one buffer serves either domain */
    void *acc = calloc((size_t)(inner ? inner : 1), sizeof(double));
    if (!acc)
        return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_node_label(n, lbl, sizeof lbl));
    for (int64_t o = 0; o < outer; o++) {
        memset(acc, 0, (size_t)inner * sizeof(double));
        for (int64_t s = 0; s < len; s++) {
            int64_t k = reverse ? len - 1 - s : s, off = (o * len + k) * inner;
            if (t == QGC_F32)
                cum_row_f32((const float *)x->data + off, (float *)y->data + off, acc, inner,
                            exclusive);
            else if (is_float)
                cum_row_f64(t, x->data, y->data, off, acc, inner, exclusive);
            else
                cum_row_int(t, x->data, y->data, off, acc, inner, exclusive);
        }
    }
    free(acc);
    return QGC_OK;
}
