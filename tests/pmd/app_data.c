/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datapath through the loopback device: payloads byte for byte,
 * checksum offload (passed through, or filled in by the device), mergeable
 * buffers with jumbo frames, MTU limits, and every mbuf back in its pool
 * after a stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "app.h"
#include "devsim_vq.h"

#define POOL_MBUFS 4095u
#define XFER_TIMEOUT_MS 30000u /* the whole transfer; it takes milliseconds unloaded */

static void check_pool_empty(struct rte_mempool *mp)
{
	if (!mp)
		return;
	CHECK_EQ(app_in_use(mp), 0);
	rte_mempool_free(mp);
}

/* --- 1. payloads ------------------------------------------------------------------------------ */

static const uint32_t edge_sizes[] = { 60,  61,  63,  64,  65,   127,  128,  129,  255,
				       256, 511, 512, 1023, 1024, 1025, 1500, 1513, 1514 };
#define PAYLOAD_FRAMES 2000u

static void t_payloads(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { .txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS };
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	unsigned n = PAYLOAD_FRAMES, nseg = 0, nshared = 0, nnohr = 0;
	struct app_frame *f = calloc(n, sizeof(*f));
	struct rte_eth_stats st;
	struct app_port p;
	struct app_xfer r;
	uint64_t bytes = 0;
	char devargs[64];

	if (!f)
		abort();
	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s", ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = i < RTE_DIM(edge_sizes) ? edge_sizes[i] : 60 + app_rand() % 1455;

		app_frame_random(&f[i], len);
		bytes += len;
		/* Every way the PMD describes a packet: in the headroom, in a
		 * header slot (shared, or no headroom), over several segments. */
		if (i % 5 == 2) {
			f[i].seg_max = 100 + app_rand() % 900;
			nseg += len > f[i].seg_max;
		}
		if (i % 7 == 3) {
			f[i].shared = true;
			nshared++;
		} else if (i % 11 == 5) {
			f[i].no_headroom = true;
			nnohr++;
		}
	}
	app_xfer(&p, 0, f, n, NULL, NULL, XFER_TIMEOUT_MS, &r);
	app_diag("%s: %u frames of 60..1514 bytes (%u multi-segment, %u shared, %u without "
		 "headroom): sent %u, received %u, bad %u, extra %u",
		 ring->name, n, nseg, nshared, nnohr, r.sent, r.received, r.bad, r.extra);
	CHECK_EQ(r.sent, n);
	CHECK_EQ(r.received, n);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.extra, 0);
	CHECK_EQ(rte_eth_stats_get(p.id, &st), 0);
	CHECK_EQ(st.opackets, n);
	CHECK_EQ(st.ipackets, n);
	CHECK_EQ(st.obytes, bytes);
	CHECK_EQ(st.ibytes, bytes);
	CHECK_EQ(st.ierrors + st.oerrors + st.rx_nombuf, 0);
	app_port_close(&p);
out:
	app_frames_free(f, n);
	free(f);
	check_pool_empty(mp);
}

/* --- 2. checksum offload --------------------------------------------------------------------- */

struct csum_case {
	const struct app_ring *ring;
	bool rx; /* Rx offloads too: GUEST_CSUM negotiated, NEEDS_CSUM passed through */
};

#define L2 RTE_ETHER_HDR_LEN
#define L3 ((uint32_t)sizeof(struct rte_ipv4_hdr))

static bool frame_is_tcp(const struct app_frame *f)
{
	return f->data[L2 + 9] == IPPROTO_TCP;
}

/* Where the L4 checksum field is. */
static uint32_t l4_csum_off(const struct app_frame *f)
{
	return L2 + L3 +
	       (frame_is_tcp(f) ? offsetof(struct rte_tcp_hdr, cksum) :
				  offsetof(struct rte_udp_hdr, dgram_cksum));
}

/* IPv4/UDP or IPv4/TCP with @payload random bytes. With @offload, the L4
 * checksum field holds the pseudo-header sum and the mbuf asks for the
 * rest (DPDK's convention); else the checksum is complete. */
