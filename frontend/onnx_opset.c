/* Older ONNX op forms -> the IR's (newest) form. Version boundaries follow
 * the ONNX operator changelog (onnx/docs/Changelog.md): the opset at which an
 * attribute became an input, or a meaning changed. */
#include <string.h>

#include "onnx_internal.h"
#include "ops.h"

/* Op types the table does not list because the IR has no op of that name:
 * they are older spellings of an IR op. */
static const struct {
    const char *onnx;
    qgc_op op;
    int since;
} legacy_ops[] = {
    {"Upsample", QGC_OP_RESIZE, 7},           /* Upsample-1 was experimental */
    {"Scatter", QGC_OP_SCATTER_ELEMENTS, 9},  /* deprecated in 11 for ScatterElements */
};

qgc_status qgc_onnx_resolve_op(qgc_onnx_node *nd, qgc_diag *d) {
    int since;
    nd->op = qgc_op_by_onnx(nd->op_type);
    if (nd->op != QGC_OP_COUNT) {
        since = qgc_ops[nd->op].since;
    } else {
        size_t i = 0, n = sizeof legacy_ops / sizeof legacy_ops[0];
        while (i < n && strcmp(legacy_ops[i].onnx, nd->op_type) != 0) i++;
        if (i == n)
            return qgc_fail(d, QGC_ERR_UNSUPPORTED, "unsupported op %s (node %s)", nd->op_type,
                            nd->label);
        nd->op = legacy_ops[i].op;
        since = legacy_ops[i].since;
    }
    if (nd->opset < since)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                        "unsupported op %s from opset %d (node %s): supported from opset %d",
                        nd->op_type, nd->opset, nd->label, since);
    return QGC_OK;
}

/* ---- building blocks ----------------------------------------------------- */

static qgc_status fail_attr(const qgc_onnx_node *nd, const char *name, const char *what,
                            qgc_diag *d) {
    return qgc_fail(d, QGC_ERR_INVALID, "node %s (%s): attribute '%s' %s", nd->label,
                    nd->op_type, name, what);
}

/* A rank-0 (n < 0) or rank-1 constant holding vals. */
static qgc_status make_const(qgc_onnx_node *nd, qgc_dtype dt, const void *vals, int n,
                             qgc_value **out, qgc_diag *d) {
    qgc_type ty = {.dtype = dt, .rank = n < 0 ? 0 : 1, .dims = {n}};
    qgc_tensor *t;
    qgc_status st = qgc_tensor_new(&ty, &t, d);
    if (st) return st;
    memcpy(t->data, vals, t->nbytes);
    if (!(*out = qgc_const_new(nd->g, NULL, t))) return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    return QGC_OK;
}

static qgc_status emit(qgc_onnx_node *nd, qgc_op op, int n_in, qgc_value *const *in,
                       qgc_node **out, qgc_diag *d) {
    if (!(*out = qgc_node_new(nd->g, op, nd->name, n_in, in, 1)))
        return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    return QGC_OK;
}

/* A scalar with x's element type: the old attributes were floats, the newer
 * inputs have the data's type (Clip min/max, Pad's value). When x's type is
 * not known yet, CastLike makes it so. */
static qgc_status scalar_like(qgc_onnx_node *nd, float v, qgc_value *x, qgc_value **out,
                              qgc_diag *d) {
    if (!x)
        return qgc_fail(d, QGC_ERR_INVALID, "node %s (%s): required input 0 is absent",
                        nd->label, nd->op_type);
    qgc_dtype dt = x->type.dtype;
    bool known = qgc_dtype_is_float(dt) || qgc_dtype_is_int(dt);
    qgc_type ty = {.dtype = known ? dt : QGC_F32, .rank = 0};
    qgc_tensor *t;
    qgc_status st = qgc_tensor_new(&ty, &t, d);
    if (st) return st;
    qgc_store_f64(ty.dtype, t->data, 0, v);
    if (!(*out = qgc_const_new(nd->g, NULL, t))) return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    if (known) return QGC_OK;
    qgc_value *in[2] = {*out, x};
    qgc_node *n;
    if ((st = emit(nd, QGC_OP_CAST_LIKE, 2, in, &n, d))) return st;
    *out = n->out[0];
    return QGC_OK;
}

