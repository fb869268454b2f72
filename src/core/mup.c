/*
 * mup: the CATS-MUP roles of one BGP speaker (draft-dcn-dmm-cats-mup
 * section 4).  include/cats/mup.h says what each role does; this file keeps
 * their tables:
 *   inst[]   instances this site PE hosts, with their metric damping
 *   dsd[]    instances learnt from DSD routes (RAN PE, controller), which
 *            are also the C-PS's instances
 *   sess[]   the controller's sessions, or the RAN PE's imported T2STs
 *   probed[] the C-NMA's last report of the path to each site, which
 *            takes the place of the configured mup.paths value
 * Tables are small and fixed (MUP_MAX_*): a CATS-MUP domain has tens of
 * sites; the sessions scale in the RIB (bgp_rib), not here.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/mup.h"

#define MUP_MAX_SESSIONS	4096
/* Withdrawals of one site's DSDs this close together are one failure. */
#define SITE_GONE_MS		1000

struct site_inst {
	struct mup_instance def;
	bool		 live;
	struct cats_damp damp;
	struct cats_sample m[CATS_M_PER_KIND];	/* last values, to resend */
	uint8_t		 nm;
};

/* An instance learnt from a DSD (and its CMU). */
struct dsd {
	bool		 live;		/* its DSD is in the RIB */
	bool		 has_cmu;	/* its CMU is in the RIB */
	bool		 in_sel;	/* added to the C-PS */
	uint32_t	 cs_id;
	uint32_t	 cis_id;
	uint8_t		 site[16];
	uint8_t		 sid[16];
	uint32_t	 svc;		/* C-PS service index */
	uint32_t	 egress;	/* C-PS egress index */
};

struct sess {
	bool		 used;
	uint32_t	 teid;
	uint8_t		 ep[16];
	uint32_t	 cs_id;
	uint32_t	 ran_index;
	bool		 sticky;
	bool		 pinned;	/* holds the previous instance (3a) */
	uint32_t	 cis_id;	/* controller: advertised; RAN: steered */
	uint32_t	 want;		/* RAN PE: the CIS-ID the T2ST names */
	bool		 announced;	/* controller: its T2ST is out */
	bool		 steered;	/* RAN PE: steering installed */
	bool		 steered_fresh;	/* RAN PE: choose again, a pin went */
	uint8_t		 site[16];	/* RAN PE: where it is steered, so a */
	uint8_t		 sid[16];	/* new SID in the DSD re-steers it */
	/* Site failure (issue [11]): its instance went; why and when, and
	 * whether nothing could take it. */
	bool		 unmet;
	uint64_t	 moved_ms;
	uint8_t		 lost_site[16];
	char		 why[MUP_WHY_MAX];
	int16_t		 qfi;		/* RAN PE: the T2ST's TLV's, or -1 */
	uint8_t		 sa_len;	/* and its source address TLV's */
	uint8_t		 sa[16];
};

/* The C-NMA's latest value of each network metric of the path from this
 * PE to one site, kept to be given to the C-PS again when the site's first
 * instance is learnt (the site has no C-PS index before). */
struct probed {
	bool		 used;
	uint8_t		 site[16];
	struct cats_sample s[CATS_M_PER_KIND];
	uint8_t		 n;
	uint64_t	 ts;		/* of the last report */
};

struct mup {
	struct mup_cfg	 cfg;
	const struct mup_ops *ops;
	void		*ctx;
	struct mup_counters cnt;
	struct site_inst inst[MUP_MAX_INSTANCES];
	struct dsd	 dsd[MUP_MAX_INSTANCES];
	uint32_t	 svc[MUP_MAX_SERVICES];	/* CS-ID by C-PS index */
	size_t		 nsvc;		/* slots ever used */
	bool		 svc_used[MUP_MAX_SERVICES];
	uint8_t		 site[MUP_MAX_SITES][16];	/* by egress index */
	size_t		 nsite;
	struct probed	 probed[MUP_MAX_SITES];
	struct sess	*sess;
	struct cats_sel	*sel;
	uint64_t	 now;		/* for RIB changes, mup_set_time */
	const char	*cause;		/* of the withdrawals, mup_set_cause */
};

