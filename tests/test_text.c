/* The text form: exact printing of small graphs, print -> parse -> print
 * identity for every construct, weights from a weight source, parse errors
 * with their positions, and robustness against truncated and mutated text. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "qgc_frontend.h"
#include "qgc_interp.h"
#include "test_text_graphs.h"
#include "text_internal.h"

static char *print_opts(const qgc_graph *g, bool weights, int inline_max) {
    qgc_print_options o = {.weights = weights, .inline_max = inline_max};
    qgc_diag d = {{0}};
    char *s = NULL;
    qgc_status st = qgc_graph_print(g, &o, &s, &d);
    if (st) fail_msg("print: %s", d.msg);
    return s;
}

/* label names the graph in failure messages; NULL shows the text instead. */
static qgc_graph *parse_ok_label(const char *text, const qgc_weight_source *ws, const char *label) {
    qgc_diag d = {{0}};
    qgc_graph *g = NULL;
    if (qgc_graph_parse(text, strlen(text), ws, &g, &d))
        fail_msg("parse %s: %s\n%s", label ? label : "", d.msg, label ? "" : text);
    return g;
}

static qgc_graph *parse_ok(const char *text, const qgc_weight_source *ws) {
    return parse_ok_label(text, ws, NULL);
}

static void parse_fails(const char *text, const qgc_weight_source *ws, const char *msg) {
    qgc_diag d = {{0}};
    qgc_graph *g = (qgc_graph *)1;
    assert_int_equal(qgc_graph_parse(text, strlen(text), ws, &g, &d), QGC_ERR_PARSE);
    assert_null(g);
    assert_string_equal(d.msg, msg);
}

/* print -> parse -> print is byte-identical; returns the parsed graph. */
static qgc_graph *roundtrip_label(const qgc_graph *g, bool weights, int inline_max, const char *label) {
    char *a = print_opts(g, weights, inline_max);
    qgc_graph *h = parse_ok_label(a, NULL, label);
    char *b = print_opts(h, weights, inline_max);
    if (strcmp(a, b)) {
        size_t i = 0;
        while (a[i] == b[i]) i++;
        fail_msg("%s: print -> parse -> print differs at byte %zu:\n%.200s\n---\n%.200s", label ? label : "",
                 i, a + (i > 100 ? i - 100 : 0), b + (i > 100 ? i - 100 : 0));
    }
    free(a);
    free(b);
    return h;
}

static qgc_graph *roundtrip(const qgc_graph *g, bool weights, int inline_max) {
    return roundtrip_label(g, weights, inline_max, NULL);
}

/* ---- printing ------------------------------------------------------------ */

static void test_print_exact(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("rec");
    g->opset = 13;
    qgc_type tx = TY(QGC_F32, 1, 3, 4, 4);
    qgc_value *x = qgc_value_new(g, "x", &tx);
    assert_int_equal(qgc_graph_add_input(g, x), QGC_OK);
    qgc_value *w = tg_const(g, "w", TY(QGC_F32, 2, 3, 1, 1), (const float[]){0.5f, -1, 2, 0.25f, 0, -0.0f});
    qgc_node *c = tg_node(g, QGC_OP_CONV, "Conv_0", 3, (qgc_value *[]){x, w, NULL}, 1, TY(QGC_F32, 1, 2, 4, 4));
    qgc_node_set_ints(g, c, "strides", (const int64_t[]){1, 1}, 2);
    qgc_node_set_ints(g, c, "pads", (const int64_t[]){0, 0, 0, 0}, 4);
    qgc_node *r = tg_node(g, QGC_OP_RELU, "relu/1:0", 1, &c->out[0], 1, TY(QGC_F32, 1, 2, 4, 4));
    r->out[0]->name = "y";
    assert_int_equal(qgc_graph_add_output(g, r->out[0]), QGC_OK);
    char *s = print_opts(g, false, 0);
    assert_string_equal(s,
                        "graph @rec(%x: f32[1,3,4,4]) -> (%y: f32[1,2,4,4]) opset 13 {\n"
                        "  %w = const f32[2,3,1,1] [0.5, -1.0, 2.0, 0.25, 0.0, -0.0]\n"
                        "  %0 = conv(%x, %w, none) {strides=[1, 1], pads=[0, 0, 0, 0]} : f32[1,2,4,4] @Conv_0\n"
                        "  %y = relu(%0) : f32[1,2,4,4] @\"relu/1:0\"\n"
                        "}\n");
    free(s);
    qgc_graph_free(g);
}

