/*
 * conf.c: catsd's configuration parser (cats/conf.h; the format is in
 * docs/config.md).
 *
 * jansson loads the text (duplicate keys refused); then one table of keys
 * per section says, for each key, its setter and where its value goes.  The
 * walker refuses unknown keys, so a typo never silently becomes a default.
 * Everything lands in a new struct conf, copied out only when the whole
 * file is valid: a bad file never touches a running configuration.
 *
 * Sections are applied in the order of the top-level table, not of the
 * file, because later sections depend on earlier ones: the node's roles
 * decide which role sections may appear, peers give the names that
 * controller instances refer to, services the ids instances name.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <jansson.h>

#include "cats/conf.h"
#include "cats/hold.h"
#include "cats/ra.h"
#include "cats/stamp.h"
#include "catsd/conf_int.h"

#define CONF_FILE_MAX	(1u << 20)	/* a larger file is a mistake */
#define LIFETIME_UNIT	4		/* seconds: the wire's lifetime unit */
#define LIFETIME_MAX_S	(65535 * LIFETIME_UNIT)
#define SEL_FLOWS_MAX	(1u << 24)	/* select.c's limit on identifiers */

const struct conf_name conf_roles[] = {
	{ "ingress", NODE_INGRESS },
	{ "egress", NODE_EGRESS },
	{ "controller", NODE_CONTROLLER },
	{ "locator", NODE_LOCATOR },
	{ NULL, 0 },
};

const struct conf_name conf_transports[] = {
	{ "udp", CONF_TRANSPORT_UDP },
	{ "raw", CONF_TRANSPORT_RAW },
	{ NULL, 0 },
};

const struct conf_name conf_levels[] = {
	{ "err", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
	{ NULL, 0 },
};

const struct conf_name conf_setups[] = {
	{ "controller", SETUP_QUERY_CONTROLLER },
	{ "egresses", SETUP_QUERY_EGRESSES },
	{ NULL, 0 },
};

const struct conf_name conf_finds[] = {
	{ "locator", FIND_LOCATOR },
	{ "prefix", FIND_PREFIX },
	{ NULL, 0 },
};

const struct conf_name conf_backends[] = {
	{ "none", CONF_DP_NONE },
	{ "kernel", CONF_DP_KERNEL },
	{ "bpf", CONF_DP_BPF },
	{ "auto", CONF_DP_AUTO },
	{ NULL, 0 },
};

const struct conf_name conf_bgp_families[] = {
	{ "ipv6-mup", 1 << BGP_AF_IPV6_MUP },
	{ "ipv4-mup", 1 << BGP_AF_IPV4_MUP },
	{ "ipv6-unicast", 1 << BGP_AF_IPV6_UNICAST },
	{ NULL, 0 },
};

const struct conf_name conf_mup_roles[] = {
	{ "site-pe", MUP_SITE_PE },
	{ "ran-pe", MUP_RAN_PE },
	{ "controller", MUP_CONTROLLER },
	{ NULL, 0 },
};

const struct conf_name conf_mup_modes[] = {
	{ "central", MUP_CENTRAL },
	{ "distributed", MUP_DISTRIBUTED },
	{ NULL, 0 },
};

const struct conf_name conf_ra_prefs[] = {
	{ "low", RA_PREF_LOW },
	{ "medium", RA_PREF_MEDIUM },
	{ "high", RA_PREF_HIGH },
	{ NULL, 0 },
};

const struct conf_name conf_seccomp_modes[] = {
	{ "kill", CONF_SECCOMP_KILL },
	{ "log", CONF_SECCOMP_LOG },
	{ "off", CONF_SECCOMP_OFF },
	{ NULL, 0 },
};

const char *
conf_name_of(const struct conf_name *t, int value)
{
	for (; t->name != NULL; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

/* ---- parsing context: the key path and the error line ---- */

static int fail(struct pctx *, const char *, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(struct pctx *p, const char *fmt, ...)
{
	char msg[CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen == 0)
		return -1;
	if (p->plen == 0)
		snprintf(p->err, p->errlen, "%s: %s", p->file, msg);
	else if (p->quote)	/* the control socket's sentences */
		snprintf(p->err, p->errlen, "%s: key \"%s\": %s", p->file,
		    p->path, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s: %s", p->file, p->path, msg);
	return -1;
}

/* Append to the key path; keys from the file may hold anything, so only
 * printable ASCII reaches the error line. */
static size_t
push(struct pctx *p, const char *key)
{
	size_t mark = p->plen;

	if (p->plen > 0 && p->plen < sizeof(p->path) - 1)
		p->path[p->plen++] = '.';
	for (; *key != '\0' && p->plen < sizeof(p->path) - 1; key++)
		p->path[p->plen++] = isprint((unsigned char)*key) ? *key : '?';
	p->path[p->plen] = '\0';
	return mark;
}

static size_t
push_index(struct pctx *p, size_t i)
{
	size_t mark = p->plen;
	int n;

	n = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, "[%zu]", i);
	if (n > 0)
		p->plen += (size_t)n < sizeof(p->path) - p->plen ?
		    (size_t)n : sizeof(p->path) - p->plen - 1;
	return mark;
}

static void
pop(struct pctx *p, size_t mark)
{
	p->plen = mark;
	p->path[mark] = '\0';
}

/* The value as the error line shows it: JSON for scalars (ASCII only,
 * cut short), a word for containers, "nothing" for a missing key. */
static const char *
got(struct pctx *p, const json_t *v)
{
	char *s;

	if (v == NULL)
		return "nothing";
	if (json_is_object(v))
		return "an object";
	if (json_is_array(v))
		return "an array";
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII |
	    JSON_REAL_PRECISION(15));
	if (s == NULL)
		return "a value";
	if (strlen(s) < sizeof(p->got))
		snprintf(p->got, sizeof(p->got), "%s", s);
	else
		snprintf(p->got, sizeof(p->got), "%.*s...",
		    (int)sizeof(p->got) - 4, s);
	free(s);
	return p->got;
}

int
conf_expected(struct pctx *p, const json_t *v, const char *what)
{
	return fail(p, "expected %s, got %s", what, got(p, v));
}

/* "a", "b" or "c" */
static void
name_list(const struct conf_name *t, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; t->name != NULL && n < len; t++) {
		const char *sep = n == 0 ? "" : t[1].name == NULL ? " or " : ", ";

		n += (size_t)snprintf(buf + n, len - n, "%s\"%s\"", sep, t->name);
	}
}

/* ---- generic setters (the key tables: conf_int.h) ---- */

static int
get_int(struct pctx *p, json_t *v, int64_t min, int64_t max, uint64_t *out)
{
	json_int_t x;

	if (!json_is_integer(v) || (x = json_integer_value(v)) < min ||
	    x > max)
		return fail(p, "expected an integer from %lld to %lld, got %s",
		    (long long)min, (long long)max, got(p, v));
	*out = (uint64_t)x;
	return 0;
}

static void
store_uint(void *field, size_t size, uint64_t x)
{
	uint8_t u8 = (uint8_t)x;
	uint16_t u16 = (uint16_t)x;
	uint32_t u32 = (uint32_t)x;

	switch (size) {
	case 1: memcpy(field, &u8, 1); break;
	case 2: memcpy(field, &u16, 2); break;
	case 4: memcpy(field, &u32, 4); break;
	default: memcpy(field, &x, 8); break;
	}
}

int
conf_set_uint(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	uint64_t x = 0;	/* gcc -O2 cannot see get_int set it */

	if (get_int(p, v, k->min, k->max, &x) != 0)
		return -1;
	store_uint((char *)base + k->off, k->size, x);
	return 0;
}

/* A maximum-type requirement: null is MH_REQ_UNSET, "no limit". */
int
conf_set_limit(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	uint32_t x = MH_REQ_UNSET;

	if (!json_is_null(v)) {
		json_int_t i;

		if (!json_is_integer(v) || (i = json_integer_value(v)) < 0 ||
		    i > k->max)
			return fail(p, "expected null or an integer from 0 to "
			    "%lld, got %s", (long long)k->max, got(p, v));
		x = (uint32_t)i;
	}
	memcpy((char *)base + k->off, &x, sizeof(x));
	return 0;
}

int
conf_set_real(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	double x;

	if (!json_is_number(v) || (x = json_number_value(v)) < k->dmin ||
	    x > k->dmax) {
		if (k->dmax == DBL_MAX)
			return fail(p, "expected a number >= %g, got %s",
			    k->dmin, got(p, v));
		return fail(p, "expected a number from %g to %g, got %s",
		    k->dmin, k->dmax, got(p, v));
	}
	x += 0.0;	/* -0 becomes 0: the printer writes it as 0 */
	memcpy((char *)base + k->off, &x, sizeof(x));
	return 0;
}

int
conf_set_bool(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	bool b;

	if (!json_is_boolean(v))
		return conf_expected(p, v, "true or false");
	b = json_is_true(v);
	memcpy((char *)base + k->off, &b, sizeof(b));
	return 0;
}

static int
find_name(const struct conf_name *t, const char *s)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, s) == 0)
			return t->value;
	return -1;
}

int
conf_set_enum(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	char list[128];
	int x = -1;

	if (json_is_string(v))
		x = find_name(k->aux, json_string_value(v));
	if (x < 0) {
		name_list(k->aux, list, sizeof(list));
		return fail(p, "expected %s, got %s", list, got(p, v));
	}
	memcpy((char *)base + k->off, &x, sizeof(x));	/* enums are ints */
	return 0;
}

