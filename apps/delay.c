/*
 * cats-delay: a delay line for the testbed, where the kernel has no netem
 * (docs/apps.md).
 *
 * The router routes some destination prefixes into a TUN device; every
 * packet read from it is held for the delay of its destination's longest
 * matching --delay prefix, then written back into the same TUN, where a
 * policy rule on the TUN as input interface forwards it by the prefix's real
 * route:
 *
 *	ip -6 route add fc00:e1::/32 dev dl0
 *	ip -6 rule add iif dl0 lookup 200
 *	ip -6 route add fc00:e1::/32 via fc00:b::2 dev core table 200
 *
 * A delay is constant per prefix, so within a prefix the release times rise
 * with the arrivals: one FIFO a prefix keeps the order, and the next release
 * is the earliest of the FIFOs' heads.  That instant is armed on a timerfd
 * as an absolute CLOCK_MONOTONIC time (TFD_TIMER_ABSTIME): the arrival time,
 * read right after read(), plus the delay.  A timerfd is an hrtimer; libev's
 * timers would go through epoll's millisecond timeout and turn 1 ms into
 * 1 to 2.  The loop is poll(2) over three descriptors, the TUN, the timerfd
 * and a signalfd for SIGTERM and SIGINT (no signal handler at all), and each
 * wakeup releases and reads a bounded number of packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cats/buf.h"

#define PREFIX_MAX	64	/* --delay options */
#define DELAY_MAX_MS	10000	/* the cap of one delay */
#define LIMIT_DEFAULT	10000	/* packets held, all prefixes together */
#define LIMIT_MAX	1000000
#define READ_BURST	64	/* packets read per wakeup: bounded work */
#define RELEASE_BURST	256	/* packets released per wakeup */
#define PKT_BUF		65536	/* the largest packet a TUN hands over */
#define LOG_PER_SEC	10	/* rate limit of per-packet complaints */
#define LABEL_MAX	32
#define NS_PER_MS	1000000ull
#define NS_PER_S	1000000000ull
#define STR(x)		#x
#define XSTR(x)		STR(x)

/* A packet held: released at due. */
struct pkt {
	struct pkt	*next;
	uint64_t	 due;		/* ns, CLOCK_MONOTONIC */
	size_t		 len;
	uint8_t		 data[];
};

/* Lateness of the releases: how long after its due time a packet went. */
struct late {
	uint64_t	 sum, max;	/* ns */
	unsigned long	 n;
};

/* One --delay PREFIX=MS, and its FIFO. */
struct prefix {
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 addr[16];
	unsigned	 plen;
	uint64_t	 delay;		/* ns */
	char		 text[64];	/* normalised: ADDR/LEN */
	char		 ms[24];	/* the delay as given */
	struct pkt	*head, *tail;
	unsigned long	 delayed, dropped;
	struct late	 late;
};

struct stats {
	unsigned long	 packets;	/* read from the TUN */
	unsigned long	 delayed;	/* written back after their delay */
	unsigned long	 undelayed;	/* no prefix: written back at once */
	unsigned long	 dropped;	/* the queue was full (--limit) */
	unsigned long	 discarded;	/* still held at the stop */
	unsigned long	 write_errors;	/* written back: refused, lost */
	unsigned long	 not_ip;	/* neither IPv4 nor IPv6 (undelayed) */
	struct late	 late;
};

struct dline {
	const char	*label;
	int		 tun, timer, sig;
	struct prefix	 pfx[PREFIX_MAX];
	size_t		 npfx;
	size_t		 limit, queued;
	uint64_t	 armed;		/* the timerfd's expiry, 0: disarmed */
	struct stats	 st;
	uint64_t	 rl_start;	/* rate limit window */
	unsigned	 rl_count;
	unsigned long	 rl_dropped;
	uint8_t		 buf[PKT_BUF];
};

/* --- logging, time ---------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
dlog(const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cats-delay[%s]: ", label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Per-packet complaints: at most LOG_PER_SEC a second; the rest counted. */
static bool
rl_allow(struct dline *d)
{
	uint64_t now = now_ns();

	if (now - d->rl_start >= NS_PER_S) {
		if (d->rl_dropped > 0)
			dlog(d->label, "%lu messages not logged",
			    d->rl_dropped);
		d->rl_start = now;
		d->rl_count = 0;
		d->rl_dropped = 0;
	}
	if (d->rl_count >= LOG_PER_SEC) {
		d->rl_dropped++;
		return false;
	}
	d->rl_count++;
	return true;
}

