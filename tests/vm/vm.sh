#!/usr/bin/env bash
# Run a command inside a throw-away qemu guest booted with Debian's own
# kernel (default: bookworm's, the 6.1 series the project targets), with
# the host's root filesystem shared read-only under a tmpfs overlay and
# this checkout shared read-write. For what this machine's kernel lacks
# (ESP, GRE, IPIP, GENEVE) and for testing on the oldest supported kernel.
# See ../shared/VM.md for how this recipe was found.
#
#   tests/vm/vm.sh [--kernel-pkg linux-image-X] -- COMMAND...
#
# Prints the guest's console (COMMAND's output) and exits with COMMAND's
# status; 1 with a reason if the guest could not boot or did not finish,
# 3 if its kernel locked up or panicked (the console kept in
# build/vm/console.died).
# Functional results only: never time anything in the guest (TCG).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${XFWD_VM_CACHE:-/var/cache/xfwd-vm}
PKG=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel-pkg) PKG=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: tests/vm/vm.sh [--kernel-pkg PKG] -- COMMAND..." >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "vm: needs root" >&2; exit 1; }

need=()
for p in qemu-system-x86 kmod cpio busybox-static; do
	dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q 'ok installed' || need+=($p)
done
if [ ${#need[@]} -gt 0 ]; then
	echo "vm: installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

# The kernel: what linux-image-amd64 points to, unpacked (never installed).
if [ -z "$PKG" ]; then
	PKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$PKG" ] || { apt-get update -qq; PKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'); }
fi
KVER=${PKG#linux-image-}
TREE=$CACHE/$KVER
if [ ! -e "$TREE/.ready" ]; then
	echo "vm: fetching $PKG"
	rm -rf "$TREE"; mkdir -p "$TREE"
	(cd "$CACHE" && apt-get download "$PKG" >/dev/null 2>&1) ||
		{ apt-get update -qq && (cd "$CACHE" && apt-get download "$PKG" >/dev/null 2>&1); } ||
		{ echo "vm: cannot download $PKG" >&2; exit 1; }
	dpkg -x "$CACHE"/"$PKG"_*.deb "$TREE"
	rm -f "$CACHE"/"$PKG"_*.deb
	depmod -b "$TREE" "$KVER" # the package's postinst would do this
	touch "$TREE/.ready"
fi

# A tiny first-stage initramfs: busybox, the modules 9p and overlay need.
INITRD=$TREE/initrd.cpio.gz
if [ ! -e "$INITRD" ] || [ "$INITRD" -ot "$0" ] || [ "$INITRD" -ot "$TOP/tests/vm/initramfs-init" ]; then
	ir=$(mktemp -d)
	mkdir -p "$ir"/{bin,mods,proc,sys,dev,ro,rw,newroot}
	cp /bin/busybox "$ir/bin/busybox"
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -d "$TREE" -S "$KVER" --show-depends $m | awk '/^insmod/ {print $2}'
	done | awk '!seen[$0]++' | while read -r ko; do
		cp "$ko" "$ir/mods/"; basename "$ko" >>"$ir/mods/order"
	done
	cp "$TOP/tests/vm/initramfs-init" "$ir/init"
	chmod +x "$ir/init"
	(cd "$ir" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$INITRD"
	rm -rf "$ir"
fi

# The command and its results travel through the shared checkout.
RUN=$TOP/build/vm
mkdir -p "$RUN"
rm -f "$RUN/rc"
printf '%q ' "$@" >"$RUN/cmd"
echo >>"$RUN/cmd"

# When the guest dies, the reason is far up a long console log and CI shows
# only its tail: repeat the test that was running and the kernel's report.
stuck_digest() {
	echo "vm: last test started: $(grep -E '^test_[a-z0-9_]+: [^0-9]' "$1" | tail -n 1)"
	echo "vm: last check: $(grep -E '^  (ok|FAIL) ' "$1" | tail -n 1)"
	echo "vm: the kernel's first report:"
	sed -n '/BUG:\|Kernel panic\|WARNING:\|Oops/,$p' "$1" | head -n 80
}

accel=tcg # /dev/kvm here is PVM: a stock kernel hangs under it
grep -qE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && accel=kvm
bios=()
[ -e /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom) # boots faster than SeaBIOS
echo "vm: booting $KVER ($accel)"
timeout "${XFWD_VM_TIMEOUT:-1800}" qemu-system-x86_64 \
	-machine q35,accel=$accel -cpu max -smp 2 -m 2048 \
	-nographic -no-reboot -nodefaults -serial stdio "${bios[@]}" \
	-kernel "$TREE/boot/vmlinuz-$KVER" -initrd "$INITRD" \
	-append "console=ttyS0 quiet loglevel=5 panic=-1 softlockup_panic=1 softlockup_all_cpu_backtrace=1 cryptomgr.notests xfwd_kver=$KVER xfwd_tree=$TREE" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=work,path="$TOP",security_model=none \
	-device virtio-9p-pci,fsdev=work,mount_tag=work \
	</dev/null | tee "$RUN/console" || true
if [ ! -s "$RUN/rc" ]; then
	echo "vm: FAIL: the guest did not finish (no exit status written)" >&2
	stuck_digest "$RUN/console" >&2
	cp "$RUN/console" "$RUN/console.died"
	# 3: the guest's kernel itself locked up or panicked (its report above)
	grep -q 'BUG: soft lockup\|Kernel panic' "$RUN/console" && exit 3
	exit 1
fi
exit "$(cat "$RUN/rc")"
