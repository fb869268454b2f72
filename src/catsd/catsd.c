/*
 * catsd: the CATS daemon.  It runs the node its configuration describes
 * (any set of roles) on real sockets: signaling over IPv6 next header 135
 * or UDP 5436, the node's timers on a libev loop, the data plane through
 * rtnetlink, and a control socket for catsctl.
 *
 *	catsd [-d] [-f FILE]	run
 *	catsd -n [-f FILE]	check FILE and print its canonical form
 *
 * SIGHUP reloads the file, and only a file that loads completely is used;
 * SIGTERM and SIGINT stop, removing every route catsd installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cats/log.h"
#include "catsd.h"
#include "prom.h"

#define DEFAULT_CONF	"/etc/catsd.json"

struct dtimer {
	ev_timer	 w;
	struct catsd	*d;
	uint64_t	 key;
};

struct tentry {
	uint64_t	 key;
	struct dtimer	*t;
};

/*
 * Every deadline catsd keeps (the node's, BGP's, the RAs', the control
 * socket's) counts on CLOCK_MONOTONIC: a step of the wall clock (an
 * operator's date, a first NTP sync) must neither expire a binding nor
 * keep one for an hour.  libev's ev_now is the wall clock, so it is not
 * used for them.  Only the RFC 5213 timestamps the peers compare come from
 * the wall clock (op_wall, node_ops.wall).
 */
static uint64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
catsd_now(const struct catsd *d)
{
	(void)d;
	return clock_ms(CLOCK_MONOTONIC);
}

static uint64_t
op_wall(void *ctx)
{
	(void)ctx;
	return clock_ms(CLOCK_REALTIME);
}

void
catsd_event(struct catsd *d, const struct ev *ev)
{
	node_event(d->node, ev, catsd_now(d));
}

/* ------------------------------------------------------------------ */
/* The node's ops                                                      */

static void
op_send(void *ctx, const uint8_t dst[16], const uint8_t *buf, size_t len)
{
	mh_send(ctx, dst, buf, len);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dtimer *t = w->data;
	struct catsd *d = t->d;
	struct ev ev;

	(void)loop;
	(void)revents;
	memset(&ev, 0, sizeof(ev));
	ev.type = EV_TIMER_FIRED;
	ev.timer = t->key;
	/* forget it first: the node may arm the same key again */
	table_del(&d->timers, table_get(&d->timers, &t->key));
	free(t);
	catsd_event(d, &ev);
}

static void
op_timer(void *ctx, uint64_t key, uint64_t at_ms)
{
	struct catsd *d = ctx;
	struct tentry *e = table_get(&d->timers, &key);
	uint64_t now = catsd_now(d);
	bool created;

	if (at_ms == 0) {
		if (e != NULL) {
			ev_timer_stop(d->loop, &e->t->w);
			free(e->t);
			table_del(&d->timers, e);
		}
		return;
	}
	if (e == NULL) {
		if ((e = table_put(&d->timers, &key, &created)) == NULL ||
		    (e->t = calloc(1, sizeof(*e->t))) == NULL) {
			table_del(&d->timers, e);
			log_warnx("timer: out of memory");
			return;
		}
		e->t->d = d;
		e->t->key = key;
		ev_init(&e->t->w, timer_cb);
		e->t->w.data = e->t;
	}
	ev_timer_stop(d->loop, &e->t->w);
	ev_timer_set(&e->t->w, at_ms > now ? (double)(at_ms - now) / 1000.0 : 0, 0);
	ev_timer_start(d->loop, &e->t->w);
}

static const char *const dp_names[] = {
	[DP_STEER] = "steer", [DP_UNSTEER] = "unsteer", [DP_PREFIX] = "prefix",
	[DP_UNPREFIX] = "unprefix", [DP_BUFFER] = "buffer",
	[DP_FORWARD] = "forward", [DP_UNFORWARD] = "unforward",
	[DP_FLUSH] = "flush",
	[DP_RETURN] = "return", [DP_UNRETURN] = "unreturn",
	[DP_STATE_EXPORT] = "state-export", [DP_STATE_IMPORT] = "state-import",
};

