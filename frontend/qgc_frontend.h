/* ONNX import and tensor file I/O. */
#ifndef QGC_FRONTEND_H
#define QGC_FRONTEND_H

#include "qgc_ir.h"

typedef struct {
    /* Shape overrides, each "NAME=N" (fixes every dim_param NAME to N) or
     * "INPUT=D0xD1x..." (fixes the whole shape of graph input INPUT). */
    int n_shapes;
    const char *const *shapes;
    /* Refuse models whose tensors (initializers, constants, external data)
     * add up to more than this many bytes. 0: a default of 4 GiB. */
    uint64_t max_tensor_bytes;
} qgc_load_options;

/* Loads an ONNX ModelProto file into a new graph. External data files are
 * resolved relative to the model's folder; a location that escapes it is
 * refused. Older opsets are rewritten into the IR's (newest) op forms. Does
 * not run shape inference (see qgc_infer_shapes). */
qgc_status qgc_onnx_load(const char *path, const qgc_load_options *opt, qgc_graph **out,
                         qgc_diag *d);
/* The same from memory; base_dir (may be NULL: external data refused) is the
 * folder external data locations are relative to. */
qgc_status qgc_onnx_load_buffer(const void *buf, size_t len, const char *base_dir,
                                const qgc_load_options *opt, qgc_graph **out, qgc_diag *d);

/* Reads a serialized onnx.TensorProto (the backend test format's .pb files).
 * *name (may be NULL) receives a malloc'd copy of the tensor's name or NULL. */
qgc_status qgc_tensor_read_pb(const char *path, qgc_tensor **out, char **name, qgc_diag *d);
qgc_status qgc_tensor_parse_pb(const void *buf, size_t len, qgc_tensor **out, char **name,
                               qgc_diag *d);

/* NumPy .npy (format 1.0/2.0/3.0, C order, little-endian) for f32, f64, f16,
 * i8, u8, i16, u16, i32, u32, i64, u64, bool. */
qgc_status qgc_npy_read(const char *path, qgc_tensor **out, qgc_diag *d);
qgc_status qgc_npy_parse(const void *buf, size_t len, qgc_tensor **out, qgc_diag *d);
qgc_status qgc_npy_write(const char *path, const qgc_tensor *t, qgc_diag *d);

/* Reads a whole file into a malloc'd buffer (at most max_bytes). */
qgc_status qgc_read_file(const char *path, uint64_t max_bytes, void **buf, size_t *len,
                         qgc_diag *d);
/* Prepends "prefix: " to d->msg (truncating the end if needed); d may be NULL. */
void qgc_diag_prefix(qgc_diag *d, const char *prefix);

#endif
