// SPDX-License-Identifier: GPL-2.0
/*
 * Return probes: registration, the entry hook and the return handler.
 *
 * Entry goes through ftrace where ftrace can hook the function, and
 * through an int3 elsewhere (arch/x86/kernel/text.c).  The ftrace entry
 * is one ftrace_ops shared by every probed address.  An
 * ops per probe would put every registered probe on ftrace's list walk
 * for every traced call, and make every unregister wait for two
 * RCU-tasks grace periods (ftrace frees dynamic ops that way).  The
 * shared ops keeps a never-called anchor function in its filter so the
 * filter is never empty while registered: an empty filter means "trace
 * everything".
 *
 * Teardown: a probe that is unregistered while tasks are inside its
 * function becomes DEAD.  Its frames still restore the right return
 * address, its handler is not called, and the last frame frees it.
 * While any such frame is out, krp.ko holds a reference on itself, so
 * it cannot be unloaded while a return address points into its
 * trampoline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "internal.h"
#include "pool.h"

DEFINE_MUTEX(krp_mutex);
LIST_HEAD(krp_probes);

#define KRP_SITE_BITS	8
static struct hlist_head krp_site_table[1 << KRP_SITE_BITS];

/* one bit per interrupt context level: krp is running a handler there */
static DEFINE_PER_CPU(unsigned int, krp_busy);

static struct workqueue_struct *krp_wq;
static bool krp_ops_registered;
static unsigned int krp_nsites;

/* Far above any count of frames; see krp_unregister_one(). */
#define KRP_DRAIN_BIAS	(LONG_MAX / 2)

static void krp_ftrace_handler(unsigned long ip, unsigned long parent_ip,
			       struct ftrace_ops *ops,
			       struct ftrace_regs *fregs);

/*
 * RECURSION: ftrace guards the callback against recursion and calls it
 * with preemption disabled, which the RCU lookups, the per-CPU state and
 * unregister's synchronize_rcu() rely on.  On i386 a module's ops always
 * goes through ftrace's list function, which does both anyway.
 */
static struct ftrace_ops krp_ftrace_ops = {
	.func = krp_ftrace_handler,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION,
};

/* Keeps krp_ftrace_ops' filter non-empty; never called. */
static noinline void krp_ftrace_anchor(void)
{
	barrier();
}

static struct krp_site *notrace krp_site_find(unsigned long addr)
{
	struct krp_site *site;
	struct hlist_head *head = &krp_site_table[hash_long(addr, KRP_SITE_BITS)];

	hlist_for_each_entry_rcu_notrace(site, head, hash_node)
		if (site->addr == addr)
			return site;
	return NULL;
}
NOKPROBE_SYMBOL(krp_site_find);

static void notrace krp_miss(struct krp_probe *p, enum krp_miss why)
{
	struct krp_kretprobe *rp;

	__this_cpu_inc(krp_stats.miss[why]);
	if (!p || why == KRP_MISS_DECLINED)
		return;
	/*
	 * The per-CPU counts are exact and folded into the client's struct
	 * whenever krp reports them; the racy bump keeps a client that
	 * reads nmissed directly, as kernel clients do, roughly current.
	 * Misses are rare in krp, so the shared write stays off hits.
	 */
	if (why == KRP_MISS_RECURSION || why == KRP_MISS_RCU) {
		struct krp_kprobe *kp = READ_ONCE(p->kp);

		__this_cpu_inc(p->stats->kp_missed);
		if (kp)	/* racy on purpose, see above */
			data_race(kp->nmissed++);
	} else {
		rp = READ_ONCE(p->rp);
		__this_cpu_inc(p->stats->missed);
		if (rp)	/* racy on purpose, see above */
			data_race(rp->nmissed++);
	}
}
NOKPROBE_SYMBOL(krp_miss);

/*
 * A probed function is entered: regs->sp points at the return address.
 * Handlers see regs->ip as after an int3 on the first byte, as the
 * kernel's kprobes show it; whatever they do to it, the function then
 * runs normally.  Preemption is disabled.
 */
/* post-handlers of one hit, run once the probed instruction has run */
#define KRP_MAX_POST	8
struct krp_post {
	struct krp_probe *probe[KRP_MAX_POST];
	unsigned int n;
	bool redirected;	/* a pre-handler set regs->ip itself */
};

/* A plain kprobe's pre-handler; krp_busy is set. */
static __always_inline void krp_kprobe_pre(struct krp_probe *p,
					   struct pt_regs *regs,
					   struct krp_post *post)
{
	__this_cpu_inc(p->stats->hits);
	if (p->pre_handler && p->pre_handler(p->kp, regs))
		post->redirected = true;
	if (p->post_handler && post->n < KRP_MAX_POST)
		post->probe[post->n++] = p;
}

static __always_inline void krp_entry(struct krp_site *site,
				      struct pt_regs *regs, unsigned long ip,
				      struct krp_post *post)
{
	unsigned int level = BIT(interrupt_context_level());
	unsigned long *slot, orig_ip, tramp = krp_arch_trampoline();
	struct krp_kretprobe_instance *ri;
	struct krp_pool *pool;
	struct krp_probe *p;

	if (unlikely(__this_cpu_read(krp_busy) & level)) {
		list_for_each_entry_rcu(p, &site->probes, site_node)
			if (!READ_ONCE(p->disabled) &&
			    READ_ONCE(p->state) == KRP_LIVE)
				krp_miss(p, KRP_MISS_RECURSION);
		return;
	}

	pool = NULL;
	slot = krp_arch_ret_slot(regs);
	orig_ip = instruction_pointer(regs);
	instruction_pointer_set(regs, ip + 1);
	list_for_each_entry_rcu(p, &site->probes, site_node) {
		if (READ_ONCE(p->disabled) || READ_ONCE(p->state) != KRP_LIVE)
			continue;
		if (!p->is_ret) {
			__this_cpu_or(krp_busy, level);
			krp_kprobe_pre(p, regs, post);
			__this_cpu_and(krp_busy, ~level);
			continue;
		}
		/* plain kprobes' sites have no use for a pool */
		if (!pool)
			pool = krp_pool_of(current);
		if (unlikely(!pool)) {
			krp_miss(p, KRP_MISS_NOPOOL);
			continue;
		}
		ri = krp_frame_push(pool, p->frame_size);
		if (unlikely(!ri)) {
			krp_miss(p, KRP_MISS_DEPTH);
			continue;
		}
		ri->probe = p;
		ri->frame = slot;
		ri->ret_addr = *slot;
		if (p->entry_handler) {
			int declined;

			__this_cpu_or(krp_busy, level);
			declined = p->entry_handler(ri, regs);
			__this_cpu_and(krp_busy, ~level);
			if (declined) {
				krp_frame_pop(pool, ri);
				krp_miss(p, KRP_MISS_DECLINED);
				continue;
			}
		}
		__this_cpu_inc(p->stats->pushed);
		*slot = tramp;
	}
	if (!post->redirected)
		instruction_pointer_set(regs, orig_ip);
}

