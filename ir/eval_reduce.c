/* ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
 * ReduceL2, ReduceLogSum, ReduceLogSumExp, ReduceSumSquare (ONNX opset-18
 * form: axes as optional input 1, keepdims, noop_with_empty_axes).
 *
 * The input is walked once in memory order; after merging neighbouring dims
 * that are all reduced or all kept, every row of the innermost dim either
 * folds into one accumulator or adds element-wise onto a contiguous row of
 * accumulators, so both cases are tight loops. Floats accumulate in double;
 * integer sums, products, extrema and L1 accumulate in 64-bit integers
 * (wrapping like the target type), the others in double. An empty reduction
 * gives the identity of the op: 0 for sums, 1 for products, the lowest
 * value for max (-inf for floats), the highest for min. */
#include <math.h>
#include <stdlib.h>

#include "ops.h"

/* Which dims are reduced. *known is false when the axes input has no value
 * yet (static inference); *noop when empty axes mean "do nothing". */
static qgc_status reduce_dims(const qgc_node *n, const qgc_tensor *const *in, int rank,
                              bool *red, bool *known, bool *noop, qgc_diag *d) {
    const qgc_tensor *axes = n->n_in > 1 ? in[1] : NULL;
    char lbl[160];
    *known = true;
    *noop = false;
    if (axes && !axes->data) {
        *known = false;
        return QGC_OK;
    }
    int64_t ax[QGC_MAX_RANK];
    int count = 0;
    if (axes && qgc_type_numel(&axes->type) != 0) {
        count = qgc_tensor_read_ints(axes, ax, QGC_MAX_RANK);
        if (count < 0)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: axes must be at most %d i32/i64 values",
                            qgc_node_label(n, lbl, sizeof lbl), QGC_MAX_RANK);
    }
    if (count == 0 && qgc_attr_int(n, "noop_with_empty_axes", 0)) {
        *noop = true;
        return QGC_OK;
    }
    if (rank < 0) return QGC_OK;
    for (int i = 0; i < rank; i++) red[i] = count == 0;
    for (int k = 0; k < count; k++) {
        int a;
        if (!qgc_norm_axis(ax[k], rank, &a) || red[a])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range or repeated",
                            qgc_node_label(n, lbl, sizeof lbl), (long long)ax[k]);
        red[a] = true;
    }
    return QGC_OK;
}

qgc_status qgc_infer_reduce(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    bool red[QGC_MAX_RANK], known, noop, keep = qgc_attr_int(n, "keepdims", 1) != 0;
    qgc_status st = reduce_dims(n, in, x->rank, red, &known, &noop, d);
    if (st != QGC_OK) return st;
    out[0] = *x;
    if (noop) return QGC_OK;
    if (x->rank < 0 || (!known && !keep)) {
        out[0].rank = -1;
        return QGC_OK;
    }
    int r = 0;
    for (int i = 0; i < x->rank; i++) {
        if (known && !red[i]) {
            out[0].dims[r] = x->dims[i];
            out[0].sym[r++] = x->sym[i];
        } else if (keep) { /* reduced to 1, or unknown whether reduced */
            out[0].dims[r] = known ? 1 : -1;
            out[0].sym[r++] = NULL;
        }
    }
    out[0].rank = r;
    return QGC_OK;
}

/* ---- evaluation ----------------------------------------------------------- */

typedef enum { K_SUM, K_SQUARE, K_ABS, K_EXP, K_PROD, K_MAX, K_MIN } acc_kind;

typedef struct {
    acc_kind kind;
    qgc_dtype t;
    const void *x;
    double *acc;        /* float domain */
    uint64_t *iacc;     /* integer domain: bit patterns, ordered with `flip` */
    uint64_t flip;      /* sign bit for signed dtypes, so unsigned compare orders them */
    const double *shift; /* K_EXP: per-output max subtracted before exp */
} reduce_ctx;

/* Folds n values v (at x[i]) into the accumulators a: one accumulator for
 * the whole row (os 0, kept in a register) or one per element (os 1).
 * Instantiated for float and double inputs; other dtypes are widened to
 * double chunk by chunk. */
#define FOLD(EXPR)                                                                        \
    if (os == 0) {                                                                        \
        double a = acc[0];                                                                \
        for (int64_t i = 0; i < n; i++) {                                                 \
            double v = x[i];                                                              \
            a = (EXPR);                                                                   \
        }                                                                                 \
        acc[0] = a;                                                                       \
    } else {                                                                              \
        for (int64_t i = 0; i < n; i++) {                                                 \
            double a = acc[i], v = x[i];                                                  \
            acc[i] = (EXPR);                                                              \
        }                                                                                 \
    }                                                                                     \
    break
