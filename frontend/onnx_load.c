/* ONNX ModelProto -> qgc_graph: values, constants, nodes, attributes. The
 * older op forms are rewritten by onnx_opset.c; tensors come from
 * onnx_tensor.c; types and --shape overrides from onnx_types.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"
#include "ops.h"

/* ---- name -> pointer map (open addressing; keys outlive the map) -------- */

typedef struct {
    const char **keys;
    void **vals;
    size_t cap, n;
} name_map;

static size_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static void **map_find(const name_map *m, const char *key) {
    if (!m->cap) return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->keys[i]) return NULL;
        if (strcmp(m->keys[i], key) == 0) return &m->vals[i];
    }
}

static void *map_get(const name_map *m, const char *key) {
    void **p = map_find(m, key);
    return p ? *p : NULL;
}

static bool map_put(name_map *m, const char *key, void *val) {
    void **p = map_find(m, key);
    if (p) {
        *p = val;
        return true;
    }
    if (2 * (m->n + 1) > m->cap) {
        name_map bigger = {0};
        bigger.cap = m->cap ? m->cap * 2 : 64;
        bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
        bigger.vals = calloc(bigger.cap, sizeof *bigger.vals);
        if (!bigger.keys || !bigger.vals) {
            free(bigger.keys);
            free(bigger.vals);
            return false;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) map_put(&bigger, m->keys[i], m->vals[i]);
        free(m->keys);
        free(m->vals);
        *m = bigger;
    }
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->keys[i]) i = (i + 1) & (m->cap - 1);
    m->keys[i] = key;
    m->vals[i] = val;
    m->n++;
    return true;
}

static void map_free(name_map *m) {
    free(m->keys);
    free(m->vals);
}

/* ---- loader state ------------------------------------------------------- */

typedef struct {
    qgc_graph *g;
    int opset;
    qgc_onnx_tensor_src src;
    name_map values;  /* tensor name -> qgc_value* */
    name_map types;   /* tensor name -> const Onnx__TypeProto* (value_info, outputs) */
    name_map defined; /* every node output name -> non-NULL, for use-before-def */
    qgc_diag *d;
} load_ctx;

static const char *str_or_empty(const char *s) { return s ? s : ""; }

static qgc_status nomem(qgc_diag *d) { return qgc_fail(d, QGC_ERR_NOMEM, "out of memory"); }

/* Binds an ONNX tensor name to v; a name may be defined once. */
static qgc_status bind_name(load_ctx *c, const char *name, qgc_value *v, const char *who) {
    if (map_get(&c->values, name))
        return qgc_fail(c->d, QGC_ERR_INVALID, "%s: tensor '%s' is defined twice", who, name);
    if (!v->name && !(v->name = qgc_arena_strdup(c->g->arena, name))) return nomem(c->d);
    return map_put(&c->values, name, v) ? QGC_OK : nomem(c->d);
}

/* Gives a node output the type value_info or the graph outputs declare. A type
 * the IR cannot hold is left unknown here (graph outputs are checked later). */
static void declared_type(load_ctx *c, const char *name, qgc_value *v) {
    const Onnx__TypeProto *tp = map_get(&c->types, name);
    qgc_type t;
    if (tp && qgc_onnx_type(c->g, tp, name, &t, NULL) == QGC_OK) v->type = t;
}

/* ---- attributes --------------------------------------------------------- */

/* Kinds of the attribute names many ops share, so a mistyped one is an error
 * here instead of being silently read as its default later. */
static const struct {
    const char *name;
    qgc_attr_kind kind;
} known_attrs[] = {
    {"axis", QGC_ATTR_INT},          {"axes", QGC_ATTR_INTS},      {"keepdims", QGC_ATTR_INT},
    {"perm", QGC_ATTR_INTS},         {"kernel_shape", QGC_ATTR_INTS}, {"strides", QGC_ATTR_INTS},
    {"pads", QGC_ATTR_INTS},         {"dilations", QGC_ATTR_INTS}, {"group", QGC_ATTR_INT},
    {"auto_pad", QGC_ATTR_STRING},   {"mode", QGC_ATTR_STRING},    {"alpha", QGC_ATTR_FLOAT},
    {"beta", QGC_ATTR_FLOAT},        {"epsilon", QGC_ATTR_FLOAT},  {"to", QGC_ATTR_INT},
    {"starts", QGC_ATTR_INTS},       {"ends", QGC_ATTR_INTS},      {"split", QGC_ATTR_INTS},
    {"scales", QGC_ATTR_FLOATS},     {"min", QGC_ATTR_FLOAT},      {"max", QGC_ATTR_FLOAT},
    {"ratio", QGC_ATTR_FLOAT},       {"k", QGC_ATTR_INT},          {"transA", QGC_ATTR_INT},
    {"transB", QGC_ATTR_INT},        {"broadcast", QGC_ATTR_INT},  {"spatial", QGC_ATTR_INT},
};

