// SPDX-License-Identifier: GPL-2.0
/*
 * krp_test.ko: scenarios that exercise krp's return probes from a
 * client module.  Writing a scenario's name to
 * /sys/kernel/debug/krp_test/run runs it in the writer's context; the
 * write succeeds if the scenario passed and fails with the scenario's
 * errno otherwise, with the reason in dmesg.
 *
 * A few scenarios leave a probe armed for the user-space side to check
 * (hold_pipe, arm_target); module exit unregisters whatever is left.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/jump_label.h>
#include <linux/kallsyms.h>
#include <linux/timer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <asm/uaccess.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <krp/kprobes.h>

#include "krp_test_asm.h"

static unsigned int sleepers = 4096;
module_param(sleepers, uint, 0644);
MODULE_PARM_DESC(sleepers, "tasks asleep at once in the sleepers scenario");

static unsigned int depth = 200;
module_param(depth, uint, 0644);
MODULE_PARM_DESC(depth, "recursion depth of the recursion scenario");

static unsigned int cycles = 1000;
module_param(cycles, uint, 0644);
MODULE_PARM_DESC(cycles, "register/unregister cycles of the stress scenario");

#define CHECK(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			pr_err("%s:%d: check failed: %s: " fmt "\n",	\
			       __func__, __LINE__, #cond, ##__VA_ARGS__); \
			ret = -EINVAL;					\
		}							\
	} while (0)

/* Targets.  noipa: no inlining, no cloning, no assumptions across calls. */
#define TARGET __attribute__((__noipa__))

static TARGET int krp_test_target(int x)
{
	return x * 3 + 1;
}

static TARGET u64 krp_test_target64(u64 x)
{
	return (x << 32) | (x + 7);
}

static TARGET int krp_test_recurse(int n)
{
	if (n <= 0)
		return 0;
	return krp_test_recurse(n - 1) + 1;
}

static DECLARE_WAIT_QUEUE_HEAD(krp_test_wq);
static bool krp_test_released;

static TARGET int krp_test_sleep(int id)
{
	wait_event(krp_test_wq, READ_ONCE(krp_test_released));
	return id * 2 + 1;
}

static TARGET void krp_test_noreturn(struct completion *done)
{
	kthread_complete_and_exit(done, 0);
}

static notrace TARGET __used int krp_test_notrace(int x)
{
	return x + 1;
}

static TARGET int krp_test_notrace_call(int x)
{
	return krp_test_notrace(x);
}

/* notrace, and not leaves: they start by pushing the frame pointer */
static notrace TARGET int krp_test_int3_fn(int x)
{
	return krp_test_target(x) + 1;
}

static DEFINE_STATIC_KEY_FALSE(krp_test_key);

/*
 * Its static branch is a 5-byte nop the kernel patches: not krp's.  It
 * comes after a call, so that it is not at the function's start.
 */
static notrace TARGET int krp_test_jl_fn(int x)
{
	x = krp_test_target(x);
	if (static_branch_unlikely(&krp_test_key))
		x++;
	return x;
}

static notrace TARGET int krp_test_int3_rec(int n)
{
	if (n <= 0)
		return 0;
	return krp_test_int3_rec(n - 1) + 1;
}

/* its first instruction reads through a pointer: no out-of-line copy */
static notrace TARGET __used int krp_test_deref(int *p)
{
	return *p + 1;
}

/*
 * Hand-written targets, so that each class of instruction sits where the
 * test knows it.  The kernel's i386 convention (regparm 3): the argument
 * in %eax, the result in %eax.
 *
 * krp_test_ool(x): besides the frame, every instruction runs out of
 * line: register arithmetic, stack and frame accesses, flags carried
 * across instructions, a locked stack update, a per-CPU and a global
 * load, a prefixed instruction.
 */
static int krp_test_ool_bias = 1000;
static DEFINE_PER_CPU(int, krp_test_pcpu);

asm(".pushsection .text, \"ax\"\n"
"	.globl krp_test_ool\n"
"	.type krp_test_ool, @function\n"
"krp_test_ool:\n"
"	push %ebp\n"
"	mov %esp, %ebp\n"
"	push %ebx\n"
"	mov %eax, %ebx\n"
"	lea 0x7(%eax,%eax,2), %ecx\n"
"	imul $5, %ecx, %edx\n"
"	shl $2, %ebx\n"
"	add %ebx, %edx\n"
"	sub $0x10, %esp\n"
"	mov %edx, 0x4(%esp)\n"
"	movl $0x11, (%esp)\n"
"	mov 0x4(%esp), %eax\n"
"	add (%esp), %eax\n"
"	mov %eax, -0x8(%ebp)\n"
"	addl $0x3, -0x8(%ebp)\n"
"	mov -0x8(%ebp), %eax\n"
"	cmp $0x64, %eax\n"
"	setg %cl\n"
"	movzbl %cl, %ecx\n"
"	bswap %ecx\n"
"	bswap %ecx\n"
"	xchg %ecx, %edx\n"
"	add %edx, %eax\n"
"	lock incl (%esp)\n"
"	mov (%esp), %edx\n"
"	sub $0x12, %edx\n"
"	add %edx, %eax\n"
"	add krp_test_ool_bias, %eax\n"
"	add %fs:krp_test_pcpu, %eax\n"
"	pause\n"
"	add $0x10, %esp\n"
"	pop %ebx\n"
"	pop %ebp\n"
"	ret\n"
"	.size krp_test_ool, . - krp_test_ool\n"
/*
 * krp_test_emu(x), x > 0: the control-flow and flags instructions krp
 * emulates, and two ud2 that never run and cannot be probed.
 */
"	.globl krp_test_emu\n"
"	.type krp_test_emu, @function\n"
"krp_test_emu:\n"
"	push %ebp\n"
"	mov %esp, %ebp\n"
"	pushf\n"
"	cli\n"
"	mov %eax, %ecx\n"
"	xor %edx, %edx\n"
"1:	add $3, %edx\n"
"	loop 1b\n"
"	jecxz 2f\n"
"	ud2\n"
"2:	mov $3f, %ecx\n"
"	call *%ecx\n"
"	mov $4f, %ecx\n"
"	jmp *%ecx\n"
"	ud2\n"
"4:	popf\n"
"	sti\n"
"	mov %edx, %eax\n"
"	pop %ebp\n"
"	ret\n"
"3:	add $1, %edx\n"
"	ret\n"
"	.size krp_test_emu, . - krp_test_emu\n"
/*
 * krp_test_refused: never called; instructions krp must refuse to run
 * anywhere but in place, each at a known offset (see scenario_refuse).
 */
"	.globl krp_test_refused\n"
"	.type krp_test_refused, @function\n"
"krp_test_refused:\n"
"	sti\n"				/* +0: its shadow covers the hlt */
"	hlt\n"				/* +1 */
"	popfw\n"			/* +2: 66 9d, a prefixed popf */
"	invept (%esp), %eax\n"		/* +4: has a fixup in KVM */
"	rep movsb\n"			/* +10: a string instruction */
"	mov %eax, %ss\n"		/* +12: the interrupt shadow */
"	ret\n"
"	.size krp_test_refused, . - krp_test_refused\n"
".popsection");

static int krp_test_ool_ref(int x)
{
	int r = 19 * x + 55;

	return r + (r > 100) + krp_test_ool_bias + this_cpu_read(krp_test_pcpu);
}

static int count_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs);
static int stress_fn(void *arg);
static atomic_t stress_bad;
static bool stress_stop;

/* Event log for order checks in single-task scenarios. */
#define LOG_MAX 1024
static int krp_log[LOG_MAX];
static atomic_t krp_nlog;

static void log_event(int ev)
{
	int i = atomic_inc_return(&krp_nlog) - 1;

	if (i < LOG_MAX)
		krp_log[i] = ev;
}

static void log_reset(void)
{
	atomic_set(&krp_nlog, 0);
}

static atomic_t n_entry, n_ret, n_bad;

static void counters_reset(void)
{
	atomic_set(&n_entry, 0);
	atomic_set(&n_ret, 0);
	atomic_set(&n_bad, 0);
	log_reset();
}

static void rp_init(struct krp_kretprobe *rp, const char *sym,
		    krp_kretprobe_handler_t entry,
		    krp_kretprobe_handler_t ret, size_t data_size)
{
	memset(rp, 0, sizeof(*rp));
	rp->kp.symbol_name = sym;
	rp->entry_handler = entry;
	rp->handler = ret;
	rp->data_size = data_size;
}

/* retval: 32- and 64-bit return values, entry data, accessors */

static struct krp_kretprobe rp_a, rp_b, rp_c;

static int retval_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	return 0;
}

static int retval_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
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

static int retval64_entry(struct krp_kretprobe_instance *ri,
			  struct pt_regs *regs)
{
	/* a u64 argument comes in edx:eax on i386 */
	u64 x = IS_ENABLED(CONFIG_X86_32) ?
		((u64)regs->dx << 32 | (u32)regs->ax) :
		regs_get_kernel_argument(regs, 0);

	*(u64 *)ri->data = x;
	return 0;
}

static int retval64_ret(struct krp_kretprobe_instance *ri,
			struct pt_regs *regs)
{
	u64 x = *(u64 *)ri->data;

	if (krp_regs_return_value64(regs) != ((x << 32) | (x + 7)))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int scenario_retval(void)
{
	int i, ret = 0, err;
	u64 v;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", retval_entry, retval_ret, sizeof(long));
	rp_init(&rp_b, "krp_test_target64", retval64_entry, retval64_ret,
		sizeof(u64));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	err = krp_register_kretprobe(&rp_b);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	CHECK(rp_a.kp.addr == (void *)krp_test_target, "addr %pS", rp_a.kp.addr);
	CHECK(rp_a.kp.flags & KRP_FLAG_FTRACE, "flags %x", rp_a.kp.flags);
	for (i = 0; i < 100; i++)
		CHECK(krp_test_target(i) == i * 3 + 1, "i=%d", i);
	CHECK(atomic_read(&n_entry) == 100, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 100, "%d", atomic_read(&n_ret));
	for (v = 1; v < (1ULL << 40); v <<= 7)
		CHECK(krp_test_target64(v) == ((v << 32) | (v + 7)), "%llu", v);
	CHECK(atomic_read(&n_ret) == 106, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	CHECK(krp_kretprobe_nmissed(&rp_a) == 0, "");
	krp_unregister_kretprobe(&rp_a);
	krp_unregister_kretprobe(&rp_b);
	CHECK(!rp_a.probe && !rp_b.probe, "");
	/* no handler after unregister */
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 106, "%d", atomic_read(&n_ret));
	return ret;
}

/* data: the largest data_size, kept intact between entry and return */

static int data_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	memset(ri->data, 0x5a, KRP_KRETPROBE_MAX_DATA_SIZE);
	return 0;
}

