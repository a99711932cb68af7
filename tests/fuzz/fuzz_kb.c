/* libFuzzer target: the knowledge-base JSON (`--kb FILE`) on any bytes.
 * kb_parse() either refuses with a message that names the file, or gives
 * a knowledge base whose every query answers (companies by name and by
 * provider ID, AS suggestions, misleading banner domains, hostname rules)
 * and which frees cleanly.  `make fuzz` seeds it with src/kb-default.json;
 * a crash, hang, leak, sanitizer report or an abort below is a bug. */
#include "mxray/banner.h"
#include "mxray/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"google.com", "Google", "gmail.com", "mx.example.com", "", "siteground.net",
				    "a.b.c.d.e.f", "outlook.com", "*", "[", "\\"};
#define NNAMES (sizeof names / sizeof names[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	/* an exact-size copy, so that ASan sees any read past the end */
	char *text = malloc(size ? size : 1);
	if (size)
		memcpy(text, data, size);
	char *err = NULL;
	kb *k = kb_parse(text, size, "<fuzz>", &err);
	free(text);
	if (!k) {
		if (!err || !strstr(err, "<fuzz>")) {
			fprintf(stderr, "fuzz_kb: refused without naming the file: %s\n", err ? err : "(no message)");
			abort();
		}
		free(err);
		return 0;
	}
	if (strcmp(k->origin, "<fuzz>") || strncmp(k->digest, "fnv1a64:", 8))
		abort();
	/* every entry is queried by what it holds, and by a few fixed names */
	for (size_t i = 0; i < k->ncompanies; i++) {
		const kb_company *c = &k->companies[i];
		if (!c->name || kb_company_named(k, c->name) == NULL)
			abort();
		for (size_t j = 0; j < c->nids; j++)
			(void)kb_company_of(k, c->ids[j]);
		for (size_t j = 0; j < c->nasns; j++)
			(void)kb_company_has_asn(c, c->asns[j]);
		if (c->nasns)
			(void)kb_suggest(k, c->asns, c->nasns);
	}
	for (size_t i = 0; i < k->nsuggestions; i++)
		if (k->suggestions[i].nasns)
			(void)kb_suggest(k, k->suggestions[i].asns, k->suggestions[i].nasns);
	for (size_t i = 0; i < k->nmisleading; i++)
		(void)kb_misleading(k, k->misleading[i]);
	for (size_t i = 0; i < k->nhostrules; i++) {
		const kb_hostrules *h = &k->hostrules[i];
		const char *m;
		(void)kb_hostname(k, h->rd, h->rd, false, &m);
		(void)kb_hostname(k, h->rd, h->rd, true, &m);
		for (size_t j = 0; j < h->all.n; j++)
			(void)kb_hostname(k, h->rd, h->all.rules[j].pattern, false, &m);
		for (size_t j = 0; j < h->banner.n; j++)
			(void)kb_hostname(k, h->rd, h->banner.rules[j].pattern, true, &m);
	}
	for (size_t i = 0; i < NNAMES; i++) {
		const char *m;
		(void)kb_company_named(k, names[i]);
		(void)kb_company_of(k, names[i]);
		(void)kb_misleading(k, names[i]);
		(void)kb_hostname(k, names[i], names[i], i & 1, &m);
		char fq[MX_NAME_MAX + 2];
		(void)banner_fqdn(k, names[i], strlen(names[i]), fq);
	}
	uint32_t asns[2] = {15169, 8075};
	(void)kb_suggest(k, asns, 2);
	kb_free(k);
	return 0;
}
