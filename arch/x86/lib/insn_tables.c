// SPDX-License-Identifier: GPL-2.0
/*
 * Opcode attribute tables of krp's x86 decoder; the format is described
 * in insn_tables.h.
 *
 * Written from the opcode maps of the Intel SDM volume 2 and the AMD APM
 * volume 3.  The legacy maps (one byte, 0F, 0F 38, 0F 3A) say which
 * opcodes are undefined, with which mandatory prefixes an SSE opcode
 * exists and which have only a register or only a memory form, so that a
 * probe is never placed on something the decoder does not understand.
 * Two corners are described by their layout only, which gives the right
 * length but accepts some undefined encodings: the x87 escapes (D8-DF),
 * where every ModRM is taken, and the VEX, EVEX and XOP maps, where
 * every opcode has a ModRM byte and the map decides the immediate.
 */
#include "insn_tables.h"

/* Short names keep a row of eight opcodes on one line. */
#define M	KRP_A_MODRM
#define Ib	KRP_IMM_B
#define Iw	KRP_IMM_W
#define Iz	KRP_IMM_Z
#define Iv	KRP_IMM_V
#define Jb	(KRP_IMM_REL8 | KRP_A_F64)
#define Jz	(KRP_IMM_RELZ | KRP_A_F64)
#define Ap	KRP_IMM_FAR
#define Ob	KRP_IMM_MOFFS
#define INV	KRP_A_INV
#define i64	KRP_A_NO64
#define d64	KRP_A_D64
#define f64	KRP_A_F64
#define Mem	(KRP_A_MODRM | KRP_A_MEMONLY)
#define Reg	(KRP_A_MODRM | KRP_A_REGONLY)
#define RM0	(KRP_A_MODRM | KRP_A_RM0)
#define CRDR	(KRP_A_MODRM | KRP_A_CRDR)
#define PFX	KRP_A_PREFIX
#define REX	KRP_A_REX
#define VEX	KRP_A_VEX
#define ESC(m)	(KRP_A_ESC | KRP_A_INDEX(KRP_INSN_MAP_##m))
#define GRP(g)	(KRP_A_GROUP | KRP_A_MODRM | KRP_A_INDEX(KRP_G_##g))
#define SEL(p)	(KRP_A_PFXSEL | KRP_A_MODRM | KRP_A_INDEX(KRP_P_##p))
#define CL(c)	KRP_A_CLASS(KRP_C_##c)

/* Mandatory prefixes an SSE/MMX opcode is defined with (none: any). */
#define NP	KRP_A_PFX(KRP_PS_NONE)
#define P66	KRP_A_PFX(KRP_PS_66)
#define PF3	KRP_A_PFX(KRP_PS_F3)
#define PF2	KRP_A_PFX(KRP_PS_F2)
#define MX	(NP | P66)	/* MMX, and its SSE2 form under 66 */

#define MI	(M | Ib)
#define JCC	(Jb | CL(JCC))
#define JCCZ	(Jz | CL(JCC))

/* Group and selection numbers and escape targets share a 4-bit field. */
_Static_assert(KRP_G_NR <= 16 && KRP_P_NR <= 16 &&
	       KRP_INSN_MAP_3DNOW < 16, "attribute index field too small");
_Static_assert(KRP_C_NR <= 32, "attribute class field too small");

