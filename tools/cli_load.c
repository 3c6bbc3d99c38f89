/* Model loading shared by the subcommands: .onnx or .qgc, shape overrides,
 * shape inference, then the pass pipeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qgc_interp.h"
#include "qgc_passes.h"
#include "qgc_text.h"

bool qgc_cli_has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

bool qgc_cli_model_option(qgc_model_args *a, int argc, char **argv, int *i) {
    const char *arg = argv[*i];
    const char *val = NULL;
    bool shape = !strcmp(arg, "--shape"), passes = !strcmp(arg, "--passes");
    if (!strncmp(arg, "--shape=", 8)) val = arg + 8, shape = true;
    else if (!strncmp(arg, "--passes=", 9)) val = arg + 9, passes = true;
    if (!shape && !passes) return false;
    if (!val) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "qgc: %s needs a value\n", arg);
            exit(2);
        }
        val = argv[++*i];
    }
    if (passes) {
        a->passes = val;
    } else {
        if (a->n_shapes >= (int)(sizeof a->shapes / sizeof a->shapes[0])) {
            fprintf(stderr, "qgc: too many --shape options\n");
            exit(2);
        }
        a->shapes[a->n_shapes++] = val;
    }
    return true;
}

static qgc_status load_text(const char *path, qgc_graph **g, qgc_diag *d) {
    void *buf;
    size_t len;
    qgc_status st = qgc_read_file(path, (uint64_t)1 << 32, &buf, &len, d);
    if (st) return st;
    st = qgc_graph_parse(buf, len, NULL, g, d);
    free(buf);
    return st;
}

qgc_graph *qgc_cli_load(const char *path, const qgc_model_args *a) {
    qgc_diag d = {{0}};
    qgc_graph *g = NULL;
    qgc_status st;
    if (qgc_cli_has_suffix(path, ".qgc")) {
        st = load_text(path, &g, &d);
    } else {
        qgc_load_options opt = {.n_shapes = a->n_shapes, .shapes = a->shapes};
        st = qgc_onnx_load(path, &opt, &g, &d);
    }
    if (!st) st = qgc_graph_verify(g, &d);
    if (!st) st = qgc_infer_shapes(g, &d);
    if (!st) st = qgc_run_pipeline(g, a->passes ? a->passes : QGC_DEFAULT_PIPELINE, &d);
    if (st) {
        fprintf(stderr, "qgc: %s: %s\n", path, d.msg);
        qgc_graph_free(g);
        return NULL;
    }
    return g;
}
