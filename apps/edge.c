/*
 * cats-edge: the reference edge service of the testbed (DESIGN.md 6).
 *
 * A client's REQUEST names a transaction; the edge streams its numbered
 * RESULTs 1..N at the requested interval to the request's source address,
 * each carrying the edge's name.  A control port (TCP or UNIX) EXPORTs a
 * transaction's state, stopping it at result k, and IMPORTs a state, resuming
 * from k: transaction switching (docs/engine.md, mobility figure 3).  A
 * small HTTP/1.0 responder names the edge for the testbed's curl scenario.
 *
 * The loop is libev: one timer per transaction keeps its cadence without a
 * hand-written timer heap, and signals arrive as events (ev_signal), so no
 * handler does more than set a flag.  Everything a peer sends is decoded by
 * appproto.c; whatever fails is counted and logged at a bounded rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "appproto.h"

#define NBUCKETS	1024
#define MAX_CONNS	32
#define CONN_TIMEOUT	10.0	/* s: a control or HTTP peer must be done */
#define UDP_BURST	64	/* datagrams per wakeup: bounded work */
#define LOG_PER_SEC	10	/* rate limit of per-packet complaints */
#define CONN_BUF	2048

/* QUEUED and SERVING only with a worker pool (--workers): a request waits
 * for a worker, then holds it --work-ms before its first result. */
enum tx_state { TX_RUNNING, TX_DONE, TX_MOVED, TX_QUEUED, TX_SERVING };

struct edge;

/* One client transaction; (client, id) is its key. */
struct tx {
	struct tx	*next;		/* hash chain */
	struct edge	*e;
	struct app_addr	 client;
	uint32_t	 id;
	struct app_addr	 ret;		/* where results go */
	uint32_t	 next_seq, count, interval_ms;
	uint16_t	 payload;
	enum tx_state	 st;
	uint16_t	 blob_len;
	uint8_t		 blob[APP_BLOB_MAX];
	ev_timer	 timer;		/* next result, or end of the record */
	struct worker	*w;		/* TX_SERVING: the worker it holds */
};

/* One worker of the pool: busy for the service time of one request. */
struct worker {
	struct edge	*e;
	struct tx	*t;		/* NULL when idle, or when the request
					 * left while served (it still works) */
	bool		 busy;
	double		 start;
	ev_timer	 done;
};

/*
 * The edge's capacity when --workers is given: N workers, a bounded FIFO of
 * requests waiting for one, and what was measured since the last LOAD
 * report (the busy time of all workers, the service times).
 */
struct pool {
	size_t		 n, nbusy;
	double		 work;		/* s a request holds its worker */
	struct worker	*w;
	struct tx	**q;		/* ring of waiting requests; a NULL
					 * slot is one that left while waiting */
	size_t		 qcap, qhead, qlen, qwaiting;
	double		 busy_int;	/* worker-seconds busy since win_start */
	double		 busy_at;	/* when busy_int was last brought up */
	double		 win_start;
	double		 served_sum;	/* s, services ended in the window */
	unsigned long	 served_n;
	double		 delay;		/* the last mean service time, s */
	double		 interval;	/* s between LOAD reports, 0 = none */
	uint32_t	 seq;
	ev_timer	 report;
};

enum conn_kind { CONN_CTL, CONN_HTTP };

/* A control or HTTP connection: whole requests in, one answer out. */
struct conn {
	struct conn	*next;
	struct edge	*e;
	enum conn_kind	 kind;
	int		 fd;
	ev_io		 rw, ww;
	ev_timer	 deadline;
	uint8_t		 in[CONN_BUF];
	size_t		 inlen;
	uint8_t		 out[CONN_BUF];
	size_t		 outlen, outoff;
	bool		 closing;	/* close once out is flushed */
	bool		 watch;		/* sent WATCH: LOAD reports go here */
};

struct stats {
	unsigned long	 requests, repeated, results, send_errors;
	unsigned long	 malformed, unexpected, exports, imports;
	unsigned long	 ctl_errors, http;
	unsigned long	 served, queued, refused, loads;	/* the pool */
};

struct edge {
	struct ev_loop	*loop;
	const char	*name;
	double		 linger;	/* s a finished record stays */
	size_t		 max_tx, ntx;
	int		 udp;
	bool		 udp_v6;
	ev_io		 udp_w;
	int		 ctl, http;
	ev_io		 ctl_w, http_w;
	char		 ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ev_signal	 sigterm, sigint;
	struct tx	*bucket[NBUCKETS];
	struct conn	*conns;
	size_t		 nconns;
	struct stats	 st;
	struct pool	*pool;		/* NULL: results start at once */
	double		 rl_start;	/* rate limit window */
	unsigned	 rl_count;
	unsigned long	 rl_dropped;
};

/* --- logging ---------------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
elog(const struct edge *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cats-edge[%s]: ", e->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Complaints about what peers send: at most LOG_PER_SEC a second, so a
 * flood of garbage cannot flood the log; what was left out is counted. */
static bool
rl_allow(struct edge *e)
{
	double now = ev_now(e->loop);

	if (now - e->rl_start >= 1.0) {
		if (e->rl_dropped > 0)
			elog(e, "%lu messages not logged", e->rl_dropped);
		e->rl_start = now;
		e->rl_count = 0;
		e->rl_dropped = 0;
	}
	if (e->rl_count >= LOG_PER_SEC) {
		e->rl_dropped++;
		return false;
	}
	e->rl_count++;
	return true;
}

