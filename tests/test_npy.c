/* .npy reader and writer: round trips, files numpy wrote (fixtures from
 * tools/gen_frontend_fixtures.py), and hostile headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "qgc_frontend.h"

#define FIXTURES QGC_SOURCE_DIR "/tests/data/frontend/"

static void expect_msg(qgc_status got, qgc_status want, const qgc_diag *d, const char *sub) {
    if (got != want || !strstr(d->msg, sub))
        fail_msg("got %s '%s', want %s containing '%s'", qgc_status_name(got), d->msg,
                 qgc_status_name(want), sub);
}

static qgc_tensor *make(qgc_dtype dt, int rank, const int64_t *dims) {
    qgc_type ty = {.dtype = dt, .rank = rank};
    for (int i = 0; i < rank; i++) ty.dims[i] = dims[i];
    qgc_tensor *t;
    qgc_diag d;
    assert_int_equal(qgc_tensor_new(&ty, &t, &d), QGC_OK);
    /* distinct bytes, valid for every dtype once bool is masked to 0/1 */
    for (size_t i = 0; i < t->nbytes; i++)
        ((uint8_t *)t->data)[i] = dt == QGC_BOOL ? (uint8_t)(i % 3 == 0) : (uint8_t)(i * 37 + 11);
    return t;
}

static void roundtrip(qgc_tensor *t, const char *path) {
    qgc_diag d = {{0}};
    qgc_status st = qgc_npy_write(path, t, &d);
    if (st) fail_msg("write: %s", d.msg);
    qgc_tensor *r = NULL;
    if ((st = qgc_npy_read(path, &r, &d))) fail_msg("read: %s", d.msg);
    assert_true(qgc_type_equal(&r->type, &t->type));
    assert_int_equal(r->nbytes, t->nbytes);
    assert_memory_equal(r->data, t->data, t->nbytes);
    qgc_tensor_free(r);
    /* numpy aligns the data to 64 bytes */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_int_equal((size_t)ftell(f) - t->nbytes, 128);
    fclose(f);
}

static void test_roundtrip_all_dtypes(void **state) {
    (void)state;
    static const qgc_dtype dts[] = {QGC_F32, QGC_F64, QGC_F16, QGC_I8,  QGC_U8,  QGC_I16,
                                    QGC_U16, QGC_I32, QGC_U32, QGC_I64, QGC_U64, QGC_BOOL};
    static const int64_t d23[] = {2, 3}, d5[] = {5}, d0[] = {0, 4}, d8[] = {1, 2, 1, 2, 1, 2, 1, 3};
    char path[] = "/tmp/qgc_npy_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        struct {
            int rank;
            const int64_t *dims;
        } shapes[] = {{2, d23}, {1, d5}, {0, NULL}, {2, d0}, {8, d8}};
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            qgc_tensor *t = make(dts[i], shapes[s].rank, shapes[s].dims);
            roundtrip(t, path);
            qgc_tensor_free(t);
        }
    }
    unlink(path);
}

static void test_unsupported_write(void **state) {
    (void)state;
    qgc_tensor *t = make(QGC_BF16, 1, (int64_t[]){2});
    qgc_diag d = {{0}};
    expect_msg(qgc_npy_write("/tmp/never-written.npy", t, &d), QGC_ERR_UNSUPPORTED, &d, "bf16");
    qgc_tensor_free(t);
}

/* Files numpy wrote: read them, and write the same tensor back byte for byte. */
static void test_numpy_fixtures(void **state) {
    (void)state;
    qgc_tensor *t;
    qgc_diag d = {{0}};
    qgc_status st = qgc_npy_read(FIXTURES "small_i16.npy", &t, &d);
    if (st) fail_msg("%s", d.msg);
    static const int16_t want[] = {1, -2, 300, 4, 5, -32768};
    assert_int_equal(t->type.dtype, QGC_I16);
    assert_int_equal(t->type.rank, 2);
    assert_int_equal(t->type.dims[0], 2);
    assert_int_equal(t->type.dims[1], 3);
    assert_memory_equal(t->data, want, sizeof want);

    char path[] = "/tmp/qgc_npy_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(qgc_npy_write(path, t, &d), QGC_OK);
    void *a, *b;
    size_t na, nb;
    assert_int_equal(qgc_read_file(path, 1 << 20, &a, &na, &d), QGC_OK);
    assert_int_equal(qgc_read_file(FIXTURES "small_i16.npy", 1 << 20, &b, &nb, &d), QGC_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    unlink(path);
    qgc_tensor_free(t);

    if ((st = qgc_npy_read(FIXTURES "scalar_f64.npy", &t, &d))) fail_msg("%s", d.msg);
    assert_int_equal(t->type.dtype, QGC_F64);
    assert_int_equal(t->type.rank, 0);
    assert_true(*(double *)t->data == 0.125);
    qgc_tensor_free(t);
}

/* ---- hostile input ---------------------------------------------------------- */

/* A version-1 file with the given header text and n_data data bytes. */
static size_t build(unsigned char *buf, const char *hdr, size_t n_data) {
    size_t hl = strlen(hdr);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hl & 0xff);
    buf[9] = (unsigned char)(hl >> 8);
    memcpy(buf + 10, hdr, hl);
    memset(buf + 10 + hl, 0, n_data);
    return 10 + hl + n_data;
}

