// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side test of krp's x86 instruction decoder (arch/x86/lib/insn.c),
 * printing kselftest TAP.
 *
 *  1. Unit cases of tricky encodings, 32- and 64-bit (unit.c), and a
 *     million pseudo-random byte strings per mode decoded against a guard
 *     page: consistent with their own truncations, never reading past.
 *  2. The stock i386 kernel: its vmlinux is taken out of the bzImage
 *     (bzimage.c) and every instruction objdump finds in every executable
 *     section is decoded again and compared (objdump.c): one line per
 *     section for the boundaries, one for control flow and truncation.
 *
 *     Where instructions start: objdump's linear sweep of each section,
 *     from its first byte.  The extracted vmlinux has no symbols, and
 *     i386 kernel text holds no data (padding is int3 or nops), so the
 *     sweep finds every instruction; comparing the decoder's length at
 *     every one of objdump's instructions is then the same as comparing
 *     the two sweeps boundary by boundary.  No System.map is needed.
 *  3. The kernel's own i386 modules under arch/x86 and lib/raid6, and the
 *     VIA PadLock drivers (SSE, AES-NI, VMX/SVM, PadLock instructions the
 *     core kernel lacks).
 *  4. x86_64 coverage against objdump on host libraries (libc, libm and
 *     libcrypto, which carry AVX2, AVX-512 and other VEX/EVEX code);
 *     skipped for a library the host does not have.
 */
#include <dirent.h>
#include <glob.h>
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

/* Module code the core kernel lacks: SSE, AES-NI, VMX/SVM, VIA PadLock. */
static const char *const module_dirs[] = {
	"arch/x86", "lib/raid6", "drivers/crypto/padlock-aes.ko",
	"drivers/crypto/padlock-sha.ko",
};

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

static void add_module(const char *path, char ***list, size_t *nr)
{
	*list = realloc(*list, (*nr + 1) * sizeof(**list));
	(*list)[(*nr)++] = strdup(path);
}

