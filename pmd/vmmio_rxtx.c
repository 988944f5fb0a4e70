/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rx and Tx queues: setup, release, and the burst functions.
 *
 * The virtqueue burst path (add, publish, kick, reap) is libvmmio's,
 * inline from vmmio_vq.h: one branch per call picks the split or the
 * packed engine, nothing per packet goes through a function pointer, and
 * every used entry the device wrote is checked there before an mbuf is
 * touched. A device that lies breaks only that queue: its burst returns 0
 * from then on, the error is logged once and counted (xstat *_broken), and
 * the port's other queues run on; rte_eth_dev_reset() brings it back.
 *
 * Rx: one mbuf per descriptor, the virtio-net header in the last bytes of
 * its headroom, so the frame lands at RTE_PKTMBUF_HEADROOM. Tx: the header
 * goes in the mbuf's headroom when the mbuf is ours alone (refcnt 1,
 * direct), so a one-segment packet is one descriptor; otherwise in a slot
 * of the queue's header array. Mbufs are allocated and freed in bulk.
 */
#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "vmmio_pmd.h"

/* Tagged Tx cookies: the low bit marks a header slot (mbufs are cache-line
 * aligned, so a real mbuf pointer never has it). */
#define TX_SLOT_TAG 1u
#define TX_HDR_STRIDE 16u /* header array entry: 12 bytes, 16-byte aligned */
#define NO_SLOT UINT16_MAX

/* --- statistics helpers ------------------------------------------------------------- */

/* RFC 2819 size bucket, without a division: floor(log2(len)) picks the
 * power-of-2 buckets between 65 and 1023 bytes. */
static inline unsigned size_bin(uint32_t len)
{
	if (len < 64)
		return VMMIO_BIN_UNDERSIZE;
	if (len == 64)
		return VMMIO_BIN_64;
	if (len < 1024)
		return (unsigned)(31 - __builtin_clz(len)) - 4; /* 65..127 -> 2 ... */
	return len <= 1518 ? VMMIO_BIN_1024_1518 : VMMIO_BIN_1519_MAX;
}

static inline void count_packet(struct vmmio_pmd_qstats *st, uint32_t len)
{
	st->packets++;
	st->bytes += len;
	st->bins[size_bin(len)]++;
}

static void queue_broke(struct vmmio_port *p, const char *dir, uint16_t qid,
			struct vmmio_pmd_qstats *st, const struct vmmio_vq *vq)
{
	if (st->broken)
		return;
	st->broken = 1;
	PMD_LOG(ERR, "%s: %s queue %u stopped: the device broke the ring protocol: %s", p->name,
		dir, qid, vmmio_vq_error(vq));
}

/* --- Rx ------------------------------------------------------------------------------ */

static inline struct vmmio_net_hdr *rx_hdr(const struct rte_mbuf *m, uint16_t hdr_len)
{
	return (struct vmmio_net_hdr *)((char *)m->buf_addr + RTE_PKTMBUF_HEADROOM - hdr_len);
}

/* Post up to @room fresh mbufs: one segment each, the header just before
 * the frame's headroom end (vmmio_vq_add1(), the mbufs their own cookies).
 * Leaves refill_due set when it posted fewer (no mbufs, or the ring full),
 * so the next poll tries again even if nothing arrives. */
static void rx_refill(struct vmmio_rxq *rxq, unsigned room)
{
	struct rte_mbuf *mb[VMMIO_PMD_BURST];
	struct vmmio_seg seg[VMMIO_PMD_BURST];
	const uint16_t hl = rxq->hdr_len;

	while (room) {
		unsigned n = RTE_MIN(room, VMMIO_PMD_BURST);
		int added;

		rxq->refill_due = true;
		if (rte_pktmbuf_alloc_bulk(rxq->mp, mb, n)) {
			rxq->st.nombuf += n;
			return;
		}
		for (unsigned i = 0; i < n; i++) {
			/* The header ends where the frame starts. */
			seg[i].addr = mb[i]->buf_iova + RTE_PKTMBUF_HEADROOM - hl;
			seg[i].len = (uint32_t)mb[i]->buf_len - RTE_PKTMBUF_HEADROOM + hl;
		}
		added = vmmio_vq_add1(rxq->vq, seg, (void *const *)mb, n, true);
		if (added < 0)
			added = 0;
		if ((unsigned)added < n) {
			rte_pktmbuf_free_bulk(mb + added, n - (unsigned)added);
			return;
		}
		room -= n;
	}
	rxq->refill_due = false;
}

