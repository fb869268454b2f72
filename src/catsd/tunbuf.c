/*
 * tunbuf: the handover buffer.  What the kernel cannot do: hold a
 * detached client's packets until its new path exists.  While a client is
 * held (DP_BUFFER), the data plane routes its address into this TUN
 * device; we queue what arrives, per client, bounded in packets and in
 * time.  On DP_FLUSH the data plane has already replaced that route with
 * the new path (the tunnel to the new ingress, or the access link), so
 * writing the packets back into the TUN hands them to the kernel again,
 * in order, and it sends them the new way.
 *
 * The same device catches a CATS-unaware client's first packet (anchoring
 * section 3): a route sends packets for each CS-ID address that match no
 * client's steering route into it.  Such a packet's source is a client we
 * know nothing of yet: we tell the node it attached and asked for the
 * service, hold its packets, and hand them back once it is steered.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cats/log.h"
#include "catsd.h"

#define PKT_MAX		9216	/* the core MTU the testbed uses */
#define TUN_BURST	64
#define TUN_DRAIN_MAX	4096	/* at most what the device queues */

struct held_pkt {
	struct held_pkt	*next;
	uint64_t	 at_ms;
	uint16_t	 len;
	uint8_t		 data[];
};

struct hold {
	uint8_t		 client[16];	/* key */
	struct held_pkt	*head, *tail;
	uint32_t	 n;
	bool		 holding;
	bool		 first;		/* held until steered, not until flushed */
};

static void
hold_drop_all(struct hold *h)
{
	struct held_pkt *p;

	while ((p = h->head) != NULL) {
		h->head = p->next;
		free(p);
	}
	h->tail = NULL;
	h->n = 0;
}

static int
if_up(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

int
tunbuf_open(struct catsd *d, const char *name)
{
	struct ifreq ifr;
	int fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		log_warn("handover buffer: /dev/net/tun");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || if_up(ifr.ifr_name) < 0) {
		log_warn("handover buffer: %s", name);
		close(fd);
		return -1;
	}
	if (!table_init(&d->holds, sizeof(struct hold), 16, 0)) {
		close(fd);
		return -1;
	}
	d->tun_fd = fd;
	return 0;
}

void
tunbuf_close(struct catsd *d)
{
	struct hold *h;
	size_t pos = 0;

	if (d->tun_fd < 0)
		return;
	while ((h = table_next(&d->holds, &pos)) != NULL)
		hold_drop_all(h);
	table_free(&d->holds);
	close(d->tun_fd);
	d->tun_fd = -1;
}

/* Older than the time bound: dropped, counted. */
static void
hold_expire(struct catsd *d, struct hold *h, uint64_t now)
{
	struct held_pkt *p;

	while ((p = h->head) != NULL &&
	    p->at_ms + d->conf.buffer_ms < now) {
		h->head = p->next;
		free(p);
		h->n--;
		d->buf_expired++;
	}
	if (h->head == NULL)
		h->tail = NULL;
}

static int
cs_id_of(const struct catsd *d, const uint8_t dst[16])
{
	size_t i;

	for (i = 0; i < d->conf.node.nservices; i++)
		if (memcmp(d->conf.node.services[i].addr, dst, 16) == 0)
			return (int)i;
	return -1;
}

/* A packet to a CS-ID from a client with no steering yet: its first. */
static struct hold *
first_packet(struct catsd *d, const uint8_t client[16], int service)
{
	struct hold *h;
	struct ev ev;
	bool created;

	if ((h = table_put(&d->holds, client, &created)) == NULL)
		return NULL;
	if (!created)
		return h;
	h->holding = h->first = true;
	d->first_packets++;
	memset(&ev, 0, sizeof(ev));
	memcpy(ev.client, client, 16);
	ev.service = (uint16_t)service;
	ev.type = EV_ATTACH;
	catsd_event(d, &ev);
	ev.type = EV_SERVICE_REQUEST;
	catsd_event(d, &ev);
	/* the node may have answered at once; the table may have moved */
	return table_get(&d->holds, client);
}

static void
hold_add(struct catsd *d, const uint8_t *pkt, size_t len, uint64_t now)
{
	struct hold *h = NULL;
	struct held_pkt *p;
	int service;

	/* RFC 8200 3: source at octets 8..23, destination at 24..39 */
	if (len >= 40 && (pkt[0] >> 4) == 6) {
		if ((service = cs_id_of(d, pkt + 24)) >= 0)
			h = first_packet(d, pkt + 8, service);
		else
			h = table_get(&d->holds, pkt + 24);
	}
	if (h == NULL || !h->holding) {
		d->buf_unheld++;
		return;
	}
	hold_expire(d, h, now);
	if (h->n >= d->conf.buffer_packets ||
	    (p = malloc(sizeof(*p) + len)) == NULL) {
		d->buf_overflow++;
		return;
	}
	p->next = NULL;
	p->at_ms = now;
	p->len = (uint16_t)len;
	memcpy(p->data, pkt, len);
	if (h->tail != NULL)
		h->tail->next = p;
	else
		h->head = p;
	h->tail = p;
	h->n++;
	d->buf_held++;
}

/* Read up to 'max' queued packets; false once the device is empty. */
static bool
tun_read(struct catsd *d, unsigned max)
{
	uint8_t pkt[PKT_MAX];
	ssize_t n;
	unsigned i;

	for (i = 0; i < max; i++) {
		n = read(d->tun_fd, pkt, sizeof(pkt));
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("handover buffer: read");
			return false;
		}
		hold_add(d, pkt, (size_t)n, catsd_now(d));
	}
	return true;
}

void
tunbuf_readable(struct catsd *d)
{
	tun_read(d, TUN_BURST);	/* bounded: the other sockets get their turn */
}

/* DP_BUFFER: start holding this client's packets. */
void
tunbuf_hold(struct catsd *d, const uint8_t client[16])
{
	struct hold *h;
	bool created;

	if (d->tun_fd < 0)
		return;
	if ((h = table_put(&d->holds, client, &created)) == NULL) {
		d->buf_overflow++;
		return;
	}
	h->holding = true;
}

/* DP_FLUSH: the new route is in place; hand the packets back, in order. */
void
tunbuf_release(struct catsd *d, const uint8_t client[16])
{
	struct hold *h;
	struct held_pkt *p;

	if (d->tun_fd < 0)
		return;
	/* Packets the kernel queued on the device before the new route went
	 * in, and we have not read yet, belong to this hold: read them first,
	 * or they would arrive after it is gone and be lost. */
	tun_read(d, TUN_DRAIN_MAX);
	if ((h = table_get(&d->holds, client)) == NULL)
		return;
	hold_expire(d, h, catsd_now(d));
	while ((p = h->head) != NULL) {
		h->head = p->next;
		if (write(d->tun_fd, p->data, p->len) == (ssize_t)p->len)
			d->buf_flushed++;
		else
			d->buf_write_err++;
		free(p);
	}
	table_del(&d->holds, h);
}
