/*
 * The BGP session state machine (src/core/bgp_peer.c, RFC 4271 section 8)
 * and the RIB (src/core/bgp_rib.c), driven with a fake transport and
 * clock: every message the FSM sends is captured and decoded again.  The
 * transport has room for the neighbor's second connection (RFC 4271 6.8):
 * 'out2' is what went on it; a swap keeps what went on the closed first
 * one in 'old' and makes the second's stream the session's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cats/bgp.h"

#define ASN	65000

struct wire {
	uint8_t		 out[16384];	/* what the FSM sent, concatenated */
	size_t		 olen;
	unsigned	 connects, disconnects, updates;
	uint64_t	 timer;
	enum bgp_state	 states[32];
	size_t		 nstates;
	struct bgp_update last;
	uint8_t		 last_body[BGP_MAX_LEN];
	enum bgp_err	 last_err;
	bool		 err_sent;
	struct bgp_peer	*reset_on_update;	/* the owner finds an error */
	struct bgp_rib	*rib;		/* the owner's RIB, when set */
	unsigned	 limit_warn, limit_exceeded;	/* prefix_limit calls */
	size_t		 limit_routes;
	uint8_t		 out2[4096];	/* on the second connection */
	size_t		 o2len;
	uint8_t		 old[16384];	/* on the first, after a swap */
	size_t		 oldlen;
	unsigned	 close2s, swaps;
};

static void
w_send(void *ctx, const uint8_t *b, size_t n)
{
	struct wire *w = ctx;

	assert_true(w->olen + n <= sizeof(w->out));
	memcpy(w->out + w->olen, b, n);
	w->olen += n;
}

static void
w_send2(void *ctx, const uint8_t *b, size_t n)
{
	struct wire *w = ctx;

	assert_true(w->o2len + n <= sizeof(w->out2));
	memcpy(w->out2 + w->o2len, b, n);
	w->o2len += n;
}

static void
w_close2(void *ctx)
{
	((struct wire *)ctx)->close2s++;
}

/* As the daemon: the first connection closed, the second in its place. */
static void
w_swap(void *ctx)
{
	struct wire *w = ctx;

	w->swaps++;
	memcpy(w->old, w->out, w->olen);
	w->oldlen = w->olen;
	memcpy(w->out, w->out2, w->o2len);
	w->olen = w->o2len;
	w->o2len = 0;
}

static void
w_connect(void *ctx)
{
	((struct wire *)ctx)->connects++;
}

static void
w_disconnect(void *ctx)
{
	((struct wire *)ctx)->disconnects++;
}

static void
w_timer(void *ctx, uint64_t at)
{
	((struct wire *)ctx)->timer = at;
}

static void
w_state(void *ctx, enum bgp_state from, enum bgp_state to)
{
	struct wire *w = ctx;

	if (w->nstates < 32)
		w->states[w->nstates++] = to;
	/* as the daemon: a session's end withdraws its routes */
	if (from == BGP_ST_ESTABLISHED && w->rib != NULL)
		bgp_rib_flush(w->rib, 0);
}

static size_t
w_routes(void *ctx, enum bgp_af af)
{
	struct wire *w = ctx;

	return w->rib != NULL ? bgp_rib_peer_af_routes(w->rib, 0, af) : 0;
}

static void
w_prefix_limit(void *ctx, enum bgp_af af, size_t routes, bool exceeded)
{
	struct wire *w = ctx;

	assert_int_equal(af, BGP_AF_IPV6_MUP);
	w->limit_routes = routes;
	if (exceeded)
		w->limit_exceeded++;
	else
		w->limit_warn++;
}

static void
w_update(void *ctx, const struct bgp_update *u)
{
	struct wire *w = ctx;

	w->updates++;
	w->last = *u;
	if (w->rib != NULL) {
		enum bgp_err e;

		assert_true(bgp_rib_apply(w->rib, 0, u, &e) >= 0);
	}
	if (w->reset_on_update != NULL)
		bgp_peer_reset(w->reset_on_update, BGP_E_NLRI, 23, 500);
}

static void
w_error(void *ctx, enum bgp_err e, size_t off, bool sent)
{
	struct wire *w = ctx;

	(void)off;
	w->last_err = e;
	w->err_sent = sent;
}

static const struct bgp_peer_ops wire_ops = {
	.send = w_send, .connect = w_connect, .disconnect = w_disconnect,
	.timer = w_timer, .state = w_state, .update = w_update,
	.error = w_error, .routes = w_routes, .prefix_limit = w_prefix_limit,
	.send2 = w_send2, .close2 = w_close2, .swap = w_swap,
};

/* The type of the i-th message in a stream, or 0. */
static uint8_t
msg_at(const uint8_t *b, size_t blen_all, size_t i, const uint8_t **body,
    size_t *blen)
{
	size_t off = 0;
	uint16_t len;
	uint8_t type;

	for (;;) {
		if (off >= blen_all)
			return 0;
		assert_int_equal(bgp_hdr_decode(b + off, blen_all - off,
		    &type, &len), BGP_OK);
		if (i-- == 0)
			break;
		off += len;
	}
	if (body != NULL) {
		*body = b + off + BGP_HDR_LEN;
		*blen = len - BGP_HDR_LEN;
	}
	return type;
}

/* The type of the i-th message the FSM sent, or 0. */
static uint8_t
sent_type(const struct wire *w, size_t i, const uint8_t **body, size_t *blen)
{
	return msg_at(w->out, w->olen, i, body, blen);
}

static size_t
sent_count(const struct wire *w)
{
	size_t n = 0;

	while (sent_type(w, n, NULL, NULL) != 0)
		n++;
	return n;
}

static void
cfg_default(struct bgp_peer_cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "t");
	c->local_as = ASN;
	c->peer_as = ASN;
	c->router_id = 0x0a000001;
	c->hold = 9;
	c->afs = 1u << BGP_AF_IPV6_MUP | 1u << BGP_AF_IPV6_UNICAST;
}

#define PEER_ID	0x0a000002

static size_t
peer_open_id(uint8_t *buf, size_t cap, uint32_t as, uint16_t hold,
    uint32_t afs, uint32_t id)
{
	struct bgp_open o = { .version = 4, .as = as, .hold = hold,
	    .id = id, .afs = afs };
	struct wbuf w;

	wb_init(&w, buf, cap);
	assert_true(bgp_open_encode(&w, &o));
	return w.len;
}

static size_t
peer_open(uint8_t *buf, size_t cap, uint32_t as, uint16_t hold, uint32_t afs)
{
	return peer_open_id(buf, cap, as, hold, afs, PEER_ID);
}

static size_t
keepalive(uint8_t *buf)
{
	struct wbuf w;

	wb_init(&w, buf, BGP_HDR_LEN);
	assert_true(bgp_keepalive_encode(&w));
	return w.len;
}

