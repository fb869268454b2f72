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
#include "control.h"

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
	uint64_t	 connections;	/* open now */
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
	if (i->why[0] != '\0') {	/* site failure: why it moved, and when */
		q_lit(c, ",\"why\":");
		q_str(c, i->why);
		n = snprintf(a, sizeof(a), ",\"moved_ms_ago\":%lld",
		    (long long)(catsd_now(c->d) - i->moved_ms));
		q_add(c, a, (size_t)n);
	}
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

/* The names of an array of counters; NULL: not shown. */
typedef const char *name_fn(unsigned);

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

/*
 * show counters, described by data: a row is one uint64_t at 'off' in its
 * base (the daemon's, the node's, the socket's), or an array of n of them
 * shown by name (those not zero): by 'names', or without, by the peers'
 * names (an array by peer index).  A row goes in the object
 * 'group' (NULL: the reply itself), made at the group's first row.
 */
enum counter_base { IN_CATSD, IN_NODE, IN_CTL };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct counter {
	const char		*group, *key;
	enum counter_base	 base;
	size_t			 off, n;
	name_fn			*names;
} counters[] = {
#define D(g, k, f)	{ g, k, IN_CATSD, offsetof(struct catsd, f), 0, NULL }
#define N(g, k, f)	{ g, k, IN_NODE, offsetof(struct node_counters, f), 0, \
			  NULL }
#define ND(k, f, fn)	{ NULL, k, IN_NODE, offsetof(struct node_counters, f), \
			  NELEM(((struct node_counters *)0)->f), fn }
#define DN(g, k, f, fn)	{ g, k, IN_CATSD, offsetof(struct catsd, f), \
			  NELEM(((struct catsd *)0)->f), fn }
#define F(g, s, f)	D(g, #f, s.f)	/* the key is the field's name */
#define CTL(f)		{ "control", #f, IN_CTL, \
			  offsetof(struct ctl_conn_stats, f), 0, NULL }
	N(NULL, "rx", rx), N(NULL, "tx", tx),
	/* rx by sender, whatever became of it (a flood's size by source) */
	ND("rx_by_peer", peer_rx, NULL),
	N(NULL, "rx_not_a_peer", stranger_rx),
	ND("tx_by_peer", peer_tx, NULL),
	N(NULL, "duplicates_answered", dup_answered),
	N(NULL, "retransmissions", rtx),
	D(NULL, "socket_dropped", rx_dropped),
	D(NULL, "kernel_dropped", rx_kernel_dropped),
	D(NULL, "send_errors", tx_errors),
	ND("rx_by_kind", rx_kind, kind_name),
	ND("dropped", drop, drop_name),
	/* authentication and replay refusals by peer (node.c) */
	ND("refused_by_peer", peer_refused, NULL),
	ND("unmet", unmet, unmet_name),
	ND("malformed", decode_err, err_name),
	N("metric_reports", "sent", metric_tx),
	N("metric_reports", "taken", metric_rx),
	N("site_failure", "instances_gone", instance_gone),
	N("site_failure", "resteered_gone", resteer_gone),
	F("probe", probe_cnt, reflected),
	F("probe", probe_cnt, reflect_malformed),
	F("probe", probe_cnt, strangers), F("probe", probe_cnt, reports),
	F("probe", probe_cnt, send_errors),
	D("handover_buffer", "held", buf_held),
	D("handover_buffer", "flushed", buf_flushed),
	D("handover_buffer", "expired", buf_expired),
	D("handover_buffer", "overflow", buf_overflow),
	D("handover_buffer", "not_held", buf_unheld),
	D("handover_buffer", "write_errors", buf_write_err),
	D("handover_buffer", "first_packets", first_packets),
	F("transfer", xfer_cnt, exports), F("transfer", xfer_cnt, imports),
	F("transfer", xfer_cnt, states_sent),
	F("transfer", xfer_cnt, states_received), F("transfer", xfer_cnt, errors),
	F("agent", agent_cnt, reports), F("agent", agent_cnt, fed),
	F("agent", agent_cnt, not_fed),
	DN("agent", "malformed", agent_cnt.malformed, agent_malformed_name),
	F("agent", agent_cnt, errors),
	F("ra", ra_cnt, ra_sent), F("ra", ra_cnt, rs_received),
	DN("ra", "rs_malformed", ra_cnt.rs_malformed, ra_err_name),
	F("ra", ra_cnt, send_errors),
	/* the control socket's own (docs/catsd.md) */
	CTL(connections), CTL(accepted), CTL(idle_closed), CTL(stalled),
	CTL(evicted), CTL(too_long), CTL(write_errors), CTL(no_memory),
	CTL(streamed),
