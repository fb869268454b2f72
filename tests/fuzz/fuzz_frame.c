/*
 * libFuzzer harness of catsctl's capture parser: a frame of any link type
 * it reads (the first input octet picks which) down to the Mobility Header,
 * then the codec.  Nothing may crash or read out of bounds.
 */
#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/mh.h"
#include "catsctl/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
	DLT_EN10MB, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_LINUX_SLL, DLT_LINUX_SLL2,
	DLT_NULL, DLT_LOOP,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame f;
	struct mh_msg m;
	struct mh_error e;
	struct mh_addrs a;
	char err[128];
	int rc;

	if (size < 1)
		return 0;
	err[0] = '\0';		/* else the check below reads stale bytes */
	rc = frame_parse(dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))],
	    data + 1, size - 1, &f, err, sizeof(err));
	if (rc < 0 && err[0] == '\0')
		abort();		/* a failure must say why */
	if (rc != 1)
		return 0;
	if (f.mh < data + 1 || f.mh + f.mh_len > data + size)
		abort();
	mh_decode(f.mh, f.mh_len, pkt_meta_addrs(&f.meta, &a) ? &a : NULL, &m, &e);
	return 0;
}
