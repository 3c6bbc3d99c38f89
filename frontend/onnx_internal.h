/* Shared between the ONNX loader's files; not part of the public API. */
#ifndef QGC_ONNX_INTERNAL_H
#define QGC_ONNX_INTERNAL_H

#include "onnx.pb-c.h"
#include "qgc_frontend.h"

#define QGC_DEFAULT_MAX_TENSOR_BYTES (UINT64_C(4) << 30)

/* Where tensors come from and how many bytes they may still take. */
typedef struct {
    const char *base_dir; /* folder external data is relative to; NULL: refused */
    uint64_t budget;      /* bytes left before max_tensor_bytes is exceeded */
} qgc_onnx_tensor_src;

/* TensorProto -> new tensor (raw_data, typed fields or external data). Every
 * error names the tensor; `what` says what the tensor is ("initializer",
 * "attribute", ...) for the message. Charges the tensor's bytes to src. */
qgc_status qgc_onnx_tensor(const Onnx__TensorProto *tp, const char *what,
                           qgc_onnx_tensor_src *src, qgc_tensor **out, qgc_diag *d);

/* TypeProto -> qgc_type. Strings in *t (sym) are copied into g's arena.
 * Non-tensor types and strings are QGC_ERR_UNSUPPORTED; messages start with
 * `what` ("graph input 'x'"). */
qgc_status qgc_onnx_type(qgc_graph *g, const Onnx__TypeProto *tp, const char *what,
                         qgc_type *t, qgc_diag *d);
/* Applies the "NAME=N" / "INPUT=AxBxC" overrides to every value of g. */
qgc_status qgc_onnx_apply_shapes(qgc_graph *g, const qgc_load_options *opt, qgc_diag *d);

/* A node being imported, before it becomes a qgc_node: the opset rewrites
 * (onnx_opset.c) edit its inputs and attributes into the IR's form. */
typedef struct {
    qgc_graph *g;
    const char *name;    /* ONNX node name ("" if none) */
    const char *label;   /* name for messages: the node name, or its first output */
    const char *op_type; /* ONNX op_type */
    qgc_op op;
    int opset;
    qgc_value **in;
    int n_in, cap_in;
    qgc_attr *attr;
    int n_attr, cap_attr;
    int n_out;
    /* Set by a rewrite that needs the result reshaped back to this value's
     * shape (old Softmax: flatten -> op -> reshape). */
    qgc_value *reshape_to;
} qgc_onnx_node;

/* Sets nd->op from nd->op_type (also the legacy op types the table does not
 * list: Upsample, Scatter) and refuses opsets older than the op's `since`. */
qgc_status qgc_onnx_resolve_op(qgc_onnx_node *nd, qgc_diag *d);
/* Rewrites an older form of the op into the newest one. May add constants
 * and nodes before the node (they come first in the graph's order). */
qgc_status qgc_onnx_rewrite(qgc_onnx_node *nd, qgc_diag *d);
/* After the node n exists: emits what must follow it. outs[i] is the value
 * bound to the node's i-th ONNX output name; a rewrite may replace it. */
qgc_status qgc_onnx_finish(qgc_onnx_node *nd, qgc_node *n, qgc_value **outs, qgc_diag *d);

/* Helpers the rewrites share with the loader. */
qgc_status qgc_onnx_push_input(qgc_onnx_node *nd, qgc_value *v, qgc_diag *d);
qgc_attr *qgc_onnx_find_attr(qgc_onnx_node *nd, const char *name);
void qgc_onnx_drop_attr(qgc_onnx_node *nd, const char *name);
qgc_status qgc_onnx_add_attr(qgc_onnx_node *nd, const qgc_attr *a, qgc_diag *d);

#endif