static inline unsigned rx_room(const struct vmmio_rxq *rxq)
{
	unsigned out = vmmio_vq_outstanding(rxq->vq);

	return out >= rxq->nb_desc ? 0 : RTE_MIN(vmmio_vq_room(rxq->vq), rxq->nb_desc - out);
}

static inline void rx_offloads(const struct vmmio_rxq *rxq, struct rte_mbuf *m,
			       const struct vmmio_net_hdr *h)
{
	if (rxq->csum) {
		/* NEEDS_CSUM: the checksum field is partial but the data is
		 * intact (it never left the host); DATA_VALID: verified. */
		if (h->flags & VMMIO_NET_HDR_F_NEEDS_CSUM)
			m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		else if (h->flags & VMMIO_NET_HDR_F_DATA_VALID)
			m->ol_flags |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (rxq->lro && (h->gso_type & ~VMMIO_NET_HDR_GSO_ECN) != VMMIO_NET_HDR_GSO_NONE) {
		m->ol_flags |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = h->gso_size;
	}
}

/* A frame's first buffer: header checks and mbuf fields. NULL (mbuf
 * freed, error counted) for a frame shorter than its header. */
static inline struct rte_mbuf *rx_first(struct vmmio_rxq *rxq, struct rte_mbuf *m, uint32_t len,
					uint16_t *nbufs)
{
	const struct vmmio_net_hdr *h;

	if (unlikely(len <= rxq->hdr_len)) {
		rxq->st.errors++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	h = rx_hdr(m, rxq->hdr_len);
	*nbufs = rxq->mrg_rxbuf ? h->num_buffers : 1;
	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = (uint16_t)(len - rxq->hdr_len);
	m->pkt_len = m->data_len;
	m->nb_segs = 1;
	m->next = NULL;
	m->port = rxq->port_id;
	m->ol_flags = 0;
	m->packet_type = RTE_PTYPE_UNKNOWN;
	rx_offloads(rxq, m, h);
	return m;
}

/* Forget the frame being merged (delivered or freed by the caller). */
static inline void rx_mrg_reset(struct vmmio_rxq *rxq)
{
	rxq->mrg_head = NULL;
	rxq->mrg_tail = NULL;
	rxq->mrg_left = 0;
}

/* One more buffer of a frame over several (MRG_RXBUF): the device wrote
 * from the start of the buffer, no header. */
static inline void rx_append(struct vmmio_rxq *rxq, struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *head = rxq->mrg_head;

	m->data_off = (uint16_t)(RTE_PKTMBUF_HEADROOM - rxq->hdr_len);
	m->data_len = (uint16_t)len;
	m->next = NULL;
	rxq->mrg_tail->next = m;
	rxq->mrg_tail = m;
	head->nb_segs++;
	head->pkt_len += len;
	rxq->mrg_left--;
}

uint16_t vmmio_recv_pkts(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct vmmio_rxq *rxq = q;
	struct vmmio_used used[VMMIO_PMD_BURST];
	unsigned got, nb = 0;

	got = vmmio_vq_reap(rxq->vq, used, RTE_MIN(n, VMMIO_PMD_BURST));
	if (unlikely(!got)) {
		/* The field, not vmmio_vq_broken(): no call on an idle poll. */
		if (unlikely(rxq->vq->broken))
			queue_broke(rxq->port, "Rx", rxq->qid, &rxq->st, rxq->vq);
		/* Nothing came back, so the ring has no more room than at the
		 * last poll, which refilled all it could: an idle poll ends
		 * here. */
		if (likely(!rxq->refill_due))
			return 0;
		goto refill;
	}
	for (unsigned i = 0; i < got; i++) {
		struct rte_mbuf *m = used[i].cookie;
		uint16_t nbufs;

		if (rxq->mrg_left) {
			rx_append(rxq, m, used[i].len);
			if (rxq->mrg_left)
				continue;
			m = rxq->mrg_head;
			rx_mrg_reset(rxq);
		} else {
			m = rx_first(rxq, m, used[i].len, &nbufs);
			if (!m)
				continue;
			/* num_buffers: 1 up to what the ring holds; a device that
			 * says otherwise loses the frame, not the queue's sync. */
			if (unlikely(nbufs != 1)) {
				if (!nbufs || nbufs > rxq->nb_desc) {
					rxq->st.errors++;
					rte_pktmbuf_free(m);
					continue;
				}
				rxq->mrg_head = m;
				rxq->mrg_tail = m;
				rxq->mrg_left = (uint16_t)(nbufs - 1);
				continue;
			}
		}
		count_packet(&rxq->st, m->pkt_len);
		pkts[nb++] = m;
	}
refill:
	{
		unsigned room = rx_room(rxq);

		/* Refill in batches: one index store and (maybe) one notify. */
		if (room >= RTE_MIN((unsigned)VMMIO_PMD_BURST / 2, rxq->nb_desc / 2u)) {
			rx_refill(rxq, room);
			vmmio_vq_kick(rxq->vq, &rxq->port->dev);
		}
	}
	return (uint16_t)nb;
}

/* --- Tx ------------------------------------------------------------------------------ */

static inline void tx_free_slot(struct vmmio_txq *txq, struct vmmio_tx_slot *s)
{
	s->m = NULL;
	s->next_free = txq->free_slot;
	txq->free_slot = (uint16_t)(s - txq->slots);
}

/* The mbuf behind a Tx cookie, giving back its header slot. */
static inline struct rte_mbuf *tx_cookie_mbuf(struct vmmio_txq *txq, void *cookie)
{
	struct vmmio_tx_slot *s;
	struct rte_mbuf *m;

	if (likely(!((uintptr_t)cookie & TX_SLOT_TAG)))
		return cookie;
	s = (struct vmmio_tx_slot *)((uintptr_t)cookie & ~(uintptr_t)TX_SLOT_TAG);
	m = s->m;
	tx_free_slot(txq, s);
	return m;
}

/* Free what the device is done with, in bulk. */
static void tx_complete(struct vmmio_txq *txq)
{
	struct vmmio_used used[VMMIO_PMD_BURST];
	struct rte_mbuf *mb[VMMIO_PMD_BURST];
	unsigned got;

	while ((got = vmmio_vq_reap(txq->vq, used, VMMIO_PMD_BURST)) > 0) {
		for (unsigned i = 0; i < got; i++)
			mb[i] = tx_cookie_mbuf(txq, used[i].cookie);
		rte_pktmbuf_free_bulk(mb, got);
		if (got < VMMIO_PMD_BURST)
			break;
	}
}

/* A TSO packet's TCP checksum field: DPDK's convention (rte_ipv4_phdr_cksum()
 * with RTE_MBUF_F_TX_TCP_SEG) leaves the TCP length out of the pseudo-header
 * sum; virtio's is "the sum of the TCP pseudo header" of the whole packet
 * ("Packet Transmission"), which a device segmenting in software adjusts
 * per segment (Linux's tcp_gso_segment()). Written from scratch, so a packet
 * sent twice gets the same field; headers not in the first segment are
 * left as they are (as DPDK's virtio PMD does). */
static inline void tx_tso_phdr(struct rte_mbuf *m)
{
	uint32_t l4 = m->pkt_len - m->l2_len - m->l3_len, sum;
	char *l3 = rte_pktmbuf_mtod_offset(m, char *, m->l2_len);
	uint16_t ck;

	if (unlikely(m->data_len < m->l2_len + m->l3_len + sizeof(struct rte_tcp_hdr)))
		return;
	sum = (m->ol_flags & RTE_MBUF_F_TX_IPV6) ?
		      rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)l3, RTE_MBUF_F_TX_TCP_SEG) :
		      rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)l3, RTE_MBUF_F_TX_TCP_SEG);
	sum += (uint32_t)rte_cpu_to_be_16((uint16_t)(l4 >> 16)) + rte_cpu_to_be_16((uint16_t)l4);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ck = (uint16_t)sum;
	memcpy(l3 + m->l3_len + offsetof(struct rte_tcp_hdr, cksum), &ck, sizeof(ck));
}

