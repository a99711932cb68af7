/* runs: which inference run each of a snapshot's answers comes from. */
#include "mxray/runs.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const char *const runs_approach_names[RUNS_APPROACHES] = {"mx", "cert", "banner", "priority", "final"};

int runs_approach_index(const char *name)
{
	for (int a = 0; name && a < RUNS_APPROACHES; a++)
		if (!strcmp(name, runs_approach_names[a]))
			return a;
	return -1;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

bool runs_same(const run_info *a, const run_info *b)
{
	return a->present && b->present && same_text(a->kb_digest, b->kb_digest) && same_text(a->psl, b->psl) &&
	       same_text(a->params, b->params);
}

static int runs_read(store *st, const char *snapshot, snapshot_runs *out, char **err)
{
	memset(out, 0, sizeof *out);
	snprintf(out->snapshot, sizeof out->snapshot, "%s", snapshot);
	out->consistent = true;
	/* ?2 NULL: the snapshot's latest run of any approach, which wrote
	 * the final answers (every run does; none records "final"). */
	sqlite3_stmt *s = store_prepare(st, "SELECT id, kb_digest, kb_origin, psl, params, at FROM run"
					    " WHERE snapshot = ?1 AND (?2 IS NULL OR approach = ?2)"
					    " ORDER BY id DESC LIMIT 1", err);
	if (!s)
		return -1;
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		store_bind_text(s, 1, snapshot);
		store_bind_text(s, 2, a == RUNS_APPROACHES - 1 ? NULL : runs_approach_names[a]);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			run_info *r = &out->run[a];
			r->present = true;
			r->id = sqlite3_column_int64(s, 0);
			r->kb_digest = store_column_dup(s, 1);
			r->kb_origin = store_column_dup(s, 2);
			r->psl = store_column_dup(s, 3);
			r->params = store_column_dup(s, 4);
			r->at = store_column_dup(s, 5);
			rc = SQLITE_DONE;
		}
		if (store_read_done(st, s, rc, err) < 0) {
			runs_free(out);
			return -1;
		}
	}
	const run_info *first = NULL;
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		if (!out->run[a].present)
			continue;
		if (!first)
			first = &out->run[a];
		else if (!runs_same(first, &out->run[a]))
			out->consistent = false;
	}
	return 0;
}

/* Every approach's run of one state of the database: read apart, an
 * infer committed between two of the statements mixed two runs. */
int runs_of_snapshot(store *st, const char *snapshot, snapshot_runs *out, char **err)
{
	bool own;
	if (store_read_enter(st, &own, err) < 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	int rc = runs_read(st, snapshot, out, err);
	store_read_leave(st, own);
	return rc;
}

void runs_free(snapshot_runs *r)
{
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		run_info *x = &r->run[a];
		free(x->kb_digest);
		free(x->kb_origin);
		free(x->psl);
		free(x->params);
		free(x->at);
		memset(x, 0, sizeof *x);
	}
}

/* "threshold 5, heuristics apply" from the params JSON; the text as
 * stored (made printable) when it is not the object infer writes. */
static void add_params(strbuf *sb, const char *params)
{
	json_t *o = params ? json_loads(params, 0, NULL) : NULL;
	json_t *t = json_object_get(o, "threshold"), *h = json_object_get(o, "heuristics");
	if (json_is_integer(t) && json_is_string(h)) {
		char *hs = sanitize_str(json_string_value(h));
		sb_addf(sb, "threshold %lld, heuristics %s", (long long)json_integer_value(t), hs);
		free(hs);
	} else {
		char *p = sanitize_str(params ? params : "(none)");
		sb_addf(sb, "params %s", p);
		free(p);
	}
	json_decref(o);
}

char *runs_describe(const run_info *r, bool with_psl)
{
	if (!r->present)
		return xstrdup("no run on record");
	char *origin = sanitize_str(r->kb_origin ? r->kb_origin : "?");
	char *digest = sanitize_str(r->kb_digest ? r->kb_digest : "?");
	char *at = sanitize_str(r->at ? r->at : "?");
	strbuf sb;
	sb_init(&sb);
	sb_addf(&sb, "run %lld at %s, kb %s (%s), ", (long long)r->id, at, origin, digest);
	add_params(&sb, r->params);
	if (with_psl) {
		char *psl = sanitize_str(r->psl ? r->psl : "?");
		sb_addf(&sb, ", psl %s", psl);
		free(psl);
	}
	free(origin);
	free(digest);
	free(at);
	return sb_steal(&sb);
}

