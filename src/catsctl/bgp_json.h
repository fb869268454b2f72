/*
 * bgp_json: BGP routes and their attributes as JSON, in the one naming that
 * "catsctl -j show bgp routes" (catsd's bgp_ctl.c) and the offline decoder
 * "catsctl pkt bgp" (bgpdump.c) share, so that a route read from a capture
 * can be compared key by key with the route a speaker holds.
 *
 *   key      {"family":"ipv6-mup","type":"dsd","rd":"65000:100",
 *             "address":"2001:db8::2"}  (isd, t1st: "prefix"; t1st "teid",
 *             "qfi","endpoint"[,"source"]; t2st "endpoint",
 *             "endpoint_length","teid"; unicast: family, type "prefix";
 *             t1st, t2st with TLVs: "tlvs":{["session":{"teid","qfi"}],
 *             ["interwork":A],["source_address":A],"octets":HEX[,"error"]})
 *   attrs    {"next_hop","origin","local_pref","route_targets":[..],
 *             "mup"|"mup_interwork":"ASN:ID","prefix_sid":{"sid","behavior","flags"
 *             [,"structure":[lb,ln,fun,arg,tpos_len,tpos_off]]},
 *             "cats":{"kind","cs_id","cis_id","metrics":[{"metric",
 *             "stat","window_ms","value"}]}}
 */
#ifndef CATSCTL_BGP_JSON_H
#define CATSCTL_BGP_JSON_H

#include <stdint.h>

#include <jansson.h>

#include "cats/bgp.h"

/* An address of the family (4 or 16 octets), and a prefix of it. */
json_t	*bgp_json_ip(uint16_t afi, const uint8_t *a);
json_t	*bgp_json_prefix(uint16_t afi, const uint8_t *a, unsigned plen);
/* RFC 4364 4.2 route distinguisher, RFC 4360 route target. */
json_t	*bgp_json_rd(const uint8_t rd[8]);
json_t	*bgp_json_rt(uint64_t rt);
json_t	*bgp_json_key(const struct bgp_mup *);
json_t	*bgp_json_cats(const struct bgp_cats *);
json_t	*bgp_json_attrs(const struct bgp_rattr *);

#endif /* CATSCTL_BGP_JSON_H */
