// SPDX-License-Identifier: GPL-2.0
/*
 * Probes on every instruction of real kernel functions, left armed while
 * user space runs a workload through them: kprobes on five VFS and
 * system-call functions, return probes on notrace ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
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
	for (f = 0; f < EVERY_MAX; f++) {
		atomic_set(&every_pres[f], 0);
		atomic_set(&every_posts[f], 0);
	}
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
	krp_test_report("probes", every_n);
	krp_test_report("refused", refused);
	krp_test_report("tried", tried);
	return every_n ? 0 : -ENOENT;
}

/* pre- and post-handlers: what is not emulated is single-stepped */
int scenario_arm_every(void)
{
	return krp_test_need_int3() ?: arm_every(true);
}

/* pre-handlers only: what is not emulated is boosted */
int scenario_arm_every_boost(void)
{
	return krp_test_need_int3() ?: arm_every(false);
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

void krp_test_every_exit(void)
{
	if (every_kps)
		every_unregister();
	every_ret_unregister();
}
