/*
 * control.h: the control socket's commands.  control.c's table is the
 * reference: each entry names a command (cmd, what, action), the key table
 * of its arguments (conf_int.h: typed, bounded, unknown keys refused) and
 * the handler that gets them unpacked here.  bgp_ctl.c has the handlers of
 * the BGP and CATS-MUP commands.
 */
#ifndef CATSD_CONTROL_H
#define CATSD_CONTROL_H

#include <jansson.h>

#include "cats/metric.h"
#include "cats/mup.h"
#include "catsctl/bgp_route.h"
#include "catsd.h"

/* Metric values as given, each checked against metric.c's range. */
struct ctl_samples {
	struct cats_sample	 s[CATS_M__COUNT];
	size_t			 n;
};

struct ctl_client {
	struct ev	 ev;		/* client, lladdr */
	char		 service[NODE_SERVICE_ID_MAX + 1];	/* "": none */
};

struct ctl_metric {
	int64_t		 instance, ingress, egress;	/* -1: not given */
	struct ctl_samples m;
};

struct ctl_mup_metric {
	uint32_t	 cis_id;
	struct ctl_samples m;
};

/* A command's arguments: the member its key table describes. */
union ctl_arg {
	struct ctl_client	 client;
	struct ctl_metric	 metric;
	struct mup_session	 session;
	struct mup_instance	 instance;
	struct ctl_mup_metric	 mup_metric;
	struct bgp_route	 route;
	char			 neighbor[CONF_BGP_NAME_MAX];
};

/* Which of a handler's commands (an entry's op); client's: enum ev_type. */
enum ctl_op {
	CTL_UP, CTL_MOVE, CTL_RELEASE, CTL_DOWN,	/* mup session */
	CTL_ADD, CTL_REMOVE,				/* mup instance */
	CTL_SHOW_BGP, CTL_SHOW_ROUTES, CTL_SHOW_MUP,
};

/* The reply, or NULL with a sentence in err. */
typedef json_t *ctl_fn(struct catsd *, int op, union ctl_arg *, char *err,
    size_t len);

struct key;
struct ctl_cmd {
	const char		*name[3];	/* cmd, what, action (or NULL) */
	const struct key	*keys;		/* the request's other keys */
	/* instead of keys: a parser of the whole request */
	int			(*parse)(json_t *, union ctl_arg *, char *err,
				    size_t len);
	const union ctl_arg	*init;		/* defaults; NULL: zeros */
	ctl_fn			*fn;
	json_t			*(*show)(struct catsd *);	/* or this */
	int			 op;		/* fn's */
};

/* The command a request line names, with its arguments in 'a': only
 * parsed and checked, nothing done (the configuration is read for what
 * depends on it: the MUP family and RAN PEs).  NULL with a sentence in err.
 * Neither fn nor show: the reply is streamed (show sessions). */
const struct ctl_cmd *ctl_parse(struct catsd *, const char *line, size_t len,
	    union ctl_arg *a, char *err, size_t errlen);

/* bgp_ctl.c: show bgp|bgp-routes|mup, mup session|instance|metric, bgp
 * route|neighbor */
ctl_fn	 bgp_ctl_show, bgp_ctl_session, bgp_ctl_instance, bgp_ctl_metric,
	    bgp_ctl_route, bgp_ctl_neighbor;

#endif /* CATSD_CONTROL_H */
