/* cli/import: mxray import, the files of a snapshot into the database. */
#include "mxray/cli.h"
#include "mxray/import.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

enum { O_SNAPSHOT, O_LIST, O_TARGETS, O_DNS, O_SCANS, O_PFX2AS, O_ASORG, O_STRICT, O_QUIET, O_N };

static const cli_opt opts[] = {
	[O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the date the data describes (required unless only --asorg is given;"
				    " given alone: finish a stopped import)"),
	[O_LIST] = CLI_OPT_TEXT("list", "NAME", "name of the target list for the next --targets"),
	[O_TARGETS] = CLI_OPT_TEXT("targets", "FILE", "domains of the list named by the preceding --list"),
	[O_DNS] = CLI_OPT_TEXT("dns", "FILE", "OpenINTEL MX/A/CNAME rows, JSON Lines, CSV or Avro (repeatable)"),
	[O_SCANS] = CLI_OPT_TEXT("scans", "FILE",
				 "port-25 scans: Censys legacy, Censys 2.0 or ZGrab2 JSON Lines (repeatable)"),
	[O_PFX2AS] = CLI_OPT_TEXT("pfx2as", "FILE", "CAIDA RouteViews prefix-to-AS file"),
	[O_ASORG] = CLI_OPT_TEXT("asorg", "FILE", "CAIDA AS-to-Organization file (text or JSON Lines)"),
	[O_STRICT] = CLI_OPT_FLAG("strict", "stop at the first bad line; exit 1 and commit nothing"),
	[O_QUIET] = CLI_OPT_FLAG("quiet", "no progress bar"),
	[O_N] = CLI_END,
};

/* The files in the order given, each with its kind (and list); n into *n.
 * NULL on a usage error, said. */
static import_input *inputs(const cli_command *c, const cli_args *a, size_t *n, int *rc)
{
	import_input *in = xcalloc(a->nseen + 1, sizeof *in);
	const char *list = NULL;
	int stdin_uses = 0;
	*n = 0;
	*rc = CLI_USAGE;
	for (size_t i = 0; i < a->nseen; i++) {
		const char *arg = a->seen[i].arg;
		enum import_kind kind;
		switch (a->seen[i].opt) {
		case O_LIST:
			if (!cli_name_ok(arg)) {
				cli_usage(c, "list name '%s' must be 1-63 letters, digits, '-', '_' or '.'", arg);
				goto bad;
			}
			if (!strcmp(arg, "all")) {
				cli_usage(c, "the list name '%s' is reserved: it stands for every domain of the MX queries"
					  " (with an MX record, a failed MX lookup or NODATA)", arg);
				goto bad;
			}
			list = arg;
			continue;
		case O_TARGETS:
			if (!list) {
				cli_usage(c, "%s needs a --list NAME before it", "--targets");
				goto bad;
			}
			kind = IMPORT_TARGETS;
			break;
		case O_DNS:
			kind = IMPORT_DNS;
			break;
		case O_SCANS:
			kind = IMPORT_SCANS;
			break;
		case O_PFX2AS:
			kind = IMPORT_PFX2AS;
			break;
		case O_ASORG:
			kind = IMPORT_ASORG;
			break;
		default:
			continue;
		}
		if (!strcmp(arg, "-"))
			stdin_uses++;
		in[(*n)++] = (import_input){kind, arg, kind == IMPORT_TARGETS ? list : NULL};
	}
	if (stdin_uses > 1) {
		cli_usage(c, "%s", "standard input ('-') can be read by only one option");
		goto bad;
	}
	*rc = CLI_GO;
	return in;
bad:
	free(in);
	return NULL;
}

/* --snapshot alone: build the derived tables of a stopped import. */
static int finish_stopped(const cli_command *c, const char *db, const char *snapshot, bool quiet)
{
	char *err = NULL;
	store *st = store_open_existing(db, &err);
	int rc = CLI_RUNTIME;
	if (!st) {
		fprintf(stderr, "mxray import: %s\n", err);
	} else if (!store_snapshot_exists(st, snapshot)) {
		cli_no_snapshot(c, st, db, snapshot);
	} else if (import_derive(st, snapshot, &err) < 0) {
		fprintf(stderr, "mxray import: %s\n", err);
	} else {
		if (!quiet)
			fprintf(stderr, "snapshot %s: MX addresses and ASNs resolved\n", snapshot);
		rc = CLI_OK;
	}
	free(err);
	store_close(st);
	return rc;
}

/* What was kept (all the files, or those before the one that failed),
 * and that the snapshot's last step waits for 'mxray import --snapshot'. */
static void say_unresolved(bool file_failed, const char *db, const char *snapshot)
{
	if (file_failed)
		fprintf(stderr, "mxray import: nothing of that file was written to %s; the files before it were kept", db);
	else
		fputs("mxray import: the files were kept", stderr);
	fprintf(stderr, ", but snapshot %s's MX addresses were not resolved: 'mxray import --db %s --snapshot %s' "
		"finishes it ('mxray infer' refuses until then)\n", snapshot, db, snapshot);
}

static int import_files(const char *db, const char *snapshot, bool strict, bool quiet, const import_input *in,
			size_t n)
{
	char *err = NULL;
	store *st = store_open(db, &err);
	if (!st) {
		fprintf(stderr, "mxray import: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	cli_catch_interrupts();
	import_opts o = {snapshot, strict, !quiet, 10, stderr};
	store_bulk_begin(st);
	int ir = import_run(st, &o, in, n, &err), rc = CLI_OK;
	if (ir < 0) {
		fprintf(stderr, "mxray import: %s\n", err);
		if (strict)
			fprintf(stderr, "mxray import: aborted (--strict): nothing was committed to %s\n", db);
		else if (ir == -1)
			fprintf(stderr, "mxray import: nothing of that file was written to %s; the files before it were kept\n",
				db);
		else
			say_unresolved(ir == -3, db, snapshot);
		free(err);
		err = NULL;
		rc = CLI_RUNTIME;
	}
	cli_bulk_end(st);
	store_close(st);
	return rc;
}

static int run(const cli_command *c, cli_args *a)
{
	const char *snapshot = a->v[O_SNAPSHOT].s;
	bool strict = a->v[O_STRICT].set, quiet = a->v[O_QUIET].set;
	if (a->argc > 1)
		return cli_usage(c, "unexpected argument '%s' (files go after --dns, --scans, --targets, --pfx2as or --asorg)",
				 a->argv[1]);
	size_t n;
	int rc;
	import_input *in = inputs(c, a, &n, &rc);
	if (!in)
		return rc;
	bool needs_snapshot = false;
	for (size_t i = 0; i < n; i++)
		needs_snapshot |= in[i].kind != IMPORT_ASORG;
	if (n == 0 && !snapshot)
		rc = cli_usage(c, "%s", "nothing to import: give --dns, --scans, --pfx2as, --asorg or --targets "
			       "(or --snapshot alone to finish a stopped import)");
	else if (!snapshot && needs_snapshot)
		rc = cli_usage(c, "%s", "--snapshot YYYY-MM-DD is required");
	else if (n == 0)
		rc = finish_stopped(c, a->db, snapshot, quiet);
	else
		rc = import_files(a->db, snapshot, strict, quiet, in, n);
	free(in);
	return rc;
}

const cli_command cli_import = {
	"import",
	"--snapshot YYYY-MM-DD [--list NAME --targets FILE]... [--dns FILE]... "
	"[--scans FILE]... [--pfx2as FILE] [--asorg FILE] [--strict] [--quiet]",
	"Load DNS, scan, routing and AS-organisation data into the database.\n"
	"FILE may be '-' for standard input.  Each file is one transaction; with --strict\n"
	"the whole import is one.\n"
	"Bad lines are reported as FILE:LINE: reason (the first 10 per file) and skipped.",
	opts,
	CLI_USES_DB,
	run,
};
