// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path out: a probed function returns into the arch's
 * trampoline, which hands its stack slot here.  The slot's frames are
 * popped newest first (several probes on one function, recursion),
 * frames of functions that were left without returning are found by
 * stack position and reclaimed, each live probe's handler runs, and the
 * real return address goes back to the trampoline.
 *
 * Also here: what a handler or an unwinder asks of a frame, the real
 * return address behind krp's trampoline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "arch.h"
#include "hit.h"
#include "pool.h"
#include "probe.h"
#include "stats.h"

static void __noreturn krp_lost_frame(unsigned long *slot)
{
	pr_emerg("no frame for return slot %p of task %d (%s)\n",
		 slot, task_pid_nr(current), current->comm);
	BUG();
}

/*
 * The top frame is not @slot's: functions above were left without
 * returning (their stack is gone).  Reclaim their frames.
 */
static struct krp_kretprobe_instance *notrace
krp_reclaim_stale(struct krp_pool *pool, unsigned long *slot)
{
	struct krp_kretprobe_instance *ri, *top;
	struct krp_probe *p;

	for (ri = krp_frame_top(pool); ri && ri->frame != slot;)
		ri = krp_frame_below(pool, ri);
	if (unlikely(!ri))
		krp_lost_frame(slot);
	while ((top = krp_frame_top(pool)) != ri) {
		p = top->probe;
		krp_frame_pop(pool, top);
		__this_cpu_inc(krp_stats.stale);
		krp_frame_release(p);
	}
	return ri;
}
NOKPROBE_SYMBOL(krp_reclaim_stale);

/*
 * Several probes on one function, or a tail call between probed
 * functions: each later frame of @slot saw the trampoline as return
 * address; the oldest frame of @slot has the real one.  Frames of other
 * slots in between are stale; the pop loop reclaims them.
 */
static struct krp_kretprobe_instance *notrace
krp_oldest_of_slot(struct krp_pool *pool, struct krp_kretprobe_instance *ri,
		   unsigned long *slot)
{
	unsigned long tramp = krp_arch_trampoline();

	while (ri->frame != slot || ri->ret_addr == tramp) {
		ri = krp_frame_below(pool, ri);
		if (unlikely(!ri))
			krp_lost_frame(slot);
	}
	return ri;
}
NOKPROBE_SYMBOL(krp_oldest_of_slot);

/* @ri's handler, if its probe is live; @level: the context's, a krp_busy bit */
static __always_inline void krp_ret_handler(struct krp_kretprobe_instance *ri,
					    struct krp_probe *p,
					    struct pt_regs *regs,
					    unsigned int level)
{
	if (unlikely(READ_ONCE(p->state) != KRP_LIVE) || !p->handler)
		return;
	/* the handler runs where the function returned */
	if (unlikely(__this_cpu_read(krp_busy) & level)) {
		krp_miss(p, KRP_MISS_RECURSION);
		return;
	}
	__this_cpu_or(krp_busy, level);
	p->handler(ri, regs);
	__this_cpu_and(krp_busy, ~level);
}

/*
 * Several frames for @slot, or stale ones above them: pop down to the
 * oldest of @slot, whose return address is the real one.
 */
static unsigned long notrace krp_ret_frames(struct krp_pool *pool,
					    struct krp_kretprobe_instance *ri,
					    struct pt_regs *regs,
					    unsigned long *slot)
{
	struct krp_kretprobe_instance *oldest;
	unsigned int level;
	struct krp_probe *p;
	unsigned long real;

	oldest = krp_oldest_of_slot(pool, ri, slot);
	real = oldest->ret_addr;
	instruction_pointer_set(regs, real);
	WRITE_ONCE(*slot, real);
	level = krp_level();
	for (;;) {
		p = ri->probe;
		if (unlikely(ri->frame != slot)) {
			krp_frame_pop(pool, ri);
			__this_cpu_inc(krp_stats.stale);
			krp_frame_release(p);
			ri = krp_frame_top(pool);
			continue;
		}
		ri->ret_addr = real;
		krp_ret_handler(ri, p, regs, level);
		krp_frame_pop(pool, ri);
		krp_frame_release(p);
		if (ri == oldest)
			break;
		ri = krp_frame_top(pool);
	}
	return real;
}
NOKPROBE_SYMBOL(krp_ret_frames);

