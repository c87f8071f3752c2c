// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks inside a probed function while its probe changes: thousands
 * asleep at once, an unregister or a disable with calls inside, what
 * an unwinder finds on a sleeping task, tasks that exit inside.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "krp_test_common.h"

static unsigned int sleepers = 4096;
module_param(sleepers, uint, 0644);
MODULE_PARM_DESC(sleepers, "tasks asleep at once in the sleepers scenario");

/* sleepers: many tasks inside one probed function at once */

struct sleeper {
	int id;
	int result;
	struct completion *done;
	atomic_t *left;
};

static atomic_t sleepers_left;
static DECLARE_COMPLETION(sleepers_done);

static int sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	s->result = krp_test_sleep(s->id);
	if (atomic_dec_and_test(s->left))
		complete(s->done);
	return 0;
}

/* Start @n sleepers and wait until all are inside krp_test_sleep(). */
static struct sleeper *sleepers_start(unsigned int n, atomic_t *inside)
{
	struct sleeper *s = kvcalloc(n, sizeof(*s), GFP_KERNEL);
	struct task_struct *t;
	unsigned int i, waited;

	if (!s)
		return NULL;
	krp_test_sleep_arm();
	reinit_completion(&sleepers_done);
	atomic_set(&sleepers_left, n);
	for (i = 0; i < n; i++) {
		s[i].id = i;
		s[i].result = -1;
		s[i].done = &sleepers_done;
		s[i].left = &sleepers_left;
		t = kthread_run(sleeper_fn, &s[i], "krp_sleeper");
		if (IS_ERR(t)) {
			pr_err("kthread_run: %ld\n", PTR_ERR(t));
			/* the ones not started never arrive */
			atomic_sub(n - i, &sleepers_left);
			break;
		}
	}
	for (waited = 0; atomic_read(inside) < i && waited < 60000; waited += 20)
		msleep(20);
	return s;
}

static void sleepers_release(void)
{
	krp_test_wake();
	wait_for_completion(&sleepers_done);
}

int scenario_sleepers(void)
{
	unsigned int i, n = sleepers;
	struct sleeper *s;
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_sleep", arg_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(n, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(atomic_read(&n_entry) == n, "%d of %u inside",
	      atomic_read(&n_entry), n);
	sleepers_release();
	CHECK(atomic_read(&n_ret) == n, "%d of %u returns seen",
	      atomic_read(&n_ret), n);
	CHECK(krp_kretprobe_nmissed(&rp_a) == 0, "nmissed %d", rp_a.nmissed);
	CHECK(!atomic_read(&n_bad), "%d", atomic_read(&n_bad));
	for (i = 0; i < n; i++)
		CHECK(s[i].result == i * 2 + 1, "sleeper %u got %d", i,
		      s[i].result);
	pr_info("sleepers: %d of %u returns seen, nmissed %d\n",
		atomic_read(&n_ret), n, rp_a.nmissed);
	krp_unregister_kretprobe(&rp_a);
	kvfree(s);
	return ret;
}

/*
 * slab_start, slab_arm, slab_disarm, slab_stop: slab_tasks kthreads
 * alive (asleep, in no probed function) while a return probe comes and
 * goes, for the user side to weigh what the pools cost a task and that
 * the memory comes back.
 */
static unsigned int slab_tasks = 2000;
module_param(slab_tasks, uint, 0644);
MODULE_PARM_DESC(slab_tasks, "tasks alive in the slab scenarios");

static DECLARE_WAIT_QUEUE_HEAD(slab_wq);
static bool slab_released;
static atomic_t slab_left;
static DECLARE_COMPLETION(slab_done);
static bool slab_armed;

static int slab_fn(void *arg)
{
	wait_event(slab_wq, READ_ONCE(slab_released));
	if (atomic_dec_and_test(&slab_left))
		complete(&slab_done);
	return 0;
}

int scenario_slab_start(void)
{
	struct task_struct *t;
	unsigned int i;

	if (atomic_read(&slab_left))
		return -EBUSY;
	WRITE_ONCE(slab_released, false);
	reinit_completion(&slab_done);
	atomic_set(&slab_left, 1);
	for (i = 0; i < slab_tasks; i++) {
		atomic_inc(&slab_left);
		t = kthread_run(slab_fn, NULL, "krp_slab");
		if (IS_ERR(t)) {
			atomic_dec(&slab_left);
			pr_err("kthread_run: %ld\n", PTR_ERR(t));
			break;
		}
	}
	krp_test_report("slab_tasks", i);
	return i == slab_tasks ? 0 : -ENOMEM;
}

int scenario_slab_arm(void)
{
	int err;

	if (slab_armed)
		return -EBUSY;
	rp_init(&rp_c, "krp_test_target", NULL, count_ret, 0);
	err = krp_register_kretprobe(&rp_c);
	slab_armed = !err;
	return err;
}

int scenario_slab_disarm(void)
{
	if (!slab_armed)
		return -EINVAL;
	krp_unregister_kretprobe(&rp_c);
	slab_armed = false;
	return 0;
}

int scenario_slab_stop(void)
{
	if (!atomic_read(&slab_left))
		return -EINVAL;
	WRITE_ONCE(slab_released, true);
	wake_up_all(&slab_wq);
	if (!atomic_dec_and_test(&slab_left))
		wait_for_completion(&slab_done);
	return 0;
}

