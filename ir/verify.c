/* The graph verifier: the structural invariants every pass must keep.
 *
 * Values are visible from their definition on, in their graph and in the
 * subgraphs of later nodes. A subgraph is checked when its node is reached,
 * so its uses of the enclosing graph see exactly the values defined before
 * that node. Visibility is tracked with one map per kind (values, names)
 * whose entries remember the scope that defined them; a scope is live while
 * it is on the stack `active`. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrmap.h"
#include "text_internal.h"

typedef struct {
    qgc_diag *d;
    qgc_ptrmap values; /* value -> scope tag */
    /* names -> scope tag, open addressing */
    const char **names;
    uint64_t *name_tags;
    size_t names_cap, names_n;
    uint32_t active[QGC_TEXT_MAX_DEPTH + 1];
    uint32_t next_scope;
    int depth;
} verifier;

static uint64_t tag(const verifier *V) { return (uint64_t)V->depth << 32 | V->active[V->depth]; }

static bool live(const verifier *V, uint64_t t) {
    int depth = (int)(t >> 32);
    return depth <= V->depth && V->active[depth] == (uint32_t)t;
}

static const char *value_label(const qgc_value *v, char *buf, size_t size) {
    if (v->name) snprintf(buf, size, "value '%s'", v->name);
    else snprintf(buf, size, "value #%u", v->id);
    return buf;
}

static const char *gname(const qgc_graph *g) { return g->name ? g->name : ""; }

static qgc_status bad(verifier *V, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static qgc_status bad(verifier *V, const char *fmt, ...) {
    if (V->d) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(V->d->msg, sizeof V->d->msg, fmt, ap);
        va_end(ap);
    }
    return QGC_ERR_INVALID;
}

static qgc_status nomem(verifier *V) {
    return qgc_fail(V->d, QGC_ERR_NOMEM, "out of memory verifying the graph");
}

/* ---- names --------------------------------------------------------------- */

static bool names_grow(verifier *V) {
    size_t cap = V->names_cap ? V->names_cap * 2 : 64;
    const char **names = calloc(cap, sizeof *names);
    uint64_t *tags = calloc(cap, sizeof *tags);
    if (!names || !tags) {
        free(names);
        free(tags);
        return false;
    }
    for (size_t i = 0; i < V->names_cap; i++) {
        if (!V->names[i]) continue;
        size_t j = qgc_text_hash(V->names[i], strlen(V->names[i])) & (cap - 1);
        while (names[j]) j = (j + 1) & (cap - 1);
        names[j] = V->names[i];
        tags[j] = V->name_tags[i];
    }
    free(V->names);
    free(V->name_tags);
    V->names = names;
    V->name_tags = tags;
    V->names_cap = cap;
    return true;
}

/* Claims v's name for the current scope; QGC_ERR_INVALID if a live scope
 * has it. */
static qgc_status claim_name(verifier *V, const qgc_value *v) {
    if (!v->name) return QGC_OK;
    if ((V->names_n + 1) * 2 > V->names_cap && !names_grow(V)) return nomem(V);
    size_t j = qgc_text_hash(v->name, strlen(v->name)) & (V->names_cap - 1);
    while (V->names[j] && strcmp(V->names[j], v->name) != 0) j = (j + 1) & (V->names_cap - 1);
    if (V->names[j] && live(V, V->name_tags[j]))
        return QGC_ERR_INVALID; /* define() says which */
    if (!V->names[j]) V->names_n++;
    V->names[j] = v->name;
    V->name_tags[j] = tag(V);
    return QGC_OK;
}

/* ---- values -------------------------------------------------------------- */

static bool visible(const verifier *V, const qgc_value *v) {
    uint64_t t;
    return qgc_ptrmap_get(&V->values, v, &t) && live(V, t);
}

/* `who` names the value (and its node) in messages. */
static qgc_status check_type(verifier *V, const qgc_value *v, const char *who) {
    const qgc_type *t = &v->type;
    if (t->dtype != QGC_UNDEF && !qgc_dtype_name(t->dtype))
        return bad(V, "%s: invalid dtype %d", who, (int)t->dtype);
    if (t->rank < -1 || t->rank > QGC_MAX_RANK)
        return bad(V, "%s: rank %d out of range", who, t->rank);
    for (int i = 0; i < t->rank; i++)
        if (t->dims[i] < -1)
            return bad(V, "%s: dim %d is %lld", who, i, (long long)t->dims[i]);
    return QGC_OK;
}

/* Data whose size and type agree with the declared type. */
static bool data_fits(const qgc_type *t, const qgc_tensor *x) {
    int64_t n = qgc_type_numel(t);
    size_t nbytes;
    return n >= 0 && t->dtype != QGC_STRING && qgc_dtype_nbytes(t->dtype, n, &nbytes) &&
           x->nbytes == nbytes && (x->data || nbytes == 0) && qgc_type_equal(&x->type, t);
}

