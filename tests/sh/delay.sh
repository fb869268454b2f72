#!/bin/sh
# cats-delay, the testbed's delay line (docs/apps.md), in network namespaces:
#
#   A --veth-- R --veth-- B        R routes B's service prefixes into the
#              |                   TUN dl0; cats-delay holds each packet for
#             dl0 (cats-delay)     its prefix's delay and writes it back;
#                                  "iif dl0 lookup 200" forwards it to B.
#
# The delay applies one way, A -> B (the answers come back directly).  A
# cats-edge in B answers; cats-client's load mode in A measures response
# times (its request to its first result, on its own monotonic clock):
# first directly (R routes to B, no delay line), then through cats-delay.
# Each measured delay is the median response time through the delay line
# minus the direct median, and must be the configured delay within
# DELAY_TOL_MS (0.3 ms, below).  Then: longest-prefix match, a 0 ms prefix,
# IPv4, the order of a burst kept, the --limit drops counted (and equal to
# what the client lost), bad arguments refused (exit 2), a TUN that
# cats-delay created itself going with it, and a clean stop on SIGTERM.
# Needs root, ip netns and /dev/net/tun; exits 77 otherwise.  Runs the
# sanitized programs; DELAY, EDGE and CLIENT override them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
DELAY=${DELAY:-$PWD/build/san/cats-delay}
EDGE=${EDGE:-$PWD/build/san/cats-edge}
CLIENT=${CLIENT:-$PWD/build/san/cats-client}
# Why 0.3 ms: a median of 50 response times moves by a few tens of us from
# run to run here, and what the delay line adds beyond its delay (a wakeup
# to read the TUN, one to release, the TUN's own forwarding: 30 to 150 us
# idle, docs/apps.md) stays under 0.3 ms on a loaded 2-core machine too.
# A delay off by one timer tick (1 ms, libev's rounding) fails it.
TOL_MS=${DELAY_TOL_MS:-0.3}