#undef D
#undef N
#undef ND
#undef DN
#undef F
#undef CTL
};

static json_t *
counter_json(const struct catsd *d, const struct counter *r,
    const uint64_t *v)
{
	json_t *o;
	const char *name;

	if (r->n == 0)
		return json_integer((json_int_t)*v);
	o = json_object();
	for (unsigned i = 0; i < r->n; i++) {
		name = r->names != NULL ? r->names(i) : peer_name(d, (int)i);
		if (v[i] != 0 && name != NULL)
			json_object_set_new(o, name, json_integer((json_int_t)v[i]));
	}
	return o;
}

static json_t *
show_counters(struct catsd *d)
{
	const void *base[] = { [IN_CATSD] = d, [IN_NODE] = node_counters(d->node),
	    [IN_CTL] = &cst };
	json_t *top = json_object(), *o;
	const struct counter *r;

	for (r = counters; r < counters + NELEM(counters); r++) {
		o = top;
		if (r->group != NULL && (o = json_object_get(top, r->group)) ==
		    NULL)
			json_object_set_new(top, r->group, o = json_object());
		json_object_set_new(o, r->key, counter_json(d, r,
		    (const uint64_t *)((const char *)base[r->base] + r->off)));
	}
	return top;
}

/* What the peer holds here and how often its limits bit (node_limits). */
static json_t *
peer_limits_show(struct catsd *d, size_t i)
{
	const struct node_counters *c = node_counters(d->node);
	json_t *held = json_object();

	for (int k = 0; k < NODE_STATE__COUNT; k++)
		json_object_set_new(held, node_state_name((enum node_state_kind)k),
		    json_integer((json_int_t)node_peer_state(d->node, (int)i,
		    (enum node_state_kind)k)));
	return json_pack("{s:o,s:I,s:I}", "held", held,
	    "quota_refused", (json_int_t)c->peer_limited[i],
	    "rate_limited", (json_int_t)c->peer_rate_limited[i]);
}

/* Site failure (docs/engine.md): up or down, since when, heartbeats
 * missed in a row, last heard; node times shown as ages. */
