/*
 * conf_print.c: the canonical form of a configuration (OpenBGPD's
 * printconf): every key, defaults included, in the order docs/config.md
 * gives, two-space indent.  What it writes parses again to the same
 * struct conf, which is what `catsd -n` shows and what the tests and the
 * fuzzer check.
 *
 * Builders return NULL on failure (jansson out of memory, or a value the
 * parser could never have produced); add() counts those in one error flag
 * that conf_print checks once.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cats/conf.h"
#include "catsd/conf_int.h"

struct pr {
	int		 errs;
	int		 prec;	/* digits the most precise real needs */
};

static void
add(struct pr *w, json_t *obj, const char *key, json_t *v)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		w->errs++;
}

static void
append(struct pr *w, json_t *arr, json_t *v)
{
	if (v == NULL || json_array_append_new(arr, v) != 0)
		w->errs++;
}

static json_t *
j_addr(const uint8_t a[16])
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, a, s, sizeof(s)) == NULL)
		return NULL;
	return json_string(s);
}

static bool
zero16(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

static json_t *
j_addr_or_null(const uint8_t a[16])
{
	return zero16(a) ? json_null() : j_addr(a);
}

static json_t *
j_prefix(const struct mh_prefix *p)
{
	char s[INET6_ADDRSTRLEN + 4];

	if (p->len == 0)
		return json_null();
	if (inet_ntop(AF_INET6, p->addr, s, INET6_ADDRSTRLEN) == NULL)
		return NULL;
	snprintf(s + strlen(s), 5, "/%u", p->len);
	return json_string(s);
}

static json_t *
j_name(const struct conf_name *t, int value)
{
	const char *s = conf_name_of(t, value);

	return s == NULL ? NULL : json_string(s);
}

static json_t *
j_str_or_null(const char *s)
{
	return s[0] == '\0' ? json_null() : json_string(s);
}

static json_t *
j_limit(uint32_t x)
{
	return x == MH_REQ_UNSET ? json_null() : json_integer(x);
}

/*
 * jansson writes every real with one precision, 17 digits unless told:
 * 0.1 would come out as 0.10000000000000001.  So a whole number is written
 * as an integer (the parser takes integers for reals), and the document's
 * precision is the least that gives back its most demanding real exactly.
 */
static json_t *
j_real(struct pr *w, double x)
{
	char buf[40];
	int p;

	if (!isfinite(x))
		return NULL;
	if (x == floor(x) && fabs(x) < 9007199254740992.0)	/* 2^53 */
		return json_integer((json_int_t)x);
	for (p = 1; p < 17; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	if (p > w->prec)
		w->prec = p;
	return json_real(x);
}

static json_t *
j_roles(struct pr *w, uint32_t roles)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (const struct conf_name *t = conf_roles; t->name != NULL; t++)
		if (roles & (uint32_t)t->value)
			append(w, a, json_string(t->name));
	return a;
}

/* node.limits, and a peer's override where it has one (0: the node's). */
static json_t *
pr_limits(struct pr *w, const struct node_limits *l)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "per_peer", json_integer(l->state));
	add(w, o, "rate", json_integer(l->rate));
	add(w, o, "burst", json_integer(l->burst));
	return o;
}

static json_t *
pr_node(struct pr *w, const struct node_cfg *n)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "name", json_string(n->name));
	add(w, o, "address", j_addr(n->addr));
	add(w, o, "roles", j_roles(w, n->roles));
	add(w, o, "limits", pr_limits(w, &n->limits));
	return o;
}

static json_t *
pr_services(struct pr *w, const struct node_cfg *n)
{
	json_t *a = json_array(), *o;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n->nservices; i++) {
		if ((o = json_object()) == NULL)
			return json_decref(a), NULL;
		add(w, o, "id", json_stringn((const char *)n->services[i].id,
		    n->services[i].id_len));
		add(w, o, "address", j_addr(n->services[i].addr));
		append(w, a, o);
	}
	return a;
}