/* Summary: min, max and FNV-1a 64 of the bytes (hash from python). */
static void test_print_summary(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("s");
    float v[17];
    for (int i = 0; i < 17; i++) v[i] = (float)i * 0.5f;
    qgc_value *c = tg_const(g, "w", TY(QGC_F32, 17), v);
    assert_int_equal(qgc_graph_add_output(g, c), QGC_OK);
    char *s = print_opts(g, false, 0);
    assert_string_equal(s, "graph @s() -> (%w: f32[17]) opset 0 {\n"
                           "  %w = const f32[17] summary(min=0, max=8, hash=0xff6eb9e9fb49b2ab)\n"
                           "}\n");
    free(s);
    s = print_opts(g, false, 17); /* inline_max reaches it */
    assert_non_null(strstr(s, "[0.0, 0.5, 1.0, 1.5, 2.0,"));
    free(s);
    s = print_opts(g, true, 4); /* weights: the bytes in hex, little-endian f32 */
    assert_non_null(strstr(s, "const f32[17] hex\"000000000000003f0000803f0000c03f"));
    free(s);
    qgc_graph_free(g);
}

/* Shortest text that reads back to the same bits (digits from numpy's
 * shortest repr of the same values). */
static void test_float_format(void **state) {
    (void)state;
    static const struct {
        uint32_t bits;
        const char *text;
    } f32[] = {{0x3dcccccd, "0.1"},           {0x40400000, "3.0"},    {0x80000000, "-0.0"},
               {0x4b800000, "16777216.0"},    {0x00000001, "1e-45"},  {0x7f7fffff, "3.4028235e+38"},
               {0x7fc00000, "nan"},           {0x7fc00001, "nan(0x7fc00001)"},
               {0xffc00000, "nan(0xffc00000)"}, {0xff800000, "-inf"}};
    char buf[QGC_NUM_MAX];
    for (size_t i = 0; i < sizeof f32 / sizeof f32[0]; i++) {
        qgc_text_fmt_element(buf, QGC_F32, &f32[i].bits, 0);
        assert_string_equal(buf, f32[i].text);
    }
    static const struct {
        uint16_t bits;
        const char *text;
    } f16[] = {{0x3555, "0.3333"}, {0x0001, "6e-08"}, {0xfbff, "-65504.0"}, {0x3c01, "1.001"}};
    for (size_t i = 0; i < sizeof f16 / sizeof f16[0]; i++) {
        qgc_text_fmt_element(buf, QGC_F16, &f16[i].bits, 0);
        assert_string_equal(buf, f16[i].text);
    }
    double third = 1.0 / 3, tiny = 5e-324;
    qgc_text_fmt_element(buf, QGC_F64, &third, 0);
    assert_string_equal(buf, "0.3333333333333333");
    qgc_text_fmt_element(buf, QGC_F64, &tiny, 0);
    assert_string_equal(buf, "5e-324");
    uint64_t u = UINT64_MAX;
    qgc_text_fmt_element(buf, QGC_U64, &u, 0);
    assert_string_equal(buf, "18446744073709551615");
}

/* ---- round trips --------------------------------------------------------- */

