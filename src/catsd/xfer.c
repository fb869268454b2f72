/*
 * xfer: transaction switching on real sockets (mobility fig. 3,
 * docs/catsd.md).  The engine says what moves (DP_STATE_EXPORT at the old
 * egress, DP_STATE_IMPORT at the new one); this file moves it:
 *
 *   old egress: EXPORT (wildcard: the client's transaction) to the local
 *     edge's control port -> its STATE -> TRANSFER over TCP to the new
 *     egress's transfer port -> its acknowledgement (the STATE echoed)
 *     -> EV_STATE_SENT;
 *   new egress: accept (egress peers only) -> one TRANSFER -> kept per
 *     (client, service), acknowledged -> EV_STATE_RECEIVED; on
 *     DP_STATE_IMPORT, IMPORT of the kept state into the local edge.
 *
 * Every message goes through appproto's codec (docs/apps.md).  Nothing here
 * is fatal: a failure is logged and counted.  Everything is bounded: at most
 * XFER_MAX_CONN connections, each with one message's buffer each way and a
 * deadline, and (the core's bound) XFER_MAX_KEPT states waiting for their
 * import.
 *
 * The same connection code keeps one more kind of connection open, the
 * agent's (the C-SMA, docs/apps.md): to each of our instances' edges that
 * has an edge_control, a WATCH, upon which the edge sends its LOAD every
 * interval.  The instances are an egress's (node.instances: each LOAD
 * goes into this node's selector, if it has one, and to every controller
 * in a metric-report, catsd_metric_compute and the core's report.c) and a
 * MUP site PE's (mup.instances: into mup_metrics, which damps them into
 * the instance's CMU or DSD, draft-dcn-dmm-cats-mup 4.1.1/4.2.1); one
 * table of slots holds both (catsd.h, AGENT_MUP_BASE), and everything
 * else (connecting, parsing, retrying) is the same for both.  A
 * connection that fails is tried again AGENT_RETRY s later; an edge that
 * refuses (no worker pool, or its reports off) AGENT_REFUSED s later.
 *
 * What happens when, and when "state sent" and "state received" are
 * raised, is the core's protocol (cats/xfer.h), the one the simulator
 * runs: this file reports to it what the sockets did and performs the
 * actions it hands back.
 */
#define _GNU_SOURCE		/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "appproto.h"
#include "cats/log.h"
#include "cats/xfer.h"
#include "catsd.h"

#define XFER_MAX_CONN	32
#define XFER_TIMEOUT	5.0	/* s: a connection must be done by then */
#define XFER_ACCEPTS	8	/* per wake-up */
#define AGENT_RETRY	1.0	/* s: an edge's connection, again */
#define AGENT_REFUSED	5.0	/* s: an edge that refused WATCH, again */
#define AGENT_SILENCE	3	/* intervals without a LOAD: reconnect */

_Static_assert(APP_STATUS_MAX <= AGENT_MALFORMED_MAX,
    "agent_counters.malformed has a slot per app_status");

enum xc_kind {
	XC_EXPORT,		/* to our edge: EXPORT, wait for STATE */
	XC_SEND,		/* to the new egress: TRANSFER, wait for the ack */
	XC_IMPORT,		/* to our edge: IMPORT, wait for STATE */
	XC_RECV,		/* from the old egress: TRANSFER in, ack out */
	XC_WATCH,		/* to our edge: WATCH, then LOADs, kept open */
};

static const char *const xc_names[] = {
	[XC_EXPORT] = "export", [XC_SEND] = "send", [XC_IMPORT] = "import",
	[XC_RECV] = "receive", [XC_WATCH] = "load reports",
};

struct xconn {
	struct xfer	*x;
	enum xc_kind	 kind;
	int		 fd;
	ev_io		 rw, ww;
	ev_timer	 deadline;
	bool		 connecting;
	bool		 closing;	/* XC_RECV: close once the ack is out */
	uint8_t		 in[APP_MSG_MAX];
	size_t		 inlen;
	uint8_t		 out[APP_MSG_MAX];
	size_t		 outlen, outoff;
	/* what it is about */
	uint8_t		 client[16];
	uint16_t	 service;
	uint32_t	 instance;
	uint8_t		 peer[16];	/* the other egress */
	struct app_state st;		/* XC_IMPORT */
	size_t		 idx;		/* XC_WATCH: the agent's slot */
};

/* The agent's side of one instance's edge. */
struct agent_edge {
	struct xconn	*c;		/* NULL: not connected */
	double		 next_try;	/* catsd_now_s() */
	bool		 down;		/* its failure was logged */
	bool		 up;		/* a LOAD came on this connection */
	bool		 gone;		/* said gone (agent_gone) */
};