[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
command -v ip >/dev/null || { echo "skip: no ip(8)"; exit 77; }
[ -c /dev/net/tun ] || { echo "skip: no /dev/net/tun"; exit 77; }
for p in "$DELAY" "$EDGE" "$CLIENT"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done
P=dl$$
ip netns add ${P}probe 2>/dev/null || { echo "skip: ip netns unavailable"; exit 77; }
ip netns del ${P}probe

ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS

NSS="A R B"
T=$(mktemp -d) || exit 1
PIDS=""
cleanup() {
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && stop_pids 2 $PIDS
	for n in $NSS; do ip netns del "$P$n" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

x() { n=$1; shift; ip -n "$P$n" "$@"; }
in_ns() { n=$1; shift; ip netns exec "$P$n" "$@"; }
sanitizer_clean() { ! grep -qE 'Sanitizer|runtime error' "$1"; }

# --- the namespaces -----------------------------------------------------
for n in $NSS; do
	ip netns add "$P$n" || { echo "FAIL: ip netns add"; exit 1; }
	x "$n" link set lo up
	# no DAD on the links made next: their link-local addresses would
	# hold neighbour discovery back for a second
	in_ns "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
if ! ip link add a0 netns "${P}A" type veth peer name ra netns "${P}R" ||
    ! ip link add b0 netns "${P}B" type veth peer name rb netns "${P}R"; then
	echo "FAIL: veth"; exit 1
fi
x A addr add fc00:a::2/64 dev a0 nodad
x A addr add 10.90.1.2/24 dev a0
x R addr add fc00:a::1/64 dev ra nodad
x R addr add 10.90.1.1/24 dev ra
x R addr add fc00:b::1/64 dev rb nodad
x R addr add 10.90.2.1/24 dev rb
x B addr add fc00:b::2/64 dev b0 nodad
x B addr add 10.90.2.2/24 dev b0
# B's services: one address in each delayed prefix
for a in fc00:e1::1 fc00:e1:1::1 fc00:e2::1 fc00:e3::1; do
	x B addr add $a/128 dev lo nodad
done
x B addr add 10.91.1.1/32 dev lo
for l in A:a0 R:ra R:rb B:b0; do x "${l%%:*}" link set "${l#*:}" up; done
x A -6 route add default via fc00:a::1
x A -4 route add default via 10.90.1.1
x B -6 route add default via fc00:b::1
x B -4 route add default via 10.90.2.1
in_ns R sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
V6="fc00:e1::/32 fc00:e1:1::/48 fc00:e2::/32 fc00:e3::/32"
V4="10.91.0.0/16"
# direct first: R routes the prefixes to B (the baseline)
for p in $V6; do x R -6 route add "$p" via fc00:b::2 dev rb; done
x R -4 route add $V4 via 10.90.2.2 dev rb

# The delay line's wiring (docs/apps.md): a persistent TUN (cats-delay
# attaches to it, so it may restart without the routes going), the real
# routes in table 200, and the rule that sends what comes back out of the
# TUN to them.  The main table's routes move to the TUN later.
x R tuntap add dev dl0 mode tun || { echo "FAIL: ip tuntap"; exit 1; }
x R link set dl0 up
in_ns R sysctl -qw net.ipv4.conf.dl0.rp_filter=0
for p in $V6; do x R -6 route add "$p" via fc00:b::2 dev rb table 200; done
x R -4 route add $V4 via 10.90.2.2 dev rb table 200
x R -6 rule add iif dl0 lookup 200 pref 100
x R -4 rule add iif dl0 lookup 200 pref 100

PORT=7000
# (ip netns exec execs the program: $! is its pid; not through a function,
# which would be a subshell's)
ip netns exec "${P}B" "$EDGE" --name edgeB --listen "[::]:$PORT" --linger 2000 \
	--max-tx 100000 2>"$T/edge.log" &
EP=$!; PIDS="$PIDS $EP"
if ! wait_for 5 grep -q ready "$T/edge.log"; then
	cat "$T/edge.log"; echo "FAIL: the edge did not start"; exit 1
fi

# load OUT TO SEED [ARGS...]: the client's load mode from A to TO, 100
# requests/s for 500 ms (about 50 response times); its line in OUT.
load() {
	out=$1 to=$2 seed=$3; shift 3
	timeout 30 ip netns exec "${P}A" "$CLIENT" --to "$to" --rate 100 \
		--for 500 --seed "$seed" --timeout 2000 "$@" >"$out" 2>"$out.err"
}
# field NAME FILE: the value of NAME= in FILE's client line
field() { sed -n "s/^client: load.* $1=\([^ ]*\).*/\1/p" "$2"; }

# the baselines (several runs: the first wakes the neighbour caches)
load "$T/warm6" "[fc00:e1::1]:$PORT" 1
load "$T/warm4" "10.91.1.1:$PORT" 1
load "$T/base6" "[fc00:e1::1]:$PORT" 2
check_has "baseline IPv6, direct" ' lost=0 ' cat "$T/base6"
load "$T/base4" "10.91.1.1:$PORT" 3
check_has "baseline IPv4, direct" ' lost=0 ' cat "$T/base4"
B6=$(field rt_p50_ms "$T/base6"); B4=$(field rt_p50_ms "$T/base4")
echo "     baseline (no delay line): IPv6 p50 ${B6:-?} ms, IPv4 p50 ${B4:-?} ms"

# start_delay LOG ARGS...: cats-delay in R; its pid in DP
start_delay() {
	log=$1; shift
	ip netns exec "${P}R" "$DELAY" "$@" 2>"$log" &
	DP=$!; PIDS="$PIDS $DP"
	wait_for 5 grep -q 'ready:' "$log"
}
# stop_delay NAME LOG: SIGTERM; exit 0, its counters, no sanitizer report
stop_delay() {
	kill -TERM "$DP"
	wait_pid "$DP" 10
	_src=$?
	PIDS=$(echo "$PIDS" | sed "s/ $DP\$//; s/ $DP / /")
	if [ $_src -eq 0 ] && sanitizer_clean "$2"; then
		pass "$1: stopped, exit 0"
	else
		fail "$1: exit $_src"; cat "$2"
	fi
}

# --- the delays, measured -----------------------------------------------
if ! start_delay "$T/delay.log" --tun dl0 --name R \
    --delay fc00:e1::/32=5 --delay fc00:e1:1::/48=1 --delay fc00:e2::/32=2 \
    --delay fc00:e3::/32=0 --delay 10.91.0.0/16=0.5; then
	cat "$T/delay.log"; echo "FAIL: cats-delay did not start"; exit 1
fi
check_has "ready line" 'cats-delay\[R\]: ready: tun dl0, 5 prefixes, limit 10000' \
	cat "$T/delay.log"
for p in $V6; do x R -6 route replace "$p" dev dl0; done
x R -4 route replace $V4 dev dl0

# measure NAME TO MS BASE SEED: the median through the delay line minus
# the direct median BASE is MS within TOL_MS
measure() {
	name=$1 to=$2 ms=$3 base=$4 seed=$5
	load "$T/m" "$to" "$seed"
	rc=$?
	p50=$(field rt_p50_ms "$T/m")
	if [ $rc -ne 0 ] || [ -z "$p50" ] || [ -z "$base" ]; then
		fail "$name: exit $rc: $(cat "$T/m" "$T/m.err")"
		return
	fi
	if res=$(awk -v p="$p50" -v b="$base" -v c="$ms" -v t="$TOL_MS" 'BEGIN {
		d = p - b; e = d - c
		printf "configured %.3f ms, measured %.3f ms (p50 %.3f - baseline %.3f), error %+.3f ms, tolerance %.1f ms\n",
		    c, d, p, b, e, t
		exit (e < -t || e > t) }'); then
		pass "$name: $res"
	else
		fail "$name: $res"
	fi
}
measure "IPv6 5 ms (fc00:e1::/32)" "[fc00:e1::1]:$PORT" 5 "$B6" 11
measure "IPv6 1 ms (longest match fc00:e1:1::/48)" "[fc00:e1:1::1]:$PORT" 1 "$B6" 12
measure "IPv6 2 ms (fc00:e2::/32)" "[fc00:e2::1]:$PORT" 2 "$B6" 13
measure "IPv6 0 ms (fc00:e3::/32: the TUN's own cost)" "[fc00:e3::1]:$PORT" 0 "$B6" 14
measure "IPv4 0.5 ms (10.91.0.0/16)" "10.91.1.1:$PORT" 0.5 "$B4" 15

# --- order: a burst of about 1000 requests through the 5 ms prefix -------
# The edge logs each new transaction as it reads it: the tx ids, sent in
# increasing order, must arrive so.
lines=$(wc -l <"$T/edge.log")
timeout 30 ip netns exec "${P}A" "$CLIENT" --to "[fc00:e1::1]:$PORT" \
	--rate 5000 --for 200 --seed 21 --tx 100000 --timeout 2000 \
	>"$T/burst" 2>"$T/burst.err"
tail -n +"$((lines + 1))" "$T/edge.log" |
	sed -n 's/.*: tx \([0-9]*\) from \[fc00:a::2\].*/\1/p' >"$T/order"
n=$(wc -l <"$T/order")
if [ "$n" -ge 500 ] && awk 'NR > 1 && $1 <= prev { bad = 1 } { prev = $1 }
    END { exit bad }' "$T/order"; then
	pass "order kept: $n requests of a burst arrived in order ($(cat "$T/burst"))"
else
	fail "order: $n requests, or out of order: $(cat "$T/burst")"
fi

stop_delay "delay line" "$T/delay.log"
sed -n 's/^cats-delay\[R\]: \(prefix\|stopped\)/     &/p' "$T/delay.log"
check_has "per-prefix counters" 'prefix fc00:e1:1::/48 1 ms: delayed=[1-9]' cat "$T/delay.log"
# every packet accounted for: delayed + undelayed + dropped + discarded +
# write errors = packets read
check_has "counters add up" '^ok$' awk '/stopped:/ { for (i = 1; i <= NF; i++) {
	split($i, kv, "="); v[kv[1]] = kv[2] }
	sum = v["delayed"] + v["undelayed"] + v["dropped"] + v["discarded"]
	sum += v["write_errors"]
	r = v["packets"] > 0 && v["packets"] == sum ? "ok" : "no: " $0
	print r }' "$T/delay.log"
