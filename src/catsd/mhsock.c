/*
 * mhsock: the signaling socket, IPv6 next header 135 (raw IPPROTO_MH) or
 * UDP port 5436 (docs/wire.md 1: the same bytes either way).  Received
 * messages go to the node with their source; the node decodes and verifies
 * them, and counts what it refuses.
 */
#define _GNU_SOURCE		/* recvmmsg */
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

/*
 * A receive queue of MH_RCVBUF octets (some 5000 datagrams): a flood at
 * 100 000 messages a second fills the kernel's default (rmem_default,
 * about 300 of them) in the 3 ms catsd may wait for a core, and what is
 * dropped there is dropped before any check could keep the peers' share.
 * SO_RCVBUFFORCE (root, at start) passes net.core.rmem_max; SO_RCVBUF
 * takes what that allows.
 */
#define MH_RCVBUF	(4 << 20)

static void
rcvbuf(int fd)
{
	int want = MH_RCVBUF, got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)) < 0)
		log_warn("signaling socket: SO_RCVBUF");
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 &&
	    got < want)
		log_info("signaling socket: a receive queue of %d octets, not "
		    "%d (net.core.rmem_max)", got, want);
}

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
	rcvbuf(fd);
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
	if (!log_trace_wanted((unsigned)(p + 1), catsd_now(d)))
		return;
	inet_ntop(AF_INET6, peer, a, sizeof(a));
	if (mh_decode(buf, len, NULL, &m, &e) != MH_OK) {
		log_debug("%s %s: malformed at offset %zu: %s", dir, a, e.off,
		    mh_strerror(e.code));
		return;
	}
	ki = mh_kind_info(m.kind);
	log_debug("%s %s: %s seq %u status %u%s%u",
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
			    (unsigned)(n - d->rx_kernel_dropped));
			d->rx_kernel_dropped = n;
		}
	}
}

/* One datagram received: to the node, unless it cannot be a message. */
static void
take(struct catsd *d, struct mmsghdr *mm, const uint8_t *buf)
{
	const struct sockaddr_in6 *from = mm->msg_hdr.msg_name;

	kernel_drops(d, &mm->msg_hdr);
	if (mm->msg_hdr.msg_namelen < sizeof(*from) ||
	    from->sin6_family != AF_INET6 || mm->msg_len > MH_MAX_LEN) {
		d->rx_dropped++;	/* not IPv6, or longer than any MH */
		return;
	}
	deliver(d, from, buf, mm->msg_len);
}

/*
 * Up to MH_BURST datagrams per wake-up, MH_BATCH per system call
 * (recvmmsg): under a flood the cost of a datagram is the node's work, not
 * the system call's.
 */
#define MH_BATCH	32

void
mh_readable(struct catsd *d)
{
	static uint8_t bufs[MH_BATCH][MH_MAX_LEN + 1];
	static char cbufs[MH_BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct sockaddr_in6 from[MH_BATCH];
	struct mmsghdr mm[MH_BATCH];
	struct iovec iov[MH_BATCH];
	int i, n, got = 0;

	while (got < MH_BURST) {
		for (i = 0; i < MH_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			mm[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
			    .msg_namelen = sizeof(from[i]), .msg_iov = &iov[i],
			    .msg_iovlen = 1, .msg_control = cbufs[i],
			    .msg_controllen = sizeof(cbufs[i]) };
			mm[i].msg_len = 0;
		}
		n = recvmmsg(d->mh_fd, mm, MH_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("signaling socket: recv");
			return;
		}
		for (i = 0; i < n; i++)
			take(d, &mm[i], bufs[i]);
		got += n;
		if (n < MH_BATCH)
			return;
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