static void
note(struct mup *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note(struct mup *m, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (m->ops->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	m->ops->note(m->ctx, line);
}

/* ---- route keys (docs/wire.md, "BGP") ---- */

/* RD type 0 (RFC 4364 4.2): administrator = AS, assigned number. */
static void
rd_as2(uint8_t rd[8], uint32_t asn, uint32_t value)
{
	struct wbuf w;

	wb_init(&w, rd, 8);
	wb_u16(&w, 0);
	wb_u16(&w, (uint16_t)asn);
	wb_u32(&w, value);
}

void
mup_dsd_key(struct bgp_mup *k, uint16_t afi, uint32_t asn,
    const uint8_t pe[16], uint32_t cis_id, bool cmu)
{
	memset(k, 0, sizeof(*k));
	k->afi = afi;
	k->type = BGP_MUP_DSD;
	rd_as2(k->rd, asn, cmu ? cis_id | MUP_CMU_RD_BIT : cis_id);
	memcpy(k->addr, pe, afi == BGP_AFI_IPV4 ? 4 : 16);
}

void
mup_t2st_key(struct bgp_mup *k, uint16_t afi, uint32_t asn,
    const uint8_t ep[16], uint32_t teid)
{
	size_t alen = afi == BGP_AFI_IPV4 ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->afi = afi;
	k->type = BGP_MUP_T2ST;
	rd_as2(k->rd, asn, 0);
	memcpy(k->ep, ep, alen);
	k->ep_len = (uint8_t)(alen * 8 + 32);
	k->teid = teid;
}

/* Attributes every route of ours carries. */
static void
base_attrs(const struct mup *m, struct bgp_rattr *a, uint32_t cs_id,
    uint32_t rt)
{
	memset(a, 0, sizeof(*a));
	a->origin = 0;		/* IGP */
	a->nh_len = m->cfg.afi == BGP_AFI_IPV4 ? 4 : 16;
	memcpy(a->nh, m->cfg.addr, a->nh_len);
	a->local_pref = 100;
	/* Section 4.1.1: the CS-ID as the direct segment ext. community. */
	a->has_mup_ec = true;
	bgp_mup_ec_as2(&a->mup_ec, (uint16_t)m->cfg.asn, cs_id);
	a->nrt = 1;
	a->rt[0] = bgp_rt_as2((uint16_t)m->cfg.asn, rt);
	a->has_cats = true;
	a->cats.has_cs_id = true;
	a->cats.cs_id = cs_id;
}

static void
put_metrics(struct bgp_cats *c, const struct site_inst *si)
{
	c->nmetrics = si->nm;
	for (size_t i = 0; i < si->nm; i++)
		c->metric[i] = si->m[i];
}

/* ---- site PE ---- */

/* An instance's route: its DSD, or its CMU (a DSD-shaped key of its own,
 * docs/wire.md 8.4), with CS-ID and CIS-ID. */
static void
instance_route(const struct mup *m, const struct site_inst *si, bool cmu,
    struct bgp_mup *k, struct bgp_rattr *a)
{
	mup_dsd_key(k, m->cfg.afi, m->cfg.asn, m->cfg.addr, si->def.cis_id,
	    cmu);
	base_attrs(m, a, si->def.cs_id, cmu ? MUP_RT_CONTROLLER : MUP_RT_RAN);
	a->cats.has_cis_id = true;
	a->cats.cis_id = si->def.cis_id;
}

static void
announce_dsd(struct mup *m, const struct site_inst *si)
{
	struct bgp_mup k;
	struct bgp_rattr a;

	instance_route(m, si, false, &k, &a);
	a.has_sid = true;
	memcpy(a.sid.sid, si->def.sid, 16);
	a.sid.behavior = si->def.behavior;
	a.sid.has_structure = true;
	a.sid.lb_len = 32;
	a.sid.ln_len = 16;
	a.sid.fun_len = 16;
	/* Section 4.2.1: in the distributed deployment the DSD carries the
	 * metrics, re-advertised as they change. */
	if (m->cfg.mode == MUP_DISTRIBUTED)
		put_metrics(&a.cats, si);
	m->cnt.dsd_tx++;
	m->ops->announce(m->ctx, &k, &a);
}

/* Section 4.1.1: the CMU carries CS-ID, CIS-ID and metrics to the C-PS. */
static void
announce_cmu(struct mup *m, const struct site_inst *si)
{
	struct bgp_mup k;
	struct bgp_rattr a;

	instance_route(m, si, true, &k, &a);
	a.cats.kind = BGP_CATS_KIND_CMU;
	put_metrics(&a.cats, si);
	m->cnt.cmu_tx++;
	m->ops->announce(m->ctx, &k, &a);
}

static struct site_inst *
site_inst_find(struct mup *m, uint32_t cis_id)
{
	for (size_t i = 0; i < MUP_MAX_INSTANCES; i++)
		if (m->inst[i].live && m->inst[i].def.cis_id == cis_id)
			return &m->inst[i];
	return NULL;
}

bool
mup_instance_add(struct mup *m, const struct mup_instance *def,
    uint64_t now)
{
	struct site_inst *si = NULL;

	(void)now;
	if (!(m->cfg.roles & MUP_SITE_PE) || def->cis_id == 0 ||
	    def->cis_id >= MUP_CMU_RD_BIT || site_inst_find(m, def->cis_id))
		return false;
	for (size_t i = 0; i < MUP_MAX_INSTANCES && si == NULL; i++)
		if (!m->inst[i].live)
			si = &m->inst[i];
	if (si == NULL)
		return false;
	memset(si, 0, sizeof(*si));
	si->def = *def;
	si->live = true;
	cats_damp_init(&si->damp);
	/* Section 4.1.1: a DSD "only one time when a service instance is
	 * deployed or removed". */
	announce_dsd(m, si);
	return true;
}

bool
mup_instance_remove(struct mup *m, uint32_t cis_id, uint64_t now)
{
	struct site_inst *si = site_inst_find(m, cis_id);
	struct bgp_mup k;

	(void)now;
	if (si == NULL)
		return false;
	mup_dsd_key(&k, m->cfg.afi, m->cfg.asn, m->cfg.addr, cis_id, false);
	m->cnt.withdraw_tx++;
	m->ops->withdraw(m->ctx, &k);
	if (m->cfg.mode == MUP_CENTRAL && si->nm != 0) {
		mup_dsd_key(&k, m->cfg.afi, m->cfg.asn, m->cfg.addr, cis_id,
		    true);
		m->cnt.withdraw_tx++;
		m->ops->withdraw(m->ctx, &k);
	}
	si->live = false;
	return true;
}

/* Keep the latest value of each metric, to send them all together. */
static void
remember(struct site_inst *si, const struct cats_sample *s)
{
	for (size_t i = 0; i < si->nm; i++)
		if (si->m[i].id == s->id) {
			si->m[i] = *s;
			return;
		}
	if (si->nm < CATS_M_PER_KIND)
		si->m[si->nm++] = *s;
}

/* Offer samples to damping (every one, so its state stays true) and
 * advertise all the instance's metrics if any got through. */
static void
offer(struct mup *m, struct site_inst *si, const struct cats_sample *s,
    size_t n, uint64_t now)
{
	bool send = false;

	for (size_t i = 0; i < n; i++)
		if (cats_damp_offer(&m->cfg.damp, &si->damp, &s[i], now))
			send = true;
	if (!send)
		return;
	if (m->cfg.mode == MUP_CENTRAL)
		announce_cmu(m, si);
	else
		announce_dsd(m, si);
}

enum cats_metric_err
mup_metrics(struct mup *m, uint32_t cis_id, const struct cats_sample *s,
    size_t n, uint64_t now)
{
	struct site_inst *si = site_inst_find(m, cis_id);
	enum cats_metric_err e;

	if (si == NULL)
		return CATS_MERR_UNKNOWN_INSTANCE;
	if ((e = cats_samples_check(s, n, CATS_MK_COMPUTE)) != CATS_MERR_OK) {
		m->cnt.bad_metric++;
		return e;
	}
	for (size_t i = 0; i < n; i++)
		remember(si, &s[i]);
	offer(m, si, s, n, now);
	return CATS_MERR_OK;
}

/*
 * Section 3 (after draft-ietf-idr-5g-edge-service-metadata): metrics are
 * advertised periodically, every max_interval_ms even when the C-SMA has
 * nothing new, and no more often than min_interval_ms ("at least 30
 * seconds"): the last values are offered again, and damping lets them
 * through when the refresh is due or a held change may go.  Returns when
 * to call again (0: nothing to refresh or send).
 */
uint64_t
mup_tick(struct mup *m, uint64_t now)
{
	uint64_t next = 0, at;

	m->now = now;
	for (size_t i = 0; i < MUP_MAX_INSTANCES; i++) {
		struct site_inst *si = &m->inst[i];

		if (!si->live || si->nm == 0)
			continue;
		offer(m, si, si->m, si->nm, now);
		/* a change held by the floor goes when the floor allows */
		at = cats_damp_next(&m->cfg.damp, &si->damp);
		if (at != 0 && (next == 0 || at < next))
			next = at;
		if (m->cfg.damp.max_interval_ms == 0)	/* no refresh */
			continue;
		for (size_t j = 0; j < si->nm; j++) {
			at = si->damp.last_ms[si->m[j].id] +
			    m->cfg.damp.max_interval_ms;
			if (next == 0 || at < next)
				next = at;
		}
	}
	return next;
}

/* ---- the C-PS: DSD instances, services and sites as its indices ---- */

/* The C-PS's index of a service, -1 if it has none. */
static int
svc_find(const struct mup *m, uint32_t cs_id)
{
	for (size_t i = 0; i < m->nsvc; i++)
		if (m->svc_used[i] && m->svc[i] == cs_id)
			return (int)i;
	return -1;
}

/* Only an instance learnt makes a service known: a CS-ID in a T2ST alone
 * must not take a slot, or a peer could fill the table with them. */
static int
svc_index(struct mup *m, uint32_t cs_id)
{
	int i = svc_find(m, cs_id);

	if (i >= 0)
		return i;
	/* A slot a service left (no instance of it in the C-PS) is reused:
	 * the selector holds nothing of it any more. */
	for (i = 0; i < (int)m->nsvc && m->svc_used[i]; i++)
		;
	if (i == MUP_MAX_SERVICES) {
		m->cnt.table_full++;
		return -1;
	}
	if (i == (int)m->nsvc)
		m->nsvc++;
	m->svc[i] = cs_id;
	m->svc_used[i] = true;
	return i;
}

/* The C-PS's index of a site, -1 if none of its instances was learnt. */
static int
site_find(const struct mup *m, const uint8_t addr[16])
{
	for (size_t i = 0; i < m->nsite; i++)
		if (memcmp(m->site[i], addr, 16) == 0)
			return (int)i;
	return -1;
}

static int
site_index(struct mup *m, const uint8_t addr[16])
{
	int i = site_find(m, addr);

	if (i >= 0)
		return i;
	if (m->nsite == MUP_MAX_SITES) {
		m->cnt.table_full++;
		return -1;
	}
	memcpy(m->site[m->nsite], addr, 16);
	return (int)m->nsite++;
}

static int
ran_index_of(const struct mup *m, const uint8_t addr[16])
{
	if (!(m->cfg.roles & MUP_CONTROLLER))
		return memcmp(addr, m->cfg.addr, 16) == 0 ? 0 : -1;
	for (size_t i = 0; i < m->cfg.nran; i++)
		if (memcmp(m->cfg.ran[i], addr, 16) == 0)
			return (int)i;
	return -1;
}

static struct probed *
probed_find(struct mup *m, const uint8_t site[16])
{
	for (size_t i = 0; i < MUP_MAX_SITES; i++)
		if (m->probed[i].used && memcmp(m->probed[i].site, site, 16) == 0)
			return &m->probed[i];
	return NULL;
}

/*
 * The C-NMA's part: the configured delay of each (RAN PE, site) path, then
 * what this PE measured to the site, if anything.  Measured values carry
 * the time of their report and the configured ones time 0, so once a
 * report went in, the selector refuses the configured value as older
 * (CATS_MERR_STALE): a measurement is never undone by a new instance at
 * the same site.
 */
static void
load_paths(struct mup *m, int egress, const uint8_t site[16])
{
	const struct probed *pr = probed_find(m, site);
	int own = ran_index_of(m, m->cfg.addr);

	for (size_t i = 0; i < m->cfg.npath; i++) {
		const struct mup_path *p = &m->cfg.path[i];
		struct cats_sample s[2] = {
			{ .id = CATS_M_OWD, .stat = CATS_STAT_CUR,
			  .value = p->owd_ns },
			{ .id = CATS_M_BANDWIDTH, .stat = CATS_STAT_CUR,
			  .value = (double)p->bw },
		};
		int ing;

		if (memcmp(p->site, site, 16) != 0 ||
		    (ing = ran_index_of(m, p->ran)) < 0)
			continue;
		cats_sel_update_net(m->sel, (uint32_t)ing, (uint32_t)egress,
		    s, p->bw != 0 ? 2 : 1, 0);
	}
	if (pr != NULL && pr->n > 0 && own >= 0 &&
	    cats_sel_update_net(m->sel, (uint32_t)own, (uint32_t)egress,
	    pr->s, pr->n, pr->ts) != CATS_MERR_OK)
		m->cnt.bad_metric++;
}

static struct dsd *
dsd_find(struct mup *m, uint32_t cis_id)
{
	for (size_t i = 0; i < MUP_MAX_INSTANCES; i++)
		if (m->dsd[i].cis_id == cis_id && cis_id != 0)
			return &m->dsd[i];
	return NULL;
}

static struct dsd *
dsd_get(struct mup *m, uint32_t cis_id)
{
	struct dsd *d = dsd_find(m, cis_id);

	for (size_t i = 0; i < MUP_MAX_INSTANCES && d == NULL; i++)
		if (m->dsd[i].cis_id == 0)
			d = &m->dsd[i];
	if (d == NULL)
		m->cnt.table_full++;
	else
		d->cis_id = cis_id;
	return d;
}

static uint32_t
dsd_idx(const struct mup *m, const struct dsd *d)
{
	return (uint32_t)(d - m->dsd);
}

/* Make sure the C-PS knows the instance (egress = its site). */
static bool
sel_learn(struct mup *m, struct dsd *d)
{
	struct cats_instance_def def;
	int svc, eg;

	if (m->sel == NULL)
		return false;
	if (d->in_sel)
		return true;
	if ((svc = svc_index(m, d->cs_id)) < 0 ||
	    (eg = site_index(m, d->site)) < 0)
		return false;
	def = (struct cats_instance_def){
		.instance = dsd_idx(m, d), .service = (uint32_t)svc,
		.egress = (uint32_t)eg, .servers = 1, .capacity = 0,
	};
	if (cats_sel_add_instance(m->sel, &def) != CATS_SERR_OK)
		return false;
	d->svc = (uint32_t)svc;
	d->egress = (uint32_t)eg;
	d->in_sel = true;
	load_paths(m, eg, d->site);
	return true;
}

static void
sel_forget(struct mup *m, struct dsd *d)
{
	if (!d->in_sel)
		return;
	cats_sel_remove_instance(m->sel, dsd_idx(m, d));
	d->in_sel = false;
	for (size_t i = 0; i < MUP_MAX_INSTANCES; i++)
		if (m->dsd[i].in_sel && m->dsd[i].svc == d->svc)
			return;
	m->svc_used[d->svc] = false;
}

/* Neither its DSD nor its CMU is left: the instance goes, and its slot
 * with it (instances come and go over a daemon's life). */
static void
dsd_release(struct mup *m, struct dsd *d)
{
	if (d->live || d->has_cmu)
		return;
	sel_forget(m, d);
	memset(d, 0, sizeof(*d));
}

static void
sel_metrics(struct mup *m, struct dsd *d, const struct bgp_cats *c,
    uint64_t now)
{
	if (c->nmetrics == 0 || !sel_learn(m, d))
		return;
	if (cats_sel_update_compute(m->sel, dsd_idx(m, d), c->metric,
	    c->nmetrics, now) != CATS_MERR_OK)
		m->cnt.bad_metric++;
}

/* The optimum for a session from a RAN PE (ingress); 0 if none. */
static uint32_t
choose(struct mup *m, uint32_t ingress, uint32_t cs_id, uint32_t teid,
    uint64_t now)
{
	struct cats_choice ch;
	struct cats_reqs r;
	int svc;

	if (m->sel == NULL || (svc = svc_find(m, cs_id)) < 0)
		return 0;
	cats_reqs_none(&r);
	if (cats_sel_select(m->sel, ingress, (uint32_t)svc, &r, teid, now,
	    &ch) != CATS_SEL_OK)
		return 0;
	return m->dsd[ch.instance].cis_id;
}

/* A better instance than 'cur' beyond hysteresis, or 0. */
static uint32_t
better(struct mup *m, uint32_t ingress, uint32_t cs_id, uint32_t cur,
    uint32_t teid, uint64_t now)
{
	struct dsd *d = dsd_find(m, cur);
	struct cats_choice ch;
	struct cats_reqs r;
	int svc;

	if (m->sel == NULL || (svc = svc_find(m, cs_id)) < 0)
		return 0;
	cats_reqs_none(&r);
	if (!cats_sel_better(m->sel, ingress, (uint32_t)svc, &r,
	    d != NULL && d->in_sel ? dsd_idx(m, d) : UINT32_MAX, &ch))
		return 0;
	cats_sel_release(m->sel, teid);
	cats_sel_bind(m->sel, teid, ch.instance, now);
	return m->dsd[ch.instance].cis_id;
}

/* ---- sessions ---- */

static struct sess *
sess_find(struct mup *m, uint32_t teid)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++)
		if (m->sess[i].used && m->sess[i].teid == teid)
			return &m->sess[i];
	return NULL;
}

