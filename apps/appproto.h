/*
 * appproto: the wire protocol between the reference edge service (cats-edge)
 * and its client (cats-client), and of the edge's control port.
 *
 * Sans-I/O: messages are encoded into and decoded from caller buffers through
 * the buf.h cursors, nothing here touches a socket.  Every message starts
 * with one header, version 1:
 *
 *	version u8 | type u8 | length u16 (whole message, header included)
 *
 * so a datagram carries exactly one message and a stream (the control port)
 * is framed by the length.  docs/apps.md has every layout and one example of
 * each message.
 */
#ifndef CATS_APPPROTO_H
#define CATS_APPPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APP_VERSION		1
#define APP_HDR_LEN		4
#define APP_NAME_MAX		32	/* edge name in a RESULT */
#define APP_PAYLOAD_MAX		1200	/* result payload: fits a 1280 MTU */
#define APP_BLOB_MAX		512	/* opaque application state */
#define APP_TEXT_MAX		255	/* ERROR text */
#define APP_COUNT_MAX		1000000	/* results in one transaction */
#define APP_INTERVAL_MAX	60000	/* ms between results */
#define APP_MSG_MAX		1280	/* no message is longer */
#define APP_SERVICE_MAX		64	/* CS-ID octets in a TRANSFER */
#define APP_WORKERS_MAX		1024	/* workers an edge reports in a LOAD */
#define APP_PPM			1000000	/* utilisation 1.0 in a LOAD */
#define APP_QUEUE_MAX		1000000	/* requests waiting, in a LOAD */
#define APP_DELAY_US_MAX	60000000u	/* mean service time: 60 s */
#define APP_CAPACITY_MAX	10000000000000ull	/* milli-requests/s */

enum app_type {
	APP_REQUEST = 1,	/* client -> edge (UDP): start a transaction */
	APP_RESULT,		/* edge -> client (UDP): result seq of count */
	APP_EXPORT,		/* control: stop a transaction, send its state */
	APP_STATE,		/* control: a transaction's state (answer) */
	APP_IMPORT,		/* control: resume a transaction from a state */
	APP_ERROR,		/* any direction: why a message was refused */
	APP_TRANSFER,		/* catsd -> catsd: a STATE moving to another
				 * egress, with its CATS client and service */
	APP_LOAD,		/* control, edge -> catsd: the edge's load */
	APP_WATCH,		/* control, catsd -> edge: send LOADs here */
	APP_TYPE_MAX = APP_WATCH
};

/* Decode and encode outcomes; app_strerror names each. */
enum app_status {
	APP_OK = 0,
	APP_E_SHORT,		/* shorter than the header or the type's fixed part */
	APP_E_VERSION,		/* not version 1 */
	APP_E_TYPE,		/* unknown message type */
	APP_E_TRUNC,		/* a length runs past the end */
	APP_E_TRAILING,		/* bytes left after the message */
	APP_E_FAMILY,		/* address family neither 4 nor 6 */
	APP_E_RANGE,		/* a field out of its range (seq 0, count 0 ...) */
	APP_E_TOOBIG,		/* a length over its maximum (blob, name ...) */
	APP_E_RESERVED,		/* reserved flag bits set */
	APP_E_NOSPACE,		/* encode: the output buffer is too small */
	APP_STATUS_MAX
};

/* ERROR codes: what the edge could not do. */
enum app_errcode {
	APP_ERR_BAD_MESSAGE = 1,	/* malformed; the text says why */
	APP_ERR_NO_TX,			/* no such transaction */
	APP_ERR_EXISTS,			/* import of a transaction running here */
	APP_ERR_MOVED,			/* already exported: its state left */
	APP_ERR_FULL,			/* no room for another transaction */
	APP_ERR_UNSUPPORTED,		/* a message type this port does not take */
	APP_ERR_AMBIGUOUS,		/* a wildcard EXPORT matches several */
};

#define APP_AF_INET	4
#define APP_AF_INET6	6

/* A client's transport address: IPv4 in the first 4 octets of a. */
struct app_addr {
	uint8_t		 family;	/* APP_AF_INET or APP_AF_INET6 */
	uint16_t	 port;		/* never 0 */
	uint8_t		 a[16];
};

struct app_request {
	uint32_t	 tx;		/* client-chosen transaction id */
	uint32_t	 count;		/* N results, 1..APP_COUNT_MAX */
	uint32_t	 interval_ms;	/* 1..APP_INTERVAL_MAX */
	uint16_t	 payload;	/* octets per result, <= APP_PAYLOAD_MAX */
};

struct app_result {
	uint32_t	 tx;
	uint32_t	 seq;		/* 1..count */
	uint32_t	 count;
	uint8_t		 name_len;	/* 1..APP_NAME_MAX */
	char		 name[APP_NAME_MAX + 1];	/* NUL-terminated copy */
	uint16_t	 payload_len;
	const uint8_t	*payload;	/* decode: view into the input */
};

