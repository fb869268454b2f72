/*
 * control: the control socket (UNIX, mode 0600) that catsctl talks to.
 * One JSON object per line in, one per line out; commands are dispatched
 * through a table.  Input is checked as strictly as the network's: an
 * unknown command or key, a wrong type or a bad address is an error
 * answer, never a crash, and a connection that sends more than a line's
 * worth without a newline is closed.  No client can hold the loop: see
 * "The socket" below.
 */
#define _GNU_SOURCE		/* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "cats/log.h"
#include "catsd.h"
#include "conf_int.h"

struct command {
	const char	*name;
	json_t		*(*fn)(struct catsd *, json_t *req, char *err, size_t len);
};

static json_t *
str_addr(const uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	return json_string(buf);
}

static const char *
peer_name(const struct catsd *d, int peer)
{
	return peer >= 0 && (size_t)peer < d->conf.node.npeers ?
	    d->conf.node.peers[peer].name : NULL;
}

static const char *
service_name(const struct catsd *d, int s, char *buf, size_t len)
{
	const struct node_service *sv;

	if (s < 0 || (size_t)s >= d->conf.node.nservices)
		return NULL;
	sv = &d->conf.node.services[s];
	snprintf(buf, len, "%.*s", (int)sv->id_len, (const char *)sv->id);
	return buf;
}

/* ------------------------------------------------------------------ */
/* show                                                                */

/*
 * show sessions is streamed (the socket section below): a million sessions
 * are some 200 MB of JSON, so they are written as the walk goes, a step of
 * CTL_STEP sessions per loop pass, and never built as one jansson tree.
 * The session objects are written here, compact as json_dumps writes them.
 */
static struct ctl_conn_stats {
	uint64_t	 accepted;
	uint64_t	 idle_closed;	/* no request for CTL_IDLE_S */
	uint64_t	 stalled;	/* took nothing of a reply for CTL_STALL_S */
	uint64_t	 evicted;	/* the quietest, for a new connection */
	uint64_t	 too_long;	/* a request line over CTL_BUF */
	uint64_t	 write_errors;	/* the client went away mid-reply */
	uint64_t	 no_memory;
	uint64_t	 streamed;	/* streamed replies written whole */
	uint64_t	 evicted_unlogged;
	ev_tstamp	 evict_logged;
} cst;				/* one control socket per daemon */

static size_t
pending(const struct ctl_conn *c)
{
	return c->qlen - c->qoff;
}

/* Room for n more octets in the reply queue; false (and nomem set) when it
 * cannot grow. */
static bool
q_room(struct ctl_conn *c, size_t n)
{
	size_t cap;
	char *q;

	if (c->nomem)
		return false;
	if (c->qlen + n <= c->qcap)
		return true;
	if (c->qoff > 0) {		/* the written part goes first */
		memmove(c->q, c->q + c->qoff, pending(c));
		c->qlen -= c->qoff;
		c->qoff = 0;
		if (c->qlen + n <= c->qcap)
			return true;
	}
	cap = c->qcap != 0 ? c->qcap : 8192;
	while (cap < c->qlen + n)
		cap *= 2;
	if ((q = realloc(c->q, cap)) == NULL) {
		c->nomem = true;
		return false;
	}
	c->q = q;
	c->qcap = cap;
	return true;
}

static void
q_add(struct ctl_conn *c, const char *p, size_t n)
{
	if (!q_room(c, n))
		return;
	memcpy(c->q + c->qlen, p, n);
	c->qlen += n;
}

static void
q_lit(struct ctl_conn *c, const char *s)
{
	q_add(c, s, strlen(s));
}

/* A JSON string (RFC 8259 7): quote, backslash and control characters
 * escaped; the rest is UTF-8 already (names from the configuration, which
 * jansson read). */
static void
q_str(struct ctl_conn *c, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char e[6] = { '\\', 'u', '0', '0', 0, 0 };

	if (s == NULL) {
		q_lit(c, "null");
		return;
	}
	q_add(c, "\"", 1);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			e[1] = (char)*p;
			q_add(c, e, 2);
			e[1] = 'u';
		} else if (*p < 0x20) {
			e[4] = hex[*p >> 4];
			e[5] = hex[*p & 15];
			q_add(c, e, 6);
		} else {
			q_add(c, (const char *)p, 1);
		}
	}
	q_add(c, "\"", 1);
}

