// SPDX-License-Identifier: GPL-2.0
/*
 * The functions krp_test.ko probes: C ones whose entry ftrace hooks and
 * notrace ones entered through an int3.  The hand-written ones, which
 * put each class of instruction where the scenarios know it is, are in
 * krp_test_targets_32.S and krp_test_targets_64.S.
 */
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "krp_test_targets.h"

/* noipa: no inlining, no cloning, no assumptions across calls */
#define TARGET __attribute__((__noipa__))

TARGET int krp_test_target(int x)
{
	return x * 3 + 1;
}

TARGET u64 krp_test_target64(u64 x)
{
	return (x << 32) | (x + 7);
}

/*
 * A real recursion, a frame per level: hidden from the compiler, which
 * would turn "f(n - 1) + 1" into a loop (gcc does on x86_64).
 */
TARGET int krp_test_recurse(int n)
{
	int r;

	if (n <= 0)
		return 0;
	r = krp_test_recurse(n - 1);
	OPTIMIZER_HIDE_VAR(r);
	return r + 1;
}

static DECLARE_WAIT_QUEUE_HEAD(krp_test_wq);
static bool krp_test_released;

TARGET int krp_test_sleep(int id)
{
	wait_event(krp_test_wq, READ_ONCE(krp_test_released));
	return id * 2 + 1;
}

/* Callers of krp_test_sleep() from now on sleep until krp_test_wake(). */
void krp_test_sleep_arm(void)
{
	WRITE_ONCE(krp_test_released, false);
}

void krp_test_wake(void)
{
	WRITE_ONCE(krp_test_released, true);
	wake_up_all(&krp_test_wq);
}

TARGET void krp_test_noreturn(struct completion *done)
{
	kthread_complete_and_exit(done, 0);
}

notrace TARGET int krp_test_notrace(int x)
{
	return x + 1;
}

TARGET int krp_test_notrace_call(int x)
{
	return krp_test_notrace(x);
}

/*
 * notrace, and not leaves: they start by pushing the frame pointer.
 * On x86_64, where the kernel has no frame pointers, the compiler would
 * start krp_test_int3_fn with its call; it is written by hand there
 * (krp_test_targets_64.S) with the frame the scenarios expect.
 */
#ifdef CONFIG_X86_32
notrace TARGET int krp_test_int3_fn(int x)
{
	return krp_test_target(x) + 1;
}
#endif

DEFINE_STATIC_KEY_FALSE(krp_test_key);

/*
 * Its static branch is a 5-byte nop the kernel patches: not krp's.  It
 * comes after a call, so that it is not at the function's start.
 */
notrace TARGET int krp_test_jl_fn(int x)
{
	x = krp_test_target(x);
	if (static_branch_unlikely(&krp_test_key))
		x++;
	return x;
}

/* the key of krp_test_jl_fn and of krp_test_jump_jl (the .S files) */
void krp_test_key_set(bool on)
{
	if (on)
		static_branch_enable(&krp_test_key);
	else
		static_branch_disable(&krp_test_key);
}

/*
 * A real recursion too, as krp_test_recurse(); by hand on x86_64
 * (krp_test_targets_64.S), where the compiler ends it with a return
 * thunk the kernel rewrites at load.
 */
#ifdef CONFIG_X86_32
notrace TARGET int krp_test_int3_rec(int n)
{
	int r;

	if (n <= 0)
		return 0;
	r = krp_test_int3_rec(n - 1);
	OPTIMIZER_HIDE_VAR(r);
	return r + 1;
}
#endif

/* its first instruction reads through a pointer: out of line only with the exception tables */
notrace TARGET int krp_test_deref(int *p)
{
	return *p + 1;
}

/* what krp_test_ptr does to @b, in C */
int krp_test_ptr_ref(int *b)
{
	b[2] = b[0] + b[1] + 1;
	memcpy(&b[8], &b[3], 4 * sizeof(*b));
	b[12] = 7;
	b[13] = 7;
	b[14] = 7;
	return b[8] + b[11] + b[2];
}

/*
 * Read by the hand-written targets (krp_test_targets_32.S, _64.S): a
 * global load and a per-CPU load.
 */
int krp_test_ool_bias = 1000;
DEFINE_PER_CPU(int, krp_test_pcpu);

/* What krp_test_ool(x) returns, computed in C. */
int krp_test_ool_ref(int x)
{
	int r = 19 * x + 55;

	return r + (r > 100) + krp_test_ool_bias + this_cpu_read(krp_test_pcpu);
}
