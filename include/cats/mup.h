/*
 * mup: CATS in the SRv6 Mobile User Plane (draft-dcn-dmm-cats-mup), the
 * sans-I/O roles of one BGP speaker:
 *
 *   site PE     advertises a DSD route per service instance it hosts (CS-ID
 *               in the MUP extended community, CIS-ID in the CATS attribute,
 *               its SID in the Prefix-SID), withdraws it when the instance
 *               goes; advertises the instance's metrics, damped (select.h's
 *               damping, at most every max_interval): as a CMU route to the
 *               controller (centralized, section 4.1) or inside the DSD
 *               itself (distributed, section 4.2).
 *   RAN PE      imports the T2ST routes carrying its route target, resolves
 *               each against the DSD of its CIS-ID and programs SRv6
 *               steering for the session; in the distributed deployment its
 *               own C-PS picks the CIS-ID from the DSDs' metrics and the
 *               paths its C-NMA measures to each site (mup_path_samples),
 *               unless the T2ST pins one (a sticky session, figure 7,
 *               step 3a).
 *   controller  the (CATS-)MUP-C: turns session events of the mobility
 *               management system into T2ST routes (with the optimal CIS-ID
 *               chosen by its C-PS over CMU metrics when centralized), and
 *               re-advertises a T2ST when the optimum changes (figure 3,
 *               steps 6-8).  A move (figures 4 and 7) re-targets the T2ST at
 *               the new RAN PE; a sticky session first keeps its previous
 *               CIS-ID, until mup_session_release says its state moved or
 *               its flow completed.
 *
 * Routes go out through ops->announce/withdraw as (NLRI, attributes); they
 * come in through mup_rib_change, the bgp_rib_fn of the speaker's RIB.
 * Route targets say who imports what, as a route reflector with RFC 4684
 * constraint would deliver: DSDs carry MUP_RT_RAN, CMUs MUP_RT_CONTROLLER,
 * a T2ST the target RAN PE's own route target.
 */
#ifndef CATS_MUP_H
#define CATS_MUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/bgp.h"
#include "cats/select.h"

#define MUP_MAX_INSTANCES	64
#define MUP_MAX_RAN		32
/* Section 3: "updating frequency can be set to at least 30 seconds" (after
 * draft-ietf-idr-5g-edge-service-metadata): catsd's default damping floor
 * between two metric advertisements of one instance. */
#define MUP_DAMP_FLOOR_MS	30000
#define MUP_MAX_SITES		32
#define MUP_MAX_SERVICES	32
#define MUP_NAME_MAX		16
/* Why a session lost its instance: "site PE <addr> gone: <cause>". */
#define MUP_WHY_MAX		112

/* Route target values (two-octet AS specific, admin = the AS). */
#define MUP_RT_RAN		1	/* DSD: every RAN PE imports */
#define MUP_RT_CONTROLLER	2	/* CMU: the controller imports */
#define MUP_RT_RAN_BASE		100	/* T2ST: RAN PE i imports 100 + i */

/* CIS-IDs are below this; the CMU's RD sets the top bit (docs/wire.md). */
#define MUP_CMU_RD_BIT		0x80000000u

enum mup_role {
	MUP_SITE_PE	= 1 << 0,
	MUP_RAN_PE	= 1 << 1,
	MUP_CONTROLLER	= 1 << 2,
};

enum mup_mode {
	MUP_CENTRAL,		/* C-PS in the controller: section 4.1 */
	MUP_DISTRIBUTED,	/* C-PS in every RAN PE: section 4.2 */
};

/* An instance a site PE hosts. */
struct mup_instance {
	uint32_t	 cs_id;
	uint32_t	 cis_id;		/* < MUP_CMU_RD_BIT */
	uint8_t		 sid[16];		/* End.DT6/DX6 SID at the site */
	uint16_t	 behavior;		/* RFC 8986 code, e.g. 0x12 End.DT6 */
	uint32_t	 servers;		/* for the C-PS model */
	double		 capacity;
};

/* Network metric from a RAN PE to a site, as configured (mup.paths);
 * a measured one (mup_path_samples) takes its place once it comes. */
struct mup_path {
	uint8_t		 ran[16];
	uint8_t		 site[16];
	uint32_t	 owd_ns;
	uint64_t	 bw;			/* octets/s, 0 unknown */
};

