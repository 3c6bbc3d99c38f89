/* Conv and ConvTranspose (ONNX Conv-11, ConvTranspose-11): N-d, groups,
 * dilations, strides, pads, auto_pad, kernel_shape taken from W.
 *
 * Conv runs as a GEMM per (batch, group) whose B operand is the im2col
 * matrix, packed straight from the image (no im2col buffer); 1x1 stride-1
 * unpadded convs use the image as B directly, and depthwise 1-D/2-D convs
 * (group == C == M) have a direct loop. ConvTranspose is the adjoint: a GEMM
 * with W transposed gives every input pixel's contribution to each output
 * tap (a column buffer), which is then scattered into the output (col2im).
 * Other float dtypes go through f32 (f32_view.h). */
#include <stdlib.h>
#include <string.h>

#include "f32_view.h"
#include "gemm_f32.h"
#include "ops.h"
#include "window.h"

typedef struct {
    int rank; /* -1: unknown */
    int nd;
    int64_t n, c, m, group; /* batch, input and output channels, groups; -1 unknown */
    int64_t in[QGC_MAX_RANK], out[QGC_MAX_RANK];
    qgc_window w;
} conv_geom;

/* Ranks, channel counts, groups and the bias of conv (W: M x C/group x k...)
 * or conv_transpose (W: C x M/group x k...), from types that may be partial. */
static qgc_status conv_geometry(const qgc_node *n, const qgc_tensor *const *in, bool transpose,
                                conv_geom *g, qgc_diag *d) {
    char lbl[160];
    const qgc_type *x = &in[0]->type, *wt = &in[1]->type;
    const qgc_tensor *b = n->n_in > 2 ? in[2] : NULL;
    memset(g, 0, sizeof *g);
    g->rank = x->rank >= 0 ? x->rank : wt->rank;
    if (g->rank < 0) return QGC_OK;
    if (g->rank < 3 || (x->rank >= 0 && wt->rank >= 0 && x->rank != wt->rank))
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s: X (rank %d) and W (rank %d) must have the same rank, at least 3",
                        qgc_node_label(n, lbl, sizeof lbl), x->rank, wt->rank);
    g->nd = g->rank - 2;
    int64_t wk[QGC_MAX_RANK];
    for (int i = 0; i < g->nd; i++) {
        wk[i] = wt->rank >= 0 ? wt->dims[2 + i] : -1;
        g->in[i] = x->rank >= 0 ? x->dims[2 + i] : -1;
    }
    qgc_status st = qgc_window_read(n, g->nd, wk, &g->w, d);
    if (st) return st;
    g->group = qgc_attr_int(n, "group", 1);
    g->n = x->rank >= 0 ? x->dims[0] : -1;
    g->c = x->rank >= 0 ? x->dims[1] : -1;
    int64_t w0 = wt->rank >= 0 ? wt->dims[0] : -1, w1 = wt->rank >= 0 ? wt->dims[1] : -1;
    if (g->group < 1 || g->group > (INT64_C(1) << 30))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: group %lld is out of range",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)g->group);
    bool bad;
    if (!transpose) { /* W: M x C/group x k... */
        g->m = w0;
        bad = (g->c >= 0 && w1 >= 0 && (g->c % g->group != 0 || g->c / g->group != w1)) ||
              (g->m >= 0 && g->m % g->group != 0);
    } else { /* W: C x M/group x k... */
        bad = (g->c >= 0 && w0 >= 0 && g->c != w0) || (g->c >= 0 && g->c % g->group != 0) ||
              w1 > (INT64_C(1) << 32);
        g->m = w1 >= 0 && !bad ? w1 * g->group : -1;
    }
    if (bad)
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s: channels of X (%lld) and W (%lld x %lld) do not match group %lld",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)g->c, (long long)w0,
                        (long long)w1, (long long)g->group);
    if (b && b->type.rank >= 0 &&
        (b->type.rank != 1 || (g->m >= 0 && b->type.dims[0] >= 0 && b->type.dims[0] != g->m)))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: bias B must have shape [%lld]",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)g->m);
    return QGC_OK;
}

