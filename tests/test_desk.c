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

#include <ctype.h>
#include <string.h>

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
	assert_int_equal(cand, 81);
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
	assert_int_equal(rem, 81);
	assert_int_equal(flg, q("SELECT count(*) FROM infer_ip WHERE live = 1 AND heuristic IS NOT NULL"));
	desk_show_all(d, true);
	assert_int_equal(desk_nvisible(d), desk_nrows(d));
	desk_set_sort(d, SORT_DOMAINS, false);
	const desk_row *top = desk_row_get(d, desk_visible(d, 0));
	assert_int_equal(top->domains, q("SELECT max(num_ip) FROM infer_ip WHERE live = 1"));
	desk_set_sort(d, SORT_DOMAINS, true);
	assert_int_equal(desk_row_get(d, desk_visible(d, 0))->domains, q("SELECT min(num_ip) FROM infer_ip WHERE live = 1"));
}

/* Run the desk's background work to its end (what the UI does between
 * keys), answering what it says. */
static unsigned settle(desk *x, desk_view *v)
{
	unsigned f = 0;
	for (int i = 0; i < 100000 && desk_busy(x); i++)
		f |= desk_tick(x, v);
	return f;
}

/* Whether s holds text (lower case), s's letters in any case. */
static bool holds(const char *s, const char *text)
{
	char low[256];
	size_t i = 0;
	for (; s && s[i] && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[i] = 0;
	return s && strstr(low, text);
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
	assert_string_equal(why, "filters are company=, source=, flag=, status=, heuristic=, asn=, cert=, banner=");
	assert_string_equal(desk_filter_text(d), "company=Cisco"); /* a bad filter changes nothing */
	assert_true(desk_set_filter(d, "", &why));
	assert_int_equal(desk_nvisible(d), desk_nrows(d));
	/* the queue alone (not every row): a company filter keeps the rows
	 * of it whose company or provider ID holds the text, in any case
	 * (pphosted.com: the provider IDs of ProofPoint's 16 rows there) */
	desk_show_all(d, false);
	size_t n = desk_nvisible(d);
	static const struct {
		const char *filter, *text;
		size_t rows;
	} by[] = {{"company=PHOSTED", "phosted", 16}, {"company=cIsCo", "cisco", 25}};
	for (size_t f = 0; f < sizeof by / sizeof by[0]; f++) {
		size_t want = 0;
		for (size_t i = 0; i < n; i++) {
			const desk_row *r = desk_row_get(d, desk_visible(d, i));
			want += holds(r->company, by[f].text) || holds(r->provider_id, by[f].text);
		}
		assert_int_equal(want, by[f].rows);
		assert_true(desk_set_filter(d, by[f].filter, &why));
		assert_int_equal(desk_nvisible(d), want);
		assert_true(desk_set_filter(d, "", &why));
		assert_int_equal(desk_nvisible(d), n);
	}
	/* labels are for a sample's domains: a desk on addresses refuses */
	size_t row0 = desk_visible(d, 0);
	char *err = NULL;
	assert_int_equal(desk_label(d, &row0, 1, "final", &err), -1);
	assert_string_equal(err, "labels are for a sample's domains: open the desk on a sample");
	free(err);
	desk_show_all(d, true);
}

/* A desk opened anew whose background work goes 16 rows a slice: what
 * takes a few slices here takes hundreds at ten million domains. */
static void reopen_sliced(void)
{
	char *err = NULL;
	desk_free(d);
	d = desk_open(st, "2021-06-08", "tester", 5, k, &err);
	assert_non_null(d);
	desk_set_slice(d, 16);
	desk_show_all(d, true);
}

/* A filter that reads a field of every row (company, AS, heuristic) waits
 * for that work, a slice at a time between keys, with the view as it was
 * and the status line saying how far it is; then it is applied. */
static void test_filters_wait(void **state)
{
	(void)state;
	static const char *const filters[] = {"company=google", "asn=AS26496", "heuristic=hostname"};
	static const char *const want[] = {
		"SELECT count(*) FROM infer_ip WHERE live = 1 AND (company LIKE '%google%' OR provider_id LIKE '%google%')",
		"SELECT count(*) FROM infer_ip WHERE live = 1 AND asn = 26496",
		"SELECT count(*) FROM infer_ip WHERE live = 1 AND heuristic LIKE 'hostname%'",
	};
	for (int i = 0; i < 3; i++) {
		reopen_sliced();
		desk_view v;
		desk_view_init(&v);
		const char *why;
		size_t all = desk_nvisible(d);
		int pc = -1;
		assert_true(desk_set_filter(d, filters[i], &why));
		assert_true(desk_filter_pending(d, &pc));
		assert_true(pc >= 0 && pc < 50);
		assert_int_equal(desk_nvisible(d), all); /* the view waits */
		assert_true(desk_busy(d));
		unsigned f = desk_tick(d, &v);
		assert_true(desk_filter_pending(d, NULL)); /* one slice is not all of it */
		assert_true(f == 0 || (f & DESK_REDRAW));
		assert_true(settle(d, &v) & DESK_REDRAW);
		assert_false(desk_filter_pending(d, NULL));
		assert_int_equal(desk_nvisible(d), q(want[i]));
		assert_true(desk_nvisible(d) > 0 && desk_nvisible(d) < all);
		char msg[64];
		snprintf(msg, sizeof msg, "%zu rows", desk_nvisible(d));
		assert_string_equal(v.message, msg);
		desk_view_free(&v);
	}
	/* through the prompt: the status line says it is filtering */
	reopen_sliced();
	desk_view v;
	desk_view_init(&v);
	desk_act(d, &v, keymap_lookup('f'));
	assert_int_equal(v.prompt, PROMPT_FILTER);
	desk_answer(d, &v, "company=google");
	assert_true(desk_filter_pending(d, NULL));
	assert_true(!strncmp(v.message, "filtering: ", 11) && strstr(v.message, "% (keys still work)"));
	settle(d, &v);
	assert_int_equal(desk_nvisible(d), q(want[0]));
	desk_view_free(&v);
}

/* While a new filter waits for its work, the view keeps the filter in
 * force, its evidence matches too: a key that rebuilds the view (a sort)
 * shows that filter's rows, and the new one comes when it is applied
 * (the waiting filter once took over the matches: a crash, or no rows). */
static void test_filter_in_force_while_another_waits(void **state)
{
	(void)state;
	static const char *const next[] = {"company=google", "cert=outlook company=microsoft"};
	static const char *const want[] = {
		"SELECT count(*) FROM infer_ip WHERE live = 1 AND (company LIKE '%google%' OR provider_id LIKE '%google%')",
		"SELECT count(*) FROM f_ip_ev i JOIN f_scan s ON s.snap = i.snap AND s.ip = i.ip JOIN infer_ip x"
		" ON x.snapshot = '2021-06-08' AND x.ip_int = i.ip WHERE i.live = 1 AND instr(lower(s.cert_names),"
		" 'outlook') AND (x.company LIKE '%microsoft%' OR x.provider_id LIKE '%microsoft%')",
	};
	int64_t outlook = q("SELECT count(*) FROM f_ip_ev i JOIN f_scan s ON s.snap = i.snap AND s.ip = i.ip"
			    " WHERE i.live = 1 AND instr(lower(s.cert_names), 'outlook')");
	assert_true(outlook > 0);
	for (int i = 0; i < 2; i++) {
		reopen_sliced();
		desk_view v;
		desk_view_init(&v);
		const char *why;
		assert_true(desk_set_filter(d, "cert=outlook", &why));
		for (int t = 0; t < 100000 && desk_filter_pending(d, NULL); t++)
			desk_tick(d, &v); /* this filter's work only: the names are not read yet */
		assert_int_equal(desk_nvisible(d), outlook);
		assert_true(desk_set_filter(d, next[i], &why));
		assert_true(desk_filter_pending(d, NULL));
		desk_act(d, &v, keymap_lookup('S')); /* a sort: the view is built again */
		assert_int_equal(desk_nvisible(d), outlook);
		settle(d, &v);
		assert_false(desk_filter_pending(d, NULL));
		assert_int_equal(desk_nvisible(d), q(want[i]));
		desk_view_free(&v);
	}
}

/* A search whose work a later n finishes is answered once: no tick moves
 * the cursor again afterwards. */
static void test_search_answered_once(void **state)
{
	(void)state;
	reopen_sliced();
	desk_view v;
	desk_view_init(&v);
	desk_act(d, &v, keymap_lookup('/'));
	desk_answer(d, &v, "outlook");
	assert_true(v.search_wait != 0);
	size_t at = v.cursor;
	for (int i = 0; i < 100000 && v.search_wait && v.cursor == at; i++)
		desk_act(d, &v, keymap_lookup('n'));
	assert_int_equal(v.search_wait, 0);
	assert_true(v.cursor != at);
	at = v.cursor;
	settle(d, &v);
	assert_int_equal(v.cursor, at);
	desk_view_free(&v);
}

/* A search reads every flagged row's heuristic and every row's names
 * first: between keys too, the cursor moving when it is done. */
static void test_search_waits(void **state)
{
	(void)state;
	reopen_sliced();
	desk_view v;
	desk_view_init(&v);
	desk_act(d, &v, keymap_lookup('/'));
	assert_int_equal(v.prompt, PROMPT_SEARCH);
	desk_answer(d, &v, "yandex");
	assert_true(v.search_wait != 0);
	assert_true(!strncmp(v.message, "searching: ", 11) && strstr(v.message, "% (keys still work)"));
	settle(d, &v);
	assert_int_equal(v.search_wait, 0);
	assert_non_null(strstr(desk_row_get(d, desk_visible(d, v.cursor))->provider_id, "yandex"));
	desk_view_free(&v);
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
	assert_string_equal(desk_row_get(d, r1)->more->decided, "outlook.com");
	size_t rev, rem, flg;
	desk_counts(d, &rev, &rem, &flg);
	assert_int_equal(rev, 2);
	assert_int_equal(rem, 79);
	/* undo the override, then the confirm; redo the confirm (the
	 * counts follow each step) */
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r1)->verdict, 0);
	desk_counts(d, &rev, &rem, &flg);
	assert_int_equal(rev, 1);
	assert_int_equal(rem, 80);
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 0);
	desk_counts(d, &rev, &rem, &flg);
	assert_int_equal(rev, 0);
	assert_int_equal(rem, 81);
	assert_int_equal(desk_undo(d, &err), 0);
	assert_int_equal(desk_redo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 'c');
	desk_counts(d, &rev, &rem, &flg);
	assert_int_equal(rev, 1);
	assert_int_equal(q("SELECT count(*) FROM correction"), 3);
	assert_int_equal(q("SELECT count(*) FROM correction WHERE undone_at IS NOT NULL"), 2);
	/* undo and redo swap what the rows show, as reading every decision
	 * again would show it: two steps on one row, undone and redone */
	assert_int_equal(desk_decide(d, &r0, 1, 'o', "Zoho", "n2", &err), 1);
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 'c');
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 0);
	assert_int_equal(desk_row_get(d, r0)->decision, 0);
	assert_int_equal(desk_redo(d, &err), 1);
	assert_int_equal(desk_redo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 'o');
	assert_string_equal(desk_row_get(d, r0)->more->decided, "zoho.com");
	assert_string_equal(desk_row_get(d, r0)->more->note, "n2");
	char *sql = xasprintf("SELECT max(id) FROM correction WHERE key = '%s' AND undone_at IS NULL", ip0);
	assert_int_equal(desk_row_get(d, r0)->decision, q(sql));
	assert_int_equal(desk_undo(d, &err), 1);
	assert_int_equal(desk_row_get(d, r0)->verdict, 'c');
	assert_int_equal(desk_row_get(d, r0)->decision, q(sql));
	free(sql);
	/* a new decision clears the redo stack */
	assert_int_equal(desk_decide(d, &r0, 1, 's', NULL, NULL, &err), 1);
	assert_int_equal(desk_redo(d, &err), 0);
	/* a note re-records the standing decision */
	assert_int_equal(desk_note(d, r0, "own Postfix", &err), 1);
	assert_string_equal(desk_row_get(d, r0)->more->note, "own Postfix");
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
	assert_string_equal(desk_row_get(d, cisco)->more->decided, "arlingtontech.edu");
	assert_string_equal(desk_row_get(d, cisco)->more->note, "heuristic as-suggestion rejected");
	/* accept pins what the heuristic proposes */
	assert_string_equal(desk_row_get(d, cisco)->more->suggested, "iphmx.com");
	assert_int_equal(desk_decide(d, &cisco, 1, 'a', NULL, NULL, &err), 1);
	assert_int_equal(desk_row_get(d, cisco)->verdict, 'o');
	assert_string_equal(desk_row_get(d, cisco)->more->decided, "iphmx.com");
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
	/* override through the prompt; a bad name saves nothing and the
	 * prompt opens again holding it, the error shown */
	desk_act(d, &v, keymap_lookup('o'));
	assert_int_equal(v.prompt, PROMPT_OVERRIDE);
	char label[sizeof v.prompt_label];
	memcpy(label, v.prompt_label, sizeof label);
	size_t was = v.cursor;
	assert_true(desk_answer(d, &v, "bad name!") & DESK_PROMPT);
	assert_string_equal(v.message, "'bad name!' is not a provider ID (a registered domain) or a known company: nothing saved");
	assert_true(v.message_error);
	assert_int_equal(v.prompt, PROMPT_OVERRIDE);
	assert_string_equal(v.prompt_label, label);
	assert_string_equal(v.prompt_fill, "bad name!");
	assert_int_equal(v.cursor, was);
	desk_answer(d, &v, "micro");
	assert_string_equal(v.message, "'micro' is not a provider ID (a registered domain) or a known company: nothing saved");
	assert_int_equal(v.prompt, PROMPT_OVERRIDE);
	desk_answer(d, &v, NULL);
	assert_int_equal(v.prompt, PROMPT_NONE);
	assert_string_equal(v.message, "cancelled");
	desk_act(d, &v, keymap_lookup('o'));
	desk_answer(d, &v, "Zoho");
	assert_string_equal(v.message, "saved: 1 decision (set Zoho)");
	/* on to the next row */
	assert_int_equal(v.cursor, was + 1);
	assert_string_equal(desk_row_get(d, desk_visible(d, was))->more->decided, "zoho.com");
	/* m: stay on the row after a decision */
	desk_act(d, &v, keymap_lookup('m'));
	assert_true(v.stay);
	desk_act(d, &v, keymap_lookup('s'));
	assert_int_equal(v.cursor, was + 1);
	assert_int_equal(desk_row_get(d, desk_visible(d, was + 1))->verdict, 's');
	desk_act(d, &v, keymap_lookup('m'));
	assert_false(v.stay);
	v.cursor = was;
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
		desk_line verdict[2];
		desk_evidence(d, i, 200, p, verdict);
		for (int j = 0; j < PANE_COUNT; j++)
			for (size_t li = 0; li < p[j].n; li++) {
				desk_line *l = &p[j].lines[li];
				for (size_t b = 0; b < l->len; b++) {
					assert_true((unsigned char)l->text[b] >= 0x20 && l->text[b] != 0x7f);
					if (l->roles[b] == ROLE_ESCAPED && l->text[b] == 'e' && b && l->text[b - 1] == '\\')
						escaped++;
				}
			}
		for (int k = 0; k < 2; k++) {
			for (size_t b = 0; b < verdict[k].len; b++)
				assert_true((unsigned char)verdict[k].text[b] >= 0x20);
			desk_line_free(&verdict[k]);
		}
		for (int j = 0; j < PANE_COUNT; j++)
			desk_pane_free(&p[j]);
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
		desk_line verdict[2];
		desk_evidence(d, i, 200, p, verdict);
		assert_string_equal(p[PANE_AS].lines[0].text, "ASN      AS30215");
		/* the comparison first: a short pane keeps it in view (the
		 * evidence claims the customer's own domain here) */
		assert_string_equal(p[PANE_AS].lines[1].text, "not a known company: no AS list to compare");
		assert_non_null(strstr(verdict[0].text, "as-suggestion: AS suggestion: every SMTP address is in an AS of Cisco"));
		assert_string_equal(verdict[1].text,
				    "no decision yet: c confirm  o override  s self-hosted  a accept  r reject  ? help");
		assert_string_equal(p[PANE_CERT].lines[0].text, "trusted  yes (browser-trusted)");
		for (int j = 0; j < PANE_COUNT; j++)
			desk_pane_free(&p[j]);
		desk_line_free(&verdict[0]);
		desk_line_free(&verdict[1]);
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
		assert_int_equal(desk_row_get(e, desk_visible(e, i))->sm->pos, i);
	desk_view v;
	desk_view_init(&v);
	v.page = 10;
	/* c: the final answer is the truth; the cursor moves on */
	desk_act(e, &v, keymap_lookup('c'));
	assert_string_equal(v.message, "saved: 1 label (1/12 labelled)");
	assert_int_equal(v.cursor, 1);
	const desk_row *r0 = desk_row_get(e, desk_visible(e, 0));
	char *want = label_canonical(k, r0->sm->answers[4], &err);
	assert_string_equal(r0->sm->label, want);
	free(want);
	/* o: an approach's name takes its answer; several with ';' */
	desk_act(e, &v, keymap_lookup('o'));
	assert_int_equal(v.prompt, PROMPT_OVERRIDE);
	desk_answer(e, &v, "Google; Microsoft");
	assert_string_equal(desk_row_get(e, desk_visible(e, 1))->sm->label, "Google;Microsoft");
	desk_act(e, &v, keymap_lookup('o'));
	desk_answer(e, &v, "mx");
	want = label_canonical(k, desk_row_get(e, desk_visible(e, 2))->sm->answers[0], &err);
	assert_string_equal(desk_row_get(e, desk_visible(e, 2))->sm->label, want);
	free(want);
	/* P takes the priority answer (and moves on); u takes it back */
	size_t at = v.cursor;
	desk_act(e, &v, keymap_lookup('P'));
	want = label_canonical(k, desk_row_get(e, desk_visible(e, at))->sm->answers[3], &err);
	assert_string_equal(desk_row_get(e, desk_visible(e, at))->sm->label, want);
	free(want);
	desk_act(e, &v, keymap_lookup('u'));
	assert_null(desk_row_get(e, desk_visible(e, at))->sm->label);
	v.cursor = at;
	/* x: cannot decide; u takes it back */
	desk_act(e, &v, keymap_lookup('x'));
	assert_string_equal(desk_row_get(e, desk_visible(e, 3))->sm->label, "");
	size_t lab, rem, ex;
	desk_counts(e, &lab, &rem, &ex);
	assert_int_equal(lab, 4);
	assert_int_equal(rem, 8);
	desk_act(e, &v, keymap_lookup('u'));
	assert_null(desk_row_get(e, desk_visible(e, 3))->sm->label);
	desk_counts(e, &lab, &rem, &ex);
	assert_int_equal(lab, 3);
	assert_int_equal(rem, 9);
	desk_act(e, &v, keymap_lookup(CTRL('R')));
	assert_string_equal(desk_row_get(e, desk_visible(e, 3))->sm->label, "");
	desk_counts(e, &lab, &rem, &ex);
	assert_int_equal(lab, 4);
	assert_int_equal(rem, 8);
	/* search finds companies in eval mode too */
	bool wrapped;
	const char *fin = desk_row_get(e, desk_visible(e, 5))->sm->answers[4];
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
	assert_int_equal(res.correct[4], 1 + (desk_row_get(e, desk_visible(e, 2))->sm->answers[4] &&
					      !strcmp(desk_row_get(e, desk_visible(e, 2))->sm->answers[4],
						      desk_row_get(e, desk_visible(e, 2))->sm->answers[0])) +
					     (strcmp(desk_row_get(e, desk_visible(e, 1))->sm->answers[4], "Google;Microsoft") == 0 ||
					      strcmp(desk_row_get(e, desk_visible(e, 1))->sm->answers[4], "Microsoft;Google") == 0));
	/* evidence: the answers pane, and no control byte anywhere */
	desk_pane p[PANE_COUNT];
	desk_line verdict[2];
	desk_evidence(e, desk_visible(e, 0), 120, p, verdict);
	assert_string_equal(p[PANE_MX].title, "answers");
	assert_int_equal(strncmp(p[PANE_MX].lines[0].text, "label     ", 10), 0);
	for (int j = 0; j < PANE_COUNT; j++) {
		for (size_t li = 0; li < p[j].n; li++)
			for (size_t b = 0; b < p[j].lines[li].len; b++)
				assert_true((unsigned char)p[j].lines[li].text[b] >= 0x20);
		desk_pane_free(&p[j]);
	}
	desk_line_free(&verdict[0]);
	desk_line_free(&verdict[1]);
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
	assert_null(desk_row_get(e, rows[0])->sm->label);
	assert_int_equal(q("SELECT count(*) FROM label WHERE sample = 'bulklabels'"), 0);
	/* sorted by status, a labelled domain goes after the unlabelled ones */
	const char *first = desk_row_get(e, desk_visible(e, 0))->ip;
	size_t one = desk_visible(e, 0);
	assert_int_equal(desk_label(e, &one, 1, "final", &err), 1);
	desk_set_sort(e, SORT_STATUS, false);
	assert_string_equal(desk_row_get(e, desk_visible(e, desk_nvisible(e) - 1))->ip, first);
	assert_null(desk_row_get(e, desk_visible(e, 0))->sm->label);
	assert_int_equal(desk_undo(e, &err), 1);
	desk_free(e);
}

