/* Graph construction and mutation: values, nodes, attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qgc_ir.h"

/* Constants own malloc'd tensors; the graph frees them. Tracked here so that
 * the arena stays a plain bump allocator. */
typedef struct owned_tensor {
    struct owned_tensor *next;
    qgc_tensor *t;
} owned_tensor;

typedef struct {
    qgc_graph g;
    owned_tensor *tensors;
} graph_impl;

static graph_impl *impl_of(qgc_graph *g) {
    while (g->parent) g = g->parent;
    return (graph_impl *)g;
}

qgc_graph *qgc_graph_new(const char *name) {
    graph_impl *gi = calloc(1, sizeof *gi);
    if (!gi) return NULL;
    gi->g.arena = qgc_arena_new();
    if (!gi->g.arena) {
        free(gi);
        return NULL;
    }
    gi->g.name = qgc_arena_strdup(gi->g.arena, name ? name : "main");
    return &gi->g;
}

qgc_graph *qgc_graph_new_sub(qgc_graph *parent, const char *name) {
    qgc_graph *g = qgc_arena_alloc(parent->arena, sizeof *g);
    if (!g) return NULL;
    g->arena = parent->arena;
    g->parent = parent;
    g->name = qgc_arena_strdup(parent->arena, name ? name : "sub");
    g->opset = parent->opset;
    return g;
}

static void free_lists(qgc_graph *g) {
    free(g->values);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
}

/* Subgraphs' lists are malloc'd too: find them through GRAPH attributes. */
static void free_sub_lists(qgc_graph *g) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        for (int a = 0; a < n->n_attr; a++)
            if (n->attr[a].kind == QGC_ATTR_GRAPH && n->attr[a].g) {
                free_sub_lists(n->attr[a].g);
                free_lists(n->attr[a].g);
            }
    }
}

void qgc_graph_free(qgc_graph *g) {
    if (!g || g->parent) return;
    graph_impl *gi = impl_of(g);
    for (owned_tensor *o = gi->tensors; o; o = o->next) qgc_tensor_free(o->t);
    free_sub_lists(g);
    free_lists(g);
    qgc_arena_free(g->arena);
    free(gi);
}

static bool grow(void **list, uint32_t *cap, uint32_t need, size_t elem) {
    if (need <= *cap) return true;
    uint32_t nc = *cap ? *cap * 2 : 16;
    while (nc < need) nc *= 2;
    void *p = realloc(*list, (size_t)nc * elem);
    if (!p) return false;
    *list = p;
    *cap = nc;
    return true;
}

qgc_value *qgc_value_new(qgc_graph *g, const char *name, const qgc_type *type) {
    if (!grow((void **)&g->values, &g->cap_values, g->n_values + 1, sizeof(qgc_value *)))
        return NULL;
    qgc_value *v = qgc_arena_alloc(g->arena, sizeof *v);
    if (!v) return NULL;
    v->id = g->n_values;
    if (name && !(v->name = qgc_arena_strdup(g->arena, name))) return NULL;
    if (type) {
        v->type = *type;
    } else {
        v->type.rank = -1;
    }
    g->values[g->n_values++] = v;
    return v;
}

qgc_tensor *qgc_graph_own_tensor(qgc_graph *g, qgc_tensor *t) {
    graph_impl *gi = impl_of(g);
    owned_tensor *o = qgc_arena_alloc(g->arena, sizeof *o);
    if (!o) {
        qgc_tensor_free(t);
        return NULL;
    }
    o->t = t;
    o->next = gi->tensors;
    gi->tensors = o;
    return t;
}

qgc_value *qgc_const_new(qgc_graph *g, const char *name, qgc_tensor *t) {
    if (!qgc_graph_own_tensor(g, t)) return NULL;
    qgc_value *v = qgc_value_new(g, name, &t->type);
    if (v) v->data = t;
    return v;
}

