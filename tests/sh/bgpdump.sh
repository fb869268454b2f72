#!/bin/sh
# "catsctl pkt bgp" on a real BGP session (docs/wire.md 8.6): in one
# network namespace,
#
#   catsd A (fd00::a) --+-- gobgpd RR (fd00::100)
#   catsd B (fd00::b) --+
#
# with tshark capturing port 179 from before the sessions open.  A
# originates the four MUP route types in both families with the CATS
# attribute, the Prefix-SID and the MUP extended community ("catsctl bgp
# route add"), and withdraws one; gobgpd reflects them to B.  Checks:
#   - the capture decodes without an error: the OPENs of both sessions with
#     their families, KEEPALIVEs, UPDATEs, the routes of each type;
#   - what gobgpd sent B, announced less withdrawn, is what
#     "catsctl -j show bgp routes" of B holds: the same count, the same
#     keys, and for each route the same attributes where B shows them;
#   - the UPDATE frames cut in three, sent out of order with one part again
#     (a retransmission), decode to the same messages;
#   - with a part never captured, the decoder says so (exit 1) and goes on
#     after the gap.
# Needs root, ip netns, gobgpd, gobgp, jq, tshark and python3; exits 77
# otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
case $O in /*) ;; *) O=$PWD/$O ;; esac
B=${CATSD_BUILD:-$O/san}
CATSD=$B/catsd
CTL=$B/catsctl

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
for c in ip tshark python3; do
	command -v $c >/dev/null || { echo "skip: no $c"; exit 77; }
done
for p in "$CATSD" "$CTL"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done
P=bgG$$
T=$(mktemp -d) || exit 1
PIDS=""
. tests/lib/netns.sh
ip netns add "${P}n" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
netns_traps bgpdump n
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_NETNS=${P}n
. tests/lib/gobgp.sh	# exits 77 without gobgpd, gobgp, jq

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

sctl() { _sn=$1; shift; in_ns n "$CTL" -s "$T/$_sn.sock" "$@"; }

in_ns n ip link set lo up
for a in fd00::100 fd00::a fd00::b; do
	in_ns n ip -6 addr add $a/128 dev lo nodad
done
in_ns n ip addr add 10.0.0.100/32 dev lo

# ---------------------------------------------------------------- capture
# -F pcap: the splitting below reads plain pcap records.  Not through
# in_ns: a function in the background is a subshell, and $! would be its
# pid, not tshark's (which then outlives the test, with its dumpcap).
ip netns exec "${P}n" tshark -i lo -f "tcp port 179" -F pcap -w "$T/bgp.pcap" >"$T/tshark.log" 2>&1 &
TSHARK=$!
PIDS="$PIDS $TSHARK"
wait_for 10 grep -q "Capturing on" "$T/tshark.log" || { fail "tshark: $(cat "$T/tshark.log")"; check_done; }

# ---------------------------------------------------------------- gobgpd, A, B
gobgp_neighbor fd00::a 65000 ""
gobgp_neighbor fd00::b 65000 ""
gobgp_start "$T/gobgp" 179 50079 65000 10.0.0.100 "" || { fail "gobgpd"; check_done; }
# both speakers in the one namespace (netns.sh's start_node runs one per
# namespace)
speaker_in_n() {
	cat >"$T/$1.json" <<EOF
{ "node": { "name": "$1", "address": "$2", "roles": ["locator"] },
  "control": "$T/$1.sock", "log": { "level": "info" },
  "signaling": { "port": $4 },
  "bgp": { "asn": 65000, "router_id": "$3", "hold_time": 9,
    "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100",
      "local_address": "$2", "asn": 65000,
      "families": ["ipv6-mup", "ipv4-mup"] } ] } }
EOF
	ip netns exec "${P}n" "$CATSD" -d -f "$T/$1.json" >>"$T/$1.log" 2>&1 &
	PIDS="$PIDS $!"
}
speaker_in_n A fd00::a 10.0.0.1 15451
speaker_in_n B fd00::b 10.0.0.2 15452
for n in A B; do
	wait_sock "$n" || check_done
done
established() { json_ok '.neighbors[0].state | ascii_downcase == "established"' sctl "$1" -j show bgp; }
for n in A B; do
	if wait_for 20 established $n; then
		pass "catsd $n: session with gobgpd Established"
	else
		fail "catsd $n: not Established: $(sctl $n -j show bgp | jq -c '.neighbors[0]')"
	fi
done

# ---------------------------------------------------------------- routes
ATTRS="rt 65000:201 mup 65000:201 cs-id 201 cis-id 2012"
ORIG="ipv6-mup isd 2001:db8:a0::/48 rd 65000:201 | sid fc00:a:e0:: behavior 71
ipv6-mup dsd 2001:db8:a0::1 rd 65000:202 | sid fc00:a:e1:: behavior 18
ipv6-mup t1st 2001:db8:a1::1/128 rd 65000:203 teid 2031 qfi 5 endpoint 2001:db8:a0::9 |
ipv6-mup t2st 2001:db8:a0::2 rd 65000:204 teid 2041 |
ipv4-mup isd 10.20.0.0/16 rd 65000:211 | sid fc00:a:e2:: behavior 72
ipv4-mup dsd 10.20.0.1 rd 65000:212 | sid fc00:a:e3:: behavior 19
ipv4-mup t1st 10.21.0.1/32 rd 65000:213 teid 2131 qfi 5 endpoint 10.20.0.9 |
ipv4-mup t2st 10.20.0.2 rd 65000:214 teid 2141 |"
_ok=0
while IFS='|' read -r _k _x; do
	# shellcheck disable=SC2086
	sctl A bgp route add $_k $_x $ATTRS >/dev/null || _ok=1
done <<EOF
$ORIG
EOF
nroutes() { json_ok ".routes | length == $2" sctl "$1" -j show bgp routes; }
if [ $_ok -eq 0 ] && wait_for 10 nroutes B 8; then
	pass "A's 8 routes (4 types x 2 families) reached B through gobgpd"
else
	fail "routes at B: $(sctl B -j show bgp routes | jq -c '.routes | length')"
fi
sctl A bgp route del ipv4-mup t2st 10.20.0.2 rd 65000:214 teid 2141 >/dev/null ||
    fail "catsctl bgp route del refused"
if wait_for 10 nroutes B 7; then
	pass "the ipv4-mup T2ST withdrawn: 7 routes at B"
else
	fail "the withdrawal did not reach B: $(sctl B -j show bgp routes | jq -c '.routes | length')"
fi
sctl B -j show bgp routes >"$T/show.json" || fail "show bgp routes at B"
# the capture is whole once the withdrawal to B is in it
wait_for 10 json_ok '[.[] | select(.type == "update") | .withdrawn[] | select(.teid == 2141)] | length == 2' \
    "$CTL" pkt bgp -r "$T/bgp.pcap"
stop_pids 5 "$TSHARK"

# ---------------------------------------------------------------- decode
"$CTL" pkt bgp -r "$T/bgp.pcap" >"$T/dec.json" 2>"$T/dec.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$T/dec.err" ]; then
	pass "catsctl pkt bgp -r: the capture decodes, $(jq length "$T/dec.json") messages, no error"
else
	fail "catsctl pkt bgp -r: exit $rc: $(head -5 "$T/dec.err")"
fi
check_json "both sessions' OPENs, ipv4-mup and ipv6-mup offered, 4-octet AS" \
    '[.[] | select(.type == "open" and (.open.capabilities.families | index("ipv6-mup")) and (.open.capabilities.families | index("ipv4-mup")) and .open.capabilities.four_octet_as)] | length >= 4' \
    cat "$T/dec.json"
check_json "every MUP route type of both families announced, with the CATS attribute and the MUP community" \
    '[.[] | select(.type == "update") | .attributes as $a | .announced[] | select($a.cats.cs_id == 201 and $a.cats.cis_id == 2012 and $a.mup == "65000:201") | .family + " " + .type] | unique == ["ipv4-mup dsd","ipv4-mup isd","ipv4-mup t1st","ipv4-mup t2st","ipv6-mup dsd","ipv6-mup isd","ipv6-mup t1st","ipv6-mup t2st"]' \
    cat "$T/dec.json"
check_json "the Prefix-SID of A's ipv6-mup DSD with its behavior (End.DT6)" \
    'any(.[] | select(.type == "update" and .dst == "fd00::b"); .announced[0].type == "dsd" and .announced[0].address == "2001:db8:a0::1" and .attributes.prefix_sid.sid == "fc00:a:e1::" and .attributes.prefix_sid.behavior == 18 and .attributes.mp_reach.family == "ipv6-mup")' \
    cat "$T/dec.json"
check_json "the withdrawal of the ipv4-mup T2ST, from A and to B" \
    '[.[] | select(.type == "update") | .withdrawn[] | select(.type == "t2st" and .teid == 2141)] | length == 2' \
    cat "$T/dec.json"

# What gobgpd sent B, in order: announced less withdrawn, each with its
# UPDATE's attributes, against B's RIB.
KEY='[.family, .type, .rd, .prefix, .address, .endpoint, .endpoint_length, .teid, .qfi, .source] | tojson'
jq "[.[] | select(.type == \"update\" and .src == \"fd00::100\" and .dst == \"fd00::b\")] |
    reduce .[] as \$u ({};
	reduce \$u.withdrawn[] as \$w (.; del(.[\$w | $KEY])) |
	reduce \$u.announced[] as \$r (.; .[\$r | $KEY] = (\$r + {attributes: \$u.attributes})))" \
    "$T/dec.json" >"$T/net.json" || fail "jq on the decoded capture"
# both A B: {"a": A's JSON, "b": B's}
both() { jq -n --slurpfile a "$1" --slurpfile b "$2" '{a: $a[0], b: $b[0]}'; }
check_json "gobgpd -> B: the decoded routes are B's RIB: the same count ($(jq '.routes | length' "$T/show.json")) and the same keys" \
    "(.a | keys | sort) == ([.b.routes[] | $KEY] | sort) and (.a | length) == 7" \
    both "$T/net.json" "$T/show.json"
check_json "each route's attributes as B shows them (next hop, origin, local_pref, route targets, mup, prefix_sid, cats)" \
    ".a as \$net | all(.b.routes[]; . as \$r | \$net[\$r | $KEY].attributes as \$d | (\$r.attributes | keys | length) > 3 and all(\$r.attributes | to_entries[]; \$d[.key] == .value))" \
    both "$T/net.json" "$T/show.json"

# ---------------------------------------------------------------- reassembly
# The largest segment gobgpd sent B, cut in three: parts 3, 1, 2 and 1
# again in its place (reorder.pcap); the same without part 2 (gap.pcap).
python3 - "$T/bgp.pcap" "$T/reorder.pcap" "$T/gap.pcap" <<'EOF' >"$T/split.log" 2>&1
import struct, sys, socket
raw = open(sys.argv[1], 'rb').read()
gh, off, recs = raw[:24], 24, []
assert struct.unpack('<I', gh[:4])[0] == 0xa1b2c3d4 and struct.unpack('<I', gh[20:24])[0] == 1
while off + 16 <= len(raw):
    ts1, ts2, cl, wl = struct.unpack('<IIII', raw[off:off + 16])
    recs.append([ts1, ts2, raw[off + 16:off + 16 + cl]])
    off += 16 + cl
def tcp(f):      # Ethernet, IPv6, TCP: (src, dst, sport, dport, header length, payload)
    if f[12:14] != b'\x86\xdd' or f[20] != 6:
        return None
    thl = (f[54 + 12] >> 4) * 4
    return (socket.inet_ntop(socket.AF_INET6, f[22:38]), socket.inet_ntop(socket.AF_INET6, f[38:54]),
            struct.unpack('>H', f[54:56])[0], struct.unpack('>H', f[56:58])[0], thl, f[54 + thl:])
best = max((i for i, r in enumerate(recs) if tcp(r[2]) and tcp(r[2])[0] == 'fd00::100' and tcp(r[2])[1] == 'fd00::b'),
           key=lambda i: len(tcp(recs[i][2])[5]))
f = recs[best][2]
src, dst, sp, dpt, thl, data = tcp(f)
assert len(data) >= 60, len(data)
seq = struct.unpack('>I', f[58:62])[0]
cut = [0, len(data) // 3, 2 * len(data) // 3, len(data)]
def part(k):
    g = bytearray(f[:54 + thl]) + data[cut[k]:cut[k + 1]]
    struct.pack_into('>H', g, 18, thl + cut[k + 1] - cut[k])
    struct.pack_into('>I', g, 58, (seq + cut[k]) & 0xffffffff)
    return bytes(g)
def write(path, order):
    out = [gh]
    for i, r in enumerate(recs):
        for g in ([part(k) for k in order] if i == best else [r[2]]):
            out.append(struct.pack('<IIII', r[0], r[1], len(g), len(g)) + g)
    open(path, 'wb').write(b''.join(out))
write(sys.argv[2], [2, 0, 1, 0])
write(sys.argv[3], [2, 0])
print('a segment of', len(data), 'octets, frame', best + 1)
EOF
if [ $? -eq 0 ]; then
	"$CTL" pkt bgp -r "$T/reorder.pcap" >"$T/reorder.json" 2>"$T/reorder.err"
	rc=$?
	if [ $rc -eq 0 ] && json_ok '(.a | map(del(.packet))) == (.b | map(del(.packet))) and (.a | length) > 10' \
	    both "$T/reorder.json" "$T/dec.json"; then
		pass "a $(cut -d' ' -f4 "$T/split.log")-octet segment cut in three, out of order and once again: the same $(jq length "$T/reorder.json") messages"
	else
		fail "reordered capture: exit $rc, $(head -3 "$T/reorder.err") ${CHECK_WHY:-}"
	fi
	check_fails "a part never captured: named, counted, exit 1" 1 "never captured" \
	    "$CTL" pkt bgp -r "$T/gap.pcap"
	"$CTL" pkt bgp -r "$T/gap.pcap" >"$T/gap.json" 2>/dev/null
	check_json "after the gap the stream is found again (the last message decoded as without the gap)" \
	    '(.a | length) > 0 and (.a[-1] | del(.packet)) == (.b[-1] | del(.packet))' \
	    both "$T/gap.json" "$T/dec.json"
else
	fail "could not cut the capture: $(cat "$T/split.log")"
fi

check_done
