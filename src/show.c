/* show: explain one domain. */
#include "mxray/show.h"
#include "mxray/evidence.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

/* Print untrusted text, escaped, capped at `max` bytes of input. */
static void put_safe(FILE *out, const void *p, size_t n, size_t max)
{
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	sanitize(&sb, p, n > max ? max : n, NULL, 0);
	fputs(sb.data, out);
	if (n > max)
		fprintf(out, " [+%zu bytes]", n - max);
	sb_free(&sb);
}

static void put_str(FILE *out, const char *s)
{
	if (s)
		put_safe(out, s, strlen(s), 4096);
	else
		fputs("-", out);
}

static void show_ip(FILE *out, const ev_ip *e)
{
	fprintf(out, "    %s", e->text);
	if (e->has_asn) {
		fprintf(out, "  AS%u", e->asn);
		if (e->asn_set)
			fprintf(out, " (set %s)", e->asn_set);
		if (e->as_name || e->org_name) {
			fputs(" ", out);
			put_str(out, e->as_name);
			if (e->org_name) {
				fputs(", ", out);
				put_str(out, e->org_name);
			}
		}
		fprintf(out, " [from %s]", e->asn_source);
	} else {
		fputs("  no ASN", out);
	}
	if (e->inferred)
		fprintf(out, "  numIP %u", e->num_ip);
	fputc('\n', out);
	if (!e->scanned) {
		fputs("      no scan record\n", out);
		return;
	}
	if (!e->port25) {
		fprintf(out, "      port 25 did not answer (%s)\n", e->format);
		return;
	}
	static const char *const what[] = {"banner", "EHLO  "};
	const char *text[2] = {e->banner, e->ehlo}, *fqdn[2] = {e->banner_fqdn, e->ehlo_fqdn};
	size_t len[2] = {e->banner_len, e->ehlo_len};
	for (int k = 0; k < 2; k++) {
		fprintf(out, "      %s ", what[k]);
		if (!text[k]) {
			fputs("-\n", out);
			continue;
		}
		put_safe(out, text[k], len[k], 300);
		fprintf(out, "\n             -> %s\n", fqdn[k] ? fqdn[k] : "no usable name");
	}
	if (!e->cert_names) {
		fputs("      certificate: none\n", out);
		return;
	}
	fprintf(out, "      certificate: %s, CN ", e->trusted == 1 ? "browser-trusted" : e->trusted == 0 ? "NOT trusted" :
		"trust unknown");
	put_str(out, e->cert_cn);
	fputs(", names ", out);
	for (size_t i = 0; i < e->ncert_names; i++) {
		if (i == 12) {
			fprintf(out, " (+%zu more)", e->ncert_names - 12);
			break;
		}
		fputs(i ? " " : "", out);
		put_str(out, e->cert_names[i]);
	}
	fputc('\n', out);
	if (e->cert_group)
		fprintf(out, "             group %s, numCert %u\n", e->cert_group, e->num_cert);
	else if (e->trusted == 1)
		fputs("             no name with a registered domain\n", out);
}

static const char *dash(const char *s)
{
	return s ? s : "-";
}

static int show_host(store *st, FILE *out, const char *snapshot, const ev_host *h, char **err)
{
	fprintf(out, "\nPrimary MX ");
	put_str(out, h->host);
	if (h->inferred)
		fprintf(out, "  (primary for %u domain%s%s)\n", h->domains, h->domains == 1 ? "" : "s",
			h->live ? "" : "; no SMTP data: answered from the MX name only");
	else
		fputc('\n', out);
	if (h->via) {
		fputs("  via CNAME ", out);
		put_str(out, h->via);
		fputc('\n', out);
	}
	if (h->nips == 0)
		fputs("  no address (no A record)\n", out);
	for (size_t k = 0; k < h->nips; k++) {
		ev_ip e;
		int rc = evidence_ip(st, snapshot, h->ips[k], &e, err);
		if (rc == 0)
			show_ip(out, &e);
		evidence_ip_free(&e);
		if (rc < 0)
			return -1;
	}
	if (!h->inferred)
		return 0;
	fprintf(out, "  evidence: certificate %s, banner/EHLO %s, MX name %s\n", dash(h->cert_id), dash(h->banner_id),
		dash(h->mx_id));
	if (h->cert_note)
		fprintf(out, "            %s\n", h->cert_note);
	if (h->banner_note)
		fprintf(out, "            %s\n", h->banner_note);
	fprintf(out, "  approaches: mx %s | cert %s | banner %s | priority %s\n", dash(h->approach_id[0]),
		dash(h->approach_id[1]), dash(h->approach_id[2]), dash(h->approach_id[3]));
	fprintf(out, "  confidence %u = max over its addresses of max(numIP, numCert)\n", h->confidence);
	if (h->heuristic) {
		fprintf(out, "  heuristic %s: ", h->heuristic);
		put_str(out, h->reason);
		fputc('\n', out);
	} else if (h->reason) {
		fputs("  ", out);
		put_str(out, h->reason);
		fputc('\n', out);
	}
	fprintf(out, "  answer: %s%s%s%s from the %s, status %s\n", h->provider_id ? h->provider_id : "none",
		h->company ? " (" : "", h->company ? h->company : "", h->company ? ")" : "", dash(h->source), h->status);
	return 0;
}

