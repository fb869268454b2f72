/*
 * The CATS-MUP scenarios of draft-dcn-dmm-cats-mup (src/sim/mup.c): each
 * ladder, with the times left out, must be exactly the figure's sequence
 * of routes and steering decisions; plus the roles' edge cases driven
 * directly (a withdrawn DSD, a T2ST with no DSD, a route without the CATS
 * attribute, metric validation and damping).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cats/mup.h"
#include "cats/sim.h"

#define MAX_LINES	64

struct seq {
	char	 line[MAX_LINES][160];
	size_t	 n;
};

/* Drop the time: "51 a -> b X" and "-- 51 a steer" become "a -> b X" and
 * "-- a steer". */
static void
collect(void *arg, const char *line)
{
	struct seq *q = arg;
	const char *p = line;
	bool ev = strncmp(p, "-- ", 3) == 0;

	if (q->n == MAX_LINES)
		return;
	if (ev)
		p += 3;
	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	snprintf(q->line[q->n++], sizeof(q->line[0]), "%s%s", ev ? "-- " : "",
	    p);
}

static void
run(const char *name, struct seq *q, struct sim_mup_result *r)
{
	const char *why = NULL;

	memset(q, 0, sizeof(*q));
	assert_true(sim_mup_run(name, collect, q, r, &why));
	assert_true(r->ok);
}

/* The expected lines, in order and nothing else (summary aside). */
static void
expect(const struct seq *q, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i >= q->n || strcmp(q->line[i], want[i]) != 0) {
			print_error("line %zu: got '%s'\n       want '%s'\n", i,
			    i < q->n ? q->line[i] : "(end)", want[i]);
			fail();
		}
	}
	assert_int_equal(q->n, n + 1);
	assert_true(strncmp(q->line[n], "summary:", 8) == 0);
}

#define DSD_A	"DSD pe=fc00:0:a::1 cs-id=S1 cis-id=S1A"
#define DSD_B	"DSD pe=fc00:0:b::1 cs-id=S1 cis-id=S1B"
#define SID_A	"sid=fc00:0:a:1::"
#define SID_B	"sid=fc00:0:b:1::"
#define MET(u)	"utilisation=" u " processing-delay=2e+06"
#define T2ST	"T2ST teid=100 ep=fc00:0:c::99"

/* Step 0 of every figure: a DSD per instance to every RAN PE, once. */
#define STEP0 \
	"siteA-pe -> ran1-pe UPDATE " DSD_A " " SID_A " rt=65000:1", \
	"siteA-pe -> ran2-pe UPDATE " DSD_A " " SID_A " rt=65000:1", \
	"siteB-pe -> ran1-pe UPDATE " DSD_B " " SID_B " rt=65000:1", \
	"siteB-pe -> ran2-pe UPDATE " DSD_B " " SID_B " rt=65000:1", \
	"-- siteA-pe C-SMA util=0.2", \
	"-- siteB-pe C-SMA util=0.3"

/* Centralized: metrics go to the controller only, as CMU routes. */
#define CMU1 \
	"siteA-pe -> mup-c UPDATE CMU pe=fc00:0:a::1 cs-id=S1 cis-id=S1A " \
	    MET("0.2") " rt=65000:2", \
	"siteB-pe -> mup-c UPDATE CMU pe=fc00:0:b::1 cs-id=S1 cis-id=S1B " \
	    MET("0.3") " rt=65000:2"

/* Distributed: the DSDs themselves carry the metrics to every RAN PE. */
#define DSD1 \
	"siteA-pe -> ran1-pe UPDATE " DSD_A " " MET("0.2") " " SID_A \
	    " rt=65000:1", \
	"siteA-pe -> ran2-pe UPDATE " DSD_A " " MET("0.2") " " SID_A \
	    " rt=65000:1", \
	"siteB-pe -> ran1-pe UPDATE " DSD_B " " MET("0.3") " " SID_B \
	    " rt=65000:1", \
	"siteB-pe -> ran2-pe UPDATE " DSD_B " " MET("0.3") " " SID_B \
	    " rt=65000:1"

#define N(a)	(sizeof(a) / sizeof(a[0]))

/* Figure 3. */
static void
central_new(void **state)
{
	static const char *const want[] = {
		STEP0, CMU1,
		"-- mobility session-up teid=100 cs-id=S1 ran=ran1-pe",
		/* 3-4: the controller picks S1A and says so in the T2ST */
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 cis-id=S1A "
		    "rt=65000:100",
		/* 5: the RAN PE resolves it with the DSD of S1A */
		"-- ran1-pe steer teid=100 -> cis-id=S1A " SID_A,
		"-- siteA-pe C-SMA util=0.97",
		"siteA-pe -> mup-c UPDATE CMU pe=fc00:0:a::1 cs-id=S1 "
		    "cis-id=S1A " MET("0.97") " rt=65000:2",
		/* 6-8: the optimum moved to S1B: a new T2ST */
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 cis-id=S1B "
		    "rt=65000:100",
		/* 9 */
		"-- ran1-pe steer teid=100 -> cis-id=S1B " SID_B,
	};
	struct sim_mup_result r;
	struct seq q;

	(void)state;
	run("mup-central-new", &q, &r);
	expect(&q, want, N(want));
}

/* Figure 4 without 3a. */
static void
central_move(void **state)
{
	static const char *const want[] = {
		STEP0, CMU1,
		"-- mobility session-up teid=100 cs-id=S1 ran=ran1-pe",
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 cis-id=S1A "
		    "rt=65000:100",
		"-- ran1-pe steer teid=100 -> cis-id=S1A " SID_A,
		/* 2: the UE moves to RAN2 */
		"-- mobility session-move teid=100 ran=ran2-pe",
		"mup-c -> ran1-pe WITHDRAW " T2ST,
		"-- ran1-pe steer teid=100 removed",
		/* 3-4: the optimum from RAN2 is S1B */
		"mup-c -> ran2-pe UPDATE " T2ST " cs-id=S1 cis-id=S1B "
		    "rt=65000:101",
		/* 5 */
		"-- ran2-pe steer teid=100 -> cis-id=S1B " SID_B,
	};
	struct sim_mup_result r;
	struct seq q;

	(void)state;
	run("mup-central-move", &q, &r);
	expect(&q, want, N(want));
}

