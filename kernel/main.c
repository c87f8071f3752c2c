// SPDX-License-Identifier: GPL-2.0
/*
 * krp.ko entry points: bring the subsystems up in dependency order and
 * take them down in reverse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>

#include "internal.h"

bool krp_armed = true;

static int __init krp_init(void)
{
	int ret;

	ret = krp_debugfs_init();
	if (ret)
		return ret;

	pr_info("loaded\n");
	return 0;
}

static void __exit krp_exit(void)
{
	krp_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(krp_init);
module_exit(krp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp: return probes with per-task instance pools");
