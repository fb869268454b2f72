#!/bin/sh
# catsd as a BGP speaker with the CATS-MUP roles against gobgpd 3.x, in one
# network namespace (its own port 179 and loopback addresses):
#
#   catsd A (site PE, fd00::a) --------------------+
#   catsd K (MUP controller, central, fd00::d) ----+-- gobgpd RR (fd00::100)
#   catsd B (RAN PE 0, fd00::b) -------------------+
#   catsd C (wrong MD5 password, fd00::c) ---------+
#   catsd R (RAN PE 2, kernel data plane, fd00::e) +
#   catsd L (max_prefix 3, no roles, fd00::f) -----+
#   catsd X (RAN PE, distributed) <-- bgp-blast (test_bgp's malformed table)
#
# Checks: sessions Established with TCP MD5, a wrong password never comes
# up; A's DSD and T2ST (with the CATS attribute) reach B through gobgpd and
# make B steer; every MUP route type added with the gobgp CLI reaches catsd
# (ipv6-mup: ISD, DSD, T1ST, T2ST; ipv4-mup: DSD, T2ST), a CLI DSD + T2ST
# with the right route targets make B steer, and their withdrawal removes
# it; a gobgpd restart is survived; routes A adds with "catsctl bgp route"
# (ISD, DSD, T1ST, T2ST in both families, with the CATS attribute) reach B
# and gobgpd, and their del removes them; R, on the kernel data plane, steers
# a T2ST's endpoint into an SRv6 encap route (protocol 252) toward its
# DSD's SID, moves it when the CIS-ID changes, removes it on withdraw and on
# SIGTERM; L, given max_prefix 3, ends its session with Cease 6/1 when
# gobgpd sends a fourth ipv4-mup route and stays down for its restart
# time, then comes back; X takes test_bgp's malformed messages as RFC 7606 says (the
# session kept and each counted, or reset with the table's NOTIFICATION)
# and keeps running.  Needs root, ip netns, gobgpd, gobgp and jq; exits 77
# otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
B=${CATSD_BUILD:-$PWD/build/san}
CATSD=$B/catsd
CTL=$B/catsctl
BLAST=${BLAST:-$PWD/build/bgp-blast}

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
for p in "$CATSD" "$CTL" "$BLAST" "$B/tests/test_bgp"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done
NS=bgp$$
ip netns add "$NS" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_NETNS=$NS
. tests/lib/gobgp.sh	# exits 77 without gobgpd, gobgp, jq

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

T=$(mktemp -d) || exit 1
PIDS=""
cleanup() {
	# shellcheck disable=SC2086
	stop_pids 3 $PIDS
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap 'cp -r "$T" /tmp/bgp-keep; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() { ip netns exec "$NS" "$@"; }
ctl() { _cn=$1; shift; in_ns "$CTL" -s "$T/$_cn.sock" "$@"; }

in_ns ip link set lo up
for a in fd00::100 fd00::a fd00::b fd00::c fd00::d fd00::e fd00::f; do
	in_ns ip -6 addr add $a/128 dev lo nodad
done
in_ns ip addr add 10.0.0.100/32 dev lo
# R's core interface: its SRv6 encap routes leave through it
in_ns ip link add core0 type veth peer name core1
in_ns ip link set core0 up
in_ns ip link set core1 up
# BGP_PCAP=FILE: capture the sessions (debugging)
if [ -n "${BGP_PCAP:-}" ] && command -v tshark >/dev/null; then
	in_ns tshark -i lo -f "tcp port 179" -w "$BGP_PCAP" >"$T/tshark.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 10 grep -q "Capturing on" "$T/tshark.log" || fail "tshark: $(cat "$T/tshark.log")"
fi

# ---------------------------------------------------------------- gobgpd
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_HOLD=9
gobgp_neighbor fd00::a 65000 secretA
gobgp_neighbor fd00::b 65000 secretB
gobgp_neighbor fd00::c 65000 secretC
gobgp_neighbor fd00::d 65000 secretK
gobgp_neighbor fd00::e 65000 secretR
gobgp_neighbor fd00::f 65000 secretL
gobgp_start "$T/gobgp" 179 50071 65000 10.0.0.100 "" || exit 1

# ---------------------------------------------------------------- catsd
# speaker NAME ADDR RID PASSWORD SIGNALING-PORT MUP-JSON [MORE-JSON]
speaker() {
	cat >"$T/$1.json" <<EOF
{ "node": { "name": "$1", "address": "$2", "roles": ["locator"] },
  "control": "$T/$1.sock", "log": { "level": "info" },
  "signaling": { "port": $5 },
  "bgp": { "asn": 65000, "router_id": "$3", "hold_time": 9,
    "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100",
      "local_address": "$2", "asn": 65000, "password": "$4",
      "families": ["ipv6-mup", "ipv4-mup", "ipv6-unicast"] } ] },
  "mup": $6 ${7:-} }
EOF
	ip netns exec "$NS" "$CATSD" -d -f "$T/$1.json" >"$T/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
}
# A's metrics change within the test: its damping floor (30 s by default,
# draft-dcn-dmm-cats-mup section 3) is off.
speaker A fd00::a 10.0.0.1 secretA 15437 '{ "roles": ["site-pe"],
  "mode": "central", "address": "fd00::a", "instances": [ { "cs_id": 7,
  "cis_id": 1, "sid": "fc00:a:1::", "behavior": 18 } ],
  "damping": { "min_interval_ms": 0 } }'
