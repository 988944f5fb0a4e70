/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost bus's side of the vhost-user protocol (lib/bus/vhost.c,
 * vhost_user.c), message by message, against a fake backend: a thread of
 * this test with its own Unix socket, which logs every request it gets
 * (header, payload, how many fds came along), answers as a backend does,
 * maps the memory table's fd and keeps the kick and call fds. The driver
 * side is the library's: vmmio_bus_open(), vmmio_probe(), vmmio_init() with
 * receiveq1 and transmitq1 set up from dev.dma, as an application does.
 *
 * Good runs (split and packed; with and without protocol features; the bus
 * as client and as server): the handshake, SET_FEATURES with what the
 * driver accepted (minus the model's own MAC, STATUS and RING_RESET, plus
 * bit 30), the
 * memory table (the fd mapped at mmap_offset shows the rings and buffers
 * the driver wrote, and the driver sees what the backend writes), each
 * vring's NUM, BASE, ADDR (the addresses the driver wrote, inside the
 * region), KICK (a notify makes the eventfd readable), CALL (a write makes
 * the driver's wait_irq return 1 with InterruptStatus bit 0), ENABLE, and
 * GET_VRING_BASE per ring at reset; devsim's checker sees no driver-rule
 * violation. A backend that hangs up after DRIVER_OK: DEVICE_NEEDS_RESET,
 * then the driver's recovery reconnects with a full handshake. A broken
 * backend (wrong request code, size or flags in a reply, a refusal, a
 * close or silence mid-handshake or at DRIVER_OK or at reset): an error
 * naming the request, no crash, and no fd left open.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devsim.h"
#include "tap.h"
#include "vmmio_bus.h"
#include "vmmio_bus_sim.h"
#include "vmmio_dev.h"
#include "vmmio_net.h"
#include "vmmio_vq.h"

/* The protocol, as the fake speaks it (QEMU's docs/interop/vhost-user.rst),
 * written here independently of lib/bus/vhost_user.h. */
enum {
	GET_FEATURES = 1,
	SET_FEATURES = 2,
	SET_OWNER = 3,
	SET_MEM_TABLE = 5,
	SET_VRING_NUM = 8,
	SET_VRING_ADDR = 9,
	SET_VRING_BASE = 10,
	GET_VRING_BASE = 11,
	SET_VRING_KICK = 12,
	SET_VRING_CALL = 13,
	GET_PROTOCOL_FEATURES = 15,
	SET_PROTOCOL_FEATURES = 16,
	SET_VRING_ENABLE = 18,
};
#define F_VERSION 0x1u
#define F_REPLY 0x4u
#define F_NEED_REPLY 0x8u
#define PROTOCOL_FEATURES_BIT 30u
#define PF_REPLY_ACK 3u
#define PF_MQ 0u
#define PF_LOG_SHMFD 1u
#define PF_CONFIG 9u
#define VRING_NOFD 0x100u /* SET_VRING_KICK/CALL: no fd passed */

#define BIT(n) (UINT64_C(1) << (n))
#define QSIZE 128u /* below the model's QueueSizeMax (256): NUM carries ours */
#define WAIT_MS 10000 /* for anything asynchronous: generous, loaded machines */
#define SHORT_REPLY_MS 1000u /* vhost.reply_ms of the silence cases: good replies take ms */
#define MAX_LOG 128u
#define MAX_PAYLOAD 512u

struct hdr {
	uint32_t request, flags, size;
};

struct region {
	uint64_t gpa, size, uaddr, mmap_offset;
};

struct vring_addr {
	uint32_t index, flags;
	uint64_t desc, used, avail, log;
};

/* One request the fake received. */
struct msg {
	uint32_t req, flags, size;
	uint8_t payload[MAX_PAYLOAD];
	unsigned nfds;
	unsigned conn; /* 1 for the first connection */
};

enum bad {
	BAD_NONE,
	BAD_REQUEST, /* the reply names another request */
	BAD_SIZE, /* a payload of 4 bytes instead of 8 */
	BAD_FLAGS, /* version 1 without the reply bit */
	BAD_NACK, /* REPLY_ACK status 1 */
	BAD_CLOSE, /* hang up instead of replying */
	BAD_SILENT, /* never reply, stay connected */
};

struct fake {
	char dir[64], path[128];
	bool connect; /* the bus listens (server mode): the fake connects */
	uint64_t features, pfeatures;
	uint32_t bad_req; /* misbehave (@bad) on the first request of this code */
	enum bad bad;

	int lfd; /* listening socket (client mode) */
	int ctl[2]; /* commands from the test: 'h' hang up, 'q' quit */
	pthread_t th;
	bool running;

	/* Under @lock: what the test reads. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct msg log[MAX_LOG];
	unsigned n;
	unsigned conns;
	int conn;
	bool reply_ack;
	bool bad_done;
	struct region reg;
	uint8_t *map; /* the memory table's region, mapped; NULL before */
	int kick[2], call[2];
	uint32_t base[2]; /* SET_VRING_BASE, what GET_VRING_BASE hands back */
};

/* --- the fake backend ------------------------------------------------------ */

static void fake_drop_state(struct fake *f)
{
	if (f->map)
		munmap(f->map, f->reg.size);
	f->map = NULL;
	for (unsigned i = 0; i < 2; i++) {
		if (f->kick[i] >= 0)
			close(f->kick[i]);
		if (f->call[i] >= 0)
			close(f->call[i]);
		f->kick[i] = f->call[i] = -1;
	}
	f->reply_ack = false;
}

static void fake_hang_up(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	if (f->conn >= 0)
		close(f->conn);
	f->conn = -1;
	fake_drop_state(f);
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static int send_all(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Reply to @req with @payload (@size bytes), unless this is the request to
 * misbehave on. Returns -1 when the connection is to be dropped. */
static int fake_reply(struct fake *f, uint32_t req, const void *payload, uint32_t size)
{
	struct hdr h = { .request = req, .flags = F_VERSION | F_REPLY, .size = size };
	uint8_t buf[sizeof(h) + 64];
	uint64_t nack = 1;

	if (f->bad != BAD_NONE && req == f->bad_req && !f->bad_done) {
		f->bad_done = true;
		switch (f->bad) {
		case BAD_REQUEST:
			h.request = req == GET_FEATURES ? SET_FEATURES : GET_FEATURES;
			break;
		case BAD_SIZE:
			h.size = size = 4;
			break;
		case BAD_FLAGS:
			h.flags = F_VERSION;
			break;
		case BAD_NACK:
			payload = &nack;
			break;
		case BAD_CLOSE:
			return -1;
		case BAD_SILENT:
			return 0;
		case BAD_NONE:
			break;
		}
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	return send_all(f->conn, buf, sizeof(h) + size);
}

/* Receive one request into the log; its fds in @fds. 0, or -1 at EOF or
 * on a malformed request (the connection is then dropped). */
static int fake_recv(struct fake *f, struct msg *m, int *fds, unsigned max_fds)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct hdr h;
	struct iovec iov = { &h, sizeof(h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(f->conn, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);

	memset(m, 0, sizeof(*m));
	for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (m->nfds < max_fds)
				fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	if (n != (ssize_t)sizeof(h) || h.size > MAX_PAYLOAD ||
	    (h.size && recv(f->conn, m->payload, h.size, MSG_WAITALL) != (ssize_t)h.size)) {
		for (unsigned i = 0; i < m->nfds; i++)
			close(fds[i]);
		return -1;
	}
	m->req = h.request;
	m->flags = h.flags;
	m->size = h.size;
	return 0;
}

static uint64_t u64_of(const struct msg *m)
{
	uint64_t v = 0;

	memcpy(&v, m->payload, sizeof(v));
	return v;
}

/* Act on one request as a backend would; the lock is held. -1: drop the
 * connection. */
static int fake_handle(struct fake *f, const struct msg *m, const int *fds)
{
	const uint64_t ack = 0;
	uint32_t st[2];
	uint64_t v = u64_of(m);
	const unsigned q = (unsigned)(v & 0xff);
	int rc = 0;

	switch (m->req) {
	case GET_FEATURES:
		return fake_reply(f, m->req, &f->features, 8);
	case GET_PROTOCOL_FEATURES:
		return fake_reply(f, m->req, &f->pfeatures, 8);
	case SET_PROTOCOL_FEATURES:
		f->reply_ack = v >> PF_REPLY_ACK & 1;
		break;
	case SET_MEM_TABLE: {
		struct region r;

		memcpy(&r, m->payload + 8, sizeof(r));
		if (m->nfds == 1 && !f->map) {
			void *p = mmap(NULL, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0],
				       (off_t)r.mmap_offset);

			if (p != MAP_FAILED) {
				f->map = p;
				f->reg = r;
			}
		}
		break;
	}
	case SET_VRING_BASE:
		memcpy(st, m->payload, sizeof(st));
		if (st[0] < 2)
			f->base[st[0]] = st[1];
		break;
	case SET_VRING_KICK:
	case SET_VRING_CALL:
		if (q < 2 && m->nfds == 1) {
			int *slot = m->req == SET_VRING_KICK ? &f->kick[q] : &f->call[q];

			if (*slot >= 0)
				close(*slot);
			*slot = fds[0];
			fds = NULL; /* kept */
		}
		break;
	case GET_VRING_BASE:
		memcpy(st, m->payload, sizeof(st));
		if (st[0] < 2)
			st[1] = f->base[st[0]];
		return fake_reply(f, m->req, st, sizeof(st));
	default:
		break;
	}
	/* Every fd not kept above is closed: nothing leaks on our side. */
	for (unsigned i = 0; fds && i < m->nfds; i++)
		close(fds[i]);
	if (f->bad == BAD_CLOSE && m->req == f->bad_req && !f->bad_done) {
		f->bad_done = true;
		return -1;
	}
	if (f->bad == BAD_SILENT && m->req == f->bad_req && !f->bad_done) {
		f->bad_done = true;
		return 0;
	}
	if (m->flags & F_NEED_REPLY)
		rc = fake_reply(f, m->req, &ack, 8);
	return rc;
}

/* Wait for the next connection: accept one (client mode) or connect to
 * the bus's socket (server mode). -1: told to quit. */
static int fake_connect(struct fake *f)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = f->ctl[0], .events = POLLIN },
				       { .fd = f->lfd, .events = POLLIN } };
		int fd = -1;

		if (poll(p, f->connect ? 1 : 2, f->connect ? 10 : -1) < 0)
			continue;
		if (p[0].revents) {
			char c;

			if (read(f->ctl[0], &c, 1) == 1 && c == 'q')
				return -1;
			continue;
		}
		if (f->connect) {
			struct sockaddr_un a = { .sun_family = AF_UNIX };

			memcpy(a.sun_path, f->path, strlen(f->path));
			fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
				close(fd);
				fd = -1;
			}
		} else if (p[1].revents) {
			fd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
		}
		if (fd < 0)
			continue;
		pthread_mutex_lock(&f->lock);
		f->conn = fd;
		f->conns++;
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
		return 0;
	}
}

