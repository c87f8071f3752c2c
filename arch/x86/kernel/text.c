// SPDX-License-Identifier: GPL-2.0
/*
 * Writing kernel text, and the int3 entry with its emulated first
 * instruction.
 *
 * text_poke() is not exported.  A second, writable mapping of the page
 * (vmap() of its struct page with PAGE_KERNEL) takes the write; then
 * every CPU is serialized, which is what cross-modifying code requires.
 * Only one byte is ever written: an int3 over the first byte of an
 * instruction, or that byte put back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/sync_core.h>

#include "internal.h"
#include "insn.h"

#define KRP_INT3	0xcc

static void krp_sync_core(void *unused)
{
	sync_core();
}

static int krp_text_write_byte(unsigned long addr, u8 byte)
{
	struct page *page;
	void *map;

	if (is_vmalloc_addr((void *)addr))
		page = vmalloc_to_page((void *)addr);
	else
		page = virt_to_page((void *)addr);
	if (!page)
		return -EFAULT;
	map = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!map)
		return -ENOMEM;
	WRITE_ONCE(*((u8 *)map + offset_in_page(addr)), byte);
	vunmap(map);
	/* vunmap() is lazy: drop the writable alias from the TLBs now */
	vm_unmap_aliases();
	/* also waits out any CPU still handling a trap on the old byte */
	on_each_cpu(krp_sync_core, NULL, 1);
	return 0;
}

/* Up to 15 bytes of text at @addr, with krp's own int3s taken out. */
static size_t krp_text_read(unsigned long addr, u8 *buf)
{
	size_t n;
	u8 orig;

	for (n = 0; n < KRP_INSN_MAX_LEN; n++)
		if (get_kernel_nofault(buf[n], (u8 *)addr + n))
			break;
	if (n && krp_site_orig_byte(addr, &orig))
		buf[0] = orig;
	return n;
}

/**
 * krp_arch_check_boundary() - is @addr an instruction boundary
 * @addr: the address to probe
 * @offset: its offset from the start of its function
 *
 * Decodes from the function's start with krp's decoder.  The kernel's
 * kprobes check this too, but they read krp's int3s as one-byte
 * instructions; here the original bytes are put back first.  Called
 * with krp_mutex held.
 *
 * Return: 0, or -EILSEQ.
 */
int krp_arch_check_boundary(unsigned long addr, unsigned int offset)
{
	unsigned long pc = addr - offset;
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn insn;
	size_t n;

	while (pc < addr) {
		n = krp_text_read(pc, buf);
		if (krp_insn_decode(&insn, buf, n, KRP_INSN_MODE_32))
			return -EILSEQ;
		pc += insn.length;
	}
	return pc == addr ? 0 : -EILSEQ;
}

/**
 * krp_arch_int3_prepare() - decide how the instruction at @site runs
 * @site: a site that ftrace cannot hook
 *
 * The displaced instruction is emulated, so nothing runs out of line and
 * no fault can happen away from its exception-table entry: push and
 * pop of a register, mov %esp,%ebp, test reg,reg, nops, relative jumps,
 * calls and conditional jumps, ret.  The stack accesses of push, pop,
 * call and ret cannot fault on a kernel stack.
 *
 * Return: 0, or -EOPNOTSUPP with a message for anything else.
 */
