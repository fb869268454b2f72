# tests/lib/check.sh: the checks of the shell tests (tests/sh/*.sh) and of
# the testbed (testbed/*.sh).  Sourced (POSIX sh), from the project's
# directory.  The rule of every check here: a command that fails, or
# prints nothing, fails the check.  jq 1.6's -e exits 0 on empty input, so
# `cmd | jq -e F` passes against a dead daemon, and `! cmd | grep -q X`
# passes when cmd failed; these helpers take the command itself and look
# at its exit status first.  scripts/lint.sh refuses the bare forms.
#
#   pass TEXT | fail TEXT | skip REASON
#           one line each ("ok   ", "FAIL: ", "skip: "), counted.  A skip is
#           never a pass: scripts/run-tests.sh counts each "skip: " line.
#   check_done [TEXT]
#           the counts; exit 1 on a failure, 77 when only skips, else 0.
#           No check at all is a failure: a test that checked nothing.
#   json_ok FILTER CMD...          (predicate) CMD exits 0, prints JSON,
#           and jq's FILTER is true of it (of its last value)
#   out_has PATTERN CMD...         (predicate) CMD exits 0, a line matches
#   out_lacks PATTERN CMD...       (predicate) CMD exits 0, no line matches
#           (PATTERN: grep(1)'s basic regular expression)
#   check_json NAME FILTER CMD...  check_has NAME PATTERN CMD...
#   check_absent NAME PATTERN CMD...
#           the same as a check: pass NAME, or fail with the reason
#   check_fails NAME RC TEXT CMD...
#           CMD exits RC exactly and says TEXT (fixed string) on stdout or
#           stderr: a refusal for the reason named, not any failure
#   wait_for SECONDS CMD...        poll CMD (every 50 ms, output dropped)
#           until it succeeds; 1 at the deadline (SECONDS times CHECK_SLOWER:
#           10 in the qemu VM, else 1).  Instead of a sleep: a
#           slower machine waits longer, a faster one does not wait.
#   wait_pid PID SECONDS           until PID (a child) exits: its status;
#           at the deadline 124, after stop_pids 2 PID
#   stop_pids SECONDS PID...       SIGTERM, up to SECONDS, SIGKILL, reap
# The predicates leave why they failed in CHECK_WHY.  Names of the
# helpers' variables start with _ck: they must not touch the callers'.

if [ -z "${CHECK_SH_LOADED:-}" ]; then
CHECK_SH_LOADED=1
check_passes=0 failures=0 check_skips=0
CHECK_ERR=${TMPDIR:-/tmp}/check-err.$$
CHECK_WHY=""

