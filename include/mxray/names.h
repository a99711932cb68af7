/* names: the store's name table (every domain, MX host and CNAME target
 * once, with an integer id) cached in memory for bulk loads.  Ids handed
 * out by names_id are written to the table by names_flush, in id order;
 * after a rollback of what was flushed, free the cache and open it again. */
#ifndef MXRAY_NAMES_H
#define MXRAY_NAMES_H

#include <stdint.h>

#include "mxray/store.h"

typedef struct names names;

/* Load the name table.  NULL with *err set on a database error. */
names *names_open(store *st, char **err);
void names_free(names *n);
/* The id of a normalised name, assigning the next free one when it is new. */
int64_t names_id(names *n, const char *name);
/* The id of a name, or -1 when it is neither stored nor assigned. */
int64_t names_find(const names *n, const char *name);
/* Write the names assigned since the last flush.  -1 with *err set. */
int names_flush(names *n, store *st, char **err);

#endif
