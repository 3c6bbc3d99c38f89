/* The text form's parser, continued: types, quantization annotations, data
 * (inline elements, hex, summaries) and attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_internal.h"

static const char *const scheme_names[] = {"tensor", "channel", "group"};
static const char *const format_names[] = {"uniform", "log2", "logsqrt2"};

/* A growing array for lists whose length the text decides. */
typedef struct {
    void *p;
    size_t n, cap, elem;
} list;

static bool list_push(list *l, const void *x) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *p = cap > ((size_t)1 << 31) / l->elem ? NULL : realloc(l->p, cap * l->elem);
        if (!p) return false;
        l->p = p;
        l->cap = cap;
    }
    memcpy((char *)l->p + l->n++ * l->elem, x, l->elem);
    return true;
}

/* The list's elements copied into the arena (NULL when empty). */
static void *list_to_arena(qgc_graph *g, const list *l, bool *ok) {
    if (!l->n) return NULL;
    void *p = qgc_arena_alloc(g->arena, l->n * l->elem);
    if (p) memcpy(p, l->p, l->n * l->elem);
    else *ok = false;
    return p;
}

static qgc_status int_word(qgc_parser *P, int64_t lo, int64_t hi, const char *what, int64_t *v) {
    if (P->t.kind != TK_WORD || !qgc_text_is_int_literal(P->t.p, P->t.n))
        return qgc_expected(P, what);
    if (qgc_text_read_i64(P->t.p, P->t.n, v) || *v < lo || *v > hi)
        return qgc_perr(P, &P->t, "%s out of range [%lld, %lld]", what, (long long)lo,
                        (long long)hi);
    return qgc_lex_next(P);
}

/* ---- elements ------------------------------------------------------------ */

static void int_range(qgc_dtype t, int64_t *lo, int64_t *hi) {
    int bits = qgc_dtype_bits(t);
    if (bits >= 64) {
        *lo = INT64_MIN, *hi = INT64_MAX;
    } else if (qgc_dtype_is_signed(t)) {
        *lo = -(INT64_C(1) << (bits - 1)), *hi = (INT64_C(1) << (bits - 1)) - 1;
    } else {
        *lo = 0, *hi = (INT64_C(1) << bits) - 1;
    }
}

/* One element of dtype t into p[i]: an integer in t's range, true/false for
 * bool, a float as decimal, inf, nan or nan(0xBITS). */
static qgc_status parse_element(qgc_parser *P, qgc_dtype t, void *p, int64_t i) {
    qgc_tok at = P->t;
    const char *name = qgc_dtype_name(t);
    if (at.kind != TK_WORD) return qgc_expected(P, "a number");
    qgc_status st = qgc_lex_next(P);
    if (st) return st;
    if (qgc_dtype_is_float(t)) {
        if (at.n == 3 && !memcmp(at.p, "nan", 3) && qgc_is_punct(P, '(')) {
            uint64_t bits;
            if ((st = qgc_lex_next(P))) return st;
            if (P->t.kind != TK_WORD || qgc_text_read_hex(P->t.p, P->t.n, &bits) ||
                !qgc_text_is_nan_bits(t, bits))
                return qgc_perr(P, &P->t, "expected the bits of a %s NaN (nan(0x...))", name);
            qgc_text_set_float_bits(t, p, i, bits);
            if ((st = qgc_lex_next(P))) return st;
            return qgc_expect_punct(P, ')');
        }
        qgc_num_status ns = qgc_text_read_float(at.p, at.n, t, p, i);
        if (ns == QGC_NUM_RANGE) return qgc_perr(P, &at, "number out of range for %s", name);
        if (ns) return qgc_perr(P, &at, "expected a %s number", name);
    } else if (t == QGC_BOOL) {
        bool tr = at.n == 4 && !memcmp(at.p, "true", 4);
        bool fa = at.n == 5 && !memcmp(at.p, "false", 5);
        if (!tr && !fa) return qgc_perr(P, &at, "expected true or false");
        ((uint8_t *)p)[i] = tr;
    } else if (t == QGC_U64) {
        uint64_t v;
        if (qgc_text_read_u64(at.p, at.n, &v)) return qgc_perr(P, &at, "expected a u64 number");
        memcpy((uint64_t *)p + i, &v, 8);
    } else {
        int64_t v, lo, hi;
        int_range(t, &lo, &hi);
        qgc_num_status ns = qgc_text_read_i64(at.p, at.n, &v);
        if (ns == QGC_NUM_SYNTAX) return qgc_perr(P, &at, "expected an integer");
        if (ns || v < lo || v > hi) return qgc_perr(P, &at, "number out of range for %s", name);
        qgc_store_i64(t, p, i, v);
    }
    return QGC_OK;
}

