/* The printer of the text form (grammar: docs/ir-text-form.md).
 *
 * Output is canonical so that print -> parse -> print is byte-identical:
 * constants first (in the graph's value order), then nodes in order; values
 * without a name are numbered %0, %1, ... in order of definition over the
 * whole text, so the numbers do not depend on value ids. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptrmap.h"
#include "text_internal.h"

#define DEFAULT_INLINE_MAX 16

static const char *const scheme_names[] = {"tensor", "channel", "group"};
static const char *const format_names[] = {"uniform", "log2", "logsqrt2"};

typedef struct {
    qgc_strbuf b;
    bool weights;
    int64_t inline_max;
    qgc_ptrmap num; /* unnamed value -> its printed number */
    uint64_t next_num;
    qgc_status st;
    qgc_diag *d;
} printer;

static void indent(printer *P, int level) {
    for (int i = 0; i < level; i++) qgc_sb_put(&P->b, "  ", 2);
}

static void number(printer *P, const qgc_value *v) {
    if (!v || v->name || qgc_ptrmap_get(&P->num, v, NULL)) return;
    if (!qgc_ptrmap_put(&P->num, v, P->next_num++)) P->b.oom = true;
}

static void put_ref(printer *P, const qgc_value *v) {
    if (!v) {
        qgc_sb_puts(&P->b, "none");
        return;
    }
    qgc_sb_put(&P->b, "%", 1);
    if (v->name) {
        qgc_text_put_name(&P->b, v->name);
        return;
    }
    uint64_t k;
    number(P, v); /* a value used but never defined still gets a number */
    if (qgc_ptrmap_get(&P->num, v, &k)) qgc_sb_printf(&P->b, "%llu", (unsigned long long)k);
}

/* ---- which values print as constants ------------------------------------ */

static bool mark_uses(const qgc_graph *g, qgc_ptrmap *used, int depth) {
    if (depth > QGC_TEXT_MAX_DEPTH) return true; /* put_graph reports it */
    for (uint32_t i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] && !qgc_ptrmap_put(used, g->outputs[i], 1)) return false;
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const qgc_node *n = g->nodes[i];
        for (int j = 0; j < n->n_in; j++)
            if (n->in[j] && !qgc_ptrmap_put(used, n->in[j], 1)) return false;
        for (int a = 0; a < n->n_attr; a++)
            if (n->attr[a].kind == QGC_ATTR_GRAPH && n->attr[a].g &&
                !mark_uses(n->attr[a].g, used, depth + 1))
                return false;
    }
    return true;
}

/* Values of g with no producer that are not graph inputs and hold data, a
 * summary, or are used: they print as `const` lines. NULL with *count 0 when
 * there are none or on out of memory (P->b.oom set). */
static qgc_value **graph_consts(printer *P, const qgc_graph *g, int depth, uint32_t *count) {
    qgc_ptrmap used = {0};
    qgc_value **list = NULL;
    bool ok = mark_uses(g, &used, depth);
    for (uint32_t i = 0; ok && i < g->n_inputs; i++)
        if (g->inputs[i]) ok = qgc_ptrmap_put(&used, g->inputs[i], 2);
    *count = 0;
    if (ok && g->n_values) ok = (list = malloc(g->n_values * sizeof *list)) != NULL;
    for (uint32_t i = 0; ok && i < g->n_values; i++) {
        qgc_value *v = g->values[i];
        uint64_t mark = 0;
        if (!v || v->producer) continue;
        bool known = qgc_ptrmap_get(&used, v, &mark);
        if (mark != 2 && (v->data || v->summary || known)) list[(*count)++] = v;
    }
    qgc_ptrmap_free(&used);
    if (!ok) P->b.oom = true;
    return list;
}

static void number_graph(printer *P, const qgc_graph *g, int depth) {
    if (depth > QGC_TEXT_MAX_DEPTH) return;
    for (uint32_t i = 0; i < g->n_inputs; i++) number(P, g->inputs[i]);
    uint32_t nc;
    qgc_value **consts = graph_consts(P, g, depth, &nc);
    for (uint32_t i = 0; i < nc; i++) number(P, consts[i]);
    free(consts);
    for (uint32_t i = 0; i < g->n_nodes; i++) {
        const qgc_node *n = g->nodes[i];
        for (int j = 0; j < n->n_out; j++) number(P, n->out[j]);
        for (int a = 0; a < n->n_attr; a++)
            if (n->attr[a].kind == QGC_ATTR_GRAPH && n->attr[a].g)
                number_graph(P, n->attr[a].g, depth + 1);
    }
}

