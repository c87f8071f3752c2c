// SPDX-License-Identifier: GPL-2.0
/*
 * The int3 rows of krp_bench.ko: return probes and plain kprobes where
 * neither side can enter through ftrace, each measured on its int3 and
 * again after its optimizer had its chance.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/string.h>

#include <krp/kprobes.h>

#include "krp_bench.h"

/*
 * The int3 rows measure the kernel's probe and krp's on two copies of
 * one function, never on the same one: a kernel kprobe that was
 * optimized into a jump leaves it in the text for a while after it is
 * unregistered, and krp refuses an address while it is there.
 *
 * On i386 (frame pointers): krp_bench_*_boost start with an add that
 * runs out of line, and the kernel optimizes a probe there into a jump
 * (the add and the ret can be copied); krp_bench_*_push start with
 * push %ebp, which krp emulates and the kernel optimizes too (push, add
 * and mov make 6 bytes); krp_bench_*_notrace start with push %ebp;
 * mov %esp,%ebp; call, which the kernel cannot optimize.  On x86_64
 * the leaves are shorter than the jump and the callers end in a tail
 * call, and the kernel optimizes none of them.  The report says what
 * each side did.
 */
#define BENCH_PAIR(name, expr)						\
static notrace __attribute__((__noipa__)) int krp_bench_k_##name(int x)	\
{									\
	return expr;							\
}									\
static notrace __attribute__((__noipa__)) int krp_bench_r_##name(int x)	\
{									\
	return expr;							\
}

/* krp_bench_*_addcall are in krp_bench_asm_32.S or _64.S */

BENCH_PAIR(boost, x + 1)
BENCH_PAIR(ss, x + 1)
BENCH_PAIR(push, krp_bench_leaf(x + 1))
BENCH_PAIR(notrace, krp_bench_leaf(x))

/*
 * How the kernel's probe @p runs, while it is registered.  A probe the
 * optimizer may take is the only child of an aggregate probe, which
 * heads its list and carries the OPTIMIZED flag.
 */
static const char *kernel_probe_how(struct kprobe *p)
{
	struct kprobe *ap = p;

	if (p->flags & KPROBE_FLAG_FTRACE)
		return "ftrace entry";
	if (!list_empty(&p->list))
		ap = container_of(p->list.next, struct kprobe, list);
	/*
	 * Not optimized: an int3, then a single-step int3 unless the
	 * kernel emulates the instruction (x86_64 emulates jumps and
	 * calls), which its flags do not say.
	 */
	return ap->flags & KPROBE_FLAG_OPTIMIZED ?
	       "optimized to a jump, no trap" :
	       "int3, not optimized";
}

static int krp_int3_entry(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	atomic_inc(&krp_int3_hits);
	return 0;
}

static void k_post(struct kprobe *p, struct pt_regs *regs, unsigned long fl)
{
}

static int krp_pre(struct krp_kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&krp_int3_hits);
	return 0;
}

static void krp_post(struct krp_kprobe *p, struct pt_regs *regs,
		     unsigned long flags)
{
}

/*
 * bare, the kernel's @kind and krp's, each on its int3 and after its
 * optimizer; "vs kernel" is against the kernel's after its optimizer.
 * A zero figure was not measured.
 */
static void print_rows(const char *kind, u64 bare, u64 kernel_trap,
		       u64 kernel, u64 ours_trap, u64 ours)
{
	char name[40];

	print_mi("bare", bare, bare, kernel);
	snprintf(name, sizeof(name), "kernel %s, int3", kind);
	if (kernel_trap)
		print_mi(name, kernel_trap, bare, kernel);
	snprintf(name, sizeof(name), "kernel %s", kind);
	if (kernel)
		print_mi(name, kernel, bare, kernel);
	snprintf(name, sizeof(name), "krp %s, int3", kind);
	if (ours_trap)
		print_mi(name, ours_trap, bare, kernel);
	snprintf(name, sizeof(name), "krp %s", kind);
	if (ours)
		print_mi(name, ours, bare, kernel);
}