static void
op_dp(void *ctx, const struct dp_intent *in)
{
	struct catsd *d = ctx;
	char c[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, in->client, c, sizeof(c));
	inet_ntop(AF_INET6, in->peer, p, sizeof(p));
	log_debug("dp %s client %s peer %s service %u instance %u",
	    dp_names[in->op], c, p, in->service, in->instance);
	/* hold before the route into the buffer exists; release after the
	 * new path replaced it */
	if (in->op == DP_BUFFER)
		tunbuf_hold(d, in->client);
	if (d->dp != NULL && dp_apply(d->dp, in) < 0)
		log_warnx("dp %s client %s: %s", dp_names[in->op], c,
		    dp_error(d->dp));
	/* a flushed client's held packets, or a new client's first ones once
	 * it is steered, go back to the kernel, which now knows the way */
	if (in->op == DP_FLUSH || in->op == DP_STEER) {
		dp_sync_log(d);
		tunbuf_release(d, in->client);
	}
	/* the edges hold the transaction: their control ports move it */
	if (in->op == DP_STATE_EXPORT)
		xfer_export(d, in);
	if (in->op == DP_STATE_IMPORT)
		xfer_import(d, in);
	/* anchoring 3 step 8: the prefix to the terminal, once its path is
	 * up; withdrawn when the session goes or the client leaves */
	ra_intent(d, in);
}

/* The data plane's word on a client's traffic: the continuity flag. */
static int
op_activity(void *ctx, const uint8_t client[16], uint64_t *idle_ms)
{
	struct catsd *d = ctx;

	if (d->dp == NULL) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return dp_activity(d->dp, client, idle_ms);
}

/* A message refused by authentication or replay protection: logged at
 * most once per peer per AUTH_LOG_MS, with how many were refused since. */
#define AUTH_LOG_MS	10000
static void
op_refused(void *ctx, int peer, const uint8_t src[16], int why)
{
	struct catsd *d = ctx;
	char a[INET6_ADDRSTRLEN];
	uint64_t now = catsd_now(d);

	if (peer < 0 || peer >= NODE_MAX_PEERS)
		return;
	d->auth_unlogged[peer]++;
	if (d->auth_logged[peer] != 0 && now < d->auth_logged[peer] + AUTH_LOG_MS)
		return;
	inet_ntop(AF_INET6, src, a, sizeof(a));
	log_warnx("peer %s (%s): signaling refused: %s (%llu refused since "
	    "the last report)", d->conf.node.peers[peer].name, a,
	    node_drop_name((enum node_drop)why),
	    (unsigned long long)d->auth_unlogged[peer]);
	d->auth_logged[peer] = now != 0 ? now : 1;
	d->auth_unlogged[peer] = 0;
}

static const struct node_ops ops = {
	.send = op_send,
	.timer = op_timer,
	.dp = op_dp,
	.refused = op_refused,
	.activity = op_activity,
	.wall = op_wall,
};

/* Said loudly at start and on reload: a peer without keys is heard
 * without authentication or replay protection. */
