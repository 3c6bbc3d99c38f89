/* The text form's parser state, shared by its files (lex.c, parse.c,
 * parse_data.c); internal to the IR library. */
#ifndef QGC_PARSE_INTERNAL_H
#define QGC_PARSE_INTERNAL_H

#include "text_internal.h"

typedef enum { TK_EOF, TK_WORD, TK_STRING, TK_VALUE, TK_AT, TK_PUNCT } qgc_tok_kind;

typedef struct {
    qgc_tok_kind kind;
    /* WORD: the word. STRING, and quoted VALUE/AT: the bytes between the
     * quotes, escapes not yet decoded. Bare VALUE/AT: the name or number. */
    const char *p;
    size_t n;
    bool quoted;
    char c; /* PUNCT: one of ()[]{},=:?* or '>' for "->" */
    int line, col;
} qgc_tok;

typedef struct qgc_scope qgc_scope;

typedef struct {
    const char *src;
    size_t len, pos;
    int line, col;
    qgc_tok t; /* the current token */
    const qgc_weight_source *ws;
    qgc_diag *d;
    int depth;        /* graphs being parsed */
    qgc_scope *scope; /* innermost graph's names */
} qgc_parser;

/* ---- lex.c ---- */
/* Reads the next token into P->t. */
qgc_status qgc_lex_next(qgc_parser *P);
/* "LINE:COL: message" at token t, as QGC_ERR_PARSE. */
qgc_status qgc_perr(qgc_parser *P, const qgc_tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "LINE:COL: expected WHAT, found TOKEN" at the current token. */
qgc_status qgc_expected(qgc_parser *P, const char *what);
bool qgc_is_punct(const qgc_parser *P, char c);
bool qgc_is_word(const qgc_parser *P, const char *w);
/* Consumes punctuation c, or fails naming it. */
qgc_status qgc_expect_punct(qgc_parser *P, char c);
/* Consumes the word w, or fails naming it. */
qgc_status qgc_expect_word(qgc_parser *P, const char *w);
/* The text of a STRING token or of a VALUE/AT name, escapes decoded, as a
 * NUL-terminated copy in the arena (NULL: out of memory). */
char *qgc_tok_text(qgc_arena *a, const qgc_tok *t);
qgc_status qgc_nomem(qgc_parser *P);

/* ---- parse_data.c ---- */
/* dtype '[' dims ']' */
qgc_status qgc_parse_type(qgc_parser *P, qgc_graph *g, qgc_type *t);
/* An optional quant(...) annotation; *q NULL when there is none. */
qgc_status qgc_parse_quant(qgc_parser *P, qgc_graph *g, qgc_quant **q);
/* Optional data after a type: [elements], hex"...", or (if allow_summary)
 * summary(min=, max=, hash=). *data is a tensor the graph owns already;
 * *summary (arena) and *hash are set for a summary. */
qgc_status qgc_parse_payload(qgc_parser *P, qgc_graph *g, const qgc_type *type,
                             bool allow_summary, qgc_tensor **data, const char **summary,
                             uint64_t *hash);
/* '{' name=value, ... '}' onto node n. */
qgc_status qgc_parse_attrs(qgc_parser *P, qgc_graph *g, qgc_node *n);

/* ---- parse.c ---- */
/* A graph from its '@name' on; *out is set as soon as the graph exists (so
 * the caller frees it on error). parent is NULL for the top graph. */
qgc_status qgc_parse_graph(qgc_parser *P, qgc_graph *parent, qgc_graph **out);

#endif
