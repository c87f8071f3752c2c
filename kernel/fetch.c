// SPDX-License-Identifier: GPL-2.0
/*
 * Fetch arguments in the kprobe_events syntax: $retval, $argN, $comm,
 * %reg, @SYM[+|-offs] and +|-offs(FETCHARG), nested, with a :TYPE.
 *
 * Parsing runs in process context and reduces an argument to a base
 * value and a list of offsets to dereference, innermost first.  The
 * hit path walks that list with copy_from_kernel_nofault(), so a bad
 * pointer prints "(fault)" instead of oopsing, and formats the values
 * straight into the caller's buffer: it allocates nothing and takes no
 * lock, so it may run in NMI.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <krp/kprobes.h>

#include "arch.h"
#include "fetch.h"
#include "unexported.h"

static int krp_fetch_fail(struct krp_fetch_err *err, const char *msg,
			  unsigned int pos, int ret)
{
	err->msg = msg;
	err->pos = pos;
	return ret;
}

/* ":u32" and friends; the default is an unsigned long. */
static int krp_fetch_type(struct krp_fetch *f, const char *t)
{
	unsigned int bits;

	f->type = KRP_TYPE_U;
	f->size = sizeof(long);
	if (!t)
		return 0;
	if (!strcmp(t, "string")) {
		f->type = KRP_TYPE_STRING;
		return 0;
	}
	if (!strcmp(t, "symbol")) {
		f->type = KRP_TYPE_SYMBOL;
		return 0;
	}
	switch (t[0]) {
	case 'u':
		f->type = KRP_TYPE_U;
		break;
	case 's':
		f->type = KRP_TYPE_S;
		break;
	case 'x':
		f->type = KRP_TYPE_X;
		break;
	default:
		return -EINVAL;
	}
	if (kstrtouint(t + 1, 10, &bits) ||
	    (bits != 8 && bits != 16 && bits != 32 && bits != 64))
		return -EINVAL;
	f->size = bits / 8;
	return 0;
}

/*
 * Parse @s (a NUL-terminated copy of part of the argument, @pos bytes
 * into it) into @f's base and offsets.  Dereferences nest from the
 * outside in, so the innermost offset is appended first, on the way
 * back out of the recursion.
 */
static int krp_fetch_body(struct krp_fetch *f, char *s, unsigned int pos,
			  bool is_ret, struct krp_fetch_err *err)
{
	unsigned long addr;
	char *open, *plus;
	long offs;
	int ret;

	if (s[0] == '+' || s[0] == '-') {
		open = strchr(s, '(');
		if (!open || s[strlen(s) - 1] != ')')
			return krp_fetch_fail(err, "Invalid dereference", pos,
					      -EINVAL);
		s[strlen(s) - 1] = '\0';
		*open = '\0';
		if (kstrtol(s[0] == '+' ? s + 1 : s, 0, &offs))
			return krp_fetch_fail(err, "Invalid offset", pos,
					      -EINVAL);
		ret = krp_fetch_body(f, open + 1, pos + (open + 1 - s), is_ret,
				     err);
		if (ret)
			return ret;
		if (f->base == KRP_FETCH_COMM)
			return krp_fetch_fail(err, "$comm cannot be dereferenced",
					      pos, -EINVAL);
		if (f->nderef == KRP_FETCH_DEPTH)
			return krp_fetch_fail(err, "Dereference nested too deep",
					      pos, -E2BIG);
		f->offs[f->nderef++] = offs;
		return 0;
	}
	if (s[0] == '$') {
		if (!strcmp(s, "$retval")) {
			if (!is_ret)
				return krp_fetch_fail(err,
					"$retval is only for return probes",
					pos, -EINVAL);
			f->base = KRP_FETCH_RETVAL;
			return 0;
		}
		if (!strcmp(s, "$comm")) {
			f->base = KRP_FETCH_COMM;
			return 0;
		}
		if (!strncmp(s, "$arg", 4)) {
			unsigned int n;

			if (kstrtouint(s + 4, 10, &n) || !n ||
			    n > KRP_FETCH_SAVED_MAX)
				return krp_fetch_fail(err, "Invalid $argN", pos,
						      -EINVAL);
			f->base = KRP_FETCH_ARG;
			f->param = n - 1;
			return 0;
		}
		return krp_fetch_fail(err, "Unknown fetch argument", pos,
				      -EINVAL);
	}
	if (s[0] == '%') {
		ret = krp_arch_reg_offset(s + 1);
		if (ret < 0)
			return krp_fetch_fail(err, "Unknown register", pos,
					      -EINVAL);
		f->base = KRP_FETCH_REG;
		f->param = ret;
		return 0;
	}
	if (s[0] == '@') {
		offs = 0;
		plus = strpbrk(s + 1, "+-");
		if (plus) {
			if (kstrtol(plus[0] == '+' ? plus + 1 : plus, 0, &offs))
				return krp_fetch_fail(err, "Invalid offset",
						      pos + (plus - s), -EINVAL);
			*plus = '\0';
		}
		if (!s[1])
			return krp_fetch_fail(err, "Unknown symbol", pos + 1,
					      -EINVAL);
		ret = krp_lookup_name(s + 1, &addr);
		if (ret)
			return krp_fetch_fail(err, ret == -EOPNOTSUPP ?
				"Data symbols cannot be resolved on this kernel" :
				"Unknown symbol", pos + 1, ret);
		f->base = KRP_FETCH_IMM;
		f->imm = addr;
		f->offs[f->nderef++] = offs;
		return 0;
	}
	return krp_fetch_fail(err, "Unknown fetch argument", pos, -EINVAL);
}