static bool
zero16(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

static int
get_addr(struct pctx *p, json_t *v, unsigned flags, uint8_t out[16])
{
	const char *what = (flags & K_NULL) ? "null or an IPv6 address" :
	    "an IPv6 address";

	if (json_is_null(v) && (flags & K_NULL)) {
		memset(out, 0, 16);
		return 0;
	}
	if (!json_is_string(v) ||
	    inet_pton(AF_INET6, json_string_value(v), out) != 1)
		return conf_expected(p, v, what);
	if ((flags & K_NONZERO) && zero16(out))
		return fail(p, "expected %s other than ::, got %s", what,
		    got(p, v));
	return 0;
}

int
conf_set_addr(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	return get_addr(p, v, k->flags | K_NONZERO, (uint8_t *)base + k->off);
}

static bool
host_bits_zero(const struct mh_prefix *pf)
{
	unsigned full = pf->len / 8, rest = pf->len % 8;

	if (rest != 0 && (pf->addr[full] & (0xff >> rest)) != 0)
		return false;
	for (unsigned i = full + (rest != 0); i < 16; i++)
		if (pf->addr[i] != 0)
			return false;
	return true;
}

/* "ADDR/LEN": the length in decimal, at most three digits. */
static bool
parse_prefix(const char *s, struct mh_prefix *pf)
{
	char a[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen, dlen;
	unsigned len = 0;

	if (slash == NULL || (alen = (size_t)(slash - s)) >= sizeof(a))
		return false;
	dlen = strlen(slash + 1);
	if (dlen == 0 || dlen > 3 || strspn(slash + 1, "0123456789") != dlen)
		return false;
	for (const char *d = slash + 1; *d != '\0'; d++)
		len = len * 10 + (unsigned)(*d - '0');
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (len > 128 || inet_pton(AF_INET6, a, pf->addr) != 1)
		return false;
	pf->len = (uint8_t)len;
	return true;
}

int
conf_set_prefix(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct mh_prefix pf;

	memset(&pf, 0, sizeof(pf));
	if (json_is_null(v) && (k->flags & K_NULL)) {
		memcpy((char *)base + k->off, &pf, sizeof(pf));
		return 0;
	}
	if (!json_is_string(v) || !parse_prefix(json_string_value(v), &pf) ||
	    pf.len < k->min || pf.len > k->max)
		return fail(p, "expected %san IPv6 prefix ADDRESS/LENGTH with "
		    "LENGTH from %lld to %lld, got %s",
		    (k->flags & K_NULL) ? "null or " : "", (long long)k->min,
		    (long long)k->max, got(p, v));
	if (!host_bits_zero(&pf))
		return fail(p, "expected no address bits set after /%u, got %s",
		    pf.len, got(p, v));
	memcpy((char *)base + k->off, &pf, sizeof(pf));
	return 0;
}

static bool
name_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return false;
	return true;
}

/* Linux dev_valid_name(): no '/', ':' or white space; not "." or "..". */
static bool
ifname_ok(const char *s)
{
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	return true;
}

int
conf_set_str(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	char *field = (char *)base + k->off;
	const char *s;
	size_t len;

	if (json_is_null(v) && (k->flags & K_NULL)) {
		field[0] = '\0';
		return 0;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
		if (len > 0 && len < k->size &&
		    (!(k->flags & K_NAME) || name_ok(s)) &&
		    (!(k->flags & K_IFNAME) || ifname_ok(s))) {
			memcpy(field, s, len + 1);
			return 0;
		}
	}
	return fail(p, "expected %s%s of 1 to %zu characters%s, got %s",
	    (k->flags & K_NULL) ? "null or " : "",
	    (k->flags & K_IFNAME) ? "an interface name" :
	    (k->flags & K_NAME) ? "a name" : "a string", k->size - 1,
	    (k->flags & K_NAME) ? " (letters, digits, '.', '_', '-')" : "",
	    got(p, v));
}

/* A sub-object whose keys land at base + off; a role section needs the
 * node to have that role. */
int
conf_set_section(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	if (k->role != 0 && !(p->c->node.roles & k->role))
		return fail(p, "expected only on a node with role \"%s\"",
		    conf_name_of(conf_roles, (int)k->role));
	return conf_walk(p, v, k->aux, (char *)base + k->off);
}

/* ---- the walker ---- */

static const struct key *
key_find(const struct key *keys, const char *name)
{
	for (; keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

static int
unknown_key(struct pctx *p, const struct key *keys, const char *name)
{
	char list[200];
	size_t n = 0;

	list[0] = '\0';
	for (; keys->name != NULL && n < sizeof(list); keys++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
		    n == 0 ? "" : ", ", keys->name);
	push(p, name);
	return fail(p, "unknown key; expected %s%s", list[0] != '\0' ?
	    "one of: " : "none", list);
}

/*
 * Every key of obj must be in the table, or be "comment" (a string the
 * file may carry anywhere, ignored); then the table's keys are applied in
 * table order.  Missing keys keep the defaults already in base.
 */
int
conf_walk(struct pctx *p, json_t *obj, const struct key *keys, void *base)
{
	const struct key *k;
	const char *name;
	json_t *v;
	size_t mark;

	if (!json_is_object(obj))
		return conf_expected(p, obj, "an object");
	json_object_foreach(obj, name, v) {
		if (strcmp(name, "comment") == 0) {
			if (json_is_string(v))
				continue;
			push(p, name);
			return conf_expected(p, v, "a string");
		}
		if (key_find(keys, name) == NULL)
			return unknown_key(p, keys, name);
	}
	for (k = keys; k->name != NULL; k++) {
		v = json_object_get(obj, k->name);
		if (v == NULL && !(k->flags & K_REQUIRED))
			continue;
		mark = push(p, k->name);
		if (k->set(p, v, base, k) != 0)
			return -1;
		pop(p, mark);
	}
	return 0;
}

/* ---- node, services, peers ---- */

static int
set_roles(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	uint32_t roles = 0;
	char list[128];
	json_t *r;
	size_t i, mark;
	int bit;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return conf_expected(p, v, "a non-empty array of roles");
	name_list(conf_roles, list, sizeof(list));
	json_array_foreach(v, i, r) {
		mark = push_index(p, i);
		bit = json_is_string(r) ?
		    find_name(conf_roles, json_string_value(r)) : -1;
		if (bit < 0)
			return fail(p, "expected %s, got %s", list, got(p, r));
		if (roles & (uint32_t)bit)
			return fail(p, "expected each role once, got %s again",
			    got(p, r));
		roles |= (uint32_t)bit;
		pop(p, mark);
	}
	memcpy((char *)base + k->off, &roles, sizeof(roles));
	return 0;
}

/*
 * node.limits and peers[].limits (docs/config.md, docs/catsd.md "Bounded
 * state"): entries a peer may make this node hold in each table, and its
 * signaling rate in messages a second with the burst it may send at once.
 * On the node 0 turns a bound off; on a peer 0 (or leaving it out) takes
 * the node's.  A table's total is timers.max_sessions.
 */
static const struct key limit_keys[] = {
	UINT("per_peer", struct node_limits, state, 0, 1u << 24, 0),
	UINT("rate", struct node_limits, rate, 0, 10000000, 0),
	UINT("burst", struct node_limits, burst, 0, 10000000, 0),
	END
};

static const struct key node_keys[] = {
	STR("name", struct node_cfg, name, K_REQUIRED | K_NAME),
	ADDR("address", struct node_cfg, addr, K_REQUIRED),
	{ .name = "roles", .set = set_roles, FIELD(struct node_cfg, roles),
	  .flags = K_REQUIRED },
	SUB("limits", offsetof(struct node_cfg, limits), limit_keys, 0, 0),
	END
};

/* An array of at most max objects. */
static int
check_array(struct pctx *p, json_t *v, size_t max, const char *what)
{
	if (!json_is_array(v))
		return fail(p, "expected an array of %s, got %s", what,
		    got(p, v));
	if (json_array_size(v) > max)
		return fail(p, "expected at most %zu %s, got %zu", max, what,
		    json_array_size(v));
	return 0;
}

static int
set_service_id(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_service *sv = base;
	size_t len;

	(void)k;
	if (!json_is_string(v) || (len = json_string_length(v)) == 0 ||
	    len > NODE_SERVICE_ID_MAX)
		return fail(p, "expected a string of 1 to %d octets, got %s",
		    NODE_SERVICE_ID_MAX, got(p, v));
	memcpy(sv->id, json_string_value(v), len);
	sv->id_len = (uint8_t)len;
	return 0;
}

static const struct key service_keys[] = {
	CUSTOM("id", set_service_id, K_REQUIRED),
	ADDR("address", struct node_service, addr, K_REQUIRED),
	END
};

static int
service_unique(struct pctx *p, json_t *o, size_t i)
{
	const struct node_cfg *n = &p->c->node;
	const struct node_service *sv = &n->services[i];

	for (size_t j = 0; j < i; j++) {
		if (n->services[j].id_len == sv->id_len &&
		    memcmp(n->services[j].id, sv->id, sv->id_len) == 0) {
			push(p, "id");
			return fail(p, "expected an id no other service has, "
			    "got %s", got(p, json_object_get(o, "id")));
		}
		if (memcmp(n->services[j].addr, sv->addr, 16) == 0) {
			push(p, "address");
			return fail(p, "expected an address no other service "
			    "has, got %s", got(p, json_object_get(o, "address")));
		}
	}
	return 0;
}

/* Services are numbered in the C-PS by their position here. */
static int
set_services(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_cfg *n = &p->c->node;
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, NODE_MAX_SERVICES, "services") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		if (conf_walk(p, o, service_keys, &n->services[i]) != 0 ||
		    service_unique(p, o, i) != 0)
			return -1;
		n->services[i].sel_id = (uint32_t)i;
		n->nservices = i + 1;
		pop(p, mark);
	}
	return 0;
}

static int
set_peer_sid(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base, (void)k;
	return get_addr(p, v, K_NULL | K_NONZERO, p->c->peers[p->peer].sid);
}

/* An egress's reflector (docs/probe.md); probed only by an ingress. */
static int
set_peer_probe(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	const struct node_peer *pr = base;

	(void)k;
	if (!(pr->roles & NODE_EGRESS))
		return fail(p, "expected only on a peer with role \"egress\"");
	return get_addr(p, v, K_NULL | K_NONZERO, p->c->peers[p->peer].probe);
}

/*
 * peers[].auth: the RFC 4285 keys shared with the peer (docs/config.md),
 * at most two valid at once so that a key can be rolled over: messages
 * to it are signed with the one marked "send" (default the first), and
 * messages from it verify with either.  SPIs 0..255 are reserved (RFC
 * 4285 4).
 */
static int
set_auth_key(struct pctx *p, json_t *o, struct auth_key *k, bool *send)
{
	json_t *v;
	const char *name;
	uint64_t spi = 0;
	size_t mark;

	if (!json_is_object(o))
		return conf_expected(p, o,
		    "an object with \"spi\" and \"key\"");
	json_object_foreach(o, name, v)
		if (strcmp(name, "spi") != 0 && strcmp(name, "key") != 0 &&
		    strcmp(name, "send") != 0 && strcmp(name, "comment") != 0) {
			push(p, name);
			return fail(p, "expected \"spi\", \"key\" or \"send\"");
		}
	mark = push(p, "spi");
	if (get_int(p, json_object_get(o, "spi"), 256, UINT32_MAX, &spi) != 0)
		return -1;
	k->spi = (uint32_t)spi;
	pop(p, mark);
	mark = push(p, "key");
	v = json_object_get(o, "key");
	if (!json_is_string(v) || !auth_key_parse(k, json_string_value(v)) ||
	    k->len < AUTH_KEY_MIN)
		return fail(p, "expected %d to %d octets in hexadecimal, got %s",
		    AUTH_KEY_MIN, AUTH_KEY_MAX, got(p, v));
	pop(p, mark);
	v = json_object_get(o, "send");
	if (v != NULL && !json_is_boolean(v)) {
		push(p, "send");
		return conf_expected(p, v, "true or false");
	}
	*send = v != NULL && json_is_true(v);
	return 0;
}

static int
set_peer_auth(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct auth_keys *a = &((struct node_peer *)base)->auth;
	bool send = false, any_send = false;
	size_t i, mark;
	json_t *o;

	(void)k;
	memset(a, 0, sizeof(*a));
	if (json_is_null(v))
		return 0;
	if (check_array(p, v, AUTH_KEYS_MAX, "keys") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		if (set_auth_key(p, o, &a->keys[i], &send) != 0)
			return -1;
		if (i > 0 && a->keys[0].spi == a->keys[i].spi) {
			push(p, "spi");
			return fail(p, "expected an spi the other key has not, "
			    "got %u", a->keys[i].spi);
		}
		if (send && any_send)
			return fail(p, "expected one key with \"send\" true");
		if (send)
			a->send = (uint8_t)i;
		any_send = any_send || send;
		a->nkeys = (uint8_t)(i + 1);
		pop(p, mark);
	}
	return 0;
}

static const struct key peer_keys[] = {
	STR("name", struct node_peer, name, K_REQUIRED | K_NAME),
	ADDR("address", struct node_peer, addr, K_REQUIRED),
	{ .name = "roles", .set = set_roles, FIELD(struct node_peer, roles),
	  .flags = K_REQUIRED },
	CUSTOM("sid", set_peer_sid, 0),
	CUSTOM("probe", set_peer_probe, 0),
	BOOL("query", struct node_peer, query),
	BOOL("candidate", struct node_peer, candidate),
	PREFIX("subprefix", struct node_peer, subprefix, 1, 128, K_NULL),
	CUSTOM("auth", set_peer_auth, 0),
	SUB("limits", offsetof(struct node_peer, limits), limit_keys, 0, 0),
	END
};

static int
peer_unique(struct pctx *p, json_t *o, size_t i)
{
	const struct node_cfg *n = &p->c->node;
	const struct node_peer *pr = &n->peers[i];
	bool name = strcmp(pr->name, n->name) == 0;
	bool self = memcmp(pr->addr, n->addr, 16) == 0;
	bool addr = false;

	for (size_t j = 0; j < i; j++) {
		name = name || strcmp(n->peers[j].name, pr->name) == 0;
		addr = addr || memcmp(n->peers[j].addr, pr->addr, 16) == 0;
	}
	if (name) {
		push(p, "name");
		return fail(p, "expected a name neither this node nor another "
		    "peer has, got %s", got(p, json_object_get(o, "name")));
	}
	if (self || addr) {
		push(p, "address");
		return fail(p, "expected an address %s, got %s",
		    self ? "other than this node's" : "no other peer has",
		    got(p, json_object_get(o, "address")));
	}
	return 0;
}

/* Keys that only mean something for one role of the peer, and what a peer
 * of that role gets when the key is left out. */
static int
peer_role_keys(struct pctx *p, json_t *o, struct node_peer *pr)
{
	static const struct { const char *key; uint32_t role; } only[] = {
		{ "query", NODE_EGRESS },
		{ "candidate", NODE_INGRESS },
		{ "subprefix", NODE_INGRESS },
	};

	/* one sel_index per peer (node.h) cannot be both an ingress's and
	 * an egress's index in the C-PS */
	if ((pr->roles & NODE_INGRESS) && (pr->roles & NODE_EGRESS)) {
		push(p, "roles");
		return fail(p, "expected \"ingress\" or \"egress\", not both "
		    "(a peer has one index in the path selector)");
	}
	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		if (json_object_get(o, only[i].key) == NULL ||
		    (pr->roles & only[i].role))
			continue;
		push(p, only[i].key);
		return fail(p, "expected only on a peer with role \"%s\"",
		    conf_name_of(conf_roles, (int)only[i].role));
	}
	if ((pr->roles & NODE_EGRESS) && json_object_get(o, "query") == NULL)
		pr->query = true;
	if ((pr->roles & NODE_INGRESS) &&
	    json_object_get(o, "candidate") == NULL)
		pr->candidate = (p->c->node.roles & NODE_INGRESS) != 0;
	return 0;
}

