// SPDX-License-Identifier: GPL-2.0
/*
 * kprobes in the test module's own functions: pre- and post-handlers
 * at an ftrace entry and at int3 entries, a probe on every instruction,
 * handlers that redirect or recurse, sites the kernel patches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "krp_test_common.h"

/*
 * kprobe: pre- and post-handlers at an ftrace entry and at int3 entries,
 * and a probe on every instruction of two functions that krp accepts.
 */

#define KP_MAX 48
static struct krp_kprobe kps[KP_MAX];
static atomic_t kp_pre[KP_MAX], kp_post[KP_MAX];
static unsigned long kp_pre_sp[KP_MAX];
static atomic_t kp_order_bad;

static int kp_index(struct krp_kprobe *kp)
{
	return kp - kps;
}

static int kp_pre_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp_index(kp);

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible() || atomic_read(&kp_pre[i]) != atomic_read(&kp_post[i]))
		atomic_inc(&kp_order_bad);
	kp_pre_sp[i] = kernel_stack_pointer(regs);
	atomic_inc(&kp_pre[i]);
	return 0;
}

static void kp_post_fn(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	int i = kp_index(kp);

	if (atomic_read(&kp_pre[i]) != atomic_read(&kp_post[i]) + 1 ||
	    preemptible())
		atomic_inc(&kp_order_bad);
	atomic_inc(&kp_post[i]);
}

static void kps_reset(void)
{
	int i;

	memset(kps, 0, sizeof(kps));
	for (i = 0; i < KP_MAX; i++) {
		atomic_set(&kp_pre[i], 0);
		atomic_set(&kp_post[i], 0);
	}
	atomic_set(&kp_order_bad, 0);
}

static void kps_unregister(int n);

#define CODE_MAX 64

/*
 * Probe every byte offset of @fn, named @sym, that krp accepts; return
 * how many took, their offsets in @registered and the function's bytes
 * as they were before, in @code (under krp's int3s they read as 0xcc).
 */
static int kps_every_insn(void *fn, const char *sym, u8 *code,
			  int *registered)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	int off, n = 0, err, size;

	/* "name+0x0/0xsize [module]" */
	snprintf(buf, sizeof(buf), "%pS", fn);
	slash = strchr(buf, '/');
	if (!slash || sscanf(slash + 1, "%x", &size) != 1 || size > CODE_MAX ||
	    copy_from_kernel_nofault(code, fn, size))
		return -EINVAL;
	for (off = 0; off < size && n < KP_MAX; off++) {
		kps[n].symbol_name = sym;
		kps[n].offset = off;
		kps[n].pre_handler = kp_pre_fn;
		kps[n].post_handler = kp_post_fn;
		err = krp_register_kprobe(&kps[n]);
		if (!err) {
			registered[n] = off;
			n++;
			continue;
		}
		/*
		 * Not a boundary, or not emulated yet; or, on x86_64, the
		 * int3 padding the kernel put after a return thunk's ret,
		 * which no kprobe may take: nothing may be left.
		 */
		if ((err != -EILSEQ && err != -EOPNOTSUPP &&
		     !(err == -EINVAL && code[off] == 0xcc)) || kps[n].probe) {
			pr_err("%s+%d: %d\n", sym, off, err);
			kps_unregister(n);
			return -EINVAL;
		}
		memset(&kps[n], 0, sizeof(kps[n]));
	}
	return n;
}

static void kps_unregister(int n)
{
	struct krp_kprobe *list[KP_MAX];
	int i;

	for (i = 0; i < n; i++)
		list[i] = &kps[i];
	if (n)
		krp_unregister_kprobes(list, n);
}

/* The nops compilers pad with: 90, 66 90, 0f 1f .., lea 0(%esi),%esi. */
static bool is_nop(const u8 *b)
{
	return b[0] == 0x90 || (b[0] == 0x66 && b[1] == 0x90) ||
	       (b[0] == 0x0f && b[1] == 0x1f) ||
	       (b[0] == 0x8d && (b[1] == 0x74 || b[1] == 0x76 ||
				 b[1] == 0xb4 || b[1] == 0xb6));
}

/*
 * Whether the probe at @b + @reg[@i] is on padding no path runs: a nop
 * right after a ret, or after such padding.
 */
static bool is_padding(const u8 *b, const int *reg, int i)
{
	for (; i > 0; i--) {
		if (!is_nop(b + reg[i]))
			return false;
		if (b[reg[i - 1]] == 0xc3)
			return true;
	}
	return false;
}

