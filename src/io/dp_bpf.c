/*
 * dp_bpf: the eBPF backend of the data plane (docs/dataplane.md).
 *
 * The dataplane layer hands every backend the same routes (struct
 * kr_route); this one keeps the SRv6 ones in the maps of the tc programs
 * of src/bpf/cats.bpf.c instead of the kernel's routing table:
 *
 *   encap seg6, from CLIENT/128     steer6  (client, CS-ID)
 *   encap seg6, from PREFIX/len     steer6_src  (client's prefix, CS-ID)
 *   encap seg6, no source           route6  (return, forward, MUP)
 *   seg6local End.DT6/DX6/DX4       sid6
 *   a plain route (dev, via)        the kernel's table, through kroute
 *
 * A key is one route whichever store holds it, as in the kernel: a
 * buffer route (plain, into the TUN) and a forward (route6) for the same
 * client replace each other.  Plain routes are few (prefixes, clients
 * being buffered), so their keys are kept in a short array.
 *
 * Replacing an H.Encaps entry is what a busy ingress does most (every
 * steering change); they are queued and made in one bpf_map_update_batch
 * call per map, at the latest when the dataplane layer syncs (catsd does
 * before it sends, releases packets or sleeps), and before anything that
 * reads or deletes: one system call per change was half the cost.
 *
 * The programs hold the maps.  After kill -9 they stay attached, so a
 * restarted catsd finds them by their tc handle, takes their maps over
 * (the routes in them are what the dataplane layer reconciles against)
 * and swaps in its own programs; nothing needs a bpffs.  dp_free
 * detaches them: the maps go with the last reference.
 */
#include <sys/socket.h>

#include <errno.h>
#include <time.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/seg6_local.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cats/dataplane.h"
#include "cats.skel.h"
#include "maps.h"

/* Our tc filter at each ingress: the handle finds it again after a
 * crash, and carries the routing table, so that catsds of different
 * tables on one interface (tables the kernel backend keeps apart) have a
 * program and maps each; the priority keeps clear of an operator's
 * (which tc gives from 49152 down when none is said).  A packet that is
 * not ours goes on to the next filter. */
#define TC_HANDLE(t)	(0xca750000u | ((t) & 0xffffu))
#define TC_PRIO		252
#define MAX_IFS		4

struct hook {
	uint32_t	 ifindex;
	bool		 l3;		/* no link header: the TUN */
	bool		 created;	/* the clsact qdisc is ours */
	bool		 attached;
};

struct batch;

struct bpfb {
	struct cats_bpf	*skel;
	struct batch	*batch;		/* replaces not yet in the kernel,
					 * one queue per map (ST_MAPS) */
	struct kr	*k;
	uint32_t	 table;
	uint8_t		 protocol;
	struct hook	 hooks[MAX_IFS];
	size_t		 nhooks;
	struct kr_route	*plain;		/* keys of our plain routes */
	size_t		 nplain, cplain;
	bool		 reused;	/* maps taken over from a crashed catsd */
	char		 err[KR_ERR_MAX];
};

