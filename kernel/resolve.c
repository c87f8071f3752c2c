// SPDX-License-Identifier: GPL-2.0
/*
 * Turning a symbol name or an address into a checked probe address.
 *
 * kallsyms_lookup_name() is not exported.  register_kprobe() is, and it
 * does exactly the resolution and the safety checks a return probe
 * needs: symbol plus offset, kernel or module text, the kprobe
 * blacklist, instruction boundary.  A kprobe registered disabled is
 * never armed, so borrowing it patches nothing, but unregistering it
 * waits for an RCU grace period; the last results are cached so that a
 * tool attaching and detaching the same function pays that once.
 * Entries of a module are dropped when the module goes.
 *
 * Nothing here knows krp's probes or sites: the caller asks its own
 * site table first.  krp_resolve_mutex keeps the cache and the
 * borrowed kprobes; callers may hold krp_mutex, which comes first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <linux/module.h>
#include <linux/mutex.h>

#include "resolve.h"

static DEFINE_MUTEX(krp_resolve_mutex);

struct krp_resolved {
	char sym[KSYM_NAME_LEN];	/* "" when resolved from an address */
	unsigned int offset;
	unsigned long in_addr;
	unsigned long addr;
	char modname[MODULE_NAME_LEN];
	bool valid;
};

#define KRP_RESOLVE_CACHE	16
static struct krp_resolved krp_resolve_cache[KRP_RESOLVE_CACHE];
static unsigned int krp_resolve_next;

static struct krp_resolved *krp_resolve_lookup(struct krp_kprobe *kp)
{
	struct krp_resolved *r;

	for (r = krp_resolve_cache; r < krp_resolve_cache + KRP_RESOLVE_CACHE; r++) {
		if (!r->valid || r->offset != kp->offset)
			continue;
		if (kp->symbol_name ? !strcmp(r->sym, kp->symbol_name) :
		    (!r->sym[0] && r->in_addr == (unsigned long)kp->addr))
			return r;
	}
	return NULL;
}

/**
 * krp_resolve_remember() - cache where @kp resolved to
 * @kp: the probe as the client gave it
 * @addr: the address
 *
 * Only for ftrace sites: an int3 site must be checked against the
 * kernel's kprobes every time (see krp_site_classify()).
 */
void krp_resolve_remember(struct krp_kprobe *kp, unsigned long addr)
{
	struct krp_resolved *r;
	unsigned int off;
	char *sym;

	sym = kmalloc(KSYM_NAME_LEN, GFP_KERNEL);
	if (!sym)
		return;
	mutex_lock(&krp_resolve_mutex);
	r = &krp_resolve_cache[krp_resolve_next];
	if (kp->symbol_name && strlen(kp->symbol_name) >= KSYM_NAME_LEN)
		goto out;
	if (krp_describe(addr, sym, &off, r->modname))
		goto out;
	strscpy(r->sym, kp->symbol_name ? kp->symbol_name : "", KSYM_NAME_LEN);
	r->offset = kp->offset;
	r->in_addr = (unsigned long)kp->addr;
	r->addr = addr;
	r->valid = true;
	krp_resolve_next = (krp_resolve_next + 1) % KRP_RESOLVE_CACHE;
out:
	mutex_unlock(&krp_resolve_mutex);
	kfree(sym);
}

/**
 * krp_resolve_forget() - drop what is cached about a module's symbols
 * @modname: the module that is going away
 */
void krp_resolve_forget(const char *modname)
{
	struct krp_resolved *r;

	mutex_lock(&krp_resolve_mutex);
	for (r = krp_resolve_cache; r < krp_resolve_cache + KRP_RESOLVE_CACHE; r++)
		if (r->valid && !strcmp(r->modname, modname))
			r->valid = false;
	mutex_unlock(&krp_resolve_mutex);
}

/*
 * No instruction is this long: x86's arch_prepare_kprobe() clears the
 * kprobe's ainsn only once its boundary decode has passed, so a kprobe
 * refused with this size left was refused before the kernel decoded (an
 * address check: not text, blacklisted, a jump label, an alternative).
 * The field is never read while the kprobe holds no instruction slot.
 */
#define KRP_AINSN_UNDECODED	0xff

