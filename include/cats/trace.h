/*
 * trace: a mobility trace, which client attaches to which ingress when.
 *
 * Sans-I/O like topo.h: the caller reads the file.  One event a line,
 * '#' starts a comment, blank lines are skipped:
 *
 *	TIME_MS CLIENT NODE
 *
 * TIME_MS is a decimal integer in ms, at most TRACE_MAX_MS (2^53), not
 * below the previous line's; CLIENT a decimal id below 2^32; NODE the name
 * of an access node of the topology the trace is read against.  A
 * malformed line refuses the whole file (struct file_err, topo.h).
 */
#ifndef CATS_TRACE_H
#define CATS_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "cats/topo.h"

#define TRACE_MAX_MS		(UINT64_C(1) << 53)
#define TRACE_MAX_EVENTS	100000000	/* 100 M lines */

struct trace_ev {
	uint64_t	 at_ms;
	uint32_t	 client;
	uint32_t	 node;		/* index in the topo */
};

struct trace {
	struct trace_ev	*ev;
	size_t		 n;
};

int	 trace_parse(struct trace *, const struct topo *, const char *buf,
	    size_t len, const char *file, struct file_err *);
void	 trace_free(struct trace *);

#endif /* CATS_TRACE_H */
