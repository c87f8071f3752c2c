// SPDX-License-Identifier: GPL-2.0
/*
 * A function's own entry hook, where krp can have one, instead of the
 * shared ops (ftrace.c): krp/list says which, [DIRECT] or [KPROBE], or
 * [FTRACE] for the shared ops.  With direct=0 every new site takes the
 * shared ops.
 *
 * On x86_64, a direct call: where a function's direct slot is free,
 * ftrace calls krp's own entry trampoline from the function's fentry
 * site, through a stub of the function's own (the arch writes it into
 * an out-of-line slot): no ftrace list walk, no ftrace trampoline.
 * Each function has an ftrace_ops of its own, since a direct ops has
 * one destination.  Where the slot is taken (BPF fentry and fexit
 * programs, another module's direct call) the function goes on the
 * shared ops instead.
 *
 * The slot is exclusive: while krp holds it another direct user of the
 * function gets -EBUSY from ftrace, until krp lets go.  IPMODIFY users
 * (livepatch) share it: the ops says yes when ftrace asks, and the stub
 * still names the function when livepatch has sent it elsewhere.
 *
 * On i386, which has no direct calls, a kernel kprobe on the ftrace
 * site: a module's ftrace_ops is always "dynamic", which ftrace calls
 * only through its list walk, while the kernel's kprobes have ops in
 * core kernel data, called straight from ftrace's trampoline as long
 * as no other tracer shares the function.  Its price is the kernel's
 * rules: no hit while any kprobe handler runs on the CPU (counted,
 * krp_direct_collect()), and the kernel's kprobes switch
 * (debug/kprobes/enabled) switches these hooks too.
 *
 * Unregistering a direct ops waits for RCU-tasks with ftrace's locks
 * held, which a task spinning in the kernel holds up, and every
 * registration at an ftrace site meanwhile waits for it.  A function
 * whose site lost its hook therefore stays hooked, idle (its hook names
 * no site), until krp has had no site at all for ops_idle_ms, when the
 * shared ops goes too; then the site reaper lets it go without
 * krp_mutex.  A site armed there again meanwhile takes it back for
 * free.  The price: such a function's direct slot stays krp's, and a
 * BPF fentry program there gets -EBUSY, until krp is quiet.  A kprobe
 * hook stays idle only until the reaper's next pass.
 * One being let go is off the list: a site armed there then gets a
 * hook of its own anew, or the shared ops when the slot is still busy.
 * Only a module that goes has its functions let go at once, under
 * krp_mutex, before ftrace forgets their records.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "arch.h"
#include "direct.h"
#include "entry.h"
#include "internal.h"
#include "slots.h"
#include "stats.h"

static bool direct = true;
module_param(direct, bool, 0644);
MODULE_PARM_DESC(direct,
		 "enter ftrace sites through a hook of the function's own: a direct call where the function's direct slot is free (x86_64), a kernel kprobe (i386); else the shared ftrace ops (default Y; for sites armed from now on)");

struct krp_direct {
	struct krp_direct_hook hook;	/* what the stub passes */
	struct list_head node;		/* on krp_directs, krp_mutex */
	struct ftrace_ops ops;
	unsigned long addr;		/* the function */
	unsigned long stub;		/* its out-of-line slot */
	bool idle;			/* no site armed here: hook.site NULL */
	unsigned long missed_seen;	/* hook.kp.nmissed, counted already */
	char modname[MODULE_NAME_LEN];
};
static LIST_HEAD(krp_directs);
/* stubs in out-of-line slots, on the list or being let go */
static atomic_t krp_direct_nstubs;

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS

/* 6.5 gave the multi-function calls the old single-function names (Kbuild). */
#ifdef KRP_FTRACE_DIRECT_MULTI
static int krp_direct_register(struct ftrace_ops *ops, unsigned long addr)
{
	return register_ftrace_direct_multi(ops, addr);
}

static int krp_direct_unregister(struct ftrace_ops *ops, unsigned long addr)
{
	int ret = unregister_ftrace_direct_multi(ops, addr);

	ftrace_free_filter(ops);
	return ret;
}
#else
static int krp_direct_register(struct ftrace_ops *ops, unsigned long addr)
{
	return register_ftrace_direct(ops, addr);
}

