/* Pools, normalisations, resize, dropout and the losses on one-node graphs.
 * Expected values are the ONNX spec's examples (MaxPool / AveragePool /
 * Resize / Conv docs), values derived by hand (noted in each test), or
 * formulas evaluated in double in the test itself. */
#include "nn_fixture.h"

#define F32T(r, dims, ...) values(r, dims, (const float[]){__VA_ARGS__})
#define WANT(...) (int64_t)(sizeof((const double[]){__VA_ARGS__}) / sizeof(double)), \
                  (const double[]){__VA_ARGS__}

static void set_str(fx *f, const char *name, const char *v) {
    assert_int_equal(qgc_node_set_string(f->g, f->n, name, v), QGC_OK);
}
static void set_int(fx *f, const char *name, int64_t v) {
    assert_int_equal(qgc_node_set_int(f->g, f->n, name, v), QGC_OK);
}
static void set_float(fx *f, const char *name, float v) {
    assert_int_equal(qgc_node_set_float(f->g, f->n, name, v), QGC_OK);
}

static qgc_tensor *arange(qgc_dtype dt, int r, const int64_t *dims, double start) {
    qgc_tensor *x = tensor(dt, r, dims, NULL);
    for (int64_t i = 0; i < qgc_tensor_numel(x); i++) qgc_store_f64(dt, x->data, i, start + (double)i);
    return x;
}

/* ---- pools ----------------------------------------------------------------- */

static void test_maxpool_precomputed_pads(void **state) {
    fx *f = *state;
    /* ONNX MaxPool example "maxpool_2d_precomputed_pads" */
    f->in[0] = arange(QGC_U8, 4, DIMS(1, 1, 5, 5), 1);
    make_node(f, QGC_OP_MAX_POOL, 1, 1);
    set_ints(f, "kernel_shape", INTS(5, 5));
    set_ints(f, "pads", INTS(2, 2, 2, 2));
    run_ok(f);
    assert_int_equal(f->out[0]->type.dtype, QGC_U8);
    check_values(f->out[0], WANT(13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25, 25, 25,
                                 23, 24, 25, 25, 25, 23, 24, 25, 25, 25));
}

static void avgpool_pads(fx *f, bool include_pad) {
    f->in[0] = arange(QGC_F32, 4, DIMS(1, 1, 5, 5), 1);
    make_node(f, QGC_OP_AVERAGE_POOL, 1, 1);
    set_ints(f, "kernel_shape", INTS(5, 5));
    set_ints(f, "pads", INTS(2, 2, 2, 2));
    set_int(f, "count_include_pad", include_pad);
    run_ok(f);
}

static void test_avgpool_precomputed_pads(void **state) {
    fx *f = *state;
    /* ONNX AveragePool example "averagepool_2d_precomputed_pads" */
    avgpool_pads(f, false);
    check_values(f->out[0], WANT(7, 7.5, 8, 8.5, 9, 9.5, 10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5,
                                 14, 14.5, 15, 15.5, 16, 16.5, 17, 17.5, 18, 18.5, 19));
}

static void test_avgpool_count_include_pad(void **state) {
    fx *f = *state;
    /* "averagepool_2d_precomputed_pads_count_include_pad": sums / 25 */
    avgpool_pads(f, true);
    check_values(f->out[0], WANT(2.52, 3.6, 4.8, 4.08, 3.24, 4.56, 6.4, 8.4, 7.04, 5.52, 7.2, 10,
                                 13, 10.8, 8.4, 6.96, 9.6, 12.4, 10.24, 7.92, 6.12, 8.4, 10.8,
                                 8.88, 6.84));
}

static void test_pool_ceil_mode(void **state) {
    fx *f = *state;
    /* "maxpool_2d_ceil" / "averagepool_2d_ceil": 4x4 of 1..16, kernel 3,
     * stride 2: the last windows are clipped to 2 rows / columns */
    for (int avg = 0; avg < 2; avg++) {
        f->in[0] = arange(QGC_F32, 4, DIMS(1, 1, 4, 4), 1);
        make_node(f, avg ? QGC_OP_AVERAGE_POOL : QGC_OP_MAX_POOL, 1, 1);
        set_ints(f, "kernel_shape", INTS(3, 3));
        set_ints(f, "strides", INTS(2, 2));
        set_int(f, "ceil_mode", 1);
        run_ok(f);
        check_dims(f->out[0], 4, DIMS(1, 1, 2, 2));
        if (avg) check_values(f->out[0], WANT(6, 7.5, 12, 13.5));
        else check_values(f->out[0], WANT(11, 12, 15, 16));
        qgc_tensor_free(f->in[0]);
        qgc_tensor_free(f->out[0]);
        f->in[0] = f->out[0] = NULL;
    }
}

