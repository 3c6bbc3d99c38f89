/* Unit tests of the IR core: dtypes, tensors, graph construction and
 * mutation, attributes, whole-graph shape inference and the interpreter
 * driver's input checks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qgc_interp.h"
#include "qgc_ir.h"

static qgc_type type_of(qgc_dtype dt, int rank, const int64_t *dims) {
    qgc_type t = {.dtype = dt, .rank = rank};
    for (int i = 0; i < rank; i++) t.dims[i] = dims[i];
    return t;
}

static qgc_value *const_i64(qgc_graph *g, const char *name, int n, const int64_t *v) {
    int64_t dims[1] = {n};
    qgc_type t = type_of(QGC_I64, 1, dims);
    qgc_tensor *x;
    assert_int_equal(qgc_tensor_new(&t, &x, NULL), QGC_OK);
    memcpy(x->data, v, sizeof(int64_t) * (size_t)n);
    return qgc_const_new(g, name, x);
}

/* IEEE half and bfloat16 values from their definitions (sign, exponent, mantissa). */
static void test_f16_bf16(void **state) {
    (void)state;
    assert_true(qgc_f16_to_f32(0x3c00) == 1.0f);
    assert_true(qgc_f16_to_f32(0xc000) == -2.0f);
    assert_true(qgc_f16_to_f32(0x7bff) == 65504.0f);
    assert_true(qgc_f16_to_f32(0x0001) == ldexpf(1.0f, -24)); /* smallest subnormal */
    assert_true(isinf(qgc_f16_to_f32(0x7c00)));
    assert_true(isnan(qgc_f16_to_f32(0x7e00)));
    assert_int_equal(qgc_f32_to_f16(1.0f), 0x3c00);
    assert_int_equal(qgc_f32_to_f16(65504.0f), 0x7bff);
    assert_int_equal(qgc_f32_to_f16(65520.0f), 0x7c00);             /* rounds to inf */
    assert_int_equal(qgc_f32_to_f16(1.0f + ldexpf(1.0f, -11)), 0x3c00); /* tie to even: down */
    assert_int_equal(qgc_f32_to_f16(1.0f + 3 * ldexpf(1.0f, -11)), 0x3c02); /* tie to even: up */
    assert_int_equal(qgc_f32_to_f16(ldexpf(1.0f, -24)), 0x0001);
    assert_int_equal(qgc_f32_to_f16(ldexpf(1.0f, -26)), 0x0000);     /* below half the smallest */
    assert_true(qgc_bf16_to_f32(0x3f80) == 1.0f);
    assert_int_equal(qgc_f32_to_bf16(1.0f), 0x3f80);
    assert_int_equal(qgc_f32_to_bf16(1.0f + ldexpf(1.0f, -8)), 0x3f80); /* tie to even */
    /* Every half converts to float and back to itself. */
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff)) continue; /* NaNs keep only NaN-ness */
        assert_int_equal(qgc_f32_to_f16(qgc_f16_to_f32((uint16_t)h)), h);
    }
}

static void test_dtype_access(void **state) {
    (void)state;
    uint8_t nib[2] = {0};
    qgc_store_i64(QGC_I4, nib, 0, -3);
    qgc_store_i64(QGC_I4, nib, 1, 7);
    qgc_store_i64(QGC_I4, nib, 2, -8);
    assert_int_equal(nib[0], 0x7d); /* low nibble first */
    assert_int_equal(qgc_load_i64(QGC_I4, nib, 0), -3);
    assert_int_equal(qgc_load_i64(QGC_I4, nib, 1), 7);
    assert_int_equal(qgc_load_i64(QGC_U4, nib, 2), 8);
    int32_t i32[1];
    qgc_store_f64(QGC_I32, i32, 0, NAN); /* no undefined conversion: NaN -> 0 */
    assert_int_equal(i32[0], 0);
    int64_t i64[1];
    qgc_store_f64(QGC_I64, i64, 0, 1e300);
    assert_true(i64[0] == INT64_MAX);
    size_t nb;
    assert_true(qgc_dtype_nbytes(QGC_I4, 3, &nb) && nb == 2);
    assert_false(qgc_dtype_nbytes(QGC_F64, INT64_MAX / 2, &nb));
    assert_string_equal(qgc_dtype_name(QGC_BF16), "bf16");
    assert_int_equal(qgc_dtype_from_name("u4", 2), QGC_U4);
    assert_int_equal(qgc_dtype_from_name("f33", 3), QGC_UNDEF);
}