static struct sess *
sess_get(struct mup *m, uint32_t teid)
{
	struct sess *s = sess_find(m, teid);

	for (size_t i = 0; i < MUP_MAX_SESSIONS && s == NULL; i++)
		if (!m->sess[i].used) {
			s = &m->sess[i];
			memset(s, 0, sizeof(*s));
			s->used = true;
			s->teid = teid;
			s->qfi = -1;
		}
	return s;
}

/*
 * The controller's T2ST for a session, aimed at its RAN PE's route target.
 * Centralized: always with the CIS-ID (section 4.1.1).  Distributed: the
 * CS-ID only, unless pinned to the previous instance (figure 7, 3a).
 */
static void
announce_t2st(struct mup *m, const struct sess *s)
{
	struct bgp_mup k;
	struct bgp_rattr a;

	mup_t2st_key(&k, m->cfg.afi, m->cfg.asn, s->ep, s->teid);
	base_attrs(m, &a, s->cs_id, MUP_RT_RAN_BASE + s->ran_index);
	if (s->cis_id != 0 && (m->cfg.mode == MUP_CENTRAL || s->pinned)) {
		a.cats.has_cis_id = true;
		a.cats.cis_id = s->cis_id;
	}
	m->cnt.t2st_tx++;
	m->ops->announce(m->ctx, &k, &a);
}

