/*
 * bgp_ctl: the control commands of the BGP speaker and the CATS-MUP roles
 * (control.c dispatches here):
 *
 *   {"cmd":"show","what":"bgp"}          neighbors, states, counters
 *   {"cmd":"show","what":"bgp-routes"}   every route in the RIB, and ours
 *   {"cmd":"show","what":"mup"}          steering table, mup counters,
 *                                         the paths probed to the sites
 *   {"cmd":"mup","what":"session","action":"up|move|release|down",
 *    "teid":N[,"endpoint":A,"cs_id":N,"ran":N,"sticky":B,"prev_cis_id":N]}
 *   {"cmd":"mup","what":"instance","action":"add|remove","cis_id":N
 *    [,"cs_id":N,"sid":A,"behavior":N,"servers":N,"capacity":X]}
 *   {"cmd":"mup","what":"metric","cis_id":N[,"util":X,"capacity":X,
 *    "queue":X,"proc_delay_ns":X]}
 *   {"cmd":"bgp","what":"route","action":"add|del",...}
 *                                         a MUP route of our own, as
 *                                         catsctl/bgp_route.h says
 *   {"cmd":"bgp","what":"neighbor","action":"start","name":N}
 *                                         ManualStart: ends the hold-down
 *                                         after max_prefix
 *
 * control.c's command table parses the requests (the key tables of the
 * configuration: unknown keys, wrong types, out-of-range numbers and bad
 * addresses refused with a sentence naming the key); the handlers here get
 * them unpacked.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cats/log.h"
#include "catsctl/bgp_json.h"
#include "catsctl/bgp_route.h"
#include "catsd.h"
#include "catsd/bgp_int.h"
#include "control.h"

#define J(x)	((json_int_t)(x))

/* ------------------------------------------------------------------ */
/* Formatting                                                          */

static json_t *
j_counts(const uint64_t v[6])
{
	static const char *const t[] = { NULL, "open", "update",
	    "notification", "keepalive", "route_refresh" };
	json_t *o = json_object();

	for (int i = 1; i < 6; i++)
		json_object_set_new(o, t[i], json_integer(J(v[i])));
	return o;
}

static json_t *
j_afs(uint32_t afs)
{
	json_t *a = json_array();

	for (int i = 0; i < BGP_AF__COUNT; i++)
		if (afs & (1u << i))
			json_array_append_new(a,
			    json_string(bgp_af_name((enum bgp_af)i)));
	return a;
}

/* The limit, its counters, the routes it counts and any hold-down.  (No
 * key here is "routes": bench/bgp_blast.c finds the RIB's by name.) */
static json_t *
show_max_prefix(const struct nbr *n, uint64_t now)
{
	const struct bgp_peer_counters *c = bgp_peer_counters(n->peer);
	json_t *fams = json_object();
	uint64_t until;
	bool down = bgp_peer_prefix_down(n->peer, &until);

	for (int af = 0; af < BGP_AF__COUNT; af++)
		if (n->cfg->afs & (1u << af))
			json_object_set_new(fams, bgp_af_name((enum bgp_af)af),
			    json_integer(J(bgp_rib_peer_af_routes(n->b->rib,
			    n->idx, (enum bgp_af)af))));
	return json_pack("{s:I,s:I,s:I,s:o,s:I,s:I,s:b,s:o}",
	    "limit", J(n->cfg->max_prefix),
	    "warning_pct", J(n->cfg->max_prefix_warn_pct),
	    "restart_s", J(n->cfg->max_prefix_restart_s),
	    "routes_by_family", fams,
	    "exceeded", J(c->max_prefix), "warnings", J(c->max_prefix_warnings),
	    "down", down,
	    "restart_in_s", !down ? json_null() : until == 0 ? json_null() :
	    json_integer(J(until > now ? (until - now + 999) / 1000 : 0)));
}

