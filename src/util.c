/* util: allocation, strbuf, and name/IP normalisation. */
#include "mxray/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

static void (*fatal_hook)(void);

void mx_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

static void oom(size_t n)
{
	if (fatal_hook)
		fatal_hook();
	fprintf(stderr, "mxray: out of memory (allocating %zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom(0);
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void sb_init(strbuf *sb)
{
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void sb_free(strbuf *sb)
{
	free(sb->data);
	sb_init(sb);
}

void sb_clear(strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

static void sb_grow(strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->data = xrealloc(sb->data, cap);
	sb->cap = cap;
}

void sb_add(strbuf *sb, const void *p, size_t n)
{
	sb_grow(sb, n);
	if (n)
		memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void sb_adds(strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sb_adds(sb, s);
	free(s);
}

char *sb_steal(strbuf *sb)
{
	char *p = sb->data ? sb->data : xstrdup("");
	sb_init(sb);
	return p;
}

size_t mx_utf8_valid_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return i;
		}
		if (i + len > n)
			return i;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlongs, surrogates, > U+10FFFF */
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return n;
}

const char *mx_name_norm(const char *in, size_t len, char *out)
{
	if (len == 1 && in[0] == '.') {
		strcpy(out, ".");
		return NULL;
	}
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return "empty name";
	if (len > MX_NAME_MAX)
		return "name longer than 253 bytes";
	if (!mx_utf8_valid(in, len))
		return "invalid UTF-8 in name";
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c < 0x20 || c == 0x7f)
			return "control character in name";
		if (c == ' ')
			return "space in name";
		if (c >= 0x80)
			return "non-ASCII character in name (IDNs are written as xn--)";
		if (c == '.') {
			if (label == 0)
				return "empty label in name";
			if (in[i - 1] == '-')
				return "label begins or ends with '-' in name";
			label = 0;
		} else if (c == '-' && label == 0) {
			return "label begins or ends with '-' in name";
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
			   c == '_') {
			if (++label > 63)
				return "label longer than 63 bytes";
		} else {
			return "character not allowed in a DNS name (letters, digits, '-', '_')";
		}
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : (char)c;
	}
	if (label == 0)
		return "empty label in name";
	if (in[len - 1] == '-')
		return "label begins or ends with '-' in name";
	out[len] = '\0';
	return NULL;
}

bool mx_ipv4_parse(const char *s, uint32_t *out)
{
	uint32_t ip = 0;
	for (int octet = 0; octet < 4; octet++) {
		if (octet > 0) {
			if (*s != '.')
				return false;
			s++;
		}
		if (*s < '0' || *s > '9')
			return false;
		if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
			return false; /* leading zeros are ambiguous (octal to inet_aton) */
		unsigned v = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 3 || v > 255)
				return false;
			s++;
		}
		ip = (ip << 8) | v;
	}
	if (*s)
		return false;
	*out = ip;
	return true;
}

void mx_ipv4_format(uint32_t ip, char buf[16])
{
	char *p = buf;
	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned b = (ip >> shift) & 255;
		if (b >= 100)
			*p++ = (char)('0' + b / 100);
		if (b >= 10)
			*p++ = (char)('0' + b / 10 % 10);
		*p++ = (char)('0' + b % 10);
		*p++ = shift ? '.' : '\0';
	}
}

bool mx_parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool mx_date_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

void mx_fmt_double(double v, char buf[32])
{
	/* Prefer a form without an exponent; very large or small numbers keep one. */
	for (int pass = 0; pass < 2; pass++)
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, 32, "%.*g", prec, v);
			if ((pass || !strchr(buf, 'e')) && strtod(buf, NULL) == v)
				goto done;
		}
done:
	if (!strpbrk(buf, ".eEn"))
		strcat(buf, ".0");
}

