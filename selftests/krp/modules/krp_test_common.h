/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the scenario families of krp_test.ko share: the CHECK() macro,
 * the event counters and log, the common handlers, worker threads, and
 * the one table of scenarios (krp_test_main.c) with every scenario's
 * entry point.
 *
 * A scenario runs in the writer's context, one at a time (run_lock in
 * krp_test_main.c), so the shared counters need no more than atomics
 * for the handlers that run on other CPUs or in interrupts.
 */
#ifndef KRP_TEST_COMMON_H
#define KRP_TEST_COMMON_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/types.h>

#include <krp/kprobes.h>

#include "krp_test_targets.h"

/* Logs a failed condition and fails the calling scenario (its ret). */
#define CHECK(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			pr_err("%s:%d: check failed: %s: " fmt "\n",	\
			       __func__, __LINE__, #cond, ##__VA_ARGS__); \
			ret = -EINVAL;					\
		}							\
	} while (0)

/*
 * The address of function @fn as a number the compiler cannot fold: an
 * address inside a function computed at build time is a relocation into
 * it, which objtool flags on IBT kernels (6.12 amd64).
 */
#define krp_test_text(fn)						\
	({								\
		unsigned long __addr = (unsigned long)(fn);		\
									\
		OPTIMIZER_HIDE_VAR(__addr);				\
		__addr;							\
	})

/* where a probe of @fn by name is placed: after an ENDBR */
void *krp_test_entry(void *fn);

/* krp_test_common.c: counters and an event log for order checks */
extern atomic_t n_entry, n_ret, n_bad;
#define LOG_MAX 1024
extern int krp_log[LOG_MAX];
extern atomic_t krp_nlog;
void log_event(int ev);
void counters_reset(void);

/* the return probes most scenarios use, and how they are set up */
extern struct krp_kretprobe rp_a, rp_b, rp_c;
void rp_init(struct krp_kretprobe *rp, const char *sym,
	     krp_kretprobe_handler_t entry, krp_kretprobe_handler_t ret,
	     size_t data_size);

/* handlers shared by several families; see krp_test_common.c */
int arg_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int retval_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int rec_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int sleep_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
int count_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs);

/*
 * Callers that race with unregister (krp_test_common.c): a handler must
 * never run once krp_unregister_*() has returned, and every entry a
 * handler saw is either returned or abandoned by that unregister.
 */
struct track_data {
	long arg;
	long gen;
};

#define TRACK_MAX 8
extern atomic_t n_late, n_abandoned;
void track_reset(void);
int track_caller(void);
void track_arm(void);
void track_disarmed(void);
int track_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
long track_return(struct krp_kretprobe_instance *ri);
void track_settle(int caller);
int track_check(const char *what);

/*
 * One kthread bound to each online CPU, at most WORKERS_MAX of them, until
 * workers_stop().  Not NR_CPUS: on amd64 that is 8192, and an array of
 * it on the stack is 64 KiB.
 */
#define WORKERS_MAX 64
extern atomic_t stress_bad;
extern bool stress_stop;
unsigned int workers_start(int (*fn)(void *), const char *name,
			   struct task_struct **workers);
void workers_stop(struct task_struct **workers, unsigned int nw);
/* a preemption point: the CPU given up without a voluntary switch */
void spin_yield(void);

/*
 * 0, or -EOPNOTSUPP where krp refuses every int3 site: a scenario that
 * needs one returns that first, and the user side says SKIP.
 */
int krp_test_need_int3(void);

/* A number for the user side, in krp_test/report (krp_test_report.c). */
void krp_test_report(const char *key, long val);
void krp_test_report_reset(void);
extern const struct file_operations krp_test_report_fops;

/* The one table of scenarios, in krp_test_main.c. */
struct krp_test_scenario {
	const char *name;
	int (*fn)(void);
};

/* krp_test_jump.c: jumps instead of int3s */
int scenario_jump_arm(void);
int scenario_jump_call(void);
int scenario_jump_inside(void);
int scenario_jump_disarm(void);
int scenario_jump_before(void);
int scenario_jump_shared(void);
int scenario_jump_reserved(void);
int scenario_jump_churn(void);
int scenario_jump_tail_arm(void);
int scenario_jump_tail_call(void);

/* krp_test_kretprobe.c: the return-probe API from a single task */
int scenario_retval(void);
int scenario_retval_set(void);
int scenario_data(void);
int scenario_recursion(void);
int scenario_recursion_fresh(void);
int scenario_multi(void);
int scenario_depth(void);
int scenario_batch(void);
int scenario_badinput(void);
int scenario_handler_recursion(void);
int scenario_declined(void);

/* krp_test_lifecycle.c: tasks inside a probe while it changes */
int scenario_sleepers(void);
int scenario_unregister(void);
int scenario_find_ret_addr(void);
int scenario_disable(void);
int scenario_exit(void);
int scenario_slab_start(void);
int scenario_slab_arm(void);
int scenario_slab_disarm(void);
int scenario_slab_stop(void);
void krp_test_slab_exit(void);

