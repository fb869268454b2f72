/*
 * prom.c: Prometheus metrics.  GET /metrics answers in the text exposition
 * format (version 0.0.4: HELP and TYPE lines, then samples); any other
 * path is 404, any other method 405, each counted.
 *
 * The figures are the show commands' own: the replies the control table
 * gives (control.c, bgp_ctl.c: show peers with its counters, show
 * instances, metrics, dataplane, bgp), turned into metric families by the
 * tables below, so that each number has one implementation and catsctl
 * and Prometheus never disagree.  What no show command carries is read
 * where the show commands read it: sessions by state from node_walk (as
 * show sessions), signaling sent by kind and the handovers from
 * node_counters.
 *
 * libmicrohttpd runs in the daemon's one libev loop, no thread: external
 * polling with its epoll descriptor watched by an ev_io and its next
 * timeout by an ev_timer, MHD_run on either.  The listening socket is
 * opened here, in start(), before privileges drop (priv.c); the running
 * server only accepts, reads, writes and closes.  At most PROM_MAX_CONN
 * connections, each closed after PROM_TIMEOUT_S without progress: no
 * client can hold the daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "cats/bgp.h"
#include "cats/log.h"
#include "cats/mh.h"
#include "catsd.h"
#include "catsd/control.h"
#include "catsd/prom.h"

#define PROM_MAX_CONN	8
#define PROM_TIMEOUT_S	10
#define PROM_BACKLOG	16
#define PROM_MEM_LIMIT	(32 * 1024)	/* per connection: the request */
#define PROM_CTYPE	"text/plain; version=0.0.4; charset=utf-8"

/* The answers counted, by status code. */
enum prom_code { PC_OK, PC_NOT_FOUND, PC_NOT_ALLOWED, PC_ERROR, PC__COUNT };
static const unsigned code_num[PC__COUNT] = { 200, 404, 405, 500 };

struct prom {
	struct catsd	*d;
	struct MHD_Daemon *mhd;
	int		 fd;		/* listening */
	ev_io		 w;		/* MHD's epoll descriptor */
	ev_timer	 t;		/* MHD's next timeout */
	uint64_t	 answers[PC__COUNT];
};

/* ------------------------------------------------------------------ */
/* The exposition: a growing buffer, one error flag checked at the end  */

struct out {
	char	*p;
	size_t	 len, cap;
	bool	 err;
};

static void put(struct out *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	char *np;
	int n;

	for (;;) {
		if (o->err)
			return;
		room = o->cap - o->len;
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->err = true;
			return;
		}
		if ((size_t)n < room) {
			o->len += (size_t)n;
			return;
		}
		if ((np = realloc(o->p, o->cap * 2 + (size_t)n)) == NULL) {
			o->err = true;
			return;
		}
		o->p = np;
		o->cap = o->cap * 2 + (size_t)n;
	}
}

/* Labels, written as the format wants them: name="value", the value's
 * backslash, double quote and line feed escaped.  Too long: cut, still
 * well formed. */
struct labels {
	char	 s[512];
	size_t	 n;
};

