#!/bin/sh
# The reference edge service on loopback: two edges, a client that gets
# every result exactly once (IPv4 and IPv6), idempotent requests, a
# transaction switched by hand from edge1 to edge2 (EXPORT, IMPORT) with
# nothing lost or repeated, the HTTP page naming each edge (with curl),
# malformed input counted and survived, the client's load mode against an
# edge of one worker (response times under and over its capacity), and a
# clean stop on SIGTERM.
# Runs the sanitized programs; EDGE and CLIENT override them.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
EDGE=${EDGE:-build/san/cats-edge}
CLIENT=${CLIENT:-build/san/cats-client}
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
for p in "$EDGE" "$CLIENT"; do
	[ -x "$p" ] || { echo "no $p"; exit 1; }
done

T=$(mktemp -d) || exit 1
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Ports from the PID, so parallel runs do not clash: BASE .. BASE+9.
BASE=$((20000 + ($$ % 4000) * 10))
E1_UDP=$BASE; E1_CTL=$((BASE + 1)); E1_HTTP=$((BASE + 2))
E2_UDP=$((BASE + 3)); E2_HTTP=$((BASE + 4)); C_PORT=$((BASE + 5))
E3_UDP=$((BASE + 6))
E2_CTL=$T/edge2.ctl

have_v6=0
ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' && have_v6=1

# wait_log FILE TEXT: until TEXT is in FILE, at most 5 s.
wait_log() { wait_for 5 grep -qF -- "$2" "$1"; }

# client_ok NAME WANT_EDGES ARGS...: the client exits 0 with nothing
# missing or duplicated and saw exactly the edges WANT_EDGES.
client_ok() {
	name=$1; want=$2; shift 2
	timeout 20 "$CLIENT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	check_line "$name" "$want" "$rc"
}

check_line() {
	line=$(grep '^client: ' "$T/out")
	if grep -qE 'Sanitizer|runtime error' "$T/err"; then
		cat "$T/err"
		fail "$1: sanitizer report"
		return
	fi
	[ "$3" -eq 0 ] || { fail "$1: exit $3: $line $(cat "$T/err")"; return; }
	echo "$line" | grep -q ' missing=0 duplicated=0 ' ||
		{ fail "$1: $line"; return; }
	[ "${line##* edges=}" = "$2" ] ||
		{ fail "$1: edges ${line##* edges=}, want $2"; return; }
	pass "$1: $line"
}

if [ $have_v6 -eq 1 ]; then
	E2_LISTEN="[::]:$E2_UDP"; E2_HTTPL="[::1]:$E2_HTTP"
else
	E2_LISTEN="0.0.0.0:$E2_UDP"; E2_HTTPL="127.0.0.1:$E2_HTTP"
fi
"$EDGE" --name edge1 --listen "127.0.0.1:$E1_UDP" \
	--control "127.0.0.1:$E1_CTL" --http "127.0.0.1:$E1_HTTP" \
	2>"$T/edge1.log" &
E1=$!; PIDS="$PIDS $E1"
"$EDGE" --name edge2 --listen "$E2_LISTEN" --control "unix:$E2_CTL" \
	--http "$E2_HTTPL" 2>"$T/edge2.log" &
E2=$!; PIDS="$PIDS $E2"
if ! wait_log "$T/edge1.log" ready || ! wait_log "$T/edge2.log" ready; then
	cat "$T/edge1.log" "$T/edge2.log"
	echo "FAIL: the edges did not start"
	exit 1
fi

# --- every result exactly once ------------------------------------------
client_ok "edge1 over IPv4" edge1 --to "127.0.0.1:$E1_UDP" --tx 1 \
	--count 50 --interval 2 --timeout 3000
grep -q ' received=50 ' "$T/out" || fail "edge1: not 50 received"
client_ok "edge2 over IPv4 (dual-stack socket)" edge2 \
	--to "127.0.0.1:$E2_UDP" --tx 2 --count 20 --interval 2
if [ $have_v6 -eq 1 ]; then
	client_ok "edge2 over IPv6" edge2 --to "[::1]:$E2_UDP" --tx 3 \
		--count 20 --interval 2 --payload 1200
else
	skip "edge2 over IPv6: no ::1 on lo"
fi
# every request sent 5 times: the transaction starts once
client_ok "repeated requests are idempotent" edge1 \
	--to "127.0.0.1:$E1_UDP" --tx 4 --count 30 --interval 5 --copies 5 \
	--linger 100

# --- transaction switch by hand: edge1 -> edge2 -------------------------
timeout 30 "$CLIENT" --to "127.0.0.1:$E1_UDP" --bind "127.0.0.1:$C_PORT" \
	--tx 7 --count 60 --interval 25 --timeout 5000 --linger 300 \
	>"$T/out" 2>"$T/err" &
