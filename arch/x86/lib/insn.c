// SPDX-License-Identifier: GPL-2.0
/*
 * krp's x86 instruction decoder.
 *
 * An instruction is read in the order the CPU reads it: legacy prefixes
 * and REX, then either a VEX/EVEX/XOP prefix or escape bytes selecting an
 * opcode map, the opcode, ModRM, SIB, displacement and immediates.  What
 * follows the opcode comes from the attribute tables in insn_tables.c;
 * this file only knows the encoding rules shared by every opcode.
 *
 * The decoder reads at most min(avail, 15) bytes, allocates nothing,
 * takes no lock and uses a few dozen bytes of stack, so a probe may call
 * it from any context.
 */
#include "insn_tables.h"

#ifdef __KERNEL__
#include <linux/string.h>
#endif

/* The bytes being decoded and how far the decoder may look. */
struct krp_cursor {
	const u8 *buf;
	unsigned int pos;
	unsigned int limit;	/* min(avail, KRP_INSN_MAX_LEN) */
};

static const u32 *const krp_legacy_maps[] = {
	[KRP_INSN_MAP_1BYTE] = krp_insn_map_1byte,
	[KRP_INSN_MAP_0F] = krp_insn_map_0f,
	[KRP_INSN_MAP_0F38] = krp_insn_map_0f38,
	[KRP_INSN_MAP_0F3A] = krp_insn_map_0f3a,
};

/*
 * Can @n more bytes be read?  Running past the caller's buffer is
 * -ENODATA (more bytes might make a valid instruction); running past 15
 * bytes is -EINVAL, as no amount of data would help.
 */
static int krp_need(const struct krp_cursor *c, unsigned int n)
{
	if (c->pos + n <= c->limit)
		return 0;
	if (c->pos + n > KRP_INSN_MAX_LEN)
		return -EINVAL;
	return -ENODATA;
}

static int krp_next(struct krp_cursor *c, u8 *byte)
{
	int ret = krp_need(c, 1);

	if (ret)
		return ret;
	*byte = c->buf[c->pos++];
	return 0;
}

/* Read a little-endian field of @size bytes and sign-extend it. */
static int krp_field(struct krp_cursor *c, struct krp_insn_field *f,
		     unsigned int size)
{
	unsigned int i;
	u64 v = 0;
	int ret;

	ret = krp_need(c, size);
	if (ret)
		return ret;
	for (i = 0; i < size; i++)
		v |= (u64)c->buf[c->pos + i] << (8 * i);
	if (size < 8) {
		u64 sign = 1ULL << (size * 8 - 1);

		v = (v ^ sign) - sign;
	}
	f->value = (s64)v;
	f->offset = c->pos;
	f->size = size;
	c->pos += size;
	return 0;
}

static u16 krp_prefix_flag(u8 b)
{
	switch (b) {
	case 0xf0: return KRP_INSN_PFX_LOCK;
	case 0xf2: return KRP_INSN_PFX_REPNE;
	case 0xf3: return KRP_INSN_PFX_REP;
	case 0x26: return KRP_INSN_PFX_ES;
	case 0x2e: return KRP_INSN_PFX_CS;
	case 0x36: return KRP_INSN_PFX_SS;
	case 0x3e: return KRP_INSN_PFX_DS;
	case 0x64: return KRP_INSN_PFX_FS;
	case 0x65: return KRP_INSN_PFX_GS;
	case 0x66: return KRP_INSN_PFX_OPSIZE;
	default:   return KRP_INSN_PFX_ADSIZE;
	}
}

/*
 * Legacy prefixes and REX.  A REX byte counts only when the opcode (or
 * escape) follows it directly: a legacy prefix after it makes the CPU
 * ignore it.
 */
