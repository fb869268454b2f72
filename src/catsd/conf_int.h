/*
 * conf_int.h: what the parser (conf.c) and the printer (conf_print.c)
 * share: the names of every enumerated value, so that a name the printer
 * writes is always one the parser reads.  And the parser's key tables,
 * which the control socket's commands (control.c) are described with too:
 * one way of reading JSON for the file and the socket.
 */
#ifndef CATSD_CONF_INT_H
#define CATSD_CONF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct conf_name {
	const char	*name;
	int		 value;
};

/* Tables end with { NULL, 0 }. */
extern const struct conf_name conf_roles[];	/* enum node_role bits */
extern const struct conf_name conf_transports[];
extern const struct conf_name conf_levels[];	/* LOG_ERR..LOG_DEBUG */
extern const struct conf_name conf_setups[];
extern const struct conf_name conf_finds[];
extern const struct conf_name conf_backends[];
extern const struct conf_name conf_bgp_families[];	/* 1 << bgp_af */
extern const struct conf_name conf_mup_roles[];	/* enum mup_role bits */
extern const struct conf_name conf_mup_modes[];
extern const struct conf_name conf_ra_prefs[];	/* enum ra_pref */
extern const struct conf_name conf_seccomp_modes[];	/* enum conf_seccomp */

/* The name of value in t, or NULL. */
const char	*conf_name_of(const struct conf_name *t, int value);

/* ---- key tables (conf.c) ---- */

/* Where a parse is: the key path and the error line. */
struct pctx {
	const char	*file;		/* the error line's first word */
	char		*err;
	size_t		 errlen;
	char		 path[192];	/* e.g. peers[2].address */
	size_t		 plen;
	char		 got[96];	/* what got() last rendered */
	bool		 quote;		/* file: key "path": (else file: path:) */
	struct conf	*c;
	size_t		 peer;		/* the peer being parsed (its sid) */
	size_t		 inst;		/* the instance being parsed */
};

struct key;
typedef int (*setter_fn)(struct pctx *, json_t *, void *base,
    const struct key *);

struct key {
	const char	*name;
	setter_fn	 set;
	size_t		 off;		/* of the field in the section's base */
	size_t		 size;		/* of the field */
	int64_t		 min, max;	/* integers, prefix lengths */
	double		 dmin, dmax;	/* reals */
	const void	*aux;		/* names, or the table of a sub-object */
	uint32_t	 role;		/* a role section: the role it needs */
	unsigned	 flags;
};

#define K_REQUIRED	0x01
#define K_NULL		0x02	/* null stands for "none" */
#define K_NONZERO	0x04	/* an address other than :: */
#define K_NAME		0x08	/* letters, digits, '.', '_', '-' */
#define K_IFNAME	0x10	/* what Linux accepts as an interface name */

#define FIELD(type, f)	.off = offsetof(type, f), \
			.size = sizeof(((type *)0)->f)
#define UINT(k, type, f, lo, hi, fl) \
	{ .name = k, .set = conf_set_uint, FIELD(type, f), .min = lo, \
	  .max = hi, .flags = fl }
#define LIMIT(k, type, f, hi) \
	{ .name = k, .set = conf_set_limit, FIELD(type, f), .min = 0, .max = hi }
#define REAL(k, type, f, lo, hi) \
	{ .name = k, .set = conf_set_real, FIELD(type, f), .dmin = lo, \
	  .dmax = hi }
#define BOOL(k, type, f) \
	{ .name = k, .set = conf_set_bool, FIELD(type, f) }
#define ENUM(k, type, f, names) \
	{ .name = k, .set = conf_set_enum, FIELD(type, f), .aux = names }
#define ADDR(k, type, f, fl) \
	{ .name = k, .set = conf_set_addr, FIELD(type, f), .flags = fl }
#define PREFIX(k, type, f, lo, hi, fl) \
	{ .name = k, .set = conf_set_prefix, FIELD(type, f), .min = lo, \
	  .max = hi, .flags = fl }
#define STR(k, type, f, fl) \
	{ .name = k, .set = conf_set_str, FIELD(type, f), .flags = fl }
/* a sub-object: its table's offsets count from base + off */
#define SUB(k, offset, table, r, fl) \
	{ .name = k, .set = conf_set_section, .off = offset, .aux = table, \
	  .role = r, .flags = fl }
#define CUSTOM(k, fn, fl) \
	{ .name = k, .set = fn, .flags = fl }
#define CUSTOM_AUX(k, fn, a, fl) \
	{ .name = k, .set = fn, .aux = a, .flags = fl }
#define END	{ .name = NULL }

/* Every key of obj in the table (or "comment"), then each applied in table
 * order; -1 with the error line in p->err. */
int	 conf_walk(struct pctx *, json_t *obj, const struct key *, void *base);
/* The error "expected <what>, got <v>". */
int	 conf_expected(struct pctx *, const json_t *v, const char *what);
/* The setters of the macros above; conf_set_mupaddr: an address of the
 * family of mup.address (p->c). */
int	 conf_set_uint(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_limit(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_real(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_bool(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_enum(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_addr(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_prefix(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_str(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_section(struct pctx *, json_t *, void *, const struct key *);
int	 conf_set_mupaddr(struct pctx *, json_t *, void *, const struct key *);

#endif /* CATSD_CONF_INT_H */
