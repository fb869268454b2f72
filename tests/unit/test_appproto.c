/*
 * Tests of the edge service protocol (apps/appproto.c): every message
 * decoded from the bytes docs/apps.md shows and encoded back byte for byte,
 * a table of named malformed messages each with its error and offset, the
 * encoder's refusals, stream framing, and the address text forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "appproto.h"
#include "testutil.h"

/* The examples of docs/apps.md; '|' separates the fields. */
#define HEX_REQUEST "01|01|0012|00000007|00000064|00000014|0040"
#define HEX_RESULT "01|02|001c|00000007|0000002f|00000064|05|6564676532|" \
	"0004|2f303132"
#define HEX_EXPORT "01|03|001b|00000007|06|9c40|" \
	"20010db8000a00000000000000000010"
#define STATE_BODY "00000007|0000002f|00000064|00000014|0040|04|9c40|" \
	"7f000001|000c|6f726967696e3d6564676531"
#define HEX_STATE "01|04|002b|" STATE_BODY
#define HEX_IMPORT "01|05|003f|" STATE_BODY "|01|06|9c40|" \
	"20010db8000b00000000000000000010"
#define HEX_ERROR "01|06|001d|02|00000007|13|" \
	"6e6f2073756368207472616e73616374696f6e"
#define HEX_EXPORT_ANY "01|03|001b|00000000|06|0000|" \
	"20010db8000a00000000000000000010"
#define XFER_CLIENT "20010db8000a00000000000000000010"
#define HEX_TRANSFER "01|07|0046|" XFER_CLIENT "|0a|766964656f2e63617473|" \
	STATE_BODY
#define LOAD_NUMS "00000003|000003e8|0001|000b71b0|00000002|00030d40|" \
	"0000000000001388"
#define HEX_LOAD "01|08|0028|" LOAD_NUMS "|05|6564676531"
#define HEX_WATCH "01|09|0004"

static size_t
bytes(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = hex2bin(hex, out, cap);

	assert_true(n != (size_t)-1);
	return n;
}

/* Decode hex from 'wire' (APP_MSG_MAX octets), which the caller owns: a
 * RESULT's payload is a view into it (appproto.h), so it must live as long
 * as 'm' is read.  A buffer local to this function would be gone on return
 * and the payload read afterwards a stack use after return. */
static void
decode_ok(const char *hex, uint8_t *wire, struct app_msg *m, uint8_t type)
{
	size_t n = bytes(hex, wire, APP_MSG_MAX), off = 99;
	enum app_status rc = app_decode(wire, n, m, &off);

	if (rc != APP_OK)
		fail_msg("%s: offset %zu: %s", hex, off, app_strerror(rc));
	assert_int_equal(m->type, type);
	assert_int_equal(off, 0);
}

/* Encode m and compare with hex octet for octet. */
static void
encode_same(const struct app_msg *m, const char *hex)
{
	uint8_t want[APP_MSG_MAX], got[APP_MSG_MAX];
	size_t n = bytes(hex, want, sizeof(want)), len;

	assert_int_equal(app_encode(m, got, sizeof(got), &len), APP_OK);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
}

static void
test_request(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];

	(void)state;
	decode_ok(HEX_REQUEST, wire, &m, APP_REQUEST);
	assert_int_equal(m.u.req.tx, 7);
	assert_int_equal(m.u.req.count, 100);
	assert_int_equal(m.u.req.interval_ms, 20);
	assert_int_equal(m.u.req.payload, 64);
	encode_same(&m, HEX_REQUEST);
}

static void
test_result(void **state)
{
	struct app_msg m, again;
	uint8_t wire[APP_MSG_MAX];
	uint8_t buf[APP_MSG_MAX];
	size_t len;

	(void)state;
	decode_ok(HEX_RESULT, wire, &m, APP_RESULT);
	assert_int_equal(m.u.res.seq, 47);
	assert_int_equal(m.u.res.count, 100);
	assert_string_equal(m.u.res.name, "edge2");
	assert_int_equal(m.u.res.payload_len, 4);
	assert_memory_equal(m.u.res.payload, "/012", 4);
	encode_same(&m, HEX_RESULT);
	/* no payload pointer: zeros of the length asked */
	m.u.res.payload = NULL;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len), APP_OK);
	assert_int_equal(app_decode(buf, len, &again, NULL), APP_OK);
	assert_memory_equal(again.u.res.payload, "\0\0\0\0", 4);
}

