#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Planted by `make test-the-tests` as the last test of a group: loads
# krp_plant_warn.ko, whose WARN fires a second later, after this test
# has passed and exited.
dir=${KRP_SELFTESTS:-/krp/selftests}
echo "TAP version 13"
echo "1..1"
if insmod "$dir/krp_plant_warn.ko" delay_ms=1000; then
	echo "ok 1 krp_plant_warn.ko loaded: a WARN fires in 1 s"
else
	echo "not ok 1 krp_plant_warn.ko loaded"
	exit 1
fi
