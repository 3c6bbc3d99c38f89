/* ONNX frontend: fixtures from tools/gen_frontend_fixtures.py (expected values
 * below are the ones that script wrote through onnx's helpers), plus every
 * model and tensor file of the conformance data. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "qgc_frontend.h"

#define FIXTURES QGC_SOURCE_DIR "/tests/data/frontend/"

static const char *fx(const char *name) {
    static char buf[1024];
    snprintf(buf, sizeof buf, FIXTURES "%s", name);
    return buf;
}

static qgc_graph *load_ok_opt(const char *name, const qgc_load_options *opt) {
    qgc_graph *g = NULL;
    qgc_diag d = {{0}};
    qgc_status st = qgc_onnx_load(fx(name), opt, &g, &d);
    if (st) fail_msg("%s: %s: %s", name, qgc_status_name(st), d.msg);
    return g;
}

static qgc_graph *load_ok(const char *name) { return load_ok_opt(name, NULL); }

static void expect_msg(qgc_status got, qgc_status want, const qgc_diag *d, const char *sub) {
    if (got != want || !strstr(d->msg, sub))
        fail_msg("got %s '%s', want %s containing '%s'", qgc_status_name(got), d->msg,
                 qgc_status_name(want), sub);
}

static void load_err_opt(const char *name, const qgc_load_options *opt, qgc_status want,
                         const char *sub) {
    qgc_graph *g = NULL;
    qgc_diag d = {{0}};
    qgc_status st = qgc_onnx_load(fx(name), opt, &g, &d);
    assert_null(g);
    expect_msg(st, want, &d, sub);
}

static void load_err(const char *name, qgc_status want, const char *sub) {
    load_err_opt(name, NULL, want, sub);
}

static qgc_value *find_value(const qgc_graph *g, const char *name) {
    for (uint32_t i = 0; i < g->n_values; i++)
        if (g->values[i]->name && strcmp(g->values[i]->name, name) == 0) return g->values[i];
    fail_msg("no value '%s'", name);
    return NULL;
}

static qgc_node *find_node(const qgc_graph *g, const char *name, qgc_op op) {
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i]->name, name) == 0 && g->nodes[i]->op == op) return g->nodes[i];
    fail_msg("no node '%s' of op %s", name, qgc_ops[op].name);
    return NULL;
}

/* The constant's type is [dims...] of dt and its bytes are `bytes`. */
static void expect_const(const qgc_value *v, qgc_dtype dt, int rank, const int64_t *dims,
                         const void *bytes, size_t nbytes) {
    assert_non_null(v);
    assert_non_null(v->data);
    assert_int_equal(v->data->type.dtype, dt);
    assert_int_equal(v->data->type.rank, rank);
    for (int i = 0; i < rank; i++) assert_int_equal(v->data->type.dims[i], dims[i]);
    assert_int_equal(v->data->nbytes, nbytes);
    assert_memory_equal(v->data->data, bytes, nbytes);
}

static void expect_i64s(const qgc_value *v, const int64_t *vals, int n) {
    int64_t dims[1] = {n};
    expect_const(v, QGC_I64, 1, dims, vals, sizeof(int64_t) * (size_t)n);
}

/* ---- initializers of every dtype ---------------------------------------- */

