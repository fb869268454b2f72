/*
 * mhsock: the signaling socket, IPv6 next header 135 (raw IPPROTO_MH) or
 * UDP port 5436 (docs/wire.md 1: the same bytes either way).  Received
 * messages go to the node with their source; the node decodes and verifies
 * them, and counts what it refuses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cats/log.h"
#include "catsd.h"

#define MH_BURST	64	/* datagrams per wake-up: a busy socket must
				 * not starve the others */

int
mh_open(const struct conf *c)
{
	struct sockaddr_in6 sin;
	int fd, on = 1;

	if (c->transport == CONF_TRANSPORT_RAW)
		fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    MH_IPPROTO);
	else
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("signaling socket");
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin6_family = AF_INET6;
	memcpy(&sin.sin6_addr, c->node.addr, 16);
	if (c->transport == CONF_TRANSPORT_UDP)
		sin.sin6_port = htons(c->udp_port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		log_warn("signaling socket: bind");
		close(fd);
		return -1;
	}
	return fd;
}

/* Debug level: one line per message, rate-limited per peer (a flood from
 * one sender cannot drown the log). */
static void
trace(struct catsd *d, const char *dir, const uint8_t peer[16],
    const uint8_t *buf, size_t len)
{
	const struct mh_kind_info *ki;
	char a[INET6_ADDRSTRLEN];
	struct mh_error e;
	struct mh_msg m;
	int p;

	if (log_getlevel() < LOG_DEBUG)
		return;
	p = node_peer_find(&d->conf.node, peer);
	inet_ntop(AF_INET6, peer, a, sizeof(a));
	if (mh_decode(buf, len, NULL, &m, &e) != MH_OK) {
		log_trace((unsigned)(p + 1), catsd_now(d), "%s %s: malformed at "
		    "offset %zu: %s", dir, a, e.off, mh_strerror(e.code));
		return;
	}
	ki = mh_kind_info(m.kind);
	log_trace((unsigned)(p + 1), catsd_now(d), "%s %s: %s seq %u status %u%s%u",
	    dir, p >= 0 ? d->conf.node.peers[p].name : a, ki ? ki->name : "?",
	    m.seq, m.status, (m.present & MH_BIT(MH_O_CIS_ID)) ? " cis-id " : "",
	    (m.present & MH_BIT(MH_O_CIS_ID)) ? m.cis_id : 0);
}

static void
deliver(struct catsd *d, const struct sockaddr_in6 *from, const uint8_t *buf,
    size_t len)
{
	struct ev ev;

	trace(d, "rx", from->sin6_addr.s6_addr, buf, len);

	memset(&ev, 0, sizeof(ev));
	ev.type = EV_MSG;
	ev.peer = from->sin6_addr.s6_addr;
	ev.buf = buf;
	ev.len = len;
	catsd_event(d, &ev);
}

void
mh_readable(struct catsd *d)
{
	uint8_t buf[MH_MAX_LEN + 1];
	struct sockaddr_in6 from;
	socklen_t fl;
	ssize_t n;
	int i;

	for (i = 0; i < MH_BURST; i++) {
		fl = sizeof(from);
		n = recvfrom(d->mh_fd, buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("signaling socket: recv");
			return;
		}
		if (fl < sizeof(from) || from.sin6_family != AF_INET6 ||
		    (size_t)n > MH_MAX_LEN) {
			d->rx_dropped++;	/* not IPv6, or longer than any MH */
			continue;
		}
		deliver(d, &from, buf, (size_t)n);
	}
}

void
mh_send(struct catsd *d, const uint8_t dst[16], const uint8_t *buf, size_t len)
{
	struct sockaddr_in6 to;
	uint8_t out[MH_MAX_LEN];

	if (len > sizeof(out))
		return;
	/* what the message announces is in the data plane before it */
	dp_sync_log(d);
	memcpy(out, buf, len);
	trace(d, "tx", dst, buf, len);
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	memcpy(&to.sin6_addr, dst, 16);
	if (d->conf.transport == CONF_TRANSPORT_UDP)
		to.sin6_port = htons(d->conf.udp_port);
	else
		out[4] = out[5] = 0;	/* a raw IPPROTO_MH socket fills it */
	if (sendto(d->mh_fd, out, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		d->tx_errors++;
		log_trace(0, catsd_now(d), "signaling send: %s", strerror(errno));
	}
}
