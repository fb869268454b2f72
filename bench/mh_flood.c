/*
 * mh-flood: a signaling flood at a set rate, for the load test of issue
 * [11] (tests/sh/load.sh).  Four sorts of datagram, mixed by weight, each
 * counted:
 *
 *   valid      a mob-notify about a new client each time, from --peer,
 *              signed with its key (RFC 4285, the core's auth_encode) with
 *              a fresh sequence number and timestamp: it passes
 *              authentication and replay protection, so only the
 *              receiver's limits stop it (rate, then its quota)
 *   forged     the same message with --forge as its source (a keyed peer
 *              of the receiver) signed with a key that is not that peer's
 *   malformed  random octets from --peer: the codec refuses them
 *   stranger   an unsigned mob-notify from --stranger, not a peer
 *
 * The sources are written into the IPv6 header (a raw IPPROTO_RAW socket:
 * root), so one process can be any of them.  Datagrams go out in batches
 * every millisecond (sendmmsg), paced on CLOCK_MONOTONIC; it stops after
 * --seconds or --count, whichever is first, and prints
 *   "sent=N valid=N forged=N malformed=N stranger=N errors=N seconds=T rate=R"
 * where errors are datagrams the kernel refused to send (not in sent).
 *
 * usage: mh-flood --to ADDR --peer ADDR --key SPI:HEX --forge ADDR
 *            --stranger ADDR --egress ADDR --service ID --clients PREFIX
 *            [--port 5436] [--rate 100000] [--seconds 30] [--count N]
 *            [--mix V,F,M,S] [--forge-spi SPI]
 */
#define _GNU_SOURCE	/* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cats/auth.h"
#include "cats/mh.h"

#define BATCH_MAX	512
#define PKT_MAX		(40 + 8 + MH_MAX_LEN)

enum sort { VALID, FORGED, MALFORMED, STRANGER, SORTS };
static const char *const sort_names[SORTS] = {
	"valid", "forged", "malformed", "stranger"
};

struct args {
	uint8_t		 to[16], peer[16], forge[16], stranger[16], egress[16];
	uint8_t		 clients[16];	/* a /64: the client's low 64 bits vary */
	struct auth_key	 key, bad;
	const char	*service;
	unsigned	 port;
	double		 rate, seconds;
	uint64_t	 count;
	unsigned	 mix[SORTS];
};

struct flood {
	const struct args *a;
	int		 fd;
	uint16_t	 seq;
	uint64_t	 last_ts;	/* timestamps only go forward */
	uint64_t	 client;	/* the next client's low 64 bits */
	uint64_t	 rng;
	uint64_t	 sent[SORTS];
	uint64_t	 errors;
};

static void
usage(void)
{
	fprintf(stderr, "usage: mh-flood --to ADDR --peer ADDR --key SPI:HEX "
	    "--forge ADDR --stranger ADDR --egress ADDR --service ID --clients "
	    "PREFIX [--port P] [--rate R] [--seconds S] [--count N] "
	    "[--mix V,F,M,S] [--forge-spi SPI]\n");
	exit(2);
}

static uint64_t
rnd(struct flood *f)
{
	/* xorshift64*: the malformed octets need no more */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ull;
}

static void
addr_arg(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1) {
		fprintf(stderr, "mh-flood: not an IPv6 address: %s\n", s);
		exit(2);
	}
}

static void
key_arg(const char *s, struct auth_key *k)
{
	char *end;
	size_t i, n;

	k->spi = (uint32_t)strtoul(s, &end, 10);
	if (*end != ':' || (n = strlen(end + 1)) % 2 != 0 ||
	    n / 2 < AUTH_KEY_MIN || n / 2 > AUTH_KEY_MAX) {
		fprintf(stderr, "mh-flood: --key SPI:HEX, %d to %d octets\n",
		    AUTH_KEY_MIN, AUTH_KEY_MAX);
		exit(2);
	}
	for (i = 0; i < n / 2; i++)
		if (sscanf(end + 1 + 2 * i, "%2hhx", &k->key[i]) != 1)
			usage();
	k->len = (uint8_t)(n / 2);
}

