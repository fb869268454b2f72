/*
 * Tests of authenticated signaling and replay protection (cats/auth.h,
 * node.c admit): the RFC 4285 authenticator against a vector computed
 * independently (openssl dgst -sha256 -mac HMAC, docs/wire.md 7), every
 * refusal, key rollover with two keys, and the sequence window (wrap,
 * retransmission, replay, restarted peer), then the same at a node: a
 * locator with a keyed ingress peer, whose records change only for a
 * fresh, authentic message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cats/auth.h"
#include "cats/node.h"
#include "testutil.h"

static const struct mh_addrs addrs = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
};

/* docs/wire.md 7: a msg-ack, sequence 0x0a0b, timestamp 0x6ab13b808000,
 * key 00..1f with SPI 256, from 2001:db8::1 to 2001:db8::2. */
static const char vector_hex[] =
    "3b080600 1acc0001 0a0b0000 c8028800 01001b08 00006ab1 3b808000 00092501"
    "00000100 d32eca34 26488c62 eb407f70 8bde302e d976faf6 f4c09067 a8b46719"
    "99d80a88 01020000";

static void
key_of(struct auth_key *k, uint32_t spi, uint8_t first)
{
	memset(k, 0, sizeof(*k));
	k->spi = spi;
	k->len = 32;
	for (int i = 0; i < 32; i++)
		k->key[i] = (uint8_t)(first + i);
}

static void
vector_msg(struct mh_msg *m)
{
	mh_msg_init(m, MH_K_MSG_ACK);
	m->seq = 0x0a0b;
	m->present |= MH_BIT(MH_O_TIMESTAMP);
	m->timestamp = 0x00006ab13b808000ull;
}

static void
test_vector(void **state)
{
	uint8_t want[128], out[256];
	struct auth_keys ks = { .nkeys = 1 };
	struct mh_error e;
	struct mh_msg m, d;
	size_t wlen, len;

	(void)state;
	wlen = hex2bin(vector_hex, want, sizeof(want));
	key_of(&ks.keys[0], 256, 0);
	vector_msg(&m);
	assert_int_equal(auth_encode(&m, &ks.keys[0], &addrs, out, sizeof(out),
	    &len, &e), MH_OK);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, len);
	/* the checksum verifies, the option is last and decodes */
	assert_int_equal(mh_decode(out, len, &addrs, &d, &e), MH_OK);
	assert_int_equal(d.auth_spi, 256);
	assert_int_equal(auth_verify(&ks, &addrs, out, len, &d), AUTH_OK);
}

/* Each refusal, by name. */
static void
test_refusals(void **state)
{
	uint8_t buf[256], bad[256];
	struct auth_keys ks = { .nkeys = 1 }, other = { .nkeys = 1 };
	struct mh_addrs spoof = addrs;
	struct mh_error e;
	struct mh_msg m, d;
	size_t len;

	(void)state;
	key_of(&ks.keys[0], 256, 0);
	key_of(&other.keys[0], 256, 0x40);	/* same SPI, wrong key */
	vector_msg(&m);

	/* no option */
	assert_int_equal(mh_encode(&m, &addrs, buf, sizeof(buf), &len, &e), MH_OK);
	assert_int_equal(mh_decode(buf, len, &addrs, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&ks, &addrs, buf, len, &d), AUTH_NONE);

	/* a wrong key */
	assert_int_equal(auth_encode(&m, &other.keys[0], &addrs, buf,
	    sizeof(buf), &len, &e), MH_OK);
	assert_int_equal(mh_decode(buf, len, &addrs, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&ks, &addrs, buf, len, &d), AUTH_BAD);

	/* an SPI not configured */
	other.keys[0].spi = 999;
	assert_int_equal(auth_encode(&m, &other.keys[0], &addrs, buf,
	    sizeof(buf), &len, &e), MH_OK);
	assert_int_equal(mh_decode(buf, len, &addrs, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&ks, &addrs, buf, len, &d),
	    AUTH_UNKNOWN_SPI);

	/* the right key, then: a spoofed source, a changed octet, a wrong
	 * subtype each fail */
	assert_int_equal(auth_encode(&m, &ks.keys[0], &addrs, buf, sizeof(buf),
	    &len, &e), MH_OK);
	assert_int_equal(mh_decode(buf, len, NULL, &d, &e), MH_OK);
	spoof.src[15] = 3;
	assert_int_equal(auth_verify(&ks, &spoof, buf, len, &d), AUTH_BAD);
	memcpy(bad, buf, len);
	bad[9] ^= 1;				/* the sequence number */
	assert_int_equal(mh_decode(bad, len, NULL, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&ks, &addrs, bad, len, &d), AUTH_BAD);
	memcpy(bad, buf, len);
	bad[31] = 2;				/* subtype MN-AAA */
	assert_int_equal(mh_decode(bad, len, NULL, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&ks, &addrs, bad, len, &d), AUTH_BAD);
	/* the checksum is not covered: changing it alone still verifies */
	memcpy(bad, buf, len);
	bad[4] ^= 0xff;
	assert_int_equal(mh_decode(bad, len, NULL, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&ks, &addrs, bad, len, &d), AUTH_OK);
}