static json_t *
show_nbr(const struct nbr *n, uint64_t now)
{
	const struct bgp_peer_counters *c = bgp_peer_counters(n->peer);
	json_t *errs = json_object(), *o, *cnt;
	char a[INET6_ADDRSTRLEN];
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };
	enum bgp_state st = bgp_peer_state(n->peer);

	if (memcmp(n->cfg->addr, pre, 12) == 0)
		inet_ntop(AF_INET, n->cfg->addr + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, n->cfg->addr, a, sizeof(a));
	for (int e = 1; e < BGP_E__COUNT; e++)
		if (c->rx_err[e] != 0)
			json_object_set_new(errs, bgp_err_name((enum bgp_err)e),
			    json_integer(J(c->rx_err[e])));
	o = json_pack("{s:s,s:s,s:I,s:I,s:s,s:I,s:b,s:b}",
	    "name", n->cfg->name, "address", a, "port", J(n->cfg->port),
	    "asn", J(n->cfg->asn), "state", bgp_state_name(st),
	    "uptime_s", J(n->up_ms != 0 && now > n->up_ms ?
	    (now - n->up_ms) / 1000 : 0),
	    "md5", n->cfg->password[0] != '\0', "passive", n->cfg->passive);
	json_object_set_new(o, "families", j_afs(st == BGP_ST_ESTABLISHED ?
	    bgp_peer_afs(n->peer) : n->cfg->afs));
	json_object_set_new(o, "hold_time", json_integer(st ==
	    BGP_ST_ESTABLISHED ? bgp_peer_hold(n->peer) : 0));
	json_object_set_new(o, "routes_received", json_integer(J(bgp_rib_peer_routes(n->b->rib, n->idx))));
	cnt = json_pack(
	    "{s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	    "rx", j_counts(c->rx_msgs), "tx", j_counts(c->tx_msgs),
	    "errors", errs,
	    "treat_as_withdraw", J(c->treat_as_withdraw),
	    "attribute_discard", J(c->attr_discard),
	    "rfc7606", J(n->rfc7606),
	    "notifications_received", J(c->notif_rx),
	    "notifications_sent", J(c->notif_tx),
	    "ignored_nlri", J(c->ignored_nlri),
	    "established", J(c->established), "flaps", J(c->flaps),
	    "queue_overflows", J(n->q_overflow),
	    "socket_errors", J(n->sock_errors),
	    "accepted", J(n->accepted), "rib_errors", J(n->rib_errors));
	/* RFC 4271 6.8: collisions, by whose connection stayed */
	json_object_set_new(cnt, "collisions_ours", json_integer(
	    J(c->collision_ours)));
	json_object_set_new(cnt, "collisions_theirs", json_integer(
	    J(c->collision_theirs)));
	/* routes it could not read, not sent (mup_tlvs, wire.md 8.2) */
	json_object_set_new(cnt, "held_back", json_integer(J(n->held_back)));
	json_object_set_new(o, "mup_tlvs", json_boolean(n->cfg->mup_tlvs));
	json_object_set_new(o, "counters", cnt);
	json_object_set_new(o, "max_prefix", show_max_prefix(n, now));
	json_object_set_new(o, "last_error", json_string(n->last_error));
	return o;
}

static json_t *
show_bgp(struct bgpd *b)
{
	const struct conf_bgp *c = &b->d->conf.bgp;
	struct bgp_rib_stats rs;
	json_t *list = json_array();
	char rid[INET_ADDRSTRLEN];
	struct in_addr in;
	uint64_t now = catsd_now(b->d);

	for (size_t i = 0; i < b->n; i++)
		json_array_append_new(list, show_nbr(&b->nbr[i], now));
	in.s_addr = htonl(c->router_id);
	inet_ntop(AF_INET, &in, rid, sizeof(rid));
	bgp_rib_stats(b->rib, &rs);
	return json_pack("{s:I,s:s,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},"
	    "s:I,s:I}",
	    "asn", J(c->asn), "router_id", rid, "neighbors", list, "rib",
	    "routes", J(rs.routes), "attribute_sets", J(rs.attrs),
	    "bytes", J(rs.bytes), "adds", J(rs.adds), "replaces",
	    J(rs.replaces), "withdraws", J(rs.withdraws),
	    "unknown_withdraws", J(rs.unknown_withdraws),
	    "tlv_malformed", J(rs.tlv_malformed),
	    "advertised", J(b->nadv), "originated", J(b->nctl));
}

struct rwalk {
	struct bgpd	*b;
	json_t		*list;
};

