/* domain: registered domains through the real libpsl and hostname syntax. */
#include "testutil.h"
#include "mxray/domain.h"

static void rd_is(const char *name, const char *rd)
{
	const char *got = domain_rd(name);
	if (!rd) {
		if (got)
			fail_msg("domain_rd(%s) = %s, expected none", name, got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, rd);
}

static void test_rd(void **state)
{
	(void)state;
	const char *why;
	assert_true(domain_init(&why));
	assert_non_null(strstr(domain_psl_source(), "libpsl"));
	rd_is("mx.google.com", "google.com");
	rd_is("google.com", "google.com");
	rd_is("aspmx.l.google.com", "google.com");
	rd_is("mail.example.co.uk", "example.co.uk");
	rd_is("mx.yandex.ru", "yandex.ru");
	rd_is("mx0a-001b2d01.pphosted.com", "pphosted.com");
	rd_is("*.mail.protection.outlook.com", "outlook.com");
	rd_is("s1-2-3-4.secureserver.net", "secureserver.net");
	rd_is("ukraine.com.ua", "ukraine.com.ua");
	/* internationalised TLDs, in their ASCII form (.рф, .中国) */
	rd_is("mail.example.xn--p1ai", "example.xn--p1ai");
	rd_is("mx.example.xn--fiqs8s", "example.xn--fiqs8s");
	rd_is("mail.example.xn--nope", NULL);
	/* private suffixes count: each blogspot/herokuapp name is its own RD */
	rd_is("foo.blogspot.com", "foo.blogspot.com");
	rd_is("a.b.herokuapp.com", "b.herokuapp.com");
	rd_is("co.uk", NULL);
	rd_is("com", NULL);
	rd_is("localhost", NULL);
	rd_is("localhost.localdomain", NULL);
	rd_is("192.0.2.7", NULL);
	rd_is("mail.example.123", NULL);
	rd_is("", NULL);
	rd_is("mail.corp.internal", NULL);
	domain_done();
}

static void test_hostname(void **state)
{
	(void)state;
	assert_true(domain_is_hostname("mx.google.com"));
	assert_true(domain_is_hostname("s1-2-3-4.secureserver.net"));
	assert_true(domain_is_hostname("_dmarc.example.org"));
	assert_false(domain_is_hostname("localhost"));
	assert_false(domain_is_hostname("192.0.2.7"));
	assert_false(domain_is_hostname("[192.0.2.7]"));
	assert_false(domain_is_hostname("a..b.com"));
	assert_false(domain_is_hostname(".a.com"));
	assert_false(domain_is_hostname("a.com."));
	assert_false(domain_is_hostname("*.a.com"));
	assert_false(domain_is_hostname("a b.com"));
	assert_false(domain_is_hostname("mail.x.c"));
	char big[80];
	memset(big, 'a', 64);
	strcpy(big + 64, ".com");
	assert_false(domain_is_hostname(big));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd),
		cmocka_unit_test(test_hostname),
	};
	return cmocka_run_group_tests_name("domain", tests, NULL, NULL);
}