static void
warn_unkeyed(const struct node_cfg *c)
{
	for (size_t i = 0; i < c->npeers; i++)
		if (c->peers[i].auth.nkeys == 0)
			log_warnx("peer %s: no auth key: its signaling is "
			    "neither authenticated nor protected from replay "
			    "(docs/catsd.md, Authentication and replay)",
			    c->peers[i].name);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */

static int
selector_new(struct catsd *d)
{
	const struct conf *c = &d->conf;
	struct cats_instance_def def;
	struct cats_sample s[3];
	size_t i;

	if (!c->has_sel)
		return 0;
	if ((d->sel = cats_sel_create(&c->sel)) == NULL) {
		log_warnx("path selector: bad limits or out of memory");
		return -1;
	}
	for (i = 0; i < c->node.ninstances; i++) {
		def = (struct cats_instance_def){ .instance = c->node.instances[i].id,
		    .service = c->node.services[c->node.instances[i].service].sel_id,
		    .egress = c->node.instances[i].egress_sel, .servers = 1,
		    .capacity = 1000 };
		if (cats_sel_add_instance(d->sel, &def) != CATS_SERR_OK)
			log_warnx("path selector: instance %u refused", def.instance);
	}
	for (i = 0; i < c->nmetrics; i++) {
		s[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_CUR, 0,
		    c->metrics[i].util };
		s[1] = (struct cats_sample){ CATS_M_CAPACITY, CATS_STAT_CUR, 0,
		    c->metrics[i].capacity };
		s[2] = (struct cats_sample){ CATS_M_PROC_DELAY, CATS_STAT_CUR, 0,
		    c->metrics[i].proc_delay_ns };
		if (cats_sel_update_compute(d->sel, c->metrics[i].instance, s, 3,
		    1) != CATS_MERR_OK)
			log_warnx("path selector: metrics of instance %u refused",
			    c->metrics[i].instance);
	}
	d->conf.node.sel = d->sel;
	return 0;
}

static uint32_t
ifindex(const char *name)
{
	return name[0] != '\0' ? if_nametoindex(name) : 0;
}

/*
 * Which data plane runs: "auto" asks the kernel whether it takes seg6
 * routes (most distribution kernels do) and otherwise programs SRv6 in
 * eBPF (microVM, cloud and minimal kernels; docs/dataplane.md).
 */
static int
dataplane_choose(struct catsd *d)
{
	struct kr *k;
	char err[KR_ERR_MAX];
	int seg6;

	d->dp_kind = d->conf.dataplane;
	if (d->dp_kind != CONF_DP_AUTO) {
		snprintf(d->dp_why, sizeof(d->dp_why), "configured");
		return 0;
	}
	if ((k = kr_open(RTPROT_CATS, err, sizeof(err))) == NULL) {
		log_warnx("data plane: %s", err);
		return -1;
	}
	seg6 = kr_probe_seg6(k, d->dp_why, sizeof(d->dp_why));
	kr_close(k);
	d->dp_kind = seg6 ? CONF_DP_KERNEL : CONF_DP_BPF;
	log_info("data plane: %s (auto: %s)", seg6 ? "kernel seg6 routes" :
	    "eBPF", d->dp_why);
	return 0;
}

/* The kernel backends find and reconcile what an earlier catsd left:
 * our own SIDs stay, the rest goes (the sessions behind it are gone). */
static bool
zero_sid(const uint8_t sid[16])
{
	static const uint8_t zero[16];

	return memcmp(sid, zero, 16) == 0;
}

static int
dataplane_new(struct catsd *d)
{
	const struct conf *c = &d->conf;
	struct dp_peer peers[NODE_MAX_PEERS];
	struct dp_service svcs[NODE_MAX_SERVICES];
	struct dp_instance insts[NODE_MAX_INSTANCES];
	struct dp_cfg dc;
	char err[256];
	size_t i, del = 0, add = 0;

	memset(&dc, 0, sizeof(dc));
	dc.roles = c->node.roles;
	dc.table = c->table;
	memcpy(dc.sid, c->sid, 16);
	dc.core_oif = ifindex(c->core_if);
	/* an egress's access interface is its link to the edge servers */
	if (c->node.roles & NODE_EGRESS)
		dc.edge_oif = ifindex(c->access_if);
	if (c->node.roles & NODE_INGRESS)
		dc.access_oif = ifindex(c->access_if);
	dc.buffer_oif = d->tun_fd >= 0 ? if_nametoindex(TUNBUF_NAME) : 0;
	memcpy(dc.encap_src, c->node.addr, 16);
	for (i = 0; i < c->node.npeers; i++) {
		memcpy(peers[i].addr, c->node.peers[i].addr, 16);
		memcpy(peers[i].sid, c->peers[i].sid, 16);
	}
	for (i = 0; i < c->node.nservices; i++) {
		memcpy(svcs[i].addr, c->node.services[i].addr, 16);
		svcs[i].plen = 128;
	}
	for (i = 0; i < c->node.ninstances; i++) {
		insts[i].id = c->node.instances[i].id;
		memcpy(insts[i].edge, c->node.instances[i].edge, 16);
	}
	dc.peers = peers;
	dc.npeers = c->node.npeers;
	dc.services = svcs;
	dc.nservices = c->node.nservices;
	dc.instances = insts;
	dc.ninstances = c->node.ninstances;
	if (d->dp_kind == CONF_DP_NONE) {
		if ((d->dp = dp_new_memory(&dc)) == NULL) {
			log_warnx("data plane: out of memory");
			return -1;
		}
		/* no kernel: the node's own SIDs are only bookkeeping, and a
		 * node without one (signaling only) has none to keep */
		if (zero_sid(c->sid))
			return 0;
		if (dp_start(d->dp) < 0) {
			log_warnx("data plane: %s", dp_error(d->dp));
			return -1;
		}
		return 0;
	}
	d->dp = d->dp_kind == CONF_DP_BPF ? dp_new_bpf(&dc, err, sizeof(err)) :
	    dp_new_netlink(&dc, err, sizeof(err));
	if (d->dp == NULL) {
		log_warnx("data plane: %s", err);
		return -1;
	}
	dp_defer(d->dp);
	if (dp_start(d->dp) < 0 || dp_reconcile(d->dp, &del, &add) < 0) {
		log_warnx("data plane: %s", dp_error(d->dp));
		return -1;
	}
	log_info("data plane: reconciled, %zu routes removed, %zu installed",
	    del, add);
	return 0;
}

/* At an ingress on the kernel data plane: packets for a CS-ID that match
 * no client's source-specific steering route fall through to this route
 * into the handover TUN, where catsd meets a CATS-unaware client's first
 * packet.  It is source-specific too, from the clients' sub-prefix: with
 * IPv6 subtrees a source-less route beside source-specific ones at the
 * same destination is not their fallback (the lookup backtracks to a
 * shorter destination instead).  Our protocol, so a flush removes it. */
static int
catch_routes(struct catsd *d)
{
	struct kr_route r;
	struct kr *k;
	char err[256];
	uint32_t oif = if_nametoindex(TUNBUF_NAME);
	size_t i;
	int rc = 0;

	if ((k = kr_open(RTPROT_CATS, err, sizeof(err))) == NULL) {
		log_warnx("catch routes: %s", err);
		return -1;
	}
	for (i = 0; i < d->conf.node.nservices && rc == 0; i++) {
		memset(&r, 0, sizeof(r));
		r.family = AF_INET6;
		r.table = d->conf.table;
		memcpy(r.dst, d->conf.node.services[i].addr, 16);
		r.dst_len = 128;
		memcpy(r.src, d->conf.node.subprefix.addr, 16);
		r.src_len = d->conf.node.subprefix.len;
		r.oif = oif;
		if ((rc = kr_change(k, &r, KR_REPLACE)) < 0)
			log_warnx("catch route: %s", kr_strerror(k));
	}
	kr_close(k);
	return rc;
}

void
dp_sync_log(struct catsd *d)
{
	if (d->dp != NULL && dp_sync(d->dp) < 0)
		log_warnx("data plane: %s", dp_error(d->dp));
}

static void
prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	dp_sync_log(w->data);
}

