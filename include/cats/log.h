/*
 * log: the daemon's logging, to stderr or syslog, with levels.
 * log_warn adds strerror(errno); log_warnx does not.  Packet traces are
 * rate-limited per key (a peer), so a flood cannot flood the log.
 */
#ifndef CATS_LOG_H
#define CATS_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

void	 log_init(const char *ident, int level, bool use_syslog);
void	 log_setlevel(int level);
int	 log_getlevel(void);
void	 log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* At most 'burst' lines per key per second; the rest are counted and
 * summarised once the second is over.  key 0..LOG_TRACE_KEYS-1. */
#define LOG_TRACE_KEYS	64
void	 log_trace(unsigned key, uint64_t now_ms, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Whether a trace line of key would be shown now; true takes its place in
 * the second's budget (the caller then logs it with log_debug), false
 * counts it as not shown.  For a line whose making costs (a decode). */
bool	 log_trace_wanted(unsigned key, uint64_t now_ms);
int	 log_level_from_name(const char *);	/* -1 if unknown */
const char *log_level_name(int);

#endif