struct xfer {
	struct catsd	*d;
	int		 fd;		/* the transfer port, -1 none */
	ev_io		 w;
	struct xconn	*conns[XFER_MAX_CONN];
	struct xfer_fsm	*fsm;		/* the protocol's decisions */
	struct xconn	*cur;		/* the connection the fsm answers on */
	size_t		 cur_len;	/* its message, for the event */
	bool		 ack_failed;
	ev_timer	 agent_w;	/* (re)connects to the edges */
	struct agent_edge agent[AGENT_MAX_EDGES];	/* by slot */
};

static void	 xc_readable(struct ev_loop *, ev_io *, int);
static void	 xc_writable(struct ev_loop *, ev_io *, int);
static void	 xc_timeout(struct ev_loop *, ev_timer *, int);
static void	 import_start(struct xfer *, const uint8_t client[16],
		    uint16_t service, uint32_t instance,
		    const struct app_state *);
static void	 agent_failed(struct xconn *, const char *why);

/* A failure of a transfer counts with the transfers, one of the load
 * reports' connections with the agent's. */
static void
count_error(struct xfer *x, enum xc_kind kind)
{
	if (kind == XC_WATCH)
		x->d->agent_cnt.errors++;
	else
		x->d->xfer_cnt.errors++;
}

static const char *
a6(const uint8_t a[16], char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static struct xconn *
xc_new(struct xfer *x, enum xc_kind kind, int fd)
{
	struct xconn *c;
	size_t i;

	for (i = 0; i < XFER_MAX_CONN && x->conns[i] != NULL; i++)
		;
	if (i == XFER_MAX_CONN || (c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("transfer: %s: too many connections",
		    xc_names[kind]);
		count_error(x, kind);
		return NULL;
	}
	c->x = x;
	c->kind = kind;
	c->fd = fd;
	ev_io_init(&c->rw, xc_readable, fd, EV_READ);
	ev_io_init(&c->ww, xc_writable, fd, EV_WRITE);
	ev_timer_init(&c->deadline, xc_timeout, XFER_TIMEOUT, 0);
	c->rw.data = c->ww.data = c->deadline.data = c;
	ev_timer_start(x->d->loop, &c->deadline);
	x->conns[i] = c;
	return c;
}

static void
xc_free(struct xconn *c)
{
	struct xfer *x = c->x;

	for (size_t i = 0; i < XFER_MAX_CONN; i++)
		if (x->conns[i] == c)
			x->conns[i] = NULL;
	ev_io_stop(x->d->loop, &c->rw);
	ev_io_stop(x->d->loop, &c->ww);
	ev_timer_stop(x->d->loop, &c->deadline);
	close(c->fd);
	free(c);
}

/*
 * A transfer that failed.  When the state left our edge but not one octet
 * of it reached the new egress, our edge takes it back, so the client goes
 * on being served from here; once anything was written the new egress may
 * hold it, and a second copy would send results twice.
 */
static void
xc_fail(struct xconn *c, const char *why)
{
	struct xfer *x = c->x;
	char a[INET6_ADDRSTRLEN];

	if (c->kind == XC_WATCH) {
		agent_failed(c, why);
		return;
	}
	log_warnx("transfer: %s for client %s failed: %s", xc_names[c->kind],
	    a6(c->client, a), why);
	x->d->xfer_cnt.errors++;
	/* the core decides whether the state goes back to our edge: only
	 * while not one octet of it left (still connecting) */
	if (c->kind == XC_SEND || c->kind == XC_EXPORT)
		xfer_fsm_failed(x->fsm, c->client, c->service,
		    c->kind == XC_SEND && !c->connecting);
	xc_free(c);
}

static bool
xc_queue(struct xconn *c, const struct app_msg *m)
{
	if (app_encode(m, c->out, sizeof(c->out), &c->outlen) != APP_OK)
		return false;
	c->outoff = 0;
	ev_io_start(c->x->d->loop, &c->ww);
	return true;
}

/* Where an instance's edge listens for control commands. */
static socklen_t
edge_sockaddr(const char *spec, struct sockaddr_storage *ss)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	struct app_addr a;

	memset(ss, 0, sizeof(*ss));
	if (strncmp(spec, "unix:", 5) == 0) {
		if (strlen(spec + 5) >= sizeof(sun->sun_path))
			return 0;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, spec + 5, strlen(spec + 5) + 1);
		return sizeof(*sun);
	}
	if (!app_addr_parse(spec, true, &a))
		return 0;
	/* an IPv4 edge through an AF_INET socket, an IPv6 one through AF_INET6 */
	return (socklen_t)app_addr_to_sa(&a, a.family == APP_AF_INET6, ss);
}

