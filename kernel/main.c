// SPDX-License-Identifier: GPL-2.0
/*
 * krp.ko entry points: bring the parts up in dependency order and take
 * them down in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/rcupdate_wait.h>

#include "internal.h"

bool krp_armed = true;

static int __init krp_init(void)
{
	int ret;

	ret = krp_arch_init();
	if (ret)
		return ret;
	ret = krp_pools_init();
	if (ret)
		goto out_arch;
	ret = krp_kretprobe_init();
	if (ret)
		goto out_arch;
	ret = krp_debugfs_init();
	if (ret)
		goto out_kretprobe;

	pr_info("loaded\n");
	return 0;

out_kretprobe:
	krp_kretprobe_exit();
out_arch:
	krp_arch_exit();
	return ret;
}

static void __exit krp_exit(void)
{
	krp_debugfs_exit();
	krp_kretprobe_exit();
	krp_pools_exit();
	/*
	 * The last frame's return may still be running the tail of the
	 * trampoline, preemptibly: wait until every task has been seen
	 * off krp's text before it goes away.
	 */
	synchronize_rcu_tasks();
	/* and the idle tasks off its slots, see kernel/slots.c */
	synchronize_rcu_tasks_rude();
	rcu_barrier();
	krp_arch_exit();
	pr_info("unloaded\n");
}

module_init(krp_init);
module_exit(krp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp: return probes with per-task instance pools");
