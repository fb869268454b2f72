# tests/lib/netns.sh: the namespace plumbing of the shell tests that run
# catsd speakers each in its own network namespace (tests/lib/domain.sh,
# tests/lib/mup.sh).  Sourced (POSIX sh) from the project's directory,
# after P (the namespaces' prefix), T (the test's directory), CATSD and CTL
# (the build's catsd and catsctl) and PIDS (empty) are set.  It sources
# tests/lib/check.sh and defines:
#
#   x N ARGS...       ip -n for namespace $P$N
#   in_ns N CMD...    CMD in namespace $P$N
#   ctl N ARGS...     catsctl on N's control socket, $T/N.sock
#   netns_traps KEEP-NAME NS...
#           on exit: stop every pid in PIDS, delete the namespaces $P$NS,
#           remove $T (KEEP=1 copies it to /tmp/KEEP-NAME-keep first);
#           SIGINT and SIGTERM exit 130 and 143 through it
#   start_node N      catsd -d -f $T/N.json in N, its log $T/N.log; its pid
#                     in PID_N and PIDS
#   wait_sock N       up to 10 s for N's control socket; 1 (and a fail with
#                     N's log) without it
#   stop_nodes        SIGTERM to the catsd of every node in NODES (PID_N),
#                     each must be gone within 5 s
# Names of the helpers' own variables start with _nt (or are x's, in_ns's
# and ctl's _ns and _cn): they must not touch the callers'.
. tests/lib/check.sh

x() { _ns=$1; shift; ip -n "$P$_ns" "$@"; }
in_ns() { _ns=$1; shift; ip netns exec "$P$_ns" "$@"; }
ctl() { _cn=$1; shift; in_ns "$_cn" "$CTL" -s "$T/$_cn.sock" "$@"; }

netns_traps() {
	NETNS_KEEP=$1; shift
	NETNS_ALL=$*
	trap netns_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
netns_cleanup() {
	[ -n "${KEEP:-}" ] && cp -r "$T" "/tmp/$NETNS_KEEP-keep"
	# shellcheck disable=SC2086
	stop_pids 3 $PIDS
	for _nt_n in $NETNS_ALL; do ip netns del "$P$_nt_n" 2>/dev/null; done
	rm -rf "$T"
}

# Background processes are started with ip netns exec itself, never through
# a shell function: $! must be the daemon's pid, not a subshell's.
start_node() {
	ip netns exec "$P$1" "$CATSD" -d -f "$T/$1.json" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
}
wait_sock() {
	wait_for 10 test -S "$T/$1.sock" && return 0
	fail "$1: no control socket in 10 s"
	cat "$T/$1.log"
	return 1
}
stop_nodes() {
	_nt_pids=""
	for _nt_n in $NODES; do eval "_nt_pids=\"\$_nt_pids \$PID_$_nt_n\""; done
	# shellcheck disable=SC2086
	kill -TERM $_nt_pids
	for _nt_n in $NODES; do
		eval "_nt_pid=\$PID_$_nt_n"
		wait_pid "$_nt_pid" 5 || fail "$_nt_n did not stop cleanly on SIGTERM"
	done
}
