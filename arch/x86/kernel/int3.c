// SPDX-License-Identifier: GPL-2.0
/*
 * int3 sites: deciding how the displaced instruction will run (emulated
 * in the trap, or copied to an out-of-line slot with a jump back), and
 * putting the int3 in and taking it out.
 *
 * In probed text only one byte is ever written: an int3 over the first
 * byte of an instruction, or that byte put back.  Before either, the
 * text is checked to be what krp decoded: another patcher (the
 * kernel's kprobes, an optimized kprobe's jump, a debugger) may have
 * been there.  Everything here runs in process context, under
 * krp_mutex.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/ibt.h>

#include "arch.h"
#include "emulate.h"
#include "insn.h"
#include "int3.h"
#include "internal.h"
#include "resolve.h"
#include "slots.h"
#include "text.h"
#include "unexported.h"

static int krp_text_write_byte(unsigned long addr, u8 byte)
{
	return krp_text_write(addr, &byte, 1);
}

/* Up to 15 bytes of text at @addr, with krp's own int3s taken out. */
size_t krp_text_read(unsigned long addr, u8 *buf,
			    krp_orig_byte_t orig_byte)
{
	size_t n;
	u8 orig;

	for (n = 0; n < KRP_INSN_MAX_LEN; n++)
		if (get_kernel_nofault(buf[n], (u8 *)addr + n))
			break;
	if (n && orig_byte(addr, &orig))
		buf[0] = orig;
	return n;
}

/**
 * krp_arch_check_boundary() - is @addr an instruction boundary
 * @addr: the address to probe
 * @offset: its offset from the start of its function
 * @orig_byte: the core's record of the bytes under its int3s
 *
 * Decodes from the function's start with krp's decoder.  The kernel's
 * kprobes check this too, but they read krp's int3s as one-byte
 * instructions; here the original bytes are put back first.
 *
 * Return: 0, or -EILSEQ.
 */
int krp_arch_check_boundary(unsigned long addr, unsigned int offset,
			    krp_orig_byte_t orig_byte)
{
	unsigned long pc = addr - offset;
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn insn;
	size_t n;

	while (pc < addr) {
		n = krp_text_read(pc, buf, orig_byte);
		if (krp_insn_decode(&insn, buf, n, KRP_INSN_MODE_TEXT))
			return -EILSEQ;
		pc += insn.length;
	}
	return pc == addr ? 0 : -EILSEQ;
}

/**
 * krp_arch_entry_offset() - where a function's body starts
 * @func: the function's address
 *
 * Under IBT (6.12 amd64) a function whose address is taken starts with
 * ENDBR, and its ftrace site, where the kernel's kprobes also put a
 * probe on the function, follows it.
 *
 * Return: 4 after an ENDBR, else 0.
 */
unsigned int krp_arch_entry_offset(unsigned long func)
{
	u32 insn;

	if (get_kernel_nofault(insn, (u32 *)func) || !is_endbr(insn))
		return 0;
	return ENDBR_INSN_SIZE;
}

/*
 * The segment of per-CPU data: %fs on i386, %gs on x86_64 (where %fs
 * is user space's until the task returns there).
 */
#define KRP_PERCPU_SEG	(IS_ENABLED(CONFIG_X86_64) ? 0x65 : 0x64)

/*
 * Whether a memory operand is one that cannot have an exception-table
 * entry: the stack or frame (%esp, %ebp as base), per-CPU data, a
 * fixed address in the kernel's half, or on x86_64 a RIP-relative one
 * (a symbol of the kernel or a module).  Fixups exist for accesses
 * through pointers that may be bad (user memory, *_nofault), and those
 * are always in a register.
 */
static bool krp_mem_is_fixup_free(const struct krp_insn *insn)
{
	bool sib = insn->modrm.rm == 4, nobase;
	unsigned int base;

	if (insn->seg == KRP_PERCPU_SEG)
		return true;
	if (insn->seg && insn->seg != 0x36 && insn->seg != 0x3e)
		return false;
	if (insn->flags & KRP_INSN_F_RIP_REL)
		return true;
	base = sib ? insn->sib.base : insn->modrm.rm;
	/* no base: REX.B does not change that encoding */
	nobase = insn->modrm.mod == 0 && base == 5;
	if (!nobase) {
		/* REX.B: %r12 and %r13 are not the stack or the frame */
		if (insn->rex & 0x01)
			return false;
		/* %ebp is the frame pointer only in a kernel built with them */
		return base == 4 ||
		       (base == 5 && IS_ENABLED(CONFIG_FRAME_POINTER));
	}
	/* sign-extended on x86_64, where the kernel is in the top 2 GiB */
	return (unsigned long)insn->disp.value >= PAGE_OFFSET;
}

