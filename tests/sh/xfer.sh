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
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${CATSD_BUILD:-$PWD/build/san}
CATSD=$B/catsd
CTL=$B/catsctl
EDGE=$B/cats-edge
CLIENT=$B/cats-client
PROTO=252

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
for p in "$CATSD" "$CTL" "$EDGE" "$CLIENT"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done
P=xf$$
ip netns add ${P}probe 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
ip netns del ${P}probe

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

NSS="C I1 I2 E1 E2 K D1 D2 B"
NODES="I1 I2 E1 E2 K"
T=$(mktemp -d) || exit 1
PIDS=""
cleanup() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	sleep 0.3
	for pid in $PIDS; do kill -9 "$pid" 2>/dev/null; done
	for n in $NSS; do ip netns del "$P$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
# KEEP=1 keeps the configurations and logs in /tmp/xfer-keep
[ -n "${KEEP:-}" ] && trap "cp -r \"$T\" /tmp/xfer-keep; cleanup" EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok   $*"; }
# (these helpers must not touch the callers' loop variables)
x() { _ns=$1; shift; ip -n "$P$_ns" "$@"; }
in_ns() { _ns=$1; shift; ip netns exec "$P$_ns" "$@"; }
ctl() { _cn=$1; shift; in_ns "$_cn" "$CTL" -s "$T/$_cn.sock" "$@"; }

# ---------------------------------------------------------------- topology
for n in $NSS; do
	ip netns add "$P$n" || exit 1
	x "$n" link set lo up
	in_ns "$n" sysctl -qw net.ipv6.conf.all.forwarding=1 \
	    net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.default.seg6_enabled=1 \
	    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	    >/dev/null
done
x B link add br0 type bridge
x B link set br0 up
core=1
for n in $NODES; do
	ip link add core0 netns "$P$n" mtu 9000 type veth peer name "c$n" netns ${P}B mtu 9000
	x B link set "c$n" master br0 up
	x "$n" addr add "2001:db8:ff::$core/64" dev core0 nodad
	x "$n" link set core0 up
	eval "CORE_$n=2001:db8:ff::$core"
	core=$((core + 1))
done
# access links, and the edges behind the egresses
ip link add a1 netns ${P}C type veth peer name acc0 netns ${P}I1
ip link add a2 netns ${P}C type veth peer name acc0 netns ${P}I2
x C addr add 2001:db8:a::10/64 dev a1 nodad; x C link set a1 up
x C link set a2 up
x I1 addr add 2001:db8:a::1/64 dev acc0 nodad; x I1 link set acc0 up
x I2 addr add 2001:db8:a::1/64 dev acc0 nodad; x I2 link set acc0 up
x C route add default via 2001:db8:a::1 dev a1
for i in 1 2; do
	ip link add edge0 netns "${P}E$i" type veth peer name up0 netns "${P}D$i"
	x "E$i" addr add "2001:db8:d$i::1/64" dev edge0 nodad; x "E$i" link set edge0 up
	x "D$i" addr add "2001:db8:d$i::100/64" dev up0 nodad; x "D$i" link set up0 up
	x "D$i" addr add 2001:db8:cafe::1/128 dev lo
	x "D$i" route add default via "2001:db8:d$i::1"
done
# every node's SIDs live in fc00:N::/32, reached over the core
sid_of() { case $1 in I1) echo fc00:11::;; I2) echo fc00:12::;; E1) echo fc00:e1::;; E2) echo fc00:e2::;; K) echo fc00:c::;; esac; }
for n in $NODES; do
	for m in $NODES; do
		[ "$n" = "$m" ] && continue
		eval "via=\$CORE_$m"
		x "$n" route add "$(sid_of "$m")/32" via "$via" dev core0
	done
done

