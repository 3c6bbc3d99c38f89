/* onnx.TensorProto -> qgc_tensor: initializers, tensor attributes, Constant
 * values and the backend test format's .pb files all come through here. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "raw_data is little-endian: a big-endian host needs byte swapping here"
#endif

/* ---- external data (onnx/docs/ExternalData.md) ---------------------------- */

typedef struct {
    const char *location;
    uint64_t offset;
    bool has_length;
    uint64_t length;
} ext_ref;

static bool parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s) return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static qgc_status parse_ext_ref(const Onnx__TensorProto *tp, const char *what, const char *nm,
                                ext_ref *r, qgc_diag *d) {
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *k = tp->external_data[i]->key ? tp->external_data[i]->key : "";
        const char *v = tp->external_data[i]->value ? tp->external_data[i]->value : "";
        if (strcmp(k, "location") == 0) {
            r->location = v;
        } else if (strcmp(k, "offset") == 0) {
            if (!parse_u64(v, &r->offset))
                return qgc_fail(d, QGC_ERR_INVALID, "%s '%s': bad external data offset '%s'",
                                what, nm, v);
        } else if (strcmp(k, "length") == 0) {
            if (!parse_u64(v, &r->length))
                return qgc_fail(d, QGC_ERR_INVALID, "%s '%s': bad external data length '%s'",
                                what, nm, v);
            r->has_length = true;
        } /* "checksum" and unknown keys do not change where the bytes are */
    }
    if (!r->location || !r->location[0])
        return qgc_fail(d, QGC_ERR_INVALID, "%s '%s': external data without a location", what,
                        nm);
    return QGC_OK;
}

/* A location may only name a file inside the model's folder: no absolute
 * path, no '..' component (either separator, as Windows exporters write). */
static bool location_is_confined(const char *loc) {
    if (loc[0] == '/' || loc[0] == '\\') return false;
    for (const char *p = loc; *p;) {
        size_t n = strcspn(p, "/\\");
        if (n == 2 && p[0] == '.' && p[1] == '.') return false;
        p += n;
        if (*p) p++;
    }
    return true;
}

static qgc_status read_external(const Onnx__TensorProto *tp, const char *what, const char *nm,
                                const char *base_dir, void *dst, size_t nbytes, qgc_diag *d) {
    ext_ref r;
    qgc_status st = parse_ext_ref(tp, what, nm, &r, d);
    if (st) return st;
    if (!base_dir)
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': external data is not allowed here (no model folder)", what, nm);
    if (!location_is_confined(r.location))
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': external data location '%s' is outside the model's folder",
                        what, nm, r.location);
    if (r.has_length && r.length != nbytes)
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': external data length %llu does not match the %zu bytes of "
                        "its shape", what, nm, (unsigned long long)r.length, nbytes);
    char base[PATH_MAX], full[PATH_MAX], *joined = NULL;
    if (!realpath(base_dir, base))
        return qgc_fail(d, QGC_ERR_IO, "%s '%s': model folder %s: %s", what, nm, base_dir,
                        strerror(errno));
    if (asprintf(&joined, "%s/%s", base, r.location) < 0)
        return qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    bool resolved = realpath(joined, full) != NULL;
    int err = errno;
    free(joined);
    if (!resolved)
        return qgc_fail(d, QGC_ERR_IO, "%s '%s': external data file '%s': %s", what, nm,
                        r.location, strerror(err));
    /* A symlink inside the folder may still point out of it. */
    size_t bl = strlen(base);
    if (bl > 1 && (strncmp(full, base, bl) != 0 || full[bl] != '/'))
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': external data location '%s' resolves outside the model's "
                        "folder", what, nm, r.location);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0) close(fd);
        return qgc_fail(d, QGC_ERR_IO, "%s '%s': cannot open external data file '%s'", what,
                        nm, r.location);
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (r.offset > size || nbytes > size - r.offset) {
        close(fd);
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': external data file '%s' has %llu bytes, shorter than "
                        "offset %llu + %zu bytes", what, nm, r.location,
                        (unsigned long long)size, (unsigned long long)r.offset, nbytes);
    }
    size_t done = 0;
    while (done < nbytes) {
        ssize_t got = pread(fd, (char *)dst + done, nbytes - done, (off_t)(r.offset + done));
        if (got <= 0) {
            close(fd);
            return qgc_fail(d, QGC_ERR_IO, "%s '%s': cannot read external data file '%s'",
                            what, nm, r.location);
        }
        done += (size_t)got;
    }
    close(fd);
    return QGC_OK;
}