/*
 * Resolve and check @kp with a borrowed, never armed kprobe.  The kernel
 * checks text, blacklist, jump-label, static-call, alternatives and BUG
 * sites before it decodes from the function's start to check the
 * boundary, and that decode reads krp's own int3s as one-byte
 * instructions: its -EILSEQ, and the -EOPNOTSUPP of an instruction it
 * found by a wrong decode, are left to krp's decoder, which knows them.
 * Any other error leaves in @addr the address the kernel resolved, if
 * it got that far: krp's own int3 there is refused too.
 */
static int krp_kprobe_check(struct krp_kprobe *kp, unsigned long *addr,
			    bool *shared, bool *ftrace, bool *copy_refused)
{
	struct kprobe probe = {
		.symbol_name = kp->symbol_name,
		.offset = kp->offset,
		.addr = (kprobe_opcode_t *)kp->addr,
		.flags = KPROBE_FLAG_DISABLED,
		.ainsn.size = KRP_AINSN_UNDECODED,
	};
	int ret;

	ret = register_kprobe(&probe);
	/* the kernel flags an ftrace site before it checks anything else */
	*ftrace = probe.flags & KPROBE_FLAG_FTRACE;
	/*
	 * These come after every check of the address itself: -EILSEQ from
	 * the boundary decode; -EOPNOTSUPP, and -EINVAL once the decode has
	 * passed, from copying the instruction that decode found, which is
	 * not the real one when krp's int3s threw the decode off.  krp
	 * decodes and prepares on its own; the kernel's copy refusal is
	 * the caller's to keep where krp finds a boundary (an offset inside
	 * an instruction fails the copy too, and is krp's -EILSEQ).
	 */
	if ((ret == -EILSEQ || ret == -EOPNOTSUPP) && probe.addr) {
		*addr = (unsigned long)probe.addr;
		return 0;
	}
	if (ret == -EINVAL && probe.ainsn.size != KRP_AINSN_UNDECODED &&
	    probe.addr) {
		*copy_refused = true;
		*addr = (unsigned long)probe.addr;
		return 0;
	}
	/*
	 * Joined onto a kprobe of the kernel's that is already there?  A
	 * lone probe may sit alone in an aggregator made for optimizing it
	 * (two nodes on the list); another probe makes it three.
	 */
	if (ret) {
		*addr = (unsigned long)probe.addr;
		return ret;
	}
	*shared = probe.list.next != probe.list.prev;
	*addr = (unsigned long)probe.addr;
	unregister_kprobe(&probe);
	return 0;
}

/**
 * krp_resolve() - resolve and check where @kp points
 * @kp: symbol_name/offset or addr, exactly one of them, as the client
 *	set them
 * @addr: the resolved address; on an error of the kernel's checks, the
 *	address they were about, or 0 if the name did not resolve
 * @shared: set if a kprobe of the kernel's is at @addr
 * @ftrace: set if @addr is an ftrace site (the kernel's kprobes would
 *	go through ftrace there, and need KPROBES_ON_FTRACE to accept it)
 * @copy_refused: set if the kernel's kprobes passed @addr as a boundary
 *	but refused to copy the instruction there (-EINVAL): krp's own
 *	decode says whether that stands
 *
 * Return: 0, -EINVAL (not text, blacklisted), -ENOENT (unknown symbol),
 * or another error of register_kprobe().  Whether the address is an
 * instruction boundary is checked when its site is made.
 */
int krp_resolve(struct krp_kprobe *kp, unsigned long *addr, bool *shared,
		bool *ftrace, bool *copy_refused)
{
	struct krp_resolved *r;
	int ret = 0;

	*shared = false;
	*ftrace = false;
	*copy_refused = false;
	*addr = 0;
	mutex_lock(&krp_resolve_mutex);
	r = krp_resolve_lookup(kp);
	if (r) {
		/* only ftrace sites are remembered */
		*addr = r->addr;
		*ftrace = true;
	} else {
		ret = krp_kprobe_check(kp, addr, shared, ftrace, copy_refused);
	}
	mutex_unlock(&krp_resolve_mutex);
	return ret;
}

