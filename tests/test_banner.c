/* banner: FQDN extraction from banners and EHLO replies. */
#include "testutil.h"
#include "mxray/banner.h"
#include "mxray/domain.h"

static kb *k;

static void fqdn_is(const char *text, const char *want)
{
	char out[MX_NAME_MAX + 2];
	bool got = banner_fqdn(k, text, strlen(text), out);
	if (!want) {
		if (got)
			fail_msg("'%s' gave '%s', expected nothing", text, out);
		return;
	}
	if (!got)
		fail_msg("'%s' gave nothing, expected '%s'", text, want);
	assert_string_equal(out, want);
}

static void test_banners(void **state)
{
	(void)state;
	char *err = NULL;
	k = kb_load_default(&err);
	fqdn_is("220 mx.google.com ESMTP q7si1 - gsmtp", "mx.google.com");
	fqdn_is("220 mx.google.com ESMTP q7si1 - gsmtp\r\n", "mx.google.com");
	fqdn_is("250-mx.google.com at your service, [192.0.2.1]\r\n250-SIZE 157286400\r\n250 STARTTLS",
		"mx.google.com");
	fqdn_is("220 BN8NAM12FT012.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready",
		"bn8nam12ft012.mail.protection.outlook.com");
	/* multi-line 220- banner: the first line counts */
	fqdn_is("220-box123.hostgator.com ESMTP Exim 4.94 #2\r\n220-We do not authorize the use of this system\r\n"
		"220 and/or bulk e-mail.", "box123.hostgator.com");
	fqdn_is("\r\n\r\n220 mail.example.org ESMTP Postfix", "mail.example.org");
	fqdn_is("220 mail.example.org: ESMTP", "mail.example.org");
	fqdn_is("220 mail.example.org.", "mail.example.org");
	/* nothing usable in front: the last token */
	fqdn_is("220 ESMTP Postfix on relay.example.net", "relay.example.net");
	fqdn_is("Welcome to smtp.example.net!", "smtp.example.net");
	/* localhost, bare words, IP literals */
	fqdn_is("220 localhost ESMTP Exim", NULL);
	fqdn_is("250-localhost.localdomain Hello", NULL);
	fqdn_is("220 ESMTP ready", NULL);
	fqdn_is("220 [192.0.2.7] ESMTP", NULL);
	fqdn_is("220 192.0.2.7 ESMTP", NULL);
	fqdn_is("220", NULL);
	fqdn_is("", NULL);
	fqdn_is("220 mail.example.123 ESMTP", NULL);
	/* misleading banner domains are never the server */
	fqdn_is("220 www.spamhaus.org", NULL);
	fqdn_is("220 mail.shop.com ESMTP; see https://www.spamhaus.org/", "mail.shop.com");
	/* hostile text yields nothing */
	fqdn_is("220 \x1b[2Jevil.com ESMTP", NULL);
	/* a bare CR ends the token: what a terminal would hide is not taken */
	fqdn_is("220 good.com\r220 evil.com", "good.com");
	fqdn_is("220 h\xff\xfe.com ESMTP", NULL);
	/* a public suffix alone has no registered domain */
	fqdn_is("220 co.uk ESMTP", NULL);
	fqdn_is("220 MX.Yandex.NET ESMTP", "mx.yandex.net");
	kb_free(k);
	domain_done();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banners),
	};
	return cmocka_run_group_tests_name("banner", tests, NULL, NULL);
}