/*
 * The C-PS numbers ingresses 0.. and egresses 0.., each in file order with
 * this node first; the indices only need to agree inside this node, whose
 * own selector they address.
 */
static void
assign_sel(struct node_cfg *n)
{
	uint32_t ingress = 0, egress = 0;

	n->sel_index = 0;
	if (n->roles & NODE_INGRESS)
		ingress++;
	if (n->roles & NODE_EGRESS)
		egress++;
	for (size_t i = 0; i < n->npeers; i++) {
		struct node_peer *pr = &n->peers[i];

		pr->sel_index = 0;
		if (pr->roles & NODE_INGRESS)
			pr->sel_index = ingress++;
		else if (pr->roles & NODE_EGRESS)
			pr->sel_index = egress++;
	}
}

static int
set_peers(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_cfg *n = &p->c->node;
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, NODE_MAX_PEERS, "peers") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		p->peer = i;
		if (conf_walk(p, o, peer_keys, &n->peers[i]) != 0 ||
		    peer_unique(p, o, i) != 0 ||
		    peer_role_keys(p, o, &n->peers[i]) != 0)
			return -1;
		n->npeers = i + 1;
		pop(p, mark);
	}
	assign_sel(n);
	return 0;
}

/* ---- role sections ---- */

static int
set_lifetime(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_cfg *n = base;
	json_int_t s;

	(void)k;
	if (!json_is_integer(v) || (s = json_integer_value(v)) < LIFETIME_UNIT ||
	    s > LIFETIME_MAX_S || s % LIFETIME_UNIT != 0)
		return fail(p, "expected a multiple of %d from %d to %d, got %s",
		    LIFETIME_UNIT, LIFETIME_UNIT, LIFETIME_MAX_S, got(p, v));
	n->lifetime = (uint16_t)(s / LIFETIME_UNIT);
	return 0;
}

static const struct key ingress_keys[] = {
	ENUM("setup", struct node_cfg, setup, conf_setups),
	ENUM("find", struct node_cfg, find, conf_finds),
	PREFIX("subprefix", struct node_cfg, subprefix, 1, 128, K_NULL),
	UINT("query_deadline_ms", struct node_cfg, query_deadline_ms, 1, 60000,
	    0),
	CUSTOM("lifetime_s", set_lifetime, 0),
	BOOL("transaction_switch", struct node_cfg, transaction_switch),
	UINT("continuity_idle_ms", struct node_cfg, continuity_idle_ms, 0,
	    3600000, 0),
	END
};

