/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 validation (RFC 3629), shared by the configuration and rule loaders. */
#ifndef VP_NORMALIZE_UTF8_H
#define VP_NORMALIZE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid UTF-8 sequence at <s> (<n> >= 1 bytes available), or 0
 * when it is not one: overlong forms, surrogates and code points above
 * U+10FFFF are invalid.  Any thread.
 */
size_t vp_utf8_seq_len(const uint8_t *s, size_t n);

#endif
