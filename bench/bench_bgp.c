/*
 * bgp.ingest.core: MUP routes per second from a peer's byte stream through
 * the session's state machine, the UPDATE decoder (RFC 7606 checks
 * included) and the RIB, in one process: the speaker's share of the work
 * without the socket.  bgp.core.bytes_per_route: the RIB's memory for a
 * million IPv6 T2ST routes, divided by that million.  The same routes over
 * TCP to catsd and to gobgpd are measured by bench/bgp_ingest.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bgpgen.h"

#define ROUTES		1000000u
#define CHUNK		65536	/* what one read() of the daemon hands over */

struct fake {
	struct bgp_rib	*rib;
	long		 applied;
	bool		 bad;
};

static void
nop_send(void *ctx, const uint8_t *b, size_t n)
{
	(void)ctx;
	(void)b;
	(void)n;
}

static void
nop(void *ctx)
{
	(void)ctx;
}

static void
on_update(void *ctx, const struct bgp_update *u)
{
	struct fake *f = ctx;
	enum bgp_err e;
	long n = bgp_rib_apply(f->rib, 0, u, &e);

	if (n < 0 || u->err != BGP_OK)
		f->bad = true;
	else
		f->applied += n;
}

static const struct bgp_peer_ops ops = {
	.send = nop_send, .connect = nop, .disconnect = nop,
	.update = on_update,
};

/* Bring the session to Established with the peer's OPEN and KEEPALIVE. */
static bool
establish(struct bgp_peer *p)
{
	uint8_t buf[256];
	struct wbuf w;
	struct bgp_open o = { .version = 4, .as = BGPGEN_ASN, .hold = 90,
	    .id = 0x0a000002, .afs = 1u << BGP_AF_IPV6_MUP };

	bgp_peer_start(p, 1);
	bgp_peer_connected(p, 1);
	wb_init(&w, buf, sizeof(buf));
	if (!bgp_open_encode(&w, &o) || !bgp_keepalive_encode(&w))
		return false;
	bgp_peer_input(p, buf, w.len, 2);
	return bgp_peer_state(p) == BGP_ST_ESTABLISHED;
}

/* One run: the stream into a fresh session and RIB; routes/s, or < 0. */
static double
run(bool tlvs, struct bgp_rib_stats *st, uint32_t *nupd, size_t *len)
{
	struct bgp_peer_cfg cfg = { .name = "bench", .local_as = BGPGEN_ASN,
	    .peer_as = BGPGEN_ASN, .router_id = 0x0a000001, .hold = 90,
	    .afs = 1u << BGP_AF_IPV6_MUP, .passive = true };
	struct fake f = { 0 };
	struct bgp_peer *p;
	const char *why;
	uint8_t *stream;
	double t0, t1;
	bool ok;

	stream = bgpgen_stream(ROUTES, tlvs, len, nupd);
	f.rib = bgp_rib_new(NULL, NULL);
	p = bgp_peer_new(&cfg, &ops, &f, &why);
	if (stream == NULL || f.rib == NULL || p == NULL || !establish(p)) {
		fprintf(stderr, "bench_bgp: set-up failed\n");
		return -1;
	}
	t0 = bench_now();
	for (size_t off = 0; off < *len; off += CHUNK)
		bgp_peer_input(p, stream + off, *len - off < CHUNK ?
		    *len - off : CHUNK, 3);
	t1 = bench_now();
	bgp_rib_stats(f.rib, st);
	ok = !f.bad && st->routes == ROUTES && st->tlv_malformed == 0 &&
	    bgp_peer_state(p) == BGP_ST_ESTABLISHED;
	if (!ok)
		fprintf(stderr, "bench_bgp: %zu routes of %u in the RIB\n",
		    st->routes, ROUTES);
	bgp_peer_free(p);
	bgp_rib_free(f.rib);
	free(stream);
	return ok ? ROUTES / (t1 - t0) : -1;
}

int
main(void)
{
	struct bgp_rib_stats st, st2;
	uint32_t nupd, nupd2;
	size_t len, len2;
	double r, r2;

	if ((r = run(false, &st, &nupd, &len)) < 0 ||
	    (r2 = run(true, &st2, &nupd2, &len2)) < 0)
		return 1;
	printf("bgp.ingest.core: %.0f routes/s (%u IPv6 T2ST routes in %u "
	    "UPDATEs, %zu octets, through FSM, decoder and RIB; target of "
	    "the TCP figure: 1000000)\n", r, ROUTES, nupd, len);
	printf("bgp.ingest.core.tlv: %.0f routes/s (the same routes, each "
	    "with a session parameters TLV of draft-ietf-bess-mup-safi-01: "
	    "%u UPDATEs, %zu octets; target 1000000)\n", r2, nupd2, len2);
	printf("bgp.core.bytes_per_route: %.1f bytes (RIB of %zu routes, %zu "
	    "attribute sets; %.1f with the TLV)\n",
	    (double)st.bytes / (double)st.routes, st.routes, st.attrs,
	    (double)st2.bytes / (double)st2.routes);
	return 0;
}