static void test_maxpool_argmax(void **state) {
    fx *f = *state;
    /* "maxpool_with_argmax_2d_precomputed_strides": column-major indices */
    f->in[0] = arange(QGC_F32, 4, DIMS(1, 1, 5, 5), 1);
    make_node(f, QGC_OP_MAX_POOL, 1, 2);
    set_ints(f, "kernel_shape", INTS(2, 2));
    set_ints(f, "strides", INTS(2, 2));
    set_int(f, "storage_order", 1);
    run_ok(f);
    check_values(f->out[0], WANT(7, 9, 17, 19));
    assert_int_equal(f->out[1]->type.dtype, QGC_I64);
    check_values(f->out[1], WANT(6, 16, 8, 18));
}

static void test_maxpool_argmax_row_major_batch(void **state) {
    fx *f = *state;
    /* indices are flat over the whole input, batch and channel included:
     * plane p adds p * 16; the max of each 2x2 window is its bottom right */
    f->in[0] = arange(QGC_F32, 4, DIMS(2, 1, 4, 4), 0);
    make_node(f, QGC_OP_MAX_POOL, 1, 2);
    set_ints(f, "kernel_shape", INTS(2, 2));
    set_ints(f, "strides", INTS(2, 2));
    run_ok(f);
    check_values(f->out[1], WANT(5, 7, 13, 15, 21, 23, 29, 31));
}

static void test_maxpool_dilations(void **state) {
    fx *f = *state;
    /* "maxpool_2d_dilations" */
    f->in[0] = arange(QGC_F32, 4, DIMS(1, 1, 4, 4), 1);
    make_node(f, QGC_OP_MAX_POOL, 1, 1);
    set_ints(f, "kernel_shape", INTS(2, 2));
    set_ints(f, "dilations", INTS(2, 2));
    run_ok(f);
    check_values(f->out[0], WANT(11, 12, 15, 16));
}

static void test_lppool(void **state) {
    fx *f = *state;
    /* 1-D [3, -4, 12], kernel 2, pad 1 at the end: sqrt(9+16) = 5,
     * sqrt(16+144), sqrt(144) ; with p = 1: 7, 16, 12 */
    for (int p = 1; p <= 2; p++) {
        f->in[0] = F32T(3, DIMS(1, 1, 3), 3, -4, 12);
        make_node(f, QGC_OP_LP_POOL, 1, 1);
        set_ints(f, "kernel_shape", INTS(2));
        set_ints(f, "pads", INTS(0, 1));
        set_int(f, "p", p);
        run_ok(f);
        if (p == 1) check_values(f->out[0], WANT(7, 16, 12));
        else check_values(f->out[0], WANT(5, 12.649110640673518, 12));
        qgc_tensor_free(f->in[0]);
        qgc_tensor_free(f->out[0]);
        f->in[0] = f->out[0] = NULL;
    }
}

static void global_pool(fx *f, qgc_op op) {
    f->in[0] = F32T(4, DIMS(1, 2, 2, 2), 1, 2, 3, 6, -1, -2, -3, -6);
    make_node(f, op, 1, 1);
    run_ok(f);
    check_dims(f->out[0], 4, DIMS(1, 2, 1, 1));
}

static void test_global_average_pool(void **state) {
    fx *f = *state;
    global_pool(f, QGC_OP_GLOBAL_AVERAGE_POOL);
    check_values(f->out[0], WANT(3, -3));
}

static void test_global_max_pool(void **state) {
    fx *f = *state;
    global_pool(f, QGC_OP_GLOBAL_MAX_POOL);
    check_values(f->out[0], WANT(6, -1));
}