/*
 * A header that asks for nothing: all zero. Each part is stored only where
 * it is not zero already. A frame being forwarded came in from the device
 * with a zero header in this very place, in a line the device wrote: read
 * and left alone, the line stays shared with the device, which reads it
 * again to send the frame; written, it would cross to this core and back.
 * A legacy header is 10 bytes: the 2 after it may be the frame's.
 */
static inline void tx_hdr_plain(struct vmmio_net_hdr *h, uint16_t hl)
{
	uint64_t head; /* flags, gso_type, hdr_len, gso_size, csum_start */

	memcpy(&head, h, sizeof(head));
	if (head) {
		h->flags = 0;
		h->gso_type = VMMIO_NET_HDR_GSO_NONE;
		h->hdr_len = 0;
		h->gso_size = 0;
		h->csum_start = 0;
	}
	if (h->csum_offset)
		h->csum_offset = 0;
	if (hl == VMMIO_NET_HDR_LEN && h->num_buffers)
		h->num_buffers = 0;
}

/* The virtio-net header for @m's offloads ("Packet Transmission": checksum
 * from csum_start stored at csum_offset; GSO type and segment size). */
static inline void tx_hdr(const struct vmmio_txq *txq, struct rte_mbuf *m,
			  struct vmmio_net_hdr *h)
{
	uint64_t ol = m->ol_flags;

