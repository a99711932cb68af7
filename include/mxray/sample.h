/* sample: evaluation samples (the paper's §3.3) and their labels.
 * A sample is a named, reproducible draw of domains with an SMTP-live
 * primary MX (or a given list); labels are the analyst's truth per sampled
 * domain, append-only with undo, like corrections. */
#ifndef MXRAY_SAMPLE_H
#define MXRAY_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mxray/csv.h"
#include "mxray/history.h"
#include "mxray/infile.h"
#include "mxray/kb.h"
#include "mxray/store.h"
#include "mxray/util.h"

/* Lines of a --from-file list or a truth file longer than this (the
 * importers' limit) are reported as FILE:LINE and skipped, never held. */
#define SAMPLE_LINE_MAX INFILE_LINE_MAX

typedef struct {
	const char *name;
	const char *snapshot;
	const char *list;       /* only domains of this target list (NULL: all) */
	size_t size;
	bool unique_mx;         /* only domains whose primary MX hosts no other domain uses */
	uint64_t seed;
	const char *from_file;  /* label these domains instead of drawing */
} sample_req;

/* Draw (or read) and store a sample.  Returns the number of domains
 * stored, or -1 with *err.  With from_file (which may be compressed, "-"
 * is standard input), lines naming domains that are not in the snapshot
 * and lines over SAMPLE_LINE_MAX are reported on log as FILE:LINE and
 * skipped. */
long sample_create(store *st, const sample_req *r, FILE *log, char **err);

/* The sample's snapshot into buf; false when there is no such sample. */
bool sample_snapshot(store *st, const char *name, char buf[11]);

/* Every sample's name, oldest first, into a new array *names (free each
 * and the array).  Returns how many. */
size_t sample_names(store *st, char ***names);

/* Canonical truth: tokens split on ';', each a company the knowledge base
 * knows (its name as written there) or a provider ID (normalised name),
 * sorted by lower case, unique, joined with ';'.  "" means cannot decide.
 * Returns an allocated string, or NULL with *err for a bad token. */
char *label_canonical(const kb *k, const char *truth, char **err);

/* Record a label (canonical truth).  Returns its id or -1. */
int64_t label_set(store *st, const char *sample, const char *domain, const char *truth, const char *analyst,
		  char **err);
int label_undo(store *st, int64_t id, char **err);
int64_t label_redo(store *st, int64_t id, char **err);
/* The table's undo and redo for many labels at once (history.h). */
extern const history_table label_history;

/* The standing label of a sampled domain (newest not undone); NULL if none.
 * *id receives its id. */
char *label_get(store *st, const char *sample, const char *domain, int64_t *id);

/* One line of a --from-file list (line[len] is a NUL, line[0..len] may be
 * modified; no newline needed): 1 with the domain's normalised name in name; 0 for a line to
 * skip (blank, a comment, the "domain" header on the first line); -1 with
 * *why (static) for a bad name.  first: the file's first line (a UTF-8
 * byte-order mark is dropped). */
int sample_parse_line(char *line, size_t len, bool first, char name[MX_NAME_MAX + 2], const char **why);

/* One line of a domain,truth file (line[0..len) may be modified): 1 with
 * the domain's normalised name in name and its raw truth field in *truth
 * (in rec, valid until rec's next parse; see label_canonical); 0 for a
 * line to skip (blank, the header on the first line); -1 with *why
 * (static). */
int label_parse_line(char *line, size_t len, bool first, csv_record *rec, char name[MX_NAME_MAX + 2],
		     const char **truth, const char **why);

/* domain,truth CSV in and out (truth as above; empty = cannot decide).
 * The file may be compressed (infile.h); "-" is standard input. */
long label_import(store *st, const kb *k, const char *sample, const char *path, const char *analyst, bool strict,
		  FILE *log, char **err);
long label_export(store *st, const char *sample, FILE *out, char **err);

#endif
