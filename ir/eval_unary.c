/* Unary element-wise ops and activations (ONNX Abs .. ThresholdedRelu, the
 * IR's gelu), Identity and Clip, and the shape rules that keep the input type.
 *
 * Each formula is written once, over a generic element type T, with <tgmath.h>
 * picking the float or double libm function; it is instantiated for f32 (the
 * fast path) and f64. f16/bf16 and the integer dtypes go through the double
 * instantiation chunk by chunk, except the integer ops whose result must be
 * exact (abs, neg, sign, relu), which are computed in int64. */
#include <string.h>
#include <tgmath.h>

#include "ops.h"

#define SQRT1_2 0.70710678118654752440
#define SQRT_2_PI 0.79788456080286535588 /* sqrt(2/pi), for gelu's tanh form */

typedef struct {
    double alpha, beta, gamma, lambd, bias;
    bool gelu_tanh;
} unary_params;

/* Attribute defaults per ONNX spec. */
static void read_params(const qgc_node *n, unary_params *p) {
    double alpha = 0, beta = 0;
    switch (n->op) {
    case QGC_OP_LEAKY_RELU: alpha = 0.01; break;
    case QGC_OP_HARD_SIGMOID: alpha = 0.2, beta = 0.5; break;
    case QGC_OP_ELU: case QGC_OP_CELU: case QGC_OP_THRESHOLDED_RELU: alpha = 1.0; break;
    case QGC_OP_SELU: alpha = 1.67326319217681884765625; break;
    default: break;
    }
    p->alpha = qgc_attr_float(n, "alpha", (float)alpha);
    p->beta = qgc_attr_float(n, "beta", (float)beta);
    p->gamma = qgc_attr_float(n, "gamma", 1.05070102214813232421875f);
    p->lambd = qgc_attr_float(n, "lambd", 0.5f);
    p->bias = qgc_attr_float(n, "bias", 0.0f);
    p->gelu_tanh = strcmp(qgc_attr_string(n, "approximate", "none"), "tanh") == 0;
}

/* min(1, max(0, v)) without fmin/fmax's NaN rules, so the loops vectorise */
static inline float clamp01_f32(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
static inline double clamp01_f64(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
#define CLAMP01(v) _Generic((v), float: clamp01_f32, double: clamp01_f64)(v)

#define MAP(EXPR)                                                                         \
    for (int64_t i = 0; i < n; i++) {                                                     \
        elem x = src[i];                                                                  \
        dst[i] = (elem)(EXPR);                                                            \
    }                                                                                     \
    return true

/* map_<T>(op, p, src, dst, n): dst[i] = f(src[i]); false if op is not unary. */
#define DEFINE_MAP(NAME, T)                                                               \
    static bool NAME(qgc_op op, const unary_params *p, const T *src, T *dst, int64_t n) { \
        typedef T elem; /* for MAP */                                                     \
        const T alpha = (T)p->alpha, beta = (T)p->beta, gamma = (T)p->gamma,            \
                lambd = (T)p->lambd, bias = (T)p->bias, zero = 0, one = 1, half = (T)0.5; \
        switch (op) {                                                                     \
        case QGC_OP_ABS: MAP(fabs(x));                                                    \
        case QGC_OP_NEG: MAP(-x);                                                         \
        case QGC_OP_RECIPROCAL: MAP(one / x);                                             \
        case QGC_OP_SQRT: MAP(sqrt(x));                                                   \
        case QGC_OP_EXP: MAP(exp(x));                                                     \
        case QGC_OP_LOG: MAP(log(x));                                                     \
        case QGC_OP_CEIL: MAP(ceil(x));                                                   \
        case QGC_OP_FLOOR: MAP(floor(x));                                                 \
        case QGC_OP_ROUND: MAP(nearbyint(x)); /* default rounding mode: half to even */   \
        case QGC_OP_SIGN: MAP(x > 0 ? one : x < 0 ? -one : x);                            \
        case QGC_OP_SIN: MAP(sin(x));                                                     \
        case QGC_OP_COS: MAP(cos(x));                                                     \
        case QGC_OP_TAN: MAP(tan(x));                                                     \
        case QGC_OP_ASIN: MAP(asin(x));                                                   \
        case QGC_OP_ACOS: MAP(acos(x));                                                   \
        case QGC_OP_ATAN: MAP(atan(x));                                                   \
        case QGC_OP_SINH: MAP(sinh(x));                                                   \
        case QGC_OP_COSH: MAP(cosh(x));                                                   \
        case QGC_OP_ASINH: MAP(asinh(x));                                                 \
        case QGC_OP_ACOSH: MAP(acosh(x));                                                 \
        case QGC_OP_ATANH: MAP(atanh(x));                                                 \
        case QGC_OP_ERF: MAP(erf(x));                                                     \
        case QGC_OP_SOFTSIGN: MAP(x / (one + fabs(x)));                                   \
        case QGC_OP_RELU: MAP(x > 0 ? x : zero);                                          \
        case QGC_OP_LEAKY_RELU: MAP(x < 0 ? alpha * x : x);                               \
        /* the two branches keep exp from overflowing */                                  \
        case QGC_OP_SIGMOID: MAP(x >= 0 ? one / (one + exp(-x)) : exp(x) / (one + exp(x))); \
        case QGC_OP_HARD_SIGMOID: MAP(CLAMP01(alpha * x + beta));                         \
        case QGC_OP_HARD_SWISH: MAP(x * CLAMP01(x / (T)6 + half));                        \
        case QGC_OP_TANH: MAP(tanh(x));                                                   \
        case QGC_OP_ELU: MAP(x < 0 ? alpha * expm1(x) : x);                               \
        case QGC_OP_SELU: MAP(x <= 0 ? gamma * alpha * expm1(x) : gamma * x);             \
        case QGC_OP_CELU: MAP(x > 0 ? x : alpha * expm1(x / alpha));                     \
        case QGC_OP_SOFTPLUS: MAP(x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)));            \
        case QGC_OP_SHRINK: MAP(x < -lambd ? x + bias : x > lambd ? x - bias : zero);     \
        case QGC_OP_THRESHOLDED_RELU: MAP(x > alpha ? x : zero);                          \
        case QGC_OP_GELU:                                                                 \
            if (p->gelu_tanh) {                                                           \
                MAP(half * x * (one + tanh((T)SQRT_2_PI * (x + (T)0.044715 * x * x * x)))); \
            }                                                                             \
            MAP(half * x * (one + erf(x * (T)SQRT1_2)));                                  \
        default: return false;                                                            \
        }                                                                                 \
    }

