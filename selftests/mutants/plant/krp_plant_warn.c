// SPDX-License-Identifier: GPL-2.0
/*
 * krp_plant_warn.ko: a real WARN, from a timer, delay_ms after the
 * module loads.  Planted by `make test-the-tests` after the last test of
 * a group, it must turn that group's run red: the runner waits for late
 * failures before it reads the log and the taint.  Never part of a
 * normal run.
 */
#include <linux/bug.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/timer.h>

static unsigned int delay_ms = 1000;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "milliseconds from load to the WARN");

static struct timer_list plant_timer;

static void plant_fire(struct timer_list *t)
{
	WARN(1, "krp_plant_warn: the planted late WARN, %u ms after load\n",
	     delay_ms);
}

static int __init plant_init(void)
{
	timer_setup(&plant_timer, plant_fire, 0);
	mod_timer(&plant_timer, jiffies + msecs_to_jiffies(delay_ms));
	return 0;
}

static void __exit plant_exit(void)
{
	del_timer_sync(&plant_timer);
}

module_init(plant_init);
module_exit(plant_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp test of the tests: a late WARN");