/* Non-blocking connect; the first writable event tells how it went. */
static struct xconn *
xc_connect(struct xfer *x, enum xc_kind kind, const struct sockaddr_storage *ss,
    socklen_t sl, bool bind_node)
{
	struct sockaddr_in6 src;
	struct xconn *c;
	int fd;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("transfer: %s: socket", xc_names[kind]);
		count_error(x, kind);
		return NULL;
	}
	/* from our signaling address: the new egress takes states from its
	 * egress peers only; without it the kernel picks the source */
	if (bind_node) {
		memset(&src, 0, sizeof(src));
		src.sin6_family = AF_INET6;
		memcpy(&src.sin6_addr, x->d->conf.node.addr, 16);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0)
			log_warn("transfer: bind to the node's address");
	}
	if (connect(fd, (const struct sockaddr *)ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		/* the agent logs its edge's failures once (agent_failed) */
		if (kind != XC_WATCH)
			log_warn("transfer: %s: connect", xc_names[kind]);
		count_error(x, kind);
		close(fd);
		return NULL;
	}
	if ((c = xc_new(x, kind, fd)) == NULL) {
		close(fd);
		return NULL;
	}
	c->connecting = true;
	return c;
}

static void
xc_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct xconn *c = w->data;
	socklen_t sl = sizeof(int);
	int err = 0;
	ssize_t n;

	(void)loop, (void)revents;
	if (c->connecting) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0 ||
		    err != 0) {
			xc_fail(c, strerror(err != 0 ? err : errno));
			return;
		}
	}
	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			xc_fail(c, n < 0 ? strerror(errno) : "closed");
			return;
		}
		c->connecting = false;	/* something is on its way */
		c->outoff += (size_t)n;
	}
	ev_io_stop(c->x->d->loop, &c->ww);
	if (c->closing) {
		xc_free(c);
		return;
	}
	ev_io_start(c->x->d->loop, &c->rw);
}

static void
xc_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	xc_fail(w->data, "timed out");
}

/* ------------------------------------------------------------------ */
/* The old egress                                                      */

static void
client_app_addr(const uint8_t client[16], struct app_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)client)) {
		a->family = APP_AF_INET;
		memcpy(a->a, client + 12, 4);
	} else {
		a->family = APP_AF_INET6;
		memcpy(a->a, client, 16);
	}
}

/* The control port of our instance 'id', or NULL. */
static const char *
edge_control(const struct catsd *d, uint32_t id)
{
	const struct node_cfg *n = &d->conf.node;

	for (size_t i = 0; i < n->ninstances; i++)
		if (n->instances[i].id == id &&
		    d->conf.instances[i].edge_control[0] != '\0')
			return d->conf.instances[i].edge_control;
	return NULL;
}

/* A connection to the edge control port 'spec' (NULL: none). */
static struct xconn *
edge_connect_spec(struct xfer *x, enum xc_kind kind, const char *spec,
    const char *what, uint32_t id)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (spec == NULL || (sl = edge_sockaddr(spec, &ss)) == 0) {
		log_warnx("transfer: %s: %s %u: %s", xc_names[kind], what, id,
		    spec == NULL ? "no edge_control" : "edge_control unusable");
		count_error(x, kind);
		return NULL;
	}
	return xc_connect(x, kind, &ss, sl, false);
}

static struct xconn *
edge_connect(struct xfer *x, enum xc_kind kind, uint32_t instance)
{
	return edge_connect_spec(x, kind, edge_control(x->d, instance),
	    "instance", instance);
}

void
xfer_export(struct catsd *d, const struct dp_intent *in)
{
	struct xfer *x = d->xfer;
	char a[INET6_ADDRSTRLEN];

	if (x == NULL || x->fd < 0) {
		log_warnx("transfer: export asked, but transfer_port is 0");
		d->xfer_cnt.errors++;
		return;
	}
	if (!xfer_fsm_export(x->fsm, in)) {
		log_warnx("transfer: export for client %s: one is under way, "
		    "or too many are", a6(in->client, a));
		d->xfer_cnt.errors++;
	}
}

/* XA_EDGE_EXPORT: ask our edge for the state. */
static void
export_start(struct xfer *x, const struct xfer_act *a)
{
	struct app_msg m;
	struct xconn *c;

	if ((c = edge_connect(x, XC_EXPORT, a->instance)) == NULL) {
		xfer_fsm_failed(x->fsm, a->client, a->service, false);
		return;
	}
	memcpy(c->client, a->client, 16);
	memcpy(c->peer, a->peer, 16);
	c->service = a->service;
	c->instance = a->instance;
	/* the engine knows the client's address, not its port or id */
	memset(&m, 0, sizeof(m));
	m.type = APP_EXPORT;
	client_app_addr(a->client, &m.u.exp.client);
	if (!xc_queue(c, &m))
		xc_fail(c, "cannot encode EXPORT");
}

