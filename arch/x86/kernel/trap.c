// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 traps krp takes, and the arch's load and unload: a die
 * notifier hands kernel-mode int3s and single-step debug traps to the
 * core's entry.
 */
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/notifier.h>
#include <linux/ptrace.h>
#include <asm/debugreg.h>

#include "arch.h"

/*
 * DIE_INT3 comes after the kernel's own kprobes declined the trap, and
 * DIE_DEBUG from the kernel-mode debug trap, both in NMI-like context.
 */
static int notrace krp_int3_notify(struct notifier_block *nb,
				   unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	unsigned long *dr6;

	if (user_mode(regs))
		return NOTIFY_DONE;
	if (val == DIE_INT3)
		return krp_int3_entry(regs, instruction_pointer(regs) - 1) ?
		       NOTIFY_STOP : NOTIFY_DONE;
	if (val != DIE_DEBUG)
		return NOTIFY_DONE;
	/* notify_debug() passes &dr6; a consumer clears what it handled */
	dr6 = (unsigned long *)args->err;
	if (!(*dr6 & DR_STEP) || !krp_step_trap(regs))
		return NOTIFY_DONE;
	*dr6 &= ~DR_STEP;
	return *dr6 ? NOTIFY_DONE : NOTIFY_STOP;
}
NOKPROBE_SYMBOL(krp_int3_notify);

static struct notifier_block krp_int3_nb = {
	.notifier_call = krp_int3_notify,
	/*
	 * Right after the kernel's kprobes and hw_breakpoint, registered
	 * at boot with the same priority (they let krp's traps and DR_STEP
	 * through), and before kgdb, which would take a kernel-mode int3
	 * for its own, and uprobes, which only wants user-mode ones: the
	 * chain walk is the shorter for krp's hits.
	 */
	.priority = INT_MAX,
};

/**
 * krp_arch_init() - hook the int3 and single-step traps
 *
 * Return: 0 or a negative errno.
 */
int krp_arch_init(void)
{
	return register_die_notifier(&krp_int3_nb);
}

/**
 * krp_arch_exit() - unhook the traps
 *
 * Every int3 of krp's went with its site before this runs.
 */
void krp_arch_exit(void)
{
	unregister_die_notifier(&krp_int3_nb);
}
