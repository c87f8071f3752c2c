// SPDX-License-Identifier: GPL-2.0
/*
 * The vmlinux ELF inside a bzImage, and modules that come compressed,
 * for comparing the decoder with objdump on a real kernel.
 *
 * The x86 boot protocol (2.08 and later) says where the compressed kernel
 * is: payload_offset and payload_length in the setup header, counted from
 * the start of the protected-mode code, which follows the setup sectors.
 * The payload's magic number names the compressor; the stock Debian
 * kernels use xz, but for 6.12 on amd64, which uses zstd (and compresses
 * its modules with xz).  The decompressor runs as a child process fed from
 * memory, with the stream only: the kernel build appends its 4-byte
 * decompressed size, which zstd would reject as trailing garbage.  Success
 * is judged by the output being an ELF file.
 *
 * Decompressing takes about a second, but the result (16 MB for the
 * 686-pae kernel, 60 MB for amd64) is kept in
 * ${XDG_CACHE_HOME:-$HOME/.cache}/krp/decoder/, in a directory named after
 * a checksum of the compressed file, so repeated runs and a changed
 * kernel both do the right thing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decoder_test.h"

struct decompressor {
	const char *name;
	const uint8_t *magic;
	size_t magic_len;
	const char *argv[5];
};

static const struct decompressor decompressors[] = {
	{ "xz", (const uint8_t *)"\xfd\x37\x7a\x58\x5a\0", 6,
	  { "xz", "-dc", "--single-stream", NULL } },
	{ "gzip", (const uint8_t *)"\x1f\x8b", 2, { "gzip", "-dc", NULL } },
	{ "zstd", (const uint8_t *)"\x28\xb5\x2f\xfd", 4,
	  { "zstd", "-dcq", NULL } },
	{ "bzip2", (const uint8_t *)"BZh", 3, { "bzip2", "-dc", NULL } },
	{ "lzma", (const uint8_t *)"\x5d\0\0", 3,
	  { "xz", "-dc", "--format=lzma", NULL } },
};

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return NULL;
	}
	*len = got;
	return buf;
}

/* FNV-1a: not cryptographic, only a cache key. */
static uint64_t checksum(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int mkdir_p(char *path)
{
	char *s;

	for (s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static bool is_elf(const char *path)
{
	struct elf_file ef;

	if (elf_open(&ef, path))
		return false;
	elf_close(&ef);
	return true;
}

/* Run @d with @data on its stdin and its stdout in @out. */
static int decompress(const struct decompressor *d, const uint8_t *data,
		      size_t len, const char *out)
{
	int pfd[2], ofd, status;
	size_t off = 0;
	ssize_t n;
	pid_t pid;

	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0)
		return -1;
	if (pipe(pfd)) {
		close(ofd);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(ofd);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!pid) {
		dup2(pfd[0], 0);
		dup2(ofd, 1);
		close(pfd[0]);
		close(pfd[1]);
		close(ofd);
		execvp(d->argv[0], (char *const *)d->argv);
		_exit(127);
	}
	close(pfd[0]);
	close(ofd);
	while (off < len) {
		n = write(pfd[1], data + off, len - off);
		if (n <= 0)
			break;	/* the child stopped reading: judge its output */
		off += n;
	}
	close(pfd[1]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		diag("cannot run %s", d->argv[0]);
		return -1;
	}
	return 0;
}

/* @sub: "" for kernel images, "modules/" to keep modules out of the way */
static int cache_dir(char *dir, size_t len, const char *sub, uint64_t sum,
		     size_t size)
{
	const char *base = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (base && *base)
		n = snprintf(dir, len, "%s/krp/decoder/%s%016llx-%zu", base,
			     sub, (unsigned long long)sum, size);
	else if (home && *home)
		n = snprintf(dir, len, "%s/.cache/krp/decoder/%s%016llx-%zu",
			     home, sub, (unsigned long long)sum, size);
	else
		n = snprintf(dir, len, "/tmp/krp-decoder-%d/%s%016llx-%zu",
			     (int)getuid(), sub, (unsigned long long)sum, size);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return mkdir_p(dir);
}

static const struct decompressor *find_decompressor(const uint8_t *data,
						    size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(decompressors); i++)
		if (len >= decompressors[i].magic_len &&
		    !memcmp(data, decompressors[i].magic,
			    decompressors[i].magic_len))
			return &decompressors[i];
	return NULL;
}

/*
 * Decompress @data with @d into the cache as @name, unless it is there:
 * the cache key is @img, the whole file @data comes from.  @what names
 * the data in diagnostics.  A @module goes to a directory of its own and
 * is not announced: there are dozens.
 */
static int cached_elf(const struct decompressor *d, const uint8_t *img,
		      size_t len, const uint8_t *data, size_t dlen,
		      const char *name, const char *what, bool module,
		      char *out, size_t outlen)
{
	char dir[4096], tmp[4200];

	if (cache_dir(dir, sizeof(dir), module ? "modules/" : "",
		      checksum(img, len), len)) {
		diag("cannot create a cache directory for %s", what);
		return -1;
	}
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		return -1;
	if (is_elf(out)) {
		if (!module)
			diag("%s (%s) cached in %s", what, d->name, dir);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d", out, (int)getpid());
	if (decompress(d, data, dlen, tmp) || !is_elf(tmp) ||
	    rename(tmp, out)) {
		diag("%s: %s data did not give an ELF file", what, d->name);
		unlink(tmp);
		return -1;
	}
	if (!module)
		diag("%s (%s) extracted to %s", what, d->name, dir);
	return 0;
}

/**
 * elf_uncompressed() - the path of a module that may be compressed
 * @path:   an ELF file, or one compressed with xz, zstd, gzip or bzip2
 * @out:    where to put the path of the ELF file
 * @outlen: size of @out
 *
 * Return: 0, or -1 after printing a diagnostic.
 */
int elf_uncompressed(const char *path, char *out, size_t outlen)
{
	const struct decompressor *d;
	const char *base = strrchr(path, '/'), *dot;
	char name[256];
	uint8_t *img;
	size_t len;
	int ret;

	img = read_file(path, &len);
	if (!img) {
		diag("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	d = find_decompressor(img, len);
	if (!d) {
		free(img);
		if ((size_t)snprintf(out, outlen, "%s", path) >= outlen)
			return -1;
		return 0;
	}
	/* foo.ko.xz is cached as foo.ko */
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	snprintf(name, sizeof(name), "%.*s", dot && dot != base ?
		 (int)(dot - base) : (int)strlen(base), base);
	ret = cached_elf(d, img, len, img, len, name, path, true, out, outlen);
	free(img);
	return ret;
}

/**
 * vmlinux_from_bzimage() - the path of the ELF kernel inside a bzImage
 * @vmlinuz: the bzImage
 * @out:     where to put the path of the extracted vmlinux
 * @outlen:  size of @out
 *
 * Return: 0, or -1 after printing a diagnostic.
 */
int vmlinux_from_bzimage(const char *vmlinuz, char *out, size_t outlen)
{
	const struct decompressor *d;
	unsigned int setup_sects;
	uint32_t poff, plen;
	uint8_t *img;
	size_t len, start;
	int ret = -1;

	img = read_file(vmlinuz, &len);
	if (!img) {
		diag("cannot read %s: %s", vmlinuz, strerror(errno));
		return -1;
	}
	if (len < 0x250 || memcmp(img + 0x202, "HdrS", 4) ||
	    (img[0x206] | img[0x207] << 8) < 0x208) {
		diag("%s: not a bzImage with boot protocol >= 2.08", vmlinuz);
		goto out;
	}
	setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	poff = get_le32(img + 0x248);
	plen = get_le32(img + 0x24c);
	start = (setup_sects + 1) * 512 + (size_t)poff;
	if (start >= len || plen > len - start || plen <= 4) {
		diag("%s: payload out of the file", vmlinuz);
		goto out;
	}
	d = find_decompressor(img + start, plen);
	if (!d) {
		diag("%s: unknown compression", vmlinuz);
		goto out;
	}
	/* Without the size the build appends, which zstd calls garbage. */
	ret = cached_elf(d, img, len, img + start, plen - 4, "vmlinux", vmlinuz,
			 false, out, outlen);
out:
	free(img);
	return ret;
}