static int
berr(struct bpfb *b, int e, const struct kr_route *r, const char *what)
{
	char s[200];

	if (r != NULL)
		snprintf(b->err, sizeof(b->err), "bpf route %s: %s",
		    kr_route_fmt(r, s, sizeof(s)), what);
	else
		snprintf(b->err, sizeof(b->err), "bpf data plane: %s", what);
	errno = e;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Routes to map entries and back                                      */

/* Where a route lives: a map (the first six), the kernel, or nowhere. */
enum store {
	ST_STEER_X,		/* steer6_exact: DST/128 from CLIENT/128 */
	ST_ROUTE_X,		/* route6_exact: DST/128 */
	ST_STEER,		/* steer6: DST/len from CLIENT/128 */
	ST_STEER_S,		/* steer6_src: DST/128 from PREFIX/len */
	ST_ROUTE,		/* route6: DST/len */
	ST_SID,			/* sid6 */
	ST_MAPS,
	ST_PLAIN = ST_MAPS,	/* a plain route: the kernel's */
	ST_NONE,
};

/* Large enough for any map's key. */
union map_key {
	struct cats_steer_key	 steer;
	struct cats_src_key	 src;
	struct cats_route6_key	 route;
	struct cats_pair_key	 pair;
	struct cats_addr_key	 addr;
};

/* ------------------------------------------------------------------ */
/* The batch of replaces                                               */

#define BATCH		256

/* Keys packed at the map's key size: the kernel reads them so. */
struct batch {
	enum store		 st;
	uint32_t		 n;
	size_t			 ksize;
	uint8_t			 keys[BATCH * sizeof(union map_key)];
	struct cats_encap	 vals[BATCH];
};

static int store_fd(const struct bpfb *, enum store);
static size_t store_ksize(const struct bpfb *, enum store);

/* Make the queued replaces of one map.  A batch the kernel takes only in
 * part (the map full, memory short) is finished one by one, so the first
 * failing route is the one the error names. */
static int
batch_flush_one(struct bpfb *b, struct batch *q)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = BPF_ANY);
	uint32_t done = q->n, i;
	int fd, rc = 0;

	if (q->n == 0)
		return 0;
	fd = store_fd(b, q->st);
	if (bpf_map_update_batch(fd, q->keys, q->vals, &done, &o) == 0) {
		q->n = 0;
		return 0;
	}
	for (i = done < q->n ? done : 0; i < q->n && rc == 0; i++)
		if (bpf_map_update_elem(fd, q->keys + i * q->ksize, &q->vals[i],
		    BPF_ANY) < 0)
			rc = berr(b, errno, NULL, "a queued steering change "
			    "failed (map full?)");
	q->n = 0;
	return rc;
}

/* Every map's: a change that reads or deletes sees them all made.  Keys
 * in different maps never overlap, so their order across maps does not
 * matter; within one map the queue keeps it. */
static int
batch_flush(struct bpfb *b)
{
	int rc = 0;

	for (enum store st = 0; st < ST_MAPS; st++)
		if (batch_flush_one(b, &b->batch[st]) < 0)
			rc = -1;
	return rc;
}

/* A queue per map: a client's steering and its prefix's (two maps)
 * alternate without cutting each other's batches short. */
static int
batch_add(struct bpfb *b, enum store st, const union map_key *k,
    const struct cats_encap *v)
{
	struct batch *q = &b->batch[st];

	q->st = st;
	q->ksize = store_ksize(b, st);
	memcpy(q->keys + q->n * q->ksize, k, q->ksize);
	q->vals[q->n++] = *v;
	return q->n == BATCH ? batch_flush_one(b, q) : 0;
}

/* Which store holds a route of this key: the shape decides, since the dp
 * layer deletes by key alone (a route with no encapsulation). */
static enum store
store_of(const struct kr_route *r)
{
	bool host = r->dst_len == 128;

	if (r->family != AF_INET6)
		return ST_NONE;
	if (r->encap == KR_ENCAP_SEG6LOCAL)
		return host ? ST_SID : ST_NONE;
	if (r->encap == KR_ENCAP_NONE)
		return ST_PLAIN;
	if (r->src_len == 128)
		return host ? ST_STEER_X : ST_STEER;
	if (r->src_len == 0)
		return host ? ST_ROUTE_X : ST_ROUTE;
	return host ? ST_STEER_S : ST_NONE;	/* no trie keys both prefixes */
}

static const struct bpf_map *
store_map(const struct bpfb *b, enum store st)
{
	const struct bpf_map *m[ST_MAPS] = {
		[ST_STEER_X] = b->skel->maps.steer6_exact,
		[ST_ROUTE_X] = b->skel->maps.route6_exact,
		[ST_STEER] = b->skel->maps.steer6,
		[ST_STEER_S] = b->skel->maps.steer6_src,
		[ST_ROUTE] = b->skel->maps.route6,
		[ST_SID] = b->skel->maps.sid6,
	};

	return m[st];
}

static int
store_fd(const struct bpfb *b, enum store st)
{
	return bpf_map__fd(store_map(b, st));
}

static size_t
store_ksize(const struct bpfb *b, enum store st)
{
	return bpf_map__key_size(store_map(b, st));
}

/* The map and key of an SRv6 route; false for a plain one. */
static bool
map_key(const struct bpfb *b, const struct kr_route *r, int *fd,
    union map_key *k)
{
	enum store st = store_of(r);

