#!/bin/sh
# Least privilege (docs/catsd.md "Least privilege", issue [11]): the
# domain of tests/sh/catsd.sh (tests/lib/domain.sh) with every catsd
# configured to drop to nobody/nogroup after start, seccomp in kill mode,
# and the RELEASE build (a sanitized one runs without the filter: its
# LeakSanitizer needs ptrace at exit).  Checked in /proc/PID/status of
# each: Uid and Gid nobody's and nogroup's, no supplementary group,
# CapEff = CapPrm = exactly the kept set (cap_net_admin with a kernel data
# plane, nothing on the controller, whose backend is none), CapBnd,
# CapInh and CapAmb empty, NoNewPrivs 1, Seccomp 2.  Then every runtime
# path this domain has, the daemons checked alive after each (a call
# missing from the allow-list kills the daemon): signed signaling and the
# data plane programmed for a client, its results, RAs, STAMP probes (from
# ingress1) and their reports, the egresses' agents on their edges' control ports, a
# BGP session with TCP MD5 between the egresses (one connects, the other
# accepts), a proactive handover with transaction switching (state
# transfer TCP), the catsctl show commands, Prometheus scrapes of egress1
# (GET /metrics, a 404, a 405), SIGHUP reloads (the file read
# again as nobody), malformed signaling, a malformed STAMP packet and a
# malformed control request.  The negatives: turning RAs on by SIGHUP
# fails (a raw socket needs the CAP_NET_RAW that was dropped) and the
# daemon runs on; a system call outside the list (getppid, made inside
# the controller's catsd by gdb) kills it with SIGSYS, while an allowed
# one (getpid) does not.  Then SIGTERM, by pid: every route and program
# goes (CAP_NET_ADMIN kept for that).  Needs root and ip netns (77
# otherwise).
DOMAIN_TAG=pv
# the release build, whatever CATSD_BUILD says: the sanitized one has no
# filter to test
CATSD_BUILD=$(cd "$(dirname "$0")/../.." && pwd)/${O:-build}
. "$(dirname "$0")/../lib/domain.sh"

# nobody reads the configurations again on SIGHUP: the directory is
# searchable (the files are 0644)
chmod 711 "$T"
NOBODY=$(id -u nobody) NOGROUP=$(getent group nogroup | cut -d: -f3)
[ -n "$NOBODY" ] && [ -n "$NOGROUP" ] || { echo "skip: no nobody/nogroup"; exit 77; }
# CAP_NET_ADMIN is bit 12
NET_ADMIN=0000000000001000 NO_CAPS=0000000000000000

HEX1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
priv_json() { printf '  "privileges": { "user": "nobody", "group": "nogroup", "seccomp": "kill" },\n'; }
RA_ENABLED=true
probe_of() { case $1 in E1) echo fc00:e1::1:0:0;; E2) echo fc00:e2::1:0:0;; I1) echo fc00:11::1:0:0;; I2) echo fc00:12::1:0:0;; esac; }
# every pair signs (HMAC: libcrypto after the drop); ingress1 probes the
# egresses' reflectors (ingress2 does not: its measured paths would
# replace the metrics that make egress2 its better one, set_metrics)
peer_extra() {
	printf ', "auth": [ { "spi": 256, "key": "%s" } ]' "$HEX1"
	case $1$2 in I1E*) printf ', "probe": "%s"' "$(probe_of "$2")";; esac
}
ingress_json() {
	sw=false
	[ "$1" = I2 ] && sw=true
	printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64", "transaction_switch": %s },\n' "$sw"
	printf '  "probe": { "interval_ms": 50, "report_ms": 500, "source": "%s" },\n' "$(probe_of "$1")"
	printf '  "ra": { "enabled": %s, "interval_s": 4 },\n' "$RA_ENABLED"
	priv_json
}
# egress1 connects to egress2's BGP port, egress2 accepts
bgp_json() {
	me=$1 other=$2 passive=$3
	eval "la=\$CORE_$me; ra=\$CORE_$other"
	printf '  "bgp": { "asn": 65000, "router_id": "10.0.0.%s", "hold_time": 9, "connect_retry_ms": 1000, "neighbors": [ { "name": "peer", "address": "%s", "local_address": "%s", "asn": 65000, "password": "s3cret", "passive": %s, "families": ["ipv6-unicast"] } ] },\n' \
	    "${me#E}" "$ra" "$la" "$passive"
}
egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "transfer_port": 5437, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100", "edge_control": "[2001:db8:d%s::100]:7001" } ] },\n' \
	    "$1" "$2" "$1" "$1"
	printf '  "probe": { "reflect": true },\n'
	if [ "$1" = 1 ]; then bgp_json E1 E2 false; else bgp_json E2 E1 true; fi
	# egress1 serves Prometheus metrics (its socket opened before the drop)
	[ "$1" = 1 ] && printf '  "prometheus": { "listen": "127.0.0.1:9436" },\n'
	priv_json
}
controller_json() {
	printf '  "controller": { "instances": [ { "id": 101, "service": "video.cats", "egress": "egress1" }, { "id": 201, "service": "video.cats", "egress": "egress2" } ] },\n'
	printf '  "selector": { "policy": "response-time", "metrics": [ { "instance": 101, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 }, { "instance": 201, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 } ] },\n'
	priv_json
}
configure_all
check_json "catsd -n prints the privileges section" \
    '.privileges == { "user": "nobody", "group": "nogroup", "seccomp": "kill" }' \
    "$CATSD" -n -f "$T/E1.json"
