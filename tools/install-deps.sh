#!/usr/bin/env bash
# Install what xfwd needs to build, test, run the demo and the benchmarks on
# Debian 12. Idempotent: does nothing when everything is present.
set -euo pipefail

PKGS=(make gcc clang llvm libclang-rt-14-dev libbpf-dev libelf-dev zlib1g-dev libmnl-dev
      libcmocka-dev bpftool iproute2 ethtool iputils-ping netcat-openbsd tcpdump
      util-linux pkg-config libinih-dev libsystemd-dev bird2 gobgpd python3
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
