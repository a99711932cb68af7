/* strmap: string -> dense id (0, 1, 2, ...) interning with open addressing.
 * Keys are copied into an arena owned by the map. */
#ifndef MXRAY_STRMAP_H
#define MXRAY_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap strmap;

strmap *strmap_new(void);
void strmap_free(strmap *m);
/* The id of key, adding it when absent (*added set when not NULL). */
uint32_t strmap_intern(strmap *m, const char *key, int *added);
/* strmap_intern of keys[0], keys[1], ... in that order, their ids into
 * ids: the same ids as one call each, with the table read ahead. */
void strmap_intern_many(strmap *m, const char *const *keys, size_t n, uint32_t *ids);
/* The id of key, or UINT32_MAX when absent. */
uint32_t strmap_find(const strmap *m, const char *key);
/* strmap_find of keys[0], keys[1], ... into ids, with the table read
 * ahead (for many look-ups of names from anywhere in memory). */
void strmap_find_many(const strmap *m, const char *const *keys, size_t n, uint32_t *ids);
/* The key of an id (valid while the map lives). */
const char *strmap_key(const strmap *m, uint32_t id);
/* Every key, indexed by id (strmap_size of them): for a caller that walks
 * many ids in an order of its own and prefetches ahead.  Valid until the
 * next strmap_intern. */
const char *const *strmap_keys(const strmap *m);
size_t strmap_size(const strmap *m);

#endif
