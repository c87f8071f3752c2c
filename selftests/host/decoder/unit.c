// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of encodings that are easy to get wrong, in both modes.
 *
 * Each case is the instruction's bytes and what the decoder must report,
 * written as space-separated key=value checks; keys left out are not
 * checked.  The buffer handed to the decoder is exactly the bytes given,
 * so truncation cases are written the same way.
 *
 *   ret=0|EINVAL|ENODATA   len=N  opsz=N  adsz=N  pfxlen=N
 *   map=1byte|0f|0f38|0f3a|3dnow|evex5|evex6|xop8|xop9|xopa   op=HH
 *   modrm=HH|none  sib=HH|none  vex=none|vex2|vex3|evex|xop
 *   vexl=N  vexw=N  vvvv=N  rex=HH  seg=HH  simd=HH
 *   disp=/imm0=/imm1= none | SIZE@OFFSET[:VALUE]  (value signed or not)
 *   flags=none|A,B,...  pfx=none|A,B,...  (exact sets)
 *   tgt=ADDR  rip=ADDR  (branch / RIP-relative target at address 0x1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder_test.h"

#define AT	0x1000	/* where tgt= and rip= suppose the instruction is */

struct unit_case {
	int mode;
	const char *hex;
	const char *expect;
	const char *name;
};

static const struct unit_case cases[] = {
	/* Prefixes. */
	{ 32, "90", "len=1 map=1byte op=90 modrm=none flags=none pfx=none",
	  "nop" },
	{ 32, "f3 90", "len=2 pfx=REP simd=f3 pfxlen=1", "pause (f3 90)" },
	{ 32, "66 90", "len=2 opsz=2 pfx=OPSIZE", "66: 16-bit operand size" },
	{ 32, "f0 ff 00", "len=3 pfx=LOCK modrm=00 flags=MEM",
	  "lock incl (%eax)" },
	{ 32, "26 2e 36 3e 64 65 66 67 f0 f2 f3 90",
	  "len=12 pfxlen=11 pfx=ES,CS,SS,DS,FS,GS,OPSIZE,ADSIZE,LOCK,REPNE,REP seg=65 simd=f3 opsz=2 adsz=2",
	  "eleven prefixes: last segment and last rep win" },
	{ 32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
	  "len=15 pfxlen=14", "14 prefixes + opcode: 15 bytes" },
	{ 32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90",
	  "ret=EINVAL", "16 bytes: too long" },
	{ 32, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66",
	  "ret=EINVAL", "15 prefixes: too long, not short of data" },
	{ 32, "40", "len=1 rex=00", "40 is inc, not REX, in 32-bit mode" },
	{ 32, "3e 8d 74 26 00", "len=5 pfx=DS seg=3e sib=26 disp=1@4:0",
	  "the i386 kernel's 5-byte nop (ds lea)" },

	/* Operand and address size: Iz, moffs. */
	{ 32, "66 05 34 12", "len=4 opsz=2 imm0=2@2:0x1234",
	  "add $imm16,%ax (66 + Iz)" },
	{ 32, "05 78 56 34 12", "len=5 opsz=4 imm0=4@1:0x12345678",
	  "add $imm32,%eax" },
	{ 32, "83 c0 ff", "len=3 imm0=1@2:-1", "add $imm8,%eax, sign-extended" },
	{ 32, "66 b8 34 12", "len=4 opsz=2 imm0=2@2:0x1234", "mov $imm16,%ax" },
	{ 32, "67 a1 34 12", "len=4 adsz=2 imm0=2@2:0x1234 flags=MOFFS",
	  "mov moffs16,%eax (67 a1)" },
	{ 32, "a1 78 56 34 12", "len=5 adsz=4 imm0=4@1:0x12345678 flags=MOFFS",
	  "mov moffs32,%eax" },
	{ 32, "66 a3 78 56 34 12", "len=6 opsz=2 imm0=4@2 flags=MOFFS",
	  "mov %ax,moffs32: moffs follows the address size" },
	{ 32, "a2 78 56 34 12", "len=5 imm0=4@1 flags=MOFFS",
	  "mov %al,moffs32" },
	{ 32, "68 78 56 34 12", "len=5 opsz=4 imm0=4@1", "push $imm32" },
	{ 32, "66 6a ff", "len=3 opsz=2 imm0=1@2:-1", "pushw $imm8" },
	{ 32, "69 c0 78 56 34 12", "len=6 imm0=4@2", "imul $imm32,%eax,%eax" },
	{ 32, "6b c0 05", "len=3 imm0=1@2:5", "imul $imm8,%eax,%eax" },

	/* Two immediates, far pointers. */
	{ 32, "c8 10 00 02", "len=4 imm0=2@1:0x10 imm1=1@3:2",
	  "enter $16,$2: imm16 then imm8" },
	{ 32, "9a 78 56 34 12 cd ab",
	  "len=7 imm0=4@1:0x12345678 imm1=2@5:0xabcd flags=CALL,FAR",
	  "lcall ptr16:32" },
	{ 32, "66 ea 34 12 cd ab",
	  "len=6 opsz=2 imm0=2@2:0x1234 imm1=2@4:0xabcd flags=JMP,FAR",
	  "ljmpw ptr16:16" },
	{ 32, "66 0f 78 c0 01 02", "len=6 simd=66 imm0=1@4:1 imm1=1@5:2",
	  "extrq $1,$2 (66 0f 78: two imm8)" },
	{ 32, "f2 0f 78 c1 01 02", "len=6 simd=f2 imm0=1@4:1 imm1=1@5:2",
	  "insertq $1,$2 (f2 0f 78: two imm8)" },
	{ 32, "0f 78 c1", "len=3 imm0=none", "vmread: 0f 78 without prefix" },

	/* Groups whose layout depends on ModRM.reg or mod. */
	{ 32, "f6 c1 01", "len=3 imm0=1@2:1", "testb $1,%cl (f6 /0 has imm8)" },
	{ 32, "f6 49 10 05", "len=4 disp=1@2:0x10 imm0=1@3:5",
	  "f6 /1: test alias, with imm8" },
	{ 32, "f6 d1", "len=2 imm0=none", "notb %cl (f6 /2: no immediate)" },
	{ 32, "f7 05 78 56 34 12 01 00 00 00",
	  "len=10 disp=4@2:0x12345678 imm0=4@6:1 flags=MEM",
	  "testl $1,abs32 (f7 /0: disp32 + imm32)" },
	{ 32, "66 f7 00 34 12", "len=5 opsz=2 imm0=2@3:0x1234",
	  "testw $imm16,(%eax)" },
	{ 32, "f7 18", "len=2 imm0=none", "negl (%eax): no immediate" },
	{ 32, "c7 00 01 00 00 00", "len=6 imm0=4@2:1", "movl $1,(%eax)" },
	{ 32, "c7 f8 00 01 00 00",
	  "len=6 imm0=4@2:0x100 flags=REL,XBEGIN tgt=0x1106", "xbegin rel32" },
	{ 32, "66 c7 f8 00 01", "len=5 opsz=2 imm0=2@3:0x100 flags=REL,XBEGIN",
	  "xbegin rel16" },
	{ 32, "c6 f8 05", "len=3 imm0=1@2:5 flags=none", "xabort $5" },
	{ 32, "c6 f9 05", "ret=EINVAL", "c6 f9: only rm 0 is xabort" },
	{ 32, "c7 c8 00 00 00 00", "ret=EINVAL", "c7 /1: undefined" },
	{ 32, "8f c0", "len=2 vex=none op=8f", "pop %eax (8f /0)" },
	{ 32, "8f e0", "ret=EINVAL", "8f /4: neither pop nor XOP" },
	{ 32, "fe 10", "ret=EINVAL", "fe /2: undefined" },
	{ 32, "ff 38", "ret=EINVAL", "ff /7: undefined" },
	{ 32, "0f ba e0 05", "len=4 imm0=1@3:5", "bt $5,%eax (0f ba /4)" },
	{ 32, "0f ba c0 05", "ret=EINVAL", "0f ba /0: undefined" },
	{ 32, "0f c7 0f", "len=3 flags=MEM", "cmpxchg8b (%edi)" },
	{ 32, "0f c7 f0", "len=3 flags=none", "rdrand %eax" },
	{ 32, "0f c7 c8", "ret=EINVAL", "0f c7 /1 with a register operand" },
	{ 32, "0f 01 f9", "len=3 modrm=f9", "rdtscp (0f 01 register form)" },
	{ 32, "0f 01 15 78 56 34 12", "len=7 disp=4@3", "lgdtl abs32" },
	{ 32, "c1 e0 05", "len=3 imm0=1@2:5", "shl $5,%eax" },
	{ 32, "d1 e0", "len=2 imm0=none", "shl %eax" },
	{ 32, "82 c0 01", "len=3 imm0=1@2:1", "82: alias of 80 in 32-bit mode" },

	/* Control flow. */
	{ 32, "eb fe", "len=2 imm0=1@1:-2 flags=REL,JMP tgt=0x1000",
	  "jmp rel8" },
	{ 32, "e8 fb ff ff ff", "len=5 flags=REL,CALL tgt=0x1000",
	  "call rel32" },
	{ 32, "e9 00 00 00 80", "len=5 flags=REL,JMP tgt=0x80001005",
	  "jmp rel32: target wraps at 4G" },
	{ 32, "66 e8 fc ff", "len=4 opsz=2 flags=REL,CALL tgt=0x1000",
	  "callw rel16" },
	{ 32, "66 e9 00 80", "len=4 opsz=2 tgt=0x9004",
	  "jmpw rel16: target wraps at 64K" },
	{ 32, "0f 84 fa ff ff ff",
	  "len=6 map=0f op=84 imm0=4@2:-6 flags=REL,COND tgt=0x1000",
	  "je rel32" },
	{ 32, "66 0f 84 00 f0", "len=5 opsz=2 imm0=2@3:-0x1000 tgt=0x5",
	  "je rel16 (66 0f 84)" },
	{ 32, "74 00", "len=2 flags=REL,COND tgt=0x1002", "je rel8" },
	{ 32, "e3 fe", "len=2 imm0=1@1:-2 flags=REL,COND tgt=0x1000",
	  "jecxz" },
	{ 32, "67 e3 fd", "len=3 adsz=2 flags=REL,COND tgt=0x1000",
	  "jcxz (67 e3)" },
	{ 32, "e2 fe", "len=2 flags=REL,COND", "loop" },
	{ 32, "e0 fe", "len=2 flags=REL,COND", "loopne" },
	{ 32, "ff d0", "len=2 modrm=d0 flags=CALL,INDIRECT", "call *%eax" },
	{ 32, "ff 25 78 56 34 12",
	  "len=6 disp=4@2:0x12345678 flags=JMP,INDIRECT,MEM", "jmp *abs32" },
	{ 32, "3e ff e0", "len=3 flags=JMP,INDIRECT", "notrack jmp *%eax" },
	{ 32, "ff 1d 78 56 34 12", "len=6 flags=CALL,FAR,INDIRECT,MEM",
	  "lcall *m16:32" },
	{ 32, "ff 2c 24", "len=3 sib=24 flags=JMP,FAR,INDIRECT,MEM",
	  "ljmp *(%esp)" },
	{ 32, "ff d8", "ret=EINVAL", "lcall with a register operand" },
	{ 32, "c3", "len=1 flags=RET", "ret" },
	{ 32, "f3 c3", "len=2 pfx=REP flags=RET", "repz ret" },
	{ 32, "c2 08 00", "len=3 imm0=2@1:8 flags=RET", "ret $8" },
	{ 32, "cb", "len=1 flags=RET,FAR", "lret" },
	{ 32, "ca 04 00", "len=3 imm0=2@1:4 flags=RET,FAR", "lret $4" },
	{ 32, "cf", "len=1 flags=IRET,FAR", "iret" },
	{ 32, "cc", "len=1 flags=INT3", "int3" },
	{ 32, "cd 80", "len=2 imm0=1@1:0x80 flags=INT", "int $0x80" },
	{ 32, "ce", "len=1 flags=INT", "into" },
	{ 32, "f1", "len=1 flags=INT", "int1" },
	{ 32, "0f 34", "len=2 flags=SYSCALL", "sysenter" },
	{ 32, "0f 0b", "len=2 flags=UD", "ud2" },
	{ 32, "0f b9 40 04", "len=4 modrm=40 flags=UD,MEM", "ud1 has ModRM" },
	{ 32, "0f ff 00", "len=3 flags=UD,MEM", "ud0 has ModRM" },

	/* ModRM, SIB, displacement. */
	{ 32, "8d 04 24", "len=3 sib=24 flags=MEM", "lea (%esp),%eax: SIB" },
	{ 32, "8d c0", "ret=EINVAL", "lea with a register operand" },
	{ 32, "8b 04 25 78 56 34 12", "len=7 sib=25 disp=4@3:0x12345678",
	  "SIB base 5 with mod 0: disp32, no base" },
	{ 32, "8b 44 24 08", "len=4 sib=24 disp=1@3:8", "SIB + disp8" },
	{ 32, "8b 84 24 00 01 00 00", "len=7 disp=4@3:0x100", "SIB + disp32" },
	{ 32, "8b 05 78 56 34 12", "len=6 disp=4@2 flags=MEM",
	  "mod 0 rm 5: absolute disp32, not RIP-relative, in 32-bit mode" },
	{ 32, "8b 45 00", "len=3 disp=1@2:0", "0(%ebp): mod 1 rm 5" },
	{ 32, "67 8b 06 34 12", "len=5 adsz=2 sib=none disp=2@3:0x1234",
	  "16-bit addressing: mod 0 rm 6 is disp16" },
	{ 32, "67 8b 40 08", "len=4 adsz=2 disp=1@3:8",
	  "16-bit addressing: disp8(%bx,%si)" },
	{ 32, "67 8b 80 34 12", "len=5 adsz=2 disp=2@3:0x1234",
	  "16-bit addressing: disp16(%bx,%si)" },
	{ 32, "67 8b 04", "len=3 adsz=2 sib=none disp=none",
	  "16-bit addressing: rm 4 is (%si), no SIB" },
	{ 32, "67 8b 46 00", "len=4 disp=1@3:0", "16-bit addressing: 0(%bp)" },
	{ 32, "0f 20 c0", "len=3 flags=none", "mov %cr0,%eax" },
	{ 32, "0f 22 45", "len=3 disp=none flags=none",
	  "mov to cr: mod 1 ignored, no displacement" },
	{ 32, "0f 21 80", "len=3 disp=none", "mov from dr: mod 2 ignored" },
	{ 32, "d9 ee", "len=2", "fldz" },
	{ 32, "dd 05 78 56 34 12", "len=6 disp=4@2", "fldl abs32" },

	/* Escapes and mandatory prefixes. */
	{ 32, "0f 0f c1 9e", "len=4 map=3dnow op=9e modrm=c1",
	  "3DNow! pfadd: opcode after ModRM" },
	{ 32, "0f 0f 44 24 08 b4", "len=6 map=3dnow op=b4 sib=24 disp=1@4:8",
	  "3DNow! pfmul with SIB and disp8" },
	{ 32, "0f 0f c1 00", "ret=EINVAL", "3DNow! undefined opcode" },
	{ 32, "66 0f 3a 0f c1 08",
	  "len=6 map=0f3a op=0f imm0=1@5:8 simd=66", "palignr (0f 3a, imm8)" },
	{ 32, "66 0f 38 00 c1", "len=5 map=0f38 op=00 imm0=none",
	  "pshufb (0f 38)" },
	{ 32, "f2 0f 38 f1 c1", "len=5 map=0f38 op=f1 simd=f2", "crc32l" },
	{ 32, "f3 0f b8 c1", "len=4 simd=f3", "popcnt" },
	{ 32, "66 f3 0f b8 c1", "len=5 opsz=2 simd=f3",
	  "popcnt r16: f3 selects, 66 sizes" },
	{ 32, "0f b8 c1", "ret=EINVAL", "0f b8 without f3 (jmpe)" },
	{ 32, "f3 0f 1e fb", "len=4 map=0f op=1e", "endbr32" },
	{ 32, "0f 1f 44 00 00", "len=5", "nopl 0(%eax,%eax,1)" },

	/* Mandatory prefixes and register/memory forms of SSE opcodes. */
	{ 32, "f3 0f 6f c1", "len=4 simd=f3", "movdqu (f3 0f 6f)" },
	{ 32, "f2 0f 6f c1", "ret=EINVAL", "f2 0f 6f: undefined" },
	{ 32, "66 0f 77", "ret=EINVAL", "emms takes no 66" },
	{ 32, "0f 2b 00", "len=3 flags=MEM", "movntps: memory form" },
	{ 32, "0f 2b c0", "ret=EINVAL", "movntps: no register form" },
	{ 32, "f3 0f 2b 00", "len=4", "movntss (AMD SSE4a)" },
	{ 32, "0f c5 c1 01", "len=4 imm0=1@3:1", "pextrw: register form" },
	{ 32, "0f c5 00 01", "ret=EINVAL", "pextrw: no memory form" },
	{ 32, "66 0f 73 d8 04", "len=5 imm0=1@4:4", "psrldq $4 (66 0f 73 /3)" },
	{ 32, "0f 73 10 04", "ret=EINVAL", "0f 73: no memory form" },
	{ 32, "0f 73 d8 04", "ret=EINVAL", "psrldq has no MMX form" },
	{ 32, "66 0f 71 c0 04", "ret=EINVAL", "0f 71 /0: undefined" },
	{ 32, "f3 0f 38 00 c1", "ret=EINVAL", "pshufb has no f3 form" },
	{ 32, "0f 3a 0f c1 08", "len=5 imm0=1@4:8", "palignr, MMX form" },
	{ 32, "f2 0f 3a 0f c1 08", "ret=EINVAL", "palignr has no f2 form" },
	{ 32, "66 f2 0f 38 f1 c1", "len=6 opsz=2 simd=f2",
	  "crc32w: f2 selects, 66 sizes" },
	{ 32, "f3 0f 38 f1 c1", "ret=EINVAL", "0f 38 f1 has no f3 form" },
	{ 32, "f3 0f 38 f6 c1", "len=5 simd=f3", "adox" },
	{ 32, "f2 0f 38 f6 c1", "ret=EINVAL", "0f 38 f6 has no f2 form" },
	{ 32, "f3 0f 3a f0 c0 01", "len=6 imm0=1@5:1", "hreset $1" },

	/* Undefined. */
	{ 32, "d6", "ret=EINVAL", "d6 (salc): undefined" },
	{ 32, "0f 04", "ret=EINVAL", "0f 04: undefined" },
	{ 32, "0f a6 c4", "ret=EINVAL", "0f a6 c4: not a PadLock opcode" },
	{ 32, "0f a7 00", "ret=EINVAL", "0f a7: no memory form" },
	{ 32, "f3 0f a7 c8", "len=4 modrm=c8 pfx=REP", "VIA rep xcryptecb" },
	{ 32, "f3 0f a6 d0", "len=4", "VIA rep xsha256" },
	{ 32, "0f 24 c0", "ret=EINVAL", "mov from tr: 386/486 only" },
	{ 32, "0f 38 50 c0", "ret=EINVAL", "0f 38 50: undefined" },
	{ 32, "0f 3a 00 c0 00", "ret=EINVAL", "0f 3a 00: undefined" },

	/* VEX, EVEX and XOP outside long mode. */
	{ 32, "62 00", "len=2 op=62 vex=none flags=MEM", "bound (mod != 3)" },
	{ 32, "62 f1 7c 48 28 41 01",
	  "len=7 vex=evex map=0f op=28 vexl=2 disp=1@6:1",
	  "EVEX vmovaps 0x40(%ecx),%zmm0 (disp8*N stored unscaled)" },
	{ 32, "62 c0", "ret=ENODATA", "62 c0 is EVEX: payload missing" },
	{ 32, "c5 f8 77", "len=3 vex=vex2 map=0f op=77 modrm=none",
	  "vzeroupper (VEX2, no ModRM)" },
	{ 32, "c5 08", "len=2 vex=none op=c5 flags=MEM",
	  "lds (mod != 3 is not VEX)" },
	{ 32, "c4 e3 79 0f c1 08",
	  "len=6 vex=vex3 map=0f3a op=0f imm0=1@5:8 simd=66 vvvv=0",
	  "vpalignr: VEX map 3 has imm8" },
	{ 32, "c4 e2 79 18 00", "len=5 vex=vex3 map=0f38 imm0=none",
	  "vbroadcastss: VEX map 2" },
	{ 32, "c4 e1 f9 73 d0 05", "len=6 vexw=1 imm0=1@5:5",
	  "vpsrlq $5: VEX map 1 shift group has imm8" },
	{ 32, "c5 f9 c6 c1 01", "len=5 imm0=1@4:1 simd=66 vvvv=0",
	  "vshufpd: VEX map 1 c6 has imm8" },
	{ 32, "62 f3 7d 48 1e c1 05", "len=7 vex=evex map=0f3a imm0=1@6:5",
	  "EVEX map 3 with imm8" },
	{ 32, "8f e8 78 c2 c1 01", "len=6 vex=xop map=xop8 imm0=1@5:1",
	  "XOP map 8 (vprotd $1)" },
	{ 32, "8f ea 78 10 c1 01 02 03 04",
	  "len=9 vex=xop map=xopa imm0=4@5:0x04030201",
	  "XOP map 0Ah: imm32 (bextr)" },
	{ 32, "8f e9 78 81 c1", "len=5 map=xop9 imm0=none", "XOP map 9" },

	/* Running out of bytes, and a bad mode. */
	{ 32, "", "ret=ENODATA", "empty buffer" },
	{ 32, "66", "ret=ENODATA", "a prefix only" },
	{ 32, "0f", "ret=ENODATA", "an escape only" },
	{ 32, "e8 00 00", "ret=ENODATA", "call rel32 cut short" },
	{ 32, "8b 44", "ret=ENODATA", "SIB missing" },
	{ 16, "90", "ret=EINVAL", "16-bit mode is not supported" },

	/* Long mode: REX, sizes. */
	{ 64, "48 b8 88 77 66 55 44 33 22 11",
	  "len=10 opsz=8 rex=48 imm0=8@2:0x1122334455667788",
	  "movabs $imm64,%rax (REX.W b8)" },
	{ 64, "b8 78 56 34 12", "len=5 opsz=4 imm0=4@1", "mov $imm32,%eax" },
	{ 64, "66 b8 34 12", "len=4 opsz=2", "mov $imm16,%ax" },
	{ 64, "66 48 b8 88 77 66 55 44 33 22 11", "len=11 opsz=8",
	  "REX.W wins over 66" },
	{ 64, "48 c7 c0 ff ff ff ff", "len=7 opsz=8 imm0=4@3:-1",
	  "mov $-1,%rax: Iz stays 32-bit under REX.W" },
	{ 64, "48 05 78 56 34 12", "len=6 imm0=4@2", "add $imm32,%rax" },
	{ 64, "40 90", "len=2 rex=40", "REX + nop" },
	{ 64, "48 66 90", "len=3 rex=00 opsz=2",
	  "REX before a legacy prefix is ignored" },
	{ 64, "4f", "ret=ENODATA", "REX then nothing" },
	{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 48 90",
	  "len=15 rex=48", "13 prefixes + REX + opcode: 15 bytes" },
	{ 64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 48 90",
	  "ret=EINVAL", "16 bytes with REX" },
	{ 64, "48 63 c7", "len=3 opsz=8", "movslq %edi,%rax (63 is movsxd)" },
	{ 64, "8f c0", "len=2 opsz=8", "pop %rax: 64-bit by default" },
	{ 64, "66 8f c0", "len=3 opsz=2", "pop %ax" },
	{ 64, "50", "len=1 opsz=8", "push %rax" },
	{ 64, "41 50", "len=2 rex=41 opsz=8", "push %r8" },
	{ 64, "f3 48 a5", "len=3 pfx=REP opsz=8", "rep movsq" },
	{ 64, "66 2e 0f 1f 84 00 00 00 00 00",
	  "len=10 pfx=OPSIZE,CS sib=00 disp=4@6", "nopw %cs:0(%rax,%rax,1)" },
	{ 64, "66 66 2e 0f 1f 84 00 00 00 00 00", "len=11",
	  "data16 cs nopw" },

	/* Long mode: addressing. */
	{ 64, "8b 05 78 56 34 12",
	  "len=6 disp=4@2:0x12345678 flags=MEM,RIP_REL rip=0x1234667e",
	  "RIP-relative" },
	{ 64, "67 8b 05 f0 ff ff ff", "len=7 adsz=4 flags=MEM,RIP_REL rip=0xff7",
	  "EIP-relative (67)" },
	{ 64, "8b 04 25 78 56 34 12", "len=7 sib=25 flags=MEM",
	  "SIB without base or index: absolute, not RIP-relative" },
	{ 64, "c7 05 00 00 00 00 01 00 00 00",
	  "len=10 disp=4@2 imm0=4@6:1 flags=MEM,RIP_REL rip=0x100a",
	  "RIP-relative with an immediate after it" },
	{ 64, "41 8b 45 00", "len=4 rex=41 disp=1@3:0",
	  "0(%r13): REX.B does not change the rm 5 rule" },
	{ 64, "49 8b 04 24", "len=4 sib=24", "(%r12): REX.B rm 4 has a SIB" },
	{ 64, "48 8b 04 cd 00 00 00 00", "len=8 sib=cd disp=4@4",
	  "index*8 without base" },
	{ 64, "4c 8b 1d 00 00 00 00", "len=7 rex=4c opsz=8 flags=MEM,RIP_REL",
	  "mov (%rip),%r11" },
	{ 64, "48 a1 88 77 66 55 44 33 22 11",
	  "len=10 adsz=8 imm0=8@2:0x1122334455667788 flags=MOFFS",
	  "movabs moffs64,%rax" },
	{ 64, "a0 88 77 66 55 44 33 22 11", "len=9 imm0=8@1 flags=MOFFS",
	  "movabs moffs64,%al (no REX)" },
	{ 64, "67 a1 78 56 34 12", "len=6 adsz=4 imm0=4@2 flags=MOFFS",
	  "mov moffs32,%eax (67)" },

	/* Long mode: control flow. */
	{ 64, "e8 00 00 00 00", "len=5 opsz=8 flags=REL,CALL tgt=0x1005",
	  "call rel32" },
	{ 64, "e9 00 00 00 80", "len=5 tgt=0xffffffff80001005",
	  "jmp rel32 backwards: 64-bit target" },
	{ 64, "66 e8 00 00 00 00", "ret=EINVAL",
	  "66 call: rel16 on AMD, rel32 on Intel, refused" },
	{ 64, "66 0f 84 00 00 00 00", "ret=EINVAL", "66 jcc rel: refused" },
	{ 64, "66 eb fe", "len=3 opsz=8 flags=REL,JMP",
	  "66 jmp rel8: length does not depend on it" },
	{ 64, "66 c7 f8 34 12", "len=5 opsz=2 imm0=2@3 flags=REL,XBEGIN",
	  "xbegin rel16 in long mode" },
	{ 64, "c7 f8 00 00 00 00", "len=6 imm0=4@2 flags=REL,XBEGIN",
	  "xbegin rel32 in long mode" },
	{ 64, "e3 fe", "len=2 adsz=8 flags=REL,COND tgt=0x1000", "jrcxz" },
	{ 64, "67 e3 fd", "len=3 adsz=4 flags=REL,COND tgt=0x1000",
	  "jecxz (67)" },
	{ 64, "41 ff d3", "len=3 rex=41 opsz=8 flags=CALL,INDIRECT",
	  "call *%r11" },
	{ 64, "ff 15 00 00 00 00",
	  "len=6 flags=CALL,INDIRECT,MEM,RIP_REL rip=0x1006",
	  "call *0(%rip)" },
	{ 64, "ff 14 25 00 10 00 00", "len=7 flags=CALL,INDIRECT,MEM",
	  "call *abs32" },
	{ 64, "48 ff 1c 24", "len=4 flags=CALL,FAR,INDIRECT,MEM",
	  "rex.W lcall *(%rsp)" },
	{ 64, "ff 35 00 00 00 00", "len=6 opsz=8 flags=MEM,RIP_REL",
	  "push 0(%rip)" },
	{ 64, "c2 08 00", "len=3 opsz=8 flags=RET", "ret $8" },
	{ 64, "48 cf", "len=2 opsz=8 flags=IRET,FAR", "iretq" },
	{ 64, "0f 05", "len=2 flags=SYSCALL", "syscall" },
	{ 64, "48 0f 07", "len=3 flags=SYSCALL", "sysretq" },
	{ 64, "0f 01 f8", "len=3", "swapgs" },
	{ 64, "f3 0f 1e fa", "len=4", "endbr64" },
	{ 64, "f2 0f 00 f7", "len=4 simd=f2 modrm=f7 flags=none",
	  "lkgs %di (6.12's load_gs_index; objdump 2.40: (bad))" },
	{ 64, "f2 0f 00 70 08", "len=5 disp=1@4:8 flags=MEM",
	  "lkgs 8(%rax)" },
	{ 64, "0f 00 f7", "ret=EINVAL", "0f 00 /6 without F2: undefined" },
	{ 64, "66 0f 00 f7", "ret=EINVAL", "0f 00 /6 with 66: undefined" },
	{ 64, "f2 0f 00 f8", "ret=EINVAL", "0f 00 /7: undefined" },

	/* Long mode: opcodes that do not exist there. */
	{ 64, "06", "ret=EINVAL", "push %es" },
	{ 64, "27", "ret=EINVAL", "daa" },
	{ 64, "60", "ret=EINVAL", "pusha" },
	{ 64, "82 c0 01", "ret=EINVAL", "82" },
	{ 64, "9a 00 00 00 00 00 00", "ret=EINVAL", "lcall ptr16:32" },
	{ 64, "ea 00 00 00 00 00 00", "ret=EINVAL", "ljmp ptr16:32" },
	{ 64, "ce", "ret=EINVAL", "into" },
	{ 64, "d4 0a", "ret=EINVAL", "aam" },
	{ 64, "d5 0a", "ret=EINVAL", "aad (REX2 is not decoded)" },

	/* Long mode: escapes, VEX, EVEX. */
	{ 64, "0f 38 f1 07", "len=4 map=0f38 flags=MEM", "movbe %eax,(%rdi)" },
	{ 64, "f2 48 0f 38 f1 c1", "len=6 opsz=8 simd=f2 rex=48", "crc32q" },
	{ 64, "66 0f 3a 44 c1 00", "len=6 map=0f3a imm0=1@5:0", "pclmulqdq" },
	{ 64, "0f 0f c1 9e", "len=4 map=3dnow", "3DNow! in long mode" },
	{ 64, "c5 f8 77", "len=3 vex=vex2", "vzeroupper" },
	{ 64, "c5 fd 6f 05 00 00 00 00",
	  "len=8 vex=vex2 vexl=1 simd=66 flags=MEM,RIP_REL rip=0x1008",
	  "vmovdqa 0(%rip),%ymm0" },
	{ 64, "c4 e2 7d 58 c0", "len=5 vex=vex3 map=0f38 op=58",
	  "vpbroadcastd" },
	{ 64, "c4 e3 fd 00 c1 1b", "len=6 vexw=1 map=0f3a imm0=1@5:0x1b",
	  "vpermq $0x1b" },
	{ 64, "c4 e2 f8 f2 c1", "len=5 opsz=8 vexw=1 map=0f38 op=f2 vvvv=0",
	  "andn %rcx,%rax,%rax: VEX.W makes it 64-bit" },
	{ 64, "c4 e1 f9 7e c0", "len=5 opsz=8 vexw=1", "vmovq %xmm0,%rax" },
	{ 64, "62 f1 fd 48 6f 05 00 00 00 00",
	  "len=10 vex=evex vexw=1 vexl=2 flags=MEM,RIP_REL rip=0x100a",
	  "vmovdqa64 0(%rip),%zmm0" },
	{ 64, "62 f1 7d 48 72 d0 05", "len=7 vex=evex imm0=1@6:5",
	  "EVEX vpsrld $5: map 1 group with imm8" },
	{ 64, "62 f2 7d 48 18 00", "len=6 map=0f38", "EVEX vbroadcastss" },
	{ 64, "62 f5 7c 48 58 c1", "len=6 map=evex5", "EVEX map 5 (vaddph)" },
	{ 64, "62 f6 7d 48 98 c1", "len=6 map=evex6",
	  "EVEX map 6 (vfmadd132ph)" },
	{ 64, "62 e1 7c 00 58 c1", "len=6 vvvv=0x10",
	  "EVEX.V' extends vvvv" },
	{ 64, "62 f4 7c 48 58 c1", "ret=EINVAL", "EVEX map 4: not decoded" },
	{ 64, "62 f1 78 48 58 c1", "ret=EINVAL", "EVEX P1 bit 2 clear" },
	{ 64, "c4 e4 79 00 c0", "ret=EINVAL", "VEX map 4: reserved" },
	{ 64, "66 c5 f8 77", "ret=EINVAL", "66 before VEX" },
	{ 64, "48 c5 f8 77", "ret=EINVAL", "REX before VEX" },
	{ 64, "f0 c5 f8 77", "ret=EINVAL", "lock before VEX" },
	{ 64, "c5", "ret=ENODATA", "VEX2 cut short" },
};

unsigned int unit_count(void)
{
	return ARRAY_SIZE(cases);
}

static int parse_hex(const char *s, uint8_t *buf)
{
	int n = 0;
	char *end;

	for (;;) {
		unsigned long v = strtoul(s, &end, 16);

		if (end == s)
			return n;
		buf[n++] = v;
		s = end;
	}
}

struct named_bit {
	const char *name;
	uint32_t bit;
};

static const struct named_bit flag_names[] = {
	{ "REL", KRP_INSN_F_REL }, { "COND", KRP_INSN_F_COND },
	{ "CALL", KRP_INSN_F_CALL }, { "JMP", KRP_INSN_F_JMP },
	{ "INDIRECT", KRP_INSN_F_INDIRECT }, { "FAR", KRP_INSN_F_FAR },
	{ "RET", KRP_INSN_F_RET }, { "IRET", KRP_INSN_F_IRET },
	{ "INT3", KRP_INSN_F_INT3 }, { "INT", KRP_INSN_F_INT },
	{ "SYSCALL", KRP_INSN_F_SYSCALL }, { "UD", KRP_INSN_F_UD },
	{ "XBEGIN", KRP_INSN_F_XBEGIN }, { "MEM", KRP_INSN_F_MEM },
	{ "RIP_REL", KRP_INSN_F_RIP_REL }, { "MOFFS", KRP_INSN_F_MOFFS },
	{ NULL, 0 },
};

static const struct named_bit pfx_names[] = {
	{ "LOCK", KRP_INSN_PFX_LOCK }, { "REPNE", KRP_INSN_PFX_REPNE },
	{ "REP", KRP_INSN_PFX_REP }, { "ES", KRP_INSN_PFX_ES },
	{ "CS", KRP_INSN_PFX_CS }, { "SS", KRP_INSN_PFX_SS },
	{ "DS", KRP_INSN_PFX_DS }, { "FS", KRP_INSN_PFX_FS },
	{ "GS", KRP_INSN_PFX_GS }, { "OPSIZE", KRP_INSN_PFX_OPSIZE },
	{ "ADSIZE", KRP_INSN_PFX_ADSIZE }, { NULL, 0 },
};

static const char *const map_names[] = {
	[KRP_INSN_MAP_1BYTE] = "1byte", [KRP_INSN_MAP_0F] = "0f",
	[KRP_INSN_MAP_0F38] = "0f38", [KRP_INSN_MAP_0F3A] = "0f3a",
	[KRP_INSN_MAP_3DNOW] = "3dnow", [KRP_INSN_MAP_EVEX5] = "evex5",
	[KRP_INSN_MAP_EVEX6] = "evex6", [KRP_INSN_MAP_XOP8] = "xop8",
	[KRP_INSN_MAP_XOP9] = "xop9", [KRP_INSN_MAP_XOPA] = "xopa",
};

static const char *const vex_names[] = {
	[KRP_INSN_VEX_NONE] = "none", [KRP_INSN_VEX2] = "vex2",
	[KRP_INSN_VEX3] = "vex3", [KRP_INSN_EVEX] = "evex",
	[KRP_INSN_XOP] = "xop",
};

/* "A,B,C" or "none" into a bit set; -1 for an unknown name. */
static long parse_bits(const char *v, const struct named_bit *names)
{
	char buf[256], *tok, *save;
	long bits = 0;
	unsigned int i;

	if (!strcmp(v, "none"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; names[i].name; i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (!names[i].name)
			return -1;
		bits |= names[i].bit;
	}
	return bits;
}

static int name_index(const char *v, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(v, names[i]))
			return i;
	return -1;
}

/* "none" or "SIZE@OFFSET[:VALUE]" against a field. */
static bool field_ok(const struct krp_insn_field *f, const char *v)
{
	unsigned long size, off;
	char *end;

	if (!strcmp(v, "none"))
		return f->size == 0;
	size = strtoul(v, &end, 0);
	if (*end != '@')
		return false;
	off = strtoul(end + 1, &end, 0);
	if (f->size != size || f->offset != off)
		return false;
	if (*end == ':') {
		uint64_t want = strtoull(end + 1, NULL, 0);

		if (end[1] == '-')
			want = (uint64_t)strtoll(end + 1, NULL, 0);
		return want == (uint64_t)f->value ||
		       want == krp_insn_field_u64(f);
	}
	return !*end;
}

static bool byte_ok(bool present, unsigned int byte, const char *v)
{
	if (!strcmp(v, "none"))
		return !present;
	return present && byte == strtoul(v, NULL, 16);
}

static const char *errname(int ret)
{
	switch (ret) {
	case 0: return "0";
	case -EINVAL: return "EINVAL";
	case -ENODATA: return "ENODATA";
	default: return "other";
	}
}

/* Check one key=value; false (after a diagnostic) if it does not hold. */
static bool check(const struct krp_insn *in, int ret, const char *key,
		  const char *v)
{
	unsigned long n = strtoul(v, NULL, 0);
	bool ok;

	if (!strcmp(key, "ret"))
		return !strcmp(errname(ret), v) ||
		       (diag("  ret: got %s (%d), want %s", errname(ret), ret, v),
			false);
	if (ret)
		return false;	/* reported once, by the caller */

	if (!strcmp(key, "len"))
		ok = in->length == n;
	else if (!strcmp(key, "opsz"))
		ok = in->opnd_size == n;
	else if (!strcmp(key, "adsz"))
		ok = in->addr_size == n;
	else if (!strcmp(key, "pfxlen"))
		ok = in->prefix_len == n;
	else if (!strcmp(key, "map"))
		ok = name_index(v, map_names, ARRAY_SIZE(map_names)) ==
		     in->map;
	else if (!strcmp(key, "op"))
		ok = in->opcode == strtoul(v, NULL, 16);
	else if (!strcmp(key, "modrm"))
		ok = byte_ok(in->modrm.present, in->modrm.byte, v);
	else if (!strcmp(key, "sib"))
		ok = byte_ok(in->sib.present, in->sib.byte, v);
	else if (!strcmp(key, "vex"))
		ok = name_index(v, vex_names, ARRAY_SIZE(vex_names)) ==
		     in->vex_type;
	else if (!strcmp(key, "vexl"))
		ok = in->vex_l == n;
	else if (!strcmp(key, "vexw"))
		ok = in->vex_w == n;
	else if (!strcmp(key, "vvvv"))
		ok = in->vex_vvvv == n;
	else if (!strcmp(key, "rex"))
		ok = in->rex == strtoul(v, NULL, 16);
	else if (!strcmp(key, "seg"))
		ok = in->seg == strtoul(v, NULL, 16);
	else if (!strcmp(key, "simd"))
		ok = in->simd_prefix == strtoul(v, NULL, 16);
	else if (!strcmp(key, "disp"))
		ok = field_ok(&in->disp, v);
	else if (!strcmp(key, "imm0"))
		ok = field_ok(&in->imm[0], v);
	else if (!strcmp(key, "imm1"))
		ok = field_ok(&in->imm[1], v);
	else if (!strcmp(key, "flags"))
		ok = parse_bits(v, flag_names) == (long)in->flags;
	else if (!strcmp(key, "pfx"))
		ok = parse_bits(v, pfx_names) == (long)in->prefix_flags;
	else if (!strcmp(key, "tgt"))
		ok = (in->flags & KRP_INSN_F_REL) &&
		     krp_insn_rel_target(in, AT) == strtoull(v, NULL, 16);
	else if (!strcmp(key, "rip"))
		ok = (in->flags & KRP_INSN_F_RIP_REL) &&
		     krp_insn_rip_target(in, AT) == strtoull(v, NULL, 16);
	else {
		diag("  unknown %s %s", __func__, key);
		return false;
	}
	if (!ok)
		diag("  %s: want %s", key, v);
	return ok;
}

static void dump(const struct krp_insn *in)
{
	diag("  got: len %u opsz %u adsz %u pfxlen %u pfx %#x rex %#x vex %u map %u op %#x flags %#x",
	     in->length, in->opnd_size, in->addr_size, in->prefix_len,
	     in->prefix_flags, in->rex, in->vex_type, in->map, in->opcode,
	     in->flags);
	diag("  modrm %u:%#x sib %u:%#x disp %u@%u imm0 %u@%u:%#llx imm1 %u@%u:%#llx",
	     in->modrm.present, in->modrm.byte,
	     in->sib.present, in->sib.byte, in->disp.size, in->disp.offset,
	     in->imm[0].size, in->imm[0].offset,
	     (unsigned long long)in->imm[0].value, in->imm[1].size,
	     in->imm[1].offset, (unsigned long long)in->imm[1].value);
}

/**
 * unit_run() - run one unit case
 * @i:    its index, below unit_count()
 * @name: set to a description for the TAP line
 *
 * Return: whether every check of the case held.
 */
bool unit_run(unsigned int i, const char **name)
{
	static char title[160];
	const struct unit_case *c = &cases[i];
	char exp[512], *tok, *save;
	uint8_t buf[32];
	struct krp_insn in;
	bool ok = true, want_ok = true;
	int n, ret;

	snprintf(title, sizeof(title), "decode%d: %s [%s]", c->mode, c->name,
		 c->hex);
	*name = title;
	n = parse_hex(c->hex, buf);
	ret = krp_insn_decode(&in, buf, n, c->mode);

	snprintf(exp, sizeof(exp), "%s", c->expect);
	if (!strstr(exp, "ret="))
		want_ok = true;
	else
		want_ok = strstr(exp, "ret=0") != NULL;
	if (want_ok && ret) {
		diag("  decode failed: %s (%d)", errname(ret), ret);
		return false;
	}
	for (tok = strtok_r(exp, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			diag("  malformed check %s", tok);
			ok = false;
			continue;
		}
		*eq = '\0';
		if (!check(&in, ret, tok, eq + 1))
			ok = false;
	}
	if (!ok && !ret)
		dump(&in);
	return ok;
}

/* xorshift64: the same "random" bytes on every run. */
static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static uint64_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return fuzz_state;
}

