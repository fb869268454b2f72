#!/bin/sh
# kroute and the data plane against the real kernel, in network namespaces.
#
#   client C --access-- ingress I --core-- egress E --- edge D
#          \--access-- ingress J --core--/
#
# Every route kind is installed by kroute_tool (kroute), checked in the
# kernel's own dump (ip route show proto 252), and carries real traffic:
# C pings the CS-ID address 2001:db8:cafe::1 (and 192.0.2.1), which only D
# holds; the ping is SRv6-encapsulated by the ingress toward the egress SID
# and decapsulated there (End.DX6/End.DX4) to D, the reply comes back the
# same way.  Then a handover (C moves to J, the old ingress I redirects to
# J), then the dataplane layer (dp_start, intents, reconcile) and flush.
# Needs root and ip netns; exits 77 otherwise.  KROUTE_TOOL overrides the
# (sanitized) tool.  Needs seg6 lwtunnels: where this kernel has none, the
# test runs under Debian's kernel in qemu (tests/lib/kernel.sh, vm.sh).
set -u
. "$(dirname "$0")/../lib/kernel.sh"
need_seg6 "$0" "$@"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
TOOL=${KROUTE_TOOL:-$PWD/build/san/kroute_tool}
PROTO=252

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
[ -x "$TOOL" ] || { echo "no $TOOL"; exit 1; }
P=kr$$
ip netns add ${P}probe 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
ip netns del ${P}probe

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