/* ---- typed fields ---------------------------------------------------------- */

/* Which typed field holds a dtype's values (onnx.proto's TensorProto comments):
 * int32_data also carries every narrower integer, bool, and the bit patterns
 * of f16/bf16; 4-bit types come packed two per int32_data entry. */
static qgc_status fill_typed(const Onnx__TensorProto *tp, const char *what, const char *nm,
                             qgc_tensor *t, qgc_diag *d) {
    qgc_dtype dt = t->type.dtype;
    int64_t numel = qgc_tensor_numel(t);
    int bits = qgc_dtype_bits(dt);
    size_t need = bits == 4 ? t->nbytes : (size_t)numel, have;
    const char *field;
    switch (dt) {
    case QGC_F32: field = "float_data"; have = tp->n_float_data; break;
    case QGC_F64: field = "double_data"; have = tp->n_double_data; break;
    case QGC_I64: field = "int64_data"; have = tp->n_int64_data; break;
    case QGC_U32: case QGC_U64: field = "uint64_data"; have = tp->n_uint64_data; break;
    default: field = "int32_data"; have = tp->n_int32_data; break;
    }
    if (have != need)
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': %zu values in %s, but its shape needs %zu", what, nm, have,
                        field, need);
    if (need == 0) return QGC_OK;
    switch (dt) {
    case QGC_F32: memcpy(t->data, tp->float_data, t->nbytes); break;
    case QGC_F64: memcpy(t->data, tp->double_data, t->nbytes); break;
    case QGC_I64: memcpy(t->data, tp->int64_data, t->nbytes); break;
    case QGC_U64: memcpy(t->data, tp->uint64_data, t->nbytes); break;
    case QGC_U32:
        for (size_t i = 0; i < need; i++) ((uint32_t *)t->data)[i] = (uint32_t)tp->uint64_data[i];
        break;
    case QGC_I32: memcpy(t->data, tp->int32_data, t->nbytes); break;
    case QGC_BOOL:
        for (size_t i = 0; i < need; i++) ((uint8_t *)t->data)[i] = tp->int32_data[i] != 0;
        break;
    default:
        /* Narrow storage: keep the low bytes (the value, or the f16/bf16 bits). */
        for (size_t i = 0; i < need; i++) {
            if (bits == 16)
                ((uint16_t *)t->data)[i] = (uint16_t)tp->int32_data[i];
            else
                ((uint8_t *)t->data)[i] = (uint8_t)tp->int32_data[i];
        }
        break;
    }
    return QGC_OK;
}

/* ---- TensorProto -> qgc_tensor -------------------------------------------- */

static qgc_status tensor_type(const Onnx__TensorProto *tp, const char *what, const char *nm,
                              qgc_type *ty, qgc_diag *d) {
    memset(ty, 0, sizeof *ty);
    int32_t code = tp->has_data_type ? tp->data_type : 0;
    if (code == QGC_STRING)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s '%s': string tensors are not supported",
                        what, nm);
    if (code == 0) return qgc_fail(d, QGC_ERR_INVALID, "%s '%s': no data type", what, nm);
    if (code < 0 || code >= QGC_DTYPE_END || qgc_dtype_bits((qgc_dtype)code) == 0)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s '%s': unsupported data type %d", what, nm,
                        (int)code);
    if (tp->n_dims > QGC_MAX_RANK)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED, "%s '%s': rank %zu is over the maximum %d",
                        what, nm, tp->n_dims, QGC_MAX_RANK);
    ty->dtype = (qgc_dtype)code;
    ty->rank = (int)tp->n_dims;
    for (int i = 0; i < ty->rank; i++) {
        if (tp->dims[i] < 0)
            return qgc_fail(d, QGC_ERR_INVALID, "%s '%s': negative dimension %lld", what, nm,
                            (long long)tp->dims[i]);
        ty->dims[i] = tp->dims[i];
    }
    if (qgc_type_numel(ty) < 0)
        return qgc_fail(d, QGC_ERR_INVALID, "%s '%s': element count overflows", what, nm);
    return QGC_OK;
}

