/* Whole-graph shape inference.
 *
 * Runs each node's shape rule in order. Shape arithmetic in exported models
 * (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) needs the values of
 * small integer tensors, so when every input of a node is known and its
 * outputs are small, the node is evaluated on the spot and its results are
 * kept (in a side table, the graph is not changed) for the nodes after it. */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "qgc_interp.h"

/* Outputs up to this many elements are evaluated during inference. */
#define KNOWN_VALUE_MAX_ELEMS 64

/* Merges an inferred type into the type the model declared: what inference
 * knows wins, what it does not know keeps the declaration (value_info). */
static void merge_type(qgc_type *decl, const qgc_type *inf) {
    if (inf->rank < 0) {
        if (decl->dtype == QGC_UNDEF) decl->dtype = inf->dtype;
        return;
    }
    bool keep_dims = decl->rank == inf->rank;
    qgc_type t = *inf;
    if (t.dtype == QGC_UNDEF) t.dtype = decl->dtype;
    for (int i = 0; keep_dims && i < t.rank; i++)
        if (t.dims[i] < 0 && decl->dims[i] >= 0) t.dims[i] = decl->dims[i];
        else if (t.dims[i] < 0 && !t.sym[i]) t.sym[i] = decl->sym[i];
    for (int i = 0; i < t.rank; i++)
        if (t.dims[i] >= 0) t.sym[i] = NULL;
    *decl = t;
}

static bool small_static(const qgc_type *t) {
    int64_t n = qgc_type_numel(t);
    return n >= 0 && n <= KNOWN_VALUE_MAX_ELEMS && qgc_dtype_bits(t->dtype) > 0;
}

static bool reads_type_only(const qgc_node *n) {
    return n->op == QGC_OP_SHAPE || n->op == QGC_OP_SIZE;
}

qgc_status qgc_infer_shapes(qgc_graph *g, qgc_diag *d) {
    qgc_tensor **known = calloc(g->n_values ? g->n_values : 1, sizeof *known);
    if (!known) return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    qgc_status st = QGC_OK;
    for (uint32_t i = 0; i < g->n_nodes && !st; i++) {
        qgc_node *n = g->nodes[i];
        int nin = n->n_in > 0 ? n->n_in : 1, nout = n->n_out > 0 ? n->n_out : 1;
        qgc_tensor views[nin];
        const qgc_tensor *in[nin];
        qgc_type types[nout];
        bool all_known = true;
        memset(types, 0, sizeof types);
        for (int j = 0; j < n->n_in; j++) {
            qgc_value *v = n->in[j];
            in[j] = NULL;
            if (!v) continue;
            memset(&views[j], 0, sizeof views[j]);
            views[j].type = v->type;
            const qgc_tensor *k = v->data ? v->data : known[v->id];
            if (reads_type_only(n) && qgc_type_is_static(&v->type)) {
                /* Shape and Size need the input's type, not its data. */
            } else if (k) {
                views[j].data = k->data;
                views[j].nbytes = k->nbytes;
            } else {
                all_known = false;
            }
            in[j] = &views[j];
        }
        if ((st = qgc_node_check_inputs(n, d)) || (st = qgc_ops[n->op].infer(n, in, types, d)))
            break;
        for (int j = 0; j < n->n_out; j++) merge_type(&n->out[j]->type, &types[j]);

        bool small = all_known && n->n_in > 0;
        for (int j = 0; small && j < n->n_out; j++) small = small_static(&n->out[j]->type);
        if (!small) continue;
        qgc_tensor *out[nout];
        if (qgc_eval_node(n, in, out, d) != QGC_OK) {
            /* Not fatal here: the interpreter reports it with the real inputs. */
            if (d) d->msg[0] = 0;
            continue;
        }
        for (int j = 0; j < n->n_out; j++) {
            n->out[j]->type = out[j]->type;
            known[n->out[j]->id] = out[j];
        }
    }
    for (uint32_t i = 0; i < g->n_values; i++) qgc_tensor_free(known[i]);
    free(known);
    return st;
}
