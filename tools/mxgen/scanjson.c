/* mxgen scanjson: the JSON the three scan formats share — the parsed
 * certificate (zcrypto's layout), its chain and validation, the
 * autonomous system — and replies with their CRLF. */
#include "mxgen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mxray/util.h"

void dn_of(char *dst, size_t cap, const Issuer *is)
{
	size_t n = 0;
	dst[0] = 0;
	if (is->C && *is->C)
		n += (size_t)snprintf(dst + n, cap - n, "C=%s", is->C);
	if (is->O && *is->O && n < cap)
		n += (size_t)snprintf(dst + n, cap - n, "%sO=%s", n ? ", " : "", is->O);
	if (n < cap)
		snprintf(dst + n, cap - n, "%sCN=%s", n ? ", " : "", is->CN ? is->CN : "");
}

/* zcrypto's names: sorted, unique union of the CN and the SANs. */
int cert_names(const Scan *sc, const char **v)
{
	int n = 0;
	if (sc->cn[0])
		v[n++] = sc->cn;
	for (int i = 0; i < sc->nsan; i++)
		v[n++] = sc->san[i];
	mx_sort(v, (size_t)n, sizeof *v, mx_cmp_str);
	int m = 0;
	for (int i = 0; i < n; i++)
		if (!m || strcmp(v[m - 1], v[i]))
			v[m++] = v[i];
	return m;
}

void w_strarr(Out *o, const char *key, const char **v, int n)
{
	j_aopen(o, key);
	for (int i = 0; i < n; i++)
		j_str(o, NULL, v[i]);
	j_aclose(o);
}

void w_parsed(Out *o, const Scan *sc, int strints)
{
	char buf[512], fp[80];
	j_open(o, "parsed");
	if (strints)
		j_sint(o, "version", 3);
	else
		j_int(o, "version", 3);
	snprintf(buf, sizeof buf, "%" PRIu64 "%" PRIu64, (uint64_t)(mix64(sc->certkey) % 100000000000ULL), (uint64_t)(sc->certkey % 1000000000ULL));
	j_str(o, "serial_number", buf);
	j_open(o, "signature_algorithm");
	j_str(o, "name", "SHA256-RSA");
	j_close(o);
	j_open(o, "issuer");
	if (sc->iss.C && *sc->iss.C)
		j_arr1(o, "country", sc->iss.C);
	if (sc->iss.O && *sc->iss.O)
		j_arr1(o, "organization", sc->iss.O);
	j_arr1(o, "common_name", sc->iss.CN);
	j_close(o);
	dn_of(buf, sizeof buf, &sc->iss);
	j_str(o, "issuer_dn", buf);
	j_open(o, "validity");
	fmt_rfc3339(buf, sc->nb * 86400, 0);
	j_str(o, "start", buf);
	fmt_rfc3339(buf, sc->na * 86400 - 1, 0);
	j_str(o, "end", buf);
	if (strints)
		j_sint(o, "length", (sc->na - sc->nb) * 86400 - 1);
	else
		j_int(o, "length", (sc->na - sc->nb) * 86400 - 1);
	j_close(o);
	j_open(o, "subject");
	if (sc->cn[0])
		j_arr1(o, "common_name", sc->cn);
	j_close(o);
	snprintf(buf, sizeof buf, "CN=%s", sc->cn);
	j_str(o, "subject_dn", buf);
	const char *v[10];
	int n = cert_names(sc, v);
	w_strarr(o, "names", v, n);
	j_open(o, "extensions");
	j_open(o, "subject_alt_name");
	const char *sv[8];
	for (int i = 0; i < sc->nsan; i++)
		sv[i] = sc->san[i];
	w_strarr(o, "dns_names", sv, sc->nsan);
	j_close(o);
	j_close(o);
	hex_of(fp, sc->certkey, 32);
	j_str(o, "fingerprint_sha256", fp);
	j_close(o);
}

/* The issuer's certificate as the one-element chain (none when self-signed;
 * Censys also gives its fingerprint) and the browser validation verdict. */
void w_chain_validation(Out *o, const Scan *sc, int with_fp)
{
	if (!sc->selfsigned) {
		char dn[512], fp[80];
		j_aopen(o, "chain");
		j_open(o, NULL);
		j_open(o, "parsed");
		j_open(o, "subject");
		j_arr1(o, "common_name", sc->iss.CN);
		j_close(o);
		dn_of(dn, sizeof dn, &sc->iss);
		j_str(o, "subject_dn", dn);
		if (with_fp) {
			hex_of(fp, str_hash(sc->iss.CN), 32);
			j_str(o, "fingerprint_sha256", fp);
		}
		j_close(o);
		j_close(o);
		j_aclose(o);
	}
	j_open(o, "validation");
	j_bool(o, "browser_trusted", sc->trusted);
	if (sc->err)
		j_str(o, "browser_error", sc->err);
	j_close(o);
}

void w_as(Out *o, const Pfx *p, int asn_as_string)
{
	const AsDef *a = as_def(p->asn);
	const OrgDef *g = a ? org_def(a->org_id) : NULL;
	j_open(o, "autonomous_system");
	if (asn_as_string)
		j_sint(o, "asn", p->asn);
	else
		j_int(o, "asn", p->asn);
	j_str(o, asn_as_string ? "routed_prefix" : "bgp_prefix", p->cidr);
	if (a)
		j_str(o, "name", a->aut_name);
	if (!asn_as_string && g)
		j_str(o, "description", g->name);
	if (g && g->country[0])
		j_str(o, "country_code", g->country);
	j_close(o);
}

const char *with_crlf(const char *s, size_t n, size_t *len)
{
	static char crlf[BANNER_MAX + 8];
	if (n > BANNER_MAX)
		n = BANNER_MAX;
	memcpy(crlf, s, n);
	crlf[n] = '\r';
	crlf[n + 1] = '\n';
	crlf[n + 2] = 0;
	*len = n + 2;
	return crlf;
}
