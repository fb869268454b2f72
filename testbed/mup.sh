#!/bin/sh
# testbed/mup.sh: CATS-MUP on real sockets and the kernel's SRv6 data plane
# (docs/mup.md).  In one network namespace: gobgpd as route reflector with
# TCP MD5, and five catsd speakers: site PEs A (instance S1A) and B (S1B),
# the CATS-MUP controller K (centralized C-PS), and RAN PEs R1 and R2, each
# programming the kernel (its own routing table).  Site A is 2 ms from R1
# and 8 ms from R2, site B the other way round.
#
# The story, through catsctl (the mobility management system and the
# sites' metric agents), with each RAN PE's kernel route after each step:
#   1. a session on R1: K picks S1A (figure 3, steps 1-5)
#   2. site A overloads: K moves the session to S1B (figure 3, steps 6-9)
#   3. site A recovers: back to S1A
#   4. the UE moves to R2, and its service is stateful: R2 keeps S1A
#      (figure 4, step 3a) and R1 forgets the session
#   5. its state has migrated: R2 goes to the optimum from there, S1B
#      (figure 4, steps 3-5)
# Exit 0 when every step ended as the figure says; 77 without root, ip
# netns, gobgpd, gobgp or jq.  MUP_OUT (default build/demo/mup) keeps the
# logs and the configurations.
set -u
cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
CATSD=$O/catsd
CTL=$O/catsctl
OUT=${MUP_OUT:-$O/demo/mup}

[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root"; exit 77; }
for p in "$CATSD" "$CTL"; do
	[ -x "$p" ] || { echo "no $p (make first)"; exit 1; }
done
NS=mupdemo$$
ip netns add "$NS" 2>/dev/null || { echo "skipped: ip netns unavailable"; exit 77; }
PIDS=""
cleanup() {
	for pid in $PIDS; do kill "$pid" 2>/dev/null; done
	for pid in $PIDS; do wait "$pid" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_NETNS=$NS
. tests/lib/gobgp.sh	# exits 77 without gobgpd, gobgp, jq; sources check.sh
rm -rf "$OUT"
mkdir -p "$OUT" || exit 1

in_ns() { ip netns exec "$NS" "$@"; }
ctl() { _n=$1; shift; in_ns "$CTL" -s "$OUT/$_n.sock" "$@"; }
t0=$(date +%s%N)
say() { printf '%6s ms  %s\n' $(( ($(date +%s%N) - t0) / 1000000 )) "$*"; }

in_ns ip link set lo up
for a in 100 a b c 1 2; do
	in_ns ip -6 addr add "fd00::$a/128" dev lo nodad
done
in_ns ip link add core0 type veth peer name core1
in_ns ip link set core0 up
in_ns ip link set core1 up

# The BGP sessions in $OUT/bgp.pcap, for the Wireshark dissector
# (docs/wireshark.md): make demo shows what it reads there.
CAP=""
if command -v dumpcap >/dev/null 2>&1; then
	ip netns exec "$NS" dumpcap -q -i lo -f "tcp port 179" \
	    -w "$OUT/bgp.pcap" >"$OUT/dumpcap.log" 2>&1 &
	CAP=$!
	PIDS="$PIDS $CAP"
	wait_for 10 grep -q "Capturing on" "$OUT/dumpcap.log" ||
	    echo "(no BGP capture: $(cat "$OUT/dumpcap.log"))"
fi

# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_HOLD=9
for n in a b c 1 2; do
	gobgp_neighbor "fd00::$n" 65000 "mup-$n"
done
gobgp_start "$OUT/gobgp" 179 50081 65000 10.0.0.100 "" || exit 1

# speaker NAME ADDR ROUTER-ID SIGNALING-PORT MUP-JSON [MORE-JSON]
speaker() {
	cat >"$OUT/$1.json" <<EOF
{ "node": { "name": "$1", "address": "$2", "roles": ["locator"] },
  "control": "$OUT/$1.sock", "log": { "level": "info" },
  "signaling": { "port": $4 },
  "bgp": { "asn": 65000, "router_id": "$3", "hold_time": 9,
    "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100",
      "local_address": "$2", "asn": 65000, "password": "mup-${2#fd00::}",
      "families": ["ipv6-mup"] } ] },
  "mup": $5 ${6:-} }
EOF
	# Not through in_ns: a function run in the background is a subshell,
	# and its pid is not catsd's.
	ip netns exec "$NS" "$CATSD" -d -f "$OUT/$1.json" >"$OUT/$1.log" 2>&1 &
	PIDS="$PIDS $!"
}
# A site's metrics change within seconds here: the damping floor (30 s by
# default, draft-dcn-dmm-cats-mup section 3) is off.
site() {
	speaker "$1" "$2" "$3" "$4" "{ \"roles\": [\"site-pe\"], \"mode\": \"central\",
  \"address\": \"$2\", \"instances\": [ { \"cs_id\": 1, \"cis_id\": $5,
  \"sid\": \"$6\", \"behavior\": 18, \"capacity\": 1000 } ],
  \"damping\": { \"min_interval_ms\": 0 } }"
}
ran() {
	speaker "$1" "$2" "$3" "$4" "{ \"roles\": [\"ran-pe\"], \"mode\": \"central\",
  \"address\": \"$2\", \"ran_index\": $5 }" ", \"dataplane\": { \"backend\":
  \"${CATS_BACKEND:-auto}\", \"sid\": \"fc00:$6::\", \"core_interface\": \"core0\",
  \"table\": $7 }"
}
site A fd00::a 10.0.0.1 15501 11 fc00:a:1::
site B fd00::b 10.0.0.2 15502 12 fc00:b:1::
speaker K fd00::c 10.0.0.3 15503 '{ "roles": ["controller"], "mode": "central",
  "address": "fd00::c", "rans": ["fd00::1", "fd00::2"], "paths": [
  { "ran": "fd00::1", "site": "fd00::a", "owd_ns": 2000000 },
  { "ran": "fd00::1", "site": "fd00::b", "owd_ns": 8000000 },
  { "ran": "fd00::2", "site": "fd00::a", "owd_ns": 8000000 },
  { "ran": "fd00::2", "site": "fd00::b", "owd_ns": 2000000 } ] }'