/* '[' elements ']' of dtype t, as many as the text has. */
static qgc_status parse_list(qgc_parser *P, qgc_dtype t, list *l) {
    qgc_status st = qgc_expect_punct(P, '[');
    uint64_t x; /* room for one element of any dtype */
    while (!st && !qgc_is_punct(P, ']')) {
        if (l->n && (st = qgc_expect_punct(P, ','))) break;
        x = 0;
        if (!(st = parse_element(P, t, &x, 0)) && !list_push(l, &x)) st = qgc_nomem(P);
    }
    return st ? st : qgc_lex_next(P);
}

/* ---- types --------------------------------------------------------------- */

qgc_status qgc_parse_type(qgc_parser *P, qgc_graph *g, qgc_type *t) {
    memset(t, 0, sizeof *t);
    if (P->t.kind == TK_WORD) {
        t->dtype = qgc_dtype_from_name(P->t.p, P->t.n);
        if (t->dtype == QGC_UNDEF) return qgc_expected(P, "a dtype (f32, i8, ...)");
    } else if (!qgc_is_punct(P, '?')) {
        return qgc_expected(P, "a type");
    }
    qgc_status st = qgc_lex_next(P);
    if (!st) st = qgc_expect_punct(P, '[');
    if (st) return st;
    if (qgc_is_punct(P, '*')) {
        t->rank = -1;
        if ((st = qgc_lex_next(P))) return st;
        return qgc_expect_punct(P, ']');
    }
    while (!qgc_is_punct(P, ']')) {
        if (t->rank && (st = qgc_expect_punct(P, ','))) return st;
        if (t->rank == QGC_MAX_RANK)
            return qgc_perr(P, &P->t, "more than %d dimensions", QGC_MAX_RANK);
        int i = t->rank++;
        if (qgc_is_punct(P, '?')) {
            t->dims[i] = -1;
        } else if (P->t.kind == TK_STRING ||
                   (P->t.kind == TK_WORD && qgc_text_is_bare(P->t.p, P->t.n))) {
            t->dims[i] = -1;
            if (!(t->sym[i] = qgc_tok_text(g->arena, &P->t))) return qgc_nomem(P);
        } else {
            if ((st = int_word(P, 0, INT64_MAX, "a dimension", &t->dims[i]))) return st;
            continue;
        }
        if ((st = qgc_lex_next(P))) return st;
    }
    return qgc_lex_next(P);
}

/* ---- quantization -------------------------------------------------------- */

static qgc_status parse_enum(qgc_parser *P, const char *const *names, int count, int *v) {
    for (int i = 0; i < count; i++)
        if (qgc_is_word(P, names[i])) {
            *v = i;
            return qgc_lex_next(P);
        }
    char what[64] = "one of";
    for (int i = 0; i < count; i++)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s %s", i ? "," : "", names[i]);
    return qgc_expected(P, what);
}

static const char *const quant_fields[] = {"scheme", "format", "bits", "signed",
                                           "axis", "group", "scales", "zero_points"};

