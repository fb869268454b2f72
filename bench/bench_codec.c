/*
 * codec.decode / codec.encode: PBUs of 72 to 96 octets with MN Identifier
 * and Home Network Prefix options (plus the handoff indicator, access
 * technology type and timestamp a PMIPv6 PBU carries, RFC 5213 6.9.1.1).
 * Decoding verifies the pseudo-header checksum, as the daemon does.
 * Issue target: 20 million decodes/s and 10 million encodes/s on one core.
 * codec.decode.scapy: the same PBUs dissected by scapy (Debian's
 * python3-scapy) in the same run, through bench/scapy_pbu.py, the
 * baseline of codec.decode_vs_scapy; without scapy, a line says why not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "cats/mh.h"

#define NMSG		64
#define ROUNDS		(1u << 23)
#define DECODE_TARGET	20e6
#define ENCODE_TARGET	10e6
/* Debian's interpreter: python3-scapy is installed for it, not for a
 * python3 that may come first in PATH (pyenv, a venv). */
#define SCAPY_PYTHON	"/usr/bin/python3"
#define SCAPY_SCRIPT	"bench/scapy_pbu.py"
#define SCAPY_SECONDS	"2"

struct sample {
	struct mh_msg	 msg;
	char		 nai[48];
	uint8_t		 wire[MH_MAX_LEN];
	size_t		 len;
};

static struct sample samples[NMSG];
static struct mh_addrs addrs = {
	.src = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	.dst = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
};

static void
make_sample(struct sample *s, unsigned i)
{
	struct mh_msg *m = &s->msg;
	struct mh_error e;
	int n;

	mh_msg_init(m, MH_K_PBU);
	m->seq = (uint16_t)(i * 7);
	m->flags = MH_BU_A | MH_BU_P;
	m->lifetime = 75;
	/* NAIs of 13 to 37 octets spread the messages over 72..96 octets. */
	n = snprintf(s->nai, sizeof(s->nai), "ue%02u@ran.%.*s", i % 100,
	    (int)(i % 25), "abcdefghijklmnopqrstuvwxyz");
	m->mnid_subtype = MH_NAI_SUBTYPE;
	m->mnid.p = (const uint8_t *)s->nai;
	m->mnid.len = (uint8_t)n;
	m->n_hnp = 1;
	m->hnp[0].len = 64;
	memcpy(m->hnp[0].addr, addrs.src, 8);
	m->hnp[0].addr[7] = (uint8_t)i;
	m->hi = 1;
	m->att = 4;
	m->timestamp = (uint64_t)(1700000000 + i) << 16;
	m->present = MH_BIT(MH_O_MNID) | MH_BIT(MH_O_HNP) | MH_BIT(MH_O_HI) |
	    MH_BIT(MH_O_ATT) | MH_BIT(MH_O_TIMESTAMP);
	if (mh_encode(m, &addrs, s->wire, sizeof(s->wire), &s->len, &e) != MH_OK) {
		fprintf(stderr, "bench: encode failed: %s\n", mh_strerror(e.code));
		exit(1);
	}
}

static double
run_decode(size_t *minlen, size_t *maxlen)
{
	struct mh_msg m;
	struct mh_error e;
	uint64_t acc = 0;
	double t0, t;
	unsigned i;

	*minlen = SIZE_MAX;
	*maxlen = 0;
	for (i = 0; i < NMSG; i++) {
		if (samples[i].len < *minlen)
			*minlen = samples[i].len;
		if (samples[i].len > *maxlen)
			*maxlen = samples[i].len;
	}
	t0 = bench_now();
	for (i = 0; i < ROUNDS; i++) {
		const struct sample *s = &samples[i % NMSG];

		if (mh_decode(s->wire, s->len, &addrs, &m, &e) != MH_OK) {
			fprintf(stderr, "bench: decode failed\n");
			exit(1);
		}
		acc += m.seq + m.hnp[0].addr[7] + m.mnid.len;
	}
	t = bench_now() - t0;
	bench_keep(acc);
	return ROUNDS / t;
}

static double
run_encode(void)
{
	uint8_t out[MH_MAX_LEN];
	struct mh_error e;
	uint64_t acc = 0;
	size_t len;
	double t0, t;
	unsigned i;

	t0 = bench_now();
	for (i = 0; i < ROUNDS; i++) {
		struct sample *s = &samples[i % NMSG];

		s->msg.seq = (uint16_t)i;
		if (mh_encode(&s->msg, &addrs, out, sizeof(out), &len, &e) != MH_OK) {
			fprintf(stderr, "bench: encode failed\n");
			exit(1);
		}
		acc += len + out[4];
	}
	t = bench_now() - t0;
	bench_keep(acc);
	return ROUNDS / t;
}

/* The PBUs as "SEQ HEX" lines (bench/scapy_pbu.py's input, SEQ as cats
 * decodes it: scapy must agree) in a new temporary file whose name is left
 * in path; false if it cannot be made. */