static void l4_frame(struct app_frame *f, bool tcp, uint32_t payload, bool offload)
{
	uint32_t l4 = tcp ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	struct rte_ipv4_hdr *ip;
	uint16_t csum;

	app_frame_random(f, L2 + L3 + l4 + payload);
	f->data[12] = 0x08;
	f->data[13] = 0x00;
	ip = (struct rte_ipv4_hdr *)(f->data + L2);
	memset(ip, 0, L3 + l4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(L3 + l4 + payload));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)app_rand());
	ip->time_to_live = 64;
	ip->next_proto_id = tcp ? IPPROTO_TCP : IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (tcp) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

		t->src_port = rte_cpu_to_be_16(40000);
		t->dst_port = rte_cpu_to_be_16(80);
		t->sent_seq = rte_cpu_to_be_32(app_rand());
		t->recv_ack = rte_cpu_to_be_32(app_rand());
		t->data_off = 5 << 4;
		t->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		t->rx_win = rte_cpu_to_be_16(65535);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

		u->src_port = rte_cpu_to_be_16(40000);
		u->dst_port = rte_cpu_to_be_16(4789);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(l4 + payload));
	}
	if (offload) {
		f->ol_flags = RTE_MBUF_F_TX_IPV4 |
			      (tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		f->l2_len = L2;
		f->l3_len = L3;
		csum = rte_ipv4_phdr_cksum(ip, f->ol_flags);
	} else {
		csum = rte_ipv4_udptcp_cksum(ip, ip + 1);
	}
	memcpy(f->data + l4_csum_off(f), &csum, sizeof(csum));
}

struct csum_seen {
	bool rx;
	unsigned none, good, bad, unknown, verified, offloaded;
};

static bool csum_check(const struct rte_mbuf *m, const struct app_frame *f, void *ctx, char *why,
		       size_t whylen)
{
	struct csum_seen *cs = ctx;
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(d + L2);
	uint64_t l4f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint32_t co = l4_csum_off(f);
	bool offloaded = f->ol_flags != 0;

	cs->none += l4f == RTE_MBUF_F_RX_L4_CKSUM_NONE;
	cs->good += l4f == RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	cs->bad += l4f == RTE_MBUF_F_RX_L4_CKSUM_BAD;
	cs->unknown += l4f == RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
	cs->offloaded += offloaded;
	if (m->nb_segs != 1 || m->pkt_len != f->len) {
		snprintf(why, whylen, "%u bytes in %u segments, sent %u in one", m->pkt_len,
			 m->nb_segs, f->len);
		return false;
	}
	if (offloaded && cs->rx) {
		/* GUEST_CSUM: the device hands the partial checksum on as it
		 * came (NEEDS_CSUM); the PMD says so: L4_CKSUM_NONE. */
		if (l4f != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
			snprintf(why, whylen, "%s: Rx L4 flags 0x%llx, expected L4_CKSUM_NONE",
				 frame_is_tcp(f) ? "TCP" : "UDP", (unsigned long long)l4f);
			return false;
		}
		return app_mbuf_equal(m, f->data, f->len, why, whylen);
	}
	/* The checksum complete: as sent (software) or filled in by the
	 * device (no GUEST_CSUM); the rest of the frame as sent. */
	if (rte_ipv4_udptcp_cksum_verify(ip, ip + 1) != 0) {
		snprintf(why, whylen, "%s%s: L4 checksum 0x%04x does not verify (sent 0x%04x)",
			 frame_is_tcp(f) ? "TCP" : "UDP", offloaded ? " offloaded" : "",
			 (unsigned)(d[co] << 8 | d[co + 1]), (unsigned)(f->data[co] << 8 | f->data[co + 1]));
		return false;
	}
	cs->verified++;
	if (memcmp(d, f->data, co) || memcmp(d + co + 2, f->data + co + 2, f->len - co - 2)) {
		snprintf(why, whylen, "bytes other than the L4 checksum changed");
		return false;
	}
	if (!cs->rx && l4f != RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN) {
		snprintf(why, whylen, "Rx L4 flags 0x%llx without Rx checksum offload",
			 (unsigned long long)l4f);
		return false;
	}
	return true;
}

