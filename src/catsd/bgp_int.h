/*
 * bgp_int.h: what the BGP speaker (bgp.c) and its control commands
 * (bgp_ctl.c) share: the per-neighbor driver state and the speaker.
 */
#ifndef CATSD_BGP_INT_H
#define CATSD_BGP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "cats/bgp.h"
#include "cats/conf.h"
#include "cats/mup.h"
#include "core/table.h"

#define BGP_RBUF		65536
#define BGP_OUTQ_MAX		(4u << 20)	/* octets queued per peer */
#define BGP_READS_PER_EVENT	16		/* fairness between peers */
#define BGP_CTL_ROUTES_MAX	4096		/* "bgp route add" routes */

/* A route of ours: the roles', or added from the control socket (ctl).
 * key.tlv is 'tlv', its own copy (NULL without TLVs). */
struct adv {
	struct bgp_mup	 key;
	struct bgp_rattr attr;
	bool		 ctl;
	uint8_t		*tlv;
};

#define ADV_KEY_MAX	80	/* longest MUP NLRI (IPv6 T1ST: 71), as the RIB */

/*
 * The index of our routes: the canonical key (family, then the NLRI's wire
 * form from bgp_mup_key, zero-padded; the bytes up to pos) to the route's
 * position in bgpd.adv.  A route whose NLRI does not encode has no key and
 * is not indexed (it never matched another before either).
 */
struct adv_ix {
	uint16_t	 afi;
	uint8_t		 len;
	uint8_t		 pad;
	uint8_t		 nlri[ADV_KEY_MAX];
	uint32_t	 pos;
};

struct nbr {
	struct bgpd	*b;
	uint32_t	 idx;
	const struct conf_bgp_nbr *cfg;
	struct bgp_peer	*peer;
	int		 fd;
	bool		 connecting;
	ev_io		 rw, ww;
	int		 fd2;		/* RFC 4271 6.8: a second connection */
	ev_io		 rw2;
	ev_timer	 tw;		/* the FSM's deadline */
	ev_timer	 kick;		/* deferred: the transport closed */
	bool		 kick_closed;
	uint8_t		*q;
	size_t		 qlen, qcap;
	uint64_t	 up_ms;		/* when it became Established */
	uint64_t	 q_overflow, sock_errors, accepted, rib_errors;
	uint64_t	 rfc7606;	/* errors handled without a reset */
	uint64_t	 held_back;	/* routes it cannot read, not sent */
	char		 last_error[96];
};

struct steer_cnt {
	uint64_t	 installed, removed, kernel_errors;
};

struct bgpd {
	struct catsd	*d;
	struct bgp_rib	*rib;
	struct mup	*mup;
	struct nbr	*nbr;
	size_t		 n;
	int		 lfd;
	ev_io		 lw;
	ev_timer	 lpause;	/* the listener rests after EMFILE */
	ev_timer	 mtick;		/* mup_tick, every second */
	struct adv	*adv;
	size_t		 nadv, cadv;
	struct table	 advix;		/* struct adv_ix, by key */
	size_t		 nctl;		/* of them added from the socket */
	struct steer_cnt steer;
	uint8_t		 rbuf[BGP_RBUF];
};

/* bgp.c: the table of our routes, found through advix in O(1); set and
 * del send the change to every Established neighbor of the family.  set:
 * false when out of memory.  del moves the last route into the hole. */
struct adv	*bgp_adv_find(struct bgpd *, const struct bgp_mup *);
bool		 bgp_adv_set(struct bgpd *, const struct bgp_mup *,
		    const struct bgp_rattr *, bool ctl);
void		 bgp_adv_del(struct bgpd *, struct adv *);

#endif /* CATSD_BGP_INT_H */