	_Static_assert(offsetof(struct vmmio_net_hdr, csum_offset) == sizeof(uint64_t),
		       "tx_hdr_plain(): the first 8 bytes end at csum_offset");
	if (!(ol & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG)) || !txq->csum) {
		tx_hdr_plain(h, txq->hdr_len);
		return;
	}
	/* Field by field: a legacy header is 10 bytes, and the 2 after it may
	 * be the frame's (no memset call per packet either). */
	h->flags = 0;
	h->gso_type = VMMIO_NET_HDR_GSO_NONE;
	h->hdr_len = 0;
	h->gso_size = 0;
	h->csum_start = 0;
	h->csum_offset = 0;
	if (txq->hdr_len == VMMIO_NET_HDR_LEN)
		h->num_buffers = 0;
	h->csum_start = (uint16_t)(m->l2_len + m->l3_len);
	if ((ol & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_UDP_CKSUM)
		h->csum_offset = offsetof(struct rte_udp_hdr, dgram_cksum);
	else
		h->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	h->flags = VMMIO_NET_HDR_F_NEEDS_CSUM;
	if ((ol & RTE_MBUF_F_TX_TCP_SEG) && txq->tso) {
		h->gso_type = (ol & RTE_MBUF_F_TX_IPV6) ? VMMIO_NET_HDR_GSO_TCPV6 :
							   VMMIO_NET_HDR_GSO_TCPV4;
		h->gso_size = m->tso_segsz;
		h->hdr_len = (uint16_t)(m->l2_len + m->l3_len + m->l4_len);
		tx_tso_phdr(m);
	}
}

