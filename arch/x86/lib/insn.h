/* SPDX-License-Identifier: GPL-2.0 */
/*
 * krp's x86 instruction decoder: length and operand layout of one i386 or
 * x86_64 instruction.
 *
 * The decoder answers the questions a probe needs before it can copy,
 * boost or emulate an instruction: where it ends, which bytes are
 * prefixes, opcode, ModRM, SIB, displacement and immediates, and whether
 * it transfers control (and how).  It does not print or fully validate
 * operands.  The same source builds into krp.ko and into the host-side
 * test under selftests/host/decoder/, which checks it against objdump.
 */
#ifndef KRP_X86_INSN_H
#define KRP_X86_INSN_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include "insn_host.h"
#endif

/* No x86 instruction is longer; a longer one raises #GP. */
#define KRP_INSN_MAX_LEN	15

/* Values of @mode for krp_insn_decode(). */
#define KRP_INSN_MODE_32	32	/* protected mode, 32-bit code segment */
#define KRP_INSN_MODE_64	64	/* long mode, 64-bit code segment */

/* Opcode maps, as in struct krp_insn.map. */
enum krp_insn_map {
	KRP_INSN_MAP_1BYTE,	/* no escape */
	KRP_INSN_MAP_0F,	/* 0F xx, or VEX/EVEX map 1 */
	KRP_INSN_MAP_0F38,	/* 0F 38 xx, or VEX/EVEX map 2 */
	KRP_INSN_MAP_0F3A,	/* 0F 3A xx, or VEX/EVEX map 3 */
	KRP_INSN_MAP_3DNOW,	/* 0F 0F /r ib: the opcode is the trailing byte */
	KRP_INSN_MAP_EVEX5,	/* EVEX map 5 (AVX512-FP16) */
	KRP_INSN_MAP_EVEX6,	/* EVEX map 6 (AVX512-FP16) */
	KRP_INSN_MAP_XOP8,	/* AMD XOP map 8 */
	KRP_INSN_MAP_XOP9,	/* AMD XOP map 9 */
	KRP_INSN_MAP_XOPA,	/* AMD XOP map 0Ah */
};

/* Vector-extension prefix kinds, as in struct krp_insn.vex_type. */
enum krp_insn_vex {
	KRP_INSN_VEX_NONE,
	KRP_INSN_VEX2,		/* C5 + 1 byte */
	KRP_INSN_VEX3,		/* C4 + 2 bytes */
	KRP_INSN_EVEX,		/* 62 + 3 bytes */
	KRP_INSN_XOP,		/* 8F + 2 bytes */
};

/* Legacy prefixes seen, as bits of struct krp_insn.prefix_flags. */
#define KRP_INSN_PFX_LOCK	0x0001	/* F0 */
#define KRP_INSN_PFX_REPNE	0x0002	/* F2 */
#define KRP_INSN_PFX_REP	0x0004	/* F3 */
#define KRP_INSN_PFX_ES		0x0008	/* 26 */
#define KRP_INSN_PFX_CS		0x0010	/* 2E */
#define KRP_INSN_PFX_SS		0x0020	/* 36 */
#define KRP_INSN_PFX_DS		0x0040	/* 3E */
#define KRP_INSN_PFX_FS		0x0080	/* 64 */
#define KRP_INSN_PFX_GS		0x0100	/* 65 */
#define KRP_INSN_PFX_OPSIZE	0x0200	/* 66 */
#define KRP_INSN_PFX_ADSIZE	0x0400	/* 67 */

/* What the instruction does, as bits of struct krp_insn.flags. */
#define KRP_INSN_F_REL		0x00000001 /* relative branch, rel in imm[0] */
#define KRP_INSN_F_COND		0x00000002 /* jcc, loop*, jcxz/jecxz/jrcxz */
#define KRP_INSN_F_CALL		0x00000004 /* any call */
#define KRP_INSN_F_JMP		0x00000008 /* any unconditional jmp */
#define KRP_INSN_F_INDIRECT	0x00000010 /* target from register/memory */
#define KRP_INSN_F_FAR		0x00000020 /* changes CS: far call/jmp/ret */
#define KRP_INSN_F_RET		0x00000040 /* ret, ret imm16, lret */
#define KRP_INSN_F_IRET		0x00000080 /* iret/iretd/iretq */
#define KRP_INSN_F_INT3		0x00000100 /* CC */
#define KRP_INSN_F_INT		0x00000200 /* int n, into, int1 */
#define KRP_INSN_F_SYSCALL	0x00000400 /* syscall, sysret, sysenter... */
#define KRP_INSN_F_UD		0x00000800 /* ud0, ud1, ud2: raise #UD */
#define KRP_INSN_F_XBEGIN	0x00001000 /* xbegin: rel is the abort path */
#define KRP_INSN_F_MEM		0x00002000 /* ModRM names a memory operand */
#define KRP_INSN_F_RIP_REL	0x00004000 /* memory operand is RIP-relative */
#define KRP_INSN_F_MOFFS	0x00008000 /* A0-A3: imm[0] is an address */

/**
 * struct krp_insn_field - a displacement or immediate inside an instruction
 * @value:  the field sign-extended to 64 bits; see krp_insn_field_u64()
 * @offset: offset of its first byte from the start of the instruction
 * @size:   its size in bytes; 0 when the instruction has no such field
 *
 * An EVEX 8-bit displacement is stored as encoded: the CPU scales it by an
 * instruction-dependent factor that this decoder does not compute.
 */
