// SPDX-License-Identifier: GPL-2.0
/*
 * Stack traces through krp's trampoline: taken in a return handler, in
 * an entry handler, with an outer function probed too, and of a task
 * asleep inside two probed functions.  Each checks that the real
 * caller is where the kernel's own trace shows krp_trampoline, and what
 * the kernel's own trace shows beside it.
 *
 * The expected return addresses are read by the targets themselves, on
 * a first call before any probe is on them (afterwards their return
 * address slot holds krp's trampoline).  Each target is called from one
 * call site only, so there is one right answer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/stacktrace.h>
#include <linux/wait.h>

#include "krp_test_common.h"

/* noipa: not inlined, not cloned, and its callers make a real call */
#define ST_TARGET __attribute__((__noipa__))
#define ST_DEPTH 32

/* [0]: where krp_st_inner() returns, [1]: where krp_st_outer() does */
static unsigned long st_want[2];

static ST_TARGET int krp_st_inner(int x)
{
	if (!READ_ONCE(st_want[0]))
		WRITE_ONCE(st_want[0], (unsigned long)__builtin_return_address(0));
	return x * 2;
}

static ST_TARGET int krp_st_outer(int x)
{
	if (!READ_ONCE(st_want[1]))
		WRITE_ONCE(st_want[1], (unsigned long)__builtin_return_address(0));
	return krp_st_inner(x) + 1;
}

static ST_TARGET int st_drive(int x)
{
	return krp_st_outer(x) - 1;
}

/* What a handler saw: krp's trace, the kernel's, krp's from its regs. */
static unsigned long st_krp[ST_DEPTH], st_kern[ST_DEPTH], st_regs[ST_DEPTH];
static unsigned int st_nkrp, st_nkern, st_nregs;
static atomic_t st_snaps;

static noinline void st_snap(struct pt_regs *regs)
{
	st_nkrp = krp_stack_trace_save(st_krp, ST_DEPTH, 0);
	st_nkern = stack_trace_save(st_kern, ST_DEPTH, 0);
	st_nregs = regs ? krp_stack_trace_save_regs(regs, st_regs, ST_DEPTH, 0) : 0;
	atomic_inc(&st_snaps);
}

static int st_snap_handler(struct krp_kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	st_snap(regs);
	return 0;
}

static int st_snap_entry(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	st_snap(NULL);
	return 0;
}

static int st_find(const unsigned long *buf, unsigned int n,
		   unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (buf[i] == addr)
			return i;
	return -1;
}

static void st_dump(const char *what, const unsigned long *buf,
		    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		pr_info("%s[%u] %pS\n", what, i, (void *)buf[i]);
}

/*
 * krp's trace is the kernel's with krp_trampoline replaced: the same
 * entries from the first one on (the zeroth is each call's own return
 * address in st_snap()), for as long as the kernel's goes; ORC stops at
 * krp_trampoline, krp's trace goes on.  Returns how many the kernel's
 * trace had replaced.
 */
static int st_compare(int *ret)
{
	unsigned int i, n = min(st_nkrp, st_nkern);
	int replaced = 0;

	for (i = 1; i < n; i++) {
		if (krp_is_kretprobe_trampoline(st_kern[i])) {
			replaced++;
			continue;
		}
		if (st_krp[i] != st_kern[i]) {
			pr_err("%s: entry %u: krp %pS, kernel %pS\n", __func__, i,
			       (void *)st_krp[i], (void *)st_kern[i]);
			*ret = -EINVAL;
		}
	}
	return replaced;
}

/* Whether krp_trampoline itself is in @buf. */
static bool st_has_tramp(const unsigned long *buf, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (krp_is_kretprobe_trampoline(buf[i]))
			return true;
	return false;
}

static void st_reset(void)
{
	st_nkrp = 0;
	st_nkern = 0;
	st_nregs = 0;
	atomic_set(&st_snaps, 0);
}

