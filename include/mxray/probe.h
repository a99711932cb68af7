/* probe: collect the evidence live.  MX lookups for a list of domains and
 * A lookups for their MX hosts (c-ares), then one SMTP session per distinct
 * address (greeting, EHLO, STARTTLS, TLS handshake with OpenSSL, QUIT; never
 * MAIL FROM or RCPT TO) in epoll loops (two threads on two cores or more)
 * under a connection-rate and a concurrency cap.  Writes OpenINTEL-style DNS rows and ZGrab2 smtp
 * records as JSON Lines, in the layouts 'mxray import --dns' and '--scans'
 * read; a run resumes from the files of an interrupted one.  Never draws:
 * progress goes through the progress module. */
#ifndef MXRAY_PROBE_H
#define MXRAY_PROBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mxray/store.h"
#include "mxray/util.h"

/* ---- exclude list: CIDRs and domains never contacted -------------------- */

typedef struct probe_exclude probe_exclude;

probe_exclude *probe_exclude_new(void);
void probe_exclude_free(probe_exclude *x);
/* One entry: an IPv4 address, a CIDR (192.0.2.0/24) or a domain (which
 * covers its subdomains).  '#' starts a comment; blank lines are fine.
 * Returns NULL, or a static reason the entry was refused. */
const char *probe_exclude_add(probe_exclude *x, const char *entry, size_t len);
/* An address or CIDR only (for --allow); NULL or a static reason. */
const char *probe_exclude_add_cidr(probe_exclude *x, const char *entry);
/* Every line of a file; returns 0, or -1 with *err (FILE:LINE: reason). */
int probe_exclude_load(probe_exclude *x, const char *path, char **err);
bool probe_exclude_ip(const probe_exclude *x, uint32_t ip);
/* name: normalised (lower case, no trailing dot). */
bool probe_exclude_name(const probe_exclude *x, const char *name);
size_t probe_exclude_count(const probe_exclude *x);

/* The special-purpose range (RFC 6890 and its successors) an address is
 * in, as "10.0.0.0/8 (private)", or NULL for a public address.  The probe
 * never contacts these unless --allow covers them; *hard is set for the
 * ranges no --allow opens (0.0.0.0/8, multicast, reserved, broadcast: a
 * connection there reaches this machine or nothing). */
const char *probe_special_range(uint32_t ip, bool *hard);

/* ---- SMTP replies ------------------------------------------------------ */

/* Longest reply line accepted (RFC 5321 says 512; servers exceed it), and
 * the longest whole (multi-line) reply. */
#define PROBE_LINE_MAX 2048
#define PROBE_REPLY_MAX (64 * 1024)

enum { PROBE_REPLY_MORE = 0, PROBE_REPLY_BAD = -1 };

/* Look for one complete SMTP reply at the start of buf[0..len): lines of
 * three digits then '-' (more follow), ' ' or the end of the line (the
 * last), each ended by LF (CRLF or bare LF).  Returns the length of the
 * whole reply (through the last line's LF) with *code set to the last
 * line's code; PROBE_REPLY_MORE when more bytes are needed;
 * PROBE_REPLY_BAD when it is not an SMTP reply (a line that does not start
 * with a code 200-599, a NUL byte in a code, a line longer than
 * PROBE_LINE_MAX, a reply longer than PROBE_REPLY_MAX). */
long probe_smtp_reply(const char *buf, size_t len, int *code);

/* ---- output records ---------------------------------------------------- */

/* A JSON string (quotes included): '"', '\\' and control bytes escaped;
 * other bytes as they are (mxray's reader keeps raw non-UTF-8 bytes). */
void probe_json_str(strbuf *o, const char *s, size_t n);

/* One OpenINTEL-style row.  Names are written with a trailing dot.  A
 * failed lookup has status != 0 and no response; NODATA has status 0 and
 * no response (rtype NULL). */
typedef struct {
	const char *qtype, *qname;
	const char *rtype, *rname;   /* NULL: none */
	const char *mx;              /* MX */
	unsigned pref;
	const char *cname;           /* CNAME */
	const char *ip4;             /* A */
	unsigned status;             /* DNS rcode; 65535 = timeout / no answer */
	long long ts_ms;
} probe_dns_row;

