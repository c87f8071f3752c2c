/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krp: return probes with per-task instance pools.
 *
 * This header mirrors the kprobe and kretprobe API of the 6.1
 * <linux/kprobes.h>
 * with every identifier prefixed by krp_ (or KRP_).  A client written
 * for the kernel's API ports by including <krp/kprobes.h> instead and
 * adding the prefix.  The differences are listed here and documented on
 * each item:
 *
 * - Instances live in per-task pools, not in a per-probe pool.  A probe
 *   never misses a return because other tasks are inside the function;
 *   @maxactive is accepted and ignored.  The bound is the depth of the
 *   calling task's pool (module parameter pool_size, in bytes).
 * - nmissed fields are counted exactly per CPU.  Like the kernel's,
 *   they are also bumped directly on a miss, without atomics, so they
 *   may lag under concurrent misses; krp_kretprobe_nmissed(), reads of
 *   debugfs krp/list and unregistering write the exact sums back.
 * - krp_regs_return_value64() returns a 64-bit return value, edx:eax
 *   on i386.
 * - krp_get_kretprobe_retaddr() returns the real return address even
 *   when several probes sit on one function.
 * - The kernel's unwinders do not know krp's trampoline: traces taken
 *   with krp_stack_trace_save(), _regs() and _tsk() show the real return
 *   addresses where the kernel's stack_trace_save*() show krp_trampoline.
 */
#ifndef _KRP_KPROBES_H
#define _KRP_KPROBES_H

#include <linux/types.h>
#include <linux/ptrace.h>
/* for what ported clients keep using: NOKPROBE_SYMBOL() and the like */
#include <linux/kprobes.h>

struct krp_kretprobe_instance;
struct krp_probe;
struct task_struct;

/* Flag values match KPROBE_FLAG_* of the kernel. */
#define KRP_FLAG_GONE		1	/* the probed module went away */
#define KRP_FLAG_DISABLED	2	/* registered but not armed */
#define KRP_FLAG_FTRACE		8	/* entry through ftrace */

/* data_size above this is refused with -E2BIG, as in the kernel */
#define KRP_KRETPROBE_MAX_DATA_SIZE	4096

typedef u8 krp_opcode_t;

typedef int (*krp_kretprobe_handler_t)(struct krp_kretprobe_instance *,
				       struct pt_regs *);

struct krp_kprobe;
typedef int (*krp_kprobe_pre_handler_t)(struct krp_kprobe *, struct pt_regs *);
typedef void (*krp_kprobe_post_handler_t)(struct krp_kprobe *,
					  struct pt_regs *, unsigned long);

/**
 * struct krp_kprobe - a probe on one instruction, or where a kretprobe goes
 * @symbol_name: function to probe, resolved at registration; or NULL
 * @offset: offset from @symbol_name (kretprobes: must land on entry)
 * @addr: address to probe, or the resolved address after registration
 * @pre_handler: called before the probed instruction runs, with
 *	regs->ip = @addr + 1; a non-zero return means it set regs->ip
 *	itself: the instruction is skipped (int3 entries only: at an
 *	ftrace entry regs->ip is restored) and, as in the kernel, no
 *	later probe on @addr runs for that hit
 * @post_handler: called after the probed instruction ran; flags is 0
 * @flags: KRP_FLAG_* (only KRP_FLAG_DISABLED may be set by the caller)
 * @nmissed: hits dropped because krp was re-entered in that context
 *	(a handler hit a probe), and post-handlers past the eighth of one
 *	hit
 * @probe: krp's private state of a plain kprobe; NULL while not registered
 *
 * Exactly one of @symbol_name and @addr must be given.  Handlers run
 * with preemption disabled and must not sleep; at an int3 entry they run
 * in NMI-like context.  The handlers of a kretprobe's @kp are krp's.
 */
struct krp_kprobe {
	const char *symbol_name;
	unsigned int offset;
	krp_opcode_t *addr;
	krp_kprobe_pre_handler_t pre_handler;
	krp_kprobe_post_handler_t post_handler;
	u32 flags;
	unsigned long nmissed;
	struct krp_probe *probe;
};

