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

int
main(void)
{
	struct bgp_peer_cfg cfg = { .name = "bench", .local_as = BGPGEN_ASN,
	    .peer_as = BGPGEN_ASN, .router_id = 0x0a000001, .hold = 90,
	    .afs = 1u << BGP_AF_IPV6_MUP, .passive = true };
	struct fake f = { 0 };
	struct bgp_rib_stats st;
	struct bgp_peer *p;
	const char *why;
	uint8_t *stream;
	uint32_t nupd;
	size_t len;
	double t0, t1;

	stream = bgpgen_stream(ROUTES, &len, &nupd);
	f.rib = bgp_rib_new(NULL, NULL);
	p = bgp_peer_new(&cfg, &ops, &f, &why);
	if (stream == NULL || f.rib == NULL || p == NULL || !establish(p)) {
		fprintf(stderr, "bench_bgp: set-up failed\n");
		return 1;
	}
	t0 = bench_now();
	for (size_t off = 0; off < len; off += CHUNK)
		bgp_peer_input(p, stream + off, len - off < CHUNK ?
		    len - off : CHUNK, 3);
	t1 = bench_now();
	bgp_rib_stats(f.rib, &st);
	if (f.bad || st.routes != ROUTES ||
	    bgp_peer_state(p) != BGP_ST_ESTABLISHED) {
		fprintf(stderr, "bench_bgp: %zu routes of %u in the RIB\n",
		    st.routes, ROUTES);
		return 1;
	}
	printf("bgp.ingest.core: %.0f routes/s (%u IPv6 T2ST routes in %u "
	    "UPDATEs, %zu octets, through FSM, decoder and RIB; target of "
	    "the TCP figure: 1000000)\n", ROUTES / (t1 - t0), ROUTES, nupd,
	    len);
	printf("bgp.core.bytes_per_route: %.1f bytes (RIB of %zu routes, %zu "
	    "attribute sets)\n", (double)st.bytes / (double)st.routes,
	    st.routes, st.attrs);
	bgp_peer_free(p);
	bgp_rib_free(f.rib);
	free(stream);
	return 0;
}