static const char *const attr_kind_names[] = {"INT", "FLOAT", "STRING", "INTS",
                                              "FLOATS", "STRINGS", "TENSOR", "GRAPH"};

static qgc_status attr_kind(const Onnx__AttributeProto *ap, const char *label,
                            qgc_attr_kind *kind, qgc_diag *d) {
    typedef Onnx__AttributeProto__AttributeType T;
    T ty = ap->has_type ? ap->type : ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
    if (ty == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED) {
        /* IR version 1 had no type field: the set field says it. */
        ty = ap->has_f ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
           : ap->has_i ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
           : ap->has_s ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
           : ap->t ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR
           : ap->g ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH
           : ap->n_floats ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS
           : ap->n_strings ? ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS
           : ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    }
    switch (ty) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: *kind = QGC_ATTR_FLOAT; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: *kind = QGC_ATTR_INT; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: *kind = QGC_ATTR_STRING; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: *kind = QGC_ATTR_TENSOR; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: *kind = QGC_ATTR_FLOATS; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: *kind = QGC_ATTR_INTS; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: *kind = QGC_ATTR_STRINGS; break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS:
        return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                        "node %s: graph attribute '%s' is not supported (control flow)", label,
                        str_or_empty(ap->name));
    default:
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "node %s: attribute '%s' of type %d is not "
                        "supported", label, str_or_empty(ap->name), (int)ty);
    }
    for (size_t i = 0; i < sizeof known_attrs / sizeof known_attrs[0]; i++)
        if (strcmp(known_attrs[i].name, str_or_empty(ap->name)) == 0 &&
            known_attrs[i].kind != *kind)
            return qgc_fail(d, QGC_ERR_INVALID, "node %s: attribute '%s' must be %s, not %s",
                            label, ap->name, attr_kind_names[known_attrs[i].kind],
                            attr_kind_names[*kind]);
    return QGC_OK;
}

static void *arena_copy(qgc_arena *a, const void *src, size_t n, size_t elem) {
    void *p = qgc_arena_alloc(a, n * elem + 1);
    if (p && n) memcpy(p, src, n * elem);
    return p;
}

static qgc_status convert_attr(load_ctx *c, const Onnx__AttributeProto *ap, const char *label,
                               qgc_attr *a) {
    qgc_arena *ar = c->g->arena;
    memset(a, 0, sizeof *a);
    qgc_status st = attr_kind(ap, label, &a->kind, c->d);
    if (st) return st;
    if (!(a->name = qgc_arena_strdup(ar, str_or_empty(ap->name)))) return nomem(c->d);
    size_t n = a->kind == QGC_ATTR_INTS ? ap->n_ints
             : a->kind == QGC_ATTR_FLOATS ? ap->n_floats
             : a->kind == QGC_ATTR_STRINGS ? ap->n_strings : 0;
    if (n > INT_MAX) return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: attribute too long", label);
    a->n = (int)n;
    switch (a->kind) {
    case QGC_ATTR_INT: a->i = ap->i; break;
    case QGC_ATTR_FLOAT: a->f = ap->f; break;
    case QGC_ATTR_STRING:
        if (!(a->s = qgc_arena_strndup(ar, ap->s.len ? (const char *)ap->s.data : "",
                                       ap->s.len)))
            return nomem(c->d);
        break;
    case QGC_ATTR_INTS:
        if (!(a->ints = arena_copy(ar, ap->ints, n, sizeof *ap->ints))) return nomem(c->d);
        break;
    case QGC_ATTR_FLOATS:
        if (!(a->floats = arena_copy(ar, ap->floats, n, sizeof *ap->floats))) return nomem(c->d);
        break;
    case QGC_ATTR_STRINGS:
        if (!(a->strs = qgc_arena_alloc(ar, (n + 1) * sizeof *a->strs))) return nomem(c->d);
        for (size_t i = 0; i < n; i++)
            if (!(a->strs[i] = qgc_arena_strndup(
                      ar, ap->strings[i].len ? (const char *)ap->strings[i].data : "",
                      ap->strings[i].len)))
                return nomem(c->d);
        break;
    case QGC_ATTR_TENSOR:
        if (!ap->t)
            return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: tensor attribute '%s' is empty",
                            label, a->name);
        if ((st = qgc_onnx_tensor(ap->t, "attribute tensor", &c->src, &a->t, c->d))) return st;
        if (!qgc_graph_own_tensor(c->g, a->t)) return nomem(c->d);
        break;
    case QGC_ATTR_GRAPH: break; /* refused by attr_kind */
    }
    return QGC_OK;
}

