/* show: a readable account of how one domain was inferred: its MX records,
 * each primary MX's addresses with certificate, banner/EHLO and AS
 * evidence, what each approach says, confidence, heuristics, analyst
 * decisions and the final shares.  Untrusted text goes through sanitize. */
#ifndef MXRAY_SHOW_H
#define MXRAY_SHOW_H

#include <stdio.h>

#include "mxray/store.h"

/* Returns 0, 1 when the domain is not in the snapshot, -1 on error. */
int show_domain(store *st, FILE *out, const char *snapshot, const char *domain, char **err);

#endif
