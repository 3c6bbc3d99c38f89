/* Shared pieces of the qgc command-line driver. */
#ifndef QGC_CLI_H
#define QGC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "qgc_frontend.h"
#include "qgc_ir.h"

int qgc_cmd_dump(int argc, char **argv);
int qgc_cmd_run(int argc, char **argv);
int qgc_cmd_conform(int argc, char **argv);
int qgc_cmd_ops(int argc, char **argv);
int qgc_cmd_compare(int argc, char **argv);

/* True if got equals want within atol + rtol*|want| (floats) or exactly;
 * otherwise msg says where they differ. */
bool qgc_cli_compare(const qgc_tensor *got, const qgc_tensor *want, double rtol, double atol,
                     char *msg, size_t size);

/* Options every command that reads a model takes. */
typedef struct {
    const char *shapes[64];
    int n_shapes;
    const char *passes; /* pipeline text, NULL: the default (canonicalize) */
} qgc_model_args;

/* Consumes a model option at argv[*i] ("--shape NAME=DIMS", "--passes P");
 * returns true if it was one. Exits with a message on a malformed option. */
bool qgc_cli_model_option(qgc_model_args *a, int argc, char **argv, int *i);
/* Loads an .onnx model or a .qgc text-form graph, runs shape inference and the
 * pass pipeline. Prints the diagnostic and returns NULL on failure. */
qgc_graph *qgc_cli_load(const char *path, const qgc_model_args *a);
bool qgc_cli_has_suffix(const char *s, const char *suffix);

#endif