static void test_pool_shapes(void **state) {
    fx *f = *state;
    qgc_type x = {.dtype = QGC_F32, .rank = 4, .dims = {-1, 3, -1, 32}};
    qgc_tensor tx = {.type = x};
    const qgc_tensor *in[1] = {&tx};
    qgc_value *v = qgc_value_new(f->g, NULL, &x);
    f->n = qgc_node_new(f->g, QGC_OP_MAX_POOL, "N", 1, &v, 2);
    set_ints(f, "kernel_shape", INTS(3, 3));
    set_ints(f, "strides", INTS(2, 2));
    set_ints(f, "pads", INTS(1, 1, 1, 1));
    qgc_type out[2];
    assert_int_equal(qgc_ops[QGC_OP_MAX_POOL].infer(f->n, in, out, &f->d), QGC_OK);
    assert_int_equal(out[0].rank, 4);
    assert_int_equal(out[0].dims[0], -1);
    assert_int_equal(out[0].dims[1], 3);
    assert_int_equal(out[0].dims[2], -1);
    assert_int_equal(out[0].dims[3], 16);
    assert_int_equal(out[1].dtype, QGC_I64);
    /* unknown rank: the kernel gives it */
    tx.type.rank = -1;
    assert_int_equal(qgc_ops[QGC_OP_MAX_POOL].infer(f->n, in, out, &f->d), QGC_OK);
    assert_int_equal(out[0].rank, 4);
    assert_int_equal(out[0].dims[3], -1);
}

static void test_pool_errors(void **state) {
    fx *f = *state;
    f->in[0] = arange(QGC_F32, 4, DIMS(1, 1, 4, 4), 0);
    make_node(f, QGC_OP_AVERAGE_POOL, 1, 1);
    run_fails(f, "kernel_shape");
    set_ints(f, "kernel_shape", INTS(6, 6));
    run_fails(f, "does not fit");
}

/* ---- normalisations -------------------------------------------------------- */

static void test_batchnorm(void **state) {
    fx *f = *state;
    /* ONNX BatchNormalization example inputs */
    f->in[0] = F32T(4, DIMS(1, 2, 1, 3), -1, 0, 1, 2, 3, 4);
    f->in[1] = F32T(1, DIMS(2), 1, 1.5);
    f->in[2] = F32T(1, DIMS(2), 0, 1);
    f->in[3] = F32T(1, DIMS(2), 0, 3);
    f->in[4] = F32T(1, DIMS(2), 1, 1.5);
    make_node(f, QGC_OP_BATCHNORM, 5, 1);
    run_ok(f);
    double want[6];
    const double x[6] = {-1, 0, 1, 2, 3, 4}, s[2] = {1, 1.5}, b[2] = {0, 1}, m[2] = {0, 3},
                 v[2] = {1, 1.5};
    for (int i = 0; i < 6; i++) want[i] = s[i / 3] * (x[i] - m[i / 3]) / sqrt(v[i / 3] + 1e-5) + b[i / 3];
    check_values(f->out[0], 6, want);
}

static void test_instancenorm(void **state) {
    fx *f = *state;
    /* ONNX InstanceNormalization example: each channel {-1,0,1} or {2,3,4}
     * has variance 2/3 */
    f->in[0] = F32T(4, DIMS(1, 2, 1, 3), -1, 0, 1, 2, 3, 4);
    f->in[1] = F32T(1, DIMS(2), 1, 1.5);
    f->in[2] = F32T(1, DIMS(2), 0, 1);
    make_node(f, QGC_OP_INSTANCENORM, 3, 1);
    run_ok(f);
    double r = 1 / sqrt(2.0 / 3 + 1e-5);
    check_values(f->out[0], WANT(-r, 0, r, 1 - 1.5 * r, 1, 1 + 1.5 * r));
}

/* LayerNorm of X (outer x inner after `axis`) against a direct double
 * computation; scale / bias of shape sdims broadcast over the inner dims. */