/*
 * Refusals only long mode needs: what runs only on the way into or out
 * of the kernel, or changes the segment bases krp's own per-CPU
 * accesses rely on.  syscall, sysret and iretq are caught by their
 * flags.
 */
static const char *krp_ool_refusal_64(const struct krp_insn *insn)
{
	if (!IS_ENABLED(CONFIG_X86_64) || insn->vex_type != KRP_INSN_VEX_NONE)
		return NULL;
	/* rdfsbase, rdgsbase, wrfsbase, wrgsbase: F3 0F AE /0-3, registers */
	if (insn->map == KRP_INSN_MAP_0F && insn->opcode == 0xae &&
	    insn->simd_prefix == 0xf3 && insn->modrm.mod == 3 &&
	    insn->modrm.reg < 4)
		return "an fs or gs base access (entry code)";
	if (insn->map == KRP_INSN_MAP_0F && insn->opcode == 0x01 &&
	    insn->modrm.byte == 0xf8)
		return "swapgs (entry code)";
	return NULL;
}

/*
 * What cannot run out of line whatever the exception tables say: it
 * depends on its address, transfers control, traps, or must not be
 * single-stepped the way krp steps (interrupts off until the debug
 * trap, so a wait for an interrupt would never end).
 */
static const char *krp_ool_refusal_always(const struct krp_insn *insn)
{
	u32 f = insn->flags;

	if (f & (KRP_INSN_F_INT3 | KRP_INSN_F_INT | KRP_INSN_F_SYSCALL |
		 KRP_INSN_F_UD))
		return "it traps";
	if (f & (KRP_INSN_F_REL | KRP_INSN_F_XBEGIN | KRP_INSN_F_CALL |
		 KRP_INSN_F_JMP | KRP_INSN_F_RET | KRP_INSN_F_IRET |
		 KRP_INSN_F_FAR | KRP_INSN_F_INDIRECT))
		return "a control transfer krp does not emulate";
	/* the decoder's RIP-relative and absolute forms assume full width */
	if (insn->prefix_flags & KRP_INSN_PFX_ADSIZE)
		return IS_ENABLED(CONFIG_X86_64) ? "32-bit addressing" :
						   "16-bit addressing";
	if (insn->map == KRP_INSN_MAP_3DNOW)
		return "3DNow!";
	if (insn->vex_type != KRP_INSN_VEX_NONE)
		return NULL;
	if (insn->map == KRP_INSN_MAP_1BYTE) {
		switch (insn->opcode) {
		case 0x17:
			return "a load of %ss (its interrupt shadow)";
		case 0x8e:
			if (insn->modrm.reg == 2)
				return "a load of %ss (its interrupt shadow)";
			break;
		case 0x63:
			/* arpl on i386; movsxd in long mode */
			if (IS_ENABLED(CONFIG_X86_64))
				break;
			fallthrough;
		case 0x62: case 0xc4: case 0xc5: case 0xd6:
			return "a legacy instruction that faults by design";
		case 0xf4:
			return "hlt";
		case 0xfb:
			if (!insn->prefix_len)
				return "sti before a wait (hlt, mwait) needs its interrupt shadow";
			fallthrough;
		case 0x9c: case 0x9d: case 0xfa:
			/* emulated unless prefixed, or sti before a wait */
			return "a flags instruction krp does not emulate here";
		}
	}
	if (insn->map == KRP_INSN_MAP_0F) {
		/* mwait, mwaitx; umwait and tpause (F2/66 0F AE /6) */
		if ((insn->opcode == 0x01 && (insn->modrm.byte == 0xc9 ||
					      insn->modrm.byte == 0xfb)) ||
		    (insn->opcode == 0xae && insn->modrm.mod == 3 &&
		     insn->modrm.reg == 6 &&
		     (insn->simd_prefix == 0xf2 || insn->simd_prefix == 0x66)))
			return "a wait for an interrupt (krp steps with interrupts off)";
	}
	return krp_ool_refusal_64(insn);
}