static int data_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (memchr_inv(ri->data, 0x5a, KRP_KRETPROBE_MAX_DATA_SIZE))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int scenario_data(void)
{
	int ret = 0, err, i;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", data_entry, data_ret,
		KRP_KRETPROBE_MAX_DATA_SIZE);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	for (i = 0; i < 10; i++)
		krp_test_target(i);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_ret) == 10, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* recursion: every level's return, innermost first */

static int rec_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	return 0;
}

static int rec_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long n = *(long *)ri->data;

	/* returns come innermost first: 0, 1, 2, ... */
	if (regs_return_value(regs) != n || n != atomic_read(&n_ret))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int scenario_recursion(void)
{
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_recurse", rec_entry, rec_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_recurse(depth) == depth, "");
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_entry) == depth + 1, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == depth + 1, "%d", atomic_read(&n_ret));
	CHECK(!atomic_read(&n_bad), "%d", atomic_read(&n_bad));
	CHECK(rp_a.nmissed == 0, "%d", rp_a.nmissed);
	return ret;
}

/* return value of any level, for concurrent callers */
static int rec_ret_any(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != *(long *)ri->data)
		atomic_inc(&n_bad);
	return 0;
}

/* multi: three probes on one function */

static unsigned long multi_ra[3];

static int multi_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct krp_kretprobe *rp = krp_get_kretprobe(ri);

	log_event(rp == &rp_a ? 1 : rp == &rp_b ? 2 : 3);
	return 0;
}

static int multi_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	struct krp_kretprobe *rp = krp_get_kretprobe(ri);
	int id = rp == &rp_a ? 1 : rp == &rp_b ? 2 : 3;

	log_event(10 + id);
	multi_ra[id - 1] = krp_get_kretprobe_retaddr(ri);
	if (regs_return_value(regs) != 22)
		atomic_inc(&n_bad);
	return 0;
}

static int scenario_multi(void)
{
	static const int expect[] = { 1, 2, 3, 13, 12, 11 };
	struct krp_kretprobe *rps[] = { &rp_a, &rp_b, &rp_c };
	int ret = 0, err, i;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", multi_entry, multi_ret, 0);
	rp_init(&rp_b, "krp_test_target", multi_entry, multi_ret, 0);
	rp_init(&rp_c, "krp_test_target", multi_entry, multi_ret, 0);
	err = krp_register_kretprobes(rps, 3);
	if (err)
		return err;
	CHECK(krp_test_target(7) == 22, "");
	krp_unregister_kretprobes(rps, 3);
	CHECK(atomic_read(&krp_nlog) == ARRAY_SIZE(expect), "%d",
	      atomic_read(&krp_nlog));
	for (i = 0; i < ARRAY_SIZE(expect); i++)
		CHECK(krp_log[i] == expect[i], "event %d is %d", i, krp_log[i]);
	for (i = 0; i < 3; i++) {
		CHECK(within_module(multi_ra[i], THIS_MODULE), "%pS",
		      (void *)multi_ra[i]);
		CHECK(multi_ra[i] == multi_ra[0], "");
	}
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* sleepers: many tasks inside one probed function at once */

struct sleeper {
	int id;
	int result;
	struct completion *done;
	atomic_t *left;
};

static atomic_t sleepers_left;
static DECLARE_COMPLETION(sleepers_done);

static int sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	s->result = krp_test_sleep(s->id);
	if (atomic_dec_and_test(s->left))
		complete(s->done);
	return 0;
}

static int sleep_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	return 0;
}

static int sleep_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != *(long *)ri->data * 2 + 1)
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* Start @n sleepers and wait until all are inside krp_test_sleep(). */
static struct sleeper *sleepers_start(unsigned int n, atomic_t *inside)
{
	struct sleeper *s = kvcalloc(n, sizeof(*s), GFP_KERNEL);
	struct task_struct *t;
	unsigned int i, waited;

	if (!s)
		return NULL;
	WRITE_ONCE(krp_test_released, false);
	reinit_completion(&sleepers_done);
	atomic_set(&sleepers_left, n);
	for (i = 0; i < n; i++) {
		s[i].id = i;
		s[i].result = -1;
		s[i].done = &sleepers_done;
		s[i].left = &sleepers_left;
		t = kthread_run(sleeper_fn, &s[i], "krp_sleeper");
		if (IS_ERR(t)) {
			pr_err("kthread_run: %ld\n", PTR_ERR(t));
			/* the ones not started never arrive */
			atomic_sub(n - i, &sleepers_left);
			break;
		}
	}
	for (waited = 0; atomic_read(inside) < i && waited < 60000; waited += 20)
		msleep(20);
	return s;
}

static void sleepers_release(void)
{
	WRITE_ONCE(krp_test_released, true);
	wake_up_all(&krp_test_wq);
	wait_for_completion(&sleepers_done);
}

static int scenario_sleepers(void)
{
	unsigned int i, n = sleepers;
	struct sleeper *s;
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_sleep", sleep_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(n, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(atomic_read(&n_entry) == n, "%d of %u inside",
	      atomic_read(&n_entry), n);
	sleepers_release();
	CHECK(atomic_read(&n_ret) == n, "%d of %u returns seen",
	      atomic_read(&n_ret), n);
	CHECK(krp_kretprobe_nmissed(&rp_a) == 0, "nmissed %d", rp_a.nmissed);
	CHECK(!atomic_read(&n_bad), "%d", atomic_read(&n_bad));
	for (i = 0; i < n; i++)
		CHECK(s[i].result == i * 2 + 1, "sleeper %u got %d", i,
		      s[i].result);
	pr_info("sleepers: %d of %u returns seen, nmissed %d\n",
		atomic_read(&n_ret), n, rp_a.nmissed);
	krp_unregister_kretprobe(&rp_a);
	kvfree(s);
	return ret;
}

/* unregister while tasks are inside: returns right, no handler after */

static int scenario_unregister(void)
{
	unsigned int i, n = 8;
	struct sleeper *s;
	int ret = 0, err, seen;

	counters_reset();
	rp_init(&rp_a, "krp_test_sleep", sleep_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(n, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(atomic_read(&n_entry) == n, "%d", atomic_read(&n_entry));
	krp_unregister_kretprobe(&rp_a);
	seen = atomic_read(&n_ret);
	sleepers_release();
	CHECK(seen == 0, "%d", seen);
	CHECK(atomic_read(&n_ret) == seen, "handler ran after unregister");
	for (i = 0; i < n; i++)
		CHECK(s[i].result == i * 2 + 1, "sleeper %u got %d", i,
		      s[i].result);
	kvfree(s);
	return ret;
}

/* find_ret_addr: what an unwinder sees on a task asleep in a probe */

static unsigned long *found_frame;
static struct task_struct *found_task;

static int find_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	sleep_entry(ri, regs);
	WRITE_ONCE(found_frame, ri->frame);
	WRITE_ONCE(found_task, current);
	return 0;
}

static int scenario_find_ret_addr(void)
{
	unsigned long in_slot, ra;
	struct sleeper *s;
	void *cur = NULL;
	int ret = 0, err;

	counters_reset();
	found_frame = NULL;
	rp_init(&rp_a, "krp_test_sleep", find_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(1, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(found_frame, "no entry seen");
	if (found_frame) {
		/* the sleeper is inside: its stack holds the trampoline */
		in_slot = READ_ONCE(*found_frame);
		CHECK(krp_is_kretprobe_trampoline(in_slot), "slot holds %pS",
		      (void *)in_slot);
		ra = krp_kretprobe_find_ret_addr(found_task, found_frame, &cur);
		CHECK(within_module(ra, THIS_MODULE), "found %pS", (void *)ra);
		CHECK(krp_kretprobe_find_ret_addr(found_task, found_frame + 1,
						  &cur) == 0, "");
	}
	sleepers_release();
	CHECK(s[0].result == 1, "%d", s[0].result);
	krp_unregister_kretprobe(&rp_a);
	kvfree(s);
	return ret;
}

/* depth: recursion past what a pool holds misses, never breaks */

static int scenario_depth(void)
{
	unsigned int deep = 40;
	int ret = 0, err, missed;

	counters_reset();
	/* big frames reach the pool bound long before the stack's */
	rp_init(&rp_a, "krp_test_recurse", rec_entry, count_ret, 1024);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_recurse(deep) == deep, "wrong result");
	missed = krp_kretprobe_nmissed(&rp_a);
	krp_unregister_kretprobe(&rp_a);
	CHECK(missed > 0, "a %u-deep recursion fit the pool?", deep);
	CHECK(atomic_read(&n_entry) + missed == deep + 1, "%d + %d",
	      atomic_read(&n_entry), missed);
	CHECK(atomic_read(&n_ret) == atomic_read(&n_entry), "%d != %d",
	      atomic_read(&n_ret), atomic_read(&n_entry));
	pr_info("depth: %d probed, %d missed at the pool bound\n",
		atomic_read(&n_entry), missed);
	return ret;
}

/* disable/enable, and what a disable does to calls already inside */

static int scenario_disable(void)
{
	struct sleeper *s;
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", retval_entry, retval_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 1, "");
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	CHECK(rp_a.kp.flags & KRP_FLAG_DISABLED, "");
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 1, "disabled probe fired");
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	CHECK(!(rp_a.kp.flags & KRP_FLAG_DISABLED), "");
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 2, "");
	CHECK(!atomic_read(&n_bad), "");
	krp_unregister_kretprobe(&rp_a);
	CHECK(krp_disable_kretprobe(&rp_a) == -EINVAL, "");

	/* a call inside when the probe is disabled still gets its return */
	counters_reset();
	rp_init(&rp_a, "krp_test_sleep", sleep_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	s = sleepers_start(1, &n_entry);
	if (!s) {
		krp_unregister_kretprobe(&rp_a);
		return -ENOMEM;
	}
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	sleepers_release();
	CHECK(atomic_read(&n_ret) == 1, "in-flight return after disable: %d",
	      atomic_read(&n_ret));
	krp_unregister_kretprobe(&rp_a);
	kvfree(s);

	/* registered disabled */
	counters_reset();
	rp_init(&rp_a, "krp_test_target", retval_entry, retval_ret, sizeof(long));
	rp_a.kp.flags = KRP_FLAG_DISABLED;
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 0, "");
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	krp_test_target(1);
	CHECK(atomic_read(&n_ret) == 1, "");
	krp_unregister_kretprobe(&rp_a);
	return ret;
}

