/*
 * appproto: encode and decode the edge service's messages (appproto.h,
 * docs/apps.md).  Every read goes through a struct cur limited to the
 * message's declared length; the encoder checks what it wrote by decoding
 * it, so the two cannot disagree on what a valid message is.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cats/buf.h"
#include "appproto.h"

struct dec {
	struct cur	 c;
	size_t		 off;	/* where the error was found */
};

static enum app_status
bad(struct dec *d, enum app_status s, size_t off)
{
	d->off = off;
	return s;
}

/* A read ran short: the failed read left the cursor where it was. */
static enum app_status
truncated(struct dec *d)
{
	return bad(d, APP_E_TRUNC, cur_off(&d->c));
}

static bool
in_range(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi;
}

/* Names end up in the client's one-line report (edges=a,b): no separators,
 * no control characters. */
bool
app_name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.'))
			return false;
	}
	return n > 0 && n <= APP_NAME_MAX;
}

/* --- decoders, one per type, each reading the body's own cursor ------- */

/* any_port: port 0 allowed (a wildcard EXPORT); the caller decides. */
static enum app_status
dec_addr_port(struct dec *d, struct app_addr *a, bool any_port)
{
	size_t at = cur_off(&d->c);
	uint8_t fam;

	memset(a, 0, sizeof(*a));
	cur_u8(&d->c, &fam);
	cur_u16(&d->c, &a->port);
	if (d->c.err)
		return truncated(d);
	if (fam != APP_AF_INET && fam != APP_AF_INET6)
		return bad(d, APP_E_FAMILY, at);
	a->family = fam;
	if (!cur_bytes(&d->c, a->a, fam == APP_AF_INET ? 4 : 16))
		return truncated(d);
	if (a->port == 0 && !any_port)
		return bad(d, APP_E_RANGE, at + 1);
	return APP_OK;
}

static enum app_status
dec_addr(struct dec *d, struct app_addr *a)
{
	return dec_addr_port(d, a, false);
}

static enum app_status
check_stream(struct dec *d, size_t at, uint32_t count, uint32_t interval,
    uint16_t payload)
{
	if (!in_range(count, 1, APP_COUNT_MAX))
		return bad(d, APP_E_RANGE, at);
	if (!in_range(interval, 1, APP_INTERVAL_MAX))
		return bad(d, APP_E_RANGE, at + 4);
	if (payload > APP_PAYLOAD_MAX)
		return bad(d, APP_E_TOOBIG, at + 8);
	return APP_OK;
}

static enum app_status
dec_request(struct dec *d, struct app_msg *m)
{
	struct app_request *r = &m->u.req;
	size_t at;

	cur_u32(&d->c, &r->tx);
	at = cur_off(&d->c);
	cur_u32(&d->c, &r->count);
	cur_u32(&d->c, &r->interval_ms);
	cur_u16(&d->c, &r->payload);
	if (d->c.err)
		return truncated(d);
	return check_stream(d, at, r->count, r->interval_ms, r->payload);
}

static enum app_status
dec_result(struct dec *d, struct app_msg *m)
{
	struct app_result *r = &m->u.res;
	size_t at;

	cur_u32(&d->c, &r->tx);
	at = cur_off(&d->c);
	cur_u32(&d->c, &r->seq);
	cur_u32(&d->c, &r->count);
	if (d->c.err)
		return truncated(d);
	if (!in_range(r->count, 1, APP_COUNT_MAX))
		return bad(d, APP_E_RANGE, at + 4);
	if (!in_range(r->seq, 1, r->count))
		return bad(d, APP_E_RANGE, at);
	at = cur_off(&d->c);
	if (!cur_u8(&d->c, &r->name_len))
		return truncated(d);
	if (r->name_len > APP_NAME_MAX)
		return bad(d, APP_E_TOOBIG, at);
	if (!cur_bytes(&d->c, r->name, r->name_len))
		return truncated(d);
	r->name[r->name_len] = '\0';
	if (!app_name_ok(r->name, r->name_len))
		return bad(d, APP_E_RANGE, at);
	at = cur_off(&d->c);
	if (!cur_u16(&d->c, &r->payload_len))
		return truncated(d);
	if (r->payload_len > APP_PAYLOAD_MAX)
		return bad(d, APP_E_TOOBIG, at);
	if (!cur_view(&d->c, &r->payload, r->payload_len))
		return truncated(d);
	return APP_OK;
}

