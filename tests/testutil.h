/* Helpers shared by the cmocka tests: temporary files with given content. */
#ifndef MXRAY_TESTUTIL_H
#define MXRAY_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "mxray/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every temporary file made here is removed when the test program exits. */
static char tmp_made[256][64];
static int tmp_nmade;

static void tmp_cleanup(void)
{
	for (int i = 0; i < tmp_nmade; i++)
		unlink(tmp_made[i]);
	tmp_nmade = 0;
}

static inline char *tmp_new(const char *pattern)
{
	if (tmp_nmade == 0)
		atexit(tmp_cleanup);
	assert_true(tmp_nmade < 256);
	char *p = tmp_made[tmp_nmade++];
	snprintf(p, 64, "%s", pattern);
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	close(fd);
	return p;
}

/* Write `len` bytes to a fresh temporary file; returns its path. */
static inline const char *tmpfile_with(const char *data, size_t len)
{
	char *p = tmp_new("/tmp/mxray-test-XXXXXX");
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return p;
}

static inline const char *tmpfile_str(const char *s)
{
	return tmpfile_with(s, strlen(s));
}

/* A fresh temporary database path (file removed). */
static inline const char *tmpdb(void)
{
	char *p = tmp_new("/tmp/mxray-test-db-XXXXXX");
	unlink(p);
	return p;
}

static inline void rmdb(const char *p)
{
	char b[80];
	unlink(p);
	snprintf(b, sizeof b, "%s-wal", p);
	unlink(b);
	snprintf(b, sizeof b, "%s-shm", p);
	unlink(b);
	snprintf(b, sizeof b, "%s-journal", p);
	unlink(b);
}

/* tests/data/NAME, or $MXRAY_TEST_DATA/NAME when make unit sets it
 * (valid until the next call). */
static inline const char *test_data_path(const char *name)
{
	static char path[512];
	const char *d = getenv("MXRAY_TEST_DATA");
	snprintf(path, sizeof path, "%s/%s", d && *d ? d : "tests/data", name);
	return path;
}

/* The whole file (free it); *n its length. */
static inline char *test_slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	strbuf sb;
	sb_init(&sb);
	char buf[4096];
	size_t k;
	while ((k = fread(buf, 1, sizeof buf, f)) > 0)
		sb_add(&sb, buf, k);
	fclose(f);
	*n = sb.len;
	return sb_steal(&sb);
}

#endif