static qgc_status check_quant(verifier *V, const qgc_value *v, const char *b) {
    const qgc_quant *q = v->quant;
    const qgc_type *t = &v->type;
    if (!(q->bits >= 2 && q->bits <= 8) && q->bits != 16)
        return bad(V, "%s: quantization bits %d (need 2..8 or 16)", b, q->bits);
    if ((unsigned)q->scheme > QGC_QS_GROUP || (unsigned)q->format > QGC_QF_LOGSQRT2)
        return bad(V, "%s: invalid quantization scheme or format", b);
    /* The integer codes live in the narrowest dtype that holds them. */
    qgc_dtype want = q->bits <= 4 ? (q->is_signed ? QGC_I4 : QGC_U4)
                     : q->bits <= 8 ? (q->is_signed ? QGC_I8 : QGC_U8)
                                    : (q->is_signed ? QGC_I16 : QGC_U16);
    if (t->dtype != want)
        return bad(V, "%s: %d-bit %s quantization needs dtype %s, not %s", b, q->bits,
            q->is_signed ? "signed" : "unsigned", qgc_dtype_name(want),
            qgc_dtype_name(t->dtype) ? qgc_dtype_name(t->dtype) : "?");
    if (q->n_scales < 1 || !q->scales) return bad(V, "%s: quantization has no scales", b);
    if (q->scheme != QGC_QS_TENSOR && (q->axis < 0 || (t->rank >= 0 && q->axis >= t->rank)))
        return bad(V, "%s: quantization axis %d out of range for rank %d", b, q->axis, t->rank);
    int64_t dim = q->scheme != QGC_QS_TENSOR && t->rank >= 0 ? t->dims[q->axis] : -1;
    int64_t numel = qgc_type_numel(t);
    if (q->scheme == QGC_QS_TENSOR && q->n_scales != 1)
        return bad(V, "%s: per-tensor quantization needs 1 scale, has %d", b, q->n_scales);
    if (q->scheme == QGC_QS_CHANNEL && dim >= 0 && q->n_scales != dim)
        return bad(V, "%s: per-channel quantization on axis %d needs %lld scales, has %d", b,
                   q->axis, (long long)dim, q->n_scales);
    if (q->scheme == QGC_QS_GROUP) {
        if (q->group < 1 || (dim >= 0 && dim % q->group))
            return bad(V, "%s: group size %d does not divide dim %lld", b, q->group,
                       (long long)dim);
        if (numel >= 0 && q->n_scales != numel / q->group)
            return bad(V, "%s: %d scales for %lld groups", b, q->n_scales,
                       (long long)(numel / q->group));
    }
    int64_t lo = q->is_signed ? -(INT64_C(1) << (q->bits - 1)) : 0;
    int64_t hi = q->is_signed ? (INT64_C(1) << (q->bits - 1)) - 1 : (INT64_C(1) << q->bits) - 1;
    for (int i = 0; i < q->n_scales; i++) {
        if (!(q->scales[i] > 0) || isinf(q->scales[i]))
            return bad(V, "%s: scale %d is not positive and finite", b, i);
        if (q->zero_points && (q->zero_points[i] < lo || q->zero_points[i] > hi))
            return bad(V, "%s: zero point %d (%d) outside [%lld, %lld]", b, i,
                       (int)q->zero_points[i], (long long)lo, (long long)hi);
    }
    return QGC_OK;
}

/* A value becomes visible: one definition, in this graph's value list, a
 * well-formed type and annotation, a name no live value has. */
static qgc_status define(verifier *V, const qgc_graph *g, const qgc_value *v, const qgc_node *n) {
    char who[340], vb[160], nb[160];
    value_label(v, vb, sizeof vb);
    if (n)
        snprintf(who, sizeof who, "%s: output %d (%s)", qgc_node_label(n, nb, sizeof nb),
                 v->producer_out, vb);
    else snprintf(who, sizeof who, "%s", vb);
    qgc_status st;
    if (visible(V, v)) return bad(V, "%s is defined twice", who);
    if (v->id >= g->n_values || g->values[v->id] != v)
        return bad(V, "%s is not in the value list of graph '%s' at its id", who,
                        gname(g));
    if ((st = check_type(V, v, who)) || (v->quant && (st = check_quant(V, v, who)))) return st;
    if (v->name && (st = claim_name(V, v)))
        return st == QGC_ERR_NOMEM ? nomem(V) : bad(V, "%s: another value has the same name", who);
    if (v->data && !data_fits(&v->type, v->data))
        return bad(V, "%s: its data does not match its type", who);
    return qgc_ptrmap_put(&V->values, v, tag(V)) ? QGC_OK : nomem(V);
}

/* ---- nodes --------------------------------------------------------------- */

static qgc_status verify_graph(verifier *V, const qgc_graph *g);