/* peers[].auth, as it parses again: the keys in clear (the printed
 * configuration is as secret as the file). */
static json_t *
pr_auth(struct pr *w, const struct auth_keys *a)
{
	static const char hexd[] = "0123456789abcdef";
	char hex[2 * AUTH_KEY_MAX + 1];
	json_t *l = json_array(), *o;

	if (l == NULL)
		return NULL;
	for (size_t i = 0; i < a->nkeys; i++) {
		const struct auth_key *k = &a->keys[i];

		for (size_t j = 0; j < k->len; j++) {
			hex[2 * j] = hexd[k->key[j] >> 4];
			hex[2 * j + 1] = hexd[k->key[j] & 15];
		}
		hex[2 * k->len] = '\0';
		if ((o = json_object()) == NULL)
			return json_decref(l), NULL;
		add(w, o, "spi", json_integer((json_int_t)k->spi));
		add(w, o, "key", json_string(hex));
		if (a->nkeys > 1)
			add(w, o, "send", json_boolean(a->send == i));
		append(w, l, o);
	}
	return l;
}

static json_t *
pr_peer(struct pr *w, const struct node_peer *p, const struct conf_peer *cp)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "name", json_string(p->name));
	add(w, o, "address", j_addr(p->addr));
	add(w, o, "roles", j_roles(w, p->roles));
	add(w, o, "sid", j_addr_or_null(cp->sid));
	if (p->roles & NODE_EGRESS) {
		add(w, o, "probe", j_addr_or_null(cp->probe));
		add(w, o, "query", json_boolean(p->query));
	}
	if (p->roles & NODE_INGRESS) {
		add(w, o, "candidate", json_boolean(p->candidate));
		add(w, o, "subprefix", j_prefix(&p->subprefix));
	}
	if (p->auth.nkeys > 0)
		add(w, o, "auth", pr_auth(w, &p->auth));
	if (p->limits.state != 0 || p->limits.rate != 0 || p->limits.burst != 0)
		add(w, o, "limits", pr_limits(w, &p->limits));
	return o;
}

static json_t *
pr_peers(struct pr *w, const struct conf *c)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < c->node.npeers; i++)
		append(w, a, pr_peer(w, &c->node.peers[i], &c->peers[i]));
	return a;
}

static json_t *
pr_ingress(struct pr *w, const struct node_cfg *n)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "setup", j_name(conf_setups, (int)n->setup));
	add(w, o, "find", j_name(conf_finds, (int)n->find));
	add(w, o, "subprefix", j_prefix(&n->subprefix));
	add(w, o, "query_deadline_ms", json_integer(n->query_deadline_ms));
	add(w, o, "lifetime_s", json_integer((json_int_t)n->lifetime * 4));
	add(w, o, "transaction_switch", json_boolean(n->transaction_switch));
	add(w, o, "continuity_idle_ms", json_integer(n->continuity_idle_ms));
	return o;
}

static json_t *
j_service(const struct node_cfg *n, uint16_t s)
{
	if (s >= n->nservices)
		return NULL;
	return json_stringn((const char *)n->services[s].id,
	    n->services[s].id_len);
}

/* The egress an instance sits behind, by name: this node is egress 0
 * when it is an egress, then its egress peers. */
static json_t *
j_egress(const struct node_cfg *n, uint32_t sel)
{
	if ((n->roles & NODE_EGRESS) && sel == 0)
		return json_string(n->name);
	for (size_t i = 0; i < n->npeers; i++)
		if ((n->peers[i].roles & NODE_EGRESS) &&
		    n->peers[i].sel_index == sel)
			return json_string(n->peers[i].name);
	return NULL;
}

/* On a node that is both, the egress's own instances are those with an
 * edge (the parser requires one there); the controller's have none. */
static bool
is_egress_instance(const struct node_cfg *n, const struct node_instance *in)
{
	return (n->roles & NODE_EGRESS) && !zero16(in->edge);
}

/* A list of names ("" ends it) in the order given: the functions an
 * instance runs (affinity), the resources it has (needs). */
