// SPDX-License-Identifier: GPL-2.0
/*
 * Writing kernel and module text, the only way krp changes code, and
 * what krp writes for itself into its own: call gates and direct-call
 * stubs.
 *
 * text_poke() is not exported.  A second, writable mapping of the page
 * (vmap() of its struct page with PAGE_KERNEL) takes the write; then
 * every CPU is serialized, which is what cross-modifying code requires.
 */
#include <linux/mm.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/ibt.h>
#include <asm/pgtable.h>
#include <asm/sync_core.h>

#include "arch.h"
#include "krp_slots.h"
#include "text.h"

static void krp_sync_core(void *unused)
{
	sync_core();
}

/**
 * krp_text_write() - change kernel or module text
 * @addr: where to write
 * @src: the new bytes
 * @len: how many, all within the page of @addr
 *
 * Process context only: vmap() may sleep and every CPU is interrupted.
 *
 * Return: 0, -EFAULT for an address without a page, or -ENOMEM.
 */
int krp_text_write(unsigned long addr, const void *src, size_t len)
{
	struct page *page;
	void *map;

	if (WARN_ON_ONCE(offset_in_page(addr) + len > PAGE_SIZE))
		return -EINVAL;
	/*
	 * Module text is mapped page by page: in the vmalloc area on i386,
	 * in an area of its own after the kernel image on x86_64.  The
	 * kernel image is in the linear map (i386) or its own mapping,
	 * which __pa() also translates (x86_64).
	 */
	if (is_vmalloc_addr((void *)addr) ||
	    (addr >= MODULES_VADDR && addr < MODULES_END))
		page = vmalloc_to_page((void *)addr);
	else
		page = virt_to_page((void *)addr);
	if (!page)
		return -EFAULT;
	map = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!map)
		return -ENOMEM;
	memcpy((u8 *)map + offset_in_page(addr), src, len);
	vunmap(map);
	/* vunmap() is lazy: drop the writable alias from the TLBs now */
	vm_unmap_aliases();
	/* also waits out any CPU still handling a trap on the old bytes */
	on_each_cpu(krp_sync_core, NULL, 1);
	return 0;
}

/*
 * Call gates: what krp_arch_callable() hands out where a function's
 * ENDBR is sealed.  Each is an ENDBR and a jmp to the function, written
 * once into the area after the last slot (slots.S) and kept until
 * krp.ko goes.  Callers are serialized (kernel/unexported.c's mutex).
 */
static unsigned int krp_gates_used;

/* endbr64, f3 0f 1e fa, as a little-endian word (gen_endbr() needs IBT) */
#define KRP_ENDBR64	0xfa1e0ff3U

static unsigned long krp_gate_make(unsigned long func)
{
	unsigned long gate = (unsigned long)krp_slot_area +
			     (KRP_NR_SLOTS + krp_gates_used) * KRP_SLOT_SIZE;
	long rel = (long)(func - (gate + ENDBR_INSN_SIZE + 5));
	u8 code[KRP_SLOT_SIZE];
	u32 endbr = KRP_ENDBR64;
	s32 rel32 = rel;

	if (krp_gates_used == KRP_NR_GATES || rel != rel32)
		return 0;
	memset(code, 0xcc, sizeof(code));
	memcpy(code, &endbr, ENDBR_INSN_SIZE);
	code[ENDBR_INSN_SIZE] = 0xe9;
	memcpy(code + ENDBR_INSN_SIZE + 1, &rel32, sizeof(rel32));
	if (krp_text_write(gate, code, sizeof(code)))
		return 0;
	krp_gates_used++;
	return gate;
}

/**
 * krp_arch_callable() - where an indirect call to @func may go
 * @func: the start of a kernel function
 *
 * Under IBT an indirect call must land on an ENDBR, or the CPU raises
 * #CP.  The kernel seals (overwrites with a nop) the ENDBR of every
 * function whose address it never takes, whether or not this CPU has
 * IBT, as it does kallsyms_lookup_name()'s on 6.12: such a function is
 * called through a gate of krp's own, an ENDBR and a direct jmp.
 * Process context, callers serialized.
 *
 * Return: the address to call, or 0 if @func cannot be called.
 */
unsigned long krp_arch_callable(unsigned long func)
{
	u32 insn;

	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		return func;
	if (copy_from_kernel_nofault(&insn, (void *)func, sizeof(insn)))
		return 0;
	if (insn == KRP_ENDBR64)
		return func;
	return krp_gate_make(func);
}

#ifdef CONFIG_X86_64
/*
 * krp_direct_entry(), in direct_64.S: where every direct-call stub
 * jumps.  Not a C function: it is entered by a jmp with the stack of
 * the probed function's first instruction.
 */
extern char krp_direct_entry[];

/**
 * krp_arch_direct_stub() - write the stub a function's direct call goes to
 * @slot: an out-of-line slot, from krp_slot_alloc()
 * @cookie: what the stub hands the core's entry: the function's hook
 *
 * ftrace's direct call gives the trampoline no sign of the function it
 * came from but the return address, which an IPMODIFY user sharing the
 * function (livepatch) changes: each function gets a stub that loads
 * @cookie into %r11, dead at a function's entry, and jumps to the
 * shared trampoline.  It is reached by ftrace's call, or by its return
 * when it shares the function with other ops; the ENDBR is for a
 * kernel that reaches it otherwise.  i386 has no direct calls that
 * work with other ops on the function (its ftrace_regs_caller ignores
 * orig_ax).  Process context, krp_mutex held.
 *
 * Return: 0, -EOPNOTSUPP on i386, or an error of krp_text_write().
 */
int krp_arch_direct_stub(unsigned long slot, unsigned long cookie)
{
	u8 code[KRP_SLOT_SIZE];
	unsigned int n = 0;
	u32 endbr = KRP_ENDBR64;
	long rel;
	unsigned long target;
	s32 rel32;

	memset(code, 0xcc, sizeof(code));
	if (IS_ENABLED(CONFIG_X86_KERNEL_IBT)) {
		memcpy(code, &endbr, ENDBR_INSN_SIZE);
		n = ENDBR_INSN_SIZE;
	}
	/* movabs $cookie, %r11 */
	code[n++] = 0x49;
	code[n++] = 0xbb;
	memcpy(code + n, &cookie, sizeof(cookie));
	n += sizeof(cookie);
	/*
	 * Hidden, so that the compiler does not fold the constant into the
	 * symbol's relocation, which objtool would then read as a reference
	 * into whatever code lies before krp_direct_entry.
	 */
	target = (unsigned long)krp_direct_entry;
	OPTIMIZER_HIDE_VAR(target);
	rel = (long)(target - (slot + n + 5));
	rel32 = rel;
	if (rel != rel32)
		return -ERANGE;
	code[n++] = 0xe9;
	memcpy(code + n, &rel32, sizeof(rel32));
	return krp_text_write(slot, code, sizeof(code));
}
#else
int krp_arch_direct_stub(unsigned long slot, unsigned long cookie)
{
	return -EOPNOTSUPP;
}
#endif
