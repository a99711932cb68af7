/* stats: data coverage counts. */
#include "mxray/stats.h"
#include "mxray/csv.h"
#include "mxray/util.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

/* ---- computing (once per import) --------------------------------------- */

typedef u32vec vec;
#define vpush u32vec_push

/* Bitmaps over name ids. */
#define BIT_SET(b, i) ((b)[(i) >> 6] |= 1ull << ((i) & 63))
#define BIT_GET(b, i) (((b)[(i) >> 6] >> ((i) & 63)) & 1)

/* A one- or two-column integer query for the snapshot into a (and b). */
static int load2(store *st, const char *sql, int64_t snap, vec *a, vec *b, char **err)
{
	vec v[2] = {{0}, {0}};
	int rc = store_load_u32(st, sql, snap, b ? 2 : 1, v, err);
	*a = v[0];
	if (b)
		*b = v[1];
	return rc;
}

void stats_input_free(stats_input *in)
{
	u32vec *v[] = {&in->mxd, &in->mxh, &in->iph, &in->ipa, &in->fail, &in->nodata, &in->scanned, &in->port25,
		       &in->trusted, &in->asn, &in->tl, &in->td};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		free(v[i]->v);
	memset(in, 0, sizeof *in);
}

int stats_compute(store *st, const char *snapshot, char **err)
{
	int64_t snap = -1;
	int found = store_snapshot_find(st, snapshot, &snap, err);
	if (found <= 0)
		return found;
	stats_input in;
	memset(&in, 0, sizeof in);
	vec sc[3] = {{0}, {0}, {0}}, fname = {0}, rcode = {0};
	int rc = -1;
	/* every table in key order: addresses and names come sorted */
	if (load2(st, "SELECT domain, host FROM f_mx WHERE snap = ?1", snap, &in.mxd, &in.mxh, err) < 0 ||
	    load2(st, "SELECT host, ip FROM f_mx_ip WHERE snap = ?1", snap, &in.iph, &in.ipa, err) < 0 ||
	    load2(st, "SELECT name, rcode FROM f_lookup_fail WHERE snap = ?1 AND qtype = 'MX'", snap, &fname, &rcode,
		  err) < 0 ||
	    store_load_u32(st, "SELECT ip, port25, coalesce(trusted, 0) FROM f_scan WHERE snap = ?1 ORDER BY ip", snap,
			   3, sc, err) < 0 ||
	    load2(st, "SELECT ip FROM f_asn WHERE snap = ?1 ORDER BY ip", snap, &in.asn, NULL, err) < 0 ||
	    load2(st, "SELECT list, domain FROM f_target WHERE snap = ?1 ORDER BY list, domain", snap, &in.tl, &in.td,
		  err) < 0)
		goto out; /* *err says why */
	for (size_t i = 0; i < fname.n; i++)
		vpush(rcode.v[i] ? &in.fail : &in.nodata, fname.v[i]);
	for (size_t i = 0; i < sc[0].n; i++) {
		vpush(&in.scanned, sc[0].v[i]);
		if (sc[1].v[i] == 1)
			vpush(&in.port25, sc[0].v[i]);
		if (sc[2].v[i] == 1)
			vpush(&in.trusted, sc[0].v[i]);
	}
	rc = stats_store(st, snap, &in, err);
out:
	free(sc[0].v), free(sc[1].v), free(sc[2].v), free(fname.v), free(rcode.v);
	stats_input_free(&in);
	return rc;
}

/* The counts of one list: dset holds its domains. */
static void count_list(const stats_input *in, const uint64_t *dset, uint64_t *hset, const uint64_t *has_mx,
		       const uint64_t *failed, size_t words, uint32_t *ips, int64_t v[9])
{
	memset(hset, 0, words * sizeof *hset);
	for (size_t w = 0; w < words; w++) {
		v[0] += __builtin_popcountll(dset[w]);
		v[1] += __builtin_popcountll(dset[w] & has_mx[w]);
		v[2] += __builtin_popcountll(dset[w] & failed[w]);
	}
	for (size_t i = 0; i < in->mxd.n; i++)
		if (BIT_GET(dset, in->mxd.v[i]))
			BIT_SET(hset, in->mxh.v[i]);
	for (size_t w = 0; w < words; w++)
		v[3] += __builtin_popcountll(hset[w]);
	size_t nips = 0;
	for (size_t i = 0; i < in->iph.n; i++)
		if (BIT_GET(hset, in->iph.v[i]))
			ips[nips++] = in->ipa.v[i];
	mx_sort_u32(ips, nips);
	/* the sorted sets walked alongside the sorted addresses */
	const vec *set[4] = {&in->scanned, &in->port25, &in->trusted, &in->asn};
	size_t at[4] = {0};
	for (size_t i = 0; i < nips; i++) {
		if (i && ips[i] == ips[i - 1])
			continue;
		v[4]++;
		for (int k = 0; k < 4; k++) {
			while (at[k] < set[k]->n && set[k]->v[at[k]] < ips[i])
				at[k]++;
			v[5 + k] += at[k] < set[k]->n && set[k]->v[at[k]] == ips[i];
		}
	}
}