/* Post-handlers, after the probed instruction ran (or was emulated). */
static __always_inline void krp_entry_post(struct pt_regs *regs,
					   struct krp_post *post)
{
	unsigned int level = BIT(interrupt_context_level());
	unsigned int i;

	__this_cpu_or(krp_busy, level);
	for (i = 0; i < post->n; i++)
		post->probe[i]->post_handler(post->probe[i]->kp, regs, 0);
	__this_cpu_and(krp_busy, ~level);
}

/* The ftrace entry hook; ftrace disables preemption around it. */
static void notrace krp_ftrace_handler(unsigned long ip,
				       unsigned long parent_ip,
				       struct ftrace_ops *ops,
				       struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct krp_post post;
	struct krp_site *site;
	unsigned long orig_ip;

	/* Our tables are RCU-protected; some traced code runs without RCU. */
	if (unlikely(!rcu_is_watching())) {
		krp_miss(NULL, KRP_MISS_RCU);
		return;
	}
	site = krp_site_find(ip);
	if (unlikely(!site || !regs))
		return;
	orig_ip = instruction_pointer(regs);
	post.n = 0;
	post.redirected = false;
	krp_entry(site, regs, ip, &post);
	/*
	 * Without IPMODIFY krp cannot send the function elsewhere: a
	 * pre-handler's regs->ip is undone and its post-handler still runs,
	 * with regs->ip just past the ftrace call.
	 */
	if (post.redirected)
		instruction_pointer_set(regs, orig_ip);
	if (unlikely(post.n))
		krp_entry_post(regs, &post);
}
NOKPROBE_SYMBOL(krp_ftrace_handler);

/*
 * Single-steps in progress on this CPU.  Interrupts are off from the
 * int3 to its debug trap, so only an NMI (or machine check) can nest a
 * step inside another; a stack keeps them apart.  A record is reserved
 * before it is filled, so that a nesting step takes the next one, and
 * its site is cleared before it is given back, so that a reserved one
 * reads as unfilled.
 */
#define KRP_STEP_DEPTH	4
struct krp_step {
	struct krp_site *site;
	unsigned long saved;
	struct krp_post post;
};
struct krp_steps {
	unsigned int n;
	struct krp_step step[KRP_STEP_DEPTH];
};
static DEFINE_PER_CPU(struct krp_steps, krp_steps);

static bool notrace krp_step_begin(struct krp_site *site,
				   struct pt_regs *regs, struct krp_post *post)
{
	struct krp_steps *steps = this_cpu_ptr(&krp_steps);
	struct krp_step *step;
	unsigned int i;

	if (unlikely(steps->n == KRP_STEP_DEPTH)) {
		for (i = 0; i < post->n; i++)
			krp_miss(post->probe[i], KRP_MISS_RECURSION);
		return false;
	}
	step = &steps->step[steps->n++];
	barrier();
	step->site = site;
	step->post = *post;
	krp_arch_step_begin(site, regs, &step->saved);
	return true;
}
NOKPROBE_SYMBOL(krp_step_begin);

/**
 * krp_step_trap() - a single-step debug trap
 * @regs: its registers, in NMI-like context
 *
 * Called by the arch's debug trap hook.  The innermost step of this CPU
 * is the one that trapped, if any is krp's: its post-handlers run with
 * regs->ip after the original instruction, as the kernel's do.
 *
 * Return: true if the trap was krp's.
 */
bool notrace krp_step_trap(struct pt_regs *regs)
{
	struct krp_steps *steps = this_cpu_ptr(&krp_steps);
	struct krp_step *step;
	struct krp_post post;

	if (!steps->n)
		return false;
	step = &steps->step[steps->n - 1];
	/* reserved, not filled yet: a debug trap that is not ours */
	if (!step->site || !krp_arch_step_end(step->site, regs, step->saved))
		return false;
	post = step->post;
	step->site = NULL;
	barrier();
	steps->n--;
	__this_cpu_inc(krp_stats.step_traps);
	krp_entry_post(regs, &post);
	return true;
}
NOKPROBE_SYMBOL(krp_step_trap);

/**
 * krp_int3_entry() - the int3 entry hook
 * @regs: registers of the trap, in NMI-like context
 * @addr: address of the int3
 *
 * Called by the arch's trap hook.  Whatever happens to the probes, the
 * instruction under the int3 is carried out: emulated here, or run from
 * its out-of-line slot, single-stepped there when a post-handler waits
 * for it and boosted (no second trap) otherwise.
 *
 * Return: true if the int3 is krp's, and handled.
 */
bool notrace krp_int3_entry(struct pt_regs *regs, unsigned long addr)
{
	struct krp_site *site = krp_site_find(addr);
	struct krp_post post = { .n = 0, .redirected = false };

	if (!site || !site->int3)
		return false;
	__this_cpu_inc(krp_stats.int3_traps);
	krp_entry(site, regs, addr, &post);
	/* a pre-handler that set regs->ip skips the instruction, as in kprobes */
	if (post.redirected)
		return true;
	if (site->emu != KRP_EMU_OOL) {
		krp_arch_int3_emulate(site, regs);
		if (unlikely(post.n))
			krp_entry_post(regs, &post);
		return true;
	}
	if (unlikely(post.n) && krp_step_begin(site, regs, &post))
		return true;
	krp_arch_int3_boost(site, regs);
	return true;
}
NOKPROBE_SYMBOL(krp_int3_entry);

static void krp_probe_free(struct krp_probe *p)
{
	free_percpu(p->stats);
	kfree(p);
}

static void krp_probe_free_work(struct work_struct *work)
{
	struct krp_probe *p = container_of(work, struct krp_probe, free_work);

	/* the irq_work that queued us may still be finishing */
	irq_work_sync(&p->free_irq_work);
	krp_probe_free(p);
	/* taken when this probe was unregistered with frames out */
	module_put(THIS_MODULE);
}

static void krp_probe_free_irq_work(struct irq_work *work)
{
	struct krp_probe *p = container_of(work, struct krp_probe,
					   free_irq_work);

	queue_work(krp_wq, &p->free_work);
}

