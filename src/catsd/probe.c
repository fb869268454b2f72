/*
 * probe: the path prober, the CATS framework's C-NMA (docs/probe.md).
 *
 * An ingress sends a STAMP test packet (RFC 8762, unauthenticated) every
 * probe.interval_ms to each egress peer that has a "probe" address: an
 * address in that egress's SID locator, so the probe is routed like the
 * SRv6 traffic to its SIDs (the same links, queues and, in the testbed,
 * delay lines).  The egress, with probe.reflect, answers as RFC 8762's
 * stateless session-reflector.  Every probe.report_ms the ingress turns
 * each path's replies into one-way delay, delay variation and loss (the
 * core's stamp.c) and hands them to node_report_path: into its own C-PS,
 * to every controller, and to the egress for its option 1 conditions.
 *
 * A CATS-MUP RAN PE does the same for each of its mup.probe_sites (a site
 * PE's reflector, probe.reflect there too) and hands the samples to its
 * C-PS through mup_path_samples (bgp_mup_path), for the (RAN PE, site)
 * path: the C-NMA of draft-dcn-dmm-cats-mup 4.2.2.
 *
 * Times: the reflector's timestamps and ours are wall-clock NTP, as RFC
 * 8762 has them, taken from the kernel's receive timestamp
 * (SO_TIMESTAMPNS) where it gives one; the session measures the round trip
 * on the monotonic clock and subtracts the reflector's own residence, so
 * no clock needs to agree with another.
 */
#define _GNU_SOURCE		/* struct in6_pktinfo (RFC 3542) */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cats/log.h"
#include "cats/stamp.h"
#include "catsd.h"

#define PROBE_BURST	64		/* datagrams per wake-up */
#define PROBE_BUF	512		/* a test packet is 44 octets */

/* One egress or MUP site we probe. */
struct path {
	int		 peer;		/* index in node.peers, or -1 */
	int		 site;		/* index in conf.mup_probe, or -1 */
	struct sockaddr_in6 to;
	struct stamp_sess sess;
	size_t		 last_n;	/* what the last report said */
	struct cats_sample last[STAMP_SAMPLES_MAX];
	int		 last_status;	/* node_report_path's or
					 * bgp_mup_path's answer */
};

struct prober {
	struct catsd	*d;
	int		 tx_fd;		/* ingress: probes out, replies in */
	int		 rx_fd;		/* egress: the reflector */
	ev_io		 tx_w, rx_w;
	ev_timer	 probe_w, report_w;
	struct path	*path;
	size_t		 npath;
};

static uint64_t
clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What came with a datagram. */
struct rx_info {
	uint64_t	 at_real;	/* the kernel's arrival time (wall, ns) */
	uint8_t		 hops;		/* its hop limit */
	struct in6_addr	 dst;		/* the address it was sent to */
};

/* A datagram and what the kernel says of it (the arrival time is now
 * when it says nothing).  -1 when there is nothing more to read. */
static ssize_t
recv_stamped(int fd, uint8_t *buf, size_t cap, struct sockaddr_in6 *from,
    struct rx_info *ri)
{
	char cbuf[CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(int)) +
	    CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec iov = { buf, cap };
	struct msghdr mh = {
		.msg_name = from, .msg_namelen = sizeof(*from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) < 0)
		return -1;
	memset(ri, 0, sizeof(*ri));
	ri->at_real = clock_ns(CLOCK_REALTIME);
	ri->hops = 255;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			ri->at_real = (uint64_t)ts.tv_sec * 1000000000u +
			    (uint64_t)ts.tv_nsec;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_HOPLIMIT) {
			int h;

			memcpy(&h, CMSG_DATA(c), sizeof(h));
			ri->hops = (uint8_t)h;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ri->dst = pi.ipi6_addr;
		}
	}
	return n;
}

/* The reply leaves from the address the test packet came to, the
 * reflector's address in our locator: the sender knows its reflector by
 * it, and the reply takes the path back from there. */
