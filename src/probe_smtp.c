/* probe_smtp: the SMTP reply reader and one non-blocking SMTP session
 * (greeting, EHLO, STARTTLS, TLS handshake, QUIT) driven by poll()
 * readiness; the TLS context and the certificate fields kept. */
#include "mxray/probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

long long probe_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the reply reader --------------------------------------------------- */

long probe_smtp_reply(const char *buf, size_t len, int *code)
{
	size_t off = 0;
	for (;;) {
		if (off >= len)
			return PROBE_REPLY_MORE;
		const char *line = buf + off;
		size_t avail = len - off;
		/* the code: three digits, 2xx-5xx; checked on what has arrived */
		for (size_t i = 0; i < 3 && i < avail; i++)
			if (line[i] < '0' || line[i] > '9' || (i == 0 && (line[i] < '2' || line[i] > '5')))
				return PROBE_REPLY_BAD;
		const char *nl = memchr(line, '\n', avail < PROBE_LINE_MAX ? avail : PROBE_LINE_MAX);
		if (!nl) {
			if (avail >= PROBE_LINE_MAX || off + avail >= PROBE_REPLY_MAX)
				return PROBE_REPLY_BAD;
			return PROBE_REPLY_MORE;
		}
		size_t ll = (size_t)(nl - line); /* without the LF */
		if (ll < 3)
			return PROBE_REPLY_BAD;
		char sep = ll > 3 ? line[3] : '\n';
		if (sep != ' ' && sep != '-' && sep != '\r' && sep != '\n')
			return PROBE_REPLY_BAD;
		if (sep == '\r' && ll != 4)
			return PROBE_REPLY_BAD;
		off += ll + 1;
		if (off > PROBE_REPLY_MAX)
			return PROBE_REPLY_BAD;
		if (sep != '-') {
			*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
			return (long)off;
		}
	}
}

/* ---- TLS context ------------------------------------------------------- */

struct probe_tls {
	SSL_CTX *ctx;
};

probe_tls *probe_tls_new(const char *ca_file, char **err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		*err = xstrdup("cannot make a TLS context");
		return NULL;
	}
	/* reach old servers too (recorded as they are); chain checks still at
	 * level 1 (80-bit security) */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
	X509_VERIFY_PARAM_set_auth_level(SSL_CTX_get0_param(ctx), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* each session is new: nothing to resume, nothing to cache; read the
	 * server's records in few reads (the reader drains what is buffered) */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_read_ahead(ctx, 1);
	if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		SSL_CTX_free(ctx);
		*err = xstrdup("cannot load the system trust store");
		return NULL;
	}
	if (ca_file && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		SSL_CTX_free(ctx);
		unsigned long e = ERR_get_error();
		*err = xasprintf("--ca-file %s: %s", ca_file, e ? ERR_reason_error_string(e) : "cannot read it");
		ERR_clear_error();
		return NULL;
	}
	probe_tls *t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	return t;
}

void probe_tls_free(probe_tls *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

/* ---- certificate fields ------------------------------------------------ */

/* Names the reader will take: valid UTF-8, no NUL, at most 1024 bytes. */
static char *name_ok(const unsigned char *p, int n)
{
	if (n <= 0 || n > 1024 || memchr(p, 0, (size_t)n) || !mx_utf8_valid(p, (size_t)n))
		return NULL;
	return xstrndup((const char *)p, (size_t)n);
}

static void push_str(char ***v, size_t *n, char *s)
{
	if (!s)
		return;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

static void name_cns(X509_NAME *nm, char ***v, size_t *n)
{
	for (int i = -1; (i = X509_NAME_get_index_by_NID(nm, NID_commonName, i)) >= 0 && *n < 16;) {
		unsigned char *u = NULL;
		int len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)));
		if (len >= 0)
			push_str(v, n, name_ok(u, len));
		OPENSSL_free(u);
	}
}

static char *dn_text(X509_NAME *nm)
{
	BIO *b = BIO_new(BIO_s_mem());
	X509_NAME_print_ex(b, nm, 0, XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB));
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *s = n >= 0 && n <= 4096 && mx_utf8_valid(p, (size_t)n) && !memchr(p, 0, (size_t)n) ?
		  xstrndup(p, (size_t)n) : NULL;
	BIO_free(b);
	return s;
}

