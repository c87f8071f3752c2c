// SPDX-License-Identifier: GPL-2.0
/*
 * The decoder against objdump, on every executable section of a file.
 *
 * objdump -d sweeps a section linearly from its start (restarting at each
 * symbol when there are symbols; the vmlinux inside a bzImage has none).
 * Each instruction it prints is decoded again at the same address, and
 * its length must equal the number of bytes objdump shows for it
 * (--insn-width=15 keeps them on one line).  Where objdump swept a
 * section without restarting, the decoder's own linear sweep of it must
 * also stop exactly at objdump's boundaries.
 *
 * For each instruction whose length agrees the test also checks:
 *  - the control-flow flags against the mnemonic objdump prints (call,
 *    jmp, jcc/loop/jcxz, xbegin, direct or indirect, near or far, ret,
 *    iret, int3, int, sys*, ud*) and the target of every relative branch
 *    against the address objdump prints;
 *  - in 64-bit code, RIP-relative operands and their target against
 *    objdump's "# address" comment;
 *  - that decoding the same bytes placed right before an inaccessible
 *    page succeeds, and that one byte fewer gives -ENODATA without
 *    touching that page.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decoder_test.h"

#define SHOW_MAX	10	/* mismatches printed per kind and section */

static const char *const prefix_words[] = {
	"lock", "rep", "repz", "repe", "repnz", "repne", "data16", "data32",
	"addr16", "addr32", "cs", "ds", "es", "ss", "fs", "gs", "notrack",
	"bnd", "xacquire", "xrelease", "{vex}", "{vex3}", "{evex}", NULL,
};

static bool is_prefix_word(const char *w, size_t n)
{
	unsigned int i;

	if (n >= 3 && !strncmp(w, "rex", 3))
		return true;
	for (i = 0; prefix_words[i]; i++)
		if (strlen(prefix_words[i]) == n && !strncmp(w, prefix_words[i], n))
			return true;
	return false;
}

static bool word_is(const char *m, const char *base, const char *suffixes)
{
	size_t n = strlen(base);

	if (strncmp(m, base, n))
		return false;
	if (!m[n])
		return true;
	return !m[n + 1] && strchr(suffixes, m[n]);
}

/*
 * objdump's view of an instruction's control flow, as a short class
 * name; *@target gets the printed target of a direct near branch.
 */
static const char *objdump_class(const char *text, uint64_t *target,
				 bool *has_target)
{
	char m[32];
	const char *ops;
	size_t n;

	*has_target = false;
	for (;;) {
		while (*text == ' ')
			text++;
		n = strcspn(text, " ");
		if (!is_prefix_word(text, n) || !text[n])
			break;
		text += n;
	}
	if (n >= sizeof(m))
		return "";
	memcpy(m, text, n);
	m[n] = '\0';
	m[strcspn(m, ",")] = '\0';	/* je,pt: a branch hint */
	ops = text + n;
	while (*ops == ' ')
		ops++;

	if (word_is(m, "call", "wlq") || word_is(m, "jmp", "wlq") ||
	    m[0] == 'j' || !strncmp(m, "loop", 4) ||
	    word_is(m, "xbegin", "wlq")) {
		const char *kind = m[0] == 'c' ? "call" : !strncmp(m, "jmp", 3) ?
				   "jmp" : m[0] == 'x' ? "xbegin" : "cond";

		if (*ops == '*')
			return m[0] == 'c' ? "call*" : "jmp*";
		if (isxdigit((unsigned char)*ops)) {
			*target = strtoull(ops, NULL, 16);
			*has_target = true;
		}
		return kind;
	}
	if (word_is(m, "lcall", "wlq"))
		return *ops == '*' ? "lcall*" : "lcall";
	if (word_is(m, "ljmp", "wlq"))
		return *ops == '*' ? "ljmp*" : "ljmp";
	if (word_is(m, "ret", "wlq"))
		return "ret";
	if (word_is(m, "lret", "wlq"))
		return "lret";
	if (word_is(m, "iret", "wdlq"))
		return "iret";
	if (!strcmp(m, "int3"))
		return "int3";
	if (!strcmp(m, "int") || !strcmp(m, "into") || !strcmp(m, "int1") ||
	    !strcmp(m, "icebp"))
		return "int";
	if (!strncmp(m, "sys", 3))
		return "sys";
	if (!strncmp(m, "ud", 2) && isdigit((unsigned char)m[2]))
		return "ud";
	return "";
}

