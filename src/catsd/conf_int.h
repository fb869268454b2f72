/*
 * conf_int.h: what the parser (conf.c) and the printer (conf_print.c)
 * share: the names of every enumerated value, so that a name the printer
 * writes is always one the parser reads.
 */
#ifndef CATSD_CONF_INT_H
#define CATSD_CONF_INT_H

#include <stddef.h>

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

/* The name of value in t, or NULL. */
const char	*conf_name_of(const struct conf_name *t, int value);

#endif /* CATSD_CONF_INT_H */
