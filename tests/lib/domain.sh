#!/bin/sh
# tests/lib/domain.sh: a small CATS domain in network namespaces, for the shell tests
# that run catsd for real (catsd.sh, xfer.sh).  Sourced, after setting
# DOMAIN_TAG (a short prefix for the namespaces).
#
#   client C --- ingress I1 ---+                 +--- egress E1 --- edge D1
#          \---- ingress I2 ---+-- core bridge --+--- egress E2 --- edge D2
#                   controller K ---+
#
# It checks root and ip netns (exit 77 otherwise), builds the namespaces
# and links, sources tests/lib/check.sh (pass, fail, skip, check_done,
# wait_for, ...) and tests/lib/netns.sh (x, in_ns, ctl, start_node,
# wait_sock, stop_nodes), and defines: conf (one node's JSON, with the
# hooks ingress_json and egress_json a test may redefine) and
# configure_all.  Everything is removed on exit; every process a test
# starts goes into PIDS and is stopped.
#
# The data plane is CATS_BACKEND's ("auto" unless said: seg6 routes where
# the kernel has them, eBPF otherwise); dproutes and kernel_view read it
# whichever runs.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
B=${CATSD_BUILD:-$PWD/build/san}
CATSD=$B/catsd
CTL=$B/catsctl
EDGE=$B/cats-edge
CLIENT=$B/cats-client
PROTO=252
BACKEND=${CATS_BACKEND:-auto}

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
for p in "$CATSD" "$CTL" "$EDGE" "$CLIENT"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done
P=$DOMAIN_TAG$$
ip netns add ${P}probe 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
ip netns del ${P}probe

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

NSS="C I1 I2 E1 E2 K D1 D2 B"
NODES="I1 I2 E1 E2 K"
T=$(mktemp -d) || exit 1
PIDS=""
# x, in_ns, ctl, start_node, wait_sock, stop_nodes
. tests/lib/netns.sh
# KEEP=1 keeps the configurations and logs in /tmp/$DOMAIN_TAG-keep
# shellcheck disable=SC2086
netns_traps "$DOMAIN_TAG" $NSS

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
		printf '    { "name": "%s", "address": "%s", "roles": [%s], "sid": "%s"%s }' \
		    "$(name_of "$m")" "$a" "$(roles_of "$m")" "$(sid_of "$m")" \
		    "$(peer_extra "$1" "$m")"
	done
	printf '\n'
}
# More keys of peer $2 in node $1's configuration (", KEY: VALUE ..."), for
# a test to redefine; none by default.
peer_extra() { :; }
conf() {
	n=$1
	eval "addr=\$CORE_$n"
	{
	printf '{\n  "node": { "name": "%s", "address": "%s", "roles": [%s] },\n' \
	    "$(name_of "$n")" "$addr" "$(roles_of "$n")"
	printf '  "signaling": { "transport": "%s", "port": 5436 },\n' "$TRANSPORT"
	printf '  "control": "%s/%s.sock",\n' "$T" "$n"
	printf '  "log": { "level": "debug", "syslog": false },\n'
	printf '  "services": [ { "id": "video.cats", "address": "2001:db8:cafe::1" } ],\n'
	printf '  "peers": [\n'; peers_of "$n"; printf '  ],\n'
	case $n in
	I*) ingress_json "$n"; dpif='"access_interface": "acc0", ';;
	E1) egress_json 1 101; dpif='"access_interface": "edge0", ';;
	E2) egress_json 2 201; dpif='"access_interface": "edge0", ';;
	K) controller_json; dpif='';;
	esac
	printf '  "dataplane": { "backend": "%s", "sid": "%s", %s"core_interface": "core0" }\n}\n' \
	    "$([ "$n" = K ] && echo none || echo "$BACKEND")" "$(sid_of "$n")" "$dpif"
	} >"$T/$n.json"
}
# The parts a test may change: define them again after sourcing.
ingress_json() {
	printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64" },\n'
}
egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100" } ] },\n' \
	    "$1" "$2" "$1"
}
controller_json() {
	printf '  "controller": { "instances": [ { "id": 101, "service": "video.cats", "egress": "egress1" }, { "id": 201, "service": "video.cats", "egress": "egress2" } ] },\n'
	printf '  "selector": { "policy": "response-time", "metrics": [ { "instance": 101, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 }, { "instance": 201, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 } ] },\n'
}
configure_all() {
	for n in $NODES; do
		conf "$n"
		if in_ns "$n" "$CATSD" -n -f "$T/$n.json" >"$T/$n.canon" 2>"$T/$n.err"; then
			pass "catsd -n accepts $(name_of "$n")'s configuration"
		else
			fail "catsd -n $(name_of "$n"): $(cat "$T/$n.err")"
		fi
	done
}
TRANSPORT=udp

# start_domain: every catsd, then the edges (cats-edge answering on the
# CS-ID address at each site, named edge1 and edge2).
start_domain() {
	for n in $NODES; do start_node "$n"; done
	for n in $NODES; do wait_sock "$n"; done
	for i in 1 2; do
		ip netns exec "${P}D$i" "$EDGE" --name "edge$i" \
		    --listen "[2001:db8:cafe::1]:7000" >"$T/D$i.log" 2>&1 &
		PIDS="$PIDS $!"
	done
}

# From ingress i, egress i is near (5 ms) and the other one far (20 ms).
set_metrics() {
	ctl K metric set net 0 0 owd_ns 5000000 >/dev/null || fail "metric set"
	ctl K metric set net 0 1 owd_ns 20000000 >/dev/null || fail "metric set"
	ctl K metric set net 1 0 owd_ns 20000000 >/dev/null || fail "metric set"
	ctl K metric set net 1 1 owd_ns 5000000 >/dev/null || fail "metric set"
}

# move_client: the client 2001:db8:a::10 leaves ingress1 (announced: move,
# then detach), is off both links for 100 ms, and attaches at ingress2.
move_client() {
	ctl I1 client move 2001:db8:a::10 >/dev/null
	ctl I1 client detach 2001:db8:a::10 >/dev/null
	x C addr del 2001:db8:a::10/64 dev a1
	x C route del default via 2001:db8:a::1 dev a1 2>/dev/null
	sleep 0.1	# lint: sleep-ok: off both links for a moment, on purpose: ingress1 holds
	x C addr add 2001:db8:a::10/64 dev a2 nodad
	x C route add default via 2001:db8:a::1 dev a2 2>/dev/null
	ctl I2 client attach 2001:db8:a::10 02:00:5e:10:00:01 >/dev/null
}

# dproutes N, kernel_view N: tests/lib/dp.sh's, for node N.
. tests/lib/dp.sh
dproutes() { dp_routes "$P$1" "$T/$1.sock"; }
kernel_view() { dp_kernel_view "$P$1"; }

# Attach client $2 (link-layer $3) at ingress $1, ask for video.cats and
# wait up to 10 s for the data plane's steering; the caller checks it.
attach_request() {
	ctl "$1" client attach "$2" "$3" >/dev/null || fail "attach"
	ctl "$1" client request "$2" video.cats >/dev/null || fail "request"
	wait_for 10 out_has "2001:db8:cafe::1 from $2 " dproutes "$1"
}
# the UDP datagrams delivered in the client's namespace (its results:
# nothing else there receives UDP); client_has BASE N: N more than BASE
client_rx() { in_ns C cat /proc/net/snmp6 | awk '$1 == "Udp6InDatagrams" { print $2 }'; }
client_has() { [ $(($(client_rx) - $1)) -ge "$2" ]; }