/* --- transactions ----------------------------------------------------- */

static size_t
tx_hash(const struct app_addr *a, uint32_t id)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	uint8_t k[23];
	size_t i;

	k[0] = a->family;
	k[1] = (uint8_t)(a->port >> 8);
	k[2] = (uint8_t)a->port;
	memcpy(k + 3, a->a, 16);
	k[19] = (uint8_t)(id >> 24);
	k[20] = (uint8_t)(id >> 16);
	k[21] = (uint8_t)(id >> 8);
	k[22] = (uint8_t)id;
	for (i = 0; i < sizeof(k); i++)
		h = (h ^ k[i]) * 16777619u;
	return h % NBUCKETS;
}

static struct tx *
tx_find(struct edge *e, const struct app_addr *client, uint32_t id)
{
	struct tx *t;

	for (t = e->bucket[tx_hash(client, id)]; t != NULL; t = t->next)
		if (t->id == id && app_addr_equal(&t->client, client))
			return t;
	return NULL;
}

static void tx_fire(struct ev_loop *, ev_timer *, int);

static struct tx *
tx_new(struct edge *e, const struct app_addr *client, uint32_t id)
{
	struct tx *t;
	size_t h;

	if (e->ntx >= e->max_tx || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->e = e;
	t->client = *client;
	t->id = id;
	ev_init(&t->timer, tx_fire);
	t->timer.data = t;
	h = tx_hash(client, id);
	t->next = e->bucket[h];
	e->bucket[h] = t;
	e->ntx++;
	return t;
}

static void pool_forget(struct tx *);

static void
tx_free(struct tx *t)
{
	struct edge *e = t->e;
	struct tx **pp = &e->bucket[tx_hash(&t->client, t->id)];

	pool_forget(t);

	while (*pp != t)
		pp = &(*pp)->next;
	*pp = t->next;
	ev_timer_stop(e->loop, &t->timer);
	e->ntx--;
	free(t);
}

/* Run the transaction from t->next_seq: the first result goes now. */
static void
tx_run(struct tx *t)
{
	pool_forget(t);
	ev_timer_stop(t->e->loop, &t->timer);
	t->st = TX_RUNNING;
	ev_timer_set(&t->timer, 0., t->interval_ms / 1000.);
	ev_timer_start(t->e->loop, &t->timer);
}

/* Finished or moved: the record stays a while so that a late or repeated
 * request does not start the transaction again. */
static void
tx_linger(struct tx *t, enum tx_state st)
{
	pool_forget(t);
	ev_timer_stop(t->e->loop, &t->timer);
	t->st = st;
	ev_timer_set(&t->timer, t->e->linger, 0.);
	ev_timer_start(t->e->loop, &t->timer);
}

static bool
send_to(struct edge *e, const struct app_addr *to, const void *p, size_t len)
{
	struct sockaddr_storage ss;
	size_t sl = app_addr_to_sa(to, e->udp_v6, &ss);

	if (sl == 0) {
		errno = EAFNOSUPPORT;
		return false;
	}
	return sendto(e->udp, p, len, 0, (struct sockaddr *)&ss,
	    (socklen_t)sl) == (ssize_t)len;
}

static enum app_status
encode_result(struct tx *t, uint8_t *buf, size_t cap, size_t *len)
{
	static uint8_t payload[APP_PAYLOAD_MAX];
	struct app_msg m = { .type = APP_RESULT };
	struct app_result *r = &m.u.res;
	size_t i;

	/* a pattern of the sequence number, so a payload is not all zeros */
	for (i = 0; i < t->payload; i++)
		payload[i] = (uint8_t)(t->next_seq + i);
	r->tx = t->id;
	r->seq = t->next_seq;
	r->count = t->count;
	r->name_len = (uint8_t)strlen(t->e->name);
	memcpy(r->name, t->e->name, r->name_len);
	r->payload_len = t->payload;
	r->payload = payload;
	return app_encode(&m, buf, cap, len);
}

static void
tx_send_next(struct tx *t)
{
	struct edge *e = t->e;
	uint8_t buf[APP_MSG_MAX];
	char as[APP_ADDRSTRLEN];
	size_t len;

	if (encode_result(t, buf, sizeof(buf), &len) != APP_OK) {
		elog(e, "tx %u: cannot encode result %u", t->id, t->next_seq);
		tx_linger(t, TX_DONE);
		return;
	}
	if (!send_to(e, &t->ret, buf, len)) {
		e->st.send_errors++;
		/* a full socket buffer: the same result goes at the next tick */
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
			return;
		if (rl_allow(e))
			elog(e, "tx %u: result %u to %s: %s", t->id,
			    t->next_seq, app_addr_format(&t->ret, as,
			    sizeof(as)), strerror(errno));
	} else {
		e->st.results++;
	}
	if (++t->next_seq > t->count)
		tx_linger(t, TX_DONE);
}

static void
tx_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct tx *t = w->data;

	(void)loop;
	(void)revents;
	if (t->st == TX_RUNNING)
		tx_send_next(t);
	else
		tx_free(t);
}

/* --- the worker pool -------------------------------------------------- */

