/* matmul, gemm, conv and conv_transpose on one-node graphs. Expected values
 * are the ONNX spec's Conv / ConvTranspose examples, or come from naive
 * reference loops written here (a direct convolution, a direct scatter for
 * the transposed convolution, a triple-loop matrix product) run on random
 * data: independent of the blocked GEMM and im2col code under test. */
#include "nn_fixture.h"

/* ---- naive references ------------------------------------------------------ */

typedef struct {
    int nd;
    int64_t group, k[3], s[3], dil[3], pb[3], pe[3], adj[3];
} conv_params;

/* Advances an N-d index over dims; false after the last. */
static bool next_index(int64_t *idx, const int64_t *dims, int nd) {
    for (int e = nd - 1; e >= 0; e--) {
        if (++idx[e] < dims[e]) return true;
        idx[e] = 0;
    }
    return false;
}

static int64_t flat(const int64_t *idx, const int64_t *dims, int nd) {
    int64_t f = 0;
    for (int e = 0; e < nd; e++) f = f * dims[e] + idx[e];
    return f;
}

/* Direct convolution straight from the ONNX definition. */
static double *naive_conv(const qgc_tensor *x, const qgc_tensor *w, const qgc_tensor *b,
                          const conv_params *p, const int64_t *out_sp) {
    int nd = p->nd;
    int64_t nb = x->type.dims[0], c = x->type.dims[1], m = w->type.dims[0];
    const int64_t *in_sp = x->type.dims + 2;
    int64_t cg = c / p->group, mg = m / p->group, osz = 1, isz = 1, ksz = 1;
    for (int e = 0; e < nd; e++) {
        osz *= out_sp[e];
        isz *= in_sp[e];
        ksz *= p->k[e];
    }
    double *y = calloc((size_t)(nb * m * osz), sizeof *y);
    for (int64_t n = 0; n < nb; n++)
        for (int64_t oc = 0; oc < m; oc++) {
            int64_t o[3] = {0}, gp = oc / mg;
            do {
                double s = b ? at(b, oc) : 0;
                for (int64_t ic = 0; ic < cg; ic++) {
                    int64_t k[3] = {0};
                    do {
                        int64_t i[3];
                        bool ok = true;
                        for (int e = 0; e < nd; e++) {
                            i[e] = o[e] * p->s[e] - p->pb[e] + k[e] * p->dil[e];
                            ok = ok && i[e] >= 0 && i[e] < in_sp[e];
                        }
                        if (ok)
                            s += at(x, (n * c + gp * cg + ic) * isz + flat(i, in_sp, nd)) *
                                 at(w, (oc * cg + ic) * ksz + flat(k, p->k, nd));
                    } while (next_index(k, p->k, nd));
                }
                y[(n * m + oc) * osz + flat(o, out_sp, nd)] = s;
            } while (next_index(o, out_sp, nd));
        }
    return y;
}

/* Transposed convolution as a direct scatter of every input pixel. */
static double *naive_conv_transpose(const qgc_tensor *x, const qgc_tensor *w,
                                    const qgc_tensor *b, const conv_params *p,
                                    const int64_t *out_sp) {
    int nd = p->nd;
    int64_t nb = x->type.dims[0], c = x->type.dims[1], mg = w->type.dims[1];
    int64_t m = mg * p->group, cg = c / p->group;
    const int64_t *in_sp = x->type.dims + 2;
    int64_t osz = 1, isz = 1, ksz = 1;
    for (int e = 0; e < nd; e++) {
        osz *= out_sp[e];
        isz *= in_sp[e];
        ksz *= p->k[e];
    }
    double *y = calloc((size_t)(nb * m * osz), sizeof *y);
    for (int64_t i = 0; i < nb * m * osz; i++) y[i] = b ? at(b, (i / osz) % m) : 0;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t ic = 0; ic < c; ic++) {
            int64_t i[3] = {0}, gp = ic / cg;
            do {
                double xv = at(x, (n * c + ic) * isz + flat(i, in_sp, nd));
                for (int64_t om = 0; om < mg; om++) {
                    int64_t k[3] = {0};
                    do {
                        int64_t o[3];
                        bool ok = true;
                        for (int e = 0; e < nd; e++) {
                            o[e] = i[e] * p->s[e] - p->pb[e] + k[e] * p->dil[e];
                            ok = ok && o[e] >= 0 && o[e] < out_sp[e];
                        }
                        if (ok)
                            y[(n * m + gp * mg + om) * osz + flat(o, out_sp, nd)] +=
                                xv * at(w, (ic * mg + om) * ksz + flat(k, p->k, nd));
                    } while (next_index(k, p->k, nd));
                }
            } while (next_index(i, in_sp, nd));
        }
    return y;
}

