/* mxgen scan: one port-25 observation of one IP — a provider's shared
 * server from its style, a web host's box, or a domain's own server with
 * its software, certificate and hard-case quirks — and the choice of the
 * scan file it is written to. */
#include "mxgen.h"

#include <stdio.h>
#include <string.h>

const Issuer ISS[I__N] = {
	[I_GTS] = {"US", "Google Trust Services LLC", "GTS CA 1C3"},
	[I_DIGICLOUD] = {"US", "DigiCert Inc", "DigiCert Cloud Services CA-1"},
	[I_GLOBALSIGN] = {"BE", "GlobalSign nv-sa", "GlobalSign RSA OV SSL CA 2018"},
	[I_GODADDY] = {"US", "GoDaddy.com, Inc.", "Go Daddy Secure Certificate Authority - G2"},
	[I_DIGISHA2] = {"US", "DigiCert Inc", "DigiCert SHA2 Secure Server CA"},
	[I_RAPIDSSL] = {"US", "DigiCert Inc", "RapidSSL RSA CA 2018"},
	[I_SECTIGO] = {"GB", "Sectigo Limited", "Sectigo RSA Domain Validation Secure Server CA"},
	[I_LE] = {"US", "Let's Encrypt", "R3"},
	[I_STARFIELD] = {"US", "Starfield Technologies, Inc.", "Starfield Secure Certificate Authority - G2"},
	[I_INCOMMON] = {"US", "Internet2", "InCommon RSA Server CA"},
	[I_TELESEC] = {"DE", "T-Systems International GmbH", "TeleSec ServerPass Class 2 CA"},
	[I_GEOTRUST] = {"US", "DigiCert Inc", "GeoTrust RSA CA 2018"},
	[I_DIGITLS] = {"US", "DigiCert Inc", "DigiCert TLS RSA SHA256 2020 CA1"},
	[I_CPANEL] = {"US", "cPanel, Inc.", "cPanel, Inc. Certification Authority"},
};

/* The providers' shared servers, by style. */
typedef struct {
	const char *srv, *banner, *ehlo, *stls, *cn, *names;
	int issuer, off;
} Style;

