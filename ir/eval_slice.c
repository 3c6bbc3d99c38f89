/* Slice and Pad (ONNX opset 13 forms: starts/ends/axes/steps and pads /
 * constant_value are inputs). Both copy whole rows with memcpy where the
 * innermost axis is contiguous. */
#include <stdlib.h>
#include <string.h>

#include "movement.h"

/* ---- Slice ------------------------------------------------------------- */

/* Per-axis start, step and element count of a slice of `dims` (rank r). An
 * unknown dim (-1) gives count -1. Axes the inputs do not name keep start 0,
 * step 1, count dim. */
typedef struct {
    int64_t start[QGC_MAX_RANK], step[QGC_MAX_RANK], count[QGC_MAX_RANK];
} slice_params;

/* Clamps per the spec: negative start/end count from the end; then
 * start in [0, dim] and end in [0, dim] for step > 0, start in [0, dim-1]
 * and end in [-1, dim-1] for step < 0. */
static void clamp_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t *first,
                       int64_t *count) {
    if (start < 0) start += dim; /* dim >= 0: no overflow even for INT64_MIN */
    if (end < 0) end += dim;
    int64_t hi = step > 0 ? dim : dim - 1;
    start = start < 0 ? 0 : start;
    start = start > hi ? hi : start; /* hi is -1 for an empty axis with step < 0 */
    end = qgc_clamp64(end, step > 0 ? 0 : -1, hi);
    *first = start;
    if (step > 0) {
        *count = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
        uint64_t m = (uint64_t)0 - (uint64_t)step; /* |step|, also for INT64_MIN */
        *count = start > end ? (int64_t)((uint64_t)(start - end - 1) / m) + 1 : 0;
    }
}

/* Reads the starts, ends, axes and steps inputs (all with data). */
static qgc_status read_slice(const qgc_node *n, const qgc_tensor *const *in, int rank,
                             const int64_t *dims, slice_params *sp, qgc_diag *d) {
    int64_t starts[QGC_MAX_RANK], ends[QGC_MAX_RANK], axes[QGC_MAX_RANK], steps[QGC_MAX_RANK];
    int64_t ns, ne, na, nt;
    const qgc_tensor *ax = n->n_in > 3 ? in[3] : NULL, *st = n->n_in > 4 ? in[4] : NULL;
    qgc_status s = qgc_read_ints(n, in[1], "starts", starts, rank, &ns, d);
    if (!s) s = qgc_read_ints(n, in[2], "ends", ends, rank, &ne, d);
    if (!s && ax) s = qgc_read_ints(n, ax, "axes", axes, rank, &na, d);
    if (!s && st) s = qgc_read_ints(n, st, "steps", steps, rank, &nt, d);
    if (s) return s;
    if (!ax)
        for (na = 0; na < ns; na++) axes[na] = na;
    if (!st)
        for (nt = 0; nt < ns; nt++) steps[nt] = 1;
    if (ne != ns || na != ns || nt != ns)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: starts, ends, axes and steps differ in length",
                        QGC_LABEL(n));
    bool seen[QGC_MAX_RANK] = {false};
    for (int i = 0; i < rank; i++) {
        sp->start[i] = 0;
        sp->step[i] = 1;
        sp->count[i] = dims[i];
    }
    for (int64_t i = 0; i < ns; i++) {
        int a;
        if (!qgc_norm_axis(axes[i], rank, &a) || seen[a])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range or repeated",
                            QGC_LABEL(n), (long long)axes[i]);
        seen[a] = true;
        if (steps[i] == 0)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: step for axis %d is 0", QGC_LABEL(n), a);
        sp->step[a] = steps[i];
        if (dims[a] >= 0) clamp_axis(dims[a], starts[i], ends[i], steps[i], &sp->start[a],
                                     &sp->count[a]);
    }
    return QGC_OK;
}

qgc_status qgc_infer_slice(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                           qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    qgc_type_unknown(out, x->dtype, x->rank);
    if (x->rank < 0) return QGC_OK;
    bool known = true;
    for (int i = 1; i < n->n_in; i++) known &= !in[i] || in[i]->data;
    if (!known) {
        /* the sliced axes' lengths are unknown; with known axes the others stay */
        bool on[QGC_MAX_RANK] = {false};
        int64_t axes[QGC_MAX_RANK];
        int na = -1;
        if (n->n_in > 3 && in[3]) {
            na = qgc_tensor_read_ints(in[3], axes, QGC_MAX_RANK);
        } else if (in[1]->type.rank == 1 && in[1]->type.dims[0] >= 0 &&
                   in[1]->type.dims[0] <= x->rank) { /* default axes: 0 .. len(starts)-1 */
            na = (int)in[1]->type.dims[0];
            for (int i = 0; i < na; i++) axes[i] = i;
        }
        bool axes_known = na >= 0;
        for (int i = 0; i < na; i++) {
            int a;
            if (qgc_norm_axis(axes[i], x->rank, &a)) on[a] = true;
        }
        for (int i = 0; i < x->rank; i++) {
            out->dims[i] = axes_known && !on[i] ? x->dims[i] : -1;
            out->sym[i] = axes_known && !on[i] ? x->sym[i] : NULL;
        }
        return QGC_OK;
    }
    slice_params sp;
    qgc_status st = read_slice(n, in, x->rank, x->dims, &sp, d);
    if (st) return st;
    for (int i = 0; i < x->rank; i++) {
        out->dims[i] = sp.count[i];
        out->sym[i] = sp.count[i] == x->dims[i] && sp.step[i] == 1 ? x->sym[i] : NULL;
    }
    return QGC_OK;
}