static json_t *
pr_names(struct pr *w, const char (*list)[NODE_FUNC_LEN], size_t max)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t f = 0; f < max && list[f][0]; f++)
		append(w, a, json_string(list[f]));
	return a;
}

static json_t *
pr_instances(struct pr *w, const struct conf *c, bool egress)
{
	const struct node_cfg *n = &c->node;
	const struct node_instance *in;
	json_t *a = json_array(), *o;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n->ninstances; i++) {
		in = &n->instances[i];
		if (is_egress_instance(n, in) != egress)
			continue;
		if ((o = json_object()) == NULL)
			return json_decref(a), NULL;
		add(w, o, "id", json_integer(in->id));
		add(w, o, "service", j_service(n, in->service));
		if (egress) {
			add(w, o, "edge", j_addr(in->edge));
			add(w, o, "edge_control",
			    j_str_or_null(c->instances[i].edge_control));
		} else
			add(w, o, "egress", j_egress(n, in->egress_sel));
		add(w, o, "functions",
		    pr_names(w, in->functions, NODE_INST_FUNCS));
		add(w, o, "resources",
		    pr_names(w, in->resources, NODE_INST_RES));
		append(w, a, o);
	}
	return a;
}

static json_t *
pr_conditions(struct pr *w, const struct mh_cats_req *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "min_bw", json_integer(r->min_bw));
	add(w, o, "max_latency_ns", j_limit(r->max_lat));
	add(w, o, "max_jitter_ns", j_limit(r->max_jitter));
	add(w, o, "max_loss_ppb", j_limit(r->max_loss));
	add(w, o, "comp_latency_ns", j_limit(r->comp_lat));
	return o;
}

static json_t *
pr_egress(struct pr *w, const struct conf *c)
{
	const struct node_cfg *n = &c->node;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "pool", j_prefix(&n->pool));
	add(w, o, "prefix_length", json_integer(n->pool_plen));
	add(w, o, "instances", pr_instances(w, c, true));
	add(w, o, "conditions", pr_conditions(w, &n->conditions));
	add(w, o, "transfer_port", json_integer(c->transfer_port));
	return o;
}

static json_t *
pr_controller(struct pr *w, const struct conf *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "instances", pr_instances(w, c, false));
	return o;
}

static json_t *
pr_metrics(struct pr *w, const struct conf *c)
{
	const struct conf_metric *m;
	json_t *a = json_array(), *o;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < c->nmetrics; i++) {
		m = &c->metrics[i];
		if ((o = json_object()) == NULL)
			return json_decref(a), NULL;
		add(w, o, "instance", json_integer(m->instance));
		add(w, o, "util", j_real(w, m->util));
		add(w, o, "capacity", j_real(w, m->capacity));
		add(w, o, "proc_delay_ns", j_real(w, m->proc_delay_ns));
		append(w, a, o);
	}
	return a;
}

static json_t *
pr_selector(struct pr *w, const struct conf *c)
{
	const struct cats_sel_cfg *s = &c->sel;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "policy", json_string(cats_policy_name(s->policy)));
	add(w, o, "hysteresis_rel", j_real(w, s->hyst_rel));
	add(w, o, "hysteresis_abs", j_real(w, s->hyst_abs));
	add(w, o, "affinity_timeout_ms",
	    json_integer((json_int_t)s->affinity_timeout_ms));
	add(w, o, "herd_rel", j_real(w, s->herd_rel));
	add(w, o, "herd_abs", j_real(w, s->herd_abs));
	add(w, o, "herd_max", json_integer(s->herd_max));
	add(w, o, "max_flows", json_integer(s->max_flows));
	add(w, o, "seed", json_integer((json_int_t)s->seed));
	add(w, o, "metrics", pr_metrics(w, c));
	return o;
}

