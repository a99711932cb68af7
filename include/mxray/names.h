/* names: the store's name table (every domain, MX host and CNAME target
 * once, with an integer id) cached in memory for bulk loads.
 *
 * A bulk load asks for a reference (names_ref) for each name it reads;
 * names_flush then gives the new names their ids in name order and writes
 * them (so the table grows at its end; when they are at least a quarter
 * as many as the stored names, the unique index on name is dropped, for
 * the caller to build once after its last load: store_name_index), and
 * names_dbid maps a reference to the id.  After a rollback of what was
 * flushed, free the cache and open it again. */
#ifndef MXRAY_NAMES_H
#define MXRAY_NAMES_H

#include <stdint.h>

#include "mxray/store.h"

typedef struct names names;

/* Load the name table.  NULL with *err set on a database error. */
names *names_open(store *st, char **err);
void names_free(names *n);
/* Load the table again when another connection committed since it was
 * loaded (PRAGMA data_version); call it with the write lock held, between
 * files: references from names_ref before it are void after a reload. */
int names_sync(names *n, store *st, char **err);
/* A reference to a normalised name (stored or new); dense from 0. */
uint32_t names_ref(names *n, const char *name);
/* names_ref of name[0], name[1], ... in order, into ref. */
void names_ref_many(names *n, const char *const *name, size_t count, uint32_t *ref);
/* Give the new names ids and write them.  -1 with *err set. */
int names_flush(names *n, store *st, char **err);
/* The id of a reference, once flushed. */
int64_t names_dbid(const names *n, uint32_t ref);

#endif