static void
test_export(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];
	char s[APP_ADDRSTRLEN];

	(void)state;
	decode_ok(HEX_EXPORT, wire, &m, APP_EXPORT);
	assert_int_equal(m.u.exp.tx, 7);
	assert_string_equal(app_addr_format(&m.u.exp.client, s, sizeof(s)),
	    "[2001:db8:a::10]:40000");
	encode_same(&m, HEX_EXPORT);
}

/* The wildcard: port 0 and tx 0, "the client's transaction here". */
static void
test_export_wildcard(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];

	(void)state;
	decode_ok(HEX_EXPORT_ANY, wire, &m, APP_EXPORT);
	assert_int_equal(m.u.exp.tx, 0);
	assert_int_equal(m.u.exp.client.port, 0);
	encode_same(&m, HEX_EXPORT_ANY);
	/* a wildcard names no transaction: tx 7 with port 0 is refused */
	m.u.exp.tx = 7;
	{
		uint8_t buf[APP_MSG_MAX];
		size_t len;

		assert_int_equal(app_encode(&m, buf, sizeof(buf), &len),
		    APP_E_RANGE);
	}
}

static void
test_transfer(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];
	uint8_t client[16];

	(void)state;
	decode_ok(HEX_TRANSFER, wire, &m, APP_TRANSFER);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:a::10", client), 1);
	assert_memory_equal(m.u.xfer.client, client, 16);
	assert_int_equal(m.u.xfer.service_len, 10);
	assert_memory_equal(m.u.xfer.service, "video.cats", 10);
	assert_int_equal(m.u.xfer.state.tx, 7);
	assert_int_equal(m.u.xfer.state.next, 47);
	assert_int_equal(m.u.xfer.state.blob_len, 12);
	assert_string_equal(app_type_name(APP_TRANSFER), "TRANSFER");
	encode_same(&m, HEX_TRANSFER);
}

/* LOAD: report 3 of edge1 over 1 s, 1 worker 75 % busy, 2 waiting, 200 ms
 * per request, so 5 requests/s; WATCH asks for them. */
static void
test_load(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];

	(void)state;
	decode_ok(HEX_LOAD, wire, &m, APP_LOAD);
	assert_int_equal(m.u.load.seq, 3);
	assert_int_equal(m.u.load.interval_ms, 1000);
	assert_int_equal(m.u.load.workers, 1);
	assert_int_equal(m.u.load.util_ppm, 750000);
	assert_int_equal(m.u.load.queue, 2);
	assert_int_equal(m.u.load.delay_us, 200000);
	assert_int_equal(m.u.load.capacity_mrps, 5000);
	assert_string_equal(m.u.load.name, "edge1");
	assert_string_equal(app_type_name(APP_LOAD), "LOAD");
	encode_same(&m, HEX_LOAD);
	decode_ok(HEX_WATCH, wire, &m, APP_WATCH);
	assert_string_equal(app_type_name(APP_WATCH), "WATCH");
	encode_same(&m, HEX_WATCH);
}

static void
test_state(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];
	char s[APP_ADDRSTRLEN];

	(void)state;
	decode_ok(HEX_STATE, wire, &m, APP_STATE);
	assert_int_equal(m.u.state.tx, 7);
	assert_int_equal(m.u.state.next, 47);
	assert_int_equal(m.u.state.count, 100);
	assert_int_equal(m.u.state.interval_ms, 20);
	assert_int_equal(m.u.state.payload, 64);
	assert_string_equal(app_addr_format(&m.u.state.client, s, sizeof(s)),
	    "127.0.0.1:40000");
	assert_int_equal(m.u.state.blob_len, 12);
	assert_memory_equal(m.u.state.blob, "origin=edge1", 12);
	encode_same(&m, HEX_STATE);
	/* next == count + 1: everything was sent, still a state */
	m.u.state.next = 101;
	encode_same(&m, "01|04|002b|00000007|00000065|00000064|00000014|0040|"
	    "04|9c40|7f000001|000c|6f726967696e3d6564676531");
}

