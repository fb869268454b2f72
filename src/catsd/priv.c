/*
 * priv.c: least privilege (docs/catsd.md "Least privilege").  What needs
 * root is done in start(): the signaling socket (a raw one, or a port of
 * any number), the RA raw socket, BGP's port 179, the probes' 862, the
 * TUN, the eBPF programs and their maps, the netlink sockets and the
 * first routes.  Then, before the loop reads a byte from the network or
 * the control socket, catsd becomes the configured user with only the
 * capabilities the running daemon uses (caps[]), an empty bounding set,
 * no supplementary groups and no_new_privs, and puts its system calls
 * behind a seccomp allow-list (allowed[], narrowed[]).  One process, as
 * OpenBGPD's parsers run, but without its privilege separation: what it
 * would take is in docs/catsd.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "cats/log.h"
#include "catsd.h"

/* after libev's header: seccomp.h brings <elf.h>, whose EV_NONE macro
 * would break libev's enum of the same name */
#include <seccomp.h>

/* A sanitized build's LeakSanitizer stops the process with ptrace at
 * exit (a clone()d tracer, /proc/self/task, ...): it runs without the
 * filter, and stays dumpable after the change of user so that the tracer
 * may attach.  The shell test of the filter runs the release build. */
#if defined(__SANITIZE_ADDRESS__)
#define PRIV_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define PRIV_SANITIZED	1
#endif
#endif
#ifndef PRIV_SANITIZED
#define PRIV_SANITIZED	0
#endif

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */

/* Route changes over rtnetlink are checked against the sender at each
 * message: the kernel data plane's routes, the eBPF one's plain routes,
 * MUP steering, and at stop the flush and the tc programs' detach.  A
 * node without a kernel data plane changes nothing in the kernel.  Map
 * updates on the eBPF maps' descriptors need no capability (probed on
 * 6.18 with unprivileged_bpf_disabled=2), and nothing binds a port below
 * 1024 or opens a raw socket after start, so neither CAP_NET_BIND_SERVICE
 * nor CAP_NET_RAW is kept. */
static bool
needs_net_admin(const struct catsd *d)
{
	return d->dp_kind != CONF_DP_NONE;
}

static const struct {
	unsigned	 cap;
	const char	*name;
	bool		(*needed)(const struct catsd *);
} caps[] = {
	{ CAP_NET_ADMIN, "net_admin", needs_net_admin },
};
#define NCAPS	(sizeof(caps) / sizeof(caps[0]))

/* The capabilities kept, named, into buf ("none" for none). */
static void
caps_kept(const struct catsd *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NCAPS; i++)
		if (caps[i].needed(d))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    off > 0 ? "," : "", caps[i].name);
	if (off == 0)
		snprintf(buf, len, "none");
}

/* ------------------------------------------------------------------ */
/* System calls                                                        */

/*
 * Every call the running daemon makes, from the loop to its stop, named
 * as libseccomp names them (one unknown on this architecture is
 * skipped).  Calls made only in start() (epoll_create1, eventfd2,
 * listen, umask, capset...) are not here: nothing may make them again.
 */
static const char *const allowed[] = {
	/* memory: glibc's malloc, libbpf's and jansson's buffers */
	"brk", "munmap", "mremap", "madvise",
	/* descriptors: the TUN, sockets, the configuration on SIGHUP */
	"read", "write", "readv", "writev", "pread64", "close", "fcntl",
	"fstat", "newfstatat", "statx", "lseek",
	/* the control socket's file at stop (the directory decides) */
	"unlink",
	/* sockets: signaling, control, BGP and transfer connections (the
	 * non-blocking connect's SO_ERROR, TCP_MD5SIG), probes, RAs,
	 * rtnetlink, syslog, getifaddrs; the Prometheus endpoint's HTTP
	 * connections (prom.c: libmicrohttpd accepts, reads, writes, shuts
	 * down and closes; its epoll is made in start()) */
	"bind", "connect", "accept4", "getsockname",
	"getpeername", "setsockopt", "getsockopt", "sendto", "recvfrom",
	"sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
	/* libev: its backend, its signal pipe, timers */
	"epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "poll",
	"ppoll",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "restart_syscall",
	"clock_gettime", "clock_getres", "gettimeofday", "time",
	"nanosleep", "clock_nanosleep",
	/* glibc, libcrypto's lazy initialisation and HMAC */
	"getpid", "gettid", "getrandom", "futex", "sched_yield",
	"exit", "exit_group",
};
#define NALLOWED	(sizeof(allowed) / sizeof(allowed[0]))