/* Figure 4 with 3a: the stateful session keeps S1A until released. */
static void
central_move_sticky(void **state)
{
	static const char *const want[] = {
		STEP0, CMU1,
		"-- mobility session-up teid=100 cs-id=S1 ran=ran1-pe sticky",
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 cis-id=S1A "
		    "rt=65000:100",
		"-- ran1-pe steer teid=100 -> cis-id=S1A " SID_A,
		"-- mobility session-move teid=100 ran=ran2-pe sticky",
		"mup-c -> ran1-pe WITHDRAW " T2ST,
		"-- ran1-pe steer teid=100 removed",
		/* 3a: the T2ST maps the session to the previous instance */
		"mup-c -> ran2-pe UPDATE " T2ST " cs-id=S1 cis-id=S1A "
		    "rt=65000:101",
		"-- ran2-pe steer teid=100 -> cis-id=S1A " SID_A,
		/* 3a: after the migration / the flow completed; 3-5 */
		"-- mobility session-release teid=100",
		"mup-c -> ran2-pe UPDATE " T2ST " cs-id=S1 cis-id=S1B "
		    "rt=65000:101",
		"-- ran2-pe steer teid=100 -> cis-id=S1B " SID_B,
	};
	struct sim_mup_result r;
	struct seq q;

	(void)state;
	run("mup-central-move-sticky", &q, &r);
	expect(&q, want, N(want));
}

/* Figure 6. */
static void
dist_new(void **state)
{
	static const char *const want[] = {
		STEP0, DSD1,
		"-- mobility session-up teid=100 cs-id=S1 ran=ran1-pe",
		/* 2: the T2ST carries the CS-ID only */
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 rt=65000:100",
		/* 3: the RAN PE's C-PS picks S1A */
		"-- ran1-pe steer teid=100 -> cis-id=S1A " SID_A,
		"-- siteA-pe C-SMA util=0.97",
		"siteA-pe -> ran1-pe UPDATE " DSD_A " " MET("0.97") " " SID_A
		    " rt=65000:1",
		/* 4-5: the RAN PE's C-PS moves it to S1B, no T2ST needed */
		"-- ran1-pe steer teid=100 -> cis-id=S1B " SID_B,
		"siteA-pe -> ran2-pe UPDATE " DSD_A " " MET("0.97") " " SID_A
		    " rt=65000:1",
	};
	struct sim_mup_result r;
	struct seq q;

	(void)state;
	run("mup-dist-new", &q, &r);
	expect(&q, want, N(want));
}

/* Figure 7 without 3a. */
static void
dist_move(void **state)
{
	static const char *const want[] = {
		STEP0, DSD1,
		"-- mobility session-up teid=100 cs-id=S1 ran=ran1-pe",
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 rt=65000:100",
		"-- ran1-pe steer teid=100 -> cis-id=S1A " SID_A,
		"-- mobility session-move teid=100 ran=ran2-pe",
		"mup-c -> ran1-pe WITHDRAW " T2ST,
		"-- ran1-pe steer teid=100 removed",
		/* 3 */
		"mup-c -> ran2-pe UPDATE " T2ST " cs-id=S1 rt=65000:101",
		/* 4: the C-PS at RAN2 picks S1B */
		"-- ran2-pe steer teid=100 -> cis-id=S1B " SID_B,
	};
	struct sim_mup_result r;
	struct seq q;

	(void)state;
	run("mup-dist-move", &q, &r);
	expect(&q, want, N(want));
}

/* Figure 7 with 3a: a special T2ST pins the previous CIS-ID. */
static void
dist_move_sticky(void **state)
{
	static const char *const want[] = {
		STEP0, DSD1,
		"-- mobility session-up teid=100 cs-id=S1 ran=ran1-pe sticky",
		"mup-c -> ran1-pe UPDATE " T2ST " cs-id=S1 rt=65000:100",
		"-- ran1-pe steer teid=100 -> cis-id=S1A " SID_A,
		"-- mobility session-move teid=100 ran=ran2-pe sticky",
		"mup-c -> ran1-pe WITHDRAW " T2ST,
		"-- ran1-pe steer teid=100 removed",
		"mup-c -> ran2-pe UPDATE " T2ST " cs-id=S1 cis-id=S1A "
		    "rt=65000:101",
		"-- ran2-pe steer teid=100 -> cis-id=S1A " SID_A " pinned",
		"-- mobility session-release teid=100",
		/* the normal T2ST: the C-PS at RAN2 now picks S1B */
		"mup-c -> ran2-pe UPDATE " T2ST " cs-id=S1 rt=65000:101",
		"-- ran2-pe steer teid=100 -> cis-id=S1B " SID_B,
	};
	struct sim_mup_result r;
	struct seq q;

	(void)state;
	run("mup-dist-move-sticky", &q, &r);
	expect(&q, want, N(want));
}

static void
unknown_scenario(void **state)
{
	struct sim_mup_result r;
	const char *why = NULL;

	(void)state;
	assert_false(sim_mup_run("mup-nope", NULL, NULL, &r, &why));
	assert_string_equal(why, "unknown scenario");
	assert_int_equal(sim_mup_count(), 6);
	assert_null(sim_mup_name(6));
}

/* ---- the roles driven directly ---- */

struct rec {
	size_t		 announced, withdrawn, steered;
	struct bgp_mup	 last_key;
	struct bgp_rattr last_attr;
	struct mup_steer last_steer;
};

static void
rec_announce(void *ctx, const struct bgp_mup *k, const struct bgp_rattr *a)
{
	struct rec *r = ctx;

	r->announced++;
	r->last_key = *k;
	r->last_attr = *a;
}

static void
rec_withdraw(void *ctx, const struct bgp_mup *k)
{
	struct rec *r = ctx;

	r->withdrawn++;
	r->last_key = *k;
}

static void
rec_steer(void *ctx, const struct mup_steer *s)
{
	struct rec *r = ctx;

	r->steered++;
	r->last_steer = *s;
}

static const struct mup_ops rec_ops = {
	.announce = rec_announce, .withdraw = rec_withdraw,
	.steer = rec_steer,
};