static int krp_prefixes(struct krp_insn *insn, struct krp_cursor *c,
			u8 *last_rep)
{
	const bool long_mode = insn->mode == KRP_INSN_MODE_64;
	u32 a;
	u8 b;
	int ret;

	for (;;) {
		ret = krp_need(c, 1);
		if (ret)
			return ret;
		b = c->buf[c->pos];
		a = krp_insn_map_1byte[b];
		if (a & KRP_A_PREFIX) {
			u16 f = krp_prefix_flag(b);

			insn->prefix_flags |= f;
			if (f & (KRP_INSN_PFX_ES | KRP_INSN_PFX_CS |
				 KRP_INSN_PFX_SS | KRP_INSN_PFX_DS |
				 KRP_INSN_PFX_FS | KRP_INSN_PFX_GS))
				insn->seg = b;
			if (b == 0xf2 || b == 0xf3)
				*last_rep = b;
			insn->rex = 0;
		} else if ((a & KRP_A_REX) && long_mode) {
			insn->rex = b;
		} else {
			break;
		}
		c->pos++;
	}
	insn->prefix_len = c->pos;
	return 0;
}

/*
 * C4/C5 (VEX), 62 (EVEX) and 8F (XOP) at the opcode position.  Outside
 * long mode C4, C5 and 62 are also les, lds and bound, which need a
 * memory operand: the bits that would be ModRM.mod are 11b in every VEX
 * or EVEX encoding usable there, and that is how the CPU tells them
 * apart.  8F is pop Ev when the would-be ModRM.reg is 0, which no XOP map
 * number allows.
 *
 * Return: 1 and the opcode's attributes in *@attr if it is a vector
 * prefix (the opcode has been read), 0 if it is the legacy instruction,
 * or a negative errno.
 */
static const u8 krp_pp_prefix[4] = { 0, 0x66, 0xf3, 0xf2 };

static int krp_vector(struct krp_insn *insn, struct krp_cursor *c, u8 b,
		      u32 *attr)
{
	const struct krp_insn_vmap *vm;
	unsigned int i, n, pp;
	u8 p0, op;
	int ret;

	ret = krp_need(c, 1);
	if (ret)
		return ret;
	p0 = c->buf[c->pos];
	if (b == 0x8f) {
		if ((p0 & 0x1f) < 8)
			return 0;
	} else if (insn->mode != KRP_INSN_MODE_64 && (p0 & 0xc0) != 0xc0) {
		return 0;
	}

	/* The CPU raises #UD for these in front of any vector prefix. */
	if (insn->rex || (insn->prefix_flags & (KRP_INSN_PFX_LOCK |
			  KRP_INSN_PFX_REPNE | KRP_INSN_PFX_REP |
			  KRP_INSN_PFX_OPSIZE)))
		return -EINVAL;

	n = b == 0xc5 ? 1 : b == 0x62 ? 3 : 2;
	ret = krp_need(c, n);
	if (ret)
		return ret;
	insn->vex_offset = c->pos - 1;
	for (i = 0; i < n; i++)
		insn->vex[i] = c->buf[c->pos++];

	switch (b) {
	case 0xc5:
		insn->vex_type = KRP_INSN_VEX2;
		insn->vex_vvvv = (~p0 >> 3) & 0xf;
		insn->vex_l = (p0 >> 2) & 1;
		pp = p0 & 3;
		vm = &krp_insn_vmaps_vex[1];
		break;
	case 0x62:
		insn->vex_type = KRP_INSN_EVEX;
		insn->vex_w = insn->vex[1] >> 7;
		insn->vex_vvvv = ((~insn->vex[1] >> 3) & 0xf) |
				 (insn->vex[2] & 0x08 ? 0 : 0x10);
		insn->vex_l = (insn->vex[2] >> 5) & 3;
		pp = insn->vex[1] & 3;
		vm = &krp_insn_vmaps_evex[p0 & 7];
		/* Bit 3 of P0 is reserved (0) and bit 2 of P1 fixed (1). */
		if ((p0 & 0x08) || !(insn->vex[1] & 0x04))
			return -EINVAL;
		break;
	default:	/* C4 and 8F share a layout */
		insn->vex_type = b == 0xc4 ? KRP_INSN_VEX3 : KRP_INSN_XOP;
		insn->vex_w = insn->vex[1] >> 7;
		insn->vex_vvvv = (~insn->vex[1] >> 3) & 0xf;
		insn->vex_l = (insn->vex[1] >> 2) & 1;
		pp = insn->vex[1] & 3;
		if (b == 0xc4)
			vm = &krp_insn_vmaps_vex[p0 & 0x1f];
		else
			vm = &krp_insn_vmaps_xop[p0 & 0x1f];
		break;
	}
	if (vm->map == KRP_INSN_MAP_1BYTE)
		return -EINVAL;

	insn->simd_prefix = krp_pp_prefix[pp];
	insn->map = vm->map;

	ret = krp_next(c, &op);
	if (ret)
		return ret;
	insn->opcode = op;
	insn->opcode_offset = c->pos - 1;
	*attr = vm->ops ? vm->ops[op] : vm->attr;
	return 1;
}