DEFINE_MAP(map_f32, float)
DEFINE_MAP(map_f64, double)

/* Integer ops with exact results; false for the others (computed in double). */
static bool map_int(qgc_op op, qgc_dtype t, const void *src, void *dst, int64_t n) {
    bool is_unsigned = !qgc_dtype_is_signed(t);
    switch (op) {
    case QGC_OP_ABS: case QGC_OP_NEG: case QGC_OP_SIGN: case QGC_OP_RELU: break;
    default: return false;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t x = qgc_load_i64(t, src, i), r;
        uint64_t neg = 0 - (uint64_t)x; /* -x wrapped, as two's complement does */
        switch (op) {
        case QGC_OP_ABS: r = is_unsigned || x >= 0 ? x : (int64_t)neg; break;
        case QGC_OP_NEG: r = (int64_t)neg; break;
        case QGC_OP_SIGN: r = is_unsigned ? x != 0 : (x > 0) - (x < 0); break;
        default: r = is_unsigned || x > 0 ? x : 0; break; /* relu */
        }
        qgc_store_i64(t, dst, i, r);
    }
    return true;
}

/* Element-wise predicates: IsNaN, IsInf (detect_negative, detect_positive), Not. */
static void map_bool(const qgc_node *n, const qgc_tensor *x, uint8_t *dst, int64_t count) {
    bool neg = qgc_attr_int(n, "detect_negative", 1) != 0;
    bool pos = qgc_attr_int(n, "detect_positive", 1) != 0;
    for (int64_t i = 0; i < count; i++) {
        double v = qgc_load_f64(x->type.dtype, x->data, i);
        switch (n->op) {
        case QGC_OP_IS_NAN: dst[i] = v != v; break;
        case QGC_OP_IS_INF: dst[i] = (pos && v == INFINITY) || (neg && v == -INFINITY); break;
        default: dst[i] = v == 0; break; /* not */
        }
    }
}

enum { CHUNK = 1024 };

