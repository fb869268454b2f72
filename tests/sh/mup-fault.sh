#!/bin/sh
# Site failure in CATS-MUP (issue [11], docs/mup.md section 6 and
# docs/engine.md section 7), on real sockets, in network namespaces, with
# gobgpd (package gobgpd) as route reflector:
#
#   site PE A (fd00::a: CS 7 as CIS 1, CS 8 as CIS 3) --+
#   site PE B (fd00::b: CS 7 as CIS 2) -----------------+-- br0 + gobgpd RR
#   RAN PE R (fd00::e, ran 0, distributed) -------------+   (fd00::100)
#   controller K (fd00::d, distributed) ----------------+
#
# Every BGP session has a 3 s hold time (catsd's hold_time and gobgpd's
# hold-time; 1 s keepalives).  R's mup.paths put A at 1 ms, B at 20 ms:
# session 1001 (CS 7) goes to A (CIS 1), session 1002 (CS 8) to A (CIS 3).
# Then site A fails as a power cut would: its link goes down and its catsd
# is killed (-9), so no FIN and no NOTIFICATION reaches the reflector, only
# its hold timer can tell (RFC 4271 6.5).  gobgpd's hold timer for A
# expires, it withdraws A's DSDs from R, and R's C-PS re-steers:
#   - 1001 to B (CIS 2, the same service), within the bound: the hold time
#     (3 s) + 1 s, measured from the kill; not before 2 s (the hold time
#     less one keepalive interval: earlier would not be the hold timer);
#   - 1002 has no other instance of CS 8: unmet, counted, nothing steered;
#   - catsctl show mup says why for both.
# A back (link up, catsd restarted): 1002 is served again, and a new CS 7
# session goes to A, the near site.
# Needs root, ip netns, gobgpd, gobgp and jq; exits 77 otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
B=${CATSD_BUILD:-$PWD/build/san}
CATSD=$B/catsd
CTL=$B/catsctl
HOLD=3

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
for p in "$CATSD" "$CTL"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done
P=mf$$
ip netns add ${P}RR 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_NETNS=${P}RR
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_HOLD=$HOLD
. tests/lib/gobgp.sh	# exits 77 without gobgpd, gobgp, jq

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

NODES="A B R K"
T=$(mktemp -d) || exit 1
PIDS=""
cleanup() {
	# shellcheck disable=SC2086
	stop_pids 3 $PIDS
	for n in RR $NODES; do ip netns del "$P$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap 'cp -r "$T" /tmp/mup-fault-keep; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

x() { _ns=$1; shift; ip -n "$P$_ns" "$@"; }
in_ns() { _ns=$1; shift; ip netns exec "$P$_ns" "$@"; }
ctl() { _cn=$1; shift; in_ns "$_cn" "$CTL" -s "$T/$_cn.sock" "$@"; }

# ---------------------------------------------------------------- topology
addr_of() { case $1 in A) echo fd00::a;; B) echo fd00::b;; R) echo fd00::e;; K) echo fd00::d;; esac; }
x RR link set lo up
x RR link add br0 type bridge
x RR addr add fd00::100/64 dev br0 nodad
x RR link set br0 up
for n in $NODES; do
	ip netns add "$P$n" || exit 1
	x "$n" link set lo up
	in_ns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
	    net.ipv6.conf.default.accept_dad=0 >/dev/null
	ip link add core0 netns "$P$n" type veth peer name "c$n" netns "${P}RR"
	x RR link set "c$n" master br0 up
	x "$n" addr add "$(addr_of "$n")/64" dev core0 nodad
	x "$n" link set core0 up
done

# ---------------------------------------------------------------- gobgpd
for n in $NODES; do gobgp_neighbor "$(addr_of "$n")" 65000 ""; done
gobgp_start "$T/gobgp" 179 50074 65000 10.0.0.100 "" || exit 1

