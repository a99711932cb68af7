/* evidence: the read side of one snapshot, as structs (see evidence.h). */
#include "mxray/evidence.h"
#include "mxray/infer.h"
#include "mxray/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* A blob or text column as raw bytes with a NUL added. */
static char *dup_bytes(sqlite3_stmt *s, int i, size_t *len)
{
	*len = 0;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return NULL;
	const void *p = sqlite3_column_blob(s, i);
	size_t n = (size_t)sqlite3_column_bytes(s, i);
	char *out = xmalloc(n + 1);
	if (n)
		memcpy(out, p, n);
	out[n] = '\0';
	*len = n;
	return out;
}

/* A code column (f_host_ev.source, .status) as its name; NULL for NULL. */
static char *code_name(sqlite3_stmt *s, int i, const char *(*name)(int))
{
	const char *n = sqlite3_column_type(s, i) == SQLITE_NULL ? NULL : name(sqlite3_column_int(s, i));
	return n ? xstrdup(n) : NULL;
}

/* ---- addresses ----------------------------------------------------------- */

int evidence_ip(store *st, const char *snapshot, uint32_t ip, ev_ip *out, char **err)
{
	memset(out, 0, sizeof *out);
	out->ip = ip;
	out->trusted = -1;
	mx_ipv4_format(ip, out->text);
	sqlite3_stmt *s = store_prepare(st,
		"SELECT s.ip IS NOT NULL, s.port25, s.banner, " STORE_SCAN_EHLO("s", "r") ", s.cert_cn, s.cert_names,"
		" s.trusted, CAST(sf.text AS TEXT),"
		" a.ip IS NOT NULL, a.asn, a.asn_set, a.source, o.aut_name, g.org_name, g.country, o.asn IS NOT NULL,"
		" i.ip IS NOT NULL, i.live, i.num_ip, cg.name, i.num_cert, i.banner_fqdn, i.ehlo_fqdn,"
		" max(i.num_ip, coalesce(i.num_cert, 0))"
		" FROM (SELECT ?2 AS n, (SELECT id FROM snapshot WHERE date = ?1) AS snap) x"
		" LEFT JOIN f_scan s ON s.snap = x.snap AND s.ip = x.n LEFT JOIN scan_text r ON r.id = s.ehlo_rest"
		" LEFT JOIN scan_text sf ON sf.id = s.format_id"
		" LEFT JOIN f_asn a ON a.snap = x.snap AND a.ip = x.n LEFT JOIN as_org o ON o.asn = a.asn"
		" LEFT JOIN org g ON g.org_id = o.org_id LEFT JOIN f_ip_ev i ON i.snap = x.snap AND i.ip = x.n"
		" LEFT JOIN name cg ON cg.id = i.cert_group", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	sqlite3_bind_int64(s, 2, ip);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->scanned = sqlite3_column_int(s, 0);
		out->port25 = sqlite3_column_int(s, 1);
		out->banner = dup_bytes(s, 2, &out->banner_len);
		out->ehlo = dup_bytes(s, 3, &out->ehlo_len);
		out->cert_cn = store_column_dup(s, 4);
		const char *names = (const char *)sqlite3_column_text(s, 5);
		if (names) {
			json_t *a = json_loads(names, 0, NULL);
			size_t n = json_is_array(a) ? json_array_size(a) : 0;
			out->cert_names = xcalloc(n + 1, sizeof *out->cert_names);
			for (size_t k = 0; k < n; k++) {
				const char *v = json_string_value(json_array_get(a, k));
				if (v)
					out->cert_names[out->ncert_names++] = xstrdup(v);
			}
			json_decref(a);
		}
		out->trusted = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 6);
		out->format = store_column_dup(s, 7);
		out->has_asn = sqlite3_column_int(s, 8);
		out->asn = (uint32_t)sqlite3_column_int64(s, 9);
		out->asn_set = store_column_dup(s, 10);
		out->asn_source = store_column_dup(s, 11);
		out->as_name = store_column_dup(s, 12);
		out->org_name = store_column_dup(s, 13);
		out->country = store_column_dup(s, 14);
		out->in_as2org = sqlite3_column_int(s, 15);
		out->inferred = sqlite3_column_int(s, 16);
		out->live = sqlite3_column_int(s, 17);
		out->num_ip = (uint32_t)sqlite3_column_int64(s, 18);
		out->cert_group = store_column_dup(s, 19);
		out->num_cert = (uint32_t)sqlite3_column_int64(s, 20);
		out->banner_fqdn = store_column_dup(s, 21);
		out->ehlo_fqdn = store_column_dup(s, 22);
		out->confidence = (uint32_t)sqlite3_column_int64(s, 23);
		rc = SQLITE_DONE;
	}
	return store_read_done(st, s, rc, err);
}

