/* kb: knowledge-base loading, validation and lookups. */
#include "mxray/kb.h"
#include "mxray/sanitize.h"
#include "mxray/strmap.h"
#include "mxray/util.h"

#include <errno.h>
#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const kb_host_names[] = {"dedicated", "vps", "unknown"};

/* Generated from src/kb-default.json by the Makefile. */
extern const char kb_default_json[];
extern const unsigned long kb_default_json_len;

/* Provider IDs and hostname-rule domains by text: a lookup per provider
 * ID of a million domains must not scan every company. */
struct kb_index {
	strmap *ids;                /* exact IDs; the first company listing one */
	const kb_company **id_co;
	const char **pat;           /* the patterns, in the order they are tried */
	const kb_company **pat_co;
	size_t npat;
	strmap *rule_rds;           /* the domains with hostname rules */
	uint32_t *rule_at;          /* each one's first entry in hostrules */
};

static bool is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void index_build(kb *k)
{
	struct kb_index *x = xcalloc(1, sizeof *x);
	size_t n = 0;
	for (size_t i = 0; i < k->ncompanies; i++)
		n += k->companies[i].nids;
	x->ids = strmap_new();
	x->id_co = xmalloc((n + 1) * sizeof *x->id_co);
	x->pat = xmalloc((n + 1) * sizeof *x->pat);
	x->pat_co = xmalloc((n + 1) * sizeof *x->pat_co);
	for (size_t i = 0; i < k->ncompanies; i++)
		for (size_t j = 0; j < k->companies[i].nids; j++) {
			const char *id = k->companies[i].ids[j];
			int added;
			uint32_t at = strmap_intern(x->ids, id, &added);
			if (added)
				x->id_co[at] = &k->companies[i];
			if (is_pattern(id)) {
				x->pat[x->npat] = id;
				x->pat_co[x->npat++] = &k->companies[i];
			}
		}
	x->rule_rds = strmap_new();
	x->rule_at = xmalloc((k->nhostrules + 1) * sizeof *x->rule_at);
	for (size_t i = 0; i < k->nhostrules; i++) {
		int added;
		uint32_t at = strmap_intern(x->rule_rds, k->hostrules[i].rd, &added);
		if (added)
			x->rule_at[at] = (uint32_t)i;
	}
	k->ix = x;
}

static void index_free(struct kb_index *x)
{
	if (!x)
		return;
	strmap_free(x->ids);
	free(x->id_co);
	free(x->pat);
	free(x->pat_co);
	strmap_free(x->rule_rds);
	free(x->rule_at);
	free(x);
}

static void ruleset_free(kb_ruleset *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->rules[i].pattern);
	free(r->rules);
}

void kb_free(kb *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->ncompanies; i++) {
		free(k->companies[i].name);
		for (size_t j = 0; j < k->companies[i].nids; j++)
			free(k->companies[i].ids[j]);
		free(k->companies[i].ids);
		free(k->companies[i].asns);
	}
	free(k->companies);
	for (size_t i = 0; i < k->nsuggestions; i++) {
		free(k->suggestions[i].company);
		free(k->suggestions[i].provider_id);
		free(k->suggestions[i].asns);
	}
	free(k->suggestions);
	for (size_t i = 0; i < k->nmisleading; i++)
		free(k->misleading[i]);
	free(k->misleading);
	for (size_t i = 0; i < k->nhostrules; i++) {
		free(k->hostrules[i].rd);
		ruleset_free(&k->hostrules[i].all);
		ruleset_free(&k->hostrules[i].banner);
	}
	free(k->hostrules);
	index_free(k->ix);
	free(k);
}

typedef struct {
	const char *origin;
	char **err;
} pctx;

