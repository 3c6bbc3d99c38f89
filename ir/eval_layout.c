/* Layout ops: Transpose, the view ops that keep the bytes (Reshape, Flatten,
 * Squeeze, Unsqueeze), DepthToSpace / SpaceToDepth, Expand and Tile.
 * Semantics: ONNX operator spec (opset 13+ forms). Every copy goes through
 * qgc_move_strided. */
#include <string.h>

#include "movement.h"

static void copy_dim(qgc_type *out, int i, const qgc_type *x, int j) {
    out->dims[i] = x->dims[j];
    out->sym[i] = x->sym[j];
}

/* A plan whose destination is the contiguous tensor of `dims`, walked in order. */
static void plan_dense_dst(qgc_move_plan *p, int rank, const int64_t *dims) {
    p->rank = rank;
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        p->dims[i] = dims[i];
        p->dst_stride[i] = s;
        s *= dims[i];
    }
}

static qgc_status move(const qgc_node *n, const qgc_move_plan *p, const qgc_tensor *x,
                       qgc_tensor *y, qgc_diag *d) {
    size_t es;
    qgc_status st = qgc_move_esize(n, x->type.dtype, &es, d);
    if (st) return st;
    qgc_move_strided(p, es, y->data, x->data);
    return QGC_OK;
}

/* ---- Transpose ------------------------------------------------------------ */

/* perm attribute, default reversed axes; must be a permutation of [0, rank). */
static qgc_status read_perm(const qgc_node *n, int rank, int *perm, qgc_diag *d) {
    int cnt;
    const int64_t *p = qgc_attr_ints(n, "perm", &cnt);
    if (!p) {
        for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
        return QGC_OK;
    }
    if (cnt != rank)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: perm has %d entries for rank %d", QGC_LABEL(n),
                        cnt, rank);
    bool seen[QGC_MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        if (p[i] < 0 || p[i] >= rank || seen[p[i]])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: perm is not a permutation of 0..%d",
                            QGC_LABEL(n), rank - 1);
        seen[p[i]] = true;
        perm[i] = (int)p[i];
    }
    return QGC_OK;
}

qgc_status qgc_infer_transpose(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                               qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int cnt, perm[QGC_MAX_RANK];
    if (x->rank < 0) {
        bool has_perm = qgc_attr_ints(n, "perm", &cnt) != NULL;
        qgc_type_unknown(out, x->dtype, has_perm && cnt <= QGC_MAX_RANK ? cnt : -1);
        return QGC_OK;
    }
    qgc_status st = read_perm(n, x->rank, perm, d);
    if (st) return st;
    qgc_type_unknown(out, x->dtype, x->rank);
    for (int i = 0; i < x->rank; i++) copy_dim(out, i, x, perm[i]);
    return QGC_OK;
}

qgc_status qgc_eval_transpose(const qgc_node *n, const qgc_tensor *const *in,
                              qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int perm[QGC_MAX_RANK];
    int64_t xs[QGC_MAX_RANK];
    qgc_status st = read_perm(n, x->rank, perm, d);
    if (st) return st;
    qgc_strides(x, xs);
    qgc_move_plan p;
    plan_dense_dst(&p, x->rank, out[0]->type.dims);
    for (int i = 0; i < x->rank; i++) p.src_stride[i] = xs[perm[i]];
    return move(n, &p, in[0], out[0], d);
}

/* ---- views: same bytes, new shape ---------------------------------------- */

qgc_status qgc_eval_copy(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    if (in[0]->nbytes != out[0]->nbytes)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: output has %zu bytes, input %zu", QGC_LABEL(n),
                        out[0]->nbytes, in[0]->nbytes);
    if (in[0]->nbytes) memcpy(out[0]->data, in[0]->data, in[0]->nbytes);
    return QGC_OK;
}

/* Reshape: 0 copies the input dim (unless allowzero=1), one -1 is inferred
 * from the element count. */
