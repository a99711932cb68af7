/* mxgen text: dates (proleptic Gregorian, days since 1970-01-01), the
 * templates of SMTP replies and certificate names, and hex digits. */
#include "mxgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxray/util.h"

int64_t g_days;

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return md[m - 1] + (m == 2 && is_leap(y));
}

static void civil_of(int64_t days, int *y, int *m, int *d)
{
	static int64_t cd = -1;
	static int cy, cm, cdd;
	if (days != cd) {
		int64_t n = days;
		int yy = 1970, mm = 1;
		while (n < 0) {
			yy--;
			n += 365 + is_leap(yy);
		}
		while (n >= 365 + is_leap(yy)) {
			n -= 365 + is_leap(yy);
			yy++;
		}
		while (n >= month_days(yy, mm)) {
			n -= month_days(yy, mm);
			mm++;
		}
		cd = days;
		cy = yy;
		cm = mm;
		cdd = (int)n + 1;
	}
	*y = cy;
	*m = cm;
	*d = cdd;
}

/* 2021-06-07T04:12:09Z, or with an offset in minutes (+02:00). */
void fmt_rfc3339(char *dst, int64_t t, int off_min)
{
	int64_t lt = t + (int64_t)off_min * 60;
	int64_t days = lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400);
	int64_t s = lt - days * 86400;
	int y, m, d;
	civil_of(days, &y, &m, &d);
	if (off_min == 0)
		sprintf(dst, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
	else
		sprintf(dst, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d, (int)(s / 3600), (int)(s / 60 % 60),
			(int)(s % 60), off_min < 0 ? '-' : '+', abs(off_min) / 60, abs(off_min) % 60);
}

/* Tue, 08 Jun 2021 04:23:11 +0000 (local time with the given offset). */
void fmt_rfc2822(char *dst, int64_t t, int off_min)
{
	static const char *wd[7] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
	static const char *mn[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int64_t lt = t + (int64_t)off_min * 60;
	int64_t days = lt / 86400, s = lt % 86400;
	int y, m, d;
	civil_of(days, &y, &m, &d);
	sprintf(dst, "%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d", wd[((days % 7) + 7) % 7], d, mn[m - 1], y,
		(int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60), off_min < 0 ? '-' : '+', abs(off_min) / 60,
		abs(off_min) % 60);
}

/* Expand template t into dst (at most cap - 1 bytes and a NUL); the
 * length written. */
size_t expand(char *dst, size_t cap, const char *t, const TCtx *c, Rng *r)
{
	size_t n = 0;
	if (!cap)
		return 0;
	for (const char *p = t; *p; p++) {
		if (*p != '%') {
			if (n + 1 < cap)
				dst[n++] = *p;
			continue;
		}
		p++;
		char tmp[96];
		const char *s = NULL;
		switch (*p) {
		case 'h': s = c->h; break;
		case 'H': s = c->H; break;
		case 'R': s = c->R; break;
		case 'D': s = c->D; break;
		case 'i': mx_ipv4_format(c->ip, tmp); s = tmp; break;
		case 'j':
			sprintf(tmp, "%u-%u-%u-%u", c->ip >> 24, (c->ip >> 16) & 255, (c->ip >> 8) & 255, c->ip & 255);
			s = tmp;
			break;
		case 's':
			sprintf(tmp, "162.142.125.%u", (unsigned)(1 + HS(c->ip, 77, 1) % 250));
			s = tmp;
			break;
		case 't': fmt_rfc2822(tmp, c->t, c->off); s = tmp; break;
		case 'S': s = c->starttls ? "250-STARTTLS\r\n" : ""; break;
		case 'x':
			for (int i = 0; i < 8; i++)
				tmp[i] = "0123456789abcdef"[rb(r, 16)];
			tmp[8] = 0;
			s = tmp;
			break;
		case 'a':
			tmp[0] = (char)('a' + rb(r, 26));
			tmp[1] = 0;
			s = tmp;
			break;
		case '{': {
			const char *e = strchr(p, '}');
			if (!e)
				die_internal("template");
			int nalt = 1;
			for (const char *q = p + 1; q < e; q++)
				nalt += *q == '|';
			int pick = (int)rb(r, (uint32_t)nalt);
			const char *a = p + 1;
			for (int i = 0; i < pick; i++)
				a = strchr(a, '|') + 1;
			const char *ae = a;
			while (ae < e && *ae != '|')
				ae++;
			char alt[256];
			size_t al = (size_t)(ae - a) < sizeof alt - 1 ? (size_t)(ae - a) : sizeof alt - 1;
			memcpy(alt, a, al);
			alt[al] = 0;
			n += expand(dst + n, cap - n, alt, c, r);
			p = e;
			break;
		}
		case '%': s = "%"; break;
		case 0: p--; break;
		default:
			if (*p >= '1' && *p <= '9') {
				int k = *p - '0';
				for (int i = 0; i < k; i++)
					tmp[i] = (char)('0' + rb(r, 10));
				tmp[k] = 0;
				s = tmp;
			}
		}
		if (s)
			while (*s && n + 1 < cap)
				dst[n++] = *s++;
	}
	dst[n] = 0;
	return n;
}

void hex_of(char *dst, uint64_t k, int nbytes)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 0; i < nbytes; i++) {
		if (i % 8 == 0)
			k = mix64(k + (uint64_t)i * 0x9E3779B97F4A7C15ULL);
		unsigned v = (unsigned)((k >> ((i % 8) * 8)) & 255);
		dst[2 * i] = hx[v >> 4];
		dst[2 * i + 1] = hx[v & 15];
	}
	dst[2 * nbytes] = 0;
}