qgc_status qgc_eval_slice(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                          qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    slice_params sp;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (!st) st = read_slice(n, in, x->rank, x->dims, &sp, d);
    if (st) return st;
    if (qgc_tensor_numel(out[0]) == 0) return QGC_OK;
    int64_t xs[QGC_MAX_RANK], ys[QGC_MAX_RANK], offset = 0;
    qgc_strides(x, xs);
    qgc_strides(&out[0]->type, ys);
    qgc_move_plan p = {.rank = x->rank};
    for (int i = 0; i < x->rank; i++) {
        p.dims[i] = sp.count[i];
        /* count > 1 implies |step| < dim, so the product cannot overflow */
        p.src_stride[i] = sp.count[i] > 1 ? xs[i] * sp.step[i] : 0;
        p.dst_stride[i] = ys[i];
        offset += sp.start[i] * xs[i];
    }
    qgc_move_strided(&p, es, out[0]->data, (const char *)in[0]->data + offset * (int64_t)es);
    return QGC_OK;
}

/* ---- Pad --------------------------------------------------------------- */

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } pad_mode;

static qgc_status get_pad_mode(const qgc_node *n, pad_mode *m, qgc_diag *d) {
    const char *s = qgc_attr_string(n, "mode", "constant");
    if (strcmp(s, "constant") == 0) *m = PAD_CONSTANT;
    else if (strcmp(s, "reflect") == 0) *m = PAD_REFLECT;
    else if (strcmp(s, "edge") == 0) *m = PAD_EDGE;
    else return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: pad mode '%s' is not supported",
                         QGC_LABEL(n), s);
    return QGC_OK;
}

/* Reads pads (begin of every axis, then end of every axis); negative pads
 * crop; an absent pads input pads nothing. */
static qgc_status read_pads(const qgc_node *n, const qgc_tensor *t, int rank, int64_t *pads,
                            qgc_diag *d) {
    int64_t cnt;
    if (!t) {
        memset(pads, 0, sizeof *pads * 2 * (size_t)rank);
        return QGC_OK;
    }
    qgc_status st = qgc_read_ints(n, t, "pads", pads, 2 * QGC_MAX_RANK, &cnt, d);
    if (st) return st;
    if (cnt != 2 * rank)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: %lld pads for rank %d", QGC_LABEL(n),
                        (long long)cnt, rank);
    for (int i = 0; i < 2 * rank; i++)
        if (pads[i] <= -QGC_DIM_LIMIT || pads[i] >= QGC_DIM_LIMIT)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: pads[%d] is %lld", QGC_LABEL(n), i,
                            (long long)pads[i]);
    return QGC_OK;
}

/* One axis of a pad. Negative pads remove elements first (spec: "how many
 * elements to remove"); what is left, input range [first, first + len), is
 * then padded by before / after (>= 0) elements, edge and reflect taking
 * their values from what is left. */
typedef struct {
    int64_t first, len, before, after;
} pad_axis;

static qgc_status get_pad_axis(const qgc_node *n, int i, int64_t dim, int64_t b, int64_t e,
                               pad_mode mode, pad_axis *a, qgc_diag *d) {
    a->first = b < 0 ? -b : 0;
    a->len = dim + (b < 0 ? b : 0) + (e < 0 ? e : 0);
    a->before = b > 0 ? b : 0;
    a->after = e > 0 ? e : 0;
    if (a->len < 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: pads remove %lld elements from axis %d of %lld",
                        QGC_LABEL(n), (long long)(dim - a->len), i, (long long)dim);
    if (mode != PAD_CONSTANT && a->len == 0 && a->before + a->after > 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: cannot pad empty axis %d in this mode",
                        QGC_LABEL(n), i);
    return QGC_OK;
}

qgc_status qgc_infer_pad(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                         qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    pad_mode mode;
    pad_axis a;
    int64_t pads[2 * QGC_MAX_RANK];
    qgc_status st = get_pad_mode(n, &mode, d);
    if (st) return st;
    const qgc_tensor *pt = n->n_in > 1 ? in[1] : NULL;
    qgc_type_unknown(out, x->dtype, x->rank);
    if (x->rank < 0 || (pt && !pt->data)) return QGC_OK;
    if ((st = read_pads(n, pt, x->rank, pads, d))) return st;
    for (int i = 0; i < x->rank; i++) {
        if (x->dims[i] < 0) continue;
        st = get_pad_axis(n, i, x->dims[i], pads[i], pads[i + x->rank], mode, &a, d);
        if (st) return st;
        out->dims[i] = a.len + a.before + a.after;
    }
    return qgc_check_dims(n, out, d);
}

