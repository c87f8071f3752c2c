// SPDX-License-Identifier: GPL-2.0
/*
 * play_idle (defect 6d of issue 12): a kthread inside play_idle_precise()
 * runs the idle loop with PF_IDLE set, as the CPU's idle task does; it
 * must push its frames on its own pool, never on its CPU's idle pool,
 * which belongs to the idle task (pid 0) and whose frames that task pops
 * when it returns from schedule_idle() in its turn.
 *
 * Which pool a frame is on is seen from where it lies: a pool is one
 * kmalloc() of pool_size bytes (512 by default, what the reliab group
 * loads krp with), so naturally aligned, and the few frames of
 * schedule_idle() lie inside it, in the pool's first segment.
 * A return probe on schedule_idle(), which both the idle task and the
 * kthread call, records the pool of each frame by task.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "krp_test_common.h"

#define IDLE_POOL_SIZE	512UL
#define IDLE_ROUNDS	50

static struct task_struct *idle_kthread;
static unsigned long idle_pool_cpu[NR_CPUS];	/* pid 0's pool per CPU */
static unsigned long idle_pool_kthread;
static atomic_t idle_kthread_hits, idle_task_hits, idle_mixed;

static unsigned long idle_pool_of(struct krp_kretprobe_instance *ri)
{
	return (unsigned long)ri & ~(IDLE_POOL_SIZE - 1);
}

static void idle_record(unsigned long *where, unsigned long pool)
{
	unsigned long old = READ_ONCE(*where);

	if (!old)
		WRITE_ONCE(*where, pool);
	else if (old != pool)
		atomic_inc(&idle_mixed);
}

static int idle_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (!current->pid) {
		atomic_inc(&idle_task_hits);
		idle_record(&idle_pool_cpu[smp_processor_id()], idle_pool_of(ri));
	} else if (current == READ_ONCE(idle_kthread)) {
		atomic_inc(&idle_kthread_hits);
		idle_record(&idle_pool_kthread, idle_pool_of(ri));
	}
	return 0;
}

static int idle_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

/* Short idle injections with sleeps between, when the real idle runs. */
static int idle_fn(void *arg)
{
	int i;

	sched_set_fifo(current);
	for (i = 0; i < IDLE_ROUNDS && !kthread_should_stop(); i++) {
		play_idle_precise(2 * NSEC_PER_MSEC, U64_MAX);
		msleep(20);
	}
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

int scenario_play_idle(void)
{
	static struct krp_kretprobe rp;
	struct task_struct *tsk;
	unsigned int cpu;
	int ret = 0, err, i;

	cpu = cpumask_last(cpu_online_mask);
	memset(idle_pool_cpu, 0, sizeof(idle_pool_cpu));
	idle_pool_kthread = 0;
	atomic_set(&idle_kthread_hits, 0);
	atomic_set(&idle_task_hits, 0);
	atomic_set(&idle_mixed, 0);
	rp_init(&rp, "schedule_idle", idle_entry, idle_ret, 0);
	err = krp_register_kretprobe(&rp);
	if (err)
		return err;
	/* created after the registration: it gets a pool of its own */
	tsk = kthread_create_on_cpu(idle_fn, NULL, cpu, "krp_play_idle/%u");
	if (IS_ERR(tsk)) {
		err = PTR_ERR(tsk);
		goto out;
	}
	get_task_struct(tsk);
	WRITE_ONCE(idle_kthread, tsk);
	wake_up_process(tsk);
	for (i = 0; i < 250 && (atomic_read(&idle_kthread_hits) < IDLE_ROUNDS ||
				!READ_ONCE(idle_pool_cpu[cpu])); i++)
		msleep(20);
	kthread_stop(tsk);
	WRITE_ONCE(idle_kthread, NULL);
	put_task_struct(tsk);
	CHECK(atomic_read(&idle_kthread_hits) > 0,
	      "the play_idle() kthread never reached schedule_idle()");
	CHECK(READ_ONCE(idle_pool_cpu[cpu]),
	      "cpu%u's idle task never reached schedule_idle()", cpu);
	CHECK(!atomic_read(&idle_mixed), "%d frames on another pool than before",
	      atomic_read(&idle_mixed));
	CHECK(idle_pool_kthread != idle_pool_cpu[cpu],
	      "the play_idle() kthread pushed %d frames on cpu%u's idle pool",
	      atomic_read(&idle_kthread_hits), cpu);
	krp_test_report("kthread_hits", atomic_read(&idle_kthread_hits));
	krp_test_report("idle_hits", atomic_read(&idle_task_hits));
out:
	krp_unregister_kretprobe(&rp);
	return ret ? ret : err;
}
