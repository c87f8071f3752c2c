/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hit path of probe definitions (see events.c).
 */
#ifndef KRP_EVENTS_H
#define KRP_EVENTS_H

#include <krp/kprobes.h>

int krp_def_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int krp_def_return(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int krp_def_pre(struct krp_kprobe *kp, struct pt_regs *regs);

#endif /* KRP_EVENTS_H */
