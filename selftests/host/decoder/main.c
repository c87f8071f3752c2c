// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of krp's x86 instruction decoder (arch/x86/lib/insn.c),
 * printing kselftest TAP.
 *
 *  1. Unit cases of tricky encodings, 32- and 64-bit (unit.c), and a
 *     million pseudo-random byte strings per mode decoded against a guard
 *     page: consistent with their own truncations, never reading past.
 *  2. Each stock kernel named by --kernel-root (686-pae, and the amd64
 *     6.1 and 6.12 kernels in 64-bit mode): its vmlinux is taken out of
 *     the bzImage (bzimage.c) and every instruction objdump finds in every
 *     executable section is decoded again and compared (objdump.c): one
 *     line per section for the boundaries, one for control flow (and
 *     RIP-relative targets in 64-bit code) and truncation.
 *
 *     Where instructions start: objdump's linear sweep of each section,
 *     from its first byte.  The extracted vmlinux has no symbols, and
 *     kernel text holds no data (padding is int3 or nops), so the sweep
 *     finds every instruction; comparing the decoder's length at every
 *     one of objdump's instructions is then the same as comparing the two
 *     sweeps boundary by boundary.  No System.map is needed.
 *  3. Each kernel's own modules under arch/x86 and lib/raid6, and on i386
 *     the VIA PadLock drivers (SSE, AVX2, AVX-512, AES-NI, SHA-NI,
 *     VMX/SVM, PadLock instructions the core kernel lacks), kernel.c.
 *  4. x86_64 coverage against objdump on host libraries (libc, libm and
 *     libcrypto, which carry AVX2, AVX-512 and other VEX/EVEX code);
 *     skipped for a library the host does not have.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest.h"
#include "decoder_test.h"

static const char *const host64_libs[][3] = {
	{ "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6" },
	{ "libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6" },
	{ "libcrypto.so.3", "/lib/x86_64-linux-gnu/libcrypto.so.3",
	  "/usr/lib64/libcrypto.so.3" },
};
#define NR_HOST64 ARRAY_SIZE(host64_libs)

#define FUZZ_COUNT 1000000

/* Stock kernels to check: --kernel-root, repeatable. */
#define MAX_KERNELS 8

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Compare a whole file; results summed into @sum, per section into @per. */
static bool run_file(const char *path, int mode, struct cmp_result *sum,
		     struct cmp_result **per, struct elf_file *keep)
{
	struct elf_file ef;
	struct cmp_result *res;
	char elf[4200];
	unsigned int i;

	if (elf_uncompressed(path, elf, sizeof(elf)) || elf_open(&ef, elf)) {
		diag("%s: not a readable ELF file", path);
		sum->objdump_failed = true;
		return false;
	}
	path = elf;
	res = calloc(ef.nr ? ef.nr : 1, sizeof(*res));
	if (!res) {
		elf_close(&ef);
		return false;
	}
	cmp_file(path, &ef, mode, res);
	for (i = 0; i < ef.nr; i++)
		cmp_add(sum, &res[i]);
	if (per && keep) {
		*per = res;
		*keep = ef;
	} else {
		free(res);
		elf_close(&ef);
	}
	return true;
}

static bool sweep_ok(const struct cmp_result *r)
{
	return !r->sweep_bad;
}

/*
 * @code_only: the file's text holds nothing but code (the i386 kernel and
 * its modules), so objdump giving up anywhere is a failure too.
 */
static bool lengths_ok(const struct cmp_result *r, bool code_only)
{
	return !r->objdump_failed && r->insns && !r->len_mismatch &&
	       !r->byte_mismatch && (!code_only || !r->bad) && sweep_ok(r);
}

static bool flow_ok(const struct cmp_result *r)
{
	return !r->objdump_failed && r->insns && !r->flow_mismatch &&
	       !r->rip_mismatch && !r->trunc_mismatch;
}

