/*
 * ra: the prefix to the terminal (anchoring section 3 step 8).  On an
 * ingress with "ra" enabled, a raw ICMPv6 socket on the access interface
 * sends each client with an allocated prefix a Router Advertisement
 * carrying that prefix (PIO) and a route to its service's CS-ID address
 * (RFC 4191 RIO) through this router: when the session is established,
 * then the first few sooner (RFC 4861 6.2.4), every interval (jittered),
 * after a Router Solicitation, and with lifetimes 0 when the session goes
 * or catsd stops.  docs/ra.md has the whole story, and why the RAs are
 * unicast to each client.
 *
 * The engine says all it needs in its data-plane intents: DP_PREFIX gives
 * client, service and prefix; DP_UNSTEER (session over), DP_BUFFER and
 * DP_FORWARD (the client left this link) withdraw them.  An ingress keeps
 * them while "ra" is off too, so that a SIGHUP that turns it on (ra_reload)
 * advertises the sessions already up.
 *
 * The ICMPv6 checksum is the kernel's: a raw ICMPv6 socket computes it on
 * send and verifies it on receive (RFC 3542 3.1).
 */
#define _GNU_SOURCE		/* struct in6_pktinfo (RFC 3542) */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cats/log.h"
#include "catsd.h"

#define RS_BURST		16	/* solicitations per wake-up */
#define MAX_RA_DELAY_MS		500	/* RFC 4861 10: MAX_RA_DELAY_TIME */
#define MIN_DELAY_BETWEEN_RAS	3.0	/* RFC 4861 10, seconds */
#define INITIAL_SLACK		1.0	/* initial RAs due this soon go together */

/* One client's prefix for one service, as the engine gave it. */
struct ra_key {
	uint8_t		 client[16];
	uint16_t	 service;
};

struct ra_entry {
	struct ra_key	 key;		/* first: the table's key */
	struct mh_prefix prefix;
	/* RFC 4861 6.2.4: RAs sent since this prefix was first advertised
	 * (or the values changed), up to RA_MAX_INITIAL_ADVERTS; below that,
	 * when the next one is due */
	uint8_t		 sent;
	ev_tstamp	 due;
};

struct rad {
	struct catsd	*d;
	bool		 on;		/* advertising: the socket is open */
	int		 fd;
	unsigned	 ifindex;
	uint8_t		 lladdr[6];	/* our source link-layer address */
	uint8_t		 lladdr_len;	/* 0: not Ethernet, no option */
	uint8_t		 src[16];	/* our link-local address */
	bool		 have_src;
	ev_io		 rx_w;
	ev_timer	 tick_w;	/* the periodic round */
	ev_timer	 rs_w;		/* the answer to solicitations */
	ev_timer	 init_w;	/* the first few RAs of new entries */
	double		 last_round;	/* catsd_now_s of the last full round */
	struct table	 entries;	/* struct ra_entry by struct ra_key */
};

static void
key_of(struct ra_key *k, const struct dp_intent *in)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->client, in->client, 16);
	k->service = in->service;
}

/* RFC 4861 6.1.2: the receiver drops an RA whose source is not
 * link-local, so the source is set, not left to source selection. */
static bool
find_linklocal(struct rad *r)
{
	struct ifaddrs *ifa, *i;
	const struct sockaddr_in6 *s;
	char name[IF_NAMESIZE];

	r->have_src = false;
	if (if_indextoname(r->ifindex, name) == NULL || getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i != NULL && !r->have_src; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(i->ifa_name, name) != 0)
			continue;
		s = (const struct sockaddr_in6 *)(const void *)i->ifa_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr)) {
			memcpy(r->src, &s->sin6_addr, 16);
			r->have_src = true;
		}
	}
	freeifaddrs(ifa);
	return r->have_src;
}

/* RFC 4861 4.2: the Source Link-Layer Address option SHOULD be in an RA
 * (it saves the host a Neighbor Solicitation). */