/* ---- conv ------------------------------------------------------------------ */

static void test_conv_spec_examples(void **state) {
    fx *f = *state;
    float x[35], w[9];
    for (int i = 0; i < 35; i++) x[i] = (float)i;
    for (int i = 0; i < 9; i++) w[i] = 1;
    /* ONNX Conv example "conv_with_strides_and_asymmetric_padding" */
    f->in[0] = values(4, DIMS(1, 1, 7, 5), x);
    f->in[1] = values(4, DIMS(1, 1, 3, 3), w);
    make_node(f, QGC_OP_CONV, 2, 1);
    set_ints(f, "kernel_shape", INTS(3, 3));
    set_ints(f, "pads", INTS(1, 0, 1, 0));
    set_ints(f, "strides", INTS(2, 2));
    run_ok(f);
    check_dims(f->out[0], 4, DIMS(1, 1, 4, 2));
    check_values(f->out[0], 8, (const double[]){21, 33, 99, 117, 189, 207, 171, 183});
}

static void test_conv_spec_padding(void **state) {
    fx *f = *state;
    float x[25], w[9];
    for (int i = 0; i < 25; i++) x[i] = (float)i;
    for (int i = 0; i < 9; i++) w[i] = 1;
    /* ONNX Conv example "conv_with_padding" */
    f->in[0] = values(4, DIMS(1, 1, 5, 5), x);
    f->in[1] = values(4, DIMS(1, 1, 3, 3), w);
    make_node(f, QGC_OP_CONV, 2, 1);
    set_ints(f, "pads", INTS(1, 1, 1, 1));
    run_ok(f);
    check_values(f->out[0], 25,
                 (const double[]){12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108,
                                  117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84});
}

/* Runs conv on random data and compares with naive_conv. */
static void conv_case(const int64_t *xd, const int64_t *wd, bool bias, const conv_params *p,
                      const char *auto_pad, qgc_dtype dt, const int64_t *want_sp) {
    fx *f;
    setup((void **)&f);
    int r = p->nd + 2;
    f->in[0] = random_tensor(dt, r, xd);
    f->in[1] = random_tensor(dt, r, wd);
    if (bias) f->in[2] = random_tensor(dt, 1, wd);
    make_node(f, QGC_OP_CONV, bias ? 3 : 2, 1);
    set_ints(f, "strides", p->s, p->nd);
    set_ints(f, "dilations", p->dil, p->nd);
    if (p->group != 1) assert_int_equal(qgc_node_set_int(f->g, f->n, "group", p->group), QGC_OK);
    if (auto_pad) {
        assert_int_equal(qgc_node_set_string(f->g, f->n, "auto_pad", auto_pad), QGC_OK);
    } else {
        int64_t pads[6];
        for (int e = 0; e < p->nd; e++) {
            pads[e] = p->pb[e];
            pads[p->nd + e] = p->pe[e];
        }
        set_ints(f, "pads", pads, 2 * p->nd);
    }
    run_ok(f);
    int64_t od[5] = {xd[0], wd[0]};
    for (int e = 0; e < p->nd; e++) od[2 + e] = want_sp[e];
    check_dims(f->out[0], r, od);
    double *want = naive_conv(f->in[0], f->in[1], f->in[2], p, want_sp);
    check_close(f->out[0], want, dt == QGC_F16 ? 2e-2 : 1e-4);
    free(want);
    teardown((void **)&f);
}

