/*
 * pkt_decode: "catsctl pkt decode", hex or a capture file to JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jansson.h>

#include "cats/mh.h"
#include "catsctl/frame.h"
#include "catsctl/hex.h"
#include "catsctl/pcap.h"
#include "catsctl/pkt.h"
#include "catsctl/pktjson.h"

#define JSON_FLAGS	(JSON_INDENT(2))

/* State of a capture walk: the list so far and how many failed. */
struct walk {
	json_t		*list;
	unsigned long	 failed;
};

/*
 * Decode one MH.  Returns 0, or 1 with *out set and e->code MH_E_CHECKSUM
 * (the message is whole but its checksum fails), or -1 with e set.
 */
static int
decode_mh(const uint8_t *mh, size_t len, struct pkt_meta *meta,
    json_t **out, struct mh_error *e)
{
	struct mh_addrs addrs;
	struct mh_msg m;
	bool check = pkt_meta_addrs(meta, &addrs);
	enum mh_err rc;

	*out = NULL;
	rc = mh_decode(mh, len, check ? &addrs : NULL, &m, e);
	if (rc != MH_OK && rc != MH_E_CHECKSUM)
		return -1;
	meta->csum = !check ? PKT_CSUM_UNCHECKED :
	    rc == MH_OK ? PKT_CSUM_OK : PKT_CSUM_BAD;
	if ((*out = pj_from_msg(&m, meta)) == NULL) {
		pkt_warnx("out of memory");
		exit(PKT_EXIT_FAIL);
	}
	return rc == MH_OK ? 0 : 1;
}

static void
report(const char *prefix, const struct mh_error *e)
{
	char buf[160];

	pkt_mh_strerror(e, buf, sizeof(buf));
	pkt_warnx("%s%s", prefix, buf);
}

static int
print_json(json_t *j)
{
	int rc = json_dumpf(j, stdout, JSON_FLAGS);

	json_decref(j);
	if (rc != 0 || fputc('\n', stdout) == EOF)
		return -1;
	return 0;
}

static void
walk_frame(const struct cap_frame *cf, void *arg)
{
	struct walk *w = arg;
	struct frame f;
	struct mh_error e;
	char err[160], prefix[48];
	json_t *j;
	int rc;

	rc = frame_parse(cf->dlt, cf->p, cf->caplen, &f, err, sizeof(err));
	if (rc == 0)
		return;
	snprintf(prefix, sizeof(prefix), "packet %lu: ", cf->n);
	if (rc < 0) {
		pkt_warnx("%s%s%s", prefix, err, cf->caplen < cf->len ?
		    " (capture cut short)" : "");
		w->failed++;
		return;
	}
	f.meta.packet = cf->n;
	rc = decode_mh(f.mh, f.mh_len, &f.meta, &j, &e);
	if (rc != 0) {
		report(prefix, &e);
		w->failed++;
	}
	if (j != NULL && json_array_append_new(w->list, j) != 0)
		w->failed++;
}

static int
decode_file(const char *path)
{
	struct walk w = { .list = json_array(), .failed = 0 };
	char err[512];

	if (w.list == NULL) {
		pkt_warnx("out of memory");
		return PKT_EXIT_FAIL;
	}
	if (cap_read(path, walk_frame, &w, err, sizeof(err)) < 0) {
		pkt_warnx("%s", err);
		json_decref(w.list);
		return PKT_EXIT_FAIL;
	}
	if (print_json(w.list) < 0) {
		pkt_warnx("cannot write the output");
		return PKT_EXIT_FAIL;
	}
	if (w.failed > 0)
		pkt_warnx("%s: %lu packet%s failed", path, w.failed,
		    w.failed == 1 ? "" : "s");
	return w.failed > 0 ? PKT_EXIT_FAIL : 0;
}

/* The hex text: the arguments joined, or all of stdin. */
static char *
hex_text(int argc, char **argv)
{
	size_t len = 0, n;
	char *s;
	int i;

	if (argc == 0)
		return pkt_read_all(stdin, &len);
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((s = malloc(len + 1)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0, n = 0; i < argc; i++) {
		memcpy(s + n, argv[i], strlen(argv[i]));
		n += strlen(argv[i]);
		s[n++] = ' ';
	}
	s[n] = '\0';
	return s;
}

static int
decode_hex(int argc, char **argv, struct pkt_meta *meta)
{
	struct mh_error e;
	char err[96], *text;
	uint8_t *buf;
	size_t len;
	json_t *j;
	int rc;

	if ((text = hex_text(argc, argv)) == NULL) {
		pkt_warnx("cannot read the hex input");
		return PKT_EXIT_FAIL;
	}
	rc = hex_parse(text, &buf, &len, err, sizeof(err));
	free(text);
	if (rc < 0) {
		pkt_warnx("%s", err);
		return PKT_EXIT_FAIL;
	}
	rc = decode_mh(buf, len, meta, &j, &e);
	free(buf);
	if (j != NULL && print_json(j) < 0) {
		pkt_warnx("cannot write the output");
		return PKT_EXIT_FAIL;
	}
	if (rc != 0)
		report("", &e);
	return rc != 0 ? PKT_EXIT_FAIL : 0;
}

static int
parse_addr_arg(const char *s, const char *what, struct pkt_addr *a)
{
	if (pkt_parse_addr(s, a) < 0) {
		pkt_warnx("%s: not an IP address: \"%s\"", what, s);
		return -1;
	}
	return 0;
}

int
pkt_decode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_meta meta = { .transport = PKT_T_NONE };
	const char *file = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "r:s:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			file = optarg;
			break;
		case 's':
			if (parse_addr_arg(optarg, "src", &meta.src) < 0)
				return PKT_EXIT_USAGE;
			break;
		case 'd':
			if (parse_addr_arg(optarg, "dst", &meta.dst) < 0)
				return PKT_EXIT_USAGE;
			break;
		case 'h':
			pkt_usage("decode");
			return 0;
		default:
			return pkt_usage("decode");
		}
	}
	argc -= optind;
	argv += optind;
	if (file != NULL && (argc > 0 || meta.src.af || meta.dst.af))
		return pkt_usage("decode");
	if (meta.src.af != meta.dst.af) {
		pkt_warnx("decode: give both -s and -d of one family, or neither");
		return pkt_usage("decode");
	}
	if (file != NULL)
		return decode_file(file);
	return decode_hex(argc, argv, &meta);
}