static void
find_lladdr(struct rad *r, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(r->fd, SIOCGIFHWADDR, &ifr) < 0 ||
	    ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return;
	memcpy(r->lladdr, ifr.ifr_hwaddr.sa_data, 6);
	r->lladdr_len = 6;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

/*
 * One client's RA: its prefix, not on-link (L=0: the prefix is the
 * client's own, its traffic goes through this router and never to a
 * neighbor; RFC 4861 4.6.2 "makes no statement"), autonomous where SLAAC
 * can use it (a /64: RFC 4862 5.5.3 d); and the service's CS-ID address
 * as a /128 route (RFC 4191 2.3).  lifetime 0 withdraws both; router_stop
 * also says we are no default router any more (RFC 4861 6.2.5).
 */
static void
build(const struct rad *r, const struct ra_entry *e, uint32_t lifetime,
    bool router_stop, struct ra_msg *m)
{
	const struct conf *c = &r->d->conf;
	struct ra_prefix *p;
	struct ra_route *rt;

	memset(m, 0, sizeof(*m));
	m->router_lifetime_s = router_stop ? 0 : c->ra.router_lifetime_s;
	memcpy(m->lladdr, r->lladdr, r->lladdr_len);
	m->lladdr_len = r->lladdr_len;
	p = &m->prefixes[m->nprefixes++];
	memcpy(p->addr, e->prefix.addr, 16);
	p->len = e->prefix.len;
	p->autonomous = e->prefix.len == 64;
	p->valid_s = p->preferred_s = lifetime;
	if (e->key.service >= c->node.nservices)
		return;
	rt = &m->routes[m->nroutes++];
	memcpy(rt->addr, c->node.services[e->key.service].addr, 16);
	rt->len = 128;
	rt->pref = (enum ra_pref)c->ra.preference;
	rt->lifetime_s = lifetime;
}

static int
send_to(struct rad *r, const uint8_t dst[16], const uint8_t *buf, size_t len)
{
	union {
		struct cmsghdr	 h;
		uint8_t		 b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cm;
	struct sockaddr_in6 sin;
	struct in6_pktinfo pi;
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr msg;
	struct cmsghdr *h;

	if (!r->have_src && !find_linklocal(r)) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin6_family = AF_INET6;
	memcpy(&sin.sin6_addr, dst, 16);
	memset(&pi, 0, sizeof(pi));
	memcpy(&pi.ipi6_addr, r->src, 16);
	pi.ipi6_ifindex = r->ifindex;
	memset(&cm, 0, sizeof(cm));
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &sin;
	msg.msg_namelen = sizeof(sin);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.b;
	msg.msg_controllen = sizeof(cm.b);
	h = CMSG_FIRSTHDR(&msg);
	h->cmsg_level = IPPROTO_IPV6;
	h->cmsg_type = IPV6_PKTINFO;
	h->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(h), &pi, sizeof(pi));
	if (sendmsg(r->fd, &msg, 0) < 0) {
		/* the link-local may have changed: look again next time */
		r->have_src = false;
		return -1;
	}
	return 0;
}

/* Unicast to the client: a per-client prefix must not reach the other
 * hosts of the link, which would autoconfigure addresses in it. */
static void
advertise(struct rad *r, const struct ra_entry *e, uint32_t lifetime,
    bool router_stop)
{
	struct ra_counters *cnt = &r->d->ra_cnt;
	uint8_t buf[RA_MAX_LEN];
	char a[INET6_ADDRSTRLEN];
	struct ra_msg m;
	size_t len;
	enum ra_err rc;

	inet_ntop(AF_INET6, e->key.client, a, sizeof(a));
	build(r, e, lifetime, router_stop, &m);
	if ((rc = ra_encode(&m, buf, sizeof(buf), &len)) != RA_OK) {
		log_warnx("ra to %s: %s", a, ra_strerror(rc));	/* our bug */
		cnt->send_errors++;
		return;
	}
	if (send_to(r, e->key.client, buf, len) < 0) {
		if (cnt->send_errors++ == 0)
			log_warn("ra to %s (later failures only counted)", a);
		return;
	}
	cnt->ra_sent++;
	log_debug("ra to %s: prefix /%u, lifetime %u", a, e->prefix.len,
	    lifetime);
}

static double
rnd01(void)
{
	return (double)random() / RAND_MAX;
}

/*
 * RFC 4861 6.2.4: the first RA_MAX_INITIAL_ADVERTS RAs of an entry go at
 * most MAX_INITIAL_RTR_ADVERT_INTERVAL apart (ra_next_delay_ms).  One RA
 * has gone to e: count it and, while it is still among the first few,
 * say when the next is due; the rounds send the rest.
 */
static void
count_sent(struct rad *r, struct ra_entry *e)
{
	uint32_t ms;

	if (e->sent < RA_MAX_INITIAL_ADVERTS)
		e->sent++;
	if (e->sent >= RA_MAX_INITIAL_ADVERTS)
		return;
	ms = ra_next_delay_ms(r->d->conf.ra.interval_s, e->sent, rnd01());
	e->due = catsd_now_s(r->d) + ms / 1000.0;
}

static void
init_at(struct rad *r, ev_tstamp at)
{
	double now = catsd_now_s(r->d);

	ev_timer_stop(r->d->loop, &r->init_w);
	ev_timer_set(&r->init_w, at > now ? at - now : 0, 0);
	ev_timer_start(r->d->loop, &r->init_w);
}

/* The initial timer for the earliest entry still among its first few
 * RAs, if any: one pass over the entries, like a round. */
static void
init_arm(struct rad *r)
{
	const struct ra_entry *e;
	ev_tstamp first = 0;
	size_t pos = 0;
	bool any = false;

	while ((e = table_next(&r->entries, &pos)) != NULL)
		if (e->sent < RA_MAX_INITIAL_ADVERTS && (!any || e->due < first)) {
			first = e->due;
			any = true;
		}
	if (any)
		init_at(r, first);
	else
		ev_timer_stop(r->d->loop, &r->init_w);
}

/* The same for one entry just scheduled: only sooner than the timer. */
static void
init_arm_one(struct rad *r, const struct ra_entry *e)
{
	double at = catsd_now_s(r->d) + ev_timer_remaining(r->d->loop,
	    &r->init_w);

	if (e->sent >= RA_MAX_INITIAL_ADVERTS)
		return;
	if (!ev_is_active(&r->init_w) || e->due < at)
		init_at(r, e->due);
}

/* Every entry's RA with the current values; a round counts for the
 * entries still among their first few too. */
static void
round_all(struct rad *r)
{
	struct ra_entry *e;
	size_t pos = 0;

	while ((e = table_next(&r->entries, &pos)) != NULL) {
		advertise(r, e, r->d->conf.ra.lifetime_s, false);
		count_sent(r, e);
	}
	r->last_round = catsd_now_s(r->d);
	init_arm(r);
}

/* The entries' first few RAs that are due (or nearly: they go together). */
static void
init_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rad *r = w->data;
	struct ra_entry *e;
	size_t pos = 0;
	double until = catsd_now_s(r->d) + INITIAL_SLACK;

	(void)loop;
	(void)revents;
	while ((e = table_next(&r->entries, &pos)) != NULL)
		if (e->sent < RA_MAX_INITIAL_ADVERTS && e->due <= until) {
			advertise(r, e, r->d->conf.ra.lifetime_s, false);
			count_sent(r, e);
		}
	init_arm(r);
}

