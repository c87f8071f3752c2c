/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Opcode attribute tables of krp's x86 decoder: the format shared by
 * insn_tables.c, which holds the data, and insn.c, which walks it.  Not
 * API: users of the decoder include insn.h only.
 *
 * Every opcode of every map has one 32-bit attribute word saying what
 * follows the opcode byte (ModRM, immediates), in which modes it exists,
 * how it sizes its operands in long mode and what kind of control
 * transfer it is.  Where those depend on more than the opcode byte the
 * word sends the decoder to a second-level table: a group (selected by
 * ModRM.mod == 3 and ModRM.reg) or a mandatory-prefix selection.
 */
#ifndef KRP_X86_INSN_TABLES_H
#define KRP_X86_INSN_TABLES_H

#include "insn.h"

/* What follows ModRM/SIB/displacement, in bits 0-3 of an attribute. */
enum krp_imm_kind {
	KRP_IMM_NONE,
	KRP_IMM_B,	/* imm8 */
	KRP_IMM_W,	/* imm16 */
	KRP_IMM_D,	/* imm32 whatever the operand size (XOP map 0Ah) */
	KRP_IMM_Z,	/* imm16 with a 16-bit operand size, else imm32 */
	KRP_IMM_V,	/* imm16, imm32 or imm64: the operand size */
	KRP_IMM_REL8,	/* rel8 */
	KRP_IMM_RELZ,	/* rel16 with a 16-bit operand size, else rel32 */
	KRP_IMM_FAR,	/* ptr16:16 or ptr16:32: offset, then selector */
	KRP_IMM_MOFFS,	/* an address of the address size */
	KRP_IMM_W_B,	/* imm16 then imm8 (enter) */
	KRP_IMM_B_B,	/* imm8 then imm8 (extrq/insertq) */
};

#define KRP_A_IMM_MASK	0x0000000fU
#define KRP_A_MODRM	0x00000010U /* a ModRM byte follows */
#define KRP_A_GROUP	0x00000020U /* see krp_insn_groups[index] */
#define KRP_A_PFXSEL	0x00000040U /* see krp_insn_pfxsel[index] */
#define KRP_A_INV	0x00000080U /* undefined: #UD */
#define KRP_A_NO64	0x00000100U /* undefined in 64-bit mode */
#define KRP_A_D64	0x00000200U /* long mode: 64-bit operand by default */
#define KRP_A_F64	0x00000400U /* long mode: 64-bit operand, always */
#define KRP_A_CRDR	0x00000800U /* mov cr/dr: mod ignored, always a reg */
#define KRP_A_RM0	0x00001000U /* register form defined for rm == 0 only */
#define KRP_A_MEMONLY	0x00002000U /* register form (mod == 3) undefined */
#define KRP_A_PREFIX	0x00004000U /* legacy prefix byte */
#define KRP_A_ESC	0x00008000U /* escape to map krp_insn_map index */
#define KRP_A_REX	0x00010000U /* REX prefix in 64-bit mode */
#define KRP_A_VEX	0x00020000U /* may start VEX/EVEX/XOP, see insn.c */

/* Control-transfer class in bits 18-22, turned into KRP_INSN_F_* flags. */
#define KRP_A_CLASS_SHIFT	18
#define KRP_A_CLASS_MASK	(0x1fU << KRP_A_CLASS_SHIFT)
#define KRP_A_CLASS(c)		((u32)(c) << KRP_A_CLASS_SHIFT)

#define KRP_A_REGONLY	0x00800000U /* memory form (mod != 3) undefined */

/* Second-level table index, or escape target map, in bits 24-27. */
#define KRP_A_INDEX_SHIFT	24
#define KRP_A_INDEX_MASK	(0xfU << KRP_A_INDEX_SHIFT)
#define KRP_A_INDEX(i)		((u32)(i) << KRP_A_INDEX_SHIFT)

/*
 * Bits 28-31: which mandatory prefixes (none, 66, F3, F2: see
 * enum krp_pfx_slot) the opcode is defined with.  No bit set means any
 * prefix may come: general-purpose opcodes take 66 as the operand size
 * and ignore or give their own meaning to F2/F3.
 */
#define KRP_A_PFX_SHIFT		28
#define KRP_A_PFX(slot)		(1U << (KRP_A_PFX_SHIFT + (slot)))

static inline unsigned int krp_attr_imm(u32 a)
{
	return a & KRP_A_IMM_MASK;
}

static inline unsigned int krp_attr_class(u32 a)
{
	return (a & KRP_A_CLASS_MASK) >> KRP_A_CLASS_SHIFT;
}

