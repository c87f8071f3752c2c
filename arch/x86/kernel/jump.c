// SPDX-License-Identifier: GPL-2.0
/*
 * Jumps instead of int3s: where it is safe, an armed int3 site's first
 * instructions are replaced by one jmp to a detour in krp.ko's text,
 * which calls krp_jump_entry (jump_{32,64}.S), runs the copied
 * instructions and jumps back.  No trap is taken.  When and which sites
 * is the core's (kernel/optimize.c); the analysis and the writes are
 * here, in process context under krp_mutex.
 *
 * The jmp covers whole instructions, at least its own five bytes, and
 * takes exactly their length: CS prefixes pad it, so that every
 * decoder (the kernel's kprobes', krp's own) finds the next instruction
 * where it was and refuses every byte inside.  It is safe where:
 *  - every covered instruction runs out of line as in a boosted slot
 *    (no control transfer, no exception fixup, nothing int3.c refuses);
 *  - nothing in the function branches into the covered bytes but to
 *    their first, and no indirect jmp (a jump table) or fixup is in the
 *    function: the kernel's optimizer asks the same of its functions;
 *  - nobody else patches the function: another int3, an optimized
 *    kernel kprobe's jmp, another jump of krp's;
 *  - no task is inside the covered bytes when they change: the core
 *    makes the int3 go on through the detour, then waits for RCU-tasks
 *    (and its rude flavour, for the idle task) before the jump goes in.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "arch.h"
#include "insn.h"
#include "int3.h"
#include "internal.h"
#include "resolve.h"
#include "slots.h"
#include "text.h"
#include "unexported.h"

#define KRP_JUMP_LEN	5
#define KRP_JUMP_MAX	15
/* a segment override, ignored by a jmp: padding the decoders see through */
#define KRP_JUMP_PAD	0x2e

/* The covered instructions, decoded from the original bytes. */
struct krp_jump_range {
	unsigned int n;
	unsigned int len;
	bool tail;	/* the last is a relative jmp: the detour takes it */
	struct krp_insn insn[KRP_JUMP_LEN];
};

/*
 * A direct, unconditional jmp (a tail call, most often): it can end the
 * covered instructions, and the detour jumps to its target instead of
 * back, as the kernel's int3 emulation of it does.
 */
static bool krp_jump_is_tail(const struct krp_insn *insn)
{
	return (insn->flags & (KRP_INSN_F_REL | KRP_INSN_F_JMP |
			       KRP_INSN_F_COND | KRP_INSN_F_INDIRECT |
			       KRP_INSN_F_FAR)) ==
	       (KRP_INSN_F_REL | KRP_INSN_F_JMP) && insn->opnd_size != 2;
}

static bool krp_jump_fits(long val)
{
	return val == (s32)val;
}

/* Whether @t lands in krp's own slots: another site's detour or slot. */
static bool krp_in_slots(unsigned long t)
{
	unsigned long area = (unsigned long)krp_slot_area;

	return t - area < (KRP_NR_SLOTS + KRP_NR_GATES) * KRP_SLOT_SIZE;
}

/* The covered instructions at @site; NULL or why they cannot be. */
static const char *krp_jump_cover(struct krp_site *site,
				  krp_orig_byte_t orig_byte,
				  struct krp_jump_range *r)
{
	unsigned long pc = site->addr;
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn *insn;
	size_t n;

	r->n = 0;
	r->len = 0;
	r->tail = false;
	while (r->len < KRP_JUMP_LEN) {
		insn = &r->insn[r->n];
		/* its int3 would be hidden, or run as the copy's byte */
		if (r->n && orig_byte(pc, &buf[0]))
			return "another site of krp's is in the way";
		n = krp_text_read(pc, buf, orig_byte);
		if (krp_insn_decode(insn, buf, n, KRP_INSN_MODE_TEXT))
			return "an instruction does not decode";
		if (r->n && (insn->flags & KRP_INSN_F_INT3))
			return "another int3 is in the way";
		if (krp_jump_is_tail(insn)) {
			r->n++;
			r->len += insn->length;
			if (r->len < KRP_JUMP_LEN)
				return "a jmp ends the instructions before five bytes";
			r->tail = true;
			break;
		}
		if (krp_ool_refusal(insn, pc))
			return "an instruction cannot run out of line";
		r->n++;
		r->len += insn->length;
		pc += insn->length;
	}
	if (r->len > KRP_JUMP_MAX)
		return "the instructions are longer than one jmp can be";
	return NULL;
}