static void
label(struct labels *l, const char *name, const char *v)
{
	char esc[256];
	size_t e = 0;
	int w;

	if (v == NULL)
		v = "";
	for (; *v != '\0' && e < sizeof(esc) - 3; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n')
			esc[e++] = '\\';
		esc[e++] = *v == '\n' ? 'n' : *v;
	}
	esc[e] = '\0';
	w = snprintf(l->s + l->n, sizeof(l->s) - l->n, "%s%s=\"%s\"",
	    l->n > 0 ? "," : "", name, esc);
	if (w > 0 && (size_t)w < sizeof(l->s) - l->n)
		l->n += (size_t)w;
	else
		l->s[l->n] = '\0';	/* the label that did not fit goes */
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample_u(struct out *o, const char *name, const struct labels *l,
    uint64_t v)
{
	put(o, "%s%s%s%s %" PRIu64 "\n", name, l != NULL && l->n > 0 ? "{" :
	    "", l != NULL ? l->s : "", l != NULL && l->n > 0 ? "}" : "", v);
}

static void
sample_d(struct out *o, const char *name, const struct labels *l, double v)
{
	put(o, "%s%s%s%s %.17g\n", name, l != NULL && l->n > 0 ? "{" : "",
	    l != NULL ? l->s : "", l != NULL && l->n > 0 ? "}" : "", v);
}

/* ------------------------------------------------------------------ */
/* From the show commands' replies                                     */

/* The reply of "show WHAT" as the control socket would give it; NULL
 * when this node has none (show bgp without "bgp"). */
static json_t *
show(struct catsd *d, const char *what)
{
	const struct ctl_cmd *c;
	union ctl_arg a;
	char line[64], err[160];
	int n;

	n = snprintf(line, sizeof(line), "{\"cmd\":\"show\",\"what\":\"%s\"}",
	    what);
	if ((c = ctl_parse(d, line, (size_t)n, &a, err, sizeof(err))) == NULL)
		return NULL;
	if (c->show != NULL)
		return c->show(d);
	if (c->fn != NULL)
		return c->fn(d, c->op, &a, err, sizeof(err));
	return NULL;
}

/* "a.b.c" in o, or NULL. */
static json_t *
path_get(json_t *o, const char *path)
{
	char key[64];
	const char *dot;
	size_t n;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	return o != NULL ? json_object_get(o, path) : NULL;
}

static bool
str_is(json_t *v, const char *s)
{
	return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* A JSON value as a label value (a name, or an id). */
static const char *
label_str(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return "";
}

static void
sample_json(struct out *o, const char *name, const struct labels *l,
    json_t *v, double scale)
{
	if (json_is_integer(v) && scale == 0 && json_integer_value(v) >= 0)
		sample_u(o, name, l, (uint64_t)json_integer_value(v));
	else if (json_is_number(v))
		sample_d(o, name, l, json_number_value(v) * (scale != 0 ?
		    scale : 1));
	else if (json_is_boolean(v))
		sample_u(o, name, l, json_is_true(v) ? 1 : 0);
}

/*
 * A metric family from the show replies: the value at 'path' in each
 * object of a list (or in the one object), labelled by the objects' id
 * keys; a value that is an object gives one sample per key, labelled
 * 'key_label' (the counters by kind, by reason, by peer).
 */
struct fam {
	const char	*path, *name, *type, *help;
	const char	*key_label;
	double		 scale;		/* 0: as given */
};

struct ids {
	const char	*key[2], *label[2];	/* NULL: unused */
};

static void
fam_one(struct out *o, const struct fam *f, json_t *obj, const struct ids *id)
{
	struct labels l = { .n = 0 };
	struct labels lk;
	json_t *v = path_get(obj, f->path), *kv;
	const char *k;
	char buf[32];

	l.s[0] = '\0';
	for (int i = 0; i < 2 && id != NULL && id->key[i] != NULL; i++)
		label(&l, id->label[i], label_str(json_object_get(obj,
		    id->key[i]), buf, sizeof(buf)));
	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		sample_json(o, f->name, &l, v, f->scale);
		return;
	}
	json_object_foreach(v, k, kv) {
		lk = l;
		label(&lk, f->key_label, k);
		sample_json(o, f->name, &lk, kv, f->scale);
	}
}

/* Where a table's families are read: a list of objects (or one object),
 * with the keys that label each. */
struct src {
	json_t		*j;
	const struct ids *id;
};

/* Each family of the table, its samples from every source. */
static void
fams(struct out *o, const struct fam *f, size_t n, const struct src *s,
    size_t ns)
{
	json_t *e;
	size_t i, j, k;

	for (j = 0; j < n; j++, f++) {
		family(o, f->name, f->type, f->help);
		for (k = 0; k < ns; k++) {
			if (s[k].j == NULL)
				continue;
			if (!json_is_array(s[k].j)) {
				fam_one(o, f, s[k].j, s[k].id);
				continue;
			}
			json_array_foreach(s[k].j, i, e)
				fam_one(o, f, e, s[k].id);
		}
	}
}

/* The families of one source. */
static void
fams1(struct out *o, const struct fam *f, size_t n, json_t *j,
    const struct ids *id)
{
	const struct src s = { j, id };

	fams(o, f, n, &s, 1);
}

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define C		"counter"
#define G		"gauge"

/* show counters (also in show peers), and show peers' own */
static const struct fam counter_fams[] = {
	{ "rx", "cats_signaling_received_total", C,
	  "Signaling messages received, whatever became of them", NULL, 0 },
	{ "tx", "cats_signaling_sent_total", C,
	  "Signaling messages sent, retransmissions and answers again included",
	  NULL, 0 },
	{ "rx_by_kind", "cats_signaling_received_by_kind_total", C,
	  "Signaling messages received that decoded, by kind", "kind", 0 },
	{ "rx_by_peer", "cats_signaling_received_by_peer_total", C,
	  "Signaling messages received, by the peer that sent them", "peer", 0 },
	{ "rx_not_a_peer", "cats_signaling_received_not_peer_total", C,
	  "Signaling messages received from no configured peer", NULL, 0 },
	{ "tx_by_peer", "cats_signaling_sent_by_peer_total", C,
	  "Signaling messages sent, by the peer they went to", "peer", 0 },
	{ "dropped", "cats_signaling_dropped_total", C,
	  "Signaling messages dropped or refused, by reason", "reason", 0 },
	{ "malformed", "cats_signaling_malformed_total", C,
	  "Signaling messages that did not decode, by reason", "reason", 0 },
	{ "refused_by_peer", "cats_auth_refused_total", C,
	  "Messages refused by authentication or replay protection, by peer",
	  "peer", 0 },
	{ "retransmissions", "cats_signaling_retransmissions_total", C,
	  "Signaling messages sent again for want of an answer", NULL, 0 },
	{ "duplicates_answered", "cats_signaling_duplicates_answered_total", C,
	  "Retransmitted requests answered from the cache", NULL, 0 },
	{ "socket_dropped", "cats_signaling_socket_dropped_total", C,
	  "Datagrams not even given to the engine", NULL, 0 },
	{ "kernel_dropped", "cats_signaling_kernel_dropped_total", C,
	  "Datagrams the kernel dropped on a full socket queue", NULL, 0 },
	{ "send_errors", "cats_signaling_send_errors_total", C,
	  "Signaling messages the socket refused", NULL, 0 },
	{ "unmet", "cats_selection_unmet_total", C,
	  "Requests no instance could meet, by the requirement broken",
	  "reason", 0 },
	{ "metric_reports.sent", "cats_metric_reports_sent_total", C,
	  "Metric reports sent to the controllers", NULL, 0 },
	{ "metric_reports.taken", "cats_metric_reports_taken_total", C,
	  "Metric reports taken into this node's selector", NULL, 0 },
	{ "site_failure.instances_gone", "cats_instances_gone_total", C,
	  "Reports of an instance gone, taken from its egress", NULL, 0 },
	{ "site_failure.resteered_gone", "cats_sessions_resteered_gone_total", C,
	  "Sessions moved off an instance that was gone", NULL, 0 },
	{ "probe.reflected", "cats_probe_reflected_total", C,
	  "STAMP test packets answered", NULL, 0 },
	{ "probe.reflect_malformed", "cats_probe_reflect_malformed_total", C,
	  "STAMP test packets that did not decode", NULL, 0 },
	{ "probe.strangers", "cats_probe_strangers_total", C,
	  "STAMP replies from no path probed", NULL, 0 },
	{ "probe.reports", "cats_probe_reports_total", C,
	  "Path metrics handed to the engine", NULL, 0 },
	{ "probe.send_errors", "cats_probe_send_errors_total", C,
	  "STAMP packets the socket refused", NULL, 0 },
	{ "handover_buffer.held", "cats_handover_buffer_held_packets_total", C,
	  "Packets held for a detached client", NULL, 0 },
	{ "handover_buffer.flushed", "cats_handover_buffer_flushed_packets_total",
	  C, "Held packets sent on once the path was up", NULL, 0 },
	{ "handover_buffer.expired", "cats_handover_buffer_expired_packets_total",
	  C, "Held packets dropped at their deadline", NULL, 0 },
	{ "handover_buffer.overflow",
	  "cats_handover_buffer_overflow_packets_total", C,
	  "Packets dropped on a full buffer", NULL, 0 },
	{ "handover_buffer.not_held", "cats_handover_buffer_not_held_packets_total",
	  C, "Packets the buffer could not hold", NULL, 0 },
	{ "handover_buffer.write_errors", "cats_handover_buffer_write_errors_total",
	  C, "Held packets the TUN refused", NULL, 0 },
	{ "handover_buffer.first_packets", "cats_first_packets_total", C,
	  "CATS-unaware clients detected by their first packet", NULL, 0 },
	{ "transfer.exports", "cats_transfer_exports_total", C,
	  "Transaction states our edges handed out", NULL, 0 },
	{ "transfer.imports", "cats_transfer_imports_total", C,
	  "Transaction states our edges took in", NULL, 0 },
	{ "transfer.states_sent", "cats_transfer_states_sent_total", C,
	  "Transaction states acknowledged by the new egress", NULL, 0 },
	{ "transfer.states_received", "cats_transfer_states_received_total", C,
	  "Transaction states received from another egress", NULL, 0 },
	{ "transfer.errors", "cats_transfer_errors_total", C,
	  "Transaction switching failures", NULL, 0 },
	{ "agent.reports", "cats_agent_reports_total", C,
	  "Load reports received from the edges", NULL, 0 },
	{ "agent.fed", "cats_agent_fed_total", C,
	  "Load reports taken by the selector", NULL, 0 },
	{ "agent.not_fed", "cats_agent_not_fed_total", C,
	  "Load reports refused by the selector, or with none here", NULL, 0 },
	{ "agent.malformed", "cats_agent_malformed_total", C,
	  "Load reports that did not decode, by reason", "reason", 0 },
	{ "agent.errors", "cats_agent_errors_total", C,
	  "Edge control connections that failed", NULL, 0 },
	{ "ra.ra_sent", "cats_ra_sent_total", C,
	  "Router Advertisements sent", NULL, 0 },
	{ "ra.rs_received", "cats_ra_solicitations_received_total", C,
	  "Valid Router Solicitations received", NULL, 0 },
	{ "ra.rs_malformed", "cats_ra_solicitations_malformed_total", C,
	  "Router Solicitations refused, by reason", "reason", 0 },
	{ "ra.send_errors", "cats_ra_send_errors_total", C,
	  "Router Advertisements the socket refused", NULL, 0 },
	{ "control.connections", "cats_control_connections", G,
	  "Control socket connections open", NULL, 0 },
	{ "control.accepted", "cats_control_accepted_total", C,
	  "Control socket connections accepted", NULL, 0 },
	{ "control.idle_closed", "cats_control_idle_closed_total", C,
	  "Control connections closed without a request", NULL, 0 },
	{ "control.stalled", "cats_control_stalled_total", C,
	  "Control connections closed for taking nothing of a reply", NULL, 0 },
	{ "control.evicted", "cats_control_evicted_total", C,
	  "Control connections closed to make room for another", NULL, 0 },
	{ "control.too_long", "cats_control_too_long_total", C,
	  "Control requests over the line limit", NULL, 0 },
	{ "control.write_errors", "cats_control_write_errors_total", C,
	  "Control clients gone mid-reply", NULL, 0 },
	{ "control.no_memory", "cats_control_no_memory_total", C,
	  "Control replies that found no memory", NULL, 0 },
};

static const struct fam site_fams[] = {
	{ "peers_down", "cats_peers_down_total", C,
	  "Peers declared down (heartbeats missed)", NULL, 0 },
	{ "resteered", "cats_sessions_resteered_total", C,
	  "Sessions moved off a peer declared down", NULL, 0 },
	{ "unmet", "cats_sessions_resteer_unmet_total", C,
	  "Sessions moved off a peer down that nothing else could meet",
	  NULL, 0 },
};

static const struct fam peer_fams[] = {
	{ "liveness.missed", "cats_peer_heartbeats_missed", G,
	  "Heartbeats to the peer unanswered in a row", NULL, 0 },
	{ "liveness.downs", "cats_peer_downs_total", C,
	  "Times the peer was declared down", NULL, 0 },
	{ "limits.held", "cats_peer_state_held", G,
	  "Entries charged to the peer, by kind", "kind", 0 },
	{ "limits.quota_refused", "cats_peer_quota_refused_total", C,
	  "Messages refused for the peer's quota", NULL, 0 },
	{ "limits.rate_limited", "cats_peer_rate_limited_total", C,
	  "Messages refused for the peer's signaling rate", NULL, 0 },
	{ "probe.sent", "cats_probe_sent_total", C,
	  "STAMP test packets sent on the path to the peer", NULL, 0 },
	{ "probe.replies", "cats_probe_replies_total", C,
	  "STAMP replies received in time", NULL, 0 },
	{ "probe.lost", "cats_probe_lost_total", C,
	  "STAMP test packets unanswered by their deadline", NULL, 0 },
	{ "probe.reported", "cats_probe_path_metric", G,
	  "The path's metrics last reported, by metric (units in its name)",
	  "metric", 0 },
};

static const struct fam instance_fams[] = {
	{ "available", "cats_instance_available", G,
	  "1 when this node's selector may choose the instance", NULL, 0 },
	{ "edge_gone", "cats_instance_edge_gone", G,
	  "1 when the instance's edge stopped answering", NULL, 0 },
	{ "load.reports", "cats_instance_load_reports_total", C,
	  "Load reports of the instance's edge", NULL, 0 },
	{ "load.age_ms", "cats_instance_load_age_seconds", G,
	  "Age of the last load report", NULL, 0.001 },
	{ "load.workers", "cats_instance_load_workers", G,
	  "Workers of the instance's edge", NULL, 0 },
	{ "load.util", "cats_instance_load_utilization_ratio", G,
	  "Utilization of the instance, 0 to 1", NULL, 0 },
	{ "load.queue", "cats_instance_load_queue", G,
	  "Requests waiting at the instance's edge", NULL, 0 },
	{ "load.proc_delay_ns", "cats_instance_load_processing_delay_seconds", G,
	  "Processing delay of the instance", NULL, 1e-9 },
	{ "load.capacity", "cats_instance_load_capacity_requests_per_second", G,
	  "Capacity of the instance", NULL, 0 },
};

static const struct fam cost_fams[] = {
	{ "cost", "cats_selector_cost", G,
	  "The selector's cost of an instance from an ingress (its policy's "
	  "unit; lower is better)", NULL, 0 },
};

static const struct fam dp_fams[] = {
	{ "counters", "cats_dataplane_intents_total", C,
	  "Data-plane intents, by what became of them", "result", 0 },
	{ "drops", "cats_dataplane_drops_total", C,
	  "Packets the eBPF programs dropped, by reason", "reason", 0 },
};

static const struct fam nbr_fams[] = {
	{ "routes_received", "cats_bgp_routes_received", G,
	  "Routes learnt from the neighbor", NULL, 0 },
	{ "uptime_s", "cats_bgp_uptime_seconds", G,
	  "Time the session has been established", NULL, 0 },
	{ "counters.rx", "cats_bgp_messages_received_total", C,
	  "BGP messages received, by type", "type", 0 },
	{ "counters.tx", "cats_bgp_messages_sent_total", C,
	  "BGP messages sent, by type", "type", 0 },
	{ "counters.errors", "cats_bgp_errors_total", C,
	  "Errors in what the neighbor sent, by kind", "error", 0 },
	{ "counters.treat_as_withdraw", "cats_bgp_treat_as_withdraw_total", C,
	  "UPDATEs treated as withdraw (RFC 7606)", NULL, 0 },
	{ "counters.established", "cats_bgp_established_total", C,
	  "Times the session was established", NULL, 0 },
	{ "counters.flaps", "cats_bgp_flaps_total", C,
	  "Times an established session went down", NULL, 0 },
	{ "counters.notifications_received",
	  "cats_bgp_notifications_received_total", C,
	  "NOTIFICATIONs received", NULL, 0 },
	{ "counters.notifications_sent", "cats_bgp_notifications_sent_total", C,
	  "NOTIFICATIONs sent", NULL, 0 },
	{ "max_prefix.exceeded", "cats_bgp_max_prefix_exceeded_total", C,
	  "Times the neighbor sent more routes than its limit", NULL, 0 },
};

static const struct fam rib_fams[] = {
	{ "rib.routes", "cats_bgp_rib_routes", G, "Routes in the RIB", NULL, 0 },
	{ "rib.bytes", "cats_bgp_rib_bytes", G, "Memory the RIB holds", NULL, 0 },
	{ "rib.adds", "cats_bgp_rib_adds_total", C, "Routes added", NULL, 0 },
	{ "rib.replaces", "cats_bgp_rib_replaces_total", C, "Routes replaced",
	  NULL, 0 },
	{ "rib.withdraws", "cats_bgp_rib_withdraws_total", C, "Routes withdrawn",
	  NULL, 0 },
	{ "advertised", "cats_bgp_advertised_routes", G,
	  "Routes this speaker advertises", NULL, 0 },
};

static const struct ids by_peer = { { "name", NULL }, { "peer", NULL } };
static const struct ids by_nbr = { { "name", NULL }, { "neighbor", NULL } };
/* "cis_id", not "instance": Prometheus gives every target that label */
static const struct ids by_inst = { { "id", "service" },
    { "cis_id", "service" } };
static const struct ids by_cis = { { "cis_id", NULL }, { "cis_id", NULL } };
static const struct ids by_cost = { { "instance", "ingress" },
    { "cis_id", "ingress" } };

/* What a family of show peers' cannot say by a number: up or not. */
static void
peers_up(struct out *o, json_t *peers)
{
	struct labels l;
	json_t *e, *st;
	size_t i;

	family(o, "cats_peer_up", G,
	    "1 when the peer answers its heartbeats, 0 when declared down");
	json_array_foreach(peers, i, e) {
		if (!json_is_string(st = path_get(e, "liveness.state")))
			continue;
		l.n = 0;
		l.s[0] = '\0';
		label(&l, "peer", json_string_value(json_object_get(e, "name")));
		sample_u(o, "cats_peer_up", &l, !str_is(st, "down"));
	}
}

static void
from_peers(struct out *o, struct catsd *d)
{
	json_t *r = show(d, "peers");

	if (r == NULL)
		return;
	fams1(o, counter_fams, NELEM(counter_fams), json_object_get(r,
	    "counters"), NULL);
	fams1(o, site_fams, NELEM(site_fams), json_object_get(r,
	    "site_failure"), NULL);
	fams1(o, peer_fams, NELEM(peer_fams), json_object_get(r, "peers"),
	    &by_peer);
	peers_up(o, json_object_get(r, "peers"));
	json_decref(r);
}

static void
from_instances(struct out *o, struct catsd *d)
{
	json_t *r = show(d, "instances");

	if (r != NULL) {
		/* a MUP site PE's instances too, by CIS-ID */
		const struct src s[] = {
			{ json_object_get(r, "instances"), &by_inst },
			{ json_object_get(r, "mup_instances"), &by_cis },
		};

		fams(o, instance_fams, NELEM(instance_fams), s, NELEM(s));
		json_decref(r);
	}
	if ((r = show(d, "metrics")) != NULL) {
		fams1(o, cost_fams, NELEM(cost_fams), json_object_get(r,
		    "metrics"), &by_cost);
		json_decref(r);
	}
}

/* The routes' traffic summed (per route it would be a series per
 * client), their number, and which backend runs. */
static void
from_dataplane(struct out *o, struct catsd *d)
{
	json_t *r = show(d, "dataplane"), *e, *routes;
	struct labels l = { .n = 0 };
	uint64_t pk = 0, oc = 0;
	size_t i;

	if (r == NULL)
		return;
	l.s[0] = '\0';
	label(&l, "backend", json_string_value(json_object_get(r, "backend")));
	family(o, "cats_dataplane_info", G, "The data plane that runs");
	sample_u(o, "cats_dataplane_info", &l, 1);
	fams1(o, dp_fams, NELEM(dp_fams), r, NULL);
	if (json_is_array(routes = json_object_get(r, "routes"))) {
		json_array_foreach(routes, i, e) {
			pk += (uint64_t)json_integer_value(json_object_get(e,
			    "packets"));
			oc += (uint64_t)json_integer_value(json_object_get(e,
			    "octets"));
		}
		family(o, "cats_dataplane_routes", G,
		    "Routes the data plane counts traffic of");
		sample_u(o, "cats_dataplane_routes", NULL, json_array_size(routes));
		family(o, "cats_dataplane_packets_total", C,
		    "Packets the data plane's routes carried (routes now)");
		sample_u(o, "cats_dataplane_packets_total", NULL, pk);
		family(o, "cats_dataplane_bytes_total", C,
		    "Octets the data plane's routes carried (routes now)");
		sample_u(o, "cats_dataplane_bytes_total", NULL, oc);
	}
	json_decref(r);
}

static void
from_bgp(struct out *o, struct catsd *d)
{
	json_t *r, *nb, *e;
	struct labels l;
	size_t i;

	if (d->bgp == NULL || (r = show(d, "bgp")) == NULL)
		return;
	nb = json_object_get(r, "neighbors");
	family(o, "cats_bgp_session_established", G,
	    "1 when the BGP session with the neighbor is established");
	json_array_foreach(nb, i, e) {
		l.n = 0;
		l.s[0] = '\0';
		label(&l, "neighbor", json_string_value(json_object_get(e,
		    "name")));
		sample_u(o, "cats_bgp_session_established", &l,
		    str_is(json_object_get(e, "state"),
		    bgp_state_name(BGP_ST_ESTABLISHED)));
	}
	fams1(o, nbr_fams, NELEM(nbr_fams), nb, &by_nbr);
	fams1(o, rib_fams, NELEM(rib_fams), r, NULL);
	json_decref(r);
}

/* ------------------------------------------------------------------ */
/* What no show reply carries                                          */

/* Sessions, bindings and records by role and state, as show sessions
 * walks them. */
#define PROM_STATES	64
struct state_count {
	struct {
		const char	*role, *state;
		uint64_t	 n;
	} e[PROM_STATES];
	size_t		 n;
};

static void
count_session(void *arg, const struct node_session_info *i)
{
	struct state_count *sc = arg;
	size_t k;

	for (k = 0; k < sc->n; k++)
		if (strcmp(sc->e[k].role, i->role) == 0 &&
		    strcmp(sc->e[k].state, i->state) == 0)
			break;
	if (k == sc->n) {
		if (sc->n == PROM_STATES)
			return;		/* more states than the engine has */
		sc->e[sc->n].role = i->role;
		sc->e[sc->n].state = i->state;
		sc->e[sc->n++].n = 0;
	}
	sc->e[k].n++;
}

static void
sessions(struct out *o, struct catsd *d)
{
	static struct state_count sc;
	struct labels l;

	sc.n = 0;
	node_walk(d->node, count_session, &sc);
	family(o, "cats_sessions", G,
	    "Sessions (ingress), bindings (egress) and records (locator) "
	    "held, by role and state");
	for (size_t k = 0; k < sc.n; k++) {
		l.n = 0;
		l.s[0] = '\0';
		label(&l, "role", sc.e[k].role);
		label(&l, "state", sc.e[k].state);
		sample_u(o, "cats_sessions", &l, sc.e[k].n);
	}
}

static void
sent_by_kind(struct out *o, const struct node_counters *c)
{
	const struct mh_kind_info *k;
	struct labels l;

	family(o, "cats_signaling_sent_by_kind_total", C,
	    "Signaling messages sent, by kind (first sendings)");
	for (unsigned i = 0; i < 256; i++) {
		if (c->tx_kind[i] == 0 || (k = mh_kind_info((uint8_t)i)) == NULL)
			continue;
		l.n = 0;
		l.s[0] = '\0';
		label(&l, "kind", k->name);
		sample_u(o, "cats_signaling_sent_by_kind_total", &l, c->tx_kind[i]);
	}
}

/* The interruption histogram (node_counters.handover): cumulative
 * buckets in seconds, as the format wants them. */
static void
handovers(struct out *o, const struct node_counters *c)
{
	const char *h = "cats_handover_interruption_seconds";
	char name[64], le[32];
	struct labels l, lb;
	uint64_t cum;

	family(o, h, "histogram", "Handovers completed at this ingress, by "
	    "method, and the interruption each saw here: from the client's "
	    "attach to its steering");
	for (int m = 0; m < NODE_HO__COUNT; m++) {
		l.n = 0;
		l.s[0] = '\0';
		label(&l, "method", node_ho_name((enum node_ho)m));
		snprintf(name, sizeof(name), "%s_bucket", h);
		cum = 0;
		for (int b = 0; b < NODE_HO_BUCKETS; b++) {
			cum += c->handover_le[m][b];
			snprintf(le, sizeof(le), "%g", node_ho_le_ms[b] / 1000.0);
			lb = l;
			label(&lb, "le", le);
			sample_u(o, name, &lb, cum);
		}
		lb = l;
		label(&lb, "le", "+Inf");
		sample_u(o, name, &lb, c->handover[m]);
		snprintf(name, sizeof(name), "%s_sum", h);
		sample_d(o, name, &l, (double)c->handover_ms_sum[m] / 1000.0);
		snprintf(name, sizeof(name), "%s_count", h);
		sample_u(o, name, &l, c->handover[m]);
	}
}

static void
own(struct out *o, const struct prom *p)
{
	struct labels l;
	char code[8];

	family(o, "cats_prometheus_requests_total", C,
	    "HTTP requests to this endpoint, by status code answered");
	for (int i = 0; i < PC__COUNT; i++) {
		l.n = 0;
		l.s[0] = '\0';
		snprintf(code, sizeof(code), "%u", code_num[i]);
		label(&l, "code", code);
		sample_u(o, "cats_prometheus_requests_total", &l, p->answers[i]);
	}
}

static void
exposition(struct out *o, struct prom *p)
{
	struct catsd *d = p->d;
	const struct node_counters *c = node_counters(d->node);
	struct labels l = { .n = 0 };

	l.s[0] = '\0';
	label(&l, "node", d->conf.node.name);
	family(o, "cats_node_info", G, "The node this catsd runs");
	sample_u(o, "cats_node_info", &l, 1);
	sessions(o, d);
	if (d->conf.node.roles & NODE_INGRESS)
		handovers(o, c);
	sent_by_kind(o, c);
	from_peers(o, d);
	from_instances(o, d);
	from_dataplane(o, d);
	from_bgp(o, d);
	own(o, p);
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                */

static enum MHD_Result
reply(struct prom *p, struct MHD_Connection *c, enum prom_code pc,
    struct MHD_Response *r)
{
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;		/* MHD closes the connection */
	p->answers[pc]++;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, PROM_CTYPE);
	if (pc == PC_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	ok = MHD_queue_response(c, code_num[pc], r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
reply_text(struct prom *p, struct MHD_Connection *c, enum prom_code pc,
    const char *text)
{
	return reply(p, c, pc, MHD_create_response_from_buffer(strlen(text),
	    (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT));
}

static enum MHD_Result
reply_metrics(struct prom *p, struct MHD_Connection *c)
{
	struct out o = { .cap = 16384 };
	struct MHD_Response *r;

	if ((o.p = malloc(o.cap)) == NULL)
		return reply_text(p, c, PC_ERROR, "out of memory\n");
	exposition(&o, p);
	if (o.err) {
		free(o.p);
		return reply_text(p, c, PC_ERROR, "out of memory\n");
	}
	r = MHD_create_response_from_buffer(o.len, o.p, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(o.p);
	return reply(p, c, PC_OK, r);
}

/* Only GET /metrics; a request's body, if any, is not read. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **req)
{
	struct prom *p = cls;

	(void)version, (void)upload, (void)upload_len, (void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return reply_text(p, c, PC_NOT_ALLOWED, "only GET\n");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(p, c, PC_NOT_FOUND, "only /metrics\n");
	return reply_metrics(p, c);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warnx("prometheus: %s", buf);
}

/* ------------------------------------------------------------------ */
/* On the loop                                                         */

/* MHD's next deadline; 0 also when it has ready connections it did not
 * finish (its epoll is edge-triggered: they would not wake us again). */
static void
arm(struct prom *p)
{
	MHD_UNSIGNED_LONG_LONG ms;

	ev_timer_stop(p->d->loop, &p->t);
	if (MHD_get_timeout(p->mhd, &ms) != MHD_YES)
		return;
	ev_timer_set(&p->t, (ev_tstamp)ms / 1000.0, 0.);
	ev_timer_start(p->d->loop, &p->t);
}

static unsigned
connections(const struct prom *p)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(p->mhd,
	    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i != NULL ? i->num_connections : 0;
}

/*
 * At PROM_MAX_CONN, MHD takes its listening socket out of its epoll, and
 * puts it back only at the start of a later run: a run that closed a
 * connection is followed by another at once, or the clients waiting in
 * the backlog would wait for a wakeup that never comes.
 */
static void
run(struct prom *p)
{
	unsigned before = connections(p);

	if (MHD_run(p->mhd) != MHD_YES)
		log_warnx("prometheus: MHD_run failed");
	if (connections(p) < before) {
		ev_timer_stop(p->d->loop, &p->t);
		ev_timer_set(&p->t, 0., 0.);
		ev_timer_start(p->d->loop, &p->t);
		return;
	}
	arm(p);
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	run(w->data);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	run(w->data);
}

static int
listen_on(const struct conf_prom *c)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	const struct sockaddr *sa = (const struct sockaddr *)&s4;
	socklen_t salen = sizeof(s4);
	int fd, one = 1;

	if (c->family == AF_INET6) {
		memcpy(&s6.sin6_addr, c->addr, 16);
		s6.sin6_port = htons(c->port);
		sa = (const struct sockaddr *)&s6;
		salen = sizeof(s6);
	} else {
		memcpy(&s4.sin_addr, c->addr, 4);
		s4.sin_port = htons(c->port);
	}
	fd = socket(c->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, sa, salen) < 0 || listen(fd, PROM_BACKLOG) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct MHD_Daemon *
mhd_start(struct prom *p)
{
	return MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL,
	    NULL, answer, p,
	    /* first, or MHD's own logger says what comes before it */
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)p->fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)PROM_MAX_CONN,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)PROM_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PROM_MEM_LIMIT,
	    MHD_OPTION_END);
}

int
prom_open(struct catsd *d)
{
	const struct conf_prom *c = &d->conf.prom;
	const union MHD_DaemonInfo *info;
	char a[INET6_ADDRSTRLEN];
	struct prom *p;

	if (!c->enabled)
		return 0;
	inet_ntop(c->family, c->addr, a, sizeof(a));
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->d = d;
	if ((p->fd = listen_on(c)) < 0) {
		log_warn("prometheus: listen on %s port %u", a, c->port);
		free(p);
		return -1;
	}
	if ((p->mhd = mhd_start(p)) == NULL ||
	    (info = MHD_get_daemon_info(p->mhd,
	    MHD_DAEMON_INFO_EPOLL_FD)) == NULL) {
		log_warnx("prometheus: the HTTP server did not start");
		if (p->mhd != NULL)
			MHD_stop_daemon(p->mhd);	/* and the socket */
		else
			close(p->fd);
		free(p);
		return -1;
	}
	ev_io_init(&p->w, io_cb, info->epoll_fd, EV_READ);
	p->w.data = p;
	ev_io_start(d->loop, &p->w);
	ev_init(&p->t, timer_cb);
	p->t.data = p;
	arm(p);
	d->prom = p;
	log_info("prometheus: GET /metrics on %s%s%s:%u",
	    c->family == AF_INET6 ? "[" : "", a,
	    c->family == AF_INET6 ? "]" : "", c->port);
	return 0;
}

void
prom_close(struct catsd *d)
{
	struct prom *p = d->prom;

	if (p == NULL)
		return;
	ev_io_stop(d->loop, &p->w);
	ev_timer_stop(d->loop, &p->t);
	MHD_stop_daemon(p->mhd);	/* closes the listening socket too */
	free(p);
	d->prom = NULL;
}
