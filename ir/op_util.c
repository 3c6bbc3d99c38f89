/* Helpers shared by the op implementations. */
#include <stdio.h>

#include "ops.h"

bool qgc_norm_axis(int64_t axis, int rank, int *out) {
    if (axis < -rank || axis >= rank) return false;
    *out = (int)(axis < 0 ? axis + rank : axis);
    return true;
}

qgc_status qgc_broadcast_shape(const qgc_node *n, const qgc_type *a, const qgc_type *b,
                               qgc_type *out, qgc_diag *d) {
    if (a->rank < 0 || b->rank < 0) {
        out->rank = -1;
        return QGC_OK;
    }
    int r = a->rank > b->rank ? a->rank : b->rank;
    out->rank = r;
    for (int i = 0; i < r; i++) {
        int ia = i - (r - a->rank), ib = i - (r - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        const char *sa = ia >= 0 ? a->sym[ia] : NULL, *sb = ib >= 0 ? b->sym[ib] : NULL;
        out->sym[i] = NULL;
        if (da == 1) {
            out->dims[i] = db;
            out->sym[i] = sb;
        } else if (db == 1 || da == db) {
            out->dims[i] = da;
            out->sym[i] = sa;
        } else if (da < 0 || db < 0) {
            out->dims[i] = da < 0 ? db : da; /* the known one wins (the unknown must be 1 or equal) */
            if (da < 0 && db < 0) out->sym[i] = sa;
        } else {
            char lbl[160];
            return qgc_fail(d, QGC_ERR_INVALID,
                            "%s: shapes do not broadcast (dim %d: %lld vs %lld)",
                            qgc_node_label(n, lbl, sizeof lbl), i, (long long)da, (long long)db);
        }
    }
    return QGC_OK;
}

int qgc_tensor_read_ints(const qgc_tensor *t, int64_t *dst, int max) {
    if (!t || !t->data || (t->type.dtype != QGC_I64 && t->type.dtype != QGC_I32)) return -1;
    int64_t n = qgc_tensor_numel(t);
    if (n < 0 || n > max) return -1;
    for (int64_t i = 0; i < n; i++) dst[i] = qgc_load_i64(t->type.dtype, t->data, i);
    return (int)n;
}

qgc_status qgc_node_check_inputs(const qgc_node *n, qgc_diag *d) {
    const qgc_op_info *op = &qgc_ops[n->op];
    char lbl[160];
    if (n->n_in < op->min_in || (op->max_in >= 0 && n->n_in > op->max_in) ||
        n->n_out < op->min_out || (op->max_out >= 0 && n->n_out > op->max_out))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: %d inputs and %d outputs, not what the op takes",
                        qgc_node_label(n, lbl, sizeof lbl), n->n_in, n->n_out);
    for (int i = 0; i < op->min_in; i++)
        if (!n->in[i])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: required input %d is absent",
                            qgc_node_label(n, lbl, sizeof lbl), i);
    return QGC_OK;
}

qgc_status qgc_node_axis(const qgc_node *n, int64_t dflt, int rank, int *axis, qgc_diag *d) {
    int64_t a = qgc_attr_int(n, "axis", dflt);
    char lbl[160];
    if (!qgc_norm_axis(a, rank, axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld out of range for rank %d",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)a, rank);
    return QGC_OK;
}
