// SPDX-License-Identifier: GPL-2.0
/*
 * The reaper's RCU-tasks hazard: a kernel thread that never switches
 * out voluntarily sits in a function whose probe is unregistered, while
 * the reaper unregisters the ftrace ops, which waits for RCU-tasks and
 * so for that thread.  Registrations that need no ftrace must go on
 * meanwhile, and one that needs it must wait and then register the ops
 * anew.  The user-space side (selftests/krp/krp_storm.c) waits between
 * spin_arm and spin_churn until krp/stats says the ops is retiring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

#include "krp_test_common.h"

#define TARGET __attribute__((__noipa__))

/*
 * spin: the spinner sits in storm_spin(), a probed function, with its
 * frame out, and never switches out voluntarily: it gives the CPU up
 * only the way a preemptible kernel takes it (spin_yield()), so
 * RCU-tasks waits for it until it is released, while everything else
 * runs.  The deadline only ends the deadlock the scenario exists to
 * catch.
 */
#define SPIN_LIMIT_S	20

static struct task_struct *spinner;
static bool spin_release, spin_inside, spin_timed_out;

static TARGET int storm_spin(int x)
{
	unsigned long deadline = jiffies + SPIN_LIMIT_S * HZ;

	WRITE_ONCE(spin_inside, true);
	while (!READ_ONCE(spin_release)) {
		if (time_after(jiffies, deadline)) {
			WRITE_ONCE(spin_timed_out, true);
			break;
		}
		cpu_relax();
		spin_yield();
	}
	return x + 1;
}

static int spinner_fn(void *arg)
{
	storm_spin(1);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static void spinner_stop(void)
{
	if (!spinner)
		return;
	WRITE_ONCE(spin_release, true);
	kthread_stop(spinner);
	put_task_struct(spinner);
	spinner = NULL;
}

/* spin_arm: the spinner inside its function, whose probe then goes */
int scenario_spin_arm(void)
{
	static struct krp_kretprobe rp_spin;
	unsigned int cpu;
	int err, i;

	if (num_online_cpus() < 2)
		return -EOPNOTSUPP;
	spinner_stop();
	counters_reset();
	WRITE_ONCE(spin_release, false);
	WRITE_ONCE(spin_inside, false);
	WRITE_ONCE(spin_timed_out, false);
	rp_init(&rp_spin, "storm_spin", NULL, count_ret, 0);
	err = krp_register_kretprobe(&rp_spin);
	if (err)
		return err;
	cpu = cpumask_last(cpu_online_mask);
	spinner = kthread_create(spinner_fn, NULL, "krp_spin/%u", cpu);
	if (IS_ERR(spinner)) {
		err = PTR_ERR(spinner);
		spinner = NULL;
		krp_unregister_kretprobe(&rp_spin);
		return err;
	}
	kthread_bind(spinner, cpu);
	get_task_struct(spinner);
	wake_up_process(spinner);
	for (i = 0; i < 500 && !READ_ONCE(spin_inside); i++)
		msleep(20);
	/* its frame stays out: the site goes, and a second later the ops */
	krp_unregister_kretprobe(&rp_spin);
	if (!READ_ONCE(spin_inside)) {
		pr_err("spin_arm: the spinner never started\n");
		spinner_stop();
		return -EINVAL;
	}
	return 0;
}

/*
 * spin_churn: with the ops retiring behind the spinner, int3 probes on
 * other functions are registered, hit and unregistered; then the
 * spinner goes, and an ftrace probe registers the ops anew.
 */
#define SPIN_CYCLES	20

int scenario_spin_churn(void)
{
	struct krp_kretprobe *pair[] = { &rp_a, &rp_b };
	int ret = 0, err = 0, c, done = 0;
	bool timed_out;

	if (!spinner)
		return -ENOENT;
	counters_reset();
	for (c = 0; c < SPIN_CYCLES; c++) {
		rp_init(&rp_a, "krp_test_notrace", NULL, count_ret, 0);
		rp_init(&rp_b, "krp_test_int3_fn", NULL, count_ret, 0);
		err = krp_register_kretprobes(pair, 2);
		if (err)
			break;
		CHECK(krp_test_notrace(c) == c + 1, "");
		CHECK(krp_test_int3_fn(c) == c * 3 + 2, "");
		krp_unregister_kretprobes(pair, 2);
		done++;
	}
	timed_out = READ_ONCE(spin_timed_out);
	spinner_stop();
	if (err == -EOPNOTSUPP)
		return err;	/* no int3 sites on this arch yet */
	CHECK(!err, "cycle %d: %d", c, err);
	CHECK(!timed_out,
	      "the registrations waited for the spinning task (%d of %d cycles done)",
	      done, SPIN_CYCLES);
	CHECK(atomic_read(&n_ret) == 2 * done, "%d returns in %d cycles",
	      atomic_read(&n_ret), done);

	/* the ops may still be retiring: this one waits, then registers it */
	rp_init(&rp_c, "krp_test_target", NULL, count_ret, 0);
	err = krp_register_kretprobe(&rp_c);
	CHECK(!err, "ftrace probe after the spinner: %d", err);
	if (!err) {
		CHECK(rp_c.kp.flags & KRP_FLAG_FTRACE, "flags %x",
		      rp_c.kp.flags);
		CHECK(krp_test_target(2) == 7, "");
		krp_unregister_kretprobe(&rp_c);
		CHECK(atomic_read(&n_ret) == 2 * done + 1, "%d returns",
		      atomic_read(&n_ret));
	}
	return ret;
}

void krp_test_spin_exit(void)
{
	spinner_stop();
}
