/*
 * cats-client: the reference client of the edge service (DESIGN.md 6).
 *
 * It asks for one transaction, records the sequence number of every result
 * it receives, from whichever edge, and prints one line at the end:
 *
 *   client: received=R missing=M duplicated=D longest_gap_ms=G edges=A,B
 *
 * exiting 0 only when nothing is missing or duplicated.  Two helper modes
 * drive transaction switching by hand through an edge's control port:
 * --export prints a transaction's state as hex, --import sends it to
 * another edge.  --raw sends any datagram, for tests of malformed input.
 *
 * One socket and poll(2): the client has one deadline at a time, a timer
 * library would add nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "appproto.h"
#include "catsctl/hex.h"

#define MAX_EDGES	16
#define CTL_TIMEOUT_S	5	/* a control exchange never takes longer */

struct opts {
	const char	*to, *bind, *export, *import, *client, *state, *ret;
	const char	*raw;
	unsigned long	 tx, count, interval, payload, timeout, retry;
	unsigned long	 linger, copies;
};

/* What the client has seen of its transaction. */
struct run {
	uint8_t		*seen;		/* seen[seq]: times received */
	unsigned long	 received, duplicated, foreign;
	double		 last_new;	/* ms: arrival of the last new result */
	double		 longest_gap;
	char		 edges[MAX_EDGES][APP_NAME_MAX + 1];
	size_t		 nedges;
};

static void __attribute__((format(printf, 1, 2)))
cwarn(const char *fmt, ...)
{
	va_list ap;

	fputs("client: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* --- hex ------------------------------------------------------------- */

/* Hex to octets in out (cap octets) through catsctl's parser; -1 on error. */
static long
unhex(const char *what, const char *s, uint8_t *out, size_t cap)
{
	char err[128];
	uint8_t *p;
	size_t n;

	if (hex_parse(s, &p, &n, err, sizeof(err)) == -1) {
		cwarn("%s: %s", what, err);
		return -1;
	}
	if (n > cap) {
		cwarn("%s: %zu octets, at most %zu", what, n, cap);
		free(p);
		return -1;
	}
	memcpy(out, p, n);
	free(p);
	return (long)n;
}

/* --- sockets ----------------------------------------------------------- */

static int
udp_socket(const struct app_addr *to, const char *bindspec)
{
	struct sockaddr_storage ss;
	struct app_addr b;
	bool v6 = to->family == APP_AF_INET6;
	size_t sl;
	int fd;

	if ((fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0)) < 0) {
		cwarn("socket: %s", strerror(errno));
		return -1;
	}
	if (bindspec == NULL)
		return fd;
	if (!app_addr_parse(bindspec, false, &b) || b.family != to->family) {
		cwarn("--bind %s: not an address of the --to family",
		    bindspec);
		close(fd);
		return -1;
	}
	sl = app_addr_to_sa(&b, v6, &ss);
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0) {
		cwarn("bind %s: %s", bindspec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static bool
send_msg(int fd, const struct app_addr *to, const struct app_msg *m)
{
	struct sockaddr_storage ss;
	uint8_t buf[APP_MSG_MAX];
	size_t len, sl;

	if (app_encode(m, buf, sizeof(buf), &len) != APP_OK)
		return false;
	sl = app_addr_to_sa(to, to->family == APP_AF_INET6, &ss);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&ss,
	    (socklen_t)sl) == (ssize_t)len;
}

/* --- the transaction ---------------------------------------------------- */

static void
note_edge(struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nedges; i++)
		if (strcmp(r->edges[i], name) == 0)
			return;
	if (r->nedges < MAX_EDGES)
		strcpy(r->edges[r->nedges++], name);
}

static void
on_result(struct run *r, const struct opts *o, const struct app_result *res)
{
	double t;

	if (res->tx != o->tx || res->count != o->count) {
		r->foreign++;	/* another transaction's, or a confused edge */
		return;
	}
	note_edge(r, res->name);
	if (r->seen[res->seq]++ > 0) {
		r->duplicated++;
		return;
	}
	t = now_ms();
	if (r->received > 0 && t - r->last_new > r->longest_gap)
		r->longest_gap = t - r->last_new;
	r->last_new = t;
	r->received++;
}

static void
on_datagram(struct run *r, const struct opts *o, const uint8_t *p, size_t n)
{
	struct app_msg m;
	enum app_status rc;
	size_t off;

	if ((rc = app_decode(p, n, &m, &off)) != APP_OK) {
		cwarn("malformed datagram (%zu octets): offset %zu: %s", n,
		    off, app_strerror(rc));
		return;
	}
	if (m.type == APP_RESULT)
		on_result(r, o, &m.u.res);
	else if (m.type == APP_ERROR)
		cwarn("edge error %s for tx %u: %s",
		    app_errcode_name(m.u.err.code), m.u.err.tx, m.u.err.text);
	else
		cwarn("unexpected %s", app_type_name(m.type));
}

static bool
send_request(int fd, const struct app_addr *to, const struct opts *o)
{
	struct app_msg m = { .type = APP_REQUEST };
	unsigned long i;
	bool ok = true;

	m.u.req.tx = (uint32_t)o->tx;
	m.u.req.count = (uint32_t)o->count;
	m.u.req.interval_ms = (uint32_t)o->interval;
	m.u.req.payload = (uint16_t)o->payload;
	for (i = 0; i < o->copies; i++)
		ok = send_msg(fd, to, &m) && ok;
	if (!ok)
		cwarn("request: %s", strerror(errno));
	return ok;
}

/* The next instant the loop must wake up at, in ms. */
static double
next_wake(const struct run *r, const struct opts *o, double last_progress,
    double last_req, double done_at)
{
	double t = last_progress + (double)o->timeout;

	if (done_at > 0 && done_at + (double)o->linger < t)
		t = done_at + (double)o->linger;
	if (r->received == 0 && o->retry > 0 && last_req + o->retry < t)
		t = last_req + (double)o->retry;
	return t;
}

static void
receive_all(int fd, struct run *r, const struct opts *o, bool *progress)
{
	uint8_t buf[APP_MSG_MAX + 1];
	unsigned long before = r->received + r->duplicated;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC)) >= 0) {
		if ((size_t)n > APP_MSG_MAX)
			cwarn("datagram of %zd octets ignored", n);
		else
			on_datagram(r, o, buf, (size_t)n);
	}
	*progress = r->received + r->duplicated != before;
}

