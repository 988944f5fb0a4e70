/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * devsim keeps the device rules of the queue registers (modern and legacy),
 * QueueReset, QueueNotify and the shared memory registers.
 */
#include "sim.h"

static void t_queue_size_max(void)
{
	struct sim sim;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	for (uint32_t q = 0; q < 3; q++) {
		wr(&sim, VMMIO_REG_QUEUE_SEL, q);
		CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_NUM_MAX), 256);
	}
	wr(&sim, VMMIO_REG_QUEUE_SEL, 3);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_NUM_MAX), 0);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 0x10000);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_NUM_MAX), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	sim_check_clean(&sim);
	sim_close(&sim);

	sim_open(&sim, DEVSIM_BLK, false);
	sim_negotiate(&sim, &sim.cfg.features);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_NUM_MAX), 128);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_NUM_MAX), 0);
	sim_close(&sim);
}

/* The queue registers apply to the selected queue and are stored. */
static void t_queue_registers_stored(void)
{
	struct sim sim;
	struct devsim_queue_state qs;

	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 1);
	wr(&sim, VMMIO_REG_QUEUE_NUM, 64);
	wr(&sim, VMMIO_REG_QUEUE_DESC_LOW, 0x1000);
	wr(&sim, VMMIO_REG_QUEUE_DESC_HIGH, 0x1);
	wr(&sim, VMMIO_REG_QUEUE_DRIVER_LOW, 0x2000);
	wr(&sim, VMMIO_REG_QUEUE_DRIVER_HIGH, 0x2);
	wr(&sim, VMMIO_REG_QUEUE_DEVICE_LOW, 0x3000);
	wr(&sim, VMMIO_REG_QUEUE_DEVICE_HIGH, 0x3);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK(!qs.ready);
	wr(&sim, VMMIO_REG_QUEUE_READY, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 1);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK(qs.ready);
	CHECK_EQ(qs.num, 64);
	CHECK_EQ(qs.desc, 0x100001000ull);
	CHECK_EQ(qs.driver, 0x200002000ull);
	CHECK_EQ(qs.device, 0x300003000ull);
	/* Queue 0 was not touched. */
	CHECK_EQ(devsim_queue_state(sim.s, 0, &qs), 0);
	CHECK(!qs.ready);
	CHECK_EQ(qs.num, 0);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	/* No state for a queue the device does not have. */
	CHECK(devsim_queue_state(sim.s, 3, &qs) < 0);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* QueueReady returns the last value written; a stop can take some reads. */
static void t_queue_stop_delay(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.queue_reset_delay_reads = 2;
	sim_start(&sim);
	sim_negotiate(&sim, &sim.cfg.features);
	sim_setup_queue(&sim, 0, 256);
	wr(&sim, VMMIO_REG_QUEUE_READY, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	sim_check_clean(&sim);
	sim_close(&sim);

	/* Without a delay the stop reads back at once. */
	sim_open(&sim, DEVSIM_NET, false);
	sim_negotiate(&sim, &sim.cfg.features);
	sim_setup_queue(&sim, 0, 256);
	wr(&sim, VMMIO_REG_QUEUE_READY, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* QueueReset: 1 while the reset is ongoing, then 0 with QueueReady 0 and
 * the queue's state cleared; 0 again after the queue is enabled. */
static void t_queue_reset(void)
{
	struct sim sim;
	struct devsim_queue_state qs;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.queue_reset_delay_reads = 3;
	sim_start(&sim);
	sim_bring_up(&sim);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);
	wr(&sim, VMMIO_REG_QUEUE_RESET, 1);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK(qs.resetting);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK(!qs.resetting);
	CHECK(!qs.ready);
	CHECK_EQ(qs.num, 0);
	CHECK_EQ(qs.desc, 0);
	CHECK_EQ(qs.driver, 0);
	CHECK_EQ(qs.device, 0);
	/* The other queues are untouched. */
	CHECK_EQ(devsim_queue_state(sim.s, 0, &qs), 0);
	CHECK(qs.ready);
	/* Re-enable with other parameters. */
	sim_setup_queue(&sim, 1, 128);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK(qs.ready);
	CHECK_EQ(qs.num, 128);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* Enabling the queue or resetting the device ends an ongoing queue reset. */
static void t_queue_reset_ends_on_enable_and_device_reset(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.queue_reset_delay_reads = 5;
	sim_start(&sim);
	sim_bring_up(&sim);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 0);
	wr(&sim, VMMIO_REG_QUEUE_RESET, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 1);
	wr(&sim, VMMIO_REG_QUEUE_READY, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);

	wr(&sim, VMMIO_REG_QUEUE_RESET, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 1);
	wr(&sim, VMMIO_REG_STATUS, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_STATUS), 0);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);
	sim_close(&sim);
}

/* "If VIRTIO_F_RING_RESET has been negotiated, writing one (0x1) to this
 * register selectively resets the queue": not negotiated, nothing happens. */
static void t_queue_reset_needs_ring_reset(void)
{
	struct sim sim;
	struct vmmio_features accept;
	struct devsim_queue_state qs;

	sim_open(&sim, DEVSIM_NET, false);
	accept = sim.cfg.features;
	vmmio_feat_clear(&accept, VMMIO_F_RING_RESET);
	sim_negotiate(&sim, &accept);
	sim_setup_queue(&sim, 0, 256);
	wr(&sim, VMMIO_REG_QUEUE_RESET, 1);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_RESET), 0);
	CHECK_EQ(devsim_queue_state(sim.s, 0, &qs), 0);
	CHECK(qs.ready);
	CHECK_EQ(qs.num, 256);
	sim_close(&sim);
}

