/*
 * bgp: catsd as a BGP speaker with the CATS-MUP roles (cats/bgp.h,
 * cats/mup.h) on a libev loop.
 *
 * One struct bgp_peer per configured neighbor, driven here: an active TCP
 * connect (non-blocking, from the configured source address) or a passive
 * accept on one listener; TCP MD5 (RFC 2385) per neighbor on the connecting
 * socket before connect and on the listener for each neighbor's address;
 * reads into one 64 KiB buffer fed to bgp_peer_input; writes through a
 * bounded queue per neighbor (a peer that stops reading is reset, not
 * allowed to grow our memory); the FSM's one deadline on an ev_timer.
 * A neighbor's connection accepted while its session already has one is
 * handed to the FSM as the second (RFC 4271 6.8): it reads and writes it
 * (a few small messages, written straight) until its collision rule
 * closes one of the two or swaps them.
 *
 * All neighbors share one RIB (peer index = neighbor index) whose change
 * callback is the roles' mup_rib_change.  What the roles advertise is kept
 * in a small table (NLRI -> attributes) so that a session coming up gets
 * all of it, batched, then End-of-RIB per family, and a ROUTE-REFRESH gets
 * it again.  A transport failure found inside the FSM's own callbacks (a
 * write error, our queue overflowing) is deferred to a zero-delay timer
 * ("kick"); an NLRI the RIB cannot read is reset through the FSM at once
 * (bgp_peer_reset, NOTIFICATION 3/10).
 */
#define _GNU_SOURCE		/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "cats/log.h"
#include "catsd.h"
#include "catsd/bgp_int.h"

static uint64_t
now_ms(const struct bgpd *b)
{
	return catsd_now(b->d);
}

static bool
is_v4(const uint8_t a[16])
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, pre, 12) == 0;
}

static socklen_t
sockaddr_of(const uint8_t a[16], uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (is_v4(a)) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a + 12, 4);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(port);
	memcpy(&s6->sin6_addr, a, 16);
	return sizeof(*s6);
}

/* RFC 2385 through Linux's TCP_MD5SIG: the key for one peer address. */
static int
set_md5(int fd, const uint8_t peer[16], bool v4_socket, const char *pw)
{
	struct tcp_md5sig md5;
	size_t len = strlen(pw);

	if (len == 0)
		return 0;
	memset(&md5, 0, sizeof(md5));
	if (v4_socket)
		sockaddr_of(peer, 0, &md5.tcpm_addr);
	else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&md5.tcpm_addr;

		/* on an IPv6 socket an IPv4 peer is IPv4-mapped */
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, peer, 16);
	}
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, pw, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5));
}

/* ------------------------------------------------------------------ */
/* Transport                                                           */

static void
transport_close(struct nbr *n)
{
	struct ev_loop *loop = n->b->d->loop;

	ev_io_stop(loop, &n->rw);
	ev_io_stop(loop, &n->ww);
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	n->connecting = false;
	n->qlen = 0;
}

/* The transport failed under us: tell the FSM from outside its calls. */
static void
defer_closed(struct nbr *n, const char *why)
{
	snprintf(n->last_error, sizeof(n->last_error), "%s", why);
	log_warnx("bgp %s: %s", n->cfg->name, why);
	transport_close(n);
	n->kick_closed = true;
	ev_timer_stop(n->b->d->loop, &n->kick);
	ev_timer_set(&n->kick, 0, 0);
	ev_timer_start(n->b->d->loop, &n->kick);
}

static void
kick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct nbr *n = w->data;
	uint64_t now = now_ms(n->b);

	(void)loop, (void)revents;
	if (n->kick_closed) {
		n->kick_closed = false;
		bgp_peer_closed(n->peer, now);
	}
}

static void
flush_queue(struct nbr *n)
{
	ssize_t w;
	size_t off = 0;

	while (off < n->qlen) {
		w = write(n->fd, n->q + off, n->qlen - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			char why[96];

			snprintf(why, sizeof(why), "write: %s", strerror(errno));
			n->sock_errors++;
			defer_closed(n, why);
			return;
		}
		off += (size_t)w;
	}
	memmove(n->q, n->q + off, n->qlen - off);
	n->qlen -= off;
	if (n->qlen > 0)
		ev_io_start(n->b->d->loop, &n->ww);
	else
		ev_io_stop(n->b->d->loop, &n->ww);
}

static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct nbr *n = w->data;
	struct bgpd *b = n->b;
	ssize_t r;
	int i;

	(void)loop, (void)revents;
	for (i = 0; i < BGP_READS_PER_EVENT && n->fd >= 0; i++) {
		r = read(n->fd, b->rbuf, sizeof(b->rbuf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			snprintf(n->last_error, sizeof(n->last_error), "%s",
			    r == 0 ? "closed by the peer" : strerror(errno));
			log_info("bgp %s: connection %s", n->cfg->name,
			    n->last_error);
			if (r < 0)
				n->sock_errors++;
			transport_close(n);
			bgp_peer_closed(n->peer, now_ms(b));
			return;
		}
		bgp_peer_input(n->peer, b->rbuf, (size_t)r, now_ms(b));
	}
}

/* A connection's socket to both watchers: reading now, writing when a
 * write would block (flush_queue starts it). */
static void
start_reading(struct nbr *n)
{
	ev_io_stop(n->b->d->loop, &n->rw);
	ev_io_stop(n->b->d->loop, &n->ww);
	ev_io_set(&n->rw, n->fd, EV_READ);
	ev_io_set(&n->ww, n->fd, EV_WRITE);
	ev_io_start(n->b->d->loop, &n->rw);
}