/* batch: a failure rolls back the ones registered before it */

static int scenario_batch(void)
{
	struct krp_kretprobe *rps[] = { &rp_a, &rp_b, &rp_c };
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", retval_entry, retval_ret, sizeof(long));
	rp_init(&rp_b, "krp_test_target64", retval64_entry, retval64_ret,
		sizeof(u64));
	rp_init(&rp_c, "krp_test_no_such_function", NULL, retval_ret, 0);
	err = krp_register_kretprobes(rps, 3);
	CHECK(err == -ENOENT, "%d", err);
	CHECK(!rp_a.probe && !rp_b.probe && !rp_c.probe, "");
	krp_test_target(1);
	krp_test_target64(1);
	CHECK(atomic_read(&n_entry) == 0 && atomic_read(&n_ret) == 0,
	      "rolled-back probe fired");
	CHECK(krp_register_kretprobes(rps, 0) == -EINVAL, "");

	rp_init(&rp_a, "krp_test_target", retval_entry, retval_ret, sizeof(long));
	rp_init(&rp_b, "krp_test_target64", retval64_entry, retval64_ret,
		sizeof(u64));
	err = krp_register_kretprobes(rps, 2);
	CHECK(!err, "%d", err);
	if (err)
		return ret;
	krp_test_target(1);
	krp_test_target64(1);
	CHECK(atomic_read(&n_ret) == 2, "%d", atomic_read(&n_ret));
	krp_unregister_kretprobes(rps, 2);
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* badinput: each refused registration, with its errno */

static int expect_err(struct krp_kretprobe *rp, int want, const char *what)
{
	int err = krp_register_kretprobe(rp);

	if (err == want && !rp->probe)
		return 0;
	pr_err("badinput %s: got %d, want %d\n", what, err, want);
	if (!err)
		krp_unregister_kretprobe(rp);
	return -EINVAL;
}

static int scenario_badinput(void)
{
	int ret = 0;

	rp_init(&rp_a, "krp_test_no_such_function", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -ENOENT, "unknown symbol");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	rp_a.kp.offset = 5;	/* past the ftrace call: a boundary, not entry */
	ret |= expect_err(&rp_a, -EINVAL, "not a function entry");

	rp_init(&rp_a, NULL, NULL, retval_ret, 0);
	rp_a.kp.addr = (krp_opcode_t *)krp_register_kretprobe;
	ret |= expect_err(&rp_a, -EINVAL, "krp's own code");

	rp_init(&rp_a, "krp_trampoline", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "krp's trampoline");

	rp_init(&rp_a, "krp_trampoline_handler", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "krp's hit path");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret,
		KRP_KRETPROBE_MAX_DATA_SIZE + 1);
	ret |= expect_err(&rp_a, -E2BIG, "data_size");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	rp_a.kp.addr = (krp_opcode_t *)krp_test_target;
	ret |= expect_err(&rp_a, -EINVAL, "both addr and symbol");

	rp_init(&rp_a, NULL, NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "neither addr nor symbol");

	/* flags other than DISABLED are krp's: ignored, as in the kernel */
	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	rp_a.kp.flags = KRP_FLAG_GONE | KRP_FLAG_DISABLED;
	if (krp_register_kretprobe(&rp_a) ||
	    rp_a.kp.flags != (KRP_FLAG_DISABLED | KRP_FLAG_FTRACE)) {
		pr_err("badinput flags: %x\n", rp_a.kp.flags);
		ret = -EINVAL;
	} else {
		/* unregister, clear addr, register again: as in the kernel */
		krp_unregister_kretprobe(&rp_a);
		rp_a.kp.addr = NULL;
		if (krp_register_kretprobe(&rp_a)) {
			pr_err("badinput: re-registration failed\n");
			ret = -EINVAL;
		} else {
			struct krp_kretprobe *twice[] = { &rp_a, &rp_a };

			/* the same probe twice in one batch: once is enough */
			krp_unregister_kretprobes(twice, 2);
			if (rp_a.probe || krp_enable_kretprobe(&rp_a) != -EINVAL)
				ret = -EINVAL;
		}
	}

	/* an int3 entry whose first instruction cannot run out of line */
	rp_init(&rp_a, "krp_test_deref", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EOPNOTSUPP, "int3 entry not runnable");

	rp_init(&rp_a, "__switch_to", NULL, retval_ret, 0);
	ret |= expect_err(&rp_a, -EINVAL, "__switch_to");

	rp_init(&rp_a, "krp_test_target", NULL, retval_ret, 0);
	if (krp_register_kretprobe(&rp_a)) {
		ret = -EINVAL;
	} else {
		/* the second registration fails and leaves the first alone */
		if (krp_register_kretprobe(&rp_a) != -EBUSY || !rp_a.probe) {
			pr_err("badinput registered twice: not -EBUSY\n");
			ret = -EINVAL;
		}
		krp_unregister_kretprobe(&rp_a);
	}

	/* not registered: a warning in dmesg, nothing else */
	rp_init(&rp_b, "krp_test_target", NULL, retval_ret, 0);
	krp_unregister_kretprobe(&rp_b);
	return ret;
}

/* handler_recursion: a handler calling the probed function is a miss */

static int recurse_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_ret);
	if (krp_test_target(5) != 16)
		atomic_inc(&n_bad);
	return 0;
}

static int recurse_entry(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	*(long *)ri->data = regs_get_kernel_argument(regs, 0);
	atomic_inc(&n_entry);
	if (krp_test_target(6) != 19)
		atomic_inc(&n_bad);
	return 0;
}

static int scenario_handler_recursion(void)
{
	int ret = 0, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", NULL, recurse_ret, 0);
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_target(1) == 4, "");
	CHECK(krp_test_target(2) == 7, "");
	CHECK(atomic_read(&n_ret) == 2, "%d", atomic_read(&n_ret));
	CHECK(krp_kretprobe_nmissed(&rp_a) == 2, "nmissed %d", rp_a.nmissed);
	CHECK(rp_a.kp.nmissed == 2, "kp.nmissed %lu", rp_a.kp.nmissed);
	krp_unregister_kretprobe(&rp_a);

	counters_reset();
	rp_init(&rp_a, "krp_test_target", recurse_entry, retval_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(krp_test_target(1) == 4, "");
	/* the nested call is never probed; ftrace may drop it silently */
	CHECK(atomic_read(&n_entry) == 1, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 1, "%d", atomic_read(&n_ret));
	krp_unregister_kretprobe(&rp_a);
	CHECK(!atomic_read(&n_bad), "");
	return ret;
}

/* declined: an entry handler saying no means no return handler */

static int decline_entry(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	return regs_get_kernel_argument(regs, 0) & 1;
}

static int scenario_declined(void)
{
	int ret = 0, err, i;

	counters_reset();
	rp_init(&rp_a, "krp_test_target", decline_entry, recurse_ret, 0);
	rp_a.handler = sleep_ret;	/* counts returns */
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	for (i = 0; i < 10; i++)
		krp_test_target(i);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_ret) == 5, "%d", atomic_read(&n_ret));
	/* a decline is not a miss, as in the kernel */
	CHECK(rp_a.nmissed == 0, "%d", rp_a.nmissed);
	return ret;
}

/* exit: tasks that end inside a probed function */

static int exit_fn(void *arg)
{
	krp_test_noreturn(arg);
	return 0;
}

