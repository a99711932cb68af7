/* store: the one SQLite file.  Owns the schema (PRAGMA user_version
 * migrations), connection settings, transactions and the prepared
 * statements the importers use.  Every value is bound, never formatted
 * into SQL. */
#ifndef MXRAY_STORE_H
#define MXRAY_STORE_H

#include <stdatomic.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mxray/util.h"

#define STORE_SCHEMA_VERSION 11

/* The secondary indexes that infer (f_primary_mx_host) and import
 * (f_mx_ip_ip) drop before a bulk load and build again after it, as the
 * schema has them: the column that varies first (schema 10). */
#define STORE_INDEX_PRIMARY_MX_HOST "f_primary_mx(host, snap)"
#define STORE_INDEX_MX_IP_IP "f_mx_ip(ip, snap)"

/* f_scan keeps a reply's texts that many servers share once, in
 * scan_text(id, text BLOB) (schema 11): the EHLO reply after its first
 * line (ehlo_rest), the STARTTLS reply (starttls_id) and the record's
 * format (format_id).  SQL for the whole EHLO reply of f_scan row c, the
 * rest of it being the scan_text row r (LEFT JOIN scan_text r ON r.id =
 * c.ehlo_rest): the bytes as they were read, a BLOB (TEXT where the first
 * line is: a row written by other means than mxray's import). */
#define STORE_SCAN_EHLO(c, r)                                                                                  \
	"CASE WHEN " c ".ehlo_rest IS NULL THEN " c ".ehlo_head WHEN typeof(" c ".ehlo_head) = 'text' THEN " c \
	".ehlo_head || " r ".text ELSE CAST(" c ".ehlo_head || " r ".text AS BLOB) END"

typedef struct store store;
/* SQL for the names of the integer codes of f_result.source and .status. */
#define STORE_SOURCE_TEXT(x) \
	"CASE " x " WHEN 1 THEN 'mx' WHEN 2 THEN 'banner' WHEN 3 THEN 'cert' ELSE 'correction' END"
#define STORE_STATUS_TEXT(x)                                                                          \
	"CASE " x " WHEN 0 THEN 'auto' WHEN 1 THEN 'no-smtp' WHEN 2 THEN 'flagged' WHEN 3 THEN 'heuristic'" \
	" WHEN 4 THEN 'confirmed' ELSE 'corrected' END"
/* SQL for a raw approach's answer for one primary MX host, from its
 * f_host_ev row h, approach a being 0 mx, 1 cert, 2 banner or 3 priority
 * (the chain of infer_chain_source, written here once for SQL): the
 * provider ID (a name id; NULL when the host has none), its source code
 * and its status code (1 no-smtp when the host has no live address, else
 * 0 auto).  A domain's raw answer is the distinct IDs of its primary MX
 * hosts, each with the highest source, confidence and status of the hosts
 * that gave it, weighted 1/(number of IDs); the views result and the
 * export derive it so, nothing stores it (f_raw says which approaches a
 * snapshot has). */
#define STORE_RAW_ID(a, h)                                                                                \
	"(CASE " a " WHEN 0 THEN " h ".mx_id WHEN 1 THEN coalesce(" h ".cert_id, " h ".mx_id) WHEN 2 THEN"    \
	" coalesce(" h ".banner_id, " h ".mx_id) ELSE coalesce(" h ".cert_id, " h ".banner_id, " h ".mx_id) END)"
#define STORE_RAW_SOURCE(a, h)                                                                           \
	"(CASE WHEN " a " IN (1, 3) AND " h ".cert_id IS NOT NULL THEN 3 WHEN " a " IN (2, 3) AND " h         \
	".banner_id IS NOT NULL THEN 2 ELSE 1 END)"
#define STORE_RAW_STATUS(h) "(CASE WHEN " h ".live THEN 0 ELSE 1 END)"
/* SQL for the dotted-quad text of an integer IPv4 column x (plain SQL, so
 * the views work in any SQLite client). */
