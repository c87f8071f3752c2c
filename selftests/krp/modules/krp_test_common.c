// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by krp_test.ko's scenario families: counters and an
 * event log, the return probes most scenarios use, the handlers several
 * families share, and worker threads bound to each CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/string.h>

#include "krp_test_common.h"

int krp_log[LOG_MAX];
atomic_t krp_nlog;

void log_event(int ev)
{
	int i = atomic_inc_return(&krp_nlog) - 1;

	if (i < LOG_MAX)
		krp_log[i] = ev;
}

atomic_t n_entry, n_ret, n_bad;

void counters_reset(void)
{
	atomic_set(&n_entry, 0);
	atomic_set(&n_ret, 0);
	atomic_set(&n_bad, 0);
	atomic_set(&krp_nlog, 0);
}

struct krp_kretprobe rp_a, rp_b, rp_c;

void rp_init(struct krp_kretprobe *rp, const char *sym,
	     krp_kretprobe_handler_t entry, krp_kretprobe_handler_t ret,
	     size_t data_size)
{
	memset(rp, 0, sizeof(*rp));
	rp->kp.symbol_name = sym;
	rp->entry_handler = entry;
	rp->handler = ret;
	rp->data_size = data_size;
}

/* The argument into the frame's data (data_size >= sizeof(long)). */
int arg_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	return 0;
}

/* krp_test_target()'s result, on rp_a, back in this module. */
int retval_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	int x = *(long *)ri->data;
	unsigned long ra = krp_get_kretprobe_retaddr(ri);

	if (regs_return_value(regs) != x * 3 + 1 ||
	    krp_get_kretprobe(ri) != &rp_a ||
	    !within_module(ra, THIS_MODULE) ||
	    instruction_pointer(regs) != ra || preemptible())
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* One task's recursion: its returns come innermost first, 0, 1, 2, ... */
int rec_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long n = *(long *)ri->data;

	if (regs_return_value(regs) != n || n != atomic_read(&n_ret))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* krp_test_sleep()'s result (also krp_test_target()'s for x = 0). */
int sleep_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != *(long *)ri->data * 2 + 1)
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

int count_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_ret);
	return 0;
}

/*
 * track_arm() opens a generation before a register, track_disarmed()
 * closes it once the unregister returned; a handler that finds its
 * frame's generation closed ran too late.  Entries still pending when
 * their caller got control back were abandoned by the unregister: their
 * return handler will never run.
 */
static struct task_struct *track_task[TRACK_MAX];
static atomic_t track_pending[TRACK_MAX];
static atomic_t track_ncallers, track_strangers;
static long track_gen, track_done;
atomic_t n_late, n_abandoned;

void track_reset(void)
{
	int i;

	counters_reset();
	for (i = 0; i < TRACK_MAX; i++) {
		WRITE_ONCE(track_task[i], NULL);
		atomic_set(&track_pending[i], 0);
	}
	atomic_set(&track_ncallers, 0);
	atomic_set(&track_strangers, 0);
	atomic_set(&n_late, 0);
	atomic_set(&n_abandoned, 0);
	WRITE_ONCE(track_done, READ_ONCE(track_gen));
}

/* The calling task calls probed functions; returns its index, or -1. */
int track_caller(void)
{
	int i = atomic_inc_return(&track_ncallers) - 1;

	if (i >= TRACK_MAX)
		return -1;
	/* pairs with track_index(): the slot is seen only once it is set */
	smp_store_release(&track_task[i], current);
	return i;
}

void track_arm(void)
{
	WRITE_ONCE(track_gen, track_gen + 1);
	/* the new generation before the probes that will read it are armed */
	smp_wmb();
}

void track_disarmed(void)
{
	/* pairs with the handlers' acquire: later calls are seen as late */
	smp_store_release(&track_done, READ_ONCE(track_gen));
}

static int track_index(void)
{
	int i;

	for (i = 0; i < TRACK_MAX; i++)
		/* pairs with track_caller()'s release */
		if (smp_load_acquire(&track_task[i]) == current)
			return i;
	atomic_inc(&track_strangers);
	return -1;
}

