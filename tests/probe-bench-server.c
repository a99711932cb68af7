/* probe-bench-server: a small, fast SMTP server with STARTTLS, and the DNS
 * answers that lead to it, for tests/bench-probe.sh.  Loopback only: it
 * refuses any address outside 127.0.0.0/8.
 *
 * usage: probe-bench-server CERT KEY PORT FIRST COUNT DNSADDR DNSPORT
 *
 * SMTP: listens at PORT on COUNT consecutive addresses from FIRST (one
 * socket each), in two threads with an epoll loop each.  Each session: the greeting, then
 * EHLO (STARTTLS offered), STARTTLS, the TLS handshake, and any command
 * after it; QUIT ends the session, anything else is answered 502.
 * DNS (UDP at DNSADDR:DNSPORT): dN.bench.test has the MX mxN.bench.test
 * (preference 10), and mxN.bench.test the A record FIRST + N, for N below
 * COUNT; other types of those names are NODATA, other names NXDOMAIN.  (A
 * real DNS server with 10,000 MX entries, dnsmasq, spends more time per
 * query than the probe spends per SMTP session; this one computes them.)
 * Prints "ready" on stdout once it listens, and on SIGTERM or SIGINT the
 * number of sessions that finished the handshake and of DNS answers
 * ("handshakes N, dns N") on stderr, then exits. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum state { S_PLAIN, S_HANDSHAKE, S_TLS };

typedef struct {
	int fd;
	enum state st;
	SSL *ssl;
	char in[1024];
	size_t inlen;
} conn;

#define LISTENER (1ull << 63)
#define DNS (1ull << 62)

static SSL_CTX *ctx;
static int dfd = -1;

#define NWORKERS 2
typedef struct {
	int ep;
	unsigned long handshakes, answers;
} worker;
static worker workers[NWORKERS];
static _Thread_local worker *self;
static uint32_t first_ip;
static unsigned long naddr;

/* ---- DNS ----------------------------------------------------------------- */

/* "<prefix><N>.bench.test" with N below naddr: N, else -1. */
static long name_number(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(name, prefix, pl) != 0)
		return -1;
	const char *p = name + pl;
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] != '.'))
		return -1;
	char *end;
	unsigned long n = strtoul(p, &end, 10);
	if (strcmp(end, ".bench.test") != 0 || n >= naddr)
		return -1;
	return (long)n;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* Answer one query in q[0..n) into r; returns the answer's length, or 0 to
 * drop it. */