/* krp_test_stress.c: every CPU, and interrupts, in the probes */
int scenario_irq_nesting(void);
int scenario_irq_nesting_counted(void);
int scenario_stress(void);

/* krp_test_int3.c: return probes entered through an int3 */
int scenario_int3(void);

/* krp_test_kprobe.c: kprobes in the test module's own functions */
int scenario_kprobe(void);

/* krp_test_ool.c: every instruction of the hand-written targets */
int scenario_ool_arm_boost(void);
int scenario_ool_arm_step(void);
int scenario_ool_call(void);
int scenario_ool_disarm(void);
int scenario_ool_ret(void);
int scenario_ool_reenter(void);
int scenario_ool_stress(void);

/* krp_test_extable.c */
int scenario_extable_boost(void);
int scenario_extable_step(void);
int scenario_extable_refuse(void);
int scenario_extable_form(void);

/* krp_test_sites.c: addresses krp refuses or shares with the kernel */
int scenario_neighbours(void);
int scenario_refuse(void);

/* krp_test_every.c: every instruction of real kernel functions */
int scenario_arm_every(void);
int scenario_arm_every_boost(void);
int scenario_disarm_every(void);
int scenario_arm_every_ret(void);
int scenario_disarm_every_ret(void);

/* krp_test_armed.c: probes left armed for user space */
int scenario_hold_pipe(void);
int scenario_arm_target(void);
int scenario_disarm_target(void);
int scenario_arm_int3(void);
int scenario_disarm_int3(void);

/* krp_test_reliab.c: the defects found in review, one scenario each */
int krp_rel_opt(int x);		/* hand-written: x + 67 */
int scenario_ctx_handlers(void);
int scenario_resolve_name(void);
int scenario_rcu_idle(void);
int scenario_cpu_dead_arm(void);
int scenario_cpu_dead_disarm(void);
int scenario_gone_stuck_arm(void);
int scenario_gone_stuck_check(void);
int scenario_post_full(void);
int scenario_pre_stop(void);
int scenario_find_runnable(void);
int scenario_opt_inside(void);
int scenario_play_idle(void);

/* krp_test_faults.c: under fail-nth (faults group, debug kernels) */
int scenario_fault_reg(void);
int scenario_fault_int3(void);
int scenario_fault_batch(void);
int scenario_fault_kprobe(void);
int scenario_fault_arm(void);
int scenario_fault_call(void);
int scenario_fault_off(void);
int scenario_fault_disarm(void);

/* krp_test_stacktrace.c: stack traces through krp's trampoline */
int scenario_st_return(void);
int scenario_st_nested(void);
int scenario_st_entry(void);
int scenario_st_sleep_arm(void);
int scenario_st_sleep_release(void);

/* krp_test_spin.c: registrations beside a task holding up RCU-tasks */
int scenario_spin_arm(void);
int scenario_spin_churn(void);

/* krp_test_storm.c: many tasks, every CPU, NMIs, the kernel's probes */
int scenario_exit_storm(void);
int scenario_churn(void);
int scenario_nmi(void);
int scenario_mixed(void);
int scenario_idle_arm(void);
int scenario_idle_disarm(void);
int scenario_rmmod_arm(void);
int scenario_btrace_arm(void);
int scenario_btrace_disarm(void);
int scenario_rmmod_disarm(void);

/* krp_test_calldepth.c (x86_64): retbleed=stuff's call depth register */
int scenario_call_depth(void);

/* krp_test_direct.c (x86_64): the direct-call entry and a direct slot held */
void krp_test_direct_tramp(void);	/* krp_test_direct_64.S */
int scenario_direct_hold(void);
int scenario_direct_release(void);
int scenario_direct_arm(void);
int scenario_direct_disarm(void);
int scenario_direct_calls(void);
int scenario_direct_lean(void);
void krp_test_direct_exit(void);

/* krp_test_kphook.c (i386): the entry through a kernel kprobe of krp's */
int scenario_kphook_arm(void);
int scenario_kphook_disarm(void);
int scenario_kphook_outer_arm(void);
int scenario_kphook_calls(void);
int scenario_kphook_full(void);
int scenario_kphook_regs_arm(void);
int scenario_kphook_regs_disarm(void);
int scenario_kphook_shared(void);
int scenario_kphook_nested_dropped(void);
int scenario_kphook_nested_seen(void);
void krp_test_kphook_exit(void);

/* krp_test_fuzz.c: random and malformed registrations, seeded */
int scenario_fuzz_register(void);
int scenario_fuzz_hold(void);
int scenario_fuzz_release(void);

/* What each family left registered, unregistered at module exit. */
void krp_test_armed_exit(void);
void krp_test_kprobe_exit(void);
void krp_test_every_exit(void);
void krp_test_ool_exit(void);
void krp_test_extable_exit(void);
void krp_test_reliab_exit(void);
void krp_test_stacktrace_exit(void);
void krp_test_faults_exit(void);
void krp_test_storm_exit(void);
void krp_test_spin_exit(void);
void krp_test_fuzz_exit(void);

#endif /* KRP_TEST_COMMON_H */
