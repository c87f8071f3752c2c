// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 traps krp takes, and the arch's load and unload: a die
 * notifier hands kernel-mode int3s to the core's entry, those of its
 * sites and those that end a single step.
 */
#include <linux/compiler.h>
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/notifier.h>
#include <linux/ptrace.h>

#include "arch.h"
#include "krp_slots.h"

/*
 * Whether @addr is in the second half of a slot, where the int3 after
 * each step copy is (krp_slots.h): such an int3 ends a single step.
 */
static __always_inline bool krp_is_step_int3(unsigned long addr)
{
	unsigned long area = (unsigned long)krp_slot_area, off;

	/* not folded into krp_slot_area+1, which objtool takes for a branch */
	OPTIMIZER_HIDE_VAR(area);
	off = addr - area;

	return off < KRP_NR_SLOTS * KRP_SLOT_SIZE &&
	       off % KRP_SLOT_SIZE >= KRP_SLOT_STEP;
}

/*
 * DIE_INT3 comes after the kernel's own kprobes declined the trap, in
 * NMI-like context.
 */
static int notrace krp_int3_notify(struct notifier_block *nb,
				   unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;
	unsigned long addr;

	if (val != DIE_INT3 || user_mode(regs))
		return NOTIFY_DONE;
	addr = instruction_pointer(regs) - 1;
	if (krp_is_step_int3(addr))
		return krp_step_trap(regs) ? NOTIFY_STOP : NOTIFY_DONE;
	return krp_int3_entry(regs, addr) ? NOTIFY_STOP : NOTIFY_DONE;
}
NOKPROBE_SYMBOL(krp_int3_notify);

static struct notifier_block krp_int3_nb = {
	.notifier_call = krp_int3_notify,
	/*
	 * First on the chain, before kgdb, which would take a kernel-mode
	 * int3 for its own, and uprobes, which only wants user-mode ones:
	 * the chain walk is the shorter for krp's hits.  The kernel's own
	 * kprobes see every int3 before the chain, and let krp's through.
	 */
	.priority = INT_MAX,
};

/**
 * krp_arch_init() - hook the int3 trap
 *
 * Return: 0 or a negative errno.
 */
int krp_arch_init(void)
{
	return register_die_notifier(&krp_int3_nb);
}

/**
 * krp_arch_exit() - unhook the int3 trap
 *
 * Every int3 of krp's went with its site before this runs.
 */
void krp_arch_exit(void)
{
	unregister_die_notifier(&krp_int3_nb);
}
