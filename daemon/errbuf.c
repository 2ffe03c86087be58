/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <stdarg.h>
#include <stdio.h>

#include "daemon/errbuf.h"

void vp_errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
