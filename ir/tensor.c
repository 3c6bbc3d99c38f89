/* Types and tensors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgc_ir.h"

bool qgc_type_is_static(const qgc_type *t) {
    if (t->rank < 0) return false;
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] < 0) return false;
    return true;
}

int64_t qgc_type_numel(const qgc_type *t) {
    if (!qgc_type_is_static(t)) return -1;
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->dims[i] != 0 && n > (INT64_C(1) << 62) / t->dims[i]) return -1;
        n *= t->dims[i];
    }
    return n;
}

bool qgc_type_equal(const qgc_type *a, const qgc_type *b) {
    if (a->dtype != b->dtype || a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return false;
    return true;
}

void qgc_strides(const qgc_type *t, int64_t *strides) {
    int64_t s = 1;
    for (int i = t->rank - 1; i >= 0; i--) {
        strides[i] = s;
        s *= t->dims[i];
    }
}

qgc_status qgc_tensor_new(const qgc_type *t, qgc_tensor **out, qgc_diag *d) {
    *out = NULL;
    int64_t n = qgc_type_numel(t);
    size_t nbytes;
    if (n < 0) return qgc_fail(d, QGC_ERR_INVALID, "tensor shape is not static or overflows");
    if (!qgc_dtype_nbytes(t->dtype, n, &nbytes) || t->dtype == QGC_STRING)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "tensor of dtype %d cannot be allocated",
                        (int)t->dtype);
    qgc_tensor *x = calloc(1, sizeof *x);
    void *data = calloc(1, nbytes ? nbytes : 1);
    if (!x || !data) {
        free(x);
        free(data);
        return qgc_fail(d, QGC_ERR_NOMEM, "cannot allocate a tensor of %zu bytes", nbytes);
    }
    x->type = *t;
    for (int i = 0; i < QGC_MAX_RANK; i++) x->type.sym[i] = NULL;
    x->data = data;
    x->nbytes = nbytes;
    x->owned = true;
    *out = x;
    return QGC_OK;
}

void qgc_tensor_free(qgc_tensor *t) {
    if (!t) return;
    if (t->owned) free(t->data);
    free(t);
}

int64_t qgc_tensor_numel(const qgc_tensor *t) { return qgc_type_numel(&t->type); }