static const Style STY[S__N] = {
	[S_GOOGLE] = {"mx.google.com", "220 mx.google.com ESMTP %a%a%1si%7%a%a%a.%3 - gsmtp",
		      "250-mx.google.com at your service, [%s]\r\n250-SIZE 157286400\r\n250-8BITMIME\r\n"
		      "250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8",
		      "220 2.0.0 Ready to start TLS", "mx.google.com",
		      "mx.google.com aspmx.l.google.com alt1.aspmx.l.google.com alt2.aspmx.l.google.com "
		      "alt3.aspmx.l.google.com alt4.aspmx.l.google.com *.aspmx.l.google.com "
		      "gmail-smtp-in.l.google.com *.gmail-smtp-in.l.google.com aspmx2.googlemail.com "
		      "aspmx3.googlemail.com",
		      I_GTS, 0},
	[S_MS] = {"%{BN8NAM12|DM6NAM10|MW2NAM04|CO1NAM11|BN3NAM01|AM5EUR03|DB5EUR02|VE1EUR03|HE1EUR04|SG2APC01}FT0%2"
		  ".mail.protection.outlook.com",
		  "220 %h Microsoft ESMTP MAIL Service ready at %t",
		  "250-%h Hello [%s]\r\n250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n"
		  "250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n"
		  "250 SMTPUTF8",
		  "220 2.0.0 SMTP server ready", "mail.protection.outlook.com",
		  "mail.protection.outlook.com *.mail.protection.outlook.com *.mail.eo.outlook.com "
		  "mail.messaging.microsoft.com *.mail.protection.outlook.de *.olc.protection.outlook.com",
		  I_DIGICLOUD, 0},
	[S_YANDEX] = {"mxfront%1%a.mail.yandex.net",
		      "220 %h (Want to use Yandex.Mail for your domain? Visit http://pdd.yandex.ru) %9%1-%a%a%a%a%a%a%a%a",
		      "250-%h\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SIZE 53477376\r\n250-STARTTLS\r\n250-DSN\r\n"
		      "250 ENHANCEDSTATUSCODES",
		      "220 Go ahead", "mx.yandex.ru",
		      "mx.yandex.ru mx.yandex.net mx.yandex.com mx.yandex.by mx.yandex.kz mx.yandex.ua",
		      I_GLOBALSIGN, 180},
	[S_GODADDY] = {"p3plibsmtp0%{1|2|3}-0%{1|2|3|4|5|6|7|8|9}.prod.phx3.secureserver.net",
		       "220 %h bizsmtp ESMTP server ready",
		       "250-%h hello [%s], secureserver.net\r\n250-HELP\r\n250-AUTH LOGIN PLAIN\r\n"
		       "250-SIZE 30000000\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 OK",
		       "220 2.0.0 Ready to start TLS", "*.secureserver.net", "*.secureserver.net secureserver.net",
		       I_GODADDY, -420},
	[S_PP] = {"mx0%{a|b}-%x.pphosted.com", "220 %h ESMTP mfa-m0%6",
		  "250-%h Hello [%s], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
		  "250-8BITMIME\r\n250-SIZE 52428800\r\n250-STARTTLS\r\n250-DELIVERBY\r\n250 HELP",
		  "220 2.0.0 Ready to start TLS", "*.pphosted.com", "*.pphosted.com pphosted.com", I_DIGISHA2, -420},
	[S_MIMECAST] = {"%H", "220 %h ESMTP %x%x",
			"250-%h Hello [%s]\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SIZE 157286400\r\n"
			"250-STARTTLS\r\n250 ENHANCEDSTATUSCODES",
			"220 2.0.0 Ready to start TLS", "*.mimecast.com", "*.mimecast.com mimecast.com", I_GLOBALSIGN, 0},
	[S_ZOHO] = {"mx.zohomail.com", "220 %h SMTP Server ready %t",
		    "250-%h Hello %s (%s)\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
		    "250-STARTTLS\r\n250 SMTPUTF8",
		    "220 Ready to start TLS.", "mx.zoho.com",
		    "mx.zoho.com mx2.zoho.com mx3.zoho.com mx.zohomail.com *.zoho.com *.zoho.eu", I_DIGISHA2, -420},
	[S_BARRACUDA] = {"mx%4.ess.barracudanetworks.com", "220 %h ESMTP (%x%x)",
			 "250-%h Hello [%s]\r\n250-PIPELINING\r\n250-SIZE 100000000\r\n250-STARTTLS\r\n250 8BITMIME",
			 "220 2.0.0 Ready to start TLS", "*.ess.barracudanetworks.com",
			 "*.ess.barracudanetworks.com ess.barracudanetworks.com", I_RAPIDSSL, -360},
	[S_UI] = {"%R", "220 %R (mx%{eue|us}0%2) Nemesis ESMTP Service ready",
		  "250-%R Hello %R [%s]\r\n250-8BITMIME\r\n250-SIZE 141557760\r\n250 STARTTLS", "220 OK", "mx00.%R",
		  "mx00.%R mx01.%R mx.%R", I_TELESEC, 120},
	[S_TENCENT] = {"newmx%2.qq.com", "220 %h MX QQ Mail Server",
		       "250-%h\r\n250-SIZE 73400320\r\n250-STARTTLS\r\n250 OK", "220 Ready to start TLS", "*.qq.com",
		       "*.qq.com qq.com", I_DIGISHA2, 480},
	[S_RACKSPACE] = {"smtp%2.relay.iad3%{a|b}.emailsrvr.com",
			 "220 %h ESMTP - VA Code Section 18.2-152.3:1 forbids use of this system for unsolicited "
			 "bulk electronic mail (Spam)",
			 "250-%h\r\n250-PIPELINING\r\n250-SIZE 75000000\r\n250-ETRN\r\n250-STARTTLS\r\n"
			 "250-ENHANCEDSTATUSCODES\r\n250 8BITMIME",
			 "220 2.0.0 Ready to start TLS", "*.emailsrvr.com", "*.emailsrvr.com emailsrvr.com", I_GEOTRUST,
			 -240},
	[S_GENERIC] = {"%H", "220 %h ESMTP %{Postfix|ready|MAIL Service ready|Service ready}",
		       "250-%h\r\n250-PIPELINING\r\n250-SIZE %8\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n"
		       "250 8BITMIME",
		       "220 2.0.0 Ready to start TLS", "*.%R", "*.%R %R", I_DIGITLS, 0},
	[S_GENERIC_NOTLS] = {"%H", "220 %h ESMTP %{Postfix|ready}",
			     "250-%h\r\n250-PIPELINING\r\n250-SIZE %8\r\n250 8BITMIME", NULL, NULL, NULL, I_DIGITLS, 0},
	[S_BOX] = {NULL, NULL, NULL, NULL, NULL, NULL, I_CPANEL, -300},
	[S_MIMECAST_ZA] = {"%H", "220 %h ESMTP %x%x",
			   "250-%h Hello [%s]\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-SIZE 157286400\r\n"
			   "250-STARTTLS\r\n250 ENHANCEDSTATUSCODES",
			   "220 2.0.0 Ready to start TLS", "*.mimecast.co.za", "*.mimecast.co.za mimecast.co.za",
			   I_GLOBALSIGN, 120},
};

