#!/usr/bin/env bash
# Install what xfwd needs to build, test, run the demo and the benchmarks on
# Debian 12. Idempotent: does nothing when everything is present.
set -euo pipefail

PKGS=(make gcc clang llvm libclang-rt-14-dev libbpf-dev libelf-dev zlib1g-dev libmnl-dev
      libcmocka-dev bpftool iproute2 ethtool iputils-ping netcat-openbsd tcpdump
      util-linux pkg-config libinih-dev libsystemd-dev bird2 gobgpd frr prometheus prometheus-node-exporter python3
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
# The tests run these daemons themselves, in namespaces; the services
# their packages enable would run zebra in the host's own namespace and
# Prometheus and node_exporter on every address. Disabled only when this
# script installed them; what the machine already had is left alone.
if [ -d /run/systemd/system ]; then
	for svc in frr prometheus prometheus-node-exporter; do
		[[ " ${missing[*]} " == *" $svc "* ]] || continue
		if systemctl disable --now "$svc.service" >/dev/null 2>&1; then
			echo "xfwd: installed $svc for the tests; its service is disabled (systemctl enable --now $svc to use it)"
		else
			echo "xfwd: installed $svc for the tests; could not disable $svc.service (systemctl disable --now $svc)" >&2
		fi
	done
fi
