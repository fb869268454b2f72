#!/bin/sh
# The inverse of hex2seeds.sh: every file of DIR as a "name hex" line, in
# name order, so a fuzz corpus lives in git as text.
# Usage: scripts/seeds2hex.sh DIR > FILE.hex
set -eu
for f in "$1"/*; do
	[ -f "$f" ] || continue
	printf '%s %s\n' "${f##*/}" "$(od -An -v -tx1 "$f" | tr -d ' \n')"
done
