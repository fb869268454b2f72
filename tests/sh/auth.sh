#!/bin/sh
# Authenticated signaling and replay protection through real catsd
# (docs/catsd.md "Authentication and replay", docs/wire.md 6.1), in the
# domain of tests/sh/catsd.sh (tests/lib/domain.sh), every pair of nodes
# sharing a key; the controller is the locator too, so that loc-register
# and loc-query have a receiver.  With a client's session established and
# its results flowing, every kind a node takes from a peer is sent to it
# by catsctl (pkt encode [--key], pkt send --udp) from the peer's own
# namespace:
#   (a) unsigned                     -> no-auth
#   (b) signed with a wrong key      -> bad-auth; an SPI not configured
#                                       -> unknown-spi
#   (c) a sequence number the peer used, other octets, a timestamp not
#       newer                        -> replay (the same octets again are a
#                                       retransmission: duplicate)
#   (d) signed, a minute old         -> timestamp-out-of-window
#   (e) from the client's address (not a peer), signed with the key:
#       not-a-peer; the peer's signed message from another peer's address
#       (its checksum made good for that source): bad-auth, the MAC
#       covers the source
# None changes a session, binding or record (catsctl show sessions at
# every node) or the data plane (dproutes), and each is counted under its
# reason (show counters "dropped"), exactly.  Then a key rollover as
# docs/catsd.md describes (add a second key on both ends, SIGHUP; send
# with it, SIGHUP; remove the first, SIGHUP) while the client's
# transaction runs: no refusal, new sessions set up at each step, the
# client loses nothing, and the old key is refused (unknown-spi).
# Needs root and ip netns; exits 77 otherwise.
DOMAIN_TAG=au
. "$(dirname "$0")/../lib/domain.sh"

HEX1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
HEX2=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
HEXBAD=0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100
KEY1=256:$HEX1
KEY2=257:$HEX2
# the keys every peer lists (docs/config.md peers[].auth); rewritten for
# the rollover
AUTH="[ { \"spi\": 256, \"key\": \"$HEX1\" } ]"

roles_of() { case $1 in I*) echo '"ingress"';; E*) echo '"egress"';; K) echo '"controller", "locator"';; esac; }
# every peer with the shared keys
peer_extra() { printf ', "auth": %s' "$AUTH"; }
configure_all
# The attacks below sign messages with a peer's own key from its address:
# the real peer must stay quiet meanwhile, or its numbers and the test's
# would move the same window.  No heartbeats (engine.md 7) here.
for n in $NODES; do
	jq '.timers.heartbeat_ms = 0' "$T/$n.json" >"$T/$n.new" &&
	    mv "$T/$n.new" "$T/$n.json"
done
check_json "catsd -n prints the keys of every peer" \
    '[.peers[] | .auth[0].spi == 256] | length == 4 and all' \
    in_ns I1 "$CATSD" -n -f "$T/I1.json"

start_domain
set_metrics

# ---------------------------------------------------------------- session
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01
check_json "the session is established over signed signaling" \
    '[.sessions[] | select(.client == "2001:db8:a::10") | .state == "established"] | any' \
    ctl I1 -j show sessions
if in_ns C timeout 20 "$CLIENT" --to "[2001:db8:cafe::1]:7000" --tx 1 \
    --count 30 --interval 10 --timeout 15000 --retry 500 >"$T/client.out" 2>&1 &&
    grep -q "missing=0 duplicated=0" "$T/client.out"; then
	pass "results flow: $(cat "$T/client.out")"
else
	fail "client: $(cat "$T/client.out")"
fi
AUTHDROPS='["no-auth","bad-auth","unknown-spi","replay","no-timestamp","timestamp-out-of-window"]'
for n in $NODES; do
	check_json "$(name_of "$n") refused nothing of its peers' signaling" \
	    "[.dropped[${AUTHDROPS}[]] // 0] | add == 0" ctl "$n" -j show counters
done

