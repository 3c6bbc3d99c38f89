/* MatMul (numpy matmul: 1-D promotion, broadcast batch dims) and Gemm
 * (ONNX Gemm-13: alpha * A' * B' + beta * C, transA / transB, C broadcast
 * unidirectionally to M x N).
 *
 * Float dtypes run on the f32 GEMM (gemm_f32.h; others converted through
 * f32); integer dtypes accumulate in 64-bit integers with wraparound. */
#include <stdlib.h>
#include <string.h>

#include "f32_view.h"
#include "gemm_f32.h"
#include "ops.h"

static bool numeric(qgc_dtype t) { return qgc_dtype_is_float(t) || qgc_dtype_is_int(t); }

static qgc_status check_dtypes(const qgc_node *n, const qgc_tensor *const *in, int count,
                               qgc_diag *d) {
    char lbl[160];
    for (int i = 0; i < count; i++) {
        if (!in[i]) continue;
        qgc_dtype t = in[i]->type.dtype;
        if (!numeric(t))
            return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: dtype %s is not supported",
                            qgc_node_label(n, lbl, sizeof lbl),
                            qgc_dtype_name(t) ? qgc_dtype_name(t) : "?");
        if (t != in[0]->type.dtype)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: inputs have different dtypes",
                            qgc_node_label(n, lbl, sizeof lbl));
    }
    return QGC_OK;
}

/* Integer C[i][j] = sum_p A[i][p] * B[p][j] over strided operands (element
 * indices), wrapping like two's-complement hardware. */
static void matmul_int(qgc_dtype dt, const void *a, int64_t ao, int64_t rs_a, int64_t cs_a,
                       const void *b, int64_t bo, int64_t rs_b, int64_t cs_b, void *y,
                       int64_t yo, int64_t m, int64_t n, int64_t k) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            uint64_t acc = 0;
            for (int64_t p = 0; p < k; p++)
                acc += (uint64_t)qgc_load_i64(dt, a, ao + i * rs_a + p * cs_a) *
                       (uint64_t)qgc_load_i64(dt, b, bo + p * rs_b + j * cs_b);
            qgc_store_i64(dt, y, yo + i * n + j, (int64_t)acc);
        }
}

/* ---- MatMul -------------------------------------------------------------- */

qgc_status qgc_infer_matmul(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                            qgc_diag *d) {
    char lbl[160];
    const qgc_type *a = &in[0]->type, *b = &in[1]->type;
    memset(out, 0, sizeof *out);
    out->dtype = a->dtype;
    qgc_status st = check_dtypes(n, in, 2, d);
    if (st) return st;
    if (a->rank < 0 || b->rank < 0) {
        out->rank = -1;
        return QGC_OK;
    }
    if (a->rank == 0 || b->rank == 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: matmul operands must have rank >= 1",
                        qgc_node_label(n, lbl, sizeof lbl));
    int64_t ka = a->dims[a->rank - 1], kb = b->dims[b->rank >= 2 ? b->rank - 2 : 0];
    if (ka >= 0 && kb >= 0 && ka != kb)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: inner dimensions differ (%lld vs %lld)",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)ka, (long long)kb);
    qgc_type ab = *a, bb = *b;
    ab.rank = a->rank >= 2 ? a->rank - 2 : 0;
    bb.rank = b->rank >= 2 ? b->rank - 2 : 0;
    if ((st = qgc_broadcast_shape(n, &ab, &bb, out, d))) return st;
    int rank = out->rank + (a->rank >= 2) + (b->rank >= 2);
    if (rank > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: result rank %d is too large",
                        qgc_node_label(n, lbl, sizeof lbl), rank);
    if (a->rank >= 2) {
        out->dims[out->rank] = a->dims[a->rank - 2];
        out->sym[out->rank++] = a->sym[a->rank - 2];
    }
    if (b->rank >= 2) {
        out->dims[out->rank] = b->dims[b->rank - 1];
        out->sym[out->rank++] = b->sym[b->rank - 1];
    }
    return QGC_OK;
}

/* Element offset of the matrix at output batch index `flat` in an operand
 * whose batch dims (right-aligned, broadcast where 1) are dims[0..rank). */