static int krp_direct_unregister(struct ftrace_ops *ops, unsigned long addr)
{
	return unregister_ftrace_direct(ops, addr, true);
}
#endif

/*
 * ftrace asks before an IPMODIFY ops (livepatch) shares a function with
 * ours, either way round.  Sharing is fine: ftrace then runs that ops
 * and jumps to the stub, which still names the function.
 */
static int krp_direct_ops_func(struct ftrace_ops *ops, enum ftrace_ops_cmd cmd)
{
	return 0;
}


#else

static int krp_direct_register(struct ftrace_ops *ops, unsigned long addr)
{
	return -EOPNOTSUPP;
}

static int krp_direct_unregister(struct ftrace_ops *ops, unsigned long addr)
{
	return -EOPNOTSUPP;
}

#endif

/**
 * krp_direct_by_kprobe() - whether a function's own hook is a kernel kprobe
 *
 * Where the arch has no direct call (i386), krp hooks a function with a
 * kernel kprobe on its ftrace site instead.
 *
 * Return: true there; false where the hook is a direct call.
 */
bool krp_direct_by_kprobe(void)
{
	return !krp_arch_has_direct() ||
	       !IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS);
}

static struct krp_direct *krp_direct_find(unsigned long addr)
{
	struct krp_direct *d;

	list_for_each_entry(d, &krp_directs, node)
		if (d->addr == addr)
			return d;
	return NULL;
}

/* What the kernel counted for @d's kprobe and krp did not yet. */
static unsigned long krp_direct_missed_new(struct krp_direct *d)
{
	unsigned long now, n;

	if (!krp_direct_by_kprobe())
		return 0;
	/* the kernel bumps it with a plain increment, on any CPU */
	now = data_race(READ_ONCE(d->hook.kp.nmissed));
	n = now - d->missed_seen;
	d->missed_seen = now;
	return n;
}

/*
 * A kernel kprobe on the ftrace site: the kernel's kprobes put it on
 * their own ftrace ops, without IPMODIFY, as it has no post-handler.
 */
static int krp_direct_hook_kprobe(struct krp_direct *d)
{
	d->hook.kp.addr = (kprobe_opcode_t *)d->addr;
	d->hook.kp.pre_handler = krp_kprobe_entry;
	return register_kprobe(&d->hook.kp);
}

/* A direct call of ftrace's into the stub of @d's own, in a slot. */
static int krp_direct_hook_call(struct krp_direct *d)
{
	int ret;

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS
	d->ops.ops_func = krp_direct_ops_func;
#endif
	ret = krp_slot_alloc(&d->stub);
	if (ret)
		return ret;
	atomic_inc(&krp_direct_nstubs);
	ret = krp_arch_direct_stub(d->stub, (unsigned long)&d->hook);
	if (ret)
		goto out_slot;
	ret = ftrace_set_filter_ip(&d->ops, d->addr, 0, 0);
	if (ret)
		goto out_slot;
	ret = krp_direct_register(&d->ops, d->stub);
	if (ret) {
		ftrace_free_filter(&d->ops);
		goto out_slot;
	}
	return 0;

out_slot:
	krp_slot_unused(d->stub);
	atomic_dec(&krp_direct_nstubs);
	return ret;
}

/**
 * krp_direct_add() - hook @site's function with a hook of its own
 * @site: an ftrace site, the start of a function
 *
 * krp_mutex held.  A direct call into krp, or on i386 a kernel kprobe
 * on the ftrace site.  The hook runs @site from now on, until
 * krp_direct_retire(); the site's kfree_rcu() comes after that.
 *
 * Return: 0; -EOPNOTSUPP with direct=0; -EBUSY when another direct
 * user has the function; -ENOSPC or -EAGAIN without a clean out-of-line
 * slot; -ENOMEM; or another error of ftrace or of register_kprobe().
 * On error nothing is hooked: the caller uses the shared ops.
 */