NSS="C I J E D"
T=$(mktemp -d) || exit 1
cleanup() {
	for n in $NSS; do ip netns del "$P$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

x() { n=$1; shift; ip -n "$P$n" "$@"; }
tool() { n=$1; shift; ip netns exec "$P$n" "$TOOL" "$@"; }

# ok NAME NS ARGS...: the tool succeeds.
ok() {
	name=$1; shift
	if tool "$@" >"$T/out" 2>"$T/err"; then
		pass "$name"
	else
		fail "$name: $(cat "$T/err")"
	fi
}

# refused NAME TEXT NS ARGS...: the tool fails cleanly (exit 1, not a
# sanitizer's 86) and for the reason TEXT: any other failure (the route
# that was to exist missing, an operation not supported) is not the
# refusal this checks.
refused() {
	name=$1 text=$2; shift 2
	check_fails "$name" 1 "$text" tool "$@"
}
# no_answer NAME: C's ping of the CS-ID gets no reply (and fails for that)
no_answer() { check_fails "$1" 1 "no reply from 2001:db8:cafe::1" tool C ping 2001:db8:cafe::1; }

# has NAME NS FAMILY PATTERN: the kernel lists a route of ours matching.
has() {
	x "$2" "$3" route show proto $PROTO table all >"$T/routes"
	if grep -q -- "$4" "$T/routes"; then
		pass "$1: $(grep -- "$4" "$T/routes" | head -n 1)"
	else
		fail "$1: no '$4' in:"; cat "$T/routes"
	fi
}

ping_ok() {
	if tool "$2" ping "$3" ${4:-} >"$T/out" 2>&1; then
		pass "$1: $(cat "$T/out")"
	else
		fail "$1: $(cat "$T/out")"
	fi
}

none_left() {
	left=""
	for n in $NSS; do
		out_lacks . x "$n" -6 route show proto $PROTO table all &&
		    out_lacks . x "$n" -4 route show proto $PROTO table all ||
		    left="$left $n: $CHECK_WHY;"
	done
	if [ -z "$left" ]; then
		pass "$1: no route of protocol $PROTO in any namespace"
	else
		fail "$1: routes left (or a namespace unreadable):$left"
	fi
}

# ---------------------------------------------------------------- topology
for n in $NSS; do
	ip netns add "$P$n" || exit 1
	x "$n" link set lo up
	ip netns exec "$P$n" sysctl -qw net.ipv6.conf.all.forwarding=1 \
	    net.ipv4.ip_forward=1 net.ipv6.conf.all.seg6_enabled=1 \
	    net.ipv6.conf.default.seg6_enabled=1 \
	    net.ipv6.conf.default.accept_dad=0 >/dev/null
done
# Access links at 1500, core links at 9000: the SRv6 encapsulation adds
# 40 + 24 octets and this kernel drops what does not fit (docs/dataplane.md).
ip link add c0 netns ${P}C type veth peer name i0 netns ${P}I
ip link add c1 netns ${P}C type veth peer name j0 netns ${P}J
ip link add i1 netns ${P}I mtu 9000 type veth peer name e1 netns ${P}E mtu 9000
ip link add j1 netns ${P}J mtu 9000 type veth peer name e3 netns ${P}E mtu 9000
ip link add e2 netns ${P}E type veth peer name d0 netns ${P}D
addr() { x "$1" addr add "$3" dev "$2" nodad 2>/dev/null || x "$1" addr add "$3" dev "$2"; x "$1" link set "$2" up; }
addr C c0 2001:db8:a::10/64; x C addr add 10.0.0.10/24 dev c0
addr I i0 2001:db8:a::1/64;  x I addr add 10.0.0.1/24 dev i0
addr J j0 2001:db8:a::1/64;  x J addr add 10.0.0.1/24 dev j0
addr I i1 2001:db8:1::1/64
addr E e1 2001:db8:1::2/64
addr J j1 2001:db8:2::1/64
addr E e3 2001:db8:2::2/64
addr E e2 2001:db8:3::1/64;  x E addr add 10.3.0.1/24 dev e2
addr D d0 2001:db8:3::10/64; x D addr add 10.3.0.10/24 dev d0
x D addr add 2001:db8:cafe::1/128 dev lo
x D addr add 192.0.2.1/32 dev lo
x C -6 route add default via 2001:db8:a::1 dev c0
x C -4 route add default via 10.0.0.1 dev c0
x D -6 route add default via 2001:db8:3::1
x D -4 route add default via 10.3.0.1
# Locators: I 2001:db8:11::/48, J 2001:db8:12::/48, E 2001:db8:e1::/48.
x I -6 route add 2001:db8:e1::/48 via 2001:db8:1::2
x I -6 route add 2001:db8:12::/48 via 2001:db8:1::2
x J -6 route add 2001:db8:e1::/48 via 2001:db8:2::2
x J -6 route add 2001:db8:11::/48 via 2001:db8:2::2
x E -6 route add 2001:db8:11::/48 via 2001:db8:1::1
x E -6 route add 2001:db8:12::/48 via 2001:db8:2::1
# Nothing reaches the CS-ID without CATS routes: no plain route to it.
no_answer "the CS-ID does not answer before any CATS route"

# ---------------------------------------------------------------- kroute
echo "-- every route kind, IPv6"
ok "ingress: source-specific H.Encaps to the egress SID" I add encap6 \
    2001:db8:cafe::1/128 from 2001:db8:a::10/128 segs 2001:db8:e1::1 \
    dev i1 via 2001:db8:1::2
ok "egress: End.DX6 to the edge" E add dx6 2001:db8:e1::1 \
    nh6 2001:db8:3::10 dev e2
ok "egress: return path to the ingress SID" E add encap6 \
    2001:db8:a::10/128 segs 2001:db8:11:: dev e1 via 2001:db8:1::1
ok "ingress: End.DT6 for the return path" I add dt6 2001:db8:11:: \
    lookup 254 dev i0
has "kernel: ingress steer" I -6 \
    "2001:db8:cafe::1 from 2001:db8:a::10  encap seg6 mode encap segs 1 \[ 2001:db8:e1::1 \] via 2001:db8:1::2 dev i1"
has "kernel: End.DX6" E -6 \
    "2001:db8:e1::1  encap seg6local action End.DX6 nh6 2001:db8:3::10 dev e2"
has "kernel: return" E -6 \
    "2001:db8:a::10  encap seg6 mode encap segs 1 \[ 2001:db8:11:: \]"
has "kernel: End.DT6" I -6 \
    "2001:db8:11::  encap seg6local action End.DT6 table main dev i0"
ping_ok "traffic: client -> CS-ID through SRv6, and back" C 2001:db8:cafe::1
ping_ok "traffic: 1400-octet payload (core MTU 9000)" C 2001:db8:cafe::1 1400
refused "duplicate add is refused with the kernel's errno" "File exists" I add encap6 \
    2001:db8:cafe::1/128 from 2001:db8:a::10/128 segs 2001:db8:e1::1 dev i1
ok "replace it with two segments (kernel keeps them reversed)" I replace \
    encap6 2001:db8:cafe::1/128 from 2001:db8:a::10/128 \
    segs 2001:db8:e1::99,2001:db8:e1::1 dev i1 via 2001:db8:1::2
has "kernel: two segments, in travel order" I -6 \
    "segs 2 \[ 2001:db8:e1::99 2001:db8:e1::1 \]"
ok "back to one segment" I replace encap6 2001:db8:cafe::1/128 \
    from 2001:db8:a::10/128 segs 2001:db8:e1::1 dev i1 via 2001:db8:1::2
ok "a route in table 100" I add encap6 2001:db8:cafe::2/128 \
    from 2001:db8:a::10/128 segs 2001:db8:e1::1 dev i1 table 100
has "kernel: table 100" I -6 "2001:db8:cafe::2 from 2001:db8:a::10 .* table 100"

echo "-- IPv4"
ok "ingress: IPv4 route with seg6 encap" I add encap4 192.0.2.1/32 \
    segs 2001:db8:e1::4 dev i1
ok "egress: End.DX4 to the edge" E add dx4 2001:db8:e1::4 nh4 10.3.0.10 dev e2
ok "egress: IPv4 return path" E add encap4 10.0.0.10/32 \
    segs 2001:db8:11::4 dev e1
ok "ingress: End.DX4 to the client" I add dx4 2001:db8:11::4 \
    nh4 10.0.0.10 dev i0
has "kernel: IPv4 encap" I -4 \
    "192.0.2.1  encap seg6 mode encap segs 1 \[ 2001:db8:e1::4 \] dev i1"
has "kernel: End.DX4" E -6 \
    "2001:db8:e1::4  encap seg6local action End.DX4 nh4 10.3.0.10 dev e2"
ping_ok "traffic: IPv4 client -> 192.0.2.1 over SRv6" C 192.0.2.1
refused "IPv4 source-specific route refused (the kernel would ignore 'from')" \
    "not a route kroute can install" I add encap4 192.0.2.9/32 from 10.0.0.10/32 segs 2001:db8:e1::4 dev i1

echo "-- dump"
tool I dump >"$T/dumpI" 2>"$T/statsI" || fail "dump I: $(cat "$T/statsI")"
cat >"$T/wantI" <<'EOF'
192.0.2.1/32 encap seg6 mode encap segs 2001:db8:e1::4 dev i1 table 254 proto 252
2001:db8:11::/128 encap seg6local action End.DT6 table 254 dev i0 table 254 metric 1024 proto 252
2001:db8:11::4/128 encap seg6local action End.DX4 nh4 10.0.0.10 dev i0 table 254 metric 1024 proto 252
2001:db8:cafe::1/128 from 2001:db8:a::10/128 encap seg6 mode encap segs 2001:db8:e1::1 via 2001:db8:1::2 dev i1 table 254 metric 1024 proto 252
2001:db8:cafe::2/128 from 2001:db8:a::10/128 encap seg6 mode encap segs 2001:db8:e1::1 dev i1 table 100 metric 1024 proto 252
EOF
if LC_ALL=C sort "$T/dumpI" | diff -u "$T/wantI" - >"$T/diff"; then
	pass "dump finds exactly the 5 routes installed at I"
	sed 's/^/       /' "$T/dumpI"
	sed 's/^/       /' "$T/statsI"
else
	fail "dump at I:"; cat "$T/diff"
fi
check_has "dump I reported no malformed entry" "0 malformed" cat "$T/statsI"
if tool I dump table 100 >"$T/d100" 2>"$T/err" && [ "$(wc -l <"$T/d100")" -eq 1 ]; then
	pass "dump of table 100 alone"
else
	fail "dump table 100: $(cat "$T/d100" "$T/err")"
fi
if tool I dump table 4242 >"$T/dnone" 2>"$T/err" && [ ! -s "$T/dnone" ]; then
	pass "dump of a table that does not exist: empty"
else
	fail "dump of a missing table: $(cat "$T/err")"
fi

# ---------------------------------------------------------------- handover
echo "-- handover: the client moves from I to J"
x C link set c0 down
addr C c1 2001:db8:a::10/64
x C -6 route replace default via 2001:db8:a::1 dev c1
ok "new ingress J: steer" J add encap6 2001:db8:cafe::1/128 \
    from 2001:db8:a::10/128 segs 2001:db8:e1::1 dev j1 via 2001:db8:2::2
ok "new ingress J: End.DT6" J add dt6 2001:db8:12:: lookup 254 dev j0
ok "old ingress I: redirect the client to J's SID" I replace encap6 \
    2001:db8:a::10/128 segs 2001:db8:12:: dev i1 via 2001:db8:1::2
has "kernel: redirect at I" I -6 \
    "2001:db8:a::10  encap seg6 mode encap segs 1 \[ 2001:db8:12:: \]"
ping_ok "traffic: C -> J -> E -> D, reply D -> E -> I -> J -> C" C 2001:db8:cafe::1
ok "flush I" I flush
check_has "flush I deleted its 6 routes" "flushed 6" cat "$T/out"

# ---------------------------------------------------------------- dataplane
echo "-- dataplane layer (intents), return path moved to J"
for n in E J; do ok "flush $n" "$n" flush; done
none_left "all flushed"
DPJ="roles ingress sid 2001:db8:12:: core j1 via 2001:db8:2::2 access j0 \
    peer 2001:db8:2::2 2001:db8:e1:: service 2001:db8:cafe::1/128"
DPE="roles egress sid 2001:db8:e1:: core e3 edge e2 \
    peer 2001:db8:2::1 2001:db8:12:: instance 1 2001:db8:3::10"
# shellcheck disable=SC2086
ok "J: dp_start + DP_STEER" J dp $DPJ start steer 2001:db8:a::10 2001:db8:2::2 0 1
# shellcheck disable=SC2086
ok "E: dp_start + DP_RETURN" E dp $DPE start return 2001:db8:a::10 2001:db8:2::1
has "kernel: dp steer at J" J -6 \
    "2001:db8:cafe::1 from 2001:db8:a::10  encap seg6 mode encap segs 1 \[ 2001:db8:e1::1 \] via 2001:db8:2::2 dev j1"
has "kernel: dp End.DT6 at J" J -6 "2001:db8:12::  encap seg6local action End.DT6 table main dev j0"
has "kernel: dp End.DX6 at E" E -6 "2001:db8:e1::1  encap seg6local action End.DX6 nh6 2001:db8:3::10 dev e2"
has "kernel: dp return at E" E -6 "2001:db8:a::10  encap seg6 mode encap segs 1 \[ 2001:db8:12:: \] dev e3"
ping_ok "traffic: C -> J -> E -> D and back, all from intents" C 2001:db8:cafe::1
ok "a stale route at J (from a previous life)" J add encap6 \
    2001:db8:cafe::1/128 from 2001:db8:a::99/128 segs 2001:db8:e1::7 dev j1
x J -6 route del 2001:db8:12:: proto $PROTO
# shellcheck disable=SC2086
ok "J restarts: same intents (deferred), then reconcile" J dp $DPJ defer \
    start steer 2001:db8:a::10 2001:db8:2::2 0 1 reconcile dump
if grep -q "reconcile: deleted 1, added 1" "$T/out" &&
    [ "$(grep -c 'proto 252' "$T/out")" -eq 2 ]; then
	pass "reconcile deleted the stale route, re-added End.DT6, kept the steer"
	sed 's/^/       /' "$T/out"
else
	fail "reconcile at J:"; cat "$T/out"
fi
has "kernel: End.DT6 back at J" J -6 "2001:db8:12::  encap seg6local"
check_absent "the stale route did not survive the reconcile" "2001:db8:a::99" \
    x J -6 route show proto $PROTO
ping_ok "traffic after the reconcile" C 2001:db8:cafe::1
# shellcheck disable=SC2086
ok "J: DP_UNSTEER" J dp $DPJ unsteer 2001:db8:a::10 2001:db8:2::2 0 1
no_answer "the CS-ID no longer answers after DP_UNSTEER"
# shellcheck disable=SC2086
ok "J: dp flush" J dp $DPJ flush
# shellcheck disable=SC2086
ok "E: dp flush" E dp $DPE flush
for n in $NSS; do tool "$n" flush >/dev/null 2>&1 || fail "flush $n"; done
none_left "shutdown"

check_done "kroute"