static int
set_inst_service(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_instance *in = base;
	int s = -1;

	(void)k;
	if (json_is_string(v))
		s = node_service_find(&p->c->node,
		    (const uint8_t *)json_string_value(v), json_string_length(v));
	if (s < 0)
		return conf_expected(p, v, "the id of one of services");
	in->service = (uint16_t)s;
	return 0;
}

/* A controller's instance sits behind an egress peer, or behind this node
 * when it is an egress too. */
static int
set_inst_egress(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	const struct node_cfg *n = &p->c->node;
	struct node_instance *in = base;
	const char *name;

	(void)k;
	if (!json_is_string(v))
		goto bad;
	name = json_string_value(v);
	if ((n->roles & NODE_EGRESS) && strcmp(name, n->name) == 0) {
		in->egress_sel = 0;	/* this node, the first egress */
		return 0;
	}
	for (size_t i = 0; i < n->npeers; i++) {
		if ((n->peers[i].roles & NODE_EGRESS) &&
		    strcmp(n->peers[i].name, name) == 0) {
			in->egress_sel = n->peers[i].sel_index;
			return 0;
		}
	}
bad:
	return conf_expected(p, v, "the name of a peer with role \"egress\"");
}

/* A decimal port 1..65535, no sign, no leading zero. */
static bool
port_ok(const char *s)
{
	size_t n = strlen(s);
	unsigned long v;

	if (n == 0 || n > 5 || s[0] == '0' || strspn(s, "0123456789") != n)
		return false;
	v = strtoul(s, NULL, 10);
	return v >= 1 && v <= 65535;
}

/* "[IPv6]:PORT" or "IPv4:PORT": the address (IPv4 in a's first 4
 * octets) and its family; what an edge's control port and the Prometheus
 * listener are written as. */
static bool
host_port(const char *s, int *af, uint8_t a[16], uint16_t *port)
{
	char host[INET6_ADDRSTRLEN];
	const char *end, *ps;
	size_t n;

	memset(a, 0, 16);
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL || end[1] != ':')
			return false;
		s++;
		ps = end + 2;
		*af = AF_INET6;
	} else {
		if ((end = strchr(s, ':')) == NULL)
			return false;
		ps = end + 1;
		*af = AF_INET;
	}
	if ((n = (size_t)(end - s)) == 0 || n >= sizeof(host) || !port_ok(ps))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = (uint16_t)strtoul(ps, NULL, 10);
	return inet_pton(*af, host, a) == 1;
}

/* "[IPv6]:PORT", "IPv4:PORT" or "unix:PATH", as cats-edge --control. */
static bool
edge_control_ok(const char *s)
{
	uint8_t a[16];
	uint16_t port;
	int af;

	if (strncmp(s, "unix:", 5) == 0)
		return s[5] != '\0' && strlen(s + 5) < CONF_PATH_MAX;
	return host_port(s, &af, a, &port);
}

/* An edge's control port, for an egress's and a MUP site PE's instances
 * alike: null (none), or what edge_control_ok takes. */
static int
get_edge_control(struct pctx *p, json_t *v, char out[CONF_EDGE_CTL_MAX])
{
	if (json_is_null(v)) {
		out[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= CONF_EDGE_CTL_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    !edge_control_ok(json_string_value(v)))
		return conf_expected(p, v, "null, \"[IPv6]:PORT\", "
		    "\"IPv4:PORT\" or \"unix:PATH\"");
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
set_edge_control(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base, (void)k;
	return get_edge_control(p, v, p->c->instances[p->inst].edge_control);
}

/* A list of names of 1 to 31 characters, "" ending it: what an instance
 * runs or has.  'array' and 'name' say what is expected in an error. */
static int
set_names(struct pctx *p, json_t *v, char (*list)[NODE_FUNC_LEN], size_t max,
    const char *array, const char *name)
{
	size_t i, len;
	json_t *f;

	if (!json_is_array(v) || json_array_size(v) > max)
		return conf_expected(p, v, array);
	memset(list, 0, max * sizeof(*list));
	json_array_foreach(v, i, f) {
		len = json_is_string(f) ? json_string_length(f) : 0;
		if (len == 0 || len >= NODE_FUNC_LEN ||
		    strlen(json_string_value(f)) != len) {
			push_index(p, i);
			return conf_expected(p, f, name);
		}
		memcpy(list[i], json_string_value(f), len + 1);
	}
	return 0;
}

/* The functions an instance runs, for affinity (anchoring 3 step 1.e). */
static int
set_inst_functions(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_instance *in = base;

	(void)k;
	return set_names(p, v, in->functions, NODE_INST_FUNCS,
	    "an array of at most 4 function names",
	    "a function name of 1 to 31 characters");
}

/* The computing resources an instance has (hardware features), for
 * "needs" (anchoring 3 step 1.d). */
static int
set_inst_resources(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_instance *in = base;

	(void)k;
	return set_names(p, v, in->resources, NODE_INST_RES,
	    "an array of at most 4 resource names",
	    "a resource name of 1 to 31 characters");
}

static const struct key egress_inst_keys[] = {
	UINT("id", struct node_instance, id, 0, UINT32_MAX, K_REQUIRED),
	CUSTOM("service", set_inst_service, K_REQUIRED),
	ADDR("edge", struct node_instance, edge, K_REQUIRED),
	CUSTOM("edge_control", set_edge_control, 0),
	CUSTOM("functions", set_inst_functions, 0),
	CUSTOM("resources", set_inst_resources, 0),
	END
};

static const struct key ctl_inst_keys[] = {
	UINT("id", struct node_instance, id, 0, UINT32_MAX, K_REQUIRED),
	CUSTOM("service", set_inst_service, K_REQUIRED),
	CUSTOM("egress", set_inst_egress, K_REQUIRED),
	CUSTOM("functions", set_inst_functions, 0),
	CUSTOM("resources", set_inst_resources, 0),
	END
};

static int
instance_check(struct pctx *p, json_t *o, size_t i)
{
	const struct node_cfg *n = &p->c->node;
	uint32_t id = n->instances[i].id;

	for (size_t j = 0; j < i; j++) {
		if (n->instances[j].id != id)
			continue;
		push(p, "id");
		return fail(p, "expected an id no other instance has, got %s",
		    got(p, json_object_get(o, "id")));
	}
	/* the controller's C-PS indexes instances by id */
	if ((n->roles & NODE_CONTROLLER) && id >= p->c->sel.max_instances) {
		push(p, "id");
		return fail(p, "expected an integer from 0 to %u (the path "
		    "selector's limit), got %s", p->c->sel.max_instances - 1,
		    got(p, json_object_get(o, "id")));
	}
	return 0;
}

/* Egress and controller instances share node.instances: the egress's
 * first (its egress_sel is this node's, 0), then the controller's. */
static int
set_instances(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct node_cfg *n = &p->c->node;
	size_t i, at, mark;
	json_t *o;

	(void)base;
	if (check_array(p, v, NODE_MAX_INSTANCES - n->ninstances,
	    "instances") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		at = n->ninstances;
		p->inst = at;
		mark = push_index(p, i);
		if (conf_walk(p, o, k->aux, &n->instances[at]) != 0 ||
		    instance_check(p, o, at) != 0)
			return -1;
		n->ninstances = at + 1;
		pop(p, mark);
	}
	return 0;
}

static const struct key cond_keys[] = {
	UINT("min_bw", struct mh_cats_req, min_bw, 0, UINT32_MAX, 0),
	LIMIT("max_latency_ns", struct mh_cats_req, max_lat, UINT32_MAX - 1),
	LIMIT("max_jitter_ns", struct mh_cats_req, max_jitter, UINT32_MAX - 1),
	LIMIT("max_loss_ppb", struct mh_cats_req, max_loss, 1000000000),
	LIMIT("comp_latency_ns", struct mh_cats_req, comp_lat, UINT32_MAX - 1),
	END
};

static int
set_transfer_port(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	uint64_t x = 0;

	(void)base, (void)k;
	if (get_int(p, v, 0, 65535, &x) != 0)
		return -1;
	p->c->transfer_port = (uint16_t)x;
	return 0;
}

static const struct key egress_keys[] = {
	PREFIX("pool", struct node_cfg, pool, 1, 127, K_REQUIRED),
	UINT("prefix_length", struct node_cfg, pool_plen, 1, 128, 0),
	CUSTOM_AUX("instances", set_instances, egress_inst_keys, 0),
	SUB("conditions", offsetof(struct node_cfg, conditions), cond_keys, 0, 0),
	CUSTOM("transfer_port", set_transfer_port, 0),
	END
};

static const struct key controller_keys[] = {
	CUSTOM_AUX("instances", set_instances, ctl_inst_keys, 0),
	END
};

/* ---- selector ---- */

static int
set_policy(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct cats_sel_cfg *s = base;
	char list[160];
	size_t n = 0;
	int x = -1;

	(void)k;
	if (json_is_string(v))
		x = cats_policy_from_name(json_string_value(v));
	if (x >= 0) {
		s->policy = (enum cats_policy)x;
		return 0;
	}
	list[0] = '\0';
	for (int i = 0; i < CATS_POL__COUNT && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
		    i == 0 ? "" : i + 1 == CATS_POL__COUNT ? " or " : ", ",
		    cats_policy_name((enum cats_policy)i));
	return fail(p, "expected %s, got %s", list, got(p, v));
}

static const struct key metric_keys[] = {
	UINT("instance", struct conf_metric, instance, 0, UINT32_MAX,
	    K_REQUIRED),
	REAL("util", struct conf_metric, util, 0, 1),
	REAL("capacity", struct conf_metric, capacity, 0, DBL_MAX),
	REAL("proc_delay_ns", struct conf_metric, proc_delay_ns, 0, DBL_MAX),
	END
};

static int
metric_check(struct pctx *p, json_t *o, size_t i)
{
	const struct node_cfg *n = &p->c->node;
	uint32_t id = p->c->metrics[i].instance;
	bool known = false;

	for (size_t j = 0; j < n->ninstances; j++)
		known = known || n->instances[j].id == id;
	for (size_t j = 0; j < i; j++) {
		if (p->c->metrics[j].instance != id)
			continue;
		push(p, "instance");
		return fail(p, "expected an instance no other metric names, "
		    "got %s", got(p, json_object_get(o, "instance")));
	}
	if (!known) {
		push(p, "instance");
		return fail(p, "expected the id of one of this node's "
		    "instances, got %s", got(p, json_object_get(o, "instance")));
	}
	return 0;
}

static int
set_metrics(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, NODE_MAX_INSTANCES, "metrics") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		if (conf_walk(p, o, metric_keys, &p->c->metrics[i]) != 0 ||
		    metric_check(p, o, i) != 0)
			return -1;
		p->c->nmetrics = i + 1;
		pop(p, mark);
	}
	return 0;
}