/* A one-route DSD UPDATE, as a site PE sends it. */
static size_t
dsd_update(uint8_t *buf, size_t cap, uint32_t cis, bool withdraw)
{
	struct bgp_attrs a;
	struct bgp_mup k;
	struct wbuf w;

	memset(&k, 0, sizeof(k));
	k.afi = BGP_AFI_IPV6;
	k.type = BGP_MUP_DSD;
	k.rd[7] = (uint8_t)cis;
	k.addr[0] = 0xfc;
	k.addr[15] = (uint8_t)cis;
	memset(&a, 0, sizeof(a));
	a.seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH) |
	    BGP_SEEN_CATS;
	a.nh_len = 16;
	a.nh[0] = 0xfc;
	a.cats.has_cs_id = a.cats.has_cis_id = true;
	a.cats.cs_id = 1;
	a.cats.cis_id = cis;
	wb_init(&w, buf, cap);
	assert_true(withdraw ?
	    bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, NULL, 0, &k, 1) :
	    bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, &k, 1, NULL, 0));
	return w.len;
}

/* Start, connect, exchange OPEN and KEEPALIVE: Established at t=100. */
static struct bgp_peer *
established(struct wire *w, const struct bgp_peer_cfg *c)
{
	uint8_t buf[512];
	struct bgp_peer *p;
	const char *why;
	size_t n;

	memset(w, 0, sizeof(*w));
	assert_non_null(p = bgp_peer_new(c, &wire_ops, w, &why));
	bgp_peer_start(p, 0);
	assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
	assert_int_equal(w->connects, 1);
	bgp_peer_connected(p, 10);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	n = peer_open(buf, sizeof(buf), ASN, 90, 1u << BGP_AF_IPV6_MUP);
	n += keepalive(buf + n);
	bgp_peer_input(p, buf, n, 100);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	return p;
}

static void
open_exchange(void **state)
{
	struct bgp_peer_cfg c;
	struct wire w;
	struct bgp_peer *p;
	struct bgp_open o;
	const uint8_t *body;
	size_t blen, off;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	/* We sent OPEN (our AS, hold and families) then KEEPALIVE. */
	assert_int_equal(sent_type(&w, 0, &body, &blen), BGP_OPEN);
	assert_int_equal(bgp_open_decode(body, blen, &o, &off), BGP_OK);
	assert_int_equal(o.as, ASN);
	assert_int_equal(o.hold, 9);
	assert_int_equal(o.afs, c.afs);
	assert_true(o.as4 && o.route_refresh);
	assert_int_equal(sent_type(&w, 1, NULL, NULL), BGP_KEEPALIVE);
	/* Hold is the smaller; families the intersection (RFC 4760 8). */
	assert_int_equal(bgp_peer_hold(p), 9);
	assert_int_equal(bgp_peer_afs(p), 1u << BGP_AF_IPV6_MUP);
	assert_int_equal(w.nstates, 4);
	assert_int_equal(w.states[3], BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_peer_counters(p)->established, 1);
	bgp_peer_free(p);
}

/* A stream cut anywhere gives the same messages. */
static void
byte_by_byte(void **state)
{
	uint8_t buf[4096];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	const char *why;
	struct wire w;
	size_t n;

	(void)state;
	cfg_default(&c);
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 1);
	n = peer_open(buf, sizeof(buf), ASN, 90, c.afs);
	n += keepalive(buf + n);
	n += dsd_update(buf + n, sizeof(buf) - n, 7, false);
	n += dsd_update(buf + n, sizeof(buf) - n, 8, false);
	for (size_t i = 0; i < n; i++)
		bgp_peer_input(p, buf + i, 1, 2);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(w.updates, 2);
	assert_int_equal(w.last.err, BGP_OK);
	assert_int_equal(w.last.a.cats.cis_id, 8);
	bgp_peer_free(p);
}

static void
timers(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	const uint8_t *body;
	size_t blen, before;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	/* KEEPALIVE every hold/3 = 3 s (RFC 4271 4.4). */
	before = sent_count(&w);
	assert_int_equal(w.timer, 100 + 3000);
	bgp_peer_tick(p, 3100);
	assert_int_equal(sent_count(&w), before + 1);
	assert_int_equal(sent_type(&w, before, NULL, NULL), BGP_KEEPALIVE);
	/* Nothing heard for 9 s: NOTIFICATION 4 (hold timer), Idle. */
	bgp_peer_tick(p, 9100);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(sent_type(&w, sent_count(&w) - 1, &body, &blen),
	    BGP_NOTIFICATION);
	assert_int_equal(body[0], BGP_NC_HOLD);
	assert_int_equal(w.disconnects, 1);
	assert_int_equal(bgp_peer_counters(p)->flaps, 1);
	/* It comes back by itself after the idle hold time. */
	assert_int_equal(w.timer, 9100 + 1000);
	bgp_peer_tick(p, 10100);
	assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
	assert_int_equal(w.connects, 2);
	bgp_peer_free(p);
}

static void
expect_notif(const struct wire *w, uint8_t code, uint8_t sub)
{
	const uint8_t *body;
	size_t blen;

	assert_int_equal(sent_type(w, sent_count(w) - 1, &body, &blen),
	    BGP_NOTIFICATION);
	assert_int_equal(body[0], code);
	assert_int_equal(body[1], sub);
}

static void
bad_marker(void **state)
{
	uint8_t buf[BGP_HDR_LEN];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	keepalive(buf);
	buf[3] = 0;
	bgp_peer_input(p, buf, sizeof(buf), 200);
	expect_notif(&w, BGP_NC_HEADER, 1);	/* connection not synchronized */
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(bgp_peer_counters(p)->rx_err[BGP_E_MARKER], 1);
	/* Back-off doubles: the second failure waits 2 s. */
	bgp_peer_tick(p, 1200);
	assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
	bgp_peer_connected(p, 1300);
	bgp_peer_input(p, buf, sizeof(buf), 1300);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(w.timer, 1300 + 2000);
	bgp_peer_free(p);
}

/* RFC 4271 8.2.2: an UPDATE in OpenConfirm is an FSM error. */
static void
update_too_early(void **state)
{
	uint8_t buf[2048];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	const char *why;
	struct wire w;
	size_t n;

	(void)state;
	cfg_default(&c);
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 1);
	n = peer_open(buf, sizeof(buf), ASN, 90, c.afs);
	n += dsd_update(buf + n, sizeof(buf) - n, 7, false);
	bgp_peer_input(p, buf, n, 2);
	expect_notif(&w, BGP_NC_FSM, 2);	/* RFC 6608: in OpenConfirm */
	assert_int_equal(w.updates, 0);
	bgp_peer_free(p);
}

static void
wrong_as(void **state)
{
	uint8_t buf[512];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	const char *why;
	struct wire w;
	size_t n;

	(void)state;
	cfg_default(&c);
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 1);
	n = peer_open(buf, sizeof(buf), ASN + 1, 90, c.afs);
	bgp_peer_input(p, buf, n, 2);
	expect_notif(&w, BGP_NC_OPEN, 2);	/* bad peer AS */
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	bgp_peer_free(p);
}

/* A NOTIFICATION from the peer: Idle, and no answer. */
static void
notification_in(void **state)
{
	uint8_t buf[64];
	struct bgp_notif nt = { .code = BGP_NC_CEASE, .subcode = 2 };
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wbuf wb;
	struct wire w;
	size_t before;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	before = sent_count(&w);
	wb_init(&wb, buf, sizeof(buf));
	assert_true(bgp_notif_encode(&wb, &nt));
	bgp_peer_input(p, buf, wb.len, 200);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(sent_count(&w), before);
	assert_int_equal(bgp_peer_counters(p)->notif_rx, 1);
	bgp_peer_free(p);
}