/*
 * The last frame of an unregistered probe frees it.  That may happen in
 * NMI, where queue_work() must not be called: go through an irq_work.
 */
static void notrace krp_frame_release_dead(struct krp_probe *p)
{
	if (atomic_long_dec_and_test(&p->drain))
		irq_work_queue(&p->free_irq_work);
}
NOKPROBE_SYMBOL(krp_frame_release_dead);

static __always_inline void __krp_frame_release(struct krp_probe *p)
{
	if (likely(READ_ONCE(p->state) == KRP_LIVE))
		__this_cpu_inc(p->stats->popped);
	else
		krp_frame_release_dead(p);
}

/**
 * krp_frame_release() - account for a frame of @p that went away
 * @p: the frame's probe
 *
 * Called with preemption disabled when a frame is reclaimed.
 */
void notrace krp_frame_release(struct krp_probe *p)
{
	__krp_frame_release(p);
}
NOKPROBE_SYMBOL(krp_frame_release);

static void __noreturn krp_lost_frame(unsigned long *slot)
{
	pr_emerg("no frame for return slot %p of task %d (%s)\n",
		 slot, task_pid_nr(current), current->comm);
	BUG();
}

/*
 * The top frame is not @slot's: functions above were left without
 * returning (their stack is gone).  Reclaim their frames.
 */
static struct krp_kretprobe_instance *notrace
krp_reclaim_stale(struct krp_pool *pool, unsigned long *slot)
{
	struct krp_kretprobe_instance *ri, *top;
	struct krp_probe *p;

	for (ri = krp_frame_top(pool); ri && ri->frame != slot;)
		ri = krp_frame_below(pool, ri);
	if (unlikely(!ri))
		krp_lost_frame(slot);
	while ((top = krp_frame_top(pool)) != ri) {
		p = top->probe;
		krp_frame_pop(pool, top);
		__this_cpu_inc(krp_stats.stale);
		__krp_frame_release(p);
	}
	return ri;
}
NOKPROBE_SYMBOL(krp_reclaim_stale);

/*
 * Several probes on one function, or a tail call between probed
 * functions: each later frame of @slot saw the trampoline as return
 * address; the oldest frame of @slot has the real one.  Frames of other
 * slots in between are stale; the pop loop reclaims them.
 */
static struct krp_kretprobe_instance *notrace
krp_oldest_of_slot(struct krp_pool *pool, struct krp_kretprobe_instance *ri,
		   unsigned long *slot)
{
	unsigned long tramp = krp_arch_trampoline();

	while (ri->frame != slot || ri->ret_addr == tramp) {
		ri = krp_frame_below(pool, ri);
		if (unlikely(!ri))
			krp_lost_frame(slot);
	}
	return ri;
}
NOKPROBE_SYMBOL(krp_oldest_of_slot);

/**
 * krp_trampoline_handler() - run the return handlers of one stack slot
 * @regs: registers at the return, built by the arch trampoline
 * @slot: where the return address was on the stack
 *
 * The frames of @slot are popped newest first, each probe's handler run
 * while its frame is still reserved.
 *
 * Return: the real return address.
 */
unsigned long notrace krp_trampoline_handler(struct pt_regs *regs,
					     unsigned long *slot)
{
	struct krp_kretprobe_instance *ri, *oldest;
	struct krp_pool *pool;
	struct krp_probe *p;
	unsigned int level;
	unsigned long real;

	preempt_disable_notrace();
	pool = krp_pool_of(current);
	if (unlikely(!pool))
		krp_lost_frame(slot);
	ri = krp_frame_top(pool);
	if (unlikely(!ri || ri->frame != slot))
		ri = krp_reclaim_stale(pool, slot);
	oldest = ri;
	if (unlikely(ri->ret_addr == krp_arch_trampoline()))
		oldest = krp_oldest_of_slot(pool, ri, slot);
	real = oldest->ret_addr;
	instruction_pointer_set(regs, real);

	level = BIT(interrupt_context_level());
	for (;;) {
		p = ri->probe;
		if (unlikely(ri->frame != slot)) {
			krp_frame_pop(pool, ri);
			__this_cpu_inc(krp_stats.stale);
			__krp_frame_release(p);
			ri = krp_frame_top(pool);
			continue;
		}
		ri->ret_addr = real;
		if (likely(READ_ONCE(p->state) == KRP_LIVE) && p->handler) {
			if (unlikely(__this_cpu_read(krp_busy) & level)) {
				krp_miss(p, KRP_MISS_RECURSION);
			} else {
				__this_cpu_or(krp_busy, level);
				p->handler(ri, regs);
				__this_cpu_and(krp_busy, ~level);
			}
		}
		__this_cpu_inc(krp_stats.returns);
		krp_frame_pop(pool, ri);
		__krp_frame_release(p);
		if (ri == oldest)
			break;
		ri = krp_frame_top(pool);
	}
	preempt_enable_notrace();
	return real;
}
NOKPROBE_SYMBOL(krp_trampoline_handler);

/*
 * ftrace filter changes; krp_mutex held.
 *
 * A filter change walks every ftrace record and patches text, tens of
 * milliseconds.  The address of a function that just lost its last
 * probe therefore stays in the filter for a second ("idle"): a tool
 * that detaches and re-attaches pays nothing, and meanwhile the entry
 * hook finds no site there and returns.
 */
struct krp_idle_ip {
	struct list_head node;
	unsigned long addr;
	char modname[MODULE_NAME_LEN];
};
static LIST_HEAD(krp_idle_ips);

static struct krp_idle_ip *krp_idle_find(unsigned long addr)
{
	struct krp_idle_ip *idle;

	list_for_each_entry(idle, &krp_idle_ips, node)
		if (idle->addr == addr)
			return idle;
	return NULL;
}

static void krp_ops_del_ip(unsigned long addr)
{
	int ret = ftrace_set_filter_ip(&krp_ftrace_ops, addr, 1, 0);

	WARN_ON_ONCE(ret);
}

/* Take idle addresses out of the filter; all of them, or one module's. */
static void krp_idle_flush(const char *modname)
{
	struct krp_idle_ip *idle, *next;

	list_for_each_entry_safe(idle, next, &krp_idle_ips, node) {
		if (modname && strcmp(idle->modname, modname))
			continue;
		krp_ops_del_ip(idle->addr);
		list_del(&idle->node);
		kfree(idle);
	}
}

