/* Layout, concat/split and slice/pad ops on one-node graphs: shape rules
 * and reference semantics. Expected values are the ONNX spec's examples,
 * hand-derived cases, or numpy results computed offline (noted where used). */
#include "movement_fixture.h"

/* ---- layout ---------------------------------------------------------------- */

static void test_transpose(void **state) {
    fx *f = *state;
    /* numpy: arange(24).reshape(2,3,4).astype(int16).transpose(1,0,2) */
    f->in[0] = iota(QGC_I16, 3, DIMS(2, 3, 4));
    make_node(f, QGC_OP_TRANSPOSE, 1, 1);
    qgc_node_set_ints(f->g, f->n, "perm", DIMS(1, 0, 2), 3);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(3, 2, 4));
    check_iota_perm(f->out[0], 24,
                    DIMS(0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20,
                         21, 22, 23));
}

static void test_transpose_default_perm(void **state) {
    fx *f = *state;
    /* numpy: arange(24).reshape(2,3,4).transpose(2,1,0) */
    f->in[0] = iota(QGC_F64, 3, DIMS(2, 3, 4));
    make_node(f, QGC_OP_TRANSPOSE, 1, 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(4, 3, 2));
    check_iota_perm(f->out[0], 6, DIMS(0, 12, 4, 16, 8, 20));
}

/* Larger odd-sized transposes (tiled copy path) against direct index
 * arithmetic, for 1-, 2- and 8-byte elements. */
static void test_transpose_tiled(void **state) {
    fx *f = *state;
    static const qgc_dtype dts[] = {QGC_U8, QGC_F16, QGC_I64};
    const int64_t dims[3] = {3, 37, 21};
    for (int t = 0; t < 3; t++) {
        f->in[0] = iota(dts[t], 3, dims);
        make_node(f, QGC_OP_TRANSPOSE, 1, 1);
        qgc_node_set_ints(f->g, f->n, "perm", DIMS(2, 0, 1), 3);
        run_ok(f);
        check_dims(f->out[0], 3, DIMS(21, 3, 37));
        for (int64_t k = 0; k < 21; k++)
            for (int64_t i = 0; i < 3; i++)
                for (int64_t j = 0; j < 37; j++) {
                    int64_t want = qgc_load_i64(dts[t], f->in[0]->data, (i * 37 + j) * 21 + k);
                    int64_t got = qgc_load_i64(dts[t], f->out[0]->data, (k * 3 + i) * 37 + j);
                    assert_int_equal(got, want);
                }
        qgc_tensor_free(f->in[0]);
        qgc_tensor_free(f->out[0]);
        f->in[0] = f->out[0] = NULL;
    }
}

static void test_transpose_bad_perm(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_F32, 2, DIMS(2, 3));
    make_node(f, QGC_OP_TRANSPOSE, 1, 1);
    qgc_node_set_ints(f->g, f->n, "perm", DIMS(0, 0), 2);
    run_fails(f);
}

static void test_reshape(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_F32, 3, DIMS(2, 3, 4));
    f->in[1] = I64V(4, 0, -1);
    make_node(f, QGC_OP_RESHAPE, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(4, 3, 2));
    assert_memory_equal(f->out[0]->data, f->in[0]->data, 24 * 4);
}

static void test_reshape_allowzero(void **state) {
    fx *f = *state;
    f->in[0] = tensor(QGC_F32, 3, DIMS(0, 3, 4), NULL);
    f->in[1] = I64V(3, 4, 0);
    make_node(f, QGC_OP_RESHAPE, 2, 1);
    qgc_node_set_int(f->g, f->n, "allowzero", 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(3, 4, 0));
}

static void test_reshape_errors(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_F32, 2, DIMS(2, 3));
    f->in[1] = I64V(-1, -1);
    make_node(f, QGC_OP_RESHAPE, 2, 1);
    run_fails(f);
    assert_non_null(strstr(f->d.msg, "-1"));
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(4, 2); /* 8 != 6 */
    run_fails(f);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(INT64_C(1) << 40, INT64_C(1) << 40, 0); /* product overflows before the 0 */
    run_fails(f);
}

/* Without the shape's value the rank comes from the shape input's length. */
static void test_reshape_unknown_shape(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_F32, 2, DIMS(2, 3));
    f->in[1] = I64V(3, 2);
    make_node(f, QGC_OP_RESHAPE, 2, 1);
    qgc_tensor shape = *f->in[1];
    shape.data = NULL;
    const qgc_tensor *in[2] = {f->in[0], &shape};
    qgc_type out;
    assert_int_equal(qgc_ops[QGC_OP_RESHAPE].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, 2);
    assert_int_equal(out.dims[0], -1);
}