/* ------------------------------------------------------------------ */
/* Signals                                                             */

/* Only a file that loads completely is used; what a running node cannot
 * take without losing its sessions (its identity, roles, peers, its
 * signaling and data plane) needs a restart, which is said rather than
 * half done.  The log level and the "ra" section (ra_reload) apply. */
static void
reload(struct catsd *d)
{
	struct conf *n = malloc(sizeof(*n));
	char err[CONF_ERR_MAX];

	if (n == NULL)
		return;
	if (conf_load(d->conf.path, n, err, sizeof(err)) < 0) {
		log_warnx("reload refused, still running the old one: %s", err);
		free(n);
		return;
	}
	n->node.sel = d->conf.node.sel;
	/* keys roll over without a restart (docs/catsd.md) */
	if (node_rekey(d->node, &n->node)) {
		for (size_t i = 0; i < n->node.npeers; i++)
			d->conf.node.peers[i].auth = n->node.peers[i].auth;
		log_info("reload: peer keys applied");
		warn_unkeyed(&n->node);
	}
	if (memcmp(&n->node, &d->conf.node, sizeof(n->node)) != 0 ||
	    n->transport != d->conf.transport || n->udp_port != d->conf.udp_port ||
	    n->dataplane != d->conf.dataplane ||
	    strcmp(n->access_if, d->conf.access_if) != 0)
		log_warnx("reload: the node, signaling or data plane changed; "
		    "those take effect on restart");
	/* its socket was opened before privileges dropped */
	if (memcmp(&n->prom, &d->conf.prom, sizeof(n->prom)) != 0)
		log_warnx("reload: prometheus changed; that takes effect on "
		    "restart");
	log_setlevel(n->log_level);
	d->conf.log_level = n->log_level;
	ra_reload(d, &n->ra);
	log_info("reloaded %s", d->conf.path);
	free(n);
}

static void
signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct catsd *d = w->data;

	(void)revents;
	if (w->signum == SIGHUP) {
		reload(d);
		return;
	}
	log_info("signal %d: stopping", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

static void
mh_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	mh_readable(w->data);
}

static void
tun_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	tunbuf_readable(w->data);
}

