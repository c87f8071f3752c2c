// SPDX-License-Identifier: GPL-2.0
/*
 * Writing kernel text, and the int3 entry: how the instruction under an
 * int3 is carried out (emulated, boosted from an out-of-line slot, or
 * single-stepped there), and the trap hooks.
 *
 * text_poke() is not exported.  A second, writable mapping of the page
 * (vmap() of its struct page with PAGE_KERNEL) takes the write; then
 * every CPU is serialized, which is what cross-modifying code requires.
 * In probed text only one byte is ever written: an int3 over the first
 * byte of an instruction, or that byte put back.  Slots in krp.ko's own
 * text are written whole while nothing can reach them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/debugreg.h>
#include <asm/sync_core.h>

#include "internal.h"
#include "insn.h"

#define KRP_INT3	0xcc

/* What popf may change at CPL 0; TF stays krp's and the CPU's. */
#define KRP_POPF_MASK	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_IF | \
			 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_IOPL | \
			 X86_EFLAGS_NT | X86_EFLAGS_AC | X86_EFLAGS_ID)

static void krp_sync_core(void *unused)
{
	sync_core();
}

/**
 * krp_text_write() - change kernel or module text
 * @addr: where to write
 * @src: the new bytes
 * @len: how many, all within the page of @addr
 *
 * Process context only: vmap() may sleep and every CPU is interrupted.
 *
 * Return: 0, -EFAULT for an address without a page, or -ENOMEM.
 */
int krp_text_write(unsigned long addr, const void *src, size_t len)
{
	struct page *page;
	void *map;

	if (WARN_ON_ONCE(offset_in_page(addr) + len > PAGE_SIZE))
		return -EINVAL;
	if (is_vmalloc_addr((void *)addr))
		page = vmalloc_to_page((void *)addr);
	else
		page = virt_to_page((void *)addr);
	if (!page)
		return -EFAULT;
	map = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!map)
		return -ENOMEM;
	memcpy((u8 *)map + offset_in_page(addr), src, len);
	vunmap(map);
	/* vunmap() is lazy: drop the writable alias from the TLBs now */
	vm_unmap_aliases();
	/* also waits out any CPU still handling a trap on the old bytes */
	on_each_cpu(krp_sync_core, NULL, 1);
	return 0;
}

