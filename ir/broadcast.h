/* The numpy-broadcasting iterator that every element-wise op with more than
 * one input (binary, variadic, where) walks its operands with.
 *
 * The output shape is coalesced first: dims of size 1 are dropped and adjacent
 * dims are merged wherever every operand is contiguous (or broadcast) across
 * both, so [1,16,80,80] + [1,16,1,1] becomes [16,6400] with the second operand
 * stepping 0 along the 6400. The walk then hands out rows of the innermost
 * dim: the output row is contiguous and each input steps by 0 or 1 along it,
 * so row kernels are tight loops. */
#ifndef QGC_BROADCAST_H
#define QGC_BROADCAST_H

#include "qgc_ir.h"

#define QGC_BCAST_MAX_IN 3

typedef struct {
    int rank;       /* coalesced rank, >= 1 */
    int n_in;
    int64_t dims[QGC_MAX_RANK];
    int64_t strides[QGC_BCAST_MAX_IN][QGC_MAX_RANK]; /* element strides; 0 where broadcast */
} qgc_bcast;

/* One row of n elements: output elements out_off .. out_off+n-1; input k's
 * elements in_off[k] + i*in_step[k], with in_step[k] 0 or 1. */
typedef void (*qgc_bcast_row_fn)(void *ctx, int64_t n, int64_t out_off, const int64_t *in_off,
                                 const int64_t *in_step);

/* Sets up the walk of `out` (a static shape) over n_in (1..QGC_BCAST_MAX_IN)
 * static input shapes that broadcast to it (the shape rule checked that). */
void qgc_bcast_init(qgc_bcast *b, const qgc_type *out, int n_in, const qgc_type *const *in);
/* Calls fn for every row, in output order. Nothing is called for an empty output. */
void qgc_bcast_run(const qgc_bcast *b, qgc_bcast_row_fn fn, void *ctx);

/* out = a OP b with broadcasting, for op one of the binary ops (add .. prelu,
 * comparisons, logic) or max/min; n supplies the attributes (Mod's fmod,
 * BitShift's direction) and names errors. a or b may be out itself (the
 * variadic ops accumulate in place): every output element is written after
 * the input elements at the same position are read. */
qgc_status qgc_binary_run(const qgc_node *n, qgc_op op, const qgc_tensor *a, const qgc_tensor *b,
                          qgc_tensor *out, qgc_diag *d);

#endif
