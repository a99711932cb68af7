/* review: the curses front of the review desk.  Everything shown comes from
 * desk.h as display lines whose untrusted parts are already escaped; this
 * file only lays them out, colours them and turns keys into actions. */
#include "mxray/review.h"
#include "mxray/desk.h"
#include "mxray/keymap.h"
#include "mxray/layout.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <ctype.h>
#include <curses.h>
#include <signal.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/resource.h>

/* The longest text a prompt takes: the longest note a decision keeps. */
#define PROMPT_MAX 4096

/* Colour pairs per role, and the monochrome attributes used instead. */
enum { PAIR_SELECT = 1, PAIR_LABEL, PAIR_ESCAPED, PAIR_HIGHLIGHT, PAIR_GOOD, PAIR_BAD, PAIR_DIM, PAIR_TITLE };

typedef struct {
	desk *d;
	desk_view v;
	layout lay;
	bool color;
	int cols, lines;
	/* prompt line editing */
	strbuf input;
	char choices[256];           /* completion choices shown after the input */
	int hist_at;                 /* history position while browsing (-1: none) */
	/* the report view, computed once when it opens */
	bool have_report;
	trend rep;
	coverage_row *repcov;
	char *rep_err;
	char *history[5][32];
	int nhist[5];
	/* the current row's evidence, kept while nothing it shows changes */
	bool ev_have, ev_full;
	size_t ev_row;
	int ev_width;
	unsigned ev_gen;
	desk_pane panes[PANE_COUNT];
	desk_line verdict[2];
} ui;

static attr_t role_attr(const ui *u, enum desk_role r)
{
	if (!u->color) {
		switch (r) {
		case ROLE_LABEL: return A_BOLD;
		case ROLE_ESCAPED: return A_REVERSE;
		case ROLE_HIGHLIGHT: return A_UNDERLINE | A_BOLD;
		case ROLE_GOOD: return A_BOLD;
		case ROLE_BAD: return A_UNDERLINE;
		case ROLE_DIM: return A_DIM;
		default: return A_NORMAL;
		}
	}
	switch (r) {
	case ROLE_LABEL: return COLOR_PAIR(PAIR_LABEL) | A_BOLD;
	case ROLE_ESCAPED: return COLOR_PAIR(PAIR_ESCAPED) | A_REVERSE;
	case ROLE_HIGHLIGHT: return COLOR_PAIR(PAIR_HIGHLIGHT) | A_BOLD;
	case ROLE_GOOD: return COLOR_PAIR(PAIR_GOOD);
	case ROLE_BAD: return COLOR_PAIR(PAIR_BAD);
	case ROLE_DIM: return COLOR_PAIR(PAIR_DIM);
	default: return A_NORMAL;
	}
}

/* A role's attributes on a row drawn with `extra`: a row that brings its
 * own colours (the cursor row, a title) keeps them, the role adds only its
 * bold, underline or reverse; otherwise the role's colour pair stands. */
static attr_t with_role(attr_t role, attr_t extra)
{
	if (extra & A_COLOR)
		return (role & ~A_COLOR) | extra;
	return role | extra;
}

/* One wide character with attributes, colour pair included: setcchar
 * takes the pair apart from the attributes (passed inside them, it is
 * dropped: the bug that left the text of every coloured role uncoloured). */
static void put_wc(int y, int x, wchar_t wc, attr_t a)
{
	cchar_t cc;
	wchar_t s[2] = {wc, 0};
	setcchar(&cc, s, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
	mvadd_wch(y, x, &cc);
}

/* Draw a display line at (y, x) in at most `width` columns, starting
 * `skip` columns in; returns the columns used.  The text has no control
 * characters (desk.c escaped them); width is measured with wcwidth. */
static int draw_line(ui *u, int y, int x, int width, const desk_line *l, attr_t extra, int skip)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	int col = 0;
	size_t i = 0;
	while (i < l->len && col < width) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, l->text + i, l->len - i, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) { /* cannot happen after sanitize; be safe */
			wc = L'?';
			n = 1;
			memset(&ps, 0, sizeof ps);
		}
		if (n == 0)
			break;
		int w = wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		if (skip > 0) {
			skip -= w;
			i += n;
			continue;
		}
		if (col + w > width)
			break;
		if (col + w == width && i + n < l->len && width > 1) {
			/* truncated: a marker in the last column */
			mvaddch(y, x + col, '>' | A_DIM | extra);
			col++;
			break;
		}
		put_wc(y, x + col, wc, with_role(role_attr(u, (enum desk_role)l->roles[i]), extra));
		col += w;
		i += n;
	}
	return col;
}

static void fill(int y, int x, int width, attr_t a)
{
	attrset(a);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attrset(A_NORMAL);
}

static void draw_text(ui *u, int y, int x, int width, const char *s, enum desk_role r, attr_t extra)
{
	desk_line l = {(char *)s, NULL, strlen(s)};
	uint8_t *roles = xmalloc(l.len + 1);
	memset(roles, r, l.len + 1);
	l.roles = roles;
	draw_line(u, y, x, width, &l, extra, 0);
	free(roles);
}

