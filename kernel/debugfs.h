/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The read-only views under debugfs krp/ (see debugfs.c).
 */
#ifndef KRP_DEBUGFS_H
#define KRP_DEBUGFS_H

int krp_debugfs_init(void);
void krp_debugfs_exit(void);

#endif /* KRP_DEBUGFS_H */
