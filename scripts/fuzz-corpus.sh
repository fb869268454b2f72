#!/bin/sh
# The long fuzz campaign (make fuzz-corpus): each harness given runs
# FUZZ_SECONDS (600) from its seeds and the committed corpus, then what it
# found is minimized (libFuzzer -merge=1) into tests/fuzz/corpus/NAME.hex,
# which make check's short runs start from.  A crash stops the harness: its
# input is left in $O/fuzz-artifacts/NAME/, to be committed as a seed (and
# the bug fixed) before the corpus is.
# Usage: O=build FUZZ_SECONDS=600 scripts/fuzz-corpus.sh build/fuzz/fuzz_NAME...
set -u
O=${O:-build}
rc=0
for h in "$@"; do
	n=${h##*/fuzz_}
	work=$O/fuzz-campaign/$n art=$O/fuzz-artifacts/$n
	rm -rf "$work"; mkdir -p "$work/found" "$work/seeds" "$work/min" "$art"
	scripts/hex2seeds.sh "tests/fuzz/seeds/$n.hex" "$work/seeds"
	[ -f "tests/fuzz/corpus/$n.hex" ] &&
	    scripts/hex2seeds.sh "tests/fuzz/corpus/$n.hex" "$work/seeds"
	echo "fuzz-corpus: $n for ${FUZZ_SECONDS:-600} s"
	if ! "$h" -max_total_time="${FUZZ_SECONDS:-600}" -print_final_stats=1 \
	    -artifact_prefix="$art/" "$work/found" "$work/seeds" \
	    >"$work/log" 2>&1; then
		tail -n 30 "$work/log"
		echo "fuzz-corpus: $n FAILED (input in $art)"
		rc=1
		continue
	fi
	grep -E 'stat::number_of_executed_units' "$work/log"
	"$h" -merge=1 "$work/min" "$work/found" "$work/seeds" >"$work/merge.log" 2>&1 ||
	    { echo "fuzz-corpus: $n: merge failed"; rc=1; continue; }
	mkdir -p tests/fuzz/corpus
	scripts/seeds2hex.sh "$work/min" >"tests/fuzz/corpus/$n.hex"
	echo "fuzz-corpus: $n: $(wc -l <"tests/fuzz/corpus/$n.hex") inputs kept"
done
exit $rc