/* Port 0 is the wildcard "the client's transaction at this address"; it
 * names no transaction id, so tx must be 0 with it. */
static enum app_status
dec_export(struct dec *d, struct app_msg *m)
{
	struct app_export *x = &m->u.exp;
	enum app_status rc;
	size_t at;

	if (!cur_u32(&d->c, &x->tx))
		return truncated(d);
	at = cur_off(&d->c);
	if ((rc = dec_addr_port(d, &x->client, true)) != APP_OK)
		return rc;
	if (x->client.port == 0 && x->tx != 0)
		return bad(d, APP_E_RANGE, at + 1);
	return APP_OK;
}

static enum app_status
dec_state_body(struct dec *d, struct app_state *s)
{
	enum app_status rc;
	size_t at, next_at;

	cur_u32(&d->c, &s->tx);
	next_at = cur_off(&d->c);
	cur_u32(&d->c, &s->next);
	at = cur_off(&d->c);
	cur_u32(&d->c, &s->count);
	cur_u32(&d->c, &s->interval_ms);
	cur_u16(&d->c, &s->payload);
	if (d->c.err)
		return truncated(d);
	if ((rc = check_stream(d, at, s->count, s->interval_ms,
	    s->payload)) != APP_OK)
		return rc;
	/* next == count + 1: the transaction has sent everything */
	if (!in_range(s->next, 1, s->count + 1))
		return bad(d, APP_E_RANGE, next_at);
	if ((rc = dec_addr(d, &s->client)) != APP_OK)
		return rc;
	at = cur_off(&d->c);
	if (!cur_u16(&d->c, &s->blob_len))
		return truncated(d);
	if (s->blob_len > APP_BLOB_MAX)
		return bad(d, APP_E_TOOBIG, at);
	if (!cur_bytes(&d->c, s->blob, s->blob_len))
		return truncated(d);
	return APP_OK;
}

static enum app_status
dec_state(struct dec *d, struct app_msg *m)
{
	return dec_state_body(d, &m->u.state);
}

static enum app_status
dec_import(struct dec *d, struct app_msg *m)
{
	struct app_import *im = &m->u.imp;
	enum app_status rc;
	uint8_t flags;
	size_t at;

	if ((rc = dec_state_body(d, &im->state)) != APP_OK)
		return rc;
	at = cur_off(&d->c);
	if (!cur_u8(&d->c, &flags))
		return truncated(d);
	if (flags & ~APP_IMPORT_F_RETURN)
		return bad(d, APP_E_RESERVED, at);
	im->has_return = (flags & APP_IMPORT_F_RETURN) != 0;
	memset(&im->ret, 0, sizeof(im->ret));
	return im->has_return ? dec_addr(d, &im->ret) : APP_OK;
}

static enum app_status
dec_transfer(struct dec *d, struct app_msg *m)
{
	struct app_transfer *x = &m->u.xfer;
	size_t at;

	cur_bytes(&d->c, x->client, sizeof(x->client));
	at = cur_off(&d->c);
	cur_u8(&d->c, &x->service_len);
	if (d->c.err)
		return truncated(d);
	if (x->service_len == 0)
		return bad(d, APP_E_RANGE, at);
	if (x->service_len > APP_SERVICE_MAX)
		return bad(d, APP_E_TOOBIG, at);
	if (!cur_bytes(&d->c, x->service, x->service_len))
		return truncated(d);
	return dec_state_body(d, &x->state);
}

