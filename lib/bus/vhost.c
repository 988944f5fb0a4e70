/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost bus: a virtio-net device whose registers devsim models in this
 * process (checker on, as for sim:) and whose rings a vhost-user backend
 * services from another process, the way QEMU's virtio-mmio transport
 * drives a vhost-user netdev.
 *
 *   open        connect (or accept), GET_FEATURES, protocol features,
 *               SET_OWNER; the model offers what the backend does of the
 *               ring and offload bits, plus MAC, STATUS and RING_RESET of its own
 *   DRIVER_OK   SET_FEATURES, SET_MEM_TABLE, then per ready queue
 *               SET_VRING_NUM/BASE/ADDR/KICK/CALL and SET_VRING_ENABLE
 *   QueueNotify an eventfd write to the queue's kick fd
 *   call fd     read by the bus thread: a used buffer notification
 *   reset       GET_VRING_BASE per running queue (the backend stops it)
 *   hang-up     DEVICE_NEEDS_RESET; the driver's reset and re-init
 *               reconnect (devsim_ext_lost())
 *
 * The queues are the pair receiveq1/transmitq1 (vrings 0 and 1); the
 * model services no controlq, so CTRL_VQ and what needs it are not offered.
 * Memory is shared by fd: the bus's memfd (dev->dma) or what the opener's
 * mem_regions gives; the addresses the driver writes are its virtual
 * addresses, and the memory table maps them 1:1 (guest physical = user).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../mem/memfd_arena.h"
#include "bus_internal.h"
#include "devsim.h"
#include "devsim_ext.h"
#include "vhost_user.h"
#include "vmmio_bus_sim.h"
#include "vmmio_net.h"
#include "vmmio_regs.h"

#define VHOST_QUEUES 2u /* receiveq1, transmitq1 */
#define VHOST_QSIZE 256u /* QueueSizeMax: what DPDK's virtio-user uses too */
/* Packed: the ring's first available position and wrap counter 1, as
 * SET_VRING_BASE carries them (bit 15 the wrap counter). */
#define VHOST_PACKED_BASE 0x8000u

/* The bits a backend's offer passes through to the driver: the rings and
 * the offloads. Those about the configuration space (MAC, STATUS) and
 * QueueReset are the model's own; the controlq's, NOTIFICATION_DATA (no
 * vhost-user message carries it) and vhost's are not offered. */
static const unsigned passed_bits[] = {
	VMMIO_NET_F_CSUM,	VMMIO_NET_F_GUEST_CSUM,	 VMMIO_NET_F_GUEST_TSO4,
	VMMIO_NET_F_GUEST_TSO6, VMMIO_NET_F_GUEST_ECN,	 VMMIO_NET_F_GUEST_UFO,
	VMMIO_NET_F_HOST_TSO4,	VMMIO_NET_F_HOST_TSO6,	 VMMIO_NET_F_HOST_ECN,
	VMMIO_NET_F_HOST_UFO,	VMMIO_NET_F_MRG_RXBUF,	 VMMIO_F_INDIRECT_DESC,
	VMMIO_F_EVENT_IDX,	VMMIO_F_VERSION_1,	 VMMIO_F_RING_PACKED,
	VMMIO_F_IN_ORDER,
};

struct vhost_bus {
	struct devsim *sim;
	struct vmmio_regwin sim_win; /* the model's window, which ours wraps */
	struct vmmio_devarg_vhost arg;
	struct vmmio_memfd_arena *arena; /* NULL when the opener gives the memory */
	int (*mem_regions)(void *ctx, struct vmmio_bus_mem_region *out, unsigned max, char *err,
			   size_t errlen);
	void *mem_ctx;

