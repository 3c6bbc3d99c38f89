/* Gathers, scatters, pattern and generator ops on one-node graphs. Expected
 * values are the ONNX spec's examples or hand-derived cases. */
#include "movement_fixture.h"

/* ---- gathers and scatters ------------------------------------------------- */

static void test_gather(void **state) {
    fx *f = *state;
    /* spec example, axis 0 */
    f->in[0] = F32(2, DIMS(3, 2), 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f);
    f->in[1] = I64(2, DIMS(2, 2), 0, 1, 1, 2);
    make_node(f, QGC_OP_GATHER, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(2, 2, 2));
    CHECK_F32(f->out[0], 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f);
    qgc_tensor_free(f->out[0]);
    /* spec example, axis 1 (data 3x3, indices [[0, 2]]) with a negative index */
    qgc_tensor_free(f->in[0]);
    qgc_tensor_free(f->in[1]);
    f->in[0] = F32(2, DIMS(3, 3), 1.0f, 1.2f, 1.9f, 2.3f, 3.4f, 3.9f, 4.5f, 5.7f, 5.9f);
    f->in[1] = I32(2, DIMS(1, 2), 0, -1);
    qgc_node_set_int(f->g, f->n, "axis", 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(3, 1, 2));
    CHECK_F32(f->out[0], 1.0f, 1.9f, 2.3f, 3.9f, 4.5f, 5.9f);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = I32(2, DIMS(1, 2), 0, 3);
    run_fails(f);
    assert_non_null(strstr(f->d.msg, "3"));
}

static void test_gather_scalar_index_shape(void **state) {
    fx *f = *state;
    /* the Shape -> Gather(scalar) pattern of shape arithmetic */
    f->in[0] = I64V(1, 3, 640, 640);
    f->in[1] = I64(0, NULL, 2);
    make_node(f, QGC_OP_GATHER, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 0, NULL);
    CHECK_I64(f->out[0], 640);
}

static void test_gather_elements(void **state) {
    fx *f = *state;
    /* spec examples */
    f->in[0] = F32(2, DIMS(2, 2), 1, 2, 3, 4);
    f->in[1] = I64(2, DIMS(2, 2), 0, 0, 1, 0);
    make_node(f, QGC_OP_GATHER_ELEMENTS, 2, 1);
    qgc_node_set_int(f->g, f->n, "axis", 1);
    run_ok(f);
    CHECK_F32(f->out[0], 1, 1, 4, 3);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[0]);
    qgc_tensor_free(f->in[1]);
    f->in[0] = F32(2, DIMS(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
    f->in[1] = I32(2, DIMS(2, 3), 1, 2, 0, 2, 0, -3);
    make_node(f, QGC_OP_GATHER_ELEMENTS, 2, 1);
    run_ok(f);
    CHECK_F32(f->out[0], 4, 8, 3, 7, 2, 3);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = I32(2, DIMS(1, 1), -4);
    run_fails(f);
}

static void test_gather_nd(void **state) {
    fx *f = *state;
    /* spec example 4-5: batch_dims 0 then 1 */
    f->in[0] = I32(3, DIMS(2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7);
    f->in[1] = I64(2, DIMS(2, 2), 0, 1, 1, 0);
    make_node(f, QGC_OP_GATHER_ND, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 2));
    check_iota_perm(f->out[0], 4, DIMS(2, 3, 4, 5));
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(2, DIMS(2, 1), 1, 0);
    qgc_node_set_int(f->g, f->n, "batch_dims", 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 2));
    check_iota_perm(f->out[0], 4, DIMS(2, 3, 4, 5));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(2, DIMS(2, 1), 1, 2);
    run_fails(f);
}

static void test_scatter_elements(void **state) {
    fx *f = *state;
    /* spec example 2 (axis 1) and the duplicate-index example with reduction add */
    f->in[0] = F32(2, DIMS(1, 5), 1, 2, 3, 4, 5);
    f->in[1] = I64(2, DIMS(1, 2), 1, 3);
    f->in[2] = F32(2, DIMS(1, 2), 1.1f, 2.1f);
    make_node(f, QGC_OP_SCATTER_ELEMENTS, 3, 1);
    qgc_node_set_int(f->g, f->n, "axis", 1);
    run_ok(f);
    CHECK_F32(f->out[0], 1, 1.1f, 3, 2.1f, 5);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(2, DIMS(1, 2), 1, -4);
    qgc_node_set_string(f->g, f->n, "reduction", "add");
    run_ok(f);
    CHECK_F32(f->out[0], 1, 5.2f, 3, 4, 5);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(2, DIMS(1, 2), 1, 5);
    run_fails(f);
}