static void test_roundtrip_everything(void **state) {
    (void)state;
    qgc_graph *g = tg_everything();
    qgc_diag d = {{0}};
    if (qgc_graph_verify(g, &d)) fail_msg("verify: %s", d.msg);
    const int inline_maxes[] = {0, 2, -1, 1000};
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 4; k++) {
            qgc_graph *h = roundtrip(g, w, inline_maxes[k]);
            if (w && qgc_graph_verify(h, &d)) fail_msg("verify parsed: %s", d.msg);
            qgc_graph_free(h);
        }

    /* What survives, checked on the parsed graph itself. */
    char *text = print_opts(g, true, 0);
    qgc_graph *h = parse_ok(text, NULL);
    assert_int_equal(qgc_graph_verify(h, &d), QGC_OK);
    assert_string_equal(h->name, "my graph/1");
    assert_int_equal(h->opset, 17);
    assert_int_equal(h->n_inputs, 4);
    assert_int_equal(h->n_outputs, 5);
    const qgc_value *x = h->inputs[0];
    assert_string_equal(x->name, "x");
    assert_int_equal(x->type.rank, 4);
    assert_true(x->type.dims[0] == -1);
    assert_string_equal(x->type.sym[0], "batch");
    assert_null(x->type.sym[2]);
    assert_string_equal(x->type.sym[3], "seq len");
    assert_int_equal(h->inputs[1]->type.rank, -1);
    assert_null(h->inputs[2]->name);
    assert_int_equal(h->inputs[2]->type.dtype, QGC_UNDEF);
    assert_ptr_equal(h->outputs[1], x);
    for (uint32_t i = 0; i < g->n_values; i++) {
        const qgc_value *a = g->values[i];
        if (!a->data || !a->name || a->producer) continue;
        const qgc_value *b = NULL;
        for (uint32_t j = 0; j < h->n_values && !b; j++)
            if (h->values[j]->name && !strcmp(h->values[j]->name, a->name)) b = h->values[j];
        assert_non_null(b);
        assert_non_null(b->data);
        assert_int_equal(a->data->nbytes, b->data->nbytes);
        assert_memory_equal(a->data->data, b->data->data, a->data->nbytes);
    }
    const qgc_node *attrs = NULL;
    for (uint32_t i = 0; i < h->n_nodes; i++)
        if (!strcmp(h->nodes[i]->name, "Attrs")) attrs = h->nodes[i];
    assert_non_null(attrs);
    assert_int_equal(qgc_attr_int(attrs, "i", 0), INT64_MIN);
    float f = qgc_attr_float(attrs, "fnan", 0);
    uint32_t bits;
    memcpy(&bits, &f, 4);
    assert_int_equal(bits, 0x7fa00001);
    assert_string_equal(qgc_attr_string(attrs, "s", NULL), "a\"b\\c\n\t\x01\x7f\xc3\xa9 #x");
    assert_int_equal(qgc_attr_get(attrs, "ints0")->kind, QGC_ATTR_INTS);
    assert_int_equal(qgc_attr_get(attrs, "floats0")->kind, QGC_ATTR_FLOATS);
    assert_int_equal(qgc_attr_get(attrs, "strings0")->kind, QGC_ATTR_STRINGS);
    assert_int_equal(qgc_attr_get(attrs, "f3")->kind, QGC_ATTR_FLOAT);
    assert_null(qgc_attr_get(attrs, "dataless")->t->data);
    const qgc_graph *body = qgc_attr_get(attrs, "body")->g;
    assert_string_equal(body->name, "body");
    assert_ptr_equal(body->parent, h);
    assert_ptr_equal(body->outputs[1], x);
    const qgc_value *q = h->outputs[4];
    assert_non_null(q->quant);
    assert_int_equal(q->quant->n_scales, 1);
    assert_int_equal(q->quant->zero_points[0], -3);
    free(text);
    qgc_graph_free(h);
    qgc_graph_free(g);
}

/* Graphs the verifier rejects still print and parse back. */
static void test_roundtrip_broken(void **state) {
    (void)state;
    qgc_graph *g = qgc_graph_new("");
    qgc_value *ghost = qgc_value_new(g, NULL, &(qgc_type){.dtype = QGC_F32, .rank = 1, .dims = {3}});
    qgc_node *n = tg_node(g, QGC_OP_RELU, "", 2, (qgc_value *[]){ghost, ghost}, 0, (qgc_type){0});
    (void)n;
    qgc_node *add = tg_node(g, QGC_OP_ADD, "x", 0, NULL, 2, TY(QGC_F32, -5));
    qgc_node_add_attr(g, add, "no tensor", QGC_ATTR_TENSOR);
    qgc_node_add_attr(g, add, "no graph", QGC_ATTR_GRAPH);
    qgc_value *q = qgc_value_new(g, "q", NULL);
    q->quant = tg_quant(g, QGC_QS_CHANNEL, 99, false, -4, 0, 2, (const float[]){-1, 0}, NULL);
    assert_int_equal(qgc_graph_add_output(g, q), QGC_OK);
    qgc_diag d;
    assert_int_not_equal(qgc_graph_verify(g, &d), QGC_OK);
    char *s = print_opts(g, false, 0);
    assert_non_null(strstr(s, "graph @\"\"() -> (%q: ?[*]) opset 0 {\n  %0 = const f32[3]\n"));
    assert_non_null(strstr(s, "  relu(%0, %0)\n"));
    assert_non_null(strstr(s, "{\"no tensor\"=tensor none, \"no graph\"=graph none}"));
    qgc_graph_free(roundtrip(g, false, 0));
    free(s);
    qgc_graph_free(g);
}