static int64_t batch_offset(int64_t flat, const int64_t *obatch, int orank,
                            const int64_t *dims, int rank, int64_t mat) {
    int64_t off = 0, stride = mat;
    for (int i = orank - 1; i >= 0; i--) {
        int64_t idx = flat % obatch[i];
        flat /= obatch[i];
        int j = i - (orank - rank);
        if (j < 0) break;
        if (dims[j] != 1) off += idx * stride;
        stride *= dims[j];
    }
    return off;
}

qgc_status qgc_eval_matmul(const qgc_node *n, const qgc_tensor *const *in,
                           qgc_tensor *const *out, qgc_diag *d) {
    const qgc_type *a = &in[0]->type, *b = &in[1]->type, *o = &out[0]->type;
    int ra = a->rank, rb = b->rank;
    int64_t m = ra >= 2 ? a->dims[ra - 2] : 1, k = a->dims[ra - 1];
    int64_t nn = rb >= 2 ? b->dims[rb - 1] : 1;
    int ob = o->rank - (ra >= 2) - (rb >= 2), abr = ra >= 2 ? ra - 2 : 0, bbr = rb >= 2 ? rb - 2 : 0;
    int64_t batches = qgc_type_numel(o) / (m * nn > 0 ? m * nn : 1);
    if (m * nn == 0) batches = 0;
    qgc_status st = QGC_OK;
    if (qgc_dtype_is_int(a->dtype)) {
        for (int64_t bi = 0; bi < batches; bi++)
            matmul_int(a->dtype, in[0]->data, batch_offset(bi, o->dims, ob, a->dims, abr, m * k),
                       k, 1, in[1]->data, batch_offset(bi, o->dims, ob, b->dims, bbr, k * nn),
                       nn, 1, out[0]->data, bi * m * nn, m, nn, k);
        return QGC_OK;
    }
    const float *x = qgc_f32_view(in[0]), *w = qgc_f32_view(in[1]);
    float *y = qgc_f32_target(out[0]);
    if (!x || !w || !y) {
        st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    } else {
        int64_t bcount = 1;
        for (int i = 0; i < bbr; i++) bcount *= b->dims[i];
        if (bcount == 1) /* shared B: A's batches become extra rows */
            st = qgc_gemm_f32(batches * m, nn, k, x, k, 1, w, nn, 1, y, nn, false, d);
        for (int64_t bi = 0; bi < batches && bcount != 1 && !st; bi++)
            st = qgc_gemm_f32(m, nn, k, x + batch_offset(bi, o->dims, ob, a->dims, abr, m * k),
                              k, 1, w + batch_offset(bi, o->dims, ob, b->dims, bbr, k * nn), nn,
                              1, y + bi * m * nn, nn, false, d);
    }
    if (x) qgc_f32_release(in[0], x);
    if (w) qgc_f32_release(in[1], w);
    if (y) {
        if (st) qgc_f32_discard(out[0], y);
        else qgc_f32_commit(out[0], y);
    }
    return st;
}

/* ---- Gemm ---------------------------------------------------------------- */

typedef struct {
    int64_t m, n, k;
    int64_t cm, cn; /* C's dims after right-alignment to (M, N); 0: no C */
} gemm_geom;

static qgc_status gemm_geometry(const qgc_node *n, const qgc_tensor *const *in, gemm_geom *g,
                                qgc_diag *d) {
    char lbl[160];
    const qgc_type *a = &in[0]->type, *b = &in[1]->type;
    const qgc_tensor *c = n->n_in > 2 ? in[2] : NULL;
    bool ta = qgc_attr_int(n, "transA", 0) != 0, tb = qgc_attr_int(n, "transB", 0) != 0;
    if ((a->rank >= 0 && a->rank != 2) || (b->rank >= 0 && b->rank != 2) ||
        (c && c->type.rank > 2))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: A and B must be 2-D and C at most 2-D",
                        qgc_node_label(n, lbl, sizeof lbl));
    g->m = a->rank == 2 ? a->dims[ta ? 1 : 0] : -1;
    g->k = a->rank == 2 ? a->dims[ta ? 0 : 1] : -1;
    g->n = b->rank == 2 ? b->dims[tb ? 0 : 1] : -1;
    int64_t kb = b->rank == 2 ? b->dims[tb ? 1 : 0] : -1;
    if (g->k >= 0 && kb >= 0 && g->k != kb)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: inner dimensions differ (%lld vs %lld)",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)g->k, (long long)kb);
    if (g->k < 0) g->k = kb;
    g->cm = g->cn = 0;
    if (!c) return QGC_OK;
    const qgc_type *ct = &c->type;
    g->cm = ct->rank == 2 ? ct->dims[0] : 1;
    g->cn = ct->rank >= 1 ? ct->dims[ct->rank - 1] : 1;
    if ((g->cm > 1 && g->m >= 0 && g->cm != g->m) || (g->cn > 1 && g->n >= 0 && g->cn != g->n))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: C does not broadcast to [%lld, %lld]",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)g->m, (long long)g->n);
    return QGC_OK;
}

