// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 only: call depth tracking (retbleed=stuff, 6.12).  The kernel
 * keeps a per-CPU shift register, pcpu_hot.call_depth: every accounted
 * call shifts it right by 5 (sign-filling), every return through
 * call_depth_return_thunk shifts it left by 5, and a return that shifts
 * out the last one refills the return stack buffer and credits the
 * register.  A function krp redirected returns twice for one call (to
 * krp_trampoline, then to its caller), so the trampoline must account
 * for one call of its own; without that every probed call would end one
 * return short, stuffing the RSB on the way out.
 *
 * The check: with interrupts off, the register is set to "depth 0" and
 * a target is called directly (the call goes through its call thunk).
 * After a balanced call and return the register reads "depth 0" again;
 * an unbalanced return empties it and it reads as credited (-1).  The
 * targets are leaves and krp's paths are far shallower than the 12
 * calls the register holds, so nothing saturates in between.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irqflags.h>
#include <linux/kernel.h>

#include "krp_test_common.h"
#include "krp_test_targets.h"

#ifdef CONFIG_MITIGATION_CALL_DEPTH_TRACKING
#include <asm/current.h>
#include <asm/cpufeature.h>

/* bit 63 alone: no call outstanding, as the kernel's reset writes it */
#define DEPTH_ZERO	(1ULL << 63)

static atomic_t cd_entries, cd_returns;

static int cd_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&cd_entries);
	return 0;
}

static int cd_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&cd_returns);
	return 0;
}

/* The register after one direct call of @which's target from depth 0. */
static u64 depth_after(int which, int x, int *ret)
{
	unsigned long flags;
	u64 depth;

	local_irq_save(flags);
	this_cpu_write(pcpu_hot.call_depth, DEPTH_ZERO);
	if (which)
		*ret = krp_test_notrace(x);
	else
		*ret = krp_test_target(x);
	depth = this_cpu_read(pcpu_hot.call_depth);
	local_irq_restore(flags);
	return depth;
}

/* Each target, bare and then with a krp kretprobe on it. */
int scenario_call_depth(void)
{
	static const char * const names[] = {
		"krp_test_target", "krp_test_notrace",
	};
	struct krp_kretprobe rp;
	int ret = 0, which, v, i, err;
	u64 depth;

	if (!cpu_feature_enabled(X86_FEATURE_CALL_DEPTH)) {
		pr_info("call_depth: call depth tracking is off (boot with retbleed=stuff)\n");
		return -EOPNOTSUPP;
	}
	for (which = 0; which < ARRAY_SIZE(names); which++) {
		/* bare: the method itself must see a balanced call */
		depth = depth_after(which, 3, &v);
		CHECK(depth == DEPTH_ZERO,
		      "%s unprobed: depth register %#llx, not %#llx",
		      names[which], depth, DEPTH_ZERO);
		rp_init(&rp, names[which], cd_entry, cd_ret, 0);
		atomic_set(&cd_entries, 0);
		atomic_set(&cd_returns, 0);
		err = krp_register_kretprobe(&rp);
		if (err) {
			pr_err("call_depth: %s: %d\n", names[which], err);
			return err;
		}
		for (i = 0; i < 100; i++) {
			depth = depth_after(which, i, &v);
			if (depth != DEPTH_ZERO) {
				CHECK(0, "%s probed, call %d: depth register %#llx, not %#llx",
				      names[which], i, depth, DEPTH_ZERO);
				break;
			}
		}
		krp_unregister_kretprobe(&rp);
		CHECK(atomic_read(&cd_entries) == atomic_read(&cd_returns) &&
		      atomic_read(&cd_returns) >= 100,
		      "%s: %d entries, %d returns", names[which],
		      atomic_read(&cd_entries), atomic_read(&cd_returns));
		pr_info("call_depth: %s (%s entry): %d returns\n",
			names[which], which ? "int3" : "ftrace",
			atomic_read(&cd_returns));
	}
	return ret;
}
#else
int scenario_call_depth(void)
{
	pr_info("call_depth: this kernel has no call depth tracking\n");
	return -EOPNOTSUPP;
}
#endif
