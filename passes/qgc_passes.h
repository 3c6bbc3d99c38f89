/* The pass manager and the registry of passes. */
#ifndef QGC_PASSES_H
#define QGC_PASSES_H

#include "qgc_ir.h"

/* What `qgc dump`, `qgc run` and `qgc conform` run after import. */
#define QGC_DEFAULT_PIPELINE "canonicalize"

typedef qgc_status (*qgc_pass_fn)(qgc_graph *g, qgc_diag *d);

typedef struct {
    const char *name;
    const char *help; /* one line */
    qgc_pass_fn run;
} qgc_pass_info;

extern const qgc_pass_info qgc_pass_registry[];
extern const int qgc_pass_count;

/* Runs a comma-separated pipeline ("canonicalize,dce"); "none" or "" runs
 * nothing. Shape inference and the verifier run after each pass. An unknown pass name
 * is an error naming it. */
qgc_status qgc_run_pipeline(qgc_graph *g, const char *pipeline, qgc_diag *d);

/* The passes (one file each). */
qgc_status qgc_pass_dce(qgc_graph *g, qgc_diag *d);
qgc_status qgc_pass_fold_constants(qgc_graph *g, qgc_diag *d);
qgc_status qgc_pass_canonicalize(qgc_graph *g, qgc_diag *d);
qgc_status qgc_pass_simplify_imports(qgc_graph *g, qgc_diag *d);

/* The rewrites canonicalize runs (one file each; registered on their own too).
 * Each keeps float semantics, gives its new nodes the ONNX name of the node
 * they replace, and drops what became dead. */
qgc_status qgc_lower_gemm(qgc_graph *g, qgc_diag *d);     /* gemm -> matmul, mul, add */
qgc_status qgc_fuse_layernorm(qgc_graph *g, qgc_diag *d); /* mean/sub/pow/sqrt/div -> layernorm */
qgc_status qgc_fuse_gelu(qgc_graph *g, qgc_diag *d);      /* x*0.5*(1+erf(x/sqrt2)) -> gelu */

#endif
