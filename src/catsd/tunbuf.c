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
 *
 * What is held, how much, for how long and what a first packet raises are
 * the core's rules (cats/hold.h), the ones the simulator runs too; this
 * file only moves the packets between the device and them.
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

#include "cats/hold.h"
#include "cats/log.h"
#include "catsd.h"

#define PKT_MAX		9216	/* the core MTU the testbed uses */
#define TUN_BURST	64
#define TUN_DRAIN_MAX	4096	/* at most what the device queues */

/* The core counts; 'show counters' reads the daemon's fields. */
static void
counts_sync(struct catsd *d)
{
	const struct hold_counters *c = holds_counters(d->holds);

	d->buf_held = c->held;
	d->buf_expired = c->expired;
	d->buf_overflow = c->overflow + c->total_overflow;
	d->buf_unheld = c->unheld + d->buf_not_ipv6;
	d->first_packets = c->first_packets;
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
	struct hold_limits lim;
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
	lim.packets = d->conf.buffer_packets;
	lim.ms = d->conf.buffer_ms;
	lim.total = d->conf.buffer_total_packets;
	if ((d->holds = holds_new(&lim)) == NULL) {
		log_warnx("handover buffer: out of memory");
		close(fd);
		return -1;
	}
	d->tun_fd = fd;
	return 0;
}

void
tunbuf_close(struct catsd *d)
{
	if (d->tun_fd < 0)
		return;
	holds_free(d->holds);
	d->holds = NULL;
	close(d->tun_fd);
	d->tun_fd = -1;
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

/* A client's first packet to a CS-ID: the core's rule says what the node
 * hears of it (no link header on a TUN: no lladdr). */
static void
first_packet(struct catsd *d, const uint8_t client[16], int service)
{
	struct ev ev[HOLD_FIRST_EVENTS];
	size_t i, n;

	n = hold_first_events(client, (uint16_t)service, NULL, 0, ev);
	for (i = 0; i < n; i++)
		catsd_event(d, &ev[i]);
}

static void
hold_add(struct catsd *d, const uint8_t *pkt, size_t len, uint64_t now)
{
	int service;

	/* RFC 8200 3: source at octets 8..23, destination at 24..39 */
	if (len < 40 || (pkt[0] >> 4) != 6) {
		d->buf_not_ipv6++;
		counts_sync(d);
		return;
	}
	if ((service = cs_id_of(d, pkt + 24)) < 0) {
		(void)hold_to(d->holds, pkt + 24, pkt, len, now);
		counts_sync(d);
		return;
	}
	if (hold_first(d->holds, pkt + 8, pkt, len, now) != HOLD_FIRST) {
		counts_sync(d);
		return;
	}
	counts_sync(d);
	first_packet(d, pkt + 8, service);
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
	if (d->tun_fd < 0)
		return;
	(void)hold_start(d->holds, client);
	counts_sync(d);
}

static void
write_back(void *arg, const void *pkt, size_t len)
{
	struct catsd *d = arg;

	if (write(d->tun_fd, pkt, len) == (ssize_t)len)
		d->buf_flushed++;
	else
		d->buf_write_err++;
}

/* DP_FLUSH: the new route is in place; hand the packets back, in order. */
void
tunbuf_release(struct catsd *d, const uint8_t client[16])
{
	if (d->tun_fd < 0)
		return;
	/* Packets the kernel queued on the device before the new route went
	 * in, and we have not read yet, belong to this hold: read them first,
	 * or they would arrive after it is gone and be lost. */
	tun_read(d, TUN_DRAIN_MAX);
	(void)hold_release(d->holds, client, catsd_now(d), write_back, d);
	counts_sync(d);
}
