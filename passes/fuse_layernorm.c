/* LayerNorm fusion: the decomposed form older exporters write (PaddlePaddle's
 * paddle2onnx, PyTorch before opset 17),
 *
 *     m = reduce_mean(x, axes)          d = sub(x, m)
 *     v = reduce_mean(pow(d, 2) | mul(d, d), axes)
 *     y = div(d, sqrt(add(v, eps)))     [mul(y, gamma)] [add(., beta)]
 *
 * becomes layernorm(x, gamma, beta){axis, epsilon=eps}. Both reductions keep
 * their dims and reduce the same trailing axes [axis, rank) of x; axis is
 * written negative (-1 for the last axis alone). gamma and beta are constants
 * that vary only along those axes (a missing gamma becomes ones, a missing
 * beta stays absent). Every intermediate value must have no user outside the
 * pattern, or the fused node could not replace it. Only f32 is fused: the
 * layernorm kernel works in f32 with double statistics, which is not what an
 * f64 or f16 model computes step by step.
 *
 * The layernorm takes the place and the ONNX name of the pattern's last node,
 * whose result it now computes. */
#include <string.h>

#include "ops.h"
#include "qgc_passes.h"
#include "rewrite.h"

typedef struct {
    qgc_value *x, *gamma, *beta;
    double eps;
    int axis;
    qgc_node *last; /* the node whose result the layernorm replaces */
} ln_match;

/* First of the trailing axes [first, rank) a keepdims reduce_mean reduces,
 * or -1 when it reduces anything else (or its axes are not constant). */
static int trailing_axes(const qgc_node *rm, int rank) {
    if (!qgc_attr_int(rm, "keepdims", 1)) return -1;
    const qgc_value *axes = rm->n_in > 1 ? rm->in[1] : NULL;
    int64_t ax[QGC_MAX_RANK];
    int count = 0;
    if (axes && (!axes->data || (count = qgc_tensor_read_ints(axes->data, ax, QGC_MAX_RANK)) < 0))
        return -1;
    if (count == 0) return qgc_attr_int(rm, "noop_with_empty_axes", 0) ? -1 : 0; /* all axes */
    bool reduced[QGC_MAX_RANK] = {false};
    for (int k = 0; k < count; k++) {
        int a;
        if (!qgc_norm_axis(ax[k], rank, &a) || reduced[a]) return -1;
        reduced[a] = true;
    }
    for (int a = rank - count; a < rank; a++)
        if (a < 0 || !reduced[a]) return -1;
    return rank - count;
}

/* True when constant p can be layernorm's Scale or B for x normalized over
 * [axis, rank): same dtype, and (right-aligned to x) it is 1 along the
 * other axes and 1 or x's dim along the normalized ones, so mul/add by it
 * neither grows y nor mixes rows. */
static bool param_fits(const qgc_value *p, const qgc_value *x, int axis) {
    if (!p || !p->data || p->data->type.dtype != x->type.dtype) return false;
    const qgc_type *t = &p->data->type, *xt = &x->type;
    if (t->rank > xt->rank) return false;
    for (int j = 0; j < t->rank; j++) {
        int i = j + xt->rank - t->rank;
        if (t->dims[j] != 1 && (i < axis || t->dims[j] != xt->dims[i])) return false;
    }
    return true;
}

/* The normalization statistics: from the div y = d / sqrt(v + eps) back to x. */
static bool match_core(const qgc_graph *g, const qgc_node *div, ln_match *m) {
    qgc_value *d = div->in[0];
    qgc_node *sub = qgc_rw_producer(d, QGC_OP_SUB);
    qgc_node *sq = qgc_rw_producer(div->in[1], QGC_OP_SQRT);
    qgc_node *add = sq ? qgc_rw_producer(sq->in[0], QGC_OP_ADD) : NULL;
    qgc_node *rm1 = sub ? qgc_rw_producer(sub->in[1], QGC_OP_REDUCE_MEAN) : NULL;
    if (!add || !rm1 || rm1->in[0] != sub->in[0]) return false;
    m->x = sub->in[0];
    int rank = m->x->type.rank;
    if (m->x->type.dtype != QGC_F32 || rank < 1) return false;
    int k = qgc_rw_scalar(add->in[1], rank, &m->eps)   ? 1 /* add(v, eps) */
            : qgc_rw_scalar(add->in[0], rank, &m->eps) ? 0 /* add(eps, v) */
                                                       : -1;
    if (k < 0) return false;
    qgc_value *v = add->in[1 - k];
    qgc_node *rm2 = qgc_rw_producer(v, QGC_OP_REDUCE_MEAN);
    qgc_node *sqr = rm2 ? rm2->in[0]->producer : NULL;
    bool is_pow = sqr && sqr->op == QGC_OP_POW && sqr->in[0] == d;
    double two;
    if (is_pow && !(qgc_rw_scalar(sqr->in[1], rank, &two) && two == 2)) return false;
    if (!is_pow && !(sqr && sqr->op == QGC_OP_MUL && sqr->in[0] == d && sqr->in[1] == d))
        return false;
    m->axis = trailing_axes(rm1, rank);
    if (m->axis < 0 || trailing_axes(rm2, rank) != m->axis) return false;
    for (int i = m->axis; i < rank; i++)
        if (m->x->type.dims[i] < 0) return false;
    /* d feeds the square (once for pow, twice for mul) and the div. */
    return qgc_rw_uses(g, rm1->out[0]) == 1 && qgc_rw_uses(g, d) == (is_pow ? 2 : 3) &&
           qgc_rw_uses(g, sqr->out[0]) == 1 && qgc_rw_uses(g, v) == 1 &&
           qgc_rw_uses(g, add->out[0]) == 1 && qgc_rw_uses(g, sq->out[0]) == 1;
}