	/* The connection: used by the hooks (the driver's thread, devsim's
	 * lock held) under @lock; the bus thread only watches it. */
	pthread_mutex_t lock;
	struct vmmio_vhu_conn conn;
	int lfd; /* server: the listening socket; else -1 */
	bool lost; /* the backend hung up: reconnect at the next start */
	uint64_t backend_features; /* its GET_FEATURES, bit 30 included */
	bool protocol; /* VHU_F_PROTOCOL_FEATURES negotiated: rings start disabled */
	int kick[VHOST_QUEUES], call[VHOST_QUEUES]; /* eventfds, -1 when closed */
	bool running[VHOST_QUEUES];
	bool packed;
	unsigned reply_ms; /* how long a reply may take */

	/* The bus thread: call fds and the socket's hang-up. */
	pthread_t thread;
	int epfd, stop_fd;
};

/* Say why a hook failed: the driver only sees DEVICE_NEEDS_RESET. */
static void report(const struct vhost_bus *b, const char *what)
{
	fprintf(stderr, "vmmio: vhost:%s: %s\n", b->arg.path, what);
}

/* --- the connection ----------------------------------------------------------------- */

static void watch(struct vhost_bus *b, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Tags of the bus thread's events: the socket, the stop fd, call fd q. */
#define TAG_SOCK 0xffu
#define TAG_STOP 0xfeu

/* Connect (or accept) and say hello: features, protocol features, owner. */
static int handshake(struct vhost_bus *b)
{
	struct vmmio_vhu_conn *c = &b->conn;
	uint64_t pf = 0;
	int rc;

	rc = b->arg.server ? vmmio_vhu_accept(c, b->lfd, b->arg.wait_ms) :
			     vmmio_vhu_connect(c, b->arg.path, b->arg.wait_ms);
	if (rc)
		return rc;
	c->timeout_ms = b->reply_ms;
	rc = vmmio_vhu_get_u64(c, VHU_GET_FEATURES, &b->backend_features);
	b->protocol = !rc && (b->backend_features >> VHU_F_PROTOCOL_FEATURES & 1);
	if (!rc && b->protocol)
		rc = vmmio_vhu_get_u64(c, VHU_GET_PROTOCOL_FEATURES, &pf);
	/* Only REPLY_ACK: every request we send is then confirmed. */
	pf &= UINT64_C(1) << VHU_PROTOCOL_F_REPLY_ACK;
	if (!rc && b->protocol)
		rc = vmmio_vhu_set_u64(c, VHU_SET_PROTOCOL_FEATURES, pf, NULL);
	c->reply_ack = pf != 0;
	if (!rc)
		rc = vmmio_vhu_set(c, VHU_SET_OWNER, NULL, 0, NULL, 0);
	if (rc) {
		vmmio_vhu_close(c);
		return rc;
	}
	b->lost = false;
	watch(b, c->fd, EPOLLRDHUP | EPOLLHUP, TAG_SOCK);
	return 0;
}

static void close_vring_fds(struct vhost_bus *b, unsigned q)
{
	if (b->call[q] >= 0) {
		epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->call[q], NULL);
		close(b->call[q]);
	}
	if (b->kick[q] >= 0)
		close(b->kick[q]);
	b->kick[q] = b->call[q] = -1;
	b->running[q] = false;
}

/* Forget the connection and the rings' fds; the next start makes a new
 * one. Only in a hook (devsim's lock held): the notify hook writes the
 * kick fds under that lock. */
static void drop_conn(struct vhost_bus *b)
{
	if (b->conn.fd >= 0)
		epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->conn.fd, NULL);
	vmmio_vhu_close(&b->conn);
	for (unsigned q = 0; q < VHOST_QUEUES; q++)
		close_vring_fds(b, q);
	b->lost = true;
}

/* --- memory ------------------------------------------------------------------------- */