static void *fake_thread(void *arg)
{
	struct fake *f = arg;

	for (;;) {
		struct pollfd p[2];
		struct msg m;
		int fds[8];

		if (f->conn < 0 && fake_connect(f))
			return NULL;
		p[0] = (struct pollfd){ .fd = f->ctl[0], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = f->conn, .events = POLLIN };
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents) {
			char c = 0;

			if (read(f->ctl[0], &c, 1) != 1)
				continue;
			if (c == 'h')
				fake_hang_up(f);
			if (c == 'q')
				return NULL;
			continue;
		}
		if (fake_recv(f, &m, fds, 8)) {
			fake_hang_up(f); /* the bus closed, or sent garbage */
			continue;
		}
		pthread_mutex_lock(&f->lock);
		m.conn = f->conns;
		if (f->n < MAX_LOG)
			f->log[f->n++] = m;
		if (fake_handle(f, &m, fds)) {
			pthread_mutex_unlock(&f->lock);
			fake_hang_up(f);
			continue;
		}
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
	}
}

/* Features of the backend in the good runs: the ring and offload bits a
 * net backend has, bits the model must not pass on (controlq's, legacy's,
 * vhost's log, ACCESS_PLATFORM), and the protocol features bit. */
static const uint64_t BACKEND_FEATURES =
	BIT(VMMIO_NET_F_CSUM) | BIT(VMMIO_NET_F_GUEST_CSUM) | BIT(VMMIO_NET_F_MRG_RXBUF) |
	BIT(VMMIO_NET_F_CTRL_VQ) | BIT(VMMIO_NET_F_MQ) | BIT(VMMIO_F_NOTIFY_ON_EMPTY) |
	BIT(26) /* VHOST_F_LOG_ALL */ | BIT(VMMIO_F_INDIRECT_DESC) | BIT(VMMIO_F_EVENT_IDX) |
	BIT(PROTOCOL_FEATURES_BIT) | BIT(VMMIO_F_VERSION_1) | BIT(VMMIO_F_ACCESS_PLATFORM) |
	BIT(VMMIO_F_RING_PACKED) | BIT(VMMIO_F_IN_ORDER);