#define DEFINE_FOLD(NAME, T)                                                              \
    static void NAME(acc_kind k, const T *x, int64_t n, double *acc, int64_t os,          \
                     const double *shift) {                                               \
        switch (k) {                                                                      \
        case K_SUM: FOLD(a + v);                                                          \
        case K_SQUARE: FOLD(a + v * v);                                                   \
        case K_ABS: FOLD(a + fabs(v));                                                    \
        case K_EXP: FOLD(a + exp(v - shift[i * os]));                                     \
        case K_PROD: FOLD(a * v);                                                         \
        case K_MAX: FOLD(v > a || v != v ? v : a);                                        \
        case K_MIN: FOLD(v < a || v != v ? v : a);                                        \
        }                                                                                 \
    }
DEFINE_FOLD(fold_f32, float)
DEFINE_FOLD(fold_f64, double)

enum { CHUNK = 512 };

static void float_row(const reduce_ctx *c, int64_t off, int64_t n, int64_t ao, int64_t os) {
    const double *shift = c->shift ? c->shift + ao : NULL;
    if (c->t == QGC_F32) {
        fold_f32(c->kind, (const float *)c->x + off, n, c->acc + ao, os, shift);
    } else if (c->t == QGC_F64) {
        fold_f64(c->kind, (const double *)c->x + off, n, c->acc + ao, os, shift);
    } else {
        double buf[CHUNK];
        for (int64_t i0 = 0; i0 < n; i0 += CHUNK) {
            int64_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
            for (int64_t i = 0; i < m; i++) buf[i] = qgc_load_f64(c->t, c->x, off + i0 + i);
            fold_f64(c->kind, buf, m, c->acc + ao + i0 * os, os, shift ? shift + i0 * os : NULL);
        }
    }
}

static void int_row(const reduce_ctx *c, int64_t off, int64_t n, int64_t ao, int64_t os) {
    bool is_signed = c->flip != 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = (uint64_t)qgc_load_i64(c->t, c->x, off + i), *a = &c->iacc[ao + i * os];
        switch (c->kind) {
        case K_ABS: *a += is_signed && (int64_t)v < 0 ? 0 - v : v; break;
        case K_SQUARE: *a += v * v; break;
        case K_PROD: *a *= v; break;
        case K_MAX: if ((v ^ c->flip) > (*a ^ c->flip)) *a = v; break;
        case K_MIN: if ((v ^ c->flip) < (*a ^ c->flip)) *a = v; break;
        default: *a += v; break;
        }
    }
}

/* The input's dims with size-1 dims dropped and runs of reduced (or kept)
 * dims merged; ostr: the output stride of each kept dim, 0 for reduced. */
typedef struct {
    int m;
    int64_t dims[QGC_MAX_RANK], ostr[QGC_MAX_RANK];
    bool red[QGC_MAX_RANK];
} reduce_layout;

static void make_layout(const qgc_type *x, const bool *red, reduce_layout *L) {
    L->m = 0;
    for (int i = 0; i < x->rank; i++) {
        if (x->dims[i] == 1) continue;
        if (L->m > 0 && L->red[L->m - 1] == red[i]) {
            L->dims[L->m - 1] *= x->dims[i];
            continue;
        }
        L->dims[L->m] = x->dims[i];
        L->red[L->m++] = red[i];
    }
    if (L->m == 0) {
        L->m = 1;
        L->dims[0] = 1;
        L->red[0] = false;
    }
    int64_t s = 1;
    for (int i = L->m - 1; i >= 0; i--) {
        L->ostr[i] = L->red[i] ? 0 : s;
        if (!L->red[i]) s *= L->dims[i];
    }
}

static void walk(const reduce_layout *L, int64_t numel, const reduce_ctx *c, bool ints) {
    int last = L->m - 1;
    int64_t row = L->dims[last], idx[QGC_MAX_RANK] = {0}, ao = 0;
    for (int64_t off = 0; off < numel; off += row) {
        if (ints) int_row(c, off, row, ao, L->ostr[last]);
        else float_row(c, off, row, ao, L->ostr[last]);
        for (int i = last - 1; i >= 0; i--) {
            ao += L->ostr[i];
            if (++idx[i] < L->dims[i]) break;
            ao -= L->ostr[i] * L->dims[i];
            idx[i] = 0;
        }
    }
}

static acc_kind kind_of(qgc_op op) {
    switch (op) {
    case QGC_OP_REDUCE_MAX: return K_MAX;
    case QGC_OP_REDUCE_MIN: return K_MIN;
    case QGC_OP_REDUCE_PROD: return K_PROD;
    case QGC_OP_REDUCE_L1: return K_ABS;
    case QGC_OP_REDUCE_L2: case QGC_OP_REDUCE_SUM_SQUARE: return K_SQUARE;
    case QGC_OP_REDUCE_LOG_SUM_EXP: return K_EXP;
    default: return K_SUM;
    }
}