#define STORE_IPV4_TEXT(x) \
	"((" x " >> 24) || '.' || ((" x " >> 16) & 255) || '.' || ((" x " >> 8) & 255) || '.' || (" x " & 255))"

/* Open (creating and migrating when needed).  On failure returns NULL and
 * sets *err to an allocated message. */
store *store_open(const char *path, char **err);
/* Open an existing database only (for read-only commands): fails with a
 * clear message when the file does not exist. */
store *store_open_existing(const char *path, char **err);
/* Open an existing database read-only (for the commands that only read):
 * nothing is written to it and its journal mode is left alone.  A
 * database of an older schema is migrated first when this process may
 * write the file (as every command always did), else refused with a
 * message saying so.
 * Works on a file or a directory this process may not write (read as
 * immutable when no -wal file has changes: see store.c).  TEMP tables
 * can still be written. */
store *store_open_readonly(const char *path, char **err);
/* A writable connection that mostly reads, key after key (the review
 * desk): a reader's page cache and temporary store instead of a writer's
 * smaller ones.  Best effort: the defaults stay when it fails. */
void store_read_mostly(store *st);
/* A second connection to st's file, read-only, its pages read through a
 * memory map, for reading on another thread while st's own thread goes
 * on (a connection is used by one thread at a time).  Its reads see the
 * state its first read finds: st's own state only when nothing was
 * committed in between, which the caller checks (PRAGMA data_version of
 * st before and after).  Open it while st has a read transaction under
 * way (one of its reads done): a writer of another process waiting for
 * st's transaction to end would otherwise keep it from starting in
 * rollback-journal mode (with st's read under way, SQLite's unix VFS
 * gives it the lock st's connection holds in this process; a VFS whose
 * locks are each handle's own would make it wait for that writer, which
 * waits for st).  Closed with store_close.  NULL and no message for a
 * database in memory or a temporary one, or a library built without
 * threads; NULL with *err when the file cannot be opened. */
store *store_open_sibling(store *st, char **err);
/* Read the file's pages through a memory map (on) or with read calls
 * (off, the default): a table read whole, in key order, takes half the
 * time or less mapped, but its pages count in the process's resident
 * memory while mapped, so a command maps only while it reads one large
 * table and unmaps after.  Takes effect when no statement holds a page;
 * best effort. */
void store_map_reads(store *st, bool on);
/* PRAGMA data_version of st's connection: it changes when another
 * connection commits.  -1 with *err on failure. */
int64_t store_data_version(store *st, char **err);
/* Refresh the query planner's statistics (sqlite_stat1) after a bulk
 * write, from a bounded sample of each index (PRAGMA analysis_limit), so
 * its cost does not grow with the tables: 0.3 s at 1M domains.  Without
 * them SQLite guesses every table's size, and a query over the views
 * (primary_mx JOIN mx_ip USING (snapshot, host) for one domain, say) may
 * start from the wrong end: 7 s at 1M instead of 10 ms.  Its own
 * transaction; 0, or -1 with *err. */
int store_analyze(store *st, char **err);
/* Bulk writing (import, infer): the file in rollback-journal mode, which
 * writes the pages a load appends once instead of twice (WAL), when
 * nobody else has it open; true when it is.  Meanwhile other processes
 * wait for each of its transactions instead of reading beside it.
 * store_bulk_end (or store_close) puts the file back in WAL mode. */
bool store_bulk_begin(store *st);
int store_bulk_end(store *st, char **err);

/* Whether st was opened by store_open_readonly. */
bool store_readonly(store *st);
void store_close(store *st);
sqlite3 *store_db(store *st);

/* "what: " and SQLite's message for the connection's last error, for
 * *err; a full disk or an I/O error also names the database file. */
char *store_db_error(sqlite3 *db, const char *what);

