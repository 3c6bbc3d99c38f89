/* The verifier: well-formed graphs pass; each kind of broken graph is
 * rejected with a message that names the node and the value. */
#include <stdlib.h>

#include "test_text_graphs.h"

static void verify_ok(const qgc_graph *g) {
    qgc_diag d = {{0}};
    if (qgc_graph_verify(g, &d)) fail_msg("verify: %s", d.msg);
}

static void verify_fails(const qgc_graph *g, const char *msg) {
    qgc_diag d = {{0}};
    assert_int_equal(qgc_graph_verify(g, &d), QGC_ERR_INVALID);
    assert_string_equal(d.msg, msg);
}

/* x -> relu (Relu_0) -> add(., w) (Add_1) -> y */
typedef struct {
    qgc_graph *g;
    qgc_value *x, *w;
    qgc_node *relu, *add;
} chain;

static chain make_chain(void) {
    chain c;
    c.g = qgc_graph_new("chain");
    c.x = tg_value(c.g, "x", TY(QGC_F32, 2, 2));
    assert_int_equal(qgc_graph_add_input(c.g, c.x), QGC_OK);
    c.w = tg_const(c.g, "w", TY(QGC_F32, 2), (const float[]){1, 2});
    c.relu = tg_node(c.g, QGC_OP_RELU, "Relu_0", 1, &c.x, 1, TY(QGC_F32, 2, 2));
    c.add = tg_node(c.g, QGC_OP_ADD, "Add_1", 2, (qgc_value *[]){c.relu->out[0], c.w}, 1,
                    TY(QGC_F32, 2, 2));
    c.add->out[0]->name = "y";
    assert_int_equal(qgc_graph_add_output(c.g, c.add->out[0]), QGC_OK);
    return c;
}

static void test_accepts(void **state) {
    (void)state;
    chain c = make_chain();
    verify_ok(c.g);
    qgc_graph_free(c.g);
    qgc_graph *g = tg_everything();
    verify_ok(g);
    qgc_graph_free(g);
}

static void test_use_before_def(void **state) {
    (void)state;
    chain c = make_chain();
    c.g->nodes[0] = c.add; /* swap the two nodes, ids too */
    c.g->nodes[1] = c.relu;
    c.add->id = 0;
    c.relu->id = 1;
    verify_fails(c.g, "node 'Add_1' (add): input 0 uses value #2 before its definition");
    qgc_graph_free(c.g);

    c = make_chain(); /* a value nothing defines */
    c.add->in[1] = tg_value(c.g, "ghost", TY(QGC_F32, 2));
    verify_fails(c.g, "node 'Add_1' (add): input 1 uses value 'ghost' before its definition");
    qgc_graph_free(c.g);
}

static void test_producers(void **state) {
    (void)state;
    chain c = make_chain(); /* one value, two producers */
    c.add->out[0] = c.relu->out[0];
    verify_fails(c.g, "node 'Add_1' (add): output 0 (value #2) does not name the node as its producer");
    c.relu->out[0]->producer = c.add;
    verify_fails(c.g, "node 'Relu_0' (relu): output 0 (value #2) does not name the node as its producer");
    qgc_graph_free(c.g);

    c = make_chain();
    c.relu->out[0]->producer_out = 1;
    verify_fails(c.g, "node 'Relu_0' (relu): output 0 (value #2) does not name the node as its producer");
    qgc_graph_free(c.g);

    c = make_chain(); /* a graph input produced by a node */
    c.relu->out[0] = c.x;
    c.x->producer = c.relu;
    verify_fails(c.g, "graph input value 'x' has a producer");
    qgc_graph_free(c.g);

    c = make_chain(); /* an input listed twice */
    assert_int_equal(qgc_graph_add_input(c.g, c.x), QGC_OK);
    verify_fails(c.g, "value 'x' is defined twice");
    qgc_graph_free(c.g);

    c = make_chain(); /* a node output that lives in another graph */
    qgc_graph *other = qgc_graph_new("other");
    qgc_value *o = tg_value(other, "o", TY(QGC_F32, 2, 2));
    o->producer = c.relu;
    c.relu->out[0] = o;
    verify_fails(c.g, "node 'Relu_0' (relu): output 0 (value 'o') is not in the value list of graph 'chain' at its id");
    qgc_graph_free(other);
    qgc_graph_free(c.g);

    c = make_chain(); /* a node output listed again */
    qgc_node *n2 = tg_node(c.g, QGC_OP_NEG, "Neg_2", 1, &c.x, 1, TY(QGC_F32, 2, 2));
    n2->out[0] = c.add->out[0];
    verify_fails(c.g, "node 'Neg_2' (neg): output 0 (value 'y') does not name the node as its producer");
    c.add->out[0]->producer = n2;
    verify_fails(c.g, "node 'Add_1' (add): output 0 (value 'y') does not name the node as its producer");
    qgc_graph_free(c.g);
}

