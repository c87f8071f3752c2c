// SPDX-License-Identifier: GPL-2.0
/*
 * Jumps instead of int3s: krp's optimizer puts a jmp over the first
 * instructions of krp_test_jump_fn (krp_test_targets_{32,64}.S) once a
 * return probe is armed there, and takes it out again whenever the
 * int3 must come back: a probe of krp's inside the covered bytes, a
 * post-handler, a disarm.  The scenarios read the text itself; the user
 * side (krp_kprobe.c) reads krp/list and the trap counts of krp/stats.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>

#include "krp_test_common.h"

#define JUMP_INT3	0xcc
#define JUMP_JMP	0xe9
/* the optimizer waits 5 jiffies, then RCU-tasks: seconds under TCG */
#define JUMP_WAIT_MS	10000
#define JUMP_CYCLES	6

static struct krp_kprobe jkp;
static struct kprobe jkk;
static atomic_t n_pre, n_post, n_kernel;

static u8 *jump_text(void)
{
	return (u8 *)krp_test_text(krp_test_jump_fn);
}

/* krp's jmp is there: CS prefixes, then e9 at the end of the range */
static bool jump_in(void)
{
	u8 *text = jump_text();

	return READ_ONCE(text[0]) != JUMP_INT3 &&
	       READ_ONCE(text[KRP_TEST_JUMP_LEN - 5]) == JUMP_JMP;
}

/* Wait until the jump is in (@in) or the int3 is back at byte 0. */
static bool jump_wait(bool in)
{
	int ms;

	for (ms = 0; ms < JUMP_WAIT_MS; ms += 20) {
		if (in ? jump_in() : READ_ONCE(jump_text()[0]) == JUMP_INT3)
			return true;
		msleep(20);
	}
	return false;
}

static int jump_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = *(long *)ri->data;

	if (regs_return_value(regs) != (x + 1) * 3 + 1 ||
	    !within_module(krp_get_kretprobe_retaddr(ri), THIS_MODULE))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int jump_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	atomic_inc(&n_pre);
	return 0;
}

static void jump_post(struct krp_kprobe *kp, struct pt_regs *regs,
		      unsigned long flags)
{
	atomic_inc(&n_post);
}

static int jump_kernel_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&n_kernel);
	return 0;
}

/* @n calls, each checked; the count of wrong results */
static int jump_calls(int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++)
		if (krp_test_jump_fn(i) != (i + 1) * 3 + 1)
			bad++;
	return bad;
}

static void jump_rp_init(void)
{
	rp_init(&rp_a, "krp_test_jump_fn", arg_entry, jump_ret, sizeof(long));
}

/*
 * jump_arm: a return probe at krp_test_jump_fn, first on its int3, then
 * on the jump the optimizer puts there; it stays for jump_call.
 */
int scenario_jump_arm(void)
{
	int ret = 0, err;

	err = krp_test_need_int3();
	if (err)
		return err;
	counters_reset();
	jump_rp_init();
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(!(rp_a.kp.flags & KRP_FLAG_FTRACE), "flags %x", rp_a.kp.flags);
	CHECK(jump_calls(20) == 0, "wrong results on the int3");
	CHECK(jump_wait(true), "no jump after %d ms: %*ph", JUMP_WAIT_MS,
	      KRP_TEST_JUMP_LEN, jump_text());
	CHECK(atomic_read(&n_ret) == 20 && !atomic_read(&n_bad),
	      "%d returns, %d bad", atomic_read(&n_ret), atomic_read(&n_bad));
	if (ret)
		krp_unregister_kretprobe(&rp_a);
	return ret;
}

/* jump_call: 1,000 calls through the jump, every return seen */
int scenario_jump_call(void)
{
	int ret = 0, before = atomic_read(&n_ret);

	CHECK(jump_in(), "the jump is not there: %*ph", KRP_TEST_JUMP_LEN,
	      jump_text());
	CHECK(jump_calls(1000) == 0, "wrong results through the jump");
	CHECK(atomic_read(&n_ret) - before == 1000 && !atomic_read(&n_bad),
	      "%d returns, %d bad", atomic_read(&n_ret) - before,
	      atomic_read(&n_bad));
	return ret;
}

/*
 * jump_inside: what takes the jump out, and what it refuses meanwhile.
 * A kernel kprobe inside the jump finds no instruction boundary there
 * (-EILSEQ); a probe of krp's there takes the jump out, both fire, and
 * the jump comes back when it goes; so with a post-handler at the site.
 */