static qgc_status check_attrs(verifier *V, const qgc_node *n) {
    char b[160];
    qgc_node_label(n, b, sizeof b);
    for (int i = 0; i < n->n_attr; i++) {
        const qgc_attr *a = &n->attr[i];
        if (!a->name) return bad(V, "%s: attribute %d has no name", b, i);
        for (int j = 0; j < i; j++)
            if (!strcmp(n->attr[j].name, a->name))
                return bad(V, "%s: attribute '%s' given twice", b, a->name);
        bool ok = true;
        switch (a->kind) {
        case QGC_ATTR_INT: case QGC_ATTR_FLOAT: break;
        case QGC_ATTR_STRING: ok = a->s != NULL; break;
        case QGC_ATTR_INTS: ok = a->n >= 0 && (a->n == 0 || a->ints); break;
        case QGC_ATTR_FLOATS: ok = a->n >= 0 && (a->n == 0 || a->floats); break;
        case QGC_ATTR_STRINGS:
            ok = a->n >= 0 && (a->n == 0 || a->strs);
            for (int j = 0; ok && j < a->n; j++) ok = a->strs[j] != NULL;
            break;
        case QGC_ATTR_TENSOR: ok = a->t && (!a->t->data || data_fits(&a->t->type, a->t)); break;
        case QGC_ATTR_GRAPH: ok = a->g != NULL; break;
        default: ok = false; break;
        }
        if (!ok) return bad(V, "%s: attribute '%s' is malformed", b, a->name);
        if (a->kind == QGC_ATTR_GRAPH) {
            qgc_status st = verify_graph(V, a->g);
            if (st) return st;
        }
    }
    return QGC_OK;
}

static qgc_status verify_node(verifier *V, const qgc_graph *g, const qgc_node *n, uint32_t index) {
    char b[160], vb[160];
    if (n->id != index) return bad(V, "node %u of graph '%s' has id %u", index, gname(g), n->id);
    if ((unsigned)n->op >= QGC_OP_COUNT)
        return bad(V, "node %u of graph '%s': op id %d out of range", index, gname(g), (int)n->op);
    const qgc_op_info *op = &qgc_ops[n->op];
    qgc_node_label(n, b, sizeof b);
    if (n->n_in < op->min_in || (op->max_in >= 0 && n->n_in > op->max_in) ||
        n->n_out < op->min_out || (op->max_out >= 0 && n->n_out > op->max_out))
        return bad(V, "%s: %d inputs and %d outputs, the op takes %d..%d and %d..%d", b,
                        n->n_in, n->n_out, op->min_in, op->max_in, op->min_out, op->max_out);
    for (int j = 0; j < n->n_in; j++) {
        const qgc_value *v = n->in[j];
        if (!v && j < op->min_in) return bad(V, "%s: required input %d is absent", b, j);
        if (v && !visible(V, v))
            return bad(V, "%s: input %d uses %s before its definition", b, j,
                            value_label(v, vb, sizeof vb));
    }
    qgc_status st = check_attrs(V, n);
    for (int j = 0; !st && j < n->n_out; j++) {
        const qgc_value *v = n->out[j];
        if (!v) return bad(V, "%s: output %d is missing", b, j);
        if (v->producer != n || v->producer_out != j)
            return bad(V, "%s: output %d (%s) does not name the node as its producer", b,
                            j, value_label(v, vb, sizeof vb));
        st = define(V, g, v, n);
    }
    return st;
}

/* ---- graphs -------------------------------------------------------------- */

static qgc_status verify_graph(verifier *V, const qgc_graph *g) {
    char b[160];
    if (V->depth == QGC_TEXT_MAX_DEPTH)
        return bad(V, "subgraphs nested deeper than %d", QGC_TEXT_MAX_DEPTH);
    V->active[++V->depth] = ++V->next_scope;
    qgc_status st = QGC_OK;
    for (uint32_t i = 0; !st && i < g->n_values; i++)
        if (!g->values[i]) st = bad(V, "graph '%s': value slot %u is empty", gname(g), i);
    for (uint32_t i = 0; !st && i < g->n_inputs; i++) {
        const qgc_value *v = g->inputs[i];
        if (!v) st = bad(V, "graph '%s': input %u is missing", gname(g), i);
        else if (v->producer)
            st = bad(V, "graph input %s has a producer", value_label(v, b, sizeof b));
        else st = define(V, g, v, NULL);
    }
    /* Constants: no producer, not an input, data or a summary of it. */
    for (uint32_t i = 0; !st && i < g->n_values; i++) {
        const qgc_value *v = g->values[i];
        if (!v->producer && (v->data || v->summary) && !visible(V, v)) st = define(V, g, v, NULL);
    }
    for (uint32_t i = 0; !st && i < g->n_nodes; i++) {
        if (!g->nodes[i]) st = bad(V, "graph '%s': node slot %u is empty", gname(g), i);
        else st = verify_node(V, g, g->nodes[i], i);
    }
    for (uint32_t i = 0; !st && i < g->n_outputs; i++) {
        const qgc_value *v = g->outputs[i];
        if (!v) st = bad(V, "graph '%s': output %u is missing", gname(g), i);
        else if (!visible(V, v))
            st = bad(V, "graph '%s': output %u (%s) is not defined", gname(g), i,
                          value_label(v, b, sizeof b));
    }
    V->depth--;
    return st;
}

qgc_status qgc_graph_verify(const qgc_graph *g, qgc_diag *d) {
    verifier V = {.d = d};
    qgc_status st = verify_graph(&V, g);
    qgc_ptrmap_free(&V.values);
    free(V.names);
    free(V.name_tags);
    return st;
}
