/* Element-wise, reduction and softmax ops of the reference interpreter, each
 * run as a one-node graph through its shape rule and eval function.
 * Expected values are hand-computed or taken from the ONNX operator spec's
 * examples (numpy semantics). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ops.h"

#define MAX_IN 4

typedef struct {
    qgc_graph *g;
    qgc_node *n;
    qgc_tensor *in[MAX_IN];
    qgc_tensor *out;
    qgc_diag diag;
} op_case;

static qgc_tensor *tensor(qgc_dtype t, int rank, const int64_t *dims, const void *data) {
    qgc_type ty = {.dtype = t, .rank = rank};
    for (int i = 0; i < rank; i++) ty.dims[i] = dims[i];
    qgc_tensor *x;
    assert_int_equal(qgc_tensor_new(&ty, &x, NULL), QGC_OK);
    if (data) memcpy(x->data, data, x->nbytes);
    return x;
}

static qgc_tensor *f32s(int rank, const int64_t *dims, const float *v) {
    return tensor(QGC_F32, rank, dims, v);
}

/* A node of op over the given inputs (NULL: absent), not run yet. */
static void setup_case(op_case *c, qgc_op op, int n_in, qgc_tensor *const *in) {
    memset(c, 0, sizeof *c);
    c->g = qgc_graph_new("t");
    assert_non_null(c->g);
    qgc_value *v[MAX_IN] = {0};
    for (int k = 0; k < n_in; k++) {
        c->in[k] = in[k];
        if (in[k]) v[k] = qgc_value_new(c->g, NULL, &in[k]->type);
    }
    c->n = qgc_node_new(c->g, op, "n0", n_in, v, 1);
    assert_non_null(c->n);
}

static qgc_status run_case(op_case *c) {
    qgc_type t;
    memset(&t, 0, sizeof t);
    qgc_status st = qgc_ops[c->n->op].infer(c->n, (const qgc_tensor *const *)c->in, &t, &c->diag);
    if (st != QGC_OK) return st;
    st = qgc_tensor_new(&t, &c->out, &c->diag);
    if (st != QGC_OK) return st;
    return qgc_ops[c->n->op].eval(c->n, (const qgc_tensor *const *)c->in, &c->out, &c->diag);
}

static void free_case(op_case *c) {
    for (int k = 0; k < MAX_IN; k++) qgc_tensor_free(c->in[k]);
    qgc_tensor_free(c->out);
    qgc_graph_free(c->g);
}

static void check_shape(const qgc_tensor *t, qgc_dtype dt, int rank, const int64_t *dims) {
    assert_int_equal(t->type.dtype, dt);
    assert_int_equal(t->type.rank, rank);
    for (int i = 0; i < rank; i++) assert_int_equal(t->type.dims[i], dims[i]);
}

static void check_f32(const qgc_tensor *t, const float *want, int n, float tol) {
    assert_int_equal(qgc_tensor_numel(t), n);
    for (int i = 0; i < n; i++) {
        float got = ((const float *)t->data)[i];
        if (isnan(want[i])) assert_true(isnan(got));
        else if (isinf(want[i])) assert_true(got == want[i]);
        else if (fabsf(got - want[i]) > tol) fail_msg("element %d: got %.9g, want %.9g", i, got, want[i]);
    }
}

static void check_i64(const qgc_tensor *t, const int64_t *want, int n) {
    assert_int_equal(qgc_tensor_numel(t), n);
    for (int i = 0; i < n; i++)
        if (qgc_load_i64(t->type.dtype, t->data, i) != want[i])
            fail_msg("element %d: got %lld, want %lld", i,
                     (long long)qgc_load_i64(t->type.dtype, t->data, i), (long long)want[i]);
}

/* Runs a one-input f32 op (attributes set by the caller through c) and checks it. */
static void unary_f32(qgc_op op, void (*attrs)(op_case *), const float *x, const float *want,
                      int n) {
    op_case c;
    int64_t d[1] = {n};
    qgc_tensor *in[1] = {f32s(1, d, x)};
    setup_case(&c, op, 1, in);
    if (attrs) attrs(&c);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, want, n, 1e-6f);
    free_case(&c);
}

