/* The canonicalize pass's rewrites (passes/lower_gemm.c, fuse_layernorm.c,
 * fuse_gelu.c): each small graph is run by the interpreter on random inputs
 * before and after the pass, the outputs must agree (the rewrites preserve
 * float semantics), and the ops left after the pass are counted. Negative
 * cases check that patterns which must not fuse stay as they are. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qgc_frontend.h"
#include "qgc_interp.h"
#include "qgc_passes.h"
#include "qgc_text.h"

/* Outputs before and after a rewrite agree to this, relative to the larger
 * of the two magnitudes but at least 1, the scale of the random inputs: near
 * zero a relative error means nothing (a GELU fused from a model's rounded
 * sqrt(2), 1.4142, differs from it by ~1e-5 of |x| where gelu(x) ~ 0). */
#define MAX_REWRITE_REL_ERROR 1e-5

/* ---- graph building ------------------------------------------------------ */

static qgc_type f32_type(int rank, const int64_t *dims) {
    qgc_type t = {.dtype = QGC_F32, .rank = rank};
    for (int i = 0; i < rank; i++) t.dims[i] = dims[i];
    return t;
}

static qgc_value *input(qgc_graph *g, const char *name, qgc_dtype dt, int rank,
                        const int64_t *dims) {
    qgc_type t = f32_type(rank, dims);
    t.dtype = dt;
    qgc_value *v = qgc_value_new(g, name, &t);
    assert_non_null(v);
    assert_int_equal(qgc_graph_add_input(g, v), QGC_OK);
    return v;
}

/* A constant of dtype dt, element i = vals[i] (or base + step * i when vals is NULL). */
static qgc_value *constant(qgc_graph *g, qgc_dtype dt, int rank, const int64_t *dims,
                           const double *vals, double base, double step) {
    qgc_type t = f32_type(rank, dims);
    t.dtype = dt;
    qgc_tensor *x;
    assert_int_equal(qgc_tensor_new(&t, &x, NULL), QGC_OK);
    for (int64_t i = 0; i < qgc_tensor_numel(x); i++)
        qgc_store_f64(dt, x->data, i, vals ? vals[i] : base + step * (double)i);
    qgc_value *v = qgc_const_new(g, NULL, x);
    assert_non_null(v);
    return v;
}

static qgc_value *scalar(qgc_graph *g, double v) {
    return constant(g, QGC_F32, 0, NULL, &v, 0, 0);
}

static qgc_value *axes(qgc_graph *g, int n, const double *v) {
    int64_t dims[1] = {n};
    return constant(g, QGC_I64, 1, dims, v, 0, 0);
}

static qgc_node *node(qgc_graph *g, qgc_op op, const char *name, qgc_value *a, qgc_value *b) {
    qgc_value *in[2] = {a, b};
    qgc_node *n = qgc_node_new(g, op, name, b ? 2 : 1, in, 1);
    assert_non_null(n);
    return n;
}

static qgc_value *op2(qgc_graph *g, qgc_op op, const char *name, qgc_value *a, qgc_value *b) {
    return node(g, op, name, a, b)->out[0];
}

static void output(qgc_graph *g, qgc_value *v, const char *name) {
    v->name = name;
    assert_int_equal(qgc_graph_add_output(g, v), QGC_OK);
}

static int count_op(const qgc_graph *g, qgc_op op) {
    int n = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++) n += g->nodes[i]->op == op;
    return n;
}

static const qgc_node *find_op(const qgc_graph *g, qgc_op op) {
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (g->nodes[i]->op == op) return g->nodes[i];
    fail_msg("no %s node", qgc_ops[op].name);
    return NULL;
}

/* ---- running before and after ------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static double uniform(double lo, double hi) { /* xorshift64* */
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return lo + (hi - lo) * (double)((rng * 0x2545f4914f6cdd1du) >> 11) / 9007199254740992.0;
}

