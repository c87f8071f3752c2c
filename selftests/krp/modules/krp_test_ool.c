// SPDX-License-Identifier: GPL-2.0
/*
 * The hand-written targets with a kprobe on every instruction: boosted,
 * single-stepped and emulated copies, their results, hit counts and
 * handler order, a return probe at a boosted entry, slots reused under
 * load, handlers that re-enter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "krp_test_common.h"

/*
 * ool: the hand-written targets with a kprobe on every instruction
 * boundary, first pre-handlers only (out-of-line instructions boosted),
 * then pre- and post-handlers (single-stepped); results and handler
 * order checked.  The ool_* scenarios leave them armed for the user
 * side to read krp/list and the trap counts.
 */
#define OOL_MAX 64
static struct krp_kprobe ool_kps[OOL_MAX];
static atomic_t ool_pre[OOL_MAX], ool_post[OOL_MAX], ool_bad;
static unsigned long ool_post_ip[OOL_MAX];
static int ool_n;

/* hits on several CPUs at once: pre and post counts interleave */
static bool ool_concurrent;

static int ool_pre_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp - ool_kps;

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible() ||
	    (!READ_ONCE(ool_concurrent) &&
	     atomic_read(&ool_pre[i]) != atomic_read(&ool_post[i])))
		atomic_inc(&ool_bad);
	atomic_inc(&ool_pre[i]);
	return 0;
}

static int ool_pre_only_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp - ool_kps;

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible())
		atomic_inc(&ool_bad);
	atomic_inc(&ool_pre[i]);
	return 0;
}

/* runs after the instruction: regs->ip is where execution goes on */
static void ool_post_fn(struct krp_kprobe *kp, struct pt_regs *regs,
			unsigned long flags)
{
	int i = kp - ool_kps;

	if ((!READ_ONCE(ool_concurrent) &&
	     atomic_read(&ool_pre[i]) != atomic_read(&ool_post[i]) + 1) ||
	    preemptible() || (regs->flags & X86_EFLAGS_TF))
		atomic_inc(&ool_bad);
	ool_post_ip[i] = instruction_pointer(regs);
	atomic_inc(&ool_post[i]);
}

static void ool_unregister(void)
{
	struct krp_kprobe *list[OOL_MAX];
	int i;

	for (i = 0; i < ool_n; i++)
		list[i] = &ool_kps[i];
	if (ool_n)
		krp_unregister_kprobes(list, ool_n);
	ool_n = 0;
}

/*
 * A kprobe on every byte of @fn that krp takes; what it refuses must be
 * -EILSEQ (inside an instruction) or -EOPNOTSUPP (ud2).
 */
static int ool_register(void *fn, const char *sym, bool post)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	int off, size, err;

	/* "name+0x0/0xsize [module]" */
	snprintf(buf, sizeof(buf), "%pS", fn);
	slash = strchr(buf, '/');
	if (!slash || sscanf(slash + 1, "%x", &size) != 1)
		return -EINVAL;
	for (off = 0; off < size && ool_n < OOL_MAX; off++) {
		struct krp_kprobe *kp = &ool_kps[ool_n];

		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = sym;
		kp->offset = off;
		kp->pre_handler = post ? ool_pre_fn : ool_pre_only_fn;
		kp->post_handler = post ? ool_post_fn : NULL;
		atomic_set(&ool_pre[ool_n], 0);
		atomic_set(&ool_post[ool_n], 0);
		err = krp_register_kprobe(kp);
		if (!err) {
			ool_n++;
			continue;
		}
		if (kp->probe || (err != -EILSEQ &&
				  (err != -EOPNOTSUPP || *((u8 *)fn + off) != 0x0f))) {
			pr_err("%s+%d: %d\n", sym, off, err);
			ool_unregister();
			return -EINVAL;
		}
	}
	return 0;
}

static int ool_arm(bool post)
{
	int err;

	err = krp_test_need_int3();
	if (err)
		return err;
	if (ool_n)
		return -EBUSY;
	atomic_set(&ool_bad, 0);
	this_cpu_write(krp_test_pcpu, 7);
	err = ool_register(krp_test_ool, "krp_test_ool", post);
	if (!err)
		err = ool_register(krp_test_emu, "krp_test_emu", post);
	if (err)
		ool_unregister();
	return err;
}

/* krp_test_ool alone: 34 probes, 28 of them out of line */
static int ool_arm_one(bool post)
{
	int err;

	err = krp_test_need_int3();
	if (err)
		return err;
	if (ool_n)
		return -EBUSY;
	atomic_set(&ool_bad, 0);
	err = ool_register(krp_test_ool, "krp_test_ool", post);
	if (err)
		ool_unregister();
	return err;
}

int scenario_ool_arm_boost(void)
{
	return ool_arm(false);
}

