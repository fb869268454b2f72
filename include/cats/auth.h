/*
 * auth: authenticated signaling and replay protection (docs/wire.md 7,
 * docs/catsd.md "Authentication and replay").
 *
 * The authenticator is the RFC 4285 Authentication option (type 9):
 * subtype, Mobility SPI, Authentication Data.  Here the data is
 * HMAC-SHA-256 (32 octets, not truncated) with the key the SPI names, over
 * the Mobility Data of RFC 4285 5.1: the source address, the destination
 * address, then the Mobility Header from its first octet up to and including
 * the SPI, its checksum taken as zero (the checksum covers the
 * authenticator, so it is filled after it).
 *
 * The replay window keeps, per peer, the last sequence numbers accepted
 * (an RFC 4303 3.4.3 style bitmap over the 16-bit serial space) and the
 * newest timestamp (RFC 5213 5.5), so that a retransmission (same number,
 * same bytes) is told from a replay (an old number, or the same number with
 * other bytes) and a peer that restarted its numbering is still heard.
 *
 * Sans-I/O apart from libcrypto.
 */
#ifndef CATS_AUTH_H
#define CATS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cats/mh.h"

#define AUTH_SUBTYPE		1	/* RFC 4285 5.1: MN-HA, a shared key */
#define AUTH_DATA_LEN		32	/* HMAC-SHA-256, whole */
#define AUTH_KEY_MIN		16	/* octets; shorter keys are refused */
#define AUTH_KEY_MAX		64	/* one SHA-256 block */
#define AUTH_KEYS_MAX		2	/* valid at once: the old and the new */
#define AUTH_WINDOW		64	/* sequence numbers remembered per peer */

struct auth_key {
	uint32_t	 spi;		/* RFC 4285: 0..255 reserved */
	uint8_t		 len;
	uint8_t		 key[AUTH_KEY_MAX];
};

/* A peer's keys: signs with keys[send], accepts any of the nkeys. */
struct auth_keys {
	struct auth_key	 keys[AUTH_KEYS_MAX];
	uint8_t		 nkeys;		/* 0: the peer is not authenticated */
	uint8_t		 send;
};

enum auth_verdict {
	AUTH_OK = 0,
	AUTH_NONE,		/* no Authentication option */
	AUTH_BAD,		/* wrong subtype or length, or the MAC differs */
	AUTH_UNKNOWN_SPI,	/* no key with this SPI */
};

/*
 * The authenticator of an encoded message (RFC 4285 5.1): 'covered' is
 * the number of MH octets up to and including the SPI.
 */
bool		 auth_mac(const struct auth_key *, const struct mh_addrs *,
		    const uint8_t *mh, size_t covered,
		    uint8_t out[AUTH_DATA_LEN]);

/*
 * Encode m signed with key k: the Authentication option is added (last,
 * RFC 4285), the authenticator computed, then the checksum filled.
 */
enum mh_err	 auth_encode(const struct mh_msg *m, const struct auth_key *k,
		    const struct mh_addrs *, uint8_t *out, size_t cap,
		    size_t *outlen, struct mh_error *e);

/* Verify a decoded message (m decoded from buf) against a peer's keys. */
enum auth_verdict auth_verify(const struct auth_keys *,
		    const struct mh_addrs *, const uint8_t *buf, size_t len,
		    const struct mh_msg *m);

/* ---- replay ---- */

struct auth_window {
	bool		 used;
	uint16_t	 top;		/* highest sequence number accepted */
	uint64_t	 bits;		/* bit i: top - i accepted */
	uint64_t	 last_ts;	/* newest timestamp accepted (RFC 5213 8.8) */
	uint64_t	 digest[AUTH_WINDOW];	/* of each accepted message, by seq */
};

enum auth_seq {
	AUTH_SEQ_NEW = 0,	/* not seen: accept */
	AUTH_SEQ_DUPLICATE,	/* the same message again: answer it again */
	AUTH_SEQ_REPLAY,	/* behind the window, or seen with other bytes */
};

/*
 * RFC 5213 5.5: a timestamp within window_ms of our clock 'now_ts' (both
 * RFC 5213 8.8 timestamps; window given in the same units).
 */
bool		 auth_ts_fresh(uint64_t ts, uint64_t now_ts, uint64_t window);

/*
 * Classify (seq, digest, ts) against the window; with 'commit' a new
 * message is recorded.  A number behind the window, or seen with another
 * digest, is a replay unless its timestamp is newer than every one
 * accepted (has_ts): the peer restarted, and the window starts again there.
 */
enum auth_seq	 auth_window_check(struct auth_window *, uint16_t seq,
		    uint64_t digest, bool has_ts, uint64_t ts, bool commit);

/* 64-bit digest of a message's octets (FNV-1a; not a security measure:
 * it tells a retransmission from another message with the same number). */
uint64_t	 auth_digest(const uint8_t *, size_t);

/* "hex" of 2..2*AUTH_KEY_MAX digits into k; false if malformed. */
bool		 auth_key_parse(struct auth_key *k, const char *hex);

const char	*auth_verdict_name(enum auth_verdict);

#endif /* CATS_AUTH_H */
