/* Bump allocator: memory comes in chunks, is zeroed, and is released all at
 * once with the graph that owns it. */
#include <stdlib.h>
#include <string.h>

#include "qgc_ir.h"

#define CHUNK_SIZE (64 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char mem[];
} chunk;

struct qgc_arena {
    chunk *head;
};

qgc_arena *qgc_arena_new(void) { return calloc(1, sizeof(qgc_arena)); }

void qgc_arena_free(qgc_arena *a) {
    if (!a) return;
    for (chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *qgc_arena_alloc(qgc_arena *a, size_t n) {
    if (n > SIZE_MAX - 64) return NULL;
    n = (n + 15) & ~(size_t)15;
    chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;
        chunk *nc = malloc(sizeof(chunk) + size);
        if (!nc) return NULL;
        nc->used = 0;
        nc->size = size;
        if (size == n && c) { /* a large block: keep filling the current chunk */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->mem + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *qgc_arena_strndup(qgc_arena *a, const char *s, size_t n) {
    char *p = qgc_arena_alloc(a, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *qgc_arena_strdup(qgc_arena *a, const char *s) {
    return s ? qgc_arena_strndup(a, s, strlen(s)) : NULL;
}