static const uint64_t BACKEND_PFEATURES =
	BIT(PF_MQ) | BIT(PF_LOG_SHMFD) | BIT(PF_REPLY_ACK) | BIT(PF_CONFIG);

/* The model's own features, which it offers whatever the backend does and
 * never passes on: MAC and STATUS (its configuration space) and
 * RING_RESET (QueueReset is a register of the transport; the bus stops
 * and restarts the vring for it). */
static const uint64_t MODEL_OWN =
	BIT(VMMIO_NET_F_MAC) | BIT(VMMIO_NET_F_STATUS) | BIT(VMMIO_F_RING_RESET);

/* What the model offers of the backend's (vhost.c's "passed" bits: rings
 * and offloads), plus its own. */
static uint64_t model_offer(uint64_t backend)
{
	static const unsigned passed[] = {
		VMMIO_NET_F_CSUM,	VMMIO_NET_F_GUEST_CSUM, VMMIO_NET_F_GUEST_TSO4,
		VMMIO_NET_F_GUEST_TSO6, VMMIO_NET_F_GUEST_ECN,	VMMIO_NET_F_GUEST_UFO,
		VMMIO_NET_F_HOST_TSO4,	VMMIO_NET_F_HOST_TSO6,	VMMIO_NET_F_HOST_ECN,
		VMMIO_NET_F_HOST_UFO,	VMMIO_NET_F_MRG_RXBUF,	VMMIO_F_INDIRECT_DESC,
		VMMIO_F_EVENT_IDX,	VMMIO_F_VERSION_1,	VMMIO_F_RING_PACKED,
		VMMIO_F_IN_ORDER,
	};
	uint64_t v = MODEL_OWN;

	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++)
		v |= backend & BIT(passed[i]);
	return v;
}

static void fake_init(struct fake *f, bool connect)
{
	memset(f, 0, sizeof(*f));
	f->connect = connect;
	f->features = BACKEND_FEATURES;
	f->pfeatures = BACKEND_PFEATURES;
	f->lfd = f->conn = f->ctl[0] = f->ctl[1] = -1;
	f->kick[0] = f->kick[1] = f->call[0] = f->call[1] = -1;
	strcpy(f->dir, "/tmp/vmmio-vhost-test-XXXXXX");
	CHECK(mkdtemp(f->dir) != NULL);
	snprintf(f->path, sizeof(f->path), "%s/vhost.sock", f->dir);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
}

/* Listen (client mode) and start the thread. */
static void fake_start(struct fake *f)
{
	CHECK_EQ(pipe2(f->ctl, O_CLOEXEC), 0);
	if (!f->connect) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		memcpy(a.sun_path, f->path, strlen(f->path));
		f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(f->lfd >= 0);
		CHECK_EQ(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
		CHECK_EQ(listen(f->lfd, 4), 0);
	}
	CHECK_EQ(pthread_create(&f->th, NULL, fake_thread, f), 0);
	f->running = true;
}

static void fake_cmd(struct fake *f, char c)
{
	CHECK_EQ(write(f->ctl[1], &c, 1), 1);
}