/* Collect *.ko files below @dir, recursively; or @dir if it is one. */
static void find_modules(const char *dir, char ***list, size_t *nr)
{
	struct dirent *de;
	char path[4096];
	size_t dlen = strlen(dir);
	DIR *d;

	if (dlen > 3 && !strcmp(dir + dlen - 3, ".ko")) {
		if (!access(dir, R_OK))
			add_module(dir, list, nr);
		return;
	}
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			find_modules(path, list, nr);
		else if (len > 3 && !strcmp(de->d_name + len - 3, ".ko"))
			add_module(path, list, nr);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Compare a whole file; results summed into @sum, per section into @per. */
static bool run_file(const char *path, int mode, struct cmp_result *sum,
		     struct cmp_result **per, struct elf_file *keep)
{
	struct elf_file ef;
	struct cmp_result *res;
	unsigned int i;

	if (elf_open(&ef, path)) {
		diag("%s: not a readable ELF file", path);
		sum->objdump_failed = true;
		return false;
	}
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
	fprintf(stderr, "%s: %s [--kernel-root DIR] [--no-host64]\n",
		__func__, prog);
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	const char *kroot = "/tmp/k/root";
	char vmlinux[4200], pattern[4200], kpattern[4200], moddir[4400];
	const char *host64[NR_HOST64] = { NULL };
	struct cmp_result ksum = { 0 }, msum = { 0 }, *ksec = NULL;
	struct elf_file kelf = { 0 };
	char **mods = NULL;
	size_t nmods = 0, m;
	bool kernel_ok = false, no_host64 = false;
	unsigned int i, j, plan, nsec;
	const char *name;
	glob_t g = { 0 };
	double t0, t;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--kernel-root") && i + 1 < (unsigned int)argc)
			kroot = argv[++i];
		else if (!strcmp(argv[i], "--no-host64"))
			no_host64 = true;
		else
			usage(argv[0]);
	}
	/* A decompressor that exits early must not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	ksft_print_header();
	t0 = now();

	/* Everything that decides how many lines follow, before the plan. */
	snprintf(kpattern, sizeof(kpattern), "%s/boot/vmlinuz-*", kroot);
	if (glob(kpattern, 0, NULL, &g) || !g.gl_pathc)
		diag("no %s", kpattern);
	else if (vmlinux_from_bzimage(g.gl_pathv[0], vmlinux, sizeof(vmlinux)))
		diag("cannot extract the vmlinux of %s", g.gl_pathv[0]);
	else if (elf_open(&kelf, vmlinux))
		diag("%s is not an ELF file", vmlinux);
	else if (kelf.bits != 32 || !kelf.nr)
		diag("%s is not a 32-bit kernel with code", vmlinux);
	else
		kernel_ok = true;
	nsec = kelf.nr;
	elf_close(&kelf);

	snprintf(pattern, sizeof(pattern), "%s/lib/modules/*/kernel", kroot);
	{
		glob_t mg = { 0 };

		if (!glob(pattern, 0, NULL, &mg) && mg.gl_pathc) {
			for (i = 0; i < ARRAY_SIZE(module_dirs); i++) {
				snprintf(moddir, sizeof(moddir), "%s/%s",
					 mg.gl_pathv[0], module_dirs[i]);
				find_modules(moddir, &mods, &nmods);
			}
			if (nmods)
				qsort(mods, nmods, sizeof(*mods), cmp_str);
		}
		globfree(&mg);
	}

	for (i = 0; i < NR_HOST64 && !no_host64; i++)
		for (j = 1; j < 3 && !host64[i]; j++)
			if (!access(host64_libs[i][j], R_OK))
				host64[i] = host64_libs[i][j];

	/*
	 * Lines: the unit cases; the extraction; the kernel's sections (if
	 * it could be read) and its control-flow line; two for modules and
	 * two per host library.
	 */
	plan = unit_count() + 1 + 1 + (kernel_ok ? nsec : 0) + 1;
	plan += 2 + 2 * NR_HOST64;
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

	/* 2. The kernel. */
	t = now();
	ksft_test_result(kernel_ok, "vmlinux extracted from %s\n",
			 g.gl_pathc ? base_name(g.gl_pathv[0]) : kpattern);
	if (kernel_ok) {
		struct elf_file ef;

		if (!run_file(vmlinux, KRP_INSN_MODE_32, &ksum, &ksec, &ef)) {
			ksum.objdump_failed = true;
			for (i = 0; i < nsec; i++)
				ksft_test_result_fail("i386 kernel section %u: not compared\n",
						      i);
		} else {
			for (i = 0; i < ef.nr; i++) {
				char what[128];

				snprintf(what, sizeof(what), "i386 kernel %s",
					 ef.sec[i].name);
				report_lengths(what, &ksec[i], true);
			}
			elf_close(&ef);
			free(ksec);
		}
	}
	diag("kernel: %lu instructions in %.1f s", ksum.insns, now() - t);
	report_flow("i386 kernel", &ksum);

	/* 3. Some of the kernel's modules. */
	t = now();
	for (m = 0; m < nmods; m++)
		run_file(mods[m], KRP_INSN_MODE_32, &msum, NULL, NULL);
	if (nmods) {
		char what[96];

		diag("modules: %zu files, %lu instructions in %.1f s", nmods,
		     msum.insns, now() - t);
		snprintf(what, sizeof(what),
			 "i386 modules (%zu: arch/x86, lib/raid6, padlock)",
			 nmods);
		report_lengths(what, &msum, true);
		report_flow(what, &msum);
	} else {
		ksft_test_result_skip("i386 modules: none under %s\n", kroot);
		ksft_test_result_skip("i386 modules: none under %s\n", kroot);
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

	for (m = 0; m < nmods; m++)
		free(mods[m]);
	free(mods);
	globfree(&g);
	diag("total %.1f s", now() - t0);
	ksft_finished();
}
