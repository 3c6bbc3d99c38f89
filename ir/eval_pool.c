/* MaxPool-12 (ceil_mode, dilations, storage_order, optional indices),
 * AveragePool-11 (count_include_pad), LpPool-11 (p) and the global pools.
 * Windows are walked through offset tables (window.h); all dtypes go
 * through f32 (exact for the 8-bit integers MaxPool allows). */
#include <math.h>
#include <string.h>

#include "f32_view.h"
#include "ops.h"
#include "window.h"

typedef struct {
    int rank; /* nd + 2 */
    int nd;
    int64_t n, c;
    int64_t in[QGC_MAX_RANK], out[QGC_MAX_RANK];
    qgc_window w;
} pool_geom;

static qgc_status pool_geometry(const qgc_node *n, const qgc_type *x, pool_geom *g,
                                qgc_diag *d) {
    char lbl[160];
    int nd;
    memset(g, 0, sizeof *g);
    if (!qgc_attr_ints(n, "kernel_shape", &nd) || nd < 1 || nd > QGC_MAX_RANK - 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: attribute kernel_shape is required (1 to %d values)",
                        qgc_node_label(n, lbl, sizeof lbl), QGC_MAX_RANK - 2);
    if (x->rank >= 0 && x->rank != nd + 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: input of rank %d for a %d-D kernel",
                        qgc_node_label(n, lbl, sizeof lbl), x->rank, nd);
    int64_t order = qgc_attr_int(n, "storage_order", 0), p = qgc_attr_int(n, "p", 2);
    if (order != 0 && order != 1)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: storage_order must be 0 or 1",
                        qgc_node_label(n, lbl, sizeof lbl));
    if (n->op == QGC_OP_LP_POOL && p < 1)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: p must be at least 1",
                        qgc_node_label(n, lbl, sizeof lbl));
    g->rank = nd + 2;
    g->nd = nd;
    g->n = x->rank >= 0 ? x->dims[0] : -1;
    g->c = x->rank >= 0 ? x->dims[1] : -1;
    for (int i = 0; i < nd; i++) g->in[i] = x->rank >= 0 ? x->dims[2 + i] : -1;
    qgc_status st = qgc_window_read(n, nd, NULL, &g->w, d);
    if (st) return st;
    return qgc_window_forward(n, &g->w, g->in, qgc_attr_int(n, "ceil_mode", 0) != 0, g->out, d);
}

qgc_status qgc_infer_pool(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    pool_geom g;
    qgc_status st = pool_geometry(n, &in[0]->type, &g, d);
    if (st) return st;
    for (int o = 0; o < n->n_out; o++) {
        memset(&out[o], 0, sizeof out[o]);
        out[o].dtype = o == 0 ? in[0]->type.dtype : QGC_I64;
        out[o].rank = g.rank;
        out[o].dims[0] = g.n;
        out[o].dims[1] = g.c;
        for (int i = 0; i < g.nd; i++) out[o].dims[2 + i] = g.out[i];
    }
    return QGC_OK;
}

/* Column-major (storage_order 1) offset of a spatial coordinate. */
static int64_t colmajor_offset(const int64_t *coord, const int64_t *dims, int nd) {
    int64_t off = 0, stride = 1;
    for (int e = 0; e < nd; e++) {
        off += coord[e] * stride;
        stride *= dims[e];
    }
    return off;
}

static bool inside(const int64_t *pc, const int64_t *tc, const int64_t *lo, const int64_t *hi,
                   int nd) {
    bool ok = true;
    for (int e = 0; e < nd; e++) {
        int64_t v = pc[e] + tc[e];
        ok &= v >= lo[e] && v < hi[e];
    }
    return ok;
}

/* One (batch, channel) plane: x has isp values, y and idx (may be NULL)
 * have pos.count values; plane_base is the plane's flat index in X. */