/* QueueNotify counts per queue (low 16 bits) and keeps the last value. */
static void t_queue_notify(void)
{
	struct sim sim;
	struct devsim_queue_state qs;

	sim_open(&sim, DEVSIM_NET, false);
	sim_bring_up(&sim);
	wr(&sim, VMMIO_REG_QUEUE_NOTIFY, 1);
	wr(&sim, VMMIO_REG_QUEUE_NOTIFY, 1);
	wr(&sim, VMMIO_REG_QUEUE_NOTIFY, 0x80050002); /* NOTIFICATION_DATA form */
	wr(&sim, VMMIO_REG_QUEUE_NOTIFY, 9); /* no such queue */
	CHECK_EQ(devsim_queue_state(sim.s, 0, &qs), 0);
	CHECK_EQ(qs.notifies, 0);
	CHECK_EQ(devsim_queue_state(sim.s, 1, &qs), 0);
	CHECK_EQ(qs.notifies, 2);
	CHECK_EQ(qs.last_notify, 1);
	CHECK_EQ(devsim_queue_state(sim.s, 2, &qs), 0);
	CHECK_EQ(qs.notifies, 1);
	CHECK_EQ(qs.last_notify, 0x80050002u);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* Version 1: GuestPageSize, QueueAlign, QueuePFN (0 stops the queue). */
static void t_legacy_queue_registers(void)
{
	struct sim sim;
	struct devsim_queue_state qs;

	sim_open(&sim, DEVSIM_NET, true);
	sim_negotiate(&sim, &sim.cfg.features);
	wr(&sim, VMMIO_REG_LEGACY_GUEST_PAGE_SIZE, 4096);
	CHECK_EQ(devsim_guest_page_size(sim.s), 4096);
	wr(&sim, VMMIO_REG_QUEUE_SEL, 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_NUM_MAX), 256);
	wr(&sim, VMMIO_REG_QUEUE_NUM, 32);
	wr(&sim, VMMIO_REG_LEGACY_QUEUE_ALIGN, 4096);
	wr(&sim, VMMIO_REG_LEGACY_QUEUE_PFN, 0x1234);
	CHECK_EQ(rd(&sim, VMMIO_REG_LEGACY_QUEUE_PFN), 0x1234);
	CHECK_EQ(devsim_queue_state(sim.s, 2, &qs), 0);
	CHECK(qs.ready);
	CHECK_EQ(qs.num, 32);
	CHECK_EQ(qs.pfn, 0x1234);
	CHECK_EQ(qs.align, 4096);
	wr(&sim, VMMIO_REG_LEGACY_QUEUE_PFN, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_LEGACY_QUEUE_PFN), 0);
	CHECK_EQ(devsim_queue_state(sim.s, 2, &qs), 0);
	CHECK(!qs.ready);
	sim_check_clean(&sim);
	/* The modern-only queue registers are not in the legacy layout. */
	CHECK_EQ(rd(&sim, VMMIO_REG_QUEUE_READY), 0);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	sim_close(&sim);
}

/* SHM: a present region's length and base, all ones for an absent id. */
static void t_shm_present_and_absent(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, false);
	sim.cfg.driver_expects_shm = true;
	sim.cfg.shm[0] = (struct devsim_shm_region){ .id = 2, .base = 0x1234500000ull,
						     .len = 0x200000000ull };
	sim.cfg.n_shm = 1;
	sim_start(&sim);
	sim_negotiate(&sim, &sim.cfg.features);
	wr(&sim, VMMIO_REG_SHM_SEL, 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_LEN_LOW), 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_LEN_HIGH), 2);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_BASE_LOW), 0x34500000u);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_BASE_HIGH), 0x12);
	wr(&sim, VMMIO_REG_SHM_SEL, 0);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_LEN_LOW), 0xffffffffu);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_LEN_HIGH), 0xffffffffu);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_BASE_LOW), 0xffffffffu);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_BASE_HIGH), 0xffffffffu);
	sim_check_clean(&sim);
	sim_close(&sim);
}

/* Version 1 has no SHM registers: the offsets are undefined there. */
static void t_shm_legacy_undefined(void)
{
	struct sim sim;

	sim_config(&sim, DEVSIM_NET, true);
	sim.cfg.driver_expects_shm = true;
	sim.cfg.shm[0] = (struct devsim_shm_region){ .id = 0, .base = 0x1000, .len = 0x1000 };
	sim.cfg.n_shm = 1;
	sim_start(&sim);
	sim_probe(&sim);
	CHECK_EQ(rd(&sim, VMMIO_REG_SHM_LEN_LOW), 0);
	CHECK(devsim_violated(sim.s, DEVSIM_RULE_UNDEF_ACCESS));
	CHECK(!devsim_violated(sim.s, DEVSIM_RULE_SHM_UNEXPECTED));
	sim_close(&sim);
}

int main(void)
{
	TAP_RUN(t_queue_size_max);
	TAP_RUN(t_queue_registers_stored);
	TAP_RUN(t_queue_stop_delay);
	TAP_RUN(t_queue_reset);
	TAP_RUN(t_queue_reset_ends_on_enable_and_device_reset);
	TAP_RUN(t_queue_reset_needs_ring_reset);
	TAP_RUN(t_queue_notify);
	TAP_RUN(t_legacy_queue_registers);
	TAP_RUN(t_shm_present_and_absent);
	TAP_RUN(t_shm_legacy_undefined);
	return tap_end();
}
