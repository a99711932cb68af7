/* mxgen main: the command line, the loop over the domains (drift between
 * epochs included) and the summary on stderr.  See mxgen.h for the files. */
#include "mxgen.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxray/util.h"

uint64_t g_seed;
Counts g_n;

static void usage(FILE *f)
{
	fputs("usage: mxgen --domains N --seed S --date YYYY-MM-DD --out DIR [--epoch K]\n"
	      "\n"
	      "Write a deterministic synthetic MX measurement snapshot into DIR:\n"
	      "  dns.jsonl            OpenINTEL-style MX/A/CNAME/AAAA rows\n"
	      "  scans-censys.jsonl   Censys legacy IPv4 host records (port 25)\n"
	      "  scans-zgrab2.jsonl   ZGrab2 smtp module output\n"
	      "  scans-censys2.jsonl  Censys Search 2.0 host records\n"
	      "  pfx2as.txt           CAIDA RouteViews prefix-to-AS\n"
	      "  as2org.txt           CAIDA AS-to-organisation\n"
	      "  targets-alexa.txt, targets-com.txt, targets-gov.txt\n"
	      "  truth.csv            domain,truth (company or provider ID)\n"
	      "\n"
	      "  --domains N   number of base domains (1..20000000); seven fixed ones\n"
	      "                under co.za, org.za and gov.za come on top\n"
	      "  --seed S      PRNG seed (unsigned 64-bit integer)\n"
	      "  --date D      snapshot date (UTC), e.g. 2021-06-08\n"
	      "  --out DIR     output directory (created if missing)\n"
	      "  --epoch K     drift epoch 0..100, 0 = base population (default 0)\n"
	      "  --help        show this help\n"
	      "\n"
	      "Same arguments give byte-identical files.  Exit status: 0 success,\n"
	      "1 I/O error, 2 usage error.\n", f);
}

static _Noreturn void die_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("mxgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'mxgen --help' for more information.\n", stderr);
	exit(2);
}

void die_io(const char *path)
{
	fprintf(stderr, "mxgen: %s: %s\n", path, strerror(errno ? errno : EIO));
	exit(1);
}

void die_internal(const char *what)
{
	fprintf(stderr, "mxgen: internal error: %s\n", what);
	exit(1);
}

typedef struct {
	uint64_t n_domains, seed, epoch;
	const char *date, *out;
} Args;