qgc_status qgc_onnx_tensor(const Onnx__TensorProto *tp, const char *what,
                           qgc_onnx_tensor_src *src, qgc_tensor **out, qgc_diag *d) {
    *out = NULL;
    const char *nm = tp->name && tp->name[0] ? tp->name : "(unnamed)";
    if (tp->segment)
        return qgc_fail(d, QGC_ERR_UNSUPPORTED,
                        "%s '%s': segmented tensors are not supported", what, nm);
    qgc_type ty;
    qgc_status st = tensor_type(tp, what, nm, &ty, d);
    if (st) return st;
    size_t nbytes;
    if (!qgc_dtype_nbytes(ty.dtype, qgc_type_numel(&ty), &nbytes) || nbytes > src->budget)
        return qgc_fail(d, QGC_ERR_NOMEM, "%s '%s': its %lld elements exceed what is left of "
                        "the limit max_tensor_bytes", what, nm, (long long)qgc_type_numel(&ty));
    bool external = tp->has_data_location &&
                    tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    /* Check raw_data's size before allocating for it. */
    if (!external && tp->has_raw_data && tp->raw_data.len != nbytes)
        return qgc_fail(d, QGC_ERR_INVALID,
                        "%s '%s': raw_data has %zu bytes, but its shape needs %zu", what, nm,
                        tp->raw_data.len, nbytes);
    qgc_tensor *t;
    if ((st = qgc_tensor_new(&ty, &t, d))) return st;
    if (external)
        st = read_external(tp, what, nm, src->base_dir, t->data, nbytes, d);
    else if (!tp->has_raw_data)
        st = fill_typed(tp, what, nm, t, d);
    else if (nbytes)
        memcpy(t->data, tp->raw_data.data, nbytes);
    if (st) {
        qgc_tensor_free(t);
        return st;
    }
    src->budget -= nbytes;
    *out = t;
    return QGC_OK;
}

/* ---- .pb files ------------------------------------------------------------- */

/* The backend test format also stores sequences, optionals and maps (onnx-
 * data.proto), which begin with their name as field 1, length-delimited;
 * TensorProto's field 1 is dims, which ONNX writes as plain varints. Only
 * used to explain a file that did not convert. */
static bool looks_like_container(const uint8_t *p, size_t len) {
    size_t i = 0;
    while (i < len) {
        uint64_t tag = 0, n = 0;
        for (int sh = 0; i < len && sh < 64; sh += 7) {
            tag |= (uint64_t)(p[i] & 0x7f) << sh;
            if (!(p[i++] & 0x80)) break;
        }
        if (tag >> 3 == 1) return (tag & 7) == 2;
        switch (tag & 7) {
        case 0: while (i < len && (p[i++] & 0x80)) {} break;
        case 1: i += 8; break;
        case 5: i += 4; break;
        case 2:
            for (int sh = 0; i < len && sh < 64; sh += 7) {
                n |= (uint64_t)(p[i] & 0x7f) << sh;
                if (!(p[i++] & 0x80)) break;
            }
            if (n > len - i) return false;
            i += (size_t)n;
            break;
        default: return false;
        }
    }
    return false;
}

qgc_status qgc_tensor_parse_pb(const void *buf, size_t len, qgc_tensor **out, char **name,
                               qgc_diag *d) {
    *out = NULL;
    if (name) *name = NULL;
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
    if (!tp)
        return qgc_fail(d, QGC_ERR_PARSE, "not an ONNX TensorProto (protobuf does not parse)");
    qgc_onnx_tensor_src src = {NULL, QGC_DEFAULT_MAX_TENSOR_BYTES};
    qgc_status st = qgc_onnx_tensor(tp, "tensor", &src, out, d);
    if (st && looks_like_container(buf, len))
        st = qgc_fail(d, QGC_ERR_UNSUPPORTED, "not a tensor: sequence, optional and map .pb "
                      "files are not supported");
    if (st == QGC_OK && name && tp->name && !(*name = strdup(tp->name))) {
        qgc_tensor_free(*out);
        *out = NULL;
        st = qgc_fail(d, QGC_ERR_NOMEM, "out of memory");
    }
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return st;
}

qgc_status qgc_tensor_read_pb(const char *path, qgc_tensor **out, char **name, qgc_diag *d) {
    *out = NULL;
    if (name) *name = NULL;
    void *buf;
    size_t len;
    qgc_status st = qgc_read_file(path, QGC_DEFAULT_MAX_TENSOR_BYTES + (1u << 20), &buf, &len, d);
    if (st) return st;
    st = qgc_tensor_parse_pb(buf, len, out, name, d);
    free(buf);
    if (st) qgc_diag_prefix(d, path);
    return st;
}