/**
 * krp_describe() - name an address the way kprobes/list does
 * @addr: a text address
 * @sym: KSYM_NAME_LEN bytes for the symbol
 * @offset: the offset of @addr in @sym
 * @modname: MODULE_NAME_LEN bytes for the module name, "" for vmlinux
 *
 * Return: 0 or -ENOENT if kallsyms does not know @addr.
 */
int krp_describe(unsigned long addr, char *sym, unsigned int *offset,
		 char *modname)
{
	char buf[KSYM_SYMBOL_LEN];
	char *plus, *mod, *end;

	/* "name+0xoff/0xsize [module]" */
	sprint_symbol(buf, addr);
	plus = strchr(buf, '+');
	if (!plus || sscanf(plus + 1, "0x%x/", offset) != 1)
		return -ENOENT;
	*plus = '\0';
	strscpy(sym, buf, KSYM_NAME_LEN);
	modname[0] = '\0';
	mod = strchr(plus + 1, '[');
	if (mod) {
		end = strchr(mod, ']');
		if (end)
			*end = '\0';
		strscpy(modname, mod + 1, MODULE_NAME_LEN);
	}
	return 0;
}

/**
 * krp_func_size() - the size of the function around @addr
 * @addr: a text address
 * @size: the bytes of its symbol, to the next one (padding included)
 *
 * kallsyms_lookup_size_offset() is not exported; sprint_symbol() prints
 * the size after the offset.
 *
 * Return: 0 or -ENOENT if kallsyms does not know @addr.
 */
int krp_func_size(unsigned long addr, unsigned int *size)
{
	char buf[KSYM_SYMBOL_LEN];
	unsigned int off;
	char *plus;

	sprint_symbol(buf, addr);
	plus = strchr(buf, '+');
	if (!plus || sscanf(plus + 1, "0x%x/0x%x", &off, size) != 2)
		return -ENOENT;
	return 0;
}

/*
 * The kernel's kprobes inside an instruction under one of krp's int3s.
 * Their decoder reads krp's int3 as a one-byte instruction, so they
 * accept kprobes at the bytes after it, inside the instruction krp
 * displaced; and their optimizer would turn such a kprobe into a 5-byte
 * jump across the address where krp resumes after the instruction.  It
 * never optimizes a kprobe with a post-handler, nor an aggregate of
 * kprobes one of which has one.  So while krp's int3 is there, a
 * disabled kprobe with a post-handler, a guard, holds each byte inside
 * the instruction: never armed, never called.  A kprobe the kernel
 * accepts there later joins it, is never optimized, and shows on the
 * guard's list.  Unregistering kprobes waits for a grace period, so the
 * guards are given back in one batch by krp_borrowed_flush(), outside
 * the caller's locks.
 */
struct krp_borrowed {
	struct kprobe kp;
	struct list_head node;
};
static LIST_HEAD(krp_borrowed_list);

static void krp_guard_post(struct kprobe *p, struct pt_regs *regs,
			   unsigned long flags)
{
}

/**
 * krp_guards_add() - keep the kernel's optimizer out of an instruction
 * @addr: an instruction whose first byte an int3 of krp's just replaced
 * @len: its length
 * @guards: where the guards are kept, empty
 *
 * A byte where the kernel refuses a kprobe needs no guard: it refuses
 * every kprobe there.  On failure krp_borrowed_flush() must follow,
 * outside the caller's locks.
 *
 * Return: 0, or -ENOMEM with @guards left empty.
 */
int krp_guards_add(unsigned long addr, unsigned int len,
		   struct list_head *guards)
{
	struct krp_borrowed *b;
	unsigned int i;
	int ret;

	for (i = 1; i < len; i++) {
		b = kzalloc(sizeof(*b), GFP_KERNEL);
		if (!b)
			goto nomem;
		b->kp.addr = (kprobe_opcode_t *)(addr + i);
		b->kp.flags = KPROBE_FLAG_DISABLED;
		b->kp.post_handler = krp_guard_post;
		ret = register_kprobe(&b->kp);
		if (ret) {
			kfree(b);
			if (ret == -ENOMEM)
				goto nomem;
			continue;
		}
		list_add_tail(&b->node, guards);
	}
	return 0;
nomem:
	krp_guards_put(guards);
	return -ENOMEM;
}