int stats_store(store *st, int64_t snap, const stats_input *in, char **err)
{
	sqlite3 *db = store_db(st);
	uint64_t *dset = NULL, *hset = NULL, *has_mx = NULL, *failed = NULL;
	uint32_t *ips = NULL;
	sqlite3_stmt *ins = NULL;
	int rc = -1;
	uint32_t maxid = 0;
	const vec *named[] = {&in->mxd, &in->mxh, &in->iph, &in->fail, &in->nodata, &in->td};
	for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
		for (size_t i = 0; i < named[k]->n; i++)
			if (named[k]->v[i] > maxid)
				maxid = named[k]->v[i];
	size_t words = maxid / 64 + 1;
	dset = xcalloc(words, sizeof *dset);
	hset = xcalloc(words, sizeof *hset);
	has_mx = xcalloc(words, sizeof *has_mx);
	failed = xcalloc(words, sizeof *failed);
	for (size_t i = 0; i < in->mxd.n; i++)
		BIT_SET(has_mx, in->mxd.v[i]);
	for (size_t i = 0; i < in->fail.n; i++)
		BIT_SET(failed, in->fail.v[i]);
	ips = xmalloc((in->ipa.n + 1) * sizeof *ips);
	if (store_begin(st, err) < 0)
		goto out;
	if (sqlite3_prepare_v2(db, "DELETE FROM f_stats WHERE snap = ?1", -1, &ins, NULL) != SQLITE_OK)
		goto dberr_tx;
	sqlite3_bind_int64(ins, 1, snap);
	if (sqlite3_step(ins) != SQLITE_DONE)
		goto dberr_tx;
	sqlite3_finalize(ins);
	if (sqlite3_prepare_v2(db, "INSERT INTO f_stats VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)", -1, &ins, NULL) !=
	    SQLITE_OK)
		goto dberr_tx;
	/* list 0 ('all': every domain of the MX queries: with an MX record, a
	 * failed MX lookup, or a NODATA answer, kept as status 0), then each
	 * target list (the targets come by list) */
	for (size_t t = 0, first = 1; first || t < in->td.n; first = 0) {
		uint32_t list = 0;
		memset(dset, 0, words * sizeof *dset);
		if (first) {
			for (size_t i = 0; i < in->mxd.n; i++)
				BIT_SET(dset, in->mxd.v[i]);
			for (size_t i = 0; i < in->fail.n; i++)
				BIT_SET(dset, in->fail.v[i]);
			for (size_t i = 0; i < in->nodata.n; i++)
				BIT_SET(dset, in->nodata.v[i]);
		} else {
			list = in->tl.v[t];
			for (; t < in->td.n && in->tl.v[t] == list; t++)
				BIT_SET(dset, in->td.v[t]);
		}
		int64_t v[9] = {0};
		count_list(in, dset, hset, has_mx, failed, words, ips, v);
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, snap);
		sqlite3_bind_int64(ins, 2, list);
		for (int k = 0; k < 9; k++)
			sqlite3_bind_int64(ins, 3 + k, v[k]);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto dberr_tx;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	rc = store_commit(st, err);
	if (rc < 0)
		store_rollback(st);
	goto out;
dberr_tx:
	*err = store_db_error(db, "database error while counting");
	store_rollback(st);
out:
	sqlite3_finalize(ins);
	free(dset), free(hset), free(has_mx), free(failed), free(ips);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

static int collect(store *st, const char *snapshot, stats_row **rows, char **err)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = NULL;
	int n = 0, cap = 0;
	*rows = NULL;
	/* snapshots counted before the counts were stored (a migrated file):
	 * count them once now */
	char (*dates)[11] = NULL;
	long nd = store_snapshot_dates(st, &dates, err);
	if (nd < 0)
		return -1;
	for (long i = 0; i < nd; i++) {
		if (snapshot && strcmp(snapshot, dates[i]))
			continue;
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM f_stats t JOIN snapshot s ON s.id = t.snap WHERE s.date = ?1",
				       -1, &q, NULL) != SQLITE_OK)
			goto dberr;
		sqlite3_bind_text(q, 1, dates[i], -1, SQLITE_STATIC);
		int have = sqlite3_step(q);
		sqlite3_finalize(q);
		q = NULL;
		/* read-only: counted into a TEMP copy of f_stats, which the
		 * unqualified name means from here on; the file is not written */
		if (have == SQLITE_DONE && store_readonly(st) &&
		    store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS f_stats AS SELECT * FROM main.f_stats", err) < 0) {
			free(dates);
			return -1;
		}
		if (have == SQLITE_DONE && stats_compute(st, dates[i], err) < 0) {
			free(dates);
			return -1;
		}
		if (have != SQLITE_ROW && have != SQLITE_DONE)
			goto dberr;
	}
	free(dates);
	dates = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT s.date, coalesce(l.name, 'all'), t.domains, t.with_mx, t.failed_lookups,"
			       " t.mx_hosts, t.ips, t.ips_scanned, t.ips_port25, t.ips_trusted_cert, t.ips_with_asn"
			       " FROM f_stats t JOIN snapshot s ON s.id = t.snap LEFT JOIN list l ON l.id = t.list"
			       " WHERE ?1 IS NULL OR s.date = ?1 ORDER BY s.date, t.list = 0, l.name", -1, &q, NULL) !=
	    SQLITE_OK)
		goto dberr;
	store_bind_text(q, 1, snapshot);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			*rows = xrealloc(*rows, (size_t)cap * sizeof **rows);
		}
		stats_row *r = &(*rows)[n];
		memset(r, 0, sizeof *r);
		snprintf(r->snapshot, sizeof r->snapshot, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(r->list, sizeof r->list, "%s", (const char *)sqlite3_column_text(q, 1));
		int c = 2;
#define X(f, name) r->f = sqlite3_column_int64(q, c++);
		STATS_COLUMNS(X)
#undef X
		n++;
	}
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(q);
	return n;
