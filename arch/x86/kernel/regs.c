// SPDX-License-Identifier: GPL-2.0
/*
 * Register names of fetch arguments (%ax, %di, ...): the names of the
 * members of struct pt_regs, as kprobe_events takes them.  The kernel's
 * own table, regs_query_register_offset(), is not exported.
 */
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "arch.h"

struct krp_reg_name {
	const char *name;
	unsigned int offset;
};

#define KRP_REG(r) { #r, offsetof(struct pt_regs, r) }

static const struct krp_reg_name krp_reg_names[] = {
#ifdef CONFIG_X86_64
	KRP_REG(r15), KRP_REG(r14), KRP_REG(r13), KRP_REG(r12),
	KRP_REG(r11), KRP_REG(r10), KRP_REG(r9), KRP_REG(r8),
#else
	KRP_REG(ds), KRP_REG(es), KRP_REG(fs), KRP_REG(gs),
#endif
	KRP_REG(bx), KRP_REG(cx), KRP_REG(dx), KRP_REG(si), KRP_REG(di),
	KRP_REG(bp), KRP_REG(ax), KRP_REG(orig_ax), KRP_REG(ip),
	KRP_REG(cs), KRP_REG(flags), KRP_REG(sp), KRP_REG(ss),
};

/**
 * krp_arch_reg_offset() - where a named register is in struct pt_regs
 * @name: a member name of struct pt_regs, without the '%'
 *
 * Return: its offset, for regs_get_register(), or -EINVAL.
 */
int krp_arch_reg_offset(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(krp_reg_names); i++)
		if (!strcmp(name, krp_reg_names[i].name))
			return krp_reg_names[i].offset;
	return -EINVAL;
}