/*
 * The bytes a ModRM operand brings: SIB and displacement.  16-bit
 * addressing has no SIB and its only displacement-only form is
 * mod 0, rm 6.  With 32/64-bit addressing rm 4 means a SIB follows,
 * and mod 0 with rm 5 (or SIB.base 5) means disp32 without a base: in
 * long mode the rm 5 form is RIP-relative instead of absolute.
 */
static int krp_modrm_operand(struct krp_insn *insn, struct krp_cursor *c)
{
	unsigned int mod = insn->modrm.mod, rm = insn->modrm.rm;
	unsigned int dsize = 0;
	u8 sib;
	int ret;

	if (mod == 3)
		return 0;
	insn->flags |= KRP_INSN_F_MEM;

	if (insn->addr_size == 2) {
		if (mod == 1)
			dsize = 1;
		else if (mod == 2 || rm == 6)
			dsize = 2;
	} else {
		if (rm == 4) {
			ret = krp_next(c, &sib);
			if (ret)
				return ret;
			insn->sib.present = 1;
			insn->sib.offset = c->pos - 1;
			insn->sib.byte = sib;
			insn->sib.scale = sib >> 6;
			insn->sib.index = (sib >> 3) & 7;
			insn->sib.base = sib & 7;
		}
		if (mod == 1) {
			dsize = 1;
		} else if (mod == 2) {
			dsize = 4;
		} else if (rm == 5) {
			dsize = 4;
			if (insn->mode == KRP_INSN_MODE_64)
				insn->flags |= KRP_INSN_F_RIP_REL;
		} else if (insn->sib.present && insn->sib.base == 5) {
			dsize = 4;
		}
	}
	if (!dsize)
		return 0;
	return krp_field(c, &insn->disp, dsize);
}

static unsigned int krp_pfx_slot(u8 simd_prefix)
{
	switch (simd_prefix) {
	case 0x66: return KRP_PS_66;
	case 0xf3: return KRP_PS_F3;
	case 0xf2: return KRP_PS_F2;
	default:   return KRP_PS_NONE;
	}
}

static unsigned int krp_opnd_size(const struct krp_insn *insn, u32 a)
{
	bool o16 = insn->prefix_flags & KRP_INSN_PFX_OPSIZE;

	if (insn->mode != KRP_INSN_MODE_64)
		return o16 ? 2 : 4;
	if (insn->vex_type != KRP_INSN_VEX_NONE)
		return insn->vex_w ? 8 : 4;
	if ((a & KRP_A_F64) || (insn->rex & 0x08))
		return 8;
	if (o16)
		return 2;
	return a & KRP_A_D64 ? 8 : 4;
}