static json_t *
pr_dataplane(struct pr *w, const struct conf *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "backend", j_name(conf_backends, (int)c->dataplane));
	add(w, o, "sid", j_addr_or_null(c->sid));
	add(w, o, "table", json_integer(c->table));
	add(w, o, "access_interface", j_str_or_null(c->access_if));
	add(w, o, "core_interface", j_str_or_null(c->core_if));
	add(w, o, "buffer_packets", json_integer(c->buffer_packets));
	add(w, o, "buffer_ms", json_integer(c->buffer_ms));
	add(w, o, "buffer_total_packets",
	    json_integer(c->buffer_total_packets));
	return o;
}

static json_t *
pr_ra(struct pr *w, const struct conf_ra *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "enabled", json_boolean(r->enabled));
	add(w, o, "interval_s", json_integer(r->interval_s));
	add(w, o, "lifetime_s", json_integer(r->lifetime_s));
	add(w, o, "preference", j_name(conf_ra_prefs, r->preference));
	add(w, o, "router_lifetime_s", json_integer(r->router_lifetime_s));
	return o;
}

static json_t *
pr_probe(struct pr *w, const struct conf_probe *r)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "interval_ms", json_integer(r->interval_ms));
	add(w, o, "report_ms", json_integer(r->report_ms));
	add(w, o, "loss_window", json_integer(r->loss_window));
	add(w, o, "deadline_ms", json_integer(r->deadline_ms));
	add(w, o, "port", json_integer(r->port));
	add(w, o, "reflect", json_boolean(r->reflect));
	add(w, o, "source", j_addr_or_null(r->source));
	return o;
}

static json_t *
pr_timers(struct pr *w, const struct node_cfg *n)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "rtx_initial_ms", json_integer(n->rtx_initial_ms));
	add(w, o, "rtx_max_ms", json_integer(n->rtx_max_ms));
	add(w, o, "rtx_tries", json_integer(n->rtx_tries));
	add(w, o, "timestamp_window_ms", json_integer(n->ts_window_ms));
	add(w, o, "max_sessions", json_integer(n->max_sessions));
	add(w, o, "heartbeat_ms", json_integer(n->heartbeat_ms));
	add(w, o, "heartbeat_misses", json_integer(n->heartbeat_misses));
	return o;
}

static json_t *
pr_small(struct pr *w, const char *k1, json_t *v1, const char *k2,
    json_t *v2)
{
	json_t *o = json_object();

	if (o == NULL) {
		json_decref(v1);
		json_decref(v2);
		return NULL;
	}
	add(w, o, k1, v1);
	add(w, o, k2, v2);
	return o;
}

/* IPv4-mapped addresses are written as IPv4, as the parser read them. */
static json_t *
j_any_addr(const uint8_t a[16])
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };
	char s[INET6_ADDRSTRLEN];

	if (zero16(a))
		return json_null();
	if (memcmp(a, pre, 12) == 0) {
		if (inet_ntop(AF_INET, a + 12, s, sizeof(s)) == NULL)
			return NULL;
		return json_string(s);
	}
	return j_addr(a);
}

static json_t *
j_mup_addr(const struct mup_cfg *m, const uint8_t a[16])
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(m->afi == BGP_AFI_IPV4 ? AF_INET : AF_INET6, a, s,
	    sizeof(s)) == NULL)
		return NULL;
	return json_string(s);
}

static json_t *
j_bits(struct pr *w, const struct conf_name *t, uint32_t bits)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (; t->name != NULL; t++)
		if (bits & (uint32_t)t->value)
			append(w, a, json_string(t->name));
	return a;
}

static json_t *
pr_nbr(struct pr *w, const struct conf_bgp_nbr *n)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "name", json_string(n->name));
	add(w, o, "address", j_any_addr(n->addr));
	add(w, o, "local_address", j_any_addr(n->local));
	add(w, o, "port", json_integer(n->port));
	add(w, o, "asn", json_integer(n->asn));
	add(w, o, "password", j_str_or_null(n->password));
	add(w, o, "passive", json_boolean(n->passive));
	add(w, o, "families", j_bits(w, conf_bgp_families, n->afs));
	add(w, o, "max_prefix", json_integer(n->max_prefix));
	add(w, o, "max_prefix_warning_pct", json_integer(n->max_prefix_warn_pct));
	add(w, o, "max_prefix_restart_s", json_integer(n->max_prefix_restart_s));
	add(w, o, "mup_tlvs", json_boolean(n->mup_tlvs));
	return o;
}

