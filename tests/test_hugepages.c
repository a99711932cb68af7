/* hugepages: when mxray starts itself again with glibc's huge-page
 * tunable, and that it does (this test program started again). */
#include "testutil.h"
#include "mxray/hugepages.h"

#include <sys/wait.h>

/* exit statuses of the program started again, and of a child that was not */
#define RESTARTED_WITH 42
#define RESTARTED_WITHOUT 43
#define NOT_RESTARTED 7

static void test_decision(void **state)
{
	(void)state;
	/* Debian's default: huge pages only where asked for */
	assert_string_equal(hugepages_tunables("always [madvise] never\n", NULL),
			    "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1073741824");
	assert_string_equal(hugepages_tunables("[madvise]", NULL), HUGEPAGES_TUNABLES);
	/* every heap gets them anyway, or none can */
	assert_null(hugepages_tunables("[always] madvise never\n", NULL));
	assert_null(hugepages_tunables("always madvise [never]\n", NULL));
	/* no such file (a kernel without THP, no /sys) */
	assert_null(hugepages_tunables(NULL, NULL));
	assert_null(hugepages_tunables("", NULL));
	/* the user's own tunables, whatever they are, and ours (started again) */
	assert_null(hugepages_tunables("always [madvise] never\n", "glibc.malloc.check=0"));
	assert_null(hugepages_tunables("always [madvise] never\n", ""));
	assert_null(hugepages_tunables("always [madvise] never\n", HUGEPAGES_TUNABLES));
}

/* hugepages_restart in a child with env as GLIBC_TUNABLES (NULL: unset);
 * the child's exit status */
static int child_status(const char *env)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (env)
			setenv("GLIBC_TUNABLES", env, 1);
		else
			unsetenv("GLIBC_TUNABLES");
		char *argv[] = {(char *)"test_hugepages", (char *)"--restarted", NULL};
		hugepages_restart(argv);
		const char *now = getenv("GLIBC_TUNABLES");
		/* not started again: ours is not passed on, the user's is kept */
		if (env && !strcmp(env, HUGEPAGES_TUNABLES))
			_exit(now ? 1 : NOT_RESTARTED);
		_exit((env ? now && !strcmp(now, env) : !now) ? NOT_RESTARTED : 2);
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_restart(void **state)
{
	(void)state;
	char buf[128];
	bool madvise = hugepages_tunables(hugepages_thp_mode(buf, sizeof buf), NULL) != NULL;
	if (!madvise)
		print_message("this machine's huge-page mode is not [madvise]: no restart expected\n");
	/* with nothing set, this program itself is started again, with the
	 * tunable in its environment */
	assert_int_equal(child_status(NULL), madvise ? RESTARTED_WITH : NOT_RESTARTED);
	/* never with the user's tunables, nor a second time */
	assert_int_equal(child_status("glibc.malloc.check=0"), NOT_RESTARTED);
	assert_int_equal(child_status(HUGEPAGES_TUNABLES), NOT_RESTARTED);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--restarted")) {
		const char *now = getenv("GLIBC_TUNABLES");
		return now && !strcmp(now, HUGEPAGES_TUNABLES) ? RESTARTED_WITH : RESTARTED_WITHOUT;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_restart),
	};
	return cmocka_run_group_tests_name("hugepages", tests, NULL, NULL);
}
