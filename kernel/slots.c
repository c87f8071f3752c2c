// SPDX-License-Identifier: GPL-2.0
/*
 * Out-of-line slots: where an instruction displaced by an int3 runs when
 * krp does not emulate it.  The slots are a fixed area of krp.ko's own
 * text (the arch reserves it), so they stay mapped for as long as any
 * client holds krp.ko, and krp.ko's unload waits for RCU-tasks before
 * its text goes.
 *
 * A slot its site gave up is dirty, not free.  A boosted slot runs with
 * whatever preemption state the probed code had, so a task may sit
 * preempted inside it for as long as the scheduler likes, and an
 * interrupt or NMI may be running on top of it.  A dirty slot is reused
 * only after synchronize_rcu(), which waits out everything that ran it
 * with preemption or interrupts off, synchronize_rcu_tasks(), which
 * waits until every task has switched out voluntarily since, which a
 * task preempted inside a slot has not done, and
 * synchronize_rcu_tasks_rude(), for the idle task: it is not on the
 * task list RCU-tasks scans, and runs slots of probed idle code where
 * RCU is not watching; the rude flavour makes every CPU schedule, which
 * the idle task only does from its loop.  Collecting costs three grace
 * periods, so it happens only when no clean slot is left, and never
 * under krp_mutex: a task spinning in the kernel without switching out
 * voluntarily holds RCU-tasks up, and registrations that need no slot
 * must not wait for it.
 *
 * krp_slots_mutex keeps the bitmaps; the callers prepare and release
 * int3 sites under krp_mutex, which comes first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rcupdate_wait.h>
#include <linux/stringify.h>

#include <krp_arch.h>

#include "slots.h"

static DEFINE_MUTEX(krp_slots_mutex);

static DECLARE_BITMAP(krp_slot_used, KRP_NR_SLOTS);	/* dirty ones too */
static DECLARE_BITMAP(krp_slot_dirty, KRP_NR_SLOTS);

/* Serializes collections; taken before krp_slots_mutex, never under it. */
static DEFINE_MUTEX(krp_slots_collect_mutex);
/* what a collection cleans, under krp_slots_collect_mutex */
static DECLARE_BITMAP(krp_slot_batch, KRP_NR_SLOTS);

/*
 * The slots handed out are the first slots_max: lowered, it bounds how
 * many sites may hold a slot at once, and makes krp collect dirty slots
 * sooner (the test of collection does so).  Slots already taken above
 * it stay with their sites.
 */
static unsigned int slots_max = KRP_NR_SLOTS;

static int krp_slots_max_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;
	int ret = kstrtouint(val, 0, &n);

	if (ret)
		return ret;
	if (!n || n > KRP_NR_SLOTS) {
		pr_err("slots_max=%u is outside 1..%u\n", n, KRP_NR_SLOTS);
		return -EINVAL;
	}
	WRITE_ONCE(slots_max, n);
	return 0;
}

static const struct kernel_param_ops krp_slots_max_ops = {
	.set = krp_slots_max_set,
	.get = param_get_uint,
};
module_param_cb(slots_max, &krp_slots_max_ops, &slots_max, 0644);
MODULE_PARM_DESC(slots_max,
		 "out-of-line slots that may be taken at once, 1.." __stringify(KRP_NR_SLOTS) " (default " __stringify(KRP_NR_SLOTS) ")");

/**
 * krp_slots_collect() - when no clean slot is left, clean the dirty ones
 *
 * Sleeps for three grace periods if it collects; a task that
 * spins in the kernel holds the RCU-tasks one up for as long as it
 * spins, so the caller holds neither krp_mutex nor any lock a
 * registration needs.  Slots given up meanwhile wait for the next
 * collection.
 */