static void
add_session(void *arg, const struct node_session_info *i)
{
	struct ctl_conn *c = arg;
	const char *eg = peer_name(c->d, i->egress), *ot = peer_name(c->d, i->other);
	char sbuf[NODE_SERVICE_ID_MAX + 1], a[INET6_ADDRSTRLEN + 8];
	const char *sv = service_name(c->d, i->service, sbuf, sizeof(sbuf));
	uint64_t now;
	int n;

	q_lit(c, c->nout++ > 0 ? ",{\"role\":" : "{\"role\":");
	q_str(c, i->role);
	q_lit(c, ",\"client\":");
	q_str(c, inet_ntop(AF_INET6, i->client, a, sizeof(a)));
	q_lit(c, ",\"service\":");
	q_str(c, sv);
	q_lit(c, ",\"state\":");
	q_str(c, i->state);
	q_lit(c, ",\"egress\":");
	q_str(c, eg);
	q_lit(c, ",\"peer\":");
	q_str(c, ot);
	if (i->prefix.len > 0) {
		inet_ntop(AF_INET6, i->prefix.addr, a, INET6_ADDRSTRLEN);
		snprintf(a + strlen(a), 5, "/%u", i->prefix.len);
		q_lit(c, ",\"prefix\":");
		q_str(c, a);
	}
	/* the node's times are on catsd's monotonic clock: only a time
	 * from now means anything to the operator */
	if (i->expires_ms != 0) {
		now = catsd_now(c->d);
		n = snprintf(a, sizeof(a), ",\"expires_in_ms\":%lld",
		    (long long)(i->expires_ms - now));
		q_add(c, a, (size_t)n);
	}
	if (strcmp(i->role, "ingress") == 0)
		q_lit(c, i->continuity ? ",\"continuity\":true" :
		    ",\"continuity\":false");
	q_lit(c, "}");
}

/* The start of show sessions' reply; stream_step writes the rest. */
static void
stream_sessions(struct ctl_conn *c)
{
	q_lit(c, "{\"sessions\":[");
	c->streaming = true;
	c->cur = (struct node_cursor){ 0, 0 };
	c->nout = 0;
}

/* One step: CTL_STEP sessions more, and the end of the reply after the
 * last. */
static void
stream_step(struct ctl_conn *c)
{
	if (c->d->node != NULL &&
	    node_walk_step(c->d->node, &c->cur, CTL_STEP, add_session, c))
		return;
	q_lit(c, "]}\n");
	c->streaming = false;
	cst.streamed++;
}

static json_t *
counts_by_name(const uint64_t *v, size_t n, const char *(*name)(unsigned))
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != 0 && name((unsigned)i) != NULL)
			json_object_set_new(o, name((unsigned)i),
			    json_integer((json_int_t)v[i]));
	return o;
}

static const char *
drop_name(unsigned i)
{
	return node_drop_name((enum node_drop)i);
}

static const char *
err_name(unsigned i)
{
	return mh_strerror((enum mh_err)i);
}

static const char *
ra_err_name(unsigned i)
{
	return ra_strerror((enum ra_err)i);
}

static const char *
unmet_name(unsigned i)
{
	return cats_sel_reason_name((enum cats_sel_reason)i);
}

static const char *
kind_name(unsigned i)
{
	const struct mh_kind_info *k = mh_kind_info((uint8_t)i);

	return k != NULL ? k->name : NULL;
}

/* The control socket's own (docs/catsd.md). */
static json_t *
show_control(struct catsd *d)
{
	json_int_t open = 0;
	size_t i;

	for (i = 0; i < CTL_MAX_CONN; i++)
		open += d->conns[i] != NULL;
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "connections", open, "accepted", (json_int_t)cst.accepted,
	    "idle_closed", (json_int_t)cst.idle_closed,
	    "stalled", (json_int_t)cst.stalled,
	    "evicted", (json_int_t)cst.evicted,
	    "too_long", (json_int_t)cst.too_long,
	    "write_errors", (json_int_t)cst.write_errors,
	    "no_memory", (json_int_t)cst.no_memory,
	    "streamed", (json_int_t)cst.streamed);
}