/* Until everything came (and the linger passed) or nothing came for the
 * timeout. */
static void
stream(int fd, const struct app_addr *to, struct run *r, const struct opts *o)
{
	double start = now_ms(), last_progress = start, last_req = start;
	double done_at = 0, wake, t;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	bool progress;

	send_request(fd, to, o);
	for (;;) {
		t = now_ms();
		if (done_at > 0 && t >= done_at + (double)o->linger)
			return;
		if (t >= last_progress + (double)o->timeout) {
			cwarn("timeout: nothing for %lu ms", o->timeout);
			return;
		}
		if (r->received == 0 && o->retry > 0 &&
		    t >= last_req + (double)o->retry) {
			send_request(fd, to, o);
			last_req = t;
		}
		wake = next_wake(r, o, last_progress, last_req, done_at);
		(void)poll(&pfd, 1, wake > t ? (int)(wake - t) + 1 : 0);
		receive_all(fd, r, o, &progress);
		if (progress)
			last_progress = now_ms();
		if (done_at == 0 && r->received == o->count)
			done_at = now_ms();
	}
}

static int
report(const struct run *r, const struct opts *o)
{
	unsigned long missing = o->count - r->received;
	size_t i;

	printf("client: received=%lu missing=%lu duplicated=%lu "
	    "longest_gap_ms=%.0f edges=", r->received, missing,
	    r->duplicated, r->longest_gap);
	for (i = 0; i < r->nedges; i++)
		printf("%s%s", i > 0 ? "," : "", r->edges[i]);
	putchar('\n');
	if (r->foreign > 0)
		cwarn("%lu results of other transactions ignored",
		    r->foreign);
	return missing == 0 && r->duplicated == 0 ? 0 : 1;
}

static int
run_stream(const struct opts *o)
{
	struct run r = { .nedges = 0 };
	struct app_addr to;
	int fd, rc;

	if (!app_addr_parse(o->to, true, &to)) {
		cwarn("--to %s: not ADDR:PORT ([ADDR]:PORT for IPv6)", o->to);
		return 2;
	}
	if ((fd = udp_socket(&to, o->bind)) < 0)
		return 1;
	if ((r.seen = calloc(o->count + 1, 1)) == NULL) {
		cwarn("out of memory");
		close(fd);
		return 1;
	}
	stream(fd, &to, &r, o);
	rc = report(&r, o);
	free(r.seen);
	close(fd);
	return rc;
}