int scenario_jump_inside(void)
{
	u8 *text = jump_text();
	int ret = 0, err, r0;

	CHECK(jump_in(), "the jump is not there");
	if (ret)
		return ret;

	jkk = (struct kprobe){ .addr = (kprobe_opcode_t *)(text + KRP_TEST_JUMP_ADD),
			       .pre_handler = jump_kernel_pre };
	err = register_kprobe(&jkk);
	CHECK(err == -EILSEQ, "a kernel kprobe inside the jump: %d", err);
	if (!err)
		unregister_kprobe(&jkk);
	CHECK(jump_in(), "the jump went with the kernel's refusal");

	/* a kprobe of krp's at the add, inside the jump */
	atomic_set(&n_pre, 0);
	jkp = (struct krp_kprobe){ .addr = text + KRP_TEST_JUMP_ADD,
				   .pre_handler = jump_pre };
	err = krp_register_kprobe(&jkp);
	CHECK(!err, "a krp kprobe inside the jump: %d", err);
	if (!err) {
		CHECK(text[0] == JUMP_INT3 && text[KRP_TEST_JUMP_ADD] == JUMP_INT3,
		      "not both int3s: %*ph", KRP_TEST_JUMP_LEN, text);
		r0 = atomic_read(&n_ret);
		CHECK(jump_calls(10) == 0, "wrong results with both int3s");
		CHECK(atomic_read(&n_pre) == 10 && atomic_read(&n_ret) - r0 == 10,
		      "%d pre, %d returns", atomic_read(&n_pre),
		      atomic_read(&n_ret) - r0);
		krp_unregister_kprobe(&jkp);
		CHECK(jump_wait(true), "no jump again after the inner probe: %*ph",
		      KRP_TEST_JUMP_LEN, text);
	}

	/* a post-handler at the site itself needs the int3 */
	atomic_set(&n_pre, 0);
	atomic_set(&n_post, 0);
	jkp = (struct krp_kprobe){ .addr = text, .pre_handler = jump_pre,
				   .post_handler = jump_post };
	err = krp_register_kprobe(&jkp);
	CHECK(!err, "a post-handler at the site: %d", err);
	if (!err) {
		CHECK(text[0] == JUMP_INT3, "no int3 with a post-handler: %*ph",
		      KRP_TEST_JUMP_LEN, text);
		r0 = atomic_read(&n_ret);
		CHECK(jump_calls(10) == 0, "wrong results with a post-handler");
		CHECK(atomic_read(&n_pre) == 10 && atomic_read(&n_post) == 10 &&
		      atomic_read(&n_ret) - r0 == 10,
		      "%d pre, %d post, %d returns", atomic_read(&n_pre),
		      atomic_read(&n_post), atomic_read(&n_ret) - r0);
		msleep(200);
		CHECK(text[0] == JUMP_INT3, "optimized under a post-handler");
		krp_unregister_kprobe(&jkp);
		CHECK(jump_wait(true), "no jump again after the post-handler");
	}

	/* disabled, the text is the function's own; enabled, the jump again */
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	CHECK(text[0] == 0x55, "disabled: %*ph", KRP_TEST_JUMP_LEN, text);
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	CHECK(jump_wait(true), "no jump after enable");
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	return ret;
}

/* jump_disarm: unregistered, the function's own bytes are back */
int scenario_jump_disarm(void)
{
	u8 *text = jump_text();
	int ret = 0, r0 = atomic_read(&n_ret);

	krp_unregister_kretprobe(&rp_a);
	CHECK(text[0] == 0x55 && !jump_in(), "after unregister: %*ph",
	      KRP_TEST_JUMP_LEN, text);
	CHECK(jump_calls(10) == 0, "wrong results after unregister");
	CHECK(atomic_read(&n_ret) == r0, "a handler ran after unregister");
	return ret;
}

/*
 * jump_before: a kernel kprobe already inside the bytes a jump would
 * cover keeps krp's site on its int3; both fire.
 */