/* Two keys valid at once: either verifies; without the old, only the new. */
static void
test_rollover(void **state)
{
	struct auth_keys both = { .nkeys = 2 }, newonly = { .nkeys = 1 };
	struct auth_key oldk, newk;
	uint8_t buf[256];
	struct mh_error e;
	struct mh_msg m, d;
	size_t len;

	(void)state;
	key_of(&oldk, 256, 0);
	key_of(&newk, 257, 0x80);
	both.keys[0] = oldk;
	both.keys[1] = newk;
	newonly.keys[0] = newk;
	vector_msg(&m);
	assert_int_equal(auth_encode(&m, &oldk, &addrs, buf, sizeof(buf), &len,
	    &e), MH_OK);
	assert_int_equal(mh_decode(buf, len, &addrs, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&both, &addrs, buf, len, &d), AUTH_OK);
	assert_int_equal(auth_verify(&newonly, &addrs, buf, len, &d),
	    AUTH_UNKNOWN_SPI);
	assert_int_equal(auth_encode(&m, &newk, &addrs, buf, sizeof(buf), &len,
	    &e), MH_OK);
	assert_int_equal(mh_decode(buf, len, &addrs, &d, &e), MH_OK);
	assert_int_equal(auth_verify(&both, &addrs, buf, len, &d), AUTH_OK);
	assert_int_equal(auth_verify(&newonly, &addrs, buf, len, &d), AUTH_OK);
}

static enum auth_seq
win(struct auth_window *w, uint16_t seq, uint64_t digest, uint64_t ts)
{
	return auth_window_check(w, seq, digest, true, ts, true);
}

static void
test_window(void **state)
{
	struct auth_window w;
	uint16_t s;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(win(&w, 100, 1, 10), AUTH_SEQ_NEW);
	assert_int_equal(win(&w, 100, 1, 10), AUTH_SEQ_DUPLICATE);	/* rtx */
	assert_int_equal(win(&w, 100, 2, 10), AUTH_SEQ_REPLAY);	/* other bytes */
	assert_int_equal(win(&w, 102, 3, 11), AUTH_SEQ_NEW);
	assert_int_equal(win(&w, 101, 4, 11), AUTH_SEQ_NEW);	/* reordered */
	assert_int_equal(win(&w, 101, 4, 11), AUTH_SEQ_DUPLICATE);
	/* far ahead: the old numbers fall out of the window */
	assert_int_equal(win(&w, 102 + AUTH_WINDOW, 5, 12), AUTH_SEQ_NEW);
	assert_int_equal(win(&w, 102, 3, 11), AUTH_SEQ_REPLAY);
	assert_int_equal(win(&w, 101, 9, 12), AUTH_SEQ_REPLAY);	/* not newer */
	/* wrap: 65535 -> 0 -> 1 keeps going forward */
	memset(&w, 0, sizeof(w));
	for (s = 65530; s != 3; s++)
		assert_int_equal(win(&w, s, s, 20), AUTH_SEQ_NEW);
	assert_int_equal(w.top, 2);
	assert_int_equal(win(&w, 65534, 65534, 20), AUTH_SEQ_DUPLICATE);
	assert_int_equal(win(&w, 65534, 7, 20), AUTH_SEQ_REPLAY);
	assert_int_equal(win(&w, 65400, 7, 20), AUTH_SEQ_REPLAY);	/* behind */
	/* a restarted peer: numbers behind, but a newer timestamp */
	assert_int_equal(win(&w, 1, 42, 30), AUTH_SEQ_NEW);
	assert_int_equal(w.top, 1);
	assert_int_equal(win(&w, 2, 43, 30), AUTH_SEQ_NEW);
	/* without commit nothing moves */
	assert_int_equal(auth_window_check(&w, 9, 1, true, 30, false), AUTH_SEQ_NEW);
	assert_int_equal(auth_window_check(&w, 9, 1, true, 30, false), AUTH_SEQ_NEW);
}