/* The older form had at most n inputs; the rewrite appends the rest. */
static qgc_status legacy_inputs(const qgc_onnx_node *nd, int n, qgc_diag *d) {
    if (nd->n_in > n)
        return qgc_fail(d, QGC_ERR_INVALID, "node %s (%s): opset %d form takes %d input%s",
                        nd->label, nd->op_type, nd->opset, n, n == 1 ? "" : "s");
    return QGC_OK;
}

/* Puts v at input position idx, filling absent inputs before it. */
static qgc_status set_input(qgc_onnx_node *nd, int idx, qgc_value *v, qgc_diag *d) {
    while (nd->n_in <= idx) {
        qgc_status st = qgc_onnx_push_input(nd, NULL, d);
        if (st) return st;
    }
    nd->in[idx] = v;
    return QGC_OK;
}

/* INTS attribute `name` -> i64 1-D constant at input idx (absent attribute:
 * absent input, or an error if required). */
static qgc_status ints_to_input(qgc_onnx_node *nd, const char *name, int idx, bool required,
                                qgc_diag *d) {
    qgc_attr *a = qgc_onnx_find_attr(nd, name);
    if (!a) return required ? fail_attr(nd, name, "is required", d) : QGC_OK;
    if (a->kind != QGC_ATTR_INTS) return fail_attr(nd, name, "must be INTS", d);
    qgc_value *v;
    qgc_status st = make_const(nd, QGC_I64, a->ints, a->n, &v, d);
    if (st || (st = set_input(nd, idx, v, d))) return st;
    qgc_onnx_drop_attr(nd, name);
    return QGC_OK;
}

/* FLOAT attribute -> scalar input of the data's type. */
static qgc_status float_to_input(qgc_onnx_node *nd, const char *name, int idx, qgc_diag *d) {
    qgc_attr *a = qgc_onnx_find_attr(nd, name);
    if (!a) return QGC_OK;
    if (a->kind != QGC_ATTR_FLOAT) return fail_attr(nd, name, "must be FLOAT", d);
    qgc_value *v;
    qgc_status st = scalar_like(nd, a->f, nd->in[0], &v, d);
    if (st || (st = set_input(nd, idx, v, d))) return st;
    qgc_onnx_drop_attr(nd, name);
    return QGC_OK;
}

static qgc_status set_string(qgc_onnx_node *nd, const char *name, const char *v, qgc_diag *d) {
    qgc_attr a = {.name = name, .kind = QGC_ATTR_STRING, .s = v};
    return qgc_onnx_add_attr(nd, &a, d);
}

static qgc_status set_int(qgc_onnx_node *nd, const char *name, int64_t v, qgc_diag *d) {
    qgc_attr a = {.name = name, .kind = QGC_ATTR_INT, .i = v};
    return qgc_onnx_add_attr(nd, &a, d);
}

/* ---- per-op rewrites ------------------------------------------------------ */

/* Upsample and Resize-10 map output x to input x / scale (Resize's
 * "asymmetric"); nearest takes the floor when enlarging and the ceiling when
 * shrinking, as ONNX Runtime does and Resize-10's test data expects. */
static qgc_status legacy_resize_attrs(qgc_onnx_node *nd, qgc_value *scales, qgc_diag *d) {
    const char *mode = "nearest";
    qgc_attr *a = qgc_onnx_find_attr(nd, "mode");
    if (a) mode = a->s;
    if (strcmp(mode, "bilinear") == 0) mode = "linear";
    if (strcmp(mode, "nearest") != 0 && strcmp(mode, "linear") != 0)
        return fail_attr(nd, "mode", "must be \"nearest\" or \"linear\"", d);
    bool shrink = false;
    if (scales && scales->data && scales->data->type.dtype == QGC_F32) {
        int64_t n = qgc_tensor_numel(scales->data);
        for (int64_t i = 0; i < n; i++)
            if (((const float *)scales->data->data)[i] < 1.0f) shrink = true;
    }
    qgc_status st = set_string(nd, "mode", mode, d);
    if (!st) st = set_string(nd, "coordinate_transformation_mode", "asymmetric", d);
    if (!st && strcmp(mode, "nearest") == 0)
        st = set_string(nd, "nearest_mode", shrink ? "ceil" : "floor", d);
    return st;
}