/* The busy worker-time up to now. */
static void
pool_account(struct pool *p, double now)
{
	p->busy_int += (double)p->nbusy * (now - p->busy_at);
	p->busy_at = now;
}

/* A request that leaves the pool (exported, freed) before it is served:
 * its queue slot empties; a worker serving it goes on working. */
static void
pool_forget(struct tx *t)
{
	struct pool *p = t->e->pool;
	size_t i;

	if (p == NULL)
		return;
	if (t->st == TX_SERVING && t->w != NULL) {
		t->w->t = NULL;
		t->w = NULL;
	}
	if (t->st != TX_QUEUED)
		return;
	for (i = 0; i < p->qlen; i++) {
		if (p->q[(p->qhead + i) % p->qcap] == t) {
			p->q[(p->qhead + i) % p->qcap] = NULL;
			p->qwaiting--;
		}
	}
}

static void
worker_start(struct worker *w, struct tx *t)
{
	struct pool *p = w->e->pool;
	double now = ev_now(w->e->loop);

	pool_account(p, now);
	p->nbusy++;
	w->busy = true;
	w->start = now;
	w->t = t;
	t->w = w;
	t->st = TX_SERVING;
	ev_timer_set(&w->done, p->work, 0.);
	ev_timer_start(w->e->loop, &w->done);
}

/* The service ended: the request's results start, the worker takes the
 * oldest request waiting. */
static void
worker_done(struct ev_loop *loop, ev_timer *tw, int revents)
{
	struct worker *w = tw->data;
	struct edge *e = w->e;
	struct pool *p = e->pool;
	double now = ev_now(loop);
	struct tx *t = w->t, *next = NULL;

	(void)revents;
	pool_account(p, now);
	p->nbusy--;
	w->busy = false;
	p->served_sum += now - w->start;
	p->served_n++;
	e->st.served++;
	w->t = NULL;
	if (t != NULL) {
		t->w = NULL;
		tx_run(t);
	}
	while (next == NULL && p->qlen > 0) {
		next = p->q[p->qhead];
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qlen--;
	}
	if (next != NULL) {
		p->qwaiting--;
		worker_start(w, next);
	}
}

/* A new request: a free worker, else the end of the queue; false when the
 * queue is full. */
static bool
pool_admit(struct edge *e, struct tx *t)
{
	struct pool *p = e->pool;
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (!p->w[i].busy) {
			worker_start(&p->w[i], t);
			return true;
		}
	}
	if (p->qlen >= p->qcap)
		return false;
	p->q[(p->qhead + p->qlen) % p->qcap] = t;
	p->qlen++;
	p->qwaiting++;
	t->st = TX_QUEUED;
	e->st.queued++;
	return true;
}

/* The measures of the window so far; reset starts the next one. */
static void
pool_measure(struct edge *e, bool reset, struct app_load *l)
{
	struct pool *p = e->pool;
	double now = ev_now(e->loop), span, util, cap;

	pool_account(p, now);
	span = now - p->win_start;
	util = span > 0 ? p->busy_int / ((double)p->n * span) : 0;
	if (p->served_n > 0)
		p->delay = p->served_sum / (double)p->served_n;
	cap = (double)p->n / p->delay * 1000.;
	memset(l, 0, sizeof(*l));
	l->seq = p->seq + 1;
	l->interval_ms = (uint32_t)(p->interval * 1000. + 0.5);
	l->workers = (uint16_t)p->n;
	l->util_ppm = (uint32_t)(util > 1 ? APP_PPM : util * APP_PPM + 0.5);
	l->queue = (uint32_t)p->qwaiting;
	l->delay_us = (uint32_t)(p->delay * 1e6 + 0.5);
	if (l->delay_us < 1)
		l->delay_us = 1;
	if (l->delay_us > APP_DELAY_US_MAX)
		l->delay_us = APP_DELAY_US_MAX;
	l->capacity_mrps = cap < 1 ? 1 : cap > (double)APP_CAPACITY_MAX ?
	    APP_CAPACITY_MAX : (uint64_t)(cap + 0.5);
	l->name_len = (uint8_t)strlen(e->name);
	memcpy(l->name, e->name, l->name_len);
	if (reset) {
		p->seq++;
		p->win_start = now;
		p->busy_int = 0;
		p->served_sum = 0;
		p->served_n = 0;
	}
}

static bool	 conn_flush(struct conn *);
static void	 conn_queue(struct conn *, const void *, size_t);

/* One LOAD to a watching connection, when its buffer has room (a peer
 * that does not read misses reports rather than holding memory). */
static void
load_send(struct conn *c, const struct app_load *l)
{
	struct app_msg m = { .type = APP_LOAD };
	uint8_t buf[APP_MSG_MAX];
	size_t len;

	m.u.load = *l;
	if (app_encode(&m, buf, sizeof(buf), &len) != APP_OK ||
	    len > sizeof(c->out) - c->outlen)
		return;
	conn_queue(c, buf, len);
	c->e->st.loads++;
	(void)conn_flush(c);
}

static void
report_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct edge *e = w->data;
	struct conn *c, *next;
	struct app_load l;

	(void)loop;
	(void)revents;
	pool_measure(e, true, &l);
	for (c = e->conns; c != NULL; c = next) {
		next = c->next;		/* load_send may close c */
		if (c->watch && !c->closing)
			load_send(c, &l);
	}
}