int scenario_ool_arm_step(void)
{
	return ool_arm(true);
}

#define OOL_CALLS 10

/* Every CPU's per-CPU value is the same, so migration does not matter. */
int scenario_ool_call(void)
{
	int ret = 0, i, cpu;

	for_each_possible_cpu(cpu)
		*per_cpu_ptr(&krp_test_pcpu, cpu) = 7;
	for (i = 0; i < OOL_CALLS; i++) {
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d: %d, not %d",
		      i, krp_test_ool(i), krp_test_ool_ref(i));
		CHECK(krp_test_emu(i + 1) == 3 * (i + 1) + 1, "x=%d: %d", i + 1,
		      krp_test_emu(i + 1));
		CHECK(!irqs_disabled(), "interrupts left off");
	}
	return ret;
}

/* the instructions of the hand-written targets, in krp_test_targets.c */
#define OOL_INSNS 34
#define EMU_INSNS 22

/*
 * How often instruction @j of krp_test_emu ran in @calls calls with
 * x = 1, 2, ...: the loop body (the 7th and 8th, add $3, %edx; loop) x
 * times a call, everything else once.  By position, because the bytes
 * under krp's int3s read as 0xcc.
 */
static int emu_hits(int j, int calls)
{
	return j == 6 || j == 7 ? calls * (calls + 1) / 2 : calls;
}

/* After one ool_call: each target ran OOL_CALLS times. */
int scenario_ool_disarm(void)
{
	unsigned long ool = (unsigned long)krp_test_ool;
	unsigned long emu = (unsigned long)krp_test_emu;
	int ret = 0, i, first_emu = -1, calls = OOL_CALLS;

	if (krp_test_need_int3())
		return -EOPNOTSUPP;
	for (i = 0; i < ool_n; i++) {
		unsigned long at = (unsigned long)ool_kps[i].addr;
		int pre = atomic_read(&ool_pre[i]);

		if (at >= emu && first_emu < 0)
			first_emu = i;
		/* straight-line code: every instruction runs once a call */
		if (at < emu)
			CHECK(pre == calls, "krp_test_ool+%lu: %d hits", at - ool,
			      pre);
		else
			CHECK(pre == emu_hits(i - first_emu, calls),
			      "krp_test_emu+%lu: %d hits, not %d", at - emu, pre,
			      emu_hits(i - first_emu, calls));
		if (ool_kps[i].post_handler)
			CHECK(atomic_read(&ool_post[i]) == pre,
			      "+%lu: %d pre, %d post", at - ool, pre,
			      atomic_read(&ool_post[i]));
		/* a post-handler sees the next instruction's address */
		if (ool_kps[i].post_handler && at < emu && i + 1 < ool_n &&
		    (unsigned long)ool_kps[i + 1].addr < emu)
			CHECK(ool_post_ip[i] == (unsigned long)ool_kps[i + 1].addr,
			      "krp_test_ool+%lu: post at +%lu", at - ool,
			      ool_post_ip[i] - ool);
	}
	/* every instruction of both but the two ud2 of krp_test_emu */
	CHECK(first_emu == OOL_INSNS, "%d instructions of krp_test_ool, not %d",
	      first_emu, OOL_INSNS);
	CHECK(ool_n - first_emu == EMU_INSNS - 2,
	      "%d instructions of krp_test_emu, not %d", ool_n - first_emu,
	      EMU_INSNS - 2);
	CHECK(!atomic_read(&ool_bad), "%d handler runs out of order or context",
	      atomic_read(&ool_bad));
	ool_unregister();
	return ret;
}

static int ool_ret_fn(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long ra = krp_get_kretprobe_retaddr(ri);

	if (regs_return_value(regs) != *(long *)ri->data + 1 ||
	    !within_module(ra, THIS_MODULE) ||
	    instruction_pointer(regs) != ra || preemptible())
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* A return probe at a boosted entry: the leaf's first insn is an add. */
int scenario_ool_ret(void)
{
	int ret = 0, i, err;

	err = krp_test_need_int3();
	if (err)
		return err;
	counters_reset();
	rp_init(&rp_a, "krp_test_notrace", arg_entry, ool_ret_fn,
		sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(!(rp_a.kp.flags & KRP_FLAG_FTRACE), "%x", rp_a.kp.flags);
	for (i = 0; i < 50; i++)
		CHECK(krp_test_notrace_call(i) == i + 1, "x=%d", i);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_entry) == 50 && atomic_read(&n_ret) == 50 &&
	      !atomic_read(&n_bad), "%d entries %d returns %d bad",
	      atomic_read(&n_entry), atomic_read(&n_ret), atomic_read(&n_bad));
	return ret;
}

/*
 * ool_stress: kprobes on every instruction of krp_test_ool, registered
 * and unregistered over and over while every CPU runs through them:
 * slots are given up with tasks inside or just out of them, and taken
 * again once krp has collected them (run after the every-instruction
 * tests, which leave most slots dirty).
 */
