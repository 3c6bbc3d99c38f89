/* The parser of the text form: graphs, constants and nodes, and the names
 * of values (grammar: docs/ir-text-form.md). Types, data and attributes are
 * in parse_data.c, tokens in lex.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

/* ---- names of values ----------------------------------------------------- */

/* How the text names a value: %name (name set) or %123 (name NULL). */
typedef struct {
    const char *name;
    uint64_t num;
    qgc_tok at;
} vkey;

typedef struct {
    vkey key;
    qgc_value *v;
} symbol;

/* One graph's names; lookups go out through the enclosing graphs. */
struct qgc_scope {
    qgc_scope *parent;
    symbol *tab;
    size_t cap, n;
};

static uint64_t key_hash(const vkey *k) {
    if (!k->name) return (k->num + 1) * UINT64_C(0x9e3779b97f4a7c15);
    return qgc_text_hash(k->name, strlen(k->name));
}

static bool key_eq(const vkey *a, const vkey *b) {
    if (!a->name || !b->name) return !a->name && !b->name && a->num == b->num;
    return strcmp(a->name, b->name) == 0;
}

static symbol *scope_find(qgc_scope *s, const vkey *k) {
    for (; s; s = s->parent) {
        if (!s->cap) continue;
        for (size_t j = key_hash(k) & (s->cap - 1); s->tab[j].v; j = (j + 1) & (s->cap - 1))
            if (key_eq(&s->tab[j].key, k)) return &s->tab[j];
    }
    return NULL;
}

static bool scope_grow(qgc_scope *s) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    symbol *tab = calloc(cap, sizeof *tab);
    if (!tab) return false;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->tab[i].v) continue;
        size_t j = key_hash(&s->tab[i].key) & (cap - 1);
        while (tab[j].v) j = (j + 1) & (cap - 1);
        tab[j] = s->tab[i];
    }
    free(s->tab);
    s->tab = tab;
    s->cap = cap;
    return true;
}

/* %name as the text wrote it, for messages. */
static const char *key_text(const vkey *k, char *buf, size_t size) {
    if (!k->name) {
        snprintf(buf, size, "%%%llu", (unsigned long long)k->num);
        return buf;
    }
    qgc_strbuf b = {0};
    qgc_text_put_name(&b, k->name);
    snprintf(buf, size, "%%%s", b.p ? b.p : "?");
    free(b.p);
    return buf;
}

/* Binds k to v in the innermost graph; a name may be defined only once in
 * a graph and the graphs around it. */
static qgc_status define(qgc_parser *P, const vkey *k, qgc_value *v) {
    qgc_scope *s = P->scope;
    symbol *old = scope_find(s, k);
    if (old) {
        char b[80];
        return qgc_perr(P, &k->at, "redefinition of %s (first defined at %d:%d)",
                        key_text(k, b, sizeof b), old->key.at.line, old->key.at.col);
    }
    if ((s->n + 1) * 2 > s->cap && !scope_grow(s)) return qgc_nomem(P);
    size_t j = key_hash(k) & (s->cap - 1);
    while (s->tab[j].v) j = (j + 1) & (s->cap - 1);
    s->tab[j].key = *k;
    s->tab[j].v = v;
    s->n++;
    return QGC_OK;
}

static qgc_status lookup(qgc_parser *P, const vkey *k, qgc_value **v) {
    symbol *s = scope_find(P->scope, k);
    if (!s) {
        char b[80];
        return qgc_perr(P, &k->at, "undefined value %s", key_text(k, b, sizeof b));
    }
    *v = s->v;
    return QGC_OK;
}

static qgc_status parse_key(qgc_parser *P, qgc_graph *g, vkey *k) {
    if (P->t.kind != TK_VALUE) return qgc_expected(P, "a value (%name)");
    memset(k, 0, sizeof *k);
    k->at = P->t;
    if (!P->t.quoted && P->t.p[0] >= '0' && P->t.p[0] <= '9') {
        if (qgc_text_read_u64(P->t.p, P->t.n, &k->num))
            return qgc_perr(P, &P->t, "value number out of range");
    } else if (!(k->name = qgc_tok_text(g->arena, &P->t))) {
        return qgc_nomem(P);
    }
    return qgc_lex_next(P);
}