/* krp_trampoline_handler() but for its common case; preemption disabled */
static noinline struct krp_ret_to notrace
krp_trampoline_slow(struct pt_regs *regs, unsigned long *slot)
{
	struct krp_ret_to to = { .all_regs = 1 };
	struct krp_kretprobe_instance *ri;
	struct krp_pool *pool;
	struct krp_probe *p;
	unsigned long real;

	pool = krp_pool_of(current);
	if (unlikely(!pool))
		krp_lost_frame(slot);
	ri = krp_frame_top(pool);
	if (unlikely(!ri || ri->frame != slot))
		ri = krp_reclaim_stale(pool, slot);
	real = ri->ret_addr;
	if (unlikely(real == krp_arch_trampoline())) {
		to.addr = krp_ret_frames(pool, ri, regs, slot);
		return to;
	}
	/*
	 * An unwinder in a handler reads the caller from one of these: the
	 * registers (i386 frame pointers point at them) or the slot (ORC).
	 */
	instruction_pointer_set(regs, real);
	WRITE_ONCE(*slot, real);
	p = ri->probe;
	to.addr = real;
	to.all_regs = p->ret_all_regs;
	krp_ret_handler(ri, p, regs, krp_level());
	krp_frame_pop(pool, ri);
	krp_frame_release(p);
	return to;
}
NOKPROBE_SYMBOL(krp_trampoline_slow);

/**
 * krp_trampoline_handler() - run the return handlers of one stack slot
 * @regs: registers at the return, built by the arch trampoline
 * @slot: where the return address was on the stack
 *
 * The frames of @slot are popped newest first, each probe's handler run
 * while its frame is still reserved.  Most returns have one frame, on
 * top: it holds the real return address.  That case, a live probe's
 * frame at task level where no handler of krp's runs, is taken here
 * with little held across the handler; all others by the slow path,
 * before anything is changed.
 *
 * Return: the real return address, and whether all registers come back
 * (struct krp_ret_to).  Only a lone frame of a probe at an ftrace site
 * lets the trampoline restore just the return value: where several
 * frames share the slot, an entry of another kind may be among them.
 */
struct krp_ret_to notrace krp_trampoline_handler(struct pt_regs *regs,
						 unsigned long *slot)
{
	struct krp_kretprobe_instance *ri;
	krp_kretprobe_handler_t handler;
	struct krp_ret_to to;
	struct krp_pool *pool;
	struct krp_probe *p;
	struct krp_seg *seg;
	unsigned int top;

	preempt_disable_notrace();
	pool = krp_pool_current();
	if (unlikely(!pool))
		goto slow;
	seg = READ_ONCE(pool->cur);
	top = READ_ONCE(seg->top);
	/* a frame on top of the segment on top, none below */
	if (unlikely(!top))
		goto slow;
	ri = krp_seg_frame_at(seg, top);
	if (unlikely(!ri))
		goto slow;
	to.addr = ri->ret_addr;
	p = ri->probe;
	if (unlikely(ri->frame != slot || to.addr == krp_arch_trampoline() ||
		     READ_ONCE(p->state) != KRP_LIVE || !krp_at_task_level() ||
		     (__this_cpu_read(krp_busy) & BIT(0))))
		goto slow;
	instruction_pointer_set(regs, to.addr);
	WRITE_ONCE(*slot, to.addr);
	handler = p->handler;
	if (handler) {
		__this_cpu_or(krp_busy, BIT(0));
		handler(ri, regs);
		__this_cpu_and(krp_busy, ~1U);
	}
	/*
	 * Whatever ran meanwhile left the pool as it found it: the frame
	 * on top of @seg, which is pool->cur.
	 */
	to.all_regs = p->ret_all_regs;
	krp_seg_pop(pool, seg, seg, ri);
	krp_frame_release(p);
	preempt_enable_notrace();
	return to;
slow:
	to = krp_trampoline_slow(regs, slot);
	preempt_enable_notrace();
	return to;
}
NOKPROBE_SYMBOL(krp_trampoline_handler);