/* The immediates of kind @kind, into imm[0] and imm[1]. */
static int krp_immediates(struct krp_insn *insn, struct krp_cursor *c,
			  unsigned int kind)
{
	unsigned int z = insn->opnd_size == 2 ? 2 : 4;
	int ret;

	switch (kind) {
	case KRP_IMM_NONE:
		return 0;
	case KRP_IMM_B:
	case KRP_IMM_REL8:
		return krp_field(c, &insn->imm[0], 1);
	case KRP_IMM_W:
		return krp_field(c, &insn->imm[0], 2);
	case KRP_IMM_D:
		return krp_field(c, &insn->imm[0], 4);
	case KRP_IMM_Z:
	case KRP_IMM_RELZ:
		return krp_field(c, &insn->imm[0], z);
	case KRP_IMM_V:
		return krp_field(c, &insn->imm[0], insn->opnd_size);
	case KRP_IMM_MOFFS:
		insn->flags |= KRP_INSN_F_MOFFS;
		return krp_field(c, &insn->imm[0], insn->addr_size);
	case KRP_IMM_FAR:
		ret = krp_field(c, &insn->imm[0], z);
		return ret ? ret : krp_field(c, &insn->imm[1], 2);
	case KRP_IMM_W_B:
		ret = krp_field(c, &insn->imm[0], 2);
		return ret ? ret : krp_field(c, &insn->imm[1], 1);
	case KRP_IMM_B_B:
		ret = krp_field(c, &insn->imm[0], 1);
		return ret ? ret : krp_field(c, &insn->imm[1], 1);
	}
	return -EINVAL;
}

static int krp_decode(struct krp_insn *insn, struct krp_cursor *c)
{
	const bool long_mode = insn->mode == KRP_INSN_MODE_64;
	bool three_dnow = false;
	u8 last_rep = 0, b;
	unsigned int kind;
	u32 a;
	int ret;

	ret = krp_prefixes(insn, c, &last_rep);
	if (ret)
		return ret;
	if (long_mode)
		insn->addr_size = insn->prefix_flags & KRP_INSN_PFX_ADSIZE ?
				  4 : 8;
	else
		insn->addr_size = insn->prefix_flags & KRP_INSN_PFX_ADSIZE ?
				  2 : 4;
	/* SSE picks its variant by the last F2/F3, else by 66. */
	if (last_rep)
		insn->simd_prefix = last_rep;
	else if (insn->prefix_flags & KRP_INSN_PFX_OPSIZE)
		insn->simd_prefix = 0x66;

	ret = krp_next(c, &b);
	if (ret)
		return ret;
	insn->map = KRP_INSN_MAP_1BYTE;
	insn->opcode = b;
	insn->opcode_offset = c->pos - 1;
	a = krp_insn_map_1byte[b];

	if (a & KRP_A_VEX) {
		ret = krp_vector(insn, c, b, &a);
		if (ret < 0)
			return ret;
	}
	while (a & KRP_A_ESC) {
		insn->map = krp_attr_index(a);
		if (insn->map == KRP_INSN_MAP_3DNOW) {
			/* The opcode comes last, where an imm8 would be. */
			three_dnow = true;
			a = KRP_A_MODRM;
			break;
		}
		ret = krp_next(c, &b);
		if (ret)
			return ret;
		insn->opcode = b;
		insn->opcode_offset = c->pos - 1;
		a = krp_legacy_maps[insn->map][b];
	}

	if (a & KRP_A_PFXSEL)
		a = krp_insn_pfxsel[krp_attr_index(a)]
				   [krp_pfx_slot(insn->simd_prefix)];

	if (a & KRP_A_MODRM) {
		u8 m;

		ret = krp_next(c, &m);
		if (ret)
			return ret;
		insn->modrm.present = 1;
		insn->modrm.offset = c->pos - 1;
		insn->modrm.byte = m;
		insn->modrm.mod = m >> 6;
		insn->modrm.reg = (m >> 3) & 7;
		insn->modrm.rm = m & 7;
		if (a & KRP_A_GROUP)
			a = krp_insn_groups[krp_attr_index(a)]
					   [insn->modrm.mod == 3]
					   [insn->modrm.reg];
		if (insn->modrm.mod == 3 ?
		    (a & KRP_A_MEMONLY) || ((a & KRP_A_RM0) && insn->modrm.rm) :
		    (a & KRP_A_REGONLY))
			return -EINVAL;
	}
	if ((a & KRP_A_INV) || ((a & KRP_A_NO64) && long_mode))
		return -EINVAL;
	/* An SSE opcode with a mandatory prefix it is not defined with. */
	if (!krp_attr_pfx_ok(a, krp_pfx_slot(insn->simd_prefix)))
		return -EINVAL;

	insn->opnd_size = krp_opnd_size(insn, a);
	kind = krp_attr_imm(a);
	/*
	 * A 66h prefix on a near call, jmp or jcc in long mode selects rel16
	 * on AMD and is ignored by Intel: the length depends on the vendor,
	 * so refuse it rather than guess.
	 */
	if (long_mode && kind == KRP_IMM_RELZ && (a & KRP_A_F64) &&
	    (insn->prefix_flags & KRP_INSN_PFX_OPSIZE))
		return -EINVAL;

	/* mov to/from cr/dr ignores mod: the operand is always a register. */
	if (insn->modrm.present && !(a & KRP_A_CRDR)) {
		ret = krp_modrm_operand(insn, c);
		if (ret)
			return ret;
	}

	if (three_dnow) {
		ret = krp_next(c, &b);
		if (ret)
			return ret;
		if (!krp_insn_3dnow_valid[b])
			return -EINVAL;
		insn->opcode = b;
		insn->opcode_offset = c->pos - 1;
	}

	ret = krp_immediates(insn, c, kind);
	if (ret)
		return ret;

	insn->flags |= krp_insn_class_flags[krp_attr_class(a)];
	insn->length = c->pos;
	memcpy(insn->bytes, c->buf, c->pos);
	return 0;
}