static void
late_add(struct late *l, uint64_t ns)
{
	l->sum += ns;
	if (ns > l->max)
		l->max = ns;
	l->n++;
}

static double
late_mean_us(const struct late *l)
{
	return l->n > 0 ? (double)l->sum / (double)l->n / 1e3 : 0;
}

/* --- prefixes --------------------------------------------------------- */

/* The destination of an IPv4 or IPv6 packet; false for anything else. */
static bool
pkt_dst(const uint8_t *p, size_t len, uint8_t *family, uint8_t dst[16])
{
	struct cur c;
	uint8_t vers;

	cur_init(&c, p, len);
	if (!cur_peek_u8(&c, &vers))
		return false;
	switch (vers >> 4) {
	case 4:		/* RFC 791: the destination at octet 16 */
		*family = 4;
		cur_skip(&c, 16);
		return cur_bytes(&c, dst, 4);
	case 6:		/* RFC 8200: the destination at octet 24 */
		*family = 6;
		cur_skip(&c, 24);
		return cur_bytes(&c, dst, 16);
	default:
		return false;
	}
}

static bool
prefix_match(const struct prefix *p, uint8_t family, const uint8_t *a)
{
	unsigned full = p->plen / 8, rest = p->plen % 8;
	uint8_t mask;

	if (p->family != family || memcmp(p->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((p->addr[full] ^ a[full]) & mask) == 0;
}

/* The longest --delay prefix holding a, or NULL. */
static struct prefix *
prefix_lookup(struct dline *d, uint8_t family, const uint8_t *a)
{
	struct prefix *best = NULL;
	size_t i;

	for (i = 0; i < d->npfx; i++)
		if (prefix_match(&d->pfx[i], family, a) &&
		    (best == NULL || d->pfx[i].plen > best->plen))
			best = &d->pfx[i];
	return best;
}

/* The prefix whose head is due first, or NULL when nothing is held.
 * A linear scan: there are at most PREFIX_MAX. */
static struct prefix *
next_due(struct dline *d)
{
	struct prefix *best = NULL;
	size_t i;

	for (i = 0; i < d->npfx; i++)
		if (d->pfx[i].head != NULL && (best == NULL ||
		    d->pfx[i].head->due < best->head->due))
			best = &d->pfx[i];
	return best;
}

/* --- the TUN and the timer -------------------------------------------- */

static bool
if_up(struct ifreq *ifr)
{
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (s < 0)
		return false;
	ok = ioctl(s, SIOCGIFFLAGS, ifr) == 0;
	if (ok && (ifr->ifr_flags & IFF_UP) == 0) {
		ifr->ifr_flags |= IFF_UP;
		ok = ioctl(s, SIOCSIFFLAGS, ifr) == 0;
	}
	close(s);
	return ok;
}

static int
tun_open(const char *label, const char *name)
{
	struct ifreq ifr;
	int fd;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		dlog(label, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		dlog(label, "tun %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	/* up, so that routes may name it at once; the routes are not ours */
	if (!if_up(&ifr)) {
		dlog(label, "tun %s: up: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The timerfd at the next release (absolute), or disarmed. */
static void
timer_arm(struct dline *d)
{
	struct itimerspec its = { .it_value = { 0, 0 } };
	struct prefix *p = next_due(d);
	uint64_t due = p != NULL ? p->head->due : 0;

	if (due == d->armed)
		return;
	if (due != 0) {
		its.it_value.tv_sec = (time_t)(due / NS_PER_S);
		its.it_value.tv_nsec = (long)(due % NS_PER_S);
	}
	if (timerfd_settime(d->timer, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		/* cannot happen with a valid descriptor and time */
		dlog(d->label, "timerfd_settime: %s", strerror(errno));
		abort();
	}
	d->armed = due;
}

/* --- packets ---------------------------------------------------------- */

static bool
tun_write(struct dline *d, const uint8_t *p, size_t len)
{
	if (write(d->tun, p, len) == (ssize_t)len)
		return true;
	d->st.write_errors++;
	if (rl_allow(d))
		dlog(d->label, "write back (%zu octets): %s", len,
		    strerror(errno));
	return false;
}

/* Release what is due, at most RELEASE_BURST packets: the timerfd,
 * armed in the past, brings the loop back for the rest at once. */
static void
release_due(struct dline *d)
{
	struct prefix *p;
	struct pkt *k;
	uint64_t now;
	int i;

	for (i = 0; i < RELEASE_BURST; i++) {
		if ((p = next_due(d)) == NULL)
			return;
		now = now_ns();
		if (p->head->due > now)
			return;
		k = p->head;
		if ((p->head = k->next) == NULL)
			p->tail = NULL;
		d->queued--;
		if (tun_write(d, k->data, k->len)) {
			late_add(&p->late, now - k->due);
			late_add(&d->st.late, now - k->due);
			p->delayed++;
			d->st.delayed++;
		}
		free(k);
	}
}

/* One packet in, read at t: back at once, held, or dropped. */
static void
admit(struct dline *d, size_t len, uint64_t t)
{
	struct prefix *p = NULL;
	uint8_t family, dst[16];
	struct pkt *k;

	if (!pkt_dst(d->buf, len, &family, dst))
		d->st.not_ip++;
	else
		p = prefix_lookup(d, family, dst);
	if (p == NULL) {
		if (tun_write(d, d->buf, len))
			d->st.undelayed++;
		return;
	}
	if (p->delay == 0) {
		if (tun_write(d, d->buf, len)) {
			p->delayed++;
			d->st.delayed++;
		}
		return;
	}
	if (d->queued >= d->limit ||
	    (k = malloc(sizeof(*k) + len)) == NULL) {
		if (d->st.dropped++ == 0 || rl_allow(d))
			dlog(d->label, "%s: %zu packets held (limit %zu): "
			    "dropped", p->text, d->queued, d->limit);
		p->dropped++;
		return;
	}
	k->next = NULL;
	k->due = t + p->delay;
	k->len = len;
	memcpy(k->data, d->buf, len);
	if (p->tail != NULL)
		p->tail->next = k;
	else
		p->head = k;
	p->tail = k;
	d->queued++;
}

/* Read at most READ_BURST packets, each stamped right after its read. */
static void
read_burst(struct dline *d)
{
	ssize_t n;
	int i;

	for (i = 0; i < READ_BURST; i++) {
		n = read(d->tun, d->buf, sizeof(d->buf));
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR && rl_allow(d))
				dlog(d->label, "read: %s", strerror(errno));
			return;
		}
		if (n == 0)
			continue;
		d->st.packets++;
		admit(d, (size_t)n, now_ns());
	}
}

/* Until SIGTERM or SIGINT. */
static int
run(struct dline *d)
{
	struct pollfd pfd[3] = {
		{ .fd = d->tun, .events = POLLIN },
		{ .fd = d->timer, .events = POLLIN },
		{ .fd = d->sig, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	uint64_t expirations;

	for (;;) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			dlog(d->label, "poll: %s", strerror(errno));
			return 1;
		}
		if (pfd[2].revents & POLLIN) {
			if (read(d->sig, &si, sizeof(si)) == sizeof(si))
				dlog(d->label, "signal %u", si.ssi_signo);
			return 0;
		}
		if (pfd[1].revents & POLLIN &&
		    read(d->timer, &expirations, sizeof(expirations)) > 0)
			d->armed = 0;	/* one-shot: it went off */
		release_due(d);
		if (pfd[0].revents & POLLIN)
			read_burst(d);
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			dlog(d->label, "tun: the device went away");
			return 1;
		}
		timer_arm(d);
	}
}

/* --- options ---------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cats-delay --tun NAME --delay PREFIX=MS [--delay PREFIX=MS ...]\n"
	    "                  [--limit PACKETS] [--name LABEL]\n"
	    "  PREFIX: 2001:db8::/32 or 192.0.2.0/24 (no /LEN: one address)\n"
	    "  MS: milliseconds, 0 to %d, up to 6 decimals (0.5, 4, 9)\n"
	    "  --limit: packets held in all, 1 to %d (%d)\n",
	    DELAY_MAX_MS, LIMIT_MAX, LIMIT_DEFAULT);
}

/* MS, a decimal number of milliseconds, in ns; NULL or why not. */
static const char *
parse_ms(const char *s, uint64_t *ns)
{
	uint64_t ms = 0, frac = 0, scale = 100000;
	const char *q = s;

	if (*q == '-')
		return "negative";
	if (*q < '0' || *q > '9')
		return "not a decimal number of milliseconds (0.5, 4, 9)";
	for (; *q >= '0' && *q <= '9'; q++)
		if ((ms = ms * 10 + (uint64_t)(*q - '0')) > DELAY_MAX_MS)
			return "too large (at most " XSTR(DELAY_MAX_MS) " ms)";
	if (*q == '.') {
		if (*++q == '\0')
			return "not a decimal number of milliseconds (0.5, 4, 9)";
		for (; *q >= '0' && *q <= '9'; q++, scale /= 10) {
			if (scale == 0)
				return "more than 6 decimals (1 ns)";
			frac += (uint64_t)(*q - '0') * scale;
		}
	}
	if (*q != '\0')
		return "not a decimal number of milliseconds (0.5, 4, 9)";
	*ns = ms * NS_PER_MS + frac;
	if (*ns > DELAY_MAX_MS * NS_PER_MS)
		return "too large (at most " XSTR(DELAY_MAX_MS) " ms)";
	return NULL;
}

/* PREFIX (n octets of s) into p; NULL or why not. */
static const char *
parse_prefix(const char *s, size_t n, struct prefix *p)
{
	char a[INET6_ADDRSTRLEN + 5], *slash, *end;
	unsigned long len, max, i;

	if (n == 0 || n >= sizeof(a))
		return "not a prefix (2001:db8::/32, 192.0.2.0/24)";
	memcpy(a, s, n);
	a[n] = '\0';
	if ((slash = strchr(a, '/')) != NULL)
		*slash = '\0';
	p->family = strchr(a, ':') != NULL ? 6 : 4;
	max = p->family == 6 ? 128 : 32;
	memset(p->addr, 0, sizeof(p->addr));
	if (inet_pton(p->family == 6 ? AF_INET6 : AF_INET, a, p->addr) != 1)
		return "not an IPv4 or IPv6 address";
	len = max;
	if (slash != NULL) {
		errno = 0;
		if (slash[1] < '0' || slash[1] > '9' ||
		    (len = strtoul(slash + 1, &end, 10), errno != 0) ||
		    *end != '\0' || len > max)
			return p->family == 6 ? "length not 0 to 128" :
			    "length not 0 to 32";
	}
	p->plen = (unsigned)len;
	/* what ip(8) refuses too: bits set past the length */
	for (i = len; i < max; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8)))
			return "host bits set past the length";
	inet_ntop(p->family == 6 ? AF_INET6 : AF_INET, p->addr, a, sizeof(a));
	snprintf(p->text, sizeof(p->text), "%s/%u", a, p->plen);
	return NULL;
}

static bool
label_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > LABEL_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._-", s[i]) == NULL)
			return false;
	return true;
}

/* What the kernel takes as an interface name (dev_valid_name). */
static bool
ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	return strpbrk(s, "/: \t\n") == NULL;
}

/* One --delay PREFIX=MS into the next prefix of d; false (logged) if bad. */
static bool
add_delay(struct dline *d, const char *spec)
{
	const char *eq = strrchr(spec, '='), *why;
	struct prefix *p;
	size_t i;

	if (d->npfx >= PREFIX_MAX) {
		dlog(d->label, "--delay %s: too many prefixes (at most %d)",
		    spec, PREFIX_MAX);
		return false;
	}
	p = &d->pfx[d->npfx];
	memset(p, 0, sizeof(*p));
	if (eq == NULL) {
		dlog(d->label, "--delay %s: not PREFIX=MS", spec);
		return false;
	}
	if ((why = parse_prefix(spec, (size_t)(eq - spec), p)) != NULL) {
		dlog(d->label, "--delay %s: bad prefix: %s", spec, why);
		return false;
	}
	if ((why = parse_ms(eq + 1, &p->delay)) != NULL) {
		dlog(d->label, "--delay %s: bad delay: %s", spec, why);
		return false;
	}
	snprintf(p->ms, sizeof(p->ms), "%s", eq + 1);
	for (i = 0; i < d->npfx; i++) {
		if (d->pfx[i].family == p->family &&
		    d->pfx[i].plen == p->plen &&
		    memcmp(d->pfx[i].addr, p->addr, 16) == 0) {
			dlog(d->label, "--delay %s: %s given twice", spec,
			    p->text);
			return false;
		}
	}
	d->npfx++;
	return true;
}

struct opts {
	const char	*tun, *name, *limit;
	const char	*delay[PREFIX_MAX + 1];
	size_t		 ndelay;
};

/* Collect the options; their checks need the label, known at the end. */
static int
collect(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "tun", required_argument, NULL, 't' },
		{ "delay", required_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'l' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 't': o->tun = optarg; break;
		case 'n': o->name = optarg; break;
		case 'l': o->limit = optarg; break;
		case 'd':
			/* one more than allowed: add_delay says "too many" */
			if (o->ndelay <= PREFIX_MAX)
				o->delay[o->ndelay++] = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc) {
		dlog(o->name != NULL ? o->name : o->tun != NULL ? o->tun : "-",
		    "unexpected argument %s", argv[optind]);
		return -1;
	}
	return 0;
}

