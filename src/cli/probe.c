/* cli/probe: mxray probe, the evidence collected live (probe.h) into two
 * files, then imported into a snapshot. */
#include "mxray/cli.h"
#include "mxray/import.h"
#include "mxray/probe.h"
#include "mxray/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	O_SNAPSHOT, O_DOMAINS, O_LIST, O_RESOLVER, O_PORT, O_EHLO, O_RATE, O_CONCURRENCY, O_TIMEOUT, O_EXCLUDE,
	O_ALLOW, O_CA_FILE, O_SNI, O_PFX2AS, O_OUT, O_NO_IMPORT, O_QUIET, O_N
};

static const cli_opt opts[] = {
	[O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "the snapshot the results go to (required)"),
	[O_DOMAINS] = CLI_OPT_TEXT("domains", "FILE", "domains to probe, one a line ('-': standard input)"),
	[O_LIST] = CLI_OPT_TEXT("list", "NAME", "also import the domains as the target list NAME"),
	[O_RESOLVER] = CLI_OPT_TEXT("resolver", "IP[:PORT]", "DNS resolver (default: the system's)"),
	[O_PORT] = CLI_OPT_UINT("port", "N", 1, 65535, "a port 1-65535", "SMTP port (default 25)"),
	[O_EHLO] = CLI_OPT_TEXT("ehlo", "NAME", "EHLO name that identifies you (default: this machine's FQDN)"),
	[O_RATE] = CLI_OPT_REAL("rate", "N", 0.001, 100000, "a number 0.001-100000",
				"new SMTP connections per second in all (default 20)"),
	[O_CONCURRENCY] = CLI_OPT_UINT("concurrency", "N", 1, 100000, "a number 1-100000",
				       "open SMTP connections at most (default 100)"),
	[O_TIMEOUT] = CLI_OPT_REAL("timeout", "SECONDS", 0.05, 3600, "a number of seconds (0.05-3600)",
				   "per SMTP session and per DNS try (default 10)"),
	[O_EXCLUDE] = CLI_OPT_TEXT("exclude", "FILE", "CIDRs and domains never contacted (opt-outs)"),
	[O_ALLOW] = CLI_OPT_TEXT("allow", "CIDR", "special-purpose addresses that may be contacted (repeatable)"),
	[O_CA_FILE] = CLI_OPT_TEXT("ca-file", "PEM", "more trusted roots, besides the system's"),
	[O_SNI] = CLI_OPT_FLAG("sni", "send the MX host name as TLS SNI (default: none)"),
	[O_PFX2AS] = CLI_OPT_TEXT("pfx2as", "FILE", "CAIDA prefix-to-AS file, when the snapshot has none"),
	[O_OUT] = CLI_OPT_TEXT("out", "DIR", "where dns.jsonl and scans.jsonl go (default ./SNAPSHOT)"),
	[O_NO_IMPORT] = CLI_OPT_FLAG("no-import", "write the files only, import nothing"),
	[O_QUIET] = CLI_OPT_FLAG("quiet", "no progress bar, no summary (the import's lines stay)"),
	[O_N] = CLI_END,
};

/* One probe run: what it was asked, and what it holds until the end. */
typedef struct {
	probe_opts po;
	char ehlo[MX_NAME_MAX + 2];
	const char *db, *snapshot, *list, *outdir, *pfx2as;
	bool quiet;
	probe_domains doms;
	probe_exclude *ex, *allow;
	probe_prior *prior;
	FILE *df, *sf;
	char *dns_path, *scan_path, *tgt_path;
} job;

/* The options into j's settings, the ones a type cannot check checked:
 * CLI_GO or CLI_USAGE, said. */
