#!/bin/sh
# Turn a seed file of "name hex" lines into one binary file per line in DIR,
# so the fuzz corpus lives in git as text.
# Usage: scripts/hex2seeds.sh FILE.hex DIR
set -eu
mkdir -p "$2"
while read -r name hex; do
	[ -n "$name" ] || continue
	esc=""
	for pair in $(printf '%s' "$hex" | sed 's/../& /g'); do
		esc="$esc\\$(printf '%o' "0x$pair")"
	done
	# shellcheck disable=SC2059
	printf "$esc" >"$2/$name"
done <"$1"
