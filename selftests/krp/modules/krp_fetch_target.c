// SPDX-License-Identifier: GPL-2.0
/*
 * krp_fetch_target.ko: a function whose arguments, memory and return
 * value the tests of probe definitions know, so that every fetch
 * argument form and type can be checked against what it must print.
 * Writing N bytes to /sys/kernel/debug/krp_fetch_target/call calls
 * krp_fetch_fn(N, -5, "krp-string", &krp_fetch_rec), which returns
 * N - 1000, after a busy wait of 5 us: the return probe's delta_ns is
 * then above any clocksource's resolution, even where the guest's TSC
 * was found unstable and the clock fell back to the ACPI PM timer.
 *
 * The record's layout is fixed (the tests compute its offsets from the
 * size of a pointer); its bad pointer is the guard page after a
 * vmalloc() area: a kernel address nothing maps.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

struct krp_fetch_rec {
	u8 b;			/* 0 */
	u8 pad;
	u16 w;			/* 2 */
	u32 l;			/* 4 */
	u64 q;			/* 8 */
	s64 neg;		/* 16 */
	const char *name;	/* 24 */
	struct krp_fetch_rec *next;	/* 24 + P */
	void *fn;		/* 24 + 2P */
	void *bad;		/* 24 + 3P */
};

/*
 * @krp_fetch_target:krp_fetch_word.  Without CONFIG_KALLSYMS_ALL (the
 * i386 kernels) kallsyms keeps only symbols in executable sections:
 * the word goes in one there.  Both x86_64 kernels have it, so objtool
 * never meets a word it cannot decode.
 */
#ifdef CONFIG_KALLSYMS_ALL
static u32 krp_fetch_word __used = 0x12345678;
#else
asm(".pushsection .text.krp_fetch_word, \"ax\"\n"
"	.type krp_fetch_word, @object\n"
"krp_fetch_word:\n"
"	.long 0x12345678\n"
"	.size krp_fetch_word, 4\n"
".popsection");
#endif

static struct krp_fetch_rec krp_fetch_second = {
	.name = "second",
};

static struct krp_fetch_rec krp_fetch_rec = {
	.b = 0xab,
	.w = 0x1234,
	.l = 0xdeadbeef,
	.q = 0x0123456789abcdefULL,
	.neg = -2,
	.name = "first",
	.next = &krp_fetch_second,
};

static void *krp_fetch_area;

static __attribute__((__noipa__)) long
krp_fetch_fn(long n, long m, const char *s, struct krp_fetch_rec *r)
{
	udelay(5);
	return n - 1000 + (m + 5) + (s[0] - 'k') + (r->b - 0xab);
}

static ssize_t call_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	long ret = krp_fetch_fn(count, -5, "krp-string", &krp_fetch_rec);

	return ret == (long)count - 1000 ? count : -EIO;
}

static const struct file_operations call_fops = {
	.owner = THIS_MODULE,
	.write = call_write,
};

static struct dentry *dir;

static int __init krp_fetch_target_init(void)
{
	krp_fetch_area = vmalloc(PAGE_SIZE);
	if (!krp_fetch_area)
		return -ENOMEM;
	krp_fetch_rec.fn = krp_fetch_fn;
	krp_fetch_rec.bad = krp_fetch_area + PAGE_SIZE;
	dir = debugfs_create_dir("krp_fetch_target", NULL);
	debugfs_create_file("call", 0200, dir, NULL, &call_fops);
	return 0;
}

static void __exit krp_fetch_target_exit(void)
{
	debugfs_remove_recursive(dir);
	vfree(krp_fetch_area);
}

module_init(krp_fetch_target_init);
module_exit(krp_fetch_target_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_DESCRIPTION("krp self-test target of fetch arguments");
