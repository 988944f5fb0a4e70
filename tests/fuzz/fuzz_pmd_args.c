/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz net_virtio_mmio's devargs parser (pmd/pmd_args.c), the string a
 * user gives --vdev: any bytes (up to the first NUL) must parse or be
 * refused with a message, never crash; a refusal leaves the defaults, and
 * a success only ever describes values within the documented bounds, with
 * a dev= the --device parser takes, and parses back to itself when written
 * out again in the canonical form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../pmd/pmd_args.h"
#include "fuzz.h"
#include "vmmio_devarg.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_pmd_args: invariant broken: %s\n", what);
		abort();
	}
}

static void defaults(struct vmmio_pmd_args *a)
{
	memset(a, 0, sizeof(*a));
	a->packed = a->in_order = a->event_idx = a->mrg_rxbuf = VMMIO_PMD_AUTO;
	a->intr = VMMIO_PMD_INTR_POLL;
}

static int tri_ok(int8_t t)
{
	return t == VMMIO_PMD_AUTO || t == VMMIO_PMD_OFF || t == VMMIO_PMD_ON;
}

/* @a written out with every key it has a value for, dev= bracketed. */
static void canonical(const struct vmmio_pmd_args *a, char *s, size_t len)
{
	static const char *const flag_name[] = { "packed", "in_order", "event_idx", "mrg_rxbuf" };
	const int8_t flag[] = { a->packed, a->in_order, a->event_idx, a->mrg_rxbuf };
	size_t n = (size_t)snprintf(s, len, "dev=[%s]", a->dev);

	if (a->queues)
		n += (size_t)snprintf(s + n, len - n, ",queues=%u", a->queues);
	if (a->queue_size)
		n += (size_t)snprintf(s + n, len - n, ",queue_size=%u", a->queue_size);
	for (unsigned i = 0; i < 4; i++)
		if (flag[i] != VMMIO_PMD_AUTO)
			n += (size_t)snprintf(s + n, len - n, ",%s=%d", flag_name[i], flag[i]);
	/* hotplug_wait=0 and the default 0 are the same value. */
	if (a->hotplug_wait)
		n += (size_t)snprintf(s + n, len - n, ",hotplug_wait=%u", a->hotplug_wait);
	snprintf(s + n, len - n, ",intr=%s",
		 a->intr == VMMIO_PMD_INTR_INTERRUPT ? "interrupt" : "poll");
}

static void check_result(int rc, const struct vmmio_pmd_args *a, const char *err, size_t errlen)
{
	struct vmmio_pmd_args def, again;
	struct vmmio_devarg da;
	char s[VMMIO_PMD_ARG_DEV_MAX + 256];
	size_t n;

	check(rc == 0 || rc == -EINVAL, "returns 0 or -EINVAL");
	if (errlen > 0)
		check(memchr(err, '\0', errlen) != NULL, "message is NUL-terminated in its buffer");
	if (rc < 0) {
		defaults(&def);
		check(memcmp(a, &def, sizeof(*a)) == 0, "refused string leaves the defaults");
		if (errlen > 1)
			check(err[0] != '\0', "a refusal has a message");
		return;
	}
	if (errlen > 0)
		check(err[0] == '\0', "no message on success");
	n = strnlen(a->dev, sizeof(a->dev));
	check(n < sizeof(a->dev), "dev NUL-terminated in its buffer");
	check(n > 0, "dev not empty");
	for (size_t i = n; i < sizeof(a->dev); i++)
		check(a->dev[i] == '\0', "dev zeroed after its NUL");
	check(vmmio_devarg_parse(a->dev, &da, NULL, 0) == 0, "dev is a --device argument");
	/* Which is what lets canonical() bracket it. */
	check(strchr(a->dev, ']') == NULL, "dev holds no ']'");
	check(a->queues <= VMMIO_PMD_MAX_PAIRS, "queues in range");
	check(a->queue_size <= VMMIO_DEVARG_MAX_QSIZE, "queue_size in range");
	check(tri_ok(a->packed) && tri_ok(a->in_order) && tri_ok(a->event_idx) &&
		      tri_ok(a->mrg_rxbuf),
	      "flags AUTO, OFF or ON");
	check(a->hotplug_wait <= VMMIO_PMD_HOTPLUG_MAX, "hotplug_wait in range");
	check(a->intr == VMMIO_PMD_INTR_POLL || a->intr == VMMIO_PMD_INTR_INTERRUPT,
	      "intr poll or interrupt");

	canonical(a, s, sizeof(s));
	check(vmmio_pmd_args_parse(s, &again, NULL, 0) == 0, "the canonical form parses");
	check(memcmp(a, &again, sizeof(*a)) == 0, "the canonical form parses to the same values");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading past the NUL is caught by ASan. */
	char *s = malloc(size + 1);
	struct vmmio_pmd_args a;
	char err[512];
	char tiny[7];
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	memset(&a, 0x5a, sizeof(a));
	rc = vmmio_pmd_args_parse(s, &a, err, sizeof(err));
	check_result(rc, &a, err, sizeof(err));

	/* The same verdict with a message buffer too small for any message,
	 * and with none at all; the cut message a prefix of the whole one. */
	memset(&a, 0xa5, sizeof(a));
	check(vmmio_pmd_args_parse(s, &a, tiny, sizeof(tiny)) == rc,
	      "verdict independent of errlen");
	check_result(rc, &a, tiny, sizeof(tiny));
	check(strncmp(tiny, err, strlen(tiny)) == 0, "a cut message is a prefix of the whole");
	check(vmmio_pmd_args_parse(s, &a, NULL, 0) == rc, "verdict without a message buffer");

	free(s);
	return 0;
}