int scenario_jump_before(void)
{
	u8 *text = jump_text();
	int ret = 0, err;

	err = krp_test_need_int3();
	if (err)
		return err;
	counters_reset();
	atomic_set(&n_kernel, 0);
	jkk = (struct kprobe){ .addr = (kprobe_opcode_t *)(text + KRP_TEST_JUMP_ADD),
			       .pre_handler = jump_kernel_pre };
	err = register_kprobe(&jkk);
	if (err)
		return err;
	jump_rp_init();
	err = krp_register_kretprobe(&rp_a);
	CHECK(!err, "krp beside a kernel kprobe: %d", err);
	if (!err) {
		msleep(500);
		CHECK(text[0] == JUMP_INT3, "optimized over a kernel kprobe: %*ph",
		      KRP_TEST_JUMP_LEN, text);
		CHECK(jump_calls(10) == 0, "wrong results");
		CHECK(atomic_read(&n_ret) == 10 && atomic_read(&n_kernel) == 10 &&
		      !atomic_read(&n_bad), "%d returns, %d kernel hits, %d bad",
		      atomic_read(&n_ret), atomic_read(&n_kernel),
		      atomic_read(&n_bad));
		krp_unregister_kretprobe(&rp_a);
	}
	unregister_kprobe(&jkk);
	CHECK(text[0] == 0x55, "left behind: %*ph", KRP_TEST_JUMP_LEN, text);
	return ret;
}

/*
 * jump_shared: the kernel takes a kprobe at the address of krp's live
 * jmp (it emulates the jmp, into the detour): both fire.  krp's probe
 * goes meanwhile: its site cannot take the jump out under the kernel's
 * int3 and stays, stuck, until the kernel's kprobe has gone and put
 * krp's first byte back; then the function's bytes come back.
 */
int scenario_jump_shared(void)
{
	u8 *text = jump_text();
	int ret = 0, err, ms;

	err = krp_test_need_int3();
	if (err)
		return err;
	counters_reset();
	atomic_set(&n_kernel, 0);
	jump_rp_init();
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(jump_wait(true), "no jump: %*ph", KRP_TEST_JUMP_LEN, text);
	jkk = (struct kprobe){ .addr = (kprobe_opcode_t *)text,
			       .pre_handler = jump_kernel_pre };
	err = ret ? -EINVAL : register_kprobe(&jkk);
	CHECK(!err, "a kernel kprobe on krp's jmp: %d", err);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return ret;
	}
	CHECK(jump_calls(10) == 0, "wrong results under both");
	CHECK(atomic_read(&n_kernel) == 10 && atomic_read(&n_ret) == 10,
	      "%d kernel hits, %d returns", atomic_read(&n_kernel),
	      atomic_read(&n_ret));
	krp_unregister_kretprobe(&rp_a);
	CHECK(text[0] == JUMP_INT3 && text[KRP_TEST_JUMP_LEN - 5] == JUMP_JMP,
	      "krp's jmp not kept under the kernel's int3: %*ph",
	      KRP_TEST_JUMP_LEN, text);
	CHECK(jump_calls(10) == 0, "wrong results with krp's probe gone");
	CHECK(atomic_read(&n_kernel) == 20 && atomic_read(&n_ret) == 10,
	      "%d kernel hits, %d returns", atomic_read(&n_kernel),
	      atomic_read(&n_ret));
	unregister_kprobe(&jkk);
	/* the stuck site's retry runs every second */
	for (ms = 0; ms < JUMP_WAIT_MS && READ_ONCE(text[0]) != 0x55; ms += 20)
		msleep(20);
	CHECK(text[0] == 0x55 && !jump_in(), "not restored: %*ph",
	      KRP_TEST_JUMP_LEN, text);
	CHECK(jump_calls(10) == 0, "wrong results after");
	return ret;
}

/*
 * jump_reserved: the kernel patches a static branch's nop itself, and
 * BUG()s where it finds other bytes: a jump of krp's must not cover
 * one.  krp_test_jump_jl's first instruction is a lea, then the nop.
 */
int scenario_jump_reserved(void)
{
	u8 *text = krp_test_entry(krp_test_jump_jl), first;
	int ret = 0, err, ms;

	err = krp_test_need_int3();
	if (err)
		return err;
	OPTIMIZER_HIDE_VAR(text);
	first = text[0];
	CHECK(first == 0x8d && (text[3] == 0x66 || text[3] == 0x0f ||
				text[3] == 0x3e || text[3] == 0xeb ||
				text[3] == 0xe9),
	      "not a lea, then a static branch: %*ph", 8, text);
	if (ret)
		return ret;
	counters_reset();
	rp_init(&rp_a, "krp_test_jump_jl", NULL, count_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	/* an optimizer pass, its RCU-tasks wait included */
	for (ms = 0; ms < 2000 && text[0] == 0xcc; ms += 20)
		msleep(20);
	CHECK(text[0] == 0xcc, "a jump over a static branch: %*ph", 8, text);
	CHECK(krp_test_jump_jl(1) == 2, "key off");
	krp_test_key_set(true);
	CHECK(krp_test_jump_jl(1) == 3, "key on");
	krp_test_key_set(false);
	CHECK(krp_test_jump_jl(1) == 2, "key off again");
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_ret) == 3, "%d returns", atomic_read(&n_ret));
	CHECK(text[0] == first, "left behind: %*ph", 8, text);
	return ret;
}