/* A hand-written text: comments, free spacing; fields checked directly. */
static void test_parse_handwritten(void **state) {
    (void)state;
    const char *text = "# reshape to rows of 3\n"
                       "graph @\"g 1\" ( %in : f32[ N , 3 ] ) -> ( %out: f32[N,3] ) opset 11 {\n"
                       "  %s = const i64[2] [2,-1]   # shape\n"
                       "  %out = reshape(%in, %s) {allowzero=0, \"k k\"=1.5e3} : f32[N,3] @r\n"
                       "}";
    qgc_graph *g = parse_ok(text, NULL);
    assert_string_equal(g->name, "g 1");
    assert_int_equal(g->opset, 11);
    assert_string_equal(g->inputs[0]->type.sym[0], "N");
    assert_int_equal(g->inputs[0]->type.dims[1], 3);
    const qgc_node *n = g->nodes[0];
    assert_int_equal(n->op, QGC_OP_RESHAPE);
    assert_string_equal(n->name, "r");
    const int64_t *shape = n->in[1]->data->data;
    assert_int_equal(shape[0], 2);
    assert_int_equal(shape[1], -1);
    assert_int_equal(qgc_attr_get(n, "allowzero")->kind, QGC_ATTR_INT);
    assert_true(qgc_attr_float(n, "k k", 0) == 1500.0f);
    assert_ptr_equal(g->outputs[0], n->out[0]);
    char *s = print_opts(g, false, 0);
    assert_string_equal(s, "graph @\"g 1\"(%in: f32[N,3]) -> (%out: f32[N,3]) opset 11 {\n"
                           "  %s = const i64[2] [2, -1]\n"
                           "  %out = reshape(%in, %s) {allowzero=0, \"k k\"=1500.0} : f32[N,3] @r\n"
                           "}\n");
    free(s);
    qgc_graph_free(g);
}

/* ---- weights ------------------------------------------------------------- */

static qgc_graph *weights_graph(void) {
    qgc_graph *g = qgc_graph_new("w");
    float w[64];
    for (int i = 0; i < 64; i++) w[i] = (float)(i % 7) - 3.0f;
    qgc_value *a = tg_const(g, "conv1.w", TY(QGC_F32, 4, 16), w);
    qgc_value *b = tg_const(g, "q/w:0", TY(QGC_I4, 33), (const uint8_t[17]){0x12, 0x34, 0xff});
    qgc_node *n = tg_node(g, QGC_OP_ADD, "", 2, (qgc_value *[]){a, a}, 1, TY(QGC_F32, 4, 16));
    assert_int_equal(qgc_graph_add_output(g, n->out[0]), QGC_OK);
    assert_int_equal(qgc_graph_add_output(g, b), QGC_OK);
    return g;
}