static void layernorm_case(int r, const int64_t *xd, int axis, int sr, const int64_t *sd,
                           bool bias) {
    fx *f;
    setup((void **)&f);
    f->in[0] = random_tensor(QGC_F32, r, xd);
    f->in[1] = random_tensor(QGC_F32, sr, sd);
    if (bias) f->in[2] = random_tensor(QGC_F32, sr, sd);
    make_node(f, QGC_OP_LAYERNORM, bias ? 3 : 2, 3);
    set_int(f, "axis", axis);
    set_float(f, "epsilon", 0.1f);
    run_ok(f);
    int a = axis < 0 ? axis + r : axis;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < r; i++) *(i < a ? &outer : &inner) *= xd[i];
    int64_t sn = qgc_tensor_numel(f->in[1]);
    double *want = malloc(sizeof *want * (size_t)(outer * inner));
    double *mean = malloc(sizeof *mean * (size_t)outer), *inv = malloc(sizeof *inv * (size_t)outer);
    for (int64_t o = 0; o < outer; o++) {
        double s = 0, s2 = 0;
        for (int64_t i = 0; i < inner; i++) s += at(f->in[0], o * inner + i);
        mean[o] = s / (double)inner;
        for (int64_t i = 0; i < inner; i++) {
            double dv = at(f->in[0], o * inner + i) - mean[o];
            s2 += dv * dv;
        }
        inv[o] = 1 / sqrt(s2 / (double)inner + (double)0.1f);
        for (int64_t i = 0; i < inner; i++) /* scale is broadcast along the leading inner dims */
            want[o * inner + i] = (at(f->in[0], o * inner + i) - mean[o]) * inv[o] *
                                      at(f->in[1], i % sn) +
                                  (bias ? at(f->in[2], i % sn) : 0);
    }
    check_close(f->out[0], want, 1e-5);
    check_close(f->out[1], mean, 1e-5);
    check_close(f->out[2], inv, 1e-5);
    assert_int_equal(f->out[1]->type.rank, r);
    for (int i = 0; i < r; i++) assert_int_equal(f->out[1]->type.dims[i], i < a ? xd[i] : 1);
    free(want);
    free(mean);
    free(inv);
    teardown((void **)&f);
}

static void test_layernorm(void **state) {
    (void)state;
    layernorm_case(3, DIMS(2, 3, 5), -1, 1, DIMS(5), true);
    layernorm_case(3, DIMS(2, 3, 5), 1, 2, DIMS(3, 5), false);
    layernorm_case(2, DIMS(3, 4), 0, 2, DIMS(3, 4), true);
    layernorm_case(4, DIMS(2, 3, 4, 5), 1, 2, DIMS(4, 5), true); /* broadcast over dim 1 */
}

static void test_lrn(void **state) {
    fx *f = *state;
    /* channels 1, 2, 3 at one pixel, size 3 (window c-1..c+1), alpha 0.3,
     * beta 0.5, bias 2: y_c = x_c / sqrt(2 + 0.1 * sum of squares) */
    f->in[0] = F32T(4, DIMS(1, 3, 1, 1), 1, 2, 3);
    make_node(f, QGC_OP_LRN, 1, 1);
    set_int(f, "size", 3);
    set_float(f, "alpha", 0.3f);
    set_float(f, "beta", 0.5f);
    set_float(f, "bias", 2);
    run_ok(f);
    double a = (double)0.3f / 3;
    check_values(f->out[0], WANT(1 / sqrt(2 + a * 5), 2 / sqrt(2 + a * 14), 3 / sqrt(2 + a * 13)));
}

static void test_mvn(void **state) {
    fx *f = *state;
    /* default axes [0, 2, 3]: channel 0 holds {1, 3}, channel 1 {2, 6} */
    f->in[0] = F32T(4, DIMS(2, 2, 1, 1), 1, 2, 3, 6);
    make_node(f, QGC_OP_MVN, 1, 1);
    run_ok(f);
    check_values(f->out[0], WANT(-1, -1, 1, 1));
}

/* ---- resize ---------------------------------------------------------------- */

/* Resize of x (rank r) with scales (sizes NULL) or sizes. */
static void resize(fx *f, qgc_tensor *x, const float *scales, const int64_t *sizes, int r,
                   const char *mode, const char *coord) {
    f->in[0] = x;
    if (scales) f->in[2] = values(1, (int64_t[]){r}, scales);
    if (sizes) {
        f->in[3] = tensor(QGC_I64, 1, (int64_t[]){r}, NULL);
        memcpy(f->in[3]->data, sizes, sizeof *sizes * (size_t)r);
    }
    make_node(f, QGC_OP_RESIZE, sizes ? 4 : 3, 1);
    set_str(f, "mode", mode);
    if (coord) set_str(f, "coordinate_transformation_mode", coord);
    run_ok(f);
}

