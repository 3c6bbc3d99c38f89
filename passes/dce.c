/* Dead code elimination: a node stays if one of its results reaches a graph
 * output. One backward sweep suffices since nodes are in topological order.
 * Values nothing refers to any more (constants a fold replaced, results of
 * removed nodes) leave the graph's value list too, so dumps show only what
 * the graph uses. Their memory stays in the arena until the graph is freed. */
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
    /* live[] now marks exactly the values a kept node or a graph output reads. */
    for (uint32_t i = 0; i < g->n_inputs; i++) live[g->inputs[i]->id] = true;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        for (int j = 0; j < g->nodes[i]->n_out; j++) live[g->nodes[i]->out[j]->id] = true;
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->n_values; i++)
        if (live[i]) g->values[k++] = g->values[i];
    g->n_values = k;
    for (uint32_t i = 0; i < k; i++) g->values[i]->id = i;
    free(live);
    free(keep);
    return QGC_OK;
}