static json_t *
show_counters(struct catsd *d)
{
	const struct node_counters *c = node_counters(d->node);

	json_t *buf = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "held", (json_int_t)d->buf_held, "flushed", (json_int_t)d->buf_flushed,
	    "expired", (json_int_t)d->buf_expired,
	    "overflow", (json_int_t)d->buf_overflow,
	    "not_held", (json_int_t)d->buf_unheld,
	    "write_errors", (json_int_t)d->buf_write_err,
	    "first_packets", (json_int_t)d->first_packets);

	const struct xfer_counters *x = &d->xfer_cnt;
	json_t *xf = json_pack("{s:I,s:I,s:I,s:I,s:I}",
	    "exports", (json_int_t)x->exports,
	    "imports", (json_int_t)x->imports,
	    "states_sent", (json_int_t)x->states_sent,
	    "states_received", (json_int_t)x->states_received,
	    "errors", (json_int_t)x->errors);

	const struct agent_counters *ag = &d->agent_cnt;
	json_t *agent = json_pack("{s:I,s:I,s:I,s:o,s:I}",
	    "reports", (json_int_t)ag->reports, "fed", (json_int_t)ag->fed,
	    "not_fed", (json_int_t)ag->not_fed,
	    "malformed", counts_by_name(ag->malformed, AGENT_MALFORMED_MAX,
	    agent_malformed_name), "errors", (json_int_t)ag->errors);

	const struct ra_counters *r = &d->ra_cnt;
	json_t *ra = json_pack("{s:I,s:I,s:o,s:I}",
	    "ra_sent", (json_int_t)r->ra_sent,
	    "rs_received", (json_int_t)r->rs_received,
	    "rs_malformed", counts_by_name(r->rs_malformed, RA_E__COUNT,
	    ra_err_name),
	    "send_errors", (json_int_t)r->send_errors);

	json_t *metrics = json_pack("{s:I,s:I}",
	    "sent", (json_int_t)c->metric_tx,
	    "taken", (json_int_t)c->metric_rx);

	const struct probe_counters *pc = &d->probe_cnt;
	json_t *probe = json_pack("{s:I,s:I,s:I,s:I,s:I}",
	    "reflected", (json_int_t)pc->reflected,
	    "reflect_malformed", (json_int_t)pc->reflect_malformed,
	    "strangers", (json_int_t)pc->strangers,
	    "reports", (json_int_t)pc->reports,
	    "send_errors", (json_int_t)pc->send_errors);

	/* authentication and replay refusals by peer (node.c), and the
	 * retransmissions answered from the cache */
	json_t *refused = json_object();
	for (size_t i = 0; i < d->conf.node.npeers; i++)
		if (c->peer_refused[i] != 0)
			json_object_set_new(refused, d->conf.node.peers[i].name,
			    json_integer((json_int_t)c->peer_refused[i]));

	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,"
	    "s:o,s:o,s:o,s:o,s:o,s:o}",
	    "rx", (json_int_t)c->rx, "tx", (json_int_t)c->tx,
	    "duplicates_answered", (json_int_t)c->dup_answered,
	    "retransmissions", (json_int_t)c->rtx,
	    "socket_dropped", (json_int_t)d->rx_dropped,
	    "kernel_dropped", (json_int_t)d->rx_kernel_dropped,
	    "send_errors", (json_int_t)d->tx_errors,
	    "rx_by_kind", counts_by_name(c->rx_kind, 256, kind_name),
	    "dropped", counts_by_name(c->drop, NODE_DROP__COUNT, drop_name),
	    "refused_by_peer", refused,
	    "unmet", counts_by_name(c->unmet, CATS_SEL__COUNT, unmet_name),
	    "malformed", counts_by_name(c->decode_err, MH_E__COUNT, err_name),
	    "metric_reports", metrics, "probe", probe,
	    "handover_buffer", buf, "transfer", xf, "agent", agent, "ra", ra,
	    "control", show_control(d));
}

static json_t *
show_peers(struct catsd *d)
{
	const struct node_cfg *n = &d->conf.node;
	json_t *list = json_array(), *roles, *o, *pr;
	size_t i;

	for (i = 0; i < n->npeers; i++) {
		roles = json_array();
		if (n->peers[i].roles & NODE_INGRESS)
			json_array_append_new(roles, json_string("ingress"));
		if (n->peers[i].roles & NODE_EGRESS)
			json_array_append_new(roles, json_string("egress"));
		if (n->peers[i].roles & NODE_CONTROLLER)
			json_array_append_new(roles, json_string("controller"));
		if (n->peers[i].roles & NODE_LOCATOR)
			json_array_append_new(roles, json_string("locator"));
		o = json_pack("{s:s,s:o,s:o}", "name", n->peers[i].name,
		    "address", str_addr(n->peers[i].addr), "roles", roles);
		if ((pr = probe_show(d, i)) != NULL)
			json_object_set_new(o, "probe", pr);
		json_array_append_new(list, o);
	}
	return json_pack("{s:o,s:o}", "peers", list, "counters", show_counters(d));
}

static void
add_route(const struct kr_route *r, void *arg)
{
	char buf[512];

	json_array_append_new(arg, json_string(kr_route_fmt(r, buf, sizeof(buf))));
}

