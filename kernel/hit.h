/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One hit on its way in, as every entry takes it (entry.c: ftrace and
 * direct calls; int3_entry.c: int3s and the jumps that replace them):
 * the per-CPU guard that keeps handlers from nesting in one context,
 * which the return path honours too, what the hit carries, plain
 * kprobes' pre- and post-handlers, and the push of return probes'
 * frames.  Inline, for the hit path of each; hit.c holds the rest.
 */
#ifndef KRP_HIT_H
#define KRP_HIT_H

#include <linux/bits.h>
#include <linux/context_tracking.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/ptrace.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>

#include "arch.h"
#include "pool.h"
#include "site.h"
#include "stats.h"

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

/* post-handlers of one hit, run once the probed instruction has run */
#define KRP_MAX_POST	8
struct krp_post {
	struct krp_probe *probe[KRP_MAX_POST];
	unsigned int n;
	bool redirected;	/* a pre-handler set regs->ip itself */
};

/*
 * A plain kprobe's pre-handler; krp_busy is set.  One that returns
 * non-zero has taken the hit over, as in the kernel's kprobes: no
 * post-handler, and no later probe of the site runs.
 */
static __always_inline void krp_kprobe_pre(struct krp_probe *p,
					   struct pt_regs *regs,
					   struct krp_post *post)
{
	__this_cpu_inc(p->stats->hits);
	if (p->pre_handler && p->pre_handler(p->kp, regs)) {
		post->redirected = true;
		return;
	}
	if (!p->post_handler)
		return;
	if (likely(post->n < KRP_MAX_POST))
		post->probe[post->n++] = p;
	else
		krp_miss(p, KRP_MISS_POST);
}

/*
 * One hit: where it came in, at what level (a bit of krp_busy), and the
 * bits of krp_busy its handlers set (that level and, from a trap, the
 * trap's own).  @rcu_off: the code that hit runs where RCU is not
 * watching.  A return probe's handler would then run at the return
 * outside RCU, where unregister's synchronize_rcu() does not wait for
 * it: both ends are missed instead.  Plain kprobes run in the trap,
 * which RCU watches.  @guard: the entry has no recursion guard of its
 * own (the direct call), so krp_busy's bit for @level is set from the
 * check to the end of the hit: a traced function that krp's own hit
 * path calls, probed too, cannot bring it back in at this level.
 */
struct krp_hit {
	struct pt_regs *regs;
	unsigned long ip;
	unsigned int level;
	unsigned int mark;
	bool rcu_off;
	bool guard;	/* no guard of ftrace's: krp_busy covers the whole hit */
};

/* A handler is about to run: the bits of krp_busy to clear after it. */
static __always_inline unsigned int krp_hit_busy(const struct krp_hit *hit)
{
	unsigned int mark = hit->mark & ~__this_cpu_read(krp_busy);

	__this_cpu_or(krp_busy, mark);
	return mark;
}

void krp_site_miss(struct krp_site *site, enum krp_miss why);

/* @ri, just reserved, is @p's frame for the return through @slot */
static __always_inline void krp_frame_fill(struct krp_kretprobe_instance *ri,
					   struct krp_probe *p,
					   unsigned long *slot)
{
	ri->probe = p;
	ri->frame = slot;
	ri->ret_addr = *slot;
}

/* @p's frame is complete: the return through @slot comes to krp */
static __always_inline void krp_ret_redirect(struct krp_probe *p,
					     unsigned long *slot)
{
	__this_cpu_inc(p->stats->pushed);
	*slot = krp_arch_trampoline();
}

/*
 * Push @p's frame on @pool for the return through @slot and run its
 * entry handler.  @hit: NULL on the lean direct entry, which has no
 * registers to show and takes no probe with an entry handler.
 * @show_ip: regs->ip is still the hook's, and the handler must see it
 * as after an int3 on the first byte.
 */
static __always_inline void krp_ret_push(struct krp_probe *p,
					 struct krp_pool *pool,
					 unsigned long *slot,
					 const struct krp_hit *hit,
					 bool show_ip)
{
	struct krp_kretprobe_instance *ri;
	unsigned long orig_ip;
	unsigned int mark;
	int declined, ret;

	ret = krp_frame_push(pool, p->frame_size, &ri);
	if (unlikely(ret)) {
		krp_miss(p, ret == -ENOSPC ? KRP_MISS_DEPTH : KRP_MISS_NOPOOL);
		return;
	}
	krp_frame_fill(ri, p, slot);
	if (hit && p->entry_handler) {
		orig_ip = instruction_pointer(hit->regs);
		if (show_ip)
			instruction_pointer_set(hit->regs, hit->ip + 1);
		mark = krp_hit_busy(hit);
		declined = p->entry_handler(ri, hit->regs);
		krp_busy_exit(mark);
		if (show_ip)
			instruction_pointer_set(hit->regs, orig_ip);
		if (declined) {
			krp_frame_pop(pool, ri);
			krp_miss(p, KRP_MISS_DECLINED);
			return;
		}
	}
	krp_ret_redirect(p, slot);
}

