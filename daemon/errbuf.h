/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error messages for the caller's buffer, as the daemon's constructors report them. */
#ifndef VP_DAEMON_ERRBUF_H
#define VP_DAEMON_ERRBUF_H

#include <stddef.h>

/* Formats into <err>/<errlen> (either may be NULL/0: nothing is written). Any thread. */
void vp_errbuf_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