/* ---- binary and broadcasting ---------------------------------------------- */

static void test_add_broadcast(void **state) {
    (void)state;
    op_case c;
    float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {10, 20, 30}, col[2] = {100, 200};
    int64_t da[2] = {2, 3}, db[1] = {3}, dc[2] = {2, 1}, drow[2] = {1, 3};
    qgc_tensor *in[2] = {f32s(2, da, a), f32s(1, db, b)};
    setup_case(&c, QGC_OP_ADD, 2, in);
    assert_int_equal(run_case(&c), QGC_OK);
    check_shape(c.out, QGC_F32, 2, da);
    check_f32(c.out, (float[]){11, 22, 33, 14, 25, 36}, 6, 0);
    free_case(&c);

    /* [1,3] + [2,1]: both operands broadcast */
    qgc_tensor *in2[2] = {f32s(2, drow, b), f32s(2, dc, col)};
    setup_case(&c, QGC_OP_SUB, 2, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_shape(c.out, QGC_F32, 2, da);
    check_f32(c.out, (float[]){-90, -80, -70, -190, -180, -170}, 6, 0);
    free_case(&c);

    /* a generic dtype with a scalar operand */
    double x[3] = {1.5, -2, 4}, s = 2;
    int64_t d3[1] = {3};
    qgc_tensor *in3[2] = {tensor(QGC_F64, 1, d3, x), tensor(QGC_F64, 0, NULL, &s)};
    setup_case(&c, QGC_OP_MUL, 2, in3);
    assert_int_equal(run_case(&c), QGC_OK);
    const double *o = c.out->data;
    assert_true(o[0] == 3 && o[1] == -4 && o[2] == 8);
    free_case(&c);
}

static void test_broadcast_mismatch_names_node(void **state) {
    (void)state;
    op_case c;
    int64_t da[1] = {3}, db[1] = {4};
    qgc_tensor *in[2] = {f32s(1, da, NULL), f32s(1, db, NULL)};
    setup_case(&c, QGC_OP_ADD, 2, in);
    assert_int_equal(run_case(&c), QGC_ERR_INVALID);
    assert_non_null(strstr(c.diag.msg, "node 'n0' (add)"));
    free_case(&c);
}

static void test_int64_exact_and_wrapping(void **state) {
    (void)state;
    op_case c;
    int64_t a[3] = {(INT64_C(1) << 53) + 1, INT64_MAX, INT64_MIN}, b[3] = {2, 1, -1};
    int64_t d[1] = {3};
    qgc_tensor *in[2] = {tensor(QGC_I64, 1, d, a), tensor(QGC_I64, 1, d, b)};
    setup_case(&c, QGC_OP_ADD, 2, in);
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){(INT64_C(1) << 53) + 3, INT64_MIN, INT64_MAX}, 3);
    free_case(&c);

    /* INT64_MIN / -1 wraps instead of trapping */
    qgc_tensor *in2[2] = {tensor(QGC_I64, 1, d, a), tensor(QGC_I64, 1, d, b)};
    setup_case(&c, QGC_OP_DIV, 2, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){((INT64_C(1) << 53) + 1) / 2, INT64_MAX, INT64_MIN}, 3);
    free_case(&c);
}

