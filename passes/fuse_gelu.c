/* GELU fusion: the exact (erf) GELU as exporters write it,
 *
 *     x * 0.5 * (1 + erf(x / sqrt(2)))
 *
 * becomes gelu(x). The erf argument is div(x, 1.41421...) or
 * mul(x, 0.70710...); the three factors x, 0.5 and (1 + erf) may be
 * multiplied in any grouping and operand order, which covers the common
 * orderings: mul(x, mul(add(erf(.), 1), 0.5)) (TensorFlow) and
 * mul(mul(x, 0.5), add(1, erf(.))) (PyTorch). Constants match within
 * QGC_RW_CONST_RTOL; every intermediate value must have no other user.
 *
 * The gelu takes the place and the ONNX name of the pattern's last mul,
 * whose result it now computes. */
#include <math.h>

#include "qgc_passes.h"
#include "rewrite.h"

/* x, when u = x / sqrt(2) (as a div or a mul by 1/sqrt(2)), else NULL. */
static qgc_value *erf_operand(const qgc_value *u) {
    const qgc_node *p = u->producer;
    if (!p || p->n_in != 2) return NULL;
    int rank0 = p->in[0] ? p->in[0]->type.rank : -1, rank1 = p->in[1] ? p->in[1]->type.rank : -1;
    if (p->op == QGC_OP_DIV && qgc_rw_scalar_near(p->in[1], rank0, sqrt(2.0))) return p->in[0];
    if (p->op != QGC_OP_MUL) return NULL;
    if (qgc_rw_scalar_near(p->in[1], rank0, sqrt(0.5))) return p->in[0];
    if (qgc_rw_scalar_near(p->in[0], rank1, sqrt(0.5))) return p->in[1];
    return NULL;
}

/* True when n is a mul of `a` by a one-element constant near `want`. */
static bool mul_by_const(const qgc_node *n, const qgc_value *a, double want) {
    return n && n->op == QGC_OP_MUL &&
           qgc_rw_scalar_near(qgc_rw_other_operand(n, a), a->type.rank, want);
}

/* The sole user of v when it is a mul, else NULL. */
static qgc_node *sole_mul(const qgc_graph *g, const qgc_value *v) {
    qgc_node *n = qgc_rw_sole_user(g, v);
    return n && n->op == QGC_OP_MUL ? n : NULL;
}

/* From erf to the mul computing the GELU; sets *x. NULL when no match. */
static qgc_node *match(const qgc_graph *g, const qgc_node *erf, qgc_value **x) {
    qgc_value *u = erf->in[0];
    *x = erf_operand(u);
    if (!*x || !qgc_dtype_is_float((*x)->type.dtype) || (*x)->type.rank < 0 ||
        qgc_rw_uses(g, u) != 1)
        return NULL;
    qgc_node *add = qgc_rw_sole_user(g, erf->out[0]);
    if (!add || add->op != QGC_OP_ADD ||
        !qgc_rw_scalar_near(qgc_rw_other_operand(add, erf->out[0]), (*x)->type.rank, 1.0))
        return NULL;
    qgc_value *a = add->out[0];
    qgc_node *m = sole_mul(g, a);
    qgc_value *o = m ? qgc_rw_other_operand(m, a) : NULL;
    if (!o) return NULL;
    if (mul_by_const(m, a, 0.5)) { /* (a * 0.5) * x */
        qgc_node *last = sole_mul(g, m->out[0]);
        return last && qgc_rw_other_operand(last, m->out[0]) == *x ? last : NULL;
    }
    if (o == *x) { /* (x * a) * 0.5 */
        qgc_node *last = sole_mul(g, m->out[0]);
        return mul_by_const(last, m->out[0], 0.5) ? last : NULL;
    }
    /* (x * 0.5) * a */
    qgc_node *half = o->producer;
    return mul_by_const(half, *x, 0.5) && qgc_rw_uses(g, o) == 1 ? m : NULL;
}

qgc_status qgc_fuse_gelu(qgc_graph *g, qgc_diag *d) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i], *last;
        qgc_value *x;
        if (n->op != QGC_OP_ERF || !(last = match(g, n, &x))) continue;
        qgc_node *gelu = qgc_rw_node_before(g, last, "", QGC_OP_GELU, 1, &x, d);
        if (!gelu) return QGC_ERR_NOMEM;
        qgc_status st = qgc_rw_infer(gelu, d);
        if (st) return st;
        qgc_rw_replace(g, last->out[0], gelu->out[0]);
        i = n->id; /* the gelu went in after the erf */
    }
    return qgc_pass_dce(g, d);
}
