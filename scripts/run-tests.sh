#!/bin/sh
# Run test programs of one kind and print "KIND: N passed, N failed, N skipped".
#   unit  cmocka binaries; their per-test counts are summed
#   sh    shell tests; each script is one test (exit 77 = skipped)
#   fuzz  libFuzzer harnesses, FUZZ_SECONDS each, seeded from
#         tests/fuzz/seeds/NAME.hex; each harness is one test
# With CHECK_COUNTS=FILE the counts are also appended to FILE, and
# "run-tests.sh total FILE" prints the sum over all kinds as the last line.
set -u
kind=$1; shift
O=${O:-build}

if [ "$kind" = total ]; then
	awk '{ p += $2; f += $3; s += $4 }
	    END { printf "check: %d passed, %d failed, %d skipped\n", p, f, s;
		  exit f > 0 }' "$1"
	exit
fi

pass=0; fail=0; skip=0
run_unit() {
	"$1" >"$log" 2>&1; rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	# A crash or sanitizer report counts even when cmocka said nothing.
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then fail=$((fail + 1)); fi
}

run_sh() {
	echo "== $1"
	sh "$1" >"$log" 2>&1; rc=$?
	sed 's/^/   /' "$log"
	case $rc in
	0) pass=$((pass + 1)); echo "   PASS $1" ;;
	77) skip=$((skip + 1)); echo "   SKIP $1" ;;
	*) fail=$((fail + 1)); echo "   FAIL $1 (exit $rc)" ;;
	esac
}

run_fuzz() {
	n=${1##*/fuzz_}
	corpus=$O/fuzz-corpus/$n; seeds=$O/fuzz-seeds/$n
	mkdir -p "$corpus"; rm -rf "$seeds"
	scripts/hex2seeds.sh "tests/fuzz/seeds/$n.hex" "$seeds"
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
echo "$kind: $pass passed, $fail failed, $skip skipped"
[ -n "${CHECK_COUNTS:-}" ] && echo "$kind $pass $fail $skip" >>"$CHECK_COUNTS"
[ $fail -eq 0 ]