struct krp_insn_field {
	s64 value;
	u8 offset;
	u8 size;
};

/**
 * struct krp_insn - one decoded instruction
 * @bytes:        copy of the instruction's bytes
 * @length:       total length in bytes, 1 to %KRP_INSN_MAX_LEN
 * @mode:         %KRP_INSN_MODE_32 or %KRP_INSN_MODE_64
 * @opnd_size:    operand size in effect, in bytes (2, 4 or 8)
 * @addr_size:    address size in effect, in bytes (2, 4 or 8)
 * @prefix_len:   bytes before the opcode or VEX prefix (legacy and REX)
 * @prefix_flags: %KRP_INSN_PFX_* bits of the legacy prefixes seen
 * @seg:          last segment-override prefix byte, 0 if none
 * @simd_prefix:  mandatory prefix selecting the SSE/AVX variant: 0, 0x66,
 *                0xF3 or 0xF2 (from VEX/EVEX/XOP.pp when present)
 * @rex:          the REX byte in effect, 0 if none (64-bit mode only)
 * @vex_type:     &enum krp_insn_vex
 * @vex_offset:   offset of the C5/C4/62/8F byte when @vex_type is set
 * @vex:          the VEX/EVEX/XOP payload bytes following it
 * @vex_w:        VEX/EVEX/XOP.W
 * @vex_l:        vector length field (VEX.L, or EVEX.L'L)
 * @vex_vvvv:     extra register operand, un-inverted (EVEX.V' as bit 4)
 * @map:          &enum krp_insn_map
 * @opcode:       the opcode byte within @map
 * @opcode_offset: offset of @opcode (after ModRM and SIB for 3DNow!)
 * @modrm:        ModRM byte: @modrm.present, @modrm.offset, @modrm.byte
 *                and its fields; @modrm.reg and @modrm.rm exclude REX bits
 * @sib:          SIB byte and its fields, @sib.present when there is one
 * @disp:         displacement of the memory operand
 * @imm:          immediates in encoding order: @imm[0] holds the relative
 *                offset of a relative branch (%KRP_INSN_F_REL), the address
 *                of a moffs operand (%KRP_INSN_F_MOFFS) and the offset of
 *                a far pointer, whose selector is @imm[1]; enter and
 *                extrq/insertq have two immediates
 * @flags:        %KRP_INSN_F_* bits
 */
struct krp_insn {
	u8 bytes[KRP_INSN_MAX_LEN];
	u8 length;
	u8 mode;
	u8 opnd_size;
	u8 addr_size;

	u8 prefix_len;
	u16 prefix_flags;
	u8 seg;
	u8 simd_prefix;
	u8 rex;

	u8 vex_type;
	u8 vex_offset;
	u8 vex[3];
	u8 vex_w;
	u8 vex_l;
	u8 vex_vvvv;

	u8 map;
	u8 opcode;
	u8 opcode_offset;

	struct {
		u8 present;
		u8 offset;
		u8 byte;
		u8 mod;
		u8 reg;
		u8 rm;
	} modrm;
	struct {
		u8 present;
		u8 offset;
		u8 byte;
		u8 scale;
		u8 index;
		u8 base;
	} sib;

	struct krp_insn_field disp;
	struct krp_insn_field imm[2];

	u32 flags;
};

int krp_insn_decode(struct krp_insn *insn, const void *buf, size_t avail,
		    int mode);

/**
 * krp_insn_field_u64() - a field's value zero-extended from its size
 * @f: displacement or immediate of a decoded instruction
 *
 * Moffs addresses, far pointers and most immediates are unsigned; the
 * stored value is sign-extended because displacements and relative
 * offsets are not.
 *
 * Return: the field's bytes as an unsigned number.
 */
static inline u64 krp_insn_field_u64(const struct krp_insn_field *f)
{
	if (f->size >= 8)
		return (u64)f->value;
	return (u64)f->value & ((1ULL << (f->size * 8)) - 1);
}

/**
 * krp_insn_rel_target() - where a relative branch goes when taken
 * @insn: a decoded instruction with %KRP_INSN_F_REL
 * @addr: the address the instruction runs at
 *
 * With a 16-bit operand size the CPU truncates the new instruction
 * pointer to 16 bits; in 32-bit mode it wraps at 4 GiB.
 *
 * Return: the branch target.
 */
static inline u64 krp_insn_rel_target(const struct krp_insn *insn, u64 addr)
{
	u64 t = addr + insn->length + (u64)insn->imm[0].value;

	if (insn->opnd_size == 2)
		return t & 0xffff;
	if (insn->mode == KRP_INSN_MODE_32)
		return t & 0xffffffffULL;
	return t;
}

/**
 * krp_insn_rip_target() - the address a RIP-relative operand refers to
 * @insn: a decoded instruction with %KRP_INSN_F_RIP_REL
 * @addr: the address the instruction runs at
 *
 * Return: the operand's address (EIP-relative wraps at 4 GiB under 67h).
 */
static inline u64 krp_insn_rip_target(const struct krp_insn *insn, u64 addr)
{
	u64 t = addr + insn->length + (u64)insn->disp.value;

	if (insn->addr_size == 4)
		return t & 0xffffffffULL;
	return t;
}

#endif /* KRP_X86_INSN_H */