static json_t *
live_show(struct catsd *d, size_t peer)
{
	struct node_peer_live l;
	uint64_t now = catsd_now(d);

	if (!node_peer_liveness(d->node, (int)peer, &l) ||
	    l.state == NODE_LIVE_UNWATCHED)
		return NULL;
	return json_pack("{s:s,s:I,s:I,s:I,s:I}", "state", node_live_name(l.state),
	    "since_ms_ago", l.since_ms ? (json_int_t)(now - l.since_ms) : -1,
	    "last_heard_ms_ago", l.heard_ms ? (json_int_t)(now - l.heard_ms) : -1,
	    "missed", (json_int_t)l.missed, "downs", (json_int_t)l.downs);
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
		if ((pr = live_show(d, i)) != NULL)
			json_object_set_new(o, "liveness", pr);
		json_object_set_new(o, "limits", peer_limits_show(d, i));
		json_array_append_new(list, o);
	}
	return json_pack("{s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I}}", "peers", list,
	    "counters", show_counters(d), "site_failure",
	    "peers_down", (json_int_t)node_counters(d->node)->peer_down,
	    "resteered", (json_int_t)node_counters(d->node)->resteered,
	    "unmet", (json_int_t)node_counters(d->node)->resteer_unmet,
	    "instances_gone", (json_int_t)node_counters(d->node)->instance_gone,
	    "resteered_gone", (json_int_t)node_counters(d->node)->resteer_gone);
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
		/* docs/engine.md §7: its edge gone (the egress's agent), or
		 * out of this node's C-PS (a controller told so) */
		if (d->agent_last[i].gone)
			json_object_set_new(o, "edge_gone", json_true());
		if (d->sel != NULL)
			json_object_set_new(o, "available", json_boolean(
			    cats_sel_available(d->sel, n->instances[i].id)));
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
ok_reply(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *
cmd_client(struct catsd *d, int op, union ctl_arg *a, char *err, size_t len)
{
	struct ctl_client *cl = &a->client;
	int s = 0;

	if (cl->service[0] != '\0' && (s = node_service_find(&d->conf.node,
	    (const uint8_t *)cl->service, strlen(cl->service))) < 0) {
		snprintf(err, len, "client: unknown service \"%s\"", cl->service);
		return NULL;
	}
	cl->ev.type = (enum ev_type)op;
	cl->ev.service = (uint16_t)s;
	catsd_event(d, &cl->ev);
	return ok_reply();
}

/* An agent's metrics: into this node's C-PS, and reported to the peers
 * that choose (report.c). */
int
catsd_metric_compute(struct catsd *d, uint32_t instance,
    const struct cats_sample *s, size_t n)
{
	return node_report_instance(d->node, instance, s, n, catsd_now(d));
}

int
catsd_instance_gone(struct catsd *d, uint32_t instance, bool gone)
{
	return node_report_instance_gone(d->node, instance, gone,
	    catsd_now(d));
}

/* ------------------------------------------------------------------ */
/* The command table                                                   */

/* A metric's value (k->min: its enum cats_metric_id), within what
 * metric.c takes for it. */
static int
set_metric(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct key r = *k;

	cats_metric_range((enum cats_metric_id)k->min, &r.dmin, &r.dmax);
	return conf_set_real(p, v, base, &r);
}

/* ... added to the struct ctl_samples at k->off (as it stood: cur). */
static int
set_sample(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct ctl_samples *m = (void *)((char *)base + k->off);
	struct cats_sample *s = &m->s[m->n];
	const struct key r = { .min = k->min, .off = offsetof(struct
	    cats_sample, value) };

	*s = (struct cats_sample){ (enum cats_metric_id)k->min, CATS_STAT_CUR,
	    0, 0 };
	if (set_metric(p, v, s, &r) != 0)
		return -1;
	m->n++;
	return 0;
}

/* The key of a metric in a table of samples. */
static const char *
sample_key(const struct key *k, enum cats_metric_id id)
{
	for (; k->name != NULL; k++)
		if (k->set == set_sample && k->min == id)
			return k->name;
	return "?";
}

static int
set_lladdr(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)k;
	if (!json_is_string(v) || !parse_lladdr(json_string_value(v),
	    &((struct ctl_client *)base)->ev))
		return conf_expected(p, v, "6 or 8 hex octets separated by ':'");
	return 0;
}

/* A RAN PE: an index into mup.rans. */
static int
set_ran(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct key r = *k;

	r.max = (int64_t)p->c->mup.nran - 1;
	return conf_set_uint(p, v, base, &r);
}

static int
parse_route(json_t *req, union ctl_arg *a, char *err, size_t len)
{
	return bgp_route_parse(req, &a->route, err, len);
}

#define SAMPLE(k, type, id) \
	{ .name = k, .set = set_sample, .off = offsetof(type, m), .min = id }
#define CIS_ID(type, fl) \
	UINT("cis_id", type, cis_id, 1, MUP_CMU_RD_BIT - 1, fl)

static const struct key no_keys[] = { END };

