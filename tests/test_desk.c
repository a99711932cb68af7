/* desk: the review desk's model without curses, on sample-data imported
 * into a real SQLite file: queue, candidates, sort, filters, search,
 * decisions with undo/redo, tags and bulk, the key path, evidence escaping. */
#include "testdb.h"
#include "mxray/desk.h"
#include "mxray/correct.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/kb.h"
#include "mxray/sample.h"
#include "mxray/store.h"
#include "mxray/util.h"

static store *st;
static kb *k;
static desk *d;
static const char *dbpath;

static int64_t q(const char *sql)
{
	return db_int(st, sql);
}

static int group_setup(void **state)
{
	(void)state;
	sample_data_open(&st, &k, &dbpath, false);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	db_fixture_close(st, k, dbpath);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	char *err = NULL;
	store_exec(st, "DELETE FROM correction", &err);
	d = desk_open(st, "2021-06-08", "tester", 5, k, &err);
	assert_non_null(d);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	desk_free(d);
	return 0;
}

static void test_queue_and_candidates(void **state)
{
	(void)state;
	assert_int_equal(desk_nrows(d), q("SELECT count(*) FROM infer_ip WHERE live = 1"));
	int64_t cand = q("SELECT count(*) FROM infer_ip WHERE live = 1 AND ((company IS NOT NULL AND confidence < 5)"
			 " OR heuristic IS NOT NULL)");
	assert_int_equal(cand, 77);
	assert_int_equal(desk_nvisible(d), cand);
	/* least confident first, then most domains */
	for (size_t i = 1; i < desk_nvisible(d); i++) {
		const desk_row *a = desk_row_get(d, desk_visible(d, i - 1)), *b = desk_row_get(d, desk_visible(d, i));
		assert_true(a->confidence < b->confidence || (a->confidence == b->confidence && a->domains >= b->domains));
		assert_true(b->candidate);
	}
	size_t rev, rem, flg;
	desk_counts(d, &rev, &rem, &flg);
	assert_int_equal(rev, 0);
	assert_int_equal(rem, 77);
	assert_int_equal(flg, q("SELECT count(*) FROM infer_ip WHERE live = 1 AND heuristic IS NOT NULL"));
	desk_show_all(d, true);
	assert_int_equal(desk_nvisible(d), desk_nrows(d));
	desk_set_sort(d, SORT_DOMAINS, false);
	const desk_row *top = desk_row_get(d, desk_visible(d, 0));
	assert_int_equal(top->domains, q("SELECT max(num_ip) FROM infer_ip WHERE live = 1"));
	desk_set_sort(d, SORT_DOMAINS, true);
	assert_int_equal(desk_row_get(d, desk_visible(d, 0))->domains, q("SELECT min(num_ip) FROM infer_ip WHERE live = 1"));
}

static void test_filters(void **state)
{
	(void)state;
	const char *why = NULL;
	desk_show_all(d, true);
	assert_true(desk_set_filter(d, "company=google", &why));
	assert_string_equal(desk_filter_text(d), "company=google");
	assert_int_equal(desk_nvisible(d), q("SELECT count(*) FROM infer_ip WHERE live = 1 AND (company LIKE '%google%'"
					     " OR provider_id LIKE '%google%')"));
	assert_true(desk_set_filter(d, "flag=yes source=mx", &why));
	assert_int_equal(desk_nvisible(d), q("SELECT count(*) FROM infer_ip WHERE live = 1 AND heuristic IS NOT NULL"
					     " AND source = 'mx'"));
	assert_true(desk_set_filter(d, "Cisco", &why));
	assert_string_equal(desk_filter_text(d), "company=Cisco");
	assert_int_equal(desk_nvisible(d), q("SELECT count(*) FROM infer_ip WHERE live = 1 AND company = 'Cisco'"));
	assert_false(desk_set_filter(d, "flag=maybe", &why));
	assert_string_equal(why, "flag is yes or no");
	assert_false(desk_set_filter(d, "colour=red", &why));
	assert_string_equal(why, "filters are company=, source=, flag=, status=");
	assert_string_equal(desk_filter_text(d), "company=Cisco"); /* a bad filter changes nothing */
	assert_true(desk_set_filter(d, "", &why));
	assert_int_equal(desk_nvisible(d), desk_nrows(d));
}

