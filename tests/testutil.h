/* Helpers shared by the cmocka tests: temporary files with given content. */
#ifndef MXRAY_TESTUTIL_H
#define MXRAY_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
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
}

#endif
