/* Pieces the text form's printer and parser share; internal to the IR
 * library. */
#ifndef QGC_TEXT_INTERNAL_H
#define QGC_TEXT_INTERNAL_H

#include "qgc_text.h"

/* A growing output string; `oom` sticks once an allocation failed. */
typedef struct {
    char *p;
    size_t n, cap;
    bool oom;
} qgc_strbuf;

void qgc_sb_put(qgc_strbuf *b, const char *s, size_t n);
void qgc_sb_puts(qgc_strbuf *b, const char *s);
void qgc_sb_printf(qgc_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A name prints bare when it matches [A-Za-z_][A-Za-z0-9_./]*, else quoted. */
bool qgc_text_is_bare(const char *s, size_t n);
/* "..." with \" \\ \n \t \r and \xHH for other control bytes. */
void qgc_text_put_quoted(qgc_strbuf *b, const char *s);
void qgc_text_put_name(qgc_strbuf *b, const char *s); /* bare or quoted; NULL as "" */

/* Deepest nesting of subgraphs (GRAPH attributes) printed or parsed. */
#define QGC_TEXT_MAX_DEPTH 32

/* Longest number text the printer writes or the parser reads. */
#define QGC_NUM_MAX 64

typedef enum { QGC_NUM_OK, QGC_NUM_SYNTAX, QGC_NUM_RANGE } qgc_num_status;

/* Decimal integers ([-+]?[0-9]+), hex "0x" + 1..16 digits. */
qgc_num_status qgc_text_read_i64(const char *s, size_t n, int64_t *out);
qgc_num_status qgc_text_read_u64(const char *s, size_t n, uint64_t *out);
qgc_num_status qgc_text_read_hex(const char *s, size_t n, uint64_t *out);
bool qgc_text_is_int_literal(const char *s, size_t n);
/* A decimal float, "inf", "-inf" or "nan" into element i of a float dtype's
 * buffer; out of the dtype's range is QGC_NUM_RANGE. */
qgc_num_status qgc_text_read_float(const char *s, size_t n, qgc_dtype t, void *p, int64_t i);
/* Float elements by bit pattern (nan(0xBITS) in the text). */
void qgc_text_set_float_bits(qgc_dtype t, void *p, int64_t i, uint64_t bits);
bool qgc_text_is_nan_bits(qgc_dtype t, uint64_t bits);

/* Element i as text: for floats the shortest decimal that reads back to the
 * same bits (always with '.', 'e', "inf" or "nan" so it is not an integer;
 * a NaN other than the default one as "nan(0xBITS)"); bool as true/false;
 * integers in decimal. buf holds QGC_NUM_MAX bytes. */
void qgc_text_fmt_element(char *buf, qgc_dtype t, const void *p, int64_t i);

/* FNV-1a 64 of the bytes: the content hash of constant summaries. */
uint64_t qgc_text_hash(const void *p, size_t n);

#endif