static void
base_cfg(struct mup_cfg *c, uint32_t roles, enum mup_mode mode)
{
	memset(c, 0, sizeof(*c));
	c->roles = roles;
	c->mode = mode;
	c->asn = 65000;
	c->afi = BGP_AFI_IPV6;
	c->addr[0] = 0xfc;
	c->addr[15] = 1;
	cats_damp_cfg_default(&c->damp);
	cats_sel_cfg_default(&c->sel);
}

/* A distributed RAN PE, or a central controller whose one RAN is its own
 * address, with mup.paths putting site A (pa) 1 ms away and site B (pb)
 * 20 ms. */
static struct mup *
two_sites_new(struct mup_cfg *c, struct rec *r, uint32_t roles,
    const uint8_t pa[16], const uint8_t pb[16])
{
	struct mup *m;
	const char *why;

	if (roles == MUP_CONTROLLER) {
		base_cfg(c, MUP_CONTROLLER, MUP_CENTRAL);
		c->nran = 1;
		memcpy(c->ran[0], c->addr, 16);
	} else
		base_cfg(c, MUP_RAN_PE, MUP_DISTRIBUTED);
	memcpy(c->path[0].ran, c->addr, 16);
	memcpy(c->path[0].site, pa, 16);
	c->path[0].owd_ns = 1000000;
	memcpy(c->path[1].ran, c->addr, 16);
	memcpy(c->path[1].site, pb, 16);
	c->path[1].owd_ns = 20000000;
	c->npath = 2;
	assert_non_null(m = mup_new(c, &rec_ops, r, &why));
	return m;
}

static void
site_pe(void **state)
{
	struct mup_instance in = { .cs_id = 1, .cis_id = 7, .behavior = 0x12 };
	struct cats_sample s = { .id = CATS_M_UTIL, .stat = CATS_STAT_CUR,
	    .value = 0.5 };
	struct cats_sample bad = { .id = CATS_M_OWD, .stat = CATS_STAT_CUR,
	    .value = 1 };
	struct rec r = { 0 };
	struct mup_cfg c;
	struct mup *m;
	const char *why;
	uint64_t floor_n;

	(void)state;
	base_cfg(&c, MUP_SITE_PE, MUP_CENTRAL);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	assert_true(mup_instance_add(m, &in, 0));
	assert_int_equal(r.announced, 1);
	assert_int_equal(r.last_key.type, BGP_MUP_DSD);
	assert_true(r.last_attr.has_sid && r.last_attr.has_mup_ec);
	assert_int_equal(bgp_mup_ec_local(&r.last_attr.mup_ec), 1);	/* CS-ID as the EC */
	assert_int_equal(r.last_attr.cats.cis_id, 7);
	assert_false(mup_instance_add(m, &in, 0));	/* twice */
	in.cis_id = MUP_CMU_RD_BIT;			/* collides with CMU */
	assert_false(mup_instance_add(m, &in, 0));
	/* A network metric is not the site's to send: refused, counted. */
	assert_int_equal(mup_metrics(m, 7, &bad, 1, 10), CATS_MERR_WRONG_KIND);
	assert_int_equal(mup_counters(m)->bad_metric, 1);
	assert_int_equal(mup_metrics(m, 99, &s, 1, 10),
	    CATS_MERR_UNKNOWN_INSTANCE);
	/* First value goes out as a CMU; the same value again is damped. */
	assert_int_equal(mup_metrics(m, 7, &s, 1, 10), CATS_MERR_OK);
	assert_int_equal(r.announced, 2);
	assert_int_equal(r.last_attr.cats.kind, BGP_CATS_KIND_CMU);
	assert_true(r.last_key.rd[4] & 0x80);
	assert_int_equal(mup_metrics(m, 7, &s, 1, 20), CATS_MERR_OK);
	assert_int_equal(r.announced, 2);
	/* Periodic refresh: nothing before the damping interval, then the
	 * same values again. */
	assert_int_equal(mup_tick(m, 1000), 10 + c.damp.max_interval_ms);
	assert_int_equal(r.announced, 2);
	assert_int_equal(mup_tick(m, 10 + c.damp.max_interval_ms),
	    10 + 2 * c.damp.max_interval_ms);
	assert_int_equal(r.announced, 3);
	assert_int_equal(r.last_attr.cats.kind, BGP_CATS_KIND_CMU);
	assert_true(r.last_attr.cats.metric[0].value == 0.5);
	/* With the section 3 floor: a jump right after an update is held
	 * and goes when the floor allows, from mup_tick. */
	c.damp.min_interval_ms = 30000;
	mup_free(m);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	in.cis_id = 7;
	assert_true(mup_instance_add(m, &in, 0));
	assert_int_equal(mup_metrics(m, 7, &s, 1, 10), CATS_MERR_OK);
	floor_n = r.announced;
	s.value = 0.95;
	assert_int_equal(mup_metrics(m, 7, &s, 1, 20), CATS_MERR_OK);
	assert_int_equal(r.announced, floor_n);		/* held */
	assert_int_equal(mup_tick(m, 1000), 10 + 30000);
	assert_int_equal(r.announced, floor_n);
	mup_tick(m, 10 + 30000);
	assert_int_equal(r.announced, floor_n + 1);	/* it went */
	assert_true(r.last_attr.cats.metric[0].value == 0.95);
	/* Removal withdraws the DSD and the CMU. */
	assert_true(mup_instance_remove(m, 7, 30));
	assert_int_equal(r.withdrawn, 2);
	assert_false(mup_instance_remove(m, 7, 30));
	mup_free(m);
}

static void
dsd_attrs(struct bgp_rattr *a, uint32_t cs, uint32_t cis)
{
	memset(a, 0, sizeof(*a));
	a->has_cats = true;
	a->cats.has_cs_id = a->cats.has_cis_id = true;
	a->cats.cs_id = cs;
	a->cats.cis_id = cis;
	a->has_sid = true;
	a->sid.sid[0] = 0xfc;
	a->sid.sid[1] = (uint8_t)cis;
	a->nrt = 1;
	a->rt[0] = bgp_rt_as2(65000, MUP_RT_RAN);
}