/* A use: %name, or `none` (an absent optional input) when allowed. */
static qgc_status parse_use(qgc_parser *P, qgc_graph *g, bool allow_none, qgc_value **v) {
    if (allow_none && qgc_is_word(P, "none")) {
        *v = NULL;
        return qgc_lex_next(P);
    }
    if (P->t.kind != TK_VALUE) return qgc_expected(P, allow_none ? "a value or 'none'" : "a value");
    vkey k;
    qgc_status st = parse_key(P, g, &k);
    return st ? st : lookup(P, &k, v);
}

/* ---- definitions --------------------------------------------------------- */

/* Type, quantization and data of a value being defined (after ':' or
 * `const`). Constants printed as summaries take their data from the weight
 * source when there is one. */
static qgc_status parse_decl(qgc_parser *P, qgc_graph *g, qgc_value *v, bool is_const,
                             const vkey *k) {
    qgc_type type;
    qgc_status st = qgc_parse_type(P, g, &type);
    if (!st) st = qgc_parse_quant(P, g, &v->quant);
    if (st) return st;
    v->type = type;
    const char *summary;
    uint64_t hash;
    qgc_tok at = P->t;
    if ((st = qgc_parse_payload(P, g, &type, true, &v->data, &summary, &hash))) return st;
    v->summary = summary;
    if (!summary || !is_const || !P->ws) return QGC_OK;
    char b[80];
    key_text(k, b, sizeof b);
    const qgc_tensor *w = v->name ? P->ws->lookup(P->ws, v->name) : NULL;
    if (!w) return qgc_perr(P, &at, "constant %s: the weight source has no tensor of that name", b);
    size_t nbytes;
    if (!qgc_type_equal(&w->type, &type) || !w->data ||
        !qgc_dtype_nbytes(type.dtype, qgc_type_numel(&type), &nbytes) || w->nbytes != nbytes)
        return qgc_perr(P, &at, "constant %s: the weight source's tensor has another type", b);
    uint64_t h = qgc_text_hash(w->data, w->nbytes);
    if (h != hash)
        return qgc_perr(P, &at,
                        "constant %s: weights do not match the summary's hash "
                        "(text 0x%016llx, weights 0x%016llx)",
                        b, (unsigned long long)hash, (unsigned long long)h);
    qgc_tensor *t;
    if ((st = qgc_tensor_new(&type, &t, P->d))) return st;
    memcpy(t->data, w->data, nbytes);
    if (!qgc_graph_own_tensor(g, t)) return qgc_nomem(P);
    v->data = t;
    v->summary = NULL;
    return QGC_OK;
}

/* A value defined with no producer: graph input or constant. */
static qgc_status parse_leaf(qgc_parser *P, qgc_graph *g, const vkey *k, bool is_const,
                             qgc_value **out) {
    qgc_value *v = qgc_value_new(g, NULL, NULL);
    if (!v) return qgc_nomem(P);
    v->name = k->name;
    qgc_status st = parse_decl(P, g, v, is_const, k);
    if (!st) st = define(P, k, v);
    *out = v;
    return st;
}

/* [%a, %b =] op(args) {attrs} : types @name, from the op name on. */
static qgc_status parse_node(qgc_parser *P, qgc_graph *g, const vkey *lhs, int n_out) {
    if (P->t.kind != TK_WORD) return qgc_expected(P, "an op name or 'const'");
    qgc_tok op_at = P->t;
    qgc_op op = qgc_op_by_name(P->t.p, P->t.n);
    if (op == QGC_OP_COUNT) {
        char s[48];
        snprintf(s, sizeof s, "%.*s", P->t.n > 40 ? 40 : (int)P->t.n, P->t.p);
        return qgc_perr(P, &op_at, "unknown op '%s'", s);
    }
    qgc_status st = qgc_lex_next(P);
    if (!st) st = qgc_expect_punct(P, '(');
    qgc_value **args = NULL;
    int n_in = 0, cap = 0;
    while (!st && !qgc_is_punct(P, ')')) {
        if (n_in && (st = qgc_expect_punct(P, ','))) break;
        if (n_in == cap) {
            cap = cap ? cap * 2 : 8;
            qgc_value **na = cap > (1 << 24) ? NULL : realloc(args, (size_t)cap * sizeof *na);
            if (!na) {
                st = qgc_nomem(P);
                break;
            }
            args = na;
        }
        st = parse_use(P, g, true, &args[n_in++]);
    }
    qgc_node *n = NULL;
    if (!st && !(n = qgc_node_new(g, op, "", n_in, args, n_out))) st = qgc_nomem(P);
    free(args);
    if (st || (st = qgc_lex_next(P))) return st;
    for (int j = 0; j < n_out; j++) n->out[j]->name = lhs[j].name;
    if (qgc_is_punct(P, '{') && (st = qgc_parse_attrs(P, g, n))) return st;
    for (int j = 0; j < n_out; j++) {
        if ((st = qgc_expect_punct(P, j ? ',' : ':'))) return st;
        if ((st = parse_decl(P, g, n->out[j], false, &lhs[j]))) return st;
    }
    if (P->t.kind == TK_AT) {
        if (!(n->name = qgc_tok_text(g->arena, &P->t))) return qgc_nomem(P);
        if ((st = qgc_lex_next(P))) return st;
    }
    for (int j = 0; j < n_out; j++)
        if ((st = define(P, &lhs[j], n->out[j]))) return st;
    return QGC_OK;
}