static void test_weight_source(void **state) {
    (void)state;
    qgc_graph *g = weights_graph();
    char *text = print_opts(g, false, 0);
    assert_non_null(strstr(text, "%conv1.w = const f32[4,16] summary(min=-3, max=3, hash=0x"));
    qgc_graph *h = parse_ok(text, NULL); /* no source: data-less */
    assert_null(h->values[0]->data);
    assert_non_null(h->values[0]->summary);
    qgc_graph_free(h);

    qgc_weight_source ws = qgc_weight_source_from_graph(g);
    h = parse_ok(text, &ws);
    assert_null(h->values[0]->summary);
    assert_memory_equal(h->values[0]->data->data, g->values[0]->data->data, 256);
    char *full_g = print_opts(g, true, 0), *full_h = print_opts(h, true, 0), *again = print_opts(h, false, 0);
    assert_string_equal(full_g, full_h);
    assert_string_equal(again, text);
    free(full_g);
    free(full_h);
    free(again);
    qgc_graph_free(h);

    ((float *)g->values[0]->data->data)[5] += 1.0f; /* the weights changed since the dump */
    qgc_diag d = {{0}};
    assert_int_equal(qgc_graph_parse(text, strlen(text), &ws, &h, &d), QGC_ERR_PARSE);
    assert_non_null(strstr(d.msg, "2:30: constant %conv1.w: weights do not match the summary's hash (text 0x"));

    qgc_graph *empty = qgc_graph_new("e");
    qgc_weight_source none = qgc_weight_source_from_graph(empty);
    parse_fails(text, &none, "2:30: constant %conv1.w: the weight source has no tensor of that name");
    qgc_graph_free(empty);
    g->values[0]->data->type.dims[0] = 2;
    g->values[0]->data->type.dims[1] = 32;
    assert_int_equal(qgc_graph_parse(text, strlen(text), &ws, &h, &d), QGC_ERR_PARSE);
    assert_string_equal(d.msg, "2:30: constant %conv1.w: the weight source's tensor has another type");
    free(text);
    qgc_graph_free(g);
}

/* ---- errors -------------------------------------------------------------- */

#define HEAD "graph @g() -> () opset 1 {\n"

