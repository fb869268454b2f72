/*
 * kroute_tool: drive kroute and the data plane from a shell, for the
 * namespace test (tests/sh/kroute.sh).  Not an operator tool: the daemon
 * does this for real.
 *
 *   kroute_tool [-p PROTO] add|replace|del KIND ARGS...
 *     KIND encap6 DST/LEN [from SRC/LEN] segs SID[,SID...] dev IF [via GW]
 *          encap4 DST/LEN segs SID[,SID...] dev IF [via GW]
 *          dx6 SID nh6 ADDR dev IF      dx4 SID nh4 ADDR dev IF
 *          dt6 SID lookup TABLE dev IF
 *          (each may end with: table T, metric M)
 *   kroute_tool dump [table T] [inet|inet6]   our routes, one a line
 *   kroute_tool rawdump [table T]             the kernel's reply, in hex
 *   kroute_tool flush [table T]               delete all of ours
 *   kroute_tool ping ADDR [SIZE]              ICMP echo, 3 tries, 1 s each
 *   kroute_tool dp OPTIONS... ACTIONS...      the dataplane layer; options
 *     roles ingress,egress  sid SID  table T  core IF  via GW  access IF
 *     edge IF  service ADDR/LEN  peer ADDR SID  instance ID EDGE
 *     backend kernel|bpf (kernel)  src ADDR (eBPF's outer source); actions
 *     defer  start  steer|unsteer CLIENT PEER SERVICE INSTANCE
 *     forward|return CLIENT PEER  unforward|unreturn CLIENT  reconcile
 *     flush  dump  hold (until SIGTERM or SIGINT: the eBPF programs live
 *     as long as the process)
 */
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "cats/dataplane.h"
#include "cats/kroute.h"

static uint8_t protocol = RTPROT_CATS;

static void
usage(void)
{
	fprintf(stderr, "usage: kroute_tool [-p proto] add|replace|del KIND "
	    "ARGS | dump | rawdump | flush | ping ADDR | dp ...\n");
	exit(2);
}

static void
die(const char *what, const char *arg)
{
	fprintf(stderr, "kroute_tool: %s: %s\n", what, arg);
	exit(1);
}

/* An address of either family: 4 or 16 octets in 'out', family returned. */
static int
addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET6, s, out) == 1)
		return AF_INET6;
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	die("bad address", s);
	return 0;
}

static int
prefix(const char *s, uint8_t out[16], uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 5], *slash, *end;
	unsigned long n;
	int af;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash++ = '\0';
	af = addr(buf, out);
	*plen = af == AF_INET ? 32 : 128;
	if (slash == NULL)
		return af;
	n = strtoul(slash, &end, 10);
	if (*end != '\0' || n > *plen)
		die("bad prefix length", s);
	*plen = (uint8_t)n;
	return af;
}

static uint32_t
num(const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || n > UINT32_MAX)
		die("bad number", s);
	return (uint32_t)n;
}

static uint32_t
ifindex(const char *name)
{
	uint32_t i = if_nametoindex(name);

	if (i == 0)
		die("no such interface", name);
	return i;
}

static uint8_t
segs(const char *s, uint8_t out[KR_MAX_SEGS][16])
{
	char buf[512], *tok, *save = NULL;
	uint8_t n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == KR_MAX_SEGS || addr(tok, out[n]) != AF_INET6)
			die("bad segment list", s);
		n++;
	}
	return n;
}

/* "name value" options shared by the route kinds. */
struct opts {
	uint8_t		 src[16], gw[16], nh[16], sl[KR_MAX_SEGS][16];
	uint8_t		 src_len, nsegs;
	bool		 has_src, has_gw, has_nh;
	uint32_t	 oif, table, metric, lookup;
};

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];

		if (strcmp(k, "from") == 0) {
			prefix(v, o->src, &o->src_len);
			o->has_src = true;
		} else if (strcmp(k, "segs") == 0)
			o->nsegs = segs(v, o->sl);
		else if (strcmp(k, "dev") == 0)
			o->oif = ifindex(v);
		else if (strcmp(k, "via") == 0) {
			addr(v, o->gw);
			o->has_gw = true;
		} else if (strcmp(k, "nh6") == 0 || strcmp(k, "nh4") == 0) {
			addr(v, o->nh);
			o->has_nh = true;
		} else if (strcmp(k, "table") == 0)
			o->table = num(v);
		else if (strcmp(k, "metric") == 0)
			o->metric = num(v);
		else if (strcmp(k, "lookup") == 0)
			o->lookup = num(v);
		else
			die("unknown option", k);
	}
	if (i != argc)
		die("option without a value", argv[i]);
}