static qgc_status rewrite_resize(qgc_onnx_node *nd, qgc_diag *d) {
    bool upsample = strcmp(nd->op_type, "Upsample") == 0;
    if (!upsample && nd->opset >= 11) return QGC_OK; /* Resize-11: the opset-13 inputs */
    qgc_status st;
    if (upsample && nd->opset < 9) {
        /* Upsample-7: scales attribute instead of input */
        qgc_attr *a = qgc_onnx_find_attr(nd, "scales");
        if (!a) return fail_attr(nd, "scales", "is required", d);
        if (a->kind != QGC_ATTR_FLOATS) return fail_attr(nd, "scales", "must be FLOATS", d);
        qgc_value *v;
        if ((st = legacy_inputs(nd, 1, d)) || (st = make_const(nd, QGC_F32, a->floats, a->n, &v, d)) ||
            (st = set_input(nd, 1, v, d)))
            return st;
        qgc_onnx_drop_attr(nd, "scales");
    } else if ((st = legacy_inputs(nd, 2, d))) {
        return st;
    }
    /* (X, scales) -> (X, roi absent, scales) */
    qgc_value *scales = nd->n_in > 1 ? nd->in[1] : NULL;
    if ((st = set_input(nd, 2, scales, d))) return st;
    nd->in[1] = NULL;
    return legacy_resize_attrs(nd, scales, d);
}

/* Softmax, LogSoftmax, Hardmax before 13 coerce the input to 2-D at `axis`
 * (default 1) and normalise over the flattened trailing part. */
static qgc_status rewrite_softmax(qgc_onnx_node *nd, qgc_diag *d) {
    qgc_attr *a = qgc_onnx_find_attr(nd, "axis");
    int64_t axis = a ? a->i : 1;
    qgc_value *x = nd->in[0];
    int rank = x ? x->type.rank : -1, ax;
    if (rank >= 0 && !qgc_norm_axis(axis, rank, &ax))
        return fail_attr(nd, "axis", "is out of range", d);
    if (rank >= 0 && ax == rank - 1) return set_int(nd, "axis", ax, d); /* same meaning */
    if (!x) return QGC_OK; /* the arity check reports it */
    qgc_node *flat;
    qgc_status st = emit(nd, QGC_OP_FLATTEN, 1, &x, &flat, d);
    if (st || (st = qgc_node_set_int(nd->g, flat, "axis", axis))) return st;
    nd->in[0] = flat->out[0];
    nd->reshape_to = x;
    return set_int(nd, "axis", 1, d);
}

/* Aligns input 1's dims at `axis` of input 0 by giving it trailing 1s, which
 * makes the old axis-aligned broadcast numpy broadcasting. */
static qgc_status align_at_axis(qgc_onnx_node *nd, int64_t axis, qgc_diag *d) {
    int ra = nd->in[0]->type.rank, rb = nd->in[1]->type.rank, a;
    if (ra < 0 || rb < 0)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "node %s (%s): broadcast along an axis needs "
                        "the inputs' ranks, which the model does not give", nd->label,
                        nd->op_type);
    if (!qgc_norm_axis(axis, ra, &a) || a + rb > ra)
        return fail_attr(nd, "axis", "does not fit the inputs' ranks", d);
    int extra = ra - a - rb;
    if (extra == 0) return QGC_OK;
    int64_t axes[QGC_MAX_RANK];
    for (int i = 0; i < extra; i++) axes[i] = rb + i;
    qgc_value *in[2] = {nd->in[1], NULL};
    qgc_node *un;
    qgc_status st = make_const(nd, QGC_I64, axes, extra, &in[1], d);
    if (st || (st = emit(nd, QGC_OP_UNSQUEEZE, 2, in, &un, d))) return st;
    nd->in[1] = un->out[0];
    return QGC_OK;
}