/* Bytes that lead the decoder into prefixes, escapes and vector paths. */
static const uint8_t fuzz_bias[] = {
	0x0f, 0x0f, 0x38, 0x3a, 0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e,
	0x40, 0x48, 0x4f, 0xc4, 0xc5, 0x62, 0x8f, 0xf6, 0xf7, 0xc7, 0xff,
	0x04, 0x05, 0x44, 0x84, 0x25, 0xe3, 0x9a, 0xa1,
};

/**
 * fuzz_run() - decode pseudo-random bytes against a guard page
 * @guard: first byte of an inaccessible page, mapped after a writable one
 * @count: how many byte strings to try, in each mode
 *
 * Every 15-byte string must either fail (never with -ENODATA: 15 bytes
 * are always enough) or decode to the same instruction from exactly its
 * own bytes, and to -ENODATA from one byte fewer.  The bytes end where
 * the guard page starts, so any read past the buffer faults.
 *
 * @valid: set to how many strings started with a valid instruction
 *
 * Return: the number of inconsistent decodes.
 */
unsigned long fuzz_run(uint8_t *guard, unsigned long count,
		       unsigned long *valid)
{
	static const int modes[] = { KRP_INSN_MODE_32, KRP_INSN_MODE_64 };
	unsigned long n, bad = 0;
	struct krp_insn a, b;
	unsigned int i, m;
	uint8_t buf[KRP_INSN_MAX_LEN];
	int ra, rb, rc;

	*valid = 0;
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (n = 0; n < count; n++) {
			for (i = 0; i < sizeof(buf); i++) {
				uint64_t r = fuzz_next();

				buf[i] = r & 0x300 ? (uint8_t)r :
					 fuzz_bias[(r >> 16) %
						   ARRAY_SIZE(fuzz_bias)];
			}
			memcpy(guard - sizeof(buf), buf, sizeof(buf));
			ra = krp_insn_decode(&a, guard - sizeof(buf),
					     sizeof(buf), modes[m]);
			if (ra == -EINVAL)
				continue;
			(*valid)++;
			if (ra || a.length < 1 || a.length > sizeof(buf)) {
				if (bad++ < 10)
					diag("  fuzz: %d, length %u", ra,
					     a.length);
				continue;
			}
			memcpy(guard - a.length, buf, a.length);
			rb = krp_insn_decode(&b, guard - a.length, a.length,
					     modes[m]);
			if (!rb && (b.length != a.length || b.flags != a.flags ||
				    b.imm[0].value != a.imm[0].value ||
				    b.disp.value != a.disp.value))
				rb = 1;
			memcpy(guard - (a.length - 1), buf, a.length - 1);
			rc = krp_insn_decode(&b, guard - (a.length - 1),
					     a.length - 1, modes[m]);
			if (rb || rc != -ENODATA) {
				if (bad++ < 10)
					diag("  fuzz%d: length %u, exact %d, short %d",
					     modes[m], a.length, rb, rc);
			}
		}
	}
	return bad;
}