qgc_status qgc_eval_unary(const qgc_node *n, const qgc_tensor *const *in,
                          qgc_tensor *const *out, qgc_diag *d) {
    const qgc_tensor *x = in[0];
    qgc_tensor *y = out[0];
    qgc_dtype t = x->type.dtype;
    int64_t count = qgc_tensor_numel(x);
    unary_params p;
    read_params(n, &p);
    char lbl[160];
    if (n->op == QGC_OP_IS_NAN || n->op == QGC_OP_IS_INF || n->op == QGC_OP_NOT) {
        map_bool(n, x, y->data, count);
        return QGC_OK;
    }
    bool ok;
    if (t == QGC_F32) {
        ok = map_f32(n->op, &p, x->data, y->data, count);
    } else if (t == QGC_F64) {
        ok = map_f64(n->op, &p, x->data, y->data, count);
    } else if (qgc_dtype_is_int(t) && map_int(n->op, t, x->data, y->data, count)) {
        ok = true;
    } else {
        double buf[CHUNK];
        ok = true;
        for (int64_t i0 = 0; ok && i0 < count; i0 += CHUNK) {
            int64_t m = count - i0 < CHUNK ? count - i0 : CHUNK;
            for (int64_t i = 0; i < m; i++) buf[i] = qgc_load_f64(t, x->data, i0 + i);
            ok = map_f64(n->op, &p, buf, buf, m);
            for (int64_t i = 0; ok && i < m; i++) qgc_store_f64(t, y->data, i0 + i, buf[i]);
        }
    }
    if (!ok)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not an element-wise unary op",
                        qgc_node_label(n, lbl, sizeof lbl));
    return QGC_OK;
}

qgc_status qgc_eval_identity(const qgc_node *n, const qgc_tensor *const *in,
                             qgc_tensor *const *out, qgc_diag *d) {
    (void)n, (void)d;
    memcpy(out[0]->data, in[0]->data,
           out[0]->nbytes < in[0]->nbytes ? out[0]->nbytes : in[0]->nbytes);
    return QGC_OK;
}

/* Clip: min(max(x, lo), hi), an absent bound is no bound (ONNX Clip-13). */
qgc_status qgc_eval_clip(const qgc_node *n, const qgc_tensor *const *in,
                         qgc_tensor *const *out, qgc_diag *d) {
    const qgc_tensor *x = in[0];
    qgc_dtype t = x->type.dtype;
    int64_t count = qgc_tensor_numel(x);
    char lbl[160];
    for (int k = 1; k < n->n_in && k < 3; k++)
        if (in[k] && (qgc_tensor_numel(in[k]) != 1 || in[k]->type.dtype != t))
            return qgc_fail(d, QGC_ERR_INVALID, "%s: %s must be a scalar of the input's dtype",
                            qgc_node_label(n, lbl, sizeof lbl), k == 1 ? "min" : "max");
    const qgc_tensor *lo = n->n_in > 1 ? in[1] : NULL, *hi = n->n_in > 2 ? in[2] : NULL;
    if (t == QGC_F32) {
        float l = lo ? *(const float *)lo->data : -INFINITY;
        float h = hi ? *(const float *)hi->data : INFINITY;
        const float *s = x->data;
        float *o = out[0]->data;
        for (int64_t i = 0; i < count; i++) {
            float v = s[i] < l ? l : s[i];
            o[i] = v > h ? h : v;
        }
    } else if (qgc_dtype_is_float(t)) {
        double l = lo ? qgc_load_f64(t, lo->data, 0) : -INFINITY;
        double h = hi ? qgc_load_f64(t, hi->data, 0) : INFINITY;
        for (int64_t i = 0; i < count; i++) {
            double v = qgc_load_f64(t, x->data, i);
            v = v < l ? l : v;
            qgc_store_f64(t, out[0]->data, i, v > h ? h : v);
        }
    } else {
        /* compare as unsigned for unsigned dtypes, so u64 above 2^63 orders right */
        uint64_t flip = qgc_dtype_is_signed(t) ? UINT64_C(1) << 63 : 0;
        uint64_t l = lo ? (uint64_t)qgc_load_i64(t, lo->data, 0) ^ flip : 0;
        uint64_t h = hi ? (uint64_t)qgc_load_i64(t, hi->data, 0) ^ flip : UINT64_MAX;
        for (int64_t i = 0; i < count; i++) {
            uint64_t v = (uint64_t)qgc_load_i64(t, x->data, i) ^ flip;
            v = v < l ? l : v;
            qgc_store_i64(t, out[0]->data, i, (int64_t)((v > h ? h : v) ^ flip));
        }
    }
    return QGC_OK;
}

/* ---- shape rules ---------------------------------------------------------- */

qgc_status qgc_infer_unary(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                           qgc_diag *d) {
    char lbl[160];
    if (in[0]->type.dtype == QGC_STRING)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: string tensors are not supported",
                        qgc_node_label(n, lbl, sizeof lbl));
    out[0] = in[0]->type;
    return QGC_OK;
}

qgc_status qgc_infer_unary_bool(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                                qgc_diag *d) {
    qgc_status st = qgc_infer_unary(n, in, out, d);
    out[0].dtype = QGC_BOOL;
    return st;
}