static void test_int_div_mod_signs(void **state) {
    (void)state;
    int32_t a[4] = {-7, 7, -7, 7}, b[4] = {2, -2, -2, 2};
    int64_t d[1] = {4};
    struct {
        qgc_op op;
        int fmod;
        int64_t want[4];
    } cases[] = {
        {QGC_OP_DIV, 0, {-3, -3, 3, 3}},   /* truncation, as C */
        {QGC_OP_MOD, 0, {1, -1, -1, 1}},   /* sign of the divisor, as Python's % */
        {QGC_OP_MOD, 1, {-1, 1, -1, 1}},   /* sign of the dividend, as C fmod */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_case c;
        qgc_tensor *in[2] = {tensor(QGC_I32, 1, d, a), tensor(QGC_I32, 1, d, b)};
        setup_case(&c, cases[i].op, 2, in);
        if (cases[i].fmod) qgc_node_set_int(c.g, c.n, "fmod", 1);
        assert_int_equal(run_case(&c), QGC_OK);
        assert_int_equal(c.out->type.dtype, QGC_I32);
        check_i64(c.out, cases[i].want, 4);
        free_case(&c);
    }
    /* float Mod with fmod=1 (spec example: fmod(-4.3, 2.1) = -0.1) */
    op_case c;
    float fa[2] = {-4.3f, 4.3f}, fb[2] = {2.1f, -2.1f};
    int64_t d2[1] = {2};
    qgc_tensor *in[2] = {f32s(1, d2, fa), f32s(1, d2, fb)};
    setup_case(&c, QGC_OP_MOD, 2, in);
    qgc_node_set_int(c.g, c.n, "fmod", 1);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){-0.1f, 0.1f}, 2, 1e-5f);
    free_case(&c);
}

static void test_pow_mixed_dtypes(void **state) {
    (void)state;
    op_case c;
    int32_t base[3] = {1, 2, 3};
    float fexp[3] = {4, 5, 6};
    int64_t d[1] = {3};
    qgc_tensor *in[2] = {tensor(QGC_I32, 1, d, base), f32s(1, d, fexp)};
    setup_case(&c, QGC_OP_POW, 2, in);
    assert_int_equal(run_case(&c), QGC_OK);
    assert_int_equal(c.out->type.dtype, QGC_I32); /* the base's dtype */
    check_i64(c.out, (int64_t[]){1, 32, 729}, 3);
    free_case(&c);

    float fbase[3] = {1, 2, 3};
    int64_t iexp[3] = {4, 5, 6};
    qgc_tensor *in2[2] = {f32s(1, d, fbase), tensor(QGC_I64, 1, d, iexp)};
    setup_case(&c, QGC_OP_POW, 2, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){1, 32, 729}, 3, 0);
    free_case(&c);
}

static void test_bitshift_u8(void **state) {
    (void)state;
    op_case c;
    uint8_t x[3] = {1, 1, 200}, s[3] = {7, 8, 2};
    int64_t d[1] = {3};
    qgc_tensor *in[2] = {tensor(QGC_U8, 1, d, x), tensor(QGC_U8, 1, d, s)};
    setup_case(&c, QGC_OP_BITSHIFT, 2, in);
    qgc_node_set_string(c.g, c.n, "direction", "LEFT");
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){128, 0, 32}, 3); /* 800 wraps to 32 in u8 */
    free_case(&c);
}

static void test_compare_and_logic(void **state) {
    (void)state;
    op_case c;
    float a[4] = {1, 2, 3, NAN}, b = 2;
    int64_t d[1] = {4};
    qgc_tensor *in[2] = {f32s(1, d, a), f32s(0, NULL, &b)};
    setup_case(&c, QGC_OP_LESS_EQUAL, 2, in);
    assert_int_equal(run_case(&c), QGC_OK);
    assert_int_equal(c.out->type.dtype, QGC_BOOL);
    check_i64(c.out, (int64_t[]){1, 1, 0, 0}, 4);
    free_case(&c);

    uint8_t p[4] = {0, 0, 1, 1}, q[4] = {0, 1, 0, 1};
    qgc_op ops[3] = {QGC_OP_AND, QGC_OP_OR, QGC_OP_XOR};
    int64_t want[3][4] = {{0, 0, 0, 1}, {0, 1, 1, 1}, {0, 1, 1, 0}};
    for (int i = 0; i < 3; i++) {
        qgc_tensor *in2[2] = {tensor(QGC_BOOL, 1, d, p), tensor(QGC_BOOL, 1, d, q)};
        setup_case(&c, ops[i], 2, in2);
        assert_int_equal(run_case(&c), QGC_OK);
        assert_int_equal(c.out->type.dtype, QGC_BOOL);
        check_i64(c.out, want[i], 4);
        free_case(&c);
    }
    qgc_tensor *in3[1] = {tensor(QGC_BOOL, 1, d, p)};
    setup_case(&c, QGC_OP_NOT, 1, in3);
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){1, 1, 0, 0}, 4);
    free_case(&c);

    /* And refuses non-bool operands */
    qgc_tensor *in4[2] = {f32s(1, d, a), f32s(1, d, a)};
    setup_case(&c, QGC_OP_AND, 2, in4);
    assert_int_equal(run_case(&c), QGC_ERR_INVALID);
    free_case(&c);
}

