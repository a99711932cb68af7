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
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

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
		cchar_t cc;
		wchar_t s[2] = {wc, 0};
		setcchar(&cc, s, role_attr(u, (enum desk_role)l->roles[i]) | extra, 0, NULL);
		mvadd_wch(y, x + col, &cc);
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

static void draw_status(ui *u)
{
	rect r = u->lay.status;
	fill(r.y, 0, r.w, A_REVERSE);
	if (u->v.prompt != PROMPT_NONE) {
		strbuf sb;
		sb_init(&sb);
		sb_adds(&sb, u->v.prompt_label);
		sb_add(&sb, u->input.data ? u->input.data : "", u->input.len);
		draw_text(u, r.y, 0, r.w, sb.data, ROLE_NORMAL, A_REVERSE);
		int cx = (int)strlen(u->v.prompt_label) + (int)u->input.len;
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
			 desk_ntagged(u->d) ? "  tagged" : "");
	else
		snprintf(left, sizeof left, " %zu/%zu  %zu reviewed  %zu remaining  %zu flagged  view: %s  sort: %s%s%s%s%s",
			 n ? u->v.cursor + 1 : 0, n, rev, rem, flg, desk_showing_all(u->d) ? "all" : "candidates",
			 desk_sort_names[s], inv ? "~" : "", *desk_filter_text(u->d) ? "  filter: " : "",
			 desk_filter_text(u->d), desk_ntagged(u->d) ? "  tagged" : "");
	desk_line l = {left, NULL, strlen(left)};
	uint8_t *roles = xcalloc(l.len + 1, 1);
	l.roles = roles;
	int used = draw_line(u, r.y, 0, r.w, &l, A_REVERSE, 0);
	free(roles);
	const char *msg = u->v.message[0] ? u->v.message : desk_is_eval(u->d) ?
		"? help  c final is right  o type the truth  x cannot decide  V chart  u undo  q quit" :
		"? help  / search  c confirm  o override  s self  u undo  q quit";
	int mw = (int)strlen(msg);
	int x = r.w - mw - 1;
	if (x < used + 2)
		x = used + 2;
	if (x < r.w)
		draw_text(u, r.y, x, r.w - x, msg, u->v.message_error ? ROLE_BAD : ROLE_NORMAL,
			  A_REVERSE | (u->v.message_error ? A_BOLD : 0));
}

