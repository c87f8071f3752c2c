// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel functions krp calls although the kernel does not export
 * them, each found once and checked before the first call; the list,
 * and what krp does where one cannot be found, is in
 * Documentation/design.md ("Unexported symbols").
 *
 * Both are found through kallsyms, and kallsyms_lookup_name() itself
 * through the address a borrowed kprobe resolves for its name.  Both
 * only read kernel data.  An indirect call on an IBT kernel must land
 * on an ENDBR; the kernel seals the ENDBRs of functions whose address
 * it never takes, and such a function is called through a gate
 * (krp_arch_callable()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/extable.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "arch.h"
#include "resolve.h"
#include "unexported.h"

/*
 * N: refuse what may have an exception fixup by its instruction form,
 * as where search_exception_tables() cannot be found.  Read when a site
 * is prepared; sites already there keep what they were given.
 */
static bool extable = true;
module_param(extable, bool, 0644);
MODULE_PARM_DESC(extable,
		 "Look up exception fixups in the kernel's tables (N: refuse every instruction that could have one)");

typedef unsigned long (*krp_lookup_name_t)(const char *name);
typedef const struct exception_table_entry *(*krp_search_extables_t)(unsigned long addr);

static DEFINE_MUTEX(krp_unexported_mutex);
static krp_lookup_name_t krp_lookup_name_fn;
static bool krp_lookup_name_tried;
static krp_search_extables_t krp_search_extables_fn;
static bool krp_search_extables_tried;

/*
 * kallsyms_lookup_name() at the address the kernel's kprobes resolve
 * for it, checked by name: on IBT kernels a kprobe lands past the
 * function's ENDBR, and the call goes to the symbol's start.
 */
static krp_lookup_name_t krp_lookup_name_get(void)
{
	struct kprobe probe = {
		.symbol_name = "kallsyms_lookup_name",
		.flags = KPROBE_FLAG_DISABLED,
	};
	char *sym, mod[MODULE_NAME_LEN];
	unsigned long addr;
	unsigned int off;

	lockdep_assert_held(&krp_unexported_mutex);
	if (krp_lookup_name_tried)
		return krp_lookup_name_fn;
	krp_lookup_name_tried = true;
	if (register_kprobe(&probe))
		goto not_found;
	addr = (unsigned long)probe.addr;
	unregister_kprobe(&probe);
	sym = kmalloc(KSYM_NAME_LEN, GFP_KERNEL);
	if (!sym)
		goto not_found;
	if (!krp_describe(addr, sym, &off, mod) &&
	    !strcmp(sym, "kallsyms_lookup_name") && !mod[0])
		krp_lookup_name_fn =
			(krp_lookup_name_t)krp_arch_callable(addr - off);
	kfree(sym);
	if (krp_lookup_name_fn)
		return krp_lookup_name_fn;
not_found:
	pr_info("kallsyms_lookup_name() cannot be called here: @SYM fetch arguments are refused\n");
	return NULL;
}

/**
 * krp_lookup_name() - the address of any symbol, data included
 * @name: a symbol of vmlinux or "module:symbol"
 * @addr: its address
 *
 * Process context.
 *
 * Return: 0, -ENOENT for an unknown symbol, -EOPNOTSUPP if this
 * kernel's kallsyms_lookup_name() cannot be found.
 */
int krp_lookup_name(const char *name, unsigned long *addr)
{
	krp_lookup_name_t lookup;

	mutex_lock(&krp_unexported_mutex);
	lookup = krp_lookup_name_get();
	mutex_unlock(&krp_unexported_mutex);
	if (!lookup)
		return -EOPNOTSUPP;
	*addr = lookup(name);
	return *addr ? 0 : -ENOENT;
}

static krp_search_extables_t krp_search_extables_get(void)
{
	krp_lookup_name_t lookup;
	unsigned long addr;

	lockdep_assert_held(&krp_unexported_mutex);
	if (krp_search_extables_tried)
		return krp_search_extables_fn;
	krp_search_extables_tried = true;
	lookup = krp_lookup_name_get();
	addr = lookup ? lookup("search_exception_tables") : 0;
	if (addr)
		krp_search_extables_fn =
			(krp_search_extables_t)krp_arch_callable(addr);
	if (krp_search_extables_fn)
		return krp_search_extables_fn;
	pr_info("search_exception_tables() cannot be called here: int3 sites are refused by instruction form where a fixup could be\n");
	return NULL;
}

/**
 * krp_fixup_at() - whether an instruction has an exception fixup
 * @addr: the instruction's address, in kernel or module text
 *
 * The kernel image's table, every loaded module's (whenever it was
 * loaded), and BPF's, through the kernel's search_exception_tables().
 * Process context: the caller keeps the module of @addr loaded.
 *
 * Return: 1 if it has one, 0 if not, -EOPNOTSUPP if krp cannot tell
 * (the tables cannot be searched here, or the extable parameter is N).
 */
int krp_fixup_at(unsigned long addr)
{
	krp_search_extables_t search;

	if (!READ_ONCE(extable))
		return -EOPNOTSUPP;
	mutex_lock(&krp_unexported_mutex);
	search = krp_search_extables_get();
	mutex_unlock(&krp_unexported_mutex);
	if (!search)
		return -EOPNOTSUPP;
	return search(addr) ? 1 : 0;
}