/* Appends the row and a newline. */
void probe_write_dns(strbuf *o, const probe_dns_row *r);

typedef struct {
	char *raw_b64;               /* DER, base64 */
	char *subject_dn, *issuer_dn;
	char **cn;                   /* subject common names */
	size_t ncn;
	char **issuer_cn;
	size_t nissuer_cn;
	char **san;                  /* subjectAltName DNS names */
	size_t nsan;
	char not_before[32], not_after[32];
	char serial[80];
	char sha256[65];
} probe_cert;

typedef struct {
	char ip[16];
	unsigned port;
	char timestamp[32];          /* RFC 3339, UTC */
	const char *status;          /* ZGrab2 status: success, connection-refused, ... */
	char *error;                 /* NULL or what went wrong */
	bool has_banner, has_ehlo, has_starttls, has_quit;
	strbuf banner, ehlo, starttls, quit;
	bool tls;                    /* a handshake completed */
	char tls_version[32], cipher[96];
	probe_cert leaf;
	probe_cert *chain;           /* the rest of the chain the server sent */
	size_t nchain;
	bool trusted;
	char *verify_error;          /* NULL when trusted */
	char *server_name;           /* the SNI sent, or NULL (none) */
} probe_scan;

/* The fields of a DER certificate (as a server sends it); false when it is
 * not one.  Free with probe_cert_free. */
bool probe_cert_parse(const unsigned char *der, size_t len, probe_cert *c);

void probe_scan_init(probe_scan *s);
void probe_scan_free(probe_scan *s);
void probe_cert_free(probe_cert *c);
/* Appends the ZGrab2 smtp record and a newline.  "port" is written only
 * for port 25 (mxray's reader refuses other ports). */
void probe_write_scan(strbuf *o, const probe_scan *s);

/* ---- the domains to probe --------------------------------------------- */

/* Normalised, each once, in the order given. */
typedef struct {
	char **v;
	size_t n, cap;
	struct strmap *seen;
} probe_domains;

/* One domain, or a line as target lists have them ("domain", "rank,domain",
 * '#' comments, blank).  Returns NULL (added, a duplicate or blank) or a
 * static reason it is not a domain. */
const char *probe_domains_add(probe_domains *d, const char *s, size_t len);
/* Every line of a file ('-': standard input); bad lines are reported on
 * log as FILE:LINE: reason and skipped.  Returns 0, or -1 with *err. */
int probe_domains_load(probe_domains *d, const char *path, FILE *log, char **err);
void probe_domains_free(probe_domains *d);

/* ---- resuming: what the files of an earlier run hold ------------------ */

/* An interrupted run's dns.jsonl and scans.jsonl, read back: which domains
 * had their MX lookup and which MX hosts their A lookup (answered or failed:
 * a failure is a result too), with the answers, and which addresses were
 * probed.  A run given this probes only what is missing. */
typedef struct probe_prior probe_prior;

probe_prior *probe_prior_new(void);
void probe_prior_free(probe_prior *p);
/* One line of dns.jsonl / scans.jsonl (without its newline).  Returns NULL
 * (taken, or blank) or a reason it is not a row probe writes. */
const char *probe_prior_dns_line(probe_prior *p, const char *line, size_t len);
const char *probe_prior_scan_line(probe_prior *p, const char *line, size_t len);
/* Every line of a file (a missing file is empty); bad lines are reported
 * on log as FILE:LINE: reason (the first 10) and counted in *skipped, and
 * their work is done again.  Returns 0, or -1 with *err. */
int probe_prior_load(probe_prior *p, const char *path, bool scans, FILE *log, uint64_t *skipped, char **err);
/* Counts: domains with an MX answer, hosts with an A answer, addresses
 * probed. */
size_t probe_prior_domains(const probe_prior *p);
size_t probe_prior_hosts(const probe_prior *p);
size_t probe_prior_scans(const probe_prior *p);

/* Open an output file to append to, after dropping an unfinished last line
 * (a run killed mid-write); *dropped gets the bytes dropped.  NULL with
 * *err on failure. */
