#!/bin/sh
# draft-ietf-bess-mup-safi-01 on real sessions (docs/wire.md 8.2, 8.3):
# catsd A (a site PE) speaks to catsd B (a RAN PE, neighbor with
# "mup_tlvs") and to gobgpd 3.10 (without: it reads no TLVs and no MUP
# community but sub-type 0).  A originates a T2ST for B with the session
# parameters, source address and an unknown TLV, a T1ST with the interwork
# endpoint TLV, and a DSD with an interwork community:
#   - B takes them, its sessions stay Established, and it steers the TLV
#     T2ST as it steers a plain one (the same instance), with the QFI of
#     the TLV kept; every TLV arrives as sent;
#   - gobgpd gets the plain routes but none of the new ones, which A
#     counts as held back; a plain route made new (a TLV added) is
#     withdrawn from gobgpd, and comes back when the TLV goes again.
# Sanitized builds (CATSD_BUILD); exits 77 without root, ip netns or gobgpd.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
B=${CATSD_BUILD:-build/san}
CATSD=$B/catsd
CTL=$B/catsctl
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
for p in ip gobgpd gobgp jq; do
	command -v $p >/dev/null || { echo "skip: no $p"; exit 77; }
done
[ -x "$CATSD" ] && [ -x "$CTL" ] || { echo "no $CATSD or $CTL"; exit 1; }
P=mtlv$$
T=$(mktemp -d) || exit 1
PIDS=""
cleanup() {
	# shellcheck disable=SC2086
	stop_pids 3 $PIDS
	ip netns del "$P" 2>/dev/null
	[ -n "${KEEP:-}" ] && cp -r "$T" /tmp/mup-tlv-keep
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns add "$P" || { echo "skip: ip netns unavailable"; exit 77; }
in_ns() { ip netns exec "$P" "$@"; }
ctl() { _cn=$1; shift; in_ns "$CTL" -s "$T/$_cn.sock" "$@"; }
in_ns ip link set lo up
for a in fd00::100 fd00::a fd00::b; do in_ns ip -6 addr add $a/128 dev lo nodad; done

# gobgpd on port 1790: A and B listen on 179 of their own addresses.
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_NETNS=$P GOBGP_HOLD=9 GOBGP_AFI_SAFIS="ipv6-mup"
. tests/lib/gobgp.sh
gobgp_neighbor fd00::a 65000 ""
gobgp_start "$T/gobgp" 1790 50061 65000 10.0.0.100 "" || { fail "gobgpd did not start"; check_done mup-tlv; }
PIDS="$PIDS $GOBGP_PID"

# node NAME ADDRESS ROUTER-ID PORT NEIGHBORS MUP
node() {
	cat >"$T/$1.json" <<EOJ
{ "node": { "name": "$1", "address": "$2", "roles": ["locator"] },
  "control": "$T/$1.sock", "log": { "level": "info" },
  "signaling": { "port": $4 }, "dataplane": { "backend": "none" },
  "bgp": { "asn": 65000, "router_id": "$3", "hold_time": 9, "listen": "$2",
    "connect_retry_ms": 1000, "neighbors": [ $5 ] },
  "mup": $6 }
EOJ
	# not through in_ns: in the background a function is a subshell,
	# and $! would be its pid, not catsd's
	ip netns exec "$P" "$CATSD" -d -f "$T/$1.json" >"$T/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	NODE_PIDS="${NODE_PIDS:-} $!"
}
node A fd00::a 10.0.0.1 15441 \
    '{ "name": "gobgpd", "address": "fd00::100", "port": 1790, "local_address": "fd00::a",
       "asn": 65000, "families": ["ipv6-mup"] },
     { "name": "B", "address": "fd00::b", "local_address": "fd00::a",
       "asn": 65000, "families": ["ipv6-mup"], "mup_tlvs": true }' \
    '{ "roles": ["site-pe"], "mode": "central", "address": "fd00::a",
       "instances": [ { "cs_id": 7, "cis_id": 1, "sid": "fc00:a:1::",
       "behavior": 18 } ] }'
node B fd00::b 10.0.0.2 15442 \
    '{ "name": "A", "address": "fd00::a", "local_address": "fd00::b",
       "asn": 65000, "families": ["ipv6-mup"], "passive": true }' \
    '{ "roles": ["ran-pe"], "mode": "central", "address": "fd00::b",
       "ran_index": 0 }'
est() { json_ok "[.neighbors[] | .state | ascii_downcase == \"established\"] | all and length == $2" ctl "$1" -j show bgp; }
for n in A B; do
	wait_for 10 test -S "$T/$n.sock" || { fail "catsd $n: $(tail -3 "$T/$n.log")"; check_done mup-tlv; }
done
wait_for 30 est A 2 || fail "A's sessions: $(ctl A -j show bgp | jq -c '[.neighbors[] | {name, state}]')"
wait_for 10 est B 1 || fail "B's session to A"

# A's routes: to B's route target (RAN PE 0: 65000:100), service 7,
# instance 1 (central mode: the T2ST names it)
T2="rd 65000:204 rt 65000:100 mup 65000:7 cis-id 1"
ctl A bgp route add ipv6-mup t2st 2001:db8:a0::2 teid 2041 $T2 >/dev/null ||
	fail "plain T2ST refused"
