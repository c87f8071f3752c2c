// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of krp's x86 instruction decoder: the helpers every
 * part uses, so that no part calls back into main.c.  diag() prints a
 * "# " diagnostic line of kselftest TAP; guard_page() gives a page whose
 * successor faults, to catch a decoder reading past its input.
 */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decoder_test.h"

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Two pages, the second inaccessible: reading past the first faults. */
uint8_t *guard_page(void)
{
	static uint8_t *page;
	long sz = sysconf(_SC_PAGESIZE);
	uint8_t *p;

	if (page)
		return page;
	p = mmap(NULL, 2 * sz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + sz, sz, PROT_NONE))
		return NULL;
	page = p + sz;	/* points at the guard; bytes go just below it */
	return page;
}