check_has "lateness reported" 'stopped: .* late_mean_us=[0-9.]* late_max_us=[0-9.]*' \
	cat "$T/delay.log"

# --- the limit: 20 packets held, a burst of about 200 -------------------
if ! start_delay "$T/limit.log" --tun dl0 --name lim --limit 20 \
    --delay fc00:e1::/32=200; then
	cat "$T/limit.log"; echo "FAIL: cats-delay --limit did not start"; exit 1
fi
timeout 30 ip netns exec "${P}A" "$CLIENT" --to "[fc00:e1::1]:$PORT" \
	--rate 2000 --for 100 --seed 31 --tx 200000 --timeout 1000 \
	>"$T/lim" 2>"$T/lim.err"
crc=$?
stop_delay "delay line with --limit" "$T/limit.log"
lost=$(field lost "$T/lim"); done_=$(field completed "$T/lim")
sent=$(field sent "$T/lim")
st=$(grep 'stopped:' "$T/limit.log")
dropped=$(echo "$st" | sed -n 's/.* dropped=\([0-9]*\) .*/\1/p')
delayed=$(echo "$st" | sed -n 's/.* delayed=\([0-9]*\) .*/\1/p')
packets=$(echo "$st" | sed -n 's/.* packets=\([0-9]*\) .*/\1/p')
# (undelayed: the kernel's own MLD reports, sent out of the TUN when it
# gets its carrier back: no prefix of ours, written back at once)
undelayed=$(echo "$st" | sed -n 's/.* undelayed=\([0-9]*\) .*/\1/p')
if [ "$crc" -eq 1 ] && [ "${delayed:-x}" = 20 ] && [ "${dropped:-0}" -gt 0 ] &&
    [ "$dropped" = "$lost" ] && [ "$delayed" = "$done_" ] &&
    [ "$((packets - undelayed))" = "$sent" ]; then
	pass "limit 20: $st; client: sent=$sent completed=$done_ lost=$lost"
