/*
 * bgpdump: "catsctl pkt bgp", BGP messages from hex or from a capture to
 * JSON, with the project's own decoders (cats/bgp.h) and the naming of
 * "catsctl show bgp routes" (bgp_json.h).  Wireshark reads no SAFI 85.
 *
 * A capture's TCP streams to or from port 179 are rebuilt (tcp.h), each
 * direction cut into messages by its headers (RFC 4271 4.1); after a
 * header that cannot be trusted or octets never captured, the stream is
 * searched for the next marker.  One JSON object per message, in the order
 * the messages completed; every malformed thing is told once (to 'warn')
 * and counted.  Memory is bounded: one message (4096 octets) per direction
 * besides what tcp.h holds.
 */
#ifndef CATSCTL_BGPDUMP_H
#define CATSCTL_BGPDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "catsctl/pcap.h"

struct bgpdump;

/* A decoder whose messages go into a JSON array; errors are written to
 * 'warn' (NULL: only counted).  as2: AS numbers are 2 octets until both
 * OPENs of a connection say otherwise (RFC 6793 4); else 4. */
struct bgpdump	*bgpdump_new(FILE *warn, bool as2);
void		 bgpdump_free(struct bgpdump *);
/* Octets of one stream, as hex input gives them: messages back to back. */
void		 bgpdump_bytes(struct bgpdump *, const uint8_t *p, size_t n);
/* One captured frame (cap_read's callback: arg is the bgpdump). */
void		 bgpdump_frame(const struct cap_frame *, void *arg);
/* End of input: held TCP segments past their gaps, messages cut short. */
void		 bgpdump_finish(struct bgpdump *);
/* Print each message as it completes, as elements of a JSON array the
 * caller opens and closes ("," between them), instead of keeping them. */
void		 bgpdump_print_to(struct bgpdump *, FILE *out);
/* The messages so far (borrowed), and the number of errors. */
json_t		*bgpdump_list(const struct bgpdump *);
unsigned long	 bgpdump_errors(const struct bgpdump *);

/*
 * One whole message (header included) as JSON: always an object when
 * memory allows; 0, or -1 with the reason in err ("offset 33: Prefix-SID
 * malformed (treat-as-withdraw)") and in the object's "error".
 */
int		 bgpdump_message(const uint8_t *msg, size_t len, bool as4,
		    json_t **out, char *err, size_t errlen);

/* "catsctl pkt bgp [--as2] [HEX...] | -r FILE" (pkt.c's table). */
int		 pkt_bgp(int argc, char **argv);

#endif /* CATSCTL_BGPDUMP_H */