/* The row of an address, or SIZE_MAX. */
static size_t row_of(desk *x, const char *ip)
{
	for (size_t i = 0; i < desk_nrows(x); i++)
		if (!strcmp(desk_row_get(x, i)->ip, ip))
			return i;
	return SIZE_MAX;
}

/* Columns of a display line (the test locale is C: a byte each). */
static int ends_whole_word(const desk_line *l)
{
	/* cut lines end in '~' after a space or a whole word */
	return l->len < 2 || l->text[l->len - 1] != '~' || l->text[l->len - 2] != ' ';
}

/* Issue 12, item 5: the verdict by fields, the decision always whole. */
static void test_verdict_fields(void **state)
{
	(void)state;
	char *err = NULL;
	size_t cisco = row_of(d, "216.71.163.64");
	assert_true(cisco != SIZE_MAX);
	const char *note = "a very long note that goes on and on about the customer and their provider and the weather"
			   " and everything else an analyst might write down at the end of a long day";
	assert_int_equal(desk_decide(d, &cisco, 1, 'o', "Microsoft", note, &err), 1);
	for (int w = 80; w <= 200; w += 120) {
		desk_pane p[PANE_COUNT];
		desk_line v[2];
		desk_evidence(d, cisco, w, p, v);
		for (int k = 0; k < 2; k++) {
			assert_true((int)v[k].len <= w);
			assert_true(ends_whole_word(&v[k]));
		}
		assert_int_equal(strncmp(v[0].text, "as-suggestion: AS suggestion:", 29), 0);
		/* the decision, whole, even when the note is cut */
		char want[64];
		snprintf(want, sizeof want, "decision #%lld: set outlook.com",
			 (long long)q("SELECT max(id) FROM correction"));
		assert_int_equal(strncmp(v[1].text, want, strlen(want)), 0);
		if (w == 80)
			assert_int_equal(v[1].text[v[1].len - 1], '~');
		for (int j = 0; j < PANE_COUNT; j++)
			desk_pane_free(&p[j]);
		desk_line_free(&v[0]);
		desk_line_free(&v[1]);
	}
	/* the row shows the decided answer at once (item 3), SRC whole (item 9) */
	desk_line l;
	desk_row_line(d, cisco, &l);
	assert_non_null(strstr(l.text, "outlook.com"));
	assert_non_null(strstr(l.text, "Microsoft"));
	assert_non_null(strstr(l.text, "correction "));
	desk_line_free(&l);
	desk_set_compact(d, true);
	desk_row_line(d, cisco, &l);
	assert_non_null(strstr(l.text, "correction "));
	assert_true(l.len <= 80);
	desk_line_free(&l);
	desk_set_compact(d, false);
}