static void
write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct nbr *n = w->data;
	socklen_t sl = sizeof(int);
	int err = 0;

	(void)loop, (void)revents;
	if (!n->connecting) {
		flush_queue(n);
		return;
	}
	if (getsockopt(n->fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
		err = errno;
	if (err != 0) {
		snprintf(n->last_error, sizeof(n->last_error), "connect: %s",
		    strerror(err));
		log_info("bgp %s: %s", n->cfg->name, n->last_error);
		n->sock_errors++;
		transport_close(n);
		bgp_peer_closed(n->peer, now_ms(n->b));
		return;
	}
	n->connecting = false;
	ev_io_stop(n->b->d->loop, &n->ww);
	start_reading(n);
	log_info("bgp %s: connected", n->cfg->name);
	bgp_peer_connected(n->peer, now_ms(n->b));
}

/* RFC 4271 6.8: the second connection, closed or gone. */
static void
second_close(struct nbr *n)
{
	ev_io_stop(n->b->d->loop, &n->rw2);
	if (n->fd2 >= 0)
		close(n->fd2);
	n->fd2 = -1;
}

static void
read2_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct nbr *n = w->data;
	struct bgpd *b = n->b;
	ssize_t r;
	int i;

	(void)loop, (void)revents;
	for (i = 0; i < BGP_READS_PER_EVENT && n->fd2 >= 0; i++) {
		r = read(n->fd2, b->rbuf, sizeof(b->rbuf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			log_info("bgp %s: second connection %s", n->cfg->name,
			    r == 0 ? "closed by the peer" : strerror(errno));
			second_close(n);
			bgp_peer_closed2(n->peer, now_ms(b));
			return;
		}
		/* the FSM may swap it in: then the session's reads go on */
		bgp_peer_input2(n->peer, b->rbuf, (size_t)r, now_ms(b));
	}
}

/* ------------------------------------------------------------------ */
/* The FSM's ops                                                       */

static void
op_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct nbr *n = ctx;
	uint8_t *q;
	size_t cap;

	if (n->fd < 0 || n->connecting)
		return;
	if (n->qlen + len > BGP_OUTQ_MAX) {
		n->q_overflow++;
		defer_closed(n, "output queue overflow: the peer reads "
		    "nothing, resetting the session");
		return;
	}
	if (n->qlen + len > n->qcap) {
		cap = n->qcap == 0 ? 8192 : n->qcap;
		while (cap < n->qlen + len)
			cap *= 2;
		if ((q = realloc(n->q, cap)) == NULL) {
			defer_closed(n, "out of memory for the output queue");
			return;
		}
		n->q = q;
		n->qcap = cap;
	}
	memcpy(n->q + n->qlen, buf, len);
	n->qlen += len;
	if (!ev_is_active(&n->ww))
		flush_queue(n);
}

static void
op_connect(void *ctx)
{
	struct nbr *n = ctx;
	static const uint8_t zero[16];
	const struct conf_bgp_nbr *c = n->cfg;
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[96];
	int fd, one = 1;

	transport_close(n);
	fd = socket(is_v4(c->addr) ? AF_INET : AF_INET6,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, sizeof(why), "socket: %s", strerror(errno));
		goto fail;
	}
	n->fd = fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (set_md5(fd, c->addr, is_v4(c->addr), c->password) < 0) {
		snprintf(why, sizeof(why), "TCP MD5: %s", strerror(errno));
		goto fail;
	}
	if (memcmp(c->local, zero, 16) != 0) {
		sl = sockaddr_of(c->local, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			snprintf(why, sizeof(why), "bind: %s", strerror(errno));
			goto fail;
		}
	}
	sl = sockaddr_of(c->addr, c->port, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 &&
	    errno != EINPROGRESS) {
		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		goto fail;
	}
	/* done or not, writability says: the same path either way */
	n->connecting = true;
	ev_io_stop(n->b->d->loop, &n->ww);
	ev_io_set(&n->ww, fd, EV_WRITE);
	ev_io_start(n->b->d->loop, &n->ww);
	return;
fail:
	n->sock_errors++;
	defer_closed(n, why);
}

static void
op_disconnect(void *ctx)
{
	transport_close(ctx);
}

/* An OPEN or a NOTIFICATION on a fresh socket: written at once; what does
 * not fit is lost with the connection, which its reader will see end. */
static void
op_send2(void *ctx, const uint8_t *buf, size_t len)
{
	struct nbr *n = ctx;
	ssize_t w;

	if (n->fd2 < 0)
		return;
	do
		w = write(n->fd2, buf, len);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)len) {
		n->sock_errors++;
		log_warnx("bgp %s: second connection: short write",
		    n->cfg->name);
	}
}

static void
op_close2(void *ctx)
{
	struct nbr *n = ctx;

	log_info("bgp %s: second connection closed", n->cfg->name);
	second_close(n);
}

/* The collision kept the second connection: it becomes the session's. */
static void
op_swap(void *ctx)
{
	struct nbr *n = ctx;

	log_info("bgp %s: collision: the second connection kept",
	    n->cfg->name);
	/* the Cease went out with op_send, as far as it could; a failure
	 * of the old connection waiting to be told is no longer news */
	transport_close(n);
	n->kick_closed = false;
	ev_timer_stop(n->b->d->loop, &n->kick);
	ev_io_stop(n->b->d->loop, &n->rw2);
	n->fd = n->fd2;
	n->fd2 = -1;
	start_reading(n);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct nbr *n = w->data;

	(void)loop, (void)revents;
	bgp_peer_tick(n->peer, now_ms(n->b));
}

