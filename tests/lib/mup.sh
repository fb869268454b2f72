# tests/lib/mup.sh: a CATS-MUP network in namespaces, for the shell tests
# that run catsd speakers against gobgpd as route reflector (mup-fault.sh,
# mup-agents.sh).  Sourced (POSIX sh, set -u) from the project's
# directory, after setting MUP_TAG (a short prefix for the namespaces)
# and, if wanted, MUP_KEEP (the name of the copy KEEP=1 keeps, MUP_TAG
# unless said), MUP_HOLD (every speaker's hold time, 9 s unless said),
# MUP_NEEDS (more programs of the build that must be there, by name) and
# GOBGP_HOLD (gobgpd's hold time, tests/lib/gobgp.sh's):
#
#   site PE A (fd00::a) ----+
#   site PE B (fd00::b) ----+-- br0 + gobgpd RR (fd00::100)
#   RAN PE R (fd00::e) -----+
#   controller K (fd00::d) -+
#
# It checks root, ip netns and the build (exit 77, or 1 for a program
# missing), makes $T and the trap that removes everything on exit (KEEP=1
# keeps $T in /tmp/$MUP_KEEP-keep), sources tests/lib/netns.sh (x, in_ns,
# ctl, start_node, wait_sock, stop_nodes, and tests/lib/check.sh) and
# tests/lib/gobgp.sh (exit 77 without gobgpd, gobgp or jq), and defines:
#
#   addr_of N               N's core address
#   mup_topology [SYSCTL...] the namespaces of NODES on the reflector's
#                           bridge (SYSCTLs: more sysctl -w settings)
#   mup_gobgp PORT          gobgpd, every node a client, API on PORT
#   speaker N RID MUP-JSON [MORE-JSON]
#                           N's configuration in $T/N.json (one session to
#                           the reflector, MORE-JSON: more top-level keys),
#                           checked with catsd -n when MUP_CHECK_CONF=1,
#                           then catsd started (PID_N)
#   established N           (predicate) N's session is Established
#   mup_established TEXT    the check: every node's session up within 20 s
#   steers FILTER           (predicate) a steering at R matches jq's FILTER
#   session_up TEID CS-ID   K's T2ST for session TEID (100N: endpoint
#                           fd00:5::N) of service CS-ID at RAN 0
#   steered SECONDS TEID CIS-ID
#                           (predicate) up to SECONDS for R to steer TEID
#                           to CIS-ID
# Names of the helpers' own variables start with _mp.
B=${CATSD_BUILD:-$PWD/build/san}
CATSD=$B/catsd
CTL=$B/catsctl
MUP_HOLD=${MUP_HOLD:-9}
NODES="A B R K"

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
for _mp_p in catsd catsctl ${MUP_NEEDS:-}; do
	[ -x "$B/$_mp_p" ] || { echo "no $B/$_mp_p"; exit 1; }
done
P=$MUP_TAG$$
ip netns add "${P}RR" 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
T=$(mktemp -d) || { ip netns del "${P}RR"; exit 1; }
PIDS=""
. tests/lib/netns.sh
# shellcheck disable=SC2086
netns_traps "${MUP_KEEP:-$MUP_TAG}" RR $NODES
# shellcheck disable=SC2034 # read by tests/lib/gobgp.sh
GOBGP_NETNS=${P}RR
. tests/lib/gobgp.sh	# exits 77 without gobgpd, gobgp, jq

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

addr_of() { case $1 in A) echo fd00::a;; B) echo fd00::b;; R) echo fd00::e;; K) echo fd00::d;; esac; }

mup_topology() {
	x RR link set lo up
	x RR link add br0 type bridge
	x RR addr add fd00::100/64 dev br0 nodad
	x RR link set br0 up
	for _mp_n in $NODES; do
		ip netns add "$P$_mp_n" || exit 1
		x "$_mp_n" link set lo up
		in_ns "$_mp_n" sysctl -qw "$@" net.ipv6.conf.all.accept_dad=0 \
		    net.ipv6.conf.default.accept_dad=0 >/dev/null
		ip link add core0 netns "$P$_mp_n" type veth peer name "c$_mp_n" netns "${P}RR"
		x RR link set "c$_mp_n" master br0 up
		x "$_mp_n" addr add "$(addr_of "$_mp_n")/64" dev core0 nodad
		x "$_mp_n" link set core0 up
	done
}

mup_gobgp() {
	for _mp_n in $NODES; do gobgp_neighbor "$(addr_of "$_mp_n")" 65000 ""; done
	gobgp_start "$T/gobgp" 179 "$1" 65000 10.0.0.100 "" || exit 1
}

speaker() {
	_mp_a=$(addr_of "$1")
	cat >"$T/$1.json" <<EOJ
{ "node": { "name": "$1", "address": "$_mp_a", "roles": ["locator"] },
  "control": "$T/$1.sock", "log": { "level": "debug" },
  "bgp": { "asn": 65000, "router_id": "$2", "hold_time": $MUP_HOLD,
    "connect_retry_ms": 1000,
    "neighbors": [ { "name": "rr", "address": "fd00::100",
      "local_address": "$_mp_a", "asn": 65000, "families": ["ipv6-mup"] } ] },
  "mup": $3 ${4:-} }
EOJ
	if [ "${MUP_CHECK_CONF:-0}" -eq 1 ]; then
		if in_ns "$1" "$CATSD" -n -f "$T/$1.json" >"$T/$1.canon" 2>"$T/$1.err"; then
			pass "catsd -n accepts $1's configuration"
		else
			fail "catsd -n $1: $(cat "$T/$1.err")"
		fi
	fi
	start_node "$1"
}

established() { json_ok '.neighbors[0].state | ascii_downcase == "established"' ctl "$1" -j show bgp; }
mup_established() {
	_mp_up=0
	for _mp_n in $NODES; do wait_for 20 established "$_mp_n" || _mp_up=1; done
	if [ $_mp_up -eq 0 ]; then
		pass "$1"
	else
		fail "sessions: $(for _mp_n in $NODES; do ctl "$_mp_n" -j show bgp | jq -c '.neighbors[0].state'; done)"
	fi
}

steers() { json_ok "any(.steering[]; $1)" ctl R -j show mup; }
session_up() { ctl K mup session up "$1" endpoint "fd00:5::$(($1 - 1000))" cs-id "$2" ran 0 >/dev/null; }
steered() { wait_for "$1" steers ".teid == $2 and .cis_id == $3"; }
