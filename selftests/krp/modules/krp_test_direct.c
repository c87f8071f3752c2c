// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 only: the direct-call entry and the other users of a function's
 * direct slot.  This module holds the slot of krp_test_direct_fn with
 * a direct call of its own (krp_test_direct_64.S, which counts its
 * calls) when told to; the user side arms a krp return probe there
 * before and after, and reads krp/list for [DIRECT] or [FTRACE].
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/string.h>

#include "krp_test_common.h"

#define DT_CALLS	10

/* bumped by krp_test_direct_tramp(), the direct call of ours */
int krp_test_direct_hits;

static struct ftrace_ops dt_ops;
static bool dt_held;
static atomic_t dt_returns;

static noinline __attribute__((__noipa__)) int krp_test_direct_fn(int x)
{
	barrier();
	return x + 1;
}

static int dt_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long *arg = (unsigned long *)ri->data;

	if (regs_return_value(regs) == (unsigned int)(*arg + 1))
		atomic_inc(&dt_returns);
	return 0;
}

static int dt_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	*(unsigned long *)ri->data = regs->di;
	return 0;
}

static struct krp_kretprobe dt_rp = {
	.kp.symbol_name = "krp_test_direct_fn",
	.entry_handler = dt_entry,
	.handler = dt_ret,
	.data_size = sizeof(unsigned long),
};
static bool dt_armed;

#ifdef KRP_FTRACE_DIRECT_MULTI
#define dt_register(ops, addr)		register_ftrace_direct_multi(ops, addr)
#define dt_unregister(ops, addr)	unregister_ftrace_direct_multi(ops, addr)
#else
#define dt_register(ops, addr)		register_ftrace_direct(ops, addr)
#define dt_unregister(ops, addr)	unregister_ftrace_direct(ops, addr, false)
#endif

/*
 * ftrace_free_filter() frees the ops' hashes but leaves the pointers:
 * an ops used again must start from nothing.
 */
static void dt_reset(void)
{
	ftrace_free_filter(&dt_ops);
	memset(&dt_ops, 0, sizeof(dt_ops));
}

/* Take krp_test_direct_fn's direct slot: 0, or ftrace's -EBUSY. */
int scenario_direct_hold(void)
{
	unsigned long fn = krp_test_text(krp_test_direct_fn);
	unsigned long tramp = krp_test_text(krp_test_direct_tramp);
	int ret;

	if (dt_held)
		return -EALREADY;
	ret = ftrace_set_filter_ip(&dt_ops, fn, 0, 1);
	if (ret)
		return ret;
	ret = dt_register(&dt_ops, tramp);
	if (ret) {
		dt_reset();
		return ret;
	}
	dt_held = true;
	return 0;
}

int scenario_direct_release(void)
{
	int ret;

	if (!dt_held)
		return -ENOENT;
	ret = dt_unregister(&dt_ops, krp_test_text(krp_test_direct_tramp));
	dt_reset();
	dt_held = false;
	return ret;
}

/* A return probe on krp_test_direct_fn, left armed. */
int scenario_direct_arm(void)
{
	int ret;

	if (dt_armed)
		return -EALREADY;
	/* registered before: by name again, as a client reusing it would */
	dt_rp.kp.addr = NULL;
	dt_rp.kp.flags = 0;
	ret = krp_register_kretprobe(&dt_rp);
	if (!ret)
		dt_armed = true;
	return ret;
}

int scenario_direct_disarm(void)
{
	if (!dt_armed)
		return -ENOENT;
	krp_unregister_kretprobe(&dt_rp);
	dt_armed = false;
	return 0;
}

/*
 * DT_CALLS calls: krp sees each return once, with the argument its
 * entry handler saw, and our direct call, if held, each entry once.
 */
int scenario_direct_calls(void)
{
	int hits = READ_ONCE(krp_test_direct_hits), i, ret = 0;

	if (!dt_armed)
		return -ENOENT;
	atomic_set(&dt_returns, 0);
	for (i = 0; i < DT_CALLS; i++)
		krp_test_direct_fn(i);
	CHECK(atomic_read(&dt_returns) == DT_CALLS, "%d returns of %d calls",
	      atomic_read(&dt_returns), DT_CALLS);
	hits = READ_ONCE(krp_test_direct_hits) - hits;
	CHECK(hits == (dt_held ? DT_CALLS : 0),
	      "our direct call ran %d times in %d calls, held %d", hits,
	      DT_CALLS, dt_held);
	CHECK(!krp_kretprobe_nmissed(&dt_rp), "%d missed",
	      krp_kretprobe_nmissed(&dt_rp));
	return ret;
}

/* The lean probe: no entry handler, so its hits need no pt_regs. */
static unsigned long dl_arg;
static atomic_t dl_returns;

static int dl_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) == (unsigned int)(READ_ONCE(dl_arg) + 1))
		atomic_inc(&dl_returns);
	return 0;
}

static struct krp_kretprobe dl_rp = {
	.kp.symbol_name = "krp_test_direct_fn",
	.handler = dl_ret,
};

/* DT_CALLS calls: @lean, and dt_rp if armed, see every return right. */
static int dl_calls(const char *when)
{
	int i, ret = 0;

	atomic_set(&dl_returns, 0);
	atomic_set(&dt_returns, 0);
	for (i = 0; i < DT_CALLS; i++) {
		WRITE_ONCE(dl_arg, i);
		krp_test_direct_fn(i);
	}
	CHECK(atomic_read(&dl_returns) == DT_CALLS,
	      "%s: %d returns of %d calls on the lean probe", when,
	      atomic_read(&dl_returns), DT_CALLS);
	CHECK(atomic_read(&dt_returns) == (dt_armed ? DT_CALLS : 0),
	      "%s: %d returns of %d calls with an entry handler", when,
	      atomic_read(&dt_returns), DT_CALLS);
	return ret;
}

/*
 * direct_lean: a return probe without entry handler on
 * krp_test_direct_fn, then one with an entry handler that reads
 * regs->di on the same function, then without it again: the entry
 * switches from the lean path to the one with registers and back, and
 * each probe sees every return with the right value.
 */
int scenario_direct_lean(void)
{
	int ret, err = 0;

	if (dt_armed)
		return -EALREADY;
	dl_rp.kp.addr = NULL;
	dl_rp.kp.flags = 0;
	ret = krp_register_kretprobe(&dl_rp);
	if (ret)
		return ret;
	ret = dl_calls("lean only");
	if (!ret)
		ret = scenario_direct_arm();
	if (!ret)
		ret = dl_calls("with an entry handler");
	err = scenario_direct_disarm();
	if (!ret)
		ret = err ?: dl_calls("lean again");
	CHECK(!krp_kretprobe_nmissed(&dl_rp), "%d missed",
	      krp_kretprobe_nmissed(&dl_rp));
	krp_unregister_kretprobe(&dl_rp);
	return ret;
}

void krp_test_direct_exit(void)
{
	scenario_direct_disarm();
	scenario_direct_release();
}