const u32 krp_insn_map_1byte[256] = {
	/* 00: add; push/pop es */
	M, M, M, M, Ib, Iz, i64, i64,
	/* 08: or; push cs; 0F escape */
	M, M, M, M, Ib, Iz, i64, ESC(0F),
	/* 10: adc; push/pop ss */
	M, M, M, M, Ib, Iz, i64, i64,
	/* 18: sbb; push/pop ds */
	M, M, M, M, Ib, Iz, i64, i64,
	/* 20: and; es:; daa */
	M, M, M, M, Ib, Iz, PFX, i64,
	/* 28: sub; cs:; das */
	M, M, M, M, Ib, Iz, PFX, i64,
	/* 30: xor; ss:; aaa */
	M, M, M, M, Ib, Iz, PFX, i64,
	/* 38: cmp; ds:; aas */
	M, M, M, M, Ib, Iz, PFX, i64,
	/* 40: inc r32, REX in long mode */
	REX, REX, REX, REX, REX, REX, REX, REX,
	/* 48: dec r32, REX in long mode */
	REX, REX, REX, REX, REX, REX, REX, REX,
	/* 50: push r */
	d64, d64, d64, d64, d64, d64, d64, d64,
	/* 58: pop r */
	d64, d64, d64, d64, d64, d64, d64, d64,
	/* 60: pusha, popa, bound/EVEX, arpl/movsxd, fs:, gs:, 66, 67 */
	i64, i64, Mem | i64 | VEX, M, PFX, PFX, PFX, PFX,
	/* 68: push Iz, imul Gv,Ev,Iz, push Ib, imul Gv,Ev,Ib, ins, outs */
	Iz | d64, M | Iz, Ib | d64, M | Ib, 0, 0, 0, 0,
	/* 70: jcc rel8 */
	JCC, JCC, JCC, JCC, JCC, JCC, JCC, JCC,
	JCC, JCC, JCC, JCC, JCC, JCC, JCC, JCC,
	/* 80: group 1 (82 is an alias of 80 outside long mode), test, xchg */
	M | Ib, M | Iz, M | Ib | i64, M | Ib, M, M, M, M,
	/* 88: mov, mov Ev,Sw, lea, mov Sw,Ew, group 1a (pop Ev) or XOP */
	M, M, M, M, M, Mem, M, GRP(1A) | VEX,
	/* 90: nop/pause, xchg */
	0, 0, 0, 0, 0, 0, 0, 0,
	/* 98: cbw, cwd, lcall ptr, fwait, pushf, popf, sahf, lahf */
	0, 0, Ap | i64 | CL(CALLF), 0, d64, d64, 0, 0,
	/* A0: mov moffs, movs, cmps */
	Ob, Ob, Ob, Ob, 0, 0, 0, 0,
	/* A8: test, stos, lods, scas */
	Ib, Iz, 0, 0, 0, 0, 0, 0,
	/* B0: mov r8,Ib */
	Ib, Ib, Ib, Ib, Ib, Ib, Ib, Ib,
	/* B8: mov r,Iv (imm64 with REX.W) */
	Iv, Iv, Iv, Iv, Iv, Iv, Iv, Iv,
	/* C0: group 2 Ib, ret Iw, ret, les/VEX3, lds/VEX2, group 11 */
	M | Ib, M | Ib, Iw | f64 | CL(RET), f64 | CL(RET),
	Mem | i64 | VEX, Mem | i64 | VEX, GRP(11B), GRP(11V),
	/* C8: enter, leave, lret Iw, lret, int3, int Ib, into, iret */
	KRP_IMM_W_B | d64, d64, Iw | CL(RETF), CL(RETF),
	CL(INT3), Ib | CL(INT), i64 | CL(INT), CL(IRET),
	/* D0: group 2, aam, aad, (salc: undefined), xlat */
	M, M, M, M, Ib | i64, Ib | i64, INV, 0,
	/* D8: x87 escapes */
	M, M, M, M, M, M, M, M,
	/* E0: loopne, loope, loop, jcxz, in/out Ib */
	Jb | CL(LOOP), Jb | CL(LOOP), Jb | CL(LOOP), Jb | CL(LOOP),
	Ib, Ib, Ib, Ib,
	/* E8: call, jmp, ljmp ptr, jmp rel8, in/out dx */
	Jz | CL(CALL), Jz | CL(JMP), Ap | i64 | CL(JMPF), Jb | CL(JMP),
	0, 0, 0, 0,
	/* F0: lock, int1, repne, rep, hlt, cmc, group 3 */
	PFX, CL(INT), PFX, PFX, 0, 0, GRP(3B), GRP(3V),
	/* F8: clc, stc, cli, sti, cld, std, group 4, group 5 */
	0, 0, 0, 0, 0, 0, GRP(4), GRP(5),
};