/* RFC 7606: a bad CATS attribute withdraws, the session stays up. */
static void
treat_as_withdraw(void **state)
{
	uint8_t buf[2048];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	size_t n, i;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	n = dsd_update(buf, sizeof(buf), 7, false);
	/* Find the CATS attribute (flags c0, type ff) and break a TLV. */
	for (i = BGP_HDR_LEN; i + 4 < n; i++)
		if (buf[i] == 0xc0 && buf[i + 1] == 0xff)
			break;
	assert_true(i + 4 < n);
	buf[i + 4] = 0x02;	/* CS-ID TLV type... */
	buf[i + 5] = 3;		/* ...with 3 octets: malformed */
	bgp_peer_input(p, buf, n, 200);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(w.updates, 1);
	assert_int_equal(w.last.action, BGP_ACT_TREAT_AS_WITHDRAW);
	assert_int_equal(w.last_err, BGP_E_CATS);
	assert_false(w.err_sent);
	assert_int_equal(bgp_peer_counters(p)->treat_as_withdraw, 1);
	bgp_peer_free(p);
}

/* RFC 4760 7: routes of a family not negotiated are ignored. */
static void
family_not_negotiated(void **state)
{
	uint8_t buf[2048];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	size_t n;

	(void)state;
	cfg_default(&c);
	c.afs = 1u << BGP_AF_IPV4_MUP;
	p = established(&w, &c);
	assert_int_equal(bgp_peer_afs(p), 0);
	n = dsd_update(buf, sizeof(buf), 7, false);
	bgp_peer_input(p, buf, n, 200);
	assert_int_equal(w.updates, 1);
	assert_int_equal(w.last.a.reach_len, 0);
	assert_int_equal(bgp_peer_counters(p)->ignored_nlri, 1);
	bgp_peer_free(p);
}

/* RFC 7606 5.3 found by the owner (the RIB), from inside the update op:
 * NOTIFICATION 3/10, and the UPDATE behind it in the same read is dropped. */
static void
owner_reset(void **state)
{
	uint8_t buf[4096];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	size_t n;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	w.reset_on_update = p;
	n = dsd_update(buf, sizeof(buf), 7, false);
	n += dsd_update(buf + n, sizeof(buf) - n, 8, false);
	bgp_peer_input(p, buf, n, 500);
	assert_int_equal(w.updates, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	expect_notif(&w, BGP_NC_UPDATE, 10);
	assert_int_equal(bgp_peer_counters(p)->rx_err[BGP_E_NLRI], 1);
	bgp_peer_free(p);
}

static void
stop_sends_cease(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	bgp_peer_stop(p, 300);
	expect_notif(&w, BGP_NC_CEASE, 2);	/* administrative shutdown */
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(w.timer, 0);		/* no restart */
	bgp_peer_free(p);
}

/* RFC 4271 10: ConnectRetry jittered into 0.75..1.0 of its value, and
 * not the same every time. */
static void
connect_retry_jitter(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	const char *why;
	struct wire w;
	uint64_t now = 0, first = 0;
	bool differs = false;

	(void)state;
	memset(&w, 0, sizeof(w));
	cfg_default(&c);
	c.connect_retry_ms = 4000;
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, now);
	for (int i = 0; i < 20; i++) {
		uint64_t d = w.timer - now;

		assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
		assert_true(d >= 3000 && d <= 4000);
		if (i == 0)
			first = d;
		else if (d != first)
			differs = true;
		/* no answer: the timer fires, a new attempt */
		now = w.timer;
		bgp_peer_tick(p, now);
	}
	assert_true(differs);
	assert_int_equal(w.connects, 21);
	bgp_peer_free(p);
}

static void
passive_and_config(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	const char *why = NULL;
	struct wire w;

	(void)state;
	memset(&w, 0, sizeof(w));
	cfg_default(&c);
	c.passive = true;
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, 0);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ACTIVE);
	assert_int_equal(w.connects, 0);
	bgp_peer_free(p);
	c.hold = 2;
	assert_null(bgp_peer_new(&c, &wire_ops, &w, &why));
	cfg_default(&c);
	c.router_id = 0;
	assert_null(bgp_peer_new(&c, &wire_ops, &w, &why));
	cfg_default(&c);
	c.afs = 0;
	assert_null(bgp_peer_new(&c, &wire_ops, &w, &why));
}

/* ---- the RIB ---- */

struct ribrec {
	unsigned	 add, replace, withdraw;
	uint32_t	 last_cis;
};

static void
rib_cb(void *ctx, uint32_t peer, enum bgp_rib_op op, const struct bgp_mup *k,
    const struct bgp_rattr *old, const struct bgp_rattr *now)
{
	struct ribrec *r = ctx;

	(void)peer;
	(void)k;
	switch (op) {
	case BGP_RIB_ADD:
		assert_null(old);
		r->add++;
		r->last_cis = now->cats.cis_id;
		break;
	case BGP_RIB_REPLACE:
		assert_non_null(old);
		r->replace++;
		r->last_cis = now->cats.cis_id;
		break;
	case BGP_RIB_WITHDRAW:
		assert_null(now);
		r->withdraw++;
		r->last_cis = old->cats.cis_id;
		break;
	}
}

static long
apply(struct bgp_rib *rib, uint32_t peer, const uint8_t *msg, size_t n)
{
	struct bgp_update u;
	enum bgp_err e;

	bgp_update_decode(msg + BGP_HDR_LEN, n - BGP_HDR_LEN, true, &u);
	return bgp_rib_apply(rib, peer, &u, &e);
}

/* T2ST UPDATE of 'n' routes with TEIDs first..first+n-1. */
static size_t
t2st_update(uint8_t *buf, size_t cap, uint32_t first, size_t n,
    uint32_t cis, bool withdraw)
{
	struct bgp_mup k[100];
	struct bgp_attrs a;
	struct wbuf w;

	assert_true(n <= 100);
	for (size_t i = 0; i < n; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].afi = BGP_AFI_IPV6;
		k[i].type = BGP_MUP_T2ST;
		k[i].ep[0] = 0x20;
		k[i].ep_len = 160;
		k[i].teid = first + (uint32_t)i;
	}
	memset(&a, 0, sizeof(a));
	a.seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH) |
	    BGP_SEEN_CATS;
	a.nh_len = 16;
	a.cats.has_cs_id = a.cats.has_cis_id = true;
	a.cats.cs_id = 1;
	a.cats.cis_id = cis;
	wb_init(&w, buf, cap);
	assert_true(withdraw ?
	    bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, NULL, 0, k, n) :
	    bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, k, n, NULL, 0));
	return w.len;
}

