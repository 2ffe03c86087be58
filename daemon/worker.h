/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Inline workers: one thread per NFQUEUE, each owning its socket and engine. */
#ifndef VP_DAEMON_WORKER_H
#define VP_DAEMON_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/engine.h"
#include "daemon/eve.h"

struct vp_workers;

/*
 * Opens queues <queue> .. <queue>+<n>-1 and starts one thread for each, with
 * an engine built from <o> and <set>, events to ring i of <eve>.  NULL on
 * failure with a message in <err> (nothing left running).  Control thread.
 */
struct vp_workers *vp_workers_start(const struct vp_engine_opts *o, const struct vp_sig_set *set,
				    struct vp_eve *eve, uint16_t queue, unsigned n,
				    unsigned queue_maxlen, bool fail_open, uint32_t mark,
				    char *err, size_t errlen);

/* Stops and joins every thread, closes the queues. NULL-safe. Control thread. */
void vp_workers_stop(struct vp_workers *ws);

/* The sum of every worker's engine counters. */
void vp_workers_stats(const struct vp_workers *ws, struct vp_engine_stats *s);

#endif