static json_t *
show_routes(struct catsd *d)
{
	json_t *list = json_array();

	if (d->dp != NULL)
		dp_dump(d->dp, add_route, list);
	return json_pack("{s:o}", "routes", list);
}

static void
add_route_stats(const struct kr_route *r, uint64_t packets, uint64_t octets,
    void *arg)
{
	char buf[512];

	json_array_append_new(arg, json_pack("{s:s,s:I,s:I}", "route",
	    kr_route_fmt(r, buf, sizeof(buf)), "packets", (json_int_t)packets,
	    "octets", (json_int_t)octets));
}

/* Which data plane runs and why; on eBPF, what each route carried and
 * what the programs dropped. */
static json_t *
show_dataplane(struct catsd *d)
{
	const struct dp_counters *c;
	struct dp_drops dr;
	json_t *o, *list = json_array();

	o = json_pack("{s:s,s:s}", "backend", conf_name_of(conf_backends,
	    (int)d->dp_kind), "why", d->dp_why);
	if (d->dp == NULL)
		return o;
	c = dp_counters(d->dp);
	json_object_set_new(o, "counters", json_pack("{s:I,s:I,s:I,s:I}",
	    "applied", (json_int_t)c->applied, "not_kernel",
	    (json_int_t)c->not_kernel, "absent", (json_int_t)c->absent,
	    "errors", (json_int_t)c->errors));
	if (dp_stats(d->dp, add_route_stats, list, &dr) < 0) {
		json_decref(list);
		return o;
	}
	json_object_set_new(o, "routes", list);
	json_object_set_new(o, "drops", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
	    "srh", (json_int_t)dr.srh, "segments_left",
	    (json_int_t)dr.segments_left, "inner", (json_int_t)dr.inner,
	    "hop_limit", (json_int_t)dr.hop_limit, "room", (json_int_t)dr.room,
	    "redirect", (json_int_t)dr.redirect));
	return o;
}

/* The last load report of the edge in the agent's slot i (xfer.c). */
static json_t *
show_load(struct catsd *d, size_t i)
{
	const struct agent_last *l = &d->agent_last[i];
	const char *fed = l->status == CATSD_NO_SELECTOR ?
	    "reported (no selector here)" :
	    cats_metric_err_name((enum cats_metric_err)l->status);

	return json_pack("{s:s,s:I,s:I,s:i,s:i,s:f,s:f,s:f,s:f,s:s}",
	    "edge", l->edge, "reports", (json_int_t)l->reports,
	    "age_ms", (json_int_t)(catsd_now(d) - l->at_ms),
	    "seq", (int)l->seq, "workers", (int)l->workers, "util", l->util,
	    "queue", l->queue, "proc_delay_ns", l->proc_delay_ns,
	    "capacity", l->capacity, "fed", fed ? fed : "?");
}

static json_t *
show_instances(struct catsd *d)
{
	const struct node_cfg *n = &d->conf.node;
	char sbuf[NODE_SERVICE_ID_MAX + 1];
	json_t *list = json_array(), *o;
	size_t i;

	for (i = 0; i < n->ninstances; i++) {
		o = json_pack("{s:i,s:s?}", "id",
		    (int)n->instances[i].id, "service",
		    service_name(d, n->instances[i].service, sbuf, sizeof(sbuf)));

		if (d->agent_last[i].reports > 0)
			json_object_set_new(o, "load", show_load(d, i));
		json_array_append_new(list, o);
	}
	o = json_pack("{s:o}", "instances", list);
	if (!d->conf.has_mup || !(d->conf.mup.roles & MUP_SITE_PE))
		return o;
	/* a MUP site PE's configured instances, with their edges' load
	 * (the agent's slots from AGENT_MUP_BASE) */
	list = json_array();
	for (i = 0; i < d->conf.mup.ninst; i++) {
		const struct mup_instance *mi = &d->conf.mup.inst[i];
		const char *ec = d->conf.mup_instances[i].edge_control;
		json_t *e = json_pack("{s:I,s:I,s:s?}", "cis_id",
		    (json_int_t)mi->cis_id, "cs_id", (json_int_t)mi->cs_id,
		    "edge_control", ec[0] != '\0' ? ec : NULL);

		if (d->agent_last[AGENT_MUP_BASE + i].reports > 0)
			json_object_set_new(e, "load",
			    show_load(d, AGENT_MUP_BASE + i));
		json_array_append_new(list, e);
	}
	json_object_set_new(o, "mup_instances", list);
	return o;
}