static size_t dns_answer(const unsigned char *q, size_t n, unsigned char *r)
{
	if (n < 12 || n > 512 || (q[2] & 0x80) || q[4] != 0 || q[5] != 1)
		return 0;
	char name[256];
	size_t off = 12, nl = 0;
	while (off < n && q[off]) {
		unsigned l = q[off++];
		if (l > 63 || off + l > n || nl + l + 1 >= sizeof name)
			return 0;
		for (unsigned i = 0; i < l; i++) {
			char ch = (char)q[off + i];
			name[nl++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
		}
		name[nl++] = '.';
		off += l;
	}
	if (off + 5 > n)
		return 0;
	if (nl)
		nl--;
	name[nl] = '\0';
	off++; /* the root label */
	unsigned qtype = (unsigned)q[off] << 8 | q[off + 1];
	off += 4;
	memcpy(r, q, off); /* the header and the question */
	r[2] = (unsigned char)(0x84 | (q[2] & 0x01)); /* QR, AA, RD as asked */
	r[3] = 0;
	put16(r + 6, 0);
	put16(r + 8, 0);
	put16(r + 10, 0);
	long mx = name_number(name, "d"), a = name_number(name, "mx");
	size_t w = off;
	if (mx < 0 && a < 0) {
		r[3] = 3; /* NXDOMAIN */
		return w;
	}
	if (mx >= 0 && qtype == 15) {
		char host[64];
		int hl = snprintf(host, sizeof host, "mx%ld", mx);
		put16(r + 6, 1);
		const unsigned char ans[] = {0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10};
		memcpy(r + w, ans, sizeof ans);
		w += sizeof ans;
		put16(r + w, (unsigned)(2 + 1 + hl + 2)); /* pref, the label, a pointer to "bench.test" */
		put16(r + w + 2, 10);
		w += 4;
		r[w++] = (unsigned char)hl;
		memcpy(r + w, host, (size_t)hl);
		w += (size_t)hl;
		/* "bench.test" follows the first label of the question's name */
		put16(r + w, 0xc000u | (unsigned)(12 + 1 + q[12]));
		w += 2;
	} else if (a >= 0 && qtype == 1) {
		put16(r + 6, 1);
		const unsigned char ans[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4};
		memcpy(r + w, ans, sizeof ans);
		w += sizeof ans;
		uint32_t ip = htonl(first_ip + (uint32_t)a);
		memcpy(r + w, &ip, 4);
		w += 4;
	}
	self->answers++;
	return w;
}

static void dns_read(int fd)
{
	unsigned char q[600], r[700];
	for (;;) {
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		size_t w = dns_answer(q, (size_t)n, r);
		if (w)
			sendto(fd, r, w, 0, (struct sockaddr *)&from, fl);
	}
}

/* ---- SMTP ---------------------------------------------------------------- */

static void conn_close(int ep, conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	if (c->ssl)
		SSL_free(c->ssl);
	close(c->fd);
	free(c);
}

/* Small replies always fit in a fresh socket's buffer; a short write ends
 * the session. */
static int say(conn *c, const char *s)
{
	size_t n = strlen(s);
	if (c->ssl)
		return SSL_write(c->ssl, s, (int)n) == (int)n ? 0 : -1;
	return send(c->fd, s, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* One command line (without CRLF): 0 go on, 1 start TLS, -1 close. */
static int command(conn *c, const char *line)
{
	if (!strncasecmp(line, "EHLO", 4))
		return say(c, c->ssl ? "250-bench.test\r\n250 HELP\r\n" :
				       "250-bench.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 HELP\r\n");
	if (!strcasecmp(line, "STARTTLS") && !c->ssl)
		return say(c, "220 2.0.0 Ready to start TLS\r\n") < 0 ? -1 : 1;
	if (!strcasecmp(line, "QUIT")) {
		say(c, "221 2.0.0 Bye\r\n");
		return -1;
	}
	return say(c, "502 5.5.2 not here\r\n");
}

/* Handle the lines in c->in: -1 close. */
static int lines(conn *c)
{
	char *nl;
	while ((nl = memchr(c->in, '\n', c->inlen))) {
		size_t ll = (size_t)(nl - c->in);
		*nl = '\0';
		if (ll && c->in[ll - 1] == '\r')
			c->in[ll - 1] = '\0';
		int r = command(c, c->in);
		memmove(c->in, nl + 1, c->inlen - ll - 1);
		c->inlen -= ll + 1;
		if (r < 0)
			return -1;
		if (r == 1) {
			c->inlen = 0; /* nothing sent before the handshake counts */
			c->ssl = SSL_new(ctx);
			if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
				return -1;
			c->st = S_HANDSHAKE;
			return 0;
		}
	}
	return c->inlen == sizeof c->in ? -1 : 0;
}

/* Readiness on a session: -1 close. */
static int step(conn *c)
{
	if (c->st == S_HANDSHAKE) {
		int r = SSL_accept(c->ssl);
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);
			ERR_clear_error();
			return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
		}
		self->handshakes++;
		c->st = S_TLS;
	}
	for (;;) {
		ssize_t n;
		if (c->ssl) {
			int r = SSL_read(c->ssl, c->in + c->inlen, (int)(sizeof c->in - c->inlen));
			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);
				ERR_clear_error();
				return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
			}
			n = r;
		} else {
			n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? 0 : -1;
			if (n == 0)
				return -1;
		}
		c->inlen += (size_t)n;
		if (lines(c) < 0)
			return -1;
		if (c->st == S_HANDSHAKE)
			return step(c);
	}
}

