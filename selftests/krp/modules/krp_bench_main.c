// SPDX-License-Identifier: GPL-2.0
/*
 * krp_bench.ko: krp against the kernel's own kretprobes, in one boot.
 *
 * Meant for a guest run with "-icount shift=0 -smp 1": every guest
 * instruction then advances guest time by exactly one nanosecond, so
 * nanoseconds per call are instructions per call.  Loading the module
 * runs the measurements; /sys/kernel/debug/krp_bench/report holds the
 * table.  This file has the ftrace-entry rows and what every row
 * shares; krp_bench_int3.c the int3 rows, krp_bench_sleepers.c the
 * sleepers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/utsname.h>

#include <krp/kprobes.h>

#include "krp_bench.h"

static unsigned int loops = 20000;
module_param(loops, uint, 0444);
MODULE_PARM_DESC(loops, "calls per measurement");

static char *rows = "ftrace,int3,boost,kprobe,kprobe_ss,sleepers";
module_param(rows, charp, 0444);
MODULE_PARM_DESC(rows, "comma-separated rows to measure: ftrace, int3, boost, kprobe, kprobe_ss, sleepers; hold keeps a return probe registered");

atomic_t krp_int3_hits;

static char *report;
static size_t report_len;
#define REPORT_SIZE 8192

__printf(1, 2) void out(const char *fmt, ...)
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
u64 measure_fn(int (*fn)(int))
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

int k_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

int krp_handler(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

int k_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

/* @mi, @bare, @kernel: milli-instructions per call, small enough for u32 */
void print_mi(const char *name, u32 mi, u32 bare, u32 kernel)
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
	u64 declined, both, ours, none, ops = 0;
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
	none = measure_krp_ret(krp_bench_empty, "krp_bench_empty", NULL, NULL);
	/*
	 * The shared ftrace ops, where a function's own hook is not to be
	 * had: its direct slot taken (x86_64), direct=N
	 */
	if (!krp_param("direct", "N")) {
		/*
		 * i386: the kprobe hook of krp_bench_empty goes a second
		 * after its probe; meanwhile the kernel's kprobes ops would
		 * share ftrace with krp's, and both pay ftrace's list walk.
		 */
		if (!IS_ENABLED(CONFIG_X86_64))
			msleep(2500);
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
		print_mi(!ops ? "krp kretprobe" : IS_ENABLED(CONFIG_X86_64) ?
			 "krp kretprobe, direct" : "krp kretprobe, kprobe hook",
			 ours, bare, kernel);
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
	if (none)
		print_mi("krp kretprobe, no handler", none, bare, kernel);
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
