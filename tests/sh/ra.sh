#!/bin/sh
# The prefix to the terminal (anchoring section 3 step 8, docs/ra.md), in
# the domain of tests/lib/domain.sh: ingress1 runs with "ra" enabled on
# its access link; the client C is an unmodified Linux host (forwarding
# off, accept_ra 2, accept_ra_pinfo 1, accept_ra_rt_info_max_plen 128).
# Once the session is established, tshark on the access link decodes an
# RA with the client's prefix (PIO) and the CS-ID route (RIO), and the
# client's kernel installs the route via ingress1's link-local (proto ra)
# and an address in the prefix; a Router Solicitation from the client is
# answered, one with hop limit 64 is counted as malformed; the third RA
# comes at most 16 s after the second (RFC 4861 6.2.4), not a round later;
# SIGHUP applies a changed "ra" section (new lifetime and preference at
# the client at once, off withdraws the route, on brings it back); when
# the client leaves, the RA with lifetimes 0 removes the route from it.
# Traffic from the address in the prefix to the CS-ID goes through the
# tunnel (a ping answered; ingress1 steers the prefix, the egress returns
# it); after the handover ingress2 steers it, ingress1 forwards it there
# and the egress returns it there.
# Needs root, ip netns, tshark, and a kernel with route information
# (CONFIG_IPV6_ROUTE_INFO); exits 77 otherwise.
command -v tshark >/dev/null 2>&1 || { echo "skip: tshark not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3 (sends the RS)"; exit 77; }
[ -e /proc/sys/net/ipv6/conf/all/accept_ra_rt_info_max_plen ] ||
    { echo "skip: kernel without CONFIG_IPV6_ROUTE_INFO"; exit 77; }
DOMAIN_TAG=ra
. "$(dirname "$0")/../lib/domain.sh"
# (interval 1800 s: no periodic round during the test, so what follows an
# RS is its answer, and the other RAs are the session's first few)
ingress_json() {
	printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64" },\n'
	if [ "$1" = I1 ]; then
		printf '  "ra": { "enabled": true, "interval_s": 1800, "lifetime_s": 1800 },\n'
	fi
}
LC_ALL=C
export LC_ALL
configure_all
check_has "catsd -n prints the ra section" '"interval_s": 1800' cat "$T/I1.canon"

# the client: a host, not a router, that takes routes and prefixes from RAs
in_ns C sysctl -qw net.ipv6.conf.all.forwarding=0 \
    net.ipv6.conf.a1.accept_ra=2 net.ipv6.conf.a1.accept_ra_pinfo=1 \
    net.ipv6.conf.a1.accept_ra_rt_info_max_plen=128 >/dev/null ||
    fail "client sysctls"

for n in $NODES; do start_node "$n"; done
for n in $NODES; do wait_sock "$n"; done
set_metrics

# tshark decodes the access link live, one line a packet, flushed (-l):
# type|source|destination|hop limit|router lifetime|prefixes|A flag|valid
# lifetime|route lifetime|route preference|malformed
ip netns exec "${P}I1" tshark -n -l -i acc0 -f icmp6 \
    -Y "icmpv6.type == 133 || icmpv6.type == 134" -T fields -E separator='|' \
    -e icmpv6.type -e ipv6.src -e ipv6.dst -e ipv6.hlim \
    -e icmpv6.nd.ra.router_lifetime -e icmpv6.opt.prefix \
    -e icmpv6.opt.prefix.flag.a -e icmpv6.opt.prefix.valid_lifetime \
    -e icmpv6.opt.route_lifetime -e icmpv6.opt.route_info.flag.route_preference \
    -e _ws.malformed >"$T/acc0.txt" 2>"$T/tshark.log" &
TSHARK=$!
PIDS="$PIDS $TSHARK"
wait_for 10 grep -q "Capturing on" "$T/tshark.log" ||
    fail "tshark did not start: $(cat "$T/tshark.log")"

# ---------------------------------------------------------------- session
tsess=$(date +%s)
if attach_request I1 2001:db8:a::10 02:00:5e:10:00:01; then
	pass "session established: $(dproutes I1 | grep "from 2001:db8:a::10 ")"
else
	fail "no session: $(tail -n 5 "$T/I1.log")"
fi
route_ra() { x C -6 route show 2001:db8:cafe::1 | grep -q "via fe80::.* dev a1 proto ra"; }
if wait_for 10 route_ra; then
	pass "the client's kernel installed the CS-ID route: $(x C -6 route show 2001:db8:cafe::1)"
