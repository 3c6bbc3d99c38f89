/* Undoes the scaffolding that importing old opsets leaves behind, once shape
 * inference has given types:
 * - cast_like(c, x) with x's dtype known is cast(c){to}, which folds when c
 *   is a constant (Clip-6's min/max become constants of the input's dtype);
 * - flatten(x){axis=r-1} -> softmax{axis=1} -> reshape(., shape(x)), the
 *   opset < 13 softmax rewritten on import, is softmax(x){axis=r-1} when the
 *   flatten axis is the last one (log_softmax and hardmax alike). */
#include <string.h>

#include "qgc_passes.h"
#include "rewrite.h"

static qgc_status cast_like_to_cast(qgc_graph *g, qgc_node *n) {
    if (n->op != QGC_OP_CAST_LIKE || !n->in[1] || n->in[1]->type.dtype == QGC_UNDEF) return QGC_OK;
    qgc_dtype to = n->in[1]->type.dtype;
    n->op = QGC_OP_CAST;
    n->n_in = 1;
    return qgc_node_set_int(g, n, "to", (int64_t)to);
}

static bool is_softmax_family(qgc_op op) {
    return op == QGC_OP_SOFTMAX || op == QGC_OP_LOG_SOFTMAX || op == QGC_OP_HARDMAX;
}

static qgc_status unflatten_softmax(qgc_graph *g, qgc_node *r) {
    if (r->op != QGC_OP_RESHAPE || !r->in[0]->producer || !r->in[1]->producer) return QGC_OK;
    qgc_node *s = r->in[0]->producer, *shape = r->in[1]->producer;
    if (!is_softmax_family(s->op) || qgc_attr_int(s, "axis", -1) != 1 || !s->in[0]->producer)
        return QGC_OK;
    qgc_node *f = s->in[0]->producer;
    if (f->op != QGC_OP_FLATTEN || shape->op != QGC_OP_SHAPE || shape->in[0] != f->in[0] ||
        qgc_attr_get(shape, "start") || qgc_attr_get(shape, "end"))
        return QGC_OK;
    qgc_value *x = f->in[0];
    int rank = x->type.rank;
    if (rank < 1 || qgc_attr_int(f, "axis", 1) != rank - 1 || qgc_rw_uses(g, f->out[0]) != 1 ||
        qgc_rw_uses(g, s->out[0]) != 1)
        return QGC_OK;
    /* softmax now reads x directly over its last axis and takes the
     * reshape's place (and name); flatten, shape and reshape become dead. */
    s->in[0] = x;
    for (int i = 0; i < s->n_attr; i++)
        if (!strcmp(s->attr[i].name, "axis")) s->attr[i].i = rank - 1;
    s->out[0]->type = r->out[0]->type;
    s->out[0]->name = r->out[0]->name;
    r->out[0]->name = NULL;
    qgc_value_replace_uses(g, r->out[0], s->out[0]);
    return QGC_OK;
}

qgc_status qgc_pass_simplify_imports(qgc_graph *g, qgc_diag *d) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_status st = cast_like_to_cast(g, g->nodes[i]);
        if (!st) st = unflatten_softmax(g, g->nodes[i]);
        if (st) return qgc_fail(d, st, "out of memory in simplify-imports");
    }
    return qgc_pass_dce(g, d);
}
