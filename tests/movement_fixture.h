/* Fixture for the one-node tests of the shape and data-movement ops
 * (test_eval_movement.c, test_eval_indexing.c): a graph, a node "N" built
 * over the fixture's input tensors, evaluation through qgc_eval_node, and
 * checks. Included by each test file. */
#ifndef QGC_TEST_MOVEMENT_FIXTURE_H
#define QGC_TEST_MOVEMENT_FIXTURE_H
#include "op_fixture.h"

#define DIMS(...) (const int64_t[]){__VA_ARGS__}
#define F32(r, dims, ...) tensor(QGC_F32, r, dims, (const float[]){__VA_ARGS__})
#define I64(r, dims, ...) tensor(QGC_I64, r, dims, (const int64_t[]){__VA_ARGS__})
#define I32(r, dims, ...) tensor(QGC_I32, r, dims, (const int32_t[]){__VA_ARGS__})
#define I64V(...) I64(1, DIMS(sizeof((const int64_t[]){__VA_ARGS__}) / 8), __VA_ARGS__)

static inline qgc_status run(fx *f) {
    return qgc_eval_node(f->n, (const qgc_tensor *const *)f->in, f->out, &f->d);
}

static inline void run_ok(fx *f) {
    qgc_status st = run(f);
    if (st) fail_msg("%s", f->d.msg);
}

/* Runs and expects an error whose message names the node. */
static inline void run_fails(fx *f) {
    assert_int_not_equal(run(f), QGC_OK);
    assert_non_null(strstr(f->d.msg, "node 'N'"));
}

static inline void check_dims(const qgc_tensor *t, int r, const int64_t *dims) {
    assert_int_equal(t->type.rank, r);
    for (int i = 0; i < r; i++) assert_int_equal(t->type.dims[i], dims[i]);
}

static inline void check_f32(const qgc_tensor *t, int64_t n, const float *want) {
    assert_int_equal(t->type.dtype, QGC_F32);
    assert_int_equal(qgc_tensor_numel(t), n);
    for (int64_t i = 0; i < n; i++) assert_float_equal(((float *)t->data)[i], want[i], 1e-6);
}

static inline void check_i64(const qgc_tensor *t, int64_t n, const int64_t *want) {
    assert_int_equal(t->type.dtype, QGC_I64);
    assert_int_equal(qgc_tensor_numel(t), n);
    for (int64_t i = 0; i < n; i++) assert_int_equal(((int64_t *)t->data)[i], want[i]);
}

#define CHECK_F32(t, ...) \
    check_f32(t, sizeof((const float[]){__VA_ARGS__}) / 4, (const float[]){__VA_ARGS__})
#define CHECK_I64(t, ...) \
    check_i64(t, sizeof((const int64_t[]){__VA_ARGS__}) / 8, (const int64_t[]){__VA_ARGS__})

static inline qgc_tensor *iota(qgc_dtype dt, int r, const int64_t *dims) {
    qgc_tensor *x = tensor(dt, r, dims, NULL);
    for (int64_t i = 0; i < qgc_tensor_numel(x); i++) qgc_store_i64(dt, x->data, i, i);
    return x;
}

static inline void check_iota_perm(const qgc_tensor *t, int64_t n, const int64_t *want) {
    for (int64_t i = 0; i < n; i++) assert_int_equal(qgc_load_i64(t->type.dtype, t->data, i), want[i]);
}

#endif
