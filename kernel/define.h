/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probe definitions written in the kprobe_events syntax to
 * /proc/krp/probes (see define.c); their hit path is in events.c.
 */
#ifndef KRP_DEFINE_H
#define KRP_DEFINE_H

#include <linux/list.h>
#include <linux/types.h>

#include <krp/kprobes.h>

#include "fetch.h"
#include "hist.h"

struct proc_dir_entry;
struct seq_file;

/* One definition: a probe of krp's own, with its events and histogram. */
struct krp_def {
	struct list_head node;		/* on krp_defs, krp_defs_mutex */
	char *group;
	char *event;
	char *sym;			/* [MOD:]SYM */
	char *where;			/* [MOD:]SYM[+offs], as listed */
	unsigned int offset;
	bool is_ret;
	unsigned int nsaved;		/* $argN a return probe saves */
	struct krp_kretprobe rp;	/* r: the probe */
	struct krp_kprobe kp;		/* p: the probe */
	struct krp_hist hist;		/* r: latencies */
	struct proc_dir_entry *hist_pde;
	unsigned int nargs;
	struct krp_fetch args[];
};

/* What a return probe keeps from entry to return. */
struct krp_def_frame {
	u64 start_ns;
	unsigned long args[];		/* $arg1.. $arg<nsaved> */
};

int krp_defs_init(struct proc_dir_entry *hist_dir);
void krp_defs_exit(void);
int krp_def_command(const char *cmd);
void krp_defs_clear(void);
int krp_defs_show(struct seq_file *m, void *v);

#endif /* KRP_DEFINE_H */