C=$!; PIDS="$PIDS $C"
wait_log "$T/edge1.log" "tx 7 from 127.0.0.1:$C_PORT" ||
	fail "switch: edge1 did not start tx 7"
sleep 0.5	# lint: sleep-ok: the transaction runs part-way (60 results over 1.5 s); "next=" below checks it did
if timeout 10 "$CLIENT" --export "127.0.0.1:$E1_CTL" \
    --client "127.0.0.1:$C_PORT" --tx 7 >"$T/state" 2>"$T/exp.err"; then
	pass "export: $(cat "$T/exp.err")"
else
	fail "export: $(cat "$T/exp.err")"
fi
next=$(sed -n 's/.* next=\([0-9]*\) .*/\1/p' "$T/exp.err")
[ "${next:-0}" -gt 1 ] && [ "${next:-0}" -le 60 ] ||
	fail "export: next=${next:-?}, want midway"
grep -q 'blob=origin=edge1' "$T/exp.err" || fail "export: no blob"
if timeout 10 "$CLIENT" --import "unix:$E2_CTL" --state "$(cat "$T/state")" \
    >"$T/imp.out" 2>"$T/imp.err"; then
	pass "import: $(cat "$T/imp.err")"
else
	fail "import: $(cat "$T/imp.err")"
fi
wait_pid $C 20
check_line "switch edge1 -> edge2" edge1,edge2 $?
grep -q ' received=60 ' "$T/out" || fail "switch: not 60 received"
# the state left edge1: exporting again is refused, so is a second import
timeout 10 "$CLIENT" --export "127.0.0.1:$E1_CTL" \
    --client "127.0.0.1:$C_PORT" --tx 7 >/dev/null 2>"$T/err" &&
	fail "second export succeeded"
grep -q 'error moved' "$T/err" && pass "second export: $(cat "$T/err")" ||
	fail "second export: $(cat "$T/err")"
timeout 10 "$CLIENT" --export "127.0.0.1:$E1_CTL" \
    --client "127.0.0.1:$C_PORT" --tx 99 >/dev/null 2>"$T/err" &&
	fail "export of an unknown transaction succeeded"
grep -q 'error no-transaction' "$T/err" || fail "unknown tx: $(cat "$T/err")"

# --- HTTP ---------------------------------------------------------------
if command -v curl >/dev/null 2>&1; then
	page=$(curl -s --max-time 5 "http://127.0.0.1:$E1_HTTP/")
	echo "$page" | grep -q 'cats edge edge1' &&
		pass "http edge1: $(echo "$page" | grep h1)" ||
		fail "http edge1: $page"
	if [ $have_v6 -eq 1 ]; then url="http://[::1]:$E2_HTTP/"
	else url="http://127.0.0.1:$E2_HTTP/"; fi
	curl -sg --max-time 5 "$url" | grep -q 'cats edge edge2' &&
		pass "http edge2" || fail "http edge2"
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		"http://127.0.0.1:$E1_HTTP/nope")
	[ "$code" = 404 ] || fail "http: /nope gave $code"
	# HTTP to the control port: a malformed command, answered and closed
	curl -s --max-time 5 "http://127.0.0.1:$E1_CTL/" >/dev/null 2>&1
	wait_log "$T/edge1.log" "malformed control command" ||
		fail "control: HTTP not reported as malformed"
else
	skip "HTTP pages and HTTP to the control port: no curl"
fi

# --- malformed datagrams: counted, logged, survived ---------------------
for hex in 00 0102ff 020100120000000700000064000000140040 \
    010100120000000700000000000000140040 01020004 \
    0102001c000000070000002f0000006405656467653200042f303132; do
	"$CLIENT" --to "127.0.0.1:$E1_UDP" --raw "$hex" 2>>"$T/raw.err" ||
		fail "raw $hex: $(cat "$T/raw.err")"
done
wait_log "$T/edge1.log" "malformed datagram" || fail "malformed not logged"
client_ok "edge1 after malformed input" edge1 --to "127.0.0.1:$E1_UDP" \
	--tx 8 --count 10 --interval 2

# --- load mode: an edge of 1 worker, 10 ms a request (100 requests/s) ---
"$EDGE" --name edge3 --listen "127.0.0.1:$E3_UDP" --workers 1 --work-ms 10 \
	--queue 16 --load-interval 0 2>"$T/edge3.log" &
