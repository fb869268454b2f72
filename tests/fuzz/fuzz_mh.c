/*
 * libFuzzer harness of the Mobility Header decoder.  Any input must decode
 * or fail with a named error and an offset inside the input, never crash or
 * read out of bounds; what decodes must re-encode and decode to the same
 * message (unknown options aside, which are reported and not kept), and
 * encoded in the layout it came in, give back the same octets (docs/wire.md
 * 7.1; the checksum aside, which a bad one does not keep).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/mh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct mh_addrs addrs = {
	.src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	.dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
};

/* In its own layout the message comes back octet for octet. */
static void
same_octets(const uint8_t *data, size_t size)
{
	static struct mh_layout lay;
	static uint8_t out[MH_MAX_LEN];
	struct mh_msg m;
	struct mh_error e;
	size_t len;

	if (mh_decode_layout(data, size, NULL, &m, &lay, &e) != MH_OK)
		abort();
	if (mh_encode_layout(&m, &lay, NULL, out, sizeof(out), &len, &e) !=
	    MH_OK || len != size || memcmp(out, data, 4) != 0 ||
	    memcmp(out + 6, data + 6, size - 6) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[MH_MAX_LEN];
	struct mh_msg m, d;
	struct mh_error e;
	enum mh_err rc;
	size_t len;

	rc = mh_decode(data, size, &addrs, &m, &e);
	if (rc != MH_OK && rc != MH_E_CHECKSUM) {
		if (e.off > size || mh_strerror(rc) == NULL)
			abort();
		return 0;
	}
	same_octets(data, size);
	rc = mh_encode(&m, &addrs, out, sizeof(out), &len, &e);
	if (rc == MH_E_NOSPACE)		/* canonical padding can be longer */
		return 0;
	if (rc != MH_OK)
		abort();
	if (mh_decode(out, len, &addrs, &d, &e) != MH_OK || !mh_msg_equal(&m, &d))
		abort();
	return 0;
}