/* A packet that goes out as one segment with its header in the headroom:
 * ours alone (its headroom is ours to write), direct, unsegmented. */
static inline bool tx_simple(const struct vmmio_txq *txq, const struct rte_mbuf *m)
{
	return m->nb_segs == 1 && rte_mbuf_refcnt_read(m) == 1 && RTE_MBUF_DIRECT(m) &&
	       rte_pktmbuf_headroom(m) >= txq->hdr_len;
}

/*
 * Describe a packet that is not simple as a virtqueue buffer in @seg (room
 * for VMMIO_PMD_TX_MAX_SEGS): its header in a slot of the queue's own,
 * then each mbuf segment. Returns the segment count, 0 when no header slot
 * is free (try later), -1 for a packet the device cannot take.
 */
static inline int tx_describe(struct vmmio_txq *txq, struct rte_mbuf *m, struct vmmio_seg *seg,
			      void **cookie)
{
	uint16_t hl = txq->hdr_len, i = txq->free_slot;
	struct vmmio_net_hdr *h;
	unsigned k = 0;

	if (unlikely(m->nb_segs >= VMMIO_PMD_TX_MAX_SEGS))
		return -1;
	if (i == NO_SLOT)
		return 0;
	txq->free_slot = txq->slots[i].next_free;
	txq->slots[i].m = m;
	h = (struct vmmio_net_hdr *)((char *)txq->hdrs.va + (size_t)i * TX_HDR_STRIDE);
	seg[k++] = (struct vmmio_seg){ .addr = txq->hdrs.iova + (uint64_t)i * TX_HDR_STRIDE,
				       .len = hl };
	*cookie = (void *)((uintptr_t)&txq->slots[i] | TX_SLOT_TAG);
	tx_hdr(txq, m, h);
	for (struct rte_mbuf *s = m; s; s = s->next)
		seg[k++] = (struct vmmio_seg){ .addr = rte_mbuf_data_iova(s), .len = s->data_len };
	return (int)k;
}

/* What the ring took of @nb packets (@added, or a negative errno): counts
 * them; header slots of the ones it did not take go back. */
static inline unsigned tx_taken(struct vmmio_txq *txq, struct rte_mbuf **pkts,
				const struct vmmio_buf *buf, unsigned nb, int added)
{
	if (unlikely(added < 0)) {
		if (vmmio_vq_broken(txq->vq))
			queue_broke(txq->port, "Tx", txq->qid, &txq->st, txq->vq);
		added = 0;
	}
	for (unsigned i = (unsigned)added; buf && i < nb; i++)
		tx_cookie_mbuf(txq, buf[i].cookie);
	for (int i = 0; i < added; i++)
		count_packet(&txq->st, pkts[i]->pkt_len);
	return (unsigned)added;
}

/* A run of simple packets from @pkts: headers in their headrooms, one
 * vmmio_vq_add1() for the run, the mbufs their own cookies. Returns how
 * many were taken; *@run how many were simple. */
static inline unsigned tx_simple_run(struct vmmio_txq *txq, struct rte_mbuf **pkts, unsigned n,
				     unsigned *run)
{
	struct vmmio_seg seg[VMMIO_PMD_BURST];
	const uint16_t hl = txq->hdr_len;
	unsigned nb = 0;

	while (nb < n && nb < VMMIO_PMD_BURST && tx_simple(txq, pkts[nb])) {
		struct rte_mbuf *m = pkts[nb];

		tx_hdr(txq, m, rte_pktmbuf_mtod_offset(m, struct vmmio_net_hdr *, -(int)hl));
		seg[nb] = (struct vmmio_seg){ .addr = rte_mbuf_data_iova(m) - hl,
					      .len = (uint32_t)m->data_len + hl };
		nb++;
	}
	*run = nb;
	if (!nb)
		return 0;
	return tx_taken(txq, pkts, NULL, nb,
			vmmio_vq_add1(txq->vq, seg, (void *const *)pkts, nb, false));
}