static void
test_import(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];
	char s[APP_ADDRSTRLEN];

	(void)state;
	decode_ok(HEX_IMPORT, wire, &m, APP_IMPORT);
	assert_int_equal(m.u.imp.state.next, 47);
	assert_true(m.u.imp.has_return);
	assert_string_equal(app_addr_format(&m.u.imp.ret, s, sizeof(s)),
	    "[2001:db8:b::10]:40000");
	encode_same(&m, HEX_IMPORT);
	/* without a return address: flags 0 and nothing after */
	m.u.imp.has_return = false;
	encode_same(&m, "01|05|002c|" STATE_BODY "|00");
}

static void
test_error(void **state)
{
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];

	(void)state;
	decode_ok(HEX_ERROR, wire, &m, APP_ERROR);
	assert_int_equal(m.u.err.code, APP_ERR_NO_TX);
	assert_int_equal(m.u.err.tx, 7);
	assert_string_equal(m.u.err.text, "no such transaction");
	assert_string_equal(app_errcode_name(m.u.err.code), "no-transaction");
	encode_same(&m, HEX_ERROR);
	/* an empty text, an unknown code: kept */
	decode_ok("01|06|000a|63|00000000|00", wire, &m, APP_ERROR);
	assert_string_equal(app_errcode_name(m.u.err.code), "unknown");
}

/* --- malformed ------------------------------------------------------- */