static json_t *
show_metrics(struct catsd *d)
{
	json_t *list = json_array();
	size_t i;
	double cost;
	uint32_t ing;

	for (i = 0; d->sel != NULL && i < d->conf.node.ninstances; i++)
		for (ing = 0; ing < d->conf.sel.max_ingresses; ing++)
			if (cats_sel_cost(d->sel, ing, d->conf.node.instances[i].id,
			    &cost))
				json_array_append_new(list, json_pack("{s:i,s:i,s:f}",
				    "instance", (int)d->conf.node.instances[i].id,
				    "ingress", (int)ing, "cost", cost));
	return json_pack("{s:o}", "metrics", list);
}

static json_t *
cmd_show(struct catsd *d, json_t *req, char *err, size_t len)
{
	const char *what = NULL;

	if (json_unpack(req, "{s:s, s:s}", "cmd", &what, "what", &what) != 0 &&
	    json_unpack(req, "{s:s}", "what", &what) != 0) {
		snprintf(err, len, "show: key \"what\": expected a string");
		return NULL;
	}
	/* (sessions and clients are streamed: handle_line) */
	if (strcmp(what, "peers") == 0)
		return show_peers(d);
	if (strcmp(what, "counters") == 0)
		return show_counters(d);
	if (strcmp(what, "routes") == 0)
		return show_routes(d);
	if (strcmp(what, "dataplane") == 0)
		return show_dataplane(d);
	if (strcmp(what, "instances") == 0)
		return show_instances(d);
	if (strcmp(what, "metrics") == 0)
		return show_metrics(d);
	if (strcmp(what, "bgp") == 0 || strcmp(what, "bgp-routes") == 0 ||
	    strcmp(what, "mup") == 0)
		return bgp_ctl_show(d, what, err, len);
	snprintf(err, len, "show: unknown \"%.40s\" (sessions, clients, "
	    "instances, metrics, peers, routes, counters, dataplane, bgp, bgp-routes, mup)",
	    what);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* client and metric                                                   */

static bool
parse_lladdr(const char *s, struct ev *ev)
{
	unsigned v[8];
	int n = sscanf(s, "%x:%x:%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
	    &v[4], &v[5], &v[6], &v[7]);
	int i;

	if (n != 6 && n != 8)
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] > 0xff)
			return false;
		ev->lladdr[i] = (uint8_t)v[i];
	}
	ev->lladdr_len = (uint8_t)n;
	return true;
}

static json_t *
cmd_client(struct catsd *d, json_t *req, char *err, size_t len)
{
	const char *action, *client, *ll = NULL, *svc = NULL, *cmd;
	struct ev ev;
	int s = 0;

	if (json_unpack(req, "{s:s,s:s,s:s,s?s,s?s !}", "cmd", &cmd, "action",
	    &action, "client", &client, "lladdr", &ll, "service", &svc) != 0) {
		snprintf(err, len, "client: expected {action, client[, lladdr]"
		    "[, service]} with string values and nothing else");
		return NULL;
	}
	memset(&ev, 0, sizeof(ev));
	if (inet_pton(AF_INET6, client, ev.client) != 1) {
		snprintf(err, len, "client: key \"client\": not an IPv6 address: "
		    "\"%s\"", client);
		return NULL;
	}
	if (ll != NULL && !parse_lladdr(ll, &ev)) {
		snprintf(err, len, "client: key \"lladdr\": expected 6 or 8 "
		    "hex octets separated by ':'");
		return NULL;
	}
	if (svc != NULL && (s = node_service_find(&d->conf.node,
	    (const uint8_t *)svc, strlen(svc))) < 0) {
		snprintf(err, len, "client: unknown service \"%s\"", svc);
		return NULL;
	}
	ev.service = (uint16_t)s;
	if (strcmp(action, "attach") == 0)
		ev.type = EV_ATTACH;
	else if (strcmp(action, "detach") == 0)
		ev.type = EV_DETACH;
	else if (strcmp(action, "move") == 0)
		ev.type = EV_MOVE_DETECTED;
	else if (strcmp(action, "request") == 0)
		ev.type = EV_SERVICE_REQUEST;
	else if (strcmp(action, "done") == 0)
		ev.type = EV_RESULTS_DONE;
	else {
		snprintf(err, len, "client: unknown action \"%s\" (attach, detach, "
		    "move, request, done)", action);
		return NULL;
	}
	catsd_event(d, &ev);
	return json_pack("{s:b}", "ok", 1);
}

/* An agent's metrics: into this node's C-PS, and reported to the peers
 * that choose (report.c). */