static int krp_ops_add_ip(unsigned long addr)
{
	struct krp_idle_ip *idle = krp_idle_find(addr);
	int ret;

	if (idle) {
		list_del(&idle->node);
		kfree(idle);
		return 0;
	}
	if (krp_ops_registered)
		return ftrace_set_filter_ip(&krp_ftrace_ops, addr, 0, 0);

	ret = ftrace_set_filter_ip(&krp_ftrace_ops,
				   (unsigned long)krp_ftrace_anchor, 0, 0);
	if (ret) {
		pr_err("cannot filter on the ftrace anchor: %d\n", ret);
		return ret;
	}
	ret = ftrace_set_filter_ip(&krp_ftrace_ops, addr, 0, 0);
	if (!ret) {
		ret = register_ftrace_function(&krp_ftrace_ops);
		if (!ret) {
			krp_ops_registered = true;
			return 0;
		}
		ftrace_set_filter_ip(&krp_ftrace_ops, addr, 1, 0);
	}
	ftrace_set_filter_ip(&krp_ftrace_ops,
			     (unsigned long)krp_ftrace_anchor, 1, 0);
	return ret;
}

static void krp_site_put(struct krp_site *site);

/*
 * Sites whose int3 could not be taken out when they were given up, each
 * holding a reference on krp.ko; krp_mutex protects the list.
 */
static LIST_HEAD(krp_stuck_sites);

/* An ordinary site again; the module reference goes last. */
static void krp_site_unstick(struct krp_site *site)
{
	if (!site->stuck)
		return;
	list_del(&site->stuck_node);
	site->stuck = false;
	module_put(THIS_MODULE);
}

/* Try again; krp_mutex held. */
static void krp_stuck_retry(void)
{
	struct krp_site *site, *next;

	list_for_each_entry_safe(site, next, &krp_stuck_sites, stuck_node) {
		/* probed again meanwhile: it stays, an ordinary site */
		if (!list_empty(&site->probes)) {
			krp_site_unstick(site);
			continue;
		}
		if (site->armed && krp_arch_int3_disarm(site))
			continue;
		site->armed = false;
		pr_info("%s+0x%x: text restored\n", site->sym, site->offset);
		/* unsticks it, then frees it */
		krp_site_put(site);
	}
}

static void krp_ops_reap(struct work_struct *work)
{
	mutex_lock(&krp_mutex);
	krp_stuck_retry();
	if (!list_empty(&krp_stuck_sites))
		queue_delayed_work(system_wq, to_delayed_work(work), HZ);
	krp_idle_flush(NULL);
	if (krp_ops_registered && !krp_nsites) {
		unregister_ftrace_function(&krp_ftrace_ops);
		ftrace_set_filter_ip(&krp_ftrace_ops,
				     (unsigned long)krp_ftrace_anchor, 1, 0);
		krp_ops_registered = false;
	}
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
}
static DECLARE_DELAYED_WORK(krp_ops_reaper, krp_ops_reap);

/* Whether @site's address belongs in the filter right now. */
static bool krp_site_wants_arming(struct krp_site *site)
{
	struct krp_probe *p;

	if (!krp_armed || site->gone)
		return false;
	list_for_each_entry(p, &site->probes, site_node)
		if (!p->disabled)
			return true;
	return false;
}

static int krp_site_sync(struct krp_site *site)
{
	bool want = krp_site_wants_arming(site);
	int ret;

	if (want == site->armed)
		return 0;
	/* its int3 comes out when krp_stuck_retry() can take it out */
	if (site->stuck && !want)
		return 0;
	if (want) {
		ret = site->int3 ? krp_arch_int3_arm(site) :
				   krp_ops_add_ip(site->addr);
		if (ret)
			return ret;
	} else if (site->int3) {
		ret = krp_arch_int3_disarm(site);
		if (ret)
			return ret;
	} else {
		krp_ops_del_ip(site->addr);
	}
	site->armed = want;
	return 0;
}

/**
 * krp_arm_all() - arm or disarm every probe, keeping per-probe states
 * @arm: true to arm
 *
 * Return: 0, or the first error met while arming (the others are still
 * tried, and the global state follows @arm).
 */
int krp_arm_all(bool arm)
{
	struct krp_site *site;
	int i, ret = 0, err;

	mutex_lock(&krp_mutex);
	WRITE_ONCE(krp_armed, arm);
	if (!arm)
		krp_idle_flush(NULL);
	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			err = krp_site_sync(site);
			if (err && !ret)
				ret = err;
		}
	}
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	if (ret)
		pr_warn("not every probe could be armed: %d\n", ret);
	return ret;
}

static struct krp_site *krp_site_get(unsigned long addr, int *err)
{
	struct krp_site *site = krp_site_find(addr);

	if (site)
		return site;
	site = kzalloc(sizeof(*site), GFP_KERNEL);
	if (!site) {
		*err = -ENOMEM;
		return NULL;
	}
	site->addr = addr;
	INIT_LIST_HEAD(&site->probes);
	*err = krp_describe(addr, site->sym, &site->offset, site->modname);
	if (*err) {
		kfree(site);
		return NULL;
	}
	return site;
}

/**
 * krp_site_orig_byte() - the text byte under one of krp's int3s
 * @addr: a text address
 * @byte: the original byte, if there is an int3 of krp's at @addr
 *
 * Called with krp_mutex held.
 *
 * Return: true if krp has an int3 at @addr.
 */
bool krp_site_orig_byte(unsigned long addr, u8 *byte)
{
	struct krp_site *site = krp_site_find(addr);

	if (!site || !site->int3 || !site->armed)
		return false;
	*byte = site->orig_byte;
	return true;
}

/**
 * krp_site_lookup() - where krp already probes @name+@offset, or @addr
 * @name: a symbol, or NULL
 * @offset: offset from @name
 * @addr: an address, when @name is NULL
 * @found: the site's address, if there is one
 *
 * Called with krp_mutex held.
 *
 * Return: true if krp has a site there.
 */
bool krp_site_lookup(const char *name, unsigned int offset, unsigned long addr,
		     unsigned long *found)
{
	struct krp_site *site;
	int i;

	if (!name) {
		site = krp_site_find(addr);
		if (site)
			*found = addr;
		return site;
	}
	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry(site, &krp_site_table[i], hash_node) {
			if (site->offset == offset && !strcmp(site->sym, name)) {
				*found = site->addr;
				return true;
			}
		}
	}
	return false;
}

/* Never registered: only asked whether an address is an ftrace site. */
static struct ftrace_ops krp_classify_ops;

/*
 * Where ftrace can hook, it does: an int3 never goes on an ftrace site.
 * Elsewhere the entry is an int3 whose instruction krp must carry out.
 * ftrace takes any address inside its call for the call itself, so only
 * a function's first instruction can be an ftrace site; an address
 * inside the call fails the boundary check below.
 */