/* ---- Constant nodes ----------------------------------------------------- */

static qgc_status scalar_or_list(load_ctx *c, qgc_dtype dt, const void *vals, size_t n,
                                 bool list, qgc_tensor **out) {
    qgc_type ty = {.dtype = dt, .rank = list ? 1 : 0, .dims = {(int64_t)n}};
    size_t nbytes;
    if (!qgc_dtype_nbytes(dt, (int64_t)n, &nbytes) || nbytes > c->src.budget)
        return qgc_fail(c->d, QGC_ERR_NOMEM, "constants exceed the limit of max_tensor_bytes");
    qgc_status st = qgc_tensor_new(&ty, out, c->d);
    if (st) return st;
    if (nbytes) memcpy((*out)->data, vals, nbytes);
    c->src.budget -= nbytes;
    return QGC_OK;
}

/* Constant (opsets 1-13): exactly one of value, value_float(s), value_int(s). */
static qgc_status import_constant(load_ctx *c, const Onnx__NodeProto *np, const char *label) {
    if (np->n_output != 1 || !np->output[0][0] || np->n_input != 0 || np->n_attribute != 1)
        return qgc_fail(c->d, QGC_ERR_INVALID,
                        "node %s: Constant needs one output, no input and one attribute", label);
    const Onnx__AttributeProto *ap = np->attribute[0];
    const char *an = str_or_empty(ap->name);
    qgc_attr_kind kind;
    qgc_status st = attr_kind(ap, label, &kind, c->d);
    if (st) return st;
    qgc_tensor *t = NULL;
    if (strcmp(an, "value") == 0 && kind == QGC_ATTR_TENSOR && ap->t)
        st = qgc_onnx_tensor(ap->t, "constant", &c->src, &t, c->d);
    else if (strcmp(an, "value_float") == 0 && kind == QGC_ATTR_FLOAT)
        st = scalar_or_list(c, QGC_F32, &ap->f, 1, false, &t);
    else if (strcmp(an, "value_floats") == 0 && kind == QGC_ATTR_FLOATS)
        st = scalar_or_list(c, QGC_F32, ap->floats, ap->n_floats, true, &t);
    else if (strcmp(an, "value_int") == 0 && kind == QGC_ATTR_INT)
        st = scalar_or_list(c, QGC_I64, &ap->i, 1, false, &t);
    else if (strcmp(an, "value_ints") == 0 && kind == QGC_ATTR_INTS)
        st = scalar_or_list(c, QGC_I64, ap->ints, ap->n_ints, true, &t);
    else if (strcmp(an, "sparse_value") == 0 || strncmp(an, "value_string", 12) == 0)
        return qgc_fail(c->d, QGC_ERR_UNSUPPORTED, "node %s: Constant attribute '%s' is not "
                        "supported", label, an);
    else
        return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: Constant with attribute '%s' of "
                        "kind %s", label, an, attr_kind_names[kind]);
    if (st) return st;
    qgc_value *v = qgc_const_new(c->g, NULL, t);
    if (!v) return nomem(c->d);
    return bind_name(c, np->output[0], v, label);
}

/* ---- nodes -------------------------------------------------------------- */

static qgc_status resolve_input(load_ctx *c, const char *name, const char *label,
                                qgc_value **out) {
    *out = NULL;
    if (!name[0]) return QGC_OK; /* absent optional input */
    if ((*out = map_get(&c->values, name))) return QGC_OK;
    if (map_get(&c->defined, name))
        return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: input '%s' is used before the node "
                        "that defines it (nodes must be in topological order)", label, name);
    return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: input '%s' is not defined", label, name);
}