/* Issue 12, item 6: search and filters look at the evidence. */
static void test_evidence_search_and_filters(void **state)
{
	(void)state;
	bool wrapped;
	desk_show_all(d, true);
	desk_set_sort(d, SORT_IP, false);
	/* gsmtp is in banners only: a row Google does not answer for */
	/* (the integer tables: the views join on text) */
	int64_t want = q("SELECT count(*) FROM f_ip_ev i JOIN f_scan s ON s.snap = i.snap AND s.ip = i.ip"
			 " LEFT JOIN scan_text r ON r.id = s.ehlo_rest WHERE i.live = 1"
			 " AND i.provider <> (SELECT id FROM name WHERE name = 'google.com')"
			 " AND (instr(lower(s.banner), 'gsmtp') OR instr(lower(" STORE_SCAN_EHLO("s", "r") "), 'gsmtp'))");
	assert_true(want > 0);
	long hit = -1;
	int64_t found = 0;
	for (long from = 0;; from = hit) {
		hit = desk_search(d, "GSMTP", (size_t)from, 1, &wrapped);
		assert_true(hit >= 0);
		if (wrapped && from)
			break;
		const desk_row *r = desk_row_get(d, desk_visible(d, (size_t)hit));
		char sql[400];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM f_scan s LEFT JOIN scan_text r ON r.id = s.ehlo_rest"
			 " WHERE s.ip = %u AND (instr(lower(s.banner), 'gsmtp') OR instr(lower(" STORE_SCAN_EHLO("s", "r")
			 "), 'gsmtp'))", r->ipnum);
		assert_int_equal(q(sql), 1);
		found += strcmp(r->provider_id, "google.com") != 0;
	}
	assert_int_equal(found, want);
	/* an AS name, the heuristics' reasons */
	hit = desk_search(d, "comcast", 0, 1, &wrapped);
	assert_true(hit >= 0);
	assert_int_equal(desk_row_get(d, desk_visible(d, (size_t)hit))->asn, 7922);
	hit = desk_search(d, "every smtp address", 0, 1, &wrapped);
	assert_true(hit >= 0);
	assert_string_equal(desk_row_get(d, desk_visible(d, (size_t)hit))->heuristic, "as-suggestion");
	/* filters on the evidence, the heuristic's kind, the AS */
	const char *why;
	desk_view v;
	desk_view_init(&v);
	assert_true(desk_set_filter(d, "banner=POSTFIX", &why));
	settle(d, &v);
	assert_false(desk_filter_pending(d, NULL));
	assert_int_equal(desk_nvisible(d), q("SELECT count(*) FROM f_ip_ev i JOIN f_scan s ON s.snap = i.snap"
					     " AND s.ip = i.ip LEFT JOIN scan_text r ON r.id = s.ehlo_rest WHERE i.live = 1"
					     " AND (instr(lower(s.banner), 'postfix') OR instr(lower(" STORE_SCAN_EHLO("s", "r")
					     "), 'postfix'))"));
	assert_true(desk_set_filter(d, "cert=outlook heuristic=suggest", &why));
	settle(d, &v);
	assert_int_equal(desk_nvisible(d), q("SELECT count(*) FROM f_ip_ev i JOIN f_scan s ON s.snap = i.snap"
					     " AND s.ip = i.ip JOIN f_host_ev h ON h.snap = i.snap AND h.host = i.best_host"
					     " WHERE i.live = 1 AND h.heuristic = 'as-suggestion'"
					     " AND instr(lower(s.cert_names), 'outlook')"));
	assert_true(desk_set_filter(d, "heuristic=hostname asn=AS26496", &why));
	assert_int_equal(desk_nvisible(d), q("SELECT count(*) FROM infer_ip WHERE live = 1 AND asn = 26496"
					     " AND heuristic LIKE 'hostname%'"));
	assert_true(desk_nvisible(d) > 0);
	assert_false(desk_set_filter(d, "asn=x", &why));
	assert_string_equal(why, "asn is a number (AS15169 or 15169)");
	assert_false(desk_set_filter(d, "heuristic=magic", &why));
	/* the filter prompt holds the filter in force */
	assert_true(desk_act(d, &v, keymap_lookup('f')) & DESK_PROMPT);
	assert_string_equal(v.prompt_fill, "heuristic=hostname asn=AS26496");
	desk_view_free(&v);
}