/* ---- types, quantization, data ------------------------------------------- */

static void put_type(printer *P, const qgc_type *t) {
    const char *dn = qgc_dtype_name(t->dtype);
    qgc_sb_puts(&P->b, dn ? dn : "?");
    if (t->rank < 0 || t->rank > QGC_MAX_RANK) {
        qgc_sb_puts(&P->b, "[*]");
        return;
    }
    qgc_sb_put(&P->b, "[", 1);
    for (int i = 0; i < t->rank; i++) {
        if (i) qgc_sb_put(&P->b, ",", 1);
        if (t->dims[i] >= 0) qgc_sb_printf(&P->b, "%lld", (long long)t->dims[i]);
        else if (t->sym[i]) qgc_text_put_name(&P->b, t->sym[i]);
        else qgc_sb_put(&P->b, "?", 1);
    }
    qgc_sb_put(&P->b, "]", 1);
}

static void put_enum(printer *P, const char *key, const char *const *names, int count, int v) {
    if (v >= 0 && v < count) qgc_sb_printf(&P->b, "%s=%s", key, names[v]);
    else qgc_sb_printf(&P->b, "%s=%d", key, v);
}

/* "[e0, e1, ...]" of n elements of dtype t. */
static void put_elements(printer *P, qgc_dtype t, const void *p, int64_t n) {
    char buf[QGC_NUM_MAX];
    qgc_sb_put(&P->b, "[", 1);
    for (int64_t i = 0; i < n; i++) {
        if (i) qgc_sb_put(&P->b, ", ", 2);
        qgc_text_fmt_element(buf, t, p, i);
        qgc_sb_puts(&P->b, buf);
    }
    qgc_sb_put(&P->b, "]", 1);
}

static void put_quant(printer *P, const qgc_quant *q) {
    if (!q) return;
    qgc_sb_puts(&P->b, " quant(");
    put_enum(P, "scheme", scheme_names, 3, (int)q->scheme);
    qgc_sb_puts(&P->b, ", ");
    put_enum(P, "format", format_names, 3, (int)q->format);
    qgc_sb_printf(&P->b, ", bits=%d, signed=%s, axis=%d, group=%d, scales=", q->bits,
                  q->is_signed ? "true" : "false", q->axis, q->group);
    int n = q->n_scales > 0 && q->scales ? q->n_scales : 0;
    put_elements(P, QGC_F32, q->scales, n);
    if (q->zero_points) {
        qgc_sb_puts(&P->b, ", zero_points=");
        put_elements(P, QGC_I32, q->zero_points, n);
    }
    qgc_sb_put(&P->b, ")", 1);
}

static void put_hex(printer *P, const void *data, size_t n) {
    static const char digits[] = "0123456789abcdef";
    const unsigned char *s = data;
    char buf[512];
    qgc_sb_puts(&P->b, "hex\"");
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof buf && i < n; i++, k += 2) {
            buf[k] = digits[s[i] >> 4];
            buf[k + 1] = digits[s[i] & 15];
        }
        qgc_sb_put(&P->b, buf, k);
    }
    qgc_sb_put(&P->b, "\"", 1);
}