/**
 * krp_fetch_parse() - parse one fetch argument
 * @f: filled in; its name is the caller's
 * @text: FETCHARG[:TYPE], kept for listing
 * @is_ret: of a return probe ($retval allowed)
 * @err: on failure, why and where in @text
 *
 * Return: 0, -EINVAL, -E2BIG (nested too deep), -ENOENT (unknown @SYM),
 * -EOPNOTSUPP or -ENOMEM.  On failure @f holds nothing to release.
 */
int krp_fetch_parse(struct krp_fetch *f, const char *text, bool is_ret,
		    struct krp_fetch_err *err)
{
	char *s, *colon;
	int ret;

	s = kstrdup(text, GFP_KERNEL);
	if (!s)
		return krp_fetch_fail(err, "Out of memory", 0, -ENOMEM);
	/*
	 * A type follows the last ':', unless that is the one of
	 * @MOD:SYM, which cannot be followed by a type name.
	 */
	colon = strrchr(s, ':');
	ret = krp_fetch_type(f, colon ? colon + 1 : NULL);
	if (ret && s[0] == '@' && colon == strchr(s, ':')) {
		colon = NULL;
		ret = krp_fetch_type(f, NULL);
	}
	if (ret) {
		krp_fetch_fail(err, "Unknown type", colon + 1 - s, ret);
		goto out;
	}
	if (colon)
		*colon = '\0';
	ret = krp_fetch_body(f, s, 0, is_ret, err);
	if (ret)
		goto out;
	if (f->base == KRP_FETCH_COMM && f->nderef == 0 && colon &&
	    f->type != KRP_TYPE_STRING) {
		ret = krp_fetch_fail(err, "$comm can only be a string",
				     colon + 1 - s, -EINVAL);
		goto out;
	}
	if (f->base == KRP_FETCH_COMM)
		f->type = KRP_TYPE_STRING;
	if (f->type == KRP_TYPE_SYMBOL)
		f->size = sizeof(long);
	ret = -ENOMEM;
	f->text = kstrdup(text, GFP_KERNEL);
	if (f->text)
		ret = 0;
	else
		krp_fetch_fail(err, "Out of memory", 0, ret);
out:
	kfree(s);
	return ret;
}

/**
 * krp_fetch_release() - free what krp_fetch_parse() allocated
 * @f: a parsed fetch argument
 */
void krp_fetch_release(struct krp_fetch *f)
{
	kfree(f->text);
	f->text = NULL;
}

/* The base value of @f at this hit. */
static unsigned long krp_fetch_base(const struct krp_fetch *f,
				    struct pt_regs *regs,
				    const unsigned long *saved)
{
	switch (f->base) {
	case KRP_FETCH_RETVAL:
		return regs_return_value(regs);
	case KRP_FETCH_ARG:
		/* a return probe's arguments were saved at its entry */
		return saved ? saved[f->param] :
			       regs_get_kernel_argument(regs, f->param);
	case KRP_FETCH_REG:
		return regs_get_register(regs, f->param);
	case KRP_FETCH_IMM:
		return f->imm;
	}
	return 0;
}

/*
 * Follow @f's dereferences but the last; the address of the last is
 * left in @addr.  Return: false if a read faulted.
 */
static bool krp_fetch_walk(const struct krp_fetch *f, unsigned long v,
			   unsigned long *addr)
{
	unsigned int i;

	for (i = 0; i + 1 < f->nderef; i++)
		if (copy_from_kernel_nofault(&v, (void *)(v + f->offs[i]),
					     sizeof(v)))
			return false;
	*addr = v + f->offs[f->nderef - 1];
	return true;
}