static void
rib_basic(void **state)
{
	uint8_t buf[BGP_MAX_LEN];
	struct ribrec r = { 0 };
	struct bgp_rib *rib;
	struct bgp_rib_stats st;
	struct bgp_mup k;
	size_t n;

	(void)state;
	assert_non_null(rib = bgp_rib_new(rib_cb, &r));
	n = t2st_update(buf, sizeof(buf), 1, 50, 11, false);
	assert_int_equal(apply(rib, 0, buf, n), 50);
	n = t2st_update(buf, sizeof(buf), 51, 50, 11, false);
	assert_int_equal(apply(rib, 0, buf, n), 50);
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.routes, 100);
	assert_int_equal(st.attrs, 1);		/* shared */
	assert_int_equal(r.add, 100);
	/* The same routes with new attributes: replaced, old set freed. */
	n = t2st_update(buf, sizeof(buf), 1, 100, 12, false);
	assert_int_equal(apply(rib, 0, buf, n), 100);
	assert_int_equal(r.replace, 100);
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.attrs, 1);
	memset(&k, 0, sizeof(k));
	k.afi = BGP_AFI_IPV6;
	k.type = BGP_MUP_T2ST;
	k.ep[0] = 0x20;
	k.ep_len = 160;
	k.teid = 42;
	assert_non_null(bgp_rib_get(rib, 0, &k));
	assert_int_equal(bgp_rib_get(rib, 0, &k)->cats.cis_id, 12);
	assert_null(bgp_rib_get(rib, 1, &k));	/* per peer */
	/* Withdraw some, one of them twice. */
	n = t2st_update(buf, sizeof(buf), 40, 10, 12, true);
	assert_int_equal(apply(rib, 0, buf, n), 10);
	assert_int_equal(apply(rib, 0, buf, n), 10);
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.routes, 90);
	assert_int_equal(st.unknown_withdraws, 10);
	assert_null(bgp_rib_get(rib, 0, &k));
	assert_int_equal(r.withdraw, 10);
	bgp_rib_free(rib);
}

/* Many routes in, every other one out: the table must still find the
 * rest (backward-shift deletion keeps probe chains whole). */
static void
rib_many(void **state)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_rib *rib;
	struct bgp_rib_stats st;
	struct bgp_mup k;
	size_t n;

	(void)state;
	assert_non_null(rib = bgp_rib_new(NULL, NULL));
	for (uint32_t t = 1; t <= 20000; t += 100) {
		n = t2st_update(buf, sizeof(buf), t, 100, 11 + t % 7, false);
		assert_int_equal(apply(rib, 3, buf, n), 100);
	}
	for (uint32_t t = 1; t <= 20000; t += 2) {
		n = t2st_update(buf, sizeof(buf), t, 1, 11, true);
		assert_int_equal(apply(rib, 3, buf, n), 1);
	}
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.routes, 10000);
	memset(&k, 0, sizeof(k));
	k.afi = BGP_AFI_IPV6;
	k.type = BGP_MUP_T2ST;
	k.ep[0] = 0x20;
	k.ep_len = 160;
	for (uint32_t t = 1; t <= 20000; t++) {
		k.teid = t;
		if (t % 2)
			assert_null(bgp_rib_get(rib, 3, &k));
		else
			assert_non_null(bgp_rib_get(rib, 3, &k));
	}
	bgp_rib_free(rib);
}

static void
rib_flush(void **state)
{
	uint8_t buf[BGP_MAX_LEN];
	struct ribrec r = { 0 };
	struct bgp_rib *rib;
	struct bgp_rib_stats st;
	size_t n;

	(void)state;
	assert_non_null(rib = bgp_rib_new(rib_cb, &r));
	n = t2st_update(buf, sizeof(buf), 1, 80, 11, false);
	apply(rib, 0, buf, n);
	n = t2st_update(buf, sizeof(buf), 1, 80, 12, false);
	apply(rib, 1, buf, n);
	assert_int_equal(bgp_rib_peer_routes(rib, 0), 80);
	assert_int_equal(bgp_rib_peer_routes(rib, 1), 80);
	/* Peer 1 (a second route reflector) still has them: for the owner
	 * they stay, with peer 1's attributes. */
	assert_int_equal(bgp_rib_flush(rib, 0), 80);
	assert_int_equal(r.withdraw, 0);
	assert_int_equal(r.replace, 80);
	assert_int_equal(r.last_cis, 12);
	assert_int_equal(bgp_rib_peer_routes(rib, 0), 0);
	assert_int_equal(bgp_rib_peer_routes(rib, 1), 80);
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.routes, 80);
	assert_int_equal(bgp_rib_flush(rib, 0), 0);
	/* The last path goes: now they are withdrawn. */
	assert_int_equal(bgp_rib_flush(rib, 1), 80);
	assert_int_equal(r.withdraw, 80);
	bgp_rib_free(rib);
}

/* RFC 4271 4.3: bits past a prefix length do not make another route; an
 * unknown route type before a route is not part of its key. */
static void
rib_canonical_keys(void **state)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_rib *rib;
	struct bgp_rib_stats st;
	struct bgp_mup k;
	size_t n;
	int i;

	(void)state;
	assert_non_null(rib = bgp_rib_new(NULL, NULL));
	/* An ISD 2001:db8:8000::/33 announced with a stray bit 34 set... */
	memset(&k, 0, sizeof(k));
	k.afi = BGP_AFI_IPV6;
	k.type = BGP_MUP_ISD;
	k.plen = 33;
	k.prefix[0] = 0x20;
	k.prefix[1] = 0x01;
	k.prefix[4] = 0x80;
	{
		struct bgp_attrs a;
		struct wbuf w;

		memset(&a, 0, sizeof(a));
		a.seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH);
		a.nh_len = 16;
		wb_init(&w, buf, sizeof(buf));
		assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, &k, 1,
		    NULL, 0));
		n = w.len;
	}
	/* the prefix octets follow the plen octet 0x21: set a stray bit */
	for (i = (int)n - 1; i > 0 && buf[i] != 0x21; i--)
		;
	assert_true(i > 0);
	buf[i + 5] |= 0x40;
	assert_int_equal(apply(rib, 0, buf, n), 1);
	assert_non_null(bgp_rib_get(rib, 0, &k));
	/* ...is withdrawn by its clean form. */
	{
		struct bgp_attrs a;
		struct wbuf w;

		memset(&a, 0, sizeof(a));
		wb_init(&w, buf, sizeof(buf));
		assert_true(bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, NULL,
		    0, &k, 1));
		n = w.len;
	}
	assert_int_equal(apply(rib, 0, buf, n), 1);
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.unknown_withdraws, 0);
	bgp_rib_free(rib);
}

/* A treat-as-withdraw UPDATE takes its announced routes away. */
static void
rib_treat_as_withdraw(void **state)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_rib *rib;
	struct bgp_rib_stats st;
	struct bgp_update u;
	enum bgp_err e;
	size_t n;

	(void)state;
	assert_non_null(rib = bgp_rib_new(NULL, NULL));
	n = t2st_update(buf, sizeof(buf), 1, 5, 11, false);
	apply(rib, 0, buf, n);
	bgp_update_decode(buf + BGP_HDR_LEN, n - BGP_HDR_LEN, true, &u);
	u.action = BGP_ACT_TREAT_AS_WITHDRAW;
	assert_int_equal(bgp_rib_apply(rib, 0, &u, &e), 5);
	bgp_rib_stats(rib, &st);
	assert_int_equal(st.routes, 0);
	bgp_rib_free(rib);
}

