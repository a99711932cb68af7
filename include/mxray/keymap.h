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

/* X(id, name, help, key1, key2, key3): unused key slots are 0. */
#define DESK_ACTIONS(X) \
	X(DOWN,       "down",        "next row",                               'j', KEY_X_DOWN, 0) \
	X(UP,         "up",          "previous row",                           'k', KEY_X_UP, 0) \
	X(FIRST,      "first",       "first row",                              'g', KEY_X_HOME, 0) \
	X(LAST,       "last",        "last row",                               'G', KEY_X_END, 0) \
	X(PAGE_DOWN,  "page-down",   "page down",                              KEY_X_PGDN, CTRL('F'), ' ') \
	X(PAGE_UP,    "page-up",     "page up",                                KEY_X_PGUP, CTRL('B'), 0) \
	X(HALF_DOWN,  "half-down",   "half a page down",                       CTRL('D'), 0, 0) \
	X(HALF_UP,    "half-up",     "half a page up",                         CTRL('U'), 0, 0) \
	X(NEXT_PANE,  "next-pane",   "focus the next evidence pane",           KEY_X_TAB, 0, 0) \
	X(PREV_PANE,  "prev-pane",   "focus the previous evidence pane",       KEY_X_BTAB, 0, 0) \
	X(PANE_1,     "pane-cert",   "focus the certificate pane",             '1', 0, 0) \
	X(PANE_2,     "pane-smtp",   "focus the banner/EHLO pane",             '2', 0, 0) \
	X(PANE_3,     "pane-mx",     "focus the MX pane",                      '3', 0, 0) \
	X(PANE_4,     "pane-as",     "focus the AS pane",                      '4', 0, 0) \
	X(MAXIMIZE,   "maximize",    "maximise the focused pane (again: back)", 'O', KEY_X_ENTER, 0) \
	X(SCROLL_DOWN, "pane-down",  "scroll the focused pane down",           'J', 0, 0) \
	X(SCROLL_UP,  "pane-up",     "scroll the focused pane up",             'K', 0, 0) \
	X(SEARCH,     "search",      "search IPs, hosts, provider IDs, domains", '/', 0, 0) \
	X(SEARCH_NEXT, "search-next", "next match (wraps)",                    'n', 0, 0) \
	X(SEARCH_PREV, "search-prev", "previous match (wraps)",                'N', 0, 0) \
	X(FILTER,     "filter",      "filter: company, source, flag, status",  'f', '\\', 0) \
	X(CLEAR_FILTER, "clear-filter", "clear the filter",                    'F', 0, 0) \
	X(TOGGLE_ALL, "toggle-all",  "candidates only / all rows",             'v', 0, 0) \
	X(SORT,       "sort",        "next sort field",                        'S', 0, 0) \
	X(INVERT,     "invert",      "invert the sort order",                  'I', 0, 0) \
	X(CONFIRM,    "confirm",     "confirm the answer (eval: label it the truth)", 'c', 0, 0) \
	X(OVERRIDE,   "override",    "set another provider (eval: type the truth)", 'o', 0, 0) \
	X(SELF,       "self-hosted", "mark self-hosted (the MX host's own domain)", 's', 0, 0) \
	X(ACCEPT,     "accept",      "accept the heuristic's answer",          'a', 0, 0) \
	X(REJECT,     "reject",      "reject the heuristic: back to the evidence's ID", 'r', 0, 0) \
	X(ACCEPT_ALL, "accept-all",  "accept every pending heuristic in view", 'A', 0, 0) \
	X(UNDECIDABLE, "undecidable", "eval: label the domain \"cannot decide\"", 'x', 0, 0) \
	X(TAKE_MX,    "take-mx",     "eval: the mx approach's answer is the truth", 'M', 0, 0) \
	X(TAKE_CERT,  "take-cert",   "eval: the cert approach's answer is the truth", 'C', 0, 0) \
	X(TAKE_BANNER, "take-banner", "eval: the banner approach's answer is the truth", 'B', 0, 0) \
	X(TAKE_PRIORITY, "take-priority", "eval: the priority approach's answer is the truth", 'P', 0, 0) \
	X(CHART,      "chart",       "eval: the approaches' accuracy per sample (Figure 4)", 'V', 0, 0) \
	X(REPORT,     "report",      "market shares per snapshot, trends, data coverage", 'R', 0, 0) \
	X(NOTE,       "note",        "add a note to the row's decision",       'e', 0, 0) \
	X(TAG,        "tag",         "tag or untag the row",                   't', 0, 0) \
	X(UNTAG_ALL,  "untag-all",   "untag every row",                        'T', 0, 0) \
	X(UNDO,       "undo",        "undo the last decision",                 'u', 0, 0) \
	X(REDO,       "redo",        "redo",                                   CTRL('R'), 0, 0) \
	X(HELP,       "help",        "this help",                              '?', KEY_X_F1, 0) \
	X(REDRAW,     "redraw",      "redraw the screen",                      CTRL('L'), 0, 0) \
	X(QUIT,       "quit",        "close help or the maximised pane; quit", 'q', KEY_X_ESC, 0) \
	X(QUIT_NOW,   "quit-now",    "quit",                                   'Q', CTRL('C'), 0)

enum desk_action {
	ACT_NONE = 0,
#define X(id, name, help, k1, k2, k3) ACT_##id,
	DESK_ACTIONS(X)
#undef X
	ACT_COUNT
};

typedef struct {
	enum desk_action action;
	const char *name;
	const char *help;
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
/* One help line per action: "  c            confirm the answer". */
char **keymap_help_lines(size_t *n);

#endif