/* Check everything into d; false (logged) on the first thing wrong. */
static bool
configure(struct dline *d, const struct opts *o)
{
	unsigned long v;
	char *end;
	size_t i;

	d->label = o->name != NULL ? o->name : o->tun != NULL ? o->tun : "-";
	if (o->name != NULL && !label_ok(o->name)) {
		d->label = "-";
		dlog(d->label, "--name: 1 to %d of A-Z a-z 0-9 . _ -",
		    LABEL_MAX);
		return false;
	}
	if (o->tun == NULL) {
		dlog(d->label, "missing --tun NAME");
		return false;
	}
	if (!ifname_ok(o->tun)) {
		dlog(d->label, "--tun %s: not an interface name (1 to %d "
		    "octets, no / : or blank)", o->tun, IFNAMSIZ - 1);
		return false;
	}
	if (o->ndelay == 0) {
		dlog(d->label, "missing --delay PREFIX=MS");
		return false;
	}
	for (i = 0; i < o->ndelay; i++)
		if (!add_delay(d, o->delay[i]))
			return false;
	d->limit = LIMIT_DEFAULT;
	if (o->limit != NULL) {
		errno = 0;
		v = strtoul(o->limit, &end, 10);
		if (o->limit[0] < '0' || o->limit[0] > '9' || errno != 0 ||
		    *end != '\0' || v < 1 || v > LIMIT_MAX) {
			dlog(d->label, "--limit %s: not 1 to %d packets",
			    o->limit, LIMIT_MAX);
			return false;
		}
		d->limit = v;
	}
	return true;
}