static void test_conv_random_2d(void **state) {
    (void)state;
    /* plain 3x3, stride 1, pad 1 */
    conv_params p = {2, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {0}};
    conv_case(DIMS(2, 3, 9, 11), DIMS(5, 3, 3, 3), true, &p, NULL, QGC_F32, DIMS(9, 11));
    /* many channels (K > one GEMM K-block, M > one micro-tile), stride 2, asymmetric pads */
    conv_params q = {2, 1, {3, 3}, {2, 2}, {1, 1}, {0, 1}, {2, 0}, {0}};
    conv_case(DIMS(1, 40, 13, 17), DIMS(20, 40, 3, 3), true, &q, NULL, QGC_F32, DIMS(7, 8));
    /* groups and dilations, rectangular kernel */
    conv_params g = {2, 2, {2, 3}, {1, 2}, {2, 1}, {1, 0}, {1, 2}, {0}};
    conv_case(DIMS(1, 4, 8, 9), DIMS(6, 2, 2, 3), false, &g, NULL, QGC_F32, DIMS(8, 5));
    /* pointwise 1x1 */
    conv_params one = {2, 1, {1, 1}, {1, 1}, {1, 1}, {0}, {0}, {0}};
    conv_case(DIMS(2, 7, 5, 6), DIMS(9, 7, 1, 1), true, &one, NULL, QGC_F32, DIMS(5, 6));
    /* 1x1 with stride 2 (not the pointwise shortcut) */
    conv_params one2 = {2, 1, {1, 1}, {2, 2}, {1, 1}, {0}, {0}, {0}};
    conv_case(DIMS(1, 3, 5, 6), DIMS(4, 3, 1, 1), false, &one2, NULL, QGC_F32, DIMS(3, 3));
}

static void test_conv_depthwise(void **state) {
    (void)state;
    conv_params p = {2, 6, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {0}};
    conv_case(DIMS(2, 6, 10, 7), DIMS(6, 1, 3, 3), true, &p, NULL, QGC_F32, DIMS(10, 7));
    conv_params s = {2, 4, {5, 5}, {2, 3}, {1, 2}, {2, 1}, {2, 3}, {0}};
    conv_case(DIMS(1, 4, 11, 12), DIMS(4, 1, 5, 5), false, &s, NULL, QGC_F32, DIMS(6, 3));
    /* channel multiplier 2: not the direct path */
    conv_params m = {2, 3, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {0}};
    conv_case(DIMS(1, 3, 6, 6), DIMS(6, 1, 3, 3), true, &m, NULL, QGC_F32, DIMS(6, 6));
    /* 1-D depthwise */
    conv_params d1 = {1, 3, {3}, {2}, {1}, {1}, {0}, {0}};
    conv_case(DIMS(1, 3, 10), DIMS(3, 1, 3), true, &d1, NULL, QGC_F32, DIMS(5));
}

static void test_conv_1d_3d(void **state) {
    (void)state;
    conv_params p1 = {1, 1, {4}, {3}, {2}, {2}, {1}, {0}};
    conv_case(DIMS(2, 3, 20), DIMS(4, 3, 4), true, &p1, NULL, QGC_F32, DIMS(6));
    conv_params p3 = {3, 1, {2, 3, 2}, {1, 2, 1}, {1, 1, 2}, {1, 0, 1}, {0, 1, 1}, {0}};
    conv_case(DIMS(1, 2, 5, 6, 7), DIMS(3, 2, 2, 3, 2), true, &p3, NULL, QGC_F32,
              DIMS(5, 3, 7));
}

static void test_conv_auto_pad(void **state) {
    (void)state;
    /* SAME_UPPER: out = ceil(9/2) = 5, total pad = 4*2+3-9 = 2 -> 1,1; width
     * ceil(8/2) = 4, total 3*2+3-8 = 1 -> 0 begin, 1 end */
    conv_params up = {2, 1, {3, 3}, {2, 2}, {1, 1}, {1, 0}, {1, 1}, {0}};
    conv_case(DIMS(1, 2, 9, 8), DIMS(3, 2, 3, 3), false, &up, "SAME_UPPER", QGC_F32, DIMS(5, 4));
    /* SAME_LOWER puts the odd pad at the beginning */
    conv_params lo = {2, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 0}, {0}};
    conv_case(DIMS(1, 2, 9, 8), DIMS(3, 2, 3, 3), false, &lo, "SAME_LOWER", QGC_F32, DIMS(5, 4));
    conv_params va = {2, 1, {3, 2}, {2, 1}, {1, 1}, {0}, {0}, {0}};
    conv_case(DIMS(1, 2, 8, 5), DIMS(3, 2, 3, 2), false, &va, "VALID", QGC_F32, DIMS(3, 4));
}

