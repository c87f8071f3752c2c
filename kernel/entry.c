// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path in: a probed address is entered, through ftrace or an
 * int3.  Plain kprobes run their pre-handlers; return probes push a
 * frame on the task's pool, run their entry handler and swap the
 * return address for the arch's trampoline.  At an int3 the displaced
 * instruction is then carried out by the arch; post-handlers run once
 * it has, which for an out-of-line copy means after a single-step.
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
#include "pool.h"
#include "site.h"
#include "stats.h"

/* entry.h says why; set around every handler call */
DEFINE_PER_CPU(unsigned int, krp_busy);

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
 * The context level of the code that trapped, as a bit of krp_busy.
 * The arch's int3 trap enters like an NMI, adding NMI_OFFSET
 * and HARDIRQ_OFFSET to preempt_count(): interrupt_context_level()
 * would say NMI for every trap, and a return handler at process level
 * would not see its own probes' traps as recursion, running entry
 * handlers whose return handlers are then skipped.  The levels are
 * those of interrupt_context_level(), from the count before the trap.
 */
static __always_inline unsigned int krp_trap_level(void)
{
	unsigned long pc = preempt_count();
	unsigned int level = 0;

	if (likely((pc & NMI_MASK) && (pc & HARDIRQ_MASK)))
		pc -= NMI_OFFSET + HARDIRQ_OFFSET;
	level += !!(pc & NMI_MASK);
	level += !!(pc & (NMI_MASK | HARDIRQ_MASK));
	level += !!(pc & (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET));
	return BIT(level);
}

/*
 * Whether the code that trapped had RCU watching.  The trap itself makes
 * RCU watch (ct_nmi_enter()), so rcu_is_watching() is true in it; a trap
 * from an extended quiescent state, such as the idle loop's, is the
 * outermost NMI nesting level there: 1.  The accessor was renamed with
 * the rest of context tracking's RCU names.
 */
static __always_inline bool krp_trap_rcu_watched(void)
{
#if !IS_ENABLED(CONFIG_CONTEXT_TRACKING_IDLE)
	return true;
#elif defined(CT_NESTING_IRQ_NONIDLE)
	return ct_nmi_nesting() != 1;
#else
	return ct_dynticks_nmi_nesting() != 1;
#endif
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

/* Every live probe of @site that would have run misses, for @why. */
static void notrace krp_site_miss(struct krp_site *site, enum krp_miss why)
{
	struct krp_probe *p;

	list_for_each_entry_rcu(p, &site->probes, site_node)
		if (!READ_ONCE(p->disabled) && READ_ONCE(p->state) == KRP_LIVE)
			krp_miss(p, why);
}
NOKPROBE_SYMBOL(krp_site_miss);

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
	ri->probe = p;
	ri->frame = slot;
	ri->ret_addr = *slot;
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
	__this_cpu_inc(p->stats->pushed);
	*slot = krp_arch_trampoline();
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
	ri->probe = p;
	ri->frame = slot;
	ri->ret_addr = *slot;
	__this_cpu_inc(p->stats->pushed);
	*slot = krp_arch_trampoline();
	preempt_enable_notrace();
	return NULL;
slow:
	preempt_enable_notrace();
	return krp_direct_slow(slot, hook);
}
NOKPROBE_SYMBOL(krp_direct_lean);

/*
 * Single-steps in progress on this CPU.  Interrupts are off from the
 * int3 to the trap that ends the step, so only an NMI (or machine check) can nest a
 * step inside another; a stack keeps them apart.  A record is reserved
 * before it is filled, so that a nesting step takes the next one, and
 * its site is cleared before it is given back, so that a reserved one
 * reads as unfilled.
 */
#define KRP_STEP_DEPTH	4
struct krp_step {
	struct krp_site *site;
	unsigned long saved;
	struct krp_post post;
};
struct krp_steps {
	unsigned int n;
	struct krp_step step[KRP_STEP_DEPTH];
};
static DEFINE_PER_CPU(struct krp_steps, krp_steps);

