#!/bin/sh
# ladder2msc.sh: a message ladder drawn as a sequence diagram (mscgen).
#
# usage: scripts/ladder2msc.sh [-n] [-m MAX] [-o PREFIX] LADDER
#
# LADDER is any of the project's text ladders; they share one shape:
#   TIME SRC -> DST KIND [more ...]   one message: cats-sim --ladder, the
#                                     CATS-MUP routes (KIND is UPDATE or
#                                     WITHDRAW), the testbed's ladder from
#                                     its pcap (testbed/run.sh tb_ladder)
#   -- TIME TEXT                      an event, drawn as a note: on the
#                                     entity TEXT starts with, if it is one,
#                                     else as a divider across the chart
#   summary: TEXT                     cats-sim's verdict, the last divider
# and blank lines.  Times are in ms (all three writers use ms).
#
# Writes PREFIX.msc (PREFIX: LADDER without its .ladder) and renders it
# with mscgen to PREFIX.png and PREFIX.svg; -n writes the .msc only.
# Prints the path of every file written, one a line.  Each message is one
# arc (SRC => DST) labelled with its KIND, the rest of the line under it,
# wrapped to the arc's length, and the time as the arc's small ID; one
# tagged [lost] (cats-sim --loss) is a lost arc (-x).
# Entities are in the order they are first seen.
#
# A line of any other shape is refused ("ladder2msc: FILE:LINE: ..." and
# exit 1) and nothing is written (the old pictures of PREFIX are removed):
# a picture that silently lost a line would look whole.  Exit 2: usage;
# 3: mscgen missing or failed.
#
# Long ladders: mscgen draws the whole chart as one image, 35 to 60 px a
# message.  Measured (mscgen 0.20): 1706 messages, the testbed's ladder,
# gave a 1600 x 64882 PNG in 8 s; 10236 gave "GD Warning: unable to
# allocate rows" under 4 GB, a broken PNG, and exit status 0.  Firefox
# shows no image past 32767 px a side.  So a ladder of more than MAX (300)
# is split into parts of MAX, PREFIX.msc then PREFIX.2.msc, PREFIX.3.msc,
# ..., each saying at its top which messages of how many it holds and at
# its foot which part follows: nothing is dropped.  And since mscgen's
# exit status is not to be believed, anything it prints is a failure.
set -eu

me=ladder2msc
max=300
prefix=""
render=1

usage() {
	echo "usage: $0 [-n] [-m MAX] [-o PREFIX] LADDER" >&2
	exit 2
}

while getopts nm:o: opt; do
	case $opt in
	n) render=0;;
	m) max=$OPTARG;;
	o) prefix=$OPTARG;;
	*) usage;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
ladder=$1
case $max in
'' | *[!0-9]* | 0) echo "$me: -m wants a count of messages, not '$max'" >&2; exit 2;;
esac
[ -r "$ladder" ] || { echo "$me: cannot read $ladder" >&2; exit 1; }
[ -n "$prefix" ] || prefix=${ladder%.ladder}
if [ $render -eq 1 ] && ! command -v mscgen >/dev/null 2>&1; then
	echo "$me: mscgen not found (Debian package mscgen: make deps)" >&2
	exit 3
fi

# The pictures of PREFIX, of every part (an earlier ladder may have had
# more parts).  Removed before new ones are put in place, and when this
# ladder cannot be drawn: an old picture beside a new ladder would lie.
clear_old() {
	for _ty in msc png svg; do
		rm -f "$prefix.$_ty" "$prefix".[0-9].$_ty "$prefix".[0-9][0-9].$_ty \
		    "$prefix".[0-9][0-9][0-9].$_ty
	done
}

