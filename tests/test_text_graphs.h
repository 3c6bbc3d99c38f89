/* Hand-built graphs shared by test_text.c and test_verify.c: small helpers
 * and one graph that uses every construct of the IR. */
#ifndef QGC_TEST_TEXT_GRAPHS_H
#define QGC_TEST_TEXT_GRAPHS_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qgc_text.h"

static inline qgc_type tg_type(qgc_dtype dt, int rank, const int64_t *dims) {
    qgc_type t = {.dtype = dt, .rank = rank};
    memcpy(t.dims, dims, sizeof(int64_t) * (size_t)rank);
    return t;
}
#define TY(dt, ...)                                                                   \
    tg_type(dt, (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), \
            (const int64_t[]){__VA_ARGS__})

static inline qgc_value *tg_value(qgc_graph *g, const char *name, qgc_type t) {
    qgc_value *v = qgc_value_new(g, name, &t);
    assert_non_null(v);
    return v;
}

/* A constant of type t whose bytes are copied from data. */
static inline qgc_value *tg_const(qgc_graph *g, const char *name, qgc_type t, const void *data) {
    qgc_tensor *x;
    assert_int_equal(qgc_tensor_new(&t, &x, NULL), QGC_OK);
    if (data && x->nbytes) memcpy(x->data, data, x->nbytes);
    qgc_value *v = qgc_const_new(g, name, x);
    assert_non_null(v);
    return v;
}

static inline qgc_node *tg_node(qgc_graph *g, qgc_op op, const char *name, int n_in,
                                qgc_value *const *in, int n_out, qgc_type t) {
    qgc_node *n = qgc_node_new(g, op, name, n_in, in, n_out);
    assert_non_null(n);
    for (int j = 0; j < n_out; j++) n->out[j]->type = t;
    return n;
}

static inline qgc_quant *tg_quant(qgc_graph *g, qgc_qscheme scheme, int bits, bool is_signed,
                                  int axis, int group, int n, const float *scales,
                                  const int32_t *zps) {
    qgc_quant *q = qgc_arena_alloc(g->arena, sizeof *q);
    assert_non_null(q);
    *q = (qgc_quant){.scheme = scheme, .bits = bits, .is_signed = is_signed, .axis = axis,
                     .group = group, .n_scales = n};
    q->scales = qgc_arena_alloc(g->arena, sizeof(float) * (size_t)n);
    memcpy(q->scales, scales, sizeof(float) * (size_t)n);
    if (zps) {
        q->zero_points = qgc_arena_alloc(g->arena, sizeof(int32_t) * (size_t)n);
        memcpy(q->zero_points, zps, sizeof(int32_t) * (size_t)n);
    }
    return q;
}

/* Constants of every dtype, inline and summarised; named, anonymous and
 * oddly named values; unknown and symbolic dims; absent inputs; multiple
 * outputs; every attribute kind with a nested subgraph; quantization
 * annotations. The graph passes the verifier. */