qgc_status qgc_infer_reshape(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    const qgc_type *st = &in[1]->type;
    if (!in[1]->data) {
        bool len_known = st->rank == 1 && st->dims[0] >= 0 && st->dims[0] <= QGC_MAX_RANK;
        qgc_type_unknown(out, x->dtype, len_known ? (int)st->dims[0] : -1);
        return QGC_OK;
    }
    int64_t shape[QGC_MAX_RANK], cnt;
    qgc_status s = qgc_read_ints(n, in[1], "shape", shape, QGC_MAX_RANK, &cnt, d);
    if (s) return s;
    bool allowzero = qgc_attr_int(n, "allowzero", 0) != 0;
    qgc_type_unknown(out, x->dtype, (int)cnt);
    int infer_at = -1;
    bool has_zero = false;
    int64_t known = 1; /* product of the known output dims, -1 if one is unknown */
    for (int i = 0; i < cnt; i++) {
        int64_t v = shape[i];
        if (v == -1) {
            if (infer_at >= 0)
                return qgc_fail(d, QGC_ERR_INVALID, "%s: shape has more than one -1", QGC_LABEL(n));
            infer_at = i;
            continue;
        }
        if (v < -1 || v >= QGC_DIM_LIMIT)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: shape[%d] is %lld", QGC_LABEL(n), i,
                            (long long)v);
        if (v == 0 && !allowzero) {
            if (x->rank >= 0 && i >= x->rank)
                return qgc_fail(d, QGC_ERR_INVALID,
                                "%s: shape[%d] is 0 (copy) but the input has rank %d",
                                QGC_LABEL(n), i, x->rank);
            if (x->rank >= 0) copy_dim(out, i, x, i);
        } else {
            has_zero |= v == 0;
            out->dims[i] = v;
        }
        known = qgc_dim_mul(known, out->dims[i]);
    }
    if (allowzero && has_zero && infer_at >= 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: shape has both 0 and -1 with allowzero=1",
                        QGC_LABEL(n));
    int64_t numel = qgc_type_numel(x);
    if (numel >= 0 && known >= 0 && known < QGC_DIM_LIMIT) {
        if (infer_at >= 0) {
            if (known == 0 || numel % known)
                return qgc_fail(d, QGC_ERR_INVALID, "%s: cannot infer -1: %lld elements into %lld",
                                QGC_LABEL(n), (long long)numel, (long long)known);
            out->dims[infer_at] = numel / known;
        } else if (known != numel) {
            return qgc_fail(d, QGC_ERR_INVALID, "%s: cannot reshape %lld elements into %lld",
                            QGC_LABEL(n), (long long)numel, (long long)known);
        }
    }
    return qgc_check_dims(n, out, d);
}

/* Flatten: [prod(dims[:axis]), prod(dims[axis:])], axis in [-r, r]. */
qgc_status qgc_infer_flatten(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    qgc_type_unknown(out, x->dtype, 2);
    if (x->rank < 0) return QGC_OK;
    int64_t axis = qgc_attr_int(n, "axis", 1);
    if (axis < -x->rank || axis > x->rank)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld out of range for rank %d",
                        QGC_LABEL(n), (long long)axis, x->rank);
    if (axis < 0) axis += x->rank;
    out->dims[0] = out->dims[1] = 1;
    for (int i = 0; i < x->rank; i++)
        out->dims[i >= axis] = qgc_dim_mul(out->dims[i >= axis], x->dims[i]);
    return qgc_check_dims(n, out, d);
}

/* Reads an axes input and normalises it against `rank`; marks them in `on`.
 * Duplicates and out-of-range axes are errors. */
static qgc_status read_axes(const qgc_node *n, const qgc_tensor *t, int rank, bool *on,
                            int64_t *count, qgc_diag *d) {
    int64_t axes[QGC_MAX_RANK];
    qgc_status st = qgc_read_ints(n, t, "axes", axes, QGC_MAX_RANK, count, d);
    if (st) return st;
    memset(on, 0, sizeof(bool) * QGC_MAX_RANK);
    for (int64_t i = 0; i < *count; i++) {
        int a;
        if (!qgc_norm_axis(axes[i], rank, &a) || on[a])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range or repeated",
                            QGC_LABEL(n), (long long)axes[i]);
        on[a] = true;
    }
    return QGC_OK;
}

/* Length of a 1-D integer input from its type when its value is unknown; -1 if not known. */
static int64_t list_len(const qgc_tensor *t) {
    return t->type.rank == 1 ? t->type.dims[0] : t->type.rank == 0 ? 1 : -1;
}

qgc_status qgc_infer_squeeze(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    const qgc_tensor *axes = n->n_in > 1 ? in[1] : NULL;
    bool on[QGC_MAX_RANK] = {false};
    qgc_type_unknown(out, x->dtype, -1);
    if (x->rank < 0) return QGC_OK;
    if (axes && !axes->data) {
        int64_t k = list_len(axes);
        if (k >= 0 && k <= x->rank) out->rank = x->rank - (int)k;
        return QGC_OK;
    }
    if (axes) {
        int64_t cnt;
        qgc_status st = read_axes(n, axes, x->rank, on, &cnt, d);
        if (st) return st;
    } else {
        /* no axes: every dim of size 1 goes, which needs every dim known */
        for (int i = 0; i < x->rank; i++) {
            if (x->dims[i] < 0) return QGC_OK;
            on[i] = x->dims[i] == 1;
        }
    }
    out->rank = 0;
    for (int i = 0; i < x->rank; i++) {
        if (!on[i]) {
            copy_dim(out, out->rank++, x, i);
        } else if (x->dims[i] != 1 && x->dims[i] != -1) {
            return qgc_fail(d, QGC_ERR_INVALID, "%s: cannot squeeze axis %d of size %lld",
                            QGC_LABEL(n), i, (long long)x->dims[i]);
        }
    }
    return QGC_OK;
}