void evidence_ip_free(ev_ip *e)
{
	free(e->banner);
	free(e->ehlo);
	free(e->cert_cn);
	for (size_t i = 0; i < e->ncert_names; i++)
		free(e->cert_names[i]);
	free(e->cert_names);
	free(e->format);
	free(e->asn_set);
	free(e->asn_source);
	free(e->as_name);
	free(e->org_name);
	free(e->country);
	free(e->cert_group);
	free(e->banner_fqdn);
	free(e->ehlo_fqdn);
	memset(e, 0, sizeof *e);
}

/* ---- hosts --------------------------------------------------------------- */

static int host_ips(store *st, const char *snapshot, const char *host, ev_host *out, char **err)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT m.ip, v.name FROM f_mx_ip m LEFT JOIN name v ON v.id = m.via"
		" WHERE m.snap = (SELECT id FROM snapshot WHERE date = ?1)"
		" AND m.host = (SELECT id FROM name WHERE name = ?2) ORDER BY m.ip", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, host);
	int rc;
	size_t cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->nips == cap) {
			cap = cap ? cap * 2 : 8;
			out->ips = xrealloc(out->ips, cap * sizeof *out->ips);
		}
		out->ips[out->nips++] = (uint32_t)sqlite3_column_int64(s, 0);
		if (!out->via && sqlite3_column_type(s, 1) != SQLITE_NULL)
			out->via = store_column_dup(s, 1);
	}
	return store_read_done(st, s, rc, err);
}

int evidence_host(store *st, const char *snapshot, const char *host, ev_host *out, char **err)
{
	memset(out, 0, sizeof *out);
	out->host = xstrdup(host);
	sqlite3_stmt *s = store_prepare(st,
		"SELECT h.live, h.domains, m.name, c.name, h.cert_note, b.name, h.banner_note, h.confidence, p.name,"
		" h.source, co.company, h.status, h.heuristic, h.reason, h.min_pref, h.max_pref"
		" FROM f_host_ev h LEFT JOIN name m ON m.id = h.mx_id LEFT JOIN name c ON c.id = h.cert_id"
		" LEFT JOIN name b ON b.id = h.banner_id LEFT JOIN name p ON p.id = h.provider"
		" LEFT JOIN f_company co ON co.snap = h.snap AND co.approach = 4 AND co.provider = h.provider"
		" WHERE h.snap = (SELECT id FROM snapshot WHERE date = ?1) AND h.host = (SELECT id FROM name WHERE name = ?2)",
		err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, host);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->inferred = true;
		out->live = sqlite3_column_int(s, 0);
		out->domains = (uint32_t)sqlite3_column_int64(s, 1);
		out->mx_id = store_column_dup(s, 2);
		out->cert_id = store_column_dup(s, 3);
		out->cert_note = store_column_dup(s, 4);
		out->banner_id = store_column_dup(s, 5);
		out->banner_note = store_column_dup(s, 6);
		out->confidence = (uint32_t)sqlite3_column_int64(s, 7);
		out->provider_id = store_column_dup(s, 8);
		out->source = code_name(s, 9, infer_source_name);
		out->company = store_column_dup(s, 10);
		out->status = code_name(s, 11, infer_status_name);
		out->heuristic = store_column_dup(s, 12);
		out->reason = store_column_dup(s, 13);
		out->has_pref = sqlite3_column_type(s, 14) != SQLITE_NULL;
		out->min_pref = (uint32_t)sqlite3_column_int64(s, 14);
		out->max_pref = (uint32_t)sqlite3_column_int64(s, 15);
		static const unsigned bits[4] = {INFER_MX, INFER_CERT, INFER_BANNER, INFER_PRIORITY};
		for (int a = 0; a < 4; a++) {
			int src = infer_chain_source(bits[a], out->cert_id != NULL, out->banner_id != NULL);
			const char *id = src == 3 ? out->cert_id : src == 2 ? out->banner_id : out->mx_id;
			out->approach_id[a] = id ? xstrdup(id) : NULL;
		}
		rc = SQLITE_DONE;
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return host_ips(st, snapshot, host, out, err);
}

