// SPDX-License-Identifier: GPL-2.0
/*
 * The reliability family: each scenario reproduces one defect found in
 * review (issue 12) and fails while the defect is there.
 *
 * Some need the user-space side (selftests/krp/krp_reliab.c) between
 * two steps, a CPU taken offline or a module unloaded: those come as an
 * _arm and a _check or _disarm scenario.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/context_tracking.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "krp_test_common.h"

#define TARGET __attribute__((__noipa__))

/* where krp_rel_opt (krp_test_targets_32.S, _64.S) has its 3-byte lea */
#define KRP_REL_OPT_LEA	3

/* where krp_target.ko's krp_target_lea has its 3-byte lea */
#define KRP_TARGET_LEA_OFFSET	3

/* traceable: an ftrace entry */
static TARGET int rel_target(int x)
{
	return x * 3 + 1;
}

static TARGET int rel_leaf(int x)
{
	return x + 1;
}

/* notrace, and not leaves: an int3 entry on their push of %ebp */
static notrace TARGET int rel_int3_fn(int x)
{
	return rel_leaf(x) + 1;
}

static notrace TARGET int rel_idle_fn(int x)
{
	return rel_leaf(x) + 2;
}

static DECLARE_WAIT_QUEUE_HEAD(rel_wq);
static bool rel_released;

static TARGET int rel_sleep(int x)
{
	wait_event(rel_wq, READ_ONCE(rel_released));
	return x + 1;
}

static atomic_t n_pre, n_post;

static void rel_counters_reset(void)
{
	counters_reset();
	atomic_set(&n_pre, 0);
	atomic_set(&n_post, 0);
}

static int count_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_entry);
	return 0;
}

static int count_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	atomic_inc(&n_pre);
	return 0;
}

static void count_post(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	atomic_inc(&n_post);
}

/*
 * ctx_handlers (2): a return handler, run at process level, calls a
 * notrace function with an int3 kretprobe and an int3 kprobe.  The trap
 * adds the NMI offset to preempt_count(); the level krp checks must be
 * the interrupted one, or the inner probes run inside a handler and
 * their returns are then dropped: entry handlers without returns.
 */
#define CTX_CALLS	1000

static int outer_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (rel_int3_fn(1) != 3)
		atomic_inc(&n_bad);
	return 0;
}

int scenario_ctx_handlers(void)
{
	static struct krp_kretprobe outer, inner;
	static struct krp_kprobe kp;
	int ret = 0, err, i, missed;

	err = krp_test_need_int3();
	if (err)
		return err;

	rel_counters_reset();
	rp_init(&outer, "rel_target", NULL, outer_ret, 0);
	rp_init(&inner, "rel_int3_fn", count_entry, count_ret, 0);
	memset(&kp, 0, sizeof(kp));
	kp.symbol_name = "rel_int3_fn";
	kp.pre_handler = count_pre;
	err = krp_register_kretprobe(&inner);
	if (err)
		return err;
	err = krp_register_kprobe(&kp);
	if (err)
		goto out_inner;
	err = krp_register_kretprobe(&outer);
	if (err)
		goto out_kp;
	CHECK(inner.kp.flags == 0, "rel_int3_fn is not an int3 entry: %x",
	      inner.kp.flags);
	CHECK(outer.kp.flags == KRP_FLAG_FTRACE, "rel_target: %x",
	      outer.kp.flags);
	/* outside handlers the inner probes work */
	CHECK(rel_int3_fn(2) == 4, "");
	CHECK(atomic_read(&n_entry) == 1 && atomic_read(&n_ret) == 1 &&
	      atomic_read(&n_pre) == 1, "direct call: %d entries %d returns %d pre",
	      atomic_read(&n_entry), atomic_read(&n_ret), atomic_read(&n_pre));
	rel_counters_reset();
	for (i = 0; i < CTX_CALLS; i++)
		if (rel_target(i) != 3 * i + 1)
			atomic_inc(&n_bad);
	krp_unregister_kretprobe(&outer);
	missed = krp_kretprobe_nmissed(&inner);
	CHECK(atomic_read(&n_entry) == atomic_read(&n_ret),
	      "%d entry-handler calls, %d return-handler calls, nmissed %d",
	      atomic_read(&n_entry), atomic_read(&n_ret), missed);
	CHECK(!atomic_read(&n_entry) && missed == CTX_CALLS,
	      "inside a handler: %d entries, nmissed %d, want 0 and %d",
	      atomic_read(&n_entry), missed, CTX_CALLS);
	CHECK(!atomic_read(&n_pre) && kp.nmissed == CTX_CALLS,
	      "a kprobe inside a handler: %d pre-handler calls, nmissed %lu",
	      atomic_read(&n_pre), kp.nmissed);
	CHECK(!atomic_read(&n_bad), "%d wrong results", atomic_read(&n_bad));
out_kp:
	krp_unregister_kprobe(&kp);
out_inner:
	krp_unregister_kretprobe(&inner);
	return ret ? ret : err;
}

