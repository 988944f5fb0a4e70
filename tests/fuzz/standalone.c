/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Without libFuzzer (gcc builds, -Dfuzz=false) a fuzz target still runs:
 * over every file of its seed corpus, then over deterministic mutations of
 * those seeds (bytes flipped, inserted, deleted, ranges copied), then over
 * deterministic random bytes. One TAP line per batch; a crash or sanitizer
 * report fails the test.
 *
 *   standalone <corpus-dir> [mutations]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define SEEDS_MAX 256
#define INPUT_MAX 4096
#define DEFAULT_MUTATIONS 20000
#define RANDOM_INPUTS 2000

struct seed {
	uint8_t *data;
	size_t size;
};

static struct seed seeds[SEEDS_MAX];
static size_t n_seeds;

/* xorshift64*: the same sequence on every run and machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Seeds in name order, so the mutations are the same on every machine. */
static int load_seeds(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, not_hidden, alphasort);

	if (n < 0) {
		printf("# cannot open corpus %s\n", dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		FILE *f;
		uint8_t *buf = NULL;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		f = n_seeds < SEEDS_MAX ? fopen(path, "rb") : NULL;
		if (f) {
			buf = malloc(INPUT_MAX);
			if (buf) {
				seeds[n_seeds].data = buf;
				seeds[n_seeds].size = fread(buf, 1, INPUT_MAX, f);
				n_seeds++;
			}
			fclose(f);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

/* Run the target on an exact-size heap copy, so over-reads are caught. */
static void run(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		abort();
	memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
}

static size_t mutate(uint8_t *buf, size_t size)
{
	unsigned steps = 1 + (unsigned)rnd_below(8);

	for (unsigned s = 0; s < steps; s++) {
		size_t at = rnd_below(size + 1);

		switch (rnd_below(5)) {
		case 0: /* flip a bit */
			if (size)
				buf[rnd_below(size)] ^= (uint8_t)(1u << rnd_below(8));
			break;
		case 1: /* set a random byte */
			if (size)
				buf[rnd_below(size)] = (uint8_t)rnd();
			break;
		case 2: /* insert a byte */
			if (size < INPUT_MAX) {
				memmove(buf + at + 1, buf + at, size - at);
				buf[at] = (uint8_t)rnd();
				size++;
			}
			break;
		case 3: /* delete a range */
			if (at < size) {
				size_t n = 1 + rnd_below(size - at);

				memmove(buf + at, buf + at + n, size - at - n);
				size -= n;
			}
			break;
		default: { /* copy a piece of another seed in */
			const struct seed *o = &seeds[rnd_below(n_seeds)];
			size_t from = rnd_below(o->size), n = rnd_below(o->size - from + 1);

			if (n > INPUT_MAX - at)
				n = INPUT_MAX - at;
			if (at + n > size)
				size = at + n;
			memcpy(buf + at, o->data + from, n);
			break;
		}
		}
	}
	return size;
}

int main(int argc, char **argv)
{
	static uint8_t buf[INPUT_MAX];
	unsigned long mutations = argc > 2 ? strtoul(argv[2], NULL, 10) : DEFAULT_MUTATIONS;
	int t = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <corpus-dir> [mutations]\n", argv[0]);
		return 2;
	}
	if (load_seeds(argv[1]) < 0 || n_seeds == 0) {
		printf("not ok 1 - seed corpus %s has no files\n1..1\n", argv[1]);
		return 1;
	}

	for (size_t i = 0; i < n_seeds; i++)
		run(seeds[i].data, seeds[i].size);
	printf("ok %d - %zu seed files of %s\n", ++t, n_seeds, argv[1]);
	fflush(stdout);

	for (unsigned long i = 0; i < mutations; i++) {
		const struct seed *s = &seeds[rnd_below(n_seeds)];
		size_t size;

		memcpy(buf, s->data, s->size);
		size = mutate(buf, s->size);
		run(buf, size);
	}
	printf("ok %d - %lu deterministic mutations of the seeds\n", ++t, mutations);
	fflush(stdout);

	for (unsigned i = 0; i < RANDOM_INPUTS; i++) {
		size_t size = rnd_below(512);

		for (size_t j = 0; j < size; j++)
			buf[j] = (uint8_t)rnd();
		run(buf, size);
	}
	printf("ok %d - %u deterministic random inputs\n", ++t, RANDOM_INPUTS);

	for (size_t i = 0; i < n_seeds; i++)
		free(seeds[i].data);
	printf("1..%d\n", t);
	return 0;
}
