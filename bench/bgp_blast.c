/*
 * bgp-blast: the peer that benchmarks and tests a BGP speaker.
 *
 * Ingest (bench/bgp_ingest.sh): connects to a BGP speaker, brings the
 * session up, sends the routes of
 * bgpgen.h as fast as the socket takes them, and then measures until the
 * receiver reports them all, by one of:
 *   --until-unix SOCK REQUEST KEY  a control socket answering REQUEST with
 *                                  a JSON line holding "KEY": count (catsd)
 *   --until-cmd CMD                a command printing the count (gobgp CLI)
 * Either way the receiver is asked again --poll-ms (1) after each answer,
 * so two receivers polled with the same value are timed alike.  It prints
 * "routes=N seconds=T rate=R polls=K query_ms=Q" (from the first UPDATE
 * sent to the answer that showed every route; Q, the mean time a count
 * query took, is with the poll interval the resolution of T) and keeps the
 * session up with KEEPALIVEs meanwhile.  Every wait is bounded (--timeout,
 * default 300 s).
 *
 * usage: bgp-blast ADDR PORT ROUTES --as N --peer-as N --id A.B.C.D
 *            (--until-unix SOCK REQUEST KEY | --until-cmd CMD)
 *            [--poll-ms MS] [--timeout S] [--linger S] [--tlvs]
 * --linger keeps the session up S seconds after the result line, so the
 * receiver can be asked about its RIB while it still holds the routes.
 *
 * Malformed messages (tests/sh/bgp.sh): --send-table FILE reads lines
 * "bad NAME ACTION CODE SUBCODE HEX ..." (test_bgp's table).  Every case
 * whose action is not a reset goes over one session, which must stay up:
 * "kept N" (or "dropped AFTER-NAME").  Each reset case gets a session of its
 * own: "case NAME notification CODE SUBCODE" (or "closed", "no-answer").
 *
 * usage: bgp-blast ADDR PORT 0 --as N --peer-as N --id A.B.C.D
 *            --send-table FILE
 * A slow reader (tests/sh/bgp.sh): --expect-routes N [--rcvbuf B] reads
 * nothing for 2 s, then counts the MUP routes the speaker announces:
 * "received=N".
 *
 * Every mode takes --from ADDR, the source address to connect from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench.h"
#include "bgpgen.h"

struct args {
	const char	*addr;
	int		 port;
	uint32_t	 routes;
	uint32_t	 as, peer_as, id;
	const char	*unix_path, *request, *key;
	const char	*cmd;
	const char	*table;
	const char	*from;		/* source address to bind, or NULL */
	uint32_t	 expect;	/* --expect-routes: receive this many */
	int		 rcvbuf;	/* --rcvbuf, before connect; 0: default */
	double		 poll_ms;	/* --poll-ms: between count queries */
	double		 timeout;
	double		 linger;
	bool		 tlvs;		/* --tlvs: a session parameters TLV each */
};

static int
usage(const char *why)
{
	fprintf(stderr, "bgp-blast: %s\nusage: bgp-blast ADDR PORT ROUTES "
	    "--as N --peer-as N --id A.B.C.D (--until-unix SOCK REQUEST KEY "
	    "| --until-cmd CMD | --send-table FILE | --expect-routes N) "
	    "[--poll-ms MS] [--timeout S] [--linger S] [--from ADDR] "
	    "[--rcvbuf B] [--tlvs]\n", why);
	return 2;
}

static int
parse(int argc, char **argv, struct args *a)
{
	struct in_addr id;

	if (argc < 4)
		return usage("missing arguments");
	a->addr = argv[1];
	a->port = atoi(argv[2]);
	a->routes = (uint32_t)strtoul(argv[3], NULL, 10);
	a->timeout = 300;
	a->poll_ms = 1;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			a->as = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--peer-as") == 0 && i + 1 < argc)
			a->peer_as = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc &&
		    inet_pton(AF_INET, argv[++i], &id) == 1)
			a->id = ntohl(id.s_addr);
		else if (strcmp(argv[i], "--until-unix") == 0 && i + 3 < argc) {
			a->unix_path = argv[++i];
			a->request = argv[++i];
			a->key = argv[++i];
		} else if (strcmp(argv[i], "--until-cmd") == 0 && i + 1 < argc)
			a->cmd = argv[++i];
		else if (strcmp(argv[i], "--poll-ms") == 0 && i + 1 < argc)
			a->poll_ms = atof(argv[++i]);
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			a->timeout = atof(argv[++i]);
		else if (strcmp(argv[i], "--linger") == 0 && i + 1 < argc)
			a->linger = atof(argv[++i]);
		else if (strcmp(argv[i], "--send-table") == 0 && i + 1 < argc)
			a->table = argv[++i];
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			a->from = argv[++i];
		else if (strcmp(argv[i], "--expect-routes") == 0 &&
		    i + 1 < argc)
			a->expect = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--rcvbuf") == 0 && i + 1 < argc)
			a->rcvbuf = atoi(argv[++i]);
		else if (strcmp(argv[i], "--tlvs") == 0)
			a->tlvs = true;
		else
			return usage("bad option");
	}
	if ((a->table != NULL || a->expect != 0) && a->port > 0 &&
	    a->port <= 65535 && a->as != 0 && a->id != 0)
		return 0;
	if (a->port <= 0 || a->port > 65535 || a->routes == 0 || a->as == 0 ||
	    a->id == 0 || (a->unix_path == NULL) == (a->cmd == NULL))
		return usage("bad arguments");
	return 0;
}

