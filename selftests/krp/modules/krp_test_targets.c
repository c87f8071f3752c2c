// SPDX-License-Identifier: GPL-2.0
/*
 * The functions krp_test.ko probes: C ones whose entry ftrace hooks,
 * notrace ones entered through an int3, and hand-written ones that put
 * each class of instruction where the scenarios know it is.
 */
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "krp_test_targets.h"

/* noipa: no inlining, no cloning, no assumptions across calls */
#define TARGET __attribute__((__noipa__))

TARGET int krp_test_target(int x)
{
	return x * 3 + 1;
}

TARGET u64 krp_test_target64(u64 x)
{
	return (x << 32) | (x + 7);
}

TARGET int krp_test_recurse(int n)
{
	if (n <= 0)
		return 0;
	return krp_test_recurse(n - 1) + 1;
}

static DECLARE_WAIT_QUEUE_HEAD(krp_test_wq);
static bool krp_test_released;

TARGET int krp_test_sleep(int id)
{
	wait_event(krp_test_wq, READ_ONCE(krp_test_released));
	return id * 2 + 1;
}

/* Callers of krp_test_sleep() from now on sleep until krp_test_wake(). */
void krp_test_sleep_arm(void)
{
	WRITE_ONCE(krp_test_released, false);
}

void krp_test_wake(void)
{
	WRITE_ONCE(krp_test_released, true);
	wake_up_all(&krp_test_wq);
}

TARGET void krp_test_noreturn(struct completion *done)
{
	kthread_complete_and_exit(done, 0);
}

notrace TARGET int krp_test_notrace(int x)
{
	return x + 1;
}

TARGET int krp_test_notrace_call(int x)
{
	return krp_test_notrace(x);
}

/* notrace, and not leaves: they start by pushing the frame pointer */
notrace TARGET int krp_test_int3_fn(int x)
{
	return krp_test_target(x) + 1;
}

static DEFINE_STATIC_KEY_FALSE(krp_test_key);

/*
 * Its static branch is a 5-byte nop the kernel patches: not krp's.  It
 * comes after a call, so that it is not at the function's start.
 */
notrace TARGET int krp_test_jl_fn(int x)
{
	x = krp_test_target(x);
	if (static_branch_unlikely(&krp_test_key))
		x++;
	return x;
}

notrace TARGET int krp_test_int3_rec(int n)
{
	if (n <= 0)
		return 0;
	return krp_test_int3_rec(n - 1) + 1;
}

/* its first instruction reads through a pointer: no out-of-line copy */
notrace TARGET int krp_test_deref(int *p)
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
int krp_test_ool_bias = 1000;
DEFINE_PER_CPU(int, krp_test_pcpu);

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

/* What krp_test_ool(x) returns, computed in C. */
int krp_test_ool_ref(int x)
{
	int r = 19 * x + 55;

	return r + (r > 100) + krp_test_ool_bias + this_cpu_read(krp_test_pcpu);
}
