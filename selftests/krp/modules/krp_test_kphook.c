// SPDX-License-Identifier: GPL-2.0
/*
 * i386 only: the kprobe hook, krp's entry at an ftrace site where the
 * arch has no direct call.  A return probe on krp_test_kphook_fn is
 * entered through a kernel kprobe of krp's; the kernel's own kprobes
 * share the function with it, and one of them calls the function from
 * its handler, where the kernel drops the hit and krp must count it.
 * The user side (krp_kphook.c) reads krp/list for [KPROBE] or
 * [FTRACE] and the kernel's kprobes/list for krp's kprobe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>

#include "krp_test_common.h"

#define KH_CALLS	10

static noinline __attribute__((__noipa__)) int krp_test_kphook_fn(int x)
{
	barrier();
	return x + 1;
}

static noinline __attribute__((__noipa__)) int krp_test_kphook_outer(int x)
{
	barrier();
	return x + 2;
}

/* the lean probe: a return handler alone */
static atomic_t kh_returns;

static int kh_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&kh_returns);
	return 0;
}

static struct krp_kretprobe kh_rp = {
	.kp.symbol_name = "krp_test_kphook_fn",
	.handler = kh_ret,
};
static bool kh_armed;

/* one with an entry handler: the path with pt_regs */
static atomic_t kh_full_returns;

static int kh_full_entry(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	/* regparm(3): the first argument is in %eax */
	*(unsigned long *)ri->data = regs->ax;
	return 0;
}

static int kh_full_ret(struct krp_kretprobe_instance *ri,
		       struct pt_regs *regs)
{
	unsigned long *arg = (unsigned long *)ri->data;

	if (regs_return_value(regs) == *arg + 1)
		atomic_inc(&kh_full_returns);
	return 0;
}

static struct krp_kretprobe kh_full_rp = {
	.kp.symbol_name = "krp_test_kphook_fn",
	.entry_handler = kh_full_entry,
	.handler = kh_full_ret,
	.data_size = sizeof(unsigned long),
};

/* the kernel's own kprobes: one on the function, one that calls it */
static atomic_t kh_kp_hits;

static int kh_kp_pre(struct kprobe *kp, struct pt_regs *regs)
{
	atomic_inc(&kh_kp_hits);
	return 0;
}

static int kh_outer_pre(struct kprobe *kp, struct pt_regs *regs)
{
	krp_test_kphook_fn(1);
	return 0;
}

/* Register @rp again by name, as a client reusing it would. */
static int kh_register(struct krp_kretprobe *rp)
{
	rp->kp.addr = NULL;
	rp->kp.flags = 0;
	return krp_register_kretprobe(rp);
}

/* A return probe on krp_test_kphook_fn, left armed. */
int scenario_kphook_arm(void)
{
	int ret;

	if (kh_armed)
		return -EALREADY;
	ret = kh_register(&kh_rp);
	if (!ret)
		kh_armed = true;
	return ret;
}

/* one more at the outer function: two hooks that go together */
static struct krp_kretprobe kh_outer_rp = {
	.kp.symbol_name = "krp_test_kphook_outer",
	.handler = kh_ret,
};
static bool kh_outer_armed;

int scenario_kphook_outer_arm(void)
{
	int ret;

	if (!kh_armed)
		return -ENOENT;
	if (kh_outer_armed)
		return -EALREADY;
	ret = kh_register(&kh_outer_rp);
	if (!ret)
		kh_outer_armed = true;
	return ret;
}

/* Disarm the probe, and the outer one in the same call. */
int scenario_kphook_disarm(void)
{
	struct krp_kretprobe *rps[] = { &kh_rp, &kh_outer_rp };

	if (!kh_armed)
		return -ENOENT;
	krp_unregister_kretprobes(rps, kh_outer_armed ? 2 : 1);
	kh_armed = false;
	kh_outer_armed = false;
	return 0;
}

/* KH_CALLS calls of @fn: each return seen once, none missed. */
static int kh_calls(int (*fn)(int))
{
	int i, ret = 0;

	atomic_set(&kh_returns, 0);
	for (i = 0; i < KH_CALLS; i++)
		fn(i);
	CHECK(atomic_read(&kh_returns) == KH_CALLS, "%d returns of %d calls",
	      atomic_read(&kh_returns), KH_CALLS);
	CHECK(!krp_kretprobe_nmissed(&kh_rp), "%d missed",
	      krp_kretprobe_nmissed(&kh_rp));
	return ret;
}