Scan g_scan;
static int g_apperr_done; /* a ZGrab2 554 greeting was written */

static void scan_reset(Scan *sc, uint32_t ip, const char *mxhost)
{
	sc->ip = ip;
	sc->mxhost = mxhost;
	sc->state = SS_OPEN;
	sc->force = FMT_AUTO;
	sc->plain = 0;
	sc->banner[0] = sc->ehlo[0] = sc->helo[0] = sc->stls[0] = sc->cn[0] = 0;
	sc->blen = sc->elen = 0;
	sc->use_helo = 0;
	sc->tls = 0;
	sc->nsan = 0;
	sc->trusted = 0;
	sc->err = NULL;
	sc->selfsigned = 0;
	sc->vkind = V_365;
	uint64_t h = HS(ip, 0x7157, 0);
	sc->t = (g_days - 1 - (int64_t)(h % 2)) * 86400 + (int64_t)((h >> 8) % 86400);
	static const int offs[6] = {0, 0, 120, -240, -420, 60};
	sc->off = offs[(h >> 40) % 6];
}

static void san_add(Scan *sc, const char *name)
{
	if (sc->nsan < 8 && name && *name)
		snprintf(sc->san[sc->nsan++], sizeof sc->san[0], "%s", name);
}

/* Split a space-separated list of names into the SANs. */
static void san_split(Scan *sc, const char *list)
{
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s", list);
	for (char *t = strtok(tmp, " "); t; t = strtok(NULL, " "))
		san_add(sc, t);
}

/* Validity and the key the fingerprints derive from. */
static void cert_finish(Scan *sc)
{
	if (!sc->tls)
		return;
	uint64_t k = str_hash(sc->cn) ^ (uint64_t)sc->selfsigned;
	for (int i = 0; i < sc->nsan; i++)
		k = H2(k, str_hash(sc->san[i]));
	k = H2(k, str_hash(sc->iss.CN));
	sc->certkey = k;
	switch (sc->vkind) {
	case V_90: sc->nb = g_days - 5 - (int64_t)(k % 70); sc->na = sc->nb + 90; break;
	case V_365: sc->nb = g_days - 20 - (int64_t)(k % 300); sc->na = sc->nb + 397; break;
	case V_EXPIRED: sc->nb = g_days - 130 - (int64_t)(k % 400); sc->na = sc->nb + 90; break;
	default: sc->nb = g_days - 400 - (int64_t)(k % 2000); sc->na = sc->nb + 3650; break;
	}
}

/* ZGrab2 says HELO, not EHLO, to a 2xx greeting without ESMTP. */
static void text_nl(Scan *sc)
{
	sc->use_helo = strstr(sc->banner, "ESMTP") == NULL && sc->banner[0] == '2';
}