/* Extends the match over a following mul/add by a constant that fits as
 * layernorm's Scale/B; returns that constant or NULL. */
static qgc_value *affine(const qgc_graph *g, ln_match *m, qgc_op op) {
    qgc_node *user = qgc_rw_sole_user(g, m->last->out[0]);
    if (!user || user->op != op) return NULL;
    qgc_value *p = qgc_rw_other_operand(user, m->last->out[0]);
    if (!param_fits(p, m->x, m->axis)) return NULL;
    m->last = user;
    return p;
}

static bool match(const qgc_graph *g, qgc_node *div, ln_match *m) {
    memset(m, 0, sizeof *m);
    if (!match_core(g, div, m)) return false;
    m->last = div;
    m->gamma = affine(g, m, QGC_OP_MUL);
    m->beta = affine(g, m, QGC_OP_ADD);
    return true;
}

/* p with the leading axes before `axis` (all 1 by param_fits) dropped, so
 * that it has at most the normalized rank layernorm wants; ones of the
 * normalized shape when p is NULL. */
static qgc_value *param(qgc_graph *g, qgc_value *p, const ln_match *m, qgc_diag *d) {
    int norm_rank = m->x->type.rank - m->axis;
    if (p && p->data->type.rank <= norm_rank) return p;
    qgc_type t = {.dtype = m->x->type.dtype, .rank = norm_rank};
    memcpy(t.dims, p ? p->data->type.dims + (p->data->type.rank - norm_rank)
                     : m->x->type.dims + m->axis,
           sizeof *t.dims * (size_t)norm_rank);
    qgc_tensor *data;
    qgc_value *c = qgc_rw_const(g, &t, &data, d);
    if (!c) return NULL;
    if (p) memcpy(data->data, p->data->data, data->nbytes);
    for (int64_t i = 0; !p && i < qgc_tensor_numel(data); i++) ((float *)data->data)[i] = 1;
    return c;
}

static qgc_status fuse(qgc_graph *g, const ln_match *m, qgc_diag *d) {
    qgc_value *in[3] = {m->x, param(g, m->gamma, m, d), m->beta ? param(g, m->beta, m, d) : NULL};
    if (!in[1] || (m->beta && !in[2])) return QGC_ERR_NOMEM;
    qgc_node *ln = qgc_rw_node_before(g, m->last, "", QGC_OP_LAYERNORM, m->beta ? 3 : 2, in, d);
    if (!ln) return QGC_ERR_NOMEM;
    if (qgc_node_set_int(g, ln, "axis", m->axis - m->x->type.rank) ||
        qgc_node_set_float(g, ln, "epsilon", (float)m->eps))
        return qgc_fail(d, QGC_ERR_NOMEM, "out of memory fusing layernorm '%s'", m->last->name);
    qgc_status st = qgc_rw_infer(ln, d);
    if (!st) qgc_rw_replace(g, m->last->out[0], ln->out[0]);
    return st;
}

qgc_status qgc_fuse_layernorm(qgc_graph *g, qgc_diag *d) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        ln_match m;
        if (n->op != QGC_OP_DIV || !match(g, n, &m)) continue;
        qgc_status st = fuse(g, &m, d);
        if (st) return st;
        i = n->id; /* the div moved up by one if the layernorm went in before it */
    }
    return qgc_pass_dce(g, d);
}
