/* Canonicalization: the IR's ops are canonical, not a copy of ONNX. This pass
 * folds constants, removes ops that do nothing at inference time (identity,
 * dropout), and then drops what became dead. */
#include "qgc_passes.h"

/* identity(x) and inference-mode dropout(x) whose mask nobody reads are x. */
static void drop_identities(qgc_graph *g) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        if (n->op != QGC_OP_IDENTITY && n->op != QGC_OP_DROPOUT) continue;
        if (!n->in[0]) continue;
        bool mask_used = false;
        for (uint32_t k = 0; n->n_out > 1 && k < g->n_nodes; k++)
            for (int j = 0; j < g->nodes[k]->n_in; j++)
                if (g->nodes[k]->in[j] == n->out[1]) mask_used = true;
        for (uint32_t k = 0; k < g->n_outputs; k++)
            if (n->n_out > 1 && g->outputs[k] == n->out[1]) mask_used = true;
        if (mask_used) continue;
        /* A graph output keeps its name: only rewrite node uses then. */
        bool is_output = false;
        for (uint32_t k = 0; k < g->n_outputs; k++)
            if (g->outputs[k] == n->out[0]) is_output = true;
        if (is_output) continue;
        qgc_value_replace_uses(g, n->out[0], n->in[0]);
    }
}

qgc_status qgc_pass_canonicalize(qgc_graph *g, qgc_diag *d) {
    drop_identities(g);
    qgc_status st = qgc_pass_fold_constants(g, d);
    if (st) return st;
    return qgc_pass_dce(g, d);
}
