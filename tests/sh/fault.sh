#!/bin/sh
# Site failure (issue [11]; docs/engine.md "Site failure"), in network
# namespaces:
#
#   client C --- ingress I1 ---+                 +--- egress E1 --- edge D1
#                              +-- core bridge --+--- egress E2 --- edge D2
#                   controller K ---+
#
# The client is in the middle of a transaction with edge1 through ingress1
# and egress1 when site 1 fails: egress1's catsd and edge1 are killed with
# SIGKILL (nothing is said to anyone).  With catsd's default liveness
# (heartbeat_ms 1000, heartbeat_misses 3: a hold time of 3 s) ingress1 and
# the controller declare egress1 down, and ingress1 steers the client to
# egress2 with the same requirements.  Checked: the time from the kill to
# the new steering route (printed; at most (misses + 2) x interval, the
# bound docs/engine.md gives for option 2), why the session moved in
# catsctl show sessions, egress1 down in show peers, what became of the
# transaction in progress (its edge died with it: it cannot finish), and
# that the next transaction is served by edge2.  Needs root and ip netns;
# exits 77 otherwise.
DOMAIN_TAG=ft
. "$(dirname "$0")/../lib/domain.sh"
NODES="I1 E1 E2 K"
HB_MS=1000
HB_MISSES=3
configure_all

# ---------------------------------------------------------------- start
for n in $NODES; do start_node "$n"; done
for i in 1 2; do
	ip netns exec "${P}D$i" "$EDGE" --name "edge$i" \
	    --listen "[2001:db8:cafe::1]:7000" >"$T/D$i.log" 2>&1 &
	eval "PID_D$i=$!"
	PIDS="$PIDS $!"
done
for n in $NODES; do wait_sock "$n"; done
set_metrics

up() { json_ok ".peers[] | select(.name == \"$2\") | .liveness.state == \"up\"" ctl "$1" -j show peers; }
for p in egress1 egress2 controller; do
	wait_for 10 up I1 "$p" || fail "ingress1 does not see $p up: $CHECK_WHY"
done
wait_for 10 up K egress1 || fail "the controller does not see egress1 up: $CHECK_WHY"
check_json "show peers: egress1 up, heard within a heartbeat, nothing missed" \
    '.peers[] | select(.name == "egress1") | .liveness | .state == "up" and .missed == 0 and .last_heard_ms_ago <= 1500' \
    ctl I1 -j show peers

# ---------------------------------------------------------------- session
attach_request I1 2001:db8:a::10 02:00:5e:10:00:01
steers() { dproutes I1 | grep "cafe::1 from 2001:db8:a::10 " | grep -- "$1"; }
# the client's steering routes at ingress1 (none is an empty output)
steering() { dproutes I1 | sed -n '/cafe::1 from 2001:db8:a::10 /p'; }
check_has "ingress1 steers the client to egress1" fc00:e1:: steers fc00:e1::

# a transaction of 600 results, one every 10 ms, from edge1
rx0=$(client_rx)
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]:40000" --tx 9 --count 600 --interval 10 \
    --timeout 3000 --retry 300 >"$T/client.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
wait_for 10 client_has "$rx0" 50 ||
    fail "the client had $(($(client_rx) - rx0)) results after 10 s"

# ---------------------------------------------------------------- failure
t0=$(date +%s%N)
kill -9 "$PID_E1" "$PID_D1"
wait_for 5 steers fc00:e2:: ||
    fail "ingress1 did not steer the client to egress2: $(dproutes I1)"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
bound=$(((HB_MISSES + 2) * HB_MS))
if [ "$ms" -le "$bound" ]; then
	pass "re-steered to egress2 ${ms} ms after the kill (hold time $((HB_MISSES * HB_MS)) ms, bound $bound ms)"
else
	fail "re-steered to egress2 ${ms} ms after the kill, over the $bound ms bound"
fi
check_has "ingress1 steers the client to egress2" fc00:e2:: steers fc00:e2::
check_absent "and no longer to egress1" fc00:e1:: steering

# ---------------------------------------------------------------- catsctl
check_json "show sessions says why it moved" \
    '.sessions[] | select(.client == "2001:db8:a::10") | .state == "established" and .egress == "egress2" and .why == "egress egress1 down: 3 heartbeats missed" and .moved_ms_ago >= 0' \
    ctl I1 -j show sessions
check_has "show sessions (text) has the reason" "egress egress1 down: 3 heartbeats missed" \
    ctl I1 show sessions
check_json "show peers: egress1 down, 3 heartbeats missed, egress2 up" \
    '([.peers[] | select(.name == "egress1") | .liveness | .state == "down" and .missed >= 3 and .downs == 1] | all) and ([.peers[] | select(.name == "egress2") | .liveness.state == "up"] | all) and .site_failure.resteered == 1 and .site_failure.unmet == 0' \
    ctl I1 -j show peers
check_json "the controller too has egress1 down" \
    '.peers[] | select(.name == "egress1") | .liveness.state == "down"' \
    ctl K -j show peers

# ---------------------------------------------------------------- the transaction
# Its edge died with the site and its state with it (no transfer is
# possible from a dead edge): the client stops after --timeout without
# the rest, and says what it had.
wait_pid "$cpid" 15; crc=$?
got=$(sed -n 's/.*received=\([0-9]*\) missing=\([0-9]*\).*/\1 \2/p' "$T/client.out")
case $got in
"600 0")
	fail "the transaction in progress finished although its edge was killed: $(cat "$T/client.out")" ;;
[0-9]*)
	pass "the transaction in progress did not finish (exit $crc): $(tail -n 1 "$T/client.out")" ;;
*)
	fail "client (exit $crc): $(cat "$T/client.out")" ;;
esac
# the next one goes to edge2 through egress2
ip netns exec ${P}C "$CLIENT" --to "[2001:db8:cafe::1]:7000" \
    --bind "[2001:db8:a::10]:40001" --tx 10 --count 50 --interval 5 \
    --timeout 3000 --retry 300 >"$T/client2.out" 2>&1 &
cpid=$!
PIDS="$PIDS $cpid"
wait_pid "$cpid" 15; crc=$?
check_has "the next transaction is served by edge2 (exit $crc)" \
    "received=50 missing=0 duplicated=0 .*edges=edge2$" cat "$T/client2.out"

# ---------------------------------------------------------------- stop
for n in I1 E2 K; do
	eval "pid=\$PID_$n"
	kill -TERM "$pid"
	wait_pid "$pid" 5 || fail "$n did not stop cleanly on SIGTERM"
done
kill -TERM "$PID_D2"
wait_pid "$PID_D2" 5 >/dev/null
check_absent "no sanitizer report in the logs" "Sanitizer\\|runtime error" \
    cat "$T/I1.log" "$T/E2.log" "$T/K.log"
check_done "site failure: egress1 killed, its client re-steered in ${ms} ms"