int
catsd_metric_compute(struct catsd *d, uint32_t instance,
    const struct cats_sample *s, size_t n)
{
	return node_report_instance(d->node, instance, s, n, catsd_now(d));
}

/* A metric agent (C-SMA/C-NMA) or a test sets metrics; the selector says
 * why it refuses one, and refusing changes nothing.  One table names every
 * metric the command takes: compute ones need "instance", network ones
 * "ingress" and "egress" (anchoring 4.4: bandwidth, latency, its
 * variation and loss are judged on the path). */
static const struct {
	const char		*key;
	enum cats_metric_id	 id;
	bool			 net;
} metric_keys[] = {
	{ "util", CATS_M_UTIL, false },
	{ "capacity", CATS_M_CAPACITY, false },
	{ "proc_delay_ns", CATS_M_PROC_DELAY, false },
	{ "owd_ns", CATS_M_OWD, true },
	{ "delay_var_ns", CATS_M_DELAY_VAR, true },
	{ "loss_ppb", CATS_M_LOSS, true },
	{ "bandwidth", CATS_M_BANDWIDTH, true },	/* octets/s */
};
#define NMETRIC_KEYS	(sizeof(metric_keys) / sizeof(metric_keys[0]))

static json_t *
cmd_metric(struct catsd *d, json_t *req, char *err, size_t len)
{
	struct cats_sample s[NMETRIC_KEYS];
	json_int_t inst = -1, ing = -1, eg = -1;
	const char *key;
	json_t *v;
	size_t n = 0, k;
	bool net;
	int rc;

	if (d->sel == NULL) {
		snprintf(err, len, "metric: this node has no path selector");
		return NULL;
	}
	if (json_unpack(req, "{s?I,s?I,s?I}", "instance", &inst, "ingress",
	    &ing, "egress", &eg) != 0)
		goto bad;
	net = inst < 0;
	json_object_foreach(req, key, v) {
		if (strcmp(key, "cmd") == 0 || strcmp(key, "instance") == 0 ||
		    strcmp(key, "ingress") == 0 || strcmp(key, "egress") == 0)
			continue;
		for (k = 0; k < NMETRIC_KEYS; k++)
			if (strcmp(key, metric_keys[k].key) == 0)
				break;
		if (k == NMETRIC_KEYS || !json_is_number(v))
			goto bad;
		if (metric_keys[k].net != net) {
			snprintf(err, len, "metric: %s goes with %s", key,
			    metric_keys[k].net ? "ingress and egress" :
			    "instance");
			return NULL;
		}
		if (json_number_value(v) < 0)
			continue;		/* negative: not given */
		s[n++] = (struct cats_sample){ metric_keys[k].id,
		    CATS_STAT_CUR, 0, json_number_value(v) };
	}
	if (!net)
		rc = cats_sel_update_compute(d->sel, (uint32_t)inst, s, n,
		    catsd_now(d));
	else if (ing >= 0 && eg >= 0 && n > 0)
		rc = cats_sel_update_net(d->sel, (uint32_t)ing, (uint32_t)eg, s,
		    n, catsd_now(d));
	else {
		snprintf(err, len, "metric: give an instance, or ingress, egress "
		    "and a path metric (owd_ns, delay_var_ns, loss_ppb, "
		    "bandwidth)");
		return NULL;
	}
	if (rc != CATS_MERR_OK) {
		snprintf(err, len, "metric: refused: %s",
		    cats_metric_err_name((enum cats_metric_err)rc));
		return NULL;
	}
	return json_pack("{s:b}", "ok", 1);
bad:
	snprintf(err, len, "metric: expected {instance, util, capacity, "
	    "proc_delay_ns} or {ingress, egress, owd_ns, delay_var_ns, "
	    "loss_ppb, bandwidth} with numbers");
	return NULL;
}

static const struct command commands[] = {
	{ "show", cmd_show },
	{ "client", cmd_client },
	{ "metric", cmd_metric },
	{ "mup", bgp_ctl_mup },
	{ "bgp", bgp_ctl_bgp },
};

/* ------------------------------------------------------------------ */
/* The socket                                                          */

/*
 * Nothing here waits for a client.  A reply goes into the connection's
 * queue and out as the socket takes it (EV_WRITE); the next request is
 * read only once the reply is all gone, so a connection holds at most one
 * reply (a streamed one: less than CTL_LOWAT plus a step).  Each pass of
 * the loop does one piece of work per connection, one request or one step
 * of a stream, so that another connection's command is answered between
 * two steps.  A client that takes nothing of its reply for CTL_STALL_S,
 * or sends no request for CTL_IDLE_S, is closed; when all CTL_MAX_CONN
 * are taken, the one quiet longest makes room for a new one.  Each is
 * counted (show counters: "control").
 */
