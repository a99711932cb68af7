/* mxgen truth: the three target lists (targets-alexa.txt, targets-com.txt,
 * targets-gov.txt) and truth.csv (domain,truth: the company or provider
 * ID that really runs the domain's mail, ';' between several). */
#include "mxgen.h"

#include "mxray/util.h"

void write_target(int list, const char *name)
{
	Out *o = &g_out[F_TALEXA + list];
	out_str(o, name);
	out_ch(o, '\n');
	o->rows++;
	g_n.list[list]++;
}

/* The truth of a domain whose MX hosts have an address (no row otherwise). */
void write_truth(const Dom *d, Setup *S)
{
	int hasip = 0;
	for (int i = 0; i < S->nmx; i++)
		hasip |= S->mx[i].nip > 0;
	if (!hasip || !S->ntruth)
		return;
	mx_sort(S->truth, (size_t)S->ntruth, sizeof S->truth[0], mx_cmp_str);
	Out *o = &g_out[F_TRUTH];
	out_str(o, d->name);
	out_ch(o, ',');
	for (int i = 0; i < S->ntruth; i++) {
		if (i)
			out_ch(o, ';');
		out_str(o, S->truth[i]);
	}
	out_ch(o, '\n');
	o->rows++;
	g_n.truth++;
}