/*
 * Each side's optimizer, off while its int3 is measured: the kernel's
 * sysctl (switching it on optimizes what is registered), krp's module
 * parameter (likewise).  Where a knob cannot be written the "int3" row
 * may already be optimized, and the "# kernel:"/"# krp:" lines say so.
 */
#define KERNEL_OPTIMIZER "/proc/sys/debug/kprobes-optimization"
#define KRP_OPTIMIZER "/sys/module/krp/parameters/optimize"

static void optimizer_set(const char *path, const char *val)
{
	struct file *f = filp_open(path, O_WRONLY, 0);
	loff_t pos = 0;

	if (IS_ERR(f)) {
		out("# %s: %ld\n", path, PTR_ERR(f));
		return;
	}
	kernel_write(f, val, strlen(val), &pos);
	filp_close(f, NULL);
}

static void int3_header(const char *what)
{
	out("\n%s\n", what);
	out("%-26s %11s %11s %9s\n", "", "per call", "added", "vs kernel");
}

/*
 * The first byte of @fn's text, read through a register: a load from a
 * function's text written as one is a relocation into it, which
 * objtool flags on IBT kernels.
 */
static u8 text_first(void *fn)
{
	unsigned long addr = (unsigned long)fn;

	OPTIMIZER_HIDE_VAR(addr);
	return READ_ONCE(*(u8 *)addr);
}

/*
 * Whether krp's optimizer has put its jmp at @fn, whose first byte was
 * @first before the probe: neither that byte nor krp's int3 there.
 * (krp/list says [OPTIMIZED] too, but debugfs' proxy of a seq_file has
 * no read_iter, so kernel_read() cannot read it.)
 */
static bool krp_jumped(void *fn, u8 first)
{
	u8 now = text_first(fn);

	return now != first && now != 0xcc;
}

static void krp_probe_how(void *fn, u8 first)
{
	out("# krp: %s\n", krp_jumped(fn, first) ?
	    "optimized to a jump, no trap" : "an int3");
}

/*
 * As for the kernel's, krp's optimizer gets its time before a row is
 * measured: 5 jiffies, then RCU-tasks, which takes long under TCG.  A
 * site it cannot take stays on its int3 (why is said at debug level)
 * and is measured 3 s later.
 */
static void krp_settle(void *fn, u8 first)
{
	int ms;

	msleep(200);
	for (ms = 0; ms < 3000 && !krp_jumped(fn, first); ms += 50)
		msleep(50);
}

/*
 * A return probe at an int3 entry of @fn, the kernel's and krp's.  The
 * kernel puts a kprobe there: an int3 and a single-step int3, its
 * booster being off on preemptible kernels, or a jump once its
 * optimizer got to it, as the flags say.
 */
static void bench_int3_ret(int (*kfn)(int), int (*rfn)(int), const char *what)
{
	struct kretprobe krp_k = {
		.kp.addr = (kprobe_opcode_t *)kfn,
		.handler = k_handler,
	};
	struct krp_kretprobe rp = {
		.kp.addr = (krp_opcode_t *)rfn,
		.entry_handler = krp_int3_entry,
		.handler = krp_handler,
	};
	u64 bare, kernel_trap = 0, kernel = 0, ours_trap = 0, ours = 0;
	u8 first;

	bare = measure_fn(kfn);
	optimizer_set(KERNEL_OPTIMIZER, "0");
	if (!register_kretprobe(&krp_k)) {
		kernel_trap = measure_fn(kfn);
		/* let the kernel's optimizer do what it does in real use */
		optimizer_set(KERNEL_OPTIMIZER, "1");
		msleep(200);
		kernel = measure_fn(kfn);
		out("# kernel: %s\n", kernel_probe_how(&krp_k.kp));
		unregister_kretprobe(&krp_k);
	}
	optimizer_set(KERNEL_OPTIMIZER, "1");
	first = text_first(rfn);
	optimizer_set(KRP_OPTIMIZER, "N");
	if (!krp_register_kretprobe(&rp)) {
		ours_trap = measure_fn(rfn);
		optimizer_set(KRP_OPTIMIZER, "Y");
		krp_settle(rfn, first);
		ours = measure_fn(rfn);
		krp_probe_how(rfn, first);
		krp_unregister_kretprobe(&rp);
	} else {
		out("krp_register_kretprobe(%ps) failed\n", rfn);
	}
	optimizer_set(KRP_OPTIMIZER, "Y");
	int3_header(what);
	print_rows("kretprobe", bare, kernel_trap, kernel, ours_trap, ours);
}

