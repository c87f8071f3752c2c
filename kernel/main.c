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

#include "arch.h"
#include "debugfs.h"
#include "pool.h"
#include "probe.h"
#include "procfs.h"
#include "site.h"

static int __init krp_init(void)
{
	int ret;

	ret = krp_arch_init();
	if (ret)
		return ret;
	ret = krp_pools_init();
	if (ret)
		goto out_arch;
	ret = krp_probe_init();
	if (ret)
		goto out_pools;
	ret = krp_sites_init();
	if (ret)
		goto out_probe;
	ret = krp_debugfs_init();
	if (ret)
		goto out_sites;
	ret = krp_procfs_init();
	if (ret)
		goto out_debugfs;

	pr_info("loaded, version %s\n", KRP_VERSION);
	return 0;

out_debugfs:
	krp_debugfs_exit();
out_sites:
	krp_sites_exit();
out_probe:
	krp_probe_exit();
out_pools:
	krp_pools_exit();
out_arch:
	krp_arch_exit();
	return ret;
}

static void __exit krp_exit(void)
{
	/* the definitions are krp's own probes: they go first */
	krp_procfs_exit();
	krp_debugfs_exit();
	/* clients depend on krp.ko, so they have unregistered by now */
	WARN_ON(!list_empty(&krp_probes) || !list_empty(&krp_dying));
	krp_sites_exit();
	krp_probe_exit();
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
MODULE_VERSION(KRP_VERSION);
