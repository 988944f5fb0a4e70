/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance suite's runner.
 *
 *   conformance                    run every case as TAP (meson suite 'conformance')
 *   conformance --markdown         print doc/conformance.md
 *   conformance --check-doc PATH   one TAP case: PATH is what --markdown prints
 *                                  (meson suite 'docs')
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "tap.h"

void conf_fail(const char *file, int line, const char *what)
{
	tap_fail_at(file, line, what);
}

void conf_failf(const char *file, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_fail_at(file, line, msg);
}

void conf_print_violations(const struct devsim *sim)
{
	char *text = NULL, *save = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	devsim_dump_violations(sim, f);
	fclose(f);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(text);
}

/* Exactly one case per rule of rules.def, and none for an unknown rule:
 * a rule added without its tests fails here. */
static void t_every_rule_has_one_case(void)
{
	size_t covered = 0;

	for (int r = 0; r < (int)DEVSIM_RULE_COUNT; r++) {
		size_t n = conformance_count((enum devsim_rule)r);

		if (n != 1)
			conf_failf(__FILE__, __LINE__, "%s has %zu cases, want 1",
				   devsim_rule_info((enum devsim_rule)r)->id, n);
		covered += n;
	}
	EXPECT_EQ(conformance_total(), covered);
	EXPECT_EQ(covered, DEVSIM_RULE_COUNT);
}

static void run_rule(enum devsim_rule rule)
{
	const struct conformance_case *c = conformance_find(rule);
	const char *id = devsim_rule_info(rule)->id;
	char name[512];

	if (!c)
		return; /* reported by t_every_rule_has_one_case */
	snprintf(name, sizeof(name), "%s positive: %s", id, c->positive_name);
	tap_run(name, c->positive);
	snprintf(name, sizeof(name), "%s negative: %s", id, c->negative_name);
	tap_run(name, c->negative);
}

static char *markdown(size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f) {
		perror("open_memstream");
		exit(2);
	}
	conformance_markdown(f);
	fclose(f);
	return text;
}

/* The whole of @path, NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	char *text = NULL;
	FILE *in = fopen(path, "rb"), *out;
	char buf[4096];
	size_t n;

	if (!in)
		return NULL;
	out = open_memstream(&text, len);
	if (!out) {
		fclose(in);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
	return text;
}

/* How @path compares with the generated text. */
struct doc_check {
	const char *path;
	bool readable;
	bool current;
	size_t first_diff_line; /* when not current */
};

static void doc_compare(struct doc_check *c)
{
	size_t want_len, have_len = 0;
	char *want = markdown(&want_len);
	char *have = slurp(c->path, &have_len);

	c->readable = have != NULL;
	c->current = have && have_len == want_len && !memcmp(have, want, want_len);
	c->first_diff_line = 1;
	for (size_t i = 0; have && i < have_len && i < want_len && have[i] == want[i]; i++)
		c->first_diff_line += have[i] == '\n';
	free(want);
	free(have);
}

static void t_doc_current(const void *arg)
{
	const struct doc_check *c = arg;

	if (!c->readable)
		conf_failf(__FILE__, __LINE__, "cannot read %s", c->path);
	else if (!c->current)
		conf_failf(__FILE__, __LINE__, "%s differs from the generated text from line %zu",
			   c->path, c->first_diff_line);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--markdown")) {
		conformance_markdown(stdout);
		return fflush(stdout) ? 1 : 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--check-doc")) {
		struct doc_check c = { .path = argv[2] };

		doc_compare(&c);
		tap_run_arg(c.current ? "doc/conformance.md is current"
				      : "doc/conformance.md is out of date (run ./scripts/gen-docs.sh)",
			    t_doc_current, &c);
		return tap_end();
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--markdown | --check-doc PATH]\n", argv[0]);
		return 2;
	}

	tap_run("every rule of rules.def has exactly one conformance case",
		t_every_rule_has_one_case);
	for (int r = 0; r < (int)DEVSIM_RULE_COUNT; r++)
		run_rule((enum devsim_rule)r);
	tap_run("lifecycle: net, Version 2", lifecycle_net_modern);
	tap_run("lifecycle: net, Version 1 (legacy)", lifecycle_net_legacy);
	tap_run("lifecycle: blk, Version 2, 64-bit capacity", lifecycle_blk_modern);
	return tap_end();
}
