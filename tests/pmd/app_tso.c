/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP segmentation offload through the loopback device, IPv4 and IPv6,
 * each frame 4000..8000 bytes of payload in one mbuf chain with
 * RTE_MBUF_F_TX_TCP_SEG and the pseudo-header sum without the length
 * (DPDK's TSO convention).
 *
 * TSO: the receive side did not negotiate GUEST_TSO4/6, so the device
 * cuts the frame (devsim/net_tso.c): ceil(payload / mss) frames, each
 * within the MTU, so 2048-byte mbufs hold them with or without mergeable
 * buffers. Each is checked field by field: IPv4 total length,
 * identification and header checksum (IPv6 payload length), TCP sequence
 * number advancing by the MSS, PSH on the last only, checksums that
 * verify, and its slice of the payload.
 *
 * LRO: the receive side negotiated GUEST_TSO4/6 too, so the device passes
 * the GSO request through (devsim/net_offload.c): the frame comes back
 * whole, over several mergeable buffers, with RTE_MBUF_F_RX_LRO and
 * tso_segsz the MSS. Without mergeable buffers such a frame fits no
 * 2048-byte mbuf: the port refuses LRO then.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "app.h"
#include "devsim_vq.h"

#define POOL_MBUFS 4095u
#define XFER_TIMEOUT_MS 30000u
#define TSO_FRAMES 96u
#define PAYLOAD_MIN 4000u
#define PAYLOAD_MAX 8000u
#define IN_FLIGHT 8u /* frames sent and not all back */
#define MTU 1500u
#define L2 RTE_ETHER_HDR_LEN
#define TCP_OPTS 12u /* NOP, NOP, timestamps */
#define SHOWN 5u

struct tso_case {
	const struct app_ring *ring;
	bool lro; /* Rx TCP_LRO (+ TCP_CKSUM) too: GUEST_TSO4/6 */
	bool mrg_off; /* mrg_rxbuf=0 */
};

/* A frame sent, and what comes back of it. */
struct tso_frame {
	struct app_frame f;
	uint32_t hlen, payload, nseg;
	bool v6;
};

struct tso_run {
	unsigned sent, done, segs, bad, extra, multi_seg;
	uint64_t payload_back;
};

/* --- frames ---------------------------------------------------------------------------------- */

static void tso_frame(struct tso_frame *t, bool v6, uint32_t payload, bool opts, uint16_t mss)
{
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint32_t l4 = (uint32_t)sizeof(struct rte_tcp_hdr) + (opts ? TCP_OPTS : 0);
	struct app_frame *f = &t->f;
	struct rte_tcp_hdr *th;
	uint8_t *d;

	app_frame_random(f, L2 + l3 + l4 + payload);
	d = f->data;
	memcpy(d, (const uint8_t[]){ 0x02, 0, 0, 0, 0, 0x02 }, 6);
	d[12] = v6 ? 0x86 : 0x08;
	d[13] = v6 ? 0xdd : 0x00;
	memset(d + L2, 0, l3 + l4);
	th = (struct rte_tcp_hdr *)(d + L2 + l3);
	th->src_port = rte_cpu_to_be_16(40000);
	th->dst_port = rte_cpu_to_be_16(80);
	th->sent_seq = rte_cpu_to_be_32(app_rand());
	th->recv_ack = rte_cpu_to_be_32(app_rand());
	th->data_off = (uint8_t)(l4 / 4 << 4);
	th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	th->rx_win = rte_cpu_to_be_16(65535);
	if (opts) {
		uint8_t *o = (uint8_t *)(th + 1);

		o[0] = o[1] = 1; /* NOP */
		o[2] = 8; /* timestamps */
		o[3] = 10;
		for (unsigned i = 4; i < TCP_OPTS; i++)
			o[i] = (uint8_t)app_rand();
	}
	f->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		      (v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	f->l2_len = L2;
	f->l3_len = (uint8_t)l3;
	f->l4_len = (uint8_t)l4;
	f->tso_segsz = mss;
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(d + L2);

		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + payload));
		ip->proto = IPPROTO_TCP;
		ip->hop_limits = 64;
		ip->src_addr[0] = ip->dst_addr[0] = 0xfd;
		ip->src_addr[15] = 1;
		ip->dst_addr[15] = 2;
		th->cksum = rte_ipv6_phdr_cksum(ip, f->ol_flags);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + L2);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + payload));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)app_rand());
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = rte_ipv4_phdr_cksum(ip, f->ol_flags);
	}
	t->v6 = v6;
	t->hlen = L2 + l3 + l4;
	t->payload = payload;
	t->nseg = (payload + mss - 1) / mss;
}