static bool notrace krp_step_begin(struct krp_site *site,
				   struct pt_regs *regs, struct krp_post *post)
{
	struct krp_steps *steps = this_cpu_ptr(&krp_steps);
	struct krp_step *step;
	unsigned int i;

	if (unlikely(steps->n == KRP_STEP_DEPTH)) {
		for (i = 0; i < post->n; i++)
			krp_miss(post->probe[i], KRP_MISS_RECURSION);
		return false;
	}
	step = &steps->step[steps->n++];
	barrier();
	step->site = site;
	step->post = *post;
	krp_arch_step_begin(site, regs, &step->saved);
	return true;
}
NOKPROBE_SYMBOL(krp_step_begin);

/**
 * krp_step_trap() - the trap that ends a single step
 * @regs: its registers, in NMI-like context
 *
 * Called by the arch's trap hook.  The innermost step of this CPU
 * is the one that trapped, if any is krp's: its post-handlers run with
 * regs->ip after the original instruction, as the kernel's do.
 *
 * Return: true if the trap was krp's.
 */
bool notrace krp_step_trap(struct pt_regs *regs)
{
	struct krp_steps *steps = this_cpu_ptr(&krp_steps);
	struct krp_step *step;
	struct krp_post post;

	if (!steps->n)
		return false;
	step = &steps->step[steps->n - 1];
	/* reserved, not filled yet: a trap that is not this step's */
	if (!step->site || !krp_arch_step_end(step->site, regs, step->saved))
		return false;
	post = step->post;
	step->site = NULL;
	barrier();
	steps->n--;
	__this_cpu_inc(krp_stats.step_traps);
	krp_entry_post(regs, &post, krp_trap_level());
	return true;
}
NOKPROBE_SYMBOL(krp_step_trap);

/*
 * An int3 site with kprobes on it: pre-handlers, then the instruction,
 * stepped when a post-handler waits for it.  Inline: the trap costs
 * far more than the record of post-handlers every int3 hit now zeroes.
 */
static __always_inline void krp_int3_kprobes(struct krp_site *site,
					     struct pt_regs *regs,
					     unsigned long addr,
					     unsigned int level)
{
	const struct krp_hit hit = {
		.regs = regs, .ip = addr, .level = level,
		.mark = level | krp_level(),
		.rcu_off = !krp_trap_rcu_watched(),
	};
	struct krp_post post = { .n = 0, .redirected = false };

	krp_entry(site, &hit, &post);
	/* a pre-handler that set regs->ip skips the instruction, as in kprobes */
	if (post.redirected) {
		instruction_pointer_set(regs,
			krp_arch_jump_redirect(&site->arch, addr,
					       instruction_pointer(regs)));
		return;
	}
	if (krp_arch_int3_emulates(&site->arch)) {
		krp_arch_int3_emulate(site, regs);
		if (unlikely(post.n))
			krp_entry_post(regs, &post, level);
		return;
	}
	if (unlikely(post.n) && krp_step_begin(site, regs, &post))
		return;
	krp_arch_int3_boost(site, regs);
}

/* At an int3 the handlers run inside the trap, in NMI-like context. */
static __always_inline void krp_int3_site(struct krp_site *site,
					  struct pt_regs *regs,
					  unsigned long addr)
{
	unsigned int level = krp_trap_level();
	const struct krp_hit hit = {
		.regs = regs, .ip = addr, .level = level,
		.mark = level | krp_level(),
		.rcu_off = !krp_trap_rcu_watched(),
	};

	if (unlikely(READ_ONCE(site->nkprobes))) {
		krp_int3_kprobes(site, regs, addr, level);
		return;
	}
	krp_ret_entry(site, krp_arch_ret_slot(regs), level, false, &hit);
	if (krp_arch_int3_emulates(&site->arch))
		krp_arch_int3_emulate(site, regs);
	else
		krp_arch_int3_boost(site, regs);
}

