/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text writes (see text.c): the only way krp changes code.
 */
#ifndef KRP_TEXT_H
#define KRP_TEXT_H

#include <linux/types.h>

int krp_text_write(unsigned long addr, const void *src, size_t len);

#endif /* KRP_TEXT_H */