/* Index into the kept range for output index o of a padded axis of length
 * len, or -1 for the constant. Reflect mirrors without repeating the edge,
 * periodically for pads longer than the axis (as numpy.pad does). */
static int64_t pad_src(int64_t o, int64_t before, int64_t len, pad_mode mode) {
    int64_t i = o - before;
    if (i >= 0 && i < len) return i;
    if (mode == PAD_CONSTANT) return -1;
    if (mode == PAD_EDGE || len == 1) return i < 0 ? 0 : len - 1;
    int64_t period = 2 * (len - 1);
    i %= period;
    if (i < 0) i += period;
    return i < len ? i : period - i;
}

/* Fills y with the constant, then for each output row whose outer indices all
 * map into the input copies the interior with one memcpy and the borders
 * element by element through per-axis index maps. */
qgc_status qgc_eval_pad(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                        qgc_diag *d) {
    const qgc_type *x = &in[0]->type, *y = &out[0]->type;
    const qgc_tensor *cv = n->n_in > 2 ? in[2] : NULL;
    int r = x->rank;
    pad_mode mode;
    pad_axis ax[QGC_MAX_RANK];
    size_t es;
    int64_t pads[2 * QGC_MAX_RANK];
    qgc_status st = get_pad_mode(n, &mode, d);
    if (!st) st = qgc_move_esize(n, x->dtype, &es, d);
    if (!st) st = read_pads(n, n->n_in > 1 ? in[1] : NULL, r, pads, d);
    for (int i = 0; !st && i < r; i++) {
        st = get_pad_axis(n, i, x->dims[i], pads[i], pads[i + r], mode, &ax[i], d);
        if (!st && ax[i].len + ax[i].before + ax[i].after != y->dims[i])
            st = qgc_fail(d, QGC_ERR_INVALID, "%s: output dim %d does not match the pads",
                          QGC_LABEL(n), i);
    }
    if (st) return st;
    if (cv && qgc_tensor_numel(cv) > 0 && (cv->type.dtype != x->dtype || cv->nbytes < es))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: constant_value must be a %s scalar",
                        QGC_LABEL(n), qgc_dtype_name(x->dtype));
    int64_t total = qgc_tensor_numel(out[0]);
    char *dst = out[0]->data;
    if (total == 0) return QGC_OK;
    if (r == 0) {
        memcpy(dst, in[0]->data, es);
        return QGC_OK;
    }
    if (mode == PAD_CONSTANT && cv && qgc_tensor_numel(cv) > 0)
        for (int64_t i = 0; i < total; i++) memcpy(dst + i * (int64_t)es, cv->data, es);
    else if (mode == PAD_CONSTANT)
        memset(dst, 0, out[0]->nbytes);

    int64_t len = 0, at = 0, *maps[QGC_MAX_RANK];
    for (int i = 0; i < r; i++) len += y->dims[i];
    int64_t *buf = malloc(sizeof *buf * (size_t)len);
    if (!buf) return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", QGC_LABEL(n));
    for (int i = 0; i < r; at += y->dims[i], i++) {
        maps[i] = buf + at;
        for (int64_t o = 0; o < y->dims[i]; o++) {
            int64_t s = pad_src(o, ax[i].before, ax[i].len, mode);
            maps[i][o] = s < 0 ? -1 : ax[i].first + s;
        }
    }
    int64_t xs[QGC_MAX_RANK], w = y->dims[r - 1];
    qgc_strides(x, xs);
    /* output columns [lo, hi) of every row are the kept input columns */
    const pad_axis *inner = &ax[r - 1];
    int64_t lo = inner->before, hi = inner->before + inner->len;
    int64_t idx[QGC_MAX_RANK] = {0};
    const char *src = in[0]->data;
    for (int64_t row = 0; row < total / w; row++, dst += w * (int64_t)es) {
        int64_t base = 0;
        bool inside = true;
        for (int i = 0; i < r - 1; i++) {
            int64_t s = maps[i][idx[i]];
            inside &= s >= 0;
            base += s * xs[i];
        }
        for (int i = r - 2; i >= 0 && ++idx[i] == y->dims[i]; i--) idx[i] = 0;
        if (!inside) continue;
        const char *srow = src + base * (int64_t)es;
        if (hi > lo) memcpy(dst + lo * (int64_t)es, srow + inner->first * (int64_t)es,
                            (size_t)(hi - lo) * es);
        for (int64_t o = 0; o < w; o++) {
            if (o == lo) o = hi;
            if (o >= w) break;
            int64_t s = maps[r - 1][o];
            if (s >= 0) memcpy(dst + o * (int64_t)es, srow + s * (int64_t)es, es);
        }
    }
    free(buf);
    return QGC_OK;
}
