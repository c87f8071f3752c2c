// SPDX-License-Identifier: GPL-2.0
/*
 * The return-probe API from a single task: return values of both
 * widths, entry data, recursion, several probes on one function, the
 * pool bound, batches, refused registrations, handlers that recurse,
 * entry handlers that decline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "krp_test_common.h"

static unsigned int depth = 200;
module_param(depth, uint, 0644);
MODULE_PARM_DESC(depth, "recursion depth of the recursion scenario");

/* retval: 32- and 64-bit return values, entry data, accessors */

static int retval64_entry(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	/* a u64 argument comes in edx:eax on i386 */
	u64 x = IS_ENABLED(CONFIG_X86_32) ?
		((u64)regs->dx << 32 | (u32)regs->ax) :
		regs_get_kernel_argument(regs, 0);

	*(u64 *)ri->data = x;
	return 0;
}

static int retval64_ret(struct krp_kretprobe_instance *ri,
			struct pt_regs *regs)
{
	u64 x = *(u64 *)ri->data;

	if (krp_regs_return_value64(regs) != ((x << 32) | (x + 7)))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

int scenario_retval(void)
{
	int i, ret = 0, err;
	u64 v;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", arg_entry, retval_ret, sizeof(long));
	rp_init(&rp_b, "krp_test_target64", retval64_entry, retval64_ret,
		sizeof(u64));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	err = krp_register_kretprobe(&rp_b);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	CHECK(rp_a.kp.addr == krp_test_entry(krp_test_target), "addr %pS",
	      rp_a.kp.addr);
	CHECK(rp_a.kp.flags & KRP_FLAG_FTRACE, "flags %x", rp_a.kp.flags);
	for (i = 0; i < 100; i++)
		CHECK(krp_test_target(i) == i * 3 + 1, "i=%d", i);
	CHECK(atomic_read(&n_entry) == 100, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 100, "%d", atomic_read(&n_ret));
	for (v = 1; v < (1ULL << 40); v <<= 7)
		CHECK(krp_test_target64(v) == ((v << 32) | (v + 7)), "%llu", v);
	CHECK(atomic_read(&n_ret) == 106, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	CHECK(krp_kretprobe_nmissed(&rp_a) == 0, "");
	krp_unregister_kretprobe(&rp_a);
	krp_unregister_kretprobe(&rp_b);
	CHECK(!rp_a.probe && !rp_b.probe, "");
	/* no handler after unregister */
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 106, "%d", atomic_read(&n_ret));
	return ret;
}

/*
 * retval_set: a return handler's new return value reaches the caller,
 * both halves of a u64 on i386, at an ftrace site alone (where only
 * the return value comes back from pt_regs) and shared with a second
 * probe (every register comes back).
 */
#define RETVAL_SET 0x123456789abcdef0ULL

static int retval_set_ret(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	/* on i386 the high half is in edx */
	regs->ax = (unsigned long)(RETVAL_SET & ULONG_MAX);
	if (IS_ENABLED(CONFIG_X86_32))
		regs->dx = upper_32_bits(RETVAL_SET);
	atomic_inc(&n_ret);
	return 0;
}

int scenario_retval_set(void)
{
	int ret = 0, err;
	u64 v;

	counters_reset();
	rp_init(&rp_a, "krp_test_target64", NULL, retval_set_ret, 0);
	rp_init(&rp_b, "krp_test_target64", NULL, count_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(rp_a.kp.flags & KRP_FLAG_FTRACE, "flags %x", rp_a.kp.flags);
	v = krp_test_target64(5);
	CHECK(v == RETVAL_SET, "alone: %llx", v);
	err = krp_register_kretprobe(&rp_b);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	/* rp_b's frame is newer: its handler runs first, rp_a's last */
	v = krp_test_target64(5);
	CHECK(v == RETVAL_SET, "shared: %llx", v);
	krp_unregister_kretprobe(&rp_b);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_ret) == 3, "%d returns", atomic_read(&n_ret));
	v = krp_test_target64(5);
	CHECK(v == ((5ULL << 32) | 12), "after unregister: %llx", v);
	return ret;
}