/* IPv4 and IPv6 in turn; MSS 1000, 536, the largest the MTU allows, 999;
 * TCP options on every third; segments of 200..2048 bytes. */
static void tso_frames(struct tso_frame *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		bool v6 = i & 1, opts = i % 3 == 1;
		uint32_t hdrs = (v6 ? 40u : 20u) + 20u + (opts ? TCP_OPTS : 0);
		const uint16_t mss[4] = { 1000, 536, (uint16_t)(MTU - hdrs), 999 };
		uint32_t payload = PAYLOAD_MIN + app_rand() % (PAYLOAD_MAX - PAYLOAD_MIN + 1);

		tso_frame(&t[i], v6, payload, opts, mss[(i / 2) % 4]);
		t[i].f.seg_max = 200 + app_rand() % 1849;
		t[i].f.shared = i % 5 == 4; /* the virtio-net header in a slot */
	}
}

/* --- what comes back ------------------------------------------------------------------------ */

/* Segment @i of @t, linear in @d (@len bytes). */
static bool seg_check(const struct tso_frame *t, uint32_t i, const uint8_t *d, uint32_t len,
		      char *why, size_t whylen)
{
	const uint8_t *s = t->f.data;
	const uint16_t mss = t->f.tso_segsz;
	const uint32_t off = i * mss, n = RTE_MIN((uint32_t)mss, t->payload - off);
	const uint32_t l3 = t->f.l3_len, l4 = t->f.l4_len, ip = L2, tcp = L2 + l3;
	uint8_t hdr[L2 + 40 + 20 + TCP_OPTS];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(hdr + tcp);
	const struct rte_tcp_hdr *got = (const struct rte_tcp_hdr *)(d + tcp);
	int v;

	if (len != t->hlen + n) {
		snprintf(why, whylen, "segment %u: %u bytes, expected %u + %u", i, len, t->hlen, n);
		return false;
	}
	/* The headers the device should have written. */
	memcpy(hdr, s, t->hlen);
	if (t->v6) {
		struct rte_ipv6_hdr *h6 = (struct rte_ipv6_hdr *)(hdr + ip);

		h6->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + n));
	} else {
		struct rte_ipv4_hdr *h4 = (struct rte_ipv4_hdr *)(hdr + ip);

		h4->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + n));
		h4->packet_id = rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(h4->packet_id) + i));
		h4->hdr_checksum = 0;
		h4->hdr_checksum = rte_ipv4_cksum(h4);
	}
	th->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + off);
	if (i + 1 < t->nseg)
		th->tcp_flags &= (uint8_t)~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	th->cksum = got->cksum;
	for (uint32_t k = 0; k < t->hlen; k++)
		if (d[k] != hdr[k]) {
			snprintf(why, whylen,
				 "segment %u: header byte %u: 0x%02x, expected 0x%02x (%s)", i, k,
				 d[k], hdr[k],
				 k < ip ? "Ethernet" : k < tcp ? (t->v6 ? "IPv6" : "IPv4") : "TCP");
			return false;
		}
	v = t->v6 ? rte_ipv6_udptcp_cksum_verify((const struct rte_ipv6_hdr *)(d + ip), got) :
		    rte_ipv4_udptcp_cksum_verify((const struct rte_ipv4_hdr *)(d + ip), got);
	if (v) {
		snprintf(why, whylen, "segment %u: TCP checksum 0x%04x does not verify", i,
			 rte_be_to_cpu_16(got->cksum));
		return false;
	}
	if (memcmp(d + t->hlen, s + t->hlen + off, n)) {
		snprintf(why, whylen, "segment %u: payload bytes %u..%u differ", i, off,
			 off + n - 1);
		return false;
	}
	return true;
}