/* Before 7, binary ops broadcast only with broadcast=1, aligning B's dims
 * at `axis` of A (default: trailing, as numpy does). */
static qgc_status rewrite_legacy_broadcast(qgc_onnx_node *nd, qgc_diag *d) {
    qgc_attr *bc = qgc_onnx_find_attr(nd, "broadcast"), *ax = qgc_onnx_find_attr(nd, "axis");
    bool has_axis = ax && bc && bc->i;
    int64_t axis = ax ? ax->i : 0;
    qgc_onnx_drop_attr(nd, "broadcast");
    qgc_onnx_drop_attr(nd, "axis");
    if (!has_axis || nd->n_in != 2 || !nd->in[0] || !nd->in[1]) return QGC_OK;
    return align_at_axis(nd, axis, d);
}

/* PRelu before 7 applies a 1-D slope per channel (axis 1), not numpy-style. */
static qgc_status rewrite_prelu(qgc_onnx_node *nd, qgc_diag *d) {
    if (nd->n_in != 2 || !nd->in[0] || !nd->in[1]) return QGC_OK;
    const qgc_type *s = &nd->in[1]->type;
    if (s->rank != 1 || s->dims[0] == 1 || nd->in[0]->type.rank < 2) return QGC_OK;
    return align_at_axis(nd, 1, d);
}

static bool is_reduce(qgc_op op) {
    switch (op) {
    case QGC_OP_REDUCE_SUM: case QGC_OP_REDUCE_MEAN: case QGC_OP_REDUCE_MAX:
    case QGC_OP_REDUCE_MIN: case QGC_OP_REDUCE_PROD: case QGC_OP_REDUCE_L1:
    case QGC_OP_REDUCE_L2: case QGC_OP_REDUCE_LOG_SUM: case QGC_OP_REDUCE_LOG_SUM_EXP:
    case QGC_OP_REDUCE_SUM_SQUARE:
        return true;
    default:
        return false;
    }
}

static bool is_legacy_broadcast(qgc_op op) {
    switch (op) {
    case QGC_OP_ADD: case QGC_OP_SUB: case QGC_OP_MUL: case QGC_OP_DIV: case QGC_OP_POW:
    case QGC_OP_AND: case QGC_OP_OR: case QGC_OP_XOR: case QGC_OP_EQUAL: case QGC_OP_LESS:
    case QGC_OP_GREATER:
        return true;
    default:
        return false;
    }
}