static void test_variadic_and_where(void **state) {
    (void)state;
    op_case c;
    float a[3] = {3, 2, 1}, b[3] = {1, 4, 4}, s = 2;
    float m[6] = {0, 9, 0, 0, 0, 5};
    int64_t d3[1] = {3}, d23[2] = {2, 3};
    qgc_tensor *in[3] = {f32s(1, d3, a), f32s(0, NULL, &s), f32s(2, d23, m)};
    setup_case(&c, QGC_OP_MAX, 3, in);
    assert_int_equal(run_case(&c), QGC_OK);
    check_shape(c.out, QGC_F32, 2, d23);
    check_f32(c.out, (float[]){3, 9, 2, 3, 2, 5}, 6, 0);
    free_case(&c);

    qgc_tensor *in2[3] = {f32s(1, d3, a), f32s(1, d3, b), f32s(0, NULL, &s)};
    setup_case(&c, QGC_OP_MEAN, 3, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){2, 8.0f / 3, 7.0f / 3}, 3, 1e-6f);
    free_case(&c);

    uint8_t cond[2] = {1, 0};
    int64_t d21[2] = {2, 1}, x[3] = {1, 2, 3}, y = -1;
    qgc_tensor *in3[3] = {tensor(QGC_BOOL, 2, d21, cond), tensor(QGC_I64, 1, d3, x),
                          tensor(QGC_I64, 0, NULL, &y)};
    setup_case(&c, QGC_OP_WHERE, 3, in3);
    assert_int_equal(run_case(&c), QGC_OK);
    check_shape(c.out, QGC_I64, 2, d23);
    check_i64(c.out, (int64_t[]){1, 2, 3, -1, -1, -1}, 6);
    free_case(&c);
}

/* ---- unary ---------------------------------------------------------------- */

static void test_round_half_even(void **state) {
    (void)state;
    float x[7] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f, -2.6f};
    unary_f32(QGC_OP_ROUND, NULL, x, (float[]){0, 2, 2, 0, -2, 2, -3}, 7);
}

static void set_isinf_neg_only(op_case *c) { qgc_node_set_int(c->g, c->n, "detect_positive", 0); }

static void test_activations_defaults(void **state) {
    (void)state;
    float x[3] = {-1, 0, 2};
    unary_f32(QGC_OP_RELU, NULL, x, (float[]){0, 0, 2}, 3);
    unary_f32(QGC_OP_LEAKY_RELU, NULL, x, (float[]){-0.01f, 0, 2}, 3);
    /* HardSigmoid alpha=0.2 beta=0.5: -1 -> 0.3, 2 -> 0.9 */
    unary_f32(QGC_OP_HARD_SIGMOID, NULL, x, (float[]){0.3f, 0.5f, 0.9f}, 3);
    /* HardSwish: x * clamp(x/6 + 0.5): -1 -> -1/3, 2 -> 2*5/6 */
    unary_f32(QGC_OP_HARD_SWISH, NULL, x, (float[]){-1.0f / 3, 0, 5.0f / 3}, 3);
    /* Elu alpha=1: exp(-1)-1 */
    unary_f32(QGC_OP_ELU, NULL, x, (float[]){-0.63212056f, 0, 2}, 3);
    /* Selu: gamma*alpha*(exp(-1)-1) = 1.0507010 * 1.6732632 * -0.63212056 */
    unary_f32(QGC_OP_SELU, NULL, x, (float[]){-1.1113307f, 0, 2.1014021f}, 3);
    unary_f32(QGC_OP_THRESHOLDED_RELU, NULL, x, (float[]){0, 0, 2}, 3);
    /* Gelu(x) = x/2 (1 + erf(x/sqrt2)); erf(1/sqrt2) = 0.6826895 */
    unary_f32(QGC_OP_GELU, NULL, x, (float[]){-0.15865526f, 0, 1.9544997f}, 3);
    /* Sigmoid stays finite and exact at the extremes */
    float big[2] = {-100, 100};
    unary_f32(QGC_OP_SIGMOID, NULL, big, (float[]){3.7200760e-44f, 1}, 2);
    float inf[4] = {-INFINITY, INFINITY, NAN, 1};
    unary_f32(QGC_OP_SOFTPLUS, NULL, x, (float[]){0.31326169f, 0.69314718f, 2.1269280f}, 3);
    op_case c;
    int64_t d[1] = {4};
    qgc_tensor *in[1] = {f32s(1, d, inf)};
    setup_case(&c, QGC_OP_IS_INF, 1, in);
    set_isinf_neg_only(&c);
    assert_int_equal(run_case(&c), QGC_OK);
    assert_int_equal(c.out->type.dtype, QGC_BOOL);
    check_i64(c.out, (int64_t[]){1, 0, 0, 0}, 4);
    free_case(&c);
}