static void expect_parse_error(const char *hdr, size_t n_data, qgc_status want, const char *sub) {
    unsigned char buf[1024];
    size_t n = build(buf, hdr, n_data);
    qgc_tensor *t = NULL;
    qgc_diag d = {{0}};
    expect_msg(qgc_npy_parse(buf, n, &t, &d), want, &d, sub);
    assert_null(t);
}

static void test_hostile_headers(void **state) {
    (void)state;
    const char *ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
    unsigned char buf[1024];
    size_t n = build(buf, ok, 24);
    qgc_tensor *t = NULL;
    qgc_diag d = {{0}};
    assert_int_equal(qgc_npy_parse(buf, n, &t, &d), QGC_OK);
    qgc_tensor_free(t);

    /* truncated anywhere before the data ends */
    for (size_t cut = 0; cut < n; cut++) {
        qgc_status st = qgc_npy_parse(buf, cut, &t, &d);
        assert_int_equal(st, QGC_ERR_PARSE);
        assert_null(t);
    }
    expect_msg(qgc_npy_parse(buf, 5, &t, &d), QGC_ERR_PARSE, &d, "magic");
    expect_msg(qgc_npy_parse(buf, 40, &t, &d), QGC_ERR_PARSE, &d, "truncated header");

    /* header lengths past the limit, in version 1 and 2 */
    buf[8] = buf[9] = 0xff;
    expect_msg(qgc_npy_parse(buf, n, &t, &d), QGC_ERR_PARSE, &d, "header length 65535");
    memcpy(buf, "\x93NUMPY\x02\x00\xff\xff\xff\xff", 12);
    expect_msg(qgc_npy_parse(buf, n, &t, &d), QGC_ERR_PARSE, &d, "over the limit");
    memcpy(buf, "\x93NUMPY\x09\x00", 8);
    expect_msg(qgc_npy_parse(buf, n, &t, &d), QGC_ERR_UNSUPPORTED, &d, "version 9");

    expect_parse_error("{'descr': '<f4', 'shape': (2, 3), }", 24, QGC_ERR_PARSE, "needs the keys");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24,
                       QGC_ERR_PARSE, "unknown key 'x'");
    expect_parse_error("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}",
                       4, QGC_ERR_PARSE, "repeated key");
    expect_parse_error("['descr']", 4, QGC_ERR_PARSE, "not a dict");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", 24,
                       QGC_ERR_PARSE, "malformed dict");
    expect_parse_error("{'descr: '<f4'}", 4, QGC_ERR_PARSE, "malformed dict");
    expect_parse_error("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8,
                       QGC_ERR_UNSUPPORTED, "dtype '>f4'");
    expect_parse_error("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24,
                       QGC_ERR_UNSUPPORTED, "fortran_order");
    expect_parse_error("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", 24,
                       QGC_ERR_PARSE, "fortran_order is not a bool");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 23,
                       QGC_ERR_PARSE, "23 data bytes, but the shape needs 24");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 25,
                       QGC_ERR_PARSE, "25 data bytes");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }",
                       4, QGC_ERR_PARSE, "shape");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 4,
                       QGC_ERR_PARSE, "shape");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                       4, QGC_ERR_PARSE, "shape");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, "
                       "'shape': (4611686018427387904, 4611686018427387904), }",
                       4, QGC_ERR_PARSE, "overflows");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2 3), }", 24,
                       QGC_ERR_PARSE, "shape");
    expect_parse_error("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } junk", 8,
                       QGC_ERR_PARSE, "text after");
    expect_parse_error("{'descr': '<f4\\'', 'fortran_order': False, 'shape': (2,), }", 8,
                       QGC_ERR_PARSE, "descr");
}

static void test_missing_file(void **state) {
    (void)state;
    qgc_tensor *t;
    qgc_diag d = {{0}};
    expect_msg(qgc_npy_read("/nonexistent/x.npy", &t, &d), QGC_ERR_IO, &d, "/nonexistent/x.npy");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_all_dtypes),
        cmocka_unit_test(test_unsupported_write),
        cmocka_unit_test(test_numpy_fixtures),
        cmocka_unit_test(test_hostile_headers),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