FILE *probe_out_open(const char *path, long *dropped, char **err);

/* ---- the engine -------------------------------------------------------- */

/* DNS queries in flight at most: a resolver's socket buffer holds only so
 * many (1000 at once made dnsmasq drop a tenth of them on loopback). */
#define PROBE_DNS_INFLIGHT 200

typedef struct {
	const char *resolver;        /* "IP" or "IP:PORT"; NULL: the system's */
	unsigned port;               /* SMTP port (25) */
	const char *ehlo;            /* EHLO name */
	double rate;                 /* new SMTP connections per second */
	int concurrency;             /* open SMTP connections at most */
	double timeout;              /* seconds per connection, and per DNS query */
	const char *ca_file;         /* extra trusted roots (PEM), or NULL */
	const probe_exclude *exclude; /* never contacted, or NULL */
	const probe_exclude *allow;  /* special-purpose ranges that may be contacted, or NULL */
	const probe_prior *prior;    /* an earlier run's results, or NULL */
	bool sni;                    /* send the MX host name as SNI */
	bool progress;               /* progress bar when stderr is a terminal */
	FILE *log;                   /* diagnostics (stderr) */
	const char *dns_name, *scan_name; /* the outputs' names in messages, or NULL */
} probe_opts;

typedef struct {
	uint64_t domains, excluded_domains, resumed_domains;
	uint64_t mx_records, dns_failed, dns_nodata;
	uint64_t hosts, excluded_hosts, resumed_hosts;
	uint64_t addresses, excluded_addresses, special_addresses, resumed_addresses;
	uint64_t smtp_done, smtp_banner, smtp_tls, smtp_trusted, smtp_failed;
	int concurrency;             /* the cap used: --concurrency, or lower
				      * for the file-descriptor limit */
	double seconds;              /* the run's wall time */
} probe_counts;

/* Set from a signal handler: the run stops at once; every line already
 * written is whole. */
extern atomic_int probe_interrupted;

/* Probe the domains (normalised names) and append the rows to dns_out and
 * scan_out.  Returns 0, 1 when interrupted, or -1 with *err (setup
 * failure: resolver, TLS context, CA file; or a write error). */
int probe_run(const probe_opts *o, char *const *domains, size_t n, FILE *dns_out, FILE *scan_out,
	      probe_counts *c, char **err);

/* The machine's fully qualified name (for EHLO), or "localhost". */
void probe_default_ehlo(char *buf, size_t n);

/* The open SMTP connections possible: want, or fewer below the process's
 * file-descriptor limit (raised to the hard limit first when need be),
 * with room for the resolver, the database and the output files. */
int probe_concurrency_cap(int want);

/* 1 when the snapshot has pfx2as prefixes imported, 0 when not, -1 with
 * *err. */
int probe_snapshot_has_pfx2as(store *st, const char *snapshot, char **err);

/* ---- the SMTP/TLS client (probe_smtp.c; used by probe.c) -------------- */

typedef struct probe_tls probe_tls;
probe_tls *probe_tls_new(const char *ca_file, char **err);
void probe_tls_free(probe_tls *t);

typedef struct probe_conn probe_conn;
/* Start a non-blocking session (never NULL; one that failed at once is
 * already over: probe_conn_step returns true).  sni: the name to send as
 * SNI, or NULL. */
probe_conn *probe_conn_start(probe_tls *t, uint32_t ip, unsigned port, const char *ehlo, const char *sni,
			     double timeout);
int probe_conn_fd(const probe_conn *c);
/* poll events wanted (POLLIN/POLLOUT; 0 once over), and the deadline
 * (monotonic ms). */
short probe_conn_events(const probe_conn *c);
long long probe_conn_deadline(const probe_conn *c);
/* Advance on readiness (revents) or on the deadline (now_ms >= deadline).
 * Returns true when the session is over: the record is complete. */
bool probe_conn_step(probe_conn *c, short revents, long long now_ms);
/* Close and free the session; its record moves into *s (the caller frees
 * it with probe_scan_free). */
void probe_conn_finish(probe_conn *c, probe_scan *s);

long long probe_now_ms(void);

#endif