static int krp_site_classify(struct krp_site *site, bool shared)
{
	int ret = -EINVAL;

	if (!site->offset)
		ret = ftrace_set_filter_ip(&krp_classify_ops, site->addr, 0, 1);
	if (!ret)
		return 0;
	if (ret != -EINVAL && ret != -ENOENT)
		return ret;
	site->int3 = true;
	/*
	 * A kernel kprobe there owns the byte; an optimized one has put a
	 * jump there that goes away with it.
	 */
	if (shared) {
		pr_err("%s+0x%x: the kernel's kprobes are on it\n", site->sym,
		       site->offset);
		return -EBUSY;
	}
	ret = krp_arch_check_boundary(site->addr, site->offset);
	if (ret) {
		pr_err("%s+0x%x is not an instruction boundary\n", site->sym,
		       site->offset);
		return ret;
	}
	return krp_arch_int3_prepare(site);
}

static bool krp_site_hashed(struct krp_site *site)
{
	return !hlist_unhashed(&site->hash_node);
}

static void krp_site_put(struct krp_site *site)
{
	struct krp_idle_ip *idle = NULL;

	if (!list_empty(&site->probes))
		return;
	if (site->armed && site->int3) {
		/* the old byte is back on every CPU before the site goes */
		if (krp_arch_int3_disarm(site)) {
			/*
			 * An int3 needs its site: keep it hashed, carried
			 * out, and krp loaded to handle it, until a retry
			 * of krp_ops_reap() can restore the text.
			 */
			if (!site->stuck) {
				pr_err("%s+0x%x: cannot restore the text yet; the int3 stays, handled, and krp stays loaded\n",
				       site->sym, site->offset);
				site->stuck = true;
				list_add_tail(&site->stuck_node, &krp_stuck_sites);
				__module_get(THIS_MODULE);
			}
			queue_delayed_work(system_wq, &krp_ops_reaper, HZ);
			return;
		}
		site->armed = false;
	}
	krp_site_unstick(site);
	if (site->armed) {
		idle = kzalloc(sizeof(*idle), GFP_KERNEL);
		if (idle) {
			idle->addr = site->addr;
			strscpy(idle->modname, site->modname, MODULE_NAME_LEN);
			list_add(&idle->node, &krp_idle_ips);
		} else {
			krp_ops_del_ip(site->addr);
		}
		site->armed = false;
	}
	if (krp_site_hashed(site)) {
		hlist_del_rcu(&site->hash_node);
		krp_nsites--;
		if (idle || !krp_nsites)
			mod_delayed_work(system_wq, &krp_ops_reaper, HZ);
	}
	/* a gone site left the hash earlier; readers may still hold either */
	if (site->int3)
		krp_arch_int3_release(site);
	kfree_rcu(site, rcu);
}

static int krp_check_target(unsigned long addr, struct krp_site *site,
			    bool is_ret)
{
	if (within_module(addr, THIS_MODULE)) {
		pr_err("%pS is krp's own code\n", (void *)addr);
		return -EINVAL;
	}
	/*
	 * Static-call trampolines are rewritten by static_call_update(),
	 * which BUG()s on a byte it did not write; i386 has no inline static
	 * calls, so the kernel's static_call_text_reserved() does not see
	 * them.
	 */
	if (str_has_prefix(site->sym, "__SCT__")) {
		pr_err("%s is a static-call trampoline\n", site->sym);
		return -EINVAL;
	}
	if (!is_ret)
		return 0;
	if (site->offset) {
		pr_err("%s+0x%x is not a function entry\n", site->sym,
		       site->offset);
		return -EINVAL;
	}
	/* it switches stacks: the return lands in another task */
	if (!strcmp(site->sym, "__switch_to")) {
		pr_err("%s cannot be return-probed\n", site->sym);
		return -EINVAL;
	}
	return 0;
}

/*
 * Register a plain kprobe (@rp NULL) or a kretprobe (@kp == &@rp->kp);
 * @link is the client's pointer to krp's state.
 */
static int krp_register_common(struct krp_kprobe *kp, struct krp_kretprobe *rp,
			       struct krp_probe **link)
{
	unsigned int frame_size = 0, old_flags;
	krp_opcode_t *old_addr;
	struct krp_site *site;
	struct krp_probe *p;
	unsigned long addr;
	bool new_site, shared;
	int ret;

