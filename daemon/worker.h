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

/*
 * Makes every worker match <set> (compiled) from its next batch of packets on:
 * no packet waits for the reload.  Returns once every worker has moved, so the
 * caller may then free the previous set (after flushing events that point into
 * it).  0, -ENOMEM (nothing changed) or -ETIMEDOUT (a worker did not answer
 * within 10 s: the previous set must then be kept).  Control thread.
 */
int vp_workers_swap_rules(struct vp_workers *ws, const struct vp_sig_set *set);

/* Stops and joins every thread, closes the queues. NULL-safe. Control thread. */
void vp_workers_stop(struct vp_workers *ws);

/* The sum over the workers of rule <i>'s counters. Control thread. */
void vp_workers_rule_stats(const struct vp_workers *ws, size_t i, struct vp_sig_rule_stats *out);

/* The sum of every worker's engine counters. */
void vp_workers_stats(const struct vp_workers *ws, struct vp_engine_stats *s);

#endif