static void test_scatter_nd(void **state) {
    fx *f = *state;
    /* spec example 1, then with reduction mul on int32 */
    f->in[0] = I32(1, DIMS(8), 1, 2, 3, 4, 5, 6, 7, 8);
    f->in[1] = I64(2, DIMS(4, 1), 4, 3, 1, 7);
    f->in[2] = I32(1, DIMS(4), 9, 10, 11, 12);
    make_node(f, QGC_OP_SCATTER_ND, 3, 1);
    run_ok(f);
    check_iota_perm(f->out[0], 8, DIMS(1, 11, 3, 10, 9, 6, 7, 12));
    qgc_tensor_free(f->out[0]);
    qgc_node_set_string(f->g, f->n, "reduction", "mul");
    run_ok(f);
    check_iota_perm(f->out[0], 8, DIMS(1, 22, 3, 40, 45, 6, 7, 96));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(2, DIMS(4, 1), 4, 3, 1, 8);
    run_fails(f);
}

static void test_compress(void **state) {
    fx *f = *state;
    /* spec examples: axis 0 with [0, 1, 1]; no axis with [0, 1, 0, 0, 1] */
    f->in[0] = F32(2, DIMS(3, 2), 1, 2, 3, 4, 5, 6);
    f->in[1] = tensor(QGC_BOOL, 1, DIMS(3), (const uint8_t[]){0, 1, 1});
    make_node(f, QGC_OP_COMPRESS, 2, 1);
    qgc_node_set_int(f->g, f->n, "axis", 0);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 2));
    CHECK_F32(f->out[0], 3, 4, 5, 6);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[1]);
    f->in[1] = tensor(QGC_BOOL, 1, DIMS(5), (const uint8_t[]){0, 1, 0, 0, 1});
    make_node(f, QGC_OP_COMPRESS, 2, 1);
    run_ok(f);
    CHECK_F32(f->out[0], 2, 5);
}

static void test_reverse_sequence(void **state) {
    fx *f = *state;
    /* spec example: time_axis 0, batch_axis 1, sequence_lens [4, 3, 2, 1] */
    f->in[0] = F32(2, DIMS(4, 4), 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    f->in[1] = I64V(4, 3, 2, 1);
    make_node(f, QGC_OP_REVERSE_SEQUENCE, 2, 1);
    run_ok(f);
    CHECK_F32(f->out[0], 3, 6, 9, 12, 2, 5, 8, 13, 1, 4, 10, 14, 0, 7, 11, 15);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(4, 3, 5, 1);
    run_fails(f);
}

/* ---- patterns ------------------------------------------------------------- */

static void test_onehot(void **state) {
    fx *f = *state;
    /* spec-style: indices [0, -1, 2, 7] depth 3 axis 0 values [1, 5]: out-of-range -> off */
    f->in[0] = I64V(0, -1, 2, 7);
    f->in[1] = F32(0, NULL, 3.0f);
    f->in[2] = I32(1, DIMS(2), 1, 5);
    make_node(f, QGC_OP_ONEHOT, 3, 1);
    qgc_node_set_int(f->g, f->n, "axis", 0);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(3, 4));
    check_iota_perm(f->out[0], 12, DIMS(5, 1, 1, 1, 1, 1, 1, 1, 1, 5, 5, 1));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[1]);
    f->in[1] = F32(0, NULL, 0.0f);
    run_fails(f);
}