static void fake_stop(struct fake *f)
{
	if (f->running) {
		fake_cmd(f, 'q');
		pthread_join(f->th, NULL);
	}
	f->running = false;
	fake_hang_up(f);
	if (f->lfd >= 0)
		close(f->lfd);
	for (unsigned i = 0; i < 2; i++)
		if (f->ctl[i] >= 0)
			close(f->ctl[i]);
	unlink(f->path);
	rmdir(f->dir);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Wait until the log holds @n requests; the count reached. */
static unsigned fake_wait_log(struct fake *f, unsigned n)
{
	struct timespec ts;
	unsigned got;

	deadline_in(&ts, WAIT_MS);
	pthread_mutex_lock(&f->lock);
	while (f->n < n && pthread_cond_timedwait(&f->cond, &f->lock, &ts) == 0)
		;
	got = f->n;
	pthread_mutex_unlock(&f->lock);
	return got;
}

/* Wait until the fake has no connection (it saw the bus hang up). */
static bool fake_wait_closed(struct fake *f)
{
	struct timespec ts;
	bool closed;

	deadline_in(&ts, WAIT_MS);
	pthread_mutex_lock(&f->lock);
	while (f->conn >= 0 && pthread_cond_timedwait(&f->cond, &f->lock, &ts) == 0)
		;
	closed = f->conn < 0;
	pthread_mutex_unlock(&f->lock);
	return closed;
}

/* A copy of request @i of the log (the fake thread appends only). */
static struct msg fake_msg(struct fake *f, unsigned i)
{
	struct msg m = { 0 };

	pthread_mutex_lock(&f->lock);
	if (i < f->n)
		m = f->log[i];
	pthread_mutex_unlock(&f->lock);
	return m;
}

static const char *req_name(uint32_t r)
{
	static const char *const names[] = {
		[GET_FEATURES] = "GET_FEATURES",
		[SET_FEATURES] = "SET_FEATURES",
		[SET_OWNER] = "SET_OWNER",
		[SET_MEM_TABLE] = "SET_MEM_TABLE",
		[SET_VRING_NUM] = "SET_VRING_NUM",
		[SET_VRING_ADDR] = "SET_VRING_ADDR",
		[SET_VRING_BASE] = "SET_VRING_BASE",
		[GET_VRING_BASE] = "GET_VRING_BASE",
		[SET_VRING_KICK] = "SET_VRING_KICK",
		[SET_VRING_CALL] = "SET_VRING_CALL",
		[GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	};

	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "?";
}

/* Request @i of the log is @req with @flags and a payload of @size bytes
 * and @nfds fds; says which it was otherwise. */
static bool is_msg(const struct msg *m, uint32_t req, uint32_t flags, uint32_t size, unsigned nfds)
{
	if (m->req == req && m->flags == flags && m->size == size && m->nfds == nfds)
		return true;
	printf("# expected %s flags 0x%x size %u fds %u; got %s (%u) flags 0x%x size %u fds %u\n",
	       req_name(req), flags, size, nfds, req_name(m->req), m->req, m->flags, m->size,
	       m->nfds);
	return false;
}

static void state_of(const struct msg *m, uint32_t st[2])
{
	memcpy(st, m->payload, 2 * sizeof(uint32_t));
}

/* --- the driver -------------------------------------------------------------- */

struct drv {
	struct vmmio_bus_dev bus;
	struct vmmio_dev dev;
	struct vmmio_vq *vq[2];
	bool packed;
	bool opened;
};

/* vmmio_init()'s (and vmmio_recover()'s) setup: both queues, from the
 * bus's memory (the memfd the backend maps). */
static int drv_setup(struct vmmio_dev *d, void *arg)
{
	struct drv *v = arg;
	char err[256];

	for (uint16_t q = 0; q < 2; q++) {
		struct vmmio_vq_params p;

		vmmio_vq_destroy(v->vq[q]); /* a recovery's: the device was reset */
		vmmio_vq_params_from_dev(&p, d, q, QSIZE);
		v->vq[q] = vmmio_vq_create(&p, v->bus.dma, err, sizeof(err));
		if (!v->vq[q]) {
			printf("# queue %u: %s\n", q, err);
			return -ENOMEM;
		}
		if (vmmio_vq_enable(v->vq[q], d))
			return -EIO;
	}
	return 0;
}

static int drv_open(struct drv *v, const char *arg, const struct vmmio_bus_opts *o, char *err,
		    size_t len)
{
	int rc;

	memset(v, 0, sizeof(*v));
	rc = vmmio_bus_open(arg, o, &v->bus, err, len);
	v->opened = rc == 0;
	return rc;
}

/* Probe and initialise with the net driver's features, the ring format as
 * asked. Returns vmmio_init()'s result. */
static int drv_init(struct drv *v, bool packed)
{
	struct vmmio_features want;

	v->packed = packed;
	if (vmmio_probe(&v->dev, &v->bus.win, NULL))
		return -ENODEV;
	vmmio_net_driver_features(&want);
	if (!packed)
		vmmio_feat_clear(&want, VMMIO_F_RING_PACKED);
	return vmmio_init(&v->dev, &want, drv_setup, v);
}

static uint64_t accepted(const struct drv *v)
{
	return (uint64_t)v->dev.driver_features.w[1] << 32 | v->dev.driver_features.w[0];
}

static uint32_t reg_read(struct drv *v, uint32_t off)
{
	return v->bus.win.ops->read(v->bus.win.ctx, off, 4);
}

static void drv_close(struct drv *v)
{
	if (!v->opened)
		return;
	vmmio_reset(&v->dev);
	for (unsigned q = 0; q < 2; q++) {
		vmmio_vq_destroy(v->vq[q]);
		v->vq[q] = NULL;
	}
	vmmio_bus_close(&v->bus);
	v->opened = false;
}

static size_t violations(struct drv *v)
{
	struct devsim *m = vmmio_bus_vhost_model(&v->bus);
	size_t n = m ? devsim_violation_count(m) : 1;

	if (m && n) {
		for (size_t i = 0; i < n; i++)
			printf("# violation %s\n", devsim_violation(m, i)->detail);
	}
	return n;
}

/* --- fds and stderr ----------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* What the bus writes to stderr during a case, in a file of @f's dir. */
struct capture {
	int saved, fd;
	char path[160];
};

static void capture_begin(struct capture *c, const struct fake *f)
{
	snprintf(c->path, sizeof(c->path), "%s/stderr", f->dir);
	fflush(stderr);
	c->fd = open(c->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	c->saved = dup(2);
	dup2(c->fd, 2);
}

/* Restore stderr; what was written, in @buf (echoed as diagnostics). */
static void capture_end(struct capture *c, char *buf, size_t len)
{
	ssize_t n;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	n = pread(c->fd, buf, len - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(c->fd);
	unlink(c->path);
	for (char *s = buf, *e; *s; s = e + 1) {
		e = strchr(s, '\n');
		if (!e)
			break;
		printf("# stderr: %.*s\n", (int)(e - s), s);
	}
}

/* --- checks of a good handshake ------------------------------------------------ */

/* Requests of the open (GET_FEATURES ... SET_OWNER) from log index @at;
 * returns how many. */
static unsigned check_hello(struct fake *f, unsigned at, bool protocol)
{
	const uint32_t ack = protocol ? F_NEED_REPLY : 0;
	struct msg m;
	unsigned i = at;

	CHECK(is_msg((m = fake_msg(f, i++), &m), GET_FEATURES, F_VERSION, 0, 0));
	if (protocol) {
		CHECK(is_msg((m = fake_msg(f, i++), &m), GET_PROTOCOL_FEATURES, F_VERSION, 0, 0));
		/* Only REPLY_ACK is kept; it takes effect after this request. */
		m = fake_msg(f, i++);
		CHECK(is_msg(&m, SET_PROTOCOL_FEATURES, F_VERSION, 8, 0));
		CHECK_EQ(u64_of(&m), BIT(PF_REPLY_ACK));
	}
	CHECK(is_msg((m = fake_msg(f, i++), &m), SET_OWNER, F_VERSION | ack, 0, 0));
	return i - at;
}

/* The requests that start vring @q as the driver set it up, from log index
 * @at, inside memory region @r. Returns how many. */
static unsigned check_vring(struct fake *f, struct drv *v, unsigned at, uint32_t q, bool protocol,
			    const struct region *r)
{
	const uint32_t flags = F_VERSION | (protocol ? F_NEED_REPLY : 0);
	struct vmmio_queue_cfg cfg;
	struct vring_addr a;
	struct msg m;
	uint32_t st[2];
	unsigned i = at;

	vmmio_vq_queue_cfg(v->vq[q], &cfg);
	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_VRING_NUM, flags, 8, 0));
	state_of(&m, st);
	CHECK_EQ(st[0], q);
	CHECK_EQ(st[1], QSIZE);

	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_VRING_BASE, flags, 8, 0));
	state_of(&m, st);
	CHECK_EQ(st[0], q);
	/* packed: position 0 with the wrap counter 1 in bit 15 */
	CHECK_EQ(st[1], v->packed ? 0x8000u : 0);

	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_VRING_ADDR, flags, sizeof(a), 0));
	memcpy(&a, m.payload, sizeof(a));
	CHECK_EQ(a.index, q);
	CHECK_EQ(a.flags, 0); /* no logging */
	CHECK_EQ(a.desc, cfg.desc);
	CHECK_EQ(a.avail, cfg.driver);
	CHECK_EQ(a.used, cfg.device);
	CHECK(a.desc >= r->gpa && a.desc + 16u * QSIZE <= r->gpa + r->size);
	CHECK(a.avail >= r->gpa && a.avail < r->gpa + r->size);
	CHECK(a.used >= r->gpa && a.used < r->gpa + r->size);

	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_VRING_KICK, flags, 8, 1));
	CHECK_EQ(u64_of(&m), q); /* the index, an fd passed (no 0x100) */
	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_VRING_CALL, flags, 8, 1));
	CHECK_EQ(u64_of(&m), q);
	if (protocol) {
		/* Rings start disabled when protocol features are on. */
		m = fake_msg(f, i++);
		CHECK(is_msg(&m, SET_VRING_ENABLE, flags, 8, 0));
		state_of(&m, st);
		CHECK_EQ(st[0], q);
		CHECK_EQ(st[1], 1);
	}
	return i - at;
}

