/*
 * ctl: the live commands.  Each builds one JSON request, sends it as a line
 * to catsd's control socket, reads one line back, and prints it: as JSON
 * with -j, else as a table or as indented JSON.  Arguments are checked here
 * as strictly as catsd checks them (an address must parse, a number must be
 * a number), so a typo is a usage error, not a request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "catsctl/bgp_route.h"
#include "catsctl/ctl.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2

static const char *sock_path = CTL_DEFAULT_SOCKET;
static int as_json;

void
ctl_set_socket(const char *p)
{
	sock_path = p;
}

void
ctl_set_json(int on)
{
	as_json = on;
}

static int
connect_ctl(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "catsctl: socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, sock_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "catsctl: %s: %s\n", sock_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read one reply line, of any length (show sessions of a million sessions
 * is some 200 MB), into *buf, which grows; its length with the newline, 0
 * if the daemon closed first, -1 on an error.  Only the octets just read
 * are searched for the newline.
 */
static ssize_t
read_reply(int fd, char **buf, size_t *cap)
{
	size_t len = 0, ncap;
	char *nl;
	ssize_t n;

	for (;;) {
		if (len == *cap) {
			ncap = *cap != 0 ? *cap * 2 : 65536;
			if (ncap < *cap || (nl = realloc(*buf, ncap)) == NULL) {
				fprintf(stderr, "catsctl: out of memory for a "
				    "reply of over %zu octets\n", len);
				return -1;
			}
			*buf = nl;
			*cap = ncap;
		}
		if ((n = read(fd, *buf + len, *cap - len)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)len;
		if ((nl = memchr(*buf + len, '\n', (size_t)n)) != NULL)
			return nl - *buf + 1;
		len += (size_t)n;
	}
}

/* One request, its reply line as it came in *buf (which the caller
 * frees): its length, or -1 (said why) on failure. */
static ssize_t
call_text(json_t *req, char **buf)
{
	char *text = json_dumps(req, JSON_COMPACT);
	size_t cap = 0;
	ssize_t len = -1;
	int fd;

	json_decref(req);
	*buf = NULL;
	if (text == NULL || (fd = connect_ctl()) < 0) {
		free(text);
		return -1;
	}
	if (send_all(fd, text, strlen(text)) == 0 && send_all(fd, "\n", 1) == 0)
		len = read_reply(fd, buf, &cap);
	if (len == 0) {
		fprintf(stderr, "catsctl: the daemon closed the connection\n");
		len = -1;
	}
	close(fd);
	free(text);
	return len;
}

/* One request, one reply line; NULL (said why) on failure. */
static json_t *
call(json_t *req)
{
	json_error_t je;
	json_t *reply = NULL;
	char *buf;
	ssize_t len;

	if ((len = call_text(req, &buf)) > 0 &&
	    (reply = json_loadb(buf, (size_t)len, 0, &je)) == NULL)
		fprintf(stderr, "catsctl: bad reply from catsd: %s\n", je.text);
	free(buf);
	return reply;
}

/*
 * catsctl raw: each line of stdin as it is to the control socket, each
 * reply line to stdout, over one connection (a new one when the daemon
 * closed it, as it does after a line it could not take).  For scripts and
 * tests; no checking here, the daemon's parser is what is exercised.
 */
int
ctl_raw_main(int argc, char **argv)
{
	char *line = NULL, *buf = NULL;
	size_t lcap = 0, cap = 0;
	ssize_t n, r;
	int fd = -1, rc = 0;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: catsctl raw < requests\n");
		return EXIT_USAGE;
	}
	while ((n = getline(&line, &lcap, stdin)) > 0) {
		if (fd < 0 && (fd = connect_ctl()) < 0) {
			rc = 1;
			break;
		}
		if (send_all(fd, line, (size_t)n) < 0 ||
		    (line[n - 1] != '\n' && send_all(fd, "\n", 1) < 0) ||
		    (r = read_reply(fd, &buf, &cap)) <= 0) {
			printf("{\"error\":\"catsctl: the daemon closed the "
			    "connection\"}\n");
			close(fd);
			fd = -1;
			continue;
		}
		fwrite(buf, 1, (size_t)r, stdout);
		if (buf[r - 1] != '\n')
			putchar('\n');
	}
	if (fd >= 0)
		close(fd);
	free(line);
	free(buf);
	return rc;
}