/* Whether the rest of the function, from @pc to @end, is int3 padding. */
static bool krp_is_padding(unsigned long pc, unsigned long end)
{
	u8 b;

	for (; pc < end; pc++)
		if (get_kernel_nofault(b, (u8 *)pc) || b != KRP_INT3)
			return false;
	return true;
}

/* Why a jmp at @site would not be safe in its function, or NULL. */
static const char *krp_jump_function(struct krp_site *site,
				     krp_orig_byte_t orig_byte,
				     unsigned int len)
{
	char sym[KSYM_NAME_LEN], mod[MODULE_NAME_LEN];
	unsigned long func = site->addr - site->offset, pc, end, t;
	u8 buf[KRP_INSN_MAX_LEN];
	struct krp_insn insn;
	unsigned int size, off;
	size_t n;

	if (krp_func_size(site->addr, &size))
		return "the function's size is unknown";
	end = func + size;
	if (site->addr + len > end)
		return "the instructions run past the function";
	for (pc = func; pc < end; pc += insn.length) {
		n = krp_text_read(pc, buf, orig_byte);
		if (n > end - pc)
			n = end - pc;
		if (krp_insn_decode(&insn, buf, n, KRP_INSN_MODE_TEXT) ||
		    (insn.flags & KRP_INSN_F_INT3)) {
			if (krp_is_padding(pc, end))
				return NULL;
			return "the function holds an int3 or bytes krp cannot decode";
		}
		if (krp_fixup_at(pc))
			return "the function has exception fixups, or they cannot be searched";
		if ((insn.flags & (KRP_INSN_F_INDIRECT | KRP_INSN_F_JMP)) ==
		    (KRP_INSN_F_INDIRECT | KRP_INSN_F_JMP))
			return "the function has an indirect jmp";
		if (!(insn.flags & KRP_INSN_F_REL))
			continue;
		t = krp_insn_rel_target(&insn, pc);
		if (t > site->addr && t < site->addr + len)
			return "a branch goes into the instructions";
		if (krp_in_slots(t))
			return "another jump of krp's is in the function";
		if ((insn.flags & KRP_INSN_F_JMP) && (t < func || t >= end) &&
		    !krp_describe(t, sym, &off, mod) &&
		    (!strcmp(mod, "__builtin__kprobes") ||
		     !strncmp(sym, "__x86_indirect_", 15)))
			return "an optimized kprobe's jmp, or an indirect jmp through a thunk";
	}
	return NULL;
}

/*
 * Why the kernel would not have a covered instruction patched over, or
 * NULL: a jump label, a static call, an alternative, an ftrace site,
 * a kprobe of its own (resolve.c asks it).  The first is the site's,
 * checked when it was resolved.
 */
static const char *krp_jump_reserved(struct krp_site *site,
				     const struct krp_jump_range *r)
{
	unsigned long pc = site->addr + r->insn[0].length;
	const char *why = NULL;
	unsigned int i;
	LIST_HEAD(guards);
	int ret;

	for (i = 1; i < r->n && !why; pc += r->insn[i].length, i++) {
		ret = krp_guard_boundary(pc, &guards);
		if (ret == -EBUSY)
			why = "a kprobe of the kernel's is in the instructions";
		else if (ret)
			why = "the kernel patches an instruction itself (jump label, static call, alternative, ftrace)";
	}
	krp_guards_put(&guards);
	return why;
}

/* A jmp at @from, in a slot being filled at @code, to @to. */
static int krp_jump_put(u8 *code, unsigned long from, unsigned long to)
{
	long rel = (long)(to - (from + KRP_JUMP_LEN));
	s32 rel32;

	if (!krp_jump_fits(rel))
		return -ERANGE;
	code[0] = 0xe9;
	rel32 = rel;
	memcpy(code + 1, &rel32, sizeof(rel32));
	return 0;
}

/*
 * The detour: a call of krp_jump_entry, the copies, a jmp back; or,
 * where the last copy is a jmp, that jmp, to its own target.
 */
