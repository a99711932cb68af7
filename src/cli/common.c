/* cli/common: what several command handlers need: names, lists,
 * snapshots, dates and interrupts. */
#include "mxray/cli.h"
#include "mxray/import.h"
#include "mxray/infer.h"
#include "mxray/probe.h"
#include "mxray/sanitize.h"
#include "mxray/util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

bool cli_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

bool cli_list_known(const cli_command *c, store *st, const char *list)
{
	if (!list || !strcmp(list, "all"))
		return true;
	char *err = NULL;
	int found = store_list_find(st, list, &err);
	if (found < 0) {
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
		free(err);
		return false;
	}
	if (found)
		return true;
	char *names = store_list_names(st);
	char *e = sanitize_str(list);
	fprintf(stderr, "mxray %s: there is no list '%s' (lists: all%s%s)\n", c->name, e, *names ? ", " : "", names);
	free(e);
	free(names);
	return false;
}

void cli_no_snapshot(const cli_command *c, store *st, const char *db, const char *date)
{
	char (*dates)[11] = NULL, *err = NULL;
	long n = store_snapshot_dates(st, &dates, &err);
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "");
	for (long i = 0; i < n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", dates[i]);
	char *d = sanitize_str(date);
	if (n > 0)
		fprintf(stderr, "mxray %s: no snapshot %s in %s (snapshots: %s)\n", c->name, d, db, sb.data);
	else if (n == 0)
		fprintf(stderr, "mxray %s: no snapshot %s in %s, which has no snapshots (import data first)\n", c->name, d,
			db);
	else /* the snapshots could not be listed: why, instead */
		fprintf(stderr, "mxray %s: no snapshot %s in %s (%s)\n", c->name, d, db, err);
	free(d);
	free(err);
	free(dates);
	sb_free(&sb);
}

store *cli_open_snapshot(const cli_command *c, const char *db, const char **snapshot, char buf[11], bool readonly,
			 const char *doing)
{
	char *err = NULL;
	store *st = readonly ? cli_open_reading(c, db) : store_open_existing(db, &err);
	if (!st) {
		if (err)
			fprintf(stderr, "mxray %s: %s\n", c->name, err);
		free(err);
		return NULL;
	}
	int found = *snapshot ? store_snapshot_find(st, *snapshot, NULL, &err) : store_snapshot_newest(st, buf, &err);
	if (found < 0)
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
	else if (!found && !*snapshot)
		fprintf(stderr, "mxray %s: %s has no snapshots (import data first)\n", c->name, db);
	else if (!found)
		cli_no_snapshot(c, st, db, *snapshot);
	free(err);
	if (found != 1) {
		if (readonly)
			store_read_end(st);
		store_close(st);
		return NULL;
	}
	if (*snapshot)
		return st;
	*snapshot = buf;
	/* the default passes over a snapshot still being imported (or whose
	 * import was stopped before its last step): say which */
	char later[11];
	if (doing && store_snapshot_unfinished_after(st, buf, later, NULL) == 1)
		fprintf(stderr, "mxray %s: note: snapshot %s is " CLI_UNFINISHED "; %s %s, the newest that is\n", c->name,
			later, db, later, doing, buf);
	return st;
}

store *cli_open_reading(const cli_command *c, const char *db)
{
	char *err = NULL;
	store *st = store_open_readonly(db, &err);
	if (st && store_read_begin(st, &err) < 0) {
		store_close(st);
		st = NULL;
	}
	if (!st) {
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
		free(err);
	}
	return st;
}

void cli_bulk_end(store *st)
{
	char *err = NULL;
	if (store_bulk_end(st, &err) < 0)
		fprintf(stderr, "mxray: warning: the database stays in rollback-journal mode until the next writer opens it: %s\n",
			err);
	free(err);
}

bool cli_parse_dates(const char *arg, char ***out, size_t *n)
{
	char *buf = xstrdup(arg);
	*out = NULL;
	*n = 0;
	bool ok = true;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!mx_date_valid(t))
			ok = false;
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = xstrdup(t);
	}
	free(buf);
	return ok && *n > 0;
}

void cli_free_dates(char **d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i]);
	free(d);
}

kb *cli_kb(const cli_command *c, const char *file)
{
	char *err = NULL;
	kb *k = file ? kb_load_file(file, &err) : kb_load_default(&err);
	if (!k) {
		fprintf(stderr, "mxray %s: %s\n", c->name, err);
		free(err);
	}
	return k;
}

/* The flags are atomic_int, set here and read on every thread: only a
 * lock-free atomic may be written by a signal handler. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "an int is lock-free atomic");

static void on_interrupt(int sig)
{
	(void)sig;
	import_interrupted = 1;
	probe_interrupted = 1;
	infer_interrupted = 1;
}

void cli_catch_interrupts(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
