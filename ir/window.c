/* Sliding-window geometry (see window.h). Formulas: ONNX Conv / MaxPool /
 * AveragePool specs, "auto_pad" and "output shape" sections. */
#include <stdlib.h>
#include <string.h>

#include "window.h"

/* Bound on attribute values and spatial sizes so that the size arithmetic
 * (products of two, sums of a few) cannot overflow. */
#define WINDOW_MAX (INT64_C(1) << 30)
/* Bound on the entries of a window table. */
#define TABLE_MAX (INT64_C(1) << 40)

int64_t qgc_dims_product(const int64_t *dims, int n) {
    int64_t p = 1;
    for (int i = 0; i < n; i++) p *= dims[i];
    return p;
}

static qgc_status read_list(const qgc_node *n, const char *name, int want, int64_t lo,
                            int64_t dflt, int64_t *dst, qgc_diag *d) {
    char lbl[160];
    int cnt;
    const int64_t *v = qgc_attr_ints(n, name, &cnt);
    if (!v) {
        for (int i = 0; i < want; i++) dst[i] = dflt;
        return QGC_OK;
    }
    if (cnt != want)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: attribute %s has %d values, expected %d",
                        qgc_node_label(n, lbl, sizeof lbl), name, cnt, want);
    for (int i = 0; i < want; i++) {
        if (v[i] < lo || v[i] > WINDOW_MAX)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: attribute %s[%d] = %lld is out of range",
                            qgc_node_label(n, lbl, sizeof lbl), name, i, (long long)v[i]);
        dst[i] = v[i];
    }
    return QGC_OK;
}

qgc_status qgc_window_read(const qgc_node *n, int nd, const int64_t *w_kernel, qgc_window *w,
                           qgc_diag *d) {
    char lbl[160];
    memset(w, 0, sizeof *w);
    w->nd = nd;
    if (nd < 1 || nd > QGC_MAX_RANK - 2)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: %d spatial dimensions are not supported",
                        qgc_node_label(n, lbl, sizeof lbl), nd);
    const char *ap = qgc_attr_string(n, "auto_pad", "NOTSET");
    if (strcmp(ap, "NOTSET") == 0) w->auto_pad = QGC_PAD_NOTSET;
    else if (strcmp(ap, "SAME_UPPER") == 0) w->auto_pad = QGC_PAD_SAME_UPPER;
    else if (strcmp(ap, "SAME_LOWER") == 0) w->auto_pad = QGC_PAD_SAME_LOWER;
    else if (strcmp(ap, "VALID") == 0) w->auto_pad = QGC_PAD_VALID;
    else
        return qgc_fail(d, QGC_ERR_INVALID, "%s: unknown auto_pad '%s'",
                        qgc_node_label(n, lbl, sizeof lbl), ap);
    int64_t pads[2 * QGC_MAX_RANK];
    qgc_status st;
    if ((st = read_list(n, "strides", nd, 1, 1, w->stride, d)) ||
        (st = read_list(n, "dilations", nd, 1, 1, w->dilation, d)) ||
        (st = read_list(n, "pads", 2 * nd, 0, 0, pads, d)))
        return st;
    for (int i = 0; i < nd; i++) {
        w->pad_begin[i] = w->auto_pad == QGC_PAD_NOTSET ? pads[i] : 0;
        w->pad_end[i] = w->auto_pad == QGC_PAD_NOTSET ? pads[nd + i] : 0;
    }
    if (qgc_attr_get(n, "kernel_shape")) {
        if ((st = read_list(n, "kernel_shape", nd, 1, 1, w->kernel, d))) return st;
        for (int i = 0; w_kernel && i < nd; i++)
            if (w_kernel[i] >= 0 && w_kernel[i] != w->kernel[i])
                return qgc_fail(d, QGC_ERR_INVALID,
                                "%s: kernel_shape[%d] = %lld but the weight has %lld",
                                qgc_node_label(n, lbl, sizeof lbl), i,
                                (long long)w->kernel[i], (long long)w_kernel[i]);
        return QGC_OK;
    }
    if (!w_kernel)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: attribute kernel_shape is required",
                        qgc_node_label(n, lbl, sizeof lbl));
    for (int i = 0; i < nd; i++) {
        if (w_kernel[i] == 0 || w_kernel[i] > WINDOW_MAX)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: kernel dimension %d is %lld",
                            qgc_node_label(n, lbl, sizeof lbl), i, (long long)w_kernel[i]);
        w->kernel[i] = w_kernel[i] < 0 ? -1 : w_kernel[i];
    }
    return QGC_OK;
}