/* Calls allowed with one argument narrowed: among a few values, or with
 * the bits of a mask as given. */
#define NARROW_VALS	8
enum narrow { ONE_OF, MASKED };
struct narrowed {
	const char	*name;
	unsigned	 arg;
	enum narrow	 how;
	scmp_datum_t	 mask;		/* MASKED */
	scmp_datum_t	 v[NARROW_VALS];	/* ONE_OF: the values; MASKED:
					 * v[0], what arg & mask must be */
	size_t		 n;
};

static const struct narrowed narrowed[] = {
	/* the families of the sockets above; no packet socket, and a raw
	 * one would need the CAP_NET_RAW dropped */
	{ "socket", 0, ONE_OF, 0,
	    { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK }, 4 },
	/* read-only: the configuration (SIGHUP), /etc/localtime,
	 * libcrypto's openssl.cnf; nothing is created or written */
	{ "openat", 2, MASKED, O_ACCMODE | O_CREAT, { O_RDONLY }, 1 },
	/* no memory made executable: nothing is loaded at run time */
	{ "mmap", 2, MASKED, PROT_EXEC, { 0 }, 1 },
	{ "mprotect", 2, MASKED, PROT_EXEC, { 0 }, 1 },
	/* the map operations of the eBPF data plane on its descriptors;
	 * no program, map or link is made or found by id */
	{ "bpf", 0, ONE_OF, 0,
	    { BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM, BPF_MAP_DELETE_ELEM,
	      BPF_MAP_GET_NEXT_KEY, BPF_MAP_LOOKUP_BATCH,
	      BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH,
	      BPF_OBJ_GET_INFO_BY_FD }, 8 },
	/* if_nametoindex, if_indextoname, the RA's link-layer address,
	 * stdio's isatty, a datagram's size */
	{ "ioctl", 1, ONE_OF, 0,
	    { SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFHWADDR, SIOCGIFFLAGS,
	      TCGETS, FIONREAD }, 6 },
};
#define NNARROWED	(sizeof(narrowed) / sizeof(narrowed[0]))

/* One comparison (libseccomp's SCMP_CMP leaves datum_b to the compiler,
 * which clang's -Wmissing-field-initializers refuses). */
static struct scmp_arg_cmp
cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	return (struct scmp_arg_cmp){ .arg = arg, .op = op, .datum_a = a,
	    .datum_b = b };
}

/* 0, or libseccomp's negative errno; *n counts the call if added. */
static int
add_narrowed(scmp_filter_ctx ctx, const struct narrowed *r, size_t *n)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	int rc = 0;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	(*n)++;
	if (r->how == MASKED)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
		    cmp(r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->v[0]));
	for (size_t i = 0; i < r->n && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
		    cmp(r->arg, SCMP_CMP_EQ, r->v[i], 0));
	return rc;
}

