#!/bin/sh
# The load test of issue [11]: 100 000 signaling messages a second for 30 s
# against an ingress serving active clients.
#
# The domain of tests/lib/domain.sh, every peer keyed, and a namespace F on
# the core bridge holding two flooders that ingress1 knows as keyed ingress
# peers ("flooder" and "flooder2", each with a quota of LOAD_QUOTA
# sessions).  Two bench/mh_flood.c processes send from F, half of LOAD_RATE
# a second each for LOAD_SECONDS (one process's sending, and the kernel's
# receive path it runs, is most of a core at the full rate: two spread
# over the machine's cores), a mix of four sorts: mob-notifys
# signed with a flooder's key (valid: only ingress1's limits stop them),
# the same signed with a wrong key under egress1's address (forged),
# random octets (malformed) and unsigned mob-notifys from an address that
# is no peer (stranger).  Meanwhile a client transacts through ingress1's
# tunnel and a new client sets up through signaling, catsd's resident
# memory is sampled, and the control socket is asked for its counters
# every 200 ms.  Then:
#   - the clients lost no result, and the new client's session came up;
#   - ingress1's resident memory stayed under LOAD_RSS_MB;
#   - every control answer came within 100 ms;
#   - the counters add up: every datagram the flood sent is either counted
#     by catsd (from the flooder, from strangers, refused under egress1's
#     name) or dropped by the kernel (SO_RXQ_OVFL), and the kernel's own
#     count of the socket's drops (Udp6RcvbufErrors) agrees; each sort is
#     seen where it should be (rate-limited, peer-limit, bad-auth,
#     malformed, not-a-peer);
#   - the legitimate peers were refused nothing.
# The release build runs: the figures are the daemon's, not the
# sanitizers'.  Needs root and ip netns; exits 77 otherwise.
DOMAIN_TAG=ld
CATSD_BUILD=${CATSD_BUILD:-$PWD/build}
. "$(dirname "$0")/../lib/domain.sh"
FLOOD=$PWD/build/mh-flood
[ -x "$FLOOD" ] || { echo "no $FLOOD (make build/mh-flood)"; exit 1; }
LOAD_RATE=${LOAD_RATE:-100000}
LOAD_SECONDS=${LOAD_SECONDS:-30}
LOAD_QUOTA=${LOAD_QUOTA:-20000}
LOAD_RSS_MB=${LOAD_RSS_MB:-64}

HEX=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
HEXF=f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f
HEXF2=e0e1e2e3e4e5e6e7e8e9eaebecedeeef000102030405060708090a0b0c0d0e0f
AUTH="[ { \"spi\": 256, \"key\": \"$HEX\" } ]"
peer_extra() { printf ', "auth": %s' "$AUTH"; }
FLOODER=2001:db8:ff::99
FLOODER2=2001:db8:ff::97
STRANGER=2001:db8:ff::98
configure_all
# ingress1 knows the flooders: keyed ingress peers with small quotas
jq --arg a "$FLOODER" --arg k "$HEXF" --arg a2 "$FLOODER2" --arg k2 "$HEXF2" \
    --argjson q "$LOAD_QUOTA" \
    '.peers += [{ name: "flooder", address: $a, roles: ["ingress"],
      auth: [{ spi: 300, key: $k }],
      limits: { per_peer: $q, rate: 10000, burst: 10000 } },
      { name: "flooder2", address: $a2, roles: ["ingress"],
      auth: [{ spi: 301, key: $k2 }],
      limits: { per_peer: $q, rate: 10000, burst: 10000 } }] |
     .log.level = "info" | .timers.heartbeat_ms = 0' \
    "$T/I1.json" >"$T/I1.new" && mv "$T/I1.new" "$T/I1.json"
check_json "catsd -n takes ingress1 with the flooders as peers" \
    '[.peers[] | select(.name | startswith("flooder"))] | length == 2' \
    in_ns I1 "$CATSD" -n -f "$T/I1.json"

# the flooder's namespace, on the core bridge
NSS="$NSS F"
NETNS_ALL="$NETNS_ALL F"	# deleted on exit with the others (netns.sh)
ip netns add "${P}F" || exit 1
x F link set lo up
ip link add core0 netns "${P}F" type veth peer name cF netns "${P}B"
x B link set cF master br0 up
x F addr add "$FLOODER/64" dev core0 nodad
x F addr add "$FLOODER2/64" dev core0 nodad
x F link set core0 up

start_domain
set_metrics
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01 ||
    fail "no steering for the client before the flood: $(dproutes I1)"

# ---------------------------------------------------------------- baseline
# the control socket is a file: no need to enter the namespace (ip netns
# exec costs more than the answer)
ctl1() { "$CTL" -s "$T/I1.sock" "$@"; }
counters() { ctl1 -j show counters; }
snmp() { in_ns I1 awk -v k="$1" '$1 == k { print $2 }' /proc/net/snmp6; }
counters >"$T/c0.json" || fail "no counters before the flood"
for n in I2 E1 E2 K; do
	ctl "$n" -j show counters >"$T/$n.c0.json" || fail "no counters of $n"
