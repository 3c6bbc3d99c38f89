/* f32 views of tensors (see f32_view.h). */
#include <stdlib.h>

#include "f32_view.h"

const float *qgc_f32_view(const qgc_tensor *t) {
    if (t->type.dtype == QGC_F32) return t->data;
    int64_t n = qgc_tensor_numel(t);
    float *p = malloc(sizeof *p * (size_t)(n > 0 ? n : 1));
    if (!p) return NULL;
    for (int64_t i = 0; i < n; i++) p[i] = (float)qgc_load_f64(t->type.dtype, t->data, i);
    return p;
}

void qgc_f32_release(const qgc_tensor *t, const float *view) {
    if (view != t->data) free((void *)view);
}

float *qgc_f32_target(qgc_tensor *t) {
    if (t->type.dtype == QGC_F32) return t->data;
    int64_t n = qgc_tensor_numel(t);
    return calloc((size_t)(n > 0 ? n : 1), sizeof(float));
}

void qgc_f32_commit(qgc_tensor *t, float *buf) {
    if (buf == t->data) return;
    int64_t n = qgc_tensor_numel(t);
    for (int64_t i = 0; i < n; i++) qgc_store_f64(t->type.dtype, t->data, i, buf[i]);
    free(buf);
}

void qgc_f32_discard(qgc_tensor *t, float *buf) {
    if (buf != t->data) free(buf);
}
