#!/bin/sh
# The metric agents of CATS-MUP on real sockets (docs/mup.md section 3):
# a site PE's C-SMA (its edge's load reports) and a distributed RAN PE's
# C-NMA (STAMP probes to each site PE's reflector) feeding the C-PS, in
# network namespaces, with gobgpd (package gobgpd) as route reflector:
#
#   site PE A (fd00::a, CIS-ID 1) + edgeA --+
#   site PE B (fd00::b, CIS-ID 2) + edgeB --+-- br0 + gobgpd RR (fd00::100)
#   RAN PE R (fd00::e, ran 0, distributed) -+
#   controller K (fd00::d, distributed) ----+
#
# Both edges: one worker, 50 ms a request.  R's mup.paths say A is 1 ms and
# B 20 ms away; a cats-delay delay line on R's routes to the sites' SID
# locators says otherwise (A 30 ms, B 2 ms, one way out, so the probes
# measure about 15 and 1 ms).  Nobody types a metric:
#   - A's agent keeps a WATCH on edgeA's control port: the DSD that reaches
#     R carries edgeA's measured load (utilisation, capacity, ...);
#   - R's probes go into its C-PS: K's T2ST (CS-ID only) makes R steer to
#     B, the measured-near site, not A (configured near, and the lowest
#     CIS-ID plain MUP would take);
#   - the delays swapped, the running session moves to A and a new one
#     goes there too;
#   - a load generator (cats-client --rate) inside site A saturates edgeA:
#     A's next DSD says so, and R moves the sessions back to B;
#   - A restarted in the centralized deployment: its CMU reaches K with
#     edgeA's measured load.
# Needs root, ip netns, /dev/net/tun, gobgpd, gobgp and jq; exits 77
# otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
MUP_TAG=ma
MUP_KEEP=mup-agents
MUP_NEEDS="cats-edge cats-client cats-delay"
# shellcheck disable=SC2034 # read by tests/lib/mup.sh
MUP_CHECK_CONF=1
. tests/lib/mup.sh
EDGE=$B/cats-edge
CLIENT=$B/cats-client
DELAY=$B/cats-delay

# ---------------------------------------------------------------- topology
# each PE's SID locator, and the address in it that probes or reflects
loc_of() { case $1 in A) echo fc00:a;; B) echo fc00:b;; R) echo fc00:e;; esac; }
probe_of() { echo "$(loc_of "$1")::1:0:0"; }
mup_topology net.ipv6.conf.all.forwarding=1
for n in A B R; do x "$n" addr add "$(probe_of "$n")/128" dev lo nodad; done
x R route add fc00:a::/32 via fd00::a dev core0
x R route add fc00:b::/32 via fd00::b dev core0
x A route add fc00:e::/32 via fd00::e dev core0
x B route add fc00:e::/32 via fd00::e dev core0

# R's routes to the sites' locators go through its TUN dl0 and cats-delay;
# what comes back out takes the real route (table 200, "iif dl0"), as in
# tests/sh/probe.sh.  The TUN stays, so the line can restart.
x R tuntap add dev dl0 mode tun
x R link set dl0 mtu 9000 up
x R -6 rule add iif dl0 lookup 200 pref 100
for s in a b; do
	x R -6 route add "fc00:$s::/32" via "fd00::$s" dev core0 table 200
	x R -6 route replace "fc00:$s::/32" dev dl0
done
line_start() {
	ip netns exec "${P}R" "$DELAY" --tun dl0 --name R --delay "fc00:a::/32=$1" \
	    --delay "fc00:b::/32=$2" >>"$T/dl.log" 2>&1 &
	PID_dl=$!
	PIDS="$PIDS $!"
}
line_stop() {
	kill -TERM "$PID_dl"
	wait_pid "$PID_dl" 5 >/dev/null
}
line_start 30 2
wait_for 5 grep -q "ready" "$T/dl.log" || fail "cats-delay: $(cat "$T/dl.log")"

# ---------------------------------------------------------------- gobgpd
mup_gobgp 50073

# ---------------------------------------------------------------- catsd
# speaker NAME RID MUP-JSON [MORE-JSON] (tests/lib/mup.sh), each
# configuration checked with catsd -n first
# site PE N with instance CIS, its edge's control port on its loopback;
# the damping floor (30 s by default, the draft's section 3) is off
site() {
	speaker "$1" "$2" "{ \"roles\": [\"site-pe\"], \"mode\": \"${4:-distributed}\",
  \"address\": \"$(addr_of "$1")\", \"instances\": [ { \"cs_id\": 7,
  \"cis_id\": $3, \"sid\": \"$(loc_of "$1"):1::\", \"edge_control\": \"[::1]:7001\" } ],
  \"damping\": { \"min_interval_ms\": 0 } }" ', "probe": { "reflect": true }'
}
site A 10.0.0.1 1
site B 10.0.0.2 2
speaker R 10.0.0.5 '{ "roles": ["ran-pe"], "mode": "distributed",
  "address": "fd00::e", "ran_index": 0,
  "paths": [ { "ran": "fd00::e", "site": "fd00::a", "owd_ns": 1000000 },
             { "ran": "fd00::e", "site": "fd00::b", "owd_ns": 20000000 } ],
  "probe_sites": [ { "site": "fd00::a", "probe": "fc00:a::1:0:0" },
                   { "site": "fd00::b", "probe": "fc00:b::1:0:0" } ] }' \
    ', "probe": { "interval_ms": 50, "report_ms": 500, "source": "fc00:e::1:0:0" }'