static ssize_t
send_from(int fd, const uint8_t *buf, size_t len,
    const struct sockaddr_in6 *to, const struct in6_addr *src)
{
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec iov = { (void *)(uintptr_t)buf, len };
	struct msghdr mh = {
		.msg_name = (void *)(uintptr_t)to, .msg_namelen = sizeof(*to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct in6_pktinfo pi = { .ipi6_addr = *src };

	memset(cbuf, 0, sizeof(cbuf));
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return sendmsg(fd, &mh, 0);
}

static int
open_udp(const uint8_t addr[16], uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
	    .sin6_port = htons(port) };
	int fd, on = 1;

	if (addr != NULL)
		memcpy(&a.sin6_addr, addr, 16);

	if ((fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
	    sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ------------------------------------------------------------------ */
/* The reflector (egress)                                              */

static void
reflect_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct prober *p = w->data;
	struct probe_counters *c = &p->d->probe_cnt;
	uint8_t buf[PROBE_BUF], out[PROBE_BUF];
	struct sockaddr_in6 from;
	struct stamp_test t;
	struct stamp_reply r;
	struct rx_info ri;
	enum stamp_err e;
	size_t olen;
	ssize_t n;

	(void)loop, (void)revents;
	for (int i = 0; i < PROBE_BURST; i++) {
		if ((n = recv_stamped(p->rx_fd, buf, sizeof(buf), &from,
		    &ri)) < 0)
			return;
		if ((e = stamp_decode_test(buf, (size_t)n, &t)) != STAMP_OK) {
			char a[INET6_ADDRSTRLEN];

			c->reflect_malformed++;
			inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof(a));
			log_debug("probe: test packet from %s: %s", a,
			    stamp_strerror(e));
			continue;
		}
		stamp_reflect(&t, stamp_ntp_from_unix_ns(ri.at_real),
		    stamp_ntp_from_unix_ns(clock_ns(CLOCK_REALTIME)),
		    STAMP_EE_UNSYNC, ri.hops, &r);
		if (stamp_encode_reply(&r, out, sizeof(out), &olen) != STAMP_OK ||
		    send_from(p->rx_fd, out, olen, &from, &ri.dst) < 0) {
			c->send_errors++;
			continue;
		}
		c->reflected++;
	}
}

/* ------------------------------------------------------------------ */
/* The sender (ingress)                                                */

static struct path *
path_of(struct prober *p, const struct sockaddr_in6 *from)
{
	for (size_t i = 0; i < p->npath; i++)
		if (memcmp(&p->path[i].to.sin6_addr, &from->sin6_addr, 16) == 0)
			return &p->path[i];
	return NULL;
}

static void
reply_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct prober *p = w->data;
	uint8_t buf[PROBE_BUF];
	struct sockaddr_in6 from;
	struct path *pa;
	struct rx_info ri;
	uint64_t now_real, now_mono;
	ssize_t n;

	(void)loop, (void)revents;
	for (int i = 0; i < PROBE_BURST; i++) {
		if ((n = recv_stamped(p->tx_fd, buf, sizeof(buf), &from,
		    &ri)) < 0)
			return;
		if ((pa = path_of(p, &from)) == NULL) {
			p->d->probe_cnt.strangers++;
			continue;
		}
		/* the kernel's arrival time, on the session's clock */
		now_real = clock_ns(CLOCK_REALTIME);
		now_mono = clock_ns(CLOCK_MONOTONIC);
		if (ri.at_real <= now_real && now_real - ri.at_real < now_mono)
			now_mono -= now_real - ri.at_real;
		(void)stamp_sess_input(&pa->sess, buf, (size_t)n, now_mono);
	}
}

static void
probe_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct prober *p = w->data;
	uint8_t out[PROBE_BUF];
	struct stamp_test t;
	size_t len;

	(void)loop, (void)revents;
	for (size_t i = 0; i < p->npath; i++) {
		struct path *pa = &p->path[i];

		stamp_sess_probe(&pa->sess, clock_ns(CLOCK_MONOTONIC),
		    stamp_ntp_from_unix_ns(clock_ns(CLOCK_REALTIME)), &t);
		if (stamp_encode_test(&t, out, sizeof(out), &len) != STAMP_OK ||
		    sendto(p->tx_fd, out, len, 0, (struct sockaddr *)&pa->to,
		    sizeof(pa->to)) < 0)
			p->d->probe_cnt.send_errors++;
	}
}

