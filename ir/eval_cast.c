/* Cast and CastLike between every numeric dtype (ONNX Cast-13, CastLike-15),
 * and the shape rule they share with EyeLike (same shape, another dtype).
 *
 * Float to integer truncates toward zero as numpy's astype does on x86:
 * through int64 (saturating, NaN -> 0), then wrapped to the target width.
 * Anything to bool is x != 0. Strings are refused. */
#include <string.h>

#include "ops.h"

static bool castable(qgc_dtype t) {
    return t != QGC_STRING && qgc_dtype_bits(t) > 0;
}

static qgc_status cast_error(const qgc_node *n, qgc_dtype from, qgc_dtype to, qgc_diag *d) {
    char lbl[160];
    const char *a = qgc_dtype_name(from), *b = qgc_dtype_name(to);
    return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: cast from %s to %s is not supported",
                    qgc_node_label(n, lbl, sizeof lbl), a ? a : "?", b ? b : "?");
}

qgc_status qgc_infer_cast(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    qgc_dtype from = in[0]->type.dtype, to;
    char lbl[160];
    switch (n->op) {
    case QGC_OP_CAST: {
        int64_t code = qgc_attr_int(n, "to", -1);
        if (code < 0 || code >= QGC_DTYPE_END || !qgc_dtype_name((qgc_dtype)code))
            return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: target dtype %lld is not supported",
                            qgc_node_label(n, lbl, sizeof lbl), (long long)code);
        to = (qgc_dtype)code;
        break;
    }
    case QGC_OP_CAST_LIKE: to = in[1]->type.dtype; break;
    default: /* eye_like: attribute dtype, else the input's */
        to = (qgc_dtype)qgc_attr_int(n, "dtype", from);
        if (in[0]->type.rank >= 0 && in[0]->type.rank != 2)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: input must have rank 2, not %d",
                            qgc_node_label(n, lbl, sizeof lbl), in[0]->type.rank);
        if (!qgc_dtype_name(to))
            return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: dtype %d is not supported",
                            qgc_node_label(n, lbl, sizeof lbl), (int)to);
        break;
    }
    if ((from != QGC_UNDEF && !castable(from)) || (to != QGC_UNDEF && !castable(to)))
        return cast_error(n, from, to, d);
    out[0] = in[0]->type;
    out[0].dtype = to;
    return QGC_OK;
}

qgc_status qgc_eval_cast(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    const qgc_tensor *x = in[0];
    qgc_tensor *y = out[0];
    qgc_dtype from = x->type.dtype, to = y->type.dtype;
    if (!castable(from) || !castable(to)) return cast_error(n, from, to, d);
    int64_t count = qgc_tensor_numel(x);
    if (from == to) {
        memcpy(y->data, x->data, y->nbytes < x->nbytes ? y->nbytes : x->nbytes);
    } else if (from == QGC_F32 && to == QGC_F16) {
        const float *s = x->data;
        uint16_t *o = y->data;
        for (int64_t i = 0; i < count; i++) o[i] = qgc_f32_to_f16(s[i]);
    } else if (from == QGC_F16 && to == QGC_F32) {
        const uint16_t *s = x->data;
        float *o = y->data;
        for (int64_t i = 0; i < count; i++) o[i] = qgc_f16_to_f32(s[i]);
    } else if (qgc_dtype_is_float(from)) {
        /* doubles hold every f16/bf16/f32 exactly; qgc_store_f64 truncates
         * and saturates into integer targets */
        for (int64_t i = 0; i < count; i++)
            qgc_store_f64(to, y->data, i, qgc_load_f64(from, x->data, i));
    } else if (to == QGC_F32) { /* integer to f32 in one rounding step */
        float *o = y->data;
        bool u64 = from == QGC_U64;
        for (int64_t i = 0; i < count; i++) {
            int64_t v = qgc_load_i64(from, x->data, i);
            o[i] = u64 ? (float)(uint64_t)v : (float)v;
        }
    } else if (qgc_dtype_is_float(to)) {
        for (int64_t i = 0; i < count; i++)
            qgc_store_f64(to, y->data, i, qgc_load_f64(from, x->data, i));
    } else { /* integer or bool to integer or bool: wraps modulo 2^bits */
        for (int64_t i = 0; i < count; i++)
            qgc_store_i64(to, y->data, i, qgc_load_i64(from, x->data, i));
    }
    return QGC_OK;
}