static void
withdraw_t2st(struct mup *m, const struct sess *s)
{
	struct bgp_mup k;

	mup_t2st_key(&k, m->cfg.afi, m->cfg.asn, s->ep, s->teid);
	m->cnt.withdraw_tx++;
	m->ops->withdraw(m->ctx, &k);
}

static bool
session_ok(const struct mup *m, const struct mup_session *e)
{
	return (m->cfg.roles & MUP_CONTROLLER) && e->teid != 0 &&
	    e->ran_index < m->cfg.nran;
}

bool
mup_session_up(struct mup *m, const struct mup_session *e, uint64_t now)
{
	struct sess *s;

	uint32_t cis = 0;

	if (!session_ok(m, e))
		return false;
	/* Figure 3 step 3: the CATS-MUP-C determines the optimum. */
	if (m->cfg.mode == MUP_CENTRAL &&
	    (cis = choose(m, e->ran_index, e->cs_id, e->teid, now)) == 0) {
		note(m, "session %u: no instance of cs-id %u", e->teid,
		    e->cs_id);
		return false;
	}
	if ((s = sess_get(m, e->teid)) == NULL)
		return false;
	/* Up again at another endpoint: its old T2ST (another key) goes. */
	if (s->announced && memcmp(s->ep, e->ep, 16) != 0)
		withdraw_t2st(m, s);
	memcpy(s->ep, e->ep, 16);
	s->cs_id = e->cs_id;
	s->ran_index = e->ran_index;
	s->sticky = e->sticky;
	s->pinned = false;
	s->cis_id = cis;
	announce_t2st(m, s);
	s->announced = true;
	return true;
}

/*
 * The session goes to the optimum from its RAN PE, its pin (if any) gone:
 * centralized the controller chooses; distributed the T2ST carries the
 * CS-ID only and the RAN PE chooses.  false when the CIS-ID to advertise
 * did not change.
 */
static bool
reoptimise(struct mup *m, struct sess *s, uint64_t now)
{
	uint32_t cis = 0;

	s->pinned = false;
	if (m->cfg.mode == MUP_CENTRAL) {
		cats_sel_release(m->sel, s->teid);
		cis = choose(m, s->ran_index, s->cs_id, s->teid, now);
	}
	if (cis == s->cis_id)
		return false;
	if (cis != 0 && s->unmet) {
		s->unmet = false;
		m->cnt.resteered++;
	}
	s->cis_id = cis;
	return true;
}

