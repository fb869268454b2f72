/*
 * topo: the simulator's topology, read from a file.
 *
 * Sans-I/O: every parser takes the file's bytes (pointer + length) and the
 * file's name, which is only used in messages; the caller reads the file.
 * A parser either fills a complete struct topo and returns 0, or leaves it
 * empty (nothing to free) and returns -1 with a struct file_err saying
 * where ("FILE:LINE") and why.  docs/topology.md is the prose of this file.
 *
 * Two formats are read:
 *
 *  - GML, the subset the Internet Topology Zoo uses:
 *	graph [ directed 0
 *	  node [ id 0 label "Seattle" Latitude 47.6 Longitude -122.3 ]
 *	  edge [ source 0 target 1 LinkSpeedRaw 10000000000 ]
 *	]
 *    Node ids are any integers in any order (mapped to dense indices in
 *    file order).  Unknown keys are skipped, nested lists included
 *    (graphics [ ... ]).  A node's name is its label (trimmed), else its
 *    id in decimal; labels may repeat (Zoo files have some), and then
 *    topo_find() finds the first.  Keys are matched ignoring case.
 *    Node key "access 1" is our extension: an access node (ingress).
 *    Edge delay: "LinkDelay" or "delay", a number in ms, or a string
 *    "X ms", "X us", "X s" (also "Xms", "X msec", "X µs"); bandwidth:
 *    "LinkSpeedRaw" or "bandwidth", bits/s.  Links are undirected even
 *    with "directed 1"; parallel links keep the lowest delay (and the
 *    highest bandwidth) and are counted in struct topo.dup_links.
 *
 *  - An edge list, one statement a line, '#' starts a comment:
 *	node NAME [lat LAT lon LON] [access]
 *	link A B [delay D(us|ms|s)] [bw B(bps|kbps|Mbps|Gbps)]
 *    Names are words (no blanks, no '#'), case-sensitive.  A name is
 *    declared by its first use (node or link line); a later node line
 *    may still give it coordinates and "access", a second node line for
 *    the same name is refused.  Units are glued to the number ("5ms") or
 *    the next word ("5 ms"); a delay or bandwidth without one is refused.
 *    Numbers may have a fraction ("0.5ms", "2.5Gbps").
 *
 * In both: a link without a delay gets topo_fiber_delay_us() of the great
 * circle between its ends when both have coordinates, else the file is
 * refused.  When no node is marked access, every node is an access node.
 * Limits: TOPO_MAX_NODES nodes, TOPO_MAX_LINKS links, names shorter than
 * TOPO_NAME_MAX, delays up to TOPO_MAX_DELAY_US (rounded up to whole us,
 * at least 1), bandwidths up to TOPO_MAX_BW_BPS, no NUL bytes.
 */
#ifndef CATS_TOPO_H
#define CATS_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPO_NAME_MAX		64		/* with the NUL */
#define TOPO_MAX_NODES		1000000
#define TOPO_MAX_LINKS		10000000
#define TOPO_MAX_DELAY_US	3600000000u	/* one hour */
#define TOPO_MAX_BW_BPS		1e18		/* 1 Ebit/s */

struct topo_node {
	char		 name[TOPO_NAME_MAX];
	double		 lat, lon;	/* degrees, when geo */
	bool		 geo;		/* lat/lon given */
	bool		 access;	/* an ingress (see above) */
};

struct topo_link {
	uint32_t	 a, b;		/* node indices, a != b */
	uint32_t	 delay_us;	/* one way, >= 1 */
	uint64_t	 bw_bps;	/* 0: unknown */
};

struct topo {
	struct topo_node *nodes;
	size_t		 nnodes;
	struct topo_link *links;
	size_t		 nlinks;
	size_t		 dup_links;	/* parallel links merged into one */
};

/* Where and why a file was refused. */
struct file_err {
	char		 file[256];
	unsigned	 line;		/* 1-based; 0: the whole file */
	char		 reason[160];
};

/* "FILE:LINE: REASON" (just "FILE: REASON" when line is 0). */
void	 file_err_format(const struct file_err *, char *out, size_t cap);
/* Fill e; reason is printf-like.  Returns -1, for "return file_err_set()". */
int	 file_err_set(struct file_err *, const char *file, unsigned line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

int	 topo_parse_gml(struct topo *, const char *buf, size_t len,
	    const char *file, struct file_err *);
int	 topo_parse_edges(struct topo *, const char *buf, size_t len,
	    const char *file, struct file_err *);
/* GML when the first word (after whitespace and '#' comments) is a GML
 * top-level key ("graph", "Creator", "Version", "comment", ...), else an
 * edge list. */
int	 topo_parse(struct topo *, const char *buf, size_t len,
	    const char *file, struct file_err *);
void	 topo_free(struct topo *);

/* Index of the node named name, or -1. */
int	 topo_find(const struct topo *, const char *name);
/* Number of access nodes. */
size_t	 topo_naccess(const struct topo *);

/* A hashed name -> index map of a parsed topo, for readers that look up
 * many names (trace.h); first node wins on a repeated name. */
struct topo_names {
	const struct topo *t;
	uint32_t	*slot;		/* node index + 1, 0 empty */
	size_t		 mask;
};
int	 topo_names_init(struct topo_names *, const struct topo *); /* ENOMEM */
int	 topo_names_find(const struct topo_names *, const char *name,
	    size_t len);		/* index or -1 */
void	 topo_names_free(struct topo_names *);

/* Haversine, R = 6371 km. */
double	 topo_great_circle_km(double lat1, double lon1, double lat2,
	    double lon2);
/* km / (2/3 c), c = 299792.458 km/s, in us rounded up, at least 1
 * (TOPO_MAX_DELAY_US at most; 1 for a negative or NaN distance). */
uint32_t topo_fiber_delay_us(double km);

/*
 * Single-source shortest one-way delays (Dijkstra, binary heap,
 * O(E log V)) from node src over all links, undirected: out_us[nnodes] in
 * microseconds, UINT32_MAX when unreachable; hop counts too if hops is not
 * NULL (UINT16_MAX when unreachable or above).  Returns 0, or -1 with
 * errno ENOMEM, or EINVAL when src is out of range.
 */
int	 topo_paths(const struct topo *, uint32_t src, uint32_t *out_us,
	    uint16_t *hops);
/* Minimum bandwidth along the shortest path tree could be added later. */

#endif /* CATS_TOPO_H */