/* The decoder's view of the same, named the same way. */
static const char *our_class(const struct krp_insn *in)
{
	u32 f = in->flags;

	if (f & KRP_INSN_F_XBEGIN)
		return "xbegin";
	if (f & KRP_INSN_F_COND)
		return "cond";
	if (f & KRP_INSN_F_FAR) {
		if (f & KRP_INSN_F_IRET)
			return "iret";
		if (f & KRP_INSN_F_RET)
			return "lret";
		if (f & KRP_INSN_F_CALL)
			return f & KRP_INSN_F_INDIRECT ? "lcall*" : "lcall";
		return f & KRP_INSN_F_INDIRECT ? "ljmp*" : "ljmp";
	}
	if (f & KRP_INSN_F_CALL)
		return f & KRP_INSN_F_INDIRECT ? "call*" : "call";
	if (f & KRP_INSN_F_JMP)
		return f & KRP_INSN_F_INDIRECT ? "jmp*" : "jmp";
	if (f & KRP_INSN_F_RET)
		return "ret";
	if (f & KRP_INSN_F_INT3)
		return "int3";
	if (f & KRP_INSN_F_INT)
		return "int";
	if (f & KRP_INSN_F_SYSCALL)
		return "sys";
	if (f & KRP_INSN_F_UD)
		return "ud";
	return "";
}

static void show(const char *what, uint64_t addr, const uint8_t *p,
		 unsigned int n, const char *text, const char *ours)
{
	char hex[3 * KRP_INSN_MAX_LEN + 1];
	unsigned int i;

	for (i = 0; i < n && i < KRP_INSN_MAX_LEN; i++)
		sprintf(hex + 3 * i, "%02x ", p[i]);
	hex[i ? 3 * i - 1 : 0] = '\0';
	diag("  %s at %#llx: [%s] objdump: %s; decoder: %s", what,
	     (unsigned long long)addr, hex, text, ours);
}

struct cmp_state {
	const struct elf_section *sec;
	int mode;
	struct cmp_result *res;
	uint64_t next;		/* where the previous instruction ended */
	unsigned long gaps;	/* objdump restarted somewhere else */
	uint8_t *starts;	/* bitmap: objdump has an instruction here */
};

/* Decode at @addr of the section: the length, or a negative errno. */
static int decode_at(const struct cmp_state *st, uint64_t addr)
{
	const struct elf_section *sec = st->sec;
	uint64_t avail = sec->addr + sec->size - addr;
	struct krp_insn in;
	int ret;

	if (addr >= sec->addr + sec->size)
		return -ENODATA;
	ret = krp_insn_decode(&in, sec->data + (addr - sec->addr),
			      avail < 15 ? avail : 15, st->mode);
	return ret ? ret : in.length;
}

static bool is_prefix_byte(uint8_t b, int mode)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x26: case 0x2e: case 0x36:
	case 0x3e: case 0x64: case 0x65: case 0x66: case 0x67:
		return true;
	}
	return mode == KRP_INSN_MODE_64 && (b & 0xf0) == 0x40;
}

/*
 * Where objdump's lines are not the CPU's instructions:
 *
 *  - fwait (9B) followed by a no-wait x87 instruction prints as one
 *    "waiting" mnemonic (finit = fwait + fninit, fstsw, fstcw, fclex...).
 *    The CPU executes, and single-steps, fwait on its own: the decoder
 *    must say 1, then objdump's remaining bytes.
 *  - Prefixes the CPU ignores or that make the instruction undefined (a
 *    REX followed by another prefix, a REX before VEX) print as a line of
 *    their own ("cs rex.W").  To the CPU they belong to the instruction
 *    that follows: the decoder must say their length plus that one's, or
 *    fail on both.
 *  - Encodings the decoder refuses on purpose although objdump prints
 *    them: in 64-bit code, 66h near branches, which objdump decodes with
 *    AMD's rel16 while Intel ignores the prefix; and REX, 66h, F2h, F3h
 *    or lock before VEX/EVEX, which objdump ignores while the CPU raises
 *    #UD.
 *
 * Return: 0 for an ordinary line, 1 for one of those where the decoder is
 * consistent with it, -1 for one where it is not.
 */