static void test_flatten_squeeze_unsqueeze(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_U8, 4, DIMS(2, 3, 4, 5));
    make_node(f, QGC_OP_FLATTEN, 1, 1);
    qgc_node_set_int(f->g, f->n, "axis", -2);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(6, 20));
    assert_memory_equal(f->out[0]->data, f->in[0]->data, 120);
    qgc_tensor_free(f->out[0]);

    f->in[1] = I64V(0, -1);
    make_node(f, QGC_OP_UNSQUEEZE, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 6, DIMS(1, 2, 3, 4, 5, 1));
    qgc_tensor_free(f->out[0]);

    qgc_tensor_free(f->in[0]);
    qgc_tensor_free(f->in[1]);
    f->in[0] = iota(QGC_F32, 4, DIMS(1, 3, 1, 2));
    f->in[1] = I64V(-2);
    make_node(f, QGC_OP_SQUEEZE, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(1, 3, 2));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    make_node(f, QGC_OP_SQUEEZE, 1, 1); /* no axes: every 1 goes */
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(3, 2));
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(1); /* dim 3 cannot be squeezed */
    make_node(f, QGC_OP_SQUEEZE, 2, 1);
    run_fails(f);
}

static void test_depth_to_space(void **state) {
    fx *f = *state;
    /* numpy: x = arange(32).reshape(1,8,2,2), the spec's reshape/transpose formulas */
    f->in[0] = iota(QGC_F32, 4, DIMS(1, 8, 2, 2));
    make_node(f, QGC_OP_DEPTH_TO_SPACE, 1, 1);
    qgc_node_set_int(f->g, f->n, "blocksize", 2);
    run_ok(f);
    check_dims(f->out[0], 4, DIMS(1, 2, 4, 4));
    CHECK_F32(f->out[0], 0, 8, 1, 9, 16, 24, 17, 25, 2, 10, 3, 11, 18, 26, 19, 27, 4, 12, 5, 13,
              20, 28, 21, 29, 6, 14, 7, 15, 22, 30, 23, 31);
    qgc_tensor_free(f->out[0]);
    qgc_node_set_string(f->g, f->n, "mode", "CRD");
    run_ok(f);
    CHECK_F32(f->out[0], 0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15, 16, 20, 17, 21, 24,
              28, 25, 29, 18, 22, 19, 23, 26, 30, 27, 31);
}

static void test_space_to_depth(void **state) {
    fx *f = *state;
    /* numpy: y = arange(32).reshape(1,2,4,4); y.reshape(1,2,2,2,2,2).transpose(0,3,5,1,2,4) */
    f->in[0] = iota(QGC_I32, 4, DIMS(1, 2, 4, 4));
    make_node(f, QGC_OP_SPACE_TO_DEPTH, 1, 1);
    qgc_node_set_int(f->g, f->n, "blocksize", 2);
    run_ok(f);
    check_dims(f->out[0], 4, DIMS(1, 8, 2, 2));
    check_iota_perm(f->out[0], 32,
                    DIMS(0, 2, 8, 10, 16, 18, 24, 26, 1, 3, 9, 11, 17, 19, 25, 27, 4, 6, 12, 14,
                         20, 22, 28, 30, 5, 7, 13, 15, 21, 23, 29, 31));
    qgc_tensor_free(f->in[0]);
    f->in[0] = iota(QGC_I32, 4, DIMS(1, 2, 3, 4)); /* 3 is not a multiple of 2 */
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    run_fails(f);
}

static void test_expand(void **state) {
    fx *f = *state;
    /* spec example: [[1],[2],[3]] expanded to (2,1,6) gives shape (2,3,6) */
    f->in[0] = F32(2, DIMS(3, 1), 1, 2, 3);
    f->in[1] = I64V(2, 1, 6);
    make_node(f, QGC_OP_EXPAND, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 3, DIMS(2, 3, 6));
    float *y = f->out[0]->data;
    for (int i = 0; i < 36; i++) assert_float_equal(y[i], (float)(i / 6 % 3 + 1), 0);
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    f->in[1] = I64V(2, 4); /* 3 vs 2 does not broadcast */
    run_fails(f);
}

static void test_tile(void **state) {
    fx *f = *state;
    /* spec example: tile([[0,1],[2,3]], [2,2]) */
    f->in[0] = F32(2, DIMS(2, 2), 0, 1, 2, 3);
    f->in[1] = I64V(2, 2);
    make_node(f, QGC_OP_TILE, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(4, 4));
    CHECK_F32(f->out[0], 0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3);
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    f->in[1] = I64V(2, -1);
    run_fails(f);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(INT64_C(1) << 61, INT64_C(1) << 61);
    run_fails(f);
}