void evidence_host_free(ev_host *e)
{
	free(e->host);
	free(e->via);
	free(e->ips);
	for (int a = 0; a < 4; a++)
		free(e->approach_id[a]);
	free(e->mx_id);
	free(e->cert_id);
	free(e->banner_id);
	free(e->cert_note);
	free(e->banner_note);
	free(e->provider_id);
	free(e->company);
	free(e->source);
	free(e->status);
	free(e->heuristic);
	free(e->reason);
	memset(e, 0, sizeof *e);
}

int evidence_ip_hosts(store *st, const char *snapshot, uint32_t ip, size_t max, ev_host_brief **out, size_t *n,
		      size_t *total, char **err)
{
	*out = NULL;
	*n = *total = 0;
	sqlite3_stmt *s = store_prepare(st,
		"SELECT n.name, h.domains, p.name, h.source, h.status, h.min_pref, h.max_pref, count(*) OVER ()"
		" FROM f_mx_ip m JOIN f_host_ev h ON h.snap = m.snap AND h.host = m.host JOIN name n ON n.id = m.host"
		" LEFT JOIN name p ON p.id = h.provider"
		" WHERE m.snap = (SELECT id FROM snapshot WHERE date = ?1) AND m.ip = ?2"
		" ORDER BY h.domains DESC, n.name LIMIT ?3", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	sqlite3_bind_int64(s, 2, ip);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		ev_host_brief *b = &(*out)[(*n)++];
		b->host = store_column_dup(s, 0);
		b->domains = (uint32_t)sqlite3_column_int64(s, 1);
		b->provider_id = store_column_dup(s, 2);
		b->source = code_name(s, 3, infer_source_name);
		b->status = code_name(s, 4, infer_status_name);
		b->has_pref = sqlite3_column_type(s, 5) != SQLITE_NULL;
		b->min_pref = (uint32_t)sqlite3_column_int64(s, 5);
		b->max_pref = (uint32_t)sqlite3_column_int64(s, 6);
		*total = (size_t)sqlite3_column_int64(s, 7);
	}
	return store_read_done(st, s, rc, err);
}

void evidence_host_briefs_free(ev_host_brief *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].host);
		free(v[i].provider_id);
		free(v[i].source);
		free(v[i].status);
	}
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int evidence_host_domains(store *st, const char *snapshot, const char *host, size_t max, char ***out, size_t *n,
			  char **err)
{
	*out = NULL;
	*n = 0;
	/* the first max by name id, from the (snap, host) index: a host with
	 * a hundred thousand domains costs what a host with three does (no
	 * sort of them all by name); the few are then sorted */
	sqlite3_stmt *s = store_prepare(st, "SELECT n.name FROM f_primary_mx p CROSS JOIN name n ON n.id = p.domain"
					    " WHERE p.snap = (SELECT id FROM snapshot WHERE date = ?1)"
					    " AND p.host = (SELECT id FROM name WHERE name = ?2) ORDER BY p.domain LIMIT ?3", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, host);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = store_column_dup(s, 0);
	}
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_str);
	return store_read_done(st, s, rc, err);
}

int evidence_domain_ips(store *st, const char *snapshot, const char *domain, size_t max, uint32_t **out, size_t *n,
			char **err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *s = store_prepare(st,
		"SELECT DISTINCT m.ip FROM f_primary_mx p CROSS JOIN f_mx_ip m ON m.snap = p.snap AND m.host = p.host"
		" WHERE p.snap = (SELECT id FROM snapshot WHERE date = ?1)"
		" AND p.domain = (SELECT id FROM name WHERE name = ?2) ORDER BY m.ip LIMIT ?3", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, domain);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = (uint32_t)sqlite3_column_int64(s, 0);
	}
	return store_read_done(st, s, rc, err);
}