static void set_output(const conv_geom *g, qgc_dtype dt, qgc_type *out) {
    memset(out, 0, sizeof *out);
    out->dtype = dt;
    out->rank = g->rank;
    if (g->rank < 0) return;
    out->dims[0] = g->n;
    out->dims[1] = g->m;
    for (int i = 0; i < g->nd; i++) out->dims[2 + i] = g->out[i];
}

/* ConvTranspose output sizes and pads (ONNX ConvTranspose-11): from
 * output_shape, from auto_pad SAME_* (output = input * stride), or from the
 * explicit pads. */
static qgc_status conv_transpose_output(const qgc_node *n, conv_geom *g, qgc_diag *d) {
    char lbl[160];
    int nd = g->nd, cnt_op, cnt_os;
    const int64_t *op = qgc_attr_ints(n, "output_padding", &cnt_op);
    const int64_t *os = qgc_attr_ints(n, "output_shape", &cnt_os);
    if ((op && cnt_op != nd) || (os && cnt_os != nd && cnt_os != nd + 2))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: output_padding / output_shape must have %d values",
                        qgc_node_label(n, lbl, sizeof lbl), nd);
    if (os) os += cnt_os - nd;
    bool same = g->w.auto_pad == QGC_PAD_SAME_UPPER || g->w.auto_pad == QGC_PAD_SAME_LOWER;
    for (int i = 0; i < nd; i++) {
        int64_t adj = op ? op[i] : 0, s = g->w.stride[i], k = g->w.kernel[i];
        if (adj < 0 || adj > (INT64_C(1) << 30) || g->in[i] > (INT64_C(1) << 30) ||
            (os && (os[i] < 0 || os[i] > (INT64_C(1) << 40))))
            return qgc_fail(d, QGC_ERR_INVALID, "%s: sizes / output_padding / output_shape out of range",
                            qgc_node_label(n, lbl, sizeof lbl));
        int64_t target = os ? os[i] : same && g->in[i] >= 0 ? g->in[i] * s : -1;
        g->out[i] = target;
        if (g->in[i] < 0 || k < 0) continue;
        int64_t natural = s * (g->in[i] - 1) + adj + (k - 1) * g->w.dilation[i] + 1;
        if (target >= 0) {
            /* total / 2 rounded down also when negative (output_shape larger
             * than the natural size), as the ONNX reference computes it */
            int64_t total = natural - target, half = total >= 0 ? total / 2 : -((1 - total) / 2);
            g->w.pad_begin[i] = g->w.auto_pad == QGC_PAD_SAME_UPPER ? half : total - half;
            g->w.pad_end[i] = total - g->w.pad_begin[i];
        } else {
            g->out[i] = natural - g->w.pad_begin[i] - g->w.pad_end[i];
        }
        if (g->out[i] <= 0)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: output spatial dimension %d would be %lld",
                            qgc_node_label(n, lbl, sizeof lbl), i, (long long)g->out[i]);
    }
    return QGC_OK;
}

static qgc_status infer_common(const qgc_node *n, const qgc_tensor *const *in, bool transpose,
                               qgc_type *out, qgc_diag *d) {
    conv_geom g;
    qgc_status st = conv_geometry(n, in, transpose, &g, d);
    if (!st && g.rank >= 0)
        st = transpose ? conv_transpose_output(n, &g, d)
                       : qgc_window_forward(n, &g.w, g.in, false, g.out, d);
    if (!st) set_output(&g, in[0]->type.dtype, out);
    return st;
}

qgc_status qgc_infer_conv(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    return infer_common(n, in, false, out, d);
}

qgc_status qgc_infer_conv_transpose(const qgc_node *n, const qgc_tensor *const *in,
                                    qgc_type *out, qgc_diag *d) {
    return infer_common(n, in, true, out, d);
}