	if (st >= ST_MAPS)
		return false;
	memset(k, 0, sizeof(*k));
	*fd = store_fd(b, st);
	switch (st) {
	case ST_STEER_X:
		memcpy(k->pair.src, r->src, 16);
		memcpy(k->pair.dst, r->dst, 16);
		break;
	case ST_STEER:
		k->steer.prefixlen = 128 + r->dst_len;
		memcpy(k->steer.src, r->src, 16);
		memcpy(k->steer.dst, r->dst, 16);
		break;
	case ST_STEER_S:
		k->src.prefixlen = 128 + r->src_len;
		memcpy(k->src.dst, r->dst, 16);
		memcpy(k->src.src, r->src, 16);
		break;
	case ST_ROUTE:
		k->route.prefixlen = r->dst_len;
		memcpy(k->route.dst, r->dst, 16);
		break;
	default:		/* ST_ROUTE_X, ST_SID */
		memcpy(k->addr.addr, r->dst, 16);
		break;
	}
	return true;
}

static int
encap_val(struct bpfb *b, const struct kr_route *r, struct cats_encap *v)
{
	memset(v, 0, sizeof(*v));
	if (r->nsegs != 1)
		return berr(b, EOPNOTSUPP, r, "the eBPF data plane "
		    "encapsulates with one segment");
	memcpy(v->seg, r->segs[0], 16);
	v->dst_len = r->dst_len;
	v->oif = r->oif;
	v->table = r->table;
	v->metric = r->metric;
	return 0;
}

static int
sid_val(struct bpfb *b, const struct kr_route *r, struct cats_sid *v)
{
	memset(v, 0, sizeof(*v));
	switch (r->action) {
	case SEG6_LOCAL_ACTION_END_DT6:
		v->action = CATS_END_DT6;
		break;
	case SEG6_LOCAL_ACTION_END_DX6:
		v->action = CATS_END_DX6;
		break;
	case SEG6_LOCAL_ACTION_END_DX4:
		v->action = CATS_END_DX4;
		break;
	default:
		return berr(b, EOPNOTSUPP, r, "the eBPF data plane has "
		    "End.DT6, End.DX6 and End.DX4 only");
	}
	v->oif = r->oif;
	v->table = r->table;
	v->metric = r->metric;
	v->lookup_table = r->lookup_table;
	memcpy(v->nh6, r->nh6, 16);
	memcpy(v->nh4, r->nh4, 4);
	return 0;
}

/* The route a map entry stands for, as kroute would have read it back
 * from the kernel. */
static void
entry_route(enum store st, const union map_key *k, const void *v,
    struct kr_route *r)
{
	const struct cats_encap *e = v;
	const struct cats_sid *s = v;
	const uint8_t (*seg)[16] = (const uint8_t (*)[16])e->seg;

	switch (st) {
	case ST_STEER_X:
		kr_route_encap6(r, e->table, k->pair.dst, 128, k->pair.src,
		    128, seg, 1, e->oif, NULL);
		break;
	case ST_STEER:
		kr_route_encap6(r, e->table, k->steer.dst,
		    (uint8_t)(k->steer.prefixlen - 128), k->steer.src, 128,
		    seg, 1, e->oif, NULL);
		break;
	case ST_STEER_S:
		kr_route_encap6(r, e->table, k->src.dst, 128, k->src.src,
		    (uint8_t)(k->src.prefixlen - 128), seg, 1, e->oif, NULL);
		break;
	case ST_ROUTE_X:
		kr_route_encap6(r, e->table, k->addr.addr, 128, NULL, 0, seg,
		    1, e->oif, NULL);
		break;
	case ST_ROUTE:
		kr_route_encap6(r, e->table, k->route.dst,
		    (uint8_t)k->route.prefixlen, NULL, 0, seg, 1, e->oif, NULL);
		break;
	default:
		if (s->action == CATS_END_DX6)
			kr_route_dx6(r, s->table, k->addr.addr, s->nh6, s->oif);
		else if (s->action == CATS_END_DX4)
			kr_route_dx4(r, s->table, k->addr.addr, s->nh4, s->oif);
		else
			kr_route_dt6(r, s->table, k->addr.addr,
			    s->lookup_table, s->oif);
		r->metric = s->metric;
		return;
	}
	r->metric = e->metric;
}