static enum app_status
dec_load(struct dec *d, struct app_msg *m)
{
	struct app_load *l = &m->u.load;
	size_t at = cur_off(&d->c);

	cur_u32(&d->c, &l->seq);
	cur_u32(&d->c, &l->interval_ms);
	cur_u16(&d->c, &l->workers);
	cur_u32(&d->c, &l->util_ppm);
	cur_u32(&d->c, &l->queue);
	cur_u32(&d->c, &l->delay_us);
	cur_u64(&d->c, &l->capacity_mrps);
	if (d->c.err)
		return truncated(d);
	if (l->seq == 0)
		return bad(d, APP_E_RANGE, at);
	if (!in_range(l->interval_ms, 1, APP_INTERVAL_MAX))
		return bad(d, APP_E_RANGE, at + 4);
	if (!in_range(l->workers, 1, APP_WORKERS_MAX))
		return bad(d, APP_E_RANGE, at + 8);
	if (l->util_ppm > APP_PPM)
		return bad(d, APP_E_RANGE, at + 10);
	if (l->queue > APP_QUEUE_MAX)
		return bad(d, APP_E_RANGE, at + 14);
	if (!in_range(l->delay_us, 1, APP_DELAY_US_MAX))
		return bad(d, APP_E_RANGE, at + 18);
	if (l->capacity_mrps == 0 || l->capacity_mrps > APP_CAPACITY_MAX)
		return bad(d, APP_E_RANGE, at + 22);
	at = cur_off(&d->c);
	if (!cur_u8(&d->c, &l->name_len))
		return truncated(d);
	if (l->name_len > APP_NAME_MAX)
		return bad(d, APP_E_TOOBIG, at);
	if (!cur_bytes(&d->c, l->name, l->name_len))
		return truncated(d);
	l->name[l->name_len] = '\0';
	if (!app_name_ok(l->name, l->name_len))
		return bad(d, APP_E_RANGE, at);
	return APP_OK;
}

/* WATCH has no body. */
static enum app_status
dec_watch(struct dec *d, struct app_msg *m)
{
	(void)d;
	(void)m;
	return APP_OK;
}

static enum app_status
dec_error(struct dec *d, struct app_msg *m)
{
	struct app_error *e = &m->u.err;

	cur_u8(&d->c, &e->code);
	cur_u32(&d->c, &e->tx);
	cur_u8(&d->c, &e->text_len);
	if (d->c.err)
		return truncated(d);
	if (!cur_bytes(&d->c, e->text, e->text_len))
		return truncated(d);
	e->text[e->text_len] = '\0';
	return APP_OK;
}

/* --- encoders: lengths are checked before copying, the rest by decoding */

static void
enc_addr(struct wbuf *w, const struct app_addr *a)
{
	wb_u8(w, a->family);
	wb_u16(w, a->port);
	wb_bytes(w, a->a, a->family == APP_AF_INET ? 4 : 16);
}

static void
enc_request(struct wbuf *w, const struct app_msg *m)
{
	wb_u32(w, m->u.req.tx);
	wb_u32(w, m->u.req.count);
	wb_u32(w, m->u.req.interval_ms);
	wb_u16(w, m->u.req.payload);
}

static void
enc_result(struct wbuf *w, const struct app_msg *m)
{
	const struct app_result *r = &m->u.res;

	wb_u32(w, r->tx);
	wb_u32(w, r->seq);
	wb_u32(w, r->count);
	wb_u8(w, r->name_len);
	wb_bytes(w, r->name, r->name_len);
	wb_u16(w, r->payload_len);
	if (r->payload != NULL)
		wb_bytes(w, r->payload, r->payload_len);
	else
		wb_zero(w, r->payload_len);
}

static void
enc_export(struct wbuf *w, const struct app_msg *m)
{
	wb_u32(w, m->u.exp.tx);
	enc_addr(w, &m->u.exp.client);
}

static void
enc_state_body(struct wbuf *w, const struct app_state *s)
{
	wb_u32(w, s->tx);
	wb_u32(w, s->next);
	wb_u32(w, s->count);
	wb_u32(w, s->interval_ms);
	wb_u16(w, s->payload);
	enc_addr(w, &s->client);
	wb_u16(w, s->blob_len);
	wb_bytes(w, s->blob, s->blob_len);
}