static void
op_timer(void *ctx, uint64_t at_ms)
{
	struct nbr *n = ctx;
	struct ev_loop *loop = n->b->d->loop;
	uint64_t now = now_ms(n->b);

	ev_timer_stop(loop, &n->tw);
	if (at_ms == 0)
		return;
	ev_timer_set(&n->tw, at_ms > now ? (double)(at_ms - now) / 1000.0 : 0, 0);
	ev_timer_start(loop, &n->tw);
}

static enum bgp_af
af_of_key(const struct bgp_mup *m)
{
	if (m->type == BGP_MUP_PREFIX)
		return BGP_AF_IPV6_UNICAST;
	return m->afi == BGP_AFI_IPV4 ? BGP_AF_IPV4_MUP : BGP_AF_IPV6_MUP;
}

/* This end of the session's address: the configured local address, else
 * the socket's. */
static uint8_t
local_addr(const struct nbr *n, uint8_t out[16])
{
	static const uint8_t zero[16];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	memset(out, 0, 16);
	if (memcmp(n->cfg->local, zero, 16) != 0)
		memcpy(out, n->cfg->local, 16);
	else if (n->fd < 0 ||
	    getsockname(n->fd, (struct sockaddr *)&ss, &sl) < 0)
		return 0;
	else if (ss.ss_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else
		memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	if (!is_v4(out))
		return 16;
	memmove(out, out + 12, 4);
	return 4;
}

/* Our attributes as they go out to n: iBGP wants LOCAL_PREF; a route given
 * no next hop gets this PE's address (the mup section's), or without one
 * this end of n's session. */
static void
out_attrs(const struct bgpd *b, const struct nbr *n,
    const struct bgp_rattr *ra, struct bgp_attrs *a)
{
	const struct conf *c = &b->d->conf;

	bgp_rattr_to(ra, a);
	if (a->local_pref == 0) {
		a->local_pref = 100;
		a->seen |= BGP_SEEN(BGP_ATTR_LOCAL_PREF);
	}
	if (a->nh_len != 0)
		return;
	if (c->has_mup) {
		a->nh_len = c->mup.afi == BGP_AFI_IPV4 ? 4 : 16;
		memcpy(a->nh, c->mup.addr, a->nh_len);
	} else
		a->nh_len = local_addr(n, a->nh);
}

static bool
same_attr(const struct bgp_rattr *x, const struct bgp_rattr *y)
{
	return memcmp(x, y, sizeof(*x)) == 0;
}

static bool
send_msg(struct nbr *n, const struct wbuf *w)
{
	return wb_ok(w) && bgp_peer_send(n->peer, w->p, w->len, now_ms(n->b));
}

/*
 * What gobgpd 3.10 cannot read goes only to a neighbor configured to
 * (mup_tlvs, docs/wire.md 8.2, 8.3): a session transformed route with
 * TLVs, a MUP community of another sub-type than 0.
 */
static bool
needs_01(const struct bgp_mup *m, const struct bgp_rattr *ra)
{
	return m->tlv_len > 0 || (ra != NULL && ra->has_mup_ec &&
	    ra->mup_ec.sub != BGP_MUP_EC_DIRECT_AS2);
}

static bool
may_send(struct nbr *n, const struct bgp_mup *m, const struct bgp_rattr *ra)
{
	if (n->cfg->mup_tlvs || !needs_01(m, ra))
		return true;
	n->held_back++;
	return false;
}

/* Every route of ours of family af, as many per UPDATE as fit. */
static size_t
send_table(struct nbr *n, enum bgp_af af)
{
	struct bgpd *b = n->b;
	uint8_t buf[BGP_MAX_LEN], last[BGP_MAX_LEN];
	struct bgp_mup *batch;
	struct bgp_attrs a;
	struct wbuf w;
	size_t i, nb = 0, lastlen = 0, msgs = 0;
	const struct adv *cur = NULL;

	if (b->nadv == 0 || (batch = calloc(b->nadv, sizeof(*batch))) == NULL)
		return 0;
	for (i = 0; i <= b->nadv; i++) {
		const struct adv *e = i < b->nadv ? &b->adv[i] : NULL;

		if (e != NULL && (af_of_key(&e->key) != af ||
		    !may_send(n, &e->key, &e->attr)))
			continue;
		/* Routes added from the socket go one per UPDATE: gobgpd
		 * 3.10 misreads what follows a short-prefix ISD. */
		if (e != NULL && cur != NULL && !e->ctl && !cur->ctl &&
		    same_attr(&cur->attr, &e->attr)) {
			batch[nb] = e->key;
			out_attrs(b, n, &cur->attr, &a);
			wb_init(&w, buf, sizeof(buf));
			if (bgp_update_encode_mup(&w, af, &a, batch, nb + 1,
			    NULL, 0) && wb_ok(&w)) {
				nb++;
				memcpy(last, buf, w.len);
				lastlen = w.len;
				continue;
			}
		}
		/* the batch is full, or the attributes changed: send it */
		if (nb > 0) {
			wb_init(&w, last, sizeof(last));
			w.len = lastlen;
			msgs += send_msg(n, &w);
			nb = 0;
		}
		if (e == NULL)
			break;
		cur = e;
		batch[0] = e->key;
		out_attrs(b, n, &cur->attr, &a);
		wb_init(&w, buf, sizeof(buf));
		if (!bgp_update_encode_mup(&w, af, &a, batch, 1, NULL, 0) ||
		    !wb_ok(&w)) {
			log_warnx("bgp %s: a route of ours does not fit in an "
			    "UPDATE", n->cfg->name);
			cur = NULL;
			continue;
		}
		memcpy(last, buf, w.len);
		lastlen = w.len;
		nb = 1;
	}
	free(batch);
	return msgs;
}

static void
send_all(struct nbr *n, bool eor)
{
	uint32_t afs = bgp_peer_afs(n->peer);
	uint8_t buf[64];
	struct wbuf w;
	size_t msgs = 0;

	for (int af = 0; af < BGP_AF__COUNT; af++) {
		if (!(afs & (1u << af)))
			continue;
		msgs += send_table(n, (enum bgp_af)af);
		if (!eor)
			continue;
		wb_init(&w, buf, sizeof(buf));
		if (bgp_eor_encode(&w, (enum bgp_af)af))
			send_msg(n, &w);
	}
	log_info("bgp %s: sent our %zu routes in %zu UPDATEs%s", n->cfg->name,
	    n->b->nadv, msgs, eor ? ", then End-of-RIB" : "");
}

static void
op_state(void *ctx, enum bgp_state from, enum bgp_state to)
{
	struct nbr *n = ctx;
	char why[MUP_WHY_MAX];
	size_t gone;

	if (to == BGP_ST_ESTABLISHED || from == BGP_ST_ESTABLISHED)
		log_warnx("bgp %s: %s -> %s", n->cfg->name,
		    bgp_state_name(from), bgp_state_name(to));
	else
		log_info("bgp %s: %s -> %s", n->cfg->name,
		    bgp_state_name(from), bgp_state_name(to));
	if (to == BGP_ST_ESTABLISHED) {
		n->up_ms = now_ms(n->b);
		send_all(n, true);
	}
	if (from == BGP_ST_ESTABLISHED) {
		n->up_ms = 0;
		/* Issue [11]: the sessions the flush moves say why. */
		snprintf(why, sizeof(why), "BGP session %s down: %s",
		    n->cfg->name, bgp_peer_down_why(n->peer));
		if (n->b->mup != NULL)
			mup_set_cause(n->b->mup, why);
		gone = bgp_rib_flush(n->b->rib, n->idx);
		if (n->b->mup != NULL)
			mup_set_cause(n->b->mup, NULL);
		log_info("bgp %s: %zu routes withdrawn with the session (%s)",
		    n->cfg->name, gone, bgp_peer_down_why(n->peer));
	}
}

static void
op_update(void *ctx, const struct bgp_update *u)
{
	struct nbr *n = ctx;
	enum bgp_err err = BGP_OK;

	if (bgp_rib_apply(n->b->rib, n->idx, u, &err) < 0) {
		/* RFC 7606 5.3: an NLRI length that cannot be trusted */
		n->rib_errors++;
		snprintf(n->last_error, sizeof(n->last_error), "malformed "
		    "NLRI (%s): session reset", bgp_err_name(err));
		log_warnx("bgp %s: %s", n->cfg->name, n->last_error);
		bgp_peer_reset(n->peer, err, 0, now_ms(n->b));
	}
}

static void
op_refresh(void *ctx, enum bgp_af af)
{
	struct nbr *n = ctx;

	log_info("bgp %s: ROUTE-REFRESH for %s", n->cfg->name, bgp_af_name(af));
	send_table(n, af);
}

static void
op_error(void *ctx, enum bgp_err e, size_t off, bool sent)
{
	struct nbr *n = ctx;
	enum bgp_action act = bgp_err_action(e);

	if (act != BGP_ACT_SESSION_RESET)
		n->rfc7606++;
	snprintf(n->last_error, sizeof(n->last_error), "%s at octet %zu%s",
	    bgp_err_name(e), off, sent ? ", NOTIFICATION sent" :
	    act == BGP_ACT_TREAT_AS_WITHDRAW ? ", treat-as-withdraw" :
	    act == BGP_ACT_ATTR_DISCARD ? ", attribute discarded" : "");
	log_warnx("bgp %s: error %s", n->cfg->name, n->last_error);
}

static size_t
op_routes(void *ctx, enum bgp_af af)
{
	struct nbr *n = ctx;

	return bgp_rib_peer_af_routes(n->b->rib, n->idx, af);
}

/* Logged once: the warning once per family and session, the limit once
 * per session (it ends it). */
static void
op_prefix_limit(void *ctx, enum bgp_af af, size_t routes, bool exceeded)
{
	struct nbr *n = ctx;
	const struct bgp_peer_cfg *c = bgp_peer_config(n->peer);

	if (!exceeded) {
		log_warnx("bgp %s: %zu %s routes, %u %% of max_prefix %u",
		    n->cfg->name, routes, bgp_af_name(af),
		    c->max_prefix_warn_pct, c->max_prefix);
		return;
	}
	if (c->max_prefix_restart_s != 0)
		snprintf(n->last_error, sizeof(n->last_error), "max_prefix %u "
		    "exceeded (%s): Cease 6/1 sent, down for %u s",
		    c->max_prefix, bgp_af_name(af), c->max_prefix_restart_s);
	else
		snprintf(n->last_error, sizeof(n->last_error), "max_prefix %u "
		    "exceeded (%s): Cease 6/1 sent, down until restarted",
		    c->max_prefix, bgp_af_name(af));
	log_warnx("bgp %s: %zu routes, %s", n->cfg->name, routes,
	    n->last_error);
}

static const struct bgp_peer_ops peer_ops = {
	.send = op_send,
	.connect = op_connect,
	.disconnect = op_disconnect,
	.timer = op_timer,
	.state = op_state,
	.update = op_update,
	.refresh = op_refresh,
	.error = op_error,
	.routes = op_routes,
	.prefix_limit = op_prefix_limit,
	.send2 = op_send2,
	.close2 = op_close2,
	.swap = op_swap,
};

/* ------------------------------------------------------------------ */
/* The RIB and the roles                                               */

static void
rib_change(void *ctx, uint32_t peer, enum bgp_rib_op op,
    const struct bgp_mup *m, const struct bgp_rattr *old,
    const struct bgp_rattr *now)
{
	struct bgpd *b = ctx;

	if (b->mup != NULL) {
		mup_set_time(b->mup, now_ms(b));
		mup_rib_change(b->mup, peer, op, m, old, now);
	}
}

/* The key the RIB gives a MUP route (its family and the NLRI's wire
 * form); false if the NLRI does not encode. */
static bool
adv_key(const struct bgp_mup *m, struct adv_ix *k)
{
	memset(k, 0, sizeof(*k));
	k->afi = m->afi;
	k->len = (uint8_t)bgp_mup_key(m, k->nlri, sizeof(k->nlri));
	return k->len != 0;
}

static struct adv_ix *
adv_ix_get(const struct bgpd *b, const struct bgp_mup *m)
{
	struct adv_ix k;

	if (!adv_key(m, &k))
		return NULL;
	return table_get(&b->advix, &k);
}

struct adv *
bgp_adv_find(struct bgpd *b, const struct bgp_mup *m)
{
	struct adv_ix *x = adv_ix_get(b, m);

	return x != NULL ? &b->adv[x->pos] : NULL;
}

/* Index the route about to take position pos; false when out of memory.
 * A route without a key goes unindexed, as it was unfindable before. */
static bool
adv_ix_add(struct bgpd *b, const struct bgp_mup *m, size_t pos)
{
	struct adv_ix k, *x;
	bool created;

	if (!adv_key(m, &k))
		return true;
	if ((x = table_put(&b->advix, &k, &created)) == NULL)
		return false;
	x->pos = (uint32_t)pos;
	return true;
}

static bool
speaks(const struct nbr *n, enum bgp_af af)
{
	return bgp_peer_state(n->peer) == BGP_ST_ESTABLISHED &&
	    (bgp_peer_afs(n->peer) & (1u << af));
}

/* Which neighbors a withdrawal goes to: where the route could go. */
enum to { TO_ALL, TO_01, TO_OLD };

static bool
goes_to(const struct nbr *n, enum to to)
{
	return to == TO_ALL || (to == TO_01) == n->cfg->mup_tlvs;
}

/* One UPDATE to every Established neighbor that speaks the family (the
 * attributes per neighbor: a default next hop may be its session's): the
 * route (ra), or its withdrawal (ra NULL, the key alone) to those 'to'
 * says. */
static void
send_one(struct bgpd *b, const struct bgp_mup *m, const struct bgp_rattr *ra,
    enum to to)
{
	enum bgp_af af = af_of_key(m);
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_attrs a;
	struct bgp_mup k = *m;
	struct wbuf w;

	if (ra == NULL) {
		k.tlv = NULL;
		k.tlv_len = 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!speaks(&b->nbr[i], af))
			continue;
		if (ra != NULL && !may_send(&b->nbr[i], m, ra))
			continue;
		if (ra == NULL && !goes_to(&b->nbr[i], to))
			continue;
		wb_init(&w, buf, sizeof(buf));
		if (ra != NULL) {
			out_attrs(b, &b->nbr[i], ra, &a);
			if (!bgp_update_encode_mup(&w, af, &a, m, 1, NULL, 0))
				w.len = 0;
		} else {
			memset(&a, 0, sizeof(a));
			if (!bgp_update_encode_mup(&w, af, &a, NULL, 0, &k, 1))
				w.len = 0;
		}
		if (w.len == 0 || !wb_ok(&w)) {
			log_warnx("bgp %s: a route of ours does not encode",
			    b->nbr[i].cfg->name);
			continue;
		}
		send_msg(&b->nbr[i], &w);
	}
}

