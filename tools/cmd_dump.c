/* qgc dump: print a model's IR in the text form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qgc_passes.h"
#include "qgc_text.h"

static void help(FILE *f) {
    fprintf(f,
            "usage: qgc dump MODEL.onnx|GRAPH.qgc [options]\n"
            "  --shape NAME=N        fix symbolic dim NAME to N\n"
            "  --shape INPUT=AxBxC   fix the whole shape of graph input INPUT\n"
            "  --passes P1,P2,...    pass pipeline to run before printing (default: %s;\n"
            "                        \"none\" prints the graph as imported)\n"
            "  --weights             print constants in full instead of a summary\n"
            "  -o FILE               write to FILE instead of standard output\n",
            QGC_DEFAULT_PIPELINE);
}

int qgc_cmd_dump(int argc, char **argv) {
    qgc_model_args a = {0};
    qgc_print_options po = {0};
    const char *path = NULL, *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return 0;
        } else if (qgc_cli_model_option(&a, argc, argv, &i)) {
        } else if (!strcmp(argv[i], "--weights")) {
            po.weights = true;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out_path = argv[++i];
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "qgc dump: unexpected argument '%s'\n", argv[i]);
            help(stderr);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        help(stderr);
        return 2;
    }
    qgc_graph *g = qgc_cli_load(path, &a);
    if (!g) return 1;
    char *text = NULL;
    qgc_diag d = {{0}};
    int rc = 0;
    if (qgc_graph_print(g, &po, &text, &d)) {
        fprintf(stderr, "qgc dump: %s\n", d.msg);
        rc = 1;
    } else {
        FILE *f = out_path ? fopen(out_path, "w") : stdout;
        if (!f || fputs(text, f) < 0 || (out_path && fclose(f) != 0)) {
            fprintf(stderr, "qgc dump: cannot write %s\n", out_path ? out_path : "output");
            rc = 1;
        }
    }
    free(text);
    qgc_graph_free(g);
    return rc;
}