static int settings(const cli_command *c, const cli_args *a, job *j)
{
	const cli_value *v = a->v;
	j->po = (probe_opts){.port = 25, .ehlo = j->ehlo, .rate = 20, .concurrency = 100, .timeout = 10, .log = stderr};
	j->db = a->db;
	j->snapshot = v[O_SNAPSHOT].s;
	j->list = v[O_LIST].s;
	j->outdir = v[O_OUT].set ? v[O_OUT].s : j->snapshot;
	j->pfx2as = v[O_PFX2AS].s;
	j->quiet = v[O_QUIET].set;
	j->po.resolver = v[O_RESOLVER].s;
	j->po.ca_file = v[O_CA_FILE].s;
	j->po.sni = v[O_SNI].set;
	j->po.progress = !j->quiet;
	if (v[O_PORT].set)
		j->po.port = (unsigned)v[O_PORT].u;
	if (v[O_RATE].set)
		j->po.rate = v[O_RATE].d;
	if (v[O_CONCURRENCY].set)
		j->po.concurrency = (int)v[O_CONCURRENCY].u;
	if (v[O_TIMEOUT].set)
		j->po.timeout = v[O_TIMEOUT].d;
	if (j->list && (!cli_name_ok(j->list) || !strcmp(j->list, "all")))
		return cli_usage(c, "list name '%s' must be 1-63 letters, digits, '-', '_' or '.' (not 'all')", j->list);
	if (v[O_EHLO].set) {
		const char *e = v[O_EHLO].s;
		size_t n = strlen(e);
		if (n == 0 || n > MX_NAME_MAX ||
		    strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_[]:") != n)
			return cli_usage(c, "--ehlo '%s' is not a host name or [address]", e);
		snprintf(j->ehlo, sizeof j->ehlo, "%s", e);
	}
	for (size_t i = 0; i < a->nseen; i++) {
		const char *why = a->seen[i].opt == O_ALLOW ? probe_exclude_add_cidr(j->allow, a->seen[i].arg) : NULL;
		if (why) {
			fprintf(stderr, "mxray probe: --allow '%s': %s\n", a->seen[i].arg, why);
			return cli_usage(c, "%s", "--allow takes an IPv4 address or CIDR");
		}
		if (a->seen[i].opt == O_ALLOW)
			j->po.allow = j->allow;
	}
	if (!j->snapshot)
		return cli_usage(c, "%s", "--snapshot YYYY-MM-DD is required");
	if (j->pfx2as && v[O_NO_IMPORT].set)
		return cli_usage(c, "%s", "--pfx2as is imported with the results: it has no use with --no-import");
	return CLI_GO;
}

/* The domains (operands and --domains), the exclusions, and the --pfx2as
 * file found readable now, not after an hour of probing: CLI_GO, or an
 * exit status with the error said (usage) or in *err (runtime). */
static int inputs(const cli_command *c, const cli_args *a, job *j, char **err)
{
	for (int i = 1; i < a->argc; i++) {
		const char *why = probe_domains_add(&j->doms, a->argv[i], strlen(a->argv[i]));
		if (why) {
			fprintf(stderr, "mxray probe: '%s': %s\n", a->argv[i], why);
			return CLI_USAGE;
		}
	}
	if (a->v[O_DOMAINS].set && probe_domains_load(&j->doms, a->v[O_DOMAINS].s, stderr, err) < 0)
		return CLI_RUNTIME;
	if (j->doms.n == 0)
		return cli_usage(c, "%s", "no domains: give DOMAIN arguments or --domains FILE");
	if (a->v[O_EXCLUDE].set) {
		j->ex = probe_exclude_new();
		if (probe_exclude_load(j->ex, a->v[O_EXCLUDE].s, err) < 0)
			return CLI_RUNTIME;
		j->po.exclude = j->ex;
	}
	if (j->pfx2as) {
		FILE *pf = fopen(j->pfx2as, "r");
		if (!pf) {
			*err = xasprintf("--pfx2as %s: %s", j->pfx2as, strerror(errno));
			return CLI_RUNTIME;
		}
		fclose(pf);
	}
	return CLI_GO;
}

/* Close an output file: 0, or the errno of a write that failed in it. */
static int close_output(FILE *f)
{
	errno = 0;
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed)
		return errno ? errno : EIO;
	return 0;
}

/* The output folder made, and the files of an earlier run in it opened to
 * append to and read back: 0, or -1 with *err. */