static int objdump_convention(struct cmp_state *st, uint64_t addr,
			      const uint8_t *bytes, unsigned int objlen,
			      int ours)
{
	unsigned int i;

	if (bytes[0] == 0x9b && objlen > 1 && ours == 1) {
		if (decode_at(st, addr + 1) != (int)objlen - 1)
			return -1;
		st->res->conv_fwait++;
		return 1;
	}

	for (i = 0; i < objlen && is_prefix_byte(bytes[i], st->mode); i++)
		;
	if (i == objlen) {
		int next = decode_at(st, addr + objlen);

		if (next < 0 ? ours != 0 : ours != next + (int)objlen)
			return -1;
		st->res->conv_prefix++;
		return 1;
	}

	if (st->mode != KRP_INSN_MODE_64 || ours)
		return 0;
	if (memchr(bytes, 0x66, i) && (bytes[i] == 0xe8 || bytes[i] == 0xe9 ||
	    (bytes[i] == 0x0f && i + 1 < objlen &&
	     (bytes[i + 1] & 0xf0) == 0x80))) {
		st->res->conv_refused++;
		return 1;
	}
	if (bytes[i] == 0xc4 || bytes[i] == 0xc5 || bytes[i] == 0x62) {
		unsigned int j;

		for (j = 0; j < i; j++)
			if ((bytes[j] & 0xf0) == 0x40 || bytes[j] == 0x66 ||
			    bytes[j] == 0xf2 || bytes[j] == 0xf3 ||
			    bytes[j] == 0xf0) {
				st->res->conv_refused++;
				return 1;
			}
	}
	return 0;
}

static void check_insn(struct cmp_state *st, uint64_t addr,
		       const uint8_t *objbytes, unsigned int objlen,
		       const char *text)
{
	const struct elf_section *sec = st->sec;
	struct cmp_result *res = st->res;
	const uint8_t *p = sec->data + (addr - sec->addr);
	uint64_t avail = sec->addr + sec->size - addr;
	const char *oc, *wc;
	uint64_t otarget = 0;
	int conv;
	struct krp_insn in, t;
	bool has_target;
	uint8_t *guard;
	char ours[96];
	int ret;

	res->insns++;
	if (addr != st->next && st->next)
		st->gaps++;
	st->next = addr + objlen;
	if (st->starts)
		st->starts[(addr - sec->addr) / 8] |= 1 << ((addr - sec->addr) % 8);
	if (memcmp(p, objbytes, objlen) && res->byte_mismatch++ < SHOW_MAX)
		diag("objdump's bytes at %#llx differ from the ELF file's",
		     (unsigned long long)addr);

	ret = krp_insn_decode(&in, p, avail < 15 ? avail : 15, st->mode);
	/*
	 * objdump gave up: undefined, or cut short by a symbol.  Nothing to
	 * compare a length with, but whether the decoder gave up too is
	 * counted, and where it did not, shown.
	 */
	if (strstr(text, "(bad)") || !strncmp(text, ".byte", 5)) {
		res->bad++;
		if (ret)
			res->bad_refused++;
		else if (res->bad_decoded++ < SHOW_MAX)
			show("objdump gave up", addr, p, in.length, text,
			     "decoded");
		return;
	}
	conv = objdump_convention(st, addr, objbytes, objlen,
				  ret ? 0 : in.length);
	if (conv > 0)
		return;
	if (conv < 0 || ret || in.length != objlen) {
		if (res->len_mismatch++ < SHOW_MAX) {
			if (ret)
				snprintf(ours, sizeof(ours), "error %d", ret);
			else
				snprintf(ours, sizeof(ours), "length %u",
					 in.length);
			show("length", addr, p, objlen > in.length ? objlen :
			     in.length, text, ours);
		}
		return;
	}

	/* The same bytes against a guard page, whole and one byte short. */
	guard = guard_page();
	if (guard) {
		int r1, r2;

		memcpy(guard - objlen, p, objlen);
		r1 = krp_insn_decode(&t, guard - objlen, objlen, st->mode);
		memmove(guard - (objlen - 1), guard - objlen, objlen - 1);
		r2 = krp_insn_decode(&t, guard - (objlen - 1), objlen - 1,
				     st->mode);
		if ((r1 || r2 != -ENODATA) && res->trunc_mismatch++ < SHOW_MAX) {
			snprintf(ours, sizeof(ours),
				 "exact buffer: %d, one byte short: %d", r1, r2);
			show("truncation", addr, p, objlen, text, ours);
		}
	}

	oc = objdump_class(text, &otarget, &has_target);
	wc = our_class(&in);
	if (*oc || *wc) {
		bool bad = strcmp(oc, wc) != 0;
		uint64_t ttarget = 0;

		res->flow_checked++;
		if (!bad && (in.flags & KRP_INSN_F_REL)) {
			ttarget = krp_insn_rel_target(&in, addr);
			bad = !has_target || ttarget != otarget;
		}
		if (bad && res->flow_mismatch++ < SHOW_MAX) {
			snprintf(ours, sizeof(ours),
				 "class \"%s\" target %#llx, objdump's \"%s\"",
				 wc, (unsigned long long)ttarget, oc);
			show("control flow", addr, p, objlen, text, ours);
		}
	}

	if (st->mode == KRP_INSN_MODE_64) {
		bool orip = strstr(text, "(%rip)") || strstr(text, "(%eip)");
		bool wrip = in.flags & KRP_INSN_F_RIP_REL;
		const char *c = strstr(text, "# ");
		bool bad = orip != wrip;

		if (orip || wrip) {
			uint64_t otgt = c ? strtoull(c + 2, NULL, 16) : 0;

			/*
			 * objdump sign-extends an EIP-relative (67h) target;
			 * the CPU wraps it at 4 GiB like any 32-bit address.
			 */
			if (in.addr_size == 4)
				otgt &= 0xffffffffULL;
			res->rip_checked++;
			if (!bad)
				bad = !c || !isxdigit((unsigned char)c[2]) ||
				      otgt != krp_insn_rip_target(&in, addr);
			if (bad && res->rip_mismatch++ < SHOW_MAX) {
				snprintf(ours, sizeof(ours),
					 "rip-relative %d target %#llx", wrip,
					 (unsigned long long)
					 krp_insn_rip_target(&in, addr));
				show("rip-relative", addr, p, objlen, text,
				     ours);
			}
		}
	}
}

