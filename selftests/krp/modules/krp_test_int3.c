// SPDX-License-Identifier: GPL-2.0
/*
 * Return probes entered through an int3: functions ftrace cannot hook.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/ptrace.h>

#include "krp_test_common.h"

/*
 * int3: functions ftrace cannot hook are entered through an int3 over
 * their first instruction, which is emulated.
 */

/*
 * Arm/disarm cycles under load.  Each one costs an int3 arm and disarm
 * on every CPU and a grace period, while the workers trap through the
 * site; 60 cover the races (each cycle is a fresh site, slot and guard
 * set) in a fifth of the boot time 200 took under TCG.
 */
#define INT3_CYCLES	60

static int int3_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = *(long *)ri->data;

	if (regs_return_value(regs) != x * 3 + 2 ||
	    !within_module(krp_get_kretprobe_retaddr(ri), THIS_MODULE))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* the return handlers of the stress part: see track_entry() */
static int int3_track_ret(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	if (regs_return_value(regs) != track_return(ri) * 3 + 2 ||
	    !within_module(krp_get_kretprobe_retaddr(ri), THIS_MODULE))
		atomic_inc(&n_bad);
	return 0;
}

static int int3_rec_track_ret(struct krp_kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	if (regs_return_value(regs) != track_return(ri))
		atomic_inc(&n_bad);
	return 0;
}

static int int3_stress_fn(void *arg)
{
	int i = 0, me = track_caller();

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_int3_fn(i) != i * 3 + 2)
			atomic_inc(&stress_bad);
		track_settle(me);
		if (krp_test_int3_rec(5) != 5)
			atomic_inc(&stress_bad);
		track_settle(me);
		/*
		 * Sleep now and then: a task that is only ever preempted
		 * holds up RCU-tasks, which krp's reaper waits for while
		 * holding what unregister needs (see ool_stress_fn()).
		 */
		if (!(++i & 63))
			usleep_range(10, 20);
	}
	return 0;
}

int scenario_int3(void)
{
	struct task_struct *workers[WORKERS_MAX];
	u8 *text = (u8 *)krp_test_int3_fn, first;
	unsigned int c, nw;
	int ret = 0, err, i, me;

	/*
	 * Through a register: a load straight from the function's text
	 * would be a relocation into it, which objtool flags on IBT kernels.
	 */
	OPTIMIZER_HIDE_VAR(text);
	err = krp_test_need_int3();
	if (err)
		return err;
	first = *text;
	counters_reset();
	CHECK(first == 0x55, "krp_test_int3_fn starts with %02x", first);
	rp_init(&rp_a, "krp_test_int3_fn", arg_entry, int3_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(!(rp_a.kp.flags & KRP_FLAG_FTRACE), "flags %x", rp_a.kp.flags);
	CHECK(*text == 0xcc, "no int3 in place");
	for (i = 0; i < 100; i++)
		CHECK(krp_test_int3_fn(i) == i * 3 + 2, "i=%d", i);
	CHECK(atomic_read(&n_entry) == 100 && atomic_read(&n_ret) == 100,
	      "%d entries %d returns", atomic_read(&n_entry),
	      atomic_read(&n_ret));

	/* disabled: the original byte is back */
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	CHECK(*text == first, "int3 left while disabled");
	krp_test_int3_fn(1);
	CHECK(atomic_read(&n_ret) == 100, "disabled probe fired");
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	krp_test_int3_fn(1);
	CHECK(atomic_read(&n_ret) == 101, "");
	krp_unregister_kretprobe(&rp_a);
	CHECK(*text == first, "int3 left after unregister");
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));

	/* recursion through an emulated entry */
	counters_reset();
	rp_init(&rp_b, "krp_test_int3_rec", arg_entry, rec_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_b);
	if (err)
		return err;
	CHECK(krp_test_int3_rec(50) == 50, "");
	krp_unregister_kretprobe(&rp_b);
	CHECK(atomic_read(&n_ret) == 51 && !atomic_read(&n_bad), "%d returns",
	      atomic_read(&n_ret));

	/* arm and disarm while every CPU runs through the patched bytes */
	track_reset();
	me = track_caller();
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(int3_stress_fn, "krp_int3/%u", workers);
	for (c = 0; c < INT3_CYCLES && !ret; c++) {
		struct krp_kretprobe *pair[] = { &rp_a, &rp_b };

		rp_init(&rp_a, "krp_test_int3_fn", track_entry, int3_track_ret,
			sizeof(struct track_data));
		rp_init(&rp_b, "krp_test_int3_rec", track_entry,
			int3_rec_track_ret, sizeof(struct track_data));
		track_arm();
		err = krp_register_kretprobes(pair, 2);
		CHECK(!err, "cycle %u: %d", c, err);
		if (err)
			break;
		/* see scenario_stress() */
		CHECK(krp_test_int3_fn(c) == c * 3 + 2, "");
		track_settle(me);
		usleep_range(200, 400);
		krp_unregister_kretprobes(pair, 2);
		track_disarmed();
	}
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	CHECK(atomic_read(&n_ret) >= c, "%d returns in %u cycles",
	      atomic_read(&n_ret), c);
	/* at each unregister, at most a 6-deep recursion per worker */
	CHECK(atomic_read(&n_abandoned) <= c * nw * 6, "%d abandoned in %u cycles",
	      atomic_read(&n_abandoned), c);
	if (track_check("int3"))
		ret = -EINVAL;
	pr_info("int3: %u cycles, %d returns handled\n", c, atomic_read(&n_ret));
	return ret;
}
