/* main: the mxray command line, a dispatcher.  mxray's own options (--db,
 * --help, --version) come before the command; the table below names every
 * command, whose entry (cli.h: synopsis, summary, typed options, handler)
 * lives with its handler in src/cli/.  Only main exits.  Exit status: 0
 * success, 1 runtime error, 2 usage error. */
#include "mxray/cli.h"
#include "mxray/hugepages.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MXRAY_VERSION "0.1.0"

static int run_help(const cli_command *self, cli_args *a);
static int run_version(const cli_command *self, cli_args *a);

static const cli_opt no_opts[] = {CLI_END};
/* help takes --db too, as every command it explains, and ignores it (its
 * --help says so: it reads no database) */
static const cli_command cli_help_cmd = {"help", "[COMMAND]", "Show help for mxray or for one command.", no_opts,
					 CLI_USES_DB | CLI_DB_IGNORED, run_help};
static const cli_command cli_version_cmd = {"version", "", "Print the version.", no_opts, 0, run_version};

/* The commands, in the order `mxray --help` lists them. */
static const cli_command *const commands[] = {
	&cli_import, &cli_stats, &cli_infer, &cli_correct, &cli_show, &cli_export, &cli_review,
	&cli_sample, &cli_label, &cli_eval, &cli_report, &cli_probe, &cli_help_cmd, &cli_version_cmd,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* mxray's own options, before the command (and --db, --help). */
enum { G_VERSION, G_N };
static const cli_opt global_opts[] = {
	[G_VERSION] = CLI_OPT_FLAG("version", "print the version and exit"),
	[G_N] = CLI_END,
};
static const cli_command global = {NULL, "[--db FILE] COMMAND [OPTIONS]", "", global_opts,
				   CLI_USES_DB | CLI_IN_ORDER, NULL};

static const cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void main_help(FILE *out)
{
	fprintf(out, "usage: mxray [--db FILE] COMMAND [OPTIONS] [--] [OPERANDS]\n\n"
		     "mxray works out who runs each domain's incoming mail (the method of the IMC'21\n"
		     "study \"Who's Got Your Mail?\") from DNS, port-25 scan and routing data.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *s = commands[i]->summary;
		fprintf(out, "  %-9s %.*s\n", commands[i]->name, (int)strcspn(s, "\n"), s);
	}
	fprintf(out, "\n'mxray COMMAND --help' shows a command's options.  See also mxray(1).\n"
		     "--db FILE before the command is the default for the command's --db.\n"
		     "Options take their value as --name VALUE or --name=VALUE, whole names only\n"
		     "(no abbreviations); '--' ends the options.\n"
		     "Exit status: 0 success, 1 runtime error, 2 usage error.\n");
}

static int run_help(const cli_command *self, cli_args *a)
{
	if (a->argc > 2)
		return cli_usage(self, "unexpected argument '%s'", a->argv[2]);
	if (a->argc == 2) {
		const cli_command *c = find_command(a->argv[1]);
		if (!c) {
			fprintf(stderr, "mxray: '%s' is not a command. See 'mxray --help'.\n", a->argv[1]);
			return CLI_USAGE;
		}
		cli_help(stdout, c);
		return CLI_OK;
	}
	main_help(stdout);
	return CLI_OK;
}

static int run_version(const cli_command *self, cli_args *a)
{
	int rc = cli_no_operands(self, a);
	if (rc == CLI_GO) {
		printf("mxray %s\n", MXRAY_VERSION);
		rc = CLI_OK;
	}
	return rc;
}

/* The commands that read or write whole snapshots: each is started again
 * with the heap in huge pages (hugepages.h) when that helps, before it
 * does anything.  At 1M domains that is a fifth or more off import, infer,
 * export assignments and sample; for the others it would cost more (the
 * start again, about 15 ms) than it saves. */
static const cli_command *const large[] = {&cli_import, &cli_infer, &cli_export, &cli_review, &cli_sample};
static char **main_argv;

static void restart_if_large(const cli_command *c)
{
	for (size_t i = 0; i < sizeof large / sizeof large[0]; i++)
		if (large[i] == c)
			hugepages_restart(main_argv);
}

/* The command named by g's first operand, run on the rest. */
static int dispatch(const cli_args *g, const char **name)
{
	const cli_command *c = find_command(g->argv[1]);
	if (!c) {
		fprintf(stderr, "mxray: '%s' is not a command. See 'mxray --help'.\n", g->argv[1]);
		return CLI_USAGE;
	}
	*name = c->name;
	cli_args a;
	int rc = cli_parse(c, g->argc - 1, g->argv + 1, g->db_given, &a);
	if (rc == CLI_ASKED_HELP) {
		cli_help(stdout, c);
		rc = CLI_OK;
	} else if (rc == CLI_GO) {
		restart_if_large(c);
		rc = c->run(c, &a);
	}
	cli_args_free(&a);
	return rc;
}

int main(int argc, char **argv)
{
	main_argv = argv;
	/* data on a pipe or file: large writes (a million-row export) */
	static char outbuf[1 << 20];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	cli_args g;
	const char *name = NULL;
	int rc = cli_parse(&global, argc, argv, NULL, &g);
	if (rc == CLI_ASKED_HELP) {
		main_help(stdout);
		rc = CLI_OK;
	} else if (rc == CLI_GO && g.v[G_VERSION].set) {
		printf("mxray %s\n", MXRAY_VERSION);
		rc = CLI_OK;
	} else if (rc == CLI_GO && g.argc < 2) {
		main_help(stderr);
		rc = CLI_USAGE;
	} else if (rc == CLI_GO) {
		rc = dispatch(&g, &name);
	}
	cli_args_free(&g);
	/* output that could not be written (a full disk, a closed pipe) is a
	 * failure, said once, whatever the command */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno;
		if (rc == CLI_OK)
			fprintf(stderr, "mxray%s%s: cannot write the output (standard output): %s; it is incomplete\n",
				name ? " " : "", name ? name : "", e ? strerror(e) : "write error");
		rc = CLI_RUNTIME;
	}
	return rc;
}