const u32 krp_insn_map_0f[256] = {
	/* 00: group 6, group 7, lar, lsl, -, syscall, clts, sysret */
	GRP(6), M, M, M, INV, CL(SYS), 0, CL(SYS),
	/* 08: invd, wbinvd, -, ud2, -, prefetch, femms, 3DNow! */
	0, 0, INV, CL(UD), INV, M, 0, ESC(3DNOW),
	/* 10: movups..., movlps/movhlps..., unpck*, movhps/movlhps... */
	M, M, M, Mem | MX, M | MX, M | MX, M | NP | P66 | PF3, Mem | MX,
	/* 18: prefetch hints, hint nops, endbr */
	M, M, M, M, M, M, M, M,
	/* 20: mov cr/dr; 24-27 were mov tr on the 386/486 */
	CRDR, CRDR, CRDR, CRDR, INV, INV, INV, INV,
	/* 28: movaps/pd, cvt*2*, movnt* (F3/F2: AMD), cvt*, ucomis, comis */
	M | MX, M | MX, M, Mem, M, M, M | MX, M | MX,
	/* 30: wrmsr, rdtsc, rdmsr, rdpmc, sysenter, sysexit, -, getsec */
	0, 0, 0, 0, CL(SYS), CL(SYS), INV, 0,
	/* 38: three-byte escapes */
	ESC(0F38), INV, ESC(0F3A), INV, INV, INV, INV, INV,
	/* 40: cmovcc */
	M, M, M, M, M, M, M, M,
	M, M, M, M, M, M, M, M,
	/* 50: movmsk, sqrt, rsqrt, rcp, and, andn, or, xor */
	Reg | MX, M, M | NP | PF3, M | NP | PF3, M | MX, M | MX, M | MX, M | MX,
	/* 58: add, mul, cvtps2pd..., cvtdq2ps..., sub, min, div, max */
	M, M, M, M | NP | P66 | PF3, M, M, M, M,
	/* 60: punpck*, pack*, pcmpgt* */
	M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX,
	/* 68: punpckh*, packssdw, punpck*qdq, movd/q, movq/movdqa/movdqu */
	M | MX, M | MX, M | MX, M | MX, M | P66, M | P66, M | MX,
	M | NP | P66 | PF3,
	/* 70: pshuf*, groups 12-14 (shift by Ib), pcmpeq*, emms */
	MI, GRP(12), GRP(13), GRP(14), M | MX, M | MX, M | MX, NP,
	/* 78: vmread/extrq/insertq, vmwrite/..., -, -, hadd, hsub, movd/q */
	SEL(0F78), SEL(0F79), INV, INV, M | P66 | PF2, M | P66 | PF2,
	M | NP | P66 | PF3, M | NP | P66 | PF3,
	/* 80: jcc rel16/32 */
	JCCZ, JCCZ, JCCZ, JCCZ, JCCZ, JCCZ, JCCZ, JCCZ,
	JCCZ, JCCZ, JCCZ, JCCZ, JCCZ, JCCZ, JCCZ, JCCZ,
	/* 90: setcc */
	M, M, M, M, M, M, M, M,
	M, M, M, M, M, M, M, M,
	/* A0: push fs, pop fs, cpuid, bt, shld Ib, shld cl, VIA PadLock */
	d64, d64, 0, M, M | Ib, M, GRP(VIA6), GRP(VIA7),
	/* A8: push gs, pop gs, rsm, bts, shrd Ib, shrd cl, group 15, imul */
	d64, d64, 0, M, M | Ib, M, M, M,
	/* B0: cmpxchg, lss, btr, lfs, lgs, movzx */
	M, M, Mem, M, Mem, Mem, M, M,
	/* B8: popcnt, ud1, group 8, btc, bsf/tzcnt, bsr/lzcnt, movsx */
	SEL(0FB8), M | CL(UD), GRP(8), M, M, M, M, M,
	/* C0: xadd, cmpps, movnti, pinsrw, pextrw, shufps, group 9 */
	M, M, MI, Mem | NP, MI | MX, Reg | Ib | MX, MI | MX, GRP(9),
	/* C8: bswap */
	0, 0, 0, 0, 0, 0, 0, 0,
	/* D0: addsubp*, psrl*, paddq, pmullw, movq/movq2dq/..., pmovmskb */
	M | P66 | PF2, M | MX, M | MX, M | MX, M | MX, M | MX,
	M | P66 | PF3 | PF2, Reg | MX,
	/* D8: psubus*, pminub, pand, paddus*, pmaxub, pandn */
	M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX,
	/* E0: pavg*, psra*, pmulh*, cvt*dq, movntq/movntdq */
	M | MX, M | MX, M | MX, M | MX, M | MX, M | MX,
	M | P66 | PF3 | PF2, Mem | MX,
	/* E8: psubs*, pmins*, por, padds*, pmaxsw, pxor */
	M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX,
	/* F0: lddqu, psll*, pmuludq, pmaddwd, psadbw, maskmovq/dqu */
	Mem | PF2, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, Reg | MX,
	/* F8: psub*, padd*; FF is ud0 */
	M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | CL(UD),
};