bool
mup_session_move(struct mup *m, const struct mup_session *e, uint64_t now)
{
	struct sess *s;

	if (!session_ok(m, e) || (s = sess_find(m, e->teid)) == NULL)
		return false;
	s->ran_index = e->ran_index;
	s->sticky = e->sticky;
	if (e->prev_cis_id != 0)
		s->cis_id = e->prev_cis_id;
	/* Figures 4 and 7, step 3a: a stateful session keeps its instance. */
	if (s->sticky && s->cis_id != 0) {
		s->pinned = true;
		announce_t2st(m, s);
		return true;
	}
	reoptimise(m, s, now);
	announce_t2st(m, s);
	return true;
}

bool
mup_session_release(struct mup *m, uint32_t teid, uint64_t now)
{
	struct sess *s = sess_find(m, teid);

	if (!(m->cfg.roles & MUP_CONTROLLER) || s == NULL || !s->pinned)
		return false;
	/* Figure 4 step 3-4 / figure 7 step 3: now the optimum. */
	if (reoptimise(m, s, now))
		announce_t2st(m, s);
	return true;
}

bool
mup_session_down(struct mup *m, uint32_t teid, uint64_t now)
{
	struct sess *s = sess_find(m, teid);

	(void)now;
	if (!(m->cfg.roles & MUP_CONTROLLER) || s == NULL)
		return false;
	withdraw_t2st(m, s);
	if (m->sel != NULL)
		cats_sel_release(m->sel, teid);
	s->used = false;
	return true;
}

/* Central: re-advertise the T2ST of sessions whose optimum changed
 * (figure 3, steps 6-8).  Pinned sessions wait for their release. */
static void
controller_reselect(struct mup *m, uint64_t now)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++) {
		struct sess *s = &m->sess[i];
		uint32_t cis;

		if (!s->used || s->pinned || m->cfg.mode != MUP_CENTRAL)
			continue;
		cis = better(m, s->ran_index, s->cs_id, s->cis_id, s->teid,
		    now);
		if (cis == 0 || cis == s->cis_id)
			continue;
		m->cnt.reselect++;
		s->cis_id = cis;
		if (s->unmet)
			m->cnt.resteered++;
		s->unmet = false;
		announce_t2st(m, s);
	}
}

/* ---- RAN PE ---- */

static void
steer(struct mup *m, struct sess *s, uint32_t cis)
{
	struct dsd *d = dsd_find(m, cis);
	struct mup_steer st = { .teid = s->teid, .cs_id = s->cs_id,
	    .pinned = s->pinned, .qfi = s->qfi, .sa_len = s->sa_len };

	memcpy(st.ep, s->ep, 16);
	memcpy(st.sa, s->sa, 16);
	if (cis != 0 && (d == NULL || !d->live)) {
		/* Section 4.1.2: the T2ST resolves only against a DSD. */
		m->cnt.unresolved++;
		cis = 0;
	}
	if (cis == 0 && !s->steered)
		return;
	if (cis != 0 && s->steered && s->cis_id == cis &&
	    memcmp(s->sid, d->sid, 16) == 0 &&
	    memcmp(s->site, d->site, 16) == 0)
		return;
	if (cis != 0) {
		st.cis_id = cis;
		memcpy(st.site, d->site, 16);
		memcpy(st.sid, d->sid, 16);
		memcpy(s->site, d->site, 16);
		memcpy(s->sid, d->sid, 16);
		m->cnt.steer++;
		if (s->unmet)
			m->cnt.resteered++;	/* an instance came (back) */
		s->unmet = false;
	}
	s->cis_id = cis;
	s->steered = cis != 0;
	m->ops->steer(m->ctx, &st);
}

/*
 * Plain MUP resolution (draft-ietf-bess-mup-safi 3.1.4): the DSD whose
 * direct segment community matches the T2ST's, here the CS-ID.  With
 * several instances and nothing to choose by, the lowest CIS-ID, so every
 * RAN PE agrees.  0 if the service has none.
 */
static uint32_t
plain_dsd(const struct mup *m, uint32_t cs_id)
{
	uint32_t best = 0;

	for (size_t i = 0; i < MUP_MAX_INSTANCES; i++) {
		const struct dsd *d = &m->dsd[i];

		if (d->live && d->cs_id == cs_id && d->cis_id != 0 &&
		    (best == 0 || d->cis_id < best))
			best = d->cis_id;
	}
	return best;
}

/* Which instance a RAN PE's session goes to now.  'fresh': metrics moved,
 * so a distributed C-PS may find a better one (figure 6, steps 4-5). */
static void
ran_resolve(struct mup *m, struct sess *s, bool fresh, uint64_t now)
{
	struct dsd *d;
	uint32_t cis;

	if (s->want != 0) {
		steer(m, s, s->want);
		return;
	}
	if (m->cfg.mode == MUP_CENTRAL) {
		/* A T2ST without a CIS-ID comes from a plain MUP controller. */
		steer(m, s, plain_dsd(m, s->cs_id));
		return;
	}
	d = dsd_find(m, s->cis_id);
	if (s->steered && d != NULL && d->live && !s->steered_fresh) {
		/* Keep it (its DSD may bring a new SID), unless the metrics
		 * moved and a challenger wins beyond hysteresis. */
		cis = s->cis_id;
		if (fresh && (cis = better(m, 0, s->cs_id, s->cis_id, s->teid,
		    now)) != 0)
			m->cnt.reselect++;
		else
			cis = s->cis_id;
	} else {
		if (m->sel != NULL)
			cats_sel_release(m->sel, s->teid);
		cis = choose(m, 0, s->cs_id, s->teid, now);
		/* No metrics yet: as plain MUP would, not nowhere. */
		if (cis == 0)
			cis = plain_dsd(m, s->cs_id);
		s->steered_fresh = false;
	}
	steer(m, s, cis);
}

static void
ran_resolve_all(struct mup *m, uint32_t cs_id, bool fresh, uint64_t now)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++)
		if (m->sess[i].used && m->sess[i].cs_id == cs_id)
			ran_resolve(m, &m->sess[i], fresh, now);
}

/*
 * The CS-ID and CIS-ID of a route: from the CATS attribute, else as a plain
 * MUP PE would read them: the CS-ID is the direct segment community (4.1.1)
 * and a DSD's instance the assigned number of its RD (one DSD per instance,
 * docs/wire.md 8.4).  Routes added by hand with gobgp have no attribute 255.
 * false when there is no CS-ID at all.
 */