/* ---- conv kernels ------------------------------------------------------- */

/* 1-D and 2-D convs seen as 2-D (1-D with height 1). */
typedef struct {
    int64_t ih, iw, oh, ow, kh, kw, sh, sw, dh, dw, ph, pw;
} plane_geom;

static plane_geom plane_of(const conv_geom *g) {
    int two = g->nd == 2, l = g->nd - 1;
    plane_geom p = {two ? g->in[0] : 1,      g->in[l],         two ? g->out[0] : 1,
                    g->out[l],               two ? g->w.kernel[0] : 1, g->w.kernel[l],
                    two ? g->w.stride[0] : 1, g->w.stride[l],   two ? g->w.dilation[0] : 1,
                    g->w.dilation[l],        two ? g->w.pad_begin[0] : 0, g->w.pad_begin[l]};
    return p;
}

/* Output columns ox in [*lo, *hi) read input column ox * s + shift inside
 * [0, len_in). */
static void valid_range(int64_t shift, int64_t s, int64_t len_in, int64_t len_out, int64_t *lo,
                        int64_t *hi) {
    *lo = shift >= 0 ? 0 : (-shift + s - 1) / s;
    *hi = len_in - 1 - shift < 0 ? 0 : (len_in - 1 - shift) / s + 1;
    if (*hi > len_out) *hi = len_out;
    if (*lo > *hi) *lo = *hi;
}

/* One row k = (channel, ky, kx) of the 2-D im2col matrix: input
 * x[xoff + iy * iw + ix] with iy = oy * sh + ybase, ix = ox * sw + shift,
 * valid for ox in [ox_lo, ox_hi). */
typedef struct {
    int64_t xoff, ybase, shift, ox_lo, ox_hi;
} im2col_row;

typedef struct {
    const float *x; /* the group's first input channel */
    int nd;
    int64_t kvol, isp;
    const int64_t *in;
    plane_geom pg;          /* 1-D / 2-D */
    im2col_row *rows;       /* 1-D / 2-D: one per row of B */
    qgc_window_table pos;   /* N-d: per output position: window start, offset */
    qgc_window_table taps;  /* N-d: per kernel tap: dilated offset */
} im2col_ctx;

/* B[k][j] = x[channel k / kvol][pos j + tap k % kvol], 0 in the padding.
 * The 2-D form walks each sliver's columns as runs along output rows. */
static void pack_im2col_2d(const void *vctx, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                           float *dst) {
    const im2col_ctx *c = vctx;
    const plane_geom *g = &c->pg;
    for (int64_t jr = 0; jr < nc; jr += QGC_GEMM_NR) {
        int64_t cols = nc - jr < QGC_GEMM_NR ? nc - jr : QGC_GEMM_NR;
        int64_t oy0 = (j0 + jr) / g->ow, ox0 = (j0 + jr) % g->ow;
        for (int64_t p = 0; p < kc; p++) {
            const im2col_row *r = &c->rows[k0 + p];
            int64_t oy = oy0, ox = ox0;
            for (int64_t j = 0; j < cols; oy++, ox = 0) {
                int64_t run = cols - j < g->ow - ox ? cols - j : g->ow - ox;
                int64_t iy = oy * g->sh + r->ybase;
                /* the run's output columns [ox, ox + run): valid ones in [a, b) */
                int64_t a = ox > r->ox_lo ? ox : r->ox_lo, b = ox + run < r->ox_hi ? ox + run : r->ox_hi;
                if (iy < 0 || iy >= g->ih || a >= b) a = b = ox + run;
                float *o = dst + j; /* o[q - ox] for column q */
                for (int64_t q = ox; q < a; q++) o[q - ox] = 0.0f;
                if (a < b) {
                    const float *xr = c->x + r->xoff + iy * g->iw + r->shift + a * g->sw;
                    if (g->sw == 1)
                        memcpy(o + (a - ox), xr, sizeof *o * (size_t)(b - a));
                    else
                        for (int64_t q = a; q < b; q++) o[q - ox] = xr[(q - a) * g->sw];
                }
                for (int64_t q = b; q < ox + run; q++) o[q - ox] = 0.0f;
                j += run;
            }
            for (int64_t j = cols; j < QGC_GEMM_NR; j++) dst[j] = 0.0f;
            dst += QGC_GEMM_NR;
        }
    }
}

