/*
 * ctl: the live commands.  Each builds one JSON request, sends it as a line
 * to catsd's control socket, reads one line back, and prints it: as JSON
 * with -j, else as a table or as indented JSON.  Arguments are checked here
 * as strictly as catsd checks them (an address must parse, a number must be
 * a number), so a typo is a usage error, not a request.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "catsctl/ctl.h"

#define EXIT_FAIL	1
#define EXIT_USAGE	2
#define REPLY_MAX	(1 << 22)

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

/* One request, one reply line; NULL (said why) on failure. */
static json_t *
call(json_t *req)
{
	char *text = json_dumps(req, JSON_COMPACT), *buf = NULL, *nl;
	size_t len = 0, cap = 0;
	json_error_t je;
	json_t *reply = NULL;
	ssize_t n;
	int fd;

	json_decref(req);
	if (text == NULL || (fd = connect_ctl()) < 0) {
		free(text);
		return NULL;
	}
	if (send_all(fd, text, strlen(text)) < 0 || send_all(fd, "\n", 1) < 0)
		goto out;
	for (;;) {
		if (len == cap) {
			if (cap >= REPLY_MAX || (nl = realloc(buf, cap ? cap * 2 : 4096)) == NULL)
				goto out;
			buf = nl;
			cap = cap ? cap * 2 : 4096;
		}
		if ((n = read(fd, buf + len, cap - len)) <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	if ((reply = json_loadb(buf, len, 0, &je)) == NULL)
		fprintf(stderr, "catsctl: bad reply from catsd: %s\n", je.text);
out:
	close(fd);
	free(text);
	free(buf);
	return reply;
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

int
ctl_show_main(int argc, char **argv)
{
	static const char *const what[] = { "sessions", "clients", "instances",
	    "metrics", "peers", "routes", "counters" };
	size_t i;

	if (argc != 2)
		goto usage;
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++)
		if (strcmp(argv[1], what[i]) == 0)
			return show_reply(call(json_pack("{s:s,s:s}", "cmd", "show",
			    "what", argv[1])));
usage:
	fprintf(stderr, "usage: catsctl show sessions|clients|instances|metrics|"
	    "peers|routes|counters\n");
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
 * "catsctl metric set net INGRESS EGRESS owd_ns VALUE" */
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
	    "owd_ns" };
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
	    "       catsctl metric set net INGRESS EGRESS owd_ns D\n");
	return EXIT_USAGE;
}