static int send_mem_table(struct vhost_bus *b)
{
	struct vmmio_bus_mem_region mr[VMMIO_BUS_VHOST_MAX_REGIONS];
	struct vmmio_vhu_region r[VHU_MAX_REGIONS];
	int fds[VHU_MAX_REGIONS], n = 1;
	char why[256] = "";

	_Static_assert(VMMIO_BUS_VHOST_MAX_REGIONS == VHU_MAX_REGIONS, "one table");
	if (b->mem_regions) {
		n = b->mem_regions(b->mem_ctx, mr, VMMIO_BUS_VHOST_MAX_REGIONS, why, sizeof(why));
		if (n <= 0 || n > (int)VMMIO_BUS_VHOST_MAX_REGIONS) {
			snprintf(b->conn.err, sizeof(b->conn.err),
				 "the driver's memory cannot be shared with the backend: %s",
				 n <= 0 ? why : "too many regions");
			return -EINVAL;
		}
	} else {
		vmmio_memfd_arena_region(b->arena, &mr[0].va, &mr[0].len, &mr[0].fd);
		mr[0].fd_off = 0;
	}
	for (int i = 0; i < n; i++) {
		r[i].guest_phys_addr = r[i].userspace_addr = (uint64_t)(uintptr_t)mr[i].va;
		r[i].memory_size = mr[i].len;
		r[i].mmap_offset = mr[i].fd_off;
		fds[i] = mr[i].fd;
	}
	return vmmio_vhu_set_mem_table(&b->conn, r, fds, (unsigned)n);
}

/* --- the rings ------------------------------------------------------------------------ */

