#!/bin/sh
# The path prober (the C-NMA, docs/probe.md) choosing for the controller,
# in network namespaces:
#
#   client C --- ingress I1 ---+                 +--- egress E1 --- edge D1
#          \---- ingress I2 ---+-- core bridge --+--- egress E2 --- edge D2
#                   controller K ---+
#
# cats-delay delay lines (this kernel has no netem; docs/apps.md) put
# 20 ms on I1 -> E1 and E1 -> I1, 2 ms between I1 and E2, on the routes to
# the SID locators only: what goes there is the SRv6 traffic and the
# probes.  ingress1 probes each egress's reflector, an address in the
# egress's locator, with STAMP (RFC 8762) every 50 ms and reports every
# 500 ms; the controller's selector has no network metric but what comes
# in those reports.  Checked: what the probes measure is the delay the
# lines add (within 1.5 ms); the reports reach the controller; a new client
# goes to the near egress2; the delays swapped, the next client goes to
# egress1, nobody having typed a number; a malformed test packet is counted
# by the reflector.  Needs root, ip netns and /dev/net/tun; exits 77
# otherwise.
DOMAIN_TAG=pr
. "$(dirname "$0")/../lib/domain.sh"
DELAY=$B/cats-delay
[ -x "$DELAY" ] || { echo "no $DELAY"; exit 1; }
[ -c /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }

probe_of() { case $1 in E1) echo fc00:e1::1:0:0;; E2) echo fc00:e2::1:0:0;; I1) echo fc00:11::1:0:0;; I2) echo fc00:12::1:0:0;; esac; }
# each egress's reflector, for an ingress
peer_extra() { case $1$2 in I*E*) printf ', "probe": "%s"' "$(probe_of "$2")";; esac; }
ingress_json() {
	printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64" },\n'
	printf '  "probe": { "interval_ms": 50, "report_ms": 500, "source": "%s" },\n' "$(probe_of "$1")"
}
egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100" } ] },\n' \
	    "$1" "$2" "$1"
	printf '  "probe": { "reflect": true },\n'
}
configure_all
for e in E1 E2 I1 I2; do x "$e" addr add "$(probe_of "$e")/128" dev lo nodad; done

