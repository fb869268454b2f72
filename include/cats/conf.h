/*
 * conf: catsd's configuration, read from one JSON file.
 *
 * conf_load() parses a whole new configuration and validates it; only a
 * configuration that loads completely is ever used (SIGHUP swaps it in,
 * `catsd -n -f FILE` checks it and prints the canonical form, which loads
 * again to the same thing).  Every error names the file, the key and what
 * was expected.  The format is documented in docs/config.md; examples/ has
 * one file per role.
 */
#ifndef CATS_CONF_H
#define CATS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cats/bgp.h"
#include "cats/mup.h"
#include "cats/node.h"
#include "cats/select.h"

#define CONF_PATH_MAX		108	/* sun_path */
#define CONF_IFNAME_MAX		16	/* IFNAMSIZ */
#define CONF_ERR_MAX		256
#define CONF_EDGE_CTL_MAX	(5 + CONF_PATH_MAX)	/* "unix:" PATH */
#define CONF_TRANSFER_PORT	5437	/* egress to egress state stream */

enum conf_transport {
	CONF_TRANSPORT_RAW,		/* IPv6 next header 135 */
	CONF_TRANSPORT_UDP,		/* UDP port (5436 by default) */
};

enum conf_dataplane {
	CONF_DP_NONE,			/* intents are logged, not programmed */
	CONF_DP_KERNEL,			/* rtnetlink: SRv6 routes (kroute.h) */
	CONF_DP_BPF,			/* SRv6 in eBPF at tc (dp_bpf.c) */
	CONF_DP_AUTO,			/* kernel where seg6 works, else bpf */
};

/* What the daemon needs for each peer besides struct node_peer. */
struct conf_peer {
	uint8_t		 sid[16];	/* its SRv6 SID; all zero: none */
	uint8_t		 probe[16];	/* egress: its reflector's address, in
					 * its SID's locator; all zero: not
					 * probed (docs/probe.md) */
};

/* What the daemon needs for each instance besides struct node_instance:
 * where its edge's control port is (transaction switching). */
struct conf_instance {
	char		 edge_control[CONF_EDGE_CTL_MAX];	/* "[ADDR]:PORT",
					 * "A.B.C.D:PORT", "unix:PATH"; "" none */
};

/* Least privilege ("privileges", src/catsd/priv.c, docs/catsd.md): once
 * its sockets, maps and TUN are open, catsd runs as 'user' (and 'group',
 * else the user's own) with only the capabilities it needs, and the
 * system calls it makes behind a seccomp filter.  No user: root, as
 * before, with a warning. */
#define CONF_USER_MAX		33	/* useradd's 32 */
enum conf_seccomp {
	CONF_SECCOMP_KILL,		/* an unlisted call ends the process */
	CONF_SECCOMP_LOG,		/* it is allowed and logged (audit) */
	CONF_SECCOMP_OFF,		/* no filter */
};
struct conf_priv {
	char		 user[CONF_USER_MAX];	/* "" stay root */
	char		 group[CONF_USER_MAX];	/* "" the user's group */
	int		 seccomp;		/* enum conf_seccomp */
};

/* Prometheus metrics (src/catsd/prom.c, docs/catsd.md): the text
 * exposition format over HTTP on one address and port.  No "prometheus"
 * section: no server; no "listen": 127.0.0.1:9436. */
#define CONF_PROM_PORT		9436
struct conf_prom {
	bool		 enabled;
	int		 family;		/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];		/* IPv4: the first 4 octets */
	uint16_t	 port;
};

/* A site a MUP RAN PE probes (mup.probe_sites, src/catsd/probe.c): the
 * site PE's MUP address, which the C-PS knows the site by (in the MUP
 * family), and its reflector's address (IPv6, in its SID locator). */
struct conf_mup_probe {
	uint8_t		 site[16];
	uint8_t		 probe[16];
};

/* A C-PS instance as the controller's config lists it. */
struct conf_metric {
	uint32_t	 instance;
	double		 util;		/* 0..1 */
	double		 capacity;	/* requests/s */
	double		 proc_delay_ns;
};

/* BGP (src/catsd/bgp.c): the speaker and its neighbors.  Neighbor
 * addresses are IPv4-mapped when IPv4 (what a socket takes). */
#define CONF_BGP_MAX_NBRS	16
#define CONF_BGP_NAME_MAX	32
#define CONF_MD5_MAX		80	/* TCP_MD5SIG_MAXKEYLEN */
#define CONF_BGP_MAX_PREFIX	1000000	/* routes per family, by default */

struct conf_bgp_nbr {
	char		 name[CONF_BGP_NAME_MAX];
	uint8_t		 addr[16];
	uint8_t		 local[16];	/* source address; all zero: any */
	uint16_t	 port;		/* BGP_PORT unless set */
	uint32_t	 asn;
	char		 password[CONF_MD5_MAX + 1];	/* TCP MD5; "" none */
	bool		 passive;
	uint32_t	 afs;		/* 1 << enum bgp_af */
	uint32_t	 max_prefix;	/* per family; 0: no limit */
	uint8_t		 max_prefix_warn_pct;	/* 0: no warning */
	uint32_t	 max_prefix_restart_s;	/* 0: stay down */
	/* It reads draft-ietf-bess-mup-safi-01: session transformed route
	 * TLVs and MUP communities other than 0x00 go to it (docs/wire.md
	 * 8.2); gobgpd 3.10 does not. */
	bool		 mup_tlvs;
};

