/* The op table, instantiated from ops.def. */
#include <string.h>

#include "ops.h"

const qgc_op_info qgc_ops[QGC_OP_COUNT] = {
#define QGC_OP(id, name, onnx, since, min_in, max_in, min_out, max_out, infer, eval) \
    [QGC_OP_##id] = {name, onnx, since, min_in, max_in, min_out, max_out, infer, eval},
#include "ops.def"
#undef QGC_OP
};

qgc_op qgc_op_by_name(const char *name, size_t len) {
    for (int i = 0; i < QGC_OP_COUNT; i++)
        if (strlen(qgc_ops[i].name) == len && memcmp(qgc_ops[i].name, name, len) == 0)
            return (qgc_op)i;
    return QGC_OP_COUNT;
}

qgc_op qgc_op_by_onnx(const char *op_type) {
    for (int i = 0; i < QGC_OP_COUNT; i++)
        if (qgc_ops[i].onnx && strcmp(qgc_ops[i].onnx, op_type) == 0)
            return (qgc_op)i;
    return QGC_OP_COUNT;
}
