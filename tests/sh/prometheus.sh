#!/bin/sh
# Prometheus metrics (issue [12]; docs/catsd.md "Prometheus metrics"): the
# domain of tests/lib/domain.sh with every catsd serving GET /metrics on
# its core address ("prometheus": { "listen": "[CORE]:9436" }) and a BGP
# session between the egresses.  A client is set up at ingress1 and moved
# to ingress2 (a proactive handover).  Then a real Prometheus server (the
# Debian package's) runs in the controller's namespace, scrapes every node
# each second, and the values read back through its HTTP API
# (/api/v1/query) are compared with what catsctl -j show says on the same
# node: sessions by state, signaling received by kind, the handover and its
# interruption histogram, an instance's availability and cost, BGP, the
# data plane.  Each exposition is clean for promtool check metrics; a
# wrong path is answered 404, a POST 405, and both are counted; 8 idle
# HTTP clients (the connection limit) neither block the daemon nor keep
# their connections past the 10 s timeout.  Needs
# root, ip netns, prometheus, promtool, curl and python3 (77 otherwise).
DOMAIN_TAG=prD
for p in prometheus promtool curl jq python3; do
	command -v "$p" >/dev/null || { echo "skip: no $p"; exit 77; }
done
. "$(dirname "$0")/../lib/domain.sh"

PORT=9436
WEB=127.0.0.1:9090
prom_json() {
	eval "_a=\$CORE_$1"
	printf '  "prometheus": { "listen": "[%s]:%s" },\n' "$_a" "$PORT"
}
ingress_json() {
	printf '  "ingress": { "setup": "controller", "find": "prefix", "subprefix": "2001:db8:a::/64" },\n'
	prom_json "$1"
}
# egress1 connects to egress2's BGP port, egress2 accepts
bgp_json() {
	eval "_la=\$CORE_$1; _ra=\$CORE_$2"
	printf '  "bgp": { "asn": 65000, "router_id": "10.0.0.%s", "hold_time": 9, "connect_retry_ms": 1000, "neighbors": [ { "name": "peer", "address": "%s", "local_address": "%s", "asn": 65000, "passive": %s, "families": ["ipv6-unicast"] } ] },\n' \
	    "${1#E}" "$_ra" "$_la" "$3"
}
egress_json() {
	printf '  "egress": { "pool": "2001:db8:5e0%s::/48", "prefix_length": 64, "instances": [ { "id": %s, "service": "video.cats", "edge": "2001:db8:d%s::100" } ] },\n' \
	    "$1" "$2" "$1"
	if [ "$1" = 1 ]; then bgp_json E1 E2 false; else bgp_json E2 E1 true; fi
	prom_json "E$1"
}
controller_json() {
	printf '  "controller": { "instances": [ { "id": 101, "service": "video.cats", "egress": "egress1" }, { "id": 201, "service": "video.cats", "egress": "egress2" } ] },\n'
	printf '  "selector": { "policy": "response-time", "metrics": [ { "instance": 101, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 }, { "instance": 201, "util": 0.3, "capacity": 1000, "proc_delay_ns": 2000000 } ] },\n'
	prom_json K
}
configure_all
check_json "catsd -n prints the prometheus section" \
    ".prometheus == { \"listen\": \"[$CORE_K]:$PORT\" }" "$CATSD" -n -f "$T/K.json"

start_domain
set_metrics
for n in $NODES; do
	check_has "$(name_of "$n") serves the metrics" "prometheus: GET /metrics on" cat "$T/$n.log"
done

# ---------------------------------------------------------------- the story
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01
check_json "ingress1 sets the client up" \
    '[.sessions[] | select(.client == "2001:db8:a::10") | .state == "established"] | any' \
    ctl I1 -j show sessions
move_client
moved_in() { json_ok '[.sessions[] | select(.client == "2001:db8:a::10" and .role == "ingress") | .state == "moved-in"] | any' ctl I2 -j show sessions; }
if wait_for 10 moved_in; then
	pass "the client moved to ingress2"
else
	fail "no moved-in session at ingress2: $(ctl I2 -j show sessions)"
fi
bgp_up() { json_ok '.neighbors[0].state == "Established"' ctl E1 -j show bgp; }
wait_for 15 bgp_up || fail "BGP between the egresses: $(ctl E1 -j show bgp)"

