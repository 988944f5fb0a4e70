/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control virtqueue of the virtio-net personality ("Control
 * Virtqueue"): each buffer is struct virtio_net_ctrl { u8 class; u8
 * command; command-specific-data[] } device-readable, then u8 ack
 * device-writable. devsim parses the command from whatever descriptors hold
 * it, changes its state (under the lock, so devsim_net_state() may look
 * while the device thread runs), writes VIRTIO_NET_OK or VIRTIO_NET_ERR and
 * uses the buffer with length 1. A command that is not for a negotiated
 * feature, that devsim does not know, or whose data has the wrong size is
 * acked VIRTIO_NET_ERR and changes nothing.
 *
 * Legacy drivers format the le32 and le16 fields "according to the native
 * endian of the guest": little-endian, on every host devsim runs on.
 */
#include <errno.h>
#include <string.h>

#include "devsim_internal.h"

/* struct virtio_net_config ("Device configuration layout"). */
#define CFG_MAC 0u
#define CFG_MAX_VQ_PAIRS 8u

/* A command parsed, and what it sets. */
struct ctrl_cmd {
	struct vmmio_net_ctrl_hdr h;
	uint8_t on; /* VIRTIO_NET_CTRL_RX */
	uint8_t mac[6]; /* VIRTIO_NET_CTRL_MAC_ADDR_SET */
	uint16_t pairs; /* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET */
	uint32_t n_uc, n_mc; /* VIRTIO_NET_CTRL_MAC_TABLE_SET: entries given */
	uint8_t uc[DEVSIM_NET_MAC_TABLE][6], mc[DEVSIM_NET_MAC_TABLE][6];
};

static uint16_t cfg_le16(const struct devsim *s, unsigned off)
{
	return (uint16_t)(s->config[off] | s->config[off + 1] << 8);
}

/* "N=1 if neither VIRTIO_NET_F_MQ nor VIRTIO_NET_F_RSS are negotiated,
 * otherwise N is set by max_virtqueue_pairs"; controlq is 2N. */
int devsim_net_ctrl_queue(const struct devsim *s)
{
	unsigned n = 1;

	if (s->cfg.personality != DEVSIM_NET || !devsim_net_has(s, VMMIO_NET_F_CTRL_VQ))
		return -1;
	if (devsim_net_has(s, VMMIO_NET_F_MQ) || devsim_net_has(s, VMMIO_NET_F_RSS))
		n = cfg_le16(s, CFG_MAX_VQ_PAIRS);
	return devsim_queue_exists(s, 2 * n) ? (int)(2 * n) : -1;
}

uint16_t devsim_net_pairs(const struct devsim *s)
{
	return __atomic_load_n(&s->net.st.curr_pairs, __ATOMIC_RELAXED);
}

/* le32 entries, then that many MAC addresses; the first
 * DEVSIM_NET_MAC_TABLE kept. False when @left bytes cannot hold them. */
static bool mac_table(struct net_cursor *in, uint32_t *left, uint32_t *n, uint8_t (*macs)[6])
{
	uint8_t le[4];
	uint64_t bytes;

	if (*left < sizeof(le) || devsim_net_read(in, le, sizeof(le)) < sizeof(le))
		return false;
	*n = (uint32_t)le[0] | (uint32_t)le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
	*left -= sizeof(le);
	bytes = (uint64_t)*n * 6;
	if (bytes > *left)
		return false;
	for (uint32_t i = 0; i < *n && i < DEVSIM_NET_MAC_TABLE; i++)
		devsim_net_read(in, macs[i], 6);
	if (*n > DEVSIM_NET_MAC_TABLE)
		devsim_net_copy(NULL, in, (uint32_t)(bytes - DEVSIM_NET_MAC_TABLE * 6u));
	*left -= (uint32_t)bytes;
	return true;
}

/* "The command-specific-data is two variable length tables of 6-byte MAC
 * addresses": exactly those bytes. */
static bool parse_table_set(struct net_cursor *in, uint32_t len, struct ctrl_cmd *c)
{
	return mac_table(in, &len, &c->n_uc, c->uc) && mac_table(in, &len, &c->n_mc, c->mc) &&
	       len == 0;
}

