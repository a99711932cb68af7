/* desk: the review desk's model, with no curses: the queue of SMTP
 * addresses serving primary MX records, its filters, sort and search (on
 * the evidence too, worked out between keys on a large database), the
 * evidence of the selected row as display-ready lines (untrusted text
 * already escaped; the verdict laid out by fields), the analyst's
 * decisions (written at once to the correction table, at the address, MX
 * host or domain scope, waiting for another process's lock rather than
 * failing) with undo and redo, tags and bulk decisions, what other
 * processes change meanwhile, and the key handling: an action updates the
 * model and view and returns what must be redrawn; it never draws. */
#ifndef MXRAY_DESK_H
#define MXRAY_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mxray/evaluate.h"
#include "mxray/kb.h"
#include "mxray/keymap.h"
#include "mxray/report.h"
#include "mxray/store.h"

/* A sampled domain's row in eval mode (desk_row.sm). */
typedef struct desk_sample_row {
	uint32_t pos;         /* place in the sample */
	char *answers[5];     /* mx, cert, banner, priority, final: companies or IDs, ';' between */
	char *label;          /* the standing label; "" = cannot decide; NULL = none */
	int64_t label_id;
	bool examined;        /* the heuristics sent it to review */
} desk_sample_row;

/* A row's strings that only a row read in full (on screen, acted on) or
 * decided has (desk_row.more): made when the first of them is set. */
typedef struct desk_row_more {
	char *priority_id, *reason, *hosts;
	char *suggested;      /* the ID the heuristics propose (NULL: none) */
	char *self_id;        /* the busiest host's registered domain (a self-hosted answer) */
	char *decided;        /* for 'o': the provider ID set */
	char *note;
} desk_row_more;

typedef struct {
	/* (the fields by size, largest first: no padding between them) */
	char *ip, *provider_id, *company, *heuristic;
	char *company_lc;     /* lower-case company, for searching */
	/* NULL until one of its strings is set: most of the queue's rows
	 * never are, and they are millions at 10M domains (without these
	 * 48 bytes in each, 120 bytes a row, not 168, the first screen at
	 * 10M took 0.64-1.09 s against 1.00-1.51 s, alternating) */
	struct desk_row_more *more;
	/* eval mode: the row is a sampled domain (its name in ip), and this
	 * is the sample's side of it; NULL in an address's row.  The queue
	 * is millions of rows at 10M domains, and a row's every byte is
	 * memory the first screen waits for: without these 64 bytes in each
	 * (200 bytes a row, not 264), 0.7-1.2 s against 1.0-1.7 s there;
	 * with the fields in order of size too (184 bytes), 0.78-1.19 s
	 * against 0.85-1.39 s (alternating runs) */
	struct desk_sample_row *sm;
	int64_t decision;     /* the row's standing decision (correction id), 0 = none */
	uint32_t best_host;   /* the busiest primary MX host's name id (the answer is its) */
	uint32_t provider_nid; /* provider_id's name id (the name is read when needed) */
	uint32_t asn, confidence, domains, nhosts;
	uint32_t ipnum;       /* the address as a number, for sorting */
	char ipbuf[16];       /* where ip points for an address row */
	bool named;           /* provider_id, priority_id, suggested and reason are read */
	bool ev;              /* nhosts, best_host, asn and source are read (a row's
				 own, or all of them between keys: desk_row_get reads them) */
	bool flagged;         /* a heuristic fired (heuristic names it, once read) */
	bool own_company;     /* company and company_lc are the row's (else the desk's table's) */
	bool candidate;       /* a large provider's ID below the threshold, or a heuristic fired */
	bool tagged;
	char dscope;          /* what it is about: 'i' the address, 'm' one of its MX hosts */
	char verdict;         /* 0, 'c' confirm, 's' self-hosted, 'o' set */
	uint8_t source;       /* the answer's source, infer's code (infer_source_name); 0 = none */
} desk_row;

