/* keymap: the review desk's actions, listed once (X-macro) with their
 * keys and help text.  The enum, the key lookup, the action names and the
 * help screen all come from this one table.  Key codes are mxray's own
 * (below), so the table is tested without curses; ui/ maps curses keys. */
#ifndef MXRAY_KEYMAP_H
#define MXRAY_KEYMAP_H

#include <stddef.h>

enum {
	KEY_X_UP = 0x110000, KEY_X_DOWN, KEY_X_LEFT, KEY_X_RIGHT, KEY_X_PGUP, KEY_X_PGDN,
	KEY_X_HOME, KEY_X_END, KEY_X_F1, KEY_X_RESIZE, KEY_X_BTAB,
	KEY_X_TAB = '\t', KEY_X_ENTER = '\n', KEY_X_ESC = 27,
};
#define CTRL(c) ((c) & 0x1f)

/* The desk's modes, as a bit set: which mode an action belongs to. */
enum { KM_TRIAGE = 1, KM_EVAL = 2, KM_BOTH = 3 };

/* X(id, name, modes, help, eval_help, key1, key2, key3): eval_help is the
 * help in eval mode when the action means something else there (NULL:
 * help); unused key slots are 0.  The help screen of a mode lists the
 * actions of that mode only (as tig's views have keys of their own). */