static void draw_list(ui *u)
{
	rect r = u->lay.list;
	desk_set_compact(u->d, r.w < 110);
	u->v.page = (size_t)(r.h - 1);
	desk_view_fix(u->d, &u->v);
	attr_t head = u->color ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_REVERSE;
	fill(r.y, r.x, r.w, head);
	draw_text(u, r.y, r.x, r.w, desk_header(u->d), ROLE_NORMAL, head);
	size_t n = desk_nvisible(u->d);
	for (int k = 1; k < r.h; k++) {
		size_t vi = u->v.top + (size_t)(k - 1);
		fill(r.y + k, r.x, r.w, A_NORMAL);
		if (vi >= n) {
			if (n == 0 && k == 1)
				draw_text(u, r.y + k, r.x + 2, r.w - 2,
					  desk_showing_all(u->d) ? "no rows match (F clears the filter)"
								 : "no candidates left in this view (v shows all rows)",
					  ROLE_DIM, 0);
			continue;
		}
		desk_line l;
		desk_row_line(u->d, desk_visible(u->d, vi), &l);
		bool sel = vi == u->v.cursor;
		attr_t a = sel ? (u->color ? COLOR_PAIR(PAIR_SELECT) | A_BOLD : A_REVERSE) : 0;
		if (sel)
			fill(r.y + k, r.x, r.w, a);
		draw_line(u, r.y + k, r.x, r.w, &l, a, 0);
		desk_line_free(&l);
	}
}

static void draw_pane(ui *u, int idx, const desk_pane *p)
{
	rect r = u->lay.pane[idx];
	if (r.h <= 0 || r.w <= 0)
		return;
	bool focus = u->v.focus == idx;
	int scroll = u->v.scroll[idx];
	int body = r.h - 1;
	if (scroll > (int)p->n - 1)
		scroll = p->n ? (int)p->n - 1 : 0;
	if (scroll < 0)
		scroll = 0;
	u->v.scroll[idx] = scroll;
	char title[160];
	int shown = (int)p->n - scroll < body ? (int)p->n - scroll : body;
	snprintf(title, sizeof title, "[%d %.31s] %d-%d/%zu", idx + 1, p->title, p->n ? scroll + 1 : 0, scroll + shown,
		 p->n);
	attr_t ta = focus ? (u->color ? COLOR_PAIR(PAIR_SELECT) | A_BOLD : A_REVERSE | A_BOLD) : A_BOLD | A_UNDERLINE;
	fill(r.y, r.x, r.w, ta);
	draw_text(u, r.y, r.x, r.w - 1, title, ROLE_NORMAL, ta);
	for (int k = 0; k < body; k++) {
		fill(r.y + 1 + k, r.x, r.w, A_NORMAL);
		size_t li = (size_t)(scroll + k);
		if (li < p->n)
			draw_line(u, r.y + 1 + k, r.x, r.w - 1, &p->lines[li], 0, 0);
	}
	/* a separator column on the right of every pane but the last */
	if (r.x + r.w < u->cols)
		for (int k = 0; k < r.h; k++)
			mvaddch(r.y + k, r.x + r.w - 1, ACS_VLINE);
}

/* The bytes of l from `from` that fit in `width` columns (whole
 * characters; at least one, so that a row always advances). */
static size_t fit_width(const desk_line *l, size_t from, int width)
{
	mbstate_t ps;
	memset(&ps, 0, sizeof ps);
	size_t i = from;
	int col = 0;
	while (i < l->len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, l->text + i, l->len - i, &ps);
		int w = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			n = 1;
			memset(&ps, 0, sizeof ps);
		} else {
			w = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		}
		if (col + w > width && i > from)
			break;
		col += w;
		i += n;
	}
	return i;
}

/* Screen rows of l wrapped at `width` columns. */
static int wrapped_rows(const desk_line *l, int width)
{
	int rows = 1;
	for (size_t at = fit_width(l, 0, width); at < l->len; at = fit_width(l, at, width))
		rows++;
	return rows;
}

/* A pane read full screen: its whole text wrapped at the screen's width,
 * scrolled by screen rows (v.scroll), a title saying where. */
static void draw_pager(ui *u, int idx, const desk_pane *p)
{
	rect r = u->lay.pane[idx];
	int body = r.h - 1, total = 0;
	for (size_t i = 0; i < p->n; i++)
		total += wrapped_rows(&p->lines[i], r.w);
	u->v.pager_page = (size_t)(body > 1 ? body : 1);
	int top = u->v.scroll[idx];
	if (top > total - body)
		top = total - body;
	if (top < 0)
		top = 0;
	u->v.scroll[idx] = top;
	char title[200];
	int last = top + body < total ? top + body : total;
	snprintf(title, sizeof title, "[%d %.31s] full text, rows %d-%d of %d (%d%%)   j/k Space/PgUp g/G scroll"
		 "  Tab next pane  q back", idx + 1, p->title, total ? top + 1 : 0, last, total,
		 total > body ? 100 * last / total : 100);
	attr_t ta = u->color ? COLOR_PAIR(PAIR_SELECT) | A_BOLD : A_REVERSE | A_BOLD;
	fill(r.y, r.x, r.w, ta);
	draw_text(u, r.y, r.x, r.w, title, ROLE_NORMAL, ta);
	int row = 0, y = r.y + 1;
	for (size_t i = 0; i < p->n && y < r.y + r.h; i++) {
		const desk_line *l = &p->lines[i];
		size_t at = 0;
		do {
			size_t end = fit_width(l, at, r.w);
			if (row >= top && y < r.y + r.h) {
				desk_line seg = {l->text + at, l->roles + at, end - at};
				draw_line(u, y++, r.x, r.w, &seg, 0, 0);
			}
			row++;
			at = end;
		} while (at < l->len);
	}
}

