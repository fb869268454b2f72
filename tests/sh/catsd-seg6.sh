#!/bin/sh
# tests/sh/catsd.sh on the seg6 backend: catsd programs seg6 routes through
# rtnetlink (src/io/kroute.c) instead of its eBPF programs.  Same test, same
# binaries; where this kernel has no seg6 lwtunnel, under Debian's kernel in
# qemu (tests/lib/kernel.sh, vm.sh).
set -u
CATS_BACKEND=kernel
export CATS_BACKEND
. "$(dirname "$0")/../lib/kernel.sh"
need_seg6 "$0" "$@"
exec sh "$(dirname "$0")/catsd.sh" "$@"