static void random_fill(qgc_tensor *t) {
    bool is_float = qgc_dtype_is_float(t->type.dtype);
    for (int64_t i = 0; i < qgc_tensor_numel(t); i++) {
        double v = uniform(-3, 3);
        qgc_store_f64(t->type.dtype, t->data, i, is_float ? v : round(v));
    }
}

static void run(const qgc_graph *g, qgc_tensor *const *in, qgc_tensor **out) {
    qgc_diag d = {{0}};
    qgc_status st = qgc_interp_run(g, (const qgc_tensor *const *)in, out, &d);
    if (st) fail_msg("interpreter: %s", d.msg);
}

static void assert_close(const qgc_tensor *got, const qgc_tensor *want) {
    assert_true(qgc_type_equal(&got->type, &want->type));
    for (int64_t i = 0; i < qgc_tensor_numel(want); i++) {
        double a = qgc_load_f64(got->type.dtype, got->data, i);
        double b = qgc_load_f64(want->type.dtype, want->data, i);
        double scale = fmax(fmax(fabs(a), fabs(b)), 1.0);
        if (!(fabs(a - b) <= MAX_REWRITE_REL_ERROR * scale))
            fail_msg("element %lld: %.9g after the pass, %.9g before", (long long)i, a, b);
    }
}

/* Runs g on inputs (random when NULL) before and after canonicalize, and
 * checks that the outputs and their types are the same and the graph still
 * verifies. The caller then counts ops and frees g. */
static void canonicalize_preserves(qgc_graph *g, qgc_tensor *const *given) {
    qgc_diag d = {{0}};
    if (qgc_infer_shapes(g, &d)) fail_msg("shape inference: %s", d.msg);
    uint32_t ni = g->n_inputs, no = g->n_outputs;
    qgc_tensor *in[ni + 1], *before[no + 1], *after[no + 1];
    qgc_type types[no + 1];
    for (uint32_t i = 0; i < ni; i++) {
        in[i] = NULL;
        if (given) continue;
        assert_int_equal(qgc_tensor_new(&g->inputs[i]->type, &in[i], NULL), QGC_OK);
        random_fill(in[i]);
    }
    run(g, given ? given : in, before);
    for (uint32_t i = 0; i < no; i++) types[i] = g->outputs[i]->type;
    if (qgc_pass_canonicalize(g, &d)) fail_msg("canonicalize: %s", d.msg);
    if (qgc_graph_verify(g, &d)) fail_msg("verify: %s", d.msg);
    for (uint32_t i = 0; i < no; i++) assert_true(qgc_type_equal(&g->outputs[i]->type, &types[i]));
    if (qgc_infer_shapes(g, &d)) fail_msg("shape inference after: %s", d.msg);
    run(g, given ? given : in, after);
    for (uint32_t i = 0; i < no; i++) {
        assert_close(after[i], before[i]);
        qgc_tensor_free(before[i]);
        qgc_tensor_free(after[i]);
    }
    for (uint32_t i = 0; i < ni; i++) qgc_tensor_free(in[i]);
}

/* ---- the IR helper the rewrites place nodes with ------------------------------ */

static void assert_order(const qgc_graph *g, const char *names) {
    char got[64] = "";
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        assert_int_equal(g->nodes[i]->id, i);
        strncat(got, g->nodes[i]->name, sizeof got - strlen(got) - 1);
    }
    assert_string_equal(got, names);
}

static void test_insert_node_before(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("order");
    qgc_node *n[5];
    const char *names[5] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++)
        assert_non_null(n[i] = qgc_node_new(g, QGC_OP_IDENTITY, names[i], 0, NULL, 1));
    qgc_graph_insert_node_before(g, n[4], n[1]); /* moves up */
    assert_order(g, "aebcd");
    qgc_graph_insert_node_before(g, n[0], n[3]); /* moves down */
    assert_order(g, "ebcad");
    qgc_graph_insert_node_before(g, n[2], n[2]); /* before itself: stays */
    assert_order(g, "ebcad");
    qgc_graph_free(g);
}

/* ---- Gemm ------------------------------------------------------------------ */