qgc_status qgc_infer_unsqueeze(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                               qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    qgc_type_unknown(out, x->dtype, -1);
    int64_t k = list_len(in[1]);
    if (x->rank < 0 || k < 0) return QGC_OK;
    if (x->rank + k > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: output rank %lld exceeds %d", QGC_LABEL(n),
                        (long long)(x->rank + k), QGC_MAX_RANK);
    out->rank = x->rank + (int)k;
    if (!in[1]->data) return QGC_OK;
    bool on[QGC_MAX_RANK];
    qgc_status st = read_axes(n, in[1], out->rank, on, &k, d);
    if (st) return st;
    for (int i = 0, j = 0; i < out->rank; i++) {
        if (on[i]) out->dims[i] = 1;
        else copy_dim(out, i, x, j++);
    }
    return QGC_OK;
}

/* ---- DepthToSpace / SpaceToDepth ----------------------------------------- */

static qgc_status block_size(const qgc_node *n, const qgc_type *x, int64_t *b, qgc_diag *d) {
    *b = qgc_attr_int(n, "blocksize", 0);
    if (*b <= 0 || *b > (INT64_C(1) << 30))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: blocksize %lld is invalid", QGC_LABEL(n),
                        (long long)*b);
    if (x->rank >= 0 && x->rank != 4)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: input must have rank 4, not %d", QGC_LABEL(n),
                        x->rank);
    return QGC_OK;
}

/* True for CRD (column, row, depth) mode, false for the default DCR. */
static qgc_status d2s_mode(const qgc_node *n, bool *crd, qgc_diag *d) {
    const char *m = qgc_attr_string(n, "mode", "DCR");
    *crd = strcmp(m, "CRD") == 0;
    if (!*crd && strcmp(m, "DCR") != 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: mode '%s' is not DCR or CRD", QGC_LABEL(n), m);
    return QGC_OK;
}

qgc_status qgc_infer_depth_to_space(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                                    qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int64_t b;
    bool crd;
    qgc_status st = block_size(n, x, &b, d);
    if (!st) st = d2s_mode(n, &crd, d);
    if (st) return st;
    qgc_type_unknown(out, x->dtype, 4);
    if (x->rank < 0) return QGC_OK;
    if (x->dims[1] >= 0 && x->dims[1] % (b * b))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: channels %lld not divisible by blocksize^2",
                        QGC_LABEL(n), (long long)x->dims[1]);
    copy_dim(out, 0, x, 0);
    out->dims[1] = x->dims[1] < 0 ? -1 : x->dims[1] / (b * b);
    out->dims[2] = qgc_dim_mul(x->dims[2], b);
    out->dims[3] = qgc_dim_mul(x->dims[3], b);
    return qgc_check_dims(n, out, d);
}

/* y[n][c][h*b+i][w*b+j] = x[n][ch][h][w] with ch = (i*b + j)*C' + c (DCR) or
 * c*b*b + i*b + j (CRD): walked as the 6-D view [N, C', H, i, W, j] of y. */
qgc_status qgc_eval_depth_to_space(const qgc_node *n, const qgc_tensor *const *in,
                                   qgc_tensor *const *out, qgc_diag *d) {
    const int64_t *xd = in[0]->type.dims;
    int64_t b = qgc_attr_int(n, "blocksize", 1), c = xd[1] / (b * b), hw = xd[2] * xd[3];
    bool crd;
    qgc_status st = d2s_mode(n, &crd, d);
    if (st) return st;
    qgc_move_plan p;
    plan_dense_dst(&p, 6, (int64_t[]){xd[0], c, xd[2], b, xd[3], b});
    int64_t src[6] = {xd[1] * hw, crd ? b * b * hw : hw, xd[3], crd ? b * hw : b * c * hw, 1,
                      crd ? hw : c * hw};
    memcpy(p.src_stride, src, sizeof src);
    return move(n, &p, in[0], out[0], d);
}

qgc_status qgc_infer_space_to_depth(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                                    qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int64_t b;
    qgc_status st = block_size(n, x, &b, d);
    if (st) return st;
    qgc_type_unknown(out, x->dtype, 4);
    if (x->rank < 0) return QGC_OK;
    for (int i = 2; i < 4; i++) {
        if (x->dims[i] >= 0 && x->dims[i] % b)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: dim %d (%lld) not divisible by blocksize",
                            QGC_LABEL(n), i, (long long)x->dims[i]);
        out->dims[i] = x->dims[i] < 0 ? -1 : x->dims[i] / b;
    }
    copy_dim(out, 0, x, 0);
    out->dims[1] = qgc_dim_mul(x->dims[1], b * b);
    return qgc_check_dims(n, out, d);
}

