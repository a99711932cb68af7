/* cli/args: a command's arguments read by its table (cli.h) with
 * getopt_long, and its --help made from the same table. */
#include "mxray/cli.h"
#include "mxray/util.h"

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The one --db row, added to every command that uses a database. */
static const cli_opt db_opt = CLI_OPT_TEXT("db", "FILE", "database file (default $MXRAY_DB, then ./mxray.db)");
/* The same for a command that reads no database (help): taken, so that a
 * command line with --db added still works, and said to be ignored. */
static const cli_opt db_ignored_opt = CLI_OPT_TEXT("db", "FILE", "accepted and ignored (help reads no database)");

/* getopt_long's value of option i of the table; --db and --help after. */
enum { VAL_BASE = 1000, VAL_DB = VAL_BASE + CLI_MAX_OPTS, VAL_HELP };

static const char *prog_name(const cli_command *c)
{
	return c->name ? c->name : "";
}

int cli_usage(const cli_command *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "mxray%s%s: ", c->name ? " " : "", prog_name(c));
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mxray%s%s --help'.\n", c->name ? " " : "", prog_name(c));
	return CLI_USAGE;
}

int cli_no_operands(const cli_command *c, const cli_args *a)
{
	return a->argc > 1 ? cli_usage(c, "unexpected argument '%s'", a->argv[1]) : CLI_GO;
}

/* The metavariable of an option: "FILE", "YYYY-MM-DD", "text|csv|jsonl". */
static void metavar(const cli_opt *o, char *buf, size_t size)
{
	buf[0] = 0;
	if (o->arg) {
		snprintf(buf, size, "%s", o->arg);
	} else if (o->type == CLI_DATE) {
		snprintf(buf, size, "YYYY-MM-DD");
	} else if (o->type == CLI_CHOICE) {
		size_t len = 0;
		for (const char *const *ch = o->choices; *ch && len < size; ch++)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", ch == o->choices ? "" : "|", *ch);
	}
}

static void help_row(FILE *out, const cli_opt *o)
{
	char mv[64], left[96];
	metavar(o, mv, sizeof mv);
	snprintf(left, sizeof left, "--%s%s%s", o->name, *mv ? " " : "", mv);
	fprintf(out, "  %-24s %s\n", left, o->help);
}

void cli_help(FILE *out, const cli_command *c)
{
	fprintf(out, "usage: mxray %s%s%s\n\n%s\n\noptions:\n", prog_name(c), *c->synopsis ? " " : "", c->synopsis,
		c->summary);
	if (c->flags & CLI_DB_IGNORED)
		help_row(out, &db_ignored_opt);
	else if (c->flags & CLI_USES_DB)
		help_row(out, &db_opt);
	for (const cli_opt *o = c->opts; o->name; o++)
		help_row(out, o);
	fprintf(out, "  %-24s %s\n", "--help", "show this help and exit");
}

/* "a, b or c" for an error message. */
static void choice_list(const cli_opt *o, char *buf, size_t size)
{
	size_t n = 0, len = 0;
	while (o->choices[n])
		n++;
	buf[0] = 0;
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
					o->choices[i]);
}

/* Check and keep the value of option i (o); CLI_GO or CLI_USAGE. */
static int take_value(const cli_command *c, const cli_opt *o, int i, const char *arg, cli_args *a)
{
	cli_value *v = &a->v[i];
	char *end;
	switch (o->type) {
	case CLI_FLAG:
	case CLI_TEXT:
		break;
	case CLI_DATE:
		if (!mx_date_valid(arg))
			return cli_usage(c, "--%s '%s' is not a date YYYY-MM-DD", o->name, arg);
		break;
	case CLI_UINT:
		if (!mx_parse_u64(arg, &v->u) || (double)v->u < o->lo || (o->hi > 0 && (double)v->u > o->hi))
			return cli_usage(c, "--%s '%s' is not %s", o->name, arg, o->what);
		break;
	case CLI_REAL:
		v->d = strtod(arg, &end);
		if (end == arg || *end || !isfinite(v->d) || !(v->d >= o->lo && v->d <= o->hi))
			return cli_usage(c, "--%s '%s' is not %s", o->name, arg, o->what);
		break;
	case CLI_CHOICE:
		for (v->u = 0; o->choices[v->u] && strcmp(o->choices[v->u], arg); v->u++)
			;
		if (!o->choices[v->u]) {
			char list[256];
			choice_list(o, list, sizeof list);
			return cli_usage(c, "--%s '%s' is not %s", o->name, arg, list);
		}
		break;
	}
	v->set = true;
	v->s = arg;
	a->seen[a->nseen++] = (struct cli_seen){i, arg};
	return CLI_GO;
}

