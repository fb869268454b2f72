#!/bin/sh
# make demo: the whole CATS story in simulated time, then on the wire.
#  1. every scenario of the engine (session set-up by option 1 and 2, the
#     proactive and reactive handovers, transaction switching), with its
#     message ladder and what the client received;
#  2. the same with 5 % loss, duplication and reordering of the signaling;
#  3. every message kind written to a pcap, read back by catsctl and by
#     tshark as the independent decoder;
#  4. as root, the scenarios again in the kernel testbed (testbed/run.sh,
#     docs/testbed.md): timeline, summary, ladder and pcap of a real run;
#  5. CATS in the SRv6 Mobile User Plane (docs/mup.md): the figures of
#     draft-dcn-dmm-cats-mup as BGP route ladders, centralized and
#     distributed C-PS, with and without a sticky session;
#  6. as root, the same on real sockets: gobgpd as route reflector, catsd
#     speakers for the sites, the controller and two RAN PEs steering in
#     the kernel (testbed/mup.sh).
set -eu
O=${O:-build}
out=$O/demo
mkdir -p "$out"
sim=$O/cats-sim
ctl=$O/catsctl

# The pictures of a ladder: NAME.png and NAME.svg next to NAME.ladder
# (scripts/ladder2msc.sh, mscgen; a long ladder in parts NAME.2.png, ...),
# their paths on one line.  Without mscgen, said once, and no pictures.
if command -v mscgen >/dev/null 2>&1; then
	pictures() {
		_pics=$(scripts/ladder2msc.sh "$1") || {
			echo "  FAIL: no pictures of $1 (above)"
			pic_failed=1
			return 0
		}
		echo "  pictures: $(printf '%s\n' "$_pics" | grep -v '\.msc$' | tr '\n' ' ')"
	}
else
	echo "(no pictures of the ladders: mscgen is not installed; make deps installs it)"
	pictures() { :; }
fi

echo "== 1. The scenarios in simulated time (ladders in $out/)"
for s in setup-option1 setup-option2 setup-unaware proactive reactive-locator \
    reactive-prefix transaction-switch; do
	"$sim" scenario "$s" --ladder >"$out/$s.ladder"
	printf '%-20s %s\n' "$s" "$(tail -n 1 "$out/$s.ladder")"
	pictures "$out/$s.ladder"
done
echo
echo "-- mobility figure 3 (transaction switching), as the engine runs it:"
grep -v '^summary' "$out/transaction-switch.ladder" | tail -n 12

echo
echo "== 2. With 5 % loss, 5 % duplication, 5 % reordering (20 seeds each)"
for s in proactive reactive-locator reactive-prefix transaction-switch; do
	ok=0
	for seed in $(seq 1 20); do
		"$sim" scenario "$s" --loss 0.05 --dup 0.05 --reorder 0.05 \
		    --seed "$seed" >/dev/null && ok=$((ok + 1))
	done
	printf '%-20s %d of 20 runs: every result exactly once\n' "$s" "$ok"
done

echo
echo "== 3. Every message kind on the wire ($out/every-kind.pcap)"
"$ctl" pkt encode --pcap "$out/every-kind.pcap" tests/data/every-kind.json
"$ctl" pkt decode -r "$out/every-kind.pcap" >"$out/every-kind.json"
echo "catsctl decoded $(grep -c '"checksum": "ok"' "$out/every-kind.json") messages, every checksum verified"
if command -v tshark >/dev/null 2>&1; then
	echo "tshark sees:"
	tshark -r "$out/every-kind.pcap" -T fields -e frame.number \
	    -e mip6.mhtype -e mip6.bu.seqnr -e mip6.ba.seqnr -e _ws.col.Info 2>/dev/null |
	    head -n 8
	echo "..."
	echo "tshark with the CATS dissector (dist/wireshark/cats.lua, docs/wireshark.md) names every field:"
	tshark -X lua_script:dist/wireshark/cats.lua -r "$out/every-kind.pcap" \
	    -Y cats.cs_id -T fields -e frame.number -e cats.kind_name \
	    -e cats.cs_id -e cats.cr_id 2>/dev/null | head -n 6
	echo "..."
fi

echo
echo "== 4. The same scenarios on real sockets and the kernel's SRv6 data plane (seg6 routes or eBPF)"
# testbed/run.sh: network namespaces, catsd on every node, the reference
# service at three edge sites (docs/testbed.md).  It needs root and ip netns.
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the kernel testbed needs root (make demo as root runs it)"
elif ! ip netns add "demoprobe$$" 2>/dev/null; then
	echo "skipped: ip netns does not work here"
else
	ip netns del "demoprobe$$"
	TB_BIN=$O TB_OUT=$out/testbed testbed/run.sh all
	echo
	echo "-- the message ladder of the run ($out/testbed/signaling.ladder), its start:"
	head -n 12 "$out/testbed/signaling.ladder"
	pictures "$out/testbed/signaling.ladder"
	echo "pcap of all signaling: $out/testbed/signaling.pcap"
fi

echo
echo "== 5. CATS-MUP: BGP routes of the CATS-MUP draft's figures (ladders in $out/)"
for s in mup-central-new mup-central-move mup-central-move-sticky \
    mup-dist-new mup-dist-move mup-dist-move-sticky; do
	"$sim" scenario "$s" --ladder >"$out/$s.ladder"
	printf '%-24s %s\n' "$s" "$(tail -n 1 "$out/$s.ladder" | sed 's/^summary: //')"
	pictures "$out/$s.ladder"
done
echo
echo "-- figure 4 with step 3a (a stateful session moves to RAN2), from the move on:"
sed -n '/session-move/,$p' "$out/mup-central-move-sticky.ladder" | grep -v '^summary'
echo "(the same routes between catsd speakers and gobgpd: tests/sh/bgp.sh)"

echo
echo "== 6. CATS-MUP on real sockets: gobgpd, five catsd, the kernel's SRv6 data plane"
O=$O MUP_OUT=$out/mup sh testbed/mup.sh || [ $? -eq 77 ]
if [ -s "$out/mup/bgp.pcap" ] && command -v tshark >/dev/null 2>&1; then
	ws() { tshark -n -X lua_script:dist/wireshark/cats.lua -r "$out/mup/bgp.pcap" "$@" 2>/dev/null; }
	echo
	echo "-- its BGP sessions as the CATS dissector reads them ($out/mup/bgp.pcap):"
	echo "$(ws | grep -c .) messages, $(ws -Y cats.mup.route | grep -c .) with MUP routes," \
	    "$(ws -Y '_ws.malformed || _ws.expert.severity >= warning' | grep -c .) malformed or with warnings"
	ws -Y 'cats.mup.route && !cats.mup.withdrawn' -T fields -e cats.mup.route \
	    -E occurrence=f | sort -u | head -n 4
fi
[ -z "${pic_failed:-}" ] || { echo "demo: a ladder could not be drawn (FAIL above)"; exit 1; }
