#!/bin/sh
# make check-the-checks: does the suite go red when it should?  Each fault
# below is made on purpose in a copy of this tree (a line of the source
# changed, or a tool on PATH that misbehaves), the binaries the tests use
# are built there, and the tests that ought to notice are run against
# them.  A fault no test catches is a hole in the suite: the script says
# which, and exits 1.  Needs root (the tests run in network namespaces).
#
#   catsd-killed        catsd dies when asked anything (a control request
#                       that shows state): a check on a dead daemon
#   route-not-installed steering intents reach no data plane
#   handover-drops      a move changes no route: the egress keeps sending
#                       to the old ingress, which forwards nothing, so
#                       every result after the move is lost
#   bgp-never-up        the speaker never sends its OPEN
#   tshark-bad-filter   tshark is given a filter it refuses (exit 2, no
#                       output): read as "nothing malformed" by a careless
#                       check
#
# Usage: scripts/check-the-checks.sh [FAULT...]   (default: every fault)
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
[ "$(id -u)" -eq 0 ] || { echo "check-the-checks: needs root (the tests run in network namespaces)"; exit 77; }

# FAULT: what to change (FILE and a perl substitution, or a PATH shim),
# and the tests that must catch it.
fault_file() {
	case $1 in
	catsd-killed) echo src/catsd/control.c;;
	route-not-installed|handover-drops) echo src/io/dataplane.c;;
	bgp-never-up) echo src/core/bgp_peer.c;;
	esac
}
fault_subst() {
	case $1 in
	catsd-killed) echo 's/(cmd_show\(struct catsd \*d, json_t \*req, char \*err, size_t len\)\n\{\n)/$1\t_exit(0);\t\/* FAULT *\/\n/';;
	route-not-installed) echo 's/(apply_steer\(struct dp \*dp, const struct dp_intent \*in\)\n\{\n\tstruct kr_route r;\n)/$1\n\tif (in->op == DP_STEER)\n\t\treturn 0;\t\/* FAULT *\/\n/';;
	handover-drops) echo 's/(\tif \(toward_peer\(dp, in->peer, 0, in->client, 128, NULL, &r\) < 0\)\n\t\treturn -1;\n)/$1\tif (in->op != DP_RETURN || rtab_get(&dp->want, &r) != NULL)\n\t\treturn 0;\t\/* FAULT *\/\n/';;
	bgp-never-up) echo 's/(send_open\(struct bgp_peer \*p\)\n\{\n)/$1\treturn;\t\/* FAULT *\/\n/';;
	esac
}
fault_tests() {
	case $1 in
	catsd-killed) echo tests/sh/catsd.sh tests/sh/bgp.sh tests/sh/xfer.sh;;
	route-not-installed) echo tests/sh/catsd.sh tests/sh/xfer.sh;;
	handover-drops) echo tests/sh/catsd.sh tests/sh/testbed.sh;;
	bgp-never-up) echo tests/sh/bgp.sh tests/sh/mup.sh;;
	tshark-bad-filter) echo tests/sh/tshark.sh tests/sh/bpf.sh tests/sh/testbed.sh;;
	esac
}

# A tshark that refuses every display filter, as a typo would make it.
shim_tshark() {
	mkdir -p "$1"
	cat >"$1/tshark" <<'EOF'
#!/bin/sh
# check-the-checks: every -Y/-R filter replaced by one tshark refuses
skip=
for a do
	shift
	[ -n "$skip" ] && { skip=; continue; }
	case $a in
	-Y|-R) set -- "$@" "$a" "cats.no.such.field == 1"; skip=1;;
	*) set -- "$@" "$a";;
	esac
done
exec /usr/bin/tshark "$@"
EOF
	chmod +x "$1/tshark"
}

# Build what the shell tests run, in the copy.
build() {
	make -C "$1" -s -j2 build/san/catsd build/san/catsctl build/san/cats-edge \
	    build/san/cats-client build/san/kroute_tool build/catsd build/catsctl \
	    build/cats-edge build/cats-client build/kroute_tool build/bgp-blast \
	    build/san/tests/test_bgp >"$1/build.log" 2>&1
}

FAULTS=${*:-catsd-killed route-not-installed handover-drops bgp-never-up tshark-bad-filter}
work=$(mktemp -d /tmp/cats-ctc.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
holes=0
report=""
for f in $FAULTS; do
	copy=$work/$f
	mkdir -p "$copy"
	# the sources with their times, and the build, so that only what
	# the fault touches is built again
	git ls-files -z | xargs -0 cp -p --parents -t "$copy" || exit 1
	[ -d build ] && cp -a build "$copy/"
	path=$PATH
	file=$(fault_file "$f")
	if [ -n "$file" ]; then
		perl -0pi -e "$(fault_subst "$f")" "$copy/$file"
		if cmp -s "$top/$file" "$copy/$file"; then
			echo "check-the-checks: $f: the fault did not apply to $file (the code moved?)"
			exit 1
		fi
	else
		shim_tshark "$copy/shim"
		path=$copy/shim:$PATH
	fi
	echo "== $f: $(fault_tests "$f")"
	if ! build "$copy"; then
		echo "check-the-checks: $f: the faulty tree does not build:"
		tail -n 20 "$copy/build.log"
		exit 1
	fi
	# the first test that notices is enough; one that hangs is a hole of
	# its own (make check would hang), so each gets 10 minutes
	caught=""
	for t in $(fault_tests "$f"); do
		(cd "$copy" && PATH=$path timeout 600 sh "$t") >"$copy/out" 2>&1
		rc=$?
		case $rc in
		0) echo "   $t: passed (did not notice)";;
		77) echo "   $t: skipped: $(tail -n 1 "$copy/out")";;
		124) echo "   $t: HUNG (killed after 600 s)"; holes=$((holes + 1));;
		*) echo "   $t: FAILED, as it should: $(grep -m 1 '^FAIL' "$copy/out")"
		   caught=" ${t##*/}"
		   break;;
		esac
	done
	if [ -n "$caught" ]; then
		report="$report$(printf '%-20s caught by%s' "$f" "$caught")
"
	else
		report="$report$(printf '%-20s NOT CAUGHT' "$f")
"
		holes=$((holes + 1))
	fi
	rm -rf "$copy"
done
echo
echo "== check-the-checks"
printf '%s' "$report"
echo "check-the-checks: $holes of $(echo $FAULTS | wc -w) faults slipped through"
[ $holes -eq 0 ]