/* data: the largest data_size, kept intact between entry and return */

static int data_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	memset(ri->data, 0x5a, KRP_KRETPROBE_MAX_DATA_SIZE);
	return 0;
}

static int data_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (memchr_inv(ri->data, 0x5a, KRP_KRETPROBE_MAX_DATA_SIZE))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

int scenario_data(void)
{
	int ret = 0, err, i;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", data_entry, data_ret,
		KRP_KRETPROBE_MAX_DATA_SIZE);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	for (i = 0; i < 10; i++)
		krp_test_target(i);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_ret) == 10, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* recursion: every level's return, innermost first */

int scenario_recursion(void)
{
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_recurse", arg_entry, rec_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_recurse(depth) == depth, "");
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_entry) == depth + 1, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == depth + 1, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "%d", atomic_read(&n_bad));
	CHECK(rp_a.nmissed == 0, "%d", rp_a.nmissed);
	return ret;
}

/* multi: three probes on one function */

static unsigned long multi_ra[3];

static int multi_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct krp_kretprobe *rp = krp_get_kretprobe(ri);

	log_event(rp == &rp_a ? 1 : rp == &rp_b ? 2 : 3);
	return 0;
}

static int multi_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct krp_kretprobe *rp = krp_get_kretprobe(ri);
	int id = rp == &rp_a ? 1 : rp == &rp_b ? 2 : 3;

	log_event(10 + id);
	multi_ra[id - 1] = krp_get_kretprobe_retaddr(ri);
	if (regs_return_value(regs) != 22)
		atomic_inc(&n_bad);
	return 0;
}

int scenario_multi(void)
{
	static const int expect[] = { 1, 2, 3, 13, 12, 11 };
	struct krp_kretprobe *rps[] = { &rp_a, &rp_b, &rp_c };
	int ret = 0, err, i;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", multi_entry, multi_ret, 0);
	rp_init(&rp_b, "krp_test_target", multi_entry, multi_ret, 0);
	rp_init(&rp_c, "krp_test_target", multi_entry, multi_ret, 0);
	err = krp_register_kretprobes(rps, 3);
	if (err)
		return err;
	CHECK(krp_test_target(7) == 22, "");
	krp_unregister_kretprobes(rps, 3);
	CHECK(atomic_read(&krp_nlog) == ARRAY_SIZE(expect), "%d",
	      atomic_read(&krp_nlog));
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		CHECK(krp_log[i] == expect[i], "event %d is %d", i, krp_log[i]);
	for (i = 0; i < 3; i++) {
		CHECK(within_module(multi_ra[i], THIS_MODULE), "%pS",
		      (void *)multi_ra[i]);
		CHECK(multi_ra[i] == multi_ra[0], "");
	}
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/*
 * recursion_fresh: the same recursion in a task created after the probe
 * was registered, whose pool starts with its small first segment: the
 * deep frames go into segments taken on the hit path.
 */
static int fresh_result;

static int fresh_fn(void *arg)
{
	fresh_result = krp_test_recurse(depth);
	complete(arg);
	return 0;
}

int scenario_recursion_fresh(void)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct task_struct *t;
	int ret = 0, err;

	counters_reset();
	fresh_result = -1;
	rp_init(&rp_a, "krp_test_recurse", arg_entry, rec_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	t = kthread_run(fresh_fn, &done, "krp_fresh");
	if (IS_ERR(t)) {
		krp_unregister_kretprobe(&rp_a);
		return PTR_ERR(t);
	}
	wait_for_completion(&done);
	krp_unregister_kretprobe(&rp_a);
	CHECK(fresh_result == depth, "%d", fresh_result);
	CHECK(atomic_read(&n_entry) == depth + 1, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == depth + 1, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "%d", atomic_read(&n_bad));
	CHECK(rp_a.nmissed == 0, "%d", rp_a.nmissed);
	return ret;
}

/* depth: recursion past what a pool holds misses, never breaks */

int scenario_depth(void)
{
	unsigned int deep = 40;
	int ret = 0, err, missed;

	counters_reset();
	/* big frames reach the pool bound long before the stack's */
	rp_init(&rp_a, "krp_test_recurse", arg_entry, count_ret, 1024);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_recurse(deep) == deep, "wrong result");
	missed = krp_kretprobe_nmissed(&rp_a);
	krp_unregister_kretprobe(&rp_a);
	CHECK(missed > 0, "a %u-deep recursion fit the pool?", deep);
	CHECK(atomic_read(&n_entry) + missed == deep + 1, "%d + %d",
	      atomic_read(&n_entry), missed);
	CHECK(atomic_read(&n_ret) == atomic_read(&n_entry), "%d != %d",
	      atomic_read(&n_ret), atomic_read(&n_entry));
	pr_info("depth: %d probed, %d missed at the pool bound\n",
		atomic_read(&n_entry), missed);
	krp_test_report("nmissed", missed);
	return ret;
}