const u32 krp_insn_map_0f38[256] = {
	/* 00: pshufb ... pmulhrsw (SSSE3: MMX and 66 forms) */
	M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX, M | MX,
	M | MX, M | MX, M | MX, M | MX, INV, INV, INV, INV,
	/* 10: pblendvb, blendvps/pd, ptest, pabs* */
	M | P66, INV, INV, INV, M | P66, M | P66, INV, M | P66,
	INV, INV, INV, INV, M | MX, M | MX, M | MX, INV,
	/* 20: pmovsx*, pmuldq, pcmpeqq, movntdqa, packusdw */
	M | P66, M | P66, M | P66, M | P66, M | P66, M | P66, INV, INV,
	M | P66, M | P66, Mem | P66, M | P66, INV, INV, INV, INV,
	/* 30: pmovzx*, pcmpgtq, pmin/pmax */
	M | P66, M | P66, M | P66, M | P66, M | P66, M | P66, INV, M | P66,
	M | P66, M | P66, M | P66, M | P66, M | P66, M | P66, M | P66, M | P66,
	/* 40: pmulld, phminposuw */
	M | P66, M | P66, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 50 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 60 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 70 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 80: invept, invvpid, invpcid */
	Mem | P66, Mem | P66, Mem | P66, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 90 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* A0 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* B0 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* C0: sha1/sha256, gf2p8mulb */
	INV, INV, INV, INV, INV, INV, INV, INV,
	M | NP, M | NP, M | NP, M | NP, M | NP, M | NP, INV, M | P66,
	/* D0: Key Locker wide, aesimc, aesenc/dec (and Key Locker forms) */
	INV, INV, INV, INV, INV, INV, INV, INV,
	Mem | PF3, INV, INV, M | P66, M | P66 | PF3, M | P66 | PF3,
	M | P66 | PF3, M | P66,
	/* E0 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/*
	 * F0: movbe/crc32, wruss, wrss/adcx/adox, movdir64b/enqcmd(s),
	 * movdiri, encodekey128/256, aadd/aand/aor/axor
	 */
	M | NP | P66 | PF2, M | NP | P66 | PF2, INV, INV, INV, Mem | P66,
	M | NP | P66 | PF3, INV,
	M | P66 | PF3 | PF2, Mem | NP, Reg | PF3, Reg | PF3, Mem, INV, INV, INV,
};

const u32 krp_insn_map_0f3a[256] = {
	/* 00 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 08: round*, blend*, pblendw, palignr (MMX and 66) */
	MI | P66, MI | P66, MI | P66, MI | P66, MI | P66, MI | P66, MI | P66,
	MI | MX,
	/* 10: pextrb/w/d, extractps */
	INV, INV, INV, INV, MI | P66, MI | P66, MI | P66, MI | P66,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 20: pinsrb, insertps, pinsrd/q */
	MI | P66, MI | P66, MI | P66, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 30 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 40: dpps, dppd, mpsadbw, pclmulqdq */
	MI | P66, MI | P66, MI | P66, INV, MI | P66, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 50 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 60: pcmpestrm/i, pcmpistrm/i */
	MI | P66, MI | P66, MI | P66, MI | P66, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 70 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 80 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* 90 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* A0 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* B0 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* C0: sha1rnds4, gf2p8affineqb, gf2p8affineinvqb */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, MI | NP, INV, MI | P66, MI | P66,
	/* D0: aeskeygenassist */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, MI | P66,
	/* E0 */
	INV, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
	/* F0: hreset */
	Reg | Ib | PF3, INV, INV, INV, INV, INV, INV, INV,
	INV, INV, INV, INV, INV, INV, INV, INV,
};

/*
 * VEX/EVEX map 1 keeps the layout of the legacy 0F map where both define
 * an opcode: shuffles, shifts by immediate, cmpps and the pinsrw family
 * take an imm8; vzeroupper/vzeroall (77) is the one opcode without ModRM.
 */
static const u32 krp_insn_vmap_0f[256] = {
	[0x00 ... 0x6f] = M,
	[0x70 ... 0x73] = MI,
	[0x74 ... 0x76] = M,
	[0x77] = 0,
	[0x78 ... 0xc1] = M,
	[0xc2] = MI,
	[0xc3] = M,
	[0xc4 ... 0xc6] = MI,
	[0xc7 ... 0xff] = M,
};