static int
pool_new(struct edge *e, unsigned long n, unsigned long work_ms,
    unsigned long queue, unsigned long interval_ms)
{
	struct pool *p;
	size_t i;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->w = calloc(n, sizeof(*p->w))) == NULL ||
	    (p->q = calloc(queue > 0 ? queue : 1, sizeof(*p->q))) == NULL) {
		if (p != NULL)
			free(p->w);
		free(p);
		elog(e, "out of memory");
		return -1;
	}
	p->n = n;
	p->work = (double)work_ms / 1000.;
	p->delay = p->work;		/* until one is measured */
	p->qcap = queue;
	p->interval = (double)interval_ms / 1000.;
	p->busy_at = p->win_start = ev_now(e->loop);
	for (i = 0; i < n; i++) {
		p->w[i].e = e;
		ev_init(&p->w[i].done, worker_done);
		p->w[i].done.data = &p->w[i];
	}
	if (p->interval > 0) {
		ev_timer_init(&p->report, report_cb, p->interval, p->interval);
		p->report.data = e;
		ev_timer_start(e->loop, &p->report);
	}
	e->pool = p;
	return 0;
}

static void
pool_free(struct edge *e)
{
	struct pool *p = e->pool;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		ev_timer_stop(e->loop, &p->w[i].done);
	ev_timer_stop(e->loop, &p->report);
	free(p->w);
	free(p->q);
	free(p);
	e->pool = NULL;
}

/* --- UDP: requests ---------------------------------------------------- */

static void
send_error(struct edge *e, const struct app_addr *to, uint8_t code,
    uint32_t tx, const char *text)
{
	struct app_msg m = { .type = APP_ERROR };
	uint8_t buf[APP_MSG_MAX];
	size_t len;

	m.u.err.code = code;
	m.u.err.tx = tx;
	m.u.err.text_len = (uint8_t)strnlen(text, APP_TEXT_MAX);
	memcpy(m.u.err.text, text, m.u.err.text_len);
	if (app_encode(&m, buf, sizeof(buf), &len) == APP_OK)
		(void)send_to(e, to, buf, len);	/* best effort */
}

static void
handle_request(struct edge *e, const struct app_addr *from,
    const struct app_request *r)
{
	char as[APP_ADDRSTRLEN];
	struct tx *t;

	e->st.requests++;
	if (tx_find(e, from, r->tx) != NULL) {
		e->st.repeated++;	/* idempotent: running, done or moved */
		return;
	}
	if ((t = tx_new(e, from, r->tx)) == NULL) {
		if (rl_allow(e))
			elog(e, "tx %u from %s: no room", r->tx,
			    app_addr_format(from, as, sizeof(as)));
		send_error(e, from, APP_ERR_FULL, r->tx, "no room");
		return;
	}
	t->ret = *from;
	t->next_seq = 1;
	t->count = r->count;
	t->interval_ms = r->interval_ms;
	t->payload = r->payload;
	/* the opaque state: which edge started it; it travels unchanged */
	t->blob_len = (uint16_t)snprintf((char *)t->blob, sizeof(t->blob),
	    "origin=%s", e->name);
	elog(e, "tx %u from %s: %u results every %u ms", t->id,
	    app_addr_format(from, as, sizeof(as)), t->count, t->interval_ms);
	if (e->pool == NULL) {
		tx_run(t);
		return;
	}
	if (!pool_admit(e, t)) {
		e->st.refused++;
		if (rl_allow(e))
			elog(e, "tx %u from %s: every worker busy, queue full",
			    r->tx, app_addr_format(from, as, sizeof(as)));
		send_error(e, from, APP_ERR_FULL, r->tx, "queue full");
		tx_free(t);
	}
}

static void
handle_datagram(struct edge *e, const uint8_t *p, size_t len,
    const struct app_addr *from)
{
	char as[APP_ADDRSTRLEN];
	struct app_msg m;
	enum app_status rc;
	size_t off;

	rc = len > APP_MSG_MAX ? APP_E_TOOBIG : app_decode(p, len, &m, &off);
	if (rc != APP_OK) {
		e->st.malformed++;
		if (rl_allow(e))
			elog(e, "malformed datagram from %s (%zu octets): "
			    "offset %zu: %s", app_addr_format(from, as,
			    sizeof(as)), len, len > APP_MSG_MAX ? 0 : off,
			    app_strerror(rc));
		return;
	}
	if (m.type != APP_REQUEST) {
		e->st.unexpected++;
		if (rl_allow(e))
			elog(e, "unexpected %s from %s", app_type_name(m.type),
			    app_addr_format(from, as, sizeof(as)));
		return;
	}
	handle_request(e, from, &m.u.req);
}