static void test_dtypes(void **state) {
    (void)state;
    static const float f32[] = {1.5f, -2.25f, 0.0f, 96.0f};
    static const double f64[] = {1.5, -2.25, 0.0, 96.0};
    static const uint16_t f16[] = {0x3E00, 0xC080, 0, 0x5600};
    static const uint16_t bf16[] = {0x3FC0, 0xC010, 0, 0x42C0};
    static const int8_t i8[] = {-128, 127, 0, -1};
    static const uint8_t u8[] = {0, 255, 7, 1};
    static const int16_t i16[] = {-32768, 32767, 0, -2};
    static const uint16_t u16[] = {0, 65535, 3, 9};
    static const int32_t i32[] = {INT32_MIN, INT32_MAX, 0, -5};
    static const uint32_t u32[] = {0, UINT32_MAX, 6, 1};
    static const int64_t i64[] = {INT64_MIN, INT64_MAX, 0, -7};
    static const uint64_t u64[] = {0, UINT64_MAX, 8, 1};
    static const uint8_t b[] = {1, 0, 1, 1};
    static const uint8_t i4[] = {0x78, 0xF0, 0x05}; /* -8,7 | 0,-1 | 5: low nibble first */
    static const uint8_t u4[] = {0xF0, 0x93, 0x01};
    static const int64_t d22[] = {2, 2}, d4[] = {4}, d5[] = {5};
    static const struct {
        const char *name;
        qgc_dtype dt;
        const int64_t *dims;
        int rank;
        const void *bytes;
        size_t n;
    } cases[] = {
        {"f32", QGC_F32, d22, 2, f32, sizeof f32},   {"f64", QGC_F64, d22, 2, f64, sizeof f64},
        {"f16", QGC_F16, d22, 2, f16, sizeof f16},   {"bf16", QGC_BF16, d22, 2, bf16, sizeof bf16},
        {"i8", QGC_I8, d4, 1, i8, sizeof i8},        {"u8", QGC_U8, d4, 1, u8, sizeof u8},
        {"i16", QGC_I16, d4, 1, i16, sizeof i16},    {"u16", QGC_U16, d4, 1, u16, sizeof u16},
        {"i32", QGC_I32, d4, 1, i32, sizeof i32},    {"u32", QGC_U32, d4, 1, u32, sizeof u32},
        {"i64", QGC_I64, d4, 1, i64, sizeof i64},    {"u64", QGC_U64, d4, 1, u64, sizeof u64},
        {"bool", QGC_BOOL, d4, 1, b, sizeof b},      {"i4", QGC_I4, d5, 1, i4, sizeof i4},
        {"u4", QGC_U4, d5, 1, u4, sizeof u4},
    };
    qgc_graph *g = load_ok("dtypes.onnx");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "raw_%s", cases[i].name);
        expect_const(find_value(g, name), cases[i].dt, cases[i].rank, cases[i].dims,
                     cases[i].bytes, cases[i].n);
        snprintf(name, sizeof name, "typed_%s", cases[i].name);
        expect_const(find_value(g, name), cases[i].dt, cases[i].rank, cases[i].dims,
                     cases[i].bytes, cases[i].n);
    }
    /* raw_f32 is also listed as a graph input: it is a constant, not an input */
    assert_int_equal(g->n_inputs, 1);
    assert_string_equal(g->inputs[0]->name, "x");
    assert_int_equal(g->opset, 17);
    qgc_graph_free(g);
}

static void test_tensor_limit(void **state) {
    (void)state;
    qgc_load_options opt = {.max_tensor_bytes = 16};
    load_err_opt("dtypes.onnx", &opt, QGC_ERR_NOMEM, "max_tensor_bytes");
}

static void test_bad_initializers(void **state) {
    (void)state;
    load_err("bad_size.onnx", QGC_ERR_INVALID, "'short_w': raw_data has 8 bytes");
    load_err("string_init.onnx", QGC_ERR_UNSUPPORTED, "'names': string tensors");
}

/* ---- external data --------------------------------------------------------- */

static void test_external_ok(void **state) {
    (void)state;
    static const float w[] = {0.5f, -1.0f, 2.0f, 8.0f};
    static const int64_t dims[] = {4};
    qgc_graph *g = load_ok("ext_ok.onnx");
    expect_const(find_value(g, "w"), QGC_F32, 1, dims, w, sizeof w);
    qgc_graph_free(g);
}

static void test_external_refused(void **state) {
    (void)state;
    load_err("ext_dotdot.onnx", QGC_ERR_INVALID, "'w': external data location 'ext/../../weights.bin' is outside");
    load_err("ext_abs.onnx", QGC_ERR_INVALID, "'w': external data location '/abs/weights.bin' is outside");
    load_err("ext_short.onnx", QGC_ERR_INVALID, "'w': external data file 'ext/weights.bin' has 32 bytes, shorter");
}