static bool bad(pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(pctx *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	char *e = sanitize_str(m); /* it may quote the file's strings */
	*p->err = xasprintf("%s: bad knowledge base: %s", p->origin, e);
	free(e);
	free(m);
	return false;
}

/* Company names reach the terminal, labels and ';'-joined answer sets:
 * no ';' and no code point of sanitize's table (C0/C1 controls, DEL,
 * bidi controls, line and paragraph separators, zero-width, default-
 * ignorable and format characters).  The text is UTF-8 (jansson checked
 * it; sanitize_clean checks again). */
static bool company_name_ok(const char *s)
{
	return !strchr(s, ';') && sanitize_clean(s, strlen(s));
}

/* A lower-case, non-empty string without spaces, control or invisible
 * characters. */
static bool get_name(pctx *p, json_t *v, const char *where, char **out)
{
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 253)
		return bad(p, "%s is not a non-empty string of at most 253 bytes", where);
	const char *s = json_string_value(v);
	for (const char *c = s; *c; c++)
		if (*c == ' ' || (unsigned char)*c < 0x20 || (*c >= 'A' && *c <= 'Z'))
			return bad(p, "%s ('%s') must be lower case without spaces", where, s);
	if (!sanitize_clean(s, strlen(s)))
		return bad(p, "%s ('%s') has a control or invisible character", where, s);
	*out = xstrdup(s);
	return true;
}

static bool get_asns(pctx *p, json_t *v, const char *where, uint32_t **out, size_t *n)
{
	if (!json_is_array(v))
		return bad(p, "%s.asns is not a list", where);
	*n = json_array_size(v);
	*out = xcalloc(*n, sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		json_t *a = json_array_get(v, i);
		if (!json_is_integer(a) || json_integer_value(a) <= 0 || json_integer_value(a) > 0xffffffffLL)
			return bad(p, "%s.asns[%zu] is not an AS number", where, i);
		(*out)[i] = (uint32_t)json_integer_value(a);
	}
	return true;
}

static bool get_verdict(pctx *p, json_t *v, const char *where, enum kb_host *out)
{
	const char *s = json_string_value(v);
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, kb_host_names[i])) {
			*out = (enum kb_host)i;
			return true;
		}
	return bad(p, "%s is not \"dedicated\", \"vps\" or \"unknown\"", where);
}

/* A location in the file ("companies[3] (Name).provider_ids[0]") in w, of
 * any length: names and keys come from the file. */
static const char *where_fmt(strbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *where_fmt(strbuf *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t = xvasprintf(fmt, ap);
	va_end(ap);
	sb_clear(w);
	sb_adds(w, t);
	free(t);
	return w->data;
}

static bool get_ruleset(pctx *p, json_t *v, const char *where, kb_ruleset *rs)
{
	if (!json_is_object(v))
		return bad(p, "%s is not an object", where);
	json_t *rules = json_object_get(v, "rules");
	if (!json_is_array(rules))
		return bad(p, "%s.rules is not a list", where);
	rs->n = json_array_size(rules);
	rs->rules = xcalloc(rs->n, sizeof *rs->rules);
	strbuf w;
	sb_init(&w);
	bool ok = true;
	for (size_t i = 0; ok && i < rs->n; i++) {
		json_t *r = json_array_get(rules, i);
		where_fmt(&w, "%s.rules[%zu]", where, i);
		if (!json_is_array(r) || json_array_size(r) != 2 || !json_is_string(json_array_get(r, 0))) {
			ok = bad(p, "%s is not a [\"pattern\", \"verdict\"] pair", w.data);
			break;
		}
		rs->rules[i].pattern = xstrdup(json_string_value(json_array_get(r, 0)));
		ok = get_verdict(p, json_array_get(r, 1), w.data, &rs->rules[i].verdict);
	}
	if (ok)
		ok = get_verdict(p, json_object_get(v, "default"), where_fmt(&w, "%s.default", where), &rs->def);
	sb_free(&w);
	return ok;
}

static void digest_of(const char *text, size_t len, char out[32])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)text[i];
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 32, "fnv1a64:%016llx", (unsigned long long)h);
}