static void test_unary_int_exact(void **state) {
    (void)state;
    op_case c;
    int8_t x[4] = {-128, -5, 0, 7};
    int64_t d[1] = {4};
    qgc_tensor *in[1] = {tensor(QGC_I8, 1, d, x)};
    setup_case(&c, QGC_OP_ABS, 1, in);
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){-128, 5, 0, 7}, 4); /* |-128| wraps in i8 */
    free_case(&c);
    qgc_tensor *in2[1] = {tensor(QGC_I8, 1, d, x)};
    setup_case(&c, QGC_OP_SIGN, 1, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){-1, -1, 0, 1}, 4);
    free_case(&c);
}

static void test_clip(void **state) {
    (void)state;
    op_case c;
    float x[3] = {-2, 0, 2}, hi = 1;
    int64_t d[1] = {3};
    qgc_tensor *in[3] = {f32s(1, d, x), NULL, f32s(0, NULL, &hi)}; /* no min */
    setup_case(&c, QGC_OP_CLIP, 3, in);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){-2, 0, 1}, 3, 0);
    free_case(&c);

    int8_t xi[3] = {-128, 3, 127}, lo = -5;
    qgc_tensor *in2[2] = {tensor(QGC_I8, 1, d, xi), tensor(QGC_I8, 0, NULL, &lo)};
    setup_case(&c, QGC_OP_CLIP, 2, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_i64(c.out, (int64_t[]){-5, 3, 127}, 3);
    free_case(&c);
}

/* ---- cast ----------------------------------------------------------------- */

static qgc_tensor *cast(qgc_tensor *x, qgc_dtype to, op_case *c) {
    qgc_tensor *in[1] = {x};
    setup_case(c, QGC_OP_CAST, 1, in);
    qgc_node_set_int(c->g, c->n, "to", to);
    assert_int_equal(run_case(c), QGC_OK);
    assert_int_equal(c->out->type.dtype, to);
    return c->out;
}