typedef struct {
    bool trans_a, trans_b, const_b, const_c, has_c;
    double alpha, beta;
    qgc_dtype dtype;
} gemm_case;

/* Y = gemm(A, B, C) for M=3, K=4, N=5, C of shape [N] (broadcast over rows). */
static qgc_graph *gemm_graph(const gemm_case *c) {
    qgc_graph *g = qgc_graph_new("gemm");
    const int64_t ad[2] = {c->trans_a ? 4 : 3, c->trans_a ? 3 : 4};
    const int64_t bd[2] = {c->trans_b ? 5 : 4, c->trans_b ? 4 : 5}, cd[1] = {5};
    qgc_value *a = input(g, "A", c->dtype, 2, ad);
    qgc_value *b = c->const_b ? constant(g, c->dtype, 2, bd, NULL, -2, 0.25)
                              : input(g, "B", c->dtype, 2, bd);
    qgc_value *cc = !c->has_c   ? NULL
                    : c->const_c ? constant(g, c->dtype, 1, cd, NULL, 1, -0.5)
                                 : input(g, "C", c->dtype, 1, cd);
    qgc_value *in[3] = {a, b, cc};
    qgc_node *n = qgc_node_new(g, QGC_OP_GEMM, "Gemm_7", cc ? 3 : 2, in, 1);
    assert_non_null(n);
    assert_int_equal(qgc_node_set_int(g, n, "transA", c->trans_a), QGC_OK);
    assert_int_equal(qgc_node_set_int(g, n, "transB", c->trans_b), QGC_OK);
    assert_int_equal(qgc_node_set_float(g, n, "alpha", (float)c->alpha), QGC_OK);
    assert_int_equal(qgc_node_set_float(g, n, "beta", (float)c->beta), QGC_OK);
    output(g, n->out[0], "Y");
    return g;
}

/* Lowers the case and checks how many transpose / mul / add nodes it needs. */
static void check_gemm(const gemm_case *c, int transposes, int muls, int adds) {
    qgc_graph *g = gemm_graph(c);
    canonicalize_preserves(g, NULL);
    assert_int_equal(count_op(g, QGC_OP_GEMM), 0);
    assert_int_equal(count_op(g, QGC_OP_MATMUL), 1);
    assert_int_equal(count_op(g, QGC_OP_TRANSPOSE), transposes);
    assert_int_equal(count_op(g, QGC_OP_MUL), muls);
    assert_int_equal(count_op(g, QGC_OP_ADD), adds);
    assert_ptr_equal(g->nodes[g->n_nodes - 1]->out[0], g->outputs[0]);
    assert_string_equal(g->outputs[0]->name, "Y");
    /* Every new node names the Gemm it came from. */
    assert_string_equal(find_op(g, QGC_OP_MATMUL)->name, "Gemm_7");
    for (uint32_t i = 0; i < g->n_nodes; i++)
        assert_int_equal(strncmp(g->nodes[i]->name, "Gemm_7", 6), 0);
    if (adds) assert_string_equal(find_op(g, QGC_OP_ADD)->name, "Gemm_7/add");
    qgc_graph_free(g);
}

static void test_gemm_plain(void **state) {
    (void)state;
    check_gemm(&(gemm_case){.has_c = true, .alpha = 1, .beta = 1, .dtype = QGC_F32}, 0, 0, 1);
}

static void test_gemm_transposed_scaled(void **state) {
    (void)state;
    gemm_case c = {.trans_a = true, .trans_b = true, .has_c = true, .alpha = 0.5, .beta = 2,
                   .dtype = QGC_F32};
    check_gemm(&c, 2, 2, 1);
}

/* A constant B is transposed and scaled by alpha at compile time, a
 * constant C scaled by beta: only matmul and add remain. */
static void test_gemm_constants_folded(void **state) {
    (void)state;
    gemm_case c = {.trans_a = true, .trans_b = true, .const_b = true, .has_c = true,
                   .const_c = true, .alpha = 0.25, .beta = -1.5, .dtype = QGC_F32};
    check_gemm(&c, 1, 0, 1);
    c.trans_a = false;
    check_gemm(&c, 0, 0, 1);
}

