#!/usr/bin/env bash
# Install what xfwd needs to build, test, run the demo and the benchmarks on
# Debian 12. Idempotent: does nothing when everything is present.
set -euo pipefail

PKGS=(make gcc clang llvm libclang-rt-14-dev libbpf-dev libelf-dev zlib1g-dev libmnl-dev
      libcmocka-dev bpftool iproute2 ethtool iputils-ping netcat-openbsd tcpdump
      util-linux pkg-config libinih-dev libsystemd-dev bird2 gobgpd frr python3
      strongswan-charon strongswan-swanctl)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "xfwd: missing packages: ${missing[*]}" >&2
	echo "xfwd: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "xfwd: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The tests run FRR's daemons themselves, in namespaces: a frr.service the
# package enabled would run zebra in the host's own namespace. Only when
# this script installed it; an FRR the machine already had is left alone.
if [[ " ${missing[*]} " == *" frr "* ]] && [ -d /run/systemd/system ]; then
	if systemctl disable --now frr.service >/dev/null 2>&1; then
		echo "xfwd: installed frr for the tests; its service is disabled (systemctl enable --now frr to use it)"
	else
		echo "xfwd: installed frr for the tests; could not disable frr.service (systemctl disable --now frr)" >&2
	fi
fi