static const struct key selector_keys[] = {
	CUSTOM("policy", set_policy, 0),
	REAL("hysteresis_rel", struct cats_sel_cfg, hyst_rel, 0, DBL_MAX),
	REAL("hysteresis_abs", struct cats_sel_cfg, hyst_abs, 0, DBL_MAX),
	UINT("affinity_timeout_ms", struct cats_sel_cfg, affinity_timeout_ms,
	    0, INT64_MAX, 0),
	REAL("herd_rel", struct cats_sel_cfg, herd_rel, 0, DBL_MAX),
	REAL("herd_abs", struct cats_sel_cfg, herd_abs, 0, DBL_MAX),
	UINT("herd_max", struct cats_sel_cfg, herd_max, 0, CATS_SEL_HERD_MAX,
	    0),
	UINT("max_flows", struct cats_sel_cfg, max_flows, 0, SEL_FLOWS_MAX, 0),
	UINT("seed", struct cats_sel_cfg, seed, 0, INT64_MAX, 0),
	CUSTOM("metrics", set_metrics, 0),
	END
};

static bool
wants_sel(const struct node_cfg *n)
{
	return (n->roles & NODE_CONTROLLER) ||
	    ((n->roles & NODE_INGRESS) && n->setup == SETUP_QUERY_EGRESSES);
}

static int
set_selector(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base, (void)k;
	if (!wants_sel(&p->c->node))
		return fail(p, "expected only on a node with role "
		    "\"controller\", or \"ingress\" with setup \"egresses\"");
	return conf_walk(p, v, selector_keys, &p->c->sel);
}

/* ---- operation: signaling, log, data plane, timers ---- */

static const struct key signaling_keys[] = {
	ENUM("transport", struct conf, transport, conf_transports),
	UINT("port", struct conf, udp_port, 1, 65535, 0),
	END
};

static const struct key log_keys[] = {
	ENUM("level", struct conf, log_level, conf_levels),
	BOOL("syslog", struct conf, syslog),
	END
};

/* the user is looked up when catsd starts (priv.c), not here: catsd -n
 * checks a file for another machine too */
static const struct key priv_keys[] = {
	STR("user", struct conf_priv, user, K_NULL | K_NAME),
	STR("group", struct conf_priv, group, K_NULL | K_NAME),
	ENUM("seccomp", struct conf_priv, seccomp, conf_seccomp_modes),
	END
};

static const struct key dataplane_keys[] = {
	ENUM("backend", struct conf, dataplane, conf_backends),
	ADDR("sid", struct conf, sid, K_NULL),
	UINT("table", struct conf, table, 0, UINT32_MAX, 0),
	STR("access_interface", struct conf, access_if, K_NULL | K_IFNAME),
	STR("core_interface", struct conf, core_if, K_NULL | K_IFNAME),
	UINT("buffer_packets", struct conf, buffer_packets, 0, 1u << 20, 0),
	UINT("buffer_ms", struct conf, buffer_ms, 0, 3600000, 0),
	UINT("buffer_total_packets", struct conf, buffer_total_packets, 0,
	    1u << 24, 0),
	END
};

/* RFC 4861 6.2.1: MaxRtrAdvInterval from 4 to 1800 s; AdvDefaultLifetime
 * 0 or up to 9000 s (its lower bound is checked in check_ra) */
static const struct key ra_keys[] = {
	BOOL("enabled", struct conf_ra, enabled),
	UINT("interval_s", struct conf_ra, interval_s, 4, 1800, 0),
	UINT("lifetime_s", struct conf_ra, lifetime_s, 1, UINT32_MAX, 0),
	ENUM("preference", struct conf_ra, preference, conf_ra_prefs),
	UINT("router_lifetime_s", struct conf_ra, router_lifetime_s, 0, 9000, 0),
	END
};

/* docs/probe.md: a probe at most every 10 ms, a report at most every
 * 100 ms and at least daily (cats_sample_check's window) */
static const struct key probe_keys[] = {
	UINT("interval_ms", struct conf_probe, interval_ms, 10, 60000, 0),
	UINT("report_ms", struct conf_probe, report_ms, 100, 86400000, 0),
	UINT("loss_window", struct conf_probe, loss_window, 1, STAMP_WIN_MAX,
	    0),
	UINT("deadline_ms", struct conf_probe, deadline_ms, 1,
	    STAMP_DEADLINE_MAX_MS, 0),
	UINT("port", struct conf_probe, port, 1, 65535, 0),
	BOOL("reflect", struct conf_probe, reflect),
	ADDR("source", struct conf_probe, source, K_NULL),
	END
};

static const struct key timer_keys[] = {
	UINT("rtx_initial_ms", struct node_cfg, rtx_initial_ms, 1, 60000, 0),
	UINT("rtx_max_ms", struct node_cfg, rtx_max_ms, 1, 600000, 0),
	UINT("rtx_tries", struct node_cfg, rtx_tries, 1, 100, 0),
	UINT("timestamp_window_ms", struct node_cfg, ts_window_ms, 1, 3600000,
	    0),
	UINT("max_sessions", struct node_cfg, max_sessions, 1, 1u << 24, 0),
	/* liveness (RFC 5847, docs/engine.md "Site failure"): 0 ms, no
	 * heartbeats; the hold time is heartbeat_ms x heartbeat_misses */
	UINT("heartbeat_ms", struct node_cfg, heartbeat_ms, 0, 600000, 0),
	UINT("heartbeat_misses", struct node_cfg, heartbeat_misses, 1, 255, 0),
	END
};

/* "prometheus": "listen" is where prom.c serves GET /metrics; the
 * section itself turns it on (docs/config.md). */
static int
set_prom_listen(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct conf_prom *pr = base;

	(void)k;
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    !host_port(json_string_value(v), &pr->family, pr->addr, &pr->port))
		return conf_expected(p, v, "\"IPv4:PORT\" or \"[IPv6]:PORT\" "
		    "(PORT 1 to 65535)");
	return 0;
}

static const struct key prom_keys[] = {
	CUSTOM("listen", set_prom_listen, 0),
	END
};

static int
set_prom(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base, (void)k;
	p->c->prom.enabled = true;
	return conf_walk(p, v, prom_keys, &p->c->prom);
}

/* ---- bgp and mup (src/catsd/bgp.c, cats/mup.h) ---- */

/* An IPv4 (stored IPv4-mapped, as sockets take it) or IPv6 address. */
static int
get_any_addr(struct pctx *p, json_t *v, unsigned flags, uint8_t out[16])
{
	const char *what = (flags & K_NULL) ? "null or an IPv4 or IPv6 address" :
	    "an IPv4 or IPv6 address";
	const char *s;

	memset(out, 0, 16);
	if (json_is_null(v) && (flags & K_NULL))
		return 0;
	if (!json_is_string(v))
		return conf_expected(p, v, what);
	s = json_string_value(v);
	if (inet_pton(AF_INET, s, out + 12) == 1) {
		out[10] = out[11] = 0xff;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) != 1)
		return conf_expected(p, v, what);
	if (zero16(out))
		return fail(p, "expected %s other than ::, got %s", what,
		    got(p, v));
	return 0;
}

static int
set_any_addr(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	return get_any_addr(p, v, k->flags, (uint8_t *)base + k->off);
}

static int
set_router_id(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct in_addr a;
	uint32_t id;

	if (!json_is_string(v) || inet_pton(AF_INET, json_string_value(v),
	    &a) != 1 || (id = ntohl(a.s_addr)) == 0)
		return conf_expected(p, v, "a dotted quad other than 0.0.0.0");
	memcpy((char *)base + k->off, &id, sizeof(id));
	return 0;
}

static int
set_hold(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	uint16_t h;

	/* RFC 4271 4.2: zero, or at least three seconds */
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > 65535 || json_integer_value(v) == 1 ||
	    json_integer_value(v) == 2)
		return conf_expected(p, v, "0 or an integer from 3 to 65535");
	h = (uint16_t)json_integer_value(v);
	memcpy((char *)base + k->off, &h, sizeof(h));
	return 0;
}