# ---------------------------------------------------------------- attacks
# What must not change: every node's sessions, bindings and records, every
# data plane's routes, and their expiries: show sessions gives them from
# now (expires_in_ms), so each is taken as a deadline on the test's clock,
# "expires_at", and the comparison allows for the time the two looks take
# (a refresh would move a deadline by the lifetime, minutes).
now_ms() { echo $(($(date +%s%N) / 1000000)); }
snapshot() {
	for n in $NODES; do
		ctl "$n" -j show sessions | jq -S -c --argjson t "$(now_ms)" \
		    '.sessions | map(if .expires_in_ms then
		      .expires_at = $t + .expires_in_ms | del(.expires_in_ms)
		      else . end) | sort_by(.client, .role)' ||
		    echo "$n: no answer"
	done
	for n in I1 I2 E1 E2; do dproutes "$n" | sort || echo "$n: no routes"; done
}
# same NOW THEN: two snapshots alike, deadlines within 1 s of each other
same() {
	_sa=$(printf '%s\n' "$1" | sed 's/"expires_at":[0-9]*/"expires_at":X/g')
	_sb=$(printf '%s\n' "$2" | sed 's/"expires_at":[0-9]*/"expires_at":X/g')
	[ "$_sa" = "$_sb" ] || return 1
	printf '%s\n' "$1" | grep -o '"expires_at":[0-9]*' | cut -d: -f2 >"$T/exp.a"
	printf '%s\n' "$2" | grep -o '"expires_at":[0-9]*' | cut -d: -f2 >"$T/exp.b"
	paste -d' ' "$T/exp.a" "$T/exp.b" |
	    awk '{ d = $1 - $2; if (d < -1000 || d > 1000) bad = 1 } END { exit bad }'
}

# addr NODE|ADDRESS: a node's signaling address
addr() { case $1 in *:*) echo "$1";; *) eval "echo \$CORE_$1";; esac; }
# msg KIND FROM TO SEQ [SECONDS]: the fixture's KIND (tests/data/every-kind.json)
# from FROM to node TO, about our client and service; its timestamp
# SECONDS, or none (catsctl --key adds one of now)
msg() {
	_ms=$(addr "$2") _md=$(addr "$3")
	jq -c --arg k "$1" --arg s "$_ms" --arg d "$_md" --argjson q "$4" \
	    --argjson ts "${5:-null}" '
	    [.[] | select(.kind == $k)][0] | .src = $s | .dst = $d | .seq = $q |
	    .options |= (del(.timestamp) |
	      if $ts != null then .timestamp = { seconds: $ts, fraction: 0 } else . end |
	      if has("client-addr") then .["client-addr"] = "2001:db8:a::10" else . end |
	      if has("service-id") then .["service-id"] = "video.cats" else . end |
	      if has("cats-addr") then .["cats-addr"] = $s else . end)' \
	    tests/data/every-kind.json
}
# sign KEY|- : stdin's message as hex, signed with KEY (SPI:HEX) or not
sign() {
	if [ "$1" = - ]; then "$CTL" pkt encode; else "$CTL" pkt encode --key "$1"; fi
}
# resent FROM TO: stdin's hex message as sent from FROM: the checksum,
# which the MAC does not cover, made good for that source
resent() {
	"$CTL" pkt decode "$(cat)" |
	    jq --arg s "$(addr "$1")" --arg d "$(addr "$2")" '.src = $s | .dst = $d' |
	    "$CTL" pkt encode
}
# send NS TO HEX: from namespace NS to node TO's signaling port
send() {
	in_ns "$1" "$CTL" pkt send --udp "$(addr "$2")" 5436 "$3" ||
	    fail "pkt send from $1 to $2"
}
dropped() { ctl "$1" -j show counters | jq -r ".dropped[\"$2\"] // 0"; }
dropped_is() { [ "$(dropped "$1" "$2")" -eq "$3" ]; }
# expect TO REASON: one more refusal of REASON at TO
expect() {
	_ev=$(printf 'X_%s_%s' "$1" "$2" | tr -- '-' '_')
	eval "$_ev=\$((\${$_ev:-0} + 1))"
}
REASONS="no-auth bad-auth unknown-spi replay timestamp-out-of-window not-a-peer duplicate malformed"
for n in $NODES; do
	for r in $REASONS; do
		eval "B_${n}_$(echo "$r" | tr -- '-' '_')=$(dropped "$n" "$r")"
	done