static void test_trilu(void **state) {
    fx *f = *state;
    /* numpy: triu(arange(12).reshape(3,4)+1, 1) and tril(..., -1) */
    f->in[0] = F32(2, DIMS(3, 4), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    f->in[1] = I64(0, NULL, 1);
    make_node(f, QGC_OP_TRILU, 2, 1);
    run_ok(f);
    CHECK_F32(f->out[0], 0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(0, NULL, -1);
    qgc_node_set_int(f->g, f->n, "upper", 0);
    run_ok(f);
    CHECK_F32(f->out[0], 0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64(0, NULL, INT64_MIN); /* lower with k = -inf: all zero */
    run_ok(f);
    CHECK_F32(f->out[0], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

static void test_eye_like(void **state) {
    fx *f = *state;
    f->in[0] = tensor(QGC_F32, 2, DIMS(3, 4), NULL);
    make_node(f, QGC_OP_EYE_LIKE, 1, 1);
    qgc_node_set_int(f->g, f->n, "k", 1);
    qgc_node_set_int(f->g, f->n, "dtype", QGC_I64);
    run_ok(f);
    CHECK_I64(f->out[0], 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
}

/* ---- generators ----------------------------------------------------------- */

static void test_shape_size(void **state) {
    fx *f = *state;
    f->in[0] = tensor(QGC_F32, 4, DIMS(2, 3, 4, 5), NULL);
    make_node(f, QGC_OP_SHAPE, 1, 1);
    run_ok(f);
    CHECK_I64(f->out[0], 2, 3, 4, 5);
    qgc_tensor_free(f->out[0]);
    qgc_node_set_int(f->g, f->n, "start", -3);
    qgc_node_set_int(f->g, f->n, "end", -1);
    run_ok(f);
    CHECK_I64(f->out[0], 3, 4);
    qgc_tensor_free(f->out[0]);
    make_node(f, QGC_OP_SHAPE, 1, 1);
    qgc_node_set_int(f->g, f->n, "start", 10);
    run_ok(f);
    check_dims(f->out[0], 1, DIMS(0));
    qgc_tensor_free(f->out[0]);
    make_node(f, QGC_OP_SIZE, 1, 1);
    run_ok(f);
    check_dims(f->out[0], 0, NULL);
    CHECK_I64(f->out[0], 120);
}

static void test_constant_of_shape(void **state) {
    fx *f = *state;
    f->in[0] = I64V(2, 3);
    make_node(f, QGC_OP_CONSTANT_OF_SHAPE, 1, 1);
    run_ok(f);
    CHECK_F32(f->out[0], 0, 0, 0, 0, 0, 0);
    qgc_tensor_free(f->out[0]);
    qgc_attr *a = qgc_node_add_attr(f->g, f->n, "value", QGC_ATTR_TENSOR);
    a->t = qgc_graph_own_tensor(f->g, I32(1, DIMS(1), 7));
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 3));
    check_iota_perm(f->out[0], 6, DIMS(7, 7, 7, 7, 7, 7));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[0]);
    f->in[0] = I64V(2, -3);
    run_fails(f);
}

static void test_range(void **state) {
    fx *f = *state;
    /* spec examples: range(3, 9, 3) -> [3, 6]; range(10, 4, -2) -> [10, 8, 6] */
    f->in[0] = F32(0, NULL, 3);
    f->in[1] = F32(0, NULL, 9);
    f->in[2] = F32(0, NULL, 3);
    make_node(f, QGC_OP_RANGE, 3, 1);
    run_ok(f);
    CHECK_F32(f->out[0], 3, 6);
    qgc_tensor_free(f->out[0]);
    for (int i = 0; i < 3; i++) qgc_tensor_free(f->in[i]);
    f->in[0] = I32(0, NULL, 10);
    f->in[1] = I32(0, NULL, 4);
    f->in[2] = I32(0, NULL, -2);
    run_ok(f);
    check_iota_perm(f->out[0], 3, DIMS(10, 8, 6));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[2]);
    f->in[2] = I32(0, NULL, 0);
    run_fails(f);
    for (int i = 0; i < 3; i++) qgc_tensor_free(f->in[i]);
    f->in[0] = I64(0, NULL, INT64_MIN);
    f->in[1] = I64(0, NULL, INT64_MAX);
    f->in[2] = I64(0, NULL, 1);
    run_fails(f);
}

static void test_nonzero(void **state) {
    fx *f = *state;
    /* spec example: [[1, 0], [1, 1]] -> [[0, 1, 1], [0, 0, 1]]; -0.0 counts as zero */
    f->in[0] = F32(2, DIMS(2, 2), 1, -0.0f, 1, 1);
    make_node(f, QGC_OP_NONZERO, 1, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 3));
    CHECK_I64(f->out[0], 0, 1, 1, 0, 0, 1);
}

static void test_topk(void **state) {
    fx *f = *state;
    /* ties keep the smaller index first, for largest and smallest */
    f->in[0] = F32(2, DIMS(2, 4), 1, 3, 3, 2, 5, 5, 0, 5);
    f->in[1] = I64V(3);
    make_node(f, QGC_OP_TOPK, 2, 2);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 3));
    CHECK_F32(f->out[0], 3, 3, 2, 5, 5, 5);
    CHECK_I64(f->out[1], 1, 2, 3, 0, 1, 3);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->out[1]);
    qgc_node_set_int(f->g, f->n, "largest", 0);
    qgc_node_set_int(f->g, f->n, "axis", 0);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(1);
    run_ok(f);
    CHECK_F32(f->out[0], 1, 3, 0, 2);
    CHECK_I64(f->out[1], 0, 0, 1, 0);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->out[1]);
    memset(f->out, 0, sizeof f->out);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(3);
    run_fails(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_gather), T(test_gather_scalar_index_shape), T(test_gather_elements),
        T(test_gather_nd), T(test_scatter_elements), T(test_scatter_nd), T(test_compress),
        T(test_reverse_sequence), T(test_onehot), T(test_trilu), T(test_eye_like),
        T(test_shape_size), T(test_constant_of_shape), T(test_range), T(test_nonzero),
        T(test_topk),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
