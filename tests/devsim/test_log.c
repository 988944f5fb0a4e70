/* SPDX-License-Identifier: BSD-3-Clause */
/* devsim's access log, register names and dumps. */
#include "sim.h"

/* The whole text written to @f (malloc'd; free it), or NULL. */
static char *slurp(FILE *f)
{
	long len;
	char *text;

	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0)
		return NULL;
	rewind(f);
	text = malloc((size_t)len + 1);
	if (!text)
		return NULL;
	text[fread(text, 1, (size_t)len, f)] = '\0';
	return text;
}

static void t_log_records_accesses(void)
{
	struct sim sim;
	const struct devsim_access *e;

	sim_open(&sim, DEVSIM_NET, false);
	rd(&sim, VMMIO_REG_MAGIC_VALUE);
	wr(&sim, VMMIO_REG_STATUS, 0);
	cfg_rd(&sim, 10, 2);
	CHECK_EQ(devsim_log_count(sim.s), 3);

	e = devsim_log_entry(sim.s, 0);
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->kind, DEVSIM_READ);
		CHECK_EQ(e->off, VMMIO_REG_MAGIC_VALUE);
		CHECK_EQ(e->size, 4);
		CHECK_EQ(e->value, VMMIO_MAGIC_VALUE); /* the value returned */
	}
	e = devsim_log_entry(sim.s, 1);
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->kind, DEVSIM_WRITE);
		CHECK_EQ(e->off, VMMIO_REG_STATUS);
		CHECK_EQ(e->value, 0);
	}
	e = devsim_log_entry(sim.s, 2);
	CHECK(e != NULL);
	if (e) {
		CHECK_EQ(e->off, VMMIO_REG_CONFIG + 10);
		CHECK_EQ(e->size, 2);
		CHECK_EQ(e->value, 1500);
	}
	for (size_t i = 1; i < 3; i++)
		CHECK(devsim_log_entry(sim.s, i)->seq > devsim_log_entry(sim.s, i - 1)->seq);
	CHECK(devsim_log_entry(sim.s, 3) == NULL);
	sim_close(&sim);
}

/* Clearing the log keeps the sequence numbers going. */
static void t_log_clear(void)
{
	struct sim sim;
	uint64_t last;

	sim_open(&sim, DEVSIM_NET, false);
	rd(&sim, VMMIO_REG_MAGIC_VALUE);
	rd(&sim, VMMIO_REG_VERSION);
	last = devsim_log_entry(sim.s, 1)->seq;
	devsim_log_clear(sim.s);
	CHECK_EQ(devsim_log_count(sim.s), 0);
	rd(&sim, VMMIO_REG_DEVICE_ID);
	CHECK_EQ(devsim_log_count(sim.s), 1);
	CHECK(devsim_log_entry(sim.s, 0)->seq > last);
	sim_close(&sim);
}

/* A long run keeps the newest accesses in order, without growing without bound. */
static void t_log_long_run(void)
{
	struct sim sim;
	const unsigned n = 200000;
	size_t count;
	const struct devsim_access *first, *newest;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	for (unsigned i = 0; i < n; i++)
		wr(&sim, VMMIO_REG_QUEUE_NOTIFY, i % 3);
	count = devsim_log_count(sim.s);
	CHECK(count > 0 && count < n);
	newest = devsim_log_entry(sim.s, count - 1);
	first = devsim_log_entry(sim.s, 0);
	CHECK_EQ(newest->value, (n - 1) % 3);
	CHECK_EQ(newest->seq - first->seq, count - 1);
	sim_check_clean(&sim);
	sim_close(&sim);
}

struct name_case {
	bool legacy;
	uint32_t off;
	const char *name;
};

