/*
 * pkt_encode: "catsctl pkt encode", JSON to hex lines or to a pcap.
 * All messages are encoded first; nothing is written if any fails.
 * With --key each message is signed as catsd signs it for a keyed peer
 * (src/core/node.c encode, docs/wire.md 6.1): a Timestamp of now unless
 * the message has one, then auth_encode over the message's src and dst.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "cats/auth.h"
#include "cats/mh.h"
#include "catsctl/frame.h"
#include "catsctl/hex.h"
#include "catsctl/pcap.h"
#include "catsctl/pkt.h"
#include "catsctl/pktjson.h"

#define DEFAULT_SRC	"2001:db8::1"
#define DEFAULT_DST	"2001:db8::2"

struct enc_opts {
	const char	*pcap;		/* write a pcap here, else hex */
	bool		 udp;		/* force UDP 5436 */
	bool		 sign;		/* --key given */
	struct auth_key	 key;
};

/* One encoded message: the MH (hex) or the whole IP packet (pcap). */
struct enc_out {
	uint8_t		*p;
	size_t		 len;
};

/* Where the packet goes: --udp, the JSON, then the defaults. */
static int
packet_meta(struct pkt_meta *meta, const struct enc_opts *o, char *err,
    size_t errlen)
{
	if (o->udp)
		meta->transport = PKT_T_UDP;
	if (meta->transport == PKT_T_NONE)
		meta->transport = PKT_T_IPV6;
	if (meta->src.af == 0 && meta->dst.af != AF_INET)
		pkt_parse_addr(DEFAULT_SRC, &meta->src);
	if (meta->dst.af == 0 && meta->src.af != AF_INET)
		pkt_parse_addr(DEFAULT_DST, &meta->dst);
	if (meta->src.af != meta->dst.af) {
		snprintf(err, errlen, "key %s: an IPv4 packet needs both "
		    "src and dst", meta->src.af == 0 ? "src" : "dst");
		return -1;
	}
	if (meta->src.af == AF_INET && meta->transport != PKT_T_UDP) {
		snprintf(err, errlen, "key src: IPv4 addresses need UDP "
		    "(--udp or \"transport\": \"udp\")");
		return -1;
	}
	return 0;
}

/*
 * --key SPI:HEX, as strict as peers[].auth in catsd's configuration
 * (docs/config.md): SPI 256 and up (RFC 4285 4: 0..255 reserved), a key
 * of AUTH_KEY_MIN to AUTH_KEY_MAX octets.
 */
static int
parse_key(const char *arg, struct auth_key *k)
{
	const char *colon = strchr(arg, ':');
	unsigned long long spi;
	char *end;

	memset(k, 0, sizeof(*k));
	if (colon == NULL || colon == arg || arg[0] < '0' || arg[0] > '9') {
		pkt_warnx("--key: want SPI:HEX, got \"%s\"", arg);
		return -1;
	}
	errno = 0;
	spi = strtoull(arg, &end, 10);
	if (end != colon || errno != 0 || spi < 256 || spi > UINT32_MAX) {
		pkt_warnx("--key: SPI %.*s: want 256 to 4294967295",
		    (int)(colon - arg), arg);
		return -1;
	}
	if (!auth_key_parse(k, colon + 1) || k->len < AUTH_KEY_MIN) {
		pkt_warnx("--key: want %d to %d octets in hexadecimal after "
		    "the SPI", AUTH_KEY_MIN, AUTH_KEY_MAX);
		return -1;
	}
	k->spi = (uint32_t)spi;
	return 0;
}

/* RFC 5213 8.8: 48-bit seconds and a 16-bit fraction, as catsd's clock. */
static uint64_t
timestamp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec << 16 |
	    (uint64_t)ts.tv_nsec * 65536 / 1000000000;
}

/* As catsd signs: timestamped, then the RFC 4285 option last. */
static int
encode_signed(struct pj_msg *pm, const struct auth_key *k,
    const struct mh_addrs *addrs, uint8_t *mh, size_t cap, size_t *len,
    struct mh_error *e)
{
	if (!(pm->m.present & MH_BIT(MH_O_TIMESTAMP))) {
		pm->m.present |= MH_BIT(MH_O_TIMESTAMP);
		pm->m.timestamp = timestamp_now();
	}
	return auth_encode(&pm->m, k, addrs, mh, cap, len, e) == MH_OK ? 0 :
	    -1;
}

