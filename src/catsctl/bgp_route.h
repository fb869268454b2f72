/*
 * bgp_route: a BGP MUP route to originate ("catsctl bgp route add|del"),
 * from the words of the command line to the control socket's JSON request
 * and from that request to an NLRI and its attributes.
 *
 * One checker for both ends: catsctl runs bgp_route_parse on the request it
 * built, so a typo is refused before it is sent, and catsd runs it again on
 * what arrives, with the same sentences:
 *
 *   {"cmd":"bgp","what":"route","action":"add|del",
 *    "family":"ipv4-mup|ipv6-mup","type":"isd|dsd|t1st|t2st","rd":"X:N",
 *    key fields:  isd "prefix"; dsd "address"; t1st "prefix","teid","qfi",
 *                 "endpoint"[,"source"]; t2st "endpoint","teid"
 *    attributes (add only):  "rt":["X:N",...],"mup":"X:N",
 *                 "mup_interwork":"X:N","sid":A,"behavior":N,"cs_id":N,
 *                 "cis_id":N,"nexthop":A}
 *    TLVs of a t1st or t2st (add only; draft-ietf-bess-mup-safi-01
 *                 3.1.5): "session_teid":N,"session_qfi":N,
 *                 "interwork":A,"source_address":A,"tlv":["T:HEX",...]
 */
#ifndef CATSCTL_BGP_ROUTE_H
#define CATSCTL_BGP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cats/bgp.h"

struct bgp_route {
	bool		 add;		/* else del */
	enum bgp_af	 af;
	struct bgp_mup	 key;		/* key.tlv points into tlv */
	struct bgp_rattr attr;		/* nh_len 0: the speaker's default */
	uint8_t		 tlv[UINT8_MAX];
};

/* Check a request and fill 'r'; -1 with a sentence in 'err' naming the key. */
int	 bgp_route_parse(json_t *req, struct bgp_route *r, char *err,
	    size_t len);
/* The request of "add|del FAMILY TYPE KEY [WORD VALUE]..." (argv[0] is the
 * action), checked by bgp_route_parse; NULL with 'err' set. */
json_t	*bgp_route_request(int argc, char **argv, char *err, size_t len);

#endif
