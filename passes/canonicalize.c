/* Canonicalization: the IR's ops are canonical, not a copy of ONNX. This pass
 * removes ops that do nothing at inference time (identity, dropout), undoes
 * old-opset import scaffolding (simplify_imports.c), folds constants, then rewrites ONNX idioms into the IR's ops: Gemm into matmul
 * (lower_gemm.c), the decomposed LayerNorm and GELU of old exporters into
 * layernorm and gelu (fuse_layernorm.c, fuse_gelu.c). Each step drops what
 * became dead. */
#include "qgc_passes.h"
#include "rewrite.h"

/* identity(x) and inference-mode dropout(x) whose mask nobody reads are x.
 * A graph output keeps its name, so one produced here stays. */
static void drop_identities(qgc_graph *g) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        if ((n->op != QGC_OP_IDENTITY && n->op != QGC_OP_DROPOUT) || !n->in[0]) continue;
        if (n->n_out > 1 && qgc_rw_uses(g, n->out[1]) > 0) continue;
        bool is_output = false;
        for (uint32_t k = 0; k < g->n_outputs; k++) is_output |= g->outputs[k] == n->out[0];
        if (!is_output) qgc_value_replace_uses(g, n->out[0], n->in[0]);
    }
}

qgc_status qgc_pass_canonicalize(qgc_graph *g, qgc_diag *d) {
    qgc_status st;
    drop_identities(g);
    if ((st = qgc_pass_simplify_imports(g, d))) return st;
    /* Folding first: the rewrites look for constant weights and scalars. */
    if ((st = qgc_pass_fold_constants(g, d))) return st;
    if ((st = qgc_lower_gemm(g, d))) return st;
    if ((st = qgc_fuse_layernorm(g, d))) return st;
    return qgc_fuse_gelu(g, d);
}