static int vring_start(struct vhost_bus *b, const struct devsim_ext_queue *q)
{
	struct vmmio_vhu_conn *c = &b->conn;
	const struct vmmio_vhu_vring_addr addr = {
		.index = q->index, .desc = q->desc, .avail = q->driver, .used = q->device
	};
	const unsigned i = q->index;
	int rc;

	if (i >= VHOST_QUEUES)
		return 0; /* the model has no other queue: never ready */
	b->kick[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->call[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->kick[i] < 0 || b->call[i] < 0) {
		snprintf(c->err, sizeof(c->err), "eventfd(): %s", strerror(errno));
		return -errno;
	}
	rc = vmmio_vhu_set_state(c, VHU_SET_VRING_NUM, i, q->num);
	if (!rc)
		rc = vmmio_vhu_set_state(c, VHU_SET_VRING_BASE, i, b->packed ? VHOST_PACKED_BASE : 0);
	if (!rc)
		rc = vmmio_vhu_set(c, VHU_SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0);
	if (!rc)
		rc = vmmio_vhu_set_u64(c, VHU_SET_VRING_KICK, i, &b->kick[i]);
	if (!rc)
		rc = vmmio_vhu_set_u64(c, VHU_SET_VRING_CALL, i, &b->call[i]);
	/* With protocol features a ring starts disabled ("Ring states"). */
	if (!rc && b->protocol)
		rc = vmmio_vhu_set_state(c, VHU_SET_VRING_ENABLE, i, 1);
	if (rc)
		return rc;
	watch(b, b->call[i], EPOLLIN, i);
	b->running[i] = true;
	return 0;
}

/* GET_VRING_BASE: "stop the ring" and hand it back. */
static void vring_stop(struct vhost_bus *b, unsigned q)
{
	uint32_t base;

	if (q >= VHOST_QUEUES || !b->running[q])
		return;
	if (!b->lost && vmmio_vhu_get_vring_base(&b->conn, q, &base)) {
		report(b, b->conn.err);
		drop_conn(b);
		return;
	}
	close_vring_fds(b, q);
}

/* --- the model's hooks (devsim_ext.h): devsim's lock held ----------------------------- */

static int ext_start(void *ctx, const struct vmmio_features *drv, const struct devsim_ext_queue *q,
		     unsigned n)
{
	const uint64_t model_own = UINT64_C(1) << VMMIO_NET_F_MAC | UINT64_C(1) << VMMIO_NET_F_STATUS |
				   UINT64_C(1) << VMMIO_F_RING_RESET;
	struct vhost_bus *b = ctx;
	const uint64_t want = ((uint64_t)drv->w[1] << 32 | drv->w[0]) & ~model_own;
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	if (b->lost || b->conn.fd < 0) {
		drop_conn(b);
		rc = handshake(b);
	}
	/* A backend that came back must still offer what was negotiated. */
	if (!rc && (want & ~b->backend_features)) {
		snprintf(b->conn.err, sizeof(b->conn.err),
			 "the backend no longer offers features 0x%llx the driver accepted",
			 (unsigned long long)(want & ~b->backend_features));
		rc = -ENOTSUP;
	}
	if (!rc)
		rc = vmmio_vhu_set_u64(&b->conn, VHU_SET_FEATURES,
				 want | (b->protocol ? UINT64_C(1) << VHU_F_PROTOCOL_FEATURES : 0),
				 NULL);
	b->packed = want >> VMMIO_F_RING_PACKED & 1;
	if (!rc)
		rc = send_mem_table(b);
	for (unsigned i = 0; !rc && i < n; i++)
		rc = vring_start(b, &q[i]);
	if (rc) {
		report(b, b->conn.err);
		drop_conn(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

static int ext_queue_start(void *ctx, const struct devsim_ext_queue *q)
{
	struct vhost_bus *b = ctx;
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = b->lost ? -EPIPE : vring_start(b, q);
	if (rc) {
		if (!b->lost)
			report(b, b->conn.err);
		drop_conn(b);
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

static void ext_queue_stop(void *ctx, uint16_t q)
{
	struct vhost_bus *b = ctx;

	pthread_mutex_lock(&b->lock);
	vring_stop(b, q);
	pthread_mutex_unlock(&b->lock);
}

static void ext_reset(void *ctx)
{
	struct vhost_bus *b = ctx;

	pthread_mutex_lock(&b->lock);
	for (unsigned q = 0; q < VHOST_QUEUES; q++)
		vring_stop(b, q);
	pthread_mutex_unlock(&b->lock);
}

/* The one hook on the datapath, and only when the backend asked for
 * notifications: no lock, the fd is stable while the ring runs. */
static void ext_notify(void *ctx, uint16_t q, uint32_t val)
{
	struct vhost_bus *b = ctx;
	const uint64_t one = 1;

	(void)val;
	if (q < VHOST_QUEUES && b->kick[q] >= 0 && write(b->kick[q], &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is full of kicks not read yet, which
		 * is a kick already. */
	}
}

static const struct devsim_ext_ops ext_ops = {
	.start = ext_start,
	.queue_start = ext_queue_start,
	.queue_stop = ext_queue_stop,
	.reset = ext_reset,
	.notify = ext_notify,
};

/* --- the bus thread ------------------------------------------------------------------- */

static void *bus_thread(void *arg)
{
	struct vhost_bus *b = arg;

	for (;;) {
		struct epoll_event ev[VHOST_QUEUES + 2];
		bool irq = false, hangup = false;
		int n = epoll_wait(b->epfd, ev, (int)(sizeof(ev) / sizeof(ev[0])), -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		pthread_mutex_lock(&b->lock);
		for (int i = 0; i < n; i++) {
			const uint64_t tag = ev[i].data.u64;
			uint64_t v;

			if (tag == TAG_STOP) {
				pthread_mutex_unlock(&b->lock);
				return NULL;
			}
			if (tag == TAG_SOCK) {
				/* Only a hang-up is watched: nothing else comes
				 * unasked on this socket. The fds are the hooks'
				 * to close (drop_conn()). */
				if (b->conn.fd >= 0 && !b->lost) {
					epoll_ctl(b->epfd, EPOLL_CTL_DEL, b->conn.fd, NULL);
					b->lost = true;
					hangup = true;
				}
				continue;
			}
			/* A call fd: the backend used buffers and wants us to know. */
			if (tag < VHOST_QUEUES && b->call[tag] >= 0 &&
			    read(b->call[tag], &v, sizeof(v)) == sizeof(v))
				irq = true;
		}
		pthread_mutex_unlock(&b->lock);
		/* devsim's lock after ours is released: a hook holds them
		 * the other way round. */
		if (hangup) {
			report(b, "the backend hung up: DEVICE_NEEDS_RESET; a reset reconnects");
			devsim_ext_lost(b->sim);
		}
		if (irq)
			devsim_raise_irq(b->sim, VMMIO_ISR_USED_BUFFER);
	}
	return NULL;
}

/* --- the window ------------------------------------------------------------------------ */

static uint32_t win_read(void *ctx, uint32_t off, unsigned size)
{
	struct vhost_bus *b = ctx;

	return b->sim_win.ops->read(b->sim_win.ctx, off, size);
}

static void win_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct vhost_bus *b = ctx;

	b->sim_win.ops->write(b->sim_win.ctx, off, size, val);
}

/* The model's own wait runs on its virtual clock when no device thread of
 * its runs (ours never does): it would return 0 at once, or -EDEADLK for
 * no limit, while the interrupts come from the bus thread in real time. So
 * wait in real time on the model's eventfd, readable while an interrupt is
 * pending, then let the model take it (and its checker see the wait). */
static int win_wait_irq(void *ctx, int timeout_ms)
{
	struct vhost_bus *b = ctx;
	struct pollfd p = { .fd = b->sim_win.irq_fd, .events = POLLIN };
	struct timespec t;
	int64_t until = 0, left = timeout_ms;

	if (timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		until = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000 + timeout_ms;
	}
	while (timeout_ms != 0 && poll(&p, 1, (int)left) < 0) {
		if (errno != EINTR)
			return -errno;
		if (timeout_ms > 0) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			left = until - ((int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000);
			if (left <= 0)
				break;
		}
	}
	return b->sim_win.ops->wait_irq(b->sim_win.ctx, 0);
}

static int win_unmask(void *ctx)
{
	struct vhost_bus *b = ctx;

	return vmmio_regwin_unmask(&b->sim_win);
}

static void bus_free(struct vhost_bus *b)
{
	if (b->thread) {
		const uint64_t one = 1;

		if (write(b->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(b->thread, NULL);
	}
	/* The driver reset the device before closing (vmmio_bus_close()),
	 * so no ring runs; a connection still open just closes. */
	drop_conn(b);
	if (b->sim_win.ops)
		vmmio_regwin_close(&b->sim_win);
	if (b->lfd >= 0) {
		close(b->lfd);
		unlink(b->arg.path);
	}
	if (b->epfd >= 0)
		close(b->epfd);
	if (b->stop_fd >= 0)
		close(b->stop_fd);
	vmmio_memfd_arena_destroy(b->arena);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void win_close(void *ctx)
{
	bus_free(ctx);
}

static const struct vmmio_regwin_ops vhost_win_ops = {
	.read = win_read,
	.write = win_write,
	.wait_irq = win_wait_irq,
	.irq_unmask = win_unmask,
	.close = win_close,
};

/* --- open ------------------------------------------------------------------------------- */

/* The model: devsim's net device, offering what the backend does. */
static struct devsim *make_model(const struct vhost_bus *b)
{
	struct devsim_config c;

	devsim_config_default(&c, DEVSIM_NET, false);
	memset(&c.features, 0, sizeof(c.features));
	for (size_t i = 0; i < sizeof(passed_bits) / sizeof(passed_bits[0]); i++)
		if (b->backend_features >> passed_bits[i] & 1)
			vmmio_feat_set(&c.features, passed_bits[i]);
	vmmio_feat_set(&c.features, VMMIO_NET_F_MAC);
	vmmio_feat_set(&c.features, VMMIO_NET_F_STATUS);
	/* QueueReset is the transport's: a queue reset stops the ring in the
	 * backend (GET_VRING_BASE) and QueueReady sets it up again. */
	vmmio_feat_set(&c.features, VMMIO_F_RING_RESET);
	c.num_queues = VHOST_QUEUES;
	for (unsigned q = 0; q < VHOST_QUEUES; q++)
		c.queue_num_max[q] = VHOST_QSIZE;
	/* No controlq: the pair field means nothing without MQ. */
	c.backend = DEVSIM_BACKEND_NONE;
	return devsim_create(&c);
}

int vmmio_bus_vhost_open(struct vmmio_bus_dev *dev, const struct vmmio_bus_opts *opts,
			 const struct vmmio_bus_env *env, char *err, size_t errlen)
{
	struct vhost_bus *b = calloc(1, sizeof(*b));
	int rc;

	(void)env;
	if (!b) {
		snprintf(err, errlen, "--device \"%s\": out of memory", dev->name);
		return -ENOMEM;
	}
	b->arg = dev->arg.vhost;
	b->conn.fd = b->lfd = b->epfd = b->stop_fd = -1;
	for (unsigned q = 0; q < VHOST_QUEUES; q++)
		b->kick[q] = b->call[q] = -1;
	pthread_mutex_init(&b->lock, NULL);
	b->mem_regions = opts->vhost.mem_regions;
	b->mem_ctx = opts->vhost.mem_ctx;
	b->reply_ms = opts->vhost.reply_ms ? opts->vhost.reply_ms : VMMIO_BUS_VHOST_REPLY_MS_DEFAULT;
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	b->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (b->epfd < 0 || b->stop_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "--device \"%s\": epoll/eventfd: %s", dev->name,
			 strerror(errno));
		goto fail;
	}
	watch(b, b->stop_fd, EPOLLIN, TAG_STOP);
	if (!b->mem_regions) {
		b->arena = vmmio_memfd_arena_create(opts->vhost.mem_size ? opts->vhost.mem_size :
									   VMMIO_BUS_VHOST_MEM_DEFAULT,
						    err, errlen);
		if (!b->arena) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	if (b->arg.server) {
		rc = vmmio_vhu_listen(&b->conn, b->arg.path);
		if (rc < 0)
			goto fail_conn;
		b->lfd = rc;
	}
	rc = handshake(b);
	if (rc)
		goto fail_conn;
	if (!(b->backend_features >> VMMIO_F_VERSION_1 & 1)) {
		snprintf(b->conn.err, sizeof(b->conn.err),
			 "the backend does not offer VIRTIO_F_VERSION_1 (features 0x%llx): the "
			 "model is a modern device",
			 (unsigned long long)b->backend_features);
		rc = -ENOTSUP;
		goto fail_conn;
	}
	b->sim = make_model(b);
	if (!b->sim) {
		snprintf(err, errlen, "--device \"%s\": the device model refused its configuration",
			 dev->name);
		rc = -EINVAL;
		goto fail;
	}
	b->sim_win = devsim_regwin(b->sim);
	devsim_ext_attach(b->sim, &ext_ops, b);
	rc = pthread_create(&b->thread, NULL, bus_thread, b);
	if (rc) {
		b->thread = 0;
		snprintf(err, errlen, "--device \"%s\": the bus thread: %s", dev->name,
			 strerror(rc));
		rc = -rc;
		goto fail;
	}
	dev->win = (struct vmmio_regwin){ .ops = &vhost_win_ops, .ctx = b,
					  .irq_fd = b->sim_win.irq_fd };
	dev->dma = b->arena ? vmmio_memfd_arena_allocator(b->arena) : NULL;
	dev->priv = b;
	return 0;
fail_conn:
	snprintf(err, errlen, "--device \"%s\": %s", dev->name, b->conn.err);
fail:
	bus_free(b);
	return rc;
}

struct devsim *vmmio_bus_vhost_model(const struct vmmio_bus_dev *dev)
{
	const struct vhost_bus *b = dev->priv;

	return dev->arg.bus == VMMIO_DEVARG_BUS_VHOST && b ? b->sim : NULL;
}