static const struct bad {
	const char	*name;
	const char	*hex;
	enum app_status	 want;
	size_t		 off;
} bad[] = {
	{ "empty", "", APP_E_SHORT, 0 },
	{ "header-short", "0101", APP_E_SHORT, 0 },
	{ "version-0", "00|01|0012|00000007|00000064|00000014|0040",
	    APP_E_VERSION, 0 },
	{ "version-2", "02|01|0012|00000007|00000064|00000014|0040",
	    APP_E_VERSION, 0 },
	{ "type-0", "01|00|0012|00000007|00000064|00000014|0040",
	    APP_E_TYPE, 1 },
	{ "type-10", "01|0a|0004", APP_E_TYPE, 1 },
	{ "length-past-end", "01|01|0013|00000007|00000064|00000014|0040",
	    APP_E_TRUNC, 2 },
	{ "length-over-max", "01|01|0501", APP_E_TOOBIG, 2 },
	{ "length-under-fixed", "01|01|0011|00000007|00000064|00000014|00",
	    APP_E_SHORT, 2 },
	{ "length-under-header", "01|06|0003|00", APP_E_SHORT, 2 },
	{ "trailing-octet", "01|01|0012|00000007|00000064|00000014|0040|00",
	    APP_E_TRAILING, 18 },
	{ "request-count-0", "01|01|0012|00000007|00000000|00000014|0040",
	    APP_E_RANGE, 8 },
	{ "request-count-huge", "01|01|0012|00000007|000f4241|00000014|0040",
	    APP_E_RANGE, 8 },
	{ "request-interval-0", "01|01|0012|00000007|00000064|00000000|0040",
	    APP_E_RANGE, 12 },
	{ "request-interval-huge",
	    "01|01|0012|00000007|00000064|0000ea61|0040", APP_E_RANGE, 12 },
	{ "request-payload-oversize",
	    "01|01|0012|00000007|00000064|00000014|04b1", APP_E_TOOBIG, 16 },
	{ "result-seq-0", "01|02|001c|00000007|00000000|00000064|05|"
	    "6564676532|0004|2f303132", APP_E_RANGE, 8 },
	{ "result-seq-over-count", "01|02|001c|00000007|00000065|00000064|05|"
	    "6564676532|0004|2f303132", APP_E_RANGE, 8 },
	{ "result-count-0", "01|02|001c|00000007|00000001|00000000|05|"
	    "6564676532|0004|2f303132", APP_E_RANGE, 12 },
	{ "result-name-empty", "01|02|0017|00000007|0000002f|00000064|00|"
	    "0004|2f303132", APP_E_RANGE, 16 },
	{ "result-name-oversize", "01|02|0034|00000007|0000002f|00000064|21|"
	    "656467656565656565656565656565656565656565656565656565656565656565"
	    "|0000", APP_E_TOOBIG, 16 },
	{ "result-name-comma", "01|02|001c|00000007|0000002f|00000064|05|"
	    "65642c6532|0004|2f303132", APP_E_RANGE, 16 },
	{ "result-name-past-end", "01|02|001c|00000007|0000002f|00000064|20|"
	    "6564676532|0004|2f303132", APP_E_TRUNC, 17 },
	{ "result-payload-past-end", "01|02|001c|00000007|0000002f|00000064|"
	    "05|6564676532|0005|2f303132", APP_E_TRUNC, 24 },
	{ "result-payload-oversize", "01|02|001c|00000007|0000002f|00000064|"
	    "05|6564676532|04b1|2f303132", APP_E_TOOBIG, 22 },
	{ "export-family-5", "01|03|001b|00000007|05|9c40|"
	    "20010db8000a00000000000000000010", APP_E_FAMILY, 8 },
	{ "export-port-0", "01|03|001b|00000007|06|0000|"
	    "20010db8000a00000000000000000010", APP_E_RANGE, 9 },
	{ "export-v4-with-v6-octets", "01|03|001b|00000007|04|9c40|"
	    "20010db8000a00000000000000000010", APP_E_TRAILING, 15 },
	{ "export-address-short", "01|03|000f|00000007|06|9c40|20010db8",
	    APP_E_TRUNC, 11 },
	{ "state-next-0", "01|04|002b|00000007|00000000|00000064|00000014|"
	    "0040|04|9c40|7f000001|000c|6f726967696e3d6564676531",
	    APP_E_RANGE, 8 },
	{ "state-next-past-count", "01|04|002b|00000007|00000066|00000064|"
	    "00000014|0040|04|9c40|7f000001|000c|6f726967696e3d6564676531",
	    APP_E_RANGE, 8 },
	{ "state-blob-oversize", "01|04|002b|00000007|0000002f|00000064|"
	    "00000014|0040|04|9c40|7f000001|0201|6f726967696e3d6564676531",
	    APP_E_TOOBIG, 29 },
	{ "state-blob-past-end", "01|04|002b|00000007|0000002f|00000064|"
	    "00000014|0040|04|9c40|7f000001|000d|6f726967696e3d6564676531",
	    APP_E_TRUNC, 31 },
	{ "import-no-flags", "01|05|002b|" STATE_BODY, APP_E_TRUNC, 43 },
	{ "import-under-fixed", "01|05|001d|00000007|0000002f|00000064|"
	    "00000014|0040|04|9c40|7f0000|00", APP_E_SHORT, 2 },
	{ "import-reserved-flags", "01|05|002c|" STATE_BODY "|02",
	    APP_E_RESERVED, 43 },
	{ "import-return-missing", "01|05|002c|" STATE_BODY "|01",
	    APP_E_TRUNC, 44 },
	{ "transfer-service-0", "01|07|003c|" XFER_CLIENT "|00|" STATE_BODY,
	    APP_E_RANGE, 20 },
	{ "transfer-service-oversize", "01|07|0046|" XFER_CLIENT "|41|"
	    "766964656f2e63617473|" STATE_BODY, APP_E_TOOBIG, 20 },
	{ "transfer-service-past-end", "01|07|0031|" XFER_CLIENT "|20|"
	    "00000000000000000000000000000000000000000000000000000000",
	    APP_E_TRUNC, 21 },
	{ "transfer-under-fixed", "01|07|0030|" XFER_CLIENT "|01|00|"
	    "0000000000000000000000000000000000000000000000000000",
	    APP_E_SHORT, 2 },
	{ "transfer-state-next-0", "01|07|0046|" XFER_CLIENT "|0a|"
	    "766964656f2e63617473|00000007|00000000|00000064|00000014|0040|04|"
	    "9c40|7f000001|000c|6f726967696e3d6564676531", APP_E_RANGE, 35 },
	{ "load-seq-0", "01|08|0028|00000000|000003e8|0001|000b71b0|00000002|"
	    "00030d40|0000000000001388|05|6564676531", APP_E_RANGE, 4 },
	{ "load-interval-0", "01|08|0028|00000003|00000000|0001|000b71b0|"
	    "00000002|00030d40|0000000000001388|05|6564676531", APP_E_RANGE, 8 },
	{ "load-workers-0", "01|08|0028|00000003|000003e8|0000|000b71b0|"
	    "00000002|00030d40|0000000000001388|05|6564676531", APP_E_RANGE,
	    12 },
	{ "load-workers-over", "01|08|0028|00000003|000003e8|0401|000b71b0|"
	    "00000002|00030d40|0000000000001388|05|6564676531", APP_E_RANGE,
	    12 },
	{ "load-util-over-1", "01|08|0028|00000003|000003e8|0001|000f4241|"
	    "00000002|00030d40|0000000000001388|05|6564676531", APP_E_RANGE,
	    14 },
	{ "load-queue-over", "01|08|0028|00000003|000003e8|0001|000b71b0|"
	    "000f4241|00030d40|0000000000001388|05|6564676531", APP_E_RANGE,
	    18 },
	{ "load-delay-0", "01|08|0028|00000003|000003e8|0001|000b71b0|"
	    "00000002|00000000|0000000000001388|05|6564676531", APP_E_RANGE,
	    22 },
	{ "load-capacity-0", "01|08|0028|00000003|000003e8|0001|000b71b0|"
	    "00000002|00030d40|0000000000000000|05|6564676531", APP_E_RANGE,
	    26 },
	{ "load-name-comma", "01|08|0028|" LOAD_NUMS "|05|65642c6531",
	    APP_E_RANGE, 34 },
	{ "load-name-oversize", "01|08|0024|" LOAD_NUMS "|21|00",
	    APP_E_TOOBIG, 34 },
	{ "load-name-past-end", "01|08|0024|" LOAD_NUMS "|05|65",
	    APP_E_TRUNC, 35 },
	{ "load-under-fixed", "01|08|0023|" LOAD_NUMS "|00", APP_E_SHORT, 2 },
	{ "watch-trailing-octet", "01|09|0005|00", APP_E_TRAILING, 4 },
	{ "error-text-past-end", "01|06|001d|02|00000007|14|"
	    "6e6f2073756368207472616e73616374696f6e", APP_E_TRUNC, 10 },
};

