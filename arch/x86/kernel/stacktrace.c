// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 stack walk behind krp_stack_trace_save*(): the kernel's own
 * unwinder (frame pointers on i386, ORC on x86_64) through its exported
 * interface, as arch_stack_walk() drives it, with two things
 * arch_stack_walk() cannot give a module: where on the stack each
 * return address was found, and a way to put the real return address
 * in place of krp's trampoline before the unwinder moves on.  ORC needs
 * the latter: it looks up the next frame by the return address, and
 * krp_trampoline's own entry tells it to stop.
 */
#include <linux/sched.h>
#include <asm/stacktrace.h>
#include <asm/unwind.h>

#include "arch.h"

/*
 * Where the unwinder read the current frame's return address: the
 * kernel's unwind_get_return_address_ptr(), which is not exported,
 * from the fields of struct unwind_state each unwinder fills.
 */
static unsigned long *krp_unwind_slot(struct unwind_state *state)
{
	if (unwind_done(state))
		return NULL;
	if (state->regs)
		return &state->regs->ip;
#if defined(CONFIG_UNWINDER_ORC)
	return state->sp ? (unsigned long *)state->sp - 1 : NULL;
#elif defined(CONFIG_UNWINDER_FRAME_POINTER)
	return state->bp ? state->bp + 1 : NULL;
#else
	return state->sp;
#endif
}

/**
 * krp_arch_stack_walk() - walk a stack, letting @fn correct each entry
 * @fn: called for each return address, innermost first; may change it
 * @cookie: for @fn
 * @task: the task whose stack is walked (current, or one not running)
 * @regs: registers to start from, or NULL for the caller's own frame
 *
 * Must not be inlined into its caller: the first entry reported for
 * current is the return address into the function that called this
 * one, as with arch_stack_walk() and stack_trace_save().
 */
noinline void krp_arch_stack_walk(krp_stack_consume_fn fn, void *cookie,
				  struct task_struct *task,
				  struct pt_regs *regs)
{
	struct unwind_state state;
	unsigned long addr, orig;

	if (regs) {
		addr = regs->ip;
		if (!fn(cookie, &addr, NULL))
			return;
	}
	for (unwind_start(&state, task, regs, NULL); !unwind_done(&state);
	     unwind_next_frame(&state)) {
		orig = unwind_get_return_address(&state);
		if (!orig)
			break;
		addr = orig;
		if (!fn(cookie, &addr, krp_unwind_slot(&state)))
			break;
		/* the unwinder finds the caller's frame by its address */
		if (addr != orig)
			state.ip = addr;
	}
}
