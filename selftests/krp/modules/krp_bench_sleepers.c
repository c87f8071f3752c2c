// SPDX-License-Identifier: GPL-2.0
/*
 * The sleepers row of krp_bench.ko: many tasks inside one probed
 * function at once, the returns each side saw and the ones it missed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/wait.h>

#include <krp/kprobes.h>

#include "krp_bench.h"

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

void bench_sleepers(void)
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