static bool
write_samples(char path[32])
{
	struct mh_msg m;
	struct mh_error e;
	FILE *f;
	int fd;

	snprintf(path, 32, "/tmp/cats-pbu.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return false;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return false;
	}
	for (unsigned i = 0; i < NMSG; i++) {
		if (mh_decode(samples[i].wire, samples[i].len, &addrs, &m,
		    &e) != MH_OK)
			m.seq = 0;	/* run_decode has failed first */
		fprintf(f, "%u ", m.seq);
		for (size_t k = 0; k < samples[i].len; k++)
			fprintf(f, "%02x", samples[i].wire[k]);
		fputc('\n', f);
	}
	return fclose(f) == 0;
}

enum scapy_rc { SCAPY_OK, SCAPY_SKIP, SCAPY_FAIL };

struct scapy {
	double		 rate;		/* msg/s */
	unsigned long	 n;		/* dissections timed */
	char		 version[32];
	char		 why[320];	/* when not measured */
};

/* Run the script on the PBUs in path: its rate, or why there is none (it
 * exits 77 with "skip: REASON" without scapy). */
static enum scapy_rc
scapy_script(const char *path, struct scapy *r)
{
	char cmd[160], line[256] = "";
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s %s %s", SCAPY_PYTHON, SCAPY_SCRIPT,
	    path, SCAPY_SECONDS);
	if ((p = popen(cmd, "r")) == NULL) {
		snprintf(r->why, sizeof(r->why), "cannot run %s", SCAPY_PYTHON);
		return SCAPY_FAIL;
	}
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	    sscanf(line, "rate %lf %lu %31s", &r->rate, &r->n, r->version) == 3)
		return SCAPY_OK;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77 &&
	    strncmp(line, "skip: ", 6) == 0) {
		snprintf(r->why, sizeof(r->why), "%s", line + 6);
		return SCAPY_SKIP;
	}
	snprintf(r->why, sizeof(r->why), "%s exited with status %d: %s",
	    SCAPY_SCRIPT, WIFEXITED(st) ? WEXITSTATUS(st) : -1, line);
	return SCAPY_FAIL;
}

/* scapy's decode rate of the same PBUs, measured now. */
static enum scapy_rc
run_scapy(struct scapy *r)
{
	char path[32];
	enum scapy_rc rc;

	if (access(SCAPY_PYTHON, X_OK) != 0) {
		snprintf(r->why, sizeof(r->why), "no %s, Debian's python3",
		    SCAPY_PYTHON);
		return SCAPY_SKIP;
	}
	if (access(SCAPY_SCRIPT, R_OK) != 0) {
		snprintf(r->why, sizeof(r->why), "no %s here: run from the "
		    "source tree, as make bench does", SCAPY_SCRIPT);
		return SCAPY_SKIP;
	}
	if (!write_samples(path)) {
		snprintf(r->why, sizeof(r->why), "cannot write the PBUs to %s",
		    path);
		return SCAPY_FAIL;
	}
	rc = scapy_script(path, r);
	unlink(path);
	return rc;
}

/* The two scapy lines; false when the comparison failed (not skipped). */
static bool
print_scapy(double dec)
{
	struct scapy r;

	switch (run_scapy(&r)) {
	case SCAPY_OK:
		printf("codec.decode.scapy: %.0f msg/s (scapy %s in Debian's "
		    "python3 dissecting the same %u PBUs as MIPv6 layers, %lu "
		    "times in this run; no checksum check, the PMIPv6 options "
		    "left as raw TLVs)\n", r.rate, r.version, NMSG, r.n);
		printf("codec.decode_vs_scapy: %.0f x (codec.decode over "
		    "codec.decode.scapy, both measured in this run on the same "
		    "%u PBUs; cats also verifies the checksum and decodes every "
		    "option)\n", dec / r.rate, NMSG);
		return true;
	case SCAPY_SKIP:
		printf("codec.decode_vs_scapy: skipped (%s)\n", r.why);
		return true;
	default:
		printf("codec.decode_vs_scapy: failed (%s)\n", r.why);
		return false;
	}
}

int
main(void)
{
	size_t minlen, maxlen;
	double dec, enc;
	unsigned i;

	for (i = 0; i < NMSG; i++)
		make_sample(&samples[i], i);
	dec = run_decode(&minlen, &maxlen);
	enc = run_encode();
	printf("codec.msg_octets: %zu..%zu octets (PBU with MNID, HNP, HI, ATT, timestamp)\n",
	    minlen, maxlen);
	printf("codec.decode: %.0f msg/s (target %.0f, checksum verified; %s)\n",
	    dec, DECODE_TARGET, dec >= DECODE_TARGET ? "met" : "NOT met");
	printf("codec.encode: %.0f msg/s (target %.0f, checksum computed; %s)\n",
	    enc, ENCODE_TARGET, enc >= ENCODE_TARGET ? "met" : "NOT met");
	fflush(stdout);
	return print_scapy(dec) ? 0 : 1;
}