/* A web host's shared box (Exim on cPanel), in one of four styles. */
static void build_box(Scan *sc, const Server *s, Rng *r)
{
	const Fam *f = &FAM[s->fam];
	char h[MAXNAME];
	snprintf(h, sizeof h, f->fmt, f->kbase + s->k);
	int bs = s->k % 4;
	TCtx c = {.h = h, .R = f->R, .ip = s->ip, .starttls = bs != BOX_LOCAL_NOCERT, .t = sc->t, .off = f->off};
	const char *b, *e;
	switch (bs) {
	case BOX_NAMED:
		b = "220 %h ESMTP Exim 4.94.2 #2 %t";
		e = "250-%h Hello scanner [%s]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
		    "250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN\r\n%S250 HELP";
		break;
	case BOX_MULTILINE:
		b = "220-%h ESMTP Exim 4.94 #2 %t \r\n220-We do not authorize the use of this system to transport "
		    "unsolicited, \r\n220 and/or bulk e-mail.";
		e = "250-%h Hello scanner [%s]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n"
		    "250-AUTH PLAIN LOGIN\r\n%S250 HELP";
		break;
	default:
		b = "220 localhost ESMTP Exim 4.94 %t";
		e = "250-localhost.localdomain Hello [%s]\r\n250-SIZE 52428800\r\n250-PIPELINING\r\n"
		    "250-AUTH PLAIN LOGIN\r\n%S250 HELP";
	}
	sc->blen = expand(sc->banner, sizeof sc->banner, b, &c, r);
	sc->elen = expand(sc->ehlo, sizeof sc->ehlo, e, &c, r);
	snprintf(sc->helo, sizeof sc->helo, "250 %s", bs >= BOX_LOCAL_CERT ? "localhost.localdomain" : h);
	if (bs != BOX_LOCAL_NOCERT) {
		snprintf(sc->stls, sizeof sc->stls, "220 TLS go ahead");
		sc->tls = 1;
		snprintf(sc->cn, sizeof sc->cn, "%s", h);
		san_add(sc, h);
		sc->trusted = 1;
		sc->iss = ISS[f->issuer];
		sc->vkind = f->issuer == I_LE ? V_90 : V_365;
	}
	cert_finish(sc);
}

/* A shared server of a provider, from its style template. */
static void build_server_scan(Scan *sc, int si)
{
	const Server *s = &g_srv[si];
	Rng r = rng_for(s->ip, 0x5E7, 0);
	scan_reset(sc, s->ip, s->H);
	if (s->style == S_BOX) {
		sc->mxhost = NULL;
		build_box(sc, s, &r);
		return;
	}
	const Style *st = &STY[s->style];
	TCtx c = {.H = s->H, .R = s->R, .ip = s->ip, .starttls = st->cn != NULL, .t = sc->t, .off = st->off};
	char h[MAXNAME];
	expand(h, sizeof h, st->srv, &c, &r);
	c.h = h;
	sc->blen = expand(sc->banner, sizeof sc->banner, st->banner, &c, &r);
	sc->elen = expand(sc->ehlo, sizeof sc->ehlo, st->ehlo, &c, &r);
	snprintf(sc->helo, sizeof sc->helo, "250 %s", h);
	text_nl(sc);
	if (st->stls)
		snprintf(sc->stls, sizeof sc->stls, "%s", st->stls);
	if (st->cn) {
		char names[1024];
		sc->tls = 1;
		expand(sc->cn, sizeof sc->cn, st->cn, &c, &r);
		expand(names, sizeof names, st->names, &c, &r);
		san_split(sc, names);
		sc->trusted = 1;
		sc->iss = ISS[st->issuer];
		sc->vkind = V_365;
	}
	cert_finish(sc);
}

/* Own servers: greeting, EHLO, STARTTLS reply and scanner offset by software. */
static const char *SW_BANNER[] = {
	"220 %h ESMTP Postfix%{| (Ubuntu)| (Debian/GNU)| (CentOS)}",
	"220 %h ESMTP Exim 4.9%{2|3|4} %t",
	"220 %h Microsoft ESMTP MAIL Service ready at %t",
	"220 %h ESMTP Sendmail 8.15.2/8.15.2; %t",
	"220 %h %{ESMTP MDaemon 21.0.2; %t|Kerio Connect 9.3.1 ESMTP ready|ESMTP IceWarp 12.3.1; %t|ESMTP Zimbra}",
};
static const char *SW_EHLO[] = {
	"250-%h\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n%S250-ENHANCEDSTATUSCODES\r\n"
	"250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8",
	"250-%h Hello scanner [%s]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n%S250 HELP",
	"250-%h Hello [%s]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n%S"
	"250-8BITMIME\r\n250-BINARYMIME\r\n250 CHUNKING",
	"250-%h Hello [%s], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-8BITMIME\r\n"
	"250-SIZE\r\n250-DSN\r\n%S250 HELP",
	"250-%h\r\n%S250-SIZE 20480000\r\n250 AUTH LOGIN PLAIN",
};
static const char *SW_STLS[] = {"220 2.0.0 Ready to start TLS", "220 TLS go ahead", "220 2.0.0 SMTP server ready",
				"220 2.0.0 Ready to start TLS", "220 Ready to start TLS"};
