/* f32 views of tensors of any numeric dtype, so the float kernels of the NN
 * ops (conv, pools, norms, resize) are written once for f32: other dtypes
 * (f16, bf16, f64, small integers) are converted in and out. */
#ifndef QGC_F32_VIEW_H
#define QGC_F32_VIEW_H

#include "qgc_ir.h"

/* The tensor's data as floats: the data itself for f32, else a malloc'd
 * converted copy. NULL when out of memory. Release with qgc_f32_release. */
const float *qgc_f32_view(const qgc_tensor *t);
void qgc_f32_release(const qgc_tensor *t, const float *view);

/* A float buffer to write t's values into: t's data for f32, else a zeroed
 * malloc'd scratch. NULL when out of memory. qgc_f32_commit converts the
 * scratch into t (saturating) and frees it; for f32 it does nothing.
 * qgc_f32_discard frees without converting (error paths). */
float *qgc_f32_target(qgc_tensor *t);
void qgc_f32_commit(qgc_tensor *t, float *buf);
void qgc_f32_discard(qgc_tensor *t, float *buf);

#endif
