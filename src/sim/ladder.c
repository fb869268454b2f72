/*
 * ladder.c: the ladder diagram, one line per signaling message at its send
 * time, "TIME SRC -> DST KIND key=value ... [tags]", decoded with the same
 * codec the nodes use, so the ladder shows what is on the wire.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cats/mh.h"
#include "cats/sim.h"
#include "sim/world.h"

const char *
sim_ladder_addr(const uint8_t addr[16], char *out, size_t cap)
{
	if (inet_ntop(AF_INET6, addr, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "?");
	return out;
}

/* A node's name when the address is a node's, else the address. */
static const char *
addr_or_name(const uint8_t addr[16], char *out, size_t cap)
{
	int e = sim_ep_by_addr(addr);

	if (e >= 0) {
		snprintf(out, cap, "%s", sim_ep_name((enum sim_ep)e));
		return out;
	}
	return sim_ladder_addr(addr, out, cap);
}

static void
keep(struct sim *s, const char *line)
{
	char *dup;

	if (s->nladder == s->cladder) {
		size_t cap = s->cladder ? s->cladder * 2 : 64;
		char **v = realloc(s->ladder, cap * sizeof(*v));

		if (v == NULL) {
			s->failed = true;
			return;
		}
		s->ladder = v;
		s->cladder = cap;
	}
	if ((dup = strdup(line)) == NULL) {
		s->failed = true;
		return;
	}
	s->ladder[s->nladder++] = dup;
}

void
sim_ladder_emit(struct sim *s, const char *line)
{
	if (s->opts.on_line != NULL)
		s->opts.on_line(s->opts.line_arg, line);
	if (s->opts.keep_ladder)
		keep(s, line);
}

static void
vemit(struct sim *s, const char *fmt, va_list ap)
{
	char line[SIM_LINE_MAX];

	vsnprintf(line, sizeof(line), fmt, ap);
	sim_ladder_emit(s, line);
}

void
sim_ladder_event(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->opts.on_line == NULL && !s->opts.keep_ladder)
		return;
	va_start(ap, fmt);
	vemit(s, fmt, ap);
	va_end(ap);
}

void
sim_ladder_note(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->opts.events ||
	    (s->opts.on_line == NULL && !s->opts.keep_ladder))
		return;
	va_start(ap, fmt);
	vemit(s, fmt, ap);
	va_end(ap);
}

/* Appends to a line, never past its end. */
struct lbuf {
	char	*p;
	size_t	 cap, off;
};

static void
lput(struct lbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
lput(struct lbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->off >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->cap - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n;
}

static void
fields(struct lbuf *b, const struct mh_msg *m)
{
	char a[INET6_ADDRSTRLEN + 8];
	const char *st;

	lput(b, " seq=%u", m->seq);
	if (m->type == MH_TYPE_BA) {
		st = mh_status_name(m->status);
		if (st != NULL)
			lput(b, " status=%s", st);
		else
			lput(b, " status=%u", m->status);
	}
	if (m->present & MH_BIT(MH_O_CLIENT_ADDR))
		lput(b, " client=%s", sim_ladder_addr(m->client_addr, a, sizeof(a)));
	if (m->present & MH_BIT(MH_O_SERVICE_ID))
		lput(b, " service=%.*s", (int)m->service_id.len,
		    (const char *)m->service_id.p);
	if ((m->present & MH_BIT(MH_O_CR_ID)) && m->crid_format == MH_CRID_IP &&
	    m->crid.len == 16)
		lput(b, " cr-id=%s", addr_or_name(m->crid.p, a, sizeof(a)));
	if (m->present & MH_BIT(MH_O_CATS_ADDR))
		lput(b, " cats-addr=%s",
		    addr_or_name(m->cats_addr, a, sizeof(a)));
	if (m->present & MH_BIT(MH_O_SVC_PREFIX))
		lput(b, " prefix=%s/%u",
		    sim_ladder_addr(m->svc_prefix.addr, a, sizeof(a)),
		    m->svc_prefix.len);
	if (m->present & MH_BIT(MH_O_TRANSACTION))
		lput(b, " tx=%u next=%u", m->tx.id, m->tx.next_seq);
	/* mobility 3: a registration with lifetime 0 removes the record */
	if (m->kind == MH_K_LOC_REGISTER && m->lifetime == 0)
		lput(b, " lifetime=0");
}

void
sim_ladder_sig(struct sim *s, enum sim_ep src, int dst, const uint8_t *buf,
    size_t len, const char *tag)
{
	char line[SIM_LINE_MAX];
	struct lbuf b = { line, sizeof(line), 0 };
	const struct mh_kind_info *ki;
	struct mh_error e;
	struct mh_msg m;
	enum mh_err err;

	if (s->opts.on_line == NULL && !s->opts.keep_ladder)
		return;
	lput(&b, "%llu %s -> %s", (unsigned long long)s->now, sim_ep_name(src),
	    dst >= 0 ? sim_ep_name((enum sim_ep)dst) : "unknown");
	err = mh_decode(buf, len, NULL, &m, &e);
	if (err != MH_OK) {
		lput(&b, " undecodable error=%s len=%zu", mh_strerror(err), len);
	} else {
		ki = mh_kind_info(m.kind);
		lput(&b, " %s", ki != NULL ? ki->name : "unknown-kind");
		fields(&b, &m);
	}
	if (tag != NULL && tag[0] != '\0')
		lput(&b, " %s", tag);
	sim_ladder_emit(s, line);
}

void
sim_ladder_free(struct sim *s)
{
	for (size_t i = 0; i < s->nladder; i++)
		free(s->ladder[i]);
	free(s->ladder);
	s->ladder = NULL;
	s->nladder = s->cladder = 0;
}

size_t
sim_ladder_count(const struct sim *s)
{
	return s->nladder;
}

const char *
sim_ladder_line(const struct sim *s, size_t i)
{
	return i < s->nladder ? s->ladder[i] : NULL;
}
