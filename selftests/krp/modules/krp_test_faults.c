// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios for fault injection (the faults group, debug kernels only).
 * The user side arms /proc/thread-self/fail-nth before it writes one of
 * these names, so the Nth allocation of the scenario's registration
 * fails; each scenario then checks that a failure left nothing behind
 * (no probe linked, no handler runs, the text as it was) and that a
 * success works, and returns the registration's errno for the user side
 * to judge.  The checks themselves allocate nothing before the failure:
 * fail-nth counts every allocation of the task, and only the
 * registration may consume it.
 *
 * fault_arm leaves a probe armed for forked children to hit through
 * fault_call (their pools are allocated at fork, where fail-nth reaches
 * them); fault_disarm checks that every call was either returned or
 * counted as missed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/string.h>

#include "krp_test_common.h"

#define FAULT_TEXT	16
#define FAULT_BATCH	3

static atomic_t f_entry, f_ret;

static int fault_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&f_entry);
	return 0;
}

static int fault_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&f_ret);
	return 0;
}

static atomic_t f_pre, f_post;

static int fault_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	atomic_inc(&f_pre);
	return 0;
}

static void fault_post(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	atomic_inc(&f_post);
}

static void fault_reset(void)
{
	atomic_set(&f_entry, 0);
	atomic_set(&f_ret, 0);
	atomic_set(&f_pre, 0);
	atomic_set(&f_post, 0);
}

/*
 * @fn's first bytes are @text again.  An ftrace site that lost its last
 * probe stays in krp's filter, idle, until the reaper (a second later)
 * takes it out: wait for that, up to three seconds.
 */
static bool fault_text_back(void *fn, const u8 *text)
{
	int ms;

	for (ms = 0; ms < 3000; ms += 20) {
		if (!memcmp(fn, text, FAULT_TEXT))
			return true;
		msleep(20);
	}
	return false;
}

/*
 * After a failed registration of @rp on @fn (whose first bytes were
 * @text): nothing is linked, nothing fires, nothing stays patched.
 */
static int fault_left_nothing(struct krp_kretprobe *rp, void *fn,
			      const u8 *text)
{
	int ret = 0;

	CHECK(!rp->probe, "%s: a failed registration stays linked",
	      rp->kp.symbol_name);
	CHECK(fault_text_back(fn, text), "%s: text changed by a failed registration",
	      rp->kp.symbol_name);
	return ret;
}

static int fault_one(struct krp_kretprobe *rp, const char *sym,
		     int (*fn)(int))
{
	u8 text[FAULT_TEXT];
	int err, ret = 0;

	memcpy(text, fn, sizeof(text));
	fault_reset();
	rp_init(rp, sym, fault_entry, fault_ret, sizeof(long));
	err = krp_register_kretprobe(rp);
	fn(1);
	if (err) {
		ret = fault_left_nothing(rp, fn, text);
		CHECK(!atomic_read(&f_entry) && !atomic_read(&f_ret),
		      "%s: handlers of a failed registration ran", sym);
		krp_test_report("errno", -err);
		return ret ? ret : err;
	}
	CHECK(atomic_read(&f_entry) == 1 && atomic_read(&f_ret) == 1,
	      "%s: %d entries, %d returns for one call", sym,
	      atomic_read(&f_entry), atomic_read(&f_ret));
	krp_unregister_kretprobe(rp);
	CHECK(fault_text_back(fn, text), "%s: text not restored", sym);
	krp_test_report("errno", 0);
	return ret;
}

/* A return probe at an ftrace entry: probe, name, site, pools, ftrace. */
int scenario_fault_reg(void)
{
	return fault_one(&rp_a, "krp_test_target", krp_test_target);
}

/* A return probe at an int3 entry: the site's text and its slot. */
int scenario_fault_int3(void)
{
	return fault_one(&rp_a, "krp_test_int3_fn", krp_test_int3_fn);
}

/* Three return probes at once: a failure undoes the ones before it. */
int scenario_fault_batch(void)
{
	static const char * const syms[FAULT_BATCH] = {
		"krp_test_target", "krp_test_notrace", "krp_test_recurse",
	};
	/* none calls another: one call, one entry each */
	int (* const fns[FAULT_BATCH])(int) = {
		krp_test_target, krp_test_notrace, krp_test_recurse,
	};
	struct krp_kretprobe *rps[FAULT_BATCH] = { &rp_a, &rp_b, &rp_c };
	u8 text[FAULT_BATCH][FAULT_TEXT];
	int i, err, ret = 0;

	fault_reset();
	for (i = 0; i < FAULT_BATCH; i++) {
		memcpy(text[i], fns[i], FAULT_TEXT);
		rp_init(rps[i], syms[i], fault_entry, fault_ret, sizeof(long));
	}
	err = krp_register_kretprobes(rps, FAULT_BATCH);
	for (i = 0; i < FAULT_BATCH; i++)
		fns[i](0);
	if (err) {
		for (i = 0; i < FAULT_BATCH; i++) {
			int r = fault_left_nothing(rps[i], fns[i], text[i]);

			ret = ret ? ret : r;
		}
		/* handlers of a probe undone by the batch may have run */
		CHECK(atomic_read(&f_entry) == atomic_read(&f_ret),
		      "%d entries, %d returns", atomic_read(&f_entry),
		      atomic_read(&f_ret));
		krp_test_report("errno", -err);
		return ret ? ret : err;
	}
	CHECK(atomic_read(&f_entry) == FAULT_BATCH &&
	      atomic_read(&f_ret) == FAULT_BATCH,
	      "%d entries, %d returns for %d calls", atomic_read(&f_entry),
	      atomic_read(&f_ret), FAULT_BATCH);
	krp_unregister_kretprobes(rps, FAULT_BATCH);
	for (i = 0; i < FAULT_BATCH; i++)
		CHECK(fault_text_back(fns[i], text[i]), "%s: text not restored",
		      syms[i]);
	krp_test_report("errno", 0);
	return ret;
}

