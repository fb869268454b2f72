/*
 * prom.h: Prometheus metrics (prom.c, docs/catsd.md "Prometheus metrics"):
 * GET /metrics in the text exposition format, on the address of the
 * configuration's "prometheus" section, served from the daemon's loop.
 */
#ifndef CATSD_PROM_H
#define CATSD_PROM_H

struct catsd;

/* In start(), before privileges drop: the listening socket and the HTTP
 * server on the loop.  0 (nothing done) without a "prometheus" section;
 * -1 logged. */
int	 prom_open(struct catsd *);
void	 prom_close(struct catsd *);

#endif /* CATSD_PROM_H */
