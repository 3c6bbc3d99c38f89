/* Concat and Split: the same movement in opposite directions. Along `axis`
 * the whole tensor is the parts laid one after another, so for every index of
 * the outer dims each part is one contiguous run in both tensors. */
#include <stdlib.h>
#include <string.h>

#include "movement.h"

/* Copies between `whole` and its n parts: part i holds lens[i] rows of `row`
 * bytes for each of `outer` outer indices. */
static void move_parts(char *whole, char *const *parts, const int64_t *lens, int n, int64_t outer,
                       size_t row, bool to_whole) {
    for (int64_t o = 0; o < outer; o++) {
        for (int i = 0; i < n; i++) {
            size_t bytes = (size_t)lens[i] * row;
            if (bytes == 0) continue;
            char *part = parts[i] + (size_t)o * bytes;
            if (to_whole) memcpy(whole, part, bytes);
            else memcpy(part, whole, bytes);
            whole += bytes;
        }
    }
}

/* Splits the whole tensor's dims around axis: outer count and the byte size
 * of one row (one index along axis). */
static qgc_status layout(const qgc_node *n, const qgc_type *t, int axis, int64_t *outer,
                         size_t *row, qgc_diag *d) {
    size_t es;
    qgc_status st = qgc_move_esize(n, t->dtype, &es, d);
    if (st) return st;
    int64_t o = 1, r = 1;
    for (int i = 0; i < t->rank; i++) {
        if (i < axis) o *= t->dims[i];
        if (i > axis) r *= t->dims[i];
    }
    *outer = o;
    *row = (size_t)r * es;
    return QGC_OK;
}

/* Axis attribute normalised against rank; `dflt` when absent, `required`
 * makes absence an error. */
static qgc_status get_axis(const qgc_node *n, int rank, bool required, int *axis, qgc_diag *d) {
    if (required && !qgc_attr_get(n, "axis"))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: attribute axis is required", QGC_LABEL(n));
    int64_t a = qgc_attr_int(n, "axis", 0);
    if (!qgc_norm_axis(a, rank, axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld out of range for rank %d",
                        QGC_LABEL(n), (long long)a, rank);
    return QGC_OK;
}

/* ---- Concat ------------------------------------------------------------ */

qgc_status qgc_infer_concat(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    int rank = -1;
    for (int i = 0; i < n->n_in; i++) {
        if (!in[i]) return qgc_fail(d, QGC_ERR_INVALID, "%s: input %d is missing", QGC_LABEL(n), i);
        const qgc_type *t = &in[i]->type;
        if (t->dtype != in[0]->type.dtype)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: input %d has dtype %s, input 0 %s",
                            QGC_LABEL(n), i, qgc_dtype_name(t->dtype),
                            qgc_dtype_name(in[0]->type.dtype));
        if (t->rank >= 0 && rank >= 0 && t->rank != rank)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: input %d has rank %d, expected %d",
                            QGC_LABEL(n), i, t->rank, rank);
        if (t->rank >= 0) rank = t->rank;
    }
    qgc_type_unknown(out, in[0]->type.dtype, rank);
    if (rank < 0) return QGC_OK;
    int axis;
    qgc_status st = get_axis(n, rank, true, &axis, d);
    if (st) return st;
    out->dims[axis] = 0;
    for (int i = 0; i < n->n_in; i++) {
        const qgc_type *t = &in[i]->type;
        if (t->rank < 0) {
            out->dims[axis] = -1;
            continue;
        }
        for (int k = 0; k < rank; k++) {
            if (k == axis) {
                bool known = out->dims[k] >= 0 && t->dims[k] >= 0;
                out->dims[k] = known ? out->dims[k] + t->dims[k] : -1;
            } else if (t->dims[k] >= 0 && out->dims[k] >= 0 && t->dims[k] != out->dims[k]) {
                return qgc_fail(d, QGC_ERR_INVALID, "%s: input %d has dim %d = %lld, expected %lld",
                                QGC_LABEL(n), i, k, (long long)t->dims[k],
                                (long long)out->dims[k]);
            } else if (out->dims[k] < 0) {
                out->dims[k] = t->dims[k];
                out->sym[k] = t->sym[k];
            }
        }
    }
    return qgc_check_dims(n, out, d);
}

qgc_status qgc_eval_concat(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                           qgc_diag *d) {
    const qgc_type *y = &out[0]->type;
    int axis;
    int64_t outer;
    size_t row;
    qgc_status st = get_axis(n, y->rank, true, &axis, d);
    if (!st) st = layout(n, y, axis, &outer, &row, d);
    if (st) return st;
    char **parts = malloc(sizeof *parts * (size_t)n->n_in);
    int64_t *lens = malloc(sizeof *lens * (size_t)n->n_in);
    if (!parts || !lens) {
        free(parts);
        free(lens);
        return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", QGC_LABEL(n));
    }
    for (int i = 0; i < n->n_in; i++) {
        parts[i] = in[i]->data;
        lens[i] = in[i]->type.dims[axis];
    }
    move_parts(out[0]->data, parts, lens, n->n_in, outer, row, true);
    free(parts);
    free(lens);
    return QGC_OK;
}