static bool
busy(const struct ctl_conn *c)
{
	return pending(c) > 0 || c->streaming;
}

/* The reply (NULL: out of memory) to the queue, then a newline. */
static void
answer(struct ctl_conn *c, json_t *reply)
{
	char *text = reply != NULL ? json_dumps(reply, JSON_COMPACT) : NULL;
	size_t len;

	json_decref(reply);
	if (text == NULL) {
		c->nomem = true;
		return;
	}
	len = strlen(text);
	if (pending(c) == 0) {		/* take it as it is: no copy */
		free(c->q);
		text[len] = '\n';
		c->q = text;
		c->qoff = 0;
		c->qlen = c->qcap = len + 1;
		return;
	}
	q_add(c, text, len);
	q_add(c, "\n", 1);
	free(text);
}

/* show sessions, show clients: streamed (stream_step) */
static bool
streamed(json_t *req)
{
	const char *what;

	return json_unpack(req, "{s:s}", "what", &what) == 0 &&
	    (strcmp(what, "sessions") == 0 || strcmp(what, "clients") == 0);
}

static void
handle_line(struct ctl_conn *c, const char *line, size_t len)
{
	char err[256] = "";
	json_error_t je;
	json_t *req, *reply = NULL;
	const char *cmd;
	size_t i;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (req == NULL) {
		snprintf(err, sizeof(err), "not JSON: %s", je.text);
	} else if (json_unpack(req, "{s:s}", "cmd", &cmd) != 0) {
		snprintf(err, sizeof(err), "key \"cmd\": expected a string");
	} else if (strcmp(cmd, "show") == 0 && streamed(req)) {
		json_decref(req);
		stream_sessions(c);
		return;
	} else {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(cmd, commands[i].name) == 0)
				break;
		if (i == sizeof(commands) / sizeof(commands[0]))
			snprintf(err, sizeof(err), "unknown command \"%s\"", cmd);
		else
			reply = commands[i].fn(c->d, req, err, sizeof(err));
	}
	json_decref(req);
	if (reply == NULL)
		reply = json_pack("{s:s}", "error", err);
	answer(c, reply);
}

static void
conn_close(struct ctl_conn *c)
{
	size_t i;

	ev_io_stop(c->d->loop, &c->w);
	ev_io_stop(c->d->loop, &c->ww);
	ev_timer_stop(c->d->loop, &c->t);
	close(c->fd);
	for (i = 0; i < CTL_MAX_CONN; i++)
		if (c->d->conns[i] == c)
			c->d->conns[i] = NULL;
	free(c->q);
	free(c);
}

/* Write what the socket takes; -1 when the client is gone. */
static int
flush(struct ctl_conn *c, bool *progress)
{
	ssize_t n;

	while (pending(c) > 0) {
		n = send(c->fd, c->q + c->qoff, pending(c), MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->qoff += (size_t)n;
		*progress = true;
	}
	c->qoff = c->qlen = 0;
	return 0;
}

/* The next request line, handled: 1; none complete yet: 0; -1 when the
 * buffer is full without a newline. */
static int
take_request(struct ctl_conn *c)
{
	char *nl = memchr(c->buf, '\n', c->len);
	size_t used;

	if (nl == NULL)
		return c->len == sizeof(c->buf) ? -1 : 0;
	used = (size_t)(nl - c->buf) + 1;
	handle_line(c, c->buf, used - 1);
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	return 1;
}

/* The quiet time starts again: the idle or the stalled bound. */
static void
quiet(struct ctl_conn *c)
{
	c->quiet_since = catsd_now_s(c->d);
	c->t.repeat = busy(c) ? CTL_STALL_S : CTL_IDLE_S;
	ev_timer_again(c->d->loop, &c->t);
}

/* Wake up on 'ww' (write, or come back next pass) or on 'w' (read). */
static void
wait_for(struct ctl_conn *c, bool writable)
{
	ev_io_stop(c->d->loop, writable ? &c->w : &c->ww);
	ev_io_start(c->d->loop, writable ? &c->ww : &c->w);
}

/*
 * One pass: write what the socket takes, then at most one piece of work
 * (a step of the stream, or one request), then wait: for the socket to
 * take more, for the next pass (EV_WRITE on a socket that has room fires
 * at once), or for a request.  The connection may be closed on return.
 */
static void
conn_run(struct ctl_conn *c)
{
	bool worked = false, progress = false;
	int r;

	for (;;) {
		if (flush(c, &progress) < 0) {
			cst.write_errors++;
			log_debug("control: the client went away mid-reply");
			conn_close(c);
			return;
		}
		if (c->nomem) {
			cst.no_memory++;
			log_warnx("control: out of memory for a reply, closing");
			conn_close(c);
			return;
		}
		if (c->streaming && pending(c) < CTL_LOWAT && !worked) {
			stream_step(c);
			worked = true;
			continue;
		}
		if (busy(c) || (worked && memchr(c->buf, '\n', c->len))) {
			wait_for(c, true);
			break;
		}
		if (worked || (r = take_request(c)) == 0) {
			wait_for(c, false);
			break;
		}
		if (r < 0) {
			cst.too_long++;
			log_warnx("control: a request longer than %zu octets, "
			    "closing", sizeof(c->buf));
			conn_close(c);
			return;
		}
		worked = progress = true;
	}
	if (progress)
		quiet(c);
}

static void
read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = w->data;
	ssize_t n;

	(void)loop;
	(void)revents;
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	conn_run(c);
}

