#!/bin/sh
# The edges' load reports (the C-SMA half of "metric agents", docs/apps.md,
# docs/catsd.md) changing the C-PS's choice, in network namespaces:
#
#   client C --- ingress I1 ---+                 +--- egress E1 --- edge D1 (1 worker)
#          \---- ingress I2 ---+-- core bridge --+--- egress E2 --- edge D2 (8 workers)
#                   controller K ---+
#
# The controller K holds the C-PS that ingress1 asks; what egress1's agent
# receives from edge1 reaches it in metric-report messages (docs/wire.md
# 5.9), so the choice is made on a node that never talks to an edge.  From
# ingress1 egress1 is near (5 ms) and its instance 101 is fast while idle
# (50 ms a request); instance 201 behind egress2 is configured slower
# (60 ms at half load) and farther (20 ms).  A load generator inside D1
# keeps edge1's one worker busy.  Nobody types a compute metric:
#   - agent off (edge1 --load-interval 0: it refuses WATCH): under load a
#     new client still goes to egress1 (the static metrics);
#   - agent on: idle, a new client goes to egress1; under load, once the
#     report shows edge1 saturated, a new client goes to egress2.
# Needs root and ip netns; exits 77 otherwise.
DOMAIN_TAG=ag
. "$(dirname "$0")/../lib/domain.sh"

egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100", "edge_control": "[2001:db8:d%s::100]:7001" } ] },\n' \
	    "$1" "$2" "$1" "$1"
}
controller_json() {
	printf '  "controller": { "instances": [ { "id": 101, "service": "video.cats", "egress": "egress1" }, { "id": 201, "service": "video.cats", "egress": "egress2" } ] },\n'
	printf '  "selector": { "policy": "response-time", "metrics": [ { "instance": 101, "util": 0.1, "capacity": 1000, "proc_delay_ns": 2000000 }, { "instance": 201, "util": 0.5, "capacity": 1000, "proc_delay_ns": 60000000 } ] },\n'
}
configure_all

# ---------------------------------------------------------------- start
for n in $NODES; do start_node "$n"; done
# edge1: agent off for now
ip netns exec ${P}D1 "$EDGE" --name edge1 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d1::100]:7001" --workers 1 --work-ms 50 \
    --load-interval 0 >"$T/D1.log" 2>&1 &
PID_D1=$!
PIDS="$PIDS $!"
ip netns exec ${P}D2 "$EDGE" --name edge2 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d2::100]:7001" --workers 8 --work-ms 50 \
    >"$T/D2.log" 2>&1 &
PID_D2=$!
PIDS="$PIDS $!"
for n in $NODES; do wait_sock "$n"; done
for d in D1 D2; do
	wait_for 10 grep -q "ready:" "$T/$d.log" || fail "$d did not start: $(cat "$T/$d.log")"
done
# the network part, as every domain test has it (the C-NMA: probe.sh)
set_metrics

agent() { ctl E1 -j show counters | sed -n "s/.*\"agent\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"; }
reports_in() { [ "$(agent reports)" -gt 0 ] 2>/dev/null; }
# load N: N requests, one at a time, from 4 generators in D1 (bounded:
# each request waits 2 s at most)
load_start() {
	LOADS=""
	for g in 1 2 3 4; do
		ip netns exec ${P}D1 sh -c 'i=0; while [ $i -lt "$2" ]; do
			"$1" --to "[2001:db8:cafe::1]:7000" --tx $(($3 + i)) \
			    --count 1 --timeout 2000 --retry 0 >/dev/null 2>&1
			i=$((i + 1)); done' load "$CLIENT" "$1" "$((g * 10000 + $2))" &
		LOADS="$LOADS $!"
		PIDS="$PIDS $!"
	done
}
load_stop() {
	# shellcheck disable=SC2086
	stop_pids 3 $LOADS
}
busy() { [ "$(grep -c "results every" "$T/D1.log")" -ge "$1" ]; }
# choice CLIENT LLADDR: attach it at ingress1 and print where it is steered
choice() {
	attach_request I1 "$1" "$2"
	case $(dproutes I1 | grep "cafe::1 from $1 ") in
	*fc00:e1::*) echo egress1;;
	*fc00:e2::*) echo egress2;;
	*) echo none;;
	esac
}

# ---------------------------------------------------------------- agent off
load_start 60 0
wait_for 10 busy 30 || fail "edge1 is not loaded: $(tail -n 3 "$T/D1.log")"
c=$(choice 2001:db8:a::21 02:00:5e:10:00:21)
if [ "$c" = egress1 ]; then
	pass "agent off, edge1 loaded: a new client still goes to egress1"
else
	fail "agent off: the new client went to $c: $(dproutes I1)"
fi
if json_ok '.agent.reports == 0 and .agent.errors > 0' ctl E1 -j show counters &&
    grep -q "no load reports" "$T/E1.log"; then
	pass "edge1 refused WATCH: no report, counted and logged"
else
	fail "agent off: $(ctl E1 -j show counters)"
fi
load_stop

# ---------------------------------------------------------------- agent on
kill -TERM "$PID_D1"
wait_pid "$PID_D1" 5 >/dev/null
ip netns exec ${P}D1 "$EDGE" --name edge1 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d1::100]:7001" --workers 1 --work-ms 50 \
    >"$T/D1.log" 2>&1 &
PID_D1=$!
PIDS="$PIDS $!"
wait_for 10 grep -q "ready:" "$T/D1.log" || fail "D1 did not restart: $(cat "$T/D1.log")"
if wait_for 15 reports_in; then
	pass "egress1 receives edge1's load reports: $(ctl E1 -j show instances)"
else
	fail "no load report at egress1: $(ctl E1 -j show counters)"
fi
c=$(choice 2001:db8:a::22 02:00:5e:10:00:22)
if [ "$c" = egress1 ]; then
	pass "agent on, edge1 idle: a new client goes to egress1"
else
	fail "agent on, idle: the new client went to $c: $(ctl E1 -j show metrics)"
fi
load_start 60 1000
saturated='.instances[] | select(.id == 101) | .load.util >= 0.9'
if wait_for 15 json_ok "$saturated" ctl E1 -j show instances; then
	pass "edge1's report: busy ($(ctl E1 -j show instances))"
else
	fail "edge1 never reported busy: $(ctl E1 -j show instances)"
fi
c=$(choice 2001:db8:a::23 02:00:5e:10:00:23)
if [ "$c" = egress2 ]; then
	pass "agent on, edge1 loaded: a new client goes to egress2, nobody typed a number"
else
	fail "agent on, loaded: the new client went to $c although $(ctl E1 -j show metrics)"
fi
load_stop
if [ "$(agent reports)" -gt 0 ] 2>/dev/null &&
    json_ok '.agent.malformed == {} and .metric_reports.sent > 0' ctl E1 -j show counters; then
	pass "egress1's agent counters: reports=$(agent reports), metric reports sent $(ctl E1 -j show counters | jq -c .metric_reports)"
else
	fail "agent counters: $(ctl E1 -j show counters)"
fi
if json_ok '.metric_reports.taken > 0 and (.dropped["metric-refused"] // 0) == 0' ctl K -j show counters; then
	pass "the controller took egress1's metric reports: $(ctl K -j show counters | jq -c .metric_reports)"
else
	fail "controller's metric reports: $(ctl K -j show counters)"
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
if grep -q "load_reports=[1-9]" "$T/D1.log"; then
	pass "$(grep "pool:" "$T/D1.log" | tail -n 1)"
else
	fail "edge1's pool counters: $(tail -n 2 "$T/D1.log")"
fi
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "agent"