/* XA_SEND: the edge gave us the state; on to the new egress. */
static void
send_start(struct xfer *x, const struct xfer_act *a)
{
	const struct node_service *sv = &x->d->conf.node.services[a->service];
	const struct app_state *st = a->state;
	struct sockaddr_in6 *sin;
	struct sockaddr_storage ss;
	struct app_msg m;
	struct xconn *c;

	memset(&ss, 0, sizeof(ss));
	sin = (struct sockaddr_in6 *)&ss;
	sin->sin6_family = AF_INET6;
	sin->sin6_port = htons(x->d->conf.transfer_port);
	memcpy(&sin->sin6_addr, a->peer, 16);
	c = xc_connect(x, XC_SEND, &ss, sizeof(*sin), true);
	if (c == NULL) {
		/* nothing left: the core gives the state back to the edge */
		xfer_fsm_failed(x->fsm, a->client, a->service, false);
		return;
	}
	memcpy(c->client, a->client, 16);
	memcpy(c->peer, a->peer, 16);
	c->service = a->service;
	c->instance = a->instance;
	c->st = *st;
	memset(&m, 0, sizeof(m));
	m.type = APP_TRANSFER;
	memcpy(m.u.xfer.client, a->client, 16);
	m.u.xfer.service_len = sv->id_len;
	memcpy(m.u.xfer.service, sv->id, sv->id_len);
	m.u.xfer.state = *st;
	if (!xc_queue(c, &m))
		xc_fail(c, "cannot encode TRANSFER");
}

static void
tx_of(const struct app_state *st, struct mh_tx *tx)
{
	memset(tx, 0, sizeof(*tx));
	tx->id = st->tx;
	tx->next_seq = st->next;
}

static void
on_exported(struct xconn *c, const struct app_msg *m)
{
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];
	struct mh_tx tx;

	if (m->type != APP_STATE) {
		xc_fail(c, "the edge answered neither STATE nor ERROR");
		return;
	}
	c->x->d->xfer_cnt.exports++;
	log_info("transfer: tx %u of client %s exported at %u of %u, to %s",
	    m->u.state.tx, a6(c->client, a), m->u.state.next, m->u.state.count,
	    a6(c->peer, p));
	tx_of(&m->u.state, &tx);
	if (!xfer_fsm_exported(c->x->fsm, c->client, c->service, &tx,
	    &m->u.state, sizeof(m->u.state)))
		log_warnx("transfer: a state nobody asked for: dropped");
	xc_free(c);
}

/* The new egress has it: the core raises "state sent", upon which the
 * engine confirms and closes our tunnel. */
static void
on_sent(struct xconn *c, const struct app_msg *m, size_t len)
{
	struct xfer *x = c->x;
	struct mh_tx tx;

	if (m->type != APP_STATE) {
		xc_fail(c, "the new egress did not acknowledge the state");
		return;
	}
	tx_of(&m->u.state, &tx);
	x->cur = c;
	x->cur_len = len;
	if (!xfer_fsm_acked(x->fsm, c->client, c->service, &tx)) {
		x->cur = NULL;
		xc_fail(c, "the new egress did not acknowledge the state");
		return;
	}
	x->cur = NULL;
	xc_free(c);
}

/* ------------------------------------------------------------------ */
/* The new egress                                                      */

static bool
peer_is_egress(const struct catsd *d, const uint8_t addr[16])
{
	int p = node_peer_find(&d->conf.node, addr);

	return p >= 0 && (d->conf.node.peers[p].roles & NODE_EGRESS);
}

static void
on_received(struct xconn *c, const struct app_msg *m)
{
	struct xfer *x = c->x;
	const struct app_transfer *t = &m->u.xfer;
	char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];
	struct mh_tx tx;
	bool ok;
	int s;

	if (m->type != APP_TRANSFER) {
		xc_fail(c, "not a TRANSFER");
		return;
	}
	memcpy(c->client, t->client, 16);
	if ((s = node_service_find(&x->d->conf.node, t->service,
	    t->service_len)) < 0) {
		xc_fail(c, "a service we do not know");
		return;
	}
	log_info("transfer: tx %u of client %s received from %s, next %u of %u",
	    t->state.tx, a6(t->client, a), a6(c->peer, p), t->state.next,
	    t->state.count);
	tx_of(&t->state, &tx);
	x->cur = c;
	x->cur_len = c->inlen;
	x->ack_failed = false;
	/* the core keeps it, has us acknowledge, then raises the event */
	ok = xfer_fsm_received(x->fsm, c->peer, t->client, (uint16_t)s, &tx,
	    &t->state, sizeof(t->state), catsd_now(x->d));
	x->cur = NULL;
	if (!ok)
		xc_fail(c, "no room for another state");
	else if (x->ack_failed)
		xc_fail(c, "cannot encode the acknowledgement");
}