/* Indexed by VEX.mmmmm: only maps 1-3 exist. */
const struct krp_insn_vmap krp_insn_vmaps_vex[32] = {
	[1] = { .map = KRP_INSN_MAP_0F, .ops = krp_insn_vmap_0f },
	[2] = { .map = KRP_INSN_MAP_0F38, .attr = M },
	[3] = { .map = KRP_INSN_MAP_0F3A, .attr = MI },
};

/* Indexed by EVEX.mmm: maps 5 and 6 came with AVX512-FP16. */
const struct krp_insn_vmap krp_insn_vmaps_evex[8] = {
	[1] = { .map = KRP_INSN_MAP_0F, .ops = krp_insn_vmap_0f },
	[2] = { .map = KRP_INSN_MAP_0F38, .attr = M },
	[3] = { .map = KRP_INSN_MAP_0F3A, .attr = MI },
	[5] = { .map = KRP_INSN_MAP_EVEX5, .attr = M },
	[6] = { .map = KRP_INSN_MAP_EVEX6, .attr = M },
};

/* Indexed by XOP.mmmmm: map 8 always has an imm8, map 0Ah an imm32. */
const struct krp_insn_vmap krp_insn_vmaps_xop[32] = {
	[8] = { .map = KRP_INSN_MAP_XOP8, .attr = MI },
	[9] = { .map = KRP_INSN_MAP_XOP9, .attr = M },
	[10] = { .map = KRP_INSN_MAP_XOPA, .attr = M | KRP_IMM_D },
};

/* [mod == 3][reg]: the memory forms first, then the register forms. */
const u32 krp_insn_groups[KRP_G_NR][2][8] = {
	[KRP_G_1A] = {
		{ M | d64, INV, INV, INV, INV, INV, INV, INV },
		{ M | d64, INV, INV, INV, INV, INV, INV, INV },
	},
	/* test has an immediate, the other six do not; /1 aliases /0 */
	[KRP_G_3B] = {
		{ M | Ib, M | Ib, M, M, M, M, M, M },
		{ M | Ib, M | Ib, M, M, M, M, M, M },
	},
	[KRP_G_3V] = {
		{ M | Iz, M | Iz, M, M, M, M, M, M },
		{ M | Iz, M | Iz, M, M, M, M, M, M },
	},
	[KRP_G_4] = {
		{ M, M, INV, INV, INV, INV, INV, INV },
		{ M, M, INV, INV, INV, INV, INV, INV },
	},
	/* far call/jmp take an m16:16/32/64 in memory only */
	[KRP_G_5] = {
		{ M, M, M | f64 | CL(CALL_IND), M | CL(CALLF_IND),
		  M | f64 | CL(JMP_IND), M | CL(JMPF_IND), M | d64, INV },
		{ M, M, M | f64 | CL(CALL_IND), INV,
		  M | f64 | CL(JMP_IND), INV, M | d64, INV },
	},
	/* C6 F8 ib is xabort, C7 F8 rel16/32 is xbegin */
	[KRP_G_11B] = {
		{ M | Ib, INV, INV, INV, INV, INV, INV, INV },
		{ M | Ib, INV, INV, INV, INV, INV, INV,
		  M | Ib | KRP_A_RM0 },
	},
	[KRP_G_11V] = {
		{ M | Iz, INV, INV, INV, INV, INV, INV, INV },
		{ M | Iz, INV, INV, INV, INV, INV, INV,
		  M | KRP_IMM_RELZ | KRP_A_RM0 | CL(XBEGIN) },
	},
	/*
	 * /6 is lkgs Ew (FRED), F2 only; 6.12 patches it in for
	 * load_gs_index.  Like swapgs it exists in long mode only, which
	 * the decoder does not check.
	 */
	[KRP_G_6] = {
		{ M, M, M, M, M, M, M | PF2, INV },
		{ M, M, M, M, M, M, M | PF2, INV },
	},
	[KRP_G_8] = {
		{ INV, INV, INV, INV, MI, MI, MI, MI },
		{ INV, INV, INV, INV, MI, MI, MI, MI },
	},
	/*
	 * Memory: cmpxchg8b/16b, xrstors, xsavec, xsaves, vmptrld/vmclear/
	 * vmxon, vmptrst.  Register: rdrand/senduipi, rdseed/rdpid.
	 */
	[KRP_G_9] = {
		{ INV, M, INV, M, M, M, M, M },
		{ INV, INV, INV, INV, INV, INV, M, M },
	},
	/* VIA PadLock: C0, C8, D0 ... E8 only, normally behind rep */
	[KRP_G_VIA6] = {
		{ INV, INV, INV, INV, INV, INV, INV, INV },
		{ RM0, RM0, RM0, INV, INV, INV, INV, INV },
	},
	[KRP_G_VIA7] = {
		{ INV, INV, INV, INV, INV, INV, INV, INV },
		{ RM0, RM0, RM0, RM0, RM0, RM0, INV, INV },
	},
	/* Shifts by an immediate: register forms; the dq ones are 66 only */
	[KRP_G_12] = {
		{ INV, INV, INV, INV, INV, INV, INV, INV },
		{ INV, INV, MI | MX, INV, MI | MX, INV, MI | MX, INV },
	},
	[KRP_G_13] = {
		{ INV, INV, INV, INV, INV, INV, INV, INV },
		{ INV, INV, MI | MX, INV, MI | MX, INV, MI | MX, INV },
	},
	[KRP_G_14] = {
		{ INV, INV, INV, INV, INV, INV, INV, INV },
		{ INV, INV, MI | MX, MI | P66, INV, INV, MI | MX, MI | P66 },
	},
};

