/* Resize-13 (inputs X, roi, scales, sizes): modes nearest (every
 * nearest_mode), linear and cubic (cubic_coeff_a, exclude_outside), every
 * coordinate_transformation_mode incl. tf_crop_and_resize with
 * extrapolation_value.
 *
 * The interpolations are separable, so the N-d resize runs as one 1-D pass
 * per axis that changes: each output index along the axis is a weighted sum
 * of at most 4 input indices. Axes that keep their size under an identity
 * mapping are skipped. Coordinates are computed in double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "f32_view.h"
#include "ops.h"
#include "window.h"

typedef enum { NEAREST, LINEAR, CUBIC } resize_mode;
typedef enum { HALF_PIXEL, PYTORCH_HALF_PIXEL, ALIGN_CORNERS, ASYMMETRIC, TF_HALF_PIXEL_FOR_NN,
               TF_CROP_AND_RESIZE } coord_mode;
typedef enum { ROUND_PREFER_FLOOR, ROUND_PREFER_CEIL, FLOOR, CEIL } nearest_mode;

typedef struct {
    resize_mode mode;
    coord_mode coord;
    nearest_mode nearest;
    double cubic_a, extrapolation;
    bool exclude_outside;
} resize_attrs;

static int lookup(const char *s, const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

static qgc_status read_attrs(const qgc_node *n, resize_attrs *a, qgc_diag *d) {
    static const char *const modes[] = {"nearest", "linear", "cubic"};
    static const char *const coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                         "asymmetric", "tf_half_pixel_for_nn",
                                         "tf_crop_and_resize"};
    static const char *const nearests[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                           "ceil"};
    char lbl[160];
    const char *m = qgc_attr_string(n, "mode", "nearest");
    const char *c = qgc_attr_string(n, "coordinate_transformation_mode", "half_pixel");
    const char *nm = qgc_attr_string(n, "nearest_mode", "round_prefer_floor");
    int im = lookup(m, modes, 3), ic = lookup(c, coords, 6), in = lookup(nm, nearests, 4);
    if (im < 0 || ic < 0 || in < 0)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: unsupported mode '%s' / '%s' / '%s'",
                        qgc_node_label(n, lbl, sizeof lbl), m, c, nm);
    a->mode = (resize_mode)im;
    a->coord = (coord_mode)ic;
    a->nearest = (nearest_mode)in;
    a->cubic_a = qgc_attr_float(n, "cubic_coeff_a", -0.75f);
    a->extrapolation = qgc_attr_float(n, "extrapolation_value", 0.0f);
    a->exclude_outside = qgc_attr_int(n, "exclude_outside", 0) != 0;
    return QGC_OK;
}

/* An optional input counts as given when present and not empty. */
static const qgc_tensor *given(const qgc_node *n, const qgc_tensor *const *in, int i) {
    if (i >= n->n_in || !in[i]) return NULL;
    const qgc_type *t = &in[i]->type;
    if (t->rank == 1 && t->dims[0] == 0) return NULL;
    return in[i];
}

/* Output dims (and per-axis scales when scales is given, else 0). */
static qgc_status resize_shape(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                               double *scale, qgc_diag *d) {
    char lbl[160];
    const qgc_type *x = &in[0]->type;
    const qgc_tensor *sc = given(n, in, 2), *sz = given(n, in, 3);
    *out = *x;
    if (!sc && !sz)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: one of scales and sizes must be given",
                        qgc_node_label(n, lbl, sizeof lbl));
    const qgc_tensor *src = sz ? sz : sc;
    if (src->type.rank != 1 && src->type.rank >= 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: scales / sizes must be 1-D",
                        qgc_node_label(n, lbl, sizeof lbl));
    if (out->rank < 0 && src->type.rank == 1) out->rank = (int)src->type.dims[0];
    if (out->rank < 0) return QGC_OK;
    if (out->rank > QGC_MAX_RANK ||
        (src->type.rank == 1 && src->type.dims[0] >= 0 && src->type.dims[0] != out->rank))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: scales / sizes must have one value per axis (%d)",
                        qgc_node_label(n, lbl, sizeof lbl), out->rank);
    for (int i = 0; i < out->rank; i++) {
        out->dims[i] = -1;
        out->sym[i] = NULL;
        scale[i] = 0;
    }
    if (!src->data) return QGC_OK;
    for (int i = 0; i < out->rank; i++) {
        int64_t in_dim = x->rank >= 0 ? x->dims[i] : -1;
        if (sz) {
            out->dims[i] = qgc_load_i64(sz->type.dtype, sz->data, i);
        } else {
            scale[i] = qgc_load_f64(sc->type.dtype, sc->data, i);
            if (!(scale[i] > 0) || scale[i] > 1e6)
                return qgc_fail(d, QGC_ERR_INVALID, "%s: scale %g is not a positive number",
                                qgc_node_label(n, lbl, sizeof lbl), scale[i]);
            double v = in_dim >= 0 ? floor((double)in_dim * scale[i]) : -1;
            out->dims[i] = v <= (double)(INT64_C(1) << 40) ? (int64_t)v : INT64_MAX;
        }
        if (out->dims[i] < -1 || out->dims[i] > (INT64_C(1) << 40) || (sz && out->dims[i] < 0))
            return qgc_fail(d, QGC_ERR_INVALID, "%s: output dimension %d out of range",
                            qgc_node_label(n, lbl, sizeof lbl), i);
    }
    return QGC_OK;
}