qgc_status qgc_parse_quant(qgc_parser *P, qgc_graph *g, qgc_quant **out) {
    *out = NULL;
    if (!qgc_is_word(P, "quant")) return QGC_OK;
    qgc_tok at = P->t;
    qgc_quant *q = qgc_arena_alloc(g->arena, sizeof *q);
    if (!q) return qgc_nomem(P);
    list scales = {.elem = sizeof(float)}, zps = {.elem = sizeof(int32_t)};
    unsigned seen = 0;
    qgc_status st = qgc_lex_next(P);
    if (!st) st = qgc_expect_punct(P, '(');
    while (!st && !qgc_is_punct(P, ')')) {
        if (seen && (st = qgc_expect_punct(P, ','))) break;
        int f = 0, v = 0;
        int64_t x = 0;
        while (f < 8 && !qgc_is_word(P, quant_fields[f])) f++;
        if (f == 8) {
            st = qgc_expected(P, "a quant field (scheme, format, bits, signed, axis, group, "
                                 "scales, zero_points)");
            break;
        }
        if (seen & (1u << f)) {
            st = qgc_perr(P, &P->t, "quant field '%s' given twice", quant_fields[f]);
            break;
        }
        seen |= 1u << f;
        if ((st = qgc_lex_next(P)) || (st = qgc_expect_punct(P, '='))) break;
        switch (f) {
        case 0: st = parse_enum(P, scheme_names, 3, &v), q->scheme = (qgc_qscheme)v; break;
        case 1: st = parse_enum(P, format_names, 3, &v), q->format = (qgc_qformat)v; break;
        case 3: {
            static const char *const tf[] = {"false", "true"};
            st = parse_enum(P, tf, 2, &v);
            q->is_signed = v;
            break;
        }
        case 6: st = parse_list(P, QGC_F32, &scales); break;
        case 7: st = parse_list(P, QGC_I32, &zps); break;
        default:
            st = int_word(P, INT32_MIN, INT32_MAX, quant_fields[f], &x);
            if (f == 2) q->bits = (int)x;
            else if (f == 4) q->axis = (int)x;
            else q->group = (int)x;
            break;
        }
    }
    if (!st && (seen & 0x7f) != 0x7f)
        st = qgc_perr(P, &at,
                      "quant(...) needs scheme, format, bits, signed, axis, group and scales");
    if (!st && (seen & 0x80) && zps.n != scales.n)
        st = qgc_perr(P, &at, "quant(...) has %zu scales but %zu zero points", scales.n, zps.n);
    bool ok = true;
    if (!st) {
        q->n_scales = (int)scales.n;
        q->scales = list_to_arena(g, &scales, &ok);
        /* present but empty stays non-NULL: "zero_points=[]" prints back */
        if (seen & 0x80)
            q->zero_points = scales.n ? list_to_arena(g, &zps, &ok) : qgc_arena_alloc(g->arena, 1);
        if (!ok || ((seen & 0x80) && !q->zero_points)) st = qgc_nomem(P);
    }
    free(scales.p);
    free(zps.p);
    if (!st) st = qgc_lex_next(P);
    *out = st ? NULL : q;
    return st;
}

/* ---- data ---------------------------------------------------------------- */

static qgc_status parse_summary(qgc_parser *P, qgc_graph *g, const char **summary, uint64_t *hash) {
    static const char *const keys[] = {"min", "max", "hash"};
    qgc_tok vals[2];
    qgc_status st = qgc_lex_next(P);
    if (!st) st = qgc_expect_punct(P, '(');
    for (int k = 0; !st && k < 3; k++) {
        if ((k && (st = qgc_expect_punct(P, ','))) || (st = qgc_expect_word(P, keys[k])) ||
            (st = qgc_expect_punct(P, '=')))
            break;
        double scratch;
        const char *p = P->t.p;
        size_t n = P->t.n;
        bool ok = P->t.kind == TK_WORD &&
                  (k == 2 ? !qgc_text_read_hex(p, n, hash)
                          : qgc_text_is_int_literal(p, n) ||
                                qgc_text_read_float(p, n, QGC_F64, &scratch, 0) == QGC_NUM_OK);
        if (!ok) {
            st = qgc_expected(P, k == 2 ? "a 64-bit hex hash (0x...)" : "a number");
            break;
        }
        if (k < 2) vals[k] = P->t;
        st = qgc_lex_next(P);
    }
    if (!st) st = qgc_expect_punct(P, ')');
    if (st) return st;
    /* Kept as the canonical text, so it prints back byte for byte. */
    size_t n = vals[0].n + vals[1].n + 48;
    char *s = qgc_arena_alloc(g->arena, n);
    if (!s) return qgc_nomem(P);
    snprintf(s, n, "min=%.*s, max=%.*s, hash=0x%016llx", (int)vals[0].n, vals[0].p, (int)vals[1].n,
             vals[1].p, (unsigned long long)*hash);
    *summary = s;
    return QGC_OK;
}