kb *kb_parse(const char *text, size_t len, const char *origin, char **err)
{
	pctx p = {origin, err};
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		char *t = sanitize_str(je.text);
		*err = xasprintf("%s:%d: bad knowledge base: %s", origin, je.line, t);
		free(t);
		return NULL;
	}
	kb *k = xcalloc(1, sizeof *k);
	snprintf(k->origin, sizeof k->origin, "%s", origin);
	digest_of(text, len, k->digest);
	strbuf w, w2;
	sb_init(&w);
	sb_init(&w2);
	bool ok = false;
	json_t *v;
	if (!json_is_object(root)) {
		bad(&p, "the top level is not an object");
		goto out;
	}
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "mxray-kb/1") != 0) {
		bad(&p, "\"format\" must be \"mxray-kb/1\"");
		goto out;
	}
	json_t *companies = json_object_get(root, "companies");
	if (!json_is_array(companies)) {
		bad(&p, "\"companies\" is not a list");
		goto out;
	}
	k->ncompanies = json_array_size(companies);
	k->companies = xcalloc(k->ncompanies, sizeof *k->companies);
	for (size_t i = 0; i < k->ncompanies; i++) {
		json_t *c = json_array_get(companies, i);
		kb_company *kc = &k->companies[i];
		json_t *name = json_object_get(c, "name");
		if (!json_is_object(c) || !json_is_string(name) || !json_string_length(name)) {
			bad(&p, "companies[%zu] has no \"name\"", i);
			goto out;
		}
		if (!company_name_ok(json_string_value(name))) {
			bad(&p, "companies[%zu] has a name with a control or invisible character or ';'", i);
			goto out;
		}
		kc->name = xstrdup(json_string_value(name));
		where_fmt(&w, "companies[%zu] (%s)", i, kc->name);
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(k->companies[j].name, kc->name)) {
				bad(&p, "%s: the name is used twice", w.data);
				goto out;
			}
		json_t *ids = json_object_get(c, "provider_ids");
		if (!json_is_array(ids) || json_array_size(ids) == 0) {
			bad(&p, "%s.provider_ids is not a non-empty list", w.data);
			goto out;
		}
		kc->nids = json_array_size(ids);
		kc->ids = xcalloc(kc->nids, sizeof *kc->ids);
		for (size_t j = 0; j < kc->nids; j++)
			if (!get_name(&p, json_array_get(ids, j), where_fmt(&w2, "%s.provider_ids[%zu]", w.data, j),
				      &kc->ids[j]))
				goto out;
		/* a decision "set to this company" records its first ID */
		if (strpbrk(kc->ids[0], "*?[")) {
			bad(&p, "%s.provider_ids[0] must be a provider ID, not a pattern (decisions for the company record it)",
			    w.data);
			goto out;
		}
		if (!get_asns(&p, json_object_get(c, "asns"), w.data, &kc->asns, &kc->nasns))
			goto out;
	}
	json_t *sugg = json_object_get(root, "as_suggestions");
	if (sugg && !json_is_array(sugg)) {
		bad(&p, "\"as_suggestions\" is not a list");
		goto out;
	}
	k->nsuggestions = sugg ? json_array_size(sugg) : 0;
	k->suggestions = xcalloc(k->nsuggestions, sizeof *k->suggestions);
	for (size_t i = 0; i < k->nsuggestions; i++) {
		json_t *s = json_array_get(sugg, i);
		kb_suggestion *ks = &k->suggestions[i];
		where_fmt(&w, "as_suggestions[%zu]", i);
		if (!json_is_object(s) || !get_name(&p, json_object_get(s, "provider_id"), w.data, &ks->provider_id) ||
		    !get_asns(&p, json_object_get(s, "asns"), w.data, &ks->asns, &ks->nasns))
			goto out;
		json_t *cn = json_object_get(s, "company");
		if (!json_is_string(cn) || !kb_company_named(k, json_string_value(cn))) {
			bad(&p, "%s.company is not one of the companies", w.data);
			goto out;
		}
		ks->company = xstrdup(json_string_value(cn));
	}
	json_t *mis = json_object_get(root, "misleading_banner_domains");
	if (mis && !json_is_array(mis)) {
		bad(&p, "\"misleading_banner_domains\" is not a list");
		goto out;
	}
	k->nmisleading = mis ? json_array_size(mis) : 0;
	k->misleading = xcalloc(k->nmisleading, sizeof *k->misleading);
	for (size_t i = 0; i < k->nmisleading; i++) {
		if (!get_name(&p, json_array_get(mis, i), where_fmt(&w, "misleading_banner_domains[%zu]", i),
			      &k->misleading[i]))
			goto out;
	}
	json_t *hr = json_object_get(root, "hostname_rules");
	if (hr && !json_is_object(hr)) {
		bad(&p, "\"hostname_rules\" is not an object");
		goto out;
	}
	k->nhostrules = hr ? json_object_size(hr) : 0;
	k->hostrules = xcalloc(k->nhostrules, sizeof *k->hostrules);
	size_t i = 0;
	const char *key;
	json_object_foreach(hr, key, v) {
		kb_hostrules *h = &k->hostrules[i++];
		where_fmt(&w, "hostname_rules.%s", key);
		h->rd = xstrdup(key);
		if (!get_ruleset(&p, v, w.data, &h->all))
			goto out;
		json_t *b = json_object_get(v, "banner");
		if (b) {
			h->has_banner = true;
			if (!get_ruleset(&p, b, where_fmt(&w2, "%s.banner", w.data), &h->banner))
				goto out;
		}
	}
	ok = true;