/* batch: a failure rolls back the ones registered before it */

int scenario_batch(void)
{
	struct krp_kretprobe *rps[] = { &rp_a, &rp_b, &rp_c };
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", arg_entry, retval_ret, sizeof(long));
	rp_init(&rp_b, "krp_test_target64", retval64_entry, retval64_ret,
		sizeof(u64));
	rp_init(&rp_c, "krp_test_no_such_function", NULL, retval_ret, 0);
	err = krp_register_kretprobes(rps, 3);
	CHECK(err == -ENOENT, "%d", err);
	CHECK(!rp_a.probe && !rp_b.probe && !rp_c.probe, "");
	krp_test_target(1);
	krp_test_target64(1);
	CHECK(atomic_read(&n_entry) == 0 && atomic_read(&n_ret) == 0,
	      "rolled-back probe fired");
	CHECK(krp_register_kretprobes(rps, 0) == -EINVAL, "");

	rp_init(&rp_a, "krp_test_target", arg_entry, retval_ret, sizeof(long));
	rp_init(&rp_b, "krp_test_target64", retval64_entry, retval64_ret,
		sizeof(u64));
	err = krp_register_kretprobes(rps, 2);
	CHECK(!err, "%d", err);
	if (err)
		return ret;
	krp_test_target(1);
	krp_test_target64(1);
	CHECK(atomic_read(&n_ret) == 2, "%d", atomic_read(&n_ret));
	krp_unregister_kretprobes(rps, 2);
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* badinput: each refused registration, with its errno */

static int expect_err(struct krp_kretprobe *rp, int want, const char *what)
{
	int err = krp_register_kretprobe(rp);

	if (err == want && !rp->probe)
		return 0;
	pr_err("badinput %s: got %d, want %d\n", what, err, want);
	if (!err)
		krp_unregister_kretprobe(rp);
	return -EINVAL;
}

int scenario_badinput(void)
{
	int ret = 0;

	rp_init(&rp_a, "krp_test_no_such_function", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -ENOENT, "unknown symbol");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	rp_a.kp.offset = 5;	/* past the ftrace call: a boundary, not entry */
	ret |= expect_err(&rp_a, -EINVAL, "not a function entry");

	rp_init(&rp_a, NULL, NULL, retval_ret, 0);
	rp_a.kp.addr = (krp_opcode_t *)krp_register_kretprobe;
	ret |= expect_err(&rp_a, -EINVAL, "krp's own code");

	rp_init(&rp_a, "krp_trampoline", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "krp's trampoline");

	rp_init(&rp_a, "krp_trampoline_handler", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "krp's hit path");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret,
		KRP_KRETPROBE_MAX_DATA_SIZE + 1);
	ret |= expect_err(&rp_a, -E2BIG, "data_size");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	rp_a.kp.addr = (krp_opcode_t *)krp_test_target;
	ret |= expect_err(&rp_a, -EINVAL, "both addr and symbol");

	rp_init(&rp_a, NULL, NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "neither addr nor symbol");

	/* flags other than DISABLED are krp's: ignored, as in the kernel */
	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	rp_a.kp.flags = KRP_FLAG_GONE | KRP_FLAG_DISABLED;
	if (krp_register_kretprobe(&rp_a) ||
	    rp_a.kp.flags != (KRP_FLAG_DISABLED | KRP_FLAG_FTRACE)) {
		pr_err("badinput flags: %x\n", rp_a.kp.flags);
		ret = -EINVAL;
	} else {
		/* unregister, clear addr, register again: as in the kernel */
		krp_unregister_kretprobe(&rp_a);
		rp_a.kp.addr = NULL;
		if (krp_register_kretprobe(&rp_a)) {
			pr_err("badinput: re-registration failed\n");
			ret = -EINVAL;
		} else {
			struct krp_kretprobe *twice[] = { &rp_a, &rp_a };

			/* the same probe twice in one batch: once is enough */
			krp_unregister_kretprobes(twice, 2);
			if (rp_a.probe || krp_enable_kretprobe(&rp_a) != -EINVAL)
				ret = -EINVAL;
		}
	}

	/* an int3 entry whose first instruction has an exception fixup */
	rp_init(&rp_a, "krp_test_fixup", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EOPNOTSUPP, "int3 entry not runnable");

	rp_init(&rp_a, "__switch_to", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "__switch_to");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	if (krp_register_kretprobe(&rp_a)) {
		ret = -EINVAL;
	} else {
		/* the second registration fails and leaves the first alone */
		if (krp_register_kretprobe(&rp_a) != -EBUSY || !rp_a.probe) {
			pr_err("badinput registered twice: not -EBUSY\n");
			ret = -EINVAL;
		}
		krp_unregister_kretprobe(&rp_a);
	}

	/* not registered: a warning in dmesg, nothing else */
	rp_init(&rp_b, "krp_test_target", NULL, retval_ret, 0);
	krp_unregister_kretprobe(&rp_b);
	return ret;
}