done
rcvbuf0=$(snmp Udp6RcvbufErrors)
# what ingress1 takes in while nobody floods (its peers' signaling), to
# tell apart from the flood
# shellcheck disable=SC2034
pid_I1=$PID_I1

# ---------------------------------------------------------------- the load
# a client transacting through the tunnel for the whole flood
in_ns C timeout $((LOAD_SECONDS + 30)) "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --tx 1 --count $((LOAD_SECONDS * 10 + 20)) --interval 100 --timeout 20000 \
    --retry 500 >"$T/client.out" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"
# resident memory, every 500 ms
( i=0; while [ $i -lt $((LOAD_SECONDS * 2 + 10)) ]; do
	awk '/^VmRSS/ { print $2 }' "/proc/$PID_I1/status" 2>/dev/null || break
	sleep 0.5	# lint: sleep-ok: a sampling interval
	i=$((i + 1))
done >"$T/rss" ) &
RPID=$!
PIDS="$PIDS $RPID"
# the control socket, every 200 ms: milliseconds per answer, or "fail"
( i=0; while [ $i -lt $((LOAD_SECONDS * 5 + 10)) ]; do
	t0=$(date +%s%N)
	if ctl1 -j show counters >/dev/null 2>&1; then
		echo $((($(date +%s%N) - t0) / 1000000))
	else
		echo fail
	fi
	sleep 0.2	# lint: sleep-ok: a sampling interval
	i=$((i + 1))
done >"$T/ctl" ) &
KPID=$!
PIDS="$PIDS $KPID"

in_ns F "$FLOOD" --to "$CORE_I1" --peer "$FLOODER" --key "300:$HEXF" \
    --forge "$CORE_E1" --forge-spi 256 --stranger "$STRANGER" \
    --egress "$CORE_E1" --service video.cats --clients 2001:db8:f00d:: \
    --rate $((LOAD_RATE / 2)) --seconds "$LOAD_SECONDS" >"$T/flood1.out" 2>&1 &
FPID=$!
in_ns F "$FLOOD" --to "$CORE_I1" --peer "$FLOODER2" --key "301:$HEXF2" \
    --forge "$CORE_E1" --forge-spi 256 --stranger "$STRANGER" \
    --egress "$CORE_E1" --service video.cats --clients 2001:db8:f00e:: \
    --rate $((LOAD_RATE / 2)) --seconds "$LOAD_SECONDS" >"$T/flood2.out" 2>&1 &
FPID2=$!
PIDS="$PIDS $FPID $FPID2"
# halfway through, a new client sets up through signaling
sleep $((LOAD_SECONDS / 2))	# lint: sleep-ok: the middle of the flood
if attach_request I1 2001:db8:a::11 02:00:5e:10:00:02; then
	pass "a new client set up during the flood"
else
	fail "no set-up during the flood: $(ctl I1 show sessions | head -5)"
fi
wait_pid "$FPID" $((LOAD_SECONDS + 30)) || fail "mh-flood 1 did not finish"
wait_pid "$FPID2" $((LOAD_SECONDS + 30)) || fail "mh-flood 2 did not finish"
echo "flood 1: $(cat "$T/flood1.out")"
echo "flood 2: $(cat "$T/flood2.out")"
wait_pid "$KPID" 30
wait_pid "$RPID" 30

# ---------------------------------------------------------------- results
# kv KEY FILE: mh-flood's figure KEY, its integer part
kv() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$2"; }
sent=$(($(kv sent "$T/flood1.out") + $(kv sent "$T/flood2.out")))
rate=$(($(kv rate "$T/flood1.out") + $(kv rate "$T/flood2.out")))
if [ "$rate" -ge $((LOAD_RATE * 95 / 100)) ]; then
	pass "the flood ran at $rate messages/s for $(kv seconds "$T/flood1.out") s ($sent sent)"
else
	fail "the flood fell short of $LOAD_RATE/s: $rate/s"
fi
if wait_pid "$CPID" 40 && grep -q "missing=0 duplicated=0" "$T/client.out"; then
	pass "the transacting client lost no result: $(tail -n 1 "$T/client.out")"
else
	fail "client: $(tail -n 3 "$T/client.out")"
fi
maxrss=$(sort -n "$T/rss" | tail -n 1)
if [ -n "$maxrss" ] && [ "$maxrss" -lt $((LOAD_RSS_MB * 1024)) ]; then
	pass "ingress1's resident memory peaked at $((maxrss / 1024)) MiB (bound $LOAD_RSS_MB MiB; $(wc -l <"$T/rss") samples)"
else
	fail "resident memory: ${maxrss:-none} kB (bound $LOAD_RSS_MB MiB)"
fi
nctl=$(wc -l <"$T/ctl")
worst=$(grep -v fail "$T/ctl" | sort -n | tail -n 1)
if [ "$nctl" -gt $((LOAD_SECONDS * 3)) ] && ! grep -q fail "$T/ctl" &&
    [ "${worst:-1000}" -le 100 ]; then
	pass "the control socket answered $nctl times, the slowest in $worst ms (catsctl's start included)"
else
	fail "control socket: $nctl answers, slowest ${worst:-none} ms, $(grep -c fail "$T/ctl") failed"