static int krp_jump_fill(struct krp_site *site, unsigned long detour,
			 const struct krp_jump_range *r)
{
	unsigned long back = site->addr + r->len, pc = site->addr, at;
	unsigned int off = KRP_DETOUR_COPY, i, n = r->n - r->tail;
	const struct krp_insn *insn;
	u8 code[KRP_SLOT_SIZE];
	long rel;
	s32 rel32;
	int ret;

	BUILD_BUG_ON(KRP_DETOUR_COPY + KRP_JUMP_MAX + KRP_JUMP_LEN >
		     KRP_DETOUR_ADDR);
	BUILD_BUG_ON(KRP_DETOUR_ADDR + sizeof(long) > KRP_SLOT_SIZE);
	memset(code, KRP_INT3, sizeof(code));
	rel = (long)((unsigned long)krp_jump_entry - (detour + 5));
	if (!krp_jump_fits(rel))
		return -ERANGE;
	code[0] = 0xe8;
	rel32 = rel;
	memcpy(code + 1, &rel32, sizeof(rel32));
	for (i = 0; i < n; i++) {
		insn = &r->insn[i];
		memcpy(code + off, insn->bytes, insn->length);
		if (insn->flags & KRP_INSN_F_RIP_REL) {
			at = detour + off + insn->length;
			rel = (long)(krp_insn_rip_target(insn, pc) - at);
			if (insn->disp.size != 4 || !krp_jump_fits(rel))
				return -ERANGE;
			rel32 = rel;
			memcpy(code + off + insn->disp.offset, &rel32,
			       sizeof(rel32));
		}
		off += insn->length;
		pc += insn->length;
	}
	/* a jmp of two bytes becomes one of five: there is no jmp back */
	if (r->tail)
		back = krp_insn_rel_target(&r->insn[n], pc);
	ret = krp_jump_put(code + off, detour + off, back);
	if (ret)
		return ret;
	memcpy(code + KRP_DETOUR_ADDR, &site->addr, sizeof(site->addr));
	return krp_text_write(detour, code, sizeof(code));
}

/**
 * krp_arch_jump_prepare() - check that a jump can go in, and publish its detour
 * @site: an armed int3 site, without post-handlers
 * @orig_byte: the core's record of the bytes under its int3s
 *
 * Once the detour is published, an int3 hit at @site goes on through
 * its copy of the covered instructions, never to the bytes after its
 * first: the core then waits for every task to be out of them before
 * krp_arch_jump_write().  A detour already published is kept, its
 * analysis done again: the function may have changed.
 *
 * krp_borrowed_flush() must follow outside krp_mutex: the analysis
 * borrows kprobes of the kernel's.
 *
 * Return: 0; -EOPNOTSUPP, with the reason at debug level, where a jump
 * is not safe; or an error of taking or writing the detour's slot.
 */
int krp_arch_jump_prepare(struct krp_site *site, krp_orig_byte_t orig_byte)
{
	struct krp_arch_site *as = &site->arch;
	struct krp_jump_range *r;
	unsigned long detour;
	const char *why;
	unsigned int i, off;
	int ret;

	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	why = krp_jump_cover(site, orig_byte, r);
	if (!why)
		why = krp_jump_function(site, orig_byte, r->len);
	if (!why)
		why = krp_jump_reserved(site, r);
	if (why) {
		pr_debug("%s+0x%x stays on its int3: %s\n", site->sym,
			 site->offset, why);
		ret = -EOPNOTSUPP;
		goto out;
	}
	ret = 0;
	if (as->detour)
		goto out;
	ret = krp_slot_alloc(&detour);
	if (ret)
		goto out;
	ret = krp_jump_fill(site, detour, r);
	if (ret) {
		krp_slot_unused(detour);
		goto out;
	}
	for (i = 0, off = 0; i < r->n; off += r->insn[i].length, i++)
		memcpy(as->jtext + off, r->insn[i].bytes, r->insn[i].length);
	as->jlen = r->len;
	/* the int3 reads the detour after the slot is written */
	smp_store_release(&as->detour, detour);
out:
	kfree(r);
	return ret;
}

/* What the jump is: padding, then a jmp to the detour, in @code. */
static void krp_jump_code(const struct krp_site *site, u8 *code)
{
	const struct krp_arch_site *as = &site->arch;
	unsigned int pad = as->jlen - KRP_JUMP_LEN;
	s32 rel32 = (s32)(as->detour - (site->addr + as->jlen));

	memset(code, KRP_JUMP_PAD, pad);
	code[pad] = 0xe9;
	memcpy(code + pad + 1, &rel32, sizeof(rel32));
}

