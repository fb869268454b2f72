/*
 * cats-client: the reference client of the edge service (DESIGN.md 6).
 *
 * It asks for one transaction, records the sequence number of every result
 * it receives, from whichever edge, and prints one line at the end:
 *
 *   client: received=R missing=M duplicated=D longest_gap_ms=G edges=A,B
 *
 * exiting 0 only when nothing is missing or duplicated.  Two helper modes
 * drive transaction switching by hand through an edge's control port:
 * --export prints a transaction's state as hex, --import sends it to
 * another edge.  --raw sends any datagram, for tests of malformed input.
 *
 * The load mode (--rate R --for MS) measures response times under an
 * open-loop load: requests arrive as a Poisson process of rate R, each a
 * new transaction, and it prints one line of counts and percentiles:
 *
 *   client: load sent=S completed=C errors=E lost=L rt_mean_ms=.. ...
 *
 * One socket and poll(2): the client has one deadline at a time, a timer
 * library would add nothing (the load mode's is the next arrival, through
 * ppoll(2): to the microsecond, not the millisecond).
 */
#define _GNU_SOURCE		/* ppoll: a timeout finer than 1 ms */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "appproto.h"
#include "catsctl/hex.h"

#define MAX_EDGES	16
#define CTL_TIMEOUT_S	5	/* a control exchange never takes longer */

/* The load mode's bounds (docs/apps.md). */
#define LOAD_RATE_MAX	100000	/* requests/s */
#define LOAD_FOR_MAX	600000	/* ms */
#define LOAD_REQ_MAX	100000	/* requests a run may expect (rate x for) */
#define LOAD_CAP	110000	/* and send at most: a Poisson count of mean
				 * 100000 is 31 standard deviations below */
#define LOAD_COUNT_MAX	1000	/* results a request */
#define LOAD_BURST	64	/* requests sent, datagrams read, per pass */
#define LOAD_ERR_LOG	5	/* edge errors named on stderr */
#define LOAD_RCVBUF	(4 << 20)

/* Options given, where a default alone is not enough to tell. */
enum {
	OPT_COUNT = 1 << 0, OPT_RETRY = 1 << 1, OPT_LINGER = 1 << 2,
	OPT_COPIES = 1 << 3, OPT_RATE = 1 << 4, OPT_FOR = 1 << 5,
	OPT_SEED = 1 << 6, OPT_RTFILE = 1 << 7,
};

struct opts {
	const char	*to, *bind, *export, *import, *client, *state, *ret;
	const char	*raw, *rt_file;
	unsigned long	 tx, count, interval, payload, timeout, retry;
	unsigned long	 linger, copies;
	double		 rate;		/* load: requests/s */
	unsigned long	 for_ms, seed;	/* load: duration, PRNG seed */
	unsigned	 given;		/* OPT_* */
};

/* Edge names, in order of first appearance. */
struct edges {
	char		 name[MAX_EDGES][APP_NAME_MAX + 1];
	size_t		 n;
};

/* What the client has seen of its transaction. */
struct run {
	uint8_t		*seen;		/* seen[seq]: times received */
	unsigned long	 received, duplicated, foreign;
	double		 last_new;	/* ms: arrival of the last new result */
	double		 longest_gap;
	struct edges	 edges;
};

