/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hit path in (see entry.c): the ftrace ops' callback, and the
 * per-CPU guard that keeps handlers from nesting in one context, which
 * the return path honours too.  The int3 entry points are part of the
 * arch contract, in arch.h.
 */
#ifndef KRP_ENTRY_H
#define KRP_ENTRY_H

#include <linux/ftrace.h>
#include <linux/percpu.h>

/* one bit per interrupt context level: krp runs a handler there */
DECLARE_PER_CPU(unsigned int, krp_busy);

void krp_ftrace_handler(unsigned long ip, unsigned long parent_ip,
			struct ftrace_ops *ops, struct ftrace_regs *fregs);

#endif /* KRP_ENTRY_H */