enum desk_sort { SORT_CONFIDENCE, SORT_DOMAINS, SORT_IP, SORT_PROVIDER, SORT_ASN, SORT_STATUS, SORT_COUNT };
extern const char *const desk_sort_names[];

typedef struct {
	char *company;   /* case-insensitive substring of company or provider ID; NULL = any */
	char *source;    /* cert, banner, mx, correction; NULL = any */
	int flag;        /* -1 any, 1 a heuristic fired, 0 none */
	int reviewed;    /* -1 any, 1 decided, 0 pending */
	char *heuristic; /* asn, suggest, hostname (or a heuristic's name); NULL = any */
	int64_t asn;     /* -1 any */
	char *cert;      /* text in the certificate's names (lower case); NULL = any */
	char *banner;    /* text in the banner or EHLO (lower case); NULL = any */
} desk_filter;

/* Display roles: the UI maps them to colours (or reverse/bold/underline). */
enum desk_role { ROLE_NORMAL, ROLE_LABEL, ROLE_ESCAPED, ROLE_HIGHLIGHT, ROLE_GOOD, ROLE_BAD, ROLE_DIM };

typedef struct {
	char *text;       /* UTF-8, no control characters */
	uint8_t *roles;   /* one role per byte of text */
	size_t len;
} desk_line;

typedef struct {
	char title[32];
	desk_line *lines;
	size_t n, cap;
} desk_pane;

enum desk_pane_id { PANE_CERT, PANE_SMTP, PANE_MX, PANE_AS, PANE_COUNT };

typedef struct desk desk;

/* Open the queue for a snapshot's last inference run.  analyst names the
 * decisions.  Returns NULL with *err when the snapshot has no results. */
/* Eval mode (desk_open_eval): one row per domain of an evaluation sample;
 * decisions are labels (the truth), not corrections. */
desk *desk_open(store *st, const char *snapshot, const char *analyst, unsigned threshold, const kb *k,
		char **err);
desk *desk_open_eval(store *st, const char *sample, const char *analyst, const kb *k, char **err);
bool desk_is_eval(const desk *d);
const char *desk_sample(const desk *d);
void desk_free(desk *d);
/* Work the desk does while it waits for keys (reading the names of every
 * row; a search or filter over the evidence), a slice at a time:
 * desk_busy says whether some remains, desk_tick does one slice (tens of
 * milliseconds) and returns DESK_REDRAW when the view changed (a search
 * found its row, a filter is ready). */
bool desk_busy(const desk *d);

/* Rows (all of them) and the current view (indices into rows). */
size_t desk_nrows(const desk *d);
/* A number that changes whenever what some row shows changes (a decision,
 * a label, undo, a refresh): a display may keep what it drew until then. */
unsigned desk_generation(const desk *d);
const desk_row *desk_row_get(const desk *d, size_t i);
size_t desk_nvisible(const desk *d);
size_t desk_visible(const desk *d, size_t vi); /* row index of visible row vi */
const char *desk_snapshot(const desk *d);

/* View settings; each rebuilds the visible list. */
void desk_show_all(desk *d, bool all);
bool desk_showing_all(const desk *d);
void desk_set_sort(desk *d, enum desk_sort s, bool inverted);
enum desk_sort desk_get_sort(const desk *d, bool *inverted);
/* Parse and apply "company=x source=y flag=yes|no status=reviewed|pending
 * heuristic=asn|suggest|hostname asn=N cert=x banner=x" (a bare word means
 * company=word; "" clears).  False with *why when bad.  company=,
 * heuristic=, asn= and source= read a field of every row, cert= and
 * banner= the evidence of every row: the new view may wait for that work
 * (desk_tick does it a slice at a time; desk_filter_pending says so, with
 * how far it is). */
bool desk_set_filter(desk *d, const char *text, const char **why);
/* The rows each slice of background work reads (0, the default: 16,384
 * rows' codes, 8,192 names or 1,024 heuristics a slice, and a key does
 * up to 15,000 rows' work at once); else `rows` a slice and four slices
 * a key, so that the same work takes more of them (tests). */