static int scenario_exit(void)
{
	const int n = 128;
	struct completion *done;
	struct task_struct *t;
	int ret = 0, err, i, started = 0;

	counters_reset();
	done = kcalloc(n, sizeof(*done), GFP_KERNEL);
	if (!done)
		return -ENOMEM;
	rp_init(&rp_a, "krp_test_noreturn", sleep_entry, sleep_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err) {
		kfree(done);
		return err;
	}
	for (i = 0; i < n; i++) {
		init_completion(&done[i]);
		t = kthread_run(exit_fn, &done[i], "krp_exiter");
		if (IS_ERR(t))
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		wait_for_completion(&done[i]);
	CHECK(started == n, "%d", started);
	CHECK(atomic_read(&n_entry) == n, "%d", atomic_read(&n_entry));
	CHECK(atomic_read(&n_ret) == 0, "");
	krp_unregister_kretprobe(&rp_a);
	/* let the exited tasks be freed; that is where frames come back */
	msleep(100);
	rcu_barrier();
	kfree(done);
	return ret;
}

/* One kthread bound to each online CPU, running @fn. */
static unsigned int workers_start(int (*fn)(void *), const char *name,
				  struct task_struct **workers)
{
	unsigned int cpu, nw = 0;
	struct task_struct *t;

	for_each_online_cpu(cpu) {
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

static void workers_stop(struct task_struct **workers, unsigned int nw)
{
	while (nw--) {
		kthread_stop(workers[nw]);
		put_task_struct(workers[nw]);
	}
}

/*
 * irq_nesting: the probed function is called from hard and soft
 * interrupts on top of tasks that are themselves inside it, so frames
 * are pushed and popped by nested contexts on one task's pool.
 */

static atomic_t irq_calls, irq_bad;
static bool irq_stop;
static struct hrtimer irq_timer;
static struct timer_list soft_timer;

static enum hrtimer_restart irq_timer_fn(struct hrtimer *t)
{
	int x = atomic_inc_return(&irq_calls);

	if (krp_test_target(x) != x * 3 + 1 || krp_test_recurse(4) != 4)
		atomic_inc(&irq_bad);
	if (READ_ONCE(irq_stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(50 * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void soft_timer_fn(struct timer_list *t)
{
	int x = atomic_inc_return(&irq_calls);

	if (krp_test_target(x) != x * 3 + 1)
		atomic_inc(&irq_bad);
	if (!READ_ONCE(irq_stop))
		mod_timer(t, jiffies + 1);
}

static int nest_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = regs_get_kernel_argument(regs, 0);

	/* fill the whole frame, so a clobbered one cannot go unnoticed */
	memset(ri->data, (u8)x, 64);
	*(long *)ri->data = x;
	return 0;
}

static int nest_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = *(long *)ri->data;

	if (regs_return_value(regs) != x * 3 + 1 ||
	    memchr_inv(ri->data + sizeof(long), (u8)x, 64 - sizeof(long)))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int scenario_irq_nesting(void)
{
	struct task_struct *workers[NR_CPUS];
	unsigned int nw;
	int ret = 0, err;

	counters_reset();
	atomic_set(&irq_calls, 0);
	atomic_set(&irq_bad, 0);
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(irq_stop, false);
	WRITE_ONCE(stress_stop, false);
	rp_init(&rp_a, "krp_test_target", nest_entry, nest_ret, 64);
	rp_init(&rp_b, "krp_test_recurse", rec_entry, rec_ret_any, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	err = krp_register_kretprobe(&rp_b);
	if (err) {
		krp_unregister_kretprobe(&rp_a);
		return err;
	}
	/* a second with the CPUs idle: interrupts land on the idle tasks */
	hrtimer_init(&irq_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	irq_timer.function = irq_timer_fn;
	hrtimer_start(&irq_timer, ns_to_ktime(50 * NSEC_PER_USEC),
		      HRTIMER_MODE_REL_HARD);
	timer_setup(&soft_timer, soft_timer_fn, 0);
	mod_timer(&soft_timer, jiffies + 1);
	msleep(1000);
	CHECK(krp_kretprobe_nmissed(&rp_a) == 0, "%d misses on idle CPUs",
	      rp_a.nmissed);

	/* then interrupts on tasks that are inside the probed functions */
	nw = workers_start(stress_fn, "krp_nest/%u", workers);
	msleep(2000);

	WRITE_ONCE(irq_stop, true);
	hrtimer_cancel(&irq_timer);
	del_timer_sync(&soft_timer);
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	krp_unregister_kretprobe(&rp_a);
	krp_unregister_kretprobe(&rp_b);
	CHECK(atomic_read(&irq_calls) > 100, "only %d interrupt calls",
	      atomic_read(&irq_calls));
	CHECK(!atomic_read(&irq_bad), "%d wrong results in interrupts",
	      atomic_read(&irq_bad));
	CHECK(!atomic_read(&stress_bad), "%d wrong results in tasks",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d clobbered frames", atomic_read(&n_bad));
	CHECK(rp_a.nmissed == 0 && rp_b.nmissed == 0, "%d %d", rp_a.nmissed,
	      rp_b.nmissed);
	pr_info("irq_nesting: %d returns, %d from interrupts\n",
		atomic_read(&n_ret), atomic_read(&irq_calls));
	return ret;
}

/*
 * int3: functions ftrace cannot hook are entered through an int3 over
 * their first instruction, which is emulated.
 */

static int int3_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	long x = *(long *)ri->data;

	if (regs_return_value(regs) != x * 3 + 2 ||
	    !within_module(krp_get_kretprobe_retaddr(ri), THIS_MODULE))
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int int3_stress_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_int3_fn(i) != i * 3 + 2 ||
		    krp_test_int3_rec(5) != 5)
			atomic_inc(&stress_bad);
		if (!(++i & 63))
			cond_resched();
	}
	return 0;
}

static int scenario_int3(void)
{
	struct task_struct *workers[NR_CPUS];
	u8 first = *(u8 *)krp_test_int3_fn;
	unsigned int c, nw;
	int ret = 0, err, i;

	counters_reset();
	CHECK(first == 0x55, "krp_test_int3_fn starts with %02x", first);
	rp_init(&rp_a, "krp_test_int3_fn", retval_entry, int3_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(!(rp_a.kp.flags & KRP_FLAG_FTRACE), "flags %x", rp_a.kp.flags);
	CHECK(*(u8 *)krp_test_int3_fn == 0xcc, "no int3 in place");
	for (i = 0; i < 100; i++)
		CHECK(krp_test_int3_fn(i) == i * 3 + 2, "i=%d", i);
	CHECK(atomic_read(&n_entry) == 100 && atomic_read(&n_ret) == 100,
	      "%d entries %d returns", atomic_read(&n_entry),
	      atomic_read(&n_ret));

	/* disabled: the original byte is back */
	CHECK(!krp_disable_kretprobe(&rp_a), "");
	CHECK(*(u8 *)krp_test_int3_fn == first, "int3 left while disabled");
	krp_test_int3_fn(1);
	CHECK(atomic_read(&n_ret) == 100, "disabled probe fired");
	CHECK(!krp_enable_kretprobe(&rp_a), "");
	krp_test_int3_fn(1);
	CHECK(atomic_read(&n_ret) == 101, "");
	krp_unregister_kretprobe(&rp_a);
	CHECK(*(u8 *)krp_test_int3_fn == first, "int3 left after unregister");
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));

	/* recursion through an emulated entry */
	counters_reset();
	rp_init(&rp_b, "krp_test_int3_rec", rec_entry, rec_ret, sizeof(long));
	err = krp_register_kretprobe(&rp_b);
	if (err)
		return err;
	CHECK(krp_test_int3_rec(50) == 50, "");
	krp_unregister_kretprobe(&rp_b);
	CHECK(atomic_read(&n_ret) == 51 && !atomic_read(&n_bad), "%d returns",
	      atomic_read(&n_ret));

	/* arm and disarm while every CPU runs through the patched bytes */
	counters_reset();
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(int3_stress_fn, "krp_int3/%u", workers);
	for (c = 0; c < 200 && !ret; c++) {
		struct krp_kretprobe *pair[] = { &rp_a, &rp_b };

		rp_init(&rp_a, "krp_test_int3_fn", retval_entry, int3_ret,
			sizeof(long));
		rp_init(&rp_b, "krp_test_int3_rec", NULL, count_ret, 0);
		err = krp_register_kretprobes(pair, 2);
		CHECK(!err, "cycle %u: %d", c, err);
		if (err)
			break;
		/* see scenario_stress() */
		CHECK(krp_test_int3_fn(c) == c * 3 + 2, "");
		usleep_range(200, 400);
		krp_unregister_kretprobes(pair, 2);
	}
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	CHECK(atomic_read(&n_ret) >= c, "%d returns in %u cycles",
	      atomic_read(&n_ret), c);
	pr_info("int3: %u cycles, %d returns handled\n", c, atomic_read(&n_ret));
	return ret;
}

/*
 * kprobe: pre- and post-handlers at an ftrace entry and at int3 entries,
 * and a probe on every instruction of two functions that krp accepts.
 */

#define KP_MAX 48
static struct krp_kprobe kps[KP_MAX];
static atomic_t kp_pre[KP_MAX], kp_post[KP_MAX];
static unsigned long kp_pre_sp[KP_MAX];
static atomic_t kp_order_bad;

static int kp_index(struct krp_kprobe *kp)
{
	return kp - kps;
}

static int kp_pre_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp_index(kp);

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible() || atomic_read(&kp_pre[i]) != atomic_read(&kp_post[i]))
		atomic_inc(&kp_order_bad);
	kp_pre_sp[i] = kernel_stack_pointer(regs);
	atomic_inc(&kp_pre[i]);
	return 0;
}

static void kp_post_fn(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	int i = kp_index(kp);

	if (atomic_read(&kp_pre[i]) != atomic_read(&kp_post[i]) + 1 ||
	    preemptible())
		atomic_inc(&kp_order_bad);
	atomic_inc(&kp_post[i]);
}

static void kps_reset(void)
{
	int i;

	memset(kps, 0, sizeof(kps));
	for (i = 0; i < KP_MAX; i++) {
		atomic_set(&kp_pre[i], 0);
		atomic_set(&kp_post[i], 0);
	}
	atomic_set(&kp_order_bad, 0);
}

static void kps_unregister(int n);

/* Probe every byte offset of @sym krp accepts; return how many took. */
static int kps_every_insn(const char *sym, int len, int *registered)
{
	int off, n = 0, err;

	for (off = 0; off < len && n < KP_MAX; off++) {
		kps[n].symbol_name = sym;
		kps[n].offset = off;
		kps[n].pre_handler = kp_pre_fn;
		kps[n].post_handler = kp_post_fn;
		err = krp_register_kprobe(&kps[n]);
		if (!err) {
			registered[n] = off;
			n++;
			continue;
		}
		/* not a boundary, or not emulated yet: nothing may be left */
		if ((err != -EILSEQ && err != -EOPNOTSUPP) || kps[n].probe) {
			pr_err("%s+%d: %d\n", sym, off, err);
			kps_unregister(n);
			return -EINVAL;
		}
		memset(&kps[n], 0, sizeof(kps[n]));
	}
	return n;
}

static void kps_unregister(int n)
{
	struct krp_kprobe *list[KP_MAX];
	int i;

	for (i = 0; i < n; i++)
		list[i] = &kps[i];
	if (n)
		krp_unregister_kprobes(list, n);
}

static int redirect_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	/* skip the call: as if it returned 99 */
	regs->ax = 99;
	instruction_pointer_set(regs, (unsigned long)kp->addr + 5);
	return 1;
}

static int recurse_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	if (krp_test_int3_fn(1) != 5)
		atomic_inc(&kp_order_bad);
	return 0;
}

static int scenario_kprobe(void)
{
	int reg_fn[KP_MAX], reg_rec[KP_MAX];
	int ret = 0, err, i, n_fn, n_rec;
	struct krp_kprobe bad;

	/* at an ftrace entry: pre sees ip + 1, post runs after it */
	kps_reset();
	kps[0].symbol_name = "krp_test_target";
	kps[0].pre_handler = kp_pre_fn;
	kps[0].post_handler = kp_post_fn;
	err = krp_register_kprobe(&kps[0]);
	if (err)
		return err;
	CHECK(kps[0].flags & KRP_FLAG_FTRACE, "%x", kps[0].flags);
	for (i = 0; i < 10; i++)
		CHECK(krp_test_target(i) == i * 3 + 1, "");
	krp_unregister_kprobe(&kps[0]);
	CHECK(atomic_read(&kp_pre[0]) == 10 && atomic_read(&kp_post[0]) == 10,
	      "%d %d", atomic_read(&kp_pre[0]), atomic_read(&kp_post[0]));
	CHECK(!atomic_read(&kp_order_bad), "");

	/* every instruction krp accepts, in two notrace functions */
	kps_reset();
	n_fn = kps_every_insn("krp_test_int3_fn", 16, reg_fn);
	if (n_fn < 0)
		return n_fn;
	CHECK(n_fn >= 4, "only %d instructions of krp_test_int3_fn", n_fn);
	for (i = 0; i < 20; i++)
		CHECK(krp_test_int3_fn(i) == i * 3 + 2, "i=%d", i);
	/* padding after the last ret may be probed, and never runs */
	CHECK(reg_fn[0] == 0 && atomic_read(&kp_pre[0]) == 20, "entry: %d",
	      atomic_read(&kp_pre[0]));
	for (i = 0; i < n_fn; i++)
		CHECK((atomic_read(&kp_pre[i]) == 20 || !atomic_read(&kp_pre[i])) &&
		      atomic_read(&kp_pre[i]) == atomic_read(&kp_post[i]),
		      "krp_test_int3_fn+%d: %d pre %d post", reg_fn[i],
		      atomic_read(&kp_pre[i]), atomic_read(&kp_post[i]));
	kps_unregister(n_fn);
	CHECK(!atomic_read(&kp_order_bad), "%d", atomic_read(&kp_order_bad));

	kps_reset();
	n_rec = kps_every_insn("krp_test_int3_rec", 40, reg_rec);
	if (n_rec < 0)
		return n_rec;
	CHECK(n_rec >= 4, "only %d instructions of krp_test_int3_rec", n_rec);
	/* both ways through its branch: the stop and the recursion */
	for (i = 0; i < 5; i++)
		CHECK(krp_test_int3_rec(i) == i, "n=%d", i);
	/* 0 + 1 + ... + 4 recursive calls, plus the 5 outer ones */
	CHECK(reg_rec[0] == 0 && atomic_read(&kp_pre[0]) == 15, "entry: %d",
	      atomic_read(&kp_pre[0]));
	for (i = 0; i < n_rec; i++)
		CHECK(atomic_read(&kp_pre[i]) == atomic_read(&kp_post[i]),
		      "krp_test_int3_rec+%d: %d pre %d post", reg_rec[i],
		      atomic_read(&kp_pre[i]), atomic_read(&kp_post[i]));
	kps_unregister(n_rec);
	CHECK(!atomic_read(&kp_order_bad), "%d", atomic_read(&kp_order_bad));
	pr_info("kprobe: %d instructions of krp_test_int3_fn, %d of krp_test_int3_rec probed\n",
		n_fn, n_rec);

	/* a pre-handler that moves regs->ip skips the instruction */
	kps_reset();
	for (i = 0; i < 16; i++) {
		kps[0].symbol_name = "krp_test_int3_fn";
		kps[0].offset = i;
		kps[0].pre_handler = redirect_pre;
		if (*((u8 *)krp_test_int3_fn + i) != 0xe8)
			continue;
		err = krp_register_kprobe(&kps[0]);
		CHECK(!err, "call at +%d: %d", i, err);
		if (err)
			break;
		CHECK(krp_test_int3_fn(7) == 100, "redirect ignored: %d",
		      krp_test_int3_fn(7));
		krp_unregister_kprobe(&kps[0]);
		break;
	}
	CHECK(i < 16, "no call instruction in krp_test_int3_fn");

	/* a pre-handler calling its own probed function: a miss */
	kps_reset();
	kps[0].symbol_name = "krp_test_int3_fn";
	kps[0].pre_handler = recurse_pre;
	err = krp_register_kprobe(&kps[0]);
	if (err)
		return err;
	CHECK(krp_test_int3_fn(2) == 8, "");
	krp_unregister_kprobe(&kps[0]);
	CHECK(kps[0].nmissed == 1, "nmissed %lu", kps[0].nmissed);
	CHECK(!atomic_read(&kp_order_bad), "");

	/* the jump-label site is refused, even though it is a nop */
	for (i = 0; i < 32; i++) {
		/* the 5-byte nops jump labels use on i386 and x86_64 */
		static const u8 nop32[] = { 0x3e, 0x8d, 0x74, 0x26, 0x00 };
		static const u8 nop64[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
		u8 *at = (u8 *)krp_test_jl_fn + i;

		if (memcmp(at, nop32, 5) && memcmp(at, nop64, 5))
			continue;
		memset(&bad, 0, sizeof(bad));
		bad.symbol_name = "krp_test_jl_fn";
		bad.offset = i;
		err = krp_register_kprobe(&bad);
		CHECK(err == -EINVAL && !bad.probe, "jump label at +%d: %d", i,
		      err);
		if (!err)
			krp_unregister_kprobe(&bad);
		break;
	}
	CHECK(i > 0 && i < 32, "no jump-label nop inside krp_test_jl_fn");
	CHECK(krp_test_jl_fn(4) == 13, "");

	/* static_call_update() would BUG() on an int3 in its trampoline */
	memset(&bad, 0, sizeof(bad));
	bad.symbol_name = "__SCT__tp_func_task_newtask";
	err = krp_register_kprobe(&bad);
	CHECK(err == -EINVAL && !bad.probe, "static-call trampoline: %d", err);
	if (!err)
		krp_unregister_kprobe(&bad);

	/* bad input */
	memset(&bad, 0, sizeof(bad));
	bad.symbol_name = "krp_test_target";
	bad.offset = 1;		/* inside the ftrace call */
	err = krp_register_kprobe(&bad);
	CHECK(err == -EILSEQ && !bad.probe, "mid-instruction: %d", err);
	bad.offset = 0;
	bad.symbol_name = "krp_test_no_such_function";
	err = krp_register_kprobe(&bad);
	CHECK(err == -ENOENT && !bad.probe, "unknown: %d", err);
	CHECK(krp_register_kprobes(NULL, 0) == -EINVAL, "");
	return ret;
}

/* stress: register/unregister cycles while every CPU calls the target */

static int stress_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_target(i) != i * 3 + 1)
			atomic_inc(&stress_bad);
		if (krp_test_recurse(3) != 3)
			atomic_inc(&stress_bad);
		i++;
		if (!(i & 63))
			cond_resched();
	}
	return 0;
}