/* Registers @rps (NULL ends it) and calls the targets once. */
static int st_run(struct krp_kretprobe **rps, int n)
{
	int err;

	st_drive(1);			/* learn the return addresses */
	if (!st_want[0] || !st_want[1])
		return -EINVAL;
	st_reset();
	err = krp_register_kretprobes(rps, n);
	if (err)
		return err;
	err = st_drive(3) == 6 ? 0 : -EINVAL;
	krp_unregister_kretprobes(rps, n);
	return err;
}

/*
 * st_return: one probe, on the inner function; the trace from its
 * return handler.  Also the kernel's own: the trampoline's frame leads
 * the unwinder to the real caller (i386: %ebp encodes its pt_regs;
 * x86_64: the slot holds the real address while handlers run).
 */
int scenario_st_return(void)
{
	static struct krp_kretprobe rp;
	struct krp_kretprobe *rps[] = { &rp };
	int ret = 0, err, i, k;

	rp_init(&rp, "krp_st_inner", NULL, st_snap_handler, 0);
	err = st_run(rps, ARRAY_SIZE(rps));
	if (err)
		return err;
	CHECK(atomic_read(&st_snaps) == 1, "%d", atomic_read(&st_snaps));
	i = st_find(st_krp, st_nkrp, st_want[0]);
	CHECK(i > 0 && i + 1 < st_nkrp && st_krp[i + 1] == st_want[1],
	      "krp: caller %pS at %d of %u", (void *)st_want[0], i, st_nkrp);
	CHECK(st_nregs >= 2 && st_regs[0] == st_want[0] &&
	      st_regs[1] == st_want[1], "regs: %pS %pS",
	      (void *)st_regs[0], (void *)st_regs[1]);
	k = st_find(st_kern, st_nkern, st_want[0]);
	CHECK(k == i, "kernel: caller at %d, krp at %d", k, i);
	CHECK(st_compare(&ret) == 0, "the kernel's trace had krp_trampoline");
	if (ret) {
		st_dump("krp", st_krp, st_nkrp);
		st_dump("kernel", st_kern, st_nkern);
	}
	return ret;
}

/*
 * st_nested: probes on the outer function and the inner one; from the
 * inner one's return handler, the outer one's return address is krp's
 * trampoline on the stack.
 */
int scenario_st_nested(void)
{
	static struct krp_kretprobe rp_out, rp_in;
	struct krp_kretprobe *rps[] = { &rp_out, &rp_in };
	int ret = 0, err, i, k;

	rp_init(&rp_out, "krp_st_outer", NULL, count_ret, 0);
	rp_init(&rp_in, "krp_st_inner", NULL, st_snap_handler, 0);
	err = st_run(rps, ARRAY_SIZE(rps));
	if (err)
		return err;
	CHECK(atomic_read(&st_snaps) == 1, "%d", atomic_read(&st_snaps));
	i = st_find(st_krp, st_nkrp, st_want[0]);
	CHECK(i > 0 && i + 1 < st_nkrp && st_krp[i + 1] == st_want[1],
	      "krp: caller %pS at %d of %u, then %pS", (void *)st_want[0], i,
	      st_nkrp, i >= 0 && i + 1 < st_nkrp ? (void *)st_krp[i + 1] : NULL);
	CHECK(!st_has_tramp(st_krp, st_nkrp), "krp's trace has krp_trampoline");
	CHECK(st_nregs >= 2 && st_regs[0] == st_want[0] &&
	      st_regs[1] == st_want[1], "regs: %pS %pS",
	      (void *)st_regs[0], (void *)st_regs[1]);
	/* the kernel's: the inner caller, then krp_trampoline for the outer */
	k = st_find(st_kern, st_nkern, st_want[0]);
	CHECK(k == i && k + 1 < st_nkern &&
	      krp_is_kretprobe_trampoline(st_kern[k + 1]),
	      "kernel: caller at %d, krp's at %d", k, i);
	CHECK(st_compare(&ret) == 1, "the kernel's trace had no krp_trampoline");
	if (ret) {
		st_dump("krp", st_krp, st_nkrp);
		st_dump("kernel", st_kern, st_nkern);
	}
	return ret;
}

/*
 * st_entry: the same two probes, the trace from the inner one's entry
 * handler.  Its own return address is still the real one; the outer
 * one's is krp's trampoline.
 */