/* Room for one more route; false when out of memory. */
static bool
adv_reserve(struct bgpd *b)
{
	size_t cap = b->cadv == 0 ? 16 : b->cadv * 2;
	struct adv *na;

	if (b->nadv < b->cadv)
		return true;
	if ((na = realloc(b->adv, cap * sizeof(*na))) == NULL)
		return false;
	b->adv = na;
	b->cadv = cap;
	return true;
}

/* The route's TLVs, a copy of its own (they are not part of its key:
 * the same route may come again with others). */
/* A copy of the route's TLVs of its own (they are not part of its key:
 * the same route may come again with others); *out NULL without.  False
 * when out of memory. */
static bool
tlv_copy(const struct bgp_mup *m, uint8_t **out)
{
	*out = NULL;
	if (m->tlv_len == 0)
		return true;
	if ((*out = malloc(m->tlv_len)) == NULL)
		return false;
	memcpy(*out, m->tlv, m->tlv_len);
	return true;
}

bool
bgp_adv_set(struct bgpd *b, const struct bgp_mup *m,
    const struct bgp_rattr *ra, bool ctl)
{
	struct adv *e = bgp_adv_find(b, m);
	/* the neighbors without mup_tlvs have it (it needed no -01) */
	bool old_have = e != NULL && !needs_01(&e->key, &e->attr);
	uint8_t *tlv;

	/* Everything that can fail first: nothing half made stays. */
	if (!tlv_copy(m, &tlv))
		return false;
	if (e == NULL) {
		if (b->nadv >= UINT32_MAX || !adv_reserve(b) ||
		    !adv_ix_add(b, m, b->nadv)) {
			free(tlv);
			return false;
		}
		e = &b->adv[b->nadv++];
		e->tlv = NULL;
		e->ctl = false;
	}
	free(e->tlv);
	e->tlv = tlv;
	e->key = *m;
	e->key.tlv = tlv;
	/* Neighbors that had it and may not read it now: withdrawn there. */
	if (old_have && needs_01(m, ra))
		send_one(b, &e->key, NULL, TO_OLD);
	if (e->ctl != ctl) {
		b->nctl = ctl ? b->nctl + 1 : b->nctl - 1;
		e->ctl = ctl;
	}
	e->attr = *ra;
	send_one(b, &e->key, ra, TO_ALL);
	return true;
}