/* The current row's evidence into u (read again only when the row, the
 * width, full or capped text, or a decision changed what it shows). */
static void evidence_get(ui *u, bool full)
{
	size_t n = desk_nvisible(u->d);
	size_t row = n ? desk_visible(u->d, u->v.cursor < n ? u->v.cursor : n - 1) : SIZE_MAX;
	unsigned gen = desk_generation(u->d);
	if (u->ev_have && u->ev_row == row && u->ev_full == full && u->ev_width == u->cols && u->ev_gen == gen)
		return;
	if (u->ev_have) {
		for (int i = 0; i < PANE_COUNT; i++)
			desk_pane_free(&u->panes[i]);
		desk_line_free(&u->verdict[0]);
		desk_line_free(&u->verdict[1]);
	}
	u->ev_have = true;
	u->ev_row = row;
	u->ev_full = full;
	u->ev_width = u->cols;
	u->ev_gen = gen;
	if (row != SIZE_MAX) {
		desk_set_full(u->d, full);
		desk_evidence(u->d, row, u->cols, u->panes, u->verdict);
		desk_set_full(u->d, false);
		return;
	}
	memset(u->panes, 0, sizeof u->panes);
	memset(u->verdict, 0, sizeof u->verdict);
	static const char *const t[] = {"cert", "smtp", "mx", "as"};
	for (int i = 0; i < PANE_COUNT; i++)
		snprintf(u->panes[i].title, sizeof u->panes[i].title, "%s", t[i]);
}

static void evidence_drop(ui *u)
{
	if (!u->ev_have)
		return;
	for (int i = 0; i < PANE_COUNT; i++)
		desk_pane_free(&u->panes[i]);
	desk_line_free(&u->verdict[0]);
	desk_line_free(&u->verdict[1]);
	u->ev_have = false;
}

static void draw_status(ui *u)
{
	rect r = u->lay.status;
	fill(r.y, 0, r.w, A_REVERSE);
	if (u->v.prompt != PROMPT_NONE) {
		if (u->v.message[0] && r.y > 0) {
			/* why the text was refused, above the prompt that holds it */
			fill(r.y - 1, 0, r.w, A_NORMAL);
			draw_text(u, r.y - 1, 0, r.w, u->v.message, u->v.message_error ? ROLE_BAD : ROLE_NORMAL,
				  u->v.message_error ? A_BOLD : 0);
		}
		/* the label and the end of the text: a long note scrolls left */
		int lw = (int)strlen(u->v.prompt_label);
		const char *in = u->input.data ? u->input.data : "";
		desk_line il = {(char *)in, NULL, u->input.len};
		int icols = 0;
		for (size_t at = 0; at < il.len;) {
			size_t end = fit_width(&il, at, 1);
			icols++;
			at = end;
		}
		size_t from = 0;
		int room = r.w - lw - 2;
		while (icols > room && from < il.len) {
			from = fit_width(&il, from, 1);
			icols--;
		}
		strbuf sb;
		sb_init(&sb);
		sb_adds(&sb, u->v.prompt_label);
		if (from)
			sb_adds(&sb, "<");
		sb_add(&sb, in + from, u->input.len - from);
		draw_text(u, r.y, 0, r.w, sb.data, ROLE_NORMAL, A_REVERSE);
		int cx = lw + (from ? 1 : 0) + icols;
		if (u->choices[0] && cx + 3 < r.w)
			draw_text(u, r.y, cx + 2, r.w - cx - 2, u->choices, ROLE_DIM, A_REVERSE);
		move(r.y, cx < r.w ? cx : r.w - 1);
		sb_free(&sb);
		return;
	}
	size_t rev, rem, flg;
	desk_counts(u->d, &rev, &rem, &flg);
	bool inv;
	enum desk_sort s = desk_get_sort(u->d, &inv);
	size_t n = desk_nvisible(u->d);
	char left[400];
	if (desk_is_eval(u->d))
		snprintf(left, sizeof left, " %zu/%zu  %zu/%zu labelled  %zu examined  sample: %s  sort: %s%s%s%s%s",
			 n ? u->v.cursor + 1 : 0, n, rev, rev + rem, flg, desk_sample(u->d),
			 s == SORT_CONFIDENCE ? "sample order" : desk_sort_names[s], inv ? "~" : "",
			 *desk_filter_text(u->d) ? "  filter: " : "", desk_filter_text(u->d),
			 desk_ntagged(u->d) ? "  tagged" : u->v.stay ? "  stay" : "");
	else
		snprintf(left, sizeof left, " %zu/%zu  %zu reviewed  %zu remaining  %zu flagged  view: %s  sort: %s%s%s%s%s%s",
			 n ? u->v.cursor + 1 : 0, n, rev, rem, flg, desk_showing_all(u->d) ? "all" : "candidates",
			 desk_sort_names[s], inv ? "~" : "", *desk_filter_text(u->d) ? "  filter: " : "",
			 desk_filter_text(u->d), desk_ntagged(u->d) ? "  tagged" : u->v.stay ? "  stay" : "",
			 u->v.scope == 'm' ? "  on: MX hosts" : u->v.scope == 'd' ? "  on: domains" : "");
	const char *msg = u->v.message[0] ? u->v.message : desk_is_eval(u->d) ?
		"? help  c final is right  o type the truth  x cannot decide  V chart  u undo  q quit" :
		"? help  / search  c confirm  o override  s self  u undo  q quit";
	/* a message (the result of the last key) wins over the counts: they
	 * give way when both do not fit; the key hints only fill room left */
	int mw = (int)strlen(msg), x = r.w - mw - 1;
	int keep = u->v.message[0] ? 16 : r.w; /* the position at least */
	desk_line l = {left, NULL, strlen(left)};
	uint8_t *roles = xcalloc(l.len + 1, 1);
	l.roles = roles;
	int used = draw_line(u, r.y, 0, x - 2 > keep ? x - 2 : keep < r.w ? keep : r.w, &l, A_REVERSE, 0);
	free(roles);
	if (x < used + 2)
		x = used + 2;
	if (x < r.w)
		draw_text(u, r.y, x, r.w - x, msg, u->v.message_error ? ROLE_BAD : ROLE_NORMAL,
			  A_REVERSE | (u->v.message_error ? A_BOLD : 0));
}