struct mup_cfg {
	char		 name[MUP_NAME_MAX];
	uint32_t	 roles;			/* enum mup_role bits */
	enum mup_mode	 mode;
	uint32_t	 asn;
	uint16_t	 afi;			/* BGP_AFI_IPV6 (or IPV4) */
	uint8_t		 addr[16];		/* this PE: DSD key, next hop */
	uint32_t	 ran_index;		/* RAN PE: its route target */
	/* site PE */
	struct mup_instance inst[MUP_MAX_INSTANCES];
	size_t		 ninst;
	struct cats_damp_cfg damp;
	/* controller and distributed RAN PEs: the C-PS */
	struct cats_sel_cfg sel;
	struct mup_path	 path[MUP_MAX_RAN * MUP_MAX_SITES];
	size_t		 npath;
	/* controller: the RAN PEs it may target, index = position */
	uint8_t		 ran[MUP_MAX_RAN][16];
	size_t		 nran;
};

/* A session's uplink steering at a RAN PE. */
struct mup_steer {
	uint32_t	 teid;
	uint8_t		 ep[16];		/* T2ST endpoint address */
	uint32_t	 cs_id;
	uint32_t	 cis_id;		/* 0: no route (removed) */
	uint8_t		 site[16];		/* the DSD's PE */
	uint8_t		 sid[16];		/* from the DSD's Prefix-SID */
	bool		 pinned;		/* CIS-ID came in the T2ST */
	/* Issue [11], site failure: the session's instance went (its DSD
	 * withdrawn, or the BGP session that carried it ended).  'why' says
	 * how ("" if it never lost one), moved_ms when; 'unmet' when no
	 * other instance could take it (cis_id 0, nothing steered). */
	bool		 unmet;
	uint64_t	 moved_ms;
	char		 why[MUP_WHY_MAX];
	/* The QFI of the T2ST's 3gpp-5g session parameters TLV
	 * (draft-ietf-bess-mup-safi-01 3.1.5.1); -1 without one.  Its
	 * source address TLV (3.1.5.3): sa_len 4 or 16, 0 without. */
	int16_t		 qfi;
	uint8_t		 sa_len;
	uint8_t		 sa[16];
};

struct mup_ops {
	void	(*announce)(void *ctx, const struct bgp_mup *,
		    const struct bgp_rattr *);
	void	(*withdraw)(void *ctx, const struct bgp_mup *);
	/* RAN PE: install (cis_id != 0) or remove the session's steering. */
	void	(*steer)(void *ctx, const struct mup_steer *);
	/* Something worth a line in a log or a ladder (may be NULL). */
	void	(*note)(void *ctx, const char *what);
};

/* A session event of the mobility management system (the controller). */
struct mup_session {
	uint32_t	 teid;			/* non-zero */
	uint8_t		 ep[16];		/* core-side endpoint (UPF) */
	uint32_t	 cs_id;
	uint32_t	 ran_index;		/* the RAN PE serving the UE */
	bool		 sticky;		/* stateful: keep the instance */
	/* distributed and sticky: where the state is, when the controller
	 * did not choose it (0: the controller's last known) */
	uint32_t	 prev_cis_id;
};

struct mup_counters {
	uint64_t	 dsd_tx, cmu_tx, t2st_tx, withdraw_tx;
	uint64_t	 dsd_rx, cmu_rx, t2st_rx;
	uint64_t	 steer, unresolved;	/* T2ST with no DSD (yet) */
	uint64_t	 reselect;		/* optimum changed */
	uint64_t	 bad_route;		/* CATS attribute missing/wrong */
	uint64_t	 bad_metric;
	uint64_t	 table_full;		/* instance, service or site table */
	uint64_t	 path_rx;		/* C-NMA reports taken */
	/* Site failure (issue [11]): instances whose DSD went, sessions
	 * moved off such an instance to a live one (at once, or later from
	 * unmet), sessions left with none (unmet). */
	uint64_t	 instance_lost, resteered, unmet;
};

struct mup;

struct mup	*mup_new(const struct mup_cfg *, const struct mup_ops *,
		    void *ctx, const char **why);
