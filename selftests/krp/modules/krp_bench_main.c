// SPDX-License-Identifier: GPL-2.0
/*
 * krp_bench.ko: krp against the kernel's own kretprobes, in one boot.
 *
 * Meant for a guest run with "-icount shift=0 -smp 1": every guest
 * instruction then advances guest time by exactly one nanosecond, so
 * nanoseconds per call are instructions per call.  Loading the module
 * runs the measurements; /sys/kernel/debug/krp_bench/report holds the
 * table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <linux/wait.h>

#include <krp/kprobes.h>

#include "krp_bench_asm.h"

static unsigned int loops = 20000;
module_param(loops, uint, 0444);
MODULE_PARM_DESC(loops, "calls per measurement");

static char *rows = "ftrace,int3,boost,kprobe,kprobe_ss,sleepers";
module_param(rows, charp, 0444);
MODULE_PARM_DESC(rows, "comma-separated rows to measure: ftrace, int3, boost, kprobe, kprobe_ss, sleepers; hold keeps a return probe registered");

/* hits of krp's probes at int3 entries, for the traps-per-hit figure */
static atomic_t krp_int3_hits;

static char *report;
static size_t report_len;
#define REPORT_SIZE 8192

static __printf(1, 2) void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_len += vscnprintf(report + report_len, REPORT_SIZE - report_len,
				 fmt, ap);
	va_end(ap);
}

static __attribute__((__noipa__)) int krp_bench_empty(int x)
{
	return x;
}

/*
 * The same, for krp's shared ftrace ops with direct=N: a function that
 * had a direct call keeps it, idle, until krp is quiet, and a call of
 * it would pay for both hooks.
 */
static __attribute__((__noipa__)) int krp_bench_empty_ops(int x)
{
	return x;
}

notrace __attribute__((__noipa__)) int krp_bench_leaf(int x)
{
	return x;
}

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

/* Guest nanoseconds for @loops calls, with interrupts off: no noise. */
static u64 measure_once(int (*fn)(int))
{
	unsigned long flags;
	unsigned int i;
	u64 t0, t1;
	int sink = 0;

	local_irq_save(flags);
	t0 = ktime_get_mono_fast_ns();
	for (i = 0; i < loops; i++)
		sink += fn(i);
	t1 = ktime_get_mono_fast_ns();
	local_irq_restore(flags);
	barrier_data(&sink);
	return t1 - t0;
}

/* Milli-instructions per call of @fn, the best of five. */
static u64 measure_fn(int (*fn)(int))
{
	u64 best = U64_MAX, t;
	int i;

	for (i = 0; i < 5; i++) {
		t = measure_once(fn);
		if (t < best)
			best = t;
	}
	return div_u64(best * 1000, loops);
}

static u64 measure(void)
{
	return measure_fn(krp_bench_empty);
}

