// SPDX-License-Identifier: GPL-2.0
/*
 * no_ppoll PROGRAM [ARG...]: run PROGRAM where ppoll() fails with
 * ENOSYS, as it does for i386 programs on a kernel built without
 * CONFIG_COMPAT_32BIT_TIME (glibc picks the 32-bit call whenever the
 * time fits).  A seccomp filter, so no privilege is needed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define NATIVE_ARCH	AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define NATIVE_ARCH	AUDIT_ARCH_I386
#else
#error "no_ppoll: x86 only"
#endif

#ifndef __NR_ppoll_time64
/* On x86_64 ppoll is the one call; matching it twice does no harm. */
#define __NR_ppoll_time64	__NR_ppoll
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The errno of a call the kernel lacks, as the kernel gives it. */
static int missing_call_errno(void)
{
	syscall(-1);
	return errno;
}

int main(int argc, char **argv)
{
	int missing = missing_call_errno();
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ppoll, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ppoll_time64, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | missing),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = ARRAY_SIZE(insns),
		.filter = insns,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: no_ppoll PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		fprintf(stderr, "no_ppoll: seccomp: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no_ppoll: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