	if (READ_ONCE(*link))
		return -EBUSY;
	/* as the kernel does: only DISABLED is the caller's to set */
	kp->flags &= KRP_FLAG_DISABLED;
	if (rp) {
		if (rp->data_size > KRP_KRETPROBE_MAX_DATA_SIZE)
			return -E2BIG;
		frame_size = sizeof(struct krp_kretprobe_instance) +
			     ALIGN(rp->data_size, sizeof(long)) + sizeof(long);
		if (frame_size > krp_pool_capacity()) {
			pr_err("data_size %zu does not fit pool_size; load krp with a larger pool_size\n",
			       rp->data_size);
			return -E2BIG;
		}
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->stats = alloc_percpu(struct krp_probe_stats);
	if (!p->stats) {
		kfree(p);
		return -ENOMEM;
	}
	p->kp = kp;
	p->rp = rp;
	p->link = link;
	p->is_ret = rp;
	if (rp) {
		p->handler = rp->handler;
		p->entry_handler = rp->entry_handler;
	} else {
		p->pre_handler = kp->pre_handler;
		p->post_handler = kp->post_handler;
	}
	p->frame_size = frame_size;
	p->state = KRP_LIVE;
	p->disabled = kp->flags & KRP_FLAG_DISABLED;
	INIT_WORK(&p->free_work, krp_probe_free_work);
	init_irq_work(&p->free_irq_work, krp_probe_free_irq_work);

	mutex_lock(&krp_mutex);
	ret = -EBUSY;
	if (*link)
		goto out_unlock;
	ret = krp_resolve(kp, &addr, &shared);
	if (ret)
		goto out_unlock;
	site = krp_site_get(addr, &ret);
	if (!site)
		goto out_unlock;
	new_site = !krp_site_hashed(site);
	ret = krp_check_target(addr, site, rp);
	if (ret)
		goto out_site;
	if (new_site) {
		ret = krp_site_classify(site, shared);
		if (ret)
			goto out_site;
	}
	if (!site->int3)
		krp_resolve_remember(kp, addr);
	if (rp) {
		ret = krp_pools_enable();
		if (ret)
			goto out_site;
	}

	/* handlers may run as soon as @p is on the site: kp is final */
	old_addr = kp->addr;
	old_flags = kp->flags;
	kp->addr = (krp_opcode_t *)addr;
	kp->flags = (kp->flags & KRP_FLAG_DISABLED) |
		    (site->int3 ? 0 : KRP_FLAG_FTRACE);
	kp->nmissed = 0;
	if (rp)
		rp->nmissed = 0;
	p->site = site;
	list_add_tail_rcu(&p->site_node, &site->probes);
	if (new_site) {
		hlist_add_head_rcu(&site->hash_node,
				   &krp_site_table[hash_long(addr, KRP_SITE_BITS)]);
		krp_nsites++;
	}
	ret = krp_site_sync(site);
	if (ret) {
		pr_err("cannot arm %s: %d\n", site->sym, ret);
		list_del_rcu(&p->site_node);
		krp_site_put(site);
		mutex_unlock(&krp_mutex);
		krp_borrowed_flush();
		/* an entry may have seen @p before it was unlinked */
		synchronize_rcu();
		kp->addr = old_addr;
		kp->flags = old_flags;
		krp_probe_free(p);
		return ret;
	}
	list_add_tail(&p->all_node, &krp_probes);
	WRITE_ONCE(*link, p);
	mutex_unlock(&krp_mutex);
	return 0;

out_site:
	if (new_site) {
		if (site->int3)
			krp_arch_int3_release(site);
		kfree(site);
	}
out_unlock:
	mutex_unlock(&krp_mutex);
	krp_probe_free(p);
	return ret;
}

/**
 * krp_register_kretprobe() - register a return probe
 * @rp: the probe; @rp->kp names a function entry by symbol or address
 *
 * Entry is through ftrace where ftrace can hook the function, and
 * elsewhere through an int3 whose displaced instruction krp emulates or
 * boosts from an out-of-line slot, as for krp_register_kprobe().  On
 * success @rp->kp.addr holds the probed address.  On failure nothing is
 * left registered.
 *
 * Return: 0; -EINVAL for bad input, not a function entry, krp's own code
 * or a refused function; -ENOENT for an unknown symbol; -E2BIG for a
 * data_size over %KRP_KRETPROBE_MAX_DATA_SIZE or one that cannot fit a
 * task's pool; -EBUSY if @rp is registered already or, at an int3 entry,
 * the kernel's kprobes or another patcher's bytes are there; -EOPNOTSUPP
 * for a function ftrace cannot trace whose first instruction cannot run
 * out of line; -ENOSPC when no out-of-line slot is left; -ENOMEM.
 */
int krp_register_kretprobe(struct krp_kretprobe *rp)
{
	return krp_register_common(&rp->kp, rp, &rp->probe);
}
EXPORT_SYMBOL_GPL(krp_register_kretprobe);

/* Unlink a probe under krp_mutex; the caller waits for RCU and finishes. */
static struct krp_probe *krp_unregister_top(struct krp_kprobe *kp,
					    struct krp_probe **link)
{
	struct krp_probe *p = *link;

	if (!p || p->kp != kp || p->state != KRP_LIVE) {
		pr_warn("unregistering a probe that is not registered (%ps)\n",
			__builtin_return_address(0));
		return NULL;
	}
	/* from here on the API calls on the probe see it unregistered */
	WRITE_ONCE(*link, NULL);
	list_del_rcu(&p->site_node);
	list_del(&p->all_node);
	krp_site_put(p->site);
	p->site = NULL;
	atomic_long_set(&p->drain, KRP_DRAIN_BIAS);
	/* order the bias before any release that sees KRP_DEAD */
	smp_wmb();
	WRITE_ONCE(p->state, KRP_DEAD);
	return p;
}

/* After a grace period: nothing runs @p's handlers any more. */
static void krp_unregister_bottom(struct krp_probe *p)
{
	long out = 0;
	int cpu;

	krp_probe_fold(p);
	for_each_possible_cpu(cpu) {
		struct krp_probe_stats *s = per_cpu_ptr(p->stats, cpu);

		out += s->pushed - s->popped;
	}
	WRITE_ONCE(p->rp, NULL);
	WRITE_ONCE(p->kp, NULL);
	if (!out) {
		krp_probe_free(p);
		return;
	}
	/* frames are out: stay loaded until the last one comes back */
	__module_get(THIS_MODULE);
	if (atomic_long_sub_and_test(KRP_DRAIN_BIAS - out, &p->drain))
		queue_work(krp_wq, &p->free_work);
}

/* Entry @i of a batch of kretprobes (@ret) or plain kprobes. */
static void krp_batch_entry(void *batch, int i, bool ret,
			    struct krp_kprobe **kp, struct krp_probe ***link)
{
	if (ret) {
		struct krp_kretprobe *rp = ((struct krp_kretprobe **)batch)[i];

		*kp = &rp->kp;
		*link = &rp->probe;
	} else {
		*kp = ((struct krp_kprobe **)batch)[i];
		*link = &(*kp)->probe;
	}
}

/* One grace period for the whole batch: handlers run preempt-disabled. */
static void krp_unregister_batch(void *batch, int num, bool ret)
{
	struct krp_probe **ps, **link;
	struct krp_kprobe *kp;
	int i;

	if (num <= 0)
		return;
	ps = kcalloc(num, sizeof(*ps), GFP_KERNEL | __GFP_NOFAIL);
	mutex_lock(&krp_mutex);
	for (i = 0; i < num; i++) {
		krp_batch_entry(batch, i, ret, &kp, &link);
		ps[i] = krp_unregister_top(kp, link);
	}
	mutex_unlock(&krp_mutex);
	synchronize_rcu();
	for (i = 0; i < num; i++)
		if (ps[i])
			krp_unregister_bottom(ps[i]);
	kfree(ps);
	krp_borrowed_flush();
}

/* Each probe is live once registered; a failure undoes the earlier ones. */
static int krp_register_batch(void *batch, int num, bool ret)
{
	struct krp_probe **link;
	struct krp_kprobe *kp;
	int i, err;

	if (num <= 0)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		krp_batch_entry(batch, i, ret, &kp, &link);
		err = ret ? krp_register_kretprobe(container_of(kp,
						   struct krp_kretprobe, kp)) :
			    krp_register_kprobe(kp);
		if (err) {
			if (i)
				krp_unregister_batch(batch, i, ret);
			return err;
		}
	}
	return 0;
}