/* The last route takes the hole, and its index entry follows it. */
void
bgp_adv_del(struct bgpd *b, struct adv *e)
{
	struct bgp_mup m = e->key;
	enum to to = needs_01(&e->key, &e->attr) ? TO_01 : TO_ALL;
	size_t pos = (size_t)(e - b->adv), last = b->nadv - 1;
	struct adv_ix *x;

	if (e->ctl)
		b->nctl--;
	free(e->tlv);
	table_del(&b->advix, adv_ix_get(b, &m));
	if (pos != last) {
		*e = b->adv[last];
		if ((x = adv_ix_get(b, &e->key)) != NULL)
			x->pos = (uint32_t)pos;
	}
	b->nadv--;
	send_one(b, &m, NULL, to);
}

static void
mop_announce(void *ctx, const struct bgp_mup *m, const struct bgp_rattr *ra)
{
	struct bgpd *b = ctx;
	struct adv *e = bgp_adv_find(b, m);

	if (e != NULL && e->ctl)
		log_warnx("bgp: the roles now advertise a route added with "
		    "\"bgp route add\"");
	if (!bgp_adv_set(b, m, ra, false))
		log_warnx("bgp: out of memory for our routes");
}

/*
 * The roles withdraw what they advertise.  A route added from the socket
 * stays until "bgp route del", unless the roles took its key over (they
 * advertised the same key since): then it is theirs, and goes with their
 * withdrawal (docs/catsd.md).
 */