static const struct key client_keys[] = {
	ADDR("client", struct ctl_client, ev.client, K_REQUIRED),
	CUSTOM("lladdr", set_lladdr, 0),
	STR("service", struct ctl_client, service, 0),
	END
};

static const struct key metric_keys[] = {
	UINT("instance", struct ctl_metric, instance, 0, UINT32_MAX, 0),
	UINT("ingress", struct ctl_metric, ingress, 0, UINT32_MAX, 0),
	UINT("egress", struct ctl_metric, egress, 0, UINT32_MAX, 0),
	SAMPLE("util", struct ctl_metric, CATS_M_UTIL),
	SAMPLE("capacity", struct ctl_metric, CATS_M_CAPACITY),
	SAMPLE("proc_delay_ns", struct ctl_metric, CATS_M_PROC_DELAY),
	SAMPLE("owd_ns", struct ctl_metric, CATS_M_OWD),
	SAMPLE("delay_var_ns", struct ctl_metric, CATS_M_DELAY_VAR),
	SAMPLE("loss_ppb", struct ctl_metric, CATS_M_LOSS),
	SAMPLE("bandwidth", struct ctl_metric, CATS_M_BANDWIDTH), /* octets/s */
	END
};

static const struct key session_keys[] = {		/* up, move */
	UINT("teid", struct mup_session, teid, 1, UINT32_MAX, K_REQUIRED),
	{ .name = "endpoint", .set = conf_set_mupaddr,
	  FIELD(struct mup_session, ep), .flags = K_REQUIRED },
	UINT("cs_id", struct mup_session, cs_id, 0, UINT32_MAX, K_REQUIRED),
	{ .name = "ran", .set = set_ran, FIELD(struct mup_session, ran_index),
	  .flags = K_REQUIRED },
	BOOL("sticky", struct mup_session, sticky),
	UINT("prev_cis_id", struct mup_session, prev_cis_id, 0,
	    MUP_CMU_RD_BIT - 1, 0),
	END
};

static const struct key teid_keys[] = {			/* release, down */
	UINT("teid", struct mup_session, teid, 1, UINT32_MAX, K_REQUIRED),
	END
};

static const struct key instance_keys[] = {		/* add */
	CIS_ID(struct mup_instance, K_REQUIRED),
	UINT("cs_id", struct mup_instance, cs_id, 0, UINT32_MAX, K_REQUIRED),
	ADDR("sid", struct mup_instance, sid, K_REQUIRED),
	UINT("behavior", struct mup_instance, behavior, 0, 65535, 0),
	UINT("servers", struct mup_instance, servers, 1, 1 << 20, 0),
	{ .name = "capacity", .set = set_metric,
	  FIELD(struct mup_instance, capacity), .min = CATS_M_CAPACITY },
	END
};

static const struct key cis_keys[] = {			/* remove */
	CIS_ID(struct mup_instance, K_REQUIRED),
	END
};

static const struct key mup_metric_keys[] = {
	CIS_ID(struct ctl_mup_metric, K_REQUIRED),
	SAMPLE("util", struct ctl_mup_metric, CATS_M_UTIL),
	SAMPLE("capacity", struct ctl_mup_metric, CATS_M_CAPACITY),
	SAMPLE("queue", struct ctl_mup_metric, CATS_M_QUEUE),
	SAMPLE("proc_delay_ns", struct ctl_mup_metric, CATS_M_PROC_DELAY),
	END
};

static const struct key neighbor_keys[] = {
	STR("name", union ctl_arg, neighbor, K_REQUIRED | K_NAME),
	END
};

/* A metric agent (C-SMA/C-NMA) or a test sets metrics; the selector says
 * why it refuses one, and refusing changes nothing.  Compute metrics need
 * "instance", network ones "ingress" and "egress" (anchoring 4.4:
 * bandwidth, latency, its variation and loss are judged on the path). */