/* The timerfd and the signalfd (SIGTERM and SIGINT blocked first). */
static bool
open_fds(struct dline *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (d->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		dlog(d->label, "signalfd: %s", strerror(errno));
		return false;
	}
	d->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timer < 0) {
		dlog(d->label, "timerfd: %s", strerror(errno));
		return false;
	}
	return true;
}

/* Counters; the packets still held are freed and counted as discarded. */
static void
finish(struct dline *d)
{
	const struct stats *s = &d->st;
	struct prefix *p;
	struct pkt *k;
	size_t i;

	for (i = 0; i < d->npfx; i++) {
		p = &d->pfx[i];
		while ((k = p->head) != NULL) {
			p->head = k->next;
			free(k);
			d->st.discarded++;
		}
		dlog(d->label, "prefix %s %s ms: delayed=%lu dropped=%lu "
		    "late_mean_us=%.1f late_max_us=%.1f", p->text, p->ms,
		    p->delayed, p->dropped, late_mean_us(&p->late),
		    (double)p->late.max / 1e3);
	}
	dlog(d->label, "stopped: packets=%lu delayed=%lu undelayed=%lu "
	    "dropped=%lu discarded=%lu write_errors=%lu not_ip=%lu "
	    "late_mean_us=%.1f late_max_us=%.1f", s->packets, s->delayed,
	    s->undelayed, s->dropped, s->discarded, s->write_errors, s->not_ip,
	    late_mean_us(&s->late), (double)s->late.max / 1e3);
}

int
main(int argc, char **argv)
{
	static struct dline d = { .tun = -1, .timer = -1, .sig = -1 };
	struct opts o = { .ndelay = 0 };
	size_t i;
	int rc;

	if (collect(argc, argv, &o) < 0 || !configure(&d, &o)) {
		usage(stderr);
		return 2;
	}
	if (!open_fds(&d) || (d.tun = tun_open(d.label, o.tun)) < 0)
		return 1;
	dlog(d.label, "ready: tun %s, %zu prefixes, limit %zu packets",
	    o.tun, d.npfx, d.limit);
	for (i = 0; i < d.npfx; i++)
		dlog(d.label, "delay %s %s ms", d.pfx[i].text, d.pfx[i].ms);
	rc = run(&d);
	finish(&d);
	close(d.tun);
	close(d.timer);
	close(d.sig);
	return rc;
}
