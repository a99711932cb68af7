/* domain: registered domains (RD) through libpsl, private suffixes
 * included, and hostname syntax checks. */
#ifndef MXRAY_DOMAIN_H
#define MXRAY_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/* Load the newest Public Suffix List libpsl knows, chosen as psl_latest()
 * chooses (the system's public_suffix_list.dafsa or .dat when newer than
 * libpsl's built-in copy, else the built-in copy), and the set of top-level
 * domains its rules mention, read from the same bytes (for the built-in
 * copy: from the file it was made of, which must be unchanged).  Returns
 * false with a message when no list is available.  Idempotent; not
 * thread-safe. */
bool domain_init(const char **why);
/* Load this list file (text or DAFSA) instead, replacing any list loaded
 * before (tests; a list of one's own). */
bool domain_init_file(const char *path, const char **why);
void domain_done(void);

/* The registered domain of a normalised name (lower case, ASCII with IDNs
 * as xn--, no trailing dot) as a pointer into `name`, or NULL when it has
 * none.  It is exactly libpsl's answer over the list in use (ICANN and
 * private rules, wildcards, exceptions), with one exception: a name whose
 * top-level domain appears in no rule of the list ("localhost.localdomain",
 * "corp.internal", an IP literal) has none.  A public suffix itself
 * ("co.uk") and a single label ("localhost") have none either.  Each
 * thread keeps its last few hundred answers for short names (loading
 * another list forgets them): the same name asked again, as a banner and
 * an EHLO reply often give it, costs no second lookup. */
const char *domain_rd(const char *name);

/* domain_rd() with a memo of parents, for many names under few domains
 * (a certificate of 2000 names under one registered domain): a name one
 * label below a parent P has P's registered domain whenever P has one and
 * no rule of the list (wildcard, exception or plain) sits directly below P
 * or is P, which the list's rules tell.  Then P's answer, asked once, is
 * used; else domain_rd is asked.  The same answer as domain_rd(name), as a
 * pointer into name.  A memo is for one thread; after domain_init. */
typedef struct domain_memo domain_memo;
domain_memo *domain_memo_new(void);
void domain_memo_free(domain_memo *m);
const char *domain_rd_memo(domain_memo *m, const char *name);

/* Does the name look like a hostname: labels of letters, digits, '-' and
 * '_' (1-63 bytes) that neither begin nor end with '-', at least two
 * labels, a top label of 2 or more letters or an IDN one (xn--...)? */
bool domain_is_hostname(const char *name);

/* The ASCII form of a name written in Unicode, as libpsl makes it for the
 * rules of a text list: an all-ASCII name as it is, another through
 * libidn2 (idn2_lookup_u8, NFC input, UTS #46 non-transitional: lower-cased,
 * IDN labels as xn--).  False when libidn2 refuses the name (invalid UTF-8,
 * a disallowed code point) or when out (size bytes) is too small. */
bool domain_to_ascii(const char *name, char *out, size_t size);

/* A short description of the suffix list in use (for run records). */
const char *domain_psl_source(void);

#endif