# ---------------------------------------------------------------- delay lines
# line NODE 'PREFIX=MS ...': NODE's routes to those locators go through
# its TUN dl0 and cats-delay; what comes back out takes the real route
# (table 200, "iif dl0").  The TUN stays, so a line can restart.
wire() {
	x "$1" tuntap add dev dl0 mode tun
	x "$1" link set dl0 mtu 9000 up
	x "$1" -6 rule add iif dl0 lookup 200 pref 100
	for pd in $2; do
		pfx=${pd%=*} m=${pfx%%::/*}
		case $m in fc00:e1) v=E1;; fc00:e2) v=E2;; fc00:11) v=I1;; esac
		eval "via=\$CORE_$v"
		x "$1" -6 route add "$pfx" via "$via" dev core0 table 200
		x "$1" -6 route replace "$pfx" dev dl0
	done
}
line_start() {
	args=""
	for pd in $2; do args="$args --delay $pd"; done
	# shellcheck disable=SC2086
	ip netns exec "$P$1" "$DELAY" --tun dl0 --name "$1" $args >>"$T/dl$1.log" 2>&1 &
	eval "PID_dl$1=$!"
	PIDS="$PIDS $!"
}
line_stop() {
	eval "pid=\$PID_dl$1"
	kill -TERM "$pid"
	wait_pid "$pid" 5 >/dev/null
}
LINES_I1="fc00:e1::/32=20 fc00:e2::/32=2"
wire I1 "$LINES_I1"
wire E1 "fc00:11::/32=20"
wire E2 "fc00:11::/32=2"
line_start I1 "$LINES_I1"
line_start E1 "fc00:11::/32=20"
line_start E2 "fc00:11::/32=2"
for n in I1 E1 E2; do
	wait_for 5 grep -q "ready" "$T/dl$n.log" || fail "cats-delay in $n: $(cat "$T/dl$n.log")"
done

start_domain

# ---------------------------------------------------------------- measured
# owd EGRESSNAME: the one-way delay ingress1 last reported to it, in ms
owd() {
	ctl I1 -j show peers | jq -r ".peers[] | select(.name == \"$1\") | .probe.reported[\"one-way-delay\"] // empty" |
	    awk 'NF { printf "%.2f", $1 / 1e6 }'
}
near() { awk -v v="$(owd "$1")" -v w="$2" 'BEGIN { exit !(v != "" && v - w < 1.5 && w - v < 1.5) }'; }
if wait_for 10 near egress1 20 && wait_for 5 near egress2 2; then
	pass "ingress1's probes measure what the delay lines add: egress1 $(owd egress1) ms (20 configured), egress2 $(owd egress2) ms (2 configured)"
else
	fail "probes: egress1 $(owd egress1) ms (20), egress2 $(owd egress2) ms (2): $(ctl I1 -j show peers)"
fi
check_has "ingress1 reports delay variation and loss too" \
    '"delay-variation"' ctl I1 -j show peers
answered='[.peers[] | select(.probe) | .probe.replies > 10 and .probe.malformed == 0 and .probe.duplicate == 0] | all'
# (a probe every 50 ms: eleven replies within a second or two)
if wait_for 5 json_ok "$answered" ctl I1 -j show peers; then
	pass "ingress1's probes are answered: $(ctl I1 -j show peers | jq -c '[.peers[] | select(.probe) | {name, sent: .probe.sent, replies: .probe.replies, lost: .probe.lost}]')"
else
	fail "probes answered: $(ctl I1 -j show peers)"
fi
if json_ok '.probe.reflected > 0' ctl E1 -j show counters &&
    json_ok '.metric_reports.taken > 0 and (.dropped["metric-refused"] // 0) == 0' ctl K -j show counters; then
	pass "egress1 reflects; the controller takes ingress1's path reports: $(ctl K -j show counters | jq -c .metric_reports)"
else
	fail "reflector or reports: $(ctl E1 -j show counters | jq -c .probe) $(ctl K -j show counters)"
fi

# ---------------------------------------------------------------- choosing
steered() {
	case $(dproutes I1 | grep "cafe::1 from $1 ") in
	*fc00:e1::*) echo egress1;;
	*fc00:e2::*) echo egress2;;
	*) echo none;;
	esac
}
attach_request I1 2001:db8:a::21 02:00:5e:10:00:21
c=$(steered 2001:db8:a::21)
if [ "$c" = egress2 ]; then
	pass "a new client goes to egress2, 2 ms away as measured"
else
	fail "the new client went to $c: $(ctl K -j show metrics)"
fi
# the delays swapped; the lines restart, the routes stay
line_stop I1; line_stop E1; line_stop E2
line_start I1 "fc00:e1::/32=2 fc00:e2::/32=20"
line_start E1 "fc00:11::/32=2"
line_start E2 "fc00:11::/32=20"
if wait_for 10 near egress1 2 && wait_for 5 near egress2 20; then
	pass "after the swap the probes measure egress1 $(owd egress1) ms, egress2 $(owd egress2) ms"
else
	fail "after the swap: egress1 $(owd egress1) ms (2), egress2 $(owd egress2) ms (20)"
fi
# one more report, so that the controller has the new values too
sleep 0.6	# lint: sleep-ok: one report interval (500 ms) for the controller
attach_request I1 2001:db8:a::22 02:00:5e:10:00:22
c=$(steered 2001:db8:a::22)
if [ "$c" = egress1 ]; then
	pass "the next client goes to egress1, now the near one; nobody typed a number"
else
	fail "after the swap the new client went to $c: $(ctl K -j show metrics)"
fi

# ---------------------------------------------------------------- malformed
in_ns I1 "$CLIENT" --to "[$(probe_of E1)]:862" --raw 0102030405 >/dev/null 2>&1
check_has "the reflector counts a malformed test packet" \
    '"reflect_malformed":1' ctl E1 -j show counters

# ---------------------------------------------------------------- stop
stop_nodes
for n in I1 E1 E2; do line_stop "$n"; done
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "probe"