/* Stop on a signal: while *flag is set (by a SIGINT handler, say), the
 * statement st runs fails with SQLITE_INTERRUPT ("interrupted") within a
 * few thousand of SQLite's steps, so a long load or index build ends in
 * its rollback.  NULL: never (the default). */
void store_stop_on(store *st, const atomic_int *flag);
/* Run SQL with no result rows; on failure returns -1 and sets *err. */
int store_exec(store *st, const char *sql, char **err);
/* Run a CREATE INDEX after a load, its sort in runs of 4 MiB merged: with
 * a file-backed temporary store SQLite sorts in memory up to the
 * connection's cache size, and one large in-memory sort is the slower
 * (1.08M keys: 0.82 s with the writers' 64 MiB, 0.35 s in 4 MiB runs).
 * helper: the runs sorted and merged on a helper thread of SQLite's too
 * (PRAGMA threads=1), for a caller with a core to spare: the name index
 * at 1.49M names 0.35 s instead of 0.43, at 15M 5.1 s instead of 6.1;
 * slower while another thread of ours works beside.  The cache size is
 * put back after (and no helper); 0, or -1 with *err. */
int store_build_index(store *st, const char *sql, bool helper, char **err);
/* The name table's unique index on name (name_name), built when it is
 * missing: an import drops it at a load of names of at least a quarter of
 * the table (names.c) and builds it once after its last file; an import
 * killed or stopped between the two leaves it missing, and the next
 * writable open (store_open) builds it.  Under the write lock, in a transaction of its own unless
 * the caller is in one; without `wait`, and outside a transaction, only
 * if the lock is free at once (else nothing is done: another writer, an
 * import that dropped it, say, has the file).  *built (may be NULL):
 * whether it was built.  0, or -1 with *err. */
#define STORE_NAME_INDEX "name_name"
int store_name_index(store *st, bool wait, bool *built, char **err);
/* 1 when the name index is there, 0 when not, -1 with *err. */
int store_has_name_index(store *st, char **err);

/* Nested transactions through savepoints: store_begin opens a savepoint;
 * store_commit releases it, store_rollback rolls it back and releases it. */
int store_begin(store *st, char **err);
int store_commit(store *st, char **err);
void store_rollback(store *st);
/* A read transaction (outside any other): every statement until
 * store_read_end sees the database as it was at the first one, whatever
 * other processes commit meanwhile.  store_read_end resets the cached
 * statements, so none keeps that state open. */
int store_read_begin(store *st, char **err);
void store_read_end(store *st);
/* A reader that makes one output from several statements: store_read_begin
 * unless the connection is in a transaction already or a statement of it
 * is under way (the caller's state is then the one read, and the caller
 * ends it).  *own says whether this call began one; store_read_leave ends
 * it only then. */
int store_read_enter(store *st, bool *own, char **err);
void store_read_leave(store *st, bool own);

/* Make sure snapshot `date` exists. */
int store_snapshot_add(store *st, const char *date, char **err);
/* 1 with the default snapshot's date in buf, 0 when there is none, -1
 * with *err.  The default is the newest snapshot whose import finished
 * (snapshot.derived): a snapshot another process is importing right now,
 * or whose import was stopped before its last step, is passed over while
 * a finished one exists; with none finished, the newest. */
int store_snapshot_newest(store *st, char buf[11], char **err);
/* 1 with the newest unfinished snapshot newer than `date` in buf (the one
 * store_snapshot_newest passed over), 0 when there is none, -1 with *err. */
int store_snapshot_unfinished_after(store *st, const char *date, char buf[11], char **err);
/* Whether snapshot `date` is in the database (false on an error too). */
bool store_snapshot_exists(store *st, const char *date);
/* 1 when snapshot `date` exists (its id in *id, if not NULL), 0 when it
 * does not, -1 with *err set on a database error.  Read code uses this
 * rather than store_snapshot_exists/store_snapshot_id: an error is not
 * "no such snapshot". */
int store_snapshot_find(store *st, const char *date, int64_t *id, char **err);
/* Every snapshot date, oldest first, into a new array *dates (free it).
 * Returns how many, or -1 with *err set. */