/* The command-specific-data of @len bytes for @c->h; false: VIRTIO_NET_ERR. */
static bool parse(const struct devsim *s, struct net_cursor *in, uint32_t len, struct ctrl_cmd *c)
{
	uint8_t le[2];

	switch (c->h.class) {
	case VMMIO_NET_CTRL_RX:
		/* "one byte containing 0 (off) or 1 (on)" (Packet Receive Filtering) */
		if (!devsim_net_has(s, VMMIO_NET_F_CTRL_RX) || len != 1 ||
		    (c->h.cmd != VMMIO_NET_CTRL_RX_PROMISC &&
		     c->h.cmd != VMMIO_NET_CTRL_RX_ALLMULTI))
			return false;
		return devsim_net_read(in, &c->on, 1) == 1 && c->on <= 1;
	case VMMIO_NET_CTRL_MAC:
		/* The spec asks VIRTIO_NET_F_CTRL_RX of the whole class ("If
		 * VIRTIO_NET_F_CTRL_RX has not been negotiated, the driver MUST NOT
		 * issue VIRTIO_NET_CTRL_MAC class commands"); ADDR_SET is taken
		 * with VIRTIO_NET_F_CTRL_MAC_ADDR alone, as Linux sends it. */
		if (c->h.cmd == VMMIO_NET_CTRL_MAC_TABLE_SET)
			return devsim_net_has(s, VMMIO_NET_F_CTRL_RX) &&
			       parse_table_set(in, len, c);
		if (c->h.cmd != VMMIO_NET_CTRL_MAC_ADDR_SET ||
		    !devsim_net_has(s, VMMIO_NET_F_CTRL_MAC_ADDR))
			return false;
		return len == 6 && devsim_net_read(in, c->mac, 6) == 6;
	case VMMIO_NET_CTRL_MQ:
		/* "The driver MUST NOT request a virtqueue_pairs of 0 or greater
		 * than max_virtqueue_pairs" */
		if (c->h.cmd != VMMIO_NET_CTRL_MQ_VQ_PAIRS_SET ||
		    !devsim_net_has(s, VMMIO_NET_F_MQ) || len != 2 ||
		    devsim_net_read(in, le, 2) != 2)
			return false;
		c->pairs = (uint16_t)(le[0] | le[1] << 8);
		return c->pairs >= VMMIO_NET_CTRL_MQ_VQ_PAIRS_MIN &&
		       c->pairs <= cfg_le16(s, CFG_MAX_VQ_PAIRS);
	default:
		return false;
	}
}

static void set_table(uint8_t (*dst)[6], unsigned *count, bool *overflow, uint8_t (*src)[6],
		      uint32_t n)
{
	*count = n < DEVSIM_NET_MAC_TABLE ? n : DEVSIM_NET_MAC_TABLE;
	*overflow = n > DEVSIM_NET_MAC_TABLE;
	memcpy(dst, src, *count * 6u);
}

/* Apply a command that parsed (lock held). The state changes before the
 * buffer is used: "The device MUST update the MAC filtering table before it
 * consumes the VIRTIO_NET_CTRL_MAC_TABLE_SET command", and likewise mac. */
static void apply(struct devsim *s, struct ctrl_cmd *c)
{
	struct devsim_net_state *st = &s->net.st;

	switch (c->h.class) {
	case VMMIO_NET_CTRL_RX:
		if (c->h.cmd == VMMIO_NET_CTRL_RX_PROMISC)
			st->promisc = c->on;
		else
			st->allmulti = c->on;
		return;
	case VMMIO_NET_CTRL_MAC:
		if (c->h.cmd == VMMIO_NET_CTRL_MAC_TABLE_SET) {
			set_table(st->uc, &st->uc_count, &st->uc_overflow, c->uc, c->n_uc);
			set_table(st->mc, &st->mc_count, &st->mc_overflow, c->mc, c->n_mc);
			return;
		}
		memcpy(st->mac, c->mac, 6);
		/* "The device MUST update mac in config space before it consumes
		 * the VIRTIO_NET_CTRL_MAC_ADDR_SET command, if VIRTIO_NET_F_MAC has
		 * been negotiated"; six bytes a driver reads one by one: a new
		 * ConfigGeneration. */
		if (devsim_net_has(s, VMMIO_NET_F_MAC)) {
			memcpy(&s->config[CFG_MAC], c->mac, 6);
			s->config_gen++;
		}
		return;
	default: /* VIRTIO_NET_CTRL_MQ */
		__atomic_store_n(&st->curr_pairs, c->pairs, __ATOMIC_RELAXED);
		return;
	}
}

