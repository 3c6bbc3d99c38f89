/* Helpers shared by the shape and data-movement ops (eval_layout.c,
 * eval_concat_split.c, eval_slice.c, eval_gather.c, eval_scatter.c,
 * eval_pattern.c, eval_generate.c, eval_topk.c).
 *
 * Data movement is generic over the element size (1, 2, 4 or 8 bytes): it
 * copies bytes and never looks at values, so one code path serves every dtype.
 * 4-bit dtypes are packed two per byte and are refused by name. */
#ifndef QGC_MOVEMENT_H
#define QGC_MOVEMENT_H

#include "ops.h"

/* "node 'X' (op)" for a diagnostic; the buffer lives until the end of the
 * enclosing full expression, which is all a qgc_fail call needs. */
#define QGC_LABEL(n) qgc_node_label((n), (char[160]){0}, 160)

/* Dims and values read from data are capped here so that products and sums
 * of a few of them never overflow int64 (the same cap as qgc_type_numel). */
#define QGC_DIM_LIMIT (INT64_C(1) << 62)

/* A strided copy walks at most this many dims: Tile views a rank-r tensor as
 * 2r dims (repeat, extent) per axis. */
#define QGC_MOVE_MAX_DIMS (2 * QGC_MAX_RANK)

/* One box copy: for every index vector i < dims,
 *   dst[sum i[k]*dst_stride[k]] = src[sum i[k]*src_stride[k]]
 * Strides are in elements; src strides may be 0 (broadcast) or negative
 * (reversed slice). The caller guarantees every address is inside its tensor. */
typedef struct {
    int rank;
    int64_t dims[QGC_MOVE_MAX_DIMS];
    int64_t src_stride[QGC_MOVE_MAX_DIMS];
    int64_t dst_stride[QGC_MOVE_MAX_DIMS];
} qgc_move_plan;

/* Runs a plan with element size esize. Dims whose runs are contiguous in both
 * tensors are merged first, so the innermost loop is one memcpy per row
 * whenever the innermost axis is untouched. */
void qgc_move_strided(const qgc_move_plan *p, size_t esize, void *dst, const void *src);

/* Element size in bytes of a dtype that data movement handles; fails naming
 * the node for 4-bit, string and invalid dtypes. */
qgc_status qgc_move_esize(const qgc_node *n, qgc_dtype t, size_t *esize, qgc_diag *d);

/* Reads an integer tensor (any integer dtype, any shape) holding at most max
 * values into dst; *count gets the number of values. Fails naming the node
 * and `what` (e.g. "shape") when t has no data, a non-integer dtype, or more
 * than max values. */
qgc_status qgc_read_ints(const qgc_node *n, const qgc_tensor *t, const char *what, int64_t *dst,
                         int64_t max, int64_t *count, qgc_diag *d);

static inline int64_t qgc_clamp64(int64_t v, int64_t lo, int64_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* Index tensors (Gather, Scatter, ...) must be i32 or i64. */
qgc_status qgc_check_index_dtype(const qgc_node *n, const qgc_tensor *t, const char *what,
                                 qgc_diag *d);

/* Wraps a negative index v against dim into *out; false if v is outside
 * [-dim, dim). */
static inline bool qgc_wrap_index(int64_t v, int64_t dim, int64_t *out) {
    if (v < -dim || v >= dim) return false;
    *out = v < 0 ? v + dim : v;
    return true;
}

/* The error for an index outside [-dim, dim), naming the node. */
qgc_status qgc_bad_index(const qgc_node *n, const char *what, int64_t v, int64_t dim,
                         qgc_diag *d);

/* a*b for dims: -1 if either is unknown, QGC_DIM_LIMIT (which
 * qgc_check_dims rejects) if the product reaches it. Both must be >= -1. */
int64_t qgc_dim_mul(int64_t a, int64_t b);

/* Sets *t to dtype `dt`, rank `rank` (-1: unknown), every dim unknown. */
void qgc_type_unknown(qgc_type *t, qgc_dtype dt, int rank);

/* Checks an output type computed from data: every known dim in
 * [0, QGC_DIM_LIMIT) and the element count below QGC_DIM_LIMIT. */
qgc_status qgc_check_dims(const qgc_node *n, const qgc_type *t, qgc_diag *d);

#endif
