/* Shape inference over a whole graph, and the reference interpreter. */
#ifndef QGC_INTERP_H
#define QGC_INTERP_H

#include "qgc_ir.h"

/* Fills every value's type from the op table's shape rules, in node order.
 * Small integer tensors whose values can be computed at compile time (shape
 * arithmetic: Shape -> Gather -> Concat -> Reshape) are evaluated on the way
 * so that the shapes that depend on them become static too. Errors name the
 * node. */
qgc_status qgc_infer_shapes(qgc_graph *g, qgc_diag *d);

/* Runs the graph on the given inputs (one per graph input, in order; each must
 * match the input's dtype and known dims). On success *outputs[i] is a new
 * tensor for each graph output, owned by the caller (qgc_tensor_free).
 * Intermediate tensors are freed after their last use. */
qgc_status qgc_interp_run(const qgc_graph *g, const qgc_tensor *const *inputs,
                          qgc_tensor **outputs, qgc_diag *d);

/* Evaluates one node on concrete inputs: runs its shape rule on them,
 * allocates outputs and calls its eval function. On success out[i] are new
 * tensors owned by the caller. */
qgc_status qgc_eval_node(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor **out,
                         qgc_diag *d);

#endif