static int open_outputs(job *j, char **err)
{
	if (mkdir(j->outdir, 0777) < 0 && errno != EEXIST) {
		*err = xasprintf("%s: %s", j->outdir, strerror(errno));
		return -1;
	}
	j->dns_path = xasprintf("%s/dns.jsonl", j->outdir);
	j->scan_path = xasprintf("%s/scans.jsonl", j->outdir);
	long dropped[2] = {0, 0};
	if (!(j->df = probe_out_open(j->dns_path, &dropped[0], err)) ||
	    !(j->sf = probe_out_open(j->scan_path, &dropped[1], err)))
		return -1;
	for (int i = 0; i < 2; i++)
		if (dropped[i])
			fprintf(stderr, "mxray probe: %s: the unfinished last line (%ld bytes, from a run that was killed) "
					"was dropped\n", i ? j->scan_path : j->dns_path, dropped[i]);
	j->prior = probe_prior_new();
	uint64_t skipped = 0;
	if (probe_prior_load(j->prior, j->dns_path, false, stderr, &skipped, err) < 0 ||
	    probe_prior_load(j->prior, j->scan_path, true, stderr, &skipped, err) < 0)
		return -1;
	if (skipped)
		fprintf(stderr, "mxray probe: %llu lines of %s could not be read; their work is done again\n",
			(unsigned long long)skipped, j->outdir);
	size_t d = probe_prior_domains(j->prior), h = probe_prior_hosts(j->prior), n = probe_prior_scans(j->prior);
	if (!d && !h && !n) {
		probe_prior_free(j->prior);
		j->prior = NULL;
	} else if (!j->quiet) {
		fprintf(stderr, "mxray probe: resuming from %s: %zu domains, %zu MX hosts and %zu addresses are done "
				"already\n", j->outdir, d, h, n);
	}
	j->po.prior = j->prior;
	j->po.dns_name = j->dns_path;
	j->po.scan_name = j->scan_path;
	return 0;
}

static void print_summary(const job *j, const probe_counts *pc)
{
	fprintf(stderr,
		"probe: %llu domains (%llu excluded, %llu done before): %llu MX records, %llu failed lookups, "
		"%llu NODATA; %llu MX hosts (%llu excluded, %llu done before); %llu addresses (%llu excluded, "
		"%llu special-purpose, %llu done before); %llu SMTP sessions in %.1f s (%.0f/s): %llu banners, "
		"%llu TLS (%llu trusted), %llu errors; files in %s\n",
		(unsigned long long)pc->domains, (unsigned long long)pc->excluded_domains,
		(unsigned long long)pc->resumed_domains, (unsigned long long)pc->mx_records,
		(unsigned long long)pc->dns_failed, (unsigned long long)pc->dns_nodata, (unsigned long long)pc->hosts,
		(unsigned long long)pc->excluded_hosts, (unsigned long long)pc->resumed_hosts,
		(unsigned long long)pc->addresses, (unsigned long long)pc->excluded_addresses,
		(unsigned long long)pc->special_addresses, (unsigned long long)pc->resumed_addresses,
		(unsigned long long)pc->smtp_done, pc->seconds, pc->seconds > 0 ? (double)pc->smtp_done / pc->seconds : 0,
		(unsigned long long)pc->smtp_banner, (unsigned long long)pc->smtp_tls,
		(unsigned long long)pc->smtp_trusted, (unsigned long long)pc->smtp_failed, j->outdir);
}

/* Probe into the files: 0 done, 1 interrupted, or -1 with *err. */
static int probe_into_files(job *j, char **err)
{
	if (!j->ehlo[0])
		probe_default_ehlo(j->ehlo, sizeof j->ehlo);
	int cap = probe_concurrency_cap(j->po.concurrency);
	if (cap < j->po.concurrency) {
		fprintf(stderr, "mxray probe: --concurrency %d lowered to %d (the file-descriptor limit)\n",
			j->po.concurrency, cap);
		j->po.concurrency = cap;
	}
	if (open_outputs(j, err) < 0)
		return -1;
	cli_catch_interrupts();
	probe_counts pc;
	int pr = probe_run(&j->po, j->doms.v, j->doms.n, j->df, j->sf, &pc, err);
	/* a write that failed (a full disk): name the file */
	int derr = close_output(j->df), serr = close_output(j->sf);
	j->df = j->sf = NULL;
	if (pr < 0)
		return -1;
	if (derr || serr) {
		*err = xasprintf("cannot write %s: %s; it is incomplete and nothing was imported",
				 derr ? j->dns_path : j->scan_path, strerror(derr ? derr : serr));
		return -1;
	}
	if (!j->quiet)
		print_summary(j, &pc);
	if (pr == 1)
		fprintf(stderr, "mxray probe: interrupted: the files in %s hold what was done, and nothing was imported; "
				"the same command again probes only what is missing\n", j->outdir);
	return pr;
}

