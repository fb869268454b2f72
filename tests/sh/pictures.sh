#!/bin/sh
# The ladders as pictures (scripts/ladder2msc.sh, mscgen): cats-sim's
# ladders of several scenarios (with events, with loss, a CATS-MUP one), a
# ladder in the testbed's format (testbed/run.sh tb_ladder) full of the
# characters mscgen chokes on, and one long enough to be split.  For each:
# one arc in the .msc per message line of the ladder, a PNG that is a PNG
# of a sensible size, an SVG that parses as XML and names every entity.
# Then bad ladders: refused with the file, line and reason, exit 1, and no
# picture left behind.  Skipped (77) without mscgen.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/check.sh
SIM=${SIM:-${O:-build}/san/cats-sim}
L2M=${L2M:-scripts/ladder2msc.sh}
command -v mscgen >/dev/null 2>&1 || { echo "skip: mscgen not installed"; exit 77; }
[ -x "$SIM" ] || { echo "no $SIM"; exit 1; }
LC_ALL=C.UTF-8
export LC_ALL
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# messages of a ladder: TIME SRC -> DST KIND ...
messages() { awk 'NF >= 5 && $3 == "->" && $1 ~ /^[0-9.]+$/ { n++ } END { print n + 0 }' "$@"; }
# arcs of .msc files: one statement a line, "eA => eB [" or "eA -x eB ["
arcs() { cat "$@" | grep -c '^  e[0-9]* \(=>\|-x\) e[0-9]* \['; }
# entities of a ladder, one a line
entities() { awk 'NF >= 5 && $3 == "->" { print $2; print $4 }' "$1" | sort -u; }

# png_ok FILE MESSAGES: PNG magic, width 400..4000, height at least 20 px
# a message and within what a browser shows (32767)
png_ok() {
	_m=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
	[ "$_m" = 89504e470d0a1a0a ] || { echo "magic $_m" >&2; return 1; }
	# IHDR: width and height, big-endian, at bytes 16 and 20 (eight
	# numbers: split on purpose)
	# shellcheck disable=SC2046
	set -- "$1" "$2" $(od -An -tu1 -j16 -N8 "$1")
	_w=$(( ($3 << 24) + ($4 << 16) + ($5 << 8) + $6 ))
	_h=$(( ($7 << 24) + ($8 << 16) + ($9 << 8) + ${10} ))
	if [ "$_w" -lt 400 ] || [ "$_w" -gt 4000 ] || [ "$_h" -lt $(($2 * 20)) ] ||
	    [ "$_h" -gt 32767 ]; then
		echo "size ${_w}x$_h for $2 messages" >&2
		return 1
	fi
	echo "png ${_w}x$_h"
}

# svg_has FILE TEXT...: FILE parses as XML and each TEXT is the whole of
# one of its <text> elements (the zero-width spaces the converter puts
# after a backslash or an ampersand taken out)
svg_has() {
	python3 - "$@" <<'EOF'
import sys, xml.dom.minidom
doc = xml.dom.minidom.parse(sys.argv[1])
texts = set()
for t in doc.getElementsByTagName("text"):
    s = "".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
    texts.add(s.replace("\u200b", "").strip())
missing = [w for w in sys.argv[2:] if w not in texts]
if missing:
    sys.exit("missing: " + " | ".join(missing))
print("ok: %d texts" % len(texts))
EOF
}

# pictures NAME LADDER [TEXT...]: convert, then check the three files
pictures() {
	_n=$1 _l=$2; shift 2
	_p=${_l%.ladder}
	check_has "$_n: converted" "\.svg$" "$L2M" "$_l"
	_want=$(messages "$_l")
	_got=$(arcs "$_p.msc")
	if [ "$_want" -gt 0 ] && [ "$_got" -eq "$_want" ]; then
		pass "$_n: $_got arcs for $_want messages"
	else
		fail "$_n: $_got arcs for $_want messages"
	fi
	check_has "$_n: PNG" "^png " png_ok "$_p.png" "$_want"
	if command -v python3 >/dev/null 2>&1; then
		# shellcheck disable=SC2046
		check_has "$_n: SVG is XML with every entity" "^ok" \
		    svg_has "$_p.svg" $(entities "$_l") "$@"
	else
		skip "$_n: SVG not parsed: no python3"
	fi
}

# --- cats-sim's ladders
"$SIM" scenario setup-option1 --ladder >"$T/setup-option1.ladder"
pictures setup-option1 "$T/setup-option1.ladder"
"$SIM" scenario transaction-switch --ladder --events >"$T/ts.ladder"
pictures "transaction-switch --events" "$T/ts.ladder"
check_has "events drawn as notes" " note e[0-9]* \[label=" cat "$T/ts.msc"
"$SIM" scenario proactive --ladder --loss 0.2 --seed 3 >"$T/lossy.ladder"
if out_has '\[lost\]$' cat "$T/lossy.ladder"; then
	pictures "proactive with loss" "$T/lossy.ladder"
	check_has "a lost message is a lost arc" "^  e[0-9]* -x e[0-9]* \[" cat "$T/lossy.msc"
else
	fail "proactive --loss 0.2 --seed 3 lost nothing: pick another seed"