void desk_set_slice(desk *d, size_t rows);
bool desk_filter_pending(const desk *d, int *percent);
/* The filter as text ("" when none). */
const char *desk_filter_text(const desk *d);

/* Search from visible index `from` (exclusive) forwards (dir 1) or
 * backwards (-1), wrapping; matches IP, host names, provider ID, company,
 * heuristic, the evidence (banner, EHLO, certificate names, AS and
 * organisation names, the heuristic's reason) and rows serving a domain
 * named exactly.  Returns the visible index or -1.  *wrapped says whether
 * it went round.  It does all the work at once; the desk's search key
 * does it between keys instead (desk_tick). */
long desk_search(desk *d, const char *pattern, size_t from, int dir, bool *wrapped);

/* Counts over the candidates: decided, still pending, heuristic fired. */
void desk_counts(const desk *d, size_t *reviewed, size_t *remaining, size_t *flagged);

/* Decisions.  `rows` are row indices.  verdict 'c' confirm, 's' self,
 * 'o' set (provider may be a company name), 'a' accept the heuristic,
 * 'r' reject it (set the evidence's own ID).  One transaction each; the
 * whole call is one undo step.  Returns the number of decisions written, or
 * -1 with *err. */
int desk_decide(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, const char *note,
		char **err);
/* The same at a wider scope: 'i' the address (desk_decide), 'm' the
 * primary MX hosts using each row's address, 'd' the domains those hosts
 * serve (decisions on at most DESK_SCOPE_MAX of them; more is refused).
 * One undo step.  Returns the decisions written, or -1 with *err. */
#define DESK_SCOPE_MAX 1000
int desk_decide_scope(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, const char *note,
		      char scope, char **err);
/* How many domains a decision on the rows' addresses would leave split
 * across providers (made split, or split another way): domains with
 * another primary MX host, on none of the address's hosts, that answers
 * something else than the decision's answer.  *example (allocated, or
 * NULL) names one: "example.org: mx2.other.net says other.net".  Looks at
 * the first 200 rows, at most DESK_SCOPE_MAX domains. */
size_t desk_splits(desk *d, const size_t *rows, size_t n, char verdict, const char *provider, char **example);
/* Eval mode: label rows with a truth: an approach's name (mx, cert,
 * banner, priority, final) takes that approach's answer; otherwise
 * companies or provider IDs, ';' between several; "" = cannot decide.
 * One undo step.  Returns labels written or -1. */
int desk_label(desk *d, const size_t *rows, size_t n, const char *truth, char **err);
/* Eval mode: the scores of every sample (allocated; count returned). */
size_t desk_chart(desk *d, eval_result **out);

/* The report view: top providers' shares per snapshot and the coverage
 * of each snapshot (every domain with MX records).  *cov has t->ndates
 * entries.  Returns 0 or -1 with *err. */
int desk_report(desk *d, size_t top, trend *t, coverage_row **cov, char **err);

/* Re-record the row's standing decision with a note. */
int desk_note(desk *d, size_t row, const char *note, char **err);
int desk_undo(desk *d, char **err);   /* 0 nothing to undo, >0 decisions undone, -1 error */
int desk_redo(desk *d, char **err);

/* The interactive desk: writes wait while another process holds the
 * database (an import, another desk), as long as it takes (a decision is
 * never refused for a lock), hook told every 200 ms of a wait (ms waited
 * so far) so that the wait shows; and no WAL checkpoint during a key (until
 * desk_free). */
void desk_set_wait_hook(desk *d, void (*hook)(void *arg, unsigned ms), void *arg);
/* Whether another process changed the database since the desk last
 * looked (SQLite's data_version): then every row's decision (label) is
 * read again, and *what (allocated) says what changed. */
bool desk_poll(desk *d, char **what);
/* What this session wrote: decisions (labels) saved, and undone. */
void desk_session(const desk *d, size_t *written, size_t *undone);
/* Apply the session's decisions to the stored answers: infer the
 * snapshot's priority and final answers again with its last run's
 * knowledge base (which must be the desk's) and parameters, so that
 * export and show reflect them.  Progress on log.  0, or -1 with *err. */
