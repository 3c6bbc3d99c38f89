/* Dropout-13 in inference mode (output = input, mask all true; training
 * mode only with ratio 0, which is deterministic too), and the losses
 * NegativeLogLikelihoodLoss-13 and SoftmaxCrossEntropyLoss-13 (weight,
 * ignore_index, reduction none / sum / mean, N-d inputs (N, C, d1..dk),
 * optional log_prob output). Sums in double; floats go through f32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "f32_view.h"
#include "ops.h"
#include "window.h"

/* ---- Dropout ----------------------------------------------------------- */

qgc_status qgc_infer_dropout(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    (void)d;
    out[0] = in[0]->type;
    if (n->n_out > 1) {
        out[1] = in[0]->type;
        out[1].dtype = QGC_BOOL;
    }
    return QGC_OK;
}

qgc_status qgc_eval_dropout(const qgc_node *n, const qgc_tensor *const *in,
                            qgc_tensor *const *out, qgc_diag *d) {
    char lbl[160];
    const qgc_tensor *ratio = n->n_in > 1 ? in[1] : NULL, *train = n->n_in > 2 ? in[2] : NULL;
    bool training = train && qgc_tensor_numel(train) > 0 && qgc_load_i64(train->type.dtype, train->data, 0);
    double r = ratio && qgc_tensor_numel(ratio) > 0 ? qgc_load_f64(ratio->type.dtype, ratio->data, 0) : 0.5;
    if (training && r != 0)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                        "%s: training-mode dropout (random) is not supported",
                        qgc_node_label(n, lbl, sizeof lbl));
    memcpy(out[0]->data, in[0]->data, out[0]->nbytes < in[0]->nbytes ? out[0]->nbytes : in[0]->nbytes);
    if (n->n_out > 1 && out[1]) memset(out[1]->data, 1, out[1]->nbytes);
    return QGC_OK;
}

/* ---- losses ------------------------------------------------------------ */

typedef enum { RED_NONE, RED_SUM, RED_MEAN } reduction;

static qgc_status loss_reduction(const qgc_node *n, reduction *r, qgc_diag *d) {
    char lbl[160];
    const char *s = qgc_attr_string(n, "reduction", "mean");
    if (strcmp(s, "none") == 0) *r = RED_NONE;
    else if (strcmp(s, "sum") == 0) *r = RED_SUM;
    else if (strcmp(s, "mean") == 0) *r = RED_MEAN;
    else
        return qgc_fail(d, QGC_ERR_INVALID, "%s: unknown reduction '%s'",
                        qgc_node_label(n, lbl, sizeof lbl), s);
    return QGC_OK;
}

/* Shared shape rule: scores/input (N, C, d...), target (N, d...), weight (C). */
static qgc_status loss_infer(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                             qgc_diag *d) {
    char lbl[160];
    const qgc_type *x = &in[0]->type, *t = &in[1]->type;
    reduction r = RED_MEAN;
    qgc_status st = loss_reduction(n, &r, d);
    if (st) return st;
    if ((x->rank >= 0 && x->rank < 2) || (x->rank >= 0 && t->rank >= 0 && t->rank != x->rank - 1))
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s: input must be (N, C, d1..dk) and target (N, d1..dk)",
                        qgc_node_label(n, lbl, sizeof lbl));
    if (!qgc_dtype_is_int(t->dtype))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: target must be an integer tensor",
                        qgc_node_label(n, lbl, sizeof lbl));
    memset(out, 0, sizeof *out);
    out->dtype = x->dtype;
    if (r == RED_NONE) {
        *out = *t;
        out->dtype = x->dtype;
        if (t->rank < 0 && x->rank >= 0) {
            out->rank = x->rank - 1;
            out->dims[0] = x->dims[0];
            out->sym[0] = x->sym[0];
            for (int i = 1; i < out->rank; i++) {
                out->dims[i] = x->dims[i + 1];
                out->sym[i] = x->sym[i + 1];
            }
        }
    }
    if (n->n_out > 1) out[1] = *x;
    return QGC_OK;
}

qgc_status qgc_infer_nll_loss(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                              qgc_diag *d) {
    return loss_infer(n, in, out, d);
}

qgc_status qgc_infer_softmax_ce_loss(const qgc_node *n, const qgc_tensor *const *in,
                                     qgc_type *out, qgc_diag *d) {
    return loss_infer(n, in, out, d);
}

/* Negative log-likelihood of log-probabilities lp (N, C, D flattened) at
 * the targets, weighted, reduced into y (f32). */