/* Between rounds: MinRtrAdvInterval to MaxRtrAdvInterval (RFC 4861 6.2.4,
 * 6.2.1); the first few of each entry are init_w's. */
static double
next_interval(const struct rad *r)
{
	return ra_next_delay_ms(r->d->conf.ra.interval_s,
	    RA_MAX_INITIAL_ADVERTS, rnd01()) / 1000.0;
}

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rad *r = w->data;

	(void)revents;
	round_all(r);
	ev_timer_set(w, next_interval(r), 0);
	ev_timer_start(loop, w);
}

static void
rs_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	round_all(w->data);
}

/* ------------------------------------------------------------------ */
/* Receiving solicitations                                             */

static bool
cmsg_hoplimit(struct msghdr *msg, int *hl)
{
	struct cmsghdr *h;

	for (h = CMSG_FIRSTHDR(msg); h != NULL; h = CMSG_NXTHDR(msg, h))
		if (h->cmsg_level == IPPROTO_IPV6 &&
		    h->cmsg_type == IPV6_HOPLIMIT &&
		    h->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(hl, CMSG_DATA(h), sizeof(int));
			return true;
		}
	return false;
}

/*
 * RFC 4861 6.2.6: a valid RS is answered within MAX_RA_DELAY_TIME
 * (random), and no sooner than MIN_DELAY_BETWEEN_RAS after the last
 * round: one RS makes one RA per client, so this also bounds what a
 * flood of solicitations can make us send.
 */
static void
solicited(struct rad *r)
{
	double now = catsd_now_s(r->d), at;

	if (ev_is_active(&r->rs_w))
		return;
	at = (double)(random() % (MAX_RA_DELAY_MS + 1)) / 1000.0;
	if (now + at < r->last_round + MIN_DELAY_BETWEEN_RAS)
		at = r->last_round + MIN_DELAY_BETWEEN_RAS - now;
	ev_timer_set(&r->rs_w, at, 0);
	ev_timer_start(r->d->loop, &r->rs_w);
}