static void __attribute__((format(printf, 1, 2)))
cwarn(const char *fmt, ...)
{
	va_list ap;

	fputs("client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* --- hex ------------------------------------------------------------- */

/* Hex to octets in out (cap octets) through catsctl's parser; -1 on error. */
static long
unhex(const char *what, const char *s, uint8_t *out, size_t cap)
{
	char err[128];
	uint8_t *p;
	size_t n;

	if (hex_parse(s, &p, &n, err, sizeof(err)) == -1) {
		cwarn("%s: %s", what, err);
		return -1;
	}
	if (n > cap) {
		cwarn("%s: %zu octets, at most %zu", what, n, cap);
		free(p);
		return -1;
	}
	memcpy(out, p, n);
	free(p);
	return (long)n;
}

/* --- sockets ----------------------------------------------------------- */

static int
udp_socket(const struct app_addr *to, const char *bindspec)
{
	struct sockaddr_storage ss;
	struct app_addr b;
	bool v6 = to->family == APP_AF_INET6;
	size_t sl;
	int fd;

	if ((fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0)) < 0) {
		cwarn("socket: %s", strerror(errno));
		return -1;
	}
	if (bindspec == NULL)
		return fd;
	if (!app_addr_parse(bindspec, false, &b) || b.family != to->family) {
		cwarn("--bind %s: not an address of the --to family",
		    bindspec);
		close(fd);
		return -1;
	}
	sl = app_addr_to_sa(&b, v6, &ss);
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0) {
		cwarn("bind %s: %s", bindspec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static bool
send_msg(int fd, const struct app_addr *to, const struct app_msg *m)
{
	struct sockaddr_storage ss;
	uint8_t buf[APP_MSG_MAX];
	size_t len, sl;

	if (app_encode(m, buf, sizeof(buf), &len) != APP_OK)
		return false;
	sl = app_addr_to_sa(to, to->family == APP_AF_INET6, &ss);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&ss,
	    (socklen_t)sl) == (ssize_t)len;
}

/* --- the transaction ---------------------------------------------------- */

/* name's index in the list, added when new; MAX_EDGES when it is full. */
static size_t
note_edge(struct edges *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return i;
	if (e->n == MAX_EDGES)
		return MAX_EDGES;
	strcpy(e->name[e->n], name);
	return e->n++;
}

static void
print_edges(const struct edges *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		printf("%s%s", i > 0 ? "," : "", e->name[i]);
	putchar('\n');
}

static void
on_result(struct run *r, const struct opts *o, const struct app_result *res)
{
	double t;

	if (res->tx != o->tx || res->count != o->count) {
		r->foreign++;	/* another transaction's, or a confused edge */
		return;
	}
	(void)note_edge(&r->edges, res->name);
	if (r->seen[res->seq]++ > 0) {
		r->duplicated++;
		return;
	}
	t = now_ms();
	if (r->received > 0 && t - r->last_new > r->longest_gap)
		r->longest_gap = t - r->last_new;
	r->last_new = t;
	r->received++;
}

static void
on_datagram(struct run *r, const struct opts *o, const uint8_t *p, size_t n)
{
	struct app_msg m;
	enum app_status rc;
	size_t off;

	if ((rc = app_decode(p, n, &m, &off)) != APP_OK) {
		cwarn("malformed datagram (%zu octets): offset %zu: %s", n,
		    off, app_strerror(rc));
		return;
	}
	if (m.type == APP_RESULT)
		on_result(r, o, &m.u.res);
	else if (m.type == APP_ERROR)
		cwarn("edge error %s for tx %u: %s",
		    app_errcode_name(m.u.err.code), m.u.err.tx, m.u.err.text);
	else
		cwarn("unexpected %s", app_type_name(m.type));
}

static bool
send_request(int fd, const struct app_addr *to, const struct opts *o)
{
	struct app_msg m = { .type = APP_REQUEST };
	unsigned long i;
	bool ok = true;

	m.u.req.tx = (uint32_t)o->tx;
	m.u.req.count = (uint32_t)o->count;
	m.u.req.interval_ms = (uint32_t)o->interval;
	m.u.req.payload = (uint16_t)o->payload;
	for (i = 0; i < o->copies; i++)
		ok = send_msg(fd, to, &m) && ok;
	if (!ok)
		cwarn("request: %s", strerror(errno));
	return ok;
}

/* The next instant the loop must wake up at, in ms. */
static double
next_wake(const struct run *r, const struct opts *o, double last_progress,
    double last_req, double done_at)
{
	double t = last_progress + (double)o->timeout;

	if (done_at > 0 && done_at + (double)o->linger < t)
		t = done_at + (double)o->linger;
	if (r->received == 0 && o->retry > 0 && last_req + o->retry < t)
		t = last_req + (double)o->retry;
	return t;
}

static void
receive_all(int fd, struct run *r, const struct opts *o, bool *progress)
{
	uint8_t buf[APP_MSG_MAX + 1];
	unsigned long before = r->received + r->duplicated;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)) >= 0) {
		if ((size_t)n > APP_MSG_MAX)
			cwarn("datagram of %zd octets ignored", n);
		else
			on_datagram(r, o, buf, (size_t)n);
	}
	*progress = r->received + r->duplicated != before;
}

/* Until everything came (and the linger passed) or nothing came for the
 * timeout. */
