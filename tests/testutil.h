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

/* Write `len` bytes to a fresh temporary file; returns its path (static
 * storage rotates over 8 slots). */
static inline const char *tmpfile_with(const char *data, size_t len)
{
	static char paths[8][64];
	static int slot;
	char *p = paths[slot++ % 8];
	snprintf(p, 64, "/tmp/mxray-test-XXXXXX");
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return p;
}

static inline const char *tmpfile_str(const char *s)
{
	return tmpfile_with(s, strlen(s));
}

/* A fresh temporary database path (file removed). */
static inline const char *tmpdb(void)
{
	static char p[64];
	snprintf(p, sizeof p, "/tmp/mxray-test-db-XXXXXX");
	int fd = mkstemp(p);
	assert_true(fd >= 0);
	close(fd);
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