static int stress_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	if (regs_return_value(regs) != *(long *)ri->data * 3 + 1)
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

static int scenario_stress(void)
{
	struct task_struct *workers[NR_CPUS];
	struct krp_kretprobe *pair[] = { &rp_a, &rp_b };
	unsigned int c, nw, done;
	u64 t_reg = 0, t_unreg = 0, t0;
	int ret = 0, err;

	counters_reset();
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	nw = workers_start(stress_fn, "krp_stress/%u", workers);
	for (c = 0; c < cycles; c++) {
		rp_init(&rp_a, "krp_test_target", retval_entry, stress_ret,
			sizeof(long));
		rp_init(&rp_b, "krp_test_recurse", NULL, NULL, 0);
		t0 = ktime_get_ns();
		err = krp_register_kretprobe(&rp_a);
		if (err) {
			CHECK(!err, "cycle %u: %d", c, err);
			break;
		}
		err = krp_register_kretprobe(&rp_b);
		CHECK(!err, "cycle %u: %d", c, err);
		t_reg += ktime_get_ns() - t0;
		/*
		 * Hit it here too, and sleep rather than spin: under
		 * single-threaded TCG the other vCPU may not run at all while
		 * this one spins.
		 */
		CHECK(krp_test_target(c) == c * 3 + 1, "");
		usleep_range(200, 400);
		t0 = ktime_get_ns();
		if (!err)
			krp_unregister_kretprobes(pair, 2);
		else
			krp_unregister_kretprobe(&rp_a);
		t_unreg += ktime_get_ns() - t0;
		if (ret)
			break;
	}
	done = c;
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	CHECK(!atomic_read(&stress_bad), "%d wrong return values",
	      atomic_read(&stress_bad));
	CHECK(!atomic_read(&n_bad), "%d bad returns", atomic_read(&n_bad));
	CHECK(atomic_read(&n_ret) >= done, "%d returns in %u cycles",
	      atomic_read(&n_ret), done);
	pr_info("stress: %u cycles on %u CPUs, %d returns handled, %llu us/register %llu us/unregister\n",
		done, nw, atomic_read(&n_ret),
		div_u64(t_reg, 1000 * max(done, 1u)),
		div_u64(t_unreg, 1000 * max(done, 1u)));
	return ret;
}

/* Probes left armed for user space to look at; see the file comment. */

static struct krp_kretprobe rp_hold, rp_target;

static int count_ret(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_ret);
	return 0;
}

static int scenario_hold_pipe(void)
{
	rp_init(&rp_hold, "pipe_read", NULL, count_ret, 0);
	return krp_register_kretprobe(&rp_hold);
}

static int scenario_arm_target(void)
{
	rp_init(&rp_target, "krp_target_fn", NULL, count_ret, 0);
	return krp_register_kretprobe(&rp_target);
}

static struct krp_kretprobe rp_int3;

static int scenario_arm_int3(void)
{
	int ret;

	rp_init(&rp_int3, "krp_test_int3_fn", NULL, count_ret, 0);
	ret = krp_register_kretprobe(&rp_int3);
	if (!ret)
		krp_test_int3_fn(1);
	return ret;
}

static int scenario_disarm_int3(void)
{
	if (!rp_int3.probe)
		return -EINVAL;
	krp_unregister_kretprobe(&rp_int3);
	return 0;
}

static int scenario_disarm_target(void)
{
	if (!rp_target.probe)
		return -EINVAL;
	krp_unregister_kretprobe(&rp_target);
	return 0;
}

/*
 * arm_every/disarm_every: a kprobe on every instruction krp accepts in
 * real kernel functions, left armed for user space to run a workload.
 */
static const char * const every_funcs[] = {
	"vfs_read", "vfs_write", "do_sys_openat2", "do_symlinkat",
	"do_readlinkat",
};
#define EVERY_MAX 2048
static struct krp_kprobe *every_kps;
static u8 every_func_of[EVERY_MAX];
static int every_n;
static atomic_t every_hits[ARRAY_SIZE(every_funcs)];
static atomic_t every_bad;

