/* Binary element-wise ops with numpy broadcasting (ONNX Add, Sub, Mul, Div,
 * Pow, Mod, BitShift, And, Or, Xor, Equal, Less(OrEqual), Greater(OrEqual),
 * PRelu), and the max/min steps of the variadic ops.
 *
 * f32 operands take tight typed loops; every other dtype is computed in one of
 * three domains chosen from the operand dtypes: double (any float operand),
 * int64 (signed integers) or uint64 (unsigned integers and bool). Integer
 * results wrap modulo 2^bits as two's complement does, computed in unsigned
 * arithmetic so that no input reaches C's undefined signed overflow. */
#include <math.h>
#include <string.h>

#include "broadcast.h"
#include "ops.h"

typedef struct {
    qgc_op op;
    bool fmod;       /* Mod: C fmod (1) or Python's sign-of-divisor % (0) */
    bool shift_left; /* BitShift direction */
    qgc_dtype ta, tb, to;
    const void *a, *b;
    void *o;
} binary_ctx;

/* ---- f32 ------------------------------------------------------------------ */

static float py_modf(float a, float b) {
    float r = fmodf(a, b);
    return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
}

/* One row of out = EXPR(a, b) on float operands stepping 0 or 1; the four
 * step combinations get their own loop so each one vectorises. */
#define F32_ROW(T, EXPR)                                                                  \
    do {                                                                                  \
        T *o = (T *)c->o + oo;                                                            \
        const float *pa = (const float *)c->a + off[0], *pb = (const float *)c->b + off[1]; \
        if (step[0] && step[1]) {                                                         \
            for (int64_t i = 0; i < n; i++) {                                             \
                float a = pa[i], b = pb[i];                                               \
                o[i] = (EXPR);                                                            \
            }                                                                             \
        } else if (step[1]) {                                                             \
            float a = pa[0];                                                              \
            for (int64_t i = 0; i < n; i++) {                                             \
                float b = pb[i];                                                          \
                o[i] = (EXPR);                                                            \
            }                                                                             \
        } else if (step[0]) {                                                             \
            float b = pb[0];                                                              \
            for (int64_t i = 0; i < n; i++) {                                             \
                float a = pa[i];                                                          \
                o[i] = (EXPR);                                                            \
            }                                                                             \
        } else {                                                                          \
            float a = pa[0], b = pb[0];                                                   \
            T v = (EXPR);                                                                 \
            for (int64_t i = 0; i < n; i++) o[i] = v;                                     \
        }                                                                                 \
    } while (0)

static void f32_row(void *vc, int64_t n, int64_t oo, const int64_t *off, const int64_t *step) {
    const binary_ctx *c = vc;
    switch (c->op) {
    case QGC_OP_ADD: F32_ROW(float, a + b); break;
    case QGC_OP_SUB: F32_ROW(float, a - b); break;
    case QGC_OP_MUL: F32_ROW(float, a * b); break;
    case QGC_OP_DIV: F32_ROW(float, a / b); break;
    case QGC_OP_POW: F32_ROW(float, powf(a, b)); break;
    case QGC_OP_MOD:
        if (c->fmod) F32_ROW(float, fmodf(a, b));
        else F32_ROW(float, py_modf(a, b));
        break;
    case QGC_OP_PRELU: F32_ROW(float, a < 0 ? a * b : a); break;
    /* NaN propagates, as numpy's maximum/minimum do */
    case QGC_OP_MAX: F32_ROW(float, a > b || a != a ? a : b); break;
    case QGC_OP_MIN: F32_ROW(float, a < b || a != a ? a : b); break;
    case QGC_OP_EQUAL: F32_ROW(uint8_t, a == b); break;
    case QGC_OP_LESS: F32_ROW(uint8_t, a < b); break;
    case QGC_OP_LESS_EQUAL: F32_ROW(uint8_t, a <= b); break;
    case QGC_OP_GREATER: F32_ROW(uint8_t, a > b); break;
    case QGC_OP_GREATER_EQUAL: F32_ROW(uint8_t, a >= b); break;
    default: break; /* binary_run sends no other op here */
    }
}

static bool is_compare(qgc_op op) {
    return op == QGC_OP_EQUAL || op == QGC_OP_LESS || op == QGC_OP_LESS_EQUAL ||
           op == QGC_OP_GREATER || op == QGC_OP_GREATER_EQUAL;
}