static void
enc_state(struct wbuf *w, const struct app_msg *m)
{
	enc_state_body(w, &m->u.state);
}

static void
enc_import(struct wbuf *w, const struct app_msg *m)
{
	const struct app_import *im = &m->u.imp;

	enc_state_body(w, &im->state);
	wb_u8(w, im->has_return ? APP_IMPORT_F_RETURN : 0);
	if (im->has_return)
		enc_addr(w, &im->ret);
}

static void
enc_transfer(struct wbuf *w, const struct app_msg *m)
{
	const struct app_transfer *x = &m->u.xfer;

	wb_bytes(w, x->client, sizeof(x->client));
	wb_u8(w, x->service_len);
	wb_bytes(w, x->service, x->service_len);
	enc_state_body(w, &x->state);
}

static void
enc_load(struct wbuf *w, const struct app_msg *m)
{
	const struct app_load *l = &m->u.load;

	wb_u32(w, l->seq);
	wb_u32(w, l->interval_ms);
	wb_u16(w, l->workers);
	wb_u32(w, l->util_ppm);
	wb_u32(w, l->queue);
	wb_u32(w, l->delay_us);
	wb_u64(w, l->capacity_mrps);
	wb_u8(w, l->name_len);
	wb_bytes(w, l->name, l->name_len);
}

static void
enc_watch(struct wbuf *w, const struct app_msg *m)
{
	(void)w;
	(void)m;
}

static void
enc_error(struct wbuf *w, const struct app_msg *m)
{
	wb_u8(w, m->u.err.code);
	wb_u32(w, m->u.err.tx);
	wb_u8(w, m->u.err.text_len);
	wb_bytes(w, m->u.err.text, m->u.err.text_len);
}

/* Per type: its name, the fixed part of its body, decoder and encoder. */
static const struct app_typeinfo {
	const char	*name;
	size_t		 min;
	enum app_status	(*dec)(struct dec *, struct app_msg *);
	void		(*enc)(struct wbuf *, const struct app_msg *);
} types[APP_TYPE_MAX + 1] = {
	[APP_REQUEST] = { "REQUEST", 14, dec_request, enc_request },
	[APP_RESULT]  = { "RESULT", 16, dec_result, enc_result },
	[APP_EXPORT]  = { "EXPORT", 11, dec_export, enc_export },
	[APP_STATE]   = { "STATE", 27, dec_state, enc_state },
	[APP_IMPORT]  = { "IMPORT", 28, dec_import, enc_import },
	[APP_ERROR]   = { "ERROR", 6, dec_error, enc_error },
	/* client 16, service_len 1, a 1-octet service, the STATE's 27 */
	[APP_TRANSFER] = { "TRANSFER", 45, dec_transfer, enc_transfer },
	/* 30 octets of numbers, name_len 1, a 1-octet name */
	[APP_LOAD]    = { "LOAD", 32, dec_load, enc_load },
	[APP_WATCH]   = { "WATCH", 0, dec_watch, enc_watch },
};

static const struct app_typeinfo *
typeinfo(uint8_t type)
{
	if (type == 0 || type > APP_TYPE_MAX)
		return NULL;
	return &types[type];
}

/* The header of a message that must fill len octets exactly. */
static enum app_status
dec_header(struct dec *d, size_t len, struct app_msg *m,
    const struct app_typeinfo **ti, size_t *mlen)
{
	uint8_t ver;
	uint16_t l;

	cur_u8(&d->c, &ver);
	cur_u8(&d->c, &m->type);
	cur_u16(&d->c, &l);
	if (d->c.err)
		return bad(d, APP_E_SHORT, 0);
	if (ver != APP_VERSION)
		return bad(d, APP_E_VERSION, 0);
	if ((*ti = typeinfo(m->type)) == NULL)
		return bad(d, APP_E_TYPE, 1);
	if (l > APP_MSG_MAX)
		return bad(d, APP_E_TOOBIG, 2);
	if (l > len)
		return bad(d, APP_E_TRUNC, 2);
	if (l < APP_HDR_LEN + (*ti)->min)
		return bad(d, APP_E_SHORT, 2);
	if (l < len)
		return bad(d, APP_E_TRAILING, l);
	*mlen = l;
	return APP_OK;
}