fi

# a last datagram brings the kernel's drop count up to date (SO_RXQ_OVFL
# comes with a datagram): a stranger's, counted as such
in_ns F "$FLOOD" --to "$CORE_I1" --peer "$FLOODER" --key "300:$HEXF" \
    --forge "$CORE_E1" --stranger "$STRANGER" --egress "$CORE_E1" \
    --service video.cats --clients 2001:db8:f00d:: --mix 0,0,0,1 --count 1 \
    --seconds 5 >"$T/last.out" 2>&1 || fail "the last datagram: $(cat "$T/last.out")"
sent=$((sent + 1))
# (the control socket's own counters move with every question)
rx_now() { counters | jq -c '[.rx, .kernel_dropped]'; }
settled() {
	_r1=$(rx_now) && sleep 0.2 && _r2=$(rx_now) && [ "$_r1" = "$_r2" ]	# lint: sleep-ok: two looks 200 ms apart
}
wait_for 10 settled || fail "ingress1's counters still moving"
counters >"$T/c1.json" || fail "no counters after the flood"
rcvbuf1=$(snmp Udp6RcvbufErrors)
# Δ of a counter between the two snapshots: jq path
d() {
	jq -n --slurpfile a "$T/c0.json" --slurpfile b "$T/c1.json" \
	    "(\$b[0] | $1 // 0) - (\$a[0] | $1 // 0)"
}
# what the peers sent ingress1 meanwhile (the new client's set-up)
legit=0
for n in I2 E1 E2 K; do
	ctl "$n" -j show counters >"$T/$n.c1.json" || fail "no counters of $n"
	legit=$((legit + $(jq -n --slurpfile a "$T/$n.c0.json" \
	    --slurpfile b "$T/$n.c1.json" \
	    '($b[0].tx_by_peer.ingress1 // 0) - ($a[0].tx_by_peer.ingress1 // 0)')))
done
rx=$(d '.rx')
from_flooder=$(($(d '.rx_by_peer.flooder') + $(d '.rx_by_peer.flooder2')))
from_strangers=$(d '.rx_not_a_peer')
forged=$(d '.refused_by_peer.egress1')
kdrop=$(d '.kernel_dropped')
sdrop=$(d '.socket_dropped')
echo "ingress1: rx $rx (from the flooders $from_flooder, from strangers $from_strangers, refused under egress1's name $forged), kernel dropped $kdrop, socket dropped $sdrop; its peers sent it $legit"
if [ $((rx + kdrop + sdrop)) -eq $((sent + legit)) ]; then
	pass "the counters add up: received $rx + kernel dropped $kdrop + socket dropped $sdrop = the flood's $sent + the peers' $legit"
else
	fail "the counters do not add up: $rx + $kdrop + $sdrop received, $sent + $legit sent"
	jq -c '{rx, rx_by_peer, rx_not_a_peer, refused_by_peer, dropped, kernel_dropped, socket_dropped}' "$T/c1.json"
fi
# the flood's own: what catsd saw of each sort, the rest the kernel's
seen=$((from_flooder + from_strangers + forged))
if [ "$seen" -le "$sent" ] && [ $((sent - seen)) -le "$kdrop" ]; then
	pass "the flood: $seen seen by catsd, $((sent - seen)) of the kernel's $kdrop drops"
else
	fail "the flood: $seen seen of $sent sent, the kernel dropped $kdrop"
fi
if [ $((rcvbuf1 - rcvbuf0)) -eq "$kdrop" ]; then
	pass "catsd's kernel_dropped agrees with the kernel's Udp6RcvbufErrors ($kdrop)"
else
	fail "kernel_dropped $kdrop, Udp6RcvbufErrors $((rcvbuf1 - rcvbuf0))"
fi
for r in rate-limited peer-limit bad-auth not-a-peer malformed; do
	n=$(d ".dropped[\"$r\"]")
	if [ "$n" -gt 0 ]; then
		pass "the flood is seen as $r: $n"
	else
		fail "nothing counted as $r"
	fi
done
check_json "each flooder holds sessions here, no more than its quota" \
    "[.peers[] | select(.name | startswith(\"flooder\")) | .limits.held.sessions | numbers | select(. > 0 and . <= $LOAD_QUOTA)] | length == 2" \
    ctl I1 -j show peers
# the real peers lost nothing at ingress1: egress1's name was forged
# three quarters of a million times, yet its rate is its own (a keyed
# peer is charged only once its authenticator verifies)
check_json "ingress1 limited none of its real peers, egress1 included" \
    '[.peers[] | select(.name | startswith("flooder") | not) | .limits | select(.rate_limited == 0 and .quota_refused == 0)] | length == 4' \
    ctl I1 -j show peers
for n in I2 E1 E2 K; do
	check_json "$(name_of "$n") refused and limited nothing of its peers" \
	    '([.refused_by_peer // {} | .[]] | add // 0) == 0 and (.dropped["rate-limited"] // 0) == 0 and (.dropped["peer-limit"] // 0) == 0' \
	    ctl "$n" -j show counters
done
stop_nodes
check_done "load"