static void
parse(int argc, char **argv, struct args *a)
{
	const char *prefix = NULL;
	uint32_t forge_spi = 0;
	int i;

	memset(a, 0, sizeof(*a));
	a->port = 5436;
	a->rate = 100000;
	a->seconds = 30;
	a->count = UINT64_MAX;
	a->mix[VALID] = a->mix[FORGED] = a->mix[MALFORMED] = a->mix[STRANGER] = 1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (strcmp(o, "--to") == 0) addr_arg(v, a->to);
		else if (strcmp(o, "--peer") == 0) addr_arg(v, a->peer);
		else if (strcmp(o, "--forge") == 0) addr_arg(v, a->forge);
		else if (strcmp(o, "--stranger") == 0) addr_arg(v, a->stranger);
		else if (strcmp(o, "--egress") == 0) addr_arg(v, a->egress);
		else if (strcmp(o, "--clients") == 0) prefix = v;
		else if (strcmp(o, "--key") == 0) key_arg(v, &a->key);
		else if (strcmp(o, "--forge-spi") == 0)
			forge_spi = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(o, "--service") == 0) a->service = v;
		else if (strcmp(o, "--port") == 0) a->port = (unsigned)atoi(v);
		else if (strcmp(o, "--rate") == 0) a->rate = atof(v);
		else if (strcmp(o, "--seconds") == 0) a->seconds = atof(v);
		else if (strcmp(o, "--count") == 0) a->count = strtoull(v, NULL, 10);
		else if (strcmp(o, "--mix") == 0) {
			if (sscanf(v, "%u,%u,%u,%u", &a->mix[0], &a->mix[1],
			    &a->mix[2], &a->mix[3]) != 4)
				usage();
		} else
			usage();
	}
	if (i != argc || a->service == NULL || prefix == NULL ||
	    a->key.len == 0 || a->rate <= 0 || a->rate > 1e7 ||
	    a->seconds <= 0 || a->seconds > 600 || a->port == 0 ||
	    a->port > 65535 || a->mix[0] + a->mix[1] + a->mix[2] + a->mix[3] == 0)
		usage();
	addr_arg(prefix, a->clients);
	/* forged: the SPI of the key the forged peer has (--forge-spi; by
	 * default the flooder's own), and another key */
	a->bad = a->key;
	a->bad.key[0] ^= 0x5a;
	if (forge_spi != 0)
		a->bad.spi = forge_spi;
}

/* IPv6 and UDP headers in front of the payload at pkt + 48. */
static size_t
frame(const struct flood *f, uint8_t *pkt, const uint8_t src[16], size_t plen)
{
	uint16_t ulen = (uint16_t)(8 + plen), sum;
	struct mh_addrs ad;

	memset(pkt, 0, 48);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)(ulen >> 8);
	pkt[5] = (uint8_t)ulen;
	pkt[6] = IPPROTO_UDP;
	pkt[7] = 64;
	memcpy(pkt + 8, src, 16);
	memcpy(pkt + 24, f->a->to, 16);
	pkt[40] = (uint8_t)(f->a->port >> 8);	/* from the same port */
	pkt[41] = (uint8_t)f->a->port;
	pkt[42] = (uint8_t)(f->a->port >> 8);
	pkt[43] = (uint8_t)f->a->port;
	pkt[44] = (uint8_t)(ulen >> 8);
	pkt[45] = (uint8_t)ulen;
	memcpy(ad.src, src, 16);
	memcpy(ad.dst, f->a->to, 16);
	if ((sum = ip6_checksum(pkt + 40, ulen, &ad, IPPROTO_UDP)) == 0)
		sum = 0xffff;
	pkt[46] = (uint8_t)(sum >> 8);
	pkt[47] = (uint8_t)sum;
	return 48 + plen;
}

/* RFC 5213 8.8 timestamp of the wall clock, never behind the last one. */
static uint64_t
stamp(struct flood *f)
{
	struct timespec ts;
	uint64_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (uint64_t)ts.tv_sec << 16 |
	    (uint64_t)ts.tv_nsec * 65536 / 1000000000;
	if (t <= f->last_ts)
		t = f->last_ts + 1;
	return f->last_ts = t;
}

static size_t
notify(struct flood *f, uint8_t *pkt, enum sort s)
{
	const struct args *a = f->a;
	const uint8_t *src = s == FORGED ? a->forge : s == STRANGER ?
	    a->stranger : a->peer;
	struct mh_addrs ad;
	struct mh_error e;
	struct mh_msg m;
	size_t len = 0;
	enum mh_err rc;
	uint64_t c = f->client++;
	int i;

	mh_msg_init(&m, MH_K_MOB_NOTIFY);
	m.seq = f->seq++;
	m.present |= MH_BIT(MH_O_CLIENT_ADDR) | MH_BIT(MH_O_SERVICE_ID) |
	    MH_BIT(MH_O_CATS_ADDR) | MH_BIT(MH_O_TIMESTAMP);
	memcpy(m.client_addr, a->clients, 16);
	for (i = 0; i < 8; i++)
		m.client_addr[15 - i] = (uint8_t)(c >> (8 * i));
	m.service_id.p = (const uint8_t *)a->service;
	m.service_id.len = (uint8_t)strlen(a->service);
	memcpy(m.cats_addr, a->egress, 16);
	m.timestamp = stamp(f);
	memcpy(ad.src, src, 16);
	memcpy(ad.dst, a->to, 16);
	if (s == STRANGER)
		rc = mh_encode(&m, &ad, pkt + 48, MH_MAX_LEN, &len, &e);
	else
		rc = auth_encode(&m, s == FORGED ? &a->bad : &a->key, &ad,
		    pkt + 48, MH_MAX_LEN, &len, &e);
	if (rc != MH_OK) {
		fprintf(stderr, "mh-flood: encode: %s\n", mh_strerror(rc));
		exit(1);
	}
	return frame(f, pkt, src, len);
}