# ---------------------------------------------------------------- catsd
# speaker NAME RID MUP-JSON: catsd in NAME's namespace, one session to the
# reflector with the short hold time
speaker() {
	a=$(addr_of "$1")
	cat >"$T/$1.json" <<EOF
{ "node": { "name": "$1", "address": "$a", "roles": ["locator"] },
  "control": "$T/$1.sock", "log": { "level": "debug" },
  "bgp": { "asn": 65000, "router_id": "$2", "hold_time": $HOLD,
    "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100",
      "local_address": "$a", "asn": 65000, "families": ["ipv6-mup"] } ] },
  "mup": $3 }
EOF
	ip netns exec "$P$1" "$CATSD" -d -f "$T/$1.json" >>"$T/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
}
site_a() {
	speaker A 10.0.0.1 '{ "roles": ["site-pe"], "mode": "distributed",
  "address": "fd00::a", "instances": [
    { "cs_id": 7, "cis_id": 1, "sid": "fc00:a:1::" },
    { "cs_id": 8, "cis_id": 3, "sid": "fc00:a:3::" } ],
  "damping": { "min_interval_ms": 0 } }'
}
site_a
speaker B 10.0.0.2 '{ "roles": ["site-pe"], "mode": "distributed",
  "address": "fd00::b", "instances": [
    { "cs_id": 7, "cis_id": 2, "sid": "fc00:b:2::" } ],
  "damping": { "min_interval_ms": 0 } }'
speaker R 10.0.0.5 '{ "roles": ["ran-pe"], "mode": "distributed",
  "address": "fd00::e", "ran_index": 0,
  "paths": [ { "ran": "fd00::e", "site": "fd00::a", "owd_ns": 1000000 },
             { "ran": "fd00::e", "site": "fd00::b", "owd_ns": 20000000 } ] }'
speaker K 10.0.0.4 '{ "roles": ["controller"], "mode": "distributed",
  "address": "fd00::d", "rans": ["fd00::e"] }'
for n in $NODES; do
	wait_for 10 test -S "$T/$n.sock" || { fail "catsd $n did not start:"; cat "$T/$n.log"; exit 1; }
done
established() { json_ok '.neighbors[0].state | ascii_downcase == "established"' ctl "$1" -j show bgp; }
up=0
for n in $NODES; do wait_for 20 established "$n" || up=1; done
if [ $up -eq 0 ]; then
	pass "four speakers Established with gobgpd, hold time $HOLD s"
else
	fail "sessions: $(for n in $NODES; do ctl "$n" -j show bgp | jq -c '.neighbors[0].state'; done)"
fi
check_json "the hold time negotiated with gobgpd is $HOLD s" \
    ".neighbors[0].hold_time == $HOLD" ctl A -j show bgp
# the same load at every instance: the paths decide
metrics() {
	_mn=$1; shift
	for c in "$@"; do
		ctl "$_mn" mup metric "$c" util=0.2 proc_delay_ns=2000000 >/dev/null ||
		    fail "catsctl mup metric $c refused at $_mn"
	done
}
metric_all() { metrics A 1 3; metrics B 2; }
metric_all

steers() { json_ok "any(.steering[]; $1)" ctl R -j show mup; }
steer_of() { ctl R -j show mup | jq -c ".steering[] | select(.teid == $1) | {teid, cis_id, site, why, moved_ms_ago}"; }
ctl K mup session up 1001 endpoint fd00:5::1 cs-id 7 ran 0 >/dev/null
ctl K mup session up 1002 endpoint fd00:5::2 cs-id 8 ran 0 >/dev/null
if wait_for 10 steers '.teid == 1001 and .cis_id == 1' &&
    wait_for 5 steers '.teid == 1002 and .cis_id == 3'; then
	pass "R steers 1001 (CS 7) and 1002 (CS 8) to site A, the near one: $(steer_of 1001) $(steer_of 1002)"
else
	fail "before the failure: $(ctl R -j show mup | jq -c .steering)"
fi