/* Lowest (want_max) or highest value of an integer dtype, as a bit pattern. */
static uint64_t int_bound(qgc_dtype t, bool want_max) {
    int bits = qgc_dtype_bits(t) - qgc_dtype_is_signed(t);
    uint64_t top = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    if (want_max) return top;
    return qgc_dtype_is_signed(t) ? ~top : 0;
}

static void init_acc(const reduce_ctx *c, int64_t count) {
    for (int64_t j = 0; j < count; j++) {
        if (c->iacc) {
            c->iacc[j] = c->kind == K_PROD  ? 1
                         : c->kind == K_MAX ? int_bound(c->t, false)
                         : c->kind == K_MIN ? int_bound(c->t, true)
                                            : 0;
        } else {
            c->acc[j] = c->kind == K_PROD  ? 1
                        : c->kind == K_MAX ? -INFINITY
                        : c->kind == K_MIN ? INFINITY
                                           : 0;
        }
    }
}

/* Writes the finished accumulators to the output: mean, sqrt, log. */
static void finish(const qgc_node *n, const reduce_ctx *c, qgc_tensor *y, int64_t count,
                   int64_t per_out) {
    qgc_dtype t = y->type.dtype;
    for (int64_t j = 0; j < count; j++) {
        if (c->iacc) {
            uint64_t v = c->iacc[j];
            if (n->op == QGC_OP_REDUCE_MEAN && per_out > 0)
                v = c->flip ? (uint64_t)((int64_t)v / per_out) : v / (uint64_t)per_out;
            qgc_store_i64(t, y->data, j, (int64_t)v);
            continue;
        }
        double v = c->acc[j];
        switch (n->op) {
        case QGC_OP_REDUCE_MEAN: v /= (double)per_out; break;
        case QGC_OP_REDUCE_L2: v = sqrt(v); break;
        case QGC_OP_REDUCE_LOG_SUM: v = log(v); break;
        case QGC_OP_REDUCE_LOG_SUM_EXP: v = log(v) + c->shift[j]; break;
        default: break;
        }
        if (t == QGC_F32) ((float *)y->data)[j] = (float)v;
        else qgc_store_f64(t, y->data, j, v);
    }
}

qgc_status qgc_eval_reduce(const qgc_node *n, const qgc_tensor *const *in,
                           qgc_tensor *const *out, qgc_diag *d) {
    const qgc_tensor *x = in[0];
    qgc_tensor *y = out[0];
    bool red[QGC_MAX_RANK], known, noop;
    qgc_status st = reduce_dims(n, in, x->type.rank, red, &known, &noop, d);
    if (st != QGC_OK) return st;
    if (noop) return qgc_eval_identity(n, in, out, d);
    qgc_dtype t = x->type.dtype;
    int64_t numel = qgc_tensor_numel(x), count = qgc_tensor_numel(y), per_out = 1;
    for (int i = 0; i < x->type.rank; i++)
        if (red[i]) per_out *= x->type.dims[i];
    reduce_ctx c = {.kind = kind_of(n->op), .t = t, .x = x->data};
    bool ints = (qgc_dtype_is_int(t) || t == QGC_BOOL) && n->op != QGC_OP_REDUCE_L2 &&
                n->op != QGC_OP_REDUCE_LOG_SUM && n->op != QGC_OP_REDUCE_LOG_SUM_EXP;
    if (ints) c.flip = qgc_dtype_is_signed(t) ? UINT64_C(1) << 63 : 0;
    size_t esz = ints ? sizeof *c.iacc : sizeof *c.acc;
    void *acc = malloc((size_t)(count ? count : 1) * esz);
    double *shift = c.kind == K_EXP ? malloc((size_t)(count ? count : 1) * sizeof *shift) : NULL;
    if (!acc || (c.kind == K_EXP && !shift)) {
        free(acc);
        free(shift);
        char lbl[160];
        return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_node_label(n, lbl, sizeof lbl));
    }
    if (ints) c.iacc = acc;
    else c.acc = acc;
    reduce_layout L;
    make_layout(&x->type, red, &L);
    if (shift) { /* log-sum-exp = m + log(sum(exp(x - m))), m = max, for stability */
        reduce_ctx mc = c;
        mc.kind = K_MAX;
        mc.acc = shift;
        init_acc(&mc, count);
        walk(&L, numel, &mc, false);
        for (int64_t j = 0; j < count; j++)
            if (isinf(shift[j])) shift[j] = 0; /* all -inf, or +inf present: no shift */
        c.shift = shift;
    }
    init_acc(&c, count);
    walk(&L, numel, &c, ints);
    finish(n, &c, y, count, per_out);
    free(acc);
    free(shift);
    return QGC_OK;
}

