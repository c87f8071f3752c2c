// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path in, at an ftrace site: through krp's shared ftrace_ops
 * or, on x86_64, a direct call of the function's own.  Plain kprobes
 * run their pre-handlers; return probes push a frame on the task's
 * pool, run their entry handler and swap the return address for the
 * arch's trampoline (hit.h).  int3 sites enter in int3_entry.c.
 *
 * Handlers see regs->ip as after an int3 on the first byte, as the
 * kernel's kprobes show it.  Preemption is disabled throughout.
 */
#include <linux/context_tracking_state.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rculist.h>
#include <linux/sched.h>

#include "arch.h"
#include "direct.h"
#include "entry.h"
#include "hit.h"
#include "pool.h"
#include "site.h"
#include "stats.h"

/* A site with kprobes at an ftrace entry, off the common path. */
static noinline void notrace krp_ftrace_kprobes(struct krp_site *site,
						struct pt_regs *regs,
						unsigned long ip,
						unsigned int level, bool guard)
{
	struct krp_hit hit = { .regs = regs, .ip = ip, .level = level,
			       .mark = level, .guard = guard };
	unsigned long orig_ip = instruction_pointer(regs);
	struct krp_post post = { .n = 0, .redirected = false };

	krp_entry(site, &hit, &post);
	/*
	 * Without IPMODIFY krp cannot send the function elsewhere: a
	 * pre-handler's regs->ip is undone and its post-handler still runs,
	 * with regs->ip just past the ftrace call.
	 */
	if (post.redirected)
		instruction_pointer_set(regs, orig_ip);
	if (unlikely(post.n))
		krp_entry_post(regs, &post, level);
}
NOKPROBE_SYMBOL(krp_ftrace_kprobes);

/* Handlers at an ftrace entry run in the context that called the function. */
static __always_inline void krp_ftrace_site(struct krp_site *site,
					    struct pt_regs *regs,
					    unsigned long ip, bool guard)
{
	unsigned int level = krp_level();
	const struct krp_hit hit = { .regs = regs, .ip = ip, .level = level,
				     .mark = level, .rcu_off = false,
				     .guard = guard };

	if (likely(!READ_ONCE(site->nkprobes)))
		krp_ret_entry(site, krp_arch_ret_slot(regs), level, guard, &hit);
	else
		krp_ftrace_kprobes(site, regs, ip, level, guard);
}

/* The ftrace entry hook; ftrace disables preemption around it. */
void notrace krp_ftrace_handler(unsigned long ip, unsigned long parent_ip,
				struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct krp_site *site;

	/* Our tables are RCU-protected; some traced code runs without RCU. */
	if (unlikely(!krp_rcu_watching())) {
		krp_miss(NULL, KRP_MISS_RCU);
		return;
	}
	site = krp_site_find(ip);
	/*
	 * unarmed: a removal from the filter waits for a retry; direct: the
	 * shared ops still has the function, idle
	 */
	if (unlikely(!site || !regs || !READ_ONCE(site->armed) ||
		     READ_ONCE(site->direct)))
		return;
	krp_ftrace_site(site, regs, ip, false);
}
NOKPROBE_SYMBOL(krp_ftrace_handler);

/* @hook's site; NULL while it is idle or RCU does not watch (see below) */
static __always_inline struct krp_site *
krp_hook_site(struct krp_direct_hook *hook)
{
	if (unlikely(!krp_rcu_watching())) {
		krp_miss(NULL, KRP_MISS_RCU);
		return NULL;
	}
	return READ_ONCE(hook->site);
}

/**
 * krp_direct_handler() - the direct-call entry hook, with registers
 * @regs: registers at the function's entry, from the arch's trampoline
 * @hook: the function's hook, from its stub
 *
 * Called with preemption enabled and without the recursion guard that
 * ftrace gives an ops' callback: krp_busy guards the whole hit instead
 * (struct krp_hit).  The hook names its site while the site is armed
 * through it, and NULL while it is idle; the site is freed only after
 * a grace period, which needs RCU watching.  The arch comes here when
 * krp_direct_lean() asks for registers.
 */
void notrace krp_direct_handler(struct pt_regs *regs,
				struct krp_direct_hook *hook)
{
	struct krp_site *site;

	preempt_disable_notrace();
	site = krp_hook_site(hook);
	if (likely(site))
		krp_ftrace_site(site, regs, site->addr, true);
	preempt_enable_notrace();
}
NOKPROBE_SYMBOL(krp_direct_handler);

/* krp_kprobe_entry()'s cases other than its common one */
static noinline void notrace krp_kprobe_full(struct krp_site *site,
					     struct pt_regs *regs)
{
	unsigned long ip = instruction_pointer(regs);

	/* as krp's own ops sees it: just past the ftrace call */
	instruction_pointer_set(regs, site->addr + MCOUNT_INSN_SIZE);
	krp_ftrace_site(site, regs, site->addr, false);
	instruction_pointer_set(regs, ip);
}
NOKPROBE_SYMBOL(krp_kprobe_full);

