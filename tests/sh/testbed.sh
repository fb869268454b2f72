#!/bin/sh
# The testbed (issue [5], docs/testbed.md): every scenario on the
# namespace topology of testbed/topology.conf, with the sanitized builds.
# testbed/run.sh asserts, per scenario, every result received exactly
# once (0 missing, 0 duplicated), the selector's choices against nearest
# and round-robin, curl's page from the site the selector chose, and that
# tshark shows every captured message as a Binding Update or
# Acknowledgement with nothing malformed.  Here also: a crashed run's
# leftover namespace is removed first, and nothing of ours is left after.
# Needs root and ip netns; exits 77 otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
B=${CATSD_BUILD:-$PWD/build/san}

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
command -v dumpcap >/dev/null && command -v tshark >/dev/null ||
    { echo "skip: no dumpcap/tshark"; exit 77; }
ip netns add "tbprobe$$" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
ip netns del "tbprobe$$"
for p in catsd catsctl cats-edge cats-client cats-delay; do
	[ -x "$B/$p" ] || { echo "no $B/$p"; exit 1; }
done
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# a namespace as a crashed run leaves it: tb<PID>- with a PID now gone
sh -c 'exit 0' & dead=$!; wait $dead
ip netns add "tb$dead-C" || exit 1

TB_BIN=$B TB_OUT=$T/out sh testbed/run.sh all >"$T/run.out" 2>&1
rc=$?
cat "$T/run.out"
[ $rc -eq 0 ] && pass "every scenario: testbed/run.sh all" || fail "testbed/run.sh all exited $rc"

if ip netns list | grep -q "^tb$dead-C"; then
	fail "the crashed run's namespace tb$dead-C is still there"
	ip netns del "tb$dead-C"
else
	pass "a crashed run's namespace was removed first"
fi
grep -q "removed tb$dead-C" "$T/run.out" && pass "... and the run said so" ||
    fail "no word of removing tb$dead-C"
# each scenario passed, or was skipped for the reason its line gives (a
# skip is counted as one, never as a pass)
for s in delay select proactive reactive-locator reactive-prefix transaction-switch curl; do
	if grep -q "^$s *PASS" "$T/run.out"; then
		pass "$s"
	elif grep -q "^$s *SKIP" "$T/run.out"; then
		skip "$s: $(sed -n "s/^$s *SKIP *//p" "$T/run.out" | head -n 1)"
	else
		fail "$s did not pass: $(grep "^$s " "$T/run.out")"
	fi
done
# what run.sh skipped besides scenarios ("testbed: SKIP WHAT: WHY")
sed -n 's/^testbed: SKIP //p' "$T/run.out" | while read -r what; do echo "skip: $what"; done
n=$(grep -c '^testbed: SKIP ' "$T/run.out")
check_skips=$((check_skips + n))
# the handovers: every result exactly once
n=$(grep -c "^\(proactive\|reactive-locator\|reactive-prefix\|transaction-switch\) *PASS .*missing=0 duplicated=0" "$T/run.out")
[ "$n" -ge 3 ] && pass "$n handovers with 0 missing, 0 duplicated" || fail "handovers: $n passed"
# the three handovers measured their attach-to-first-result time (a
# number: each scenario also holds it to its bound)
# (each summary line is printed twice: after its scenario, in the summary)
n=$(grep "^\(proactive\|reactive-locator\|reactive-prefix\) *PASS .*attach_to_first_result_ms=[0-9]" "$T/run.out" |
    cut -d' ' -f1 | sort -u | wc -l)
[ "$n" -eq 3 ] && pass "3 handovers with attach_to_first_result_ms measured" ||
    fail "attach_to_first_result_ms measured in $n handovers of 3"
if grep -q '^testbed: SKIP the signaling capture' "$T/run.out"; then
	:	# counted above
elif [ -s "$T/out/signaling.pcap" ] && "$B/catsctl" pkt decode -r "$T/out/signaling.pcap" >/dev/null; then
	pass "catsctl decodes the pcap of all signaling"
else
	fail "the pcap"
fi
if ip netns list | grep -q "^tb[0-9]*-"; then
	echo "note: testbed namespaces still present (another run?): $(ip netns list | grep '^tb[0-9]*-' | tr '\n' ' ')"
fi
# our namespaces whose run is gone (ip netns list must answer)
orphans() {
	_l=$(ip netns list) || return 1
	printf '%s\n' "$_l" | grep "^tb[0-9]*-" | while read -r ns _; do
		pid=${ns#tb}; pid=${pid%%-*}; kill -0 "$pid" 2>/dev/null || echo "$ns"; done
	return 0
}
check_absent "nothing left behind" . orphans
check_done "testbed"
