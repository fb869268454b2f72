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
	/* No SO_REUSEADDR: with it, any local user could bind the same UDP
	 * port and take a share of the signaling.  SO_RXQ_OVFL: the kernel
	 * says with each datagram how many it dropped for a full queue. */
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on)) < 0) {
		log_warn("signaling socket: SO_RXQ_OVFL");
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		log_warn("signaling socket: bind (is another process on it?)");
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

/* The kernel's count of what it dropped on this socket (a full receive
 * queue), as it stood at the last datagram: it only grows. */
static void
kernel_drops(struct catsd *d, struct msghdr *mh)
{
	struct cmsghdr *c;
	uint32_t n;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&n, CMSG_DATA(c), sizeof(n));
		if (n > d->rx_kernel_dropped) {
			log_trace(0, catsd_now(d), "signaling socket: the kernel "
			    "dropped %u datagrams (a full queue) since the last",
			    n - d->rx_kernel_dropped);
			d->rx_kernel_dropped = n;
		}
	}
}

void
mh_readable(struct catsd *d)
{
	uint8_t buf[MH_MAX_LEN + 1];
	char cbuf[CMSG_SPACE(sizeof(uint32_t))];
	struct sockaddr_in6 from;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;
	int i;

	for (i = 0; i < MH_BURST; i++) {
		iov = (struct iovec){ buf, sizeof(buf) };
		mh = (struct msghdr){ .msg_name = &from,
		    .msg_namelen = sizeof(from), .msg_iov = &iov,
		    .msg_iovlen = 1, .msg_control = cbuf,
		    .msg_controllen = sizeof(cbuf) };
		n = recvmsg(d->mh_fd, &mh, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("signaling socket: recv");
			return;
		}
		kernel_drops(d, &mh);
		if (mh.msg_namelen < sizeof(from) || from.sin6_family != AF_INET6 ||
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
