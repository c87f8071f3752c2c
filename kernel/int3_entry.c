// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path in, at an int3 site: the trap, in NMI-like context, and
 * the jump that replaces the int3 where the optimizer put one, in the
 * probed code's.  The displaced instruction is then carried out by the
 * arch; post-handlers run once it has, which for an out-of-line copy
 * means after a single-step, whose records are kept here.
 *
 * Handlers see regs->ip as after an int3 on the first byte, as the
 * kernel's kprobes show it.  Preemption is disabled throughout.
 */
#include <linux/context_tracking.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

#include "arch.h"
#include "hit.h"
#include "site.h"
#include "stats.h"

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
