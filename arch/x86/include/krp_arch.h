/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the core sees of x86: the arch's part of a site, and the facts
 * its hit path needs inline (where the return address is, where the
 * trampoline is, whether an int3 site is emulated).  The functions of
 * the arch contract are declared in kernel/arch.h.
 */
#ifndef KRP_ARCH_H
#define KRP_ARCH_H

#include <linux/compiler.h>
#include <linux/ptrace.h>
#include <linux/types.h>

#include <krp_slots.h>

/*
 * How the instruction under an int3 is carried out: a class chosen
 * from the decoder's opcode, ModRM and prefix fields (emulate.c).
 */
enum krp_emu {
	KRP_EMU_NOP,
	KRP_EMU_PUSH,
	KRP_EMU_MOV_SP_BP,	/* mov %esp, %ebp; mov %rsp, %rbp */
	KRP_EMU_TEST_RR,	/* test %reg, %reg2, 32 or 64 bits */
	KRP_EMU_POP,
	KRP_EMU_JMP,		/* jmp rel8/rel32 */
	KRP_EMU_JCC,		/* jcc rel8/rel32 */
	KRP_EMU_CALL,		/* call rel32 */
	KRP_EMU_RET,		/* ret, ret imm16 */
	KRP_EMU_PUSHF,
	KRP_EMU_POPF,
	KRP_EMU_CLI,
	KRP_EMU_STI,
	KRP_EMU_JMP_REG,	/* jmp *%reg */
	KRP_EMU_CALL_REG,	/* call *%reg */
	KRP_EMU_JMP_MEM,	/* x86_64: jmp *disp32(%rip) */
	KRP_EMU_CALL_MEM,	/* x86_64: call *disp32(%rip) */
	KRP_EMU_LOOP,		/* loopne, loope, loop, jecxz */
	KRP_EMU_OOL,		/* not emulated: runs in its slot */
};

/* The loop instructions, in opcode order (e0 to e3). */
enum krp_loop {
	KRP_LOOP_NE,		/* loopne: --%ecx, then while !ZF */
	KRP_LOOP_E,		/* loope: --%ecx, then while ZF */
	KRP_LOOP_ANY,		/* loop: --%ecx */
	KRP_LOOP_JECXZ,		/* jecxz (jrcxz): %ecx untouched */
};

/* An int3 site's x86 facts; prepared under krp_mutex, read in the trap. */
struct krp_arch_site {
	u8 orig_byte;			/* under the int3 */
	u8 len;				/* of the displaced instruction */
	u8 text[16];			/* the instruction, as decoded */
	u8 emu;				/* enum krp_emu */
	u8 reg;				/* its register, r8-r15 as 8-15 */
	u8 width;			/* KRP_EMU_TEST_RR: operand bytes */
	union {
		u8 reg2;		/* KRP_EMU_TEST_RR: the other register */
		u8 cond;		/* KRP_EMU_JCC: the jcc condition code */
		u8 loop;		/* KRP_EMU_LOOP: enum krp_loop */
	};
	u16 imm;			/* KRP_EMU_RET: bytes of arguments popped */
	unsigned long target;		/* branch target; *_MEM: its pointer */
	unsigned long slot;		/* KRP_EMU_OOL: its out-of-line copy */
	/*
	 * The jump (jump.c): a detour slot, once published the int3's
	 * way on too; the original bytes the jump covers; whether the
	 * jump is in the text.
	 */
	unsigned long detour;
	u8 jlen;
	bool jumped;
	bool trapped;			/* krp's int3 over its own jmp */
	u8 jtext[15];
};

/*
 * A detour slot: a call of krp_jump_entry, the copied instructions, a
 * jmp back; and at KRP_DETOUR_ADDR the site's address, for the handler.
 */
#define KRP_DETOUR_COPY	5
#define KRP_DETOUR_ADDR	48

/* the return trampoline, arch/x86/kernel/trampoline_{32,64}.S */
extern char krp_trampoline[];

/*
 * krp_jump_entry, in jump_{32,64}.S: called from a detour; not a C
 * function, it saves the registers and calls krp_jump_handler().
 */
extern char krp_jump_entry[];

static __always_inline unsigned long krp_arch_trampoline(void)
{
	return (unsigned long)krp_trampoline;
}

/*
 * ftrace with SAVE_REGS, like an int3 on a function's first
 * instruction, leaves the return address at the top of the stack.
 */
static __always_inline unsigned long *krp_arch_ret_slot(struct pt_regs *regs)
{
	return (unsigned long *)kernel_stack_pointer(regs);
}

/*
 * Whether krp_arch_direct_stub() and the direct-call trampoline exist:
 * i386's ftrace_regs_caller skips a direct call when other ops share
 * the function.
 */
static __always_inline bool krp_arch_has_direct(void)
{
	return IS_ENABLED(CONFIG_X86_64);
}

/* Whether the trap itself carries out the instruction, without a slot. */
static __always_inline bool
krp_arch_int3_emulates(const struct krp_arch_site *as)
{
	return as->emu != KRP_EMU_OOL && !READ_ONCE(as->detour);
}

/* Whether @resume is the copy in the detour @as still owns. */
static __always_inline bool krp_arch_jump_owns(const struct krp_arch_site *as,
					       unsigned long resume)
{
	return READ_ONCE(as->detour) + KRP_DETOUR_COPY == resume;
}

/*
 * Where a pre-handler sent the probed code, @ip, moved into the copy of
 * the detour @as has published when it falls inside the bytes the jump
 * covers (no task may enter those once the detour is published): the
 * copy keeps every instruction's offset.  A detour given up meanwhile
 * is still whole until the slot grace periods.
 */
static __always_inline unsigned long
krp_arch_jump_redirect(const struct krp_arch_site *as, unsigned long addr,
		       unsigned long ip)
{
	unsigned long detour = READ_ONCE(as->detour);
	unsigned int jlen = READ_ONCE(as->jlen);

	if (detour && jlen && ip > addr && ip < addr + jlen)
		return detour + KRP_DETOUR_COPY + (ip - addr);
	return ip;
}

/* The site a detour's call came from, by the address it returns to. */
static __always_inline unsigned long krp_arch_jump_site(unsigned long resume)
{
	return *(unsigned long *)(resume - KRP_DETOUR_COPY + KRP_DETOUR_ADDR);
}

/* arch/x86/kernel/slots.S: KRP_NR_SLOTS slots of KRP_SLOT_SIZE bytes */
extern char krp_slot_area[];

#endif /* KRP_ARCH_H */
