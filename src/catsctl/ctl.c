/*
 * ctl: the live commands.  Each builds one JSON request, sends it as a line
 * to catsd's control socket, reads one line back, and prints it: as JSON
 * with -j, else as a table or as indented JSON.  Arguments are checked here
 * as strictly as catsd checks them (an address must parse, a number must be
 * a number), so a typo is a usage error, not a request.
 */
#include <arpa/inet.h>
#include <dirent.h>
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

static const char *sock_path;		/* -s; NULL: look in CTL_SOCKET_DIR */
static char found_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
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

/*
 * No -s: the one NAME.sock in CTL_SOCKET_DIR, as birdc finds bird's; with
 * several, which ones (the operator picks with -s), with none, the error
 * names the directory.
 */
static int
find_socket(void)
{
	struct dirent *de;
	size_t n = 0, len;
	DIR *d;

	if ((d = opendir(CTL_SOCKET_DIR)) == NULL) {
		fprintf(stderr, "catsctl: %s: %s (is catsd running? -s names "
		    "its socket)\n", CTL_SOCKET_DIR, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		/* a name that does not fit sun_path is no socket of catsd's */
		if (len < 6 || len > 90 ||
		    strcmp(de->d_name + len - 5, ".sock") != 0)
			continue;
		if (n++ == 0) {
			snprintf(found_path, sizeof(found_path), "%s/%.90s",
			    CTL_SOCKET_DIR, de->d_name);
			continue;
		}
		if (n == 2)
			fprintf(stderr, "catsctl: several catsd, choose one "
			    "with -s:\n  %s\n", found_path);
		fprintf(stderr, "  %s/%s\n", CTL_SOCKET_DIR, de->d_name);
	}
	closedir(d);
	if (n == 0)
		fprintf(stderr, "catsctl: no catsd socket in %s (is catsd "
		    "running? -s names its socket)\n", CTL_SOCKET_DIR);
	if (n != 1)
		return -1;
	sock_path = found_path;
	return 0;
}

static int
connect_ctl(void)
{
	struct sockaddr_un sun;
	int fd;

	if (sock_path == NULL && find_socket() < 0)
		return -1;
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

/*
 * The words of each command, one table each: what the command takes and
 * what "catsctl complete" offers (dist/bash-completion/catsctl), so the
 * completion is the code's own list.
 */
#define NWORDS(t)	(sizeof(t) / sizeof(t[0]))

static const char *const show_what[] = { "sessions", "clients", "instances",
    "metrics", "peers", "routes", "counters", "dataplane" };
/* "show bgp [routes]" and "show mup" take no other word */
static const char *const show_more[] = { "bgp", "mup" };
static const char *const client_actions[] = { "attach", "detach", "move",
    "request", "done" };
/* the names of catsd's cmd_metric (src/catsd/control.c), which judges
 * which kind each is */
static const char *const metric_keys[] = { "util", "capacity",
    "proc_delay_ns", "owd_ns", "delay_var_ns", "loss_ppb", "bandwidth" };

/* Is s one of the n words of t? */
static bool
is_word(const char *s, const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, t[i]) == 0)
			return true;
	return false;
}

