/* The broadcasting iterator, and the shape rules of the ops that use it
 * (binary arithmetic, comparison, logic, variadic max/min/sum/mean, where). */
#include <string.h>

#include "broadcast.h"
#include "ops.h"

void qgc_bcast_init(qgc_bcast *b, const qgc_type *out, int n_in, const qgc_type *const *in) {
    int r = out->rank;
    int64_t st[QGC_BCAST_MAX_IN][QGC_MAX_RANK];
    for (int k = 0; k < n_in; k++) {
        const qgc_type *t = in[k];
        int64_t s = 1;
        for (int i = r - 1; i >= 0; i--) {
            int ik = i - (r - t->rank);
            int64_t dim = ik >= 0 ? t->dims[ik] : 1;
            st[k][i] = dim == 1 ? 0 : s;
            s *= dim;
        }
    }
    b->n_in = n_in;
    b->rank = 0;
    for (int i = 0; i < r; i++) {
        int64_t dim = out->dims[i];
        if (dim == 1) continue;
        int p = b->rank - 1;
        bool merge = p >= 0 && dim != 0 && b->dims[p] != 0;
        for (int k = 0; merge && k < n_in; k++) merge = b->strides[k][p] == st[k][i] * dim;
        if (merge) {
            b->dims[p] *= dim;
            for (int k = 0; k < n_in; k++) b->strides[k][p] = st[k][i];
            continue;
        }
        b->dims[b->rank] = dim;
        for (int k = 0; k < n_in; k++) b->strides[k][b->rank] = st[k][i];
        b->rank++;
    }
    if (b->rank == 0) { /* scalar or all-ones shape: one row of one element */
        b->rank = 1;
        b->dims[0] = 1;
        for (int k = 0; k < n_in; k++) b->strides[k][0] = 0;
    }
}

void qgc_bcast_run(const qgc_bcast *b, qgc_bcast_row_fn fn, void *ctx) {
    for (int i = 0; i < b->rank; i++)
        if (b->dims[i] == 0) return;
    int last = b->rank - 1, k;
    int64_t row = b->dims[last], idx[QGC_MAX_RANK] = {0}, off[QGC_BCAST_MAX_IN] = {0},
            step[QGC_BCAST_MAX_IN];
    for (k = 0; k < b->n_in; k++) step[k] = b->strides[k][last];
    for (int64_t out_off = 0;; out_off += row) {
        fn(ctx, row, out_off, off, step);
        /* odometer over the outer dims, moving every input's offset along */
        int i = last - 1;
        for (; i >= 0; i--) {
            for (k = 0; k < b->n_in; k++) off[k] += b->strides[k][i];
            if (++idx[i] < b->dims[i]) break;
            for (k = 0; k < b->n_in; k++) off[k] -= b->strides[k][i] * b->dims[i];
            idx[i] = 0;
        }
        if (i < 0) return;
    }
}

/* ---- shape rules ---------------------------------------------------------- */

static qgc_status dtype_error(const qgc_node *n, const char *what, qgc_dtype t, qgc_diag *d) {
    char lbl[160];
    const char *name = qgc_dtype_name(t);
    return qgc_fail(d, t == QGC_STRING ? QGC_ERR_UNSUPPORTED : QGC_ERR_INVALID,
                    "%s: %s, not %s", qgc_node_label(n, lbl, sizeof lbl), what,
                    name ? name : "an unknown dtype");
}

/* Checks the operand dtypes an op accepts (QGC_UNDEF: not known yet). */
static qgc_status check_dtypes(const qgc_node *n, const qgc_tensor *const *in, int first,
                               qgc_diag *d) {
    qgc_dtype t0 = in[first]->type.dtype;
    for (int k = first; k < n->n_in; k++) {
        if (!in[k]) continue;
        qgc_dtype t = in[k]->type.dtype;
        if (t == QGC_UNDEF) continue;
        if (t == QGC_STRING) return dtype_error(n, "operands must be numeric", t, d);
        /* Pow's exponent may have another dtype than its base (ONNX Pow-12) */
        if (n->op != QGC_OP_POW && t0 != QGC_UNDEF && t != t0)
            return dtype_error(n, "operands must all have the first operand's dtype", t, d);
        if (n->op == QGC_OP_BITSHIFT && (!qgc_dtype_is_int(t) || qgc_dtype_is_signed(t)))
            return dtype_error(n, "operands must be unsigned integers", t, d);
        if ((n->op == QGC_OP_AND || n->op == QGC_OP_OR || n->op == QGC_OP_XOR) && t != QGC_BOOL)
            return dtype_error(n, "operands must be bool", t, d);
    }
    return QGC_OK;
}

/* Broadcast of the shapes of in[first..n_in) (absent inputs skipped) into *out. */
static qgc_status broadcast_all(const qgc_node *n, const qgc_tensor *const *in, int first,
                                qgc_type *out, qgc_diag *d) {
    qgc_type acc = in[first]->type;
    for (int k = first + 1; k < n->n_in; k++) {
        if (!in[k]) continue;
        qgc_type next;
        memset(&next, 0, sizeof next);
        qgc_status st = qgc_broadcast_shape(n, &acc, &in[k]->type, &next, d);
        if (st != QGC_OK) return st;
        next.dtype = acc.dtype;
        acc = next;
    }
    *out = acc;
    return QGC_OK;
}

qgc_status qgc_infer_broadcast(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                               qgc_diag *d) {
    qgc_status st = check_dtypes(n, in, 0, d);
    return st != QGC_OK ? st : broadcast_all(n, in, 0, &out[0], d);
}

qgc_status qgc_infer_compare(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    qgc_status st = qgc_infer_broadcast(n, in, out, d);
    out[0].dtype = QGC_BOOL;
    return st;
}

qgc_status qgc_infer_where(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                           qgc_diag *d) {
    qgc_dtype c = in[0]->type.dtype;
    if (c != QGC_UNDEF && c != QGC_BOOL) return dtype_error(n, "condition must be bool", c, d);
    qgc_status st = check_dtypes(n, in, 1, d);
    if (st != QGC_OK) return st;
    st = broadcast_all(n, in, 0, &out[0], d);
    out[0].dtype = in[1]->type.dtype;
    return st;
}
