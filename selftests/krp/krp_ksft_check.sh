#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# krp_ksft_check: whether krp's tests can run here, said as one of the
# kselftests (selftests/krp/Makefile).  Exit 4 (kselftest's skip) when
# not root or on a kernel krp does not support; 1 when krp.ko is neither
# loaded nor to be found; else 0.  In the QEMU runner krp.ko is in /krp.

echo "TAP version 13"
echo "1..1"
skip() { echo "ok 1 krp can be tested here # SKIP $*"; exit 4; }

[ "$(id -u)" -eq 0 ] || skip "not root: the tests load modules"
case $(uname -m) in
i?86|x86_64) ;;
*) skip "krp supports x86 only, this is $(uname -m)" ;;
esac
case $(uname -r) in
6.1.*|6.12.*) ;;
*) skip "krp supports Linux 6.1 and 6.12, this is $(uname -r)" ;;
esac
if [ -d /sys/module/krp ]; then
	echo "# krp.ko is loaded (version $(cat /sys/module/krp/version 2>/dev/null)): the tests use it"
elif [ -z "${KRP_MODULE:-}" ] || [ ! -f "$KRP_MODULE" ]; then
	echo "not ok 1 no krp.ko: build it (make) or install it (make install)"
	exit 1
fi
echo "ok 1 krp can be tested here"