/* Central RAN PE: T2ST before its DSD, DSD withdrawn, bad routes. */
static void
ran_pe_central(void **state)
{
	struct rec r = { 0 };
	struct bgp_rattr dsd, t2, nocats;
	struct bgp_mup kd, kt;
	struct mup_steer st;
	uint8_t pe[16] = { 0xfc, 0, 0, 0, 0, 0x0a }, ep[16] = { 0x20, 1 };
	struct mup_cfg c;
	struct mup *m;
	const char *why;

	(void)state;
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	c.ran_index = 3;
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, 21, false);
	mup_t2st_key(&kt, BGP_AFI_IPV6, 65000, ep, 500);
	dsd_attrs(&dsd, 1, 21);
	t2 = dsd;
	t2.has_sid = false;
	t2.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE + 3);
	/* The T2ST first: nothing to resolve it with yet. */
	mup_rib_change(m, 0, BGP_RIB_ADD, &kt, NULL, &t2);
	assert_int_equal(r.steered, 0);
	assert_int_equal(mup_counters(m)->unresolved, 1);
	/* The DSD arrives: the session is steered to its SID. */
	mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &dsd);
	assert_int_equal(r.steered, 1);
	assert_true(mup_steer_get(m, 500, &st));
	assert_int_equal(st.cis_id, 21);
	assert_int_equal(st.sid[1], 21);
	/* The DSD goes: steering removed, not left pointing nowhere. */
	mup_rib_change(m, 0, BGP_RIB_WITHDRAW, &kd, &dsd, NULL);
	assert_int_equal(r.steered, 2);
	assert_int_equal(r.last_steer.cis_id, 0);
	assert_false(mup_steer_get(m, 500, &st));
	/* A T2ST for another RAN PE is not ours. */
	t2.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE + 4);
	mup_t2st_key(&kt, BGP_AFI_IPV6, 65000, ep, 501);
	mup_rib_change(m, 0, BGP_RIB_ADD, &kt, NULL, &t2);
	assert_int_equal(mup_steer_list(m, NULL, 0), 0);
	/* A DSD without the CATS attribute is counted and ignored. */
	memset(&nocats, 0, sizeof(nocats));
	mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &nocats);
	assert_int_equal(mup_counters(m)->bad_route, 1);
	mup_free(m);
}

/* Plain MUP routes (a gobgp CLI user's: no attribute 255) still steer:
 * CS-ID from the direct segment community, CIS-ID from the DSD's RD. */
static void
ran_pe_plain_mup(void **state)
{
	struct rec r = { 0 };
	struct bgp_rattr dsd, t2;
	struct bgp_mup kd, kt;
	struct mup_steer st;
	uint8_t pe[16] = { 0xfc, 0, 0, 0, 0, 0x0b }, ep[16] = { 0x20, 1 };
	struct mup_cfg c;
	struct mup *m;
	const char *why;

	(void)state;
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, 31, false);
	memset(&dsd, 0, sizeof(dsd));
	dsd.has_mup_ec = true;
	bgp_mup_ec_as2(&dsd.mup_ec, 65000, 5);
	dsd.has_sid = true;
	dsd.sid.sid[0] = 0xfc;
	dsd.sid.sid[2] = 0xbb;
	t2 = dsd;
	t2.has_sid = false;
	t2.nrt = 1;
	t2.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE);
	mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &dsd);
	mup_t2st_key(&kt, BGP_AFI_IPV6, 65000, ep, 77);
	mup_rib_change(m, 0, BGP_RIB_ADD, &kt, NULL, &t2);
	assert_true(mup_steer_get(m, 77, &st));
	assert_int_equal(st.cs_id, 5);
	assert_int_equal(st.cis_id, 31);
	assert_int_equal(st.sid[2], 0xbb);
	assert_int_equal(st.qfi, -1);
	/* draft-ietf-bess-mup-safi-01 3.1.5: the same T2ST with the session
	 * parameters TLV steers the same, and its QFI is kept. */
	{
		static const uint8_t sp[] = { 1, 5, 0, 0, 0, 77, 9 };

		assert_int_equal(bgp_mup_tlv_parse(&kt, sp, sizeof(sp)),
		    BGP_MUP_TLV_OK);
		mup_rib_change(m, 0, BGP_RIB_REPLACE, &kt, &t2, &t2);
		assert_true(mup_steer_get(m, 77, &st));
		assert_int_equal(st.cis_id, 31);
		assert_int_equal(st.qfi, 9);
	}
	/* Withdrawn by the CLI: steering goes. */
	mup_rib_change(m, 0, BGP_RIB_WITHDRAW, &kt, &t2, NULL);
	assert_false(mup_steer_get(m, 77, &st));
	assert_int_equal(r.last_steer.cis_id, 0);
	mup_free(m);
}

/* Instances come and go over a daemon's life: their slots come back.  A
 * DSD whose SID changes re-steers the sessions on it. */
static void
ran_pe_churn_and_new_sid(void **state)
{
	struct rec r = { 0 };
	struct bgp_rattr dsd, t2;
	struct bgp_mup kd, kt;
	struct mup_steer st;
	uint8_t pe[16] = { 0xfc, 0, 0, 0, 0, 0x0a }, ep[16] = { 0x20, 1 };
	struct mup_cfg c;
	struct mup *m;
	const char *why;

	(void)state;
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	for (uint32_t cis = 1000; cis < 1000 + 4 * MUP_MAX_INSTANCES; cis++) {
		mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, cis, false);
		dsd_attrs(&dsd, 1, cis);
		mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &dsd);
		mup_rib_change(m, 0, BGP_RIB_WITHDRAW, &kd, &dsd, NULL);
	}
	/* and withdrawals of instances never seen take nothing */
	for (uint32_t cis = 5000; cis < 5000 + 2 * MUP_MAX_INSTANCES; cis++) {
		mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, cis, false);
		dsd_attrs(&dsd, 1, cis);
		mup_rib_change(m, 0, BGP_RIB_WITHDRAW, &kd, &dsd, NULL);
	}
	assert_int_equal(mup_counters(m)->table_full, 0);
	mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, 21, false);
	dsd_attrs(&dsd, 1, 21);
	mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &dsd);
	t2 = dsd;
	t2.has_sid = false;
	t2.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE);
	mup_t2st_key(&kt, BGP_AFI_IPV6, 65000, ep, 600);
	mup_rib_change(m, 0, BGP_RIB_ADD, &kt, NULL, &t2);
	assert_true(mup_steer_get(m, 600, &st));
	assert_int_equal(st.sid[1], 21);
	/* The site moves the instance to a new SID. */
	{
		struct bgp_rattr moved = dsd;

		moved.sid.sid[2] = 0x77;
		mup_rib_change(m, 0, BGP_RIB_REPLACE, &kd, &dsd, &moved);
	}
	assert_true(mup_steer_get(m, 600, &st));
	assert_int_equal(st.sid[2], 0x77);
	assert_int_equal(r.last_steer.sid[2], 0x77);
	mup_free(m);
}

