// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing of every registration field: fuzz_count registrations built
 * from fuzz_seed (printed, so a failure can be replayed with the same
 * seed), each a kretprobe, a kprobe or a batch of them, whose name,
 * offset, address, flags, handlers, data_size and maxactive are drawn
 * from valid, malformed and random values.
 *
 * A rejection must be one of the errnos the API documents, leave the
 * struct unregistered, and leave the probed functions' text as it was;
 * an acceptance is hit, unregistered and checked the same way.  The
 * user-space side (selftests/krp/krp_fuzz.c) compares krp/list and
 * krp/stats before and after.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "krp_test_common.h"

static unsigned long fuzz_seed = 1;
module_param(fuzz_seed, ulong, 0644);
MODULE_PARM_DESC(fuzz_seed, "seed of the registration fuzzer");

static unsigned int fuzz_count = 2000;
module_param(fuzz_count, uint, 0644);
MODULE_PARM_DESC(fuzz_count, "registrations the fuzzer tries");

static struct rnd_state fuzz_rnd;

static u32 fuzz_u32(void)
{
	return prandom_u32_state(&fuzz_rnd);
}

static u32 fuzz_below(u32 n)
{
	return fuzz_u32() % n;
}

/*
 * Functions the fuzzer may really probe, and their text.  An ftrace
 * entry's call stays enabled for a second after its last probe went
 * (kernel/ftrace.c), so the text of a traceable one is compared from
 * past that call on.
 */
#define FUZZ_TEXT	16

struct fuzz_target {
	const char *name;
	void *fn;
	bool ftrace;
	unsigned int from, to;
	u8 text[FUZZ_TEXT];
};

static struct fuzz_target fuzz_targets[] = {
	{ "krp_test_target", krp_test_target, true },
	{ "krp_test_notrace", krp_test_notrace, false },
	{ "krp_test_recurse", krp_test_recurse, true },
	{ "krp_test_notrace_call", krp_test_notrace_call, true },
};

static char fuzz_long_name[600];

static const char *fuzz_name(void)
{
	static const char * const bad[] = {
		"", "krp_test_no_such_function", "krp_test_target ",
		"krp_test_target\n", "krp_test:krp_test_target",
		"no_such_module:krp_test_target", ":", "krp_test:",
		"%s%s%s%n", "krp_trampoline", "krp_register_kretprobe",
		"krp_test_ool_bias",
	};

	switch (fuzz_below(4)) {
	case 0:
		return NULL;
	case 1:
		return bad[fuzz_below(ARRAY_SIZE(bad))];
	case 2:
		return fuzz_long_name;
	default:
		return fuzz_targets[fuzz_below(ARRAY_SIZE(fuzz_targets))].name;
	}
}

/*
 * The kernel adds an offset to a name or an address without checking
 * that it stays inside the function: only small offsets go with a name
 * of ours or an address, so that no kernel function's text is probed;
 * every other name fails to resolve whatever the offset.
 */
static unsigned int fuzz_offset(bool aimed)
{
	static const unsigned int some[] = {
		0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0x7fffffff, 0x80000000,
		0xffffffff, 0xfffffffb,
	};

	if (aimed)
		return fuzz_below(2) ? 0 : fuzz_below(24);
	return fuzz_below(4) ? some[fuzz_below(ARRAY_SIZE(some))] : fuzz_u32();
}

/* A name of ours, or any address: the offset must stay small. */
static bool fuzz_aimed(const char *name, krp_opcode_t *addr)
{
	return addr || (name && !strncmp(name, "krp_", 4));
}

/* Never inside another kernel function's text: only ours, or not text. */
static krp_opcode_t *fuzz_addr(void)
{
	static int data;
	void *fn = fuzz_targets[fuzz_below(ARRAY_SIZE(fuzz_targets))].fn;

	switch (fuzz_below(8)) {
	case 0:
	case 1:
	case 2:
		return NULL;
	case 3:
		return fn;
	case 4:
		return (krp_opcode_t *)fn + fuzz_below(16);
	case 5:
		return (krp_opcode_t *)&data;
	case 6:
		return (krp_opcode_t *)(unsigned long)(fuzz_below(2) ? 0x1000 : 1);
	default:
		return (krp_opcode_t *)krp_register_kretprobe;
	}
}

static size_t fuzz_data_size(void)
{
	static const size_t some[] = {
		0, 1, 7, 8, 64, KRP_KRETPROBE_MAX_DATA_SIZE - 1,
		KRP_KRETPROBE_MAX_DATA_SIZE, KRP_KRETPROBE_MAX_DATA_SIZE + 1,
		65536, SIZE_MAX, SIZE_MAX - 7,
	};

	return fuzz_below(2) ? fuzz_below(65) : some[fuzz_below(ARRAY_SIZE(some))];
}