static void *work(void *arg)
{
	self = arg;
	int ep = self->ep;
	struct epoll_event evs[256];
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 500);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u64 == DNS) {
				dns_read(dfd);
				continue;
			}
			if (evs[i].data.u64 & LISTENER) {
				int lfd = (int)(evs[i].data.u64 & 0xffffffffu);
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					conn *c = calloc(1, sizeof *c);
					if (!c) {
						close(fd);
						continue;
					}
					c->fd = fd;
					struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
					if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ||
					    say(c, "220 bench.test ESMTP probe-bench\r\n") < 0) {
						close(fd);
						free(c);
					}
				}
				continue;
			}
			conn *c = evs[i].data.ptr;
			if (step(c) < 0)
				conn_close(ep, c);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: probe-bench-server CERT KEY PORT FIRST COUNT DNSADDR DNSPORT\n");
		return 2;
	}
	int port = atoi(argv[3]), count = atoi(argv[5]), dnsport = atoi(argv[7]);
	struct in_addr first, dnsaddr;
	if (port < 1 || port > 65535 || dnsport < 1 || dnsport > 65535 || count < 1 || count > 65536 ||
	    inet_pton(AF_INET, argv[4], &first) != 1 || inet_pton(AF_INET, argv[6], &dnsaddr) != 1 ||
	    (ntohl(first.s_addr) >> 24) != 127 || ((ntohl(first.s_addr) + (uint32_t)count - 1) >> 24) != 127 ||
	    (ntohl(dnsaddr.s_addr) >> 24) != 127) {
		fprintf(stderr, "probe-bench-server: PORTs 1-65535; FIRST..FIRST+COUNT-1 and DNSADDR inside 127.0.0.0/8\n");
		return 2;
	}
	first_ip = ntohl(first.s_addr);
	naddr = (unsigned long)count;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, argv[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "probe-bench-server: cannot load %s and %s\n", argv[1], argv[2]);
		return 1;
	}
	/* two workers, each with its own epoll: the listeners split between
	 * them, DNS on the first */
	for (int w = 0; w < NWORKERS; w++)
		workers[w].ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < count; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		sa.sin_addr.s_addr = htonl(ntohl(first.s_addr) + (uint32_t)i);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4096) < 0) {
			char a[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &sa.sin_addr, a, sizeof a);
			fprintf(stderr, "probe-bench-server: %s:%d: %s\n", a, port, strerror(errno));
			return 1;
		}
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LISTENER | (unsigned)fd};
		epoll_ctl(workers[i % NWORKERS].ep, EPOLL_CTL_ADD, fd, &ev);
	}
	dfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in da = {.sin_family = AF_INET, .sin_port = htons((uint16_t)dnsport), .sin_addr = dnsaddr};
	int big = 4 << 20;
	setsockopt(dfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (dfd < 0 || bind(dfd, (struct sockaddr *)&da, sizeof da) < 0) {
		fprintf(stderr, "probe-bench-server: DNS %s:%d: %s\n", argv[6], dnsport, strerror(errno));
		return 1;
	}
	struct epoll_event dev = {.events = EPOLLIN, .data.u64 = DNS};
	epoll_ctl(workers[0].ep, EPOLL_CTL_ADD, dfd, &dev);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	pthread_t th;
	if (pthread_create(&th, NULL, work, &workers[1]) != 0) {
		fprintf(stderr, "probe-bench-server: cannot start a thread\n");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	work(&workers[0]);
	pthread_join(th, NULL);
	unsigned long handshakes = 0, answers = 0;
	for (int w = 0; w < NWORKERS; w++) {
		handshakes += workers[w].handshakes;
		answers += workers[w].answers;
	}
	fprintf(stderr, "handshakes %lu, dns %lu\n", handshakes, answers);
	return 0;
}