speaker K fd00::d 10.0.0.4 secretK 15440 '{ "roles": ["controller"],
  "mode": "central", "address": "fd00::d", "rans": ["fd00::b"],
  "paths": [ { "ran": "fd00::b", "site": "fd00::a", "owd_ns": 5000000 } ] }'
speaker B fd00::b 10.0.0.2 secretB 15438 '{ "roles": ["ran-pe"], "mode": "central",
  "address": "fd00::b", "ran_index": 0 }'
speaker C fd00::c 10.0.0.3 wrongC 15439 '{ "roles": ["ran-pe"], "mode": "central",
  "address": "fd00::c", "ran_index": 1 }'
speaker R fd00::e 10.0.0.5 secretR 15441 '{ "roles": ["ran-pe"], "mode": "central",
  "address": "fd00::e", "ran_index": 2 }' ", \"dataplane\": { \"backend\": \"${CATS_BACKEND:-auto}\",
  \"sid\": \"fc00:e::\", \"core_interface\": \"core0\" }"
for n in A K B C R; do
	wait_for 10 test -S "$T/$n.sock" || { fail "catsd $n did not start:"; cat "$T/$n.log"; exit 1; }
done

# ---------------------------------------------------------------- sessions
established() { json_ok '.neighbors[0].state | ascii_downcase == "established"' ctl "$1" -j show bgp; }
for n in A K B R; do
	if wait_for 20 established $n; then
		pass "catsd $n: session with gobgpd Established (TCP MD5): $(ctl $n -j show bgp | jq -c '.neighbors[0] | {state, md5, families}')"
	else
		fail "catsd $n: not Established: $(ctl $n -j show bgp | jq -c '.neighbors[0]')"; tail -20 "$T/$n.log"
	fi
done
for a in fd00::a fd00::b fd00::d fd00::e; do
	if [ "$(gobgp_state $a)" = established ]; then
		pass "gobgpd: neighbor $a established"
	else
		fail "gobgpd: neighbor $a is $(gobgp_state $a)"
	fi
done
sleep 2		# lint: sleep-ok: a session that must not come up is given 2 s (two connect retries) to try
if [ "$(gobgp_state fd00::c)" != established ] && [ "$(gobgp_state fd00::a)" = established ] &&
    json_ok '.neighbors[0].state | ascii_downcase != "established"' ctl C -j show bgp; then
	pass "a wrong MD5 password does not come up ($(ctl C -j show bgp | jq -r '.neighbors[0].state'))"
else
	fail "catsd C came up with a wrong password (or did not answer: ${CHECK_WHY:-})"
fi

# ---------------------------------------------------------------- A -> B
# routes(NODE): catsd's RIB, one compact line per route
routes() { ctl "$1" -j show bgp routes | jq -c '.routes[]'; }
# has_route NODE JQ: JQ (of the array of routes) holds at NODE, which answered
has_route() { json_ok ".routes | $2" ctl "$1" -j show bgp routes; }
if wait_for 10 has_route B 'any(.type == "dsd" and .address == "fd00::a" and .attributes.cats.cis_id == 1 and .attributes.cats.cs_id == 7 and .attributes.prefix_sid.sid == "fc00:a:1::")'; then
	pass "A's DSD reached B through gobgpd with the CATS attribute and SID"
else
	fail "no DSD from A at B: $(routes B)"
fi
if gobgp_routes ipv6-mup | grep -q 'type:dsd.*a255='; then
	pass "gobgpd holds A's DSD with the CATS attribute (255) unchanged: $(gobgp_routes ipv6-mup | grep 'type:dsd' | head -1)"
else
	fail "gobgpd: no DSD with attribute 255: $(gobgp_routes ipv6-mup)"
fi
# the controller's C-PS needs the site's metrics (a CMU) to choose
ctl A mup metric 1 util=0.2 capacity=1000 proc_delay_ns=2000000 >/dev/null ||
    fail "catsctl mup metric refused at A"
if wait_for 10 has_route K 'any(.type == "dsd" and .attributes.cats.kind == "cmu")'; then
	pass "A's CMU (metrics) reached the controller K: $(routes K | grep '"cmu"' | jq -c .attributes.cats)"
else
	fail "no CMU at K: $(routes K)"
fi
if ctl K mup session up 1001 endpoint fd00:5::1 cs-id 7 ran 0 >/dev/null; then
	pass "catsctl mup session up (controller K)"
else
	fail "catsctl mup session up refused"
fi
steers() { json_ok "any(.steering[]; $1)" ctl B -j show mup; }
steers_not() { json_ok "any(.steering[]; $1) | not" ctl B -j show mup; }
if wait_for 10 steers '.teid == 1001 and .cis_id == 1 and .sid == "fc00:a:1::"'; then
	pass "K's T2ST made B steer TEID 1001 to CIS-ID 1: $(ctl B -j show mup | jq -c '.steering')"
else
	fail "B does not steer 1001: $(ctl B -j show mup | jq -c .)"; routes B
fi

