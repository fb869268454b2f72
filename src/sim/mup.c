/*
 * mup.c: the CATS-MUP scenarios of draft-dcn-dmm-cats-mup in simulated
 * time (figures 3, 4, 6 and 7), with the real roles (src/core/mup.c), the
 * real BGP codec and RIB.
 *
 * Five speakers (two RAN PEs, the controller, two site PEs) are clients of
 * a route reflector that filters by route target as RFC 4684 would: each
 * UPDATE is encoded by the sender, and the reflector delivers it to every
 * speaker importing one of its route targets, 1 ms later, or a withdrawal to
 * a speaker that had it and no longer imports it (a T2ST re-targeted by a
 * move).  The receiver decodes it and applies it to its own RIB, whose
 * changes drive its roles.  The ladder prints each delivery as the receiver
 * decoded it, "TIME SRC -> DST UPDATE ROUTE key=value ...".  The session
 * events of the mobility management system and the RAN PEs' steering are
 * "--" lines.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/bgp.h"
#include "cats/mup.h"
#include "cats/sim.h"

#define MS_NS		1000000.0
#define ASN		65000
#define CS_S1		1
#define CIS_S1A		11
#define CIS_S1B		12
#define TEID		100
#define HOP_MS		1	/* speaker -> reflector -> speaker */

enum spk { RAN1, RAN2, MUPC, SITEA, SITEB, SPK__COUNT };

static const char *const spk_name[SPK__COUNT] = {
	"ran1-pe", "ran2-pe", "mup-c", "siteA-pe", "siteB-pe",
};

enum op {
	OP_METRICS,	/* a: site, u: util in thousandths */
	OP_UP,		/* a: ran index, u: sticky */
	OP_MOVE,	/* a: ran index, u: sticky */
	OP_RELEASE,
};

struct step {
	uint64_t	 at;
	enum op		 op;
	uint32_t	 a;
	uint32_t	 u;
};

struct scen {
	const char	*name;
	const char	*desc;
	enum mup_mode	 mode;
	const struct step *steps;
	size_t		 nsteps;
	uint32_t	 want_cis;	/* where the session must end */
	enum spk	 want_ran;
};

#define S(a) a, sizeof(a) / sizeof(a[0])

/* Site A is nearer RAN1, site B nearer RAN2 (see paths below). */
static const struct step fig3[] = {
	{ 10, OP_METRICS, SITEA, 200 }, { 10, OP_METRICS, SITEB, 300 },
	{ 50, OP_UP, 0, 0 },
	{ 100, OP_METRICS, SITEA, 970 },	/* step 6: the optimum moves */
};
static const struct step fig4[] = {
	{ 10, OP_METRICS, SITEA, 200 }, { 10, OP_METRICS, SITEB, 300 },
	{ 50, OP_UP, 0, 0 },
	{ 100, OP_MOVE, 1, 0 },
};
static const struct step fig4_sticky[] = {
	{ 10, OP_METRICS, SITEA, 200 }, { 10, OP_METRICS, SITEB, 300 },
	{ 50, OP_UP, 0, 1 },
	{ 100, OP_MOVE, 1, 1 },
	{ 150, OP_RELEASE, 0, 0 },	/* state migrated / flow completed */
};

static const struct scen scens[] = {
	{ "mup-central-new", "figure 3: new UE session, central C-PS, "
	  "then the optimum changes", MUP_CENTRAL, S(fig3), CIS_S1B, RAN1 },
	{ "mup-central-move", "figure 4: the UE moves to RAN2, central C-PS",
	  MUP_CENTRAL, S(fig4), CIS_S1B, RAN2 },
	{ "mup-central-move-sticky", "figure 4 with 3a: a stateful session "
	  "keeps S1A until released", MUP_CENTRAL, S(fig4_sticky), CIS_S1B,
	  RAN2 },
	{ "mup-dist-new", "figure 6: new UE session, C-PS in the RAN PE, "
	  "then the optimum changes", MUP_DISTRIBUTED, S(fig3), CIS_S1B,
	  RAN1 },
	{ "mup-dist-move", "figure 7: the UE moves to RAN2, C-PS in the RAN "
	  "PE", MUP_DISTRIBUTED, S(fig4), CIS_S1B, RAN2 },
	{ "mup-dist-move-sticky", "figure 7 with 3a: the T2ST pins S1A "
	  "until released", MUP_DISTRIBUTED, S(fig4_sticky), CIS_S1B, RAN2 },
};

#define NSCEN	(sizeof(scens) / sizeof(scens[0]))

struct msg {
	enum spk	 from, to;
	size_t		 len;
	uint8_t		 buf[BGP_MAX_LEN];
};

