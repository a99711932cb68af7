/* util: name normalisation, IPv4 parsing, UTF-8 validation, dates, strbuf. */
#include "testutil.h"
#include "mxray/util.h"

static void test_name_norm(void **state)
{
	(void)state;
	char out[MX_NAME_MAX + 2];
	assert_null(mx_name_norm("ASPMX.L.Google.COM.", 19, out));
	assert_string_equal(out, "aspmx.l.google.com");
	assert_null(mx_name_norm("example.org", 11, out));
	assert_string_equal(out, "example.org");
	/* only one trailing dot is dropped */
	assert_string_equal(mx_name_norm("a.b..", 5, out), "empty label in name");
	assert_string_equal(mx_name_norm("a..b.com", 8, out), "empty label in name");
	assert_string_equal(mx_name_norm("..", 2, out), "empty label in name");
	assert_string_equal(mx_name_norm("https://a.com/", 14, out),
			    "character not allowed in a DNS name (letters, digits, '-', '_')");
	assert_string_equal(mx_name_norm("user@mx.a.com", 13, out),
			    "character not allowed in a DNS name (letters, digits, '-', '_')");
	assert_null(mx_name_norm("_dmarc.xn--bcher-kva.de", 23, out));
	assert_string_equal(out, "_dmarc.xn--bcher-kva.de");
	assert_null(mx_name_norm(".", 1, out));
	assert_string_equal(out, ".");
	assert_string_equal(mx_name_norm("", 0, out), "empty name");
	assert_string_equal(mx_name_norm("a b.com", 7, out), "space in name");
	assert_string_equal(mx_name_norm("a\x1b[2J.com", 9, out), "control character in name");
	assert_string_equal(mx_name_norm("\xff.com", 5, out), "invalid UTF-8 in name");
	char longname[300];
	memset(longname, 'a', sizeof longname);
	for (int i = 60; i < 300; i += 61)
		longname[i] = '.';
	assert_string_equal(mx_name_norm(longname, 254, out), "name longer than 253 bytes");
	assert_null(mx_name_norm(longname, 253, out));
	assert_null(mx_name_norm(longname, 60, out));
	memset(longname, 'b', 70);
	assert_string_equal(mx_name_norm(longname, 70, out), "label longer than 63 bytes");
	/* IDNs are A-labels in DNS data; raw UTF-8 is refused */
	assert_string_equal(mx_name_norm("B\xc3\xbc.DE", 6, out),
			    "non-ASCII character in name (IDNs are written as xn--)");
	assert_string_equal(mx_name_norm("\xc2\x9b.com", 6, out),
			    "non-ASCII character in name (IDNs are written as xn--)");
	/* issue 13: a label neither begins nor ends with '-' */
	const char *hyph = "label begins or ends with '-' in name";
	assert_string_equal(mx_name_norm("-cmd.example.com", 16, out), hyph);
	assert_string_equal(mx_name_norm("-cmd.example.com.", 17, out), hyph);
	assert_string_equal(mx_name_norm("cmd-.example.com", 16, out), hyph);
	assert_string_equal(mx_name_norm("mail.-example.com", 17, out), hyph);
	assert_string_equal(mx_name_norm("mail.example-.com", 17, out), hyph);
	assert_string_equal(mx_name_norm("mail.example.com-", 17, out), hyph);
	assert_string_equal(mx_name_norm("mail.example.com-.", 18, out), hyph);
	assert_string_equal(mx_name_norm("-.example.com", 13, out), hyph);
	assert_string_equal(mx_name_norm("--", 2, out), hyph);
	assert_string_equal(mx_name_norm("mail.example.xn--", 17, out), hyph);
	assert_null(mx_name_norm("xn--abc.example.com", 19, out));
	assert_string_equal(out, "xn--abc.example.com");
	assert_null(mx_name_norm("A-B.example.com.", 16, out));
	assert_string_equal(out, "a-b.example.com");
	assert_null(mx_name_norm("a--b.0-a.example.com", 20, out));
	assert_string_equal(out, "a--b.0-a.example.com");
	/* '_' is not a hyphen: it may begin or end a label (_dmarc, _25._tcp) */
	assert_null(mx_name_norm("_25._tcp.mx_.example.com", 24, out));
	assert_string_equal(out, "_25._tcp.mx_.example.com");
	/* the first fault from the left is the one reported */
	assert_string_equal(mx_name_norm("-a..com", 7, out), hyph);
	assert_string_equal(mx_name_norm("a..-com", 7, out), "empty label in name");
}