int scenario_st_entry(void)
{
	static struct krp_kretprobe rp_out, rp_in;
	struct krp_kretprobe *rps[] = { &rp_out, &rp_in };
	int ret = 0, err, i, k;

	rp_init(&rp_out, "krp_st_outer", NULL, count_ret, 0);
	rp_init(&rp_in, "krp_st_inner", st_snap_entry, count_ret, 0);
	err = st_run(rps, ARRAY_SIZE(rps));
	if (err)
		return err;
	CHECK(atomic_read(&st_snaps) == 1, "%d", atomic_read(&st_snaps));
	i = st_find(st_krp, st_nkrp, st_want[1]);
	CHECK(i > 0, "krp: outer caller %pS not in %u entries",
	      (void *)st_want[1], st_nkrp);
	CHECK(!st_has_tramp(st_krp, st_nkrp), "krp's trace has krp_trampoline");
	/*
	 * i386's frame pointers lose the inner one's caller at its entry
	 * (the unwinder goes from ftrace's registers to the frame of the
	 * caller's caller), as they do for the kernel; ORC has it.
	 */
	k = st_find(st_krp, st_nkrp, st_want[0]);
	CHECK(k < 0 ? !IS_ENABLED(CONFIG_UNWINDER_ORC) : k + 1 == i,
	      "krp: inner caller at %d, outer at %d", k, i);
	CHECK(i > 0 && i < st_nkern && krp_is_kretprobe_trampoline(st_kern[i]),
	      "kernel: no krp_trampoline where krp has the outer caller");
	CHECK(st_compare(&ret) == 1, "the kernel's trace had no krp_trampoline");
	if (ret) {
		st_dump("krp", st_krp, st_nkrp);
		st_dump("kernel", st_kern, st_nkern);
	}
	return ret;
}

/*
 * st_sleep_arm, st_sleep_release: a task asleep inside two probed
 * functions.  Its trace (krp_stack_trace_save_tsk()) and
 * krp_kretprobe_find_ret_addr() for each of its two slots, innermost
 * first as unwinders ask; then it stays asleep, its pid in the report,
 * for the user side to read /proc/PID/stack, until st_sleep_release.
 */
static unsigned long sl_want[2];
static unsigned long *sl_slot[2];
static bool sl_released;
static DECLARE_WAIT_QUEUE_HEAD(sl_wq);
static struct task_struct *sl_task;
static int sl_result;
static struct krp_kretprobe sl_rp_out, sl_rp_in;

static ST_TARGET int krp_st_sleep_inner(int x)
{
	if (!READ_ONCE(sl_want[0]))
		WRITE_ONCE(sl_want[0], (unsigned long)__builtin_return_address(0));
	wait_event(sl_wq, READ_ONCE(sl_released));
	return x * 2;
}

static ST_TARGET int krp_st_sleep_outer(int x)
{
	if (!READ_ONCE(sl_want[1]))
		WRITE_ONCE(sl_want[1], (unsigned long)__builtin_return_address(0));
	return krp_st_sleep_inner(x) + 1;
}

static ST_TARGET int sl_call(int x)
{
	return krp_st_sleep_outer(x) - 1;
}

static int sl_fn(void *arg)
{
	WRITE_ONCE(sl_result, sl_call(5));
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 50);
	return 0;
}

static int sl_entry_in(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	WRITE_ONCE(sl_slot[0], ri->frame);
	return 0;
}

static int sl_entry_out(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	WRITE_ONCE(sl_slot[1], ri->frame);
	return 0;
}

static void sl_stop(void)
{
	WRITE_ONCE(sl_released, true);
	wake_up_all(&sl_wq);
	if (sl_task) {
		kthread_stop(sl_task);
		put_task_struct(sl_task);
		sl_task = NULL;
	}
	if (sl_rp_out.probe) {
		struct krp_kretprobe *rps[] = { &sl_rp_out, &sl_rp_in };

		krp_unregister_kretprobes(rps, ARRAY_SIZE(rps));
	}
}