done

before=$(snapshot)
# For each receiver: the peer that sends it these kinds, the peer that
# does not, and the kinds.
SEQ=1000
attack() {
	to=$1 from=$2 other=$3; shift 3
	SEQ=$((SEQ + 1000))
	# the peer's window sees SEQ, a message no role takes (a plain PBU,
	# no-role-for-kind), at T0: the number and the time the replays reuse
	t0=$(date +%s)
	base=$(msg pbu "$from" "$to" "$SEQ" "$t0" | sign "$KEY1") || fail "encode pbu"
	send "$from" "$to" "$base"
	# the same octets again: a retransmission, answered from the cache
	send "$from" "$to" "$base"
	expect "$to" duplicate
	old=$(($(date +%s) - 60))
	i=0
	for kind in "$@"; do
		i=$((i + 1))
		fresh=$((SEQ + 10 * i))
		send "$from" "$to" "$(msg "$kind" "$from" "$to" "$fresh" "$t0" | sign -)"
		expect "$to" no-auth
		send "$from" "$to" "$(msg "$kind" "$from" "$to" $((fresh + 1)) | sign "256:$HEXBAD")"
		expect "$to" bad-auth
		send "$from" "$to" "$(msg "$kind" "$from" "$to" $((fresh + 2)) | sign "999:$HEX1")"
		expect "$to" unknown-spi
		send "$from" "$to" "$(msg "$kind" "$from" "$to" "$SEQ" "$t0" | sign "$KEY1")"
		expect "$to" replay
		send "$from" "$to" "$(msg "$kind" "$from" "$to" $((fresh + 3)) "$old" | sign "$KEY1")"
		expect "$to" timestamp-out-of-window
		# from the client's address (through ingress1), with the key
		send C "$to" "$(msg "$kind" 2001:db8:a::10 "$to" $((fresh + 4)) | sign "$KEY1")"
		expect "$to" not-a-peer
		# the peer's, signed, from another peer's address
		send "$other" "$to" "$(msg "$kind" "$from" "$to" $((fresh + 5)) | sign "$KEY1" | resent "$other" "$to")"
		expect "$to" bad-auth
	done
}
attack K I1 I2 cats-query loc-register loc-query
attack K E1 E2 metric-report
attack E1 I1 I2 cats-request cats-query tx-transfer-request mob-indication
attack I1 I2 E2 mob-notify mob-request mob-indication
attack I2 I1 E1 mob-notify mob-request

counted() {
	for n in $NODES; do
		for r in $REASONS; do
			v=$(echo "$r" | tr -- '-' '_')
			eval "want=\$((B_${n}_$v + \${X_${n}_$v:-0}))"
			[ "$(dropped "$n" "$r")" -eq "$want" ] || return 1
		done
	done
}
wait_for 5 counted
for n in $NODES; do
	for r in $REASONS; do
		v=$(echo "$r" | tr -- '-' '_')
		eval "d=\${X_${n}_$v:-0}; b=\$B_${n}_$v"
		got=$(($(dropped "$n" "$r") - b))
		if [ "$got" -eq "$d" ]; then
			[ "$d" -eq 0 ] || pass "$(name_of "$n"): $d refused as $r"
		else
			fail "$(name_of "$n"): $got refused as $r, want $d: $(ctl "$n" -j show counters | jq -c .dropped)"
		fi
	done
done
after=$(snapshot)
if [ -n "$before" ] && same "$before" "$after"; then
	pass "no session, binding, record or route changed ($(printf '%s\n' "$before" | wc -l) lines compared)"
else
	fail "the attacks changed state:"
	printf '%s\n' "$before" >"$T/before"; printf '%s\n' "$after" >"$T/after"
	diff "$T/before" "$T/after"
