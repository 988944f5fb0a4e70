/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The conformance suite: for every driver rule of devsim/rules.def, a
 * positive test (the driver, through the vmmio_* API, keeps the rule in a
 * scenario that exercises it) and a negative test (registers driven by hand
 * break exactly that rule, and the checker must say so).
 *
 * The cases live in one table per area (rules_*.c); main.c runs them as TAP
 * test cases and prints the rule table of doc/conformance.md from them.
 */
#ifndef VMMIO_CONFORMANCE_H
#define VMMIO_CONFORMANCE_H

#include <stddef.h>
#include <stdio.h>

#include "devsim.h"

struct conformance_case {
	enum devsim_rule rule;
	const char *positive_name; /* what the driver is made to do */
	void (*positive)(void);
	const char *negative_name; /* how the registers break the rule */
	void (*negative)(void);
};

/* The per-area tables (rules_*.c). */
struct conformance_table {
	const struct conformance_case *cases;
	size_t n;
};

#define CONFORMANCE_TABLE(arr) { (arr), sizeof(arr) / sizeof((arr)[0]) }

extern const struct conformance_table conformance_probe_cases;
extern const struct conformance_table conformance_register_cases;
extern const struct conformance_table conformance_status_init_cases;
extern const struct conformance_table conformance_feature_cases;
extern const struct conformance_table conformance_queue_cases;
extern const struct conformance_table conformance_irq_cases;
extern const struct conformance_table conformance_config_cases;
extern const struct conformance_table conformance_legacy_cases;
extern const struct conformance_table conformance_ring_cases;

/* The case of @rule (the first if there are several), or NULL. */
const struct conformance_case *conformance_find(enum devsim_rule rule);
/* How many cases of all tables name @rule. */
size_t conformance_count(enum devsim_rule rule);
/* Cases in all tables, whatever rule they name. */
size_t conformance_total(void);

/* The rule table of doc/conformance.md, in Markdown, to @f. */
void conformance_markdown(FILE *f);

/* Full lifecycles on each device variant (lifecycle.c). */
void lifecycle_net_modern(void);
void lifecycle_net_legacy(void);
void lifecycle_blk_modern(void);

/*
 * Failed checks. tests/harness/tap.h keeps its per-case failure count in
 * static storage, one copy per translation unit, so only main.c includes it;
 * the test files report through these, which forward to its tap_fail_at().
 */
void conf_fail(const char *file, int line, const char *what);
void conf_failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define EXPECT(cond)                                           \
	do {                                                   \
		if (!(cond))                                   \
			conf_fail(__FILE__, __LINE__, #cond);  \
	} while (0)

#define EXPECT_EQ(a, b)                                                                  \
	do {                                                                             \
		long long conf_a_ = (long long)(a), conf_b_ = (long long)(b);            \
		if (conf_a_ != conf_b_)                                                  \
			conf_failf(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, \
				   conf_a_, conf_b_);                                    \
	} while (0)

/* The violations @sim recorded, in devsim's words, as TAP diagnostics. */
void conf_print_violations(const struct devsim *sim);

#endif /* VMMIO_CONFORMANCE_H */