static void
rx_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct rad *r = w->data;
	struct ra_counters *cnt = &r->d->ra_cnt;
	uint8_t buf[RA_MAX_LEN], cbuf[CMSG_SPACE(sizeof(int)) * 4];
	struct sockaddr_in6 from;
	struct iovec iov;
	struct msghdr msg;
	struct ra_rs rs;
	enum ra_err rc;
	ssize_t n;
	int i, hl;

	(void)loop;
	(void)revents;
	for (i = 0; i < RS_BURST; i++) {
		iov = (struct iovec){ buf, sizeof(buf) };
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(r->fd, &msg, 0)) < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("ra socket");
			return;
		}
		hl = -1;
		cmsg_hoplimit(&msg, &hl);
		rc = ra_decode_rs(buf, (size_t)n, (uint8_t)(hl < 0 ? 0 : hl),
		    IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr), &rs, NULL);
		if (rc != RA_OK) {
			cnt->rs_malformed[rc]++;
			log_debug("ra: router solicitation dropped: %s",
			    ra_strerror(rc));
			continue;
		}
		cnt->rs_received++;
		solicited(r);
	}
}

/* ------------------------------------------------------------------ */
/* The socket                                                          */

/* RFC 4861 6.1.1, 6.1.2: hop limit 255 both ways; only solicitations in
 * (ICMP6_FILTER, RFC 3542 3.2); the all-routers group they go to. */
static int
sock_open(struct rad *r, const char *ifname)
{
	struct icmp6_filter f;
	struct ipv6_mreq mr;
	int hops = RA_HOP_LIMIT, on = 1, off = 0, ifi = (int)r->ifindex;

	if ((r->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMPV6)) < 0)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &f);
	memset(&mr, 0, sizeof(mr));
	inet_pton(AF_INET6, "ff02::2", &mr.ipv6mr_multiaddr);
	mr.ipv6mr_interface = r->ifindex;
	if (setsockopt(r->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
	    (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(r->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
	    setsockopt(r->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops,
	    sizeof(hops)) < 0 ||
	    setsockopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
	    sizeof(hops)) < 0 ||
	    setsockopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifi,
	    sizeof(ifi)) < 0 ||
	    setsockopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off,
	    sizeof(off)) < 0 ||
	    setsockopt(r->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
	    sizeof(on)) < 0 ||
	    setsockopt(r->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr,
	    sizeof(mr)) < 0)
		return -1;
	return 0;
}

/*
 * RFC 4861 6.2.4: as when an interface becomes an advertising interface,
 * and (a MAY of the same section) when the values advertised change:
 * every entry's RA now, and its first few sooner.
 */
static void
restart_all(struct rad *r)
{
	struct ra_entry *e;
	size_t pos = 0;

	while ((e = table_next(&r->entries, &pos)) != NULL) {
		e->sent = 0;
		advertise(r, e, r->d->conf.ra.lifetime_s, false);
		count_sent(r, e);
	}
	init_arm(r);
}

/* Open the socket on the access interface and start advertising. */
static int
rad_start(struct rad *r)
{
	const struct conf *c = &r->d->conf;
	struct ev_loop *loop = r->d->loop;

	r->have_src = false;
	r->lladdr_len = 0;
	if ((r->ifindex = if_nametoindex(c->access_if)) == 0 ||
	    sock_open(r, c->access_if) < 0) {
		log_warn("ra: socket on %s", c->access_if);
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		return -1;
	}
	find_lladdr(r, c->access_if);
	find_linklocal(r);
	ev_io_init(&r->rx_w, rx_cb, r->fd, EV_READ);
	r->rx_w.data = r;
	ev_io_start(loop, &r->rx_w);
	ev_timer_set(&r->tick_w, next_interval(r), 0);
	ev_timer_start(loop, &r->tick_w);
	r->on = true;
	r->last_round = 0;
	restart_all(r);
	log_info("ra: advertising clients' prefixes on %s every %u s at most",
	    c->access_if, c->ra.interval_s);
	return 0;
}

/* RFC 4861 6.2.5: an interface that stops advertising sends its last
 * RAs with router lifetime 0; here the routes and prefixes go too.  The
 * entries stay, for a later start. */
