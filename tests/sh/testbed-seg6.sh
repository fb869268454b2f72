#!/bin/sh
# tests/sh/testbed.sh on the seg6 backend: every ingress and egress of the
# testbed programs seg6 routes through rtnetlink (src/io/kroute.c) instead
# of catsd's eBPF programs.  Same test, same scenarios, same binaries;
# where this kernel has no seg6 lwtunnel, under Debian's kernel in qemu
# (tests/lib/kernel.sh, vm.sh).
#
# Under software emulation (10 to 50 times slower) a handover takes
# seconds, not milliseconds: there the transactions run ten times slower
# (a result every 50 ms: 10 s for a handover's 200, 20 s for the
# transaction switch's 400), so that the client moves while they run (each
# scenario moves it once it has a tenth of its results, and checks that
# some came after the move), and the ingresses hold a detached client's
# results up to 10 s (dataplane buffer_ms) instead of 2 s.  Every result
# must still arrive exactly once.  The delay lines and the select
# scenario's response times are measured and printed there, but not held
# to the file's delays or to the 0.5 target (TB_TIMING=emulated).
set -u
CATS_BACKEND=kernel
export CATS_BACKEND
. "$(dirname "$0")/../lib/kernel.sh"
need_seg6 "$0" "$@"
if [ -n "${CATS_IN_VM:-}" ]; then
	TB_INTERVAL=${TB_INTERVAL:-50}
	TB_BUFFER_MS=${TB_BUFFER_MS:-10000}
	TB_CLIENT_TIMEOUT_MS=${TB_CLIENT_TIMEOUT_MS:-20000}
	# delays and response times are printed, not held to the file or
	# to the target: emulation stretches every time but the timers'
	TB_TIMING=emulated
	export TB_INTERVAL TB_BUFFER_MS TB_CLIENT_TIMEOUT_MS TB_TIMING
	echo "under emulation: a result every $TB_INTERVAL ms, the ingresses hold a detached client's results $TB_BUFFER_MS ms, the client waits $TB_CLIENT_TIMEOUT_MS ms for one"
fi
exec sh "$(dirname "$0")/testbed.sh" "$@"