struct conf_bgp {
	uint32_t	 asn;
	uint32_t	 router_id;	/* host order, non-zero */
	uint8_t		 listen[16];	/* passive neighbors; all zero: any */
	uint16_t	 port;		/* listening port */
	uint16_t	 hold;		/* 0, or 3 and more seconds */
	uint32_t	 connect_retry_ms;
	uint32_t	 idle_hold_ms;
	uint32_t	 idle_hold_max_ms;	/* the back-off's cap */
	struct conf_bgp_nbr nbr[CONF_BGP_MAX_NBRS];
	size_t		 nnbr;
};

/* Router Advertisements on an ingress's access link (src/catsd/ra.c,
 * docs/ra.md): each client's prefix and its service's route. */
struct conf_ra {
	bool		 enabled;
	uint32_t	 interval_s;	/* MaxRtrAdvInterval (RFC 4861 6.2.1) */
	uint32_t	 lifetime_s;	/* PIO lifetimes, RIO route lifetime */
	int		 preference;	/* the RIO's, enum ra_pref */
	uint16_t	 router_lifetime_s;	/* 0: not a default router */
};

/* The path prober (the C-NMA, src/catsd/probe.c, docs/probe.md): an
 * ingress probes every egress peer that has a "probe" address; an egress
 * with "reflect" answers on 'port' (RFC 8762 4.1: 862). */
#define CONF_PROBE_PORT	862
struct conf_probe {
	uint32_t	 interval_ms;	/* between two probes of a path */
	uint32_t	 report_ms;	/* metrics to the C-PS this often */
	uint32_t	 loss_window;	/* probes the loss ratio covers */
	uint32_t	 deadline_ms;	/* a later reply counts as lost */
	uint16_t	 port;
	bool		 reflect;
	uint8_t		 source[16];	/* ingress: probes leave from it, an
					 * address in our SID's locator, so
					 * that the replies come back the way
					 * the egress's SRv6 traffic does; all
					 * zero: the kernel's choice */
};

struct conf {
	char		 path[CONF_PATH_MAX];	/* the file it came from */

	/* the node: roles, address, peers, services, instances, timers;
	 * sel is left NULL (the daemon creates the selector from 'sel') */
	struct node_cfg	 node;
	struct conf_peer peers[NODE_MAX_PEERS];	/* same order as node.peers */

	/* signaling */
	enum conf_transport transport;
	uint16_t	 udp_port;

	/* operation */
	char		 control[CONF_PATH_MAX];	/* UNIX socket, mode 0600 */
	int		 log_level;		/* LOG_ERR..LOG_DEBUG (syslog.h) */
	bool		 syslog;
	struct conf_priv priv;			/* "privileges" */
	struct conf_prom prom;			/* "prometheus" */

	/* data plane */
	enum conf_dataplane dataplane;
	uint8_t		 sid[16];		/* this node's SID */
	uint32_t	 table;			/* routing table of our routes */
	char		 access_if[CONF_IFNAME_MAX];	/* toward clients */
	char		 core_if[CONF_IFNAME_MAX];	/* toward peers */
	uint32_t	 buffer_packets;	/* per detached client */
	uint32_t	 buffer_ms;
	uint32_t	 buffer_total_packets;	/* every client together */

	/* the prefix to the terminal (ingress; "ra") */
	struct conf_ra	 ra;

	/* the path prober ("probe") */
	struct conf_probe probe;

	/* transaction switching (egress): the state stream's TCP port, the
	 * same on every egress of the domain (0: off), and each instance's
	 * edge control port, same order as node.instances */
	uint16_t	 transfer_port;
	struct conf_instance instances[NODE_MAX_INSTANCES];

	/* path selector (controller, and ingress with option 1) */
	struct cats_sel_cfg sel;
	bool		 has_sel;
	struct conf_metric metrics[NODE_MAX_INSTANCES];	/* initial ones */
	size_t		 nmetrics;

	/* BGP speaker and the CATS-MUP roles (docs/config.md "bgp", "mup");
	 * mup.asn is bgp.asn, mup.name the node's name */
	bool		 has_bgp;
	struct conf_bgp	 bgp;
	bool		 has_mup;
	struct mup_cfg	 mup;
	/* the daemon's part of it: each site PE instance's edge control
	 * port (the load reports, same order as mup.inst), and the sites a
	 * RAN PE probes */
	struct conf_instance mup_instances[MUP_MAX_INSTANCES];
	struct conf_mup_probe mup_probe[MUP_MAX_SITES];
	size_t		 nmup_probe;
};

/* Defaults for everything the file may leave out. */
void	 conf_default(struct conf *);
/*
 * Read and validate path into c.  0 on success; -1 with "FILE: KEY:
 * expected ..." in err.  c is fully written only on success.
 */
int	 conf_load(const char *path, struct conf *c, char *err, size_t errlen);
/* The same from a string (tests, fuzzing); name stands for the file. */
int	 conf_parse(const char *text, size_t len, const char *name,
	    struct conf *c, char *err, size_t errlen);
/* The canonical form: every key, defaults included, in a fixed order; it
 * parses again to the same configuration. */
int	 conf_print(const struct conf *c, FILE *f);

#endif /* CATS_CONF_H */
