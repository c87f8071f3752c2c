#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh: what `make run` shows, run in the guest by tools/krp-qemu.
# krp.ko is in /krp; debugfs is mounted.

set -e
ko=${KRP_MODULE:-/krp/krp.ko}
dir=/sys/kernel/debug/krp

step() { printf '\n$ %s\n' "$*"; }

echo "krp demo on $(uname -r) ($(uname -m))"
step insmod "$ko"
insmod "$ko"
step 'lsmod | grep krp'
lsmod | grep '^krp '
step ls -l "$dir"
ls -l "$dir"
step cat "$dir/list"
cat "$dir/list"
step cat "$dir/enabled"
cat "$dir/enabled"
step "dmesg | grep krp"
dmesg | grep 'krp' | grep -v 'krp-qemu'
step rmmod krp
rmmod krp
if [ -e "$dir" ]; then
	echo "demo: $dir still exists after rmmod" >&2
	exit 1
fi
echo
echo "krp loaded, showed its debugfs files and unloaded."