/**
 * krp_kprobe_entry() - the entry hook by a kernel kprobe on the ftrace site
 * @kp: the function's kprobe, in its struct krp_direct_hook
 * @regs: registers at the function's entry
 *
 * Where the arch has no direct call (i386), direct.c hooks a function
 * with a kernel kprobe instead: the kernel's kprobes have ftrace ops of
 * their own in core kernel data, which ftrace calls without the list
 * walk that every module's ops pays, and the kprobe names the hook, so
 * the site needs no lookup either.  The kernel's kprobe_ftrace_handler()
 * calls this with preemption disabled and ftrace's recursion guard
 * held, regs->ip as after an int3 on the first byte.
 *
 * The common case is krp_direct_lean()'s; all others take the way of
 * krp's own ops, with regs->ip as ftrace gives it.
 *
 * Return: 0, always: krp never sends the function elsewhere.
 */
int notrace krp_kprobe_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct krp_direct_hook *hook;
	struct krp_kretprobe_instance *ri;
	struct krp_site *site;
	struct krp_pool *pool;
	struct krp_probe *p;
	struct krp_seg *seg;
	unsigned long *slot;
	unsigned int top;

	hook = container_of(kp, struct krp_direct_hook, kp);
	site = krp_hook_site(hook);
	if (unlikely(!site))
		return 0;
	p = READ_ONCE(site->lean);
	if (unlikely(!p || !krp_at_task_level() ||
		     (__this_cpu_read(krp_busy) & BIT(0))))
		goto full;
	pool = krp_pool_current();
	if (unlikely(!pool))
		goto full;
	seg = READ_ONCE(pool->cur);
	top = READ_ONCE(seg->top);
	if (unlikely(p->frame_size > seg->cap - top))
		goto full;
	slot = krp_arch_ret_slot(regs);
	ri = krp_seg_reserve(seg, top, p->frame_size);
	krp_frame_fill(ri, p, slot);
	krp_ret_redirect(p, slot);
	return 0;
full:
	krp_kprobe_full(site, regs);
	return 0;
}
NOKPROBE_SYMBOL(krp_kprobe_entry);

/* krp_direct_lean()'s cases other than its common one */
static noinline struct krp_direct_hook *notrace
krp_direct_slow(unsigned long *slot, struct krp_direct_hook *hook)
{
	struct krp_direct_hook *full = NULL;
	struct krp_site *site;

	preempt_disable_notrace();
	site = krp_hook_site(hook);
	if (unlikely(!site))
		goto out;
	if (unlikely(READ_ONCE(site->nregs)))
		full = hook;
	else
		krp_ret_entry(site, slot, krp_level(), true, NULL);
out:
	preempt_enable_notrace();
	return full;
}
NOKPROBE_SYMBOL(krp_direct_slow);

/**
 * krp_direct_lean() - the direct-call entry hook, without registers
 * @slot: where the function's return address is
 * @hook: the function's hook, from its stub
 *
 * What most hits need: a site of return probes without entry handlers
 * reads no register, so the arch saves only those that a call
 * clobbers and passes the return slot.  Otherwise nothing is done
 * here and the arch builds a struct pt_regs for krp_direct_handler().
 * Called as krp_direct_handler() is.
 *
 * The common case calls nothing, so it keeps to the registers the arch
 * saved: a site's lone lean probe (site->lean), at task level where no
 * handler of krp's runs, a frame that fits the pool's top segment.  It
 * sets no recursion guard, as nothing it runs can be probed.  Anything
 * else goes to the slow path before a byte is written.
 *
 * Return: NULL when the hit is done; @hook when it needs the registers,
 * for the arch to hand on to krp_direct_handler().
 */
notrace struct krp_direct_hook *krp_direct_lean(unsigned long *slot,
						struct krp_direct_hook *hook)
{
	struct krp_kretprobe_instance *ri;
	struct krp_site *site;
	struct krp_pool *pool;
	struct krp_probe *p;
	struct krp_seg *seg;
	unsigned int top;

	preempt_disable_notrace();
	if (unlikely(!krp_rcu_watching()))
		goto slow;
	site = READ_ONCE(hook->site);
	if (unlikely(!site))
		goto slow;
	p = READ_ONCE(site->lean);
	if (unlikely(!p || !krp_at_task_level() ||
		     (__this_cpu_read(krp_busy) & BIT(0))))
		goto slow;
	pool = krp_pool_current();
	if (unlikely(!pool))
		goto slow;
	seg = READ_ONCE(pool->cur);
	top = READ_ONCE(seg->top);
	if (unlikely(p->frame_size > seg->cap - top))
		goto slow;
	ri = krp_seg_reserve(seg, top, p->frame_size);
	krp_frame_fill(ri, p, slot);
	krp_ret_redirect(p, slot);
	preempt_enable_notrace();
	return NULL;
slow:
	preempt_enable_notrace();
	return krp_direct_slow(slot, hook);
}
NOKPROBE_SYMBOL(krp_direct_lean);