static inline unsigned int krp_attr_index(u32 a)
{
	return (a & KRP_A_INDEX_MASK) >> KRP_A_INDEX_SHIFT;
}

/* Is the opcode defined with the mandatory prefix in @slot? */
static inline bool krp_attr_pfx_ok(u32 a, unsigned int slot)
{
	return !(a >> KRP_A_PFX_SHIFT) || (a & KRP_A_PFX(slot));
}

enum krp_insn_class {
	KRP_C_NONE,
	KRP_C_JCC,
	KRP_C_LOOP,	/* loop, loope, loopne, jcxz: all rel8 and conditional */
	KRP_C_JMP,
	KRP_C_CALL,
	KRP_C_XBEGIN,
	KRP_C_JMP_IND,
	KRP_C_CALL_IND,
	KRP_C_JMPF,
	KRP_C_CALLF,
	KRP_C_JMPF_IND,
	KRP_C_CALLF_IND,
	KRP_C_RET,
	KRP_C_RETF,
	KRP_C_IRET,
	KRP_C_INT3,
	KRP_C_INT,
	KRP_C_SYS,
	KRP_C_UD,
	KRP_C_NR,
};

/* Groups: attribute words indexed by [ModRM.mod == 3][ModRM.reg]. */
enum krp_insn_group {
	KRP_G_1A,	/* 8F: pop Ev */
	KRP_G_3B,	/* F6: test/not/neg/mul/imul/div/idiv Eb */
	KRP_G_3V,	/* F7: the same on Ev */
	KRP_G_4,	/* FE: inc/dec Eb */
	KRP_G_5,	/* FF: inc/dec/call/callf/jmp/jmpf/push Ev */
	KRP_G_11B,	/* C6: mov Eb,Ib; xabort */
	KRP_G_11V,	/* C7: mov Ev,Iz; xbegin */
	KRP_G_6,	/* 0F 00: sldt/str/lldt/ltr/verr/verw, lkgs */
	KRP_G_8,	/* 0F BA: bt/bts/btr/btc Ev,Ib */
	KRP_G_9,	/* 0F C7: cmpxchg8b/16b, xsaves..., rdrand, rdseed */
	KRP_G_VIA6,	/* 0F A6: VIA PadLock montmul, xsha1, xsha256 */
	KRP_G_VIA7,	/* 0F A7: VIA PadLock xstore, xcrypt* */
	KRP_G_12,	/* 0F 71: psrlw/psraw/psllw by Ib */
	KRP_G_13,	/* 0F 72: psrld/psrad/pslld by Ib */
	KRP_G_14,	/* 0F 73: psrlq/psrldq/psllq/pslldq by Ib */
	KRP_G_NR,
};

/* Mandatory-prefix selections: attribute words indexed by krp_pfx_slot. */
enum krp_insn_pfxsel {
	KRP_P_0F78,	/* vmread / extrq ib,ib / insertq ib,ib */
	KRP_P_0F79,	/* vmwrite / extrq / insertq */
	KRP_P_0FB8,	/* popcnt, F3 only (no prefix: IA-64 jmpe) */
	KRP_P_NR,
};

enum krp_pfx_slot {
	KRP_PS_NONE,
	KRP_PS_66,
	KRP_PS_F3,
	KRP_PS_F2,
	KRP_PS_NR,
};

extern const u32 krp_insn_map_1byte[256];
extern const u32 krp_insn_map_0f[256];
extern const u32 krp_insn_map_0f38[256];
extern const u32 krp_insn_map_0f3a[256];

/*
 * A map reached through VEX, EVEX or XOP.  Most of them lay out every
 * opcode alike, so only map 1 needs a table of its own: @ops, when set,
 * overrides @attr.  @map is 0 (KRP_INSN_MAP_1BYTE) for reserved maps.
 */
struct krp_insn_vmap {
	u8 map;
	u32 attr;
	const u32 *ops;
};

extern const struct krp_insn_vmap krp_insn_vmaps_vex[32];
extern const struct krp_insn_vmap krp_insn_vmaps_evex[8];
extern const struct krp_insn_vmap krp_insn_vmaps_xop[32];
extern const u32 krp_insn_groups[KRP_G_NR][2][8];
extern const u32 krp_insn_pfxsel[KRP_P_NR][KRP_PS_NR];
extern const u8 krp_insn_3dnow_valid[256];
extern const u32 krp_insn_class_flags[KRP_C_NR];

#endif /* KRP_X86_INSN_TABLES_H */