static bool
add_route(void *arg, uint32_t peer, const struct bgp_mup *m,
    const struct bgp_rattr *a)
{
	struct rwalk *w = arg;
	json_t *o = bgp_json_key(m);

	json_object_set_new(o, "peer", json_string(peer < w->b->n ?
	    w->b->nbr[peer].cfg->name : "?"));
	json_object_set_new(o, "attributes", bgp_json_attrs(a));
	json_array_append_new(w->list, o);
	return true;
}

static json_t *
show_routes(struct bgpd *b)
{
	struct rwalk w = { b, json_array() };
	json_t *adv = json_array(), *o;

	bgp_rib_walk(b->rib, add_route, &w);
	for (size_t i = 0; i < b->nadv; i++) {
		o = bgp_json_key(&b->adv[i].key);
		json_object_set_new(o, "by", json_string(b->adv[i].ctl ?
		    "control" : "roles"));
		json_object_set_new(o, "attributes", bgp_json_attrs(&b->adv[i].attr));
		json_array_append_new(adv, o);
	}
	return json_pack("{s:o,s:o}", "routes", w.list, "advertised", adv);
}

/* Issue [11]: a session that lost its instance says why and when. */
static json_t *
j_moved(struct bgpd *b, json_t *o, const struct mup_steer *s)
{
	uint64_t now = catsd_now(b->d);

	if (s->why[0] == '\0')
		return o;
	json_object_set_new(o, "why", json_string(s->why));
	json_object_set_new(o, "moved_ms_ago",
	    json_integer(J(now > s->moved_ms ? now - s->moved_ms : 0)));
	return o;
}

/* The sessions left with no instance (their site gone, none other). */
static json_t *
j_unmet(struct bgpd *b, const struct mup_cfg *m)
{
	struct mup_steer st[64];
	size_t n = mup_unmet_list(b->mup, st, 64);
	json_t *list = json_array();

	for (size_t i = 0; i < n && i < 64; i++)
		json_array_append_new(list, j_moved(b, json_pack(
		    "{s:I,s:o,s:I}", "teid", J(st[i].teid), "endpoint",
		    bgp_json_ip(m->afi, st[i].ep), "cs_id", J(st[i].cs_id)), &st[i]));
	return list;
}

static json_t *
show_mup(struct bgpd *b)
{
	const struct mup_cfg *m = &b->d->conf.mup;
	const struct mup_counters *c = mup_counters(b->mup);
	struct mup_steer st[256];
	size_t n = mup_steer_list(b->mup, st, 256);
	json_t *list = json_array(), *roles = json_array(), *out;

	for (size_t i = 0; i < n && i < 256; i++)
		json_array_append_new(list, j_moved(b, json_pack(
		    "{s:I,s:o,s:I,s:I,s:o,s:o,s:b}", "teid", J(st[i].teid),
		    "endpoint", bgp_json_ip(m->afi, st[i].ep), "cs_id", J(st[i].cs_id),
		    "cis_id", J(st[i].cis_id), "site", bgp_json_ip(m->afi, st[i].site),
		    "sid", bgp_json_ip(BGP_AFI_IPV6, st[i].sid), "pinned",
		    st[i].pinned), &st[i]));
	/* What the T2ST's TLVs said: its session parameters' QFI, its
	 * source address (draft-ietf-bess-mup-safi-01 3.1.5). */
	for (size_t i = 0; i < n && i < 256; i++) {
		json_t *e = json_array_get(list, i);

		if (st[i].qfi >= 0)
			json_object_set_new(e, "qfi", json_integer(st[i].qfi));
		if (st[i].sa_len != 0)
			json_object_set_new(e, "source_address", bgp_json_ip(
			    st[i].sa_len == 4 ? BGP_AFI_IPV4 : BGP_AFI_IPV6,
			    st[i].sa));
	}
	if (m->roles & MUP_SITE_PE)
		json_array_append_new(roles, json_string("site-pe"));
	if (m->roles & MUP_RAN_PE)
		json_array_append_new(roles, json_string("ran-pe"));
	if (m->roles & MUP_CONTROLLER)
		json_array_append_new(roles, json_string("controller"));
	out = json_pack("{s:o,s:s,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I},s:b,s:o}",
	    "roles", roles, "mode", m->mode == MUP_CENTRAL ? "central" :
	    "distributed", "steering", list, "counters",
	    "dsd_tx", J(c->dsd_tx), "cmu_tx", J(c->cmu_tx),
	    "t2st_tx", J(c->t2st_tx), "withdraw_tx", J(c->withdraw_tx),
	    "dsd_rx", J(c->dsd_rx), "cmu_rx", J(c->cmu_rx),
	    "t2st_rx", J(c->t2st_rx), "steer", J(c->steer),
	    "unresolved", J(c->unresolved), "reselect", J(c->reselect),
	    "bad_route", J(c->bad_route), "bad_metric", J(c->bad_metric),
	    "table_full", J(c->table_full), "path_samples", J(c->path_rx),
	    "steering_changes", "installed", J(b->steer.installed),
	    "removed", J(b->steer.removed),
	    "kernel_errors", J(b->steer.kernel_errors),
	    "kernel", b->d->dp_kind != CONF_DP_NONE,
	    "probed_sites", probe_show_mup(b->d));
	if (out == NULL)
		return NULL;
	json_object_set_new(out, "unmet", j_unmet(b, m));
	json_object_set_new(out, "site_failure", json_pack("{s:I,s:I,s:I}",
	    "instances_lost", J(c->instance_lost), "resteered",
	    J(c->resteered), "unmet", J(c->unmet)));
	return out;
}

