#!/bin/sh
# Run test programs and print one closing line "N passed, N failed".
# unit: cmocka binaries; their own per-test counts are summed.
# sh:   shell tests; each script is one test (exit 77 = skipped).
set -u
kind=$1; shift
pass=0; fail=0; skip=0
for t in "$@"; do
	log=$(mktemp)
	if [ "$kind" = unit ]; then
		"$t" >"$log" 2>&1; rc=$?
		cat "$log"
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
		pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
		# A crash or sanitizer report counts even when cmocka said nothing.
		[ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ] && fail=$((fail + 1))
	else
		echo "== $t"
		sh "$t" >"$log" 2>&1; rc=$?
		sed 's/^/   /' "$log"
		case $rc in
		0) pass=$((pass + 1)); echo "   PASS $t" ;;
		77) skip=$((skip + 1)); echo "   SKIP $t" ;;
		*) fail=$((fail + 1)); echo "   FAIL $t (exit $rc)" ;;
		esac
	fi
	rm -f "$log"
done
echo "$kind: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