static void test_type_numel_overflow(void **state) {
    (void)state;
    int64_t big[3] = {INT64_C(1) << 31, INT64_C(1) << 31, 4};
    qgc_type t = type_of(QGC_F32, 3, big);
    assert_int_equal(qgc_type_numel(&t), -1);
    qgc_tensor *x = NULL;
    qgc_diag d;
    assert_int_not_equal(qgc_tensor_new(&t, &x, &d), QGC_OK);
    assert_null(x);
    t.dims[2] = -1;
    assert_false(qgc_type_is_static(&t));
}

static void test_graph_construction(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("g");
    int64_t dims[2] = {2, 3};
    qgc_type t = type_of(QGC_F32, 2, dims);
    qgc_value *x = qgc_value_new(g, "x", &t);
    assert_int_equal(qgc_graph_add_input(g, x), QGC_OK);
    qgc_node *relu = qgc_node_new(g, QGC_OP_RELU, "Relu_0", 1, &x, 1);
    qgc_value *ab[2] = {relu->out[0], x};
    qgc_node *add = qgc_node_new(g, QGC_OP_ADD, "Add_1", 2, ab, 1);
    assert_int_equal(qgc_graph_add_output(g, add->out[0]), QGC_OK);
    assert_int_equal(g->n_nodes, 2);
    assert_ptr_equal(relu->out[0]->producer, relu);
    assert_int_equal(qgc_node_set_int(g, add, "k", 5), QGC_OK);
    int64_t v[3] = {1, 2, 3};
    assert_int_equal(qgc_node_set_ints(g, add, "l", v, 3), QGC_OK);
    assert_int_equal(qgc_node_set_string(g, add, "s", "hi"), QGC_OK);
    assert_int_equal(qgc_attr_int(add, "k", 0), 5);
    assert_int_equal(qgc_attr_int(add, "missing", 9), 9);
    int n;
    const int64_t *l = qgc_attr_ints(add, "l", &n);
    assert_int_equal(n, 3);
    assert_int_equal(l[2], 3);
    assert_string_equal(qgc_attr_string(add, "s", ""), "hi");
    char lbl[64];
    assert_string_equal(qgc_node_label(add, lbl, sizeof lbl), "node 'Add_1' (add)");

    /* Replacing uses and removing a node keeps the order and the ids dense. */
    qgc_value_replace_uses(g, relu->out[0], x);
    assert_ptr_equal(add->in[0], x);
    bool keep[2] = {false, true};
    qgc_graph_remove_nodes(g, keep);
    assert_int_equal(g->n_nodes, 1);
    assert_ptr_equal(g->nodes[0], add);
    assert_int_equal(add->id, 0);
    qgc_graph_free(g);
}

/* Shape arithmetic as exporters write it: y = reshape(x, concat(shape(x)[0:1], [-1])).
 * Inference must evaluate the small integer subgraph to get a static shape,
 * and keep a symbolic dim named through element-wise ops. */
static void test_shape_inference(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("g");
    int64_t dims[3] = {2, 3, 4};
    qgc_type t = type_of(QGC_F32, 3, dims);
    qgc_value *x = qgc_value_new(g, "x", &t);
    qgc_graph_add_input(g, x);
    qgc_node *shape = qgc_node_new(g, QGC_OP_SHAPE, "s", 1, &x, 1);
    int64_t zero = 0, one = 1, neg1 = -1;
    qgc_value *sl_in[4] = {shape->out[0], const_i64(g, "st", 1, &zero), const_i64(g, "en", 1, &one),
                           const_i64(g, "ax", 1, &zero)};
    qgc_node *slice = qgc_node_new(g, QGC_OP_SLICE, "sl", 4, sl_in, 1);
    qgc_value *cat_in[2] = {slice->out[0], const_i64(g, "m1", 1, &neg1)};
    qgc_node *cat = qgc_node_new(g, QGC_OP_CONCAT, "c", 2, cat_in, 1);
    qgc_node_set_int(g, cat, "axis", 0);
    qgc_value *rs_in[2] = {x, cat->out[0]};
    qgc_node *rs = qgc_node_new(g, QGC_OP_RESHAPE, "r", 2, rs_in, 1);
    qgc_graph_add_output(g, rs->out[0]);

    /* A second input with a symbolic batch dim flows through relu. */
    qgc_type ts = type_of(QGC_F32, 2, (int64_t[]){-1, 8});
    ts.sym[0] = "batch";
    qgc_value *z = qgc_value_new(g, "z", &ts);
    qgc_graph_add_input(g, z);
    qgc_node *relu = qgc_node_new(g, QGC_OP_RELU, "relu", 1, &z, 1);
    qgc_graph_add_output(g, relu->out[0]);

    qgc_diag d = {{0}};
    assert_int_equal(qgc_infer_shapes(g, &d), QGC_OK);
    const qgc_type *rt = &rs->out[0]->type;
    assert_int_equal(rt->dtype, QGC_F32);
    assert_int_equal(rt->rank, 2);
    assert_int_equal(rt->dims[0], 2);
    assert_int_equal(rt->dims[1], 12);
    const qgc_type *zt = &relu->out[0]->type;
    assert_int_equal(zt->rank, 2);
    assert_int_equal(zt->dims[0], -1);
    assert_non_null(zt->sym[0]);
    assert_string_equal(zt->sym[0], "batch");
    assert_int_equal(zt->dims[1], 8);
    qgc_graph_free(g);
}