static void pack_im2col_nd(const void *vctx, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                           float *dst) {
    const im2col_ctx *c = vctx;
    int nd = c->nd;
    for (int64_t jr = 0; jr < nc; jr += QGC_GEMM_NR) {
        int64_t cols = nc - jr < QGC_GEMM_NR ? nc - jr : QGC_GEMM_NR;
        for (int64_t p = 0; p < kc; p++) {
            int64_t k = k0 + p, t = k % c->kvol;
            int64_t base = (k / c->kvol) * c->isp + c->taps.off[t];
            const int64_t *kd = c->taps.coord + t * nd;
            for (int64_t j = 0; j < cols; j++) {
                int64_t col = j0 + jr + j;
                const int64_t *ps = c->pos.coord + col * nd;
                bool ok = true;
                for (int e = 0; e < nd; e++) {
                    int64_t v = ps[e] + kd[e];
                    ok &= v >= 0 && v < c->in[e];
                }
                dst[j] = ok ? c->x[base + c->pos.off[col]] : 0.0f;
            }
            for (int64_t j = cols; j < QGC_GEMM_NR; j++) dst[j] = 0.0f;
            dst += QGC_GEMM_NR;
        }
    }
}

static qgc_status im2col_init(const conv_geom *g, int64_t kg, im2col_ctx *c, qgc_diag *d) {
    memset(c, 0, sizeof *c);
    c->nd = g->nd;
    c->kvol = qgc_dims_product(g->w.kernel, g->nd);
    c->isp = qgc_dims_product(g->in, g->nd);
    c->in = g->in;
    if (g->nd > 2) {
        qgc_status st =
            qgc_window_table_new(g->nd, g->out, g->w.stride, g->w.pad_begin, g->in, &c->pos, d);
        return st ? st
                  : qgc_window_table_new(g->nd, g->w.kernel, g->w.dilation, NULL, g->in,
                                         &c->taps, d);
    }
    c->pg = plane_of(g);
    c->rows = malloc(sizeof *c->rows * (size_t)(kg > 0 ? kg : 1));
    if (!c->rows) return qgc_fail(d, QGC_ERR_NOMEM, "conv: cannot allocate im2col rows");
    for (int64_t k = 0; k < kg; k++) {
        int64_t t = k % c->kvol, ky = t / c->pg.kw, kx = t % c->pg.kw;
        im2col_row *r = &c->rows[k];
        r->xoff = (k / c->kvol) * c->isp;
        r->ybase = ky * c->pg.dh - c->pg.ph;
        r->shift = kx * c->pg.dw - c->pg.pw;
        valid_range(r->shift, c->pg.sw, c->pg.iw, c->pg.ow, &r->ox_lo, &r->ox_hi);
    }
    return QGC_OK;
}

static void im2col_free(im2col_ctx *c) {
    free(c->rows);
    qgc_window_table_free(&c->pos);
    qgc_window_table_free(&c->taps);
}

/* One channel of a depthwise conv, 1-D or 2-D, tap by tap so the inner loop
 * runs over a contiguous output row. */
