/* qgc: the command-line driver. One function per subcommand, each in its own
 * file (tools/cmd_*.c); this file only dispatches. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"dump", qgc_cmd_dump, "print a model (.onnx) or a text-form graph (.qgc) as IR"},
    {"run", qgc_cmd_run, "run a model in the reference interpreter on .npy inputs"},
    {"conform", qgc_cmd_conform, "run ONNX backend-format test cases and report pass/fail"},
    {"compare", qgc_cmd_compare, "compare two .npy tensors within a tolerance"},
    {"ops", qgc_cmd_ops, "list the supported operators (Markdown)"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: qgc COMMAND [options]   (qgc COMMAND --help for its options)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "qgc: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