/* The same DSD key naming another instance: the old one goes.  Services
 * come and go: their C-PS slots come back (more than MUP_MAX_SERVICES over
 * a controller's life). */
static void
replaced_instance_and_services(void **state)
{
	struct rec r = { 0 };
	struct bgp_rattr d5, d6, cmu;
	struct bgp_mup kd;
	struct mup_session e = { .teid = 9, .ran_index = 0 };
	uint8_t pe[16] = { 0xfc, 0, 0, 0, 0, 0x0a };
	struct mup_cfg c;
	struct mup *m;
	const char *why;
	struct cats_sample u[2] = {
		{ .id = CATS_M_UTIL, .stat = CATS_STAT_CUR, .value = 0.3 },
		{ .id = CATS_M_PROC_DELAY, .stat = CATS_STAT_MEAN,
		  .window_ms = 1000, .value = 2e6 },
	};

	(void)state;
	/* a RAN PE: key rd 65000:5 first names CIS 5, then CIS 6 */
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, 5, false);
	dsd_attrs(&d5, 1, 5);
	dsd_attrs(&d6, 1, 6);
	mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &d5);
	mup_rib_change(m, 0, BGP_RIB_REPLACE, &kd, &d5, &d6);
	mup_rib_change(m, 0, BGP_RIB_WITHDRAW, &kd, &d6, NULL);
	{
		struct bgp_rattr t2 = d5;
		struct bgp_mup kt;
		struct mup_steer st;
		uint8_t ep[16] = { 0x20, 1 };

		t2.has_sid = false;
		t2.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE);
		mup_t2st_key(&kt, BGP_AFI_IPV6, 65000, ep, 77);
		mup_rib_change(m, 0, BGP_RIB_ADD, &kt, NULL, &t2);
		assert_false(mup_steer_get(m, 77, &st));	/* CIS 5 gone */
	}
	mup_free(m);

	/* a controller: 3 x MUP_MAX_SERVICES services, one after another */
	base_cfg(&c, MUP_CONTROLLER, MUP_CENTRAL);
	c.ran[0][0] = 0xfc;
	c.ran[0][15] = 0x21;
	c.nran = 1;
	memcpy(c.path[0].ran, c.ran[0], 16);
	memcpy(c.path[0].site, pe, 16);
	c.path[0].owd_ns = 1000000;
	c.npath = 1;
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	for (uint32_t cs = 1; cs <= 3 * MUP_MAX_SERVICES; cs++) {
		mup_dsd_key(&kd, BGP_AFI_IPV6, 65000, pe, cs, true);
		memset(&cmu, 0, sizeof(cmu));
		cmu.has_cats = true;
		cmu.cats.kind = BGP_CATS_KIND_CMU;
		cmu.cats.has_cs_id = cmu.cats.has_cis_id = true;
		cmu.cats.cs_id = cs;
		cmu.cats.cis_id = cs;
		cmu.cats.nmetrics = 2;
		cmu.cats.metric[0] = u[0];
		cmu.cats.metric[1] = u[1];
		mup_set_time(m, cs * 10);
		mup_rib_change(m, 0, BGP_RIB_ADD, &kd, NULL, &cmu);
		e.cs_id = cs;
		assert_true(mup_session_up(m, &e, cs * 10));
		assert_int_equal(r.last_attr.cats.cis_id, cs);
		assert_true(mup_session_down(m, 9, cs * 10));
		mup_rib_change(m, 0, BGP_RIB_WITHDRAW, &kd, &cmu, NULL);
	}
	assert_int_equal(mup_counters(m)->table_full, 0);
	mup_free(m);
}

/* A distributed RAN PE's DSD for instance 'cis' at site 'pe', with the
 * compute metrics every instance here has (the same at both sites: only
 * the paths differ). */
static void
dist_dsd(struct mup *m, const uint8_t pe[16], uint32_t cis)
{
	struct bgp_rattr a;
	struct bgp_mup k;

	mup_dsd_key(&k, BGP_AFI_IPV6, 65000, pe, cis, false);
	dsd_attrs(&a, 1, cis);
	a.cats.nmetrics = 2;
	a.cats.metric[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_CUR,
	    0, 0.2 };
	a.cats.metric[1] = (struct cats_sample){ CATS_M_PROC_DELAY,
	    CATS_STAT_MEAN, 1000, 2e6 };
	mup_rib_change(m, 0, BGP_RIB_ADD, &k, NULL, &a);
}

/* The controller's T2ST for a distributed RAN PE: CS-ID only. */
static void
dist_t2st(struct mup *m, uint32_t teid)
{
	uint8_t ep[16] = { 0x20, 1, [15] = 9 };
	struct bgp_rattr a;
	struct bgp_mup k;

	memset(&a, 0, sizeof(a));
	a.has_cats = a.cats.has_cs_id = true;
	a.cats.cs_id = 1;
	a.nrt = 1;
	a.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE);
	mup_t2st_key(&k, BGP_AFI_IPV6, 65000, ep, teid);
	mup_rib_change(m, 0, BGP_RIB_ADD, &k, NULL, &a);
}

static uint32_t
steered_to(const struct mup *m, uint32_t teid)
{
	struct mup_steer st;

	return mup_steer_get(m, teid, &st) ? st.cis_id : 0;
}

