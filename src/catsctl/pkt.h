/*
 * pkt: catsctl's offline packet tool, "catsctl pkt decode|encode".
 *
 * What a message carries besides its Mobility Header: the addresses of the
 * packet around it, how it travelled and what its checksum said.
 */
#ifndef CATSCTL_PKT_H
#define CATSCTL_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cats/mh.h"

#define PKT_ADDRSTRLEN	46	/* INET6_ADDRSTRLEN */

/* An IPv4 or IPv6 address; af 0 when not known. */
struct pkt_addr {
	int		 af;		/* 0, AF_INET or AF_INET6 */
	uint8_t		 a[16];
};

enum pkt_transport {
	PKT_T_NONE,			/* not known (hex input) */
	PKT_T_IPV6,			/* IPv6 next header 135 */
	PKT_T_UDP,			/* UDP port 5436, IPv4 or IPv6 */
};

enum pkt_csum {
	PKT_CSUM_UNCHECKED,
	PKT_CSUM_OK,
	PKT_CSUM_BAD,
};

struct pkt_meta {
	struct pkt_addr	 src, dst;
	enum pkt_transport transport;
	enum pkt_csum	 csum;
	uint16_t	 csum_value;	/* the MH checksum field as it came */
	unsigned long	 packet;	/* 1-based number in a capture, 0 = none */
};

#define PKT_EXIT_FAIL	1	/* a message failed, or a file could not be read */
#define PKT_EXIT_USAGE	2

/*
 * The addresses for the MH checksum, whatever the transport (docs/wire.md 1:
 * the same pseudo-header with next header 135 over UDP 5436 too, IPv4
 * endpoints as IPv4-mapped addresses).  False when either is unknown.
 */
bool	 pkt_meta_addrs(const struct pkt_meta *meta, struct mh_addrs *out);

/* "offset 14: option runs past the end (type 22, home-network-prefix)" */
void	 pkt_mh_strerror(const struct mh_error *e, char *buf, size_t len);

int	 pkt_parse_addr(const char *s, struct pkt_addr *a);
char	*pkt_read_all(FILE *f, size_t *len);
/* The octets of hex given as arguments (joined) or, without any, on
 * stdin; 0, or -1 after saying why.  *buf is malloc'd. */
int	 pkt_read_hex(int argc, char **argv, uint8_t **buf, size_t *len);
void	 pkt_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
int	 pkt_usage(const char *sub);

/* The subcommands: "catsctl pkt decode ...", "catsctl pkt encode ...". */
int	 pkt_main(int argc, char **argv);
int	 pkt_decode(int argc, char **argv);
int	 pkt_encode(int argc, char **argv);
int	 pkt_send(int argc, char **argv);

#endif /* CATSCTL_PKT_H */