qgc_status qgc_onnx_rewrite(qgc_onnx_node *nd, qgc_diag *d) {
    int v = nd->opset;
    qgc_status st = QGC_OK;
    qgc_onnx_drop_attr(nd, "consumed_inputs"); /* opset-1 memory hint, no meaning */
    if (is_reduce(nd->op)) {
        /* axes is an attribute up to opset 17 (ReduceSum: up to 12) */
        if (qgc_onnx_find_attr(nd, "axes") && (st = legacy_inputs(nd, 1, d))) return st;
        return ints_to_input(nd, "axes", 1, false, d);
    }
    if (is_legacy_broadcast(nd->op)) return v < 7 ? rewrite_legacy_broadcast(nd, d) : QGC_OK;
    switch (nd->op) {
    case QGC_OP_SLICE: /* starts/ends/axes became inputs in 10 */
        if (v >= 10) break;
        if ((st = legacy_inputs(nd, 1, d)) || (st = ints_to_input(nd, "starts", 1, true, d)) ||
            (st = ints_to_input(nd, "ends", 2, true, d)))
            return st;
        return ints_to_input(nd, "axes", 3, false, d);
    case QGC_OP_CLIP: /* min/max became inputs in 11 */
        if (v >= 11) break;
        if ((st = legacy_inputs(nd, 1, d)) || (st = float_to_input(nd, "min", 1, d)))
            return st;
        return float_to_input(nd, "max", 2, d);
    case QGC_OP_PAD: { /* pads/value became inputs in 11 */
        if (v >= 11) break;
        qgc_attr *val = qgc_onnx_find_attr(nd, "value");
        if ((st = legacy_inputs(nd, 1, d)) || (st = ints_to_input(nd, "pads", 1, true, d)))
            return st;
        if (val && val->kind == QGC_ATTR_FLOAT && val->f == 0.0f) qgc_onnx_drop_attr(nd, "value");
        return float_to_input(nd, "value", 2, d);
    }
    case QGC_OP_SQUEEZE: case QGC_OP_UNSQUEEZE: /* axes became an input in 13 */
        if (v >= 13) break;
        if ((st = legacy_inputs(nd, 1, d))) return st;
        return ints_to_input(nd, "axes", 1, nd->op == QGC_OP_UNSQUEEZE, d);
    case QGC_OP_SPLIT: /* split became an input in 13 */
        if (v >= 13) break;
        if ((st = legacy_inputs(nd, 1, d))) return st;
        return ints_to_input(nd, "split", 1, false, d);
    case QGC_OP_TOPK: { /* k became an input in 10 */
        if (v >= 10) break;
        qgc_attr *k = qgc_onnx_find_attr(nd, "k");
        if (!k) return fail_attr(nd, "k", "is required", d);
        qgc_value *kv;
        if ((st = legacy_inputs(nd, 1, d)) || (st = make_const(nd, QGC_I64, &k->i, 1, &kv, d)) ||
            (st = set_input(nd, 1, kv, d)))
            return st;
        qgc_onnx_drop_attr(nd, "k");
        break;
    }
    case QGC_OP_RESIZE:
        return rewrite_resize(nd, d);
    case QGC_OP_DROPOUT: { /* ratio became an input in 12; is_test went in 7 */
        if (v >= 12) break;
        qgc_onnx_drop_attr(nd, "is_test");
        qgc_attr *r = qgc_onnx_find_attr(nd, "ratio");
        if (!r) break;
        qgc_value *rv;
        if ((st = legacy_inputs(nd, 1, d)) || (st = make_const(nd, QGC_F32, &r->f, -1, &rv, d)) ||
            (st = set_input(nd, 1, rv, d)))
            return st;
        qgc_onnx_drop_attr(nd, "ratio");
        break;
    }
    case QGC_OP_BATCHNORM: { /* spatial went in 9, is_test in 7 */
        if (v >= 9) break;
        qgc_attr *sp = qgc_onnx_find_attr(nd, "spatial");
        if (sp && sp->i == 0)
            return qgc_fail(d, QGC_ERR_UNSUPPORTED, "node %s (%s): spatial=0 (per-activation "
                            "statistics) is not supported", nd->label, nd->op_type);
        qgc_onnx_drop_attr(nd, "spatial");
        qgc_onnx_drop_attr(nd, "is_test");
        break;
    }
    case QGC_OP_SOFTMAX: case QGC_OP_LOG_SOFTMAX: case QGC_OP_HARDMAX:
        if (v < 13) return rewrite_softmax(nd, d);
        break;
    case QGC_OP_PRELU:
        if (v < 7) return rewrite_prelu(nd, d);
        break;
    case QGC_OP_GEMM: /* before 7, C broadcast only with broadcast=1 */
        if (v < 7) qgc_onnx_drop_attr(nd, "broadcast");
        break;
    default:
        break;
    }
    return st;
}

qgc_status qgc_onnx_finish(qgc_onnx_node *nd, qgc_node *n, qgc_value **outs, qgc_diag *d) {
    if (!nd->reshape_to) return QGC_OK;
    qgc_node *shape, *back;
    qgc_status st = emit(nd, QGC_OP_SHAPE, 1, &nd->reshape_to, &shape, d);
    if (st) return st;
    qgc_value *in[2] = {n->out[0], shape->out[0]};
    if ((st = emit(nd, QGC_OP_RESHAPE, 2, in, &back, d))) return st;
    outs[0] = back->out[0];
    return QGC_OK;
}