/* C-NMA report: one-way delay 'ms', as stamp_sess_report gives it. */
static enum cats_metric_err
probe_report(struct mup *m, const uint8_t site[16], double ms, uint64_t now)
{
	struct cats_sample s[3] = {
		{ CATS_M_OWD, CATS_STAT_MEAN, 1000, ms * 1e6 },
		{ CATS_M_DELAY_VAR, CATS_STAT_MEAN, 1000, 1e5 },
		{ CATS_M_LOSS, CATS_STAT_MEAN, 1000, 0 },
	};

	return mup_path_samples(m, site, s, 3, now);
}

/*
 * Section 4.2.2 with a C-NMA: a distributed RAN PE's C-PS takes the
 * measured paths in place of mup.paths.  Configured: site A 1 ms, site B
 * 20 ms away; measured: the other way round.  Sessions follow the
 * measurement (a running one when the challenger wins by the hysteresis,
 * as for new DSD metrics), and a new instance at a measured site does not
 * bring the configured value back.
 */
static void
ran_pe_probed_paths(void **state)
{
	struct rec r = { 0 };
	uint8_t pa[16] = { 0xfc, 0, 0, 0, 0, 0x0a },
	    pb[16] = { 0xfc, 0, 0, 0, 0, 0x0b }, pc[16] = { 0xfc, 0, 0, 0, 0,
	    0x0c };
	struct cats_sample util = { CATS_M_UTIL, CATS_STAT_CUR, 0, 0.5 };
	struct mup_cfg c;
	struct mup *m;
	const char *why;

	(void)state;
	m = two_sites_new(&c, &r, MUP_RAN_PE, pa, pb);
	dist_dsd(m, pa, 11);
	dist_dsd(m, pb, 21);
	/* Configured paths only: A is near. */
	dist_t2st(m, 100);
	assert_int_equal(steered_to(m, 100), 11);
	/* The C-NMA measures B near and A far: the running session moves
	 * (beyond the hysteresis), a new one goes to B. */
	assert_int_equal(probe_report(m, pb, 1, 10), CATS_MERR_OK);
	assert_int_equal(steered_to(m, 100), 11);	/* 1 vs 1 ms: a tie */
	assert_int_equal(probe_report(m, pa, 20, 20), CATS_MERR_OK);
	assert_int_equal(steered_to(m, 100), 21);
	assert_int_equal(mup_counters(m)->reselect, 1);
	assert_int_equal(mup_counters(m)->path_rx, 2);
	dist_t2st(m, 101);
	assert_int_equal(steered_to(m, 101), 21);
	/* A second instance at A: the configured 1 ms is older than the
	 * measured 20 ms and stays out; still B. */
	dist_dsd(m, pa, 12);
	dist_t2st(m, 102);
	assert_int_equal(steered_to(m, 102), 21);
	/* A report of loss alone (every probe lost) keeps the delay known. */
	{
		struct cats_sample lost = { CATS_M_LOSS, CATS_STAT_MEAN, 1000,
		    1e9 };

		assert_int_equal(mup_path_samples(m, pa, &lost, 1, 30),
		    CATS_MERR_OK);
	}
	/* The measurement swaps back: the sessions follow. */
	assert_int_equal(probe_report(m, pa, 1, 40), CATS_MERR_OK);
	assert_int_equal(probe_report(m, pb, 20, 40), CATS_MERR_OK);
	assert_int_equal(steered_to(m, 100), 11);
	/* Refused, and nothing changes: a compute metric, an empty report,
	 * an older one. */
	assert_int_equal(mup_path_samples(m, pa, &util, 1, 50),
	    CATS_MERR_WRONG_KIND);
	assert_int_equal(mup_path_samples(m, pa, NULL, 0, 50), CATS_MERR_EMPTY);
	assert_int_equal(probe_report(m, pa, 50, 39), CATS_MERR_STALE);
	assert_int_equal(steered_to(m, 100), 11);
	/* At most MUP_MAX_SITES sites (2 so far). */
	for (int i = 0; i < MUP_MAX_SITES - 2; i++) {
		uint8_t ps[16] = { 0xfd, [15] = (uint8_t)i };

		assert_int_equal(probe_report(m, ps, 5, 60), CATS_MERR_OK);
	}
	{
		uint8_t ps[16] = { 0xfe };

		assert_int_equal(probe_report(m, ps, 5, 60),
		    CATS_MERR_UNKNOWN_EGRESS);
	}
	mup_free(m);

	/* Nothing configured; site C measured before any DSD names it: the
	 * report is kept and goes in with C's instance, so the C-PS can
	 * choose C (41), where B (21) has no path metric at all (plain MUP
	 * resolution would have taken the lowest CIS-ID, 21). */
	base_cfg(&c, MUP_RAN_PE, MUP_DISTRIBUTED);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	assert_int_equal(probe_report(m, pc, 5, 5), CATS_MERR_OK);
	dist_dsd(m, pb, 21);
	dist_dsd(m, pc, 41);
	dist_t2st(m, 100);
	assert_int_equal(steered_to(m, 100), 41);
	mup_free(m);

	/* A central RAN PE has no C-PS: its measurements have nowhere to go
	 * (no route carries them to the controller). */
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	assert_non_null(m = mup_new(&c, &rec_ops, &r, &why));
	assert_int_equal(probe_report(m, pa, 1, 10),
	    CATS_MERR_UNKNOWN_INGRESS);
	mup_free(m);
}

/* ---- site failure (issue [11]), through the speaker's RIB ---- */

#define PEER_A	1	/* the session that brought site A's routes */
#define PEER_B	2
#define PEER_RR	3	/* the controller's T2STs */

/* One route into the RIB from 'peer', as an UPDATE would bring it
 * (attrs NULL: a withdrawal). */
static void
rib_put(struct bgp_rib *rib, uint32_t peer, const struct bgp_mup *k,
    const struct bgp_rattr *a)
{
	uint8_t nlri[128];
	struct bgp_update u;
	enum bgp_err err;
	size_t len = bgp_mup_key(k, nlri, sizeof(nlri));

	assert_true(len > 0);
	memset(&u, 0, sizeof(u));
	if (a != NULL) {
		bgp_rattr_to(a, &u.a);
		u.a.reach_afi = k->afi;
		u.a.reach_safi = BGP_SAFI_MUP;
		u.a.reach = nlri;
		u.a.reach_len = (uint16_t)len;
	} else {
		u.a.unreach_afi = k->afi;
		u.a.unreach_safi = BGP_SAFI_MUP;
		u.a.unreach = nlri;
		u.a.unreach_len = (uint16_t)len;
	}
	assert_int_equal(bgp_rib_apply(rib, peer, &u, &err), 1);
}

