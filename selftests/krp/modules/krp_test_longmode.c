// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 only: a kprobe on every byte of the long-mode targets
 * (krp_test_longmode_64.S).  Every instruction boundary of krp_test_lm
 * is taken, emulated or run out of line, boosted or single-stepped,
 * with its RIP-relative operands fixed up for the slot; every other
 * byte is refused as not a boundary; every instruction of
 * krp_test_lm_refused is refused as one krp cannot carry out.  The
 * lm_arm_* scenarios leave their probes armed for the user side to read
 * krp/list and the trap counts (selftests/krp/krp_longmode.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ptrace.h>
#include <linux/string.h>

#include "krp_test_common.h"
#include "krp_test_longmode.h"

#define LM_MAX 64
static struct krp_kprobe lm_kps[LM_MAX];
static atomic_t lm_pre[LM_MAX], lm_post[LM_MAX], lm_bad;
static unsigned long lm_post_ip[LM_MAX];
static int lm_n;

/* krp_test_lm's instructions, by index in krp_test_lm_offs */
#define LM_INSNS	34
#define LM_CALL_MEM	21	/* call *krp_test_lm_fnptr(%rip) */
#define LM_JMP_MEM	22	/* jmp *krp_test_lm_jmpptr(%rip) */
#define LM_CALL_REL	27	/* call krp_test_lm_add7 */
#define LM_RET		33

static int lm_pre_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp - lm_kps;

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible() ||
	    (kp->post_handler &&
	     atomic_read(&lm_pre[i]) != atomic_read(&lm_post[i])))
		atomic_inc(&lm_bad);
	atomic_inc(&lm_pre[i]);
	return 0;
}

/* after the instruction: regs->ip is where execution goes on */
static void lm_post_fn(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	int i = kp - lm_kps;

	if (atomic_read(&lm_pre[i]) != atomic_read(&lm_post[i]) + 1 ||
	    preemptible() || (regs->flags & X86_EFLAGS_TF))
		atomic_inc(&lm_bad);
	lm_post_ip[i] = instruction_pointer(regs);
	atomic_inc(&lm_post[i]);
}

static void lm_unregister(void)
{
	struct krp_kprobe *list[LM_MAX];
	int i;

	for (i = 0; i < lm_n; i++)
		list[i] = &lm_kps[i];
	if (lm_n)
		krp_unregister_kprobes(list, lm_n);
	lm_n = 0;
}

static bool lm_is_boundary(const u8 *offs, const u8 *end, int off)
{
	for (; offs < end; offs++)
		if (*offs == off)
			return true;
	return false;
}

/*
 * A kprobe on each of the @size bytes of @sym: at a boundary of @offs..@end it must
 * be taken (@take) or refused with -EOPNOTSUPP, elsewhere refused with
 * -EILSEQ; a refusal leaves nothing behind.  The live ENDBR at @endbr
 * (-1: none) is refused with -EOPNOTSUPP.
 */
static int lm_register(const char *sym, int size, const u8 *offs,
		       const u8 *end, int endbr, bool take, bool post)
{
	int off, err, want, ret = 0;

	for (off = 0; off < size && lm_n < LM_MAX; off++) {
		struct krp_kprobe *kp = &lm_kps[lm_n];

		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = sym;
		kp->offset = off;
		kp->pre_handler = lm_pre_fn;
		kp->post_handler = post ? lm_post_fn : NULL;
		atomic_set(&lm_pre[lm_n], 0);
		atomic_set(&lm_post[lm_n], 0);
		if (off == endbr)
			want = -EOPNOTSUPP;
		else if (lm_is_boundary(offs, end, off))
			want = take ? 0 : -EOPNOTSUPP;
		else
			want = -EILSEQ;
		err = krp_register_kprobe(kp);
		CHECK(err == want && (err || kp->probe) && (!err || !kp->probe),
		      "%s+%d: %d, not %d", sym, off, err, want);
		if (!err)
			lm_n++;
	}
	return ret;
}

static int lm_arm(bool post)
{
	int endbr = IS_ENABLED(CONFIG_X86_KERNEL_IBT) ? *krp_test_lm_endbr : -1;
	int err;

	if (lm_n)
		return -EBUSY;
	atomic_set(&lm_bad, 0);
	err = lm_register("krp_test_lm", *krp_test_lm_len, krp_test_lm_offs,
			  krp_test_lm_offs_end, endbr, true, post);
	if (!err && lm_n != LM_INSNS) {
		pr_err("%d instructions of krp_test_lm taken, not %d\n", lm_n,
		       LM_INSNS);
		err = -EINVAL;
	}
	if (err)
		lm_unregister();
	return err;
}

int scenario_lm_arm_boost(void)
{
	return lm_arm(false);
}

