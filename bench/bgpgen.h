/*
 * bgpgen: the UPDATE stream the BGP benchmarks send, shared by the
 * in-process benchmark (bench_bgp.c) and the TCP sender (bgp_blast.c) so
 * catsd and gobgpd receive the same bytes.
 *
 * N IPv6 T2ST routes (draft-ietf-bess-mup-safi, 3gpp-5g), as many per
 * UPDATE as fit in 4096 octets (about 115), each UPDATE with the
 * attributes a CATS-MUP controller sends: ORIGIN, AS_PATH, LOCAL_PREF, the
 * MUP extended community with the CS-ID, a route target and the CATS
 * attribute with a CIS-ID that changes from UPDATE to UPDATE (16 sets).
 * With tlvs, every route ends in the 3gpp-5g session parameters TLV of
 * draft-ietf-bess-mup-safi-01 3.1.5.1 (its TEID, QFI 9): 7 octets more.
 */
#ifndef CATS_BENCH_BGPGEN_H
#define CATS_BENCH_BGPGEN_H

#include <stdlib.h>
#include <string.h>

#include "cats/bgp.h"

#define BGPGEN_ASN	65000

#define BGPGEN_TLV_LEN	7

static void
bgpgen_route(struct bgp_mup *k, uint32_t i, uint8_t *tlv)
{
	memset(k, 0, sizeof(*k));
	k->afi = BGP_AFI_IPV6;
	k->type = BGP_MUP_T2ST;
	k->rd[3] = 1;			/* RD 0:1:0 */
	k->ep[0] = 0x20;
	k->ep[1] = 0x01;
	k->ep[2] = 0x0d;
	k->ep[3] = 0xb8;
	k->ep[15] = (uint8_t)(1 + i % 4);	/* four UPFs */
	k->ep_len = 160;
	k->teid = i + 1;
	if (tlv == NULL)
		return;
	tlv[0] = BGP_MUP_TLV_SESSION;
	tlv[1] = 5;
	tlv[2] = (uint8_t)(k->teid >> 24);
	tlv[3] = (uint8_t)(k->teid >> 16);
	tlv[4] = (uint8_t)(k->teid >> 8);
	tlv[5] = (uint8_t)k->teid;
	tlv[6] = 9;
	k->tlv = tlv;
	k->tlv_len = BGPGEN_TLV_LEN;
}

static void
bgpgen_attrs(struct bgp_attrs *a, uint32_t update)
{
	memset(a, 0, sizeof(*a));
	a->seen = BGP_SEEN(BGP_ATTR_ORIGIN) | BGP_SEEN(BGP_ATTR_AS_PATH) |
	    BGP_SEEN(BGP_ATTR_LOCAL_PREF) | BGP_SEEN(BGP_ATTR_EXT_COMMUNITIES) |
	    BGP_SEEN_CATS;
	a->local_pref = 100;
	a->nh_len = 16;
	a->nh[0] = 0xfc;
	a->nh[15] = 1;
	a->has_mup_ec = true;
	bgp_mup_ec_as2(&a->mup_ec, BGPGEN_ASN, 1);
	a->nrt = 1;
	a->rt[0] = bgp_rt_as2(BGPGEN_ASN, 100);
	a->cats.has_cs_id = true;
	a->cats.cs_id = 1;
	a->cats.has_cis_id = true;
	a->cats.cis_id = 11 + update % 16;
}

/*
 * The whole stream of UPDATEs for n routes, followed by an End-of-RIB;
 * malloc'd, *len set.  NULL if memory or encoding fails.
 */
static uint8_t *
bgpgen_stream(uint32_t n, bool tlvs, size_t *len, uint32_t *nupdates)
{
	enum { BATCH = 128 };
	size_t cap = (size_t)n * 48 + 65536, off = 0;
	uint8_t *buf = malloc(cap);
	static uint8_t tl[BATCH][BGPGEN_TLV_LEN];
	struct bgp_mup k[BATCH];
	struct bgp_attrs a;
	uint32_t i = 0, u = 0;

	if (buf == NULL)
		return NULL;
	while (i < n) {
		size_t take = n - i < BATCH ? n - i : BATCH;
		struct wbuf w;

		bgpgen_attrs(&a, u);
		for (size_t j = 0; j < take; j++)
			bgpgen_route(&k[j], i + (uint32_t)j, tlvs ? tl[j] :
			    NULL);
		/* As many as fit in one message: halve until it does. */
		for (;;) {
			wb_init(&w, buf + off, cap - off);
			if (bgp_update_encode_mup(&w, BGP_AF_IPV6_MUP, &a, k,
			    take, NULL, 0) && wb_ok(&w))
				break;
			if (take == 1) {
				free(buf);
				return NULL;
			}
			take = take * 7 / 8;
		}
		off += w.len;
		i += (uint32_t)take;
		u++;
	}
	{
		struct wbuf w;

		wb_init(&w, buf + off, cap - off);
		if (!bgp_eor_encode(&w, BGP_AF_IPV6_MUP) || !wb_ok(&w)) {
			free(buf);
			return NULL;
		}
		off += w.len;
	}
	*len = off;
	*nupdates = u;
	return buf;
}

#endif
