/*
 * dataplane: what the engine's data-plane intents (struct dp_intent in
 * cats/node.h) become, behind one interface with two backends:
 *
 *   netlink  kernel routes through kroute (the daemon);
 *   memory   the same routes in a table with the kernel's add/replace/
 *            delete semantics and a longest-match lookup (tests, simulator).
 *
 * The mapping is the same for both: SRv6 H.Encaps toward the SID of a peer
 * (egress, or another ingress), source-specific per client; End.DT6 and
 * End.DX6/End.DX4 for this node's own SIDs.  docs/dataplane.md lists the
 * exact routes.
 *
 * SIDs: each node has a base SID (a /96 locator, the last 32 bits zero).
 * The base itself is the node's End.DT6 (decapsulate, look the inner packet
 * up); base + instance id (last 32 bits) is the End.DX6 (or End.DX4) that
 * hands packets to that instance's edge server.
 */
#ifndef CATS_DATAPLANE_H
#define CATS_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/kroute.h"
#include "cats/node.h"

/* A peer's signaling address and its base SID. */
struct dp_peer {
	uint8_t		 addr[16];
	uint8_t		 sid[16];
};

/* A service's CS-ID address (anycast, what clients send to). */
struct dp_service {
	uint8_t		 addr[16];
	uint8_t		 plen;		/* 128 for one address */
};

/* An instance's id and its edge server's address (IPv4-mapped for an
 * IPv4 edge: End.DX4). */
struct dp_instance {
	uint32_t	 id;
	uint8_t		 edge[16];
};

struct dp_cfg {
	uint32_t	 roles;		/* enum node_role bits */
	uint8_t		 protocol;	/* 0: RTPROT_CATS */
	uint32_t	 table;		/* where our routes go; 0: main */
	uint8_t		 sid[16];	/* this node's base SID */
	uint32_t	 decap_table;	/* End.DT6 lookup; 0: main */
	uint32_t	 core_oif;	/* toward other CATS nodes */
	bool		 has_core_gw;
	uint8_t		 core_gw[16];
	uint32_t	 access_oif;	/* ingress: toward the clients */
	uint32_t	 edge_oif;	/* egress: toward the edge servers */
	uint32_t	 buffer_oif;	/* ingress: TUN of the handover buffer; 0 none */
	uint8_t		 encap_src[16];	/* eBPF: outer source of H.Encaps */

	/* Copied by dp_new. */
	const struct dp_peer	 *peers;	/* indexed by nothing: searched */
	size_t			 npeers;
	const struct dp_service	 *services;	/* indexed by dp_intent.service */
	size_t			 nservices;
	const struct dp_instance *instances;
	size_t			 ninstances;
};

struct dp_counters {
	uint64_t	 applied;	/* intents turned into route changes */
	uint64_t	 not_kernel;	/* intents with no route (state moves) */
	uint64_t	 absent;	/* deletes of a route already gone */
	uint64_t	 errors;
};

/* What a backend that counts traffic (eBPF) has seen: per route, and
 * the packets its programs dropped, by reason (src/bpf/maps.h). */
typedef void	(*dp_stats_cb)(const struct kr_route *, uint64_t packets,
		    uint64_t octets, void *arg);
struct dp_drops {
	uint64_t	 srh;		/* no SRH, another type, truncated */
	uint64_t	 segments_left;	/* above 0 at an End.D* SID */
	uint64_t	 inner;		/* not the packet the SID takes */
	uint64_t	 hop_limit;	/* would reach 0 */
	uint64_t	 room;		/* encapsulation or decapsulation failed */
	uint64_t	 redirect;	/* no neighbour or device */
};

/* The backend under the mapping.  Calls return 0 or -1 with errno;
 * 'error' gives the sentence of the last failure.  'stats' is NULL for a
 * backend that does not count. */
