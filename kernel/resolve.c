// SPDX-License-Identifier: GPL-2.0
/*
 * Turning a symbol name or an address into a checked probe address.
 *
 * kallsyms_lookup_name() is not exported.  register_kprobe() is, and it
 * does exactly the resolution and the safety checks a return probe
 * needs: symbol plus offset, kernel or module text, the kprobe
 * blacklist, instruction boundary.  A kprobe registered disabled is
 * never armed, so borrowing it patches nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>

#include "internal.h"

/**
 * krp_resolve() - resolve and check where @kp points
 * @kp: symbol_name/offset or addr, as the client set them
 * @addr: the resolved address
 *
 * Return: 0, -EINVAL (both or neither of symbol and address, not text,
 * blacklisted), -ENOENT (unknown symbol), -EILSEQ (not an instruction
 * boundary), or another error of register_kprobe().
 */
int krp_resolve(struct krp_kprobe *kp, unsigned long *addr)
{
	struct kprobe probe = {
		.symbol_name = kp->symbol_name,
		.offset = kp->offset,
		.addr = (kprobe_opcode_t *)kp->addr,
		.flags = KPROBE_FLAG_DISABLED,
	};
	int ret;

	if (!kp->symbol_name == !kp->addr) {
		pr_err("give exactly one of symbol_name and addr\n");
		return -EINVAL;
	}
	ret = register_kprobe(&probe);
	if (ret) {
		if (kp->symbol_name)
			pr_err("cannot probe %s+0x%x: %d\n", kp->symbol_name,
			       kp->offset, ret);
		else
			pr_err("cannot probe %px: %d\n", kp->addr, ret);
		return ret;
	}
	*addr = (unsigned long)probe.addr;
	unregister_kprobe(&probe);
	return 0;
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
