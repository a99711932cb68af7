/* report: results over time: the domains in scope (a list, optionally only
 * stable domains), data coverage (the paper's Table 4), provider shares per
 * snapshot (trend), and a readable text report. */
#ifndef MXRAY_REPORT_H
#define MXRAY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "mxray/store.h"

/* Which domains count. */
typedef struct {
	const char *list;        /* target list; NULL or "all": every domain with MX */
	bool stable;             /* only domains with MX (and in the list) in every snapshot */
	char **snapshots;        /* the snapshots considered (NULL: every one in the database) */
	size_t nsnapshots;
} report_scope;

#define COVERAGE_CATEGORIES 6
extern const char *const coverage_names[COVERAGE_CATEGORIES];
/* no_mx_ip, no_scan, no_port25, no_valid_cert, no_valid_banner, complete */

typedef struct {
	char snapshot[11];
	long count[COVERAGE_CATEGORIES];
	long total;
} coverage_row;

typedef struct {
	char *provider;          /* company, or provider ID where there is none */
	double *share;           /* percent per snapshot */
} trend_row;

typedef struct {
	char (*dates)[11];       /* the snapshots, oldest first */
	size_t ndates;
	long *domains;           /* domains in scope with an answer, per snapshot */
	trend_row *rows;         /* largest share in the last snapshot first */
	size_t nrows;
} trend;

/* The snapshots of the scope (all of the database's when none are given),
 * oldest first.  Returns the count or -1. */
long report_dates(store *st, const report_scope *sc, char (**dates)[11], char **err);

/* Create the (empty) temporary scope tables if they are not there. */
int report_scope_table(store *st, char **err);
/* Fill the temporary table scope_domain(snapshot, domain) with the
 * domains that count (exports filter on it). */
int report_prepare_scope(store *st, const report_scope *sc, char **err);

/* Table 4 for one snapshot.  Needs infer to have run on it. */
int report_coverage(store *st, const report_scope *sc, const char *snapshot, coverage_row *out, char **err);

/* The same on the scope already built (by report_trend or
 * report_prepare_scope). */
int report_coverage_scoped(store *st, const char *snapshot, coverage_row *out, char **err);

/* Shares per provider and snapshot; top 0 means every provider.  Leaves
 * the scope built.  Fails, naming them, when a snapshot has no results. */
int report_trend(store *st, const report_scope *sc, size_t top, trend *out, char **err);
void trend_free(trend *t);

/* CSV exports: coverage (snapshot,list,category,domains), trend
 * (provider,<date>,...), and the decision history. */
int report_export_coverage(store *st, FILE *out, const report_scope *sc, const char *snapshot, char **err);
int report_export_trend(store *st, FILE *out, const report_scope *sc, size_t top, char **err);
int report_export_corrections(store *st, FILE *out, char **err);

/* A one-line note (allocated, no newline) when the final answers the
 * report (or the trend export) uses for the scope's snapshots come from
 * infer runs with different knowledge bases, PSL sources or parameters,
 * or when a snapshot's final answers come from a run that differs from
 * the one its raw approaches' answers come from (runs.h); NULL when not. */
char *report_runs_note(store *st, const report_scope *sc);

/* The readable report. */
int report_text(store *st, FILE *out, const report_scope *sc, size_t top, char **err);

#endif