static void test_ops_and_arity(void **state) {
    (void)state;
    chain c = make_chain();
    c.relu->n_in = 2; /* relu takes one input; in[] has room for the NULL after it */
    verify_fails(c.g, "node 'Relu_0' (relu): 2 inputs and 1 outputs, the op takes 1..1 and 1..1");
    c.relu->n_in = 1;
    c.add->in[1] = NULL;
    verify_fails(c.g, "node 'Add_1' (add): required input 1 is absent");
    c.add->in[1] = c.w;
    c.relu->op = (qgc_op)100000;
    verify_fails(c.g, "node 0 of graph 'chain': op id 100000 out of range");
    c.relu->op = QGC_OP_RELU;
    c.relu->id = 7;
    verify_fails(c.g, "node 0 of graph 'chain' has id 7");
    qgc_graph_free(c.g);
}

static void test_outputs_and_names(void **state) {
    (void)state;
    chain c = make_chain();
    qgc_value *lost = tg_value(c.g, NULL, TY(QGC_F32, 1));
    assert_int_equal(qgc_graph_add_output(c.g, lost), QGC_OK);
    verify_fails(c.g, "graph 'chain': output 1 (value #4) is not defined");
    qgc_graph_free(c.g);

    c = make_chain();
    c.relu->out[0]->name = "w";
    verify_fails(c.g, "node 'Relu_0' (relu): output 0 (value 'w'): another value has the same name");
    qgc_graph_free(c.g);

    c = make_chain(); /* a value of another graph's list */
    qgc_graph *other = qgc_graph_new("other");
    qgc_value *alien = tg_const(other, "alien", TY(QGC_F32, 2), (const float[]){0, 0});
    c.add->in[1] = alien;
    verify_fails(c.g, "node 'Add_1' (add): input 1 uses value 'alien' before its definition");
    qgc_graph_free(other);
    qgc_graph_free(c.g);
}

static void test_types_and_data(void **state) {
    (void)state;
    chain c = make_chain();
    c.w->type.dims[0] = 3;
    verify_fails(c.g, "value 'w': its data does not match its type");
    c.w->type.dims[0] = 2;
    c.w->data->nbytes = 4;
    verify_fails(c.g, "value 'w': its data does not match its type");
    c.w->data->nbytes = 8;
    c.relu->out[0]->type.rank = 9;
    verify_fails(c.g, "node 'Relu_0' (relu): output 0 (value #2): rank 9 out of range");
    c.relu->out[0]->type.rank = 2;
    c.relu->out[0]->type.dims[1] = -7;
    verify_fails(c.g, "node 'Relu_0' (relu): output 0 (value #2): dim 1 is -7");
    c.relu->out[0]->type.dims[1] = 2;
    c.x->type.dtype = (qgc_dtype)14;
    verify_fails(c.g, "value 'x': invalid dtype 14");
    qgc_graph_free(c.g);
}