/*
 * Whether the kernel's optimizer takes a function depends on its code
 * (5 bytes to copy, no branch into them, no call in them, the function
 * long enough), which differs between i386 and x86_64: the "# kernel:"
 * line says what it did.
 */
void bench_int3(void)
{
	bench_int3_ret(krp_bench_k_notrace, krp_bench_r_notrace,
		       "return probe on a notrace function that calls a leaf, int3 entry");
	bench_int3_ret(krp_bench_k_push, krp_bench_r_push,
		       "return probe on a notrace function that calls a leaf with x + 1, int3 entry");
}

void bench_boost(void)
{
	bench_int3_ret(krp_bench_k_addcall, krp_bench_r_addcall,
		       "return probe on add; call; ret (assembly), int3 entry");
	bench_int3_ret(krp_bench_k_boost, krp_bench_r_boost,
		       "return probe on a notrace leaf returning x + 1, int3 entry");
}

/* A plain kprobe on the boostable add; @post makes both single-step. */
static void bench_kprobe(bool post)
{
	int (*kfn)(int) = post ? krp_bench_k_ss : krp_bench_k_boost;
	int (*rfn)(int) = post ? krp_bench_r_ss : krp_bench_r_boost;
	struct kprobe k = {
		.addr = (kprobe_opcode_t *)kfn,
		.pre_handler = k_pre,
		.post_handler = post ? k_post : NULL,
	};
	struct krp_kprobe kp = {
		.addr = (krp_opcode_t *)rfn,
		.pre_handler = krp_pre,
		.post_handler = post ? krp_post : NULL,
	};
	u64 bare, kernel_trap = 0, kernel = 0, ours_trap = 0, ours = 0;
	u8 first;

	bare = measure_fn(kfn);
	optimizer_set(KERNEL_OPTIMIZER, "0");
	if (!register_kprobe(&k)) {
		kernel_trap = measure_fn(kfn);
		optimizer_set(KERNEL_OPTIMIZER, "1");
		msleep(200);
		kernel = measure_fn(kfn);
		out("# kernel: %s\n", kernel_probe_how(&k));
		unregister_kprobe(&k);
	}
	optimizer_set(KERNEL_OPTIMIZER, "1");
	first = text_first(rfn);
	optimizer_set(KRP_OPTIMIZER, "N");
	if (!krp_register_kprobe(&kp)) {
		ours_trap = measure_fn(rfn);
		optimizer_set(KRP_OPTIMIZER, "Y");
		/* a post-handler keeps the int3, on both sides */
		if (!post)
			krp_settle(rfn, first);
		ours = measure_fn(rfn);
		krp_probe_how(rfn, first);
		krp_unregister_kprobe(&kp);
	} else {
		out("krp_register_kprobe(%ps) failed\n", rfn);
	}
	optimizer_set(KRP_OPTIMIZER, "Y");
	int3_header(post ? "kprobe with a post-handler on a notrace leaf returning x + 1"
			 : "kprobe, pre-handler only, on a notrace leaf returning x + 1");
	print_rows("kprobe", bare, kernel_trap, kernel, ours_trap, ours);
}

void bench_kprobe_pre(void)
{
	bench_kprobe(false);
}

void bench_kprobe_ss(void)
{
	bench_kprobe(true);
}