/* At module exit, after a user side that stopped half-way. */
void krp_test_slab_exit(void)
{
	if (slab_armed)
		scenario_slab_disarm();
	if (atomic_read(&slab_left))
		scenario_slab_stop();
}

/* unregister while tasks are inside: returns right, no handler after */

int scenario_unregister(void)
{
	unsigned int i, n = 8;
	struct sleeper *s;
	int ret = 0, err, seen;

	counters_reset();
	rp_init(&rp_a, "krp_test_sleep", arg_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(n, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(atomic_read(&n_entry) == n, "%d", atomic_read(&n_entry));
	krp_unregister_kretprobe(&rp_a);
	seen = atomic_read(&n_ret);
	sleepers_release();
	CHECK(seen == 0, "%d", seen);
	CHECK(atomic_read(&n_ret) == seen, "handler ran after unregister");
	for (i = 0; i < n; i++)
		CHECK(s[i].result == i * 2 + 1, "sleeper %u got %d", i,
		      s[i].result);
	kvfree(s);
	return ret;
}

/* find_ret_addr: what an unwinder sees on a task asleep in a probe */

static unsigned long *found_frame;
static struct task_struct *found_task;

static int find_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	arg_entry(ri, regs);
	WRITE_ONCE(found_frame, ri->frame);
	WRITE_ONCE(found_task, current);
	return 0;
}

int scenario_find_ret_addr(void)
{
	unsigned long in_slot, ra;
	struct sleeper *s;
	void *cur = NULL;
	int ret = 0, err;

	counters_reset();
	found_frame = NULL;
	rp_init(&rp_a, "krp_test_sleep", find_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(1, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(found_frame, "no entry seen");
	if (found_frame) {
		/* the sleeper is inside: its stack holds the trampoline */
		in_slot = READ_ONCE(*found_frame);
		CHECK(krp_is_kretprobe_trampoline(in_slot), "slot holds %pS",
		      (void *)in_slot);
		ra = krp_kretprobe_find_ret_addr(found_task, found_frame, &cur);
		CHECK(within_module(ra, THIS_MODULE), "found %pS", (void *)ra);
		CHECK(krp_kretprobe_find_ret_addr(found_task, found_frame + 1,
						  &cur) == 0, "");
	}
	sleepers_release();
	CHECK(s[0].result == 1, "%d", s[0].result);
	krp_unregister_kretprobe(&rp_a);
	kvfree(s);
	return ret;
}

/* disable/enable, and what a disable does to calls already inside */

int scenario_disable(void)
{
	struct sleeper *s;
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", arg_entry, retval_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 1, "");
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	CHECK(rp_a.kp.flags & KRP_FLAG_DISABLED, "");
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 1, "disabled probe fired");
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	CHECK(!(rp_a.kp.flags & KRP_FLAG_DISABLED), "");
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 2, "");
	CHECK(!atomic_read(&n_bad), "");
	krp_unregister_kretprobe(&rp_a);
	CHECK(krp_disable_kretprobe(&rp_a) == -EINVAL, "");

	/* a call inside when the probe is disabled still gets its return */
	counters_reset();
	rp_init(&rp_a, "krp_test_sleep", arg_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(1, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	sleepers_release();
	CHECK(atomic_read(&n_ret) == 1, "in-flight return after disable: %d",
	      atomic_read(&n_ret));
	krp_unregister_kretprobe(&rp_a);
	kvfree(s);

	/* registered disabled */
	counters_reset();
	rp_init(&rp_a, "krp_test_target", arg_entry, retval_ret, sizeof(long));
	rp_a.kp.flags = KRP_FLAG_DISABLED;
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 0, "");
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 1, "");
	krp_unregister_kretprobe(&rp_a);
	return ret;
}

/* exit: tasks that end inside a probed function */

/*
 * Through a pointer the compiler cannot see through: objtool on 6.1
 * knows no noreturn function of another file, objtool on 6.12 wants
 * every function that never returns annotated, and the two disagree on
 * what a direct call of krp_test_noreturn() should be followed by.
 */
static int exit_fn(void *arg)
{
	void (*fn)(struct completion *done) = krp_test_noreturn;

	OPTIMIZER_HIDE_VAR(fn);
	fn(arg);
	return 0;
}

int scenario_exit(void)
{
	const int n = 128;
	struct completion *done;
	struct task_struct *t;
	int ret = 0, err, i, started = 0;

	counters_reset();
	done = kcalloc(n, sizeof(*done), GFP_KERNEL);
	if (!done)
		return -ENOMEM;
	rp_init(&rp_a, "krp_test_noreturn", arg_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err) {
		kfree(done);
		return err;
	}
	for (i = 0; i < n; i++) {
		init_completion(&done[i]);
		t = kthread_run(exit_fn, &done[i], "krp_exiter");
		if (IS_ERR(t))
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		wait_for_completion(&done[i]);
	CHECK(started == n, "%d", started);
	CHECK(atomic_read(&n_entry) == n, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 0, "");
	krp_unregister_kretprobe(&rp_a);
	/* let the exited tasks be freed; that is where frames come back */
	msleep(100);
	rcu_barrier();
	kfree(done);
	return ret;
}