/*
 * resolve_name (3): a site made by address on this module's static
 * meminfo_proc_show must not capture a later symbol_name of that name,
 * which the kernel resolves to vmlinux's own; and "module:symbol" must
 * find an existing int3 site.
 */
static notrace TARGET __used int meminfo_proc_show(int x)
{
	return rel_leaf(x) + 3;
}

int scenario_resolve_name(void)
{
	struct kprobe kernel = {
		.symbol_name = "meminfo_proc_show",
		.flags = KPROBE_FLAG_DISABLED,
	};
	struct krp_kprobe by_addr = {
		.addr = (krp_opcode_t *)meminfo_proc_show,
		.pre_handler = count_pre,
	};
	struct krp_kprobe by_name = {
		.symbol_name = "meminfo_proc_show",
		.pre_handler = count_pre,
	};
	struct krp_kprobe plain = {
		.symbol_name = "rel_int3_fn",
		.pre_handler = count_pre,
	};
	struct krp_kprobe qualified = { .pre_handler = count_pre };
	char name[MODULE_NAME_LEN + 16];
	unsigned long vmlinux_addr;
	int ret = 0, err;

	err = krp_test_need_int3();
	if (err)
		return err;

	/* where the kernel's own resolution puts the name */
	err = register_kprobe(&kernel);
	if (err) {
		pr_err("no meminfo_proc_show in vmlinux to compare with: %d\n",
		       err);
		return err;
	}
	vmlinux_addr = (unsigned long)kernel.addr;
	unregister_kprobe(&kernel);
	CHECK(!within_module(vmlinux_addr, THIS_MODULE), "");

	err = krp_register_kprobe(&by_addr);
	if (err)
		return err;
	err = krp_register_kprobe(&by_name);
	CHECK(!err, "by name: %d", err);
	if (!err) {
		CHECK((unsigned long)by_name.addr == vmlinux_addr,
		      "meminfo_proc_show resolved to %pS, the kernel says %pS",
		      by_name.addr, (void *)vmlinux_addr);
		krp_unregister_kprobe(&by_name);
	}
	krp_unregister_kprobe(&by_addr);

	err = krp_register_kprobe(&plain);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%s:rel_int3_fn", THIS_MODULE->name);
	qualified.symbol_name = name;
	err = krp_register_kprobe(&qualified);
	CHECK(!err, "%s at an existing int3 site: %d", name, err);
	if (!err) {
		CHECK(qualified.addr == plain.addr, "%pS, not %pS",
		      qualified.addr, plain.addr);
		krp_unregister_kprobe(&qualified);
	}
	krp_unregister_kprobe(&plain);
	return ret;
}

/*
 * rcu_idle (4): a notrace function entered by int3 and returning while
 * RCU is not watching (as in the idle loop, between ct_idle_enter()
 * and ct_idle_exit()).  Unregister's grace period does not wait for a
 * handler there, so none may run: both ends count as missed.
 */
#define IDLE_CALLS	100

static int idle_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (!rcu_is_watching())
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

