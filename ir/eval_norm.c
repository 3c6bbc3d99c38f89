/* Normalisations: BatchNormalization-15 (inference mode), LayerNormalization-17
 * (axis, epsilon, stash_type, optional Mean / InvStdDev outputs),
 * InstanceNormalization-6, LRN-13, MeanVarianceNormalization-13.
 * Statistics are accumulated in double; all dtypes go through f32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "f32_view.h"
#include "ops.h"
#include "window.h"

/* Views of up to 5 inputs and one output as f32, released together. */
typedef struct {
    const qgc_tensor *t[5];
    const float *v[5];
    qgc_tensor *out;
    float *y;
} f32_io;

static qgc_status io_open(const qgc_node *n, const qgc_tensor *const *in, int count,
                          qgc_tensor *out, f32_io *io, qgc_diag *d) {
    memset(io, 0, sizeof *io);
    bool ok = true;
    for (int i = 0; i < count && i < n->n_in; i++) {
        io->t[i] = in[i];
        if (in[i]) ok = ok && (io->v[i] = qgc_f32_view(in[i])) != NULL;
    }
    io->out = out;
    ok = ok && (io->y = qgc_f32_target(out)) != NULL;
    return ok ? QGC_OK : qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
}

static qgc_status io_close(f32_io *io, qgc_status st) {
    for (int i = 0; i < 5; i++)
        if (io->v[i]) qgc_f32_release(io->t[i], io->v[i]);
    if (io->y) {
        if (st) qgc_f32_discard(io->out, io->y);
        else qgc_f32_commit(io->out, io->y);
    }
    return st;
}

/* N, C and the spatial size of an (N, C, ...) tensor; C = 1 for rank 1. */
static void nc_split(const qgc_type *t, int64_t *nb, int64_t *c, int64_t *sp) {
    *nb = t->rank >= 1 ? t->dims[0] : 1;
    *c = t->rank >= 2 ? t->dims[1] : 1;
    *sp = 1;
    for (int i = 2; i < t->rank; i++) *sp *= t->dims[i];
}

/* Checks that the per-channel parameters in[first..last] have C values. */
static qgc_status check_params(const qgc_node *n, const qgc_tensor *const *in, int first,
                               int last, int64_t c, qgc_diag *d) {
    char lbl[160];
    for (int i = first; i <= last; i++)
        if (qgc_tensor_numel(in[i]) != c)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: input %d has %lld values, expected %lld",
                            qgc_node_label(n, lbl, sizeof lbl), i,
                            (long long)qgc_tensor_numel(in[i]), (long long)c);
    return QGC_OK;
}

qgc_status qgc_eval_batchnorm(const qgc_node *n, const qgc_tensor *const *in,
                              qgc_tensor *const *out, qgc_diag *d) {
    char lbl[160];
    if (qgc_attr_int(n, "training_mode", 0) != 0)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: training_mode is not supported",
                        qgc_node_label(n, lbl, sizeof lbl));
    int64_t nb, c, sp;
    nc_split(&in[0]->type, &nb, &c, &sp);
    f32_io io;
    qgc_status st = check_params(n, in, 1, 4, c, d);
    if (st || (st = io_open(n, in, 5, out[0], &io, d))) return st;
    double eps = qgc_attr_float(n, "epsilon", 1e-5f);
    for (int64_t ch = 0; ch < c; ch++) {
        float a = (float)(io.v[1][ch] / sqrt((double)io.v[4][ch] + eps));
        float b = io.v[2][ch] - io.v[3][ch] * a;
        for (int64_t b0 = 0; b0 < nb; b0++) {
            const float *x = io.v[0] + (b0 * c + ch) * sp;
            float *y = io.y + (b0 * c + ch) * sp;
            for (int64_t i = 0; i < sp; i++) y[i] = x[i] * a + b;
        }
    }
    return io_close(&io, QGC_OK);
}

/* Mean and 1/sqrt(var + eps) of x[0..len). */
static void moments(const float *x, int64_t len, double eps, double *mean, double *inv) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < len; i++) s += x[i];
    *mean = len ? s / (double)len : 0;
    for (int64_t i = 0; i < len; i++) s2 += (x[i] - *mean) * (x[i] - *mean);
    *inv = 1.0 / sqrt((len ? s2 / (double)len : 0) + eps);
}