static void
test_ts_window(void **state)
{
	(void)state;
	assert_true(auth_ts_fresh(1000, 1000, 7));
	assert_true(auth_ts_fresh(993, 1000, 7));
	assert_true(auth_ts_fresh(1007, 1000, 7));
	assert_false(auth_ts_fresh(992, 1000, 7));
	assert_false(auth_ts_fresh(1008, 1000, 7));
}

/* ---- at a node ---- */

struct cap {
	uint8_t		 buf[8][MH_MAX_LEN];
	size_t		 len[8];
	size_t		 n;
};

static void
cap_send(void *ctx, const uint8_t dst[16], const uint8_t *buf, size_t len)
{
	struct cap *c = ctx;

	(void)dst;
	if (c->n < 8) {
		memcpy(c->buf[c->n], buf, len);
		c->len[c->n++] = len;
	}
}

static void
cap_timer(void *ctx, uint64_t key, uint64_t at)
{
	(void)ctx, (void)key, (void)at;
}

static void
cap_dp(void *ctx, const struct dp_intent *d)
{
	(void)ctx, (void)d;
}

static const struct node_ops cap_ops = {
	.send = cap_send,
	.timer = cap_timer,
	.dp = cap_dp,
};

#define NOW	1000000000ull		/* ms */

/* A locator at ::2 with an ingress peer at ::1 sharing key 'k'. */
static struct node *
locator(struct cap *c, const struct auth_key *k)
{
	struct node_cfg cfg;
	const char *why;

	node_cfg_default(&cfg);
	memcpy(cfg.addr, addrs.dst, 16);
	cfg.roles = NODE_LOCATOR;
	cfg.npeers = 1;
	strcpy(cfg.peers[0].name, "in1");
	memcpy(cfg.peers[0].addr, addrs.src, 16);
	cfg.peers[0].roles = NODE_INGRESS;
	cfg.peers[0].auth.nkeys = 1;
	cfg.peers[0].auth.keys[0] = *k;
	memset(c, 0, sizeof(*c));
	return node_new(&cfg, &cap_ops, c, &why);
}

/* A loc-register from ::1, signed with k (NULL: not signed). */
static size_t
reg(uint8_t *out, const struct auth_key *k, uint16_t seq, uint64_t ts_ms,
    uint8_t client)
{
	struct mh_msg m;
	struct mh_error e;
	size_t len = 0;

	mh_msg_init(&m, MH_K_LOC_REGISTER);
	m.seq = seq;
	m.lifetime = 75;
	m.present |= MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_CATS_ADDR) |
	    MH_BIT(MH_O_TIMESTAMP);
	m.client_addr[0] = 0x20;
	m.client_addr[15] = client;
	m.cats_addr[0] = 0x20;
	m.cats_addr[15] = 0xe1;
	m.timestamp = (ts_ms / 1000) << 16 | ((ts_ms % 1000) * 65536 / 1000);
	if (k == NULL)
		assert_int_equal(mh_encode(&m, &addrs, out, MH_MAX_LEN, &len, &e),
		    MH_OK);
	else
		assert_int_equal(auth_encode(&m, k, &addrs, out, MH_MAX_LEN,
		    &len, &e), MH_OK);
	return len;
}

static void
deliver(struct node *n, const uint8_t *buf, size_t len, uint64_t now)
{
	struct ev ev = { .type = EV_MSG, .peer = addrs.src, .buf = buf,
		.len = len };

	node_event(n, &ev, now);
}

