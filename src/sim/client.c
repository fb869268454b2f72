/*
 * client.c: the scripted client endpoint.  It is not a CATS node: it asks
 * for service (CATS-aware: a svc-request; unaware: just its first packet to
 * the CS-ID), attaches and detaches where the script says, and records every
 * result sequence number it receives, which is how "nothing lost" is judged
 * (DESIGN section 6).
 */
#include <stdlib.h>
#include <string.h>

#include "cats/mh.h"
#include "cats/sim.h"
#include "sim/world.h"

static const uint8_t client_lladdr[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

bool
sim_client_init(struct sim *s)
{
	struct sim_client *c = &s->client;

	c->at = c->last_at = -1;
	memcpy(c->lladdr, client_lladdr, sizeof(c->lladdr));
	c->got = calloc((size_t)s->opts.results + 1, 1);
	return c->got != NULL;
}

static void
local_event(struct sim *s, enum ev_type type, enum sim_ep where)
{
	struct ev ev = { .type = type };

	memcpy(ev.client, sim_ep_addr(SIM_CLIENT), 16);
	memcpy(ev.lladdr, s->client.lladdr, sizeof(s->client.lladdr));
	ev.lladdr_len = sizeof(s->client.lladdr);
	sim_world_node_event(s, where, &ev);
}

/* ---- asking for service ---- */

static void
svc_send(struct sim *s)
{
	struct sim_client *c = &s->client;
	static const char sid[] = SIM_SERVICE_NAME;
	uint8_t buf[MH_MAX_LEN];
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg m;
	size_t len;

	if (c->at < 0) {
		/* between two ingresses: ask again once attached */
		sim_world_push(s, s->now + SIM_SVC_RTX_MS, EVK_CLIENT_RTX, 0,
		    c->svc_tries, NULL);
		return;
	}
	mh_msg_init(&m, MH_K_SVC_REQUEST);
	m.seq = ++c->svc_seq;
	m.present |= MH_BIT(MH_O_SERVICE_ID) | MH_BIT(MH_O_CATS_REQ) |
	    MH_BIT(MH_O_CLIENT_ADDR);
	m.service_id.p = (const uint8_t *)sid;
	m.service_id.len = (uint8_t)(sizeof(sid) - 1);
	m.req.min_bw = 0;
	m.req.max_lat = SIM_MAX_LAT_NS;
	m.req.max_jitter = m.req.max_loss = m.req.comp_lat = MH_REQ_UNSET;
	memcpy(m.client_addr, sim_ep_addr(SIM_CLIENT), 16);
	/* a real client's stack fills the MH checksum, and nodes verify it */
	memcpy(a.src, sim_ep_addr(SIM_CLIENT), 16);
	memcpy(a.dst, sim_ep_addr((enum sim_ep)c->at), 16);
	if (mh_encode(&m, &a, buf, sizeof(buf), &len, &e) != MH_OK) {
		s->failed = true;
		return;
	}
	c->svc_tries++;
	s->sum.svc_requests++;
	sim_world_sig_send(s, SIM_CLIENT, sim_ep_addr((enum sim_ep)c->at), buf,
	    len);
	sim_world_push(s, s->now + SIM_SVC_RTX_MS, EVK_CLIENT_RTX, 0, c->svc_tries,
	    NULL);
}

/* No svc-reply to try 'try' in time: ask again, a bounded number of times. */
void
sim_client_rtx(struct sim *s, uint64_t try)
{
	struct sim_client *c = &s->client;

	if (c->replied || try != c->svc_tries || c->svc_tries >= SIM_SVC_TRIES)
		return;
	svc_send(s);
}

/* The first packet to the CS-ID; the ingress steers it (or holds it and
 * asks its roles, for a CATS-unaware client). */
static void
data_send(struct sim *s)
{
	struct sim_client *c = &s->client;
	struct sim_pkt p = { .type = PKT_REQUEST, .ttl = SIM_PKT_TTL };

	if (c->at < 0 || c->started)
		return;
	c->started = true;
	memcpy(p.client, sim_ep_addr(SIM_CLIENT), 16);
	p.service = 0;
	/* to the CS-ID address of the service, as the ingress knows it */
	memcpy(p.dst, sim_node_cfg(s, (enum sim_ep)c->at)->services[0].addr, 16);
	sim_fwd_send(s, SIM_CLIENT, (enum sim_ep)c->at, &p);
}

void
sim_client_sig(struct sim *s, const struct sim_sig *g)
{
	struct sim_client *c = &s->client;
	struct mh_addrs a;
	struct mh_error e;
	struct mh_msg m;

	/* the access link it came over is gone: it never arrives */
	if (c->at != (int)g->src)
		return;
	memcpy(a.src, sim_ep_addr(g->src), 16);
	memcpy(a.dst, sim_ep_addr(SIM_CLIENT), 16);
	if (mh_decode(g->buf, g->len, &a, &m, &e) != MH_OK) {
		s->sum.client_bad_sig++;
		return;
	}
	if (m.kind != MH_K_SVC_REPLY || c->replied)
		return;
	c->replied = true;
	s->sum.svc_status = m.status;
	if (m.present & MH_BIT(MH_O_SVC_PREFIX))
		c->prefix = m.svc_prefix;
	if (m.status == MH_ST_CATS_AVAILABLE)
		data_send(s);
}

/* ---- the script ---- */

static void
attach(struct sim *s, enum sim_ep where)
{
	struct sim_client *c = &s->client;

	c->at = c->last_at = (int)where;
	c->epoch++;
	if (c->detached_once)
		c->await_after_move = true;
	local_event(s, EV_ATTACH, where);
}

static void
detach(struct sim *s, enum sim_ep where)
{
	struct sim_client *c = &s->client;

	if (c->at != (int)where)
		return;
	c->at = -1;
	c->detach_ms = s->now;
	c->detached_once = true;
	local_event(s, EV_DETACH, where);
}

static const char *const act_names[] = {
	[SC_ATTACH] = "attach",	[SC_DETACH] = "detach",
	[SC_MOVE_DETECTED] = "move-detected",
	[SC_SVC_REQUEST] = "svc-request",	[SC_DATA] = "first-packet",
};

void
sim_client_script(struct sim *s, const struct sc_step *st)
{
	sim_ladder_note(s, "-- %llu client %s %s", (unsigned long long)s->now,
	    act_names[st->act], sim_ep_name(st->where));
	switch (st->act) {
	case SC_ATTACH:
		attach(s, st->where);
		break;
	case SC_DETACH:
		detach(s, st->where);
		break;
	case SC_MOVE_DETECTED:
		local_event(s, EV_MOVE_DETECTED, st->where);
		break;
	case SC_SVC_REQUEST:
		svc_send(s);
		break;
	case SC_DATA:
		data_send(s);
		break;
	}
}

/* ---- results ---- */

static void
results_done(struct sim *s)
{
	struct sim_client *c = &s->client;
	struct ev ev = { .type = EV_RESULTS_DONE, .service = 0 };
	int where = c->at >= 0 ? c->at : c->last_at;

	s->sum.done = true;
	s->sum.done_ms = s->now;
	memcpy(ev.client, sim_ep_addr(SIM_CLIENT), 16);
	if (where >= 0)
		sim_world_node_event(s, (enum sim_ep)where, &ev);
}

/*
 * A result over the access link.  It counts if it was sent while the
 * client was on this attachment and the client had not left before it
 * arrived (a detach at the very millisecond it lands does not lose it).
 */
void
sim_client_result(struct sim *s, const struct sim_pkt *p)
{
	struct sim_client *c = &s->client;
	struct sim_summary *m = &s->sum;

	if (p->type != PKT_RESULT)
		return;
	if (p->epoch != c->epoch || (c->at < 0 && c->detach_ms < s->now)) {
		m->lost_on_access++;
		return;
	}
	if (p->seq == 0 || p->seq > s->opts.results)
		return;
	if (c->any_rx && s->now - c->last_rx_ms > m->longest_gap_ms)
		m->longest_gap_ms = s->now - c->last_rx_ms;
	c->any_rx = true;
	c->last_rx_ms = s->now;
	if (c->await_after_move && c->at >= 0) {
		c->await_after_move = false;
		if (s->now - c->detach_ms > m->interruption_ms)
			m->interruption_ms = s->now - c->detach_ms;
	}
	if (c->got[p->seq] > 0) {
		m->duplicated++;
		return;
	}
	c->got[p->seq] = 1;
	m->received++;
	if (m->received == s->opts.results && !m->done)
		results_done(s);
}