static void test_cast(void **state) {
    (void)state;
    op_case c1, c2;
    /* f16 keeps 11 significant bits: 0.1 -> 0.0999755859375; 70000 overflows */
    float x[5] = {1, 0.1f, 65504, 70000, 1e-8f};
    int64_t d[1] = {5};
    qgc_tensor *h = cast(f32s(1, d, x), QGC_F16, &c1);
    c1.out = NULL; /* handed to the second cast */
    cast(h, QGC_F32, &c2);
    check_f32(c2.out, (float[]){1, 0.0999755859375f, 65504, INFINITY, 0}, 5, 0);
    free_case(&c1);
    free_case(&c2);

    /* bf16 keeps 8 significant bits, rounding to nearest even: 1 + 2^-8 is a
     * tie that goes down to 1, 1 + 3*2^-8 a tie that goes up to 1 + 2^-6 */
    float b[3] = {1.00390625f, 1.01171875f, -3};
    int64_t d3[1] = {3};
    h = cast(f32s(1, d3, b), QGC_BF16, &c1);
    c1.out = NULL;
    cast(h, QGC_F32, &c2);
    check_f32(c2.out, (float[]){1, 1.015625f, -3}, 3, 0);
    free_case(&c1);
    free_case(&c2);

    float y[4] = {-1.7f, 2.9f, NAN, 0};
    int64_t d4[1] = {4};
    cast(f32s(1, d4, y), QGC_I32, &c1);
    check_i64(c1.out, (int64_t[]){-1, 2, 0, 0}, 4); /* toward zero; NaN saturates to 0 */
    free_case(&c1);
    cast(f32s(1, d4, y), QGC_BOOL, &c1);
    check_i64(c1.out, (int64_t[]){1, 1, 1, 0}, 4);
    free_case(&c1);

    int64_t big[2] = {-1, (INT64_C(1) << 53) + 1};
    int64_t d2[1] = {2};
    cast(tensor(QGC_I64, 1, d2, big), QGC_U64, &c1);
    check_i64(c1.out, (int64_t[]){-1, (INT64_C(1) << 53) + 1}, 2); /* bit pattern kept */
    free_case(&c1);

    qgc_tensor *in[1] = {f32s(1, d4, y)};
    setup_case(&c1, QGC_OP_CAST, 1, in);
    qgc_node_set_int(c1.g, c1.n, "to", QGC_STRING);
    assert_int_equal(run_case(&c1), QGC_ERR_UNSUPPORTED);
    assert_non_null(strstr(c1.diag.msg, "string"));
    free_case(&c1);
}

/* ---- reductions ----------------------------------------------------------- */

static void run_reduce(op_case *c, qgc_op op, qgc_tensor *x, const int64_t *axes, int n_axes,
                       int keepdims, int noop) {
    int64_t da[1] = {n_axes};
    qgc_tensor *in[2] = {x, axes ? tensor(QGC_I64, 1, da, axes) : NULL};
    setup_case(c, op, axes ? 2 : 1, in);
    if (keepdims >= 0) qgc_node_set_int(c->g, c->n, "keepdims", keepdims);
    if (noop) qgc_node_set_int(c->g, c->n, "noop_with_empty_axes", 1);
    assert_int_equal(run_case(c), QGC_OK);
}

static void test_reduce(void **state) {
    (void)state;
    op_case c;
    float x[6] = {1, 2, 3, 4, 5, 6};
    int64_t d[2] = {2, 3}, ax1 = 1, axm2 = -2;
    run_reduce(&c, QGC_OP_REDUCE_SUM, f32s(2, d, x), &ax1, 1, -1, 0);
    check_shape(c.out, QGC_F32, 2, (int64_t[]){2, 1});
    check_f32(c.out, (float[]){6, 15}, 2, 0);
    free_case(&c);

    run_reduce(&c, QGC_OP_REDUCE_MEAN, f32s(2, d, x), &axm2, 1, 0, 0);
    check_shape(c.out, QGC_F32, 1, (int64_t[]){3});
    check_f32(c.out, (float[]){2.5f, 3.5f, 4.5f}, 3, 0);
    free_case(&c);

    /* no axes: every dim, kept as 1 */
    run_reduce(&c, QGC_OP_REDUCE_PROD, f32s(2, d, x), NULL, 0, -1, 0);
    check_shape(c.out, QGC_F32, 2, (int64_t[]){1, 1});
    check_f32(c.out, (float[]){720}, 1, 0);
    free_case(&c);

    /* empty axes with noop_with_empty_axes: the input unchanged */
    run_reduce(&c, QGC_OP_REDUCE_SUM, f32s(2, d, x), NULL, 0, 1, 1);
    check_shape(c.out, QGC_F32, 2, d);
    check_f32(c.out, x, 6, 0);
    free_case(&c);

    /* L2 and log-sum-exp (stable for large values) over the last axis */
    run_reduce(&c, QGC_OP_REDUCE_L2, f32s(2, d, x), &ax1, 1, 0, 0);
    check_f32(c.out, (float[]){sqrtf(14), sqrtf(77)}, 2, 1e-5f);
    free_case(&c);
    float big[2] = {1000, 1000};
    int64_t d2[1] = {2};
    run_reduce(&c, QGC_OP_REDUCE_LOG_SUM_EXP, f32s(1, d2, big), NULL, 0, 0, 0);
    check_f32(c.out, (float[]){1000.6931472f}, 1, 1e-3f);
    free_case(&c);

    /* integer sums are exact beyond 2^53 */
    int64_t xi[2] = {INT64_C(1) << 60, 1};
    run_reduce(&c, QGC_OP_REDUCE_SUM, tensor(QGC_I64, 1, d2, xi), NULL, 0, 0, 0);
    check_i64(c.out, (int64_t[]){(INT64_C(1) << 60) + 1}, 1);
    free_case(&c);
}