qgc_status qgc_infer_resize(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    resize_attrs a;
    double scale[QGC_MAX_RANK];
    qgc_status st = read_attrs(n, &a, d);
    return st ? st : resize_shape(n, in, out, scale, d);
}

/* Input coordinate of output index j along one axis (ONNX Resize
 * coordinate_transformation_mode formulas). */
static double source_coord(const resize_attrs *a, int64_t j, int64_t len_in, int64_t len_out,
                           double scale, double roi_start, double roi_end) {
    double x = (double)j;
    switch (a->coord) {
    case HALF_PIXEL: return (x + 0.5) / scale - 0.5;
    case PYTORCH_HALF_PIXEL: return len_out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case ALIGN_CORNERS:
        return len_out == 1 ? 0.0 : x * (double)(len_in - 1) / (double)(len_out - 1);
    case ASYMMETRIC: return x / scale;
    case TF_HALF_PIXEL_FOR_NN: return (x + 0.5) / scale;
    case TF_CROP_AND_RESIZE:
        return len_out > 1 ? roi_start * (double)(len_in - 1) +
                                 x * (roi_end - roi_start) * (double)(len_in - 1) /
                                     (double)(len_out - 1)
                           : 0.5 * (roi_start + roi_end) * (double)(len_in - 1);
    }
    return x;
}

static int64_t clamp_index(int64_t i, int64_t len) { return i < 0 ? 0 : i >= len ? len - 1 : i; }

/* Cubic convolution weights for the taps at offsets -1, 0, 1, 2 from
 * floor(x), where t = x - floor(x) (Keys' kernel with parameter A). */
static void cubic_weights(double t, double A, double *w) {
    double d[4] = {t + 1, t, 1 - t, 2 - t};
    for (int k = 0; k < 4; k++) {
        double s = d[k];
        w[k] = s <= 1 ? ((A + 2) * s - (A + 3)) * s * s + 1
                      : ((A * s - 5 * A) * s + 8 * A) * s - 4 * A;
    }
}

typedef struct {
    int taps;       /* per output index */
    int64_t *index; /* [len_out][taps] */
    double *weight; /* [len_out][taps] */
    bool *extrapolate;
} axis_plan;

static void plan_axis(const resize_attrs *a, int64_t len_in, int64_t len_out, double scale,
                      double roi_start, double roi_end, axis_plan *p) {
    for (int64_t j = 0; j < len_out; j++) {
        double x = source_coord(a, j, len_in, len_out, scale, roi_start, roi_end);
        int64_t *idx = p->index + j * p->taps;
        double *w = p->weight + j * p->taps;
        p->extrapolate[j] = a->coord == TF_CROP_AND_RESIZE && (x < 0 || x > (double)(len_in - 1));
        if (x < -1e12 || x > 1e12 || x != x) x = 0; /* keep the casts below defined */
        double fl = floor(x);
        if (a->mode == NEAREST) {
            double r;
            switch (a->nearest) {
            case ROUND_PREFER_FLOOR: r = x - fl == 0.5 ? fl : floor(x + 0.5); break;
            case ROUND_PREFER_CEIL: r = x - fl == 0.5 ? fl + 1 : floor(x + 0.5); break;
            case FLOOR: r = fl; break;
            default: r = ceil(x); break;
            }
            idx[0] = clamp_index((int64_t)r, len_in);
            w[0] = 1;
        } else if (a->mode == LINEAR) {
            double c = x < 0 ? 0 : x > (double)(len_in - 1) ? (double)(len_in - 1) : x;
            int64_t i0 = (int64_t)floor(c);
            idx[0] = i0;
            idx[1] = clamp_index(i0 + 1, len_in);
            w[1] = c - (double)i0;
            w[0] = 1 - w[1];
        } else {
            int64_t i0 = (int64_t)fl;
            double sum = 0;
            cubic_weights(x - fl, a->cubic_a, w);
            for (int k = 0; k < 4; k++) {
                int64_t i = i0 - 1 + k;
                if (a->exclude_outside && (i < 0 || i >= len_in)) w[k] = 0;
                sum += w[k];
                idx[k] = clamp_index(i, len_in);
            }
            if (a->exclude_outside && sum != 0)
                for (int k = 0; k < 4; k++) w[k] /= sum;
        }
    }
}