json_t *
bgp_ctl_show(struct catsd *d, int op, union ctl_arg *a, char *err,
    size_t len)
{
	struct bgpd *b = d->bgp;

	(void)a;
	if (b == NULL) {
		snprintf(err, len, "show %s: this node has no \"bgp\" section",
		    op == CTL_SHOW_MUP ? "mup" : "bgp");
		return NULL;
	}
	if (op == CTL_SHOW_BGP)
		return show_bgp(b);
	if (op == CTL_SHOW_ROUTES)
		return show_routes(b);
	if (b->mup == NULL) {
		snprintf(err, len, "show mup: this node has no \"mup\" section");
		return NULL;
	}
	return show_mup(b);
}

/* ------------------------------------------------------------------ */
/* mup commands (their arguments: control.c's key tables)              */

/* The speaker when this node has the MUP role; else NULL with err. */
static struct bgpd *
mup_role(struct catsd *d, uint32_t role, const char *what, char *err,
    size_t len)
{
	if (d->bgp == NULL || d->bgp->mup == NULL) {
		snprintf(err, len, "mup: this node has no \"mup\" section");
		return NULL;
	}
	if (d->conf.mup.roles & role)
		return d->bgp;
	snprintf(err, len, "mup %s: this node is not a %s", what,
	    role == MUP_CONTROLLER ? "MUP controller" : "site PE");
	return NULL;
}

static json_t *
ok_reply(bool ok, const char *what, char *err, size_t len)
{
	if (ok)
		return json_pack("{s:b}", "ok", 1);
	snprintf(err, len, "mup %s: refused by the roles (see the log)", what);
	return NULL;
}

json_t *
bgp_ctl_session(struct catsd *d, int op, union ctl_arg *a, char *err,
    size_t len)
{
	static const char *const what[] = { [CTL_UP] = "session up",
	    [CTL_MOVE] = "session move", [CTL_RELEASE] = "session release",
	    [CTL_DOWN] = "session down" };
	struct bgpd *b = mup_role(d, MUP_CONTROLLER, "session", err, len);
	const struct mup_session *s = &a->session;
	uint64_t now = catsd_now(d);
	bool ok;

	if (b == NULL)
		return NULL;
	if (op == CTL_UP)
		ok = mup_session_up(b->mup, s, now);
	else if (op == CTL_MOVE)
		ok = mup_session_move(b->mup, s, now);
	else if (op == CTL_RELEASE)
		ok = mup_session_release(b->mup, s->teid, now);
	else
		ok = mup_session_down(b->mup, s->teid, now);
	return ok_reply(ok, what[op], err, len);
}

json_t *
bgp_ctl_instance(struct catsd *d, int op, union ctl_arg *a, char *err,
    size_t len)
{
	struct bgpd *b = mup_role(d, MUP_SITE_PE, "instance", err, len);
	uint64_t now = catsd_now(d);

	if (b == NULL)
		return NULL;
	if (op == CTL_REMOVE)
		return ok_reply(mup_instance_remove(b->mup, a->instance.cis_id,
		    now), "instance remove", err, len);
	return ok_reply(mup_instance_add(b->mup, &a->instance, now),
	    "instance add", err, len);
}