static void
report_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct prober *p = w->data;
	struct catsd *d = p->d;

	(void)loop, (void)revents;
	for (size_t i = 0; i < p->npath; i++) {
		struct path *pa = &p->path[i];
		struct cats_sample s[STAMP_SAMPLES_MAX];
		size_t n = stamp_sess_report(&pa->sess,
		    clock_ns(CLOCK_MONOTONIC), s);

		if (n == 0)
			continue;
		pa->last_n = n;
		memcpy(pa->last, s, n * sizeof(s[0]));
		if (pa->peer >= 0)
			pa->last_status = node_report_path(d->node, pa->peer,
			    s, n, catsd_now(d));
		else
			pa->last_status = bgp_mup_path(d,
			    d->conf.mup_probe[pa->site].site, s, n);
		d->probe_cnt.reports++;
	}
}

/* A path to reflector address 'to': peer (an egress) or site (a MUP
 * site), the other -1. */
static bool
path_add(struct prober *p, const struct stamp_sess_cfg *sc, int peer,
    int site, const uint8_t to[16])
{
	struct path *pa = &p->path[p->npath];

	pa->peer = peer;
	pa->site = site;
	pa->to.sin6_family = AF_INET6;
	pa->to.sin6_port = htons(p->d->conf.probe.port);
	memcpy(&pa->to.sin6_addr, to, 16);
	pa->last_status = NODE_REPORT_NO_CPS;
	if (!stamp_sess_init(&pa->sess, sc, clock_ns(CLOCK_MONOTONIC)))
		return false;
	p->npath++;
	return true;
}

/* An ingress probes its egress peers that have a "probe" address, a MUP
 * RAN PE its probe_sites. */