static qgc_status check_arity(const qgc_onnx_node *nd, qgc_diag *d) {
    const qgc_op_info *oi = &qgc_ops[nd->op];
    const char *what[2] = {"inputs", "outputs"};
    int have[2] = {nd->n_in, nd->n_out}, lo[2] = {oi->min_in, oi->min_out},
        hi[2] = {oi->max_in, oi->max_out};
    for (int k = 0; k < 2; k++) {
        if (have[k] < lo[k])
            return qgc_fail(d, QGC_ERR_INVALID, "node %s (%s): %d %s, needs at least %d",
                            nd->label, nd->op_type, have[k], what[k], lo[k]);
        /* More than the table has: optional extras (training outputs, newer
         * inputs) a valid model may use but the IR does not implement. */
        if (hi[k] >= 0 && have[k] > hi[k])
            return qgc_fail(d, QGC_ERR_UNSUPPORTED, "node %s (%s): %d %s, at most %d supported",
                            nd->label, nd->op_type, have[k], what[k], hi[k]);
    }
    for (int i = 0; i < oi->min_in; i++)
        if (!nd->in[i])
            return qgc_fail(d, QGC_ERR_INVALID, "node %s (%s): required input %d is absent",
                            nd->label, nd->op_type, i);
    return QGC_OK;
}

static qgc_status import_node(load_ctx *c, const Onnx__NodeProto *np, size_t idx) {
    char fallback[32];
    const char *name = str_or_empty(np->name), *op_type = str_or_empty(np->op_type);
    const char *label = name;
    if (!label[0]) {
        snprintf(fallback, sizeof fallback, "#%zu", idx);
        label = np->n_output && np->output[0][0] ? np->output[0] : fallback;
    }
    const char *domain = str_or_empty(np->domain);
    if (domain[0] && strcmp(domain, "ai.onnx") != 0)
        return qgc_fail(c->d, QGC_ERR_UNSUPPORTED, "unsupported op %s.%s (node %s)", domain,
                        op_type, label);
    if (strcmp(op_type, "Constant") == 0) return import_constant(c, np, label);

    qgc_onnx_node nd = {.g = c->g, .name = name, .label = label, .op_type = op_type,
                        .opset = c->opset};
    qgc_status st = qgc_onnx_resolve_op(&nd, c->d);
    if (st) return st;
    size_t n_out = np->n_output;
    while (n_out > 0 && !np->output[n_out - 1][0]) n_out--; /* trailing absent outputs */
    if (np->n_input > INT_MAX / 2 || n_out > INT_MAX || np->n_attribute > INT_MAX / 2)
        return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: too many inputs or attributes", label);
    nd.n_out = (int)n_out;
    nd.cap_in = (int)np->n_input + 4;
    nd.cap_attr = (int)np->n_attribute + 4;
    nd.in = qgc_arena_alloc(c->g->arena, sizeof *nd.in * (size_t)nd.cap_in);
    nd.attr = qgc_arena_alloc(c->g->arena, sizeof *nd.attr * (size_t)nd.cap_attr);
    if (!nd.in || !nd.attr) return nomem(c->d);
    for (size_t i = 0; i < np->n_input; i++)
        if ((st = resolve_input(c, np->input[i], label, &nd.in[nd.n_in++]))) return st;
    while (nd.n_in > 0 && !nd.in[nd.n_in - 1]) nd.n_in--; /* trailing absent inputs */
    for (size_t i = 0; i < np->n_attribute; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(str_or_empty(np->attribute[i]->name),
                       str_or_empty(np->attribute[j]->name)) == 0)
                return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: attribute '%s' given twice",
                                label, str_or_empty(np->attribute[i]->name));
        if ((st = convert_attr(c, np->attribute[i], label, &nd.attr[nd.n_attr++]))) return st;
    }
    for (size_t i = 0; i < n_out; i++)
        if (np->output[i][0] && map_get(&c->values, np->output[i]))
            return qgc_fail(c->d, QGC_ERR_INVALID, "node %s: output '%s' is already defined",
                            label, np->output[i]);

    if ((st = qgc_onnx_rewrite(&nd, c->d)) || (st = check_arity(&nd, c->d))) return st;
    qgc_node *n = qgc_node_new(c->g, nd.op, name, nd.n_in, nd.in, nd.n_out);
    if (!n) return nomem(c->d);
    n->attr = nd.attr;
    n->n_attr = nd.n_attr;
    qgc_value **outs = qgc_arena_alloc(c->g->arena, sizeof *outs * (n_out + 1));
    if (!outs) return nomem(c->d);
    memcpy(outs, n->out, sizeof *outs * n_out);
    if ((st = qgc_onnx_finish(&nd, n, outs, c->d))) return st;
    for (size_t i = 0; i < n_out; i++) {
        if (!np->output[i][0]) continue;
        declared_type(c, np->output[i], outs[i]);
        if ((st = bind_name(c, np->output[i], outs[i], label))) return st;
    }
    return QGC_OK;
}