/* Write @len bytes at @addr, page by page. */
static int krp_jump_poke(unsigned long addr, const u8 *src, unsigned int len)
{
	unsigned int n;
	int ret;

	while (len) {
		n = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(addr));
		ret = krp_text_write(addr, src, n);
		if (ret)
			return ret;
		addr += n;
		src += n;
		len -= n;
	}
	return 0;
}

/**
 * krp_arch_jump_write() - put the jump in place of the int3
 * @site: a site whose detour was published before every task was seen
 *        out of the covered bytes
 *
 * Byte 0 stays an int3 while the rest of the jmp goes in, each write
 * serialized on every CPU, then byte 0 becomes the jmp's.  The guards
 * go (krp_borrowed_flush() must follow outside krp_mutex): the kernel's
 * decoder now refuses every covered byte by itself, and a kprobe that
 * joined a guard would put its int3 inside the jmp.  A kprobe of the
 * kernel's already at a covered byte keeps the int3.
 *
 * Return: 0; -EBUSY if the text is not krp's int3 over the original
 * bytes, or a kernel kprobe sits in the covered bytes; -ENOMEM; or an
 * error of the write, with the int3 in place.
 */
int krp_arch_jump_write(struct krp_site *site)
{
	struct krp_arch_site *as = &site->arch;
	unsigned int len0 = as->len, len = as->jlen;
	u8 now[KRP_JUMP_MAX], code[KRP_JUMP_MAX];
	LIST_HEAD(more);
	int ret;

	if (!as->detour || as->jumped)
		return -EINVAL;
	if (copy_from_kernel_nofault(now, (void *)site->addr, len) ||
	    now[0] != KRP_INT3 || memcmp(now + 1, as->jtext + 1, len - 1))
		return -EBUSY;
	if (krp_guards_shared(&site->guards))
		return -EBUSY;
	/* a kprobe of the kernel's, armed or not, at a covered boundary */
	ret = krp_guards_add(site->addr + len0 - 1, len - len0 + 1, &more);
	if (ret)
		return ret;
	if (krp_guards_shared(&more)) {
		krp_guards_put(&more);
		return -EBUSY;
	}
	krp_jump_code(site, code);
	ret = krp_jump_poke(site->addr + 1, code + 1, len - 1);
	/*
	 * A kprobe of the kernel's that joined a guard meanwhile armed
	 * under the tail, or may have: back out, as before the writes.
	 */
	if (!ret && (krp_guards_shared(&site->guards) ||
		     krp_guards_shared(&more)))
		ret = -EBUSY;
	if (!ret)
		ret = krp_text_write(site->addr, code, 1);
	if (ret) {
		/* the int3 is still byte 0: put the rest back under it */
		krp_jump_poke(site->addr + 1, as->jtext + 1, len - 1);
		krp_guards_put(&more);
		return ret;
	}
	as->jumped = true;
	/*
	 * One that joined since the check may have an int3 inside the live
	 * jmp: krp's int3 goes back over it at once, and the hits go on
	 * through the detour (krp_arch_jump_remove() waits for the tail).
	 */
	if (krp_guards_shared(&site->guards) || krp_guards_shared(&more))
		krp_arch_jump_trap(site);
	krp_guards_put(&more);
	krp_guards_put(&site->guards);
	return 0;
}

/**
 * krp_arch_jump_intact() - whether the jump is still what krp wrote
 * @site: a site with its jump in
 *
 * A kernel kprobe that joined a guard before the guards were given back
 * may have put its int3 inside the jmp.
 *
 * Return: true if the text is krp's jmp, byte for byte.
 */
bool krp_arch_jump_intact(struct krp_site *site)
{
	u8 now[KRP_JUMP_MAX], code[KRP_JUMP_MAX];

	krp_jump_code(site, code);
	return !copy_from_kernel_nofault(now, (void *)site->addr,
					 site->arch.jlen) &&
	       !memcmp(now, code, site->arch.jlen);
}

/*
 * Whether krp may take its jump out: under its live jmp, the tail is
 * exactly the jmp's; under the int3 krp_arch_jump_trap() wrote, no task
 * runs the tail, and each byte is the jmp's or the original (a kernel
 * kprobe that joined a guard restores the original byte it went in
 * over), never a third patcher's armed int3.  A kernel kprobe's int3
 * over byte 0 is not krp's trap: its kprobe emulates krp's jmp, and
 * will write the jmp's byte back when it goes.
 */
