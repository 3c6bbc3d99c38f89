/* Sliding-window geometry shared by conv, conv_transpose and the pools:
 * reading kernel_shape / strides / dilations / pads / auto_pad, the ONNX
 * output-size and auto_pad formulas, and offset tables that let the kernels
 * walk N-d windows with flat indices. */
#ifndef QGC_WINDOW_H
#define QGC_WINDOW_H

#include "qgc_ir.h"

typedef enum { QGC_PAD_NOTSET, QGC_PAD_SAME_UPPER, QGC_PAD_SAME_LOWER, QGC_PAD_VALID } qgc_auto_pad;

typedef struct {
    int nd; /* spatial dims */
    qgc_auto_pad auto_pad;
    int64_t kernel[QGC_MAX_RANK]; /* -1: unknown (taken from a W whose dims are unknown) */
    int64_t stride[QGC_MAX_RANK];
    int64_t dilation[QGC_MAX_RANK];
    int64_t pad_begin[QGC_MAX_RANK]; /* explicit pads; resolved for SAME_* by qgc_window_forward */
    int64_t pad_end[QGC_MAX_RANK];
} qgc_window;

/* Reads the window attributes of node n with nd spatial dims. The kernel is
 * kernel_shape, or w_kernel (the weight's spatial dims, entries may be -1)
 * when the attribute is absent; w_kernel NULL makes kernel_shape required.
 * Fails (naming the node) on a list of the wrong length or a value out of
 * range. */
qgc_status qgc_window_read(const qgc_node *n, int nd, const int64_t *w_kernel, qgc_window *w,
                           qgc_diag *d);

/* Output spatial sizes of conv / pool for input sizes in[] (entries may be
 * -1, giving -1). Resolves SAME_UPPER / SAME_LOWER / VALID pads where the
 * input size is known. ceil_mode: pools' rounding, where a window that would
 * start past the input and its begin padding is dropped. */
qgc_status qgc_window_forward(const qgc_node *n, qgc_window *w, const int64_t *in,
                              bool ceil_mode, int64_t *out, qgc_diag *d);

/* Table over every point p of the row-major grid dims[0..nd): per dimension
 * coord[p*nd + e] = p_e * mul[e] - sub[e] (sub may be NULL: 0), and the flat
 * offset off[p] = sum_e coord_e * img_stride_e into a row-major image of
 * sizes img[0..nd). Used both for window positions (mul = strides,
 * sub = pads) and for kernel taps (mul = dilations). */
typedef struct {
    int nd;
    int64_t count;
    int64_t *coord;
    int64_t *off;
} qgc_window_table;

qgc_status qgc_window_table_new(int nd, const int64_t *dims, const int64_t *mul,
                                const int64_t *sub, const int64_t *img, qgc_window_table *t,
                                qgc_diag *d);
void qgc_window_table_free(qgc_window_table *t);

/* Product of n dims (all known, non-negative). */
int64_t qgc_dims_product(const int64_t *dims, int n);

#endif