void		 mup_free(struct mup *);
/* Advertise what the roles advertise from the start (DSDs). */
void		 mup_start(struct mup *, uint64_t now_ms);
/* The time RIB changes are handled at (the RIB's callback has none). */
void		 mup_set_time(struct mup *, uint64_t now_ms);
/*
 * Why the withdrawals that follow happen, for the sessions they move
 * (catsd: "BGP session NAME down: hold timer expired" around the RIB's
 * flush of that peer); NULL after, and for an explicit withdrawal.  The
 * string must live until the next call.
 */
void		 mup_set_cause(struct mup *, const char *why);
/* The RIB's change callback (bgp_rib_fn); ctx is the struct mup. */
void		 mup_rib_change(void *mup, uint32_t peer, enum bgp_rib_op,
		    const struct bgp_mup *, const struct bgp_rattr *old,
		    const struct bgp_rattr *now);

/* site PE */
bool		 mup_instance_add(struct mup *, const struct mup_instance *,
		    uint64_t now_ms);
bool		 mup_instance_remove(struct mup *, uint32_t cis_id,
		    uint64_t now_ms);
/* Compute metrics of a hosted instance (C-SMA); damped before sent. */
enum cats_metric_err mup_metrics(struct mup *, uint32_t cis_id,
		    const struct cats_sample *, size_t n, uint64_t now_ms);

/* Site PE: advertise again the metrics due for their periodic refresh
 * (at most the damping's max_interval_ms apart); returns when to call
 * next, 0 if nothing is due ever. */
uint64_t	 mup_tick(struct mup *, uint64_t now_ms);

/*
 * The C-NMA's report of the path from this PE to the site whose PE (the
 * DSD's address) is 'site': one-way delay, delay variation, loss
 * (stamp_sess_report's samples; network metrics only).  It goes into the
 * C-PS that has this PE as an ingress (a distributed RAN PE's own, or a
 * controller's that lists this PE's address among its RAN PEs) for that
 * (RAN PE, site) path, metric by metric on top of what mup.paths
 * configured: a measured value wins over the configured one from its first
 * report on.  A report for a site no DSD has named yet is kept until one
 * does.  The sessions the C-PS chooses for are evaluated again, as when a
 * DSD brings new metrics (a challenger must win by the hysteresis).
 * CATS_MERR_UNKNOWN_INGRESS when no C-PS here has this PE as an ingress,
 * CATS_MERR_UNKNOWN_EGRESS when MUP_MAX_SITES sites are probed already.
 */
enum cats_metric_err mup_path_samples(struct mup *, const uint8_t site[16],
		    const struct cats_sample *, size_t n, uint64_t now_ms);

/* controller */
bool		 mup_session_up(struct mup *, const struct mup_session *,
		    uint64_t now_ms);
/* The UE moved: s->ran_index is the new RAN PE (figures 4 and 7). */
bool		 mup_session_move(struct mup *, const struct mup_session *,
		    uint64_t now_ms);
/* A sticky session's state migrated or its flow completed: switch to the
 * optimum now (figure 4 step 3a, figure 7 step 3a). */
bool		 mup_session_release(struct mup *, uint32_t teid,
		    uint64_t now_ms);
bool		 mup_session_down(struct mup *, uint32_t teid, uint64_t now_ms);

/* What a RAN PE steers for a TEID (false if nothing). */
bool		 mup_steer_get(const struct mup *, uint32_t teid,
		    struct mup_steer *);
/* Every steering entry, for show commands. */
size_t		 mup_steer_list(const struct mup *, struct mup_steer *,
		    size_t cap);
/* Every session left unmet (its instance gone, none other): a RAN PE's
 * with cis_id 0 (nothing steered), a controller's with the lost one its
 * T2ST still names. */
size_t		 mup_unmet_list(const struct mup *, struct mup_steer *,
		    size_t cap);
const struct mup_counters *mup_counters(const struct mup *);
const struct mup_cfg *mup_config(const struct mup *);

/* Route keys as the roles build them, shared with tests and tools. */
void		 mup_dsd_key(struct bgp_mup *, uint16_t afi, uint32_t asn,
		    const uint8_t pe[16], uint32_t cis_id, bool cmu);
void		 mup_t2st_key(struct bgp_mup *, uint16_t afi, uint32_t asn,
		    const uint8_t ep[16], uint32_t teid);

#endif /* CATS_MUP_H */