static bool
route_ids(const struct bgp_mup *k, const struct bgp_rattr *a, uint32_t *cs,
    uint32_t *cis)
{
	struct cur c;
	uint16_t type;
	uint32_t v = 0;

	*cis = 0;
	if (a->has_cats && a->cats.has_cs_id)
		*cs = a->cats.cs_id;
	else if (a->has_mup_ec && bgp_mup_ec_direct(&a->mup_ec))
		*cs = bgp_mup_ec_local(&a->mup_ec);
	else
		return false;
	if (a->has_cats && a->cats.has_cis_id) {
		*cis = a->cats.cis_id;
		return true;
	}
	if (k->type != BGP_MUP_DSD)
		return true;
	/* RFC 4364 4.2: type 0 has a 4-octet assigned number, 1 and 2 two. */
	cur_init(&c, k->rd, sizeof(k->rd));
	cur_u16(&c, &type);
	if (type == 0) {
		cur_skip(&c, 2);
		cur_u32(&c, &v);
	} else if (type == 1 || type == 2) {
		uint16_t v16;

		cur_skip(&c, 4);
		cur_u16(&c, &v16);
		v = v16;
	}
	*cis = v & ~MUP_CMU_RD_BIT;
	return true;
}

/* A T2ST: ours if it carries our route target (section 4.1.2). */
static void
ran_t2st(struct mup *m, const struct bgp_mup *k, const struct bgp_rattr *a,
    const struct bgp_rattr *old, uint64_t now)
{
	uint64_t rt = bgp_rt_as2((uint16_t)m->cfg.asn,
	    MUP_RT_RAN_BASE + m->cfg.ran_index);
	struct sess *s;
	uint32_t cs, cis;
	bool was_pinned;

	if (a == NULL || !bgp_rattr_has_rt(a, rt)) {
		/* Withdrawn, or re-targeted at another RAN PE (a move); most
		 * T2STs are for other RAN PEs, and never were ours. */
		if (old == NULL || !bgp_rattr_has_rt(old, rt) ||
		    (s = sess_find(m, k->teid)) == NULL)
			return;
		steer(m, s, 0);
		s->used = false;
		if (m->sel != NULL)
			cats_sel_release(m->sel, s->teid);
		return;
	}
	if (!route_ids(k, a, &cs, &cis)) {
		m->cnt.bad_route++;
		return;
	}
	if ((s = sess_get(m, k->teid)) == NULL)
		return;
	m->cnt.t2st_rx++;
	was_pinned = s->pinned;
	memcpy(s->ep, k->ep, 16);
	s->cs_id = cs;
	s->want = cis;
	/* Not part of the key: kept with the session, steering the same. */
	s->qfi = k->tlv_seen & BGP_MUP_TLV_BIT(BGP_MUP_TLV_SESSION) ?
	    k->sp_qfi : -1;
	s->sa_len = k->tlv_seen & BGP_MUP_TLV_BIT(BGP_MUP_TLV_SOURCE) ?
	    k->sa_len : 0;
	memcpy(s->sa, k->sa, sizeof(s->sa));
	s->pinned = m->cfg.mode == MUP_DISTRIBUTED && s->want != 0;
	/* Figure 7 step 3-4: the normal T2ST after a pinned one means "the
	 * state has moved": choose afresh, not against the pinned instance. */
	if (was_pinned && !s->pinned)
		s->steered_fresh = true;
	ran_resolve(m, s, false, now);
}

/* ---- site failure (issue [11]) ---- */

static bool
site_has_live(const struct mup *m, const uint8_t site[16])
{
	for (size_t i = 0; i < MUP_MAX_INSTANCES; i++)
		if (m->dsd[i].live && memcmp(m->dsd[i].site, site, 16) == 0)
			return true;
	return false;
}

/*
 * Why instance 'cis' at 'site' went, for the sessions it had.  A session
 * the RIB flushed has the BGP session's end as its cause; otherwise the
 * DSD was withdrawn (by the site PE, or by the route reflector whose
 * session to it ended: RFC 4271 9.1.3 and RFC 4456 send an explicit
 * withdrawal then, so the reason stays at the reflector).  The whole site
 * is gone when none of its DSDs is left.
 */
static void
lost_why(const struct mup *m, uint32_t cis, const uint8_t site[16],
    char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(m->cfg.afi == BGP_AFI_IPV4 ? AF_INET : AF_INET6, site, a,
	    sizeof(a));
	if (m->cause != NULL)
		snprintf(out, len, "site PE %s gone: %s", a, m->cause);
	else if (!site_has_live(m, site))
		snprintf(out, len, "site PE %s gone: routes withdrawn", a);
	else
		snprintf(out, len, "cis-id %u at site PE %s withdrawn", cis,
		    a);
}

static void
mark_lost(struct sess *s, const uint8_t site[16], const char *why,
    uint64_t now)
{
	snprintf(s->why, sizeof(s->why), "%s", why);
	memcpy(s->lost_site, site, 16);
	s->moved_ms = now;
}

/*
 * The site's last DSD went: the sessions that left its other instances a
 * moment before (SITE_GONE_MS: a reflector withdraws a dead site's routes
 * together, in one UPDATE or a few sent back to back) left a site that is
 * gone, not just an instance, and say so.
 */
static void
site_gone(struct mup *m, const uint8_t site[16], const char *why,
    uint64_t now)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++) {
		struct sess *s = &m->sess[i];

		if (s->used && s->why[0] != '\0' &&
		    s->moved_ms + SITE_GONE_MS >= now &&
		    memcmp(s->lost_site, site, 16) == 0)
			snprintf(s->why, sizeof(s->why), "%s", why);
	}
}

/*
 * RAN PE: every session steered to the lost instance is resolved again
 * with the same CS-ID (its only requirement in CATS-MUP: the T2ST names
 * the service); a distributed C-PS no longer has the instance, so it picks
 * another.  A session nothing can take stays, unmet and counted, with no
 * steering (its packets must not go into a dead site), until a DSD of its
 * service comes (ran_resolve_all) or its T2ST changes.  A pinned session
 * (figure 7, 3a) keeps its pin: its state is at that instance, and only
 * the controller's next T2ST can let it go.
 */