static void
test_malformed(void **state)
{
	uint8_t buf[APP_MSG_MAX + 16];
	struct app_msg m;
	enum app_status rc;
	size_t i, n, off;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = bytes(bad[i].hex, buf, sizeof(buf));
		off = 999;
		rc = app_decode(buf, n, &m, &off);
		if (rc != bad[i].want || off != bad[i].off)
			fail_msg("%s: got \"%s\" at %zu, want \"%s\" at %zu",
			    bad[i].name, app_strerror(rc), off,
			    app_strerror(bad[i].want), bad[i].off);
	}
}

/* Every prefix of every valid message is refused, never read past. */
static void
test_every_truncation(void **state)
{
	static const char *const valid[] = { HEX_REQUEST, HEX_RESULT,
		HEX_EXPORT, HEX_STATE, HEX_IMPORT, HEX_ERROR, HEX_EXPORT_ANY,
		HEX_TRANSFER, HEX_LOAD, HEX_WATCH };
	uint8_t buf[APP_MSG_MAX], *copy;
	struct app_msg m;
	size_t i, n, k;

	(void)state;
	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		n = bytes(valid[i], buf, sizeof(buf));
		for (k = 0; k < n; k++) {
			copy = malloc(k + 1);	/* ASan sees a read past k */
			assert_non_null(copy);
			memcpy(copy, buf, k);
			assert_int_not_equal(app_decode(copy, k, &m, NULL),
			    APP_OK);
			free(copy);
		}
	}
}

static void
test_encode_refusals(void **state)
{
	uint8_t buf[APP_MSG_MAX];
	struct app_msg m;
	uint8_t wire[APP_MSG_MAX];
	size_t len;

	(void)state;
	decode_ok(HEX_STATE, wire, &m, APP_STATE);
	assert_int_equal(app_encode(&m, buf, 42, &len), APP_E_NOSPACE);
	assert_int_equal(len, 0);
	m.u.state.blob_len = APP_BLOB_MAX + 1;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len),
	    APP_E_TOOBIG);
	decode_ok(HEX_REQUEST, wire, &m, APP_REQUEST);
	m.u.req.count = 0;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len), APP_E_RANGE);
	decode_ok(HEX_RESULT, wire, &m, APP_RESULT);
	m.u.res.name_len = APP_NAME_MAX + 1;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len),
	    APP_E_TOOBIG);
	decode_ok(HEX_EXPORT, wire, &m, APP_EXPORT);
	m.u.exp.client.family = 5;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len),
	    APP_E_FAMILY);
	m.type = 0;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len), APP_E_TYPE);
	/* the largest message there is fits APP_MSG_MAX */
	decode_ok(HEX_RESULT, wire, &m, APP_RESULT);
	m.u.res.name_len = APP_NAME_MAX;
	memset(m.u.res.name, 'e', APP_NAME_MAX);
	m.u.res.payload_len = APP_PAYLOAD_MAX;
	m.u.res.payload = NULL;
	assert_int_equal(app_encode(&m, buf, sizeof(buf), &len), APP_OK);
	assert_int_equal(app_frame_len(buf, len), (long)len);
}