static void
print_sessions(json_t *list)
{
	const char *fields[] = { "role", "state", "client", "service", "egress",
	    "peer", "prefix" };
	size_t i, k;
	json_t *o, *v;

	printf("%-8s %-12s %-24s %-12s %-10s %-10s %s\n", "ROLE", "STATE",
	    "CLIENT", "SERVICE", "EGRESS", "PEER", "PREFIX");
	json_array_foreach(list, i, o) {
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			v = json_object_get(o, fields[k]);
			printf(k == 0 ? "%-8s" : k == 1 ? " %-12s" : k == 2 ?
			    " %-24s" : k == 6 ? " %s" : k == 3 ? " %-12s" : " %-10s",
			    json_is_string(v) ? json_string_value(v) : "-");
		}
		printf("\n");
		/* site failure: why it moved off its egress, and when */
		v = json_object_get(o, "why");
		if (json_is_string(v))
			printf("%-8s moved: %s, %lld ms ago\n", "",
			    json_string_value(v), (long long)json_integer_value(
			    json_object_get(o, "moved_ms_ago")));
	}
}

/* Print a reply; an {"error": ...} reply is the command's failure. */
static int
show_reply(json_t *reply)
{
	json_t *err, *sessions;
	char *text;

	if (reply == NULL)
		return EXIT_FAIL;
	if ((err = json_object_get(reply, "error")) != NULL) {
		fprintf(stderr, "catsctl: %s\n", json_string_value(err));
		json_decref(reply);
		return EXIT_FAIL;
	}
	sessions = json_object_get(reply, "sessions");
	if (!as_json && json_is_array(sessions)) {
		print_sessions(sessions);
	} else if ((text = json_dumps(reply, as_json ? JSON_COMPACT :
	    JSON_INDENT(2))) != NULL) {
		printf("%s\n", text);
		free(text);
	}
	json_decref(reply);
	return 0;
}

/*
 * show with -j: the reply line as it came (catsd writes compact JSON), not
 * parsed and printed again, which for a million sessions would take
 * gigabytes; only an error reply, which is short, is parsed.
 */
static int
show_text(json_t *req)
{
	static const char err[] = "{\"error\":";
	char *buf;
	ssize_t len;

	if (!as_json)
		return show_reply(call(req));
	if ((len = call_text(req, &buf)) < 0)
		return EXIT_FAIL;
	if ((size_t)len >= sizeof(err) - 1 &&
	    memcmp(buf, err, sizeof(err) - 1) == 0) {
		json_t *reply = json_loadb(buf, (size_t)len, 0, NULL);

		free(buf);
		if (reply == NULL) {
			fprintf(stderr, "catsctl: bad reply from catsd\n");
			return EXIT_FAIL;
		}
		return show_reply(reply);
	}
	fwrite(buf, 1, (size_t)len, stdout);
	if (buf[len - 1] != '\n')
		putchar('\n');
	free(buf);
	return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
}

int
ctl_show_main(int argc, char **argv)
{
	static const char *const what[] = { "sessions", "clients", "instances",
	    "metrics", "peers", "routes", "counters", "dataplane" };
	size_t i;

	if (argc == 3 && strcmp(argv[1], "bgp") == 0 &&
	    strcmp(argv[2], "routes") == 0)
		return show_text(json_pack("{s:s,s:s}", "cmd", "show",
		    "what", "bgp-routes"));
	if (argc == 2 && (strcmp(argv[1], "bgp") == 0 ||
	    strcmp(argv[1], "mup") == 0))
		return show_text(json_pack("{s:s,s:s}", "cmd", "show",
		    "what", argv[1]));
	if (argc != 2)
		goto usage;
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		if (strcmp(argv[1], what[i]) == 0)
			return show_text(json_pack("{s:s,s:s}", "cmd", "show",
			    "what", argv[1]));
usage:
	fprintf(stderr, "usage: catsctl show sessions|clients|instances|metrics|"
	    "peers|routes|counters|dataplane\n"
	    "       catsctl show bgp [routes]\n"
	    "       catsctl show mup\n");
	return EXIT_USAGE;
}

int
ctl_client_main(int argc, char **argv)
{
	uint8_t a[16];
	json_t *req;

	if (argc < 3 || argc > 4 || inet_pton(AF_INET6, argv[2], a) != 1)
		goto usage;
	req = json_pack("{s:s,s:s,s:s}", "cmd", "client", "action", argv[1],
	    "client", argv[2]);
	if (argc == 4)
		json_object_set_new(req, strcmp(argv[1], "attach") == 0 ?
		    "lladdr" : "service", json_string(argv[3]));
	return show_reply(call(req));
usage:
	fprintf(stderr, "usage: catsctl client attach CLIENT [LLADDR]\n"
	    "       catsctl client detach|move CLIENT\n"
	    "       catsctl client request|done CLIENT [SERVICE]\n"
	    "CLIENT is an IPv6 address\n");
	return EXIT_USAGE;
}

/* "catsctl metric set instance ID KEY VALUE..." or
 * "catsctl metric set net INGRESS EGRESS KEY VALUE..."; the names are
 * those of catsd's cmd_metric (src/catsd/control.c), which judges which
 * kind each is */