/**
 * krp_unregister_kretprobes() - unregister several return probes
 * @rps: the probes
 * @num: how many
 *
 * When this returns no handler of these probes runs any more and the
 * caller may free them.  Tasks still inside a probed function return
 * normally; krp keeps what it needs until they do.  Unregistering a
 * probe that is not registered warns and does nothing else.
 */
void krp_unregister_kretprobes(struct krp_kretprobe **rps, int num)
{
	krp_unregister_batch(rps, num, true);
}
EXPORT_SYMBOL_GPL(krp_unregister_kretprobes);

/**
 * krp_unregister_kretprobe() - unregister a return probe
 * @rp: the probe
 *
 * See krp_unregister_kretprobes().
 */
void krp_unregister_kretprobe(struct krp_kretprobe *rp)
{
	krp_unregister_kretprobes(&rp, 1);
}
EXPORT_SYMBOL_GPL(krp_unregister_kretprobe);

/**
 * krp_register_kretprobes() - register several return probes
 * @rps: the probes
 * @num: how many
 *
 * Each probe is live as soon as it is registered.  If one fails, the
 * ones before it are unregistered again.
 *
 * Return: 0, -EINVAL if @num is not positive, or the first error.
 */
int krp_register_kretprobes(struct krp_kretprobe **rps, int num)
{
	return krp_register_batch(rps, num, true);
}
EXPORT_SYMBOL_GPL(krp_register_kretprobes);

static int krp_set_disabled(struct krp_kprobe *kp, struct krp_probe **link,
			    bool disabled)
{
	struct krp_probe *p;
	int ret = 0;

	mutex_lock(&krp_mutex);
	p = *link;
	if (!p || p->kp != kp || p->state != KRP_LIVE) {
		ret = -EINVAL;
		goto out;
	}
	if (p->disabled == disabled)
		goto out;
	if (p->site->gone) {
		ret = -ENOENT;
		goto out;
	}
	WRITE_ONCE(p->disabled, disabled);
	ret = krp_site_sync(p->site);
	if (ret) {
		WRITE_ONCE(p->disabled, !disabled);
		goto out;
	}
	if (disabled)
		kp->flags |= KRP_FLAG_DISABLED;
	else
		kp->flags &= ~KRP_FLAG_DISABLED;
out:
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	return ret;
}

/**
 * krp_disable_kretprobe() - stop probing new calls
 * @rp: a registered probe
 *
 * Calls already inside the function keep their instances: their return
 * handlers still run, so every entry_handler call is matched by a
 * handler call.  The entry hook is removed when no enabled probe is
 * left on the function.
 *
 * Return: 0, -EINVAL if @rp is not registered, -ENOENT if its module
 * is gone.
 */
int krp_disable_kretprobe(struct krp_kretprobe *rp)
{
	return krp_set_disabled(&rp->kp, &rp->probe, true);
}
EXPORT_SYMBOL_GPL(krp_disable_kretprobe);

/**
 * krp_enable_kretprobe() - probe new calls again
 * @rp: a registered probe
 *
 * Return: 0, -EINVAL if @rp is not registered, -ENOENT if its module
 * is gone, or an error from ftrace.
 */
int krp_enable_kretprobe(struct krp_kretprobe *rp)
{
	return krp_set_disabled(&rp->kp, &rp->probe, false);
}
EXPORT_SYMBOL_GPL(krp_enable_kretprobe);

/**
 * krp_register_kprobe() - register a probe on one instruction
 * @kp: the probe: @kp->symbol_name plus @kp->offset, or @kp->addr
 *
 * At a traceable function's entry the hit comes through ftrace; anywhere
 * else through an int3, whose instruction krp then carries out:
 * emulated in the trap (stack, flags and control-flow instructions), or
 * copied to an out-of-line slot, boosted from there (one trap) or, when
 * a probe there has a post-handler, single-stepped.  Instructions that
 * cannot run at another address, such as those that may fault into an
 * exception fixup, are refused.
 *
 * Return: 0; -EINVAL for bad input, krp's own code or an address the
 * kernel's kprobes refuse; -ENOENT for an unknown symbol; -EILSEQ if the
 * address is not an instruction boundary; -EBUSY if @kp is registered,
 * or the kernel's kprobes or another patcher's bytes are there;
 * -EOPNOTSUPP for an instruction krp cannot carry out; -ENOSPC when no
 * out-of-line slot is left; -ENOMEM.
 */
int krp_register_kprobe(struct krp_kprobe *kp)
{
	return krp_register_common(kp, NULL, &kp->probe);
}
EXPORT_SYMBOL_GPL(krp_register_kprobe);

/**
 * krp_unregister_kprobes() - unregister several kprobes
 * @kps: the probes
 * @num: how many
 *
 * When this returns no handler of these probes runs any more.
 */
void krp_unregister_kprobes(struct krp_kprobe **kps, int num)
{
	krp_unregister_batch(kps, num, false);
}
EXPORT_SYMBOL_GPL(krp_unregister_kprobes);

/**
 * krp_unregister_kprobe() - unregister a kprobe
 * @kp: the probe
 */
void krp_unregister_kprobe(struct krp_kprobe *kp)
{
	krp_unregister_kprobes(&kp, 1);
}
EXPORT_SYMBOL_GPL(krp_unregister_kprobe);

/**
 * krp_register_kprobes() - register several kprobes
 * @kps: the probes
 * @num: how many
 *
 * If one fails, the ones before it are unregistered again.
 *
 * Return: 0, -EINVAL if @num is not positive, or the first error.
 */
int krp_register_kprobes(struct krp_kprobe **kps, int num)
{
	return krp_register_batch(kps, num, false);
}
EXPORT_SYMBOL_GPL(krp_register_kprobes);

/**
 * krp_disable_kprobe() - stop a kprobe without unregistering it
 * @kp: a registered kprobe
 *
 * Return: 0, -EINVAL if @kp is not registered, -ENOENT if its module
 * is gone.
 */
int krp_disable_kprobe(struct krp_kprobe *kp)
{
	return krp_set_disabled(kp, &kp->probe, true);
}
EXPORT_SYMBOL_GPL(krp_disable_kprobe);

/**
 * krp_enable_kprobe() - start a disabled kprobe again
 * @kp: a registered kprobe
 *
 * Return: 0, -EINVAL if @kp is not registered, -ENOENT if its module
 * is gone, or an error arming it.
 */
int krp_enable_kprobe(struct krp_kprobe *kp)
{
	return krp_set_disabled(kp, &kp->probe, false);
}
EXPORT_SYMBOL_GPL(krp_enable_kprobe);