/* [none, 66, F3, F2] */
const u32 krp_insn_pfxsel[KRP_P_NR][KRP_PS_NR] = {
	[KRP_P_0F78] = { M | f64, M | KRP_IMM_B_B, INV, M | KRP_IMM_B_B },
	[KRP_P_0F79] = { M | f64, M, INV, M },
	[KRP_P_0FB8] = { INV, INV, M, INV },
};

/* 3DNow! opcodes (the byte after ModRM/SIB/displacement of 0F 0F). */
const u8 krp_insn_3dnow_valid[256] = {
	[0x0c] = 1, [0x0d] = 1, [0x1c] = 1, [0x1d] = 1,
	[0x86] = 1, [0x87] = 1, [0x8a] = 1, [0x8e] = 1,
	[0x90] = 1, [0x94] = 1, [0x96] = 1, [0x97] = 1,
	[0x9a] = 1, [0x9e] = 1, [0xa0] = 1, [0xa4] = 1,
	[0xa6] = 1, [0xa7] = 1, [0xaa] = 1, [0xae] = 1,
	[0xb0] = 1, [0xb4] = 1, [0xb6] = 1, [0xb7] = 1,
	[0xbb] = 1, [0xbf] = 1,
};

const u32 krp_insn_class_flags[KRP_C_NR] = {
	[KRP_C_NONE] = 0,
	[KRP_C_JCC] = KRP_INSN_F_REL | KRP_INSN_F_COND,
	[KRP_C_LOOP] = KRP_INSN_F_REL | KRP_INSN_F_COND,
	[KRP_C_JMP] = KRP_INSN_F_REL | KRP_INSN_F_JMP,
	[KRP_C_CALL] = KRP_INSN_F_REL | KRP_INSN_F_CALL,
	[KRP_C_XBEGIN] = KRP_INSN_F_REL | KRP_INSN_F_XBEGIN,
	[KRP_C_JMP_IND] = KRP_INSN_F_JMP | KRP_INSN_F_INDIRECT,
	[KRP_C_CALL_IND] = KRP_INSN_F_CALL | KRP_INSN_F_INDIRECT,
	[KRP_C_JMPF] = KRP_INSN_F_JMP | KRP_INSN_F_FAR,
	[KRP_C_CALLF] = KRP_INSN_F_CALL | KRP_INSN_F_FAR,
	[KRP_C_JMPF_IND] = KRP_INSN_F_JMP | KRP_INSN_F_FAR |
			   KRP_INSN_F_INDIRECT,
	[KRP_C_CALLF_IND] = KRP_INSN_F_CALL | KRP_INSN_F_FAR |
			    KRP_INSN_F_INDIRECT,
	[KRP_C_RET] = KRP_INSN_F_RET,
	[KRP_C_RETF] = KRP_INSN_F_RET | KRP_INSN_F_FAR,
	[KRP_C_IRET] = KRP_INSN_F_IRET | KRP_INSN_F_FAR,
	[KRP_C_INT3] = KRP_INSN_F_INT3,
	[KRP_C_INT] = KRP_INSN_F_INT,
	[KRP_C_SYS] = KRP_INSN_F_SYSCALL,
	[KRP_C_UD] = KRP_INSN_F_UD,
};