static int fuzz_pre(struct krp_kprobe *kp, struct pt_regs *regs)
{
	atomic_inc(&n_entry);
	return 0;
}

static void fuzz_post(struct krp_kprobe *kp, struct pt_regs *regs,
		      unsigned long flags)
{
	atomic_inc(&n_ret);
}

static int fuzz_entry(struct krp_kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&n_entry);
	/* declined now and then: its return is not probed */
	return fuzz_below(4) == 0;
}

static void fuzz_kprobe(struct krp_kprobe *kp)
{
	memset(kp, 0, sizeof(*kp));
	kp->symbol_name = fuzz_name();
	kp->addr = fuzz_addr();
	/* a third well aimed, so that acceptances are tried too */
	if (!fuzz_below(3)) {
		kp->symbol_name = fuzz_targets[fuzz_below(ARRAY_SIZE(fuzz_targets))].name;
		kp->addr = NULL;
	}
	kp->offset = fuzz_offset(fuzz_aimed(kp->symbol_name, kp->addr));
	kp->flags = fuzz_below(2) ? fuzz_u32() : 0;
	kp->nmissed = fuzz_u32();
	if (fuzz_below(2))
		kp->pre_handler = fuzz_pre;
	if (!fuzz_below(4))
		kp->post_handler = fuzz_post;
}

static void fuzz_kretprobe(struct krp_kretprobe *rp)
{
	fuzz_kprobe(&rp->kp);
	rp->kp.pre_handler = NULL;
	rp->kp.post_handler = NULL;
	rp->handler = fuzz_below(4) ? count_ret : NULL;
	rp->entry_handler = fuzz_below(2) ? fuzz_entry : NULL;
	rp->maxactive = fuzz_below(2) ? (int)fuzz_u32() : 0;
	rp->nmissed = fuzz_u32();
	rp->data_size = fuzz_data_size();
}

/* What a rejection may say (include/krp/kprobes.h, kernel/register.c). */
static bool fuzz_errno_ok(int err)
{
	switch (err) {
	case -EINVAL: case -ENOENT: case -E2BIG: case -EBUSY:
	case -EOPNOTSUPP: case -EILSEQ: case -ENOSPC: case -ENOMEM:
		return true;
	}
	return false;
}

static void fuzz_call_targets(void)
{
	krp_test_target(1);
	krp_test_notrace(1);
	krp_test_recurse(2);
	krp_test_notrace_call(1);
}

/*
 * The bytes checked are the target's own: in a kernel built without
 * function alignment (-Os), krp_test_notrace, shorter than FUZZ_TEXT,
 * is followed by krp_test_notrace_call's ftrace site, which ftrace may
 * leave patched for a while (see above).
 */
static void fuzz_text_save(void)
{
	static const u8 endbr[] = { 0xf3, 0x0f, 0x1e };
	char buf[KSYM_SYMBOL_LEN], *slash;
	struct fuzz_target *t;
	unsigned int size;

	for (t = fuzz_targets; t < fuzz_targets + ARRAY_SIZE(fuzz_targets); t++) {
		t->from = 0;
		if (t->ftrace)
			t->from = (memcmp(t->fn, endbr, sizeof(endbr)) ? 0 : 4) + 5;
		/* "name+0x0/0xsize [module]" */
		snprintf(buf, sizeof(buf), "%pS", t->fn);
		slash = strchr(buf, '/');
		t->to = FUZZ_TEXT;
		if (slash && sscanf(slash + 1, "%x", &size) == 1 && size < FUZZ_TEXT)
			t->to = max(size, t->from);
		memcpy(t->text, t->fn, FUZZ_TEXT);
	}
}

/* The targets' text is as it was before anything was registered. */
static int fuzz_text_check(unsigned int iter)
{
	struct fuzz_target *t;

	for (t = fuzz_targets; t < fuzz_targets + ARRAY_SIZE(fuzz_targets); t++) {
		if (!memcmp(t->fn + t->from, t->text + t->from,
			    t->to - t->from))
			continue;
		pr_err("fuzz %u: %s's text changed: %16ph, was %16ph\n", iter,
		       t->name, t->fn, t->text);
		return -EINVAL;
	}
	return 0;
}

#define FUZZ_BATCH	4

static int fuzz_errs[8];
static const int fuzz_errnos[8] = {
	0, -EINVAL, -ENOENT, -E2BIG, -EBUSY, -EOPNOTSUPP, -EILSEQ, -ENOSPC,
};

static void fuzz_count_err(int err)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(fuzz_errnos); i++)
		if (fuzz_errnos[i] == err)
			fuzz_errs[i]++;
}

