/*
 * bgp_vectors: the BGP test corpus, shared by test_bgp (the codec, byte
 * for byte) and test_bgpdump (the same octets through "catsctl pkt bgp"'s
 * decoder, field by field): an OPEN, every MUP route type in both
 * families, an UPDATE laid out by hand, the CATS attribute of a CMU, and
 * the named malformed messages with the error, RFC 7606 action and offset
 * each must give.  Include after cmocka.h and testutil.h.
 */
#ifndef TESTS_BGP_VECTORS_H
#define TESTS_BGP_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "cats/bgp.h"

#define MARKER	"ffffffffffffffffffffffffffffffff"

static size_t
hex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = hex2bin(h, out, cap);

	if (n == (size_t)-1)
		fail_msg("bad hex in the test: %s", h);
	return n;
}


/* RFC 4271 4.2, RFC 5492 4; MP (RFC 4760 8), route refresh (RFC 2918 2)
 * and 4-octet AS (RFC 6793 9) capabilities in one parameter. */
static const char open_hex[] =
	MARKER "0033 01"		/* length 51, OPEN */
	"04 fde9 005a 0a000001"		/* version, AS 65001, hold 90, id */
	"16 02 14"			/* params 22: capabilities, 20 */
	"01 04 0001 00 55"		/* MP ipv4-mup */
	"01 04 0002 00 55"		/* MP ipv6-mup */
	"02 00"				/* route refresh */
	"41 04 0000fde9";		/* AS4 65001 */


struct mupvec {
	const char	*name;
	uint16_t	 afi;
	uint8_t		 type;
	uint8_t		 plen;
	const char	*prefix;	/* or the DSD address */
	uint32_t	 teid;
	uint8_t		 qfi;
	uint8_t		 ep_len;
	const char	*ep;
	uint8_t		 src_len;
	const char	*src;
	const char	*hex;
};

#define RD	"0000fde8 00000064"	/* type 0, 65000:100 */

/* draft-ietf-bess-mup-safi 3.1.1-3.1.4, as gobgpd's mup.go lays them. */
static const struct mupvec mupvecs[] = {
	{ "isd-v4", 1, BGP_MUP_ISD, 24, "0a0b0c", 0, 0, 0, NULL, 0, NULL,
	  "01 0001 0c" RD "18 0a0b0c" },
	{ "isd-v6", 2, BGP_MUP_ISD, 64, "20010db800010002", 0, 0, 0, NULL, 0, NULL,
	  "01 0001 11" RD "40 20010db800010002" },
	{ "isd-v4-short", 1, BGP_MUP_ISD, 0, "", 0, 0, 0, NULL, 0, NULL,
	  "01 0001 09" RD "00" },
	{ "dsd-v4", 1, BGP_MUP_DSD, 0, "c0000201", 0, 0, 0, NULL, 0, NULL,
	  "01 0002 0c" RD "c0000201" },
	{ "dsd-v6", 2, BGP_MUP_DSD, 0, "20010db8000000000000000000000002",
	  0, 0, 0, NULL, 0, NULL,
	  "01 0002 18" RD "20010db8000000000000000000000002" },
	{ "t1st-v4", 1, BGP_MUP_T1ST, 32, "0a000001", 0x1234, 9, 32, "c0000201",
	  0, NULL, "01 0003 17" RD "20 0a000001 00001234 09 20 c0000201" },
	{ "t1st-v6-src", 2, BGP_MUP_T1ST, 64, "20010db8000a0001", 0xdeadbeef, 5,
	  128, "20010db8000000000000000000000005",
	  128, "20010db8000000000000000000000006",
	  "01 0003 38" RD "40 20010db8000a0001 deadbeef 05"
	  "80 20010db8000000000000000000000005"
	  "80 20010db8000000000000000000000006" },
	{ "t1st-v6-ep-v4", 2, BGP_MUP_T1ST, 128,
	  "20010db8000a00010000000000000001", 1, 1, 32, "c0000205", 32,
	  "c0000206", "01 0003 28" RD "80 20010db8000a00010000000000000001"
	  "00000001 01 20 c0000205 20 c0000206" },
	{ "t2st-v4", 1, BGP_MUP_T2ST, 0, NULL, 0x12345678, 0, 64, "c0000201",
	  0, NULL, "01 0004 11" RD "40 c0000201 12345678" },
	{ "t2st-v6", 2, BGP_MUP_T2ST, 0, NULL, 0x00000100, 0, 160,
	  "20010db8000000000000000000000001", 0, NULL,
	  "01 0004 1d" RD "a0 20010db8000000000000000000000001 00000100" },
	{ "t2st-v6-teid-12", 2, BGP_MUP_T2ST, 0, NULL, 0xabc00000, 0, 140,
	  "20010db8000000000000000000000001", 0, NULL,
	  "01 0004 1b" RD "8c 20010db8000000000000000000000001 abc0" },
	{ "t2st-v4-no-teid", 1, BGP_MUP_T2ST, 0, NULL, 0, 0, 32, "c0000201",
	  0, NULL, "01 0004 0d" RD "20 c0000201" },
};