static void test_shape_inference_error_names_node(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("g");
    qgc_type a = type_of(QGC_F32, 1, (int64_t[]){3}), b = type_of(QGC_F32, 1, (int64_t[]){4});
    qgc_value *in[2] = {qgc_value_new(g, "a", &a), qgc_value_new(g, "b", &b)};
    qgc_graph_add_input(g, in[0]);
    qgc_graph_add_input(g, in[1]);
    qgc_node *add = qgc_node_new(g, QGC_OP_ADD, "Add_7", 2, in, 1);
    qgc_graph_add_output(g, add->out[0]);
    qgc_diag d = {{0}};
    assert_int_equal(qgc_infer_shapes(g, &d), QGC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "node 'Add_7' (add)"));
    assert_non_null(strstr(d.msg, "broadcast"));
    qgc_graph_free(g);
}

/* The interpreter checks what the caller passes before running anything. */
static void test_interp_input_checks(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("g");
    qgc_type t = type_of(QGC_F32, 2, (int64_t[]){2, 2});
    qgc_value *x = qgc_value_new(g, "x", &t);
    qgc_graph_add_input(g, x);
    qgc_node *neg = qgc_node_new(g, QGC_OP_NEG, "Neg_0", 1, &x, 1);
    qgc_graph_add_output(g, neg->out[0]);
    qgc_diag d = {{0}};
    assert_int_equal(qgc_infer_shapes(g, &d), QGC_OK);

    qgc_tensor *out[1] = {0}, *in = NULL;
    qgc_type wrong = type_of(QGC_F32, 2, (int64_t[]){2, 3});
    qgc_tensor_new(&wrong, &in, NULL);
    assert_int_equal(qgc_interp_run(g, (const qgc_tensor *const *)&in, out, &d), QGC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "input 'x': dim 1 is 3, the model needs 2"));
    assert_null(out[0]);
    qgc_tensor_free(in);

    qgc_type wrong_dt = type_of(QGC_I32, 2, (int64_t[]){2, 2});
    qgc_tensor_new(&wrong_dt, &in, NULL);
    assert_int_equal(qgc_interp_run(g, (const qgc_tensor *const *)&in, out, &d), QGC_ERR_INVALID);
    assert_non_null(strstr(d.msg, "input 'x': dtype i32 given, f32 expected"));
    qgc_tensor_free(in);

    qgc_tensor_new(&t, &in, NULL);
    float *p = in->data;
    p[0] = 1, p[1] = -2, p[2] = 0.5f, p[3] = 0;
    assert_int_equal(qgc_interp_run(g, (const qgc_tensor *const *)&in, out, &d), QGC_OK);
    const float *o = out[0]->data;
    assert_true(o[0] == -1 && o[1] == 2 && o[2] == -0.5f && o[3] == 0);
    qgc_tensor_free(out[0]);
    qgc_tensor_free(in);
    qgc_graph_free(g);
}

static void test_op_table(void **state) {
    (void)state;
    assert_int_equal(qgc_op_by_onnx("Conv"), QGC_OP_CONV);
    assert_int_equal(qgc_op_by_onnx("NoSuchOp"), QGC_OP_COUNT);
    assert_int_equal(qgc_op_by_name("max_pool", 8), QGC_OP_MAX_POOL);
    for (int i = 0; i < QGC_OP_COUNT; i++) {
        assert_non_null(qgc_ops[i].name);
        assert_non_null(qgc_ops[i].infer);
        assert_non_null(qgc_ops[i].eval);
        assert_true(qgc_ops[i].min_in <= qgc_ops[i].max_in || qgc_ops[i].max_in == -1);
        assert_int_equal(qgc_op_by_name(qgc_ops[i].name, strlen(qgc_ops[i].name)), i);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f16_bf16),
        cmocka_unit_test(test_dtype_access),
        cmocka_unit_test(test_type_numel_overflow),
        cmocka_unit_test(test_graph_construction),
        cmocka_unit_test(test_shape_inference),
        cmocka_unit_test(test_shape_inference_error_names_node),
        cmocka_unit_test(test_interp_input_checks),
        cmocka_unit_test(test_op_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
