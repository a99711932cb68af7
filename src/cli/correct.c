/* cli/correct: mxray correct, an analyst decision recorded, listed or
 * undone. */
#include "mxray/cli.h"
#include "mxray/correct.h"
#include "mxray/kb.h"
#include "mxray/util.h"

#include <stdlib.h>
#include <string.h>

enum {
	O_IP, O_MX, O_DOMAIN, O_SET, O_SELF, O_CONFIRM, O_SNAPSHOT, O_NOTE, O_ANALYST, O_KB, O_LIST, O_FORMAT, O_UNDO,
	O_N
};

static const cli_opt opts[] = {
	[O_IP] = CLI_OPT_TEXT("ip", "IP", "the decision is about this SMTP address"),
	[O_MX] = CLI_OPT_TEXT("mx", "HOST", "... about this MX host"),
	[O_DOMAIN] = CLI_OPT_TEXT("domain", "D", "... about this domain (wins over MX, which wins over IP)"),
	[O_SET] = CLI_OPT_TEXT("set", "PROVIDER", "the provider ID (or a company name the knowledge base knows)"),
	[O_SELF] = CLI_OPT_FLAG("self", "self-hosted: the provider is the MX host's registered domain"),
	[O_CONFIRM] = CLI_OPT_FLAG("confirm", "the inferred answer is right"),
	[O_SNAPSHOT] = CLI_OPT_DATE("snapshot", "only for this snapshot (default: every snapshot)"),
	[O_NOTE] = CLI_OPT_TEXT("note", "TEXT", "why"),
	[O_ANALYST] = CLI_OPT_TEXT("analyst", "NAME", "who decides (default $USER, else the account's name)"),
	[O_KB] = CLI_OPT_TEXT("kb", "FILE", "the knowledge base whose company names --set takes (default: the built-in one)"),
	[O_LIST] = CLI_OPT_FLAG("list", "print the whole decision history"),
	[O_FORMAT] = CLI_OPT_CHOICE("format", NULL, "with --list: output format (default text)", "text", "csv"),
	[O_UNDO] = CLI_OPT_TEXT("undo", "ID", "undo decision ID"),
	[O_N] = CLI_END,
};

/* --set TEXT: a company of the knowledge base (--kb, else the built-in
 * one), named in any case, stands for its first ID, as in the review
 * desk; other text is a provider ID.  Returns the ID to record (set, or
 * k's), or NULL when the knowledge base cannot be read (said). */
static const char *provider_of(const cli_command *c, const char *set, const char *kbfile, kb **k)
{
	if (!(*k = cli_kb(c, kbfile)))
		return NULL;
	const kb_company *co = kb_company_named(*k, set);
	if (!co)
		return set;
	fprintf(stderr, "mxray correct: %s is a company of the knowledge base (%s): its first provider ID, %s\n",
		co->name, (*k)->origin, co->ids[0]);
	return co->ids[0];
}

/* Record the decision: CLI_OK, CLI_RUNTIME with *err, or -1 when the
 * knowledge base could not be read (said). */
static int decide(const cli_command *c, const cli_args *a, store *st, const char *analyst, char **err)
{
	static const int scopes[] = {O_IP, O_MX, O_DOMAIN};
	const char *scope = NULL, *key = NULL, *verdict = a->v[O_SELF].set ? "self" : a->v[O_CONFIRM].set ? "confirm" : "set";
	for (size_t i = 0; i < 3; i++)
		if (a->v[scopes[i]].set) {
			scope = opts[scopes[i]].name;
			key = a->v[scopes[i]].s;
		}
	const char *pid = a->v[O_SET].s;
	kb *k = NULL;
	if (pid && !(pid = provider_of(c, pid, a->v[O_KB].s, &k)))
		return -1;
	correct_req r = {scope, key, a->v[O_SNAPSHOT].s, verdict, pid, analyst, a->v[O_NOTE].s};
	int64_t id = correct_add(st, &r, err);
	kb_free(k);
	if (id < 0)
		return CLI_RUNTIME;
	printf("%lld\n", (long long)id);
	fprintf(stderr, "decision #%lld recorded; run 'mxray infer' to apply it\n", (long long)id);
	return CLI_OK;
}