# ---------------------------------------------------------------- CLI -> catsd
gobgp_isd ipv6-mup 2001:db8:1::/64 100:1 65000:1 fc00:1:1::/64 fd00::100 >/dev/null
gobgp_dsd ipv6-mup 2001:db8::9 100:2 65000:1 65000:9 fc00:9:1::/64 fd00::100 END_DT6 >/dev/null
gobgp_t2st ipv6-mup 2001:db8::40 100:4 65000:1 4004 65000:7 >/dev/null
gobgp_dsd ipv4-mup 192.0.2.9 100:5 65000:1 65000:9 fc00:9:2::/64 fd00::100 END_DT4 >/dev/null
gobgp_t2st ipv4-mup 192.0.2.40 100:6 65000:1 4006 65000:7 >/dev/null
# routes_at 'NODES' WHAT 'FAMILY TYPE JQ-CONDITION'...: each route reaches
# every NODE (the condition and $ALSO, if set, hold for it)
routes_at() {
	_nodes=$1 _what=$2; shift 2
	for _t in "$@"; do
		set -- $_t
		_fam=$1 _ty=$2; shift 2
		_q="any(.family == \"$_fam\" and .type == \"$_ty\" and ${ALSO:-true} and $*)"
		_ok=0
		for _n in $_nodes; do
			wait_for 5 has_route "$_n" "$_q" || _ok=1
		done
		if [ $_ok -eq 0 ]; then
			pass "$_what: $_fam $_ty"
		else
			fail "$_what: $_fam $_ty missing: $(routes B | grep "\"$_fam\"" | grep "\"$_ty\"")"
		fi
	done
}
routes_at "A B" "gobgp CLI -> catsd A and B" \
    'ipv6-mup isd .prefix == "2001:db8:1::/64"' \
    'ipv6-mup dsd .address == "2001:db8::9"' \
    'ipv6-mup t2st .teid == 4004 and .endpoint == "2001:db8::40"' \
    'ipv4-mup dsd .address == "192.0.2.9"' \
    'ipv4-mup t2st .teid == 4006 and .endpoint == "192.0.2.40"'
if has_route B 'any(.type == "dsd" and .address == "2001:db8::9" and .attributes.prefix_sid.sid == "fc00:9:1::" and .attributes.mup == "65000:9" and (.attributes.route_targets | index("65000:1")))'; then
	pass "catsd decodes the CLI DSD's Prefix-SID, MUP and route-target communities"
else
	fail "CLI DSD attributes: $(routes B | grep 2001:db8::9)"
fi
# catsd -> gobgpd: what A advertised, as gobgp sees it
if gobgp_routes ipv6-mup | grep -q 'type:t2st.*endpoint:fd00:5::1.*teid:1001'; then
	pass "gobgpd has K's T2ST for TEID 1001"
else
	fail "gobgpd lacks K's T2ST: $(gobgp_routes ipv6-mup | grep t2st)"
fi

# A DSD and a T2ST from the CLI, with B's route targets (DSD: 65000:1 =
# MUP_RT_RAN; T2ST: 65000:100 = RAN PE 0): B steers TEID 5005 to the
# CLI's DSD, and the CLI's withdrawal removes it.  (The CLI cannot send the
# CATS attribute: CS-ID from the MUP community, CIS-ID from the DSD's RD.)
gobgp_dsd ipv6-mup 2001:db8::77 65000:5 65000:1 65000:8 fc00:77:1::/64 fd00::100 END_DT6 >/dev/null
gobgp_t2st ipv6-mup 2001:db8::50 65000:0 65000:100 5005 65000:8 >/dev/null
if wait_for 5 steers '.teid == 5005 and .cis_id != 0'; then
	pass "CLI DSD + T2ST: B steers TEID 5005: $(ctl B -j show mup | jq -c '.steering[] | select(.teid == 5005)')"
else
	fail "CLI DSD + T2ST: no steering for 5005 at B: $(ctl B -j show mup | jq -c .)"
fi
gobgp_t2st ipv6-mup 2001:db8::50 65000:0 65000:100 5005 65000:8 del >/dev/null
if wait_for 5 has_route B '(any(.type == "t2st" and .teid == 5005) | not)' &&
    steers_not '.teid == 5005 and .cis_id != 0'; then
	pass "CLI withdraw: the T2ST is gone from B and so is its steering"
else
	fail "CLI withdraw not honoured: $(ctl B -j show mup | jq -c .steering)"
fi


# ---------------------------------------------------------------- catsctl bgp route
# A originates every MUP route type in both families, each with the CATS
# attribute (CS-ID 201, CIS-ID 2012): they pass gobgpd (a255=...) to B.
# (Route targets 65000:201: no role of B's imports them.)
ATTRS="rt 65000:201 mup 65000:201 cs-id 201 cis-id 2012"
# FAMILY TYPE KEY... | more attributes (del takes the key only)
ORIG="ipv6-mup isd 2001:db8:a0::/48 rd 65000:201 | sid fc00:a:e0:: behavior 71
ipv6-mup dsd 2001:db8:a0::1 rd 65000:202 | sid fc00:a:e1:: behavior 18
ipv6-mup t1st 2001:db8:a1::1/128 rd 65000:203 teid 2031 qfi 5 endpoint 2001:db8:a0::9 |
ipv6-mup t2st 2001:db8:a0::2 rd 65000:204 teid 2041 |
ipv4-mup isd 10.20.0.0/16 rd 65000:211 | sid fc00:a:e2:: behavior 72
ipv4-mup dsd 10.20.0.1 rd 65000:212 | sid fc00:a:e3:: behavior 19
ipv4-mup t1st 10.21.0.1/32 rd 65000:213 teid 2131 qfi 5 endpoint 10.20.0.9 |
ipv4-mup t2st 10.20.0.2 rd 65000:214 teid 2141 |"
# orig_each add|del: catsctl bgp route at A for each of the eight
orig_each() {
	_ok=0
	while IFS='|' read -r _k _x; do
		if [ "$1" = add ]; then
			ctl A bgp route add $_k $_x $ATTRS >/dev/null || _ok=1
		else
			ctl A bgp route del $_k >/dev/null || _ok=1
		fi
	done <<EOF
$ORIG
EOF
	return $_ok
}
if orig_each add && [ "$(ctl A -j show bgp | jq .originated)" = 8 ]; then
	pass "catsctl bgp route add: 8 routes originated at A"