/* handler_recursion: a handler calling the probed function is a miss */

static int recurse_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_ret);
	if (krp_test_target(5) != 16)
		atomic_inc(&n_bad);
	return 0;
}

static int recurse_entry(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	if (krp_test_target(6) != 19)
		atomic_inc(&n_bad);
	return 0;
}

int scenario_handler_recursion(void)
{
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", NULL, recurse_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_target(1) == 4, "");
	CHECK(krp_test_target(2) == 7, "");
	CHECK(atomic_read(&n_ret) == 2, "%d", atomic_read(&n_ret));
	CHECK(krp_kretprobe_nmissed(&rp_a) == 2, "nmissed %d", rp_a.nmissed);
	CHECK(rp_a.kp.nmissed == 2, "kp.nmissed %lu", rp_a.kp.nmissed);
	krp_unregister_kretprobe(&rp_a);

	counters_reset();
	rp_init(&rp_a, "krp_test_target", recurse_entry, retval_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_target(1) == 4, "");
	/* the nested call is never probed; ftrace may drop it silently */
	CHECK(atomic_read(&n_entry) == 1, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 1, "%d", atomic_read(&n_ret));
	krp_unregister_kretprobe(&rp_a);
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* declined: an entry handler saying no means no return handler */

static int decline_entry(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	long x = regs_get_kernel_argument(regs, 0);

	*(long *)ri->data = x;
	atomic_inc(&n_entry);
	return x & 1;
}

/* only the calls not declined, in order: 0, 2, 4, ... */
static int decline_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = *(long *)ri->data;

	if (regs_return_value(regs) != x * 3 + 1 || (x & 1))
		atomic_inc(&n_bad);
	log_event(x);
	atomic_inc(&n_ret);
	return 0;
}

int scenario_declined(void)
{
	int ret = 0, err, i;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", decline_entry, decline_ret,
		sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	for (i = 0; i < 10; i++)
		CHECK(krp_test_target(i) == i * 3 + 1, "x=%d", i);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_entry) == 10, "%d entries", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 5, "%d returns", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	for (i = 0; i < 5 && i < atomic_read(&krp_nlog); i++)
		CHECK(krp_log[i] == 2 * i, "return %d was of x=%d", i,
		      krp_log[i]);
	/* a decline is not a miss, as in the kernel */
	CHECK(rp_a.nmissed == 0, "%d", rp_a.nmissed);
	krp_test_report("declined", atomic_read(&n_entry) - atomic_read(&n_ret));
	return ret;
}
