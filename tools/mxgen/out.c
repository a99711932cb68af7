/* mxgen out: buffered output files, one per file of the snapshot, and the
 * tiny JSON writer every JSON Lines file goes through. */
#include "mxgen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "mxray/util.h"

const char *const FNAMES[F__N] = {
	"dns.jsonl", "scans-censys.jsonl", "scans-zgrab2.jsonl", "scans-censys2.jsonl",
	"pfx2as.txt", "as2org.txt", "targets-alexa.txt", "targets-com.txt",
	"targets-gov.txt", "truth.csv"};
Out g_out[F__N];

void out_flush(Out *o)
{
	if (o->len) {
		errno = 0;
		if (fwrite(o->buf, 1, o->len, o->f) != o->len)
			die_io(o->path);
	}
	o->len = 0;
}

void out_need(Out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	out_flush(o);
	if (n > o->cap) {
		o->buf = xrealloc(o->buf, n);
		o->cap = n;
	}
}

void out_mem(Out *o, const void *p, size_t n)
{
	out_need(o, n);
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void out_str(Out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

void out_ch(Out *o, char c)
{
	out_need(o, 1);
	o->buf[o->len++] = c;
}

void out_u64(Out *o, uint64_t v)
{
	char t[24];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_need(o, (size_t)n);
	while (n)
		o->buf[o->len++] = t[--n];
}

static void out_i64(Out *o, int64_t v)
{
	if (v < 0) {
		out_ch(o, '-');
		out_u64(o, (uint64_t)(-(v + 1)) + 1);
	} else
		out_u64(o, (uint64_t)v);
}

void out_ip(Out *o, uint32_t ip)
{
	char b[16];
	mx_ipv4_format(ip, b);
	out_str(o, b);
}

/* A JSON string: quotes, backslash and control bytes are escaped; bytes
 * >= 0x80 are copied raw (so invalid UTF-8 stays invalid on purpose). */
static void out_jstrn(Out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	out_need(o, n * 6 + 2);
	char *p = o->buf + o->len;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			*p++ = '\\';
			switch (c) {
			case '\n': *p++ = 'n'; break;
			case '\r': *p++ = 'r'; break;
			case '\t': *p++ = 't'; break;
			case '\b': *p++ = 'b'; break;
			case '\f': *p++ = 'f'; break;
			default:
				*p++ = 'u';
				*p++ = '0';
				*p++ = '0';
				*p++ = hex[c >> 4];
				*p++ = hex[c & 15];
			}
		} else
			*p++ = (char)c;
	}
	*p++ = '"';
	o->len = (size_t)(p - o->buf);
}

static void out_jstr(Out *o, const char *s)
{
	out_jstrn(o, s, strlen(s));
}

void j_rec(Out *o)
{
	o->depth = 0;
	o->first[0] = 1;
}

static void j_key(Out *o, const char *key)
{
	if (!o->first[o->depth])
		out_ch(o, ',');
	o->first[o->depth] = 0;
	if (key) {
		out_jstr(o, key);
		out_ch(o, ':');
	}
}

void j_open(Out *o, const char *key)
{
	if (o->depth > 0 || key)
		j_key(o, key);
	out_ch(o, '{');
	if (o->depth + 1 >= (int)sizeof o->first)
		die_internal("JSON nesting");
	o->first[++o->depth] = 1;
}

void j_close(Out *o)
{
	out_ch(o, '}');
	o->depth--;
}

void j_aopen(Out *o, const char *key)
{
	j_key(o, key);
	out_ch(o, '[');
	o->first[++o->depth] = 1;
}

void j_aclose(Out *o)
{
	out_ch(o, ']');
	o->depth--;
}

void j_str(Out *o, const char *key, const char *v)
{
	j_key(o, key);
	out_jstr(o, v);
}

void j_strn(Out *o, const char *key, const char *v, size_t n)
{
	j_key(o, key);
	out_jstrn(o, v, n);
}

void j_int(Out *o, const char *key, int64_t v)
{
	j_key(o, key);
	out_i64(o, v);
}

/* Integer as a JSON string (Censys legacy convention). */
void j_sint(Out *o, const char *key, int64_t v)
{
	j_key(o, key);
	out_ch(o, '"');
	out_i64(o, v);
	out_ch(o, '"');
}

void j_bool(Out *o, const char *key, int v)
{
	j_key(o, key);
	out_str(o, v ? "true" : "false");
}

void j_arr1(Out *o, const char *key, const char *v)
{
	j_aopen(o, key);
	j_str(o, NULL, v);
	j_aclose(o);
}

void j_end(Out *o)
{
	j_close(o);
	out_ch(o, '\n');
	o->rows++;
}

static void mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			die_io(p);
		*q = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		die_io(p);
	struct stat st;
	if (stat(p, &st) != 0)
		die_io(p);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		die_io(p);
	}
	free(p);
}

void outputs_open(const char *dir)
{
	mkdir_p(dir);
	for (int i = 0; i < F__N; i++) {
		Out *o = &g_out[i];
		o->path = xasprintf("%s/%s", dir, FNAMES[i]);
		errno = 0;
		o->f = fopen(o->path, "wb");
		if (!o->f)
			die_io(o->path);
		o->cap = (i == F_DNS || i == F_CENSYS) ? (8u << 20) : (1u << 20);
		o->buf = xmalloc(o->cap);
	}
}

void outputs_close(void)
{
	for (int i = 0; i < F__N; i++) {
		Out *o = &g_out[i];
		out_flush(o);
		errno = 0;
		if (fflush(o->f) != 0 || ferror(o->f))
			die_io(o->path);
		if (fclose(o->f) != 0)
			die_io(o->path);
		free(o->buf);
		free(o->path);
	}
}