/*
 * One line of objdump -d --insn-width=15: "  addr:\tbb bb bb ... \ttext".
 * Returns false for headers, blank lines and labels.
 */
static bool parse_line(char *line, uint64_t *addr, uint8_t *bytes,
		       unsigned int *n, char **text)
{
	char *s = line, *end;

	while (*s == ' ')
		s++;
	*addr = strtoull(s, &end, 16);
	if (end == s || end[0] != ':' || end[1] != '\t')
		return false;
	s = end + 2;
	*n = 0;
	while (isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[1]) &&
	       (s[2] == ' ' || s[2] == '\t')) {
		if (*n == KRP_INSN_MAX_LEN)
			return false;
		bytes[(*n)++] = strtoul((char[3]) { s[0], s[1], 0 }, NULL, 16);
		s += 3;
		if (s[-1] == '\t')
			break;
	}
	while (*s == ' ')
		s++;
	if (*s == '\t')
		s++;
	s[strcspn(s, "\n")] = '\0';
	*text = s;
	return *n > 0;
}

/*
 * The decoder's own linear sweep of a section objdump swept without
 * restarting: it must stop exactly where objdump's lines start, except
 * where objdump's lines are not the CPU's instructions (an extra stop
 * after each fwait objdump merged, one fewer at each prefix-only line).
 */
static void own_sweep(struct cmp_state *st)
{
	const struct elf_section *sec = st->sec;
	struct cmp_result *res = st->res;
	unsigned long stops = 0, shared = 0;
	uint64_t off = 0, prev = 0;
	int len;

	while (off < sec->size) {
		stops++;
		if (st->starts[off / 8] & (1 << (off % 8)))
			shared++;
		else if (res->sweep_extra++ < SHOW_MAX &&
			 !(off == prev + 1 && sec->data[prev] == 0x9b))
			diag("  own sweep of %s stops at %#llx, objdump does not",
			     sec->name, (unsigned long long)(sec->addr + off));
		prev = off;
		len = decode_at(st, sec->addr + off);
		if (len < 0) {
			diag("  own sweep of %s fails at %#llx: %d", sec->name,
			     (unsigned long long)(sec->addr + off), len);
			res->sweep_bad++;
			break;
		}
		off += len;
	}
	res->sweep_done = true;
	res->sweep_stops = stops;
	res->sweep_missed = res->insns - shared;
	if (res->sweep_extra != res->conv_fwait ||
	    res->sweep_missed != res->conv_prefix)
		res->sweep_bad++;
}