ctl A bgp route add ipv6-mup t2st 2001:db8:a0::2 teid 2042 $T2 \
    session-teid 2042 session-qfi 9 source-address 2001:db8:b::1 \
    tlv 200:aabb >/dev/null || fail "T2ST with TLVs refused"
ctl A bgp route add ipv6-mup t1st 2001:db8:a1::1/128 rd 65000:203 teid 2031 \
    qfi 5 endpoint 2001:db8:a0::9 interwork 2001:db8:c::1 mup 65000:7 \
    >/dev/null || fail "T1ST with a TLV refused"
ctl A bgp route add ipv6-mup dsd 2001:db8:a0::1 rd 65000:202 \
    mup-interwork 192.0.2.1:7 >/dev/null || fail "DSD with an interwork community refused"

# B: every route, the TLVs as sent, the sessions up, the same steering
wait_for 10 json_ok '[.routes[] | select(.type == "t2st" or .type == "t1st")] | length == 3' \
    ctl B -j show bgp routes || fail "B learnt: $(ctl B -j show bgp routes | head -c 400)"
check_json "B: the T2ST's TLVs as sent" \
    '.routes[] | select(.type == "t2st" and .teid == 2042) | .tlvs |
     .session.teid == 2042 and .session.qfi == 9 and
     .source_address == "2001:db8:b::1" and .octets == "0105000007fa09031020010db8000b00000000000000000001c802aabb"' \
    ctl B -j show bgp routes
check_json "B: the T1ST's interwork endpoint" \
    '.routes[] | select(.type == "t1st") | .tlvs.interwork == "2001:db8:c::1"' \
    ctl B -j show bgp routes
check_json "B: the DSD's interwork community" \
    '.routes[] | select(.type == "dsd" and .rd == "65000:202") | .attributes.mup_interwork == "192.0.2.1:7"' \
    ctl B -j show bgp routes
wait_for 10 json_ok '[.steering[] | select(.teid == 2041 or .teid == 2042)] | length == 2' \
    ctl B -j show mup || fail "B steers: $(ctl B -j show mup | jq -c .steering)"
check_json "B steers the TLV T2ST as the plain one, QFI kept" \
    '[.steering[] | select(.teid == 2041 or .teid == 2042)] | sort_by(.teid) |
     .[0].cis_id == 1 and .[1].cis_id == 1 and .[0].sid == .[1].sid and
     (.[0] | has("qfi") | not) and .[1].qfi == 9 and
     .[1].source_address == "2001:db8:b::1"' ctl B -j show mup
check_json "B: sessions Established, no TLV refused" \
    '(.neighbors[0].state | ascii_downcase) == "established" and .rib.tlv_malformed == 0 and
     .neighbors[0].counters.flaps == 0' ctl B -j show bgp

# gobgpd 3.10: the plain routes, none of the new ones
# gobgpd's T2STs (route type 4): their TEIDs, as a JSON list
gt2st() { in_ns gobgp -p 50061 global rib -a ipv6-mup -j | jq -c '[.[] | .[] | .nlri | select(.route_type == 4) | .value.teid]'; }
gt2st_is() { test "$(gt2st)" = "$1"; }
wait_for 10 gt2st_is "[2041]" ||
	fail "gobgpd's T2STs: $(gt2st)"
check_has "gobgpd: only the plain T2ST" '^\[2041\]$' gt2st
check_json "A: gobgpd held back the new routes, B none" \
    '(.neighbors[] | select(.name == "gobgpd") | .counters.held_back >= 3 and .mup_tlvs == false) and
     (.neighbors[] | select(.name == "B") | .counters.held_back == 0)' ctl A -j show bgp
check_json "A: its session to gobgpd stays up" \
    '.neighbors[] | select(.name == "gobgpd") | (.state | ascii_downcase) == "established" and .counters.flaps == 0' \
    ctl A -j show bgp

# A plain route made new (a TLV added) leaves gobgpd, and comes back
ctl A bgp route add ipv6-mup t2st 2001:db8:a0::2 teid 2041 $T2 session-teid 2041 \
    session-qfi 3 >/dev/null || fail "T2ST with a TLV added refused"
wait_for 10 gt2st_is "[]" ||
	fail "gobgpd kept the route now with a TLV: $(gt2st)"
wait_for 10 json_ok '.steering[] | select(.teid == 2041) | .qfi == 3' ctl B -j show mup ||
	fail "B: the new TLV not seen"
ctl A bgp route add ipv6-mup t2st 2001:db8:a0::2 teid 2041 $T2 >/dev/null ||
	fail "T2ST without its TLV refused"
wait_for 10 gt2st_is "[2041]" &&
	pass "a route with a TLV added left gobgpd; without it again it is back" ||
	fail "gobgpd did not get the route back"

# shellcheck disable=SC2086
stop_pids 5 $NODE_PIDS
check_absent "no sanitizer report" "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" \
    cat "$T/A.log" "$T/B.log"
check_done "mup-tlv"