/* An entry handler: the argument, the generation, one more pending. */
int track_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct track_data *d = (struct track_data *)ri->data;
	int i = track_index();

	d->arg = regs_get_kernel_argument(regs, 0);
	d->gen = READ_ONCE(track_gen);
	/* pairs with track_disarmed(): a call after unregister is late */
	if (smp_load_acquire(&track_done) >= d->gen)
		atomic_inc(&n_late);
	if (i >= 0)
		atomic_inc(&track_pending[i]);
	atomic_inc(&n_entry);
	return 0;
}

/* For return handlers after track_entry(): returns the argument. */
long track_return(struct krp_kretprobe_instance *ri)
{
	struct track_data *d = (struct track_data *)ri->data;
	int i = track_index();

	/* pairs with track_disarmed(), as in track_entry() */
	if (smp_load_acquire(&track_done) >= d->gen)
		atomic_inc(&n_late);
	if (i >= 0)
		atomic_dec(&track_pending[i]);
	atomic_inc(&n_ret);
	return d->arg;
}

/* After a call of a probed function returned to @caller. */
void track_settle(int caller)
{
	int n;

	if (caller < 0)
		return;
	n = atomic_xchg(&track_pending[caller], 0);
	if (n)
		atomic_add(n, &n_abandoned);
}

/* Once every caller settled: the counts add up, nothing ran late. */
int track_check(const char *what)
{
	int ret = 0;

	CHECK(!atomic_read(&n_late), "%s: %d handlers after unregister", what,
	      atomic_read(&n_late));
	CHECK(!atomic_read(&track_strangers) &&
	      atomic_read(&track_ncallers) <= TRACK_MAX,
	      "%s: %d calls from unknown tasks, %d callers", what,
	      atomic_read(&track_strangers), atomic_read(&track_ncallers));
	CHECK(atomic_read(&n_ret) + atomic_read(&n_abandoned) ==
	      atomic_read(&n_entry), "%s: %d returns + %d abandoned != %d entries",
	      what, atomic_read(&n_ret), atomic_read(&n_abandoned),
	      atomic_read(&n_entry));
	pr_info("%s: %d entries, %d returns, %d abandoned by an unregister\n",
		what, atomic_read(&n_entry), atomic_read(&n_ret),
		atomic_read(&n_abandoned));
	return ret;
}

atomic_t stress_bad;
bool stress_stop;

/* One kthread bound to each online CPU, running @fn; returns how many. */
unsigned int workers_start(int (*fn)(void *), const char *name,
			   struct task_struct **workers)
{
	unsigned int cpu, nw = 0;
	struct task_struct *t;

	for_each_online_cpu(cpu) {
		if (nw == WORKERS_MAX)
			break;
		t = kthread_create(fn, NULL, "%s/%u", name, cpu);
		if (IS_ERR(t))
			break;
		kthread_bind(t, cpu);
		get_task_struct(t);
		wake_up_process(t);
		workers[nw++] = t;
	}
	return nw;
}

void workers_stop(struct task_struct **workers, unsigned int nw)
{
	while (nw--) {
		kthread_stop(workers[nw]);
		put_task_struct(workers[nw]);
	}
}

static int int3_probe_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	return 0;
}

/*
 * Whether krp takes int3 sites on this kernel: 0, or -EOPNOTSUPP where
 * it refuses every one (x86_64 until they land), decided once by a
 * kprobe on the first instruction of a notrace leaf.
 */
int krp_test_need_int3(void)
{
	static int answer = 1;
	struct krp_kprobe kp = {
		.symbol_name = "krp_test_notrace",
		.pre_handler = int3_probe_pre,
	};
	int err;

	if (answer <= 0)
		return answer;
	err = krp_register_kprobe(&kp);
	if (!err)
		krp_unregister_kprobe(&kp);
	answer = err == -EOPNOTSUPP ? err : 0;
	if (answer)
		pr_info("int3 sites refused here: their scenarios return -EOPNOTSUPP\n");
	return answer;
}

/*
 * Where a probe of @fn by name is placed: after its ENDBR on IBT kernels
 * (6.12 amd64), as the kernel's kprobes place theirs.
 */
void *krp_test_entry(void *fn)
{
	static const u8 endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	u8 *text = (u8 *)krp_test_text(fn);

	if (IS_ENABLED(CONFIG_X86_64) && !memcmp(text, endbr64, sizeof(endbr64)))
		return text + sizeof(endbr64);
	return text;
}
