#!/bin/sh
# Transaction switching (mobility fig. 3) between two catsd egresses and
# their reference edges, in network namespaces:
#
#   client C --- ingress I1 ---+                 +--- egress E1 --- edge D1
#          \---- ingress I2 ---+-- core bridge --+--- egress E2 --- edge D2
#                   controller K ---+
#
# The client runs a long transaction through ingress1 and egress1 (edge1
# answers), then moves to ingress2 (a proactive handover, as catsd.sh's).
# ingress2 has "transaction_switch": true and from ingress2 egress2 is
# better, so after the handover it asks the controller and switches:
# egress1's catsd exports the transaction from edge1's control port and
# streams the state to egress2's transfer port; egress2's catsd imports it
# into edge2, which sends the rest.  The client must end with every result
# exactly once from edge1 then edge2; both catsd's count the transfer;
# egress1 closed its return route.  Needs root and ip netns; exits 77
# otherwise.
DOMAIN_TAG=xf
. "$(dirname "$0")/../lib/domain.sh"

# ingress2 switches transactions; the egresses move state with their edges
ingress_json() {
	case $1 in
	I2) printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64", "transaction_switch": true },\n' ;;
	*) printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64" },\n' ;;
	esac
}
egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "transfer_port": 5437, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100", "edge_control": "[2001:db8:d%s::100]:7001" } ] },\n' \
	    "$1" "$2" "$1" "$1"
}
configure_all

# ---------------------------------------------------------------- start
for n in $NODES; do start_node "$n"; done
ip netns exec ${P}D1 "$EDGE" --name edge1 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d1::100]:7001" >"$T/D1.log" 2>&1 &
PID_D1=$!
PIDS="$PIDS $!"
ip netns exec ${P}D2 "$EDGE" --name edge2 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d2::100]:7001" >"$T/D2.log" 2>&1 &
PID_D2=$!
PIDS="$PIDS $!"
for n in $NODES; do wait_sock "$n"; done
for d in D1 D2; do
	wait_for 10 grep -q "ready:" "$T/$d.log" || fail "$d did not start: $(cat "$T/$d.log")"
done

# metrics: from ingress1 egress1 is near (5 ms), from ingress2 egress2
set_metrics

# ---------------------------------------------------------------- session
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01
if dproutes I1 | grep "cafe::1 from 2001:db8:a::10 " | grep -q "fc00:e1::"; then
	pass "ingress1 steers the client to egress1"
else
	fail "no steering route to egress1 at ingress1: $(dproutes I1)"
fi

# ---------------------------------------------------------------- switch
# 300 results every 10 ms from edge1; once it has 80 of them (an event,
# not a fixed time: the old "sleep 1" gave about that many here) the
# client moves.  (Moved after 30, the switch comes at about result 50 and
# the client has not finished 25 s later: a case to look into, in catsd.)
rx0=$(client_rx)
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]:40000" --tx 9 --count 300 --interval 10 \
    --timeout 20000 --retry 300 >"$T/client.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
wait_for 20 client_has "$rx0" 80 ||
    fail "switch: the client had $(($(client_rx) - rx0)) of 300 results after 20 s"
move_client
wait_pid $cpid 25; crc=$?
if grep -q "received=300 missing=0 duplicated=0 .*edges=edge1,edge2" "$T/client.out"; then
	pass "transaction switched from edge1 to edge2: $(cat "$T/client.out")"
else
	fail "client (exit $crc): $(cat "$T/client.out")"
fi
if grep -q "exported at" "$T/D1.log" && grep -q "imported at" "$T/D2.log"; then
	pass "$(grep "exported at" "$T/D1.log" | tail -n 1); $(grep "imported at" "$T/D2.log" | tail -n 1)"
else
	fail "edge logs: D1: $(tail -n 3 "$T/D1.log") D2: $(tail -n 3 "$T/D2.log")"
fi

# ---------------------------------------------------------------- counters
xcount() { ctl "$1" -j show counters | sed -n "s/.*\"transfer\":{[^}]*\"$2\":\([0-9]*\).*/\1/p"; }
e1="exports=$(xcount E1 exports) states_sent=$(xcount E1 states_sent) errors=$(xcount E1 errors)"
e2="states_received=$(xcount E2 states_received) imports=$(xcount E2 imports) errors=$(xcount E2 errors)"
if [ "$e1" = "exports=1 states_sent=1 errors=0" ]; then
	pass "egress1's transfer counters: $e1"
else
	fail "egress1's transfer counters: $e1: $(ctl E1 -j show counters)"
fi
if [ "$e2" = "states_received=1 imports=1 errors=0" ]; then
	pass "egress2's transfer counters: $e2"
else
	fail "egress2's transfer counters: $e2: $(ctl E2 -j show counters)"
fi

# ---------------------------------------------------------------- routes
check_absent "egress1 closed its return route" "^2001:db8:a::10 " dproutes E1
if dproutes E2 | grep "^2001:db8:a::10 " | grep -q "fc00:12::"; then
	pass "egress2 returns results to ingress2"
else
	fail "no return route at egress2: $(dproutes E2)"
fi
if dproutes I2 | grep "cafe::1 from 2001:db8:a::10 " | grep -q "fc00:e2::"; then
	pass "ingress2 steers the client to egress2"
else
	fail "ingress2 does not steer to egress2: $(dproutes I2)"
fi

# ---------------------------------------------------------------- refused
# A state from an address that is not an egress peer is refused and counted.
before=$(xcount E2 errors)
in_ns K "$CLIENT" --export "[$CORE_E2]:5437" --client "[2001:db8:a::10]:40000" \
    --tx 9 >/dev/null 2>&1
counted() { [ "$(xcount E2 errors)" -gt "${before:-0}" ] 2>/dev/null; }
wait_for 5 counted
after=$(xcount E2 errors)
if [ -n "$before" ] && [ "${after:-0}" -gt "$before" ]; then
	pass "a connection to the transfer port from the controller is refused and counted"
else
	fail "transfer port from a non-egress: errors $before -> $after"
fi

# ---------------------------------------------------------------- stop
for n in $NODES; do
	eval "pid=\$PID_$n"
	kill -TERM "$pid"
done
kill -TERM "$PID_D1" "$PID_D2"
for n in $NODES D1 D2; do
	eval "pid=\$PID_$n"
	wait_pid "$pid" 5; rc=$?
	case $rc in
	0) pass "$n stopped cleanly on SIGTERM";;
	124) fail "$n did not stop on SIGTERM in 5 s";;
	*) fail "$n exited $rc: $(tail -n 5 "$T/$n.log")";;
	esac
done
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "xfer"
