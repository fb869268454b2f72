/*
 * catsd.h: what the daemon's parts share.  The daemon binds one node (the
 * sans-I/O engine) to a libev loop: signaling sockets, the node's timers,
 * the data plane, the control socket, and signals.
 */
#ifndef CATSD_H
#define CATSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "cats/conf.h"
#include "cats/dataplane.h"
#include "cats/node.h"
#include "cats/ra.h"
#include "core/table.h"

/*
 * The control socket (control.c, docs/catsd.md): no client can hold the
 * loop.  At most CTL_MAX_CONN connections, the one quiet longest closed
 * when another comes; a request line of at most CTL_BUF octets; closed
 * after CTL_IDLE_S without a complete request, or CTL_STALL_S without
 * taking an octet of its reply.  A reply waits in the connection's queue
 * for the socket to take it (EV_WRITE); the next request is read only when
 * it is all gone.  A streamed reply (show sessions) is produced
 * CTL_STEP sessions per loop pass while less than CTL_LOWAT octets wait.
 */
#define CTL_MAX_CONN	16
#define CTL_BUF		65536
#define CTL_IDLE_S	10.0
#define CTL_STALL_S	10.0
#define CTL_STEP	1000
#define CTL_LOWAT	(256 * 1024)

struct ctl_conn {
	struct catsd	*d;
	ev_io		 w;		/* readable: while no reply waits */
	ev_io		 ww;		/* writable: while one does */
	ev_timer	 t;		/* idle or stalled, per CTL_*_S */
	ev_tstamp	 quiet_since;	/* a request taken, octets written */
	int		 fd;
	char		*q;		/* the reply: octets qoff..qlen wait */
	size_t		 qoff, qlen, qcap;
	bool		 nomem;		/* the queue could not grow */
	bool		 streaming;	/* more of the reply to produce */
	struct node_cursor cur;		/* where the stream is */
	size_t		 nout;		/* sessions streamed so far */
	size_t		 len;
	char		 buf[CTL_BUF];
};

/* Transaction switching (xfer.c), shown by catsctl show counters. */
struct xfer_counters {
	uint64_t	 exports;	/* states our edges handed out */
	uint64_t	 imports;	/* states our edges took in */
	uint64_t	 states_sent;	/* acknowledged by the new egress */
	uint64_t	 states_received;
	uint64_t	 errors;	/* every failure, each logged */
};

/* The load reports of our edges (xfer.c's agent, docs/catsd.md), shown by
 * catsctl show counters; malformed by appproto's app_status.  The agent
 * watches the edges of an egress's instances (node.instances, slot i) and
 * of a MUP site PE's (mup.instances, slot AGENT_MUP_BASE + i). */
#define AGENT_MUP_BASE		NODE_MAX_INSTANCES
#define AGENT_MAX_EDGES		(NODE_MAX_INSTANCES + MUP_MAX_INSTANCES)
#define AGENT_MALFORMED_MAX	16
struct agent_counters {
	uint64_t	 reports;	/* LOADs received and decoded */
	uint64_t	 fed;		/* taken by the selector */
	uint64_t	 not_fed;	/* refused by it, or no selector here */
	uint64_t	 malformed[AGENT_MALFORMED_MAX];	/* by reason */
	uint64_t	 errors;	/* connections that failed, each logged
					 * once until one succeeds again */
};

/* The last LOAD of one instance's edge, shown by catsctl show instances. */
struct agent_last {
	uint64_t	 reports;
	uint64_t	 at_ms;		/* catsd_now() when it came */
	uint32_t	 seq;
	uint16_t	 workers;
	double		 util, queue, proc_delay_ns, capacity;
	char		 edge[33];	/* the edge's --name */
	int		 status;	/* catsd_metric_compute's or
					 * bgp_mup_metrics' answer */
	bool		 gone;		/* its edge went (xfer.c agent_gone) */
};

/* Router Advertisements on the access link (ra.c), shown by catsctl show
 * counters. */
struct ra_counters {
	uint64_t	 ra_sent;
	uint64_t	 rs_received;	/* valid solicitations */
	uint64_t	 rs_malformed[RA_E__COUNT];	/* by reason */
	uint64_t	 send_errors;
};

/* The path prober (probe.c, docs/probe.md), shown by catsctl show
 * counters; each path's own in catsctl show peers. */
struct probe_counters {
	uint64_t	 reflected;	/* test packets answered (egress) */
	uint64_t	 reflect_malformed;	/* test packets that did not decode */
	uint64_t	 strangers;	/* replies from no path we probe */
	uint64_t	 reports;	/* path metrics handed to the node */
	uint64_t	 send_errors;
};

struct xfer;
struct holds;
struct prober;
struct rad;
struct bgpd;
struct prom;
struct json_t;

struct catsd {
	struct conf	 conf;
	struct ev_loop	*loop;
	struct node	*node;
	struct cats_sel	*sel;
	struct dp	*dp;
	enum conf_dataplane dp_kind;	/* none, kernel or bpf: what runs */
	char		 dp_why[200];	/* why that one (the probe's word) */
	int		 mh_fd;
	ev_io		 mh_w;
	int		 ctl_fd;
	ev_io		 ctl_w;
	struct ctl_conn	*conns[CTL_MAX_CONN];
	ev_signal	 sig_hup, sig_term, sig_int;
	ev_prepare	 dp_w;		/* data-plane changes out before sleeping */
	struct table	 timers;	/* node timer key -> struct dtimer * */
	uint64_t	 rx_dropped;	/* not even given to the node */
	uint64_t	 rx_kernel_dropped;	/* by the kernel: a full socket
					 * queue (SO_RXQ_OVFL), as last told */
	uint64_t	 tx_errors;