static void time_text(const ASN1_TIME *t, char out[32])
{
	struct tm tm;
	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void cert_fields(X509 *x, probe_cert *c)
{
	memset(c, 0, sizeof *c);
	int len = i2d_X509(x, NULL);
	if (len > 0 && len < 1 << 20) {
		unsigned char *der = xmalloc((size_t)len), *p = der;
		i2d_X509(x, &p);
		c->raw_b64 = xmalloc(((size_t)len + 2) / 3 * 4 + 1);
		EVP_EncodeBlock((unsigned char *)c->raw_b64, der, len);
		free(der);
	}
	c->subject_dn = dn_text(X509_get_subject_name(x));
	c->issuer_dn = dn_text(X509_get_issuer_name(x));
	name_cns(X509_get_subject_name(x), &c->cn, &c->ncn);
	name_cns(X509_get_issuer_name(x), &c->issuer_cn, &c->nissuer_cn);
	GENERAL_NAMES *gn = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gn && i < sk_GENERAL_NAME_num(gn) && c->nsan < 1000; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gn, i);
		if (g->type == GEN_DNS)
			push_str(&c->san, &c->nsan, name_ok(ASN1_STRING_get0_data(g->d.dNSName),
							    ASN1_STRING_length(g->d.dNSName)));
	}
	GENERAL_NAMES_free(gn);
	time_text(X509_get0_notBefore(x), c->not_before);
	time_text(X509_get0_notAfter(x), c->not_after);
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *dec = bn ? BN_bn2dec(bn) : NULL;
	if (dec && strlen(dec) < sizeof c->serial)
		snprintf(c->serial, sizeof c->serial, "%s", dec);
	OPENSSL_free(dec);
	BN_free(bn);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1 && mdlen == 32)
		for (unsigned i = 0; i < 32; i++)
			snprintf(c->sha256 + 2 * i, 3, "%02x", md[i]);
}

bool probe_cert_parse(const unsigned char *der, size_t len, probe_cert *c)
{
	memset(c, 0, sizeof *c);
	if (len > 1 << 20)
		return false;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (!x)
		return false;
	cert_fields(x, c);
	X509_free(x);
	ERR_clear_error();
	return true;
}

void probe_cert_free(probe_cert *c)
{
	free(c->raw_b64);
	free(c->subject_dn);
	free(c->issuer_dn);
	for (size_t i = 0; i < c->ncn; i++)
		free(c->cn[i]);
	for (size_t i = 0; i < c->nissuer_cn; i++)
		free(c->issuer_cn[i]);
	for (size_t i = 0; i < c->nsan; i++)
		free(c->san[i]);
	free(c->cn);
	free(c->issuer_cn);
	free(c->san);
	memset(c, 0, sizeof *c);
}

void probe_scan_init(probe_scan *s)
{
	memset(s, 0, sizeof *s);
	sb_init(&s->banner);
	sb_init(&s->ehlo);
	sb_init(&s->starttls);
	sb_init(&s->quit);
}

void probe_scan_free(probe_scan *s)
{
	free(s->error);
	sb_free(&s->banner);
	sb_free(&s->ehlo);
	sb_free(&s->starttls);
	sb_free(&s->quit);
	probe_cert_free(&s->leaf);
	for (size_t i = 0; i < s->nchain; i++)
		probe_cert_free(&s->chain[i]);
	free(s->chain);
	free(s->verify_error);
	free(s->server_name);
	memset(s, 0, sizeof *s);
}

/* ---- one session ------------------------------------------------------- */

enum cstate { C_CONNECT, C_GREETING, C_EHLO, C_STARTTLS, C_HANDSHAKE, C_QUIT, C_DONE };

struct probe_conn {
	int fd;
	SSL *ssl;
	probe_tls *t;
	enum cstate state;
	long long deadline;
	const char *ehlo;
	const char *sni;       /* SNI to send, or NULL */
	strbuf in;             /* bytes read, not yet a whole reply */
	char out[600];         /* a command being sent */
	size_t outlen, outoff;
	short ssl_want;        /* TLS: POLLIN/POLLOUT the library asked for */
	probe_scan rec;
};