static void write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* ext_ok.onnx's location "ext/weights.bin" made a symlink, once to a file
 * inside the model folder (accepted) and once to one outside (refused). */
static void test_external_symlink(void **state) {
    (void)state;
    char root[] = "/tmp/qgc_fe_XXXXXX", path[128], model[64], real[128];
    assert_non_null(mkdtemp(root));
    float data[8] = {0, 0, 0, 0, 3.0f, 4.0f, 5.0f, 6.0f}; /* the tensor is at offset 16 */
    snprintf(model, sizeof model, "%s/model", root);
    assert_int_equal(mkdir(model, 0700), 0);
    snprintf(path, sizeof path, "%s/ext", model);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(real, sizeof real, "%s/outside.bin", root);
    write_file(real, data, sizeof data);
    snprintf(real, sizeof real, "%s/inside.bin", model);
    write_file(real, data, sizeof data);

    void *buf;
    size_t len;
    qgc_diag d = {{0}};
    assert_int_equal(qgc_read_file(fx("ext_ok.onnx"), 1 << 20, &buf, &len, &d), QGC_OK);
    snprintf(path, sizeof path, "%s/ext/weights.bin", model);
    qgc_graph *g = NULL;

    assert_int_equal(symlink("../inside.bin", path), 0);
    qgc_status st = qgc_onnx_load_buffer(buf, len, model, NULL, &g, &d);
    if (st) fail_msg("%s", d.msg);
    static const int64_t dims[] = {4};
    expect_const(find_value(g, "w"), QGC_F32, 1, dims, data + 4, 4 * sizeof(float));
    qgc_graph_free(g);
    g = NULL;

    assert_int_equal(unlink(path), 0);
    assert_int_equal(symlink("../../outside.bin", path), 0);
    st = qgc_onnx_load_buffer(buf, len, model, NULL, &g, &d);
    assert_null(g);
    expect_msg(st, QGC_ERR_INVALID, &d, "'w': external data location 'ext/weights.bin' resolves outside");

    /* without a folder, external data is refused */
    st = qgc_onnx_load_buffer(buf, len, NULL, NULL, &g, &d);
    expect_msg(st, QGC_ERR_INVALID, &d, "not allowed");
    free(buf);

    unlink(path);
    snprintf(path, sizeof path, "%s/ext", model);
    rmdir(path);
    unlink(real);
    rmdir(model);
    snprintf(path, sizeof path, "%s/outside.bin", root);
    unlink(path);
    rmdir(root);
}

/* ---- malformed graphs -------------------------------------------------------- */

static void test_graph_errors(void **state) {
    (void)state;
    load_err("unknown_op.onnx", QGC_ERR_UNSUPPORTED, "unsupported op FooBar (node foo_node)");
    load_err("custom_domain.onnx", QGC_ERR_UNSUPPORTED, "unsupported op com.example.Foo (node n1)");
    load_err("undefined_input.onnx", QGC_ERR_INVALID, "node add0: input 'ghost' is not defined");
    load_err("use_before_def.onnx", QGC_ERR_INVALID, "node second: input 't' is used before");
    load_err("redefined.onnx", QGC_ERR_INVALID, "node again: output 'x' is already defined");
    load_err("opset_too_new.onnx", QGC_ERR_UNSUPPORTED, "opset 18");
}