static void test_gemm_without_c(void **state) {
    (void)state;
    check_gemm(&(gemm_case){.alpha = 1, .beta = 1, .dtype = QGC_F32}, 0, 0, 0);
    /* beta == 0: C is not read at all */
    check_gemm(&(gemm_case){.has_c = true, .alpha = 1, .beta = 0, .dtype = QGC_F32}, 0, 0, 0);
    check_gemm(&(gemm_case){.trans_b = true, .alpha = 3, .beta = 1, .dtype = QGC_F32}, 1, 1, 0);
}

/* Integer Gemms lower when no real-valued scaling is needed; else they stay. */
static void test_gemm_integer(void **state) {
    (void)state;
    gemm_case c = {.trans_b = true, .has_c = true, .alpha = 1, .beta = 1, .dtype = QGC_I32};
    check_gemm(&c, 1, 0, 1);
    qgc_graph *g = gemm_graph(&(gemm_case){.has_c = true, .alpha = 2, .beta = 1, .dtype = QGC_I32});
    canonicalize_preserves(g, NULL);
    assert_int_equal(count_op(g, QGC_OP_GEMM), 1);
    qgc_graph_free(g);
}

/* ---- LayerNorm ------------------------------------------------------------- */

/* Large enough that getting it wrong shows in the outputs. */
#define LN_EPS 0.03

typedef struct {
    int rank;
    int64_t dims[3];
    int n_axes;
    double axes[3], var_axes[3]; /* var_axes: the variance's reduction (n_axes values) */
    bool square_by_mul, eps_first;
    int gamma_rank, beta_rank; /* 0: absent */
    int64_t gamma_dims[3];
    bool gamma_first;
    int leak; /* 1..6: m, d, square, v, v + eps, sqrt is also a graph output */
} ln_case;

/* The decomposed LayerNorm of old exporters; returns the graph, sets *last
 * to the node producing its result. */
static qgc_graph *ln_graph(const ln_case *c, qgc_node **last) {
    qgc_graph *g = qgc_graph_new("ln");
    qgc_value *x = input(g, "x", QGC_F32, c->rank, c->dims);
    qgc_value *m = op2(g, QGC_OP_REDUCE_MEAN, "ReduceMean_0", x, axes(g, c->n_axes, c->axes));
    qgc_value *d = op2(g, QGC_OP_SUB, "Sub_1", x, m);
    qgc_value *sq = c->square_by_mul ? op2(g, QGC_OP_MUL, "Mul_2", d, d)
                                     : op2(g, QGC_OP_POW, "Pow_2", d, scalar(g, 2));
    qgc_value *v = op2(g, QGC_OP_REDUCE_MEAN, "ReduceMean_3", sq, axes(g, c->n_axes, c->var_axes));
    qgc_value *eps = scalar(g, LN_EPS);
    qgc_value *e = c->eps_first ? op2(g, QGC_OP_ADD, "Add_4", eps, v)
                                : op2(g, QGC_OP_ADD, "Add_4", v, eps);
    qgc_value *s = op2(g, QGC_OP_SQRT, "Sqrt_5", e, NULL);
    qgc_node *n = node(g, QGC_OP_DIV, "Div_6", d, s);
    if (c->gamma_rank) {
        qgc_value *gm = constant(g, QGC_F32, c->gamma_rank, c->gamma_dims, NULL, 0.5, 0.125);
        n = c->gamma_first ? node(g, QGC_OP_MUL, "Mul_7", gm, n->out[0])
                           : node(g, QGC_OP_MUL, "Mul_7", n->out[0], gm);
    }
    if (c->beta_rank) {
        const int64_t *bd = c->dims + c->rank - c->beta_rank;
        qgc_value *beta = constant(g, QGC_F32, c->beta_rank, bd, NULL, -1, 0.3);
        n = node(g, QGC_OP_ADD, "Add_8", n->out[0], beta);
    }
    output(g, n->out[0], "y");
    qgc_value *inner[6] = {m, d, sq, v, e, s};
    if (c->leak) output(g, inner[c->leak - 1], "leak");
    *last = n;
    return g;
}