/* Issue 12, item 8: a decision that would split a domain asks, and the
 * wider scopes decide on MX hosts or domains. */
static void test_splits_and_scopes(void **state)
{
	(void)state;
	char *err = NULL;
	/* an address one of whose domains has another primary MX elsewhere,
	 * answering otherwise */
	const char *ip = db_text(st, "SELECT " STORE_IPV4_TEXT("m.ip") " FROM f_mx_ip m JOIN f_primary_mx p"
				 " ON p.snap = m.snap AND p.host = m.host JOIN f_ip_ev i ON i.snap = m.snap AND i.ip = m.ip"
				 " WHERE i.live = 1 AND EXISTS (SELECT 1 FROM f_primary_mx p2 JOIN f_host_ev h2"
				 " ON h2.snap = p2.snap AND h2.host = p2.host WHERE p2.snap = p.snap AND p2.domain = p.domain"
				 " AND p2.host <> p.host AND h2.provider <> i.provider) ORDER BY m.ip LIMIT 1");
	char addr[20];
	snprintf(addr, sizeof addr, "%.16s", ip);
	size_t row = row_of(d, addr);
	assert_true(row != SIZE_MAX);
	char *ex = NULL;
	assert_true(desk_splits(d, &row, 1, 'o', "Zoho", &ex) >= 1);
	assert_non_null(strstr(ex, " says "));
	free(ex);
	assert_int_equal(desk_splits(d, &row, 1, 'c', NULL, &ex), 0); /* a confirmation keeps the answer */
	/* the MX pane shows the domain's whole set */
	desk_pane p[PANE_COUNT];
	desk_line vl[2];
	desk_evidence(d, row, 200, p, vl);
	assert_int_equal(strncmp(p[PANE_MX].lines[0].text, "domains with primary MX elsewhere too", 37), 0);
	assert_non_null(strstr(p[PANE_MX].lines[1].text, "  answer "));
	bool here = false;
	for (size_t i = 2; i < p[PANE_MX].n; i++)
		here |= strstr(p[PANE_MX].lines[i].text, " -> ") && strstr(p[PANE_MX].lines[i].text, "(this address)");
	assert_true(here);
	for (int j = 0; j < PANE_COUNT; j++)
		desk_pane_free(&p[j]);
	desk_line_free(&vl[0]);
	desk_line_free(&vl[1]);
	/* the key path: o asks; d decides on the domains */
	desk_view v;
	desk_view_init(&v);
	desk_show_all(d, true);
	v.cursor = 0;
	while (desk_visible(d, v.cursor) != row)
		v.cursor++;
	desk_act(d, &v, keymap_lookup('o'));
	assert_int_equal(desk_answer(d, &v, "Zoho") & DESK_PROMPT, DESK_PROMPT);
	assert_int_equal(v.prompt, PROMPT_SPLIT);
	assert_non_null(strstr(v.message, "split across providers: "));
	desk_answer(d, &v, "n");
	assert_string_equal(v.message, "cancelled");
	assert_int_equal(q("SELECT count(*) FROM correction"), 0);
	v.cursor = 0;
	while (desk_visible(d, v.cursor) != row)
		v.cursor++;
	desk_act(d, &v, keymap_lookup('o'));
	desk_answer(d, &v, "Zoho");
	desk_answer(d, &v, "d");
	int64_t doms = q("SELECT count(*) FROM correction WHERE scope = 'domain' AND provider_id = 'zoho.com'");
	assert_true(doms >= 1);
	char sql[300];
	snprintf(sql, sizeof sql, "SELECT count(DISTINCT p.domain) FROM f_mx_ip m JOIN f_primary_mx p ON p.snap = m.snap"
		 " AND p.host = m.host WHERE m.ip = %u", desk_row_get(d, row)->ipnum);
	assert_int_equal(doms, q(sql));
	assert_int_equal(desk_act(d, &v, keymap_lookup('u')) & DESK_REDRAW, DESK_REDRAW);
	assert_int_equal(q("SELECT count(*) FROM correction WHERE undone_at IS NULL"), 0);
	/* z: decisions on the MX hosts; the row shows it */
	desk_act(d, &v, keymap_lookup('z'));
	assert_int_equal(v.scope, 'm');
	assert_string_equal(v.message, "decisions now on the MX hosts of the row (at most 1000; z again changes)");
	v.cursor = 0;
	while (desk_visible(d, v.cursor) != row)
		v.cursor++;
	desk_act(d, &v, keymap_lookup('c'));
	assert_int_equal(q("SELECT count(*) FROM correction WHERE scope = 'mx' AND undone_at IS NULL"),
			 db_int(st, "SELECT count(*) FROM correction WHERE scope = 'mx'"));
	assert_true(q("SELECT count(*) FROM correction WHERE scope = 'mx'") >= 1);
	assert_int_equal(desk_row_get(d, row)->dscope, 'm');
	desk_act(d, &v, keymap_lookup('z'));
	assert_int_equal(v.scope, 'd');
	desk_act(d, &v, keymap_lookup('z'));
	assert_int_equal(v.scope, 'i');
	desk_view_free(&v);
	assert_int_equal(desk_decide_scope(d, &row, 1, 'c', NULL, NULL, 'd', &err), (int)doms);
}