static int
run_raw(const struct opts *o)
{
	struct sockaddr_storage ss;
	uint8_t buf[65507];
	struct app_addr to;
	long n;
	size_t sl;
	int fd;

	if (!app_addr_parse(o->to, true, &to) ||
	    (n = unhex("--raw", o->raw, buf, sizeof(buf))) < 0) {
		cwarn("--raw needs --to ADDR:PORT and hex");
		return 2;
	}
	if ((fd = udp_socket(&to, o->bind)) < 0)
		return 1;
	sl = app_addr_to_sa(&to, to.family == APP_AF_INET6, &ss);
	if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss,
	    (socklen_t)sl) != n) {
		cwarn("send: %s", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

/* --- control port: export and import ---------------------------------- */

static int
ctl_connect(const char *spec)
{
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_S };
	struct sockaddr_storage ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;
	struct app_addr a;
	size_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(spec, "unix:", 5) == 0) {
		if (strlen(spec + 5) >= sizeof(su->sun_path))
			return -1;
		su->sun_family = AF_UNIX;
		strcpy(su->sun_path, spec + 5);
		sl = sizeof(*su);
	} else if (app_addr_parse(spec, true, &a)) {
		sl = app_addr_to_sa(&a, a.family == APP_AF_INET6, &ss);
	} else {
		cwarn("%s: not ADDR:PORT or unix:PATH", spec);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM, 0)) < 0)
		return -1;
	/* SO_SNDTIMEO bounds connect() too (Linux socket(7)) */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, (socklen_t)sl) < 0) {
		cwarn("connect %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Read one framed message into buf; its length, or -1. */
static long
ctl_read(int fd, uint8_t *buf, size_t cap)
{
	size_t have = 0;
	long fl;
	ssize_t n;

	for (;;) {
		fl = app_frame_len(buf, have);
		if (fl < 0 || (size_t)fl > cap)
			return -1;
		if (fl > 0 && have >= (size_t)fl)
			return fl;
		n = recv(fd, buf + have, (fl > 0 ? (size_t)fl : APP_HDR_LEN) -
		    have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
}

static void
describe_state(const char *what, const struct app_state *s)
{
	char as[APP_ADDRSTRLEN], blob[APP_BLOB_MAX + 1];
	size_t i;

	for (i = 0; i < s->blob_len; i++)
		blob[i] = s->blob[i] >= 0x20 && s->blob[i] < 0x7f ?
		    (char)s->blob[i] : '.';
	blob[i] = '\0';
	cwarn("%s: tx=%u next=%u count=%u interval_ms=%u payload=%u "
	    "client=%s blob=%s", what, s->tx, s->next, s->count,
	    s->interval_ms, s->payload, app_addr_format(&s->client, as,
	    sizeof(as)), blob);
}

/* Send m to the control port spec; print the STATE answer as hex. */
static int
ctl_exchange(const char *spec, const char *what, const struct app_msg *m)
{
	uint8_t buf[APP_MSG_MAX];
	struct app_msg ans;
	enum app_status rc;
	size_t len, off;
	char *hex;
	long n;
	int fd;

	if (app_encode(m, buf, sizeof(buf), &len) != APP_OK)
		return 2;
	if ((fd = ctl_connect(spec)) < 0)
		return 1;
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len ||
	    (n = ctl_read(fd, buf, sizeof(buf))) < 0) {
		cwarn("%s %s: no answer", what, spec);
		close(fd);
		return 1;
	}
	close(fd);
	if ((rc = app_decode(buf, (size_t)n, &ans, &off)) != APP_OK) {
		cwarn("%s: answer: offset %zu: %s", what, off,
		    app_strerror(rc));
		return 1;
	}
	if (ans.type == APP_ERROR) {
		cwarn("%s: error %s: %s", what,
		    app_errcode_name(ans.u.err.code), ans.u.err.text);
		return 1;
	}
	if (ans.type != APP_STATE) {
		cwarn("%s: unexpected %s", what, app_type_name(ans.type));
		return 1;
	}
	describe_state(what, &ans.u.state);
	if ((hex = hex_string(buf, (size_t)n)) == NULL) {
		cwarn("%s: out of memory", what);
		return 1;
	}
	puts(hex);
	free(hex);
	return 0;
}

static int
run_export(const struct opts *o)
{
	struct app_msg m = { .type = APP_EXPORT };

	if (o->client == NULL ||
	    !app_addr_parse(o->client, true, &m.u.exp.client)) {
		cwarn("--export needs --client ADDR:PORT and --tx ID");
		return 2;
	}
	m.u.exp.tx = (uint32_t)o->tx;
	return ctl_exchange(o->export, "export", &m);
}

static int
run_import(const struct opts *o)
{
	uint8_t buf[APP_MSG_MAX];
	struct app_msg st, m = { .type = APP_IMPORT };
	size_t off;
	long n;

	if (o->state == NULL || (n = unhex("--state", o->state, buf, sizeof(buf))) < 0 ||
	    app_decode(buf, (size_t)n, &st, &off) != APP_OK ||
	    st.type != APP_STATE) {
		cwarn("--import needs --state HEX, a STATE message "
		    "(what --export prints)");
		return 2;
	}
	m.u.imp.state = st.u.state;
	if (o->ret != NULL) {
		if (!app_addr_parse(o->ret, true, &m.u.imp.ret)) {
			cwarn("--return %s: not ADDR:PORT", o->ret);
			return 2;
		}
		m.u.imp.has_return = true;
	}
	return ctl_exchange(o->import, "import", &m);
}

/* --- options ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cats-client --to ADDR:PORT [--bind ADDR[:PORT]] [--tx ID]\n"
	    "           [--count N] [--interval MS] [--payload OCTETS]\n"
	    "           [--timeout MS] [--retry MS] [--linger MS] [--copies K]\n"
	    "       cats-client --export ADDR:PORT|unix:PATH --client ADDR:PORT "
	    "--tx ID\n"
	    "       cats-client --import ADDR:PORT|unix:PATH --state HEX "
	    "[--return ADDR:PORT]\n"
	    "       cats-client --to ADDR:PORT --raw HEX\n");
}

static bool
num(const char *s, unsigned long lo, unsigned long hi, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *v >= lo && *v <= hi;
}

static bool
set_num(int ch, const char *arg, struct opts *o)
{
	switch (ch) {
	case 'x': return num(arg, 0, UINT32_MAX, &o->tx);
	case 'n': return num(arg, 1, APP_COUNT_MAX, &o->count);
	case 'i': return num(arg, 1, APP_INTERVAL_MAX, &o->interval);
	case 'p': return num(arg, 0, APP_PAYLOAD_MAX, &o->payload);
	case 'T': return num(arg, 1, 3600000, &o->timeout);
	case 'r': return num(arg, 0, 3600000, &o->retry);
	case 'L': return num(arg, 0, 3600000, &o->linger);
	case 'k': return num(arg, 1, 100, &o->copies);
	default: return false;
	}
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "to", required_argument, NULL, 't' },
		{ "bind", required_argument, NULL, 'b' },
		{ "tx", required_argument, NULL, 'x' },
		{ "count", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "payload", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "retry", required_argument, NULL, 'r' },
		{ "linger", required_argument, NULL, 'L' },
		{ "copies", required_argument, NULL, 'k' },
		{ "export", required_argument, NULL, 'E' },
		{ "import", required_argument, NULL, 'I' },
		{ "client", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "return", required_argument, NULL, 'R' },
		{ "raw", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 't': o->to = optarg; break;
		case 'b': o->bind = optarg; break;
		case 'E': o->export = optarg; break;
		case 'I': o->import = optarg; break;
		case 'c': o->client = optarg; break;
		case 's': o->state = optarg; break;
		case 'R': o->ret = optarg; break;
		case 'w': o->raw = optarg; break;
		case 'h': usage(stdout); exit(0);
		case '?': return -1;
		default:
			if (!set_num(ch, optarg, o)) {
				cwarn("bad value for %s: %s", argv[optind - 1],
				    optarg);
				return -1;
			}
		}
	}
	return optind == argc ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct opts o = { .tx = 1, .count = 100, .interval = 10, .payload = 64,
		.timeout = 3000, .retry = 500, .linger = 0, .copies = 1 };

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (o.export != NULL)
		return run_export(&o);
	if (o.import != NULL)
		return run_import(&o);
	if (o.to == NULL) {
		usage(stderr);
		return 2;
	}
	return o.raw != NULL ? run_raw(&o) : run_stream(&o);
}
