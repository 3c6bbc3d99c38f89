/* Single-precision matrix multiply shared by matmul, gemm, conv and
 * conv_transpose: C (+)= A * B, cache-blocked with packed panels and a
 * register-blocked micro-kernel (the structure of BLIS / GotoBLAS).
 * Accumulates in f32, as ONNX Runtime does. */
#ifndef QGC_GEMM_F32_H
#define QGC_GEMM_F32_H

#include <stdbool.h>
#include <stdint.h>

#include "qgc_ir.h"

/* Columns of one packed B sliver: the micro-tile width. */
#define QGC_GEMM_NR 16

/* Packs B[k0 .. k0+kc) x [j0 .. j0+nc) into dst as ceil(nc / QGC_GEMM_NR)
 * slivers one after the other; sliver s holds, for k = 0 .. kc-1, the
 * QGC_GEMM_NR values B[k0+k][j0 + s*QGC_GEMM_NR + 0 ..] (zeros past nc).
 * Lets conv pack straight from the image (implicit im2col). */
typedef void (*qgc_gemm_pack_b_fn)(const void *ctx, int64_t k0, int64_t kc, int64_t j0,
                                   int64_t nc, float *dst);

/* A is addressed as A[i*rs_a + k*cs_a] (so a transposed A is just other
 * strides); C is row-major with row stride ldc. With accumulate false, C is
 * overwritten. Fails only when the packing buffers cannot be allocated. */
qgc_status qgc_gemm_f32_packed(int64_t m, int64_t n, int64_t k, const float *a, int64_t rs_a,
                               int64_t cs_a, qgc_gemm_pack_b_fn pack_b, const void *b_ctx,
                               float *c, int64_t ldc, bool accumulate, qgc_diag *d);

/* The same with B addressed as B[k*rs_b + j*cs_b]. */
qgc_status qgc_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t rs_a,
                        int64_t cs_a, const float *b, int64_t rs_b, int64_t cs_b, float *c,
                        int64_t ldc, bool accumulate, qgc_diag *d);

#endif