/* Requests of DRIVER_OK from log index @at: features, memory table, both
 * rings as the driver set them up. Returns how many. */
static unsigned check_start(struct fake *f, struct drv *v, unsigned at, bool protocol)
{
	const uint32_t flags = F_VERSION | (protocol ? F_NEED_REPLY : 0);
	struct region r;
	struct msg m;
	unsigned i = at;

	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_FEATURES, flags, 8, 0));
	CHECK_EQ(u64_of(&m), (accepted(v) & ~MODEL_OWN) | (protocol ? BIT(PROTOCOL_FEATURES_BIT) : 0));
	CHECK_EQ(u64_of(&m) >> VMMIO_F_RING_PACKED & 1, v->packed);

	m = fake_msg(f, i++);
	CHECK(is_msg(&m, SET_MEM_TABLE, flags, 8 + sizeof(struct region), 1));
	CHECK_EQ(u64_of(&m) & 0xffffffffu, 1); /* nregions */
	memcpy(&r, m.payload + 8, sizeof(r));
	CHECK_EQ(r.gpa, r.uaddr); /* addresses are the driver's VAs */
	CHECK_EQ(r.mmap_offset, 0);
	CHECK(r.size >= (size_t)1 << 20);

	for (uint32_t q = 0; q < 2; q++)
		i += check_vring(f, v, i, q, protocol, &r);
	return i - at;
}

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&p, 1, ms) == 1;
}

/* The memory table's fd, mapped by the fake, is the driver's memory: a
 * buffer the driver adds to transmitq1 shows there (descriptor, payload,
 * index), and what the fake writes there the driver sees. */
static void check_shared_memory(struct fake *f, struct drv *v)
{
	const struct vmmio_dma_req req = { .len = 4096, .align = 64, .node = VMMIO_NUMA_ANY };
	struct vmmio_queue_cfg cfg;
	struct vmmio_dma buf;
	struct vmmio_seg seg;
	struct vmmio_buf b;
	char why[256];
	bool found = false;
	uint8_t *map;
	uint64_t base;

	CHECK_EQ(vmmio_dma_alloc(v->bus.dma, &req, &buf, why, sizeof(why)), 0);
	memset(buf.va, 0x5a, 1500);
	seg = (struct vmmio_seg){ buf.iova, 1500 };
	b = (struct vmmio_buf){ .seg = &seg, .n_out = 1, .cookie = buf.va };
	CHECK_EQ(vmmio_vq_add(v->vq[1], &b, 1), 1);
	vmmio_vq_publish(v->vq[1]);
	vmmio_vq_queue_cfg(v->vq[1], &cfg);

	pthread_mutex_lock(&f->lock);
	map = f->map;
	base = f->reg.gpa;
	pthread_mutex_unlock(&f->lock);
	CHECK(map != NULL);
	if (map) {
		/* Split and packed descriptors both start {le64 addr, le32 len}. */
		for (unsigned d = 0; d < QSIZE && !found; d++) {
			const uint8_t *desc = map + (cfg.desc - base) + 16u * d;
			uint64_t addr;
			uint32_t len;

			memcpy(&addr, desc, 8);
			memcpy(&len, desc + 8, 4);
			found = addr == seg.addr && len == seg.len;
		}
		CHECK(found);
		CHECK(memcmp(map + (seg.addr - base), buf.va, 1500) == 0);
		if (!v->packed) {
			uint16_t idx;

			memcpy(&idx, map + (cfg.driver - base) + 2, 2); /* avail->idx */
			CHECK_EQ(idx, 1);
		}
		/* The other way round. */
		memset(map + (seg.addr - base) + 2000, 0xa5, 100);
		CHECK_EQ(((uint8_t *)buf.va)[2000], 0xa5);
		CHECK_EQ(((uint8_t *)buf.va)[2099], 0xa5);
	}
	/* The buffer stays on the ring until the reset; its memory with the
	 * bus's (the device may not use it after the reset anyway). */
}

/* A notify of transmitq1 makes its kick fd readable, and only its own. */
static void check_kick(struct fake *f, struct drv *v)
{
	int kick0, kick1;
	uint64_t n = 0;

	pthread_mutex_lock(&f->lock);
	kick0 = f->kick[0];
	kick1 = f->kick[1];
	pthread_mutex_unlock(&f->lock);
	while (readable(kick1, 0)) /* kicks from the setup, if any */
		CHECK_EQ(read(kick1, &n, 8), 8);
	while (readable(kick0, 0))
		CHECK_EQ(read(kick0, &n, 8), 8);
	CHECK_EQ(vmmio_vq_notify(v->vq[1], &v->dev), 0);
	CHECK(readable(kick1, WAIT_MS));
	CHECK_EQ(read(kick1, &n, 8), 8);
	CHECK(n >= 1);
	CHECK(!readable(kick0, 0));
}

/* Read InterruptStatus and acknowledge what it says, as
 * vmmio_irq_handle() does (the checker wants each read acknowledged
 * before the next), to see the register itself. */
static uint32_t take_isr(struct drv *v)
{
	const uint32_t isr = reg_read(v, VMMIO_REG_INTERRUPT_STATUS);

	v->bus.win.ops->write(v->bus.win.ctx, VMMIO_REG_INTERRUPT_ACK, 4, isr & VMMIO_ISR_DEFINED);
	vmmio_regwin_unmask(&v->bus.win);
	return isr;
}