#define CSUM_FRAMES 400u

static void t_csum(const void *arg)
{
	const struct csum_case *c = arg;
	const uint64_t l4 = RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	struct rte_eth_conf conf = {
		.txmode.offloads = l4,
		.rxmode.offloads = c->rx ? RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
						   RTE_ETH_RX_OFFLOAD_TCP_CKSUM :
					   0,
	};
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct app_frame f[CSUM_FRAMES];
	struct csum_seen cs = { .rx = c->rx };
	struct rte_eth_dev_info info;
	struct app_port p;
	struct app_xfer r;
	char devargs[64];

	memset(f, 0, sizeof(f));
	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s", c->ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	CHECK_EQ(rte_eth_dev_info_get(p.id, &info), 0);
	CHECK_EQ(info.tx_offload_capa & l4, l4);
	/* Every fourth frame has its checksum done in software and no
	 * offload flag: it must come back as it went. */
	for (unsigned i = 0; i < CSUM_FRAMES; i++)
		l4_frame(&f[i], i & 1, 1 + app_rand() % 1400, i % 4 != 3);
	app_xfer(&p, 0, f, CSUM_FRAMES, csum_check, &cs, XFER_TIMEOUT_MS, &r);
	app_diag("%s, Tx offload%s: %u UDP/TCP frames (%u offloaded): received %u, bad %u; Rx "
		 "L4 flags: NONE %u GOOD %u BAD %u UNKNOWN %u; checksums verified %u",
		 c->ring->name, c->rx ? " + Rx offload (GUEST_CSUM)" : " only (no GUEST_CSUM)",
		 CSUM_FRAMES, cs.offloaded, r.received, r.bad, cs.none, cs.good, cs.bad, cs.unknown,
		 cs.verified);
	CHECK_EQ(r.sent, CSUM_FRAMES);
	CHECK_EQ(r.received, CSUM_FRAMES);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.extra, 0);
	app_port_close(&p);
out:
	app_frames_free(f, CSUM_FRAMES);
	check_pool_empty(mp);
}

/* --- 3. mergeable buffers, jumbo frames ------------------------------------------------------ */

#define JUMBO_MTU 9000u
#define JUMBO_FRAMES 150u

static void t_jumbo(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = {
		.rxmode = { .mtu = JUMBO_MTU, .offloads = RTE_ETH_RX_OFFLOAD_SCATTER },
		.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
	};
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct app_frame *f = calloc(JUMBO_FRAMES, sizeof(*f));
	const uint32_t top = JUMBO_MTU + RTE_ETHER_HDR_LEN;
	struct rte_eth_dev_info info;
	struct app_port p;
	struct app_xfer r;
	uint16_t mtu = 0;
	char devargs[64];

	if (!f)
		abort();
	snprintf(devargs, sizeof(devargs), "dev=[sim:net,mtu=%u],%s", JUMBO_MTU, ring->devarg);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	CHECK_EQ(rte_eth_dev_info_get(p.id, &info), 0);
	CHECK_EQ(info.max_mtu, JUMBO_MTU);
	CHECK(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER);
	CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
	CHECK_EQ(mtu, JUMBO_MTU);
	CHECK_EQ(rte_eth_dev_set_mtu(p.id, JUMBO_MTU), 0);
	/* 9000-byte and full-size frames, then sizes between 2 and 5 mbufs
	 * of data; sent as chains of up to 2048-byte segments. */
	for (unsigned i = 0; i < JUMBO_FRAMES; i++) {
		uint32_t len = i == 0 ? JUMBO_MTU : i == 1 ? top : 2200 + app_rand() % (top - 2199);

		app_frame_random(&f[i], len);
		f[i].seg_max = i % 3 ? 2048 : 512 + app_rand() % 1537;
	}
	app_xfer(&p, 0, f, JUMBO_FRAMES, NULL, NULL, XFER_TIMEOUT_MS, &r);
	app_diag("%s, MTU %u: %u frames of 2200..%u bytes: sent %u, received %u (%u in several "
		 "mbufs, up to %u), bad %u, extra %u",
		 ring->name, JUMBO_MTU, JUMBO_FRAMES, top, r.sent, r.received, r.multi_seg,
		 r.max_segs, r.bad, r.extra);
	CHECK_EQ(r.sent, JUMBO_FRAMES);
	CHECK_EQ(r.received, JUMBO_FRAMES);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.extra, 0);
	CHECK_EQ(r.multi_seg, JUMBO_FRAMES);
	/* One mbuf per Rx burst: every frame is merged over several calls. */
	p.rx_burst = 1;
	app_xfer(&p, 0, f, JUMBO_FRAMES, NULL, NULL, XFER_TIMEOUT_MS, &r);
	app_diag("%s, again with Rx bursts of 1: received %u (%u in several mbufs), bad %u, "
		 "extra %u",
		 ring->name, r.received, r.multi_seg, r.bad, r.extra);
	CHECK_EQ(r.received, JUMBO_FRAMES);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.extra, 0);
	CHECK_EQ(r.multi_seg, JUMBO_FRAMES);
	app_port_close(&p);
