/* hugepages: start again with glibc's huge-page tunable (see hugepages.h). */
#include "mxray/hugepages.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THP_ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"

const char *hugepages_tunables(const char *thp_mode, const char *env)
{
	if (env || !thp_mode)
		return NULL;
	return strstr(thp_mode, "[madvise]") ? HUGEPAGES_TUNABLES : NULL;
}

/* The mode's text (a line such as "always [madvise] never"), or NULL. */
static const char *thp_mode(char *buf, size_t size)
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
	char buf[128];
	const char *value = hugepages_tunables(thp_mode(buf, sizeof buf), env);
	if (!value || !argv || !argv[0] || setenv("GLIBC_TUNABLES", value, 0) != 0)
		return;
	execv("/proc/self/exe", argv);
	unsetenv("GLIBC_TUNABLES"); /* no exec: go on as we are */
}