static bool krp_jump_tail_ours(struct krp_site *site)
{
	const struct krp_arch_site *as = &site->arch;
	u8 now[KRP_JUMP_MAX], code[KRP_JUMP_MAX];
	unsigned int i;

	krp_jump_code(site, code);
	if (copy_from_kernel_nofault(now, (void *)site->addr, as->jlen))
		return false;
	if (now[0] == code[0])
		return !memcmp(now + 1, code + 1, as->jlen - 1);
	if (now[0] != KRP_INT3 || !as->trapped)
		return false;
	for (i = 1; i < as->jlen; i++)
		if (now[i] != code[i] && now[i] != as->jtext[i])
			return false;
	return true;
}

/**
 * krp_arch_jump_remove() - put the int3 back in place of the jump
 * @site: a site with its jump in
 * @guard: the int3 stays armed: guard its instruction again
 *
 * Byte 0 becomes the int3 again, then the rest of the covered bytes are
 * restored, each write serialized on every CPU.  A hit meanwhile goes
 * on through the detour, which stays until the site is released: a
 * task may be inside it.  When krp's jmp is not what is there (a kernel
 * kprobe's int3 over its first byte), nothing is written.  With @guard,
 * krp_borrowed_flush() must follow if it fails.
 *
 * Return: 0, -EBUSY with the text left alone, or an error of a write.
 */
int krp_arch_jump_remove(struct krp_site *site, bool guard)
{
	struct krp_arch_site *as = &site->arch;
	u8 int3 = KRP_INT3;
	int ret;

	if (!as->jumped)
		return 0;
	if (!krp_jump_tail_ours(site)) {
		pr_warn_once("%s+0x%x: krp's jump was changed by another patcher; left alone\n",
			     site->sym, site->offset);
		/* a live jmp with a foreign byte inside: nobody may run it */
		krp_arch_jump_trap(site);
		return -EBUSY;
	}
	ret = krp_text_write(site->addr, &int3, 1);
	if (ret)
		return ret;
	/* from here on byte 0 is krp's int3, whatever the tail holds */
	as->trapped = true;
	ret = krp_jump_poke(site->addr + 1, as->jtext + 1, as->jlen - 1);
	if (ret)
		return ret;
	as->jumped = false;
	as->trapped = false;
	if (guard)
		krp_guards_add(site->addr, as->len, &site->guards);
	return 0;
}

/**
 * krp_arch_jump_release() - give the detour back
 * @site: a site without its jump in
 *
 * The int3 goes on as before, by emulation or its own slot; the slot
 * of the detour is reused only after the grace periods of slots.c.
 */
void krp_arch_jump_release(struct krp_site *site)
{
	struct krp_arch_site *as = &site->arch;
	unsigned long detour = as->detour;

	if (!detour || WARN_ON_ONCE(as->jumped))
		return;
	WRITE_ONCE(as->detour, 0);
	as->jlen = 0;
	as->trapped = false;
	krp_slot_free(detour);
}

/**
 * krp_arch_jump_trap() - put the int3 back over a jump another patched
 * @site: a site with its jump in, not intact
 *
 * Only byte 0 is written: the rest holds another patcher's bytes, which
 * it will restore as it found them.  The site stays "jumped" and hits
 * go on through the detour; krp_arch_jump_remove() restores the tail
 * once no third patcher's int3 is in it.
 *
 * Return: true if krp's int3 was written now; false if it was there
 * already, or another int3 is (left alone), or the write failed.
 */
bool krp_arch_jump_trap(struct krp_site *site)
{
	struct krp_arch_site *as = &site->arch;
	u8 int3 = KRP_INT3, now, code[KRP_JUMP_MAX];

	/*
	 * Only over krp's own first byte: an int3 there that krp did not
	 * write is a kernel kprobe's, which emulates krp's jmp and puts
	 * that byte back when it goes.
	 */
	krp_jump_code(site, code);
	if (as->trapped || get_kernel_nofault(now, (u8 *)site->addr) ||
	    now != code[0])
		return false;
	if (krp_text_write(site->addr, &int3, 1))
		return false;
	as->trapped = true;
	return true;
}