static void test_resize_nearest(void **state) {
    fx *f = *state;
    /* ONNX Resize example "upsample_scales_nearest" */
    resize(f, F32T(4, DIMS(1, 1, 2, 2), 1, 2, 3, 4), (const float[]){1, 1, 2, 3}, NULL, 4,
           "nearest", NULL);
    check_dims(f->out[0], 4, DIMS(1, 1, 4, 6));
    check_values(f->out[0], WANT(1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3,
                                 4, 4, 4));
}

static void test_resize_nearest_sizes(void **state) {
    fx *f = *state;
    /* "downsample_sizes_nearest": sizes [1, 1, 1, 3] */
    resize(f, F32T(4, DIMS(1, 1, 2, 4), 1, 2, 3, 4, 5, 6, 7, 8), NULL, DIMS(1, 1, 1, 3), 4,
           "nearest", NULL);
    check_values(f->out[0], WANT(1, 2, 4));
}

static void test_resize_linear(void **state) {
    fx *f = *state;
    /* "upsample_scales_linear" (half_pixel) */
    resize(f, F32T(4, DIMS(1, 1, 2, 2), 1, 2, 3, 4), (const float[]){1, 1, 2, 2}, NULL, 4,
           "linear", NULL);
    check_values(f->out[0], WANT(1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5,
                                 3, 3.25, 3.75, 4));
}

static void test_resize_linear_align_corners(void **state) {
    fx *f = *state;
    /* "upsample_scales_linear_align_corners": steps of 1/3 */
    resize(f, F32T(4, DIMS(1, 1, 2, 2), 1, 2, 3, 4), (const float[]){1, 1, 2, 2}, NULL, 4,
           "linear", "align_corners");
    double t = 1.0 / 3;
    check_values(f->out[0], WANT(1, 1 + t, 1 + 2 * t, 2, 1 + 2 * t, 2, 2 + t, 2 + 2 * t, 2 + t,
                                 2 + 2 * t, 3, 3 + t, 3, 3 + t, 3 + 2 * t, 4));
}

static void test_resize_downsample_linear(void **state) {
    fx *f = *state;
    /* "downsample_scales_linear": scale 0.6 maps output 0 to input 0.3333
     * (rows) and 0.3333 (columns), output 1 to column 2.0 */
    resize(f, F32T(4, DIMS(1, 1, 2, 4), 1, 2, 3, 4, 5, 6, 7, 8),
           (const float[]){1, 1, 0.6f, 0.6f}, NULL, 4, "linear", NULL);
    check_dims(f->out[0], 4, DIMS(1, 1, 1, 2));
    assert_float_equal(((float *)f->out[0]->data)[0], 2.6666665, 1e-5);
    assert_float_equal(((float *)f->out[0]->data)[1], 4.3333331, 1e-5);
}

static void test_resize_tf_crop_and_resize(void **state) {
    fx *f = *state;
    /* "tf_crop_and_resize": the input is linear (1 + 4y + x), so inside the
     * image bilinear gives 1 + 4*1.2 + 1.8 and 1 + 4*2.4 + 1.8; sampling
     * points past the image take extrapolation_value 10 */
    f->in[1] = F32T(1, DIMS(8), 0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f);
    f->in[0] = arange(QGC_F32, 4, DIMS(1, 1, 4, 4), 1);
    f->in[3] = tensor(QGC_I64, 1, DIMS(4), NULL);
    memcpy(f->in[3]->data, (const int64_t[]){1, 1, 3, 3}, 32);
    make_node(f, QGC_OP_RESIZE, 4, 1);
    set_str(f, "mode", "linear");
    set_str(f, "coordinate_transformation_mode", "tf_crop_and_resize");
    set_float(f, "extrapolation_value", 10);
    run_ok(f);
    check_close(f->out[0], (const double[]){7.6, 10, 10, 12.4, 10, 10, 10, 10, 10}, 1e-5);
}

static void test_resize_cubic(void **state) {
    fx *f = *state;
    /* 1-D [0, 1, 0, 0] upsampled x2, asymmetric: half-way samples use the
     * cubic weights at t = 0.5 for A = -0.75: W(1.5) = 0.125 A = -0.09375 and
     * W(0.5) = 0.59375 (Keys' kernel); edge taps clamp to the border */
    resize(f, F32T(3, DIMS(1, 1, 4), 0, 1, 0, 0), (const float[]){1, 1, 2}, NULL, 3, "cubic",
           "asymmetric");
    check_values(f->out[0], WANT(0, 0.59375, 1, 0.59375, 0, -0.09375, 0, 0));
}