/* The argument getopt_long just read an option from: argv[optind - 1],
 * or the one before when the option's value came as its own argument. */
static const char *option_text(char **argv, bool has_arg)
{
	return has_arg && optarg == argv[optind - 1] ? argv[optind - 2] : argv[optind - 1];
}

/* getopt_long takes a unique prefix for the option; mxray does not (a
 * later option could make it ambiguous, and scripts would then break). */
static bool whole_name(const char *text, const char *name)
{
	size_t n = strlen(name);
	return text[0] == '-' && text[1] == '-' && !strncmp(text + 2, name, n) && (text[2 + n] == 0 || text[2 + n] == '=');
}

/* What getopt_long refused ('?' or ':'), said. */
static int refused(const cli_command *c, int ch, char **argv, const struct option *lo)
{
	if (optopt >= VAL_BASE) {
		const struct option *o = lo;
		while (o->val != optopt)
			o++;
		return cli_usage(c, ch == ':' ? "--%s needs a value" : "--%s takes no value", o->name);
	}
	if (optopt > 0)
		return cli_usage(c, "unknown option '-%c'", optopt);
	const char *text = argv[optind - 1];
	int len = (int)strcspn(text, "=");
	char names[512] = "";
	size_t n = 0, k = 0;
	for (const struct option *o = lo; o->name && len > 2 && n < sizeof names; o++)
		if (!strncmp(o->name, text + 2, (size_t)len - 2))
			n += (size_t)snprintf(names + n, sizeof names - n, "%s--%s", k++ ? ", " : "", o->name);
	if (k)
		return cli_usage(c, "'%.*s' is short for one of %s: give the whole name", len, text, names);
	return cli_usage(c, "unknown option '%.*s'", len, text);
}

static struct option *long_options(const cli_command *c, int n)
{
	struct option *lo = xcalloc((size_t)n + 3, sizeof *lo);
	int k = 0;
	for (int i = 0; i < n; i++)
		lo[k++] = (struct option){c->opts[i].name, c->opts[i].type == CLI_FLAG ? no_argument : required_argument,
					  NULL, VAL_BASE + i};
	if (c->flags & CLI_USES_DB)
		lo[k++] = (struct option){db_opt.name, required_argument, NULL, VAL_DB};
	lo[k++] = (struct option){"help", no_argument, NULL, VAL_HELP};
	return lo;
}

int cli_parse(const cli_command *c, int argc, char **argv, const char *db, cli_args *a)
{
	memset(a, 0, sizeof *a);
	int n = 0;
	while (c->opts[n].name)
		n++;
	if (n > CLI_MAX_OPTS) {
		fprintf(stderr, "mxray %s: %d options, more than the %d a command may have\n", prog_name(c), n,
			CLI_MAX_OPTS);
		abort();
	}
	a->seen = xcalloc((size_t)argc + 1, sizeof *a->seen);
	struct option *lo = long_options(c, n);
	/* "+": options end at the first operand; ":": a missing value is ':' */
	const char *shorts = c->flags & CLI_IN_ORDER ? "+:h" : ":h";
	int rc = CLI_GO, ch, li;
	optind = 0; /* glibc: start afresh (mxray's own options were read before) */
	opterr = 0;
	while (rc == CLI_GO && (ch = getopt_long(argc, argv, shorts, lo, &li)) != -1) {
		if (ch == '?' || ch == ':') {
			rc = refused(c, ch, argv, lo);
		} else if (ch == 'h' || ch == VAL_HELP) {
			rc = CLI_ASKED_HELP;
		} else if (!whole_name(option_text(argv, lo[li].has_arg), lo[li].name)) {
			const char *text = option_text(argv, lo[li].has_arg);
			rc = cli_usage(c, "'%.*s' is short for --%s: give the whole name", (int)strcspn(text, "="), text,
				       lo[li].name);
		} else if (ch == VAL_DB) {
			a->db_given = optarg;
		} else {
			rc = take_value(c, &c->opts[ch - VAL_BASE], ch - VAL_BASE, optarg, a);
		}
	}
	if (c->flags & CLI_USES_DB) {
		const char *e = getenv("MXRAY_DB");
		a->db = a->db_given ? a->db_given : db ? db : e && *e ? e : "mxray.db";
	}
	/* the operands (getopt_long moved them last), after the command's name */
	int first = rc == CLI_GO ? optind : argc;
	a->argv = xcalloc((size_t)(argc - first) + 2, sizeof *a->argv);
	a->argv[a->argc++] = argv[0];
	for (int i = first; i < argc; i++)
		a->argv[a->argc++] = argv[i];
	free(lo);
	return rc;
}

void cli_args_free(cli_args *a)
{
	free(a->seen);
	free(a->argv);
	a->seen = NULL;
	a->argv = NULL;
}