out:
	app_frames_free(f, JUMBO_FRAMES);
	free(f);
	check_pool_empty(mp);
}

/* --- 4. MTU ---------------------------------------------------------------------------------- */

static void t_mtu(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct rte_eth_dev_info info;
	struct app_port p;
	uint16_t mtu = 0;
	char devargs[96];
	int r;

	if (!mp)
		return;
	/* The device's default: VIRTIO_NET_F_MTU with mtu 1500. */
	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s", ring->devarg);
	if (app_port_up(&p, devargs, &conf, 1, mp)) {
		CHECK_EQ(rte_eth_dev_info_get(p.id, &info), 0);
		CHECK_EQ(info.max_mtu, 1500);
		CHECK_EQ(info.min_mtu, RTE_ETHER_MIN_MTU);
		CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
		CHECK_EQ(mtu, 1500);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 1280), 0);
		CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
		CHECK_EQ(mtu, 1280);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 1500), 0);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 1501), -EINVAL);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 9000), -EINVAL);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, RTE_ETHER_MIN_MTU - 1), -EINVAL);
		CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
		CHECK_EQ(mtu, 1500);
		CHECK(app_traffic(&p, 0, 64, 1400, 1514, XFER_TIMEOUT_MS));
		app_port_close(&p);
	}
	/* rxmode.mtu beyond the device's at configure. */
	if (app_port_open(&p, devargs) == 0) {
		conf.rxmode.mtu = 1501;
		CHECK_EQ(rte_eth_dev_configure(p.id, 1, 1, &conf), -EINVAL);
		conf.rxmode.mtu = 0;
		app_port_close(&p);
	} else {
		CHECK(!"port opens");
	}

	/* mtu=9000: up to 9000, not beyond. */
	snprintf(devargs, sizeof(devargs), "dev=[sim:net,mtu=9000],%s", ring->devarg);
	if (app_port_up(&p, devargs, &conf, 1, mp)) {
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 9000), 0);
		CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
		CHECK_EQ(mtu, 9000);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 9001), -EINVAL);
		CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
		CHECK_EQ(mtu, 9000);
		app_port_close(&p);
	}

	/* Without mergeable buffers a frame must fit one Rx buffer ("Setting
	 * Up Receive Buffers"): 2048-byte mbufs hold no 9000-byte MTU, at
	 * queue setup or afterwards. */
	snprintf(devargs, sizeof(devargs), "dev=[sim:net,mtu=9000],mrg_rxbuf=0,%s", ring->devarg);
	if (app_port_open(&p, devargs) == 0) {
		conf.rxmode.mtu = 9000;
		CHECK_EQ(rte_eth_dev_configure(p.id, 1, 1, &conf), 0);
		r = rte_eth_rx_queue_setup(p.id, 0, APP_RING, (unsigned)rte_eth_dev_socket_id(p.id),
					   NULL, mp);
		CHECK_EQ(r, -EINVAL);
		conf.rxmode.mtu = 0;
		CHECK_EQ(app_port_setup(&p, &conf, 1, mp), 0);
		CHECK_EQ(rte_eth_dev_set_mtu(p.id, 1500), 0);
		r = rte_eth_dev_set_mtu(p.id, 9000);
		if (r != -EINVAL)
			app_diag("mrg_rxbuf=0, 2048-byte Rx mbufs: rte_eth_dev_set_mtu(9000) = %d "
				 "(%s): the PMD took an MTU whose frames its Rx buffers cannot hold",
				 r, rte_strerror(-r));
		CHECK_EQ(r, -EINVAL);
		CHECK_EQ(rte_eth_dev_get_mtu(p.id, &mtu), 0);
		CHECK_EQ(mtu, 1500);
		app_port_close(&p);
	} else {
		CHECK(!"port opens");
	}
	check_pool_empty(mp);
}

