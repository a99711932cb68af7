/* mxgen zgrab2: scans-zgrab2.jsonl, ZGrab2 smtp module output. */
#include "mxgen.h"

#include <stdio.h>
#include <string.h>

#include "mxray/util.h"

static void base64_fake_der(char *dst, uint64_t k)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char der[120];
	der[0] = 0x30;
	der[1] = 0x82;
	der[2] = 0x05;
	der[3] = 0x1c;
	for (int i = 4; i < 120; i++) {
		if (i % 8 == 4)
			k = mix64(k + 0x51);
		der[i] = (unsigned char)(k >> ((i % 8) * 8));
	}
	int n = 0;
	for (int i = 0; i < 120; i += 3) {
		unsigned v = ((unsigned)der[i] << 16) | ((unsigned)der[i + 1] << 8) | der[i + 2];
		dst[n++] = b64[(v >> 18) & 63];
		dst[n++] = b64[(v >> 12) & 63];
		dst[n++] = b64[(v >> 6) & 63];
		dst[n++] = b64[v & 63];
	}
	dst[n] = 0;
}

void w_zgrab(const Scan *sc)
{
	Out *o = &g_out[F_ZGRAB];
	char ip[16], ts[40];
	uint64_t h = HS(sc->ip, 0x26AB, 0);
	mx_ipv4_format(sc->ip, ip);
	fmt_rfc3339(ts, sc->t, (h & 1) ? sc->off : 0); /* local time, sometimes with an offset */
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "ip", ip);
	if (sc->mxhost)
		j_str(o, "domain", sc->mxhost);
	j_open(o, "data");
	j_open(o, "smtp");
	static uint64_t nclosed;
	const char *status = sc->state == SS_OPEN ? "success" : sc->state == SS_REJECT ? "application-error"
							    : nclosed++ % 2 ? "connection-timeout" : "connection-refused";
	j_str(o, "status", status);
	j_str(o, "protocol", "smtp");
	j_int(o, "port", 25);
	j_str(o, "timestamp", ts);
	if (sc->state == SS_CLOSED) {
		char e[96];
		snprintf(e, sizeof e, "dial tcp %s:25: %s", ip,
			 status[11] == 't' ? "i/o timeout" : "connect: connection refused");
		j_str(o, "error", e);
	} else {
		j_open(o, "result");
		size_t n;
		const char *c = with_crlf(sc->banner, sc->blen, &n);
		j_strn(o, "banner", c, n);
		if (sc->state == SS_OPEN) {
			if (sc->use_helo) {
				c = with_crlf(sc->helo, strlen(sc->helo), &n);
				j_strn(o, "helo", c, n);
				g_n.helo++;
			} else if (sc->elen) {
				c = with_crlf(sc->ehlo, sc->elen, &n);
				j_strn(o, "ehlo", c, n);
			}
			/* after HELO (no ESMTP in the banner) ZGrab2 does not try STARTTLS */
			if (sc->stls[0] && !sc->use_helo) {
				c = with_crlf(sc->stls, strlen(sc->stls), &n);
				j_strn(o, "starttls", c, n);
			}
			if (sc->tls && !sc->use_helo) {
				char raw[200];
				j_open(o, "tls");
				j_open(o, "handshake_log");
				j_open(o, "server_hello");
				j_open(o, "version");
				j_str(o, "name", "TLSv1.2");
				j_int(o, "value", 771);
				j_close(o);
				j_open(o, "cipher_suite");
				j_str(o, "hex", "0xC02F");
				j_str(o, "name", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
				j_int(o, "value", 49199);
				j_close(o);
				j_close(o);
				j_open(o, "server_certificates");
				j_open(o, "certificate");
				base64_fake_der(raw, sc->certkey);
				j_str(o, "raw", raw);
				w_parsed(o, sc, 0);
				j_close(o);
				w_chain_validation(o, sc, 0);
				j_close(o);
				j_close(o);
				j_close(o);
			}
			j_str(o, "quit", "221 2.0.0 Bye\r\n");
		}
		j_close(o);
		if (sc->state == SS_REJECT)
			j_str(o, "error", "SMTP error code 554");
	}
	j_close(o);
	j_close(o);
	j_end(o);
}
