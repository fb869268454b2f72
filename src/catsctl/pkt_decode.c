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

/* --verify: each message encoded again from its JSON (docs/wire.md 7.1). */
static bool verify;

/*
 * Whether our encoder lays the options out as the message has them: then
 * the JSON needs no "layout".  The checksum is not the layout's business.
 */
static bool
own_layout(const struct mh_msg *m, const uint8_t *mh, size_t len)
{
	uint8_t again[MH_MAX_LEN];
	struct mh_error e;
	size_t n;

	if (mh_encode(m, NULL, again, sizeof(again), &n, &e) != MH_OK ||
	    n != len)
		return false;
	return memcmp(again, mh, 4) == 0 && memcmp(again + 6, mh + 6,
	    len - 6) == 0;
}

/*
 * The JSON read back and encoded as "pkt encode" would: "identical", or
 * where it differs (a reserved field that was not zero, a bad checksum).
 * Returns 0 when identical.
 */
static int
verify_json(json_t *j, const uint8_t *mh, size_t len, char *res, size_t cap)
{
	static struct pj_msg pm;
	uint8_t again[MH_MAX_LEN];
	struct mh_addrs addrs;
	struct mh_error e;
	char err[160];
	size_t n, i;

	if (pj_to_msg(j, &pm, err, sizeof(err)) < 0) {
		snprintf(res, cap, "its JSON does not read back: %s", err);
		return -1;
	}
	if (pj_encode(&pm, pkt_meta_addrs(&pm.meta, &addrs) ? &addrs : NULL,
	    again, sizeof(again), &n, &e) != MH_OK) {
		pkt_mh_strerror(&e, err, sizeof(err));
		snprintf(res, cap, "its JSON does not encode: %s", err);
		return -1;
	}
	for (i = 0; i < n && i < len && again[i] == mh[i]; i++)
		;
	if (i == n && n == len) {
		snprintf(res, cap, "identical");
		return 0;
	}
	snprintf(res, cap, "differs at offset %zu (%zu octets, again %zu)", i,
	    len, n);
	return -1;
}

/*
 * Decode one MH.  Returns 0, or 1 with *out set and e->code MH_E_CHECKSUM
 * (the message is whole but its checksum fails), or -1 with e set; 2 when
 * --verify found it does not come back the same (e->code MH_OK).
 */
static int
decode_mh(const uint8_t *mh, size_t len, struct pkt_meta *meta,
    json_t **out, struct mh_error *e)
{
	static struct mh_layout lay;
	struct mh_addrs addrs;
	struct mh_msg m;
	bool check = pkt_meta_addrs(meta, &addrs);
	enum mh_err rc;
	char res[240];
	int vrc = 0;

	*out = NULL;
	rc = mh_decode_layout(mh, len, check ? &addrs : NULL, &m, &lay, e);
	if (rc != MH_OK && rc != MH_E_CHECKSUM)
		return -1;
	meta->csum = !check ? PKT_CSUM_UNCHECKED :
	    rc == MH_OK ? PKT_CSUM_OK : PKT_CSUM_BAD;
	meta->csum_value = (uint16_t)(mh[4] << 8 | mh[5]);
	*out = pj_from_msg(&m, meta, own_layout(&m, mh, len) ? NULL : &lay);
	if (*out == NULL)
		goto nomem;
	if (verify) {
		vrc = verify_json(*out, mh, len, res, sizeof(res));
		if (json_object_set_new(*out, "verify", json_string(res)) != 0)
			goto nomem;
		if (vrc != 0 && meta->packet != 0)
			pkt_warnx("packet %lu: encoded again, it %s",
			    meta->packet, res);
		else if (vrc != 0)
			pkt_warnx("encoded again, it %s", res);
	}
	return rc != MH_OK ? 1 : vrc != 0 ? 2 : 0;
nomem:
	pkt_warnx("out of memory");
	exit(PKT_EXIT_FAIL);
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
		if (rc != 2)
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

static int
decode_hex(int argc, char **argv, struct pkt_meta *meta)
{
	struct mh_error e;
	uint8_t *buf;
	size_t len;
	json_t *j;
	int rc;

	if (pkt_read_hex(argc, argv, &buf, &len) < 0)
		return PKT_EXIT_FAIL;
	rc = decode_mh(buf, len, meta, &j, &e);
	free(buf);
	if (j != NULL && print_json(j) < 0) {
		pkt_warnx("cannot write the output");
		return PKT_EXIT_FAIL;
	}
	if (rc != 0 && rc != 2)
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
		{ "verify", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pkt_meta meta = { .transport = PKT_T_NONE };
	const char *file = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "r:s:d:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'V':
			verify = true;
			break;
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