static void
rad_stop(struct rad *r)
{
	struct ev_loop *loop = r->d->loop;
	struct ra_entry *e;
	size_t pos = 0;

	if (!r->on)
		return;
	while ((e = table_next(&r->entries, &pos)) != NULL) {
		advertise(r, e, 0, true);
		e->sent = 0;
	}
	ev_io_stop(loop, &r->rx_w);
	ev_timer_stop(loop, &r->tick_w);
	ev_timer_stop(loop, &r->rs_w);
	ev_timer_stop(loop, &r->init_w);
	close(r->fd);
	r->fd = -1;
	r->on = false;
}

int
ra_open(struct catsd *d)
{
	const struct conf *c = &d->conf;
	struct rad *r;

	if (!(c->node.roles & NODE_INGRESS))
		return 0;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -1;
	d->rad = r;
	r->d = d;
	r->fd = -1;
	if (!table_init(&r->entries, sizeof(struct ra_entry),
	    sizeof(struct ra_key), c->node.max_sessions)) {
		log_warnx("ra: out of memory");
		return -1;
	}
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	ev_init(&r->rs_w, rs_cb);
	r->rs_w.data = r;
	ev_init(&r->tick_w, tick_cb);
	r->tick_w.data = r;
	ev_init(&r->init_w, init_cb);
	r->init_w.data = r;
	return c->ra.enabled ? rad_start(r) : 0;
}

void
ra_close(struct catsd *d)
{
	struct rad *r = d->rad;

	if (r == NULL)
		return;
	rad_stop(r);
	table_free(&r->entries);
	free(r);
	d->rad = NULL;
}

static bool
ra_conf_equal(const struct conf_ra *a, const struct conf_ra *b)
{
	return a->enabled == b->enabled && a->interval_s == b->interval_s &&
	    a->lifetime_s == b->lifetime_s && a->preference == b->preference &&
	    a->router_lifetime_s == b->router_lifetime_s;
}

/*
 * SIGHUP with a changed "ra" section (the new configuration already
 * validated): off withdraws what was advertised and closes the socket; on
 * opens it and advertises every session; a change of values sends them
 * at once and restarts the first few (RFC 4861 6.2.4), and a new interval
 * times the next round.
 */
void
ra_reload(struct catsd *d, const struct conf_ra *n)
{
	struct rad *r = d->rad;
	size_t count;

	if (ra_conf_equal(&d->conf.ra, n))
		return;
	if (r == NULL) {
		log_warnx("reload: ra changed on a node that runs no ingress; "
		    "it takes effect on restart");
		return;
	}
	count = r->entries.n;
	d->conf.ra = *n;
	if (!n->enabled) {
		if (r->on)
			log_info("ra: stopped on %s, %zu prefixes withdrawn",
			    d->conf.access_if, count);
		rad_stop(r);
		return;
	}
	if (!r->on) {
		if (rad_start(r) < 0) {
			d->conf.ra.enabled = false;
			log_warnx("reload: ra stays off");
		}
		return;
	}
	ev_timer_stop(d->loop, &r->tick_w);
	ev_timer_set(&r->tick_w, next_interval(r), 0);
	ev_timer_start(d->loop, &r->tick_w);
	restart_all(r);
	log_info("ra: new values on %s (interval %u s, lifetime %u s, "
	    "preference %s, router lifetime %u s), sent for %zu prefixes",
	    d->conf.access_if, n->interval_s, n->lifetime_s,
	    ra_pref_name((enum ra_pref)n->preference), n->router_lifetime_s,
	    count);
}

void
ra_intent(struct catsd *d, const struct dp_intent *in)
{
	struct rad *r = d->rad;
	struct ra_entry *e;
	struct ra_key k;
	bool created;

	if (r == NULL)
		return;
	key_of(&k, in);
	switch (in->op) {
	case DP_PREFIX:
		if (in->prefix.len == 0)
			return;
		if ((e = table_put(&r->entries, &k, &created)) == NULL) {
			log_warnx("ra: table full");
			return;
		}
		/* a prefix first advertised: its first few RAs sooner */
		if (created || memcmp(&e->prefix, &in->prefix,
		    sizeof(e->prefix)) != 0) {
			e->sent = 0;
			e->due = 0;
		}
		e->prefix = in->prefix;
		if (!r->on)
			return;
		advertise(r, e, d->conf.ra.lifetime_s, false);
		count_sent(r, e);
		init_arm_one(r, e);
		return;
	case DP_UNSTEER:		/* the session is over */
	case DP_BUFFER:			/* the client left this link */
	case DP_FORWARD:
		if ((e = table_get(&r->entries, &k)) == NULL)
			return;
		if (r->on)
			advertise(r, e, 0, false);
		table_del(&r->entries, e);
		return;
	default:
		return;
	}
}