else
	fail "no RA route at the client: $(x C -6 route show); I1: $(ctl I1 -j show counters | jq -c .ra)"
fi
addr_ra() { x C -6 addr show dev a1 | grep -q "inet6 2001:db8:5e0[12]:"; }
if wait_for 10 addr_ra; then
	pass "the client autoconfigured an address in its prefix: $(x C -6 addr show dev a1 | grep 'inet6 2001:db8:5e0')"
else
	fail "no address from the PIO: $(x C -6 addr show dev a1)"
fi

# ---------------------------------------------------------------- the prefix
# Anchoring 3 step 7: traffic from the address the client configured in
# its prefix goes through the tunnel as its own address's does (ingress1
# steers "CS-ID from PREFIX", the egress returns PREFIX to ingress1), and
# the edge's answers come back to that address.
PADDR=$(x C -6 addr show dev a1 | sed -n 's#.*inet6 \(2001:db8:5e0[12]:[0-9a-f:]*\)/64.*#\1#p' | head -n 1)
PFX=$(dproutes I1 | sed -n 's#^2001:db8:cafe::1 from \(2001:db8:5e0[12][0-9a-f:]*/64\) .*#\1#p' | head -n 1)
if [ -n "$PFX" ]; then
	pass "ingress1 steers the client's prefix to the CS-ID: $(dproutes I1 | grep "^2001:db8:cafe::1 from $PFX ")"
else
	fail "no steering of the prefix at ingress1: $(dproutes I1)"
fi
eg_returns() { { dproutes E1; dproutes E2; } | grep "^$PFX .*fc00:11::"; }
if [ -n "$PFX" ] && eg_returns >/dev/null; then
	pass "the egress returns the prefix to ingress1: $(eg_returns)"
else
	fail "no return path for the prefix: $(dproutes E1; dproutes E2)"
fi
# (an ICMPv6 echo from that address; the edge's kernel answers for the
# CS-ID it holds)
pfx_ping() {
	in_ns C python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.bind((sys.argv[1], 0))
s.settimeout(1)
s.sendto(bytes([128, 0, 0, 0, 0xca, 0x75, 0, 1]) + b"prefix", ("2001:db8:cafe::1", 0))
end = time.time() + 1
while time.time() < end:
	b, a = s.recvfrom(2048)
	if b[0] == 129 and b[4:6] == bytes([0xca, 0x75]):
		sys.exit(0)
sys.exit(1)
' "$PADDR" >/dev/null 2>&1
}
if [ -n "$PADDR" ] && wait_for 10 pfx_ping; then
	pass "a ping from $PADDR (in the prefix) to the CS-ID is answered through the tunnel"
else
	fail "no answer to $PADDR from the CS-ID: I1 $(dproutes I1 | tr '\n' ';')"
fi
if [ "$(ctl I1 -j show dataplane | jq -r .backend)" = bpf ]; then
	steered() { ctl I1 -j show dataplane | jq -r --arg p "from $PFX" \
	    '.routes[] | select(.route | contains($p)) | .packets'; }
	if [ "$(steered)" -ge 1 ] 2>/dev/null; then
		pass "eBPF: the prefix's steering counted $(steered) packets"
	else
		fail "eBPF: the prefix's steering counted nothing: $(ctl I1 -j show dataplane | jq -c .routes)"
	fi
fi

# ---------------------------------------------------------------- RS
# A Router Solicitation (RFC 4861 4.1) to ff02::2 from the client's
# link-local, with the hop limit given (255, or a bad one).
send_rs() {
	in_ns C python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"a1")
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, int(sys.argv[1]))
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, socket.if_nametoindex("a1")))
' "$1"
}
ra_count() { ctl I1 -j show counters | jq -r ".ra.$1"; }
no_route() { out_lacks "proto ra" x C -6 route show 2001:db8:cafe::1; }
sent0=$(ra_count ra_sent)
send_rs 64 || fail "sending an RS with hop limit 64"
malformed() { json_ok '.ra.rs_malformed["hop limit is not 255"] >= 1' ctl I1 -j show counters; }
if wait_for 5 malformed; then
	pass "an RS with hop limit 64 is counted as malformed: $(ctl I1 -j show counters | jq -c .ra.rs_malformed)"