/* XA_ACK: the state echoed, then the connection closes. */
static void
ack_queue(struct xfer *x, const struct xfer_act *a)
{
	struct xconn *c = x->cur;
	struct app_msg ack;

	if (c == NULL)
		return;
	memset(&ack, 0, sizeof(ack));
	ack.type = APP_STATE;
	ack.u.state = *(const struct app_state *)a->state;
	c->closing = true;
	if (!xc_queue(c, &ack))
		x->ack_failed = true;
}

/* XA_EVENT: what the daemon adds to the core's event is its transport. */
static void
event_raise(struct xfer *x, const struct xfer_act *a)
{
	struct catsd *d = x->d;
	struct ev ev = a->ev;

	ev.tx.state_len = (uint32_t)x->cur_len;
	ev.tx.port = d->conf.transfer_port;
	if (ev.type == EV_STATE_SENT)
		d->xfer_cnt.states_sent++;
	if (ev.type == EV_STATE_RECEIVED)
		d->xfer_cnt.states_received++;
	catsd_event(d, &ev);
}

/* Results go to the client's own address, as they did from the old edge:
 * the return route of this egress takes them to its ingress. */
static void
import_start(struct xfer *x, const uint8_t client[16], uint16_t service,
    uint32_t instance, const struct app_state *st)
{
	struct app_msg m;
	struct xconn *c;

	if ((c = edge_connect(x, XC_IMPORT, instance)) == NULL)
		return;
	memcpy(c->client, client, 16);
	c->service = service;
	c->instance = instance;
	c->st = *st;
	memset(&m, 0, sizeof(m));
	m.type = APP_IMPORT;
	m.u.imp.state = *st;
	if (!xc_queue(c, &m))
		xc_fail(c, "cannot encode IMPORT");
}

void
xfer_import(struct catsd *d, const struct dp_intent *in)
{
	char a[INET6_ADDRSTRLEN];

	if (d->xfer == NULL || d->xfer->fd < 0 ||
	    !xfer_fsm_import(d->xfer->fsm, in, catsd_now(d))) {
		log_warnx("transfer: import for client %s: no state received",
		    a6(in->client, a));
		d->xfer_cnt.errors++;
	}
}

/* The core's actions, on the sockets. */
static void
fsm_act(void *arg, const struct xfer_act *a)
{
	struct xfer *x = arg;

	/* every state this file hands the core is a struct app_state */
	if (a->state != NULL && a->state_len != sizeof(struct app_state))
		return;
	switch (a->type) {
	case XA_EDGE_EXPORT:
		export_start(x, a);
		break;
	case XA_SEND:
		if (a->state != NULL)
			send_start(x, a);
		break;
	case XA_ACK:
		if (a->state != NULL)
			ack_queue(x, a);
		break;
	case XA_EDGE_IMPORT:
		if (a->state != NULL)
			import_start(x, a->client, a->service, a->instance,
			    a->state);
		break;
	case XA_EVENT:
		event_raise(x, a);
		break;
	}
}

static void
on_imported(struct xconn *c, const struct app_msg *m)
{
	char a[INET6_ADDRSTRLEN];

	if (m->type != APP_STATE) {
		xc_fail(c, "the edge answered neither STATE nor ERROR");
		return;
	}
	c->x->d->xfer_cnt.imports++;
	log_info("transfer: tx %u of client %s imported at %u of %u",
	    m->u.state.tx, a6(c->client, a), m->u.state.next,
	    m->u.state.count);
	xc_free(c);
}

/* ------------------------------------------------------------------ */
/* The agent: our edges' load reports                                  */

const char *
agent_malformed_name(unsigned i)
{
	return i < APP_STATUS_MAX ? app_strerror((enum app_status)i) : NULL;
}

static bool
slot_is_mup(size_t i)
{
	return i >= AGENT_MUP_BASE;
}

/* The edge control port of the agent's slot i, NULL if none: an egress
 * instance's, or a MUP site PE instance's. */
static const char *
slot_spec(const struct catsd *d, size_t i)
{
	const struct conf *c = &d->conf;
	const char *spec;

	if (!slot_is_mup(i))
		spec = i < c->node.ninstances && (c->node.roles & NODE_EGRESS) ?
		    c->instances[i].edge_control : "";
	else if (c->has_mup && (c->mup.roles & MUP_SITE_PE) &&
	    i - AGENT_MUP_BASE < c->mup.ninst)
		spec = c->mup_instances[i - AGENT_MUP_BASE].edge_control;
	else
		spec = "";
	return spec[0] != '\0' ? spec : NULL;
}