static int
encode_one(json_t *j, const struct enc_opts *o, struct enc_out *out,
    char *err, size_t errlen)
{
	struct pj_msg *pm;
	struct mh_addrs addrs;
	struct mh_error e;
	uint8_t mh[MH_MAX_LEN];
	size_t len, cap = MH_MAX_LEN + FRAME_HDR_MAX;
	bool check;
	int rc = -1;

	if ((pm = malloc(sizeof(*pm))) == NULL || (out->p = malloc(cap)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (pj_to_msg(j, pm, err, errlen) < 0)
		goto done;
	if (o->pcap != NULL && packet_meta(&pm->meta, o, err, errlen) < 0)
		goto done;
	check = pkt_meta_addrs(&pm->meta, &addrs);
	if (o->sign && pm->has_layout) {
		/* auth_encode lays the message out to sign it */
		snprintf(err, errlen, "key layout: a message signed with --key "
		    "is laid out by the encoder; drop \"layout\" or --key");
		goto done;
	}
	if (o->sign && !check) {
		/* RFC 4285 5.1: the authenticator covers both addresses */
		snprintf(err, errlen, "key %s: --key needs the message's src "
		    "and dst", pm->meta.src.af == 0 ? "src" : "dst");
		goto done;
	}
	if (o->sign ? encode_signed(pm, &o->key, &addrs, mh, sizeof(mh), &len,
	    &e) < 0 : pj_encode(pm, check ? &addrs : NULL, mh, sizeof(mh),
	    &len, &e) != MH_OK) {
		pkt_mh_strerror(&e, err, errlen);
		goto done;
	}
	if (o->pcap == NULL) {
		memcpy(out->p, mh, len);
		out->len = len;
	} else if (frame_build(&pm->meta, mh, len, out->p, cap,
	    &out->len) < 0) {
		snprintf(err, errlen, "cannot build the packet");
		goto done;
	}
	rc = 0;
done:
	free(pm);
	return rc;
}

static int
write_hex(const struct enc_out *outs, size_t n)
{
	char *s;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((s = hex_string(outs[i].p, outs[i].len)) == NULL)
			return -1;
		printf("%s\n", s);
		free(s);
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

static int
write_pcap(const char *path, const struct enc_out *outs, size_t n)
{
	struct cap_writer *w;
	char err[512];
	size_t i;

	if ((w = cap_create(path, err, sizeof(err))) == NULL) {
		pkt_warnx("%s", err);
		return -1;
	}
	for (i = 0; i < n; i++)
		cap_write(w, outs[i].p, outs[i].len);
	if (cap_close(w) < 0) {
		pkt_warnx("%s: write failed", path);
		return -1;
	}
	return 0;
}

/* A list of messages or one; reports every failing message. */
static int
encode_all(json_t *root, const struct enc_opts *o)
{
	bool list = json_is_array(root);
	size_t i, n = list ? json_array_size(root) : 1, failed = 0;
	struct enc_out *outs = calloc(n > 0 ? n : 1, sizeof(*outs));
	char err[256];
	int rc;

	if (outs == NULL) {
		pkt_warnx("out of memory");
		return PKT_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (encode_one(list ? json_array_get(root, i) : root, o,
		    &outs[i], err, sizeof(err)) == 0)
			continue;
		failed++;
		if (list)
			pkt_warnx("message %zu: %s", i + 1, err);
		else
			pkt_warnx("%s", err);
	}
	rc = failed > 0 ? PKT_EXIT_FAIL : 0;
	if (rc == 0 && o->pcap == NULL && write_hex(outs, n) < 0)
		rc = PKT_EXIT_FAIL;
	if (rc == 0 && o->pcap != NULL && write_pcap(o->pcap, outs, n) < 0)
		rc = PKT_EXIT_FAIL;
	for (i = 0; i < n; i++)
		free(outs[i].p);
	free(outs);
	return rc;
}

static json_t *
load(const char *path)
{
	json_error_t je;
	json_t *root;
	bool in = path == NULL || strcmp(path, "-") == 0;

	if (in)
		root = json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
	else
		root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		pkt_warnx("%s:%d:%d: %s", in ? "<stdin>" : path, je.line,
		    je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root) && !json_is_array(root)) {
		pkt_warnx("%s: want a message object or a list of them",
		    in ? "<stdin>" : path);
		json_decref(root);
		return NULL;
	}
	return root;
}

int
pkt_encode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pcap", required_argument, NULL, 'w' },
		{ "udp", no_argument, NULL, 'u' },
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct enc_opts o = { .pcap = NULL, .udp = false, .sign = false };
	json_t *root;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "w:uk:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			o.pcap = optarg;
			break;
		case 'u':
			o.udp = true;
			break;
		case 'k':
			if (parse_key(optarg, &o.key) < 0)
				return PKT_EXIT_USAGE;
			o.sign = true;
			break;
		case 'h':
			pkt_usage("encode");
			return 0;
		default:
			return pkt_usage("encode");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (o.udp && o.pcap == NULL))
		return pkt_usage("encode");
	if ((root = load(argc == 1 ? argv[0] : NULL)) == NULL)
		return PKT_EXIT_FAIL;
	rc = encode_all(root, &o);
	json_decref(root);
	return rc;
}
