// SPDX-License-Identifier: GPL-2.0
/*
 * A return-probe client written for the kernel's <linux/kprobes.h>.
 *
 * It times calls of up to four functions (module parameter func=a,b),
 * of one process if tgid= is set (also at run time), and shows, in /sys/kernel/debug/<module name>/stats, one line per
 * function: returns seen, misses, mean and longest duration, last
 * return value.
 *
 * Kbuild also builds krp_kretprobe_example.ko from this very file with
 * the include switched to <krp/kprobes.h> and the kprobes identifiers
 * prefixed with krp_ (see port.sed): that is the whole port to krp.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#define MAX_FUNCS 4

static char *func[MAX_FUNCS] = { "kernel_clone" };
static int nfunc = 1;
module_param_array(func, charp, &nfunc, 0444);
MODULE_PARM_DESC(func, "functions to time, comma-separated");

static int tgid;
module_param(tgid, int, 0644);
MODULE_PARM_DESC(tgid, "time only the calls of this process (0: of all)");

struct timing {
	atomic64_t returns;
	atomic64_t total_ns;
	atomic64_t max_ns;
	atomic64_t last_ret;
};

/* per call, kept in the instance between entry and return */
struct call {
	ktime_t start;
};

static struct timing timings[MAX_FUNCS];
static struct kretprobe probes[MAX_FUNCS];

static int entry_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call *c = (struct call *)ri->data;
	int only = READ_ONCE(tgid);

	/* another process's call: no return handler, not a miss */
	if (only && current->tgid != only)
		return 1;
	c->start = ktime_get();
	return 0;
}
NOKPROBE_SYMBOL(entry_handler);

static int ret_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *rp = get_kretprobe(ri);
	struct call *c = (struct call *)ri->data;
	s64 ns = ktime_to_ns(ktime_sub(ktime_get(), c->start));
	struct timing *t;
	s64 max;

	if (!rp)
		return 0;
	t = &timings[rp - probes];
	atomic64_inc(&t->returns);
	atomic64_add(ns, &t->total_ns);
	atomic64_set(&t->last_ret, (long)regs_return_value(regs));
	max = atomic64_read(&t->max_ns);
	while (ns > max && !atomic64_try_cmpxchg(&t->max_ns, &max, ns))
		;
	return 0;
}
NOKPROBE_SYMBOL(ret_handler);

static int stats_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < nfunc; i++) {
		struct timing *t = &timings[i];
		s64 n = atomic64_read(&t->returns);

		seq_printf(m, "%-24s returns %lld missed %d mean_ns %lld max_ns %lld last_ret %lld\n",
			   func[i], n, probes[i].nmissed,
			   n ? div64_s64(atomic64_read(&t->total_ns), n) : 0,
			   atomic64_read(&t->max_ns), atomic64_read(&t->last_ret));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static struct dentry *dir;

static int __init example_init(void)
{
	struct kretprobe *rps[MAX_FUNCS];
	int i, ret;

	for (i = 0; i < nfunc; i++) {
		probes[i].kp.symbol_name = func[i];
		probes[i].handler = ret_handler;
		probes[i].entry_handler = entry_handler;
		probes[i].data_size = sizeof(struct call);
		probes[i].maxactive = 20;
		rps[i] = &probes[i];
	}
	ret = register_kretprobes(rps, nfunc);
	if (ret < 0) {
		pr_err("register_kretprobes failed: %d\n", ret);
		return ret;
	}
	for (i = 0; i < nfunc; i++)
		pr_info("return probe on %s at %pS\n", func[i], probes[i].kp.addr);
	dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("stats", 0444, dir, NULL, &stats_fops);
	return 0;
}

static void __exit example_exit(void)
{
	struct kretprobe *rps[MAX_FUNCS];
	int i;

	debugfs_remove_recursive(dir);
	for (i = 0; i < nfunc; i++)
		rps[i] = &probes[i];
	unregister_kretprobes(rps, nfunc);
	for (i = 0; i < nfunc; i++)
		pr_info("%s: %lld returns, %d missed\n", func[i],
			atomic64_read(&timings[i].returns), probes[i].nmissed);
}

module_init(example_init);
module_exit(example_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_DESCRIPTION("Time kernel functions with return probes");
