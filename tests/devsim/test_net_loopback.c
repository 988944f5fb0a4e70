/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net loopback's receive side, by hand on split rings: the
 * queue pairs in use ("After initialization of reset, the device MUST
 * queue packets only on receiveq1"; VQ_PAIRS_SET), and mergeable receive
 * buffers ("Processing of Incoming Packets"): a packet spread over as many
 * buffers as it needs with num_buffers in the first header, a packet that
 * waits for buffers (with the device thread too), one that can never fit,
 * and the single buffer without VIRTIO_NET_F_MRG_RXBUF. And the forward
 * backend, the same path with each packet's Ethernet destination and
 * source swapped (testpmd's macswap), which the loopback leaves alone.
 */
#include <time.h>

#include "net_ring.h"
#include "tap.h"

static const struct vmmio_net_hdr plain; /* no offload asked */
static uint8_t pkt[300];

static void fill_pkt(void)
{
	for (unsigned i = 0; i < sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 13 + 5);
}

static uint16_t num_buffers(const uint8_t *first)
{
	return (uint16_t)(first[10] | first[11] << 8);
}

/* Two queue pairs: receiveq1, transmitq1, receiveq2, transmitq2, controlq. */
static void two_pairs(struct devsim_config *c)
{
	c->num_queues = 5;
	c->config[VMMIO_NET_CFG_MAX_VQ_PAIRS] = 2;
}

static void t_pairs_in_use(void)
{
	static const unsigned mq[] = { VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_MQ };
	static uint8_t in1[64], in2[64];
	const uint16_t two = 2;
	struct hr h;

	fill_pkt();
	nr_open(&h, mq, 2, two_pairs, 5, 16);
	/* a packet on transmitq2 before VQ_PAIRS_SET: not serviced */
	nr_rx(&h.r[2], 0, in2, sizeof(in2));
	nr_tx(&h.r[3], 0, &plain, pkt, 20);
	hr_notify(&h, 3);
	CHECK_EQ(devsim_step(h.s), 0);
	CHECK_EQ(sp_used_idx(&h.r[3]), 0);
	/* transmitq1 is */
	nr_rx(&h.r[0], 0, in1, sizeof(in1));
	nr_tx(&h.r[1], 0, &plain, pkt, 30);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 12 + 30);
	CHECK_EQ(sp_used_idx(&h.r[3]), 0);
	/* two pairs in use: the waiting packet comes back on receiveq2 */
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two, 2),
		 VMMIO_NET_OK);
	hr_notify(&h, 3);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_idx(&h.r[3]), 1);
	CHECK_EQ(sp_used_idx(&h.r[2]), 1);
	CHECK_EQ(sp_used_at(&h.r[2], 0).len, 12 + 20);
	CHECK(memcmp(in2 + 12, pkt, 20) == 0);
	/* a reset: receiveq1 only again */
	sim_reset(&h.sim);
	CHECK_EQ(nr_state(&h).curr_pairs, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static const unsigned mrg[] = { VMMIO_NET_F_MRG_RXBUF };

/* 12 + 100 bytes over receive buffers of 40: 40, 40, 32. */
static void t_mrg_spread(void)
{
	static uint8_t in[4][40];
	struct hr h;
	bool same = true;

	fill_pkt();
	memset(in, 0xcc, sizeof(in));
	nr_open(&h, mrg, 1, NULL, 2, 16);
	for (uint16_t i = 0; i < 4; i++)
		nr_rx(&h.r[0], i, in[i], sizeof(in[i]));
	nr_tx(&h.r[1], 0, &plain, pkt, 100);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 4); /* three receive buffers, one transmit */
	CHECK_EQ(sp_used_idx(&h.r[0]), 3);
	CHECK_EQ(num_buffers(in[0]), 3);
	for (uint16_t i = 0; i < 3; i++) {
		CHECK_EQ(sp_used_at(&h.r[0], i).id, i);
		CHECK_EQ(sp_used_at(&h.r[0], i).len, i < 2 ? 40 : 32);
	}
	for (unsigned i = 0; i < 100; i++)
		same &= in[(12 + i) / 40][(12 + i) % 40] == pkt[i];
	CHECK(same);
	CHECK_EQ(in[2][32], 0xcc);
	CHECK_EQ(in[3][0], 0xcc);
	CHECK_EQ(nr_stats(&h, 0).truncated, 0);

	/* a packet that fits: num_buffers 1, in the next buffer */
	nr_tx(&h.r[1], 2, &plain, pkt, 10);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_at(&h.r[0], 3).id, 3);
	CHECK_EQ(num_buffers(in[3]), 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A packet that needs more buffers than there are waits for them, holding
 * the ones it took; nothing is used until it is whole. */
static void t_mrg_waits(void)
{
	static uint8_t in[3][50];
	struct hr h;

	fill_pkt();
	nr_open(&h, mrg, 1, NULL, 2, 16);
	nr_rx(&h.r[0], 0, in[0], sizeof(in[0]));
	nr_rx(&h.r[0], 1, in[1], sizeof(in[1]));
	nr_tx(&h.r[1], 0, &plain, pkt, 120); /* 132 bytes: three buffers */
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 0);
	CHECK_EQ(sp_used_idx(&h.r[0]), 0);
	CHECK_EQ(sp_used_idx(&h.r[1]), 0);
	CHECK_EQ(devsim_step(h.s), 0); /* still waiting, nothing taken twice */
	nr_rx(&h.r[0], 2, in[2], sizeof(in[2]));
	CHECK_EQ(devsim_step(h.s), 4);
	CHECK_EQ(sp_used_idx(&h.r[0]), 3);
	CHECK_EQ(sp_used_idx(&h.r[1]), 1);
	CHECK_EQ(num_buffers(in[0]), 3);
	CHECK_EQ(sp_used_at(&h.r[0], 2).len, 32);
	CHECK(memcmp(in[2], pkt + 88, 32) == 0);
	CHECK_EQ(nr_stats(&h, 0).truncated, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A packet larger than the whole receive ring can never fit: once it holds
 * every buffer it is cut (counted), not waited for. */
static void t_mrg_larger_than_ring(void)
{
	static uint8_t in[4][16];
	struct hr h;

	fill_pkt();
	nr_open(&h, mrg, 1, NULL, 2, 4);
	for (uint16_t i = 0; i < 4; i++)
		nr_rx(&h.r[0], i, in[i], sizeof(in[i]));
	nr_tx(&h.r[1], 0, &plain, pkt, 200);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 5);
	CHECK_EQ(sp_used_idx(&h.r[0]), 4);
	CHECK_EQ(num_buffers(in[0]), 4);
	for (uint16_t i = 0; i < 4; i++)
		CHECK_EQ(sp_used_at(&h.r[0], i).len, 16);
	CHECK(memcmp(in[3], pkt + 36, 16) == 0);
	CHECK_EQ(nr_stats(&h, 0).truncated, 1);
	CHECK_EQ(sp_used_idx(&h.r[1]), 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* Without VIRTIO_NET_F_MRG_RXBUF: "only a single descriptor", cut to it,
 * num_buffers 1, the other buffers left. */
static void t_no_mrg_single_buffer(void)
{
	static uint8_t in[2][40];
	struct hr h;

	fill_pkt();
	nr_open(&h, NULL, 0, NULL, 2, 16);
	nr_rx(&h.r[0], 0, in[0], sizeof(in[0]));
	nr_rx(&h.r[0], 1, in[1], sizeof(in[1]));
	nr_tx(&h.r[1], 0, &plain, pkt, 100);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_idx(&h.r[0]), 1);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 40);
	CHECK_EQ(num_buffers(in[0]), 1);
	CHECK_EQ(nr_stats(&h, 0).truncated, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A receive queue reset under a waiting packet drops it: "If all receive
 * queues are being reset, the device MUST drop the packet." */
static void t_mrg_rx_reset_drops(void)
{
	static uint8_t in[60];
	struct hr h;

	fill_pkt();
	nr_open(&h, mrg, 1, NULL, 2, 16);
	nr_rx(&h.r[0], 0, in, sizeof(in));
	nr_tx(&h.r[1], 0, &plain, pkt, 200);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 0);
	wr(&h.sim, VMMIO_REG_QUEUE_SEL, 0);
	wr(&h.sim, VMMIO_REG_QUEUE_RESET, 1);
	CHECK_EQ(rd(&h.sim, VMMIO_REG_QUEUE_RESET), 0);
	for (unsigned i = 0; i < 3; i++)
		free(h.r[0].mem[i]);
	h.r[0].avail_idx = 0;
	hr_ring_mem(&h, &h.r[0], false);
	nr_rx(&h.r[0], 0, in, sizeof(in));
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 1); /* the transmit buffer, used */
	CHECK_EQ(sp_used_idx(&h.r[1]), 1);
	CHECK_EQ(sp_used_idx(&h.r[0]), 0);
	CHECK_EQ(nr_stats(&h, 1).dropped, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* A receive buffer whose descriptors split the header: num_buffers found
 * across them. A first buffer smaller than the header ("each buffer MUST be
 * at least size of struct virtio_net_hdr"): the packet is cut, harmlessly. */
static void t_mrg_odd_buffers(void)
{
	static uint8_t a[11], b[30], c[30], tiny[8];
	struct hr h;

	fill_pkt();
	memset(b, 0xcc, sizeof(b));
	nr_open(&h, mrg, 1, NULL, 2, 16);
	sp_desc(&h.r[0], 0, a, sizeof(a), F_WRITE | F_NEXT, 1); /* ends inside num_buffers */
	sp_desc(&h.r[0], 1, b, sizeof(b), F_WRITE, 0);
	sp_add(&h.r[0], 0);
	nr_rx(&h.r[0], 2, c, sizeof(c));
	nr_tx(&h.r[1], 0, &plain, pkt, 40); /* 52 bytes: 41 + 11 */
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 3);
	CHECK_EQ(a[10], 2); /* num_buffers, low byte */
	CHECK_EQ(b[0], 0); /* ... high byte */
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 41);
	CHECK_EQ(sp_used_at(&h.r[0], 1).len, 11);
	CHECK(memcmp(b + 1, pkt, 29) == 0 && memcmp(c, pkt + 29, 11) == 0);
	CHECK_EQ(nr_stats(&h, 0).truncated, 0);

	nr_rx(&h.r[0], 3, tiny, sizeof(tiny));
	nr_tx(&h.r[1], 2, &plain, pkt, 40);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_at(&h.r[0], 2).len, sizeof(tiny));
	CHECK_EQ(nr_stats(&h, 0).truncated, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* The same on a packed ring: three used descriptors, in order. */
static void t_mrg_packed(void)
{
	static uint8_t hdr[12], in[3][40];
	struct hr h;
	const struct hr_net net = { .feat = mrg, .n_feat = 1 };

	fill_pkt();
	hr_open_net(&h, DEVSIM_BACKEND_LOOPBACK, RF_PACKED, &net, 2, 16);
	for (uint16_t i = 0; i < 3; i++)
		pk_add(&h.r[0], (uint16_t)(10 + i), in[i], sizeof(in[i]), F_WRITE);
	pk_add(&h.r[1], 7, hdr, sizeof(hdr), F_NEXT);
	pk_add(&h.r[1], 7, pkt, 100, 0);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 4);
	for (uint16_t i = 0; i < 3; i++) {
		CHECK(pk_used(&h.r[0], i, true));
		CHECK_EQ(h.r[0].pd[i].id, 10 + i);
		CHECK_EQ(h.r[0].pd[i].len, i < 2 ? 40 : 32);
	}
	CHECK_EQ(num_buffers(in[0]), 3);
	CHECK(memcmp(in[1], pkt + 28, 40) == 0);
	CHECK(pk_used(&h.r[1], 0, true) && h.r[1].pd[0].id == 7);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* --- forward: the loopback with the addresses swapped --------------------------------- */

/* @got is the @len bytes of pkt as @backend delivers them: as sent by the
 * loopback; by forward, the destination (bytes 0..5) and source (6..11)
 * swapped when the packet holds both. */
static bool as_sent(const uint8_t *got, uint32_t len, enum devsim_backend backend)
{
	uint8_t want[sizeof(pkt)];

	memcpy(want, pkt, len);
	if (backend == DEVSIM_BACKEND_FORWARD && len >= 12) {
		memcpy(want, pkt + 6, 6);
		memcpy(want + 6, pkt, 6);
	}
	return memcmp(got, want, len) == 0;
}

/* One packet of @len bytes into one receive buffer @in of @cap bytes at
 * descriptor @d (transmit descriptors @d, @d + 1); the device is stepped. */
static void fwd_send(struct hr *h, uint16_t d, uint32_t len, uint8_t *in, uint32_t cap)
{
	memset(in, 0xcc, cap);
	nr_rx(&h->r[0], d, in, cap);
	nr_tx(&h->r[1], d, &plain, pkt, len);
	hr_notify(h, 1);
	CHECK_EQ(devsim_step(h->s), 2);
}

/* Without mergeable buffers: a frame, the shortest that holds both
 * addresses and one shorter (unchanged, counted), one cut inside the
 * addresses (what fits, swapped) and one after it. */
static void forward_single(enum devsim_backend backend)
{
	const bool fwd = backend == DEVSIM_BACKEND_FORWARD;
	static uint8_t in[128], sent[sizeof(pkt)];
	struct hr h;

	fill_pkt();
	memcpy(sent, pkt, sizeof(pkt));
	nr_open_backend(&h, backend, NULL, 0, NULL, 2, 16);
	fwd_send(&h, 0, 60, in, sizeof(in));
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 12 + 60);
	CHECK_EQ(num_buffers(in), 1);
	CHECK(as_sent(in + 12, 60, backend));
	/* spelled out: dst <-> src, or untouched */
	CHECK_EQ(memcmp(in + 12, pkt + (fwd ? 6 : 0), 6), 0);
	CHECK_EQ(memcmp(in + 18, pkt + (fwd ? 0 : 6), 6), 0);
	CHECK_EQ(memcmp(in + 24, pkt + 12, 48), 0);
	CHECK_EQ(in[12 + 60], 0xcc);
	/* the transmit buffer is device-readable: left as it was */
	CHECK_EQ(memcmp(pkt, sent, sizeof(pkt)), 0);

	fwd_send(&h, 2, 12, in, sizeof(in));
	CHECK_EQ(sp_used_at(&h.r[0], 1).len, 12 + 12);
	CHECK(as_sent(in + 12, 12, backend));
	CHECK_EQ(nr_stats(&h, 0).unswapped, 0);
	fwd_send(&h, 4, 11, in, sizeof(in));
	CHECK_EQ(sp_used_at(&h.r[0], 2).len, 12 + 11);
	CHECK_EQ(memcmp(in + 12, pkt, 11), 0);
	CHECK_EQ(nr_stats(&h, 0).unswapped, fwd ? 1 : 0);
	fwd_send(&h, 6, 0, in, sizeof(in));
	CHECK_EQ(sp_used_at(&h.r[0], 3).len, 12);
	CHECK_EQ(nr_stats(&h, 0).unswapped, fwd ? 2 : 0);
	CHECK_EQ(nr_stats(&h, 0).truncated, 0);

	/* 12 + 5 bytes: the header and the first 5 of the addresses */
	fwd_send(&h, 8, 60, in, 12 + 5);
	CHECK_EQ(sp_used_at(&h.r[0], 4).len, 12 + 5);
	CHECK_EQ(memcmp(in + 12, pkt + (fwd ? 6 : 0), 5), 0);
	CHECK_EQ(nr_stats(&h, 0).truncated, 1);
	fwd_send(&h, 10, 100, in, sizeof(in));
	CHECK_EQ(sp_used_at(&h.r[0], 5).len, 12 + 100);
	CHECK(as_sent(in + 12, 100, backend));
	CHECK_EQ(nr_stats(&h, 0).unswapped, fwd ? 2 : 0);
	CHECK_EQ(nr_stats(&h, 1).dropped, 0);
	CHECK_EQ(memcmp(pkt, sent, sizeof(pkt)), 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* With mergeable buffers, the addresses split over descriptors and
 * buffers: 12 + 40 bytes into 15 + 4 (one buffer of two descriptors) and
 * 40, used 19 and 33. */
static void forward_mrg(enum devsim_backend backend)
{
	static uint8_t a[15], b[4], c[40], got[40];
	struct hr h;

	fill_pkt();
	nr_open_backend(&h, backend, mrg, 1, NULL, 2, 16);
	sp_desc(&h.r[0], 0, a, sizeof(a), F_WRITE | F_NEXT, 1);
	sp_desc(&h.r[0], 1, b, sizeof(b), F_WRITE, 0);
	sp_add(&h.r[0], 0);
	nr_rx(&h.r[0], 2, c, sizeof(c));
	nr_tx(&h.r[1], 0, &plain, pkt, 40);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 3);
	CHECK_EQ(num_buffers(a), 2);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 19);
	CHECK_EQ(sp_used_at(&h.r[0], 1).len, 33);
	memcpy(got, a + 12, 3);
	memcpy(got + 3, b, 4);
	memcpy(got + 7, c, 33);
	CHECK(as_sent(got, 40, backend));
	CHECK_EQ(nr_stats(&h, 0).truncated, 0);
	CHECK_EQ(nr_stats(&h, 0).unswapped, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* Forward swaps the addresses of every packet, whatever the buffers; the
 * loopback, through the same code, leaves them. */
static void t_forward_swaps_macs(void)
{
	forward_single(DEVSIM_BACKEND_FORWARD);
	forward_mrg(DEVSIM_BACKEND_FORWARD);
}

static void t_loopback_keeps_macs(void)
{
	forward_single(DEVSIM_BACKEND_LOOPBACK);
	forward_mrg(DEVSIM_BACKEND_LOOPBACK);
}

/* Forward on a packed ring, over three mergeable buffers. */
static void t_forward_packed(void)
{
	static uint8_t hdr[12], in[3][40];
	const struct hr_net net = { .feat = mrg, .n_feat = 1 };
	uint8_t got[100];
	struct hr h;

	fill_pkt();
	hr_open_net(&h, DEVSIM_BACKEND_FORWARD, RF_PACKED, &net, 2, 16);
	for (uint16_t i = 0; i < 3; i++)
		pk_add(&h.r[0], (uint16_t)(10 + i), in[i], sizeof(in[i]), F_WRITE);
	pk_add(&h.r[1], 7, hdr, sizeof(hdr), F_NEXT);
	pk_add(&h.r[1], 7, pkt, 100, 0);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 4);
	CHECK_EQ(num_buffers(in[0]), 3);
	memcpy(got, in[0] + 12, 28);
	memcpy(got + 28, in[1], 40);
	memcpy(got + 68, in[2], 32);
	CHECK(as_sent(got, 100, DEVSIM_BACKEND_FORWARD));
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool wait_used(const struct hr_ring *r, uint16_t want)
{
	const uint64_t deadline = now_ms() + 5000;

	while (vmmio_load16(&r->used->idx) != want)
		if (now_ms() > deadline)
			return false;
	return true;
}

/* A device thread that sleeps on idle queues keeps looking at the receive
 * ring while a packet waits there for buffers: they come without a
 * notification, and the packet is delivered. */
static void t_mrg_thread_waits(void)
{
	const struct devsim_thread_opts o = { .cpu = -1, .sleep_after = 2 };
	static uint8_t in[3][50];
	struct hr h;

	fill_pkt();
	nr_open(&h, mrg, 1, NULL, 2, 16);
	CHECK_EQ(devsim_thread_start(h.s, &o), 0);
	nr_rx(&h.r[0], 0, in[0], sizeof(in[0]));
	nr_tx(&h.r[1], 0, &plain, pkt, 120);
	vmmio_mb();
	hr_notify(&h, 1);
	/* the first receive buffer taken: the packet waits for more */
	for (uint64_t until = now_ms() + 5000; !nr_stats(&h, 0).taken && now_ms() < until;)
		;
	CHECK_EQ(nr_stats(&h, 0).taken, 1);
	for (uint64_t until = now_ms() + 50; now_ms() < until;)
		; /* long enough for an idle device to go to sleep */
	nr_rx(&h.r[0], 1, in[1], sizeof(in[1]));
	nr_rx(&h.r[0], 2, in[2], sizeof(in[2]));
	CHECK(wait_used(&h.r[1], 1));
	CHECK(wait_used(&h.r[0], 3));
	CHECK_EQ(num_buffers(in[0]), 3);
	devsim_thread_stop(h.s);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

int main(void)
{
	TAP_RUN(t_pairs_in_use);
	TAP_RUN(t_mrg_spread);
	TAP_RUN(t_mrg_waits);
	TAP_RUN(t_mrg_larger_than_ring);
	TAP_RUN(t_no_mrg_single_buffer);
	TAP_RUN(t_mrg_rx_reset_drops);
	TAP_RUN(t_mrg_odd_buffers);
	TAP_RUN(t_mrg_packed);
	TAP_RUN(t_mrg_thread_waits);
	TAP_RUN(t_forward_swaps_macs);
	TAP_RUN(t_loopback_keeps_macs);
	TAP_RUN(t_forward_packed);
	return tap_end();
}