enum app_status
app_decode(const void *buf, size_t len, struct app_msg *m, size_t *off)
{
	const struct app_typeinfo *ti = NULL;
	struct dec d = { .off = 0 };
	struct cur body;
	enum app_status rc;
	size_t mlen = 0;

	memset(m, 0, sizeof(*m));
	cur_init(&d.c, buf, len);
	rc = dec_header(&d, len, m, &ti, &mlen);
	if (rc == APP_OK) {
		cur_sub(&d.c, mlen - APP_HDR_LEN, &body);
		d.c = body;
		rc = ti->dec(&d, m);
	}
	if (rc == APP_OK && !cur_done(&d.c))
		rc = bad(&d, APP_E_TRAILING, cur_off(&d.c));
	if (off != NULL)
		*off = rc == APP_OK ? 0 : d.off;
	return rc;
}

/* Lengths an encoder would copy from fixed arrays: checked first. */
static enum app_status
enc_lengths_ok(const struct app_msg *m)
{
	switch (m->type) {
	case APP_RESULT:
		if (m->u.res.name_len > APP_NAME_MAX ||
		    m->u.res.payload_len > APP_PAYLOAD_MAX)
			return APP_E_TOOBIG;
		break;
	case APP_STATE:
		if (m->u.state.blob_len > APP_BLOB_MAX)
			return APP_E_TOOBIG;
		break;
	case APP_IMPORT:
		if (m->u.imp.state.blob_len > APP_BLOB_MAX)
			return APP_E_TOOBIG;
		break;
	case APP_LOAD:
		if (m->u.load.name_len > APP_NAME_MAX)
			return APP_E_TOOBIG;
		break;
	case APP_TRANSFER:
		if (m->u.xfer.service_len > APP_SERVICE_MAX ||
		    m->u.xfer.state.blob_len > APP_BLOB_MAX)
			return APP_E_TOOBIG;
		break;
	default:
		break;
	}
	return APP_OK;
}

enum app_status
app_encode(const struct app_msg *m, void *out, size_t cap, size_t *len)
{
	const struct app_typeinfo *ti = typeinfo(m->type);
	struct app_msg check;
	enum app_status rc;
	struct wbuf w;

	*len = 0;
	if (ti == NULL)
		return APP_E_TYPE;
	if ((rc = enc_lengths_ok(m)) != APP_OK)
		return rc;
	wb_init(&w, out, cap);
	wb_u8(&w, APP_VERSION);
	wb_u8(&w, m->type);
	wb_u16(&w, 0);
	ti->enc(&w, m);
	if (!wb_ok(&w) || w.len > APP_MSG_MAX)
		return APP_E_NOSPACE;
	wb_set_u16(&w, 2, (uint16_t)w.len);
	if ((rc = app_decode(w.p, w.len, &check, NULL)) != APP_OK)
		return rc;
	*len = w.len;
	return APP_OK;
}

long
app_frame_len(const void *buf, size_t len)
{
	struct cur c;
	uint8_t ver, type;
	uint16_t l;

	if (len < APP_HDR_LEN)
		return 0;
	cur_init(&c, buf, len);
	cur_u8(&c, &ver);
	cur_u8(&c, &type);
	cur_u16(&c, &l);
	if (ver != APP_VERSION || l < APP_HDR_LEN || l > APP_MSG_MAX)
		return -1;
	return l;
}

const char *
app_strerror(enum app_status s)
{
	static const char *const msg[APP_STATUS_MAX] = {
		[APP_OK] = "ok",
		[APP_E_SHORT] = "shorter than the fixed part",
		[APP_E_VERSION] = "unsupported version",
		[APP_E_TYPE] = "unknown message type",
		[APP_E_TRUNC] = "length runs past the end",
		[APP_E_TRAILING] = "trailing octets",
		[APP_E_FAMILY] = "unknown address family",
		[APP_E_RANGE] = "field out of range",
		[APP_E_TOOBIG] = "length over its maximum",
		[APP_E_RESERVED] = "reserved bits set",
		[APP_E_NOSPACE] = "no space in the output buffer",
	};

	if ((unsigned)s >= APP_STATUS_MAX)
		return "unknown status";
	return msg[s];
}