static void test_resize_cubic_exclude_outside(void **state) {
    fx *f = *state;
    /* as above; at output 1 the tap at input -1 is dropped and the weights
     * renormalized: 0.59375 / (0.59375 + 0.59375 - 0.09375) */
    f->in[0] = F32T(3, DIMS(1, 1, 4), 0, 1, 0, 0);
    f->in[2] = F32T(1, DIMS(3), 1, 1, 2);
    make_node(f, QGC_OP_RESIZE, 3, 1);
    set_str(f, "mode", "cubic");
    set_str(f, "coordinate_transformation_mode", "asymmetric");
    set_int(f, "exclude_outside", 1);
    run_ok(f);
    assert_float_equal(((float *)f->out[0]->data)[1], 0.59375 / 1.09375, 1e-6);
}

static void test_resize_shapes(void **state) {
    fx *f = *state;
    /* scales known, X partially known */
    qgc_type x = {.dtype = QGC_F32, .rank = 4, .dims = {1, 3, -1, 10}};
    qgc_tensor tx = {.type = x};
    qgc_tensor *sc = F32T(1, DIMS(4), 1, 1, 2, 0.5f);
    const qgc_tensor *in[3] = {&tx, NULL, sc};
    qgc_value *vals[3] = {qgc_value_new(f->g, NULL, &x), NULL, qgc_value_new(f->g, NULL, &sc->type)};
    f->n = qgc_node_new(f->g, QGC_OP_RESIZE, "N", 3, vals, 1);
    qgc_type out;
    assert_int_equal(qgc_ops[QGC_OP_RESIZE].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, 4);
    assert_int_equal(out.dims[1], 3);
    assert_int_equal(out.dims[2], -1);
    assert_int_equal(out.dims[3], 5);
    /* scales not known at compile time: rank only */
    qgc_tensor nodata = {.type = sc->type};
    in[2] = &nodata;
    assert_int_equal(qgc_ops[QGC_OP_RESIZE].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, 4);
    assert_int_equal(out.dims[3], -1);
    qgc_tensor_free(sc);
}

/* ---- dropout and losses ------------------------------------------------------ */

static void test_dropout(void **state) {
    fx *f = *state;
    f->in[0] = F32T(2, DIMS(2, 2), 1, -2, 3, -4);
    f->in[1] = F32T(0, NULL, 0.5f);
    make_node(f, QGC_OP_DROPOUT, 2, 2);
    run_ok(f);
    check_values(f->out[0], WANT(1, -2, 3, -4));
    assert_int_equal(f->out[1]->type.dtype, QGC_BOOL);
    for (int i = 0; i < 4; i++) assert_int_equal(((uint8_t *)f->out[1]->data)[i], 1);
}

static void test_dropout_training(void **state) {
    fx *f = *state;
    f->in[0] = F32T(1, DIMS(3), 1, 2, 3);
    f->in[1] = F32T(0, NULL, 0.5f);
    f->in[2] = tensor(QGC_BOOL, 0, NULL, NULL);
    *(uint8_t *)f->in[2]->data = 1;
    make_node(f, QGC_OP_DROPOUT, 3, 1);
    assert_int_equal(qgc_eval_node(f->n, (const qgc_tensor *const *)f->in, f->out, &f->d),
                     QGC_ERR_UNSUPPORTED);
    assert_non_null(strstr(f->d.msg, "node 'N'"));
    *(float *)f->in[1]->data = 0; /* ratio 0 keeps everything: deterministic */
    run_ok(f);
    check_values(f->out[0], WANT(1, 2, 3));
}

/* NLL of input [[-1,-2,-3],[-0.5,-1,-2]] at targets [2, 0]: losses 3 and
 * 0.5; with weights [1, 2, 3]: 9 and 0.5, mean (9 + 0.5) / (3 + 1). */