static qgc_status append_value(qgc_value ***list, uint32_t *n, qgc_value *v) {
    qgc_value **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p) return QGC_ERR_NOMEM;
    p[(*n)++] = v;
    *list = p;
    return QGC_OK;
}

qgc_status qgc_graph_add_input(qgc_graph *g, qgc_value *v) {
    return append_value(&g->inputs, &g->n_inputs, v);
}

qgc_status qgc_graph_add_output(qgc_graph *g, qgc_value *v) {
    return append_value(&g->outputs, &g->n_outputs, v);
}

qgc_node *qgc_node_new(qgc_graph *g, qgc_op op, const char *name, int n_in,
                       qgc_value *const *in, int n_out) {
    if (n_in < 0 || n_out < 0 ||
        !grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof(qgc_node *)))
        return NULL;
    qgc_node *n = qgc_arena_alloc(g->arena, sizeof *n);
    if (!n) return NULL;
    n->op = op;
    n->name = qgc_arena_strdup(g->arena, name ? name : "");
    n->n_in = n_in;
    n->n_out = n_out;
    n->in = qgc_arena_alloc(g->arena, sizeof(qgc_value *) * (size_t)(n_in + 1));
    n->out = qgc_arena_alloc(g->arena, sizeof(qgc_value *) * (size_t)(n_out + 1));
    if (!n->name || !n->in || !n->out) return NULL;
    for (int i = 0; i < n_in; i++) n->in[i] = in ? in[i] : NULL;
    for (int i = 0; i < n_out; i++) {
        qgc_value *v = qgc_value_new(g, NULL, NULL);
        if (!v) return NULL;
        v->producer = n;
        v->producer_out = i;
        n->out[i] = v;
    }
    n->id = g->n_nodes;
    g->nodes[g->n_nodes++] = n;
    return n;
}

void qgc_graph_insert_node_before(qgc_graph *g, qgc_node *n, const qgc_node *pos) {
    uint32_t from = n->id, to = pos->id;
    if (from >= g->n_nodes || to >= g->n_nodes || g->nodes[from] != n || g->nodes[to] != pos ||
        from == to)
        return;
    if (from > to) {
        memmove(&g->nodes[to + 1], &g->nodes[to], (from - to) * sizeof *g->nodes);
        g->nodes[to] = n;
    } else { /* n sat earlier: pos moves up by one as n leaves */
        memmove(&g->nodes[from], &g->nodes[from + 1], (to - 1 - from) * sizeof *g->nodes);
        g->nodes[to - 1] = n;
    }
    for (uint32_t i = from < to ? from : to; i <= (from > to ? from : to); i++) g->nodes[i]->id = i;
}

void qgc_graph_remove_nodes(qgc_graph *g, const bool *keep) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < g->n_nodes; i++)
        if (keep[g->nodes[i]->id]) g->nodes[k++] = g->nodes[i];
    g->n_nodes = k;
    for (uint32_t i = 0; i < k; i++) g->nodes[i]->id = i;
}

void qgc_value_replace_uses(qgc_graph *g, qgc_value *from, qgc_value *to) {
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        qgc_node *n = g->nodes[i];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] == from) n->in[j] = to;
    }
    for (uint32_t i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == from) g->outputs[i] = to;
}

/* ---- attributes ---------------------------------------------------------- */

qgc_attr *qgc_node_add_attr(qgc_graph *g, qgc_node *n, const char *name, qgc_attr_kind kind) {
    qgc_attr *na = qgc_arena_alloc(g->arena, sizeof(qgc_attr) * (size_t)(n->n_attr + 1));
    if (!na) return NULL;
    if (n->n_attr) memcpy(na, n->attr, sizeof(qgc_attr) * (size_t)n->n_attr);
    qgc_attr *a = &na[n->n_attr];
    a->name = qgc_arena_strdup(g->arena, name);
    if (!a->name) return NULL;
    a->kind = kind;
    n->attr = na;
    n->n_attr++;
    return a;
}

