/* qgc run: run a model in the reference interpreter. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "qgc_interp.h"

static void help(FILE *f) {
    fprintf(f, "usage: qgc run MODEL.onnx|GRAPH.qgc --input NAME=FILE.npy ... --output-dir DIR [options]\n"
               "  --input NAME=FILE     value for graph input NAME (.npy, or ONNX TensorProto .pb)\n"
               "  --output-dir DIR      write one NAME.npy per graph output into DIR\n"
               "  --shape NAME=N | INPUT=AxBxC, --passes P   as for qgc dump\n");
}

/* Output names may hold any character: keep the safe ones. */
static void file_name_for(const char *name, char *buf, size_t size) {
    size_t k = 0;
    for (const char *p = name; *p && k + 1 < size; p++)
        buf[k++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'
                              ? *p
                              : '_');
    buf[k] = 0;
    if (k == 0 || buf[0] == '.') buf[0] = '_', buf[k ? k : 1] = 0;
}

static qgc_status read_tensor(const char *path, qgc_tensor **t, qgc_diag *d) {
    return qgc_cli_has_suffix(path, ".pb") ? qgc_tensor_read_pb(path, t, NULL, d)
                                           : qgc_npy_read(path, t, d);
}

int qgc_cmd_run(int argc, char **argv) {
    qgc_model_args a = {0};
    const char *path = NULL, *out_dir = NULL, *inputs[64];
    int n_inputs = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return 0;
        } else if (qgc_cli_model_option(&a, argc, argv, &i)) {
        } else if (!strcmp(argv[i], "--input") && i + 1 < argc && n_inputs < 64) {
            inputs[n_inputs++] = argv[++i];
        } else if (!strcmp(argv[i], "--output-dir") && i + 1 < argc) {
            out_dir = argv[++i];
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "qgc run: unexpected argument '%s'\n", argv[i]);
            help(stderr);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path || !out_dir) {
        help(stderr);
        return 2;
    }
    qgc_graph *g = qgc_cli_load(path, &a);
    if (!g) return 1;
    int rc = 1;
    qgc_diag d = {{0}};
    qgc_tensor **in = calloc(g->n_inputs + 1, sizeof *in);
    qgc_tensor **out = calloc(g->n_outputs + 1, sizeof *out);
    if (!in || !out) goto done;
    for (int k = 0; k < n_inputs; k++) {
        const char *eq = strchr(inputs[k], '=');
        uint32_t j = 0;
        while (eq && j < g->n_inputs &&
               !(g->inputs[j]->name && strlen(g->inputs[j]->name) == (size_t)(eq - inputs[k]) &&
                 !strncmp(g->inputs[j]->name, inputs[k], (size_t)(eq - inputs[k]))))
            j++;
        if (!eq || j == g->n_inputs) {
            fprintf(stderr, "qgc run: --input %s: the model has no such input\n", inputs[k]);
            goto done;
        }
        qgc_tensor_free(in[j]);
        if (read_tensor(eq + 1, &in[j], &d)) {
            fprintf(stderr, "qgc run: %s: %s\n", eq + 1, d.msg);
            goto done;
        }
    }
    for (uint32_t j = 0; j < g->n_inputs; j++)
        if (!in[j]) {
            fprintf(stderr, "qgc run: no --input for graph input '%s'\n", g->inputs[j]->name);
            goto done;
        }
    if (qgc_interp_run(g, (const qgc_tensor *const *)in, out, &d)) {
        fprintf(stderr, "qgc run: %s\n", d.msg);
        goto done;
    }
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "qgc run: cannot create %s\n", out_dir);
        goto done;
    }
    rc = 0;
    for (uint32_t j = 0; j < g->n_outputs; j++) {
        char name[200], file[4096];
        file_name_for(g->outputs[j]->name ? g->outputs[j]->name : "output", name, sizeof name);
        snprintf(file, sizeof file, "%s/%s.npy", out_dir, name);
        if (qgc_npy_write(file, out[j], &d)) {
            fprintf(stderr, "qgc run: %s\n", d.msg);
            rc = 1;
        }
    }
done:
    for (uint32_t j = 0; in && j < g->n_inputs; j++) qgc_tensor_free(in[j]);
    for (uint32_t j = 0; out && j < g->n_outputs; j++) qgc_tensor_free(out[j]);
    free(in);
    free(out);
    qgc_graph_free(g);
    return rc;
}