/* %a [, %b ...] = const ... | op(...) ...   or   op(...) ... */
static qgc_status parse_statement(qgc_parser *P, qgc_graph *g) {
    if (P->t.kind == TK_WORD) return parse_node(P, g, NULL, 0);
    if (P->t.kind != TK_VALUE) return qgc_expected(P, "a definition or '}'");
    vkey *lhs = NULL;
    int n = 0, cap = 0;
    qgc_status st = QGC_OK;
    do {
        if (n && (st = qgc_lex_next(P))) break;
        if (n == cap) {
            cap = cap ? cap * 2 : 4;
            vkey *nl = cap > (1 << 24) ? NULL : realloc(lhs, (size_t)cap * sizeof *nl);
            if (!nl) {
                st = qgc_nomem(P);
                break;
            }
            lhs = nl;
        }
        st = parse_key(P, g, &lhs[n++]);
    } while (!st && qgc_is_punct(P, ','));
    if (!st) st = qgc_expect_punct(P, '=');
    if (!st && qgc_is_word(P, "const")) {
        qgc_value *v = NULL;
        if (n != 1) st = qgc_perr(P, &P->t, "a constant defines exactly one value");
        if (!st) st = qgc_lex_next(P);
        if (!st) st = parse_leaf(P, g, &lhs[0], true, &v);
    } else if (!st) {
        st = parse_node(P, g, lhs, n);
    }
    free(lhs);
    return st;
}

/* ---- graphs -------------------------------------------------------------- */

typedef struct {
    vkey key;
    qgc_type type;
} pending_output;

static bool same_type(const qgc_type *a, const qgc_type *b) {
    if (a->dtype != b->dtype || a->rank != b->rank) return false;
    for (int i = 0; i < a->rank; i++) {
        const char *sa = a->dims[i] < 0 ? a->sym[i] : NULL, *sb = b->dims[i] < 0 ? b->sym[i] : NULL;
        if ((a->dims[i] < 0) != (b->dims[i] < 0) || (a->dims[i] >= 0 && a->dims[i] != b->dims[i]) ||
            (!sa != !sb) || (sa && strcmp(sa, sb) != 0))
            return false;
    }
    return true;
}

