/*
 * pktjson: a Mobility Header message (struct mh_msg) as JSON and back.
 *
 * The format is documented in docs/wire.md ("catsctl pkt JSON"); in short,
 * one object per message with the header fields at the top and the options
 * in "options", keyed by the option names of mh_opt_info().  The reader is
 * as strict as the network code: unknown keys, wrong types, out-of-range
 * numbers and bad addresses are errors that name the key.
 */
#ifndef CATSCTL_PKTJSON_H
#define CATSCTL_PKTJSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cats/mh.h"
#include "catsctl/pkt.h"

#define PJ_BYTES_MAX	255	/* struct mh_bytes holds at most this */

/*
 * A message read from JSON.  The byte views of m point into the arrays
 * below, so a struct pj_msg must not be copied while m is in use.
 */
struct pj_msg {
	struct mh_msg	 m;
	struct pkt_meta	 meta;
	uint8_t		 mnid[PJ_BYTES_MAX];
	uint8_t		 llid[PJ_BYTES_MAX];
	uint8_t		 crid[PJ_BYTES_MAX];
	uint8_t		 service_id[PJ_BYTES_MAX];
	uint8_t		 req_aff[PJ_BYTES_MAX];
	uint8_t		 cond_aff[PJ_BYTES_MAX];
	uint8_t		 auth[PJ_BYTES_MAX];
	bool		 has_layout;	/* "layout" given: encode as it says */
	struct mh_layout lay;
};

/*
 * The JSON object of a decoded message; meta may be NULL.  With lay, the
 * options' wire order and padding too ("layout", docs/wire.md 7.1), for a
 * message our encoder would lay out otherwise.  NULL on ENOMEM.
 */
json_t	*pj_from_msg(const struct mh_msg *m, const struct pkt_meta *meta,
	    const struct mh_layout *lay);

/*
 * Read one message object.  Returns 0, or -1 with a reason in err that
 * starts with the key at fault ("key options.cr-id.format: ...").
 */
int	 pj_to_msg(json_t *j, struct pj_msg *out, char *err,
	    size_t errlen);

/*
 * Its Mobility Header as "pkt encode" writes it: in its layout if it has
 * one; with addrs the checksum is computed, else "checksum_value" is
 * written back.  MH_OK or the encoder's error in e.
 */
enum mh_err pj_encode(const struct pj_msg *pm, const struct mh_addrs *addrs,
	    uint8_t *out, size_t cap, size_t *len, struct mh_error *e);

/* Flag letters of a BU or BA, most significant bit first (internal). */
const char *pj_flag_letters(uint8_t mh_type);
uint16_t pj_flag_bit(uint8_t mh_type, size_t i);

/* Names of enum pkt_transport and enum pkt_csum values (internal). */
const char *pj_transport_name(enum pkt_transport t);
const char *pj_csum_name(enum pkt_csum c);

#endif /* CATSCTL_PKTJSON_H */
