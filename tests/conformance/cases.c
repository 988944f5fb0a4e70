/* SPDX-License-Identifier: BSD-3-Clause */
/* All the per-area case tables, looked up by rule. */
#include "conformance.h"

static const struct conformance_table *const tables[] = {
	&conformance_probe_cases,  &conformance_register_cases, &conformance_status_init_cases,
	&conformance_feature_cases, &conformance_queue_cases,   &conformance_irq_cases,
	&conformance_config_cases, &conformance_legacy_cases,  &conformance_ring_cases,
};

#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

const struct conformance_case *conformance_find(enum devsim_rule rule)
{
	for (size_t t = 0; t < N_TABLES; t++)
		for (size_t i = 0; i < tables[t]->n; i++)
			if (tables[t]->cases[i].rule == rule)
				return &tables[t]->cases[i];
	return NULL;
}

size_t conformance_count(enum devsim_rule rule)
{
	size_t n = 0;

	for (size_t t = 0; t < N_TABLES; t++)
		for (size_t i = 0; i < tables[t]->n; i++)
			n += tables[t]->cases[i].rule == rule;
	return n;
}

size_t conformance_total(void)
{
	size_t n = 0;

	for (size_t t = 0; t < N_TABLES; t++)
		n += tables[t]->n;
	return n;
}
