/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net controlq (devsim_net.h), driven by hand on a split ring:
 * each command of "Control Virtqueue" devsim carries out (Packet Receive
 * Filtering, Setting MAC Address Filtering, Automatic receive steering in
 * multiqueue mode) changes the state devsim_net_state() shows and is acked
 * VIRTIO_NET_OK; one whose feature was not negotiated, of the wrong size
 * or unknown is acked VIRTIO_NET_ERR and changes nothing; a reset restores
 * the defaults; the SINK backend and the device thread service it too.
 */
#include <time.h>

#include "net_ring.h"
#include "tap.h"

#define CTRLQ 2u /* receiveq1, transmitq1, controlq */

static const unsigned all_ctrl[] = { VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_CTRL_RX,
				     VMMIO_NET_F_CTRL_MAC_ADDR, VMMIO_NET_F_MAC };

static void open_ctrl(struct hr *h, const unsigned *feat, unsigned n)
{
	nr_open(h, feat, n, NULL, 3, 16);
}

static void t_rx_mode(void)
{
	static const uint8_t on = 1, off = 0, two = 2, wide[2] = { 1, 0 };
	struct hr h;
	struct devsim_net_state st;

	open_ctrl(&h, all_ctrl, 4);
	st = nr_state(&h);
	CHECK(!st.promisc && !st.allmulti); /* devsim's default */
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, &on, 1),
		 VMMIO_NET_OK);
	CHECK(nr_state(&h).promisc);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_ALLMULTI, &on, 1),
		 VMMIO_NET_OK);
	CHECK(nr_state(&h).allmulti);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, &off, 1),
		 VMMIO_NET_OK);
	st = nr_state(&h);
	CHECK(!st.promisc && st.allmulti);
	/* "one byte containing 0 (off) or 1 (on)": anything else is refused */
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, &two, 1),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, wide, 2),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, NULL, 0),
		 VMMIO_NET_ERR);
	/* ALLUNI needs VIRTIO_NET_F_CTRL_RX_EXTRA, which is not offered */
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, 2, &on, 1), VMMIO_NET_ERR);
	st = nr_state(&h);
	CHECK(!st.promisc && st.allmulti);
	CHECK_EQ(st.ctrl_cmds, 7);
	CHECK_EQ(st.ctrl_errors, 4);
	sim_check_clean(&h.sim);
	hr_close(&h);

	/* Without VIRTIO_NET_F_CTRL_RX: refused. */
	open_ctrl(&h, all_ctrl, 1);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, &on, 1),
		 VMMIO_NET_ERR);
	CHECK(!nr_state(&h).promisc);
	hr_close(&h);
}

/* struct virtio_net_ctrl_mac twice, in @buf: returns its length. */
static uint32_t mac_tables(uint8_t *buf, uint32_t n_uc, uint32_t n_mc)
{
	uint32_t len = 0;

	for (int t = 0; t < 2; t++) {
		uint32_t n = t ? n_mc : n_uc;

		memcpy(buf + len, &n, 4); /* le32 */
		len += 4;
		for (uint32_t i = 0; i < n; i++, len += 6) {
			static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

			memcpy(buf + len, base, 6);
			buf[len] = t ? 0x01 : 0x02; /* multicast bit in the second table */
			buf[len + 4] = (uint8_t)(i >> 8);
			buf[len + 5] = (uint8_t)i;
		}
	}
	return len;
}