static void
mop_withdraw(void *ctx, const struct bgp_mup *m)
{
	struct bgpd *b = ctx;
	struct adv *e = bgp_adv_find(b, m);

	if (e == NULL)
		send_one(b, m, NULL, TO_ALL);
	else if (!e->ctl)
		bgp_adv_del(b, e);
}

/* Another session still uses the endpoint's route (every one is looked
 * at; when memory runs out, say yes: a stale route beats a lost one). */
static bool
another_steers(const struct bgpd *b, const struct mup_steer *s)
{
	size_t n = mup_steer_list(b->mup, NULL, 0);
	struct mup_steer *list = calloc(n + 1, sizeof(*list));
	bool other = false;

	if (list == NULL)
		return true;
	n = mup_steer_list(b->mup, list, n);
	for (size_t i = 0; i < n && !other; i++)
		other = list[i].teid != s->teid && list[i].cis_id != 0 &&
		    memcmp(list[i].ep, s->ep, 16) == 0;
	free(list);
	return other;
}

/*
 * The kernel cannot match a GTP-U TEID (no route key has one), so on the
 * kernel data plane the session's steering becomes an SRv6 H.Encaps route
 * for its T2ST endpoint address toward the SID of the chosen instance; the
 * TEID-level table is the roles' (catsctl show mup).
 */
static void
steer_kernel(struct bgpd *b, const struct mup_steer *s)
{
	const struct conf *c = &b->d->conf;
	const uint8_t (*segs)[16] = (const uint8_t (*)[16])s->sid;
	struct kr_route r;

	if (b->d->dp_kind == CONF_DP_NONE || c->mup.afi != BGP_AFI_IPV6)
		return;
	if (s->cis_id == 0 && another_steers(b, s))
		return;
	kr_route_encap6(&r, c->table, s->ep, 128, NULL, 0, segs, 1,
	    c->core_if[0] != '\0' ? if_nametoindex(c->core_if) : 0, NULL);
	if (dp_route(b->d->dp, &r, s->cis_id != 0 ? KR_REPLACE : KR_DELETE) < 0) {
		log_warnx("mup steer: %s", dp_error(b->d->dp));
		b->steer.kernel_errors++;
	}
}