static void draw_help(ui *u)
{
	size_t n;
	char **lines = keymap_help_lines(&n);
	int w = 72 < u->cols - 4 ? 72 : u->cols - 4;
	int h = u->lines - 4;
	int y0 = 2, x0 = (u->cols - w) / 2;
	if (u->v.help_scroll > (int)n - (h - 3))
		u->v.help_scroll = (int)n - (h - 3) > 0 ? (int)n - (h - 3) : 0;
	for (int k = 0; k < h; k++)
		fill(y0 + k, x0, w, A_NORMAL);
	draw_text(u, y0, x0 + 1, w - 2, "mxray review: keys (j/k scroll, any other key closes)", ROLE_LABEL, A_BOLD);
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
			snprintf(num, sizeof num, " %ld/%ld %5.1f%%", res[i].correct[a], res[i].labelled, 100 * f);
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
		double lo = t->rows[i].share[0], hi = lo;
		for (size_t k = 0; k < t->ndates; k++) {
			lo = t->rows[i].share[k] < lo ? t->rows[i].share[k] : lo;
			hi = t->rows[i].share[k] > hi ? t->rows[i].share[k] : hi;
		}
		for (size_t k = 0; k < t->ndates && xs + (int)k < w; k++) {
			int lvl = hi > lo ? (int)((t->rows[i].share[k] - lo) / (hi - lo) * 7 + 0.5) : 3;
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
	layout_compute(u->cols, u->lines, u->v.maximized, &u->lay);
	erase();
	if (u->lay.too_small) {
		char msg[96];
		snprintf(msg, sizeof msg, "terminal too small (%dx%d): mxray review needs %dx%d", u->cols, u->lines,
			 LAYOUT_MIN_COLS, LAYOUT_MIN_LINES);
		mvaddnstr(0, 0, msg, u->cols > 0 ? u->cols : 0);
		curs_set(0);
		refresh();
		return;
	}
	draw_list(u);
	size_t n = desk_nvisible(u->d);
	desk_pane panes[PANE_COUNT];
	desk_line verdict;
	if (n) {
		desk_evidence(u->d, desk_visible(u->d, u->v.cursor), panes, &verdict);
	} else {
		memset(panes, 0, sizeof panes);
		memset(&verdict, 0, sizeof verdict);
		static const char *const t[] = {"cert", "smtp", "mx", "as"};
		for (int i = 0; i < PANE_COUNT; i++)
			snprintf(panes[i].title, sizeof panes[i].title, "%s", t[i]);
	}
	for (int i = 0; i < PANE_COUNT; i++)
		draw_pane(u, i, &panes[i]);
	rect vr = u->lay.verdict;
	fill(vr.y, 0, vr.w, A_NORMAL);
	fill(vr.y + 1, 0, vr.w, A_NORMAL);
	if (verdict.len) {
		/* the verdict wraps onto its second line */
		int used = draw_line(u, vr.y, 0, vr.w, &verdict, 0, 0);
		if (used >= vr.w - 1)
			draw_line(u, vr.y + 1, 0, vr.w, &verdict, 0, vr.w - 1);
	}
	for (int i = 0; i < PANE_COUNT; i++)
		desk_pane_free(&panes[i]);
	desk_line_free(&verdict);
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
	if (u->v.prompt == PROMPT_YESNO) {
		/* one key: y or Y says yes, anything else no */
		sb_clear(&u->input);
		sb_adds(&u->input, key == 'y' || key == 'Y' ? "y" : "n");
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
		const char *c[64];
		size_t n = desk_complete(u->d, u->input.data ? u->input.data : "", c, 64);
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
			sb_clear(&u->input);
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
			if (l > u->input.len) {
				sb_clear(&u->input);
				sb_add(&u->input, c[0], l);
			}
		}
		return 0;
	}
	if (key >= 0x20 && key != 0x7f && key < 0x110000 && u->input.len < 200) {
		char mb[8];
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		size_t n = wcrtomb(mb, (wchar_t)key, &ps);
		if (n != (size_t)-1)
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
	ui u;
	memset(&u, 0, sizeof u);
	u.d = d;
	desk_view_init(&u.v);
	sb_init(&u.input);
	raw();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	const char *nc = getenv("NO_COLOR");
	u.color = has_colors() && !(nc && *nc);
	if (u.color) {
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
	draw(&u);
	if (trace) {
		fprintf(trace, "first-screen %.1f\n", (review_clock() - o->t0) * 1000);
		fflush(trace);
	}
	int errs = 0;
	for (;;) {
		wint_t wch;
		int r;
		if (desk_busy(d)) { /* background work between keys, never in their way */
			nodelay(stdscr, TRUE);
			r = get_wch(&wch);
			nodelay(stdscr, FALSE);
			if (r == ERR) {
				desk_idle(d);
				continue;
			}
		} else {
			r = get_wch(&wch);
		}
		if (r == ERR) {
			/* a signal interrupts a read now and then; a terminal that is
			 * gone fails every read: leave (every decision is saved)
			 * rather than spin */
			if (++errs >= 100 || !isatty(STDIN_FILENO))
				break;
			continue;
		}
		errs = 0;
		double tk = review_clock();
		int key = map_key((int)wch, r == KEY_CODE_YES);
		if (key == 0)
			continue;
		unsigned flags;
		if (key == KEY_X_RESIZE) {
			flags = DESK_RELAYOUT | DESK_REDRAW;
		} else if (u.v.prompt != PROMPT_NONE) {
			int done = prompt_key(&u, key);
			if (done == 0) {
				draw(&u);
				if (trace) {
					char kn[16];
					fprintf(trace, "key %s %.1f\n", keymap_key_name(key, kn), (review_clock() - tk) * 1000);
					fflush(trace);
				}
				continue;
			}
			char *text = done > 0 ? xstrdup(u.input.data ? u.input.data : "") : NULL;
			sb_clear(&u.input);
			flags = desk_answer(d, &u.v, text);
			free(text);
		} else {
			if (u.lay.too_small && key != 'q' && key != 'Q' && key != KEY_X_ESC)
				continue;
			flags = desk_act(d, &u.v, keymap_lookup(key));
			if (flags & DESK_PROMPT) {
				sb_clear(&u.input);
				u.choices[0] = '\0';
				u.hist_at = -1;
			}
		}
		if (flags & DESK_QUIT)
			break;
		if (flags & DESK_RELAYOUT)
			clearok(stdscr, TRUE);
		draw(&u);
		if (trace) {
			char kn[16];
			fprintf(trace, "key %s %.1f\n", keymap_key_name(key, kn), (review_clock() - tk) * 1000);
			fflush(trace);
		}
	}
	endwin();
	mx_set_fatal_hook(NULL);
	report_drop(&u);
	if (trace)
		fclose(trace);
	for (int k = 0; k < 5; k++)
		for (int i = 0; i < u.nhist[k]; i++)
			free(u.history[k][i]);
	sb_free(&u.input);
	desk_view_free(&u.v);
	desk_free(d);
	return 0;
}
