#!/bin/sh
# Instance failure behind a live egress (issue [11]; docs/engine.md
# "Site failure"), in network namespaces:
#
#   client C --- ingress I1 ---+                 +--- egress E1 --- edge D1
#                              +-- core bridge --+--- egress E2 --- edge D2
#                   controller K ---+
#
# Each egress's agent holds a control connection to its edge, which
# reports its load on it.  edge1 (instance 101) is killed with SIGKILL;
# egress1's catsd lives on and still answers heartbeats, so only the agent
# can tell: the connection resets, egress1 says in a metric-report that
# 101 is gone (the cats-metrics option's G flag, docs/wire.md 5.9) to the
# controller and to ingress1, which holds a session on it.  Checked: the
# client re-steered to egress2 (the time from the kill, printed and held
# to a bound of one heartbeat interval plus a controller round trip:
# 2 s here), why in catsctl show sessions, the counts at each node, egress1
# itself still up; then edge1 back, and the controller's C-PS has 101
# available again.  Needs root and ip netns; exits 77 otherwise.
DOMAIN_TAG=fi
. "$(dirname "$0")/../lib/domain.sh"
NODES="I1 E1 E2 K"
BOUND_MS=2000

egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100", "edge_control": "[2001:db8:d%s::100]:7001" } ] },\n' \
	    "$1" "$2" "$1" "$1"
}
configure_all

# ---------------------------------------------------------------- start
start_edge() {
	ip netns exec "${P}D$1" "$EDGE" --name "edge$1" \
	    --listen "[2001:db8:cafe::1]:7000" \
	    --control "[2001:db8:d$1::100]:7001" --workers 8 --work-ms 1 \
	    >>"$T/D$1.log" 2>&1 &
	eval "PID_D$1=$!"
	PIDS="$PIDS $!"
}
for n in $NODES; do start_node "$n"; done
start_edge 1
start_edge 2
for n in $NODES; do wait_sock "$n"; done
set_metrics
# the agents hear their edges (at least one load report each)
reports() { json_ok ".agent.reports > $2" ctl "$1" -j show counters; }
for e in E1 E2; do
	wait_for 10 reports "$e" 0 || fail "$e's agent heard nothing: $(ctl "$e" -j show counters | jq -c .agent)"
done

# ---------------------------------------------------------------- session
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01
steers() { dproutes I1 | grep "cafe::1 from 2001:db8:a::10 " | grep -- "$1"; }
check_has "ingress1 steers the client to egress1 (instance 101)" fc00:e1:: steers fc00:e1::

# ---------------------------------------------------------------- failure
t0=$(date +%s%N)
kill -9 "$PID_D1"
wait_pid "$PID_D1" 5 >/dev/null
wait_for 10 steers fc00:e2:: ||
    fail "ingress1 did not steer the client to egress2: $(dproutes I1)"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ "$ms" -le "$BOUND_MS" ]; then
	pass "re-steered to egress2 ${ms} ms after edge1 was killed (bound $BOUND_MS ms)"
else
	fail "re-steered to egress2 ${ms} ms after the kill, over the $BOUND_MS ms bound"
fi
check_json "show sessions says why it moved" \
    '.sessions[] | select(.client == "2001:db8:a::10") | .state == "established" and .egress == "egress2" and .why == "instance 101 at egress1 gone"' \
    ctl I1 -j show sessions
check_json "ingress1 counts it, and egress1 itself is still up" \
    '.site_failure.resteered_gone == 1 and ([.peers[] | select(.name == "egress1") | .liveness.state == "up"] | all)' \
    ctl I1 -j show peers
check_json "egress1 knows its edge is gone" \
    '[.. | objects | select(has("edge_gone")) | .edge_gone] | any' \
    ctl E1 -j show instances
check_json "the controller's C-PS has 101 unavailable" \
    '[.. | objects | select(.id? == 101 and has("available")) | .available] == [false]' \
    ctl K -j show instances

# the next transaction is served by edge2
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]:40001" --tx 10 --count 20 --interval 5 \
    --timeout 3000 --retry 300 >"$T/client.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
wait_pid "$cpid" 15; crc=$?
check_has "the next transaction is served by edge2 (exit $crc)" \
    "received=20 missing=0 duplicated=0 .*edges=edge2$" cat "$T/client.out"

# ---------------------------------------------------------------- back
r0=$(ctl E1 -j show counters | jq '.agent.reports')
start_edge 1
wait_for 15 reports E1 "$r0" || fail "edge1's reports did not come back"
avail() {
	json_ok '[.. | objects | select(.id? == 101 and has("available")) | .available] == [true]' \
	    ctl K -j show instances
}
if wait_for 10 avail; then
	pass "edge1 back: the controller has 101 available again"
else
	fail "101 not available again: $(ctl K -j show instances | jq -c .)"
fi

# ---------------------------------------------------------------- stop
stop_nodes
check_absent "no sanitizer report in the logs" "Sanitizer\\|runtime error" \
    cat "$T/I1.log" "$T/E1.log" "$T/E2.log" "$T/K.log"
check_done "instance failure: edge1 killed, its client re-steered in ${ms} ms"
