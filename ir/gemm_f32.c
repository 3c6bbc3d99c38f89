/* Cache-blocked f32 GEMM (see gemm_f32.h).
 *
 * Loop structure of GotoBLAS / BLIS: B is packed in KC x NC panels (kept in
 * L3), A in MC x KC blocks (kept in L2), and a MR x NR micro-kernel keeps its
 * tile of C in registers while it streams one packed A strip and one packed B
 * sliver (in L1). The micro-kernel is C with GCC vector types (a plain
 * float[MR][NR] accumulator is not kept in registers by gcc 12); on x86-64 it
 * is compiled twice (baseline SSE2 and AVX2) and picked at load time, so the
 * library runs on any x86-64. Multiply and add stay separate (no FMA
 * contraction), so both clones give bit-identical results. */
#include <stdlib.h>
#include <string.h>

#include "gemm_f32.h"

#define MR 6
#define NR QGC_GEMM_NR
#define KC 256
#define MC 120  /* multiple of MR */
#define NC 3072 /* multiple of NR */

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QGC_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define QGC_CLONES
#endif

/* Eight floats; may_alias because it reads the packed float panels. */
typedef float vec8 __attribute__((vector_size(32), may_alias));
_Static_assert(NR % 8 == 0, "the micro-tile width is a whole number of vec8");

/* c[0..mr) x [0..nr) (+)= a_strip * b_sliver over kc steps; a holds MR
 * values per step, b NR values per step (both zero-padded, b 64-byte aligned). */
QGC_CLONES
static void micro_kernel(int64_t kc, const float *restrict a, const float *restrict b,
                         float *restrict c, int64_t ldc, int mr, int nr, bool add) {
    vec8 acc[MR][NR / 8];
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
        for (int j = 0; j < NR / 8; j++) acc[i][j] = (vec8){0};
    for (int64_t p = 0; p < kc; p++) {
        const vec8 *bv = (const vec8 *)(b + p * NR);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) {
            float s = a[p * MR + i];
#pragma GCC unroll 4
            for (int j = 0; j < NR / 8; j++) acc[i][j] += s * bv[j];
        }
    }
    float out[MR][NR];
    memcpy(out, acc, sizeof out);
    for (int i = 0; i < mr; i++) {
        float *ci = c + i * ldc;
        if (add)
            for (int j = 0; j < nr; j++) ci[j] += out[i][j];
        else
            for (int j = 0; j < nr; j++) ci[j] = out[i][j];
    }
}

static void pack_a(const float *a, int64_t rs_a, int64_t cs_a, int64_t mc, int64_t kc,
                   float *dst) {
    for (int64_t ir = 0; ir < mc; ir += MR) {
        int64_t rows = mc - ir < MR ? mc - ir : MR;
        for (int64_t p = 0; p < kc; p++) {
            for (int64_t i = 0; i < rows; i++) dst[i] = a[(ir + i) * rs_a + p * cs_a];
            for (int64_t i = rows; i < MR; i++) dst[i] = 0.0f;
            dst += MR;
        }
    }
}

typedef struct {
    const float *b;
    int64_t rs, cs;
} strided_b;

static void pack_b_strided(const void *ctx, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                           float *dst) {
    const strided_b *s = ctx;
    for (int64_t jr = 0; jr < nc; jr += NR) {
        int64_t cols = nc - jr < NR ? nc - jr : NR;
        for (int64_t p = 0; p < kc; p++) {
            const float *row = s->b + (k0 + p) * s->rs + (j0 + jr) * s->cs;
            if (s->cs == 1)
                memcpy(dst, row, (size_t)cols * sizeof *dst);
            else
                for (int64_t j = 0; j < cols; j++) dst[j] = row[j * s->cs];
            for (int64_t j = cols; j < NR; j++) dst[j] = 0.0f;
            dst += NR;
        }
    }
}

static float *alloc_panel(size_t nfloats) {
    size_t bytes = (nfloats * sizeof(float) + 63) / 64 * 64;
    return aligned_alloc(64, bytes ? bytes : 64);
}

qgc_status qgc_gemm_f32_packed(int64_t m, int64_t n, int64_t k, const float *a, int64_t rs_a,
                               int64_t cs_a, qgc_gemm_pack_b_fn pack_b, const void *b_ctx,
                               float *c, int64_t ldc, bool accumulate, qgc_diag *d) {
    if (m <= 0 || n <= 0) return QGC_OK;
    if (k <= 0) {
        if (!accumulate)
            for (int64_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof *c);
        return QGC_OK;
    }
    int64_t nc_max = n < NC ? (n + NR - 1) / NR * NR : NC;
    int64_t kc_max = k < KC ? k : KC;
    int64_t mc_max = m < MC ? (m + MR - 1) / MR * MR : MC;
    float *bp = alloc_panel((size_t)(kc_max * nc_max));
    float *ap = alloc_panel((size_t)(kc_max * mc_max));
    if (!bp || !ap) {
        free(bp);
        free(ap);
        return qgc_fail(d, QGC_ERR_NOMEM, "gemm: cannot allocate packing buffers");
    }
    for (int64_t jc = 0; jc < n; jc += NC) {
        int64_t nc = n - jc < NC ? n - jc : NC;
        for (int64_t pc = 0; pc < k; pc += KC) {
            int64_t kc = k - pc < KC ? k - pc : KC;
            bool add = accumulate || pc > 0;
            pack_b(b_ctx, pc, kc, jc, nc, bp);
            for (int64_t ic = 0; ic < m; ic += MC) {
                int64_t mc = m - ic < MC ? m - ic : MC;
                pack_a(a + ic * rs_a + pc * cs_a, rs_a, cs_a, mc, kc, ap);
                for (int64_t jr = 0; jr < nc; jr += NR) {
                    int nr = (int)(nc - jr < NR ? nc - jr : NR);
                    for (int64_t ir = 0; ir < mc; ir += MR) {
                        int mr = (int)(mc - ir < MR ? mc - ir : MR);
                        micro_kernel(kc, ap + ir * kc, bp + jr * kc,
                                     c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, add);
                    }
                }
            }
        }
    }
    free(bp);
    free(ap);
    return QGC_OK;
}

qgc_status qgc_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t rs_a,
                        int64_t cs_a, const float *b, int64_t rs_b, int64_t cs_b, float *c,
                        int64_t ldc, bool accumulate, qgc_diag *d) {
    strided_b s = {b, rs_b, cs_b};
    return qgc_gemm_f32_packed(m, n, k, a, rs_a, cs_a, pack_b_strided, &s, c, ldc, accumulate,
                               d);
}
