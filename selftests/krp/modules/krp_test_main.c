// SPDX-License-Identifier: GPL-2.0
/*
 * krp_test.ko: scenarios that exercise krp's probes from a client
 * module.  Writing a scenario's name to /sys/kernel/debug/krp_test/run
 * runs it in the writer's context; the write succeeds if the scenario
 * passed and fails with the scenario's errno otherwise, with the reason
 * in dmesg.
 *
 * Each family of scenarios has a file of its own (krp_test_<family>.c,
 * declared in krp_test_common.h); this file holds the one table that
 * names them, in the order the user-space side runs them, and the
 * module's init and exit.  A new scenario is a function in its family's
 * file, its prototype in krp_test_common.h and a line in the table.
 *
 * A few scenarios leave probes armed for the user-space side to check
 * (krp_test_armed.c, krp_test_every.c, the ool_arm_* ones); module exit
 * unregisters whatever is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "krp_test_common.h"
#include "krp_test_longmode.h"

static const struct krp_test_scenario scenarios[] = {
	{ "ool_arm_boost", scenario_ool_arm_boost },
	{ "ool_arm_step", scenario_ool_arm_step },
	{ "ool_call", scenario_ool_call },
	{ "ool_disarm", scenario_ool_disarm },
	{ "ool_ret", scenario_ool_ret },
	{ "ool_reenter", scenario_ool_reenter },
	{ "ool_stress", scenario_ool_stress },
	{ "neighbours", scenario_neighbours },
	{ "refuse", scenario_refuse },
	{ "extable_boost", scenario_extable_boost },
	{ "extable_step", scenario_extable_step },
	{ "extable_refuse", scenario_extable_refuse },
	{ "extable_form", scenario_extable_form },
	{ "retval", scenario_retval },
	{ "retval_set", scenario_retval_set },
	{ "data", scenario_data },
	{ "recursion", scenario_recursion },
	{ "recursion_fresh", scenario_recursion_fresh },
	{ "slab_start", scenario_slab_start },
	{ "slab_arm", scenario_slab_arm },
	{ "slab_disarm", scenario_slab_disarm },
	{ "slab_stop", scenario_slab_stop },
	{ "multi", scenario_multi },
	{ "sleepers", scenario_sleepers },
	{ "unregister", scenario_unregister },
	{ "find_ret_addr", scenario_find_ret_addr },
	{ "depth", scenario_depth },
	{ "disable", scenario_disable },
	{ "batch", scenario_batch },
	{ "badinput", scenario_badinput },
	{ "handler_recursion", scenario_handler_recursion },
	{ "declined", scenario_declined },
	{ "exit", scenario_exit },
	{ "irq_nesting", scenario_irq_nesting },
	{ "irq_nesting_counted", scenario_irq_nesting_counted },
	{ "int3", scenario_int3 },
	{ "kprobe", scenario_kprobe },
	{ "stress", scenario_stress },
	{ "hold_pipe", scenario_hold_pipe },
	{ "arm_target", scenario_arm_target },
	{ "disarm_target", scenario_disarm_target },
	{ "arm_int3", scenario_arm_int3 },
	{ "arm_every", scenario_arm_every },
	{ "arm_every_boost", scenario_arm_every_boost },
	{ "arm_every_ret", scenario_arm_every_ret },
	{ "disarm_every_ret", scenario_disarm_every_ret },
	{ "disarm_every", scenario_disarm_every },
	{ "disarm_int3", scenario_disarm_int3 },
	{ "ctx_handlers", scenario_ctx_handlers },
	{ "resolve_name", scenario_resolve_name },
	{ "rcu_idle", scenario_rcu_idle },
	{ "cpu_dead_arm", scenario_cpu_dead_arm },
	{ "cpu_dead_disarm", scenario_cpu_dead_disarm },
	{ "gone_stuck_arm", scenario_gone_stuck_arm },
	{ "gone_stuck_check", scenario_gone_stuck_check },
	{ "post_full", scenario_post_full },
	{ "pre_stop", scenario_pre_stop },
	{ "find_runnable", scenario_find_runnable },
	{ "play_idle", scenario_play_idle },
	{ "opt_inside", scenario_opt_inside },
	{ "jump_arm", scenario_jump_arm },
	{ "jump_call", scenario_jump_call },
	{ "jump_inside", scenario_jump_inside },
	{ "jump_disarm", scenario_jump_disarm },
	{ "jump_before", scenario_jump_before },
	{ "jump_shared", scenario_jump_shared },
	{ "jump_reserved", scenario_jump_reserved },
	{ "jump_churn", scenario_jump_churn },
	{ "jump_tail_arm", scenario_jump_tail_arm },
	{ "jump_tail_call", scenario_jump_tail_call },
	{ "st_return", scenario_st_return },
	{ "st_nested", scenario_st_nested },
	{ "st_entry", scenario_st_entry },
	{ "st_sleep_arm", scenario_st_sleep_arm },
	{ "st_sleep_release", scenario_st_sleep_release },
#ifdef CONFIG_X86_64
	{ "lm_arm_boost", scenario_lm_arm_boost },
	{ "lm_arm_step", scenario_lm_arm_step },
	{ "lm_call", scenario_lm_call },
	{ "lm_disarm", scenario_lm_disarm },
	{ "lm_refuse", scenario_lm_refuse },
	{ "lm_form_taken", scenario_lm_form_taken },
	{ "lm_form_refused", scenario_lm_form_refused },
	{ "call_depth", scenario_call_depth },
	{ "direct_hold", scenario_direct_hold },
	{ "direct_release", scenario_direct_release },
	{ "direct_arm", scenario_direct_arm },
	{ "direct_disarm", scenario_direct_disarm },
	{ "direct_calls", scenario_direct_calls },
	{ "direct_lean", scenario_direct_lean },
#else
	{ "kphook_arm", scenario_kphook_arm },
	{ "kphook_disarm", scenario_kphook_disarm },
	{ "kphook_outer_arm", scenario_kphook_outer_arm },
	{ "kphook_calls", scenario_kphook_calls },
	{ "kphook_full", scenario_kphook_full },
	{ "kphook_regs_arm", scenario_kphook_regs_arm },
	{ "kphook_regs_disarm", scenario_kphook_regs_disarm },
	{ "kphook_shared", scenario_kphook_shared },
	{ "kphook_nested_dropped", scenario_kphook_nested_dropped },
	{ "kphook_nested_seen", scenario_kphook_nested_seen },
#endif
	{ "fault_reg", scenario_fault_reg },
	{ "fault_int3", scenario_fault_int3 },
	{ "fault_batch", scenario_fault_batch },
	{ "fault_kprobe", scenario_fault_kprobe },
	{ "fault_arm", scenario_fault_arm },
	{ "fault_call", scenario_fault_call },
	{ "fault_off", scenario_fault_off },
	{ "fault_disarm", scenario_fault_disarm },
	{ "spin_arm", scenario_spin_arm },
	{ "spin_churn", scenario_spin_churn },
	{ "exit_storm", scenario_exit_storm },
	{ "churn", scenario_churn },
	{ "nmi", scenario_nmi },
	{ "mixed", scenario_mixed },
	{ "idle_arm", scenario_idle_arm },
	{ "idle_disarm", scenario_idle_disarm },
	{ "btrace_arm", scenario_btrace_arm },
	{ "btrace_disarm", scenario_btrace_disarm },
	{ "rmmod_arm", scenario_rmmod_arm },
	{ "rmmod_disarm", scenario_rmmod_disarm },
	{ "fuzz_register", scenario_fuzz_register },
	{ "fuzz_hold", scenario_fuzz_hold },
	{ "fuzz_release", scenario_fuzz_release },
};

static DEFINE_MUTEX(run_lock);

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	char name[32];
	int i, ret = -ENOENT;

	if (count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = '\0';
	strim(name);
	mutex_lock(&run_lock);
	krp_test_report_reset();
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (strcmp(name, scenarios[i].name))
			continue;
		ret = scenarios[i].fn();
		pr_info("%s: %s (%d)\n", name, ret ? "FAIL" : "pass", ret);
		break;
	}
	mutex_unlock(&run_lock);
	return ret ? ret : count;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
};

static struct dentry *dir;

static int __init krp_test_init(void)
{
	dir = debugfs_create_dir("krp_test", NULL);
	debugfs_create_file("run", 0200, dir, NULL, &run_fops);
	debugfs_create_file("report", 0400, dir, NULL, &krp_test_report_fops);
	return 0;
}

static void __exit krp_test_exit(void)
{
	debugfs_remove_recursive(dir);
	krp_test_slab_exit();
	krp_test_armed_exit();
	krp_test_kprobe_exit();
	krp_test_every_exit();
	krp_test_ool_exit();
	krp_test_extable_exit();
	krp_test_reliab_exit();
	krp_test_stacktrace_exit();
	if (IS_ENABLED(CONFIG_X86_64))
		krp_test_lm_exit();
#ifdef CONFIG_X86_64
	krp_test_direct_exit();
#else
	krp_test_kphook_exit();
#endif
	krp_test_faults_exit();
	krp_test_storm_exit();
	krp_test_spin_exit();
	krp_test_fuzz_exit();
}

module_init(krp_test_init);
module_exit(krp_test_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_DESCRIPTION("krp self-test client");