else
	fail "catsctl bgp route add refused at A: $(ctl A -j show bgp | jq -c '{advertised, originated}')"
fi
ALSO='.attributes.cats.cs_id == 201 and .attributes.cats.cis_id == 2012 and (.attributes.route_targets | index("65000:201")) and .attributes.mup == "65000:201"' \
routes_at B "catsd A -> gobgpd -> catsd B, with the fields and the CATS attribute" \
    'ipv6-mup isd .rd == "65000:201" and .prefix == "2001:db8:a0::/48" and .attributes.prefix_sid.sid == "fc00:a:e0::" and .attributes.prefix_sid.behavior == 71' \
    'ipv6-mup dsd .rd == "65000:202" and .address == "2001:db8:a0::1" and .attributes.prefix_sid.sid == "fc00:a:e1::"' \
    'ipv6-mup t1st .rd == "65000:203" and .prefix == "2001:db8:a1::1/128" and .teid == 2031 and .qfi == 5 and .endpoint == "2001:db8:a0::9"' \
    'ipv6-mup t2st .rd == "65000:204" and .endpoint == "2001:db8:a0::2" and .teid == 2041' \
    'ipv4-mup isd .rd == "65000:211" and .prefix == "10.20.0.0/16" and .attributes.prefix_sid.behavior == 72' \
    'ipv4-mup dsd .rd == "65000:212" and .address == "10.20.0.1" and .attributes.prefix_sid.sid == "fc00:a:e3::"' \
    'ipv4-mup t1st .rd == "65000:213" and .prefix == "10.21.0.1/32" and .teid == 2131 and .qfi == 5 and .endpoint == "10.20.0.9"' \
    'ipv4-mup t2st .rd == "65000:214" and .endpoint == "10.20.0.2" and .teid == 2141'
# gobgpd's view: each route with attribute 255 = CS-ID 201 (TLV 2), CIS-ID
# 2012 (TLV 3)
A255=a255=0204000000c90304000007dc
for t in 'ipv6-mup isd.*rd:65000:201.*2001:db8:a0::/48' 'ipv6-mup dsd.*rd:65000:202.*2001:db8:a0::1\]' \
    'ipv6-mup t1st.*rd:65000:203.*2001:db8:a1::1/128' 'ipv6-mup t2st.*rd:65000:204.*2001:db8:a0::2.*2041' \
    'ipv4-mup isd.*rd:65000:211.*10.20.0.0/16' 'ipv4-mup dsd.*rd:65000:212.*10.20.0.1\]' \
    'ipv4-mup t1st.*rd:65000:213.*10.21.0.1/32' 'ipv4-mup t2st.*rd:65000:214.*10.20.0.2.*2141'; do
	set -- $t
	if gobgp_routes "$1" | grep "type:$2" | grep -q "$A255"; then
		pass "gobgpd holds A's $1 $(echo "$2" | cut -d. -f1) with $A255: $(gobgp_routes "$1" | grep "type:$2" | cut -c1-90)"
	else
		fail "gobgpd: no $1 $2 with $A255: $(gobgp_routes "$1" | grep rd:65000:2)"
	fi
done
if orig_each del && [ "$(ctl A -j show bgp | jq .originated)" = 0 ] &&
    wait_for 5 has_route B '(any(.attributes.cats.cs_id == 201) | not)' &&
    out_lacks "$A255" gobgp_routes ipv6-mup && out_lacks "$A255" gobgp_routes ipv4-mup; then
	pass "catsctl bgp route del: the eight are gone from B and from gobgpd"
else
	fail "del: $(routes B | grep -c '"cs_id":201') left at B; gobgpd: $(gobgp_routes ipv6-mup | grep -c "$A255") $(gobgp_routes ipv4-mup | grep -c "$A255")"
fi

# Both ends refuse what is malformed, each with a sentence: catsctl (exit
# 2) before sending, catsd on its socket ({"error": ...}).
# raw NODE: JSON requests on stdin, one a line, to NODE's control socket;
# one reply a line
raw() { ctl "$1" raw; }
bad_ok=0
for a in 'dsd 2001:db8::zz rd 1:1' 'dsd 2001:db8::1' 't2st 2001:db8::1 rd 1:1 teid 0' \
    'dsd 2001:db8::1 rd 1:1 colour 5' 'dsd 2001:db8::1 rd 1:1 cis-id 2147483648' \
    't1st 2001:db8::/64 rd 1:1 teid 1 qfi 64 endpoint 2001:db8::1'; do
	ctl A bgp route add ipv6-mup $a >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q 'catsctl: bgp route' "$T/err" || { bad_ok=1; echo "# catsctl took: $a (rc $rc)"; }
