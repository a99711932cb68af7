/* sanitize: the one choke point for untrusted text (banners, EHLO lines,
 * certificate names, hostnames, AS names) on its way to a terminal.
 * Printable UTF-8 passes; control bytes, escape sequences, invalid bytes
 * and invisible format characters become visible escapes, never raw. */
#ifndef MXRAY_SANITIZE_H
#define MXRAY_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

#include "mxray/util.h"

/* Append the display form of s[0..n) to out:
 *   \r \n \t \e \\ for CR, LF, TAB, ESC and backslash;
 *   \xNN for other C0 bytes, DEL, and every byte that is not valid UTF-8;
 *   \u{9b} style for C1 controls (U+0080-U+009F);
 *   <U+202E> for bidi controls and zero-width characters
 *   (U+200B-200F, U+202A-202E, U+2060-2064, U+2066-2069, U+FEFF).
 * Returns the number of escapes written.  When `spans` is not NULL it
 * receives, for each escape, its byte offset and length in `out` (at most
 * `maxspans` pairs; the count is the return value). */
size_t sanitize(strbuf *out, const void *s, size_t n, size_t (*spans)[2], size_t maxspans);

/* A NUL-terminated convenience: returns an allocated display string. */
char *sanitize_str(const char *s);

#endif
