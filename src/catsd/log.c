/*
 * log: stderr or syslog.  Only the daemon logs; the core never does (it
 * counts, and the daemon reports the counters).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cats/log.h"

#define TRACE_BURST	10

static int	 log_level = LOG_INFO;
static bool	 log_syslog;
static const char *log_ident = "catsd";

static struct {
	uint64_t	 second;
	unsigned	 lines;
	unsigned	 dropped;
} traces[LOG_TRACE_KEYS];

static const struct {
	const char	*name;
	int		 level;
} levels[] = {
	{ "err", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
};

void
log_init(const char *ident, int level, bool use_syslog)
{
	log_ident = ident;
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setlevel(int level)
{
	log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

int
log_level_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(levels[i].name, name) == 0)
			return levels[i].level;
	return -1;
}

const char *
log_level_name(int level)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (levels[i].level == level)
			return levels[i].name;
	return "unknown";
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	if (pri > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	fprintf(stderr, "%s: %s%s%s\n", log_ident, msg, suffix ? ": " : "",
	    suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	const char *why = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, why);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

bool
log_trace_wanted(unsigned key, uint64_t now_ms)
{
	uint64_t sec = now_ms / 1000;

	if (key >= LOG_TRACE_KEYS || log_level < LOG_DEBUG)
		return false;
	if (traces[key].second != sec) {
		if (traces[key].dropped > 0)
			log_debug("trace %u: %u lines not shown", key,
			    traces[key].dropped);
		traces[key].second = sec;
		traces[key].lines = 0;
		traces[key].dropped = 0;
	}
	if (++traces[key].lines > TRACE_BURST) {
		traces[key].dropped++;
		return false;
	}
	return true;
}

void
log_trace(unsigned key, uint64_t now_ms, const char *fmt, ...)
{
	va_list ap;

	if (!log_trace_wanted(key, now_ms))
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}