/* ------------------------------------------------------------------ */
/* Plain routes: the kernel's, keys remembered                         */

static ssize_t
plain_find(const struct bpfb *b, const struct kr_route *r)
{
	for (size_t i = 0; i < b->nplain; i++)
		if (kr_route_same_key(&b->plain[i], r))
			return (ssize_t)i;
	return -1;
}

static int
plain_add(struct bpfb *b, const struct kr_route *r)
{
	struct kr_route *v;
	size_t cap;

	if (plain_find(b, r) >= 0)
		return 0;
	if (b->nplain == b->cplain) {
		cap = b->cplain ? b->cplain * 2 : 16;
		if ((v = realloc(b->plain, cap * sizeof(*v))) == NULL)
			return -1;
		b->plain = v;
		b->cplain = cap;
	}
	b->plain[b->nplain++] = *r;
	return 0;
}

static void
plain_del(struct bpfb *b, const struct kr_route *r)
{
	ssize_t i = plain_find(b, r);

	if (i >= 0)
		b->plain[i] = b->plain[--b->nplain];
}

static int
kernel_change(struct bpfb *b, const struct kr_route *r, enum kr_op op)
{
	if (batch_flush(b) < 0)
		return -1;
	if (kr_change(b->k, r, op) < 0) {
		snprintf(b->err, sizeof(b->err), "%s", kr_strerror(b->k));
		return -1;
	}
	if (op == KR_DELETE)
		plain_del(b, r);
	else if (plain_add(b, r) < 0)
		return berr(b, ENOMEM, r, "out of memory");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The backend's calls                                                 */

static int
map_delete(struct bpfb *b, const struct kr_route *r)
{
	union map_key key;
	int fd;

	if (batch_flush(b) < 0)
		return -1;
	if (!map_key(b, r, &fd, &key))
		return berr(b, ESRCH, r, "no such route");
	if (bpf_map_delete_elem(fd, &key) < 0)
		return berr(b, errno == ENOENT ? ESRCH : errno, r,
		    strerror(errno == ENOENT ? ESRCH : errno));
	return 0;
}

/* A delete removes the key from whichever store has it.  The dp layer
 * deletes a client's /128 and a session's prefix by key alone (no
 * encapsulation): that is a forward or return in route6_exact or route6
 * unless we know of a plain route there; only then, or when no map has
 * it, is the kernel asked. */
static int
bpf_delete(struct bpfb *b, const struct kr_route *r)
{
	struct kr_route k = *r;

	if (plain_find(b, r) >= 0)
		return kernel_change(b, r, KR_DELETE);
	if (r->encap != KR_ENCAP_NONE)
		return map_delete(b, r);
	k.encap = KR_ENCAP_SEG6;
	if ((store_of(&k) == ST_ROUTE_X || store_of(&k) == ST_ROUTE) &&
	    map_delete(b, &k) == 0)
		return 0;
	return kernel_change(b, r, KR_DELETE);
}

static int
map_update(struct bpfb *b, const struct kr_route *r, enum kr_op op)
{
	union map_key key;
	union {
		struct cats_encap	e;
		struct cats_sid		s;
	} v;
	int fd, rc;

	if (!map_key(b, r, &fd, &key))
		return berr(b, EINVAL, r, "no eBPF map takes this route "
		    "(IPv6 only; a source prefix shorter than /128 only "
		    "to a /128)");
	rc = r->encap == KR_ENCAP_SEG6LOCAL ? sid_val(b, r, &v.s) :
	    encap_val(b, r, &v.e);
	if (rc < 0)
		return -1;
	if (op == KR_REPLACE && r->encap == KR_ENCAP_SEG6 &&
	    plain_find(b, r) < 0)
		return batch_add(b, store_of(r), &key, &v.e);
	if (batch_flush(b) < 0)
		return -1;
	if (bpf_map_update_elem(fd, &key, &v,
	    op == KR_ADD ? BPF_NOEXIST : BPF_ANY) < 0)
		return berr(b, errno, r, strerror(errno));
	/* one route per key: the plain one it replaces goes */
	if (plain_find(b, r) >= 0 && op == KR_REPLACE)
		return kernel_change(b, r, KR_DELETE);
	return 0;
}

static int
bpf_change(void *ctx, const struct kr_route *r, enum kr_op op)
{
	struct bpfb *b = ctx;
	struct kr_route k;

	b->err[0] = '\0';
	if (!kr_route_valid(r, op))
		return berr(b, EINVAL, r, "inconsistent route");
	if (op == KR_DELETE)
		return bpf_delete(b, r);
	if (r->encap != KR_ENCAP_NONE)
		return map_update(b, r, op);
	/* a plain route replaces an SRv6 one of the same key */
	k = *r;
	k.encap = KR_ENCAP_SEG6;
	if (op == KR_REPLACE && store_of(&k) != ST_NONE)
		(void)map_delete(b, &k);
	return kernel_change(b, r, op);
}

/* Every entry of one map, as routes with their counters. */
static int
walk_map(struct bpfb *b, enum store st, dp_stats_cb cb, void *arg)
{
	union map_key key, next;
	union {
		struct cats_encap	e;
		struct cats_sid		s;
	} v;
	struct kr_route r;
	void *prev = NULL;
	int fd = store_fd(b, st);

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v) < 0)
			continue;	/* deleted meanwhile */
		entry_route(st, &key, &v, &r);
		r.protocol = b->protocol;
		if (st == ST_SID)
			cb(&r, v.s.packets, v.s.bytes, arg);
		else
			cb(&r, v.e.packets, v.e.bytes, arg);
	}
	return errno == ENOENT ? 0 : berr(b, errno, NULL, "map dump failed");
}

