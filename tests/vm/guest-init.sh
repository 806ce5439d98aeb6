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
# Static keys in the receive path (tc ingress/egress, generic XDP, packet
# timestamps) are flipped by patching kernel text when their first user
# comes or their last goes. Under TCG, patching __netif_receive_skb_core
# while both vCPUs ran it hot locked them up (soft lockup, int3 of the
# patch on the stack; docs/vm-testing.md); the tests flip the tc key at
# every silent cut. One user of each held for the whole run keeps them on.
tc qdisc add dev lo clsact
ip link set dev lo xdpgeneric obj /xfwd-work/build/tests/xdp_pass.bpf.o sec xdp 2>/dev/null
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 29, 1) # SO_TIMESTAMP (python has no name for it)
time.sleep(1e9)' &
cd /xfwd-work || exit 1
echo "guest: $(uname -r), running: $(cat build/vm/cmd)"
sh -c "$(cat build/vm/cmd)" </dev/null 2>&1
echo $? >build/vm/rc
sync
echo 1 >/proc/sys/kernel/sysrq
echo o >/proc/sysrq-trigger
sleep 10 2>/dev/null
