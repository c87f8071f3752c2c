// SPDX-License-Identifier: GPL-2.0
/*
 * What runs in the trap: the instructions krp carries out itself when
 * an int3 displaced them (which ones, chosen from the decoder's opcode,
 * ModRM and prefix fields when the site is prepared, and how), the
 * boost into an out-of-line copy, and the single-step of one.
 *
 * Emulation covers what a function's first instructions usually are
 * (stack frame set-up, argument tests, branches) and what would see a
 * single-step's cleared interrupt flag or lose an interrupt flag change
 * if it ran out of line (pushf, popf, cli, sti).  Everything here but the classification
 * runs in NMI-like context.
 *
 * On x86_64 the same classes are emulated in their long-mode forms: a
 * REX prefix is the one prefix understood (it names r8-r15, or widens
 * test), stack operations move 8 bytes, and branches have a 64-bit
 * operand size.  An indirect call or jmp through a RIP-relative pointer
 * is emulated too: from a slot its operand would be fixed up, but a
 * call would push the slot's address.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "emulate.h"
#include "krp_slots.h"
#include "internal.h"

/* What popf may change at CPL 0; TF stays krp's and the CPU's. */
#define KRP_POPF_MASK	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_IF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_IOPL | \
			 X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_ID)

/*
 * Whether the instruction at @next waits for an interrupt: after an sti
 * whose one-instruction shadow is gone, the wakeup could be taken just
 * before it, and the CPU would sleep with its wakeup spent.
 */
static bool krp_sti_shadow_needed(unsigned long next)
{
	u8 b[3];

	if (copy_from_kernel_nofault(b, (void *)next, sizeof(b)))
		return true;
	return b[0] == 0xf4 || (b[0] == 0x0f && b[1] == 0x01 &&
				(b[2] == 0xc9 || b[2] == 0xfb));
}


/* The operand size of near branches: 32 bits, or 64 in long mode. */
#define KRP_BRANCH_SIZE	(IS_ENABLED(CONFIG_X86_64) ? 8 : 4)

/* REX.R and REX.B as the fourth bit of a register number. */
static unsigned int krp_rex_r(const struct krp_insn *insn)
{
	return insn->rex & 0x04 ? 8 : 0;
}

static unsigned int krp_rex_b(const struct krp_insn *insn)
{
	return insn->rex & 0x01 ? 8 : 0;
}

/* Near relative branches, at the operand size of the mode. */
static bool krp_emu_classify_rel(struct krp_arch_site *as,
				 const struct krp_insn *insn,
				 unsigned long addr)
{
	as->target = (unsigned long)krp_insn_rel_target(insn, addr);
	if (insn->flags & KRP_INSN_F_CALL) {
		as->emu = KRP_EMU_CALL;
		return true;
	}
	if (insn->flags & KRP_INSN_F_JMP) {
		as->emu = KRP_EMU_JMP;
		return true;
	}
	/* jcc rel8 (7x) and rel32 (0F 8x) */
	if ((insn->map == KRP_INSN_MAP_1BYTE && (insn->opcode & 0xf0) == 0x70) ||
	    (insn->map == KRP_INSN_MAP_0F && (insn->opcode & 0xf0) == 0x80)) {
		as->emu = KRP_EMU_JCC;
		as->cond = insn->opcode & 0xf;
		return true;
	}
	/* loopne, loope, loop, jecxz: rel8 cannot reach from a slot */
	if (insn->map == KRP_INSN_MAP_1BYTE && insn->opcode >= 0xe0 &&
	    insn->opcode <= 0xe3) {
		as->emu = KRP_EMU_LOOP;
		as->loop = insn->opcode - 0xe0;
		return true;
	}
	return false;
}

/*
 * call and jmp through ff /2 and /4: through a register, or on x86_64
 * through a pointer at a RIP-relative address.  From a slot a call
 * would return there; the pointer is read in the trap, as the CPU
 * would read it at that moment.
 */
static bool krp_emu_classify_ff(struct krp_arch_site *as,
				const struct krp_insn *insn,
				unsigned long addr)
{
	bool call = insn->modrm.reg == 2;

	if (!call && insn->modrm.reg != 4)
		return false;
	if (insn->modrm.mod == 3) {
		as->emu = call ? KRP_EMU_CALL_REG : KRP_EMU_JMP_REG;
		as->reg = insn->modrm.rm | krp_rex_b(insn);
		return true;
	}
	if (!(insn->flags & KRP_INSN_F_RIP_REL) || insn->addr_size != 8)
		return false;
	as->emu = call ? KRP_EMU_CALL_MEM : KRP_EMU_JMP_MEM;
	as->target = (unsigned long)krp_insn_rip_target(insn, addr);
	return true;
}