static void
test_node(void **state)
{
	struct auth_key k, wrong, other_spi, k2;
	uint8_t b[MH_MAX_LEN], first[MH_MAX_LEN];
	const struct node_counters *cnt;
	struct node_cfg cfg;
	struct mh_error e;
	struct mh_msg a;
	struct cap c;
	struct node *n;
	size_t len, flen;

	(void)state;
	key_of(&k, 300, 1);
	key_of(&wrong, 300, 2);
	key_of(&other_spi, 301, 1);
	assert_non_null(n = locator(&c, &k));
	cnt = node_counters(n);

	/* authentic and fresh: a record, a signed, timestamped answer */
	flen = reg(first, &k, 10, NOW, 1);
	deliver(n, first, flen, NOW);
	assert_int_equal(node_session_count(n), 1);
	assert_int_equal(c.n, 1);
	assert_int_equal(mh_decode(c.buf[0], c.len[0], NULL, &a, &e), MH_OK);
	assert_true(a.present & MH_BIT(MH_O_AUTH));
	assert_true(a.present & MH_BIT(MH_O_TIMESTAMP));
	assert_int_equal(a.auth_spi, 300);

	/* the same bytes again, even later than the timestamp window: a
	 * retransmission, answered again with the same answer */
	deliver(n, first, flen, NOW + 60000);
	assert_int_equal(cnt->drop[NODE_DROP_DUPLICATE], 1);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.len[1], c.len[0]);
	assert_memory_equal(c.buf[1], c.buf[0], c.len[0]);

	/* each refusal changes nothing and is counted by reason and peer */
	len = reg(b, NULL, 11, NOW, 2);
	deliver(n, b, len, NOW);
	assert_int_equal(cnt->drop[NODE_DROP_NO_AUTH], 1);
	len = reg(b, &wrong, 12, NOW, 2);
	deliver(n, b, len, NOW);
	assert_int_equal(cnt->drop[NODE_DROP_BAD_AUTH], 1);
	len = reg(b, &other_spi, 13, NOW, 2);
	deliver(n, b, len, NOW);
	assert_int_equal(cnt->drop[NODE_DROP_UNKNOWN_SPI], 1);
	len = reg(b, &k, 14, NOW - 8000, 2);	/* older than 7 s */
	deliver(n, b, len, NOW);
	assert_int_equal(cnt->drop[NODE_DROP_TIMESTAMP], 1);
	len = reg(b, &k, 10, NOW - 1, 2);	/* a seen number, other bytes */
	deliver(n, b, len, NOW);
	assert_int_equal(cnt->drop[NODE_DROP_REPLAY], 1);
	assert_int_equal(node_session_count(n), 1);
	assert_int_equal(cnt->peer_refused[0], 5);
	assert_int_equal(c.n, 2);		/* none answered */

	/* rollover: the second key added, both accepted; the first gone,
	 * only the second; answers signed with the first configured */
	key_of(&k2, 302, 9);
	cfg = *node_config(n);
	cfg.peers[0].auth.nkeys = 2;
	cfg.peers[0].auth.keys[1] = k2;
	assert_true(node_rekey(n, &cfg));
	assert_false(node_rekey(n, &cfg));	/* nothing changed */
	len = reg(b, &k2, 15, NOW, 3);
	deliver(n, b, len, NOW);
	len = reg(b, &k, 16, NOW, 4);
	deliver(n, b, len, NOW);
	assert_int_equal(node_session_count(n), 3);
	cfg.peers[0].auth.nkeys = 1;
	cfg.peers[0].auth.keys[0] = k2;
	assert_true(node_rekey(n, &cfg));
	len = reg(b, &k, 17, NOW, 5);
	deliver(n, b, len, NOW);
	assert_int_equal(cnt->drop[NODE_DROP_UNKNOWN_SPI], 2);
	len = reg(b, &k2, 18, NOW, 5);
	deliver(n, b, len, NOW);
	assert_int_equal(node_session_count(n), 4);
	assert_int_equal(mh_decode(c.buf[c.n - 1], c.len[c.n - 1], NULL, &a, &e),
	    MH_OK);
	assert_int_equal(a.auth_spi, 302);
	node_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_ts_window),
		cmocka_unit_test(test_node),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
