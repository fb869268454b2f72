#!/bin/sh
# The Lua dissector dist/wireshark/cats.lua (docs/wireshark.md), run from
# the tree with tshark -X lua_script:
#
# Signaling: every message of tests/data/every-kind.json (as IPv6 next
# header 135 and over UDP 5436) and every hex example of docs/wire.md is
# decoded by tshark with no malformed field, no expert info at warning or
# above, no unknown or undissected option and no Lua error, and every
# field catsctl pkt decode gives (all but the checksum, which Wireshark
# does not verify) has the same value in tshark's fields (cats.*, and
# mip6.* for the RFC 5213 options), the counts compared equal to
# catsctl's.  Every message of tests/data/mh-malformed.hex gets expert
# info or Wireshark's malformed mark, never a Lua error (but for the BRR
# there, a well-formed Mobile IPv6 message that is not CATS's).
#
# BGP (root, ip netns, gobgpd): catsd A (site PE) and B (RAN PE) with
# gobgpd as route reflector in namespace wsA<pid>; A originates an ISD,
# DSD, T1ST, T2ST (ipv6-mup and ipv4-mup) with the CATS attribute, and a
# CMU; the capture of the sessions decodes with every MUP NLRI named
# (cats.mup.*), the CATS attribute (cats.bgp.*), no malformed or unknown
# field, and the values (route type, RD, prefix, address, TEID, QFI,
# endpoint, CS-ID, CIS-ID, kind) match what B learnt (catsctl show bgp
# routes).  Exits 77 without tshark.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
B=${CATSD_BUILD:-${O:-build}/san}
case $B in /*) ;; *) B=$PWD/$B ;; esac
CATSD=$B/catsd
CTL=$B/catsctl
LUA=${CATS_LUA:-$PWD/dist/wireshark/cats.lua}
command -v tshark >/dev/null 2>&1 || { echo "skip: tshark not installed"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "skip: jq not installed"; exit 77; }
[ -x "$CTL" ] || { echo "no $CTL"; exit 1; }
LC_ALL=C TZ=UTC
export LC_ALL TZ

T=$(mktemp -d) || exit 1
P=wsA$$
PIDS=""
cleanup() {
	# shellcheck disable=SC2086
	stop_pids 3 $PIDS
	ip netns del "${P}" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ws FILE ARGS...: tshark with the dissector on FILE
ws() { _f=$1; shift; tshark -n -X lua_script:"$LUA" -r "$_f" "$@"; }

# hex2pcap: lines "NAME HEX" -> a pcap (LINKTYPE_RAW) of IPv6 packets,
# 2001:db8::1 -> 2001:db8::2, next header 135, one per line
hex2pcap() {
	awk '
function le32(v) { printf "%c%c%c%c", v % 256, int(v / 256) % 256, int(v / 65536) % 256, int(v / 16777216) % 256 }
function byte(s,   i, v) { v = 0; for (i = 1; i <= 2; i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; return v }
BEGIN { printf "%c%c%c%c%c%c%c%c", 212, 195, 178, 161, 2, 0, 4, 0; le32(0); le32(0); le32(65535); le32(101) }
NF >= 2 {
	n = length($2) / 2; le32(NR); le32(0); le32(40 + n); le32(40 + n)
	printf "%c%c%c%c%c%c%c%c", 96, 0, 0, 0, int(n / 256), n % 256, 135, 64
	for (a = 1; a <= 2; a++) { printf "%c%c%c%c", 32, 1, 13, 184; for (i = 0; i < 11; i++) printf "%c", 0; printf "%c", a }
	for (i = 0; i < n; i++) printf "%c", byte(substr($2, 2 * i + 1, 2))
}'
}

# ------------------------------------------------------------ signaling
# tshark's fields -> catsctl pkt decode's JSON, then both flattened to
# "PACKET PATH VALUE" lines and compared.
cat >"$T/ws2json.jq" <<'EOF'
def v($f): .[$f][0];
def n($f): .[$f][0] | tonumber;
def has($f): .[$f] != null;
def arr($f): .[$f] // [];
def bool($f): .[$f][0] == "1";
def opt($k; cond; val): if cond then {($k): val} else {} end;
def bu_flags: [["A","mip6.bu.a_flag"],["H","mip6.bu.h_flag"],["L","mip6.bu.l_flag"],
	["K","mip6.bu.k_flag"],["M","mip6.bu.m_flag"],["R","mip6.nemo.bu.r_flag"],
	["P","mip6.bu.p_flag"],["F","mip6.bu.f_flag"],["T","mip6.bu.t_flag"],
	["B","mip6.bu.b_flag"],["C","cats.flags.c"],["X","cats.flags.x"]];
def ba_flags: [["K","mip6.ba.k_flag"],["R","mip6.nemo.ba.r_flag"],["P","mip6.ba.p_flag"],
	["T","mip6.ba.t_flag"],["B","mip6.ba.b_flag"],["C","cats.flags.c"]];
def flags($t): . as $l | [$t[] | select($l[.[1]][0] == "1") | .[0]] | join("");
def crid_fmt: {"1": "ip", "2": "l2", "3": "uri"}[.];
def aff_kind: {"1": "avoid", "2": "with", "3": "needs"}[.];
def metric_name: {"0": "utilisation", "1": "capacity", "2": "queue-length",
	"3": "processing-delay", "4": "one-way-delay", "5": "delay-variation",
	"6": "loss", "7": "bandwidth"}[.];
def stat_name: {"0": "cur", "1": "mean", "2": "min", "3": "max"}[.];
def req($p): . as $l |
	opt("min_bw"; has("cats.\($p).min_bw") and v("cats.\($p).min_bw") != "0"; n("cats.\($p).min_bw"))
	+ (["max_lat", "max_jitter", "max_loss", "comp_lat"]
	   | map(. as $k | $l | opt($k; has("cats.\($p).\($k)") and v("cats.\($p).\($k)") != "4294967295";
		n("cats.\($p).\($k)"))) | add)
	+ opt("affinity"; has("cats.\($p).affinity.kind");
		[arr("cats.\($p).affinity.kind") as $k | arr("cats.\($p).affinity.name") as $nm
		 | range($k | length) | {kind: ($k[.] | aff_kind), name: $nm[.]}]);
.[] | ._source.layers | (v("mip6.mhtype") == "5") as $bu |
(if $bu then n("mip6.bu.lifetime") else n("mip6.ba.lifetime") end) as $life |
{
	packet: n("frame.number"), src: v("ipv6.src"), dst: v("ipv6.dst"),
	transport: (if has("udp.srcport") then "udp" else "ipv6" end),
	type: (if $bu then "BU" else "BA" end), mh_type: n("mip6.mhtype"),
	kind: v("cats.kind_name"),
	seq: (if $bu then n("mip6.bu.seqnr") else n("mip6.ba.seqnr") end),
	flags: flags(if $bu then bu_flags else ba_flags end),
	lifetime: ($life * 4), lifetime_units: $life
}
+ (if $bu then {} else {status: n("cats.status"), status_name: v("cats.status_name")} end)
+ {options: (
	opt("cats-msg"; has("cats.msg.flags"); {kind: n("cats.kind"), continuity: bool("cats.msg.continuity")})
	+ opt("mn-id"; has("mip6.mnid.subtype"); {subtype: n("mip6.mnid.subtype"), nai: v("mip6.mnid.identifier")})
	+ opt("handoff-indicator"; has("mip6.hi"); n("mip6.hi"))
	+ opt("access-tech-type"; has("mip6.att"); n("mip6.att"))
	+ opt("mn-link-layer-id"; has("mip6.mnlli.lli"); v("mip6.mnlli.lli") | [scan("..")] | join(":"))
	+ opt("home-network-prefix"; has("mip6.nemo.mnp.mnp");
		[arr("mip6.nemo.mnp.mnp") as $a | arr("mip6.nemo.mnp.pfl") as $p
		 | range($a | length) | "\($a[.])/\($p[.])"])
	+ opt("timestamp"; has("cats.timestamp.seconds");
		{seconds: n("cats.timestamp.seconds"), fraction: n("cats.timestamp.fraction")})
	+ opt("link-local-address"; has("mip6.lila_lla"); v("mip6.lila_lla"))
	+ opt("cr-id"; has("cats.cr_id"); {format: (v("cats.cr_id.format") | crid_fmt), value: v("cats.cr_id")})
	+ opt("service-id"; has("cats.cs_id"); v("cats.cs_id"))
	+ opt("cats-requirements"; has("cats.req.min_bw"); req("req"))
	+ opt("cats-conditions"; has("cats.cond.min_bw"); req("cond"))
	+ opt("service-prefix"; has("cats.svc_prefix"); "\(v("cats.svc_prefix"))/\(v("cats.svc_prefix.len"))")
	+ opt("client-addr"; has("cats.client_addr"); v("cats.client_addr"))
	+ opt("cats-addr"; has("cats.cats_addr"); v("cats.cats_addr"))
	+ opt("transaction"; has("cats.tx.id"); {id: n("cats.tx.id"), next_seq: n("cats.tx.next_seq"),
		state_len: n("cats.tx.state_len"), port: n("cats.tx.port")})
	+ opt("cis-id"; has("cats.cis_id"); n("cats.cis_id"))
	+ opt("cats-metrics"; has("cats.metrics.scope");
		(if v("cats.metrics.scope") == "1" then {scope: "instance", cis_id: n("cats.metrics.cis_id")}
		 else {scope: "path", egress: v("cats.metrics.egress")} end)
		+ (if bool("cats.metrics.gone") then {gone: true} else {} end)
		+ {metrics: [arr("cats.metric.id") as $i | arr("cats.metric.stat") as $s
			| arr("cats.metric.window_ms") as $w | arr("cats.metric.value_text") as $x
			| range($i | length)
			| {metric: ($i[.] | metric_name), stat: ($s[.] | stat_name),
			   window_ms: ($w[.] | tonumber), value: ($x[.] | tonumber)}]})
	+ opt("authentication"; has("cats.auth.subtype"); {subtype: n("cats.auth.subtype"),
		spi: n("cats.auth.spi"), data: (v("cats.auth.data") // "" | gsub(":"; ""))})
)}
+ (if has("cats.unknown.type") then {unknown: [arr("cats.unknown.type") as $t
	| arr("cats.unknown.length") as $n | arr("cats.unknown.offset") as $o | range($t | length)
	| {type: ($t[.] | tonumber), length: ($n[.] | tonumber), offset: ($o[.] | tonumber)}]}
   else {} end)
EOF
# Every scalar as "PACKET PATH VALUE"; left out: the checksum (Wireshark
# does not verify the MH checksum) and the layout (how our encoder would
# order the options, docs/wire.md 7.1: not a field of the message).
cat >"$T/flat.jq" <<'EOF'
.[] | .packet as $n | del(.checksum, .layout) | paths(scalars) as $p
	| "\($n) \($p | map(tostring) | join(".")) \(getpath($p) | tostring)"
EOF
FIELDS=$({
	echo cats.unknown.length cats.unknown.offset | tr ' ' '\n'
	grep -o '"\(cats\|mip6\|ipv6\|udp\|frame\)\.[a-z_.0-9]*"' "$T/ws2json.jq" | tr -d '"'
	for p in req cond; do
		for k in min_bw max_lat max_jitter max_loss comp_lat affinity.kind affinity.name; do
			echo "cats.$p.$k"
		done
	done
} | sort -u | sed 's/^/-e /')

# wellformed NAME PCAP: no malformed mark, no expert info at warning or
# above, no unknown or undissected option, no Lua error
wellformed() {
	if ! ws "$2" -V >"$T/$1.txt" 2>"$T/$1.err"; then
		fail "$1: tshark failed: $(head -3 "$T/$1.err")"
		return
	fi
	if grep -i -E 'lua error|malformed|unknown \(0x|not dissected|unknown option|\[Expert Info \((Warning|Error)' \
	    "$T/$1.txt" >"$T/$1.bad"; then
		fail "$1: $(sort "$T/$1.bad" | uniq -c | head -5)"
	else
		pass "$1: every packet well-formed, nothing unknown, no Lua error"
	fi
	# shellcheck disable=SC2086
	check_absent "$1: no malformed field nor expert info at warning or above" . \
	    ws "$2" -Y '_ws.malformed || _ws.expert.severity >= warning'
}

# same NAME PCAP COUNT: catsctl's fields = the dissector's, COUNT messages
same() {
	# shellcheck disable=SC2086
	ws "$2" -T json $FIELDS >"$T/$1.json" 2>"$T/$1.err" &&
	    jq -f "$T/ws2json.jq" "$T/$1.json" | jq -s . | jq -r -f "$T/flat.jq" |
	    sort >"$T/$1.ws"
	"$CTL" pkt decode -r "$2" 2>/dev/null | jq -r -f "$T/flat.jq" | sort >"$T/$1.ct"
	_n=$(wc -l <"$T/$1.ct")
	_m=$(awk '{ print $1 }' "$T/$1.ct" | sort -u | wc -l)
	_k=$(grep -c ' kind ' "$T/$1.ws")
	if [ "$_m" -ne "$3" ] || [ "$_k" -ne "$3" ]; then
		fail "$1: $3 messages expected, catsctl decoded $_m, the dissector named $_k"
	elif ! diff "$T/$1.ct" "$T/$1.ws" >"$T/$1.diff"; then
		fail "$1: the dissector and catsctl disagree: $(head -10 "$T/$1.diff")"
	else
		pass "$1: $_n fields of $3 messages, the dissector's = catsctl's"
	fi
}

N=$(grep -c '"src":' tests/data/every-kind.json)
"$CTL" pkt encode --pcap "$T/ek.pcap" tests/data/every-kind.json >/dev/null ||
    fail "catsctl pkt encode --pcap"
"$CTL" pkt encode --pcap "$T/ek-udp.pcap" --udp tests/data/every-kind.json >/dev/null ||
    fail "catsctl pkt encode --pcap --udp"
wellformed every-kind "$T/ek.pcap"
same every-kind "$T/ek.pcap" "$N"
wellformed every-kind-udp "$T/ek-udp.pcap"
same every-kind-udp "$T/ek-udp.pcap" "$N"
check_has "every-kind-udp: carried in UDP 5436 and named CATS" "CATS" \
    ws "$T/ek-udp.pcap" -Y 'udp.port == 5436 && cats.kind_name == "cats-query"'

# The hex examples of docs/wire.md (cis-id, metrics, authentication).
awk '/^```hex /{ name = $2; h = ""; on = 1; next }
    on && /^```/{ print name, h; on = 0; next } on { gsub(/ /, ""); h = h $0 }' \
    docs/wire.md >"$T/wire.hex"
# The example with an unknown option (option 150, 7.1) on its own: the
# option is named (cats.unknown.*, as catsctl's "unknown") with a note.
grep -v cafe "$T/wire.hex" | hex2pcap >"$T/wire.pcap"
grep cafe "$T/wire.hex" | hex2pcap >"$T/wire-unknown.pcap"
wellformed wire-examples "$T/wire.pcap"
same wire-examples "$T/wire.pcap" "$(grep -c -v cafe "$T/wire.hex")"
same wire-unknown-option "$T/wire-unknown.pcap" 1
check_has "wire-unknown-option: named, type 150 at offset 79" '^150	79$' \
    ws "$T/wire-unknown.pcap" -T fields -e cats.unknown.type -e cats.unknown.offset

# Malformed messages: expert info (or mip6's malformed mark) on each, and
# never a Lua error.  mh-type-brr is a Binding Refresh Request, well-formed
# Mobile IPv6 that is not a CATS message: nothing to flag.
hex2pcap <tests/data/mh-malformed.hex >"$T/mal.pcap"
ws "$T/mal.pcap" -T fields -e frame.number -e _ws.expert.severity \
    -e _ws.malformed -E occurrence=f >"$T/mal.fields" 2>"$T/mal.err"
awk '{ print NR, $1 }' tests/data/mh-malformed.hex >"$T/mal.names"
_missed=$(awk -F'\t' 'NR == FNR { name[$1] = $2; next }
    $2 == "" && $3 == "" && name[$1] != "mh-type-brr" { printf "%s ", name[$1] }' \
    FS=' ' "$T/mal.names" FS='\t' "$T/mal.fields")
_nmal=$(wc -l <tests/data/mh-malformed.hex)
if [ "$(wc -l <"$T/mal.fields")" -ne "$_nmal" ]; then
	fail "malformed: $_nmal messages, tshark gave $(wc -l <"$T/mal.fields") lines: $(head -3 "$T/mal.err")"
elif [ -n "$_missed" ]; then
	fail "malformed: no expert info for $_missed"
else
	pass "malformed: each of $((_nmal - 1)) malformed messages flagged"
fi
check_absent "malformed: no Lua error" 'Lua Error' ws "$T/mal.pcap" -V
check_has "malformed: expert info names the error (kind, missing option)" \
    'CATS message option without C' ws "$T/mal.pcap" -V

# ------------------------------------------------------------ demo capture
# The testbed's signaling capture of make demo, when there is one.
# make demo's captures, when it has run: the testbed's signaling and the
# CATS-MUP story's BGP sessions (testbed/mup.sh)
DEMO_PCAP=${DEMO_DIR:-build/demo}/testbed/signaling.pcap
DEMO_BGP=${DEMO_DIR:-build/demo}/mup/bgp.pcap
if [ -s "$DEMO_PCAP" ]; then
	wellformed demo-signaling "$DEMO_PCAP"
	same demo-signaling "$DEMO_PCAP" "$("$CTL" pkt decode -r "$DEMO_PCAP" 2>/dev/null | jq length)"
fi
if [ -s "$DEMO_BGP" ]; then
	wellformed demo-bgp "$DEMO_BGP"
	check_has "demo-bgp: MUP routes named" 'ipv6-mup t2st rd' \
	    ws "$DEMO_BGP" -Y cats.mup.route -T fields -e cats.mup.route
fi
[ -s "$DEMO_PCAP" ] || [ -s "$DEMO_BGP" ] ||
	skip "no capture of make demo's ($DEMO_PCAP, $DEMO_BGP: make demo writes them)"

# ------------------------------------------------------------ BGP, offline
# The DSD UPDATE of docs/wire.md 8.3 and malformed variants of it, one
# BGP message a packet (DLT User 0 given to the plugin's "catsbgp"): each
# variant gets malformed expert info, an unknown route type only a note
# (stepped over, 8.2), the original nothing; never a Lua error.
BGP_DSD=ffffffffffffffffffffffffffffffff00ad02000000964001010040020040050400000064c010100c00fde8000000070002fde800000001c028250500220001001e0020010db800e10000000000000000000000001200010006201010000000c0ff16030400000065040e0001000003e83fe0000000000000800e310002551020010db800e10000000000000000000100010002180000fde80000006420010db800e100000000000000000001
variant() { echo "$1 $(echo "$BGP_DSD" | sed "s/$2/$3/")"; }
{
	echo "wire-dsd $BGP_DSD"
	variant cats-tlv-len c0ff160304 c0ff160305
	variant metric-bad-stat 040e0001000003e8 040e0009000003e8
	variant metric-not-finite 3fe0000000000000 7ff8000000000000
	variant nlri-past-attribute 0100021800 0100021900
	variant next-hop-len-5 0002551020 0002550520
	variant cats-flags-not-optional c0ff16 40ff16
	variant sid-structure-len-5 01000620101000 01000520101000
	variant marker-broken ffffffff00ad ffffff0000ad
	variant t1st-endpoint-len 0100021800 0100031800
	variant route-type-unknown 0100021800 0100091800
	# draft-ietf-bess-mup-safi-01: a T2ST with the session parameters TLV
	# and an interwork segment community (IPv4 form), then its TLV
	# running past the NLRI, of length 0, of the wrong length
	T2ST_TLV=ffffffffffffffffffffffffffffffff0069020000005240010100400200c010080c04c00002010007800e3d0002551020010db800e10000000000000000000100010004240000fde800000064a020010db8000000000000000000000099000000
	echo "wire-t2st-tlv ${T2ST_TLV}6401050000006409"
	echo "tlv-runs-past ${T2ST_TLV}6401090000006409"
	echo "tlv-empty ${T2ST_TLV}64c8000303c00002"
	echo "tlv-session-len ${T2ST_TLV}640104000000640a"
} >"$T/bgpmal.hex"
awk '
function le32(v) { printf "%c%c%c%c", v % 256, int(v / 256) % 256, int(v / 65536) % 256, int(v / 16777216) % 256 }
function byte(s,   i, v) { v = 0; for (i = 1; i <= 2; i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1; return v }
BEGIN { printf "%c%c%c%c%c%c%c%c", 212, 195, 178, 161, 2, 0, 4, 0; le32(0); le32(0); le32(65535); le32(147) }
NF >= 2 { n = length($2) / 2; le32(NR); le32(0); le32(n); le32(n); for (i = 0; i < n; i++) printf "%c", byte(substr($2, 2 * i + 1, 2)) }' \
    "$T/bgpmal.hex" >"$T/bgpmal.pcap"
USER0='uat:user_dlts:"User 0 (DLT=147)","catsbgp","0","","0",""'
ws "$T/bgpmal.pcap" -o "$USER0" -T fields -e frame.number -e _ws.malformed \
    -e _ws.expert.severity -e cats.mup.rd -E occurrence=f >"$T/bgpmal.fields" 2>"$T/bgpmal.err"
awk '{ print NR, $1 }' "$T/bgpmal.hex" >"$T/bgpmal.names"
# NAME MALFORMED SEVERITY RD, one line a message
awk -F'\t' 'NR == FNR { split($0, a, " "); name[a[1]] = a[2]; next }
    { print name[$1], ($2 != "" ? "malformed" : "-"), ($3 != "" ? $3 : "-"), ($4 != "" ? $4 : "-") }' \
    "$T/bgpmal.names" "$T/bgpmal.fields" >"$T/bgpmal.got"
_bad=$(awk '$1 ~ /^wire-/ && ($2 != "-" || $3 != "-" || $4 != "65000:100") { print }
    $1 == "route-type-unknown" && ($2 != "-" || $3 != 4194304) { print }
    $1 !~ /^wire-/ && $1 != "route-type-unknown" && $2 != "malformed" { print }' "$T/bgpmal.got")
if [ "$(wc -l <"$T/bgpmal.got")" -ne "$(wc -l <"$T/bgpmal.hex")" ]; then
	fail "bgp-offline: $(wc -l <"$T/bgpmal.hex") messages, tshark gave $(wc -l <"$T/bgpmal.got"): $(head -3 "$T/bgpmal.err")"
elif [ -n "$_bad" ]; then
	fail "bgp-offline: $_bad"
else
	pass "bgp-offline: wire.md's DSD and a T2ST with TLVs clean (RD 65000:100), $(($(wc -l <"$T/bgpmal.hex") - 3)) malformed variants flagged, an unknown route type noted"
fi
# The T2ST's TLV and community by name (wire.md 8.2, 8.3).
_n=$(awk '$1 == "wire-t2st-tlv" { print NR }' "$T/bgpmal.hex")
check_has "bgp-offline: T2ST session TLV and interwork community named" \
    "$_n	100	9	192.0.2.1:7" ws "$T/bgpmal.pcap" -o "$USER0" -T fields \
    -e frame.number -e cats.mup.tlv.teid -e cats.mup.tlv.qfi \
    -e cats.mup.interwork_segment
check_absent "bgp-offline: no Lua error" 'Lua Error' ws "$T/bgpmal.pcap" -o "$USER0" -V

# ------------------------------------------------------------ BGP
in_ns() { ip netns exec "$P" "$@"; }
ctl() { _cn=$1; shift; in_ns "$CTL" -s "$T/$_cn.sock" "$@"; }
# speaker NAME ADDRESS ROUTER-ID SIGNALING-PORT MUP-JSON
speaker() {
	cat >"$T/$1.json" <<EOJ
{ "node": { "name": "$1", "address": "$2", "roles": ["locator"] },
  "control": "$T/$1.sock", "log": { "level": "info" },
  "signaling": { "port": $4 },
  "bgp": { "asn": 65000, "router_id": "$3", "hold_time": 9, "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100", "local_address": "$2",
      "asn": 65000, "families": ["ipv6-mup", "ipv4-mup"] } ] },
  "mup": $5 }
EOJ
	ip netns exec "$P" "$CATSD" -d -f "$T/$1.json" >"$T/$1.log" 2>&1 &
	PIDS="$PIDS $!"
}

# catsd's route (show bgp routes) as the dissector's cats.mup.route line
cat >"$T/route.jq" <<'EOF'
.routes[] | .attributes as $a |
[.family, .type, "rd", .rd,
 (if .type == "isd" then ["prefix", .prefix]
  elif .type == "dsd" then ["address", .address]
  elif .type == "t1st" then ["prefix", .prefix, "teid", .teid, "qfi", .qfi, "endpoint", .endpoint]
	+ (if .source then ["source", .source] else [] end)
  else ["endpoint", .endpoint, "endpoint_length", .endpoint_length, "teid", .teid] end),
 (if $a.mup then ["mup", $a.mup] else [] end),
 (if ($a.route_targets // []) | length > 0 then ["rt", ($a.route_targets | join(","))] else [] end),
 (if $a.prefix_sid then ["sid", $a.prefix_sid.sid, "behavior", $a.prefix_sid.behavior] else [] end),
 "kind", ($a.cats.kind // "none"),
 (if $a.cats.cs_id then ["cs-id", $a.cats.cs_id] else [] end),
 (if $a.cats.cis_id then ["cis-id", $a.cats.cis_id] else [] end),
 "metrics", (($a.cats.metrics // []) | length)]
| flatten | map(tostring) | join(" ")
EOF

bgp_part() {
	[ "$(id -u)" -eq 0 ] || { skip "BGP: not root"; return; }
	for _p in ip gobgpd gobgp dumpcap; do
		command -v $_p >/dev/null || { skip "BGP: no $_p"; return; }
	done
	[ -x "$CATSD" ] || { fail "no $CATSD"; return; }
	ip netns add "$P" 2>/dev/null || { skip "BGP: ip netns unavailable"; return; }
	in_ns ip link set lo up
	for _a in fd00::100 fd00::a fd00::b; do in_ns ip -6 addr add $_a/128 dev lo nodad; done
	# (ip netns exec itself in the background: $! must be dumpcap's pid)
	ip netns exec "$P" dumpcap -q -i lo -f "tcp port 179" -w "$T/bgp.pcap" >"$T/dumpcap.log" 2>&1 &
	_cap=$!
	PIDS="$PIDS $_cap"
	wait_for 10 grep -q "Capturing on" "$T/dumpcap.log" ||
	    { fail "dumpcap: $(cat "$T/dumpcap.log")"; return; }
	# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
	GOBGP_NETNS=$P GOBGP_HOLD=9
	. tests/lib/gobgp.sh
	gobgp_neighbor fd00::a 65000 ""
	gobgp_neighbor fd00::b 65000 ""
	gobgp_start "$T/gobgp" 179 50051 65000 10.0.0.100 "" || { fail "gobgpd did not start"; return; }
	speaker A fd00::a 10.0.0.1 15437 '{ "roles": ["site-pe"], "mode": "central",
	    "address": "fd00::a", "damping": { "min_interval_ms": 0 },
	    "instances": [ { "cs_id": 7, "cis_id": 1, "sid": "fc00:a:1::", "behavior": 18 } ] }'
	speaker B fd00::b 10.0.0.2 15438 '{ "roles": ["ran-pe"], "mode": "central",
	    "address": "fd00::b", "ran_index": 0 }'
	for _n in A B; do
		wait_for 10 test -S "$T/$_n.sock" || { fail "catsd $_n: $(cat "$T/$_n.log")"; return; }
		wait_for 20 json_ok '.neighbors[0].state | ascii_downcase == "established"' ctl "$_n" -j show bgp ||
		    { fail "catsd $_n: no session: $(tail -5 "$T/$_n.log")"; return; }
	done
	# every route type in both families with the CATS attribute, then the
	# CMU of instance 1 (its metrics), then a withdrawal
	_attrs="rt 65000:201 mup 65000:201 cs-id 201 cis-id 2012"
	while IFS='|' read -r _k _x; do
		# shellcheck disable=SC2086
		ctl A bgp route add $_k $_x $_attrs >/dev/null || fail "catsctl bgp route add $_k refused"
	done <<EOR
ipv6-mup isd 2001:db8:a0::/48 rd 65000:201 | sid fc00:a:e0:: behavior 71
ipv6-mup dsd 2001:db8:a0::1 rd 65000:202 | sid fc00:a:e1:: behavior 18
ipv6-mup t1st 2001:db8:a1::1/128 rd 65000:203 teid 2031 qfi 5 endpoint 2001:db8:a0::9 |
ipv6-mup t2st 2001:db8:a0::2 rd 65000:204 teid 2041 |
ipv4-mup isd 10.20.0.0/16 rd 65000:211 | sid fc00:a:e2:: behavior 72
ipv4-mup dsd 10.20.0.1 rd 65000:212 | sid fc00:a:e3:: behavior 19
ipv4-mup t1st 10.21.0.1/32 rd 65000:213 teid 2131 qfi 5 endpoint 10.20.0.9 |
ipv4-mup t2st 10.20.0.2 rd 65000:214 teid 2141 |
EOR
	ctl A mup metric 1 util=0.25 proc_delay_ns=2000000 >/dev/null || fail "catsctl mup metric refused"
	wait_for 10 json_ok '.routes | length == 10 and any(.attributes.cats.kind == "cmu")' \
	    ctl B -j show bgp routes || fail "B learnt: $(ctl B -j show bgp routes)"
	ctl B -j show bgp routes >"$T/routes.json"
	ctl A bgp route del ipv6-mup t2st 2001:db8:a0::2 rd 65000:204 teid 2041 >/dev/null ||
	    fail "catsctl bgp route del refused"
	wait_for 10 json_ok '.routes | length == 9' ctl B -j show bgp routes ||
	    fail "withdrawal not seen at B"
	# dumpcap hands packets over in blocks: wait for the last one (the
	# withdrawal reflected to B) to be in the file before stopping it.
	# The capture ends before the sessions do (their teardown is not what
	# is tested, and a RST is a TCP warning).
	wait_for 10 out_has . ws "$T/bgp.pcap" -Y 'cats.mup.withdrawn && ipv6.dst == fd00::b' ||
	    fail "the withdrawal to B never reached the capture"
	stop_pids 3 "$_cap"
	# shellcheck disable=SC2086
	stop_pids 3 $PIDS
	PIDS=""
	bgp_checks "$T/bgp.pcap"
}

bgp_checks() {
	wellformed bgp "$1"
	# what gobgpd sent B = what B learnt, route by route
	ws "$1" -Y 'cats.mup.route && !cats.mup.withdrawn && ipv6.dst == fd00::b' \
	    -T fields -e cats.mup.route -E occurrence=a -E separator=/t 2>/dev/null |
	    tr '\t' '\n' | sort -u >"$T/bgp.ws"
	jq -r -f "$T/route.jq" "$T/routes.json" | sort -u >"$T/bgp.ct"
	_n=$(wc -l <"$T/bgp.ct")
	_types=$(awk '{ print $1, $2 }' "$T/bgp.ws" | sort -u | wc -l)
	if [ "$_n" -ne 10 ] || [ "$_types" -ne 8 ]; then
		fail "bgp: 10 routes of 8 family/type pairs expected: catsd $_n, tshark $(wc -l <"$T/bgp.ws") of $_types pairs"
	elif ! diff "$T/bgp.ct" "$T/bgp.ws" >"$T/bgp.diff"; then
		fail "bgp: the dissector and catsd disagree: $(head -8 "$T/bgp.diff")"
	else
		pass "bgp: the $_n MUP routes B learnt (ISD, DSD, T1ST, T2ST of both families, a CMU) = the dissector's, field by field"
	fi
	# the named fields of a T1ST, the CMU and its metrics, the withdrawal
	check_has "bgp: T1ST fields named" '^3	65000:213	10.21.0.1/32	2131	5	10.20.0.9$' \
	    ws "$1" -Y 'cats.mup.route_type == 3 && cats.mup.rd == "65000:213"' -T fields \
	    -e cats.mup.route_type -e cats.mup.rd -e cats.mup.prefix -e cats.mup.teid \
	    -e cats.mup.qfi -e cats.mup.endpoint
	check_has "bgp: CMU with its CATS attribute" '^1	1	7	1	65000:2147483649$' \
	    ws "$1" -Y 'cats.mup.cmu && ipv6.dst == fd00::b' -T fields -e cats.mup.cmu \
	    -e cats.bgp.cats.kind -e cats.bgp.cats.cs_id -e cats.bgp.cats.cis_id -e cats.mup.rd
	jq -r '.routes[] | select(.attributes.cats.kind == "cmu") | .attributes.cats.metrics[]
	    | "\(.metric) \(.stat) \(.window_ms) \(.value)"' "$T/routes.json" >"$T/cmu.ct"
	ws "$1" -Y 'cats.mup.cmu && ipv6.dst == fd00::b' -T json -e cats.bgp.metric.id \
	    -e cats.bgp.metric.stat -e cats.bgp.metric.window_ms -e cats.bgp.metric.value_text 2>/dev/null |
	    jq -r '.[0]._source.layers | . as $l | range(.["cats.bgp.metric.id"] | length)
		| [($l["cats.bgp.metric.id"][.] | {"0": "utilisation", "3": "processing-delay"}[.]),
		   ($l["cats.bgp.metric.stat"][.] | {"0": "cur", "1": "mean"}[.]),
		   ($l["cats.bgp.metric.window_ms"][.] | tonumber),
		   ($l["cats.bgp.metric.value_text"][.] | tonumber)] | map(tostring) | join(" ")' >"$T/cmu.ws"
	if [ -s "$T/cmu.ct" ] && diff "$T/cmu.ct" "$T/cmu.ws" >/dev/null; then
		pass "bgp: the CMU's metrics = catsd's: $(tr '\n' ';' <"$T/cmu.ct")"
	else
		fail "bgp: CMU metrics: catsd $(cat "$T/cmu.ct"), tshark $(cat "$T/cmu.ws")"
	fi
	check_has "bgp: the T2ST withdrawn" 'ipv6-mup t2st rd 65000:204' \
	    ws "$1" -Y 'cats.mup.withdrawn && ipv6.dst == fd00::b' -T fields -e cats.mup.route
	check_has "bgp: OPEN capabilities named (MUP SAFI)" 'MUP' \
	    ws "$1" -Y 'cats.bgp.cap.code == 1' -V
}
bgp_part

check_done