static void
ran_instance_lost(struct mup *m, uint32_t cis, const uint8_t site[16],
    const char *why, uint64_t now)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++) {
		struct sess *s = &m->sess[i];

		if (!s->used || !s->steered || s->cis_id != cis)
			continue;
		mark_lost(s, site, why, now);
		ran_resolve(m, s, false, now);
		if (s->steered) {
			m->cnt.resteered++;
			continue;
		}
		s->unmet = true;
		m->cnt.unmet++;
		note(m, "session %u: unmet, no instance of cs-id %u left",
		    s->teid, s->cs_id);
	}
}

/* Centralized controller: the same for the T2STs it advertised with the
 * instance (controller_reselect moves them, the instance being out of the
 * C-PS); a pinned one waits for its release, unmet. */
static void
controller_instance_lost(struct mup *m, uint32_t cis,
    const uint8_t site[16], const char *why, uint64_t now)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++)
		if (m->sess[i].used && m->sess[i].cis_id == cis) {
			mark_lost(&m->sess[i], site, why, now);
			m->sess[i].unmet = true;
		}
	controller_reselect(m, now);
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++)
		if (m->sess[i].used && m->sess[i].unmet &&
		    m->sess[i].cis_id == cis)
			m->cnt.unmet++;
}

/*
 * The DSD of 'd' went.  Its instance leaves the C-PS at once: freed with
 * its slot when no CMU keeps it, else put down (select.h), so that neither
 * C-PS chooses an instance no RAN PE can resolve.
 */
static void
dsd_lost(struct mup *m, struct dsd *d, uint64_t now)
{
	uint32_t cis = d->cis_id;
	uint8_t site[16];
	char why[MUP_WHY_MAX];

	memcpy(site, d->site, 16);
	d->live = false;
	m->cnt.instance_lost++;
	if (d->in_sel)
		cats_sel_set_instance_up(m->sel, dsd_idx(m, d), false);
	dsd_release(m, d);
	lost_why(m, cis, site, why, sizeof(why));
	note(m, "%s", why);
	if (m->cfg.roles & MUP_RAN_PE)
		ran_instance_lost(m, cis, site, why, now);
	if ((m->cfg.roles & MUP_CONTROLLER) && m->cfg.mode == MUP_CENTRAL)
		controller_instance_lost(m, cis, site, why, now);
	if (!site_has_live(m, site))
		site_gone(m, site, why, now);
}

/* A DSD (or a CMU in DSD form) arrived, changed or went. */
static void
on_dsd(struct mup *m, const struct bgp_mup *k, const struct bgp_rattr *a,
    const struct bgp_rattr *old, uint64_t now)
{
	const struct bgp_rattr *any = a != NULL ? a : old;
	bool cmu = any->has_cats && any->cats.kind == BGP_CATS_KIND_CMU;
	uint32_t cs, cis, ocs, ocis;
	struct dsd *d;
	bool back = false;

	/* The same key now naming another instance (or kind): the old one
	 * is withdrawn first, or it would stay for ever. */
	if (a != NULL && old != NULL && route_ids(k, old, &ocs, &ocis) &&
	    (!route_ids(k, a, &cs, &cis) || cis != ocis ||
	    (old->has_cats && old->cats.kind == BGP_CATS_KIND_CMU) != cmu))
		on_dsd(m, k, NULL, old, now);
	if (!route_ids(k, any, &cs, &cis) || cis == 0) {
		m->cnt.bad_route++;
		return;
	}
	/* A withdrawal of an instance never seen takes no slot. */
	if ((d = a != NULL ? dsd_get(m, cis) : dsd_find(m, cis)) == NULL)
		return;
	/* Its service changed: the C-PS learns it again under the new one. */
	if (d->in_sel && d->cs_id != cs)
		sel_forget(m, d);
	d->cs_id = cs;
	if (cmu) {
		m->cnt.cmu_rx++;
		memcpy(d->site, k->addr, 16);
		d->has_cmu = a != NULL;
		if (a != NULL)
			sel_metrics(m, d, &a->cats, now);
		else
			dsd_release(m, d);
		if (m->cfg.roles & MUP_CONTROLLER)
			controller_reselect(m, now);
		return;
	}
	m->cnt.dsd_rx++;
	if (a == NULL) {
		cs = d->cs_id;
		if (d->live)
			dsd_lost(m, d, now);
		else
			dsd_release(m, d);
		d = NULL;
	} else {
		/* Back, its CMU having kept it in the C-PS, put down: up. */
		back = !d->live && d->in_sel;
		d->live = true;
		memcpy(d->site, k->addr, 16);
		if (a->has_sid)
			memcpy(d->sid, a->sid.sid, 16);
		if (sel_learn(m, d))
			cats_sel_set_instance_up(m->sel, dsd_idx(m, d), true);
		sel_metrics(m, d, &a->cats, now);
	}
	if (m->cfg.roles & MUP_RAN_PE)
		ran_resolve_all(m, cs, a != NULL && a->cats.nmetrics != 0, now);
	if ((m->cfg.roles & MUP_CONTROLLER) && (a == NULL || back))
		controller_reselect(m, now);
}

/* ---- the C-NMA ---- */

static struct probed *
probed_get(struct mup *m, const uint8_t site[16])
{
	struct probed *p = probed_find(m, site);

	for (size_t i = 0; i < MUP_MAX_SITES && p == NULL; i++)
		if (!m->probed[i].used) {
			p = &m->probed[i];
			memset(p, 0, sizeof(*p));
			p->used = true;
			memcpy(p->site, site, 16);
		}
	if (p == NULL)
		m->cnt.table_full++;
	return p;
}

enum cats_metric_err
mup_path_samples(struct mup *m, const uint8_t site[16],
    const struct cats_sample *s, size_t n, uint64_t now)
{
	struct probed *p;
	enum cats_metric_err e;
	int ing, eg;

	/* Sections 4.1.2 and 4.2.2: the C-NMA's metrics are the C-PS's; a
	 * central RAN PE has none (no route carries them to the controller). */
	if (m->sel == NULL || (ing = ran_index_of(m, m->cfg.addr)) < 0)
		return CATS_MERR_UNKNOWN_INGRESS;
	if ((e = cats_samples_check(s, n, CATS_MK_NETWORK)) != CATS_MERR_OK) {
		m->cnt.bad_metric++;
		return e;
	}
	if ((p = probed_get(m, site)) == NULL)
		return CATS_MERR_UNKNOWN_EGRESS;
	if (now < p->ts)
		return CATS_MERR_STALE;
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < p->n && p->s[j].id != s[i].id; j++)
			;
		if (j == p->n && p->n < CATS_M_PER_KIND)
			p->n++;
		if (j < p->n)
			p->s[j] = s[i];
	}
	p->ts = now;
	m->cnt.path_rx++;
	if ((eg = site_find(m, site)) < 0)
		return CATS_MERR_OK;	/* for when a DSD names the site */
	if ((e = cats_sel_update_net(m->sel, (uint32_t)ing, (uint32_t)eg, s, n,
	    now)) != CATS_MERR_OK) {
		m->cnt.bad_metric++;
		return e;
	}
	/* The choices this C-PS made may have a better answer now (figure 6
	 * steps 4-5, for the network part): a distributed RAN PE's sessions
	 * whose T2ST names no CIS-ID, a controller's unpinned ones. */
	if ((m->cfg.roles & MUP_RAN_PE) && m->cfg.mode == MUP_DISTRIBUTED)
		for (size_t i = 0; i < MUP_MAX_SESSIONS; i++)
			if (m->sess[i].used && m->sess[i].want == 0)
				ran_resolve(m, &m->sess[i], true, now);
	if (m->cfg.roles & MUP_CONTROLLER)
		controller_reselect(m, now);
	return CATS_MERR_OK;
}