/* IPv6 unicast (CS-ID anycast prefixes) share the RIB as type 0. */
static void
rib_prefix(void **state)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_prefix pf = { .plen = 48, .addr = { 0x20, 0x01, 0x0d,
	    0xb8, 0, 1 } };
	struct bgp_attrs a;
	struct bgp_rib *rib;
	struct bgp_mup k;
	struct wbuf w;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH);
	a.nh_len = 16;
	a.nh[0] = 0xfc;
	wb_init(&w, buf, sizeof(buf));
	assert_true(bgp_update_encode_prefix(&w, BGP_AF_IPV6_UNICAST, &a, &pf,
	    1, NULL, 0));
	assert_non_null(rib = bgp_rib_new(NULL, NULL));
	assert_int_equal(apply(rib, 0, buf, w.len), 1);
	memset(&k, 0, sizeof(k));
	k.afi = BGP_AFI_IPV6;
	k.type = BGP_MUP_PREFIX;
	k.plen = 48;
	memcpy(k.prefix, pf.addr, 16);
	assert_non_null(bgp_rib_get(rib, 0, &k));
	assert_int_equal(bgp_rib_get(rib, 0, &k)->nh[0], 0xfc);
	bgp_rib_free(rib);
}

/* ---- maximum prefixes (RFC 4486 4) ---- */

/* Feed 'n' T2ST routes from TEID 'first', in UPDATEs of at most 100. */
static void
feed_t2st(struct bgp_peer *p, uint32_t first, size_t n, uint64_t now)
{
	uint8_t buf[BGP_MAX_LEN];
	size_t k, len;

	while (n > 0) {
		k = n > 100 ? 100 : n;
		len = t2st_update(buf, sizeof(buf), first, k, 1, false);
		bgp_peer_input(p, buf, len, now);
		first += (uint32_t)k;
		n -= k;
	}
}

/* The last message sent, octet by octet. */
static void
expect_last_sent(const struct wire *w, const uint8_t *want, size_t len)
{
	const uint8_t *body;
	size_t blen;

	assert_int_equal(sent_type(w, sent_count(w) - 1, &body, &blen),
	    want[18]);
	assert_int_equal(blen + BGP_HDR_LEN, len);
	assert_memory_equal(body - BGP_HDR_LEN, want, len);
}

/* Past the limit: Cease 6/1 with AFI 2, SAFI 85 and the limit (150), the
 * routes gone, Idle with no connect before the restart time, then the
 * normal connect. */
static void
max_prefix_cease(void **state)
{
	static const uint8_t cease[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x1c, 0x03,		/* 28 octets, NOTIFICATION */
		0x06, 0x01,			/* Cease, max prefixes */
		0x00, 0x02, 0x55,		/* AFI 2, SAFI 85 */
		0x00, 0x00, 0x00, 0x96,		/* the limit, 150 */
	};
	uint8_t buf[512];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct bgp_rib_stats rs;
	struct wire w;
	uint64_t until;
	size_t n;

	(void)state;
	cfg_default(&c);
	c.max_prefix = 150;
	c.max_prefix_restart_s = 30;
	p = established(&w, &c);
	assert_non_null(w.rib = bgp_rib_new(NULL, NULL));
	feed_t2st(p, 1, 150, 200);
	/* reaching the limit is allowed; only more than it ends the session */
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_rib_peer_af_routes(w.rib, 0, BGP_AF_IPV6_MUP), 150);
	assert_int_equal(w.limit_exceeded, 0);
	/* a route again is a replace, not one more */
	feed_t2st(p, 150, 1, 250);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	feed_t2st(p, 151, 1, 300);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	expect_last_sent(&w, cease, sizeof(cease));
	assert_int_equal(w.disconnects, 1);
	assert_int_equal(w.limit_exceeded, 1);
	assert_int_equal(w.limit_routes, 151);
	assert_int_equal(bgp_peer_counters(p)->max_prefix, 1);
	assert_int_equal(bgp_peer_counters(p)->flaps, 1);
	/* every route of the session withdrawn */
	assert_int_equal(bgp_rib_peer_af_routes(w.rib, 0, BGP_AF_IPV6_MUP), 0);
	bgp_rib_stats(w.rib, &rs);
	assert_int_equal(rs.routes, 0);
	/* held down for 30 s, not the 1 s idle hold */
	assert_true(bgp_peer_prefix_down(p, &until));
	assert_int_equal(until, 300 + 30000);
	assert_int_equal(w.timer, 300 + 30000);
	bgp_peer_tick(p, 300 + 1000);
	bgp_peer_tick(p, 300 + 29999);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(w.connects, 1);
	/* a connection from the peer meanwhile is refused */
	bgp_peer_connected(p, 300 + 20000);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(w.disconnects, 2);
	/* the restart time: the normal connect, and the session again */
	bgp_peer_tick(p, 300 + 30000);
	assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
	assert_int_equal(w.connects, 2);
	assert_false(bgp_peer_prefix_down(p, &until));
	bgp_peer_connected(p, 30400);
	n = peer_open(buf, sizeof(buf), ASN, 90, 1u << BGP_AF_IPV6_MUP);
	n += keepalive(buf + n);
	bgp_peer_input(p, buf, n, 30500);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	feed_t2st(p, 1, 10, 30600);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_rib_peer_af_routes(w.rib, 0, BGP_AF_IPV6_MUP), 10);
	bgp_rib_free(w.rib);
	bgp_peer_free(p);
}

/* max_prefix_restart_s 0: down until a ManualStart. */
static void
max_prefix_stays_down(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	uint64_t until;

	(void)state;
	cfg_default(&c);
	c.max_prefix = 5;
	p = established(&w, &c);
	assert_non_null(w.rib = bgp_rib_new(NULL, NULL));
	feed_t2st(p, 1, 6, 200);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	expect_notif(&w, BGP_NC_CEASE, 1);
	assert_true(bgp_peer_prefix_down(p, &until));
	assert_int_equal(until, 0);
	assert_int_equal(w.timer, 0);
	bgp_peer_tick(p, 10ull * 24 * 3600 * 1000);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_int_equal(w.connects, 1);
	bgp_peer_start(p, 10ull * 24 * 3600 * 1000);
	assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
	assert_int_equal(w.connects, 2);
	assert_false(bgp_peer_prefix_down(p, &until));
	bgp_rib_free(w.rib);
	bgp_peer_free(p);
}

