/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared set-up of the transport tests: a devsim device and a driver on it. */
#ifndef VMMIO_TEST_FIXTURE_H
#define VMMIO_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "devsim.h"
#include "tap.h"
#include "vmmio_dev.h"

struct fixture {
	struct devsim_config cfg;
	struct devsim *sim;
	struct vmmio_regwin win;
	struct vmmio_dev dev;
};

/* A default device of @p; @tweak (may be NULL) edits the config first. */
static inline void fx_open(struct fixture *fx, enum devsim_personality p, bool legacy,
			   void (*tweak)(struct devsim_config *))
{
	memset(fx, 0, sizeof(*fx));
	devsim_config_default(&fx->cfg, p, legacy);
	if (tweak)
		tweak(&fx->cfg);
	fx->sim = devsim_create(&fx->cfg);
	if (!fx->sim)
		abort();
	fx->win = devsim_regwin(fx->sim);
}

/* The checker saw no broken driver rule; prints the violations otherwise. */
static inline void fx_check_clean(struct fixture *fx)
{
	size_t n = devsim_violation_count(fx->sim);

	CHECK_EQ(n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct devsim_violation *v = devsim_violation(fx->sim, i);

		printf("# violation %s: %s\n", devsim_rule_info(v->rule)->id, v->detail);
	}
}

static inline void fx_close(struct fixture *fx)
{
	devsim_destroy(fx->sim);
	fx->sim = NULL;
}

/* Every feature bit: the driver asks for all, the transport picks. */
static inline struct vmmio_features fx_all_features(void)
{
	struct vmmio_features f;

	memset(&f, 0xff, sizeof(f));
	return f;
}

#endif /* VMMIO_TEST_FIXTURE_H */
