/* mxgen censys2: scans-censys2.jsonl, Censys Search 2.0 host records
 * (services[], port 25 as SMTP; once a UDP port-25 entry that is not). */
#include "mxgen.h"

#include <stdio.h>
#include <string.h>

#include "mxray/util.h"

static int g_udp_done;

void w_censys2(const Scan *sc)
{
	Out *o = &g_out[F_CENSYS2];
	char ip[16], ts[40], up[40];
	uint64_t h = HS(sc->ip, 0xC2C2, 0);
	mx_ipv4_format(sc->ip, ip);
	fmt_rfc3339(ts, sc->t, 0);
	fmt_rfc3339(up, sc->t + 1800 + (int64_t)(h % 3600), 0);
	const Pfx *p = pfx_lookup(sc->ip);
	j_rec(o);
	j_open(o, NULL);
	j_str(o, "ip", ip);
	w_as(o, p, 0);
	j_str(o, "last_updated_at", up);
	j_aopen(o, "services");
	if (sc->state != SS_CLOSED && !g_udp_done) {
		g_udp_done = 1; /* once: a UDP port-25 entry that is not SMTP */
		j_open(o, NULL);
		j_int(o, "port", 25);
		j_str(o, "service_name", "UNKNOWN");
		j_str(o, "extended_service_name", "UNKNOWN");
		j_str(o, "transport_protocol", "UDP");
		j_str(o, "banner", "\x01\x02\x7f");
		j_str(o, "observed_at", ts);
		j_close(o);
	}
	if (sc->state != SS_CLOSED) {
		size_t n;
		j_open(o, NULL);
		j_int(o, "port", 25);
		j_str(o, "service_name", "SMTP");
		j_str(o, "extended_service_name", "SMTP");
		j_str(o, "transport_protocol", "TCP");
		const char *c = with_crlf(sc->banner, sc->blen, &n);
		j_strn(o, "banner", c, n);
		if (sc->state == SS_OPEN) {
			j_open(o, "smtp");
			if (sc->elen) {
				c = with_crlf(sc->ehlo, sc->elen, &n);
				j_strn(o, "ehlo", c, n);
			}
			if (sc->stls[0]) {
				c = with_crlf(sc->stls, strlen(sc->stls), &n);
				j_strn(o, "start_tls", c, n);
			}
			j_close(o);
		}
		if (sc->state == SS_OPEN && sc->tls) {
			char fp[80], cfp[80], dn[512], sdn[400];
			const char *v[10];
			int nn = cert_names(sc, v);
			hex_of(fp, sc->certkey, 32);
			hex_of(cfp, str_hash(sc->iss.CN), 32);
			dn_of(dn, sizeof dn, &sc->iss);
			snprintf(sdn, sizeof sdn, "CN=%s", sc->cn);
			j_str(o, "certificate", fp);
			j_open(o, "tls");
			j_str(o, "version_selected", "TLSv1_2");
			j_open(o, "certificates");
			j_str(o, "leaf_fp_sha_256", fp);
			j_aopen(o, "chain_fps_sha_256");
			if (!sc->selfsigned)
				j_str(o, NULL, cfp);
			j_aclose(o);
			j_aopen(o, "chain");
			if (!sc->selfsigned) {
				j_open(o, NULL);
				j_str(o, "fingerprint", cfp);
				j_str(o, "subject_dn", dn);
				j_str(o, "issuer_dn", dn);
				j_close(o);
			}
			j_aclose(o);
			j_open(o, "leaf_data");
			w_strarr(o, "names", v, nn);
			j_str(o, "subject_dn", sdn);
			j_str(o, "issuer_dn", dn);
			j_open(o, "subject");
			if (sc->cn[0])
				j_arr1(o, "common_name", sc->cn);
			j_close(o);
			j_str(o, "fingerprint", fp);
			j_open(o, "signature");
			j_bool(o, "self_signed", sc->selfsigned);
			j_close(o);
			j_close(o);
			j_close(o);
			j_close(o);
		}
		j_str(o, "observed_at", ts);
		j_close(o);
	}
	if (sc->state == SS_CLOSED || (h >> 16) % 5 == 0) {
		j_open(o, NULL);
		j_int(o, "port", 80);
		j_str(o, "service_name", "HTTP");
		j_str(o, "extended_service_name", "HTTP");
		j_str(o, "transport_protocol", "TCP");
		j_open(o, "http");
		j_open(o, "response");
		j_int(o, "status_code", 200);
		j_close(o);
		j_close(o);
		j_str(o, "observed_at", ts);
		j_close(o);
	}
	j_aclose(o);
	j_end(o);
}