static int
walk_maps(struct bpfb *b, dp_stats_cb cb, void *arg)
{
	if (batch_flush(b) < 0)
		return -1;
	for (enum store st = 0; st < ST_MAPS; st++)
		if (walk_map(b, st, cb, arg) < 0)
			return -1;
	return 0;
}

struct plain_dump {
	struct bpfb	*b;
	kr_route_cb	 cb;
	void		*arg;
};

static void
map_seen(const struct kr_route *r, uint64_t packets, uint64_t octets,
    void *arg)
{
	struct plain_dump *pd = arg;

	(void)packets;
	(void)octets;
	pd->cb(r, pd->arg);
}

/* Plain routes of ours in the kernel are remembered as they are seen: a
 * restarted catsd learns there which keys the kernel holds. */
static void
plain_seen(const struct kr_route *r, void *arg)
{
	struct plain_dump *pd = arg;

	if (r->encap == KR_ENCAP_NONE)
		(void)plain_add(pd->b, r);
	pd->cb(r, pd->arg);
}

static int
bpf_dump(void *ctx, kr_route_cb cb, void *arg)
{
	struct bpfb *b = ctx;
	struct kr_filter f = { AF_UNSPEC, b->protocol, b->table };
	struct plain_dump pd = { b, cb, arg };
	struct kr_dump_stats st;

	if (walk_maps(b, map_seen, &pd) < 0)
		return -1;
	if (kr_dump(b->k, &f, plain_seen, &pd, &st) < 0) {
		snprintf(b->err, sizeof(b->err), "%s", kr_strerror(b->k));
		return -1;
	}
	return 0;
}

/* The drops summed over the CPUs. */
static int
bpf_stats(void *ctx, dp_stats_cb cb, void *arg, struct dp_drops *d)
{
	struct bpfb *b = ctx;
	uint64_t *per, sum[CATS_DROP_MAX] = { 0 };
	int ncpu = libbpf_num_possible_cpus(), fd;

	if (walk_maps(b, cb, arg) < 0)
		return -1;
	if (ncpu <= 0 || (per = calloc((size_t)ncpu, sizeof(*per))) == NULL)
		return berr(b, ENOMEM, NULL, "out of memory");
	fd = bpf_map__fd(b->skel->maps.drops);
	for (uint32_t i = 0; i < CATS_DROP_MAX; i++) {
		if (bpf_map_lookup_elem(fd, &i, per) < 0)
			continue;
		for (int c = 0; c < ncpu; c++)
			sum[i] += per[c];
	}
	free(per);
	d->srh = sum[CATS_DROP_SRH];
	d->segments_left = sum[CATS_DROP_SL];
	d->inner = sum[CATS_DROP_INNER];
	d->hop_limit = sum[CATS_DROP_HOPLIMIT];
	d->room = sum[CATS_DROP_ROOM];
	d->redirect = sum[CATS_DROP_REDIRECT];
	return 0;
}