static void test_garbage(void **state) {
    (void)state;
    void *buf;
    size_t len;
    qgc_diag d = {{0}};
    qgc_graph *g = NULL;
    assert_int_equal(qgc_read_file(fx("dtypes.onnx"), 1 << 20, &buf, &len, &d), QGC_OK);
    /* cut inside the graph message: its declared length runs past the end */
    expect_msg(qgc_onnx_load_buffer(buf, len / 2, NULL, NULL, &g, &d), QGC_ERR_PARSE, &d,
               "not an ONNX model (protobuf does not parse)");
    assert_null(g);
    memset(buf, 0xff, len);
    expect_msg(qgc_onnx_load_buffer(buf, len, NULL, NULL, &g, &d), QGC_ERR_PARSE, &d,
               "protobuf does not parse");
    memcpy(buf, "\x08\x07\x3a\x7f", 4); /* graph field claiming 127 bytes */
    expect_msg(qgc_onnx_load_buffer(buf, 4, NULL, NULL, &g, &d), QGC_ERR_PARSE, &d,
               "protobuf does not parse");
    /* an empty buffer is a valid, empty ModelProto: no graph */
    expect_msg(qgc_onnx_load_buffer(buf, 0, NULL, NULL, &g, &d), QGC_ERR_INVALID, &d,
               "no graph");
    free(buf);
    load_err("no_such_file.onnx", QGC_ERR_IO, "no_such_file.onnx");
}

/* Byte-flipped fixtures: any status is fine, a crash or a leak is not (the
 * suite runs under ASan+UBSan). */
static void test_mutations(void **state) {
    (void)state;
    static const char *const models[] = {"dtypes.onnx", "legacy_v6.onnx", "constants.onnx",
                                         "symbolic.onnx", "ext_ok.onnx"};
    uint64_t rng = 0x9E3779B97F4A7C15u;
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        void *orig;
        size_t len;
        qgc_diag d = {{0}};
        assert_int_equal(qgc_read_file(fx(models[m]), 1 << 20, &orig, &len, &d), QGC_OK);
        unsigned char *buf = malloc(len);
        assert_non_null(buf);
        for (int iter = 0; iter < 400; iter++) {
            memcpy(buf, orig, len);
            for (int k = 0; k < 1 + iter % 4; k++) {
                rng = rng * 6364136223846793005u + 1442695040888963407u;
                buf[(rng >> 33) % len] ^= (unsigned char)(1u << ((rng >> 20) & 7));
            }
            qgc_graph *g = NULL;
            qgc_status st = qgc_onnx_load_buffer(buf, len, FIXTURES, NULL, &g, &d);
            assert_true(st == QGC_OK || g == NULL);
            qgc_graph_free(g);
        }
        free(buf);
        free(orig);
    }
}

/* ---- symbolic dims and --shape ------------------------------------------- */

static void expect_dims(const qgc_value *v, const int64_t *dims, const char *const *syms) {
    assert_int_equal(v->type.rank, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(v->type.dims[i], dims[i]);
        if (syms[i])
            assert_string_equal(v->type.sym[i], syms[i]);
        else
            assert_null(v->type.sym[i]);
    }
}

static void test_symbolic(void **state) {
    (void)state;
    static const char *const none[5] = {0};
    qgc_graph *g = load_ok("symbolic.onnx");
    expect_dims(g->inputs[0], (int64_t[]){-1, 3, -1, -1, 4},
                (const char *const[]){"N", NULL, "H", NULL, NULL});
    assert_int_equal(g->inputs[0]->type.dtype, QGC_F32);
    qgc_graph_free(g);

    const char *sym[] = {"N=2", "H=5"};
    qgc_load_options opt = {.n_shapes = 2, .shapes = sym};
    g = load_ok_opt("symbolic.onnx", &opt);
    expect_dims(g->inputs[0], (int64_t[]){2, 3, 5, -1, 4}, none);
    expect_dims(g->outputs[0], (int64_t[]){2, 3, 5, -1, 4}, none);
    qgc_graph_free(g);

    const char *whole[] = {"x=2x3x5x7x4"};
    opt = (qgc_load_options){.n_shapes = 1, .shapes = whole};
    g = load_ok_opt("symbolic.onnx", &opt);
    expect_dims(g->inputs[0], (int64_t[]){2, 3, 5, 7, 4}, none);
    qgc_graph_free(g);

    const char *nomatch[] = {"Q=3"};
    opt = (qgc_load_options){.n_shapes = 1, .shapes = nomatch};
    load_err_opt("symbolic.onnx", &opt, QGC_ERR_INVALID, "Q");
    const char *rank[] = {"x=2x3"};
    opt = (qgc_load_options){.n_shapes = 1, .shapes = rank};
    load_err_opt("symbolic.onnx", &opt, QGC_ERR_INVALID, "rank 5, not 2");
    const char *bad[] = {"N=two"};
    opt = (qgc_load_options){.n_shapes = 1, .shapes = bad};
    load_err_opt("symbolic.onnx", &opt, QGC_ERR_INVALID, "N=two");
}

