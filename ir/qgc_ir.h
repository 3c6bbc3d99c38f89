/* qgc IR: dtypes, tensors, values, nodes, graphs, attributes, diagnostics.
 *
 * A graph owns an arena; every value, node, attribute and string of the graph
 * lives in it and dies with qgc_graph_free(). Nodes are kept in topological
 * order over SSA values. Constants (ONNX initializers, folded values) are
 * values with `data` set and no producer; they print as `const` lines.
 *
 * Errors are returned as a qgc_status with a qgc_diag filled in; nothing in
 * the library prints. */
#ifndef QGC_IR_H
#define QGC_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QGC_MAX_RANK 8

/* ---- status and diagnostics ------------------------------------------- */

typedef enum {
    QGC_OK = 0,
    QGC_ERR_INVALID,     /* malformed model, graph or call */
    QGC_ERR_UNSUPPORTED, /* valid input we do not handle (op, dtype, attribute value) */
    QGC_ERR_IO,          /* file could not be read or written */
    QGC_ERR_NOMEM,       /* allocation failed or a configured limit was exceeded */
    QGC_ERR_PARSE,       /* text form or binary format does not parse */
} qgc_status;

typedef struct {
    char msg[512];
} qgc_diag;

/* Fills d->msg (if d is not NULL) and returns st. printf-style. */
qgc_status qgc_fail(qgc_diag *d, qgc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *qgc_status_name(qgc_status st);

/* ---- dtypes -------------------------------------------------------------- */

/* Values are ONNX TensorProto.DataType codes where ONNX has the type, so the
 * frontend maps them directly; i4/u4 use ONNX 1.16's codes. */
typedef enum {
    QGC_UNDEF = 0,
    QGC_F32 = 1,
    QGC_U8 = 2,
    QGC_I8 = 3,
    QGC_U16 = 4,
    QGC_I16 = 5,
    QGC_I32 = 6,
    QGC_I64 = 7,
    QGC_STRING = 8, /* recognised so it can be refused by name */
    QGC_BOOL = 9,
    QGC_F16 = 10,
    QGC_F64 = 11,
    QGC_U32 = 12,
    QGC_U64 = 13,
    QGC_BF16 = 16,
    QGC_U4 = 21,
    QGC_I4 = 22,
    QGC_DTYPE_END = 23,
} qgc_dtype;

const char *qgc_dtype_name(qgc_dtype t);           /* "f32", "i64", ... ; NULL if invalid */
qgc_dtype qgc_dtype_from_name(const char *s, size_t n); /* QGC_UNDEF if unknown */
/* Storage bits per element (4 for i4/u4, packed two per byte low nibble first). 0 if invalid. */
int qgc_dtype_bits(qgc_dtype t);
bool qgc_dtype_is_float(qgc_dtype t);  /* f16 bf16 f32 f64 */
bool qgc_dtype_is_int(qgc_dtype t);    /* any integer incl. 4-bit, not bool */
bool qgc_dtype_is_signed(qgc_dtype t);
/* Bytes needed for n elements; returns false on overflow. */
bool qgc_dtype_nbytes(qgc_dtype t, int64_t n, size_t *out);

/* Element access through double / int64, for ops that are not on a hot path.
 * For i4/u4 the index is an element index into the packed buffer. */
double qgc_load_f64(qgc_dtype t, const void *p, int64_t i);
void qgc_store_f64(qgc_dtype t, void *p, int64_t i, double v);
int64_t qgc_load_i64(qgc_dtype t, const void *p, int64_t i);
void qgc_store_i64(qgc_dtype t, void *p, int64_t i, int64_t v);
float qgc_f16_to_f32(uint16_t h);
uint16_t qgc_f32_to_f16(float f); /* round to nearest even */
float qgc_bf16_to_f32(uint16_t h);
uint16_t qgc_f32_to_bf16(float f); /* round to nearest even */

/* ---- types and tensors --------------------------------------------------- */

/* rank == -1: rank unknown. dims[i] == -1: dim unknown; sym[i] then may name
 * it (ONNX dim_param) until `--shape NAME=N` fixes it. */
typedef struct {
    qgc_dtype dtype;
    int rank;
    int64_t dims[QGC_MAX_RANK];
    const char *sym[QGC_MAX_RANK];
} qgc_type;

bool qgc_type_is_static(const qgc_type *t); /* rank known and every dim known */
/* Element count of a static type; -1 if not static or on overflow past 2^62. */
int64_t qgc_type_numel(const qgc_type *t);
bool qgc_type_equal(const qgc_type *a, const qgc_type *b); /* dtype, rank, dims */

/* A tensor: a static type plus data. `data` may be NULL in shape inference
 * (type known, value not). `owned` says whether qgc_tensor_free frees data. */
typedef struct qgc_tensor {
    qgc_type type;
    void *data;
    size_t nbytes;
    bool owned;
} qgc_tensor;

/* Allocates a zero-filled tensor of a static type (malloc). */
qgc_status qgc_tensor_new(const qgc_type *t, qgc_tensor **out, qgc_diag *d);
void qgc_tensor_free(qgc_tensor *t);
int64_t qgc_tensor_numel(const qgc_tensor *t);
/* Row-major strides (in elements) of a static type. */
void qgc_strides(const qgc_type *t, int64_t *strides);

/* ---- quantization annotation -------------------------------------------- */

typedef enum { QGC_QS_TENSOR, QGC_QS_CHANNEL, QGC_QS_GROUP } qgc_qscheme;
typedef enum { QGC_QF_UNIFORM, QGC_QF_LOG2, QGC_QF_LOGSQRT2 } qgc_qformat;

typedef struct {
    qgc_qscheme scheme;
    qgc_qformat format;
    int bits;       /* 2..8, 16 */
    bool is_signed;
    int axis;       /* channel / group axis */
    int group;      /* group size G for QGC_QS_GROUP */
    int n_scales;   /* 1 for per-tensor */
    float *scales;
    int32_t *zero_points;
} qgc_quant;

/* ---- attributes ---------------------------------------------------------- */

typedef enum {
    QGC_ATTR_INT,
    QGC_ATTR_FLOAT,
    QGC_ATTR_STRING,
    QGC_ATTR_INTS,
    QGC_ATTR_FLOATS,
    QGC_ATTR_STRINGS,
    QGC_ATTR_TENSOR,
    QGC_ATTR_GRAPH,
} qgc_attr_kind;

struct qgc_graph;

typedef struct {
    const char *name;
    qgc_attr_kind kind;
    int64_t i;
    float f;
    const char *s;
    int n; /* element count for the list kinds */
    int64_t *ints;
    float *floats;
    const char **strs;
    qgc_tensor *t;
    struct qgc_graph *g;
} qgc_attr;

/* ---- op table ------------------------------------------------------------ */

#define QGC_OP(id, name, onnx, since, min_in, max_in, min_out, max_out, infer, eval) QGC_OP_##id,
typedef enum {
#include "ops.def"
    QGC_OP_COUNT
} qgc_op;
#undef QGC_OP

struct qgc_node;

/* Shape rule. in[i] is NULL for an absent optional input; in[i]->data is
 * NULL when the value is not known (static inference) and set when it is
 * (constants, and always in the interpreter). Fills out[0..n_out). An output
 * whose shape cannot be known yet gets rank -1 or dims -1: not an error.
 * Errors are for inputs no model may give (rank mismatch, bad attribute). */
typedef qgc_status (*qgc_infer_fn)(const struct qgc_node *n, const qgc_tensor *const *in,
                                   qgc_type *out, qgc_diag *d);
/* Reference semantics. Every in[i] has data; out[i] are allocated with the
 * types the infer function gave for these inputs. */
typedef qgc_status (*qgc_eval_fn)(const struct qgc_node *n, const qgc_tensor *const *in,
                                  qgc_tensor *const *out, qgc_diag *d);

typedef struct {
    const char *name;      /* IR name, as printed */
    const char *onnx;      /* ONNX op_type in the default domain, NULL for IR-only ops */
    int since;             /* first ONNX opset whose semantics the IR op has (after import) */
    int min_in, max_in;    /* max_in -1: variadic */
    int min_out, max_out;
    qgc_infer_fn infer;
    qgc_eval_fn eval;
} qgc_op_info;

extern const qgc_op_info qgc_ops[QGC_OP_COUNT];
/* Looks up by IR name; returns QGC_OP_COUNT if none. */
qgc_op qgc_op_by_name(const char *name, size_t len);
qgc_op qgc_op_by_onnx(const char *op_type);

/* ---- values, nodes, graphs ----------------------------------------------- */

typedef struct qgc_value {
    uint32_t id;          /* index in graph->values; printed as %id unless named */
    const char *name;     /* ONNX tensor name, may be NULL for values passes create */
    qgc_type type;
    struct qgc_node *producer; /* NULL for graph inputs and constants */
    int producer_out;
    qgc_tensor *data;     /* constant value, or NULL */
    qgc_quant *quant;     /* NULL when not quantized */
    /* Summary of a constant whose data was not loaded (parsed from a dump
     * without weights): kept so the graph prints back byte-identically. */
    const char *summary;
} qgc_value;

typedef struct qgc_node {
    uint32_t id;
    qgc_op op;
    const char *name;     /* ONNX node name (may be "") — kept through every pass */
    int n_in, n_out;
    qgc_value **in;       /* in[i] NULL for an absent optional input */
    qgc_value **out;
    int n_attr;
    qgc_attr *attr;
} qgc_node;

typedef struct qgc_arena qgc_arena;

typedef struct qgc_graph {
    qgc_arena *arena;
    const char *name;
    int opset;            /* ONNX default-domain opset the model declared */
    qgc_value **values;
    uint32_t n_values, cap_values;
    qgc_node **nodes;     /* topological order */
    uint32_t n_nodes, cap_nodes;
    qgc_value **inputs;
    uint32_t n_inputs;
    qgc_value **outputs;
    uint32_t n_outputs;
    struct qgc_graph *parent; /* enclosing graph of a subgraph, else NULL */
} qgc_graph;

/* Arena: bump allocation in chunks; zeroed memory. */
qgc_arena *qgc_arena_new(void);
void qgc_arena_free(qgc_arena *a);
void *qgc_arena_alloc(qgc_arena *a, size_t n); /* NULL on overflow/out of memory */
char *qgc_arena_strdup(qgc_arena *a, const char *s);
char *qgc_arena_strndup(qgc_arena *a, const char *s, size_t n);

qgc_graph *qgc_graph_new(const char *name); /* NULL on out of memory */
/* A subgraph shares its parent's arena and is freed with it. */
qgc_graph *qgc_graph_new_sub(qgc_graph *parent, const char *name);
void qgc_graph_free(qgc_graph *g);

/* New value with the given type (type may be NULL: unknown). name copied. */
qgc_value *qgc_value_new(qgc_graph *g, const char *name, const qgc_type *type);
/* Hands a malloc'd tensor to the graph (freed with it), e.g. for a TENSOR
 * attribute; returns t, or NULL (t freed) on out of memory. */
qgc_tensor *qgc_graph_own_tensor(qgc_graph *g, qgc_tensor *t);
/* New constant value; takes ownership of t (freed with the graph). */
qgc_value *qgc_const_new(qgc_graph *g, const char *name, qgc_tensor *t);
qgc_status qgc_graph_add_input(qgc_graph *g, qgc_value *v);
qgc_status qgc_graph_add_output(qgc_graph *g, qgc_value *v);
/* Appends a node; creates n_out fresh result values (unknown type) and sets
 * their producer. in may contain NULL for absent optional inputs. */
qgc_node *qgc_node_new(qgc_graph *g, qgc_op op, const char *name,
                       int n_in, qgc_value *const *in, int n_out);
/* Moves node n (e.g. just appended by qgc_node_new) to just before pos in
 * the node list, so a rewrite keeps the list in topological order. Renumbers
 * node ids (a node's id is its index in the list); does nothing if n or pos
 * is not in g's list. */
void qgc_graph_insert_node_before(qgc_graph *g, qgc_node *n, const qgc_node *pos);
/* Removes nodes for which keep[node->id] is false, keeping order. */
void qgc_graph_remove_nodes(qgc_graph *g, const bool *keep);
/* Replaces every use of `from` (node inputs and graph outputs) with `to`. */
void qgc_value_replace_uses(qgc_graph *g, qgc_value *from, qgc_value *to);

/* Attribute constructors (copy their arguments into the graph arena). */
qgc_attr *qgc_node_add_attr(qgc_graph *g, qgc_node *n, const char *name, qgc_attr_kind kind);
qgc_status qgc_node_set_int(qgc_graph *g, qgc_node *n, const char *name, int64_t v);
qgc_status qgc_node_set_float(qgc_graph *g, qgc_node *n, const char *name, float v);
qgc_status qgc_node_set_string(qgc_graph *g, qgc_node *n, const char *name, const char *v);
qgc_status qgc_node_set_ints(qgc_graph *g, qgc_node *n, const char *name, const int64_t *v, int count);
qgc_status qgc_node_set_floats(qgc_graph *g, qgc_node *n, const char *name, const float *v, int count);

/* Attribute getters. */
const qgc_attr *qgc_attr_get(const qgc_node *n, const char *name);
int64_t qgc_attr_int(const qgc_node *n, const char *name, int64_t dflt);
float qgc_attr_float(const qgc_node *n, const char *name, float dflt);
const char *qgc_attr_string(const qgc_node *n, const char *name, const char *dflt);
/* Returns the list and its length in *count, or NULL (and *count = 0) if absent. */
const int64_t *qgc_attr_ints(const qgc_node *n, const char *name, int *count);
const float *qgc_attr_floats(const qgc_node *n, const char *name, int *count);

/* "node 'Conv_0' (conv)" style label for diagnostics. */
const char *qgc_node_label(const qgc_node *n, char *buf, size_t size);

#endif
