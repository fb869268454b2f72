/*
 * bgp_peer: the finite state machine of one BGP session, RFC 4271 section 8.
 *
 * Sans-I/O: the driver feeds it stream bytes, transport events and the
 * time; it answers through the ops.  Like the daemons operators know, it
 * restarts itself after an error (RFC 4271 8.1.1, AllowAutomaticStart),
 * with an idle hold time that doubles on each failure up to a minute so a
 * peer that keeps failing is not hammered; it goes back to its base only
 * once a session has stayed up (DampPeerOscillations, drop_session).
 * A second connection of the same neighbor is held beside the session's
 * until RFC 4271 6.8 collision detection closes one of them (second_stays).
 * Messages are parsed in place from the caller's bytes; only a partial
 * message at the end of a read is copied, into one 4096-octet buffer.
 * A peer that sends more routes of a family than max_prefix allows is
 * ended with Cease 6/1 and held down (RFC 4486 4, RFC 4271 8.1.2).
 */
#include <stdlib.h>
#include <string.h>

#include "cats/bgp.h"

/* RFC 4271 8.2.2: "sets the HoldTimer to a large value", suggested 4 min. */
#define BGP_OPEN_HOLD_MS	(240 * 1000)
#define BGP_CONNECT_RETRY_MS	5000
#define BGP_IDLE_HOLD_MS	1000
#define BGP_IDLE_HOLD_MAX_MS	(60 * 1000)
#define BGP_STABLE_MS		(60 * 1000)

/*
 * RFC 4271 6.8: the neighbor's second connection, until one of the two is
 * closed.  It gets our OPEN; of what comes back only the OPEN, then one
 * KEEPALIVE, or a NOTIFICATION are expected before that.
 */
struct bgp_cand {
	bool			 up;
	bool			 in;		/* the neighbor opened it */
	bool			 open_rx;	/* its OPEN read, into 'open' */
	bool			 ka_rx;		/* then a KEEPALIVE */
	struct bgp_open		 open;
	uint64_t		 t_hold;	/* the end, without an answer */
	size_t			 ilen;		/* octets in ibuf */
	uint8_t			 ibuf[BGP_MAX_LEN];
};

struct bgp_peer {
	struct bgp_peer_cfg	 cfg;
	const struct bgp_peer_ops *ops;
	void			*ctx;
	enum bgp_state		 st;
	bool			 started;	/* ManualStart without ManualStop */
	struct bgp_open		 remote;
	uint32_t		 afs;		/* negotiated */
	uint16_t		 hold_s;	/* negotiated */
	const char		*down_why;	/* why the last drop, static */
	uint64_t		 t_connect;	/* deadlines, 0 = off */
	uint64_t		 t_hold;
	uint64_t		 t_keepalive;
	uint64_t		 t_idle;
	uint64_t		 t_armed;	/* last deadline given to the driver */
	uint32_t		 idle_hold_ms;	/* current back-off */
	uint64_t		 t_up;		/* when last Established */
	bool			 main_in;	/* the neighbor opened the session's */
	uint32_t		 gen;		/* changes with the connection */
	struct bgp_cand		 c2;
	bool			 pfx_down;	/* Idle after max_prefix */
	uint8_t			 pfx_warned;	/* families warned, this session */
	uint64_t		 rng;		/* ConnectRetry jitter */
	struct bgp_peer_counters cnt;
	size_t			 ilen;		/* octets in ibuf */
	uint8_t			 ibuf[BGP_MAX_LEN];
};

static const char *const state_names[BGP_ST__COUNT] = {
	[BGP_ST_IDLE] = "Idle",
	[BGP_ST_CONNECT] = "Connect",
	[BGP_ST_ACTIVE] = "Active",
	[BGP_ST_OPENSENT] = "OpenSent",
	[BGP_ST_OPENCONFIRM] = "OpenConfirm",
	[BGP_ST_ESTABLISHED] = "Established",
};

const char *
bgp_state_name(enum bgp_state s)
{
	if ((unsigned)s >= BGP_ST__COUNT)
		return "?";
	return state_names[s];
}

