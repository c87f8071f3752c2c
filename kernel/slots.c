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
 * periods, so it happens only when no clean slot is left.
 *
 * krp_slots_mutex keeps the bitmaps; the callers prepare and release
 * int3 sites under krp_mutex, which comes first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rcupdate_wait.h>

#include <krp_arch.h>

#include "slots.h"

static DEFINE_MUTEX(krp_slots_mutex);

static DECLARE_BITMAP(krp_slot_used, KRP_NR_SLOTS);	/* dirty ones too */
static DECLARE_BITMAP(krp_slot_dirty, KRP_NR_SLOTS);

static void krp_slots_collect(void)
{
	synchronize_rcu();
	synchronize_rcu_tasks();
	synchronize_rcu_tasks_rude();
	bitmap_andnot(krp_slot_used, krp_slot_used, krp_slot_dirty,
		      KRP_NR_SLOTS);
	bitmap_zero(krp_slot_dirty, KRP_NR_SLOTS);
}

/**
 * krp_slot_alloc() - take an out-of-line slot
 *
 * May sleep for three grace periods when only dirty slots are left.
 *
 * Return: the slot's address, or 0 when all %KRP_NR_SLOTS are in use.
 */
unsigned long krp_slot_alloc(void)
{
	unsigned long i, slot = 0;

	mutex_lock(&krp_slots_mutex);
	i = find_first_zero_bit(krp_slot_used, KRP_NR_SLOTS);
	if (i == KRP_NR_SLOTS && !bitmap_empty(krp_slot_dirty, KRP_NR_SLOTS)) {
		krp_slots_collect();
		i = find_first_zero_bit(krp_slot_used, KRP_NR_SLOTS);
	}
	if (i < KRP_NR_SLOTS) {
		__set_bit(i, krp_slot_used);
		slot = (unsigned long)krp_slot_area + i * KRP_SLOT_SIZE;
	}
	mutex_unlock(&krp_slots_mutex);
	return slot;
}

/**
 * krp_slot_free() - give a slot back, for reuse after the grace periods
 * @slot: a slot from krp_slot_alloc()
 */
void krp_slot_free(unsigned long slot)
{
	unsigned long i = (slot - (unsigned long)krp_slot_area) / KRP_SLOT_SIZE;

	mutex_lock(&krp_slots_mutex);
	if (!WARN_ON_ONCE(i >= KRP_NR_SLOTS || !test_bit(i, krp_slot_used)))
		__set_bit(i, krp_slot_dirty);
	mutex_unlock(&krp_slots_mutex);
}

/**
 * krp_slots_count() - slots taken, and how many of them are dirty
 * @dirty: the dirty ones
 *
 * Return: slots not free for allocation without a collection.
 */
unsigned int krp_slots_count(unsigned int *dirty)
{
	unsigned int used;

	mutex_lock(&krp_slots_mutex);
	*dirty = bitmap_weight(krp_slot_dirty, KRP_NR_SLOTS);
	used = bitmap_weight(krp_slot_used, KRP_NR_SLOTS);
	mutex_unlock(&krp_slots_mutex);
	return used;
}