/*
 * One-byte-map instructions other than relative branches.  A REX
 * prefix, the only prefix let through, extends the register numbers;
 * push, pop, pushf, popf, ret and the indirect branches move 8 bytes
 * in long mode whatever its W bit says.
 */
static bool krp_emu_classify_1byte(struct krp_arch_site *as,
				   const struct krp_insn *insn,
				   unsigned long addr)
{
	bool mod_reg = insn->modrm.present && insn->modrm.mod == 3;
	u8 reg = insn->modrm.reg, rm = insn->modrm.rm;
	/* mov %rsp, %rbp needs REX.W; without it the copy is 32 bits */
	u8 rex_sp_bp = IS_ENABLED(CONFIG_X86_64) ? 0x48 : 0;

	switch (insn->opcode) {
	case 0x50 ... 0x57:
		as->emu = KRP_EMU_PUSH;
		as->reg = (insn->opcode & 7) | krp_rex_b(insn);
		return true;
	case 0x58 ... 0x5f:
		as->reg = (insn->opcode & 7) | krp_rex_b(insn);
		/* not pop %esp: its stack pointer arithmetic is its own */
		if (as->reg == 4)
			return false;
		as->emu = KRP_EMU_POP;
		return true;
	case 0x89:	/* mov %reg, %rm */
		if (!mod_reg || reg != 4 || rm != 5 || insn->rex != rex_sp_bp)
			return false;
		as->emu = KRP_EMU_MOV_SP_BP;
		return true;
	case 0x8b:	/* mov %rm, %reg */
		if (!mod_reg || reg != 5 || rm != 4 || insn->rex != rex_sp_bp)
			return false;
		as->emu = KRP_EMU_MOV_SP_BP;
		return true;
	/* shrink-wrapped functions often test their argument first */
	case 0x85:
		if (!mod_reg)
			return false;
		as->emu = KRP_EMU_TEST_RR;
		as->reg = rm | krp_rex_b(insn);
		as->reg2 = reg | krp_rex_r(insn);
		as->width = insn->opnd_size;
		return true;
	case 0x90:
		/* with REX.B it is xchg %eax, %r8d */
		if (krp_rex_b(insn))
			return false;
		as->emu = KRP_EMU_NOP;
		return true;
	case 0xc2:
	case 0xc3:
		as->emu = KRP_EMU_RET;
		as->imm = insn->opcode == 0xc2 ? insn->imm[0].value : 0;
		return true;
	/*
	 * The flags instructions would see, or set, the IF that a single
	 * step clears; emulated, they see the real flags.
	 */
	case 0x9c:
		as->emu = KRP_EMU_PUSHF;
		return true;
	case 0x9d:
		as->emu = KRP_EMU_POPF;
		return true;
	case 0xfa:
		as->emu = KRP_EMU_CLI;
		return true;
	case 0xfb:
		/* sti; hlt and sti; mwait need the shadow emulation loses */
		if (krp_sti_shadow_needed(addr + 1))
			return false;
		as->emu = KRP_EMU_STI;
		return true;
	case 0xff:
		return krp_emu_classify_ff(as, insn, addr);
	}
	return false;
}

/*
 * The long nop (0F 1F /0), with the operand-size and segment prefixes
 * compilers and the kernel's patching pad it with: none changes what
 * it does.  LOCK makes it #UD, and F2/F3 another instruction.
 */
static bool krp_emu_is_nopl(const struct krp_insn *insn)
{
	return insn->map == KRP_INSN_MAP_0F && insn->opcode == 0x1f &&
	       insn->vex_type == KRP_INSN_VEX_NONE &&
	       !(insn->prefix_flags & (KRP_INSN_PFX_LOCK | KRP_INSN_PFX_REP |
				       KRP_INSN_PFX_REPNE |
				       KRP_INSN_PFX_ADSIZE));
}

/**
 * krp_emu_classify() - is @insn one that krp carries out in the trap
 * @as: the site's arch part; its class and operands are set if so
 * @insn: the decoded instruction
 * @addr: its address
 *
 * Return: true if the trap emulates it.
 */