/* The fake writes vring @q's call fd: a used buffer interrupt. */
static void check_call(struct fake *f, struct drv *v, unsigned q)
{
	const uint64_t one = 1;
	int call;

	pthread_mutex_lock(&f->lock);
	call = f->call[q];
	pthread_mutex_unlock(&f->lock);
	CHECK(call >= 0);
	CHECK_EQ(vmmio_irq_wait(&v->dev, 0), 0); /* nothing before */
	CHECK_EQ(write(call, &one, 8), 8);
	CHECK_EQ(vmmio_irq_wait(&v->dev, WAIT_MS), 1);
	CHECK_EQ(take_isr(v), VMMIO_ISR_USED_BUFFER);
}

/* Reset: GET_VRING_BASE for each running ring, from log index @at. */
static void check_reset(struct fake *f, struct drv *v, unsigned at)
{
	struct msg m;
	uint32_t st[2];

	CHECK_EQ(vmmio_reset(&v->dev), 0);
	CHECK_EQ(fake_wait_log(f, at + 2), at + 2);
	for (uint32_t q = 0; q < 2; q++) {
		m = fake_msg(f, at + q);
		CHECK(is_msg(&m, GET_VRING_BASE, F_VERSION, 8, 0));
		state_of(&m, st);
		CHECK_EQ(st[0], q);
	}
}

/* --- the cases ------------------------------------------------------------------- */

struct good {
	bool packed;
	bool protocol; /* the backend offers protocol features */
	bool server; /* the bus listens */
};

/* A whole life: open, init, every message, kick, call, memory, reset, close. */
static void t_good(const void *arg)
{
	const struct good *g = arg;
	const int fds0 = count_fds();
	char err[512] = "", dev_arg[200], out[4096];
	const unsigned hello = g->protocol ? 4 : 2;
	const unsigned start = 2 + 2 * (g->protocol ? 6 : 5);
	struct capture cap;
	struct fake f;
	struct drv v;
	unsigned n;

	fake_init(&f, g->server);
	if (!g->protocol) {
		f.features &= ~BIT(PROTOCOL_FEATURES_BIT);
		f.pfeatures = 0;
	}
	fake_start(&f);
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s%s", f.path, g->server ? ",server,wait=10000" : "");
	capture_begin(&cap, &f);
	CHECK_EQ(drv_open(&v, dev_arg, NULL, err, sizeof(err)), 0);
	if (err[0])
		printf("# %s\n", err);
	if (!v.opened)
		goto out;
	CHECK(vmmio_bus_vhost_model(&v.bus) != NULL);
	CHECK(v.bus.dma != NULL);
	/* Without REPLY_ACK nothing is confirmed: the requests arrive later. */
	CHECK_EQ(fake_wait_log(&f, hello), hello);
	CHECK_EQ(check_hello(&f, 0, g->protocol), hello);

	CHECK_EQ(drv_init(&v, g->packed), 0);
	CHECK_EQ((uint64_t)v.dev.device_features.w[1] << 32 | v.dev.device_features.w[0],
		 model_offer(f.features));
	CHECK(!(accepted(&v) & ~model_offer(f.features)));
	CHECK_EQ(accepted(&v) >> VMMIO_F_RING_PACKED & 1, g->packed);
	CHECK_EQ(fake_wait_log(&f, hello + start), hello + start);
	CHECK_EQ(check_start(&f, &v, hello, g->protocol), start);
	CHECK_EQ(reg_read(&v, VMMIO_REG_STATUS) & VMMIO_STATUS_DEVICE_NEEDS_RESET, 0);

	check_shared_memory(&f, &v);
	check_kick(&f, &v);
	check_call(&f, &v, 0);
	/* GET_VRING_BASE's reply is awaited with or without REPLY_ACK. */
	check_reset(&f, &v, hello + start);
	n = hello + start + 2;
	CHECK_EQ(violations(&v), 0);
	drv_close(&v);
	/* Nothing more than that was sent, and the bus hung up at close. */
	CHECK(fake_wait_closed(&f));
	pthread_mutex_lock(&f.lock);
	CHECK_EQ(f.n, n);
	CHECK_EQ(f.conns, 1);
	pthread_mutex_unlock(&f.lock);
	if (g->server) {
		struct stat st;

		/* The bus made the socket and removes it. */
		CHECK(stat(f.path, &st) != 0);
	}
out:
	capture_end(&cap, out, sizeof(out));
	CHECK(strstr(out, "vmmio:") == NULL);
	drv_close(&v);
	fake_stop(&f);
	CHECK_EQ(count_fds(), fds0);
}

/* The fake hangs up after DRIVER_OK: DEVICE_NEEDS_RESET with a
 * configuration change interrupt; the driver's recovery reconnects and
 * the fake sees the whole handshake again on its second connection. */
static void t_reconnect(void)
{
	const int fds0 = count_fds();
	char err[512] = "", dev_arg[200], out[4096];
	struct capture cap;
	struct fake f;
	struct drv v;
	unsigned first, ev;

	fake_init(&f, false);
	fake_start(&f);
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s,wait=10000", f.path);
	capture_begin(&cap, &f);
	CHECK_EQ(drv_open(&v, dev_arg, NULL, err, sizeof(err)), 0);
	if (!v.opened)
		goto out;
	CHECK_EQ(drv_init(&v, false), 0);
	first = fake_wait_log(&f, 18);
	CHECK_EQ(first, 18);

	fake_cmd(&f, 'h');
	CHECK_EQ(vmmio_irq_wait(&v.dev, WAIT_MS), 1);
	ev = vmmio_irq_handle(&v.dev);
	CHECK(ev & VMMIO_EV_CONFIG);
	CHECK(ev & VMMIO_EV_NEEDS_RESET);
	CHECK(vmmio_needs_reset(&v.dev));

	CHECK_EQ(vmmio_recover(&v.dev, drv_setup, &v), 0);
	CHECK_EQ(v.dev.recoveries, 1);
	CHECK_EQ(fake_wait_log(&f, first + 18), first + 18);
	pthread_mutex_lock(&f.lock);
	CHECK_EQ(f.conns, 2);
	pthread_mutex_unlock(&f.lock);
	/* The old connection had nothing more (no GET_VRING_BASE: it was
	 * gone); the new one the whole handshake. */
	CHECK_EQ(fake_msg(&f, first).conn, 2);
	CHECK_EQ(check_hello(&f, first, true), 4);
	CHECK_EQ(check_start(&f, &v, first + 4, true), 14);
	CHECK(!vmmio_needs_reset(&v.dev));
	CHECK(reg_read(&v, VMMIO_REG_STATUS) & VMMIO_STATUS_DRIVER_OK);
	check_kick(&f, &v);
	check_call(&f, &v, 0);
	check_reset(&f, &v, first + 18);
	CHECK_EQ(violations(&v), 0);
out:
	drv_close(&v);
	capture_end(&cap, out, sizeof(out));
	CHECK_STR_HAS(out, "the backend hung up");
	CHECK_STR_HAS(out, f.path);
	fake_stop(&f);
	CHECK_EQ(count_fds(), fds0);
}

