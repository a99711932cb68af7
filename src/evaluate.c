/* evaluate: accuracy of each approach on a labelled sample. */
#include "mxray/evaluate.h"
#include "mxray/runs.h"
#include "mxray/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const eval_approach_names[EVAL_APPROACHES] = {"mx", "cert", "banner", "priority", "final"};

static int cmp_ci(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

char *eval_set_join(char **tok, size_t n, bool fold)
{
	mx_sort(tok, n, sizeof *tok, cmp_ci); /* tok may be NULL when n is 0 */
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	for (size_t i = 0; i < n; i++) {
		if (i && !strcasecmp(tok[i], tok[i - 1]))
			continue;
		sb_addf(&sb, "%s%s", sb.len ? ";" : "", tok[i]);
	}
	if (fold)
		for (char *c = sb.data; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + 32);
	return sb_steal(&sb);
}

/* A stored answer set (';'-joined) in its canonical lower-case form. */
static char *canon(const char *joined)
{
	char *buf = xstrdup(joined);
	char *tok[256];
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(buf, ";", &save); t && n < 256; t = strtok_r(NULL, ";", &save))
		tok[n++] = t;
	char *c = eval_set_join(tok, n, true);
	free(buf);
	return c;
}

bool eval_answer_matches(const char *answer, const char *label)
{
	if (!answer || !label || !*label)
		return false;
	char *a = canon(answer), *l = canon(label);
	bool eq = !strcmp(a, l);
	free(a);
	free(l);
	return eq;
}

static int score(store *st, const char *sample, eval_result *r, char **err)
{
	snprintf(r->sample, sizeof r->sample, "%s", sample);
	sqlite3_stmt *s = store_prepare(st, "SELECT snapshot FROM sample WHERE name = ?1", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, sample);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		if (store_read_done(st, s, rc, err) == 0)
			*err = xasprintf("there is no sample '%s'", sample);
		return -1;
	}
	char snapshot[11];
	snprintf(snapshot, sizeof snapshot, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(r->snapshot, sizeof r->snapshot, "%s", snapshot);
	sqlite3_reset(s);
	/* One row per sampled domain: its standing label, whether the
	 * heuristics looked at it, and each approach's answer set. */
	s = store_prepare(st,
		"SELECT d.domain,"
		" (SELECT truth FROM label l WHERE l.sample = d.sample AND l.domain = d.domain AND l.undone_at IS NULL"
		"  ORDER BY l.id DESC LIMIT 1),"
		EVAL_EXAMINED_SQL "," EVAL_ANSWERS_SQL
		" FROM sample_domain d WHERE d.sample = ?1 ORDER BY d.pos", err);
	if (!s)
		return -1;
	store_bind_text(s, 1, sample);
	store_bind_text(s, 2, snapshot);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r->sampled++;
		if (sqlite3_column_int(s, 2))
			r->examined++;
		const char *label = (const char *)sqlite3_column_text(s, 1);
		if (!label)
			continue;
		r->labelled++;
		if (!*label) {
			r->undecidable++;
			continue;
		}
		char *want = canon(label);
		for (int a = 0; a < EVAL_APPROACHES; a++) {
			const char *got = (const char *)sqlite3_column_text(s, 3 + a);
			if (!got)
				continue;
			char *g = canon(got);
			if (!strcmp(g, want))
				r->correct[a]++;
			free(g);
		}
		free(want);
	}
	if (store_read_done(st, s, rc, err) < 0)
		return -1;
	return 0;
}

/* The sample's snapshot and its rows of one state of the database. */
int eval_sample(store *st, const char *sample, eval_result *r, char **err)
{
	memset(r, 0, sizeof *r);
	bool own;
	if (store_read_enter(st, &own, err) < 0)
		return -1;
	int rc = score(st, sample, r, err);
	store_read_leave(st, own);
	return rc;
}

int eval_check_runs(store *st, const eval_result *r, bool allow_mixed, char **note, char **err)
{
	*note = NULL;
	snapshot_runs sr;
	if (runs_of_snapshot(st, r->snapshot, &sr, err) < 0)
		return -1;
	if (sr.consistent) {
		runs_free(&sr);
		return 0;
	}
	char *table = runs_table(&sr, "  ");
	char *what = runs_what_differs(&sr);
	int rc;
	if (allow_mixed) {
		*note = xasprintf("sample %s (snapshot %s): scoring answers of runs with different %s (--allow-mixed):\n%s",
				  r->sample, r->snapshot, what, table);
		rc = 1;
	} else {
		*err = xasprintf("sample %s (snapshot %s): the approaches' answers come from runs with different %s:\n%s"
				 "not scoring a mix: run 'mxray infer --snapshot %s' (every approach) to score one run,"
				 " or give --allow-mixed to score them as they are",
				 r->sample, r->snapshot, what, table, r->snapshot);
		rc = -1;
	}
	free(table);
	free(what);
	runs_free(&sr);
	return rc;
}

static double acc(const eval_result *r, int a)
{
	return r->labelled ? (double)r->correct[a] / (double)r->labelled : 0;
}

void eval_print(FILE *out, const eval_result *rs, size_t n, enum eval_format fmt)
{
	if (fmt == EVAL_CSV) {
		fputs("sample,approach,labelled,correct,accuracy,examined,undecidable\n", out);
		for (size_t i = 0; i < n; i++)
			for (int a = 0; a < EVAL_APPROACHES; a++) {
				char w[32] = ""; /* nothing labelled: no accuracy (an empty field) */
				if (rs[i].labelled)
					mx_fmt_double(acc(&rs[i], a), w);
				fprintf(out, "%s,%s,%ld,%ld,%s,%ld,%ld\n", rs[i].sample, eval_approach_names[a],
					rs[i].labelled, rs[i].correct[a], w, rs[i].examined, rs[i].undecidable);
			}
		return;
	}
	if (fmt == EVAL_JSON) {
		for (size_t i = 0; i < n; i++)
			for (int a = 0; a < EVAL_APPROACHES; a++) {
				json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:I, s:I}", "sample", rs[i].sample, "approach",
						      eval_approach_names[a], "labelled", (json_int_t)rs[i].labelled,
						      "correct", (json_int_t)rs[i].correct[a], "accuracy",
						      rs[i].labelled ? json_real(acc(&rs[i], a)) : json_null(),
						      "examined", (json_int_t)rs[i].examined, "undecidable",
						      (json_int_t)rs[i].undecidable);
				char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
				fprintf(out, "%s\n", line);
				free(line);
				json_decref(o);
			}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const eval_result *r = &rs[i];
		fprintf(out, "sample %s: %ld domains, %ld labelled, %ld undecidable, %ld examined in step 4\n", r->sample,
			r->sampled, r->labelled, r->undecidable, r->examined);
		fprintf(out, "  %-9s %8s %8s %9s\n", "approach", "correct", "labelled", "accuracy");
		for (int a = 0; a < EVAL_APPROACHES; a++) {
			if (!r->labelled) { /* nothing labelled yet: no accuracy, not 0% */
				fprintf(out, "  %-9s %8ld %8ld %9s\n", eval_approach_names[a], r->correct[a], r->labelled, "n/a");
				continue;
			}
			fprintf(out, "  %-9s %8ld %8ld %8.1f%%\n", eval_approach_names[a], r->correct[a], r->labelled,
				100 * acc(r, a));
		}
	}
}