static void t_mac_table(void)
{
	uint8_t buf[900];
	struct hr h;
	struct devsim_net_state st;
	uint32_t len, used = 0;

	open_ctrl(&h, all_ctrl, 4);
	len = mac_tables(buf, 2, 1);
	/* data over descriptors of 5 bytes: no field on a boundary of its own */
	CHECK_EQ(nr_ctrl_ex(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			    len, 5, 1, &used),
		 VMMIO_NET_OK);
	CHECK_EQ(used, 1);
	st = nr_state(&h);
	CHECK_EQ(st.uc_count, 2);
	CHECK_EQ(st.mc_count, 1);
	CHECK(memcmp(st.uc[1], "\x02\x00\x00\x00\x00\x01", 6) == 0);
	CHECK(memcmp(st.mc[0], "\x01\x00\x00\x00\x00\x00", 6) == 0);
	CHECK(!st.uc_overflow && !st.mc_overflow);

	/* sizes that do not match the data: refused, the tables kept */
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			 len - 1),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			 len + 1),
		 VMMIO_NET_ERR);
	buf[0] = 0xff; /* 255 unicast entries claimed */
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			 len),
		 VMMIO_NET_ERR);
	memset(buf, 0xff, 4); /* 2^32 - 1 of them */
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			 len),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf, 3),
		 VMMIO_NET_ERR);
	st = nr_state(&h);
	CHECK_EQ(st.uc_count, 2);
	CHECK_EQ(st.mc_count, 1);

	/* "Either number MAY be 0" */
	len = mac_tables(buf, 0, 0);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			 len),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_state(&h).uc_count + nr_state(&h).mc_count, 0);
	/* more than devsim keeps: the first 64, and the overflow said */
	len = mac_tables(buf, 70, 3);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, buf,
			 len),
		 VMMIO_NET_OK);
	st = nr_state(&h);
	CHECK_EQ(st.uc_count, DEVSIM_NET_MAC_TABLE);
	CHECK(st.uc_overflow && !st.mc_overflow);
	CHECK_EQ(st.mc_count, 3);
	CHECK_EQ(st.mc[2][5], 2);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static void t_mac_addr(void)
{
	static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const unsigned no_mac[] = { VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_CTRL_MAC_ADDR };
	struct hr h;
	uint32_t gen;

	open_ctrl(&h, all_ctrl, 4);
	CHECK(memcmp(nr_state(&h).mac, "\x52\x54\x00\x12\x34\x56", 6) == 0);
	gen = rd(&h.sim, VMMIO_REG_CONFIG_GENERATION);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac, 6),
		 VMMIO_NET_OK);
	CHECK(memcmp(nr_state(&h).mac, mac, 6) == 0);
	/* "reflected in mac in config space", under a new ConfigGeneration */
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(cfg_rd(&h.sim, VMMIO_NET_CFG_MAC + i, 1), mac[i]);
	CHECK(rd(&h.sim, VMMIO_REG_CONFIG_GENERATION) != gen);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac, 5),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, 7, mac, 6), VMMIO_NET_ERR);
	sim_check_clean(&h.sim);
	hr_close(&h);

	/* Without VIRTIO_NET_F_MAC the configuration space keeps its mac. */
	open_ctrl(&h, no_mac, 2);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac, 6),
		 VMMIO_NET_OK);
	CHECK(memcmp(nr_state(&h).mac, mac, 6) == 0);
	CHECK_EQ(cfg_rd(&h.sim, VMMIO_NET_CFG_MAC + 1, 1), 0x54);
	hr_close(&h);

	/* Without VIRTIO_NET_F_CTRL_MAC_ADDR: refused. */
	open_ctrl(&h, all_ctrl, 2);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac, 6),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_state(&h).mac[0], 0x52);
	hr_close(&h);
}

/* Two queue pairs: receiveq1, transmitq1, receiveq2, transmitq2, controlq. */
static void two_pairs(struct devsim_config *c)
{
	c->num_queues = 5;
	c->config[VMMIO_NET_CFG_MAX_VQ_PAIRS] = 2;
}

static void t_vq_pairs(void)
{
	static const unsigned mq[] = { VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_MQ };
	const uint16_t zero = 0, one = 1, two = 2, three = 3;
	struct hr h;

	nr_open(&h, mq, 2, two_pairs, 5, 16);
	CHECK_EQ(nr_state(&h).curr_pairs, 1); /* "Multiqueue is disabled by default." */
	/* "MUST NOT request a virtqueue_pairs of 0 or greater than max_virtqueue_pairs" */
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &zero, 2),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &three, 2),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two, 1),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_state(&h).curr_pairs, 1);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two, 2),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_state(&h).curr_pairs, 2);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &one, 2),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_state(&h).curr_pairs, 1);
	sim_check_clean(&h.sim);
	hr_close(&h);

	/* Without VIRTIO_NET_F_MQ, N = 1: the controlq is queue 2, and the
	 * command is refused. */
	nr_open(&h, mq, 1, two_pairs, 5, 16);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two, 2),
		 NR_UNUSED);
	CHECK_EQ(nr_ctrl(&h, &h.r[2], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two, 2),
		 VMMIO_NET_ERR);
	CHECK_EQ(nr_state(&h).curr_pairs, 1);
	hr_close(&h);
}

