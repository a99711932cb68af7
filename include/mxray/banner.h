/* banner: the server's own FQDN from an SMTP banner or EHLO reply (step 4
 * of the method). */
#ifndef MXRAY_BANNER_H
#define MXRAY_BANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "mxray/kb.h"
#include "mxray/util.h"

/* Take the first non-empty line.  After a three-digit code and '-' or ' '
 * the next token is the candidate, stripped of ":,;!." at both ends; it
 * must look like a hostname and have a registered domain, and not be under
 * a misleading banner domain.  Failing that, the last token of the line is
 * tried the same way.  Writes the lower-cased FQDN to out and returns true,
 * or returns false (localhost, bare words, IP literals, empty text).
 * `k` may be NULL (no misleading-domain check). */
bool banner_fqdn(const kb *k, const char *text, size_t len, char out[MX_NAME_MAX + 2]);

#endif