static const int SW_OFF[] = {0, 120, -240, -300, 60};

/* Hostile banners (all on self-run servers). */
static void hostile_text(Scan *sc, int sub, const char *fq, TCtx *c, Rng *r)
{
	char t[1024];
	switch (sub) {
	case 0: /* ANSI escapes, OSC title + BEL in EHLO */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP \x1b[2J\x1b[31mWARNING: this system is compromised\x1b[0m", fq);
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo,
					    "250-%s Hello \x1b]0;owned\x07\r\n250-SIZE 10240000\r\n250 STARTTLS", fq);
		break;
	case 1: /* CR in the middle: a terminal shows the second half only */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner, "220 %s ESMTP\r220 evil.example ESMTP ready",
					    fq);
		break;
	case 2: /* backspaces overwrite the name on screen */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s\b\b\b\b\b\b\b\b\b\b\b\bmx.google.com ESMTP ready", fq);
		break;
	case 3: /* bidi override and zero-width characters */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP \xe2\x80\xae" "moc.elgoog.xm\xe2\x80\xac ready\xe2\x80\x8b\xe2\x80\x8d\xef\xbb\xbf",
					    fq);
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo,
					    "250-%s\xe2\x80\x8b\r\n250-\xe2\x81\xa6SIZE 10240000\xe2\x81\xa9\r\n250 STARTTLS", fq);
		break;
	case 4: { /* a 10 KB banner */
		size_t n = (size_t)snprintf(sc->banner, sizeof sc->banner, "220 %s ESMTP ", fq);
		static const char pat[] = "NOTICE: unauthorised access prohibited; all activity is logged. ";
		while (n < 10240 + 40) {
			size_t k = sizeof pat - 1;
			if (n + k >= sizeof sc->banner)
				break;
			memcpy(sc->banner + n, pat, k);
			n += k;
		}
		sc->banner[n] = 0;
		sc->blen = n;
		break;
	}
	case 5: /* CJK and emoji */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP \xe6\xac\xa2\xe8\xbf\x8e\xe4\xbd\xbf\xe7\x94\xa8\xe9\x82\xae\xe4\xbb\xb6"
					    "\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8 \xf0\x9f\x93\xa7\xf0\x9f\x94\xa5 "
					    "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab\xe3\x82\xb5\xe3\x83\xbc\xe3\x83\x90\xe3\x83\xbc",
					    fq);
		expand(t, sizeof t, "250-%h \xe4\xbd\xa0\xe5\xa5\xbd [%s] \xf0\x9f\x98\x80\r\n%S250 8BITMIME", c, r);
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo, "%s", t);
		break;
	case 6: /* invalid UTF-8: raw 0xff 0xfe and a lone 0xc3 */
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "220 %s ESMTP Postfix \xff\xfe broken \xc3 encoding", fq);
		break;
	default: /* hostile EHLO and certificate names */
		sc->elen = (size_t)snprintf(sc->ehlo, sizeof sc->ehlo,
					    "250-%s\x1b[1;32m OK\x1b[0m\r\n250-\xe2\x80\xaeSTARTTLS\r\n250-SIZE\b\b\b\b1\r\n"
					    "250 8BITMIME",
					    fq);
		break;
	}
}

