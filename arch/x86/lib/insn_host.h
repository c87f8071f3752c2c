/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the kernel's types and errno values for the decoder to
 * build in user space, for the host-side test in selftests/host/decoder/.
 * The kernel build never sees this file: insn.h includes it only when
 * __KERNEL__ is undefined.
 */
#ifndef KRP_X86_INSN_HOST_H
#define KRP_X86_INSN_HOST_H

#ifdef __KERNEL__
#error "this header is for user-space builds of the decoder only"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#endif /* KRP_X86_INSN_HOST_H */