/* The ops f32_row has loops for, given the dtype of their result. */
static bool f32_row_fits(qgc_op op, qgc_dtype to) {
    if (is_compare(op)) return to == QGC_BOOL;
    switch (op) {
    case QGC_OP_ADD: case QGC_OP_SUB: case QGC_OP_MUL: case QGC_OP_DIV: case QGC_OP_POW:
    case QGC_OP_MOD: case QGC_OP_PRELU: case QGC_OP_MAX: case QGC_OP_MIN:
        return to == QGC_F32;
    default:
        return false;
    }
}

/* ---- generic dtypes: one scalar function per domain ----------------------- */

static double f64_op(const binary_ctx *c, double a, double b) {
    switch (c->op) {
    case QGC_OP_ADD: return a + b;
    case QGC_OP_SUB: return a - b;
    case QGC_OP_MUL: return a * b;
    case QGC_OP_DIV: return a / b;
    case QGC_OP_POW: return pow(a, b);
    case QGC_OP_MOD: {
        double r = fmod(a, b);
        return !c->fmod && r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    }
    case QGC_OP_PRELU: return a < 0 ? a * b : a;
    case QGC_OP_MAX: return a > b || a != a ? a : b;
    case QGC_OP_MIN: return a < b || a != a ? a : b;
    case QGC_OP_AND: return a != 0 && b != 0;
    case QGC_OP_OR: return a != 0 || b != 0;
    case QGC_OP_XOR: return (a != 0) != (b != 0);
    case QGC_OP_EQUAL: return a == b;
    case QGC_OP_LESS: return a < b;
    case QGC_OP_LESS_EQUAL: return a <= b;
    case QGC_OP_GREATER: return a > b;
    case QGC_OP_GREATER_EQUAL: return a >= b;
    default: return 0; /* BitShift on floats is refused by the shape rule */
    }
}

/* Integer power by squaring; wraps modulo 2^64 like repeated multiplication. */
static uint64_t upow(uint64_t base, uint64_t e) {
    uint64_t r = 1;
    for (; e; e >>= 1, base *= base)
        if (e & 1) r *= base;
    return r;
}

/* Operations whose result bits are the same for signed and unsigned operands. */
static bool wrap_op(const binary_ctx *c, uint64_t a, uint64_t b, uint64_t *r) {
    switch (c->op) {
    case QGC_OP_ADD: *r = a + b; return true;
    case QGC_OP_SUB: *r = a - b; return true;
    case QGC_OP_MUL: *r = a * b; return true;
    case QGC_OP_AND: *r = a != 0 && b != 0; return true;
    case QGC_OP_OR: *r = a != 0 || b != 0; return true;
    case QGC_OP_XOR: *r = (a != 0) != (b != 0); return true;
    case QGC_OP_EQUAL: *r = a == b; return true;
    case QGC_OP_BITSHIFT: *r = b >= 64 ? 0 : c->shift_left ? a << b : a >> b; return true;
    default: return false;
    }
}

static int64_t s64_op(const binary_ctx *c, int64_t a, int64_t b) {
    uint64_t w;
    if (wrap_op(c, (uint64_t)a, (uint64_t)b, &w)) return (int64_t)w;
    switch (c->op) {
    /* x/0 and x%0 give 0 as numpy does; INT_MIN/-1 wraps */
    case QGC_OP_DIV: return b == 0 ? 0 : b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b;
    case QGC_OP_MOD: {
        if (b == 0 || b == -1) return 0;
        int64_t r = a % b;
        return !c->fmod && r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    }
    case QGC_OP_POW:
        if (b >= 0) return (int64_t)upow((uint64_t)a, (uint64_t)b);
        return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : 0; /* 1/a^|b| truncated */
    case QGC_OP_PRELU: return a < 0 ? (int64_t)((uint64_t)a * (uint64_t)b) : a;
    case QGC_OP_MAX: return a > b ? a : b;
    case QGC_OP_MIN: return a < b ? a : b;
    case QGC_OP_LESS: return a < b;
    case QGC_OP_LESS_EQUAL: return a <= b;
    case QGC_OP_GREATER: return a > b;
    case QGC_OP_GREATER_EQUAL: return a >= b;
    default: return 0;
    }
}