pass() { echo "ok   $*"; check_passes=$((check_passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "skip: $*"; check_skips=$((check_skips + 1)); }

check_done() {
	rm -f "$CHECK_ERR"
	echo "${1:-${0##*/}}: $check_passes passed, $failures failed, $check_skips skipped"
	[ "$failures" -eq 0 ] || exit 1
	if [ "$check_passes" -eq 0 ]; then
		[ "$check_skips" -gt 0 ] && exit 77
		echo "FAIL: no check ran"; exit 1
	fi
	exit 0
}

# _ck_run CMD...: CMD's stdout in _ck_out; 1 (and CHECK_WHY) when it
# failed or printed nothing but blanks
_ck_run() {
	_ck_out=$("$@" 2>"$CHECK_ERR")
	_ck_rc=$?
	if [ $_ck_rc -ne 0 ]; then
		CHECK_WHY="exit $_ck_rc: $(head -c 300 "$CHECK_ERR" 2>/dev/null)"
		return 1
	fi
	case $_ck_out in
	*[![:space:]]*) return 0;;
	esac
	CHECK_WHY="no output from: $*"
	return 1
}

json_ok() {
	_ck_f=$1; shift
	_ck_run "$@" || return 1
	# (the output is known not to be empty: here jq -e can be believed)
	jq -e "$_ck_f" >/dev/null 2>"$CHECK_ERR" <<EOF && return 0
$_ck_out
EOF
	CHECK_WHY="not ($_ck_f): $(printf '%s' "$_ck_out" | head -c 300) $(head -c 200 "$CHECK_ERR")"
	return 1
}
out_has() {
	_ck_p=$1; shift
	_ck_run "$@" || return 1
	printf '%s\n' "$_ck_out" | grep -q -- "$_ck_p" && return 0
	CHECK_WHY="no line matches '$_ck_p' in: $(printf '%s' "$_ck_out" | head -c 300)"
	return 1
}
# (an empty output is a fine absence, but only from a command that ran)
out_lacks() {
	_ck_p=$1; shift
	_ck_out=$("$@" 2>"$CHECK_ERR")
	_ck_rc=$?
	if [ $_ck_rc -ne 0 ]; then
		CHECK_WHY="exit $_ck_rc: $(head -c 300 "$CHECK_ERR" 2>/dev/null)"
		return 1
	fi
	_ck_m=$(printf '%s\n' "$_ck_out" | grep -- "$_ck_p") || return 0
	CHECK_WHY="present: $(printf '%s' "$_ck_m" | head -n 3)"
	return 1
}

check_json() {
	_ck_n=$1; shift
	if json_ok "$@"; then pass "$_ck_n"; else fail "$_ck_n: $CHECK_WHY"; fi
}
check_has() {
	_ck_n=$1; shift
	if out_has "$@"; then pass "$_ck_n"; else fail "$_ck_n: $CHECK_WHY"; fi
}
check_absent() {
	_ck_n=$1; shift
	if out_lacks "$@"; then pass "$_ck_n"; else fail "$_ck_n: $CHECK_WHY"; fi
}
check_fails() {
	_ck_n=$1 _ck_want=$2 _ck_t=$3; shift 3
	_ck_out=$("$@" 2>&1)
	_ck_rc=$?
	if [ $_ck_rc -ne "$_ck_want" ]; then
		fail "$_ck_n: exit $_ck_rc, want $_ck_want: $(printf '%s' "$_ck_out" | head -c 300)"
	elif ! printf '%s\n' "$_ck_out" | grep -qF -- "$_ck_t"; then
		fail "$_ck_n: exit $_ck_rc but not '$_ck_t': $(printf '%s' "$_ck_out" | head -c 300)"
	else
		pass "$_ck_n: $(printf '%s\n' "$_ck_out" | grep -F -m 1 -- "$_ck_t")"
	fi
}

# The deadline is the clock's, not a count of tries: a slow command polled
# does not stretch it.  Under software emulation (CATS_IN_VM: the qemu of
# tests/lib/vm.sh, 10 to 50 times slower) every deadline is CHECK_SLOWER
# (10) times as long; CHECK_SLOWER sets it anywhere.
CHECK_SLOWER=${CHECK_SLOWER:-$([ -n "${CATS_IN_VM:-}" ] && echo 10 || echo 1)}
wait_for() {
	# (in ms: mawk's %d stops at 2^31)
	_ck_wd=$(($(date +%s%N) + $(awk -v s="$1" -v k="$CHECK_SLOWER" 'BEGIN { printf "%d", s * k * 1e3 }') * 1000000))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s%N)" -lt "$_ck_wd" ] || return 1
		sleep 0.05
	done
}
_ck_gone() { ! kill -0 "$1" 2>/dev/null; }
wait_pid() {
	if ! wait_for "$2" _ck_gone "$1"; then
		# SIGTERM first: a client says what it had before it goes
		stop_pids 2 "$1"
		return 124
	fi
	wait "$1"
}
_ck_all_gone() {
	for _ck_q in "$@"; do kill -0 "$_ck_q" 2>/dev/null && return 1; done
	return 0
}
stop_pids() {
	_ck_s=$1; shift
	for _ck_q in "$@"; do kill "$_ck_q" 2>/dev/null; done
	wait_for "$_ck_s" _ck_all_gone "$@"
	for _ck_q in "$@"; do kill -9 "$_ck_q" 2>/dev/null; wait "$_ck_q" 2>/dev/null; done
	return 0
}
fi
