#!/bin/sh
# Turn a seed file of "name hex" lines into one binary file per line in DIR,
# so the fuzz corpus lives in git as text (scripts/seeds2hex.sh: the other
# way).  One awk and one printf a line: a corpus of a few hundred kB takes
# a second.
# Usage: scripts/hex2seeds.sh FILE.hex DIR
set -eu
mkdir -p "$2"
while read -r name hex; do
	[ -n "$name" ] || continue
	esc=$(printf '%s\n' "$hex" | awk '
	    BEGIN { for (i = 0; i < 256; i++) {
		h[sprintf("%02x", i)] = i; h[sprintf("%02X", i)] = i } }
	    { for (i = 1; i < length($0); i += 2)
		printf "\\%03o", h[substr($0, i, 2)] }')
	# shellcheck disable=SC2059
	printf "$esc" >"$2/$name"
done <"$1"