/**
 * krp_get_kretprobe() - the probe an instance belongs to
 * @ri: an instance given to a handler
 *
 * Return: the probe, or NULL once it is unregistered.
 */
struct krp_kretprobe *krp_get_kretprobe(struct krp_kretprobe_instance *ri)
{
	return READ_ONCE(ri->probe->rp);
}
EXPORT_SYMBOL_GPL(krp_get_kretprobe);

/**
 * krp_get_kretprobe_retaddr() - where the probed call returns to
 * @ri: an instance given to a handler of the current task
 *
 * Return: the real return address, also when several probes are on
 * the function.
 */
unsigned long krp_get_kretprobe_retaddr(struct krp_kretprobe_instance *ri)
{
	unsigned long tramp = krp_arch_trampoline();
	struct krp_pool *pool;

	if (ri->ret_addr != tramp)
		return ri->ret_addr;
	rcu_read_lock();
	pool = krp_pool_of(current);
	while (pool && ri && ri->ret_addr == tramp)
		ri = krp_frame_below(pool, ri);
	rcu_read_unlock();
	return ri ? ri->ret_addr : 0;
}
EXPORT_SYMBOL_GPL(krp_get_kretprobe_retaddr);

/**
 * krp_is_kretprobe_trampoline() - is @addr krp's return trampoline
 * @addr: a return address, e.g. from a stack trace
 *
 * Return: true if it is.
 */
bool krp_is_kretprobe_trampoline(unsigned long addr)
{
	return addr == krp_arch_trampoline();
}
EXPORT_SYMBOL_GPL(krp_is_kretprobe_trampoline);

static bool krp_task_on_cpu(struct task_struct *tsk)
{
#ifdef CONFIG_SMP
	return READ_ONCE(tsk->on_cpu);
#else
	return false;	/* only current is */
#endif
}

/**
 * krp_kretprobe_find_ret_addr() - real return address of a stack slot
 * @tsk: current, or a task that is not on a CPU
 * @fp: address of the stack slot that holds krp's trampoline
 * @cur: iteration state, NULL on the first call
 *
 * Unwinders call this for each trampoline address they meet, walking
 * from the innermost frame outwards.
 *
 * Return: the address the slot's function returns to, or 0 if @fp has
 * no frame or @tsk is on another CPU.
 */
unsigned long krp_kretprobe_find_ret_addr(struct task_struct *tsk, void *fp,
					  void **cur)
{
	unsigned long tramp = krp_arch_trampoline(), ret = 0;
	struct krp_kretprobe_instance *ri;
	struct krp_pool *pool;

	/*
	 * A task on another CPU changes its frames under us.  One that is
	 * runnable but waits for a CPU does not: unwinders ask about those
	 * too, and get an answer, not a warning.
	 */
	if (tsk != current && krp_task_on_cpu(tsk))
		return 0;
	rcu_read_lock();
	pool = krp_pool_of(tsk);
	if (!pool)
		goto out;
	ri = *cur ? krp_frame_below(pool, *cur) : krp_frame_top(pool);
	for (; ri; ri = krp_frame_below(pool, ri)) {
		if (ri->frame != fp || ri->ret_addr == tramp)
			continue;
		*cur = ri;
		ret = ri->ret_addr;
		break;
	}
out:
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(krp_kretprobe_find_ret_addr);