static void t_register_names(void)
{
	static const struct name_case cases[] = {
		{ false, 0x000, "MagicValue" },	      { false, 0x010, "DeviceFeatures" },
		{ false, 0x024, "DriverFeaturesSel" }, { false, 0x034, "QueueSizeMax" },
		{ false, 0x044, "QueueReady" },	      { false, 0x064, "InterruptACK" },
		{ false, 0x084, "QueueDescHigh" },      { false, 0x0a4, "QueueDeviceHigh" },
		{ false, 0x0b8, "SHMBaseLow" },	      { false, 0x0c0, "QueueReset" },
		{ false, 0x0fc, "ConfigGeneration" },  { false, 0x106, "config+0x6" },
		{ false, 0x071, "Status+1" },	      { true, 0x010, "HostFeatures" },
		{ true, 0x020, "GuestFeatures" },      { true, 0x028, "GuestPageSize" },
		{ true, 0x03c, "QueueAlign" },	      { true, 0x040, "QueuePFN" },
		{ true, 0x070, "Status" },
	};
	struct sim modern, legacy;
	char buf[48];

	sim_open(&modern, DEVSIM_NET, false);
	sim_open(&legacy, DEVSIM_NET, true);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim *sim = cases[i].legacy ? &legacy : &modern;

		CHECK_STR_HAS(devsim_reg_name(sim->s, cases[i].off, buf, sizeof(buf)), cases[i].name);
		CHECK_EQ(strlen(buf), strlen(cases[i].name));
	}
	/* Offsets of no register in the layout say so. */
	CHECK_STR_HAS(devsim_reg_name(modern.s, 0x0a8, buf, sizeof(buf)), "undefined");
	CHECK_STR_HAS(devsim_reg_name(modern.s, 0x040, buf, sizeof(buf)), "undefined");
	CHECK_STR_HAS(devsim_reg_name(legacy.s, 0x044, buf, sizeof(buf)), "undefined");
	CHECK_STR_HAS(devsim_reg_name(legacy.s, 0x0fc, buf, sizeof(buf)), "undefined");
	/* A short buffer is truncated, still terminated. */
	devsim_reg_name(modern.s, 0x0fc, buf, 7);
	CHECK_EQ(strlen(buf), 6);
	sim_close(&modern);
	sim_close(&legacy);
}

static void t_log_dump(void)
{
	struct sim sim;
	char *text;
	FILE *f = tmpfile();

	CHECK(f != NULL);
	if (!f)
		return;
	sim_open(&sim, DEVSIM_NET, false);
	rd(&sim, VMMIO_REG_MAGIC_VALUE);
	wr(&sim, VMMIO_REG_STATUS, 0);
	wait_irq(&sim, 25);
	devsim_log_dump(sim.s, f);
	text = slurp(f);
	CHECK_STR_HAS(text, "MagicValue");
	CHECK_STR_HAS(text, "0x74726976");
	CHECK_STR_HAS(text, "Status");
	CHECK_STR_HAS(text, "wait_irq 25 ms -> 0");
	free(text);
	fclose(f);
	sim_close(&sim);
}

static void t_violation_dump(void)
{
	struct sim sim;
	char *text;
	FILE *f = tmpfile();

	CHECK(f != NULL);
	if (!f)
		return;
	sim_open(&sim, DEVSIM_NET, false);
	sim_probe(&sim);
	wr(&sim, VMMIO_REG_MAGIC_VALUE, 2);
	devsim_dump_violations(sim.s, f);
	text = slurp(f);
	CHECK_STR_HAS(text, "MMIO-WRITE-RO: wrote 0x2 to MagicValue (read-only)");
	CHECK_STR_HAS(text, "MUST NOT write to the read-only registers");
	free(text);
	fclose(f);
	sim_close(&sim);
}

int main(void)
{
	TAP_RUN(t_log_records_accesses);
	TAP_RUN(t_log_clear);
	TAP_RUN(t_log_long_run);
	TAP_RUN(t_register_names);
	TAP_RUN(t_log_dump);
	TAP_RUN(t_violation_dump);
	return tap_end();
}