/* ---- decisions ----------------------------------------------------------- */

#define DECISION_COLS "c.id, c.scope, c.key, c.verdict, c.provider_id, c.analyst, c.at, c.note, c.undone_at"

static void take_decision(sqlite3_stmt *s, ev_decision *d)
{
	d->id = sqlite3_column_int64(s, 0);
	d->scope = store_column_dup(s, 1);
	d->key = store_column_dup(s, 2);
	d->verdict = store_column_dup(s, 3);
	d->provider_id = store_column_dup(s, 4);
	d->analyst = store_column_dup(s, 5);
	d->at = store_column_dup(s, 6);
	d->note = store_column_dup(s, 7);
	d->undone = sqlite3_column_type(s, 8) != SQLITE_NULL;
}

void evidence_decision_free(ev_decision *d)
{
	free(d->scope);
	free(d->key);
	free(d->verdict);
	free(d->provider_id);
	free(d->analyst);
	free(d->at);
	free(d->note);
	memset(d, 0, sizeof *d);
}

int evidence_ip_decision(store *st, const char *snapshot, const char *ip, ev_decision *out, char **err)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = store_prepare(st, "SELECT " DECISION_COLS " FROM correction c WHERE c.scope = 'ip'"
					    " AND c.key = ?1 AND c.undone_at IS NULL AND (c.snapshot IS NULL OR c.snapshot = ?2)"
					    " ORDER BY c.id DESC LIMIT 1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, ip);
	store_bind_text(s, 2, snapshot);
	int rc = sqlite3_step(s);
	int found = rc == SQLITE_ROW;
	if (found) {
		take_decision(s, out);
		rc = SQLITE_DONE;
	}
	if (store_read_done(st, s, rc, err) < 0) {
		evidence_decision_free(out);
		return -1;
	}
	return found;
}

/* ---- domains ------------------------------------------------------------- */

