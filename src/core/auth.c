/*
 * auth: the RFC 4285 authenticator (HMAC-SHA-256) of a signaling message
 * and the per-peer replay window.  See include/cats/auth.h and
 * docs/wire.md 7.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cats/auth.h"

static const char *const verdict_names[] = {
	[AUTH_OK] = "ok",
	[AUTH_NONE] = "no-auth",
	[AUTH_BAD] = "bad-auth",
	[AUTH_UNKNOWN_SPI] = "unknown-spi",
};

const char *
auth_verdict_name(enum auth_verdict v)
{
	return (unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ?
	    verdict_names[v] : "unknown";
}

/* RFC 4285 5.1: Mobility Data = source | destination | MH up to and
 * including the SPI, with the MH checksum (offset 4) as zero. */
bool
auth_mac(const struct auth_key *k, const struct mh_addrs *a,
    const uint8_t *mh, size_t covered, uint8_t out[AUTH_DATA_LEN])
{
	uint8_t data[32 + MH_MAX_LEN];
	unsigned int outlen = 0;

	if (covered < MH_FIXED_LEN || covered > MH_MAX_LEN || k->len == 0)
		return false;
	memcpy(data, a->src, 16);
	memcpy(data + 16, a->dst, 16);
	memcpy(data + 32, mh, covered);
	data[32 + 4] = 0;
	data[32 + 5] = 0;
	return HMAC(EVP_sha256(), k->key, k->len, data, 32 + covered, out,
	    &outlen) != NULL && outlen == AUTH_DATA_LEN;
}

/* MH octets covered: everything before the Authentication Data. */
static bool
covered_len(const uint8_t *buf, size_t len, const struct mh_msg *m,
    size_t *covered)
{
	if (!(m->present & MH_BIT(MH_O_AUTH)) || m->auth_data.p < buf ||
	    m->auth_data.p + m->auth_data.len > buf + len)
		return false;
	*covered = (size_t)(m->auth_data.p - buf);
	return true;
}

enum mh_err
auth_encode(const struct mh_msg *m, const struct auth_key *k,
    const struct mh_addrs *a, uint8_t *out, size_t cap, size_t *outlen,
    struct mh_error *e)
{
	static const uint8_t zero[AUTH_DATA_LEN];
	uint8_t mac[AUTH_DATA_LEN];
	struct mh_msg s = *m, d;
	size_t covered;
	enum mh_err rc;
	uint16_t ck;

	s.present |= MH_BIT(MH_O_AUTH);
	s.auth_subtype = AUTH_SUBTYPE;
	s.auth_spi = k->spi;
	s.auth_data.p = zero;
	s.auth_data.len = AUTH_DATA_LEN;
	if ((rc = mh_encode(&s, NULL, out, cap, outlen, e)) != MH_OK)
		return rc;
	/* where the encoder put it (alignment and padding are its business) */
	if (mh_decode(out, *outlen, NULL, &d, e) != MH_OK ||
	    !covered_len(out, *outlen, &d, &covered) ||
	    !auth_mac(k, a, out, covered, mac)) {
		e->code = MH_E_OPT_VALUE;
		e->opt = MH_OT_AUTH;
		return MH_E_OPT_VALUE;
	}
	memcpy(out + covered, mac, AUTH_DATA_LEN);
	ck = mh_checksum(out, *outlen, a);
	out[4] = (uint8_t)(ck >> 8);
	out[5] = (uint8_t)ck;
	return MH_OK;
}

enum auth_verdict
auth_verify(const struct auth_keys *ks, const struct mh_addrs *a,
    const uint8_t *buf, size_t len, const struct mh_msg *m)
{
	uint8_t mac[AUTH_DATA_LEN];
	const struct auth_key *k = NULL;
	size_t covered, i;

	if (!(m->present & MH_BIT(MH_O_AUTH)))
		return AUTH_NONE;
	for (i = 0; i < ks->nkeys && i < AUTH_KEYS_MAX; i++)
		if (ks->keys[i].spi == m->auth_spi)
			k = &ks->keys[i];
	if (k == NULL)
		return AUTH_UNKNOWN_SPI;
	if (m->auth_subtype != AUTH_SUBTYPE ||
	    m->auth_data.len != AUTH_DATA_LEN ||
	    !covered_len(buf, len, m, &covered) ||
	    !auth_mac(k, a, buf, covered, mac) ||
	    CRYPTO_memcmp(mac, m->auth_data.p, AUTH_DATA_LEN) != 0)
		return AUTH_BAD;
	return AUTH_OK;
}

/* ------------------------------------------------------------------ */
/* Replay                                                              */

bool
auth_ts_fresh(uint64_t ts, uint64_t now_ts, uint64_t window)
{
	return ts + window >= now_ts && ts <= now_ts + window;
}

uint64_t
auth_digest(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static void
window_restart(struct auth_window *w, uint16_t seq, uint64_t digest)
{
	w->used = true;
	w->top = seq;
	w->bits = 1;
	memset(w->digest, 0, sizeof(w->digest));
	w->digest[seq % AUTH_WINDOW] = digest;
}

enum auth_seq
auth_window_check(struct auth_window *w, uint16_t seq, uint64_t digest,
    bool has_ts, uint64_t ts, bool commit)
{
	uint16_t ahead = (uint16_t)(seq - w->top);
	uint16_t behind = (uint16_t)(w->top - seq);
	bool newer = has_ts && ts > w->last_ts;
	bool fwd = w->used && ahead != 0 && ahead < 0x8000;
	bool inwin = w->used && !fwd && behind < AUTH_WINDOW;
	bool seen = inwin && (w->bits >> behind & 1);
	enum auth_seq v;

	if (!w->used || fwd || (inwin && !seen))
		v = AUTH_SEQ_NEW;
	else if (seen && w->digest[seq % AUTH_WINDOW] == digest)
		v = AUTH_SEQ_DUPLICATE;
	else		/* behind the window, or the number with other bytes */
		v = newer ? AUTH_SEQ_NEW : AUTH_SEQ_REPLAY;
	if (!commit || v != AUTH_SEQ_NEW)
		return v;
	if (newer)
		w->last_ts = ts;
	if (!w->used || (!fwd && (!inwin || seen))) {
		/* first message, or the peer started its numbers again */
		window_restart(w, seq, digest);
		return v;
	}
	if (fwd) {
		w->bits = ahead >= AUTH_WINDOW ? 0 : w->bits << ahead;
		w->bits |= 1;
		w->top = seq;
	} else {
		w->bits |= (uint64_t)1 << behind;
	}
	w->digest[seq % AUTH_WINDOW] = digest;
	return v;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
auth_key_parse(struct auth_key *k, const char *hex)
{
	size_t n = strlen(hex), i;
	int hi, lo;

	if (n == 0 || n % 2 != 0 || n / 2 > AUTH_KEY_MAX)
		return false;
	for (i = 0; i < n / 2; i++) {
		if ((hi = hexval(hex[2 * i])) < 0 || (lo = hexval(hex[2 * i + 1])) < 0)
			return false;
		k->key[i] = (uint8_t)(hi << 4 | lo);
	}
	k->len = (uint8_t)(n / 2);
	return true;
}