static void test_search(void **state)
{
	(void)state;
	bool wrapped;
	desk_show_all(d, true);
	desk_set_sort(d, SORT_IP, false);
	/* an IP */
	long hit = desk_search(d, "216.71.163.64", 0, 1, &wrapped);
	assert_true(hit >= 0);
	assert_string_equal(desk_row_get(d, desk_visible(d, (size_t)hit))->ip, "216.71.163.64");
	/* a domain, named exactly: the rows serving its primary MX */
	hit = desk_search(d, "arlingtontech.edu", 0, 1, &wrapped);
	assert_true(hit >= 0);
	const desk_row *r = desk_row_get(d, desk_visible(d, (size_t)hit));
	assert_true(!strcmp(r->ip, "216.71.163.64") || !strcmp(r->ip, "185.12.83.143"));
	/* provider IDs and host names, case-insensitively, wrapping */
	long first = desk_search(d, "YANDEX", 0, 1, &wrapped);
	assert_true(first >= 0);
	long last = desk_search(d, "yandex", (size_t)first, -1, &wrapped);
	assert_true(wrapped);
	assert_true(last >= first);
	assert_true(strstr(desk_row_get(d, desk_visible(d, (size_t)last))->provider_id, "yandex") != NULL);
	assert_int_equal(desk_search(d, "no-such-thing.example", 0, 1, &wrapped), -1);
}

static void test_decisions_undo_redo(void **state)
{
	(void)state;
	char *err = NULL;
	size_t r0 = desk_visible(d, 0), r1 = desk_visible(d, 1);
	char *ip0 = xstrdup(desk_row_get(d, r0)->ip);
	assert_int_equal(desk_decide(d, &r0, 1, 'c', NULL, NULL, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 'c');
	assert_int_equal(q("SELECT count(*) FROM correction WHERE scope = 'ip' AND verdict = 'confirm' AND"
			   " snapshot = '2021-06-08' AND analyst = 'tester' AND undone_at IS NULL"), 1);
	assert_int_equal(desk_decide(d, &r1, 1, 'o', "Microsoft", NULL, &err), 1);
	assert_string_equal(desk_row_get(d, r1)->decided, "outlook.com");
	size_t rev, rem, flg;
	desk_counts(d, &rev, &rem, &flg);
	assert_int_equal(rev, 2);
	assert_int_equal(rem, 75);
	/* undo the override, then the confirm; redo the confirm */
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r1)->verdict, 0);
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 0);
	assert_int_equal(desk_undo(d, &err), 0);
	assert_int_equal(desk_redo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 'c');
	assert_int_equal(q("SELECT count(*) FROM correction"), 3);
	assert_int_equal(q("SELECT count(*) FROM correction WHERE undone_at IS NOT NULL"), 2);
	/* a new decision clears the redo stack */
	assert_int_equal(desk_decide(d, &r0, 1, 's', NULL, NULL, &err), 1);
	assert_int_equal(desk_redo(d, &err), 0);
	/* a note re-records the standing decision */
	assert_int_equal(desk_note(d, r0, "own Postfix", &err), 1);
	assert_string_equal(desk_row_get(d, r0)->note, "own Postfix");
	assert_int_equal(desk_row_get(d, r0)->verdict, 's');
	assert_int_equal(desk_note(d, r1, "x", &err), -1);
	assert_string_equal(err, "decide first (c, o, s, a or r), then add a note");
	free(err);
	/* decisions survive reopening the desk */
	desk_free(d);
	d = desk_open(st, "2021-06-08", "tester", 5, k, &err);
	for (size_t i = 0; i < desk_nrows(d); i++)
		if (!strcmp(desk_row_get(d, i)->ip, ip0))
			assert_int_equal(desk_row_get(d, i)->verdict, 's');
	free(ip0);
}