static void test_conv_other_dtypes(void **state) {
    (void)state;
    conv_params p = {2, 1, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {0}};
    conv_case(DIMS(1, 3, 6, 5), DIMS(4, 3, 3, 3), true, &p, NULL, QGC_F64, DIMS(6, 5));
    conv_case(DIMS(1, 3, 6, 5), DIMS(4, 3, 3, 3), true, &p, NULL, QGC_F16, DIMS(6, 5));
}

static void test_conv_shapes_partial(void **state) {
    fx *f = *state;
    qgc_type x = {.dtype = QGC_F32, .rank = 4, .dims = {-1, 3, -1, 224}};
    qgc_type w = {.dtype = QGC_F32, .rank = 4, .dims = {16, 3, 3, 3}};
    qgc_tensor tx = {.type = x}, tw = {.type = w};
    const qgc_tensor *in[2] = {&tx, &tw};
    qgc_value *vals[2] = {qgc_value_new(f->g, NULL, &x), qgc_value_new(f->g, NULL, &w)};
    f->n = qgc_node_new(f->g, QGC_OP_CONV, "N", 2, vals, 1);
    set_ints(f, "strides", INTS(2, 2));
    qgc_type out;
    assert_int_equal(qgc_ops[QGC_OP_CONV].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, 4);
    assert_int_equal(out.dims[0], -1);
    assert_int_equal(out.dims[1], 16);
    assert_int_equal(out.dims[2], -1);
    assert_int_equal(out.dims[3], 111);
    /* unknown rank of X: the rank comes from W */
    tx.type.rank = -1;
    assert_int_equal(qgc_ops[QGC_OP_CONV].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, 4);
    assert_int_equal(out.dims[1], 16);
    assert_int_equal(out.dims[3], -1);
    /* SAME_UPPER knows the output size without the kernel */
    tw.type.dims[2] = tw.type.dims[3] = -1;
    tx.type = x;
    assert_int_equal(qgc_node_set_string(f->g, f->n, "auto_pad", "SAME_UPPER"), QGC_OK);
    assert_int_equal(qgc_ops[QGC_OP_CONV].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.dims[3], 112);
}

static void test_conv_errors(void **state) {
    fx *f = *state;
    f->in[0] = random_tensor(QGC_F32, 4, DIMS(1, 4, 5, 5));
    f->in[1] = random_tensor(QGC_F32, 4, DIMS(2, 3, 3, 3));
    make_node(f, QGC_OP_CONV, 2, 1);
    run_fails(f, "channels");
}

/* ---- conv_transpose -------------------------------------------------------- */