/* '(' %in: type, ... ')' '->' '(' %out: type, ... ')' opset N '{' statements '}' */
static qgc_status parse_body(qgc_parser *P, qgc_graph *g, pending_output **outs, int *n_outs) {
    qgc_status st = qgc_expect_punct(P, '(');
    for (int i = 0; !st && !qgc_is_punct(P, ')'); i++) {
        vkey k;
        qgc_value *v = NULL;
        if (i && (st = qgc_expect_punct(P, ','))) break;
        if (!(st = parse_key(P, g, &k)) && !(st = qgc_expect_punct(P, ':')) &&
            !(st = parse_leaf(P, g, &k, false, &v)) && qgc_graph_add_input(g, v))
            st = qgc_nomem(P);
    }
    if (!st) st = qgc_lex_next(P);
    if (!st) st = qgc_expect_punct(P, '>');
    if (!st) st = qgc_expect_punct(P, '(');
    int cap = 0;
    while (!st && !qgc_is_punct(P, ')')) {
        if (*n_outs && (st = qgc_expect_punct(P, ','))) break;
        if (*n_outs == cap) {
            cap = cap ? cap * 2 : 4;
            pending_output *no = cap > (1 << 24) ? NULL : realloc(*outs, (size_t)cap * sizeof *no);
            if (!no) return qgc_nomem(P);
            *outs = no;
        }
        pending_output *o = &(*outs)[(*n_outs)++];
        if (!(st = parse_key(P, g, &o->key)) && !(st = qgc_expect_punct(P, ':')))
            st = qgc_parse_type(P, g, &o->type);
    }
    if (!st) st = qgc_lex_next(P);
    if (!st) st = qgc_expect_word(P, "opset");
    if (st) return st;
    int64_t opset;
    if (P->t.kind != TK_WORD || qgc_text_read_i64(P->t.p, P->t.n, &opset) || opset < INT32_MIN ||
        opset > INT32_MAX)
        return qgc_expected(P, "the opset number");
    g->opset = (int)opset;
    if ((st = qgc_lex_next(P)) || (st = qgc_expect_punct(P, '{'))) return st;
    while (!st && !qgc_is_punct(P, '}')) st = parse_statement(P, g);
    for (int i = 0; !st && i < *n_outs; i++) {
        pending_output *o = &(*outs)[i];
        qgc_value *v = NULL;
        if ((st = lookup(P, &o->key, &v))) break;
        if (!same_type(&v->type, &o->type)) {
            char b[80];
            st = qgc_perr(P, &o->key.at,
                          "output %s: the signature's type differs from its definition's",
                          key_text(&o->key, b, sizeof b));
        } else if (qgc_graph_add_output(g, v)) {
            st = qgc_nomem(P);
        }
    }
    return st ? st : qgc_lex_next(P);
}

qgc_status qgc_parse_graph(qgc_parser *P, qgc_graph *parent, qgc_graph **out) {
    if (P->t.kind != TK_AT) return qgc_expected(P, "the graph's name (@name)");
    if (P->depth >= QGC_TEXT_MAX_DEPTH)
        return qgc_perr(P, &P->t, "graphs nested deeper than %d", QGC_TEXT_MAX_DEPTH);
    qgc_graph *g = parent ? qgc_graph_new_sub(parent, "") : qgc_graph_new("");
    *out = g;
    if (!g || !(g->name = qgc_tok_text(g->arena, &P->t))) return qgc_nomem(P);
    qgc_scope scope = {.parent = parent ? P->scope : NULL};
    pending_output *outs = NULL;
    int n_outs = 0;
    P->scope = &scope;
    P->depth++;
    qgc_status st = qgc_lex_next(P);
    if (!st) st = parse_body(P, g, &outs, &n_outs);
    P->depth--;
    P->scope = scope.parent;
    free(scope.tab);
    free(outs);
    return st;
}

qgc_status qgc_graph_parse(const char *text, size_t len, const qgc_weight_source *ws,
                           qgc_graph **out, qgc_diag *d) {
    qgc_parser P = {.src = text, .len = text ? len : 0, .line = 1, .col = 1, .ws = ws, .d = d};
    qgc_graph *g = NULL;
    *out = NULL;
    qgc_status st = qgc_lex_next(&P);
    if (!st) st = qgc_expect_word(&P, "graph");
    if (!st) st = qgc_parse_graph(&P, NULL, &g);
    if (!st && P.t.kind != TK_EOF) st = qgc_expected(&P, "end of input");
    if (st) {
        qgc_graph_free(g);
        return st;
    }
    *out = g;
    return QGC_OK;
}

/* ---- weights from a graph ------------------------------------------------ */

static const qgc_tensor *graph_lookup(const qgc_weight_source *ws, const char *name) {
    const qgc_graph *g = ws->ctx;
    for (uint32_t i = 0; i < g->n_values; i++) {
        const qgc_value *v = g->values[i];
        if (v && v->data && !v->producer && v->name && strcmp(v->name, name) == 0) return v->data;
    }
    return NULL;
}

qgc_weight_source qgc_weight_source_from_graph(const qgc_graph *g) {
    return (qgc_weight_source){.lookup = graph_lookup, .ctx = g};
}
