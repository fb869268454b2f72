#!/bin/sh
# Install the Debian packages the project needs; a no-op when all are present.
# Usage: scripts/deps.sh [--check]   (--check: exit 1 if something is missing)
set -eu
PKGS="build-essential clang libclang-rt-14-dev pkg-config libcmocka-dev libjansson-dev \
libpcap-dev libssl-dev libmnl-dev libev-dev tshark curl iproute2 gobgpd jq python3-scapy \
libbpf-dev libelf-dev zlib1g-dev bpftool iperf3 qemu-system-x86 linux-image-amd64 busybox-static \
gnuplot-nox iputils-ping faketime libseccomp-dev libcap-ng-dev gdb \
libmicrohttpd-dev prometheus mscgen mandoc systemd bash-completion"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "${1:-}" = "--check" ] && { echo "missing packages:$missing" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install:$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