/* client.port 0 is a wildcard (then tx must be 0): the one transaction
 * running for that client address, whatever its port and id.  A CATS egress
 * knows the client's address only (docs/apps.md). */
struct app_export {
	uint32_t	 tx;
	struct app_addr	 client;
};

struct app_state {
	uint32_t	 tx;
	uint32_t	 next;		/* next result to send, 1..count+1 */
	uint32_t	 count;
	uint32_t	 interval_ms;
	uint16_t	 payload;
	struct app_addr	 client;	/* with tx, names the transaction */
	uint16_t	 blob_len;
	uint8_t		 blob[APP_BLOB_MAX];	/* opaque to the protocol */
};

#define APP_IMPORT_F_RETURN	0x01	/* a return address follows */

struct app_import {
	struct app_state state;
	bool		 has_return;
	struct app_addr	 ret;		/* results go here, not to client */
};

/* What one catsd hands another in transaction switching: the client as
 * the CATS engine names it (an IPv6 address; IPv4 clients mapped), the
 * service's CS-ID, and the edge's STATE. */
struct app_transfer {
	uint8_t		 client[16];
	uint8_t		 service_len;	/* 1..APP_SERVICE_MAX */
	uint8_t		 service[APP_SERVICE_MAX];
	struct app_state state;
};

/* What an edge's worker pool measured over one report interval: its C-SMA
 * half (docs/apps.md).  A WATCH on a control connection asks for these,
 * every interval_ms, on that connection. */
struct app_load {
	uint32_t	 seq;		/* report number, from 1 */
	uint32_t	 interval_ms;	/* the window, 1..APP_INTERVAL_MAX */
	uint16_t	 workers;	/* N, 1..APP_WORKERS_MAX */
	uint32_t	 util_ppm;	/* busy workers / N, mean, 0..APP_PPM */
	uint32_t	 queue;		/* requests waiting now */
	uint32_t	 delay_us;	/* mean service time, 1..APP_DELAY_US_MAX */
	uint64_t	 capacity_mrps;	/* N / mean service time, req/s x 1000 */
	uint8_t		 name_len;	/* 1..APP_NAME_MAX */
	char		 name[APP_NAME_MAX + 1];	/* NUL-terminated copy */
};

struct app_error {
	uint8_t		 code;		/* enum app_errcode, others kept */
	uint32_t	 tx;
	uint8_t		 text_len;
	char		 text[APP_TEXT_MAX + 1];	/* NUL-terminated copy */
};

struct app_msg {
	uint8_t		 type;		/* enum app_type */
	union {
		struct app_request	req;
		struct app_result	res;
		struct app_export	exp;
		struct app_state	state;
		struct app_import	imp;
		struct app_error	err;
		struct app_transfer	xfer;
		struct app_load		load;
	} u;
};

/* Decode one message that must fill buf exactly.  On an error, *off (when
 * not NULL) is the octet offset where it was found. */
enum app_status	 app_decode(const void *buf, size_t len, struct app_msg *m,
		    size_t *off);

/* Encode m into out; *len is the message length.  APP_E_NOSPACE when out is
 * too small; an m the decoder would refuse is refused (APP_E_RANGE ...). */
enum app_status	 app_encode(const struct app_msg *m, void *out, size_t cap,
		    size_t *len);

/* Stream framing: the length of the message at the start of buf, 0 when
 * fewer than APP_HDR_LEN octets are there yet, or -1 when the header is
 * not one we would read (wrong version, length out of range). */
long		 app_frame_len(const void *buf, size_t len);

const char	*app_strerror(enum app_status s);

/* An edge name a RESULT may carry: 1..APP_NAME_MAX of [A-Za-z0-9._-]. */
bool		 app_name_ok(const char *s, size_t n);
const char	*app_type_name(uint8_t type);
const char	*app_errcode_name(uint8_t code);

/* Address text forms: "192.0.2.1:5000", "[2001:db8::1]:5000".  Parsing
 * accepts numeric addresses only; with need_port false the port may be
 * left out (0).  app_addr_format writes at most APP_ADDRSTRLEN octets. */
#define APP_ADDRSTRLEN	56
bool		 app_addr_parse(const char *s, bool need_port,
		    struct app_addr *a);
const char	*app_addr_format(const struct app_addr *a, char *out,
		    size_t size);
bool		 app_addr_equal(const struct app_addr *x,
		    const struct app_addr *y);

/* Conversions to and from a socket address (IPv4-mapped IPv6 addresses
 * come back as IPv4; v6 asks for a mapped address for an AF_INET6 socket). */
struct sockaddr;
struct sockaddr_storage;
bool		 app_addr_from_sa(const struct sockaddr *sa,
		    struct app_addr *a);
size_t		 app_addr_to_sa(const struct app_addr *a, bool v6,
		    struct sockaddr_storage *ss);

#endif /* CATS_APPPROTO_H */