/* y[o][j][i] = sum_t w[j][t] * x[o][index[j][t]][i] */
static void apply_axis(const axis_plan *p, const resize_attrs *a, const float *x, float *y,
                       int64_t outer, int64_t len_in, int64_t len_out, int64_t inner) {
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < len_out; j++) {
            float *yr = y + (o * len_out + j) * inner;
            if (p->extrapolate[j]) {
                for (int64_t i = 0; i < inner; i++) yr[i] = (float)a->extrapolation;
                continue;
            }
            for (int64_t i = 0; i < inner; i++) {
                double s = 0;
                for (int t = 0; t < p->taps; t++)
                    s += p->weight[j * p->taps + t] *
                         x[(o * len_in + p->index[j * p->taps + t]) * inner + i];
                yr[i] = (float)s;
            }
        }
}

qgc_status qgc_eval_resize(const qgc_node *n, const qgc_tensor *const *in,
                           qgc_tensor *const *out, qgc_diag *d) {
    char lbl[160];
    resize_attrs a;
    double scale[QGC_MAX_RANK];
    qgc_type ot;
    qgc_status st = read_attrs(n, &a, d);
    if (!st) st = resize_shape(n, in, &ot, scale, d);
    if (st) return st;
    const qgc_type *xt = &in[0]->type;
    int r = xt->rank;
    const qgc_tensor *roi = given(n, in, 1);
    if (a.coord == TF_CROP_AND_RESIZE && (!roi || qgc_tensor_numel(roi) != 2 * r))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: tf_crop_and_resize needs roi with %d values",
                        qgc_node_label(n, lbl, sizeof lbl), 2 * r);
    int64_t dims[QGC_MAX_RANK];
    memcpy(dims, xt->dims, sizeof dims);
    const float *x = qgc_f32_view(in[0]);
    float *cur = NULL; /* owned intermediate, or NULL while x is current */
    int taps = a.mode == NEAREST ? 1 : a.mode == LINEAR ? 2 : 4;
    int64_t maxlen = 1;
    for (int i = 0; i < r; i++) maxlen = ot.dims[i] > maxlen ? ot.dims[i] : maxlen;
    axis_plan p = {taps, malloc(sizeof(int64_t) * (size_t)(maxlen * taps)),
                   malloc(sizeof(double) * (size_t)(maxlen * taps)), malloc((size_t)maxlen)};
    if (!x || !p.index || !p.weight || !p.extrapolate)
        st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    for (int ax = r - 1; ax >= 0 && !st; ax--) {
        int64_t len_in = dims[ax], len_out = ot.dims[ax];
        double s = scale[ax] > 0 ? scale[ax] : len_in ? (double)len_out / (double)len_in : 1;
        bool identity = len_in == len_out && s == 1 && a.coord != TF_CROP_AND_RESIZE &&
                        a.coord != TF_HALF_PIXEL_FOR_NN;
        if (identity) continue;
        double r0 = roi ? qgc_load_f64(roi->type.dtype, roi->data, ax) : 0;
        double r1 = roi ? qgc_load_f64(roi->type.dtype, roi->data, r + ax) : 1;
        int64_t outer = qgc_dims_product(dims, ax), inner = qgc_dims_product(dims + ax + 1, r - ax - 1);
        float *next = calloc((size_t)(outer * len_out * inner + 1), sizeof *next);
        if (!next) {
            st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
            break;
        }
        if (len_in > 0) {
            plan_axis(&a, len_in, len_out, s, r0, r1, &p);
            apply_axis(&p, &a, cur ? cur : x, next, outer, len_in, len_out, inner);
        }
        free(cur);
        cur = next;
        dims[ax] = len_out;
    }
    float *y = st ? NULL : qgc_f32_target(out[0]);
    if (!st && !y) st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    if (!st) {
        memcpy(y, cur ? cur : x, sizeof *y * (size_t)qgc_tensor_numel(out[0]));
        qgc_f32_commit(out[0], y);
    }
    free(cur);
    free(p.index);
    free(p.weight);
    free(p.extrapolate);
    if (x) qgc_f32_release(in[0], x);
    return st;
}