/* ---- graph -------------------------------------------------------------- */

static qgc_status import_graph(load_ctx *c, const Onnx__GraphProto *gp) {
    qgc_status st;
    if (gp->n_sparse_initializer)
        return qgc_fail(c->d, QGC_ERR_UNSUPPORTED, "sparse initializers are not supported");
    for (size_t i = 0; i < gp->n_value_info; i++)
        if (gp->value_info[i]->name && !map_put(&c->types, gp->value_info[i]->name,
                                                gp->value_info[i]->type))
            return nomem(c->d);
    for (size_t i = 0; i < gp->n_output; i++)
        if (gp->output[i]->name && !map_put(&c->types, gp->output[i]->name, gp->output[i]->type))
            return nomem(c->d);
    for (size_t i = 0; i < gp->n_node; i++)
        for (size_t j = 0; j < gp->node[i]->n_output; j++)
            if (gp->node[i]->output[j][0] &&
                !map_put(&c->defined, gp->node[i]->output[j], gp->node[i]))
                return nomem(c->d);

    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *tp = gp->initializer[i];
        qgc_tensor *t;
        if ((st = qgc_onnx_tensor(tp, "initializer", &c->src, &t, c->d))) return st;
        qgc_value *v = qgc_const_new(c->g, NULL, t);
        if (!v) return nomem(c->d);
        if ((st = bind_name(c, str_or_empty(tp->name), v, "initializer"))) return st;
    }
    /* Old exporters list initializers among the inputs: those are constants. */
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *name = str_or_empty(gp->input[i]->name);
        qgc_value *prev = map_get(&c->values, name);
        if (prev && prev->data) continue;
        qgc_type t;
        char what[300];
        snprintf(what, sizeof what, "graph input '%.256s'", name);
        if ((st = qgc_onnx_type(c->g, gp->input[i]->type, what, &t, c->d))) return st;
        qgc_value *v = qgc_value_new(c->g, NULL, &t);
        if (!v) return nomem(c->d);
        if ((st = bind_name(c, name, v, "graph input"))) return st;
        if (qgc_graph_add_input(c->g, v)) return nomem(c->d);
    }
    for (size_t i = 0; i < gp->n_node; i++)
        if ((st = import_node(c, gp->node[i], i))) return st;
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = str_or_empty(gp->output[i]->name);
        qgc_value *v = map_get(&c->values, name);
        if (!v)
            return qgc_fail(c->d, QGC_ERR_INVALID, "graph output '%s' is not defined", name);
        qgc_type t;
        char what[300];
        snprintf(what, sizeof what, "graph output '%.256s'", name);
        if ((st = qgc_onnx_type(c->g, gp->output[i]->type, what, &t, c->d))) return st;
        if (qgc_graph_add_output(c->g, v)) return nomem(c->d);
    }
    return QGC_OK;
}

static qgc_status model_opset(const Onnx__ModelProto *m, int *opset, qgc_diag *d) {
    *opset = 1; /* IR version 1-2 models had no opset_import */
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const char *dom = str_or_empty(m->opset_import[i]->domain);
        if (dom[0] && strcmp(dom, "ai.onnx") != 0) continue;
        int64_t v = m->opset_import[i]->version;
        if (v > QGC_MAX_OPSET)
            return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                            "opset %lld is not supported (newest supported: %d)", (long long)v,
                            QGC_MAX_OPSET);
        if (v < QGC_MIN_OPSET)
            return qgc_fail(d, QGC_ERR_INVALID, "invalid opset %lld", (long long)v);
        *opset = (int)v;
    }
    return QGC_OK;
}