/**
 * struct krp_kretprobe - a return probe
 * @kp: where it goes (function entry only)
 * @handler: called when the probed function returns; return value ignored
 * @entry_handler: called at entry; a non-zero return means "do not probe
 *	this return" (the instance is dropped and counted as declined)
 * @maxactive: accepted for source compatibility and ignored: per-task
 *	pools have no per-probe concurrency limit
 * @nmissed: entries dropped because the task's pool was full or missing
 * @data_size: bytes of private data per instance, at most
 *	%KRP_KRETPROBE_MAX_DATA_SIZE
 * @probe: krp's private state; NULL while not registered
 *
 * Handlers run with preemption disabled and must not sleep.  A probed
 * function called from a handler is counted in @kp.nmissed and is not
 * probed; so is one entered where RCU is not watching (the idle loop).
 * Every entry_handler call is followed by a handler call.
 */
struct krp_kretprobe {
	struct krp_kprobe kp;
	krp_kretprobe_handler_t handler;
	krp_kretprobe_handler_t entry_handler;
	int maxactive;
	int nmissed;
	size_t data_size;
	struct krp_probe *probe;
};

/**
 * struct krp_kretprobe_instance - one outstanding return of one task
 * @data: @data_size bytes for the handlers, not initialized
 *
 * The other members are private to krp; use the accessors.
 */
struct krp_kretprobe_instance {
	struct krp_probe *probe;
	unsigned long ret_addr;
	unsigned long *frame;
	char data[] __aligned(sizeof(long));
};

int krp_register_kprobe(struct krp_kprobe *kp);
void krp_unregister_kprobe(struct krp_kprobe *kp);
int krp_register_kprobes(struct krp_kprobe **kps, int num);
void krp_unregister_kprobes(struct krp_kprobe **kps, int num);
int krp_enable_kprobe(struct krp_kprobe *kp);
int krp_disable_kprobe(struct krp_kprobe *kp);

int krp_register_kretprobe(struct krp_kretprobe *rp);
void krp_unregister_kretprobe(struct krp_kretprobe *rp);
int krp_register_kretprobes(struct krp_kretprobe **rps, int num);
void krp_unregister_kretprobes(struct krp_kretprobe **rps, int num);
int krp_enable_kretprobe(struct krp_kretprobe *rp);
int krp_disable_kretprobe(struct krp_kretprobe *rp);
int krp_kretprobe_nmissed(struct krp_kretprobe *rp);

struct krp_kretprobe *krp_get_kretprobe(struct krp_kretprobe_instance *ri);
unsigned long krp_get_kretprobe_retaddr(struct krp_kretprobe_instance *ri);
unsigned long krp_kretprobe_find_ret_addr(struct task_struct *tsk, void *fp,
					  void **cur);
bool krp_is_kretprobe_trampoline(unsigned long addr);

/*
 * The kernel's stack_trace_save*() with krp's trampoline replaced by
 * the real return addresses (kernel/stacktrace.c).
 */
unsigned int krp_stack_trace_save(unsigned long *store, unsigned int size,
				  unsigned int skipnr);
unsigned int krp_stack_trace_save_regs(struct pt_regs *regs,
				       unsigned long *store, unsigned int size,
				       unsigned int skipnr);
unsigned int krp_stack_trace_save_tsk(struct task_struct *tsk,
				      unsigned long *store, unsigned int size,
				      unsigned int skipnr);

/**
 * krp_regs_return_value64() - the 64-bit value a function returned
 * @regs: registers given to a return handler
 *
 * On i386 a 64-bit value comes back in edx:eax; regs_return_value()
 * only gives eax.
 *
 * Return: the full return value.
 */
static inline u64 krp_regs_return_value64(struct pt_regs *regs)
{
#ifdef CONFIG_X86_32
	return ((u64)regs->dx << 32) | (u32)regs->ax;
#else
	return regs_return_value(regs);
#endif
}

#endif /* _KRP_KPROBES_H */
