#!/bin/sh
# The live CATS-MUP story of make demo (testbed/mup.sh: gobgpd and five
# catsd speakers, two of them programming the kernel) with the sanitized
# builds: every step must end as the draft's figures 3 and 4 say.  Exits 77
# where testbed/mup.sh cannot run (not root, no ip netns, no gobgpd).
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d) || exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
O=${CATSD_BUILD:-build/san} MUP_OUT=$T sh testbed/mup.sh
rc=$?
# A sanitizer report in a daemon's log fails the run too, and so does a
# daemon left running.
if grep -l "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" \
    "$T"/*.log 2>/dev/null; then
	rc=1
fi
if pgrep -f "$T/" >/dev/null; then
	echo "left running:"; pgrep -a -f "$T/"
	pkill -f "$T/"
	rc=1
fi
rm -rf "$T"
exit $rc