static void depthwise_channel(const plane_geom *g, const float *restrict x, const float *w,
                              float *restrict y) {
    for (int64_t ky = 0; ky < g->kh; ky++)
        for (int64_t kx = 0; kx < g->kw; kx++) {
            float wv = w[ky * g->kw + kx];
            int64_t shift = kx * g->dw - g->pw, ox0, ox1; /* ix = ox * sw + shift */
            valid_range(shift, g->sw, g->iw, g->ow, &ox0, &ox1);
            for (int64_t oy = 0; oy < g->oh; oy++) {
                int64_t iy = oy * g->sh - g->ph + ky * g->dh;
                if (iy < 0 || iy >= g->ih) continue;
                const float *xr = x + iy * g->iw;
                float *yr = y + oy * g->ow;
                if (g->sw == 1)
                    for (int64_t ox = ox0; ox < ox1; ox++) yr[ox] += wv * xr[ox + shift];
                else
                    for (int64_t ox = ox0; ox < ox1; ox++) yr[ox] += wv * xr[ox * g->sw + shift];
            }
        }
}

static void fill_bias(const conv_geom *g, const float *b, int64_t osp, float *y) {
    for (int64_t i = 0; i < g->n * g->m; i++) {
        float v = b ? b[i % g->m] : 0.0f;
        for (int64_t j = 0; j < osp; j++) y[i * osp + j] = v;
    }
}

static qgc_status conv_f32(const conv_geom *g, const float *x, const float *w, const float *b,
                           float *y, qgc_diag *d) {
    int nd = g->nd;
    int64_t cg = g->c / g->group, mg = g->m / g->group;
    int64_t isp = qgc_dims_product(g->in, nd), osp = qgc_dims_product(g->out, nd);
    int64_t kvol = qgc_dims_product(g->w.kernel, nd), kg = cg * kvol;
    fill_bias(g, b, osp, y);
    if (cg == 1 && mg == 1 && nd <= 2) {
        plane_geom pg = plane_of(g);
        for (int64_t i = 0; i < g->n * g->m; i++)
            depthwise_channel(&pg, x + i * isp, w + (i % g->m) * kvol, y + i * osp);
        return QGC_OK;
    }
    bool pointwise = kvol == 1;
    for (int i = 0; i < nd; i++)
        pointwise = pointwise && g->w.stride[i] == 1 && g->w.pad_begin[i] == 0 &&
                    g->w.pad_end[i] == 0;
    im2col_ctx ctx;
    qgc_status st = pointwise ? QGC_OK : im2col_init(g, kg, &ctx, d);
    for (int64_t bn = 0; bn < g->n && !st; bn++)
        for (int64_t gp = 0; gp < g->group && !st; gp++) {
            const float *xg = x + (bn * g->c + gp * cg) * isp, *wg = w + gp * mg * kg;
            float *yg = y + (bn * g->m + gp * mg) * osp;
            if (pointwise) {
                st = qgc_gemm_f32(mg, osp, cg, wg, kg, 1, xg, isp, 1, yg, osp, true, d);
            } else {
                ctx.x = xg;
                st = qgc_gemm_f32_packed(mg, osp, kg, wg, kg, 1,
                                         nd > 2 ? pack_im2col_nd : pack_im2col_2d, &ctx, yg,
                                         osp, true, d);
            }
        }
    if (!pointwise) im2col_free(&ctx);
    return st;
}

/* ---- conv_transpose kernel ---------------------------------------------- */

/* Column buffers are processed in chunks of input pixels of at most this
 * many floats, to bound memory on large images. */
#define COL_CHUNK_FLOATS (INT64_C(1) << 22)