/**
 * krp_kretprobe_nmissed() - misses of @rp so far, folded into the struct
 * @rp: a registered probe
 *
 * Updates @rp->nmissed and @rp->kp.nmissed from krp's per-CPU counters.
 *
 * Return: @rp->nmissed + @rp->kp.nmissed.
 */
int krp_kretprobe_nmissed(struct krp_kretprobe *rp)
{
	mutex_lock(&krp_mutex);
	if (rp->probe && rp->probe->rp == rp && rp->probe->state == KRP_LIVE)
		krp_probe_fold(rp->probe);
	mutex_unlock(&krp_mutex);
	return rp->nmissed + rp->kp.nmissed;
}
EXPORT_SYMBOL_GPL(krp_kretprobe_nmissed);

/**
 * krp_get_kretprobe() - the probe an instance belongs to
 * @ri: an instance given to a handler
 *
 * Return: the probe, or NULL once it is unregistered.
 */
struct krp_kretprobe *krp_get_kretprobe(struct krp_kretprobe_instance *ri)
{
	return READ_ONCE(ri->probe->rp);
}
EXPORT_SYMBOL_GPL(krp_get_kretprobe);

/**
 * krp_get_kretprobe_retaddr() - where the probed call returns to
 * @ri: an instance given to a handler of the current task
 *
 * Return: the real return address, also when several probes are on
 * the function.
 */
unsigned long krp_get_kretprobe_retaddr(struct krp_kretprobe_instance *ri)
{
	unsigned long tramp = krp_arch_trampoline();
	struct krp_pool *pool;

	if (ri->ret_addr != tramp)
		return ri->ret_addr;
	rcu_read_lock();
	pool = krp_pool_of(current);
	while (pool && ri && ri->ret_addr == tramp)
		ri = krp_frame_below(pool, ri);
	rcu_read_unlock();
	return ri ? ri->ret_addr : 0;
}
EXPORT_SYMBOL_GPL(krp_get_kretprobe_retaddr);

/**
 * krp_is_kretprobe_trampoline() - is @addr krp's return trampoline
 * @addr: a return address, e.g. from a stack trace
 *
 * Return: true if it is.
 */
bool krp_is_kretprobe_trampoline(unsigned long addr)
{
	return addr == krp_arch_trampoline();
}
EXPORT_SYMBOL_GPL(krp_is_kretprobe_trampoline);

/**
 * krp_kretprobe_find_ret_addr() - real return address of a stack slot
 * @tsk: current, or a task that is not running
 * @fp: address of the stack slot that holds krp's trampoline
 * @cur: iteration state, NULL on the first call
 *
 * Unwinders call this for each trampoline address they meet, walking
 * from the innermost frame outwards.
 *
 * Return: the address the slot's function returns to, or 0 if @fp has
 * no frame.
 */
unsigned long krp_kretprobe_find_ret_addr(struct task_struct *tsk, void *fp,
					  void **cur)
{
	unsigned long tramp = krp_arch_trampoline(), ret = 0;
	struct krp_kretprobe_instance *ri;
	struct krp_pool *pool;

	if (WARN_ON_ONCE(tsk != current && task_is_running(tsk)))
		return 0;
	rcu_read_lock();
	pool = krp_pool_of(tsk);
	if (!pool)
		goto out;
	ri = *cur ? krp_frame_below(pool, *cur) : krp_frame_top(pool);
	for (; ri; ri = krp_frame_below(pool, ri)) {
		if (ri->frame != fp || ri->ret_addr == tramp)
			continue;
		*cur = ri;
		ret = ri->ret_addr;
		break;
	}
out:
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(krp_kretprobe_find_ret_addr);

/*
 * A site whose text goes away: its probes stay registered, unarmed, and
 * the site leaves the hash so that new text at the same address gets a
 * site of its own.  krp_mutex held.
 */
static void krp_site_kill(struct krp_site *site)
{
	struct krp_probe *p;

	site->gone = true;
	/*
	 * The text goes and nobody runs it any more, which is what the
	 * kernel's kprobes assume of their int3s there too: one that
	 * cannot be taken out is left to go with it.
	 */
	if (krp_site_sync(site) || site->stuck)
		site->armed = false;
	krp_site_unstick(site);
	hlist_del_init_rcu(&site->hash_node);
	if (!--krp_nsites)
		mod_delayed_work(system_wq, &krp_ops_reaper, HZ);
	list_for_each_entry(p, &site->probes, site_node)
		p->kp->flags |= KRP_FLAG_GONE;
	pr_info("%s [%s] is gone; its probes stay registered, unarmed\n",
		site->sym, site->modname);
}

static int krp_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;
	struct krp_site *site;
	struct hlist_node *tmp;
	int i;

	if (action != MODULE_STATE_GOING && action != MODULE_STATE_LIVE)
		return NOTIFY_DONE;
	mutex_lock(&krp_mutex);
	/* ftrace drops the module's (or its init text's) records next */
	krp_idle_flush(mod->name);
	krp_resolve_forget(mod->name);
	for (i = 0; i < ARRAY_SIZE(krp_site_table); i++) {
		hlist_for_each_entry_safe(site, tmp, &krp_site_table[i],
					  hash_node) {
			if (strcmp(site->modname, mod->name))
				continue;
			/* once live, a module's init text is freed */
			if (action == MODULE_STATE_LIVE &&
			    !within_module_init(site->addr, mod))
				continue;
			krp_site_kill(site);
		}
	}
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	return NOTIFY_DONE;
}

static struct notifier_block krp_module_nb = {
	.notifier_call = krp_module_notify,
};

int krp_kretprobe_init(void)
{
	int ret;

	krp_wq = alloc_workqueue("krp", 0, 0);
	if (!krp_wq)
		return -ENOMEM;
	ret = register_module_notifier(&krp_module_nb);
	if (ret)
		destroy_workqueue(krp_wq);
	return ret;
}

void krp_kretprobe_exit(void)
{
	unregister_module_notifier(&krp_module_nb);
	cancel_delayed_work_sync(&krp_ops_reaper);
	mutex_lock(&krp_mutex);
	/* clients depend on krp.ko, so they have unregistered by now */
	WARN_ON(!list_empty(&krp_probes));
	krp_idle_flush(NULL);
	if (krp_ops_registered) {
		unregister_ftrace_function(&krp_ftrace_ops);
		krp_ops_registered = false;
	}
	mutex_unlock(&krp_mutex);
	krp_borrowed_flush();
	ftrace_free_filter(&krp_ftrace_ops);
	ftrace_free_filter(&krp_classify_ops);
	destroy_workqueue(krp_wq);
}
