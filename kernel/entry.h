/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hit path in at ftrace sites (entry.c): the shared ops' callback.
 * The direct-call and int3 entry points are part of the arch contract,
 * in arch.h.
 */
#ifndef KRP_ENTRY_H
#define KRP_ENTRY_H

#include <linux/ftrace.h>
#include <linux/kprobes.h>

void krp_ftrace_handler(unsigned long ip, unsigned long parent_ip,
			struct ftrace_ops *ops, struct ftrace_regs *fregs);

int krp_kprobe_entry(struct kprobe *kp, struct pt_regs *regs);

#endif /* KRP_ENTRY_H */
