/* Constant folding: a node whose inputs are all constants is evaluated with
 * the reference interpreter and its results become constants. This turns
 * weight-generating subgraphs (ConstantOfShape, Reshape of initializers,
 * shape arithmetic) into plain weights the later passes can see. */
#include "qgc_interp.h"
#include "qgc_passes.h"

qgc_status qgc_pass_fold_constants(qgc_graph *g, qgc_diag *d) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        bool all_const = n->n_in > 0;
        const qgc_tensor *in[n->n_in > 0 ? n->n_in : 1];
        for (int j = 0; j < n->n_in; j++) {
            in[j] = n->in[j] ? n->in[j]->data : NULL;
            if (n->in[j] && !in[j]) all_const = false;
        }
        if (!all_const) continue;
        qgc_tensor *out[n->n_out > 0 ? n->n_out : 1];
        qgc_status st = qgc_eval_node(n, in, out, d);
        if (st == QGC_ERR_UNSUPPORTED) continue; /* left for the interpreter to report */
        if (st) return st;
        for (int j = 0; j < n->n_out; j++) {
            qgc_value *v = n->out[j];
            qgc_value *c = qgc_const_new(g, v->name, out[j]);
            if (!c) {
                for (int k = j + 1; k < n->n_out; k++) qgc_tensor_free(out[k]);
                return qgc_fail(d, QGC_ERR_NOMEM, "out of memory folding constants");
            }
            qgc_value_replace_uses(g, v, c);
            v->name = NULL; /* the name now belongs to the constant */
        }
    }
    return qgc_pass_dce(g, d);
}
