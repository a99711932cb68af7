/* domain: registered domains (RD) through libpsl, private suffixes
 * included, and hostname syntax checks. */
#ifndef MXRAY_DOMAIN_H
#define MXRAY_DOMAIN_H

#include <stdbool.h>

/* Load the newest Public Suffix List libpsl knows (the system's
 * public_suffix_list.dafsa, else libpsl's built-in copy).  Returns false with
 * a message when none is available.  Idempotent; not thread-safe. */
bool domain_init(const char **why);
void domain_done(void);

/* The registered domain of a normalised name (lower case, no trailing dot)
 * as a pointer into `name`, or NULL when it has none: a public suffix
 * itself, a single label ("localhost"), an IP literal, a name whose top
 * label is not alphabetic, or one under a top-level domain the list does
 * not know ("localhost.localdomain"). */
const char *domain_rd(const char *name);

/* Does the name look like a hostname: labels of letters, digits, '-' and
 * '_' (1-63 bytes), at least two labels, an alphabetic top label of 2 or
 * more letters? */
bool domain_is_hostname(const char *name);

/* A short description of the suffix list in use (for run records). */
const char *domain_psl_source(void);

#endif