static uint64_t u64_op(const binary_ctx *c, uint64_t a, uint64_t b) {
    uint64_t w;
    if (wrap_op(c, a, b, &w)) return w;
    switch (c->op) {
    case QGC_OP_DIV: return b == 0 ? 0 : a / b;
    case QGC_OP_MOD: return b == 0 ? 0 : a % b;
    case QGC_OP_POW: return upow(a, b);
    case QGC_OP_PRELU: return a;
    case QGC_OP_MAX: return a > b ? a : b;
    case QGC_OP_MIN: return a < b ? a : b;
    case QGC_OP_LESS: return a < b;
    case QGC_OP_LESS_EQUAL: return a <= b;
    case QGC_OP_GREATER: return a > b;
    case QGC_OP_GREATER_EQUAL: return a >= b;
    default: return 0;
    }
}

#define GENERIC_ROW(NAME, BODY)                                                             \
    static void NAME(void *vc, int64_t n, int64_t oo, const int64_t *off, const int64_t *step) { \
        const binary_ctx *c = vc;                                                           \
        for (int64_t i = 0; i < n; i++) {                                                   \
            int64_t ia = off[0] + i * step[0], ib = off[1] + i * step[1];                   \
            BODY;                                                                           \
        }                                                                                   \
    }

GENERIC_ROW(f64_row, qgc_store_f64(c->to, c->o, oo + i,
                                   f64_op(c, qgc_load_f64(c->ta, c->a, ia),
                                          qgc_load_f64(c->tb, c->b, ib))))
GENERIC_ROW(s64_row, qgc_store_i64(c->to, c->o, oo + i,
                                   s64_op(c, qgc_load_i64(c->ta, c->a, ia),
                                          qgc_load_i64(c->tb, c->b, ib))))
/* u64 values travel through qgc_load_i64/qgc_store_i64 as their bit pattern */
GENERIC_ROW(u64_row, qgc_store_i64(c->to, c->o, oo + i,
                                   (int64_t)u64_op(c, (uint64_t)qgc_load_i64(c->ta, c->a, ia),
                                                   (uint64_t)qgc_load_i64(c->tb, c->b, ib))))

qgc_status qgc_binary_run(const qgc_node *n, qgc_op op, const qgc_tensor *a, const qgc_tensor *b,
                          qgc_tensor *out, qgc_diag *d) {
    binary_ctx c = {.op = op, .ta = a->type.dtype, .tb = b->type.dtype, .to = out->type.dtype,
                    .a = a->data, .b = b->data, .o = out->data};
    char lbl[160];
    if (c.ta == QGC_STRING || c.tb == QGC_STRING || c.to == QGC_STRING)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: string tensors are not supported",
                        qgc_node_label(n, lbl, sizeof lbl));
    if (op == QGC_OP_MOD) c.fmod = qgc_attr_int(n, "fmod", 0) != 0;
    if (op == QGC_OP_BITSHIFT) {
        const char *dir = qgc_attr_string(n, "direction", "");
        c.shift_left = strcmp(dir, "LEFT") == 0;
        if (!c.shift_left && strcmp(dir, "RIGHT") != 0)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: direction must be LEFT or RIGHT, not '%s'",
                            qgc_node_label(n, lbl, sizeof lbl), dir);
    }
    qgc_bcast_row_fn row;
    if (c.ta == QGC_F32 && c.tb == QGC_F32 && f32_row_fits(op, c.to))
        row = f32_row;
    else if (qgc_dtype_is_float(c.ta) || qgc_dtype_is_float(c.tb))
        row = f64_row;
    else if (qgc_dtype_is_signed(c.ta))
        row = s64_row;
    else
        row = u64_row;
    qgc_bcast bc;
    const qgc_type *types[2] = {&a->type, &b->type};
    qgc_bcast_init(&bc, &out->type, 2, types);
    qgc_bcast_run(&bc, row, &c);
    return QGC_OK;
}

qgc_status qgc_eval_binary(const qgc_node *n, const qgc_tensor *const *in,
                           qgc_tensor *const *out, qgc_diag *d) {
    return qgc_binary_run(n, n->op, in[0], in[1], out[0], d);
}
