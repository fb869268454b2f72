/*
 * pkt send: put given bytes on the wire as one signaling message, over UDP
 * (port given) or as IPv6 next header 135 on a raw socket (root), to an
 * address.  For tests and for the protocol engineer who wants to see how a
 * daemon takes a crafted or broken message.  Over UDP the bytes go as they
 * are, the checksum included, wrong or not; Linux fills the checksum of
 * what a raw IPPROTO_MH socket sends, so there only the rest is as given.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cats/mh.h"
#include "catsctl/hex.h"
#include "catsctl/pkt.h"

static int
send_one(const struct sockaddr_in6 *to, bool raw, const uint8_t *buf,
    size_t len)
{
	int fd = raw ? socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, MH_IPPROTO) :
	    socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0) {
		pkt_warnx("socket: %s", strerror(errno));
		return -1;
	}
	n = sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to));
	close(fd);
	if (n != (ssize_t)len) {
		pkt_warnx("send: %s", n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

int
pkt_send(int argc, char **argv)
{
	struct sockaddr_in6 to;
	char err[128], *end;
	uint8_t *buf = NULL;
	size_t len;
	unsigned long port = 0;
	int i, first, rc = 0;
	bool raw;

	if (argc < 4 || (strcmp(argv[1], "--udp") != 0 &&
	    strcmp(argv[1], "--raw") != 0))
		goto usage;
	raw = strcmp(argv[1], "--raw") == 0;
	first = raw ? 3 : 4;
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, argv[2], &to.sin6_addr) != 1 || argc <= first)
		goto usage;
	if (!raw) {
		port = strtoul(argv[3], &end, 10);
		if (*end != '\0' || port == 0 || port > 65535)
			goto usage;
		to.sin6_port = htons((uint16_t)port);
	}
	for (i = first; i < argc; i++) {
		if (hex_parse(argv[i], &buf, &len, err, sizeof(err)) < 0) {
			pkt_warnx("message %d: hex: %s", i - 3, err);
			return PKT_EXIT_USAGE;
		}
		if (len > MH_MAX_LEN || send_one(&to, raw, buf, len) < 0)
			rc = PKT_EXIT_FAIL;
		free(buf);
		buf = NULL;
	}
	return rc;
usage:
	pkt_warnx("usage: catsctl pkt send --udp ADDRESS PORT HEX...\n"
	    "       catsctl pkt send --raw ADDRESS HEX...");
	return PKT_EXIT_USAGE;
}