static void test_parse_errors(void **state) {
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {HEAD "  %a = foo(%x) : f32[1]\n}\n", "2:8: unknown op 'foo'"},
        {HEAD "  %a = relu(%x) : f32[1]\n}\n", "2:13: undefined value %x"},
        {"graph @g(%a: f32[1]) -> () opset 1 {\n  %a = const f32[1] [1.0]\n}\n",
         "2:3: redefinition of %a (first defined at 1:10)"},
        {HEAD "  %a, %a = split(%x)\n}", "2:18: undefined value %x"},
        {HEAD "  %c = const i8[2] [1, 200]\n}\n", "2:24: number out of range for i8"},
        {HEAD "  %c = const f16[1] [70000.0]\n}\n", "2:22: number out of range for f16"},
        {HEAD "  %c = const u4[1] [-1]\n}\n", "2:21: number out of range for u4"},
        {HEAD "  %c = const bool[1] [1]\n}\n", "2:23: expected true or false"},
        {"graph @\"g", "1:7: unterminated string"},
        {"graph @\"g\\x00\"", "1:10: bad escape in a string (\\\\ \\\" \\n \\t \\r \\xHH, not \\x00)"},
        {"graph @\"g\n\"", "1:10: control character in a string (write it as an escape)"},
        {HEAD "  %a = relu(\n", "3:1: expected a value or 'none', found end of input"},
        {"graph @g(%x: f32[1,1,1,1,1,1,1,1,1]) -> () opset 1 {\n}\n", "1:34: more than 8 dimensions"},
        {"graph @g(%x: f32[-1]) -> () opset 1 {\n}\n", "1:18: a dimension out of range [0, 9223372036854775807]"},
        {"graph @g(%x: q7[1]) -> () opset 1 {\n}\n", "1:14: expected a dtype (f32, i8, ...), found 'q7'"},
        {"graph @g(%x: f32[1]) -> (%x: f32[2]) opset 1 {\n}\n",
         "1:26: output %x: the signature's type differs from its definition's"},
        {"graph @g() -> (%y: f32[1]) opset 1 {\n}\n", "1:16: undefined value %y"},
        {HEAD "}\nx", "3:1: expected end of input, found 'x'"},
        {HEAD "  %c = const i64[3] [1, 2]\n}\n", "2:26: expected 3 elements, found 2"},
        {HEAD "  %c = const i64[1] [1, 2]\n}\n", "2:23: expected ']', found ','"},
        {HEAD "  %c = const f32[1000000000] [1.0]\n}\n", "2:30: 1000000000 elements cannot fit in the rest of the text"},
        {HEAD "  %c = const f32[?] [1.0]\n}\n", "2:21: data needs a static type with a numeric dtype"},
        {HEAD "  %c = const f32[1] [nan(0x7f800000)]\n}\n", "2:26: expected the bits of a f32 NaN (nan(0x...))"},
        {HEAD "  %c = const u8[2] hex\"abc\"\n}\n", "2:23: hex data has 3 digits, the type needs 2 bytes"},
        {HEAD "  %c = const u8[1] hex\"zz\"\n}\n", "2:23: hex data has a non-hex digit"},
        {HEAD "  %1a = const u8[1] [1]\n}\n", "2:3: a value number has only digits (quote names that start with a digit: %\"1a\")"},
        {HEAD "  %a, %b = const u8[1] [1]\n}\n", "2:12: a constant defines exactly one value"},
        {HEAD "  %a = const f32[1] [1.0]\n  %b = relu(%a) {x=[]} : f32[1]\n}\n",
         "3:21: an empty list needs its kind: ints[], floats[] or strings[]"},
        {HEAD "  %a = const f32[1] [1.0]\n  %b = relu(%a) {x=9223372036854775808} : f32[1]\n}\n",
         "3:20: integer out of the i64 range"},
        {HEAD "  %a = const f32[1] [1.0]\n  %b = relu(%a) {t=tensor f32[20] summary(min=0, max=1, hash=0x1)} : f32[1]\n}\n",
         "3:35: expected ',', found 'summary'"},
        {HEAD "  %a = const i8[1] quant(scheme=tensor, bits=8) [1]\n}\n",
         "2:20: quant(...) needs scheme, format, bits, signed, axis, group and scales"},
        {HEAD "  %a = const i8[1] quant(bits=8, bits=8) [1]\n}\n", "2:34: quant field 'bits' given twice"},
        {HEAD "  %a = const i8[1] quant(scheme=row) [1]\n}\n", "2:33: expected one of tensor, channel, group, found 'row'"},
        {HEAD "  %a = const f32[1] [1.0]\n  %b = relu(%a) : f32[1] @\n}\n", "3:26: expected a name after '@'"},
        {HEAD "  %a = const f32[1] [1.0] $\n}\n", "2:27: unexpected character '$'"},
        {HEAD "  %a = const f32[1] [1.0] \x80\n}\n", "2:27: unexpected byte 0x80"},
        {"graph @g() -> () opset 99999999999 {\n}\n", "1:24: expected the opset number, found '99999999999'"},
        {"graf", "1:1: expected 'graph', found 'graf'"},
        {"", "1:1: expected 'graph', found end of input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %zu\n", i);
        parse_fails(cases[i].text, NULL, cases[i].msg);
    }
}

static void test_parse_depth(void **state) {
    (void)state;
    qgc_strbuf b = {0};
    qgc_sb_puts(&b, "graph @g(%x: f32[1]) -> () opset 1 {\n");
    for (int i = 0; i < 40; i++) qgc_sb_puts(&b, "%a = relu(%x) {g=graph @s() -> () opset 1 {\n");
    parse_fails(b.p, NULL, "33:24: graphs nested deeper than 32");
    free(b.p);
}

/* ---- robustness ---------------------------------------------------------- */

/* Every prefix is parsed from a buffer of exactly that length (no NUL after
 * it, so ASan sees any read past the end). */
static void test_parse_prefixes(void **state) {
    (void)state;
    qgc_graph *g = tg_everything();
    char *text = print_opts(g, true, 0);
    size_t len = strlen(text);
    for (size_t n = 0; n < len; n++) {
        char *buf = malloc(n ? n : 1);
        memcpy(buf, text, n);
        qgc_graph *h = NULL;
        qgc_diag d;
        qgc_status st = qgc_graph_parse(buf, n, NULL, &h, &d);
        /* Only the whole text (or it without its final newline) parses. */
        if (n + 1 < len) assert_int_equal(st, QGC_ERR_PARSE);
        qgc_graph_free(h);
        free(buf);
    }
    free(text);
    qgc_graph_free(g);
}

