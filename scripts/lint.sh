#!/bin/sh
# The shell tests' lint (make lint; make check runs it first).  It refuses,
# in tests/sh, tests/lib and testbed, the forms of a check that cannot fail
# (tests/lib/check.sh says what to use instead):
#   jq-e-pipe   `... | jq -e`: jq 1.6's -e exits 0 on empty input, so the
#               check passes when the command before the pipe failed
#               (a dead daemon); use json_ok / check_json
#   or-true     `|| true`: a failure swallowed
#   sleep       a bare sleep: a wait timed by the clock fails on a slower
#               machine or passes by luck; use wait_for (a deadline on an
#               event).  A sleep that is not a wait (pacing a send rate,
#               a time the test means to let pass) carries its reason on
#               its line: "# lint: sleep-ok: REASON".
# tests/lib/check.sh itself is exempt from the sleep rule (wait_for is
# there).  Exit 0 when clean; else one line per finding, "FILE:LINE: RULE:
# TEXT", and exit 1.
cd "$(dirname "$0")/.." || exit 1
files=${LINT_FILES:-$(ls tests/sh/*.sh tests/lib/*.sh testbed/*.sh)}
# shellcheck disable=SC2086
awk '
FNR == 1 { prev = "" }
{
	line = $0
	code = line
	sub(/^[ \t]*#.*/, "", code)		# a comment line
	sub(/[ \t]#[^"'\'']*$/, "", code)	# a trailing comment (no quote in it)
	# jq -e (or -er, -se, ...) fed by a pipe, on this line or continued
	# from a line that ends with "|"
	jqe = "jq([ \t]+-[A-Za-z]+)*[ \t]+-[A-Za-z]*e[A-Za-z]*([ \t]|$)"
	if (code ~ ("\\|[ \t]*" jqe) || (prev ~ /\|[ \t]*(\\)?$/ && code ~ ("^[ \t]*" jqe)))
		report("jq-e-pipe")
	if (code ~ /\|\|[ \t]*true([ \t;)]|$)/)
		report("or-true")
	if (code ~ /(^|[ \t;&|(])sleep([ \t]|$)/ && FILENAME != "tests/lib/check.sh" &&
	    line !~ /# lint: sleep-ok: [^ ]/)
		report("sleep")
	prev = code
}
function report(rule) {
	printf "%s:%d: %s: %s\n", FILENAME, FNR, rule, $0
	bad++
}
END {
	if (bad) { printf "lint: %d finding(s)\n", bad; exit 1 }
	print "lint: clean"
}' $files
