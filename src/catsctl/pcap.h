/*
 * pcap: reading and writing capture files through libpcap.  Reading takes
 * pcap and pcapng; writing makes a pcap of bare IP packets (DLT_RAW).
 */
#ifndef CATSCTL_PCAP_H
#define CATSCTL_PCAP_H

#include <stddef.h>
#include <stdint.h>

/* One captured frame: its 1-based number, link type and bytes. */
struct cap_frame {
	unsigned long	 n;
	int		 dlt;
	const uint8_t	*p;
	size_t		 caplen;	/* octets in p */
	size_t		 len;		/* octets on the wire */
};

typedef void (*cap_frame_fn)(const struct cap_frame *, void *);

/* Call fn on every frame of path.  -1 with a reason if it cannot be read
 * or its link type is not one frame_parse() knows. */
int	 cap_read(const char *path, cap_frame_fn fn, void *arg, char *err,
	    size_t errlen);

struct cap_writer;

struct cap_writer *cap_create(const char *path, char *err, size_t errlen);
void	 cap_write(struct cap_writer *w, const uint8_t *p, size_t len);
/* Flush and close; -1 if anything failed to be written. */
int	 cap_close(struct cap_writer *w);

#endif /* CATSCTL_PCAP_H */