static void draw_help(ui *u)
{
	size_t n;
	bool eval = desk_is_eval(u->d);
	char **lines = keymap_help_lines(eval ? KM_EVAL : KM_TRIAGE, &n);
	int w = 72 < u->cols - 4 ? 72 : u->cols - 4;
	int h = u->lines - 4;
	int y0 = 2, x0 = (u->cols - w) / 2;
	if (u->v.help_scroll > (int)n - (h - 3))
		u->v.help_scroll = (int)n - (h - 3) > 0 ? (int)n - (h - 3) : 0;
	for (int k = 0; k < h; k++)
		fill(y0 + k, x0, w, A_NORMAL);
	draw_text(u, y0, x0 + 1, w - 2, eval ? "mxray review, eval mode: keys (j/k scroll, any other key closes)"
					     : "mxray review, triage: keys (j/k scroll, any other key closes)", ROLE_LABEL, A_BOLD);
	for (int k = 0; k < h - 3 && (size_t)(k + u->v.help_scroll) < n + 2; k++) {
		size_t li = (size_t)(k + u->v.help_scroll);
		const char *text = li < n ? lines[li] : li == n ? "" :
			"  prompts: Enter accepts, Esc cancels, Tab completes, Up/Down history, ^U clears";
		draw_text(u, y0 + 2 + k, x0 + 1, w - 2, text, ROLE_NORMAL, 0);
	}
	attrset(A_NORMAL);
	for (int k = 0; k < h; k++) {
		mvaddch(y0 + k, x0 - 1 < 0 ? 0 : x0 - 1, ACS_VLINE);
		mvaddch(y0 + k, x0 + w, ACS_VLINE);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* Figure 4: one bar per approach per sample, correct out of labelled. */
static void draw_chart(ui *u)
{
	eval_result *res = NULL;
	size_t n = desk_chart(u->d, &res);
	int w = u->cols - 8, h = u->lines - 4;
	int y0 = 2, x0 = 4;
	for (int k = 0; k < h; k++)
		fill(y0 + k, x0, w, A_NORMAL);
	draw_text(u, y0, x0 + 1, w - 2, "accuracy of the approaches on the labelled samples (any key closes)", ROLE_LABEL,
		  A_BOLD);
	bool utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	int y = y0 + 2, barw = w - 40 > 10 ? w - 40 : 10;
	if (n == 0)
		draw_text(u, y, x0 + 1, w - 2, "no samples yet: 'mxray sample' draws one", ROLE_DIM, 0);
	for (size_t i = 0; i < n && y < y0 + h - 1; i++) {
		char head[200];
		snprintf(head, sizeof head, "%s: %ld domains, %ld labelled, %ld examined in step 4, %ld undecidable",
			 res[i].sample, res[i].sampled, res[i].labelled, res[i].examined, res[i].undecidable);
		draw_text(u, y++, x0 + 1, w - 2, head, ROLE_NORMAL, A_BOLD);
		if (res[i].mixed_runs && y < y0 + h - 1)
			draw_text(u, y++, x0 + 1, w - 2,
				  "  the approaches come from different inference runs: run 'mxray infer' to score one run",
				  ROLE_BAD, A_BOLD);
		for (int a = 0; a < EVAL_APPROACHES && y < y0 + h - 1; a++, y++) {
			double f = res[i].labelled ? (double)res[i].correct[a] / (double)res[i].labelled : 0;
			int full = (int)(f * barw + 0.5);
			mvaddnstr(y, x0 + 2, eval_approach_names[a], 9);
			attrset(role_attr(u, ROLE_GOOD) | (u->color ? 0 : A_REVERSE));
			for (int k = 0; k < full; k++) {
				if (utf8)
					mvaddstr(y, x0 + 12 + k, "\u2588");
				else
					mvaddch(y, x0 + 12 + k, '#');
			}
			attrset(A_DIM);
			for (int k = full; k < barw; k++)
				mvaddch(y, x0 + 12 + k, '.');
			attrset(A_NORMAL);
			char num[64];
			if (res[i].labelled)
				snprintf(num, sizeof num, " %ld/%ld %5.1f%%", res[i].correct[a], res[i].labelled, 100 * f);
			else
				snprintf(num, sizeof num, " 0/0 n/a (nothing labelled)");
			mvaddstr(y, x0 + 12 + barw, num);
		}
		y++;
	}
	free(res);
}

/* Report view: shares per snapshot as bars, a sparkline per provider,
 * and the coverage table. */
static void report_drop(ui *u)
{
	if (!u->have_report)
		return;
	trend_free(&u->rep);
	free(u->repcov);
	free(u->rep_err);
	u->repcov = NULL;
	u->rep_err = NULL;
	u->have_report = false;
}

static void draw_report(ui *u)
{
	int w = u->cols, h = u->lines - 2;
	int y0 = 1, x0 = 0;
	for (int k = 0; k < h; k++)
		fill(y0 + k, x0, w, A_NORMAL);
	if (!u->have_report) {
		/* computed once per opening: it is a full pass over the snapshots */
		memset(&u->rep, 0, sizeof u->rep);
		if (desk_report(u->d, 12, &u->rep, &u->repcov, &u->rep_err) < 0 && !u->rep_err)
			u->rep_err = xstrdup("no report");
		u->have_report = true;
	}
	if (u->rep_err) {
		char *e = sanitize_str(u->rep_err);
		draw_text(u, y0, x0 + 1, w - 2, e, ROLE_BAD, 0);
		free(e);
		return;
	}
	trend *t = &u->rep;
	coverage_row *cov = u->repcov;
	bool utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	draw_text(u, y0, x0 + 1, w - 2, "market shares of every domain with MX records, per snapshot (any key closes)",
		  ROLE_LABEL, A_BOLD);
	/* as many of the latest snapshots as fit; the sparkline covers all */
	int namew = 18, sparkw = (int)t->ndates + 3, colw = 16;
	int fit = (w - namew - sparkw - 2) / colw;
	if (fit < 1)
		fit = 1;
	size_t first = t->ndates > (size_t)fit ? t->ndates - (size_t)fit : 0;
	int barw = colw - 8;
	double maxs = 0.01;
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t k = first; k < t->ndates; k++)
			if (t->rows[i].share[k] > maxs)
				maxs = t->rows[i].share[k];
	int y = y0 + 2, xs = x0 + 1 + namew + (int)(t->ndates - first) * colw;
	draw_text(u, y, x0 + 1, namew, "provider", ROLE_LABEL, 0);
	for (size_t k = first; k < t->ndates; k++)
		draw_text(u, y, x0 + 1 + namew + (int)(k - first) * colw, colw - 1, t->dates[k], ROLE_LABEL, 0);
	draw_text(u, y, xs, w - xs, first ? "trend (all)" : "trend", ROLE_LABEL, 0);
	y++;
	static const char *const spark[] = {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
					    "\u2588"};
	static const char ascii_spark[] = "_.-=+*#@";
	for (size_t i = 0; i < t->nrows && y < y0 + h - 10; i++, y++) {
		char *p = sanitize_str(t->rows[i].provider);
		draw_text(u, y, x0 + 1, namew - 1, p, ROLE_NORMAL, 0);
		free(p);
		for (size_t k = first; k < t->ndates; k++) {
			double v = t->rows[i].share[k];
			int x = x0 + 1 + namew + (int)(k - first) * colw;
			int full = (int)(v / maxs * barw + 0.5);
			attrset(role_attr(u, ROLE_GOOD) | (u->color ? 0 : A_REVERSE));
			for (int b = 0; b < full; b++) {
				if (utf8)
					mvaddstr(y, x + b, "\u2588");
				else
					mvaddch(y, x + b, '#');
			}
			attrset(A_NORMAL);
			char num[16];
			snprintf(num, sizeof num, "%5.1f%%", v);
			draw_text(u, y, x + full + 1, colw - full - 1, num, ROLE_NORMAL, 0);
		}
		/* the scale starts at zero: 2.75, 2.79, 2.67 is flat, not a swing */
		double hi = 0;
		for (size_t k = 0; k < t->ndates; k++)
			hi = t->rows[i].share[k] > hi ? t->rows[i].share[k] : hi;
		for (size_t k = 0; k < t->ndates && xs + (int)k < w; k++) {
			int lvl = hi > 0 ? (int)(t->rows[i].share[k] / hi * 7 + 0.5) : 0;
			if (utf8)
				mvaddstr(y, xs + (int)k, spark[lvl]);
			else
				mvaddch(y, xs + (int)k, ascii_spark[lvl]);
		}
	}
	y++;
	draw_text(u, y++, x0 + 1, w - 2, "data coverage (the paper's Table 4)", ROLE_LABEL, A_BOLD);
	for (int c = -1; c < COVERAGE_CATEGORIES && y < y0 + h; c++, y++) {
		draw_text(u, y, x0 + 1, namew, c < 0 ? "category" : coverage_names[c], c < 0 ? ROLE_LABEL : ROLE_NORMAL, 0);
		for (size_t k = first; k < t->ndates; k++) {
			char num[32];
			if (c < 0)
				snprintf(num, sizeof num, "%s", t->dates[k]);
			else
				snprintf(num, sizeof num, "%ld (%.1f%%)", cov[k].count[c],
					 cov[k].total ? 100.0 * (double)cov[k].count[c] / (double)cov[k].total : 0);
			draw_text(u, y, x0 + 1 + namew + (int)(k - first) * colw, colw - 1, num,
				  c < 0 ? ROLE_LABEL : ROLE_NORMAL, 0);
		}
	}
}

static void draw(ui *u)
{
	getmaxyx(stdscr, u->lines, u->cols);
	erase();
	bool full = u->v.maximized >= 0;
	int need[PANE_COUNT] = {0, 0, 0, 0};
	bool small = u->cols < LAYOUT_MIN_COLS || u->lines < LAYOUT_MIN_LINES;
	if (!small) {
		evidence_get(u, full);
		for (int i = 0; i < PANE_COUNT; i++)
			need[i] = (int)u->panes[i].n;
	}
	layout_compute(u->cols, u->lines, u->v.maximized, need, &u->lay);
	if (u->lay.too_small) {
		char msg[96];
		snprintf(msg, sizeof msg, "terminal too small (%dx%d): mxray review needs %dx%d", u->cols, u->lines,
			 LAYOUT_MIN_COLS, LAYOUT_MIN_LINES);
		mvaddnstr(0, 0, msg, u->cols > 0 ? u->cols : 0);
		curs_set(0);
		refresh();
		return;
	}
	if (full) {
		draw_pager(u, u->v.maximized, &u->panes[u->v.maximized]);
	} else {
		draw_list(u);
		for (int i = 0; i < PANE_COUNT; i++)
			draw_pane(u, i, &u->panes[i]);
		/* the verdict: two lines the desk laid out for this width */
		rect vr = u->lay.verdict;
		for (int k = 0; k < 2; k++) {
			fill(vr.y + k, 0, vr.w, A_NORMAL);
			draw_line(u, vr.y + k, 0, vr.w, &u->verdict[k], 0, 0);
		}
	}
	if (u->v.chart)
		draw_chart(u);
	if (u->v.report)
		draw_report(u);
	else
		report_drop(u);
	if (u->v.help)
		draw_help(u);
	curs_set(u->v.prompt != PROMPT_NONE ? 1 : 0);
	draw_status(u);
	refresh();
}

static int map_key(int ch, bool func)
{
	if (!func)
		return ch;
	switch (ch) {
	case KEY_UP: return KEY_X_UP;
	case KEY_DOWN: return KEY_X_DOWN;
	case KEY_LEFT: return KEY_X_LEFT;
	case KEY_RIGHT: return KEY_X_RIGHT;
	case KEY_PPAGE: return KEY_X_PGUP;
	case KEY_NPAGE: return KEY_X_PGDN;
	case KEY_HOME: return KEY_X_HOME;
	case KEY_END: return KEY_X_END;
	case KEY_F(1): return KEY_X_F1;
	case KEY_BTAB: return KEY_X_BTAB;
	case KEY_ENTER: return KEY_X_ENTER;
	case KEY_RESIZE: return KEY_X_RESIZE;
	case KEY_BACKSPACE: return 127;
	}
	return 0;
}

/* Edit the prompt line: returns 1 accepted, -1 cancelled, 0 still editing. */
static int prompt_key(ui *u, int key)
{
	int kind = (int)u->v.prompt;
	if (u->v.prompt == PROMPT_YESNO || u->v.prompt == PROMPT_SPLIT) {
		/* one key: y (or a choice's letter) as itself, anything else no */
		sb_clear(&u->input);
		char c[2] = {key > ' ' && key < 127 ? (char)key : 'n', 0};
		sb_adds(&u->input, u->v.prompt == PROMPT_SPLIT ? c : key == 'y' || key == 'Y' ? "y" : "n");
		return 1;
	}
	if (key == KEY_X_ESC)
		return -1;
	if (key == KEY_X_ENTER || key == '\r') {
		if (u->input.len && kind < 5 && u->nhist[kind] < 32)
			u->history[kind][u->nhist[kind]++] = xstrdup(u->input.data);
		return 1;
	}
	if (key == 127 || key == 8) {
		/* delete one UTF-8 character */
		while (u->input.len > 0) {
			unsigned char c = (unsigned char)u->input.data[--u->input.len];
			if ((c & 0xc0) != 0x80)
				break;
		}
		if (u->input.data)
			u->input.data[u->input.len] = '\0';
		return 0;
	}
	if (key == CTRL('U')) {
		sb_clear(&u->input);
		return 0;
	}
	if ((key == KEY_X_UP || key == KEY_X_DOWN) && kind < 5 && u->nhist[kind]) {
		/* walk the prompt's history: Up older, Down newer (past the newest: empty) */
		int n = u->nhist[kind];
		if (u->hist_at < 0)
			u->hist_at = n;
		u->hist_at += key == KEY_X_UP ? -1 : 1;
		if (u->hist_at < 0)
			u->hist_at = 0;
		sb_clear(&u->input);
		if (u->hist_at >= n)
			u->hist_at = n;
		else
			sb_adds(&u->input, u->history[kind][u->hist_at]);
		return 0;
	}
	u->choices[0] = '\0';
	if (key == KEY_X_TAB && u->v.prompt == PROMPT_OVERRIDE) {
		/* the word being typed: in eval mode the last of a ';' list */
		const char *in = u->input.data ? u->input.data : "";
		size_t start = 0;
		const char *semi = desk_is_eval(u->d) ? strrchr(in, ';') : NULL;
		if (semi)
			start = (size_t)(semi + 1 - in);
		while (in[start] == ' ')
			start++;
		const char *c[64];
		size_t n = desk_complete(u->d, in + start, c, 64);
		for (size_t i = 0; i < n && i < 8; i++) {
			size_t at = strlen(u->choices);
			snprintf(u->choices + at, sizeof u->choices - at, "%s%s", i ? " " : "", c[i]);
		}
		if (n > 8) {
			size_t at = strlen(u->choices);
			snprintf(u->choices + at, sizeof u->choices - at, " (+%zu)", n - 8);
		}
		if (n == 1)
			u->choices[0] = '\0';
		if (n == 1) {
			u->input.len = start;
			sb_adds(&u->input, c[0]);
		} else if (n > 1) {
			/* the longest common prefix, and the choices in the message */
			size_t l = strlen(c[0]);
			for (size_t i = 1; i < n; i++) {
				size_t k = 0;
				while (k < l && c[i][k] && tolower((unsigned char)c[i][k]) == tolower((unsigned char)c[0][k]))
					k++;
				l = k;
			}
			if (l > u->input.len - start) {
				u->input.len = start;
				sb_add(&u->input, c[0], l);
			}
		}
		return 0;
	}
	if (key >= 0x20 && key != 0x7f && key < 0x110000) {
		char mb[8];
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		size_t n = wcrtomb(mb, (wchar_t)key, &ps);
		if (n == (size_t)-1)
			return 0;
		if (u->input.len + n > PROMPT_MAX) {
			/* never cut silently: say so, keep what was typed */
			snprintf(u->v.message, sizeof u->v.message,
				 "the prompt holds at most %d bytes (a note's limit): nothing more is taken", PROMPT_MAX);
			u->v.message_error = true;
			return 0;
		}
		sb_add(&u->input, mb, n);
	}
	return 0;
}

static void restore_terminal(void)
{
	endwin();
}

double review_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SIGHUP or SIGTERM: the desk leaves as after q, once a write in progress
 * (even one waiting for a lock) is saved. */
static volatile sig_atomic_t leave_now;

static void on_leave(int sig)
{
	(void)sig;
	leave_now = 1;
}

/* While a write waits for another process's lock: say so on the status
 * line (the decision is saved when the lock clears). */
static void show_wait(void *arg, unsigned ms)
{
	ui *u = arg;
	rect r = u->lay.status;
	if (u->lay.too_small || r.w <= 0)
		return;
	char msg[200];
	snprintf(msg, sizeof msg, " waiting for the database: %.1f s (another process is writing); your decision is saved"
		 " when it clears", ms / 1000.0);
	fill(r.y, 0, r.w, A_REVERSE);
	draw_text(u, r.y, 0, r.w, msg, ROLE_BAD, A_REVERSE | A_BOLD);
	refresh();
}

static void colours(ui *u)
{
	const char *nc = getenv("NO_COLOR");
	u->color = has_colors() && !(nc && *nc);
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_SELECT, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_LABEL, COLOR_BLUE, -1);
	init_pair(PAIR_ESCAPED, COLOR_MAGENTA, -1);
	init_pair(PAIR_HIGHLIGHT, COLOR_YELLOW, -1);
	init_pair(PAIR_GOOD, COLOR_GREEN, -1);
	init_pair(PAIR_BAD, COLOR_RED, -1);
	init_pair(PAIR_DIM, COLOR_WHITE, -1);
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
}