done
R='"cmd":"bgp","what":"route","action":"add","family":"ipv6-mup"'
raw A >"$T/raw" <<EOF
{$R,"type":"dsd","rd":"1:1","address":"2001:db8::zz"}
{$R,"type":"dsd","address":"2001:db8::1"}
{$R,"type":"t2st","rd":"1:1","endpoint":"2001:db8::1","teid":0}
{$R,"type":"dsd","rd":"1:1","address":"2001:db8::1","colour":5}
{$R,"type":"dsd","rd":"1:1","address":"2001:db8::1","cis_id":2147483648}
{$R,"type":"dsd","rd":"1:99999999999","address":"2001:db8::1"}
{"cmd":"bgp","what":"route","action":"add","family":"ipv4-unicast","type":"dsd"}
EOF
if [ $bad_ok -eq 0 ] && [ "$(jq -s 'map(select(.error | test("^bgp route"))) | length' "$T/raw")" = 7 ]; then
	pass "bgp route: catsctl and catsd's socket refuse a bad address, a missing rd, TEID 0, an unknown key, a number out of range: $(jq -r .error "$T/raw" | head -3 | tr '\n' ';')"
else
	fail "bgp route: malformed requests: $(cat "$T/raw")"
fi
# at most 4096 routes from the socket
for i in $(seq 1 4097); do
	echo "{$R,\"type\":\"t2st\",\"rd\":\"65000:999\",\"endpoint\":\"2001:db8:99::1\",\"teid\":$i,\"rt\":[\"65000:999\"]}"
done | raw A >"$T/raw"
if [ "$(jq -s 'map(select(.ok)) | length' "$T/raw")" = 4096 ] &&
    json_ok '.error | test("limit")' tail -1 "$T/raw"; then
	pass "bgp route add: 4096 routes taken, the next refused: $(tail -1 "$T/raw" | jq -r .error)"
else
	fail "bgp route limit: $(jq -s 'map(select(.ok)) | length' "$T/raw") taken; last: $(tail -1 "$T/raw")"
fi
# A reply of megabytes (every route) arrives whole; a client that goes away
# before reading its reply does not take the daemon with it (SIGPIPE).
if n=$(ctl A -j show bgp routes | jq '.advertised | length') && [ "$n" -ge 4096 ]; then
	pass "show bgp routes with 4096 routes of our own: the whole reply ($n advertised)"
else
	fail "show bgp routes with 4096 routes: reply cut (${n:-nothing})"
fi
for _ in 1 2 3 4 5; do
	echo '{"cmd":"show","what":"bgp-routes"}' | ctl A raw >/dev/null 2>&1 &
	_p=$!
	sleep 0.02	# lint: sleep-ok: the client is killed while the reply is on its way, on purpose
	kill -9 $_p 2>/dev/null
	wait $_p 2>/dev/null
done
if kill -0 "$PID_A" 2>/dev/null && ctl A show bgp >/dev/null; then
	pass "clients killed before reading their replies: catsd A still runs"
else
	fail "catsd A died with a client gone"; tail -5 "$T/A.log"
fi
seq 1 4096 | sed "s/.*/{$R,\"type\":\"t2st\",\"rd\":\"65000:999\",\"endpoint\":\"2001:db8:99::1\",\"teid\":&}/; s/\"add\"/\"del\"/" |
    raw A | tail -1 >"$T/raw"
if json_ok '.originated == 0' cat "$T/raw"; then
	pass "bgp route del: all 4096 withdrawn"
else
	fail "bgp route del of 4096: $(cat "$T/raw")"
fi
# ipv4-mup with an IPv4 next hop (4 octets); it stays across gobgpd's
# restart below, which A must advertise again
ctl A bgp route add ipv4-mup dsd 10.20.9.1 rd 65000:219 rt 65000:201 cs-id 219 nexthop 192.0.2.1 >/dev/null
if wait_for 5 has_route B 'any(.type == "dsd" and .address == "10.20.9.1" and .attributes.next_hop == "192.0.2.1")' &&
    gobgp_routes ipv4-mup | grep -q 'rd:65000:219.*nh=192.0.2.1'; then
	pass "ipv4-mup with an IPv4 next hop: gobgpd takes it and B has it"
else
	fail "ipv4-mup, IPv4 next hop: $(gobgp_routes ipv4-mup | grep rd:65000:219) $(routes B | grep 10.20.9.1)"
fi

# ---------------------------------------------------------------- restart
# each speaker's count of Established before the restart: "again" is
# once that count has grown, not the state it had before gobgpd went
for n in A K B R; do
	eval "est_$n=\$(ctl $n -j show bgp | jq '.neighbors[0].counters.established')"
done
gobgp_restart || fail "gobgpd did not restart"
again() {
	eval "_e0=\$est_$1"
	json_ok ".neighbors[0].counters.established > ${_e0:-0} and (.neighbors[0].state | ascii_downcase == \"established\")" \
	    ctl "$1" -j show bgp
}
for n in A K B R; do
	if wait_for 30 again $n; then
		pass "catsd $n: Established again after gobgpd's restart ($(ctl $n -j show bgp | jq -c '.neighbors[0].counters | {established, flaps}'))"
	else
		fail "catsd $n: not back after gobgpd's restart: $(ctl $n -j show bgp | jq -c '.neighbors[0]')"
	fi