speaker K 10.0.0.4 '{ "roles": ["controller"], "mode": "distributed",
  "address": "fd00::d", "rans": ["fd00::e"] }'
for n in $NODES; do wait_sock "$n" || exit 1; done
for n in A B; do
	ip netns exec "$P$n" "$EDGE" --name "edge$n" --listen "[::1]:7000" \
	    --control "[::1]:7001" --workers 1 --work-ms 50 --load-interval 250 \
	    >"$T/edge$n.log" 2>&1 &
	PIDS="$PIDS $!"
done
for n in A B; do
	wait_for 10 grep -q "ready:" "$T/edge$n.log" || fail "edge$n did not start: $(cat "$T/edge$n.log")"
done

mup_established "four speakers Established with gobgpd"

# ---------------------------------------------------------------- C-SMA
# A's agent: edgeA's reports, each taken by mup_metrics
if wait_for 10 json_ok '.mup_instances[0] | .cis_id == 1 and .load.reports > 0 and .load.fed == "ok"' ctl A -j show instances; then
	pass "site PE A's agent takes edgeA's load reports: $(ctl A -j show instances | jq -c '.mup_instances[0] | {cis_id, edge_control, load: (.load | {edge, reports, util, capacity, fed})}')"
else
	fail "no load report at A: $(ctl A -j show instances) $(ctl A -j show counters | jq -c .agent)"
fi
# (errors: the agent tried before edgeA was up, each counted)
check_json "A's agent counters: every report decoded and fed" \
    '.agent.reports > 0 and .agent.fed == .agent.reports and .agent.not_fed == 0 and .agent.malformed == {}' ctl A -j show counters
# dsd_metric NODE SITE METRIC: the value in SITE's DSD as NODE's RIB has it
dsd_metric() {
	ctl "$1" -j show bgp routes |
	    jq -r ".routes[] | select(.type == \"dsd\" and .address == \"$2\") | .attributes.cats.metrics[] | select(.metric == \"$3\") | .value"
}
dsd_has() { json_ok ".routes | any(.type == \"dsd\" and .address == \"$2\" and any(.attributes.cats.metrics[]; $3))" ctl "$1" -j show bgp routes; }
if wait_for 10 dsd_has R fd00::a '.metric == "utilisation" and .value < 0.5' &&
    dsd_has R fd00::a '.metric == "capacity" and .value > 10 and .value < 30' &&
    dsd_has R fd00::a '.metric == "processing-delay" and .value > 40e6 and .value < 70e6'; then
	pass "A's DSD reached R with edgeA's measured load, nobody typed it: utilisation $(dsd_metric R fd00::a utilisation), capacity $(dsd_metric R fd00::a capacity)/s (1 worker of 50 ms), processing delay $(dsd_metric R fd00::a processing-delay) ns"
else
	fail "A's DSD at R: $(ctl R -j show bgp routes | jq -c '.routes[] | select(.type == "dsd")')"
fi

# ---------------------------------------------------------------- C-NMA
# owd SITE: R's last reported one-way delay to SITE, in ms
owd() {
	ctl R -j show mup | jq -r ".probed_sites[] | select(.site == \"$1\") | .path.reported[\"one-way-delay\"] // empty" |
	    awk 'NF { printf "%.2f", $1 / 1e6 }'
}
# (within 3 ms: the precision is probe.sh's to check, the choice this one's)
near() { awk -v v="$(owd "$1")" -v w="$2" 'BEGIN { exit !(v != "" && v - w < 3 && w - v < 3) }'; }
if wait_for 10 near fd00::a 15 && wait_for 5 near fd00::b 1; then
	pass "R's probes measure the delay line: A $(owd fd00::a) ms, B $(owd fd00::b) ms (15 and 1 expected: half of 30 and 2 ms one way)"
else
	fail "probes: A $(owd fd00::a) ms (15), B $(owd fd00::b) ms (1): $(ctl R -j show mup | jq -c .probed_sites)"
fi
check_json "R's C-PS takes the reports (fed ok, counted)" \
    '(.probed_sites | length == 2 and all(.path.fed == "ok" and .path.replies > 10)) and .counters.path_samples > 0' ctl R -j show mup
