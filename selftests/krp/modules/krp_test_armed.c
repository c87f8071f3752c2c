// SPDX-License-Identifier: GPL-2.0
/*
 * Probes left armed for the user-space side to look at (krp/list, a
 * probed module going away, rmmod with frames out); module exit
 * unregisters whatever is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "krp_test_common.h"

static struct krp_kretprobe rp_hold, rp_target;

int scenario_hold_pipe(void)
{
	rp_init(&rp_hold, "pipe_read", NULL, count_ret, 0);
	return krp_register_kretprobe(&rp_hold);
}

int scenario_arm_target(void)
{
	rp_init(&rp_target, "krp_target_fn", NULL, count_ret, 0);
	return krp_register_kretprobe(&rp_target);
}

static struct krp_kretprobe rp_int3;

int scenario_arm_int3(void)
{
	int ret;

	rp_init(&rp_int3, "krp_test_int3_fn", NULL, count_ret, 0);
	ret = krp_register_kretprobe(&rp_int3);
	if (!ret)
		krp_test_int3_fn(1);
	return ret;
}

int scenario_disarm_int3(void)
{
	if (!rp_int3.probe)
		return -EINVAL;
	krp_unregister_kretprobe(&rp_int3);
	return 0;
}

int scenario_disarm_target(void)
{
	if (!rp_target.probe)
		return -EINVAL;
	krp_unregister_kretprobe(&rp_target);
	return 0;
}

void krp_test_armed_exit(void)
{
	if (rp_hold.probe)
		krp_unregister_kretprobe(&rp_hold);
	if (rp_target.probe)
		krp_unregister_kretprobe(&rp_target);
	if (rp_int3.probe)
		krp_unregister_kretprobe(&rp_int3);
}