char *runs_table(const snapshot_runs *r, const char *indent)
{
	/* the PSL source is long: named only when the runs differ in it */
	bool psl_differs = false;
	const run_info *first = NULL;
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		if (!r->run[a].present)
			continue;
		if (!first)
			first = &r->run[a];
		else if (!same_text(first->psl, r->run[a].psl))
			psl_differs = true;
	}
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	for (int a = 0; a < RUNS_APPROACHES; a++) {
		if (!r->run[a].present)
			continue;
		char *d = runs_describe(&r->run[a], psl_differs);
		sb_addf(&sb, "%s%-9s %s\n", indent, runs_approach_names[a], d);
		free(d);
	}
	return sb_steal(&sb);
}

runs_diff runs_compare(const run_info *const *v, size_t n)
{
	runs_diff d = {false, false, false};
	const run_info *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const run_info *x = v[i];
		if (!x || !x->present)
			continue;
		if (!first) {
			first = x;
			continue;
		}
		d.kb |= !same_text(first->kb_digest, x->kb_digest);
		d.psl |= !same_text(first->psl, x->psl);
		d.params |= !same_text(first->params, x->params);
	}
	return d;
}

char *runs_diff_words(runs_diff d)
{
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	const char *what[3] = {d.kb ? "knowledge bases" : NULL, d.psl ? "Public Suffix Lists" : NULL,
			       d.params ? "parameters" : NULL};
	int n = 0, total = d.kb + d.psl + d.params;
	for (int i = 0; i < 3; i++) {
		if (!what[i])
			continue;
		sb_addf(&sb, "%s%s", n == 0 ? "" : n == total - 1 ? " and " : ", ", what[i]);
		n++;
	}
	return sb_steal(&sb);
}

char *runs_describe_diff(const run_info *r, runs_diff d)
{
	if (!r->present)
		return xstrdup("no run on record");
	strbuf sb;
	sb_init(&sb);
	sb_addf(&sb, "run %lld", (long long)r->id);
	if (d.kb) {
		char *origin = sanitize_str(r->kb_origin ? r->kb_origin : "?");
		char *digest = sanitize_str(r->kb_digest ? r->kb_digest : "?");
		sb_addf(&sb, ", kb %s (%s)", origin, digest);
		free(origin);
		free(digest);
	}
	if (d.params) {
		sb_adds(&sb, ", ");
		add_params(&sb, r->params);
	}
	if (d.psl) {
		char *psl = sanitize_str(r->psl ? r->psl : "?");
		sb_addf(&sb, ", psl %s", psl);
		free(psl);
	}
	return sb_steal(&sb);
}

char *runs_what_differs(const snapshot_runs *r)
{
	const run_info *v[RUNS_APPROACHES];
	for (int a = 0; a < RUNS_APPROACHES; a++)
		v[a] = &r->run[a];
	return runs_diff_words(runs_compare(v, RUNS_APPROACHES));
}

char *runs_mix_note(const snapshot_runs *r, int a)
{
	if (a < 0 || a >= RUNS_APPROACHES || !r->run[a].present)
		return NULL;
	const run_info *mine = &r->run[a];
	strbuf others;
	sb_init(&others);
	sb_adds(&others, "");
	for (int b = 0; b < RUNS_APPROACHES; b++) {
		const run_info *x = &r->run[b];
		if (b == a || !x->present || runs_same(mine, x))
			continue;
		/* x described by what differs from mine: its knowledge base,
		 * parameters or PSL */
		const run_info *pair[2] = {mine, x};
		char *dx = runs_describe_diff(x, runs_compare(pair, 2));
		sb_addf(&others, "%s%s: %s", others.len ? "; " : "", runs_approach_names[b], dx);
		free(dx);
	}
	if (!others.len) {
		sb_free(&others);
		return NULL;
	}
	char *what = runs_what_differs(r);
	char *d = runs_describe(mine, false);
	char *note = xasprintf("the %s answers of %s come from %s; other approaches' answers of that snapshot come from"
			       " runs with different %s (%s): run 'mxray infer --snapshot %s' to have every approach"
			       " from one run",
			       runs_approach_names[a], r->snapshot, d, what, others.data, r->snapshot);
	free(what);
	free(d);
	sb_free(&others);
	return note;
}