/*
 * A site of return probes only, as most are: no pre- or post-handler,
 * regs->ip shown only to entry handlers, current's pool found once.
 * @slot: the return address's; @level: the hit's bit of krp_busy;
 * @guard: krp_busy covers the whole hit (struct krp_hit); @hit: the
 * registers and the rest, or NULL on the lean direct entry, where a
 * probe with an entry handler can only be one just added, which the
 * next hit, on the full entry, takes.
 */
static __always_inline void krp_ret_entry(struct krp_site *site,
					  unsigned long *slot,
					  unsigned int level, bool guard,
					  const struct krp_hit *hit)
{
	struct krp_pool *pool;
	struct krp_probe *p;

	if (unlikely(__this_cpu_read(krp_busy) & level)) {
		krp_site_miss(site, KRP_MISS_RECURSION);
		return;
	}
	if (unlikely(hit && hit->rcu_off)) {
		krp_site_miss(site, KRP_MISS_RCU);
		return;
	}
	if (guard)
		__this_cpu_or(krp_busy, level);
	pool = krp_pool_current();
	if (unlikely(!pool)) {
		krp_pool_missing();
		krp_site_miss(site, KRP_MISS_NOPOOL);
		goto out;
	}
	p = READ_ONCE(site->lean);
	if (likely(p)) {
		krp_ret_push(p, pool, slot, hit, true);
		goto out;
	}
	list_for_each_entry_rcu(p, &site->probes, site_node) {
		if (READ_ONCE(p->disabled) || READ_ONCE(p->state) != KRP_LIVE)
			continue;
		/* a kprobe just added: the next hit takes krp_entry() */
		if (unlikely(!p->is_ret || (!hit && p->entry_handler)))
			continue;
		krp_ret_push(p, pool, slot, hit, true);
	}
out:
	if (guard)
		__this_cpu_and(krp_busy, ~level);
}

/* A site with plain kprobes on it, and maybe return probes too. */
static __always_inline void krp_entry(struct krp_site *site,
				      const struct krp_hit *hit,
				      struct krp_post *post)
{
	struct pt_regs *regs = hit->regs;
	unsigned long *slot, orig_ip;
	struct krp_pool *pool;
	struct krp_probe *p;
	unsigned int mark;

	if (unlikely(__this_cpu_read(krp_busy) & hit->level)) {
		krp_site_miss(site, KRP_MISS_RECURSION);
		return;
	}
	if (hit->guard)
		__this_cpu_or(krp_busy, hit->level);

	pool = NULL;
	slot = krp_arch_ret_slot(regs);
	orig_ip = instruction_pointer(regs);
	instruction_pointer_set(regs, hit->ip + 1);
	list_for_each_entry_rcu(p, &site->probes, site_node) {
		if (READ_ONCE(p->disabled) || READ_ONCE(p->state) != KRP_LIVE)
			continue;
		if (!p->is_ret) {
			mark = krp_hit_busy(hit);
			krp_kprobe_pre(p, regs, post);
			krp_busy_exit(mark);
			/* regs, and the return slot, are the handler's now */
			if (post->redirected)
				break;
			continue;
		}
		if (unlikely(hit->rcu_off)) {
			krp_miss(p, KRP_MISS_RCU);
			continue;
		}
		if (!pool)
			pool = krp_pool_current();
		if (unlikely(!pool)) {
			krp_pool_missing();
			krp_miss(p, KRP_MISS_NOPOOL);
			continue;
		}
		krp_ret_push(p, pool, slot, hit, false);
	}
	if (!post->redirected)
		instruction_pointer_set(regs, orig_ip);
	if (hit->guard)
		__this_cpu_and(krp_busy, ~hit->level);
}

/* Post-handlers, after the probed instruction ran (or was emulated). */
static __always_inline void krp_entry_post(struct pt_regs *regs,
					   struct krp_post *post,
					   unsigned int level)
{
	unsigned int i, mark;

	mark = krp_busy_enter(level);
	for (i = 0; i < post->n; i++)
		post->probe[i]->post_handler(post->probe[i]->kp, regs, 0);
	krp_busy_exit(mark);
}

#endif /* KRP_HIT_H */