qgc_status qgc_window_forward(const qgc_node *n, qgc_window *w, const int64_t *in,
                              bool ceil_mode, int64_t *out, qgc_diag *d) {
    char lbl[160];
    for (int i = 0; i < w->nd; i++) {
        int64_t s = w->stride[i], k = w->kernel[i];
        int64_t dk = k < 0 ? -1 : (k - 1) * w->dilation[i] + 1;
        out[i] = -1;
        if (in[i] < 0) continue;
        if (in[i] > WINDOW_MAX)
            return qgc_fail(d, QGC_ERR_INVALID, "%s: spatial dimension %d is too large",
                            qgc_node_label(n, lbl, sizeof lbl), i);
        if (w->auto_pad == QGC_PAD_SAME_UPPER || w->auto_pad == QGC_PAD_SAME_LOWER) {
            out[i] = (in[i] + s - 1) / s;
            if (dk < 0) continue;
            int64_t total = (out[i] - 1) * s + dk - in[i];
            if (total < 0) total = 0;
            int64_t small = total / 2;
            w->pad_begin[i] = w->auto_pad == QGC_PAD_SAME_UPPER ? small : total - small;
            w->pad_end[i] = total - w->pad_begin[i];
            continue;
        }
        if (dk < 0) continue;
        int64_t span = in[i] + w->pad_begin[i] + w->pad_end[i] - dk;
        if (span < 0)
            return qgc_fail(d, QGC_ERR_INVALID,
                            "%s: window of %lld (dilated) does not fit spatial dimension %d "
                            "of size %lld plus padding",
                            qgc_node_label(n, lbl, sizeof lbl), (long long)dk, i,
                            (long long)in[i]);
        out[i] = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
        if (ceil_mode && (out[i] - 1) * s >= in[i] + w->pad_begin[i]) out[i]--;
    }
    return QGC_OK;
}

qgc_status qgc_window_table_new(int nd, const int64_t *dims, const int64_t *mul,
                                const int64_t *sub, const int64_t *img, qgc_window_table *t,
                                qgc_diag *d) {
    t->nd = nd;
    t->count = 1;
    t->coord = t->off = NULL;
    for (int e = 0; e < nd; e++) {
        if (dims[e] > TABLE_MAX / (t->count > 0 ? t->count : 1))
            return qgc_fail(d, QGC_ERR_NOMEM, "window table too large");
        t->count *= dims[e];
    }
    t->coord = malloc(sizeof *t->coord * (size_t)(t->count * nd + 1));
    t->off = malloc(sizeof *t->off * (size_t)(t->count + 1));
    if (!t->coord || !t->off) {
        qgc_window_table_free(t);
        return qgc_fail(d, QGC_ERR_NOMEM, "cannot allocate a window table of %lld entries",
                        (long long)t->count);
    }
    int64_t img_stride[QGC_MAX_RANK], idx[QGC_MAX_RANK] = {0};
    int64_t stride = 1;
    for (int e = nd - 1; e >= 0; e--) {
        img_stride[e] = stride;
        stride *= img[e];
    }
    for (int64_t p = 0; p < t->count; p++) {
        int64_t off = 0;
        for (int e = 0; e < nd; e++) {
            int64_t c = idx[e] * mul[e] - (sub ? sub[e] : 0);
            t->coord[p * nd + e] = c;
            off += c * img_stride[e];
        }
        t->off[p] = off;
        for (int e = nd - 1; e >= 0 && ++idx[e] == dims[e]; e--) idx[e] = 0;
    }
    return QGC_OK;
}

void qgc_window_table_free(qgc_window_table *t) {
    free(t->coord);
    free(t->off);
    t->coord = t->off = NULL;
}
