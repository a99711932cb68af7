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
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static psl_ctx_t *psl;
static const psl_ctx_t *builtin;
static char source[512];
static unsigned long list_gen = 1; /* changes with the list (domain_rd's cache) */

/* The top-level domains of the list's rules, in their ASCII form, sorted. */
static char **tlds;
static size_t ntlds, captlds;

/* Each rule's domain (ASCII form, "!" and "*." taken off) and that domain
 * less its first label: a name directly below none of these has the
 * registered domain of its parent (domain_rd_memo). */
static strmap *rule_parents;

static void parent_add(const char *s, size_t n)
{
	if (!rule_parents)
		rule_parents = strmap_new();
	char *d = xstrndup(s, n);
	strmap_intern(rule_parents, d, NULL);
	const char *dot = strchr(d, '.');
	if (dot)
		strmap_intern(rule_parents, dot + 1, NULL);
	free(d);
}

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

/* ---- the ASCII form of a rule (libidn2) -------------------------------- */

static bool is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

/* The ASCII form of a rule (or name) as libpsl 0.21 built with libidn2
 * makes it for a rule it loads from a text list: an all-ASCII rule is its
 * own form; any other is given whole to idn2_lookup_u8 with NFC input and
 * UTS #46 non-transitional processing.  Returns a string to release with
 * idn2_free, or NULL when libidn2 refuses it (libpsl then keeps only the
 * UTF-8 rule).  The ASCII case returns NULL too, with *same set. */