done
if wait_for 10 has_route B 'any(.type == "dsd" and .address == "fd00::a")' &&
    wait_for 10 steers '.teid == 1001 and .cis_id == 1'; then
	pass "routes re-learnt after the restart; B steers TEID 1001 again"
else
	fail "after the restart: $(routes B) $(ctl B -j show mup | jq -c .steering)"
fi
if wait_for 5 has_route B 'any(.type == "dsd" and .address == "10.20.9.1")' &&
    ctl A bgp route del ipv4-mup dsd 10.20.9.1 rd 65000:219 >/dev/null &&
    wait_for 5 has_route B '(any(.address == "10.20.9.1") | not)'; then
	pass "a route added with catsctl is advertised again after the restart, and withdrawn by del"
else
	fail "catsctl route after the restart: $(routes B | grep 10.20.9.1)"
fi
if json_ok '.neighbors[0].counters.flaps >= 1' ctl B -j show bgp; then
	pass "the restart counted as a flap"
else
	fail "no flap counted: $(ctl B -j show bgp | jq -c '.neighbors[0].counters')"
fi

# ---------------------------------------------------------------- max_prefix
# L takes at most 3 ipv4-mup routes (warning at 60 %, restart after 6 s).
# gobgpd's ipv4-mup table is empty since its restart; the CLI adds T2STs
# with a route target no role imports.
cat >"$T/L.json" <<EOF
{ "node": { "name": "L", "address": "fd00::f", "roles": ["locator"] },
  "control": "$T/L.sock", "log": { "level": "info" },
  "signaling": { "port": 15443 },
  "bgp": { "asn": 65000, "router_id": "10.0.0.9", "hold_time": 9,
    "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100",
      "local_address": "fd00::f", "asn": 65000, "password": "secretL",
      "families": ["ipv4-mup"], "max_prefix": 3,
      "max_prefix_warning_pct": 60, "max_prefix_restart_s": 6 } ] } }
EOF
ip netns exec "$NS" "$CATSD" -d -f "$T/L.json" >"$T/L.log" 2>&1 &
PID_L=$!
PIDS="$PIDS $PID_L"
wait_for 10 test -S "$T/L.sock" || { fail "catsd L did not start"; cat "$T/L.log"; }
# lmp JQ: JQ holds of L's neighbor (its state in lower case)
lmp() { json_ok ".neighbors[0] | (.state |= ascii_downcase) | $1" ctl L -j show bgp; }
lshow() { ctl L -j show bgp | jq -c '.neighbors[0] | {state, max_prefix, routes_received, last_error}'; }
# l_t2st N [del]: an ipv4-mup T2ST (TEID 77N) from the gobgp CLI
l_t2st() { gobgp_t2st ipv4-mup "192.0.2.7$1" 65000:77 65000:777 "77$1" 65000:7 "${2:-add}" >/dev/null; }
if wait_for 20 lmp '.state == "established"'; then
	pass "catsd L (max_prefix 3): Established"
else
	fail "catsd L not Established: $(lshow)"
fi
l_t2st 1; l_t2st 2
if wait_for 5 lmp '.state == "established" and .max_prefix.routes_by_family["ipv4-mup"] == 2 and .max_prefix.warnings == 1 and .max_prefix.exceeded == 0'; then
	pass "2 of 3 routes: L warns (60 %) and keeps the session: $(lshow)"
else
	fail "L at 2 of 3 routes: $(lshow)"
fi
l_t2st 3; l_t2st 4
if wait_for 5 lmp '.state == "idle" and .max_prefix.exceeded == 1 and .max_prefix.down and .routes_received == 0 and .counters.notifications_sent == 1'; then
	pass "4 routes, more than 3: L sent the Cease, dropped the routes, is held down: $(lshow)"
else
	fail "L past max_prefix: $(lshow)"
fi
# gobgpd's side: the session down, a NOTIFICATION received
if json_ok '.state.messages.received.notification >= 1' gobgp_cli neighbor fd00::f -j &&
    [ "$(gobgp_state fd00::f)" != established ]; then
	pass "gobgpd: the session with L is down ($(gobgp_state fd00::f)), L's NOTIFICATION received"
else
	fail "gobgpd: L's session: $(gobgp_state fd00::f) ${CHECK_WHY:-}"
fi
check_has "L logs the limit" \
    'max_prefix 3 exceeded (ipv4-mup): Cease 6/1 sent, down for 6 s' cat "$T/L.log"
if [ "$(grep -c 'max_prefix 3 exceeded' "$T/L.log")" = 1 ]; then
	pass "the limit is logged once"
else
	fail "the limit logged $(grep -c 'max_prefix 3 exceeded' "$T/L.log") times"
fi
sleep 3		# lint: sleep-ok: half the restart time (6 s), in which L must not connect
if lmp '.state == "idle" and .counters.established == 1 and .max_prefix.restart_in_s > 0' &&
    [ "$(gobgp_state fd00::f)" != established ]; then
	pass "3 s later L is still down, restart in $(ctl L -j show bgp | jq '.neighbors[0].max_prefix.restart_in_s') s"
else
	fail "L did not stay down: $(lshow)"
fi
# two routes withdrawn: after the restart time L comes back, with 2 routes
l_t2st 3 del; l_t2st 4 del
if wait_for 10 lmp '.state == "established" and .counters.established == 2 and (.max_prefix.down | not) and .max_prefix.routes_by_family["ipv4-mup"] == 2'; then
	pass "after the restart time L connects again, Established with 2 routes: $(lshow)"