static int show_all(store *st, FILE *out, const char *snapshot, const ev_domain *e, char **err)
{
	if (e->state == EV_NOT_IN_SNAPSHOT)
		return 1;
	fprintf(out, "%s  (snapshot %s)\n\n", e->domain, snapshot);
	if (e->state == EV_LOOKUP_FAILED) {
		/* status 0 (NOERROR) is kept for an MX query without an MX record */
		if (e->rcode == 0)
			fputs("The MX query returned no MX record (NODATA); there is nothing to infer.\n", out);
		else
			fprintf(out, "The MX lookup failed (status %d); there is nothing to infer.\n", e->rcode);
		return 0;
	}
	fputs("MX records:\n", out);
	for (size_t i = 0; i < e->nmx; i++) {
		fprintf(out, "  %5u  ", e->mx[i].pref);
		put_str(out, e->mx[i].host);
		fprintf(out, "%s\n", e->mx[i].primary ? "   primary" : "");
	}
	if (e->nprimary == 0)
		fputs("\nNo primary MX (run 'mxray infer' first, or no MX host has a registered domain).\n", out);
	for (size_t i = 0; i < e->nprimary; i++)
		if (show_host(st, out, snapshot, &e->primary[i], err) < 0)
			return -1;
	for (size_t i = 0; i < e->ndecisions; i++) {
		const ev_decision *c = &e->decisions[i];
		if (i == 0)
			fputs("\nAnalyst decisions:\n", out);
		fprintf(out, "  #%lld %s %s %s: %s%s%s by ", (long long)c->id, c->at, c->scope, c->key, c->verdict,
			c->provider_id ? " " : "", c->provider_id ? c->provider_id : "");
		put_str(out, c->analyst);
		if (c->note) {
			fputs(" - ", out);
			put_str(out, c->note);
		}
		fprintf(out, "%s\n", c->undone ? " (undone)" : "");
	}
	for (size_t i = 0; i < e->nfinal; i++) {
		const ev_answer *a = &e->final[i];
		char w[32];
		mx_fmt_double(a->weight, w);
		if (i == 0)
			fputs("\nFinal answer:\n", out);
		fprintf(out, "  %s%s%s%s  weight %s  (%s, confidence %u, %s)\n", a->provider_id, a->company ? " (" : "",
			a->company ? a->company : "", a->company ? ")" : "", w, a->source, a->confidence, a->status);
	}
	if (e->nfinal == 0)
		fputs("\nFinal answer: none\n", out);
	return 0;
}

int show_domain(store *st, FILE *out, const char *snapshot, const char *domain, char **err)
{
	char dom[MX_NAME_MAX + 2];
	if (mx_name_norm(domain, strlen(domain), dom)) {
		*err = xstrdup("that is not a domain name");
		return -1;
	}
	/* written once complete: a database error halfway leaves no partial
	 * explanation behind */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		*err = xstrdup("out of memory");
		return -1;
	}
	/* the domain's rows, each host's and address's evidence, the
	 * decisions and the answer, of one state of the database */
	ev_domain e;
	bool own;
	int rc = store_read_enter(st, &own, err);
	if (rc == 0) {
		rc = evidence_domain(st, snapshot, dom, &e, err);
		if (rc == 0)
			rc = show_all(st, mem, snapshot, &e, err);
		evidence_domain_free(&e);
		store_read_leave(st, own);
	}
	if (fclose(mem) != 0 && rc >= 0) {
		*err = xstrdup("out of memory");
		rc = -1;
	}
	if (rc == 0)
		fwrite(buf, 1, len, out);
	free(buf);
	return rc;
}
