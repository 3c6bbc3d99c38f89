/* Dead code elimination: a node stays if one of its results reaches a graph
 * output. One backward sweep suffices since nodes are in topological order. */
#include <stdlib.h>

#include "qgc_passes.h"

qgc_status qgc_pass_dce(qgc_graph *g, qgc_diag *d) {
    bool *live = calloc(g->n_values + 1, 1), *keep = calloc(g->n_nodes + 1, 1);
    if (!live || !keep) {
        free(live);
        free(keep);
        return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < g->n_outputs; i++) live[g->outputs[i]->id] = true;
    for (uint32_t i = g->n_nodes; i-- > 0;) {
        qgc_node *n = g->nodes[i];
        for (int j = 0; j < n->n_out && !keep[n->id]; j++) keep[n->id] = live[n->out[j]->id];
        if (!keep[n->id]) continue;
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j]) live[n->in[j]->id] = true;
    }
    qgc_graph_remove_nodes(g, keep);
    free(live);
    free(keep);
    return QGC_OK;
}
