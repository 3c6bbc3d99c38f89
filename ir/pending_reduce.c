/* PENDING: placeholders until the real implementations land; this file must be deleted. */
#include "ops.h"

qgc_status qgc_infer_reduce(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_reduce(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_infer_arg(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_arg(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_softmax(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_cumsum(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