/* abort() (an assertion) signals this process, and only this one. */
static int
add_tgkill(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	    cmp(0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
}

/* The filter, loaded; the number of calls it allows in *n. */
static int
filter_load(int mode, size_t *n)
{
	uint32_t def = mode == CONF_SECCOMP_LOG ? SCMP_ACT_LOG :
	    SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int rc = 0, nr;

	*n = 0;
	if ((ctx = seccomp_init(def)) == NULL) {
		log_warnx("privileges: seccomp_init failed");
		return -1;
	}
	for (size_t i = 0; i < NALLOWED && rc == 0; i++) {
		if ((nr = seccomp_syscall_resolve_name(allowed[i])) ==
		    __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		(*n)++;
	}
	for (size_t i = 0; i < NNARROWED && rc == 0; i++)
		rc = add_narrowed(ctx, &narrowed[i], n);
	if (rc == 0 && (rc = add_tgkill(ctx)) == 0)
		(*n)++;
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		log_warnx("privileges: seccomp: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The drop                                                            */

/* The configured user's and group's ids (the group: the user's own
 * unless configured), and the group's name for the log. */
static int
lookup(const struct conf_priv *p, uid_t *uid, gid_t *gid, char *gname,
    size_t len)
{
	const struct passwd *pw;
	const struct group *gr;

	if ((pw = getpwnam(p->user)) == NULL) {
		log_warnx("privileges: user %s: no such user", p->user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	gr = p->group[0] != '\0' ? getgrnam(p->group) : getgrgid(*gid);
	if (gr == NULL && p->group[0] != '\0') {
		log_warnx("privileges: group %s: no such group", p->group);
		return -1;
	}
	if (gr != NULL)
		*gid = gr->gr_gid;
	snprintf(gname, len, "%s", gr != NULL ? gr->gr_name : "?");
	return 0;
}

/* The user, its group, no other group, the capabilities of caps[] that
 * this node needs, an empty bounding and ambient set. */
static int
change_id(const struct catsd *d, uid_t uid, gid_t gid)
{
	int rc;

	capng_clear(CAPNG_SELECT_ALL);
	for (size_t i = 0; i < NCAPS; i++)
		if (caps[i].needed(d) && capng_update(CAPNG_ADD,
		    CAPNG_EFFECTIVE | CAPNG_PERMITTED, caps[i].cap) < 0) {
			log_warnx("privileges: capability %s", caps[i].name);
			return -1;
		}
	rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP |
	    CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
	if (rc != 0) {
		/* libcap-ng's codes: -2 capabilities, -3 KEEPCAPS, -4 gid,
		 * -5 groups, -6 uid, ... (capng_change_id(3)) */
		log_warnx("privileges: cannot become uid %u gid %u "
		    "(capng_change_id %d): %s", (unsigned)uid, (unsigned)gid,
		    rc, strerror(errno));
		return -1;
	}
	return 0;
}

/* SIGHUP reads the file again, now as the user: said now, not at the
 * first reload. */
static void
check_readable(const struct catsd *d)
{
	if (access(d->conf.path, R_OK) < 0)
		log_warnx("privileges: %s is not readable by user %s: a "
		    "reload (SIGHUP) will be refused (docs/catsd.md, Least "
		    "privilege)", d->conf.path, d->conf.priv.user);
}

/* What the filter does, said in the log line. */
static void
seccomp_said(int mode, size_t ncalls, char *buf, size_t len)
{
	if (PRIV_SANITIZED && mode != CONF_SECCOMP_OFF)
		snprintf(buf, len, "off (sanitizer build: LeakSanitizer "
		    "needs ptrace at exit)");
	else if (mode == CONF_SECCOMP_OFF)
		snprintf(buf, len, "off");
	else
		snprintf(buf, len, "%s (%zu calls allowed)",
		    mode == CONF_SECCOMP_KILL ? "kill" : "log", ncalls);
}

int
priv_drop(struct catsd *d)
{
	const struct conf_priv *p = &d->conf.priv;
	char kept[64], gname[CONF_USER_MAX], filter[80];
	size_t ncalls = 0;
	uid_t uid;
	gid_t gid;

	if (p->user[0] == '\0') {
		log_warnx("privileges: no \"user\": catsd runs as root with "
		    "every capability, no seccomp filter, while it parses "
		    "what the network and the control socket send "
		    "(docs/catsd.md, Least privilege)");
		return 0;
	}
	if (lookup(p, &uid, &gid, gname, sizeof(gname)) < 0 ||
	    change_id(d, uid, gid) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("privileges: no_new_privs");
		return -1;
	}
	if (PRIV_SANITIZED && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		log_warn("privileges: dumpable (LeakSanitizer)");
	check_readable(d);
	caps_kept(d, kept, sizeof(kept));
	if (!PRIV_SANITIZED && p->seccomp != CONF_SECCOMP_OFF &&
	    filter_load(p->seccomp, &ncalls) < 0)
		return -1;
	seccomp_said(p->seccomp, ncalls, filter, sizeof(filter));
	log_info("privileges: user %s (%u), group %s (%u), capabilities "
	    "%s, no_new_privs, seccomp %s", p->user, (unsigned)uid, gname,
	    (unsigned)gid, kept, filter);
	return 0;
}
