#!/bin/sh
# tests/lib/dpnet.sh: four network namespaces for the eBPF data plane's
# test (tests/sh/bpf.sh) and its forwarding benchmark (bench/dp_forward.sh).
# Sourced from the project's top directory, after setting DPNET_TAG (a
# short prefix for the namespaces).
#
#   client C --a0-- ingress I --core0 (mtu 9000)-- egress E --e0-- server S
#   2001:db8:a::10                                         2001:db8:d::100
#                                                  CS-ID 2001:db8:cafe::1
#
# Plain routing works at once (I routes the CS-ID to E, E the clients to
# I).  dpnet_srv6 starts the eBPF data plane on I and E through the
# dataplane layer (kroute_tool dp ... hold): I steers C's traffic to the
# CS-ID toward E's End.DX6 for S, E returns what S sends C toward I's
# End.DT6; the programs see packets before the routes do.  dpnet_plain
# stops it.  Needs root and ip netns (exit 77 otherwise); everything is
# removed on exit.
set -u
. tests/lib/check.sh	# wait_for
DPNET_TOOL=${DPNET_TOOL:-$PWD/build/kroute_tool}
[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
[ -x "$DPNET_TOOL" ] || { echo "no $DPNET_TOOL"; exit 1; }
DP=$DPNET_TAG$$
ip netns add "${DP}probe" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
ip netns del "${DP}probe"

DPNET_PIDS=""
DPNET_T=$(mktemp -d) || exit 1
dpnet_cleanup() {
	dpnet_plain
	for _p in $DPNET_PIDS; do kill "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done
	for _n in C I E S; do ip netns del "$DP$_n" 2>/dev/null; done
	rm -rf "$DPNET_T"
}
trap dpnet_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dx() { _n=$1; shift; ip -n "$DP$_n" "$@"; }
din() { _n=$1; shift; ip netns exec "$DP$_n" "$@"; }

for n in C I E S; do
	ip netns add "$DP$n" || exit 1
	dx "$n" link set lo up
	din "$n" sysctl -qw net.ipv6.conf.all.forwarding=1 \
	    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip link add c0 netns "${DP}C" type veth peer name a0 netns "${DP}I"
ip link add core0 netns "${DP}I" mtu 9000 type veth peer name core0 netns "${DP}E" mtu 9000
ip link add e0 netns "${DP}E" type veth peer name s0 netns "${DP}S"
dx C addr add 2001:db8:a::10/64 dev c0 nodad
dx I addr add 2001:db8:a::1/64 dev a0 nodad
dx I addr add 2001:db8:ff::1/64 dev core0 nodad
dx E addr add 2001:db8:ff::2/64 dev core0 nodad
dx E addr add 2001:db8:d::1/64 dev e0 nodad
dx S addr add 2001:db8:d::100/64 dev s0 nodad
dx S addr add 2001:db8:cafe::1/128 dev lo
for l in "C c0" "I a0" "I core0" "E core0" "E e0" "S s0"; do
	set -- $l
	dx "$1" link set "$2" up
done
dx C route add default via 2001:db8:a::1
dx S route add default via 2001:db8:d::1
dx I route add 2001:db8:cafe::1/128 via 2001:db8:ff::2
dx E route add 2001:db8:cafe::1/128 via 2001:db8:d::100
dx E route add 2001:db8:a::/64 via 2001:db8:ff::1
# the SIDs: fc00:1::/32 is I's, fc00:2::/32 E's
dx I route add fc00:2::/32 via 2001:db8:ff::2
dx E route add fc00:1::/32 via 2001:db8:ff::1

# dpnet_srv6: the eBPF data plane on I and E, until dpnet_plain.  The
# tools start with ip netns exec itself, not through din: $! must be
# their pid, not a subshell's.
dpnet_srv6() {
	ip netns exec "${DP}I" "$DPNET_TOOL" dp backend bpf roles ingress sid fc00:1:: \
	    core core0 access a0 src 2001:db8:ff::1 \
	    service 2001:db8:cafe::1/128 peer 2001:db8:ff::2 fc00:2:: \
	    start steer 2001:db8:a::10 2001:db8:ff::2 0 1 hold \
	    </dev/null >"$DPNET_T/I.out" 2>&1 &
	DPNET_I=$!
	ip netns exec "${DP}E" "$DPNET_TOOL" dp backend bpf roles egress sid fc00:2:: \
	    core core0 edge e0 src 2001:db8:ff::2 \
	    instance 1 2001:db8:d::100 peer 2001:db8:ff::1 fc00:1:: \
	    start return 2001:db8:a::10 2001:db8:ff::1 hold \
	    </dev/null >"$DPNET_T/E.out" 2>&1 &
	DPNET_E=$!
	for _n in I E; do
		# (a tool that died ends the wait at once)
		wait_for 5 dpnet_held_or_dead "$_n"
		grep -q holding "$DPNET_T/$_n.out" 2>/dev/null ||
		    { echo "dpnet: $_n: $(cat "$DPNET_T/$_n.out")"; return 1; }
	done
}
dpnet_held_or_dead() {
	grep -q holding "$DPNET_T/$1.out" 2>/dev/null ||
	    ! kill -0 "$(eval echo \$DPNET_$1)" 2>/dev/null
}

dpnet_plain() {
	for _p in ${DPNET_I:-} ${DPNET_E:-}; do
		kill "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
	DPNET_I="" DPNET_E=""
}