static void
udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct edge *e = w->data;
	uint8_t buf[APP_MSG_MAX + 1];
	struct sockaddr_storage ss;
	struct app_addr from;
	socklen_t sl;
	ssize_t n;
	int i;

	(void)loop;
	(void)revents;
	for (i = 0; i < UDP_BURST; i++) {
		sl = sizeof(ss);
		/* MSG_TRUNC: n is the datagram's real length */
		n = recvfrom(e->udp, buf, sizeof(buf), MSG_TRUNC,
		    (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;		/* EAGAIN: drained */
		if (!app_addr_from_sa((struct sockaddr *)&ss, &from))
			continue;
		handle_datagram(e, buf, (size_t)n, &from);
	}
}

/* --- control commands ------------------------------------------------- */

static void
state_of(const struct tx *t, struct app_state *s)
{
	memset(s, 0, sizeof(*s));
	s->tx = t->id;
	s->next = t->next_seq;
	s->count = t->count;
	s->interval_ms = t->interval_ms;
	s->payload = t->payload;
	s->client = t->client;
	s->blob_len = t->blob_len;
	memcpy(s->blob, t->blob, t->blob_len);
}

static void
error_msg(struct app_msg *m, uint8_t code, uint32_t tx, const char *text)
{
	m->type = APP_ERROR;
	m->u.err.code = code;
	m->u.err.tx = tx;
	m->u.err.text_len = (uint8_t)strnlen(text, APP_TEXT_MAX);
	memcpy(m->u.err.text, text, m->u.err.text_len);
}

static bool
same_host(const struct app_addr *x, const struct app_addr *y)
{
	return x->family == y->family && memcmp(x->a, y->a,
	    x->family == APP_AF_INET ? 4 : 16) == 0;
}

/* A wildcard EXPORT (port 0): a CATS egress knows the client's address,
 * not its port or transaction id.  It names the one transaction running
 * for that address; when none runs, one already exported makes it
 * "moved" (a repeated export), and several running are refused rather
 * than guessed at. */
static struct tx *
tx_find_host(struct edge *e, const struct app_addr *host, bool *ambiguous)
{
	struct tx *t, *run = NULL, *moved = NULL;
	size_t i;

	*ambiguous = false;
	for (i = 0; i < NBUCKETS; i++) {
		for (t = e->bucket[i]; t != NULL; t = t->next) {
			if (!same_host(&t->client, host))
				continue;
			if (t->st == TX_MOVED)
				moved = t;
			if (t->st != TX_RUNNING && t->st != TX_QUEUED &&
			    t->st != TX_SERVING)
				continue;
			*ambiguous = *ambiguous || run != NULL;
			run = t;
		}
	}
	return run != NULL ? run : moved;
}

static void
cmd_export(struct edge *e, const struct app_export *x, struct app_msg *ans)
{
	char as[APP_ADDRSTRLEN];
	bool ambiguous = false;
	struct tx *t = x->client.port == 0 ?
	    tx_find_host(e, &x->client, &ambiguous) :
	    tx_find(e, &x->client, x->tx);

	if (ambiguous) {
		error_msg(ans, APP_ERR_AMBIGUOUS, x->tx,
		    "several transactions run for this address");
		return;
	}
	if (t == NULL) {
		error_msg(ans, APP_ERR_NO_TX, x->tx, "no such transaction");
		return;
	}
	if (t->st == TX_MOVED) {
		error_msg(ans, APP_ERR_MOVED, x->tx, "already exported");
		return;
	}
	ans->type = APP_STATE;
	state_of(t, &ans->u.state);
	tx_linger(t, TX_MOVED);
	e->st.exports++;
	elog(e, "tx %u of %s exported at %u of %u", t->id,
	    app_addr_format(&t->client, as, sizeof(as)), t->next_seq,
	    t->count);
}

static void
tx_load(struct tx *t, const struct app_import *im)
{
	const struct app_state *s = &im->state;

	t->ret = im->has_return ? im->ret : s->client;
	t->next_seq = s->next;
	t->count = s->count;
	t->interval_ms = s->interval_ms;
	t->payload = s->payload;
	t->blob_len = s->blob_len;
	memcpy(t->blob, s->blob, s->blob_len);
}

static void
cmd_import(struct edge *e, const struct app_import *im, struct app_msg *ans)
{
	const struct app_state *s = &im->state;
	const struct app_addr *to = im->has_return ? &im->ret : &s->client;
	struct sockaddr_storage ss;
	char as[APP_ADDRSTRLEN];
	struct tx *t = tx_find(e, &s->client, s->tx);

	if (t != NULL && (t->st == TX_RUNNING || t->st == TX_QUEUED ||
	    t->st == TX_SERVING)) {
		error_msg(ans, APP_ERR_EXISTS, s->tx, "running here");
		return;
	}
	if (app_addr_to_sa(to, e->udp_v6, &ss) == 0) {
		error_msg(ans, APP_ERR_UNSUPPORTED, s->tx,
		    "return address unreachable from this socket");
		return;
	}
	/* a record left by an earlier export: the transaction comes back */
	if (t == NULL && (t = tx_new(e, &s->client, s->tx)) == NULL) {
		error_msg(ans, APP_ERR_FULL, s->tx, "no room");
		return;
	}
	tx_load(t, im);
	if (t->next_seq > t->count)
		tx_linger(t, TX_DONE);
	else
		tx_run(t);
	e->st.imports++;
	ans->type = APP_STATE;
	state_of(t, &ans->u.state);
	elog(e, "tx %u of %s imported at %u of %u, results to %s", t->id,
	    app_addr_format(&t->client, as, sizeof(as)), t->next_seq,
	    t->count, app_addr_format(&t->ret, as, sizeof(as)));
}

/* --- connections (control and HTTP) ----------------------------------- */

static void
conn_close(struct conn *c)
{
	struct edge *e = c->e;
	struct conn **pp = &e->conns;

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	ev_io_stop(e->loop, &c->rw);
	ev_io_stop(e->loop, &c->ww);
	ev_timer_stop(e->loop, &c->deadline);
	close(c->fd);
	e->nconns--;
	free(c);
}

/* Send what is queued; false when the connection was closed. */
static bool
conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			ev_io_start(c->e->loop, &c->ww);
			return true;
		}
		if (n <= 0) {
			conn_close(c);
			return false;
		}
		c->outoff += (size_t)n;
	}
	ev_io_stop(c->e->loop, &c->ww);
	c->outlen = c->outoff = 0;
	if (c->closing) {
		conn_close(c);
		return false;
	}
	return true;
}

