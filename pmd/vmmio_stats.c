/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics: the basic counters summed over the queues, and per-queue
 * xstats: packets, bytes, errors, kicks (QueueNotify writes) and kicks
 * suppressed by the device, interrupts, mbuf shortfalls, broken-ring
 * events, RFC 2819 size buckets. Each queue's counters are written by the
 * one lcore that polls it; a reset takes the current kick count as zero.
 */
#include <stdio.h>
#include <string.h>

#include "vmmio_pmd.h"

static const char *const bin_names[VMMIO_BIN_COUNT] = {
	"undersize_packets",	 "size_64_packets",	   "size_65_127_packets",
	"size_128_255_packets",	 "size_256_511_packets",   "size_512_1023_packets",
	"size_1024_1518_packets", "size_1519_max_packets",
};

/* Per-queue counters besides the size buckets. */
enum { XS_PACKETS, XS_BYTES, XS_ERRORS, XS_NOMBUF, XS_KICKS, XS_KICKS_SUPPRESSED,
       XS_INTERRUPTS, XS_BROKEN, XS_FIXED };
static const char *const fixed_names[XS_FIXED] = {
	"packets", "bytes", "errors", "nombuf", "kicks", "kicks_suppressed", "interrupts",
	"broken",
};
#define XS_PER_QUEUE (XS_FIXED + VMMIO_BIN_COUNT)

static unsigned xstats_count(const struct rte_eth_dev *dev)
{
	return (unsigned)(dev->data->nb_rx_queues + dev->data->nb_tx_queues) * XS_PER_QUEUE;
}

/* One queue's values in xstats order. */
static void queue_values(const struct vmmio_pmd_qstats *st, const struct vmmio_vq *vq,
			 const struct vmmio_vq_stats *base, uint64_t *v)
{
	struct vmmio_vq_stats vs;

	vmmio_vq_stats(vq, &vs);
	v[XS_PACKETS] = st->packets;
	v[XS_BYTES] = st->bytes;
	v[XS_ERRORS] = st->errors;
	v[XS_NOMBUF] = st->nombuf;
	v[XS_KICKS] = vs.kicks - base->kicks;
	v[XS_KICKS_SUPPRESSED] = vs.kicks_suppressed - base->kicks_suppressed;
	v[XS_INTERRUPTS] = st->interrupts;
	v[XS_BROKEN] = st->broken;
	memcpy(&v[XS_FIXED], st->bins, sizeof(st->bins));
}

int vmmio_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *s)
{
	s->rx_nombuf = 0;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		if (!rxq)
			continue;
		s->ipackets += rxq->st.packets;
		s->ibytes += rxq->st.bytes;
		s->ierrors += rxq->st.errors;
		s->rx_nombuf += rxq->st.nombuf;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			s->q_ipackets[q] = rxq->st.packets;
			s->q_ibytes[q] = rxq->st.bytes;
			s->q_errors[q] = rxq->st.errors;
		}
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct vmmio_txq *txq = dev->data->tx_queues[q];

		if (!txq)
			continue;
		s->opackets += txq->st.packets;
		s->obytes += txq->st.bytes;
		s->oerrors += txq->st.errors;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			s->q_opackets[q] = txq->st.packets;
			s->q_obytes[q] = txq->st.bytes;
		}
	}
	return 0;
}

int vmmio_stats_reset(struct rte_eth_dev *dev)
{
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct vmmio_rxq *rxq = dev->data->rx_queues[q];

		if (!rxq)
			continue;
		memset(&rxq->st, 0, sizeof(rxq->st));
		vmmio_vq_stats(rxq->vq, &rxq->vq_base);
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		struct vmmio_txq *txq = dev->data->tx_queues[q];

		if (!txq)
			continue;
		memset(&txq->st, 0, sizeof(txq->st));
		vmmio_vq_stats(txq->vq, &txq->vq_base);
	}
	return 0;
}

int vmmio_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			   unsigned int n)
{
	unsigned total = xstats_count(dev), k = 0;

	if (!names || n < total)
		return (int)total;
	for (unsigned dir = 0; dir < 2; dir++) {
		uint16_t nq = dir ? dev->data->nb_tx_queues : dev->data->nb_rx_queues;

		for (uint16_t q = 0; q < nq; q++) {
			for (unsigned i = 0; i < XS_FIXED; i++)
				snprintf(names[k++].name, sizeof(names[0].name), "%s_q%u_%s",
					 dir ? "tx" : "rx", q, fixed_names[i]);
			for (unsigned i = 0; i < VMMIO_BIN_COUNT; i++)
				snprintf(names[k++].name, sizeof(names[0].name), "%s_q%u_%s",
					 dir ? "tx" : "rx", q, bin_names[i]);
		}
	}
	return (int)total;
}

int vmmio_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	unsigned total = xstats_count(dev), k = 0;
	uint64_t v[XS_PER_QUEUE];

	if (!xs || n < total)
		return (int)total;
	for (unsigned dir = 0; dir < 2; dir++) {
		uint16_t nq = dir ? dev->data->nb_tx_queues : dev->data->nb_rx_queues;

		for (uint16_t q = 0; q < nq; q++) {
			if (dir) {
				const struct vmmio_txq *txq = dev->data->tx_queues[q];

				if (txq)
					queue_values(&txq->st, txq->vq, &txq->vq_base, v);
				else
					memset(v, 0, sizeof(v));
			} else {
				const struct vmmio_rxq *rxq = dev->data->rx_queues[q];

				if (rxq)
					queue_values(&rxq->st, rxq->vq, &rxq->vq_base, v);
				else
					memset(v, 0, sizeof(v));
			}
			for (unsigned i = 0; i < XS_PER_QUEUE; i++, k++) {
				xs[k].id = k;
				xs[k].value = v[i];
			}
		}
	}
	return (int)total;
}