static int
number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' ? 0 : -1;
}

int
ctl_metric_main(int argc, char **argv)
{
	static const char *const keys[] = { "util", "capacity", "proc_delay_ns",
	    "owd_ns", "delay_var_ns", "loss_ppb", "bandwidth" };
	json_t *req;
	double v;
	int i, first;
	size_t k;

	if (argc < 5 || strcmp(argv[1], "set") != 0)
		goto usage;
	req = json_pack("{s:s}", "cmd", "metric");
	if (strcmp(argv[2], "instance") == 0 && number(argv[3], &v) == 0) {
		json_object_set_new(req, "instance", json_integer((json_int_t)v));
		first = 4;
	} else if (strcmp(argv[2], "net") == 0 && argc >= 7 &&
	    number(argv[3], &v) == 0) {
		json_object_set_new(req, "ingress", json_integer((json_int_t)v));
		if (number(argv[4], &v) != 0)
			goto bad;
		json_object_set_new(req, "egress", json_integer((json_int_t)v));
		first = 5;
	} else {
		goto bad;
	}
	if ((argc - first) % 2 != 0)
		goto bad;
	for (i = first; i < argc; i += 2) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(argv[i], keys[k]) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0]) || number(argv[i + 1], &v) != 0)
			goto bad;
		json_object_set_new(req, keys[k], json_real(v));
	}
	return show_reply(call(req));
bad:
	json_decref(req);
usage:
	fprintf(stderr, "usage: catsctl metric set instance ID [util U] "
	    "[capacity C] [proc_delay_ns P]\n"
	    "       catsctl metric set net INGRESS EGRESS [owd_ns D] "
	    "[delay_var_ns V] [loss_ppb L] [bandwidth B]\n");
	return EXIT_USAGE;
}

/* ---- mup: the CATS-MUP roles ---- */

/* A decimal integer from lo to hi, nothing else. */
static int
integer(const char *s, unsigned long long lo, unsigned long long hi,
    json_int_t *v)
{
	unsigned long long x;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < lo || x > hi)
		return -1;
	*v = (json_int_t)x;
	return 0;
}

static int
is_addr(const char *s)
{
	uint8_t a[16];

	return inet_pton(AF_INET6, s, a) == 1 || inet_pton(AF_INET, s, a) == 1;
}

/* "KEY VALUE" pairs after the fixed arguments; 'flags' are keys without a
 * value (sticky).  Each known key maps to a JSON key and a kind. */
struct opt {
	const char	*word;
	const char	*key;
	char		 kind;	/* 'i' integer, 'a' address, 'n' number, 'f' flag */
};

static int
options(json_t *req, int argc, char **argv, int first, const struct opt *o)
{
	json_int_t iv;
	double d;
	size_t k;

	for (int i = first; i < argc; i++) {
		for (k = 0; o[k].word != NULL; k++)
			if (strcmp(argv[i], o[k].word) == 0)
				break;
		if (o[k].word == NULL || json_object_get(req, o[k].key) != NULL) {
			fprintf(stderr, "catsctl: unknown or repeated \"%s\"\n",
			    argv[i]);
			return -1;
		}
		if (o[k].kind == 'f') {
			json_object_set_new(req, o[k].key, json_true());
			continue;
		}
		if (++i == argc) {
			fprintf(stderr, "catsctl: %s: expected a value\n",
			    argv[i - 1]);
			return -1;
		}
		if (o[k].kind == 'i' && integer(argv[i], 0, UINT32_MAX, &iv) == 0)
			json_object_set_new(req, o[k].key, json_integer(iv));
		else if (o[k].kind == 'a' && is_addr(argv[i]))
			json_object_set_new(req, o[k].key, json_string(argv[i]));
		else if (o[k].kind == 'n' && number(argv[i], &d) == 0)
			json_object_set_new(req, o[k].key, json_real(d));
		else {
			fprintf(stderr, "catsctl: %s: bad value \"%s\"\n",
			    argv[i - 1], argv[i]);
			return -1;
		}
	}
	return 0;
}

static int
mup_session(int argc, char **argv)
{
	static const struct opt o[] = {
		{ "endpoint", "endpoint", 'a' }, { "cs-id", "cs_id", 'i' },
		{ "ran", "ran", 'i' }, { "sticky", "sticky", 'f' },
		{ "prev-cis-id", "prev_cis_id", 'i' }, { NULL, NULL, 0 },
	};
	json_int_t teid;
	json_t *req;
	bool full;

	if (argc < 4 || integer(argv[3], 1, UINT32_MAX, &teid) != 0)
		return -1;
	full = strcmp(argv[2], "up") == 0 || strcmp(argv[2], "move") == 0;
	if (!full && strcmp(argv[2], "release") != 0 &&
	    strcmp(argv[2], "down") != 0)
		return -1;
	if (!full && argc != 4)
		return -1;
	req = json_pack("{s:s,s:s,s:s,s:I}", "cmd", "mup", "what", "session",
	    "action", argv[2], "teid", teid);
	if (options(req, argc, argv, 4, o) < 0 || (full &&
	    (json_object_get(req, "endpoint") == NULL ||
	    json_object_get(req, "cs_id") == NULL ||
	    json_object_get(req, "ran") == NULL))) {
		json_decref(req);
		return -1;
	}
	return show_reply(call(req));
}