/* What the slot's reports are about, for the log: "instance 101" (the
 * node's id) or "cis-id 1". */
static uint32_t
slot_id(const struct catsd *d, size_t i)
{
	return slot_is_mup(i) ? d->conf.mup.inst[i - AGENT_MUP_BASE].cis_id :
	    d->conf.node.instances[i].id;
}

static const char *
slot_what(size_t i)
{
	return slot_is_mup(i) ? "cis-id" : "instance";
}

/* Where a LOAD goes: the node's C-PS and its controllers, or the MUP
 * roles' damped advertisements. */
static int
slot_feed(struct catsd *d, size_t i, const struct cats_sample *s, size_t n)
{
	if (slot_is_mup(i))
		return bgp_mup_metrics(d, slot_id(d, i), s, n);
	return catsd_metric_compute(d, slot_id(d, i), s, n);
}

/*
 * Instance failure (docs/engine.md §7): an edge that was reporting and
 * then fails (closed, reset, or silent for AGENT_SILENCE intervals, at
 * least XFER_TIMEOUT: the connection's deadline) is gone; its next LOAD
 * brings it back.  The egress says so (node_report_instance_gone), so the
 * clients on it are re-steered although the egress answers heartbeats.
 * The MUP slots are the MUP roles' (mup.md): not done here.
 */
static void
agent_gone(struct xfer *x, size_t i, bool gone)
{
	struct agent_edge *ae = &x->agent[i];
	int k;

	if (slot_is_mup(i) || ae->gone == gone)
		return;
	ae->gone = gone;
	x->d->agent_last[i].gone = gone;
	k = catsd_instance_gone(x->d, slot_id(x->d, i), gone);
	if (gone)
		log_warnx("agent: instance %u: edge %s gone; told %d peers",
		    slot_id(x->d, i), slot_spec(x->d, i), k);
	else
		log_info("agent: instance %u: edge %s back; told %d peers",
		    slot_id(x->d, i), slot_spec(x->d, i), k);
}

static void
agent_failed(struct xconn *c, const char *why)
{
	struct xfer *x = c->x;
	struct agent_edge *ae = &x->agent[c->idx];
	bool refused = strncmp(why, "error ", 6) == 0;

	if (ae->up)
		agent_gone(x, c->idx, true);
	ae->up = false;
	x->d->agent_cnt.errors++;
	if (!ae->down)
		log_warnx("agent: %s %u: edge %s: %s; again every %.0f s",
		    slot_what(c->idx), slot_id(x->d, c->idx),
		    slot_spec(x->d, c->idx), why,
		    refused ? AGENT_REFUSED : AGENT_RETRY);
	ae->down = true;
	ae->c = NULL;
	ae->next_try = catsd_now_s(x->d) + (refused ? AGENT_REFUSED :
	    AGENT_RETRY);
	xc_free(c);
}

/* One LOAD: into the selector the way catsctl metric set goes (or the
 * MUP roles' the way catsctl mup metric goes), and kept for catsctl show
 * instances. */
static void
on_load(struct xconn *c, const struct app_load *l)
{
	struct catsd *d = c->x->d;
	struct agent_edge *ae = &c->x->agent[c->idx];
	struct agent_last *last = &d->agent_last[c->idx];
	uint32_t id = slot_id(d, c->idx);
	struct cats_sample s[4];
	double silence;

	d->agent_cnt.reports++;
	last->reports++;
	last->at_ms = catsd_now(d);
	last->seq = l->seq;
	last->workers = l->workers;
	last->util = (double)l->util_ppm / APP_PPM;
	last->queue = l->queue;
	last->proc_delay_ns = (double)l->delay_us * 1000.;
	last->capacity = (double)l->capacity_mrps / 1000.;
	memcpy(last->edge, l->name, l->name_len + 1u);
	s[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_MEAN,
	    l->interval_ms, last->util };
	s[1] = (struct cats_sample){ CATS_M_CAPACITY, CATS_STAT_CUR, 0,
	    last->capacity };
	s[2] = (struct cats_sample){ CATS_M_QUEUE, CATS_STAT_CUR, 0,
	    last->queue };
	s[3] = (struct cats_sample){ CATS_M_PROC_DELAY, CATS_STAT_MEAN,
	    l->interval_ms, last->proc_delay_ns };
	last->status = slot_feed(d, c->idx, s, 4);
	if (last->status == CATS_MERR_OK)
		d->agent_cnt.fed++;
	else
		d->agent_cnt.not_fed++;
	if (ae->down)
		log_info("agent: %s %u: load reports from edge %s",
		    slot_what(c->idx), id, l->name);
	ae->down = false;
	ae->up = true;
	agent_gone(c->x, c->idx, false);
	log_debug("agent: %s %u: edge %s load %u: util %.3f queue %u "
	    "delay %u us capacity %.3f/s: %s", slot_what(c->idx), id, l->name,
	    l->seq, last->util, l->queue, l->delay_us, last->capacity,
	    last->status == CATSD_NO_SELECTOR ? "no selector here" :
	    cats_metric_err_name((enum cats_metric_err)last->status));
	/* a silent edge is a lost one: reconnect */
	silence = AGENT_SILENCE * l->interval_ms / 1000.;
	ev_timer_stop(d->loop, &c->deadline);
	ev_timer_set(&c->deadline, silence > XFER_TIMEOUT ? silence :
	    XFER_TIMEOUT, 0);
	ev_timer_start(d->loop, &c->deadline);
}