static void
rib_dsd(struct bgp_rib *rib, uint32_t peer, const uint8_t pe[16],
    uint32_t cs, uint32_t cis, bool up)
{
	struct bgp_rattr a;
	struct bgp_mup k;

	mup_dsd_key(&k, BGP_AFI_IPV6, 65000, pe, cis, false);
	dsd_attrs(&a, cs, cis);
	memcpy(a.nh, pe, 16);
	a.nh_len = 16;
	a.cats.nmetrics = 2;
	a.cats.metric[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_CUR,
	    0, 0.2 };
	a.cats.metric[1] = (struct cats_sample){ CATS_M_PROC_DELAY,
	    CATS_STAT_MEAN, 1000, 2e6 };
	rib_put(rib, peer, &k, up ? &a : NULL);
}

static void
rib_t2st(struct bgp_rib *rib, uint32_t teid, uint32_t cs)
{
	uint8_t ep[16] = { 0x20, 1, [15] = 9 };
	struct bgp_rattr a;
	struct bgp_mup k;

	memset(&a, 0, sizeof(a));
	a.has_cats = a.cats.has_cs_id = true;
	a.cats.cs_id = cs;
	a.nrt = 1;
	a.rt[0] = bgp_rt_as2(65000, MUP_RT_RAN_BASE);
	a.nh_len = 16;
	a.nh[0] = 0xfc;
	mup_t2st_key(&k, BGP_AFI_IPV6, 65000, ep, teid);
	rib_put(rib, PEER_RR, &k, &a);
}

/* The one unmet session's record (asserts there is exactly one). */
static struct mup_steer
only_unmet(const struct mup *m)
{
	struct mup_steer st[2];

	assert_int_equal(mup_unmet_list(m, st, 2), 1);
	assert_true(st[0].unmet);
	return st[0];
}

/*
 * A distributed RAN PE.  Site A (1 ms) hosts S1 (cis 11) and S2 (13),
 * site B (20 ms) S1 only (21).  Site A's BGP session ends (hold timer):
 * the RIB flushes its routes, the S1 session goes to B (same service),
 * the S2 one is unmet and counted, with the reason; nothing new goes to
 * A.  A comes back: the unmet session is served, A is chosen again.
 * Then explicit withdrawals (a route reflector's after its own session to
 * the site PE ended): one instance, then the site's last.
 */
static void
ran_pe_site_failure(void **state)
{
	struct rec r = { 0 };
	uint8_t pa[16] = { 0xfc, 0, 0, 0, 0, 0x0a },
	    pb[16] = { 0xfc, 0, 0, 0, 0, 0x0b };
	const char *cause = "BGP session siteA down: hold timer expired";
	struct mup_steer st, un;
	struct bgp_rib *rib;
	struct mup_cfg c;
	struct mup *m;

	(void)state;
	m = two_sites_new(&c, &r, MUP_RAN_PE, pa, pb);
	assert_non_null(rib = bgp_rib_new(mup_rib_change, m));
	rib_dsd(rib, PEER_A, pa, 1, 11, true);
	rib_dsd(rib, PEER_A, pa, 2, 13, true);
	rib_dsd(rib, PEER_B, pb, 1, 21, true);
	rib_t2st(rib, 100, 1);
	rib_t2st(rib, 200, 2);
	assert_int_equal(steered_to(m, 100), 11);
	assert_int_equal(steered_to(m, 200), 13);
	assert_int_equal(mup_unmet_list(m, NULL, 0), 0);

	/* Site A's session ends: its instances are gone from the C-PS. */
	mup_set_time(m, 5000);
	mup_set_cause(m, cause);
	assert_int_equal(bgp_rib_flush(rib, PEER_A), 2);
	mup_set_cause(m, NULL);
	assert_int_equal(steered_to(m, 100), 21);	/* S1 at B */
	assert_true(mup_steer_get(m, 100, &st));
	assert_false(st.unmet);
	assert_string_equal(st.why, "site PE fc00:0:a:: gone: "
	    "BGP session siteA down: hold timer expired");
	assert_int_equal(st.moved_ms, 5000);
	assert_int_equal(steered_to(m, 200), 0);	/* no S2 left */
	assert_int_equal(r.last_steer.teid, 200);
	assert_int_equal(r.last_steer.cis_id, 0);	/* steering removed */
	un = only_unmet(m);
	assert_int_equal(un.teid, 200);
	assert_int_equal(un.cs_id, 2);
	assert_int_equal(un.cis_id, 0);
	assert_non_null(strstr(un.why, "hold timer expired"));
	assert_int_equal(mup_counters(m)->instance_lost, 2);
	assert_int_equal(mup_counters(m)->resteered, 1);
	assert_int_equal(mup_counters(m)->unmet, 1);
	/* A new session of S1 is not given the dead (nearer) site. */
	rib_t2st(rib, 101, 1);
	assert_int_equal(steered_to(m, 101), 21);

	/* Site A is back: the unmet session is served, and A competes
	 * again (it is nearer, beyond the hysteresis). */
	mup_set_time(m, 9000);
	rib_dsd(rib, PEER_A, pa, 1, 11, true);
	rib_dsd(rib, PEER_A, pa, 2, 13, true);
	assert_int_equal(steered_to(m, 200), 13);
	assert_int_equal(mup_unmet_list(m, NULL, 0), 0);
	assert_int_equal(mup_counters(m)->resteered, 2);
	rib_t2st(rib, 102, 1);
	assert_int_equal(steered_to(m, 102), 11);
	assert_int_equal(steered_to(m, 100), 11);

	/* The reflector withdraws A's S1 instance only: the site lives. */
	mup_set_time(m, 12000);
	rib_dsd(rib, PEER_A, pa, 1, 11, false);
	assert_int_equal(steered_to(m, 102), 21);
	assert_true(mup_steer_get(m, 102, &st));
	assert_string_equal(st.why, "cis-id 11 at site PE fc00:0:a:: "
	    "withdrawn");
	assert_int_equal(st.moved_ms, 12000);
	/* ... then its last: the site is gone, S2 unmet again. */
	rib_dsd(rib, PEER_A, pa, 2, 13, false);
	un = only_unmet(m);
	assert_int_equal(un.teid, 200);
	assert_string_equal(un.why, "site PE fc00:0:a:: gone: routes "
	    "withdrawn");
	assert_int_equal(mup_counters(m)->unmet, 2);
	/* (at the same moment: 102 left a site that is gone, not just an
	 * instance, as when a reflector withdraws a dead site's DSDs) */
	assert_true(mup_steer_get(m, 102, &st));
	assert_string_equal(st.why, un.why);
	/* Site B goes too, by its session: S1 has nowhere left. */
	mup_set_cause(m, "BGP session siteB down: NOTIFICATION received");
	bgp_rib_flush(rib, PEER_B);
	mup_set_cause(m, NULL);
	assert_int_equal(mup_unmet_list(m, NULL, 0), 4);
	assert_int_equal(mup_steer_list(m, NULL, 0), 0);
	assert_int_equal(mup_counters(m)->unmet, 5);
	/* The T2ST withdrawn (the session ended): not unmet any more. */
	{
		uint8_t ep[16] = { 0x20, 1, [15] = 9 };
		struct bgp_mup k;

		mup_t2st_key(&k, BGP_AFI_IPV6, 65000, ep, 200);
		rib_put(rib, PEER_RR, &k, NULL);
	}
	assert_int_equal(mup_unmet_list(m, NULL, 0), 3);
	bgp_rib_free(rib);
	mup_free(m);
}