static void nll(fx *f, const char *reduction, bool weight, int64_t ignore) {
    f->in[0] = F32T(2, DIMS(2, 3), -1, -2, -3, -0.5f, -1, -2);
    f->in[1] = tensor(QGC_I64, 1, DIMS(2), NULL);
    memcpy(f->in[1]->data, (const int64_t[]){2, 0}, 16);
    if (weight) f->in[2] = F32T(1, DIMS(3), 1, 2, 3);
    make_node(f, QGC_OP_NLL_LOSS, weight ? 3 : 2, 1);
    set_str(f, "reduction", reduction);
    if (ignore >= 0) set_int(f, "ignore_index", ignore);
    run_ok(f);
}

static void test_nll_none(void **state) {
    fx *f = *state;
    nll(f, "none", false, -1);
    check_dims(f->out[0], 1, DIMS(2));
    check_values(f->out[0], WANT(3, 0.5));
}

static void test_nll_weighted_mean(void **state) {
    fx *f = *state;
    nll(f, "mean", true, -1);
    check_dims(f->out[0], 0, NULL);
    check_values(f->out[0], WANT(2.375));
}

static void test_nll_ignore_index(void **state) {
    fx *f = *state;
    nll(f, "mean", true, 0); /* target 0 ignored: 9 / 3 */
    check_values(f->out[0], WANT(3));
}

static void test_nll_sum_nd(void **state) {
    fx *f = *state;
    /* (N=1, C=2, d=2): d0 takes class 1 (-3), d1 class 0 (-2) */
    f->in[0] = F32T(3, DIMS(1, 2, 2), -1, -2, -3, -4);
    f->in[1] = tensor(QGC_I64, 2, DIMS(1, 2), NULL);
    memcpy(f->in[1]->data, (const int64_t[]){1, 0}, 16);
    make_node(f, QGC_OP_NLL_LOSS, 2, 1);
    set_str(f, "reduction", "sum");
    run_ok(f);
    check_values(f->out[0], WANT(5));
}

static void test_nll_bad_target(void **state) {
    fx *f = *state;
    f->in[0] = F32T(2, DIMS(1, 3), -1, -2, -3);
    f->in[1] = tensor(QGC_I64, 1, DIMS(1), NULL);
    *(int64_t *)f->in[1]->data = 3;
    make_node(f, QGC_OP_NLL_LOSS, 2, 1);
    run_fails(f, "out of range");
}

static void test_softmax_ce(void **state) {
    fx *f = *state;
    /* rows [0,0,0] -> log_prob -log 3 each; [1,2,3] -> x - 3 - log(1 + e^-1 + e^-2) */
    f->in[0] = F32T(2, DIMS(2, 3), 0, 0, 0, 1, 2, 3);
    f->in[1] = tensor(QGC_I64, 1, DIMS(2), NULL);
    memcpy(f->in[1]->data, (const int64_t[]){1, 2}, 16);
    make_node(f, QGC_OP_SOFTMAX_CE_LOSS, 2, 2);
    set_str(f, "reduction", "mean");
    run_ok(f);
    double l3 = log(3.0), c = 3 + log(1 + exp(-1.0) + exp(-2.0));
    check_values(f->out[0], WANT((l3 + c - 3) / 2));
    check_dims(f->out[1], 2, DIMS(2, 3));
    check_values(f->out[1], WANT(-l3, -l3, -l3, 1 - c, 2 - c, 3 - c));
}

int main(void) {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_maxpool_precomputed_pads), T(test_avgpool_precomputed_pads),
        T(test_avgpool_count_include_pad), T(test_pool_ceil_mode), T(test_maxpool_argmax),
        T(test_maxpool_argmax_row_major_batch), T(test_maxpool_dilations), T(test_lppool),
        T(test_global_average_pool), T(test_global_max_pool), T(test_pool_shapes), T(test_pool_errors), T(test_batchnorm),
        T(test_instancenorm), cmocka_unit_test(test_layernorm), T(test_lrn), T(test_mvn),
        T(test_resize_nearest), T(test_resize_nearest_sizes), T(test_resize_linear),
        T(test_resize_linear_align_corners), T(test_resize_downsample_linear),
        T(test_resize_tf_crop_and_resize), T(test_resize_cubic),
        T(test_resize_cubic_exclude_outside), T(test_resize_shapes), T(test_dropout),
        T(test_dropout_training), T(test_nll_none), T(test_nll_weighted_mean),
        T(test_nll_ignore_index), T(test_nll_sum_nd), T(test_nll_bad_target),
        T(test_softmax_ce),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
