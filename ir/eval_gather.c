/* Gathers: Gather, GatherElements, GatherND, Compress and ReverseSequence.
 * Every index comes from data, so each is checked against its dim before it
 * is used; negative indices count from the end where the spec allows it. */
#include <stdlib.h>
#include <string.h>

#include "movement.h"

static int64_t prod(const int64_t *dims, int from, int to) {
    int64_t p = 1;
    for (int i = from; i < to; i++) p *= dims[i];
    return p;
}

/* ---- Gather -------------------------------------------------------------- */

/* y = data[:axis] + indices.shape + data[axis+1:] */
qgc_status qgc_infer_gather(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *ix = &in[1]->type;
    qgc_status st = qgc_check_index_dtype(n, in[1], "indices", d);
    if (st) return st;
    qgc_type_unknown(out, x->dtype, -1);
    if (x->rank < 0 || ix->rank < 0) return QGC_OK;
    int axis;
    if (!qgc_norm_axis(qgc_attr_int(n, "axis", 0), x->rank, &axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis out of range for rank %d", QGC_LABEL(n),
                        x->rank);
    if (x->rank - 1 + ix->rank > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: output rank %d exceeds %d", QGC_LABEL(n),
                        x->rank - 1 + ix->rank, QGC_MAX_RANK);
    out->rank = 0;
    for (int i = 0; i < x->rank; i++) {
        if (i != axis) {
            out->sym[out->rank] = x->sym[i];
            out->dims[out->rank++] = x->dims[i];
            continue;
        }
        for (int j = 0; j < ix->rank; j++) {
            out->sym[out->rank] = ix->sym[j];
            out->dims[out->rank++] = ix->dims[j];
        }
    }
    return QGC_OK;
}

qgc_status qgc_eval_gather(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                           qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    const qgc_tensor *ix = in[1];
    int axis;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (st) return st;
    if (!qgc_norm_axis(qgc_attr_int(n, "axis", 0), x->rank, &axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis out of range for rank %d", QGC_LABEL(n),
                        x->rank);
    int64_t dim = x->dims[axis], outer = prod(x->dims, 0, axis), nidx = qgc_tensor_numel(ix);
    size_t row = (size_t)prod(x->dims, axis + 1, x->rank) * es;
    for (int64_t j = 0, v; j < nidx; j++)
        if (!qgc_wrap_index(qgc_load_i64(ix->type.dtype, ix->data, j), dim, &v))
            return qgc_bad_index(n, "index", qgc_load_i64(ix->type.dtype, ix->data, j), dim, d);
    char *dst = out[0]->data;
    const char *src = in[0]->data;
    if (row == 0) return QGC_OK;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t j = 0; j < nidx; j++, dst += row) {
            int64_t v = qgc_load_i64(ix->type.dtype, ix->data, j); /* checked above */
            memcpy(dst, src + (size_t)(o * dim + (v < 0 ? v + dim : v)) * row, row);
        }
    }
    return QGC_OK;
}

/* ---- GatherElements ------------------------------------------------------- */

qgc_status qgc_infer_gather_elements(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                                     qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *ix = &in[1]->type;
    qgc_status st = qgc_check_index_dtype(n, in[1], "indices", d);
    if (st) return st;
    if (x->rank >= 0 && ix->rank >= 0 && x->rank != ix->rank)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: indices have rank %d, data %d", QGC_LABEL(n),
                        ix->rank, x->rank);
    *out = *ix;
    out->dtype = x->dtype;
    return QGC_OK;
}