/* ---- constants and old opsets ---------------------------------------------- */

static void test_constants(void **state) {
    (void)state;
    qgc_graph *g = load_ok("constants.onnx");
    static const int32_t ct[] = {1, 2, 3};
    expect_const(find_value(g, "c_t"), QGC_I32, 2, (int64_t[]){1, 3}, ct, sizeof ct);
    static const float cf = 2.5f;
    expect_const(find_value(g, "c_f"), QGC_F32, 0, NULL, &cf, sizeof cf);
    expect_i64s(find_value(g, "c_is"), (int64_t[]){4, 5}, 2);
    qgc_node *n = find_node(g, "cos", QGC_OP_CONSTANT_OF_SHAPE);
    const qgc_attr *a = qgc_attr_get(n, "value");
    assert_non_null(a);
    assert_int_equal(a->kind, QGC_ATTR_TENSOR);
    static const int64_t seven = 7;
    assert_int_equal(a->t->type.dtype, QGC_I64);
    assert_memory_equal(a->t->data, &seven, sizeof seven);
    assert_int_equal(find_value(g, "filled")->type.dtype, QGC_I64);
    assert_ptr_equal(find_node(g, "add", QGC_OP_ADD)->in[1], find_value(g, "c_f"));
    qgc_graph_free(g);
}

static void expect_f32_scalar(const qgc_value *v, float f) {
    expect_const(v, QGC_F32, 0, NULL, &f, sizeof f);
}