qgc_status qgc_eval_instancenorm(const qgc_node *n, const qgc_tensor *const *in,
                                 qgc_tensor *const *out, qgc_diag *d) {
    int64_t nb, c, sp;
    nc_split(&in[0]->type, &nb, &c, &sp);
    f32_io io;
    qgc_status st = check_params(n, in, 1, 2, c, d);
    if (st || (st = io_open(n, in, 3, out[0], &io, d))) return st;
    double eps = qgc_attr_float(n, "epsilon", 1e-5f);
    for (int64_t pl = 0; pl < nb * c; pl++) {
        const float *x = io.v[0] + pl * sp;
        float *y = io.y + pl * sp;
        double mean, inv;
        moments(x, sp, eps, &mean, &inv);
        float a = (float)(inv * io.v[1][pl % c]), b = io.v[2][pl % c];
        for (int64_t i = 0; i < sp; i++) y[i] = (float)(x[i] - mean) * a + b;
    }
    return io_close(&io, QGC_OK);
}

qgc_status qgc_eval_lrn(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                        qgc_diag *d) {
    char lbl[160];
    int64_t size = qgc_attr_int(n, "size", 0);
    if (size < 1)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: attribute size must be a positive integer",
                        qgc_node_label(n, lbl, sizeof lbl));
    int64_t nb, c, sp;
    nc_split(&in[0]->type, &nb, &c, &sp);
    f32_io io;
    qgc_status st = io_open(n, in, 1, out[0], &io, d);
    if (st) return st;
    double alpha = qgc_attr_float(n, "alpha", 1e-4f), beta = qgc_attr_float(n, "beta", 0.75f);
    double bias = qgc_attr_float(n, "bias", 1.0f);
    int64_t lo = (size - 1) / 2, hi = size - 1 - lo; /* floor / ceil of (size-1)/2 */
    for (int64_t b0 = 0; b0 < nb; b0++)
        for (int64_t ch = 0; ch < c; ch++) {
            int64_t c0 = ch - lo < 0 ? 0 : ch - lo, c1 = ch + hi >= c ? c - 1 : ch + hi;
            const float *x = io.v[0] + b0 * c * sp;
            float *y = io.y + (b0 * c + ch) * sp;
            for (int64_t i = 0; i < sp; i++) {
                double sq = 0;
                for (int64_t k = c0; k <= c1; k++) sq += (double)x[k * sp + i] * x[k * sp + i];
                y[i] = (float)(x[ch * sp + i] / pow(bias + alpha / (double)size * sq, beta));
            }
        }
    return io_close(&io, QGC_OK);
}

/* ---- MeanVarianceNormalization --------------------------------------------- */

qgc_status qgc_eval_mvn(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                        qgc_diag *d) {
    char lbl[160];
    const qgc_type *t = &in[0]->type;
    static const int64_t dflt[] = {0, 2, 3};
    int cnt;
    const int64_t *axes = qgc_attr_ints(n, "axes", &cnt);
    if (!axes) {
        axes = dflt;
        cnt = 3;
    }
    bool reduced[QGC_MAX_RANK] = {false};
    for (int i = 0; i < cnt; i++) {
        int ax;
        if (!qgc_norm_axis(axes[i], t->rank, &ax))
            return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range for rank %d",
                            qgc_node_label(n, lbl, sizeof lbl), (long long)axes[i], t->rank);
        reduced[ax] = true;
    }
    /* Statistics are indexed by the kept dims (row-major over them). */
    int64_t kept = 1, kstride[QGC_MAX_RANK];
    for (int i = t->rank - 1; i >= 0; i--) {
        kstride[i] = reduced[i] ? 0 : kept;
        if (!reduced[i]) kept *= t->dims[i];
    }
    int64_t total = qgc_tensor_numel(in[0]), count = kept ? total / kept : 0;
    double *s = calloc((size_t)(2 * kept + 1), sizeof *s);
    f32_io io;
    qgc_status st = s ? io_open(n, in, 1, out[0], &io, d)
                      : qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    if (st) {
        free(s);
        return st;
    }
    for (int pass = 0; pass < 2; pass++) {
        int64_t idx[QGC_MAX_RANK] = {0}, k = 0;
        for (int64_t i = 0; i < total; i++) {
            double x = io.v[0][i];
            if (pass == 0) {
                s[k] += x;
                s[kept + k] += x * x;
            } else {
                /* (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9), as the spec's function body */
                double mean = s[k] / (double)count, var = s[kept + k] / (double)count - mean * mean;
                io.y[i] = (float)((x - mean) / (sqrt(var > 0 ? var : 0) + 1e-9));
            }
            for (int e = t->rank - 1; e >= 0; e--) {
                k += kstride[e];
                if (++idx[e] < t->dims[e]) break;
                k -= kstride[e] * t->dims[e];
                idx[e] = 0;
            }
        }
    }
    free(s);
    return io_close(&io, QGC_OK);
}

/* ---- LayerNormalization ---------------------------------------------------- */

static qgc_status layernorm_axis(const qgc_node *n, int rank, int *axis, qgc_diag *d) {
    char lbl[160];
    if (!qgc_norm_axis(qgc_attr_int(n, "axis", -1), rank, axis))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: axis %lld is out of range for rank %d",
                        qgc_node_label(n, lbl, sizeof lbl),
                        (long long)qgc_attr_int(n, "axis", -1), rank);
    return QGC_OK;
}