static void set_error(probe_conn *c, const char *status, const char *fmt, const char *arg)
{
	c->rec.status = status;
	free(c->rec.error);
	c->rec.error = xasprintf(fmt, arg);
}

static void done(probe_conn *c)
{
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	c->state = C_DONE;
}

probe_conn *probe_conn_start(probe_tls *t, uint32_t ip, unsigned port, const char *ehlo, const char *sni,
			     double timeout)
{
	probe_conn *c = xcalloc(1, sizeof *c);
	c->t = t;
	c->ehlo = ehlo;
	c->sni = sni;
	sb_init(&c->in);
	probe_scan_init(&c->rec);
	mx_ipv4_format(ip, c->rec.ip);
	c->rec.port = port;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(c->rec.timestamp, sizeof c->rec.timestamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	c->deadline = probe_now_ms() + (long long)(timeout * 1000);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		set_error(c, "unknown-error", "socket: %s", strerror(errno));
		done(c);
		return c;
	}
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(ip);
	c->state = C_CONNECT;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		c->state = C_GREETING;
	} else if (errno != EINPROGRESS) {
		set_error(c, errno == ECONNREFUSED ? "connection-refused" : "unknown-error", "connect: %s",
			  strerror(errno));
		done(c);
	}
	return c;
}

int probe_conn_fd(const probe_conn *c)
{
	return c->fd;
}

long long probe_conn_deadline(const probe_conn *c)
{
	return c->deadline;
}

short probe_conn_events(const probe_conn *c)
{
	switch (c->state) {
	case C_DONE:
		return 0;
	case C_CONNECT:
		return POLLOUT;
	case C_HANDSHAKE:
		return c->ssl_want ? c->ssl_want : POLLIN;
	default:
		if (c->ssl && c->ssl_want)
			return c->ssl_want;
		return c->outoff < c->outlen ? POLLOUT : POLLIN;
	}
}

/* Queue a command; sent as the socket allows. */
static void command(probe_conn *c, const char *line)
{
	int n = snprintf(c->out, sizeof c->out, "%s\r\n", line);
	c->outlen = n > 0 && (size_t)n < sizeof c->out ? (size_t)n : 0;
	c->outoff = 0;
	c->ssl_want = 0;
}

/* 1 sent (or in progress), -1 the connection broke */
static int flush_out(probe_conn *c)
{
	while (c->outoff < c->outlen) {
		if (c->ssl) {
			int n = SSL_write(c->ssl, c->out + c->outoff, (int)(c->outlen - c->outoff));
			if (n > 0) {
				c->outoff += (size_t)n;
				continue;
			}
			int e = SSL_get_error(c->ssl, n);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
				c->ssl_want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
				return 1;
			}
			ERR_clear_error();
			return -1;
		}
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n > 0) {
			c->outoff += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return 1;
		return -1;
	}
	c->ssl_want = 0;
	return 1;
}

/* Read what is there: 1 read something or nothing yet, 0 end of stream,
 * -1 error. */
static int read_in(probe_conn *c)
{
	char buf[4096];
	for (int rounds = 0; rounds < 16; rounds++) {
		if (c->in.len > PROBE_REPLY_MAX + 1)
			return 1; /* the reader will refuse it */
		ssize_t n;
		if (c->ssl) {
			int r = SSL_read(c->ssl, buf, sizeof buf);
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
					c->ssl_want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
					return 1;
				}
				ERR_clear_error();
				return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
			}
			n = r;
		} else {
			n = recv(c->fd, buf, sizeof buf, 0);
			if (n < 0)
				return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 1 : -1;
			if (n == 0)
				return 0;
		}
		sb_add(&c->in, buf, (size_t)n);
		c->ssl_want = 0;
	}
	return 1;
}

/* Keep at most what a record may hold. */
static void keep_text(strbuf *dst, bool *has, const char *p, size_t n)
{
	sb_clear(dst);
	sb_add(dst, p, n > PROBE_REPLY_MAX ? PROBE_REPLY_MAX : n);
	*has = true;
}