static void
test_frame_len(void **state)
{
	uint8_t buf[APP_MSG_MAX];
	size_t n = bytes(HEX_STATE, buf, sizeof(buf));

	(void)state;
	assert_int_equal(app_frame_len(buf, 0), 0);
	assert_int_equal(app_frame_len(buf, 3), 0);
	assert_int_equal(app_frame_len(buf, 4), (long)n);
	assert_int_equal(app_frame_len(buf, n), (long)n);
	assert_int_equal(app_frame_len("\x02\x04\x00\x2b", 4), -1);
	assert_int_equal(app_frame_len("\x01\x04\x00\x03", 4), -1);
	assert_int_equal(app_frame_len("\x01\x04\x05\x01", 4), -1);
	assert_int_equal(app_frame_len("GET /", 5), -1);
}

static void
test_addr_text(void **state)
{
	static const struct { const char *in, *out; bool port; } ok[] = {
		{ "127.0.0.1:5000", "127.0.0.1:5000", true },
		{ "[::1]:5000", "[::1]:5000", true },
		{ "[2001:db8::a]:65535", "[2001:db8::a]:65535", true },
		{ "::1", "[::1]:0", false },
		{ "[::1]", "[::1]:0", false },
		{ "192.0.2.1", "192.0.2.1:0", false },
	};
	static const char *const no[] = { "127.0.0.1", "[::1]", "[::1",
		"[::1]x", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:+80",
		"localhost:80", ":80", "1.2.3.4:80x", "", "::1:80",
	};
	char s[APP_ADDRSTRLEN];
	struct app_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!app_addr_parse(ok[i].in, ok[i].port, &a))
			fail_msg("%s: refused", ok[i].in);
		assert_string_equal(app_addr_format(&a, s, sizeof(s)),
		    ok[i].out);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (app_addr_parse(no[i], true, &a))
			fail_msg("%s: accepted", no[i]);
}

static void
test_addr_sockaddr(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct app_addr a, b;

	(void)state;
	assert_true(app_addr_parse("192.0.2.1:4000", true, &a));
	/* an IPv4 client on a dual-stack socket is mapped and comes back */
	assert_int_equal(app_addr_to_sa(&a, true, &ss), sizeof(*s6));
	assert_true(IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr));
	assert_true(app_addr_from_sa((struct sockaddr *)&ss, &b));
	assert_true(app_addr_equal(&a, &b));
	assert_int_equal(app_addr_to_sa(&a, false, &ss),
	    sizeof(struct sockaddr_in));
	assert_true(app_addr_from_sa((struct sockaddr *)&ss, &b));
	assert_true(app_addr_equal(&a, &b));
	/* an IPv6 client cannot be reached from an IPv4 socket */
	assert_true(app_addr_parse("[2001:db8::1]:4000", true, &a));
	assert_int_equal(app_addr_to_sa(&a, false, &ss), 0);
	assert_true(app_addr_to_sa(&a, true, &ss) > 0);
	assert_true(app_addr_from_sa((struct sockaddr *)&ss, &b));
	assert_true(app_addr_equal(&a, &b));
	b.port++;
	assert_false(app_addr_equal(&a, &b));
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(app_name_ok("edge-1.site_a", 13));
	assert_false(app_name_ok("", 0));
	assert_false(app_name_ok("a,b", 3));
	assert_false(app_name_ok("a b", 3));
	assert_false(app_name_ok("abcdefghijklmnopqrstuvwxyz0123456", 33));
	assert_string_equal(app_type_name(APP_IMPORT), "IMPORT");
	assert_string_equal(app_type_name(10), "unknown");
	assert_string_equal(app_strerror(APP_E_TRAILING), "trailing octets");
	assert_string_equal(app_strerror(APP_STATUS_MAX), "unknown status");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_result),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_export_wildcard),
		cmocka_unit_test(test_transfer),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_encode_refusals),
		cmocka_unit_test(test_frame_len),
		cmocka_unit_test(test_addr_text),
		cmocka_unit_test(test_addr_sockaddr),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
