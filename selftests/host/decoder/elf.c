// SPDX-License-Identifier: GPL-2.0
/*
 * The executable sections of an ELF file, for comparing the decoder with
 * objdump section by section.  Only what that needs: section names,
 * addresses and bytes; both classes, little-endian x86 only.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decoder_test.h"

/* One section header, whatever the ELF class. */
struct shdr {
	uint32_t name, type;
	uint64_t flags, addr, offset, size;
};

static int read_shdr(const struct elf_file *ef, uint64_t shoff,
		     unsigned int shentsize, unsigned int i, struct shdr *sh)
{
	const uint8_t *p = (const uint8_t *)ef->map + shoff +
			   (uint64_t)i * shentsize;

	if (shoff + (uint64_t)(i + 1) * shentsize > ef->map_len)
		return -1;
	if (ef->bits == 32) {
		const Elf32_Shdr *s = (const void *)p;

		*sh = (struct shdr){ s->sh_name, s->sh_type, s->sh_flags,
				     s->sh_addr, s->sh_offset, s->sh_size };
	} else {
		const Elf64_Shdr *s = (const void *)p;

		*sh = (struct shdr){ s->sh_name, s->sh_type, s->sh_flags,
				     s->sh_addr, s->sh_offset, s->sh_size };
	}
	return 0;
}

int elf_open(struct elf_file *ef, const char *path)
{
	const unsigned char *id;
	uint64_t shoff;
	unsigned int shnum, shentsize, shstrndx, i;
	struct shdr strtab, sh;
	struct stat st;
	int fd;

	memset(ef, 0, sizeof(*ef));
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return -1;
	}
	ef->map_len = st.st_size;
	ef->map = mmap(NULL, ef->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ef->map == MAP_FAILED) {
		ef->map = NULL;
		return -1;
	}

	id = ef->map;
	if (memcmp(id, ELFMAG, SELFMAG) || id[EI_DATA] != ELFDATA2LSB)
		goto bad;
	if (id[EI_CLASS] == ELFCLASS32) {
		const Elf32_Ehdr *eh = ef->map;

		ef->bits = 32;
		shoff = eh->e_shoff;
		shnum = eh->e_shnum;
		shentsize = eh->e_shentsize;
		shstrndx = eh->e_shstrndx;
	} else if (id[EI_CLASS] == ELFCLASS64) {
		const Elf64_Ehdr *eh = ef->map;

		ef->bits = 64;
		shoff = eh->e_shoff;
		shnum = eh->e_shnum;
		shentsize = eh->e_shentsize;
		shstrndx = eh->e_shstrndx;
	} else {
		goto bad;
	}
	if (read_shdr(ef, shoff, shentsize, shstrndx, &strtab) ||
	    strtab.offset + strtab.size > ef->map_len)
		goto bad;

	ef->sec = calloc(shnum ? shnum : 1, sizeof(*ef->sec));
	if (!ef->sec)
		goto bad;
	for (i = 0; i < shnum; i++) {
		struct elf_section *s = &ef->sec[ef->nr];
		const char *name;

		if (read_shdr(ef, shoff, shentsize, i, &sh))
			goto bad;
		if (sh.type != SHT_PROGBITS || !(sh.flags & SHF_EXECINSTR) ||
		    !sh.size)
			continue;
		if (sh.offset + sh.size > ef->map_len ||
		    sh.name >= strtab.size)
			goto bad;
		name = (const char *)ef->map + strtab.offset + sh.name;
		strncpy(s->name, name, sizeof(s->name) - 1);
		s->addr = sh.addr;
		s->size = sh.size;
		s->data = (const uint8_t *)ef->map + sh.offset;
		ef->nr++;
	}
	return 0;
bad:
	elf_close(ef);
	return -1;
}

void elf_close(struct elf_file *ef)
{
	if (ef->map)
		munmap(ef->map, ef->map_len);
	free(ef->sec);
	memset(ef, 0, sizeof(*ef));
}