else
	fail "L after the restart time: $(lshow)"
fi
l_t2st 1 del; l_t2st 2 del

# ---------------------------------------------------------------- catsctl
if ! ctl K mup session up 0 endpoint fd00::1 cs-id 7 ran 0 >/dev/null 2>&1 &&
    ! ctl A mup metric 1 util=x >/dev/null 2>&1 &&
    ! ctl B mup session up 7 endpoint fd00::1 cs-id 7 ran 0 >/dev/null 2>&1; then
	pass "catsctl mup: malformed arguments and a missing role are refused"
else
	fail "catsctl mup accepted something malformed"
fi
if ctl A mup metric 1 util=0.5 capacity=800 >/dev/null &&
    ctl A mup instance add 2 cs-id 7 sid fc00:a:2:: >/dev/null &&
    wait_for 5 has_route B 'any(.type == "dsd" and .attributes.cats.cis_id == 2)'; then
	pass "catsctl mup metric and instance add: the new DSD reached B"
else
	fail "mup instance add: $(routes B | grep dsd)"
fi

# T1ST last: a T1ST this catsd cannot parse resets the session (RFC 7606
# 5.3), which would take every other check with it
gobgp_t1st ipv6-mup 2001:db8:3::1/128 100:3 65000:1 3003 9 2001:db8::30 >/dev/null
if wait_for 5 has_route B 'any(.family == "ipv6-mup" and .type == "t1st" and .teid == 3003 and .qfi == 9 and .endpoint == "2001:db8::30")'; then
	pass "gobgp CLI -> catsd B: ipv6-mup t1st"
else
	fail "gobgp CLI ipv6-mup t1st not in catsd B ($(ctl B -j show bgp | jq -r '.neighbors[0].last_error'))"
fi
gobgp_t1st ipv6-mup 2001:db8:3::1/128 100:3 65000:1 3003 9 2001:db8::30 del >/dev/null

# ---------------------------------------------------------------- kernel
# R (RAN PE 2) runs the kernel data plane (seg6 routes or eBPF, whichever
# this kernel has): A's two DSDs for CS-ID 300 (CIS-ID 301 and 302) and a
# T2ST with R's route target (65000:102) pinning 301 make R install an SRv6
# encap route for the T2ST's endpoint toward 301's SID.
. tests/lib/dp.sh
kroute() { dp_routes "$NS" "$T/R.sock" | grep '^2001:db8:f0::1 '; }
has_kroute() { [ "$(kroute | dp_segment)" = "$1" ]; }
T2="ipv6-mup t2st 2001:db8:f0::1 rd 65000:0 teid 3001"
ctl A bgp route add ipv6-mup dsd 2001:db8:e0::1 rd 65000:301 rt 65000:1 mup 65000:300 sid fc00:e:301:: behavior 18 cs-id 300 cis-id 301 >/dev/null
ctl A bgp route add ipv6-mup dsd 2001:db8:e0::2 rd 65000:302 rt 65000:1 mup 65000:300 sid fc00:e:302:: behavior 18 cs-id 300 cis-id 302 >/dev/null
ctl A bgp route add $T2 rt 65000:102 mup 65000:300 cs-id 300 cis-id 301 >/dev/null
if wait_for 5 has_kroute fc00:e:301::; then
	pass "R (kernel) steers the T2ST's endpoint to CIS-ID 301's SID: $(kroute)"
else
	fail "R: no SRv6 route toward fc00:e:301:: ($(dp_routes "$NS" "$T/R.sock")); $(ctl R -j show mup | jq -c '{steering, steering_changes}')"
fi
ctl A bgp route add $T2 rt 65000:102 mup 65000:300 cs-id 300 cis-id 302 >/dev/null
if wait_for 5 has_kroute fc00:e:302:: && [ "$(kroute | wc -l)" = 1 ]; then
	pass "the T2ST's CIS-ID changed to 302: R's route now goes to its SID: $(kroute)"
else
	fail "R after the CIS-ID change: $(kroute)"
fi
ctl A bgp route del $T2 >/dev/null
gone() { dp_routes "$NS" "$T/R.sock" >"$T/R.routes" && ! grep -q '^2001:db8:f0::1 ' "$T/R.routes"; }
if wait_for 5 gone; then
	pass "T2ST withdrawn: R's route is gone"
else
	fail "R keeps the route after the withdraw: $(kroute)"
fi
ctl A bgp route add $T2 rt 65000:102 mup 65000:300 cs-id 300 cis-id 301 >/dev/null
if wait_for 5 has_kroute fc00:e:301::; then
	kill "$PID_R"
	wait "$PID_R"
	rc=$?
	if [ $rc -eq 0 ] && out_lacks . dp_kernel_view "$NS"; then
		pass "SIGTERM: R stopped cleanly and left no route of protocol 252 nor a program"
	else
		fail "R after SIGTERM (exit $rc): $(dp_kernel_view "$NS") ${CHECK_WHY:-}"; tail -20 "$T/R.log"
	fi
else
	fail "R did not steer again: $(kroute)"
fi

