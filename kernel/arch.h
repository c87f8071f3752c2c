/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arch contract: every krp_arch_* function the core calls, and the
 * entry points the arch calls up into, from its trap handler and its
 * jump entry (into int3_entry.c), its direct-call trampoline (into
 * entry.c) and its return trampoline (into return.c).  The arch's data
 * and hot inlines are in its krp_arch.h; nothing else of the core
 * knows the architecture.
 */
#ifndef KRP_ARCH_CONTRACT_H
#define KRP_ARCH_CONTRACT_H

#include <linux/ptrace.h>
#include <linux/types.h>

#include <krp_arch.h>

struct krp_site;
struct task_struct;

/*
 * Where the arch may find the text byte under one of krp's int3s, so
 * that what it decodes is the original; see krp_site_orig_byte().
 */
typedef bool (*krp_orig_byte_t)(unsigned long addr, u8 *byte);

/* trap.c: load and unload */
int krp_arch_init(void);
void krp_arch_exit(void);

/* int3.c: process context, krp_mutex held */
int krp_arch_check_boundary(unsigned long addr, unsigned int offset,
			    krp_orig_byte_t orig_byte);
unsigned int krp_arch_entry_offset(unsigned long func);
int krp_arch_int3_prepare(struct krp_site *site, krp_orig_byte_t orig_byte);
void krp_arch_int3_release(struct krp_site *site);
int krp_arch_int3_arm(struct krp_site *site);
int krp_arch_int3_disarm(struct krp_site *site);

/* jump.c: process context, krp_mutex held */
int krp_arch_jump_prepare(struct krp_site *site, krp_orig_byte_t orig_byte);
int krp_arch_jump_write(struct krp_site *site);
bool krp_arch_jump_intact(struct krp_site *site);
int krp_arch_jump_remove(struct krp_site *site, bool guard);
bool krp_arch_jump_trap(struct krp_site *site);
void krp_arch_jump_release(struct krp_site *site);

/* emulate.c: in the trap */
void krp_arch_int3_emulate(struct krp_site *site, struct pt_regs *regs);
void krp_arch_int3_boost(struct krp_site *site, struct pt_regs *regs);
void krp_arch_step_begin(struct krp_site *site, struct pt_regs *regs,
			 unsigned long *saved);
bool krp_arch_step_end(struct krp_site *site, struct pt_regs *regs,
		       unsigned long saved);

/* text.c: process context */
unsigned long krp_arch_callable(unsigned long func);
int krp_arch_direct_stub(unsigned long slot, unsigned long cookie);

/* regs.c: process context */
int krp_arch_reg_offset(const char *name);

/* int3_entry.c, called by the arch's trap handler and jump entry */
bool krp_int3_entry(struct pt_regs *regs, unsigned long addr);
bool krp_step_trap(struct pt_regs *regs);
unsigned long krp_jump_handler(struct pt_regs *regs, unsigned long resume);
/* entry.c, called by the arch's direct-call trampoline */
struct krp_direct_hook;
void krp_direct_handler(struct pt_regs *regs, struct krp_direct_hook *hook);
struct krp_direct_hook *krp_direct_lean(unsigned long *slot,
					struct krp_direct_hook *hook);

/*
 * stacktrace.c: one return address of a stack walk, innermost first;
 * @slot is where on the stack it was found (NULL if nowhere, as for
 * the ip of a walk's starting registers).  The callee may replace
 * *@addr, and returns false to end the walk.
 */
typedef bool (*krp_stack_consume_fn)(void *cookie, unsigned long *addr,
				     unsigned long *slot);
void krp_arch_stack_walk(krp_stack_consume_fn fn, void *cookie,
			 struct task_struct *task, struct pt_regs *regs);

/*
 * return.c, called by the arch's trampoline: where to return, and
 * whether every register comes back from pt_regs.  Zero only for a
 * function entered at an ftrace site, a C function: its caller keeps
 * nothing a C call may clobber, so the return value's registers
 * (regs->ax, regs->dx) are enough.  Two words, returned in registers
 * on both widths (i386 builds with -freg-struct-return).
 */
struct krp_ret_to {
	unsigned long addr;
	unsigned long all_regs;
};
struct krp_ret_to krp_trampoline_handler(struct pt_regs *regs,
					 unsigned long *slot);

#endif /* KRP_ARCH_CONTRACT_H */