int krp_arch_int3_prepare(struct krp_site *site)
{
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn insn;
	const u8 *b;
	int ret;

	ret = krp_insn_decode(&insn, buf, krp_text_read(site->addr, buf),
			      KRP_INSN_MODE_32);
	if (ret)
		return ret == -ENODATA ? -EILSEQ : ret;
	b = insn.bytes;
	site->emu_len = insn.length;
	/* what arming will expect to find, and disarming will put back */
	memcpy(site->text, insn.bytes, insn.length);
	site->orig_byte = insn.bytes[0];
	if (insn.prefix_len || insn.vex_type)
		goto refuse;
	if (insn.length == 1 && b[0] >= 0x50 && b[0] <= 0x57) {
		site->emu = KRP_EMU_PUSH;
		site->emu_reg = b[0] - 0x50;
		return 0;
	}
	if (insn.length == 2 && ((b[0] == 0x89 && b[1] == 0xe5) ||
				 (b[0] == 0x8b && b[1] == 0xec))) {
		site->emu = KRP_EMU_MOV_ESP_EBP;
		return 0;
	}
	if (insn.length == 1 && b[0] >= 0x58 && b[0] <= 0x5f && b[0] != 0x5c) {
		site->emu = KRP_EMU_POP;
		site->emu_reg = b[0] - 0x58;
		return 0;
	}
	/* near relative branches: 32-bit operand size only (no 66h) */
	if ((insn.flags & KRP_INSN_F_REL) && insn.opnd_size == 4 &&
	    !(insn.flags & (KRP_INSN_F_FAR | KRP_INSN_F_INDIRECT))) {
		site->emu_target = (unsigned long)krp_insn_rel_target(&insn,
								     site->addr);
		if (insn.flags & KRP_INSN_F_CALL) {
			site->emu = KRP_EMU_CALL;
			return 0;
		}
		if (insn.flags & KRP_INSN_F_JMP) {
			site->emu = KRP_EMU_JMP;
			return 0;
		}
		/* jcc rel8 (7x) and rel32 (0F 8x); not loop/jcxz */
		if ((insn.map == KRP_INSN_MAP_1BYTE &&
		     (insn.opcode & 0xf0) == 0x70) ||
		    (insn.map == KRP_INSN_MAP_0F &&
		     (insn.opcode & 0xf0) == 0x80)) {
			site->emu = KRP_EMU_JCC;
			site->emu_reg2 = insn.opcode & 0xf;
			return 0;
		}
	}
	if (insn.map == KRP_INSN_MAP_1BYTE && (b[0] == 0xc3 || b[0] == 0xc2)) {
		site->emu = KRP_EMU_RET;
		site->emu_imm = b[0] == 0xc2 ? insn.imm[0].value : 0;
		return 0;
	}
	/* shrink-wrapped functions often test their argument first */
	if (insn.length == 2 && b[0] == 0x85 && (b[1] & 0xc0) == 0xc0) {
		site->emu = KRP_EMU_TEST_RR;
		site->emu_reg = b[1] & 7;
		site->emu_reg2 = (b[1] >> 3) & 7;
		return 0;
	}
	if ((insn.length == 1 && b[0] == 0x90) ||
	    (insn.map == KRP_INSN_MAP_0F && insn.opcode == 0x1f)) {
		site->emu = KRP_EMU_NOP;
		return 0;
	}
refuse:
	pr_err("%s+0x%x: cannot emulate its first instruction (%*ph) yet\n",
	       site->sym, site->offset, insn.length, insn.bytes);
	return -EOPNOTSUPP;
}

/**
 * krp_arch_int3_arm() - put the int3 of @site in place
 * @site: a prepared int3 site, disarmed
 *
 * The text must still be what was decoded: another patcher (a kernel
 * kprobe, an optimized kprobe's jump, a static call) may have been there
 * meanwhile.  text_mutex is not exported, so a patcher racing with this
 * very write is not excluded; the kernel's own kprobes on the same
 * address are refused at registration.
 *
 * Return: 0, -EBUSY if the text changed, or an error of the write.
 */
int krp_arch_int3_arm(struct krp_site *site)
{
	u8 now[KRP_INSN_MAX_LEN];

	if (copy_from_kernel_nofault(now, (void *)site->addr, site->emu_len) ||
	    memcmp(now, site->text, site->emu_len)) {
		pr_err("%s+0x%x: the text changed under krp (%*ph)\n", site->sym,
		       site->offset, site->emu_len, now);
		return -EBUSY;
	}
	return krp_text_write_byte(site->addr, KRP_INT3);
}