static void test_reduce_empty_set(void **state) {
    (void)state;
    int64_t d[2] = {2, 0}, ax1 = 1;
    struct {
        qgc_op op;
        float want;
    } cases[] = {{QGC_OP_REDUCE_SUM, 0}, {QGC_OP_REDUCE_PROD, 1},
                 {QGC_OP_REDUCE_MAX, -INFINITY}, {QGC_OP_REDUCE_MIN, INFINITY}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_case c;
        run_reduce(&c, cases[i].op, f32s(2, d, NULL), &ax1, 1, 1, 0);
        check_shape(c.out, QGC_F32, 2, (int64_t[]){2, 1});
        check_f32(c.out, (float[]){cases[i].want, cases[i].want}, 2, 0);
        free_case(&c);
    }
    op_case c;
    run_reduce(&c, QGC_OP_REDUCE_MAX, tensor(QGC_I8, 2, d, NULL), &ax1, 1, 0, 0);
    check_i64(c.out, (int64_t[]){-128, -128}, 2); /* the lowest i8 */
    free_case(&c);
}

static void test_reduce_bad_axis(void **state) {
    (void)state;
    op_case c;
    int64_t d[2] = {2, 3}, ax[1] = {2}, da[1] = {1};
    qgc_tensor *in[2] = {f32s(2, d, NULL), tensor(QGC_I64, 1, da, ax)};
    setup_case(&c, QGC_OP_REDUCE_SUM, 2, in);
    assert_int_equal(run_case(&c), QGC_ERR_INVALID);
    assert_non_null(strstr(c.diag.msg, "node 'n0' (reduce_sum)"));
    free_case(&c);
}

static void test_argmax_select_last(void **state) {
    (void)state;
    float x[6] = {1, 3, 3, 5, 2, 5};
    int64_t d[2] = {2, 3};
    for (int last = 0; last <= 1; last++) {
        op_case c;
        qgc_tensor *in[1] = {f32s(2, d, x)};
        setup_case(&c, QGC_OP_ARGMAX, 1, in);
        qgc_node_set_int(c.g, c.n, "axis", -1);
        qgc_node_set_int(c.g, c.n, "select_last_index", last);
        assert_int_equal(run_case(&c), QGC_OK);
        check_shape(c.out, QGC_I64, 2, (int64_t[]){2, 1});
        check_i64(c.out, last ? (int64_t[]){2, 2} : (int64_t[]){1, 0}, 2);
        free_case(&c);
    }
    op_case c;
    qgc_tensor *in[1] = {f32s(2, d, x)};
    setup_case(&c, QGC_OP_ARGMIN, 1, in);
    qgc_node_set_int(c.g, c.n, "keepdims", 0);
    assert_int_equal(run_case(&c), QGC_OK);
    check_shape(c.out, QGC_I64, 1, (int64_t[]){3});
    check_i64(c.out, (int64_t[]){0, 1, 0}, 3);
    free_case(&c);
}

/* ---- softmax family, cumsum ---------------------------------------------- */