/* The next key (0 for none yet): between keys the desk does its
 * background work a slice at a time, and looks once a second whether
 * another process changed the database.  -1 when the terminal is gone
 * (every read fails at once) or the desk was told to leave. */
static int next_key(ui *u, int *errs)
{
	wint_t wch;
	int r;
	if (leave_now)
		return -1;
	if (desk_busy(u->d)) { /* background work, never in the way of a key */
		nodelay(stdscr, TRUE);
		r = get_wch(&wch);
		nodelay(stdscr, FALSE);
		if (r == ERR) {
			if (desk_tick(u->d, &u->v) & DESK_REDRAW)
				draw(u);
			return 0;
		}
	} else {
		double t0 = review_clock();
		timeout(1000);
		r = get_wch(&wch);
		timeout(-1);
		if (r == ERR) {
			/* a timeout, or a signal; a terminal that is gone fails
			 * every read at once: leave then (every decision is saved)
			 * rather than spin */
			if (review_clock() - t0 < 0.5 && (++*errs >= 100 || !isatty(STDIN_FILENO)))
				return -1;
			char *what = NULL;
			if (desk_poll(u->d, &what)) {
				snprintf(u->v.message, sizeof u->v.message, "%s", what);
				u->v.message_error = false;
				draw(u);
			}
			free(what);
			return 0;
		}
	}
	*errs = 0;
	return map_key((int)wch, r == KEY_CODE_YES);
}

