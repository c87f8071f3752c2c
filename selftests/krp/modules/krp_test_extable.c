// SPDX-License-Identifier: GPL-2.0
/*
 * What the exception tables decide at an int3 site.  With them (krp's
 * extable parameter Y, the default) an instruction is refused only
 * where it has a fixup: krp_test_ptr's loads, stores and rep string
 * instructions run out of line, boosted and single-stepped, with the
 * results of their C reference, and krp_test_fixup's load, which has a
 * fixup in this module's table, is refused.  With extable=N, set by the
 * user side, the same loads are refused by their form, as on a kernel
 * whose tables krp cannot search.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "krp_test_common.h"

#define XT_MAX		32
#define XT_CALLS	10
/* krp_test_ptr's accesses through a pointer: 3 + lock incl + 2 rep + 3 */
#define XT_FORM_REFUSED	9

static struct krp_kprobe xt_kps[XT_MAX];
static atomic_t xt_pre[XT_MAX], xt_post[XT_MAX], xt_bad;
static unsigned long xt_post_ip[XT_MAX];
static int xt_n;

static int xt_pre_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp - xt_kps;

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible() ||
	    (kp->post_handler &&
	     atomic_read(&xt_pre[i]) != atomic_read(&xt_post[i])))
		atomic_inc(&xt_bad);
	atomic_inc(&xt_pre[i]);
	return 0;
}

/* after the instruction, rep iterations and all: once a hit */
static void xt_post_fn(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	int i = kp - xt_kps;

	if (atomic_read(&xt_pre[i]) != atomic_read(&xt_post[i]) + 1 ||
	    preemptible() || (regs->flags & X86_EFLAGS_TF))
		atomic_inc(&xt_bad);
	xt_post_ip[i] = instruction_pointer(regs);
	atomic_inc(&xt_post[i]);
}

static void xt_unregister(void)
{
	struct krp_kprobe *list[XT_MAX];
	int i;

	for (i = 0; i < xt_n; i++)
		list[i] = &xt_kps[i];
	if (xt_n)
		krp_unregister_kprobes(list, xt_n);
	xt_n = 0;
}

/*
 * A kprobe on every byte of krp_test_ptr: inside an instruction it is
 * -EILSEQ; at a boundary taken, or counted in @refused if -EOPNOTSUPP.
 */
static int xt_register(bool post, int *refused)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	int off, size, err;

	*refused = 0;
	snprintf(buf, sizeof(buf), "%pS", krp_test_ptr);
	slash = strchr(buf, '/');
	if (!slash || sscanf(slash + 1, "%x", &size) != 1)
		return -EINVAL;
	for (off = 0; off < size && xt_n < XT_MAX; off++) {
		struct krp_kprobe *kp = &xt_kps[xt_n];

		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = "krp_test_ptr";
		kp->offset = off;
		kp->pre_handler = xt_pre_fn;
		kp->post_handler = post ? xt_post_fn : NULL;
		atomic_set(&xt_pre[xt_n], 0);
		atomic_set(&xt_post[xt_n], 0);
		err = krp_register_kprobe(kp);
		if (!err) {
			xt_n++;
			continue;
		}
		if (kp->probe || (err != -EILSEQ && err != -EOPNOTSUPP)) {
			pr_err("krp_test_ptr+%d: %d\n", off, err);
			xt_unregister();
			return -EINVAL;
		}
		*refused += err == -EOPNOTSUPP;
	}
	return 0;
}

static void xt_fill(int *b, int seed)
{
	int i;

	for (i = 0; i < KRP_TEST_PTR_WORDS; i++)
		b[i] = seed * 100 + i * 3 + 1;
}