/*
 * A DSD of ipv6-mup as a site PE sends it to gobgpd: empty AS_PATH (iBGP),
 * LOCAL_PREF, the MUP direct segment community carrying the CS-ID with a
 * route target (RFC 4360), the SID in Prefix-SID (RFC 9252), the CATS
 * attribute (docs/wire.md) and MP_REACH_NLRI last.  Laid out from the
 * specifications, not from the encoder.
 */
static const char hand_dsd[] =
	MARKER "00ad 02"			/* 173 octets, UPDATE */
	"0000"					/* @19 no withdrawn routes */
	"0096"					/* @21 attributes: 150 */
	"40 01 01 00"				/* @23 ORIGIN IGP */
	"40 02 00"				/* @27 AS_PATH empty */
	"40 05 04 00000064"			/* @30 LOCAL_PREF 100 */
	"c0 10 10"				/* @37 EXT_COMMUNITIES, 16 */
	"  0c 00 fde8 00000007"			/*     MUP direct segment 65000:7 */
	"  00 02 fde8 00000001"			/*     RT 65000:1 */
	"c0 28 25"				/* @56 PREFIX_SID, 37 */
	"  05 0022 00"				/*     SRv6 L3 Service, 34 */
	"  01 001e 00"				/*     SID Information, 30 */
	"  20010db8 00e10000 00000000 00000000"	/*     SID */
	"  00 0012 00"				/*     flags, End.DT6, reserved */
	"  01 0006 20 10 10 00 00 00"		/*     SID Structure 32/16/16/0 */
	"c0 ff 16"				/* @96 CATS, 22 */
	"  03 04 00000065"			/*     CIS-ID 101 */
	"  04 0e 00 01 000003e8 3fe0000000000000" /*   util, mean, 1 s, 0.5 */
	"80 0e 31"				/* @121 MP_REACH_NLRI, 49 */
	"  0002 55 10"				/*     ipv6-mup, next hop 16 */
	"  20010db8 00e10000 00000000 00000001"	/*     next hop */
	"  00"					/*     reserved */
	"  01 0002 18" RD			/* @145 DSD, 24 */
	"  20010db8 00e10000 00000000 00000001";


/* The CATS attribute of a CMU, as docs/wire.md shows it. */
static const char cmu_cats_hex[] =
	"c0 ff 2f"				/* optional transitive, 255, 47 */
	"01 01 01"				/* KIND = CMU */
	"02 04 00000007"			/* CS-ID 7 */
	"03 04 00000065"			/* CIS-ID 101 */
	"04 0e 00 00 00000000 3fd0000000000000"	/* utilization, current, 0.25 */
	"04 0e 03 01 00001388 413e848000000000";	/* proc delay, mean 5 s, 2 ms */


/*
 * A case is a whole message (RAW), or the body of one whose header the
 * test writes (OPEN, NOTIF, RR, UPDB), or only the path attributes of an
 * UPDATE (UPD: no withdrawn routes, no IPv4 NLRI; attributes from @23).
 */
enum kind { RAW, OPEN, UPDB, UPD, NOTIF, RR };

struct bad {
	const char	*name;
	enum kind	 kind;
	const char	*hex;
	enum bgp_err	 err;
	enum bgp_action	 act;
	size_t		 off;
};