static int jump_stress_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_jump_fn(i) != (i + 1) * 3 + 1)
			atomic_inc(&stress_bad);
		/* preempted inside the detour now and then */
		if (!(++i & 15))
			spin_yield();
		if (!(i & 255))
			usleep_range(10, 20);
	}
	return 0;
}

/*
 * jump_churn: register, wait for the jump, unregister, while every CPU
 * calls the function: tasks are inside the detour, preempted there,
 * when it is taken out, and no handler runs once unregister returned.
 */
int scenario_jump_churn(void)
{
	struct task_struct *workers[WORKERS_MAX];
	unsigned int c, nw, jumped = 0;
	int ret = 0, err, r0;

	err = krp_test_need_int3();
	if (err)
		return err;
	counters_reset();
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(jump_stress_fn, "krp_jump/%u", workers);
	for (c = 0; c < JUMP_CYCLES && !ret; c++) {
		jump_rp_init();
		err = krp_register_kretprobe(&rp_a);
		CHECK(!err, "cycle %u: %d", c, err);
		if (err)
			break;
		if (jump_wait(true))
			jumped++;
		/* let the workers run through it, then take it out */
		usleep_range(2000, 4000);
		krp_unregister_kretprobe(&rp_a);
		r0 = atomic_read(&n_ret);
		usleep_range(2000, 4000);
		CHECK(atomic_read(&n_ret) == r0, "cycle %u: a handler after unregister",
		      c);
		CHECK(jump_text()[0] == 0x55, "cycle %u: %*ph", c,
		      KRP_TEST_JUMP_LEN, jump_text());
	}
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	CHECK(jumped == c, "the jump went in %u times of %u", jumped, c);
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	pr_info("jump_churn: %u cycles, %u jumped, %d returns\n", c, jumped,
		atomic_read(&n_ret));
	return ret;
}

/* krp_test_jump_tail's jmp, as the module was loaded with it */
static u8 tail_orig[5];

/* the jmp at @text goes somewhere else than krp_test_jump_fn: a detour */
static bool tail_jumped(const u8 *text)
{
	return READ_ONCE(text[0]) == JUMP_JMP && memcmp(text, tail_orig, 5);
}

/*
 * jump_tail_arm: a return probe at krp_test_jump_tail, whose one
 * instruction is a tail call: the optimizer covers the jmp alone, and
 * its detour takes the jmp after the probe has run.
 */
int scenario_jump_tail_arm(void)
{
	u8 *text = (u8 *)krp_test_text(krp_test_jump_tail);
	int ret = 0, err, ms;

	err = krp_test_need_int3();
	if (err)
		return err;
	memcpy(tail_orig, text, sizeof(tail_orig));
	CHECK(tail_orig[0] == JUMP_JMP, "not a jmp: %5ph", tail_orig);
	if (ret)
		return ret;
	counters_reset();
	rp_init(&rp_a, "krp_test_jump_tail", arg_entry, jump_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	for (ms = 0; ms < JUMP_WAIT_MS && !tail_jumped(text); ms += 20)
		msleep(20);
	CHECK(tail_jumped(text), "no jump after %d ms: %5ph", JUMP_WAIT_MS,
	      text);
	if (ret)
		krp_unregister_kretprobe(&rp_a);
	return ret;
}

/*
 * jump_tail_call: 1,000 calls through that jump, each returning what
 * krp_test_jump_fn gives, every return seen; unregistered, the jmp is
 * the module's own again.
 */
int scenario_jump_tail_call(void)
{
	u8 *text = (u8 *)krp_test_text(krp_test_jump_tail);
	int ret = 0, i, bad = 0;

	CHECK(tail_jumped(text), "the jump is not there: %5ph", text);
	for (i = 0; i < 1000; i++)
		if (krp_test_jump_tail(i) != (i + 1) * 3 + 1)
			bad++;
	CHECK(!bad, "%d wrong results through the jump", bad);
	CHECK(atomic_read(&n_ret) == 1000 && !atomic_read(&n_bad),
	      "%d returns, %d bad", atomic_read(&n_ret), atomic_read(&n_bad));
	krp_unregister_kretprobe(&rp_a);
	CHECK(!memcmp(text, tail_orig, sizeof(tail_orig)),
	      "after unregister: %5ph", text);
	CHECK(krp_test_jump_tail(1) == 7, "wrong result after unregister");
	return ret;
}