static uint64_t
min_deadline(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* Tell the driver the earliest deadline, when it changed. */
static void
rearm(struct bgp_peer *p)
{
	uint64_t t;

	t = min_deadline(min_deadline(p->t_connect, p->t_hold),
	    min_deadline(p->t_keepalive, p->t_idle));
	t = min_deadline(t, p->c2.t_hold);
	if (t == p->t_armed)
		return;
	p->t_armed = t;
	if (p->ops->timer != NULL)
		p->ops->timer(p->ctx, t);
}

static void
set_state(struct bgp_peer *p, enum bgp_state to)
{
	enum bgp_state from = p->st;

	if (from == to)
		return;
	p->st = to;
	if (to == BGP_ST_ESTABLISHED)
		p->cnt.established++;
	if (from == BGP_ST_ESTABLISHED)
		p->cnt.flaps++;
	if (p->ops->state != NULL)
		p->ops->state(p->ctx, from, to);
}

static void
send_raw(struct bgp_peer *p, const uint8_t *buf, size_t len)
{
	if (len >= BGP_HDR_LEN && buf[18] < 6)
		p->cnt.tx_msgs[buf[18]]++;
	p->ops->send(p->ctx, buf, len);
}

/* The same on the second connection. */
static void
send_raw2(struct bgp_peer *p, const uint8_t *buf, size_t len)
{
	if (len >= BGP_HDR_LEN && buf[18] < 6)
		p->cnt.tx_msgs[buf[18]]++;
	p->ops->send2(p->ctx, buf, len);
}

static void
send_keepalive(struct bgp_peer *p, uint64_t now)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	if (!bgp_keepalive_encode(&w))
		return;
	send_raw(p, buf, w.len);
	if (p->hold_s != 0 && p->st >= BGP_ST_OPENCONFIRM)
		p->t_keepalive = now + (uint64_t)p->hold_s * 1000 / 3;
}

static void
send_open(struct bgp_peer *p, bool second)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_open o = {
		.version = BGP_VERSION,
		.as = p->cfg.local_as,
		.hold = p->cfg.hold,
		.id = p->cfg.router_id,
		.afs = p->cfg.afs,
	};
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	if (!bgp_open_encode(&w, &o))
		return;
	if (second)
		send_raw2(p, buf, w.len);
	else
		send_raw(p, buf, w.len);
}

static void
send_notif(struct bgp_peer *p, uint8_t code, uint8_t subcode,
    const uint8_t *data, size_t len)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_notif n = {
		.code = code, .subcode = subcode, .data = data,
		.len = (uint16_t)(len > 64 ? 64 : len),
	};
	struct wbuf w;

	wb_init(&w, buf, sizeof(buf));
	if (!bgp_notif_encode(&w, &n))
		return;
	p->cnt.notif_tx++;
	send_raw(p, buf, w.len);
}

/*
 * Close the second connection, with a NOTIFICATION (no data) first when
 * code is not 0.
 */
static void
c2_close(struct bgp_peer *p, uint8_t code, uint8_t subcode)
{
	uint8_t buf[BGP_HDR_LEN + 2];
	struct bgp_notif n = { .code = code, .subcode = subcode };
	struct wbuf w;

	if (!p->c2.up)
		return;
	wb_init(&w, buf, sizeof(buf));
	if (code != 0 && bgp_notif_encode(&w, &n)) {
		p->cnt.notif_tx++;
		send_raw2(p, buf, w.len);
	}
	p->c2.up = p->c2.open_rx = p->c2.ka_rx = false;
	p->c2.ilen = 0;
	p->c2.t_hold = 0;
	p->ops->close2(p->ctx);
}

static void accept_open(struct bgp_peer *, const struct bgp_open *, uint64_t);
static void on_keepalive(struct bgp_peer *, uint64_t);

/*
 * The second connection becomes the session's: the driver closes the
 * first ('swap'; the caller sent what had to go on it) and the session
 * goes on from where the second one is: OpenSent, or OpenConfirm when its
 * OPEN came, or Established when a KEEPALIVE followed.
 */
static void
promote(struct bgp_peer *p, uint64_t now)
{
	struct bgp_cand *c = &p->c2;
	struct bgp_open o = c->open;
	bool open_rx = c->open_rx, ka_rx = c->ka_rx;

	p->ops->swap(p->ctx);
	p->gen++;
	p->main_in = c->in;
	p->ilen = 0;
	p->t_connect = p->t_keepalive = 0;
	p->t_hold = c->t_hold;
	p->afs = 0;
	p->hold_s = 0;
	memset(&p->remote, 0, sizeof(p->remote));
	c->up = c->open_rx = c->ka_rx = false;
	c->t_hold = 0;
	c->ilen = 0;
	if (!open_rx)
		set_state(p, BGP_ST_OPENSENT);
	else
		accept_open(p, &o, now);	/* to OpenConfirm */
	if (open_rx && ka_rx)
		on_keepalive(p, now);
	rearm(p);
}

/*
 * RFC 4271 6.8, the rule in one place: true when the second connection
 * stays and the session's own is closed.  o is the neighbor's OPEN just
 * read (on either connection).
 */
static bool
second_stays(const struct bgp_peer *p, const struct bgp_open *o)
{
	bool ours;

	/* 6.8, last paragraph: an Established session keeps its own. */
	if (p->st == BGP_ST_ESTABLISHED)
		return false;
	/* Both opened by the neighbor (6.8 is about one each way): it
	 * would not open another unless it gave the first up. */
	if (p->c2.in == p->main_in)
		return true;
	/* 6.8: the higher BGP Identifier keeps the connection it opened.
	 * Equal ones are allowed between ASes (RFC 6286 2.2, we do not
	 * refuse our own): the larger AS keeps its own (RFC 6286 2.3). */
	if (p->cfg.router_id != o->id)
		ours = p->cfg.router_id > o->id;
	else
		ours = p->cfg.local_as > o->as;
	return ours != p->c2.in;
}