E3=$!; PIDS="$PIDS $E3"
wait_log "$T/edge3.log" ready || fail "edge3 did not start"
# load_field NAME FILE: NAME= of the load line in FILE
load_field() { sed -n "s/^client: load.* $1=\([^ ]*\).*/\1/p" "$2"; }
# 25 requests/s, a quarter of its capacity: about 40 requests, each served
# at once or after a short wait: the median is the 10 ms of work (plus the
# edge's timer, which rounds to the millisecond)
timeout 20 "$CLIENT" --to "127.0.0.1:$E3_UDP" --rate 25 --for 1600 --seed 7 \
	--rt-file "$T/rt.under" >"$T/out" 2>"$T/err"
rc=$?
line=$(grep '^client: load ' "$T/out")
p50=$(load_field rt_p50_ms "$T/out")
if [ $rc -eq 0 ] && [ "${line#* errors=0 lost=0 }" != "$line" ] &&
    awk -v p="${p50:-0}" 'BEGIN { exit !(p >= 9.5 && p <= 16) }'; then
	pass "load under capacity: p50 ${p50} ms, about the 10 ms of work: $line"
else
	fail "load under capacity: exit $rc: $line $(cat "$T/err")"
fi
check_has "rt file: one line a transaction" "^$(load_field sent "$T/out")\$" \
	awk '$2 == "edge3" && $3 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ && $4 == "ok" { n++ }
	    END { print n + 0 }' "$T/rt.under"
# 300 requests/s, three times its capacity, for 1 s: the queue (16) fills,
# the waits grow to 16 services (160 ms), the rest is refused (full)
timeout 20 "$CLIENT" --to "127.0.0.1:$E3_UDP" --rate 300 --for 1000 --seed 8 \
	--tx 5000 --rt-file "$T/rt.over" >"$T/out" 2>"$T/err"
rc=$?
line=$(grep '^client: load ' "$T/out")
p95=$(load_field rt_p95_ms "$T/out"); errs=$(load_field errors "$T/out")
if [ $rc -eq 1 ] && [ "${errs:-0}" -gt 0 ] &&
    [ "${line#* lost=0 }" != "$line" ] &&
    awk -v p="${p95:-0}" 'BEGIN { exit !(p >= 80) }'; then
	pass "load over capacity: p95 ${p95} ms, ${errs} refused, exit 1: $line"
else
	fail "load over capacity: exit $rc: $line $(cat "$T/err")"
fi
check_has "rt file: the refusals" '^[0-9]* - - error:full$' cat "$T/rt.over"
check_fails "load: rate 0" 2 "--rate 0: not a positive number" \
	"$CLIENT" --to "127.0.0.1:$E3_UDP" --rate 0 --for 100
check_fails "load: --for over 600000 ms" 2 "at most 600000 ms" \
	"$CLIENT" --to "127.0.0.1:$E3_UDP" --rate 1 --for 600001
check_fails "load: over 100000 requests" 2 "requests expected, at most 100000" \
	"$CLIENT" --to "127.0.0.1:$E3_UDP" --rate 1000 --for 100001
check_fails "load: no retry" 2 "would hide the queueing" \
	"$CLIENT" --to "127.0.0.1:$E3_UDP" --rate 10 --for 100 --retry 100
check_fails "load: --for without --rate" 2 "they need --rate" \
	"$CLIENT" --to "127.0.0.1:$E3_UDP" --for 100
kill -TERM "$E3"
wait_pid "$E3" 10
rc=$?
grep -qE 'Sanitizer|runtime error' "$T/edge3.log" &&
	{ cat "$T/edge3.log"; fail "edge3: sanitizer report"; }
[ $rc -eq 0 ] || fail "edge3: exit $rc on SIGTERM"
check_has "edge3 served and refused" 'pool: served=[1-9][0-9]* .* refused=[1-9]' \
	cat "$T/edge3.log"

# --- stop by SIGTERM: exit 0, counters, no sanitizer report -------------
for n in 1 2; do
	eval "pid=\$E$n"
	kill -TERM "$pid"
	wait_pid "$pid" 10
	rc=$?
	log=$T/edge$n.log
	grep -qE 'Sanitizer|runtime error' "$log" &&
		{ cat "$log"; fail "edge$n: sanitizer report"; }
	[ $rc -eq 0 ] || fail "edge$n: exit $rc on SIGTERM"
	grep 'stopped:' "$log" | sed 's/^/     /'
done
grep -q 'malformed=5 ' "$T/edge1.log" || fail "edge1: malformed not 5"
grep -q 'unexpected=1 ' "$T/edge1.log" || fail "edge1: a RESULT not unexpected"
grep -q 'repeated=[1-9]' "$T/edge1.log" || fail "edge1: repeats not counted"
grep -q 'imports=1 ' "$T/edge2.log" || fail "edge2: imports not 1"
[ -e "$E2_CTL" ] && fail "edge2 left its control socket"

check_done "apps"
