/* cli: the command line.  One table of commands (src/main.c), each entry a
 * cli_command carrying its name, synopsis, summary, typed options and
 * handler (src/cli/, one file per group of commands).  cli_parse reads a
 * command's arguments by its table with getopt_long: --NAME VALUE and
 * --NAME=VALUE, options and operands in any order, `--` ends the options,
 * abbreviated option names are refused, and every typed value (a date, a
 * number in range, one of a few words) is checked once, here.  The
 * command's --help text is made from the same table, and tests/cli/run.sh
 * checks the man page's SYNOPSIS against it. */
#ifndef MXRAY_CLI_H
#define MXRAY_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mxray/kb.h"
#include "mxray/store.h"

/* Exit statuses; only main exits. */
enum { CLI_OK = 0, CLI_RUNTIME = 1, CLI_USAGE = 2 };
/* cli_parse's answers besides an exit status. */
enum { CLI_GO = -1, CLI_ASKED_HELP = -2 };

enum cli_type {
	CLI_FLAG,   /* no value */
	CLI_TEXT,   /* any text (a file, a name) */
	CLI_DATE,   /* YYYY-MM-DD, a real date */
	CLI_UINT,   /* a whole number in lo..hi (hi 0: no bound) */
	CLI_REAL,   /* a number in lo..hi */
	CLI_CHOICE, /* one of choices: its index */
};

typedef struct {
	const char *name;            /* long option, without "--" */
	enum cli_type type;
	const char *arg;             /* metavariable in help; NULL: YYYY-MM-DD for a date,
	                              * a|b|c for a choice */
	const char *help;
	const char *const *choices;  /* CLI_CHOICE: NULL-terminated */
	double lo, hi;               /* CLI_UINT, CLI_REAL: the range */
	const char *what;            /* CLI_UINT, CLI_REAL: what a bad value is not
	                              * ("a whole number", "a port 1-65535") */
} cli_opt;

/* One row of each type, for a command's table (which ends with CLI_END). */
#define CLI_OPT_FLAG(name, help) {(name), CLI_FLAG, NULL, (help), NULL, 0, 0, NULL}
#define CLI_OPT_TEXT(name, metavar, help) {(name), CLI_TEXT, (metavar), (help), NULL, 0, 0, NULL}
#define CLI_OPT_DATE(name, help) {(name), CLI_DATE, NULL, (help), NULL, 0, 0, NULL}
#define CLI_OPT_UINT(name, metavar, lo, hi, what, help) {(name), CLI_UINT, (metavar), (help), NULL, (lo), (hi), (what)}
#define CLI_OPT_REAL(name, metavar, lo, hi, what, help) {(name), CLI_REAL, (metavar), (help), NULL, (lo), (hi), (what)}
#define CLI_OPT_CHOICE(name, metavar, help, ...) \
	{(name), CLI_CHOICE, (metavar), (help), (const char *const[]){__VA_ARGS__, NULL}, 0, 0, NULL}
#define CLI_END {NULL, CLI_FLAG, NULL, NULL, NULL, 0, 0, NULL}

/* The most options a command may have (not counting --db and --help). */
#define CLI_MAX_OPTS 24

typedef struct {
	bool set;
	const char *s;  /* the text given (the last one, for a repeated option) */
	uint64_t u;     /* CLI_UINT: the number; CLI_CHOICE: the index */
	double d;       /* CLI_REAL */
} cli_value;

typedef struct {
	const char *db;             /* --db, else mxray's --db, else $MXRAY_DB, else ./mxray.db */
	const char *db_given;       /* --db, or NULL */
	cli_value v[CLI_MAX_OPTS];  /* by the option's index in the command's table */
	struct cli_seen {
		int opt;            /* index in the command's table */
		const char *arg;
	} *seen;                    /* every option given, in order (--db and --help not) */
	size_t nseen;
	/* the operands, argv[1] to argv[argc - 1]; argv[0] is the command's name */
	int argc;
	char **argv;
} cli_args;

enum {
	CLI_USES_DB = 1,  /* takes --db FILE (the one row of it, made by cli_parse) */
	CLI_IN_ORDER = 2, /* options end at the first operand (mxray's own, before the command) */
	CLI_DB_IGNORED = 4, /* with CLI_USES_DB: --db is taken but reads nothing (help), and its
	                     * --help says so */
};

