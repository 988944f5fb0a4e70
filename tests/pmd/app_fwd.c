/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forward backend (dev=[sim:net,backend=forward]): each frame comes
 * back with its Ethernet destination and source swapped, as a peer running
 * testpmd's macswap sends it, and every other byte as sent. Frames of
 * 60..1514 bytes and jumbo frames over mergeable buffers, sent in chains
 * whose first segments may be shorter than the two addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include "app.h"
#include "devsim_vq.h"

#define POOL_MBUFS 4095u
#define XFER_TIMEOUT_MS 30000u
#define FWD_MTU 9000u
#define FWD_FRAMES 600u
#define ADDR RTE_ETHER_ADDR_LEN

static bool fwd_check(const struct rte_mbuf *m, const struct app_frame *f, void *ctx, char *why,
		      size_t whylen)
{
	static uint8_t buf[FWD_MTU + RTE_ETHER_HDR_LEN];
	const uint8_t *d;

	(void)ctx;
	if (m->pkt_len != f->len || m->pkt_len > sizeof(buf)) {
		snprintf(why, whylen, "pkt_len %u, sent %u", m->pkt_len, f->len);
		return false;
	}
	d = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	if (!d || memcmp(d, f->data + ADDR, ADDR) || memcmp(d + ADDR, f->data, ADDR)) {
		snprintf(why, whylen, "destination and source not swapped");
		return false;
	}
	for (uint32_t i = 2 * ADDR; i < f->len; i++)
		if (d[i] != f->data[i]) {
			snprintf(why, whylen, "byte %u: 0x%02x, sent 0x%02x", i, d[i], f->data[i]);
			return false;
		}
	return true;
}

static void t_forward(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = {
		.rxmode = { .mtu = FWD_MTU, .offloads = RTE_ETH_RX_OFFLOAD_SCATTER },
		.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
	};
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct app_frame *f = calloc(FWD_FRAMES, sizeof(*f));
	unsigned jumbo = 0, tiny_segs = 0;
	struct devsim_vq_stats rxs;
	struct app_port p;
	struct app_xfer r;
	char devargs[96];

	if (!f)
		abort();
	snprintf(devargs, sizeof(devargs), "dev=[sim:net,backend=forward,mtu=%u],%s", FWD_MTU,
		 ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	for (unsigned i = 0; i < FWD_FRAMES; i++) {
		bool big = i % 10 == 9;
		uint32_t len = big ? 2100 + app_rand() % (FWD_MTU + RTE_ETHER_HDR_LEN - 2099) :
				     60 + app_rand() % 1455;

		app_frame_random(&f[i], len);
		/* Unicast addresses of their own, each different. */
		for (unsigned k = 0; k < 2 * ADDR; k++)
			f[i].data[k] = (uint8_t)app_rand();
		f[i].data[0] = (uint8_t)((f[i].data[0] & 0xfc) | 0x02);
		f[i].data[ADDR] = (uint8_t)((f[i].data[ADDR] & 0xfc) | 0x02);
		jumbo += big;
		if (big) {
			f[i].seg_max = 512 + app_rand() % 1537;
		} else if (i % 4 == 1 && len <= 400) {
			f[i].seg_max = 8 + app_rand() % 9; /* the addresses over 2 or 3 segments */
			tiny_segs++;
		} else if (i % 4 == 3) {
			f[i].seg_max = 100 + app_rand() % 900;
		}
		f[i].shared = i % 7 == 3;
		f[i].no_headroom = !f[i].shared && i % 11 == 5;
	}
	app_xfer(&p, 0, f, FWD_FRAMES, fwd_check, NULL, XFER_TIMEOUT_MS, &r);
	CHECK_EQ(devsim_vq_stats(p.sim, 0, &rxs), 0);
	app_diag("%s, backend=forward: %u frames (%u jumbo up to %u bytes, %u in 8..16-byte "
		 "segments): sent %u, received %u (%u in several mbufs), bad %u, extra %u; "
		 "device: unswapped %llu, truncated %llu",
		 ring->name, FWD_FRAMES, jumbo, FWD_MTU + RTE_ETHER_HDR_LEN, tiny_segs, r.sent,
		 r.received, r.multi_seg, r.bad, r.extra, (unsigned long long)rxs.unswapped,
		 (unsigned long long)rxs.truncated);
	CHECK_EQ(r.sent, FWD_FRAMES);
	CHECK_EQ(r.received, FWD_FRAMES);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.extra, 0);
	CHECK(r.multi_seg >= jumbo); /* over 2048 bytes: several mbufs */
	CHECK_EQ(rxs.unswapped, 0);
	CHECK_EQ(rxs.truncated, 0);
	app_port_close(&p);
out:
	app_frames_free(f, FWD_FRAMES);
	free(f);
	app_pool_done(mp);
}

void app_fwd_cases(void)
{
	char name[128];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "backend=forward: addresses swapped, the rest intact, "
			 "jumbo frames too (%s)", app_rings[i].name);
		app_run(name, t_forward, &app_rings[i]);
	}
}