/**
 * krp_int3_entry() - the int3 entry hook
 * @regs: registers of the trap, in NMI-like context
 * @addr: address of the int3
 *
 * Called by the arch's trap hook.  Whatever happens to the probes, the
 * instruction under the int3 is carried out: emulated here, or run from
 * its out-of-line slot, single-stepped there when a post-handler waits
 * for it and boosted (no second trap) otherwise.
 *
 * Return: true if the int3 is krp's, and handled.
 */
bool notrace krp_int3_entry(struct pt_regs *regs, unsigned long addr)
{
	struct krp_site *site = krp_site_find(addr);

	if (!site || !site->int3)
		return false;
	__this_cpu_inc(krp_stats.int3_traps);
	krp_int3_site(site, regs, addr);
	return true;
}
NOKPROBE_SYMBOL(krp_int3_entry);

/*
 * A jumped site with kprobes on it, off the common path: the record of
 * post-handlers is zeroed only here.  The hit is built here too, so that
 * the common path passes no local's address and needs no stack canary.
 */
static noinline void notrace krp_jump_kprobes(struct krp_site *site,
					      struct pt_regs *regs,
					      unsigned long ip,
					      unsigned int level)
{
	const struct krp_hit hit = { .regs = regs, .ip = ip, .level = level,
				     .mark = level, .guard = true };
	struct krp_post post = { .n = 0, .redirected = false };

	krp_entry(site, &hit, &post);
	if (unlikely(post.redirected)) {
		instruction_pointer_set(regs,
			krp_arch_jump_redirect(&site->arch, ip,
					       instruction_pointer(regs)));
		return;
	}
	/*
	 * A post-handler joined while its jump was being taken out: it
	 * runs now, before the copy rather than after it.
	 */
	if (unlikely(post.n))
		krp_entry_post(regs, &post, level);
}
NOKPROBE_SYMBOL(krp_jump_kprobes);

/**
 * krp_jump_handler() - the entry hook of a site whose int3 is a jump
 * @regs: registers at the site, from the arch's jump entry
 * @resume: the address the detour's call returns to, its copy of the
 *          covered instructions (arch/x86/kernel/jump.c)
 *
 * Called in the context of the probed code, preemption enabled, no
 * trap: as at a direct call, krp_busy guards the whole hit.  The site
 * is looked up by the address its detour holds, and must still own that
 * detour: a task preempted on its way here may arrive after the site
 * was unregistered, when the copy still runs but no handler may.
 *
 * Return: where the probed code goes on, @resume or where a pre-handler
 * sent it.
 */
unsigned long notrace krp_jump_handler(struct pt_regs *regs,
				       unsigned long resume)
{
	unsigned int level = krp_level();
	struct krp_site *site;
	unsigned long ip;

	instruction_pointer_set(regs, resume);
	preempt_disable_notrace();
	if (unlikely(!krp_rcu_watching())) {
		krp_miss(NULL, KRP_MISS_RCU);
		goto out;
	}
	ip = krp_arch_jump_site(resume);
	site = krp_site_find(ip);
	if (unlikely(!site || !site->int3 ||
		     !krp_arch_jump_owns(&site->arch, resume)))
		goto out;
	__this_cpu_inc(krp_stats.jump_hits);
	if (likely(!READ_ONCE(site->nkprobes))) {
		const struct krp_hit hit = { .regs = regs, .ip = ip,
					     .level = level, .mark = level,
					     .guard = true };

		krp_ret_entry(site, krp_arch_ret_slot(regs), level, true,
			      &hit);
	} else {
		krp_jump_kprobes(site, regs, ip, level);
	}
out:
	preempt_enable_notrace();
	return instruction_pointer(regs);
}
NOKPROBE_SYMBOL(krp_jump_handler);