static json_t *
cmd_metric(struct catsd *d, int op, union ctl_arg *a, char *err, size_t len)
{
	const struct ctl_metric *m = &a->metric;
	const struct cats_sample *s = m->m.s;
	bool net = m->instance < 0;
	int rc;

	(void)op;
	if (d->sel == NULL) {
		snprintf(err, len, "metric: this node has no path selector");
		return NULL;
	}
	for (size_t i = 0; i < m->m.n; i++)
		if ((cats_metric_kind_of(s[i].id) == CATS_MK_NETWORK) != net) {
			snprintf(err, len, "metric: %s goes with %s",
			    sample_key(metric_keys, s[i].id), net ? "instance" :
			    "ingress and egress");
			return NULL;
		}
	if (!net)
		rc = cats_sel_update_compute(d->sel, (uint32_t)m->instance, s,
		    m->m.n, catsd_now(d));
	else if (m->ingress >= 0 && m->egress >= 0 && m->m.n > 0)
		rc = cats_sel_update_net(d->sel, (uint32_t)m->ingress,
		    (uint32_t)m->egress, s, m->m.n, catsd_now(d));
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
	return ok_reply();
}

#define CMD(c, w, a, k)	.name = { c, w, a }, .keys = k
#define SHOW(w, f)	{ CMD("show", w, NULL, no_keys), .show = f }
#define CLIENT(a, ev)	{ CMD("client", NULL, a, client_keys), \
			  .fn = cmd_client, .op = ev }

/*
 * Every command: the request's "cmd", "what" and "action" choose the
 * entry (the entries of one cmd, and of one what, are together); its other
 * keys are the entry's key table's (or its parser's).  A request is first
 * parsed whole (ctl_parse), then handled.  docs/catsd.md points here.
 */
static const struct ctl_cmd commands[] = {
	{ CMD("show", "sessions", NULL, no_keys) },	/* streamed */
	{ CMD("show", "clients", NULL, no_keys) },	/* streamed */
	SHOW("instances", show_instances),
	SHOW("metrics", show_metrics),
	SHOW("peers", show_peers),
	SHOW("routes", show_routes),
	SHOW("counters", show_counters),
	SHOW("dataplane", show_dataplane),
	{ CMD("show", "bgp", NULL, no_keys), .fn = bgp_ctl_show,
	  .op = CTL_SHOW_BGP },
	{ CMD("show", "bgp-routes", NULL, no_keys), .fn = bgp_ctl_show,
	  .op = CTL_SHOW_ROUTES },
	{ CMD("show", "mup", NULL, no_keys), .fn = bgp_ctl_show,
	  .op = CTL_SHOW_MUP },
	CLIENT("attach", EV_ATTACH),
	CLIENT("detach", EV_DETACH),
	CLIENT("move", EV_MOVE_DETECTED),
	CLIENT("request", EV_SERVICE_REQUEST),
	CLIENT("done", EV_RESULTS_DONE),
	{ CMD("metric", NULL, NULL, metric_keys), .fn = cmd_metric,
	  .init = &(const union ctl_arg){ .metric = { -1, -1, -1, { .n = 0 } } } },
	{ CMD("mup", "session", "up", session_keys), .fn = bgp_ctl_session,
	  .op = CTL_UP },
	{ CMD("mup", "session", "move", session_keys), .fn = bgp_ctl_session,
	  .op = CTL_MOVE },
	{ CMD("mup", "session", "release", teid_keys), .fn = bgp_ctl_session,
	  .op = CTL_RELEASE },
	{ CMD("mup", "session", "down", teid_keys), .fn = bgp_ctl_session,
	  .op = CTL_DOWN },
	{ CMD("mup", "instance", "add", instance_keys), .fn = bgp_ctl_instance,
	  .op = CTL_ADD, .init = &(const union ctl_arg){ .instance = {
	  .behavior = 0x12, .servers = 1, .capacity = 1000 } } },
	{ CMD("mup", "instance", "remove", cis_keys), .fn = bgp_ctl_instance,
	  .op = CTL_REMOVE },
	{ CMD("mup", "metric", NULL, mup_metric_keys), .fn = bgp_ctl_metric },
	/* bgp route: catsctl's checker, the same at both ends */
	{ CMD("bgp", "route", NULL, NULL), .parse = parse_route,
	  .fn = bgp_ctl_route },
	{ CMD("bgp", "neighbor", "start", neighbor_keys),
	  .fn = bgp_ctl_neighbor },
};