int scenario_rcu_idle(void)
{
	static struct krp_kretprobe rp;
	unsigned long flags;
	int ret = 0, err, i, missed, bad = 0;

	err = krp_test_need_int3();
	if (err)
		return err;

	rel_counters_reset();
	rp_init(&rp, "rel_idle_fn", count_entry, idle_ret, 0);
	err = krp_register_kretprobe(&rp);
	if (err)
		return err;
	CHECK(rp.kp.flags == 0, "rel_idle_fn is not an int3 entry: %x",
	      rp.kp.flags);
	CHECK(rel_idle_fn(1) == 4 && atomic_read(&n_ret) == 1 &&
	      !atomic_read(&n_bad), "watching: %d returns",
	      atomic_read(&n_ret));
	rel_counters_reset();
	for (i = 0; i < IDLE_CALLS; i++) {
		local_irq_save(flags);
		ct_idle_enter();
		if (rel_idle_fn(i) != i + 3)
			bad++;
		ct_idle_exit();
		local_irq_restore(flags);
	}
	krp_unregister_kretprobe(&rp);
	missed = krp_kretprobe_nmissed(&rp);
	CHECK(!bad, "%d wrong results", bad);
	CHECK(!atomic_read(&n_bad), "%d return handlers ran without RCU",
	      atomic_read(&n_bad));
	CHECK(atomic_read(&n_entry) == atomic_read(&n_ret) &&
	      atomic_read(&n_entry) + missed == IDLE_CALLS,
	      "%d entries, %d returns, nmissed %d", atomic_read(&n_entry),
	      atomic_read(&n_ret), missed);
	return ret;
}

/*
 * cpu_dead (5): the idle task of a CPU that goes offline never returns
 * from the functions it is in, and restarts on a fresh stack.  A
 * return probe on cpu_startup_entry() gets one frame per onlining; the
 * frames of the stack that died must go when the CPU does.  The user
 * side takes a CPU down and up between cpu_dead_arm and cpu_dead_disarm
 * and reads frames_in_use.
 */
static struct krp_kretprobe rp_idle;

int scenario_cpu_dead_arm(void)
{
	rel_counters_reset();
	rp_init(&rp_idle, "cpu_startup_entry", count_entry, count_ret, 0);
	return krp_register_kretprobe(&rp_idle);
}

int scenario_cpu_dead_disarm(void)
{
	int ret = 0;

	if (!rp_idle.probe)
		return -ENOENT;
	krp_unregister_kretprobe(&rp_idle);
	CHECK(atomic_read(&n_entry) > 0 && !atomic_read(&n_ret),
	      "%d entries %d returns", atomic_read(&n_entry),
	      atomic_read(&n_ret));
	return ret;
}

/*
 * gone_stuck (5): krp's int3 cannot come out while a kernel kprobe sits
 * inside its instruction, so the site is kept, stuck, without probes.
 * When the module with that text goes, the stuck site and its slot
 * must be given back.  The user side unloads krp_target between
 * gone_stuck_arm and gone_stuck_check and compares slots_used.
 */
static struct kprobe gone_inside;

static void gone_post(struct kprobe *p, struct pt_regs *regs,
		      unsigned long flags)
{
}

int scenario_gone_stuck_arm(void)
{
	struct krp_kprobe kp = {
		.symbol_name = "krp_target_lea",
		.offset = KRP_TARGET_LEA_OFFSET,
		.pre_handler = count_pre,
	};
	int ret = 0, err;

	err = krp_test_need_int3();
	if (err)
		return err;

	err = krp_register_kprobe(&kp);
	if (err)
		return err;
	memset(&gone_inside, 0, sizeof(gone_inside));
	gone_inside.addr = (kprobe_opcode_t *)kp.addr + 1;
	gone_inside.post_handler = gone_post;
	err = register_kprobe(&gone_inside);
	CHECK(!err, "the kernel's kprobe inside the lea: %d", err);
	krp_unregister_kprobe(&kp);
	return ret;
}

int scenario_gone_stuck_check(void)
{
	if (!gone_inside.addr)
		return -ENOENT;
	unregister_kprobe(&gone_inside);
	gone_inside.addr = NULL;
	return 0;
}

/* post_full (6): a ninth post-handler on one hit is counted, not lost */
#define POST_PROBES	9