/* A non-empty array of names from t, each once, as bits. */
static int
set_name_bits(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	uint32_t bits = 0;
	char list[128];
	json_t *r;
	size_t i, mark;
	int bit;

	name_list(k->aux, list, sizeof(list));
	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(p, "expected a non-empty array of %s, got %s", list,
		    got(p, v));
	json_array_foreach(v, i, r) {
		mark = push_index(p, i);
		bit = json_is_string(r) ?
		    find_name(k->aux, json_string_value(r)) : -1;
		if (bit < 0)
			return fail(p, "expected %s, got %s", list, got(p, r));
		if (bits & (uint32_t)bit)
			return fail(p, "expected each once, got %s again",
			    got(p, r));
		bits |= (uint32_t)bit;
		pop(p, mark);
	}
	memcpy((char *)base + k->off, &bits, sizeof(bits));
	return 0;
}

static int
set_password(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	char *field = (char *)base + k->off;
	size_t len;

	if (json_is_null(v)) {
		field[0] = '\0';
		return 0;
	}
	if (!json_is_string(v) || (len = json_string_length(v)) == 0 ||
	    len > CONF_MD5_MAX || strlen(json_string_value(v)) != len)
		return fail(p, "expected null or a string of 1 to %d octets "
		    "(TCP MD5 key), got %s", CONF_MD5_MAX, got(p, v));
	memcpy(field, json_string_value(v), len + 1);
	return 0;
}

#define NAMEBITS(k, type, f, names, fl) \
	{ .name = k, .set = set_name_bits, FIELD(type, f), .aux = names, \
	  .flags = fl }
#define ANYADDR(k, type, f, fl) \
	{ .name = k, .set = set_any_addr, FIELD(type, f), .flags = fl }

static const struct key nbr_keys[] = {
	STR("name", struct conf_bgp_nbr, name, K_REQUIRED | K_NAME),
	ANYADDR("address", struct conf_bgp_nbr, addr, K_REQUIRED),
	ANYADDR("local_address", struct conf_bgp_nbr, local, K_NULL),
	UINT("port", struct conf_bgp_nbr, port, 1, 65535, 0),
	UINT("asn", struct conf_bgp_nbr, asn, 1, UINT32_MAX, K_REQUIRED),
	{ .name = "password", .set = set_password,
	  FIELD(struct conf_bgp_nbr, password) },
	BOOL("passive", struct conf_bgp_nbr, passive),
	NAMEBITS("families", struct conf_bgp_nbr, afs, conf_bgp_families, 0),
	UINT("max_prefix", struct conf_bgp_nbr, max_prefix, 0, UINT32_MAX, 0),
	UINT("max_prefix_warning_pct", struct conf_bgp_nbr, max_prefix_warn_pct,
	    0, 100, 0),
	UINT("max_prefix_restart_s", struct conf_bgp_nbr, max_prefix_restart_s,
	    0, 604800, 0),
	BOOL("mup_tlvs", struct conf_bgp_nbr, mup_tlvs),
	END
};

static bool
is_v4mapped(const uint8_t a[16])
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, pre, 12) == 0;
}

static int
nbr_check(struct pctx *p, json_t *o, size_t i)
{
	const struct conf_bgp *b = &p->c->bgp;
	const struct conf_bgp_nbr *n = &b->nbr[i];

	for (size_t j = 0; j < i; j++) {
		if (strcmp(b->nbr[j].name, n->name) == 0) {
			push(p, "name");
			return fail(p, "expected a name no other neighbor has, "
			    "got %s", got(p, json_object_get(o, "name")));
		}
		if (memcmp(b->nbr[j].addr, n->addr, 16) == 0) {
			push(p, "address");
			return fail(p, "expected an address no other neighbor "
			    "has, got %s", got(p, json_object_get(o, "address")));
		}
	}
	if (!zero16(n->local) && is_v4mapped(n->local) != is_v4mapped(n->addr)) {
		push(p, "local_address");
		return fail(p, "expected an address of the neighbor's family, "
		    "got %s", got(p, json_object_get(o, "local_address")));
	}
	return 0;
}

static int
set_neighbors(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct conf_bgp *b = &p->c->bgp;
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, CONF_BGP_MAX_NBRS, "neighbors") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		b->nbr[i].port = BGP_PORT;
		b->nbr[i].afs = 1u << BGP_AF_IPV6_MUP;
		b->nbr[i].max_prefix = CONF_BGP_MAX_PREFIX;
		if (conf_walk(p, o, nbr_keys, &b->nbr[i]) != 0 ||
		    nbr_check(p, o, i) != 0)
			return -1;
		b->nnbr = i + 1;
		pop(p, mark);
	}
	return 0;
}

static const struct key bgp_keys[] = {
	UINT("asn", struct conf_bgp, asn, 1, UINT32_MAX, K_REQUIRED),
	{ .name = "router_id", .set = set_router_id,
	  FIELD(struct conf_bgp, router_id), .flags = K_REQUIRED },
	ANYADDR("listen", struct conf_bgp, listen, K_NULL),
	UINT("port", struct conf_bgp, port, 1, 65535, 0),
	{ .name = "hold_time", .set = set_hold, FIELD(struct conf_bgp, hold) },
	UINT("connect_retry_ms", struct conf_bgp, connect_retry_ms, 100,
	    3600000, 0),
	UINT("idle_hold_ms", struct conf_bgp, idle_hold_ms, 100, 60000, 0),
	UINT("idle_hold_max_ms", struct conf_bgp, idle_hold_max_ms, 100,
	    3600000, 0),
	CUSTOM("neighbors", set_neighbors, 0),
	END
};

static int
set_bgp(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base, (void)k;
	p->c->has_bgp = true;
	return conf_walk(p, v, bgp_keys, &p->c->bgp);
}

/* MUP addresses follow the mup address's family: an IPv4 one sits in the
 * first 4 octets (cats/bgp.h's convention for NLRI). */
static int
get_mup_addr(struct pctx *p, json_t *v, uint8_t out[16])
{
	bool v4 = p->c->mup.afi == BGP_AFI_IPV4;
	const char *what = v4 ? "an IPv4 address (the family of mup.address)" :
	    "an IPv6 address (the family of mup.address)";

	memset(out, 0, 16);
	if (!json_is_string(v) || inet_pton(v4 ? AF_INET : AF_INET6,
	    json_string_value(v), out) != 1)
		return conf_expected(p, v, what);
	if (zero16(out))
		return fail(p, "expected %s other than 0, got %s", what,
		    got(p, v));
	return 0;
}

static int
set_mup_addr(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct mup_cfg *m = &p->c->mup;
	struct in6_addr a6;
	struct in_addr a4;

	(void)base, (void)k;
	memset(m->addr, 0, 16);
	if (json_is_string(v) && inet_pton(AF_INET, json_string_value(v),
	    &a4) == 1 && a4.s_addr != 0) {
		m->afi = BGP_AFI_IPV4;
		memcpy(m->addr, &a4, 4);
		return 0;
	}
	if (json_is_string(v) && inet_pton(AF_INET6, json_string_value(v),
	    &a6) == 1 && !zero16(a6.s6_addr)) {
		m->afi = BGP_AFI_IPV6;
		memcpy(m->addr, &a6, 16);
		return 0;
	}
	return conf_expected(p, v, "an IPv4 or IPv6 address (this PE's)");
}

int
conf_set_mupaddr(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	return get_mup_addr(p, v, (uint8_t *)base + k->off);
}

/* A site PE instance's edge control port: the same syntax and checks as
 * an egress instance's (edge_control_ok); catsd's agent takes the edge's
 * load reports from it into mup_metrics (src/catsd/xfer.c). */
static int
set_mup_edge_control(struct pctx *p, json_t *v, void *base,
    const struct key *k)
{
	size_t i = (size_t)((struct mup_instance *)base - p->c->mup.inst);

	(void)k;
	return get_edge_control(p, v, p->c->mup_instances[i].edge_control);
}

static const struct key mup_inst_keys[] = {
	UINT("cs_id", struct mup_instance, cs_id, 0, UINT32_MAX, K_REQUIRED),
	UINT("cis_id", struct mup_instance, cis_id, 1, MUP_CMU_RD_BIT - 1,
	    K_REQUIRED),
	ADDR("sid", struct mup_instance, sid, K_REQUIRED),
	UINT("behavior", struct mup_instance, behavior, 0, 65535, 0),
	UINT("servers", struct mup_instance, servers, 1, 1u << 20, 0),
	REAL("capacity", struct mup_instance, capacity, 0, DBL_MAX),
	CUSTOM("edge_control", set_mup_edge_control, 0),
	END
};

static int
set_mup_instances(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct mup_cfg *m = &p->c->mup;
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, MUP_MAX_INSTANCES, "instances") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		m->inst[i].behavior = 0x12;	/* End.DT6 */
		m->inst[i].servers = 1;
		m->inst[i].capacity = 1000;
		if (conf_walk(p, o, mup_inst_keys, &m->inst[i]) != 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (m->inst[j].cis_id == m->inst[i].cis_id) {
				push(p, "cis_id");
				return fail(p, "expected a cis_id no other "
				    "instance has, got %s",
				    got(p, json_object_get(o, "cis_id")));
			}
		m->ninst = i + 1;
		pop(p, mark);
	}
	return 0;
}

