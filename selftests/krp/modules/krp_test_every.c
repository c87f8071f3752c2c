// SPDX-License-Identifier: GPL-2.0
/*
 * Probes on every instruction of real kernel functions, left armed while
 * user space runs a workload through them: kprobes on thirteen VFS and
 * system-call functions, return probes on notrace ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "krp_test_common.h"

/*
 * arm_every/disarm_every: a kprobe on every instruction krp accepts in
 * real kernel functions, left armed for user space to run a workload.
 * Each is on the workload's open, read, write, symlink, readlink or
 * unlink path and a symbol of its own (not inlined, no .part suffix)
 * in 6.1 i386 and amd64 and in 6.12 amd64.  Not among them: what the
 * user side's preadv() of krp/list and krp/stats runs (rw_verify_area),
 * which would count hits between its two reads; filp_close, which
 * close(2) no longer calls in 6.12; and path_openat, whose 4 KiB would
 * double the time it takes to arm them all.
 */
static const char * const every_funcs[] = {
	/* the ones single-stepped too: EVERY_STEPPED */
	"vfs_read", "vfs_write", "do_sys_openat2", "do_symlinkat",
	"do_readlinkat",
	/* boosted only */
	"ksys_read", "ksys_write", "do_filp_open", "vfs_symlink", "vfs_readlink", "vfs_unlink", "fd_install", "putname",
};
/*
 * arm_every (post-handlers, single-stepped) takes the first five only:
 * each armed probe costs a grace period or two to register, and the
 * kprobe group's boot is the longest already.
 */
#define EVERY_STEPPED 5
#define EVERY_MAX 4096
/* the largest function of every_funcs has 1 KiB */
#define EVERY_FUNC_MAX 4096
static struct krp_kprobe *every_kps;
static u8 every_func_of[EVERY_MAX];
static int every_n, every_nfuncs;
static atomic_t every_hits[ARRAY_SIZE(every_funcs)];
static atomic_t every_pres[EVERY_MAX], every_posts[EVERY_MAX];
static atomic_t every_bad;

static int every_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	if (instruction_pointer(regs) != (unsigned long)kp->addr + 1)
		atomic_inc(&every_bad);
	atomic_inc(&every_hits[every_func_of[kp - every_kps]]);
	atomic_inc(&every_pres[kp - every_kps]);
	return 0;
}

static void every_post(struct krp_kprobe *kp, struct pt_regs *regs,
		       unsigned long flags)
{
	atomic_inc(&every_posts[kp - every_kps]);
}

/*
 * The list for krp_unregister_kprobes(): static, as unregistering must
 * not fail, and a __GFP_NOFAIL allocation of more than two pages WARNs.
 */
static struct krp_kprobe *every_list[EVERY_MAX];

static void every_unregister(void)
{
	int i;

	for (i = 0; i < every_n; i++)
		every_list[i] = &every_kps[i];
	if (every_n)
		krp_unregister_kprobes(every_list, every_n);
	kvfree(every_kps);
	every_kps = NULL;
	every_n = 0;
}

/*
 * The oracle for instruction boundaries: the kernel's own kprobes, whose
 * decoder is not krp's.  A kprobe registered disabled is never armed, so
 * nothing is written; one goes at every offset of @func, and the kernel
 * says -EILSEQ where its decode from the function's start steps over the
 * offset.  Asked before krp puts an int3 in @func: the kernel's decoder
 * would read one as a one-byte instruction.  All are unregistered at
 * once, one RCU grace period for the function.
 *
 * Return: the size of @func, with the kernel's error at each of its
 * offsets in @kerr, or a negative error.
 */
static int every_oracle(const char *func, struct kprobe *kps,
			struct kprobe **list, s16 *kerr)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	int off, n = 0, size = 1, ret = 0;

	buf[0] = '\0';
	memset(kps, 0, EVERY_FUNC_MAX * sizeof(*kps));
	for (off = 0; off < size; off++) {
		kps[off].symbol_name = func;
		kps[off].offset = off;
		kps[off].flags = KPROBE_FLAG_DISABLED;
		kerr[off] = register_kprobe(&kps[off]);
		if (!kerr[off])
			list[n++] = &kps[off];
		if (off)
			continue;
		if (kerr[0]) {
			ret = kerr[0];
			break;
		}
		/* "name+0x0/0xsize" (+0x4 past an ENDBR): the size */
		snprintf(buf, sizeof(buf), "%pS", kps[0].addr);
		slash = strchr(buf, '/');
		if (!slash || kstrtoint(slash + 1, 16, &size) ||
		    size > EVERY_FUNC_MAX) {
			ret = -E2BIG;
			break;
		}
	}
	if (n)
		unregister_kprobes(list, n);
	if (ret)
		pr_err("arm_every: %s: %d (%s)\n", func, ret, buf);
	return ret ?: size;
}