else
	fail "limit: client exit $crc: $(cat "$T/lim"); $st"
fi
check_has "drops logged" 'fc00:e1::/32: 20 packets held (limit 20): dropped' \
	cat "$T/limit.log"

# --- a TUN cats-delay creates goes with it -------------------------------
if start_delay "$T/own.log" --tun dlx --delay 2001:db8::/32=1; then
	check_has "its own TUN exists while it runs" 'dlx' x R link show dlx
	stop_delay "delay line on its own TUN" "$T/own.log"
	check_fails "its own TUN gone after it" 1 'does not exist' x R link show dlx
else
	fail "cats-delay --tun dlx: $(cat "$T/own.log")"
	stop_pids 2 "$DP"
fi

# --- bad arguments: exit 2, saying why -----------------------------------
check_fails "missing --tun" 2 'missing --tun' "$DELAY" --delay fc00::/32=1
check_fails "missing --delay" 2 'missing --delay' "$DELAY" --tun dl9
check_fails "bad prefix" 2 'bad prefix: not an IPv4 or IPv6 address' \
	"$DELAY" --tun dl9 --delay fc00::zz/32=1
check_fails "host bits" 2 'host bits set' "$DELAY" --tun dl9 --delay fc00::1/32=1
check_fails "prefix length" 2 'length not 0 to 128' "$DELAY" --tun dl9 --delay fc00::/129=1
check_fails "negative delay" 2 'bad delay: negative' "$DELAY" --tun dl9 --delay fc00::/32=-1
check_fails "delay over the cap" 2 'too large (at most 10000 ms)' \
	"$DELAY" --tun dl9 --delay fc00::/32=10000.5
check_fails "delay not a number" 2 'not a decimal number' "$DELAY" --tun dl9 --delay fc00::/32=5ms
check_fails "no =MS" 2 'not PREFIX=MS' "$DELAY" --tun dl9 --delay fc00::/32
check_fails "prefix twice" 2 'given twice' "$DELAY" --tun dl9 \
	--delay fc00::/32=1 --delay fc00::/32=2
many=""
for i in $(seq 1 65); do many="$many --delay fc00:$i::/32=1"; done
# shellcheck disable=SC2086
check_fails "too many prefixes" 2 'too many prefixes (at most 64)' "$DELAY" --tun dl9 $many
check_fails "limit 0" 2 'not 1 to 1000000 packets' "$DELAY" --tun dl9 \
	--delay fc00::/32=1 --limit 0
check_fails "bad TUN name" 2 'not an interface name' "$DELAY" --tun a/b --delay fc00::/32=1

kill -TERM "$EP"
wait_pid "$EP" 10
rc=$?
PIDS=""
if [ $rc -eq 0 ] && sanitizer_clean "$T/edge.log"; then
	pass "edge stopped, exit 0"
else
	fail "edge: exit $rc"; cat "$T/edge.log"
fi
check_done "delay"