typedef struct cli_command cli_command;
struct cli_command {
	const char *name;      /* NULL for mxray's own options, before the command */
	const char *synopsis;  /* after "mxray NAME" in help and in the man page */
	const char *summary;   /* first line: the one-line summary of `mxray --help` */
	const cli_opt *opts;   /* ends with a row whose name is NULL */
	unsigned flags;        /* CLI_USES_DB, CLI_IN_ORDER */
	int (*run)(const cli_command *self, cli_args *a);
};

/* The commands (each in src/cli/), and mxray's table of them (main.c). */
extern const cli_command cli_import, cli_probe, cli_stats, cli_infer, cli_correct, cli_show, cli_export,
	cli_review, cli_sample, cli_label, cli_eval, cli_report;

/* A number macro as a string, for help texts:
 * "(default " CLI_STR(INFER_THRESHOLD_DEFAULT) ")". */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

/* Read argv (argv[0]: the command's name, or the program's) by c's table
 * into *a; db is the --db given before the command (or NULL).  Returns
 * CLI_GO, CLI_ASKED_HELP (--help or -h: nothing printed), or CLI_USAGE
 * with the error said on stderr.  Free *a with cli_args_free either way. */
int cli_parse(const cli_command *c, int argc, char **argv, const char *db, cli_args *a);
void cli_args_free(cli_args *a);
/* The command's help: usage line, summary, one line per option. */
void cli_help(FILE *out, const cli_command *c);
/* "mxray NAME: MESSAGE" and "Try 'mxray NAME --help'." on stderr;
 * returns CLI_USAGE. */
int cli_usage(const cli_command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The operands are refused: "unexpected argument" (CLI_USAGE), or CLI_GO
 * when there are none. */
int cli_no_operands(const cli_command *c, const cli_args *a);

/* ---- helpers the handlers share (src/cli/common.c) ---- */

/* 1-63 letters, digits, '-', '_' or '.': a target list or sample name. */
bool cli_name_ok(const char *s);
/* A --list that names no imported list is an error, not an empty result:
 * true when list is NULL, "all" or a list of st; else false, said. */
bool cli_list_known(const cli_command *c, store *st, const char *list);
/* "mxray NAME: no snapshot DATE in DB (snapshots: A, B, C)" on stderr:
 * the snapshot asked for is not in st, and these are. */
void cli_no_snapshot(const cli_command *c, store *st, const char *db, const char *date);
/* Why a snapshot is passed over, and how to finish it: a format of two
 * %s, the database and the snapshot's date. */
#define CLI_UNFINISHED                                                                              \
	"not fully imported (an import of it is under way, or was stopped before its last step: 'mxray " \
	"import --db %s --snapshot %s' finishes it)"
/* Open the database (read-only for a command that only reads) and settle
 * the snapshot (default: the newest fully imported, written into buf).
 * When the default passes over a newer snapshot whose import is under way
 * or was stopped before its last step, a note on stderr says so and what
 * the command does instead ("mxray show: note: ...; showing 2021-06-08,
 * the newest that is"), with `doing` ("showing") as its verb; no note
 * when doing is NULL.  NULL when that fails, said on stderr.  Read-only,
 * in a read transaction from the snapshot's lookup on (store_read_end it
 * before store_close). */
store *cli_open_snapshot(const cli_command *c, const char *db, const char **snapshot, char buf[11], bool readonly,
			 const char *doing);
/* Open the database read-only for a command whose output comes from
 * several statements, in a read transaction (store_read_begin): each of
 * them reads the state of the first, whatever other processes commit
 * meanwhile.  store_read_end it before store_close.  NULL when that
 * fails, said on stderr. */
store *cli_open_reading(const cli_command *c, const char *db);
/* The end of a command that wrote in bulk (store_bulk_begin): the file in
 * WAL mode again, or a warning (what was written is kept). */
void cli_bulk_end(store *st);
/* "2021-06-08,2021-12-08" into a list of dates; false when one is bad
 * (free the list either way). */
bool cli_parse_dates(const char *arg, char ***out, size_t *n);
void cli_free_dates(char **d, size_t n);
/* The knowledge base of --kb FILE, else the built-in one; NULL when it
 * cannot be read, said. */
kb *cli_kb(const cli_command *c, const char *file);
/* Ctrl-C and SIGTERM: import and probe stop at their next step and keep
 * what is complete. */
void cli_catch_interrupts(void);

#endif