/*
 * An LRO frame: the bytes sent, but for the TCP checksum field, which
 * carries the pseudo-header sum of the whole frame, length included ("The
 * TCP checksum field in the packet is set to the sum of the TCP pseudo
 * header, so that replacing it by the ones' complement checksum of the TCP
 * header and body will give the correct result", Packet Transmission;
 * DPDK's convention leaves the length out, the PMD puts it in). Completed
 * so, it verifies.
 */
static bool lro_check(const struct tso_frame *t, const struct rte_mbuf *m, char *why,
		      size_t whylen)
{
	const uint32_t l4 = L2 + t->f.l3_len, ck = l4 + offsetof(struct rte_tcp_hdr, cksum);
	uint8_t buf[RTE_ETHER_MAX_JUMBO_FRAME_LEN];
	const uint8_t *d;
	uint8_t got[2];
	uint16_t sum;
	int v;

	if (m->pkt_len != t->f.len || m->pkt_len > sizeof(buf)) {
		snprintf(why, whylen, "pkt_len %u, sent %u", m->pkt_len, t->f.len);
		return false;
	}
	d = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	if (d != buf)
		memcpy(buf, d, m->pkt_len);
	memcpy(got, buf + ck, sizeof(got));
	for (uint32_t k = 0; k < t->f.len; k++)
		if (buf[k] != t->f.data[k] && k != ck && k != ck + 1) {
			snprintf(why, whylen, "byte %u: 0x%02x, sent 0x%02x", k, buf[k],
				 t->f.data[k]);
			return false;
		}
	sum = (uint16_t)~rte_raw_cksum(buf + l4, t->f.len - l4);
	memcpy(buf + ck, &sum, sizeof(sum));
	if (t->v6)
		v = rte_ipv6_udptcp_cksum_verify((const struct rte_ipv6_hdr *)(buf + L2), buf + l4);
	else
		v = rte_ipv4_udptcp_cksum_verify((const struct rte_ipv4_hdr *)(buf + L2), buf + l4);
	if (v) {
		snprintf(why, whylen, "the partial TCP checksum 0x%02x%02x (sent 0x%02x%02x), "
			 "completed over the frame, does not verify", got[0], got[1],
			 t->f.data[ck], t->f.data[ck + 1]);
		return false;
	}
	return true;
}

static bool tso_check(const struct tso_case *c, const struct tso_frame *t, uint32_t i,
		      const struct rte_mbuf *m, char *why, size_t whylen)
{
	uint64_t l4f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint8_t buf[RTE_ETHER_MAX_JUMBO_FRAME_LEN];
	const uint8_t *d;

	if (c->lro) {
		if (!(m->ol_flags & RTE_MBUF_F_RX_LRO) || m->tso_segsz != t->f.tso_segsz) {
			snprintf(why, whylen, "ol_flags 0x%llx tso_segsz %u: expected RX_LRO, %u",
				 (unsigned long long)m->ol_flags, m->tso_segsz, t->f.tso_segsz);
			return false;
		}
		/* GUEST_CSUM: the checksum is left partial (NEEDS_CSUM). */
		if (l4f != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
			snprintf(why, whylen, "Rx L4 flags 0x%llx, expected L4_CKSUM_NONE",
				 (unsigned long long)l4f);
			return false;
		}
		return lro_check(t, m, why, whylen);
	}
	if (m->ol_flags & (RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_MASK)) {
		snprintf(why, whylen, "segment %u: ol_flags 0x%llx without Rx offloads", i,
			 (unsigned long long)m->ol_flags);
		return false;
	}
	if (m->pkt_len > sizeof(buf)) {
		snprintf(why, whylen, "segment %u: %u bytes", i, m->pkt_len);
		return false;
	}
	d = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	return d && seg_check(t, i, d, m->pkt_len, why, whylen);
}