/* One key: to the open prompt, or as an action.  Returns DESK_* flags. */
static unsigned take_key(ui *u, int key)
{
	unsigned flags;
	if (key == KEY_X_RESIZE) {
		flags = DESK_RELAYOUT | DESK_REDRAW;
	} else if (u->v.prompt != PROMPT_NONE) {
		int done = prompt_key(u, key);
		if (done == 0)
			return DESK_REDRAW;
		char *text = done > 0 ? xstrdup(u->input.data ? u->input.data : "") : NULL;
		sb_clear(&u->input);
		flags = desk_answer(u->d, &u->v, text);
		free(text);
	} else {
		if (u->lay.too_small && key != 'q' && key != 'Q' && key != KEY_X_ESC && key != CTRL('C'))
			return 0;
		flags = desk_act(u->d, &u->v, keymap_lookup(key));
	}
	if (flags & DESK_PROMPT) {
		/* a new prompt, or one opened again with its refused text */
		sb_clear(&u->input);
		if (u->v.prompt_fill) {
			sb_adds(&u->input, u->v.prompt_fill);
			free(u->v.prompt_fill);
			u->v.prompt_fill = NULL;
		}
		u->choices[0] = '\0';
		u->hist_at = -1;
	}
	return flags;
}

/* After the desk: say what the session saved, and apply the decisions to
 * the stored answers (export and show reflect them without an infer). */
