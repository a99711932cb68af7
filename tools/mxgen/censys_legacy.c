/* mxgen censys_legacy: scans-censys.jsonl, Censys legacy IPv4 host
 * records (nested p25, the old "25" spelling, flattened dotted keys). */
#include "mxgen.h"

#include <stdio.h>

#include "mxray/util.h"

/* Censys legacy: variant 0 nested p25, 1 nested "25", 2 flattened v1 API keys. */
void w_legacy(const Scan *sc, int variant)
{
	Out *o = &g_out[F_CENSYS];
	char ip[16], ts[40], up[40], key[160];
	uint64_t h = HS(sc->ip, 0x1E6, 0);
	mx_ipv4_format(sc->ip, ip);
	fmt_rfc3339(ts, sc->t, 0);
	fmt_rfc3339(up, sc->t + 3600 + (int64_t)(h % 7200), 0);
	const Pfx *p = pfx_lookup(sc->ip);
	int web = (h >> 20) % 4 == 0;
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "ip", ip);
	j_str(o, "updated_at", up);
	if (variant == 2) {
		const AsDef *a = as_def(p->asn);
		j_sint(o, "autonomous_system.asn", p->asn);
		j_str(o, "autonomous_system.routed_prefix", p->cidr);
		if (a)
			j_str(o, "autonomous_system.name", a->aut_name);
	} else
		w_as(o, p, 1);
	j_aopen(o, "protocols");
	if (sc->state != SS_CLOSED)
		j_str(o, NULL, "25/smtp");
	if (web || sc->state == SS_CLOSED) {
		j_str(o, NULL, "80/http");
		j_str(o, NULL, "443/https");
	}
	j_aclose(o);
	if (web || sc->state == SS_CLOSED) {
		if (variant == 2)
			j_sint(o, "p80.http.get.status_code", 200);
		else {
			j_open(o, "p80");
			j_open(o, "http");
			j_open(o, "get");
			j_sint(o, "status_code", (h >> 30) % 3 ? 200 : 301);
			j_close(o);
			j_close(o);
			j_close(o);
		}
	}
	if (sc->state == SS_CLOSED) {
		j_end(o);
		return;
	}
	if (variant == 2) {
		const char *S = "p25.smtp.starttls.";
#define FK(k) (snprintf(key, sizeof key, "%s%s", S, k), key)
		j_strn(o, FK("banner"), sc->banner, sc->blen);
		if (sc->state == SS_OPEN && sc->elen)
			j_strn(o, FK("ehlo"), sc->ehlo, sc->elen);
		if (sc->state == SS_OPEN && sc->stls[0])
			j_str(o, FK("starttls"), sc->stls);
		j_str(o, FK("timestamp"), ts);
		if (sc->state == SS_OPEN && sc->tls) {
			const char *v[10];
			int n = cert_names(sc, v);
			char fp[80], dn[512];
			j_str(o, FK("tls.version"), "TLSv1.2");
			if (sc->cn[0])
				j_arr1(o, FK("tls.certificate.parsed.subject.common_name"), sc->cn);
			dn_of(dn, sizeof dn, &sc->iss);
			j_str(o, FK("tls.certificate.parsed.issuer_dn"), dn);
			w_strarr(o, FK("tls.certificate.parsed.names"), v, n);
			const char *sv[8];
			for (int i = 0; i < sc->nsan; i++)
				sv[i] = sc->san[i];
			w_strarr(o, FK("tls.certificate.parsed.extensions.subject_alt_name.dns_names"), sv, sc->nsan);
			hex_of(fp, sc->certkey, 32);
			j_str(o, FK("tls.certificate.parsed.fingerprint_sha256"), fp);
			j_bool(o, FK("tls.validation.browser_trusted"), sc->trusted);
			if (sc->err)
				j_str(o, FK("tls.validation.browser_error"), sc->err);
		}
#undef FK
		j_end(o);
		return;
	}
	j_open(o, variant == 1 ? "25" : "p25");
	j_open(o, "smtp");
	j_open(o, "starttls");
	j_strn(o, "banner", sc->banner, sc->blen);
	if (sc->state == SS_OPEN && sc->elen)
		j_strn(o, "ehlo", sc->ehlo, sc->elen);
	if (sc->state == SS_OPEN && sc->stls[0])
		j_str(o, "starttls", sc->stls);
	j_str(o, "timestamp", ts);
	if (sc->state == SS_OPEN && sc->tls) {
		j_open(o, "tls");
		j_str(o, "version", "TLSv1.2");
		j_open(o, "cipher_suite");
		j_str(o, "id", "0xC02F");
		j_str(o, "name", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
		j_close(o);
		j_open(o, "certificate");
		w_parsed(o, sc, 1);
		j_close(o);
		w_chain_validation(o, sc, 1);
		j_close(o);
	}
	j_close(o);
	j_close(o);
	j_close(o);
	j_end(o);
}