/* Buffers no command fits: refused without harm, whatever their shape. */
static void t_malformed(void)
{
	static const uint8_t on = 1, mac[6] = { 2, 4, 6, 8, 10, 12 };
	static uint8_t cls, ack;
	struct hr_ring *r;
	struct hr h;
	uint32_t used = 0;

	open_ctrl(&h, all_ctrl, 4);
	r = &h.r[CTRLQ];
	CHECK_EQ(nr_ctrl(&h, r, 9, 0, NULL, 0), VMMIO_NET_ERR); /* unknown class */
	/* the header cut after its class: one readable byte, then the ack */
	cls = VMMIO_NET_CTRL_RX;
	ack = 0xee;
	sp_desc(r, 0, &cls, 1, F_NEXT, 1);
	sp_desc(r, 1, &ack, 1, F_WRITE, 0);
	sp_add(r, 0);
	sp_publish(r);
	hr_notify(&h, CTRLQ);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(ack, VMMIO_NET_ERR);
	CHECK_EQ(sp_used_at(r, 1).len, 1);
	/* no room for the ack: used with length 0, and not carried out */
	CHECK_EQ(nr_ctrl_ex(&h, r, VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, &on, 1, 0, 0,
			    &used),
		 NR_UNUSED);
	CHECK_EQ(sp_used_idx(r), 3);
	CHECK_EQ(sp_used_at(r, 2).len, 0);
	CHECK(!nr_state(&h).promisc);
	/* a larger ack buffer: one byte written; the data a byte per descriptor */
	CHECK_EQ(nr_ctrl_ex(&h, r, VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac, 6, 1, 4,
			    &used),
		 VMMIO_NET_OK);
	CHECK_EQ(used, 1);
	CHECK(memcmp(nr_state(&h).mac, mac, 6) == 0);
	CHECK_EQ(nr_state(&h).ctrl_cmds, 4);
	CHECK_EQ(nr_state(&h).ctrl_errors, 3);
	CHECK(devsim_vq_error(h.s, CTRLQ) == NULL);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* "The device MUST have an empty MAC filtering table on reset",
 * "Multiqueue is disabled by default", promiscuous off (devsim's). */
static void t_reset_restores(void)
{
	static const unsigned feat[] = { VMMIO_NET_F_CTRL_VQ, VMMIO_NET_F_CTRL_RX,
					 VMMIO_NET_F_CTRL_MAC_ADDR, VMMIO_NET_F_MAC,
					 VMMIO_NET_F_MQ };
	static const uint8_t on = 1, mac[6] = { 2, 0, 0, 0, 0, 9 };
	const uint16_t two = 2;
	uint8_t tables[64];
	struct devsim_net_state st;
	struct hr h;

	nr_open(&h, feat, 5, two_pairs, 5, 16);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_PROMISC, &on, 1),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_ALLMULTI, &on, 1),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_TABLE_SET, tables,
			 mac_tables(tables, 1, 1)),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MAC, VMMIO_NET_CTRL_MAC_ADDR_SET, mac, 6),
		 VMMIO_NET_OK);
	CHECK_EQ(nr_ctrl(&h, &h.r[4], VMMIO_NET_CTRL_MQ, VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET, &two, 2),
		 VMMIO_NET_OK);
	st = nr_state(&h);
	CHECK(st.promisc && st.allmulti && st.uc_count == 1 && st.curr_pairs == 2);
	sim_reset(&h.sim);
	st = nr_state(&h);
	CHECK(!st.promisc && !st.allmulti);
	CHECK_EQ(st.uc_count + st.mc_count, 0);
	CHECK_EQ(st.curr_pairs, 1);
	/* the configuration space (and its mac) stays across a reset */
	CHECK(memcmp(st.mac, mac, 6) == 0);
	CHECK_EQ(st.ctrl_cmds, 5); /* statistics stay */
	hr_close(&h);
}

/* The SINK backend carries commands out too (not length 0). */
static void t_sink(void)
{
	static const uint8_t on = 1;
	const struct hr_net net = { .feat = all_ctrl, .n_feat = 4 };
	struct hr h;

	hr_open_net(&h, DEVSIM_BACKEND_SINK, 0, &net, 3, 16);
	CHECK_EQ(nr_ctrl(&h, &h.r[CTRLQ], VMMIO_NET_CTRL_RX, VMMIO_NET_CTRL_RX_ALLMULTI, &on, 1),
		 VMMIO_NET_OK);
	CHECK(nr_state(&h).allmulti);
	hr_close(&h);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The device thread services the controlq, sleeping on it when idle, and
 * the state can be read while it runs. */
static void t_thread(void)
{
	static const struct vmmio_net_ctrl_hdr hdr = { VMMIO_NET_CTRL_RX,
						       VMMIO_NET_CTRL_RX_PROMISC };
	static const uint8_t on = 1;
	static uint8_t ack = 0xee;
	const struct devsim_thread_opts o = { .cpu = -1, .sleep_after = 4 };
	struct hr_ring *r;
	struct hr h;
	uint64_t until;

	open_ctrl(&h, all_ctrl, 4);
	r = &h.r[CTRLQ];
	CHECK_EQ(devsim_thread_start(h.s, &o), 0);
	sp_desc(r, 0, &hdr, sizeof(hdr), F_NEXT, 1);
	sp_desc(r, 1, &on, 1, F_NEXT, 2);
	sp_desc(r, 2, &ack, 1, F_WRITE, 0);
	sp_add(r, 0);
	sp_publish(r);
	vmmio_mb();
	hr_notify(&h, CTRLQ);
	until = now_ms() + 5000;
	while (!nr_state(&h).promisc && now_ms() < until)
		;
	CHECK(nr_state(&h).promisc);
	while (vmmio_load16(&r->used->idx) != 1 && now_ms() < until)
		;
	CHECK_EQ(vmmio_load16(&r->used->idx), 1);
	CHECK_EQ(ack, VMMIO_NET_OK);
	devsim_thread_stop(h.s);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

int main(void)
{
	TAP_RUN(t_rx_mode);
	TAP_RUN(t_mac_table);
	TAP_RUN(t_mac_addr);
	TAP_RUN(t_vq_pairs);
	TAP_RUN(t_malformed);
	TAP_RUN(t_reset_restores);
	TAP_RUN(t_sink);
	TAP_RUN(t_thread);
	return tap_end();
}