static void
build_route(const char *kind, int argc, char **argv, struct kr_route *r)
{
	struct opts o;
	uint8_t dst[16], dlen;
	int af;

	if (argc < 1)
		usage();
	af = prefix(argv[0], dst, &dlen);
	parse_opts(argc - 1, argv + 1, &o);
	if (strcmp(kind, "encap6") == 0 && af == AF_INET6)
		kr_route_encap6(r, o.table, dst, dlen, o.has_src ? o.src : NULL,
		    o.src_len, (const uint8_t (*)[16])o.sl, o.nsegs, o.oif,
		    o.has_gw ? o.gw : NULL);
	else if (strcmp(kind, "encap4") == 0 && af == AF_INET) {
		kr_route_encap4(r, o.table, dst, dlen,
		    (const uint8_t (*)[16])o.sl, o.nsegs, o.oif,
		    o.has_gw ? o.gw : NULL);
		if (o.has_src) {	/* let kroute refuse it, for the test */
			memcpy(r->src, o.src, 4);
			r->src_len = o.src_len;
		}
	} else if (strcmp(kind, "dx6") == 0 && af == AF_INET6)
		kr_route_dx6(r, o.table, dst, o.nh, o.oif);
	else if (strcmp(kind, "dx4") == 0 && af == AF_INET6)
		kr_route_dx4(r, o.table, dst, o.nh, o.oif);
	else if (strcmp(kind, "dt6") == 0 && af == AF_INET6)
		kr_route_dt6(r, o.table, dst, o.lookup, o.oif);
	else
		die("bad route kind or family", kind);
	r->metric = o.metric;
}

static struct kr *
open_kr(void)
{
	char err[KR_ERR_MAX];
	struct kr *k = kr_open(protocol, err, sizeof(err));

	if (k == NULL)
		die("open", err);
	return k;
}

static int
cmd_change(enum kr_op op, int argc, char **argv)
{
	struct kr_route r;
	struct kr *k;
	int rc = 0;

	if (argc < 2)
		usage();
	build_route(argv[0], argc - 1, argv + 1, &r);
	k = open_kr();
	if (kr_change(k, &r, op) < 0) {
		fprintf(stderr, "kroute_tool: %s\n", kr_strerror(k));
		rc = 1;
	}
	kr_close(k);
	return rc;
}

/* kr_route_fmt with "dev NAME" for "oif N", as ip(8) prints it. */
static void
print_route(const struct kr_route *r, void *arg)
{
	char s[512], name[IF_NAMESIZE], *p;

	(void)arg;
	kr_route_fmt(r, s, sizeof(s));
	if (r->oif != 0 && if_indextoname(r->oif, name) != NULL &&
	    (p = strstr(s, " oif ")) != NULL) {
		char tail[512];

		snprintf(tail, sizeof(tail), "%s", strchr(p + 5, ' ') ?
		    strchr(p + 5, ' ') : "");
		snprintf(p, sizeof(s) - (size_t)(p - s), " dev %s%s", name,
		    tail);
	}
	printf("%s\n", s);
}

static void
filter_args(int argc, char **argv, struct kr_filter *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->protocol = protocol;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "table") == 0 && i + 1 < argc)
			f->table = num(argv[++i]);
		else if (strcmp(argv[i], "inet") == 0)
			f->family = AF_INET;
		else if (strcmp(argv[i], "inet6") == 0)
			f->family = AF_INET6;
		else
			die("bad dump argument", argv[i]);
	}
}

