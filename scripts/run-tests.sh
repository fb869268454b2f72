#!/bin/sh
# Run test programs of one kind and print "KIND: N passed, N failed, N skipped".
#   unit  cmocka binaries; their per-test counts are summed, a test cmocka
#         skipped is a skip, its reason the last line it printed
#   sh    shell tests; each script is one test (exit 77 = skipped), and
#         each "skip: REASON" line of one that ran is one skip more
#   fuzz  libFuzzer harnesses, FUZZ_SECONDS each, seeded from
#         tests/fuzz/seeds/NAME.hex; each harness is one test
# Every skip is listed before that line as "skipped: WHAT: REASON".
# With CHECK_COUNTS=FILE the counts and that list are also appended to
# FILE, and "run-tests.sh total FILE" prints the whole list, then the sum
# over all kinds as the last line.
set -u
kind=$1; shift
O=${O:-build}

if [ "$kind" = total ]; then
	grep '^skipped: ' "$1"
	awk '$1 != "skipped:" { p += $2; f += $3; s += $4 }
	    END { printf "check: %d passed, %d failed, %d skipped\n", p, f, s;
		  exit f > 0 }' "$1"
	exit
fi

pass=0; fail=0; skip=0
skips=$(mktemp)		# "skipped: WHAT: REASON", one line a skip

# The sum of cmocka's "[ WORD ] N test(s)" summary lines (one a group).
cm_count() {
	sed -n "s/^\[ *$1 *\] \([0-9][0-9]*\) test(s).*/\1/p" "$log" |
	    awk '{ n += $1 } END { print n + 0 }'
}

# "NAME: REASON" of each test cmocka skipped: the last line the test
# printed between its RUN and SKIPPED lines ("skipped: " dropped).
cm_skips() {
	awk '/^\[ RUN      \] / { t = substr($0, 14); why = ""; next }
	    t != "" && $0 == "[  SKIPPED ] " t {
		print t ": " (why != "" ? why : "no reason printed"); t = ""; next }
	    /^\[       OK \] / || /^\[  FAILED  \] / { t = ""; next }
	    t != "" { why = $0; sub(/^skipped: /, "", why) }' "$log"
}

run_unit() {
	"$1" >"$log" 2>&1; rc=$?
	cat "$log"
	p=$(cm_count PASSED); f=$(cm_count FAILED); s=$(cm_count SKIPPED)
	n=$(cm_count ==========)
	# A cmocka that counted skips as passes too must not make them so.
	[ "$n" -gt 0 ] && [ $((p + f + s)) -gt "$n" ] && p=$((n - f - s))
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	cm_skips | sed "s|^|skipped: ${1##*/}/|" >>"$skips"
	listed=$(cm_skips | wc -l)
	[ "$s" -gt "$listed" ] && echo "skipped: ${1##*/}: $((s - listed))" \
	    "more test(s) that cmocka counted, no reason printed" >>"$skips"
	# A crash or sanitizer report counts even when cmocka said nothing.
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then fail=$((fail + 1)); fi
}

run_sh() {
	echo "== $1"
	sh "$1" >"$log" 2>&1; rc=$?
	sed 's/^/   /' "$log"
	# Each "skip: REASON" line of a test that ran (tests/lib/check.sh) is
	# a skip of its own, listed with its reason; a test that exits 77 is
	# one skip whatever it printed.
	ns=$(grep -c '^skip: ' "$log")
	grep '^skip: ' "$log" | sed "s|^skip: |   SKIP $1: |"
	case $rc in
	0) pass=$((pass + 1)); skip=$((skip + ns)); echo "   PASS $1" ;;
	77) skip=$((skip + 1)); echo "   SKIP $1" ;;
	*) fail=$((fail + 1)); skip=$((skip + ns)); echo "   FAIL $1 (exit $rc)" ;;
	esac
	if [ $rc -eq 77 ]; then
		echo "skipped: $1: $(sh_why)" >>"$skips"
	else
		grep '^skip: ' "$log" | sed "s|^skip: |skipped: $1: |" >>"$skips"
	fi
}

# Why a shell test exited 77: its first "skip: " line, else its last line.
sh_why() {
	w=$(sed -n 's/^skip: //p' "$log" | head -n 1)
	[ -n "$w" ] || w=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	echo "${w:-exit 77, no reason printed}"
}

run_fuzz() {
	n=${1##*/fuzz_}
	corpus=$O/fuzz-corpus/$n; seeds=$O/fuzz-seeds/$n
	mkdir -p "$corpus"; rm -rf "$seeds"
	scripts/hex2seeds.sh "tests/fuzz/seeds/$n.hex" "$seeds"
	# the corpus of the last long campaign (make fuzz-corpus), minimized
	[ -f "tests/fuzz/corpus/$n.hex" ] &&
	    scripts/hex2seeds.sh "tests/fuzz/corpus/$n.hex" "$seeds"
	echo "fuzz: $n for ${FUZZ_SECONDS:-60} s"
	if "$1" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
	    "$corpus" "$seeds" >"$log" 2>&1; then
		pass=$((pass + 1))
		grep -E 'stat::number_of_executed_units|stat::peak_rss' "$log"
	else
		fail=$((fail + 1))
		tail -n 40 "$log"
		echo "fuzz: $n FAILED (crash input saved in the current directory)"
	fi
}

for t in "$@"; do
	log=$(mktemp)
	"run_$kind" "$t"
	rm -f "$log"
done
cat "$skips"
echo "$kind: $pass passed, $fail failed, $skip skipped"
[ -n "${CHECK_COUNTS:-}" ] && echo "$kind $pass $fail $skip" >>"$CHECK_COUNTS" &&
    cat "$skips" >>"$CHECK_COUNTS"
rm -f "$skips"
[ $fail -eq 0 ]
