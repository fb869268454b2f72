/*
 * libFuzzer harness of the Router Solicitation and Router Advertisement
 * parsers (cats/ra.h).  The first octet picks the hop limit (255 or not)
 * and whether the source was ::, the rest is the ICMPv6 message.  Any
 * input must decode or fail with a named error and an offset inside the
 * input; an RA that decodes must re-encode (unless RFC 4191 2.2 forbids
 * its header preference with lifetime 0) and decode to the same message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/ra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[RA_MAX_LEN];
	struct ra_msg m, d;
	struct ra_rs rs;
	enum ra_err rc;
	size_t len = 0, off = 0;
	uint8_t hl;
	bool unspec;

	if (size < 1)
		return 0;
	hl = (data[0] & 1) ? 255 : data[0];
	unspec = (data[0] & 2) != 0;
	data++;
	size--;
	rc = ra_decode_rs(data, size, hl, unspec, &rs, &off);
	if (rc != RA_OK && (off > size || rc >= RA_E__COUNT))
		abort();
	if (rc == RA_OK && rs.lladdr_len > RA_LLADDR_MAX)
		abort();
	off = 0;
	if ((rc = ra_decode_ra(data, size, hl, &m, &off)) != RA_OK) {
		if (off > size || rc >= RA_E__COUNT)
			abort();
		return 0;
	}
	rc = ra_encode(&m, out, sizeof(out), &len);
	if (rc == RA_E_OPT_VALUE && m.router_lifetime_s == 0 &&
	    m.router_pref != RA_PREF_MEDIUM)
		return 0;
	if (rc != RA_OK || len > size)	/* never longer than what it read */
		abort();
	if (ra_decode_ra(out, len, 255, &d, NULL) != RA_OK ||
	    !ra_msg_equal(&m, &d))
		abort();
	return 0;
}