int
ctl_show_main(int argc, char **argv)
{
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
	if (is_word(argv[1], show_what, NWORDS(show_what)))
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

	if (argc < 3 || argc > 4 || inet_pton(AF_INET6, argv[2], a) != 1 ||
	    !is_word(argv[1], client_actions, NWORDS(client_actions)))
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
 * "catsctl metric set net INGRESS EGRESS KEY VALUE..." (metric_keys) */
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
		for (k = 0; k < NWORDS(metric_keys); k++)
			if (strcmp(argv[i], metric_keys[k]) == 0)
				break;
		if (k == NWORDS(metric_keys) || number(argv[i + 1], &v) != 0)
			goto bad;
		json_object_set_new(req, metric_keys[k], json_real(v));
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

static const struct opt session_opts[] = {
	{ "endpoint", "endpoint", 'a' }, { "cs-id", "cs_id", 'i' },
	{ "ran", "ran", 'i' }, { "sticky", "sticky", 'f' },
	{ "prev-cis-id", "prev_cis_id", 'i' }, { NULL, NULL, 0 },
};
static const struct opt instance_opts[] = {
	{ "cs-id", "cs_id", 'i' }, { "sid", "sid", 'a' },
	{ "behavior", "behavior", 'i' }, { "servers", "servers", 'i' },
	{ "capacity", "capacity", 'n' }, { NULL, NULL, 0 },
};
/* "mup session up|move" take session_opts, "release|down" the TEID
 * alone; "mup instance add" takes instance_opts, "remove" the CIS-ID */
static const char *const mup_what[] = { "session", "instance", "metric" };
static const char *const session_actions[] = { "up", "move", "release",
    "down" };
static const char *const instance_actions[] = { "add", "remove" };
static const char *const mup_metric_keys[] = { "util", "capacity", "queue",
    "proc_delay_ns" };

static int
mup_session(int argc, char **argv)
{
	json_int_t teid;
	json_t *req;
	bool full;

	if (argc < 4 || integer(argv[3], 1, UINT32_MAX, &teid) != 0 ||
	    !is_word(argv[2], session_actions, NWORDS(session_actions)))
		return -1;
	full = strcmp(argv[2], "up") == 0 || strcmp(argv[2], "move") == 0;
	if (!full && argc != 4)
		return -1;
	req = json_pack("{s:s,s:s,s:s,s:I}", "cmd", "mup", "what", "session",
	    "action", argv[2], "teid", teid);
	if (options(req, argc, argv, 4, session_opts) < 0 || (full &&
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
	json_int_t cis;
	json_t *req;
	bool add;

	if (argc < 4 || integer(argv[3], 1, 0x7fffffff, &cis) != 0 ||
	    !is_word(argv[2], instance_actions, NWORDS(instance_actions)))
		return -1;
	add = strcmp(argv[2], "add") == 0;
	if (!add && argc != 4)
		return -1;
	req = json_pack("{s:s,s:s,s:s,s:I}", "cmd", "mup", "what", "instance",
	    "action", argv[2], "cis_id", cis);
	if (options(req, argc, argv, 4, instance_opts) < 0 || (add &&
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
		for (k = 0; k < NWORDS(mup_metric_keys); k++)
			if (strlen(mup_metric_keys[k]) == kl &&
			    strncmp(argv[i], mup_metric_keys[k], kl) == 0)
				break;
		if (k == NWORDS(mup_metric_keys) ||
		    json_object_get(req, mup_metric_keys[k]) != NULL ||
		    number(eq + 1, &v) != 0)
			goto bad;
		json_object_set_new(req, mup_metric_keys[k], json_real(v));
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

/* ---- completion: "catsctl complete COMMAND WORD..." ---- */

/*
 * The words of "bgp route": what bgp_route.c's checker takes for the
 * action, the family and the type (its tables are its own; the key and
 * attribute words after them are not offered).
 */
static const char *const route_actions[] = { "add", "del" };
static const char *const route_families[] = { "ipv4-mup", "ipv6-mup" };
static const char *const route_types[] = { "isd", "dsd", "t1st", "t2st" };

static void
put_words(const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%s\n", t[i]);
}

/*
 * The options of argv[first..argc-1] (each "WORD VALUE", a flag alone):
 * when the next word is an option's place, those not given yet; nothing
 * when it is a value's.
 */
static void
put_options(int argc, char **argv, int first, const struct opt *o)
{
	bool given[16] = { false };
	size_t k;
	int i = first;

	while (i < argc) {
		for (k = 0; o[k].word != NULL; k++)
			if (strcmp(argv[i], o[k].word) == 0)
				break;
		if (o[k].word == NULL)
			return;		/* not a word of ours: no guess */
		given[k] = true;
		i += o[k].kind == 'f' ? 1 : 2;
	}
	if (i > argc)
		return;			/* the value of the last option */
	for (k = 0; k < 16 && o[k].word != NULL; k++)
		if (!given[k])
			printf("%s\n", o[k].word);
}

/* argv[0] is "show", the words typed after it follow. */
void
ctl_show_complete(int argc, char **argv)
{
	if (argc == 1) {
		put_words(show_what, NWORDS(show_what));
		put_words(show_more, NWORDS(show_more));
	} else if (argc == 2 && strcmp(argv[1], "bgp") == 0) {
		printf("routes\n");
	}
}

void
ctl_client_complete(int argc, char **argv)
{
	(void)argv;
	if (argc == 1)
		put_words(client_actions, NWORDS(client_actions));
}

void
ctl_metric_complete(int argc, char **argv)
{
	int first;

	if (argc == 1) {
		printf("set\n");
		return;
	}
	if (strcmp(argv[1], "set") != 0)
		return;
	if (argc == 2) {
		printf("instance\nnet\n");
		return;
	}
	first = strcmp(argv[2], "instance") == 0 ? 4 :
	    strcmp(argv[2], "net") == 0 ? 5 : -1;
	if (first > 0 && argc >= first && (argc - first) % 2 == 0)
		put_words(metric_keys, NWORDS(metric_keys));
}

void
ctl_mup_complete(int argc, char **argv)
{
	if (argc == 1) {
		put_words(mup_what, NWORDS(mup_what));
	} else if (strcmp(argv[1], "session") == 0) {
		if (argc == 2)
			put_words(session_actions, NWORDS(session_actions));
		else if (argc >= 4 && (strcmp(argv[2], "up") == 0 ||
		    strcmp(argv[2], "move") == 0))
			put_options(argc, argv, 4, session_opts);
	} else if (strcmp(argv[1], "instance") == 0) {
		if (argc == 2)
			put_words(instance_actions, NWORDS(instance_actions));
		else if (argc >= 4 && strcmp(argv[2], "add") == 0)
			put_options(argc, argv, 4, instance_opts);
	} else if (strcmp(argv[1], "metric") == 0 && argc >= 3) {
		/* "KEY=VALUE": the completion script adds no space after = */
		for (size_t k = 0; k < NWORDS(mup_metric_keys); k++)
			printf("%s=\n", mup_metric_keys[k]);
	}
}

void
ctl_bgp_complete(int argc, char **argv)
{
	if (argc == 1)
		printf("route\n");
	else if (strcmp(argv[1], "route") != 0)
		return;
	else if (argc == 2)
		put_words(route_actions, NWORDS(route_actions));
	else if (argc == 3)
		put_words(route_families, NWORDS(route_families));
	else if (argc == 4)
		put_words(route_types, NWORDS(route_types));
}