for e in E1 E2 I1 I2; do x "$e" addr add "$(probe_of "$e")/128" dev lo nodad; done

# ---------------------------------------------------------------- start
for n in $NODES; do start_node "$n"; done
for i in 1 2; do
	ip netns exec "${P}D$i" "$EDGE" --name "edge$i" --listen "[2001:db8:cafe::1]:7000" \
	    --control "[2001:db8:d$i::100]:7001" --workers 4 >"$T/D$i.log" 2>&1 &
	PIDS="$PIDS $!"
done
for n in $NODES; do wait_sock "$n"; done

# alive WHAT: every catsd still runs after WHAT (a call outside the
# allow-list ends it with SIGSYS); one check per step
alive() {
	_dead=""
	for _n in $NODES; do
		eval "_p=\$PID_$_n"
		kill -0 "$_p" 2>/dev/null || _dead="$_dead $_n"
	done
	if [ -z "$_dead" ]; then
		pass "every catsd alive after $1"
	else
		fail "after $1, dead:$_dead"
		for _n in $_dead; do tail -n 5 "$T/$_n.log"; done
	fi
}

# status N FIELD: the value of FIELD in node N's /proc/PID/status
status() { eval "_p=\$PID_$1"; awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$_p/status"; }
# field_is N FIELD VALUE: exactly that (tabs and spaces as one)
field_is() { [ "$(status "$1" "$2" | tr -s '\t ' '  ')" = "$3" ]; }
# (the drop is made after start: wait for it before reading the status)
dropped() { field_is "$1" Uid "$NOBODY $NOBODY $NOBODY $NOBODY"; }
for n in $NODES; do
	wait_for 5 dropped "$n"
	case $n in K) caps=$NO_CAPS kept=none;; *) caps=$NET_ADMIN kept=net_admin;; esac
	bad=""
	for f in "Uid $NOBODY $NOBODY $NOBODY $NOBODY" \
	    "Gid $NOGROUP $NOGROUP $NOGROUP $NOGROUP" "Groups " \
	    "CapEff $caps" "CapPrm $caps" "CapInh $NO_CAPS" "CapBnd $NO_CAPS" \
	    "CapAmb $NO_CAPS" "NoNewPrivs 1" "Seccomp 2"; do
		field_is "$n" "${f%% *}" "${f#* }" ||
		    bad="$bad ${f%% *}=$(status "$n" "${f%% *}") (want ${f#* });"
	done
	if [ -z "$bad" ]; then
		pass "$(name_of "$n"): nobody/nogroup, no groups, capabilities $kept only (CapEff=CapPrm=$caps, CapBnd 0), NoNewPrivs 1, Seccomp 2"
	else
		fail "$(name_of "$n") /proc status:$bad"
	fi
	check_has "$(name_of "$n") says so in its log" \
	    "privileges: user nobody ($NOBODY), group nogroup ($NOGROUP), capabilities $kept, no_new_privs, seccomp kill ([0-9]* calls allowed)" \
	    cat "$T/$n.log"
done

# ---------------------------------------------------------------- paths
set_metrics
alive "control requests (metric set)"
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01
check_json "signed signaling sets the client up, the data plane steers it" \
    '[.sessions[] | select(.client == "2001:db8:a::10") | .state == "established"] | any' \
    ctl I1 -j show sessions