/* ---- concat / split ------------------------------------------------------- */

static void test_concat(void **state) {
    fx *f = *state;
    f->in[0] = F32(2, DIMS(2, 1), 1, 2);
    f->in[1] = F32(2, DIMS(2, 2), 3, 4, 5, 6);
    f->in[2] = F32(2, DIMS(2, 0), 0);
    make_node(f, QGC_OP_CONCAT, 3, 1);
    qgc_node_set_int(f->g, f->n, "axis", -1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 3));
    CHECK_F32(f->out[0], 1, 3, 4, 2, 5, 6);
}

static void test_concat_shape_ints(void **state) {
    fx *f = *state;
    f->in[0] = I64V(1);
    f->in[1] = I64V(-1, 7);
    make_node(f, QGC_OP_CONCAT, 2, 1);
    qgc_node_set_int(f->g, f->n, "axis", 0);
    run_ok(f);
    CHECK_I64(f->out[0], 1, -1, 7);
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    f->in[1] = I64(2, DIMS(1, 1), 3); /* rank mismatch */
    run_fails(f);
}

static void test_split(void **state) {
    fx *f = *state;
    /* spec example: split [1..6] into [2, 4] */
    f->in[0] = F32(1, DIMS(6), 1, 2, 3, 4, 5, 6);
    f->in[1] = I64V(2, 4);
    make_node(f, QGC_OP_SPLIT, 2, 2);
    run_ok(f);
    CHECK_F32(f->out[0], 1, 2);
    CHECK_F32(f->out[1], 3, 4, 5, 6);
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->out[1]);
    /* no sizes: equal parts along axis 1 */
    qgc_tensor_free(f->in[0]);
    f->in[0] = F32(2, DIMS(2, 6), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    make_node(f, QGC_OP_SPLIT, 1, 3);
    qgc_node_set_int(f->g, f->n, "axis", 1);
    run_ok(f);
    CHECK_F32(f->out[0], 1, 2, 7, 8);
    CHECK_F32(f->out[1], 3, 4, 9, 10);
    CHECK_F32(f->out[2], 5, 6, 11, 12);
    for (int i = 0; i < 3; i++) qgc_tensor_free(f->out[i]);
    memset(f->out, 0, sizeof f->out);
    make_node(f, QGC_OP_SPLIT, 1, 4); /* 6 into 4 equal parts */
    qgc_node_set_int(f->g, f->n, "axis", 1);
    run_fails(f);
    qgc_node_set_int(f->g, f->n, "num_outputs", 4); /* opset 18: 2, 2, 2, 0 */
    run_ok(f);
    check_dims(f->out[2], 2, DIMS(2, 2));
    check_dims(f->out[3], 2, DIMS(2, 0));
    for (int i = 0; i < 4; i++) qgc_tensor_free(f->out[i]);
    memset(f->out, 0, sizeof f->out);
    make_node(f, QGC_OP_SPLIT, 2, 2);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(-1, 7);
    run_fails(f);
}

/* ---- slice / pad ---------------------------------------------------------- */

static void test_slice(void **state) {
    fx *f = *state;
    /* spec examples */
    f->in[0] = F32(2, DIMS(2, 4), 1, 2, 3, 4, 5, 6, 7, 8);
    f->in[1] = I64V(1, 0);
    f->in[2] = I64V(2, 3);
    f->in[3] = I64V(0, 1);
    f->in[4] = I64V(1, 2);
    make_node(f, QGC_OP_SLICE, 5, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(1, 2));
    CHECK_F32(f->out[0], 5, 7);
    qgc_tensor_free(f->out[0]);
    for (int i = 1; i < 5; i++) qgc_tensor_free(f->in[i]);
    f->in[1] = I64V(0, 1);
    f->in[2] = I64V(-1, 1000);
    f->in[3] = f->in[4] = NULL;
    make_node(f, QGC_OP_SLICE, 3, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(1, 3));
    CHECK_F32(f->out[0], 2, 3, 4);
}

