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
 */
#include <string.h>

#include "cats/select.h"
#include "node_int.h"

/* Who hears a report: every controller, and for a path its egress. */
static void
report_send(struct node *n, const struct mh_metrics *x, int also)
{
	struct mh_msg m;
	size_t i;

	mh_msg_init(&m, MH_K_METRIC_REPORT);
	m.present |= MH_BIT(MH_O_CATS_METRICS) | MH_BIT(MH_O_TIMESTAMP);
	m.metrics = *x;
	m.timestamp = node_stamp(n);
	for (i = 0; i < n->cfg.npeers; i++) {
		if (!(n->cfg.peers[i].roles & NODE_CONTROLLER) && (int)i != also)
			continue;
		m.seq = node_next_seq(n);
		if (node_send(n, n->cfg.peers[i].addr, &m))
			n->cnt.metric_tx++;
	}
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

int
node_report_instance(struct node *n, uint32_t cis_id,
    const struct cats_sample *s, size_t ns, uint64_t now)
{
	struct mh_metrics x = { .scope = MH_MS_INSTANCE, .cis_id = cis_id };
	int rc = NODE_REPORT_NO_CPS;

	n->now = now;
	if (n->cfg.sel != NULL)
		rc = (int)cats_sel_update_compute(n->cfg.sel, cis_id, s, ns, now);
	if ((n->cfg.roles & NODE_EGRESS) && cis_id != 0 &&
	    report_fill(&x, s, ns) &&
	    cats_samples_check(s, ns, CATS_MK_COMPUTE) == CATS_MERR_OK)
		report_send(n, &x, -1);
	return rc;
}

int
node_report_path(struct node *n, int egress, const struct cats_sample *s,
    size_t ns, uint64_t now)
{
	struct mh_metrics x = { .scope = MH_MS_PATH };
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
	if (report_fill(&x, s, ns) &&
	    cats_samples_check(s, ns, CATS_MK_NETWORK) == CATS_MERR_OK)
		report_send(n, &x, egress);
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

/* A metric-report from a peer: into the C-PS, or dropped and counted. */
bool
node_report_rx(struct node *n, const struct rx *rx, uint64_t now)
{
	const struct mh_metrics *x = &rx->m.metrics;
	const struct node_peer *p = &n->cfg.peers[rx->peer];
	enum cats_metric_err rc;
	int64_t inst, eg;

	if (n->cfg.sel == NULL)
		return false;		/* no-role-for-kind */
	if (x->scope == MH_MS_INSTANCE) {
		if ((inst = instance_of_sender(n, rx, x->cis_id)) < 0)
			goto refused;
		rc = cats_sel_update_compute(n->cfg.sel, (uint32_t)inst, x->s,
		    x->n, now);
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