void
mup_rib_change(void *arg, uint32_t peer, enum bgp_rib_op op,
    const struct bgp_mup *k, const struct bgp_rattr *old,
    const struct bgp_rattr *now_a)
{
	struct mup *m = arg;

	(void)peer;
	(void)op;
	switch (k->type) {
	case BGP_MUP_DSD:
		if (m->cfg.roles & (MUP_RAN_PE | MUP_CONTROLLER))
			on_dsd(m, k, now_a, old, m->now);
		break;
	case BGP_MUP_T2ST:
		if (m->cfg.roles & MUP_RAN_PE)
			ran_t2st(m, k, now_a, old, m->now);
		break;
	default:
		break;
	}
}

void
mup_set_time(struct mup *m, uint64_t now)
{
	m->now = now;
}

void
mup_set_cause(struct mup *m, const char *why)
{
	m->cause = why;
}

/* ---- life ---- */

struct mup *
mup_new(const struct mup_cfg *cfg, const struct mup_ops *ops, void *ctx,
    const char **why)
{
	struct mup *m;

	if (cfg->roles == 0 || cfg->asn == 0 || cfg->asn > UINT16_MAX) {
		*why = "roles and a two-octet AS are required";
		return NULL;
	}
	if (cfg->afi != BGP_AFI_IPV4 && cfg->afi != BGP_AFI_IPV6) {
		*why = "afi must be 1 or 2";
		return NULL;
	}
	if (ops->announce == NULL || ops->withdraw == NULL ||
	    ((cfg->roles & MUP_RAN_PE) && ops->steer == NULL)) {
		*why = "announce, withdraw (and steer for a RAN PE) required";
		return NULL;
	}
	if (cfg->ninst > MUP_MAX_INSTANCES || cfg->nran > MUP_MAX_RAN ||
	    cfg->npath > MUP_MAX_RAN * MUP_MAX_SITES) {
		*why = "too many instances, RAN PEs or paths";
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->sess = calloc(MUP_MAX_SESSIONS, sizeof(*m->sess))) == NULL) {
		free(m);
		*why = "out of memory";
		return NULL;
	}
	m->cfg = *cfg;
	m->ops = ops;
	m->ctx = ctx;
	if ((cfg->roles & MUP_CONTROLLER) ||
	    ((cfg->roles & MUP_RAN_PE) && cfg->mode == MUP_DISTRIBUTED)) {
		struct cats_sel_cfg sc = cfg->sel;

		sc.max_ingresses = MUP_MAX_RAN;
		sc.max_egresses = MUP_MAX_SITES;
		sc.max_services = MUP_MAX_SERVICES;
		sc.max_instances = MUP_MAX_INSTANCES;
		if (sc.max_flows == 0)
			sc.max_flows = MUP_MAX_SESSIONS;
		if ((m->sel = cats_sel_create(&sc)) == NULL) {
			mup_free(m);
			*why = "the C-PS configuration is invalid";
			return NULL;
		}
	}
	return m;
}

void
mup_free(struct mup *m)
{
	if (m == NULL)
		return;
	cats_sel_destroy(m->sel);
	free(m->sess);
	free(m);
}

void
mup_start(struct mup *m, uint64_t now)
{
	m->now = now;
	for (size_t i = 0; i < m->cfg.ninst; i++)
		mup_instance_add(m, &m->cfg.inst[i], now);
}

static bool
steer_fill(const struct mup *m, const struct sess *s, struct mup_steer *out)
{
	const struct dsd *d = NULL;

	for (size_t i = 0; i < MUP_MAX_INSTANCES && d == NULL; i++)
		if (m->dsd[i].cis_id == s->cis_id && s->cis_id != 0)
			d = &m->dsd[i];
	memset(out, 0, sizeof(*out));
	out->teid = s->teid;
	memcpy(out->ep, s->ep, 16);
	out->cs_id = s->cs_id;
	out->cis_id = s->cis_id;
	out->pinned = s->pinned;
	out->qfi = s->qfi;
	out->sa_len = s->sa_len;
	memcpy(out->sa, s->sa, sizeof(out->sa));
	out->unmet = s->unmet;
	out->moved_ms = s->moved_ms;
	snprintf(out->why, sizeof(out->why), "%s", s->why);
	if (d != NULL) {
		memcpy(out->site, d->site, 16);
		memcpy(out->sid, d->sid, 16);
	}
	return true;
}

bool
mup_steer_get(const struct mup *m, uint32_t teid, struct mup_steer *out)
{
	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++) {
		const struct sess *s = &m->sess[i];

		if (s->used && s->teid == teid && s->steered)
			return steer_fill(m, s, out);
	}
	return false;
}

size_t
mup_steer_list(const struct mup *m, struct mup_steer *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++) {
		const struct sess *s = &m->sess[i];

		if (!s->used || !s->steered)
			continue;
		if (n < cap)
			steer_fill(m, s, &out[n]);
		n++;
	}
	return n;
}

size_t
mup_unmet_list(const struct mup *m, struct mup_steer *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < MUP_MAX_SESSIONS; i++) {
		const struct sess *s = &m->sess[i];

		if (!s->used || !s->unmet || s->steered)
			continue;
		if (n < cap)
			steer_fill(m, s, &out[n]);
		n++;
	}
	return n;
}

const struct mup_counters *
mup_counters(const struct mup *m)
{
	return &m->cnt;
}

const struct mup_cfg *
mup_config(const struct mup *m)
{
	return &m->cfg;
}
