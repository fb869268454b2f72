/*
 * libFuzzer harness of "catsctl pkt bgp" (src/catsctl/bgpdump.c, tcp.c):
 * the first octet picks the input's form.
 *   even  a byte stream (hex input), fed in two parts cut where the second
 *         octet says: messages framed, decoded, JSON built;
 *   odd   TCP segments of one connection, as DLT_RAW IPv4 frames, each
 *         from a record: flags (bit 0 direction, bit 1 SYN), sequence
 *         number offset (2 octets), length (1), data; out of order,
 *         overlapping and missing as the input has it.
 * Nothing may crash, leak or read out of bounds, and the list must print.
 */
#include <pcap/dlt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catsctl/bgpdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRAME_HDR	40	/* IPv4 and TCP, no options */

static void
one_segment(struct bgpdump *d, unsigned long n, uint8_t flags, uint16_t off,
    const uint8_t *p, size_t len)
{
	static const uint8_t ip[] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 6, 0, 0,
	    10, 0, 0, 1, 10, 0, 0, 2 };
	uint8_t f[FRAME_HDR + 255];
	bool back = flags & 1;
	uint32_t seq = (back ? 50000u : 4294960000u) + off;	/* wraps */
	struct cap_frame cf = { .n = n, .dlt = DLT_RAW, .p = f,
	    .caplen = FRAME_HDR + len, .len = FRAME_HDR + len };

	memcpy(f, ip, sizeof(ip));
	f[2] = (uint8_t)((FRAME_HDR + len) >> 8);
	f[3] = (uint8_t)(FRAME_HDR + len);
	if (back) {
		memcpy(f + 12, ip + 16, 4);
		memcpy(f + 16, ip + 12, 4);
	}
	memset(f + 20, 0, 20);
	f[20 + (back ? 0 : 2)] = 0;		/* port 179 */
	f[21 + (back ? 0 : 2)] = 179;
	f[20 + (back ? 2 : 0)] = 0x9c;		/* port 40000 */
	f[21 + (back ? 2 : 0)] = 0x40;
	for (int i = 0; i < 4; i++)
		f[24 + i] = (uint8_t)(seq >> (24 - 8 * i));
	f[32] = 0x50;
	f[33] = (flags & 2) ? 0x02 : 0x10;
	if (len > 0)
		memcpy(f + FRAME_HDR, p, len);
	bgpdump_frame(&cf, d);
}

static void
segments(struct bgpdump *d, const uint8_t *p, size_t n)
{
	unsigned long pkt = 0;
	size_t len;

	while (n >= 4) {
		len = p[3] < n - 4 ? p[3] : n - 4;
		one_segment(d, ++pkt, p[0], (uint16_t)(p[1] << 8 | p[2]), p + 4,
		    len);
		p += 4 + len;
		n -= 4 + len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgpdump *d;
	size_t cut;
	char *out;

	if (size < 2 || (d = bgpdump_new(NULL, data[0] & 2)) == NULL)
		return 0;
	if (data[0] & 1) {
		segments(d, data + 1, size - 1);
	} else {
		cut = data[1] % (size - 1);	/* 0..size-2 */
		bgpdump_bytes(d, data + 2, cut);
		bgpdump_bytes(d, data + 2 + cut, size - 2 - cut);
	}
	bgpdump_finish(d);
	if ((out = json_dumps(bgpdump_list(d), 0)) == NULL)
		abort();
	free(out);
	bgpdump_free(d);
	return 0;
}