int scenario_st_sleep_arm(void)
{
	struct krp_kretprobe *rps[] = { &sl_rp_out, &sl_rp_in };
	unsigned long buf[ST_DEPTH], ra;
	struct task_struct *tsk;
	int ret = 0, err, i, n;
	void *cur = NULL;

	if (sl_task)
		return -EBUSY;
	WRITE_ONCE(sl_released, true);
	sl_call(1);			/* learn the return addresses */
	WRITE_ONCE(sl_released, false);
	sl_slot[0] = NULL;
	sl_slot[1] = NULL;
	sl_result = 0;
	rp_init(&sl_rp_out, "krp_st_sleep_outer", sl_entry_out, count_ret, 0);
	rp_init(&sl_rp_in, "krp_st_sleep_inner", sl_entry_in, count_ret, 0);
	err = krp_register_kretprobes(rps, ARRAY_SIZE(rps));
	if (err)
		return err;
	tsk = kthread_run(sl_fn, NULL, "krp_st_sleeper");
	if (IS_ERR(tsk)) {
		sl_stop();
		return PTR_ERR(tsk);
	}
	get_task_struct(tsk);
	sl_task = tsk;
	for (i = 0; i < 500 && !READ_ONCE(sl_slot[0]); i++)
		msleep(20);
	for (i = 0; i < 500 && (task_is_running(tsk) || READ_ONCE(tsk->on_cpu)); i++)
		msleep(20);
	CHECK(sl_slot[0] && sl_slot[1], "the task is not inside both");
	CHECK(!task_is_running(tsk), "the task does not sleep");
	if (ret) {
		sl_stop();
		return ret;
	}
	/* the kernel's view of both slots: krp's trampoline */
	CHECK(krp_is_kretprobe_trampoline(*sl_slot[0]) &&
	      krp_is_kretprobe_trampoline(*sl_slot[1]), "slots hold %pS %pS",
	      (void *)*sl_slot[0], (void *)*sl_slot[1]);

	n = krp_stack_trace_save_tsk(tsk, buf, ST_DEPTH, 0);
	i = st_find(buf, n, sl_want[0]);
	CHECK(i >= 0 && i + 1 < n && buf[i + 1] == sl_want[1],
	      "trace: inner caller %pS at %d of %d", (void *)sl_want[0], i, n);
	CHECK(!st_has_tramp(buf, n), "trace has krp_trampoline");
	if (ret)
		st_dump("tsk", buf, n);

	ra = krp_kretprobe_find_ret_addr(tsk, sl_slot[0], &cur);
	CHECK(ra == sl_want[0], "inner slot: %pS, want %pS", (void *)ra,
	      (void *)sl_want[0]);
	ra = krp_kretprobe_find_ret_addr(tsk, sl_slot[1], &cur);
	CHECK(ra == sl_want[1], "outer slot after inner: %pS, want %pS",
	      (void *)ra, (void *)sl_want[1]);
	CHECK(!krp_kretprobe_find_ret_addr(tsk, sl_slot[0], &cur),
	      "the inner slot again, below the outer one");
	cur = NULL;
	ra = krp_kretprobe_find_ret_addr(tsk, sl_slot[1], &cur);
	CHECK(ra == sl_want[1], "outer slot alone: %pS", (void *)ra);
	cur = NULL;
	CHECK(!krp_kretprobe_find_ret_addr(tsk, sl_slot[0] - 1, &cur),
	      "a slot without a frame");

	/* current's own trace through the same call */
	n = krp_stack_trace_save_tsk(current, buf, ST_DEPTH, 0);
	CHECK(n > 0 && within_module(buf[0], THIS_MODULE),
	      "current: first entry %pS", n > 0 ? (void *)buf[0] : NULL);

	krp_test_report("pid", task_pid_nr(tsk));
	if (ret)
		sl_stop();
	return ret;
}

int scenario_st_sleep_release(void)
{
	int ret = 0;

	if (!sl_task)
		return -ENOENT;
	WRITE_ONCE(sl_released, true);
	wake_up_all(&sl_wq);
	sl_stop();
	CHECK(sl_result == 10, "the sleeper got %d", sl_result);
	return ret;
}

void krp_test_stacktrace_exit(void)
{
	sl_stop();
}