static int every_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1)
		atomic_inc(&every_bad);
	atomic_inc(&every_hits[every_func_of[kp - every_kps]]);
	return 0;
}

static void every_post(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
}

static void every_unregister(void)
{
	struct krp_kprobe **list;
	int i;

	list = kcalloc(every_n, sizeof(*list), GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; i < every_n; i++)
		list[i] = &every_kps[i];
	if (every_n)
		krp_unregister_kprobes(list, every_n);
	kfree(list);
	kvfree(every_kps);
	every_kps = NULL;
	every_n = 0;
}

static int arm_every(bool post)
{
	int f, off, err, size, refused = 0, tried = 0;
	char buf[KSYM_SYMBOL_LEN], *slash;

	if (every_kps)
		return -EBUSY;
	every_kps = kvcalloc(EVERY_MAX, sizeof(*every_kps), GFP_KERNEL);
	if (!every_kps)
		return -ENOMEM;
	atomic_set(&every_bad, 0);
	for (f = 0; f < ARRAY_SIZE(every_funcs); f++) {
		atomic_set(&every_hits[f], 0);
		size = 0;
		for (off = 0; every_n < EVERY_MAX && (!off || off < size); off++) {
			struct krp_kprobe *kp = &every_kps[every_n];

			kp->symbol_name = every_funcs[f];
			kp->offset = off;
			kp->pre_handler = every_pre;
			kp->post_handler = post ? every_post : NULL;
			err = krp_register_kprobe(kp);
			tried++;
			if (!err) {
				every_func_of[every_n++] = f;
			} else if (err == -EILSEQ || err == -EOPNOTSUPP ||
				   err == -EINVAL || err == -EBUSY) {
				/* not a boundary; not emulated; a site the kernel reserves */
				refused += err != -EILSEQ;
				memset(kp, 0, sizeof(*kp));
			} else {
				pr_err("%s+%d: %d\n", every_funcs[f], off, err);
				every_unregister();
				return err;
			}
			if (!off) {
				if (err)
					break;
				/* "name+0x0/0xsize": the function's size */
				snprintf(buf, sizeof(buf), "%pS", kp->addr);
				slash = strchr(buf, '/');
				if (!slash || kstrtoint(slash + 1, 16, &size))
					break;
			}
		}
	}
	pr_info("%s: %d probes on %zu functions (%d instructions refused, %d offsets tried)\n",
		__func__, every_n, ARRAY_SIZE(every_funcs), refused, tried);
	return every_n ? 0 : -ENOENT;
}

/* pre- and post-handlers: what is not emulated is single-stepped */
static int scenario_arm_every(void)
{
	return arm_every(true);
}

/* pre-handlers only: what is not emulated is boosted */
static int scenario_arm_every_boost(void)
{
	return arm_every(false);
}

/*
 * arm_every_ret/disarm_every_ret: return probes on functions ftrace
 * cannot hook, entered through an int3, left armed for a workload.  The
 * user-access helpers are assembly, so never traceable, and on every
 * system call path that copies an int in or out.
 */
static const char * const every_ret_funcs[] = {
	"__get_user_1", "__get_user_2", "__get_user_4",
	"__put_user_1", "__put_user_2", "__put_user_4",
	"krp_test_notrace", "krp_test_int3_fn", "krp_test_ool",
	"krp_test_emu",
};
static struct krp_kretprobe every_rps[ARRAY_SIZE(every_ret_funcs)];
static atomic_t every_ret_entries[ARRAY_SIZE(every_ret_funcs)];
static atomic_t every_ret_returns[ARRAY_SIZE(every_ret_funcs)];
static bool every_ret_armed[ARRAY_SIZE(every_ret_funcs)];

static int every_ret_entry(struct krp_kretprobe_instance *ri,
			   struct pt_regs *regs)
{
	atomic_inc(&every_ret_entries[krp_get_kretprobe(ri) - every_rps]);
	return 0;
}

static int every_ret_ret(struct krp_kretprobe_instance *ri,
			 struct pt_regs *regs)
{
	atomic_inc(&every_ret_returns[krp_get_kretprobe(ri) - every_rps]);
	if (instruction_pointer(regs) != krp_get_kretprobe_retaddr(ri))
		atomic_inc(&every_bad);
	return 0;
}

static void every_ret_unregister(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(every_rps); i++) {
		if (every_ret_armed[i])
			krp_unregister_kretprobe(&every_rps[i]);
		every_ret_armed[i] = false;
	}
}

static int scenario_arm_every_ret(void)
{
	int i, err, n = 0;

	atomic_set(&every_bad, 0);
	for (i = 0; i < ARRAY_SIZE(every_rps); i++) {
		rp_init(&every_rps[i], every_ret_funcs[i], every_ret_entry,
			every_ret_ret, 0);
		atomic_set(&every_ret_entries[i], 0);
		atomic_set(&every_ret_returns[i], 0);
		err = krp_register_kretprobe(&every_rps[i]);
		if (err) {
			pr_err("arm_every_ret: %s: %d\n", every_ret_funcs[i], err);
			every_ret_unregister();
			return err;
		}
		every_ret_armed[i] = true;
		if (every_rps[i].kp.flags & KRP_FLAG_FTRACE) {
			pr_err("arm_every_ret: %s is traceable\n",
			       every_ret_funcs[i]);
			every_ret_unregister();
			return -EINVAL;
		}
		n++;
	}
	/* the test module's own: exercised from here */
	for (i = 0; i < 100; i++)
		if (krp_test_notrace(i) != i + 1 || krp_test_int3_fn(i) != 3 * i + 2 ||
		    krp_test_ool(i) != krp_test_ool_ref(i) ||
		    krp_test_emu(i + 1) != 3 * i + 4)
			atomic_inc(&every_bad);
	pr_info("arm_every_ret: %d return probes at int3 entries\n", n);
	return 0;
}

static int scenario_disarm_every_ret(void)
{
	int i, hit = 0, ret = 0;

	every_ret_unregister();
	for (i = 0; i < ARRAY_SIZE(every_rps); i++) {
		int e = atomic_read(&every_ret_entries[i]);
		int r = atomic_read(&every_ret_returns[i]);

		pr_info("disarm_every_ret: %s: %d entries, %d returns\n",
			every_ret_funcs[i], e, r);
		/* a task may still sleep in a page fault of a user access */
		CHECK(e >= r && e - r <= 2, "%s: %d entries, %d returns",
		      every_ret_funcs[i], e, r);
		hit += e > 0;
	}
	CHECK(hit >= 6, "only %d functions hit", hit);
	CHECK(!atomic_read(&every_bad), "%d bad", atomic_read(&every_bad));
	return ret;
}

static int scenario_disarm_every(void)
{
	int f, ret = 0;

	if (!every_kps)
		return -EINVAL;
	every_unregister();
	for (f = 0; f < ARRAY_SIZE(every_funcs); f++) {
		pr_info("disarm_every: %s: %d hits\n", every_funcs[f],
			atomic_read(&every_hits[f]));
		CHECK(atomic_read(&every_hits[f]) > 0, "%s never hit",
		      every_funcs[f]);
	}
	CHECK(!atomic_read(&every_bad), "%d hits with a wrong ip",
	      atomic_read(&every_bad));
	return ret;
}

/*
 * ool: the hand-written targets with a kprobe on every instruction
 * boundary, first pre-handlers only (out-of-line instructions boosted),
 * then pre- and post-handlers (single-stepped); results and handler
 * order checked.  The ool_* scenarios leave them armed for the user
 * side to read krp/list and the trap counts.
 */
#define OOL_MAX 64
static struct krp_kprobe ool_kps[OOL_MAX];
static atomic_t ool_pre[OOL_MAX], ool_post[OOL_MAX], ool_bad;
static unsigned long ool_post_ip[OOL_MAX];
static int ool_n;

/* hits on several CPUs at once: pre and post counts interleave */
static bool ool_concurrent;

static int ool_pre_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp - ool_kps;

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible() ||
	    (!READ_ONCE(ool_concurrent) &&
	     atomic_read(&ool_pre[i]) != atomic_read(&ool_post[i])))
		atomic_inc(&ool_bad);
	atomic_inc(&ool_pre[i]);
	return 0;
}

static int ool_pre_only_fn(struct krp_kprobe *kp, struct pt_regs *regs)
{
	int i = kp - ool_kps;

	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1 ||
	    preemptible())
		atomic_inc(&ool_bad);
	atomic_inc(&ool_pre[i]);
	return 0;
}

/* runs after the instruction: regs->ip is where execution goes on */
static void ool_post_fn(struct krp_kprobe *kp, struct pt_regs *regs,
			unsigned long flags)
{
	int i = kp - ool_kps;

	if ((!READ_ONCE(ool_concurrent) &&
	     atomic_read(&ool_pre[i]) != atomic_read(&ool_post[i]) + 1) ||
	    preemptible() || (regs->flags & X86_EFLAGS_TF))
		atomic_inc(&ool_bad);
	ool_post_ip[i] = instruction_pointer(regs);
	atomic_inc(&ool_post[i]);
}

static void ool_unregister(void)
{
	struct krp_kprobe *list[OOL_MAX];
	int i;

	for (i = 0; i < ool_n; i++)
		list[i] = &ool_kps[i];
	if (ool_n)
		krp_unregister_kprobes(list, ool_n);
	ool_n = 0;
}

/*
 * A kprobe on every byte of @fn that krp takes; what it refuses must be
 * -EILSEQ (inside an instruction) or -EOPNOTSUPP (ud2).
 */
