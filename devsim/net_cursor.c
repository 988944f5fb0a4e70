/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A walk over the segments of one direction of a chain (the device-readable
 * part, then the device-writable part: "Message Framing"), as virtio-net
 * reads a packet or a command and writes a packet or an ack, whatever the
 * driver's descriptor boundaries ("The device MUST NOT make assumptions
 * about the particular arrangement of descriptors").
 */
#include <string.h>

#include "devsim_internal.h"

/* The bytes left in the cursor's segment, at *p; 0 (and *p NULL) at the end. */
static uint32_t peek(struct net_cursor *c, uint8_t **p)
{
	while (c->i < c->n && (c->seg[c->i].write != c->write || c->off == c->seg[c->i].len)) {
		c->i++;
		c->off = 0;
	}
	if (c->i == c->n) {
		*p = NULL;
		return 0;
	}
	*p = (uint8_t *)vq_ptr(c->seg[c->i].addr) + c->off;
	return c->seg[c->i].len - c->off;
}

static uint32_t min3(uint32_t a, uint32_t b, uint32_t c)
{
	a = a < b ? a : b;
	return a < c ? a : c;
}

uint32_t devsim_net_copy(struct net_cursor *dst, struct net_cursor *src, uint32_t len)
{
	uint32_t done = 0;

	while (done < len) {
		uint8_t *d = NULL, *sp;
		uint32_t m = peek(src, &sp), n = dst ? peek(dst, &d) : m;

		n = min3(n, m, len - done);
		if (!n)
			break;
		if (d) {
			memcpy(d, sp, n);
			dst->off += n;
		}
		src->off += n;
		done += n;
	}
	return done;
}

/* @buf as a one-segment cursor of direction @write. */
static struct net_cursor linear(const struct devsim_seg *seg, bool write)
{
	return net_cursor(seg, 1, write);
}

uint32_t devsim_net_read(struct net_cursor *src, void *buf, uint32_t len)
{
	struct devsim_seg seg = { .addr = (uintptr_t)buf, .len = len, .write = true };
	struct net_cursor dst = linear(&seg, true);

	return devsim_net_copy(&dst, src, len);
}

uint32_t devsim_net_write(struct net_cursor *dst, const void *buf, uint32_t len)
{
	struct devsim_seg seg = { .addr = (uintptr_t)buf, .len = len };
	struct net_cursor src = linear(&seg, false);

	return devsim_net_copy(dst, &src, len);
}

uint8_t *devsim_net_span(struct net_cursor *c, uint32_t len)
{
	uint8_t *p;

	if (peek(c, &p) < len)
		return NULL;
	c->off += len;
	return p;
}

uint8_t *devsim_net_byte_at(struct net_cursor c, uint32_t skip)
{
	uint8_t *p;

	if (devsim_net_copy(NULL, &c, skip) < skip || !peek(&c, &p))
		return NULL;
	return p;
}
