/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --read-pcap: a capture file through the same engine as the inline path. */
#ifndef VP_DAEMON_OFFLINE_H
#define VP_DAEMON_OFFLINE_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/engine.h"
#include "daemon/eve.h"

struct vp_offline_stats {
	uint64_t frames;		/* records read */
	uint64_t not_ip;		/* frames carrying no IP (ARP ...): skipped */
	uint64_t bad_frames;		/* truncated link headers: no valid IP header */
	uint64_t truncated;		/* records shorter than their original length */
};

/*
 * Reads every record of the pcap or pcapng file <path> (libpcap) and runs its
 * IP packet through <w>, in file order, with the record's timestamp.  Returns
 * 0, or -errno with a message in <err> when the file cannot be read.
 * When <eve> is not NULL its events are written after each packet, so that no
 * event is lost to a full ring and the output is reproducible.
 * Calling thread owns <w>.
 */
int vp_offline_run(const char *path, struct vp_engine_worker *w, struct vp_eve *eve,
		   struct vp_offline_stats *st, char *err, size_t errlen);

#endif