/* Fuses the case: one layernorm over x on `axis`, named after the
 * pattern's last node, and none of the decomposed ops left. */
static void check_ln_fuses(const ln_case *c, int64_t axis, int n_params) {
    qgc_node *last;
    qgc_graph *g = ln_graph(c, &last);
    const char *name = last->name;
    canonicalize_preserves(g, NULL);
    assert_int_equal(g->n_nodes, 1);
    const qgc_node *ln = find_op(g, QGC_OP_LAYERNORM);
    assert_string_equal(ln->name, name);
    assert_ptr_equal(ln->in[0], g->inputs[0]);
    assert_int_equal(ln->n_in, n_params + 1);
    assert_int_equal(qgc_attr_int(ln, "axis", 0), axis);
    assert_float_equal(qgc_attr_float(ln, "epsilon", 0), (float)LN_EPS, 0);
    assert_string_equal(g->outputs[0]->name, "y");
    qgc_graph_free(g);
}

static void test_ln_pow_affine(void **state) {
    (void)state;
    ln_case c = {.rank = 3, .dims = {2, 3, 16}, .n_axes = 1, .axes = {-1}, .var_axes = {2},
                 .gamma_rank = 1, .gamma_dims = {16}, .beta_rank = 1};
    check_ln_fuses(&c, -1, 2);
}

/* mul(d, d) for the square, eps first, no gamma (ones) and no beta. */
static void test_ln_mul_square_plain(void **state) {
    (void)state;
    ln_case c = {.rank = 2, .dims = {4, 10}, .n_axes = 1, .axes = {1}, .var_axes = {-1},
                 .square_by_mul = true, .eps_first = true};
    check_ln_fuses(&c, -1, 1);
}

/* Reducing all trailing axes: axis is the first of them. gamma first in its
 * mul, with leading ones beyond the normalized rank; no beta. */
static void test_ln_trailing_axes(void **state) {
    (void)state;
    ln_case c = {.rank = 3, .dims = {2, 3, 4}, .n_axes = 2, .axes = {-1, 1}, .var_axes = {1, 2},
                 .gamma_rank = 3, .gamma_dims = {1, 3, 4}, .gamma_first = true};
    check_ln_fuses(&c, -2, 1);
    c.beta_rank = 2; /* bias only over the normalized dims */
    c.gamma_rank = 0;
    check_ln_fuses(&c, -2, 2);
}

/* Patterns that must stay decomposed. */
static void check_ln_stays(const ln_case *c) {
    qgc_node *last;
    qgc_graph *g = ln_graph(c, &last);
    canonicalize_preserves(g, NULL);
    assert_int_equal(count_op(g, QGC_OP_LAYERNORM), 0);
    assert_int_equal(count_op(g, QGC_OP_REDUCE_MEAN), 2);
    qgc_graph_free(g);
}

static void test_ln_not_fused(void **state) {
    (void)state;
    ln_case base = {.rank = 3, .dims = {2, 3, 8}, .n_axes = 1, .axes = {-1}, .var_axes = {-1},
                    .gamma_rank = 1, .gamma_dims = {8}, .beta_rank = 1};
    ln_case c = base;
    for (c.leak = 1; c.leak <= 6; c.leak++) /* an intermediate has a user outside */
        check_ln_stays(&c);
    c = base;
    c.axes[0] = c.var_axes[0] = 1; /* not the last axis */
    check_ln_stays(&c);
    c = base;
    c.var_axes[0] = 1; /* mean and variance over different axes */
    check_ln_stays(&c);
    c = base;
    c.n_axes = 2; /* axes 0 and 2: not trailing */
    c.axes[1] = c.var_axes[1] = 0;
    check_ln_stays(&c);
}

/* A gamma that varies along a non-normalized axis cannot be layernorm's
 * Scale: the statistics fuse, the mul by gamma and the add stay. */
