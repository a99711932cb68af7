/* cli/infer: mxray infer, the method over one snapshot or all. */
#include "mxray/cli.h"
#include "mxray/infer.h"
#include "mxray/kb.h"

#include <stdlib.h>

enum { O_SNAPSHOT, O_APPROACH, O_THRESHOLD, O_HEURISTICS, O_KB, O_ALL, O_QUIET, O_N };

static const cli_opt opts[] = {
	[O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot to infer (default: the newest fully imported)"),
	[O_APPROACH] = CLI_OPT_CHOICE("approach", "A",
				      "raw answers to record: priority, mx, cert, banner or all (default all)",
				      "priority", "mx", "cert", "banner", "all"),
	[O_THRESHOLD] = CLI_OPT_UINT("threshold", "N", 0, 1000000000, "a whole number",
				     "heuristics check IDs whose confidence is below N (default "
				     CLI_STR(INFER_THRESHOLD_DEFAULT) ")"),
	[O_HEURISTICS] = CLI_OPT_CHOICE("heuristics", "MODE", "apply (default), flag (mark for review only) or off",
					"apply", "flag", "off"),
	[O_KB] = CLI_OPT_TEXT("kb", "FILE", "knowledge base JSON replacing the built-in one"),
	[O_ALL] = CLI_OPT_FLAG("all", "infer every snapshot in the database"),
	[O_QUIET] = CLI_OPT_FLAG("quiet", "no progress bar and no summary"),
	[O_N] = CLI_END,
};

/* The summary of one snapshot's run, the same for --snapshot and --all. */
static void say_summary(const char *snapshot, const infer_summary *sum)
{
	fprintf(stderr,
		"infer %s: %llu domains, %llu answered (%llu split across providers), %llu without an "
		"SMTP-live MX; %llu primary MX hosts, %llu SMTP addresses; heuristics fired on %llu hosts "
		"and changed %llu; %llu analyst decisions applied; %.2f s\n",
		snapshot, (unsigned long long)sum->domains, (unsigned long long)sum->answered,
		(unsigned long long)sum->split, (unsigned long long)sum->no_smtp, (unsigned long long)sum->hosts,
		(unsigned long long)sum->ips, (unsigned long long)sum->fired, (unsigned long long)sum->changed,
		(unsigned long long)sum->corrected, sum->seconds);
}

/* Every snapshot, oldest first, each in its own transaction. */
static int infer_every(const char *db, infer_opts *o)
{
	char *err = NULL;
	store *st = store_open_existing(db, &err);
	if (!st) {
		fprintf(stderr, "mxray infer: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	store_bulk_begin(st);
	char (*dates)[11];
	long nd = store_snapshot_dates(st, &dates, &err);
	int rc = nd > 0 ? CLI_OK : CLI_RUNTIME;
	if (nd < 0) {
		fprintf(stderr, "mxray infer: %s\n", err);
		free(err);
	} else if (nd == 0) {
		fprintf(stderr, "mxray infer: %s has no snapshots (import data first)\n", db);
	}
	bool skipped = false;
	for (long i = 0; i < nd && rc == CLI_OK; i++) {
		infer_summary sum;
		o->snapshot = dates[i];
		/* a snapshot not fully imported (being imported now, or stopped
		 * before its last step) does not hold up the others */
		int derived = store_snapshot_derived(st, dates[i], &err);
		if (derived < 0) {
			fprintf(stderr, "mxray infer: %s: %s\n", dates[i], err);
			free(err);
			rc = CLI_RUNTIME;
			break;
		}
		if (!derived) {
			fprintf(stderr, "mxray infer: %s: skipped: " CLI_UNFINISHED "\n", dates[i], db, dates[i]);
			skipped = true;
			continue;
		}
		if (infer_run(st, o, &sum, &err) < 0) {
			fprintf(stderr, "mxray infer: %s: %s\n", dates[i], err);
			free(err);
			rc = CLI_RUNTIME;
		} else if (o->progress) {
			say_summary(dates[i], &sum);
		}
	}
	free(dates);
	cli_bulk_end(st);
	store_close(st);
	return rc == CLI_OK && skipped ? CLI_RUNTIME : rc;
}

static int infer_one(const cli_command *c, const char *db, const char *snapshot, infer_opts *o)
{
	char buf[11], *err = NULL;
	store *st = cli_open_snapshot(c, db, &snapshot, buf, false, o->progress ? "inferring" : NULL);
	if (!st)
		return CLI_RUNTIME;
	o->snapshot = snapshot;
	store_bulk_begin(st);
	infer_summary sum;
	int rc = CLI_OK;
	if (infer_run(st, o, &sum, &err) < 0) {
		fprintf(stderr, "mxray infer: %s\n", err);
		free(err);
		rc = CLI_RUNTIME;
	} else if (o->progress) {
		say_summary(snapshot, &sum);
	}
	cli_bulk_end(st);
	store_close(st);
	return rc;
}

static int run(const cli_command *c, cli_args *a)
{
	static const enum infer_heuristics heuristics[] = {INFER_HEUR_APPLY, INFER_HEUR_FLAG, INFER_HEUR_OFF};
	const char *snapshot = a->v[O_SNAPSHOT].s, *kbfile = a->v[O_KB].s;
	infer_opts o = {NULL, INFER_ALL, INFER_THRESHOLD_DEFAULT, heuristics[a->v[O_HEURISTICS].u], NULL,
			!a->v[O_QUIET].set, stderr, NULL};
	if (a->v[O_APPROACH].set)
		o.approaches = infer_parse_approach(a->v[O_APPROACH].s);
	if (a->v[O_THRESHOLD].set)
		o.threshold = (unsigned)a->v[O_THRESHOLD].u;
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	if (snapshot && a->v[O_ALL].set)
		return cli_usage(c, "%s", "--all and --snapshot do not go together");
	kb *k = cli_kb(c, kbfile);
	if (!k)
		return CLI_RUNTIME;
	o.kb = k;
	cli_catch_interrupts(); /* Ctrl-C: the run rolled back, the file left in WAL mode */
	rc = a->v[O_ALL].set ? infer_every(a->db, &o) : infer_one(c, a->db, snapshot, &o);
	kb_free(k);
	return rc;
}

const cli_command cli_infer = {
	"infer",
	"[--snapshot D | --all] [--approach priority|mx|cert|banner|all] [--threshold N] "
	"[--heuristics apply|flag|off] [--kb FILE] [--quiet]",
	"Infer each domain's mail provider (the paper's method) and store the answers.\n"
	"Certificate, then banner/EHLO, then MX name per primary MX; confidence max(numIP,\n"
	"numCert); heuristics for low-confidence IDs of large providers; analyst decisions\n"
	"re-applied.  Re-running replaces the snapshot's answers in one transaction.",
	opts,
	CLI_USES_DB,
	run,
};
