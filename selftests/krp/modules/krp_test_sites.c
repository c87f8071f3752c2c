// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses krp refuses, each with its errno, and an address it shares
 * with the kernel's own kprobes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "krp_test_common.h"

/* the pre-handler of krp's probes here: hits, if any, counted */
static atomic_t site_hits;

static int site_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	atomic_inc(&site_hits);
	return 0;
}

/*
 * neighbours: with krp's int3 over the lea at krp_test_ool+6, the
 * kernel's kprobes read that int3 as a one-byte instruction and accept
 * an address inside the lea.  Their int3 there never runs while krp's
 * stays, because krp runs its own copy of the lea; and krp must not put
 * its byte back while theirs is inside, or the torn lea would run.
 */
/* the kernel's kprobe inside krp's lea: every hit of it counted */
static atomic_t neighbour_hits;

static int neighbour_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&neighbour_hits);
	return 0;
}

static void neighbour_post(struct kprobe *p, struct pt_regs *regs,
			   unsigned long flags)
{
	atomic_inc(&neighbour_hits);
}

/* A byte of text, read as data. */
static u8 text_byte(unsigned long addr)
{
	u8 b = 0;

	if (get_kernel_nofault(b, (u8 *)addr))
		return 0;
	return b;
}

static int neighbours_once(bool armed)
{
	unsigned long base = krp_test_text(krp_test_ool);
	struct krp_kprobe kp = {
		.addr = (krp_opcode_t *)(base + 6),
		.pre_handler = site_pre,
	};
	/* a post-handler keeps the kernel's optimizer away */
	struct kprobe k = {
		.addr = (kprobe_opcode_t *)(base + 7),
		.pre_handler = neighbour_pre,
		.post_handler = neighbour_post,
		.flags = armed ? 0 : KPROBE_FLAG_DISABLED,
	};
	u8 inside = text_byte(base + 7);
	int ret = 0, err, i;

	CHECK(text_byte(base + 6) == 0x8d, "no lea at +6: %02x",
	      text_byte(base + 6));
	this_cpu_write(krp_test_pcpu, 7);
	atomic_set(&site_hits, 0);
	atomic_set(&neighbour_hits, 0);
	err = krp_register_kprobe(&kp);
	if (err)
		return err;
	err = register_kprobe(&k);
	/* without it the rest proves nothing */
	CHECK(!err, "armed=%d: the kernel's kprobe inside krp's lea: %d",
	      armed, err);
	if (err) {
		krp_unregister_kprobe(&kp);
		return ret;
	}
	CHECK(text_byte(base + 7) == (armed ? 0xcc : inside),
	      "armed=%d: the kernel's byte inside the lea is %02x", armed,
	      text_byte(base + 7));
	for (i = 0; i < 5; i++)
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d", i);
	CHECK(atomic_read(&site_hits) == 5, "armed=%d: krp's probe hit %d times",
	      armed, atomic_read(&site_hits));
	krp_unregister_kprobe(&kp);
	CHECK(text_byte(base + 6) == 0xcc,
	      "armed=%d: krp's int3 went with a kernel kprobe inside", armed);
	/* armed now, into the middle of the lea */
	if (!armed) {
		CHECK(!enable_kprobe(&k), "enable_kprobe");
		CHECK(text_byte(base + 7) == 0xcc,
		      "the kernel's enabled kprobe left %02x inside the lea",
		      text_byte(base + 7));
	}
	for (i = 0; i < 5; i++)
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d", i);
	/* krp runs its own copy of the lea: the kernel's int3 never runs */
	CHECK(!atomic_read(&neighbour_hits) && !k.nmissed,
	      "armed=%d: the kernel's kprobe inside the lea ran: %d hits, %lu missed",
	      armed, atomic_read(&neighbour_hits), k.nmissed);
	unregister_kprobe(&k);
	/* krp retries every second */
	for (i = 0; i < 50 && text_byte(base + 6) != 0x8d; i++)
		msleep(100);
	CHECK(text_byte(base + 6) == 0x8d && text_byte(base + 7) == inside,
	      "text not restored: %02x %02x", text_byte(base + 6),
	      text_byte(base + 7));
	for (i = 0; i < 5; i++)
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d", i);
	CHECK(atomic_read(&site_hits) == 5 && !atomic_read(&neighbour_hits),
	      "armed=%d: %d hits of krp's, %d of the kernel's after unregister",
	      armed, atomic_read(&site_hits), atomic_read(&neighbour_hits));
	return ret;
}