static void
print_stats(const struct kr_dump_stats *st)
{
	fprintf(stderr, "dump: %llu routes, %llu other protocol, %llu other "
	    "table, %llu unsupported, %llu malformed, %llu unexpected%s\n",
	    (unsigned long long)st->routes,
	    (unsigned long long)st->other_proto,
	    (unsigned long long)st->other_table,
	    (unsigned long long)st->unsupported,
	    (unsigned long long)st->malformed,
	    (unsigned long long)st->unexpected,
	    st->interrupted ? ", interrupted" : "");
}

static int
cmd_dump(int argc, char **argv)
{
	struct kr_dump_stats st;
	struct kr_filter f;
	struct kr *k;
	int rc = 0;

	filter_args(argc, argv, &f);
	k = open_kr();
	if (kr_dump(k, &f, print_route, NULL, &st) < 0) {
		fprintf(stderr, "kroute_tool: %s\n", kr_strerror(k));
		rc = 1;
	}
	print_stats(&st);
	kr_close(k);
	return rc;
}

/* The raw bytes of a dump, one message a line, for the unit tests'
 * canned replies.  Plain libmnl: kroute has no reason to expose them. */
static int
cmd_rawdump(int argc, char **argv)
{
	static uint8_t buf[32768];
	struct mnl_socket *nl;
	struct kr_filter f;
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len, done = 0;
	size_t i, qlen;

	filter_args(argc, argv, &f);
	qlen = kr_build_dump(buf, sizeof(buf), &f, 1);
	if ((nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, buf, qlen) < 0)
		die("rawdump", strerror(errno));
	while (!done && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		nlh = (const struct nlmsghdr *)buf;
		len = (int)n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR)
				done = 1;
			if (nlh->nlmsg_type == RTM_NEWROUTE &&
			    rtm->rtm_protocol != f.protocol)
				continue;
			for (i = 0; i < nlh->nlmsg_len; i++)
				printf("%02x", ((const uint8_t *)nlh)[i]);
			printf("\n");
		}
	}
	mnl_socket_close(nl);
	return 0;
}

static int
cmd_flush(int argc, char **argv)
{
	struct kr_filter f;
	struct kr *k;
	size_t n;
	int rc = 0;

	filter_args(argc, argv, &f);
	k = open_kr();
	if (kr_flush_proto(k, f.family, f.table, &n) < 0) {
		fprintf(stderr, "kroute_tool: %s\n", kr_strerror(k));
		rc = 1;
	}
	printf("flushed %zu\n", n);
	kr_close(k);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ping: the kernel of the target answers; no process to stop there.   */

static uint16_t
csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static int
cmd_ping(int argc, char **argv)
{
	static uint8_t pkt[9000], rx[9100];
	struct sockaddr_storage ss;
	socklen_t sl;
	uint8_t a[16];
	size_t size = 56, hl;
	uint16_t id = (uint16_t)getpid(), c;
	int af, fd, try;
	ssize_t n;

	if (argc < 1)
		usage();
	af = addr(argv[0], a);
	if (argc > 1 && (size = num(argv[1])) > sizeof(pkt) - 8)
		die("size too large", argv[1]);
	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a, 16);
		sl = sizeof(*s6);
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		sl = sizeof(*s4);
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	}
	if (fd < 0)
		die("raw socket", strerror(errno));
	for (try = 0; try < 3; try++) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		memset(pkt, 0, 8 + size);
		pkt[0] = af == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		pkt[4] = (uint8_t)(id >> 8);
		pkt[5] = (uint8_t)id;
		pkt[7] = (uint8_t)try;
		memset(pkt + 8, 0xa5, size);
		if (af == AF_INET) {	/* the kernel sums ICMPv6 only */
			c = csum(pkt, 8 + size);
			pkt[2] = (uint8_t)(c >> 8);
			pkt[3] = (uint8_t)c;
		}
		if (sendto(fd, pkt, 8 + size, 0, (struct sockaddr *)&ss, sl) < 0)
			die("sendto", strerror(errno));
		while (poll(&pfd, 1, 1000) == 1) {
			if ((n = recv(fd, rx, sizeof(rx), 0)) < 0)
				break;
			/* A raw IPv4 socket hands the IP header too. */
			hl = af == AF_INET && n > 0 ? (size_t)(rx[0] & 15) * 4 : 0;
			if ((size_t)n < hl + 8)
				continue;
			if (rx[hl] == (af == AF_INET6 ? ICMP6_ECHO_REPLY :
			    ICMP_ECHOREPLY) && rx[hl + 4] == (uint8_t)(id >> 8) &&
			    rx[hl + 5] == (uint8_t)id) {
				printf("reply from %s, %zu octets\n", argv[0],
				    (size_t)n - hl);
				close(fd);
				return 0;
			}
		}
	}
	close(fd);
	fprintf(stderr, "kroute_tool: no reply from %s\n", argv[0]);
	return 1;
}

