/* stats: per snapshot and list, how much data there is (domains, MX
 * hosts, IPs, and how many IPs have scans, port 25, trusted certificates
 * and ASNs). */
#ifndef MXRAY_STATS_H
#define MXRAY_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "mxray/store.h"
#include "mxray/util.h"

#define STATS_COLUMNS(X) \
	X(domains, "domains") X(with_mx, "with_mx") X(failed_lookups, "failed_lookups") \
	X(mx_hosts, "mx_hosts") X(ips, "ips") X(ips_scanned, "ips_scanned") \
	X(ips_port25, "ips_port25") X(ips_trusted, "ips_trusted_cert") X(ips_asn, "ips_with_asn")

typedef struct {
	char snapshot[11];
	char list[64];
#define X(f, name) int64_t f;
	STATS_COLUMNS(X)
#undef X
} stats_row;

/* Rows for every snapshot (or just `snapshot`) and every list, plus the
 * implicit list "all" (every domain with an MX record or a failed MX
 * lookup in the DNS data).  Returns the row
 * count, or -1 with *err.  *rows is allocated. */
int stats_collect(store *st, const char *snapshot, stats_row **rows, char **err);
/* Count the snapshot's rows again and store them (f_stats, in a
 * transaction of its own): the import's derive step calls it, so that
 * stats_collect only reads.  0, or -1 with *err set. */
int stats_compute(store *st, const char *snapshot, char **err);

/* What the counts are made of, for one snapshot: name ids and addresses.
 * mxd/mxh, iph/ipa, tl/td are pairs of columns; the target rows come
 * grouped by list; scanned, port25, trusted (trusted = 1) and asn are
 * ascending address sets (repeats allowed). */
typedef struct {
	u32vec mxd, mxh;      /* f_mx: domain, host */
	u32vec iph, ipa;      /* f_mx_ip: host, ip */
	u32vec fail, nodata;  /* names with a failed MX lookup, with a NODATA answer */
	u32vec scanned, port25, trusted, asn;
	u32vec tl, td;        /* f_target: list, domain */
} stats_input;
void stats_input_free(stats_input *in);
/* Store the counts of `in` as the snapshot's f_stats rows (in a
 * transaction of its own): what stats_compute does with rows it reads
 * back, for a caller that has them at hand.  0, or -1 with *err set. */
int stats_store(store *st, int64_t snap, const stats_input *in, char **err);

enum stats_format { STATS_TEXT, STATS_CSV, STATS_JSON };
void stats_print(FILE *out, const stats_row *rows, int n, enum stats_format fmt);

#endif
