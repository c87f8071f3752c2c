// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by krp_test.ko's scenario families: counters and an
 * event log, the return probes most scenarios use, the handlers several
 * families share, and worker threads bound to each CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "krp_test_common.h"

int krp_log[LOG_MAX];
atomic_t krp_nlog;

void log_event(int ev)
{
	int i = atomic_inc_return(&krp_nlog) - 1;

	if (i < LOG_MAX)
		krp_log[i] = ev;
}

atomic_t n_entry, n_ret, n_bad;

void counters_reset(void)
{
	atomic_set(&n_entry, 0);
	atomic_set(&n_ret, 0);
	atomic_set(&n_bad, 0);
	atomic_set(&krp_nlog, 0);
}

struct krp_kretprobe rp_a, rp_b, rp_c;

void rp_init(struct krp_kretprobe *rp, const char *sym,
	     krp_kretprobe_handler_t entry, krp_kretprobe_handler_t ret,
	     size_t data_size)
{
	memset(rp, 0, sizeof(*rp));
	rp->kp.symbol_name = sym;
	rp->entry_handler = entry;
	rp->handler = ret;
	rp->data_size = data_size;
}

/* The argument into the frame's data (data_size >= sizeof(long)). */
int arg_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	return 0;
}

/* krp_test_target()'s result, on rp_a, back in this module. */
int retval_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	int x = *(long *)ri->data;
	unsigned long ra = krp_get_kretprobe_retaddr(ri);

	if (regs_return_value(regs) != x * 3 + 1 ||
	    krp_get_kretprobe(ri) != &rp_a ||
	    !within_module(ra, THIS_MODULE) ||
	    instruction_pointer(regs) != ra || preemptible())
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* One task's recursion: its returns come innermost first, 0, 1, 2, ... */
int rec_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long n = *(long *)ri->data;

	if (regs_return_value(regs) != n || n != atomic_read(&n_ret))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* krp_test_sleep()'s result (also krp_test_target()'s for x = 0). */
int sleep_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != *(long *)ri->data * 2 + 1)
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

int count_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_ret);
	return 0;
}

atomic_t stress_bad;
bool stress_stop;

/* One kthread bound to each online CPU, running @fn; returns how many. */
unsigned int workers_start(int (*fn)(void *), const char *name,
			   struct task_struct **workers)
{
	unsigned int cpu, nw = 0;
	struct task_struct *t;

	for_each_online_cpu(cpu) {
		t = kthread_create(fn, NULL, "%s/%u", name, cpu);
		if (IS_ERR(t))
			break;
		kthread_bind(t, cpu);
		get_task_struct(t);
		wake_up_process(t);
		workers[nw++] = t;
	}
	return nw;
}

void workers_stop(struct task_struct **workers, unsigned int nw)
{
	while (nw--) {
		kthread_stop(workers[nw]);
		put_task_struct(workers[nw]);
	}
}
