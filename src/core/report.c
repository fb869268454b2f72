/*
 * report.c: metric reports, from the agents that measure to the C-PS that
 * chooses.
 *
 * The CATS framework (draft-ietf-cats-framework 5.2, 5.3) puts a service
 * metric agent (C-SMA) at each site and a network metric agent (C-NMA) in
 * the network, and the path selector (C-PS) wherever the choice is made:
 * here the controller (anchoring option 2), and the egress itself, whose
 * option 1 conditions come from its own metrics and its path from the
 * querying ingress.  The drafts give the agents no message, so this is
 * ours (docs/wire.md 5.9): a metric-report carrying one metrics option,
 * either an instance's compute metrics (sent by its egress, which hears
 * the edge's load reports) or the network metrics of the path from the
 * sending ingress to one egress (its probes, docs/probe.md).
 *
 * A report is not acknowledged: the next one, an interval later, replaces
 * it, and a retransmitted metric would be an old one.  A receiver takes
 * a report only about what the sender may speak for: an egress for the
 * instances behind it, an ingress for its own paths.
 *
 * The same option says an instance is gone (G, 5.9; docs/engine.md §7):
 * its edge stopped answering while the egress lives, which heartbeats
 * cannot see.  Controllers take it out of their C-PS, and the ingresses
 * with clients on it re-steer them, as off a dead egress.
 */
#include <string.h>

#include "cats/select.h"
#include "node_int.h"

/* Who hears a report: every controller, and the peers in 'also' (for a
 * path its egress; for a gone instance the ingresses using it). */
static int
report_send(struct node *n, const struct mh_metrics *x,
    const bool also[NODE_MAX_PEERS])
{
	struct mh_msg m;
	size_t i;
	int k = 0;

	mh_msg_init(&m, MH_K_METRIC_REPORT);
	m.present |= MH_BIT(MH_O_CATS_METRICS) | MH_BIT(MH_O_TIMESTAMP);
	m.metrics = *x;
	m.timestamp = node_stamp(n);
	/* the controllers first: an ingress told an instance is gone asks a
	 * controller at once, which should have heard it already */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < n->cfg.npeers; i++) {
			bool ctl = (n->cfg.peers[i].roles & NODE_CONTROLLER) != 0;

			if (pass == 0 ? !ctl : (ctl || !also[i]))
				continue;
			m.seq = node_next_seq(n);
			if (node_send(n, n->cfg.peers[i].addr, &m)) {
				n->cnt.metric_tx++;
				k++;
			}
		}
	}
	return k;
}

static bool
report_fill(struct mh_metrics *x, const struct cats_sample *s, size_t ns)
{
	if (ns == 0 || ns > MH_MAX_METRICS)
		return false;
	x->n = (uint8_t)ns;
	memcpy(x->s, s, ns * sizeof(*s));
	return true;
}

/* An instance whose edge reports is not gone: the egress takes it back
 * and the report that says so goes to every ingress too (the ones it had
 * moved hold no binding here any more; their unmet sessions ask again). */
static void
back_peers(struct node *n, uint32_t cis_id, bool to[NODE_MAX_PEERS])
{
	bool on[NODE_MAX_PEERS] = { false };
	size_t i;

	if (eg_instance_gone(n, cis_id, false, on) != 1)
		return;
	if (n->cfg.sel != NULL)
		(void)cats_sel_set_instance_up(n->cfg.sel, cis_id, true);
	for (i = 0; i < n->cfg.npeers && i < NODE_MAX_PEERS; i++)
		to[i] = (n->cfg.peers[i].roles & NODE_INGRESS) != 0;
}

int
node_report_instance(struct node *n, uint32_t cis_id,
    const struct cats_sample *s, size_t ns, uint64_t now)
{
	struct mh_metrics x = { .scope = MH_MS_INSTANCE, .cis_id = cis_id };
	bool to[NODE_MAX_PEERS] = { false };
	int rc = NODE_REPORT_NO_CPS;

	n->now = now;
	/* only a report the selector would take says the edge is back */
	if ((n->cfg.roles & NODE_EGRESS) &&
	    cats_samples_check(s, ns, CATS_MK_COMPUTE) == CATS_MERR_OK)
		back_peers(n, cis_id, to);
	if (n->cfg.sel != NULL)
		rc = (int)cats_sel_update_compute(n->cfg.sel, cis_id, s, ns, now);
	if ((n->cfg.roles & NODE_EGRESS) && cis_id != 0 &&
	    report_fill(&x, s, ns) &&
	    cats_samples_check(s, ns, CATS_MK_COMPUTE) == CATS_MERR_OK)
		(void)report_send(n, &x, to);
	return rc;
}

/* Gone: the controllers and the ingresses with clients on it, which are
 * the ones to act.  Back is said by the instance's next metric report
 * (node_report_instance): a G-less report with no metric is not a
 * message (5.9), and the edge that comes back comes back reporting. */
int
node_report_instance_gone(struct node *n, uint32_t cis_id, bool gone,
    uint64_t now)
{
	struct mh_metrics x = { .scope = MH_MS_INSTANCE, .cis_id = cis_id,
	    .gone = true };
	bool to[NODE_MAX_PEERS] = { false };

	n->now = now;
	if (cis_id == 0 || !(n->cfg.roles & NODE_EGRESS) ||
	    eg_instance_gone(n, cis_id, gone, to) < 0)
		return -1;
	/* its own C-PS too, as for its metrics (a no-op when the instance is
	 * not in it) */
	if (n->cfg.sel != NULL)
		(void)cats_sel_set_instance_up(n->cfg.sel, cis_id, !gone);
	return gone ? report_send(n, &x, to) : 0;
}

