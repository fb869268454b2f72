#!/bin/sh
# The eBPF data plane on the wire (docs/dataplane.md), in four namespaces
# (tests/lib/dpnet.sh): client C, ingress I, egress E, server S.  The
# dataplane layer (kroute_tool dp backend bpf) programs I and E; then
#   - C pings the CS-ID, which only S holds: H.Encaps at I, End.DX6 at E,
#     S's reply by H.Encaps at E and End.DT6 at I;
#   - tshark, on I's core link, decodes each direction as an outer IPv6
#     header with an SRH (routing type 4, Segments Left 0, the one SID) and
#     the inner ICMPv6 echo intact;
#   - TCP (iperf3, 1 s) crosses the same path, so segmentation offload
#     survives encapsulation and decapsulation;
#   - with the programs gone, nothing of ours is left on the interfaces.
# Needs root, ip netns and tshark; exits 77 otherwise.
cd "$(dirname "$0")/../.." || exit 1
DPNET_TAG=bp
DPNET_TOOL=${KROUTE_TOOL:-$PWD/build/san/kroute_tool}
. tests/lib/dpnet.sh
command -v tshark >/dev/null || { echo "skip: no tshark"; exit 77; }
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

if dpnet_srv6; then
	pass "the eBPF data plane is up on I and E"
else
	fail "dpnet_srv6"; exit 1
fi

# ---------------------------------------------------------------- ping
pcap=$DPNET_T/core.pcap
# the first two SRv6 packets (IPv6 next header 43) on I's core link: the
# request and its reply; 15 s at most
ip netns exec "${DP}I" tshark -i core0 -f 'ip6 proto 43' -a packets:2 \
    -a duration:15 -w "$pcap" >"$DPNET_T/tshark.log" 2>&1 &
cap=$!
DPNET_PIDS="$DPNET_PIDS $cap"
wait_for 10 grep -q "Capturing on" "$DPNET_T/tshark.log" ||
    fail "tshark did not start capturing: $(cat "$DPNET_T/tshark.log")"
if din C "$DPNET_TOOL" ping 2001:db8:cafe::1 >"$DPNET_T/ping" 2>&1; then
	pass "C pings the CS-ID through SRv6: $(cat "$DPNET_T/ping")"
else
	fail "ping through SRv6: $(cat "$DPNET_T/ping")"
fi
# tshark says it captures a while (up to seconds) before it does: ping
# until it has its two packets and stops, 15 s at most
captured() {
	kill -0 "$cap" 2>/dev/null || return 0
	din C "$DPNET_TOOL" ping 2001:db8:cafe::1 >/dev/null 2>&1
	return 1
}
wait_for 15 captured
stop_pids 2 "$cap"
fields() {
	tshark -r "$pcap" -Y "ipv6.routing.type == 4 && $1" -T fields \
	    -e ipv6.dst -e ipv6.routing.segleft -e ipv6.routing.srh.addr \
	    -e icmpv6.type -E separator=' ' 2>"$DPNET_T/tshark.err"
}
# the outer destination and the SRH's one segment are the SID; the inner
# header (second ipv6.dst) is the client's packet, untouched
req=$(fields 'icmpv6.type == 128' | head -n 1)
case $req in
"fc00:2::1,2001:db8:cafe::1 0 fc00:2::1 128")
	pass "request on the core: outer to E's End.DX6, SRH type 4, SL 0, inner echo request: $req";;
*)	fail "request on the core: '$req' $(cat "$DPNET_T/tshark.err")";;
esac
rep=$(fields 'icmpv6.type == 129' | head -n 1)
case $rep in
"fc00:1::,2001:db8:a::10 0 fc00:1:: 129")
	pass "reply on the core: outer to I's End.DT6, SRH type 4, SL 0, inner echo reply: $rep";;
*)	fail "reply on the core: '$rep' $(cat "$DPNET_T/tshark.err")";;
esac
# a tshark that fails (a bad filter) must not read as "nothing malformed"
check_absent "tshark finds nothing malformed in $(tshark -r "$pcap" 2>/dev/null | grep -c .) packets" . \
    tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= warning'

# ---------------------------------------------------------------- TCP
if command -v iperf3 >/dev/null; then
	ip netns exec "${DP}S" iperf3 -s -1 -B 2001:db8:cafe::1 >/dev/null 2>&1 &
	srv=$!
	DPNET_PIDS="$DPNET_PIDS $srv"
	wait_for 5 out_has 5201 din S ss -Hltn 'sport = :5201'
	if din C timeout 10 iperf3 -c 2001:db8:cafe::1 -t 1 -J >"$DPNET_T/tcp.json" 2>&1 &&
	    g=$(jq -er '.end.sum_received.bits_per_second / 1e9 | select(. > 0.01)' "$DPNET_T/tcp.json"); then
		pass "TCP through SRv6 both ways: $(printf '%.2f' "$g") Gbit/s"
	else
		fail "TCP through SRv6: $(head -c 300 "$DPNET_T/tcp.json")"
	fi
	kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
else
	fail "TCP: no iperf3 (make deps installs it)"
fi

# ---------------------------------------------------------------- gone
dpnet_plain
# (each interface asked on its own: one that cannot be read is a failure,
# not "nothing left"; I has a0 and core0, E core0 and e0)
left=""
for nd in I:a0 I:core0 E:core0 E:e0; do
	out_lacks . tc -n "$DP${nd%%:*}" filter show dev "${nd#*:}" ingress ||
	    left="$left $nd: $CHECK_WHY;"
done
[ -z "$left" ] && pass "the programs are gone with the process" ||
    fail "left behind:$left"
check_absent "no sanitizer report" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$DPNET_T"/*.out
check_done "bpf"