static int
paths_open(struct prober *p)
{
	const struct conf *c = &p->d->conf;
	bool ingress = (c->node.roles & NODE_INGRESS) != 0;
	struct stamp_sess_cfg sc;
	static const uint8_t zero[16];
	size_t n = c->nmup_probe;

	stamp_sess_cfg_default(&sc);
	sc.loss_window = c->probe.loss_window;
	sc.deadline_ms = c->probe.deadline_ms;
	for (size_t i = 0; ingress && i < c->node.npeers; i++)
		if (memcmp(c->peers[i].probe, zero, 16) != 0)
			n++;
	if (n == 0)
		return 0;
	if ((p->path = calloc(n, sizeof(*p->path))) == NULL)
		return -1;
	for (size_t i = 0; ingress && i < c->node.npeers; i++)
		if (memcmp(c->peers[i].probe, zero, 16) != 0 &&
		    !path_add(p, &sc, (int)i, -1, c->peers[i].probe))
			return -1;
	for (size_t i = 0; i < c->nmup_probe; i++)
		if (!path_add(p, &sc, -1, (int)i, c->mup_probe[i].probe))
			return -1;
	if ((p->tx_fd = open_udp(c->probe.source, 0)) < 0)
		return -1;
	ev_io_init(&p->tx_w, reply_readable, p->tx_fd, EV_READ);
	p->tx_w.data = p;
	ev_io_start(p->d->loop, &p->tx_w);
	ev_timer_init(&p->probe_w, probe_tick, 0.,
	    c->probe.interval_ms / 1000.);
	ev_timer_init(&p->report_w, report_tick, c->probe.report_ms / 1000.,
	    c->probe.report_ms / 1000.);
	p->probe_w.data = p->report_w.data = p;
	ev_timer_start(p->d->loop, &p->probe_w);
	ev_timer_start(p->d->loop, &p->report_w);
	log_info("probe: %zu path%s, a probe every %u ms, reports every %u ms",
	    p->npath, p->npath == 1 ? "" : "s", c->probe.interval_ms,
	    c->probe.report_ms);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The interface                                                       */

int
probe_open(struct catsd *d)
{
	struct prober *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->d = d;
	p->tx_fd = p->rx_fd = -1;
	d->prober = p;
	if (d->conf.probe.reflect) {
		if ((p->rx_fd = open_udp(NULL, d->conf.probe.port)) < 0) {
			log_warn("probe: reflector on port %u",
			    d->conf.probe.port);
			return -1;
		}
		ev_io_init(&p->rx_w, reflect_readable, p->rx_fd, EV_READ);
		p->rx_w.data = p;
		ev_io_start(d->loop, &p->rx_w);
		log_info("probe: reflector on port %u", d->conf.probe.port);
	}
	if (paths_open(p) < 0) {
		log_warn("probe: cannot start probing");
		return -1;
	}
	return 0;
}

void
probe_close(struct catsd *d)
{
	struct prober *p = d->prober;

	if (p == NULL)
		return;
	if (p->rx_fd >= 0) {
		ev_io_stop(d->loop, &p->rx_w);
		close(p->rx_fd);
	}
	if (p->tx_fd >= 0) {
		ev_io_stop(d->loop, &p->tx_w);
		ev_timer_stop(d->loop, &p->probe_w);
		ev_timer_stop(d->loop, &p->report_w);
		close(p->tx_fd);
	}
	free(p->path);
	free(p);
	d->prober = NULL;
}

/* A probed path's counters (its probes settled up to now) and the last
 * samples reported. */
static json_t *
path_show(struct path *pa)
{
	const struct stamp_counters *c = &pa->sess.cnt;
	struct stamp_stats st;
	json_t *m = json_object();

	stamp_sess_stats(&pa->sess, clock_ns(CLOCK_MONOTONIC), &st);

	for (size_t k = 0; k < pa->last_n; k++)
		json_object_set_new(m, cats_metric_name(pa->last[k].id),
		    json_real(pa->last[k].value));
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:s}",
	    "sent", (json_int_t)c->sent,
	    "replies", (json_int_t)c->replies,
	    "late", (json_int_t)c->late,
	    "lost", (json_int_t)c->lost,
	    "duplicate", (json_int_t)c->duplicate,
	    "unknown", (json_int_t)(c->unknown + c->stale),
	    "malformed", (json_int_t)c->malformed,
	    "reported", m,
	    "fed", pa->last_status == NODE_REPORT_NO_CPS ?
	    "reported (no selector here)" :
	    cats_metric_err_name((enum cats_metric_err)pa->last_status));
}

/* What catsctl show peers says of the path to peer i: NULL if not probed. */
struct json_t *
probe_show(struct catsd *d, size_t peer)
{
	struct prober *p = d->prober;

	for (size_t i = 0; p != NULL && i < p->npath; i++)
		if (p->path[i].peer >= 0 && (size_t)p->path[i].peer == peer)
			return path_show(&p->path[i]);
	return NULL;
}

/* The paths to the MUP sites: site, reflector, and what path_show says. */
struct json_t *
probe_show_mup(struct catsd *d)
{
	struct prober *p = d->prober;
	const struct conf *c = &d->conf;
	char site[INET6_ADDRSTRLEN], refl[INET6_ADDRSTRLEN];
	json_t *a = json_array(), *o;

	for (size_t i = 0; p != NULL && i < p->npath; i++) {
		struct path *pa = &p->path[i];

		if (pa->site < 0)
			continue;
		inet_ntop(c->mup.afi == BGP_AFI_IPV4 ? AF_INET : AF_INET6,
		    c->mup_probe[pa->site].site, site, sizeof(site));
		inet_ntop(AF_INET6, &pa->to.sin6_addr, refl, sizeof(refl));
		o = json_pack("{s:s,s:s}", "site", site, "probe", refl);
		json_object_set_new(o, "path", path_show(pa));
		json_array_append_new(a, o);
	}
	return a;
}