static void test_ln_gamma_over_rows(void **state) {
    (void)state;
    ln_case c = {.rank = 3, .dims = {2, 3, 8}, .n_axes = 1, .axes = {-1}, .var_axes = {-1},
                 .gamma_rank = 2, .gamma_dims = {3, 1}, .beta_rank = 1};
    qgc_node *last;
    qgc_graph *g = ln_graph(&c, &last);
    canonicalize_preserves(g, NULL);
    assert_int_equal(count_op(g, QGC_OP_LAYERNORM), 1);
    assert_int_equal(count_op(g, QGC_OP_MUL), 1);
    assert_int_equal(count_op(g, QGC_OP_ADD), 1);
    assert_int_equal(count_op(g, QGC_OP_REDUCE_MEAN), 0);
    qgc_graph_free(g);
}

/* ---- GELU ------------------------------------------------------------------- */

typedef enum { GELU_TF, GELU_TORCH, GELU_X_TIMES_A_FIRST } gelu_order;

typedef struct {
    gelu_order order;
    bool mul_by_rsqrt2; /* x * 0.7071 instead of x / 1.4142 */
    double sqrt2;       /* the divisor (or the multiplier when mul_by_rsqrt2) */
    int leak; /* 1..4: x / sqrt(2), erf, 1 + erf, the inner mul is also a graph output */
} gelu_case;

static qgc_graph *gelu_graph(const gelu_case *c, qgc_node **last) {
    qgc_graph *g = qgc_graph_new("gelu");
    const int64_t dims[2] = {3, 7};
    qgc_value *x = input(g, "x", QGC_F32, 2, dims);
    qgc_value *u = c->mul_by_rsqrt2 ? op2(g, QGC_OP_MUL, "Mul_0", scalar(g, c->sqrt2), x)
                                    : op2(g, QGC_OP_DIV, "Div_0", x, scalar(g, c->sqrt2));
    qgc_value *e = op2(g, QGC_OP_ERF, "Erf_1", u, NULL);
    qgc_value *one = scalar(g, 1), *half = scalar(g, 0.5), *a, *inner;
    switch (c->order) {
    case GELU_TF: /* x * ((erf + 1) * 0.5) */
        a = op2(g, QGC_OP_ADD, "Add_2", e, one);
        inner = op2(g, QGC_OP_MUL, "Mul_3", a, half);
        *last = node(g, QGC_OP_MUL, "Mul_4", x, inner);
        break;
    case GELU_TORCH: /* (x * 0.5) * (1 + erf) */
        a = op2(g, QGC_OP_ADD, "Add_2", one, e);
        inner = op2(g, QGC_OP_MUL, "Mul_3", x, half);
        *last = node(g, QGC_OP_MUL, "Mul_4", inner, a);
        break;
    default: /* GELU_X_TIMES_A_FIRST: 0.5 * ((1 + erf) * x) */
        a = op2(g, QGC_OP_ADD, "Add_2", one, e);
        inner = op2(g, QGC_OP_MUL, "Mul_3", a, x);
        *last = node(g, QGC_OP_MUL, "Mul_4", half, inner);
        break;
    }
    output(g, (*last)->out[0], "y");
    qgc_value *leaks[4] = {u, e, a, inner};
    if (c->leak) output(g, leaks[c->leak - 1], "leak");
    return g;
}

static void check_gelu(const gelu_case *c, bool fuses) {
    qgc_node *last;
    qgc_graph *g = gelu_graph(c, &last);
    const char *name = last->name;
    canonicalize_preserves(g, NULL);
    assert_int_equal(count_op(g, QGC_OP_GELU), fuses);
    assert_int_equal(count_op(g, QGC_OP_ERF), !fuses);
    if (fuses) {
        assert_int_equal(g->n_nodes, 1);
        assert_string_equal(find_op(g, QGC_OP_GELU)->name, name);
        assert_ptr_equal(find_op(g, QGC_OP_GELU)->in[0], g->inputs[0]);
    }
    qgc_graph_free(g);
}