/* The warning: once a session, at the threshold, the session kept. */
static void
max_prefix_warning(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;

	(void)state;
	cfg_default(&c);
	c.max_prefix = 100;
	c.max_prefix_warn_pct = 80;
	p = established(&w, &c);
	assert_non_null(w.rib = bgp_rib_new(NULL, NULL));
	feed_t2st(p, 1, 79, 200);
	assert_int_equal(w.limit_warn, 0);
	feed_t2st(p, 80, 1, 210);
	assert_int_equal(w.limit_warn, 1);
	assert_int_equal(w.limit_routes, 80);
	feed_t2st(p, 81, 20, 220);
	assert_int_equal(w.limit_warn, 1);
	assert_int_equal(bgp_peer_counters(p)->max_prefix_warnings, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(w.limit_exceeded, 0);
	bgp_rib_free(w.rib);
	bgp_peer_free(p);
	/* above 100 % is refused */
	c.max_prefix_warn_pct = 101;
	{
		const char *why = NULL;

		assert_null(bgp_peer_new(&c, &wire_ops, &w, &why));
		assert_non_null(why);
	}
}

/* max_prefix 0: no limit and no warning, whatever the percentage. */
static void
max_prefix_zero(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;

	(void)state;
	cfg_default(&c);
	c.max_prefix = 0;
	c.max_prefix_warn_pct = 1;
	p = established(&w, &c);
	assert_non_null(w.rib = bgp_rib_new(NULL, NULL));
	feed_t2st(p, 1, 1000, 200);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_rib_peer_af_routes(w.rib, 0, BGP_AF_IPV6_MUP),
	    1000);
	assert_int_equal(w.limit_warn + w.limit_exceeded, 0);
	assert_int_equal(bgp_peer_counters(p)->notif_tx, 0);
	bgp_rib_free(w.rib);
	bgp_peer_free(p);
}

/* ---- RFC 4271 6.8: connection collisions ---- */

/* The last message of a stream is NOTIFICATION code/sub. */
static void
expect_notif_in(const uint8_t *b, size_t len, uint8_t code, uint8_t sub)
{
	const uint8_t *body;
	size_t n = 0, blen;

	while (msg_at(b, len, n, NULL, NULL) != 0)
		n++;
	assert_true(n > 0);
	assert_int_equal(msg_at(b, len, n - 1, &body, &blen),
	    BGP_NOTIFICATION);
	assert_int_equal(body[0], code);
	assert_int_equal(body[1], sub);
}

static bool
went_idle(const struct wire *w)
{
	for (size_t i = 0; i < w->nstates; i++)
		if (w->states[i] == BGP_ST_IDLE)
			return true;
	return false;
}

/*
 * The session's connection is ours (connected), in OpenSent; the
 * neighbor opens a second one (inbound), which gets our OPEN.
 */
static struct bgp_peer *
two_connections(struct wire *w, const struct bgp_peer_cfg *c)
{
	struct bgp_peer *p;
	const char *why;

	memset(w, 0, sizeof(*w));
	assert_non_null(p = bgp_peer_new(c, &wire_ops, w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 10);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	assert_true(bgp_peer_second(p, true, 20));
	assert_int_equal(msg_at(w->out2, w->o2len, 0, NULL, NULL), BGP_OPEN);
	assert_int_equal(msg_at(w->out2, w->o2len, 1, NULL, NULL), 0);
	return p;
}

/* The neighbor's OPEN (identifier id, AS as) on one connection. */
static void
open_on(struct bgp_peer *p, bool second, uint32_t as, uint32_t id,
    uint64_t now)
{
	uint8_t buf[512];
	size_t n;

	n = peer_open_id(buf, sizeof(buf), as, 90, 1u << BGP_AF_IPV6_MUP, id);
	if (second)
		bgp_peer_input2(p, buf, n, now);
	else
		bgp_peer_input(p, buf, n, now);
}

static void
keepalive_in(struct bgp_peer *p, uint64_t now)
{
	uint8_t buf[BGP_HDR_LEN];

	bgp_peer_input(p, buf, keepalive(buf), now);
}

/*
 * (1) Our identifier is the lower: the connection we opened is closed
 * with Cease 6/7 and the neighbor's becomes the session, which comes up;
 * no Idle, no back-off.
 */
static void
collision_local_lower(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;

	(void)state;
	cfg_default(&c);	/* 10.0.0.1 < the neighbor's 10.0.0.2 */
	p = two_connections(&w, &c);
	open_on(p, false, ASN, PEER_ID, 30);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	open_on(p, true, ASN, PEER_ID, 40);
	assert_int_equal(w.swaps, 1);
	assert_int_equal(w.close2s, 0);
	expect_notif_in(w.old, w.oldlen, BGP_NC_CEASE, 7);
	/* the second connection, now the session's: OPEN then KEEPALIVE */
	assert_int_equal(sent_type(&w, 0, NULL, NULL), BGP_OPEN);
	assert_int_equal(sent_type(&w, 1, NULL, NULL), BGP_KEEPALIVE);
	assert_int_equal(sent_count(&w), 2);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	keepalive_in(p, 50);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_peer_remote(p)->id, PEER_ID);
	assert_int_equal(bgp_peer_counters(p)->collision_theirs, 1);
	assert_int_equal(bgp_peer_counters(p)->collision_ours, 0);
	assert_int_equal(bgp_peer_counters(p)->established, 1);
	assert_false(went_idle(&w));
	assert_int_equal(w.disconnects, 0);
	bgp_peer_free(p);
}

/*
 * The same, the OPENs the other way round: the second connection's OPEN
 * and KEEPALIVE come while the session's is in OpenSent; they wait; the
 * session's OPEN then decides, and the second comes up at once.
 */
static void
collision_second_first(void **state)
{
	uint8_t buf[512];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	size_t n;

	(void)state;
	cfg_default(&c);
	p = two_connections(&w, &c);
	n = peer_open(buf, sizeof(buf), ASN, 90, 1u << BGP_AF_IPV6_MUP);
	n += keepalive(buf + n);
	bgp_peer_input2(p, buf, n, 30);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	assert_int_equal(w.swaps + w.close2s, 0);
	open_on(p, false, ASN, PEER_ID, 40);
	assert_int_equal(w.swaps, 1);
	expect_notif_in(w.old, w.oldlen, BGP_NC_CEASE, 7);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_peer_counters(p)->collision_theirs, 1);
	assert_false(went_idle(&w));
	bgp_peer_free(p);

	/* the session's OPEN and a KEEPALIVE in one read: the KEEPALIVE
	 * came on the connection just closed and is not the second's */
	p = two_connections(&w, &c);
	open_on(p, true, ASN, PEER_ID, 30);
	n = peer_open(buf, sizeof(buf), ASN, 90, 1u << BGP_AF_IPV6_MUP);
	n += keepalive(buf + n);
	bgp_peer_input(p, buf, n, 40);
	assert_int_equal(w.swaps, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	bgp_peer_free(p);
}

/*
 * Both connections the neighbor's (it opened another): not the case 6.8
 * rules on; the newer stays, whatever the identifiers say.
 */
static void
collision_both_inbound(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	const char *why;

	(void)state;
	cfg_default(&c);
	c.router_id = 0x0a000003;	/* would keep ours, had we one */
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_accepted(p, 10);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	assert_true(bgp_peer_second(p, true, 20));
	open_on(p, false, ASN, PEER_ID, 30);
	open_on(p, true, ASN, PEER_ID, 40);
	assert_int_equal(w.swaps, 1);
	expect_notif_in(w.old, w.oldlen, BGP_NC_CEASE, 7);
	assert_int_equal(bgp_peer_counters(p)->collision_theirs, 1);
	keepalive_in(p, 50);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	bgp_peer_free(p);
}