/* A run of packets that are not simple, up to the next simple one. Returns
 * how many were taken; *@run how many were looked at, *@stop whether to
 * stop (ring or header slots full); a packet the device cannot take is
 * consumed and dropped. */
static inline unsigned tx_other_run(struct vmmio_txq *txq, struct rte_mbuf **pkts, unsigned n,
				    unsigned *run, bool *stop)
{
	struct vmmio_seg seg[VMMIO_PMD_BURST][VMMIO_PMD_TX_MAX_SEGS];
	struct vmmio_buf buf[VMMIO_PMD_BURST];
	unsigned nb = 0, added;
	int k = 1;

	while (nb < n && nb < VMMIO_PMD_BURST && !tx_simple(txq, pkts[nb])) {
		void *cookie;

		k = tx_describe(txq, pkts[nb], seg[nb], &cookie);
		if (k <= 0)
			break;
		buf[nb] = (struct vmmio_buf){ .seg = seg[nb], .n_out = (uint16_t)k, .cookie = cookie };
		nb++;
	}
	added = nb ? tx_taken(txq, pkts, buf, nb, vmmio_vq_add(txq->vq, buf, nb)) : 0;
	*run = added;
	*stop = added < nb || k == 0;
	if (!*stop && k < 0) {
		/* More segments than any ring takes: consumed, dropped. */
		txq->st.errors++;
		rte_pktmbuf_free(pkts[nb]);
		(*run)++;
	}
	return added;
}

uint16_t vmmio_xmit_pkts(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct vmmio_txq *txq = q;
	unsigned done = 0, sent = 0;

	tx_complete(txq);
	while (done < n) {
		unsigned run, added = tx_simple_run(txq, pkts + done, n - done, &run);
		bool stop;

		done += added;
		sent += added;
		if (added < run)
			break; /* the ring is full: the rest stays the app's */
		if (done == n)
			break;
		added = tx_other_run(txq, pkts + done, n - done, &run, &stop);
		sent += added;
		done += run;
		if (stop)
			break;
	}
	if (sent)
		vmmio_vq_kick(txq->vq, &txq->port->dev);
	return (uint16_t)done;
}

/* --- setup and release ---------------------------------------------------------------- */

static struct vmmio_vq *queue_create(struct vmmio_port *p, uint16_t vq_index, uint16_t nb_desc,
				     unsigned socket, const char *dir, uint16_t qid)
{
	struct vmmio_vq_params prm;
	struct vmmio_vq *vq;
	char err[VMMIO_VQ_ERR_LEN];

	if (!p->negotiated) {
		PMD_LOG(ERR, "%s: %s queue %u: configure the port first", p->name, dir, qid);
		return NULL;
	}
	if (!vmmio_feat_has(&p->dev.driver_features, VMMIO_F_RING_PACKED) &&
	    !rte_is_power_of_2(nb_desc)) {
		PMD_LOG(ERR, "%s: %s queue %u: %u descriptors: a split ring's size is a power of "
			     "2 (up to %u)",
			p->name, dir, qid, nb_desc, p->ring_max[vq_index & 1]);
		return NULL;
	}
	vmmio_vq_params_from_dev(&prm, &p->dev, vq_index, nb_desc);
	prm.numa_node = socket == (unsigned)SOCKET_ID_ANY ? VMMIO_NUMA_ANY : (int)socket;
	vq = vmmio_vq_create(&prm, &p->dma, err, sizeof(err));
	if (!vq)
		PMD_LOG(ERR, "%s: %s queue %u: %s", p->name, dir, qid, err);
	return vq;
}