static int
mup_instance(int argc, char **argv)
{
	static const struct opt o[] = {
		{ "cs-id", "cs_id", 'i' }, { "sid", "sid", 'a' },
		{ "behavior", "behavior", 'i' }, { "servers", "servers", 'i' },
		{ "capacity", "capacity", 'n' }, { NULL, NULL, 0 },
	};
	json_int_t cis;
	json_t *req;
	bool add;

	if (argc < 4 || integer(argv[3], 1, 0x7fffffff, &cis) != 0)
		return -1;
	add = strcmp(argv[2], "add") == 0;
	if (!add && (strcmp(argv[2], "remove") != 0 || argc != 4))
		return -1;
	req = json_pack("{s:s,s:s,s:s,s:I}", "cmd", "mup", "what", "instance",
	    "action", argv[2], "cis_id", cis);
	if (options(req, argc, argv, 4, o) < 0 || (add &&
	    (json_object_get(req, "cs_id") == NULL ||
	    json_object_get(req, "sid") == NULL))) {
		json_decref(req);
		return -1;
	}
	return show_reply(call(req));
}

/* catsctl mup metric CIS-ID util=0.5 capacity=800 ... */
static int
mup_metric(int argc, char **argv)
{
	static const char *const keys[] = { "util", "capacity", "queue",
	    "proc_delay_ns" };
	json_int_t cis;
	json_t *req;
	double v;
	size_t k, kl;
	char *eq;

	if (argc < 4 || integer(argv[2], 1, 0x7fffffff, &cis) != 0)
		return -1;
	req = json_pack("{s:s,s:s,s:I}", "cmd", "mup", "what", "metric",
	    "cis_id", cis);
	for (int i = 3; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL)
			goto bad;
		kl = (size_t)(eq - argv[i]);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k]) == kl &&
			    strncmp(argv[i], keys[k], kl) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0]) ||
		    json_object_get(req, keys[k]) != NULL ||
		    number(eq + 1, &v) != 0)
			goto bad;
		json_object_set_new(req, keys[k], json_real(v));
	}
	return show_reply(call(req));
bad:
	json_decref(req);
	return -1;
}

int
ctl_mup_main(int argc, char **argv)
{
	int rc = -1;

	if (argc >= 2 && strcmp(argv[1], "session") == 0)
		rc = mup_session(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "instance") == 0)
		rc = mup_instance(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "metric") == 0)
		rc = mup_metric(argc, argv);
	if (rc >= 0)
		return rc;
	fprintf(stderr, "usage: catsctl mup session up|move TEID endpoint ADDR "
	    "cs-id N ran I [sticky] [prev-cis-id N]\n"
	    "       catsctl mup session release|down TEID\n"
	    "       catsctl mup instance add CIS-ID cs-id N sid SID "
	    "[behavior B] [servers S] [capacity C]\n"
	    "       catsctl mup instance remove CIS-ID\n"
	    "       catsctl mup metric CIS-ID util=U [capacity=C] [queue=Q] "
	    "[proc_delay_ns=P]\n");
	return EXIT_USAGE;
}

/* ---- bgp: routes of our own ---- */

int
ctl_bgp_main(int argc, char **argv)
{
	char err[256];
	json_t *req;

	if (argc >= 2 && strcmp(argv[1], "route") == 0) {
		if ((req = bgp_route_request(argc - 2, argv + 2, err,
		    sizeof(err))) != NULL)
			return show_reply(call(req));
		fprintf(stderr, "catsctl: %s\n", err);
	}
	fprintf(stderr, "usage: catsctl bgp route add|del FAMILY TYPE KEY rd RD "
	    "[KEY-FIELDS] [ATTRIBUTES]\n"
	    "  FAMILY ipv4-mup|ipv6-mup; TYPE and KEY, then KEY-FIELDS:\n"
	    "    isd PREFIX\n"
	    "    dsd ADDR\n"
	    "    t1st PREFIX teid N qfi N endpoint ADDR [source ADDR]\n"
	    "    t2st ENDPOINT teid N\n"
	    "  ATTRIBUTES (add only): [rt ASN:N]... [mup ASN:N] "
	    "[sid SID behavior N] [cs-id N] [cis-id N] [nexthop ADDR]\n");
	return EXIT_USAGE;
}