static void test_conv_transpose_spec_example(void **state) {
    fx *f = *state;
    float x[9], w[18];
    for (int i = 0; i < 9; i++) x[i] = (float)i;
    for (int i = 0; i < 18; i++) w[i] = 1;
    f->in[0] = values(4, DIMS(1, 1, 3, 3), x);
    f->in[1] = values(4, DIMS(1, 2, 3, 3), w);
    make_node(f, QGC_OP_CONV_TRANSPOSE, 2, 1);
    run_ok(f);
    check_dims(f->out[0], 4, DIMS(1, 2, 5, 5));
    static const double ch[25] = {0, 1, 3,  3,  2,  3, 8,  15, 12, 7,  9, 21, 36,
                                  27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
    double want[50];
    memcpy(want, ch, sizeof ch);
    memcpy(want + 25, ch, sizeof ch);
    check_values(f->out[0], 50, want);
}

/* attrs: 0 = explicit pads, 1 = output_shape, 2 = auto_pad SAME_UPPER, 3 = SAME_LOWER */
static void conv_transpose_case(const int64_t *xd, const int64_t *wd, const conv_params *p,
                                int attrs, const int64_t *want_sp) {
    fx *f;
    setup((void **)&f);
    int r = p->nd + 2;
    f->in[0] = random_tensor(QGC_F32, r, xd);
    f->in[1] = random_tensor(QGC_F32, r, wd);
    int64_t m = wd[1] * p->group;
    f->in[2] = random_tensor(QGC_F32, 1, &m);
    make_node(f, QGC_OP_CONV_TRANSPOSE, 3, 1);
    set_ints(f, "strides", p->s, p->nd);
    set_ints(f, "dilations", p->dil, p->nd);
    set_ints(f, "output_padding", p->adj, p->nd);
    if (p->group != 1) assert_int_equal(qgc_node_set_int(f->g, f->n, "group", p->group), QGC_OK);
    if (attrs == 0) {
        int64_t pads[6];
        for (int e = 0; e < p->nd; e++) {
            pads[e] = p->pb[e];
            pads[p->nd + e] = p->pe[e];
        }
        set_ints(f, "pads", pads, 2 * p->nd);
    } else if (attrs == 1) {
        set_ints(f, "output_shape", want_sp, p->nd);
    } else {
        assert_int_equal(qgc_node_set_string(f->g, f->n, "auto_pad",
                                             attrs == 2 ? "SAME_UPPER" : "SAME_LOWER"),
                         QGC_OK);
    }
    run_ok(f);
    int64_t od[5] = {xd[0], m};
    for (int e = 0; e < p->nd; e++) od[2 + e] = want_sp[e];
    check_dims(f->out[0], r, od);
    double *want = naive_conv_transpose(f->in[0], f->in[1], f->in[2], p, want_sp);
    check_close(f->out[0], want, 1e-4);
    free(want);
    teardown((void **)&f);
}

static void test_conv_transpose_random(void **state) {
    (void)state;
    /* out = s*(in-1) + adj + (k-1)*d + 1 - pads: 2*4+1+3-1-2 = 9, 3*5+0+5-0-1 = 19 */
    conv_params p = {2, 1, {3, 3}, {2, 3}, {1, 2}, {1, 0}, {2, 1}, {1, 0}};
    conv_transpose_case(DIMS(2, 3, 5, 6), DIMS(3, 4, 3, 3), &p, 0, DIMS(9, 19));
    /* groups, stride 2 kernel 2 (the FPN upsampling shape), many input channels */
    conv_params g = {2, 2, {2, 2}, {2, 2}, {1, 1}, {0}, {0}, {0}};
    conv_transpose_case(DIMS(1, 40, 4, 5), DIMS(40, 3, 2, 2), &g, 0, DIMS(8, 10));
    /* 1-D and 3-D */
    conv_params p1 = {1, 1, {3}, {2}, {1}, {0}, {0}, {1}};
    conv_transpose_case(DIMS(1, 2, 4), DIMS(2, 3, 3), &p1, 0, DIMS(10));
    conv_params p3 = {3, 1, {2, 2, 3}, {1, 2, 1}, {1, 1, 1}, {0}, {0}, {0}};
    conv_transpose_case(DIMS(1, 2, 3, 3, 2), DIMS(2, 2, 2, 2, 3), &p3, 0, DIMS(4, 6, 4));
}

static void test_conv_transpose_output_shape(void **state) {
    (void)state;
    /* output_shape [10, 8] with strides [3, 2]: total pads 3*2+0+3-10 = -1 and
     * 2*2+3-8 = -1, split as begin = total - floor(total/2) = 0, end = -1 (an
     * extra output row / column at the end; checked against the ONNX
     * conformance case convtranspose_output_shape) */
    conv_params p = {2, 1, {3, 3}, {3, 2}, {1, 1}, {0, 0}, {-1, -1}, {0}};
    conv_transpose_case(DIMS(1, 1, 3, 3), DIMS(1, 2, 3, 3), &p, 1, DIMS(10, 8));
    /* SAME_UPPER: out = in * s = 6, total = 2*2+3-6 = 1 -> begin 0, end 1 */
    conv_params up = {2, 1, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {1, 1}, {0}};
    conv_transpose_case(DIMS(1, 1, 3, 3), DIMS(1, 2, 3, 3), &up, 2, DIMS(6, 6));
    conv_params lo = {2, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {0, 0}, {0}};
    conv_transpose_case(DIMS(1, 1, 3, 3), DIMS(1, 2, 3, 3), &lo, 3, DIMS(6, 6));
}

/* ---- gemm / matmul --------------------------------------------------------- */

/* y[i][j] = sum_p a[i*ras + p*cas] * b[p*rbs + j*cbs] */
static double *naive_matmul(const qgc_tensor *a, int64_t aoff, int64_t ras, int64_t cas,
                            const qgc_tensor *b, int64_t boff, int64_t rbs, int64_t cbs,
                            int64_t m, int64_t n, int64_t k) {
    double *y = calloc((size_t)(m * n + 1), sizeof *y);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            for (int64_t p = 0; p < k; p++)
                y[i * n + j] += at(a, aoff + i * ras + p * cas) * at(b, boff + p * rbs + j * cbs);
    return y;
}

static void gemm_case(int64_t m, int64_t n, int64_t k, bool ta, bool tb, float alpha,
                      float beta, int crank, const int64_t *cdims) {
    fx *f;
    setup((void **)&f);
    f->in[0] = random_tensor(QGC_F32, 2, ta ? DIMS(k, m) : DIMS(m, k));
    f->in[1] = random_tensor(QGC_F32, 2, tb ? DIMS(n, k) : DIMS(k, n));
    if (crank >= 0) f->in[2] = random_tensor(QGC_F32, crank, cdims);
    make_node(f, QGC_OP_GEMM, crank >= 0 ? 3 : 2, 1);
    assert_int_equal(qgc_node_set_int(f->g, f->n, "transA", ta), QGC_OK);
    assert_int_equal(qgc_node_set_int(f->g, f->n, "transB", tb), QGC_OK);
    assert_int_equal(qgc_node_set_float(f->g, f->n, "alpha", alpha), QGC_OK);
    assert_int_equal(qgc_node_set_float(f->g, f->n, "beta", beta), QGC_OK);
    run_ok(f);
    check_dims(f->out[0], 2, DIMS(m, n));
    double *want = naive_matmul(f->in[0], 0, ta ? 1 : k, ta ? m : 1, f->in[1], 0, tb ? 1 : n,
                                tb ? k : 1, m, n, k);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double c = 0;
            if (crank >= 0) {
                int64_t cm = crank == 2 ? cdims[0] : 1, cn = crank >= 1 ? cdims[crank - 1] : 1;
                c = at(f->in[2], (cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j));
            }
            want[i * n + j] = alpha * want[i * n + j] + beta * c;
        }
    check_close(f->out[0], want, 1e-4);
    free(want);
    teardown((void **)&f);
}

