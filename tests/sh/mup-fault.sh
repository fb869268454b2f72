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
HOLD=3
MUP_TAG=mf
MUP_KEEP=mup-fault
MUP_HOLD=$HOLD
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_HOLD=$HOLD
. tests/lib/mup.sh

# ---------------------------------------------------------------- topology
mup_topology

# ---------------------------------------------------------------- gobgpd
mup_gobgp 50074

# ---------------------------------------------------------------- catsd
# speaker NAME RID MUP-JSON (tests/lib/mup.sh): catsd in NAME's namespace,
# one session to the reflector with the short hold time
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
for n in $NODES; do wait_sock "$n" || exit 1; done
mup_established "four speakers Established with gobgpd, hold time $HOLD s"
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

steer_of() { ctl R -j show mup | jq -c ".steering[] | select(.teid == $1) | {teid, cis_id, site, why, moved_ms_ago}"; }
session_up 1001 7
session_up 1002 8
if steered 10 1001 1 && steered 5 1002 3; then
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
steered 15 1001 2
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
if session_up 1003 7 && steered 5 1003 2; then
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
if steered 10 1002 3; then
	pass "A back: the unmet session 1002 is served again: $(steer_of 1002)"
else
	fail "1002 after A came back: $(ctl R -j show mup | jq -c '{steering, unmet}')"
fi
check_json "nothing unmet any more" '.unmet == [] and .site_failure.resteered == 2' ctl R -j show mup
if session_up 1004 7 && steered 5 1004 1; then
	pass "a new CS 7 session 1004 goes to A, near and usable again: $(steer_of 1004)"
else
	fail "session 1004: $(ctl R -j show mup | jq -c .steering)"
fi

# ---------------------------------------------------------------- stop
stop_nodes
check_absent "no sanitizer report in the logs" \
    "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "mup-fault"