/*
 * (2) Our identifier is the higher: the neighbor's connection is closed
 * with Cease 6/7, ours goes on and comes up.
 */
static void
collision_local_higher(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	size_t before;

	(void)state;
	cfg_default(&c);
	c.router_id = 0x0a000003;
	p = two_connections(&w, &c);
	open_on(p, false, ASN, PEER_ID, 30);
	before = sent_count(&w);
	open_on(p, true, ASN, PEER_ID, 40);
	assert_int_equal(w.close2s, 1);
	assert_int_equal(w.swaps, 0);
	expect_notif_in(w.out2, w.o2len, BGP_NC_CEASE, 7);
	assert_int_equal(sent_count(&w), before);	/* nothing on ours */
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	keepalive_in(p, 50);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_peer_counters(p)->collision_ours, 1);
	assert_int_equal(bgp_peer_counters(p)->collision_theirs, 0);
	/* the closed one is forgotten: another may come */
	assert_true(bgp_peer_second(p, true, 60));
	bgp_peer_free(p);
}

/*
 * (3) A second connection while Established: Cease 6/7 on it and nothing
 * else; the session is untouched.  One that was waiting for its OPEN when
 * the session came up is closed the same way (6.8, last paragraph).
 */
static void
collision_established(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	size_t before, nst;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	before = sent_count(&w);
	nst = w.nstates;
	assert_true(bgp_peer_second(p, true, 200));
	assert_int_equal(msg_at(w.out2, w.o2len, 1, NULL, NULL), 0);
	expect_notif_in(w.out2, w.o2len, BGP_NC_CEASE, 7);
	assert_int_equal(w.close2s, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(sent_count(&w), before);
	assert_int_equal(w.nstates, nst);
	assert_int_equal(w.disconnects, 0);
	assert_int_equal(bgp_peer_counters(p)->collision_ours, 1);
	assert_int_equal(bgp_peer_counters(p)->flaps, 0);
	bgp_peer_free(p);

	p = two_connections(&w, &c);
	open_on(p, false, ASN, PEER_ID, 30);
	keepalive_in(p, 40);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(w.close2s, 1);
	expect_notif_in(w.out2, w.o2len, BGP_NC_CEASE, 7);
	/* what it sends late goes nowhere */
	w.o2len = 0;
	open_on(p, true, ASN, PEER_ID, 50);
	assert_int_equal(w.o2len, 0);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	bgp_peer_free(p);
}

/*
 * (4) Equal identifiers.  The code does not refuse an OPEN with our own
 * identifier (RFC 6286 2.2 allows it between ASes): the session comes up.
 * In a collision the larger AS keeps the connection it opened (RFC 6286
 * 2.3).
 */
static void
collision_equal_ids(void **state)
{
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	const char *why;

	(void)state;
	cfg_default(&c);
	c.peer_as = ASN + 1;
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 10);
	open_on(p, false, ASN + 1, c.router_id, 20);
	keepalive_in(p, 30);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_peer_counters(p)->notif_tx, 0);
	bgp_peer_free(p);

	/* our AS is the smaller: the neighbor's connection stays */
	p = two_connections(&w, &c);
	open_on(p, false, ASN + 1, c.router_id, 30);
	open_on(p, true, ASN + 1, c.router_id, 40);
	assert_int_equal(w.swaps, 1);
	expect_notif_in(w.old, w.oldlen, BGP_NC_CEASE, 7);
	assert_int_equal(bgp_peer_counters(p)->collision_theirs, 1);
	bgp_peer_free(p);

	/* ours the larger: ours stays */
	c.local_as = ASN + 2;
	p = two_connections(&w, &c);
	open_on(p, false, ASN + 1, c.router_id, 30);
	open_on(p, true, ASN + 1, c.router_id, 40);
	assert_int_equal(w.swaps, 0);
	assert_int_equal(w.close2s, 1);
	expect_notif_in(w.out2, w.o2len, BGP_NC_CEASE, 7);
	assert_int_equal(bgp_peer_counters(p)->collision_ours, 1);
	bgp_peer_free(p);
}

/*
 * The neighbor resolved first: it closed our connection (Cease 6/7, or
 * just the TCP connection) before its OPEN came on the second.  The second
 * carries on as the session's; no Idle, no back-off.
 */
static void
collision_neighbor_first(void **state)
{
	uint8_t buf[64];
	struct bgp_notif nt = { .code = BGP_NC_CEASE, .subcode = 7 };
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wbuf wb;
	struct wire w;

	(void)state;
	cfg_default(&c);
	p = two_connections(&w, &c);
	open_on(p, false, ASN, PEER_ID, 30);
	wb_init(&wb, buf, sizeof(buf));
	assert_true(bgp_notif_encode(&wb, &nt));
	bgp_peer_input(p, buf, wb.len, 35);
	assert_int_equal(w.swaps, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	open_on(p, false, ASN, PEER_ID, 40);	/* the session's now */
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	keepalive_in(p, 50);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_false(went_idle(&w));
	bgp_peer_free(p);

	p = two_connections(&w, &c);
	open_on(p, true, ASN, PEER_ID, 30);
	bgp_peer_closed(p, 35);
	assert_int_equal(w.swaps, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	keepalive_in(p, 50);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	assert_false(went_idle(&w));
	bgp_peer_free(p);
}

/* RFC 4271 8.2.2: a neighbor in OpenConfirm on the second connection
 * sends a KEEPALIVE each KeepaliveTimer while the session's connection
 * waits for its OPEN: every one is taken, none closes it. */
static void
second_keepalives(void **state)
{
	uint8_t buf[BGP_HDR_LEN];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;

	(void)state;
	cfg_default(&c);
	p = two_connections(&w, &c);
	open_on(p, true, ASN, PEER_ID, 30);
	for (uint64_t i = 0; i < 3; i++)
		bgp_peer_input2(p, buf, keepalive(buf), 40 + 30000 * i);
	assert_int_equal(w.close2s, 0);
	assert_int_equal(w.swaps, 0);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	bgp_peer_free(p);
}

/* What is refused, and what ends a second connection by itself. */
static void
second_refused(void **state)
{
	struct bgp_peer_ops ops = wire_ops;
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wire w;
	const char *why;
	uint8_t buf[BGP_HDR_LEN];

	(void)state;
	cfg_default(&c);
	/* a driver without the ops: refused, nothing sent */
	ops.swap = NULL;
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &ops, &w, &why));
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 10);
	assert_false(bgp_peer_second(p, true, 20));
	assert_int_equal(w.o2len, 0);
	bgp_peer_free(p);
	/* before the session has a connection, or with one second already */
	memset(&w, 0, sizeof(w));
	assert_non_null(p = bgp_peer_new(&c, &wire_ops, &w, &why));
	assert_false(bgp_peer_second(p, true, 1));
	bgp_peer_start(p, 2);
	assert_false(bgp_peer_second(p, true, 3));
	bgp_peer_connected(p, 10);
	assert_true(bgp_peer_second(p, true, 20));
	assert_false(bgp_peer_second(p, true, 21));
	/* a KEEPALIVE before its OPEN: FSM error 5/1 on it, the session
	 * untouched */
	bgp_peer_input2(p, buf, keepalive(buf), 30);
	expect_notif_in(w.out2, w.o2len, BGP_NC_FSM, 1);
	assert_int_equal(w.close2s, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENSENT);
	/* the neighbor closed it: forgotten, another may come */
	assert_true(bgp_peer_second(p, true, 40));
	bgp_peer_closed2(p, 45);
	assert_int_equal(w.close2s, 1);
	assert_true(bgp_peer_second(p, true, 50));
	bgp_peer_free(p);

	/* one that never answers: closed at the OPEN hold time (4 min);
	 * with hold 0 the session's OpenConfirm waits as long, from later */
	c.hold = 0;
	p = two_connections(&w, &c);
	open_on(p, false, ASN, PEER_ID, 30);
	bgp_peer_tick(p, 20 + 240 * 1000);
	assert_int_equal(w.close2s, 1);
	expect_notif_in(w.out2, w.o2len, BGP_NC_HOLD, 0);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	bgp_peer_free(p);

	/* the session's connection silent instead: at its hold time the
	 * second, which answered, carries on */
	cfg_default(&c);
	p = two_connections(&w, &c);
	open_on(p, true, ASN, PEER_ID, 30);
	bgp_peer_tick(p, 10 + 240 * 1000);
	expect_notif_in(w.old, w.oldlen, BGP_NC_HOLD, 0);
	assert_int_equal(w.swaps, 1);
	assert_int_equal(bgp_peer_state(p), BGP_ST_OPENCONFIRM);
	assert_false(went_idle(&w));
	bgp_peer_free(p);
}