/**
 * krp_insn_decode() - decode one x86 instruction
 * @insn:  where to put the result; fully overwritten
 * @buf:   the instruction's first byte
 * @avail: bytes readable at @buf; the decoder reads no further, nor
 *         beyond %KRP_INSN_MAX_LEN bytes
 * @mode:  %KRP_INSN_MODE_32 or %KRP_INSN_MODE_64
 *
 * Decodes the length and layout of the instruction at @buf as the CPU
 * would in @mode.  Encodings whose meaning depends on the CPU vendor
 * (66h on a near branch in long mode) are refused, as are undefined
 * opcodes of the legacy maps, SSE opcodes under a mandatory prefix they
 * do not have, and register or memory forms that do not exist.  The x87
 * escapes and the VEX, EVEX and XOP maps are decoded by their layout
 * without checking that the opcode exists.
 *
 * Instructions are split where the CPU splits them, which is not always
 * where a disassembler does: fwait (9B) is an instruction of its own,
 * and prefixes the CPU ignores belong to the instruction they precede.
 *
 * Context: any, including NMI; reads only @buf.
 * Return: 0 on success; -ENODATA if the instruction continues past
 * @avail bytes; -EINVAL if it is undefined, longer than 15 bytes, or
 * @mode is not supported.  On error *@insn is not meaningful.
 */
int krp_insn_decode(struct krp_insn *insn, const void *buf, size_t avail,
		    int mode)
{
	struct krp_cursor c = {
		.buf = buf,
		.limit = avail < KRP_INSN_MAX_LEN ? avail : KRP_INSN_MAX_LEN,
	};

	memset(insn, 0, sizeof(*insn));
	if (mode != KRP_INSN_MODE_32 && mode != KRP_INSN_MODE_64)
		return -EINVAL;
	insn->mode = mode;
	return krp_decode(insn, &c);
}