/* ---- ArgMax / ArgMin (axis, keepdims, select_last_index; i64 result) ------ */

static qgc_status arg_axis(const qgc_node *n, int rank, int *axis, qgc_diag *d) {
    char lbl[160];
    int64_t a = qgc_attr_int(n, "axis", 0);
    if (!qgc_norm_axis(a, rank, axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range for rank %d",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)a, rank);
    return QGC_OK;
}

qgc_status qgc_infer_arg(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                         qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    out[0] = *x;
    out[0].dtype = QGC_I64;
    if (x->rank < 0) return QGC_OK;
    int axis;
    qgc_status st = arg_axis(n, x->rank, &axis, d);
    if (st != QGC_OK) return st;
    if (qgc_attr_int(n, "keepdims", 1)) {
        out[0].dims[axis] = 1;
        out[0].sym[axis] = NULL;
        return QGC_OK;
    }
    for (int i = axis; i + 1 < x->rank; i++) {
        out[0].dims[i] = x->dims[i + 1];
        out[0].sym[i] = x->sym[i + 1];
    }
    out[0].rank = x->rank - 1;
    return QGC_OK;
}

/* For every (outer, inner) pair, the index along the axis of the first (or,
 * with `last`, the last) extreme value. KEY(i) reads element i as a value
 * whose < and > order the dtype's values. */
#define DEFINE_ARG_SCAN(NAME, T, KEY)                                                     \
    static void NAME(const void *x, qgc_dtype t, int64_t outer, int64_t len, int64_t inner, \
                     bool is_max, bool last, int64_t *out) {                              \
        (void)t;                                                                          \
        for (int64_t o = 0; o < outer; o++)                                               \
            for (int64_t j = 0; j < inner; j++) {                                         \
                int64_t base = o * len * inner + j, best = 0;                             \
                T bv = KEY(base);                                                         \
                for (int64_t k = 1; k < len; k++) {                                       \
                    T v = KEY(base + k * inner);                                          \
                    if (is_max ? (v > bv || (last && v == bv)) : (v < bv || (last && v == bv))) { \
                        bv = v;                                                           \
                        best = k;                                                         \
                    }                                                                     \
                }                                                                         \
                out[o * inner + j] = best;                                                \
            }                                                                             \
    }
#define KEY_F32(i) (((const float *)x)[i])
#define KEY_F64(i) qgc_load_f64(t, x, i)
#define KEY_S64(i) qgc_load_i64(t, x, i)
#define KEY_U64(i) ((uint64_t)qgc_load_i64(t, x, i))
DEFINE_ARG_SCAN(arg_f32, float, KEY_F32)
DEFINE_ARG_SCAN(arg_f64, double, KEY_F64)
DEFINE_ARG_SCAN(arg_s64, int64_t, KEY_S64)
DEFINE_ARG_SCAN(arg_u64, uint64_t, KEY_U64)

qgc_status qgc_eval_arg(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                        qgc_diag *d) {
    const qgc_tensor *x = in[0];
    int axis;
    qgc_status st = arg_axis(n, x->type.rank, &axis, d);
    if (st != QGC_OK) return st;
    int64_t outer = 1, inner = 1, len = x->type.dims[axis];
    for (int i = 0; i < axis; i++) outer *= x->type.dims[i];
    for (int i = axis + 1; i < x->type.rank; i++) inner *= x->type.dims[i];
    if (len == 0 && outer * inner > 0) {
        char lbl[160];
        return qgc_fail(d, QGC_ERR_INVALID, "%s: cannot take the arg%s of an empty axis",
                        qgc_node_label(n, lbl, sizeof lbl), n->op == QGC_OP_ARGMAX ? "max" : "min");
    }
    bool is_max = n->op == QGC_OP_ARGMAX, last = qgc_attr_int(n, "select_last_index", 0) != 0;
    qgc_dtype t = x->type.dtype;
    if (len == 0) return QGC_OK;
    if (t == QGC_F32) arg_f32(x->data, t, outer, len, inner, is_max, last, out[0]->data);
    else if (qgc_dtype_is_float(t)) arg_f64(x->data, t, outer, len, inner, is_max, last, out[0]->data);
    else if (qgc_dtype_is_signed(t)) arg_s64(x->data, t, outer, len, inner, is_max, last, out[0]->data);
    else arg_u64(x->data, t, outer, len, inner, is_max, last, out[0]->data);
    return QGC_OK;
}