long long mx_days_from_date(const char *s)
{
	/* civil-from-days inverse (proleptic Gregorian) */
	long long y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void u32vec_push(u32vec *a, uint32_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = x;
}

void mx_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* A radix pass's digit counts into the offsets where each digit's rows
 * begin. */
static void counts_to_offsets(size_t *count)
{
	size_t sum = 0;
	for (size_t d = 0; d < 65536; d++) {
		size_t c = count[d];
		count[d] = sum;
		sum += c;
	}
}

void mx_sort_u32x4(uint32_t (*rows)[4], size_t n, int nkeys)
{
	if (n < 2)
		return;
	if (n < 64) { /* insertion sort: stable, and cheap at this size */
		for (size_t i = 1; i < n; i++) {
			uint32_t t[4];
			memcpy(t, rows[i], sizeof t);
			size_t j = i;
			for (; j > 0; j--) {
				int c = 0;
				for (int k = 0; k < nkeys && !c; k++)
					c = (rows[j - 1][k] > t[k]) - (rows[j - 1][k] < t[k]);
				if (c <= 0)
					break;
				memcpy(rows[j], rows[j - 1], sizeof t);
			}
			memcpy(rows[j], t, sizeof t);
		}
		return;
	}
	/* least significant digit first: 16 bits at a time, from the last
	 * key word to the first; a pass whose digit is the same in every row
	 * changes nothing and is skipped */
	uint32_t (*tmp)[4] = xmalloc(n * sizeof *tmp);
	uint32_t (*src)[4] = rows, (*dst)[4] = tmp;
	size_t *count = xmalloc(65536 * sizeof *count);
	for (int k = nkeys - 1; k >= 0; k--)
		for (int shift = 0; shift < 32; shift += 16) {
			memset(count, 0, 65536 * sizeof *count);
			for (size_t i = 0; i < n; i++)
				count[(src[i][k] >> shift) & 0xffff]++;
			if (count[(src[0][k] >> shift) & 0xffff] == n)
				continue;
			counts_to_offsets(count);
			for (size_t i = 0; i < n; i++)
				memcpy(dst[count[(src[i][k] >> shift) & 0xffff]++], src[i], sizeof *src);
			uint32_t (*t)[4] = src;
			src = dst;
			dst = t;
		}
	if (src != rows)
		memcpy(rows, src, n * sizeof *rows);
	free(count);
	free(tmp);
}

uint64_t mx_clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double mx_clock_s(void)
{
	return (double)mx_clock_ns() / 1e9;
}

/* Element i of an array of width-byte (4 or 8) unsigned values.  Each
 * sort below passes a constant width, so that the inlined loops read and
 * write the values directly. */
static inline uint64_t elem_get(const void *v, int width, size_t i)
{
	return width == 4 ? ((const uint32_t *)v)[i] : ((const uint64_t *)v)[i];
}

static inline void elem_put(void *v, int width, size_t i, uint64_t x)
{
	if (width == 4)
		((uint32_t *)v)[i] = (uint32_t)x;
	else
		((uint64_t *)v)[i] = x;
}

/* Sort n values of width bytes ascending by their bits from_bit up,
 * stably: an insertion sort when few, else least significant digit
 * first, 16 bits a pass, a pass whose digit is the same in every value
 * skipped. */
static inline __attribute__((always_inline)) void radix_sort(void *v, size_t n, int width, int from_bit)
{
	if (n < 64) {
		for (size_t i = 1; i < n; i++) {
			uint64_t t = elem_get(v, width, i);
			size_t j = i;
			for (; j > 0 && elem_get(v, width, j - 1) >> from_bit > t >> from_bit; j--)
				elem_put(v, width, j, elem_get(v, width, j - 1));
			elem_put(v, width, j, t);
		}
		return;
	}
	void *tmp = xmalloc(n * (size_t)width), *src = v, *dst = tmp;
	size_t *count = xmalloc(65536 * sizeof *count);
	for (int shift = from_bit; shift < 8 * width; shift += 16) {
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(elem_get(src, width, i) >> shift) & 0xffff]++;
		if (count[(elem_get(src, width, 0) >> shift) & 0xffff] == n)
			continue;
		counts_to_offsets(count);
		for (size_t i = 0; i < n; i++) {
			uint64_t x = elem_get(src, width, i);
			elem_put(dst, width, count[(x >> shift) & 0xffff]++, x);
		}
		void *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * (size_t)width);
	free(count);
	free(tmp);
}

void mx_sort_u32(uint32_t *v, size_t n)
{
	radix_sort(v, n, 4, 0);
}

void mx_sort_u64(uint64_t *v, size_t n, int from_bit)
{
	radix_sort(v, n, 8, from_bit);
}

int mx_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

int mx_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t mx_lower_bound(const uint32_t *a, size_t n, uint32_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
