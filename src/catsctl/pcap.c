/*
 * pcap: capture files in and out, through libpcap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "catsctl/frame.h"
#include "catsctl/pcap.h"

#define CAP_SNAPLEN	65535

struct cap_writer {
	pcap_t		*pcap;
	pcap_dumper_t	*dump;
};

int
cap_read(const char *path, cap_frame_fn fn, void *arg, char *err,
    size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct cap_frame f = { .n = 0 };
	pcap_t *p;
	int rc;

	if ((p = pcap_open_offline(path, perr)) == NULL) {
		snprintf(err, errlen, "%s", perr);
		return -1;
	}
	f.dlt = pcap_datalink(p);
	if (!frame_dlt_ok(f.dlt)) {
		snprintf(err, errlen, "%s: link type %d not supported", path,
		    f.dlt);
		pcap_close(p);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		f.n++;
		f.p = data;
		f.caplen = h->caplen;
		f.len = h->len;
		fn(&f, arg);
	}
	if (rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	return 0;
}

struct cap_writer *
cap_create(const char *path, char *err, size_t errlen)
{
	struct cap_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((w->pcap = pcap_open_dead(DLT_RAW, CAP_SNAPLEN)) == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		free(w);
		return NULL;
	}
	if ((w->dump = pcap_dump_open(w->pcap, path)) == NULL) {
		snprintf(err, errlen, "%s", pcap_geterr(w->pcap));
		pcap_close(w->pcap);
		free(w);
		return NULL;
	}
	return w;
}

void
cap_write(struct cap_writer *w, const uint8_t *p, size_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dump, &h, p);
}

int
cap_close(struct cap_writer *w)
{
	int rc = 0;

	if (pcap_dump_flush(w->dump) != 0)
		rc = -1;
	if (ferror(pcap_dump_file(w->dump)))
		rc = -1;
	pcap_dump_close(w->dump);
	pcap_close(w->pcap);
	free(w);
	return rc;
}
