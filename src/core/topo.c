/*
 * topo: topology files (GML of the Topology Zoo, edge lists) into a
 * struct topo, and shortest delays over it.
 *
 * Both readers feed one builder: nodes as they are declared, links as
 * pending records with the line that declared them.  bld_finish() then
 * applies the rules common to both formats in one place (self-loops, the
 * great-circle delay, parallel links, the access default), so a rule and
 * its message exist once.  Every refusal goes through bad(), which fills
 * the struct file_err.  docs/topology.md is the prose of this file.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cats/topo.h"

#define EARTH_R_KM	6371.0
#define LIGHT_KM_S	299792.458
#define FIBER_KM_S	(LIGHT_KM_S * 2.0 / 3.0)
#define NUM_MAX		64	/* longest number we read */
#define GML_DEPTH_MAX	64	/* nested lists below graph */
#define EDGE_WORDS_MAX	16	/* words on an edge-list line */

/* ------------------------------------------------------------------ */
/* Errors                                                               */

int
file_err_set(struct file_err *e, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "<input>");
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return -1;
}

void
file_err_format(const struct file_err *e, char *out, size_t cap)
{
	if (cap == 0)
		return;
	if (e->line == 0)
		snprintf(out, cap, "%s: %s", e->file, e->reason);
	else
		snprintf(out, cap, "%s:%u: %s", e->file, e->line, e->reason);
}

/* ------------------------------------------------------------------ */
/* Geography                                                            */

double
topo_great_circle_km(double lat1, double lon1, double lat2, double lon2)
{
	double r = M_PI / 180.0;
	double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
	double h = sin(dlat / 2) * sin(dlat / 2) +
	    cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);

	if (h > 1)
		h = 1;
	return 2 * EARTH_R_KM * asin(sqrt(h));
}

uint32_t
topo_fiber_delay_us(double km)
{
	double us = km / FIBER_KM_S * 1e6;

	if (!(us > 1))			/* also NaN */
		return 1;
	if (us >= TOPO_MAX_DELAY_US)
		return TOPO_MAX_DELAY_US;
	return (uint32_t)ceil(us);
}

/* ------------------------------------------------------------------ */
/* Open-addressing index: slots hold an element index + 1; the caller   */
/* hashes and compares, the table only probes and grows.                */

struct htab {
	uint32_t	*slot;
	size_t		 mask;		/* capacity - 1, capacity a power of 2 */
	size_t		 n;
};

typedef uint64_t (*ht_hash_fn)(const void *ctx, uint32_t idx);

static uint64_t
mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t
hash_str(const char *s, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * UINT64_C(0x100000001b3);
	return mix64(h);
}

/* Room for want entries at load <= 1/2; rehashes through hash(). */
static int
ht_reserve(struct htab *h, size_t want, ht_hash_fn hash, const void *ctx)
{
	size_t cap = 16, i;
	uint32_t *ns;

	if (h->slot != NULL && want * 2 <= h->mask + 1)
		return 0;
	while (cap < want * 2)
		cap *= 2;
	if ((ns = calloc(cap, sizeof(*ns))) == NULL)
		return -1;
	for (i = 0; h->slot != NULL && i <= h->mask; i++) {
		size_t j;

		if (h->slot[i] == 0)
			continue;
		j = hash(ctx, h->slot[i] - 1) & (cap - 1);
		while (ns[j] != 0)
			j = (j + 1) & (cap - 1);
		ns[j] = h->slot[i];
	}
	free(h->slot);
	h->slot = ns;
	h->mask = cap - 1;
	return 0;
}

static void
ht_free(struct htab *h)
{
	free(h->slot);
	memset(h, 0, sizeof(*h));
}

/* ------------------------------------------------------------------ */
/* Builder                                                              */

/* A link as read: GML ids until resolved, the line for messages. */
struct pend {
	int64_t		 ida, idb;
	uint32_t	 a, b;
	uint32_t	 delay_us;
	bool		 has_delay;
	uint64_t	 bw_bps;
	unsigned	 line;
};

struct bld {
	struct topo	 t;
	size_t		 capn;
	unsigned	*nline;		/* where each node was declared */
	int64_t		*ids;		/* GML node ids */
	bool		*declared;	/* edge list: by a node line */
	struct htab	 byname, byid;
	struct pend	*pend;
	size_t		 npend, capp;
	bool		 gml;
	const char	*file;
	struct file_err	*e;
};