/* ---- Split ------------------------------------------------------------- */

/* Sizes of the n parts along an axis of length dim when no split input is
 * given: equal parts; opset 18's num_outputs also allows a smaller last part
 * (ceil(dim/n) each, the last one gets the rest). */
static qgc_status even_split(const qgc_node *n, int64_t dim, int parts, int64_t *sizes,
                             qgc_diag *d) {
    const qgc_attr *num = qgc_attr_get(n, "num_outputs");
    if (num && num->i != parts)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: num_outputs is %lld but the node has %d outputs",
                        QGC_LABEL(n), (long long)num->i, parts);
    if (dim % parts && !num)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: dim %lld does not split into %d equal parts",
                        QGC_LABEL(n), (long long)dim, parts);
    int64_t chunk = dim / parts + (dim % parts != 0), left = dim;
    for (int i = 0; i < parts; i++) {
        sizes[i] = chunk < left ? chunk : left;
        left -= sizes[i];
    }
    return QGC_OK;
}

qgc_status qgc_infer_split(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                           qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    const qgc_tensor *split = n->n_in > 1 ? in[1] : NULL;
    for (int i = 0; i < n->n_out; i++) {
        qgc_type_unknown(&out[i], x->dtype, x->rank);
        for (int k = 0; k < x->rank; k++) {
            out[i].dims[k] = x->dims[k];
            out[i].sym[k] = x->sym[k];
        }
    }
    if (x->rank < 0) return QGC_OK;
    int axis;
    qgc_status st = get_axis(n, x->rank, false, &axis, d);
    if (st) return st;
    int64_t dim = x->dims[axis];
    int64_t *sizes = malloc(sizeof *sizes * (size_t)n->n_out);
    if (!sizes) return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", QGC_LABEL(n));
    for (int i = 0; i < n->n_out; i++) sizes[i] = -1;
    if (split && split->data) {
        int64_t cnt, sum = 0;
        st = qgc_read_ints(n, split, "split", sizes, n->n_out, &cnt, d);
        if (!st && cnt != n->n_out)
            st = qgc_fail(d, QGC_ERR_INVALID, "%s: split has %lld sizes for %d outputs",
                          QGC_LABEL(n), (long long)cnt, n->n_out);
        for (int i = 0; !st && i < n->n_out; i++) {
            /* each size and the running sum stay below 2^62: no overflow */
            if (sizes[i] < 0 || sizes[i] >= QGC_DIM_LIMIT || (sum += sizes[i]) >= QGC_DIM_LIMIT)
                st = qgc_fail(d, QGC_ERR_INVALID, "%s: split[%d] is %lld", QGC_LABEL(n), i,
                              (long long)sizes[i]);
        }
        if (!st && dim >= 0 && sum != dim)
            st = qgc_fail(d, QGC_ERR_INVALID, "%s: split sizes add up to %lld, dim is %lld",
                          QGC_LABEL(n), (long long)sum, (long long)dim);
    } else if (!split && dim >= 0) {
        st = even_split(n, dim, n->n_out, sizes, d);
    }
    for (int i = 0; !st && i < n->n_out; i++) {
        out[i].dims[axis] = sizes[i];
        out[i].sym[axis] = NULL;
    }
    free(sizes);
    return st;
}

/* Part sizes come from the output types the shape rule gave. */
qgc_status qgc_eval_split(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                          qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int axis;
    int64_t outer, total = 0;
    size_t row;
    qgc_status st = get_axis(n, x->rank, false, &axis, d);
    if (!st) st = layout(n, x, axis, &outer, &row, d);
    if (st) return st;
    char **parts = malloc(sizeof *parts * (size_t)n->n_out);
    int64_t *lens = malloc(sizeof *lens * (size_t)n->n_out);
    if (!parts || !lens) {
        free(parts);
        free(lens);
        return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", QGC_LABEL(n));
    }
    for (int i = 0; i < n->n_out; i++) {
        parts[i] = out[i]->data;
        lens[i] = out[i]->type.dims[axis];
        total += lens[i];
    }
    if (total != x->dims[axis])
        st = qgc_fail(d, QGC_ERR_INVALID, "%s: outputs cover %lld of %lld along axis %d",
                      QGC_LABEL(n), (long long)total, (long long)x->dims[axis], axis);
    else
        move_parts(in[0]->data, parts, lens, n->n_out, outer, row, false);
    free(parts);
    free(lens);
    return st;
}
