/* The IR's text form (printer and parser) and the graph verifier.
 *
 * Every graph prints to text and parses back to the same graph: print ->
 * parse -> print is byte-identical. The grammar is in docs/ir-text-form.md. */
#ifndef QGC_TEXT_H
#define QGC_TEXT_H

#include "qgc_ir.h"

typedef struct {
    /* Print constants bigger than inline_max in full (hex of their bytes)
     * instead of a summary (min, max, content hash). */
    bool weights;
    /* Constants with at most this many elements always print their values
     * inline (shape vectors, scalars). 0 selects the default, 16; a negative
     * value prints only empty constants inline. */
    int inline_max;
} qgc_print_options;

/* Prints g (o may be NULL: defaults) into a malloc'd NUL-terminated string. */
qgc_status qgc_graph_print(const qgc_graph *g, const qgc_print_options *o, char **out,
                           qgc_diag *d);

/* Where the parser finds the data of constants printed as summaries: lookup
 * returns the tensor stored under a constant's name, or NULL. The parser
 * copies what it takes. */
typedef struct qgc_weight_source qgc_weight_source;
struct qgc_weight_source {
    const qgc_tensor *(*lookup)(const qgc_weight_source *ws, const char *name);
    const void *ctx;
};
/* A source backed by the constants of a graph (e.g. the model loaded from
 * ONNX); g must outlive the source. */
qgc_weight_source qgc_weight_source_from_graph(const qgc_graph *g);

/* Parses the text form (text need not be NUL-terminated; len bytes are
 * read). Constants printed as summaries get their data from ws, which must
 * hold a tensor of the same type and content hash under the constant's name;
 * with ws NULL they stay data-less (value->summary keeps the summary so the
 * graph prints back identically). Errors are QGC_ERR_PARSE with "LINE:COL: "
 * and what was expected. *out is NULL on error. */
qgc_status qgc_graph_parse(const char *text, size_t len, const qgc_weight_source *ws,
                           qgc_graph **out, qgc_diag *d);

/* Checks the graph's structure: every use has an earlier definition (graph
 * input, constant, earlier node, or a value of an enclosing graph), one
 * producer per value with consistent links, op ids and arities from the op
 * table, required inputs present, graph outputs defined, value names unique,
 * constant data sizes, attribute lists well formed, quantization annotations
 * consistent with their value's dtype and shape. Recurses into subgraphs.
 * Messages name the node and the value. */
qgc_status qgc_graph_verify(const qgc_graph *g, qgc_diag *d);

#endif
