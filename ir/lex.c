/* The text form's lexer and the parser's error helpers.
 *
 * The input is a byte range, not a C string: every read checks P->len. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse_internal.h"

static int peek(const qgc_parser *P, size_t off) {
    return P->pos + off < P->len ? (unsigned char)P->src[P->pos + off] : -1;
}

static void advance(qgc_parser *P) {
    if (P->src[P->pos] == '\n') {
        P->line++;
        P->col = 1;
    } else {
        P->col++;
    }
    P->pos++;
}

static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_word_char(int c) { return is_alpha(c) || is_digit(c) || c == '.' || c == '/'; }
static bool is_hex(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- errors -------------------------------------------------------------- */

qgc_status qgc_perr(qgc_parser *P, const qgc_tok *t, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return qgc_fail(P->d, QGC_ERR_PARSE, "%d:%d: %s", t->line, t->col, msg);
}

qgc_status qgc_nomem(qgc_parser *P) {
    return qgc_fail(P->d, QGC_ERR_NOMEM, "out of memory parsing the text form");
}

/* At most 40 bytes of the token, non-printable bytes as '?'. */
static void snippet(const char *p, size_t n, char *out) {
    size_t k = n > 40 ? 40 : n;
    for (size_t i = 0; i < k; i++) out[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
    strcpy(out + k, n > 40 ? "..." : "");
}

qgc_status qgc_expected(qgc_parser *P, const char *what) {
    const qgc_tok *t = &P->t;
    char s[48], found[64];
    snippet(t->p, t->n, s);
    switch (t->kind) {
    case TK_EOF: snprintf(found, sizeof found, "end of input"); break;
    case TK_WORD: snprintf(found, sizeof found, "'%s'", s); break;
    case TK_STRING: snprintf(found, sizeof found, "string \"%s\"", s); break;
    case TK_VALUE: snprintf(found, sizeof found, t->quoted ? "%%\"%s\"" : "%%%s", s); break;
    case TK_AT: snprintf(found, sizeof found, t->quoted ? "@\"%s\"" : "@%s", s); break;
    case TK_PUNCT: snprintf(found, sizeof found, t->c == '>' ? "'->'" : "'%c'", t->c); break;
    }
    return qgc_perr(P, t, "expected %s, found %s", what, found);
}

bool qgc_is_punct(const qgc_parser *P, char c) { return P->t.kind == TK_PUNCT && P->t.c == c; }

bool qgc_is_word(const qgc_parser *P, const char *w) {
    return P->t.kind == TK_WORD && strlen(w) == P->t.n && memcmp(P->t.p, w, P->t.n) == 0;
}

qgc_status qgc_expect_punct(qgc_parser *P, char c) {
    if (!qgc_is_punct(P, c)) {
        char what[8];
        snprintf(what, sizeof what, c == '>' ? "'->'" : "'%c'", c);
        return qgc_expected(P, what);
    }
    return qgc_lex_next(P);
}

qgc_status qgc_expect_word(qgc_parser *P, const char *w) {
    if (!qgc_is_word(P, w)) {
        char what[32];
        snprintf(what, sizeof what, "'%s'", w);
        return qgc_expected(P, what);
    }
    return qgc_lex_next(P);
}

/* ---- strings ------------------------------------------------------------- */

static int hex_val(int c) {
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

char *qgc_tok_text(qgc_arena *a, const qgc_tok *t) {
    char *out = qgc_arena_alloc(a, t->n + 1);
    if (!out) return NULL;
    if (!t->quoted && t->kind != TK_STRING) {
        memcpy(out, t->p, t->n);
        return out;
    }
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->p[i];
        if (c == '\\') { /* the lexer checked every escape */
            c = t->p[++i];
            if (c == 'n') c = '\n';
            else if (c == 't') c = '\t';
            else if (c == 'r') c = '\r';
            else if (c == 'x') {
                c = (char)(hex_val((unsigned char)t->p[i + 1]) * 16 +
                           hex_val((unsigned char)t->p[i + 2]));
                i += 2;
            }
        }
        out[k++] = c;
    }
    out[k] = 0;
    return out;
}

/* A quoted string from its opening quote: checks the escapes (the decoded
 * text must not contain NUL) and sets the token's span to the inside. */
static qgc_status lex_string(qgc_parser *P, qgc_tok *t) {
    qgc_tok at = *t;
    advance(P);
    t->p = P->src + P->pos;
    t->quoted = true;
    for (;;) {
        int c = peek(P, 0);
        if (c < 0) return qgc_perr(P, &at, "unterminated string");
        if (c == '"') break;
        if (c < 0x20 || c == 0x7f) {
            t->line = P->line, t->col = P->col;
            return qgc_perr(P, t, "control character in a string (write it as an escape)");
        }
        if (c == '\\') {
            int e = peek(P, 1);
            bool ok = e == '\\' || e == '"' || e == 'n' || e == 't' || e == 'r';
            if (e == 'x')
                ok = is_hex(peek(P, 2)) && is_hex(peek(P, 3)) &&
                     !(peek(P, 2) == '0' && peek(P, 3) == '0');
            if (!ok) {
                t->line = P->line, t->col = P->col;
                return qgc_perr(P, t, "bad escape in a string "
                                      "(\\\\ \\\" \\n \\t \\r \\xHH, not \\x00)");
            }
            for (int k = e == 'x' ? 3 : 1; k > 0; k--) advance(P);
        }
        advance(P);
    }
    t->n = (size_t)(P->src + P->pos - t->p);
    advance(P);
    return QGC_OK;
}

/* ---- tokens -------------------------------------------------------------- */

static void skip_space(qgc_parser *P) {
    for (int c; (c = peek(P, 0)) >= 0;) {
        if (c == '#') {
            while (peek(P, 0) >= 0 && peek(P, 0) != '\n') advance(P);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            advance(P);
        } else {
            return;
        }
    }
}

/* A word: [-+]?[A-Za-z0-9_./]+, where an exponent sign may follow e/E in a
 * number (1e-05). */
static void lex_word(qgc_parser *P, qgc_tok *t) {
    size_t start = P->pos;
    if (peek(P, 0) == '-' || peek(P, 0) == '+') advance(P);
    int first = peek(P, 0);
    bool numeric = is_digit(first) || first == '.';
    bool hex = first == '0' && (peek(P, 1) == 'x' || peek(P, 1) == 'X');
    for (;;) {
        int c = peek(P, 0);
        if (is_word_char(c)) {
            advance(P);
        } else if ((c == '-' || c == '+') && numeric && !hex &&
                   (P->src[P->pos - 1] == 'e' || P->src[P->pos - 1] == 'E')) {
            advance(P);
        } else {
            break;
        }
    }
    t->kind = TK_WORD;
    t->p = P->src + start;
    t->n = P->pos - start;
}

/* After % or @: a quoted name, a bare name, or (values only) a number. */
static qgc_status lex_name(qgc_parser *P, qgc_tok *t, bool value) {
    qgc_tok at = *t;
    advance(P);
    int c = peek(P, 0);
    if (c == '"') return lex_string(P, t);
    if (!is_alpha(c) && !(value && is_digit(c)))
        return qgc_perr(P, &at, value ? "expected a value name or number after '%%'"
                                      : "expected a name after '@'");
    t->p = P->src + P->pos;
    while (is_word_char(peek(P, 0))) advance(P);
    t->n = (size_t)(P->src + P->pos - t->p);
    if (is_digit(c))
        for (size_t i = 0; i < t->n; i++)
            if (!is_digit((unsigned char)t->p[i]))
                return qgc_perr(P, &at, "a value number has only digits (quote names that "
                                        "start with a digit: %%\"1a\")");
    return QGC_OK;
}

qgc_status qgc_lex_next(qgc_parser *P) {
    skip_space(P);
    qgc_tok *t = &P->t;
    memset(t, 0, sizeof *t);
    t->line = P->line;
    t->col = P->col;
    t->p = P->src + P->pos;
    int c = peek(P, 0);
    if (c < 0) {
        t->kind = TK_EOF;
        return QGC_OK;
    }
    switch (c) {
    case '"': t->kind = TK_STRING; return lex_string(P, t);
    case '%': t->kind = TK_VALUE; return lex_name(P, t, true);
    case '@': t->kind = TK_AT; return lex_name(P, t, false);
    case '(': case ')': case '[': case ']': case '{': case '}':
    case ',': case '=': case ':': case '?': case '*':
        t->kind = TK_PUNCT;
        t->c = (char)c;
        t->n = 1;
        advance(P);
        return QGC_OK;
    default: break;
    }
    if (c == '-' && peek(P, 1) == '>') {
        t->kind = TK_PUNCT;
        t->c = '>';
        t->n = 2;
        advance(P);
        advance(P);
        return QGC_OK;
    }
    if (is_word_char(c) || ((c == '-' || c == '+') && is_word_char(peek(P, 1)))) {
        lex_word(P, t);
        return QGC_OK;
    }
    if (c >= 0x20 && c < 0x7f) return qgc_perr(P, t, "unexpected character '%c'", c);
    return qgc_perr(P, t, "unexpected byte 0x%02x", c);
}