/* Send the frames, up to IN_FLIGHT ahead, and check what comes back, in order. */
static void tso_xfer(struct app_port *p, const struct tso_case *c, const struct tso_frame *t,
		     unsigned n, struct tso_run *r)
{
	uint64_t deadline = app_now_ms() + XFER_TIMEOUT_MS;
	unsigned next = 0, seg = 0, shown = 0;
	struct rte_mbuf *rx[APP_BURST];
	char why[160];

	memset(r, 0, sizeof(*r));
	while (r->done < n && app_now_ms() < deadline) {
		uint16_t got, sent = 0;

		while (next < n && next - r->done < IN_FLIGHT) {
			struct rte_mbuf *m = app_mbuf(p->mp, &t[next].f);
			uint16_t k;

			if (!m)
				break;
			k = rte_eth_tx_burst(p->id, 0, &m, 1);
			if (t[next].f.shared || !k)
				rte_pktmbuf_free(m); /* our reference, or the refused packet */
			if (!k) {
				if (t[next].f.shared)
					rte_pktmbuf_free(m);
				break;
			}
			sent++;
			next++;
		}
		r->sent += sent;
		got = rte_eth_rx_burst(p->id, 0, rx, APP_BURST);
		for (uint16_t i = 0; i < got; i++) {
			const struct tso_frame *f = &t[r->done];

			if (r->done >= n) {
				r->extra++;
				rte_pktmbuf_free(rx[i]);
				continue;
			}
			r->segs++;
			r->multi_seg += rx[i]->nb_segs > 1;
			r->payload_back += rx[i]->pkt_len > f->hlen ? rx[i]->pkt_len - f->hlen : 0;
			if (!tso_check(c, f, seg, rx[i], why, sizeof(why))) {
				r->bad++;
				if (shown++ < SHOWN)
					app_diag("%s: frame %u (%s, %u bytes of payload, MSS %u): "
						 "%s", p->name, r->done, f->v6 ? "IPv6" : "IPv4",
						 f->payload, f->f.tso_segsz, why);
			}
			rte_pktmbuf_free(rx[i]);
			if (++seg == (c->lro ? 1 : f->nseg)) {
				seg = 0;
				r->done++;
			}
		}
		if (!sent && !got)
			sched_yield();
	}
}

/* --- cases ----------------------------------------------------------------------------------- */

static void t_tso(const void *arg)
{
	const struct tso_case *c = arg;
	struct rte_eth_conf conf = {
		.txmode.offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
				   RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
		.rxmode.offloads = c->lro ? RTE_ETH_RX_OFFLOAD_TCP_LRO |
						    RTE_ETH_RX_OFFLOAD_TCP_CKSUM :
					    0,
	};
	struct rte_mempool *mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	struct tso_frame *t = calloc(TSO_FRAMES, sizeof(*t));
	unsigned segs = 0, v6 = 0;
	uint64_t payload = 0;
	struct devsim_vq_stats rxs, txs;
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	struct app_port p;
	struct tso_run r;
	char devargs[64];

	if (!t)
		abort();
	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s%s", c->ring->devarg,
		 c->mrg_off ? ",mrg_rxbuf=0" : "");
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp))
		goto out;
	CHECK_EQ(rte_eth_dev_info_get(p.id, &info), 0);
	CHECK(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO);
	tso_frames(t, TSO_FRAMES);
	for (unsigned i = 0; i < TSO_FRAMES; i++) {
		segs += c->lro ? 1 : t[i].nseg;
		payload += t[i].payload;
		v6 += t[i].v6;
	}
	tso_xfer(&p, c, t, TSO_FRAMES, &r);
	CHECK_EQ(devsim_vq_stats(p.sim, 0, &rxs), 0);
	CHECK_EQ(devsim_vq_stats(p.sim, 1, &txs), 0);
	app_diag("%s%s, %s: %u TSO frames (%u IPv6) of %u..%u bytes of payload, %llu in all: "
		 "sent %u, back %u frames (expected %u; %u in several mbufs), %llu bytes of "
		 "payload; bad %u, extra %u; device: dropped %llu, truncated %llu",
		 c->ring->name, c->mrg_off ? ", mrg_rxbuf=0" : "",
		 c->lro ? "LRO (GSO passed through)" : "no LRO (the device cuts)", TSO_FRAMES, v6,
		 PAYLOAD_MIN, PAYLOAD_MAX, (unsigned long long)payload, r.sent, r.segs, segs,
		 r.multi_seg, (unsigned long long)r.payload_back, r.bad, r.extra,
		 (unsigned long long)txs.dropped, (unsigned long long)rxs.truncated);
	CHECK_EQ(r.sent, TSO_FRAMES);
	CHECK_EQ(r.done, TSO_FRAMES);
	CHECK_EQ(r.segs, segs);
	CHECK_EQ(r.bad, 0);
	CHECK_EQ(r.extra, 0);
	CHECK_EQ(r.payload_back, payload);
	CHECK_EQ(txs.dropped, 0);
	CHECK_EQ(rxs.truncated, 0);
	/* LRO frames are 4054..8086 bytes: several mergeable buffers each. */
	CHECK_EQ(r.multi_seg, c->lro ? TSO_FRAMES : 0);
	CHECK_EQ(rte_eth_stats_get(p.id, &st), 0);
	CHECK_EQ(st.opackets, TSO_FRAMES);
	CHECK_EQ(st.ipackets, segs);
	CHECK_EQ(st.ierrors + st.oerrors + st.rx_nombuf, 0);
	app_port_close(&p);
