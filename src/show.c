/* show: explain one domain. */
#include "mxray/show.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

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

#define Q(sql) do { s = store_prepare(st, sql, err); if (!s) return -1; \
	store_bind_text(s, 1, snapshot); } while (0)

static int show_ip(store *st, FILE *out, const char *snapshot, const char *ip, char **err)
{
	sqlite3_stmt *s;
	Q("SELECT s.port25, s.banner, s.ehlo, s.cert_cn, s.cert_names, s.trusted, s.format, a.asn, a.asn_set, "
	  "a.source, o.aut_name, g.org_name, i.num_ip, i.cert_group, i.num_cert, i.banner_fqdn, i.ehlo_fqdn "
	  "FROM (SELECT ?2 AS ip, ?3 AS n, (SELECT id FROM snapshot WHERE date = ?1) AS snap) x "
	  "LEFT JOIN f_scan s ON s.snap = x.snap AND s.ip = x.n "
	  "LEFT JOIN f_asn a ON a.snap = x.snap AND a.ip = x.n LEFT JOIN as_org o ON o.asn = a.asn "
	  "LEFT JOIN org g ON g.org_id = o.org_id LEFT JOIN infer_ip i ON i.snapshot = ?1 AND i.ip = x.ip");
	uint32_t n = 0;
	mx_ipv4_parse(ip, &n);
	store_bind_text(s, 2, ip);
	sqlite3_bind_int64(s, 3, n);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return 0;
	}
	fprintf(out, "    %s", ip);
	if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
		fprintf(out, "  AS%s", col(s, 7));
		if (col(s, 8))
			fprintf(out, " (set %s)", col(s, 8));
		if (col(s, 10) || col(s, 11)) {
			fputs(" ", out);
			put_str(out, col(s, 10));
			if (col(s, 11)) {
				fputs(", ", out);
				put_str(out, col(s, 11));
			}
		}
		fprintf(out, " [from %s]", col(s, 9));
	} else {
		fputs("  no ASN", out);
	}
	if (sqlite3_column_type(s, 12) != SQLITE_NULL)
		fprintf(out, "  numIP %s", col(s, 12));
	fputc('\n', out);
	if (sqlite3_column_type(s, 0) == SQLITE_NULL) {
		fputs("      no scan record\n", out);
	} else if (!sqlite3_column_int(s, 0)) {
		fprintf(out, "      port 25 did not answer (%s)\n", col(s, 6));
	} else {
		static const char *const what[] = {"banner", "EHLO  "};
		for (int k = 0; k < 2; k++) {
			fprintf(out, "      %s ", what[k]);
			if (sqlite3_column_type(s, 1 + k) == SQLITE_NULL) {
				fputs("-\n", out);
				continue;
			}
			put_safe(out, sqlite3_column_blob(s, 1 + k), (size_t)sqlite3_column_bytes(s, 1 + k), 300);
			const char *f = col(s, 15 + k);
			fprintf(out, "\n             -> %s\n", f ? f : "no usable name");
		}
		if (sqlite3_column_type(s, 4) == SQLITE_NULL) {
			fputs("      certificate: none\n", out);
		} else {
			int t = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 5);
			fprintf(out, "      certificate: %s, CN ", t == 1 ? "browser-trusted" : t == 0 ? "NOT trusted" :
				"trust unknown");
			put_str(out, col(s, 3));
			fputs(", names ", out);
			json_t *a = json_loads(col(s, 4), 0, NULL);
			size_t i;
			json_t *v;
			json_array_foreach(a, i, v) {
				if (i == 12) {
					fprintf(out, " (+%zu more)", json_array_size(a) - 12);
					break;
				}
				fputs(i ? " " : "", out);
				put_str(out, json_string_value(v));
			}
			json_decref(a);
			fputc('\n', out);
			if (col(s, 13))
				fprintf(out, "             group %s, numCert %s\n", col(s, 13), col(s, 14));
			else if (t == 1)
				fputs("             no name with a registered domain\n", out);
		}
	}
	sqlite3_reset(s);
	return 0;
}