/* --- 7. mbufs all come back ------------------------------------------------------------------ */

/* Send @n frames and receive none: the Rx ring fills, the rest waits in
 * the Tx ring, for stop to hand back. */
static void leave_in_rings(struct app_port *p, unsigned n)
{
	uint64_t deadline = app_now_ms() + 1000;
	unsigned sent = 0, refused = 0;

	while (sent < n && refused < 20 && app_now_ms() < deadline) {
		struct app_frame f;
		struct rte_mbuf *m;

		app_frame_random(&f, 60 + app_rand() % 1455);
		m = app_mbuf(p->mp, &f);
		free(f.data);
		if (!m)
			break;
		if (rte_eth_tx_burst(p->id, 0, &m, 1) == 1) {
			sent++;
			refused = 0;
		} else {
			refused++;
			rte_pktmbuf_free(m);
			app_sleep_ms(1);
		}
	}
	app_sleep_ms(50); /* let the device move what it can */
}

static void t_no_leak(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = { .txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS };
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	unsigned before, running, after;
	struct app_port p;
	char devargs[64];

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s", ring->devarg);
	if (!mp || app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		check_pool_empty(mp);
		return;
	}
	if (app_port_setup(&p, &conf, 1, mp) == 0) {
		for (int round = 1; round <= 2; round++) {
			before = app_in_use(mp);
			if (rte_eth_dev_start(p.id)) {
				CHECK(!"port starts");
				break;
			}
			CHECK(app_traffic(&p, 0, 500, 60, 1514, XFER_TIMEOUT_MS));
			leave_in_rings(&p, 2 * APP_RING + 50);
			running = app_in_use(mp);
			CHECK_EQ(rte_eth_dev_stop(p.id), 0);
			after = app_in_use(mp);
			app_diag("%s round %d: mempool in use: %u before rte_eth_dev_start, %u with "
				 "the rings full, %u after rte_eth_dev_stop",
				 ring->name, round, before, running, after);
			CHECK_EQ(after, before);
			CHECK(running > before);
		}
	}
	app_port_close(&p);
	app_diag("%s: mempool in use after close: %u", ring->name, app_in_use(mp));
	check_pool_empty(mp);
}

/* A frame half merged when the port stops: its first buffers are the
 * PMD's (not the ring's) and must go back too; the next start begins
 * clean. */