int vmmio_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			 unsigned int socket, const struct rte_eth_rxconf *conf,
			 struct rte_mempool *mp)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	uint32_t room = rte_pktmbuf_data_room_size(mp);
	uint32_t frame = (uint32_t)dev->data->mtu + VMMIO_PMD_L2_OVERHEAD;
	struct vmmio_rxq *rxq;

	(void)conf;
	vmmio_rx_queue_release(dev, qid);
	if (room <= RTE_PKTMBUF_HEADROOM) {
		PMD_LOG(ERR, "%s: Rx queue %u: mbufs of pool %s have no data room", p->name, qid,
			mp->name);
		return -EINVAL;
	}
	/* Without mergeable buffers a frame must fit in one buffer
	 * ("Setting Up Receive Buffers"). */
	if (!vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_MRG_RXBUF) &&
	    room - RTE_PKTMBUF_HEADROOM < frame) {
		PMD_LOG(ERR, "%s: Rx queue %u: %u-byte mbufs of pool %s hold no %u-byte frame "
			     "(MTU %u) and mergeable buffers are off",
			p->name, qid, room - RTE_PKTMBUF_HEADROOM, mp->name, frame, dev->data->mtu);
		return -EINVAL;
	}
	rxq = rte_zmalloc_socket("vmmio_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, (int)socket);
	if (!rxq)
		return -ENOMEM;
	rxq->vq = queue_create(p, vmmio_rx_vq_index(qid), nb_desc, socket, "Rx", qid);
	if (!rxq->vq) {
		rte_free(rxq);
		return -EINVAL;
	}
	rxq->port = p;
	rxq->mp = mp;
	rxq->qid = qid;
	rxq->port_id = dev->data->port_id;
	rxq->nb_desc = nb_desc;
	rxq->efd = -1;
	rxq->socket = (int)socket;
	dev->data->rx_queues[qid] = rxq;
	return 0;
}

int vmmio_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			 unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	struct vmmio_dma_req req = { .len = (size_t)nb_desc * TX_HDR_STRIDE,
				     .align = RTE_CACHE_LINE_SIZE,
				     .node = socket == (unsigned)SOCKET_ID_ANY ? VMMIO_NUMA_ANY :
										(int)socket };
	struct vmmio_txq *txq;
	char err[VMMIO_VQ_ERR_LEN];

	(void)conf;
	vmmio_tx_queue_release(dev, qid);
	txq = rte_zmalloc_socket("vmmio_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, (int)socket);
	if (!txq)
		return -ENOMEM;
	txq->slots = rte_zmalloc_socket("vmmio_txslots", nb_desc * sizeof(*txq->slots), 0,
					(int)socket);
	if (!txq->slots || vmmio_dma_alloc(&p->dma, &req, &txq->hdrs, err, sizeof(err))) {
		PMD_LOG(ERR, "%s: Tx queue %u: %s", p->name, qid, txq->slots ? err : "no memory");
		rte_free(txq->slots);
		rte_free(txq);
		return -ENOMEM;
	}
	txq->vq = queue_create(p, vmmio_tx_vq_index(qid), nb_desc, socket, "Tx", qid);
	if (!txq->vq) {
		vmmio_dma_free(&p->dma, &txq->hdrs);
		rte_free(txq->slots);
		rte_free(txq);
		return -EINVAL;
	}
	for (uint16_t i = 0; i < nb_desc; i++)
		txq->slots[i].next_free = (uint16_t)(i + 1 < nb_desc ? i + 1 : NO_SLOT);
	txq->free_slot = 0;
	txq->port = p;
	txq->qid = qid;
	txq->nb_desc = nb_desc;
	txq->socket = (int)socket;
	dev->data->tx_queues[qid] = txq;
	return 0;
}

static void rx_reclaim_one(void *cookie, void *arg)
{
	(void)arg;
	rte_pktmbuf_free(cookie);
}

static void tx_reclaim_one(void *cookie, void *arg)
{
	rte_pktmbuf_free(tx_cookie_mbuf(arg, cookie));
}

static void rxq_reclaim(struct vmmio_rxq *rxq)
{
	vmmio_vq_reclaim(rxq->vq, rx_reclaim_one, NULL);
	if (rxq->mrg_head)
		rte_pktmbuf_free(rxq->mrg_head);
	rx_mrg_reset(rxq);
}