check_json "both site PEs reflect" '.probe.reflected > 0' ctl B -j show counters

steer_of() { ctl R -j show mup | jq -c ".steering[] | select(.teid == $1) | {teid, cis_id, site}"; }
if session_up 1001 7 && steered 10 1001 2; then
	pass "R steers session 1001 to B (CIS-ID 2), measured near, though mup.paths says A: $(steer_of 1001)"
else
	fail "session 1001 at R: $(ctl R -j show mup | jq -c .steering); paths $(ctl R -j show mup | jq -c '[.probed_sites[] | {site, owd: .path.reported["one-way-delay"]}]')"
fi

# the delays swapped: the line restarts, the routes stay
line_stop
line_start 2 30
ready_again() { [ "$(grep -c "ready" "$T/dl.log")" -ge 2 ]; }
wait_for 5 ready_again || fail "cats-delay did not restart: $(cat "$T/dl.log")"
if wait_for 10 near fd00::a 1 && wait_for 5 near fd00::b 15; then
	pass "after the swap R measures A $(owd fd00::a) ms, B $(owd fd00::b) ms"
else
	fail "after the swap: A $(owd fd00::a) ms (1), B $(owd fd00::b) ms (15)"
fi
if steered 5 1001 1; then
	pass "the running session 1001 moved to A with the measurement: $(steer_of 1001) (reselect $(ctl R -j show mup | jq .counters.reselect))"
else
	fail "session 1001 stayed: $(steer_of 1001)"
fi
if session_up 1002 7 && steered 10 1002 1; then
	pass "a new session 1002 goes to A, now the near one: $(steer_of 1002)"
else
	fail "session 1002: $(steer_of 1002)"
fi

# ---------------------------------------------------------------- load
# 40 requests/s on one worker of 50 ms (20/s): edgeA saturates
ip netns exec "${P}A" "$CLIENT" --to "[::1]:7000" --rate 40 --for 15000 \
    --seed 7 --timeout 1000 >"$T/load.log" 2>&1 &
PID_load=$!
PIDS="$PIDS $PID_load"
if wait_for 10 dsd_has R fd00::a '.metric == "utilisation" and .value >= 0.9'; then
	pass "edgeA loaded: A's DSD at R says utilisation $(dsd_metric R fd00::a utilisation), queue $(dsd_metric R fd00::a queue-length) (A's agent: $(ctl A -j show instances | jq -c '.mup_instances[0].load | {util, queue}'))"
else
	fail "A's DSD never said busy: $(dsd_metric R fd00::a utilisation); A: $(ctl A -j show instances)"
fi
if steered 5 1001 2 && steers '.teid == 1002 and .cis_id == 2'; then
	pass "R moves the sessions to B, A being saturated: $(steer_of 1001) $(steer_of 1002)"
else
	fail "with A saturated: $(ctl R -j show mup | jq -c .steering)"
fi
if session_up 1003 7 && steered 10 1003 2; then
	pass "a new session 1003 goes to B although A is nearer: $(steer_of 1003)"
else
	fail "session 1003: $(steer_of 1003)"
fi
stop_pids 3 "$PID_load"

# ---------------------------------------------------------------- CMU
# A again, in the centralized deployment (4.1.1): its edge's load now goes
# to the controller in a CMU (K's RIB has it whatever K's mode)
kill -TERM "$PID_A"
wait_pid "$PID_A" 5 || fail "A did not stop cleanly on SIGTERM"
site A 10.0.0.1 1 central
if ! wait_for 20 established A; then
	fail "A (central) did not come back: $(tail -5 "$T/A.log")"
fi
cmu_has() { json_ok ".routes | any(.type == \"dsd\" and .address == \"fd00::a\" and .attributes.cats.kind == \"cmu\" and any(.attributes.cats.metrics[]; $1))" ctl K -j show bgp routes; }
if wait_for 10 cmu_has '.metric == "capacity" and .value > 10 and .value < 30' &&
    cmu_has '.metric == "processing-delay" and .value > 40e6 and .value < 70e6' &&
    cmu_has '.metric == "utilisation"'; then
	pass "A's CMU reached the controller K with edgeA's measured load: $(ctl K -j show bgp routes | jq -c '[.routes[] | select(.attributes.cats.kind == "cmu") | .attributes.cats.metrics[] | {(.metric): .value}] | add')"
else
	fail "no CMU with edgeA's load at K: $(ctl K -j show bgp routes | jq -c '[.routes[] | select(.type == "dsd") | .attributes.cats]')"
fi

# ---------------------------------------------------------------- stop
stop_nodes
line_stop
check_absent "no sanitizer report in the logs" \
    "ERROR: \(Address\|Leak\|Undefined\)Sanitizer\|runtime error" cat "$T"/*.log
check_done "mup-agents"