bool krp_emu_classify(struct krp_arch_site *as, const struct krp_insn *insn,
		      unsigned long addr)
{
	if (krp_emu_is_nopl(insn)) {
		as->emu = KRP_EMU_NOP;
		return true;
	}
	/* a REX prefix, alone, is understood; no legacy prefix is */
	if (insn->prefix_len != (insn->rex ? 1 : 0) || insn->vex_type)
		return false;
	/* near relative branches: the mode's operand size only (no 66h) */
	if (insn->flags & KRP_INSN_F_REL)
		return !insn->prefix_len && insn->opnd_size == KRP_BRANCH_SIZE &&
		       !(insn->flags & (KRP_INSN_F_FAR | KRP_INSN_F_INDIRECT)) &&
		       krp_emu_classify_rel(as, insn, addr);
	if (insn->map == KRP_INSN_MAP_1BYTE)
		return krp_emu_classify_1byte(as, insn, addr);
	return false;
}

/* in ModRM register numbering: ax cx dx bx sp bp si di, then r8-r15 */
static const u8 krp_reg_offset[] = {
	offsetof(struct pt_regs, ax), offsetof(struct pt_regs, cx),
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, bx),
	offsetof(struct pt_regs, sp), offsetof(struct pt_regs, bp),
	offsetof(struct pt_regs, si), offsetof(struct pt_regs, di),
#ifdef CONFIG_X86_64
	offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
	offsetof(struct pt_regs, r10), offsetof(struct pt_regs, r11),
	offsetof(struct pt_regs, r12), offsetof(struct pt_regs, r13),
	offsetof(struct pt_regs, r14), offsetof(struct pt_regs, r15),
#endif
};

static unsigned long *krp_reg_of(struct pt_regs *regs, unsigned int reg)
{
	return (unsigned long *)((char *)regs +
				 krp_reg_offset[reg % ARRAY_SIZE(krp_reg_offset)]);
}

/* Condition @cc (the low nibble of jcc) under @flags. */
static bool krp_cond(unsigned long flags, unsigned int cc)
{
	bool cf = flags & X86_EFLAGS_CF, zf = flags & X86_EFLAGS_ZF;
	bool sf = flags & X86_EFLAGS_SF, of = flags & X86_EFLAGS_OF;
	bool pf = flags & X86_EFLAGS_PF;
	/* o, b, e, be, s, p, l, le; an odd @cc negates */
	bool base[8] = { of, cf, zf, cf || zf, sf, pf, sf != of,
			 zf || sf != of };

	return base[(cc >> 1) & 7] != (cc & 1);
}

/**
 * krp_arch_int3_emulate() - carry out the instruction under the int3
 * @site: the site that trapped
 * @regs: the trap's registers
 *
 * A push or a call writes below the trapped stack pointer: on i386 the
 * entry code leaves a gap between the interrupted stack and pt_regs for
 * that (FIXUP_FRAME), on x86_64 the int3 entry copies the hardware
 * frame down to leave one (the kernel's own int3 emulation relies on
 * both).
 */