static void test_accept_reject_and_bulk(void **state)
{
	(void)state;
	char *err = NULL;
	/* the Cisco customer's row: accept keeps iphmx.com; reject sets the evidence's ID */
	size_t cisco = (size_t)-1;
	for (size_t i = 0; i < desk_nrows(d); i++)
		if (!strcmp(desk_row_get(d, i)->ip, "216.71.163.64"))
			cisco = i;
	assert_true(cisco != (size_t)-1);
	assert_string_equal(desk_row_get(d, cisco)->heuristic, "as-suggestion");
	assert_int_equal(desk_decide(d, &cisco, 1, 'r', NULL, NULL, &err), 1);
	assert_string_equal(desk_row_get(d, cisco)->decided, "arlingtontech.edu");
	assert_string_equal(desk_row_get(d, cisco)->note, "heuristic as-suggestion rejected");
	/* accept pins what the heuristic proposes */
	assert_string_equal(desk_row_get(d, cisco)->suggested, "iphmx.com");
	assert_int_equal(desk_decide(d, &cisco, 1, 'a', NULL, NULL, &err), 1);
	assert_int_equal(desk_row_get(d, cisco)->verdict, 'o');
	assert_string_equal(desk_row_get(d, cisco)->decided, "iphmx.com");
	/* the key path: tag three rows, confirm them after a y/n prompt */
	desk_view v;
	desk_view_init(&v);
	v.page = 10;
	assert_int_equal(desk_act(d, &v, keymap_lookup('G')) & DESK_REDRAW, DESK_REDRAW);
	assert_int_equal(v.cursor, desk_nvisible(d) - 1);
	desk_act(d, &v, keymap_lookup('g'));
	assert_int_equal(v.cursor, 0);
	desk_act(d, &v, keymap_lookup('t'));
	desk_act(d, &v, keymap_lookup('t'));
	desk_act(d, &v, keymap_lookup('t'));
	assert_int_equal(desk_ntagged(d), 3);
	assert_int_equal(v.cursor, 3);
	unsigned f = desk_act(d, &v, keymap_lookup('c'));
	assert_true(f & DESK_PROMPT);
	assert_int_equal(v.prompt, PROMPT_YESNO);
	assert_string_equal(v.prompt_label, "Confirm 3 tagged rows? (y/n) ");
	desk_answer(d, &v, "y");
	assert_string_equal(v.message, "saved: 3 decisions (confirmed)");
	assert_int_equal(desk_ntagged(d), 0);
	/* one undo takes the whole bulk step back */
	desk_act(d, &v, keymap_lookup('u'));
	assert_string_equal(v.message, "undone: 3 decisions (saved)");
	/* accept every pending heuristic in view */
	f = desk_act(d, &v, keymap_lookup('A'));
	assert_true(f & DESK_PROMPT);
	size_t pending = 0;
	for (size_t i = 0; i < desk_nvisible(d); i++) {
		const desk_row *r = desk_row_get(d, desk_visible(d, i));
		pending += r->heuristic && !r->decision;
	}
	char want[128];
	snprintf(want, sizeof want, "Accept the heuristic on all %zu pending rows in view? (y/n) ", pending);
	assert_string_equal(v.prompt_label, want);
	desk_answer(d, &v, "n");
	assert_string_equal(v.message, "cancelled");
	desk_act(d, &v, keymap_lookup('A'));
	desk_answer(d, &v, "y");
	snprintf(want, sizeof want, "saved: %zu heuristics accepted", pending);
	assert_string_equal(v.message, want);
	/* override through the prompt; a bad name saves nothing */
	desk_act(d, &v, keymap_lookup('o'));
	assert_int_equal(v.prompt, PROMPT_OVERRIDE);
	desk_answer(d, &v, "bad name!");
	assert_string_equal(v.message, "'bad name!' is not a provider ID (a registered domain) or a known company: nothing saved");
	desk_act(d, &v, keymap_lookup('o'));
	desk_answer(d, &v, "micro");
	assert_string_equal(v.message, "'micro' is not a provider ID (a registered domain) or a known company: nothing saved");
	desk_act(d, &v, keymap_lookup('o'));
	desk_answer(d, &v, "Zoho");
	assert_string_equal(v.message, "saved: 1 decision (set Zoho)");
	assert_string_equal(desk_row_get(d, desk_visible(d, v.cursor))->decided, "zoho.com");
	desk_view_free(&v);
	/* a decided row leaves a status=pending view; the cursor keeps its place */
	const char *why;
	assert_true(desk_set_filter(d, "status=pending", &why));
	v.cursor = 2;
	size_t before = desk_nvisible(d);
	const char *next_ip = desk_row_get(d, desk_visible(d, 3))->ip;
	desk_act(d, &v, keymap_lookup('c'));
	assert_int_equal(desk_nvisible(d), before - 1);
	assert_int_equal(v.cursor, 2);
	assert_string_equal(desk_row_get(d, desk_visible(d, 2))->ip, next_ip);
	assert_true(desk_set_filter(d, "", &why));
	/* a bulk override asks y/n first */
	desk_act(d, &v, keymap_lookup('g'));
	desk_act(d, &v, keymap_lookup('t'));
	desk_act(d, &v, keymap_lookup('t'));
	desk_act(d, &v, keymap_lookup('o'));
	desk_answer(d, &v, "Zoho");
	assert_int_equal(v.prompt, PROMPT_YESNO);
	assert_string_equal(v.prompt_label, "Set 2 tagged rows to Zoho? (y/n) ");
	desk_answer(d, &v, "y");
	assert_string_equal(v.message, "saved: 2 decisions (set Zoho)");
	const char *c[8];
	assert_int_equal(desk_complete(d, "goo", c, 8), 2);
	assert_string_equal(c[0], "Google");
	assert_string_equal(c[1], "google.com");
}