/* QueueReset of transmitq1 (the model offers RING_RESET): the bus stops
 * that vring (GET_VRING_BASE) and, when the driver enables the queue
 * again, starts it anew (NUM, BASE from the start, ADDR, fresh KICK and
 * CALL fds, ENABLE); the other vring is left alone. */
static void t_queue_reset(const void *arg)
{
	const bool packed = *(const bool *)arg;
	const int fds0 = count_fds();
	char err[512] = "", dev_arg[200], out[4096];
	struct capture cap;
	struct region r;
	struct fake f;
	struct drv v;
	struct msg m;
	uint32_t st[2];

	fake_init(&f, false);
	fake_start(&f);
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s", f.path);
	capture_begin(&cap, &f);
	CHECK_EQ(drv_open(&v, dev_arg, NULL, err, sizeof(err)), 0);
	if (!v.opened)
		goto out;
	CHECK_EQ(drv_init(&v, packed), 0);
	CHECK_EQ(fake_wait_log(&f, 18), 18);
	CHECK(vmmio_feat_has(&v.dev.driver_features, VMMIO_F_RING_RESET));
	CHECK_EQ(vmmio_vq_reset(v.vq[1], &v.dev, NULL, NULL), 0);
	CHECK_EQ(fake_wait_log(&f, 19), 19);
	m = fake_msg(&f, 18);
	CHECK(is_msg(&m, GET_VRING_BASE, F_VERSION, 8, 0));
	state_of(&m, st);
	CHECK_EQ(st[0], 1);

	CHECK_EQ(vmmio_vq_enable(v.vq[1], &v.dev), 0);
	CHECK_EQ(fake_wait_log(&f, 25), 25);
	pthread_mutex_lock(&f.lock);
	r = f.reg;
	pthread_mutex_unlock(&f.lock);
	CHECK_EQ(check_vring(&f, &v, 19, 1, true, &r), 6);
	check_kick(&f, &v);
	check_call(&f, &v, 1);
	check_call(&f, &v, 0);
	check_reset(&f, &v, 25);
	CHECK_EQ(violations(&v), 0);
out:
	drv_close(&v);
	capture_end(&cap, out, sizeof(out));
	CHECK(strstr(out, "vmmio:") == NULL);
	fake_stop(&f);
	CHECK_EQ(count_fds(), fds0);
}

/* A broken backend, and where it shows. */
enum when {
	AT_OPEN, /* vmmio_bus_open() fails with the error in err */
	AT_DRIVER_OK, /* DRIVER_OK: DEVICE_NEEDS_RESET, the error on stderr */
	AT_RESET, /* the reset completes, the error on stderr */
};

struct broken {
	const char *name;
	uint32_t req;
	enum bad bad;
	enum when when;
	const char *says[2]; /* what the error must contain (%s: the request) */
};