static void test_legacy_opsets(void **state) {
    (void)state;
    qgc_graph *g = load_ok("legacy_v6.onnx");
    assert_int_equal(g->opset, 6);
    qgc_node *n = find_node(g, "slice", QGC_OP_SLICE);
    assert_int_equal(n->n_in, 4);
    expect_i64s(n->in[1], (int64_t[]){0, 1}, 2);
    expect_i64s(n->in[2], (int64_t[]){1, 3}, 2);
    expect_i64s(n->in[3], (int64_t[]){0, 2}, 2);
    assert_null(qgc_attr_get(n, "starts"));

    n = find_node(g, "clip", QGC_OP_CLIP);
    assert_int_equal(n->n_in, 3);
    expect_f32_scalar(n->in[1], -1.0f);
    expect_f32_scalar(n->in[2], 6.0f);
    assert_null(qgc_attr_get(n, "min"));

    n = find_node(g, "squeeze", QGC_OP_SQUEEZE);
    expect_i64s(n->in[1], (int64_t[]){0}, 1);
    assert_null(qgc_attr_get(n, "axes"));
    expect_i64s(find_node(g, "unsqueeze", QGC_OP_UNSQUEEZE)->in[1], (int64_t[]){0, 4}, 2);

    n = find_node(g, "pad", QGC_OP_PAD);
    expect_i64s(n->in[1], (int64_t[]){0, 0, 1, 0, 0, 2}, 6);
    expect_f32_scalar(n->in[2], 1.5f);

    n = find_node(g, "split", QGC_OP_SPLIT);
    expect_i64s(n->in[1], (int64_t[]){1, 3}, 2);
    assert_int_equal(qgc_attr_int(n, "axis", -99), 2);
    assert_int_equal(n->n_out, 2);
    expect_i64s(find_node(g, "topk", QGC_OP_TOPK)->in[1], (int64_t[]){2}, 1);
    n = find_node(g, "rsum", QGC_OP_REDUCE_SUM);
    expect_i64s(n->in[1], (int64_t[]){1}, 1);
    assert_int_equal(qgc_attr_int(n, "keepdims", -99), 0);
    n = find_node(g, "dropout", QGC_OP_DROPOUT);
    expect_f32_scalar(n->in[1], 0.25f);
    assert_null(qgc_attr_get(n, "is_test"));

    /* Softmax-1 at axis 1 of a rank-3 input: flatten(1) -> softmax(1) -> reshape */
    n = find_node(g, "softmax", QGC_OP_SOFTMAX);
    assert_int_equal(qgc_attr_int(n, "axis", -99), 1);
    assert_non_null(n->in[0]->producer);
    assert_int_equal(n->in[0]->producer->op, QGC_OP_FLATTEN);
    assert_int_equal(qgc_attr_int(n->in[0]->producer, "axis", -99), 1);
    qgc_value *sm = find_value(g, "sm");
    assert_int_equal(sm->producer->op, QGC_OP_RESHAPE);
    assert_ptr_equal(sm->producer->in[0], n->out[0]);
    assert_int_equal(sm->producer->in[1]->producer->op, QGC_OP_SHAPE);
    assert_ptr_equal(sm->producer->in[1]->producer->in[0], find_value(g, "x"));

    /* Add-6 broadcast=1 axis=1: b [3] against x [2,3,4] becomes b [3,1] */
    n = find_node(g, "add_axis", QGC_OP_ADD);
    assert_null(qgc_attr_get(n, "broadcast"));
    assert_null(qgc_attr_get(n, "axis"));
    assert_int_equal(n->in[1]->producer->op, QGC_OP_UNSQUEEZE);
    assert_ptr_equal(n->in[1]->producer->in[0], find_value(g, "b"));
    expect_i64s(n->in[1]->producer->in[1], (int64_t[]){1}, 1);
    qgc_graph_free(g);

    g = load_ok("upsample_v7.onnx");
    n = find_node(g, "upsample", QGC_OP_RESIZE);
    assert_int_equal(n->n_in, 3);
    assert_null(n->in[1]);
    static const float scales[] = {1.0f, 2.0f, 3.0f};
    expect_const(n->in[2], QGC_F32, 1, (int64_t[]){3}, scales, sizeof scales);
    assert_string_equal(qgc_attr_string(n, "mode", ""), "nearest");
    assert_string_equal(qgc_attr_string(n, "coordinate_transformation_mode", ""), "asymmetric");
    assert_string_equal(qgc_attr_string(n, "nearest_mode", ""), "floor");
    assert_null(qgc_attr_get(n, "scales"));
    qgc_graph_free(g);
}

/* ---- TensorProto files ---------------------------------------------------- */

static void test_tensor_pb(void **state) {
    (void)state;
    qgc_tensor *t;
    char *name;
    qgc_diag d = {{0}};
    qgc_status st = qgc_tensor_read_pb(fx("tensor_f32.pb"), &t, &name, &d);
    if (st) fail_msg("%s", d.msg);
    static const float want[] = {1.0f, -2.0f, 3.5f};
    assert_int_equal(t->type.dtype, QGC_F32);
    assert_int_equal(t->type.rank, 2);
    assert_int_equal(t->type.dims[0], 1);
    assert_int_equal(t->type.dims[1], 3);
    assert_memory_equal(t->data, want, sizeof want);
    assert_string_equal(name, "t");
    free(name);
    qgc_tensor_free(t);
    static const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff};
    expect_msg(qgc_tensor_parse_pb(junk, sizeof junk, &t, NULL, &d), QGC_ERR_PARSE, &d,
               "does not parse");
    assert_null(t);
}

/* ---- conformance data ------------------------------------------------------ */

typedef struct {
    int models, loaded, pbs;
} conf_count;