typedef struct {
	sqlite3 *other;
	int calls;
} locker;

/* The wait hook: the other process finishes after a few waits. */
static void release_later(void *arg, unsigned ms)
{
	locker *l = arg;
	(void)ms;
	if (++l->calls == 2)
		assert_int_equal(sqlite3_exec(l->other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* Issue 12, item 10: a decision waits for another process's lock (never
 * refused), and a change another process made shows (data_version). */
static void test_lock_and_other_desk(void **state)
{
	(void)state;
	char *err = NULL;
	locker l = {NULL, 0};
	assert_int_equal(sqlite3_open(dbpath, &l.other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(l.other, "BEGIN IMMEDIATE; INSERT INTO correction(scope, key, verdict, at)"
				      " VALUES('ip', '192.0.2.9', 'confirm', 'x')", NULL, NULL, NULL), SQLITE_OK);
	desk_set_wait_hook(d, release_later, &l);
	size_t r0 = desk_visible(d, 0);
	assert_int_equal(desk_decide(d, &r0, 1, 'c', NULL, NULL, &err), 1);
	assert_true(l.calls >= 2);
	assert_int_equal(q("SELECT count(*) FROM correction"), 2);
	/* the other process wrote meanwhile: the desk sees it when it looks */
	char *what = NULL;
	assert_true(desk_poll(d, &what));
	free(what);
	assert_false(desk_poll(d, &what));
	assert_null(what);
	size_t r1 = desk_visible(d, 1);
	char sql[300];
	snprintf(sql, sizeof sql, "INSERT INTO correction(scope, key, snapshot, verdict, provider_id, analyst, at)"
		 " VALUES('ip', '%s', '2021-06-08', 'set', 'zoho.com', 'other', 'x')", desk_row_get(d, r1)->ip);
	assert_int_equal(sqlite3_exec(l.other, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_true(desk_poll(d, &what));
	assert_string_equal(what, "another process changed decisions: read again");
	free(what);
	assert_int_equal(desk_row_get(d, r1)->verdict, 'o');
	assert_string_equal(desk_row_get(d, r1)->more->decided, "zoho.com");
	assert_false(desk_poll(d, &what));
	sqlite3_close(l.other);
}

/* Issue 12, item 3: the session's decisions applied to the answers. */
static void test_apply(void **state)
{
	(void)state;
	char *err = NULL;
	size_t row = row_of(d, "216.71.163.64");
	assert_int_equal(desk_decide(d, &row, 1, 'o', "Zoho", NULL, &err), 1);
	size_t w, u;
	desk_session(d, &w, &u);
	assert_int_equal(w, 1);
	assert_int_equal(u, 0);
	assert_int_equal(desk_apply(d, NULL, false, &err), 0);
	/* the domain's other MX (on another address) keeps its answer: a split */
	assert_string_equal(db_text(st, "SELECT group_concat(provider_id || ':' || status) FROM result WHERE"
				    " approach = 'final' AND domain = 'arlingtontech.edu' AND provider_id = 'zoho.com'"),
			    "zoho.com:corrected");
	assert_int_equal(desk_undo(d, &err), 1);
	desk_session(d, &w, &u);
	assert_int_equal(u, 1);
	assert_int_equal(desk_apply(d, NULL, false, &err), 0);
	assert_int_equal(db_int(st, "SELECT count(*) FROM result WHERE approach = 'final'"
				 " AND domain = 'arlingtontech.edu' AND provider_id = 'zoho.com'"), 0);
}

/* Issue 12, items 9 and 11: the pager keys; eval reopens where it stopped. */
static void test_pager_and_eval_start(void **state)
{
	(void)state;
	char *err = NULL;
	desk_view v;
	desk_view_init(&v);
	v.pager_page = 10;
	desk_act(d, &v, keymap_lookup('2'));
	assert_true(desk_act(d, &v, keymap_lookup(KEY_X_ENTER)) & DESK_RELAYOUT);
	assert_int_equal(v.maximized, 1);
	size_t at = v.cursor;
	desk_act(d, &v, keymap_lookup('j'));
	desk_act(d, &v, keymap_lookup(' '));
	assert_int_equal(v.scroll[1], 11);
	assert_int_equal(v.cursor, at); /* the keys scroll the text, not the queue */
	desk_act(d, &v, keymap_lookup('g'));
	assert_int_equal(v.scroll[1], 0);
	desk_act(d, &v, keymap_lookup('q'));
	assert_int_equal(v.maximized, -1);
	desk_view_free(&v);
	/* full text: the 10 KB banner whole */
	size_t big = row_of(d, db_text(st, "SELECT " STORE_IPV4_TEXT("ip") " FROM f_scan WHERE length(banner) > 5000"
				       " ORDER BY ip LIMIT 1"));
	assert_true(big != SIZE_MAX);
	desk_pane p[PANE_COUNT];
	desk_line vl[2];
	desk_set_full(d, true);
	desk_evidence(d, big, 200, p, vl);
	desk_set_full(d, false);
	assert_true(p[PANE_SMTP].lines[1].len > 10000);
	assert_null(strstr(p[PANE_SMTP].lines[1].text, "more bytes]"));
	for (int j = 0; j < PANE_COUNT; j++)
		desk_pane_free(&p[j]);
	desk_line_free(&vl[0]);
	desk_line_free(&vl[1]);
	FILE *devnull = fopen("/dev/null", "w");
	sample_req r = {"deskstart", "2021-06-08", NULL, 6, false, 7, NULL};
	assert_int_equal(sample_create(st, &r, devnull, &err), 6);
	fclose(devnull);
	desk *e = desk_open_eval(st, "deskstart", "labeller", k, &err);
	size_t two[2] = {desk_visible(e, 0), desk_visible(e, 1)};
	assert_int_equal(desk_label(e, two, 2, "final", &err), 2);
	desk_free(e);
	e = desk_open_eval(st, "deskstart", "labeller", k, &err);
	desk_view_init(&v);
	desk_view_start(e, &v);
	assert_int_equal(v.cursor, 2);
	/* Tab completion words include provider IDs (item 2) */
	const char *c[8];
	size_t nc = desk_complete(e, "outlook.c", c, 8);
	bool com = false;
	for (size_t i = 0; i < nc; i++)
		com |= !strcmp(c[i], "outlook.com");
	assert_true(com);
	desk_view_free(&v);
	desk_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue_and_candidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter_in_force_while_another_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_answered_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decisions_undo_redo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept_reject_and_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_undo_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_views_follow_and_bulk_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_escapes_hostile_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eval_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verdict_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_search_and_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_splits_and_scopes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_and_other_desk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pager_and_eval_start, setup, teardown),
	};
	return cmocka_run_group_tests_name("desk", tests, group_setup, group_teardown);
}
