/* Comparing tensors against expected values, for `qgc conform` and
 * `qgc compare`: |got - want| <= atol + rtol*|want| for floats (NaN equals
 * NaN, infinities must match), exact for integers and bool. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool qgc_cli_compare(const qgc_tensor *got, const qgc_tensor *want, double rtol, double atol,
                    char *msg, size_t size) {
    if (got->type.dtype != want->type.dtype) {
        snprintf(msg, size, "dtype %s, expected %s", qgc_dtype_name(got->type.dtype),
                 qgc_dtype_name(want->type.dtype));
        return false;
    }
    if (got->type.rank != want->type.rank) {
        snprintf(msg, size, "rank %d, expected %d", got->type.rank, want->type.rank);
        return false;
    }
    for (int i = 0; i < got->type.rank; i++)
        if (got->type.dims[i] != want->type.dims[i]) {
            snprintf(msg, size, "dim %d is %lld, expected %lld", i, (long long)got->type.dims[i],
                     (long long)want->type.dims[i]);
            return false;
        }
    int64_t n = qgc_tensor_numel(got);
    bool is_float = qgc_dtype_is_float(got->type.dtype);
    int64_t bad = 0, first = -1;
    double worst = 0;
    for (int64_t i = 0; i < n; i++) {
        bool ok;
        if (is_float) {
            double a = qgc_load_f64(got->type.dtype, got->data, i);
            double b = qgc_load_f64(want->type.dtype, want->data, i);
            if (isnan(a) || isnan(b)) ok = isnan(a) && isnan(b);
            else if (isinf(a) || isinf(b)) ok = a == b;
            else {
                double err = fabs(a - b);
                ok = err <= atol + rtol * fabs(b);
                if (err > worst) worst = err;
            }
        } else {
            ok = qgc_load_i64(got->type.dtype, got->data, i) ==
                 qgc_load_i64(want->type.dtype, want->data, i);
        }
        if (!ok && bad++ == 0) first = i;
    }
    if (bad) {
        if (is_float)
            snprintf(msg, size, "%lld of %lld values differ; first at %lld: %.9g vs %.9g; max abs err %.3g",
                     (long long)bad, (long long)n, (long long)first,
                     qgc_load_f64(got->type.dtype, got->data, first),
                     qgc_load_f64(want->type.dtype, want->data, first), worst);
        else
            snprintf(msg, size, "%lld of %lld values differ; first at %lld: %lld vs %lld",
                     (long long)bad, (long long)n, (long long)first,
                     (long long)qgc_load_i64(got->type.dtype, got->data, first),
                     (long long)qgc_load_i64(want->type.dtype, want->data, first));
    }
    return bad == 0;
}

static void help(FILE *f) {
    fprintf(f, "usage: qgc compare GOT.npy WANT.npy [--rtol X] [--atol X]\n"
               "  exit 0 when every value is within atol + rtol*|want| (default 1e-4 each)\n");
}

int qgc_cmd_compare(int argc, char **argv) {
    const char *files[2] = {0};
    int nf = 0;
    double rtol = 1e-4, atol = 1e-4;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--rtol") && i + 1 < argc) rtol = atof(argv[++i]);
        else if (!strcmp(argv[i], "--atol") && i + 1 < argc) atol = atof(argv[++i]);
        else if (argv[i][0] != '-' && nf < 2) files[nf++] = argv[i];
        else {
            help(stderr);
            return 2;
        }
    }
    if (nf != 2) {
        help(stderr);
        return 2;
    }
    qgc_tensor *t[2] = {0};
    qgc_diag d = {{0}};
    int rc = 2;
    for (int i = 0; i < 2; i++)
        if (qgc_npy_read(files[i], &t[i], &d)) {
            fprintf(stderr, "qgc compare: %s: %s\n", files[i], d.msg);
            goto done;
        }
    char why[400];
    if (qgc_cli_compare(t[0], t[1], rtol, atol, why, sizeof why)) {
        printf("%s: equal within rtol %g atol %g\n", files[0], rtol, atol);
        rc = 0;
    } else {
        printf("%s: %s\n", files[0], why);
        rc = 1;
    }
done:
    qgc_tensor_free(t[0]);
    qgc_tensor_free(t[1]);
    return rc;
}