int scenario_kphook_calls(void)
{
	if (!kh_armed)
		return -ENOENT;
	return kh_calls(krp_test_kphook_fn);
}

/* A second probe, with an entry handler: both see every return. */
int scenario_kphook_full(void)
{
	int ret;

	if (!kh_armed)
		return -ENOENT;
	ret = kh_register(&kh_full_rp);
	if (ret)
		return ret;
	atomic_set(&kh_full_returns, 0);
	ret = kh_calls(krp_test_kphook_fn);
	CHECK(atomic_read(&kh_full_returns) == KH_CALLS,
	      "%d returns with the entry's argument of %d calls",
	      atomic_read(&kh_full_returns), KH_CALLS);
	CHECK(!krp_kretprobe_nmissed(&kh_full_rp), "%d missed",
	      krp_kretprobe_nmissed(&kh_full_rp));
	krp_unregister_kretprobe(&kh_full_rp);
	return ret;
}

/*
 * The probe with an entry handler alone on the function, left armed:
 * its site takes the kprobe hook's general path from the first hit.
 */
static bool kh_full_armed;

int scenario_kphook_regs_arm(void)
{
	int ret;

	if (kh_armed || kh_full_armed)
		return -EALREADY;
	ret = kh_register(&kh_full_rp);
	if (!ret)
		kh_full_armed = true;
	return ret;
}

/* KH_CALLS calls: every return seen with its argument; then disarmed. */
int scenario_kphook_regs_disarm(void)
{
	int i, ret = 0;

	if (!kh_full_armed)
		return -ENOENT;
	atomic_set(&kh_full_returns, 0);
	for (i = 0; i < KH_CALLS; i++)
		krp_test_kphook_fn(i);
	CHECK(atomic_read(&kh_full_returns) == KH_CALLS,
	      "%d returns with the entry's argument of %d calls",
	      atomic_read(&kh_full_returns), KH_CALLS);
	krp_unregister_kretprobe(&kh_full_rp);
	kh_full_armed = false;
	return ret;
}

/* A kernel kprobe on the same function: each sees every call. */
int scenario_kphook_shared(void)
{
	struct kprobe kp = {
		.symbol_name = "krp_test_kphook_fn",
		.pre_handler = kh_kp_pre,
	};
	int ret;

	if (!kh_armed)
		return -ENOENT;
	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	atomic_set(&kh_kp_hits, 0);
	ret = kh_calls(krp_test_kphook_fn);
	CHECK(atomic_read(&kh_kp_hits) == KH_CALLS, "kprobe: %d hits of %d",
	      atomic_read(&kh_kp_hits), KH_CALLS);
	unregister_kprobe(&kp);
	return ret;
}

/*
 * krp_test_kphook_fn called KH_CALLS times from a kernel kprobe's
 * handler.  @dropped: krp enters through its kprobe hook, which the
 * kernel does not run inside another kprobe's handler: each call is a
 * miss, counted; else every return is seen.
 */
static int kh_nested(bool dropped)
{
	struct kprobe kp = {
		.symbol_name = "krp_test_kphook_outer",
		.pre_handler = kh_outer_pre,
	};
	int i, missed, ret;

	if (!kh_armed)
		return -ENOENT;
	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	missed = krp_kretprobe_nmissed(&kh_rp);
	atomic_set(&kh_returns, 0);
	for (i = 0; i < KH_CALLS; i++)
		krp_test_kphook_outer(i);
	unregister_kprobe(&kp);
	missed = krp_kretprobe_nmissed(&kh_rp) - missed;
	CHECK(atomic_read(&kh_returns) == (dropped ? 0 : KH_CALLS),
	      "%d returns of %d calls", atomic_read(&kh_returns), KH_CALLS);
	CHECK(missed == (dropped ? KH_CALLS : 0), "%d missed of %d calls",
	      missed, KH_CALLS);
	return ret;
}

int scenario_kphook_nested_dropped(void)
{
	return kh_nested(true);
}

int scenario_kphook_nested_seen(void)
{
	return kh_nested(false);
}

void krp_test_kphook_exit(void)
{
	scenario_kphook_disarm();
	if (kh_full_armed)
		krp_unregister_kretprobe(&kh_full_rp);
}
