/* Gemm lowering: Y = alpha * A' B' + beta * C (A' = A or Aᵀ by transA, B'
 * likewise) becomes the IR's canonical ops,
 *
 *     matmul(transpose(A), transpose(B)) -> mul alpha -> add (mul(C, beta))
 *
 * keeping only the steps the attributes ask for. A constant operand is
 * transposed and scaled at compile time into a new constant instead (alpha
 * goes into a constant B, beta into a constant C); the original constant is
 * left alone since other nodes may read it. beta == 0 drops C. The matmul
 * keeps the Gemm's ONNX name, the other nodes get it with a suffix
 * ("/transpose_a", "/alpha", "/beta", "/add", ...), and all of them take the
 * Gemm's place in the node list. Integer Gemms are lowered only when no
 * scaling is needed: their alpha and beta are real numbers (ONNX rounds the
 * scaled result once), which integer constants cannot carry. */
#include "qgc_passes.h"
#include "rewrite.h"

typedef struct {
    qgc_graph *g;
    qgc_node *gemm;
    qgc_diag *d;
    qgc_status st; /* first failure; the builders below then return NULL */
} lowering;

/* A node of op over a, b (b NULL for a unary op) before the Gemm. */
static qgc_value *emit(lowering *L, const char *suffix, qgc_op op, qgc_value *a, qgc_value *b) {
    qgc_value *in[2] = {a, b};
    if (L->st || !a || (op != QGC_OP_TRANSPOSE && !b)) return NULL;
    qgc_node *n = qgc_rw_node_before(L->g, L->gemm, suffix, op, b ? 2 : 1, in, L->d);
    if (!n) {
        L->st = QGC_ERR_NOMEM;
        return NULL;
    }
    const int64_t perm[2] = {1, 0};
    if (op == QGC_OP_TRANSPOSE && qgc_node_set_ints(L->g, n, "perm", perm, 2)) {
        L->st = qgc_fail(L->d, QGC_ERR_NOMEM, "out of memory lowering gemm '%s'", L->gemm->name);
        return NULL;
    }
    if ((L->st = qgc_rw_infer(n, L->d))) return NULL;
    return n->out[0];
}

/* scale * v, transposed when `transpose`, as a new constant. Integer
 * constants are only ever transposed (scale 1). */
static qgc_value *const_operand(lowering *L, const qgc_value *v, bool transpose, double scale) {
    if (L->st) return NULL;
    const qgc_tensor *src = v->data;
    qgc_type t = src->type;
    int64_t rows = t.rank == 2 ? t.dims[0] : 1, cols = t.rank >= 1 ? t.dims[t.rank - 1] : 1;
    if (transpose) {
        t.dims[0] = cols;
        t.dims[1] = rows;
    }
    qgc_tensor *dst;
    qgc_value *c = qgc_rw_const(L->g, &t, &dst, L->d);
    if (!c) {
        L->st = QGC_ERR_NOMEM;
        return NULL;
    }
    bool is_float = qgc_dtype_is_float(t.dtype);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            int64_t from = i * cols + j, to = transpose ? j * rows + i : from;
            if (is_float)
                qgc_store_f64(t.dtype, dst->data, to,
                              scale * qgc_load_f64(t.dtype, src->data, from));
            else
                qgc_store_i64(t.dtype, dst->data, to, qgc_load_i64(t.dtype, src->data, from));
        }
    return c;
}

/* A or B as matmul reads it: transposed when trans is set, at compile time
 * for a constant (then also scaled by `scale`, which is 1 otherwise). */
static qgc_value *operand(lowering *L, qgc_value *v, bool trans, double scale, const char *suffix) {
    if (v->data && (trans || scale != 1)) return const_operand(L, v, trans, scale);
    return trans ? emit(L, suffix, QGC_OP_TRANSPOSE, v, NULL) : v;
}

/* scale * v: a new constant when v is one, else a mul node. */
static qgc_value *scaled(lowering *L, qgc_value *v, double scale, const char *suffix) {
    if (!v || scale == 1) return v;
    if (v->data) return const_operand(L, v, false, scale);
    qgc_value *s = L->st ? NULL : qgc_rw_scalar_const(L->g, v->type.dtype, scale, L->d);
    if (!s && !L->st) L->st = QGC_ERR_NOMEM;
    return emit(L, suffix, QGC_OP_MUL, v, s);
}

static qgc_status lower(qgc_graph *g, qgc_node *gemm, qgc_diag *d) {
    lowering L = {g, gemm, d, QGC_OK};
    qgc_value *a = gemm->in[0], *b = gemm->in[1], *c = gemm->n_in > 2 ? gemm->in[2] : NULL;
    double alpha = qgc_attr_float(gemm, "alpha", 1.0f), beta = qgc_attr_float(gemm, "beta", 1.0f);
    if (beta == 0) c = NULL;
    qgc_dtype dt = a->type.dtype;
    bool needs_scaling = alpha != 1 || (c && beta != 1);
    if (!qgc_dtype_is_float(dt) && !(qgc_dtype_is_int(dt) && !needs_scaling)) return QGC_OK;
    if ((a->data && a->data->type.rank != 2) || (b->data && b->data->type.rank != 2))
        return QGC_OK; /* invalid: left for the Gemm's shape rule to report */
    bool alpha_in_b = alpha != 1 && b->data;
    a = operand(&L, a, qgc_attr_int(gemm, "transA", 0) != 0, 1, "/transpose_a");
    b = operand(&L, b, qgc_attr_int(gemm, "transB", 0) != 0, alpha_in_b ? alpha : 1,
                "/transpose_b");
    qgc_value *y = emit(&L, "", QGC_OP_MATMUL, a, b);
    y = scaled(&L, y, alpha_in_b ? 1 : alpha, "/alpha");
    if (c) y = emit(&L, "/add", QGC_OP_ADD, y, scaled(&L, c, beta, "/beta"));
    if (L.st) return L.st;
    qgc_rw_replace(g, gemm->out[0], y);
    return QGC_OK;
}

qgc_status qgc_lower_gemm(qgc_graph *g, qgc_diag *d) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        if (n->op != QGC_OP_GEMM) continue;
        qgc_status st = lower(g, n, d);
        if (st) return st;
        i = n->id; /* the new nodes went in before it */
    }
    return qgc_pass_dce(g, d);
}
