/* TopK (opset 11 form: k is an input; largest, sorted attributes). The k
 * selected elements come out in order (largest first, or smallest first);
 * equal values keep the smaller index first. */
#include <stdlib.h>
#include <string.h>

#include "movement.h"

static qgc_status read_k(const qgc_node *n, const qgc_tensor *t, int64_t dim, int64_t *k,
                         qgc_diag *d) {
    int64_t cnt;
    qgc_status st = qgc_read_ints(n, t, "k", k, 1, &cnt, d);
    if (st) return st;
    if (cnt != 1 || *k < 0 || (dim >= 0 && *k > dim))
        return qgc_fail(d, QGC_ERR_INVALID, "%s: k must be one value in [0, %lld]", QGC_LABEL(n),
                        (long long)dim);
    return QGC_OK;
}

qgc_status qgc_infer_topk(const qgc_node *n, const qgc_tensor *const *in, qgc_type *out,
                          qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int axis;
    qgc_type_unknown(&out[0], x->dtype, x->rank);
    qgc_type_unknown(&out[1], QGC_I64, x->rank);
    if (x->rank < 0) return QGC_OK;
    qgc_status st = qgc_node_axis(n, -1, x->rank, &axis, d);
    if (st) return st;
    int64_t k = -1;
    if (in[1]->data && (st = read_k(n, in[1], x->dims[axis], &k, d))) return st;
    for (int o = 0; o < 2; o++) {
        for (int i = 0; i < x->rank; i++) {
            out[o].dims[i] = x->dims[i];
            out[o].sym[i] = x->sym[i];
        }
        out[o].dims[axis] = k;
        out[o].sym[axis] = NULL;
    }
    return QGC_OK;
}

/* Sort entry: an unsigned key whose ascending order is the wanted order,
 * then the index. */
typedef struct {
    uint64_t key;
    int64_t idx;
} entry;

static int cmp_entry(const void *pa, const void *pb) {
    const entry *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Maps element i to a uint64 that orders as the values do: floats by their
 * IEEE bits (sign folded; -0 counts as +0, every NaN above +inf), signed
 * integers with the sign bit flipped, unsigned as they are. */
static uint64_t order_key(qgc_dtype t, const void *p, int64_t i) {
    const uint64_t top = UINT64_C(1) << 63;
    if (qgc_dtype_is_float(t)) {
        double v = qgc_load_f64(t, p, i);
        uint64_t bits;
        if (v == 0) v = 0;
        if (v != v) return UINT64_MAX;
        memcpy(&bits, &v, sizeof bits);
        return bits & top ? ~bits : bits | top;
    }
    int64_t v = qgc_load_i64(t, p, i);
    return t == QGC_U64 ? (uint64_t)v : (uint64_t)v ^ top;
}

qgc_status qgc_eval_topk(const qgc_node *n, const qgc_tensor *const *in, qgc_tensor *const *out,
                         qgc_diag *d) {
    const qgc_type *x = &in[0]->type;
    int axis;
    int64_t k;
    size_t es;
    qgc_status st = qgc_move_esize(n, x->dtype, &es, d);
    if (!st) st = qgc_node_axis(n, -1, x->rank, &axis, d);
    if (!st) st = read_k(n, in[1], x->dims[axis], &k, d);
    if (st) return st;
    if (out[0]->type.dims[axis] != k || out[1]->type.dims[axis] != k ||
        out[1]->type.dtype != QGC_I64)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: outputs do not have k = %lld along axis %d",
                        QGC_LABEL(n), (long long)k, axis);
    int64_t dim = x->dims[axis], outer = 1, inner = 1;
    for (int i = 0; i < x->rank; i++) {
        if (i < axis) outer *= x->dims[i];
        if (i > axis) inner *= x->dims[i];
    }
    if (k == 0 || outer * inner == 0) return QGC_OK;
    entry *buf = malloc(sizeof *buf * (size_t)dim);
    if (!buf) return qgc_fail(d, QGC_ERR_NOMEM, "%s: out of memory", QGC_LABEL(n));
    /* largest: complementing the key turns descending into ascending */
    uint64_t flip = qgc_attr_int(n, "largest", 1) ? UINT64_MAX : 0;
    const char *src = in[0]->data;
    char *vals = out[0]->data;
    int64_t *idxs = out[1]->data;
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
            int64_t base = o * dim * inner + i, obase = o * k * inner + i;
            for (int64_t j = 0; j < dim; j++) {
                buf[j].key = order_key(x->dtype, src, base + j * inner) ^ flip;
                buf[j].idx = j;
            }
            qsort(buf, (size_t)dim, sizeof *buf, cmp_entry);
            for (int64_t j = 0; j < k; j++) {
                int64_t at = obase + j * inner;
                memcpy(vals + at * (int64_t)es, src + (base + buf[j].idx * inner) * (int64_t)es, es);
                idxs[at] = buf[j].idx;
            }
        }
    }
    free(buf);
    return QGC_OK;
}