static int xt_run(bool post)
{
	int b[KRP_TEST_PTR_WORDS], ref[KRP_TEST_PTR_WORDS];
	int ret = 0, err, refused, i, r, want;

	err = krp_test_need_int3();
	if (err)
		return err;
	if (xt_n)
		return -EBUSY;
	atomic_set(&xt_bad, 0);
	err = xt_register(post, &refused);
	if (err)
		return err;
	CHECK(!refused, "%d instructions of krp_test_ptr refused", refused);
	CHECK(xt_n >= XT_FORM_REFUSED + 6, "only %d probes in krp_test_ptr",
	      xt_n);
	for (i = 0; i < XT_CALLS; i++) {
		xt_fill(b, i);
		xt_fill(ref, i);
		r = krp_test_ptr(b);
		want = krp_test_ptr_ref(ref);
		CHECK(r == want && !memcmp(b, ref, sizeof(b)),
		      "call %d: %d, not %d, or the buffer differs", i, r, want);
	}
	/* straight-line code: every instruction once a call */
	for (i = 0; i < xt_n; i++) {
		unsigned long at = (unsigned long)xt_kps[i].addr;

		CHECK(atomic_read(&xt_pre[i]) == XT_CALLS,
		      "krp_test_ptr+%lu: %d hits", at - (unsigned long)krp_test_ptr,
		      atomic_read(&xt_pre[i]));
		if (!post)
			continue;
		CHECK(atomic_read(&xt_post[i]) == XT_CALLS,
		      "krp_test_ptr+%lu: %d post-handler calls",
		      at - (unsigned long)krp_test_ptr, atomic_read(&xt_post[i]));
		/* the last one, the ret, resumes in the caller */
		if (i + 1 < xt_n)
			CHECK(xt_post_ip[i] == (unsigned long)xt_kps[i + 1].addr,
			      "krp_test_ptr+%lu: post-handler at %pS",
			      at - (unsigned long)krp_test_ptr,
			      (void *)xt_post_ip[i]);
	}
	CHECK(!atomic_read(&xt_bad), "%d handler runs out of order or context",
	      atomic_read(&xt_bad));
	xt_unregister();
	return ret;
}

int scenario_extable_boost(void)
{
	return xt_run(false);
}

int scenario_extable_step(void)
{
	return xt_run(true);
}

/* Register at @sym+@off: @want, and nothing left behind. */
static int xt_one(const char *sym, unsigned int off, int want)
{
	struct krp_kprobe kp = {
		.symbol_name = sym, .offset = off, .pre_handler = xt_pre_fn,
	};
	int err = krp_register_kprobe(&kp);
	bool taken = kp.probe;

	if (!err)
		krp_unregister_kprobe(&kp);
	if (err == want && !err == taken)
		return 0;
	pr_err("%s+%u: %d, not %d\n", sym, off, err, want);
	return -EINVAL;
}

/*
 * With the tables: what has a fixup in this module's table refused
 * (scenario_refuse has one in vmlinux's), the forms krp refuses
 * without them taken where they have none.
 */
int scenario_extable_refuse(void)
{
	int ret = krp_test_need_int3();

	if (ret)
		return ret;
	ret |= xt_one("krp_test_fixup", 0, -EOPNOTSUPP);
	ret |= xt_one("krp_test_deref", 0, 0);
	/* krp_test_refused: invept on the stack at +4, rep movsb at +10 */
	ret |= xt_one("krp_test_refused", 4, 0);
	ret |= xt_one("krp_test_refused", 10, 0);
	return ret;
}

/* With extable=N: refused by form, as without the tables. */
int scenario_extable_form(void)
{
	int ret = krp_test_need_int3(), refused;

	if (ret)
		return ret;
	if (xt_n)
		return -EBUSY;
	ret = xt_register(false, &refused);
	xt_unregister();
	CHECK(refused == XT_FORM_REFUSED,
	      "%d instructions of krp_test_ptr refused by form, not %d",
	      refused, XT_FORM_REFUSED);
	ret |= xt_one("krp_test_fixup", 0, -EOPNOTSUPP);
	ret |= xt_one("krp_test_deref", 0, -EOPNOTSUPP);
	ret |= xt_one("krp_test_refused", 4, -EOPNOTSUPP);
	ret |= xt_one("krp_test_refused", 10, -EOPNOTSUPP);
	return ret;
}

void krp_test_extable_exit(void)
{
	xt_unregister();
}