static void
mop_steer(void *ctx, const struct mup_steer *s)
{
	struct bgpd *b = ctx;
	char ep[INET6_ADDRSTRLEN], sid[INET6_ADDRSTRLEN];
	int fam = b->d->conf.mup.afi == BGP_AFI_IPV4 ? AF_INET : AF_INET6;

	inet_ntop(fam, s->ep, ep, sizeof(ep));
	inet_ntop(AF_INET6, s->sid, sid, sizeof(sid));
	if (s->cis_id != 0) {
		b->steer.installed++;
		log_warnx("mup steer: teid %u endpoint %s -> cs-id %u cis-id %u "
		    "sid %s%s", s->teid, ep, s->cs_id, s->cis_id, sid,
		    s->pinned ? " (pinned)" : "");
	} else {
		b->steer.removed++;
		log_warnx("mup steer: teid %u endpoint %s removed", s->teid, ep);
	}
	steer_kernel(b, s);
}

static void
mop_note(void *ctx, const char *what)
{
	(void)ctx;
	log_info("mup: %s", what);
}

static const struct mup_ops mup_ops = {
	.announce = mop_announce,
	.withdraw = mop_withdraw,
	.steer = mop_steer,
	.note = mop_note,
};

/* ------------------------------------------------------------------ */
/* The listener                                                        */

static struct nbr *
nbr_by_addr(struct bgpd *b, const struct sockaddr_storage *ss)
{
	uint8_t a[16] = { 0 };

	if (ss->ss_family == AF_INET) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	for (size_t i = 0; i < b->n; i++)
		if (memcmp(b->nbr[i].cfg->addr, a, 16) == 0)
			return &b->nbr[i];
	return NULL;
}

/* RFC 4271 6.8: a connection of n's while its session has one. */
static void
accept_second(struct nbr *n, int fd)
{
	int one = 1;

	if (n->fd2 >= 0) {
		log_info("bgp %s: third connection refused", n->cfg->name);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	n->fd2 = fd;
	n->accepted++;
	ev_io_set(&n->rw2, fd, EV_READ);
	ev_io_start(n->b->d->loop, &n->rw2);
	if (!bgp_peer_second(n->peer, true, now_ms(n->b))) {
		log_info("bgp %s: second connection refused", n->cfg->name);
		second_close(n);
		return;
	}
	log_info("bgp %s: accepted a second connection", n->cfg->name);
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bgpd *b = w->data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct nbr *n;
	char a[INET6_ADDRSTRLEN];
	int fd, one = 1;

	(void)loop, (void)revents;
	fd = accept4(b->lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		/* Out of descriptors: the listener stays readable, so rest a
		 * second rather than spin. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("bgp: accept");
			ev_io_stop(b->d->loop, &b->lw);
			ev_timer_set(&b->lpause, 1.0, 0);
			ev_timer_start(b->d->loop, &b->lpause);
		}
		return;
	}
	if ((n = nbr_by_addr(b, &ss)) == NULL) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
			    a, sizeof(a));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			    a, sizeof(a));
		log_warnx("bgp: connection from %s, not a neighbor: closed", a);
		close(fd);
		return;
	}
	/* a session past Connect: the FSM resolves the collision (RFC 4271
	 * 6.8); one still connecting gives way to this one */
	if (n->fd >= 0 && !n->connecting) {
		accept_second(n, fd);
		return;
	}
	/* The FSM learns of a failed transport before of the new one. */
	if (n->kick_closed) {
		n->kick_closed = false;
		ev_timer_stop(b->d->loop, &n->kick);
		bgp_peer_closed(n->peer, now_ms(b));
	}
	transport_close(n);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	n->fd = fd;
	n->accepted++;
	start_reading(n);
	log_info("bgp %s: accepted a connection", n->cfg->name);
	bgp_peer_accepted(n->peer, now_ms(b));
}

static void
mup_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bgpd *b = w->data;

	(void)loop, (void)revents;
	mup_tick(b->mup, now_ms(b));
}

/* The agents' samples for the roles (catsd.h). */
int
bgp_mup_metrics(struct catsd *d, uint32_t cis_id,
    const struct cats_sample *s, size_t n)
{
	if (d->bgp == NULL || d->bgp->mup == NULL)
		return CATSD_NO_SELECTOR;
	return mup_metrics(d->bgp->mup, cis_id, s, n, now_ms(d->bgp));
}

int
bgp_mup_path(struct catsd *d, const uint8_t site[16],
    const struct cats_sample *s, size_t n)
{
	if (d->bgp == NULL || d->bgp->mup == NULL)
		return CATSD_NO_SELECTOR;
	return mup_path_samples(d->bgp->mup, site, s, n, now_ms(d->bgp));
}

static void
listen_resume(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bgpd *b = w->data;

	(void)revents;
	ev_io_start(loop, &b->lw);
}

static int
listen_open(struct bgpd *b)
{
	const struct conf_bgp *c = &b->d->conf.bgp;
	struct sockaddr_in6 s6;
	int fd, one = 1, zero = 0;
	bool any = false;

	for (size_t i = 0; i < b->n; i++)
		any = any || b->nbr[i].cfg->passive;
	if (!any)
		return 0;
	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0) {
		log_warn("bgp: listener socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	for (size_t i = 0; i < b->n; i++)
		if (set_md5(fd, b->nbr[i].cfg->addr, false,
		    b->nbr[i].cfg->password) < 0) {
			log_warn("bgp %s: TCP MD5 on the listener",
			    b->nbr[i].cfg->name);
			close(fd);
			return -1;
		}
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(c->port);
	memcpy(&s6.sin6_addr, c->listen, 16);
	if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) < 0 ||
	    listen(fd, 16) < 0) {
		log_warn("bgp: listen on port %u", c->port);
		close(fd);
		return -1;
	}
	b->lfd = fd;
	ev_io_init(&b->lw, accept_cb, fd, EV_READ);
	b->lw.data = b;
	ev_io_start(b->d->loop, &b->lw);
	ev_init(&b->lpause, listen_resume);
	b->lpause.data = b;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int
nbr_init(struct bgpd *b, size_t i)
{
	const struct conf_bgp *c = &b->d->conf.bgp;
	struct nbr *n = &b->nbr[i];
	struct bgp_peer_cfg pc;
	const char *why = NULL;

	n->b = b;
	n->idx = (uint32_t)i;
	n->cfg = &c->nbr[i];
	n->fd = -1;
	n->fd2 = -1;
	ev_init(&n->rw, read_cb);
	n->rw.data = n;
	ev_init(&n->rw2, read2_cb);
	n->rw2.data = n;
	ev_init(&n->ww, write_cb);
	n->ww.data = n;
	ev_init(&n->tw, timer_cb);
	n->tw.data = n;
	ev_init(&n->kick, kick_cb);
	n->kick.data = n;
	memset(&pc, 0, sizeof(pc));
	snprintf(pc.name, sizeof(pc.name), "%s", n->cfg->name);
	pc.local_as = c->asn;
	pc.peer_as = n->cfg->asn;
	pc.router_id = c->router_id;
	pc.hold = c->hold;
	pc.afs = n->cfg->afs;
	pc.passive = n->cfg->passive;
	pc.connect_retry_ms = c->connect_retry_ms;
	pc.idle_hold_ms = c->idle_hold_ms;
	pc.idle_hold_max_ms = c->idle_hold_max_ms;
	pc.max_prefix = n->cfg->max_prefix;
	pc.max_prefix_warn_pct = n->cfg->max_prefix_warn_pct;
	pc.max_prefix_restart_s = n->cfg->max_prefix_restart_s;
	if ((n->peer = bgp_peer_new(&pc, &peer_ops, n, &why)) == NULL) {
		log_warnx("bgp %s: %s", n->cfg->name, why ? why : "refused");
		return -1;
	}
	return 0;
}

int
bgp_open(struct catsd *d)
{
	const struct conf *c = &d->conf;
	struct bgpd *b;
	const char *why = NULL;
	uint64_t now;

	if (!c->has_bgp)
		return 0;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->nbr = calloc(c->bgp.nnbr + 1, sizeof(*b->nbr))) == NULL) {
		free(b);
		log_warnx("bgp: out of memory");
		return -1;
	}
	d->bgp = b;
	b->d = d;
	b->lfd = -1;
	if (!table_init(&b->advix, sizeof(struct adv_ix),
	    offsetof(struct adv_ix, pos), 0)) {
		log_warnx("bgp: out of memory for our routes");
		return -1;
	}
	if ((b->rib = bgp_rib_new(rib_change, b)) == NULL) {
		log_warnx("bgp: out of memory for the RIB");
		return -1;
	}
	if (c->has_mup &&
	    (b->mup = mup_new(&c->mup, &mup_ops, b, &why)) == NULL) {
		log_warnx("mup: %s", why ? why : "refused");
		return -1;
	}
	for (b->n = 0; b->n < c->bgp.nnbr; b->n++)
		if (nbr_init(b, b->n) < 0)
			return -1;
	if (listen_open(b) < 0)
		return -1;
	now = now_ms(b);
	if (b->mup != NULL) {
		mup_start(b->mup, now);
		/* The site PE's periodic metric refresh (mup_tick) needs no
		 * finer clock than a second. */
		ev_timer_init(&b->mtick, mup_tick_cb, 1.0, 1.0);
		b->mtick.data = b;
		ev_timer_start(b->d->loop, &b->mtick);
	}
	for (size_t i = 0; i < b->n; i++)
		bgp_peer_start(b->nbr[i].peer, now);
	log_info("bgp: AS %u, %zu neighbors%s", c->bgp.asn, b->n,
	    b->mup != NULL ? ", CATS-MUP roles on" : "");
	return 0;
}