static strbuf *field_of(probe_conn *c, bool **has)
{
	switch (c->state) {
	case C_GREETING:
		*has = &c->rec.has_banner;
		return &c->rec.banner;
	case C_EHLO:
		*has = &c->rec.has_ehlo;
		return &c->rec.ehlo;
	case C_STARTTLS:
		*has = &c->rec.has_starttls;
		return &c->rec.starttls;
	default:
		*has = &c->rec.has_quit;
		return &c->rec.quit;
	}
}

static bool ehlo_has_starttls(const char *p, size_t n)
{
	const char *end = p + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll >= 12 && !strncasecmp(p + 4, "STARTTLS", 8) && (ll == 12 || p[12] == '\r' || p[12] == ' '))
			return true;
		p += ll + 1;
	}
	return false;
}

static void begin_handshake(probe_conn *c)
{
	c->ssl = SSL_new(c->t->ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1 || (c->sni && SSL_set_tlsext_host_name(c->ssl, c->sni) != 1)) {
		ERR_clear_error();
		set_error(c, "unknown-error", "%s", "cannot start TLS");
		done(c);
		return;
	}
	if (c->sni)
		c->rec.server_name = xstrdup(c->sni);
	c->state = C_HANDSHAKE;
	c->ssl_want = POLLOUT;
}

static void after_handshake(probe_conn *c)
{
	probe_scan *r = &c->rec;
	r->tls = true;
	snprintf(r->tls_version, sizeof r->tls_version, "%s", SSL_get_version(c->ssl));
	const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);
	const char *cn = ci ? SSL_CIPHER_standard_name(ci) : NULL;
	snprintf(r->cipher, sizeof r->cipher, "%s", cn ? cn : ci ? SSL_CIPHER_get_name(ci) : "");
	X509 *leaf = SSL_get1_peer_certificate(c->ssl);
	if (leaf) {
		cert_fields(leaf, &r->leaf);
		X509_free(leaf);
		STACK_OF(X509) *chain = SSL_get_peer_cert_chain(c->ssl);
		int n = chain ? sk_X509_num(chain) : 0;
		for (int i = 1; i < n && r->nchain < 16; i++) {
			r->chain = xrealloc(r->chain, (r->nchain + 1) * sizeof *r->chain);
			cert_fields(sk_X509_value(chain, i), &r->chain[r->nchain++]);
		}
		long v = SSL_get_verify_result(c->ssl);
		r->trusted = v == X509_V_OK;
		if (!r->trusted)
			r->verify_error = xstrdup(X509_verify_cert_error_string(v));
	} else {
		r->tls = false;
		set_error(c, "protocol-error", "%s", "TLS without a server certificate");
	}
	c->state = C_QUIT;
	command(c, "QUIT");
}

static void handshake(probe_conn *c)
{
	ERR_clear_error();
	int r = SSL_connect(c->ssl);
	if (r == 1) {
		after_handshake(c);
		return;
	}
	int e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->ssl_want = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return;
	}
	unsigned long le = ERR_get_error();
	char msg[256];
	if (le)
		ERR_error_string_n(le, msg, sizeof msg);
	else
		snprintf(msg, sizeof msg, "%s", e == SSL_ERROR_SYSCALL ? "connection closed" : "failed");
	ERR_clear_error();
	set_error(c, "protocol-error", "TLS handshake: %s", msg);
	done(c);
}

/* A whole reply of n bytes and its code arrived in the current state. */
static void on_reply(probe_conn *c, size_t n, int code)
{
	bool *has;
	strbuf *f = field_of(c, &has);
	keep_text(f, has, c->in.data, n);
	memmove(c->in.data, c->in.data + n, c->in.len - n);
	c->in.len -= n;
	c->in.data[c->in.len] = '\0';
	char msg[16];
	snprintf(msg, sizeof msg, "%d", code);
	switch (c->state) {
	case C_GREETING:
		if (code / 100 != 2) {
			set_error(c, "application-error", "greeting %s", msg);
			c->state = C_QUIT;
			command(c, "QUIT");
			return;
		}
		c->state = C_EHLO;
		{
			char line[300];
			snprintf(line, sizeof line, "EHLO %s", c->ehlo);
			command(c, line);
		}
		return;
	case C_EHLO:
		if (code / 100 == 2 && ehlo_has_starttls(c->rec.ehlo.data, c->rec.ehlo.len)) {
			c->state = C_STARTTLS;
			command(c, "STARTTLS");
			return;
		}
		if (code / 100 != 2)
			set_error(c, "application-error", "EHLO %s", msg);
		c->state = C_QUIT;
		command(c, "QUIT");
		return;
	case C_STARTTLS:
		if (code != 220) {
			set_error(c, "application-error", "STARTTLS %s", msg);
			c->state = C_QUIT;
			command(c, "QUIT");
			return;
		}
		/* nothing the server sent before the handshake is trusted */
		sb_clear(&c->in);
		begin_handshake(c);
		return;
	default:
		done(c);
		return;
	}
}