# mscgen reads UTF-8; a stray byte would end up in the SVG as a byte that
# no XML parser accepts
if ! iconv -f UTF-8 -t UTF-8 "$ladder" >/dev/null 2>&1; then
	echo "$me: $ladder: not UTF-8 text" >&2
	clear_old
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ladder2msc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
base=${prefix##*/}

# The converter: every line is parsed and kept, and only at the end, when
# every entity and the number of parts are known, is anything written.
# Output: $tmp/1.msc, $tmp/2.msc, ...; stdout: the number of parts.
awk -v file="$ladder" -v max="$max" -v dir="$tmp" -v base="$base" '
function fail(why) {
	printf "%s: %s:%d: %s: %s\n", "ladder2msc", file, NR, why,
	    substr($0, 1, 100) >"/dev/stderr"
	bad = 1
	exit 1
}
function numeric(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ }
function entity(name) {
	if (!(name in col)) {
		col[name] = ++nent
		ent[nent] = name
	}
}
function join(from,    i, s) {
	s = ""
	for (i = from; i <= NF; i++)
		s = s (s == "" ? "" : " ") $i
	return s
}
# mscgen has an escape for the quote and none for the backslash: a
# backslash before a quote or an n, or at the end of a label, would end
# the string or make a new line.  A zero-width space after each backslash
# keeps it a plain backslash on the picture.  The same after an ampersand:
# libgd, drawing the PNG, reads "&amp;" or "&#38;" as an HTML entity.
function esc(s) {
	gsub(/\\/, "\\\342\200\213", s)
	gsub(/&/, "\\&\342\200\213", s)
	gsub(/"/, "\\\"", s)
	return s
}
# s in lines of at most w characters (a longer word keeps its own line),
# each escaped, joined by mscgen'"'"'s line break
function wrap(s, w,    n, i, words, out, cur) {
	n = split(s, words, " ")
	out = ""; cur = ""
	for (i = 1; i <= n; i++) {
		if (cur != "" && length(cur) + 1 + length(words[i]) > w) {
			out = out (out == "" ? "" : "\\n") esc(cur)
			cur = words[i]
		} else
			cur = cur (cur == "" ? "" : " ") words[i]
	}
	if (cur != "")
		out = out (out == "" ? "" : "\\n") esc(cur)
	return out
}
{ sub(/\r$/, "") }
/[\001-\010\013-\037\177]/ { fail("control character") }
NF == 0 { next }
/^summary:/ { summary = $0; next }
$1 == "--" {
	if (NF < 2 || !numeric($2))
		fail("not a note (want \"-- TIME TEXT\")")
	ns++; kind[ns] = "n"; t[ns] = $2; txt[ns] = join(3); before[ns] = nmsg
	first[ns] = $3
	next
}
NF >= 5 && $3 == "->" && numeric($1) {
	ns++; kind[ns] = "m"; t[ns] = $1; src[ns] = $2; dst[ns] = $4
	what[ns] = $5; txt[ns] = join(6); before[ns] = nmsg++
	entity($2); entity($4)
	next
}
{ fail("not a ladder line (want \"TIME SRC -> DST KIND ...\" or \"-- TIME TEXT\")") }

function header(p, f,    i, s, lo, hi) {
	printf "# from %s by scripts/ladder2msc.sh, part %d of %d\n", file, p, nparts >f
	print "msc {" >f
	printf "  width=\"%d\", arcgradient=\"0\";\n", (nent < 3 ? 3 : nent) * COLW >f
	s = ""
	for (i = 1; i <= nent; i++)
		s = s (i > 1 ? ", " : "") sprintf("e%d [label=\"%s\"]", i, esc(ent[i]))
	print "  " s ";" >f
	lo = (p - 1) * max + 1; hi = p * max > nmsg ? nmsg : p * max
	s = sprintf("%s: %d messages, the small numbers are times in ms", file, nmsg)
	if (nparts > 1)
		s = s sprintf("; part %d of %d: messages %d to %d", p, nparts, lo, hi)
	printf "  --- [label=\"%s\"];\n", esc(s) >f
}
# a message the simulator lost on the way ("[lost]"): the lost arc of mscgen
function message(i, f,    a, b, span, label, arc) {
	a = col[src[i]]; b = col[dst[i]]
	arc = txt[i] ~ /(^| )\[lost\]$/ ? "-x" : "=>"
	span = a > b ? a - b : b - a
	if (span < 1)
		span = 1
	label = esc(what[i])
	if (txt[i] != "")
		label = label "\\n" wrap(txt[i], span * CHARS - 2)
	printf "  e%d %s e%d [label=\"%s\", ID=\"%s\"];\n", a, arc, b, label, t[i] >f
}
# an event on an entity is a note on its lifeline; any other a divider
function note(i, f,    e) {
	if (first[i] in col) {
		e = col[first[i]]
		printf "  e%d note e%d [label=\"%s\", ID=\"%s\"];\n", e, e,
		    wrap(txt[i], CHARS - 2), t[i] >f
	} else
		printf "  --- [label=\"%s\", ID=\"%s\"];\n", esc(txt[i]), t[i] >f
}
END {
	if (bad)
		exit 1
	if (nmsg == 0) {
		printf "ladder2msc: %s: no message to draw\n", file >"/dev/stderr"
		exit 1
	}
	COLW = 200; CHARS = 27	# px a column; characters of 12 px text in it
	nparts = int((nmsg + max - 1) / max)
	for (p = 1; p <= nparts; p++)
		header(p, dir "/" p ".msc")
	for (i = 1; i <= ns; i++) {
		# a note goes with the message after it, the last ones with the last
		p = int(before[i] / max) + 1
		if (p > nparts)
			p = nparts
		f = dir "/" p ".msc"
		if (kind[i] == "m")
			message(i, f)
		else
			note(i, f)
	}
	for (p = 1; p <= nparts; p++) {
		f = dir "/" p ".msc"
		if (p < nparts)
			printf "  ... [label=\"%s\"];\n", esc(sprintf("continued in %s.%d.png (.svg): messages %d to %d",
			    base, p + 1, p * max + 1, (p + 1) * max > nmsg ? nmsg : (p + 1) * max)) >f
		else if (summary != "")
			printf "  --- [label=\"%s\"];\n", esc(summary) >f
		print "}" >f
		close(f)
	}
	print nparts
}' "$ladder" >"$tmp/parts" || { clear_old; exit 1; }
parts=$(cat "$tmp/parts")

# PREFIX.msc for part 1, PREFIX.K.msc for part K
name() { if [ "$1" -eq 1 ]; then echo "$prefix.$2"; else echo "$prefix.$1.$2"; fi; }

p=1
while [ $p -le "$parts" ]; do
	if [ $render -eq 1 ]; then
		for ty in png svg; do
			if ! mscgen -T $ty -o "$tmp/$p.$ty" "$tmp/$p.msc" >"$tmp/err" 2>&1 ||
			    [ -s "$tmp/err" ] || [ ! -s "$tmp/$p.$ty" ]; then
				echo "$me: mscgen -T $ty failed on part $p of $ladder: $(head -c 300 "$tmp/err")" >&2
				clear_old
				exit 3
			fi
		done
	fi
	p=$((p + 1))
done
# Only now, every part converted and rendered, replace the old pictures
clear_old
p=1
while [ $p -le "$parts" ]; do
	for ty in msc png svg; do
		[ -e "$tmp/$p.$ty" ] || continue
		mv "$tmp/$p.$ty" "$(name $p $ty)"
		name $p $ty
	done
	p=$((p + 1))
done