# ---------------------------------------------------------------- configs
roles_of() { case $1 in I*) echo '"ingress"';; E*) echo '"egress"';; K) echo '"controller"';; esac; }
name_of() { case $1 in I1) echo ingress1;; I2) echo ingress2;; E1) echo egress1;; E2) echo egress2;; K) echo controller;; esac; }
peers_of() {
	first=1
	for m in $NODES; do
		[ "$1" = "$m" ] && continue
		eval "a=\$CORE_$m"
		[ $first -eq 1 ] || printf ',\n'
		first=0
		printf '    { "name": "%s", "address": "%s", "roles": [%s], "sid": "%s" }' \
		    "$(name_of "$m")" "$a" "$(roles_of "$m")" "$(sid_of "$m")"
	done
	printf '\n'
}
egress_conf() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "transfer_port": 5437, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100", "edge_control": "[2001:db8:d%s::100]:7001" } ] },\n' \
	    "$1" "$2" "$1" "$1"
}
conf() {
	n=$1
	eval "addr=\$CORE_$n"
	{
	printf '{\n  "node": { "name": "%s", "address": "%s", "roles": [%s] },\n' \
	    "$(name_of "$n")" "$addr" "$(roles_of "$n")"
	printf '  "signaling": { "transport": "udp", "port": 5436 },\n'
	printf '  "control": "%s/%s.sock",\n' "$T" "$n"
	printf '  "log": { "level": "debug", "syslog": false },\n'
	printf '  "services": [ { "id": "video.cats", "address": "2001:db8:cafe::1" } ],\n'
	printf '  "peers": [\n'; peers_of "$n"; printf '  ],\n'
	case $n in
	I1) printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64" },\n'
	    dpif='"access_interface": "acc0", ';;
	I2) printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64", "transaction_switch": true },\n'
	    dpif='"access_interface": "acc0", ';;
	E1) egress_conf 1 101; dpif='"access_interface": "edge0", ';;
	E2) egress_conf 2 201; dpif='"access_interface": "edge0", ';;
	K) printf '  "controller": { "instances": [ { "id": 101, "service": "video.cats", "egress": "egress1" }, { "id": 201, "service": "video.cats", "egress": "egress2" } ] },\n'
	   printf '  "selector": { "policy": "response-time", "metrics": [ { "instance": 101, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 }, { "instance": 201, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 } ] },\n'
	   dpif='';;
	esac
	printf '  "dataplane": { "backend": "%s", "sid": "%s", %s"core_interface": "core0" }\n}\n' \
	    "$([ "$n" = K ] && echo none || echo kernel)" "$(sid_of "$n")" "$dpif"
	} >"$T/$n.json"
}
for n in $NODES; do
	conf "$n"
	if ! in_ns "$n" "$CATSD" -n -f "$T/$n.json" >"$T/$n.canon" 2>"$T/$n.err"; then
		fail "catsd -n $(name_of "$n"): $(cat "$T/$n.err")"
	fi
done

# ---------------------------------------------------------------- start
# Background processes are started with ip netns exec itself, never through
# a shell function: $! must be the process's pid, not a subshell's.
for n in $NODES; do
	ip netns exec "$P$n" "$CATSD" -d -f "$T/$n.json" >>"$T/$n.log" 2>&1 &
	eval "PID_$n=$!"
	PIDS="$PIDS $!"
done
ip netns exec ${P}D1 "$EDGE" --name edge1 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d1::100]:7001" >"$T/D1.log" 2>&1 &
PID_D1=$!
PIDS="$PIDS $!"
ip netns exec ${P}D2 "$EDGE" --name edge2 --listen "[2001:db8:cafe::1]:7000" \
    --control "[2001:db8:d2::100]:7001" >"$T/D2.log" 2>&1 &
