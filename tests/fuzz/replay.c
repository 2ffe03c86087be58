/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replays a fuzz target's committed corpus without libFuzzer (gcc builds,
 * make check): every file of the directories or files named on the command
 * line, or of VP_FUZZ_CORPUS, or else of the corpus compiled in as
 * VP_CORPUS_DEFAULT (the target's tests/fuzz/corpus/<entry>), goes through
 * LLVMFuzzerTestOneInput once.  A crash or sanitizer report fails the test.
 */
#include "vp_build.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT_BYTES (1u << 20)

static int run_file(const char *path)
{
	uint8_t *buf;
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(MAX_INPUT_BYTES);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, MAX_INPUT_BYTES, f);
	fclose(f);
	/* An exact-size copy, so that ASan sees reads past the input's end. */
	{
		uint8_t *exact = malloc(n ? n : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, n);
		free(buf);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count)
{
	char **names = NULL, path[4096];
	struct dirent *de;
	size_t n = 0, i;
	int ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char **nn;

		if (de->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			ret = -1;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (ret == 0 && run_file(path) == 0)
			(*count)++;
		else
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return run_dir(path, count);
	if (run_file(path) < 0)
		return -1;
	(*count)++;
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("VP_FUZZ_CORPUS");
	unsigned count = 0;
	int i, failed = 0;

#ifdef VP_CORPUS_DEFAULT
	if (!env)
		env = VP_CORPUS_DEFAULT;
#endif
	if (argc < 2) {
		if (!env) {
			fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
			return 2;
		}
		failed = run_path(env, &count) < 0;
	}
	for (i = 1; i < argc; i++)
		failed |= run_path(argv[i], &count) < 0;
	printf("replayed %u inputs\n", count);
	if (failed || count == 0)
		return 1;
	return 0;
}