static const char *const levels[] = { "cmd", "what", "action" };

/* "a, b, c": the names at 'level' of the entries lo..hi, each once. */
static void
names_at(const struct ctl_cmd *lo, const struct ctl_cmd *hi, int level,
    char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const struct ctl_cmd *c = lo; c < hi && n < len; c++)
		if (c == lo || strcmp(c->name[level], c[-1].name[level]) != 0)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    n == 0 ? "" : ", ", c->name[level]);
}

/* The entry the request's cmd, what and action choose, each narrowing the
 * entries lo..hi to those with its name; the names are taken out of the
 * request and make the sentences' first words ("mup session"). */
static const struct ctl_cmd *
choose(json_t *req, char *words, size_t wlen, char *err, size_t len)
{
	const struct ctl_cmd *lo = commands, *hi = commands + NELEM(commands);
	const struct ctl_cmd *c;
	const char *s;
	char list[160];

	words[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (lo->name[i] == NULL)
			continue;	/* not asked (client has no what) */
		s = json_string_value(json_object_get(req, levels[i]));
		for (c = lo; c < hi && (s == NULL ||
		    strcmp(c->name[i], s) != 0); c++)
			;
		if (c == hi) {
			names_at(lo, hi, i, list, sizeof(list));
			snprintf(err, len, "%s%skey \"%s\": expected one of: %s; "
			    "got %s%.40s%s", words, i > 0 ? ": " : "", levels[i],
			    list, s != NULL ? "\"" : json_object_get(req,
			    levels[i]) != NULL ? "not a string" : "nothing",
			    s != NULL ? s : "", s != NULL ? "\"" : "");
			return NULL;
		}
		for (lo = c; c < hi && strcmp(c->name[i], s) == 0; c++)
			;
		hi = c;
		snprintf(words + strlen(words), wlen - strlen(words), "%s%s",
		    i > 0 ? " " : "", lo->name[i]);
		json_object_del(req, levels[i]);
	}
	return lo;
}

const struct ctl_cmd *
ctl_parse(struct catsd *d, const char *line, size_t len, union ctl_arg *a,
    char *err, size_t errlen)
{
	struct pctx p = { .err = err, .errlen = errlen, .quote = true,
	    .c = &d->conf };
	const struct ctl_cmd *c;
	char words[40];
	json_error_t je;
	json_t *req;

	err[0] = '\0';
	if ((req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		snprintf(err, errlen, "not JSON: %s", je.text);
		return NULL;
	}
	if ((c = choose(req, words, sizeof(words), err, errlen)) != NULL) {
		p.file = words;
		if (c->init != NULL)
			*a = *c->init;
		else
			memset(a, 0, sizeof(*a));
		if (c->parse != NULL ? c->parse(req, a, err, errlen) != 0 :
		    conf_walk(&p, req, c->keys, a) != 0)
			c = NULL;
	}
	json_decref(req);
	return c;
}

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

static void
handle_line(struct ctl_conn *c, const char *line, size_t len)
{
	char err[CONF_ERR_MAX];
	union ctl_arg a;
	const struct ctl_cmd *cmd = ctl_parse(c->d, line, len, &a, err,
	    sizeof(err));
	json_t *reply = NULL;

	if (cmd != NULL && cmd->fn == NULL && cmd->show == NULL) {
		stream_sessions(c);	/* show sessions, show clients */
		return;
	}
	if (cmd != NULL)
		reply = cmd->show != NULL ? cmd->show(c->d) :
		    cmd->fn(c->d, cmd->op, &a, err, sizeof(err));
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
	cst.connections--;
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
	cst.connections++;
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
