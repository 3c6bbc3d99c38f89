/* Helpers shared by the pattern rewrites of canonicalize (see rewrite.h). */
#include <math.h>
#include <string.h>

#include "rewrite.h"

int qgc_rw_uses(const qgc_graph *g, const qgc_value *v) {
    int uses = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++) uses += g->nodes[i]->in[j] == v;
    for (uint32_t i = 0; i < g->n_outputs; i++) uses += g->outputs[i] == v;
    return uses;
}

qgc_node *qgc_rw_sole_user(const qgc_graph *g, const qgc_value *v) {
    if (qgc_rw_uses(g, v) != 1) return NULL;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_in; j++)
            if (g->nodes[i]->in[j] == v) return g->nodes[i];
    return NULL; /* the one use is a graph output */
}

qgc_node *qgc_rw_producer(const qgc_value *v, qgc_op op) {
    return v && v->producer && v->producer->op == op ? v->producer : NULL;
}

qgc_value *qgc_rw_other_operand(const qgc_node *n, const qgc_value *a) {
    if (n->n_in != 2 || n->in[0] == n->in[1]) return NULL;
    if (n->in[0] == a) return n->in[1];
    if (n->in[1] == a) return n->in[0];
    return NULL;
}

bool qgc_rw_scalar(const qgc_value *v, int max_rank, double *out) {
    if (!v || !v->data || !v->data->data || qgc_tensor_numel(v->data) != 1) return false;
    const qgc_type *t = &v->data->type;
    if (t->rank > 0 && t->rank > max_rank) return false;
    if (!qgc_dtype_is_float(t->dtype) && !qgc_dtype_is_int(t->dtype)) return false;
    *out = qgc_load_f64(t->dtype, v->data->data, 0);
    return true;
}

bool qgc_rw_scalar_near(const qgc_value *v, int max_rank, double want) {
    double got;
    return qgc_rw_scalar(v, max_rank, &got) && fabs(got - want) <= QGC_RW_CONST_RTOL * fabs(want);
}

qgc_node *qgc_rw_node_before(qgc_graph *g, const qgc_node *pos, const char *suffix, qgc_op op,
                             int n_in, qgc_value *const *in, qgc_diag *d) {
    qgc_node *n = qgc_node_new(g, op, NULL, n_in, in, 1);
    size_t a = strlen(pos->name), b = strlen(suffix);
    char *name = n ? qgc_arena_alloc(g->arena, a + b + 1) : NULL;
    if (!name) {
        qgc_fail(d, QGC_ERR_NOMEM, "out of memory rewriting node '%s'", pos->name);
        return NULL;
    }
    memcpy(name, pos->name, a);
    memcpy(name + a, suffix, b + 1);
    n->name = name;
    qgc_graph_insert_node_before(g, n, pos);
    return n;
}

qgc_status qgc_rw_infer(qgc_node *n, qgc_diag *d) {
    int nin = n->n_in > 0 ? n->n_in : 1, nout = n->n_out > 0 ? n->n_out : 1;
    qgc_tensor views[nin];
    const qgc_tensor *in[nin];
    qgc_type types[nout];
    memset(views, 0, sizeof views);
    memset(types, 0, sizeof types);
    for (int j = 0; j < n->n_in; j++) {
        in[j] = NULL;
        if (!n->in[j]) continue;
        views[j].type = n->in[j]->type;
        if (n->in[j]->data) {
            views[j].data = n->in[j]->data->data;
            views[j].nbytes = n->in[j]->data->nbytes;
        }
        in[j] = &views[j];
    }
    qgc_status st = qgc_ops[n->op].infer(n, in, types, d);
    for (int j = 0; !st && j < n->n_out; j++) n->out[j]->type = types[j];
    return st;
}

qgc_value *qgc_rw_const(qgc_graph *g, const qgc_type *t, qgc_tensor **data, qgc_diag *d) {
    if (qgc_tensor_new(t, data, d)) return NULL;
    qgc_value *v = qgc_const_new(g, NULL, *data);
    if (!v) qgc_fail(d, QGC_ERR_NOMEM, "out of memory making a constant");
    return v;
}

qgc_value *qgc_rw_scalar_const(qgc_graph *g, qgc_dtype dtype, double v, qgc_diag *d) {
    qgc_type t = {.dtype = dtype, .rank = 0};
    qgc_tensor *data;
    qgc_value *c = qgc_rw_const(g, &t, &data, d);
    if (c) qgc_store_f64(dtype, data->data, 0, v);
    return c;
}

void qgc_rw_replace(qgc_graph *g, qgc_value *from, qgc_value *to) {
    qgc_value_replace_uses(g, from, to);
    to->name = from->name;
    from->name = NULL;
}