/*
 * The centralized controller: its C-PS must drop an instance whose DSD
 * went even while its CMU is still there (put down, select.h), and move
 * the session's T2ST to the other site at once; the DSD back, the
 * instance is up again.
 */
static void
controller_site_failure(void **state)
{
	struct rec r = { 0 };
	uint8_t pa[16] = { 0xfc, 0, 0, 0, 0, 0x0a },
	    pb[16] = { 0xfc, 0, 0, 0, 0, 0x0b };
	struct mup_session e = { .teid = 300, .cs_id = 1 };
	struct bgp_rattr a;
	struct bgp_mup k;
	struct bgp_rib *rib;
	struct mup_cfg c;
	struct mup *m;

	(void)state;
	m = two_sites_new(&c, &r, MUP_CONTROLLER, pa, pb);
	assert_non_null(rib = bgp_rib_new(mup_rib_change, m));
	rib_dsd(rib, PEER_A, pa, 1, 11, true);
	rib_dsd(rib, PEER_B, pb, 1, 21, true);
	/* site A's CMU, from the reflector (it stays) */
	mup_dsd_key(&k, BGP_AFI_IPV6, 65000, pa, 11, true);
	dsd_attrs(&a, 1, 11);
	a.has_sid = false;
	a.cats.kind = BGP_CATS_KIND_CMU;
	a.cats.nmetrics = 1;
	a.cats.metric[0] = (struct cats_sample){ CATS_M_UTIL, CATS_STAT_CUR,
	    0, 0.2 };
	rib_put(rib, PEER_RR, &k, &a);
	assert_true(mup_session_up(m, &e, 10));
	assert_int_equal(r.last_attr.cats.cis_id, 11);
	rib_dsd(rib, PEER_A, pa, 1, 11, false);
	assert_int_equal(r.last_key.teid, 300);
	assert_int_equal(r.last_attr.cats.cis_id, 21);
	assert_int_equal(mup_counters(m)->resteered, 1);
	assert_int_equal(mup_counters(m)->unmet, 0);
	assert_int_equal(mup_unmet_list(m, NULL, 0), 0);
	/* B goes too: the session is unmet (its T2ST left as it was). */
	mup_set_cause(m, "BGP session siteB down: hold timer expired");
	bgp_rib_flush(rib, PEER_B);
	mup_set_cause(m, NULL);
	assert_int_equal(mup_counters(m)->unmet, 1);
	{
		struct mup_steer un = only_unmet(m);

		assert_int_equal(un.teid, 300);
		assert_string_equal(un.why, "site PE fc00:0:b:: gone: BGP "
		    "session siteB down: hold timer expired");
	}
	/* A's DSD is back: the instance is up, the session goes there. */
	rib_dsd(rib, PEER_A, pa, 1, 11, true);
	assert_int_equal(r.last_attr.cats.cis_id, 11);
	assert_int_equal(mup_unmet_list(m, NULL, 0), 0);
	assert_int_equal(mup_counters(m)->resteered, 2);
	bgp_rib_free(rib);
	mup_free(m);
}

static void
bad_config(void **state)
{
	struct mup_cfg c;
	const char *why = NULL;
	struct mup_ops none = { 0 };

	(void)state;
	base_cfg(&c, 0, MUP_CENTRAL);
	assert_null(mup_new(&c, &rec_ops, NULL, &why));
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	c.afi = 3;
	assert_null(mup_new(&c, &rec_ops, NULL, &why));
	base_cfg(&c, MUP_RAN_PE, MUP_CENTRAL);
	assert_null(mup_new(&c, &none, NULL, &why));
	base_cfg(&c, MUP_CONTROLLER, MUP_CENTRAL);
	c.asn = 70000;		/* RD type 0 and the EC hold two octets */
	assert_null(mup_new(&c, &rec_ops, NULL, &why));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(central_new),
		cmocka_unit_test(central_move),
		cmocka_unit_test(central_move_sticky),
		cmocka_unit_test(dist_new),
		cmocka_unit_test(dist_move),
		cmocka_unit_test(dist_move_sticky),
		cmocka_unit_test(unknown_scenario),
		cmocka_unit_test(site_pe),
		cmocka_unit_test(ran_pe_central),
		cmocka_unit_test(ran_pe_plain_mup),
		cmocka_unit_test(ran_pe_churn_and_new_sid),
		cmocka_unit_test(replaced_instance_and_services),
		cmocka_unit_test(ran_pe_probed_paths),
		cmocka_unit_test(ran_pe_site_failure),
		cmocka_unit_test(controller_site_failure),
		cmocka_unit_test(bad_config),
	};

	return cmocka_run_group_tests_name("mup", tests, NULL, NULL);
}
