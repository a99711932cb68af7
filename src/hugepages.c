/* hugepages: start again with glibc's huge-page tunable (see hugepages.h). */
#include "mxray/hugepages.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

const char *hugepages_tunables(const char *thp_mode, const char *env)
{
	if (env || !thp_mode)
		return NULL;
	return strstr(thp_mode, "[madvise]") ? HUGEPAGES_TUNABLES : NULL;
}

const char *hugepages_thp_mode(char *buf, size_t size)
{
	int fd = open(THP_ENABLED, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* The C library reads glibc.malloc.hugetlb: glibc 2.35 or later. */
static bool tunable_known(void)
{
#ifdef __GLIBC__
	unsigned major = 0, minor = 0;
	return sscanf(gnu_get_libc_version(), "%u.%u", &major, &minor) == 2 && (major > 2 || (major == 2 && minor >= 35));
#else
	return false;
#endif
}

/* This program's file by its own path (so that the process keeps its
 * name: started as /proc/self/exe it would be called "exe" in ps, pgrep
 * and top), when that path is the file running: not when it was removed
 * or replaced since, nor under a tool that runs the program itself
 * (valgrind: /proc/self/exe is the tool's). */
static bool own_path(char *path, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return false;
	path[n] = '\0';
	struct stat a, b;
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void hugepages_restart(char **argv)
{
	const char *env = getenv("GLIBC_TUNABLES");
	if (env) {
		/* started again by us (or set so by the user: glibc has read it
		 * either way): not passed on to anything this process starts */
		if (!strcmp(env, HUGEPAGES_TUNABLES))
			unsetenv("GLIBC_TUNABLES");
		return;
	}
	char buf[128], self[PATH_MAX];
	const char *value = hugepages_tunables(hugepages_thp_mode(buf, sizeof buf), env);
	/* set-user-ID and the like: the loader drops GLIBC_TUNABLES (in
	 * newer glibc), so it would never be seen set: no start again */
	if (!value || !tunable_known() || getauxval(AT_SECURE) || !argv || !argv[0] || !own_path(self, sizeof self) ||
	    setenv("GLIBC_TUNABLES", value, 0) != 0)
		return;
	execv(self, argv);
	unsetenv("GLIBC_TUNABLES"); /* no exec: go on as we are */
}