else
	fail "bad RS not counted: $(ctl I1 -j show counters | jq -c .ra)"
fi
send_rs 255 || fail "sending an RS"
answered() { [ "$(ra_count rs_received)" -ge 1 ] && [ "$(ra_count ra_sent)" -gt "$sent0" ]; }
# (RFC 4861 6.2.6: at most 0.5 s, or 3 s after the previous round)
if wait_for 5 answered; then
	pass "the RS is answered: $(ctl I1 -j show counters | jq -c .ra)"
else
	fail "no answer to the RS: $(ctl I1 -j show counters | jq -c .ra)"
fi

# ---------------------------------------------------------------- the first few
# RFC 4861 6.2.4: the first RA_MAX_INITIAL_ADVERTS (3) RAs of a prefix go at
# most 16 s apart: the session's, then (in either order) the RS's answer
# and one 16 s after the last, so three within 32 s of the session, though
# the rounds of interval_s 1800 are 594 s apart at least (and none has come
# since catsd started).  Without it there would be two.
three() { [ "$(ra_count ra_sent)" -ge 3 ]; }
if wait_for 34 three && [ $(($(date +%s) - tsess)) -le 34 ]; then
	pass "3 RAs within $(($(date +%s) - tsess)) s of the session (the first few at most 16 s apart), though interval_s is 1800"
else
	fail "the first few RAs: $(ctl I1 -j show counters | jq -c .ra) after $(($(date +%s) - tsess)) s"
fi

# ---------------------------------------------------------------- SIGHUP
# A changed "ra" section applies without a restart (docs/config.md): the
# new values reach the client at once, off withdraws the route, on brings
# it back for the session already up.
reloads() { grep -c "reloaded " "$T/I1.log"; }
# ra_set JSON: ingress1's "ra" section becomes JSON; SIGHUP; wait for it
ra_set() {
	_r0=$(reloads)
	sed "s|\"ra\": {[^}]*}|\"ra\": $1|" "$T/I1.json" >"$T/I1.new" &&
	    mv "$T/I1.new" "$T/I1.json" || fail "rewriting I1.json"
	kill -HUP "$PID_I1"
	_reloaded() { [ "$(reloads)" -gt "$_r0" ]; }
	wait_for 5 _reloaded || fail "ingress1 did not reload: $(tail -n 3 "$T/I1.log")"
}
cs_route() { x C -6 route show 2001:db8:cafe::1; }
expires_over() {
	_e=$(cs_route | sed -n 's/.* expires \([0-9]*\)sec.*/\1/p')
	[ -n "$_e" ] && [ "$_e" -gt "$1" ]
}

ra_set '{ "enabled": true, "interval_s": 1800, "lifetime_s": 2400, "preference": "high" }'
if wait_for 5 expires_over 1800; then
	pass "SIGHUP, lifetime 2400: the client's route now expires later: $(cs_route)"
else
	fail "SIGHUP, lifetime 2400: the client's route is still $(cs_route)"
fi
check_has "SIGHUP, preference high: the client's route has it" "pref high" cs_route
check_has "SIGHUP: catsd says what changed" "ra: new values on acc0 (interval 1800 s, lifetime 2400 s, preference high" cat "$T/I1.log"

ra_set '{ "enabled": false, "interval_s": 1800, "lifetime_s": 2400, "preference": "high" }'
if wait_for 5 no_route; then
	pass "SIGHUP, enabled false: the RA with lifetimes 0 removed the client's route"
else
	fail "SIGHUP, enabled false: route still at the client: $(cs_route)"
fi
check_has "SIGHUP, enabled false: catsd says so" "ra: stopped on acc0, 1 prefixes withdrawn" cat "$T/I1.log"
sent2=$(ra_count ra_sent)
send_rs 255 || fail "sending an RS"
rs_unheard() { [ "$(ra_count rs_received)" -eq 1 ]; }
sleep 1	# lint: sleep-ok: time for an answer to the RS, if one would come
if rs_unheard && [ "$(ra_count ra_sent)" -eq "$sent2" ]; then
	pass "with ra off, no socket: an RS is neither read nor answered"
else
	fail "with ra off: $(ctl I1 -j show counters | jq -c .ra)"
fi

ra_set '{ "enabled": true, "interval_s": 1800, "lifetime_s": 1800 }'
if wait_for 5 route_ra; then
	pass "SIGHUP, enabled true: the session already up is advertised again: $(cs_route)"