static int finish(desk *d, char **err)
{
	size_t written, undone;
	desk_session(d, &written, &undone);
	const char *what = desk_is_eval(d) ? "label" : "decision";
	if (!written && !undone) {
		fprintf(stderr, "mxray review: no %ss made this session\n", what);
		return 0;
	}
	fprintf(stderr, "mxray review: saved %zu %s%s this session", written, what, written == 1 ? "" : "s");
	if (undone)
		fprintf(stderr, " (%zu undone)", undone);
	if (desk_is_eval(d)) {
		fprintf(stderr, "; 'mxray eval --sample %s' scores them\n", desk_sample(d));
		return 0;
	}
	fprintf(stderr, "; applying the decisions to the answers of snapshot %s (infer --approach priority) ...\n",
		desk_snapshot(d));
	if (desk_apply(d, stderr, isatty(STDERR_FILENO), err) < 0) {
		char *e = xasprintf("the decisions are saved but not applied: %s", *err);
		free(*err);
		*err = e;
		return -1;
	}
	fprintf(stderr, "mxray review: applied: export and show reflect the decisions\n");
	return 0;
}

/* The process's CPU time (user and system) in seconds: the trace gives it
 * beside the wall time (on a shared machine the wall time is the
 * others' too). */
static double cpu_clock(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* "key NAME WALL CPU" (ms, from the key read to the screen drawn). */
static void trace_key(FILE *trace, int key, double t0, double c0)
{
	if (!trace)
		return;
	char kn[16];
	fprintf(trace, "key %s %.1f %.1f\n", keymap_key_name(key, kn), (review_clock() - t0) * 1000,
		(cpu_clock() - c0) * 1000);
	fflush(trace);
}

/* "done search|filter WALL CPU" (ms, from the Enter that began it to the
 * answer drawn): a search or filter may go on between keys. */
static void trace_done(FILE *trace, const char *what, double t0, double c0)
{
	if (!trace)
		return;
	fprintf(trace, "done %s %.1f %.1f\n", what, (review_clock() - t0) * 1000, (cpu_clock() - c0) * 1000);
	fflush(trace);
}

int review_run(store *st, const review_opts *o, char **err)
{
	const char *tpath = getenv("MXRAY_REVIEW_TRACE");
	FILE *trace = tpath && *tpath ? fopen(tpath, "a") : NULL;
	desk *d = o->sample ? desk_open_eval(st, o->sample, o->analyst, o->kb, err)
			    : desk_open(st, o->snapshot, o->analyst, o->threshold, o->kb, err);
	if (!d) {
		if (trace)
			fclose(trace);
		return -1;
	}
	setlocale(LC_ALL, "");
	if (!initscr()) {
		if (trace)
			fclose(trace);
		desk_free(d);
		*err = xstrdup("cannot initialise the terminal");
		return -1;
	}
	mx_set_fatal_hook(restore_terminal);
	struct sigaction sa, old_hup, old_term;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_leave; /* no SA_RESTART: a read returns at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGTERM, &sa, &old_term);
	ui u;
	memset(&u, 0, sizeof u);
	u.d = d;
	desk_view_init(&u.v);
	desk_view_start(d, &u.v);
	desk_set_wait_hook(d, show_wait, &u);
	sb_init(&u.input);
	raw();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	colours(&u);
	draw(&u);
	if (trace) {
		/* wall time since the command began; CPU time since the process did */
		fprintf(trace, "first-screen %.1f %.1f\n", (review_clock() - o->t0) * 1000, cpu_clock() * 1000);
		fflush(trace);
	}
	int errs = 0, key;
	const char *answering = NULL; /* a search or filter the trace waits for */
	double at = 0, ac = 0;
	while ((key = next_key(&u, &errs)) >= 0) {
		if (key != 0) {
			double tk = review_clock(), ck = trace ? cpu_clock() : 0;
			enum desk_prompt pr = u.v.prompt;
			unsigned flags = take_key(&u, key);
			if (flags & DESK_QUIT)
				break;
			if (flags & DESK_RELAYOUT)
				clearok(stdscr, TRUE);
			if (flags)
				draw(&u);
			trace_key(trace, key, tk, ck);
			if ((key == KEY_X_ENTER || key == '\r') && (pr == PROMPT_SEARCH || pr == PROMPT_FILTER)) {
				answering = pr == PROMPT_SEARCH ? "search" : "filter";
				at = tk;
				ac = ck;
			}
		}
		if (answering && !u.v.search_wait && !desk_filter_pending(d, NULL)) {
			trace_done(trace, answering, at, ac);
			answering = NULL;
		}
	}
	endwin();
	mx_set_fatal_hook(NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	report_drop(&u);
	evidence_drop(&u);
	if (trace)
		fclose(trace);
	for (int k = 0; k < 5; k++)
		for (int i = 0; i < u.nhist[k]; i++)
			free(u.history[k][i]);
	sb_free(&u.input);
	desk_view_free(&u.v);
	int rc = finish(d, err);
	desk_free(d);
	return rc;
}
