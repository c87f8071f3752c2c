/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the parts of krp.ko; nothing here is API.
 */
#ifndef KRP_INTERNAL_H
#define KRP_INTERNAL_H

#include <linux/ftrace.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rculist.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <krp/kprobes.h>
#include <krp_arch.h>

/* Why an entry did not get a frame; each has a counter in krp/stats. */
enum krp_miss {
	KRP_MISS_RECURSION,	/* krp re-entered in the same context */
	KRP_MISS_DEPTH,		/* the task's pool is full */
	KRP_MISS_NOPOOL,	/* the task has no pool: out of memory */
	KRP_MISS_DECLINED,	/* the entry handler returned non-zero */
	KRP_MISS_RCU,		/* hit where RCU is not watching */
	KRP_MISS_NR,
};

/* Global per-CPU event counters; the sums are what krp/stats shows. */
struct krp_cpu_stats {
	unsigned long pushed;		/* frames taken */
	unsigned long popped;		/* frames given back, all causes */
	unsigned long returns;		/* handled returns through the trampoline */
	unsigned long stale;		/* frames reclaimed by stack position */
	unsigned long exited;		/* frames reclaimed at task free */
	unsigned long int3_traps;	/* int3 entries taken */
	unsigned long step_traps;	/* single-step traps taken */
	unsigned long miss[KRP_MISS_NR];
	unsigned int max_depth;		/* deepest pool seen, in frames */
};
DECLARE_PER_CPU(struct krp_cpu_stats, krp_stats);

/* Per-probe per-CPU counters. */
struct krp_probe_stats {
	unsigned long hits;		/* plain kprobes: pre-handler runs */
	unsigned long pushed;
	unsigned long popped;
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
	char sym[KSYM_NAME_LEN];
	char modname[MODULE_NAME_LEN];	/* "" for vmlinux */
	unsigned int offset;
	bool gone;
	bool armed;			/* the entry hook is in place */
	bool stuck;			/* given up, int3 not taken out yet */
	struct list_head stuck_node;
	bool int3;			/* entry by int3, not ftrace */
	u8 orig_byte;			/* under the int3 */
	u8 text[16];			/* the instruction, as decoded */
	u8 emu;				/* enum krp_emu: the displaced insn */
	u8 emu_len;
	u8 emu_reg;
	u8 emu_reg2;			/* test: 2nd register; jcc: condition */
	u16 emu_imm;			/* ret imm16 */
	unsigned long emu_target;	/* jmp/call/jcc: where it goes */
	unsigned long slot;		/* KRP_EMU_OOL: its out-of-line copy */
	struct rcu_head rcu;
};

/* How the instruction under an int3 is carried out. */
enum krp_emu {
	KRP_EMU_NOP,
	KRP_EMU_PUSH,
	KRP_EMU_MOV_ESP_EBP,
	KRP_EMU_TEST_RR,	/* test %reg, %reg2 */
	KRP_EMU_POP,
	KRP_EMU_JMP,		/* jmp rel8/rel32 */
	KRP_EMU_JCC,		/* jcc rel8/rel32 */
	KRP_EMU_CALL,		/* call rel32 */
	KRP_EMU_RET,		/* ret, ret imm16 */
	KRP_EMU_PUSHF,
	KRP_EMU_POPF,
	KRP_EMU_CLI,
	KRP_EMU_STI,
	KRP_EMU_JMP_REG,	/* jmp *%reg */
	KRP_EMU_CALL_REG,	/* call *%reg */
	KRP_EMU_LOOP,		/* loopne, loope, loop, jecxz */
	KRP_EMU_OOL,		/* not emulated: runs in site->slot */
};

extern struct mutex krp_mutex;
extern struct list_head krp_probes;
extern bool krp_armed;

/* pool.c: per-task instance pools; the hit-path part is in pool.h */
int krp_pools_init(void);
void krp_pools_exit(void);
int krp_pools_enable(void);
unsigned long krp_pools_count(void);
unsigned int krp_pool_capacity(void);

/* slots.c: out-of-line slots, under krp_mutex */
unsigned long krp_slot_alloc(void);
void krp_slot_free(unsigned long slot);
unsigned int krp_slots_count(unsigned int *dirty);

/* kretprobe.c: a frame of @p went away by any path */
void krp_frame_release(struct krp_probe *p);

/* kretprobe.c */
int krp_kretprobe_init(void);
void krp_kretprobe_exit(void);
int krp_arm_all(bool arm);
unsigned long krp_trampoline_handler(struct pt_regs *regs,
				     unsigned long *slot);
bool krp_int3_entry(struct pt_regs *regs, unsigned long addr);
bool krp_step_trap(struct pt_regs *regs);

/* resolve.c */
int krp_resolve(struct krp_kprobe *kp, unsigned long *addr, bool *shared);
void krp_resolve_remember(struct krp_kprobe *kp, unsigned long addr);
void krp_resolve_forget(const char *modname);
int krp_describe(unsigned long addr, char *sym, unsigned int *offset,
		 char *modname);
bool krp_kernel_probes_inside(unsigned long addr, unsigned int len);
void krp_borrowed_flush(void);

/* stats.c */
void krp_probe_fold(struct krp_probe *p);
void krp_stats_sum(struct krp_cpu_stats *sum);
unsigned long krp_probe_hits(struct krp_probe *p);

/* debugfs.c */
int krp_debugfs_init(void);
void krp_debugfs_exit(void);

/* arch: the return trampoline and whatever it needs at load */
int krp_arch_init(void);
void krp_arch_exit(void);
int krp_arch_check_boundary(unsigned long addr, unsigned int offset);
bool krp_site_orig_byte(unsigned long addr, u8 *byte);
bool krp_site_lookup(const char *name, unsigned int offset, unsigned long addr,
		     unsigned long *found);
int krp_text_write(unsigned long addr, const void *src, size_t len);
int krp_arch_int3_prepare(struct krp_site *site);
void krp_arch_int3_release(struct krp_site *site);
int krp_arch_int3_arm(struct krp_site *site);
int krp_arch_int3_disarm(struct krp_site *site);
void krp_arch_int3_emulate(struct krp_site *site, struct pt_regs *regs);
void krp_arch_int3_boost(struct krp_site *site, struct pt_regs *regs);
void krp_arch_step_begin(struct krp_site *site, struct pt_regs *regs,
			 unsigned long *saved);
bool krp_arch_step_end(struct krp_site *site, struct pt_regs *regs,
		       unsigned long saved);

#endif /* KRP_INTERNAL_H */
