#!/bin/sh
# tests/lib/vm.sh: run a command under Debian's own kernel (linux-image-amd64,
# which has seg6 lwtunnels) in qemu, for the tests this host's kernel cannot
# run (DESIGN.md 2.3).  The guest sees this machine's / read-only and the
# project directory read-write at the same path, so it runs the very same
# binaries and writes build/ outputs where the host expects them.
#
#   . tests/lib/vm.sh; vm_run CMD...     (or: sh tests/lib/vm.sh run CMD...)
#   vm_available    0, or 1 and one line saying why the VM cannot run
#   host_has_seg6   0 when the running kernel takes an `encap seg6` route
#
# vm_run returns CMD's exit status (124 on VM_TIMEOUT, default 1200 s; 125
# when the VM failed).  CMD runs as root, from the caller's directory if it
# is in the project (else the project's), with the caller's environment and
# CATS_IN_VM=1.  Software emulation (TCG): /dev/kvm exists here but KVM hangs
# in the BIOS.  Everything lives in ${O:-build}/vm/: the initramfs (built
# once per kernel), and per run a directory with the job, its output, its
# exit status and the serial console log (kept when the VM failed).
# The project directory is found from $0, which must be two levels below it
# (tests/lib/vm.sh itself, or a test in tests/sh/); VM_PROJ overrides.

VM_PROJ=${VM_PROJ:-$(cd "$(dirname "$0")/../.." && pwd -P)}
VM_TIMEOUT=${VM_TIMEOUT:-1200}
VM_QEMU=${VM_QEMU:-qemu-system-x86_64}
# The modules 9p needs, in load order (none is built in Debian's kernel).
VM_MODS="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
    virtio_pci netfs fscache 9pnet 9pnet_virtio 9p"

# The newest Debian kernel in /boot (VM_KERNEL=/boot/vmlinuz-... overrides).
vm_kernel() {
	[ -n "${VM_KERNEL:-}" ] && { echo "$VM_KERNEL"; return; }
	ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1
}
vm_kernel_version() { _k=$(vm_kernel); echo "${_k#*/vmlinuz-}"; }

vm_available() {
	[ "$(id -u)" -eq 0 ] || { echo "not root"; return 1; }
	command -v "$VM_QEMU" >/dev/null || { echo "no $VM_QEMU (scripts/deps.sh installs qemu-system-x86)"; return 1; }
	# (ldd fails on a static binary: the initramfs has no libc)
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	    { echo "no static /bin/busybox (busybox-static)"; return 1; }
	_k=$(vm_kernel)
	[ -n "$_k" ] && [ -r "$_k" ] || { echo "no /boot/vmlinuz-*-amd64 (linux-image-amd64)"; return 1; }
	[ -d "/lib/modules/$(vm_kernel_version)/kernel" ] ||
	    { echo "no /lib/modules/$(vm_kernel_version)"; return 1; }
	[ -f "$VM_PROJ/tests/lib/vm.sh" ] || { echo "project not found at $VM_PROJ"; return 1; }
	return 0
}

# Does the running kernel take a seg6 encap route?  Asked in a throw-away
# namespace, so nothing of the host's routing is touched.
host_has_seg6() {
	_ns=seg6probe$$
	ip netns add "$_ns" 2>/dev/null || return 1
	ip -n "$_ns" link set lo up &&
	    ip -n "$_ns" -6 route add fc00::1/128 encap seg6 mode encap \
	    segs fc00::2 dev lo 2>/dev/null
	_rc=$?
	ip netns del "$_ns"
	[ $_rc -eq 0 ]
}

# The guest's /init, run by busybox from the initramfs.  The kernel hands
# it VM_PROJ and VM_JOB from its command line as environment variables.
vm_init() {
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod "/mods/$m.ko" || echo "vm: insmod $m failed"; done
# The host's / read-only and cached (3x faster processes; nothing changes it
# under us), the project read-write with only mmapped pages cached (the
# binaries): every write reaches the host at once, which reads the output.
o=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$o,ro,cache=loose" host /host ||
    { echo "vm: 9p mount of / failed"; poweroff -f; }
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts /host/dev/shm
mount -t devpts devpts /host/dev/pts
mount -t tmpfs tmpfs /host/dev/shm
# /run/netns for ip netns; /tmp for mktemp.
mount -t tmpfs tmpfs /host/tmp
mount -t tmpfs tmpfs /host/run
# The project last, over those: a clone under /tmp (as CI's may be) must
# not be hidden by the guest's own /tmp.
mkdir -p "/host$VM_PROJ" 2>/dev/null
mount -t 9p -o "$o,cache=mmap" proj "/host$VM_PROJ" ||
    { echo "vm: 9p mount of $VM_PROJ failed"; poweroff -f; }
# The kernel runs modprobe (veth, bridge, ...) in this initramfs, not in the
# chroot: hand it to the host's modprobe and modules.
printf '#!/bin/sh\nexec chroot /host /sbin/modprobe "$@"\n' >/bin/host-modprobe
chmod +x /bin/host-modprobe
echo /bin/host-modprobe >/proc/sys/kernel/modprobe
# Device nodes that udev would make from modules.devname: /dev/net/tun
# (catsd's handover buffer) appears once tun is loaded.
chroot /host /sbin/modprobe tun || echo "vm: modprobe tun failed"
ip link set lo up
read up _ </proc/uptime
echo "$up" >"/host$VM_JOB/boot"
chroot /host /bin/sh "$VM_JOB/job" >"/host$VM_JOB/out" 2>&1
echo $? >"/host$VM_JOB/rc"
poweroff -f
EOF
}