static void test_ipv4(void **state)
{
	(void)state;
	uint32_t ip;
	char buf[16];
	assert_true(mx_ipv4_parse("142.250.102.27", &ip));
	assert_int_equal(ip, 0x8efa661b);
	mx_ipv4_format(ip, buf);
	assert_string_equal(buf, "142.250.102.27");
	assert_true(mx_ipv4_parse("0.0.0.0", &ip));
	assert_true(mx_ipv4_parse("255.255.255.255", &ip));
	assert_int_equal(ip, 0xffffffff);
	assert_false(mx_ipv4_parse("256.1.1.1", &ip));
	assert_false(mx_ipv4_parse("1.2.3", &ip));
	assert_false(mx_ipv4_parse("1.2.3.4.5", &ip));
	assert_false(mx_ipv4_parse("1.2.3.4 ", &ip));
	assert_false(mx_ipv4_parse("1..2.3", &ip));
	assert_false(mx_ipv4_parse("0001.2.3.4", &ip));
	/* leading zeros are ambiguous (octal to inet_aton): refused */
	assert_true(mx_ipv4_parse("10.0.0.1", &ip));
	assert_int_equal(ip, 0x0a000001);
	assert_true(mx_ipv4_parse("100.200.0.9", &ip));
	assert_int_equal(ip, 0x64c80009);
	assert_false(mx_ipv4_parse("01.02.003.4", &ip));
	assert_false(mx_ipv4_parse("01.2.3.4", &ip));
	assert_false(mx_ipv4_parse("1.2.3.04", &ip));
	assert_false(mx_ipv4_parse("00.1.2.3", &ip));
	assert_false(mx_ipv4_parse("1.00.2.3", &ip));
	assert_false(mx_ipv4_parse("1.2.010.3", &ip));
	assert_false(mx_ipv4_parse("::1", &ip));
	assert_false(mx_ipv4_parse("", &ip));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(mx_utf8_valid("plain", 5));
	assert_true(mx_utf8_valid("\xe4\xb8\xad\xf0\x9f\x93\xa7", 7)); /* CJK + emoji */
	assert_int_equal(mx_utf8_valid_prefix((const unsigned char *)"ab\xff", 3), 2);
	assert_int_equal(mx_utf8_valid_prefix((const unsigned char *)"ab\xc3", 3), 2);   /* truncated */
	assert_int_equal(mx_utf8_valid_prefix((const unsigned char *)"\xc0\xaf", 2), 0); /* overlong */
	assert_int_equal(mx_utf8_valid_prefix((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(mx_utf8_valid_prefix((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
}

static void test_date_and_numbers(void **state)
{
	(void)state;
	assert_true(mx_date_valid("2021-06-08"));
	assert_true(mx_date_valid("2020-02-29"));
	assert_false(mx_date_valid("2021-02-29"));
	assert_false(mx_date_valid("2021-13-01"));
	assert_false(mx_date_valid("2021-6-8"));
	assert_false(mx_date_valid("20210608"));
	uint64_t u;
	assert_true(mx_parse_u64("15169", &u));
	assert_int_equal(u, 15169);
	assert_false(mx_parse_u64("-1", &u));
	assert_false(mx_parse_u64("12a", &u));
	assert_false(mx_parse_u64("", &u));
	assert_false(mx_parse_u64("99999999999999999999999", &u));
}

static void test_strbuf(void **state)
{
	(void)state;
	strbuf sb;
	sb_init(&sb);
	sb_adds(&sb, "ab");
	sb_addc(&sb, '\0');
	sb_addf(&sb, "%d", 42);
	assert_int_equal(sb.len, 5);
	assert_memory_equal(sb.data, "ab\0" "42", 5);
	char *s = sb_steal(&sb);
	assert_null(sb.data);
	free(s);
	char *a = xasprintf("%s-%03d", "x", 7);
	assert_string_equal(a, "x-007");
	free(a);
}

static void test_fmt_double(void **state)
{
	(void)state;
	char b[32];
	mx_fmt_double(26696.666666666664, b);
	assert_string_equal(b, "26696.666666666664");
	mx_fmt_double(21.0, b);
	assert_string_equal(b, "21.0");
	mx_fmt_double(0.5, b);
	assert_string_equal(b, "0.5");
	mx_fmt_double(1.0 / 3, b);
	assert_string_equal(b, "0.3333333333333333");
	mx_fmt_double(1410.75, b);
	assert_string_equal(b, "1410.75");
	mx_fmt_double(0, b);
	assert_string_equal(b, "0.0");
	mx_fmt_double(330, b);
	assert_string_equal(b, "330.0");
	mx_fmt_double(60, b);
	assert_string_equal(b, "60.0");
	mx_fmt_double(1e-7, b);
	assert_string_equal(b, "1e-07");
}

static int nk_cmp;
static int cmp_rows(const void *pa, const void *pb)
{
	const uint32_t *a = pa, *b = pb;
	for (int k = 0; k < nk_cmp; k++)
		if (a[k] != b[k])
			return a[k] < b[k] ? -1 : 1;
	return 0;
}

/* The radix sort gives what a comparison sort gives, and is stable. */
static void test_sort_u32x4(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 2, 63, 64, 1000, 70000};
	uint64_t seed = 12345;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (int nk = 1; nk <= 4; nk++) {
			size_t n = sizes[si];
			uint32_t(*a)[4] = malloc((n + 1) * sizeof *a), (*b)[4] = malloc((n + 1) * sizeof *b);
			for (size_t i = 0; i < n; i++) {
				for (int k = 0; k < 3; k++) {
					seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
					/* few distinct values in the high words, to make ties */
					uint32_t v = (uint32_t)(seed >> 33);
					a[i][k] = k == 0 ? v % 7 : k == 1 ? v % 70000 * 65537u : v;
				}
				a[i][3] = (uint32_t)i; /* the original position */
			}
			memcpy(b, a, n * sizeof *a);
			mx_sort_u32x4(a, n, nk);
			for (size_t i = 0; i + 1 < n; i++) {
				nk_cmp = nk;
				assert_true(cmp_rows(a[i], a[i + 1]) <= 0);
				if (cmp_rows(a[i], a[i + 1]) == 0)
					assert_true(a[i][3] < a[i + 1][3]); /* stable */
			}
			/* the same multiset of rows */
			nk_cmp = 4;
			uint32_t(*c)[4] = malloc((n + 1) * sizeof *c);
			memcpy(c, a, n * sizeof *a);
			qsort(c, n, sizeof *c, cmp_rows);
			qsort(b, n, sizeof *b, cmp_rows);
			assert_memory_equal(c, b, n * sizeof *c);
			free(a);
			free(b);
			free(c);
		}
	/* and plain uint32 values */
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
		size_t n = sizes[si];
		uint32_t *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			a[i] = i % 3 ? (uint32_t)(seed >> 32) : (uint32_t)(seed >> 50);
		}
		memcpy(b, a, n * sizeof *a);
		mx_sort_u32(a, n);
		qsort(b, n, sizeof *b, mx_cmp_u32);
		assert_memory_equal(a, b, n * sizeof *a);
		free(a);
		free(b);
	}
}

static int cmp_u64v(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return (a > b) - (a < b);
}

/* uint64 values: whole, what a comparison sort gives; by their high bits
 * only, in order of those bits and stable (the low bits: the original
 * position, where it fits). */
static void test_sort_u64(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 2, 63, 64, 1000, 70000};
	uint64_t seed = 777;
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (int from = 0; from <= 48; from += 16) {
			size_t n = sizes[si];
			uint64_t *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
			for (size_t i = 0; i < n; i++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				/* ties in the high bits (few distinct values), every
				 * digit of the high bits used */
				uint64_t hi = i % 2 ? seed >> 61 : seed >> 20;
				uint64_t mask = from ? ((uint64_t)1 << from) - 1 : 0;
				a[i] = from ? (hi << from | (i & mask)) : seed ^ (i % 5) << 60;
			}
			memcpy(b, a, n * sizeof *a);
			mx_sort_u64(a, n, from);
			if (from == 0) {
				qsort(b, n, sizeof *b, cmp_u64v);
				assert_memory_equal(a, b, n * sizeof *a);
			} else {
				uint64_t mask = ((uint64_t)1 << from) - 1;
				for (size_t i = 0; i + 1 < n; i++) {
					assert_true(a[i] >> from <= a[i + 1] >> from);
					if (a[i] >> from == a[i + 1] >> from && n <= mask + 1)
						assert_true((a[i] & mask) < (a[i + 1] & mask)); /* stable */
				}
				/* the same multiset */
				qsort(a, n, sizeof *a, cmp_u64v);
				qsort(b, n, sizeof *b, cmp_u64v);
				assert_memory_equal(a, b, n * sizeof *a);
			}
			free(a);
			free(b);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_norm),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_date_and_numbers),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_fmt_double),
		cmocka_unit_test(test_sort_u32x4),
		cmocka_unit_test(test_sort_u64),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