# ---------------------------------------------------------------- malformed
# test_bgp's table of malformed messages, sent by a peer of its own to a
# RAN PE X (distributed: its RIB feeds its C-PS).  RFC 7606: every case that
# is not a reset goes over one session, which stays up, each counted under
# its action; each reset case, over a session of its own, gets the
# NOTIFICATION the table names.  X must be running at the end.
in_ns ip -6 addr add fd00::10/128 dev lo nodad
in_ns ip -6 addr add fd00::11/128 dev lo nodad
# X's sockets get a small send buffer, so that its writes can block
in_ns sysctl -q -w net.ipv4.tcp_wmem="4096 8192 16384"
cat >"$T/X.json" <<EOF
{ "node": { "name": "X", "address": "fd00::10", "roles": ["locator"] },
  "control": "$T/X.sock", "log": { "level": "notice" },
  "signaling": { "port": 15442 },
  "bgp": { "asn": 65000, "router_id": "10.0.0.7", "listen": "fd00::10",
    "port": 1179, "hold_time": 9, "idle_hold_ms": 100, "idle_hold_max_ms": 200,
    "neighbors": [ { "name": "bad", "address": "fd00::11", "asn": 65000,
      "passive": true, "families": ["ipv6-mup", "ipv4-mup", "ipv6-unicast"] } ] },
  "mup": { "roles": ["ran-pe"], "mode": "distributed", "address": "fd00::10",
    "ran_index": 5 } }
EOF
ip netns exec "$NS" "$CATSD" -d -f "$T/X.json" >"$T/X.log" 2>&1 &
PID_X=$!
PIDS="$PIDS $PID_X"
wait_for 10 test -S "$T/X.sock" || { fail "catsd X did not start"; cat "$T/X.log"; }
CATS_BGP_BAD_TABLE=1 "$B/tests/test_bgp" 2>/dev/null | grep '^bad ' >"$T/bad"
in_ns "$BLAST" fd00::10 1179 0 --as 65000 --peer-as 65000 --id 10.0.0.8 \
    --from fd00::11 --send-table "$T/bad" >"$T/bad.out" 2>&1
nkept=$(awk '$3 != "reset"' "$T/bad" | wc -l)
nwithdraw=$(awk '$3 == "withdraw"' "$T/bad" | wc -l)
ndiscard=$(awk '$3 == "discard"' "$T/bad" | wc -l)
counters=$(ctl X -j show bgp | jq -c '.neighbors[0].counters')
if grep -qx "kept $nkept" "$T/bad.out" &&
    [ "$(echo "$counters" | jq .treat_as_withdraw)" = "$nwithdraw" ] &&
    [ "$(echo "$counters" | jq .attribute_discard)" = "$ndiscard" ]; then
	pass "malformed UPDATEs: $nkept kept the session ($nwithdraw treat-as-withdraw, $ndiscard attribute discard, as counted by X)"
else
	fail "malformed UPDATEs that keep the session: $(head -1 "$T/bad.out"); X counted $counters"
fi
# reset cases: the NOTIFICATION named in the table; a message cut short
# inside its header is waited for (the hold timer ends that session)
wrong=0
nreset=0
while read -r _ name _ code sub hex _; do
	nreset=$((nreset + 1))
	if [ ${#hex} -lt 38 ]; then want="case $name no-answer"
	else want="case $name notification $code $sub"; fi
	grep -qx "$want" "$T/bad.out" || { wrong=$((wrong + 1)); echo "# want '$want': $(grep "^case $name " "$T/bad.out")"; }
done <<EOF
$(awk '$3 == "reset"' "$T/bad")
EOF
if [ $wrong -eq 0 ] && [ $nreset -gt 20 ]; then
	pass "malformed messages that reset: $nreset sessions, each got the NOTIFICATION of the table (e.g. $(grep -m1 'nlri' "$T/bad.out"))"
else
	fail "$wrong of $nreset reset cases answered otherwise"
fi
# A slow reader on a passive session: X's writes block (a small send
# buffer in the namespace, a small window at the reader), and every route
# must still arrive.
R='"cmd":"bgp","what":"route","action":"add","family":"ipv6-mup"'
seq 1 4096 | sed "s/.*/{$R,\"type\":\"t2st\",\"rd\":\"65000:998\",\"endpoint\":\"2001:db8:98::1\",\"teid\":&,\"rt\":[\"65000:998\"],\"cs_id\":1,\"cis_id\":2}/" |
    raw X >/dev/null
if out=$(in_ns "$BLAST" fd00::10 1179 0 --as 65000 --peer-as 65000 \
    --id 10.0.0.8 --from fd00::11 --expect-routes 4096 --rcvbuf 2048 \
    --timeout 20); then
	pass "a passive session whose writes block still delivers: $out of 4096 routes"
else
	fail "a passive session stalled on a blocked write: $out of 4096 routes"
fi

if kill -0 "$PID_X" 2>/dev/null && ctl X show bgp >/dev/null; then
	pass "catsd X still running after $(wc -l <"$T/bad") malformed messages: $(ctl X -j show bgp | jq -c '.neighbors[0].counters | {established, notifications_sent, rfc7606}')"
else
	fail "catsd X died:"; tail -20 "$T/X.log"
fi

for n in A K B C L X; do
	eval "pid=\$PID_$n"
	kill "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	if [ $rc -eq 0 ]; then
		pass "catsd $n stopped cleanly"
	else
		fail "catsd $n exited $rc:"; tail -30 "$T/$n.log"
	fi
done

check_done "bgp"