static void test_gemm(void **state) {
    (void)state;
    gemm_case(3, 5, 4, false, false, 1, 1, -1, NULL);
    gemm_case(7, 9, 6, true, true, 0.25f, 0.35f, 2, DIMS(1, 9));
    gemm_case(130, 200, 300, false, true, 1, 1, 1, DIMS(200)); /* several blocks of M and K */
    gemm_case(13, 3100, 17, true, false, 0.5f, 2, 2, DIMS(13, 1)); /* N beyond one panel */
    gemm_case(4, 3, 2, false, false, 1, 0.5f, 0, DIMS(1));        /* scalar C */
    gemm_case(5, 6, 7, false, false, 1, 1, 2, DIMS(5, 6));
}

static void matmul_case(int ra, const int64_t *ad, int rb, const int64_t *bd, int ro,
                        const int64_t *od, qgc_dtype dt) {
    fx *f;
    setup((void **)&f);
    f->in[0] = random_tensor(dt, ra, ad);
    f->in[1] = random_tensor(dt, rb, bd);
    if (qgc_dtype_is_int(dt)) /* small integers */
        for (int i = 0; i < 2; i++)
            for (int64_t j = 0; j < qgc_tensor_numel(f->in[i]); j++)
                qgc_store_i64(dt, f->in[i]->data, j, (int64_t)(rnd() * 50));
    make_node(f, QGC_OP_MATMUL, 2, 1);
    run_ok(f);
    check_dims(f->out[0], ro, od);
    int64_t m = ra >= 2 ? ad[ra - 2] : 1, k = ad[ra - 1], n = rb >= 2 ? bd[rb - 1] : 1;
    int64_t total = qgc_tensor_numel(f->out[0]), batches = total / (m * n);
    double *want = malloc(sizeof *want * (size_t)total);
    /* batch index -> operand offsets with numpy broadcasting */
    int obr = ro - (ra >= 2) - (rb >= 2), abr = ra >= 2 ? ra - 2 : 0, bbr = rb >= 2 ? rb - 2 : 0;
    for (int64_t bi = 0; bi < batches; bi++) {
        int64_t rem = bi, aoff = 0, boff = 0, as = m * k, bs = k * n;
        for (int e = obr - 1; e >= 0; e--) {
            int64_t idx = rem % od[e];
            rem /= od[e];
            int ea = e - (obr - abr), eb = e - (obr - bbr);
            if (ea >= 0) {
                aoff += (ad[ea] == 1 ? 0 : idx) * as;
                as *= ad[ea];
            }
            if (eb >= 0) {
                boff += (bd[eb] == 1 ? 0 : idx) * bs;
                bs *= bd[eb];
            }
        }
        double *y = naive_matmul(f->in[0], aoff, k, 1, f->in[1], boff, rb >= 2 ? n : 1, 1, m, n, k);
        memcpy(want + bi * m * n, y, sizeof *y * (size_t)(m * n));
        free(y);
    }
    check_close(f->out[0], want, qgc_dtype_is_int(dt) ? 0 : 1e-4);
    free(want);
    teardown((void **)&f);
}