qgc_status qgc_infer_gemm(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    gemm_geom g;
    memset(out, 0, sizeof *out);
    out->dtype = in[0]->type.dtype;
    qgc_status st = check_dtypes(n, in, n->n_in, d);
    if (!st) st = gemm_geometry(n, in, &g, d);
    if (st) return st;
    out->rank = 2;
    out->dims[0] = g.m;
    out->dims[1] = g.n;
    return QGC_OK;
}

qgc_status qgc_eval_gemm(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    gemm_geom g;
    qgc_status st = gemm_geometry(n, in, &g, d);
    if (st) return st;
    bool ta = qgc_attr_int(n, "transA", 0) != 0, tb = qgc_attr_int(n, "transB", 0) != 0;
    double alpha = qgc_attr_float(n, "alpha", 1.0f), beta = qgc_attr_float(n, "beta", 1.0f);
    /* A'[i][p] = A[i*rs_a + p*cs_a], B'[p][j] = B[p*rs_b + j*cs_b] */
    int64_t rs_a = ta ? 1 : g.k, cs_a = ta ? g.m : 1, rs_b = tb ? 1 : g.n, cs_b = tb ? g.k : 1;
    const qgc_tensor *c = n->n_in > 2 ? in[2] : NULL;
    qgc_dtype dt = out[0]->type.dtype;
    /* C broadcast: element (i, j) of C is at i*c_rs + j*c_cs */
    int64_t c_rs = g.cm == 1 ? 0 : g.cn, c_cs = g.cn == 1 ? 0 : 1;
    if (qgc_dtype_is_int(dt)) {
        matmul_int(dt, in[0]->data, 0, rs_a, cs_a, in[1]->data, 0, rs_b, cs_b, out[0]->data, 0,
                   g.m, g.n, g.k);
        if (alpha == 1.0 && (!c || beta == 1.0)) {
            for (int64_t i = 0; c && i < g.m; i++)
                for (int64_t j = 0; j < g.n; j++) {
                    uint64_t v = (uint64_t)qgc_load_i64(dt, out[0]->data, i * g.n + j) +
                                 (uint64_t)qgc_load_i64(dt, c->data, i * c_rs + j * c_cs);
                    qgc_store_i64(dt, out[0]->data, i * g.n + j, (int64_t)v);
                }
            return QGC_OK;
        }
        for (int64_t i = 0; i < g.m; i++)
            for (int64_t j = 0; j < g.n; j++) {
                double v = alpha * (double)qgc_load_i64(dt, out[0]->data, i * g.n + j);
                if (c) v += beta * (double)qgc_load_i64(dt, c->data, i * c_rs + j * c_cs);
                qgc_store_f64(dt, out[0]->data, i * g.n + j, v);
            }
        return QGC_OK;
    }
    const float *a = qgc_f32_view(in[0]), *b = qgc_f32_view(in[1]);
    const float *cv = c ? qgc_f32_view(c) : NULL;
    float *y = qgc_f32_target(out[0]);
    if (!a || !b || (c && !cv) || !y) {
        st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    } else {
        st = qgc_gemm_f32(g.m, g.n, g.k, a, rs_a, cs_a, b, rs_b, cs_b, y, g.n, false, d);
        float fa = (float)alpha, fb = (float)beta;
        if (!st && (fa != 1.0f || cv))
            for (int64_t i = 0; i < g.m; i++)
                for (int64_t j = 0; j < g.n; j++) {
                    float v = fa * y[i * g.n + j];
                    if (cv) v += fb * cv[i * c_rs + j * c_cs];
                    y[i * g.n + j] = v;
                }
    }
    if (a) qgc_f32_release(in[0], a);
    if (b) qgc_f32_release(in[1], b);
    if (cv) qgc_f32_release(c, cv);
    if (y) {
        if (st) qgc_f32_discard(out[0], y);
        else qgc_f32_commit(out[0], y);
    }
    return st;
}