/* y[i] = data[i with i[axis] replaced by indices[i]] */
qgc_status qgc_eval_gather_elements(const qgc_node *n, const qgc_tensor *const *in,
                                    qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *it = &in[1]->type;
    int axis, r = x->rank;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (st) return st;
    if (!qgc_norm_axis(qgc_attr_int(n, "axis", 0), r, &axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis out of range for rank %d", QGC_LABEL(n), r);
    for (int k = 0; k < r; k++)
        if (k != axis && it->dims[k] > x->dims[k])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: indices dim %d (%lld) exceeds data's (%lld)",
                            QGC_LABEL(n), k, (long long)it->dims[k], (long long)x->dims[k]);
    int64_t xs[QGC_MAX_RANK], idx[QGC_MAX_RANK] = {0}, total = qgc_tensor_numel(in[1]);
    qgc_strides(x, xs);
    char *dst = out[0]->data;
    const char *src = in[0]->data;
    for (int64_t e = 0; e < total; e++) {
        int64_t raw = qgc_load_i64(it->dtype, in[1]->data, e), v, off = 0;
        if (!qgc_wrap_index(raw, x->dims[axis], &v))
            return qgc_bad_index(n, "index", raw, x->dims[axis], d);
        for (int k = 0; k < r; k++) off += (k == axis ? v : idx[k]) * xs[k];
        memcpy(dst + e * (int64_t)es, src + off * (int64_t)es, es);
        for (int k = r - 1; k >= 0 && ++idx[k] == it->dims[k]; k--) idx[k] = 0;
    }
    return QGC_OK;
}

/* ---- GatherND ----------------------------------------------------------- */

/* Checks data and indices types (ranks known) for batch_dims b; *m gets the
 * index tuple length (-1 if unknown). */
static qgc_status gather_nd_check(const qgc_node *n, const qgc_type *x, const qgc_type *ix,
                                  int64_t b, int64_t *m, qgc_diag *d) {
    if (ix->rank < 1 || x->rank < 1 || b < 0 || b >= ix->rank || b >= x->rank)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: batch_dims %lld invalid for ranks %d and %d",
                        QGC_LABEL(n), (long long)b, x->rank, ix->rank);
    *m = ix->dims[ix->rank - 1];
    if (*m == 0 || *m > x->rank - b)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: index tuples of %lld for data rank %d",
                        QGC_LABEL(n), (long long)*m, x->rank);
    for (int i = 0; i < b; i++)
        if (x->dims[i] >= 0 && ix->dims[i] >= 0 && x->dims[i] != ix->dims[i])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: batch dim %d differs", QGC_LABEL(n), i);
    return QGC_OK;
}

/* y = indices.shape[:-1] + data.shape[batch_dims + m:], m = indices.shape[-1] */
qgc_status qgc_infer_gather_nd(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                               qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *ix = &in[1]->type;
    int64_t b = qgc_attr_int(n, "batch_dims", 0), m;
    qgc_status st = qgc_check_index_dtype(n, in[1], "indices", d);
    if (st) return st;
    qgc_type_unknown(out, x->dtype, -1);
    if (x->rank < 0 || ix->rank < 0) return QGC_OK;
    if ((st = gather_nd_check(n, x, ix, b, &m, d))) return st;
    if (m < 0) return QGC_OK;
    out->rank = 0;
    for (int i = 0; i < ix->rank - 1; i++) out->dims[out->rank++] = ix->dims[i];
    for (int i = (int)(b + m); i < x->rank; i++) out->dims[out->rank++] = x->dims[i];
    return QGC_OK;
}

qgc_status qgc_eval_gather_nd(const qgc_node *n, const qgc_tensor *const *in,
                              qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *it = &in[1]->type;
    int64_t b = qgc_attr_int(n, "batch_dims", 0), m;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (!st) st = gather_nd_check(n, x, it, b, &m, d);
    if (st) return st;
    int64_t xs[QGC_MAX_RANK];
    qgc_strides(x, xs);
    int64_t batches = prod(x->dims, 0, (int)b), per_batch = prod(it->dims, (int)b, it->rank - 1);
    int64_t slice = prod(x->dims, (int)(b + m), x->rank), batch_size = b ? xs[b - 1] : 0;
    size_t bytes = (size_t)slice * es;
    char *dst = out[0]->data;
    const char *src = in[0]->data;
    for (int64_t bt = 0, t = 0; bt < batches; bt++) {
        for (int64_t j = 0; j < per_batch; j++, t++, dst += bytes) {
            int64_t off = bt * batch_size;
            for (int k = 0; k < m; k++) {
                int64_t raw = qgc_load_i64(it->dtype, in[1]->data, t * m + k), v;
                if (!qgc_wrap_index(raw, x->dims[b + k], &v))
                    return qgc_bad_index(n, "index", raw, x->dims[b + k], d);
                off += v * xs[b + k];
            }
            if (bytes) memcpy(dst, src + off * (int64_t)es, bytes);
        }
    }
    return QGC_OK;
}

/* ---- Compress ------------------------------------------------------------ */

/* Number of true entries of the condition within the first dim entries;
 * -1 (with *d set) if a true entry lies beyond the axis. */
static int64_t count_selected(const qgc_node *n, const qgc_tensor *cond, int64_t dim,
                              qgc_diag *d) {
    int64_t len = qgc_tensor_numel(cond), cnt = 0;
    for (int64_t i = 0; i < len; i++) {
        if (qgc_load_f64(cond->type.dtype, cond->data, i) == 0) continue;
        if (i >= dim) {
            qgc_bad_index(n, "condition entry", i, dim, d);
            return -1;
        }
        cnt++;
    }
    return cnt;
}