static void test_gelu_orderings(void **state) {
    (void)state;
    check_gelu(&(gelu_case){.order = GELU_TF, .sqrt2 = 1.4142135}, true);
    check_gelu(&(gelu_case){.order = GELU_TORCH, .sqrt2 = 1.41421}, true);
    check_gelu(&(gelu_case){.order = GELU_X_TIMES_A_FIRST, .sqrt2 = 1.4142}, true);
    check_gelu(&(gelu_case){.order = GELU_TORCH, .mul_by_rsqrt2 = true, .sqrt2 = 0.70710678}, true);
    check_gelu(&(gelu_case){.order = GELU_TF, .mul_by_rsqrt2 = true, .sqrt2 = 0.7071}, true);
}

static void test_gelu_not_fused(void **state) {
    (void)state;
    check_gelu(&(gelu_case){.order = GELU_TORCH, .sqrt2 = 2}, false);
    check_gelu(&(gelu_case){.order = GELU_TF, .sqrt2 = 1.415}, false); /* beyond 1e-4 */
    for (int leak = 1; leak <= 4; leak++) /* an intermediate has a user outside */
        for (gelu_order o = GELU_TF; o <= GELU_X_TIMES_A_FIRST; o++)
            check_gelu(&(gelu_case){.order = o, .sqrt2 = 1.4142135, .leak = leak}, false);
    check_gelu(&(gelu_case){.order = GELU_TORCH, .mul_by_rsqrt2 = true, .sqrt2 = 1.4142135}, false);
}

/* ---- together --------------------------------------------------------------- */

/* A transformer MLP block: LayerNorm(x + Gemm(GELU(Gemm(x)))). The GELU reads
 * the lowered Gemm's result, the LayerNorm the residual add; the node list
 * stays in topological order (checked by the verifier). */
static qgc_value *gemm(qgc_graph *g, const char *name, qgc_value *a, qgc_value *w,
                       qgc_value *bias, bool trans_b) {
    qgc_value *in[3] = {a, w, bias};
    qgc_node *n = qgc_node_new(g, QGC_OP_GEMM, name, bias ? 3 : 2, in, 1);
    assert_non_null(n);
    assert_int_equal(qgc_node_set_int(g, n, "transB", trans_b), QGC_OK);
    return n->out[0];
}

static void test_mlp_block(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("mlp");
    const int64_t xd[2] = {4, 6}, w1d[2] = {12, 6}, w2d[2] = {12, 6}, bd[1] = {12}, gd[1] = {6};
    const double last_axis[1] = {-1};
    qgc_value *x = input(g, "x", QGC_F32, 2, xd);
    qgc_value *h = gemm(g, "fc1", x, constant(g, QGC_F32, 2, w1d, NULL, -1, 0.03),
                        constant(g, QGC_F32, 1, bd, NULL, 0, 0.1), true);
    qgc_value *u = op2(g, QGC_OP_DIV, "gelu_0", h, scalar(g, 1.4142135));
    qgc_value *e = op2(g, QGC_OP_ERF, "gelu_1", u, NULL);
    e = op2(g, QGC_OP_ADD, "gelu_2", scalar(g, 1), e);
    qgc_value *a = op2(g, QGC_OP_MUL, "gelu_4", op2(g, QGC_OP_MUL, "gelu_3", h, scalar(g, 0.5)), e);
    a = gemm(g, "fc2", a, constant(g, QGC_F32, 2, w2d, NULL, 0.5, -0.01), NULL, false);
    qgc_value *r = op2(g, QGC_OP_ADD, "residual", x, a);
    qgc_value *m = op2(g, QGC_OP_REDUCE_MEAN, "ln_0", r, axes(g, 1, last_axis));
    qgc_value *d = op2(g, QGC_OP_SUB, "ln_1", r, m);
    qgc_value *sq = op2(g, QGC_OP_POW, "ln_2", d, scalar(g, 2));
    qgc_value *v = op2(g, QGC_OP_REDUCE_MEAN, "ln_3", sq, axes(g, 1, last_axis));
    qgc_value *s = op2(g, QGC_OP_ADD, "ln_4", v, scalar(g, 1e-6));
    s = op2(g, QGC_OP_SQRT, "ln_5", s, NULL);
    qgc_value *y = op2(g, QGC_OP_DIV, "ln_6", d, s);
    output(g, op2(g, QGC_OP_MUL, "ln_7", y, constant(g, QGC_F32, 1, gd, NULL, 1, 0.1)), "y");
    canonicalize_preserves(g, NULL);
    assert_int_equal(count_op(g, QGC_OP_GEMM), 0);
    assert_int_equal(count_op(g, QGC_OP_MATMUL), 2);
    assert_int_equal(count_op(g, QGC_OP_GELU), 1);
    assert_int_equal(count_op(g, QGC_OP_LAYERNORM), 1);
    assert_int_equal(count_op(g, QGC_OP_TRANSPOSE), 0); /* fc1's constant weights were transposed */
    assert_int_equal(g->n_nodes, 6); /* matmul add gelu matmul add layernorm */
    qgc_graph_free(g);
}