struct dp_backend {
	int		 (*change)(void *ctx, const struct kr_route *,
			    enum kr_op);
	int		 (*dump)(void *ctx, kr_route_cb, void *arg);
	const char	*(*error)(void *ctx);
	void		 (*free)(void *ctx);
	int		 (*stats)(void *ctx, dp_stats_cb, void *arg,
			    struct dp_drops *);
	int		 (*sync)(void *ctx);	/* NULL: changes are at once */
	/* NULL: it cannot tell (the kernel's seg6 routes count nothing) */
	int		 (*activity)(void *ctx, const uint8_t addr[16],
			    uint64_t *idle_ms);
};

struct dp;

/* NULL with 'err' filled on failure. */
struct dp	*dp_new_netlink(const struct dp_cfg *, char *err, size_t errlen);
struct dp	*dp_new_memory(const struct dp_cfg *);
/* SRv6 in eBPF at tc ingress (src/bpf), for kernels without seg6
 * lwtunnels; plain routes still go through kroute.  Needs root. */
struct dp	*dp_new_bpf(const struct dp_cfg *, char *err, size_t errlen);
/* Any other backend (a simulator's): 'ctx' is handed to its calls and
 * be->free(ctx) at dp_free. */
struct dp	*dp_new(const struct dp_cfg *, const struct dp_backend *,
		    void *ctx);
void		 dp_free(struct dp *);

/* This node's own SIDs: End.DT6 at an ingress, End.DX6/End.DX4 per
 * instance at an egress. */
int		 dp_start(struct dp *);
/* Turn one intent into route changes.  Deleting what is already gone is
 * not an error (counted in 'absent'). */
int		 dp_apply(struct dp *, const struct dp_intent *);
/* After a restart: dp_defer forgets what is wanted; then dp_start and the
 * intents that rebuild the state only record it, touching nothing; dp_reconcile then
 * deletes every route of ours the backend has that is not wanted, installs
 * the wanted ones missing or different, and ends the deferral.  Routes that
 * were right all along never flap.  The counts are optional. */
void		 dp_defer(struct dp *);
int		 dp_reconcile(struct dp *, size_t *deleted, size_t *added);
/* One route outside the intents (a MUP session's steering), through the
 * same backend and wanted set.  Deleting what is gone is not an error. */
int		 dp_route(struct dp *, const struct kr_route *, enum kr_op);
/* Every route with its traffic, and the drops, where the backend counts
 * (eBPF); -1 with errno EOPNOTSUPP where it does not. */
/* A backend may hold changes back to make them in one batch (eBPF): they
 * reach the kernel at the latest here.  The daemon syncs before it sends
 * a message, releases held packets, or waits for events. */
int		 dp_sync(struct dp *);
int		 dp_stats(struct dp *, dp_stats_cb, void *arg,
		    struct dp_drops *);
/* Shutdown: delete every route of ours. */
int		 dp_flush(struct dp *);
/* Every route of ours the backend has, as the backend reports it. */
int		 dp_dump(struct dp *, kr_route_cb, void *arg);

/* How long ago the data plane last carried a packet from (encapsulated)
 * or to (decapsulated at End.DT6) addr: 0 and *idle_ms, or -1 with errno
 * ENOENT (not one it remembers) or EOPNOTSUPP (a backend that cannot
 * tell).  The engine's "transaction in progress" (node_ops.activity). */
int		 dp_activity(struct dp *, const uint8_t addr[16],
		    uint64_t *idle_ms);
const char		 *dp_error(const struct dp *);
const struct dp_counters *dp_counters(const struct dp *);

/* The SID of a node's instance (0: the node's own End.DT6). */
void		 dp_sid(const uint8_t base[16], uint32_t instance,
		    uint8_t out[16]);
/* Memory backend only: the route the kernel would pick for a packet from
 * 'src' to 'dst' (longest destination, then longest source, as IPv6
 * subtrees do).  0, or -1 when nothing matches or the backend is not the
 * memory one. */
int		 dp_lookup(const struct dp *, uint8_t family,
		    const uint8_t *dst, const uint8_t *src, struct kr_route *);

#endif /* CATS_DATAPLANE_H */
