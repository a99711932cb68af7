/* keymap: the one table of desk actions. */
#include "mxray/keymap.h"
#include "mxray/util.h"

#include <stdio.h>
#include <string.h>

static const keymap_entry table[] = {
#define X(id, name, modes, help, ehelp, k1, k2, k3) {ACT_##id, name, modes, help, ehelp, {k1, k2, k3}},
	DESK_ACTIONS(X)
#undef X
};

const keymap_entry *keymap_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

enum desk_action keymap_lookup(int key)
{
	if (key == 0)
		return ACT_NONE;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		for (int k = 0; k < 3; k++)
			if (table[i].keys[k] == key)
				return table[i].action;
	return ACT_NONE;
}

enum desk_action keymap_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].name, name))
			return table[i].action;
	return ACT_NONE;
}

const char *keymap_key_name(int key, char buf[16])
{
	static const struct {
		int key;
		const char *name;
	} named[] = {
		{KEY_X_UP, "Up"}, {KEY_X_DOWN, "Down"}, {KEY_X_LEFT, "Left"}, {KEY_X_RIGHT, "Right"},
		{KEY_X_PGUP, "PgUp"}, {KEY_X_PGDN, "PgDn"}, {KEY_X_HOME, "Home"}, {KEY_X_END, "End"},
		{KEY_X_F1, "F1"}, {KEY_X_TAB, "Tab"}, {KEY_X_BTAB, "S-Tab"}, {KEY_X_ENTER, "Enter"},
		{KEY_X_ESC, "Esc"}, {' ', "Space"},
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == key) {
			snprintf(buf, 16, "%s", named[i].name);
			return buf;
		}
	if (key > 0 && key < 32)
		snprintf(buf, 16, "^%c", key + 64);
	else if (key >= 32 && key < 127)
		snprintf(buf, 16, "%c", key);
	else
		snprintf(buf, 16, "#%x", (unsigned)key);
	return buf;
}

char **keymap_help_lines(unsigned mode, size_t *n)
{
	size_t all = sizeof table / sizeof table[0];
	char **lines = xcalloc(all, sizeof *lines);
	*n = 0;
	for (size_t i = 0; i < all; i++) {
		if (!(table[i].modes & mode))
			continue;
		char keys[48] = "", b[16];
		for (int k = 0; k < 3 && table[i].keys[k]; k++) {
			if (k)
				strcat(keys, " ");
			strcat(keys, keymap_key_name(table[i].keys[k], b));
		}
		const char *help = mode == KM_EVAL && table[i].eval_help ? table[i].eval_help : table[i].help;
		lines[(*n)++] = xasprintf("  %-16s %s", keys, help);
	}
	return lines;
}