/* Min and max (NaN skipped) of the elements, as the summary shows them. */
static void put_summary(printer *P, qgc_dtype t, const void *p, int64_t n, size_t nbytes) {
    char lo[QGC_NUM_MAX] = "nan", hi[QGC_NUM_MAX] = "nan";
    if (qgc_dtype_is_float(t)) {
        double mn = INFINITY, mx = -INFINITY;
        bool any = false;
        for (int64_t i = 0; i < n; i++) {
            double v = qgc_load_f64(t, p, i);
            if (v != v) continue;
            any = true;
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        if (any) {
            snprintf(lo, sizeof lo, "%.4g", mn);
            snprintf(hi, sizeof hi, "%.4g", mx);
        }
    } else if (t == QGC_U64) {
        uint64_t mn = UINT64_MAX, mx = 0, v;
        for (int64_t i = 0; i < n; i++) {
            memcpy(&v, (const uint64_t *)p + i, 8);
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        snprintf(lo, sizeof lo, "%llu", (unsigned long long)mn);
        snprintf(hi, sizeof hi, "%llu", (unsigned long long)mx);
    } else {
        int64_t mn = INT64_MAX, mx = INT64_MIN;
        for (int64_t i = 0; i < n; i++) {
            int64_t v = qgc_load_i64(t, p, i);
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
        }
        snprintf(lo, sizeof lo, "%lld", (long long)mn);
        snprintf(hi, sizeof hi, "%lld", (long long)mx);
    }
    qgc_sb_printf(&P->b, "summary(min=%s, max=%s, hash=0x%016llx)", lo, hi,
                  (unsigned long long)qgc_text_hash(p, nbytes));
}

/* The data of a value or tensor attribute after its type: inline when small,
 * else hex (weights, or no summary allowed) or a summary. Data that does not
 * fit its type prints as hex, which the parser then rejects. */
static void put_payload(printer *P, const qgc_type *t, const qgc_tensor *data,
                        const char *summary, bool allow_summary) {
    if (!data || (!data->data && data->nbytes == 0)) {
        if (summary && allow_summary) qgc_sb_printf(&P->b, " summary(%s)", summary);
        return;
    }
    qgc_sb_put(&P->b, " ", 1);
    int64_t n = qgc_type_numel(t);
    size_t nbytes;
    if (n < 0 || !data->data || !qgc_dtype_nbytes(t->dtype, n, &nbytes) ||
        nbytes != data->nbytes || t->dtype == QGC_STRING) {
        put_hex(P, data->data, data->data ? data->nbytes : 0);
    } else if (n == 0 || n <= P->inline_max) {
        put_elements(P, t->dtype, data->data, n);
    } else if (P->weights || !allow_summary) {
        put_hex(P, data->data, nbytes);
    } else {
        put_summary(P, t->dtype, data->data, n, nbytes);
    }
}

/* A value's type, quantization and data, as after `%v: ` or `const `. */
static void put_value_decl(printer *P, const qgc_value *v) {
    if (!v) {
        qgc_sb_puts(&P->b, "?[*]");
        return;
    }
    put_type(P, &v->type);
    put_quant(P, v->quant);
    put_payload(P, &v->type, v->data, v->summary, true);
}

/* ---- attributes, nodes, graphs ------------------------------------------- */

static void put_graph(printer *P, const qgc_graph *g, int level);

static void put_list(printer *P, const qgc_attr *a, const char *empty) {
    if (a->n <= 0) {
        qgc_sb_puts(&P->b, empty);
    } else if (a->kind == QGC_ATTR_INTS) {
        put_elements(P, QGC_I64, a->ints, a->ints ? a->n : 0);
    } else if (a->kind == QGC_ATTR_FLOATS) {
        put_elements(P, QGC_F32, a->floats, a->floats ? a->n : 0);
    } else {
        qgc_sb_put(&P->b, "[", 1);
        for (int i = 0; a->strs && i < a->n; i++) {
            if (i) qgc_sb_put(&P->b, ", ", 2);
            qgc_text_put_quoted(&P->b, a->strs[i] ? a->strs[i] : "");
        }
        qgc_sb_put(&P->b, "]", 1);
    }
}

static void put_attr(printer *P, const qgc_attr *a, int level) {
    char buf[QGC_NUM_MAX];
    qgc_text_put_name(&P->b, a->name);
    qgc_sb_put(&P->b, "=", 1);
    switch (a->kind) {
    case QGC_ATTR_INT: qgc_sb_printf(&P->b, "%lld", (long long)a->i); break;
    case QGC_ATTR_FLOAT:
        qgc_text_fmt_element(buf, QGC_F32, &a->f, 0);
        qgc_sb_puts(&P->b, buf);
        break;
    case QGC_ATTR_STRING: qgc_text_put_quoted(&P->b, a->s ? a->s : ""); break;
    case QGC_ATTR_INTS: put_list(P, a, "ints[]"); break;
    case QGC_ATTR_FLOATS: put_list(P, a, "floats[]"); break;
    case QGC_ATTR_STRINGS: put_list(P, a, "strings[]"); break;
    case QGC_ATTR_TENSOR:
        qgc_sb_puts(&P->b, "tensor ");
        if (!a->t) {
            qgc_sb_puts(&P->b, "none");
            break;
        }
        put_type(P, &a->t->type);
        put_payload(P, &a->t->type, a->t, NULL, false);
        break;
    case QGC_ATTR_GRAPH:
        if (a->g) put_graph(P, a->g, level);
        else qgc_sb_puts(&P->b, "graph none");
        break;
    default: qgc_sb_put(&P->b, "?", 1); break;
    }
}

static void put_node(printer *P, const qgc_node *n, int level) {
    indent(P, level);
    for (int j = 0; j < n->n_out; j++) {
        if (j) qgc_sb_put(&P->b, ", ", 2);
        put_ref(P, n->out[j]);
    }
    if (n->n_out > 0) qgc_sb_puts(&P->b, " = ");
    qgc_sb_puts(&P->b, (unsigned)n->op < QGC_OP_COUNT ? qgc_ops[n->op].name : "?");
    qgc_sb_put(&P->b, "(", 1);
    for (int j = 0; j < n->n_in; j++) {
        if (j) qgc_sb_put(&P->b, ", ", 2);
        put_ref(P, n->in[j]);
    }
    qgc_sb_put(&P->b, ")", 1);
    for (int a = 0; a < n->n_attr; a++) {
        qgc_sb_puts(&P->b, a ? ", " : " {");
        put_attr(P, &n->attr[a], level);
    }
    if (n->n_attr > 0) qgc_sb_put(&P->b, "}", 1);
    for (int j = 0; j < n->n_out; j++) {
        qgc_sb_puts(&P->b, j ? ", " : " : ");
        put_value_decl(P, n->out[j]);
    }
    if (n->name && n->name[0]) {
        qgc_sb_puts(&P->b, " @");
        qgc_text_put_name(&P->b, n->name);
    }
    qgc_sb_put(&P->b, "\n", 1);
}

static void put_graph(printer *P, const qgc_graph *g, int level) {
    if (level > QGC_TEXT_MAX_DEPTH) {
        if (!P->st)
            P->st = qgc_fail(P->d, QGC_ERR_INVALID, "subgraphs nested deeper than %d",
                             QGC_TEXT_MAX_DEPTH);
        return;
    }
    qgc_sb_puts(&P->b, "graph @");
    qgc_text_put_name(&P->b, g->name);
    qgc_sb_put(&P->b, "(", 1);
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        if (i) qgc_sb_put(&P->b, ", ", 2);
        put_ref(P, g->inputs[i]);
        qgc_sb_puts(&P->b, ": ");
        put_value_decl(P, g->inputs[i]);
    }
    qgc_sb_puts(&P->b, ") -> (");
    for (uint32_t i = 0; i < g->n_outputs; i++) {
        if (i) qgc_sb_put(&P->b, ", ", 2);
        put_ref(P, g->outputs[i]);
        qgc_sb_puts(&P->b, ": ");
        if (g->outputs[i]) put_type(P, &g->outputs[i]->type);
        else qgc_sb_puts(&P->b, "?[*]");
    }
    qgc_sb_printf(&P->b, ") opset %d {\n", g->opset);
    uint32_t nc;
    qgc_value **consts = graph_consts(P, g, level, &nc);
    for (uint32_t i = 0; i < nc; i++) {
        indent(P, level + 1);
        put_ref(P, consts[i]);
        qgc_sb_puts(&P->b, " = const ");
        put_value_decl(P, consts[i]);
        qgc_sb_put(&P->b, "\n", 1);
    }
    free(consts);
    for (uint32_t i = 0; i < g->n_nodes; i++) put_node(P, g->nodes[i], level + 1);
    indent(P, level);
    qgc_sb_put(&P->b, "}", 1);
}

qgc_status qgc_graph_print(const qgc_graph *g, const qgc_print_options *o, char **out,
                           qgc_diag *d) {
    *out = NULL;
    printer P = {.d = d, .weights = o && o->weights};
    P.inline_max = !o || o->inline_max == 0 ? DEFAULT_INLINE_MAX : o->inline_max;
    number_graph(&P, g, 0);
    put_graph(&P, g, 0);
    qgc_sb_put(&P.b, "\n", 1);
    qgc_ptrmap_free(&P.num);
    if (!P.st && P.b.oom) P.st = qgc_fail(d, QGC_ERR_NOMEM, "out of memory printing the graph");
    if (P.st) {
        free(P.b.p);
        return P.st;
    }
    *out = P.b.p;
    return QGC_OK;
}
