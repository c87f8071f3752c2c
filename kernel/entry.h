/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hit path in (see entry.c): the ftrace ops' callback, and the
 * per-CPU guard that keeps handlers from nesting in one context, which
 * the return path honours too.  The int3 entry points are part of the
 * arch contract, in arch.h.
 */
#ifndef KRP_ENTRY_H
#define KRP_ENTRY_H

#include <linux/bits.h>
#include <linux/context_tracking.h>
#include <linux/ftrace.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>

/* one bit per interrupt context level: krp runs a handler there */
DECLARE_PER_CPU(unsigned int, krp_busy);

/* neither in an interrupt nor serving softirqs: interrupt_context_level() 0 */
static __always_inline bool krp_at_task_level(void)
{
	return !(preempt_count() & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET));
}

/*
 * BIT(interrupt_context_level()), the bit of krp_busy for the context
 * that runs: most hits come at task level, which a single test finds.
 */
static __always_inline unsigned int krp_level(void)
{
	if (likely(krp_at_task_level()))
		return BIT(0);
	return BIT(interrupt_context_level());
}

/*
 * rcu_is_watching() without its call, which every entry pays on every
 * hit.  Context tracking's per-CPU state is exported and the kernel's
 * own accessors of it are inline; 6.10 renamed them (6.1 has the
 * dynticks names).
 */
static __always_inline bool krp_rcu_watching(void)
{
#if !IS_ENABLED(CONFIG_CONTEXT_TRACKING_IDLE)
	return rcu_is_watching();
#elif defined(CT_RCU_WATCHING)
	/* rcu_is_watching_curr_cpu()'s test, as one per-CPU read */
	return raw_cpu_read(context_tracking.state.counter) & CT_RCU_WATCHING;
#elif defined(RCU_DYNTICKS_IDX)
	/* rcu_dynticks_curr_cpu_in_eqs()'s test, as one per-CPU read */
	return raw_cpu_read(context_tracking.state.counter) & RCU_DYNTICKS_IDX;
#else
	return rcu_is_watching();
#endif
}

/*
 * A handler is about to run for a hit at @level (a bit of krp_busy).
 * It runs at that level or, from a trap, inside the trap: a hit in
 * code it calls comes at either, and is recursion.  Returns the bits
 * to clear once it is done.
 */
static __always_inline unsigned int krp_busy_enter(unsigned int level)
{
	unsigned int mark = (level | krp_level()) &
			    ~__this_cpu_read(krp_busy);

	__this_cpu_or(krp_busy, mark);
	return mark;
}

static __always_inline void krp_busy_exit(unsigned int mark)
{
	__this_cpu_and(krp_busy, ~mark);
}

void krp_ftrace_handler(unsigned long ip, unsigned long parent_ip,
			struct ftrace_ops *ops, struct ftrace_regs *fregs);

#endif /* KRP_ENTRY_H */
