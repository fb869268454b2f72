#!/bin/sh
# The live CATS-MUP story of make demo (testbed/mup.sh: gobgpd and five
# catsd speakers, two of them programming the kernel) with the sanitized
# builds: every step must end as the draft's figures 3 and 4 say.  Exits 77
# where testbed/mup.sh cannot run (not root, no ip netns, no gobgpd).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
T=$(mktemp -d) || exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
O=${CATSD_BUILD:-build/san} MUP_OUT=$T sh testbed/mup.sh
rc=$?
case $rc in
0) pass "testbed/mup.sh: every step as the figures say";;
77) rm -rf "$T"; exit 77;;
*) fail "testbed/mup.sh exited $rc";;
esac
# A sanitizer report in a daemon's log fails the run too (the logs must be
# there to say so), and so does a daemon left running.
check_absent "no sanitizer report in the daemons' logs" \
    "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" cat "$T"/A.log "$T"/R1.log "$T"/R2.log "$T"/K.log
left=$(pgrep -f "$T/")
if [ -z "$left" ]; then
	pass "no daemon left running"
else
	fail "left running: $(pgrep -a -f "$T/")"
	# shellcheck disable=SC2086
	stop_pids 2 $left
fi
rm -rf "$T"
check_done "mup"