/* how many of the mismatches with the oracle are printed */
#define EVERY_DIFFER_SHOWN 8

static int arm_every(bool post, int nfuncs)
{
	int f, off, err, size, refused = 0, tried = 0, mid = 0, differ = 0;
	struct kprobe *okps, **olist;
	char key[KSYM_NAME_LEN + 8];
	s16 *kerr;

	if (every_kps)
		return -EBUSY;
	every_kps = kvcalloc(EVERY_MAX, sizeof(*every_kps), GFP_KERNEL);
	okps = kvcalloc(EVERY_FUNC_MAX, sizeof(*okps), GFP_KERNEL);
	olist = kvcalloc(EVERY_FUNC_MAX, sizeof(*olist), GFP_KERNEL);
	kerr = kvcalloc(EVERY_FUNC_MAX, sizeof(*kerr), GFP_KERNEL);
	err = -ENOMEM;
	if (!every_kps || !okps || !olist || !kerr)
		goto fail;
	atomic_set(&every_bad, 0);
	for (f = 0; f < EVERY_MAX; f++) {
		atomic_set(&every_pres[f], 0);
		atomic_set(&every_posts[f], 0);
	}
	every_nfuncs = nfuncs;
	for (f = 0; f < nfuncs; f++) {
		int n0 = every_n, refused0 = refused, kbounds = 0, karmed = 0;
		bool past_int3 = false;
		u8 byte;

		atomic_set(&every_hits[f], 0);
		size = every_oracle(every_funcs[f], okps, olist, kerr);
		err = size;
		if (size < 0)
			goto fail;
		for (off = 0; off < size; off++) {
			struct krp_kprobe *kp = &every_kps[every_n];

			err = -E2BIG;
			if (every_n == EVERY_MAX)
				goto fail;
			kp->symbol_name = every_funcs[f];
			kp->offset = off;
			kp->pre_handler = every_pre;
			kp->post_handler = post ? every_post : NULL;
			err = krp_register_kprobe(kp);
			tried++;
			/*
			 * mid-instruction exactly where the kernel says so; but
			 * 6.12's decode gives up at the first int3 it meets (a
			 * debugger's, it assumes), so past an int3 boundary (the
			 * padding after a function's last jump) it is no oracle
			 */
			mid += kerr[off] == -EILSEQ && !past_int3;
			if (!past_int3 &&
			    (err == -EILSEQ) != (kerr[off] == -EILSEQ) &&
			    differ++ < EVERY_DIFFER_SHOWN)
				pr_err("%s: %s+0x%x: krp says %d, the kernel's kprobes %d\n",
				       __func__, every_funcs[f], off, err,
				       kerr[off]);
			if (kerr[off] != -EILSEQ &&
			    !get_kernel_nofault(byte, (u8 *)okps[off].addr) &&
			    byte == 0xcc)
				past_int3 = true;
			/* the boundaries the kernel's kprobes accept, the bar */
			kbounds += !kerr[off];
			karmed += !kerr[off] && !err;
			if (!err) {
				every_func_of[every_n++] = f;
			} else if (err == -EILSEQ || err == -EOPNOTSUPP ||
				   err == -EINVAL || err == -EBUSY) {
				/* not a boundary; not emulated; a site the kernel reserves */
				refused += err != -EILSEQ;
				memset(kp, 0, sizeof(*kp));
			} else {
				pr_err("%s+%d: %d\n", every_funcs[f], off, err);
				goto fail;
			}
		}
		/* how near each function comes to every boundary armed */
		pr_info("%s: %s: %d of %d instruction boundaries armed\n",
			__func__, every_funcs[f], every_n - n0,
			every_n - n0 + refused - refused0);
		snprintf(key, sizeof(key), "armed.%s", every_funcs[f]);
		krp_test_report(key, every_n - n0);
		snprintf(key, sizeof(key), "bounds.%s", every_funcs[f]);
		krp_test_report(key, every_n - n0 + refused - refused0);
		snprintf(key, sizeof(key), "karmed.%s", every_funcs[f]);
		krp_test_report(key, karmed);
		snprintf(key, sizeof(key), "kbounds.%s", every_funcs[f]);
		krp_test_report(key, kbounds);
	}
	pr_info("%s: %d probes on %d functions (%d instructions refused, %d offsets tried, %d mid-instruction, %d not as the kernel's kprobes say)\n",
		__func__, every_n, nfuncs, refused, tried, mid, differ);
	krp_test_report("probes", every_n);
	krp_test_report("refused", refused);
	krp_test_report("tried", tried);
	krp_test_report("mid", mid);
	krp_test_report("differ", differ);
	err = every_n ? 0 : -ENOENT;
	goto out;
fail:
	every_unregister();
out:
	kvfree(kerr);
	kvfree(olist);
	kvfree(okps);
	return err;
}