out:
	sb_free(&w);
	sb_free(&w2);
	json_decref(root);
	if (!ok) {
		kb_free(k);
		return NULL;
	}
	index_build(k);
	return k;
}

kb *kb_load_default(char **err)
{
	return kb_parse(kb_default_json, kb_default_json_len, "built-in", err);
}

kb *kb_load_file(const char *path, char **err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = xasprintf("cannot open knowledge base %s: %s", path, strerror(errno));
		return NULL;
	}
	strbuf sb;
	sb_init(&sb);
	char buf[65536];
	size_t n;
	const size_t max = 64u << 20;
	while (sb.len <= max && (n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, n);
	bool ioerr = ferror(f);
	fclose(f);
	if (ioerr || sb.len > max) { /* not cut short and parsed as a broken file */
		sb_free(&sb);
		*err = xasprintf(ioerr ? "cannot read knowledge base %s" : "knowledge base %s is larger than 64 MiB", path);
		return NULL;
	}
	kb *k = kb_parse(sb.data ? sb.data : "", sb.len, path, err);
	sb_free(&sb);
	return k;
}

const kb_company *kb_company_of(const kb *k, const char *id)
{
	if (!id)
		return NULL;
	const struct kb_index *x = k->ix;
	uint32_t at = strmap_find(x->ids, id);
	if (at != UINT32_MAX)
		return x->id_co[at];
	for (size_t i = 0; i < x->npat; i++)
		if (fnmatch(x->pat[i], id, 0) == 0)
			return x->pat_co[i];
	return NULL;
}

const kb_company *kb_company_named(const kb *k, const char *name)
{
	for (size_t i = 0; i < k->ncompanies; i++)
		if (k->companies[i].name && !strcasecmp(k->companies[i].name, name))
			return &k->companies[i];
	return NULL;
}

bool kb_company_has_asn(const kb_company *c, uint32_t asn)
{
	for (size_t i = 0; i < c->nasns; i++)
		if (c->asns[i] == asn)
			return true;
	return false;
}

const kb_suggestion *kb_suggest(const kb *k, const uint32_t *asns, size_t n)
{
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < k->nsuggestions; i++) {
		const kb_suggestion *s = &k->suggestions[i];
		size_t hit = 0;
		for (size_t a = 0; a < n; a++)
			for (size_t j = 0; j < s->nasns; j++)
				if (s->asns[j] == asns[a]) {
					hit++;
					break;
				}
		if (hit == n)
			return s;
	}
	return NULL;
}

bool kb_misleading(const kb *k, const char *fqdn)
{
	size_t fl = strlen(fqdn);
	for (size_t i = 0; i < k->nmisleading; i++) {
		const char *d = k->misleading[i];
		size_t dl = strlen(d);
		if (fl == dl ? !strcmp(fqdn, d) : (fl > dl && fqdn[fl - dl - 1] == '.' && !strcmp(fqdn + fl - dl, d)))
			return true;
	}
	return false;
}

bool kb_has_hostrules(const kb *k, const char *rd)
{
	return strmap_find(k->ix->rule_rds, rd) != UINT32_MAX;
}

enum kb_host kb_hostname(const kb *k, const char *rd, const char *fqdn, bool from_banner,
			 const char **matched)
{
	if (matched)
		*matched = NULL;
	uint32_t at = strmap_find(k->ix->rule_rds, rd);
	if (at == UINT32_MAX)
		return KB_HOST_NONE;
	const kb_hostrules *h = &k->hostrules[k->ix->rule_at[at]];
	const kb_ruleset *rs = from_banner && h->has_banner ? &h->banner : &h->all;
	for (size_t j = 0; j < rs->n; j++)
		if (fnmatch(rs->rules[j].pattern, fqdn, 0) == 0) {
			if (matched)
				*matched = rs->rules[j].pattern;
			return rs->rules[j].verdict;
		}
	return rs->def;
}