static void
stream(int fd, const struct app_addr *to, struct run *r, const struct opts *o)
{
	double start = now_ms(), last_progress = start, last_req = start;
	double done_at = 0, wake, t;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	bool progress;

	send_request(fd, to, o);
	for (;;) {
		t = now_ms();
		if (done_at > 0 && t >= done_at + (double)o->linger)
			return;
		if (t >= last_progress + (double)o->timeout) {
			cwarn("timeout: nothing for %lu ms", o->timeout);
			return;
		}
		if (r->received == 0 && o->retry > 0 &&
		    t >= last_req + (double)o->retry) {
			send_request(fd, to, o);
			last_req = t;
		}
		wake = next_wake(r, o, last_progress, last_req, done_at);
		(void)poll(&pfd, 1, wake > t ? (int)(wake - t) + 1 : 0);
		receive_all(fd, r, o, &progress);
		if (progress)
			last_progress = now_ms();
		if (done_at == 0 && r->received == o->count)
			done_at = now_ms();
	}
}

static int
report(const struct run *r, const struct opts *o)
{
	unsigned long missing = o->count - r->received;

	printf("client: received=%lu missing=%lu duplicated=%lu "
	    "longest_gap_ms=%.0f edges=", r->received, missing,
	    r->duplicated, r->longest_gap);
	print_edges(&r->edges);
	if (r->foreign > 0)
		cwarn("%lu results of other transactions ignored",
		    r->foreign);
	return missing == 0 && r->duplicated == 0 ? 0 : 1;
}

static int
run_stream(const struct opts *o)
{
	struct run r = { .received = 0 };
	struct app_addr to;
	int fd, rc;

	if (!app_addr_parse(o->to, true, &to)) {
		cwarn("--to %s: not ADDR:PORT ([ADDR]:PORT for IPv6)", o->to);
		return 2;
	}
	if ((fd = udp_socket(&to, o->bind)) < 0)
		return 1;
	if ((r.seen = calloc(o->count + 1, 1)) == NULL) {
		cwarn("out of memory");
		close(fd);
		return 1;
	}
	stream(fd, &to, &r, o);
	rc = report(&r, o);
	free(r.seen);
	close(fd);
	return rc;
}