void vmmio_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vmmio_rxq *rxq = dev->data->rx_queues[qid];

	if (!rxq)
		return;
	rxq_reclaim(rxq);
	vmmio_vq_destroy(rxq->vq);
	rte_free(rxq);
	dev->data->rx_queues[qid] = NULL;
}

void vmmio_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct vmmio_txq *txq = dev->data->tx_queues[qid];

	if (!txq)
		return;
	vmmio_vq_reclaim(txq->vq, tx_reclaim_one, txq);
	vmmio_vq_destroy(txq->vq);
	vmmio_dma_free(&txq->port->dma, &txq->hdrs);
	rte_free(txq->slots);
	rte_free(txq);
	dev->data->tx_queues[qid] = NULL;
}

void vmmio_queues_reclaim(struct rte_eth_dev *dev)
{
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q])
			rxq_reclaim(dev->data->rx_queues[q]);
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vmmio_txq *txq = dev->data->tx_queues[q];

		if (txq)
			vmmio_vq_reclaim(txq->vq, tx_reclaim_one, txq);
	}
	if (vmmio_port_of(dev)->cvq)
		vmmio_vq_reclaim(vmmio_port_of(dev)->cvq, NULL, NULL);
}

int vmmio_queues_enable(struct rte_eth_dev *dev)
{
	struct vmmio_port *p = vmmio_port_of(dev);
	uint64_t rx_ol = dev->data->dev_conf.rxmode.offloads;
	uint64_t tx_ol = dev->data->dev_conf.txmode.offloads;
	bool mrg = vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_MRG_RXBUF);
	int r = 0;

	for (uint16_t q = 0; q < dev->data->nb_rx_queues && !r; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		if (!rxq) {
			PMD_LOG(ERR, "%s: Rx queue %u was not set up", p->name, q);
			return -EINVAL;
		}
		rxq->hdr_len = p->hdr_len;
		rxq->mrg_rxbuf = mrg;
		rxq->csum = (rx_ol & (RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM)) &&
			    vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_GUEST_CSUM);
		rxq->lro = (rx_ol & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
			   vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_GUEST_TSO4);
		r = vmmio_vq_enable(rxq->vq, &p->dev);
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues && !r; q++) {
		struct vmmio_txq *txq = dev->data->tx_queues[q];

		if (!txq) {
			PMD_LOG(ERR, "%s: Tx queue %u was not set up", p->name, q);
			return -EINVAL;
		}
		txq->hdr_len = p->hdr_len;
		txq->csum = (tx_ol & (RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
				      RTE_ETH_TX_OFFLOAD_TCP_TSO)) &&
			    vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_CSUM);
		txq->tso = (tx_ol & RTE_ETH_TX_OFFLOAD_TCP_TSO) &&
			   vmmio_feat_has(&p->dev.driver_features, VMMIO_NET_F_HOST_TSO4);
		r = vmmio_vq_enable(txq->vq, &p->dev);
	}
	if (!r && p->cvq)
		r = vmmio_vq_enable(p->cvq, &p->dev);
	if (r)
		PMD_LOG(ERR, "%s: %s", p->name, vmmio_dev_error(&p->dev));
	return r;
}

int vmmio_rx_queues_fill(struct rte_eth_dev *dev)
{
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		rx_refill(rxq, rx_room(rxq));
		if (!vmmio_vq_outstanding(rxq->vq)) {
			PMD_LOG(ERR, "%s: Rx queue %u: no mbufs in pool %s to post",
				rxq->port->name, q, rxq->mp->name);
			return -ENOMEM;
		}
	}
	return 0;
}

void vmmio_set_burst_functions(struct rte_eth_dev *dev)
{
	dev->rx_pkt_burst = vmmio_recv_pkts;
	dev->tx_pkt_burst = vmmio_xmit_pkts;
}