int scenario_post_full(void)
{
	static struct krp_kprobe kps[POST_PROBES];
	unsigned long missed = 0;
	int ret = 0, err = 0, i, n;

	err = krp_test_need_int3();
	if (err)
		return err;

	rel_counters_reset();
	for (n = 0; n < POST_PROBES; n++) {
		memset(&kps[n], 0, sizeof(kps[n]));
		kps[n].symbol_name = "rel_int3_fn";
		kps[n].pre_handler = count_pre;
		kps[n].post_handler = count_post;
		err = krp_register_kprobe(&kps[n]);
		if (err)
			break;
	}
	if (!err)
		CHECK(rel_int3_fn(1) == 3, "");
	for (i = 0; i < n; i++) {
		krp_unregister_kprobe(&kps[i]);
		missed += kps[i].nmissed;
	}
	if (err)
		return err;
	CHECK(atomic_read(&n_pre) == POST_PROBES, "%d", atomic_read(&n_pre));
	CHECK(atomic_read(&n_post) + missed == POST_PROBES,
	      "%d post-handler calls, nmissed %lu", atomic_read(&n_post),
	      missed);
	return ret;
}

/*
 * pre_stop (6): a pre-handler that returns non-zero has redirected the
 * hit (here: an immediate return of 77), and as in the kernel the
 * probes after it on the site do not run; a kretprobe among them would
 * rewrite a return slot of a call that no longer happens.
 */
static int return77_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	unsigned long *sp = (unsigned long *)kernel_stack_pointer(regs);

	regs->ax = 77;
	instruction_pointer_set(regs, *sp);
	regs->sp += sizeof(long);
	return 1;
}

int scenario_pre_stop(void)
{
	static struct krp_kprobe first, second;
	static struct krp_kretprobe rp;
	int ret = 0, err, r;

	err = krp_test_need_int3();
	if (err)
		return err;

	rel_counters_reset();
	memset(&first, 0, sizeof(first));
	first.symbol_name = "rel_int3_fn";
	first.pre_handler = return77_pre;
	memset(&second, 0, sizeof(second));
	second.symbol_name = "rel_int3_fn";
	second.pre_handler = count_pre;
	rp_init(&rp, "rel_int3_fn", count_entry, count_ret, 0);
	err = krp_register_kprobe(&first);
	if (err)
		return err;
	err = krp_register_kprobe(&second);
	if (err)
		goto out_first;
	err = krp_register_kretprobe(&rp);
	if (err)
		goto out_second;
	r = rel_int3_fn(5);
	krp_unregister_kretprobe(&rp);
	CHECK(r == 77, "the redirect did not take: %d", r);
	CHECK(!atomic_read(&n_pre), "a later kprobe ran: %d",
	      atomic_read(&n_pre));
	CHECK(!atomic_read(&n_entry) && !atomic_read(&n_ret),
	      "a later kretprobe ran: %d entries %d returns",
	      atomic_read(&n_entry), atomic_read(&n_ret));
out_second:
	krp_unregister_kprobe(&second);
out_first:
	krp_unregister_kprobe(&first);
	return ret ? ret : err;
}

/*
 * find_runnable (6): an unwinder may ask about any task that is not on
 * a CPU, including one that is runnable but waits for its CPU: no
 * warning, and the real return address.
 */
static unsigned long *runnable_frame;
static unsigned long runnable_ra;

static int runnable_entry(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	WRITE_ONCE(runnable_ra, ri->ret_addr);
	WRITE_ONCE(runnable_frame, ri->frame);
	atomic_inc(&n_entry);
	return 0;
}

static int runnable_fn(void *arg)
{
	*(int *)arg = rel_sleep(20);
	return 0;
}