/* the kernel's kprobe armed when krp leaves, and registered disabled */
int scenario_neighbours(void)
{
	int ret = krp_test_need_int3();

	if (!ret)
		ret = neighbours_once(true);
	return ret ? ret : neighbours_once(false);
}

/*
 * refuse: every class of address krp will not probe, each with its
 * errno, and nothing left behind.
 */
static int refuse_one(const char *sym, unsigned int off, void *addr, int want,
		      const char *what)
{
	struct krp_kprobe kp = {
		.symbol_name = sym, .offset = off, .addr = addr,
		.pre_handler = site_pre,
	};
	int err = krp_register_kprobe(&kp);

	if (err == want && !kp.probe)
		return 0;
	pr_err("refuse %s: got %d, want %d\n", what, err, want);
	if (!err)
		krp_unregister_kprobe(&kp);
	return -EINVAL;
}

/* Offset of the first @len bytes equal to @pat in the first 64 of @fn. */
static int find_bytes(void *fn, const u8 *pat, int len)
{
	int i;

	for (i = 0; i + len <= 64; i++)
		if (!memcmp((u8 *)fn + i, pat, len))
			return i;
	return -1;
}

int scenario_refuse(void)
{
	static const u8 ud2[] = { 0x0f, 0x0b };
	static const u8 uaccess[] = { 0x8b, 0x10 };	/* mov (%eax),%edx */
	static const u8 pushf_cli[] = { 0x9c, 0xfa };
	int ret = 0, off, int3 = krp_test_need_int3();

	ret |= refuse_one("krp_test_target", 1, NULL, -EILSEQ,
			  "inside the ftrace call");
	ret |= refuse_one("krp_test_ool", 5, NULL, -EILSEQ,
			  "inside an instruction");
	off = find_bytes(krp_test_emu, ud2, 2);
	ret |= off < 0 ? -EINVAL : int3 ? 0 :
	       refuse_one("krp_test_emu", off, NULL, -EOPNOTSUPP, "ud2");
	/* an exception-table site: the user access of get_user() */
	off = find_bytes(__get_user_4, uaccess, 2);
	ret |= off < 0 ? -EINVAL : int3 ? 0 :
	       refuse_one("__get_user_4", off, NULL, -EOPNOTSUPP,
			  "an exception-table fixup site");
	/* the kernel's trap entry and its int3 and debug handling */
	ret |= refuse_one("asm_exc_int3", 0, NULL, -EINVAL, "int3 entry");
	ret |= refuse_one("exc_int3", 0, NULL, -EINVAL, "exc_int3");
	ret |= refuse_one("asm_exc_debug", 0, NULL, -EINVAL, "debug entry");
	ret |= refuse_one("notify_die", 0, NULL, -EINVAL, "notify_die");
	ret |= refuse_one(IS_ENABLED(CONFIG_X86_64) ? "entry_SYSCALL_64" :
			  "entry_INT80_32", 0, NULL, -EINVAL, "syscall entry");
	/* krp itself */
	ret |= refuse_one("krp_int3_entry", 0, NULL, -EINVAL, "krp's int3 path");
	ret |= refuse_one("krp_slot_area", 0, NULL, -EINVAL, "krp's slots");
	/* not text at all */
	ret |= refuse_one(NULL, 0, &krp_test_ool_bias, -EINVAL, "data");
	/* as the kernel's kprobes answer: no symbol there */
	ret |= refuse_one(NULL, 0, (void *)1, -ENOENT, "no mapping");
	/* where the kernel patches: jump labels and static calls */
	ret |= refuse_one("__SCT__tp_func_task_newtask", 0, NULL, -EINVAL,
			  "a static-call trampoline");
	ret |= int3 ? 0 : refuse_one("krp_test_refused", 0, NULL, -EOPNOTSUPP,
			  "sti before hlt");
	ret |= int3 ? 0 : refuse_one("krp_test_refused", 1, NULL, -EOPNOTSUPP, "hlt");
	ret |= int3 ? 0 : refuse_one("krp_test_refused", 2, NULL, -EOPNOTSUPP,
			  "a prefixed popf");
	/* invept at +4 and rep movsb at +10: scenario_extable_* */
	/* the kernel's kprobes refuse it first, as they do anything masking */
	ret |= refuse_one("krp_test_refused", 12, NULL, -EINVAL,
			  "mov to %ss");
	/* the pushf; cli pair of krp_test_emu is emulated, not refused */
	off = find_bytes(krp_test_emu, pushf_cli, 2);
	CHECK(off > 0, "no pushf in krp_test_emu");
	/* where krp refuses every int3 site, the rest was checked */
	return ret ? ret : int3;
}
