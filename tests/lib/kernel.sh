#!/bin/sh
# tests/lib/kernel.sh: the prologue of a shell test that needs the kernel's
# seg6 lightweight tunnels (CONFIG_IPV6_SEG6_LWTUNNEL).  Sourced first thing,
# before the test changes directory:
#
#   . "$(dirname "$0")/../lib/kernel.sh"
#   need_seg6 "$0" "$@"
#
# With seg6 here, need_seg6 returns and the test runs on this kernel.
# Without it (this host's 6.18 has none), the same test with the same
# binaries runs again under Debian's kernel in qemu (tests/lib/vm.sh), and
# need_seg6 exits with its status; when that is not possible either, it
# says why and exits 77 (skipped).  Inside the VM CATS_IN_VM=1: no recursion.
. "$(dirname "$0")/../lib/vm.sh"

need_seg6() {
	host_has_seg6 && return 0
	if [ -n "${CATS_IN_VM:-}" ]; then
		echo "skip: no seg6 lwtunnel even in the VM ($(uname -r))"
		exit 77
	fi
	if ! _why=$(vm_available); then
		echo "skip: this kernel has no seg6 lwtunnel, and no VM to run $1 in: $_why"
		exit 77
	fi
	# the test by absolute path: the VM runs it from the project directory
	_test=$(cd "$(dirname "$1")" && pwd -P)/${1##*/}
	shift
	echo "this kernel has no seg6 lwtunnel: running ${_test#"$VM_PROJ"/} under Debian's kernel $(vm_kernel_version) in qemu"
	vm_run sh "$_test" "$@"
	exit
}