ran R1 fd00::1 10.0.0.11 15504 0 e1 101
ran R2 fd00::2 10.0.0.12 15505 1 e2 102

# (json_ok, tests/lib/check.sh: a catsd that does not answer is not up)
up() { json_ok '.neighbors[0].state == "Established"' ctl "$1" -j show bgp; }
for n in A B K R1 R2; do
	wait_for 10 up "$n" || { echo "catsd $n did not come up:"; tail "$OUT/$n.log"; exit 1; }
done
say "gobgpd route reflector and five catsd speakers Established (TCP MD5)"

# kernel TABLE: a RAN PE's route for the session's endpoint in its table
# (R1 101, R2 102), whichever data plane holds it, or "none"
. tests/lib/dp.sh
kernel() {
	# a RAN PE that does not answer is "no-answer", never "none"
	_rr=$(dp_routes "$NS" "$OUT/R$(($1 - 100)).sock" 2>/dev/null) ||
	    { echo no-answer; return; }
	_r=$(printf '%s\n' "$_rr" | grep '^fd00:5::1 .*table '"$1" | dp_segment)
	echo "${_r:-none}"
}
# expect R1-SID R2-SID STEP: wait (5 s at most) until the kernel says so
failed=0
kernels_are() { [ "$(kernel 101)" = "$1" ] && [ "$(kernel 102)" = "$2" ]; }
expect() {
	wait_for 5 kernels_are "$1" "$2"
	if [ "$(kernel 101)" = "$1" ] && [ "$(kernel 102)" = "$2" ]; then
		say "   R1 kernel: $(kernel 101)   R2 kernel: $(kernel 102)   ($3)"
	else
		say "   R1 kernel: $(kernel 101)   R2 kernel: $(kernel 102)   NOT as $3 (want $1 / $2)"
		failed=1
	fi
}
# cmus: K has the CMU routes of both sites
cmus() {
	json_ok '[.routes[] | select(.attributes.cats.kind == "cmu")] | length == 2' \
	    ctl K -j show bgp routes
}
metric() { ctl "$1" mup metric "$2" util="$3" proc_delay_ns=2000000 >/dev/null; }

metric A 11 0.2
metric B 12 0.3
wait_for 5 cmus || { echo "K has no CMU of both sites"; exit 1; }
say "sites A and B report their load (CMU routes to K): util 0.2 and 0.3"
ctl K mup session up 100 endpoint fd00:5::1 cs-id 1 ran 0 >/dev/null
say "1. session 100 comes up on R1"
expect fc00:a:1:: none "figure 3: K chose S1A, R1 steers to site A"
metric A 11 0.97
say "2. site A overloads (util 0.97)"
expect fc00:b:1:: none "figure 3 steps 6-9: K moved the session to S1B"
metric A 11 0.2
say "3. site A recovers (util 0.2)"
expect fc00:a:1:: none "back to S1A, nearer R1"
ctl K mup session move 100 endpoint fd00:5::1 cs-id 1 ran 1 sticky >/dev/null
say "4. the UE moves to R2; its state is still at site A"
expect none fc00:a:1:: "figure 4 step 3a: R2 keeps S1A, R1 forgot the session"
ctl K mup session release 100 >/dev/null
say "5. the state has migrated (session released)"
expect none fc00:b:1:: "figure 4 steps 3-5: R2 goes to S1B, nearer R2"
ctl R2 show mup >"$OUT/R2.mup"
ctl K -j show bgp routes >"$OUT/K.routes"
# the capture's end is written when dumpcap stops
[ -z "$CAP" ] || stop_pids 3 "$CAP"
if [ $failed -eq 0 ]; then
	say "every step as the figures say (logs and configurations in $OUT/)"
	exit 0
fi
say "some step did not end as the figure says (logs in $OUT/)"
exit 1