/* The options agree: one mode, and a decision has one scope and one
 * verdict; CLI_GO, or CLI_USAGE said. */
static int check(const cli_command *c, const cli_args *a, uint64_t *undo_id)
{
	int nscope = 0, nverdict = 0; /* a repeated one counts twice */
	for (size_t i = 0; i < a->nseen; i++)
		if (a->seen[i].opt <= O_DOMAIN)
			nscope++;
		else if (a->seen[i].opt <= O_CONFIRM)
			nverdict++;
	bool list = a->v[O_LIST].set;
	const char *undo = a->v[O_UNDO].s;
	int rc = cli_no_operands(c, a);
	if (rc != CLI_GO)
		return rc;
	int modes = (list ? 1 : 0) + (undo ? 1 : 0) + (nscope || nverdict ? 1 : 0);
	if (modes != 1)
		return cli_usage(c, "%s", "give one of: a decision (--ip/--mx/--domain with --set/--self/--confirm), "
				 "--list, or --undo ID");
	if (!list && !undo && (nscope != 1 || nverdict != 1))
		return cli_usage(c, "%s", "a decision needs exactly one of --ip, --mx, --domain and exactly one of "
				 "--set, --self, --confirm");
	if (a->v[O_KB].set && !a->v[O_SET].set)
		return cli_usage(c, "%s", "--kb goes with --set (it says which company names --set takes)");
	if (undo && (!mx_parse_u64(undo, undo_id) || *undo_id == 0))
		return cli_usage(c, "--undo '%s' is not a decision number", undo);
	if (undo && *undo_id > INT64_MAX)
		return cli_usage(c, "--undo '%s' is out of range (decision numbers are 1 to 9223372036854775807)", undo);
	return CLI_GO;
}

static int run(const cli_command *c, cli_args *a)
{
	const char *analyst = correct_analyst(a->v[O_ANALYST].s);
	bool list = a->v[O_LIST].set, undo = a->v[O_UNDO].set;
	uint64_t undo_id = 0;
	int rc = check(c, a, &undo_id);
	if (rc != CLI_GO)
		return rc;
	char *err = NULL;
	store *st = list ? store_open_readonly(a->db, &err) : store_open_existing(a->db, &err);
	if (!st) {
		fprintf(stderr, "mxray correct: %s\n", err);
		free(err);
		return CLI_RUNTIME;
	}
	rc = CLI_OK;
	if (list) {
		if (correct_list(st, stdout, a->v[O_FORMAT].u == 1 ? CORRECT_CSV : CORRECT_TEXT, &err) < 0)
			rc = CLI_RUNTIME;
	} else if (undo) {
		if (correct_undo(st, (int64_t)undo_id, analyst, &err) < 0)
			rc = CLI_RUNTIME;
		else
			fprintf(stderr, "decision #%llu undone; run 'mxray infer' to re-apply the decisions\n",
				(unsigned long long)undo_id);
	} else {
		rc = decide(c, a, st, analyst, &err);
	}
	if (rc < 0) { /* said already */
		rc = CLI_RUNTIME;
	} else if (rc != CLI_OK) {
		fprintf(stderr, "mxray correct: %s%s\n", err,
			list ? "" : undo ? " (nothing was undone)" : " (the decision was not recorded)");
		free(err);
	}
	store_close(st);
	return rc;
}

const cli_command cli_correct = {
	"correct",
	"(--ip IP | --mx HOST | --domain D) (--set PROVIDER [--kb FILE] | --self | --confirm) [--snapshot D] "
	"[--note TEXT] [--analyst NAME] | --list [--format text|csv] | --undo ID",
	"Record an analyst decision, list the history, or undo one.\n"
	"Decisions are never edited or deleted; every 'mxray infer' re-applies the ones not\n"
	"undone, most specific first: domain, then MX host, then IP.",
	opts,
	CLI_USES_DB,
	run,
};
