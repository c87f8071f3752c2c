/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which instructions the trap carries out itself (see emulate.c), for
 * preparing an int3 site.
 */
#ifndef KRP_EMULATE_H
#define KRP_EMULATE_H

#include <krp_arch.h>

#include "insn.h"

bool krp_emu_classify(struct krp_arch_site *as, const struct krp_insn *insn,
		      unsigned long addr);

#endif /* KRP_EMULATE_H */