static struct cmp_state *find_section(struct cmp_state *st, unsigned int nr,
				      const char *line)
{
	const char *hdr = "Disassembly of section ";
	size_t n = strlen(hdr), len;
	unsigned int i;

	line += n;
	len = strcspn(line, ":\n");
	for (i = 0; i < nr; i++)
		if (strlen(st[i].sec->name) == len &&
		    !strncmp(st[i].sec->name, line, len))
			return &st[i];
	diag("objdump disassembled section %.*s, not executable here",
	     (int)len, line);
	return NULL;
}

/**
 * cmp_file() - compare the decoder with objdump on an ELF file
 * @file: the file, for objdump
 * @ef:   the same file, opened by elf_open()
 * @mode: KRP_INSN_MODE_32 or KRP_INSN_MODE_64
 * @res:  one result per section of @ef, zeroed first
 *
 * One objdump run covers all executable sections of the file.
 */
void cmp_file(const char *file, const struct elf_file *ef, int mode,
	      struct cmp_result *res)
{
	struct cmp_state *st, *cur = NULL;
	char line[4096], *text;
	uint8_t bytes[KRP_INSN_MAX_LEN];
	bool failed = true;
	unsigned int n, i;
	uint64_t addr;
	int pfd[2], status;
	FILE *f;
	pid_t pid;

	memset(res, 0, ef->nr * sizeof(*res));
	st = calloc(ef->nr ? ef->nr : 1, sizeof(*st));
	if (!st)
		goto out;
	for (i = 0; i < ef->nr; i++)
		st[i] = (struct cmp_state){ .sec = &ef->sec[i], .mode = mode,
					    .res = &res[i],
					    .starts = calloc(ef->sec[i].size / 8 + 1,
							     1) };
	if (pipe(pfd))
		goto out;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		goto out;
	}
	if (!pid) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execlp("objdump", "objdump", "-d", "-z", "--insn-width=15",
		       file, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (!f) {
		close(pfd[0]);
		waitpid(pid, &status, 0);
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Disassembly of section ", 23)) {
			cur = find_section(st, ef->nr, line);
			continue;
		}
		if (!parse_line(line, &addr, bytes, &n, &text) || !cur)
			continue;
		if (addr < cur->sec->addr ||
		    addr - cur->sec->addr + n > cur->sec->size) {
			diag("objdump printed %#llx, outside %s",
			     (unsigned long long)addr, cur->sec->name);
			cur->res->len_mismatch++;
			continue;
		}
		check_insn(cur, addr, bytes, n, text);
	}
	fclose(f);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		diag("objdump failed on %s", file);
		goto out;
	}
	failed = false;
	for (i = 0; i < ef->nr; i++) {
		const struct elf_section *sec = st[i].sec;

		if (!res[i].insns) {
			diag("%s: objdump found no instructions in %s", file,
			     sec->name);
			res[i].objdump_failed = true;
		} else if (st[i].next != sec->addr + sec->size) {
			diag("%s: objdump's sweep of %s ended at %#llx, the section at %#llx",
			     file, sec->name,
			     (unsigned long long)st[i].next,
			     (unsigned long long)(sec->addr + sec->size));
		}
		res[i].gaps = st[i].gaps;
		if (st[i].starts && !st[i].gaps && !res[i].bad)
			own_sweep(&st[i]);
	}
out:
	if (failed)
		for (i = 0; i < ef->nr; i++)
			res[i].objdump_failed = true;
	if (st)
		for (i = 0; i < ef->nr; i++)
			free(st[i].starts);
	free(st);
}

void cmp_add(struct cmp_result *sum, const struct cmp_result *r)
{
	sum->insns += r->insns;
	sum->bad += r->bad;
	sum->bad_refused += r->bad_refused;
	sum->bad_decoded += r->bad_decoded;
	sum->byte_mismatch += r->byte_mismatch;
	sum->len_mismatch += r->len_mismatch;
	sum->flow_checked += r->flow_checked;
	sum->flow_mismatch += r->flow_mismatch;
	sum->rip_checked += r->rip_checked;
	sum->rip_mismatch += r->rip_mismatch;
	sum->trunc_mismatch += r->trunc_mismatch;
	sum->gaps += r->gaps;
	sum->conv_fwait += r->conv_fwait;
	sum->sweep_stops += r->sweep_stops;
	sum->sweep_extra += r->sweep_extra;
	sum->sweep_missed += r->sweep_missed;
	sum->sweep_done |= r->sweep_done;
	sum->sweep_bad += r->sweep_bad;
	sum->conv_prefix += r->conv_prefix;
	sum->conv_refused += r->conv_refused;
	sum->objdump_failed |= r->objdump_failed;
}