/**
 * krp_arch_int3_disarm() - put the original byte of @site back
 * @site: an armed int3 site
 *
 * Only krp's own int3 is replaced; anything else found there is left.
 *
 * Return: 0, or an error if the byte could not be written (the int3 is
 * then still in place).
 */
int krp_arch_int3_disarm(struct krp_site *site)
{
	u8 now;

	if (get_kernel_nofault(now, (u8 *)site->addr) || now != KRP_INT3) {
		pr_err("%s+0x%x: not krp's int3 any more (%02x); left alone\n",
		       site->sym, site->offset, now);
		return 0;
	}
	return krp_text_write_byte(site->addr, site->orig_byte);
}

/* in ModRM register numbering: ax cx dx bx sp bp si di */
static const u8 krp_reg_offset[8] = {
	offsetof(struct pt_regs, ax), offsetof(struct pt_regs, cx),
	offsetof(struct pt_regs, dx), offsetof(struct pt_regs, bx),
	offsetof(struct pt_regs, sp), offsetof(struct pt_regs, bp),
	offsetof(struct pt_regs, si), offsetof(struct pt_regs, di),
};

static unsigned long *krp_reg_of(struct pt_regs *regs, unsigned int reg)
{
	return (unsigned long *)((char *)regs + krp_reg_offset[reg & 7]);
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
 * that (FIXUP_FRAME), as the kernel's own int3 emulation relies on.
 */
void notrace krp_arch_int3_emulate(struct krp_site *site, struct pt_regs *regs)
{
	unsigned long next = site->addr + site->emu_len, val;

	switch (site->emu) {
	case KRP_EMU_POP:
		val = *(unsigned long *)regs->sp;
		regs->sp += sizeof(long);
		*krp_reg_of(regs, site->emu_reg) = val;
		break;
	case KRP_EMU_JMP:
		next = site->emu_target;
		break;
	case KRP_EMU_JCC:
		if (krp_cond(regs->flags, site->emu_reg2))
			next = site->emu_target;
		break;
	case KRP_EMU_CALL:
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = next;
		next = site->emu_target;
		break;
	case KRP_EMU_RET:
		next = *(unsigned long *)regs->sp;
		regs->sp += sizeof(long) + site->emu_imm;
		break;
	case KRP_EMU_PUSH:
		val = *krp_reg_of(regs, site->emu_reg);
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = val;
		break;
	case KRP_EMU_MOV_ESP_EBP:
		regs->bp = regs->sp;
		break;
	case KRP_EMU_TEST_RR:
		/* CF, OF cleared; SF, ZF, PF from the result; AF undefined */
		val = *krp_reg_of(regs, site->emu_reg) &
		      *krp_reg_of(regs, site->emu_reg2);
		regs->flags &= ~(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF |
				 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_OF);
		if (!val)
			regs->flags |= X86_EFLAGS_ZF;
		if (val & BIT(31))
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

/*
 * DIE_INT3 comes after the kernel's own kprobes declined the trap, in
 * NMI-like context.
 */
static int notrace krp_int3_notify(struct notifier_block *nb,
				   unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;

	if (val != DIE_INT3 || user_mode(regs))
		return NOTIFY_DONE;
	return krp_int3_entry(regs, instruction_pointer(regs) - 1) ?
	       NOTIFY_STOP : NOTIFY_DONE;
}
NOKPROBE_SYMBOL(krp_int3_notify);

static struct notifier_block krp_int3_nb = {
	.notifier_call = krp_int3_notify,
};

int krp_arch_text_init(void)
{
	return register_die_notifier(&krp_int3_nb);
}

/* Every int3 of krp's went with its site before this runs. */
void krp_arch_text_exit(void)
{
	unregister_die_notifier(&krp_int3_nb);
}