void build_self_scan(Scan *sc, uint32_t ip, const char *mxhost, const SelfOpt *o, Rng *r)
{
	scan_reset(sc, ip, mxhost);
	sc->state = o->state;
	sc->force = o->force;
	sc->plain = o->plain;
	char fq[MAXNAME];
	snprintf(fq, sizeof fq, "%s", o->fqdn ? o->fqdn : "");
	unsigned a = ip >> 24, b = (ip >> 16) & 255, cc = (ip >> 8) & 255, dd = ip & 255;
	if (o->bk == BK_GDVPS)
		snprintf(fq, sizeof fq, o->bsub ? "ip-%u-%u-%u-%u.ip.secureserver.net" : "s%u-%u-%u-%u.secureserver.net", a,
			 b, cc, dd);
	else if (o->bk == BK_OVHVPS) {
		if (o->bsub)
			snprintf(fq, sizeof fq, "ns%u.ip-%u-%u-%u.eu", 3000000u + rb(r, 999999), a, b, cc);
		else
			snprintf(fq, sizeof fq, "vps%06u.ovh.net", 100000u + rb(r, 899999));
	} else if (o->bk == BK_NOFQDN) {
		static const char *nf[] = {"", "[192.168.1.%u]", "mail", "localhost.localdomain", "mailserver"};
		int k = o->bsub % 5;
		snprintf(fq, sizeof fq, nf[k], 2 + rb(r, 250));
	}
	int starttls = o->cert != C_NONE;
	TCtx c = {.h = fq, .D = o->d, .ip = ip, .starttls = starttls, .t = sc->t, .off = SW_OFF[o->sw]};
	const char *bt = o->noesmtp ? "220 %h %{Service ready|SMTP Server ready|Mail server ready}" : SW_BANNER[o->sw];
	if (o->bk == BK_NOFQDN && !fq[0])
		bt = "220 %{ESMTP ready|ESMTP Service ready|SMTP ready}";
	else if (o->bk == BK_FAKEGOOGLE)
		bt = "220 mx.google.com ESMTP %a%a%1si%7%a%a%a.%3 - gsmtp";
	else if (o->bk == BK_CUST_PP)
		bt = "220 %h ESMTP mfa-m0%6";
	else if (o->bk == BK_CUST_CISCO || o->bk == BK_CISCO_HOSTED)
		bt = "220 %h ESMTP";
	else if (o->bk == BK_SPAMHAUS)
		bt = o->bsub == 0   ? "220 %h ESMTP Postfix; see https://www.spamhaus.org/"
		     : o->bsub == 1 ? "220 ******************************** ESMTP checked by zen.spamhaus.org"
				    : "220 cbl.abuseat.org listed hosts are rejected here - %h ESMTP";
	sc->blen = expand(sc->banner, sizeof sc->banner, bt, &c, r);
	const char *et = SW_EHLO[o->sw];
	if (o->bk == BK_FAKEGOOGLE)
		et = "250-mx.google.com at your service, [%s]\r\n250-SIZE 157286400\r\n%S250 8BITMIME";
	else if (o->bk == BK_CUST_PP)
		et = "250-%h Hello [%s], pleased to meet you\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
		     "250-8BITMIME\r\n250-SIZE 52428800\r\n%S250 HELP";
	else if (o->bk == BK_CUST_CISCO || o->bk == BK_CISCO_HOSTED)
		et = "250-%h\r\n250-8BITMIME\r\n%S250 SIZE 31457280";
	else if (o->bk == BK_NOFQDN && !fq[0])
		et = "250-Hello [%s]\r\n%S250 SIZE 10240000";
	char ehlo_host[MAXNAME];
	snprintf(ehlo_host, sizeof ehlo_host, "%s", fq);
	if (o->bk == BK_EHLODIFF) {
		snprintf(ehlo_host, sizeof ehlo_host, "static.%u.%u.%u.%u.clients.your-server.de", dd, cc, b, a);
		c.h = ehlo_host;
	}
	sc->elen = expand(sc->ehlo, sizeof sc->ehlo, et, &c, r);
	c.h = fq;
	snprintf(sc->helo, sizeof sc->helo, "250 %s Hello [162.142.125.%u]", ehlo_host[0] ? ehlo_host : "localhost",
		 (unsigned)(1 + HS(ip, 77, 1) % 250));
	if (o->bk == BK_HOSTILE)
		hostile_text(sc, o->bsub, fq, &c, r);
	if (o->state == SS_REJECT)
		sc->blen = expand(sc->banner, sizeof sc->banner,
				  "%{554 5.7.1 <unknown[%s]>: Client host rejected: Access denied|554 %h ESMTP not accepting "
				  "messages|554 5.7.1 Service unavailable; Client host [%s] blocked}",
				  &c, r);
	text_nl(sc);

	/* STARTTLS and the certificate */
	const char *cn = o->certname ? o->certname : fq;
	switch (o->cert) {
	case C_NONE:
		break;
	case C_FAIL: {
		static const char *f[] = {"502 5.5.1 Error: command not recognized", "502 5.5.1 Unrecognized command.",
					  "454 4.7.0 TLS not available due to local problem"};
		snprintf(sc->stls, sizeof sc->stls, "%s", f[rb(r, 3)]);
		break;
	}
	default:
		snprintf(sc->stls, sizeof sc->stls, "%s", o->bk == BK_CUST_PP ? "220 2.0.0 Ready to start TLS" : SW_STLS[o->sw]);
		sc->tls = 1;
		sc->trusted = 1;
		if (o->cert == C_LE || o->cert == C_EXPIRED) {
			snprintf(sc->cn, sizeof sc->cn, "%s", cn);
			san_add(sc, cn);
			sc->iss = ISS[I_LE];
			sc->vkind = V_90;
			if (o->cert == C_EXPIRED) {
				sc->vkind = V_EXPIRED;
				sc->trusted = 0;
				sc->err = "x509: certificate has expired or is not yet valid";
			}
		} else if (o->cert == C_COMM) {
			snprintf(sc->cn, sizeof sc->cn, "%s", cn);
			san_add(sc, cn);
			sc->iss = ISS[o->comm_issuer];
		} else if (o->cert == C_VPSNAME) {
			snprintf(sc->cn, sizeof sc->cn, "%s", fq);
			san_add(sc, fq);
			sc->iss = ISS[I_STARFIELD];
		} else { /* C_SELF */
			static const char *scn[] = {NULL, "localhost", "localhost.localdomain", NULL, "Plesk"};
			int k = (int)rb(r, 5);
			const char *s = scn[k] ? scn[k] : cn;
			snprintf(sc->cn, sizeof sc->cn, "%s", s);
			if (k != 4)
				san_add(sc, s);
			sc->iss.C = k == 4 ? "CH" : "AU";
			sc->iss.O = k == 4 ? "Plesk" : "Internet Widgits Pty Ltd";
			sc->iss.CN = sc->cn;
			sc->selfsigned = 1;
			sc->trusted = 0;
			sc->err = "x509: certificate signed by unknown authority";
			sc->vkind = V_SELF10Y;
		}
		for (int i = 0; i < 3; i++)
			san_add(sc, o->extra_san[i]);
		if (o->bk == BK_HOSTILE && o->bsub == 7) {
			san_add(sc, "\x1b[31mevil.example\x1b[0m");
			san_add(sc, "mail\xe2\x80\x8b.google.com");
			san_add(sc, "\xe2\x80\xae" "moc.elgoog");
		}
	}
	cert_finish(sc);
}

