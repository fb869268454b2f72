#!/bin/sh
# cats-sim world, end to end on small worlds: the summary, the CSVs, the
# plots gnuplot draws, the per-request lines adding up to the summary, a
# generated world written and read back to the same numbers, a trace, and
# malformed files and arguments refused with the file, line and reason.
# Runs the sanitized binary; SIM overrides it.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
SIM=${SIM:-build/san/cats-sim}
ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}exitcode=86
UBSAN_OPTIONS=${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}exitcode=86:print_stacktrace=1
export ASAN_OPTIONS UBSAN_OPTIONS
[ -x "$SIM" ] || { echo "no $SIM"; exit 1; }

T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

cat >"$T/two.edges" <<'EOT'
node near lat 48.85 lon 2.35 access
node far lat 52.52 lon 13.40 access
node core
link near core delay 2ms
link core far delay 8ms bw 10Gbps
EOT
cat >"$T/w.world" <<'EOT'
# near: few servers; far: many
topology two.edges
service job work_ms 100 max_ms 400 state_kb 100
service "quick" work_ms 5 max_ms 50 net_ms 20 weight 2
site near job servers 2
site far job servers 12
site near quick servers 1
site "far" quick servers 1
clients 300
duration_s 120
session_s 30
think_ms 1000
move_s 15
seed 5
EOT

# csv_col FILE ROW COLUMN: a column (by header name) of row ROW (1 = first
# data row) of a CSV
csv_col() {
	awk -F, -v r="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++)
	    k[$i] = i; next } NR == r + 1 { print $k[c] }' "$1"
}

# sum_col POLICY METHOD SWITCH COLUMN: that variant's column of the run's
# summary.csv
sum_col() {
	awk -F, -v p="$1" -v m="$2" -v s="$3" -v c="$4" '
	    NR == 1 { for (i = 1; i <= NF; i++) k[$i] = i; next }
	    $1 == p && $2 == m && $3 == s { print $k[c] }' "$T/out/summary.csv"
}

# 1. a run with everything written
if "$SIM" world "$T/w.world" --policies response-time,nearest,oracle \
    --methods none,proactive --switch both --out "$T/out" \
    --requests "$T/req.csv" --load "$T/load.csv" --load-every 5000 \
    >"$T/table" 2>"$T/err"; then
	pass "a run of 12 variants exits 0"
else
	fail "cats-sim world: $(cat "$T/err")"
fi
check_has "the table has a row per variant" 'oracle/proactive+switch' \
	cat "$T/table"
rows=$(($(wc -l <"$T/out/summary.csv") - 1))
[ "$rows" -eq 12 ] && pass "summary.csv: 12 rows" ||
	fail "summary.csv: $rows rows, not 12"
# every transaction that got an instance is one line of req.csv
want=$(awk -F, 'NR > 1 { n += $6 + $7 } END { print n }' "$T/out/summary.csv")
got=$(($(wc -l <"$T/req.csv") - 1))
[ "$got" -gt 0 ] && [ "$got" -eq "$want" ] &&
	pass "req.csv: one line per result, $got" ||
	fail "req.csv: $got lines, summary says $want"
lost=$(awk -F, 'NR > 1 && $9 == 1 { n++ } END { print n + 0 }' "$T/req.csv")
slost=$(awk -F, 'NR > 1 { n += $7 } END { print n + 0 }' "$T/out/summary.csv")
[ "$lost" -eq "$slost" ] && [ "$lost" -gt 0 ] &&
	pass "req.csv: $lost lost, as the summary (method none loses)" ||
	fail "req.csv: $lost lost, the summary $slost"
[ "$(sum_col response-time proactive no lost)" = 0 ] &&
	pass "proactive loses nothing" || fail "proactive lost results"
hm=$(sum_col response-time proactive no ho_mean_ms)
awk -v v="$hm" 'BEGIN { exit !(v >= 10) }' &&
	pass "a proactive move interrupts for ${hm} ms (>= one crossing of the 10 ms path)" ||
	fail "proactive interruption $hm ms"
unconv=$(awk -F, 'NR > 1 { n += $NF } END { print n + 0 }' "$T/out/summary.csv")
[ "$unconv" -eq 0 ] && pass "every move the packet-level engine played ended well" ||
	fail "$unconv moves whose play did not converge"