/* active6 holds bpf_ktime_get_ns(), CLOCK_MONOTONIC. */
static int
bpf_activity(void *ctx, const uint8_t addr[16], uint64_t *idle_ms)
{
	struct bpfb *b = ctx;
	struct cats_addr_key k;
	struct timespec ts;
	uint64_t at, now;

	memcpy(k.addr, addr, 16);
	if (bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.active6), &k,
	    &at) < 0)
		return -1;		/* ENOENT: no packet it remembers */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	*idle_ms = now > at ? (now - at) / 1000000u : 0;
	return 0;
}

static int
bpf_sync(void *ctx)
{
	return batch_flush(ctx);
}

static const char *
bpf_error(void *ctx)
{
	return ((struct bpfb *)ctx)->err;
}

/* ------------------------------------------------------------------ */
/* Programs on the interfaces                                          */

static void
hook_of(const struct bpfb *b, const struct hook *h, struct bpf_tc_hook *th,
    struct bpf_tc_opts *to, int prog_fd)
{
	memset(th, 0, sizeof(*th));
	th->sz = sizeof(*th);
	th->ifindex = (int)h->ifindex;
	th->attach_point = BPF_TC_INGRESS;
	memset(to, 0, sizeof(*to));
	to->sz = sizeof(*to);
	to->handle = TC_HANDLE(b->table);
	to->priority = TC_PRIO;
	to->prog_fd = prog_fd;
}

static void
detach(struct bpfb *b)
{
	struct bpf_tc_hook th;
	struct bpf_tc_opts to;

	for (size_t i = 0; i < b->nhooks; i++) {
		struct hook *h = &b->hooks[i];

		hook_of(b, h, &th, &to, 0);
		if (h->attached)
			bpf_tc_detach(&th, &to);
		/* the qdisc goes only if we made it: others may use it */
		if (h->created) {
			th.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&th);
		}
		h->attached = h->created = false;
	}
}

static void
bpf_free(void *ctx)
{
	struct bpfb *b = ctx;

	detach(b);
	cats_bpf__destroy(b->skel);
	kr_close(b->k);
	free(b->batch);
	free(b->plain);
	free(b);
}

static const struct dp_backend bpf_backend = {
	bpf_change, bpf_dump, bpf_error, bpf_free, bpf_stats, bpf_sync,
	bpf_activity,
};

static void
add_hook(struct bpfb *b, uint32_t ifindex, bool l3)
{
	if (ifindex == 0)
		return;
	for (size_t i = 0; i < b->nhooks; i++)
		if (b->hooks[i].ifindex == ifindex)
			return;
	b->hooks[b->nhooks].ifindex = ifindex;
	b->hooks[b->nhooks++].l3 = l3;
}

/* The map of this name among those of an attached program's, or -1. */
static int
old_map(const uint32_t *ids, uint32_t n, const char *name)
{
	struct bpf_map_info mi;
	uint32_t len;
	int fd;

	for (uint32_t i = 0; i < n; i++) {
		if ((fd = bpf_map_get_fd_by_id(ids[i])) < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(fd, &mi, &len) == 0 &&
		    strcmp(mi.name, name) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

/* A catsd that died left its program on this hook: its maps (and the
 * routes in them) are ours again.  A map that no longer fits the program
 * (another layout) is left, and the routes start afresh. */
static void
take_over(struct bpfb *b, const struct hook *h)
{
	struct bpf_map *maps[] = { b->skel->maps.steer6_exact,
	    b->skel->maps.route6_exact, b->skel->maps.steer6,
	    b->skel->maps.steer6_src, b->skel->maps.route6, b->skel->maps.sid6,
	    b->skel->maps.drops, b->skel->maps.active6 };
	struct bpf_tc_hook th;
	struct bpf_tc_opts to;
	struct bpf_prog_info pi;
	uint32_t ids[16], len = sizeof(pi);
	int pfd, fd;

	hook_of(b, h, &th, &to, 0);
	if (bpf_tc_query(&th, &to) < 0 || to.prog_id == 0)
		return;
	if ((pfd = bpf_prog_get_fd_by_id(to.prog_id)) < 0)
		return;
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = 16;
	pi.map_ids = (uint64_t)(uintptr_t)ids;
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len) == 0) {
		for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
			fd = old_map(ids, pi.nr_map_ids < 16 ? pi.nr_map_ids :
			    16, bpf_map__name(maps[i]));
			if (fd < 0)
				continue;
			if (bpf_map__reuse_fd(maps[i], fd) == 0)
				b->reused = true;
			close(fd);
		}
	}
	close(pfd);
}