static char *rule_to_ascii(const char *rule, bool *same)
{
	*same = is_ascii(rule);
	if (*same)
		return NULL;
	uint8_t *ascii = NULL;
	if (idn2_lookup_u8((const uint8_t *)rule, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
		idn2_free(ascii);
		return NULL;
	}
	return (char *)ascii;
}

bool domain_to_ascii(const char *name, char *out, size_t size)
{
	bool same;
	char *ascii = rule_to_ascii(name, &same);
	const char *s = same ? name : ascii;
	bool ok = s && strlen(s) < size;
	if (ok)
		memcpy(out, s, strlen(s) + 1);
	idn2_free(ascii);
	return ok;
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
		/* the rule is converted whole, as libpsl converts it; when
		 * libidn2 refuses it, a top label in ASCII still counts */
		char *rule = xstrndup(r, n);
		bool same;
		char *ascii = rule_to_ascii(rule, &same);
		const char *s = ascii ? ascii : rule;
		const char *t = strrchr(s, '.');
		t = t ? t + 1 : s;
		if (same || ascii || is_ascii(t))
			tld_add(t, strlen(t));
		parent_add(rule, n); /* both forms: a parent too many only costs a lookup */
		if (ascii)
			parent_add(ascii, strlen(ascii));
		idn2_free(ascii);
		free(rule);
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
			parent_add(w->word, len);
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
	list_gen++;
	psl_free(psl);
	psl = NULL;
	builtin = NULL;
	tld_free();
	strmap_free(rule_parents);
	rule_parents = NULL;
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

/* The last answers of this thread, by the name's hash: a banner and an
 * EHLO reply often name the same host one after the other, and a name
 * and then its registered domain are asked about.  Short names only;
 * emptied when the list changes (list_gen). */
#define RD_CACHE 256
#define RD_CACHE_NAME 64
typedef struct {
	char name[RD_CACHE_NAME];
	int rd; /* offset of the answer in name, -1 none */
} rd_entry;
static _Thread_local struct {
	unsigned long gen;
	rd_entry e[RD_CACHE];
} rd_cache;

static const char *rd_uncached(const psl_ctx_t *c, const char *name);

const char *domain_rd(const char *name)
{
	const psl_ctx_t *c = ctx();
	if (!c || !name)
		return NULL;
	size_t n = strlen(name);
	if (n == 0 || n >= RD_CACHE_NAME)
		return rd_uncached(c, name);
	if (rd_cache.gen != list_gen) {
		memset(rd_cache.e, 0, sizeof rd_cache.e);
		rd_cache.gen = list_gen;
	}
	uint32_t hash = 2166136261u;
	for (size_t i = 0; i < n; i++)
		hash = (hash ^ (unsigned char)name[i]) * 16777619u;
	rd_entry *e = &rd_cache.e[hash % RD_CACHE];
	if (memcmp(e->name, name, n + 1) != 0) {
		const char *rd = rd_uncached(c, name);
		memcpy(e->name, name, n + 1);
		e->rd = rd ? (int)(rd - name) : -1;
		return rd;
	}
	return e->rd < 0 ? NULL : name + e->rd;
}

/* The parent of a name of plain lower-case ASCII labels (none empty)
 * whose parent has two labels or more and no rule directly below it, or
 * NULL. */
static const char *plain_parent(const char *name)
{
	const char *dot = NULL;
	char prev = '.';
	for (const char *p = name; *p; prev = *p++) {
		char ch = *p;
		if (ch == '.') {
			if (prev == '.')
				return NULL;
			if (!dot)
				dot = p;
		} else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
			return NULL;
		}
	}
	if (!dot || prev == '.' || !strchr(dot + 1, '.'))
		return NULL;
	if (rule_parents && strmap_find(rule_parents, dot + 1) != UINT32_MAX)
		return NULL;
	return dot + 1;
}

static const char *rd_uncached(const psl_ctx_t *c, const char *name)
{
	/* A name directly below a parent with a registered domain, and below
	 * which no rule sits, has the parent's (domain_rd_memo): the parent,
	 * shorter and often asked about again, is what libpsl is given. */
	const char *parent = plain_parent(name);
	if (parent) {
		const char *rd = domain_rd(parent);
		if (rd && rd >= parent && rd < parent + strlen(parent))
			return rd;
	}
	/* libpsl treats a top-level domain no rule mentions as a suffix through
	 * the implicit "*" rule; mxray gives a name under one (localdomain,
	 * lan, internal) no registered domain.  Every other answer is libpsl's.
	 * Names are passed in their ASCII form, as the set holds them. */
	const char *dot = strrchr(name, '.');
	if (!dot || !tld_listed(dot + 1))
		return NULL;
	return psl_registrable_domain(c, name);
}

/* ---- many names under few parents ------------------------------------- */

struct domain_memo {
	strmap *parents; /* parent -> index into rdlen */
	int *rdlen;      /* the parent's registered domain's length */
	size_t cap;
};

domain_memo *domain_memo_new(void)
{
	domain_memo *m = xcalloc(1, sizeof *m);
	m->parents = strmap_new();
	return m;
}

void domain_memo_free(domain_memo *m)
{
	if (!m)
		return;
	strmap_free(m->parents);
	free(m->rdlen);
	free(m);
}

const char *domain_rd_memo(domain_memo *m, const char *name)
{
	if (!ctx() || !name)
		return NULL;
	/* plain lower-case ASCII only (what libpsl is given as it is) */
	const char *dot = NULL;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x80 || (c >= 'A' && c <= 'Z'))
			return domain_rd(name);
		if (c == '.' && !dot)
			dot = p;
	}
	if (!dot || dot == name || !dot[1] || (rule_parents && strmap_find(rule_parents, dot + 1) != UINT32_MAX))
		return domain_rd(name);
	const char *parent = dot + 1;
	int added;
	uint32_t i = strmap_intern(m->parents, parent, &added);
	if (added) {
		if (i >= m->cap) {
			m->cap = m->cap ? m->cap * 2 : 256;
			m->rdlen = xrealloc(m->rdlen, m->cap * sizeof *m->rdlen);
		}
		const char *rd = domain_rd(parent);
		size_t np = strlen(parent), nr = rd ? strlen(rd) : 0;
		/* only a parent with a registered domain tells its children's */
		m->rdlen[i] = rd && nr <= np && !strcmp(parent + np - nr, rd) ? (int)nr : -1;
	}
	if (m->rdlen[i] < 0)
		return domain_rd(name);
	return name + strlen(name) - (size_t)m->rdlen[i];
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