static void t_no_leak_mrg(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = {
		.rxmode = { .mtu = JUMBO_MTU, .offloads = RTE_ETH_RX_OFFLOAD_SCATTER },
		.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
	};
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct devsim_vq_stats vs0, vs;
	unsigned before = 0, after = 0, held = 0;
	struct rte_mbuf *m = NULL;
	struct app_frame f;
	struct app_port p;
	uint64_t t0;
	char devargs[64];
	int round;

	snprintf(devargs, sizeof(devargs), "dev=[sim:net,mtu=%u],%s", JUMBO_MTU, ring->devarg);
	if (!mp || app_port_open(&p, devargs) || app_port_setup(&p, &conf, 1, mp) || !p.sim) {
		CHECK(!"port set up");
		goto close;
	}
	for (round = 1; round <= 2; round++) {
		before = app_in_use(mp);
		if (rte_eth_dev_start(p.id)) {
			CHECK(!"port starts");
			break;
		}
		CHECK(app_traffic(&p, 0, 20, 2200, JUMBO_MTU + RTE_ETHER_HDR_LEN, XFER_TIMEOUT_MS));
		CHECK_EQ(devsim_vq_stats(p.sim, 0, &vs0), 0);
		/* A 9014-byte frame: 5 Rx buffers. Wait until the device used them. */
		app_frame_random(&f, JUMBO_MTU + RTE_ETHER_HDR_LEN);
		f.seg_max = 2048;
		m = app_mbuf(mp, &f);
		free(f.data);
		CHECK(m && rte_eth_tx_burst(p.id, 0, &m, 1) == 1);
		t0 = app_now_ms();
		do {
			app_sleep_ms(1);
			devsim_vq_stats(p.sim, 0, &vs);
		} while (vs.used - vs0.used < 5 && app_now_ms() - t0 < 3000);
		CHECK_EQ(vs.used - vs0.used, 5);
		/* One used buffer per call: the first two buffers of the frame
		 * are taken, the frame is not complete. */
		CHECK_EQ(rte_eth_rx_burst(p.id, 0, &m, 1), 0);
		CHECK_EQ(rte_eth_rx_burst(p.id, 0, &m, 1), 0);
		held = app_in_use(mp);
		CHECK_EQ(rte_eth_dev_stop(p.id), 0);
		after = app_in_use(mp);
		app_diag("%s round %d, a 9014-byte frame half merged at stop: mempool in use: %u "
			 "before rte_eth_dev_start, %u at stop, %u after rte_eth_dev_stop",
			 ring->name, round, before, held, after);
		CHECK_EQ(after, before);
	}
close:
	app_port_close(&p);
	check_pool_empty(mp);
}

/* --- the list ------------------------------------------------------------------------------------ */

void app_data_cases(void)
{
	static struct csum_case csum[4];
	char name[96];

	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "payloads intact, 60..1514 bytes (%s)", app_rings[i].name);
		app_run(name, t_payloads, &app_rings[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		csum[2 * i] = (struct csum_case){ &app_rings[i], true };
		csum[2 * i + 1] = (struct csum_case){ &app_rings[i], false };
		snprintf(name, sizeof(name),
			 "checksum offload, Tx + Rx: NEEDS_CSUM passed through, L4_CKSUM_NONE (%s)",
			 app_rings[i].name);
		app_run(name, t_csum, &csum[2 * i]);
		snprintf(name, sizeof(name),
			 "checksum offload, Tx only: the device fills the checksum in (%s)",
			 app_rings[i].name);
		app_run(name, t_csum, &csum[2 * i + 1]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "mergeable buffers, MTU 9000, chains both ways (%s)",
			 app_rings[i].name);
		app_run(name, t_jumbo, &app_rings[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "MTU set and get, within and beyond the device's (%s)",
			 app_rings[i].name);
		app_run(name, t_mtu, &app_rings[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "no mbuf leak across start, traffic, stop (%s)",
			 app_rings[i].name);
		app_run(name, t_no_leak, &app_rings[i]);
	}
	for (unsigned i = 0; i < 2; i++) {
		snprintf(name, sizeof(name),
			 "no mbuf leak: a jumbo frame half merged at stop, clean restart (%s)",
			 app_rings[i].name);
		app_run(name, t_no_leak_mrg, &app_rings[i]);
	}
}