static void
conn_queue(struct conn *c, const void *p, size_t len)
{
	if (len > sizeof(c->out) - c->outlen) {
		c->closing = true;	/* cannot happen: answers are short */
		return;
	}
	memcpy(c->out + c->outlen, p, len);
	c->outlen += len;
}

static void
ctl_answer(struct conn *c, const struct app_msg *ans)
{
	uint8_t buf[APP_MSG_MAX];
	size_t len;

	if (app_encode(ans, buf, sizeof(buf), &len) != APP_OK) {
		elog(c->e, "cannot encode a %s answer",
		    app_type_name(ans->type));
		c->closing = true;
		return;
	}
	conn_queue(c, buf, len);
}

static void
ctl_bad(struct conn *c, const char *what)
{
	struct app_msg ans;

	c->e->st.ctl_errors++;
	if (rl_allow(c->e))
		elog(c->e, "malformed control command: %s", what);
	error_msg(&ans, APP_ERR_BAD_MESSAGE, 0, what);
	ctl_answer(c, &ans);
	c->closing = true;	/* the stream may be out of step */
}

static void
ctl_command(struct conn *c, const uint8_t *p, size_t len)
{
	char why[96];
	struct app_msg m, ans;
	enum app_status rc;
	size_t off;

	if ((rc = app_decode(p, len, &m, &off)) != APP_OK) {
		snprintf(why, sizeof(why), "offset %zu: %s", off,
		    app_strerror(rc));
		ctl_bad(c, why);
		return;
	}
	if (m.type == APP_EXPORT) {
		cmd_export(c->e, &m.u.exp, &ans);
	} else if (m.type == APP_IMPORT) {
		cmd_import(c->e, &m.u.imp, &ans);
	} else if (m.type == APP_WATCH && c->e->pool != NULL &&
	    c->e->pool->interval > 0) {
		struct app_load l;

		/* a watcher stays: no deadline; the window so far, now */
		c->watch = true;
		ev_timer_stop(c->e->loop, &c->deadline);
		pool_measure(c->e, false, &l);
		ans.type = APP_LOAD;
		ans.u.load = l;
	} else if (m.type == APP_WATCH) {
		c->e->st.ctl_errors++;
		error_msg(&ans, APP_ERR_UNSUPPORTED, 0,
		    "no load reports (--workers, --load-interval)");
	} else {
		c->e->st.ctl_errors++;
		error_msg(&ans, APP_ERR_UNSUPPORTED, 0,
		    "the control port takes EXPORT, IMPORT and WATCH");
	}
	if (ans.type == APP_LOAD)
		c->e->st.loads++;
	ctl_answer(c, &ans);
}

/* Every whole command in the input, one answer each, as long as the
 * answers fit: a peer that sends without reading waits for its answers. */
static void
ctl_input(struct conn *c)
{
	long fl;

	while (!c->closing && c->outlen <= sizeof(c->out) - APP_MSG_MAX &&
	    (fl = app_frame_len(c->in, c->inlen)) != 0) {
		if (fl < 0) {
			ctl_bad(c, "offset 0: not a version 1 header");
			return;
		}
		if ((size_t)fl > c->inlen)
			return;		/* the rest is on its way */
		ctl_command(c, c->in, (size_t)fl);
		memmove(c->in, c->in + fl, c->inlen - (size_t)fl);
		c->inlen -= (size_t)fl;
	}
}

static const char *
http_status(const char *req, const char **page)
{
	if (strncmp(req, "GET ", 4) != 0 && strncmp(req, "HEAD ", 5) != 0) {
		*page = "method not allowed";
		return "405 Method Not Allowed";
	}
	req = strchr(req, ' ') + 1;
	if (strncmp(req, "/ ", 2) != 0 && strncmp(req, "/index.html ", 12) != 0) {
		*page = "not found";
		return "404 Not Found";
	}
	*page = NULL;
	return "200 OK";
}

/* One request, one answer, then close (HTTP/1.0). */
static void
http_answer(struct conn *c, bool complete)
{
	char body[256], head[256];
	const char *status = "400 Bad Request", *page = "bad request";
	int bl, hl;

	c->e->st.http++;
	if (complete)
		status = http_status((const char *)c->in, &page);
	if (page == NULL)
		bl = snprintf(body, sizeof(body), "<!DOCTYPE html>\n<html>"
		    "<head><title>cats edge %s</title></head>\n<body><h1>"
		    "cats edge %s</h1></body></html>\n", c->e->name,
		    c->e->name);
	else
		bl = snprintf(body, sizeof(body), "%s (cats edge %s)\n",
		    page, c->e->name);
	hl = snprintf(head, sizeof(head), "HTTP/1.0 %s\r\nServer: cats-edge"
	    "\r\nX-Cats-Edge: %s\r\nContent-Type: %s\r\nContent-Length: %d"
	    "\r\nConnection: close\r\n\r\n", status, c->e->name,
	    page == NULL ? "text/html" : "text/plain", bl);
	conn_queue(c, head, (size_t)hl);
	if (strncmp((const char *)c->in, "HEAD ", 5) != 0)
		conn_queue(c, body, (size_t)bl);
	c->closing = true;
}