/* Random octets, 1 to 96 of them; a first octet that looks like a
 * Mobility Header's half the time, so the codec has to look further. */
static size_t
garbage(struct flood *f, uint8_t *pkt)
{
	size_t n = 1 + rnd(f) % 96, i;

	for (i = 0; i < n; i++)
		pkt[48 + i] = (uint8_t)rnd(f);
	if (n > 2 && (rnd(f) & 1)) {
		pkt[48] = 59;			/* payload proto: none */
		pkt[49] = (uint8_t)(n / 8);	/* header length, often wrong */
	}
	return frame(f, pkt, f->a->peer, n);
}

static enum sort
pick(struct flood *f)
{
	const unsigned *w = f->a->mix;
	unsigned r = (unsigned)(rnd(f) % (w[0] + w[1] + w[2] + w[3]));
	int s;

	for (s = 0; s < SORTS - 1; s++) {
		if (r < w[s])
			return (enum sort)s;
		r -= w[s];
	}
	return STRANGER;
}

/*
 * Only the valid messages must be new each time (a fresh sequence number
 * and timestamp, signed); the others are refused whatever their number,
 * so they come from a pool built once: the flood costs its sender little
 * of the two cores it shares with the receiver.
 */
#define POOL	512
static uint8_t	 pool[SORTS][POOL][PKT_MAX];
static size_t	 pool_len[SORTS][POOL];

static void
pool_fill(struct flood *f)
{
	size_t i;

	for (i = 0; i < POOL; i++) {
		pool_len[FORGED][i] = notify(f, pool[FORGED][i], FORGED);
		pool_len[MALFORMED][i] = garbage(f, pool[MALFORMED][i]);
		pool_len[STRANGER][i] = notify(f, pool[STRANGER][i], STRANGER);
	}
}

/* One batch of n datagrams. */
static void
batch(struct flood *f, size_t n)
{
	static uint8_t pkts[BATCH_MAX][PKT_MAX];
	struct mmsghdr mm[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	enum sort sorts[BATCH_MAX];
	size_t i, k, done = 0;
	int r;

	memcpy(&to.sin6_addr, f->a->to, 16);
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < n; i++) {
		sorts[i] = pick(f);
		if (sorts[i] == VALID) {
			iov[i].iov_base = pkts[i];
			iov[i].iov_len = notify(f, pkts[i], VALID);
		} else {
			k = (size_t)(rnd(f) % POOL);
			iov[i].iov_base = pool[sorts[i]][k];
			iov[i].iov_len = pool_len[sorts[i]][k];
		}
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = sizeof(to);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < n) {
		r = sendmmsg(f->fd, mm + done, (unsigned)(n - done), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* ENOBUFS and the like: this one is lost here, counted */
			f->errors++;
			done++;
			continue;
		}
		for (i = done; i < done + (size_t)r; i++)
			f->sent[sorts[i]]++;
		done += (size_t)r;
	}
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct flood f = { .a = &a, .rng = 0x9e3779b97f4a7c15ull };
	struct timespec next;
	double start, now, due = 0;
	uint64_t total = 0, want;
	int s;

	parse(argc, argv, &a);
	if ((f.fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW)) < 0) {
		perror("mh-flood: raw socket (root?)");
		return 1;
	}
	f.seq = (uint16_t)getpid();
	pool_fill(&f);
	start = mono();
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (total < a.count && (now = mono()) - start < a.seconds) {
		/* what the rate owes by now, at most a batch at a time */
		due = (now - start) * a.rate;
		want = due > (double)total ? (uint64_t)due - total : 0;
		if (want > a.count - total)
			want = a.count - total;
		while (want > 0) {
			size_t n = want > BATCH_MAX ? BATCH_MAX : (size_t)want;

			batch(&f, n);
			total += n;
			want -= n;
		}
		next.tv_nsec += 1000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	now = mono() - start;
	total = 0;
	for (s = 0; s < SORTS; s++)
		total += f.sent[s];
	printf("sent=%llu", (unsigned long long)total);
	for (s = 0; s < SORTS; s++)
		printf(" %s=%llu", sort_names[s], (unsigned long long)f.sent[s]);
	printf(" errors=%llu seconds=%.2f rate=%.0f\n",
	    (unsigned long long)f.errors, now, (double)total / now);
	close(f.fd);
	return 0;
}
