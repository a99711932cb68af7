/* libFuzzer target: banner_fqdn() on any banner or EHLO text, with the
 * real default knowledge base (its misleading banner domains) and with
 * none.  A name it gives is a normalised DNS name, lower case, and not
 * under a misleading domain; with the knowledge base it gives no name
 * that it would not give without one.  `make fuzz` seeds it with the
 * sample data's banners; a crash, hang, leak, sanitizer report or an
 * abort below is a bug. */
#include "mxray/banner.h"
#include "mxray/kb.h"
#include "mxray/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kb *k;

static void check(const char *what, const char *fq, const uint8_t *data, size_t size)
{
	char norm[MX_NAME_MAX + 2];
	size_t n = strlen(fq);
	const char *why = n ? mx_name_norm(fq, n, norm) : "empty";
	if (why || strcmp(norm, fq)) {
		fprintf(stderr, "fuzz_banner: %s: '%s' is not a normalised name (%s) from %zu bytes: %.*s\n", what, fq,
			why ? why : "changes", size, (int)size, (const char *)data);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	if (!k) {
		char *err = NULL;
		if (!(k = kb_load_default(&err)))
			abort();
	}
	/* an exact-size copy, so that ASan sees any read past the end */
	char *text = malloc(size ? size : 1);
	if (size)
		memcpy(text, data, size);
	char with[MX_NAME_MAX + 2], without[MX_NAME_MAX + 2];
	bool a = banner_fqdn(k, text, size, with);
	bool b = banner_fqdn(NULL, text, size, without);
	if (a) {
		check("with the knowledge base", with, data, size);
		if (kb_misleading(k, with))
			abort();
	}
	if (b)
		check("without a knowledge base", without, data, size);
	if (a && !b)
		abort();
	free(text);
	return 0;
}
