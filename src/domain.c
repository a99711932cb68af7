/* domain: libpsl wrapper.
 *
 * The list is chosen as psl_latest() chooses it (the newest of the
 * distribution's list files that is newer than libpsl's built-in copy, else
 * the built-in copy), but each file is read here once and the same bytes are
 * given to libpsl (psl_load_fp) and to the scan that collects the top-level
 * domains of the list's rules: the one exception to libpsl's answers (a name
 * under a top-level domain no rule mentions has no registered domain) is
 * decided on exactly the list libpsl answers from. */
#include "mxray/domain.h"
#include "mxray/util.h"

#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static psl_ctx_t *psl;
static const psl_ctx_t *builtin;
static char source[512];

/* The top-level domains of the list's rules, in their ASCII form, sorted. */
static char **tlds;
static size_t ntlds, captlds;

/* ---- the set of top-level domains -------------------------------------- */

static void tld_add(const char *s, size_t n)
{
	if (n == 0 || n > 63)
		return;
	if (ntlds == captlds) {
		captlds = captlds ? captlds * 2 : 1024;
		tlds = xrealloc(tlds, captlds * sizeof *tlds);
	}
	tlds[ntlds++] = xstrndup(s, n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void tld_finish(void)
{
	if (!ntlds)
		return;
	qsort(tlds, ntlds, sizeof *tlds, cmp_str);
	size_t w = 1;
	for (size_t i = 1; i < ntlds; i++) {
		if (strcmp(tlds[i], tlds[w - 1]) == 0)
			free(tlds[i]);
		else
			tlds[w++] = tlds[i];
	}
	ntlds = w;
}

static void tld_free(void)
{
	for (size_t i = 0; i < ntlds; i++)
		free(tlds[i]);
	free(tlds);
	tlds = NULL;
	ntlds = captlds = 0;
}

static bool tld_listed(const char *tld)
{
	return ntlds && bsearch(&tld, tlds, ntlds, sizeof *tlds, cmp_str) != NULL;
}

/* ---- Punycode (RFC 3492) ------------------------------------------------ */

static uint32_t puny_adapt(uint64_t delta, uint64_t points, bool first)
{
	delta = first ? delta / 700 : delta / 2;
	delta += delta / points;
	uint32_t k = 0;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (uint32_t)((36 - 1 + 1) * delta / (delta + 38));
}

static char puny_digit(uint64_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Decode one UTF-8 label [s, s+n) into cp (at most max code points). */
static bool utf8_decode(const unsigned char *s, size_t n, uint32_t *cp, size_t max, size_t *ncp)
{
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		uint32_t v;
		size_t len;
		if (c < 0x80) {
			v = c;
			len = 1;
		} else if (c >= 0xc2 && c <= 0xdf) {
			v = c & 0x1f;
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			v = c & 0x0f;
			len = 3;
		} else if (c >= 0xf0 && c <= 0xf4) {
			v = c & 0x07;
			len = 4;
		} else {
			return false;
		}
		if (i + len > n || k == max)
			return false;
		for (size_t j = 1; j < len; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			v = (v << 6) | (s[i + j] & 0x3f);
		}
		if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
			return false;
		cp[k++] = v;
		i += len;
	}
	*ncp = k;
	return true;
}

/* Append the ASCII form of one label to out[*o..cap): itself when it is
 * ASCII, else "xn--" and its Punycode. */
static bool label_to_ascii(const unsigned char *s, size_t n, char *out, size_t *o, size_t cap)
{
#define PUT(ch) do { if (*o + 1 >= cap) return false; out[(*o)++] = (ch); } while (0)
	bool ascii = true;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 0x80)
			ascii = false;
	if (ascii) {
		for (size_t i = 0; i < n; i++)
			PUT((char)s[i]);
		return true;
	}
	uint32_t cp[256];
	size_t m;
	if (!utf8_decode(s, n, cp, sizeof cp / sizeof cp[0], &m))
		return false;
	PUT('x');
	PUT('n');
	PUT('-');
	PUT('-');
	size_t basic = 0;
	for (size_t i = 0; i < m; i++)
		if (cp[i] < 0x80) {
			PUT((char)cp[i]);
			basic++;
		}
	if (basic)
		PUT('-');
	uint64_t next = 0x80, delta = 0;
	uint32_t bias = 72;
	for (size_t done = basic; done < m;) {
		uint64_t least = UINT64_MAX;
		for (size_t i = 0; i < m; i++)
			if (cp[i] >= next && cp[i] < least)
				least = cp[i];
		delta += (least - next) * (done + 1);
		next = least;
		for (size_t i = 0; i < m; i++) {
			if (cp[i] < next)
				delta++;
			if (cp[i] != next)
				continue;
			uint64_t q = delta;
			for (uint64_t k = 36;; k += 36) {
				uint64_t t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
				if (q < t)
					break;
				PUT(puny_digit(t + (q - t) % (36 - t)));
				q = (q - t) / (36 - t);
			}
			PUT(puny_digit(q));
			bias = puny_adapt(delta, done + 1, done == basic);
			delta = 0;
			done++;
		}
		delta++;
		next++;
	}
	return true;
#undef PUT
}

bool domain_to_ascii(const char *name, char *out, size_t size)
{
	size_t o = 0;
	const char *p = name;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!label_to_ascii((const unsigned char *)p, n, out, &o, size))
			return false;
		if (!dot)
			break;
		if (o + 1 >= size)
			return false;
		out[o++] = '.';
		p = dot + 1;
	}
	out[o] = '\0';
	return true;
}

