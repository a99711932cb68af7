/* sanitize: the one choke point for untrusted text (banners, EHLO lines,
 * certificate names, hostnames, AS names) on its way to a terminal.
 * Printable UTF-8 passes; control bytes, escape sequences, invalid bytes
 * and invisible format characters become visible escapes, never raw. */
#ifndef MXRAY_SANITIZE_H
#define MXRAY_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/util.h"

/* Append the display form of s[0..n) to out:
 *   \r \n \t \e \\ for CR, LF, TAB, ESC and backslash;
 *   \xNN for other C0 bytes, DEL, and every byte that is not valid UTF-8;
 *   \u{9b} style for C1 controls (U+0080-U+009F);
 *   <U+202E> style for every other code point sanitize_invisible() names:
 *   bidi controls, line and paragraph separators, zero-width and other
 *   default-ignorable or format characters (U+061C, U+2028, U+200B,
 *   U+FEFF, U+FE0F, U+E0001, ...).
 * Returns the number of escapes written.  When `spans` is not NULL it
 * receives, for each escape, its byte offset and length in `out` (at most
 * `maxspans` pairs; the count is the return value). */
size_t sanitize(strbuf *out, const void *s, size_t n, size_t (*spans)[2], size_t maxspans);

/* A NUL-terminated convenience: returns an allocated display string. */
char *sanitize_str(const char *s);

/* True for a code point that must never reach a terminal raw: general
 * category Cc (C0, DEL, C1), Zl, Zp, Cf (except the visible
 * Prepended_Concatenation_Marks), Bidi_Control and
 * Default_Ignorable_Code_Point.  One table, generated from the Unicode
 * Character Database (src/unicode_escapes.c, tools/gen-unicode-escapes.sh),
 * for everything that checks text: sanitize() and the knowledge base. */
bool sanitize_invisible(uint32_t cp);

/* True when s[0..n) is valid UTF-8 without a code point
 * sanitize_invisible() names (what may be shown or stored as it is). */
bool sanitize_clean(const void *s, size_t n);

/* The generated table: sorted, disjoint, inclusive [first, last] ranges,
 * and the Unicode version they come from. */
extern const uint32_t sanitize_escape_ranges[][2];
extern const size_t sanitize_escape_nranges;
extern const char sanitize_unicode_version[];

#endif