static int hex_digit(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

qgc_status qgc_parse_payload(qgc_parser *P, qgc_graph *g, const qgc_type *type,
                             bool allow_summary, qgc_tensor **data, const char **summary,
                             uint64_t *hash) {
    *data = NULL;
    *summary = NULL;
    bool inl = qgc_is_punct(P, '['), hex = qgc_is_word(P, "hex");
    if (!inl && !hex && !(allow_summary && qgc_is_word(P, "summary"))) return QGC_OK;
    qgc_tok at = P->t;
    int64_t n = qgc_type_numel(type);
    size_t nbytes;
    if (n < 0 || !qgc_dtype_nbytes(type->dtype, n, &nbytes) || type->dtype == QGC_STRING)
        return qgc_perr(P, &at, "data needs a static type with a numeric dtype");
    if (!inl && !hex) return parse_summary(P, g, summary, hash);
    qgc_status st = qgc_lex_next(P);
    if (st) return st;
    /* Check the text can hold the data before allocating it. */
    size_t left = P->len - (size_t)(P->t.p - P->src);
    if (hex && P->t.kind != TK_STRING)
        return qgc_expected(P, "hex data in quotes");
    if (hex && (P->t.n % 2 || P->t.n / 2 != nbytes))
        return qgc_perr(P, &P->t, "hex data has %zu digits, the type needs %zu bytes", P->t.n,
                        nbytes);
    if (inl && (uint64_t)n > left)
        return qgc_perr(P, &at, "%lld elements cannot fit in the rest of the text", (long long)n);
    qgc_tensor *t;
    if ((st = qgc_tensor_new(type, &t, P->d))) return st;
    if (!qgc_graph_own_tensor(g, t)) return qgc_nomem(P);
    if (hex) {
        unsigned char *b = t->data;
        for (size_t i = 0; i < nbytes; i++) {
            int hi = hex_digit((unsigned char)P->t.p[2 * i]);
            int lo = hex_digit((unsigned char)P->t.p[2 * i + 1]);
            if (hi < 0 || lo < 0) return qgc_perr(P, &P->t, "hex data has a non-hex digit");
            b[i] = (unsigned char)(hi << 4 | lo);
        }
        st = qgc_lex_next(P);
    } else {
        for (int64_t i = 0; !st && i < n; i++) {
            if (qgc_is_punct(P, ']'))
                return qgc_perr(P, &P->t, "expected %lld elements, found %lld", (long long)n,
                                (long long)i);
            if (i && (st = qgc_expect_punct(P, ','))) break;
            st = parse_element(P, type->dtype, t->data, i);
        }
        if (!st) st = qgc_expect_punct(P, ']');
    }
    if (!st) *data = t;
    return st;
}

/* ---- attributes ---------------------------------------------------------- */

/* '[' numbers ']': INTS when every element is an integer, else FLOATS. */
static qgc_status parse_number_list(qgc_parser *P, qgc_graph *g, qgc_node *n, const char *name) {
    list ints = {.elem = sizeof(int64_t)}, floats = {.elem = sizeof(float)};
    bool is_float = false;
    qgc_status st = QGC_OK;
    while (!st && !qgc_is_punct(P, ']')) {
        if (floats.n && (st = qgc_expect_punct(P, ','))) break;
        int64_t i = 0;
        float f = 0;
        if (P->t.kind == TK_WORD && qgc_text_is_int_literal(P->t.p, P->t.n)) {
            if (qgc_text_read_i64(P->t.p, P->t.n, &i)) {
                st = qgc_perr(P, &P->t, "integer out of the i64 range");
                break;
            }
            qgc_text_read_float(P->t.p, P->t.n, QGC_F32, &f, 0);
            st = qgc_lex_next(P);
        } else {
            is_float = true;
            st = parse_element(P, QGC_F32, &f, 0);
        }
        if (!st && (!list_push(&ints, &i) || !list_push(&floats, &f))) st = qgc_nomem(P);
    }
    qgc_attr *a = NULL;
    bool ok = true;
    if (!st && !(a = qgc_node_add_attr(g, n, name, is_float ? QGC_ATTR_FLOATS : QGC_ATTR_INTS)))
        st = qgc_nomem(P);
    if (!st) {
        a->n = (int)floats.n;
        if (is_float) a->floats = list_to_arena(g, &floats, &ok);
        else a->ints = list_to_arena(g, &ints, &ok);
        if (!ok) st = qgc_nomem(P);
    }
    free(ints.p);
    free(floats.p);
    return st ? st : qgc_lex_next(P);
}

static qgc_status parse_string_list(qgc_parser *P, qgc_graph *g, qgc_node *n, const char *name) {
    list strs = {.elem = sizeof(char *)};
    qgc_status st = QGC_OK;
    while (!st && !qgc_is_punct(P, ']')) {
        char *s = NULL;
        if (strs.n && (st = qgc_expect_punct(P, ','))) break;
        if (P->t.kind != TK_STRING) st = qgc_expected(P, "a string");
        else if (!(s = qgc_tok_text(g->arena, &P->t)) || !list_push(&strs, &s)) st = qgc_nomem(P);
        else st = qgc_lex_next(P);
    }
    qgc_attr *a = NULL;
    bool ok = true;
    if (!st && !(a = qgc_node_add_attr(g, n, name, QGC_ATTR_STRINGS))) st = qgc_nomem(P);
    if (!st) {
        a->n = (int)strs.n;
        a->strs = list_to_arena(g, &strs, &ok);
        if (!ok) st = qgc_nomem(P);
    }
    free(strs.p);
    return st ? st : qgc_lex_next(P);
}

/* tensor none | tensor TYPE [data] */
static qgc_status parse_tensor_attr(qgc_parser *P, qgc_graph *g, qgc_attr *a) {
    if (qgc_is_word(P, "none")) return qgc_lex_next(P);
    qgc_type type;
    const char *summary;
    uint64_t hash;
    qgc_status st = qgc_parse_type(P, g, &type);
    if (!st) st = qgc_parse_payload(P, g, &type, false, &a->t, &summary, &hash);
    if (st || a->t) return st;
    qgc_tensor *t = calloc(1, sizeof *t); /* a type without data */
    if (!t || !qgc_graph_own_tensor(g, t)) return qgc_nomem(P);
    t->type = type;
    a->t = t;
    return QGC_OK;
}

static qgc_status parse_attr_value(qgc_parser *P, qgc_graph *g, qgc_node *n, const char *name) {
    static const struct {
        const char *word;
        qgc_attr_kind kind;
    } empty[] = {{"ints", QGC_ATTR_INTS},
                 {"floats", QGC_ATTR_FLOATS},
                 {"strings", QGC_ATTR_STRINGS}};
    qgc_status st;
    qgc_attr *a;
    if (P->t.kind == TK_STRING) {
        a = qgc_node_add_attr(g, n, name, QGC_ATTR_STRING);
        if (!a || !(a->s = qgc_tok_text(g->arena, &P->t))) return qgc_nomem(P);
        return qgc_lex_next(P);
    }
    if (qgc_is_punct(P, '[')) {
        if ((st = qgc_lex_next(P))) return st;
        if (qgc_is_punct(P, ']'))
            return qgc_perr(P, &P->t,
                            "an empty list needs its kind: ints[], floats[] or strings[]");
        if (P->t.kind == TK_STRING) return parse_string_list(P, g, n, name);
        return parse_number_list(P, g, n, name);
    }
    if (P->t.kind != TK_WORD) return qgc_expected(P, "an attribute value");
    for (int k = 0; k < 3; k++)
        if (qgc_is_word(P, empty[k].word)) {
            if ((st = qgc_lex_next(P)) || (st = qgc_expect_punct(P, '[')) ||
                (st = qgc_expect_punct(P, ']')))
                return st;
            return qgc_node_add_attr(g, n, name, empty[k].kind) ? QGC_OK : qgc_nomem(P);
        }
    bool tensor = qgc_is_word(P, "tensor"), graph = qgc_is_word(P, "graph");
    if (tensor || graph) {
        if ((st = qgc_lex_next(P))) return st;
        if (!(a = qgc_node_add_attr(g, n, name, tensor ? QGC_ATTR_TENSOR : QGC_ATTR_GRAPH)))
            return qgc_nomem(P);
        if (tensor) return parse_tensor_attr(P, g, a);
        if (qgc_is_word(P, "none")) return qgc_lex_next(P);
        return qgc_parse_graph(P, g, &a->g);
    }
    if (qgc_text_is_int_literal(P->t.p, P->t.n)) {
        int64_t v;
        if (qgc_text_read_i64(P->t.p, P->t.n, &v))
            return qgc_perr(P, &P->t, "integer out of the i64 range");
        if (!(a = qgc_node_add_attr(g, n, name, QGC_ATTR_INT))) return qgc_nomem(P);
        a->i = v;
        return qgc_lex_next(P);
    }
    float f;
    if ((st = parse_element(P, QGC_F32, &f, 0))) return st;
    if (!(a = qgc_node_add_attr(g, n, name, QGC_ATTR_FLOAT))) return qgc_nomem(P);
    a->f = f;
    return QGC_OK;
}

qgc_status qgc_parse_attrs(qgc_parser *P, qgc_graph *g, qgc_node *n) {
    qgc_status st = qgc_expect_punct(P, '{');
    for (int i = 0; !st && !qgc_is_punct(P, '}'); i++) {
        if (i && (st = qgc_expect_punct(P, ','))) break;
        char *name;
        if (P->t.kind != TK_STRING && !(P->t.kind == TK_WORD && qgc_text_is_bare(P->t.p, P->t.n))) {
            st = qgc_expected(P, "an attribute name");
            break;
        }
        if (!(name = qgc_tok_text(g->arena, &P->t))) return qgc_nomem(P);
        if ((st = qgc_lex_next(P)) || (st = qgc_expect_punct(P, '='))) break;
        st = parse_attr_value(P, g, n, name);
    }
    return st ? st : qgc_lex_next(P);
}