static void test_matmul(void **state) {
    (void)state;
    matmul_case(2, DIMS(3, 4), 2, DIMS(4, 3), 2, DIMS(3, 3), QGC_F32);
    matmul_case(4, DIMS(2, 1, 3, 4), 3, DIMS(3, 4, 5), 4, DIMS(2, 3, 3, 5), QGC_F32);
    matmul_case(3, DIMS(2, 7, 9), 2, DIMS(9, 20), 3, DIMS(2, 7, 20), QGC_F32); /* shared B */
    matmul_case(1, DIMS(4), 3, DIMS(2, 4, 5), 2, DIMS(2, 5), QGC_F32);        /* 1-D A */
    matmul_case(3, DIMS(2, 3, 4), 1, DIMS(4), 2, DIMS(2, 3), QGC_F32);        /* 1-D B */
    matmul_case(1, DIMS(6), 1, DIMS(6), 0, DIMS(0), QGC_F32);                 /* dot */
    matmul_case(3, DIMS(2, 3, 4), 3, DIMS(2, 4, 2), 3, DIMS(2, 3, 2), QGC_I32);
    matmul_case(2, DIMS(3, 4), 2, DIMS(4, 2), 2, DIMS(3, 2), QGC_F64);
}

static void test_matmul_shapes(void **state) {
    fx *f = *state;
    qgc_type a = {.dtype = QGC_F32, .rank = 3, .dims = {-1, 5, 64}};
    qgc_type b = {.dtype = QGC_F32, .rank = 2, .dims = {64, -1}};
    qgc_tensor ta = {.type = a}, tb = {.type = b};
    const qgc_tensor *in[2] = {&ta, &tb};
    qgc_value *vals[2] = {qgc_value_new(f->g, NULL, &a), qgc_value_new(f->g, NULL, &b)};
    f->n = qgc_node_new(f->g, QGC_OP_MATMUL, "N", 2, vals, 1);
    qgc_type out;
    assert_int_equal(qgc_ops[QGC_OP_MATMUL].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, 3);
    assert_int_equal(out.dims[0], -1);
    assert_int_equal(out.dims[1], 5);
    assert_int_equal(out.dims[2], -1);
    tb.type.rank = -1;
    assert_int_equal(qgc_ops[QGC_OP_MATMUL].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_int_equal(out.rank, -1);
    tb.type = b;
    tb.type.dims[0] = 63;
    assert_int_not_equal(qgc_ops[QGC_OP_MATMUL].infer(f->n, in, &out, &f->d), QGC_OK);
    assert_non_null(strstr(f->d.msg, "node 'N'"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_conv_spec_examples, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conv_spec_padding, setup, teardown),
        cmocka_unit_test(test_conv_random_2d),
        cmocka_unit_test(test_conv_depthwise),
        cmocka_unit_test(test_conv_1d_3d),
        cmocka_unit_test(test_conv_auto_pad),
        cmocka_unit_test(test_conv_other_dtypes),
        cmocka_unit_test_setup_teardown(test_conv_shapes_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conv_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conv_transpose_spec_example, setup, teardown),
        cmocka_unit_test(test_conv_transpose_random),
        cmocka_unit_test(test_conv_transpose_output_shape),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test_setup_teardown(test_matmul_shapes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