/*
 * Close the loser with Cease 6/7, "Connection Collision Resolution" (RFC
 * 4486 3), and count whose connection won.  True when the second stayed.
 */
static bool
collide(struct bgp_peer *p, const struct bgp_open *o, uint64_t now)
{
	bool second = second_stays(p, o);

	if (second ? p->c2.in : p->main_in)
		p->cnt.collision_theirs++;
	else
		p->cnt.collision_ours++;
	if (!second) {
		c2_close(p, BGP_NC_CEASE, 7);
		rearm(p);
		return false;
	}
	send_notif(p, BGP_NC_CEASE, 7, NULL, 0);
	p->down_why = "connection collision, the other connection kept";
	promote(p, now);
	return true;
}

/*
 * RFC 4271 8.1.1 and 8.2.1.3, DampPeerOscillations: a session counts as
 * stable once up for a minute (stable_ms) and at least its hold time.
 */
static bool
was_stable(const struct bgp_peer *p, uint64_t now)
{
	uint64_t need = p->cfg.stable_ms;

	if ((uint64_t)p->hold_s * 1000 > need)
		need = (uint64_t)p->hold_s * 1000;
	return p->st == BGP_ST_ESTABLISHED && now >= p->t_up + need;
}

/*
 * Drop the transport and go to Idle; with the session still started, come
 * back after the idle hold time, doubled each time (RFC 4271 8.1.1).
 */
static void
drop_session(struct bgp_peer *p, uint64_t now)
{
	/* RFC 4271 6.8: the session's connection ended before Established
	 * (the neighbor may have closed it for the collision): the second
	 * one carries on, no back-off. */
	if (p->c2.up && p->started && p->st >= BGP_ST_OPENSENT &&
	    p->st != BGP_ST_ESTABLISHED) {
		promote(p, now);
		return;
	}
	c2_close(p, 0, 0);
	/* DampPeerOscillations (RFC 4271 8.1.1, 8.2.1.3): the back-off goes
	 * back to its base only after a session that stayed up; one that
	 * fails soon after Established keeps doubling, up to the cap. */
	if (was_stable(p, now))
		p->idle_hold_ms = p->cfg.idle_hold_ms;
	p->gen++;
	p->ops->disconnect(p->ctx);
	p->ilen = 0;
	p->t_connect = p->t_hold = p->t_keepalive = 0;
	p->t_idle = 0;
	p->afs = 0;
	p->hold_s = 0;
	p->pfx_warned = 0;
	memset(&p->remote, 0, sizeof(p->remote));
	set_state(p, BGP_ST_IDLE);
	if (p->started) {
		p->t_idle = now + p->idle_hold_ms;
		p->idle_hold_ms *= 2;
		if (p->idle_hold_ms > p->cfg.idle_hold_max_ms)
			p->idle_hold_ms = p->cfg.idle_hold_max_ms;
	}
	rearm(p);
}

/* An error of ours to report: NOTIFICATION, then close (RFC 4271 6). */
static void
fail(struct bgp_peer *p, enum bgp_err e, size_t off, const uint8_t *data,
    size_t len, uint64_t now)
{
	uint8_t code, subcode;

	p->cnt.rx_err[e < BGP_E__COUNT ? e : 0]++;
	bgp_err_notif(e, &code, &subcode);
	send_notif(p, code, subcode, data, len);
	if (p->ops->error != NULL)
		p->ops->error(p->ctx, e, off, true);
	p->down_why = "error, NOTIFICATION sent";
	drop_session(p, now);
}

/* RFC 4271 8.2.2: an event that is not expected in this state. */
static void
fsm_error(struct bgp_peer *p, uint64_t now)
{
	uint8_t sub;

	switch (p->st) {
	case BGP_ST_OPENSENT:
		sub = 1;
		break;
	case BGP_ST_OPENCONFIRM:
		sub = 2;
		break;
	default:
		sub = 3;	/* RFC 6608 subcodes */
		break;
	}
	p->cnt.fsm_errors++;
	send_notif(p, BGP_NC_FSM, sub, NULL, 0);
	p->down_why = "FSM error, NOTIFICATION sent";
	drop_session(p, now);
}

/*
 * RFC 4271 10: ConnectRetry times are jittered, a factor uniform in 0.75
 * to 1.0, so that speakers that failed together do not retry together.
 * Sans-I/O: the draws come from a generator seeded with the identifiers.
 */
static uint64_t
connect_retry(struct bgp_peer *p)
{
	uint64_t x = p->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p->rng = x;
	return p->cfg.connect_retry_ms -
	    (uint64_t)p->cfg.connect_retry_ms * (x % 1024) / 4096;
}