qgc_status qgc_onnx_load_buffer(const void *buf, size_t len, const char *base_dir,
                                const qgc_load_options *opt, qgc_graph **out, qgc_diag *d) {
    *out = NULL;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m) return qgc_fail(d, QGC_ERR_PARSE, "not an ONNX model (protobuf does not parse)");
    load_ctx c = {.d = d};
    c.src.base_dir = base_dir;
    c.src.budget = opt && opt->max_tensor_bytes ? opt->max_tensor_bytes
                                                : QGC_DEFAULT_MAX_TENSOR_BYTES;
    qgc_status st = model_opset(m, &c.opset, d);
    if (!st && !m->graph) st = qgc_fail(d, QGC_ERR_INVALID, "the model has no graph");
    if (!st && !(c.g = qgc_graph_new(m->graph->name && m->graph->name[0] ? m->graph->name
                                                                          : "main")))
        st = nomem(d);
    if (!st) {
        c.g->opset = c.opset;
        st = import_graph(&c, m->graph);
    }
    if (!st) st = qgc_onnx_apply_shapes(c.g, opt, d);
    map_free(&c.values);
    map_free(&c.types);
    map_free(&c.defined);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st) {
        qgc_graph_free(c.g);
        return st;
    }
    *out = c.g;
    return QGC_OK;
}

qgc_status qgc_onnx_load(const char *path, const qgc_load_options *opt, qgc_graph **out,
                         qgc_diag *d) {
    *out = NULL;
    uint64_t limit = opt && opt->max_tensor_bytes ? opt->max_tensor_bytes
                                                  : QGC_DEFAULT_MAX_TENSOR_BYTES;
    void *buf;
    size_t len;
    /* The file holds the tensors plus the graph; allow the graph 256 MiB. */
    uint64_t graph_bytes = UINT64_C(256) << 20;
    limit = limit > UINT64_MAX - graph_bytes ? UINT64_MAX : limit + graph_bytes;
    qgc_status st = qgc_read_file(path, limit, &buf, &len, d);
    if (st) return st;
    char *dir = strdup(path);
    if (!dir) {
        free(buf);
        return nomem(d);
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = 0;
    st = qgc_onnx_load_buffer(buf, len, slash ? dir : ".", opt, out, d);
    free(dir);
    free(buf);
    return st;
}

/* ---- helpers for onnx_opset.c ------------------------------------------- */

qgc_status qgc_onnx_push_input(qgc_onnx_node *nd, qgc_value *v, qgc_diag *d) {
    if (nd->n_in == nd->cap_in) {
        int cap = nd->cap_in * 2 + 4;
        qgc_value **p = qgc_arena_alloc(nd->g->arena, sizeof *p * (size_t)cap);
        if (!p) return nomem(d);
        memcpy(p, nd->in, sizeof *p * (size_t)nd->n_in);
        nd->in = p;
        nd->cap_in = cap;
    }
    nd->in[nd->n_in++] = v;
    return QGC_OK;
}

qgc_attr *qgc_onnx_find_attr(qgc_onnx_node *nd, const char *name) {
    for (int i = 0; i < nd->n_attr; i++)
        if (strcmp(nd->attr[i].name, name) == 0) return &nd->attr[i];
    return NULL;
}

void qgc_onnx_drop_attr(qgc_onnx_node *nd, const char *name) {
    qgc_attr *a = qgc_onnx_find_attr(nd, name);
    if (!a) return;
    int i = (int)(a - nd->attr);
    memmove(a, a + 1, sizeof *a * (size_t)(nd->n_attr - i - 1));
    nd->n_attr--;
}

qgc_status qgc_onnx_add_attr(qgc_onnx_node *nd, const qgc_attr *a, qgc_diag *d) {
    qgc_onnx_drop_attr(nd, a->name);
    if (nd->n_attr == nd->cap_attr) {
        int cap = nd->cap_attr * 2 + 4;
        qgc_attr *p = qgc_arena_alloc(nd->g->arena, sizeof *p * (size_t)cap);
        if (!p) return nomem(d);
        memcpy(p, nd->attr, sizeof *p * (size_t)nd->n_attr);
        nd->attr = p;
        nd->cap_attr = cap;
    }
    nd->attr[nd->n_attr++] = *a;
    return QGC_OK;
}