static struct krp_kprobe fault_kp;

/* A kprobe with a post-handler: single-stepped from an out-of-line slot. */
int scenario_fault_kprobe(void)
{
	u8 text[FAULT_TEXT];
	int err, ret = 0;

	memcpy(text, krp_test_notrace, sizeof(text));
	fault_reset();
	memset(&fault_kp, 0, sizeof(fault_kp));
	fault_kp.symbol_name = "krp_test_notrace";
	fault_kp.pre_handler = fault_pre;
	fault_kp.post_handler = fault_post;
	err = krp_register_kprobe(&fault_kp);
	krp_test_notrace(1);
	if (err) {
		CHECK(!fault_kp.probe, "a failed registration stays linked");
		CHECK(fault_text_back(krp_test_notrace, text),
		      "text changed by a failed registration");
		CHECK(!atomic_read(&f_pre) && !atomic_read(&f_post),
		      "handlers of a failed registration ran");
		krp_test_report("errno", -err);
		return ret ? ret : err;
	}
	CHECK(atomic_read(&f_pre) == 1 && atomic_read(&f_post) == 1,
	      "%d pre, %d post for one hit", atomic_read(&f_pre),
	      atomic_read(&f_post));
	krp_unregister_kprobe(&fault_kp);
	CHECK(fault_text_back(krp_test_notrace, text), "text not restored");
	krp_test_report("errno", 0);
	return ret;
}

static struct krp_kretprobe fault_rp;
static atomic_t f_calls;
/* krp_test_target's first bytes before fault_arm */
static u8 fault_rp_text[FAULT_TEXT];

/* A return probe for forked children to hit (fault_call). */
int scenario_fault_arm(void)
{
	if (fault_rp.probe)
		return -EBUSY;
	fault_reset();
	atomic_set(&f_calls, 0);
	memcpy(fault_rp_text, krp_test_target, FAULT_TEXT);
	rp_init(&fault_rp, "krp_test_target", fault_entry, fault_ret,
		sizeof(long));
	return krp_register_kretprobe(&fault_rp);
}

/* One call of the armed function, from whichever task writes this. */
int scenario_fault_call(void)
{
	if (!fault_rp.probe)
		return -ENOENT;
	atomic_inc(&f_calls);
	return krp_test_target(2) == 7 ? 0 : -EINVAL;
}

/*
 * With krp/enabled 0, the probe of fault_arm is off: a call runs no
 * handler, and the text is as before, at once or once the reaper has
 * retried a removal from the ftrace filter that an injected failure
 * put off.  The call is not one of fault_call's.
 */
int scenario_fault_off(void)
{
	int entries, rets, ret = 0;

	if (!fault_rp.probe)
		return -ENOENT;
	entries = atomic_read(&f_entry);
	rets = atomic_read(&f_ret);
	krp_test_target(2);
	CHECK(atomic_read(&f_entry) == entries && atomic_read(&f_ret) == rets,
	      "krp/enabled is 0, yet a call ran the handlers");
	CHECK(fault_text_back(krp_test_target, fault_rp_text),
	      "krp/enabled is 0, yet krp_test_target stays hooked");
	return ret;
}

/*
 * Every call ran both handlers or is counted as missed; the misses are
 * reported for the user side, which expects children without a pool.
 */
int scenario_fault_disarm(void)
{
	int calls, missed, ret = 0;

	if (!fault_rp.probe)
		return -ENOENT;
	missed = krp_kretprobe_nmissed(&fault_rp);
	krp_unregister_kretprobe(&fault_rp);
	/* and the next fault_arm reads the text as it is unprobed */
	CHECK(fault_text_back(krp_test_target, fault_rp_text),
	      "krp_test_target: text not restored");
	calls = atomic_read(&f_calls);
	CHECK(atomic_read(&f_entry) == atomic_read(&f_ret),
	      "%d entries, %d returns", atomic_read(&f_entry),
	      atomic_read(&f_ret));
	CHECK(atomic_read(&f_ret) + missed == calls,
	      "%d calls: %d returned, %d missed", calls, atomic_read(&f_ret),
	      missed);
	krp_test_report("calls", calls);
	krp_test_report("returned", atomic_read(&f_ret));
	krp_test_report("missed", missed);
	return ret;
}

void krp_test_faults_exit(void)
{
	if (fault_rp.probe)
		krp_unregister_kretprobe(&fault_rp);
}