static void on_close(probe_conn *c, bool error)
{
	if (c->state == C_QUIT) { /* the session was over */
		done(c);
		return;
	}
	bool *has;
	strbuf *f = field_of(c, &has);
	if (c->in.len)
		keep_text(f, has, c->in.data, c->in.len);
	set_error(c, "connection-closed", "%s", error ? "connection reset" : "connection closed");
	done(c);
}

bool probe_conn_step(probe_conn *c, short revents, long long now_ms)
{
	if (c->state == C_DONE)
		return true;
	if (now_ms >= c->deadline) {
		if (c->state == C_CONNECT) {
			set_error(c, "connection-timeout", "%s", "connect timed out");
		} else if (c->state != C_QUIT) {
			bool *has;
			strbuf *f = field_of(c, &has);
			if (c->in.len && c->state != C_HANDSHAKE)
				keep_text(f, has, c->in.data, c->in.len);
			set_error(c, "io-timeout", "%s", c->state == C_HANDSHAKE ? "TLS handshake timed out" :
							 "timed out waiting for the server");
		}
		done(c);
		return true;
	}
	if (!revents)
		return false;
	if (c->state == C_CONNECT) {
		int e = 0;
		socklen_t el = sizeof e;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
			e = errno;
		if (e) {
			set_error(c, e == ECONNREFUSED ? "connection-refused" :
				     e == ETIMEDOUT ? "connection-timeout" : "unknown-error",
				  "connect: %s", strerror(e));
			done(c);
			return true;
		}
		c->state = C_GREETING;
		return false;
	}
	if (c->state == C_HANDSHAKE) {
		handshake(c);
		if (c->state == C_QUIT && flush_out(c) < 0)
			done(c);
		return c->state == C_DONE;
	}
	if (c->outoff < c->outlen) {
		if (flush_out(c) < 0) {
			on_close(c, true);
			return true;
		}
		if (c->outoff < c->outlen)
			return false;
		/* sent: the reply may already be there */
	}
	int r = read_in(c);
	for (;;) {
		int code = 0;
		long n = probe_smtp_reply(c->in.data, c->in.len, &code);
		if (n == PROBE_REPLY_BAD) {
			if (c->state == C_QUIT) {
				done(c);
				return true;
			}
			bool *has;
			strbuf *f = field_of(c, &has);
			keep_text(f, has, c->in.data, c->in.len);
			set_error(c, "protocol-error", "%s", "not an SMTP reply");
			done(c);
			return true;
		}
		if (n == PROBE_REPLY_MORE)
			break;
		on_reply(c, (size_t)n, code);
		if (c->state == C_DONE)
			return true;
		if (c->state == C_HANDSHAKE) {
			handshake(c);
			if (c->state == C_QUIT && flush_out(c) < 0)
				done(c);
			return c->state == C_DONE;
		}
		if (flush_out(c) < 0) {
			on_close(c, true);
			return true;
		}
		if (c->outoff < c->outlen)
			return false;
		/* pipelined bytes after the reply belong to a later one; the
		 * loop looks at them only once our command is sent */
	}
	if (r <= 0) {
		on_close(c, r < 0);
		return true;
	}
	return false;
}

void probe_conn_finish(probe_conn *c, probe_scan *s)
{
	done(c);
	if (!c->rec.status)
		c->rec.status = "success";
	*s = c->rec;
	sb_free(&c->in);
	free(c);
}