static int
set_mup_rans(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct mup_cfg *m = &p->c->mup;
	size_t i, mark;
	json_t *a;

	(void)base, (void)k;
	if (check_array(p, v, MUP_MAX_RAN, "addresses") != 0)
		return -1;
	json_array_foreach(v, i, a) {
		mark = push_index(p, i);
		if (get_mup_addr(p, a, m->ran[i]) != 0)
			return -1;
		m->nran = i + 1;
		pop(p, mark);
	}
	return 0;
}

static const struct key mup_path_keys[] = {
	{ .name = "ran", .set = conf_set_mupaddr, FIELD(struct mup_path, ran),
	  .flags = K_REQUIRED },
	{ .name = "site", .set = conf_set_mupaddr,
	  FIELD(struct mup_path, site), .flags = K_REQUIRED },
	UINT("owd_ns", struct mup_path, owd_ns, 0, UINT32_MAX, K_REQUIRED),
	UINT("bandwidth", struct mup_path, bw, 0, INT64_MAX, 0),
	END
};

static int
set_mup_paths(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	struct mup_cfg *m = &p->c->mup;
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, MUP_MAX_RAN * MUP_MAX_SITES, "paths") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		if (conf_walk(p, o, mup_path_keys, &m->path[i]) != 0)
			return -1;
		m->npath = i + 1;
		pop(p, mark);
	}
	return 0;
}

/* The sites a RAN PE probes (its C-NMA, src/catsd/probe.c): each once,
 * each reflector once (a reply is matched to its path by its source). */
static const struct key mup_probe_keys[] = {
	{ .name = "site", .set = conf_set_mupaddr,
	  FIELD(struct conf_mup_probe, site), .flags = K_REQUIRED },
	ADDR("probe", struct conf_mup_probe, probe, K_REQUIRED),
	END
};

static int
set_mup_probe_sites(struct pctx *p, json_t *v, void *base,
    const struct key *k)
{
	struct conf *c = p->c;
	size_t i, mark;
	json_t *o;

	(void)base, (void)k;
	if (check_array(p, v, MUP_MAX_SITES, "sites") != 0)
		return -1;
	json_array_foreach(v, i, o) {
		mark = push_index(p, i);
		if (conf_walk(p, o, mup_probe_keys, &c->mup_probe[i]) != 0)
			return -1;
		for (size_t j = 0; j < i; j++) {
			if (memcmp(c->mup_probe[j].site, c->mup_probe[i].site,
			    16) == 0) {
				push(p, "site");
				return fail(p, "expected a site no other entry "
				    "has, got %s", got(p, json_object_get(o,
				    "site")));
			}
			if (memcmp(c->mup_probe[j].probe, c->mup_probe[i].probe,
			    16) == 0) {
				push(p, "probe");
				return fail(p, "expected a reflector no other "
				    "entry has, got %s", got(p,
				    json_object_get(o, "probe")));
			}
		}
		c->nmup_probe = i + 1;
		pop(p, mark);
	}
	return 0;
}

static int
set_mup_policy(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base;
	return set_policy(p, v, &p->c->mup.sel, k);
}

/* draft-dcn-dmm-cats-mup section 3: metrics advertised "at least 30
 * seconds" apart (the floor), and refreshed every max_interval_ms. */
static const struct key mup_damp_keys[] = {
	UINT("min_interval_ms", struct cats_damp_cfg, min_interval_ms, 0,
	    86400000, 0),
	UINT("max_interval_ms", struct cats_damp_cfg, max_interval_ms, 0,
	    86400000, 0),
	REAL("rel", struct cats_damp_cfg, rel, 0, 10),
	END
};

static const struct key mup_keys[] = {
	NAMEBITS("roles", struct mup_cfg, roles, conf_mup_roles, K_REQUIRED),
	ENUM("mode", struct mup_cfg, mode, conf_mup_modes),
	CUSTOM("address", set_mup_addr, K_REQUIRED),
	UINT("ran_index", struct mup_cfg, ran_index, 0, MUP_MAX_RAN - 1, 0),
	CUSTOM("instances", set_mup_instances, 0),
	CUSTOM("rans", set_mup_rans, 0),
	CUSTOM("paths", set_mup_paths, 0),
	CUSTOM("probe_sites", set_mup_probe_sites, 0),
	CUSTOM("policy", set_mup_policy, 0),
	SUB("damping", offsetof(struct mup_cfg, damp), mup_damp_keys, 0, 0),
	END
};

/* Fields offsets are in struct mup_cfg, and the addresses of mup_path. */
static int
set_mup(struct pctx *p, json_t *v, void *base, const struct key *k)
{
	(void)base, (void)k;
	if (!p->c->has_bgp)
		return fail(p, "expected only with a \"bgp\" section (the "
		    "roles speak BGP)");
	p->c->has_mup = true;
	return conf_walk(p, v, mup_keys, &p->c->mup);
}

#define NODE	offsetof(struct conf, node)

/* In this order: each section may depend on those before it. */
static const struct key top_keys[] = {
	SUB("node", NODE, node_keys, 0, K_REQUIRED),
	SUB("signaling", 0, signaling_keys, 0, 0),
	STR("control", struct conf, control, 0),
	SUB("log", 0, log_keys, 0, 0),
	SUB("privileges", offsetof(struct conf, priv), priv_keys, 0, 0),
	CUSTOM("prometheus", set_prom, 0),
	CUSTOM("services", set_services, 0),
	CUSTOM("peers", set_peers, 0),
	SUB("ingress", NODE, ingress_keys, NODE_INGRESS, 0),
	SUB("egress", NODE, egress_keys, NODE_EGRESS, 0),
	SUB("controller", NODE, controller_keys, NODE_CONTROLLER, 0),
	CUSTOM("selector", set_selector, 0),
	SUB("dataplane", 0, dataplane_keys, 0, 0),
	SUB("ra", offsetof(struct conf, ra), ra_keys, NODE_INGRESS, 0),
	SUB("probe", offsetof(struct conf, probe), probe_keys, 0, 0),
	SUB("timers", NODE, timer_keys, 0, 0),
	CUSTOM("bgp", set_bgp, 0),
	CUSTOM("mup", set_mup, 0),
	END
};

/* ---- checks across sections ---- */

static bool
has_peer(const struct node_cfg *n, uint32_t role, bool query_only)
{
	for (size_t i = 0; i < n->npeers; i++)
		if ((n->peers[i].roles & role) &&
		    (!query_only || n->peers[i].query))
			return true;
	return false;
}

static int
check_ingress(struct pctx *p)
{
	const struct node_cfg *n = &p->c->node;

	if (!(n->roles & NODE_INGRESS))
		return 0;
	if (n->setup == SETUP_QUERY_CONTROLLER &&
	    !has_peer(n, NODE_CONTROLLER, false)) {
		push(p, "ingress.setup");
		return fail(p, "expected a peer with role \"controller\" for "
		    "setup \"controller\" (the default)");
	}
	if (n->setup == SETUP_QUERY_EGRESSES && !has_peer(n, NODE_EGRESS, true)) {
		push(p, "ingress.setup");
		return fail(p, "expected a peer with role \"egress\" and query "
		    "true for setup \"egresses\"");
	}
	if (n->find == FIND_LOCATOR && !has_peer(n, NODE_LOCATOR, false)) {
		push(p, "ingress.find");
		return fail(p, "expected a peer with role \"locator\" for find "
		    "\"locator\" (the default)");
	}
	return 0;
}

static int
check_egress(struct pctx *p, json_t *root)
{
	const struct node_cfg *n = &p->c->node;

	if (!(n->roles & NODE_EGRESS))
		return 0;
	if (json_object_get(root, "egress") == NULL) {
		push(p, "egress");
		return fail(p, "expected an object (an egress needs a pool), "
		    "got nothing");
	}
	if (n->pool_plen <= n->pool.len) {
		push(p, "egress.prefix_length");
		return fail(p, "expected a length from %u to 128 (longer than "
		    "the pool's), got %u", n->pool.len + 1u, n->pool_plen);
	}
	return 0;
}

static uint32_t
count_role(const struct node_cfg *n, uint32_t role)
{
	uint32_t c = (n->roles & role) ? 1 : 0;

	for (size_t i = 0; i < n->npeers; i++)
		c += (n->peers[i].roles & role) ? 1 : 0;
	return c;
}

static int
check_sel(struct pctx *p)
{
	struct conf *c = p->c;

	c->has_sel = wants_sel(&c->node);
	if (!c->has_sel)
		return 0;
	if (count_role(&c->node, NODE_INGRESS) > c->sel.max_ingresses ||
	    count_role(&c->node, NODE_EGRESS) > c->sel.max_egresses) {
		push(p, "peers");
		return fail(p, "expected at most %u ingresses and %u egresses "
		    "(the path selector's limits)", c->sel.max_ingresses,
		    c->sel.max_egresses);
	}
	return 0;
}

/* "auto", the default, is a data plane for a node that names its core
 * interface and none for one that does not (a controller, a test). */