check_has "ingress1's data plane steers the client to egress1" \
    "2001:db8:cafe::1 from 2001:db8:a::10 .*fc00:e1::" dproutes I1
if in_ns C timeout 20 "$CLIENT" --to "[2001:db8:cafe::1]:7000" --tx 1 \
    --count 30 --interval 10 --timeout 15000 --retry 500 >"$T/client.out" 2>&1 &&
    out_has "missing=0 duplicated=0" cat "$T/client.out"; then
	pass "results flow: $(cat "$T/client.out")"
else
	fail "client: $(cat "$T/client.out")"
fi
alive "a client's set-up and its results"

ra_sent() { json_ok '.ra.ra_sent > 0' ctl I1 -j show counters; }
probed() { json_ok '.probe.reports > 0' ctl I1 -j show counters; }
reflected() { json_ok '.probe.reflected > 0' ctl E1 -j show counters; }
agent() { json_ok '.agent.reports > 0' ctl E1 -j show counters; }
established() { json_ok '.neighbors[0].state | ascii_downcase == "established"' ctl "$1" -j show bgp; }
for w in ra_sent probed reflected agent "established E1" "established E2"; do
	# shellcheck disable=SC2086
	if wait_for 15 $w; then
		pass "running as nobody: $w"
	else
		fail "$w: $CHECK_WHY"
	fi
done
alive "RAs, probes, the agents' load reports and BGP"

# ---------------------------------------------------------------- handover
# as tests/sh/xfer.sh: ingress2 switches the transaction to egress2, the
# egresses move its state over TCP
rx0=$(client_rx)
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]:40000" --tx 9 --count 300 --interval 10 \
    --timeout 20000 --retry 300 >"$T/client9.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
wait_for 20 client_has "$rx0" 80 ||
    fail "handover: the client had $(($(client_rx) - rx0)) of 300 results after 20 s"
move_client
wait_pid "$cpid" 30
if out_has "received=300 missing=0 duplicated=0" cat "$T/client9.out"; then
	pass "handover with transaction switching: $(cat "$T/client9.out")"
else
	fail "handover: $(cat "$T/client9.out")"
fi
switched() { json_ok '.transfer.states_sent > 0' ctl E1 -j show counters; }
if wait_for 10 switched; then
	pass "egress1 sent the state to egress2: $(ctl E1 -j show counters | jq -c .transfer)"
else
	fail "no state transfer: $(ctl E1 -j show counters | jq -c .transfer)"
fi
alive "a handover with state transfer"

# ---------------------------------------------------------------- show
for n in $NODES; do
	for what in sessions clients instances metrics peers routes counters dataplane; do
		ctl "$n" -j show "$what" >/dev/null 2>&1 ||
		    fail "$(name_of "$n"): show $what"
	done
done
for n in E1 E2; do
	ctl "$n" -j show bgp routes >/dev/null || fail "$(name_of "$n"): show bgp routes"
done
alive "every show command at every node"

# ---------------------------------------------------------------- prometheus
# the HTTP path under the filter: accept, read, answer, close, each code
http() { in_ns E1 curl -sS --max-time 5 -o "$T/metrics.out" -w '%{http_code}' "$@"; }
for i in 1 2 3; do
	check_has "egress1 answers GET /metrics as nobody ($i)" '^200$' http http://127.0.0.1:9436/metrics
done
check_has "its exposition has the node's counters" '^cats_signaling_received_total [1-9]' cat "$T/metrics.out"
check_has "egress1 answers another path 404" '^404$' http http://127.0.0.1:9436/other
check_has "egress1 answers POST 405" '^405$' http -X POST -d x=1 http://127.0.0.1:9436/metrics
alive "Prometheus scrapes"

# ---------------------------------------------------------------- bad input
# signaling that does not decode, a STAMP test packet that does not, a
# control request that is not JSON
malformed() { ctl E1 -j show counters | jq '.dropped.malformed // 0'; }
m0=$(malformed)
in_ns E2 "$CTL" pkt send --udp "$CORE_E1" 5436 3b0005deadbeef00 >/dev/null ||
    fail "pkt send"
more_malformed() { [ "$(malformed)" -gt "$m0" ]; }
if wait_for 5 more_malformed; then
	pass "a malformed datagram is counted at egress1"
else
	fail "malformed datagram not counted: $(ctl E1 -j show counters | jq -c .malformed)"