const char *
app_type_name(uint8_t type)
{
	const struct app_typeinfo *ti = typeinfo(type);

	return ti != NULL ? ti->name : "unknown";
}

const char *
app_errcode_name(uint8_t code)
{
	static const char *const names[] = {
		[APP_ERR_BAD_MESSAGE] = "bad-message",
		[APP_ERR_NO_TX] = "no-transaction",
		[APP_ERR_EXISTS] = "exists",
		[APP_ERR_MOVED] = "moved",
		[APP_ERR_FULL] = "full",
		[APP_ERR_UNSUPPORTED] = "unsupported",
		[APP_ERR_AMBIGUOUS] = "ambiguous",
	};

	if (code >= sizeof(names) / sizeof(names[0]) || names[code] == NULL)
		return "unknown";
	return names[code];
}

/* --- addresses ------------------------------------------------------- */

static bool
parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool
parse_host(const char *host, struct app_addr *a)
{
	if (inet_pton(AF_INET, host, a->a) == 1) {
		a->family = APP_AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, host, a->a) == 1) {
		a->family = APP_AF_INET6;
		return true;
	}
	return false;
}

bool
app_addr_parse(const char *s, bool need_port, struct app_addr *a)
{
	char host[APP_ADDRSTRLEN];
	const char *port = NULL, *colon;
	size_t n;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return false;
		n = (size_t)(rb - s - 1);
		port = rb[1] == ':' ? rb + 2 : NULL;
		s++;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		n = (size_t)(colon - s);	/* a.b.c.d:port */
		port = colon + 1;
	} else {
		n = strlen(s);			/* no port, or a bare IPv6 */
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!parse_host(host, a))
		return false;
	if (port == NULL)
		return !need_port;
	return parse_port(port, &a->port);
}

const char *
app_addr_format(const struct app_addr *a, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	int af = a->family == APP_AF_INET ? AF_INET : AF_INET6;

	if ((a->family != APP_AF_INET && a->family != APP_AF_INET6) ||
	    inet_ntop(af, a->a, host, sizeof(host)) == NULL) {
		snprintf(out, size, "?");
		return out;
	}
	snprintf(out, size, af == AF_INET ? "%s:%u" : "[%s]:%u", host,
	    (unsigned)a->port);
	return out;
}

bool
app_addr_equal(const struct app_addr *x, const struct app_addr *y)
{
	size_t n = x->family == APP_AF_INET ? 4 : 16;

	return x->family == y->family && x->port == y->port &&
	    memcmp(x->a, y->a, n) == 0;
}

bool
app_addr_from_sa(const struct sockaddr *sa, struct app_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		a->family = APP_AF_INET;
		a->port = ntohs(s4->sin_port);
		memcpy(a->a, &s4->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		a->port = ntohs(s6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			a->family = APP_AF_INET;
			memcpy(a->a, s6->sin6_addr.s6_addr + 12, 4);
		} else {
			a->family = APP_AF_INET6;
			memcpy(a->a, &s6->sin6_addr, 16);
		}
		return true;
	}
	return false;
}

size_t
app_addr_to_sa(const struct app_addr *a, bool v6, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->family == APP_AF_INET && !v6) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->a, 4);
		return sizeof(*s4);
	}
	if (!v6 || (a->family != APP_AF_INET && a->family != APP_AF_INET6))
		return 0;	/* an IPv6 client cannot be reached from IPv4 */
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(a->port);
	if (a->family == APP_AF_INET6) {
		memcpy(&s6->sin6_addr, a->a, 16);
	} else {
		s6->sin6_addr.s6_addr[10] = 0xff;	/* ::ffff:a.b.c.d */
		s6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(s6->sin6_addr.s6_addr + 12, a->a, 4);
	}
	return sizeof(*s6);
}