/* Random byte edits: the parser either fails cleanly or gives a graph whose
 * printed form is a fixed point of print . parse. */
static void test_parse_mutations(void **state) {
    (void)state;
    static const char alphabet[] = "%@\"\\()[]{},=:?*-+>.#0123456789eExnaif_ \n\t\x80\xff";
    qgc_graph *g = tg_everything();
    char *text = print_opts(g, false, 3);
    size_t len = strlen(text);
    uint64_t rng = 12345;
    char *buf = malloc(len);
    for (int iter = 0; iter < 4000; iter++) {
        memcpy(buf, text, len);
        int edits = 1 + iter % 4;
        for (int e = 0; e < edits; e++) {
            rng = rng * 6364136223846793005u + 1442695040888963407u;
            size_t at = (size_t)(rng >> 33) % len;
            buf[at] = alphabet[(rng >> 20) % (sizeof alphabet - 1)];
        }
        size_t n = iter % 7 == 0 ? (size_t)(rng >> 40) % len : len;
        qgc_graph *h = NULL;
        qgc_diag d;
        if (qgc_graph_parse(buf, n, NULL, &h, &d) == QGC_OK) {
            qgc_graph *h2 = roundtrip(h, false, 3);
            qgc_graph_free(h2);
        }
        qgc_graph_free(h);
    }
    free(buf);
    free(text);
    qgc_graph_free(g);
}

/* ---- conformance models ------------------------------------------------- */

/* One model: the graph the frontend gives passes the verifier and round-trips
 * with summaries and with weights; summaries filled from the model itself
 * give the same graph as printing the weights; after shape inference (when
 * it succeeds) the inferred types round-trip too. */
static bool roundtrip_model(const char *path) {
    qgc_graph *g = NULL;
    qgc_diag d = {{0}};
    if (qgc_onnx_load(path, NULL, &g, &d)) return false;
    if (qgc_graph_verify(g, &d)) fail_msg("%s: verify: %s", path, d.msg);
    for (int w = 0; w < 2; w++) qgc_graph_free(roundtrip_label(g, w, 0, path));
    char *text = print_opts(g, false, 0), *full_g = print_opts(g, true, 0);
    qgc_weight_source ws = qgc_weight_source_from_graph(g);
    qgc_graph *h = parse_ok_label(text, &ws, path);
    char *full_h = print_opts(h, true, 0);
    if (strcmp(full_g, full_h)) fail_msg("%s: weights from the model differ", path);
    free(text);
    free(full_g);
    free(full_h);
    qgc_graph_free(h);
    if (!qgc_infer_shapes(g, &d)) {
        if (qgc_graph_verify(g, &d)) fail_msg("%s: verify after inference: %s", path, d.msg);
        qgc_graph_free(roundtrip_label(g, false, 0, path));
    }
    qgc_graph_free(g);
    return true;
}

static void test_conformance_models(void **state) {
    (void)state;
    static const char *const folders[] = {"onnx-node", "onnx-light", "onnx-pytorch-converted",
                                          "onnx-pytorch-operator", "onnx-simple"};
    int loaded = 0, seen = 0;
    for (size_t f = 0; f < sizeof folders / sizeof folders[0]; f++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", QGC_CONFORMANCE_DIR, folders[f]);
        DIR *dp = opendir(dir);
        if (!dp) fail_msg("cannot open %s", dir);
        for (struct dirent *e; (e = readdir(dp));) {
            if (e->d_name[0] == '.') continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s/model.onnx", dir, e->d_name);
            seen++;
            loaded += roundtrip_model(path);
        }
        closedir(dp);
    }
    print_message("%d of %d models loaded and round-tripped\n", loaded, seen);
    assert_true(loaded > seen / 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_exact),
        cmocka_unit_test(test_print_summary),
        cmocka_unit_test(test_float_format),
        cmocka_unit_test(test_roundtrip_everything),
        cmocka_unit_test(test_roundtrip_broken),
        cmocka_unit_test(test_parse_handwritten),
        cmocka_unit_test(test_weight_source),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_depth),
        cmocka_unit_test(test_parse_prefixes),
        cmocka_unit_test(test_parse_mutations),
        cmocka_unit_test(test_conformance_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