/* Every whole message in; a bad one closes the stream (out of step). */
static void
agent_input(struct xconn *c)
{
	char why[APP_TEXT_MAX + 64];
	struct app_msg m;
	enum app_status rc;
	size_t off;
	long fl;

	while ((fl = app_frame_len(c->in, c->inlen)) != 0) {
		if (fl < 0) {
			c->x->d->agent_cnt.malformed[APP_E_VERSION]++;
			xc_fail(c, "not a version 1 message");
			return;
		}
		if ((size_t)fl > c->inlen)
			return;		/* the rest is on its way */
		if ((rc = app_decode(c->in, (size_t)fl, &m, &off)) != APP_OK) {
			c->x->d->agent_cnt.malformed[rc]++;
			snprintf(why, sizeof(why), "malformed: offset %zu: %s",
			    off, app_strerror(rc));
			xc_fail(c, why);
			return;
		}
		if (m.type == APP_ERROR) {
			snprintf(why, sizeof(why), "error %s: %s",
			    app_errcode_name(m.u.err.code), m.u.err.text);
			xc_fail(c, why);
			return;
		}
		if (m.type != APP_LOAD) {
			c->x->d->agent_cnt.malformed[APP_E_TYPE]++;
			xc_fail(c, "neither LOAD nor ERROR");
			return;
		}
		on_load(c, &m.u.load);
		memmove(c->in, c->in + fl, c->inlen - (size_t)fl);
		c->inlen -= (size_t)fl;
	}
}

static void
agent_connect(struct xfer *x, size_t i)
{
	struct app_msg m;
	struct xconn *c;

	x->agent[i].next_try = catsd_now_s(x->d) + AGENT_RETRY;
	if ((c = edge_connect_spec(x, XC_WATCH, slot_spec(x->d, i),
	    slot_what(i), slot_id(x->d, i))) == NULL) {
		if (!x->agent[i].down)
			log_warnx("agent: %s %u: edge %s: cannot connect; "
			    "again every %.0f s", slot_what(i),
			    slot_id(x->d, i), slot_spec(x->d, i), AGENT_RETRY);
		x->agent[i].down = true;
		return;
	}
	c->idx = i;
	c->instance = slot_id(x->d, i);
	x->agent[i].c = c;
	memset(&m, 0, sizeof(m));
	m.type = APP_WATCH;
	if (!xc_queue(c, &m))
		xc_fail(c, "cannot encode WATCH");
}

static void
agent_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct xfer *x = w->data;

	(void)loop;
	(void)revents;
	for (size_t i = 0; i < AGENT_MAX_EDGES; i++)
		if (x->agent[i].c == NULL && slot_spec(x->d, i) != NULL &&
		    catsd_now_s(x->d) >= x->agent[i].next_try)
			agent_connect(x, i);
}

/* Whether a MUP site PE here has an edge to watch: the agent runs on it
 * even without the egress role. */