/* pre- and post-handlers: what is not emulated is single-stepped */
int scenario_arm_every(void)
{
	return krp_test_need_int3() ?: arm_every(true, EVERY_STEPPED);
}

/* pre-handlers only: what is not emulated is boosted */
int scenario_arm_every_boost(void)
{
	return krp_test_need_int3() ?: arm_every(false, ARRAY_SIZE(every_funcs));
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

/* the first EVERY_RET_OWN of every_ret_funcs are user-access helpers */
#define EVERY_RET_OWN 6
#define EVERY_RET_CALLS 100

/*
 * Each user-access helper once from here, on a page of the writer's
 * address space, so that each is hit whatever the workload reaches.
 */
static int every_ret_user_access(void)
{
	unsigned long addr;
	u8 __user *p;
	u8 b = 0;
	u16 w = 0;
	u32 l = 0;
	int err;

	addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	p = (u8 __user *)addr;
	err = put_user((u8)1, p) || put_user((u16)2, (u16 __user *)(p + 2)) ||
	      put_user((u32)3, (u32 __user *)(p + 4)) || get_user(b, p) ||
	      get_user(w, (u16 __user *)(p + 2)) ||
	      get_user(l, (u32 __user *)(p + 4));
	vm_munmap(addr, PAGE_SIZE);
	if (err || b != 1 || w != 2 || l != 3) {
		pr_err("arm_every_ret: user accesses: %d, %u %u %u\n", err, b,
		       w, l);
		return -EFAULT;
	}
	return 0;
}

int scenario_arm_every_ret(void)
{
	int i, err, n = 0;

	err = krp_test_need_int3();
	if (err)
		return err;
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
	err = every_ret_user_access();
	if (err) {
		every_ret_unregister();
		return err;
	}
	/* the test module's own: exercised from here, EVERY_RET_CALLS times */
	for (i = 0; i < EVERY_RET_CALLS; i++)
		if (krp_test_notrace(i) != i + 1 || krp_test_int3_fn(i) != 3 * i + 2 ||
		    krp_test_ool(i) != krp_test_ool_ref(i) ||
		    krp_test_emu(i + 1) != 3 * i + 4)
			atomic_inc(&every_bad);
	pr_info("arm_every_ret: %d return probes at int3 entries\n", n);
	return 0;
}

int scenario_disarm_every_ret(void)
{
	int i, ret = 0;

	every_ret_unregister();
	for (i = 0; i < ARRAY_SIZE(every_rps); i++) {
		int e = atomic_read(&every_ret_entries[i]);
		int r = atomic_read(&every_ret_returns[i]);

		pr_info("disarm_every_ret: %s: %d entries, %d returns\n",
			every_ret_funcs[i], e, r);
		/* the workload is over: no task is inside any of them */
		CHECK(e == r && e > 0, "%s: %d entries, %d returns",
		      every_ret_funcs[i], e, r);
		/* nothing but arm_every_ret calls the test module's own */
		if (i >= EVERY_RET_OWN)
			CHECK(e == EVERY_RET_CALLS, "%s: %d entries, not %d",
			      every_ret_funcs[i], e, EVERY_RET_CALLS);
	}
	CHECK(!atomic_read(&every_bad), "%d bad", atomic_read(&every_bad));
	return ret;
}

int scenario_disarm_every(void)
{
	int f, i, n = every_n, ret = 0, wrong = 0;
	long pres = 0, posts = 0;
	bool post;

	if (!every_kps)
		return -EINVAL;
	post = every_kps[0].post_handler;
	every_unregister();
	/* unregistered, so drained: every hit that began has ended */
	for (i = 0; i < n; i++) {
		int pre = atomic_read(&every_pres[i]);
		int pst = atomic_read(&every_posts[i]);

		pres += pre;
		posts += pst;
		if (pst != (post ? pre : 0) && !wrong++)
			pr_err("disarm_every: probe %d in %s: %d pre, %d post\n",
			       i, every_funcs[every_func_of[i]], pre, pst);
	}
	CHECK(!wrong, "%d probes with post calls not matching pre calls",
	      wrong);
	krp_test_report("pre", pres);
	krp_test_report("post", posts);
	for (f = 0; f < every_nfuncs; f++) {
		pr_info("disarm_every: %s: %d hits\n", every_funcs[f],
			atomic_read(&every_hits[f]));
		CHECK(atomic_read(&every_hits[f]) > 0, "%s never hit",
		      every_funcs[f]);
	}
	CHECK(!atomic_read(&every_bad), "%d hits with a wrong ip",
	      atomic_read(&every_bad));
	return ret;
}

void krp_test_every_exit(void)
{
	if (every_kps)
		every_unregister();
	every_ret_unregister();
}