else
	fail "SIGHUP, enabled true: no route at the client: $(cs_route)"
fi

# what cannot change without a restart is said, and the rest applies
sed 's|"access_interface": "acc0"|"access_interface": "acc9"|' "$T/I1.json" >"$T/I1.bad" ||
    fail "I1.bad"
cp "$T/I1.json" "$T/I1.good"
mv "$T/I1.bad" "$T/I1.json"
r0=$(reloads)
kill -HUP "$PID_I1"
reloaded_again() { [ "$(reloads)" -gt "$r0" ]; }
wait_for 5 reloaded_again || fail "ingress1 did not reload"
check_has "SIGHUP with another access interface: refused until a restart, said in the log" \
    "reload: the node, signaling or data plane changed; those take effect on restart" cat "$T/I1.log"
mv "$T/I1.good" "$T/I1.json"
check_has "... and nothing was withdrawn: the client keeps its route" "proto ra" cs_route

# ---------------------------------------------------------------- leave
# (to ingress2, proactively: ingress1 then forwards what comes for the
# client and its prefix, the egress returns both to ingress2)
ctl I1 client move 2001:db8:a::10 >/dev/null || fail "move"
ctl I1 client detach 2001:db8:a::10 >/dev/null || fail "detach"
if wait_for 10 no_route; then
	pass "the client left: lifetime 0 removed its route"
else
	fail "route still at the client: $(x C -6 route show 2001:db8:cafe::1)"
fi

ctl I2 client attach 2001:db8:a::10 02:00:5e:10:00:01 >/dev/null || fail "attach at ingress2"
moved() { dproutes I2 | grep -q "^2001:db8:cafe::1 from $PFX "; }
if [ -n "$PFX" ] && wait_for 10 moved; then
	pass "ingress2 steers the prefix after the handover"
else
	fail "no steering of the prefix at ingress2: $(dproutes I2)"
fi
if [ -n "$PFX" ] && dproutes I1 | grep "^$PFX " | grep -q "fc00:12::"; then
	pass "ingress1 forwards the prefix to ingress2 (its access route replaced): $(dproutes I1 | grep "^$PFX ")"
else
	fail "ingress1 after the handover: $(dproutes I1)"
fi
if [ -n "$PFX" ] && { dproutes E1; dproutes E2; } | grep "^$PFX " | grep -q "fc00:12::"; then
	pass "the egress returns the prefix to ingress2"
else
	fail "the egress's prefix route after the handover: $(dproutes E1; dproutes E2)"
fi

# ---------------------------------------------------------------- capture
# (the withdrawal reached the client, so tshark has seen it too, or will
# have printed it within a second)
ras() { cat "$T/acc0.txt"; }
WITHDRAW='^134|fe80::[0-9a-f:]*|2001:db8:a::10|255|0|2001:db8:5e0[12]::,2001:db8:cafe::1|1|0|0|0|$'
wait_for 5 out_has "$WITHDRAW" ras
check_has "tshark: RA from the link-local, unicast to the client, hop limit 255, PIO and RIO, lifetimes 1800" \
    '^134|fe80::[0-9a-f:]*|2001:db8:a::10|255|0|2001:db8:5e0[12]::,2001:db8:cafe::1|1|1800|1800|0|$' ras
check_has "tshark: after SIGHUP, lifetimes 2400 and the route's preference high (1)" \
    '^134|fe80::[0-9a-f:]*|2001:db8:a::10|255|0|2001:db8:5e0[12]::,2001:db8:cafe::1|1|2400|2400|1|$' ras
check_has "tshark: the withdrawal, lifetimes 0" "$WITHDRAW" ras
check_absent "tshark: nothing malformed" '|1$' ras
rs_then_ra() { awk -F'|' '$1 == 133 && $4 == 255 { rs = 1 } $1 == 134 && rs { print "answered"; exit }' "$T/acc0.txt"; }
check_has "tshark: an RA follows the valid RS" answered rs_then_ra
stop_pids 5 "$TSHARK"

kill -TERM "$PID_I1"
wait_pid "$PID_I1" 5; rc=$?
[ $rc -eq 0 ] && pass "ingress1 stops on SIGTERM" || fail "ingress1 exited $rc: $(tail -n 5 "$T/I1.log")"
check_absent "no sanitizer report in the logs" "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "ra"