PID_D2=$!
PIDS="$PIDS $!"
for n in $NODES; do
	i=0
	while [ ! -S "$T/$n.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S "$T/$n.sock" ] || { fail "$n: no control socket"; cat "$T/$n.log"; }
done
for d in D1 D2; do
	i=0
	until grep -q "ready:" "$T/$d.log" || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
done

# metrics: from ingress1 egress1 is near (5 ms), from ingress2 egress2
ctl K metric set net 0 0 owd_ns 5000000 >/dev/null || fail "metric set"
ctl K metric set net 0 1 owd_ns 20000000 >/dev/null || fail "metric set"
ctl K metric set net 1 0 owd_ns 20000000 >/dev/null || fail "metric set"
ctl K metric set net 1 1 owd_ns 5000000 >/dev/null || fail "metric set"

# ---------------------------------------------------------------- session
ctl I1 client attach 2001:db8:a::10 02:00:5e:10:00:01 >/dev/null || fail "attach"
ctl I1 client request 2001:db8:a::10 video.cats >/dev/null || fail "request"
i=0
until x I1 -6 route show proto $PROTO | grep -q "2001:db8:cafe::1 from 2001:db8:a::10 "; do
	i=$((i + 1)); [ $i -lt 50 ] || break; sleep 0.1
done
if x I1 -6 route show proto $PROTO | grep "cafe::1 from 2001:db8:a::10 " | grep -q "fc00:e1::"; then
	pass "ingress1 steers the client to egress1"
else
	fail "no steering route to egress1 at ingress1: $(x I1 -6 route show proto $PROTO)"
fi

# ---------------------------------------------------------------- switch
# 300 results every 10 ms from edge1; after a second the client moves.
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]:40000" --tx 9 --count 300 --interval 10 \
    --timeout 20000 --retry 300 >"$T/client.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
sleep 1
ctl I1 client move 2001:db8:a::10 >/dev/null
ctl I1 client detach 2001:db8:a::10 >/dev/null
x C addr del 2001:db8:a::10/64 dev a1
x C route del default via 2001:db8:a::1 dev a1 2>/dev/null
sleep 0.1		# off both links for a moment: ingress1 holds
x C addr add 2001:db8:a::10/64 dev a2 nodad
x C route add default via 2001:db8:a::1 dev a2 2>/dev/null
ctl I2 client attach 2001:db8:a::10 02:00:5e:10:00:01 >/dev/null
i=0
while kill -0 $cpid 2>/dev/null && [ $i -lt 250 ]; do sleep 0.1; i=$((i + 1)); done
kill $cpid 2>/dev/null
wait $cpid
if grep -q "received=300 missing=0 duplicated=0 .*edges=edge1,edge2" "$T/client.out"; then
	pass "transaction switched from edge1 to edge2: $(cat "$T/client.out")"
else
	fail "client: $(cat "$T/client.out")"
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
if x E1 -6 route show proto $PROTO | grep -q "^2001:db8:a::10 "; then
	fail "egress1 still returns results: $(x E1 -6 route show proto $PROTO | grep a::10)"
else
	pass "egress1 closed its return route"
fi
if x E2 -6 route show proto $PROTO | grep "^2001:db8:a::10 " | grep -q "fc00:12::"; then
	pass "egress2 returns results to ingress2"
else
	fail "no return route at egress2: $(x E2 -6 route show proto $PROTO)"
fi
if x I2 -6 route show proto $PROTO | grep "cafe::1 from 2001:db8:a::10 " | grep -q "fc00:e2::"; then
	pass "ingress2 steers the client to egress2"
else
	fail "ingress2 does not steer to egress2: $(x I2 -6 route show proto $PROTO)"
fi

# ---------------------------------------------------------------- refused
# A state from an address that is not an egress peer is refused and counted.
before=$(xcount E2 errors)
in_ns K "$CLIENT" --export "[$CORE_E2]:5437" --client "[2001:db8:a::10]:40000" \
    --tx 9 >/dev/null 2>&1
sleep 0.2
after=$(xcount E2 errors)
if [ "${after:-0}" -gt "${before:-0}" ]; then
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
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$pid" 2>/dev/null && fail "$n did not stop on SIGTERM"
	wait "$pid"; rc=$?
	[ $rc -eq 0 ] || fail "$n exited $rc: $(tail -n 5 "$T/$n.log")"
done
grep -h "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" "$T"/*.log && fail "sanitizer report"

[ $failures -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "all transaction switching tests passed"