static const struct broken broken_cases[] = {
	{ "wrong request code in the reply to GET_FEATURES", GET_FEATURES, BAD_REQUEST, AT_OPEN,
	  { "the backend answered GET_FEATURES with a reply to SET_FEATURES", NULL } },
	{ "wrong size of the reply to GET_PROTOCOL_FEATURES", GET_PROTOCOL_FEATURES, BAD_SIZE,
	  AT_OPEN,
	  { "reply to GET_PROTOCOL_FEATURES has a payload of 4 bytes (expected 8)", NULL } },
	{ "wrong flags in the reply to GET_FEATURES", GET_FEATURES, BAD_FLAGS, AT_OPEN,
	  { "reply to GET_FEATURES has flags 0x1", NULL } },
	{ "wrong flags in the REPLY_ACK of SET_OWNER", SET_OWNER, BAD_FLAGS, AT_OPEN,
	  { "reply to SET_OWNER has flags 0x1", NULL } },
	{ "SET_OWNER refused", SET_OWNER, BAD_NACK, AT_OPEN,
	  { "the backend refused SET_OWNER (status 1)", NULL } },
	{ "closes instead of answering GET_PROTOCOL_FEATURES", GET_PROTOCOL_FEATURES, BAD_CLOSE,
	  AT_OPEN,
	  { "the backend closed the connection instead of replying to GET_PROTOCOL_FEATURES",
	    NULL } },
	{ "silent after GET_FEATURES", GET_FEATURES, BAD_SILENT, AT_OPEN,
	  { "no reply to GET_FEATURES within 1000 ms", NULL } },
	{ "SET_MEM_TABLE refused", SET_MEM_TABLE, BAD_NACK, AT_DRIVER_OK,
	  { "the backend refused SET_MEM_TABLE (status 1)", NULL } },
	{ "wrong request code in the REPLY_ACK of SET_VRING_ADDR", SET_VRING_ADDR, BAD_REQUEST,
	  AT_DRIVER_OK,
	  { "the backend answered SET_VRING_ADDR with a reply to GET_FEATURES", NULL } },
	{ "wrong size of the REPLY_ACK of SET_FEATURES", SET_FEATURES, BAD_SIZE, AT_DRIVER_OK,
	  { "reply to SET_FEATURES has a payload of 4 bytes (expected 8)", NULL } },
	{ "closes instead of answering SET_VRING_KICK", SET_VRING_KICK, BAD_CLOSE, AT_DRIVER_OK,
	  { "the backend closed the connection instead of replying to SET_VRING_KICK", NULL } },
	{ "silent after SET_VRING_CALL", SET_VRING_CALL, BAD_SILENT, AT_DRIVER_OK,
	  { "no reply to SET_VRING_CALL within 1000 ms", NULL } },
	{ "SET_VRING_ENABLE refused", SET_VRING_ENABLE, BAD_NACK, AT_DRIVER_OK,
	  { "the backend refused SET_VRING_ENABLE (status 1)", NULL } },
	{ "wrong size of the reply to GET_VRING_BASE", GET_VRING_BASE, BAD_SIZE, AT_RESET,
	  { "reply to GET_VRING_BASE has a payload of 4 bytes (expected 8)", NULL } },
	{ "silent after GET_VRING_BASE", GET_VRING_BASE, BAD_SILENT, AT_RESET,
	  { "no reply to GET_VRING_BASE within 1000 ms", NULL } },
};

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void t_broken(const void *arg)
{
	const struct broken *b = arg;
	const int fds0 = count_fds();
	const struct vmmio_bus_opts o = { .vhost.reply_ms = SHORT_REPLY_MS };
	char err[512] = "", dev_arg[200], out[4096], prefix[300];
	struct capture cap;
	struct fake f;
	struct drv v;
	uint64_t t0;
	int rc;

	fake_init(&f, false);
	f.bad = b->bad;
	f.bad_req = b->req;
	fake_start(&f);
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s", f.path);
	capture_begin(&cap, &f);
	t0 = now_ms();
	rc = drv_open(&v, dev_arg, b->bad == BAD_SILENT ? &o : NULL, err, sizeof(err));
	if (b->when == AT_OPEN) {
		CHECK(rc < 0);
		printf("# err: %s\n", err);
		snprintf(prefix, sizeof(prefix), "--device \"%s\": ", dev_arg);
		CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
		CHECK_STR_HAS(err, b->says[0]);
		if (b->bad == BAD_SILENT) /* waited the reply time, not much longer */
			CHECK(now_ms() - t0 >= SHORT_REPLY_MS && now_ms() - t0 < 5000);
		goto out;
	}
	CHECK_EQ(rc, 0);
	if (rc)
		goto out;
	/* The open's requests went well; the bad one comes later. */
	rc = drv_init(&v, false);
	if (b->when == AT_DRIVER_OK) {
		/* DRIVER_OK was written; the device could not start and
		 * says so the spec's way. */
		CHECK(vmmio_needs_reset(&v.dev));
		CHECK(reg_read(&v, VMMIO_REG_STATUS) & VMMIO_STATUS_DEVICE_NEEDS_RESET);
		CHECK(fake_wait_closed(&f)); /* the bus dropped the connection */
	} else {
		CHECK_EQ(rc, 0);
		CHECK(!vmmio_needs_reset(&v.dev));
		CHECK_EQ(vmmio_reset(&v.dev), 0);
		CHECK_EQ(reg_read(&v, VMMIO_REG_STATUS), 0);
	}
	CHECK_EQ(violations(&v), 0);
	drv_close(&v);
out:
	drv_close(&v);
	capture_end(&cap, out, sizeof(out));
	if (b->when != AT_OPEN) {
		snprintf(prefix, sizeof(prefix), "vmmio: vhost:%s: ", f.path);
		CHECK_STR_HAS(out, prefix);
		CHECK_STR_HAS(out, b->says[0]);
	} else {
		CHECK(strstr(out, "vmmio:") == NULL); /* said in err, not on stderr */
	}
	fake_stop(&f);
	CHECK_EQ(count_fds(), fds0);
}

/* A backend without VERSION_1 cannot back the modern model: refused at
 * open, naming the bit. */
static void t_no_version_1(void)
{
	const int fds0 = count_fds();
	char err[512] = "", dev_arg[200];
	struct fake f;
	struct drv v;

	fake_init(&f, false);
	f.features &= ~BIT(VMMIO_F_VERSION_1);
	fake_start(&f);
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s", f.path);
	CHECK(drv_open(&v, dev_arg, NULL, err, sizeof(err)) < 0);
	printf("# err: %s\n", err);
	CHECK_STR_HAS(err, "does not offer VIRTIO_F_VERSION_1");
	drv_close(&v);
	fake_stop(&f);
	CHECK_EQ(count_fds(), fds0);
}

/* Nobody at the socket: client mode retries for wait= ms, then says so;
 * server mode waits as long for a backend to connect. */
static void t_nobody(void)
{
	const int fds0 = count_fds();
	char err[512] = "", dev_arg[200];
	struct fake f;
	struct drv v;
	uint64_t t0;

	fake_init(&f, false); /* not started: the path stays empty */
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s,wait=200", f.path);
	t0 = now_ms();
	CHECK(drv_open(&v, dev_arg, NULL, err, sizeof(err)) < 0);
	CHECK(now_ms() - t0 >= 200);
	printf("# err: %s\n", err);
	CHECK_STR_HAS(err, "cannot connect to the vhost-user backend at");
	CHECK_STR_HAS(err, f.path);
	snprintf(dev_arg, sizeof(dev_arg), "vhost:%s,server,wait=200", f.path);
	CHECK(drv_open(&v, dev_arg, NULL, err, sizeof(err)) < 0);
	printf("# err: %s\n", err);
	CHECK_STR_HAS(err, "no vhost-user backend connected within 200 ms");
	fake_stop(&f);
	CHECK_EQ(count_fds(), fds0);
}

static const struct good good_cases[] = {
	{ .packed = false, .protocol = true },
	{ .packed = true, .protocol = true },
	{ .packed = false, .protocol = false },
	{ .packed = true, .protocol = false },
	{ .packed = false, .protocol = true, .server = true },
	{ .packed = true, .protocol = true, .server = true },
};

int main(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good *g = &good_cases[i];

		snprintf(name, sizeof(name), "%s rings, %s protocol features, bus as %s: every message",
			 g->packed ? "packed" : "split", g->protocol ? "with" : "without",
			 g->server ? "server" : "client");
		tap_run_arg(name, t_good, g);
	}
	TAP_RUN(t_reconnect);
	for (int packed = 0; packed < 2; packed++) {
		static const bool fmt[2] = { false, true };

		snprintf(name, sizeof(name), "QueueReset of transmitq1 (%s): the vring stops and "
			 "starts again", packed ? "packed" : "split");
		tap_run_arg(name, t_queue_reset, &fmt[packed]);
	}
	for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++) {
		snprintf(name, sizeof(name), "broken backend: %s", broken_cases[i].name);
		tap_run_arg(name, t_broken, &broken_cases[i]);
	}
	TAP_RUN(t_no_version_1);
	TAP_RUN(t_nobody);
	return tap_end();
}