/* One command of controlq @q; returns the bytes written (the ack). */
static uint32_t command(struct devsim *s, uint16_t q, const struct vq_chain *ch,
			const struct devsim_seg *seg)
{
	struct net_cursor in = net_cursor(seg, ch->n_seg, false);
	struct net_cursor out = net_cursor(seg, ch->n_seg, true);
	struct ctrl_cmd c;
	/* "u8 ack" after the command: a buffer with no room for it is malformed. */
	bool ok = ch->in_len > 0 && ch->out_len >= sizeof(c.h) &&
		  devsim_net_read(&in, &c.h, sizeof(c.h)) == sizeof(c.h);
	uint8_t ack;

	ok = ok && parse(s, &in, ch->out_len - (uint32_t)sizeof(c.h), &c);
	ack = ok ? VMMIO_NET_OK : VMMIO_NET_ERR;
	pthread_mutex_lock(&s->lock);
	/* A device reset since the buffer was taken: its state is not ours. */
	if (s->vq[q].gen == s->vqc[q].gen) {
		if (ok)
			apply(s, &c);
		s->net.st.ctrl_cmds++;
		s->net.st.ctrl_errors += !ok;
	}
	pthread_mutex_unlock(&s->lock);
	return devsim_net_write(&out, &ack, 1);
}

unsigned devsim_net_ctrl_service(struct devsim *s, uint16_t q)
{
	struct devsim_vq *vq = &s->vq[q];
	struct vq_chain ch;
	unsigned n = 0;
	int r = 0;

	if (!devsim_ring_segs_ready(vq))
		return 0;
	while (n < vq->num && (r = devsim_ring_take(s, q, &ch, vq->seg, 2u * vq->num)) == 1)
		vq->done[n++] = (struct vq_done){ .id = ch.id,
						  .ndescs = ch.ndescs,
						  .second = ch.second,
						  .len = command(s, q, &ch, vq->seg),
						  .in_len = ch.in_len };
	if (r == 0 && !s->thread_running)
		s->vqc[q].notified = false; /* ran dry */
	if (n) {
		devsim_ring_used_add(s, q, vq->done, n, false);
		devsim_ring_flush(s, q);
	}
	devsim_ring_kick_tick(s, q);
	return n;
}

/*
 * The state a reset leaves (lock held). The spec's defaults: "The device
 * MUST have an empty MAC filtering table on reset" (Setting MAC Address
 * Filtering); "Multiqueue is disabled by default" and "After initialization
 * of reset, the device MUST queue packets only on receiveq1" (Automatic
 * receive steering in multiqueue mode). For promiscuous and all-multicast
 * receive the spec gives no default (Packet Receive Filtering says what on
 * and off mean, not which one a reset leaves): devsim leaves both off.
 * QEMU's device resets promiscuous mode to on instead, for drivers
 * without VIRTIO_NET_F_CTRL_RX. mac is the configuration space's (a reset
 * keeps the configuration space: registers.c). The counters stay.
 */
void devsim_net_reset(struct devsim *s)
{
	struct devsim_net_state *st = &s->net.st;

	st->promisc = st->allmulti = false;
	st->uc_count = st->mc_count = 0;
	st->uc_overflow = st->mc_overflow = false;
	memcpy(st->mac, &s->config[CFG_MAC], 6);
	__atomic_store_n(&st->curr_pairs, 1, __ATOMIC_RELAXED);
}

int devsim_net_state(const struct devsim *s, struct devsim_net_state *out)
{
	/* The lock is the only thing written through this pointer. */
	pthread_mutex_t *lock = (pthread_mutex_t *)&s->lock;

	if (s->cfg.personality != DEVSIM_NET)
		return -ENODEV;
	pthread_mutex_lock(lock);
	*out = s->net.st;
	pthread_mutex_unlock(lock);
	return 0;
}