static void
watch_signal(struct catsd *d, ev_signal *w, int sig)
{
	ev_signal_init(w, signal_cb, sig);
	w->data = d;
	ev_signal_start(d->loop, w);
}

static int
start(struct catsd *d)
{
	const char *why;

	d->loop = EV_DEFAULT;
	d->mh_fd = d->ctl_fd = d->tun_fd = -1;
	if (!table_init(&d->timers, sizeof(struct tentry), sizeof(uint64_t), 0) ||
	    selector_new(d) < 0)
		return -1;
	/* an ingress on the kernel data plane holds a detached client's
	 * packets in user space until its new path is up */
	if (dataplane_choose(d) < 0)
		return -1;
	if ((d->conf.node.roles & NODE_INGRESS) &&
	    d->dp_kind != CONF_DP_NONE) {
		if (tunbuf_open(d, TUNBUF_NAME) < 0)
			return -1;
		ev_io_init(&d->tun_w, tun_cb, d->tun_fd, EV_READ);
		d->tun_w.data = d;
		ev_io_start(d->loop, &d->tun_w);
	}
	if (dataplane_new(d) < 0 || (d->tun_fd >= 0 && catch_routes(d) < 0))
		return -1;
	if ((d->node = node_new(&d->conf.node, &ops, d, &why)) == NULL) {
		log_warnx("%s: %s", d->conf.path, why);
		return -1;
	}
	warn_unkeyed(&d->conf.node);
	if ((d->mh_fd = mh_open(&d->conf)) < 0 || ctl_open(d) < 0 ||
	    xfer_open(d) < 0 || bgp_open(d) < 0 || ra_open(d) < 0 ||
	    probe_open(d) < 0 || prom_open(d) < 0)
		return -1;
	ev_io_init(&d->mh_w, mh_cb, d->mh_fd, EV_READ);
	d->mh_w.data = d;
	ev_io_start(d->loop, &d->mh_w);
	ev_prepare_init(&d->dp_w, prepare_cb);
	d->dp_w.data = d;
	ev_prepare_start(d->loop, &d->dp_w);
	watch_signal(d, &d->sig_hup, SIGHUP);
	watch_signal(d, &d->sig_term, SIGTERM);
	watch_signal(d, &d->sig_int, SIGINT);
	/* A peer or a control client that goes away under a write must be an
	 * error of that write, not the end of the daemon. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
stop(struct catsd *d)
{
	struct tentry *e;
	size_t pos = 0;

	prom_close(d);
	ctl_close(d);
	probe_close(d);
	ra_close(d);
	bgp_close(d);
	xfer_close(d);
	if (d->mh_fd >= 0)
		close(d->mh_fd);
	if (d->tun_fd >= 0)
		ev_io_stop(d->loop, &d->tun_w);
	if (d->dp != NULL) {
		if (d->dp_kind != CONF_DP_NONE && dp_flush(d->dp) < 0)
			log_warnx("data plane: flush: %s", dp_error(d->dp));
		dp_free(d->dp);
	}
	while ((e = table_next(&d->timers, &pos)) != NULL) {
		ev_timer_stop(d->loop, &e->t->w);
		free(e->t);
	}
	table_free(&d->timers);
	tunbuf_close(d);
	node_free(d->node);
	cats_sel_destroy(d->sel);
}

static void
usage(void)
{
	fprintf(stderr, "usage: catsd [-d] [-f FILE]\n"
	    "       catsd -n [-f FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct catsd d;
	const char *file = DEFAULT_CONF;
	char err[CONF_ERR_MAX];
	bool check = false, debug = false;
	int ch, rc;

	while ((ch = getopt(argc, argv, "df:n")) != -1) {
		switch (ch) {
		case 'd':
			debug = true;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			check = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_load(file, &d.conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "catsd: %s\n", err);
		return 1;
	}
	if (check)
		return conf_print(&d.conf, stdout) < 0 ? 1 : 0;
	log_init("catsd", debug ? LOG_DEBUG : d.conf.log_level,
	    d.conf.syslog && !debug);
	rc = start(&d);
	/* nothing has been read from a peer or a client yet */
	if (rc == 0)
		rc = priv_drop(&d);
	if (rc == 0) {
		log_info("%s: running %s", d.conf.node.name, file);
		ev_run(d.loop, 0);
	}
	stop(&d);
	return rc == 0 ? 0 : 1;
}
