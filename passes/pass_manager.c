/* Pass registry and pipeline runner. */
#include <stdio.h>
#include <string.h>

#include "qgc_interp.h"
#include "qgc_passes.h"
#include "qgc_text.h"

const qgc_pass_info qgc_pass_registry[] = {
    {"canonicalize", "fold constants, drop identities, rewrite ONNX idioms into canonical ops", qgc_pass_canonicalize},
    {"fold-constants", "evaluate nodes whose inputs are all constants", qgc_pass_fold_constants},
    {"simplify-imports", "undo opset-import scaffolding (cast_like of constants, flattened softmax)", qgc_pass_simplify_imports},
    {"lower-gemm", "rewrite gemm as matmul (+ transpose, mul by alpha, add of beta*C)", qgc_lower_gemm},
    {"fuse-layernorm", "fuse the decomposed mean/variance LayerNorm into layernorm", qgc_fuse_layernorm},
    {"fuse-gelu", "fuse x*0.5*(1+erf(x/sqrt(2))) into gelu", qgc_fuse_gelu},
    {"dce", "remove nodes whose results nothing uses", qgc_pass_dce},
};
const int qgc_pass_count = sizeof qgc_pass_registry / sizeof qgc_pass_registry[0];

/* A pass that leaves a broken graph is a bug in the pass: say which. */
static void qgc_diag_prefix_pass(qgc_diag *d, const char *pass) {
    if (!d) return;
    char msg[sizeof d->msg];
    memcpy(msg, d->msg, sizeof msg);
    snprintf(d->msg, sizeof d->msg, "after pass %.40s: %.400s", pass, msg);
}

qgc_status qgc_run_pipeline(qgc_graph *g, const char *pipeline, qgc_diag *d) {
    if (!pipeline || !strcmp(pipeline, "none")) return QGC_OK;
    const char *p = pipeline;
    while (*p) {
        size_t len = strcspn(p, ",");
        int k = 0;
        while (k < qgc_pass_count &&
               !(strlen(qgc_pass_registry[k].name) == len && !strncmp(qgc_pass_registry[k].name, p, len)))
            k++;
        if (k == qgc_pass_count)
            return qgc_fail(d, QGC_ERR_INVALID, "unknown pass '%.*s'", (int)len, p);
        qgc_status st = qgc_pass_registry[k].run(g, d);
        if (!st) st = qgc_infer_shapes(g, d);
        if (!st && (st = qgc_graph_verify(g, d)))
            qgc_diag_prefix_pass(d, qgc_pass_registry[k].name);
        if (st) return st;
        p += len;
        if (*p == ',') p++;
    }
    return QGC_OK;
}