/* ---- reading the top-level domains of a list file ---------------------- */

/* A list in the text format: one rule per line, "//" comments; the rule is
 * the line's first word, "!" marks an exception and "*." a wildcard (libpsl
 * skips any other use of '*'). */
static void tlds_from_text(const char *buf, size_t len)
{
	const char *end = buf + len;
	for (const char *p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		while (p < le && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
			p++;
		const char *r = p;
		while (p < le && !(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
			p++;
		size_t n = (size_t)(p - r);
		p = nl ? nl + 1 : end;
		if (n == 0 || (n >= 2 && r[0] == '/' && r[1] == '/'))
			continue;
		if (r[0] == '!') {
			r++;
			n--;
		} else if (r[0] == '*') {
			if (n < 2 || r[1] != '.')
				continue;
			r += 2;
			n -= 2;
		}
		const char *t = r + n;
		while (t > r && t[-1] != '.')
			t--;
		char ascii[256];
		size_t o = 0;
		if (label_to_ascii((const unsigned char *)t, (size_t)(r + n - t), ascii, &o, sizeof ascii))
			tld_add(ascii, o);
	}
}

/* A list in libpsl's DAFSA format (the graph of psl-make-dafsa, after the
 * 16-byte header): every word is a rule's domain (UTF-8 and ASCII forms)
 * followed by its flags as a return value.  Every path from the source is
 * walked; the ASCII words give their last label. */
typedef struct {
	const unsigned char *g;
	size_t n;
	char word[256];
	unsigned long steps;
	bool bad;
} dafsa_walk;

static void dafsa_node(dafsa_walk *w, size_t pos, size_t len, bool ascii);

/* The list of offsets at pos: the first is the distance from pos to the
 * first child, each next one the distance from the previous child. */
static void dafsa_children(dafsa_walk *w, size_t pos, size_t len, bool ascii)
{
	size_t child = pos;
	while (!w->bad) {
		if (pos >= w->n) {
			w->bad = true;
			return;
		}
		unsigned char b = w->g[pos];
		size_t d, used;
		if ((b & 0x60) == 0x60) {
			if (pos + 2 >= w->n) {
				w->bad = true;
				return;
			}
			d = ((size_t)(b & 0x1f) << 16) | ((size_t)w->g[pos + 1] << 8) | w->g[pos + 2];
			used = 3;
		} else if ((b & 0x60) == 0x40) {
			if (pos + 1 >= w->n) {
				w->bad = true;
				return;
			}
			d = ((size_t)(b & 0x1f) << 8) | w->g[pos + 1];
			used = 2;
		} else {
			d = b & 0x3f;
			used = 1;
		}
		if (d == 0 || d > w->n - child) {
			w->bad = true;
			return;
		}
		child += d;
		dafsa_node(w, child, len, ascii);
		if (b & 0x80)
			return;
		pos += used;
	}
}

static void dafsa_node(dafsa_walk *w, size_t pos, size_t len, bool ascii)
{
	for (;;) {
		if (pos >= w->n || ++w->steps > 50000000UL) {
			w->bad = true;
			return;
		}
		unsigned char b = w->g[pos++];
		if (b >= 0x80 && b <= 0x8f) { /* a return value: the word ends */
			if (ascii) {
				size_t t = len;
				while (t > 0 && w->word[t - 1] != '.')
					t--;
				tld_add(w->word + t, len - t);
			}
			return;
		}
		char ch = (char)(b & 0x7f);
		if (ch == 0x1f) /* a UTF-8 sequence follows */
			ascii = false;
		if (len + 1 >= sizeof w->word) {
			w->bad = true;
			return;
		}
		w->word[len++] = ch;
		if (b & 0x80) { /* the label's last character: its children follow */
			dafsa_children(w, pos, len, ascii);
			return;
		}
	}
}

static bool tlds_from_dafsa(const unsigned char *g, size_t n)
{
	dafsa_walk w = {.g = g, .n = n};
	dafsa_children(&w, 0, 0, true);
	return !w.bad;
}

static bool is_dafsa(const char *buf, size_t len)
{
	return len >= 16 && memcmp(buf, ".DAFSA@PSL_", 11) == 0 && buf[15] == '\n' && !memchr(buf, '\n', 15);
}

/* The whole file, NUL-terminated; NULL when unreadable or over 64 MiB. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n + 1 >= cap) {
			char *m = cap < (64u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!m) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = m;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - 1 - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* Collect the top-level domains of a list file's rules. */
static bool tlds_from(const char *buf, size_t len)
{
	tld_free();
	bool ok = is_dafsa(buf, len) ? tlds_from_dafsa((const unsigned char *)buf + 16, len - 16)
				      : (tlds_from_text(buf, len), true);
	tld_finish();
	if (!ok || !ntlds) {
		tld_free();
		return false;
	}
	return true;
}

/* Load one list file into libpsl and collect its top-level domains from
 * the same bytes. */
static psl_ctx_t *load_list(const char *path)
{
	size_t len;
	char *buf = slurp(path, &len);
	if (!buf)
		return NULL;
	psl_ctx_t *p = NULL;
	FILE *m = len ? fmemopen(buf, len, "r") : NULL;
	if (m) {
		p = psl_load_fp(m);
		fclose(m);
	}
	if (p && !tlds_from(buf, len)) {
		psl_free(p);
		p = NULL;
	}
	free(buf);
	return p;
}

static void describe(const char *file)
{
	int n = psl_suffix_count(psl); /* -1 for a DAFSA file */
	if (n > 0)
		snprintf(source, sizeof source, "libpsl %s, %s (%d rules, %zu top-level domains)", psl_get_version(),
			 file, n, ntlds);
	else
		snprintf(source, sizeof source, "libpsl %s, %s (%zu top-level domains)", psl_get_version(), file,
			 ntlds);
}

bool domain_init_file(const char *path, const char **why)
{
	domain_done();
	if (!(psl = load_list(path))) {
		*why = "cannot read that Public Suffix List";
		return false;
	}
	describe(path);
	return true;
}

bool domain_init(const char **why)
{
	if (psl || builtin)
		return true;
	/* the distribution's files newer than the built-in copy, newest first
	 * (psl_latest's order) */
	time_t built = psl_builtin_file_time();
	const char *file[2] = {psl_dist_filename(), psl_builtin_filename()};
	time_t mtime[2] = {0, 0};
	for (int i = 0; i < 2; i++) {
		struct stat st;
		if (file[i] && *file[i] && stat(file[i], &st) == 0 && st.st_mtime > built)
			mtime[i] = st.st_mtime;
		else
			file[i] = NULL;
	}
	if (file[0] && file[1] && mtime[1] > mtime[0]) {
		const char *t = file[0];
		file[0] = file[1];
		file[1] = t;
	}
	for (int i = 0; i < 2 && !psl; i++) {
		if (!file[i] || !(psl = load_list(file[i])))
			continue;
		describe(file[i]);
		return true;
	}
	/* The built-in copy: its rules are read from the file it was made of,
	 * as long as that file is unchanged since. */
	const psl_ctx_t *b = psl_builtin();
	const char *from = psl_builtin_filename();
	struct stat st;
	size_t len;
	char *buf;
	if (b && psl_suffix_count(b) > 0 && from && stat(from, &st) == 0 && st.st_mtime == built &&
	    (buf = slurp(from, &len))) {
		bool ok = !is_dafsa(buf, len) && tlds_from(buf, len);
		free(buf);
		if (ok) {
			builtin = b;
			snprintf(source, sizeof source, "libpsl %s, built-in list of %s (%d rules, %zu top-level domains)",
				 psl_get_version(), from, psl_suffix_count(b), ntlds);
			return true;
		}
	}
	*why = "no readable Public Suffix List (install the 'publicsuffix' package)";
	return false;
}

void domain_done(void)
{
	psl_free(psl);
	psl = NULL;
	builtin = NULL;
	tld_free();
}

const char *domain_psl_source(void)
{
	return source;
}

static const psl_ctx_t *ctx(void)
{
	if (!psl && !builtin) {
		const char *why;
		if (!domain_init(&why))
			return NULL;
	}
	return psl ? psl : builtin;
}

const char *domain_rd(const char *name)
{
	const psl_ctx_t *c = ctx();
	if (!c || !name)
		return NULL;
	/* libpsl treats a top-level domain no rule mentions as a suffix through
	 * the implicit "*" rule; mxray gives a name under one (localdomain,
	 * lan, internal) no registered domain.  Every other answer is libpsl's.
	 * Names are passed in their ASCII form, as the set holds them. */
	const char *dot = strrchr(name, '.');
	if (!dot || !tld_listed(dot + 1))
		return NULL;
	return psl_registrable_domain(c, name);
}

static bool letter(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The top label: 2 or more letters, or an internationalised one in its
 * ASCII form (xn--p1ai for .рф). */
static bool top_label_ok(const char *tld, size_t n)
{
	if (n >= 5 && (tld[0] | 0x20) == 'x' && (tld[1] | 0x20) == 'n' && tld[2] == '-' && tld[3] == '-') {
		for (size_t i = 4; i < n; i++)
			if (!(letter(tld[i]) || (tld[i] >= '0' && tld[i] <= '9') || tld[i] == '-'))
				return false;
		return true;
	}
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!letter(tld[i]))
			return false;
	return true;
}

bool domain_is_hostname(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 253 || !strchr(name, '.'))
		return false;
	const char *start = name;
	for (const char *p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t label = (size_t)(p - start);
			if (label == 0 || label > 63 || start[0] == '-' || p[-1] == '-')
				return false;
			if (*p == '\0')
				return top_label_ok(start, label);
			start = p + 1;
			continue;
		}
		char ch = *p;
		if (!(letter(ch) || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
}