static int ool_register(void *fn, const char *sym, bool post)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	int off, size, err;

	/* "name+0x0/0xsize [module]" */
	snprintf(buf, sizeof(buf), "%pS", fn);
	slash = strchr(buf, '/');
	if (!slash || sscanf(slash + 1, "%x", &size) != 1)
		return -EINVAL;
	for (off = 0; off < size && ool_n < OOL_MAX; off++) {
		struct krp_kprobe *kp = &ool_kps[ool_n];

		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = sym;
		kp->offset = off;
		kp->pre_handler = post ? ool_pre_fn : ool_pre_only_fn;
		kp->post_handler = post ? ool_post_fn : NULL;
		atomic_set(&ool_pre[ool_n], 0);
		atomic_set(&ool_post[ool_n], 0);
		err = krp_register_kprobe(kp);
		if (!err) {
			ool_n++;
			continue;
		}
		if (kp->probe || (err != -EILSEQ &&
				  (err != -EOPNOTSUPP || *((u8 *)fn + off) != 0x0f))) {
			pr_err("%s+%d: %d\n", sym, off, err);
			ool_unregister();
			return -EINVAL;
		}
	}
	return 0;
}

static int ool_arm(bool post)
{
	int err;

	if (ool_n)
		return -EBUSY;
	atomic_set(&ool_bad, 0);
	this_cpu_write(krp_test_pcpu, 7);
	err = ool_register(krp_test_ool, "krp_test_ool", post);
	if (!err)
		err = ool_register(krp_test_emu, "krp_test_emu", post);
	if (err)
		ool_unregister();
	return err;
}

/* krp_test_ool alone: 35 probes, 28 of them out of line */
static int ool_arm_one(bool post)
{
	int err;

	if (ool_n)
		return -EBUSY;
	atomic_set(&ool_bad, 0);
	err = ool_register(krp_test_ool, "krp_test_ool", post);
	if (err)
		ool_unregister();
	return err;
}

static int scenario_ool_arm_boost(void)
{
	return ool_arm(false);
}

static int scenario_ool_arm_step(void)
{
	return ool_arm(true);
}

#define OOL_CALLS 10

/* Every CPU's per-CPU value is the same, so migration does not matter. */
static int scenario_ool_call(void)
{
	int ret = 0, i, cpu;

	for_each_possible_cpu(cpu)
		*per_cpu_ptr(&krp_test_pcpu, cpu) = 7;
	for (i = 0; i < OOL_CALLS; i++) {
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d: %d, not %d",
		      i, krp_test_ool(i), krp_test_ool_ref(i));
		CHECK(krp_test_emu(i + 1) == 3 * (i + 1) + 1, "x=%d: %d", i + 1,
		      krp_test_emu(i + 1));
		CHECK(!irqs_disabled(), "interrupts left off");
	}
	return ret;
}

/* After one ool_call: each target ran OOL_CALLS times. */
static int scenario_ool_disarm(void)
{
	unsigned long ool = (unsigned long)krp_test_ool;
	unsigned long emu = (unsigned long)krp_test_emu;
	int ret = 0, i, first_emu = -1, calls = OOL_CALLS;

	for (i = 0; i < ool_n; i++) {
		unsigned long at = (unsigned long)ool_kps[i].addr;
		int pre = atomic_read(&ool_pre[i]);

		if (at >= emu && first_emu < 0)
			first_emu = i;
		/* straight-line code: every instruction runs once a call */
		if (at < emu)
			CHECK(pre == calls, "krp_test_ool+%lu: %d hits", at - ool,
			      pre);
		if (ool_kps[i].post_handler)
			CHECK(atomic_read(&ool_post[i]) == pre,
			      "+%lu: %d pre, %d post", at - ool, pre,
			      atomic_read(&ool_post[i]));
		/* a post-handler sees the next instruction's address */
		if (ool_kps[i].post_handler && at < emu && i + 1 < ool_n &&
		    (unsigned long)ool_kps[i + 1].addr < emu)
			CHECK(ool_post_ip[i] == (unsigned long)ool_kps[i + 1].addr,
			      "krp_test_ool+%lu: post at +%lu", at - ool,
			      ool_post_ip[i] - ool);
	}
	CHECK(first_emu > 20, "%d instructions of krp_test_ool", first_emu);
	/* the emulated loop body runs x times a call */
	CHECK(first_emu > 0 && ool_n - first_emu >= 18,
	      "%d instructions of krp_test_emu", ool_n - first_emu);
	CHECK(!atomic_read(&ool_bad), "%d handler runs out of order or context",
	      atomic_read(&ool_bad));
	ool_unregister();
	return ret;
}

static int ool_ret_fn(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	unsigned long ra = krp_get_kretprobe_retaddr(ri);

	if (regs_return_value(regs) != *(long *)ri->data + 1 ||
	    !within_module(ra, THIS_MODULE) ||
	    instruction_pointer(regs) != ra || preemptible())
		atomic_inc(&n_bad);
	atomic_inc(&n_ret);
	return 0;
}

/* A return probe at a boosted entry: the leaf's first insn is an add. */
static int scenario_ool_ret(void)
{
	int ret = 0, i, err;

	counters_reset();
	rp_init(&rp_a, "krp_test_notrace", retval_entry, ool_ret_fn,
		sizeof(long));
	err = krp_register_kretprobe(&rp_a);
	if (err)
		return err;
	CHECK(!(rp_a.kp.flags & KRP_FLAG_FTRACE), "%x", rp_a.kp.flags);
	for (i = 0; i < 50; i++)
		CHECK(krp_test_notrace_call(i) == i + 1, "x=%d", i);
	krp_unregister_kretprobe(&rp_a);
	CHECK(atomic_read(&n_entry) == 50 && atomic_read(&n_ret) == 50 &&
	      !atomic_read(&n_bad), "%d entries %d returns %d bad",
	      atomic_read(&n_entry), atomic_read(&n_ret), atomic_read(&n_bad));
	return ret;
}

/*
 * ool_stress: kprobes on every instruction of krp_test_ool, registered
 * and unregistered over and over while every CPU runs through them:
 * slots are given up with tasks inside or just out of them, and taken
 * again once krp has collected them (run after the every-instruction
 * tests, which leave most slots dirty).
 */
static int ool_stress_fn(void *arg)
{
	int i = 0;

	while (!READ_ONCE(stress_stop)) {
		if (krp_test_ool(i & 15) != krp_test_ool_ref(i & 15) ||
		    krp_test_emu((i & 7) + 1) != 3 * ((i & 7) + 1) + 1)
			atomic_inc(&stress_bad);
		/*
		 * Sleep now and then, as real tasks do: a task that only
		 * ever gets preempted holds up RCU-tasks, and with it the
		 * collection of krp's slots.
		 */
		if (!(++i & 63))
			usleep_range(10, 20);
	}
	return 0;
}

static int scenario_ool_stress(void)
{
	struct task_struct *workers[NR_CPUS];
	int ret = 0, err, c, cpu, hits = 0, bad = 0, i, n;
	unsigned int nw;

	for_each_possible_cpu(cpu)
		*per_cpu_ptr(&krp_test_pcpu, cpu) = 7;
	atomic_set(&stress_bad, 0);
	WRITE_ONCE(stress_stop, false);
	WRITE_ONCE(ool_concurrent, true);
	nw = workers_start(ool_stress_fn, "krp_ool", workers);
	for (c = 0; c < 12 && !ret; c++) {
		err = ool_arm_one(c & 1);
		CHECK(!err, "cycle %d: %d", c, err);
		if (err)
			break;
		usleep_range(500, 1000);
		n = ool_n;
		ool_unregister();
		/* every step that began has ended: as many posts as pres */
		for (i = 0; i < n; i++) {
			hits += atomic_read(&ool_pre[i]);
			if (ool_kps[i].post_handler &&
			    atomic_read(&ool_pre[i]) != atomic_read(&ool_post[i])) {
				if (!bad)
					pr_err("ool_stress: %ps: %d pre %d post\n",
					       ool_kps[i].addr,
					       atomic_read(&ool_pre[i]),
					       atomic_read(&ool_post[i]));
				bad++;
			}
		}
		if (atomic_read(&ool_bad) && !bad)
			pr_err("ool_stress: cycle %d: %d bad handler runs\n", c,
			       atomic_read(&ool_bad));
		bad += atomic_read(&ool_bad);
	}
	WRITE_ONCE(stress_stop, true);
	workers_stop(workers, nw);
	WRITE_ONCE(ool_concurrent, false);
	CHECK(!atomic_read(&stress_bad), "%d wrong results",
	      atomic_read(&stress_bad));
	CHECK(!bad, "%d handler runs out of order or context", bad);
	CHECK(hits > 0, "no hit in %d cycles", c);
	pr_info("ool_stress: %d cycles on %u CPUs, %d hits\n", c, nw, hits);
	return ret;
}

/*
 * ool_reenter: a pre-handler that calls its own probed function, at a
 * boosted and at a single-stepped site: the inner hit is a miss, its
 * instruction still runs, the outer one completes.
 */
static int reenter_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	if (krp_test_notrace(41) != 42)
		atomic_inc(&ool_bad);
	atomic_inc(&ool_pre[0]);
	return 0;
}

static void reenter_post(struct krp_kprobe *kp, struct pt_regs *regs,
			 unsigned long flags)
{
	if (krp_test_notrace(1) != 2)
		atomic_inc(&ool_bad);
	atomic_inc(&ool_post[0]);
}

static int scenario_ool_reenter(void)
{
	int ret = 0, err, post;

	for (post = 0; post < 2; post++) {
		struct krp_kprobe kp = {
			.symbol_name = "krp_test_notrace",
			.pre_handler = reenter_pre,
			.post_handler = post ? reenter_post : NULL,
		};

		atomic_set(&ool_bad, 0);
		atomic_set(&ool_pre[0], 0);
		atomic_set(&ool_post[0], 0);
		err = krp_register_kprobe(&kp);
		if (err)
			return err;
		CHECK(krp_test_notrace_call(5) == 6, "post=%d", post);
		krp_unregister_kprobe(&kp);
		/* the pre-handler's call, and the post-handler's */
		CHECK(kp.nmissed == 1 + post, "post=%d: nmissed %lu", post,
		      kp.nmissed);
		CHECK(atomic_read(&ool_pre[0]) == 1 &&
		      atomic_read(&ool_post[0]) == post &&
		      !atomic_read(&ool_bad), "post=%d: %d pre %d post %d bad",
		      post, atomic_read(&ool_pre[0]),
		      atomic_read(&ool_post[0]), atomic_read(&ool_bad));
	}
	return ret;
}

/*
 * neighbours: with krp's int3 over the lea at krp_test_ool+6, the
 * kernel's kprobes read that int3 as a one-byte instruction and accept
 * an address inside the lea.  Their int3 there never runs while krp's
 * stays, because krp runs its own copy of the lea; and krp must not put
 * its byte back while theirs is inside, or the torn lea would run.
 */