out:
	for (unsigned i = 0; i < TSO_FRAMES; i++)
		free(t[i].f.data);
	free(t);
	app_pool_done(mp);
}

/* LRO needs receive buffers of 65562 bytes without mergeable buffers
 * ("Setting Up Receive Buffers"), which no mbuf has: with mrg_rxbuf=0 the
 * port does not offer it and refuses it at configure. */
static void t_lro_no_mrg(const void *arg)
{
	const struct app_ring *ring = arg;
	struct rte_eth_conf conf = {
		.rxmode.offloads = RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_TCP_CKSUM,
	};
	struct rte_eth_dev_info info;
	struct app_port p;
	char devargs[64];

	snprintf(devargs, sizeof(devargs), "dev=sim:net,%s,mrg_rxbuf=0", ring->devarg);
	if (app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		return;
	}
	CHECK_EQ(rte_eth_dev_info_get(p.id, &info), 0);
	app_diag("%s, mrg_rxbuf=0: Rx offload capabilities 0x%llx", ring->name,
		 (unsigned long long)info.rx_offload_capa);
	CHECK(!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO));
	CHECK(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM);
	CHECK(rte_eth_dev_configure(p.id, 1, 1, &conf) < 0);
	app_port_close(&p);
}

void app_tso_cases(void)
{
	static struct tso_case cases[6];
	char name[128];

	for (unsigned i = 0; i < 2; i++) {
		cases[3 * i] = (struct tso_case){ &app_rings[i], false, false };
		cases[3 * i + 1] = (struct tso_case){ &app_rings[i], false, true };
		cases[3 * i + 2] = (struct tso_case){ &app_rings[i], true, false };
		snprintf(name, sizeof(name), "TSO, IPv4 and IPv6: the device cuts, every segment "
			 "checked (%s)", app_rings[i].name);
		app_run(name, t_tso, &cases[3 * i]);
		snprintf(name, sizeof(name),
			 "TSO without mergeable buffers: segments fit 2048-byte mbufs (%s)",
			 app_rings[i].name);
		app_run(name, t_tso, &cases[3 * i + 1]);
		snprintf(name, sizeof(name),
			 "LRO: GSO passed through, one merged frame, RX_LRO and tso_segsz (%s)",
			 app_rings[i].name);
		app_run(name, t_tso, &cases[3 * i + 2]);
		snprintf(name, sizeof(name), "LRO refused without mergeable buffers (%s)",
			 app_rings[i].name);
		app_run(name, t_lro_no_mrg, &app_rings[i]);
	}
}