static json_t *
pr_bgp(struct pr *w, const struct conf_bgp *b)
{
	json_t *o = json_object(), *a = json_array();
	char rid[INET_ADDRSTRLEN];
	struct in_addr in;

	if (o == NULL || a == NULL) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	in.s_addr = htonl(b->router_id);
	inet_ntop(AF_INET, &in, rid, sizeof(rid));
	add(w, o, "asn", json_integer(b->asn));
	add(w, o, "router_id", json_string(rid));
	add(w, o, "listen", j_any_addr(b->listen));
	add(w, o, "port", json_integer(b->port));
	add(w, o, "hold_time", json_integer(b->hold));
	add(w, o, "connect_retry_ms", json_integer(b->connect_retry_ms));
	add(w, o, "idle_hold_ms", json_integer(b->idle_hold_ms));
	add(w, o, "idle_hold_max_ms", json_integer(b->idle_hold_max_ms));
	for (size_t i = 0; i < b->nnbr; i++)
		append(w, a, pr_nbr(w, &b->nbr[i]));
	add(w, o, "neighbors", a);
	return o;
}

/* The sites a RAN PE probes, as the file has them. */
static json_t *
pr_mup_probes(struct pr *w, const struct conf *c)
{
	json_t *a = json_array(), *e;

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < c->nmup_probe; i++) {
		if ((e = json_object()) == NULL) {
			w->errs++;
			break;
		}
		add(w, e, "site", j_mup_addr(&c->mup, c->mup_probe[i].site));
		add(w, e, "probe", j_addr(c->mup_probe[i].probe));
		append(w, a, e);
	}
	return a;
}

static json_t *
pr_mup(struct pr *w, const struct conf *c)
{
	const struct mup_cfg *m = &c->mup;
	json_t *o = json_object(), *in = json_array(), *ran = json_array(),
	    *pa = json_array(), *e;

	if (o == NULL || in == NULL || ran == NULL || pa == NULL) {
		json_decref(o), json_decref(in), json_decref(ran);
		json_decref(pa);
		return NULL;
	}
	add(w, o, "roles", j_bits(w, conf_mup_roles, m->roles));
	add(w, o, "mode", j_name(conf_mup_modes, (int)m->mode));
	add(w, o, "address", j_mup_addr(m, m->addr));
	add(w, o, "ran_index", json_integer(m->ran_index));
	for (size_t i = 0; i < m->ninst; i++) {
		if ((e = json_object()) == NULL) {
			w->errs++;
			break;
		}
		add(w, e, "cs_id", json_integer(m->inst[i].cs_id));
		add(w, e, "cis_id", json_integer(m->inst[i].cis_id));
		add(w, e, "sid", j_addr(m->inst[i].sid));
		add(w, e, "behavior", json_integer(m->inst[i].behavior));
		add(w, e, "servers", json_integer(m->inst[i].servers));
		add(w, e, "capacity", j_real(w, m->inst[i].capacity));
		add(w, e, "edge_control",
		    j_str_or_null(c->mup_instances[i].edge_control));
		append(w, in, e);
	}
	add(w, o, "instances", in);
	for (size_t i = 0; i < m->nran; i++)
		append(w, ran, j_mup_addr(m, m->ran[i]));
	add(w, o, "rans", ran);
	for (size_t i = 0; i < m->npath; i++) {
		if ((e = json_object()) == NULL) {
			w->errs++;
			break;
		}
		add(w, e, "ran", j_mup_addr(m, m->path[i].ran));
		add(w, e, "site", j_mup_addr(m, m->path[i].site));
		add(w, e, "owd_ns", json_integer(m->path[i].owd_ns));
		add(w, e, "bandwidth", json_integer((json_int_t)m->path[i].bw));
		append(w, pa, e);
	}
	add(w, o, "paths", pa);
	add(w, o, "probe_sites", pr_mup_probes(w, c));
	add(w, o, "policy", json_string(cats_policy_name(m->sel.policy)));
	if ((e = json_object()) == NULL) {
		w->errs++;
		return o;
	}
	add(w, e, "min_interval_ms", json_integer((json_int_t)
	    m->damp.min_interval_ms));
	add(w, e, "max_interval_ms", json_integer((json_int_t)
	    m->damp.max_interval_ms));
	add(w, e, "rel", j_real(w, m->damp.rel));
	add(w, o, "damping", e);
	return o;
}

