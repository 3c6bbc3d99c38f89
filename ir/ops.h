/* Declarations of every shape rule and evaluation function the op table
 * (ops.def) names, plus helpers the op implementations share. */
#ifndef QGC_OPS_H
#define QGC_OPS_H

#include "qgc_ir.h"

/* Newest ONNX default-domain opset the frontend imports. */
#define QGC_MIN_OPSET 1
#define QGC_MAX_OPSET 17

#define QGC_OP(id, name, onnx, since, min_in, max_in, min_out, max_out, infer, eval) \
    qgc_status infer(const qgc_node *, const qgc_tensor *const *, qgc_type *, qgc_diag *); \
    qgc_status eval(const qgc_node *, const qgc_tensor *const *, qgc_tensor *const *, qgc_diag *);
#include "ops.def"
#undef QGC_OP

/* Numpy-style broadcast of two static-or-partial shapes into out (dtype untouched).
 * Fails with a message naming the node when dims are incompatible. */
qgc_status qgc_broadcast_shape(const qgc_node *n, const qgc_type *a, const qgc_type *b,
                               qgc_type *out, qgc_diag *d);
/* Checks a node's arity against the op table and that its required inputs
 * are present, so no shape rule or eval function sees a missing operand. */
qgc_status qgc_node_check_inputs(const qgc_node *n, qgc_diag *d);
/* Normalises a possibly negative axis against rank; false if out of range. */
bool qgc_norm_axis(int64_t axis, int rank, int *out);
/* The node's "axis" attribute (dflt when absent), normalised against rank;
 * an error naming the node when out of range. */
qgc_status qgc_node_axis(const qgc_node *n, int64_t dflt, int rank, int *axis, qgc_diag *d);
/* Reads an integer tensor (i32/i64) with data into dst (at most max values);
 * returns the count, or -1 if the tensor has no data, a wrong dtype or too many values. */
int qgc_tensor_read_ints(const qgc_tensor *t, int64_t *dst, int max);

#endif
