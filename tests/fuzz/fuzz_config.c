/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "vp_build.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counts the problems so the callback has an effect the optimiser keeps. */
static void count_problem(void *ctx, const char *file, unsigned line, const char *msg)
{
	unsigned *n = ctx;

	if (file && msg && msg[0])
		(*n)++;
}

/* Writes <data> to a memfd and loads it as a configuration over the defaults, through the
 * same path as a real file (/proc/self/fd/N). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vp_config cfg;
	char path[64];
	unsigned problems = 0;
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n <= 0)
			goto out;
		off += (size_t)n;
	}
	if (vp_config_init(&cfg) < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	vp_config_load(&cfg, path, false, count_problem, &problems);
	vp_config_free(&cfg);
out:
	close(fd);
	return 0;
}