static bool
mup_edges(const struct catsd *d)
{
	for (size_t i = AGENT_MUP_BASE; i < AGENT_MAX_EDGES; i++)
		if (slot_spec(d, i) != NULL)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Input: one message per connection                                   */

static void
xc_message(struct xconn *c, size_t len)
{
	char why[APP_TEXT_MAX + 64];
	struct app_msg m;
	enum app_status rc;
	size_t off = 0;

	if ((rc = app_decode(c->in, len, &m, &off)) != APP_OK) {
		snprintf(why, sizeof(why), "malformed answer: offset %zu: %s",
		    off, app_strerror(rc));
		xc_fail(c, why);
		return;
	}
	if (m.type == APP_ERROR) {
		snprintf(why, sizeof(why), "error %s: %s",
		    app_errcode_name(m.u.err.code), m.u.err.text);
		xc_fail(c, why);
		return;
	}
	switch (c->kind) {
	case XC_EXPORT: on_exported(c, &m); break;
	case XC_SEND: on_sent(c, &m, len); break;
	case XC_IMPORT: on_imported(c, &m); break;
	case XC_RECV: on_received(c, &m); break;
	case XC_WATCH: break;		/* agent_input's */
	}
}

static void
xc_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct xconn *c = w->data;
	ssize_t n;
	long fl;

	(void)loop, (void)revents;
	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		xc_fail(c, n < 0 ? strerror(errno) : "closed before an answer");
		return;
	}
	c->inlen += (size_t)n;
	if (c->kind == XC_WATCH) {
		agent_input(c);
		return;
	}
	if ((fl = app_frame_len(c->in, c->inlen)) < 0) {
		xc_fail(c, "not a version 1 message");
		return;
	}
	if (fl == 0 || (size_t)fl > c->inlen)
		return;			/* the rest is on its way */
	if ((size_t)fl < c->inlen) {
		xc_fail(c, "more than one message");
		return;
	}
	ev_io_stop(c->x->d->loop, &c->rw);	/* one message, no more */
	xc_message(c, (size_t)fl);
}

static void
accept_one(struct xfer *x)
{
	struct sockaddr_in6 sin;
	socklen_t sl = sizeof(sin);
	char a[INET6_ADDRSTRLEN];
	struct xconn *c;
	int fd;

	fd = accept4(x->fd, (struct sockaddr *)&sin, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (sl < sizeof(sin) || sin.sin6_family != AF_INET6 ||
	    !peer_is_egress(x->d, sin.sin6_addr.s6_addr)) {
		log_warnx("transfer: connection from %s refused: not an "
		    "egress peer", a6(sin.sin6_addr.s6_addr, a));
		x->d->xfer_cnt.errors++;
		close(fd);
		return;
	}
	if ((c = xc_new(x, XC_RECV, fd)) == NULL) {
		close(fd);
		return;
	}
	memcpy(c->peer, sin.sin6_addr.s6_addr, 16);
	ev_io_start(x->d->loop, &c->rw);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	for (int i = 0; i < XFER_ACCEPTS; i++)
		accept_one(w->data);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int
listen_open(const struct conf *c)
{
	struct sockaddr_in6 sin;
	int fd, on = 1;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("transfer port: socket");
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin6_family = AF_INET6;
	sin.sin6_port = htons(c->transfer_port);
	memcpy(&sin.sin6_addr, c->node.addr, 16);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, XFER_MAX_CONN) < 0) {
		log_warn("transfer port %u", c->transfer_port);
		close(fd);
		return -1;
	}
	return fd;
}

int
xfer_open(struct catsd *d)
{
	bool egress = (d->conf.node.roles & NODE_EGRESS) != 0;
	struct xfer *x;

	if (!egress && !mup_edges(d))
		return 0;
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		log_warnx("transfer: out of memory");
		return -1;
	}
	x->d = d;
	if ((x->fsm = xfer_fsm_new(fsm_act, x)) == NULL) {
		log_warnx("transfer: out of memory");
		free(x);
		return -1;
	}
	/* the transfer port only on an egress with transfer_port; the load
	 * reports whenever an instance has an edge_control */
	x->fd = -1;
	if (egress && d->conf.transfer_port != 0 &&
	    (x->fd = listen_open(&d->conf)) < 0) {
		xfer_fsm_free(x->fsm);
		free(x);
		return -1;
	}
	if (x->fd >= 0) {
		ev_io_init(&x->w, accept_cb, x->fd, EV_READ);
		x->w.data = x;
		ev_io_start(d->loop, &x->w);
	}
	for (size_t i = 0; i < AGENT_MAX_EDGES; i++)
		d->agent_last[i].status = CATSD_NO_SELECTOR;
	ev_timer_init(&x->agent_w, agent_tick, 0., AGENT_RETRY);
	x->agent_w.data = x;
	ev_timer_start(d->loop, &x->agent_w);
	d->xfer = x;
	return 0;
}

void
xfer_close(struct catsd *d)
{
	struct xfer *x = d->xfer;

	if (x == NULL)
		return;
	for (size_t i = 0; i < XFER_MAX_CONN; i++)
		if (x->conns[i] != NULL)
			xc_free(x->conns[i]);
	ev_timer_stop(d->loop, &x->agent_w);
	if (x->fd >= 0) {
		ev_io_stop(d->loop, &x->w);
		close(x->fd);
	}
	xfer_fsm_free(x->fsm);
	free(x);
	d->xfer = NULL;
}