/* ---- a real model ------------------------------------------------------------ */

/* PP-OCRv4's recognizer (tools/fetch_models.sh puts it in the cache) has five
 * LayerNorms in the decomposed form. tools/test.sh fetches it before the
 * tests run; a missing model fails the test rather than skipping it. */
static void test_ppocr_rec(void **state) {
    (void)state;
    const char *cache = getenv("QGC_CACHE"), *home = getenv("HOME");
    char dir[512], path[1024], ref[1024];
    if (cache) snprintf(dir, sizeof dir, "%s", cache);
    else if (home) snprintf(dir, sizeof dir, "%s/.cache/qgc", home);
    else fail_msg("neither QGC_CACHE nor HOME is set: cannot find the PP-OCRv4 models");
    snprintf(path, sizeof path, "%s/ocr-models-1.4.2/assets/ch_PP-OCRv4_rec_infer.onnx", dir);
    snprintf(ref, sizeof ref, "%s/ppocr-ref/rec/x.npy", dir);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("%s is missing: run tools/ppocr_refs.sh first", path);
    fclose(f);
    const char *shapes[1] = {"x=1x3x48x320"};
    qgc_load_options opt = {.n_shapes = 1, .shapes = shapes};
    qgc_graph *g = NULL;
    qgc_diag d = {{0}};
    if (qgc_onnx_load(path, &opt, &g, &d)) fail_msg("%s", d.msg);
    assert_int_equal(count_op(g, QGC_OP_REDUCE_MEAN), 10);
    qgc_tensor *x = NULL;
    if (qgc_npy_read(ref, &x, &d)) x = NULL; /* the reference input, else random */
    canonicalize_preserves(g, x ? &x : NULL);
    assert_int_equal(count_op(g, QGC_OP_LAYERNORM), 5);
    assert_int_equal(count_op(g, QGC_OP_REDUCE_MEAN), 0);
    assert_int_equal(count_op(g, QGC_OP_POW), 0);
    assert_int_equal(count_op(g, QGC_OP_SQRT), 0);
    qgc_tensor_free(x);
    qgc_graph_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_node_before),
        cmocka_unit_test(test_gemm_plain),
        cmocka_unit_test(test_gemm_transposed_scaled),
        cmocka_unit_test(test_gemm_constants_folded),
        cmocka_unit_test(test_gemm_without_c),
        cmocka_unit_test(test_gemm_integer),
        cmocka_unit_test(test_ln_pow_affine),
        cmocka_unit_test(test_ln_mul_square_plain),
        cmocka_unit_test(test_ln_trailing_axes),
        cmocka_unit_test(test_ln_not_fused),
        cmocka_unit_test(test_ln_gamma_over_rows),
        cmocka_unit_test(test_gelu_orderings),
        cmocka_unit_test(test_gelu_not_fused),
        cmocka_unit_test(test_mlp_block),
        cmocka_unit_test(test_ppocr_rec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
