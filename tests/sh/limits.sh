#!/bin/sh
# Bounded state through real catsd (docs/catsd.md "Bounded state"), in the
# domain of tests/lib/domain.sh: egress1 and ingress1 allow each peer 200
# entries per table and 2000 messages a second (burst 1000).  From
# ingress2's namespace, with its address (an unkeyed peer that
# misbehaves), catsctl floods
#   (a) egress1 with CATS requests for 6000 clients that do not exist, and
#   (b) ingress1 with 3000 mob-notifies for phantom clients,
# round after round, while a CATS-unaware client's first packet sets up its
# session at ingress1 (through the controller and egress1).  Then:
# ingress2 holds exactly its quota at each (show peers limits.held), the
# rest is refused (peer-limit, status 130) or dropped for its rate
# (rate-limited), counted globally and per peer and logged once; ingress1
# holds one binding at egress1 and was never refused; the client's session
# is established and its results flow.
# Needs root and ip netns; exits 77 otherwise.
DOMAIN_TAG=lm
. "$(dirname "$0")/../lib/domain.sh"

LIMITS='{ "per_peer": 200, "rate": 2000, "burst": 1000 }'
configure_all
for n in E1 I1; do
	jq --argjson l "$LIMITS" '.node.limits = $l' "$T/$n.json" >"$T/$n.tmp" &&
	    mv "$T/$n.tmp" "$T/$n.json" || fail "limits into $n"
done
check_json "catsd -n prints the limits" \
    '.node.limits == { "per_peer": 200, "rate": 2000, "burst": 1000 }' \
    in_ns E1 "$CATSD" -n -f "$T/E1.json"
check_json "the defaults are printed where none are given" \
    '.node.limits == { "per_peer": 1048576, "rate": 20000, "burst": 40000 }' \
    in_ns E2 "$CATSD" -n -f "$T/E2.json"
start_domain
set_metrics

# flood KIND TO FIRST N: N messages of KIND from ingress2 to node TO about
# clients 2001:db8:77::FIRST.., as hex, one a line (no timestamp: an
# unkeyed peer's messages need none)
flood() {
	jq -c --arg k "$1" --arg s "$CORE_I2" --arg d "$(eval "echo \$CORE_$2")" \
	    --arg e "$CORE_E1" --argjson f "$3" --argjson n "$4" '
	    [.[] | select(.kind == $k)][0] as $m |
	    [range($f; $f + $n) | . as $i | $m | .src = $s | .dst = $d |
	     .seq = ($i % 65536) |
	     .options |= (del(.timestamp) | del(.["cats-requirements"]) |
	       .["service-id"] = "video.cats" |
	       .["client-addr"] = ("2001:db8:77::" + ($i | tostring)) |
	       if has("cats-addr") then .["cats-addr"] = $e else . end)]' \
	    tests/data/every-kind.json | "$CTL" pkt encode
}
flood cats-request E1 1000 6000 >"$T/req.hex" || fail "encode the requests"
flood mob-notify I1 1000 3000 >"$T/notify.hex" || fail "encode the notifies"
check_has "6000 requests and 3000 notifies encoded" "^9000$" \
    sh -c "cat '$T/req.hex' '$T/notify.hex' | wc -l"

# send TO FILE: in batches of 500 (one process each, bounded); it runs in
# the flood's subshell, where a fail would not count: a send that fails
# ends the flood, and its exit status says so
send_all() {
	[ -e "$T/batch.$1.aa" ] || split -l 500 "$2" "$T/batch.$1."
	for b in "$T/batch.$1."*; do
		# shellcheck disable=SC2046
		in_ns I2 "$CTL" pkt send --udp "$(eval "echo \$CORE_$1")" 5436 \
		    $(cat "$b") || { echo "pkt send to $1 failed" >&2; exit 1; }
	done
}
# the flood goes on, round after round, until the client is done (at most
# 30 rounds)
t0=$(date +%s%N)
(
	r=0
	while [ $r -lt 30 ] && [ ! -e "$T/stop" ]; do
		send_all E1 "$T/req.hex"
		send_all I1 "$T/notify.hex"
		r=$((r + 1))
	done
	echo "$r" >"$T/rounds"
) &
FLOOD=$!
PIDS="$PIDS $FLOOD"
# the legitimate set-up, while the flood runs: the client just sends to
# the service (a CATS-unaware client: its first packet starts the session
# at ingress1, through the controller and egress1)
if in_ns C timeout 20 "$CLIENT" --to "[2001:db8:cafe::1]:7000" --tx 1 \
    --count 30 --interval 10 --timeout 15000 --retry 500 >"$T/client.out" 2>&1 &&
    grep -q "missing=0 duplicated=0" "$T/client.out"; then
	pass "a session set up during the flood: results flow: $(cat "$T/client.out")"
