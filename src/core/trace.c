/*
 * trace: a mobility trace file against a topology (include/cats/trace.h).
 *
 * One pass over the lines; every refusal names the file, the line and the
 * reason (struct file_err), and leaves the trace empty.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/trace.h"

#define TRACE_FIELD_MAX	32	/* longest TIME_MS or CLIENT we read */

struct tline {
	const char	*s;		/* the line, without its newline */
	size_t		 n;
	size_t		 i;		/* read position */
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next blank-separated word. */
static bool
tword(struct tline *l, const char **w, size_t *n)
{
	while (l->i < l->n && blank(l->s[l->i]))
		l->i++;
	*w = l->s + l->i;
	while (l->i < l->n && !blank(l->s[l->i]))
		l->i++;
	*n = (size_t)(l->s + l->i - *w);
	return *n > 0;
}

/* A decimal integer up to max, digits only. */
static bool
tnum(const char *w, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t u = 0;

	if (n == 0 || n > TRACE_FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		if (u > (max - (uint64_t)(w[i] - '0')) / 10)
			return false;
		u = u * 10 + (uint64_t)(w[i] - '0');
	}
	*v = u;
	return true;
}

static bool
all_digits(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] < '0' || w[i] > '9')
			return false;
	return n > 0;
}

struct tstate {
	struct trace	*tr;
	size_t		 cap;
	const struct topo_names *names;
	const struct topo *topo;
	uint64_t	 last;
	unsigned	 last_line;
	const char	*file;
	struct file_err	*e;
};

/* TIME_MS CLIENT NODE; NODE is the rest of the line, trimmed. */
static int
trace_line(struct tstate *st, unsigned line, const char *s, size_t n)
{
	struct tline l = { s, n, 0 };
	struct trace_ev *ev;
	const char *w, *node;
	size_t wn, nn;
	uint64_t at, client;
	int idx;

	if (!tword(&l, &w, &wn) || !all_digits(w, wn))
		return file_err_set(st->e, st->file, line,
		    "expected TIME_MS CLIENT NODE");
	if (!tnum(w, wn, TRACE_MAX_MS, &at))
		return file_err_set(st->e, st->file, line,
		    "time out of range (above 2^53 ms)");
	if (at < st->last)
		return file_err_set(st->e, st->file, line, "time goes back "
		    "(%llu ms after %llu ms on line %u)", (unsigned long long)at,
		    (unsigned long long)st->last, st->last_line);
	if (!tword(&l, &w, &wn))
		return file_err_set(st->e, st->file, line, "client missing");
	if (!all_digits(w, wn))
		return file_err_set(st->e, st->file, line,
		    "client: expected an unsigned integer");
	if (!tnum(w, wn, UINT32_MAX, &client))
		return file_err_set(st->e, st->file, line,
		    "client out of range (above 2^32 - 1)");
	while (l.i < l.n && blank(l.s[l.i]))
		l.i++;
	node = l.s + l.i;
	nn = l.n - l.i;
	while (nn > 0 && blank(node[nn - 1]))
		nn--;
	if (nn == 0)
		return file_err_set(st->e, st->file, line, "node missing");
	if ((idx = topo_names_find(st->names, node, nn)) < 0)
		return file_err_set(st->e, st->file, line, "unknown node '%.*s'",
		    (int)(nn > 64 ? 64 : nn), node);
	if (!st->topo->nodes[idx].access)
		return file_err_set(st->e, st->file, line,
		    "node '%s' is not an access node", st->topo->nodes[idx].name);
	if (st->tr->n >= TRACE_MAX_EVENTS)
		return file_err_set(st->e, st->file, line,
		    "too many events (more than %d)", TRACE_MAX_EVENTS);
	if (st->tr->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 256;
		struct trace_ev *nev = realloc(st->tr->ev, cap * sizeof(*nev));

		if (nev == NULL)
			return file_err_set(st->e, st->file, line,
			    "out of memory");
		st->tr->ev = nev;
		st->cap = cap;
	}
	ev = &st->tr->ev[st->tr->n++];
	ev->at_ms = at;
	ev->client = (uint32_t)client;
	ev->node = (uint32_t)idx;
	st->last = at;
	st->last_line = line;
	return 0;
}

static int
trace_lines(struct tstate *st, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	unsigned line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i = 0;

		line++;
		while (i < n && blank(p[i]))
			i++;
		if (i < n && p[i] != '#' && trace_line(st, line, p, n))
			return -1;
		p += n + (nl != NULL);
	}
	if (st->tr->n == 0)
		return file_err_set(st->e, st->file, line ? line : 1,
		    "empty trace: no events");
	return 0;
}

int
trace_parse(struct trace *tr, const struct topo *t, const char *buf,
    size_t len, const char *file, struct file_err *e)
{
	struct topo_names names;
	struct tstate st = { tr, 0, &names, t, 0, 0, file, e };
	const char *z;
	int rc;

	memset(tr, 0, sizeof(*tr));
	if ((z = memchr(buf, '\0', len)) != NULL) {
		unsigned line = 1;

		for (const char *p = buf; p < z; p++)
			line += *p == '\n';
		return file_err_set(e, file, line, "NUL byte");
	}
	if (topo_names_init(&names, t))
		return file_err_set(e, file, 1, "out of memory");
	rc = trace_lines(&st, buf, len);
	topo_names_free(&names);
	if (rc != 0)
		trace_free(tr);
	return rc;
}

void
trace_free(struct trace *tr)
{
	free(tr->ev);
	memset(tr, 0, sizeof(*tr));
}