static void test_view_keys(void **state)
{
	(void)state;
	desk_view v;
	desk_view_init(&v);
	v.page = 10;
	desk_act(d, &v, keymap_lookup(KEY_X_PGDN));
	assert_int_equal(v.cursor, 10);
	assert_int_equal(v.top, 1);
	desk_act(d, &v, keymap_lookup(CTRL('U')));
	assert_int_equal(v.cursor, 5);
	desk_act(d, &v, keymap_lookup('k'));
	assert_int_equal(v.cursor, 4);
	desk_act(d, &v, keymap_lookup(KEY_X_TAB));
	assert_int_equal(v.focus, 1);
	desk_act(d, &v, keymap_lookup('4'));
	assert_int_equal(v.focus, 3);
	assert_true(desk_act(d, &v, keymap_lookup('O')) & DESK_RELAYOUT);
	assert_int_equal(v.maximized, 3);
	/* q first leaves the maximised pane, then quits */
	assert_false(desk_act(d, &v, keymap_lookup('q')) & DESK_QUIT);
	assert_int_equal(v.maximized, -1);
	desk_act(d, &v, keymap_lookup('?'));
	assert_true(v.help);
	desk_act(d, &v, keymap_lookup('x'));
	assert_false(v.help);
	desk_act(d, &v, keymap_lookup('v'));
	assert_int_equal(desk_nvisible(d), desk_nrows(d));
	assert_string_equal(v.message, "all rows");
	desk_act(d, &v, keymap_lookup('S'));
	assert_string_equal(v.message, "sort: domains");
	desk_act(d, &v, keymap_lookup('/'));
	assert_int_equal(v.prompt, PROMPT_SEARCH);
	desk_answer(d, &v, "yandex");
	assert_non_null(strstr(desk_row_get(d, desk_visible(d, v.cursor))->provider_id, "yandex"));
	size_t at = v.cursor;
	desk_act(d, &v, keymap_lookup('n'));
	assert_true(v.cursor != at);
	desk_act(d, &v, keymap_lookup('N'));
	assert_int_equal(v.cursor, at);
	desk_act(d, &v, keymap_lookup('u'));
	assert_string_equal(v.message, "nothing to undo");
	assert_true(v.message_error);
	assert_true(desk_act(d, &v, keymap_lookup('Q')) & DESK_QUIT);
	desk_view_free(&v);
}