/* --list NAME: the domains probed, written as the list's targets file. */
static int write_targets(job *j, char **err)
{
	j->tgt_path = xasprintf("%s/targets-%s.txt", j->outdir, j->list);
	FILE *tf = fopen(j->tgt_path, "w");
	if (!tf) {
		*err = xasprintf("%s: %s", j->tgt_path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < j->doms.n; i++)
		fprintf(tf, "%s\n", j->doms.v[i]);
	if (fclose(tf) != 0) {
		*err = xasprintf("%s: %s", j->tgt_path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The files (and the targets, and --pfx2as when the snapshot has no
 * table yet) into the snapshot: 0, or -1 with *err. */
static int import_results(job *j, char **err)
{
	import_input in[4];
	size_t n = 0;
	if (j->list) {
		if (write_targets(j, err) < 0)
			return -1;
		in[n++] = (import_input){IMPORT_TARGETS, j->tgt_path, j->list};
	}
	in[n++] = (import_input){IMPORT_DNS, j->dns_path, NULL};
	in[n++] = (import_input){IMPORT_SCANS, j->scan_path, NULL};
	store *st = store_open(j->db, err);
	if (!st)
		return -1;
	if (j->pfx2as) {
		int has = probe_snapshot_has_pfx2as(st, j->snapshot, err);
		if (has < 0) {
			store_close(st);
			return -1;
		}
		if (has)
			fprintf(stderr, "mxray probe: snapshot %s has a pfx2as table already: --pfx2as %s is not imported "
					"('mxray import --pfx2as' merges one into it)\n", j->snapshot, j->pfx2as);
		else
			in[n++] = (import_input){IMPORT_PFX2AS, j->pfx2as, NULL};
	}
	import_opts io = {j->snapshot, false, !j->quiet, 10, stderr};
	int ir = import_run(st, &io, in, n, err);
	store_close(st);
	return ir < 0 ? -1 : 0;
}

static void job_free(job *j)
{
	if (j->df)
		fclose(j->df);
	if (j->sf)
		fclose(j->sf);
	free(j->dns_path);
	free(j->scan_path);
	free(j->tgt_path);
	probe_domains_free(&j->doms);
	probe_exclude_free(j->ex);
	probe_exclude_free(j->allow);
	probe_prior_free(j->prior);
}

static int run(const cli_command *c, cli_args *a)
{
	job j = {.allow = probe_exclude_new()};
	char *err = NULL;
	int rc = settings(c, a, &j), pr = -1;
	if (rc == CLI_GO)
		rc = inputs(c, a, &j, &err);
	if (rc == CLI_GO) {
		pr = probe_into_files(&j, &err);
		if (pr == 0 && !a->v[O_NO_IMPORT].set)
			pr = import_results(&j, &err);
		rc = pr == 0 ? CLI_OK : CLI_RUNTIME;
	}
	if (rc == CLI_RUNTIME && pr != 1) /* interrupted: said already */
		fprintf(stderr, "mxray probe: %s\n", err ? err : "failed");
	free(err);
	job_free(&j);
	return rc;
}

const cli_command cli_probe = {
	"probe",
	"--snapshot YYYY-MM-DD (DOMAIN... | --domains FILE) [--list NAME] [--resolver IP[:PORT]]\n"
	"       [--port N] [--ehlo NAME] [--rate N] [--concurrency N] [--timeout S] [--exclude FILE]\n"
	"       [--allow CIDR]... [--ca-file PEM] [--sni] [--pfx2as FILE] [--out DIR] [--no-import] [--quiet]",
	"Collect the evidence live: MX and A lookups, then one SMTP STARTTLS session per address.\n"
	"Writes OpenINTEL-style dns.jsonl and ZGrab2-style scans.jsonl under --out and imports\n"
	"them into the snapshot; then 'mxray infer' and 'mxray show DOMAIN' work.  Each address\n"
	"is asked: greeting, EHLO, STARTTLS, TLS handshake (the certificate is kept and its chain\n"
	"checked against the system's trusted roots and --ca-file, expiry included, the host\n"
	"name not), QUIT; never MAIL FROM or RCPT TO.  No SNI unless --sni.\n"
	"Interrupted (Ctrl-C), it keeps what is done in --out and imports nothing; the same\n"
	"command again probes only what is missing.  Private, loopback and other\n"
	"special-purpose addresses (RFC 6890) are never contacted unless --allow opens them.\n"
	"Etiquette: scan only what you may, identify yourself with --ehlo (a name whose web\n"
	"page explains the research and how to opt out), honour opt-out requests with\n"
	"--exclude, and keep the rate low (default 20 connections per second).",
	opts,
	CLI_USES_DB,
	run,
};