static void
http_input(struct conn *c)
{
	c->in[c->inlen] = '\0';		/* in has room: see conn_read */
	if (strstr((const char *)c->in, "\r\n\r\n") != NULL ||
	    strstr((const char *)c->in, "\n\n") != NULL)
		http_answer(c, true);
	else if (c->inlen >= sizeof(c->in) - 1)
		http_answer(c, false);	/* a request this long is not ours */
}

static void
conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	size_t room = sizeof(c->in) - 1 - c->inlen;	/* 1: HTTP's NUL */
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recv(c->fd, c->in + c->inlen, room, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->inlen += (size_t)n;
	if (c->kind == CONN_CTL)
		ctl_input(c);
	else
		http_input(c);
	if (c->closing)
		ev_io_stop(c->e->loop, &c->rw);	/* read nothing more */
	(void)conn_flush(c);
}

static void
conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;

	(void)loop;
	(void)revents;
	if (!conn_flush(c) || c->outlen > 0 || c->kind != CONN_CTL)
		return;
	ctl_input(c);		/* commands that waited for room */
	(void)conn_flush(c);
}

static void
conn_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct conn *c = w->data;

	(void)loop;
	(void)revents;
	if (rl_allow(c->e))
		elog(c->e, "%s connection timed out",
		    c->kind == CONN_CTL ? "control" : "http");
	conn_close(c);
}

static void
conn_new(struct edge *e, int fd, enum conn_kind kind)
{
	struct conn *c;

	if (e->nconns >= MAX_CONNS || (c = calloc(1, sizeof(*c))) == NULL) {
		if (rl_allow(e))
			elog(e, "too many connections, one refused");
		close(fd);
		return;
	}
	c->e = e;
	c->kind = kind;
	c->fd = fd;
	ev_io_init(&c->rw, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->ww, conn_write_cb, fd, EV_WRITE);
	ev_timer_init(&c->deadline, conn_deadline_cb, CONN_TIMEOUT, 0.);
	c->rw.data = c->ww.data = c->deadline.data = c;
	c->next = e->conns;
	e->conns = c;
	e->nconns++;
	ev_io_start(e->loop, &c->rw);
	ev_timer_start(e->loop, &c->deadline);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct edge *e = w->data;
	int fd;

	(void)loop;
	(void)revents;
	/* accept4 is a GNU extension; this is the portable pair */
	if ((fd = accept(w->fd, NULL, NULL)) < 0)
		return;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		close(fd);
		return;
	}
	conn_new(e, fd, w == &e->ctl_w ? CONN_CTL : CONN_HTTP);
}

/* --- sockets ---------------------------------------------------------- */

static int
open_inet(struct edge *e, const char *spec, int type, bool *v6)
{
	struct sockaddr_storage ss;
	struct app_addr a;
	int fd, one = 1, zero = 0;
	size_t sl;

	if (!app_addr_parse(spec, true, &a)) {
		elog(e, "%s: not ADDR:PORT ([ADDR]:PORT for IPv6)", spec);
		return -1;
	}
	*v6 = a.family == APP_AF_INET6;
	sl = app_addr_to_sa(&a, *v6, &ss);
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		elog(e, "%s: socket: %s", spec, strerror(errno));
		return -1;
	}
	/* one socket for both families when bound to [::] */
	if (*v6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
		    sizeof(zero));
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		elog(e, "%s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_unix(struct edge *e, const char *path)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	struct stat sb;
	int fd;

	if (strlen(path) >= sizeof(su.sun_path)) {
		elog(e, "%s: path too long", path);
		return -1;
	}
	strcpy(su.sun_path, path);
	/* a socket left by an edge that died; never anything else */
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		(void)unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&su, sizeof(su)) < 0 ||
	    listen(fd, 16) < 0) {
		elog(e, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	strcpy(e->ctl_path, path);
	return fd;
}

static int
open_control(struct edge *e, const char *spec)
{
	bool v6;

	if (strncmp(spec, "unix:", 5) == 0)
		return open_unix(e, spec + 5);
	return open_inet(e, spec, SOCK_STREAM, &v6);
}

/* --- main ------------------------------------------------------------- */

struct opts {
	const char	*name, *listen, *control, *http;
	unsigned long	 linger_ms, max_tx;
	unsigned long	 workers, work_ms, queue, load_ms;	/* the pool */
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: cats-edge --name NAME --listen ADDR:PORT "
	    "[--control ADDR:PORT|unix:PATH]\n"
	    "                 [--http ADDR:PORT] [--linger MS] [--max-tx N]\n"
	    "                 [--workers N [--work-ms MS] [--queue Q] "
	    "[--load-interval MS]]\n"
	    "  IPv6 addresses as [ADDR]:PORT; [::]:PORT takes IPv4 too\n");
}