int
node_report_path(struct node *n, int egress, const struct cats_sample *s,
    size_t ns, uint64_t now)
{
	struct mh_metrics x = { .scope = MH_MS_PATH };
	bool to[NODE_MAX_PEERS] = { false };
	int rc = NODE_REPORT_NO_CPS;

	n->now = now;
	if (egress < 0 || (size_t)egress >= n->cfg.npeers ||
	    !(n->cfg.peers[egress].roles & NODE_EGRESS) ||
	    !(n->cfg.roles & NODE_INGRESS))
		return (int)CATS_MERR_UNKNOWN_EGRESS;
	if (n->cfg.sel != NULL)
		rc = (int)cats_sel_update_net(n->cfg.sel, n->cfg.sel_index,
		    n->cfg.peers[egress].sel_index, s, ns, now);
	memcpy(x.egress, n->cfg.peers[egress].addr, 16);
	to[egress] = true;
	if (report_fill(&x, s, ns) &&
	    cats_samples_check(s, ns, CATS_MK_NETWORK) == CATS_MERR_OK)
		(void)report_send(n, &x, to);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

/* The C-PS index of an instance the sending egress speaks for, or -1. */
static int64_t
instance_of_sender(const struct node *n, const struct rx *rx, uint32_t id)
{
	const struct node_peer *p = &n->cfg.peers[rx->peer];

	if (!(p->roles & NODE_EGRESS))
		return -1;
	for (size_t i = 0; i < n->cfg.ninstances; i++)
		if (n->cfg.instances[i].id == id &&
		    n->cfg.instances[i].egress_sel == p->sel_index)
			return id;
	return -1;
}

/* The C-PS index of the path's egress: this node, or a peer egress. */
static int64_t
egress_of_path(const struct node *n, const uint8_t addr[16])
{
	int k;

	if ((n->cfg.roles & NODE_EGRESS) && memcmp(addr, n->cfg.addr, 16) == 0)
		return 0;		/* this node is egress 0 (conf.c) */
	k = node_peer_find(&n->cfg, addr);
	if (k < 0 || !(n->cfg.peers[k].roles & NODE_EGRESS))
		return -1;
	return n->cfg.peers[k].sel_index;
}

/*
 * G (docs/wire.md 5.9): only the egress hosting an instance may say it is
 * gone or back (docs/engine.md §7).  A node that knows where the
 * instances are (a controller) checks it and takes the instance out of
 * (or back into) its C-PS.  An ingress knows the CIS-ID each egress
 * acknowledged for its sessions: it moves those on that instance at the
 * sender, and a gone report that matches none of them is refused too.
 */
static bool
gone_rx(struct node *n, const struct rx *rx, uint64_t now)
{
	const struct mh_metrics *x = &rx->m.metrics;
	bool known, used;

	if (!(n->cfg.peers[rx->peer].roles & NODE_EGRESS)) {
		node_drop(n, NODE_DROP_METRIC);
		return true;
	}
	known = instance_of_sender(n, rx, x->cis_id) >= 0;
	used = in_instance_gone(n, rx->peer, x->cis_id, x->gone, now);
	if (!known && !used) {
		node_drop(n, NODE_DROP_METRIC);
		return true;
	}
	if (known && n->cfg.sel != NULL)
		(void)cats_sel_set_instance_up(n->cfg.sel, x->cis_id, !x->gone);
	if (x->gone)
		n->cnt.instance_gone++;
	n->cnt.metric_rx++;
	return true;
}

/* An instance's metrics from an egress, to a node that does not place
 * instances (an ingress): sent there only when the instance is back, so
 * its unmet sessions ask again. */
static bool
back_rx(struct node *n, const struct rx *rx, uint64_t now)
{
	const struct mh_metrics *x = &rx->m.metrics;

	if (instance_of_sender(n, rx, x->cis_id) >= 0 ||
	    !(n->cfg.peers[rx->peer].roles & NODE_EGRESS) ||
	    !in_instance_gone(n, rx->peer, x->cis_id, false, now))
		return false;
	n->cnt.metric_rx++;
	return true;
}

/* A metric-report from a peer: into the C-PS, or dropped and counted. */
bool
node_report_rx(struct node *n, const struct rx *rx, uint64_t now)
{
	const struct mh_metrics *x = &rx->m.metrics;
	const struct node_peer *p = &n->cfg.peers[rx->peer];
	enum cats_metric_err rc;
	int64_t inst, eg;

	if (x->gone)
		return gone_rx(n, rx, now);
	if (x->scope == MH_MS_INSTANCE && back_rx(n, rx, now))
		return true;
	if (n->cfg.sel == NULL)
		return false;		/* no-role-for-kind */
	if (x->scope == MH_MS_INSTANCE) {
		if ((inst = instance_of_sender(n, rx, x->cis_id)) < 0)
			goto refused;
		rc = cats_sel_update_compute(n->cfg.sel, (uint32_t)inst, x->s,
		    x->n, now);
		/* reporting, it is not gone (docs/engine.md §7) */
		if (rc == CATS_MERR_OK)
			(void)cats_sel_set_instance_up(n->cfg.sel,
			    (uint32_t)inst, true);
	} else {
		if (!(p->roles & NODE_INGRESS) ||
		    (eg = egress_of_path(n, x->egress)) < 0)
			goto refused;
		rc = cats_sel_update_net(n->cfg.sel, p->sel_index, (uint32_t)eg,
		    x->s, x->n, now);
	}
	if (rc != CATS_MERR_OK)
		goto refused;
	n->cnt.metric_rx++;
	return true;
refused:
	node_drop(n, NODE_DROP_METRIC);
	return true;
}