int scenario_lm_arm_step(void)
{
	return lm_arm(true);
}

/* What krp_test_lm(x) returns, computed in C. */
static u64 krp_test_lm_ref(long x)
{
	u32 bits = (~(u32)x & krp_test_lm_mask) << 3;

	return krp_test_lm_data[1] + (u64)x + 0x100000000ULL +
	       krp_test_lm_data[0] + 5 + bits + 7;
}

#define LM_CALLS 10

/* x from -2 on: the sign test and the zero test go both ways */
int scenario_lm_call(void)
{
	int ret = 0, i;
	long x;

	for (i = 0; i < LM_CALLS; i++) {
		x = i - 2;
		krp_test_lm_seen = 0;
		CHECK(krp_test_lm(x) == krp_test_lm_ref(x), "x=%ld: %#lx, not %#llx",
		      x, krp_test_lm(x), krp_test_lm_ref(x));
		CHECK(krp_test_lm_store == (u64)x, "x=%ld: stored %#llx", x,
		      krp_test_lm_store);
		CHECK(krp_test_lm_seen == (u64)(unsigned long)krp_test_lm_data,
		      "lea gave %#llx, not %pS", krp_test_lm_seen,
		      krp_test_lm_data);
		CHECK(!irqs_disabled(), "interrupts left off");
	}
	return ret;
}

/* Where execution goes on after instruction @i at @at. */
static unsigned long lm_next_ip(int i, unsigned long at)
{
	unsigned long fn = (unsigned long)krp_test_lm;
	s32 rel;

	switch (i) {
	case LM_CALL_MEM:
		return (unsigned long)krp_test_lm_add5;
	case LM_JMP_MEM:
		return (unsigned long)READ_ONCE(krp_test_lm_jmpptr);
	case LM_CALL_REL:
		/* the bytes after krp's int3 are the original rel32 */
		memcpy(&rel, (void *)(at + 1), sizeof(rel));
		return at + 5 + rel;
	}
	return fn + krp_test_lm_offs[i + 1];
}

/* After one lm_call: every instruction ran LM_CALLS times. */
int scenario_lm_disarm(void)
{
	unsigned long fn = (unsigned long)krp_test_lm;
	int ret = 0, i;

	CHECK(lm_n == LM_INSNS, "%d probes armed", lm_n);
	for (i = 0; i < lm_n && i < LM_INSNS; i++) {
		unsigned long at = (unsigned long)lm_kps[i].addr;
		int pre = atomic_read(&lm_pre[i]);

		CHECK(at == fn + krp_test_lm_offs[i], "probe %d at +%lu", i,
		      at - fn);
		CHECK(pre == LM_CALLS, "krp_test_lm+%lu: %d hits", at - fn, pre);
		if (!lm_kps[i].post_handler)
			continue;
		CHECK(atomic_read(&lm_post[i]) == pre, "+%lu: %d pre, %d post",
		      at - fn, pre, atomic_read(&lm_post[i]));
		if (i != LM_RET)
			CHECK(lm_post_ip[i] == lm_next_ip(i, at),
			      "krp_test_lm+%lu: post at %pS, not %pS", at - fn,
			      (void *)lm_post_ip[i], (void *)lm_next_ip(i, at));
	}
	CHECK(!atomic_read(&lm_bad), "%d handler runs out of order or context",
	      atomic_read(&lm_bad));
	lm_unregister();
	return ret;
}

/* Every instruction of krp_test_lm_refused refused, nothing registered. */
int scenario_lm_refuse(void)
{
	int ret;

	if (lm_n)
		return -EBUSY;
	ret = lm_register("krp_test_lm_refused", *krp_test_lm_refused_len,
			  krp_test_lm_refused_offs, krp_test_lm_refused_offs_end,
			  -1, false, false);
	if (lm_n) {
		pr_err("%d probes taken in krp_test_lm_refused\n", lm_n);
		ret = -EINVAL;
	}
	lm_unregister();
	return ret;
}

/*
 * krp_test_lm_form: taken with the exception tables (@take), refused by
 * form with extable=N; either way nothing is left behind.
 */
static int lm_form(bool take)
{
	int ret;

	if (lm_n)
		return -EBUSY;
	ret = lm_register("krp_test_lm_form", *krp_test_lm_form_len,
			  krp_test_lm_form_offs, krp_test_lm_form_offs_end, -1,
			  take, false);
	if (!take && lm_n) {
		pr_err("%d probes taken in krp_test_lm_form\n", lm_n);
		ret = -EINVAL;
	}
	lm_unregister();
	return ret;
}

int scenario_lm_form_taken(void)
{
	return lm_form(true);
}

int scenario_lm_form_refused(void)
{
	return lm_form(false);
}

void krp_test_lm_exit(void)
{
	lm_unregister();
}