static void test_evidence_escapes_hostile_text(void **state)
{
	(void)state;
	/* every row's panes: no control byte, and the ESC banners escaped */
	int escaped = 0;
	for (size_t i = 0; i < desk_nrows(d); i++) {
		desk_pane p[PANE_COUNT];
		desk_line verdict;
		desk_evidence(d, i, p, &verdict);
		for (int j = 0; j < PANE_COUNT; j++)
			for (size_t li = 0; li < p[j].n; li++) {
				desk_line *l = &p[j].lines[li];
				for (size_t b = 0; b < l->len; b++) {
					assert_true((unsigned char)l->text[b] >= 0x20 && l->text[b] != 0x7f);
					if (l->roles[b] == ROLE_ESCAPED && l->text[b] == 'e' && b && l->text[b - 1] == '\\')
						escaped++;
				}
			}
		for (size_t b = 0; b < verdict.len; b++)
			assert_true((unsigned char)verdict.text[b] >= 0x20);
		for (int j = 0; j < PANE_COUNT; j++)
			desk_pane_free(&p[j]);
		desk_line_free(&verdict);
		desk_line row;
		desk_row_line(d, i, &row);
		for (size_t b = 0; b < row.len; b++)
			assert_true((unsigned char)row.text[b] >= 0x20);
		desk_line_free(&row);
	}
	assert_true(escaped > 0);
	/* the compact rows fit 80 columns */
	desk_set_compact(d, true);
	assert_true(strlen(desk_header(d)) <= 80);
	for (size_t i = 0; i < desk_nrows(d); i++) {
		desk_line row;
		desk_row_line(d, i, &row);
		assert_true(row.len <= 80);
		desk_line_free(&row);
	}
	desk_set_compact(d, false);
	/* the Cisco row's AS pane says what the company's ASNs are */
	for (size_t i = 0; i < desk_nrows(d); i++) {
		if (strcmp(desk_row_get(d, i)->ip, "216.71.163.64"))
			continue;
		desk_pane p[PANE_COUNT];
		desk_line verdict;
		desk_evidence(d, i, p, &verdict);
		assert_string_equal(p[PANE_AS].lines[0].text, "ASN      AS30215");
		assert_non_null(strstr(verdict.text, "as-suggestion: AS suggestion: every SMTP address is in an AS of Cisco"));
		assert_string_equal(p[PANE_CERT].lines[0].text, "trusted  yes (browser-trusted)");
		for (int j = 0; j < PANE_COUNT; j++)
			desk_pane_free(&p[j]);
		desk_line_free(&verdict);
	}
}