static bool
parse_ulong(const char *s, unsigned long lo, unsigned long hi,
    unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= lo && *v <= hi;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "listen", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "http", required_argument, NULL, 'H' },
		{ "linger", required_argument, NULL, 'L' },
		{ "max-tx", required_argument, NULL, 'm' },
		{ "workers", required_argument, NULL, 'w' },
		{ "work-ms", required_argument, NULL, 'W' },
		{ "queue", required_argument, NULL, 'q' },
		{ "load-interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': o->name = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'c': o->control = optarg; break;
		case 'H': o->http = optarg; break;
		case 'L':
			if (!parse_ulong(optarg, 1, 3600000, &o->linger_ms))
				return -1;
			break;
		case 'm':
			if (!parse_ulong(optarg, 1, 1000000, &o->max_tx))
				return -1;
			break;
		case 'w':
			if (!parse_ulong(optarg, 1, APP_WORKERS_MAX,
			    &o->workers))
				return -1;
			break;
		case 'W':
			if (!parse_ulong(optarg, 1, 60000, &o->work_ms))
				return -1;
			break;
		case 'q':
			if (!parse_ulong(optarg, 0, 100000, &o->queue))
				return -1;
			break;
		case 'i':
			/* 0: no reports; else at least 100 ms */
			if (!parse_ulong(optarg, 0, APP_INTERVAL_MAX,
			    &o->load_ms) || (o->load_ms > 0 &&
			    o->load_ms < 100))
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc || o->name == NULL || o->listen == NULL)
		return -1;
	return 0;
}

static void
stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void
watch(struct edge *e, ev_io *w, int fd, void (*cb)(struct ev_loop *, ev_io *,
    int))
{
	ev_io_init(w, cb, fd, EV_READ);
	w->data = e;
	ev_io_start(e->loop, w);
}

static int
edge_open(struct edge *e, const struct opts *o)
{
	bool v6;

	if ((e->udp = open_inet(e, o->listen, SOCK_DGRAM, &e->udp_v6)) < 0)
		return -1;
	watch(e, &e->udp_w, e->udp, udp_cb);
	if (o->control != NULL) {
		if ((e->ctl = open_control(e, o->control)) < 0)
			return -1;
		watch(e, &e->ctl_w, e->ctl, accept_cb);
	}
	if (o->http != NULL) {
		if ((e->http = open_inet(e, o->http, SOCK_STREAM, &v6)) < 0)
			return -1;
		watch(e, &e->http_w, e->http, accept_cb);
	}
	ev_signal_init(&e->sigterm, stop_cb, SIGTERM);
	ev_signal_init(&e->sigint, stop_cb, SIGINT);
	ev_signal_start(e->loop, &e->sigterm);
	ev_signal_start(e->loop, &e->sigint);
	return 0;
}

static void
edge_close(struct edge *e)
{
	size_t i;

	while (e->conns != NULL)
		conn_close(e->conns);
	for (i = 0; i < NBUCKETS; i++)
		while (e->bucket[i] != NULL)
			tx_free(e->bucket[i]);
	pool_free(e);
	if (e->udp >= 0)
		close(e->udp);
	if (e->ctl >= 0)
		close(e->ctl);
	if (e->http >= 0)
		close(e->http);
	if (e->ctl_path[0] != '\0')
		(void)unlink(e->ctl_path);
	ev_loop_destroy(e->loop);
}

int
main(int argc, char **argv)
{
	struct opts o = { .linger_ms = 30000, .max_tx = 4096, .work_ms = 10,
	    .queue = 64, .load_ms = 1000 };
	struct edge e = { .udp = -1, .ctl = -1, .http = -1 };
	const struct stats *s = &e.st;
	int rc;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	e.name = o.name;
	if (!app_name_ok(o.name, strlen(o.name))) {
		elog(&e, "a name is 1 to %d of A-Z a-z 0-9 . _ -",
		    APP_NAME_MAX);
		return 2;
	}
	e.linger = o.linger_ms / 1000.;
	e.max_tx = o.max_tx;
	if ((e.loop = ev_default_loop(EVFLAG_AUTO)) == NULL) {
		elog(&e, "cannot start the event loop");
		return 1;
	}
	rc = edge_open(&e, &o);
	if (rc == 0 && o.workers > 0)
		rc = pool_new(&e, o.workers, o.work_ms, o.queue, o.load_ms);
	if (rc == 0) {
		elog(&e, "ready: udp %s control %s http %s", o.listen,
		    o.control ? o.control : "-", o.http ? o.http : "-");
		if (e.pool != NULL)
			elog(&e, "pool: %lu workers, %lu ms a request, queue %lu, "
			    "load reports every %lu ms", o.workers, o.work_ms,
			    o.queue, o.load_ms);
		ev_run(e.loop, 0);
		elog(&e, "stopped: requests=%lu repeated=%lu results=%lu "
		    "send_errors=%lu malformed=%lu unexpected=%lu exports=%lu "
		    "imports=%lu control_errors=%lu http=%lu", s->requests,
		    s->repeated, s->results, s->send_errors, s->malformed,
		    s->unexpected, s->exports, s->imports, s->ctl_errors,
		    s->http);
		if (e.pool != NULL)
			elog(&e, "pool: served=%lu queued=%lu refused=%lu "
			    "load_reports=%lu", s->served, s->queued,
			    s->refused, s->loads);
	}
	edge_close(&e);
	return rc == 0 ? 0 : 1;
}