int show_domain(store *st, FILE *out, const char *snapshot, const char *domain, char **err)
{
	sqlite3_stmt *s;
	char dom[MX_NAME_MAX + 2];
	if (mx_name_norm(domain, strlen(domain), dom)) {
		*err = xstrdup("that is not a domain name");
		return -1;
	}
	/* MX records */
	Q("SELECT m.host, m.pref, p.host IS NOT NULL FROM mx m LEFT JOIN primary_mx p ON p.snapshot = m.snapshot "
	  "AND p.domain = m.domain AND p.host = m.host WHERE m.snapshot = ?1 AND m.domain = ?2 ORDER BY m.pref, m.host");
	store_bind_text(s, 2, dom);
	int n = 0, rc;
	char **primary = NULL;
	int np = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0) {
			fprintf(out, "%s  (snapshot %s)\n\nMX records:\n", dom, snapshot);
		}
		fprintf(out, "  %5s  ", col(s, 1));
		put_str(out, col(s, 0));
		fprintf(out, "%s\n", sqlite3_column_int(s, 2) ? "   primary" : "");
		if (sqlite3_column_int(s, 2)) {
			primary = xrealloc(primary, (size_t)(np + 1) * sizeof *primary);
			primary[np++] = xstrdup(col(s, 0));
		}
	}
	sqlite3_reset(s);
	if (n == 0) {
		Q("SELECT rcode FROM lookup_fail WHERE snapshot = ?1 AND name = ?2 AND qtype = 'MX'");
		store_bind_text(s, 2, dom);
		if (sqlite3_step(s) == SQLITE_ROW)
			fprintf(out, "%s  (snapshot %s)\n\nThe MX lookup failed (status %s); there is nothing to infer.\n",
				dom, snapshot, col(s, 0));
		else
			n = -1;
		sqlite3_reset(s);
		return n < 0 ? 1 : 0;
	}
	if (np == 0)
		fputs("\nNo primary MX (run 'mxray infer' first, or no MX host has a registered domain).\n", out);
	for (int i = 0; i < np; i++) {
		fprintf(out, "\nPrimary MX ");
		put_str(out, primary[i]);
		Q("SELECT live, domains, mx_id, cert_id, cert_note, banner_id, banner_note, confidence, provider_id, "
		  "source, company, status, heuristic, reason FROM infer_host WHERE snapshot = ?1 AND host = ?2");
		store_bind_text(s, 2, primary[i]);
		bool have = sqlite3_step(s) == SQLITE_ROW;
		if (have)
			fprintf(out, "  (primary for %s domain%s%s)\n", col(s, 1), sqlite3_column_int(s, 1) == 1 ? "" : "s",
				sqlite3_column_int(s, 0) ? "" : "; no SMTP data: answered from the MX name only");
		else
			fputc('\n', out);
		sqlite3_stmt *ips = store_prepare(st, "SELECT ip, via FROM mx_ip WHERE snapshot = ?1 AND host = ?2 ORDER BY ip",
						  err);
		if (!ips)
			return -1;
		store_bind_text(ips, 1, snapshot);
		store_bind_text(ips, 2, primary[i]);
		char **addr = NULL;
		int na = 0;
		while (sqlite3_step(ips) == SQLITE_ROW) {
			if (na == 0 && col(ips, 1)) {
				fputs("  via CNAME ", out);
				put_str(out, col(ips, 1));
				fputc('\n', out);
			}
			addr = xrealloc(addr, (size_t)(na + 1) * sizeof *addr);
			addr[na++] = xstrdup(col(ips, 0));
		}
		sqlite3_reset(ips);
		if (na == 0)
			fputs("  no address (no A record)\n", out);
		/* show_ip reuses statements: finish with this host's row first */
		char *row[14] = {0};
		if (have)
			for (int k = 0; k < 14; k++)
				row[k] = col(s, k) ? xstrdup(col(s, k)) : NULL;
		sqlite3_reset(s);
		for (int k = 0; k < na; k++) {
			if (show_ip(st, out, snapshot, addr[k], err) < 0)
				return -1;
			free(addr[k]);
		}
		free(addr);
		if (have) {
			fprintf(out, "  evidence: certificate %s, banner/EHLO %s, MX name %s\n", row[3] ? row[3] : "-",
				row[5] ? row[5] : "-", row[2] ? row[2] : "-");
			if (row[4])
				fprintf(out, "            %s\n", row[4]);
			if (row[6])
				fprintf(out, "            %s\n", row[6]);
			const char *mx = row[2] ? row[2] : "-";
			fprintf(out, "  approaches: mx %s | cert %s | banner %s | priority %s\n", mx, row[3] ? row[3] : mx,
				row[5] ? row[5] : mx, row[3] ? row[3] : row[5] ? row[5] : mx);
			fprintf(out, "  confidence %s = max over its addresses of max(numIP, numCert)\n", row[7]);
			if (row[12]) {
				fprintf(out, "  heuristic %s: ", row[12]);
				put_str(out, row[13]);
				fputc('\n', out);
			} else if (row[13]) {
				fputs("  ", out);
				put_str(out, row[13]);
				fputc('\n', out);
			}
			fprintf(out, "  answer: %s%s%s%s from the %s, status %s\n", row[8] ? row[8] : "none",
				row[10] ? " (" : "", row[10] ? row[10] : "", row[10] ? ")" : "", row[9] ? row[9] : "-",
				row[11]);
		}
		for (int k = 0; k < 14; k++)
			free(row[k]);
		free(primary[i]);
	}
	free(primary);
	/* analyst decisions that concern this domain */
	Q("SELECT c.id, c.scope, c.key, c.verdict, c.provider_id, c.analyst, c.at, c.note, c.undone_at FROM correction c "
	  "WHERE (c.snapshot IS NULL OR c.snapshot = ?1) AND ((c.scope = 'domain' AND c.key = ?2) OR "
	  "(c.scope = 'mx' AND c.key IN (SELECT host FROM primary_mx WHERE snapshot = ?1 AND domain = ?2)) OR "
	  "(c.scope = 'ip' AND c.key IN (SELECT ip FROM mx_ip WHERE snapshot = ?1 AND host IN "
	  "(SELECT host FROM primary_mx WHERE snapshot = ?1 AND domain = ?2)))) ORDER BY c.id");
	store_bind_text(s, 2, dom);
	n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n++ == 0)
			fputs("\nAnalyst decisions:\n", out);
		fprintf(out, "  #%s %s %s %s: %s%s%s by ", col(s, 0), col(s, 6), col(s, 1), col(s, 2), col(s, 3),
			col(s, 4) ? " " : "", col(s, 4) ? col(s, 4) : "");
		put_str(out, col(s, 5));
		if (col(s, 7)) {
			fputs(" - ", out);
			put_str(out, col(s, 7));
		}
		fprintf(out, "%s\n", col(s, 8) ? " (undone)" : "");
	}
	sqlite3_reset(s);
	/* the shares */
	Q("SELECT provider_id, company, weight, source, confidence, status FROM result WHERE snapshot = ?1 "
	  "AND approach = 'final' AND domain = ?2 ORDER BY provider_id");
	store_bind_text(s, 2, dom);
	n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char w[32];
		mx_fmt_double(sqlite3_column_double(s, 2), w);
		if (n++ == 0)
			fputs("\nFinal answer:\n", out);
		fprintf(out, "  %s%s%s%s  weight %s  (%s, confidence %s, %s)\n", col(s, 0), col(s, 1) ? " (" : "",
			col(s, 1) ? col(s, 1) : "", col(s, 1) ? ")" : "", w, col(s, 3), col(s, 4), col(s, 5));
	}
	sqlite3_reset(s);
	if (n == 0)
		fputs("\nFinal answer: none\n", out);
	return 0;
}
