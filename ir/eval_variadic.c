/* Variadic Max/Min/Sum/Mean, and Where: element-wise over broadcast inputs. */
#include <string.h>

#include "broadcast.h"
#include "ops.h"

/* Max(a, b, c, ...) = max(max(a, b), c) ...: the first step broadcasts two
 * inputs into the full output shape, later steps accumulate in place. */
qgc_status qgc_eval_variadic(const qgc_node *n, const qgc_tensor *const *in,
                             qgc_tensor *const *out, qgc_diag *d) {
    qgc_tensor *o = out[0];
    qgc_op step = n->op == QGC_OP_MAX || n->op == QGC_OP_MIN ? n->op : QGC_OP_ADD;
    if (n->n_in == 1) {
        memcpy(o->data, in[0]->data, o->nbytes < in[0]->nbytes ? o->nbytes : in[0]->nbytes);
        return QGC_OK;
    }
    for (int k = 1; k < n->n_in; k++) {
        qgc_status st = qgc_binary_run(n, step, k == 1 ? in[0] : o, in[k], o, d);
        if (st != QGC_OK) return st;
    }
    if (n->op == QGC_OP_MEAN) {
        int64_t count = qgc_tensor_numel(o);
        if (o->type.dtype == QGC_F32) {
            float *p = o->data, k = (float)n->n_in;
            for (int64_t i = 0; i < count; i++) p[i] /= k;
        } else {
            for (int64_t i = 0; i < count; i++)
                qgc_store_f64(o->type.dtype, o->data, i,
                              qgc_load_f64(o->type.dtype, o->data, i) / n->n_in);
        }
    }
    return QGC_OK;
}

typedef struct {
    const uint8_t *cond;
    const void *x, *y;
    void *o;
    qgc_dtype t;
} where_ctx;

#define SELECT_ROW(T)                                                                     \
    do {                                                                                  \
        T *o = (T *)c->o + oo;                                                            \
        const T *x = (const T *)c->x + off[1], *y = (const T *)c->y + off[2];             \
        for (int64_t i = 0; i < n; i++) o[i] = k[i * step[0]] ? x[i * step[1]] : y[i * step[2]]; \
    } while (0)

static void where_row(void *vc, int64_t n, int64_t oo, const int64_t *off, const int64_t *step) {
    const where_ctx *c = vc;
    const uint8_t *k = c->cond + off[0];
    switch (qgc_dtype_bits(c->t)) {
    case 8: SELECT_ROW(uint8_t); break;
    case 16: SELECT_ROW(uint16_t); break;
    case 32: SELECT_ROW(uint32_t); break;
    case 64: SELECT_ROW(uint64_t); break;
    default: /* 4-bit: packed, element by element */
        for (int64_t i = 0; i < n; i++) {
            int s = k[i * step[0]] ? 1 : 2;
            qgc_store_i64(c->t, c->o, oo + i,
                          qgc_load_i64(c->t, s == 1 ? c->x : c->y, off[s] + i * step[s]));
        }
    }
}

qgc_status qgc_eval_where(const qgc_node *n, const qgc_tensor *const *in,
                          qgc_tensor *const *out, qgc_diag *d) {
    char lbl[160];
    if (in[0]->type.dtype != QGC_BOOL || in[1]->type.dtype != in[2]->type.dtype ||
        in[1]->type.dtype != out[0]->type.dtype)
        return qgc_fail(d, QGC_ERR_INVALID, "%s: needs a bool condition and x, y of one dtype",
                        qgc_node_label(n, lbl, sizeof lbl));
    where_ctx c = {in[0]->data, in[1]->data, in[2]->data, out[0]->data, out[0]->type.dtype};
    qgc_bcast bc;
    const qgc_type *types[3] = {&in[0]->type, &in[1]->type, &in[2]->type};
    qgc_bcast_init(&bc, &out[0]->type, 3, types);
    qgc_bcast_run(&bc, where_row, &c);
    return QGC_OK;
}