static int redirect_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	/* skip the call: as if it returned 99 */
	regs->ax = 99;
	instruction_pointer_set(regs, (unsigned long)kp->addr + 5);
	return 1;
}

static int recurse_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	if (krp_test_int3_fn(1) != 5)
		atomic_inc(&kp_order_bad);
	return 0;
}

/* at an ftrace entry: pre sees ip + 1, post runs after it */
static int kp_at_ftrace(void)
{
	int ret = 0, err, i;

	kps_reset();
	kps[0].symbol_name = "krp_test_target";
	kps[0].pre_handler = kp_pre_fn;
	kps[0].post_handler = kp_post_fn;
	err = krp_register_kprobe(&kps[0]);
	if (err)
		return err;
	CHECK(kps[0].flags & KRP_FLAG_FTRACE, "%x", kps[0].flags);
	for (i = 0; i < 10; i++)
		CHECK(krp_test_target(i) == i * 3 + 1, "");
	krp_unregister_kprobe(&kps[0]);
	CHECK(atomic_read(&kp_pre[0]) == 10 && atomic_read(&kp_post[0]) == 10,
	      "%d %d", atomic_read(&kp_pre[0]), atomic_read(&kp_post[0]));
	CHECK(!atomic_read(&kp_order_bad), "");
	return ret;
}

/* at int3 entries: every instruction, redirection, recursion */
static int kp_at_int3(void)
{
	int reg_fn[KP_MAX], reg_rec[KP_MAX];
	u8 code[CODE_MAX];
	int ret = 0, err, i, n_fn, n_rec, pad;

	/* every instruction krp accepts, in two notrace functions */
	kps_reset();
	n_fn = kps_every_insn(krp_test_int3_fn, "krp_test_int3_fn", code, reg_fn);
	if (n_fn < 0)
		return n_fn;
	CHECK(n_fn >= 4, "only %d instructions of krp_test_int3_fn", n_fn);
	for (i = 0; i < 20; i++)
		CHECK(krp_test_int3_fn(i) == i * 3 + 2, "i=%d", i);
	/* straight-line code: 20 hits each but on padding, which never runs */
	CHECK(reg_fn[0] == 0 && atomic_read(&kp_pre[0]) == 20, "entry: %d",
	      atomic_read(&kp_pre[0]));
	for (i = 0, pad = 0; i < n_fn; i++) {
		int want = is_padding(code, reg_fn, i) ? 0 : 20;

		pad += !want;
		CHECK(atomic_read(&kp_pre[i]) == want &&
		      atomic_read(&kp_post[i]) == want,
		      "krp_test_int3_fn+%d: %d pre %d post, not %d",
		      reg_fn[i], atomic_read(&kp_pre[i]),
		      atomic_read(&kp_post[i]), want);
	}
	CHECK(n_fn - pad >= 4, "only %d instructions of krp_test_int3_fn run",
	      n_fn - pad);
	kps_unregister(n_fn);
	CHECK(!atomic_read(&kp_order_bad), "%d", atomic_read(&kp_order_bad));

	kps_reset();
	n_rec = kps_every_insn(krp_test_int3_rec, "krp_test_int3_rec", code,
			       reg_rec);
	if (n_rec < 0)
		return n_rec;
	CHECK(n_rec >= 4, "only %d instructions of krp_test_int3_rec", n_rec);
	/* both ways through its branch: the stop and the recursion */
	for (i = 0; i < 5; i++)
		CHECK(krp_test_int3_rec(i) == i, "n=%d", i);
	/* 0 + 1 + ... + 4 recursive calls, plus the 5 outer ones */
	CHECK(reg_rec[0] == 0 && atomic_read(&kp_pre[0]) == 15, "entry: %d",
	      atomic_read(&kp_pre[0]));
	/*
	 * The test and branch run 15 times, the recursive path 10, the
	 * stop 5, padding never.
	 */
	for (i = 0; i < n_rec; i++) {
		int pre = atomic_read(&kp_pre[i]);
		bool padding = is_padding(code, reg_rec, i);

		CHECK(pre == atomic_read(&kp_post[i]) &&
		      (padding ? pre == 0 : pre == 15 || pre == 10 || pre == 5),
		      "krp_test_int3_rec+%d: %d pre %d post%s", reg_rec[i], pre,
		      atomic_read(&kp_post[i]), padding ? " on padding" : "");
	}
	kps_unregister(n_rec);
	CHECK(!atomic_read(&kp_order_bad), "%d", atomic_read(&kp_order_bad));
	pr_info("kprobe: %d instructions of krp_test_int3_fn, %d of krp_test_int3_rec probed\n",
		n_fn, n_rec);

	/* a pre-handler that moves regs->ip skips the instruction */
	kps_reset();
	for (i = 0; i < 16; i++) {
		kps[0].symbol_name = "krp_test_int3_fn";
		kps[0].offset = i;
		kps[0].pre_handler = redirect_pre;
		if (*((u8 *)krp_test_int3_fn + i) != 0xe8)
			continue;
		err = krp_register_kprobe(&kps[0]);
		CHECK(!err, "call at +%d: %d", i, err);
		if (err)
			break;
		CHECK(krp_test_int3_fn(7) == 100, "redirect ignored: %d",
		      krp_test_int3_fn(7));
		krp_unregister_kprobe(&kps[0]);
		break;
	}
	CHECK(i < 16, "no call instruction in krp_test_int3_fn");

	/* a pre-handler calling its own probed function: a miss */
	kps_reset();
	kps[0].symbol_name = "krp_test_int3_fn";
	kps[0].pre_handler = recurse_pre;
	err = krp_register_kprobe(&kps[0]);
	if (err)
		return err;
	CHECK(krp_test_int3_fn(2) == 8, "");
	krp_unregister_kprobe(&kps[0]);
	CHECK(kps[0].nmissed == 1, "nmissed %lu", kps[0].nmissed);
	CHECK(!atomic_read(&kp_order_bad), "");
	return ret;
}

