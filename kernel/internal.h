/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared between the parts of krp.ko; nothing here is API.
 */
#ifndef KRP_INTERNAL_H
#define KRP_INTERNAL_H

#include <linux/types.h>

/* true while probes are armed; flipped through debugfs "enabled" */
extern bool krp_armed;

int krp_debugfs_init(void);
void krp_debugfs_exit(void);

#endif /* KRP_INTERNAL_H */