/*
 * Where the exception tables cannot be searched (see kernel/unexported.c),
 * every instruction that can have a fixup on i386 or x86_64 is refused
 * by its form: it accesses memory through a pointer, is a string
 * instruction, or is one of the system instructions below.
 */
static const char *krp_ool_refusal_form(const struct krp_insn *insn)
{
	u32 f = insn->flags;

	if (insn->vex_type == KRP_INSN_VEX_NONE &&
	    insn->map == KRP_INSN_MAP_1BYTE) {
		switch (insn->opcode) {
		case 0x07: case 0x1f: case 0x8e:
			return "a segment load (may fault into a fixup)";
		case 0x6c ... 0x6f: case 0xa4 ... 0xa7: case 0xaa ... 0xaf:
		case 0xd7:
			return "a string instruction (may fault into a fixup)";
		case 0x9b: case 0xd8 ... 0xdf:
			return "an x87 instruction (may fault into a fixup)";
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
	/* invept, invvpid and the like: fixups on stack operands */
	if (insn->vex_type == KRP_INSN_VEX_NONE && (f & KRP_INSN_F_MEM) &&
	    (insn->map == KRP_INSN_MAP_0F38 || insn->map == KRP_INSN_MAP_0F3A))
		return "a three-byte-map instruction with a memory operand (may fault into a fixup)";
	/* mov to or from a fixed address: per-CPU data, or the kernel's */
	if ((f & KRP_INSN_F_MOFFS) && insn->seg != KRP_PERCPU_SEG &&
	    (unsigned long)krp_insn_field_u64(&insn->imm[0]) < PAGE_OFFSET)
		return "an access to a fixed low address (may fault into a fixup)";
	if ((f & KRP_INSN_F_MEM) && !krp_mem_is_fixup_free(insn))
		return "a memory access through a pointer (may fault into a fixup krp cannot see)";
	return NULL;
}

/*
 * Why the instruction at @addr cannot run anywhere but at its own
 * address, or NULL if it can.  A fault in the copy is handled at the
 * copy's address: where the instruction has an exception fixup, whose
 * table entry names the original address, the fault would oops instead
 * of being fixed up, so such an instruction stays in place.  Where the
 * tables cannot be searched, krp refuses by form whatever could have
 * one.  A fault without a fixup ends the same way in the copy as in
 * place, and a fault the kernel resolves (a page of the vmalloc area
 * not yet in this page table, KFENCE) resumes the copy.
 */
const char *krp_ool_refusal(const struct krp_insn *insn, unsigned long addr)
{
	const char *why = krp_ool_refusal_always(insn);
	int fixup;

	if (why)
		return why;
	fixup = krp_fixup_at(addr);
	if (fixup > 0)
		return "it has an exception-table fixup, at its own address";
	return fixup ? krp_ool_refusal_form(insn) : NULL;
}

/* Whether @val fits the signed 32 bits of a rel32 or a disp32. */
static bool krp_fits_s32(long val)
{
	return val == (s32)val;
}

/*
 * The slot: the instruction, then a jmp back to the one after it; and
 * at KRP_SLOT_STEP a second copy, then an int3, for single steps.  On
 * x86_64 the jmp back and a RIP-relative operand are 32-bit offsets
 * from the slot: krp.ko's text, like all modules', is within 2 GiB of
 * the kernel and of every other module (the module area follows the
 * kernel image, both in the top 2 GiB), and this checks it for each
 * site.  A RIP-relative displacement is rewritten so that the copy
 * addresses what the original did.
 */
static int krp_slot_fill(struct krp_site *site, const struct krp_insn *insn)
{
	u8 code[KRP_SLOT_SIZE];
	unsigned long back = site->addr + insn->length;
	unsigned long slot_next = site->arch.slot + insn->length;
	unsigned long step_next = slot_next + KRP_SLOT_STEP;
	long rel = (long)(back - (slot_next + 5)), disp = 0, step_disp = 0;
	bool rip = insn->flags & KRP_INSN_F_RIP_REL;
	s32 rel32, disp32;

	BUILD_BUG_ON(KRP_INSN_MAX_LEN + 5 > KRP_SLOT_STEP);
	BUILD_BUG_ON(KRP_SLOT_STEP + KRP_INSN_MAX_LEN + 1 > KRP_SLOT_SIZE);
	if (rip) {
		disp = (long)(krp_insn_rip_target(insn, site->addr) - slot_next);
		step_disp = (long)(krp_insn_rip_target(insn, site->addr) -
				   step_next);
	}
	if (!krp_fits_s32(rel) ||
	    (rip && (insn->disp.size != 4 || !krp_fits_s32(disp) ||
		     !krp_fits_s32(step_disp)))) {
		pr_err("%s+0x%x: krp's out-of-line slot is more than 2 GiB away\n",
		       site->sym, site->offset);
		return -ERANGE;
	}
	memset(code, KRP_INT3, sizeof(code));
	memcpy(code, insn->bytes, insn->length);
	memcpy(code + KRP_SLOT_STEP, insn->bytes, insn->length);
	if (rip) {
		disp32 = disp;
		memcpy(code + insn->disp.offset, &disp32, sizeof(disp32));
		disp32 = step_disp;
		memcpy(code + KRP_SLOT_STEP + insn->disp.offset, &disp32,
		       sizeof(disp32));
	}
	code[insn->length] = 0xe9;
	rel32 = rel;
	memcpy(code + insn->length + 1, &rel32, sizeof(rel32));
	/* the step copy is followed by the int3 of the memset */
	return krp_text_write(site->arch.slot, code, sizeof(code));
}

/*
 * Under IBT an indirect call or jmp must land on an ENDBR: with an int3
 * over it the CPU raises #CP instead.  The poison the kernel writes over
 * the ENDBRs of functions whose address is never taken is a nop.
 */
static bool krp_is_live_endbr(const struct krp_insn *insn)
{
	static const u8 endbr[3] = { 0xf3, 0x0f, 0x1e };

	return IS_ENABLED(CONFIG_X86_KERNEL_IBT) && insn->length == 4 &&
	       !memcmp(insn->bytes, endbr, sizeof(endbr)) &&
	       (insn->bytes[3] == 0xfa || insn->bytes[3] == 0xfb);
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
 * @orig_byte: the core's record of the bytes under its int3s
 *
 * Cheapest first: emulated in the trap (stack, flags and control-flow
 * instructions); otherwise copied to an out-of-line slot, from which it
 * is boosted (a jump back, no second trap) or, for post-handlers,
 * single-stepped.  What cannot run out of line is refused.
 *
 * Return: 0; -EILSEQ if the bytes do not decode; -EBUSY if another
 * patcher's int3 or jump is there; -EOPNOTSUPP, with a message, for an
 * instruction that cannot run out of line or a live ENDBR; -ENOSPC when
 * every slot is taken; -EAGAIN when only slots that wait for
 * krp_slots_collect() are left; -ERANGE if the slot is out of a rel32's
 * reach; or an error of the slot write.
 */
int krp_arch_int3_prepare(struct krp_site *site, krp_orig_byte_t orig_byte)
{
	struct krp_arch_site *as = &site->arch;
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn insn;
	const char *why;
	int ret;

	ret = krp_insn_decode(&insn, buf,
			      krp_text_read(site->addr, buf, orig_byte),
			      KRP_INSN_MODE_TEXT);
	if (ret)
		return ret == -ENODATA ? -EILSEQ : ret;
	ret = krp_foreign_patch(site, &insn);
	if (ret)
		return ret;
	as->len = insn.length;
	/* what arming will expect to find, and disarming will put back */
	memcpy(as->text, insn.bytes, insn.length);
	as->orig_byte = insn.bytes[0];
	if (krp_is_live_endbr(&insn)) {
		pr_err("%s+0x%x: an ENDBR, where indirect branches must land (IBT)\n",
		       site->sym, site->offset);
		return -EOPNOTSUPP;
	}
	if (krp_emu_classify(as, &insn, site->addr))
		return 0;
	why = krp_ool_refusal(&insn, site->addr);
	if (why) {
		pr_err("%s+0x%x: %*ph cannot run out of line: %s\n", site->sym,
		       site->offset, insn.length, insn.bytes, why);
		return -EOPNOTSUPP;
	}
	ret = krp_slot_alloc(&as->slot);
	if (ret == -ENOSPC) {
		unsigned int dirty, max;

		krp_slots_count(&dirty, &max);
		pr_err("%s+0x%x: all %u out-of-line slots are in use (slots_max)\n",
		       site->sym, site->offset, max);
	}
	if (ret)
		return ret;
	ret = krp_slot_fill(site, &insn);
	if (ret) {
		krp_slot_free(as->slot);
		as->slot = 0;
		return ret;
	}
	as->emu = KRP_EMU_OOL;
	return 0;
}

/**
 * krp_arch_int3_release() - give back what krp_arch_int3_prepare() took
 * @site: a prepared site whose int3 is gone, or never was
 *
 * krp_borrowed_flush() must follow once krp_mutex is dropped.
 */
void krp_arch_int3_release(struct krp_site *site)
{
	/* a gone site's int3 went with its text, not through disarm */
	krp_guards_put(&site->guards);
	site->arch.jumped = false;
	krp_arch_jump_release(site);
	if (site->arch.slot)
		krp_slot_free(site->arch.slot);
	site->arch.slot = 0;
}

/**
 * krp_arch_int3_arm() - put the int3 of @site in place
 * @site: a prepared int3 site, disarmed
 *
 * The text must still be what was decoded: another patcher (a kernel
 * kprobe, an optimized kprobe's jump, a static call) may have been there
 * meanwhile.  text_mutex is not exported, so a patcher racing with this
 * very write is not excluded; the kernel's own kprobes on the same
 * address are refused at registration.  The kernel's kprobes then accept
 * kprobes inside the instruction; guards keep their optimizer from
 * putting a jump across where krp resumes.
 *
 * krp_borrowed_flush() must follow once krp_mutex is dropped.
 *
 * Return: 0, -EBUSY if the text changed, -ENOMEM, or an error of the
 * write.
 */
int krp_arch_int3_arm(struct krp_site *site)
{
	const struct krp_arch_site *as = &site->arch;
	u8 now[KRP_INSN_MAX_LEN];
	int ret;

	if (copy_from_kernel_nofault(now, (void *)site->addr, as->len) ||
	    memcmp(now, as->text, as->len)) {
		pr_err("%s+0x%x: the text changed under krp (%*ph)\n", site->sym,
		       site->offset, as->len, now);
		return -EBUSY;
	}
	ret = krp_text_write_byte(site->addr, KRP_INT3);
	if (ret)
		return ret;
	ret = krp_guards_add(site->addr, as->len, &site->guards);
	if (ret)
		krp_text_write_byte(site->addr, as->orig_byte);
	return ret;
}

/**
 * krp_arch_int3_disarm() - put the original byte of @site back
 * @site: an armed int3 site
 *
 * Only krp's own int3 is replaced; anything else found there is left.
 *
 * krp_borrowed_flush() must follow once krp_mutex is dropped.
 *
 * Return: 0; -EBUSY while another patcher's bytes, or a kernel kprobe,
 * are inside the instruction; or an error of the write.  The int3 is
 * then still in place.
 */
int krp_arch_int3_disarm(struct krp_site *site)
{
	const struct krp_arch_site *as = &site->arch;
	u8 now[KRP_INSN_MAX_LEN];
	int ret;

	/* a jump first becomes the int3 again (jump.c) */
	ret = krp_arch_jump_remove(site, false);
	if (ret)
		return ret;
	if (copy_from_kernel_nofault(now, (void *)site->addr, as->len)) {
		pr_err("%s+0x%x: the text is gone; left alone\n", site->sym,
		       site->offset);
		krp_guards_put(&site->guards);
		return 0;
	}
	if (now[0] != KRP_INT3) {
		pr_err("%s+0x%x: not krp's int3 any more (%02x); left alone\n",
		       site->sym, site->offset, now[0]);
		krp_guards_put(&site->guards);
		return 0;
	}
	/*
	 * The kernel's kprobes, whose decoder reads krp's int3 as a one-byte
	 * instruction, may have put an int3 of theirs inside this one.
	 * Restoring the first byte would make a torn instruction run; while
	 * krp's int3 stays, the copy krp made runs instead.
	 */
	if (memcmp(now + 1, as->text + 1, as->len - 1)) {
		pr_warn_once("%s+0x%x: another patcher wrote inside the instruction under krp's int3 (%*ph)\n",
			     site->sym, site->offset, as->len, now);
		return -EBUSY;
	}
	/* or will, arming a kprobe registered there while krp's int3 was */
	if (krp_guards_shared(&site->guards)) {
		pr_warn_once("%s+0x%x: a kernel kprobe is registered inside the instruction under krp's int3\n",
			     site->sym, site->offset);
		return -EBUSY;
	}
	ret = krp_text_write_byte(site->addr, as->orig_byte);
	if (!ret)
		krp_guards_put(&site->guards);
	return ret;
}