static int
attach(struct bpfb *b, struct hook *h)
{
	struct bpf_tc_hook th;
	struct bpf_tc_opts to;
	char name[IF_NAMESIZE] = "?", s[160];
	int pfd = bpf_program__fd(h->l3 ? b->skel->progs.cats_l3 :
	    b->skel->progs.cats_eth), rc;

	if_indextoname(h->ifindex, name);
	hook_of(b, h, &th, &to, pfd);
	if ((rc = bpf_tc_hook_create(&th)) == 0)
		h->created = true;
	else if (rc != -EEXIST) {
		snprintf(s, sizeof(s), "clsact on %s: %s", name, strerror(-rc));
		return berr(b, -rc, NULL, s);
	}
	to.flags = BPF_TC_F_REPLACE;
	if ((rc = bpf_tc_attach(&th, &to)) < 0) {
		snprintf(s, sizeof(s), "tc program on %s: %s", name,
		    strerror(-rc));
		return berr(b, -rc, NULL, s);
	}
	h->attached = true;
	return 0;
}

static int
load(struct bpfb *b, const struct dp_cfg *cfg)
{
	struct cats_cfg c;
	uint32_t zero = 0;
	int rc;

	libbpf_set_print(NULL);		/* errors are ours to say */
	if ((b->skel = cats_bpf__open()) == NULL)
		return berr(b, errno, NULL, "cannot open the programs");
	for (size_t i = 0; i < b->nhooks; i++)
		take_over(b, &b->hooks[i]);
	if ((rc = cats_bpf__load(b->skel)) < 0)
		return berr(b, -rc, NULL, rc == -EPERM ? "cannot load the "
		    "programs: not allowed (root, or CAP_BPF and CAP_NET_ADMIN)"
		    : "the kernel refused the programs (eBPF, tc, BTF?)");
	memset(&c, 0, sizeof(c));
	memcpy(c.src, cfg->encap_src, 16);
	if (bpf_map_update_elem(bpf_map__fd(b->skel->maps.cfg), &zero, &c,
	    BPF_ANY) < 0)
		return berr(b, errno, NULL, "cannot set the programs' source");
	for (size_t i = 0; i < b->nhooks; i++)
		if (attach(b, &b->hooks[i]) < 0)
			return -1;
	return 0;
}

struct dp *
dp_new_bpf(const struct dp_cfg *cfg, char *err, size_t errlen)
{
	struct bpfb *b;
	struct dp *dp;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->batch = calloc(ST_MAPS, sizeof(*b->batch))) == NULL) {
		snprintf(err, errlen, "bpf data plane: %s", strerror(errno));
		free(b);
		return NULL;
	}
	b->protocol = cfg->protocol ? cfg->protocol : RTPROT_CATS;
	b->table = cfg->table == 0 ? 254 : cfg->table;
	add_hook(b, cfg->core_oif, false);
	add_hook(b, cfg->access_oif, false);
	add_hook(b, cfg->edge_oif, false);
	add_hook(b, cfg->buffer_oif, true);
	if ((b->k = kr_open(b->protocol, err, errlen)) == NULL) {
		free(b);
		return NULL;
	}
	if (load(b, cfg) < 0) {
		snprintf(err, errlen, "%s", b->err);
		bpf_free(b);
		return NULL;
	}
	if ((dp = dp_new(cfg, &bpf_backend, b)) == NULL) {
		snprintf(err, errlen, "bpf data plane: out of memory");
		bpf_free(b);
	}
	return dp;
}