static int krp_text_write_byte(unsigned long addr, u8 byte)
{
	return krp_text_write(addr, &byte, 1);
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

/* Is @insn one that krp carries out in the trap itself? */
static bool krp_emulation(struct krp_site *site, const struct krp_insn *insn)
{
	const u8 *b = insn->bytes;

	if (insn->prefix_len || insn->vex_type)
		return false;
	if (insn->length == 1 && b[0] >= 0x50 && b[0] <= 0x57) {
		site->emu = KRP_EMU_PUSH;
		site->emu_reg = b[0] - 0x50;
		return true;
	}
	if (insn->length == 2 && ((b[0] == 0x89 && b[1] == 0xe5) ||
				  (b[0] == 0x8b && b[1] == 0xec))) {
		site->emu = KRP_EMU_MOV_ESP_EBP;
		return true;
	}
	if (insn->length == 1 && b[0] >= 0x58 && b[0] <= 0x5f && b[0] != 0x5c) {
		site->emu = KRP_EMU_POP;
		site->emu_reg = b[0] - 0x58;
		return true;
	}
	/* near relative branches: 32-bit operand size only (no 66h) */
	if ((insn->flags & KRP_INSN_F_REL) && insn->opnd_size == 4 &&
	    !(insn->flags & (KRP_INSN_F_FAR | KRP_INSN_F_INDIRECT))) {
		site->emu_target = (unsigned long)krp_insn_rel_target(insn,
								     site->addr);
		if (insn->flags & KRP_INSN_F_CALL) {
			site->emu = KRP_EMU_CALL;
			return true;
		}
		if (insn->flags & KRP_INSN_F_JMP) {
			site->emu = KRP_EMU_JMP;
			return true;
		}
		/* jcc rel8 (7x) and rel32 (0F 8x) */
		if ((insn->map == KRP_INSN_MAP_1BYTE &&
		     (insn->opcode & 0xf0) == 0x70) ||
		    (insn->map == KRP_INSN_MAP_0F &&
		     (insn->opcode & 0xf0) == 0x80)) {
			site->emu = KRP_EMU_JCC;
			site->emu_reg2 = insn->opcode & 0xf;
			return true;
		}
		/* loopne, loope, loop, jecxz: rel8 cannot reach from a slot */
		if (insn->map == KRP_INSN_MAP_1BYTE && insn->opcode >= 0xe0 &&
		    insn->opcode <= 0xe3) {
			site->emu = KRP_EMU_LOOP;
			site->emu_reg2 = insn->opcode;
			return true;
		}
		return false;
	}
	if (insn->map != KRP_INSN_MAP_1BYTE)
		goto nop;
	switch (b[0]) {
	case 0xc2:
	case 0xc3:
		site->emu = KRP_EMU_RET;
		site->emu_imm = b[0] == 0xc2 ? insn->imm[0].value : 0;
		return true;
	/*
	 * The flags instructions would see, or clear, the TF and IF that a
	 * single-step sets up; emulated, they see the real flags.
	 */
	case 0x9c:
		site->emu = KRP_EMU_PUSHF;
		return true;
	case 0x9d:
		site->emu = KRP_EMU_POPF;
		return true;
	case 0xfa:
		site->emu = KRP_EMU_CLI;
		return true;
	case 0xfb:
		/* sti; hlt and sti; mwait need the shadow emulation loses */
		if (krp_sti_shadow_needed(site->addr + 1))
			return false;
		site->emu = KRP_EMU_STI;
		return true;
	case 0xff:
		/* through a register; from a slot it would return there */
		if (insn->modrm.mod == 3 && insn->modrm.reg == 2) {
			site->emu = KRP_EMU_CALL_REG;
			site->emu_reg = insn->modrm.rm;
			return true;
		}
		if (insn->modrm.mod == 3 && insn->modrm.reg == 4) {
			site->emu = KRP_EMU_JMP_REG;
			site->emu_reg = insn->modrm.rm;
			return true;
		}
		return false;
	}
	/* shrink-wrapped functions often test their argument first */
	if (insn->length == 2 && b[0] == 0x85 && (b[1] & 0xc0) == 0xc0) {
		site->emu = KRP_EMU_TEST_RR;
		site->emu_reg = b[1] & 7;
		site->emu_reg2 = (b[1] >> 3) & 7;
		return true;
	}
nop:
	if ((insn->length == 1 && b[0] == 0x90) ||
	    (insn->map == KRP_INSN_MAP_0F && insn->opcode == 0x1f)) {
		site->emu = KRP_EMU_NOP;
		return true;
	}
	return false;
}

/*
 * Whether a memory operand is one that cannot have an exception-table
 * entry: the stack or frame (%esp, %ebp as base), per-CPU data (%fs),
 * or a fixed address in the kernel's half.  Fixups exist for accesses
 * through pointers that may be bad (user memory, *_nofault), and those
 * are always in a register.
 */
static bool krp_mem_is_fixup_free(const struct krp_insn *insn)
{
	bool sib = insn->modrm.rm == 4, nobase;
	unsigned int base;

	if (insn->seg == 0x64)
		return true;
	if (insn->seg && insn->seg != 0x36 && insn->seg != 0x3e)
		return false;
	base = sib ? insn->sib.base : insn->modrm.rm;
	nobase = insn->modrm.mod == 0 && base == 5;
	/* %ebp is the frame pointer only in a kernel built with them */
	if (!nobase)
		return base == 4 ||
		       (base == 5 && IS_ENABLED(CONFIG_FRAME_POINTER));
	return (u32)insn->disp.value >= PAGE_OFFSET;
}

/*
 * Why @insn cannot run anywhere but at its own address, or NULL if it
 * can.  The copy runs at another address: anything that depends on its
 * address, transfers control, traps, or may fault into an exception
 * fixup (whose table entry names the original address, so a fault in
 * the slot would oops instead) is refused.  The kernel's
 * search_exception_tables() is not exported, so krp refuses by form:
 * every instruction that can have a fixup on i386 either accesses
 * memory through a pointer, is a string instruction, or is one of the
 * system instructions below.
 */
static const char *krp_ool_refusal(const struct krp_insn *insn)
{
	u32 f = insn->flags;

	if (f & (KRP_INSN_F_INT3 | KRP_INSN_F_INT | KRP_INSN_F_SYSCALL |
		 KRP_INSN_F_UD))
		return "it traps";
	if (f & (KRP_INSN_F_REL | KRP_INSN_F_XBEGIN | KRP_INSN_F_CALL |
		 KRP_INSN_F_JMP | KRP_INSN_F_RET | KRP_INSN_F_IRET |
		 KRP_INSN_F_FAR | KRP_INSN_F_INDIRECT))
		return "a control transfer krp does not emulate";
	if (insn->prefix_flags & KRP_INSN_PFX_ADSIZE)
		return "16-bit addressing";
	if (insn->vex_type == KRP_INSN_VEX_NONE &&
	    insn->map == KRP_INSN_MAP_1BYTE) {
		switch (insn->opcode) {
		case 0x07: case 0x17: case 0x1f: case 0x8e:
			return "a segment load (interrupt shadow, fixups)";
		case 0x62: case 0x63: case 0xc4: case 0xc5: case 0xd6:
			return "a legacy instruction that faults by design";
		case 0x6c ... 0x6f: case 0xa4 ... 0xa7: case 0xaa ... 0xaf:
		case 0xd7:
			return "a string instruction (may fault into a fixup)";
		case 0x9b: case 0xd8 ... 0xdf:
			return "an x87 instruction (may fault into a fixup)";
		case 0xf4:
			return "hlt";
		case 0xfb:
			if (!insn->prefix_len)
				return "sti before a wait (hlt, mwait) needs its interrupt shadow";
			fallthrough;
		case 0x9c: case 0x9d: case 0xfa:
			/* emulated unless prefixed, or sti before a wait */
			return "a flags instruction krp does not emulate here";
		case 0xf6: case 0xf7:
			if (insn->modrm.reg >= 6)
				return "a division (may fault into a fixup)";
			break;
		case 0x8d:
			return NULL;	/* lea: no access */
		}
	}
	if (insn->vex_type == KRP_INSN_VEX_NONE && insn->map == KRP_INSN_MAP_0F) {
		switch (insn->opcode) {
		case 0x01:
			/* clac, stac: the uaccess bracket */
			if (insn->modrm.byte == 0xca || insn->modrm.byte == 0xcb)
				return NULL;
			fallthrough;
		case 0x00: case 0x02: case 0x03: case 0x05 ... 0x09:
		case 0x20 ... 0x23: case 0x30: case 0x32 ... 0x37:
		case 0x78: case 0x79: case 0xa1: case 0xa9:
		case 0xb2: case 0xb4: case 0xb5:
			return "a system instruction (may fault into a fixup)";
		case 0x0d: case 0x18: case 0x19 ... 0x1f:
			return NULL;	/* prefetches and hint nops: no access */
		case 0xae: case 0xc7:
			if (insn->modrm.mod != 3)
				return "a state save or restore (may fault into a fixup)";
			break;
		}
	}
	if (insn->map == KRP_INSN_MAP_3DNOW)
		return "3DNow!";
	/* invept, invvpid and the like: fixups on stack operands */
	if (insn->vex_type == KRP_INSN_VEX_NONE && (f & KRP_INSN_F_MEM) &&
	    (insn->map == KRP_INSN_MAP_0F38 || insn->map == KRP_INSN_MAP_0F3A))
		return "a three-byte-map instruction with a memory operand (may fault into a fixup)";
	/* mov to or from a fixed address: per-CPU data under %fs */
	if ((f & KRP_INSN_F_MOFFS) && insn->seg != 0x64 &&
	    (u32)krp_insn_field_u64(&insn->imm[0]) < PAGE_OFFSET)
		return "an access to a fixed low address (may fault into a fixup)";
	if ((f & KRP_INSN_F_MEM) && !krp_mem_is_fixup_free(insn))
		return "a memory access through a pointer (may fault into a fixup krp cannot see)";
	return NULL;
}

/* The slot: the instruction, then a jmp back to the one after it. */
static int krp_slot_fill(struct krp_site *site, const struct krp_insn *insn)
{
	u8 code[KRP_SLOT_SIZE];
	unsigned long back = site->addr + insn->length;
	unsigned long slot_next = site->slot + insn->length;
	s32 rel = (s32)(back - (slot_next + 5));

	BUILD_BUG_ON(KRP_INSN_MAX_LEN + 5 > KRP_SLOT_SIZE);
	memset(code, KRP_INT3, sizeof(code));
	memcpy(code, insn->bytes, insn->length);
	code[insn->length] = 0xe9;
	memcpy(code + insn->length + 1, &rel, sizeof(rel));
	return krp_text_write(site->slot, code, sizeof(code));
}

/*
 * Another patcher's bytes, not the function's own: an int3 (a debugger,
 * or a kernel kprobe going away), or the jump of an optimized kernel
 * kprobe, which stays in the text for a while after its kprobe is
 * unregistered.  Emulating that jump would run the kernel's detour.
 */
static int krp_foreign_patch(struct krp_site *site, const struct krp_insn *insn)
{
	char sym[KSYM_NAME_LEN], mod[MODULE_NAME_LEN];
	unsigned int off;

	if (insn->flags & KRP_INSN_F_INT3) {
		pr_err("%s+0x%x: another int3 is there\n", site->sym,
		       site->offset);
		return -EBUSY;
	}
	if (insn->bytes[0] != 0xe9 ||
	    krp_describe((unsigned long)krp_insn_rel_target(insn, site->addr),
			 sym, &off, mod) || strcmp(mod, "__builtin__kprobes"))
		return 0;
	pr_err("%s+0x%x: an optimized kprobe's jump is there (%s)\n",
	       site->sym, site->offset, sym);
	return -EBUSY;
}

/**
 * krp_arch_int3_prepare() - decide how the instruction at @site runs
 * @site: a site that ftrace cannot hook
 *
 * Cheapest first: emulated in the trap (stack, flags and control-flow
 * instructions); otherwise copied to an out-of-line slot, from which it
 * is boosted (a jump back, no second trap) or, for post-handlers,
 * single-stepped.  What cannot run out of line is refused.
 *
 * Return: 0; -EILSEQ if the bytes do not decode; -EBUSY if another
 * patcher's int3 or jump is there; -EOPNOTSUPP, with a message, for an
 * instruction that cannot run out of line; -ENOSPC when every slot is
 * taken; or an error of the slot write.
 */
int krp_arch_int3_prepare(struct krp_site *site)
{
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn insn;
	const char *why;
	int ret;

	ret = krp_insn_decode(&insn, buf, krp_text_read(site->addr, buf),
			      KRP_INSN_MODE_32);
	if (ret)
		return ret == -ENODATA ? -EILSEQ : ret;
	ret = krp_foreign_patch(site, &insn);
	if (ret)
		return ret;
	site->emu_len = insn.length;
	/* what arming will expect to find, and disarming will put back */
	memcpy(site->text, insn.bytes, insn.length);
	site->orig_byte = insn.bytes[0];
	if (krp_emulation(site, &insn))
		return 0;
	why = krp_ool_refusal(&insn);
	if (why) {
		pr_err("%s+0x%x: %*ph cannot run out of line: %s\n", site->sym,
		       site->offset, insn.length, insn.bytes, why);
		return -EOPNOTSUPP;
	}
	site->slot = krp_slot_alloc();
	if (!site->slot) {
		pr_err("%s+0x%x: all %d out-of-line slots are in use\n",
		       site->sym, site->offset, KRP_NR_SLOTS);
		return -ENOSPC;
	}
	ret = krp_slot_fill(site, &insn);
	if (ret) {
		krp_slot_free(site->slot);
		site->slot = 0;
		return ret;
	}
	site->emu = KRP_EMU_OOL;
	return 0;
}

/**
 * krp_arch_int3_release() - give back what krp_arch_int3_prepare() took
 * @site: a prepared site whose int3 is gone, or never was
 */
void krp_arch_int3_release(struct krp_site *site)
{
	if (site->slot)
		krp_slot_free(site->slot);
	site->slot = 0;
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
 * Called with krp_mutex held; krp_borrowed_flush() must follow once it
 * is dropped.
 *
 * Return: 0; -EBUSY while another patcher's bytes, or a kernel kprobe,
 * are inside the instruction; or an error of the write.  The int3 is
 * then still in place.
 */
int krp_arch_int3_disarm(struct krp_site *site)
{
	u8 now[KRP_INSN_MAX_LEN];

	if (copy_from_kernel_nofault(now, (void *)site->addr, site->emu_len)) {
		pr_err("%s+0x%x: the text is gone; left alone\n", site->sym,
		       site->offset);
		return 0;
	}
	if (now[0] != KRP_INT3) {
		pr_err("%s+0x%x: not krp's int3 any more (%02x); left alone\n",
		       site->sym, site->offset, now[0]);
		return 0;
	}
	/*
	 * The kernel's kprobes, whose decoder reads krp's int3 as a one-byte
	 * instruction, may have put an int3 of theirs inside this one.
	 * Restoring the first byte would make a torn instruction run; while
	 * krp's int3 stays, the copy krp made runs instead.
	 */
	if (memcmp(now + 1, site->text + 1, site->emu_len - 1)) {
		pr_warn_once("%s+0x%x: another patcher wrote inside the instruction under krp's int3 (%*ph)\n",
			     site->sym, site->offset, site->emu_len, now);
		return -EBUSY;
	}
	/* or will, arming a kprobe registered there while krp's int3 was */
	if (krp_kernel_probes_inside(site->addr, site->emu_len)) {
		pr_warn_once("%s+0x%x: a kernel kprobe is registered inside the instruction under krp's int3\n",
			     site->sym, site->offset);
		return -EBUSY;
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
		val = *krp_reg_of(regs, site->emu_reg);
		regs->sp -= sizeof(long);
		*(unsigned long *)regs->sp = next;
		next = val;
		break;
	case KRP_EMU_JMP_REG:
		next = *krp_reg_of(regs, site->emu_reg);
		break;
	case KRP_EMU_LOOP:
		/* e0 loopne, e1 loope, e2 loop decrement %ecx; e3 jecxz */
		if (site->emu_reg2 != 0xe3)
			regs->cx--;
		if (site->emu_reg2 == 0xe3 ? !regs->cx :
		    regs->cx && (site->emu_reg2 == 0xe2 ||
				 !!(regs->flags & X86_EFLAGS_ZF) ==
				 (site->emu_reg2 == 0xe1)))
			next = site->emu_target;
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

/**
 * krp_arch_int3_boost() - resume at the out-of-line copy
 * @site: a %KRP_EMU_OOL site that trapped
 * @regs: the trap's registers
 *
 * The copy ends with a jump back: no second trap.  The copy runs with
 * the probed code's own flags and may be preempted, which is why slots
 * are reused only after synchronize_rcu_tasks().
 */
void notrace krp_arch_int3_boost(struct krp_site *site, struct pt_regs *regs)
{
	regs->ip = site->slot;
}
NOKPROBE_SYMBOL(krp_arch_int3_boost);

/**
 * krp_arch_step_begin() - single-step the out-of-line copy
 * @site: a %KRP_EMU_OOL site that trapped
 * @regs: the trap's registers
 * @saved: what krp_arch_step_end() needs to restore
 *
 * TF raises a debug trap after the copied instruction.  Interrupts stay
 * off until then, so the step cannot migrate or be preempted and the
 * per-CPU record of it stays valid; only an NMI can come in between.
 */
void notrace krp_arch_step_begin(struct krp_site *site, struct pt_regs *regs,
				 unsigned long *saved)
{
	*saved = regs->flags & (X86_EFLAGS_TF | X86_EFLAGS_IF);
	regs->flags = (regs->flags | X86_EFLAGS_TF) & ~X86_EFLAGS_IF;
	regs->ip = site->slot;
}
NOKPROBE_SYMBOL(krp_arch_step_begin);

/**
 * krp_arch_step_end() - the debug trap after a step of @site
 * @site: the site of the step in progress on this CPU
 * @regs: the debug trap's registers
 * @saved: from krp_arch_step_begin()
 *
 * The trap comes with regs->ip just after the copy, or already back in
 * the original code if DEBUGCTL.BTF (branch stepping, left on by a
 * ptraced task) let the jump back run first.
 *
 * Return: true if the trap is this step's; regs then resume after the
 * original instruction with the flags it had.
 */
bool notrace krp_arch_step_end(struct krp_site *site, struct pt_regs *regs,
			       unsigned long saved)
{
	unsigned long next = site->addr + site->emu_len;

	if (regs->ip != site->slot + site->emu_len && regs->ip != next)
		return false;
	regs->ip = next;
	regs->flags = (regs->flags & ~(X86_EFLAGS_TF | X86_EFLAGS_IF)) | saved;
	return true;
}
NOKPROBE_SYMBOL(krp_arch_step_end);

/*
 * DIE_INT3 comes after the kernel's own kprobes declined the trap, and
 * DIE_DEBUG from the kernel-mode debug trap, both in NMI-like context.
 */
static int notrace krp_int3_notify(struct notifier_block *nb,
				   unsigned long val, void *data)
{
	struct die_args *args = data;
	struct pt_regs *regs = args->regs;

	unsigned long *dr6;

	if (user_mode(regs))
		return NOTIFY_DONE;
	if (val == DIE_INT3)
		return krp_int3_entry(regs, instruction_pointer(regs) - 1) ?
		       NOTIFY_STOP : NOTIFY_DONE;
	if (val != DIE_DEBUG)
		return NOTIFY_DONE;
	/* notify_debug() passes &dr6; a consumer clears what it handled */
	dr6 = (unsigned long *)args->err;
	if (!(*dr6 & DR_STEP) || !krp_step_trap(regs))
		return NOTIFY_DONE;
	*dr6 &= ~DR_STEP;
	return *dr6 ? NOTIFY_DONE : NOTIFY_STOP;
}
NOKPROBE_SYMBOL(krp_int3_notify);

static struct notifier_block krp_int3_nb = {
	.notifier_call = krp_int3_notify,
	/*
	 * Right after the kernel's kprobes and hw_breakpoint, registered
	 * at boot with the same priority (they let krp's traps and DR_STEP
	 * through), and before kgdb, which would take a kernel-mode int3
	 * for its own, and uprobes, which only wants user-mode ones: the
	 * chain walk is the shorter for krp's hits.
	 */
	.priority = INT_MAX,
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
