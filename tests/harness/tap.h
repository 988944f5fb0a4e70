/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A minimal TAP producer for the test programs: one "ok"/"not ok" line per
 * test case, with a "#" diagnostic line for each failed check. meson runs
 * the programs with protocol 'tap'; scripts/test.sh totals the lines.
 *
 *   static void t_something(void) { CHECK(x == 1); CHECK_EQ(y, 2); }
 *   int main(void) { TAP_RUN(t_something); return tap_end(); }
 */
#ifndef VMMIO_TAP_H
#define VMMIO_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed_cases;
static int tap_case_failures;

static inline void tap_fail_at(const char *file, int line, const char *what)
{
	tap_case_failures++;
	printf("# FAIL %s:%d: %s\n", file, line, what);
}

#define CHECK(cond)                                                    \
	do {                                                           \
		if (!(cond))                                           \
			tap_fail_at(__FILE__, __LINE__, #cond);        \
	} while (0)

static inline void tap_fail_eq(const char *file, int line, const char *a, const char *b,
			       long long va, long long vb)
{
	tap_case_failures++;
	printf("# FAIL %s:%d: %s == %s (%lld != %lld)\n", file, line, a, b, va, vb);
}

static inline void tap_fail_str(const char *file, int line, const char *hay, const char *needle)
{
	tap_case_failures++;
	printf("# FAIL %s:%d: \"%s\" contains \"%s\"\n", file, line, hay ? hay : "(null)",
	       needle);
}

#define CHECK_EQ(a, b)                                                              \
	do {                                                                        \
		long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);         \
		if (tap_a_ != tap_b_)                                               \
			tap_fail_eq(__FILE__, __LINE__, #a, #b, tap_a_, tap_b_);    \
	} while (0)

#define CHECK_STR_HAS(hay, needle)                                           \
	do {                                                                 \
		const char *tap_h_ = (hay), *tap_n_ = (needle);              \
		if (!tap_h_ || !strstr(tap_h_, tap_n_))                      \
			tap_fail_str(__FILE__, __LINE__, tap_h_, tap_n_);    \
	} while (0)

/* Run one test case and print its TAP line. */
static inline void tap_run(const char *name, void (*fn)(void))
{
	tap_case_failures = 0;
	fn();
	tap_count++;
	if (tap_case_failures)
		tap_failed_cases++;
	printf("%s %d - %s\n", tap_case_failures ? "not ok" : "ok", tap_count, name);
	fflush(stdout);
}

/* Like tap_run() for a case that takes an argument (table-driven tests). */
static inline void tap_run_arg(const char *name, void (*fn)(const void *), const void *arg)
{
	tap_case_failures = 0;
	fn(arg);
	tap_count++;
	if (tap_case_failures)
		tap_failed_cases++;
	printf("%s %d - %s\n", tap_case_failures ? "not ok" : "ok", tap_count, name);
	fflush(stdout);
}

#define TAP_RUN(fn) tap_run(#fn, fn)

/* Print the plan; the exit status of main(). */
static inline int tap_end(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed_cases ? 1 : 0;
}

#endif /* VMMIO_TAP_H */
