/* PENDING: placeholders until the real implementations land; this file must be deleted. */
#include "ops.h"

qgc_status qgc_infer_unary(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_unary(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_infer_unary_bool(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_identity(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_clip(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_infer_broadcast(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_binary(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_infer_compare(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_variadic(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_infer_where(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_where(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_infer_cast(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
qgc_status qgc_eval_cast(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out, qgc_diag *d) { (void)in; (void)out; return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: not implemented yet", qgc_ops[n->op].name); }
