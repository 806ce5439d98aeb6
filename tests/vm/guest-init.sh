#!/bin/sh
# Second stage, PID 1 in the guest: mount what tests expect, run the
# command from build/vm/cmd, leave its exit status in build/vm/rc, power off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
mount -t bpf bpf /sys/fs/bpf
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/netns /dev/pts
mount -t devpts devpts /dev/pts
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
ip link set lo up
cd /xfwd-work || exit 1
echo "guest: $(uname -r), running: $(cat build/vm/cmd)"
sh -c "$(cat build/vm/cmd)" </dev/null 2>&1
echo $? >build/vm/rc
sync
echo 1 >/proc/sys/kernel/sysrq
echo o >/proc/sysrq-trigger
sleep 10 2>/dev/null