/* ------------------------------------------------------------------ */
/* dp: the dataplane layer with the netlink backend.                   */

#define MAXV	8

struct dpargs {
	struct dp_cfg		 cfg;
	struct dp_peer		 peers[MAXV];
	struct dp_service	 svcs[MAXV];
	struct dp_instance	 inst[MAXV];
	bool			 bpf;
};

static void
mapped(const char *s, uint8_t out[16])
{
	uint8_t a[16];

	if (addr(s, a) == AF_INET6) {
		memcpy(out, a, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, a, 4);
}

/* Configuration words; returns how many argv entries it used, 0 if
 * argv[0] is not one. */
static int
dp_option(struct dpargs *a, int argc, char **argv)
{
	struct dp_cfg *c = &a->cfg;
	const char *k = argv[0];

	if (argc < 2)
		return 0;
	if (strcmp(k, "backend") == 0)
		a->bpf = strcmp(argv[1], "bpf") == 0;
	else if (strcmp(k, "src") == 0)
		addr(argv[1], c->encap_src);
	else if (strcmp(k, "roles") == 0) {
		c->roles = (strstr(argv[1], "ingress") ? NODE_INGRESS : 0) |
		    (strstr(argv[1], "egress") ? NODE_EGRESS : 0);
	} else if (strcmp(k, "sid") == 0)
		addr(argv[1], c->sid);
	else if (strcmp(k, "table") == 0)
		c->table = num(argv[1]);
	else if (strcmp(k, "core") == 0)
		c->core_oif = ifindex(argv[1]);
	else if (strcmp(k, "via") == 0) {
		addr(argv[1], c->core_gw);
		c->has_core_gw = true;
	} else if (strcmp(k, "access") == 0)
		c->access_oif = ifindex(argv[1]);
	else if (strcmp(k, "edge") == 0)
		c->edge_oif = ifindex(argv[1]);
	else if (strcmp(k, "service") == 0 && c->nservices < MAXV) {
		struct dp_service *s = &a->svcs[c->nservices++];

		prefix(argv[1], s->addr, &s->plen);
	} else if (strcmp(k, "peer") == 0 && argc >= 3 && c->npeers < MAXV) {
		addr(argv[1], a->peers[c->npeers].addr);
		addr(argv[2], a->peers[c->npeers++].sid);
		return 3;
	} else if (strcmp(k, "instance") == 0 && argc >= 3 &&
	    c->ninstances < MAXV) {
		a->inst[c->ninstances].id = num(argv[1]);
		mapped(argv[2], a->inst[c->ninstances++].edge);
		return 3;
	} else
		return 0;
	return 2;
}

static const struct {
	const char	*name;
	enum dp_op	 op;
	int		 nargs;		/* client [peer [service instance]] */
} intents[] = {
	{ "steer", DP_STEER, 4 }, { "unsteer", DP_UNSTEER, 4 },
	{ "forward", DP_FORWARD, 2 }, { "unforward", DP_UNFORWARD, 1 },
	{ "return", DP_RETURN, 2 }, { "unreturn", DP_UNRETURN, 1 },
};

static int
dp_intent_arg(struct dp *dp, int argc, char **argv)
{
	struct dp_intent in;
	size_t i;

	for (i = 0; i < sizeof(intents) / sizeof(intents[0]); i++)
		if (strcmp(argv[0], intents[i].name) == 0)
			break;
	if (i == sizeof(intents) / sizeof(intents[0]))
		die("unknown dp word", argv[0]);
	if (argc < 1 + intents[i].nargs)
		die("missing arguments to", argv[0]);
	memset(&in, 0, sizeof(in));
	in.op = intents[i].op;
	mapped(argv[1], in.client);
	if (intents[i].nargs >= 2)
		addr(argv[2], in.peer);
	if (intents[i].nargs >= 4) {
		in.service = (uint16_t)num(argv[3]);
		in.instance = num(argv[4]);
	}
	/* in the kernel before the next word, as catsd has it before it
	 * sends or sleeps */
	if (dp_apply(dp, &in) < 0 || dp_sync(dp) < 0)
		die(argv[0], dp_error(dp));
	return 1 + intents[i].nargs;
}

/* Until SIGTERM or SIGINT; then dp_free takes the programs away. */
static void
hold(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("holding\n");
	fflush(stdout);
	sigwait(&set, &sig);
}

static int
dp_main(int argc, char **argv)
{
	struct dpargs a;
	struct dp *dp = NULL;
	char err[KR_ERR_MAX];
	size_t nd, na;
	int i = 0, used;

	memset(&a, 0, sizeof(a));
	a.cfg.protocol = protocol;
	a.cfg.peers = a.peers;
	a.cfg.services = a.svcs;
	a.cfg.instances = a.inst;
	while (i < argc && (used = dp_option(&a, argc - i, argv + i)) > 0)
		i += used;
	dp = a.bpf ? dp_new_bpf(&a.cfg, err, sizeof(err)) :
	    dp_new_netlink(&a.cfg, err, sizeof(err));
	if (dp == NULL)
		die("dp", err);
	while (i < argc) {
		const char *w = argv[i];

		if (strcmp(w, "defer") == 0) {
			dp_defer(dp);
			i++;
		} else if (strcmp(w, "start") == 0) {
			if (dp_start(dp) < 0)
				die("start", dp_error(dp));
			i++;
		} else if (strcmp(w, "reconcile") == 0) {
			if (dp_reconcile(dp, &nd, &na) < 0)
				die("reconcile", dp_error(dp));
			printf("reconcile: deleted %zu, added %zu\n", nd, na);
			i++;
		} else if (strcmp(w, "flush") == 0) {
			if (dp_flush(dp) < 0)
				die("flush", dp_error(dp));
			i++;
		} else if (strcmp(w, "hold") == 0) {
			hold();
			i++;
		} else if (strcmp(w, "dump") == 0) {
			if (dp_dump(dp, print_route, NULL) < 0)
				die("dump", dp_error(dp));
			i++;
		} else
			i += dp_intent_arg(dp, argc - i, argv + i);
	}
	dp_free(dp);
	return 0;
}

int
main(int argc, char **argv)
{
	int ch;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		if (ch != 'p')
			usage();
		protocol = (uint8_t)num(optarg);
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "add") == 0)
		return cmd_change(KR_ADD, argc - 1, argv + 1);
	if (strcmp(argv[0], "replace") == 0)
		return cmd_change(KR_REPLACE, argc - 1, argv + 1);
	if (strcmp(argv[0], "del") == 0)
		return cmd_change(KR_DELETE, argc - 1, argv + 1);
	if (strcmp(argv[0], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(argv[0], "rawdump") == 0)
		return cmd_rawdump(argc - 1, argv + 1);
	if (strcmp(argv[0], "flush") == 0)
		return cmd_flush(argc - 1, argv + 1);
	if (strcmp(argv[0], "ping") == 0)
		return cmd_ping(argc - 1, argv + 1);
	if (strcmp(argv[0], "dp") == 0)
		return dp_main(argc - 1, argv + 1);
	usage();
	return 2;
}