/* The numeric value of @f; false if a read faulted. */
static bool krp_fetch_number(const struct krp_fetch *f, struct pt_regs *regs,
			     const unsigned long *saved, u64 *val)
{
	unsigned long v = krp_fetch_base(f, regs, saved), addr;
	union { u8 b; u16 w; u32 l; u64 q; } mem;

	if (!f->nderef) {
		/* a 64-bit return value comes back in edx:eax on i386 */
		if (f->base == KRP_FETCH_RETVAL && f->size == 8)
			*val = krp_regs_return_value64(regs);
		else
			*val = v;
	} else {
		if (!krp_fetch_walk(f, v, &addr) ||
		    copy_from_kernel_nofault(&mem, (void *)addr, f->size))
			return false;
		*val = f->size == 1 ? mem.b : f->size == 2 ? mem.w :
		       f->size == 4 ? mem.l : mem.q;
	}
	if (f->size < 8)
		*val &= (1ULL << (8 * f->size)) - 1;
	return true;
}

/*
 * Copy the string at @src into @dst (@size bytes, at least 1), cut to
 * fit and NUL-terminated.  strncpy_from_kernel_nofault() is not
 * exported: read chunks that stay inside one page, so that a string
 * ending before an unmapped page reads whole.
 * Return: its length, or -EFAULT.
 */
static long krp_fetch_strcpy(char *dst, unsigned long src, unsigned int size)
{
	unsigned int len = 0, chunk;
	char *nul;

	while (len + 1 < size) {
		chunk = min_t(unsigned long, size - 1 - len,
			      PAGE_SIZE - offset_in_page(src + len));
		if (copy_from_kernel_nofault(dst + len, (void *)(src + len),
					     chunk))
			return -EFAULT;
		nul = memchr(dst + len, '\0', chunk);
		if (nul)
			return nul - dst;
		len += chunk;
	}
	dst[len] = '\0';
	return len;
}

/* Append a string value at @buf + @pos; return the new position. */
static unsigned int krp_fetch_string(const struct krp_fetch *f,
				     struct pt_regs *regs,
				     const unsigned long *saved,
				     char *buf, unsigned int pos,
				     unsigned int len)
{
	unsigned long addr = 0;
	long n;

	/* room for the quotes and the NUL */
	if (pos + 3 > len)
		return pos;
	if (f->base == KRP_FETCH_COMM && !f->nderef) {
		buf[pos] = '"';
		n = strscpy(buf + pos + 1, current->comm, len - pos - 2);
		n = n < 0 ? len - pos - 3 : n;
	} else {
		if (!f->nderef)
			addr = krp_fetch_base(f, regs, saved);
		else if (!krp_fetch_walk(f, krp_fetch_base(f, regs, saved),
					 &addr))
			goto fault;
		buf[pos] = '"';
		n = krp_fetch_strcpy(buf + pos + 1, addr, len - pos - 2);
		if (n < 0)
			goto fault;
	}
	pos += 1 + n;
	buf[pos++] = '"';
	buf[pos] = '\0';
	return pos;
fault:
	return pos + scnprintf(buf + pos, len - pos, "(fault)");
}

/**
 * krp_fetch_format() - fetch and format the arguments of a hit
 * @args: the definition's fetch arguments
 * @n: how many
 * @regs: the registers of the hit (a return's, for return probes)
 * @saved: the arguments a return probe saved at entry, or NULL
 * @buf: where "NAME=VALUE NAME=VALUE..." goes, NUL-terminated, cut at @len
 * @len: size of @buf, at least 1
 *
 * Hit path: NMI-safe, no lock, no allocation; memory is read with the
 * fault-safe accessors.
 *
 * Return: the length of the text in @buf.
 */
unsigned int krp_fetch_format(const struct krp_fetch *args, unsigned int n,
			      struct pt_regs *regs, const unsigned long *saved,
			      char *buf, unsigned int len)
{
	unsigned int i, pos = 0;
	u64 v;

	buf[0] = '\0';
	for (i = 0; i < n && pos + 1 < len; i++) {
		const struct krp_fetch *f = &args[i];

		pos += scnprintf(buf + pos, len - pos, "%s%s=", i ? " " : "",
				 f->name);
		if (f->type == KRP_TYPE_STRING) {
			pos = krp_fetch_string(f, regs, saved, buf, pos, len);
			continue;
		}
		if (!krp_fetch_number(f, regs, saved, &v)) {
			pos += scnprintf(buf + pos, len - pos, "(fault)");
			continue;
		}
		switch (f->type) {
		case KRP_TYPE_S:
			if (f->size < 8)
				v = sign_extend64(v, 8 * f->size - 1);
			pos += scnprintf(buf + pos, len - pos, "%lld", (s64)v);
			break;
		case KRP_TYPE_X:
			pos += scnprintf(buf + pos, len - pos, "0x%llx", v);
			break;
		case KRP_TYPE_SYMBOL:
			pos += scnprintf(buf + pos, len - pos, "%pS",
					 (void *)(unsigned long)v);
			break;
		default:
			pos += scnprintf(buf + pos, len - pos, "%llu", v);
			break;
		}
	}
	return pos;
}