static json_t *
pr_priv(struct pr *w, const struct conf_priv *v)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "user", j_str_or_null(v->user));
	add(w, o, "group", j_str_or_null(v->group));
	add(w, o, "seccomp", j_name(conf_seccomp_modes, v->seccomp));
	return o;
}

/* "IPv4:PORT" or "[IPv6]:PORT", as set_prom_listen reads it */
static json_t *
pr_prom(struct pr *w, const struct conf_prom *v)
{
	char a[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN + 16];
	bool v6 = v->family == AF_INET6;
	json_t *o;

	if (inet_ntop(v->family, v->addr, a, sizeof(a)) == NULL ||
	    (o = json_object()) == NULL)
		return NULL;
	snprintf(s, sizeof(s), "%s%s%s:%u", v6 ? "[" : "", a, v6 ? "]" : "",
	    v->port);
	add(w, o, "listen", json_string(s));
	return o;
}

static json_t *
pr_conf(struct pr *w, const struct conf *c)
{
	const struct node_cfg *n = &c->node;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	add(w, o, "node", pr_node(w, n));
	add(w, o, "signaling", pr_small(w,
	    "transport", j_name(conf_transports, (int)c->transport),
	    "port", json_integer(c->udp_port)));
	add(w, o, "control", json_string(c->control));
	add(w, o, "log", pr_small(w,
	    "level", j_name(conf_levels, c->log_level),
	    "syslog", json_boolean(c->syslog)));
	add(w, o, "privileges", pr_priv(w, &c->priv));
	if (c->prom.enabled)
		add(w, o, "prometheus", pr_prom(w, &c->prom));
	add(w, o, "services", pr_services(w, n));
	add(w, o, "peers", pr_peers(w, c));
	if (n->roles & NODE_INGRESS)
		add(w, o, "ingress", pr_ingress(w, n));
	if (n->roles & NODE_EGRESS)
		add(w, o, "egress", pr_egress(w, c));
	if (n->roles & NODE_CONTROLLER)
		add(w, o, "controller", pr_controller(w, c));
	if (c->has_sel)
		add(w, o, "selector", pr_selector(w, c));
	add(w, o, "dataplane", pr_dataplane(w, c));
	if (n->roles & NODE_INGRESS)
		add(w, o, "ra", pr_ra(w, &c->ra));
	if ((n->roles & (NODE_INGRESS | NODE_EGRESS)) || (c->has_mup &&
	    (c->mup.roles & (MUP_SITE_PE | MUP_RAN_PE))))
		add(w, o, "probe", pr_probe(w, &c->probe));
	add(w, o, "timers", pr_timers(w, n));
	if (c->has_bgp)
		add(w, o, "bgp", pr_bgp(w, &c->bgp));
	if (c->has_mup)
		add(w, o, "mup", pr_mup(w, c));
	return o;
}

int
conf_print(const struct conf *c, FILE *f)
{
	struct pr w = { 0, 0 };
	json_t *root;
	int r = -1;

	if ((root = pr_conf(&w, c)) == NULL)
		return -1;
	if (w.errs == 0 &&
	    json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(w.prec)) == 0 && fputc('\n', f) != EOF)
		r = 0;
	json_decref(root);
	return r;
}
