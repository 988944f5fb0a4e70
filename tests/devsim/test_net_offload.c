/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loopback's transmit offloads, by hand on split rings ("Packet
 * Transmission", "Processing of Incoming Packets"): VIRTIO_NET_HDR_F_NEEDS_CSUM
 * filled in by the device, or passed to a driver with
 * VIRTIO_NET_F_GUEST_CSUM; TCP segmentation of a GSO packet for IPv4 and
 * IPv6, or the packet passed whole to a driver with GUEST_TSO4/6; and the
 * requests that cannot be honoured, dropped and counted. Checksums are
 * checked here by a sum of our own (RFC 1071), not devsim's. The forward
 * backend swaps the Ethernet addresses of each segment it cuts.
 */
#include "net_ring.h"
#include "tap.h"

#define ETH 14u
#define IP4 20u
#define IP6 40u
#define TCP 20u
#define TCP_FIN 0x01u
#define TCP_PSH 0x08u
#define TCP_ACK 0x10u
#define TCP_CWR 0x80u
#define SEQ 1000u
#define IP_ID 0x1234u

static uint8_t frame[4096];

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t rd16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) << 16 | rd16(p + 2);
}

/* The ones' complement sum of big-endian words, folded. */
static uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t sum)
{
	for (uint32_t i = 0; i < len; i++)
		sum += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The TCP pseudo-header sum of the segment at @l3 (IPv4 or IPv6). */
static uint32_t pseudo(const uint8_t *f, uint32_t l3, bool v6, uint32_t tcp_len)
{
	uint32_t s = v6 ? sum16(f + l3 + 8, 32, 0) : sum16(f + l3 + 12, 8, 0);
	uint8_t rest[4];

	be16(rest, 6);
	be16(rest + 2, tcp_len);
	return sum16(rest, 4, s);
}

/* A TCP segment with @n payload bytes over IPv4 or IPv6, its TCP checksum
 * field holding the pseudo-header sum ("Packet Transmission"); returns the
 * frame's length. */
static uint32_t tcp_frame(bool v6, uint32_t n, uint8_t flags)
{
	uint32_t l4 = ETH + (v6 ? IP6 : IP4);
	uint8_t *ip = frame + ETH, *th = frame + l4;

	memset(frame, 0, l4 + TCP);
	memcpy(frame, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (v6) {
		be16(frame + 12, 0x86dd);
		ip[0] = 0x60;
		be16(ip + 4, TCP + n);
		ip[6] = 6;
		ip[7] = 64;
		ip[23] = 1; /* ::1 */
		ip[39] = 2; /* ::2 */
	} else {
		be16(frame + 12, 0x0800);
		ip[0] = 0x45;
		be16(ip + 2, IP4 + TCP + n);
		be16(ip + 4, IP_ID);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, "\x0a\0\0\x01\x0a\0\0\x02", 8);
		be16(ip + 10, ~sum16(ip, IP4, 0));
	}
	be16(th, 1234);
	be16(th + 2, 80);
	be16(th + 4, SEQ >> 16);
	be16(th + 6, SEQ);
	th[12] = 5 << 4;
	th[13] = flags;
	be16(th + 14, 65535);
	for (uint32_t i = 0; i < n; i++)
		th[TCP + i] = (uint8_t)(i * 7 + 3);
	be16(th + 16, pseudo(frame, ETH, v6, TCP + n));
	return l4 + TCP + n;
}

/* Whether the TCP checksum of the segment @f is right. */
static bool tcp_ok(const uint8_t *f, bool v6, uint32_t tcp_len)
{
	uint32_t l4 = ETH + (v6 ? IP6 : IP4);

	return sum16(f + l4, tcp_len, pseudo(f, ETH, v6, tcp_len)) == 0xffff;
}

static struct vmmio_net_hdr csum_hdr(bool v6)
{
	return (struct vmmio_net_hdr){ .flags = VMMIO_NET_HDR_F_NEEDS_CSUM,
				       .csum_start = (uint16_t)(ETH + (v6 ? IP6 : IP4)),
				       .csum_offset = 16 };
}

static const struct vmmio_net_hdr *rx_hdr(const uint8_t *in)
{
	return (const struct vmmio_net_hdr *)in;
}

/* Send @len bytes of frame with @h; one receive buffer @in of @cap. */
static void send1(struct hr *h, const struct vmmio_net_hdr *hdr, uint32_t len, uint8_t *in,
		  uint32_t cap)
{
	nr_rx(&h->r[0], 0, in, cap);
	nr_tx(&h->r[1], 0, hdr, frame, len);
	hr_notify(h, 1);
}

static void t_csum_filled(void)
{
	static const unsigned f[] = { VMMIO_NET_F_CSUM };
	static uint8_t in[2048];
	const struct vmmio_net_hdr hdr = csum_hdr(false);
	uint32_t len = tcp_frame(false, 301, TCP_ACK);
	struct hr h;

	nr_open(&h, f, 1, NULL, 2, 16);
	CHECK(!tcp_ok(frame, false, TCP + 301)); /* the pseudo-header sum only, yet */
	send1(&h, &hdr, len, in, sizeof(in));
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 12 + len);
	/* "the device MUST set flags to zero and SHOULD supply a fully
	 * checksummed packet" */
	CHECK_EQ(rx_hdr(in)->flags, 0);
	CHECK(tcp_ok(in + 12, false, TCP + 301));
	CHECK(memcmp(in + 12, frame, 50) == 0);
	CHECK(memcmp(in + 12 + 52, frame + 52, len - 52) == 0);
	CHECK_EQ(nr_stats(&h, 1).dropped, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static void t_csum_passed(void)
{
	static const unsigned f[] = { VMMIO_NET_F_CSUM, VMMIO_NET_F_GUEST_CSUM };
	static uint8_t in[2048];
	const struct vmmio_net_hdr hdr = csum_hdr(true);
	uint32_t len = tcp_frame(true, 100, TCP_ACK);
	struct hr h;

	nr_open(&h, f, 2, NULL, 2, 16);
	send1(&h, &hdr, len, in, sizeof(in));
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(rx_hdr(in)->flags, VMMIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(rx_hdr(in)->csum_start, ETH + IP6);
	CHECK_EQ(rx_hdr(in)->csum_offset, 16);
	CHECK(memcmp(in + 12, frame, len) == 0); /* left to the driver */
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* NEEDS_CSUM without VIRTIO_NET_F_CSUM: ignored. csum_start and
 * csum_offset that point past the packet: dropped, counted. */
static void t_csum_ignored_or_dropped(void)
{
	static const unsigned f[] = { VMMIO_NET_F_CSUM };
	static uint8_t in[2048];
	struct vmmio_net_hdr hdr = csum_hdr(false);
	uint32_t len = tcp_frame(false, 10, TCP_ACK);
	struct hr h;

	nr_open(&h, NULL, 0, NULL, 2, 16);
	send1(&h, &hdr, len, in, sizeof(in));
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(rx_hdr(in)->flags, 0);
	CHECK(memcmp(in + 12, frame, len) == 0);
	hr_close(&h);

	nr_open(&h, f, 1, NULL, 2, 16);
	hdr.csum_offset = (uint16_t)(len - hdr.csum_start - 1); /* one byte of it past the end */
	send1(&h, &hdr, len, in, sizeof(in));
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(sp_used_idx(&h.r[1]), 1);
	CHECK_EQ(sp_used_idx(&h.r[0]), 0);
	CHECK_EQ(nr_stats(&h, 1).dropped, 1);
	/* the last two bytes: still inside */
	hdr.csum_offset = (uint16_t)(len - hdr.csum_start - 2);
	nr_tx(&h.r[1], 2, &hdr, frame, len);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(nr_stats(&h, 1).dropped, 1);
	nr_rx(&h.r[0], 1, in, sizeof(in));
	hdr.csum_start = 0xffff;
	nr_tx(&h.r[1], 4, &hdr, frame, len);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(nr_stats(&h, 1).dropped, 2);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static const unsigned tso[] = { VMMIO_NET_F_CSUM, VMMIO_NET_F_HOST_TSO4, VMMIO_NET_F_HOST_TSO6 };

static struct vmmio_net_hdr gso_hdr(bool v6, uint16_t mss)
{
	struct vmmio_net_hdr h = csum_hdr(v6);

	h.gso_type = v6 ? VMMIO_NET_HDR_GSO_TCPV6 : VMMIO_NET_HDR_GSO_TCPV4;
	h.gso_size = mss;
	h.hdr_len = (uint16_t)(h.csum_start + TCP);
	return h;
}

/* Segment @i of @nseg (@n payload bytes) of a packet with TCP flags
 * @flags, as it should be, in @seg. */
static void check_segment(const uint8_t *seg, bool v6, uint8_t flags, unsigned i, unsigned nseg,
			  uint32_t n, uint32_t mss)
{
	const uint32_t l4 = ETH + (v6 ? IP6 : IP4);
	const uint8_t *ip = seg + ETH, *th = seg + l4;
	uint8_t want = flags;
	bool same = true;

	if (v6) {
		CHECK_EQ(rd16(ip + 4), TCP + n);
	} else {
		CHECK_EQ(rd16(ip + 2), IP4 + TCP + n);
		CHECK_EQ(rd16(ip + 4), IP_ID + i);
		CHECK_EQ(sum16(ip, IP4, 0), 0xffff);
	}
	CHECK_EQ(rd32(th + 4), SEQ + i * mss);
	/* CWR only on the first, FIN and PSH only on the last */
	if (i > 0)
		want &= (uint8_t)~TCP_CWR;
	if (i + 1 < nseg)
		want &= (uint8_t)~(TCP_FIN | TCP_PSH);
	CHECK_EQ(th[13], want);
	CHECK(tcp_ok(seg, v6, TCP + n));
	for (uint32_t k = 0; k < n; k++)
		same &= th[TCP + k] == (uint8_t)((i * mss + k) * 7 + 3);
	CHECK(same);
}

/* A GSO packet the receiving driver cannot take whole: cut into segments,
 * one per receive buffer, each a complete packet (flags 0, GSO_NONE). The
 * third waits for its buffer; the transmit buffer is used after it. */
static void tso_case(bool v6)
{
	static uint8_t in[3][1200];
	const struct vmmio_net_hdr hdr = gso_hdr(v6, 1000);
	const uint32_t l4 = ETH + (v6 ? IP6 : IP4);
	const uint8_t flags = TCP_ACK | TCP_CWR | TCP_PSH | TCP_FIN;
	uint32_t len = tcp_frame(v6, 2500, flags);
	struct hr h;

	nr_open(&h, tso, 3, NULL, 2, 16);
	nr_rx(&h.r[0], 0, in[0], sizeof(in[0]));
	nr_rx(&h.r[0], 1, in[1], sizeof(in[1]));
	nr_tx(&h.r[1], 0, &hdr, frame, len);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_idx(&h.r[0]), 2);
	CHECK_EQ(sp_used_idx(&h.r[1]), 0);
	nr_rx(&h.r[0], 2, in[2], sizeof(in[2]));
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_idx(&h.r[0]), 3);
	CHECK_EQ(sp_used_idx(&h.r[1]), 1);
	for (unsigned i = 0; i < 3; i++) {
		uint32_t n = i < 2 ? 1000 : 500;

		CHECK_EQ(sp_used_at(&h.r[0], i).len, 12 + l4 + TCP + n);
		CHECK_EQ(rx_hdr(in[i])->flags, 0);
		CHECK_EQ(rx_hdr(in[i])->gso_type, VMMIO_NET_HDR_GSO_NONE);
		CHECK_EQ(rx_hdr(in[i])->num_buffers, 1);
		check_segment(in[i] + 12, v6, flags, i, 3, n, 1000);
	}
	CHECK_EQ(nr_stats(&h, 1).dropped, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* Forward: each segment the device cuts comes back with its destination
 * and source swapped; the first, cut inside the addresses (a receive
 * buffer of the header and 5 bytes), leaves the others whole. */
static void t_tso_forward(void)
{
	static uint8_t in[3][1200];
	const struct vmmio_net_hdr hdr = gso_hdr(false, 1000);
	const uint8_t flags = TCP_ACK | TCP_PSH;
	uint32_t len = tcp_frame(false, 2500, flags);
	uint8_t sent[12];
	struct hr h;

	memcpy(sent, frame, sizeof(sent));
	nr_open_backend(&h, DEVSIM_BACKEND_FORWARD, tso, 3, NULL, 2, 16);
	nr_rx(&h.r[0], 0, in[0], 12 + 5);
	nr_rx(&h.r[0], 1, in[1], sizeof(in[1]));
	nr_rx(&h.r[0], 2, in[2], sizeof(in[2]));
	nr_tx(&h.r[1], 0, &hdr, frame, len);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 4);
	CHECK_EQ(sp_used_idx(&h.r[1]), 1);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 12 + 5);
	CHECK_EQ(memcmp(in[0] + 12, sent + 6, 5), 0);
	for (unsigned i = 1; i < 3; i++) {
		uint32_t n = i < 2 ? 1000 : 500;

		CHECK_EQ(sp_used_at(&h.r[0], i).len, 12 + ETH + IP4 + TCP + n);
		CHECK_EQ(memcmp(in[i] + 12, sent + 6, 6), 0);
		CHECK_EQ(memcmp(in[i] + 18, sent, 6), 0);
		check_segment(in[i] + 12, false, flags, i, 3, n, 1000);
	}
	CHECK_EQ(memcmp(frame, sent, sizeof(sent)), 0); /* not written */
	CHECK_EQ(nr_stats(&h, 0).truncated, 1);
	CHECK_EQ(nr_stats(&h, 0).unswapped, 0);
	CHECK_EQ(nr_stats(&h, 1).dropped, 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

static void t_tso4_segments(void)
{
	tso_case(false);
}

static void t_tso6_segments(void)
{
	tso_case(true);
}

/* With VIRTIO_NET_F_GUEST_TSO4 the packet goes whole, its GSO fields
 * passed on ("gso_size field indicates the desired MSS"). */
static void t_tso_passed(void)
{
	static const unsigned f[] = { VMMIO_NET_F_CSUM, VMMIO_NET_F_HOST_TSO4,
				      VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4 };
	static uint8_t in[4096];
	const struct vmmio_net_hdr hdr = gso_hdr(false, 1000);
	uint32_t len = tcp_frame(false, 2500, TCP_ACK);
	struct hr h;

	nr_open(&h, f, 4, NULL, 2, 16);
	send1(&h, &hdr, len, in, sizeof(in));
	CHECK_EQ(devsim_step(h.s), 2);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 12 + len);
	CHECK_EQ(rx_hdr(in)->flags, VMMIO_NET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(rx_hdr(in)->gso_type, VMMIO_NET_HDR_GSO_TCPV4);
	CHECK_EQ(rx_hdr(in)->gso_size, 1000);
	CHECK_EQ(rx_hdr(in)->hdr_len, ETH + IP4 + TCP);
	CHECK_EQ(rx_hdr(in)->csum_start, ETH + IP4);
	CHECK_EQ(rx_hdr(in)->csum_offset, 16);
	CHECK(memcmp(in + 12, frame, len) == 0);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

/* Send @hdr with the frame on transmit descriptor @d: whether it was
 * dropped (the transmit buffer used, nothing received, the drop counted). */
static bool dropped(struct hr *h, uint16_t d, const struct vmmio_net_hdr *hdr, uint32_t len)
{
	uint64_t before = nr_stats(h, 1).dropped;
	uint16_t rx_used = sp_used_idx(&h->r[0]);

	nr_tx(&h->r[1], d, hdr, frame, len);
	hr_notify(h, 1);
	return devsim_step(h->s) == 1 && nr_stats(h, 1).dropped == before + 1 &&
	       sp_used_idx(&h->r[0]) == rx_used;
}

/* GSO requests devsim cannot honour. */
static void t_tso_refused(void)
{
	static const unsigned only4[] = { VMMIO_NET_F_CSUM, VMMIO_NET_F_HOST_TSO4 };
	static uint8_t in[4096];
	struct vmmio_net_hdr hdr;
	uint32_t len = tcp_frame(false, 2000, TCP_ACK);
	struct hr h;

	nr_open(&h, only4, 2, NULL, 2, 16);
	nr_rx(&h.r[0], 15, in, sizeof(in));
	/* "the driver MUST also set the VIRTIO_NET_HDR_F_NEEDS_CSUM bit" */
	hdr = gso_hdr(false, 1000);
	hdr.flags = 0;
	CHECK(dropped(&h, 0, &hdr, len));
	/* TCPV6 without HOST_TSO6; UDP fragmentation, not offered */
	hdr = gso_hdr(true, 1000);
	CHECK(dropped(&h, 2, &hdr, len));
	hdr = gso_hdr(false, 1000);
	hdr.gso_type = VMMIO_NET_HDR_GSO_UDP;
	CHECK(dropped(&h, 4, &hdr, len));
	/* an MSS of 0; a frame that is not TCP (IPv4 protocol 17) */
	hdr = gso_hdr(false, 0);
	CHECK(dropped(&h, 6, &hdr, len));
	hdr = gso_hdr(false, 1000);
	frame[ETH + 9] = 17;
	CHECK(dropped(&h, 8, &hdr, len));
	/* and a good one still goes: two segments in the buffer left */
	frame[ETH + 9] = 6;
	hdr = gso_hdr(false, 1960);
	nr_tx(&h.r[1], 10, &hdr, frame, len);
	hr_notify(&h, 1);
	CHECK_EQ(devsim_step(h.s), 1);
	CHECK_EQ(sp_used_idx(&h.r[0]), 1);
	CHECK_EQ(sp_used_at(&h.r[0], 0).len, 12 + ETH + IP4 + TCP + 1960);
	check_segment(in + 12, false, TCP_ACK, 0, 2, 1960, 1960);
	sim_check_clean(&h.sim);
	hr_close(&h);
}

int main(void)
{
	TAP_RUN(t_csum_filled);
	TAP_RUN(t_csum_passed);
	TAP_RUN(t_csum_ignored_or_dropped);
	TAP_RUN(t_tso4_segments);
	TAP_RUN(t_tso6_segments);
	TAP_RUN(t_tso_forward);
	TAP_RUN(t_tso_passed);
	TAP_RUN(t_tso_refused);
	return tap_end();
}
