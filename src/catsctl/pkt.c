/*
 * pkt: "catsctl pkt", the signaling tool.  A table of subcommands
 * (decode, encode, send; bgp, the BGP capture decoder) and what they share.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cats/mh.h"
#include "catsctl/bgpdump.h"
#include "catsctl/hex.h"
#include "catsctl/pkt.h"

struct pkt_cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*args;
	const char	*help;
};

static const struct pkt_cmd pkt_cmds[] = {
	{ "decode", pkt_decode,
	  "[--verify] [-s SRC -d DST] [HEX...] | -r FILE",
	  "print a message given as hex (argument or stdin), or every\n"
	  "\tmessage of a pcap/pcapng file, as JSON; options in another\n"
	  "\torder or padding than the encoder's own are kept in \"layout\",\n"
	  "\tso that encode gives the same octets back; --verify encodes\n"
	  "\teach message again from its JSON and says whether it is\n"
	  "\t\"identical\" (exit 1 if one is not)" },
	{ "encode", pkt_encode,
	  "[--key SPI:HEX] [--pcap FILE [--udp]] [JSON-FILE]",
	  "read messages as JSON (a file or stdin) and write hex, one line\n"
	  "\tper message, or a pcap of IPv6 packets; --key signs each as\n"
	  "\tcatsd does for a peer with that key (docs/wire.md 6.1: a\n"
	  "\ttimestamp of now unless given, the MAC over src and dst)" },
	{ "send", pkt_send,
	  "--udp ADDRESS PORT HEX... | --raw ADDRESS HEX...",
	  "send each message given as hex to ADDRESS, over UDP or as IPv6\n"
	  "\tnext header 135 (the kernel fills the checksum); sign with\n"
	  "\t\"pkt encode --key\" first" },
	/* Offline like the rest of pkt, hence here and not under "bgp"
	 * (which talks to catsd): docs/wire.md 8.6. */
	{ "bgp", pkt_bgp,
	  "[--as2] [HEX...] | -r FILE",
	  "print BGP messages given as hex (back to back, as on the TCP\n"
	  "\tstream), or those of every TCP stream to or from port 179 of a\n"
	  "\tpcap/pcapng file (reassembled), as JSON: OPEN, UPDATE with its\n"
	  "\tattributes (Prefix-SID, CATS) and every MUP route, NOTIFICATION,\n"
	  "\tKEEPALIVE, ROUTE-REFRESH; errors named with their offset (exit\n"
	  "\t1); --as2: 2-octet AS numbers until both OPENs are seen" },
};

#define PKT_NCMDS	(sizeof(pkt_cmds) / sizeof(pkt_cmds[0]))

void
pkt_warnx(const char *fmt, ...)
{
	va_list ap;

	fputs("catsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Usage of one subcommand, or of all when sub is NULL; returns 2. */
int
pkt_usage(const char *sub)
{
	size_t i;

	for (i = 0; i < PKT_NCMDS; i++) {
		if (sub != NULL && strcmp(sub, pkt_cmds[i].name) != 0)
			continue;
		fprintf(stderr, "usage: catsctl pkt %s %s\n\t%s\n",
		    pkt_cmds[i].name, pkt_cmds[i].args, pkt_cmds[i].help);
	}
	return PKT_EXIT_USAGE;
}

/* docs/wire.md 1: IPv4 endpoints enter the pseudo-header as ::ffff:a.b.c.d. */
static void
pseudo_addr(const struct pkt_addr *a, uint8_t out[16])
{
	if (a->af == AF_INET6) {
		memcpy(out, a->a, 16);
		return;
	}
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, a->a, 4);
}

bool
pkt_meta_addrs(const struct pkt_meta *meta, struct mh_addrs *out)
{
	if (meta->src.af == 0 || meta->dst.af == 0)
		return false;
	pseudo_addr(&meta->src, out->src);
	pseudo_addr(&meta->dst, out->dst);
	return true;
}

static const char *
opt_name(uint8_t type)
{
	const struct mh_opt_info *oi;
	int i;

	if (type == MH_OT_PAD1)
		return "pad1";
	if (type == MH_OT_PADN)
		return "padn";
	for (i = 0; (oi = mh_opt_info(i)) != NULL; i++)
		if (oi->type == type)
			return oi->name;
	return NULL;
}

void
pkt_mh_strerror(const struct mh_error *e, char *buf, size_t len)
{
	const char *name = opt_name(e->opt);
	bool opt = e->opt != 0 || e->code == MH_E_PAD;

	if (!opt)
		snprintf(buf, len, "offset %zu: %s", e->off,
		    mh_strerror(e->code));
	else if (name != NULL)
		snprintf(buf, len, "offset %zu: %s (type %u, %s)", e->off,
		    mh_strerror(e->code), e->opt, name);
	else
		snprintf(buf, len, "offset %zu: %s (type %u)", e->off,
		    mh_strerror(e->code), e->opt);
}

int
pkt_parse_addr(const char *s, struct pkt_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, s, a->a) == 1)
		a->af = AF_INET6;
	else if (inet_pton(AF_INET, s, a->a) == 1)
		a->af = AF_INET;
	else
		return -1;
	return 0;
}

/* All of f into a NUL-terminated buffer; NULL on a read error or ENOMEM. */
char *
pkt_read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, r;
	char *buf = malloc(cap), *nb;

	while (buf != NULL) {
		if (cap - n < 2) {
			if ((nb = realloc(buf, cap * 2)) == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				break;
			buf[n] = '\0';
			*len = n;
			return buf;
		}
	}
	free(buf);
	return NULL;
}

int
pkt_main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return pkt_usage(NULL);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		pkt_usage(NULL);
		return 0;
	}
	for (i = 0; i < PKT_NCMDS; i++)
		if (strcmp(argv[1], pkt_cmds[i].name) == 0)
			return pkt_cmds[i].fn(argc - 1, argv + 1);
	pkt_warnx("pkt: unknown command \"%s\"", argv[1]);
	return pkt_usage(NULL);
}

/* The hex text: the arguments joined, or all of stdin. */
static char *
hex_text(int argc, char **argv)
{
	size_t len = 0, n = 0;
	char *s;

	if (argc == 0)
		return pkt_read_all(stdin, &len);
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	for (int i = 0; i < argc; i++) {
		memcpy(s + n, argv[i], strlen(argv[i]));
		n += strlen(argv[i]);
		s[n++] = ' ';
	}
	s[n] = '\0';
	return s;
}

int
pkt_read_hex(int argc, char **argv, uint8_t **buf, size_t *len)
{
	char err[96], *text = hex_text(argc, argv);
	int rc;

	if (text == NULL) {
		pkt_warnx("cannot read the hex input");
		return -1;
	}
	rc = hex_parse(text, buf, len, err, sizeof(err));
	free(text);
	if (rc < 0) {
		pkt_warnx("%s", err);
		return -1;
	}
	return 0;
}