void notrace krp_arch_int3_emulate(struct krp_site *site, struct pt_regs *regs)
{
	const struct krp_arch_site *as = &site->arch;
	unsigned long next = site->addr + as->len, val;

	switch (as->emu) {
	case KRP_EMU_POP:
		val = *(unsigned long *)regs->sp;
		regs->sp += sizeof(long);
		*krp_reg_of(regs, as->reg) = val;
		break;
	case KRP_EMU_JMP:
		next = as->target;
		break;
	case KRP_EMU_JCC:
		if (krp_cond(regs->flags, as->cond))
			next = as->target;
		break;
	case KRP_EMU_CALL:
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = next;
		next = as->target;
		break;
	case KRP_EMU_RET:
		next = *(unsigned long *)regs->sp;
		regs->sp += sizeof(long) + as->imm;
		break;
	case KRP_EMU_PUSH:
		val = *krp_reg_of(regs, as->reg);
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = val;
		break;
	case KRP_EMU_MOV_SP_BP:
		regs->bp = regs->sp;
		break;
	case KRP_EMU_PUSHF:
		/* as pushf stores them: RF and VM read as clear */
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = regs->flags &
					     ~(X86_EFLAGS_RF | X86_EFLAGS_VM);
		break;
	case KRP_EMU_POPF:
		val = *(unsigned long *)regs->sp;
		regs->sp += sizeof(long);
		regs->flags = (regs->flags & ~KRP_POPF_MASK) |
			      (val & KRP_POPF_MASK);
		break;
	case KRP_EMU_CLI:
		regs->flags &= ~X86_EFLAGS_IF;
		break;
	case KRP_EMU_STI:
		/* the one-instruction interrupt shadow of sti is lost */
		regs->flags |= X86_EFLAGS_IF;
		break;
	case KRP_EMU_CALL_REG:
		val = *krp_reg_of(regs, as->reg);
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = next;
		next = val;
		break;
	case KRP_EMU_JMP_REG:
		next = *krp_reg_of(regs, as->reg);
		break;
	case KRP_EMU_CALL_MEM:
		/* a fixed address in the kernel's text or data: no fault */
		val = READ_ONCE(*(unsigned long *)as->target);
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = next;
		next = val;
		break;
	case KRP_EMU_JMP_MEM:
		next = READ_ONCE(*(unsigned long *)as->target);
		break;
	case KRP_EMU_LOOP:
		if (as->loop != KRP_LOOP_JECXZ)
			regs->cx--;
		if (as->loop == KRP_LOOP_JECXZ ? !regs->cx :
		    regs->cx && (as->loop == KRP_LOOP_ANY ||
				 !!(regs->flags & X86_EFLAGS_ZF) ==
				 (as->loop == KRP_LOOP_E)))
			next = as->target;
		break;
	case KRP_EMU_TEST_RR:
		/* CF, OF cleared; SF, ZF, PF from the result; AF undefined */
		val = *krp_reg_of(regs, as->reg) &
		      *krp_reg_of(regs, as->reg2);
		/* 32 bits unless REX.W: the upper half takes no part */
		if (as->width == 4)
			val = (u32)val;
		regs->flags &= ~(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF |
				 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF);
		if (!val)
			regs->flags |= X86_EFLAGS_ZF;
		if ((val >> (as->width * 8 - 1)) & 1)
			regs->flags |= X86_EFLAGS_SF;
		/* parity of the low byte, inline: no call out of the trap */
		val ^= val >> 4;
		if (!((0x6996 >> (val & 0xf)) & 1))
			regs->flags |= X86_EFLAGS_PF;
		break;
	default:
		break;
	}
	regs->ip = next;
}
NOKPROBE_SYMBOL(krp_arch_int3_emulate);

/**
 * krp_arch_int3_boost() - resume at the out-of-line copy
 * @site: a %KRP_EMU_OOL site that trapped, or any with a detour (jump.c)
 * @regs: the trap's registers
 *
 * The copy ends with a jump back: no second trap.  The copy runs with
 * the probed code's own flags and may be preempted, which is why slots
 * are reused only after synchronize_rcu_tasks().
 */
void notrace krp_arch_int3_boost(struct krp_site *site, struct pt_regs *regs)
{
	unsigned long detour = READ_ONCE(site->arch.detour);

	/* once a jump is on its way, the whole range runs in its copy */
	if (detour)
		regs->ip = detour + KRP_DETOUR_COPY;
	else if (site->arch.emu == KRP_EMU_OOL)
		regs->ip = site->arch.slot;
	else
		/* the detour went since the caller looked: no slot of its own */
		krp_arch_int3_emulate(site, regs);
}
NOKPROBE_SYMBOL(krp_arch_int3_boost);

/**
 * krp_arch_step_begin() - single-step the out-of-line copy
 * @site: a %KRP_EMU_OOL site that trapped
 * @regs: the trap's registers
 * @saved: what krp_arch_step_end() needs to restore
 *
 * The step copy is followed by an int3, which traps right after the
 * instruction, rep iterations and all.  Interrupts stay off until then,
 * so the step cannot migrate or be preempted and the per-CPU record of
 * it stays valid; only an NMI can come in between.
 */
void notrace krp_arch_step_begin(struct krp_site *site, struct pt_regs *regs,
				 unsigned long *saved)
{
	*saved = regs->flags & X86_EFLAGS_IF;
	regs->flags &= ~X86_EFLAGS_IF;
	regs->ip = site->arch.slot + KRP_SLOT_STEP;
}
NOKPROBE_SYMBOL(krp_arch_step_begin);

/**
 * krp_arch_step_end() - the int3 after a step of @site
 * @site: the site of the step in progress on this CPU
 * @regs: the int3's registers
 * @saved: from krp_arch_step_begin()
 *
 * Return: true if the int3 is this step's; regs then resume after the
 * original instruction with the interrupt flag it had.
 */
bool notrace krp_arch_step_end(struct krp_site *site, struct pt_regs *regs,
			       unsigned long saved)
{
	const struct krp_arch_site *as = &site->arch;

	if (regs->ip != as->slot + KRP_SLOT_STEP + as->len + 1)
		return false;
	regs->ip = site->addr + as->len;
	regs->flags |= saved;
	return true;
}
NOKPROBE_SYMBOL(krp_arch_step_end);