long store_snapshot_dates(store *st, char (**dates)[11], char **err);

/* The integer id of snapshot `date`, or -1 when there is none (or on an
 * error: store_snapshot_find tells them apart). */
int64_t store_snapshot_id(store *st, const char *date);
/* The id of target list `list`, adding it when new; -1 with *err set. */
int64_t store_list_id(store *st, const char *list, char **err);
/* 1 when the snapshot's derived tables (MX addresses, pfx2as ASNs) match
 * its imported files (or it does not exist), 0 when an import stopped
 * before building them, -1 with *err set on a database error. */
int store_snapshot_derived(store *st, const char *date, char **err);
/* Whether some snapshot has imported target list `list`. */
bool store_list_exists(store *st, const char *list);
/* The same: 1, 0, or -1 with *err set on a database error. */
int store_list_find(store *st, const char *list, char **err);
/* The names of the imported target lists, sorted, joined by ", " (free it). */
char *store_list_names(store *st);

/* Prepare a cached statement (finalised by store_close). */
sqlite3_stmt *store_prepare(store *st, const char *sql, char **err);

/* A text column as a malloc'd string; NULL for SQL NULL. */
char *store_column_dup(sqlite3_stmt *s, int i);

/* Bind text/blob helpers; NULL pointer binds SQL NULL. */
void store_bind_text(sqlite3_stmt *s, int i, const char *v);
void store_bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n, bool present);

/* Step a write statement to completion and reset it.  Returns the number
 * of rows changed (0 or more), or -1 with *err set. */
int store_step_write(store *st, sqlite3_stmt *s, char **err);

/* Step a bound write statement in a transaction of its own (a savepoint
 * inside any open one).  Returns the rows changed, or -1 with *err and
 * nothing written; *rowid (if not NULL) gets the last inserted rowid. */
int store_write_alone(store *st, sqlite3_stmt *s, int64_t *rowid, char **err);

/* Bulk rows from C: a table-valued function mxray_rows(?) over a caller's
 * array, so that one statement writes them all, e.g.
 *   INSERT INTO f_mx SELECT c0, c1, c2, c3 FROM mxray_rows(?1)
 * with the store_rows bound to ?1 by store_bind_rows.  column() sets the
 * value of column col (0..STORE_ROWS_COLS-1) of row `row` with a
 * sqlite3_result_* call.  A row's rowid is its index in the array, and
 * ORDER BY rowid (ascending) is the array's order, with no sort. */
#define STORE_ROWS_COLS 20
typedef struct {
	size_t nrows;
	void *ctx;
	void (*column)(void *ctx, size_t row, int col, sqlite3_context *out);
} store_rows;
void store_bind_rows(sqlite3_stmt *s, int i, store_rows *rows);
/* Run a bound bulk statement to completion: rows changed, or -1 with *err. */
int64_t store_step_bulk(store *st, sqlite3_stmt *s, char **err);

/* The rows of an integer query whose ?1 is a snapshot id, column i
 * appended to out[i] (ncols columns).  0, or -1 with *err set. */
int store_load_u32(store *st, const char *sql, int64_t snap, int ncols, u32vec *out, char **err);

/* End a read loop `while ((rc = sqlite3_step(s)) == SQLITE_ROW)`: reset s,
 * and unless rc is SQLITE_DONE set *err to the database's error and
 * return -1.  Returns 0 when every row was read. */
int store_read_done(store *st, sqlite3_stmt *s, int rc, char **err);

/* A read helper that answers only yes or no (store_snapshot_exists,
 * export_latest, sample_snapshot, ...) records the database error it met
 * with store_note_error (SQLite's message; the first one is kept), so that
 * its caller can tell "no" from a failure: store_take_error returns it
 * (free it) and forgets it, or NULL when nothing failed. */
void store_note_error(store *st);
char *store_take_error(store *st);

#endif