static int bad(struct bld *, unsigned, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
bad(struct bld *b, unsigned line, const char *fmt, ...)
{
	char reason[sizeof(b->e->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return file_err_set(b->e, b->file, line, "%s", reason);
}

static uint64_t
name_hash(const void *ctx, uint32_t idx)
{
	const struct topo *t = ctx;

	return hash_str(t->nodes[idx].name, strlen(t->nodes[idx].name));
}

static uint64_t
id_hash(const void *ctx, uint32_t idx)
{
	const struct bld *b = ctx;

	return mix64((uint64_t)b->ids[idx]);
}

static uint32_t *
name_slot(const struct htab *h, const struct topo *t, const char *s,
    size_t n)
{
	size_t i = hash_str(s, n) & h->mask;

	for (; h->slot[i] != 0; i = (i + 1) & h->mask) {
		const char *nm = t->nodes[h->slot[i] - 1].name;

		if (strncmp(nm, s, n) == 0 && nm[n] == '\0')
			break;
	}
	return &h->slot[i];
}

static uint32_t *
id_slot(const struct bld *b, int64_t id)
{
	const struct htab *h = &b->byid;
	size_t i = mix64((uint64_t)id) & h->mask;

	while (h->slot[i] != 0 && b->ids[h->slot[i] - 1] != id)
		i = (i + 1) & h->mask;
	return &h->slot[i];
}

static void
bld_init(struct bld *b, bool gml, const char *file, struct file_err *e)
{
	memset(b, 0, sizeof(*b));
	b->gml = gml;
	b->file = file;
	b->e = e;
}

static void
bld_free(struct bld *b)
{
	free(b->nline);
	free(b->ids);
	free(b->declared);
	free(b->pend);
	ht_free(&b->byname);
	ht_free(&b->byid);
	b->nline = NULL;
	b->ids = NULL;
	b->declared = NULL;
	b->pend = NULL;
}

static void
bld_fail(struct bld *b)
{
	bld_free(b);
	topo_free(&b->t);
}

static int
grow(void *pp, size_t n, size_t size)
{
	void *np = realloc(*(void **)pp, n * size);

	if (np == NULL)
		return -1;
	*(void **)pp = np;
	return 0;
}

/*
 * A new node named name (shorter than TOPO_NAME_MAX, checked by the
 * caller).  Indexed by name unless the name is taken (GML labels repeat).
 * Returns its index or -1.
 */
static int
bld_node(struct bld *b, const char *name, int64_t id, unsigned line)
{
	struct topo *t = &b->t;
	struct topo_node *n;
	uint32_t *s;

	if (t->nnodes >= TOPO_MAX_NODES)
		return bad(b, line, "too many nodes (more than %d)",
		    TOPO_MAX_NODES);
	if (t->nnodes == b->capn) {
		size_t cap = b->capn ? b->capn * 2 : 64;

		if (grow(&t->nodes, cap, sizeof(*t->nodes)) ||
		    grow(&b->nline, cap, sizeof(*b->nline)) ||
		    grow(&b->ids, cap, sizeof(*b->ids)) ||
		    grow(&b->declared, cap, sizeof(*b->declared)))
			return bad(b, line, "out of memory");
		b->capn = cap;
	}
	if (ht_reserve(&b->byname, t->nnodes + 1, name_hash, t) ||
	    (b->gml && ht_reserve(&b->byid, t->nnodes + 1, id_hash, b)))
		return bad(b, line, "out of memory");
	n = &t->nodes[t->nnodes];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	b->nline[t->nnodes] = line;
	b->ids[t->nnodes] = id;
	b->declared[t->nnodes] = false;
	s = name_slot(&b->byname, t, name, strlen(name));
	if (*s == 0) {
		*s = (uint32_t)t->nnodes + 1;
		b->byname.n++;
	}
	if (b->gml) {
		*id_slot(b, id) = (uint32_t)t->nnodes + 1;
		b->byid.n++;
	}
	return (int)t->nnodes++;
}

static struct pend *
bld_link(struct bld *b, unsigned line)
{
	struct pend *p;

	if (b->npend >= TOPO_MAX_LINKS) {
		bad(b, line, "too many links (more than %d)", TOPO_MAX_LINKS);
		return NULL;
	}
	if (b->npend == b->capp) {
		size_t cap = b->capp ? b->capp * 2 : 64;

		if (grow(&b->pend, cap, sizeof(*b->pend))) {
			bad(b, line, "out of memory");
			return NULL;
		}
		b->capp = cap;
	}
	p = &b->pend[b->npend++];
	memset(p, 0, sizeof(*p));
	p->line = line;
	return p;
}

/* "edge 3-7" (GML ids) or "link a-b" (edge-list names), for messages. */
static const char *
link_name(const struct bld *b, const struct pend *p, char *buf, size_t cap)
{
	if (b->gml)
		snprintf(buf, cap, "edge %lld-%lld", (long long)p->ida,
		    (long long)p->idb);
	else
		snprintf(buf, cap, "link %s-%s", b->t.nodes[p->a].name,
		    b->t.nodes[p->b].name);
	return buf;
}

static uint64_t
pair_key(uint32_t a, uint32_t b)
{
	return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

static uint64_t
pair_hash(const void *ctx, uint32_t idx)
{
	const struct topo_link *l = ((const struct topo *)ctx)->links;

	return mix64(pair_key(l[idx].a, l[idx].b));
}

/* Links from the pending records: delays, then parallel links merged. */
static int
bld_links(struct bld *b)
{
	struct topo *t = &b->t;
	struct htab pairs = { 0 };
	char nm[2 * TOPO_NAME_MAX + 8];

	if (b->npend == 0)
		return 0;
	if ((t->links = calloc(b->npend, sizeof(*t->links))) == NULL ||
	    ht_reserve(&pairs, b->npend, pair_hash, t))
		return bad(b, b->pend[0].line, "out of memory");
	for (size_t i = 0; i < b->npend; i++) {
		struct pend *p = &b->pend[i];
		const struct topo_node *na = &t->nodes[p->a], *nb = &t->nodes[p->b];
		struct topo_link *l;
		uint64_t key = pair_key(p->a, p->b);
		size_t j;

		if (p->a == p->b) {
			ht_free(&pairs);
			return bad(b, p->line, "%s: self-loop",
			    link_name(b, p, nm, sizeof(nm)));
		}
		if (!p->has_delay) {
			if (!na->geo || !nb->geo) {
				ht_free(&pairs);
				return bad(b, p->line,
				    "%s: no delay and no coordinates",
				    link_name(b, p, nm, sizeof(nm)));
			}
			p->delay_us = topo_fiber_delay_us(topo_great_circle_km(
			    na->lat, na->lon, nb->lat, nb->lon));
		}
		j = mix64(key) & pairs.mask;
		while (pairs.slot[j] != 0 && pair_key(t->links[pairs.slot[j] -
		    1].a, t->links[pairs.slot[j] - 1].b) != key)
			j = (j + 1) & pairs.mask;
		if (pairs.slot[j] != 0) {
			/* Zoo files have parallel links: one, the fastest. */
			l = &t->links[pairs.slot[j] - 1];
			if (p->delay_us < l->delay_us)
				l->delay_us = p->delay_us;
			if (p->bw_bps > l->bw_bps)
				l->bw_bps = p->bw_bps;
			t->dup_links++;
			continue;
		}
		l = &t->links[t->nlinks];
		l->a = p->a;
		l->b = p->b;
		l->delay_us = p->delay_us;
		l->bw_bps = p->bw_bps;
		pairs.slot[j] = (uint32_t)++t->nlinks;
	}
	ht_free(&pairs);
	return 0;
}

/* The rules common to both formats; eof is the last line, for messages
 * about the whole file. */
static int
bld_finish(struct bld *b, unsigned eof)
{
	struct topo *t = &b->t;
	bool any = false;
	size_t i;

	if (t->nnodes == 0)
		return bad(b, eof, "empty graph: no nodes");
	if (bld_links(b))
		return -1;
	for (i = 0; i < t->nnodes; i++)
		any |= t->nodes[i].access;
	for (i = 0; !any && i < t->nnodes; i++)
		t->nodes[i].access = true;
	bld_free(b);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Numbers and units, shared by both formats                            */

/* [+-] (digits [. digits] | . digits) [e [+-] digits] */
static bool
num_syntax(const char *s, size_t n)
{
	size_t i = 0, d = 0;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
	if (d == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
		if (d == 0)
			return false;
	}
	return i == n;
}

static bool
num_is_int(const char *s, size_t n)
{
	size_t i = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;

	if (i == n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A finite double from a token checked by num_syntax(). */
static bool
num_double(const char *s, size_t n, double *v)
{
	char buf[NUM_MAX + 1];

	if (n > NUM_MAX || !num_syntax(s, n))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtod(buf, NULL);
	return isfinite(*v);
}

static bool
num_i64(const char *s, size_t n, int64_t *v)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t u = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	size_t i = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;

	if (!num_is_int(s, n))
		return false;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (u > (lim - d) / 10)
			return false;
		u = u * 10 + d;
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

struct unit {
	const char	*name;
	double		 mult;
};

static const struct unit delay_units[] = {	/* to us */
	{ "us", 1 }, { "usec", 1 }, { "\xc2\xb5s", 1 }, { "ms", 1e3 },
	{ "msec", 1e3 }, { "s", 1e6 }, { "sec", 1e6 }, { NULL, 0 },
};
static const struct unit bw_units[] = {		/* to bit/s */
	{ "bps", 1 }, { "kbps", 1e3 }, { "mbps", 1e6 }, { "gbps", 1e9 },
	{ "tbps", 1e12 }, { NULL, 0 },
};

static bool
word_eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static const struct unit *
unit_find(const struct unit *u, const char *s, size_t n)
{
	for (; u->name != NULL; u++)
		if (word_eq(s, n, u->name))
			return u;
	return NULL;
}

/* Length of the numeric prefix of "5ms", "2.5Gbps", "1e3 us". */
static size_t
num_prefix(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
	    s[i] == '+' || s[i] == '-' ||
	    ((s[i] == 'e' || s[i] == 'E') && i > 0 && i + 1 < n &&
	    ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '+' ||
	    s[i + 1] == '-'))))
		i++;
	return i;
}

/* A delay in us from value * unit: >= 0, at most the limit, rounded up,
 * at least 1. */
static int
delay_us(struct bld *b, unsigned line, const char *what, double v,
    uint32_t *out)
{
	if (v < 0)
		return bad(b, line, "%s: negative delay", what);
	if (v > TOPO_MAX_DELAY_US)
		return bad(b, line, "%s: delay out of range (above %u us)",
		    what, TOPO_MAX_DELAY_US);
	*out = v < 1 ? 1 : (uint32_t)ceil(v);
	return 0;
}

static int
bw_bps(struct bld *b, unsigned line, const char *what, double v,
    uint64_t *out)
{
	if (v < 0)
		return bad(b, line, "%s: negative bandwidth", what);
	if (v > TOPO_MAX_BW_BPS)
		return bad(b, line, "%s: bandwidth out of range (above %g bit/s)",
		    what, TOPO_MAX_BW_BPS);
	*out = (uint64_t)(v + 0.5);
	return 0;
}

/*
 * "X unit", "Xunit" or "X" in one string; *mult is the unit's multiplier,
 * or dflt when there is none (0: a unit is required).  Blanks around.
 */
static bool
quantity(const char *s, size_t n, const struct unit *units, double dflt,
    double *v)
{
	const struct unit *u;
	size_t k;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	k = num_prefix(s, n);
	if (!num_double(s, k, v))
		return false;
	s += k;
	n -= k;
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n == 0) {
		*v *= dflt;
		return dflt != 0;
	}
	if ((u = unit_find(units, s, n)) == NULL)
		return false;
	*v *= u->mult;
	return true;
}

static bool
name_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return n > 0;
}

/* Line of the first NUL byte, or 0. */
static unsigned
nul_line(const char *buf, size_t len)
{
	const char *z = memchr(buf, '\0', len);
	unsigned line = 1;

	if (z == NULL)
		return 0;
	for (const char *p = buf; p < z; p++)
		line += *p == '\n';
	return line;
}

/* The last line's number (a final newline does not open a line). */
static unsigned
last_line(const char *buf, size_t len)
{
	unsigned line = 1;

	for (size_t i = 0; i + 1 < len; i++)
		line += buf[i] == '\n';
	return line;
}

/* ------------------------------------------------------------------ */
/* GML                                                                  */

enum tk { TK_EOF, TK_KEY, TK_NUM, TK_STR, TK_OPEN, TK_CLOSE };

struct tok {
	enum tk		 k;
	const char	*s;
	size_t		 n;
	unsigned	 line;
};

struct lex {
	const char	*p, *end;
	unsigned	 line, eof;
	struct bld	*b;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static const char *
tok_what(const struct tok *t, char *buf, size_t cap)
{
	switch (t->k) {
	case TK_EOF:
		return "end of file";
	case TK_KEY:
		snprintf(buf, cap, "key '%.*s'", (int)(t->n > 32 ? 32 : t->n),
		    t->s);
		return buf;
	case TK_NUM:
		return "a number";
	case TK_STR:
		return "a string";
	case TK_OPEN:
		return "'['";
	case TK_CLOSE:
		return "']'";
	}
	return "?";
}

static int
lex_next(struct lex *l, struct tok *t)
{
	const char *q;
	char c;

	for (;;) {
		while (l->p < l->end && is_blank(*l->p))
			l->line += *l->p++ == '\n';
		if (l->p == l->end || *l->p != '#')
			break;
		while (l->p < l->end && *l->p != '\n')
			l->p++;
	}
	t->line = l->line;
	t->s = l->p;
	t->n = 1;
	if (l->p == l->end) {
		t->k = TK_EOF;
		t->line = l->eof;
		return 0;
	}
	c = *l->p;
	if (c == '[' || c == ']') {
		t->k = c == '[' ? TK_OPEN : TK_CLOSE;
		l->p++;
		return 0;
	}
	if (c == '"') {
		for (q = l->p + 1; q < l->end && *q != '"'; q++)
			l->line += *q == '\n';
		if (q == l->end)
			return bad(l->b, t->line, "unterminated string");
		t->k = TK_STR;
		t->s = l->p + 1;
		t->n = (size_t)(q - t->s);
		l->p = q + 1;
		return 0;
	}
	if (is_alpha(c)) {
		for (q = l->p; q < l->end && is_alnum(*q); q++)
			;
		t->k = TK_KEY;
		t->n = (size_t)(q - l->p);
		l->p = q;
		return 0;
	}
	if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
		for (q = l->p; q < l->end && (is_alnum(*q) || *q == '.' ||
		    *q == '+' || *q == '-'); q++)
			;
		t->k = TK_NUM;
		t->n = (size_t)(q - l->p);
		l->p = q;
		if (!num_syntax(t->s, t->n))
			return bad(l->b, t->line, "bad number '%.*s'",
			    (int)(t->n > 32 ? 32 : t->n), t->s);
		return 0;
	}
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
		return bad(l->b, t->line, "unexpected character '%c'", c);
	return bad(l->b, t->line, "unexpected byte 0x%02x", (unsigned char)c);
}

/* The value after key k, which must be there. */
static int
gml_value(struct lex *l, const struct tok *k, struct tok *v)
{
	char w[48];

	if (lex_next(l, v))
		return -1;
	if (v->k == TK_EOF)
		return bad(l->b, v->line, "truncated: key '%.*s' without a value",
		    (int)(k->n > 32 ? 32 : k->n), k->s);
	if (v->k == TK_KEY || v->k == TK_CLOSE)
		return bad(l->b, v->line, "key '%.*s': expected a value, found %s",
		    (int)(k->n > 32 ? 32 : k->n), k->s, tok_what(v, w, sizeof(w)));
	return 0;
}

/* The rest of a list whose '[' (on line open) was read: key value pairs
 * up to its ']', skipped. */
static int
gml_skip_list(struct lex *l, unsigned open, int depth)
{
	struct tok k, v;
	char w[48];

	if (depth > GML_DEPTH_MAX)
		return bad(l->b, open, "lists nested too deep (more than %d)",
		    GML_DEPTH_MAX);
	for (;;) {
		if (lex_next(l, &k))
			return -1;
		if (k.k == TK_CLOSE)
			return 0;
		if (k.k == TK_EOF)
			return bad(l->b, k.line, "truncated: list opened on line "
			    "%u not closed", open);
		if (k.k != TK_KEY)
			return bad(l->b, k.line, "expected a key, found %s",
			    tok_what(&k, w, sizeof(w)));
		if (gml_value(l, &k, &v))
			return -1;
		if (v.k == TK_OPEN && gml_skip_list(l, v.line, depth + 1))
			return -1;
	}
}

/* Known keys of a node or an edge list; a bit each in "seen". */
enum gml_key {
	GK_ID, GK_LABEL, GK_LAT, GK_LON, GK_ACCESS,
	GK_SOURCE, GK_TARGET, GK_DELAY, GK_BW,
	GK_NONE,
};

static const struct {
	const char	*name;
	enum gml_key	 key;
} gml_keys[] = {
	{ "id", GK_ID }, { "label", GK_LABEL }, { "Latitude", GK_LAT },
	{ "Longitude", GK_LON }, { "access", GK_ACCESS },
	{ "source", GK_SOURCE }, { "target", GK_TARGET },
	{ "LinkDelay", GK_DELAY }, { "delay", GK_DELAY },
	{ "LinkSpeedRaw", GK_BW }, { "bandwidth", GK_BW },
};

static enum gml_key
gml_key(const struct tok *k, bool edge)
{
	for (size_t i = 0; i < sizeof(gml_keys) / sizeof(*gml_keys); i++) {
		enum gml_key g = gml_keys[i].key;

		if ((g >= GK_SOURCE) != edge)
			continue;
		if (word_eq(k->s, k->n, gml_keys[i].name))
			return g;
	}
	return GK_NONE;
}

/* What a node or edge list holds once read. */
struct gml_item {
	int64_t		 id, src, dst;
	const char	*label;
	size_t		 nlabel;
	double		 lat, lon;
	bool		 access;
	bool		 has_delay;
	uint32_t	 delay_us;
	uint64_t	 bw_bps;
	unsigned	 seen;		/* 1 << enum gml_key */
};

static int
want_int(struct lex *l, const struct tok *k, const struct tok *v, int64_t *x)
{
	if (v->k != TK_NUM || !num_is_int(v->s, v->n))
		return bad(l->b, v->line, "%.*s: expected an integer, found %s",
		    (int)k->n, k->s, v->k == TK_NUM ? "a real" :
		    v->k == TK_STR ? "a string" : "a list");
	if (!num_i64(v->s, v->n, x))
		return bad(l->b, v->line, "%.*s: integer out of range",
		    (int)k->n, k->s);
	return 0;
}

static int
want_real(struct lex *l, const struct tok *k, const struct tok *v,
    double lo, double hi, double *x)
{
	if (v->k != TK_NUM)
		return bad(l->b, v->line, "%.*s: expected a number, found %s",
		    (int)k->n, k->s, v->k == TK_STR ? "a string" : "a list");
	if (!num_double(v->s, v->n, x) || *x < lo || *x > hi)
		return bad(l->b, v->line, "%.*s: out of range [%g, %g]",
		    (int)k->n, k->s, lo, hi);
	return 0;
}

/* A delay: a number in ms, or a string "X ms", "X us", "X s" ("X": ms). */
static int
gml_delay(struct lex *l, const struct tok *k, const struct tok *v,
    uint32_t *us)
{
	double x;

	if (v->k == TK_NUM) {
		if (!num_double(v->s, v->n, &x))
			return bad(l->b, v->line, "%.*s: out of range",
			    (int)k->n, k->s);
		x *= 1e3;
	} else if (v->k != TK_STR)
		return bad(l->b, v->line, "%.*s: expected a number or a "
		    "string, found a list", (int)k->n, k->s);
	else if (!quantity(v->s, v->n, delay_units, 1e3, &x))
		return bad(l->b, v->line, "%.*s: bad delay \"%.*s\" (expected "
		    "\"X ms\", \"X us\" or \"X s\")", (int)k->n, k->s,
		    (int)(v->n > 32 ? 32 : v->n), v->s);
	return delay_us(l->b, v->line, "edge", x, us);
}

/* A bandwidth: a number in bit/s, or a string "X Gbps" ("X": bit/s). */
static int
gml_bw(struct lex *l, const struct tok *k, const struct tok *v,
    uint64_t *bps)
{
	double x;

	if (v->k == TK_NUM) {
		if (!num_double(v->s, v->n, &x))
			return bad(l->b, v->line, "%.*s: out of range",
			    (int)k->n, k->s);
	} else if (v->k != TK_STR)
		return bad(l->b, v->line, "%.*s: expected a number or a "
		    "string, found a list", (int)k->n, k->s);
	else if (!quantity(v->s, v->n, bw_units, 1, &x))
		return bad(l->b, v->line, "%.*s: bad bandwidth \"%.*s\"",
		    (int)k->n, k->s, (int)(v->n > 32 ? 32 : v->n), v->s);
	return bw_bps(l->b, v->line, "edge", x, bps);
}

static int
gml_field(struct lex *l, enum gml_key g, const struct tok *k,
    const struct tok *v, struct gml_item *it)
{
	int64_t x;

	switch (g) {
	case GK_ID:
		return want_int(l, k, v, &it->id);
	case GK_SOURCE:
		return want_int(l, k, v, &it->src);
	case GK_TARGET:
		return want_int(l, k, v, &it->dst);
	case GK_ACCESS:
		if (want_int(l, k, v, &x))
			return -1;
		if (x != 0 && x != 1)
			return bad(l->b, v->line, "access: expected 0 or 1");
		it->access = x == 1;
		return 0;
	case GK_LABEL:
		if (v->k != TK_STR)
			return bad(l->b, v->line, "label: expected a string, "
			    "found %s", v->k == TK_NUM ? "a number" : "a list");
		it->label = v->s;
		it->nlabel = v->n;
		return 0;
	case GK_LAT:
		return want_real(l, k, v, -90, 90, &it->lat);
	case GK_LON:
		return want_real(l, k, v, -180, 180, &it->lon);
	case GK_DELAY:
		it->has_delay = true;
		return gml_delay(l, k, v, &it->delay_us);
	case GK_BW:
		return gml_bw(l, k, v, &it->bw_bps);
	case GK_NONE:
		break;
	}
	return 0;
}

/* The rest of a node or edge list opened on line open. */
static int
gml_item(struct lex *l, unsigned open, bool edge, struct gml_item *it)
{
	const char *what = edge ? "edge" : "node";
	struct tok k, v;
	enum gml_key g;
	char w[48];

	memset(it, 0, sizeof(*it));
	for (;;) {
		if (lex_next(l, &k))
			return -1;
		if (k.k == TK_CLOSE)
			return 0;
		if (k.k == TK_EOF)
			return bad(l->b, k.line, "truncated: %s opened on line %u "
			    "not closed", what, open);
		if (k.k != TK_KEY)
			return bad(l->b, k.line, "%s: expected a key, found %s",
			    what, tok_what(&k, w, sizeof(w)));
		if (gml_value(l, &k, &v))
			return -1;
		if ((g = gml_key(&k, edge)) == GK_NONE) {
			if (v.k == TK_OPEN && gml_skip_list(l, v.line, 1))
				return -1;
			continue;
		}
		if (it->seen & 1u << g)
			return bad(l->b, k.line, "%s: duplicate key '%.*s'",
			    what, (int)k.n, k.s);
		it->seen |= 1u << g;
		if (gml_field(l, g, &k, &v, it))
			return -1;
	}
}

static int
gml_node(struct lex *l, unsigned open)
{
	struct bld *b = l->b;
	struct gml_item it;
	char name[TOPO_NAME_MAX];
	struct topo_node *n;
	uint32_t *s;
	int i;

	if (gml_item(l, open, false, &it))
		return -1;
	if (!(it.seen & 1u << GK_ID))
		return bad(b, open, "node without id");
	if (!!(it.seen & 1u << GK_LAT) != !!(it.seen & 1u << GK_LON))
		return bad(b, open, "node %lld: Latitude without Longitude or "
		    "the reverse", (long long)it.id);
	s = b->byid.slot ? id_slot(b, it.id) : NULL;
	if (s != NULL && *s != 0)
		return bad(b, open, "duplicate node id %lld (first on line %u)",
		    (long long)it.id, b->nline[*s - 1]);
	if (it.seen & 1u << GK_LABEL) {
		while (it.nlabel > 0 && is_blank(*it.label))
			it.label++, it.nlabel--;
		while (it.nlabel > 0 && is_blank(it.label[it.nlabel - 1]))
			it.nlabel--;
		if (it.nlabel >= TOPO_NAME_MAX)
			return bad(b, open, "node %lld: label too long (%zu "
			    "bytes, at most %d)", (long long)it.id, it.nlabel,
			    TOPO_NAME_MAX - 1);
		if (!name_ok(it.label, it.nlabel))
			return bad(b, open, "node %lld: empty label or control "
			    "character in it", (long long)it.id);
		memcpy(name, it.label, it.nlabel);
		name[it.nlabel] = '\0';
	} else
		snprintf(name, sizeof(name), "%lld", (long long)it.id);
	if ((i = bld_node(b, name, it.id, open)) < 0)
		return -1;
	n = &b->t.nodes[i];
	n->geo = (it.seen & 1u << GK_LAT) != 0;
	n->lat = it.lat;
	n->lon = it.lon;
	n->access = it.access;
	return 0;
}

static int
gml_edge(struct lex *l, unsigned open)
{
	struct gml_item it;
	struct pend *p;

	if (gml_item(l, open, true, &it))
		return -1;
	if (!(it.seen & 1u << GK_SOURCE) || !(it.seen & 1u << GK_TARGET))
		return bad(l->b, open, "edge without source or target");
	if ((p = bld_link(l->b, open)) == NULL)
		return -1;
	p->ida = it.src;
	p->idb = it.dst;
	p->has_delay = it.has_delay;
	p->delay_us = it.delay_us;
	p->bw_bps = it.bw_bps;
	return 0;
}

/* The rest of "graph [" opened on line open. */
static int
gml_graph(struct lex *l, unsigned open)
{
	struct tok k, v;
	int64_t x;
	char w[48];

	for (;;) {
		if (lex_next(l, &k))
			return -1;
		if (k.k == TK_CLOSE)
			return 0;
		if (k.k == TK_EOF)
			return bad(l->b, k.line, "truncated: graph opened on "
			    "line %u not closed", open);
		if (k.k != TK_KEY)
			return bad(l->b, k.line, "graph: expected a key, found "
			    "%s", tok_what(&k, w, sizeof(w)));
		if (gml_value(l, &k, &v))
			return -1;
		if (word_eq(k.s, k.n, "node") || word_eq(k.s, k.n, "edge")) {
			bool edge = word_eq(k.s, k.n, "edge");

			if (v.k != TK_OPEN)
				return bad(l->b, v.line, "%s: expected a list, "
				    "found %s", edge ? "edge" : "node",
				    tok_what(&v, w, sizeof(w)));
			if (edge ? gml_edge(l, v.line) : gml_node(l, v.line))
				return -1;
		} else if (word_eq(k.s, k.n, "directed")) {
			/* Links are undirected whatever this says. */
			if (want_int(l, &k, &v, &x))
				return -1;
			if (x != 0 && x != 1)
				return bad(l->b, v.line,
				    "directed: expected 0 or 1");
		} else if (v.k == TK_OPEN && gml_skip_list(l, v.line, 1))
			return -1;
	}
}

/* Edge ids to node indices, now that every node is known. */
static int
gml_resolve(struct bld *b)
{
	for (size_t i = 0; i < b->npend; i++) {
		struct pend *p = &b->pend[i];
		uint32_t *sa, *sb;

		sa = b->byid.slot ? id_slot(b, p->ida) : NULL;
		sb = b->byid.slot ? id_slot(b, p->idb) : NULL;
		if (sa == NULL || *sa == 0 || sb == NULL || *sb == 0)
			return bad(b, p->line, "edge %lld-%lld: unknown node id "
			    "%lld", (long long)p->ida, (long long)p->idb,
			    (long long)(sa == NULL || *sa == 0 ? p->ida :
			    p->idb));
		p->a = *sa - 1;
		p->b = *sb - 1;
	}
	return 0;
}

static int
gml_parse(struct bld *b, const char *buf, size_t len)
{
	struct lex l = { buf, buf + len, 1, last_line(buf, len), b };
	struct tok k, v;
	unsigned graph = 0;
	char w[48];

	for (;;) {
		if (lex_next(&l, &k))
			return -1;
		if (k.k == TK_EOF)
			break;
		if (k.k != TK_KEY)
			return bad(b, k.line, "expected a key, found %s",
			    k.k == TK_CLOSE ? "']' without '['" :
			    tok_what(&k, w, sizeof(w)));
		if (gml_value(&l, &k, &v))
			return -1;
		if (!word_eq(k.s, k.n, "graph")) {
			if (v.k == TK_OPEN && gml_skip_list(&l, v.line, 1))
				return -1;
			continue;
		}
		if (graph != 0)
			return bad(b, k.line, "second graph (first on line %u)",
			    graph);
		if (v.k != TK_OPEN)
			return bad(b, v.line, "graph: expected a list, found %s",
			    tok_what(&v, w, sizeof(w)));
		graph = k.line;
		if (gml_graph(&l, v.line))
			return -1;
	}
	if (graph == 0)
		return bad(b, l.eof, "no graph");
	if (gml_resolve(b))
		return -1;
	return bld_finish(b, l.eof);
}

int
topo_parse_gml(struct topo *t, const char *buf, size_t len, const char *file,
    struct file_err *e)
{
	struct bld b;
	unsigned z;

	memset(t, 0, sizeof(*t));
	bld_init(&b, true, file, e);
	if ((z = nul_line(buf, len)) != 0)
		return bad(&b, z, "NUL byte");
	if (gml_parse(&b, buf, len)) {
		bld_fail(&b);
		return -1;
	}
	*t = b.t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Edge list                                                            */

struct word {
	const char	*s;
	size_t		 n;
};

/* The words of a line, up to a '#' word. */
static int
split(const char *s, size_t n, struct word *w, size_t cap, size_t *nw)
{
	size_t i = 0;

	*nw = 0;
	for (;;) {
		size_t j;

		while (i < n && is_blank(s[i]))
			i++;
		if (i == n || s[i] == '#')
			return 0;
		for (j = i; j < n && !is_blank(s[j]); j++)
			;
		if (*nw == cap)
			return -1;
		w[*nw].s = s + i;
		w[(*nw)++].n = j - i;
		i = j;
	}
}

/* The node called w, declared now if it is new. */
static int
edge_name(struct bld *b, unsigned line, const struct word *w)
{
	char name[TOPO_NAME_MAX];
	uint32_t *s;

	if (w->n >= TOPO_NAME_MAX)
		return bad(b, line, "name too long (%zu bytes, at most %d)",
		    w->n, TOPO_NAME_MAX - 1);
	if (!name_ok(w->s, w->n))
		return bad(b, line, "control character in a name");
	if (b->byname.slot != NULL &&
	    *(s = name_slot(&b->byname, &b->t, w->s, w->n)) != 0)
		return (int)*s - 1;
	memcpy(name, w->s, w->n);
	name[w->n] = '\0';
	return bld_node(b, name, 0, line);
}

/* A quantity at w[*i], its unit glued or in w[*i + 1] (then *i moves on
 * to it); hint lists the units for the message. */
static int
edge_quantity(struct bld *b, unsigned line, const char *what,
    const struct word *w, size_t nw, size_t *i, const struct unit *units,
    const char *hint, double *v)
{
	const struct word *x = &w[*i];
	const struct unit *u;
	size_t k;

	if (*i >= nw)
		return bad(b, line, "%s: value missing", what);
	k = num_prefix(x->s, x->n);
	if (!num_double(x->s, k, v))
		return bad(b, line, "%s: bad number '%.*s'", what,
		    (int)(x->n > 32 ? 32 : x->n), x->s);
	if (k < x->n)
		u = unit_find(units, x->s + k, x->n - k);
	else if (*i + 1 < nw &&
	    (u = unit_find(units, w[*i + 1].s, w[*i + 1].n)) != NULL)
		++*i;
	else
		return bad(b, line, "%s: unit missing (%s)", what, hint);
	if (u == NULL)
		return bad(b, line, "%s: unknown unit '%.*s' (%s)", what,
		    (int)(x->n - k > 16 ? 16 : x->n - k), x->s + k, hint);
	*v *= u->mult;
	return 0;
}

/* node NAME [lat LAT lon LON] [access] */
static int
edge_node(struct bld *b, unsigned line, const struct word *w, size_t nw)
{
	struct topo_node *n;
	bool lat = false, lon = false, acc = false;
	double vlat = 0, vlon = 0;
	int idx;

	if (nw < 2)
		return bad(b, line, "node: name missing");
	for (size_t i = 2; i < nw; i++) {
		bool is_lat = word_eq(w[i].s, w[i].n, "lat");

		if (word_eq(w[i].s, w[i].n, "access")) {
			if (acc)
				return bad(b, line, "node: access twice");
			acc = true;
			continue;
		}
		if (!is_lat && !word_eq(w[i].s, w[i].n, "lon"))
			return bad(b, line, "node: unknown option '%.*s'",
			    (int)(w[i].n > 32 ? 32 : w[i].n), w[i].s);
		if (is_lat ? lat : lon)
			return bad(b, line, "node: %s twice",
			    is_lat ? "lat" : "lon");
		if (++i == nw)
			return bad(b, line, "node: %s: value missing",
			    is_lat ? "lat" : "lon");
		if (!num_double(w[i].s, w[i].n, is_lat ? &vlat : &vlon))
			return bad(b, line, "node: %s: bad number '%.*s'",
			    is_lat ? "lat" : "lon",
			    (int)(w[i].n > 32 ? 32 : w[i].n), w[i].s);
		if (is_lat ? vlat < -90 || vlat > 90 : vlon < -180 || vlon > 180)
			return bad(b, line, "node: %s out of range [%d, %d]",
			    is_lat ? "lat" : "lon", is_lat ? -90 : -180,
			    is_lat ? 90 : 180);
		*(is_lat ? &lat : &lon) = true;
	}
	if (lat != lon)
		return bad(b, line, "node: lat without lon or the reverse");
	if ((idx = edge_name(b, line, &w[1])) < 0)
		return -1;
	if (b->declared[idx])
		return bad(b, line, "duplicate node '%s' (first on line %u)",
		    b->t.nodes[idx].name, b->nline[idx]);
	b->declared[idx] = true;
	b->nline[idx] = line;
	n = &b->t.nodes[idx];
	n->geo = lat;
	n->lat = vlat;
	n->lon = vlon;
	n->access = acc;
	return 0;
}

/* link A B [delay D(us|ms|s)] [bw B(bps|kbps|Mbps|Gbps|Tbps)] */
static int
edge_link(struct bld *b, unsigned line, const struct word *w, size_t nw)
{
	struct pend *p;
	bool delay = false, bw = false;
	int ia, ib;
	double v;

	if (nw < 3)
		return bad(b, line, "link: expected two node names");
	if ((ia = edge_name(b, line, &w[1])) < 0 ||
	    (ib = edge_name(b, line, &w[2])) < 0)
		return -1;
	if ((p = bld_link(b, line)) == NULL)
		return -1;
	p->a = (uint32_t)ia;
	p->b = (uint32_t)ib;
	for (size_t i = 3; i < nw; i++) {
		bool is_delay = word_eq(w[i].s, w[i].n, "delay");

		if (!is_delay && !word_eq(w[i].s, w[i].n, "bw"))
			return bad(b, line, "link: unknown option '%.*s'",
			    (int)(w[i].n > 32 ? 32 : w[i].n), w[i].s);
		if (is_delay ? delay : bw)
			return bad(b, line, "link: %s twice",
			    is_delay ? "delay" : "bw");
		*(is_delay ? &delay : &bw) = true;
		i++;
		if (edge_quantity(b, line, is_delay ? "delay" : "bw", w, nw,
		    &i, is_delay ? delay_units : bw_units, is_delay ?
		    "us, ms or s" : "bps, kbps, Mbps, Gbps or Tbps", &v))
			return -1;
		if (is_delay ? delay_us(b, line, "link", v, &p->delay_us) :
		    bw_bps(b, line, "link", v, &p->bw_bps))
			return -1;
	}
	p->has_delay = delay;
	return 0;
}

static int
edges_parse(struct bld *b, const char *buf, size_t len)
{
	struct word w[EDGE_WORDS_MAX];
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	size_t nw;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		line++;
		if (split(p, n, w, EDGE_WORDS_MAX, &nw))
			return bad(b, line, "too many words (more than %d)",
			    EDGE_WORDS_MAX);
		p += n + (nl != NULL);
		if (nw == 0)
			continue;
		if (word_eq(w[0].s, w[0].n, "node")) {
			if (edge_node(b, line, w, nw))
				return -1;
		} else if (word_eq(w[0].s, w[0].n, "link")) {
			if (edge_link(b, line, w, nw))
				return -1;
		} else
			return bad(b, line, "unknown statement '%.*s' (expected "
			    "node or link)", (int)(w[0].n > 32 ? 32 : w[0].n),
			    w[0].s);
	}
	return bld_finish(b, last_line(buf, len));
}

int
topo_parse_edges(struct topo *t, const char *buf, size_t len,
    const char *file, struct file_err *e)
{
	struct bld b;
	unsigned z;

	memset(t, 0, sizeof(*t));
	bld_init(&b, false, file, e);
	if ((z = nul_line(buf, len)) != 0)
		return bad(&b, z, "NUL byte");
	if (edges_parse(&b, buf, len)) {
		bld_fail(&b);
		return -1;
	}
	*t = b.t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Either format                                                        */

int
topo_parse(struct topo *t, const char *buf, size_t len, const char *file,
    struct file_err *e)
{
	const char *p = buf, *end = buf + len, *q;
	size_t n;

	for (;;) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end || *p != '#')
			break;
		while (p < end && *p != '\n')
			p++;
	}
	for (q = p; q < end && is_alnum(*q); q++)
		;
	n = (size_t)(q - p);
	if (word_eq(p, n, "node") || word_eq(p, n, "link"))
		return topo_parse_edges(t, buf, len, file, e);
	while (q < end && is_blank(*q))
		q++;
	if (n > 0 && (word_eq(p, n, "graph") || word_eq(p, n, "Creator") ||
	    word_eq(p, n, "Version") || word_eq(p, n, "comment") ||
	    (q < end && (*q == '[' || *q == '"'))))
		return topo_parse_gml(t, buf, len, file, e);
	return topo_parse_edges(t, buf, len, file, e);
}

void
topo_free(struct topo *t)
{
	free(t->nodes);
	free(t->links);
	memset(t, 0, sizeof(*t));
}

int
topo_find(const struct topo *t, const char *name)
{
	for (size_t i = 0; i < t->nnodes; i++)
		if (strcmp(t->nodes[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t
topo_naccess(const struct topo *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nnodes; i++)
		n += t->nodes[i].access;
	return n;
}

int
topo_names_init(struct topo_names *nm, const struct topo *t)
{
	struct htab h = { 0 };

	memset(nm, 0, sizeof(*nm));
	nm->t = t;
	if (ht_reserve(&h, t->nnodes + 1, name_hash, t)) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < t->nnodes; i++) {
		uint32_t *s = name_slot(&h, t, t->nodes[i].name,
		    strlen(t->nodes[i].name));

		if (*s == 0)
			*s = (uint32_t)i + 1;
	}
	nm->slot = h.slot;
	nm->mask = h.mask;
	return 0;
}

int
topo_names_find(const struct topo_names *nm, const char *name, size_t len)
{
	struct htab h = { nm->slot, nm->mask, 0 };

	if (nm->slot == NULL || len >= TOPO_NAME_MAX ||
	    memchr(name, '\0', len) != NULL)
		return -1;
	return (int)*name_slot(&h, nm->t, name, len) - 1;
}

void
topo_names_free(struct topo_names *nm)
{
	free(nm->slot);
	memset(nm, 0, sizeof(*nm));
}

/* ------------------------------------------------------------------ */
/* Shortest delays                                                      */

struct adj {
	uint32_t	 to;
	uint32_t	 delay_us;
};

/* Binary min-heap of node indices keyed by (dist, hops), with each
 * node's heap position for decrease-key. */
struct heap {
	uint32_t	*h;
	uint32_t	*pos;		/* UINT32_MAX: not in the heap */
	size_t		 n;
	const uint64_t	*dist;
	const uint32_t	*hop;
};

static bool
heap_less(const struct heap *q, uint32_t a, uint32_t b)
{
	return q->dist[a] < q->dist[b] ||
	    (q->dist[a] == q->dist[b] && q->hop[a] < q->hop[b]);
}

static void
heap_put(struct heap *q, size_t i, uint32_t v)
{
	q->h[i] = v;
	q->pos[v] = (uint32_t)i;
}

static void
heap_up(struct heap *q, size_t i)
{
	uint32_t v = q->h[i];

	while (i > 0 && heap_less(q, v, q->h[(i - 1) / 2])) {
		heap_put(q, i, q->h[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_put(q, i, v);
}

static uint32_t
heap_pop(struct heap *q)
{
	uint32_t top = q->h[0], v = q->h[--q->n];
	size_t i = 0;

	q->pos[top] = UINT32_MAX;
	if (q->n == 0)
		return top;
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && heap_less(q, q->h[c + 1], q->h[c]))
			c++;
		if (!heap_less(q, q->h[c], v))
			break;
		heap_put(q, i, q->h[c]);
		i = c;
	}
	heap_put(q, i, v);
	return top;
}

int
topo_paths(const struct topo *t, uint32_t src, uint32_t *out_us,
    uint16_t *hops)
{
	size_t nn = t->nnodes, i;
	uint32_t *off = NULL, *fill = NULL, *hop = NULL;
	uint64_t *dist = NULL;
	struct adj *adj = NULL;
	struct heap q = { 0 };
	int rc = -1;

	if (src >= nn) {
		errno = EINVAL;
		return -1;
	}
	off = calloc(nn + 1, sizeof(*off));
	fill = calloc(nn, sizeof(*fill));
	hop = calloc(nn, sizeof(*hop));
	dist = calloc(nn, sizeof(*dist));
	adj = calloc(2 * t->nlinks + 1, sizeof(*adj));
	q.h = calloc(nn, sizeof(*q.h));
	q.pos = calloc(nn, sizeof(*q.pos));
	if (!off || !fill || !hop || !dist || !adj || !q.h || !q.pos) {
		errno = ENOMEM;
		goto out;
	}
	/* Adjacency in compressed rows: both directions of every link. */
	for (i = 0; i < t->nlinks; i++) {
		off[t->links[i].a + 1]++;
		off[t->links[i].b + 1]++;
	}
	for (i = 0; i < nn; i++)
		off[i + 1] += off[i];
	for (i = 0; i < t->nlinks; i++) {
		const struct topo_link *l = &t->links[i];

		adj[off[l->a] + fill[l->a]++] = (struct adj){ l->b, l->delay_us };
		adj[off[l->b] + fill[l->b]++] = (struct adj){ l->a, l->delay_us };
	}
	for (i = 0; i < nn; i++) {
		dist[i] = UINT64_MAX;
		hop[i] = UINT32_MAX;
		q.pos[i] = UINT32_MAX;
	}
	q.dist = dist;
	q.hop = hop;
	dist[src] = 0;
	hop[src] = 0;
	heap_put(&q, q.n++, src);
	while (q.n > 0) {
		uint32_t u = heap_pop(&q);

		for (uint32_t k = off[u]; k < off[u + 1]; k++) {
			uint32_t v = adj[k].to;
			uint64_t d = dist[u] + adj[k].delay_us;

			if (d > dist[v] || (d == dist[v] && hop[u] + 1 >= hop[v]))
				continue;
			dist[v] = d;
			hop[v] = hop[u] + 1;
			if (q.pos[v] == UINT32_MAX)
				heap_put(&q, q.n++, v);
			heap_up(&q, q.pos[v]);
		}
	}
	/* Saturate below UINT32_MAX, which means unreachable. */
	for (i = 0; i < nn; i++) {
		out_us[i] = dist[i] == UINT64_MAX ? UINT32_MAX :
		    dist[i] >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)dist[i];
		if (hops != NULL)
			hops[i] = hop[i] >= UINT16_MAX ? UINT16_MAX :
			    (uint16_t)hop[i];
	}
	rc = 0;
out:
	free(off);
	free(fill);
	free(hop);
	free(dist);
	free(adj);
	free(q.h);
	free(q.pos);
	return rc;
}