static bool starts_with(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

static bool ends_with(const char *s, const char *p) {
    size_t n = strlen(s), m = strlen(p);
    return n >= m && strcmp(s + n - m, p) == 0;
}

/* Every tensor file of a case parses; for a model that loaded, every one of
 * them must (it then has only tensor inputs and outputs), and a data set has
 * one input file per graph input. */
static void check_case_data(const char *dir, const qgc_graph *g, conf_count *cnt) {
    DIR *cd = opendir(dir);
    assert_non_null(cd);
    struct dirent *e;
    while ((e = readdir(cd))) {
        if (!starts_with(e->d_name, "test_data_set_")) continue;
        char sub[1700];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        DIR *sd = opendir(sub);
        assert_non_null(sd);
        struct dirent *f;
        uint32_t n_inputs = 0;
        while ((f = readdir(sd))) {
            if (!ends_with(f->d_name, ".pb")) continue;
            char path[2000];
            snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
            qgc_tensor *t = NULL;
            qgc_diag d = {{0}};
            qgc_status st = qgc_tensor_read_pb(path, &t, NULL, &d);
            cnt->pbs++;
            n_inputs += starts_with(f->d_name, "input_");
            if (st == QGC_OK) {
                qgc_tensor_free(t);
                continue;
            }
            if (g || st != QGC_ERR_UNSUPPORTED ||
                (!strstr(d.msg, "string") && !strstr(d.msg, "sequence")))
                fail_msg("%s: %s: %s", path, qgc_status_name(st), d.msg);
        }
        closedir(sd);
        if (g && n_inputs != g->n_inputs)
            fail_msg("%s: %u input files, %u graph inputs", sub, n_inputs, g->n_inputs);
    }
    closedir(cd);
}

static void check_suite(const char *suite, conf_count *cnt) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", QGC_CONFORMANCE_DIR, suite);
    DIR *sd = opendir(dir);
    if (!sd) return;
    struct dirent *e;
    while ((e = readdir(sd))) {
        if (e->d_name[0] == '.') continue;
        char cdir[1400], model[1500];
        snprintf(cdir, sizeof cdir, "%s/%s", dir, e->d_name);
        snprintf(model, sizeof model, "%s/model.onnx", cdir);
        if (access(model, R_OK) != 0) continue;
        qgc_graph *g = NULL;
        qgc_diag d = {{0}};
        qgc_status st = qgc_onnx_load(model, NULL, &g, &d);
        cnt->models++;
        if (st != QGC_OK && st != QGC_ERR_UNSUPPORTED)
            fail_msg("%s: %s: %s", model, qgc_status_name(st), d.msg);
        cnt->loaded += st == QGC_OK;
        check_case_data(cdir, g, cnt);
        qgc_graph_free(g);
    }
    closedir(sd);
}

static void test_conformance_models(void **state) {
    (void)state;
    DIR *root = opendir(QGC_CONFORMANCE_DIR);
    if (!root) skip();
    conf_count cnt = {0};
    struct dirent *e;
    while ((e = readdir(root)))
        if (strcmp(e->d_name, "onnx-node") == 0 || strcmp(e->d_name, "onnx-light") == 0 ||
            strcmp(e->d_name, "onnx-simple") == 0 || starts_with(e->d_name, "onnx-pytorch-"))
            check_suite(e->d_name, &cnt);
    closedir(root);
    print_message("conformance: %d models, %d loaded, %d tensor files\n", cnt.models,
                  cnt.loaded, cnt.pbs);
    assert_true(cnt.models > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_tensor_limit),
        cmocka_unit_test(test_bad_initializers),
        cmocka_unit_test(test_external_ok),
        cmocka_unit_test(test_external_refused),
        cmocka_unit_test(test_external_symlink),
        cmocka_unit_test(test_graph_errors),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_symbolic),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_legacy_opsets),
        cmocka_unit_test(test_tensor_pb),
        cmocka_unit_test(test_conformance_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
