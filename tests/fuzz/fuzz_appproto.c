/*
 * libFuzzer harness of the edge service protocol (apps/appproto.c): any
 * octets decode or fail without reading out of bounds; a failure names an
 * offset inside the input; what decodes encodes back to the same octets
 * (the format has one encoding per message); the stream framer agrees; a
 * LOAD that decodes is within the limits the edge and catsd rely on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "appproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[APP_MSG_MAX];
	struct app_msg m;
	enum app_status rc;
	size_t off, len;
	long fl;

	rc = app_decode(data, size, &m, &off);
	fl = app_frame_len(data, size);
	if (rc != APP_OK) {
		if (off > size)
			abort();	/* an error must point into the input */
		return 0;
	}
	if (fl != (long)size)
		abort();		/* a valid message frames as itself */
	/* catsd feeds these to its selector as they are */
	if (m.type == APP_LOAD && (m.u.load.util_ppm > APP_PPM ||
	    m.u.load.workers == 0 || m.u.load.delay_us == 0 ||
	    m.u.load.capacity_mrps == 0 ||
	    !app_name_ok(m.u.load.name, m.u.load.name_len)))
		abort();
	if (app_encode(&m, out, sizeof(out), &len) != APP_OK)
		abort();
	if (len != size || memcmp(out, data, size) != 0)
		abort();
	return 0;
}
