/*
 * dataplane: data-plane intents to routes, over a kernel or an in-memory
 * backend.  See include/cats/dataplane.h and docs/dataplane.md.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/dataplane.h"

#define DP_ERR_MAX	KR_ERR_MAX

/*
 * What we want installed, and the memory backend's table: routes keyed as
 * the kernel keys them (kr_route_same_key: family, table, dst/dst_len,
 * src/src_len, metric).  The routes sit in a dense array that a dump walks;
 * a delete moves the last route into the hole.  An open-addressing index
 * of 8-octet slots (linear probing, at most half full, deletes shift back
 * instead of leaving tombstones) maps a key to its place, so a change costs
 * the same with a thousand clients as with a million, for 16 to 32
 * octets per route over the route itself.
 *
 * The index hashes the key without its metric, and kr_route_same_key
 * compares the metric: reconcile looks a wanted IPv6 route of metric 0 up
 * under whatever metric the kernel reports (1024), and routes that differ
 * by metric alone share a probe sequence (we install none such).
 */
struct rslot {
	uint32_t	 hash;
	uint32_t	 at;		/* index in v, plus one; 0: empty */
};

struct rtab {
	struct kr_route	*v;
	size_t		 n, cap;
	struct rslot	*slot;
	size_t		 nslots;	/* 0, or a power of two >= 2 n */
};

#define RTAB_MIN_SLOTS	64
#define RTAB_MAX	(UINT32_MAX / 4)	/* 'at' and 'nslots' fit */

struct dp {
	struct dp_cfg		 cfg;
	struct dp_peer		*peers;
	struct dp_service	*services;
	struct dp_instance	*instances;
	const struct dp_backend	*be;
	void			*ctx;
	struct rtab		 want;
	struct dp_counters	 cnt;
	bool			 deferred;
	char			 err[DP_ERR_MAX];
};

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

static uint32_t
main_if_zero(uint32_t table)
{
	return table == 0 ? 254 : table;
}

/* ------------------------------------------------------------------ */
/* Route tables                                                        */

static uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The first 'len' bits of 'a' as two words, the rest zero: the kernel
 * ignores host bits, and so does kr_route_same_key. */
static uint64_t
mix_prefix(uint64_t h, const uint8_t a[16], uint8_t len)
{
	uint8_t p[16] = { 0 };
	size_t n = len >= 128 ? 16 : len / 8;
	uint64_t w[2];

	memcpy(p, a, n);
	if (n < 16 && len % 8 != 0)
		p[n] = a[n] & (uint8_t)(0xff << (8 - len % 8));
	memcpy(w, p, sizeof(w));
	return mix(mix(h, w[0]), w[1]);
}

