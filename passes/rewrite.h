/* What the pattern rewrites of canonicalize (lower_gemm.c, fuse_layernorm.c,
 * fuse_gelu.c) share: looking at uses and constants, and making the new
 * nodes in place of the ones they replace. Internal to passes/. */
#ifndef QGC_REWRITE_H
#define QGC_REWRITE_H

#include "qgc_ir.h"

/* Exporters write constants such as sqrt(2) rounded (1.4142, 1.41421):
 * a constant matches a wanted value within this relative tolerance. */
#define QGC_RW_CONST_RTOL 1e-4

/* Number of node input slots and graph outputs that read v. */
int qgc_rw_uses(const qgc_graph *g, const qgc_value *v);
/* The node that reads v when that is v's only use, else NULL. */
qgc_node *qgc_rw_sole_user(const qgc_graph *g, const qgc_value *v);
/* v's producer when it is a node of op, else NULL. */
qgc_node *qgc_rw_producer(const qgc_value *v, qgc_op op);
/* The operand of the two-input node n that is not `a`; NULL when a is not
 * one of its operands or is both. */
qgc_value *qgc_rw_other_operand(const qgc_node *n, const qgc_value *a);
/* True when v is a one-element constant of rank <= max_rank (so that it
 * broadcasts without growing a rank-max_rank operand); *out gets its value. */
bool qgc_rw_scalar(const qgc_value *v, int max_rank, double *out);
/* True when v is such a constant within QGC_RW_CONST_RTOL of want. */
bool qgc_rw_scalar_near(const qgc_value *v, int max_rank, double want);

/* A node of op reading in[0..n_in), with one result, placed right before pos
 * in the node list and named after it: pos's ONNX name + suffix, so every
 * diagnostic still points back to the model's node. Its result type is not
 * inferred yet (attributes may follow): call qgc_rw_infer. NULL on out of
 * memory, with d set. */
qgc_node *qgc_rw_node_before(qgc_graph *g, const qgc_node *pos, const char *suffix, qgc_op op,
                             int n_in, qgc_value *const *in, qgc_diag *d);
/* Runs n's shape rule on its inputs' types (and constant data) and sets the
 * types of its results. */
qgc_status qgc_rw_infer(qgc_node *n, qgc_diag *d);
/* A new unnamed zero-filled constant of static type t; *data receives its
 * tensor for the caller to fill. NULL on out of memory, with d set. */
qgc_value *qgc_rw_const(qgc_graph *g, const qgc_type *t, qgc_tensor **data, qgc_diag *d);
/* A new rank-0 constant of dtype holding v. */
qgc_value *qgc_rw_scalar_const(qgc_graph *g, qgc_dtype dtype, double v, qgc_diag *d);
/* Makes every user of `from` (nodes and graph outputs) read `to` instead, and
 * moves from's name (the model's tensor name) to `to`. */
void qgc_rw_replace(qgc_graph *g, qgc_value *from, qgc_value *to);

#endif