static void test_attributes(void **state) {
    (void)state;
    chain c = make_chain();
    assert_int_equal(qgc_node_set_int(c.g, c.add, "k", 1), QGC_OK);
    assert_int_equal(qgc_node_set_int(c.g, c.add, "k", 2), QGC_OK);
    verify_fails(c.g, "node 'Add_1' (add): attribute 'k' given twice");
    c.add->attr[1].name = "k2";
    c.add->attr[1].kind = QGC_ATTR_INTS;
    c.add->attr[1].n = 3;
    verify_fails(c.g, "node 'Add_1' (add): attribute 'k2' is malformed");
    c.add->attr[1].kind = QGC_ATTR_TENSOR;
    verify_fails(c.g, "node 'Add_1' (add): attribute 'k2' is malformed");
    qgc_graph_free(c.g);
}

/* A subgraph sees values defined before its node, not after. */
static void test_subgraph_scope(void **state) {
    (void)state;
    chain c = make_chain();
    qgc_graph *body = qgc_graph_new_sub(c.g, "body");
    qgc_node *b = tg_node(body, QGC_OP_NEG, "Inner", 1, &c.relu->out[0], 1, TY(QGC_F32, 2, 2));
    assert_int_equal(qgc_graph_add_output(body, b->out[0]), QGC_OK);
    qgc_node_add_attr(c.g, c.add, "body", QGC_ATTR_GRAPH)->g = body;
    verify_ok(c.g);
    b->in[0] = c.add->out[0]; /* defined by the node that holds the subgraph */
    verify_fails(c.g, "node 'Inner' (neg): input 0 uses value 'y' before its definition");
    b->in[0] = c.x;
    b->out[0]->name = "x"; /* shadows a name of the enclosing graph */
    verify_fails(c.g, "node 'Inner' (neg): output 0 (value 'x'): another value has the same name");
    qgc_graph_free(c.g);
}

/* A quantized constant i8[4,2]; each case breaks the annotation one way. */
static void test_quant(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("q");
    qgc_value *v = tg_const(g, "q", TY(QGC_I8, 4, 2), (const int8_t[8]){0});
    assert_int_equal(qgc_graph_add_output(g, v), QGC_OK);
    qgc_quant *q = tg_quant(g, QGC_QS_CHANNEL, 8, true, 0, 0, 4, (const float[]){1, 2, 3, 4},
                            (const int32_t[]){0, -128, 127, 1});
    v->quant = q;
    verify_ok(g);
    q->bits = 9;
    verify_fails(g, "value 'q': quantization bits 9 (need 2..8 or 16)");
    q->bits = 4;
    verify_fails(g, "value 'q': 4-bit signed quantization needs dtype i4, not i8");
    q->bits = 8;
    q->is_signed = false;
    verify_fails(g, "value 'q': 8-bit unsigned quantization needs dtype u8, not i8");
    q->is_signed = true;
    q->axis = 2;
    verify_fails(g, "value 'q': quantization axis 2 out of range for rank 2");
    q->axis = 1;
    verify_fails(g, "value 'q': per-channel quantization on axis 1 needs 2 scales, has 4");
    q->axis = 0;
    q->scheme = QGC_QS_TENSOR;
    verify_fails(g, "value 'q': per-tensor quantization needs 1 scale, has 4");
    q->scheme = QGC_QS_GROUP;
    q->axis = 1;
    q->group = 3;
    verify_fails(g, "value 'q': group size 3 does not divide dim 2");
    q->group = 2;
    verify_ok(g); /* 8 elements in groups of 2 along axis 1: 4 scales */
    q->scheme = QGC_QS_CHANNEL;
    q->axis = 0;
    q->scales[2] = -1.0f;
    verify_fails(g, "value 'q': scale 2 is not positive and finite");
    q->scales[2] = 3.0f;
    q->zero_points[1] = -129;
    verify_fails(g, "value 'q': zero point 1 (-129) outside [-128, 127]");
    q->zero_points[1] = 0;
    v->type.dtype = QGC_F32; /* annotations belong on integer values */
    verify_fails(g, "value 'q': 8-bit signed quantization needs dtype i8, not f32");
    qgc_graph_free(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_use_before_def),
        cmocka_unit_test(test_producers),
        cmocka_unit_test(test_ops_and_arity),
        cmocka_unit_test(test_outputs_and_names),
        cmocka_unit_test(test_types_and_data),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_subgraph_scope),
        cmocka_unit_test(test_quant),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