static void pool_plane(const qgc_node *n, const pool_geom *g, const qgc_window_table *pos,
                       const qgc_window_table *taps, const float *x, float *y, int64_t *idx,
                       int64_t plane_base) {
    int nd = g->nd;
    int64_t zero[QGC_MAX_RANK] = {0}, lo[QGC_MAX_RANK], hi[QGC_MAX_RANK];
    for (int e = 0; e < nd; e++) {
        lo[e] = -g->w.pad_begin[e];
        hi[e] = g->in[e] + g->w.pad_end[e];
    }
    bool include_pad = qgc_attr_int(n, "count_include_pad", 0) != 0;
    bool colmajor = qgc_attr_int(n, "storage_order", 0) == 1;
    float p = (float)qgc_attr_int(n, "p", 2);
    for (int64_t q = 0; q < pos->count; q++) {
        const int64_t *pc = pos->coord + q * nd;
        float acc = n->op == QGC_OP_MAX_POOL ? -INFINITY : 0.0f;
        int64_t best = -1, count = 0;
        for (int64_t t = 0; t < taps->count; t++) {
            const int64_t *tc = taps->coord + t * nd;
            if (!inside(pc, tc, zero, g->in, nd)) {
                count += include_pad && inside(pc, tc, lo, hi, nd);
                continue;
            }
            float v = x[pos->off[q] + taps->off[t]];
            count++;
            if (n->op == QGC_OP_MAX_POOL) {
                if (best < 0 || v > acc) {
                    acc = v;
                    best = t;
                }
            } else if (n->op == QGC_OP_LP_POOL) {
                acc += p == 2.0f ? v * v : powf(fabsf(v), p);
            } else {
                acc += v;
            }
        }
        if (n->op == QGC_OP_AVERAGE_POOL) acc = count ? acc / (float)count : 0.0f;
        if (n->op == QGC_OP_LP_POOL) acc = p == 2.0f ? sqrtf(acc) : powf(acc, 1.0f / p);
        y[q] = acc;
        if (idx && best >= 0) {
            int64_t coord[QGC_MAX_RANK];
            for (int e = 0; e < nd; e++) coord[e] = pc[e] + taps->coord[best * nd + e];
            idx[q] = plane_base + (colmajor ? colmajor_offset(coord, g->in, nd)
                                            : pos->off[q] + taps->off[best]);
        }
    }
}

qgc_status qgc_eval_pool(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    pool_geom g;
    qgc_status st = pool_geometry(n, &in[0]->type, &g, d);
    if (st) return st;
    qgc_window_table pos = {0}, taps = {0};
    st = qgc_window_table_new(g.nd, g.out, g.w.stride, g.w.pad_begin, g.in, &pos, d);
    if (!st) st = qgc_window_table_new(g.nd, g.w.kernel, g.w.dilation, NULL, g.in, &taps, d);
    const float *x = st ? NULL : qgc_f32_view(in[0]);
    float *y = x ? qgc_f32_target(out[0]) : NULL;
    if (!st && (!x || !y)) st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    int64_t *idx = n->n_out > 1 && out[1] ? out[1]->data : NULL;
    int64_t isp = qgc_dims_product(g.in, g.nd);
    for (int64_t pl = 0; !st && pl < g.n * g.c; pl++)
        pool_plane(n, &g, &pos, &taps, x + pl * isp, y + pl * pos.count,
                   idx ? idx + pl * pos.count : NULL, pl * isp);
    if (x) qgc_f32_release(in[0], x);
    if (y) {
        if (st) qgc_f32_discard(out[0], y);
        else qgc_f32_commit(out[0], y);
    }
    qgc_window_table_free(&pos);
    qgc_window_table_free(&taps);
    return st;
}

/* ---- global pools -------------------------------------------------------- */

qgc_status qgc_infer_global_pool(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                                 qgc_diag *d) {
    char lbl[160];
    const qgc_type *x = &in[0]->type;
    *out = *x;
    if (x->rank < 0) return QGC_OK;
    if (x->rank < 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: input must have rank >= 2 (N, C, ...)",
                        qgc_node_label(n, lbl, sizeof lbl));
    for (int i = 2; i < x->rank; i++) {
        out->dims[i] = 1;
        out->sym[i] = NULL;
    }
    return QGC_OK;
}

qgc_status qgc_eval_global_pool(const qgc_node *n, const qgc_tensor *const *in,
                                qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *t = &in[0]->type;
    int64_t planes = t->dims[0] * t->dims[1], sp = qgc_dims_product(t->dims + 2, t->rank - 2);
    const float *x = qgc_f32_view(in[0]);
    float *y = x ? qgc_f32_target(out[0]) : NULL;
    if (!x || !y) {
        if (x) qgc_f32_release(in[0], x);
        return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    }
    bool max = n->op == QGC_OP_GLOBAL_MAX_POOL;
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = x + pl * sp;
        float acc = max ? -INFINITY : 0.0f;
        for (int64_t i = 0; i < sp; i++) acc = max ? (xp[i] > acc ? xp[i] : acc) : acc + xp[i];
        y[pl] = max || sp == 0 ? acc : acc / (float)sp;
    }
    qgc_f32_release(in[0], x);
    qgc_f32_commit(out[0], y);
    return QGC_OK;
}