static void neighbour_post(struct kprobe *p, struct pt_regs *regs,
			   unsigned long flags)
{
}

/* A byte of text, read as data. */
static u8 text_byte(unsigned long addr)
{
	u8 b = 0;

	if (get_kernel_nofault(b, (u8 *)addr))
		return 0;
	return b;
}

static int neighbours_once(bool armed)
{
	unsigned long base = (unsigned long)krp_test_ool;
	struct krp_kprobe kp = {
		.addr = (krp_opcode_t *)(base + 6),
		.pre_handler = ool_pre_only_fn,
	};
	/* a post-handler keeps the kernel's optimizer away */
	struct kprobe k = {
		.addr = (kprobe_opcode_t *)(base + 7),
		.post_handler = neighbour_post,
		.flags = armed ? 0 : KPROBE_FLAG_DISABLED,
	};
	int ret = 0, err, i;

	CHECK(text_byte(base + 6) == 0x8d, "no lea at +6: %02x",
	      text_byte(base + 6));
	this_cpu_write(krp_test_pcpu, 7);
	ool_n = 0;
	err = krp_register_kprobe(&kp);
	if (err)
		return err;
	err = register_kprobe(&k);
	pr_info("neighbours: the kernel's kprobe inside krp's lea: %d\n", err);
	for (i = 0; i < 5; i++)
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d", i);
	krp_unregister_kprobe(&kp);
	if (!err) {
		CHECK(text_byte(base + 6) == 0xcc,
		      "armed=%d: krp's int3 went with a kernel kprobe inside",
		      armed);
		/* armed now, into the middle of the lea */
		if (!armed)
			CHECK(!enable_kprobe(&k), "enable_kprobe");
	}
	for (i = 0; i < 5; i++)
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d", i);
	if (!err) {
		unregister_kprobe(&k);
		/* krp retries every second */
		for (i = 0; i < 50 && text_byte(base + 6) != 0x8d; i++)
			msleep(100);
	}
	CHECK(text_byte(base + 6) == 0x8d, "text not restored: %02x",
	      text_byte(base + 6));
	for (i = 0; i < 5; i++)
		CHECK(krp_test_ool(i) == krp_test_ool_ref(i), "x=%d", i);
	return ret;
}

/* the kernel's kprobe armed when krp leaves, and registered disabled */
static int scenario_neighbours(void)
{
	int ret = neighbours_once(true);

	return ret ? ret : neighbours_once(false);
}

/*
 * refuse: every class of address krp will not probe, each with its
 * errno, and nothing left behind.
 */
static int refuse_one(const char *sym, unsigned int off, void *addr, int want,
		      const char *what)
{
	struct krp_kprobe kp = {
		.symbol_name = sym, .offset = off, .addr = addr,
		.pre_handler = ool_pre_only_fn,
	};
	int err = krp_register_kprobe(&kp);

	if (err == want && !kp.probe)
		return 0;
	pr_err("refuse %s: got %d, want %d\n", what, err, want);
	if (!err)
		krp_unregister_kprobe(&kp);
	return -EINVAL;
}

/* Offset of the first @len bytes equal to @pat in the first 64 of @fn. */
static int find_bytes(void *fn, const u8 *pat, int len)
{
	int i;

	for (i = 0; i + len <= 64; i++)
		if (!memcmp((u8 *)fn + i, pat, len))
			return i;
	return -1;
}

static int scenario_refuse(void)
{
	static const u8 ud2[] = { 0x0f, 0x0b };
	static const u8 uaccess[] = { 0x8b, 0x10 };	/* mov (%eax),%edx */
	static const u8 pushf_cli[] = { 0x9c, 0xfa };
	int ret = 0, off;

	ret |= refuse_one("krp_test_target", 1, NULL, -EILSEQ,
			  "inside the ftrace call");
	ret |= refuse_one("krp_test_ool", 5, NULL, -EILSEQ,
			  "inside an instruction");
	off = find_bytes(krp_test_emu, ud2, 2);
	ret |= off < 0 ? -EINVAL :
	       refuse_one("krp_test_emu", off, NULL, -EOPNOTSUPP, "ud2");
	ret |= refuse_one("krp_test_deref", 0, NULL, -EOPNOTSUPP,
			  "a load through a pointer");
	/* an exception-table site: the user access of get_user() */
	off = find_bytes(__get_user_4, uaccess, 2);
	ret |= off < 0 ? -EINVAL :
	       refuse_one("__get_user_4", off, NULL, -EOPNOTSUPP,
			  "an exception-table fixup site");
	/* the kernel's trap entry and its int3 and debug handling */
	ret |= refuse_one("asm_exc_int3", 0, NULL, -EINVAL, "int3 entry");
	ret |= refuse_one("exc_int3", 0, NULL, -EINVAL, "exc_int3");
	ret |= refuse_one("asm_exc_debug", 0, NULL, -EINVAL, "debug entry");
	ret |= refuse_one("notify_die", 0, NULL, -EINVAL, "notify_die");
	ret |= refuse_one("entry_INT80_32", 0, NULL, -EINVAL, "syscall entry");
	/* krp itself */
	ret |= refuse_one("krp_int3_entry", 0, NULL, -EINVAL, "krp's int3 path");
	ret |= refuse_one("krp_slot_area", 0, NULL, -EINVAL, "krp's slots");
	/* not text at all */
	ret |= refuse_one(NULL, 0, &krp_test_ool_bias, -EINVAL, "data");
	/* as the kernel's kprobes answer: no symbol there */
	ret |= refuse_one(NULL, 0, (void *)1, -ENOENT, "no mapping");
	/* where the kernel patches: jump labels and static calls */
	ret |= refuse_one("__SCT__tp_func_task_newtask", 0, NULL, -EINVAL,
			  "a static-call trampoline");
	ret |= refuse_one("krp_test_refused", 0, NULL, -EOPNOTSUPP,
			  "sti before hlt");
	ret |= refuse_one("krp_test_refused", 1, NULL, -EOPNOTSUPP, "hlt");
	ret |= refuse_one("krp_test_refused", 2, NULL, -EOPNOTSUPP,
			  "a prefixed popf");
	ret |= refuse_one("krp_test_refused", 4, NULL, -EOPNOTSUPP,
			  "invept on the stack");
	ret |= refuse_one("krp_test_refused", 10, NULL, -EOPNOTSUPP,
			  "rep movsb");
	/* the kernel's kprobes refuse it first, as they do anything masking */
	ret |= refuse_one("krp_test_refused", 12, NULL, -EINVAL,
			  "mov to %ss");
	/* the pushf; cli pair of krp_test_emu is emulated, not refused */
	off = find_bytes(krp_test_emu, pushf_cli, 2);
	CHECK(off > 0, "no pushf in krp_test_emu");
	return ret;
}

static const struct {
	const char *name;
	int (*fn)(void);
} scenarios[] = {
	{ "ool_arm_boost", scenario_ool_arm_boost },
	{ "ool_arm_step", scenario_ool_arm_step },
	{ "ool_call", scenario_ool_call },
	{ "ool_disarm", scenario_ool_disarm },
	{ "ool_ret", scenario_ool_ret },
	{ "ool_reenter", scenario_ool_reenter },
	{ "ool_stress", scenario_ool_stress },
	{ "neighbours", scenario_neighbours },
	{ "refuse", scenario_refuse },
	{ "retval", scenario_retval },
	{ "data", scenario_data },
	{ "recursion", scenario_recursion },
	{ "multi", scenario_multi },
	{ "sleepers", scenario_sleepers },
	{ "unregister", scenario_unregister },
	{ "find_ret_addr", scenario_find_ret_addr },
	{ "depth", scenario_depth },
	{ "disable", scenario_disable },
	{ "batch", scenario_batch },
	{ "badinput", scenario_badinput },
	{ "handler_recursion", scenario_handler_recursion },
	{ "declined", scenario_declined },
	{ "exit", scenario_exit },
	{ "irq_nesting", scenario_irq_nesting },
	{ "int3", scenario_int3 },
	{ "kprobe", scenario_kprobe },
	{ "stress", scenario_stress },
	{ "hold_pipe", scenario_hold_pipe },
	{ "arm_target", scenario_arm_target },
	{ "disarm_target", scenario_disarm_target },
	{ "arm_int3", scenario_arm_int3 },
	{ "arm_every", scenario_arm_every },
	{ "arm_every_boost", scenario_arm_every_boost },
	{ "arm_every_ret", scenario_arm_every_ret },
	{ "disarm_every_ret", scenario_disarm_every_ret },
	{ "disarm_every", scenario_disarm_every },
	{ "disarm_int3", scenario_disarm_int3 },
};

static DEFINE_MUTEX(run_lock);

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	char name[32];
	int i, ret = -ENOENT;

	if (count >= sizeof(name))
		return -EINVAL;
	if (copy_from_user(name, ubuf, count))
		return -EFAULT;
	name[count] = '\0';
	strim(name);
	mutex_lock(&run_lock);
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		if (strcmp(name, scenarios[i].name))
			continue;
		ret = scenarios[i].fn();
		pr_info("%s: %s (%d)\n", name, ret ? "FAIL" : "pass", ret);
		break;
	}
	mutex_unlock(&run_lock);
	return ret ? ret : count;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.write = run_write,
};

static struct dentry *dir;

static int __init krp_test_init(void)
{
	dir = debugfs_create_dir("krp_test", NULL);
	debugfs_create_file("run", 0200, dir, NULL, &run_fops);
	return 0;
}

static void __exit krp_test_exit(void)
{
	int i;

	debugfs_remove_recursive(dir);
	if (rp_hold.probe)
		krp_unregister_kretprobe(&rp_hold);
	if (rp_target.probe)
		krp_unregister_kretprobe(&rp_target);
	if (rp_int3.probe)
		krp_unregister_kretprobe(&rp_int3);
	for (i = 0; i < KP_MAX; i++)
		if (kps[i].probe)
			krp_unregister_kprobe(&kps[i]);
	if (every_kps)
		every_unregister();
	ool_unregister();
	every_ret_unregister();
}

module_init(krp_test_init);
module_exit(krp_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("krp self-test client");