void krp_slots_collect(void)
{
	unsigned long *batch = krp_slot_batch;
	unsigned int max;

	mutex_lock(&krp_slots_collect_mutex);
	mutex_lock(&krp_slots_mutex);
	max = READ_ONCE(slots_max);
	if (find_first_zero_bit(krp_slot_used, max) < max)
		bitmap_zero(batch, KRP_NR_SLOTS);
	else
		bitmap_copy(batch, krp_slot_dirty, KRP_NR_SLOTS);
	mutex_unlock(&krp_slots_mutex);
	if (!bitmap_empty(batch, KRP_NR_SLOTS)) {
		synchronize_rcu();
		synchronize_rcu_tasks();
		synchronize_rcu_tasks_rude();
		mutex_lock(&krp_slots_mutex);
		bitmap_andnot(krp_slot_used, krp_slot_used, batch, KRP_NR_SLOTS);
		bitmap_andnot(krp_slot_dirty, krp_slot_dirty, batch,
			      KRP_NR_SLOTS);
		mutex_unlock(&krp_slots_mutex);
	}
	mutex_unlock(&krp_slots_collect_mutex);
}

/**
 * krp_slot_alloc() - take a clean out-of-line slot
 * @slot: the slot's address, on success
 *
 * Never waits for a grace period: the callers hold krp_mutex.
 *
 * Return: 0; -EAGAIN when only dirty slots are left, which
 * krp_slots_collect() cleans; -ENOSPC when all slots_max are in use.
 */
int krp_slot_alloc(unsigned long *slot)
{
	unsigned int max;
	unsigned long i;
	int ret = 0;

	mutex_lock(&krp_slots_mutex);
	max = READ_ONCE(slots_max);
	i = find_first_zero_bit(krp_slot_used, max);
	if (i < max) {
		__set_bit(i, krp_slot_used);
		*slot = (unsigned long)krp_slot_area + i * KRP_SLOT_SIZE;
	} else {
		ret = bitmap_empty(krp_slot_dirty, max) ? -ENOSPC : -EAGAIN;
	}
	mutex_unlock(&krp_slots_mutex);
	return ret;
}

/* Give @slot back: dirty, or at once when nothing can be inside it. */
static void krp_slot_give(unsigned long slot, bool dirty)
{
	unsigned long i = (slot - (unsigned long)krp_slot_area) / KRP_SLOT_SIZE;

	mutex_lock(&krp_slots_mutex);
	if (!WARN_ON_ONCE(i >= KRP_NR_SLOTS || !test_bit(i, krp_slot_used))) {
		if (dirty)
			__set_bit(i, krp_slot_dirty);
		else
			__clear_bit(i, krp_slot_used);
	}
	mutex_unlock(&krp_slots_mutex);
}

/**
 * krp_slot_free() - give a slot back, for reuse after the grace periods
 * @slot: a slot from krp_slot_alloc()
 */
void krp_slot_free(unsigned long slot)
{
	krp_slot_give(slot, true);
}

/**
 * krp_slot_unused() - give back a slot no task can be inside
 * @slot: a slot from krp_slot_alloc() that was never reachable, or
 *        whose user already waited for RCU-tasks and RCU-tasks-rude
 *        after it became unreachable (a direct-call stub)
 *
 * Clean at once.
 */
void krp_slot_unused(unsigned long slot)
{
	krp_slot_give(slot, false);
}

/**
 * krp_slots_count() - slots taken, and how many of them are dirty
 * @dirty: the dirty ones
 * @total: the slots that may be taken (slots_max)
 *
 * Return: slots not free for allocation without a collection.
 */
unsigned int krp_slots_count(unsigned int *dirty, unsigned int *total)
{
	unsigned int used;

	*total = READ_ONCE(slots_max);
	mutex_lock(&krp_slots_mutex);
	*dirty = bitmap_weight(krp_slot_dirty, KRP_NR_SLOTS);
	used = bitmap_weight(krp_slot_used, KRP_NR_SLOTS);
	mutex_unlock(&krp_slots_mutex);
	return used;
}