static void test_softmax(void **state) {
    (void)state;
    op_case c;
    /* softmax([1,2,3]) = [0.09003057, 0.24472847, 0.66524096] */
    float x[6] = {1, 2, 3, 1001, 1002, 1003};
    int64_t d[2] = {2, 3};
    qgc_tensor *in[1] = {f32s(2, d, x)};
    setup_case(&c, QGC_OP_SOFTMAX, 1, in);
    assert_int_equal(run_case(&c), QGC_OK);
    float want[3] = {0.09003057f, 0.24472847f, 0.66524096f};
    check_f32(c.out, (float[]){want[0], want[1], want[2], want[0], want[1], want[2]}, 6, 1e-6f);
    const float *o = c.out->data;
    assert_true(fabsf(o[3] + o[4] + o[5] - 1) < 1e-6f);
    free_case(&c);

    qgc_tensor *in2[1] = {f32s(2, d, x)};
    setup_case(&c, QGC_OP_LOG_SOFTMAX, 1, in2);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){-2.40760596f, -1.40760596f, -0.40760596f, -2.40760596f,
                               -1.40760596f, -0.40760596f}, 6, 1e-5f);
    free_case(&c);

    /* axis 0 of a [2,2] (strided path): columns sum to 1 */
    float y[4] = {0, 1, 0, 3};
    int64_t d22[2] = {2, 2};
    qgc_tensor *in3[1] = {f32s(2, d22, y)};
    setup_case(&c, QGC_OP_SOFTMAX, 1, in3);
    qgc_node_set_int(c.g, c.n, "axis", 0);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){0.5f, 0.11920292f, 0.5f, 0.88079708f}, 4, 1e-6f);
    free_case(&c);

    float h[6] = {1, 3, 3, 0, 0, -1};
    qgc_tensor *in4[1] = {f32s(2, d, h)};
    setup_case(&c, QGC_OP_HARDMAX, 1, in4);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){0, 1, 0, 1, 0, 0}, 6, 0); /* the first maximum */
    free_case(&c);
}

static void test_cumsum(void **state) {
    (void)state;
    int64_t x[5] = {1, 2, 3, 4, 5}, d[1] = {5};
    int32_t axis = 0;
    struct {
        int exclusive, reverse;
        int64_t want[5];
    } cases[] = {{0, 0, {1, 3, 6, 10, 15}}, {1, 0, {0, 1, 3, 6, 10}},
                 {0, 1, {15, 14, 12, 9, 5}}, {1, 1, {14, 12, 9, 5, 0}}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_case c;
        qgc_tensor *in[2] = {tensor(QGC_I64, 1, d, x), tensor(QGC_I32, 0, NULL, &axis)};
        setup_case(&c, QGC_OP_CUMSUM, 2, in);
        qgc_node_set_int(c.g, c.n, "exclusive", cases[i].exclusive);
        qgc_node_set_int(c.g, c.n, "reverse", cases[i].reverse);
        assert_int_equal(run_case(&c), QGC_OK);
        check_i64(c.out, cases[i].want, 5);
        free_case(&c);
    }
    /* along axis 1 of a [2,3] f32 */
    op_case c;
    float f[6] = {1, 2, 3, 4, 5, 6};
    int64_t d23[2] = {2, 3}, ax1 = 1;
    qgc_tensor *in[2] = {f32s(2, d23, f), tensor(QGC_I64, 0, NULL, &ax1)};
    setup_case(&c, QGC_OP_CUMSUM, 2, in);
    assert_int_equal(run_case(&c), QGC_OK);
    check_f32(c.out, (float[]){1, 3, 6, 4, 9, 15}, 6, 0);
    free_case(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_broadcast),
        cmocka_unit_test(test_broadcast_mismatch_names_node),
        cmocka_unit_test(test_int64_exact_and_wrapping),
        cmocka_unit_test(test_int_div_mod_signs),
        cmocka_unit_test(test_pow_mixed_dtypes),
        cmocka_unit_test(test_bitshift_u8),
        cmocka_unit_test(test_compare_and_logic),
        cmocka_unit_test(test_variadic_and_where),
        cmocka_unit_test(test_round_half_even),
        cmocka_unit_test(test_activations_defaults),
        cmocka_unit_test(test_unary_int_exact),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_cast),
        cmocka_unit_test(test_reduce),
        cmocka_unit_test(test_reduce_empty_set),
        cmocka_unit_test(test_reduce_bad_axis),
        cmocka_unit_test(test_argmax_select_last),
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_cumsum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