/* Without axis (*axis = -1) the input is flattened first. */
static qgc_status compress_axis(const qgc_node *n, const qgc_type *x, int *axis, qgc_diag *d) {
    const qgc_attr *a = qgc_attr_get(n, "axis");
    if (!a) {
        *axis = -1;
        return QGC_OK;
    }
    if (!qgc_norm_axis(a->i, x->rank, axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld out of range for rank %d",
                        QGC_LABEL(n), (long long)a->i, x->rank);
    return QGC_OK;
}

qgc_status qgc_infer_compress(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                              qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int axis;
    qgc_type_unknown(out, x->dtype, qgc_attr_get(n, "axis") ? x->rank : 1);
    if (x->rank < 0) return QGC_OK;
    qgc_status st = compress_axis(n, x, &axis, d);
    if (st) return st;
    for (int i = 0; axis >= 0 && i < x->rank; i++) out->dims[i] = x->dims[i];
    int64_t dim = axis >= 0 ? x->dims[axis] : qgc_type_numel(x);
    if (!in[1]->data || dim < 0) {
        out->dims[axis >= 0 ? axis : 0] = -1;
        return QGC_OK;
    }
    int64_t cnt = count_selected(n, in[1], dim, d);
    if (cnt < 0) return QGC_ERR_INVALID;
    out->dims[axis >= 0 ? axis : 0] = cnt;
    return QGC_OK;
}

qgc_status qgc_eval_compress(const qgc_node *n, const qgc_tensor *const *in,
                             qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    const qgc_tensor *cond = in[1];
    int axis;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (!st) st = compress_axis(n, x, &axis, d);
    if (st) return st;
    int64_t outer = axis >= 0 ? prod(x->dims, 0, axis) : 1;
    int64_t dim = axis >= 0 ? x->dims[axis] : qgc_tensor_numel(in[0]);
    size_t row = (size_t)(axis >= 0 ? prod(x->dims, axis + 1, x->rank) : 1) * es;
    int64_t len = qgc_tensor_numel(cond);
    if (len > dim) len = dim;
    if (count_selected(n, cond, dim, d) < 0) return QGC_ERR_INVALID;
    char *dst = out[0]->data;
    const char *src = in[0]->data;
    for (int64_t o = 0; o < outer && row; o++)
        for (int64_t i = 0; i < len; i++)
            if (qgc_load_f64(cond->type.dtype, cond->data, i) != 0) {
                memcpy(dst, src + (size_t)(o * dim + i) * row, row);
                dst += row;
            }
    return QGC_OK;
}

/* ---- ReverseSequence ----------------------------------------------------- */

/* For batch b the first sequence_lens[b] steps along time_axis are reversed,
 * the rest copied. time_axis and batch_axis are 0 and 1 in some order. */
qgc_status qgc_eval_reverse_sequence(const qgc_node *n, const qgc_tensor *const *in,
                                     qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int64_t ta = qgc_attr_int(n, "time_axis", 0), ba = qgc_attr_int(n, "batch_axis", 1);
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (st) return st;
    if (x->rank < 2 || ta < 0 || ta > 1 || ba < 0 || ba > 1 || ta == ba)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: time_axis %lld / batch_axis %lld invalid",
                        QGC_LABEL(n), (long long)ta, (long long)ba);
    st = qgc_check_index_dtype(n, in[1], "sequence_lens", d);
    if (st) return st;
    int64_t batch = x->dims[ba], steps = x->dims[ta], xs[QGC_MAX_RANK];
    if (qgc_tensor_numel(in[1]) != batch)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: sequence_lens has %lld entries for batch %lld",
                        QGC_LABEL(n), (long long)qgc_tensor_numel(in[1]), (long long)batch);
    qgc_strides(x, xs);
    size_t row = (size_t)xs[1] * es;
    if (in[0]->nbytes) memcpy(out[0]->data, in[0]->data, in[0]->nbytes);
    for (int64_t b = 0; b < batch && row; b++) {
        int64_t len = qgc_load_i64(in[1]->type.dtype, in[1]->data, b);
        if (len < 0 || len > steps)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: sequence_lens[%lld] is %lld, time has %lld",
                            QGC_LABEL(n), (long long)b, (long long)len, (long long)steps);
        for (int64_t t = 0; t < len; t++) {
            int64_t to = t * xs[ta] + b * xs[ba], from = (len - 1 - t) * xs[ta] + b * xs[ba];
            memcpy((char *)out[0]->data + to * (int64_t)es,
                   (const char *)in[0]->data + from * (int64_t)es, row);
        }
    }
    return QGC_OK;
}