fi
check_has "the refusals are logged, rate limited, with their reason" \
    "signaling refused: " cat "$T/K.log"
check_json "the session is still established" \
    '[.sessions[] | select(.client == "2001:db8:a::10") | .state == "established"] | any' \
    ctl I1 -j show sessions

# ---------------------------------------------------------------- rollover
# A transaction runs throughout; at each step a new client's session is
# set up, over the keys of that step.
rx0=$(client_rx)
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]" --tx 7 --count 600 --interval 10 \
    --timeout 20000 --retry 300 >"$T/client7.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
wait_for 10 client_has "$rx0" 20 || fail "rollover: no results before it"
for n in $NODES; do
	for r in $REASONS; do
		eval "B_${n}_$(echo "$r" | tr -- '-' '_')=$(dropped "$n" "$r")"
	done
done
applied() { [ "$(grep -c "peer keys applied" "$T/$1.log")" -ge "$2" ]; }
step=0
rekey() {
	AUTH=$1 step=$((step + 1))
	for n in $NODES; do conf "$n"; done
	for n in $NODES; do eval "kill -HUP \$PID_$n"; done
	for n in $NODES; do
		wait_for 5 applied "$n" "$step" ||
		    fail "rollover step $step: $(name_of "$n") did not apply: $(tail -n 3 "$T/$n.log")"
	done
	attach_request I1 "2001:db8:a::3$step" "02:00:5e:10:00:3$step"
	check_has "rollover step $step ($2): a new session is set up" \
	    "2001:db8:cafe::1 from 2001:db8:a::3$step " dproutes I1
}
rekey "[ { \"spi\": 256, \"key\": \"$HEX1\" }, { \"spi\": 257, \"key\": \"$HEX2\" } ]" \
    "the new key second, the old one signs"
rekey "[ { \"spi\": 256, \"key\": \"$HEX1\" }, { \"spi\": 257, \"key\": \"$HEX2\", \"send\": true } ]" \
    "the new key signs"
rekey "[ { \"spi\": 257, \"key\": \"$HEX2\" } ]" "the old key removed"
wait_pid "$cpid" 30
if grep -q "received=600 missing=0 duplicated=0" "$T/client7.out"; then
	pass "the transaction lost nothing through the rollover: $(cat "$T/client7.out")"
else
	fail "rollover: $(cat "$T/client7.out")"
fi
for n in $NODES; do
	check_json "$(name_of "$n") refused nothing during the rollover" \
	    "[.dropped[${AUTHDROPS}[]] // 0] | add == $(
	    s=0; for r in no-auth bad-auth unknown-spi replay timestamp-out-of-window; do
		eval "s=\$((s + B_${n}_$(echo "$r" | tr -- '-' '_')))"
	    done; echo $s)" ctl "$n" -j show counters
done
check_json "the session is still established after the rollover" \
    '[.sessions[] | select(.client == "2001:db8:a::10") | .state == "established"] | any' \
    ctl I1 -j show sessions
# the old key is gone; the new one is taken
b=$(dropped K unknown-spi)
send I1 K "$(msg cats-query I1 K 30000 | sign "$KEY1")"
if wait_for 5 dropped_is K unknown-spi $((b + 1)); then
	pass "a message signed with the removed key is refused: unknown-spi"
else
	fail "old key: unknown-spi $b -> $(dropped K unknown-spi)"
fi
# and what the attacks above would have done, signed right: the
# controller's locator records the client (catsctl signs as catsd does)
send I1 K "$(msg loc-register I1 K 40000 | sign "$KEY2")"
recorded='[.sessions[] | select(.role == "locator" and .client == "2001:db8:a::10")] | length == 1'
if wait_for 5 json_ok "$recorded" ctl K -j show sessions; then
	pass "a loc-register signed by catsctl with the new key is taken: the locator records the client"
else
	fail "signed loc-register: $(ctl K -j show sessions) $(ctl K -j show counters | jq -c .dropped)"
fi

# ---------------------------------------------------------------- stop
stop_nodes
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "auth"