json_t *
bgp_ctl_metric(struct catsd *d, int op, union ctl_arg *a, char *err,
    size_t len)
{
	struct bgpd *b = mup_role(d, MUP_SITE_PE, "metric", err, len);
	const struct ctl_mup_metric *m = &a->mup_metric;
	enum cats_metric_err rc;

	(void)op;
	if (b == NULL)
		return NULL;
	if (m->m.n == 0) {
		snprintf(err, len, "mup metric: expected at least one of util, "
		    "capacity, queue, proc_delay_ns");
		return NULL;
	}
	rc = mup_metrics(b->mup, m->cis_id, m->m.s, m->m.n, catsd_now(d));
	if (rc != CATS_MERR_OK) {
		snprintf(err, len, "mup metric: refused: %s",
		    cats_metric_err_name(rc));
		return NULL;
	}
	return json_pack("{s:b}", "ok", 1);
}

/* ------------------------------------------------------------------ */
/* bgp route add|del, bgp neighbor start                               */

static struct bgpd *
speaker(struct catsd *d, char *err, size_t len)
{
	if (d->bgp == NULL)
		snprintf(err, len, "bgp: this node has no \"bgp\" section");
	return d->bgp;
}

static bool
some_nbr_speaks(const struct bgpd *b, enum bgp_af af)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->nbr[i].cfg->afs & (1u << af))
			return true;
	return false;
}

json_t *
bgp_ctl_route(struct catsd *d, int op, union ctl_arg *a, char *err,
    size_t len)
{
	struct bgpd *b = speaker(d, err, len);
	const struct bgp_route *r = &a->route;
	struct adv *e;

	(void)op;
	if (b == NULL)
		return NULL;
	e = bgp_adv_find(b, &r->key);
	if (e != NULL && !e->ctl) {
		snprintf(err, len, "bgp route %s: the MUP roles advertise this "
		    "route; it is theirs", r->add ? "add" : "del");
		return NULL;
	}
	if (!r->add) {
		if (e == NULL) {
			snprintf(err, len, "bgp route del: no such route added "
			    "with \"bgp route add\"");
			return NULL;
		}
		bgp_adv_del(b, e);
		return json_pack("{s:b,s:I}", "ok", 1, "originated", J(b->nctl));
	}
	if (!some_nbr_speaks(b, r->af)) {
		snprintf(err, len, "bgp route add: no neighbor is configured "
		    "for %s", bgp_af_name(r->af));
		return NULL;
	}
	if (e == NULL && b->nctl >= BGP_CTL_ROUTES_MAX) {
		snprintf(err, len, "bgp route add: already %u routes added; "
		    "that is the limit (delete some first)", BGP_CTL_ROUTES_MAX);
		return NULL;
	}
	if (!bgp_adv_set(b, &r->key, &r->attr, true)) {
		snprintf(err, len, "bgp route add: out of memory");
		return NULL;
	}
	return json_pack("{s:b,s:I}", "ok", 1, "originated", J(b->nctl));
}

/* bgp neighbor start: the operator's restart after max_prefix (a
 * neighbor already started and not held down is left as it is). */
json_t *
bgp_ctl_neighbor(struct catsd *d, int op, union ctl_arg *a, char *err,
    size_t len)
{
	struct bgpd *b = speaker(d, err, len);
	const char *name = a->neighbor;
	uint64_t until;
	bool down;

	(void)op;
	for (size_t i = 0; b != NULL && i < b->n; i++) {
		if (strcmp(b->nbr[i].cfg->name, name) != 0)
			continue;
		down = bgp_peer_prefix_down(b->nbr[i].peer, &until);
		if (down)
			log_warnx("bgp %s: started by the operator after "
			    "max_prefix", name);
		bgp_peer_start(b->nbr[i].peer, catsd_now(d));
		return json_pack("{s:b,s:b}", "ok", 1, "was_down", down);
	}
	if (b != NULL)
		snprintf(err, len, "bgp neighbor: key \"name\": no neighbor "
		    "\"%s\"", name);
	return NULL;
}
