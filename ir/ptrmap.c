/* Open-addressing hash map keyed by pointer (linear probing, load <= 1/2). */
#include <stdlib.h>

#include "ptrmap.h"

static size_t slot(const void *key, size_t cap) {
    uint64_t h = (uint64_t)(uintptr_t)key * UINT64_C(0x9e3779b97f4a7c15);
    return (size_t)(h >> 17) & (cap - 1);
}

static bool grow(qgc_ptrmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    const void **keys = calloc(cap, sizeof *keys);
    uint64_t *vals = calloc(cap, sizeof *vals);
    if (!keys || !vals || cap < m->cap) {
        free(keys);
        free(vals);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = slot(m->keys[i], cap);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = cap;
    return true;
}

bool qgc_ptrmap_put(qgc_ptrmap *m, const void *key, uint64_t val) {
    if ((m->n + 1) * 2 > m->cap && !grow(m)) return false;
    size_t j = slot(key, m->cap);
    while (m->keys[j] && m->keys[j] != key) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->n++;
    }
    m->vals[j] = val;
    return true;
}

bool qgc_ptrmap_get(const qgc_ptrmap *m, const void *key, uint64_t *val) {
    if (!m->cap) return false;
    for (size_t j = slot(key, m->cap); m->keys[j]; j = (j + 1) & (m->cap - 1))
        if (m->keys[j] == key) {
            if (val) *val = m->vals[j];
            return true;
        }
    return false;
}

void qgc_ptrmap_free(qgc_ptrmap *m) {
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->n = 0;
}