/* sites refused before any int3 is considered */
static int kp_refusals(void)
{
	struct krp_kprobe bad;
	int ret = 0, err, i;

	/* the jump-label site is refused, even though it is a nop */
	for (i = 0; i < 32; i++) {
		/*
		 * The 5-byte nops jump labels use on i386 and x86_64, and
		 * the 2-byte one of x86_64's short jumps.
		 */
		static const u8 nop32[] = { 0x3e, 0x8d, 0x74, 0x26, 0x00 };
		static const u8 nop64[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
		static const u8 nop2[] = { 0x66, 0x90 };
		u8 *at = (u8 *)krp_test_text(krp_test_jl_fn) + i;

		if (memcmp(at, nop32, 5) && memcmp(at, nop64, 5) &&
		    (!IS_ENABLED(CONFIG_X86_64) || memcmp(at, nop2, 2)))
			continue;
		memset(&bad, 0, sizeof(bad));
		bad.symbol_name = "krp_test_jl_fn";
		bad.offset = i;
		err = krp_register_kprobe(&bad);
		CHECK(err == -EINVAL && !bad.probe, "jump label at +%d: %d", i,
		      err);
		if (!err)
			krp_unregister_kprobe(&bad);
		break;
	}
	CHECK(i > 0 && i < 32, "no jump-label nop inside krp_test_jl_fn");
	CHECK(krp_test_jl_fn(4) == 13, "");

	/* static_call_update() would BUG() on an int3 in its trampoline */
	memset(&bad, 0, sizeof(bad));
	bad.symbol_name = "__SCT__tp_func_task_newtask";
	err = krp_register_kprobe(&bad);
	CHECK(err == -EINVAL && !bad.probe, "static-call trampoline: %d", err);
	if (!err)
		krp_unregister_kprobe(&bad);

	/* bad input */
	memset(&bad, 0, sizeof(bad));
	bad.symbol_name = "krp_test_target";
	bad.offset = 1;		/* inside the ftrace call */
	err = krp_register_kprobe(&bad);
	CHECK(err == -EILSEQ && !bad.probe, "mid-instruction: %d", err);
	bad.offset = 0;
	bad.symbol_name = "krp_test_no_such_function";
	err = krp_register_kprobe(&bad);
	CHECK(err == -ENOENT && !bad.probe, "unknown: %d", err);
	CHECK(krp_register_kprobes(NULL, 0) == -EINVAL, "");
	return ret;
}

/*
 * Where krp refuses int3 sites, the rest is still checked and a pass
 * says -EOPNOTSUPP: skipped in part.
 */
int scenario_kprobe(void)
{
	int ret, int3;

	ret = kp_at_ftrace();
	if (ret)
		return ret;
	ret = kp_refusals();
	int3 = krp_test_need_int3();
	if (!int3)
		ret |= kp_at_int3();
	return ret ? ret : int3;
}

/* What a failed scenario_kprobe() may have left. */
void krp_test_kprobe_exit(void)
{
	int i;

	for (i = 0; i < KP_MAX; i++)
		if (kps[i].probe)
			krp_unregister_kprobe(&kps[i]);
}