# ---------------------------------------------------------------- failure
# A's power goes: the link first (nothing more leaves the site, not even
# the FIN the kernel sends for a killed process), then its catsd.
t0=$(date +%s%N)
x A link set core0 down
kill -9 "$PID_A"
wait "$PID_A" 2>/dev/null
wait_for 15 steers '.teid == 1001 and .cis_id == 2'
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
bound=$((HOLD * 1000 + 1000))
floor=$((HOLD * 1000 - HOLD * 1000 / 3))
if ! steers '.teid == 1001 and .cis_id == 2'; then
	fail "1001 never left A: $(ctl R -j show mup | jq -c .steering)"
elif [ "$ms" -le "$bound" ] && [ "$ms" -ge "$floor" ]; then
	pass "R re-steered 1001 to B (CIS 2) ${ms} ms after the failure (hold time $((HOLD * 1000)) ms; expected $floor to $bound ms)"
else
	fail "R re-steered 1001 to B ${ms} ms after the failure, outside $floor to $bound ms"
fi
check_has "gobgpd saw A's hold timer expire" "fd00::a" \
    grep -i "hold.*expire\|expire.*hold" "$T/gobgp/gobgpd.log"
check_json "catsctl show mup: 1001 says why it moved" \
    '.steering[] | select(.teid == 1001) | .why == "site PE fd00::a gone: routes withdrawn" and .moved_ms_ago >= 0' \
    ctl R -j show mup
check_json "catsctl show mup: 1002 (CS 8, only at A) is unmet, with the reason" \
    '(.steering | all(.teid != 1002)) and (.unmet | length == 1 and .[0].teid == 1002 and .[0].cs_id == 8 and (.[0].why | startswith("site PE fd00::a gone")))' \
    ctl R -j show mup
check_json "catsctl show mup: site_failure counts 2 instances lost, 1 re-steered, 1 unmet" \
    '.site_failure == { "instances_lost": 2, "resteered": 1, "unmet": 1 }' ctl R -j show mup
echo "   R: $(ctl R -j show mup | jq -c '{steering: [.steering[] | {teid, cis_id, why, moved_ms_ago}], unmet, site_failure}')"
if ctl K mup session up 1003 endpoint fd00:5::3 cs-id 7 ran 0 >/dev/null &&
    wait_for 5 steers '.teid == 1003 and .cis_id == 2'; then
	pass "a new CS 7 session 1003 goes to B, A being gone: $(steer_of 1003)"
else
	fail "session 1003: $(ctl R -j show mup | jq -c .steering)"
fi

# ---------------------------------------------------------------- back
x A link set core0 up
# (IPv6 drops the addresses of a link that goes down)
x A addr replace fd00::a/64 dev core0 nodad
site_a
if wait_for 20 established A; then
	metrics A 1 3
else
	fail "A did not come back: $(tail -5 "$T/A.log")"
fi
if wait_for 10 steers '.teid == 1002 and .cis_id == 3'; then
	pass "A back: the unmet session 1002 is served again: $(steer_of 1002)"
else
	fail "1002 after A came back: $(ctl R -j show mup | jq -c '{steering, unmet}')"
fi
check_json "nothing unmet any more" '.unmet == [] and .site_failure.resteered == 2' ctl R -j show mup
if ctl K mup session up 1004 endpoint fd00:5::4 cs-id 7 ran 0 >/dev/null &&
    wait_for 5 steers '.teid == 1004 and .cis_id == 1'; then
	pass "a new CS 7 session 1004 goes to A, near and usable again: $(steer_of 1004)"
else
	fail "session 1004: $(ctl R -j show mup | jq -c .steering)"
fi

# ---------------------------------------------------------------- stop
pid=""
for n in $NODES; do
	eval "pid=\$PID_$n"
	kill -TERM "$pid"
done
for n in $NODES; do
	eval "pid=\$PID_$n"
	wait_pid "$pid" 5 || fail "$n did not stop cleanly on SIGTERM"
done
check_absent "no sanitizer report in the logs" \
    "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "mup-fault"