/* One registration, single or batch, of kretprobes or kprobes. */
static int fuzz_one(unsigned int iter, struct krp_kretprobe *rps,
		    struct krp_kprobe *kps)
{
	struct krp_kretprobe *rpp[FUZZ_BATCH];
	struct krp_kprobe *kpp[FUZZ_BATCH];
	bool ret_probes = fuzz_below(2), batch = !fuzz_below(3);
	int i, n = batch ? (int)fuzz_below(FUZZ_BATCH + 1) : 1, err;
	int num = n;

	for (i = 0; i < FUZZ_BATCH; i++) {
		fuzz_kretprobe(&rps[i]);
		fuzz_kprobe(&kps[i]);
		rpp[i] = &rps[i];
		kpp[i] = &kps[i];
	}
	/* a member twice, or a count that does not match the array */
	if (batch && n > 1 && !fuzz_below(4)) {
		rpp[n - 1] = rpp[0];
		kpp[n - 1] = kpp[0];
	}
	if (batch && !fuzz_below(8))
		num = -(int)fuzz_below(3);
	if (ret_probes)
		err = batch ? krp_register_kretprobes(rpp, num) :
			      krp_register_kretprobe(rpp[0]);
	else
		err = batch ? krp_register_kprobes(kpp, num) :
			      krp_register_kprobe(kpp[0]);
	fuzz_count_err(err);
	if (err) {
		if (!fuzz_errno_ok(err)) {
			pr_err("fuzz %u: rejected with %d\n", iter, err);
			return -EINVAL;
		}
		for (i = 0; i < max(num, 1); i++) {
			if (ret_probes ? !rpp[i]->probe : !kpp[i]->probe)
				continue;
			pr_err("fuzz %u: rejected (%d) but member %d is registered\n",
			       iter, err, i);
			return -EINVAL;
		}
		return fuzz_text_check(iter);
	}
	fuzz_call_targets();
	if (ret_probes) {
		if (batch)
			krp_unregister_kretprobes(rpp, num);
		else
			krp_unregister_kretprobe(rpp[0]);
	} else {
		if (batch)
			krp_unregister_kprobes(kpp, num);
		else
			krp_unregister_kprobe(kpp[0]);
	}
	return fuzz_text_check(iter);
}

int scenario_fuzz_register(void)
{
	struct krp_kretprobe *rps;
	struct krp_kprobe *kps;
	unsigned int iter;
	int ret = 0;

	rps = kcalloc(FUZZ_BATCH, sizeof(*rps), GFP_KERNEL);
	kps = kcalloc(FUZZ_BATCH, sizeof(*kps), GFP_KERNEL);
	if (!rps || !kps) {
		kfree(rps);
		kfree(kps);
		return -ENOMEM;
	}
	prandom_seed_state(&fuzz_rnd, fuzz_seed);
	memset(fuzz_long_name, 'a', sizeof(fuzz_long_name) - 1);
	memset(fuzz_errs, 0, sizeof(fuzz_errs));
	fuzz_text_save();
	pr_info("fuzz_register: seed %lu, %u registrations\n", fuzz_seed,
		fuzz_count);
	for (iter = 0; iter < fuzz_count && !ret; iter++)
		ret = fuzz_one(iter, rps, kps);
	if (ret)
		pr_err("fuzz_register: failed at registration %u of seed %lu\n",
		       iter - 1, fuzz_seed);
	krp_test_report("accepted", fuzz_errs[0]);
	krp_test_report("einval", fuzz_errs[1]);
	krp_test_report("enoent", fuzz_errs[2]);
	krp_test_report("e2big", fuzz_errs[3]);
	krp_test_report("ebusy", fuzz_errs[4]);
	krp_test_report("eopnotsupp", fuzz_errs[5]);
	krp_test_report("eilseq", fuzz_errs[6]);
	krp_test_report("tried", iter);
	kfree(rps);
	kfree(kps);
	return ret;
}

/* fuzz_hold/fuzz_release: a probe registered throughout, never hit */
static struct krp_kretprobe rp_fuzz_hold;

int scenario_fuzz_hold(void)
{
	rp_init(&rp_fuzz_hold, "krp_test_target64", NULL, count_ret, 0);
	return krp_register_kretprobe(&rp_fuzz_hold);
}

int scenario_fuzz_release(void)
{
	if (!rp_fuzz_hold.probe)
		return -EINVAL;
	krp_unregister_kretprobe(&rp_fuzz_hold);
	return 0;
}

void krp_test_fuzz_exit(void)
{
	if (rp_fuzz_hold.probe)
		krp_unregister_kretprobe(&rp_fuzz_hold);
}
