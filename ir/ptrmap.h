/* A small hash map from pointers to integers, for the printer (value ->
 * printed number) and the verifier (value -> where it was defined). Internal
 * to the IR library. */
#ifndef QGC_PTRMAP_H
#define QGC_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const void **keys;
    uint64_t *vals;
    size_t cap, n;
} qgc_ptrmap;

/* Inserts or overwrites; false when out of memory. Keys must not be NULL. */
bool qgc_ptrmap_put(qgc_ptrmap *m, const void *key, uint64_t val);
/* True and *val set (val may be NULL) when key is present. */
bool qgc_ptrmap_get(const qgc_ptrmap *m, const void *key, uint64_t *val);
void qgc_ptrmap_free(qgc_ptrmap *m);

#endif