else
	fail "client: $(cat "$T/client.out")"
fi
t1=$(date +%s%N)
if kill -0 "$FLOOD" 2>/dev/null && [ ! -e "$T/rounds" ]; then
	pass "the flood was still running when the client was served ($(( (t1 - t0) / 1000000 )) ms in)"
else
	fail "the flood ended before the client was served: no proof of service during it"
fi
check_json "the client's session is established at ingress1" \
    '[.sessions[] | select(.client == "2001:db8:a::10") | .state == "established"] | any' \
    ctl I1 -j show sessions
touch "$T/stop"
wait_pid "$FLOOD" 60 || fail "the flood did not end in 60 s, or a send failed"
t2=$(date +%s%N)
echo "# flood: $(cat "$T/rounds") rounds of 9000 messages in $(( (t2 - t0) / 1000000 )) ms"

# what each node holds for each peer, and why it refused
for n in E1 I1; do
	# the state a flood of each kind makes, and a peer heard meanwhile
	case $n in E1) what=bindings legit=ingress1;; I1) what=sessions legit=controller;; esac
	wait_for 10 json_ok '.dropped["peer-limit"] > 0' ctl "$n" -j show counters
	check_json "$(name_of "$n"): ingress2 holds exactly its quota of $what" \
	    ".peers[] | select(.name == \"ingress2\") | .limits.held.$what == 200" \
	    ctl "$n" -j show peers
	check_json "$(name_of "$n"): ingress2's quota and rate bit, counted per peer" \
	    '.peers[] | select(.name == "ingress2") | .limits.quota_refused > 0 and .limits.rate_limited > 0' \
	    ctl "$n" -j show peers
	check_json "$(name_of "$n"): counted as peer-limit and rate-limited, not no-resources" \
	    '(.dropped["peer-limit"] > 0) and (.dropped["rate-limited"] > 0) and ((.dropped["no-resources"] // 0) == 0)' \
	    ctl "$n" -j show counters
	check_json "$(name_of "$n"): $legit was never refused" \
	    ".peers[] | select(.name == \"$legit\") | .limits.quota_refused == 0 and .limits.rate_limited == 0" \
	    ctl "$n" -j show peers
	check_has "$(name_of "$n") logs the refusal once, with a count" \
	    "peer ingress2 ([0-9a-f:]*): signaling refused: \(peer-limit\|rate-limited\) ([0-9]* refused since" \
	    cat "$T/$n.log"
	lines=$(grep -c "peer ingress2 .*signaling refused" "$T/$n.log")
	if [ "$lines" -le 2 ]; then
		pass "$(name_of "$n"): $lines log lines for thousands of refusals"
	else
		fail "$(name_of "$n"): $lines log lines"
	fi
	echo "# $(name_of "$n"): $(ctl "$n" -j show peers | jq -c '.peers[] | select(.name == "ingress2") | .limits') $(ctl "$n" -j show counters | jq -c '{rx, socket_dropped, dropped: (.dropped | with_entries(select(.key == "peer-limit" or .key == "rate-limited")))}')"
done
check_json "egress1 holds one binding for ingress1: the client's" \
    '.peers[] | select(.name == "ingress1") | .limits.held.bindings == 1' \
    ctl E1 -j show peers

stop_nodes
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "limits"