	/* the handover buffer (tunbuf.c) */
	int		 tun_fd;
	ev_io		 tun_w;
	struct holds	*holds;		/* the core's hold (cats/hold.h) */
	uint64_t	 buf_held, buf_flushed, buf_expired, buf_overflow;
	uint64_t	 buf_unheld, buf_write_err;
	uint64_t	 buf_not_ipv6;	/* part of buf_unheld: not even IPv6 */
	uint64_t	 first_packets;	/* CATS-unaware clients detected */

	/* transaction switching and the agent (xfer.c); NULL when neither
	 * an egress nor a MUP site PE with an edge_control */
	struct xfer	*xfer;
	struct xfer_counters xfer_cnt;
	struct agent_counters agent_cnt;	/* edges' load reports */
	struct agent_last agent_last[AGENT_MAX_EDGES];	/* by slot */

	/* the BGP speaker and the CATS-MUP roles (bgp.c); NULL without bgp */
	struct bgpd	*bgp;

	/* Router Advertisements (ra.c); NULL unless an ingress (which keeps
	 * its clients' prefixes, and advertises them while "ra" is on) */
	struct rad	*rad;
	struct ra_counters ra_cnt;

	/* Prometheus metrics (prom.c); NULL without "prometheus" */
	struct prom	*prom;

	/* the path prober (probe.c) */
	struct prober	*prober;
	struct probe_counters probe_cnt;

	/* authentication and replay refusals: when each peer was last
	 * logged (monotonic ms), and how many since */
	uint64_t	 auth_logged[NODE_MAX_PEERS];
	uint64_t	 auth_unlogged[NODE_MAX_PEERS];
};

#define TUNBUF_NAME	"catsbuf"

/* catsd.c: make the data-plane changes a backend holds back (dp_sync) */
void	 dp_sync_log(struct catsd *);

/* mhsock.c: the signaling socket */
int	 mh_open(const struct conf *);
void	 mh_readable(struct catsd *);
void	 mh_send(struct catsd *, const uint8_t dst[16], const uint8_t *buf,
	    size_t len);

/* control.c: the control socket */
int	 ctl_open(struct catsd *);
void	 ctl_close(struct catsd *);
/* control.c: the edges' load reports enter this node's selector and go
 * to the controllers (node_report_instance): an enum cats_metric_err, or
 * CATSD_NO_SELECTOR */
#define CATSD_NO_SELECTOR	NODE_REPORT_NO_CPS
struct cats_sample;
int	 catsd_metric_compute(struct catsd *, uint32_t instance,
	    const struct cats_sample *, size_t n);
/* ... and its edge gone or back (node_report_instance_gone) */
int	 catsd_instance_gone(struct catsd *, uint32_t instance, bool gone);

/* tunbuf.c: the handover buffer */
int	 tunbuf_open(struct catsd *, const char *name);
void	 tunbuf_close(struct catsd *);
void	 tunbuf_readable(struct catsd *);
void	 tunbuf_hold(struct catsd *, const uint8_t client[16]);
void	 tunbuf_release(struct catsd *, const uint8_t client[16]);

/* xfer.c: transaction switching between egresses */
int	 xfer_open(struct catsd *);
void	 xfer_close(struct catsd *);
void	 xfer_export(struct catsd *, const struct dp_intent *);
void	 xfer_import(struct catsd *, const struct dp_intent *);
/* the name of agent_counters.malformed[i], NULL past the last */
const char *agent_malformed_name(unsigned i);

/* ra.c: the prefix to the terminal, in Router Advertisements */
int	 ra_open(struct catsd *);
void	 ra_close(struct catsd *);
/* SIGHUP: apply a changed, validated "ra" section to the running node. */
void	 ra_reload(struct catsd *, const struct conf_ra *);
void	 ra_intent(struct catsd *, const struct dp_intent *);

/* probe.c: the path prober (C-NMA) and the reflector */
int	 probe_open(struct catsd *);
void	 probe_close(struct catsd *);
struct json_t *probe_show(struct catsd *, size_t peer);
/* the paths to the MUP sites (mup.probe_sites), for catsctl show mup */
struct json_t *probe_show_mup(struct catsd *);

/* bgp.c: the BGP speaker, the CATS-MUP roles */
int	 bgp_open(struct catsd *);
void	 bgp_close(struct catsd *);
/* bgp.c: the agents' samples for the CATS-MUP roles: a C-SMA's of a hosted
 * instance (mup_metrics: damped into its CMU or DSD), a C-NMA's of the
 * path to a site (mup_path_samples: into the C-PS).  An enum
 * cats_metric_err, or CATSD_NO_SELECTOR without a "mup" section. */
int	 bgp_mup_metrics(struct catsd *, uint32_t cis_id,
	    const struct cats_sample *, size_t n);
int	 bgp_mup_path(struct catsd *, const uint8_t site[16],
	    const struct cats_sample *, size_t n);

/* priv.c: after start(), become the configured user with only the
 * capabilities needed, no_new_privs, and the seccomp filter; as root
 * with a warning when no user is configured.  -1 (logged): stop. */
int	 priv_drop(struct catsd *);

/* catsd.c: the monotonic clock every deadline counts on, in ms and in
 * seconds (libev's ev_now is the wall clock: not for deadlines) */
uint64_t catsd_now(const struct catsd *);
#define catsd_now_s(d)	((double)catsd_now(d) / 1000.0)
void	 catsd_event(struct catsd *, const struct ev *);

#endif
