/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The types every part of the core shares: a probe, a site, the
 * counters.  Functions are declared in the header of the file that
 * defines them; the arch contract is in arch.h.  Nothing here is API.
 */
#ifndef KRP_INTERNAL_H
#define KRP_INTERNAL_H

#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <krp/kprobes.h>
#include <krp_arch.h>

/* Why an entry did not get a frame; each has a counter in krp/stats. */
enum krp_miss {
	KRP_MISS_RECURSION,	/* krp re-entered in the same context */
	KRP_MISS_DEPTH,		/* the task's pool is at its bound */
	KRP_MISS_NOPOOL,	/* no pool, or no segment to grow: out of memory */
	KRP_MISS_DECLINED,	/* the entry handler returned non-zero */
	KRP_MISS_RCU,		/* hit where RCU is not watching */
	KRP_MISS_POST,		/* more post-handlers on one hit than krp holds */
	KRP_MISS_KPROBE,	/* a kernel kprobe's handler ran (the kprobe hook) */
	KRP_MISS_NR,
};

/*
 * Global per-CPU counters of what is rare or has no probe to count it
 * on.  What every hit does is counted once, on its probe (struct
 * krp_probe_stats), and summed into krp/stats when it is read.
 */
struct krp_cpu_stats {
	unsigned long stale;		/* frames reclaimed by stack position */
	unsigned long exited;		/* frames reclaimed at task free */
	unsigned long dead_released;	/* frames of unregistered probes back */
	unsigned long int3_traps;	/* int3 entries taken */
	unsigned long step_traps;	/* single-step traps taken */
	unsigned long jump_hits;	/* entries by a jump, no trap */
	unsigned long pools_deferred;	/* forks whose pool the worker gave */
	unsigned long miss[KRP_MISS_NR];
	unsigned int max_segs;		/* most segments one pool chained */
};

/* What krp/stats shows, summed when read (stats.c). */
struct krp_stats_sum {
	struct krp_cpu_stats cpu;	/* max_segs: the maximum */
	unsigned long hits;		/* frames taken and kept */
	unsigned long released;		/* frames given back, all causes */
};
/* stats.c */
DECLARE_PER_CPU(struct krp_cpu_stats, krp_stats);

/* Per-probe per-CPU counters. */
struct krp_probe_stats {
	unsigned long hits;		/* plain kprobes: pre-handler runs */
	unsigned long pushed;		/* frames taken and kept */
	unsigned long popped;		/* frames given back while registered */
	unsigned long missed;		/* rp->nmissed causes */
	unsigned long kp_missed;	/* rp->kp.nmissed causes */
};

enum krp_probe_state {
	KRP_LIVE,		/* registered */
	KRP_DEAD,		/* unregistered, frames may be outstanding */
};

/*
 * krp's state for one registered kretprobe.  It outlives the client's
 * struct krp_kretprobe when frames are outstanding at unregister: the
 * frames point here, and the last one frees it.
 */
struct krp_probe {
	struct krp_kprobe *kp;		/* the client's; NULL once dead */
	struct krp_kretprobe *rp;	/* return probes; NULL once dead */
	struct krp_probe **link;	/* client's pointer back to us */
	bool is_ret;
	krp_kretprobe_handler_t handler;
	krp_kretprobe_handler_t entry_handler;
	krp_kprobe_pre_handler_t pre_handler;
	krp_kprobe_post_handler_t post_handler;
	struct krp_site *site;
	unsigned int frame_size;	/* bytes a frame takes in a pool */
	int state;			/* enum krp_probe_state */
	bool disabled;			/* entries skipped */
	/*
	 * Its returns restore every register: not entered at an ftrace
	 * site, a C function's first instruction, whose callers keep only
	 * what the C ABI says a call keeps (struct krp_ret_to).
	 */
	bool ret_all_regs;
	struct krp_probe_stats __percpu *stats;
	/* frames still out after unregister, biased until counted */
	atomic_long_t drain;
	struct list_head site_node;	/* on site->probes, RCU */
	struct list_head all_node;	/* on krp_probes, krp_mutex */
	struct work_struct free_work;
	struct irq_work free_irq_work;	/* the last frame may go in NMI */
};

/* One probed address; several probes may share it. */
struct krp_site {
	unsigned long addr;
	struct hlist_node hash_node;	/* RCU */
	struct list_head probes;	/* RCU, registration order */
	unsigned int nkprobes;		/* plain kprobes on @probes */
	/* probes on @probes that read registers at entry: kprobes, entry handlers */
	unsigned int nregs;
	/*
	 * The site's only probe, when that is an enabled return probe
	 * without entry handler, as most are; else NULL.  The hit path takes
	 * it without walking @probes (krp_site_lean_update()).
	 */
	struct krp_probe *lean;
	char sym[KSYM_NAME_LEN];
	char modname[MODULE_NAME_LEN];	/* "" for vmlinux */
	unsigned int offset;
	bool gone;
	bool armed;			/* the entry hook is in place */
	bool stuck;			/* given up, int3 not taken out yet */
	struct list_head stuck_node;
	bool int3;			/* entry by int3, not ftrace */
	bool direct;			/* armed, by a direct call (direct.c) */
	struct krp_arch_site arch;	/* int3 sites: the arch's part */
	struct list_head guards;	/* armed int3 sites: krp_guards_add() */
	unsigned long jump_gen;		/* optimize.c: when its detour came */
	struct rcu_head rcu;
};

/* site.c: serializes registration, arming and every text change */
extern struct mutex krp_mutex;
/* site.c: false while krp/enabled says 0 */
extern bool krp_armed;
/* register.c: every registered probe, on all_node */
extern struct list_head krp_probes;
/* register.c: unregistered, waiting for their grace period, on all_node */
extern struct list_head krp_dying;

#endif /* KRP_INTERNAL_H */