static int k_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static int krp_handler(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static int krp_int3_entry(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	atomic_inc(&krp_int3_hits);
	return 0;
}

static int k_pre(struct kprobe *p, struct pt_regs *regs)
{
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

/* @mi, @bare, @kernel: milli-instructions per call, small enough for u32 */
static void print_mi(const char *name, u32 mi, u32 bare, u32 kernel)
{
	u32 ratio;

	out("%-26s %9u.%u", name, mi / 1000, mi % 1000 / 100);
	if (mi <= bare) {
		out("%12s%10s\n", "-", "-");
		return;
	}
	out(" %9u.%u", (mi - bare) / 1000, (mi - bare) % 1000 / 100);
	if (kernel <= bare) {
		out("\n");
		return;
	}
	ratio = (mi - bare) * 100 / (kernel - bare);
	out("      %u.%02u\n", ratio / 100, ratio % 100);
}

static void notrace empty_ftrace_cb(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
}

static struct ftrace_ops empty_ops = {
	.func = empty_ftrace_cb,
	.flags = FTRACE_OPS_FL_SAVE_REGS,
};

/* The floor for any ftrace_ops of a module: ftrace's own path. */
static u64 measure_empty_ops(void)
{
	u64 mi = 0;

	if (ftrace_set_filter_ip(&empty_ops, (unsigned long)krp_bench_empty,
				 0, 0))
		return 0;
	if (!register_ftrace_function(&empty_ops)) {
		mi = measure();
		unregister_ftrace_function(&empty_ops);
	}
	ftrace_free_filter(&empty_ops);
	return mi;
}

static int krp_declining_entry(struct krp_kretprobe_instance *ri,
			       struct pt_regs *regs)
{
	return 1;
}

static int krp_empty_entry(struct krp_kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	return 0;
}

static int krp_empty_pre(struct krp_kprobe *p, struct pt_regs *regs)
{
	return 0;
}

/* Set krp's module parameter @name; 0 or an errno. */
static int krp_param(const char *name, const char *value)
{
	char path[64];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/module/krp/parameters/%s", name);
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, value, strlen(value), &pos);
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

/* One krp return probe on @fn, by @name (after an ENDBR), measured; 0 if refused. */
static u64 measure_krp_ret(int (*fn)(int), const char *name,
			   krp_kretprobe_handler_t entry,
			   krp_kretprobe_handler_t ret)
{
	struct krp_kretprobe rp = {
		.kp.symbol_name = name,
		.entry_handler = entry,
		.handler = ret,
	};
	u64 mi = 0;

	if (!krp_register_kretprobe(&rp)) {
		mi = measure_fn(fn);
		krp_unregister_kretprobe(&rp);
	}
	return mi;
}

/*
 * Where the instructions of a hit at an ftrace entry go: the kernel's
 * kprobe and krp's with an empty pre-handler (the entry hook alone),
 * krp's return probe with an entry handler that declines (entry and
 * pool, no return), with empty handlers on both sides, and with none.
 */
static void bench_calls(void)
{
	struct kretprobe krp_k = {
		.kp.symbol_name = "krp_bench_empty",
		.handler = k_handler,
	};
	struct kprobe k = {
		.symbol_name = "krp_bench_empty",
		.pre_handler = k_pre,
	};
	struct krp_kprobe kp = {
		.symbol_name = "krp_bench_empty",
		.pre_handler = krp_empty_pre,
	};
	u64 bare, kernel = 0, floor, kprobe = 0, ours_kprobe = 0;
	u64 declined, both, ours, ops = 0;
	int ret;

	bare = measure();
	floor = measure_empty_ops();
	ret = register_kretprobe(&krp_k);
	if (ret) {
		out("register_kretprobe: %d\n", ret);
	} else {
		kernel = measure();
		out("# kernel probe flags 0x%x (8 = ftrace entry), nmissed %d\n",
		    krp_k.kp.flags, krp_k.nmissed);
		unregister_kretprobe(&krp_k);
	}
	if (!register_kprobe(&k)) {
		kprobe = measure();
		unregister_kprobe(&k);
	}
	if (!krp_register_kprobe(&kp)) {
		ours_kprobe = measure();
		krp_unregister_kprobe(&kp);
	}
	ours = measure_krp_ret(krp_bench_empty, "krp_bench_empty", NULL,
			       krp_handler);
	declined = measure_krp_ret(krp_bench_empty, "krp_bench_empty",
				   krp_declining_entry, krp_handler);
	both = measure_krp_ret(krp_bench_empty, "krp_bench_empty",
			       krp_empty_entry, krp_handler);
	/* x86_64: the shared ftrace ops, where the direct slot is taken */
	if (IS_ENABLED(CONFIG_X86_64) && !krp_param("direct", "N")) {
		ops = measure_krp_ret(krp_bench_empty_ops,
				      "krp_bench_empty_ops", NULL,
				      krp_handler);
		krp_param("direct", "Y");
	}

	out("\ninstructions per call of an empty noinline function, ftrace entry\n");
	out("%-26s %11s %11s %9s\n", "", "per call", "added", "vs kernel");
	print_mi("bare", bare, bare, kernel);
	if (kernel)
		print_mi("kernel kretprobe", kernel, bare, kernel);
	if (ours)
		print_mi(ops ? "krp kretprobe, direct" : "krp kretprobe", ours,
			 bare, kernel);
	if (ops)
		print_mi("krp kretprobe, ftrace ops", ops, bare, kernel);
	if (floor)
		print_mi("empty ftrace_ops (module)", floor, bare, kernel);
	out("# where they go\n");
	if (kprobe)
		print_mi("kernel kprobe, empty pre", kprobe, bare, kernel);
	if (ours_kprobe)
		print_mi("krp kprobe, empty pre", ours_kprobe, bare, kernel);
	if (declined)
		print_mi("krp entry only (declined)", declined, bare, kernel);
	if (both)
		print_mi("krp empty entry + return", both, bare, kernel);
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
static void bench_int3(void)
{
	bench_int3_ret(krp_bench_k_notrace, krp_bench_r_notrace,
		       "return probe on a notrace function that calls a leaf, int3 entry");
	bench_int3_ret(krp_bench_k_push, krp_bench_r_push,
		       "return probe on a notrace function that calls a leaf with x + 1, int3 entry");
}

static void bench_boost(void)
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

static void bench_kprobe_pre(void)
{
	bench_kprobe(false);
}

static void bench_kprobe_ss(void)
{
	bench_kprobe(true);
}

/* Sleepers: many tasks inside one probed function at once. */

static DECLARE_WAIT_QUEUE_HEAD(sleep_wq);
static bool released;
static atomic_t inside, left, returned;
static DECLARE_COMPLETION(all_done);

static __attribute__((__noipa__)) int krp_bench_sleep(void)
{
	atomic_inc(&inside);
	wait_event(sleep_wq, READ_ONCE(released));
	return 1;
}

static int sleeper(void *unused)
{
	krp_bench_sleep();
	if (atomic_dec_and_test(&left))
		complete(&all_done);
	return 0;
}

static int k_count(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&returned);
	return 0;
}

static int krp_count(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&returned);
	return 0;
}

static int sleepers_run(unsigned int n)
{
	unsigned int i, started = 0, waited;

	WRITE_ONCE(released, false);
	atomic_set(&inside, 0);
	atomic_set(&returned, 0);
	atomic_set(&left, n);
	reinit_completion(&all_done);
	for (i = 0; i < n; i++) {
		if (IS_ERR(kthread_run(sleeper, NULL, "krp_bench_sleep")))
			break;
		started++;
	}
	if (started < n && atomic_sub_and_test(n - started, &left))
		complete(&all_done);
	for (waited = 0; atomic_read(&inside) < started && waited < 60000;
	     waited += 20)
		msleep(20);
	WRITE_ONCE(released, true);
	wake_up_all(&sleep_wq);
	wait_for_completion(&all_done);
	return started;
}

static void bench_sleepers(void)
{
	static const unsigned int counts[] = { 64, 1000, 4096 };
	int i;

	out("\nsleepers: tasks inside one probed function at once\n");
	out("%7s %14s %14s %14s %14s\n", "tasks", "kernel seen", "kernel missed",
	    "krp seen", "krp missed");
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		struct kretprobe kp = {
			.kp.symbol_name = "krp_bench_sleep",
			.handler = k_count,
		};
		struct krp_kretprobe rp = {
			.kp.symbol_name = "krp_bench_sleep",
			.handler = krp_count,
		};
		int k_seen = -1, k_missed = -1, r_seen = -1, r_missed = -1;

		if (!register_kretprobe(&kp)) {
			sleepers_run(counts[i]);
			k_seen = atomic_read(&returned);
			k_missed = kp.nmissed;
			unregister_kretprobe(&kp);
		}
		if (!krp_register_kretprobe(&rp)) {
			sleepers_run(counts[i]);
			r_seen = atomic_read(&returned);
			r_missed = krp_kretprobe_nmissed(&rp);
			krp_unregister_kretprobe(&rp);
		}
		out("%7u %9d/%-4u %14d %9d/%-4u %14d\n", counts[i], k_seen,
		    counts[i], k_missed, r_seen, counts[i], r_missed);
	}
}