fi
"$SIM" scenario mup-central-move-sticky --ladder >"$T/mup.ladder"
pictures mup-central-move-sticky "$T/mup.ladder" UPDATE WITHDRAW
check_has "the summary is the last divider" '^  --- \[label="summary: teid=100' cat "$T/mup.msc"

# --- the testbed's format ("%9.1f SRC -> DST KIND seq=N"), an address for
# a node the testbed has no name for, and labels mscgen would choke on:
# quotes, backslashes (before a quote, before an n, at the end), XML's
# specials, mscgen's own brackets and separators, UTF-8
cat >"$T/tb.ladder" <<'EOF'
      0.0 ingress1 -> controller heartbeat seq=1
      0.4 controller -> ingress1 heartbeat-ack seq=1
     12.5 2001:db8:a::10 -> ingress1 ? seq=
     13.0 ingress1 -> egress1 a"b seq=2 "quoted"
     13.1 egress1 -> ingress1 back\slash seq=2 c:\dir\
     13.2 ingress1 -> locator end\ seq=3
     13.3 locator -> ingress1 x\ny seq=\"3\"
-- 13.4 ingress1 said "hi" \ <b> & ]; }
     13.4 ingress1 -> egress1 <b>&amp; seq=4 'single'
     13.5 egress1 -> ingress1 }];{,=# seq=4 # not a comment
-- 13.6 nobody } "notes" \
     13.6 ingress1 -> egress1 µs-é seq=5
EOF
# shellcheck disable=SC1003
pictures "testbed format, awkward characters" "$T/tb.ladder" \
    '?' 'a"b' 'back\slash' 'end\' 'x\ny' '<b>&amp;' '}];{,=#' 'µs-é'
# libgd, drawing the PNG, would show "&amp;" as "&": every "&" in the
# .msc is followed by a zero-width space
zw=$(printf '\342\200\213')
check_absent "testbed format: no & that libgd reads as an entity" "&[^$zw]\|&\$" cat "$T/tb.msc"

# --- long: 650 messages in parts of 300, none dropped
awk 'BEGIN { for (i = 0; i < 650; i++)
	printf "%9.1f ingress%d -> controller heartbeat seq=%d\n", i * 0.5, i % 3 + 1, i }' >"$T/long.ladder"
check_has "long: converted in parts" "long\.3\.svg$" "$L2M" "$T/long.ladder"
_got=$(arcs "$T/long.msc" "$T/long.2.msc" "$T/long.3.msc")
if [ "$_got" -eq 650 ] && [ "$(arcs "$T/long.msc")" -eq 300 ] &&
    [ "$(arcs "$T/long.3.msc")" -eq 50 ]; then
	pass "long: 650 arcs in 300 + 300 + 50"
else
	fail "long: $_got arcs in $(arcs "$T/long.msc") + $(arcs "$T/long.2.msc") + $(arcs "$T/long.3.msc")"
fi
check_has "long: part 1 says where it goes on" 'continued in long.2.png (.svg): messages 301 to 600' cat "$T/long.msc"
check_has "long: part 3 says what it holds" 'part 3 of 3: messages 601 to 650' cat "$T/long.3.msc"
check_has "long: part 3 PNG" "^png " png_ok "$T/long.3.png" 50
check_absent "long: no part 4" 'long\.4\.' ls "$T"
# a shorter ladder under the same name leaves no stale part behind
head -n 10 "$T/long.ladder" >"$T/long.ladder.new" && mv "$T/long.ladder.new" "$T/long.ladder"
check_has "long, now short: converted" "long\.svg$" "$L2M" "$T/long.ladder"
check_absent "long, now short: the old parts are gone" 'long\.[23]\.' ls "$T"

# --- bad ladders: refused, and no picture (not even an old one) left
mkdir "$T/bad"
bad() {		# bad NAME LINE-TEXT REASON: a ladder whose line 3 is LINE-TEXT
	printf '1 a -> b x\n-- 2 a note\n%s\n4 b -> a y\n' "$2" >"$T/bad/$1.ladder"
	"$L2M" -o "$T/bad/$1" "$T/setup-option1.ladder" >/dev/null 2>&1
	check_fails "bad: $1" 1 "$T/bad/$1.ladder:3: $3" "$L2M" "$T/bad/$1.ladder"
}
bad garbage 'this is not a ladder line' 'not a ladder line'
bad no-kind '3 a -> b' 'not a ladder line'
bad no-arrow '3 a => b kind' 'not a ladder line'
bad note-time '-- soon a note' 'not a note'
bad control "$(printf '3 a -> b k\001nd')" 'control character'
printf '1 a -> b \377\n' >"$T/bad/binary.ladder"
check_fails "bad: binary" 1 "binary.ladder: not UTF-8 text" "$L2M" "$T/bad/binary.ladder"
printf '%s\n' '-- 1 only a note' 'summary: nothing' >"$T/bad/empty.ladder"
check_fails "bad: no message" 1 "empty.ladder: no message to draw" "$L2M" "$T/bad/empty.ladder"
check_fails "bad: -m 0" 2 "-m wants a count of messages" "$L2M" -m 0 "$T/setup-option1.ladder"
check_absent "bad: no picture left" '\.\(msc\|png\|svg\)$' ls "$T/bad"

check_done pictures
