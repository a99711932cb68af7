/* util: allocation wrappers that abort on out-of-memory, a growable byte
 * buffer, and the name/IP normalisation every importer shares. */
#ifndef MXRAY_UTIL_H
#define MXRAY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Called before an out-of-memory abort (the review desk restores the
 * terminal here); NULL for none. */
void mx_set_fatal_hook(void (*hook)(void));

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable byte buffer; `data` is always NUL-terminated but may also hold
 * NUL bytes (use `len`). */
typedef struct {
	char *data;
	size_t len, cap;
} strbuf;

void sb_init(strbuf *sb);
void sb_free(strbuf *sb);
void sb_clear(strbuf *sb);
void sb_add(strbuf *sb, const void *p, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sb_steal(strbuf *sb);

/* Longest DNS name we accept (RFC 1035: 253 characters without the dot). */
#define MX_NAME_MAX 253

/* Normalise a DNS name: lower-case ASCII letters, drop one trailing dot,
 * and check it: labels of 1-63 letters, digits, '-' or '_' that neither
 * begin nor end with '-', 253 bytes at most.  Writes into out (at least
 * MX_NAME_MAX+1 bytes).  Returns NULL on success or a static reason ("empty
 * name", "empty label in name", "control character in name", ...) on
 * failure.  The root name "." normalises to "." (a null MX, RFC 7505). */
const char *mx_name_norm(const char *in, size_t len, char *out);

/* Parse a dotted-quad IPv4 address into host byte order.  Strict: four
 * decimal octets, no leading junk. */
bool mx_ipv4_parse(const char *s, uint32_t *out);
/* Format host-order IPv4 into buf (16 bytes). */
void mx_ipv4_format(uint32_t ip, char buf[16]);

/* Length of the longest valid UTF-8 prefix of s[0..n). */
size_t mx_utf8_valid_prefix(const unsigned char *s, size_t n);
static inline bool mx_utf8_valid(const void *s, size_t n)
{
	return mx_utf8_valid_prefix(s, n) == n;
}

/* Parse a non-negative decimal integer that fills the whole string. */
bool mx_parse_u64(const char *s, uint64_t *out);

/* Valid calendar date YYYY-MM-DD. */
bool mx_date_valid(const char *s);
/* Days since 1970-01-01 of a valid date YYYY-MM-DD. */
long long mx_days_from_date(const char *s);

/* The shortest decimal that reads back as exactly v, with ".0" on whole
 * numbers (as Python prints floats: 26696.666666666664, 21.0, 0.5). */
void mx_fmt_double(double v, char buf[32]);

/* A growable vector of uint32. */
typedef struct {
	uint32_t *v;
	size_t n, cap;
} u32vec;
void u32vec_push(u32vec *a, uint32_t x);

/* qsort that accepts an empty (possibly NULL) array. */
void mx_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* Sort n rows of four uint32 words by their first `nkeys` words (1..4),
 * word 0 most significant, ascending; stable, so rows equal in the keys
 * keep their order.  A radix sort: time linear in n, plus n rows of
 * scratch memory.  For the bulk loads' millions of integer rows. */
void mx_sort_u32x4(uint32_t (*rows)[4], size_t n, int nkeys);

/* The one clock for durations: monotonic nanoseconds, and seconds. */
uint64_t mx_clock_ns(void);
double mx_clock_s(void);

/* Sort uint32 values ascending (a radix sort, linear in n). */
void mx_sort_u32(uint32_t *v, size_t n);
/* Sort uint64 values ascending by their bits from_bit (0, 16, 32 or 48)
 * up; stable, so values equal in those bits keep their order (a key in
 * the high half and a row index in the low half sort by the key alone,
 * in half the passes).  A radix sort, linear in n. */
void mx_sort_u64(uint64_t *v, size_t n, int from_bit);

/* qsort comparator of uint32 values; the first index of key in the
 * sorted a[0..n), or n. */
int mx_cmp_u32(const void *a, const void *b);
/* qsort comparator of C strings (an array of char *), by strcmp. */
int mx_cmp_str(const void *a, const void *b);
size_t mx_lower_bound(const uint32_t *a, size_t n, uint32_t key);

#endif