qgc_status qgc_node_set_int(qgc_graph *g, qgc_node *n, const char *name, int64_t v) {
    qgc_attr *a = qgc_node_add_attr(g, n, name, QGC_ATTR_INT);
    if (!a) return QGC_ERR_NOMEM;
    a->i = v;
    return QGC_OK;
}

qgc_status qgc_node_set_float(qgc_graph *g, qgc_node *n, const char *name, float v) {
    qgc_attr *a = qgc_node_add_attr(g, n, name, QGC_ATTR_FLOAT);
    if (!a) return QGC_ERR_NOMEM;
    a->f = v;
    return QGC_OK;
}

qgc_status qgc_node_set_string(qgc_graph *g, qgc_node *n, const char *name, const char *v) {
    qgc_attr *a = qgc_node_add_attr(g, n, name, QGC_ATTR_STRING);
    if (!a || !(a->s = qgc_arena_strdup(g->arena, v))) return QGC_ERR_NOMEM;
    return QGC_OK;
}

qgc_status qgc_node_set_ints(qgc_graph *g, qgc_node *n, const char *name, const int64_t *v,
                             int count) {
    qgc_attr *a = qgc_node_add_attr(g, n, name, QGC_ATTR_INTS);
    if (!a || !(a->ints = qgc_arena_alloc(g->arena, sizeof(int64_t) * (size_t)(count + 1))))
        return QGC_ERR_NOMEM;
    if (count) memcpy(a->ints, v, sizeof(int64_t) * (size_t)count);
    a->n = count;
    return QGC_OK;
}

qgc_status qgc_node_set_floats(qgc_graph *g, qgc_node *n, const char *name, const float *v,
                               int count) {
    qgc_attr *a = qgc_node_add_attr(g, n, name, QGC_ATTR_FLOATS);
    if (!a || !(a->floats = qgc_arena_alloc(g->arena, sizeof(float) * (size_t)(count + 1))))
        return QGC_ERR_NOMEM;
    if (count) memcpy(a->floats, v, sizeof(float) * (size_t)count);
    a->n = count;
    return QGC_OK;
}

const qgc_attr *qgc_attr_get(const qgc_node *n, const char *name) {
    for (int i = 0; i < n->n_attr; i++)
        if (strcmp(n->attr[i].name, name) == 0) return &n->attr[i];
    return NULL;
}

int64_t qgc_attr_int(const qgc_node *n, const char *name, int64_t dflt) {
    const qgc_attr *a = qgc_attr_get(n, name);
    return a && a->kind == QGC_ATTR_INT ? a->i : dflt;
}

float qgc_attr_float(const qgc_node *n, const char *name, float dflt) {
    const qgc_attr *a = qgc_attr_get(n, name);
    if (a && a->kind == QGC_ATTR_FLOAT) return a->f;
    if (a && a->kind == QGC_ATTR_INT) return (float)a->i;
    return dflt;
}

const char *qgc_attr_string(const qgc_node *n, const char *name, const char *dflt) {
    const qgc_attr *a = qgc_attr_get(n, name);
    return a && a->kind == QGC_ATTR_STRING ? a->s : dflt;
}

const int64_t *qgc_attr_ints(const qgc_node *n, const char *name, int *count) {
    const qgc_attr *a = qgc_attr_get(n, name);
    if (a && a->kind == QGC_ATTR_INTS) {
        *count = a->n;
        return a->ints;
    }
    *count = 0;
    return NULL;
}

const float *qgc_attr_floats(const qgc_node *n, const char *name, int *count) {
    const qgc_attr *a = qgc_attr_get(n, name);
    if (a && a->kind == QGC_ATTR_FLOATS) {
        *count = a->n;
        return a->floats;
    }
    *count = 0;
    return NULL;
}

const char *qgc_node_label(const qgc_node *n, char *buf, size_t size) {
    snprintf(buf, size, "node '%s' (%s)", n->name && n->name[0] ? n->name : "?",
             (unsigned)n->op < QGC_OP_COUNT ? qgc_ops[n->op].name : "?");
    return buf;
}