qgc_status qgc_infer_layernorm(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                               qgc_diag *d) {
    char lbl[160];
    const qgc_type *x = &in[0]->type;
    qgc_dtype stash = (qgc_dtype)qgc_attr_int(n, "stash_type", 1);
    if (!qgc_dtype_is_float(stash))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: stash_type %d is not a float type",
                        qgc_node_label(n, lbl, sizeof lbl), (int)stash);
    out[0] = *x;
    int axis = 0;
    if (x->rank >= 0) {
        qgc_status st = layernorm_axis(n, x->rank, &axis, d);
        if (st) return st;
    }
    for (int o = 1; o < n->n_out; o++) {
        out[o] = *x;
        out[o].dtype = stash;
        for (int i = axis; i < x->rank; i++) {
            out[o].dims[i] = 1;
            out[o].sym[i] = NULL;
        }
    }
    return QGC_OK;
}

/* Offsets into a parameter broadcast (unidirectionally) to the normalized
 * shape dims[0..r): map[i] for every normalized element i. */
static qgc_status param_map(const qgc_node *n, const qgc_tensor *p, const int64_t *dims, int r,
                            int64_t *map, qgc_diag *d) {
    char lbl[160];
    const qgc_type *t = &p->type;
    int64_t stride[QGC_MAX_RANK], s = 1;
    if (t->rank > r)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: Scale / B rank %d exceeds the normalized rank %d",
                        qgc_node_label(n, lbl, sizeof lbl), t->rank, r);
    for (int i = r - 1; i >= 0; i--) {
        int j = i - (r - t->rank);
        int64_t dim = j >= 0 ? t->dims[j] : 1;
        if (dim != 1 && dim != dims[i])
            return qgc_fail(d, QGC_ERR_INVALID, "%s: Scale / B do not broadcast to the normalized shape",
                            qgc_node_label(n, lbl, sizeof lbl));
        stride[i] = dim == 1 ? 0 : s;
        s *= dim;
    }
    int64_t idx[QGC_MAX_RANK] = {0}, off = 0, total = qgc_dims_product(dims, r);
    for (int64_t i = 0; i < total; i++) {
        map[i] = off;
        for (int e = r - 1; e >= 0; e--) {
            off += stride[e];
            if (++idx[e] < dims[e]) break;
            off -= stride[e] * dims[e];
            idx[e] = 0;
        }
    }
    return QGC_OK;
}

qgc_status qgc_eval_layernorm(const qgc_node *n, const qgc_tensor *const *in,
                              qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *t = &in[0]->type;
    int axis;
    qgc_status st = layernorm_axis(n, t->rank, &axis, d);
    if (st) return st;
    int64_t outer = qgc_dims_product(t->dims, axis);
    int64_t inner = qgc_dims_product(t->dims + axis, t->rank - axis);
    const qgc_tensor *sc = n->n_in > 1 ? in[1] : NULL, *bt = n->n_in > 2 ? in[2] : NULL;
    int64_t *map = malloc(sizeof *map * (size_t)(2 * inner + 1));
    if (!map) return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    if (sc) st = param_map(n, sc, t->dims + axis, t->rank - axis, map, d);
    if (!st && bt) st = param_map(n, bt, t->dims + axis, t->rank - axis, map + inner, d);
    f32_io io;
    if (st || (st = io_open(n, in, 3, out[0], &io, d))) {
        free(map);
        return st;
    }
    double eps = qgc_attr_float(n, "epsilon", 1e-5f);
    float *stat[2] = {NULL, NULL};
    for (int o = 1; o < n->n_out && o < 3 && !st; o++)
        if (out[o] && !(stat[o - 1] = qgc_f32_target(out[o])))
            st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    for (int64_t r = 0; r < outer && !st; r++) {
        const float *x = io.v[0] + r * inner;
        float *y = io.y + r * inner;
        double mean, inv;
        moments(x, inner, eps, &mean, &inv);
        for (int64_t i = 0; i < inner; i++) {
            float v = (float)((x[i] - mean) * inv);
            if (sc) v *= io.v[1][map[i]];
            y[i] = bt ? v + io.v[2][map[inner + i]] : v;
        }
        if (stat[0]) stat[0][r] = (float)mean;
        if (stat[1]) stat[1][r] = (float)inv;
    }
    for (int o = 1; o < n->n_out && o < 3; o++)
        if (stat[o - 1]) {
            if (st) qgc_f32_discard(out[o], stat[o - 1]);
            else qgc_f32_commit(out[o], stat[o - 1]);
        }
    free(map);
    return io_close(&io, st);
}
