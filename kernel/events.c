// SPDX-License-Identifier: GPL-2.0
/*
 * The hit path of probe definitions: a return probe's entry keeps the
 * time and the arguments its fetch args name, its return counts the
 * latency in the probe's histogram and, while krp:krp_ret is enabled,
 * emits it; a plain probe emits krp:krp_entry.  Only definitions get
 * these handlers, so the probes of client modules emit nothing.
 *
 * NMI-safe: ktime_get_mono_fast_ns() is the clock made for NMI (and the
 * one BPF tools time with), the args are formatted on the stack by the
 * fault-safe fetch code, and the ring buffer takes events in NMI.
 */
#include <linux/ktime.h>

#define CREATE_TRACE_POINTS
#include "krp_trace.h"

#include "define.h"
#include "events.h"

/**
 * krp_def_entry() - entry handler of a defined return probe
 * @ri: the instance
 * @regs: the registers at entry
 *
 * Return: 0, the return is always probed.
 */
int krp_def_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct krp_def *def = container_of(krp_get_kretprobe(ri),
					   struct krp_def, rp);
	struct krp_def_frame *f = (struct krp_def_frame *)ri->data;
	unsigned int i;

	for (i = 0; i < def->nsaved; i++)
		f->args[i] = regs_get_kernel_argument(regs, i);
	/* last, so that the fetches are not counted in the latency */
	f->start_ns = ktime_get_mono_fast_ns();
	return 0;
}

/**
 * krp_def_return() - return handler of a defined return probe
 * @ri: the instance
 * @regs: the registers at return
 *
 * Return: 0.
 */
int krp_def_return(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	u64 delta = ktime_get_mono_fast_ns();
	struct krp_def *def = container_of(krp_get_kretprobe(ri),
					   struct krp_def, rp);
	struct krp_def_frame *f = (struct krp_def_frame *)ri->data;
	char args[KRP_FETCH_OUT_LEN];

	delta -= f->start_ns;
	krp_hist_add(&def->hist, delta);
	if (!trace_krp_ret_enabled())
		return 0;
	krp_fetch_format(def->args, def->nargs, regs, f->args, args,
			 sizeof(args));
	trace_krp_ret(def->event, def->where, krp_get_kretprobe_retaddr(ri),
		      regs_return_value(regs), delta, args);
	return 0;
}

/**
 * krp_def_pre() - pre-handler of a defined plain probe
 * @kp: the probe
 * @regs: the registers at the probed instruction
 *
 * Return: 0, the instruction runs.
 */
int krp_def_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	struct krp_def *def = container_of(kp, struct krp_def, kp);
	char args[KRP_FETCH_OUT_LEN];

	if (!trace_krp_entry_enabled())
		return 0;
	krp_fetch_format(def->args, def->nargs, regs, NULL, args,
			 sizeof(args));
	trace_krp_entry(def->event, def->where, args);
	return 0;
}