/*
 * Two cycles a run, one boosted and one single-stepped: each registers
 * a probe per offset of krp_test_ool, a grace period apiece, while both
 * CPUs trap through them, half a minute a cycle on x86_64 under TCG.
 * The user side runs it until krp has had to collect dirty slots.
 */
#define OOL_STRESS_CYCLES	2

static int ool_stress_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_ool(i & 15) != krp_test_ool_ref(i & 15) ||
		    krp_test_emu((i & 7) + 1) != 3 * ((i & 7) + 1) + 1)
			atomic_inc(&stress_bad);
		/*
		 * Sleep now and then, as real tasks do: a task that only
		 * ever gets preempted holds up RCU-tasks, and with it the
		 * collection of krp's slots.
		 */
		if (!(++i & 63))
			usleep_range(10, 20);
	}
	return 0;
}

int scenario_ool_stress(void)
{
	struct task_struct *workers[WORKERS_MAX];
	int ret = 0, err, c, cpu, hits = 0, bad = 0, i, n;
	unsigned int nw;

	err = krp_test_need_int3();
	if (err)
		return err;
	for_each_possible_cpu(cpu)
		*per_cpu_ptr(&krp_test_pcpu, cpu) = 7;
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	WRITE_ONCE(ool_concurrent, true);
	nw = workers_start(ool_stress_fn, "krp_ool", workers);
	for (c = 0; c < OOL_STRESS_CYCLES && !ret; c++) {
		err = ool_arm_one(c & 1);
		CHECK(!err, "cycle %d: %d", c, err);
		if (err)
			break;
		usleep_range(500, 1000);
		n = ool_n;
		ool_unregister();
		/* every step that began has ended: as many posts as pres */
		for (i = 0; i < n; i++) {
			hits += atomic_read(&ool_pre[i]);
			if (ool_kps[i].post_handler &&
			    atomic_read(&ool_pre[i]) != atomic_read(&ool_post[i])) {
				if (!bad)
					pr_err("ool_stress: %ps: %d pre %d post\n",
					       ool_kps[i].addr,
					       atomic_read(&ool_pre[i]),
					       atomic_read(&ool_post[i]));
				bad++;
			}
		}
		if (atomic_read(&ool_bad) && !bad)
			pr_err("ool_stress: cycle %d: %d bad handler runs\n", c,
			       atomic_read(&ool_bad));
		bad += atomic_read(&ool_bad);
	}
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	WRITE_ONCE(ool_concurrent, false);
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	CHECK(!bad, "%d handler runs out of order or context", bad);
	CHECK(hits > 0, "no hit in %d cycles", c);
	pr_info("ool_stress: %d cycles on %u CPUs, %d hits\n", c, nw, hits);
	return ret;
}

/*
 * ool_reenter: a pre-handler that calls its own probed function, at a
 * boosted and at a single-stepped site: the inner hit is a miss, its
 * instruction still runs, the outer one completes.
 */
static int reenter_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	if (krp_test_notrace(41) != 42)
		atomic_inc(&ool_bad);
	atomic_inc(&ool_pre[0]);
	return 0;
}

static void reenter_post(struct krp_kprobe *kp, struct pt_regs *regs,
			 unsigned long flags)
{
	if (krp_test_notrace(1) != 2)
		atomic_inc(&ool_bad);
	atomic_inc(&ool_post[0]);
}

int scenario_ool_reenter(void)
{
	int ret = 0, err, post;

	err = krp_test_need_int3();
	if (err)
		return err;
	for (post = 0; post < 2; post++) {
		struct krp_kprobe kp = {
			.symbol_name = "krp_test_notrace",
			.pre_handler = reenter_pre,
			.post_handler = post ? reenter_post : NULL,
		};

		atomic_set(&ool_bad, 0);
		atomic_set(&ool_pre[0], 0);
		atomic_set(&ool_post[0], 0);
		err = krp_register_kprobe(&kp);
		if (err)
			return err;
		CHECK(krp_test_notrace_call(5) == 6, "post=%d", post);
		krp_unregister_kprobe(&kp);
		/* the pre-handler's call, and the post-handler's */
		CHECK(kp.nmissed == 1 + post, "post=%d: nmissed %lu", post,
		      kp.nmissed);
		CHECK(atomic_read(&ool_pre[0]) == 1 &&
		      atomic_read(&ool_post[0]) == post &&
		      !atomic_read(&ool_bad), "post=%d: %d pre %d post %d bad",
		      post, atomic_read(&ool_pre[0]),
		      atomic_read(&ool_post[0]), atomic_read(&ool_bad));
	}
	return ret;
}

void krp_test_ool_exit(void)
{
	ool_unregister();
}
