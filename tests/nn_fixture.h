/* One-node-graph fixture shared by the NN-op tests (test_eval_conv.c,
 * test_eval_nn.c): build a node over given input tensors, run it through
 * qgc_eval_node (shape rule + eval), compare results. */
#ifndef QGC_TEST_NN_FIXTURE_H
#define QGC_TEST_NN_FIXTURE_H

#include <math.h>

#include "op_fixture.h"

static uint32_t rng_state = 12345;
static inline double rnd(void) { /* uniform in [-1, 1) */
    rng_state = rng_state * 1664525u + 1013904223u;
    return (double)(rng_state >> 8) / (double)(1u << 23) - 1.0;
}

static inline qgc_tensor *random_tensor(qgc_dtype dt, int r, const int64_t *dims) {
    qgc_tensor *x = tensor(dt, r, dims, NULL);
    for (int64_t i = 0; i < qgc_tensor_numel(x); i++) qgc_store_f64(dt, x->data, i, rnd());
    return x;
}

static inline qgc_tensor *values(int r, const int64_t *dims, const float *v) {
    qgc_tensor *x = tensor(QGC_F32, r, dims, NULL);
    memcpy(x->data, v, x->nbytes);
    return x;
}

#define DIMS(...) (const int64_t[]){__VA_ARGS__}
#define INTS(...) (const int64_t[]){__VA_ARGS__}, (int)(sizeof((const int64_t[]){__VA_ARGS__}) / 8)

static inline void set_ints(fx *f, const char *name, const int64_t *v, int n) {
    assert_int_equal(qgc_node_set_ints(f->g, f->n, name, v, n), QGC_OK);
}

static inline void run_ok(fx *f) {
    if (qgc_eval_node(f->n, (const qgc_tensor *const *)f->in, f->out, &f->d))
        fail_msg("%s", f->d.msg);
}

static inline void run_fails(fx *f, const char *needle) {
    assert_int_not_equal(qgc_eval_node(f->n, (const qgc_tensor *const *)f->in, f->out, &f->d),
                         QGC_OK);
    assert_non_null(strstr(f->d.msg, "node 'N'"));
    assert_non_null(strstr(f->d.msg, needle));
}

static inline void check_dims(const qgc_tensor *t, int r, const int64_t *dims) {
    assert_int_equal(t->type.rank, r);
    for (int i = 0; i < r; i++) assert_int_equal(t->type.dims[i], dims[i]);
}

/* |got - want| <= tol * (1 + |want|) elementwise; want is double. */
static inline void check_close(const qgc_tensor *t, const double *want, double tol) {
    for (int64_t i = 0; i < qgc_tensor_numel(t); i++) {
        double got = qgc_load_f64(t->type.dtype, t->data, i);
        if (!(fabs(got - want[i]) <= tol * (1 + fabs(want[i]))))
            fail_msg("element %lld: got %.7g, want %.7g", (long long)i, got, want[i]);
    }
}

static inline void check_values(const qgc_tensor *t, int64_t count, const double *want) {
    assert_int_equal(qgc_tensor_numel(t), count);
    check_close(t, want, 1e-6);
}

static inline double at(const qgc_tensor *t, int64_t i) { return qgc_load_f64(t->type.dtype, t->data, i); }

#endif