#define DESK_ACTIONS(X) \
	X(DOWN,       "down",        KM_BOTH, "next row", NULL,                          'j', KEY_X_DOWN, 0) \
	X(UP,         "up",          KM_BOTH, "previous row", NULL,                      'k', KEY_X_UP, 0) \
	X(FIRST,      "first",       KM_BOTH, "first row", NULL,                         'g', KEY_X_HOME, 0) \
	X(LAST,       "last",        KM_BOTH, "last row", NULL,                          'G', KEY_X_END, 0) \
	X(PAGE_DOWN,  "page-down",   KM_BOTH, "page down", NULL,                         KEY_X_PGDN, CTRL('F'), ' ') \
	X(PAGE_UP,    "page-up",     KM_BOTH, "page up", NULL,                           KEY_X_PGUP, CTRL('B'), 0) \
	X(HALF_DOWN,  "half-down",   KM_BOTH, "half a page down", NULL,                  CTRL('D'), 0, 0) \
	X(HALF_UP,    "half-up",     KM_BOTH, "half a page up", NULL,                    CTRL('U'), 0, 0) \
	X(NEXT_PANE,  "next-pane",   KM_BOTH, "focus the next evidence pane", NULL,      KEY_X_TAB, 0, 0) \
	X(PREV_PANE,  "prev-pane",   KM_BOTH, "focus the previous evidence pane", NULL,  KEY_X_BTAB, 0, 0) \
	X(PANE_1,     "pane-cert",   KM_BOTH, "focus the certificate pane", NULL,        '1', 0, 0) \
	X(PANE_2,     "pane-smtp",   KM_BOTH, "focus the banner/EHLO pane", NULL,        '2', 0, 0) \
	X(PANE_3,     "pane-mx",     KM_BOTH, "focus the MX pane", "focus the answers pane", '3', 0, 0) \
	X(PANE_4,     "pane-as",     KM_BOTH, "focus the AS pane", NULL,                 '4', 0, 0) \
	X(MAXIMIZE,   "maximize",    KM_BOTH, "read the focused pane full screen, wrapped (again: back)", NULL, 'O', KEY_X_ENTER, 0) \
	X(SCROLL_DOWN, "pane-down",  KM_BOTH, "scroll the focused pane down", NULL,      'J', 0, 0) \
	X(SCROLL_UP,  "pane-up",     KM_BOTH, "scroll the focused pane up", NULL,        'K', 0, 0) \
	X(SEARCH,     "search",      KM_BOTH, "search IPs, hosts, provider IDs, domains and the evidence", NULL, '/', 0, 0) \
	X(SEARCH_NEXT, "search-next", KM_BOTH, "next match (wraps)", NULL,               'n', 0, 0) \
	X(SEARCH_PREV, "search-prev", KM_BOTH, "previous match (wraps)", NULL,           'N', 0, 0) \
	X(FILTER,     "filter",      KM_BOTH, "filter by company, source, status or the evidence", NULL, 'f', '\\', 0) \
	X(CLEAR_FILTER, "clear-filter", KM_BOTH, "clear the filter", NULL,               'F', 0, 0) \
	X(TOGGLE_ALL, "toggle-all",  KM_TRIAGE, "candidates only / all rows", NULL,      'v', 0, 0) \
	X(SORT,       "sort",        KM_BOTH, "next sort field", NULL,                   'S', 0, 0) \
	X(INVERT,     "invert",      KM_BOTH, "invert the sort order", NULL,             'I', 0, 0) \
	X(CONFIRM,    "confirm",     KM_BOTH, "confirm the answer", "label: the final answer is the truth", 'c', 0, 0) \
	X(OVERRIDE,   "override",    KM_BOTH, "set another provider (Tab completes)", \
	  "type the truth: companies or provider IDs, ';' between (Tab completes)", 'o', 0, 0) \
	X(SELF,       "self-hosted", KM_BOTH, "mark self-hosted (the MX host's own domain)", \
	  "label: the mx approach's answer is the truth", 's', 0, 0) \
	X(ACCEPT,     "accept",      KM_TRIAGE, "accept the heuristic's answer", NULL,   'a', 0, 0) \
	X(REJECT,     "reject",      KM_TRIAGE, "reject the heuristic: back to the evidence's ID", NULL, 'r', 0, 0) \
	X(ACCEPT_ALL, "accept-all",  KM_TRIAGE, "accept every pending heuristic in view", NULL, 'A', 0, 0) \
	X(SCOPE,      "scope",       KM_TRIAGE, "decide on: the address, its MX hosts, or their domains (cycles)", NULL, 'z', 0, 0) \
	X(UNDECIDABLE, "undecidable", KM_EVAL, "label the domain \"cannot decide\"", NULL, 'x', 0, 0) \
	X(TAKE_MX,    "take-mx",     KM_EVAL, "label: the mx approach's answer is the truth", NULL, 'M', 0, 0) \
	X(TAKE_CERT,  "take-cert",   KM_EVAL, "label: the cert approach's answer is the truth", NULL, 'C', 0, 0) \
	X(TAKE_BANNER, "take-banner", KM_EVAL, "label: the banner approach's answer is the truth", NULL, 'B', 0, 0) \
	X(TAKE_PRIORITY, "take-priority", KM_EVAL, "label: the priority approach's answer is the truth", NULL, 'P', 0, 0) \
	X(CHART,      "chart",       KM_EVAL, "the approaches' accuracy per sample (Figure 4)", NULL, 'V', 0, 0) \
	X(REPORT,     "report",      KM_BOTH, "market shares per snapshot, trends, data coverage", NULL, 'R', 0, 0) \
	X(STAY,       "stay",        KM_BOTH, "toggle: stay on the row after a decision (default: move on)", \
	  "toggle: stay on the row after a label (default: move on)", 'm', 0, 0) \
	X(NOTE,       "note",        KM_TRIAGE, "add a note to the row's decision", NULL, 'e', 0, 0) \
	X(TAG,        "tag",         KM_BOTH, "tag or untag the row", NULL,              't', 0, 0) \
	X(TAG_ALL,    "tag-all",     KM_BOTH, "tag every row in view", NULL,             '*', 0, 0) \
	X(UNTAG_ALL,  "untag-all",   KM_BOTH, "untag every row", NULL,                   'T', 0, 0) \
	X(UNDO,       "undo",        KM_BOTH, "undo the last decision", "undo the last label", 'u', 0, 0) \
	X(REDO,       "redo",        KM_BOTH, "redo", NULL,                              CTRL('R'), 0, 0) \
	X(HELP,       "help",        KM_BOTH, "this help", NULL,                         '?', KEY_X_F1, 0) \
	X(REDRAW,     "redraw",      KM_BOTH, "redraw the screen", NULL,                 CTRL('L'), 0, 0) \
	X(QUIT,       "quit",        KM_BOTH, "close help or the full-screen pane; quit", NULL, 'q', KEY_X_ESC, 0) \
	X(QUIT_NOW,   "quit-now",    KM_BOTH, "quit", NULL,                              'Q', CTRL('C'), 0)

enum desk_action {
	ACT_NONE = 0,
#define X(id, name, modes, help, ehelp, k1, k2, k3) ACT_##id,
	DESK_ACTIONS(X)
#undef X
	ACT_COUNT
};

typedef struct {
	enum desk_action action;
	const char *name;
	unsigned modes;         /* KM_TRIAGE, KM_EVAL or both */
	const char *help;
	const char *eval_help;  /* NULL: help */
	int keys[3];
} keymap_entry;

/* The table, in display order (ACT_COUNT - 1 entries). */
const keymap_entry *keymap_table(size_t *n);
/* The action bound to a key, or ACT_NONE. */
enum desk_action keymap_lookup(int key);
/* An action by name ("confirm"), or ACT_NONE. */
enum desk_action keymap_by_name(const char *name);
/* Human name of a key: "j", "Down", "^R", "PgDn", "Tab", "Esc". */
const char *keymap_key_name(int key, char buf[16]);
/* One help line per action of the mode (KM_TRIAGE or KM_EVAL), with
 * that mode's help text: "  c                confirm the answer". */
char **keymap_help_lines(unsigned mode, size_t *n);

#endif