static qgc_status nll(const qgc_node *n, const float *lp, const qgc_tensor *target,
                      const float *weight, int64_t nb, int64_t c, int64_t sp, float *y,
                      qgc_diag *d) {
    char lbl[160];
    reduction r = RED_MEAN;
    qgc_status st = loss_reduction(n, &r, d);
    if (st) return st;
    bool has_ii = qgc_attr_get(n, "ignore_index") != NULL;
    int64_t ii = qgc_attr_int(n, "ignore_index", 0);
    double sum = 0, wsum = 0;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t i = 0; i < sp; i++) {
            int64_t t = qgc_load_i64(target->type.dtype, target->data, b * sp + i);
            double loss = 0, w = 0;
            if (!has_ii || t != ii) {
                if (t < 0 || t >= c)
                    return qgc_fail(d, QGC_ERR_INVALID, "%s: target %lld is out of range [0, %lld)",
                                    qgc_node_label(n, lbl, sizeof lbl), (long long)t, (long long)c);
                w = weight ? weight[t] : 1.0;
                loss = -(double)lp[(b * c + t) * sp + i] * w;
            }
            if (r == RED_NONE) y[b * sp + i] = (float)loss;
            sum += loss;
            wsum += w;
        }
    if (r == RED_SUM) y[0] = (float)sum;
    if (r == RED_MEAN) y[0] = (float)(sum / wsum);
    return QGC_OK;
}

static qgc_status eval_loss(const qgc_node *n, const qgc_tensor *const *in,
                            qgc_tensor *const *out, bool softmax, qgc_diag *d) {
    char lbl[160];
    const qgc_type *xt = &in[0]->type;
    const qgc_tensor *wt = n->n_in > 2 ? in[2] : NULL;
    int64_t nb = xt->dims[0], c = xt->dims[1], sp = qgc_dims_product(xt->dims + 2, xt->rank - 2);
    if (wt && qgc_tensor_numel(wt) != c)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: weight must have C = %lld values",
                        qgc_node_label(n, lbl, sizeof lbl), (long long)c);
    if (qgc_tensor_numel(in[1]) != nb * sp)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: target shape does not match the input",
                        qgc_node_label(n, lbl, sizeof lbl));
    const float *x = qgc_f32_view(in[0]), *w = wt ? qgc_f32_view(wt) : NULL;
    float *y = qgc_f32_target(out[0]);
    qgc_tensor *lpt = softmax && n->n_out > 1 ? out[1] : NULL;
    float *lp = !softmax ? NULL : lpt ? qgc_f32_target(lpt) : malloc(sizeof *lp * (size_t)(nb * c * sp + 1));
    qgc_status st = QGC_OK;
    if (!x || (wt && !w) || !y || (softmax && !lp))
        st = qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", qgc_ops[n->op].name);
    for (int64_t b = 0; softmax && !st && b < nb; b++)
        for (int64_t i = 0; i < sp; i++) { /* log_softmax over C */
            const float *xc = x + b * c * sp + i;
            float *lc = lp + b * c * sp + i;
            double mx = -INFINITY, s = 0;
            for (int64_t k = 0; k < c; k++) mx = xc[k * sp] > mx ? xc[k * sp] : mx;
            for (int64_t k = 0; k < c; k++) s += exp(xc[k * sp] - mx);
            for (int64_t k = 0; k < c; k++) lc[k * sp] = (float)(xc[k * sp] - mx - log(s));
        }
    if (!st) st = nll(n, softmax ? lp : x, in[1], w, nb, c, sp, y, d);
    if (x) qgc_f32_release(in[0], x);
    if (w) qgc_f32_release(wt, w);
    if (y) {
        if (st) qgc_f32_discard(out[0], y);
        else qgc_f32_commit(out[0], y);
    }
    if (lpt && lp) {
        if (st) qgc_f32_discard(lpt, lp);
        else qgc_f32_commit(lpt, lp);
    } else {
        free(lp);
    }
    return st;
}

qgc_status qgc_eval_nll_loss(const qgc_node *n, const qgc_tensor *const *in,
                             qgc_tensor *const *out, qgc_diag *d) {
    return eval_loss(n, in, out, false, d);
}

qgc_status qgc_eval_softmax_ce_loss(const qgc_node *n, const qgc_tensor *const *in,
                                    qgc_tensor *const *out, qgc_diag *d) {
    return eval_loss(n, in, out, true, d);
}