/**
 * krp_guard_boundary() - whether the kernel lets an instruction be
 *			  patched over, and a guard there if so
 * @addr: an instruction boundary inside bytes krp means to cover
 * @guards: where the guard goes
 *
 * A disabled kprobe at @addr runs the kernel's own checks of the
 * address before it decodes anything: jump labels, static calls, BUG
 * sites, the blacklist, alternatives, an ftrace site.  Each of those
 * patches its bytes itself, or expects them as it wrote them.  Its
 * decode may be thrown off by krp's int3 before @addr, so a refusal
 * after the decode (-EILSEQ, or a copy refused) says nothing; then no
 * guard is taken either.  krp_borrowed_flush() must follow once the
 * guards are put, outside the caller's locks.
 *
 * Return: 0; -EBUSY where a kprobe of the kernel's is at @addr;
 * -EINVAL where the kernel reserves the text; -ENOMEM.
 */
int krp_guard_boundary(unsigned long addr, struct list_head *guards)
{
	struct krp_borrowed *b;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->kp.addr = (kprobe_opcode_t *)addr;
	b->kp.flags = KPROBE_FLAG_DISABLED;
	b->kp.post_handler = krp_guard_post;
	b->kp.ainsn.size = KRP_AINSN_UNDECODED;
	ret = register_kprobe(&b->kp);
	if (ret) {
		bool decoded = b->kp.ainsn.size != KRP_AINSN_UNDECODED;

		kfree(b);
		if (ret == -ENOMEM)
			return ret;
		if (ret == -EILSEQ || ret == -EOPNOTSUPP ||
		    (ret == -EINVAL && decoded))
			return 0;
		return -EINVAL;
	}
	list_add_tail(&b->node, guards);
	if (b->kp.flags & KPROBE_FLAG_FTRACE)
		return -EINVAL;
	if (b->kp.list.next != b->kp.list.prev)
		return -EBUSY;
	return 0;
}

/**
 * krp_guards_shared() - whether a kprobe of the kernel's joined a guard
 * @guards: from krp_guards_add()
 *
 * Return: true if a kprobe of the kernel's, armed or not, sits inside.
 */
bool krp_guards_shared(struct list_head *guards)
{
	struct krp_borrowed *b;

	/*
	 * Alone, a guard's list is empty, or it is the one probe of an
	 * aggregate made for optimizing it: next and prev agree.  Another
	 * probe makes them differ.
	 */
	list_for_each_entry(b, guards, node)
		if (READ_ONCE(b->kp.list.next) != READ_ONCE(b->kp.list.prev))
			return true;
	return false;
}

/**
 * krp_guards_put() - give the guards back once krp's int3 is gone
 * @guards: from krp_guards_add(); left empty
 *
 * krp_borrowed_flush() must follow, outside the caller's locks.  The
 * kernel's optimizer waits for preempted tasks before it writes a jump,
 * so a task still in krp's out-of-line copy is back in the original
 * text by then.
 */
void krp_guards_put(struct list_head *guards)
{
	mutex_lock(&krp_resolve_mutex);
	list_splice_tail_init(guards, &krp_borrowed_list);
	mutex_unlock(&krp_resolve_mutex);
}

/**
 * krp_borrowed_flush() - unregister the guards krp_guards_put() gave back
 *
 * Process context, without krp_mutex or another lock the caller of
 * krp_guards_put() held: one grace period for all.
 */
void krp_borrowed_flush(void)
{
	struct krp_borrowed *b, *next;
	struct kprobe **kps;
	LIST_HEAD(list);
	int n = 0;

	mutex_lock(&krp_resolve_mutex);
	list_splice_init(&krp_borrowed_list, &list);
	mutex_unlock(&krp_resolve_mutex);
	list_for_each_entry(b, &list, node)
		n++;
	if (!n)
		return;
	kps = kcalloc(n, sizeof(*kps), GFP_KERNEL);
	n = 0;
	list_for_each_entry(b, &list, node) {
		if (kps)
			kps[n++] = &b->kp;
		else
			unregister_kprobe(&b->kp);
	}
	if (kps)
		unregister_kprobes(kps, n);
	kfree(kps);
	list_for_each_entry_safe(b, next, &list, node)
		kfree(b);
}