static void test_slice_negative_steps(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_I64, 1, DIMS(10));
    f->in[1] = I64V(-1);
    f->in[2] = I64V(INT64_MIN);
    f->in[3] = I64V(0);
    f->in[4] = I64V(-1);
    make_node(f, QGC_OP_SLICE, 5, 1);
    run_ok(f);
    CHECK_I64(f->out[0], 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    qgc_tensor_free(f->out[0]);
    /* numpy: arange(10)[8:1:-3] */
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->in[2]);
    qgc_tensor_free(f->in[4]);
    f->in[1] = I64V(8);
    f->in[2] = I64V(1);
    f->in[4] = I64V(-3);
    run_ok(f);
    CHECK_I64(f->out[0], 8, 5, 2);
    qgc_tensor_free(f->out[0]);
    /* huge steps and out-of-range starts clamp */
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->in[4]);
    f->in[1] = I64V(INT64_MAX);
    f->in[4] = I64V(INT64_MIN);
    run_ok(f);
    CHECK_I64(f->out[0], 9);
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    qgc_tensor_free(f->in[4]);
    f->in[4] = I64V(0);
    run_fails(f);
}

static void test_slice_2d_reverse(void **state) {
    fx *f = *state;
    /* numpy: arange(12).reshape(3,4)[::-2, 1:] */
    f->in[0] = iota(QGC_U16, 2, DIMS(3, 4));
    f->in[1] = I64V(-1, 1);
    f->in[2] = I64V(-100, 100);
    f->in[3] = I64V(0, -1);
    f->in[4] = I64V(-2, 1);
    make_node(f, QGC_OP_SLICE, 5, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(2, 3));
    check_iota_perm(f->out[0], 6, DIMS(9, 10, 11, 1, 2, 3));
}

/* An empty axis stays empty for any start with a negative step; an end of
 * INT64_MAX with a negative step clamps to dim-1 as the spec says (ONNX
 * Runtime reads it as "to the beginning" instead). */
static void test_slice_empty_axis(void **state) {
    fx *f = *state;
    f->in[0] = tensor(QGC_F32, 2, DIMS(0, 2), NULL);
    f->in[1] = I64V(-5);
    f->in[2] = I64V(-10);
    f->in[3] = I64V(0);
    f->in[4] = I64V(-1);
    make_node(f, QGC_OP_SLICE, 5, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(0, 2));
    qgc_tensor_free(f->out[0]);
    qgc_tensor_free(f->in[0]);
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->in[2]);
    f->in[0] = iota(QGC_I64, 1, DIMS(3));
    f->in[1] = I64V(2);
    f->in[2] = I64V(INT64_MAX);
    run_ok(f);
    check_dims(f->out[0], 1, DIMS(0));
}

static void test_pad_constant(void **state) {
    fx *f = *state;
    /* spec example: constant mode, pads [0, 2, 0, 0], value 0 */
    f->in[0] = F32(2, DIMS(3, 2), 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f);
    f->in[1] = I64V(0, 2, 0, 0);
    f->in[2] = F32(0, NULL, 0.0f);
    make_node(f, QGC_OP_PAD, 3, 1);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(3, 4));
    CHECK_F32(f->out[0], 0, 0, 1.0f, 1.2f, 0, 0, 2.3f, 3.4f, 0, 0, 4.5f, 5.7f);
    qgc_tensor_free(f->out[0]);
    /* value 9 and negative pads (crop) */
    qgc_tensor_free(f->in[1]);
    qgc_tensor_free(f->in[2]);
    f->in[1] = I64V(-1, 1, 1, 0);
    f->in[2] = F32(0, NULL, 9.0f);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(3, 3));
    CHECK_F32(f->out[0], 9, 2.3f, 3.4f, 9, 4.5f, 5.7f, 9, 9, 9);
}

static void test_pad_reflect_edge(void **state) {
    fx *f = *state;
    /* spec examples for reflect and edge */
    f->in[0] = F32(2, DIMS(3, 2), 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f);
    f->in[1] = I64V(0, 2, 0, 0);
    make_node(f, QGC_OP_PAD, 2, 1);
    qgc_node_set_string(f->g, f->n, "mode", "reflect");
    run_ok(f);
    CHECK_F32(f->out[0], 1.0f, 1.2f, 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f, 4.5f, 5.7f);
    qgc_tensor_free(f->out[0]);
    make_node(f, QGC_OP_PAD, 2, 1);
    qgc_node_set_string(f->g, f->n, "mode", "edge");
    run_ok(f);
    CHECK_F32(f->out[0], 1.0f, 1.0f, 1.0f, 1.2f, 2.3f, 2.3f, 2.3f, 3.4f, 4.5f, 4.5f, 4.5f, 5.7f);
    qgc_tensor_free(f->out[0]);
    /* numpy: np.pad(arange(12).reshape(3,4), ((1,0),(2,1)), mode='reflect') */
    qgc_tensor_free(f->in[0]);
    qgc_tensor_free(f->in[1]);
    f->in[0] = iota(QGC_I8, 2, DIMS(3, 4));
    f->in[1] = I64V(1, 2, 0, 1);
    make_node(f, QGC_OP_PAD, 2, 1);
    qgc_node_set_string(f->g, f->n, "mode", "reflect");
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(4, 7));
    check_iota_perm(f->out[0], 28,
                    DIMS(6, 5, 4, 5, 6, 7, 6, 2, 1, 0, 1, 2, 3, 2, 6, 5, 4, 5, 6, 7, 6, 10, 9, 8,
                         9, 10, 11, 10));
    qgc_tensor_free(f->out[0]);
    f->out[0] = NULL;
    make_node(f, QGC_OP_PAD, 2, 1);
    qgc_node_set_string(f->g, f->n, "mode", "wrap");
    run_fails(f);
}