static int domain_read(store *st, const char *snapshot, const char *domain, ev_domain *out, char **err)
{
	/* Every query by integer keys (the snapshot's id, the domain's name
	 * id): a domain of a host with a hundred thousand domains costs what
	 * any other does (the text views would join every row first). */
	int64_t snap = 0, dom = 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT (SELECT id FROM snapshot WHERE date = ?1),"
					    " (SELECT id FROM name WHERE name = ?2)", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, domain);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snap = sqlite3_column_int64(s, 0);
		dom = sqlite3_column_int64(s, 1);
		rc = SQLITE_DONE;
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	if (!snap || !dom)
		return 0; /* not in the snapshot (nor anywhere) */
	/* MX records */
	s = store_prepare(st,
		"SELECT h.name, m.pref, EXISTS (SELECT 1 FROM f_primary_mx p WHERE p.snap = m.snap AND p.domain = m.domain"
		" AND p.host = m.host) FROM f_mx m CROSS JOIN name h ON h.id = m.host WHERE m.snap = ?1 AND m.domain = ?2"
		" ORDER BY m.pref, h.name", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int64(s, 2, dom);
	size_t np = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->mx = xrealloc(out->mx, (out->nmx + 1) * sizeof *out->mx);
		ev_mx *m = &out->mx[out->nmx++];
		m->host = store_column_dup(s, 0);
		m->pref = (uint32_t)sqlite3_column_int64(s, 1);
		m->primary = sqlite3_column_int(s, 2);
		np += m->primary;
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	if (out->nmx == 0) {
		s = store_prepare(st, "SELECT rcode FROM f_lookup_fail WHERE snap = ?1 AND name = ?2 AND qtype = 'MX'", err);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, snap);
		sqlite3_bind_int64(s, 2, dom);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			out->state = EV_LOOKUP_FAILED;
			out->rcode = sqlite3_column_int(s, 0);
			rc = SQLITE_DONE;
		}
		return store_read_done(st, s, rc, err);
	}
	out->state = EV_HAS_MX;
	/* the primary hosts, in MX order, each once */
	out->primary = xcalloc(np + 1, sizeof *out->primary);
	for (size_t i = 0; i < out->nmx; i++) {
		if (!out->mx[i].primary)
			continue;
		bool seen = false;
		for (size_t k = 0; k < out->nprimary && !seen; k++)
			seen = !strcmp(out->primary[k].host, out->mx[i].host);
		if (seen)
			continue;
		if (evidence_host(st, snapshot, out->mx[i].host, &out->primary[out->nprimary++], err) < 0)
			return -1;
	}
	/* analyst decisions that concern this domain: about it, its primary
	 * MX hosts or their addresses (each key looked up in correction_key) */
	s = store_prepare(st, "WITH k(scope, key) AS (SELECT 'domain', ?2"
			      " UNION SELECT 'mx', n.name FROM f_primary_mx p CROSS JOIN name n ON n.id = p.host"
			      " WHERE p.snap = ?3 AND p.domain = ?4"
			      " UNION SELECT 'ip', " STORE_IPV4_TEXT("m.ip") " FROM f_primary_mx p"
			      " CROSS JOIN f_mx_ip m ON m.snap = p.snap AND m.host = p.host WHERE p.snap = ?3 AND p.domain = ?4)"
			      " SELECT " DECISION_COLS " FROM k CROSS JOIN correction c ON c.scope = k.scope AND c.key = k.key"
			      " WHERE c.snapshot IS NULL OR c.snapshot = ?1 ORDER BY c.id", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, snapshot);
	store_bind_text(s, 2, domain);
	sqlite3_bind_int64(s, 3, snap);
	sqlite3_bind_int64(s, 4, dom);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->decisions = xrealloc(out->decisions, (out->ndecisions + 1) * sizeof *out->decisions);
		take_decision(s, &out->decisions[out->ndecisions++]);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	/* the final shares */
	s = store_prepare(st, "SELECT v.name, c.company, r.weight, " STORE_SOURCE_TEXT("r.source") ", r.confidence, "
			      STORE_STATUS_TEXT("r.status") " FROM f_result r CROSS JOIN name v ON v.id = r.provider"
			      " LEFT JOIN f_company c ON c.snap = r.snap AND c.approach = r.approach AND c.provider = r.provider"
			      " WHERE r.snap = ?1 AND r.approach = 4 AND r.domain = ?2 ORDER BY v.name", err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, snap);
	sqlite3_bind_int64(s, 2, dom);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->final = xrealloc(out->final, (out->nfinal + 1) * sizeof *out->final);
		ev_answer *a = &out->final[out->nfinal++];
		a->provider_id = store_column_dup(s, 0);
		a->company = store_column_dup(s, 1);
		a->weight = sqlite3_column_double(s, 2);
		a->source = store_column_dup(s, 3);
		a->confidence = (uint32_t)sqlite3_column_int64(s, 4);
		a->status = store_column_dup(s, 5);
	}
	return store_read_done(st, s, rc, err);
}

/* The MX rows, the primary hosts' evidence, the decisions and the shares
 * of one state of the database: read apart, an infer committed between
 * them showed the decisions of one run beside the answer of another. */
int evidence_domain(store *st, const char *snapshot, const char *domain, ev_domain *out, char **err)
{
	memset(out, 0, sizeof *out);
	out->domain = xstrdup(domain);
	out->state = EV_NOT_IN_SNAPSHOT;
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	int rc = domain_read(st, snapshot, domain, out, err);
	store_read_leave(st, own);
	return rc;
}

void evidence_domain_free(ev_domain *e)
{
	free(e->domain);
	for (size_t i = 0; i < e->nmx; i++)
		free(e->mx[i].host);
	free(e->mx);
	for (size_t i = 0; i < e->nprimary; i++)
		evidence_host_free(&e->primary[i]);
	free(e->primary);
	for (size_t i = 0; i < e->ndecisions; i++)
		evidence_decision_free(&e->decisions[i]);
	free(e->decisions);
	for (size_t i = 0; i < e->nfinal; i++) {
		free(e->final[i].provider_id);
		free(e->final[i].company);
		free(e->final[i].source);
		free(e->final[i].status);
	}
	free(e->final);
	memset(e, 0, sizeof *e);
}