static int
check_dataplane(struct pctx *p)
{
	struct conf *c = p->c;
	const char *be = conf_name_of(conf_backends, (int)c->dataplane);

	if (c->dataplane == CONF_DP_AUTO && c->core_if[0] == '\0')
		c->dataplane = CONF_DP_NONE;
	if (c->dataplane == CONF_DP_NONE)
		return 0;
	if (zero16(c->sid)) {
		push(p, "dataplane.sid");
		return fail(p, "expected an IPv6 address for backend "
		    "\"%s\", got none", be);
	}
	if (c->core_if[0] == '\0') {
		push(p, "dataplane.core_interface");
		return fail(p, "expected an interface name for backend "
		    "\"%s\", got none", be);
	}
	if ((c->node.roles & NODE_INGRESS) && c->access_if[0] == '\0') {
		push(p, "dataplane.access_interface");
		return fail(p, "expected an interface name for backend "
		    "\"%s\" on an ingress, got none", be);
	}
	return 0;
}

/* An advertisement must outlive the interval to the next one, or the
 * client's route lapses between them (RFC 4861 6.2.1 ties
 * AdvDefaultLifetime to MaxRtrAdvInterval the same way). */
/* docs/probe.md: the session's window is a power of two; probes every
 * interval must fit a report, and a reflector needs the egress role (or
 * a MUP site PE's). */
static int
check_probe(struct pctx *p)
{
	const struct conf_probe *r = &p->c->probe;

	if (r->loss_window & (r->loss_window - 1)) {
		push(p, "probe.loss_window");
		return fail(p, "expected a power of two, got %u", r->loss_window);
	}
	if (r->report_ms < r->interval_ms) {
		push(p, "probe.report_ms");
		return fail(p, "expected at least interval_ms (%u), got %u",
		    r->interval_ms, r->report_ms);
	}
	if (r->reflect && !(p->c->node.roles & NODE_EGRESS) &&
	    !(p->c->has_mup && (p->c->mup.roles & MUP_SITE_PE))) {
		push(p, "probe.reflect");
		return fail(p, "expected only on an egress or a MUP site PE "
		    "(the ingresses and RAN PEs probe them)");
	}
	return 0;
}

static int
check_ra(struct pctx *p)
{
	const struct conf *c = p->c;
	const struct conf_ra *r = &c->ra;

	if (!r->enabled)
		return 0;
	if (c->access_if[0] == '\0') {
		push(p, "ra.enabled");
		return fail(p, "expected dataplane.access_interface (the link "
		    "the advertisements go on), got none");
	}
	if (r->lifetime_s < r->interval_s) {
		push(p, "ra.lifetime_s");
		return fail(p, "expected at least interval_s (%u), got %u",
		    r->interval_s, r->lifetime_s);
	}
	if (r->router_lifetime_s != 0 && r->router_lifetime_s < r->interval_s) {
		push(p, "ra.router_lifetime_s");
		return fail(p, "expected 0 or at least interval_s (%u), got %u",
		    r->interval_s, r->router_lifetime_s);
	}
	return 0;
}

static int
check_timers(struct pctx *p)
{
	const struct node_cfg *n = &p->c->node;

	if (n->rtx_max_ms >= n->rtx_initial_ms)
		return 0;
	push(p, "timers.rtx_max_ms");
	return fail(p, "expected at least rtx_initial_ms (%u), got %u",
	    n->rtx_initial_ms, n->rtx_max_ms);
}

/* A controller that is also a RAN PE listed among its own RAN PEs. */
static bool
mup_ran_listed(const struct mup_cfg *m)
{
	if (!(m->roles & MUP_CONTROLLER))
		return false;
	for (size_t i = 0; i < m->nran; i++)
		if (memcmp(m->ran[i], m->addr, 16) == 0)
			return true;
	return false;
}

static int
check_mup(struct pctx *p)
{
	struct conf *c = p->c;

	if (!c->has_mup)
		return 0;
	c->mup.asn = c->bgp.asn;
	/* the roles' route distinguishers and targets are two-octet AS
	 * specific (RFC 4364 4.2 type 0) */
	if (c->bgp.asn > UINT16_MAX) {
		push(p, "bgp.asn");
		return fail(p, "expected an AS from 1 to 65535 with a \"mup\" "
		    "section, got %u", c->bgp.asn);
	}
	snprintf(c->mup.name, sizeof(c->mup.name), "%s", c->node.name);
	if ((c->mup.roles & MUP_CONTROLLER) && c->mup.nran == 0) {
		push(p, "mup.rans");
		return fail(p, "expected the RAN PEs' addresses for role "
		    "\"controller\", got none");
	}
	/* mup_path_samples: the measurements go into a C-PS that has this
	 * PE as an ingress; a central RAN PE's have no route to the
	 * controller (docs/mup.md) */
	if (c->nmup_probe > 0 && (!(c->mup.roles & MUP_RAN_PE) ||
	    (c->mup.mode != MUP_DISTRIBUTED && !mup_ran_listed(&c->mup)))) {
		push(p, "mup.probe_sites");
		return fail(p, "expected only on a RAN PE with a C-PS of its "
		    "own (mode \"distributed\", or the controller listing it "
		    "in rans)");
	}
	return 0;
}

/* a group alone would change nothing: catsd drops to a user or not */
static int
check_priv(struct pctx *p)
{
	const struct conf_priv *v = &p->c->priv;

	if (v->group[0] == '\0' || v->user[0] != '\0')
		return 0;
	push(p, "privileges.group");
	return fail(p, "expected only with \"user\"");
}

static int
parse_root(struct pctx *p, json_t *root)
{
	struct conf *c = p->c;

	if (conf_walk(p, root, top_keys, c) != 0)
		return -1;
	if (check_ingress(p) != 0 || check_egress(p, root) != 0 ||
	    check_sel(p) != 0 || check_dataplane(p) != 0 ||
	    check_ra(p) != 0 || check_probe(p) != 0 || check_timers(p) != 0 ||
	    check_mup(p) != 0 || check_priv(p) != 0)
		return -1;
	if (json_object_get(root, "control") == NULL)
		snprintf(c->control, sizeof(c->control), "/run/catsd/%s.sock",
		    c->node.name);
	return 0;
}

/* ---- the interface ---- */

void
conf_default(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	node_cfg_default(&c->node);
	/* a site is declared down 3 s after its first missed heartbeat */
	c->node.heartbeat_ms = 1000;
	c->node.heartbeat_misses = 3;
	c->transport = CONF_TRANSPORT_UDP;
	c->udp_port = 5436;
	snprintf(c->control, sizeof(c->control), "/run/catsd/catsd.sock");
	c->log_level = LOG_NOTICE;
	c->prom.family = AF_INET;
	c->prom.addr[0] = 127;
	c->prom.addr[3] = 1;
	c->prom.port = CONF_PROM_PORT;
	c->dataplane = CONF_DP_AUTO;
	c->buffer_packets = 1024;
	c->buffer_ms = 2000;
	c->buffer_total_packets = HOLD_DEFAULT_TOTAL;
	c->transfer_port = CONF_TRANSFER_PORT;
	c->ra.interval_s = 30;
	c->ra.lifetime_s = 90;
	c->ra.preference = RA_PREF_MEDIUM;
	c->probe.interval_ms = 100;
	c->probe.report_ms = 1000;
	c->probe.loss_window = 64;
	c->probe.deadline_ms = 1000;
	c->probe.port = CONF_PROBE_PORT;
	cats_sel_cfg_default(&c->sel);
	c->bgp.port = BGP_PORT;
	c->bgp.hold = 90;
	c->bgp.connect_retry_ms = 5000;
	c->bgp.idle_hold_ms = 1000;
	c->bgp.idle_hold_max_ms = 60000;
	c->mup.afi = BGP_AFI_IPV6;
	c->mup.mode = MUP_CENTRAL;
	cats_damp_cfg_default(&c->mup.damp);
	c->mup.damp.min_interval_ms = MUP_DAMP_FLOOR_MS;
	cats_sel_cfg_default(&c->mup.sel);
}

int
conf_parse(const char *text, size_t len, const char *name, struct conf *c,
    char *err, size_t errlen)
{
	struct pctx p = { .file = name, .err = err, .errlen = errlen };
	json_error_t je;
	json_t *root;
	int r = -1;

	if (errlen > 0)
		err[0] = '\0';
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "%s:%d:%d: %s", name, je.line,
			    je.column, je.text);
		return -1;
	}
	/* a whole new configuration, copied out only when it is valid */
	if ((p.c = malloc(sizeof(*p.c))) == NULL) {
		fail(&p, "out of memory");
		goto out;
	}
	conf_default(p.c);
	snprintf(p.c->path, sizeof(p.c->path), "%s", name);
	if ((r = parse_root(&p, root)) == 0)
		memcpy(c, p.c, sizeof(*c));
out:
	free(p.c);
	json_decref(root);
	return r;
}

static int
read_file(const char *path, char **text, size_t *len, char *err,
    size_t errlen)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	*text = malloc(CONF_FILE_MAX + 1);
	if (*text == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(*text, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f) || n > CONF_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ?
		    "read error" : "expected at most 1 MiB, got more");
		fclose(f);
		free(*text);
		return -1;
	}
	fclose(f);
	*len = n;
	return 0;
}

int
conf_load(const char *path, struct conf *c, char *err, size_t errlen)
{
	char buf[CONF_ERR_MAX], *text;
	size_t len;
	int r;

	if (errlen == 0) {
		err = buf;
		errlen = sizeof(buf);
	}
	if (read_file(path, &text, &len, err, errlen) != 0)
		return -1;
	r = conf_parse(text, len, path, c, err, errlen);
	free(text);
	return r;
}