#define R	BGP_ACT_SESSION_RESET
#define W	BGP_ACT_TREAT_AS_WITHDRAW
#define D	BGP_ACT_ATTR_DISCARD

/* OPEN body parts: version 4, AS 65001, hold 90, id 10.0.0.1. */
#define OPEN_FIX	"04 fde9 005a 0a000001"
#define AS4CAP		"41 04 0000fde9"
/* Well-formed attributes: ORIGIN (4), AS_PATH empty (3). */
#define ORG		"40 01 01 00"
#define ASP		"40 02 00"
/* MP_REACH_NLRI of one ipv6-mup DSD, 52 octets; the NLRI at +24. */
#define MPR_HEAD	"80 0e 31 0002 55 10 20010db8000000000000000000000001 00"
#define DSD6		"01 0002 18" RD "20010db8000000000000000000000002"
#define MPR		MPR_HEAD DSD6
/* MP_UNREACH_NLRI of the same, 34 octets. */
#define MPU		"80 0f 1f 0002 55" DSD6
/* A metric TLV: UTIL, current, no window, value v (8 octets hex). */
#define MET(v)		"04 0e 00 00 00000000" v

static const struct bad bads[] = {
	/* RFC 4271 6.1: header */
	{ "marker-not-all-ones", RAW, "ffffffffffffffffffffffffffffff7f 0013 04",
	  BGP_E_MARKER, R, 0 },
	{ "length-18", RAW, MARKER "0012 04", BGP_E_LENGTH, R, 16 },
	{ "length-4097", RAW, MARKER "1001 04", BGP_E_LENGTH, R, 16 },
	{ "header-cut-short", RAW, MARKER "00", BGP_E_LENGTH, R, 16 },
	{ "type-6", RAW, MARKER "0013 06", BGP_E_TYPE, R, 18 },
	{ "type-0", RAW, MARKER "0013 00", BGP_E_TYPE, R, 18 },
	{ "keepalive-20", RAW, MARKER "0014 04 00", BGP_E_MSG_LENGTH, R, 16 },
	{ "open-28", RAW, MARKER "001c 01 04fde9005a0a00000100", BGP_E_MSG_LENGTH,
	  R, 16 },
	{ "update-22", RAW, MARKER "0016 02 000000", BGP_E_MSG_LENGTH, R, 16 },
	{ "notification-20", RAW, MARKER "0014 03 06", BGP_E_MSG_LENGTH, R, 16 },
	{ "route-refresh-22", RAW, MARKER "0016 05 000200", BGP_E_MSG_LENGTH, R,
	  16 },
	/* RFC 4271 6.2, RFC 5492, RFC 6793: OPEN */
	{ "open-version-3", OPEN, "03 fde9 005a 0a000001 00", BGP_E_OPEN_VERSION,
	  R, 19 },
	{ "open-hold-2", OPEN, "04 fde9 0002 0a000001 00", BGP_E_OPEN_HOLD, R, 22 },
	{ "open-id-0", OPEN, "04 fde9 005a 00000000 00", BGP_E_OPEN_ID, R, 24 },
	{ "open-as-0", OPEN, "04 0000 005a 0a000001 00", BGP_E_OPEN_AS, R, 20 },
	{ "open-as-trans-without-as4", OPEN, "04 5ba0 005a 0a000001 00",
	  BGP_E_OPEN_AS, R, 20 },
	{ "open-as4-zero", OPEN, "04 5ba0 005a 0a000001 08 02 06 41 04 00000000",
	  BGP_E_OPEN_AS, R, 20 },
	{ "open-optlen-past-end", OPEN, OPEN_FIX "09 02 06" AS4CAP,
	  BGP_E_OPEN_PARAM, R, 28 },
	{ "open-param-type-1", OPEN, OPEN_FIX "04 01 02 0000", BGP_E_OPEN_PARAM,
	  R, 29 },
	{ "open-param-past-optlen", OPEN, OPEN_FIX "08 02 07" AS4CAP,
	  BGP_E_OPEN_PARAM, R, 29 },
	{ "open-cap-mp-len-3", OPEN, OPEN_FIX "07 02 05 01 03 000200", 
	  BGP_E_OPEN_CAP, R, 31 },
	{ "open-cap-as4-len-2", OPEN, OPEN_FIX "06 02 04 4102 fde9",
	  BGP_E_OPEN_CAP, R, 31 },
	{ "open-cap-refresh-with-value", OPEN, OPEN_FIX "05 02 03 02 01 00",
	  BGP_E_OPEN_CAP, R, 31 },
	{ "open-cap-past-param", OPEN, OPEN_FIX "0a 02 08 02 00 41 05 0000fde9",
	  BGP_E_OPEN_CAP, R, 33 },
	/* RFC 4271 6.3, RFC 7606 3.b: lengths that cannot be trusted */
	{ "withdrawn-length-overrun", UPDB, "0010 0000", BGP_E_UPD_LENGTHS, R, 19 },
	{ "attribute-length-overrun", UPDB, "0000 00ff" ORG, BGP_E_UPD_LENGTHS,
	  R, 21 },
	/* RFC 7606 7.1-7.5, 3.e: treat-as-withdraw */
	{ "origin-3", UPD, "40 01 01 03" ASP MPR, BGP_E_ORIGIN, W, 26 },
	{ "origin-length-2", UPD, "40 01 02 0000" ASP MPR, BGP_E_ATTR_LENGTH, W, 25 },
	{ "origin-flags-optional", UPD, "80 01 01 00" ASP MPR, BGP_E_ATTR_FLAGS,
	  W, 23 },
	{ "as-path-segment-type-5", UPD, ORG "40 02 06 05 01 0000fde8" MPR,
	  BGP_E_AS_PATH, W, 30 },
	{ "as-path-empty-segment", UPD, ORG "40 02 02 02 00" MPR, BGP_E_AS_PATH,
	  W, 30 },
	{ "as-path-2-octet-as-on-as4", UPD, ORG "40 02 04 02 01 fde8" MPR,
	  BGP_E_AS_PATH, W, 30 },
	{ "next-hop-length-5", UPD, "40 03 05 c000020100" ORG ASP MPR,
	  BGP_E_ATTR_LENGTH, W, 25 },
	{ "med-flags-transitive", UPD, "c0 04 04 00000001" ORG ASP MPR,
	  BGP_E_ATTR_FLAGS, W, 23 },
	{ "local-pref-length-3", UPD, "40 05 03 000064" ORG ASP MPR,
	  BGP_E_ATTR_LENGTH, W, 25 },
	{ "unknown-well-known", UPD, "40 63 01 00" ORG ASP MPR, BGP_E_ATTR_FLAGS,
	  W, 23 },
	/* RFC 7606 3.d: mandatory attributes */
	{ "missing-origin", UPD, ASP MPR, BGP_E_ATTR_MISSING, W, 78 },
	{ "missing-as-path", UPD, ORG MPR, BGP_E_ATTR_MISSING, W, 79 },
	/* RFC 7606 7.6, 7.7, 3.f: attribute discard */
	{ "atomic-aggregate-length-1", UPD, "40 06 01 00" ORG ASP MPR,
	  BGP_E_ATTR_LENGTH, D, 25 },
	{ "aggregator-6-on-as4", UPD, "c0 07 06 fde8c0000201" ORG ASP MPR,
	  BGP_E_ATTR_LENGTH, D, 26 },
	{ "aggregator-flags", UPD, "40 07 08 0000fde8c0000201" ORG ASP MPR,
	  BGP_E_ATTR_FLAGS, D, 23 },
	/* RFC 7606 3.g: duplicates */
	{ "origin-twice", UPD, ORG ORG ASP MPR, BGP_E_ATTR_DUP, D, 27 },
	{ "mp-reach-twice", UPD, ORG ASP MPR MPR, BGP_E_MP_DUP, R, 82 },
	{ "mp-unreach-twice", UPD, MPU MPU, BGP_E_MP_DUP, R, 57 },
	/* RFC 7606 7.11, 7.12: MP attributes reset */
	{ "mp-reach-next-hop-5", UPD, ORG ASP "80 0e 0a 0002 55 05 2001 0db8 00"
	  "00", BGP_E_MP, R, 33 },
	{ "mp-reach-flags-transitive", UPD, ORG ASP "c0 0e 31 0002 55 10"
	  "20010db8000000000000000000000001 00" DSD6, BGP_E_ATTR_FLAGS, R, 30 },
	{ "mp-unreach-length-2", UPD, "80 0f 02 0002", BGP_E_ATTR_LENGTH, R, 25 },
	/* RFC 7606 4: attributes that overrun the block */
	{ "overrun-origin", UPD, ASP MPR "40 01 05 00", BGP_E_ATTR_OVERRUN, W, 78 },
	{ "overrun-header-2-octets", UPD, ORG ASP MPR "40 01", BGP_E_ATTR_OVERRUN,
	  W, 82 },
	{ "overrun-extlen", UPD, ORG ASP MPR "50 01 00", BGP_E_ATTR_OVERRUN, W, 82 },
	{ "overrun-mp-reach", UPD, ORG ASP "80 0e 40 0002 55", BGP_E_ATTR_OVERRUN,
	  R, 30 },
	/* RFC 7606 7.8, 7.9, 7.10, 7.14 */
	{ "communities-length-6", UPD, "c0 08 06 fde80001fde8" ORG ASP MPR,
	  BGP_E_ATTR_LENGTH, W, 26 },
	{ "ext-comm-length-12", UPD, "c0 10 0c 000200000000000100000000" ORG ASP
	  MPR, BGP_E_EXT_COMM, W, 26 },
	{ "ext-comm-flags-nontransitive", UPD, "80 10 08 0002fde800000001" ORG
	  ASP MPR, BGP_E_ATTR_FLAGS, W, 23 },
	{ "originator-id-length-5", UPD, "80 09 05 0a00000100" ORG ASP MPR,
	  BGP_E_ATTR_LENGTH, W, 25 },
	{ "cluster-list-length-6", UPD, "80 0a 06 0a0000010a00" ORG ASP MPR,
	  BGP_E_CLUSTER, W, 26 },
	/* RFC 9252 3.4: Prefix-SID */
	{ "prefix-sid-tlv-overrun", UPD, ORG ASP "c0 28 04 05 0010 00" MPR,
	  BGP_E_PREFIX_SID, W, 33 },
	{ "prefix-sid-sid-info-short", UPD, ORG ASP
	  "c0 28 0d 05 000a 00 01 0006 00 20010db80000" MPR, BGP_E_PREFIX_SID,
	  W, 33 },
	{ "prefix-sid-structure-len-5", UPD, ORG ASP "c0 28 24 05 0021 00 01 001d"
	  "00 20010db8000000000000000000000001 00 0012 00 01 0005 2010100000" MPR,
	  BGP_E_PREFIX_SID, W, 33 },
	{ "prefix-sid-subsub-overrun", UPD, ORG ASP "c0 28 22 05 001f 00 01 001b"
	  "00 20010db8000000000000000000000001 00 0012 00 01 0006 2010" MPR,
	  BGP_E_PREFIX_SID, W, 33 },
	/* docs/wire.md: the CATS attribute */
	{ "cats-flags-nontransitive", UPD, ORG ASP "80 ff 06 03 04 00000065" MPR,
	  BGP_E_ATTR_FLAGS, W, 30 },
	{ "cats-cis-id-length-3", UPD, ORG ASP "c0 ff 05 03 03 000065" MPR,
	  BGP_E_CATS, W, 33 },
	{ "cats-tlv-overrun", UPD, ORG ASP "c0 ff 03 02 04 00" MPR, BGP_E_CATS, W,
	  33 },
	{ "cats-kind-twice", UPD, ORG ASP "c0 ff 06 01 01 01 01 01 01" MPR,
	  BGP_E_CATS, W, 33 },
	{ "cats-metric-nan", UPD, ORG ASP "c0 ff 10" MET("7ff8000000000000") MPR,
	  BGP_E_CATS, W, 33 },
	{ "cats-metric-util-2", UPD, ORG ASP "c0 ff 10" MET("4000000000000000")
	  MPR, BGP_E_CATS, W, 33 },
	{ "cats-metric-unknown-id", UPD, ORG ASP
	  "c0 ff 10 04 0e 09 00 00000000 0000000000000000" MPR, BGP_E_CATS, W, 33 },
	{ "cats-metric-length-13", UPD, ORG ASP
	  "c0 ff 0f 04 0d 00 00 00000000 00000000000000" MPR, BGP_E_CATS, W, 33 },
	{ "cats-metric-twice", UPD, ORG ASP "c0 ff 20" MET("0000000000000000")
	  MET("3fe0000000000000") MPR, BGP_E_CATS, W, 33 },
	/* RFC 7606 3.h: the strongest action, and its error, win */
	{ "withdraw-then-reset", UPD, "40 01 01 09" ASP MPR MPR, BGP_E_MP_DUP, R,
	  82 },
	{ "discard-then-withdraw", UPD, "40 06 01 00 40 01 01 09" ASP MPR,
	  BGP_E_ORIGIN, W, 30 },
	/* RFC 7606 5.3: NLRI; the offset is the NLRI's */
	{ "nlri-dsd-v6-body-12", UPD, ORG ASP "80 0e 25 0002 55 10"
	  "20010db8000000000000000000000001 00 01 0002 0c" RD "c0000201",
	  BGP_E_NLRI, R, 54 },
	{ "nlri-isd-v4-plen-33", UPD, ORG ASP "80 0e 1b 0001 55 04 c0000201 00"
	  "01 0001 0e" RD "21 0a0b0c0d00", BGP_E_NLRI, R, 42 },
	{ "nlri-isd-body-longer", UPD, ORG ASP "80 0e 1a 0001 55 04 c0000201 00"
	  "01 0001 0d" RD "18 0a0b0c00", BGP_E_NLRI, R, 42 },
	{ "nlri-t2st-teid-33-bits", UPD, ORG ASP "80 0e 1f 0001 55 04 c0000201 00"
	  "01 0004 12" RD "41 c0000201 1234567800", BGP_E_NLRI, R, 42 },
	{ "nlri-t1st-ep-len-24", UPD, ORG ASP "80 0e 24 0001 55 04 c0000201 00"
	  "01 0003 17" RD "20 0a000001 00000001 09 18 c00002 00", BGP_E_NLRI, R,
	  42 },
	{ "nlri-past-block", UPD, ORG ASP "80 0e 0f 0001 55 04 c0000201 00"
	  "01 0002 0c 0000", BGP_E_NLRI, R, 42 },
	{ "nlri-second-of-two", UPD, ORG ASP "80 0e 4e 0002 55 10"
	  "20010db8000000000000000000000001 00" DSD6 "01 0002 19" RD
	  "20010db800000000000000000000000200", BGP_E_NLRI, R, 82 },
	{ "unreach-prefix-plen-129", UPD, "80 0f 04 0002 01 81", BGP_E_NLRI, R, 29 },
	/* RFC 2918 / RFC 7313 5 */
	{ "route-refresh-body-5", RR, "0002 00 55 00", BGP_E_REFRESH, R, 19 },
};

#undef R
#undef W
#undef D

static size_t
bad_bytes(const struct bad *t, uint8_t *b, size_t cap)
{
	static const uint8_t type_of[] = { [OPEN] = BGP_OPEN, [UPDB] = BGP_UPDATE,
	    [UPD] = BGP_UPDATE, [NOTIF] = BGP_NOTIFICATION,
	    [RR] = BGP_ROUTE_REFRESH };
	size_t h = 0, n;

	if (t->kind == RAW)
		return hex(t->hex, b, cap);
	h = hex(MARKER "0000 00", b, cap);
	b[18] = type_of[t->kind];
	if (t->kind == UPD)
		h += hex("0000 0000", b + h, cap - h);
	n = hex(t->hex, b + h, cap - h);
	if (t->kind == UPD) {
		b[21] = (uint8_t)(n >> 8);
		b[22] = (uint8_t)n;
	}
	b[16] = (uint8_t)((h + n) >> 8);
	b[17] = (uint8_t)(h + n);
	return h + n;
}


#endif /* TESTS_BGP_VECTORS_H */