p_rt=$(sum_col response-time proactive no p95_ms)
p_nr=$(sum_col nearest proactive no p95_ms)
awk -v a="$p_rt" -v b="$p_nr" 'BEGIN { exit !(a < b) }' &&
	pass "CATS p95 $p_rt ms < nearest $p_nr ms" ||
	fail "CATS p95 $p_rt ms, nearest $p_nr ms"
# every 5 s, a line per site (4) of each variant (12); a variant that
# drains a backlog longer has more samples
lrows=$(($(wc -l <"$T/load.csv") - 1))
lvar=$(awk -F, 'NR > 1 { v[$1 "/" $2 "/" $3]++ } END {
    for (k in v) { n++; if (v[k] % 4) bad++ } print n + 0, bad + 0 }' "$T/load.csv")
[ "$lvar" = "12 0" ] &&
	pass "load.csv: every site of every variant, $lrows lines" ||
	fail "load.csv: variants and misfits $lvar, not 12 0"
if sanitizer_free=$(grep -lE 'Sanitizer|runtime error' "$T/err"); then
	fail "sanitizer report: $sanitizer_free"
else
	pass "no sanitizer report"
fi

# 2. plots
if command -v gnuplot >/dev/null; then
	for f in cdf.png cdf.svg interruption.png interruption.svg load.png \
	    load-0.svg; do
		if [ -s "$T/out/$f" ]; then pass "plot $f"; else fail "no plot $f"; fi
	done
	check_has "cdf.png is a PNG" 'PNG image' file "$T/out/cdf.png"
	check_has "cdf.svg is SVG" '<svg' cat "$T/out/cdf.svg"
else
	skip "gnuplot is not installed: no plots to check (make deps)"
fi

# 3. a generated world, written and read back: the same numbers
if "$SIM" world --generate 40 --clients 300 --seed 9 --policies \
    response-time --write "$T/gen" --csv >"$T/gen1" 2>"$T/err" &&
    "$SIM" world "$T/gen.world" --policies response-time --csv \
    >"$T/gen2" 2>>"$T/err"; then
	if cmp -s "$T/gen1" "$T/gen2"; then
		pass "a generated world read back from its files gives the same summary"
	else
		fail "generated and read back differ: $(diff "$T/gen1" "$T/gen2" | head -3)"
	fi
else
	fail "generate/write/read: $(cat "$T/err")"
fi

# 4. a trace
printf '0 0 near\n5000 0 far\n9000 1 far\n12000 0 near\n' >"$T/t.trace"
sed 's/^move_s 15$/mobility trace t.trace/' "$T/w.world" >"$T/tr.world"
check_has "a trace's moves are handovers" '^response-time,proactive,no,' \
	"$SIM" world "$T/tr.world" --policies response-time --methods proactive --csv
ho=$("$SIM" world "$T/tr.world" --policies response-time --methods proactive \
    --csv 2>/dev/null | csv_col /dev/stdin 1 handovers)
[ "${ho:-0}" -ge 1 ] && [ "${ho:-0}" -le 3 ] && pass "trace: $ho handovers" ||
	fail "trace: ${ho:-none} handovers, not 1..3"

# 5. malformed files and arguments
printf 'topology two.edges\nservice job work_ms 1\nsite moon job\n' >"$T/bad.world"
check_fails "a site on an unknown node" 2 "$T/bad.world:3: no node \"moon\"" \
	"$SIM" world "$T/bad.world"
printf 'node a\nlink a b delay 5 parsecs\n' >"$T/bad.edges"
printf 'topology bad.edges\n' >"$T/bad2.world"
check_fails "a malformed topology" 2 "bad.edges:2:" "$SIM" world "$T/bad2.world"
printf '0 0 nowhere\n' >"$T/bad.trace"
sed 's/^move_s 15$/mobility trace bad.trace/' "$T/w.world" >"$T/bad3.world"
check_fails "a trace naming an unknown node" 2 "bad.trace:1:" \
	"$SIM" world "$T/bad3.world"
check_fails "an unknown policy" 2 "--policies: a bad list" \
	"$SIM" world "$T/w.world" --policies fastest
check_fails "a world of one site" 2 "--generate: sites in [2, 1000000]" \
	"$SIM" world --generate 1
check_fails "no world" 2 "give a world file or --generate SITES" "$SIM" world
check_fails "a missing file" 2 "cannot open" "$SIM" world "$T/none.world"

check_done scale