/* Write one scanned IP to exactly one of the three scan files. */
void scan_emit(Scan *sc)
{
	if (sc->state == SS_UNSCANNED) {
		g_n.unscanned++;
		return;
	}
	uint64_t h = HS(sc->ip, 0xF11E, 0);
	int f = sc->force;
	if (f == FMT_AUTO) {
		double x = to01(h);
		f = x < 0.85 ? FMT_LEGACY : x < 0.95 ? FMT_ZGRAB : FMT_CENSYS2;
	}
	if (f == FMT_ZGRAB && sc->plain && sc->state == SS_OPEN && !g_apperr_done && g_out[F_ZGRAB].rows >= 3) {
		/* at least one ZGrab2 application-error (a 554 greeting) */
		sc->state = SS_REJECT;
		sc->blen = (size_t)snprintf(sc->banner, sizeof sc->banner,
					    "554 5.7.1 <unknown[162.142.125.%u]>: Client host rejected: Access denied",
					    (unsigned)(1 + HS(sc->ip, 77, 1) % 250));
	}
	if (sc->state == SS_CLOSED)
		g_n.closed++;
	else if (sc->state == SS_REJECT)
		g_n.reject++;
	else if (!sc->tls)
		g_n.notls++;
	else if (!sc->trusted)
		g_n.untrusted++;
	switch (f) {
	case FMT_ZGRAB:
		if (sc->state == SS_REJECT)
			g_apperr_done = 1;
		w_zgrab(sc);
		g_n.scan[1]++;
		break;
	case FMT_CENSYS2:
		w_censys2(sc);
		g_n.scan[2]++;
		break;
	default: {
		int v = 0;
		if (f == FMT_LEGACY) {
			double y = to01(H2(h, 0x25));
			v = y < 0.03 ? 2 : y < 0.05 ? 1 : 0;
		}
		g_n.legacy_flat += v == 2;
		g_n.legacy_25 += v == 1;
		w_legacy(sc, v);
		g_n.scan[0]++;
	}
	}
}

void emit_shared_scans(void)
{
	for (int i = 0; i < g_nsrv; i++) {
		if (!g_srv[i].used)
			continue;
		if (!g_srv[i].scanned) {
			g_n.unscanned++;
			continue;
		}
		build_server_scan(&g_scan, i);
		scan_emit(&g_scan);
	}
}
