// SPDX-License-Identifier: GPL-2.0
/*
 * A stock kernel's unpacked packages, as the decoder test reads them: the
 * vmlinux inside its bzImage, the mode its code runs in, and a sample of
 * its modules with code the core kernel lacks (SSE, AVX2, AVX-512, AES-NI,
 * SHA-NI, VMX/SVM, VIA PadLock on i386).  Compressed modules (6.12's
 * .ko.xz) are decompressed into the cache bzimage.c keeps.
 */
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decoder_test.h"

/* Below lib/modules/<release>/kernel/; a .ko names one module. */
static const char *const module_dirs[] = {
	"arch/x86", "lib/raid6", "drivers/crypto/padlock-aes.ko",
	"drivers/crypto/padlock-sha.ko",
};

static const char *const module_suffixes[] = { ".ko", ".ko.xz", ".ko.zst",
					       ".ko.gz" };

/* The length of @name's module suffix, 0 if it has none. */
static size_t module_suffix(const char *name)
{
	size_t len = strlen(name), n;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(module_suffixes); i++) {
		n = strlen(module_suffixes[i]);
		if (len > n && !strcmp(name + len - n, module_suffixes[i]))
			return n;
	}
	return 0;
}

static void add_module(struct stock_kernel *k, const char *path)
{
	char **list = realloc(k->mods, (k->nmods + 1) * sizeof(*list));

	if (!list)
		return;
	k->mods = list;
	k->mods[k->nmods++] = strdup(path);
}

/* Every module below @dir, recursively; or @dir's own module file. */
static void find_modules(struct stock_kernel *k, const char *dir)
{
	char path[4096];
	struct dirent *de;
	unsigned int i;
	DIR *d;

	if (module_suffix(dir)) {
		int stem = strlen(dir) - module_suffix(dir);

		/* 6.12 names the module of 6.1's foo.ko foo.ko.xz. */
		for (i = 0; i < ARRAY_SIZE(module_suffixes); i++) {
			snprintf(path, sizeof(path), "%.*s%s", stem, dir,
				 module_suffixes[i]);
			if (!access(path, R_OK))
				add_module(k, path);
		}
		return;
	}
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			find_modules(k, path);
		else if (module_suffix(de->d_name))
			add_module(k, path);
	}
	closedir(d);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/**
 * kernel_open() - find a stock kernel's vmlinux and sample modules
 * @k:    filled in; kernel_close() frees it whatever this returns
 * @root: the root of the kernel's unpacked packages
 *
 * Return: 0 if the vmlinux was extracted and is an x86 ELF file with
 * code (then @k->mode, @k->nsec are set), or -1 after a diagnostic; the
 * modules are looked for either way.
 */
int kernel_open(struct stock_kernel *k, const char *root)
{
	char pattern[4200], dir[4400];
	struct elf_file ef;
	glob_t g = { 0 };
	const char *s;
	unsigned int i;
	int ret = -1;

	memset(k, 0, sizeof(*k));
	k->root = root;
	snprintf(k->image, sizeof(k->image), "%s/boot/vmlinuz-*", root);
	snprintf(k->release, sizeof(k->release), "(no kernel)");
	snprintf(k->arch, sizeof(k->arch), "x86");
	if (glob(k->image, 0, NULL, &g) || !g.gl_pathc) {
		diag("no %s", k->image);
		goto modules;
	}
	snprintf(k->image, sizeof(k->image), "%s", g.gl_pathv[0]);
	s = strrchr(k->image, '/') + 1;
	snprintf(k->release, sizeof(k->release), "%s", s + strlen("vmlinuz-"));
	if (vmlinux_from_bzimage(k->image, k->vmlinux, sizeof(k->vmlinux))) {
		diag("cannot extract the vmlinux of %s", k->image);
		goto modules;
	}
	if (elf_open(&ef, k->vmlinux)) {
		diag("%s is not an ELF file", k->vmlinux);
		goto modules;
	}
	k->nsec = ef.nr;
	k->mode = ef.bits == 64 ? KRP_INSN_MODE_64 : KRP_INSN_MODE_32;
	snprintf(k->arch, sizeof(k->arch), "%s",
		 ef.bits == 64 ? "x86_64" : "i386");
	elf_close(&ef);
	if (!k->nsec)
		diag("%s has no code", k->vmlinux);
	else
		ret = 0;

modules:
	globfree(&g);
	snprintf(pattern, sizeof(pattern), "%s/lib/modules/*/kernel", root);
	if (!glob(pattern, 0, NULL, &g) && g.gl_pathc) {
		for (i = 0; i < ARRAY_SIZE(module_dirs); i++) {
			snprintf(dir, sizeof(dir), "%s/%s", g.gl_pathv[0],
				 module_dirs[i]);
			find_modules(k, dir);
		}
		if (k->nmods)
			qsort(k->mods, k->nmods, sizeof(*k->mods), cmp_str);
	}
	globfree(&g);
	return ret;
}

void kernel_close(struct stock_kernel *k)
{
	size_t m;

	for (m = 0; m < k->nmods; m++)
		free(k->mods[m]);
	free(k->mods);
	k->mods = NULL;
	k->nmods = 0;
}