static void parse_args(int argc, char **argv, Args *a)
{
	static const struct option opts[] = {
		{"domains", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
		{"date", required_argument, NULL, 'd'},    {"out", required_argument, NULL, 'o'},
		{"epoch", required_argument, NULL, 'e'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *domains = NULL, *seed = NULL, *epoch = NULL;
	memset(a, 0, sizeof *a);
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1;) {
		switch (c) {
		case 'n': domains = optarg; break;
		case 's': seed = optarg; break;
		case 'd': a->date = optarg; break;
		case 'o': a->out = optarg; break;
		case 'e': epoch = optarg; break;
		case 'h': usage(stdout); exit(0);
		case ':': die_usage("option %s needs a value", argv[optind - 1]);
		default: die_usage("unknown argument '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unknown argument '%s'", argv[optind]);
	if (!domains || !seed || !a->date || !a->out)
		die_usage("--domains, --seed, --date and --out are required");
	if (!mx_parse_u64(domains, &a->n_domains) || a->n_domains < 1 || a->n_domains > 20000000)
		die_usage("--domains must be an integer from 1 to 20000000, not '%s'", domains);
	if (!mx_parse_u64(seed, &a->seed))
		die_usage("--seed must be an unsigned decimal integer, not '%s'", seed);
	if (!mx_date_valid(a->date))
		die_usage("--date must be a valid date YYYY-MM-DD (1970 or later), not '%s'", a->date);
	if (epoch && (!mx_parse_u64(epoch, &a->epoch) || a->epoch > 100))
		die_usage("--epoch must be an integer from 0 to 100, not '%s'", epoch);
	if (!*a->out)
		die_usage("--out must name a directory");
}

/* Domains 0..n_domains-1 are the base population; each later epoch adds
 * newper domains.  A domain may expire (1%) or move provider (3%) in each
 * epoch after it was born. */
static uint64_t domain_loop(const Args *a, uint64_t total, uint64_t newper)
{
	Setup *S = xcalloc(1, sizeof *S);
	uint64_t ntwo = 0;
	for (uint64_t id = 0; id < total; id++) {
		Dom d;
		dom_base(&d, id);
		uint64_t born = id < a->n_domains ? 0 : 1 + (id - a->n_domains) / newper;
		d.kind = d.basekind;
		int gone = 0;
		for (uint64_t e = born + 1; e <= a->epoch; e++) {
			uint64_t h = HS(id, e, 0xE90C);
			double x = to01(h);
			if (x < 0.01) {
				gone = 1;
				break;
			}
			if (x < 0.04) {
				d.kind = migrate(d.kind, H2(h, 7));
				d.moved = (int)e;
			}
		}
		write_target(d.list, d.name);
		if (d.list2 >= 0) {
			write_target(d.list2, d.name);
			ntwo++;
		}
		g_n.domains++;
		g_n.fresh += born > 0;
		if (gone) { /* expired: still a target, but no DNS data any more */
			g_n.gone++;
			continue;
		}
		g_n.moved += d.moved > 0;
		Rng r = rng_for(id, (uint64_t)d.moved, 0x5E7);
		build_setup(&d, S, &r);
		emit_dns(&d, S);
		write_truth(&d, S);
		g_n.kind[d.kind]++;
	}
	psl_cases(S);
	free(S);
	return ntwo;
}

static void print_summary(const Args *a, uint64_t ntwo)
{
	fprintf(stderr, "mxgen: %" PRIu64 " domains (seed %" PRIu64 ", date %s, epoch %" PRIu64 ") -> %s\n",
		g_n.domains, a->seed, a->date, a->epoch, a->out);
	fprintf(stderr, "  lists: %s %" PRIu64 ", %s %" PRIu64 ", %s %" PRIu64 " (%" PRIu64 " domains in two lists)\n",
		LNAME[0], g_n.list[0], LNAME[1], g_n.list[1], LNAME[2], g_n.list[2], ntwo);
	fprintf(stderr, "  population:");
	for (int k = 0, col = 14; k < K_NODNS + 1; k++) {
		char item[64];
		int n = snprintf(item, sizeof item, " %s %" PRIu64 "%s", kind_name(k), g_n.kind[k], k < K_NODNS ? "," : "");
		if (col + n > 100) {
			fputs("\n             ", stderr);
			col = 13;
		}
		fputs(item, stderr);
		col += n;
	}
	fputc('\n', stderr);
	fprintf(stderr, "  fixed: %" PRIu64 " domains under co.za, org.za and gov.za (and their MX hosts)\n", g_n.psl);
	if (a->epoch)
		fprintf(stderr, "  drift: %" PRIu64 " moved provider, %" PRIu64 " gone from the DNS, %" PRIu64 " new\n",
			g_n.moved, g_n.gone, g_n.fresh);
	for (int i = 0; i < F__N; i++)
		fprintf(stderr, "  %-20s %10" PRIu64 " %s\n", FNAMES[i], g_out[i].rows,
			i == F_TRUTH ? "rows (plus header)" : i == F_ASORG ? "org+aut lines" : "rows");
	fprintf(stderr, "  scans: %" PRIu64 " flattened and %" PRIu64 " '25.' records in censys; %" PRIu64
			" MX IPs unscanned, %" PRIu64 " port 25 closed, %" PRIu64 " 554 greetings, %" PRIu64
			" without TLS, %" PRIu64 " untrusted cert only, %" PRIu64 " HELO-only (zgrab2)\n",
		g_n.legacy_flat, g_n.legacy_25, g_n.unscanned, g_n.closed, g_n.reject, g_n.notls, g_n.untrusted,
		g_n.helo);
	fprintf(stderr, "  MX hosts without an A record: %" PRIu64 "; domains without MX data: %" PRIu64
			" no MX, %" PRIu64 " null MX, %" PRIu64 " failed lookups, %" PRIu64 " no DNS rows\n",
		g_n.noa_hosts, g_n.kind[K_NOMX], g_n.kind[K_NULLMX], g_n.kind[K_FAIL], g_n.kind[K_NODNS] + g_n.gone);
	fprintf(stderr, "  hard cases (domains):\n");
	for (size_t i = 0; i < NHARD; i++)
		fprintf(stderr, "    %-46s %8" PRIu64 "\n", HARD[i].label, g_n.kind[HARD[i].kind]);
}

int main(int argc, char **argv)
{
	Args a;
	parse_args(argc, argv, &a);
	g_seed = a.seed;
	g_days = mx_days_from_date(a.date);
	pfx_init();
	pool_init();
	init_world(a.n_domains);
	outputs_open(a.out);
	out_str(&g_out[F_TRUTH], "domain,truth\n");

	uint64_t newper = (a.n_domains + 50) / 100;
	uint64_t total = a.n_domains + a.epoch * newper;
	domains_init(total);
	uint64_t ntwo = domain_loop(&a, total, newper);
	emit_shared_dns();
	emit_shared_scans();
	write_pfx2as();
	write_as2org();
	outputs_close();
	free_world();
	domains_free();
	print_summary(&a, ntwo);
	return 0;
}