static void
write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	conn_run(w->data);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_conn *c = w->data;

	(void)loop;
	(void)revents;
	if (busy(c)) {
		cst.stalled++;
		log_info("control: a client took nothing of its reply for "
		    "%.0f s, closing", CTL_STALL_S);
	} else {
		cst.idle_closed++;
		log_debug("control: no request for %.0f s, closing", CTL_IDLE_S);
	}
	conn_close(c);
}

/* All slots taken: the connection quiet longest goes (an operator must
 * always get in, whatever holds the others), logged once per CTL_IDLE_S
 * with how many went since. */
static size_t
evict(struct catsd *d)
{
	size_t i, v = 0;
	ev_tstamp now = catsd_now_s(d);

	for (i = 1; i < CTL_MAX_CONN; i++)
		if (d->conns[i]->quiet_since < d->conns[v]->quiet_since)
			v = i;
	cst.evicted++;
	cst.evicted_unlogged++;
	if (now - cst.evict_logged >= CTL_IDLE_S) {
		log_warnx("control: all %d connections taken, closed the one "
		    "quiet for %.1f s (%llu so since the last such message)",
		    CTL_MAX_CONN, now - d->conns[v]->quiet_since,
		    (unsigned long long)cst.evicted_unlogged);
		cst.evict_logged = now;
		cst.evicted_unlogged = 0;
	}
	conn_close(d->conns[v]);
	return v;
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct catsd *d = w->data;
	struct ctl_conn *c;
	size_t i;
	int fd;

	(void)revents;
	if ((fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		cst.no_memory++;
		close(fd);
		return;
	}
	for (i = 0; i < CTL_MAX_CONN && d->conns[i] != NULL; i++)
		;
	if (i == CTL_MAX_CONN)
		i = evict(d);
	cst.accepted++;
	c->d = d;
	c->fd = fd;
	d->conns[i] = c;
	ev_io_init(&c->w, read_cb, fd, EV_READ);
	ev_io_init(&c->ww, write_cb, fd, EV_WRITE);
	ev_init(&c->t, timer_cb);
	c->w.data = c->ww.data = c->t.data = c;
	ev_io_start(loop, &c->w);
	quiet(c);
}

int
ctl_open(struct catsd *d)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(d->conf.control) >= sizeof(sun.sun_path)) {
		log_warnx("control: path too long");
		return -1;
	}
	strcpy(sun.sun_path, d->conf.control);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("control: socket");
		return -1;
	}
	unlink(sun.sun_path);
	old = umask(0177);		/* mode 0600: root's tool only */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(fd, 8) < 0) {
		umask(old);
		log_warn("control: %s", sun.sun_path);
		close(fd);
		return -1;
	}
	umask(old);
	d->ctl_fd = fd;
	ev_io_init(&d->ctl_w, accept_cb, fd, EV_READ);
	d->ctl_w.data = d;
	ev_io_start(d->loop, &d->ctl_w);
	return 0;
}

void
ctl_close(struct catsd *d)
{
	size_t i;

	for (i = 0; i < CTL_MAX_CONN; i++)
		if (d->conns[i] != NULL)
			conn_close(d->conns[i]);
	if (d->ctl_fd >= 0) {
		ev_io_stop(d->loop, &d->ctl_w);
		close(d->ctl_fd);
		unlink(d->conf.control);
		d->ctl_fd = -1;
	}
}