dberr:
	*err = store_db_error(db, "database error");
	sqlite3_finalize(q);
	free(dates);
	free(*rows);
	*rows = NULL;
	return -1;
}

/* Read-only, the counts made now (a TEMP copy of f_stats, above) and the
 * rows of one state of the database: a read transaction.  A writable
 * connection stores the counts it makes (stats_store takes the write
 * lock), which a read transaction would not let it do when another
 * process committed meanwhile; its rows are read by one statement. */
int stats_collect(store *st, const char *snapshot, stats_row **rows, char **err)
{
	bool own = false;
	if (store_readonly(st) && store_read_enter(st, &own, err) < 0) {
		*rows = NULL;
		return -1;
	}
	int n = collect(st, snapshot, rows, err);
	store_read_leave(st, own);
	return n;
}

static const char *const colnames[] = {
#define X(f, name) name,
	STATS_COLUMNS(X)
#undef X
};
#define NCOLS ((int)(sizeof colnames / sizeof colnames[0]))

static int64_t col(const stats_row *r, int i)
{
	const int64_t v[] = {
#define X(f, name) r->f,
		STATS_COLUMNS(X)
#undef X
	};
	return v[i];
}

void stats_print(FILE *out, const stats_row *rows, int n, enum stats_format fmt)
{
	if (fmt == STATS_CSV) {
		fputs("snapshot,list", out);
		for (int c = 0; c < NCOLS; c++)
			fprintf(out, ",%s", colnames[c]);
		fputc('\n', out);
		for (int i = 0; i < n; i++) {
			fprintf(out, "%s,", rows[i].snapshot);
			csv_put(out, rows[i].list);
			for (int c = 0; c < NCOLS; c++)
				fprintf(out, ",%lld", (long long)col(&rows[i], c));
			fputc('\n', out);
		}
		return;
	}
	if (fmt == STATS_JSON) {
		for (int i = 0; i < n; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "snapshot", json_string(rows[i].snapshot));
			json_object_set_new(o, "list", json_string(rows[i].list));
			for (int c = 0; c < NCOLS; c++)
				json_object_set_new(o, colnames[c], json_integer(col(&rows[i], c)));
			char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fprintf(out, "%s\n", s);
			free(s);
			json_decref(o);
		}
		return;
	}
	/* Text: one aligned table, widths from the data. */
	int w[NCOLS], wl = 4;
	for (int c = 0; c < NCOLS; c++)
		w[c] = (int)strlen(colnames[c]);
	for (int i = 0; i < n; i++) {
		if ((int)strlen(rows[i].list) > wl)
			wl = (int)strlen(rows[i].list);
		for (int c = 0; c < NCOLS; c++) {
			char b[24];
			int len = snprintf(b, sizeof b, "%lld", (long long)col(&rows[i], c));
			if (len > w[c])
				w[c] = len;
		}
	}
	fprintf(out, "%-10s  %-*s", "snapshot", wl, "list");
	for (int c = 0; c < NCOLS; c++)
		fprintf(out, "  %*s", w[c], colnames[c]);
	fputc('\n', out);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%-10s  %-*s", rows[i].snapshot, wl, rows[i].list);
		for (int c = 0; c < NCOLS; c++)
			fprintf(out, "  %*lld", w[c], (long long)col(&rows[i], c));
		fputc('\n', out);
	}
	if (n == 0)
		fputs("(no snapshots: import data with 'mxray import')\n", out);
}