/* y[n][(i*b + j)*C + c][h][w] = x[n][c][h*b+i][w*b+j]: walked as the 6-D view
 * [N, i, j, C, H', W'] of y. */
qgc_status qgc_eval_space_to_depth(const qgc_node *n, const qgc_tensor *const *in,
                                   qgc_tensor *const *out, qgc_diag *d) {
    const int64_t *xd = in[0]->type.dims;
    int64_t b = qgc_attr_int(n, "blocksize", 1), w = xd[3];
    qgc_move_plan p;
    plan_dense_dst(&p, 6, (int64_t[]){xd[0], b, b, xd[1], xd[2] / b, w / b});
    int64_t src[6] = {xd[1] * xd[2] * w, w, 1, xd[2] * w, b * w, b};
    memcpy(p.src_stride, src, sizeof src);
    return move(n, &p, in[0], out[0], d);
}

/* ---- Expand and Tile ------------------------------------------------------ */

qgc_status qgc_infer_expand(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    if (!in[1]->data) {
        int64_t k = list_len(in[1]);
        int r = x->rank < 0 || k < 0 || k > QGC_MAX_RANK ? -1 : x->rank > k ? x->rank : (int)k;
        qgc_type_unknown(out, x->dtype, r);
        return QGC_OK;
    }
    qgc_type shape;
    int64_t cnt;
    qgc_type_unknown(&shape, x->dtype, 0);
    qgc_status st = qgc_read_ints(n, in[1], "shape", shape.dims, QGC_MAX_RANK, &cnt, d);
    if (st) return st;
    shape.rank = (int)cnt;
    for (int i = 0; i < shape.rank; i++)
        if (shape.dims[i] < 0 || shape.dims[i] >= QGC_DIM_LIMIT)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: shape[%d] is %lld", QGC_LABEL(n), i,
                            (long long)shape.dims[i]);
    qgc_type_unknown(out, x->dtype, -1);
    st = qgc_broadcast_shape(n, x, &shape, out, d);
    return st ? st : qgc_check_dims(n, out, d);
}

/* Input aligned to the right of the output; a dim of 1 is read with stride 0. */
qgc_status qgc_eval_expand(const qgc_node *n, const qgc_tensor *const *in,
                           qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *y = &out[0]->type;
    int64_t xs[QGC_MAX_RANK];
    qgc_strides(x, xs);
    qgc_move_plan p;
    plan_dense_dst(&p, y->rank, y->dims);
    for (int i = 0; i < y->rank; i++) {
        int j = i - (y->rank - x->rank);
        p.src_stride[i] = j < 0 || x->dims[j] == 1 ? 0 : xs[j];
    }
    return move(n, &p, in[0], out[0], d);
}

qgc_status qgc_infer_tile(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    qgc_type_unknown(out, x->dtype, x->rank);
    if (!in[1]->data || x->rank < 0) return QGC_OK;
    int64_t rep[QGC_MAX_RANK], cnt;
    qgc_status st = qgc_read_ints(n, in[1], "repeats", rep, QGC_MAX_RANK, &cnt, d);
    if (st) return st;
    if (cnt != x->rank)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: %lld repeats for rank %d", QGC_LABEL(n),
                        (long long)cnt, x->rank);
    for (int i = 0; i < x->rank; i++) {
        if (rep[i] < 0 || rep[i] >= QGC_DIM_LIMIT)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: repeats[%d] is %lld", QGC_LABEL(n), i,
                            (long long)rep[i]);
        out->dims[i] = qgc_dim_mul(x->dims[i], rep[i]);
    }
    return qgc_check_dims(n, out, d);
}

/* Output axis i is viewed as (repeat r, position j) with index r*dims[i] + j;
 * the source ignores r (stride 0). */
qgc_status qgc_eval_tile(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *y = &out[0]->type;
    int64_t xs[QGC_MAX_RANK], ys[QGC_MAX_RANK];
    qgc_strides(x, xs);
    qgc_strides(y, ys);
    qgc_move_plan p = {.rank = 2 * x->rank};
    for (int i = 0; i < x->rank; i++) {
        if (x->dims[i] == 0) return QGC_OK; /* output is empty too */
        p.dims[2 * i] = y->dims[i] / x->dims[i];
        p.src_stride[2 * i] = 0;
        p.dst_stride[2 * i] = x->dims[i] * ys[i];
        p.dims[2 * i + 1] = x->dims[i];
        p.src_stride[2 * i + 1] = xs[i];
        p.dst_stride[2 * i + 1] = ys[i];
    }
    return move(n, &p, in[0], out[0], d);
}