/* Bind to --from when given: a speaker knows its neighbors by address. */
static bool
bind_from(int fd, const struct args *a, int family)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };

	if (a->from == NULL)
		return true;
	if (family == AF_INET6)
		return inet_pton(AF_INET6, a->from, &s6.sin6_addr) == 1 &&
		    bind(fd, (void *)&s6, sizeof(s6)) == 0;
	return inet_pton(AF_INET, a->from, &s4.sin_addr) == 1 &&
	    bind(fd, (void *)&s4, sizeof(s4)) == 0;
}

static int
tcp_connect(const struct args *a)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr *sa;
	socklen_t salen;
	int fd, one = 1, family;

	if (inet_pton(AF_INET6, a->addr, &s6.sin6_addr) == 1) {
		s6.sin6_port = htons((uint16_t)a->port);
		family = AF_INET6;
		sa = (void *)&s6;
		salen = sizeof(s6);
	} else if (inet_pton(AF_INET, a->addr, &s4.sin_addr) == 1) {
		s4.sin_port = htons((uint16_t)a->port);
		family = AF_INET;
		sa = (void *)&s4;
		salen = sizeof(s4);
	} else {
		return -1;
	}
	if ((fd = socket(family, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A small window makes the speaker's writes block (--rcvbuf). */
	if (a->rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &a->rcvbuf,
		    sizeof(a->rcvbuf));
	if (!bind_from(fd, a, family) || connect(fd, sa, salen) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static bool
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Read the peer's messages until it has sent its OPEN and a KEEPALIVE. */
static bool
handshake(int fd, const struct args *a)
{
	uint8_t buf[BGP_MAX_LEN * 2];
	struct bgp_open o = { .version = 4, .as = a->as, .hold = 180,
	    .id = a->id, .afs = 1u << BGP_AF_IPV4_MUP | 1u << BGP_AF_IPV6_MUP |
	    1u << BGP_AF_IPV6_UNICAST };
	struct wbuf w;
	size_t have = 0;
	bool open = false;
	double end = bench_now() + 30;

	wb_init(&w, buf, sizeof(buf));
	if (!bgp_open_encode(&w, &o) || !write_all(fd, buf, w.len))
		return false;
	while (bench_now() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint16_t len;
		uint8_t type;
		ssize_t r;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		if ((r = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			return false;
		have += (size_t)r;
		while (have >= BGP_HDR_LEN) {
			if (bgp_hdr_decode(buf, have, &type, &len) != BGP_OK)
				return false;
			if (len > have)
				break;
			if (type == BGP_NOTIFICATION)
				return false;
			if (type == BGP_OPEN) {
				open = true;
				wb_init(&w, buf + have, sizeof(buf) - have);
				if (!bgp_keepalive_encode(&w) ||
				    !write_all(fd, buf + have, w.len))
					return false;
			}
			if (type == BGP_KEEPALIVE && open)
				return true;
			memmove(buf, buf + len, have - len);
			have -= len;
		}
	}
	return false;
}

/* What the receiver says it holds; -1 if it could not say. */
static long
count_unix(const struct args *a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[65536], pat[128], *p;
	ssize_t n, got = 0;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", a->unix_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (void *)&sun, sizeof(sun)) != 0 ||
	    !write_all(fd, (const uint8_t *)a->request, strlen(a->request)) ||
	    !write_all(fd, (const uint8_t *)"\n", 1)) {
		close(fd);
		return -1;
	}
	while (got < (ssize_t)sizeof(buf) - 1 &&
	    (n = read(fd, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0) {
		got += n;
		if (memchr(buf, '\n', (size_t)got) != NULL)
			break;
	}
	close(fd);
	buf[got > 0 ? got : 0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\":", a->key);
	if ((p = strstr(buf, pat)) == NULL)
		return -1;
	return strtol(p + strlen(pat), NULL, 10);
}

static long
count_cmd(const struct args *a)
{
	char line[128];
	FILE *f = popen(a->cmd, "r");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) != NULL)
		v = strtol(line, NULL, 10);
	pclose(f);
	return v;
}

/* Drain what the receiver sends (its KEEPALIVEs), so it never blocks. */
static void
drain(int fd)
{
	uint8_t buf[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, 0) > 0 && read(fd, buf, sizeof(buf)) > 0)
		;
}

/* ---- malformed messages ---- */

struct tcase {
	char		 name[64];
	bool		 reset;
	size_t		 len;
	uint8_t		 msg[BGP_MAX_LEN];
};

/* "bad NAME ACTION CODE SUBCODE HEX ..."; false for anything else. */
static bool
tcase_parse(const char *line, struct tcase *t)
{
	char act[16], hex[2 * BGP_MAX_LEN + 1];
	unsigned code, sub;
	size_t n;

	if (sscanf(line, "bad %63s %15s %u %u %8192s", t->name, act, &code,
	    &sub, hex) != 5)
		return false;
	t->reset = strcmp(act, "reset") == 0;
	n = strlen(hex);
	if (n % 2 != 0 || n / 2 > sizeof(t->msg))
		return false;
	for (t->len = 0; t->len < n / 2; t->len++) {
		unsigned v;

		if (sscanf(hex + 2 * t->len, "%2x", &v) != 1)
			return false;
		t->msg[t->len] = (uint8_t)v;
	}
	return true;
}

/* What came back within 3 s: a NOTIFICATION's code and subcode, or -1
 * closed, -2 nothing. */
static int
answer(int fd, double wait_s, uint8_t *code, uint8_t *sub)
{
	uint8_t buf[BGP_MAX_LEN * 2];
	size_t have = 0;
	double end = bench_now() + wait_s;

	while (bench_now() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint16_t len;
		uint8_t type;
		ssize_t r;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		if ((r = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			return -1;
		have += (size_t)r;
		while (have >= BGP_HDR_LEN &&
		    bgp_hdr_decode(buf, have, &type, &len) == BGP_OK &&
		    len <= have) {
			if (type == BGP_NOTIFICATION && len >= BGP_HDR_LEN + 2) {
				*code = buf[BGP_HDR_LEN];
				*sub = buf[BGP_HDR_LEN + 1];
				return 0;
			}
			memmove(buf, buf + len, have - len);
			have -= len;
		}
	}
	return -2;
}

/* A new session; the speaker may hold off after the last one failed (its
 * idle hold time), so try for up to 10 s. */
static int
session(const struct args *a)
{
	double end = bench_now() + 10;
	int fd;

	while (bench_now() < end) {
		if ((fd = tcp_connect(a)) >= 0 && handshake(fd, a))
			return fd;
		if (fd >= 0)
			close(fd);
		usleep(50000);
	}
	return -1;
}

static void
report(const char *name, int rc, uint8_t code, uint8_t sub)
{
	if (rc == 0)
		printf("case %s notification %u %u\n", name, code, sub);
	else
		printf("case %s %s\n", name, rc == -1 ? "closed" : "no-answer");
}

/*
 * First every case the session survives, over one session, which must
 * still be up after them; then each reset case over a session of its own
 * (a speaker runs one session per neighbor, so not while the first is up).
 */
static int
send_table(const struct args *a)
{
	static struct tcase t;
	char line[2 * BGP_MAX_LEN + 256];
	FILE *f = fopen(a->table, "r");
	unsigned kept = 0;
	uint8_t code, sub;
	int fd, rc;

	if (f == NULL || (fd = session(a)) < 0) {
		fprintf(stderr, "bgp-blast: no table or no session\n");
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!tcase_parse(line, &t) || t.reset)
			continue;
		if (!write_all(fd, t.msg, t.len)) {
			printf("dropped %s\n", t.name);
			return 1;
		}
		kept++;
	}
	if ((rc = answer(fd, 0.5, &code, &sub)) != -2) {
		printf("dropped: ");
		report("the session", rc, code, sub);
		return 1;
	}
	printf("kept %u\n", kept);
	close(fd);
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!tcase_parse(line, &t) || !t.reset)
			continue;
		if ((fd = session(a)) < 0) {
			printf("case %s no-session\n", t.name);
			continue;
		}
		rc = write_all(fd, t.msg, t.len) ? answer(fd, 3, &code, &sub) :
		    -1;
		report(t.name, rc, code, sub);
		close(fd);
	}
	fclose(f);
	return 0;
}

/* MUP NLRI announced in one UPDATE (0 for anything else). */
static unsigned
count_reach(const uint8_t *msg, size_t len)
{
	struct bgp_update u;
	struct bgp_mup m;
	enum bgp_err e;
	unsigned n = 0, skipped = 0;
	struct cur c;

	bgp_update_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, true, &u);
	if (u.err != BGP_OK || u.a.reach_safi != BGP_SAFI_MUP)
		return 0;
	cur_init(&c, u.a.reach, u.a.reach_len);
	while (bgp_mup_next(&c, u.a.reach_afi, &m, &skipped, &e) == 1)
		n++;
	return n;
}

/*
 * --expect-routes N: a slow reader.  Up, it reads nothing for 2 s (with a
 * small --rcvbuf the speaker's writes block meanwhile), then counts the
 * MUP routes announced to it; "received=N" when it has them all within
 * the timeout, 1 otherwise.
 */
static int
receive(const struct args *a)
{
	static uint8_t buf[1 << 16];
	double end;
	size_t have = 0;
	unsigned got = 0;
	int fd;

	if ((fd = session(a)) < 0)
		return 1;
	usleep(2000000);
	end = bench_now() + a->timeout;
	while (got < a->expect && bench_now() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		uint16_t len;
		uint8_t type;
		ssize_t r;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((r = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			break;
		have += (size_t)r;
		while (have >= BGP_HDR_LEN &&
		    bgp_hdr_decode(buf, have, &type, &len) == BGP_OK &&
		    len <= have) {
			if (type == BGP_UPDATE)
				got += count_reach(buf, len);
			memmove(buf, buf + len, have - len);
			have -= len;
		}
	}
	close(fd);
	printf("received=%u\n", got);
	return got >= a->expect ? 0 : 1;
}

/* Keep the session up: drain, and a KEEPALIVE every 20 s. */
static void
linger(int fd, double seconds, const uint8_t *ka, size_t kalen)
{
	double end = bench_now() + seconds, last = bench_now();

	while (bench_now() < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) > 0)
			drain(fd);
		if (bench_now() - last > 20) {
			write_all(fd, ka, kalen);
			last = bench_now();
		}
	}
}

int
main(int argc, char **argv)
{
	struct args a = { 0 };
	uint8_t *stream, ka[BGP_HDR_LEN];
	struct wbuf w;
	uint32_t nupd;
	size_t len;
	double t0, t1, tq, last_ka, qsum = 0;
	unsigned npoll = 0;
	long have = -1;
	int fd, rc;

	if ((rc = parse(argc, argv, &a)) != 0)
		return rc;
	if (a.table != NULL)
		return send_table(&a);
	if (a.expect != 0)
		return receive(&a);
	if ((stream = bgpgen_stream(a.routes, a.tlvs, &len, &nupd)) == NULL) {
		fprintf(stderr, "bgp-blast: cannot build the routes\n");
		return 1;
	}
	if ((fd = tcp_connect(&a)) < 0 || !handshake(fd, &a)) {
		fprintf(stderr, "bgp-blast: no session with %s port %d\n",
		    a.addr, a.port);
		return 1;
	}
	wb_init(&w, ka, sizeof(ka));
	bgp_keepalive_encode(&w);
	t0 = last_ka = bench_now();
	/* Send in 64 KiB writes, draining the receiver's keepalives. */
	for (size_t off = 0; off < len; off += 65536) {
		if (!write_all(fd, stream + off,
		    len - off < 65536 ? len - off : 65536)) {
			fprintf(stderr, "bgp-blast: the receiver closed\n");
			return 1;
		}
		drain(fd);
	}
	t1 = bench_now();
	while (t1 - t0 < a.timeout) {
		tq = bench_now();
		have = a.cmd != NULL ? count_cmd(&a) : count_unix(&a);
		t1 = bench_now();
		qsum += t1 - tq;
		npoll++;
		if (have >= (long)a.routes)
			break;
		drain(fd);
		if (t1 - last_ka > 20) {
			write_all(fd, ka, w.len);
			last_ka = t1;
		}
		usleep((useconds_t)(a.poll_ms * 1000));
	}
	free(stream);
	if (have < (long)a.routes) {
		fprintf(stderr, "bgp-blast: the receiver holds %ld of %u "
		    "routes after %.0f s\n", have, a.routes, a.timeout);
		close(fd);
		return 1;
	}
	printf("routes=%u updates=%u seconds=%.3f rate=%.0f polls=%u "
	    "query_ms=%.1f\n", a.routes, nupd, t1 - t0, a.routes / (t1 - t0),
	    npoll, npoll ? qsum / npoll * 1000 : 0);
	fflush(stdout);
	linger(fd, a.linger, ka, w.len);
	close(fd);
	return 0;
}