static int report_show(struct seq_file *m, void *v)
{
	seq_write(m, report, report_len);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(report);

static struct dentry *dir;

/*
 * "hold": a return probe stays registered until the module is removed,
 * so that bench.sh can read what the pools cost with many tasks alive.
 */
static struct krp_kretprobe hold_rp = {
	.kp.symbol_name = "krp_bench_empty",
	.handler = krp_handler,
};
static bool hold_registered;

static void bench_hold(void)
{
	int ret = krp_register_kretprobe(&hold_rp);

	if (ret)
		out("krp_register_kretprobe: %d\n", ret);
	else
		hold_registered = true;
}

static const struct {
	const char *name;
	void (*fn)(void);
} all_rows[] = {
	{ "ftrace", bench_calls },
	{ "int3", bench_int3 },
	{ "boost", bench_boost },
	{ "kprobe", bench_kprobe_pre },
	{ "kprobe_ss", bench_kprobe_ss },
	{ "sleepers", bench_sleepers },
	{ "hold", bench_hold },
};

static bool row_wanted(const char *name)
{
	const char *p = rows;
	size_t len = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static int __init krp_bench_init(void)
{
	int i;

	report = kzalloc(REPORT_SIZE, GFP_KERNEL);
	if (!report)
		return -ENOMEM;
	out("krp benchmark on %s, %u online CPU(s), %u calls per measurement\n",
	    init_utsname()->release, num_online_cpus(), loops);
	out("run with -icount shift=0: 1 guest ns = 1 instruction\n");
	for (i = 0; i < ARRAY_SIZE(all_rows); i++)
		if (row_wanted(all_rows[i].name))
			all_rows[i].fn();
	/* read by bench.sh with krp/stats: traps per hit */
	out("# krp int3 hits %d\n", atomic_read(&krp_int3_hits));
	dir = debugfs_create_dir("krp_bench", NULL);
	debugfs_create_file("report", 0444, dir, NULL, &report_fops);
	return 0;
}

static void __exit krp_bench_exit(void)
{
	if (hold_registered)
		krp_unregister_kretprobe(&hold_rp);
	debugfs_remove_recursive(dir);
	kfree(report);
}

module_init(krp_bench_init);
module_exit(krp_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp benchmark against the kernel's kretprobes");