static inline qgc_graph *tg_everything(void) {
    qgc_graph *g = qgc_graph_new("my graph/1");
    assert_non_null(g);
    g->opset = 17;

    qgc_type tx = TY(QGC_F32, -1, 3, -1, -1);
    tx.sym[0] = "batch";
    tx.sym[3] = "seq len";
    qgc_value *x = qgc_value_new(g, "x", &tx);
    qgc_value *i0 = qgc_value_new(g, "0", &(qgc_type){.dtype = QGC_I64, .rank = -1});
    qgc_value *anon_in = qgc_value_new(g, NULL, NULL);
    qgc_tensor *dt;
    qgc_type t2 = TY(QGC_F32, 2);
    assert_int_equal(qgc_tensor_new(&t2, &dt, NULL), QGC_OK);
    ((float *)dt->data)[0] = 1.5f;
    qgc_value *dflt = qgc_value_new(g, "with default", &t2);
    dflt->data = qgc_graph_own_tensor(g, dt);
    qgc_value *ins[] = {x, i0, anon_in, dflt};
    for (int i = 0; i < 4; i++) assert_int_equal(qgc_graph_add_input(g, ins[i]), QGC_OK);

    const uint32_t f32_bits[] = {0x3dcccccd, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
                                 0x7fc00001, 0xffc00000, 0x00000001, 0x7f7fffff, 0x3f800000,
                                 0x40490fdb, 0x4b800000};
    tg_const(g, "f32s", TY(QGC_F32, 12), f32_bits);
    const uint64_t f64_bits[] = {0x3fb999999999999a, 0x7fe1ccf385ebc8a0, 0x0000000000000001,
                                 0x7ff8000000000000, 0xfff0000000000001, 0x3fd5555555555555};
    tg_const(g, "f64s", TY(QGC_F64, 6), f64_bits);
    const uint16_t f16_bits[] = {0x3c00, 0x7e00, 0x7c01, 0x0001, 0xfbff, 0x8000, 0x3555, 0x7c00};
    tg_const(g, "f16s", TY(QGC_F16, 8), f16_bits);
    const uint16_t bf16_bits[] = {0x3f80, 0x7fc0, 0x7f81, 0x0001, 0xff7f, 0x8000, 0x3eab, 0xff80};
    tg_const(g, "bf16s", TY(QGC_BF16, 2, 4), bf16_bits);
    tg_const(g, "i4s", TY(QGC_I4, 3), (const uint8_t[]){0x78, 0x0f});  /* -8, 7, -1 */
    tg_const(g, "u4s", TY(QGC_U4, 3), (const uint8_t[]){0xf0, 0x03});  /* 0, 15, 3 */
    tg_const(g, "bools", TY(QGC_BOOL, 3), (const uint8_t[]){1, 0, 1});
    tg_const(g, "i8s", TY(QGC_I8, 3), (const int8_t[]){-128, 127, 0});
    tg_const(g, "u8s", TY(QGC_U8, 2), (const uint8_t[]){0, 255});
    tg_const(g, "i16s", TY(QGC_I16, 2), (const int16_t[]){-32768, 32767});
    tg_const(g, "u16s", TY(QGC_U16, 1), (const uint16_t[]){65535});
    tg_const(g, "i32s", TY(QGC_I32, 2), (const int32_t[]){INT32_MIN, INT32_MAX});
    tg_const(g, "u32s", TY(QGC_U32, 1), (const uint32_t[]){UINT32_MAX});
    qgc_value *sizes = tg_const(g, "sizes", TY(QGC_I64, 4), (const int64_t[]){1, 3, 8, 8});
    tg_const(g, "i64s", TY(QGC_I64, 3), (const int64_t[]){INT64_MIN, INT64_MAX, 0});
    tg_const(g, "u64s", TY(QGC_U64, 2), (const uint64_t[]){UINT64_MAX, 0});
    tg_const(g, "scalar", (qgc_type){.dtype = QGC_F32}, (const float[]){2.5f});
    tg_const(g, "empty", TY(QGC_I64, 0), NULL);
    tg_const(g, "none", TY(QGC_I8, 1), (const int8_t[]){5}); /* a keyword as a name */
    qgc_value *one = tg_const(g, "1", TY(QGC_I64, 1), (const int64_t[]){2});

    float w[32];
    for (int i = 0; i < 32; i++) w[i] = (float)i * 0.1f - 1.0f;
    qgc_value *conv_w = tg_const(g, "conv1.w", TY(QGC_F32, 4, 8), w);
    int8_t bytes[40];
    for (int i = 0; i < 40; i++) bytes[i] = (int8_t)(i * 7 - 100);
    tg_const(g, NULL, TY(QGC_I8, 40), bytes);
    uint64_t big[20];
    for (int i = 0; i < 20; i++) big[i] = UINT64_MAX - (uint64_t)i * 1000;
    tg_const(g, "big u64", TY(QGC_U64, 20), big);
    uint16_t halves[20];
    for (int i = 0; i < 20; i++) halves[i] = (uint16_t)(0x3c00 + i);
    tg_const(g, "halves", TY(QGC_F16, 20), halves);

    qgc_value *qw = tg_const(g, "qw", TY(QGC_I8, 4, 2), (const int8_t[]){1, -2, 3, -4, 5, -6, 7, -8});
    qw->quant = tg_quant(g, QGC_QS_CHANNEL, 8, true, 0, 0, 4, (const float[]){0.1f, 0.2f, 0.3f, 0.4f},
                         (const int32_t[]){0, 1, -1, 0});
    qgc_value *q4 = tg_const(g, "q4", TY(QGC_U4, 2, 4), (const uint8_t[]){0x21, 0x43, 0x65, 0x87});
    q4->quant = tg_quant(g, QGC_QS_GROUP, 3, false, 1, 2, 4, (const float[]){1, 2, 3, 4}, NULL);
    q4->quant->format = QGC_QF_LOG2;

    /* shape arithmetic result kept as data on a node output */
    qgc_node *shape = tg_node(g, QGC_OP_SHAPE, "Shape_0", 1, &x, 1, TY(QGC_I64, 4));
    qgc_tensor *sd;
    assert_int_equal(qgc_tensor_new(&shape->out[0]->type, &sd, NULL), QGC_OK);
    ((int64_t *)sd->data)[1] = 3;
    shape->out[0]->data = qgc_graph_own_tensor(g, sd);

    qgc_type tr = TY(QGC_F32, 1, 3, 8, 8);
    qgc_node *resize = tg_node(g, QGC_OP_RESIZE, "Resize_1", 4,
                               (qgc_value *[]){x, NULL, NULL, sizes}, 1, tr);
    qgc_node *split = tg_node(g, QGC_OP_SPLIT, "a/b:c \"q\"\n", 2,
                              (qgc_value *[]){resize->out[0], one}, 3, TY(QGC_F32, 1, 1, 8, 8));
    split->out[0]->name = "a";
    split->out[2]->name = "c:0";
    split->out[1]->type = (qgc_type){.dtype = QGC_UNDEF, .rank = -1};
    qgc_node *cast = tg_node(g, QGC_OP_CAST, "", 1, &split->out[0], 1, TY(QGC_I8, 1, 1, 8, 8));
    assert_int_equal(qgc_node_set_int(g, cast, "to", QGC_I8), QGC_OK);
    cast->out[0]->quant = tg_quant(g, QGC_QS_TENSOR, 8, true, 0, 0, 1, (const float[]){0.05f},
                                   (const int32_t[]){-3});

    /* every attribute kind on one node */
    qgc_node *n = tg_node(g, QGC_OP_IDENTITY, "Attrs", 1, &split->out[1], 1, TY(QGC_F32, 1));
    n->out[0]->name = "y";
    assert_int_equal(qgc_node_set_int(g, n, "i", INT64_MIN), QGC_OK);
    assert_int_equal(qgc_node_set_int(g, n, "j", 7), QGC_OK);
    float fl[] = {3.0f, 0.1f, -0.0f, INFINITY, 1e-45f};
    uint32_t nan_bits = 0x7fa00001;
    memcpy(&fl[4], &nan_bits, 4);
    assert_int_equal(qgc_node_set_float(g, n, "f", 0.1f), QGC_OK);
    assert_int_equal(qgc_node_set_float(g, n, "f3", 3.0f), QGC_OK);
    assert_int_equal(qgc_node_set_float(g, n, "fnan", fl[4]), QGC_OK);
    assert_int_equal(qgc_node_set_string(g, n, "s", "a\"b\\c\n\t\x01\x7f\xc3\xa9 #x"), QGC_OK);
    assert_int_equal(qgc_node_set_string(g, n, "my attr", ""), QGC_OK);
    assert_int_equal(qgc_node_set_ints(g, n, "ints0", NULL, 0), QGC_OK);
    assert_int_equal(qgc_node_set_ints(g, n, "ints", (const int64_t[]){1, -2, INT64_MAX}, 3), QGC_OK);
    assert_int_equal(qgc_node_set_floats(g, n, "floats0", NULL, 0), QGC_OK);
    assert_int_equal(qgc_node_set_floats(g, n, "floats", fl, 5), QGC_OK);
    qgc_attr *a = qgc_node_add_attr(g, n, "strings0", QGC_ATTR_STRINGS);
    a = qgc_node_add_attr(g, n, "strings", QGC_ATTR_STRINGS);
    a->n = 2;
    a->strs = qgc_arena_alloc(g->arena, 2 * sizeof(char *));
    a->strs[0] = "x";
    a->strs[1] = "y \"z\"";
    qgc_tensor *t;
    qgc_type t1 = TY(QGC_F32, 1), t20 = TY(QGC_I32, 20);
    assert_int_equal(qgc_tensor_new(&t1, &t, NULL), QGC_OK);
    ((float *)t->data)[0] = -2.0f;
    qgc_node_add_attr(g, n, "value", QGC_ATTR_TENSOR)->t = qgc_graph_own_tensor(g, t);
    assert_int_equal(qgc_tensor_new(&t20, &t, NULL), QGC_OK);
    for (int i = 0; i < 20; i++) ((int32_t *)t->data)[i] = i - 10;
    qgc_node_add_attr(g, n, "big tensor", QGC_ATTR_TENSOR)->t = qgc_graph_own_tensor(g, t);
    t = calloc(1, sizeof *t);
    t->type = TY(QGC_F32, 2, -1);
    t->type.sym[1] = "n";
    qgc_node_add_attr(g, n, "dataless", QGC_ATTR_TENSOR)->t = qgc_graph_own_tensor(g, t);

    /* a subgraph using values of the graph around it, with its own subgraph */
    qgc_graph *body = qgc_graph_new_sub(g, "body");
    qgc_value *bi = qgc_value_new(body, "i", &(qgc_type){.dtype = QGC_I64});
    qgc_value *bc = qgc_value_new(body, NULL, &(qgc_type){.dtype = QGC_BOOL});
    assert_int_equal(qgc_graph_add_input(body, bi), QGC_OK);
    assert_int_equal(qgc_graph_add_input(body, bc), QGC_OK);
    qgc_value *k = tg_const(body, "k", (qgc_type){.dtype = QGC_I64}, (const int64_t[]){5});
    qgc_node *b1 = tg_node(body, QGC_OP_ADD, "", 2, (qgc_value *[]){bi, sizes}, 1, TY(QGC_I64, 4));
    qgc_node *b2 = tg_node(body, QGC_OP_MUL, "inner", 2, (qgc_value *[]){b1->out[0], k}, 1, TY(QGC_I64, 4));
    b2->out[0]->name = "o";
    qgc_graph *inner = qgc_graph_new_sub(body, "inner");
    qgc_node *b3 = tg_node(inner, QGC_OP_NEG, "", 1, &b1->out[0], 1, TY(QGC_I64, 4));
    assert_int_equal(qgc_graph_add_output(inner, b3->out[0]), QGC_OK);
    qgc_node *b4 = tg_node(body, QGC_OP_IDENTITY, "", 1, &bi, 1, (qgc_type){.dtype = QGC_I64});
    qgc_node_add_attr(body, b4, "then", QGC_ATTR_GRAPH)->g = inner;
    assert_int_equal(qgc_graph_add_output(body, b2->out[0]), QGC_OK);
    assert_int_equal(qgc_graph_add_output(body, x), QGC_OK);
    assert_int_equal(qgc_graph_add_output(body, b4->out[0]), QGC_OK);
    qgc_node_add_attr(g, n, "body", QGC_ATTR_GRAPH)->g = body;

    assert_int_equal(qgc_graph_add_output(g, n->out[0]), QGC_OK);
    assert_int_equal(qgc_graph_add_output(g, x), QGC_OK);
    assert_int_equal(qgc_graph_add_output(g, conv_w), QGC_OK);
    assert_int_equal(qgc_graph_add_output(g, split->out[2]), QGC_OK);
    assert_int_equal(qgc_graph_add_output(g, cast->out[0]), QGC_OK);
    return g;
}

#endif
