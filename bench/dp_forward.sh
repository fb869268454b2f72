#!/bin/sh
# make bench: forwarding through the eBPF SRv6 data plane against plain
# routing, in the same four namespaces (tests/lib/dpnet.sh): iperf3 TCP
# from C to S for 4 s (the first second omitted), three runs each way,
# alternating; the medians, and their ratio (issue target: at least 0.9).
#   dp.forward_gbps.plain   C -> I -> E -> S by the kernel's routes
#   dp.forward_gbps.bpf     I encapsulates (H.Encaps), E decapsulates
#                           (End.DX6) to S; S's answers the other way
#                           (H.Encaps at E, End.DT6 at I)
# Exit 77 (skipped, with the reason) without root, ip netns or iperf3.
cd "$(dirname "$0")/.." || exit 1
DPNET_TAG=dpf
. tests/lib/dpnet.sh
command -v iperf3 >/dev/null || { echo "dp.forward: skipped: no iperf3"; exit 77; }
command -v jq >/dev/null || { echo "dp.forward: skipped: no jq"; exit 77; }

RUNS=3
# one iperf3 run: the receiver's Gbit/s, or nothing
run() {
	ip netns exec "${DP}S" iperf3 -s -1 -B 2001:db8:cafe::1 -p 5201 >/dev/null 2>&1 &
	_srv=$!
	DPNET_PIDS="$DPNET_PIDS $_srv"
	_i=0
	until din S ss -Hltn 'sport = :5201' | grep -q 5201; do
		_i=$((_i + 1)); [ $_i -lt 100 ] || break; sleep 0.02
	done
	din C timeout 20 iperf3 -c 2001:db8:cafe::1 -p 5201 -t 4 -O 1 -J \
	    >"$DPNET_T/run.json" 2>&1
	kill "$_srv" 2>/dev/null; wait "$_srv" 2>/dev/null
	jq -r '.end.sum_received.bits_per_second / 1e9' "$DPNET_T/run.json" 2>/dev/null
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

: >"$DPNET_T/plain"; : >"$DPNET_T/bpf"
for i in $(seq 1 $RUNS); do
	run >>"$DPNET_T/plain"
	dpnet_srv6 || exit 1
	run >>"$DPNET_T/bpf"
	dpnet_plain
done
np=$(grep -c . "$DPNET_T/plain"); nb=$(grep -c . "$DPNET_T/bpf")
if [ "$np" -ne $RUNS ] || [ "$nb" -ne $RUNS ]; then
	echo "dp.forward: FAILED: $np of $RUNS plain and $nb of $RUNS eBPF runs measured: $(cat "$DPNET_T/run.json")"
	exit 1
fi
p=$(median <"$DPNET_T/plain"); b=$(median <"$DPNET_T/bpf")
printf 'dp.forward_gbps.plain: %.2f Gbit/s (iperf3 TCP C -> S through I and E, plain routes; median of %d: %s)\n' \
    "$p" $RUNS "$(tr '\n' ' ' <"$DPNET_T/plain" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? " " : ""), $i }')"
printf 'dp.forward_gbps.bpf: %.2f Gbit/s (the same through eBPF SRv6: H.Encaps at I, End.DX6 at E, and back; median of %d: %s)\n' \
    "$b" $RUNS "$(tr '\n' ' ' <"$DPNET_T/bpf" | awk '{ for (i = 1; i <= NF; i++) printf "%s%.2f", (i > 1 ? " " : ""), $i }')"
echo "$b $p" | awk '{ r = $1 / $2; printf "dp.forward_ratio: %.2f (eBPF / plain; target >= 0.90: %s)\n", r, (r >= 0.9 ? "met" : "NOT met") }'