static void report_lengths(const char *what, const struct cmp_result *r,
			   bool code_only)
{
	char bad[128] = "", conv[160] = "", sweep[96] = "", bytes[64] = "";

	if (r->bad)
		snprintf(bad, sizeof(bad),
			 ", %lu where objdump gave up ((bad)/.byte: the decoder refuses %lu, decodes %lu)",
			 r->bad, r->bad_refused, r->bad_decoded);
	if (r->byte_mismatch)
		snprintf(bytes, sizeof(bytes), ", %lu with objdump's bytes not the file's",
			 r->byte_mismatch);
	if (r->conv_fwait || r->conv_prefix || r->conv_refused)
		snprintf(conv, sizeof(conv),
			 " (where objdump's lines are not the CPU's: %lu fwait+x87, %lu prefix-only, %lu refused)",
			 r->conv_fwait, r->conv_prefix, r->conv_refused);
	if (r->sweep_done)
		snprintf(sweep, sizeof(sweep), "; own sweep %s (%lu stops%s)",
			 sweep_ok(r) ? "agrees" : "DIFFERS", r->sweep_stops,
			 r->bad || r->gaps ? " where objdump did not restart" :
			 "");
	ksft_test_result(lengths_ok(r, code_only),
			 "%s: %lu instructions, %lu length mismatches with objdump%s%s%s%s\n",
			 what, r->insns, r->len_mismatch, bytes, conv, bad, sweep);
}

static void report_flow(const char *what, const struct cmp_result *r)
{
	char rip[96] = "";

	if (r->rip_checked)
		snprintf(rip, sizeof(rip), ", %lu RIP-relative (%lu wrong)",
			 r->rip_checked, r->rip_mismatch);
	ksft_test_result(flow_ok(r),
			 "%s: control flow of %lu instructions (%lu wrong)%s, truncated copies (%lu wrong)\n",
			 what, r->flow_checked, r->flow_mismatch, rip,
			 r->trunc_mismatch);
}

static void usage(const char *prog)
{
	fprintf(stderr, "%s: %s [--kernel-root DIR]... [--no-host64]\n",
		__func__, prog);
	exit(KSFT_FAIL);
}


/* The TAP lines check_kernel() prints for @k. */
static unsigned int kernel_lines(const struct stock_kernel *k, bool ok)
{
	/* extraction, sections, control flow, modules' two */
	return 1 + (ok ? k->nsec : 0) + 1 + 2;
}

/*
 * 2 and 3: a stock kernel's vmlinux section by section, then its modules.
 * Only i386 kernel text is code throughout: x86_64 .text holds 32-bit
 * boot code (pvh_start_xen), where 64-bit objdump gives up, and lkgs,
 * which objdump 2.40 does not know.
 */
static void check_kernel(const struct stock_kernel *k, bool ok)
{
	bool code_only = k->mode == KRP_INSN_MODE_32;
	struct cmp_result ksum = { 0 }, msum = { 0 }, *ksec = NULL;
	char what[384];
	struct elf_file ef;
	unsigned int i;
	size_t m;
	double t;

	t = now();
	ksft_test_result(ok, "vmlinux extracted from %s\n",
			 base_name(k->image));
	if (ok && !run_file(k->vmlinux, k->mode, &ksum, &ksec, &ef)) {
		ksum.objdump_failed = true;
		for (i = 0; i < k->nsec; i++)
			ksft_test_result_fail("%s %s kernel section %u: not compared\n",
					      k->arch, k->release, i);
	} else if (ok) {
		for (i = 0; i < ef.nr; i++) {
			snprintf(what, sizeof(what), "%s %s kernel %s", k->arch,
				 k->release, ef.sec[i].name);
			report_lengths(what, &ksec[i], code_only);
		}
		elf_close(&ef);
		free(ksec);
	}
	diag("%s kernel: %lu instructions in %.1f s", k->release, ksum.insns,
	     now() - t);
	snprintf(what, sizeof(what), "%s %s kernel", k->arch, k->release);
	report_flow(what, &ksum);

	t = now();
	for (m = 0; m < k->nmods; m++)
		run_file(k->mods[m], k->mode, &msum, NULL, NULL);
	snprintf(what, sizeof(what), "%s %s modules (%zu: arch/x86, lib/raid6%s)",
		 k->arch, k->release, k->nmods,
		 k->mode == KRP_INSN_MODE_32 ? ", padlock" : "");
	if (!k->nmods) {
		ksft_test_result_skip("%s: none under %s\n", what, k->root);
		ksft_test_result_skip("%s: none under %s\n", what, k->root);
		return;
	}
	diag("%s modules: %zu files, %lu instructions in %.1f s", k->release,
	     k->nmods, msum.insns, now() - t);
	report_lengths(what, &msum, code_only);
	report_flow(what, &msum);
}