# Build the initramfs once per kernel version (again when this file changes).
vm_initramfs() {
	_ver=$(vm_kernel_version)
	_img=$VM_DIR/initramfs-$_ver.cpio.gz
	[ -n "$(find "$_img" -newer "$VM_PROJ/tests/lib/vm.sh" 2>/dev/null)" ] &&
	    { echo "$_img"; return 0; }
	_t=$(mktemp -d) || return 1
	mkdir -p "$_t/bin" "$_t/proc" "$_t/sys" "$_t/dev" "$_t/host" "$_t/mods"
	cp /bin/busybox "$_t/bin/busybox"
	vm_init >"$_t/init"
	chmod +x "$_t/init"
	for _m in $VM_MODS; do
		_f=$(find "/lib/modules/$_ver/kernel" -name "$_m.ko*" | head -n 1)
		# busybox insmod cannot read compressed modules
		case $_f in
		*.ko) cp "$_f" "$_t/mods/$_m.ko" ;;
		*.ko.xz) xz -dc "$_f" >"$_t/mods/$_m.ko" ;;
		*.ko.zst) zstd -qdc "$_f" >"$_t/mods/$_m.ko" ;;
		*) echo "vm: no module $_m for $_ver" >&2; rm -rf "$_t"; return 1 ;;
		esac
		echo "$_m" >>"$_t/mods/order"
	done
	(cd "$_t" && find . | cpio -o -H newc --quiet | gzip -1) >"$_img.tmp.$$" &&
	    mv "$_img.tmp.$$" "$_img"
	_rc=$?
	rm -rf "$_t"
	[ $_rc -eq 0 ] && echo "$_img"
}

# Quote each argument for sh: 'it'\''s'.
vm_quote() {
	for _a; do printf "'%s' " "$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")"; done
}

vm_run() {
	_why=$(vm_available) || { echo "vm: $_why" >&2; return 125; }
	# The run's files must be on the writable share: O inside the project.
	VM_DIR=$(cd "$VM_PROJ" && mkdir -p "${O:-build}/vm" && cd "${O:-build}/vm" && pwd -P) || return 125
	case $VM_DIR in "$VM_PROJ"/*) ;; *) echo "vm: $VM_DIR is not in $VM_PROJ" >&2; return 125 ;; esac
	_img=$(vm_initramfs) || return 125
	_job=$(mktemp -d "$VM_DIR/run.XXXXXX") || return 125
	case $PWD in "$VM_PROJ"|"$VM_PROJ"/*) _cwd=$PWD ;; *) _cwd=$VM_PROJ ;; esac
	{
		# the caller's environment, less what belongs to this host's shell
		export -p | grep -Ev '^export (PWD|OLDPWD|SHLVL|TMPDIR|_)='
		echo "export O=$(vm_quote "${O:-build}") CATS_IN_VM=1 HOME=/root"
		echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
		echo "cd $(vm_quote "$_cwd") || exit 1"
		echo "exec $(vm_quote "$@")"
	} >"$_job/job"
	: >"$_job/out"
	_t0=$(date +%s.%N)
	# timeout(1) kills qemu by its own pid; INT/TERM here stop it as well.
	# multidevs=remap: / spans several file systems whose inode numbers
	# collide; with cache=loose the guest then lost its mounts on /host/proc.
	timeout -k 5 "$VM_TIMEOUT" "$VM_QEMU" -accel tcg -cpu max -smp 2 -m 2048 \
	    -nodefaults -no-user-config -display none -no-reboot -nic none \
	    -serial "file:$_job/console.log" \
	    -kernel "$(vm_kernel)" -initrd "$_img" \
	    -append "console=ttyS0 panic=-1 loglevel=4 VM_PROJ=$VM_PROJ VM_JOB=$_job" \
	    -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	    -virtfs "local,path=$VM_PROJ,mount_tag=proj,security_model=none" &
	_qpid=$!
	# CMD's output as it comes (9p writes through to the host's file);
	# tail reads the rest and ends once qemu has.  Both in the background:
	# wait, unlike a foreground command, lets a signal's trap run at once.
	tail -n +1 -f --pid="$_qpid" "$_job/out" &
	_tpid=$!
	trap 'kill "$_qpid" "$_tpid" 2>/dev/null; rm -rf "$_job"; exit 130' INT
	trap 'kill "$_qpid" "$_tpid" 2>/dev/null; rm -rf "$_job"; exit 143' TERM
	wait "$_qpid"
	_qrc=$?
	wait "$_tpid"
	trap - INT TERM
	_t1=$(date +%s.%N)
	if [ -f "$_job/rc" ]; then
		_rc=$(cat "$_job/rc")
		echo "vm: $(vm_kernel_version): booted in $(cat "$_job/boot") s (guest clock), whole run $(echo "$_t0 $_t1" | awk '{ printf "%.1f", $2 - $1 }') s" >&2
		# the last run's console stays in $VM_DIR/console.log
		mv "$_job/console.log" "$VM_DIR/console.log"
		rm -rf "$_job"
		return "$_rc"
	fi
	[ $_qrc -eq 124 ] && echo "vm: timed out after $VM_TIMEOUT s (VM_TIMEOUT)" >&2
	echo "vm: no exit status from the guest; console in $_job/console.log:" >&2
	tail -n 20 "$_job/console.log" >&2
	[ $_qrc -eq 124 ] && return 124
	return 125
}

# sh tests/lib/vm.sh run CMD... | available | seg6
case ${0##*/} in
vm.sh)
	case ${1:-} in
	run) shift; vm_run "$@"; exit ;;
	available) vm_available; exit ;;
	seg6) host_has_seg6; exit ;;
	*) echo "usage: sh tests/lib/vm.sh run CMD... | available | seg6" >&2; exit 2 ;;
	esac ;;
esac
