// SPDX-License-Identifier: GPL-2.0
/*
 * Writing kernel and module text, the only way krp changes code.
 *
 * text_poke() is not exported.  A second, writable mapping of the page
 * (vmap() of its struct page with PAGE_KERNEL) takes the write; then
 * every CPU is serialized, which is what cross-modifying code requires.
 */
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>
#include <asm/sync_core.h>

#include "arch.h"
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

/**
 * krp_arch_may_call() - whether an indirect call may go to @func
 * @func: the start of a kernel function
 *
 * Under IBT an indirect call must land on an ENDBR, or the CPU raises
 * #CP.  The kernel seals (overwrites with a nop) the ENDBR of every
 * function whose address it never takes, whether or not this CPU has
 * IBT: such a function is not called, even where IBT is off.
 *
 * Return: true if a call through a pointer to @func is sound.
 */
bool krp_arch_may_call(unsigned long func)
{
	static const u8 endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	u8 insn[4];

	if (!IS_ENABLED(CONFIG_X86_KERNEL_IBT))
		return true;
	return !copy_from_kernel_nofault(insn, (void *)func, sizeof(insn)) &&
	       !memcmp(insn, endbr64, sizeof(insn));
}