int main(int argc, char **argv)
{
	static struct stock_kernel kernels[MAX_KERNELS];
	const char *roots[MAX_KERNELS], *host64[NR_HOST64] = { NULL };
	bool kernel_ok[MAX_KERNELS], no_host64 = false;
	unsigned int i, j, plan, nkernels = 0;
	const char *name;
	double t0, t;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--kernel-root") && i + 1 < (unsigned int)argc &&
		    nkernels < MAX_KERNELS)
			roots[nkernels++] = argv[++i];
		else if (!strcmp(argv[i], "--no-host64"))
			no_host64 = true;
		else
			usage(argv[0]);
	}
	if (!nkernels)
		roots[nkernels++] = "/tmp/k/root";
	/* A decompressor that exits early must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ksft_print_header();
	t0 = now();

	/* Everything that decides how many lines follow, before the plan. */
	for (i = 0; i < nkernels; i++)
		kernel_ok[i] = !kernel_open(&kernels[i], roots[i]);

	for (i = 0; i < NR_HOST64 && !no_host64; i++)
		for (j = 1; j < 3 && !host64[i]; j++)
			if (!access(host64_libs[i][j], R_OK))
				host64[i] = host64_libs[i][j];

	/*
	 * Lines: the unit cases; the random bytes; per kernel its
	 * extraction, its sections (if it could be read), its control-flow
	 * line and two for its modules; two per host library.
	 */
	plan = unit_count() + 1 + 2 * NR_HOST64;
	for (i = 0; i < nkernels; i++)
		plan += kernel_lines(&kernels[i], kernel_ok[i]);
	ksft_set_plan(plan);

	/* 1. Unit cases, and random bytes against a guard page. */
	for (i = 0; i < unit_count(); i++) {
		bool ok = unit_run(i, &name);

		ksft_test_result(ok, "%s\n", name);
	}
	t = now();
	{
		uint8_t *guard = guard_page();
		unsigned long valid = 0;
		unsigned long bad = guard ? fuzz_run(guard, FUZZ_COUNT, &valid)
					  : 1;

		diag("random bytes: %lu of %d valid, %.1f s", valid,
		     2 * FUZZ_COUNT, now() - t);
		ksft_test_result(!bad,
				 "random bytes: %d decodes per mode, %lu inconsistent, none past the buffer\n",
				 FUZZ_COUNT, bad);
	}

	/* 2 and 3. The kernels and their modules. */
	for (i = 0; i < nkernels; i++) {
		check_kernel(&kernels[i], kernel_ok[i]);
		kernel_close(&kernels[i]);
	}

	/* 4. x86_64 host libraries. */
	for (i = 0; i < NR_HOST64; i++) {
		struct cmp_result hsum = { 0 };
		char what[96];

		if (!host64[i]) {
			const char *why = no_host64 ? "--no-host64" :
					  "not on this host";

			ksft_test_result_skip("x86_64 %s: %s\n",
					      host64_libs[i][0], why);
			ksft_test_result_skip("x86_64 %s: %s\n",
					      host64_libs[i][0], why);
			continue;
		}
		t = now();
		run_file(host64[i], KRP_INSN_MODE_64, &hsum, NULL, NULL);
		diag("%s: %lu instructions in %.1f s", host64[i], hsum.insns,
		     now() - t);
		snprintf(what, sizeof(what), "x86_64 %s", host64_libs[i][0]);
		report_lengths(what, &hsum, false);
		report_flow(what, &hsum);
	}

	diag("total %.1f s", now() - t0);
	ksft_finished();
}