/* ---- RFC 4271 8.1.1 DampPeerOscillations ---- */

/*
 * From Idle, wait out the idle hold, come up at 'up', fail at 'down' (a
 * NOTIFICATION from the neighbor); returns the idle hold armed then.
 */
static uint64_t
flap(struct bgp_peer *p, struct wire *w, uint64_t up, uint64_t down)
{
	uint8_t buf[512];
	struct bgp_notif nt = { .code = BGP_NC_CEASE, .subcode = 4 };
	struct wbuf wb;
	size_t n;

	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	assert_true(w->timer != 0 && w->timer <= up);
	bgp_peer_tick(p, up);
	assert_int_equal(bgp_peer_state(p), BGP_ST_CONNECT);
	bgp_peer_connected(p, up);
	n = peer_open(buf, sizeof(buf), ASN, 90, 1u << BGP_AF_IPV6_MUP);
	n += keepalive(buf + n);
	bgp_peer_input(p, buf, n, up);
	assert_int_equal(bgp_peer_state(p), BGP_ST_ESTABLISHED);
	wb_init(&wb, buf, sizeof(buf));
	assert_true(bgp_notif_encode(&wb, &nt));
	bgp_peer_input(p, buf, wb.len, down);
	assert_int_equal(bgp_peer_state(p), BGP_ST_IDLE);
	return w->timer - down;
}

/*
 * (5) A neighbor that fails two seconds after Established, over and over,
 * waits 1, 2, 4 ... s, at most 60 (or idle_hold_max_ms); once a session
 * has stayed up a minute (and its hold time) the wait is back to 1 s.
 */
static void
damping(void **state)
{
	struct bgp_notif nt = { .code = BGP_NC_CEASE, .subcode = 4 };
	uint8_t buf[64];
	struct bgp_peer_cfg c;
	struct bgp_peer *p;
	struct wbuf wb;
	struct wire w;
	uint64_t t, wait, want = 2000;

	(void)state;
	cfg_default(&c);
	p = established(&w, &c);
	wb_init(&wb, buf, sizeof(buf));
	assert_true(bgp_notif_encode(&wb, &nt));
	bgp_peer_input(p, buf, wb.len, 2100);
	assert_int_equal(w.timer - 2100, 1000);
	t = w.timer;
	for (int i = 0; i < 8; i++) {
		wait = flap(p, &w, t, t + 2000);
		assert_int_equal(wait, want);
		t += 2000 + wait;
		want = want * 2 > 60000 ? 60000 : want * 2;
	}
	assert_int_equal(wait, 60000);
	/* up 59 s: still not stable, the cap stays */
	assert_int_equal(flap(p, &w, t, t + 59000), 60000);
	t = w.timer;
	/* up 60 s: stable, back to the base, and it doubles from there */
	assert_int_equal(flap(p, &w, t, t + 60000), 1000);
	t = w.timer;
	assert_int_equal(flap(p, &w, t, t + 100), 2000);
	assert_int_equal(bgp_peer_counters(p)->flaps, 12);
	bgp_peer_free(p);

	/* a hold time longer than stable_ms: stable only after it */
	cfg_default(&c);
	c.stable_ms = 5000;
	p = established(&w, &c);	/* hold 9 s */
	bgp_peer_input(p, buf, wb.len, 2100);
	t = w.timer;
	assert_int_equal(flap(p, &w, t, t + 6000), 2000);
	t = w.timer;
	assert_int_equal(flap(p, &w, t, t + 9000), 1000);
	bgp_peer_free(p);

	/* a configured cap */
	cfg_default(&c);
	c.idle_hold_max_ms = 4000;
	p = established(&w, &c);
	bgp_peer_input(p, buf, wb.len, 2100);
	t = w.timer;
	assert_int_equal(flap(p, &w, t, t + 100), 2000);
	t = w.timer;
	assert_int_equal(flap(p, &w, t, t + 100), 4000);
	t = w.timer;
	assert_int_equal(flap(p, &w, t, t + 100), 4000);
	bgp_peer_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_exchange),
		cmocka_unit_test(byte_by_byte),
		cmocka_unit_test(timers),
		cmocka_unit_test(bad_marker),
		cmocka_unit_test(update_too_early),
		cmocka_unit_test(wrong_as),
		cmocka_unit_test(notification_in),
		cmocka_unit_test(treat_as_withdraw),
		cmocka_unit_test(family_not_negotiated),
		cmocka_unit_test(owner_reset),
		cmocka_unit_test(stop_sends_cease),
		cmocka_unit_test(connect_retry_jitter),
		cmocka_unit_test(passive_and_config),
		cmocka_unit_test(rib_basic),
		cmocka_unit_test(rib_many),
		cmocka_unit_test(rib_flush),
		cmocka_unit_test(rib_canonical_keys),
		cmocka_unit_test(rib_treat_as_withdraw),
		cmocka_unit_test(rib_prefix),
		cmocka_unit_test(max_prefix_cease),
		cmocka_unit_test(max_prefix_stays_down),
		cmocka_unit_test(max_prefix_warning),
		cmocka_unit_test(max_prefix_zero),
		cmocka_unit_test(collision_local_lower),
		cmocka_unit_test(collision_second_first),
		cmocka_unit_test(collision_local_higher),
		cmocka_unit_test(collision_both_inbound),
		cmocka_unit_test(collision_established),
		cmocka_unit_test(collision_equal_ids),
		cmocka_unit_test(collision_neighbor_first),
		cmocka_unit_test(second_refused),
		cmocka_unit_test(second_keepalives),
		cmocka_unit_test(damping),
	};

	return cmocka_run_group_tests_name("bgp_peer", tests, NULL, NULL);
}