static qgc_status conv_transpose_f32(const conv_geom *g, const float *x, const float *w,
                                     const float *b, float *y, qgc_diag *d) {
    int nd = g->nd;
    int64_t cg = g->c / g->group, mg = g->m / g->group;
    int64_t isp = qgc_dims_product(g->in, nd), osp = qgc_dims_product(g->out, nd);
    int64_t kvol = qgc_dims_product(g->w.kernel, nd), rows = mg * kvol;
    fill_bias(g, b, osp, y);
    if (isp == 0 || rows == 0) return QGC_OK;
    int64_t chunk = COL_CHUNK_FLOATS / rows;
    if (chunk < QGC_GEMM_NR) chunk = QGC_GEMM_NR;
    if (chunk > isp) chunk = isp;
    qgc_window_table pos = {0}, taps = {0};
    float *col = malloc(sizeof *col * (size_t)(rows * chunk));
    qgc_status st = col ? QGC_OK
                        : qgc_fail(d, QGC_ERR_NOMEM, "conv_transpose: cannot allocate %lld floats",
                                   (long long)(rows * chunk));
    if (!st) st = qgc_window_table_new(nd, g->in, g->w.stride, g->w.pad_begin, g->out, &pos, d);
    if (!st) st = qgc_window_table_new(nd, g->w.kernel, g->w.dilation, NULL, g->out, &taps, d);
    for (int64_t bn = 0; bn < g->n && !st; bn++)
        for (int64_t gp = 0; gp < g->group && !st; gp++)
            for (int64_t j0 = 0; j0 < isp && !st; j0 += chunk) {
                int64_t jc = isp - j0 < chunk ? isp - j0 : chunk;
                /* col[r][j] = sum_c W[gp*cg + c][r] * x[gp*cg + c][j0 + j] */
                st = qgc_gemm_f32(rows, jc, cg, w + gp * cg * rows, 1, rows,
                                  x + (bn * g->c + gp * cg) * isp + j0, isp, 1, col, jc, false, d);
                for (int64_t r = 0; r < rows && !st; r++) {
                    int64_t t = r % kvol;
                    const int64_t *kd = taps.coord + t * nd;
                    float *yc = y + (bn * g->m + gp * mg + r / kvol) * osp;
                    const float *cr = col + r * jc;
                    for (int64_t j = 0; j < jc; j++) {
                        const int64_t *ps = pos.coord + (j0 + j) * nd;
                        bool ok = true;
                        for (int e = 0; e < nd; e++) {
                            int64_t v = ps[e] + kd[e];
                            ok &= v >= 0 && v < g->out[e];
                        }
                        if (ok) yc[pos.off[j0 + j] + taps.off[t]] += cr[j];
                    }
                }
            }
    free(col);
    qgc_window_table_free(&pos);
    qgc_window_table_free(&taps);
    return st;
}

/* ---- eval entry points ---------------------------------------------------- */

typedef qgc_status (*conv_kernel)(const conv_geom *, const float *, const float *, const float *,
                                  float *, qgc_diag *);

static qgc_status eval_common(const qgc_node *n, const qgc_tensor *const *in,
                              qgc_tensor *const *out, bool transpose, conv_kernel kernel,
                              qgc_diag *d) {
    conv_geom g;
    qgc_status st = conv_geometry(n, in, transpose, &g, d);
    if (!st)
        st = transpose ? conv_transpose_output(n, &g, d)
                       : qgc_window_forward(n, &g.w, g.in, false, g.out, d);
    if (st) return st;
    const qgc_tensor *bt = n->n_in > 2 ? in[2] : NULL;
    const float *x = qgc_f32_view(in[0]), *w = qgc_f32_view(in[1]);
    const float *b = bt ? qgc_f32_view(bt) : NULL;
    float *y = qgc_f32_target(out[0]);
    if (!x || !w || (bt && !b) || !y)
        st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    else
        st = kernel(&g, x, w, b, y, d);
    if (x) qgc_f32_release(in[0], x);
    if (w) qgc_f32_release(in[1], w);
    if (b) qgc_f32_release(bt, b);
    if (y) {
        if (st) qgc_f32_discard(out[0], y);
        else qgc_f32_commit(out[0], y);
    }
    return st;
}

qgc_status qgc_eval_conv(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    return eval_common(n, in, out, false, conv_f32, d);
}

qgc_status qgc_eval_conv_transpose(const qgc_node *n, const qgc_tensor *const *in,
                                   qgc_tensor *const *out, qgc_diag *d) {
    return eval_common(n, in, out, true, conv_transpose_f32, d);
}