# ---------------------------------------------------------------- the endpoint
url() { eval "_a=\$CORE_$1"; echo "http://[$_a]:$PORT$2"; }
# (from K: every node's core address is reachable from there)
scrape() { in_ns K curl -sS --max-time 5 "$(url "$1" /metrics)"; }
for n in $NODES; do
	if scrape "$n" >"$T/$n.prom" && [ -s "$T/$n.prom" ] &&
	    promtool check metrics <"$T/$n.prom" >"$T/$n.promtool" 2>&1 &&
	    [ ! -s "$T/$n.promtool" ]; then
		pass "$(name_of "$n"): promtool check metrics is clean ($(grep -c '^# TYPE' "$T/$n.prom") families)"
	else
		fail "$(name_of "$n"): promtool check metrics: $(head -c 600 "$T/$n.promtool")"
	fi
done
code() { in_ns K curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
check_has "GET of another path is 404" '^404$' code "$(url I1 /other)"
check_has "POST /metrics is 405" '^405$' code -X POST "$(url I1 /metrics)"
check_has "HEAD /metrics is 405" '^405$' code -I "$(url I1 /metrics)"
check_has "the 404 is counted" '^cats_prometheus_requests_total{code="404"} 1$' scrape I1
check_has "the 405s are counted" '^cats_prometheus_requests_total{code="405"} 2$' scrape I1

# ---------------------------------------------------------------- Prometheus
mkdir -p "$T/tsdb"
{
	printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n'
	printf 'scrape_configs:\n  - job_name: cats\n    static_configs:\n'
	for n in $NODES; do
		eval "_a=\$CORE_$n"
		printf '      - targets: ["[%s]:%s"]\n        labels: { cats: "%s" }\n' "$_a" "$PORT" "$n"
	done
} >"$T/prometheus.yml"
ip netns exec "${P}K" prometheus --config.file="$T/prometheus.yml" \
    --storage.tsdb.path="$T/tsdb" --web.listen-address="$WEB" \
    >"$T/prometheus.log" 2>&1 &
PROM_PID=$!
PIDS="$PIDS $PROM_PID"
api() { _p=$1; shift; in_ns K curl -sS --max-time 5 --get "$@" "http://$WEB/api/v1/$_p"; }
nodes=$(echo $NODES | wc -w)
targets_up() { json_ok "[.data.activeTargets[] | select(.health == \"up\")] | length == $nodes" api targets; }
if wait_for 30 targets_up; then
	pass "Prometheus scrapes all $nodes catsd endpoints"
else
	fail "targets: $(api targets | head -c 1500); $(tail -n 5 "$T/prometheus.log")"
fi

# q PROMQL: the value of the query's one sample, as Prometheus gives it
q() { api query --data-urlencode "query=$1" | jq -r 'if .status == "success" and (.data.result | length) == 1 then .data.result[0].value[1] else empty end'; }
# agree PROMQL NODE JQ WHAT...: Prometheus's value equals jq's of catsctl
# -j WHAT on NODE (both read each try: the scrape may be a second behind)
agree() {
	_q=$1 _n=$2 _f=$3; shift 3
	AG_PROM=$(q "$_q") AG_CTL=$(ctl "$_n" -j "$@" | jq -r "$_f")
	[ -n "$AG_PROM" ] && [ -n "$AG_CTL" ] && [ "$AG_CTL" != null ] &&
	    jq -n --arg a "$AG_PROM" --arg b "$AG_CTL" -e '($a | tonumber) == ($b | tonumber)' >/dev/null
}
check_agree() {
	_name=$1; shift
	if wait_for 15 agree "$@"; then
		pass "$_name: Prometheus $AG_PROM = catsctl $AG_CTL"
	else
		AG_PROM=$(q "$1") AG_CTL=$(ctl "$2" -j "$4" "$5" | jq -r "$3")
		fail "$_name: Prometheus '$AG_PROM', catsctl '$AG_CTL' ($1)"
	fi
}
check_agree "ingress2's moved-in sessions" \
    'cats_sessions{cats="I2",role="ingress",state="moved-in"}' I2 \
    '[.sessions[] | select(.role == "ingress" and .state == "moved-in")] | length' show sessions
check_agree "egress1's bindings, all states" \
    'sum(cats_sessions{cats="E1",role="egress"})' E1 \
    '[.sessions[] | select(.role == "egress")] | length' show sessions
check_agree "ingress1's CATS responses received" \
    'cats_signaling_received_by_kind_total{cats="I1",kind="cats-response"}' I1 \
    '.rx_by_kind["cats-response"]' show counters
check_agree "egress1's mobility indications received" \
    'cats_signaling_received_by_kind_total{cats="E1",kind="mob-indication"}' E1 \
    '.rx_by_kind["mob-indication"]' show counters
check_agree "the controller's queries received" \
    'cats_signaling_received_by_kind_total{cats="K",kind="cats-query"}' K \
    '.rx_by_kind["cats-query"]' show counters
check_agree "ingress1's signaling dropped (all reasons)" \
    'sum(cats_signaling_dropped_total{cats="I1"}) or vector(0)' I1 \
    '[.dropped[]] | add // 0' show counters
check_agree "instance 101 available at the controller" \
    'cats_instance_available{cats="K",cis_id="101"}' K \
    '.instances[] | select(.id == 101) | if .available then 1 else 0 end' show instances
check_agree "the controller's cost of instance 201 from ingress 1" \
    'cats_selector_cost{cats="K",cis_id="201",ingress="1"}' K \
    '.metrics[] | select(.instance == 201 and .ingress == 1) | .cost' show metrics
check_agree "egress1's BGP session established" \
    'cats_bgp_session_established{cats="E1",neighbor="peer"}' E1 \
    'if .neighbors[0].state == "Established" then 1 else 0 end' show bgp
check_agree "egress2's BGP OPENs received" \
    'cats_bgp_messages_received_total{cats="E2",neighbor="peer",type="open"}' E2 \
    '.neighbors[0].counters.rx.open' show bgp
check_agree "ingress1's data-plane intents applied" \
    'cats_dataplane_intents_total{cats="I1",result="applied"}' I1 \
    '.counters.applied' show dataplane
check_has "ingress2's data plane is named" "cats_dataplane_info{backend=\"$(ctl I2 -j show dataplane | jq -r .backend)\"} 1" scrape I2
ho() { _v=$(q "$1"); [ -n "$_v" ] && [ "$_v" -ge 1 ]; }
if wait_for 15 ho 'cats_handover_interruption_seconds_count{cats="I2",method="proactive"}' &&
    ho 'cats_handover_interruption_seconds_bucket{cats="I2",method="proactive",le="+Inf"}'; then
	pass "the proactive handover at ingress2 is in the histogram (interruption $(q 'cats_handover_interruption_seconds_sum{cats="I2",method="proactive"}') s)"
else
	fail "no handover in ingress2's histogram: $(scrape I2 | grep '^cats_handover')"
fi
check_agree "the 404 answered, counted in Prometheus" \
    'cats_prometheus_requests_total{cats="I1",code="404"}' I1 '1' show counters

# ---------------------------------------------------------------- bounds
# 8 clients (the connection limit) that connect and send nothing: the
# daemon answers its control socket meanwhile, closes each after 10 s
# without progress, and then serves a scrape again
eval "_a=\$CORE_I1"
in_ns K python3 -c '
import socket, sys, time
ss = [socket.create_connection((sys.argv[1], int(sys.argv[2]))) for _ in range(8)]
print("held", flush=True)
t0 = time.monotonic()
closed = 0
for s in ss:
    s.settimeout(max(0.1, 20 - (time.monotonic() - t0)))
    try:
        closed += s.recv(1) == b""
    except OSError:
        pass
print("closed=%d after %.0f s" % (closed, time.monotonic() - t0), flush=True)' \
    "$_a" "$PORT" >"$T/idle.out" 2>&1 &
IDLE_PID=$!
PIDS="$PIDS $IDLE_PID"
wait_for 5 out_has '^held$' cat "$T/idle.out" || fail "idle clients: $(cat "$T/idle.out")"
check_has "ingress1 answers its control socket while idle HTTP clients hold every connection" \
    '"rx"' ctl I1 -j show counters
wait_pid "$IDLE_PID" 25
check_has "ingress1 closes the 8 idle HTTP connections (10 s without progress)" \
    '^closed=8 after' cat "$T/idle.out"
check_has "and serves a scrape again" '^cats_node_info{node="ingress1"} 1$' scrape I1

stop_pids 5 "$PROM_PID"
if kill -0 "$PROM_PID" 2>/dev/null; then fail "prometheus still runs"; fi
stop_nodes
check_done