static void test_eval_mode(void **state)
{
	(void)state;
	char *err = NULL;
	FILE *devnull = fopen("/dev/null", "w");
	sample_req r = {"deskeval", "2021-06-08", NULL, 12, false, 99, NULL};
	assert_int_equal(sample_create(st, &r, devnull, &err), 12);
	fclose(devnull);
	desk *e = desk_open_eval(st, "deskeval", "labeller", k, &err);
	assert_non_null(e);
	assert_true(desk_is_eval(e));
	assert_int_equal(desk_nvisible(e), 12);
	/* sample order */
	for (size_t i = 0; i < 12; i++)
		assert_int_equal(desk_row_get(e, desk_visible(e, i))->pos, i);
	desk_view v;
	desk_view_init(&v);
	v.page = 10;
	/* c: the final answer is the truth; the cursor moves on */
	desk_act(e, &v, keymap_lookup('c'));
	assert_string_equal(v.message, "saved: 1 label (1/12 labelled)");
	assert_int_equal(v.cursor, 1);
	const desk_row *r0 = desk_row_get(e, desk_visible(e, 0));
	char *want = label_canonical(k, r0->answers[4], &err);
	assert_string_equal(r0->label, want);
	free(want);
	/* o: an approach's name takes its answer; several with ';' */
	desk_act(e, &v, keymap_lookup('o'));
	assert_int_equal(v.prompt, PROMPT_OVERRIDE);
	desk_answer(e, &v, "Google; Microsoft");
	assert_string_equal(desk_row_get(e, desk_visible(e, 1))->label, "Google;Microsoft");
	desk_act(e, &v, keymap_lookup('o'));
	desk_answer(e, &v, "mx");
	want = label_canonical(k, desk_row_get(e, desk_visible(e, 2))->answers[0], &err);
	assert_string_equal(desk_row_get(e, desk_visible(e, 2))->label, want);
	free(want);
	/* P takes the priority answer (and moves on); u takes it back */
	size_t at = v.cursor;
	desk_act(e, &v, keymap_lookup('P'));
	want = label_canonical(k, desk_row_get(e, desk_visible(e, at))->answers[3], &err);
	assert_string_equal(desk_row_get(e, desk_visible(e, at))->label, want);
	free(want);
	desk_act(e, &v, keymap_lookup('u'));
	assert_null(desk_row_get(e, desk_visible(e, at))->label);
	v.cursor = at;
	/* x: cannot decide; u takes it back */
	desk_act(e, &v, keymap_lookup('x'));
	assert_string_equal(desk_row_get(e, desk_visible(e, 3))->label, "");
	size_t lab, rem, ex;
	desk_counts(e, &lab, &rem, &ex);
	assert_int_equal(lab, 4);
	assert_int_equal(rem, 8);
	desk_act(e, &v, keymap_lookup('u'));
	assert_null(desk_row_get(e, desk_visible(e, 3))->label);
	desk_act(e, &v, keymap_lookup(CTRL('R')));
	assert_string_equal(desk_row_get(e, desk_visible(e, 3))->label, "");
	/* search finds companies in eval mode too */
	bool wrapped;
	const char *fin = desk_row_get(e, desk_visible(e, 5))->answers[4];
	char lower[64];
	snprintf(lower, sizeof lower, "%s", fin);
	for (char *p = lower; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	assert_true(desk_search(e, lower, 0, 1, &wrapped) >= 0);
	/* triage-only actions say so */
	desk_act(e, &v, keymap_lookup('a'));
	assert_true(v.message_error);
	/* the scores follow */
	eval_result res;
	assert_int_equal(eval_sample(st, "deskeval", &res, &err), 0);
	assert_int_equal(res.labelled, 4);
	assert_int_equal(res.undecidable, 1);
	assert_int_equal(res.correct[4], 1 + (desk_row_get(e, desk_visible(e, 2))->answers[4] &&
					      !strcmp(desk_row_get(e, desk_visible(e, 2))->answers[4],
						      desk_row_get(e, desk_visible(e, 2))->answers[0])) +
					     (strcmp(desk_row_get(e, desk_visible(e, 1))->answers[4], "Google;Microsoft") == 0 ||
					      strcmp(desk_row_get(e, desk_visible(e, 1))->answers[4], "Microsoft;Google") == 0));
	/* evidence: the answers pane, and no control byte anywhere */
	desk_pane p[PANE_COUNT];
	desk_line verdict;
	desk_evidence(e, desk_visible(e, 0), p, &verdict);
	assert_string_equal(p[PANE_MX].title, "answers");
	assert_int_equal(strncmp(p[PANE_MX].lines[0].text, "label     ", 10), 0);
	for (int j = 0; j < PANE_COUNT; j++) {
		for (size_t li = 0; li < p[j].n; li++)
			for (size_t b = 0; b < p[j].lines[li].len; b++)
				assert_true((unsigned char)p[j].lines[li].text[b] >= 0x20);
		desk_pane_free(&p[j]);
	}
	desk_line_free(&verdict);
	eval_result *all = NULL;
	assert_true(desk_chart(e, &all) >= 1);
	free(all);
	desk_view_free(&v);
	desk_free(e);
}

/* A bulk step is undone and redone whole or not at all: when one of its
 * decisions was undone elsewhere meanwhile, the desk's undo fails, names
 * it, changes nothing and keeps the step. */
static void test_bulk_undo_all_or_nothing(void **state)
{
	(void)state;
	char *err = NULL;
	size_t rows[3] = {desk_visible(d, 0), desk_visible(d, 1), desk_visible(d, 2)};
	assert_int_equal(desk_decide(d, rows, 3, 'c', NULL, NULL, &err), 3);
	int64_t last = q("SELECT max(id) FROM correction");
	assert_int_equal(correct_undo(st, last, "someone-else", &err), 0);
	assert_int_equal(q("SELECT count(*) FROM correction WHERE undone_at IS NULL"), 2);
	assert_int_equal(desk_undo(d, &err), -1);
	char want[64];
	snprintf(want, sizeof want, "decision #%lld is already undone", (long long)last);
	assert_string_equal(err, want);
	free(err);
	err = NULL;
	assert_int_equal(q("SELECT count(*) FROM correction WHERE undone_at IS NULL"), 2);
	assert_int_equal(desk_row_get(d, rows[0])->verdict, 'c');
	assert_int_equal(desk_redo(d, &err), 0);
	/* redone elsewhere under a new id: the step still names the old one */
	assert_true(correct_redo(st, last, &err) > last);
	assert_int_equal(desk_undo(d, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(q("SELECT count(*) FROM correction WHERE undone_at IS NULL"), 3);
	assert_int_equal(q("SELECT count(*) FROM correction"), 4);
}

/* the view follows accept-all, undo and redo; a bulk label that fails on
 * one row writes none */
static void test_views_follow_and_bulk_labels(void **state)
{
	(void)state;
	char *err = NULL;
	const char *why;
	desk_view v;
	desk_view_init(&v);
	v.page = 10;
	assert_true(desk_set_filter(d, "status=pending flag=yes", &why));
	size_t n0 = desk_nvisible(d);
	assert_int_equal(n0, q("SELECT count(*) FROM infer_ip WHERE snapshot = '2021-06-08' AND live = 1"
			       " AND heuristic IS NOT NULL"));
	assert_true(n0 > 0);
	desk_act(d, &v, keymap_lookup('A'));
	desk_answer(d, &v, "y");
	assert_int_equal(desk_nvisible(d), 0);
	desk_act(d, &v, keymap_lookup('u'));
	assert_int_equal(desk_nvisible(d), n0);
	desk_act(d, &v, keymap_lookup(CTRL('R')));
	assert_int_equal(desk_nvisible(d), 0);
	desk_view_free(&v);

	FILE *devnull = fopen("/dev/null", "w");
	sample_req r = {"bulklabels", "2021-06-08", NULL, 60, false, 5, NULL};
	assert_int_equal(sample_create(st, &r, devnull, &err), 60);
	fclose(devnull);
	desk *e = desk_open_eval(st, "bulklabels", "labeller", k, &err);
	assert_non_null(e);
	/* the database refuses the second row's label */
	size_t rows[2] = {desk_visible(e, 0), desk_visible(e, 1)};
	char sql[300];
	snprintf(sql, sizeof sql, "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.label WHEN NEW.domain = '%s'"
		 " BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END", desk_row_get(e, rows[1])->ip);
	assert_int_equal(store_exec(st, sql, &err), 0);
	assert_int_equal(desk_label(e, rows, 2, "final", &err), -1);
	assert_non_null(strstr(err, "refused by a test trigger"));
	free(err);
	err = NULL;
	assert_int_equal(store_exec(st, "DROP TRIGGER temp.refuse", &err), 0);
	assert_null(desk_row_get(e, rows[0])->label);
	assert_int_equal(q("SELECT count(*) FROM label WHERE sample = 'bulklabels'"), 0);
	/* sorted by status, a labelled domain goes after the unlabelled ones */
	const char *first = desk_row_get(e, desk_visible(e, 0))->ip;
	size_t one = desk_visible(e, 0);
	assert_int_equal(desk_label(e, &one, 1, "final", &err), 1);
	desk_set_sort(e, SORT_STATUS, false);
	assert_string_equal(desk_row_get(e, desk_visible(e, desk_nvisible(e) - 1))->ip, first);
	assert_null(desk_row_get(e, desk_visible(e, 0))->label);
	assert_int_equal(desk_undo(e, &err), 1);
	desk_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue_and_candidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decisions_undo_redo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_reject_and_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_undo_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_follow_and_bulk_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_escapes_hostile_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_mode, setup, teardown),
	};
	return cmocka_run_group_tests_name("desk", tests, group_setup, group_teardown);
}
