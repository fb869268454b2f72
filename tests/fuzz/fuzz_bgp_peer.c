/*
 * libFuzzer harness: a peer's byte stream after the session is up, cut
 * into reads where the input says, through the state machine, the UPDATE
 * decoder, the RIB and the CATS-MUP roles of a distributed RAN PE (the
 * role that acts on every route type it receives).  Whatever arrives, the
 * speaker must not crash, leak or loop; after a NOTIFICATION it stops.
 * Then the same reads go to a session in OpenSent with a second
 * connection (RFC 4271 6.8), first on that one, then on the session's.
 *
 * Input: one octet of read size (1..256, 0 means the rest), then the
 * stream.
 */
#include <stdint.h>
#include <string.h>

#include "cats/bgp.h"
#include "cats/mup.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct ctx {
	struct bgp_rib	*rib;
	struct mup	*mup;
};

static void
nop_send(void *c, const uint8_t *b, size_t n)
{
	(void)c;
	(void)b;
	(void)n;
}

static void
nop(void *c)
{
	(void)c;
}

static void
on_update(void *arg, const struct bgp_update *u)
{
	struct ctx *c = arg;
	enum bgp_err e;

	bgp_rib_apply(c->rib, 0, u, &e);
}

static const struct bgp_peer_ops ops = {
	.send = nop_send, .connect = nop, .disconnect = nop,
	.update = on_update,
	.send2 = nop_send, .close2 = nop, .swap = nop,
};

static void
nop_announce(void *c, const struct bgp_mup *k, const struct bgp_rattr *a)
{
	(void)c;
	(void)k;
	(void)a;
}

static void
nop_withdraw(void *c, const struct bgp_mup *k)
{
	(void)c;
	(void)k;
}

static void
nop_steer(void *c, const struct mup_steer *s)
{
	(void)c;
	(void)s;
}

static const struct mup_ops mops = {
	.announce = nop_announce, .withdraw = nop_withdraw,
	.steer = nop_steer,
};

/* The reads on the second connection, then on the session's. */
static void
collision(const struct bgp_peer_cfg *cfg, struct ctx *c, const uint8_t *data,
    size_t size, size_t step)
{
	struct bgp_peer *p;
	const char *why;

	if ((p = bgp_peer_new(cfg, &ops, c, &why)) == NULL)
		__builtin_trap();
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 0);
	if (!bgp_peer_second(p, true, 0))
		__builtin_trap();
	for (size_t off = 1; off < size; off += step)
		bgp_peer_input2(p, data + off, size - off < step ? size - off :
		    step, 2);
	for (size_t off = 1; off < size; off += step)
		bgp_peer_input(p, data + off, size - off < step ? size - off :
		    step, 3);
	bgp_peer_tick(p, 1000 * 1000);
	bgp_rib_flush(c->rib, 0);
	bgp_peer_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_peer_cfg cfg = { .local_as = 65000, .router_id = 1,
	    .hold = 90, .passive = true,
	    .afs = (1u << BGP_AF__COUNT) - 1 };
	struct bgp_open o = { .version = 4, .as = 65000, .hold = 90,
	    .id = 2, .afs = (1u << BGP_AF__COUNT) - 1 };
	struct mup_cfg mc;
	struct ctx c;
	struct bgp_peer *p;
	const char *why;
	uint8_t hello[256];
	struct wbuf w;
	size_t step;

	if (size < 1)
		return 0;
	step = data[0] ? data[0] : size;
	memset(&mc, 0, sizeof(mc));
	mc.roles = MUP_RAN_PE;
	mc.mode = MUP_DISTRIBUTED;
	mc.asn = 65000;
	mc.afi = BGP_AFI_IPV6;
	cats_damp_cfg_default(&mc.damp);
	cats_sel_cfg_default(&mc.sel);
	if ((c.mup = mup_new(&mc, &mops, NULL, &why)) == NULL)
		return 0;
	c.rib = bgp_rib_new(mup_rib_change, c.mup);
	p = bgp_peer_new(&cfg, &ops, &c, &why);
	if (c.rib == NULL || p == NULL)
		__builtin_trap();
	bgp_peer_start(p, 0);
	bgp_peer_connected(p, 0);
	wb_init(&w, hello, sizeof(hello));
	bgp_open_encode(&w, &o);
	bgp_keepalive_encode(&w);
	bgp_peer_input(p, hello, w.len, 1);
	if (bgp_peer_state(p) != BGP_ST_ESTABLISHED)
		__builtin_trap();
	for (size_t off = 1; off < size; off += step)
		bgp_peer_input(p, data + off, size - off < step ? size - off :
		    step, 2);
	bgp_rib_flush(c.rib, 0);
	bgp_peer_free(p);
	cfg.passive = false;
	collision(&cfg, &c, data, size, step);
	bgp_rib_free(c.rib);
	mup_free(c.mup);
	return 0;
}