/* What the reflector sent to whom, per route: for withdrawals. */
struct sent {
	enum spk	 from;
	struct bgp_mup	 key;
	uint32_t	 to;		/* bit per speaker */
};

struct world;

struct speaker {
	struct world	*w;
	enum spk	 id;
	uint8_t		 addr[16];
	struct mup	*mup;
	struct bgp_rib	*rib;
	uint64_t	 imports[3];
	size_t		 nimports;
	struct mup_steer steer;		/* RAN PE: the session's, if any */
};

struct world {
	const struct scen *sc;
	struct speaker	 spk[SPK__COUNT];
	struct sim_queue *q;
	uint64_t	 now;
	struct sent	*sent;
	size_t		 nsent, csent;
	sim_line_fn	 line;
	void		*line_arg;
	struct sim_mup_result *res;
	bool		 failed;
};

static void
emit(struct world *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
emit(struct world *w, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->res->lines++;
	if (w->line != NULL)
		w->line(w->line_arg, line);
}

static const char *
addr_str(const uint8_t a[16], char *out, size_t cap)
{
	if (inet_ntop(AF_INET6, a, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "?");
	return out;
}

static const char *
cis_name(uint32_t cis)
{
	switch (cis) {
	case CIS_S1A:
		return "S1A";
	case CIS_S1B:
		return "S1B";
	default:
		return "-";
	}
}

/* ---- the reflector ---- */

static struct sent *
sent_find(struct world *w, enum spk from, const struct bgp_mup *k)
{
	for (size_t i = 0; i < w->nsent; i++)
		if (w->sent[i].from == from &&
		    memcmp(&w->sent[i].key, k, sizeof(*k)) == 0)
			return &w->sent[i];
	if (w->nsent == w->csent) {
		size_t n = w->csent ? w->csent * 2 : 16;
		struct sent *v = realloc(w->sent, n * sizeof(*v));

		if (v == NULL) {
			w->failed = true;
			return NULL;
		}
		w->sent = v;
		w->csent = n;
	}
	w->sent[w->nsent] = (struct sent){ .from = from, .key = *k };
	return &w->sent[w->nsent++];
}

static bool
imports(const struct speaker *s, const struct bgp_rattr *a)
{
	for (size_t i = 0; i < s->nimports; i++)
		if (bgp_rattr_has_rt(a, s->imports[i]))
			return true;
	return false;
}

static void
post(struct world *w, enum spk from, enum spk to, const uint8_t *buf,
    size_t len)
{
	struct msg *m = malloc(sizeof(*m));
	struct sim_item it = { .at = w->now + HOP_MS, .kind = 0 };

	if (m == NULL) {
		w->failed = true;
		return;
	}
	m->from = from;
	m->to = to;
	m->len = len;
	memcpy(m->buf, buf, len);
	it.p = m;
	if (!sim_queue_push(w->q, &it)) {
		free(m);
		w->failed = true;
	}
}

/* Encode once, deliver to each importer; withdraw where it was before. */
static void
reflect(struct world *w, enum spk from, const struct bgp_mup *k,
    const struct bgp_rattr *ra)
{
	uint8_t buf[BGP_MAX_LEN], wbuf2[BGP_MAX_LEN];
	struct bgp_attrs a, none;
	struct wbuf wa, ww;
	struct sent *st = sent_find(w, from, k);
	enum bgp_af af = k->afi == BGP_AFI_IPV4 ? BGP_AF_IPV4_MUP :
	    BGP_AF_IPV6_MUP;

	if (st == NULL)
		return;
	wb_init(&wa, buf, sizeof(buf));
	wb_init(&ww, wbuf2, sizeof(wbuf2));
	memset(&none, 0, sizeof(none));
	if (ra != NULL) {
		bgp_rattr_to(ra, &a);
		if (!bgp_update_encode_mup(&wa, af, &a, k, 1, NULL, 0))
			w->failed = true;
	}
	if (!bgp_update_encode_mup(&ww, af, &none, NULL, 0, k, 1))
		w->failed = true;
	for (int i = 0; i < SPK__COUNT; i++) {
		uint32_t bit = 1u << i;

		if (i == (int)from)
			continue;
		if (ra != NULL && imports(&w->spk[i], ra)) {
			post(w, from, (enum spk)i, buf, wa.len);
			st->to |= bit;
		} else if (st->to & bit) {
			post(w, from, (enum spk)i, wbuf2, ww.len);
			st->to &= ~bit;
		}
	}
}

/* ---- the ladder ---- */

static void
fmt_route(char *out, size_t cap, const struct bgp_mup *k,
    const struct bgp_attrs *a, bool reach)
{
	char addr[64], sid[64];
	const struct bgp_cats *c = &a->cats;
	bool cmu = reach && (a->seen & BGP_SEEN_CATS) &&
	    c->kind == BGP_CATS_KIND_CMU;
	size_t n;

	if (k->type == BGP_MUP_DSD)
		n = (size_t)snprintf(out, cap, "%s pe=%s",
		    cmu || (!reach && (k->rd[4] & 0x80)) ? "CMU" : "DSD",
		    addr_str(k->addr, addr, sizeof(addr)));
	else
		n = (size_t)snprintf(out, cap, "T2ST teid=%u ep=%s", k->teid,
		    addr_str(k->ep, addr, sizeof(addr)));
	if (!reach || n >= cap)
		return;
	if (a->seen & BGP_SEEN_CATS) {
		if (c->has_cs_id)
			n += (size_t)snprintf(out + n, cap - n, " cs-id=S%u",
			    c->cs_id);
		if (c->has_cis_id && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " cis-id=%s",
			    cis_name(c->cis_id));
		for (size_t i = 0; i < c->nmetrics && n < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, " %s=%g",
			    cats_metric_name(c->metric[i].id),
			    c->metric[i].value);
	}
	if ((a->seen & BGP_SEEN_PREFIX_SID) && n < cap)
		n += (size_t)snprintf(out + n, cap - n, " sid=%s",
		    addr_str(a->sid.sid, sid, sizeof(sid)));
	for (size_t i = 0; i < a->nrt && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, " rt=%u:%u",
		    (unsigned)(a->rt[i] >> 32 & 0xffff),
		    (unsigned)(a->rt[i] & 0xffffffff));
}

static void
ladder_update(struct world *w, const struct msg *m, const struct bgp_update *u)
{
	const uint8_t *blocks[2] = { u->a.unreach, u->a.reach };
	uint16_t lens[2] = { u->a.unreach_len, u->a.reach_len };
	uint16_t afis[2] = { u->a.unreach_afi, u->a.reach_afi };
	char route[384];

	for (int b = 0; b < 2; b++) {
		struct cur c;
		struct bgp_mup k;
		enum bgp_err e;
		unsigned skipped = 0;

		cur_init(&c, blocks[b], lens[b]);
		while (bgp_mup_next(&c, afis[b], &k, &skipped, &e) == 1) {
			fmt_route(route, sizeof(route), &k, &u->a, b == 1);
			emit(w, "%llu %s -> %s %s %s",
			    (unsigned long long)w->now, spk_name[m->from],
			    spk_name[m->to], b == 1 ? "UPDATE" : "WITHDRAW",
			    route);
		}
	}
}

/* ---- speakers ---- */

static void
op_announce(void *ctx, const struct bgp_mup *k, const struct bgp_rattr *a)
{
	struct speaker *s = ctx;

	reflect(s->w, s->id, k, a);
}

static void
op_withdraw(void *ctx, const struct bgp_mup *k)
{
	struct speaker *s = ctx;

	reflect(s->w, s->id, k, NULL);
}

static void
op_steer(void *ctx, const struct mup_steer *st)
{
	struct speaker *s = ctx;
	struct world *w = s->w;
	char sid[64];

	s->steer = *st;
	if (st->cis_id == 0) {
		emit(w, "-- %llu %s steer teid=%u removed",
		    (unsigned long long)w->now, spk_name[s->id], st->teid);
		return;
	}
	emit(w, "-- %llu %s steer teid=%u -> cis-id=%s sid=%s%s",
	    (unsigned long long)w->now, spk_name[s->id], st->teid,
	    cis_name(st->cis_id), addr_str(st->sid, sid, sizeof(sid)),
	    st->pinned ? " pinned" : "");
}

static const struct mup_ops ops = {
	.announce = op_announce,
	.withdraw = op_withdraw,
	.steer = op_steer,
};

static void
spk_addr(enum spk i, uint8_t a[16])
{
	static const uint8_t low[SPK__COUNT] = { 0x01, 0x02, 0x0c, 0x0a, 0x0b };

	memset(a, 0, 16);
	a[0] = 0xfc;
	a[1] = 0x00;
	a[5] = low[i];
	a[15] = 1;
}

static void
paths(struct mup_cfg *c)
{
	static const struct { enum spk ran, site; uint32_t ms; } p[] = {
		{ RAN1, SITEA, 2 }, { RAN1, SITEB, 8 },
		{ RAN2, SITEA, 8 }, { RAN2, SITEB, 2 },
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		spk_addr(p[i].ran, c->path[i].ran);
		spk_addr(p[i].site, c->path[i].site);
		c->path[i].owd_ns = p[i].ms * 1000000u;
	}
	c->npath = sizeof(p) / sizeof(p[0]);
}

static void
spk_cfg(const struct world *w, enum spk i, struct mup_cfg *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", spk_name[i]);
	c->mode = w->sc->mode;
	c->asn = ASN;
	c->afi = BGP_AFI_IPV6;
	spk_addr(i, c->addr);
	cats_damp_cfg_default(&c->damp);
	cats_sel_cfg_default(&c->sel);
	c->sel.herd_max = 0;	/* the figures: the one best instance */
	paths(c);
	switch (i) {
	case RAN1:
	case RAN2:
		c->roles = MUP_RAN_PE;
		c->ran_index = i == RAN1 ? 0 : 1;
		break;
	case MUPC:
		c->roles = MUP_CONTROLLER;
		spk_addr(RAN1, c->ran[0]);
		spk_addr(RAN2, c->ran[1]);
		c->nran = 2;
		break;
	default:
		c->roles = MUP_SITE_PE;
		c->inst[0] = (struct mup_instance){
			.cs_id = CS_S1, .cis_id = i == SITEA ? CIS_S1A : CIS_S1B,
			.behavior = 0x12, .servers = 1, .capacity = 1000,
		};
		memcpy(c->inst[0].sid, c->addr, 16);
		c->inst[0].sid[15] = 0;
		c->inst[0].sid[7] = 1;
		c->ninst = 1;
		break;
	}
}

static bool
spk_init(struct world *w, enum spk i, const char **why)
{
	struct speaker *s = &w->spk[i];
	struct mup_cfg c;

	s->w = w;
	s->id = i;
	spk_cfg(w, i, &c);
	memcpy(s->addr, c.addr, 16);
	if ((s->mup = mup_new(&c, &ops, s, why)) == NULL)
		return false;
	if ((s->rib = bgp_rib_new(mup_rib_change, s->mup)) == NULL) {
		*why = "out of memory";
		return false;
	}
	if (i == RAN1 || i == RAN2) {
		s->imports[s->nimports++] = bgp_rt_as2(ASN, MUP_RT_RAN);
		s->imports[s->nimports++] = bgp_rt_as2(ASN,
		    MUP_RT_RAN_BASE + c.ran_index);
	} else if (i == MUPC) {
		s->imports[s->nimports++] = bgp_rt_as2(ASN, MUP_RT_CONTROLLER);
	}
	return true;
}

static void
deliver(struct world *w, struct msg *m)
{
	struct speaker *s = &w->spk[m->to];
	struct bgp_update u;
	enum bgp_err e;
	uint16_t len;
	uint8_t type;

	if (bgp_hdr_decode(m->buf, m->len, &type, &len) != BGP_OK ||
	    type != BGP_UPDATE || len != m->len) {
		w->failed = true;
		return;
	}
	bgp_update_decode(m->buf + BGP_HDR_LEN, len - BGP_HDR_LEN, true, &u);
	if (u.err != BGP_OK) {
		emit(w, "!! %s: %s", spk_name[m->to], bgp_err_name(u.err));
		w->failed = true;
		return;
	}
	w->res->updates++;
	ladder_update(w, m, &u);
	mup_set_time(s->mup, w->now);
	if (bgp_rib_apply(s->rib, m->from, &u, &e) < 0)
		w->failed = true;
}

static void
session(struct world *w, const struct step *st, struct mup_session *e)
{
	memset(e, 0, sizeof(*e));
	e->teid = TEID;
	spk_addr(MUPC, e->ep);
	e->ep[15] = 0x99;	/* the UPF's N3 address */
	e->cs_id = CS_S1;
	e->ran_index = st->a;
	e->sticky = st->u != 0;
	/* Distributed: the state is where the old RAN PE steered it. */
	if (w->sc->mode == MUP_DISTRIBUTED && st->op == OP_MOVE)
		e->prev_cis_id = w->spk[RAN1].steer.cis_id;
}

static void
run_step(struct world *w, const struct step *st)
{
	struct mup *c = w->spk[MUPC].mup;
	struct mup_session e;
	struct cats_sample m[2] = {
		{ .id = CATS_M_UTIL, .stat = CATS_STAT_CUR },
		{ .id = CATS_M_PROC_DELAY, .stat = CATS_STAT_MEAN,
		  .window_ms = 1000, .value = 2 * MS_NS },
	};
	bool ok = true;

	switch (st->op) {
	case OP_METRICS:
		m[0].value = st->u / 1000.0;
		emit(w, "-- %llu %s C-SMA util=%g", (unsigned long long)w->now,
		    spk_name[st->a], m[0].value);
		ok = mup_metrics(w->spk[st->a].mup,
		    st->a == SITEA ? CIS_S1A : CIS_S1B, m, 2, w->now) ==
		    CATS_MERR_OK;
		break;
	case OP_UP:
		session(w, st, &e);
		emit(w, "-- %llu mobility session-up teid=%u cs-id=S%u ran=%s%s",
		    (unsigned long long)w->now, e.teid, e.cs_id,
		    spk_name[e.ran_index], e.sticky ? " sticky" : "");
		ok = mup_session_up(c, &e, w->now);
		break;
	case OP_MOVE:
		session(w, st, &e);
		emit(w, "-- %llu mobility session-move teid=%u ran=%s%s",
		    (unsigned long long)w->now, e.teid, spk_name[e.ran_index],
		    e.sticky ? " sticky" : "");
		ok = mup_session_move(c, &e, w->now);
		break;
	case OP_RELEASE:
		emit(w, "-- %llu mobility session-release teid=%u",
		    (unsigned long long)w->now, TEID);
		ok = mup_session_release(c, TEID, w->now);
		break;
	}
	if (!ok) {
		emit(w, "!! step at %llu refused", (unsigned long long)st->at);
		w->failed = true;
	}
}

static void
drop_item(struct sim_item *it)
{
	free(it->p);
}

static void
world_free(struct world *w)
{
	for (int i = 0; i < SPK__COUNT; i++) {
		bgp_rib_free(w->spk[i].rib);
		mup_free(w->spk[i].mup);
	}
	sim_queue_free(w->q, drop_item);
	free(w->sent);
}

static const struct scen *
scen_find(const char *name)
{
	for (size_t i = 0; i < NSCEN; i++)
		if (strcmp(scens[i].name, name) == 0)
			return &scens[i];
	return NULL;
}

size_t
sim_mup_count(void)
{
	return NSCEN;
}

const char *
sim_mup_name(size_t i)
{
	return i < NSCEN ? scens[i].name : NULL;
}

const char *
sim_mup_desc(size_t i)
{
	return i < NSCEN ? scens[i].desc : NULL;
}

static void
finish(struct world *w)
{
	const struct speaker *want = &w->spk[w->sc->want_ran];
	const struct speaker *other = &w->spk[w->sc->want_ran == RAN1 ? RAN2 :
	    RAN1];
	struct mup_steer st;

	w->res->final_cis = mup_steer_get(want->mup, TEID, &st) ? st.cis_id : 0;
	w->res->stale = mup_steer_get(other->mup, TEID, &st);
	w->res->ok = !w->failed && w->res->final_cis == w->sc->want_cis &&
	    !w->res->stale;
	emit(w, "summary: teid=%u steered at %s to cis-id=%s, %s %s; "
	    "updates=%llu", TEID, spk_name[w->sc->want_ran],
	    cis_name(w->res->final_cis), spk_name[other->id],
	    w->res->stale ? "still steers" : "steers nothing",
	    (unsigned long long)w->res->updates);
}

bool
sim_mup_run(const char *name, sim_line_fn line, void *arg,
    struct sim_mup_result *res, const char **why)
{
	struct world w = { .line = line, .line_arg = arg, .res = res };
	struct sim_item it;
	size_t next = 0;

	memset(res, 0, sizeof(*res));
	if ((w.sc = scen_find(name)) == NULL) {
		*why = "unknown scenario";
		return false;
	}
	if ((w.q = sim_queue_new()) == NULL) {
		*why = "out of memory";
		return false;
	}
	for (int i = 0; i < SPK__COUNT; i++)
		if (!spk_init(&w, (enum spk)i, why)) {
			world_free(&w);
			return false;
		}
	/* Step 0: the site PEs' DSDs. */
	mup_start(w.spk[SITEA].mup, 0);
	mup_start(w.spk[SITEB].mup, 0);
	while (!w.failed) {
		const struct sim_item *top = sim_queue_peek(w.q);
		bool script = next < w.sc->nsteps &&
		    (top == NULL || w.sc->steps[next].at <= top->at);

		if (script) {
			w.now = w.sc->steps[next].at;
			run_step(&w, &w.sc->steps[next++]);
			continue;
		}
		if (!sim_queue_pop(w.q, &it))
			break;
		w.now = it.at;
		deliver(&w, it.p);
		free(it.p);
	}
	finish(&w);
	world_free(&w);
	return true;
}