static int
run_raw(const struct opts *o)
{
	struct sockaddr_storage ss;
	uint8_t buf[65507];
	struct app_addr to;
	long n;
	size_t sl;
	int fd;

	if (!app_addr_parse(o->to, true, &to) ||
	    (n = unhex("--raw", o->raw, buf, sizeof(buf))) < 0) {
		cwarn("--raw needs --to ADDR:PORT and hex");
		return 2;
	}
	if ((fd = udp_socket(&to, o->bind)) < 0)
		return 1;
	sl = app_addr_to_sa(&to, to.family == APP_AF_INET6, &ss);
	if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss,
	    (socklen_t)sl) != n) {
		cwarn("send: %s", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* --- load: response times under an open-loop Poisson load -------------- */

/*
 * Each request is a new transaction (tx ids --tx, --tx + 1, ... modulo
 * 2^32) of --count results, sent from the one socket at the instants of a
 * Poisson process: exponential gaps drawn ahead of time, so a client that
 * falls behind sends what is due at once and the arrivals stay those of the
 * process (open loop: nothing waits for an answer).  No retry: a request
 * sent again would start the wait over and hide the queueing this measures.
 */

enum lt_status { LT_OPEN, LT_OK, LT_ERROR, LT_LOST };

#define NO_EDGE		0xff

/* One transaction of the load. */
struct ltx {
	double		 sent, first, last;	/* ms, the client's clock */
	uint32_t	 got;		/* distinct results */
	uint8_t		 status;	/* enum lt_status */
	uint8_t		 errcode;	/* LT_ERROR: the edge's code */
	uint8_t		 edge;		/* the first result's, or NO_EDGE */
	uint8_t		*seen;		/* count > 1, while open: bitmap */
};

struct load {
	const struct opts *o;
	struct ltx	*t;
	size_t		 n;		/* requests sent (or tried) */
	unsigned long	 completed, errors, lost, resolved;
	unsigned long	 foreign, late, duplicated, send_errors;
	double		 maxdl;		/* ms: no open transaction waits past */
	uint64_t	 rng;
	struct edges	 edges;
};

/* splitmix64: small, and the same sequence for the same --seed anywhere. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The next gap of a Poisson process of rate per s, in ms. */
static double
exp_gap(uint64_t *s, double rate)
{
	/* uniform in (0, 1]: log never sees 0 */
	double u = ((double)(rng_next(s) >> 11) + 1.0) / 9007199254740992.0;

	return -log(u) * 1000.0 / rate;
}

static void
load_close(struct load *l, struct ltx *x, enum lt_status st)
{
	x->status = (uint8_t)st;
	free(x->seen);
	x->seen = NULL;
	l->resolved++;
	if (st == LT_OK)
		l->completed++;
	else if (st == LT_ERROR)
		l->errors++;
	else
		l->lost++;
}

static void
load_send(int fd, const struct app_addr *to, struct load *l)
{
	const struct opts *o = l->o;
	struct app_msg m = { .type = APP_REQUEST };
	struct ltx *x = &l->t[l->n++];

	m.u.req.tx = (uint32_t)(o->tx + l->n - 1);
	m.u.req.count = (uint32_t)o->count;
	m.u.req.interval_ms = (uint32_t)o->interval;
	m.u.req.payload = (uint16_t)o->payload;
	x->edge = NO_EDGE;
	x->sent = now_ms();
	if (x->sent + (double)o->timeout > l->maxdl)
		l->maxdl = x->sent + (double)o->timeout;
	if (!send_msg(fd, to, &m)) {
		if (l->send_errors++ == 0)
			cwarn("request: %s", strerror(errno));
		load_close(l, x, LT_LOST);
	}
}

static struct ltx *
load_find(struct load *l, uint32_t tx)
{
	uint32_t i = tx - (uint32_t)l->o->tx;

	return i < l->n ? &l->t[i] : NULL;
}

/* A result that came at t (ms). */
static void
load_result(struct load *l, const struct app_result *res, double t)
{
	const struct opts *o = l->o;
	struct ltx *x = load_find(l, res->tx);
	size_t e;

	if (x == NULL || res->count != o->count) {
		l->foreign++;
		return;
	}
	if (x->status != LT_OPEN) {
		l->late++;	/* after it ended: complete, refused, lost */
		return;
	}
	if (t > (x->got > 0 ? x->last : x->sent) + (double)o->timeout) {
		load_close(l, x, LT_LOST);	/* it was, by the time */
		l->late++;
		return;
	}
	if (o->count > 1) {
		if (x->seen == NULL &&
		    (x->seen = calloc(o->count / 8 + 1, 1)) == NULL) {
			cwarn("out of memory");
			exit(1);
		}
		if (x->seen[res->seq / 8] & (1u << (res->seq % 8))) {
			l->duplicated++;
			return;
		}
		x->seen[res->seq / 8] |= (uint8_t)(1u << (res->seq % 8));
	}
	e = note_edge(&l->edges, res->name);
	if (x->got++ == 0) {
		x->first = t;
		x->edge = e < MAX_EDGES ? (uint8_t)e : NO_EDGE;
	}
	x->last = t;
	if (t + (double)o->timeout > l->maxdl)
		l->maxdl = t + (double)o->timeout;
	if (x->got == o->count)
		load_close(l, x, LT_OK);
}

static void
load_error(struct load *l, const struct app_error *err)
{
	struct ltx *x = load_find(l, err->tx);

	if (x == NULL || x->status != LT_OPEN) {
		l->foreign++;
		return;
	}
	if (l->errors < LOAD_ERR_LOG)
		cwarn("edge error %s for tx %u: %s",
		    app_errcode_name(err->code), err->tx, err->text);
	x->errcode = err->code;
	load_close(l, x, LT_ERROR);
}

/* At most LOAD_BURST datagrams, each stamped right after its recv. */
static void
load_receive(int fd, struct load *l)
{
	uint8_t buf[APP_MSG_MAX + 1];
	struct app_msg m;
	size_t off;
	ssize_t n;
	double t;
	int i;

	for (i = 0; i < LOAD_BURST; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		t = now_ms();
		if ((size_t)n > APP_MSG_MAX ||
		    app_decode(buf, (size_t)n, &m, &off) != APP_OK)
			l->foreign++;
		else if (m.type == APP_RESULT)
			load_result(l, &m.u.res, t);
		else if (m.type == APP_ERROR)
			load_error(l, &m.u.err);
		else
			l->foreign++;
	}
}

static struct timespec
ms_timespec(double ms)
{
	struct timespec ts = { 0, 0 };

	if (ms > 0) {
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
		if (ts.tv_nsec > 999999999)
			ts.tv_nsec = 999999999;
	}
	return ts;
}

/* Send for --for ms, then wait until every transaction ended or cannot
 * end in time any more; what is open then is lost. */
static void
load_loop(int fd, const struct app_addr *to, struct load *l)
{
	const struct opts *o = l->o;
	double start = now_ms(), end = start + (double)o->for_ms;
	double next = start + exp_gap(&l->rng, o->rate), t, wake;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct timespec ts;
	bool sending;
	size_t i;
	int k;

	for (;;) {
		t = now_ms();
		for (k = 0; k < LOAD_BURST && next <= t && next < end &&
		    l->n < LOAD_CAP; k++) {
			load_send(fd, to, l);
			next += exp_gap(&l->rng, o->rate);
		}
		sending = next < end && l->n < LOAD_CAP;
		if (!sending && (l->resolved == l->n || t >= l->maxdl))
			break;
		wake = k == LOAD_BURST ? t : sending ? next : l->maxdl;
		ts = ms_timespec(wake - t);
		(void)ppoll(&pfd, 1, &ts, NULL);
		load_receive(fd, l);
	}
	if (l->n == LOAD_CAP)
		cwarn("stopped sending at %d requests", LOAD_CAP);
	for (i = 0; i < l->n; i++)
		if (l->t[i].status == LT_OPEN)
			load_close(l, &l->t[i], LT_LOST);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile p of the n sorted values: the smallest
 * value with at least p % of them at or below it. */
static double
nearest_rank(const double *v, size_t n, unsigned p)
{
	size_t rank = (p * n + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

static void
write_rt_file(FILE *f, const struct load *l)
{
	const struct ltx *x;
	char rt[32], st[32];
	size_t i;

	for (i = 0; i < l->n; i++) {
		x = &l->t[i];
		if (x->got > 0)
			snprintf(rt, sizeof(rt), "%.3f", x->first - x->sent);
		else
			strcpy(rt, "-");
		if (x->status == LT_ERROR)
			snprintf(st, sizeof(st), "error:%s",
			    app_errcode_name(x->errcode));
		else
			strcpy(st, x->status == LT_OK ? "ok" : "lost");
		fprintf(f, "%u %s %s %s\n", (uint32_t)(l->o->tx + i),
		    x->edge != NO_EDGE ? l->edges.name[x->edge] : "-", rt, st);
	}
}

static int
load_report(const struct load *l)
{
	double *rt = NULL, sum = 0;
	size_t i, m = 0;

	if (l->completed > 0 &&
	    (rt = malloc(l->completed * sizeof(*rt))) == NULL) {
		cwarn("out of memory");
		return 1;
	}
	for (i = 0; i < l->n; i++) {
		if (l->t[i].status == LT_OK) {
			rt[m] = l->t[i].first - l->t[i].sent;
			sum += rt[m++];
		}
	}
	printf("client: load sent=%zu completed=%lu errors=%lu lost=%lu ",
	    l->n, l->completed, l->errors, l->lost);
	if (m > 0) {
		qsort(rt, m, sizeof(*rt), cmp_double);
		printf("rt_mean_ms=%.3f rt_p50_ms=%.3f rt_p95_ms=%.3f "
		    "rt_p99_ms=%.3f rt_max_ms=%.3f ", sum / (double)m,
		    nearest_rank(rt, m, 50), nearest_rank(rt, m, 95),
		    nearest_rank(rt, m, 99), rt[m - 1]);
	} else {
		printf("rt_mean_ms=- rt_p50_ms=- rt_p95_ms=- rt_p99_ms=- "
		    "rt_max_ms=- ");
	}
	printf("edges=");
	print_edges(&l->edges);
	free(rt);
	if (l->errors > LOAD_ERR_LOG)
		cwarn("%lu edge errors, %d named", l->errors, LOAD_ERR_LOG);
	if (l->send_errors > 0)
		cwarn("%lu requests not sent (counted lost)", l->send_errors);
	if (l->late + l->duplicated + l->foreign > 0)
		cwarn("ignored: %lu results after their transaction ended, "
		    "%lu duplicated, %lu other datagrams", l->late,
		    l->duplicated, l->foreign);
	return l->errors == 0 && l->lost == 0 ? 0 : 1;
}

static int
run_load(const struct opts *o)
{
	struct load l = { .o = o, .rng = o->seed };
	int fd, rc, rcvbuf = LOAD_RCVBUF;
	struct app_addr to;
	FILE *rtf = NULL;

	if (!app_addr_parse(o->to, true, &to)) {
		cwarn("--to %s: not ADDR:PORT ([ADDR]:PORT for IPv6)", o->to);
		return 2;
	}
	if (o->rt_file != NULL && (rtf = fopen(o->rt_file, "w")) == NULL) {
		cwarn("--rt-file %s: %s", o->rt_file, strerror(errno));
		return 1;
	}
	if ((fd = udp_socket(&to, o->bind)) < 0 ||
	    (l.t = calloc(LOAD_CAP, sizeof(*l.t))) == NULL) {
		if (fd >= 0)
			cwarn("out of memory");
		if (rtf != NULL)
			fclose(rtf);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	/* room for the answers of a burst; the kernel caps it (rmem_max) */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* the sends' wakeups to the microsecond, not 50 us late */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	cwarn("load: %g requests/s for %lu ms, %lu result(s) every %lu ms "
	    "each, timeout %lu ms, seed %lu, tx from %lu", o->rate, o->for_ms,
	    o->count, o->interval, o->timeout, o->seed, o->tx);
	load_loop(fd, &to, &l);
	rc = load_report(&l);
	if (rtf != NULL) {
		write_rt_file(rtf, &l);
		if (fclose(rtf) != 0) {
			cwarn("--rt-file %s: %s", o->rt_file, strerror(errno));
			rc = 1;
		}
	}
	free(l.t);
	close(fd);
	return rc;
}

/* --- control port: export and import ---------------------------------- */

static int
ctl_connect(const char *spec)
{
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };
	struct sockaddr_storage ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;
	struct app_addr a;
	size_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(spec, "unix:", 5) == 0) {
		if (strlen(spec + 5) >= sizeof(su->sun_path))
			return -1;
		su->sun_family = AF_UNIX;
		strcpy(su->sun_path, spec + 5);
		sl = sizeof(*su);
	} else if (app_addr_parse(spec, true, &a)) {
		sl = app_addr_to_sa(&a, a.family == APP_AF_INET6, &ss);
	} else {
		cwarn("%s: not ADDR:PORT or unix:PATH", spec);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return -1;
	/* SO_SNDTIMEO bounds connect() too (Linux socket(7)) */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0) {
		cwarn("connect %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Read one framed message into buf; its length, or -1. */
static long
ctl_read(int fd, uint8_t *buf, size_t cap)
{
	size_t have = 0;
	long fl;
	ssize_t n;

	for (;;) {
		fl = app_frame_len(buf, have);
		if (fl < 0 || (size_t)fl > cap)
			return -1;
		if (fl > 0 && have >= (size_t)fl)
			return fl;
		n = recv(fd, buf + have, (fl > 0 ? (size_t)fl : APP_HDR_LEN) -
		    have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
}

static void
describe_state(const char *what, const struct app_state *s)
{
	char as[APP_ADDRSTRLEN], blob[APP_BLOB_MAX + 1];
	size_t i;

	for (i = 0; i < s->blob_len; i++)
		blob[i] = s->blob[i] >= 0x20 && s->blob[i] < 0x7f ?
		    (char)s->blob[i] : '.';
	blob[i] = '\0';
	cwarn("%s: tx=%u next=%u count=%u interval_ms=%u payload=%u "
	    "client=%s blob=%s", what, s->tx, s->next, s->count,
	    s->interval_ms, s->payload, app_addr_format(&s->client, as,
	    sizeof(as)), blob);
}

/* Send m to the control port spec; print the STATE answer as hex. */
static int
ctl_exchange(const char *spec, const char *what, const struct app_msg *m)
{
	uint8_t buf[APP_MSG_MAX];
	struct app_msg ans;
	enum app_status rc;
	size_t len, off;
	char *hex;
	long n;
	int fd;

	if (app_encode(m, buf, sizeof(buf), &len) != APP_OK)
		return 2;
	if ((fd = ctl_connect(spec)) < 0)
		return 1;
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len ||
	    (n = ctl_read(fd, buf, sizeof(buf))) < 0) {
		cwarn("%s %s: no answer", what, spec);
		close(fd);
		return 1;
	}
	close(fd);
	if ((rc = app_decode(buf, (size_t)n, &ans, &off)) != APP_OK) {
		cwarn("%s: answer: offset %zu: %s", what, off,
		    app_strerror(rc));
		return 1;
	}
	if (ans.type == APP_ERROR) {
		cwarn("%s: error %s: %s", what,
		    app_errcode_name(ans.u.err.code), ans.u.err.text);
		return 1;
	}
	if (ans.type != APP_STATE) {
		cwarn("%s: unexpected %s", what, app_type_name(ans.type));
		return 1;
	}
	describe_state(what, &ans.u.state);
	if ((hex = hex_string(buf, (size_t)n)) == NULL) {
		cwarn("%s: out of memory", what);
		return 1;
	}
	puts(hex);
	free(hex);
	return 0;
}

static int
run_export(const struct opts *o)
{
	struct app_msg m = { .type = APP_EXPORT };

	if (o->client == NULL ||
	    !app_addr_parse(o->client, true, &m.u.exp.client)) {
		cwarn("--export needs --client ADDR:PORT and --tx ID");
		return 2;
	}
	m.u.exp.tx = (uint32_t)o->tx;
	return ctl_exchange(o->export, "export", &m);
}

static int
run_import(const struct opts *o)
{
	uint8_t buf[APP_MSG_MAX];
	struct app_msg st, m = { .type = APP_IMPORT };
	size_t off;
	long n;

	if (o->state == NULL || (n = unhex("--state", o->state, buf, sizeof(buf))) < 0 ||
	    app_decode(buf, (size_t)n, &st, &off) != APP_OK ||
	    st.type != APP_STATE) {
		cwarn("--import needs --state HEX, a STATE message "
		    "(what --export prints)");
		return 2;
	}
	m.u.imp.state = st.u.state;
	if (o->ret != NULL) {
		if (!app_addr_parse(o->ret, true, &m.u.imp.ret)) {
			cwarn("--return %s: not ADDR:PORT", o->ret);
			return 2;
		}
		m.u.imp.has_return = true;
	}
	return ctl_exchange(o->import, "import", &m);
}

/* --- options ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cats-client --to ADDR:PORT [--bind ADDR[:PORT]] [--tx ID]\n"
	    "           [--count N] [--interval MS] [--payload OCTETS]\n"
	    "           [--timeout MS] [--retry MS] [--linger MS] [--copies K]\n"
	    "       cats-client --to ADDR:PORT --rate R --for MS [--count N] "
	    "[--interval MS]\n"
	    "           [--seed S] [--rt-file FILE] [--timeout MS] [--tx FIRST] "
	    "[--bind ...]\n"
	    "       cats-client --export ADDR:PORT|unix:PATH --client ADDR:PORT "
	    "--tx ID\n"
	    "       cats-client --import ADDR:PORT|unix:PATH --state HEX "
	    "[--return ADDR:PORT]\n"
	    "       cats-client --to ADDR:PORT --raw HEX\n");
}

static bool
num(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= lo && *v <= hi;
}

static bool
set_num(int ch, const char *arg, struct opts *o)
{
	switch (ch) {
	case 'x': return num(arg, 0, UINT32_MAX, &o->tx);
	case 'n': return num(arg, 1, APP_COUNT_MAX, &o->count);
	case 'i': return num(arg, 1, APP_INTERVAL_MAX, &o->interval);
	case 'p': return num(arg, 0, APP_PAYLOAD_MAX, &o->payload);
	case 'T': return num(arg, 1, 3600000, &o->timeout);
	case 'r': return num(arg, 0, 3600000, &o->retry);
	case 'L': return num(arg, 0, 3600000, &o->linger);
	case 'k': return num(arg, 1, 100, &o->copies);
	case 'F': return num(arg, 1, ULONG_MAX, &o->for_ms);
	case 'S': return num(arg, 0, ULONG_MAX, &o->seed);
	default: return false;
	}
}

/* A rate: a positive decimal number of requests per second. */
static bool
rate(const char *s, double *v)
{
	char *end;

	if ((*s < '0' || *s > '9') && *s != '.')
		return false;
	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && *end == '\0' && isfinite(*v) && *v > 0;
}

static unsigned
opt_bit(int ch)
{
	switch (ch) {
	case 'n': return OPT_COUNT;
	case 'r': return OPT_RETRY;
	case 'L': return OPT_LINGER;
	case 'k': return OPT_COPIES;
	case 'q': return OPT_RATE;
	case 'F': return OPT_FOR;
	case 'S': return OPT_SEED;
	case 'o': return OPT_RTFILE;
	default: return 0;
	}
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "to", required_argument, NULL, 't' },
		{ "bind", required_argument, NULL, 'b' },
		{ "tx", required_argument, NULL, 'x' },
		{ "count", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "payload", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "retry", required_argument, NULL, 'r' },
		{ "linger", required_argument, NULL, 'L' },
		{ "copies", required_argument, NULL, 'k' },
		{ "export", required_argument, NULL, 'E' },
		{ "import", required_argument, NULL, 'I' },
		{ "client", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "return", required_argument, NULL, 'R' },
		{ "raw", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'q' },
		{ "for", required_argument, NULL, 'F' },
		{ "seed", required_argument, NULL, 'S' },
		{ "rt-file", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		o->given |= opt_bit(ch);
		switch (ch) {
		case 't': o->to = optarg; break;
		case 'b': o->bind = optarg; break;
		case 'o': o->rt_file = optarg; break;
		case 'q':
			if (!rate(optarg, &o->rate)) {
				cwarn("--rate %s: not a positive number of "
				    "requests per second", optarg);
				return -1;
			}
			break;
		case 'E': o->export = optarg; break;
		case 'I': o->import = optarg; break;
		case 'c': o->client = optarg; break;
		case 's': o->state = optarg; break;
		case 'R': o->ret = optarg; break;
		case 'w': o->raw = optarg; break;
		case 'h': usage(stdout); exit(0);
		case '?': return -1;
		default:
			if (!set_num(ch, optarg, o)) {
				cwarn("bad value for %s: %s", argv[optind - 1],
				    optarg);
				return -1;
			}
		}
	}
	return optind == argc ? 0 : -1;
}

/* The load mode's options together; 0, or 2 (said why) when they do not
 * make a run. */
static int
load_opts(struct opts *o)
{
	const unsigned load_only = OPT_FOR | OPT_SEED | OPT_RTFILE;
	struct timespec ts;

	if ((o->given & OPT_RATE) == 0) {
		if ((o->given & load_only) == 0)
			return 0;
		cwarn("--for, --seed and --rt-file are the load mode's: "
		    "they need --rate");
		return 2;
	}
	if (o->export != NULL || o->import != NULL || o->raw != NULL) {
		cwarn("--rate: not with --export, --import or --raw");
		return 2;
	}
	if (o->given & (OPT_RETRY | OPT_LINGER | OPT_COPIES)) {
		cwarn("--retry, --linger and --copies are not for the load "
		    "mode: a request sent again would hide the queueing it "
		    "measures");
		return 2;
	}
	if ((o->given & OPT_FOR) == 0) {
		cwarn("--rate needs --for MS");
		return 2;
	}
	if (o->rate > LOAD_RATE_MAX) {
		cwarn("--rate %g: at most %d requests/s", o->rate,
		    LOAD_RATE_MAX);
		return 2;
	}
	if (o->for_ms > LOAD_FOR_MAX) {
		cwarn("--for %lu: at most %d ms", o->for_ms, LOAD_FOR_MAX);
		return 2;
	}
	if (o->rate * (double)o->for_ms / 1000 > LOAD_REQ_MAX) {
		cwarn("--rate %g --for %lu: %.0f requests expected, at most "
		    "%d", o->rate, o->for_ms, o->rate * (double)o->for_ms /
		    1000, LOAD_REQ_MAX);
		return 2;
	}
	if ((o->given & OPT_COUNT) == 0)
		o->count = 1;
	if (o->count > LOAD_COUNT_MAX) {
		cwarn("--count %lu: at most %d results a request in the load "
		    "mode", o->count, LOAD_COUNT_MAX);
		return 2;
	}
	if ((o->given & OPT_SEED) == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		o->seed = (unsigned long)ts.tv_nsec ^
		    (unsigned long)ts.tv_sec << 20 ^ (unsigned long)getpid();
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .tx = 1, .count = 100, .interval = 10, .payload = 64,
		.timeout = 3000, .retry = 500, .linger = 0, .copies = 1 };

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (load_opts(&o) != 0)
		return 2;
	if (o.export != NULL)
		return run_export(&o);
	if (o.import != NULL)
		return run_import(&o);
	if (o.to == NULL) {
		usage(stderr);
		return 2;
	}
	if (o.given & OPT_RATE)
		return run_load(&o);
	return o.raw != NULL ? run_raw(&o) : run_stream(&o);
}