void
bgp_close(struct catsd *d)
{
	struct bgpd *b = d->bgp;

	if (b == NULL)
		return;
	/* Every session stops before any is freed: a stop flushes the
	 * peer's routes, and the roles may answer with routes to the others
	 * (a controller re-choosing), which look at every neighbor. */
	for (size_t i = 0; i < b->n; i++) {
		struct nbr *n = &b->nbr[i];

		/* Cease to each peer, flushed best effort */
		bgp_peer_stop(n->peer, now_ms(b));
		ev_timer_stop(d->loop, &n->tw);
		ev_timer_stop(d->loop, &n->kick);
		transport_close(n);
		second_close(n);
	}
	for (size_t i = 0; i < b->n; i++) {
		bgp_peer_free(b->nbr[i].peer);
		free(b->nbr[i].q);
	}
	if (b->mup != NULL)
		ev_timer_stop(d->loop, &b->mtick);
	if (b->lfd >= 0) {
		ev_io_stop(d->loop, &b->lw);
		ev_timer_stop(d->loop, &b->lpause);
		close(b->lfd);
	}
	mup_free(b->mup);
	bgp_rib_free(b->rib);
	table_free(&b->advix);
	for (size_t i = 0; i < b->nadv; i++)
		free(b->adv[i].tlv);
	free(b->adv);
	free(b->nbr);
	free(b);
	d->bgp = NULL;
}