static uint32_t
rkey_hash(const struct kr_route *r)
{
	uint64_t h = mix(0, (uint64_t)r->family |
	    (uint64_t)main_if_zero(r->table) << 8 |
	    (uint64_t)r->dst_len << 40 | (uint64_t)r->src_len << 48);

	h = mix_prefix(mix_prefix(h, r->dst, r->dst_len), r->src, r->src_len);
	/* murmur3's finaliser: clients differ in their last octets. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ h >> 33);
}

/* The slot of the route at index 'at' (there is one: every route in v
 * has its slot, found from the hash of its key). */
static size_t
slot_of(const struct rtab *t, uint32_t hash, size_t at)
{
	size_t mask = t->nslots - 1, i;

	for (i = hash & mask; t->slot[i].at != at + 1; i = (i + 1) & mask)
		;
	return i;
}

/* The slot of the route with key's key, -1 if none. */
static ssize_t
slot_find(const struct rtab *t, const struct kr_route *key, uint32_t hash)
{
	size_t mask = t->nslots - 1, i;
	const struct rslot *s;

	if (t->nslots == 0)
		return -1;
	for (i = hash & mask; (s = &t->slot[i])->at != 0; i = (i + 1) & mask)
		if (s->hash == hash && kr_route_same_key(&t->v[s->at - 1], key))
			return (ssize_t)i;
	return -1;
}

static ssize_t
rtab_find(const struct rtab *t, const struct kr_route *key)
{
	ssize_t i = slot_find(t, key, rkey_hash(key));

	return i < 0 ? -1 : (ssize_t)t->slot[i].at - 1;
}

static const struct kr_route *
rtab_get(const struct rtab *t, const struct kr_route *key)
{
	ssize_t i = rtab_find(t, key);

	return i < 0 ? NULL : &t->v[i];
}

/* The first route (in table order) with key's key but any metric: where
 * a wanted IPv6 route of metric 0 is in a kernel dump (which says 1024). */
static const struct kr_route *
rtab_get_any_metric(const struct rtab *t, const struct kr_route *key)
{
	uint32_t hash = rkey_hash(key);
	struct kr_route k = *key;
	const struct kr_route *best = NULL, *r;
	size_t mask = t->nslots - 1, i;

	if (t->nslots == 0)
		return NULL;
	for (i = hash & mask; t->slot[i].at != 0; i = (i + 1) & mask) {
		if (t->slot[i].hash != hash)
			continue;
		r = &t->v[t->slot[i].at - 1];
		k.metric = r->metric;
		if (kr_route_same_key(&k, r) && (best == NULL || r < best))
			best = r;
	}
	return best;
}

static void
slot_put(struct rslot *slot, size_t nslots, uint32_t hash, size_t at)
{
	size_t mask = nslots - 1, i;

	for (i = hash & mask; slot[i].at != 0; i = (i + 1) & mask)
		;
	slot[i].hash = hash;
	slot[i].at = (uint32_t)(at + 1);
}

/* Empty slot i and pull later entries of the run back over the hole, so
 * every entry stays reachable from its home slot without tombstones. */
static void
slot_remove(struct rtab *t, size_t i)
{
	size_t mask = t->nslots - 1, j = i, home;

	for (;;) {
		j = (j + 1) & mask;
		if (t->slot[j].at == 0)
			break;
		home = t->slot[j].hash & mask;
		/* j may move back to i only if i is not before its home. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i].at = 0;
}

/* Room for one more route: array and index, the index kept at most half
 * full.  Growing rehashes from the stored hashes, not the routes. */
static int
rtab_reserve(struct rtab *t)
{
	struct kr_route *v;
	struct rslot *s;
	size_t cap, ns, i;

	if (t->n >= RTAB_MAX)
		return -1;
	if (t->n == t->cap) {
		cap = t->cap ? t->cap * 2 : 32;
		if ((v = realloc(t->v, cap * sizeof(*v))) == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	if ((t->n + 1) * 2 <= t->nslots)
		return 0;
	ns = t->nslots ? t->nslots * 2 : RTAB_MIN_SLOTS;
	if ((s = calloc(ns, sizeof(*s))) == NULL)
		return -1;
	for (i = 0; i < t->nslots; i++)
		if (t->slot[i].at != 0)
			slot_put(s, ns, t->slot[i].hash, t->slot[i].at - 1);
	free(t->slot);
	t->slot = s;
	t->nslots = ns;
	return 0;
}

/* Add r, or overwrite the route with its key. */
static int
rtab_set(struct rtab *t, const struct kr_route *r)
{
	uint32_t hash = rkey_hash(r);
	ssize_t i = slot_find(t, r, hash);

	if (i >= 0) {
		t->v[t->slot[i].at - 1] = *r;
		return 0;
	}
	if (rtab_reserve(t) < 0)
		return -1;
	t->v[t->n] = *r;
	slot_put(t->slot, t->nslots, hash, t->n);
	t->n++;
	return 0;
}

/* Delete the route with key's key.  The last route moves into its place:
 * a walk from the end down to index 0 (mem_dump) sees every route once
 * even when its callback deletes the route it is handed. */
static bool
rtab_del(struct rtab *t, const struct kr_route *key)
{
	uint32_t hash = rkey_hash(key);
	ssize_t i = slot_find(t, key, hash);
	size_t at, last;

	if (i < 0)
		return false;
	at = t->slot[i].at - 1;
	last = t->n - 1;
	slot_remove(t, (size_t)i);
	if (at != last) {
		t->slot[slot_of(t, rkey_hash(&t->v[last]), last)].at =
		    (uint32_t)(at + 1);
		t->v[at] = t->v[last];
	}
	t->n--;
	return true;
}

/* Forget every route, keep the memory for the next ones. */
static void
rtab_clear(struct rtab *t)
{
	t->n = 0;
	if (t->nslots > 0)
		memset(t->slot, 0, t->nslots * sizeof(*t->slot));
}

static void
rtab_free(struct rtab *t)
{
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------------ */
/* The memory backend: the kernel's semantics, no kernel               */

struct mem {
	struct rtab	 tab;
	uint8_t		 protocol;
	char		 err[DP_ERR_MAX];
};

static int
mem_change(void *ctx, const struct kr_route *r, enum kr_op op)
{
	struct mem *m = ctx;
	struct kr_route c = *r;
	char s[200];
	int e = 0;

	c.protocol = m->protocol;
	if (!kr_route_valid(r, op))
		e = EINVAL;		/* what the kernel path refuses, we do */
	else if (op == KR_DELETE)
		e = rtab_del(&m->tab, r) ? 0 : ESRCH;
	else if (op == KR_ADD && rtab_find(&m->tab, r) >= 0)
		e = EEXIST;
	else if (rtab_set(&m->tab, &c) < 0)
		e = ENOMEM;
	if (e == 0)
		return 0;
	snprintf(m->err, sizeof(m->err), "memory route %s: %s",
	    kr_route_fmt(r, s, sizeof(s)), strerror(e));
	errno = e;
	return -1;
}

/* From the last route down: a callback that deletes the route it is
 * handed moves an already seen one into its place (rtab_del), so nothing
 * is skipped; one that adds puts the new route where the walk has been. */
static int
mem_dump(void *ctx, kr_route_cb cb, void *arg)
{
	struct mem *m = ctx;
	size_t i;

	for (i = m->tab.n; i > 0; i--)
		if (i <= m->tab.n)
			cb(&m->tab.v[i - 1], arg);
	return 0;
}

static const char *
mem_error(void *ctx)
{
	return ((struct mem *)ctx)->err;
}

static void
mem_free(void *ctx)
{
	struct mem *m = ctx;

	rtab_free(&m->tab);
	free(m);
}

static const struct dp_backend mem_backend = {
	mem_change, mem_dump, mem_error, mem_free, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* The netlink backend                                                 */

struct nlb {
	struct kr	*k;
	uint32_t	 table;
};

static int
nl_change(void *ctx, const struct kr_route *r, enum kr_op op)
{
	return kr_change(((struct nlb *)ctx)->k, r, op);
}

static int
nl_dump(void *ctx, kr_route_cb cb, void *arg)
{
	struct nlb *b = ctx;
	struct kr_filter f = { AF_UNSPEC, kr_protocol(b->k), b->table };
	struct kr_dump_stats st;

	return kr_dump(b->k, &f, cb, arg, &st);
}

static const char *
nl_error(void *ctx)
{
	return kr_strerror(((struct nlb *)ctx)->k);
}

static void
nl_free(void *ctx)
{
	struct nlb *b = ctx;

	kr_close(b->k);
	free(b);
}

static const struct dp_backend nl_backend = {
	nl_change, nl_dump, nl_error, nl_free, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* Construction                                                        */

static void *
dup_array(const void *p, size_t n, size_t size, bool *fail)
{
	void *q;

	if (n == 0)
		return NULL;
	if ((q = calloc(n, size)) == NULL) {
		*fail = true;
		return NULL;
	}
	memcpy(q, p, n * size);
	return q;
}

struct dp *
dp_new(const struct dp_cfg *cfg, const struct dp_backend *be, void *ctx)
{
	struct dp *dp;
	bool fail = false;

	if ((dp = calloc(1, sizeof(*dp))) == NULL)
		return NULL;
	dp->cfg = *cfg;
	dp->cfg.protocol = cfg->protocol ? cfg->protocol : RTPROT_CATS;
	dp->cfg.table = main_if_zero(cfg->table);
	dp->peers = dup_array(cfg->peers, cfg->npeers, sizeof(*cfg->peers),
	    &fail);
	dp->services = dup_array(cfg->services, cfg->nservices,
	    sizeof(*cfg->services), &fail);
	dp->instances = dup_array(cfg->instances, cfg->ninstances,
	    sizeof(*cfg->instances), &fail);
	dp->cfg.peers = dp->peers;
	dp->cfg.services = dp->services;
	dp->cfg.instances = dp->instances;
	dp->be = be;
	dp->ctx = ctx;
	if (fail) {
		dp_free(dp);
		return NULL;
	}
	return dp;
}

struct dp *
dp_new_memory(const struct dp_cfg *cfg)
{
	struct mem *m;
	struct dp *dp;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->protocol = cfg->protocol ? cfg->protocol : RTPROT_CATS;
	if ((dp = dp_new(cfg, &mem_backend, m)) == NULL)
		mem_free(m);
	return dp;
}

struct dp *
dp_new_netlink(const struct dp_cfg *cfg, char *err, size_t errlen)
{
	struct nlb *b;
	struct dp *dp;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errlen, "dataplane: %s", strerror(errno));
		return NULL;
	}
	b->table = main_if_zero(cfg->table);
	if ((b->k = kr_open(cfg->protocol, err, errlen)) == NULL) {
		free(b);
		return NULL;
	}
	if ((dp = dp_new(cfg, &nl_backend, b)) == NULL) {
		snprintf(err, errlen, "dataplane: out of memory");
		nl_free(b);
	}
	return dp;
}

void
dp_free(struct dp *dp)
{
	if (dp == NULL)
		return;
	if (dp->be != NULL && dp->be->free != NULL)
		dp->be->free(dp->ctx);
	free(dp->peers);
	free(dp->services);
	free(dp->instances);
	rtab_free(&dp->want);
	free(dp);
}

const char *
dp_error(const struct dp *dp)
{
	return dp->err;
}

const struct dp_counters *
dp_counters(const struct dp *dp)
{
	return &dp->cnt;
}

void
dp_sid(const uint8_t base[16], uint32_t instance, uint8_t out[16])
{
	memcpy(out, base, 16);
	if (instance == 0)
		return;
	out[12] = (uint8_t)(instance >> 24);
	out[13] = (uint8_t)(instance >> 16);
	out[14] = (uint8_t)(instance >> 8);
	out[15] = (uint8_t)instance;
}

/* ------------------------------------------------------------------ */
/* Applying changes                                                    */

static int
fail(struct dp *dp, int e, const char *fmt, const char *what)
{
	dp->cnt.errors++;
	snprintf(dp->err, sizeof(dp->err), fmt, what);
	errno = e;
	return -1;
}

/* Install (replace) or delete one route and keep 'want' in step. */
static int
change(struct dp *dp, const struct kr_route *r, enum kr_op op)
{
	if (dp->deferred) {
		if (op == KR_DELETE)
			rtab_del(&dp->want, r);
		else if (rtab_set(&dp->want, r) < 0)
			return fail(dp, ENOMEM, "%s", "dataplane: out of memory");
		return 0;
	}
	if (dp->be->change(dp->ctx, r, op) < 0) {
		if (op == KR_DELETE && (errno == ESRCH || errno == ENOENT)) {
			dp->cnt.absent++;
			rtab_del(&dp->want, r);
			return 0;
		}
		return fail(dp, errno, "%s", dp->be->error(dp->ctx));
	}
	if (op == KR_DELETE)
		rtab_del(&dp->want, r);
	else if (rtab_set(&dp->want, r) < 0)
		return fail(dp, ENOMEM, "%s", "dataplane: out of memory");
	return 0;
}

static bool
is_v4mapped(const uint8_t a[16])
{
	return memcmp(a, v4mapped, sizeof(v4mapped)) == 0;
}

static const struct dp_peer *
peer_find(const struct dp *dp, const uint8_t addr[16])
{
	size_t i;

	for (i = 0; i < dp->cfg.npeers; i++)
		if (memcmp(dp->peers[i].addr, addr, 16) == 0)
			return &dp->peers[i];
	return NULL;
}

static const uint8_t *
core_gw(const struct dp *dp)
{
	return dp->cfg.has_core_gw ? dp->cfg.core_gw : NULL;
}

/* A plain route to dst/len (the key of buffer, forward and return routes:
 * one per client's /128, one per prefix, so each replaces the other). */
static void
plain_route(const struct dp *dp, const uint8_t dst[16], uint8_t len,
    struct kr_route *r)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET6;
	r->table = dp->cfg.table;
	memcpy(r->dst, dst, 16);
	r->dst_len = len;
}

static void
client_route(const struct dp *dp, const uint8_t client[16],
    struct kr_route *r)
{
	plain_route(dp, client, 128, r);
}

/* dst/len [from src/src_len] encapsulated toward a peer's SID for
 * 'instance'. */
static int
toward_peer(struct dp *dp, const uint8_t peer[16], uint32_t instance,
    const uint8_t dst[16], uint8_t dst_len, const uint8_t *src,
    uint8_t src_len, struct kr_route *r)
{
	const struct dp_peer *p = peer_find(dp, peer);
	uint8_t sid[1][16];

	if (p == NULL)
		return fail(dp, ENOENT, "%s", "dataplane: intent names a peer "
		    "with no SID in the table");
	dp_sid(p->sid, instance, sid[0]);
	kr_route_encap6(r, dp->cfg.table, dst, dst_len, src,
	    src ? src_len : 0, (const uint8_t (*)[16])sid, 1,
	    dp->cfg.core_oif, core_gw(dp));
	return 0;
}

/* Whether the intent carries the session's prefix (anchoring 3 step 7:
 * traffic from and to it takes the tunnel as the client's own does). */
static bool
has_prefix(const struct dp_intent *in)
{
	return in->prefix.len > 0 && in->prefix.len <= 128;
}

/* The steering of traffic to the service from 'src/src_len': the
 * client's /128, or its prefix. */
static int
steer_route(struct dp *dp, const struct dp_intent *in, const uint8_t src[16],
    uint8_t src_len, struct kr_route *r)
{
	const struct dp_service *s;

	if (in->service >= dp->cfg.nservices)
		return fail(dp, ENOENT, "%s", "dataplane: unknown service");
	s = &dp->services[in->service];
	if (is_v4mapped(in->client))
		return fail(dp, EAFNOSUPPORT, "%s", "dataplane: IPv4 clients "
		    "cannot be steered per source (no IPv4 source routing)");
	return toward_peer(dp, in->peer, in->instance, s->addr, s->plen,
	    src, src_len, r);
}

/* DP_STEER / DP_UNSTEER: "CSID from CLIENT/128", and "CSID from PREFIX"
 * when the session has one; both to the same SID, both go together. */
static int
apply_steer(struct dp *dp, const struct dp_intent *in)
{
	enum kr_op op = in->op == DP_STEER ? KR_REPLACE : KR_DELETE;
	struct kr_route r;

	if (steer_route(dp, in, in->client, 128, &r) < 0 ||
	    change(dp, &r, op) < 0)
		return -1;
	if (!has_prefix(in))
		return 0;
	if (steer_route(dp, in, in->prefix.addr, in->prefix.len, &r) < 0)
		return -1;
	return change(dp, &r, op);
}

/* DP_RETURN, DP_FORWARD (and DP_FLUSH toward a peer): the client's /128
 * and its prefix toward the peer's SID; their withdrawals delete both.
 * The prefix's route shares its key with DP_PREFIX's: a forward replaces
 * the prefix's access route, as the client's does its buffer route. */
static int
apply_client(struct dp *dp, const struct dp_intent *in, bool add)
{
	struct kr_route r;

	if (!add) {
		client_route(dp, in->client, &r);
		if (change(dp, &r, KR_DELETE) < 0)
			return -1;
		/* a flush back onto the access link ends the client's buffer
		 * route only: the prefix's access route stays */
		if (!has_prefix(in) || in->op == DP_FLUSH)
			return 0;
		plain_route(dp, in->prefix.addr, in->prefix.len, &r);
		return change(dp, &r, KR_DELETE);
	}
	if (toward_peer(dp, in->peer, 0, in->client, 128, NULL, 0, &r) < 0 ||
	    change(dp, &r, KR_REPLACE) < 0)
		return -1;
	if (!has_prefix(in))
		return 0;
	if (toward_peer(dp, in->peer, 0, in->prefix.addr, in->prefix.len,
	    NULL, 0, &r) < 0)
		return -1;
	return change(dp, &r, KR_REPLACE);
}

/* DP_PREFIX: the prefix onto the access link; DP_UNPREFIX: whatever route
 * of ours the prefix has (access or forward) goes. */
static int
apply_prefix(struct dp *dp, const struct dp_intent *in)
{
	struct kr_route r;

	if (!has_prefix(in)) {
		dp->cnt.not_kernel++;	/* no prefix: nothing to route */
		return 1;
	}
	plain_route(dp, in->prefix.addr, in->prefix.len, &r);
	if (in->op == DP_UNPREFIX)
		return change(dp, &r, KR_DELETE);
	r.oif = dp->cfg.access_oif;
	return change(dp, &r, KR_REPLACE);
}

static int
apply_buffer(struct dp *dp, const struct dp_intent *in)
{
	struct kr_route r;

	if (dp->cfg.buffer_oif == 0) {
		dp->cnt.not_kernel++;	/* no TUN: the driver buffers */
		return 0;
	}
	client_route(dp, in->client, &r);
	r.oif = dp->cfg.buffer_oif;
	return change(dp, &r, KR_REPLACE);
}

static bool
zero(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

int
dp_apply(struct dp *dp, const struct dp_intent *in)
{
	int rc;

	dp->err[0] = '\0';
	switch (in->op) {
	case DP_STEER:
	case DP_UNSTEER:
		rc = apply_steer(dp, in);
		break;
	case DP_PREFIX:
	case DP_UNPREFIX:
		if ((rc = apply_prefix(dp, in)) > 0)
			return 0;
		break;
	case DP_BUFFER:
		rc = apply_buffer(dp, in);
		break;
	case DP_FLUSH:
		/* Held packets go to the new ingress through the same route
		 * as DP_FORWARD, or back onto the access link. */
		if (zero(in->peer) && dp->cfg.buffer_oif == 0) {
			dp->cnt.not_kernel++;
			return 0;
		}
		rc = apply_client(dp, in, !zero(in->peer));
		break;
	case DP_FORWARD:
	case DP_RETURN:
		rc = apply_client(dp, in, true);
		break;
	case DP_UNFORWARD:
	case DP_UNRETURN:
		rc = apply_client(dp, in, false);
		break;
	case DP_STATE_EXPORT:
	case DP_STATE_IMPORT:
		dp->cnt.not_kernel++;	/* the edge service moves state */
		return 0;
	default:
		return fail(dp, EINVAL, "%s", "dataplane: unknown intent");
	}
	if (rc == 0)
		dp->cnt.applied++;
	return rc;
}

static int
start_instance(struct dp *dp, const struct dp_instance *in)
{
	struct kr_route r;
	uint8_t sid[16];

	dp_sid(dp->cfg.sid, in->id, sid);
	if (is_v4mapped(in->edge))
		kr_route_dx4(&r, dp->cfg.table, sid, in->edge + 12,
		    dp->cfg.edge_oif);
	else
		kr_route_dx6(&r, dp->cfg.table, sid, in->edge,
		    dp->cfg.edge_oif);
	return change(dp, &r, KR_REPLACE);
}

int
dp_start(struct dp *dp)
{
	struct kr_route r;
	size_t i;

	dp->err[0] = '\0';
	if (dp->cfg.roles & NODE_INGRESS) {
		kr_route_dt6(&r, dp->cfg.table, dp->cfg.sid,
		    main_if_zero(dp->cfg.decap_table), dp->cfg.access_oif);
		if (change(dp, &r, KR_REPLACE) < 0)
			return -1;
	}
	if (!(dp->cfg.roles & NODE_EGRESS))
		return 0;
	for (i = 0; i < dp->cfg.ninstances; i++)
		if (start_instance(dp, &dp->instances[i]) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dump, reconcile, flush                                              */

struct collect {
	struct rtab	 t;
	bool		 nomem;
};

static void
collect_cb(const struct kr_route *r, void *arg)
{
	struct collect *c = arg;

	if (rtab_set(&c->t, r) < 0)
		c->nomem = true;
}

static int
collect(struct dp *dp, struct collect *c)
{
	memset(c, 0, sizeof(*c));
	if (dp->be->dump(dp->ctx, collect_cb, c) < 0) {
		rtab_free(&c->t);
		return fail(dp, errno, "%s", dp->be->error(dp->ctx));
	}
	if (c->nomem) {
		rtab_free(&c->t);
		return fail(dp, ENOMEM, "%s", "dataplane: out of memory");
	}
	return 0;
}

int
dp_dump(struct dp *dp, kr_route_cb cb, void *arg)
{
	if (dp->be->dump(dp->ctx, cb, arg) < 0)
		return fail(dp, errno, "%s", dp->be->error(dp->ctx));
	return 0;
}

/* Whether the kernel's copy matches what we want, field for field.  A
 * dumped route has the kernel's defaults filled in (IPv6 metric 1024), so
 * the comparison fills them in ours too. */
static bool
same_as_wanted(const struct kr_route *want, const struct kr_route *have)
{
	struct kr_route w = *want;

	if (w.metric == 0 && w.family == AF_INET6)
		w.metric = have->metric;
	return kr_route_equal(&w, have);
}

/* The backend's route for a wanted one; an IPv6 metric 0 matches any
 * metric, as same_as_wanted does. */
static const struct kr_route *
have_find(const struct collect *have, const struct kr_route *want)
{
	if (want->metric == 0 && want->family == AF_INET6)
		return rtab_get_any_metric(&have->t, want);
	return rtab_get(&have->t, want);
}

/* Whether some wanted route is 'have' exactly: one with its key, or (IPv6)
 * one of metric 0 that same_as_wanted gives the metric of 'have'.  No
 * other wanted route can be. */
static bool
wanted(const struct dp *dp, const struct kr_route *have)
{
	const struct kr_route *w = rtab_get(&dp->want, have);
	struct kr_route key;

	if (w != NULL && same_as_wanted(w, have))
		return true;
	if (have->family != AF_INET6 || have->metric == 0)
		return false;
	key = *have;
	key.metric = 0;
	w = rtab_get(&dp->want, &key);
	return w != NULL && same_as_wanted(w, have);
}

void
dp_defer(struct dp *dp)
{
	dp->deferred = true;
	rtab_clear(&dp->want);
}

int
dp_reconcile(struct dp *dp, size_t *deleted, size_t *added)
{
	struct collect have;
	const struct kr_route *h;
	size_t i, nd = 0, na = 0;
	int rc = 0;

	dp->err[0] = '\0';
	dp->deferred = false;
	if (collect(dp, &have) < 0)
		return -1;
	for (i = 0; i < have.t.n && rc == 0; i++) {
		if (wanted(dp, &have.t.v[i]))
			continue;
		if (dp->be->change(dp->ctx, &have.t.v[i], KR_DELETE) == 0)
			nd++;
		else if (errno != ESRCH)
			rc = fail(dp, errno, "%s", dp->be->error(dp->ctx));
	}
	for (i = 0; i < dp->want.n && rc == 0; i++) {
		h = have_find(&have, &dp->want.v[i]);
		if (h != NULL && same_as_wanted(&dp->want.v[i], h))
			continue;
		if (dp->be->change(dp->ctx, &dp->want.v[i], KR_REPLACE) == 0)
			na++;
		else
			rc = fail(dp, errno, "%s", dp->be->error(dp->ctx));
	}
	rtab_free(&have.t);
	if (deleted != NULL)
		*deleted = nd;
	if (added != NULL)
		*added = na;
	return rc;
}

int
dp_flush(struct dp *dp)
{
	struct collect have;
	size_t i;
	int rc = 0;

	dp->err[0] = '\0';
	if (collect(dp, &have) < 0)
		return -1;
	for (i = 0; i < have.t.n && rc == 0; i++)
		if (dp->be->change(dp->ctx, &have.t.v[i], KR_DELETE) < 0 &&
		    errno != ESRCH)
			rc = fail(dp, errno, "%s", dp->be->error(dp->ctx));
	rtab_free(&have.t);
	rtab_clear(&dp->want);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Lookup (memory backend)                                             */

static bool
prefix_match(const uint8_t *addr, const uint8_t *pfx, uint8_t plen)
{
	size_t n = plen / 8;
	uint8_t mask;

	if (memcmp(addr, pfx, n) != 0)
		return false;
	if (plen % 8 == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - plen % 8));
	return ((addr[n] ^ pfx[n]) & mask) == 0;
}

/* A scan of the whole table: lookups are for tests and the simulator
 * following a packet, not for a forwarding path, so the table is keyed for
 * changes and not for longest match. */
int
dp_lookup(const struct dp *dp, uint8_t family, const uint8_t *dst,
    const uint8_t *src, struct kr_route *out)
{
	const struct mem *m;
	const struct kr_route *best = NULL, *r;
	size_t i;

	if (dp->be != &mem_backend)
		return -1;
	m = dp->ctx;
	for (i = 0; i < m->tab.n; i++) {
		r = &m->tab.v[i];
		if (r->family != family || r->table != dp->cfg.table ||
		    !prefix_match(dst, r->dst, r->dst_len))
			continue;
		if (r->src_len > 0 &&
		    (src == NULL || !prefix_match(src, r->src, r->src_len)))
			continue;
		/* IPv6 subtrees: the longest destination wins, then the
		 * longest source within it. */
		if (best == NULL || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len &&
		    r->src_len > best->src_len))
			best = r;
	}
	if (best == NULL)
		return -1;
	*out = *best;
	return 0;
}

/* A route the roles want beside the intents' (a MUP session's steering):
 * kept in the wanted set with them, so reconcile and flush treat it
 * alike, on whichever backend runs. */
int
dp_route(struct dp *dp, const struct kr_route *r, enum kr_op op)
{
	dp->err[0] = '\0';
	return change(dp, r, op);
}

int
dp_stats(struct dp *dp, dp_stats_cb cb, void *arg, struct dp_drops *drops)
{
	memset(drops, 0, sizeof(*drops));
	if (dp->be->stats == NULL) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return dp->be->stats(dp->ctx, cb, arg, drops);
}

int
dp_activity(struct dp *dp, const uint8_t addr[16], uint64_t *idle_ms)
{
	if (dp->be->activity == NULL) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return dp->be->activity(dp->ctx, addr, idle_ms);
}

int
dp_sync(struct dp *dp)
{
	if (dp->be->sync == NULL || dp->be->sync(dp->ctx) == 0)
		return 0;
	return fail(dp, errno, "%s", dp->be->error(dp->ctx));
}
