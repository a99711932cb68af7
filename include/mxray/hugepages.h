/* hugepages: have the C library's allocator ask the kernel for transparent
 * huge pages (2 MiB) for the heap.
 *
 * Most Linux systems (Debian's default) give huge pages only to memory a
 * program asks for with madvise ("[madvise]" in
 * /sys/kernel/mm/transparent_hugepage/enabled).  glibc's malloc does that
 * when its tunable glibc.malloc.hugetlb is 1, which it reads only when the
 * program starts, from the environment variable GLIBC_TUNABLES.  With it,
 * a 1M-domain import or infer takes a tenth of the page faults (each one
 * costs microseconds, more on a virtual machine) and about a fifth less
 * time.  Blocks of 128 KiB and more (glibc's first threshold) come from
 * mmap, each one faulted in anew and given back when freed: with
 * glibc.malloc.mmap_threshold at 1 GiB they come from the heap too, in
 * huge pages, and what one phase frees the next reuses (at 1M domains
 * infer's faults 15k to 5k, 0.4 s less; at 10M 100k to 45k, 70 s
 * against 78 s, 190 MB more at the peak).  So mxray, when that mode is on
 * and GLIBC_TUNABLES is not set, sets it and starts itself again (the
 * same program file, arguments and environment; the process keeps its
 * id, and its name, as the file is started by its own path). */
#ifndef MXRAY_HUGEPAGES_H
#define MXRAY_HUGEPAGES_H

#include <stddef.h>

/* The value mxray gives GLIBC_TUNABLES. */
#define HUGEPAGES_TUNABLES "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1073741824"

/* The decision, with no side effect: the value GLIBC_TUNABLES should get
 * before starting again, or NULL to go on as we are.  thp_mode is the text
 * of /sys/kernel/mm/transparent_hugepage/enabled (NULL: not readable),
 * env the current GLIBC_TUNABLES (NULL: not set).  Only the "[madvise]"
 * mode with no GLIBC_TUNABLES at all gives a value: with "[always]" every
 * heap gets huge pages anyway, with "[never]" none can, and with a
 * GLIBC_TUNABLES set (by the user, to any value, to keep mxray from
 * starting again; or by mxray) glibc has read what it says. */
const char *hugepages_tunables(const char *thp_mode, const char *env);

/* The kernel's mode, the text of /sys/kernel/mm/transparent_hugepage/enabled
 * (a line such as "always [madvise] never") read into buf, or NULL when it
 * cannot be read. */
const char *hugepages_thp_mode(char *buf, size_t size);

/* Start again with HUGEPAGES_TUNABLES (execv of the path /proc/self/exe
 * names, with argv) when hugepages_tunables says so, the C library is
 * glibc 2.35 or later (which reads that tunable), the process is not
 * set-user-ID or the like (AT_SECURE: the loader may drop the variable)
 * and that path is the file running (not when it was replaced, or under
 * valgrind, whose tool is /proc/self/exe).  Returns when it does not
 * start again, or when the exec failed: the run goes on with ordinary
 * pages.  In the process started again the variable, when it is exactly
 * HUGEPAGES_TUNABLES, is removed from the environment, so that it is not
 * passed on. */
void hugepages_restart(char **argv);

#endif
