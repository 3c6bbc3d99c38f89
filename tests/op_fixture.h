/* The one-node-graph fixture every op test shares: a graph, a node "N" over
 * the fixture's input tensors, results through qgc_eval_node (shape rule +
 * eval), all freed in teardown. */
#ifndef QGC_TEST_OP_FIXTURE_H
#define QGC_TEST_OP_FIXTURE_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ops.h"
#include "qgc_interp.h"

#define MAXIO 8

typedef struct {
    qgc_graph *g;
    qgc_node *n;
    qgc_tensor *in[MAXIO];
    qgc_tensor *out[MAXIO];
    qgc_diag d;
} fx;

static inline int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->g = qgc_graph_new("t");
    *state = f;
    return f->g ? 0 : -1;
}

static inline int teardown(void **state) {
    fx *f = *state;
    for (int i = 0; i < MAXIO; i++) {
        qgc_tensor_free(f->in[i]);
        qgc_tensor_free(f->out[i]);
    }
    qgc_graph_free(f->g);
    free(f);
    return 0;
}

/* A tensor of dtype dt and dims (rank r) holding `data` (NULL: zeros). */
static inline qgc_tensor *tensor(qgc_dtype dt, int r, const int64_t *dims, const void *data) {
    qgc_type t = {.dtype = dt, .rank = r};
    for (int i = 0; i < r; i++) t.dims[i] = dims[i];
    qgc_tensor *x;
    assert_int_equal(qgc_tensor_new(&t, &x, NULL), QGC_OK);
    if (data && x->nbytes) memcpy(x->data, data, x->nbytes);
    return x;
}

/* Makes node "N" of op with n_in inputs (NULL entries of f->in are absent
 * optional inputs) and n_out outputs. */
static inline void make_node(fx *f, qgc_op op, int n_in, int n_out) {
    qgc_value *vals[MAXIO] = {NULL};
    for (int i = 0; i < n_in; i++)
        if (f->in[i]) vals[i] = qgc_value_new(f->g, NULL, &f->in[i]->type);
    f->n = qgc_node_new(f->g, op, "N", n_in, vals, n_out);
    assert_non_null(f->n);
}

#endif