int krp_direct_add(struct krp_site *site)
{
	struct krp_direct *d;
	int ret;

	/* direct=N also leaves an idle hook alone: the reaper takes it */
	if (!READ_ONCE(direct))
		return -EOPNOTSUPP;
	d = krp_direct_find(site->addr);
	if (d) {
		/* what it dropped while idle ran no probe's hit */
		krp_direct_missed_new(d);
		d->idle = false;
		WRITE_ONCE(d->hook.regs, !!site->nregs);
		WRITE_ONCE(d->hook.site, site);
		return 0;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->addr = site->addr;
	strscpy(d->modname, site->modname, MODULE_NAME_LEN);
	/* the site before any call can reach the hook */
	d->hook.site = site;
	d->hook.regs = !!site->nregs;
	ret = krp_direct_by_kprobe() ? krp_direct_hook_kprobe(d) :
				       krp_direct_hook_call(d);
	if (ret) {
		kfree(d);
		return ret;
	}
	list_add(&d->node, &krp_directs);
	return 0;
}

/**
 * krp_direct_regs_changed() - @site's probes now read registers, or no more
 * @site: a site; krp_mutex held
 *
 * Tells the arch's entry of a hooked function which path to take first.
 */
void krp_direct_regs_changed(struct krp_site *site)
{
	struct krp_direct *d;

	BUILD_BUG_ON(offsetof(struct krp_direct_hook, regs) !=
		     KRP_DIRECT_HOOK_REGS);
	d = krp_direct_find(site->addr);
	if (d && d->hook.site == site)
		WRITE_ONCE(d->hook.regs, !!site->nregs);
}

/**
 * krp_direct_collect() - count the hits that the kprobe hook did not see
 * @site: a site; krp_mutex held
 *
 * The kernel's kprobes run the hook only where no kprobe handler runs
 * on the CPU (kprobe_running(): a krp entry handler, a BPF or perf
 * kprobe's, or an interrupt inside one), and count a hit they drop in
 * the kprobe's nmissed.  Every enabled probe of @site would have run:
 * each gets them as missed_kprobe, as a kernel kretprobe counts such a
 * hit in its kprobe's nmissed.  Callers collect before a probe joins
 * or leaves the site and whenever misses are read.
 */
void krp_direct_collect(struct krp_site *site)
{
	struct krp_direct *d;
	struct krp_probe *p;
	unsigned long n;

	if (!site->direct || !krp_direct_by_kprobe())
		return;
	d = krp_direct_find(site->addr);
	if (!d || d->hook.site != site)
		return;
	n = krp_direct_missed_new(d);
	if (!n)
		return;
	list_for_each_entry(p, &site->probes, site_node)
		if (!p->disabled && p->state == KRP_LIVE)
			krp_miss_add(p, KRP_MISS_KPROBE, n);
}

/**
 * krp_direct_collect_all() - krp_direct_collect() for every hooked site
 *
 * krp_mutex held; before the totals of krp/stats are summed.
 */
void krp_direct_collect_all(void)
{
	struct krp_direct *d;

	list_for_each_entry(d, &krp_directs, node)
		if (!d->idle && d->hook.site)
			krp_direct_collect(d->hook.site);
}

/**
 * krp_direct_retire() - @addr's site lost its hook; it stays, idle
 * @addr: an address krp_direct_add() hooked
 *
 * krp_mutex held; krp_direct_reap() lets it go later.  An entry that
 * read the site before still runs it: the site is freed after a grace
 * period.
 */
void krp_direct_retire(unsigned long addr)
{
	struct krp_direct *d = krp_direct_find(addr);

	if (d) {
		d->idle = true;
		WRITE_ONCE(d->hook.site, NULL);
		/* what it drops from now on is nobody's; callers collected */
		krp_direct_missed_new(d);
	}
}

/* Unhook @d and free it; without krp_mutex but for a going module. */
static void krp_direct_free(struct krp_direct *d)
{
	int ret;

	if (krp_direct_by_kprobe()) {
		unregister_kprobe(&d->hook.kp);
		kfree(d);
		return;
	}
	ret = krp_direct_unregister(&d->ops, d->stub);

	/* not registered any more, or ftrace never let go: keep the slot */
	if (WARN_ONCE(ret, "krp: cannot unregister the direct call of %ps: %d\n",
		      (void *)d->addr, ret))
		return;
	/*
	 * The unregister of a dynamic ops (ours is not core kernel data)
	 * waited for RCU-tasks and RCU-tasks-rude: no task, idle ones
	 * included, is left in the stub.
	 */
	krp_slot_unused(d->stub);
	atomic_dec(&krp_direct_nstubs);
	kfree(d);
}

/*
 * Unregister the kprobe hooks of @list together and free them: one
 * grace period for all, where one at a time waits for one each (a
 * tool that lets a few hundred probes go would hold the reaper for as
 * many).  False, and nothing done, when there are not two of them or
 * no memory for the array: the caller goes one at a time.
 */
static bool krp_direct_unhook_all(struct list_head *list)
{
	struct krp_direct *d, *next;
	struct kprobe **kps;
	int n = 0;

	list_for_each_entry(d, list, node)
		n++;
	if (n < 2)
		return false;
	kps = kmalloc_array(n, sizeof(*kps), GFP_KERNEL | __GFP_NOWARN);
	if (!kps)
		return false;
	n = 0;
	list_for_each_entry(d, list, node)
		kps[n++] = &d->hook.kp;
	unregister_kprobes(kps, n);
	kfree(kps);
	list_for_each_entry_safe(d, next, list, node) {
		list_del(&d->node);
		kfree(d);
	}
	return true;
}

/**
 * krp_direct_reap() - take the idle functions off the list
 * @out: where they go, for krp_direct_release()
 * @quiet: krp has had no site for ops_idle_ms
 *
 * krp_mutex held.  A direct call goes only once krp is quiet, as the
 * shared ops does, never earlier: every unregister waits for RCU-tasks
 * holding ftrace's locks, which every registration at an ftrace site
 * and every kernel kprobe there needs, and a task that spins in the
 * kernel through a probed function holds RCU-tasks up for as long as
 * it spins.  A kprobe hook waits for nothing of the kind (the kernel's
 * kprobes ftrace ops is not a dynamic one): it goes at the reaper's
 * next pass, a second after its site, as an idle filter entry does.
 */
void krp_direct_reap(struct list_head *out, bool quiet)
{
	struct krp_direct *d, *next;

	list_for_each_entry_safe(d, next, &krp_directs, node)
		if (d->idle && (quiet || krp_direct_by_kprobe()))
			list_move(&d->node, out);
}

/**
 * krp_direct_release() - unhook what krp_direct_reap() took
 * @list: its list
 *
 * Without krp_mutex: every unregister waits for RCU-tasks.
 */
void krp_direct_release(struct list_head *list)
{
	struct krp_direct *d, *next;

	if (krp_direct_by_kprobe() && krp_direct_unhook_all(list))
		return;
	list_for_each_entry_safe(d, next, list, node) {
		list_del(&d->node);
		krp_direct_free(d);
	}
}

/**
 * krp_direct_flush() - unhook the idle functions of a module's text that goes
 * @modname: the module
 *
 * krp_mutex held: ftrace drops the records of that text next, and a
 * direct ops must not keep addresses that new text may reuse.  The
 * sites there are unarmed by now, their functions idle.
 */
void krp_direct_flush(const char *modname)
{
	struct krp_direct *d, *next;
	LIST_HEAD(gone);

	list_for_each_entry_safe(d, next, &krp_directs, node)
		if (d->idle && !strcmp(d->modname, modname))
			list_move(&d->node, &gone);
	krp_direct_release(&gone);
}

/**
 * krp_direct_stubs() - out-of-line slots that hold direct-call stubs
 *
 * Return: how many; also read without krp_mutex, by krp/stats.
 */
unsigned int krp_direct_stubs(void)
{
	return atomic_read(&krp_direct_nstubs);
}

/**
 * krp_direct_exit() - unhook every function, at unload
 *
 * No site is left.
 */
void krp_direct_exit(void)
{
	LIST_HEAD(all);

	list_splice_init(&krp_directs, &all);
	krp_direct_release(&all);
}
