/* progress: stderr progress bar. */
#include "mxray/progress.h"
#include "mxray/util.h"

#include <string.h>
#include <unistd.h>


void progress_begin(progress *p, bool enabled, const char *label, uint64_t total_bytes)
{
	memset(p, 0, sizeof *p);
	p->on = enabled && isatty(STDERR_FILENO);
	snprintf(p->label, sizeof p->label, "%s", label);
	p->total = total_bytes;
}

static void human(uint64_t n, char buf[16])
{
	if (n >= 10000000)
		snprintf(buf, 16, "%.1fM", (double)n / 1e6);
	else if (n >= 10000)
		snprintf(buf, 16, "%.1fk", (double)n / 1e3);
	else
		snprintf(buf, 16, "%llu", (unsigned long long)n);
}

void progress_update(progress *p, uint64_t bytes, uint64_t items, const char *unit)
{
	if (!p->on)
		return;
	uint64_t t = mx_clock_ns();
	if (p->last_ns && t - p->last_ns < 100000000u)
		return;
	p->last_ns = t;
	char line[160];
	if (p->total) {
		double f = (double)bytes / (double)p->total;
		if (f > 1)
			f = 1;
		char bar[31];
		int w = (int)(f * 30);
		for (int i = 0; i < 30; i++)
			bar[i] = i < w ? '#' : '.';
		bar[30] = '\0';
		snprintf(line, sizeof line, "%.40s [%s] %3d%%", p->label, bar, (int)(f * 100));
	} else {
		snprintf(line, sizeof line, "%.40s", p->label);
	}
	if (*unit) { /* an empty unit: no count */
		char n[16];
		human(items, n);
		size_t at = strlen(line);
		snprintf(line + at, sizeof line - at, "  %s %s", n, unit);
	}
	int len = (int)strlen(line);
	fprintf(stderr, "\r%s%*s", line, p->drawn > len ? p->drawn - len : 0, "");
	p->drawn = len;
}

void progress_end(progress *p)
{
	if (p->on && p->drawn)
		fprintf(stderr, "\r%*s\r", p->drawn, "");
	p->drawn = 0;
}

void progress_step(progress *p, bool enabled, const char *label, uint64_t total)
{
	progress_end(p);
	progress_begin(p, enabled, label, total);
	progress_update(p, 0, 0, "");
}
