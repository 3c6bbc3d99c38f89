/* ONNX TypeProto -> qgc_type, and the --shape overrides of symbolic dims. */
#include <stdlib.h>
#include <string.h>

#include "onnx_internal.h"

qgc_status qgc_onnx_type(qgc_graph *g, const Onnx__TypeProto *tp, const char *what,
                         qgc_type *t, qgc_diag *d) {
    memset(t, 0, sizeof *t);
    t->rank = -1;
    if (!tp) return QGC_OK;
    switch (tp->value_case) {
    case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE: break;
    case ONNX__TYPE_PROTO__VALUE__NOT_SET: return QGC_OK;
    case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: sequence types are not supported", what);
    default:
        return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                        "%s: only tensor types are supported (not map, optional or sparse)",
                        what);
    }
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    int32_t code = tt->has_elem_type ? tt->elem_type : 0;
    if (code == QGC_STRING)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: string tensors are not supported", what);
    if (code < 0 || code >= QGC_DTYPE_END || (code != 0 && qgc_dtype_bits((qgc_dtype)code) == 0))
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: unsupported data type %d", what,
                        (int)code);
    t->dtype = (qgc_dtype)code;
    if (!tt->shape) return QGC_OK; /* rank unknown */
    if (tt->shape->n_dim > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s: rank %zu is over the maximum %d", what,
                        tt->shape->n_dim, QGC_MAX_RANK);
    t->rank = (int)tt->shape->n_dim;
    for (int i = 0; i < t->rank; i++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[i];
        t->dims[i] = -1;
        if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (dim->dim_value < 0)
                return qgc_fail(d, QGC_ERR_INVALID, "%s: negative dimension %lld", what,
                                (long long)dim->dim_value);
            t->dims[i] = dim->dim_value;
        } else if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                   dim->dim_param && dim->dim_param[0]) {
            if (!(t->sym[i] = qgc_arena_strdup(g->arena, dim->dim_param)))
                return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
        }
    }
    return QGC_OK;
}

/* ---- --shape overrides ----------------------------------------------------- */

/* Parses "N" or "AxBxC" into dims; returns the count, or -1 if malformed. */
static int parse_dims(const char *s, int64_t *dims) {
    int n = 0;
    for (;;) {
        if (*s < '0' || *s > '9' || n == QGC_MAX_RANK) return -1;
        int64_t v = 0;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (v > (INT64_MAX - 9) / 10) return -1;
            v = v * 10 + (*s - '0');
        }
        dims[n++] = v;
        if (*s == 0) return n;
        if (*s != 'x') return -1;
        s++;
    }
}

static bool fix_input(qgc_graph *g, const char *name, size_t len, const int64_t *dims, int n,
                      qgc_status *st, qgc_diag *d) {
    for (uint32_t i = 0; i < g->n_inputs; i++) {
        qgc_value *v = g->inputs[i];
        if (!v->name || strlen(v->name) != len || memcmp(v->name, name, len) != 0) continue;
        if (v->type.rank >= 0 && v->type.rank != n) {
            *st = qgc_fail(d, QGC_ERR_INVALID, "--shape %.*s: input has rank %d, not %d",
                           (int)len, name, v->type.rank, n);
            return true;
        }
        v->type.rank = n;
        for (int k = 0; k < n; k++) {
            v->type.dims[k] = dims[k];
            v->type.sym[k] = NULL;
        }
        return true;
    }
    return false;
}

static bool fix_sym(qgc_graph *g, const char *name, size_t len, int64_t dim) {
    bool found = false;
    for (uint32_t i = 0; i < g->n_values; i++) {
        qgc_type *t = &g->values[i]->type;
        for (int k = 0; k < t->rank; k++)
            if (t->sym[k] && strlen(t->sym[k]) == len && memcmp(t->sym[k], name, len) == 0) {
                t->dims[k] = dim;
                t->sym[k] = NULL;
                found = true;
            }
    }
    return found;
}

qgc_status qgc_onnx_apply_shapes(qgc_graph *g, const qgc_load_options *opt, qgc_diag *d) {
    for (int i = 0; opt && i < opt->n_shapes; i++) {
        const char *s = opt->shapes[i], *eq = s ? strchr(s, '=') : NULL;
        int64_t dims[QGC_MAX_RANK];
        int n = eq ? parse_dims(eq + 1, dims) : -1;
        if (!eq || eq == s || n < 0)
            return qgc_fail(d, QGC_ERR_INVALID,
                            "--shape '%s': expected NAME=N or INPUT=D0xD1x...", s ? s : "");
        size_t len = (size_t)(eq - s);
        qgc_status st = QGC_OK;
        if (fix_input(g, s, len, dims, n, &st, d)) {
            if (st) return st;
            continue;
        }
        if (n != 1)
            return qgc_fail(d, QGC_ERR_INVALID, "--shape %.*s: no graph input has that name",
                            (int)len, s);
        if (!fix_sym(g, s, len, dims[0]))
            return qgc_fail(d, QGC_ERR_INVALID,
                            "--shape %.*s: no graph input or symbolic dimension has that name",
                            (int)len, s);
    }
    return QGC_OK;
}
