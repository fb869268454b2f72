#!/bin/sh
# A step of the wall clock expires nothing (issue [11]): catsd's deadlines
# count on CLOCK_MONOTONIC, only the RFC 5213 timestamps on the wall clock.
#
# Every catsd of the domain (tests/lib/domain.sh) runs under libfaketime,
# all reading one offset file, with CLOCK_MONOTONIC left alone
# (DONT_FAKE_MONOTONIC): a domain whose clocks an NTP correction steps
# together.  A client's session is set up; the wall clock jumps an hour
# ahead; past the egress's and the ingress's next sweep (5 s) the session,
# the egress's binding and the steering route are all still there, and a
# second client sets up (the timestamps agree: every node stepped).  With
# deadlines on the wall clock (libev's ev_now, as catsd had them) the
# first sweep after the step expired the binding.
# Runs the release build: libfaketime and ASan's interposition do not mix.
# Needs root, ip netns and libfaketime (faketime package); exits 77 otherwise.
DOMAIN_TAG=ck
CATSD_BUILD=${CATSD_BUILD:-$PWD/build}
FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$FAKETIME_LIB" ] || FAKETIME_LIB=$(find /usr/lib -name libfaketime.so.1 2>/dev/null | head -n 1)
[ -n "$FAKETIME_LIB" ] && [ -r "$FAKETIME_LIB" ] ||
    { echo "skip: no libfaketime (apt-get install faketime)"; exit 77; }
. "$(dirname "$0")/../lib/domain.sh"

OFFSET=$T/faketime
echo "+0" >"$OFFSET"
# every catsd under libfaketime, all stepped by one file
start_node() {
	ip netns exec "$P$1" env LD_PRELOAD="$FAKETIME_LIB" \
	    FAKETIME_TIMESTAMP_FILE="$OFFSET" FAKETIME_NO_CACHE=1 \
	    DONT_FAKE_MONOTONIC=1 "$CATSD" -d -f "$T/$1.json" >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
}
configure_all
start_domain
set_metrics

attach_request I1 2001:db8:a::10 02:00:5e:10:00:01 ||
    fail "no steering for the first client: $(dproutes I1)"
check_has "session established before the step" '"state":"established"' \
    ctl I1 -j show sessions
check_has "egress1 has the binding before the step" '2001:db8:a::10' \
    ctl E1 -j show sessions

# the wall clock jumps an hour ahead, in every node at once
before=$(in_ns I1 env LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$OFFSET" \
    FAKETIME_NO_CACHE=1 date +%s)
echo "+3600" >"$OFFSET"
after=$(in_ns I1 env LD_PRELOAD="$FAKETIME_LIB" FAKETIME_TIMESTAMP_FILE="$OFFSET" \
    FAKETIME_NO_CACHE=1 date +%s)
if [ $((after - before)) -ge 3590 ]; then
	pass "the domain's wall clock stepped $((after - before)) s"
else
	fail "libfaketime did not step the clock ($before -> $after)"
fi
# past both sweeps (SWEEP_MS 5 s in egress.c and ingress.c)
sleep 6	# lint: sleep-ok: nothing may happen; this waits out the sweeps
for n in I1 I2 E1 E2 K; do
	eval "pid=\$PID_$n"
	kill -0 "$pid" 2>/dev/null || fail "$(name_of "$n") died after the step"
done
check_has "after the step: ingress1's session still established" \
    '"state":"established"' ctl I1 -j show sessions
check_has "after the step: egress1 still has the binding" '2001:db8:a::10' \
    ctl E1 -j show sessions
check_has "after the step: the steering route is still there" \
    "2001:db8:cafe::1 from 2001:db8:a::10 " dproutes I1
check_json "expiries are counted from now, not from the wall clock" \
    '[.sessions[] | select(.expires_in_ms != null) | .expires_in_ms] | length > 0 and all(. > 0 and . <= 300000)' \
    ctl E1 -j show sessions
# the second client's signaling carries stepped timestamps on both sides
if attach_request I1 2001:db8:a::11 02:00:5e:10:00:02; then
	pass "a new client sets up after the step: $(dproutes I1 | grep 'from 2001:db8:a::11 ')"
else
	fail "no set-up after the step: $(ctl I1 show counters)"
fi
check_json "no timestamp refused" \
    '[.. | objects | to_entries[] | select(.key | test("timestamp")) | .value | numbers] | all(. == 0)' \
    ctl E1 -j show counters
stop_nodes
check_done "clock step"