int desk_apply(desk *d, FILE *log, bool progress, char **err);

void desk_tag(desk *d, size_t row, bool on);
void desk_untag_all(desk *d);
size_t desk_ntagged(const desk *d);

/* Provider IDs and company names starting with prefix (for completion),
 * sorted, at most max; returns the count (strings owned by the desk). */
size_t desk_complete(const desk *d, const char *prefix, const char **out, size_t max);

/* The evidence of row `row` as four panes, and the verdict as two lines
 * laid out by fields for `width` columns: what the inference said (a long
 * reason is cut at a word), and the standing decision or label (always
 * whole but for its note). */
void desk_evidence(desk *d, size_t row, int width, desk_pane panes[PANE_COUNT], desk_line verdict[2]);
/* Evidence whole (no caps on lines and lengths), for a pane read full
 * screen; the default is capped to fit the panes. */
void desk_set_full(desk *d, bool full);
void desk_pane_free(desk_pane *p);
void desk_line_free(desk_line *l);
/* The queue row as one display line (escaped), for the list. */
void desk_row_line(const desk *d, size_t row, desk_line *out);
const char *desk_header(const desk *d);
/* Rows for a narrow terminal (under 110 columns): fewer columns. */
void desk_set_compact(desk *d, bool compact);

/* ---- key handling ----------------------------------------------------- */

/* PROMPT_YESNO and PROMPT_SPLIT take one key (its text is the key). */
enum desk_prompt { PROMPT_NONE, PROMPT_SEARCH, PROMPT_FILTER, PROMPT_OVERRIDE, PROMPT_NOTE, PROMPT_YESNO, PROMPT_SPLIT };

typedef struct {
	size_t cursor, top;          /* visible indices */
	size_t page;                 /* rows the list shows (the UI sets it) */
	size_t pager_page;           /* rows a pane read full screen shows (the UI sets it) */
	int focus;                   /* focused pane */
	int maximized;               /* -1 or the pane read full screen */
	int scroll[PANE_COUNT];
	bool help;
	int help_scroll;
	bool chart;                  /* eval: the accuracy chart overlay */
	bool report;                 /* the report overlay */
	char *search;
	int search_dir;
	int search_wait;             /* a search working between keys: its direction (0: none) */
	int busy_percent;            /* the percentage the status line shows of that work (or a filter's) */
	double busy_drawn;           /* when it was last drawn (mx_clock_s) */
	enum desk_prompt prompt;     /* an action asks the UI for text */
	char prompt_label[128];
	enum desk_action pending;    /* what a yes/no prompt confirms */
	char *pending_text;          /* a bulk override's text, until confirmed */
	char pending_verdict;        /* what a split warning holds back */
	char scope;                  /* decisions on: 'i' the address, 'm' its MX hosts, 'd' their domains */
	char *prompt_fill;           /* the text a prompt opens with (the UI takes it) */
	char message[256];           /* the result of the last action */
	bool message_error;
	bool stay;                   /* after a decision, stay on the row (default: on to the next) */
} desk_view;

enum { DESK_REDRAW = 1, DESK_RELAYOUT = 2, DESK_QUIT = 4, DESK_PROMPT = 8 };

void desk_view_init(desk_view *v);
void desk_view_free(desk_view *v);
unsigned desk_tick(desk *d, desk_view *v);
/* Do an action; returns DESK_* flags. */
unsigned desk_act(desk *d, desk_view *v, enum desk_action a);
/* The answer to v->prompt (NULL: cancelled). */
unsigned desk_answer(desk *d, desk_view *v, const char *text);
/* Where the view opens: eval mode at the first unlabelled domain. */
void desk_view_start(const desk *d, desk_view *v);
/* Keep the cursor visible for a list of `page` rows. */
void desk_view_fix(const desk *d, desk_view *v);

#endif