fi
in_ns I1 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.sendto(b"\x00\x01", (sys.argv[1], 862))' "$(probe_of E1)"
bad_stamp() { json_ok '.probe.reflect_malformed > 0' ctl E1 -j show counters; }
if wait_for 5 bad_stamp; then
	pass "a malformed STAMP test packet is counted by egress1's reflector"
else
	fail "malformed STAMP: $(ctl E1 -j show counters | jq -c .probe)"
fi
in_ns E1 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"{ not json\n")
s.settimeout(5)
print(s.recv(4096).decode())' "$T/E1.sock" >"$T/badctl.out" 2>&1
check_has "a control request that is not JSON is answered with an error" \
    'error' cat "$T/badctl.out"
alive "malformed signaling, STAMP and control input"

# ---------------------------------------------------------------- SIGHUP
# the file read again as nobody; the log level and the RA interval apply
for n in $NODES; do
	sed 's/"level": "debug"/"level": "info"/; s/"interval_s": 4/"interval_s": 5/' \
	    "$T/$n.json" >"$T/$n.new" && mv "$T/$n.new" "$T/$n.json"
	chmod 644 "$T/$n.json"
	eval "kill -HUP \$PID_$n"
done
for n in $NODES; do
	if wait_for 5 out_has "reloaded $T/$n.json" cat "$T/$n.log"; then
		pass "$(name_of "$n"): SIGHUP reloads the file as nobody"
	else
		fail "$(name_of "$n"): no reload: $(tail -n 3 "$T/$n.log")"
	fi
done
check_has "ingress1 applied the new RA interval" "ra: new values on acc0 (interval 5 s" cat "$T/I1.log"
alive "SIGHUP"
# RAs off, then on again: that needs a raw socket, which needs the
# CAP_NET_RAW dropped after start: refused, said, and catsd runs on
RA_ENABLED=false
conf I2
kill -HUP "$PID_I2"
wait_for 5 out_has "ra: stopped on acc0" cat "$T/I2.log" ||
    fail "ra off: $(tail -n 3 "$T/I2.log")"
RA_ENABLED=true
conf I2
kill -HUP "$PID_I2"
if wait_for 5 out_has "reload: ra stays off" cat "$T/I2.log" &&
    out_has "ra: socket on acc0: Operation not permitted" cat "$T/I2.log"; then
	pass "turning RAs on needs a raw socket: refused without CAP_NET_RAW, ingress2 runs on"
else
	fail "ra on as nobody: $(tail -n 4 "$T/I2.log")"
fi
alive "RAs turned off and refused on again"

# ---------------------------------------------------------------- seccomp
# Outside catsd, no hook inside it: gdb makes the controller's catsd call
# getpid (allowed: it runs on), then getppid (not in the list: the kernel
# ends the process, SIGSYS, 128 + 31)
if command -v gdb >/dev/null; then
	in_gdb() {
		gdb -q -batch -p "$PID_K" -ex "call (int) $1()" "$CATSD" >"$T/gdb.out" 2>&1
	}
	in_gdb getpid
	if out_has "^\$1 = $PID_K\$" cat "$T/gdb.out" && kill -0 "$PID_K" 2>/dev/null &&
	    ctl K show counters >/dev/null; then
		pass "an allowed call (getpid) made inside the controller's catsd: it answers $PID_K and runs on"
	else
		fail "getpid in the controller: $(tail -n 5 "$T/gdb.out")"
	fi
	in_gdb getppid
	wait_pid "$PID_K" 5
	rc=$?
	if [ "$rc" -eq 159 ]; then
		pass "a call outside the allow-list (getppid) ends the controller's catsd: SIGSYS (exit $rc)"
	else
		fail "getppid: exit $rc, want 159 (SIGSYS): $(tail -n 5 "$T/gdb.out")"
	fi
	NODES="I1 I2 E1 E2"
else
	skip "no gdb: the seccomp kill of an unlisted call is not shown"
fi

# ---------------------------------------------------------------- stop
stop_nodes
left=""
for n in $NODES; do
	out_lacks . kernel_view "$n" || left="$left $n: $CHECK_WHY;"
done
if [ -z "$left" ]; then
	pass "SIGTERM as nobody with CAP_NET_ADMIN: no route of protocol $PROTO and no program of ours left"
else
	fail "left after SIGTERM:$left"
fi
check_done "priv"
