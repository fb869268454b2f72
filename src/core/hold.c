/*
 * hold.c: the ingress's packet hold (cats/hold.h).  One queue per client in
 * a table keyed by its address; each packet a small allocation with the
 * time it came, so the time bound is a walk from the head.
 */
#include <stdlib.h>
#include <string.h>

#include "cats/hold.h"
#include "core/table.h"

struct held_pkt {
	struct held_pkt	*next;
	uint64_t	 at_ms;
	size_t		 len;
	uint8_t		 data[];
};

struct hold {
	uint8_t		 client[16];	/* key */
	struct held_pkt	*head, *tail;
	uint32_t	 n;
};

struct holds {
	struct hold_limits lim;
	struct table	 t;
	struct hold_counters cnt;
	uint64_t	 held;		/* packets in every queue */
};

static void
pkts_free(struct held_pkt *p)
{
	struct held_pkt *next;

	for (; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
}

struct holds *
holds_new(const struct hold_limits *lim)
{
	struct holds *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->lim.packets = lim != NULL && lim->packets ? lim->packets :
	    HOLD_DEFAULT_PACKETS;
	h->lim.ms = lim != NULL && lim->ms ? lim->ms : HOLD_DEFAULT_MS;
	h->lim.total = lim != NULL && lim->total ? lim->total :
	    HOLD_DEFAULT_TOTAL;
	if (!table_init(&h->t, sizeof(struct hold), 16, HOLD_MAX_CLIENTS)) {
		free(h);
		return NULL;
	}
	return h;
}

void
holds_free(struct holds *h)
{
	struct hold *c;
	size_t pos = 0;

	if (h == NULL)
		return;
	while ((c = table_next(&h->t, &pos)) != NULL)
		pkts_free(c->head);
	table_free(&h->t);
	free(h);
}

const struct hold_counters *
holds_counters(const struct holds *h)
{
	return &h->cnt;
}

bool
hold_start(struct holds *h, const uint8_t client[16])
{
	bool created;

	if (table_put(&h->t, client, &created) != NULL)
		return true;
	h->cnt.overflow++;
	return false;
}

/* Older than the time bound: dropped, counted.  The queue is in arrival
 * order, so the old ones are at the head. */
static void
expire(struct holds *h, struct hold *c, uint64_t now)
{
	struct held_pkt *p;

	while ((p = c->head) != NULL && p->at_ms + h->lim.ms < now) {
		c->head = p->next;
		free(p);
		c->n--;
		h->held--;
		h->cnt.expired++;
	}
	if (c->head == NULL)
		c->tail = NULL;
}

static enum hold_verdict
enqueue(struct holds *h, struct hold *c, const void *pkt, size_t len,
    uint64_t now)
{
	struct held_pkt *p;

	expire(h, c, now);
	/* one client's queue and every queue together are bounded: many
	 * clients each under their bound must not hold all the memory */
	if (h->held >= h->lim.total) {
		h->cnt.total_overflow++;
		return HOLD_OVERFLOW;
	}
	if (c->n >= h->lim.packets ||
	    (p = malloc(sizeof(*p) + len)) == NULL) {
		h->cnt.overflow++;
		return HOLD_OVERFLOW;
	}
	p->next = NULL;
	p->at_ms = now;
	p->len = len;
	memcpy(p->data, pkt, len);
	if (c->tail != NULL)
		c->tail->next = p;
	else
		c->head = p;
	c->tail = p;
	c->n++;
	h->held++;
	h->cnt.held++;
	return HOLD_QUEUED;
}

enum hold_verdict
hold_first(struct holds *h, const uint8_t client[16], const void *pkt,
    size_t len, uint64_t now)
{
	struct hold *c;
	bool created;

	if ((c = table_put(&h->t, client, &created)) == NULL) {
		h->cnt.overflow++;
		return HOLD_OVERFLOW;
	}
	if (!created)
		return enqueue(h, c, pkt, len, now);
	/* the packet first, the events after: a node that steers at once
	 * then releases it with the rest */
	h->cnt.first_packets++;
	(void)enqueue(h, c, pkt, len, now);
	return HOLD_FIRST;
}

enum hold_verdict
hold_to(struct holds *h, const uint8_t client[16], const void *pkt,
    size_t len, uint64_t now)
{
	struct hold *c = table_get(&h->t, client);

	if (c == NULL) {
		h->cnt.unheld++;
		return HOLD_UNHELD;
	}
	return enqueue(h, c, pkt, len, now);
}

size_t
hold_release(struct holds *h, const uint8_t client[16], uint64_t now,
    hold_out_fn out, void *arg)
{
	struct hold *c = table_get(&h->t, client);
	struct held_pkt *p, *list;
	size_t n = 0;

	if (c == NULL)
		return 0;
	expire(h, c, now);
	list = c->head;
	h->held -= c->n;
	/* gone before 'out' runs: what it sends may come back to the hold */
	table_del(&h->t, c);
	for (p = list; p != NULL; p = p->next, n++) {
		h->cnt.released++;
		out(arg, p->data, p->len);
	}
	pkts_free(list);
	return n;
}

bool
hold_holding(const struct holds *h, const uint8_t client[16])
{
	return table_get(&h->t, client) != NULL;
}

size_t
hold_queued(const struct holds *h, const uint8_t client[16])
{
	const struct hold *c = table_get(&h->t, client);

	return c != NULL ? c->n : 0;
}

size_t
hold_first_events(const uint8_t client[16], uint16_t service,
    const uint8_t *lladdr, size_t lladdr_len, struct ev out[HOLD_FIRST_EVENTS])
{
	memset(out, 0, HOLD_FIRST_EVENTS * sizeof(out[0]));
	memcpy(out[0].client, client, 16);
	out[0].service = service;
	if (lladdr != NULL && lladdr_len <= sizeof(out[0].lladdr)) {
		memcpy(out[0].lladdr, lladdr, lladdr_len);
		out[0].lladdr_len = (uint8_t)lladdr_len;
	}
	out[1] = out[0];
	out[0].type = EV_ATTACH;
	out[1].type = EV_SERVICE_REQUEST;	/* req NULL: no requirements */
	return HOLD_FIRST_EVENTS;
}
