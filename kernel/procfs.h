/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The writable controls under /proc/krp/ (see procfs.c).
 */
#ifndef KRP_PROCFS_H
#define KRP_PROCFS_H

int krp_procfs_init(void);
void krp_procfs_exit(void);

#endif /* KRP_PROCFS_H */
