/*
 * libFuzzer harness of the rtnetlink dump parser (kroute).  Any bytes, as
 * if read from the socket: the parser must count and skip what it cannot
 * use, never crash or read out of bounds; every route it hands on must
 * build again into a request kroute would send (a dump only yields routes
 * the kernel accepted, so a route that parses but cannot be rebuilt would
 * be one reconcile could not delete), and the request must parse back to
 * the same route.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cats/kroute.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Alignas(8) uint8_t in[65536];
static _Alignas(8) uint8_t out[KR_BUF_SIZE];

static void
check_cb(const struct kr_route *r, void *arg)
{
	struct kr_route back;
	const char *why;
	char s[512];
	size_t len;

	(void)arg;
	kr_route_fmt(r, s, sizeof(s));
	/* Deletes are built from the key alone: always possible. */
	if (kr_build(out, sizeof(out), r, KR_DELETE, r->protocol, 1) == 0)
		abort();
	if (!kr_route_valid(r, KR_REPLACE))
		return;		/* e.g. seg6local without a device */
	len = kr_build(out, sizeof(out), r, KR_REPLACE, r->protocol, 1);
	if (len == 0 || kr_parse_route(out, len, &back, &why) != 0 ||
	    !kr_route_equal(r, &back))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct kr_filter any = { 0, 0, 0 };
	struct kr_dump_stats st;

	if (size > sizeof(in))
		return 0;
	memcpy(in, data, size);		/* aligned, as a socket read is */
	memset(&st, 0, sizeof(st));
	(void)kr_parse_dump(in, size, 0, 0, &any, check_cb, NULL, &st);
	return 0;
}
