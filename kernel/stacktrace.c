// SPDX-License-Identifier: GPL-2.0
/*
 * Stack traces through krp's trampoline.  A return address krp swapped
 * reads as krp_trampoline on the stack, and the kernel's unwinders know
 * only the kernel's own trampolines, so the kernel's traces of a task
 * inside a probed function show krp_trampoline where its caller should
 * be (and on x86_64 end there: ORC has no entry to go on from).  These
 * are the kernel's stack_trace_save*() with each such address replaced
 * by the real one, which the task's pool holds: the frame whose stack
 * slot the unwinder read it from.  Matching by slot, not by order,
 * leaves stale frames (functions left without returning) out.
 *
 * The walk is the arch's (krp_arch_stack_walk()); the arch feeds the
 * real address back to its unwinder, which needs it to go on.
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>

#include "arch.h"
#include "pool.h"

struct krp_trace {
	unsigned long *store;
	unsigned int size;
	unsigned int len;
	unsigned int skip;
	unsigned long tramp;
	struct krp_pool *pool;			/* NULL: no replacement */
	struct krp_kretprobe_instance *cur;	/* last frame matched */
};

/*
 * The real return address of the frame krp took at @slot.  The walk
 * goes outwards and the pool's frames are newest on top, so each search
 * starts below the last match.  Later probes on one function saw the
 * trampoline as return address: the slot's oldest frame has the real
 * one.  Not found (the task is between krp's push and its swap, or in
 * the trampoline before its registers are saved): the address stays.
 */
static unsigned long notrace krp_trace_real(struct krp_trace *t,
					    unsigned long *slot)
{
	struct krp_kretprobe_instance *ri;

	ri = t->cur ? krp_frame_below(t->pool, t->cur) : krp_frame_top(t->pool);
	for (; ri; ri = krp_frame_below(t->pool, ri)) {
		if (ri->frame != slot || ri->ret_addr == t->tramp)
			continue;
		t->cur = ri;
		return ri->ret_addr;
	}
	return t->tramp;
}
NOKPROBE_SYMBOL(krp_trace_real);

static bool notrace krp_trace_entry(void *cookie, unsigned long *addr,
				    unsigned long *slot)
{
	struct krp_trace *t = cookie;

	if (*addr == t->tramp && slot && t->pool)
		*addr = krp_trace_real(t, slot);
	if (t->skip) {
		t->skip--;
		return true;
	}
	t->store[t->len++] = *addr;
	return t->len < t->size;
}
NOKPROBE_SYMBOL(krp_trace_entry);

static void notrace krp_trace_init(struct krp_trace *t, unsigned long *store,
				   unsigned int size, unsigned int skip)
{
	t->store = store;
	t->size = size;
	t->len = 0;
	t->skip = skip;
	t->tramp = krp_arch_trampoline();
	t->cur = NULL;
}
NOKPROBE_SYMBOL(krp_trace_init);

/**
 * krp_stack_trace_save() - stack_trace_save() through krp's trampoline
 * @store: where the return addresses go, innermost first
 * @size: entries @store holds
 * @skipnr: entries to leave out at the start, as for stack_trace_save()
 *
 * The current stack, as stack_trace_save() gives it, with every return
 * address krp redirected to its trampoline replaced by the real one.
 * Safe in every context stack_trace_save() is, krp's handlers included
 * (NMI too): it takes no lock and reads only the current task's pool.
 *
 * Return: the number of entries stored.
 */
noinline unsigned int notrace krp_stack_trace_save(unsigned long *store,
						   unsigned int size,
						   unsigned int skipnr)
{
	struct krp_trace t;

	if (!size)
		return 0;
	/* and this function's own return address */
	krp_trace_init(&t, store, size, skipnr + 1);
	rcu_read_lock();
	t.pool = krp_pool_of(current);
	krp_arch_stack_walk(krp_trace_entry, &t, current, NULL);
	rcu_read_unlock();
	return t.len;
}
EXPORT_SYMBOL_GPL(krp_stack_trace_save);
NOKPROBE_SYMBOL(krp_stack_trace_save);

/**
 * krp_stack_trace_save_regs() - stack_trace_save_regs() through krp's trampoline
 * @regs: registers of the current task to start from, e.g. a handler's
 * @store: where the return addresses go, @regs->ip first
 * @size: entries @store holds
 * @skipnr: entries to leave out at the start
 *
 * As krp_stack_trace_save(), from @regs: in a return handler the first
 * entry is the real return address of the probed function.
 *
 * Return: the number of entries stored.
 */
unsigned int notrace krp_stack_trace_save_regs(struct pt_regs *regs,
					       unsigned long *store,
					       unsigned int size,
					       unsigned int skipnr)
{
	struct krp_trace t;

	if (!size)
		return 0;
	krp_trace_init(&t, store, size, skipnr);
	rcu_read_lock();
	t.pool = krp_pool_of(current);
	krp_arch_stack_walk(krp_trace_entry, &t, current, regs);
	rcu_read_unlock();
	return t.len;
}
EXPORT_SYMBOL_GPL(krp_stack_trace_save_regs);
NOKPROBE_SYMBOL(krp_stack_trace_save_regs);

static bool krp_trace_on_cpu(struct task_struct *tsk)
{
#ifdef CONFIG_SMP
	return READ_ONCE(tsk->on_cpu);
#else
	return false;
#endif
}

/**
 * krp_stack_trace_save_tsk() - stack_trace_save_tsk() through krp's trampoline
 * @tsk: current, or a task that the caller keeps from exiting
 * @store: where the return addresses go, innermost first
 * @size: entries @store holds
 * @skipnr: entries to leave out at the start
 *
 * As krp_stack_trace_save(), for @tsk.  The kernel pins a task's stack
 * for its own walk with a reference modules cannot take, so @tsk must
 * not exit during the call: one blocked on something the caller holds,
 * or stopped.  A task running on another CPU changes its stack under
 * the walk: its trace is what the unwinder finds, with krp's
 * trampoline left in it.
 *
 * Return: the number of entries stored.
 */
noinline unsigned int krp_stack_trace_save_tsk(struct task_struct *tsk,
					       unsigned long *store,
					       unsigned int size,
					       unsigned int skipnr)
{
	struct krp_trace t;

	if (!size || !task_stack_page(tsk))
		return 0;
	krp_trace_init(&t, store, size, skipnr + (tsk == current));
	rcu_read_lock();
	t.pool = tsk == current || !krp_trace_on_cpu(tsk) ?
		 krp_pool_of(tsk) : NULL;
	krp_arch_stack_walk(krp_trace_entry, &t, tsk, NULL);
	rcu_read_unlock();
	return t.len;
}
EXPORT_SYMBOL_GPL(krp_stack_trace_save_tsk);