int scenario_find_runnable(void)
{
	static struct krp_kretprobe rp;
	struct task_struct *tsk;
	unsigned long ra = 0;
	void *cur = NULL;
	int ret = 0, err, i, result = 0;
	unsigned int cpu;

	rel_counters_reset();
	runnable_frame = NULL;
	rel_released = false;
	rp_init(&rp, "rel_sleep", runnable_entry, count_ret, 0);
	err = krp_register_kretprobe(&rp);
	if (err)
		return err;
	/* the task shares our CPU, which we keep while we look at it */
	cpu = get_cpu();
	put_cpu();
	set_cpus_allowed_ptr(current, cpumask_of(cpu));
	tsk = kthread_create(runnable_fn, &result, "krp_runnable");
	if (IS_ERR(tsk)) {
		err = PTR_ERR(tsk);
		goto out;
	}
	get_task_struct(tsk);
	kthread_bind(tsk, cpu);
	wake_up_process(tsk);
	for (i = 0; i < 250 && !READ_ONCE(runnable_frame); i++)
		msleep(20);
	for (i = 0; i < 250 && task_is_running(tsk); i++)
		msleep(20);
	CHECK(runnable_frame, "the task never entered rel_sleep");
	preempt_disable();
	WRITE_ONCE(rel_released, true);
	wake_up(&rel_wq);
	/* runnable now, and it cannot run before we let it */
	if (runnable_frame && task_is_running(tsk))
		ra = krp_kretprobe_find_ret_addr(tsk, runnable_frame, &cur);
	preempt_enable();
	CHECK(ra && ra == runnable_ra, "found %pS, want %pS", (void *)ra,
	      (void *)runnable_ra);
	kthread_stop(tsk);
	put_task_struct(tsk);
	CHECK(result == 21, "%d", result);
out:
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	krp_unregister_kretprobe(&rp);
	return ret ? ret : err;
}

/*
 * opt_inside (1): the kernel's kprobes read krp's int3 as a one-byte
 * instruction and accept a kprobe one byte into the lea krp displaced;
 * the kernel's optimizer would turn that kprobe into a 5-byte jump
 * across the address where krp resumes.  Oopsed at the function before
 * krp kept the optimizer away.
 */
static int opt_inside_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static u8 text_byte(unsigned long addr)
{
	u8 b = 0;

	if (get_kernel_nofault(b, (u8 *)addr))
		return 0;
	return b;
}

int scenario_opt_inside(void)
{
	unsigned long lea = krp_test_text(krp_rel_opt) + KRP_REL_OPT_LEA;
	struct krp_kprobe kp = {
		.addr = (krp_opcode_t *)lea,
		.pre_handler = count_pre,
	};
	/* no post-handler: the kernel may optimize it */
	struct kprobe inside = {
		.addr = (kprobe_opcode_t *)(lea + 1),
		.pre_handler = opt_inside_pre,
	};
	int ret = 0, err, i;

	err = krp_test_need_int3();
	if (err)
		return err;

	rel_counters_reset();
	CHECK(text_byte(lea) == 0x8d, "no lea at +%d: %02x", KRP_REL_OPT_LEA,
	      text_byte(lea));
	if (ret)
		return ret;
	err = krp_register_kprobe(&kp);
	if (err)
		return err;
	err = register_kprobe(&inside);
	pr_info("opt_inside: the kernel's kprobe inside krp's lea: %d\n", err);
	/* the optimizer waits a few ticks and an RCU-tasks grace period */
	msleep(500);
	CHECK(text_byte(lea + 1) != 0xe9,
	      "the kernel optimized its kprobe inside krp's instruction");
	for (i = 0; i < 100; i++)
		if (krp_rel_opt(i) != (i + 67))
			atomic_inc(&n_bad);
	CHECK(!atomic_read(&n_bad), "%d wrong results", atomic_read(&n_bad));
	CHECK(atomic_read(&n_pre) == 100, "%d hits", atomic_read(&n_pre));
	krp_unregister_kprobe(&kp);
	if (!err) {
		unregister_kprobe(&inside);
		/* krp restores its byte once the kernel's kprobe is gone */
		for (i = 0; i < 50 && text_byte(lea) != 0x8d; i++)
			msleep(100);
	}
	CHECK(text_byte(lea) == 0x8d, "text not restored: %02x",
	      text_byte(lea));
	for (i = 0; i < 10; i++)
		CHECK(krp_rel_opt(i) == (i + 67), "x=%d", i);
	return ret;
}

/* Whatever a scenario left registered when the user side stopped. */
void krp_test_reliab_exit(void)
{
	if (rp_idle.probe)
		krp_unregister_kretprobe(&rp_idle);
	if (gone_inside.addr)
		unregister_kprobe(&gone_inside);
}