/* Negative pads remove elements before the padding, so reflect mirrors what
 * is left: numpy np.pad([1, 2, 3], (0, 3), mode='reflect'). */
static void test_pad_crop_then_reflect(void **state) {
    fx *f = *state;
    f->in[0] = iota(QGC_I32, 1, DIMS(4));
    f->in[1] = I64V(-1, 3);
    make_node(f, QGC_OP_PAD, 2, 1);
    qgc_node_set_string(f->g, f->n, "mode", "reflect");
    run_ok(f);
    check_dims(f->out[0], 1, DIMS(6));
    check_iota_perm(f->out[0], 6, DIMS(1, 2, 3, 2, 1, 2));
}

static void test_pad_errors(void **state) {
    fx *f = *state;
    f->in[0] = F32(1, DIMS(2), 1, 2);
    f->in[1] = I64V(-2, -1);
    make_node(f, QGC_OP_PAD, 2, 1);
    run_fails(f);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(INT64_MAX, 1);
    run_fails(f);
    qgc_tensor_free(f->in[1]);
    f->in[1] = I64V(1);
    run_fails(f);
}

/* Infer with unknown values: shapes that depend on data stay unknown, not
 * errors. Every input is an i64[4] whose value is not known. */
static void test_infer_without_data(void **state) {
    fx *f = *state;
    static const struct {
        qgc_op op;
        int n_in;
    } cases[] = {{QGC_OP_RESHAPE, 2},  {QGC_OP_EXPAND, 2},  {QGC_OP_TILE, 2},
                 {QGC_OP_SLICE, 3},    {QGC_OP_CONSTANT_OF_SHAPE, 1}, {QGC_OP_RANGE, 3},
                 {QGC_OP_NONZERO, 1},  {QGC_OP_TOPK, 2},    {QGC_OP_UNSQUEEZE, 2},
                 {QGC_OP_SQUEEZE, 2},  {QGC_OP_PAD, 2},     {QGC_OP_ONEHOT, 3},
                 {QGC_OP_COMPRESS, 2}, {QGC_OP_SPLIT, 2}};
    qgc_tensor x = {.type = {.dtype = QGC_I64, .rank = 1, .dims = {4}}};
    const qgc_tensor *in[3] = {&x, &x, &x};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        qgc_op op = cases[i].op;
        qgc_value *v[3] = {NULL};
        for (int j = 0; j < cases[i].n_in; j++) v[j] = qgc_value_new(f->g, NULL, &x.type);
        qgc_node *n = qgc_node_new(f->g, op, "N", cases[i].n_in, v, qgc_ops[op].min_out);
        qgc_type out[2];
        qgc_status st = qgc_ops[op].infer(n, in, out, &f->d);
        if (st) fail_msg("%s: %s", qgc_ops[op].name, f->d.msg);
        assert_false(qgc_type_is_static(&out[0]));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_transpose), T(test_transpose_default_perm), T(test_transpose_tiled),
        T(test_transpose_bad_perm), T(test_reshape), T(test_reshape_allowzero),
        T(test_reshape_errors), T(test_reshape_unknown_shape), T(test_flatten_squeeze_unsqueeze),
        T(test_depth_to_space), T(test_space_to_depth), T(test_expand), T(test_tile),
        T(test_concat), T(test_concat_shape_ints), T(test_split), T(test_slice),
        T(test_slice_negative_steps), T(test_slice_2d_reverse), T(test_slice_empty_axis),
        T(test_pad_constant), T(test_pad_reflect_edge), T(test_pad_crop_then_reflect), T(test_pad_errors),
        T(test_infer_without_data),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
