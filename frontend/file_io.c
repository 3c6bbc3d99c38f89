/* Whole-file reads with a size limit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qgc_frontend.h"

qgc_status qgc_read_file(const char *path, uint64_t max_bytes, void **buf, size_t *len,
                         qgc_diag *d) {
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return qgc_fail(d, QGC_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return qgc_fail(d, QGC_ERR_IO, "%s is not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_bytes || (uint64_t)st.st_size >= SIZE_MAX) {
        fclose(f);
        return qgc_fail(d, QGC_ERR_NOMEM, "%s is %lld bytes, over the limit of %llu", path,
                        (long long)st.st_size, (unsigned long long)max_bytes);
    }
    size_t n = (size_t)st.st_size;
    char *p = malloc(n ? n : 1);
    if (!p) {
        fclose(f);
        return qgc_fail(d, QGC_ERR_NOMEM, "cannot allocate %zu bytes for %s", n, path);
    }
    size_t got = fread(p, 1, n, f);
    /* A file that changed size under us is reported, not half-read. */
    if (got != n || fgetc(f) != EOF) {
        bool err = ferror(f);
        fclose(f);
        free(p);
        return qgc_fail(d, QGC_ERR_IO, "cannot read %s: %s", path,
                        err ? strerror(errno) : "size changed while reading");
    }
    fclose(f);
    *buf = p;
    *len = n;
    return QGC_OK;
}

void qgc_diag_prefix(qgc_diag *d, const char *prefix) {
    if (!d) return;
    size_t cap = sizeof d->msg, pl = strnlen(prefix, cap / 2), ml = strnlen(d->msg, cap - 1);
    if (pl + 2 + ml >= cap) ml = cap - 1 - pl - 2;
    memmove(d->msg + pl + 2, d->msg, ml);
    memcpy(d->msg, prefix, pl);
    d->msg[pl] = ':';
    d->msg[pl + 1] = ' ';
    d->msg[pl + 2 + ml] = 0;
}