static void
begin_connect(struct bgp_peer *p, uint64_t now)
{
	p->t_idle = 0;
	p->t_connect = now + connect_retry(p);
	if (p->cfg.passive) {
		set_state(p, BGP_ST_ACTIVE);
		p->t_connect = 0;
	} else {
		set_state(p, BGP_ST_CONNECT);
		p->ops->connect(p->ctx);
	}
	rearm(p);
}

struct bgp_peer *
bgp_peer_new(const struct bgp_peer_cfg *cfg, const struct bgp_peer_ops *ops,
    void *ctx, const char **why)
{
	struct bgp_peer *p;

	if (cfg->router_id == 0 || cfg->local_as == 0) {
		*why = "router id and local AS must be non-zero";
		return NULL;
	}
	if (cfg->hold == 1 || cfg->hold == 2) {
		*why = "hold time must be 0 or at least 3 s (RFC 4271 4.2)";
		return NULL;
	}
	if (cfg->afs == 0 || cfg->afs >= 1u << BGP_AF__COUNT) {
		*why = "no (or an unknown) address family";
		return NULL;
	}
	if (cfg->max_prefix_warn_pct > 100) {
		*why = "max_prefix warning above 100 %";
		return NULL;
	}
	if (ops->send == NULL || ops->connect == NULL ||
	    ops->disconnect == NULL) {
		*why = "send, connect and disconnect ops are required";
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	p->cfg = *cfg;
	if (p->cfg.connect_retry_ms == 0)
		p->cfg.connect_retry_ms = BGP_CONNECT_RETRY_MS;
	if (p->cfg.idle_hold_ms == 0)
		p->cfg.idle_hold_ms = BGP_IDLE_HOLD_MS;
	if (p->cfg.stable_ms == 0)
		p->cfg.stable_ms = BGP_STABLE_MS;
	if (p->cfg.idle_hold_max_ms == 0)
		p->cfg.idle_hold_max_ms = BGP_IDLE_HOLD_MAX_MS;
	if (p->cfg.idle_hold_max_ms < p->cfg.idle_hold_ms)
		p->cfg.idle_hold_max_ms = p->cfg.idle_hold_ms;
	p->idle_hold_ms = p->cfg.idle_hold_ms;
	p->rng = ((uint64_t)cfg->router_id << 32 | cfg->peer_as) ^
	    0x9e3779b97f4a7c15ull;
	p->ops = ops;
	p->ctx = ctx;
	return p;
}

void
bgp_peer_free(struct bgp_peer *p)
{
	free(p);
}

void
bgp_peer_start(struct bgp_peer *p, uint64_t now)
{
	if (p->started && !p->pfx_down)
		return;
	p->started = true;
	p->pfx_down = false;
	p->t_idle = 0;
	p->idle_hold_ms = p->cfg.idle_hold_ms;
	if (p->st == BGP_ST_IDLE)
		begin_connect(p, now);
}

void
bgp_peer_stop(struct bgp_peer *p, uint64_t now)
{
	p->started = false;
	p->pfx_down = false;
	if (p->st >= BGP_ST_OPENSENT)
		send_notif(p, BGP_NC_CEASE, 2, NULL, 0);	/* RFC 4486 */
	c2_close(p, BGP_NC_CEASE, 2);
	p->down_why = "stopped here";
	drop_session(p, now);
}

static void
transport_up(struct bgp_peer *p, bool inbound, uint64_t now)
{
	if (!p->started || (p->st != BGP_ST_CONNECT &&
	    p->st != BGP_ST_ACTIVE)) {
		/* Not wanted now: refuse by closing (RFC 4271 8.2.2 Idle). */
		p->ops->disconnect(p->ctx);
		return;
	}
	p->gen++;
	p->main_in = inbound;
	p->ilen = 0;
	p->t_connect = 0;
	send_open(p, false);
	p->t_hold = now + BGP_OPEN_HOLD_MS;
	set_state(p, BGP_ST_OPENSENT);
	rearm(p);
}

void
bgp_peer_connected(struct bgp_peer *p, uint64_t now)
{
	transport_up(p, false, now);
}

void
bgp_peer_accepted(struct bgp_peer *p, uint64_t now)
{
	transport_up(p, true, now);
}

void
bgp_peer_closed(struct bgp_peer *p, uint64_t now)
{
	/* RFC 4271 6.8: the neighbor may close the loser of a collision
	 * without a NOTIFICATION: the second connection goes on. */
	if (p->c2.up && p->st >= BGP_ST_OPENSENT &&
	    p->st != BGP_ST_ESTABLISHED) {
		promote(p, now);
		return;
	}
	switch (p->st) {
	case BGP_ST_IDLE:
		return;
	case BGP_ST_CONNECT:
	case BGP_ST_OPENSENT:
		/* RFC 4271 8.2.2: TcpConnectionFails -> Active, retry. */
		p->ilen = 0;
		p->t_hold = 0;
		p->t_connect = p->cfg.passive ? 0 : now + connect_retry(p);
		p->ops->disconnect(p->ctx);
		set_state(p, BGP_ST_ACTIVE);
		rearm(p);
		return;
	case BGP_ST_ACTIVE:
		return;
	default:
		p->down_why = "connection closed";
		drop_session(p, now);
		return;
	}
}

/* A good OPEN of the neighbor's on the session's connection. */
static void
accept_open(struct bgp_peer *p, const struct bgp_open *o, uint64_t now)
{
	uint16_t hold;

	p->remote = *o;
	p->afs = o->afs & p->cfg.afs;
	hold = o->hold < p->cfg.hold ? o->hold : p->cfg.hold;
	p->hold_s = hold;
	send_keepalive(p, now);
	set_state(p, BGP_ST_OPENCONFIRM);
	/* With hold 0 there is no timer once Established; until then the
	 * large one stays, or a peer that never sends KEEPALIVE keeps us in
	 * OpenConfirm for ever. */
	p->t_hold = now + (hold != 0 ? (uint64_t)hold * 1000 : BGP_OPEN_HOLD_MS);
	p->t_keepalive = hold != 0 ? now + (uint64_t)hold * 1000 / 3 : 0;
	rearm(p);
}

/* RFC 4271 4.2 and 6.2: the peer's OPEN against what we expect. */
static enum bgp_err
check_open(const struct bgp_peer *p, const uint8_t *body, size_t len,
    struct bgp_open *o, size_t *off)
{
	enum bgp_err e;

	*off = 0;
	if ((e = bgp_open_decode(body, len, o, off)) != BGP_OK)
		return e;
	if (p->cfg.peer_as != 0 && o->as != p->cfg.peer_as) {
		*off = 1;
		return BGP_E_OPEN_AS;
	}
	return BGP_OK;
}

static void
on_open(struct bgp_peer *p, const uint8_t *body, size_t len, uint64_t now)
{
	struct bgp_open o;
	enum bgp_err e;
	size_t off;

	if (p->st != BGP_ST_OPENSENT) {
		fsm_error(p, now);
		return;
	}
	if ((e = check_open(p, body, len, &o, &off)) != BGP_OK) {
		fail(p, e, BGP_HDR_LEN + off, NULL, 0, now);
		return;
	}
	/* RFC 4271 6.8: the second connection has the neighbor's OPEN too. */
	if (p->c2.open_rx && collide(p, &o, now))
		return;
	accept_open(p, &o, now);
}

static void
on_keepalive(struct bgp_peer *p, uint64_t now)
{
	if (p->st == BGP_ST_OPENCONFIRM) {
		if (p->hold_s == 0)
			p->t_hold = 0;
		p->t_up = now;
		set_state(p, BGP_ST_ESTABLISHED);
		/* RFC 4271 6.8, last paragraph: a second connection loses
		 * to an Established session. */
		if (p->c2.up && p->st == BGP_ST_ESTABLISHED)
			collide(p, &p->remote, now);
		return;
	}
	if (p->st != BGP_ST_ESTABLISHED)
		fsm_error(p, now);
}

static bool
af_negotiated(const struct bgp_peer *p, uint16_t afi, uint8_t safi)
{
	int af = bgp_af_of(afi, safi);

	return af >= 0 && (p->afs & 1u << af);
}

/*
 * RFC 4486 4: Cease, "Maximum Number of Prefixes Reached", with the
 * family and the limit as data (AFI 2, SAFI 1, bound 4 octets).  Then Idle
 * as on any end (the owner withdraws the peer's routes), held there for
 * max_prefix_restart_s or until a ManualStart.
 */
static void
max_prefix_reached(struct bgp_peer *p, enum bgp_af af, size_t n,
    uint64_t now)
{
	uint8_t data[7];
	struct wbuf w;
	uint16_t afi;
	uint8_t safi;

	bgp_af_tuple(af, &afi, &safi);
	wb_init(&w, data, sizeof(data));
	wb_u16(&w, afi);
	wb_u8(&w, safi);
	wb_u32(&w, p->cfg.max_prefix);
	p->cnt.max_prefix++;
	if (p->ops->prefix_limit != NULL)
		p->ops->prefix_limit(p->ctx, af, n, true);
	send_notif(p, BGP_NC_CEASE, 1, data, w.len);
	p->down_why = "max_prefix exceeded";
	drop_session(p, now);
	p->pfx_down = true;
	p->t_idle = p->cfg.max_prefix_restart_s != 0 ?
	    now + (uint64_t)p->cfg.max_prefix_restart_s * 1000 : 0;
	rearm(p);
}

/* After an UPDATE of family af was applied: the limit, then the warning. */
static void
check_prefixes(struct bgp_peer *p, int af, uint64_t now)
{
	uint64_t max = p->cfg.max_prefix;
	size_t n;

	if (max == 0 || af < 0 || !(p->afs & 1u << af) ||
	    p->ops->routes == NULL)
		return;
	n = p->ops->routes(p->ctx, (enum bgp_af)af);
	if (n > max) {
		max_prefix_reached(p, (enum bgp_af)af, n, now);
		return;
	}
	if (p->cfg.max_prefix_warn_pct == 0 || (p->pfx_warned & 1u << af) ||
	    (uint64_t)n * 100 < max * p->cfg.max_prefix_warn_pct)
		return;
	p->pfx_warned |= (uint8_t)(1u << af);
	p->cnt.max_prefix_warnings++;
	if (p->ops->prefix_limit != NULL)
		p->ops->prefix_limit(p->ctx, (enum bgp_af)af, n, false);
}

static void
on_update(struct bgp_peer *p, const uint8_t *body, size_t len, uint64_t now)
{
	struct bgp_update u;

	if (p->st != BGP_ST_ESTABLISHED) {
		fsm_error(p, now);
		return;
	}
	bgp_update_decode(body, len, (p->remote.as4), &u);
	if (u.err != BGP_OK) {
		if (u.action == BGP_ACT_SESSION_RESET) {
			fail(p, u.err, BGP_HDR_LEN + u.off, NULL, 0, now);
			return;
		}
		p->cnt.rx_err[u.err]++;
		if (u.action == BGP_ACT_TREAT_AS_WITHDRAW)
			p->cnt.treat_as_withdraw++;
		else
			p->cnt.attr_discard++;
		if (p->ops->error != NULL)
			p->ops->error(p->ctx, u.err, BGP_HDR_LEN + u.off,
			    false);
	}
	/* RFC 4760 7 and RFC 4271 9: what was not negotiated is ignored. */
	if (u.nlri_len != 0 || u.withdrawn_len != 0)
		p->cnt.ignored_nlri++;
	if (u.a.reach_len != 0 && !af_negotiated(p, u.a.reach_afi,
	    u.a.reach_safi)) {
		p->cnt.ignored_nlri++;
		u.a.reach_len = 0;
	}
	if (u.a.unreach_len != 0 && !af_negotiated(p, u.a.unreach_afi,
	    u.a.unreach_safi)) {
		p->cnt.ignored_nlri++;
		u.a.unreach_len = 0;
	}
	if (p->ops->update != NULL)
		p->ops->update(p->ctx, &u);
	/* Only announcements add routes; the owner may have reset. */
	if (u.a.reach_len != 0 && u.action != BGP_ACT_TREAT_AS_WITHDRAW &&
	    p->st == BGP_ST_ESTABLISHED)
		check_prefixes(p, bgp_af_of(u.a.reach_afi, u.a.reach_safi),
		    now);
}

static void
on_notification(struct bgp_peer *p, const uint8_t *body, size_t len,
    uint64_t now)
{
	struct bgp_notif n;

	p->cnt.notif_rx++;
	if (bgp_notif_decode(body, len, &n) != BGP_OK)
		p->cnt.rx_err[BGP_E_NOTIF]++;
	/* RFC 4271 8.2.2: NotifMsg in any state -> Idle, no reply. */
	p->down_why = "NOTIFICATION received";
	drop_session(p, now);
}

static void
on_refresh(struct bgp_peer *p, const uint8_t *body, size_t len,
    uint64_t now)
{
	uint16_t afi;
	uint8_t safi;
	int af;

	if (p->st != BGP_ST_ESTABLISHED) {
		fsm_error(p, now);
		return;
	}
	if (bgp_refresh_decode(body, len, &afi, &safi) != BGP_OK) {
		fail(p, BGP_E_REFRESH, BGP_HDR_LEN, NULL, 0, now);
		return;
	}
	/* RFC 2918 4: a family not negotiated is ignored. */
	af = bgp_af_of(afi, safi);
	if (af < 0 || !(p->afs & 1u << af))
		return;
	if (p->ops->refresh != NULL)
		p->ops->refresh(p->ctx, (enum bgp_af)af);
}

/* One whole message; false once the session has gone. */
static bool
dispatch(struct bgp_peer *p, const uint8_t *msg, size_t len, uint8_t type,
    uint64_t now)
{
	const uint8_t *body = msg + BGP_HDR_LEN;
	size_t blen = len - BGP_HDR_LEN;
	uint32_t gen = p->gen;

	p->cnt.rx_msgs[type]++;
	/* RFC 4271 6.5: a KEEPALIVE or an UPDATE restarts the hold timer. */
	if (p->hold_s != 0 && p->st == BGP_ST_ESTABLISHED &&
	    type == BGP_UPDATE)
		p->t_hold = now + (uint64_t)p->hold_s * 1000;
	switch (type) {
	case BGP_OPEN:
		on_open(p, body, blen, now);
		break;
	case BGP_UPDATE:
		on_update(p, body, blen, now);
		break;
	case BGP_NOTIFICATION:
		on_notification(p, body, blen, now);
		break;
	case BGP_KEEPALIVE:
		if (p->hold_s != 0 && p->st >= BGP_ST_OPENCONFIRM)
			p->t_hold = now + (uint64_t)p->hold_s * 1000;
		on_keepalive(p, now);
		break;
	case BGP_ROUTE_REFRESH:
		on_refresh(p, body, blen, now);
		break;
	}
	rearm(p);
	/* a collision may have swapped the connection under this read */
	return p->st >= BGP_ST_OPENSENT && p->gen == gen;
}

/*
 * Parse whole messages from p[0..n); returns what was consumed, which is
 * less than n only for a partial message at the end.
 */
static size_t
consume(struct bgp_peer *peer, const uint8_t *p, size_t n, uint64_t now,
    bool *gone)
{
	size_t off = 0;
	uint16_t len;
	uint8_t type;
	enum bgp_err e;

	*gone = false;
	while (n - off >= BGP_HDR_LEN) {
		e = bgp_hdr_decode(p + off, n - off, &type, &len);
		if (e != BGP_OK) {
			/* RFC 4271 6.1: the bad length, or the bad type,
			 * goes back as data. */
			fail(peer, e, 0, p + off + (e == BGP_E_TYPE ? 18 : 16),
			    e == BGP_E_LENGTH || e == BGP_E_MSG_LENGTH ? 2 :
			    e == BGP_E_TYPE ? 1 : 0, now);
			*gone = true;
			return n;
		}
		if (len > n - off)
			break;
		if (!dispatch(peer, p + off, len, type, now)) {
			*gone = true;
			return n;
		}
		off += len;
	}
	return off;
}

/* Complete the message held from the last read; returns octets taken. */
static size_t
fill_held(struct bgp_peer *p, const uint8_t *buf, size_t n, uint64_t now,
    bool *gone)
{
	size_t need, take, taken = 0;
	uint16_t len;
	uint8_t type;

	*gone = false;
	for (;;) {
		need = BGP_HDR_LEN;
		if (p->ilen >= BGP_HDR_LEN) {
			if (bgp_hdr_decode(p->ibuf, p->ilen, &type, &len) !=
			    BGP_OK) {
				consume(p, p->ibuf, p->ilen, now, gone);
				return n;
			}
			need = len;
		}
		if (p->ilen == need) {
			consume(p, p->ibuf, p->ilen, now, gone);
			p->ilen = 0;
			return taken;
		}
		if (taken == n)
			return taken;
		take = need - p->ilen < n - taken ? need - p->ilen : n - taken;
		memcpy(p->ibuf + p->ilen, buf + taken, take);
		p->ilen += take;
		taken += take;
	}
}

void
bgp_peer_input(struct bgp_peer *p, const uint8_t *buf, size_t n,
    uint64_t now)
{
	size_t used;
	bool gone;

	if (p->st < BGP_ST_OPENSENT)
		return;
	if (p->ilen > 0) {
		used = fill_held(p, buf, n, now, &gone);
		if (gone || p->ilen > 0)
			return;
		buf += used;
		n -= used;
	}
	used = consume(p, buf, n, now, &gone);
	if (gone)
		return;
	memcpy(p->ibuf, buf + used, n - used);
	p->ilen = n - used;
}

void
bgp_peer_tick(struct bgp_peer *p, uint64_t now)
{
	if (p->t_idle != 0 && now >= p->t_idle) {
		p->t_idle = 0;
		p->pfx_down = false;
		if (p->started && p->st == BGP_ST_IDLE)
			begin_connect(p, now);
	}
	if (p->t_connect != 0 && now >= p->t_connect) {
		/* RFC 4271 8.2.2: ConnectRetryTimer_Expires, try again. */
		p->ops->disconnect(p->ctx);
		begin_connect(p, now);
	}
	if (p->t_hold != 0 && now >= p->t_hold) {
		p->t_hold = 0;
		send_notif(p, BGP_NC_HOLD, 0, NULL, 0);
		p->down_why = "hold timer expired";	/* RFC 4271 6.5 */
		drop_session(p, now);
		return;
	}
	if (p->t_keepalive != 0 && now >= p->t_keepalive)
		send_keepalive(p, now);
	if (p->c2.t_hold != 0 && now >= p->c2.t_hold)
		c2_close(p, BGP_NC_HOLD, 0);
	p->t_armed = UINT64_MAX;	/* the driver's timer has gone off */
	rearm(p);
}

bool
bgp_peer_second(struct bgp_peer *p, bool inbound, uint64_t now)
{
	struct bgp_cand *c = &p->c2;

	if (p->ops->send2 == NULL || p->ops->close2 == NULL ||
	    p->ops->swap == NULL)
		return false;
	if (!p->started || c->up || p->st < BGP_ST_OPENSENT)
		return false;
	c->up = true;
	c->in = inbound;
	c->open_rx = c->ka_rx = false;
	c->ilen = 0;
	if (p->st == BGP_ST_ESTABLISHED) {
		collide(p, &p->remote, now);
		return true;
	}
	send_open(p, true);
	c->t_hold = now + BGP_OPEN_HOLD_MS;
	rearm(p);
	return true;
}

/*
 * One whole message on the second connection; true once that connection
 * has become the session's.  RFC 4271 6.8: its OPEN decides the collision
 * when the session's connection has the neighbor's OPEN too.
 */
static bool
c2_message(struct bgp_peer *p, uint8_t type, const uint8_t *body,
    size_t blen, uint64_t now)
{
	struct bgp_cand *c = &p->c2;
	uint8_t code, sub;
	enum bgp_err e;
	size_t off;

	p->cnt.rx_msgs[type]++;
	if (type == BGP_NOTIFICATION) {
		p->cnt.notif_rx++;
		c2_close(p, 0, 0);
		return false;
	}
	/* RFC 4271 8.2.2: in OpenConfirm the neighbor keeps sending a
	 * KEEPALIVE each KeepaliveTimer on it, however long we wait. */
	if (type == BGP_KEEPALIVE && c->open_rx) {
		c->ka_rx = true;
		return false;
	}
	if (type != BGP_OPEN || c->open_rx) {
		p->cnt.fsm_errors++;
		c2_close(p, BGP_NC_FSM, c->open_rx ? 2 : 1);
		return false;
	}
	if ((e = check_open(p, body, blen, &c->open, &off)) != BGP_OK) {
		p->cnt.rx_err[e]++;
		bgp_err_notif(e, &code, &sub);
		c2_close(p, code, sub);
		return false;
	}
	c->open_rx = true;
	if (p->st == BGP_ST_OPENSENT)
		return false;	/* the session's OPEN decides, when it comes */
	return collide(p, &c->open, now);
}

void
bgp_peer_input2(struct bgp_peer *p, const uint8_t *buf, size_t n,
    uint64_t now)
{
	struct bgp_cand *c = &p->c2;
	uint8_t code, sub, type;
	size_t need, take;
	enum bgp_err e;
	uint16_t len;

	while (c->up) {
		need = BGP_HDR_LEN;
		if (c->ilen >= BGP_HDR_LEN) {
			e = bgp_hdr_decode(c->ibuf, c->ilen, &type, &len);
			if (e != BGP_OK) {
				p->cnt.rx_err[e]++;
				bgp_err_notif(e, &code, &sub);
				c2_close(p, code, sub);
				return;
			}
			need = len;
		}
		if (c->ilen == need) {
			c->ilen = 0;
			if (!c2_message(p, type, c->ibuf + BGP_HDR_LEN,
			    need - BGP_HDR_LEN, now))
				continue;
			/* now the session's: so is the rest of the read */
			if (n > 0)
				bgp_peer_input(p, buf, n, now);
			return;
		}
		if (n == 0)
			return;
		take = need - c->ilen < n ? need - c->ilen : n;
		memcpy(c->ibuf + c->ilen, buf, take);
		c->ilen += take;
		buf += take;
		n -= take;
	}
}

void
bgp_peer_closed2(struct bgp_peer *p, uint64_t now)
{
	(void)now;
	p->c2.up = p->c2.open_rx = p->c2.ka_rx = false;
	p->c2.ilen = 0;
	p->c2.t_hold = 0;
	rearm(p);
}

void
bgp_peer_reset(struct bgp_peer *p, enum bgp_err e, size_t off, uint64_t now)
{
	if (p->st < BGP_ST_OPENSENT)
		return;
	fail(p, e, off, NULL, 0, now);
}

bool
bgp_peer_send(struct bgp_peer *p, const uint8_t *msg, size_t len,
    uint64_t now)
{
	(void)now;
	if (p->st != BGP_ST_ESTABLISHED || len < BGP_HDR_LEN)
		return false;
	send_raw(p, msg, len);
	return true;
}

enum bgp_state
bgp_peer_state(const struct bgp_peer *p)
{
	return p->st;
}

const struct bgp_open *
bgp_peer_remote(const struct bgp_peer *p)
{
	return &p->remote;
}

uint32_t
bgp_peer_afs(const struct bgp_peer *p)
{
	return p->afs;
}

uint16_t
bgp_peer_hold(const struct bgp_peer *p)
{
	return p->hold_s;
}

const char *
bgp_peer_down_why(const struct bgp_peer *p)
{
	return p->down_why != NULL ? p->down_why : "down";
}

const struct bgp_peer_counters *
bgp_peer_counters(const struct bgp_peer *p)
{
	return &p->cnt;
}

const struct bgp_peer_cfg *
bgp_peer_config(const struct bgp_peer *p)
{
	return &p->cfg;
}

bool
bgp_peer_prefix_down(const struct bgp_peer *p, uint64_t *until_ms)
{
	*until_ms = p->pfx_down ? p->t_idle : 0;
	return p->pfx_down;
}
