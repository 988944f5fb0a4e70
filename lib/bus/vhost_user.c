/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user protocol, front-end side (vhost_user.h). One request at a
 * time, each reply awaited with a timeout and checked: request code,
 * REPLY flag, version, exact size. A backend that dies shows as EPIPE or
 * end of file; one that sends garbage gets named in c->err, with what was
 * expected and what came.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost_user.h"

#define VHU_VERSION 0x1u
#define VHU_FLAG_REPLY (1u << 2)
#define VHU_FLAG_NEED_REPLY (1u << 3)
#define VHU_VERSION_MASK 0x3u

struct vmmio_vhu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* of the payload that follows */
};

/* The largest payload we send or take: the memory table. */
struct vmmio_vhu_mem {
	uint32_t nregions;
	uint32_t padding;
	struct vmmio_vhu_region r[VHU_MAX_REGIONS];
};

static const char *const names[] = {
	[VHU_GET_FEATURES] = "GET_FEATURES",
	[VHU_SET_FEATURES] = "SET_FEATURES",
	[VHU_SET_OWNER] = "SET_OWNER",
	[VHU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHU_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHU_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

const char *vmmio_vhu_request_name(uint32_t req)
{
	if (req < sizeof(names) / sizeof(names[0]) && names[req])
		return names[req];
	return "an unknown request";
}

static int fail(struct vmmio_vhu_conn *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct vmmio_vhu_conn *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return rc;
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static int addr_of(struct vmmio_vhu_conn *c, const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return fail(c, -ENAMETOOLONG, "socket path %s is too long", path);
	memcpy(a->sun_path, path, strlen(path));
	return 0;
}

int vmmio_vhu_connect(struct vmmio_vhu_conn *c, const char *path, uint32_t wait_ms)
{
	const uint64_t until = now_ms() + wait_ms;
	struct sockaddr_un a;
	int fd, rc;

	c->fd = -1;
	c->reply_ack = false;
	rc = addr_of(c, path, &a);
	if (rc)
		return rc;
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail(c, -errno, "socket(): %s", strerror(errno));
		if (connect(fd, (const struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		rc = -errno;
		close(fd);
		/* Nobody there yet (a backend being restarted): try again. */
		if ((rc != -ENOENT && rc != -ECONNREFUSED) || now_ms() >= until)
			return fail(c, rc, "cannot connect to the vhost-user backend at %s: %s%s",
				    path, strerror(-rc),
				    rc == -ENOENT || rc == -ECONNREFUSED ?
					    " (is the backend running and listening there?)" :
					    "");
		usleep(20 * 1000);
	}
	c->fd = fd;
	return 0;
}

int vmmio_vhu_listen(struct vmmio_vhu_conn *c, const char *path)
{
	struct sockaddr_un a;
	int fd, rc = addr_of(c, path, &a);

	if (rc)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(c, -errno, "socket(): %s", strerror(errno));
	unlink(path); /* a socket file left by an earlier run */
	if (bind(fd, (const struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		rc = -errno;
		close(fd);
		return fail(c, rc, "cannot listen at %s: %s", path, strerror(-rc));
	}
	return fd;
}

int vmmio_vhu_accept(struct vmmio_vhu_conn *c, int lfd, uint32_t wait_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int rc, fd;

	c->fd = -1;
	c->reply_ack = false;
	rc = poll(&p, 1, wait_ms > INT32_MAX ? -1 : (int)wait_ms);
	if (rc == 0)
		return fail(c, -ETIMEDOUT, "no vhost-user backend connected within %u ms", wait_ms);
	if (rc < 0)
		return fail(c, -errno, "poll(): %s", strerror(errno));
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return fail(c, -errno, "accept(): %s", strerror(errno));
	c->fd = fd;
	return 0;
}

void vmmio_vhu_close(struct vmmio_vhu_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int send_msg(struct vmmio_vhu_conn *c, uint32_t req, uint32_t flags, const void *payload,
		    uint32_t size, const int *fds, unsigned nfds)
{
	struct vmmio_vhu_hdr h = { .request = req, .flags = VHU_VERSION | flags, .size = size };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, size } };
	union {
		char buf[CMSG_SPACE(VHU_MAX_REGIONS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	if (c->fd < 0)
		return fail(c, -ENOTCONN, "%s: not connected to the backend", vmmio_vhu_request_name(req));
	if (nfds) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(c->fd, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(c, -errno, "sending %s: %s%s", vmmio_vhu_request_name(req), strerror(errno),
			    errno == EPIPE || errno == ECONNRESET ? " (the backend went away)" : "");
	if ((size_t)n != sizeof(h) + size)
		return fail(c, -EIO, "sending %s: short write (%zd of %zu bytes)",
			    vmmio_vhu_request_name(req), n, sizeof(h) + size);
	return 0;
}

/* Read exactly @len bytes within the deadline; file descriptors that come
 * along (none of our requests asks for any) are closed. */
static int recv_all(struct vmmio_vhu_conn *c, uint32_t req, void *buf, size_t len, uint64_t until)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		union {
			char buf[CMSG_SPACE(VHU_MAX_REGIONS * sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { (char *)buf + got, len - got };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
				    .msg_controllen = sizeof(ctl.buf) };
		uint64_t t = now_ms();
		ssize_t n;
		int rc;

		rc = poll(&p, 1, t >= until ? 0 : (int)(until - t));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return fail(c, -ETIMEDOUT, "no reply to %s within %u ms",
				    vmmio_vhu_request_name(req), c->timeout_ms);
		n = recvmsg(c->fd, &m, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); n >= 0 && cm;
		     cm = CMSG_NXTHDR(&m, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
					int fd;

					memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
					close(fd);
				}
		if (n < 0)
			return fail(c, -errno, "waiting for the reply to %s: %s",
				    vmmio_vhu_request_name(req), strerror(errno));
		if (n == 0)
			return fail(c, -EPIPE,
				    "the backend closed the connection instead of replying to %s",
				    vmmio_vhu_request_name(req));
		got += (size_t)n;
	}
	return 0;
}

/* The reply to @req: a header that names it, then exactly @size bytes. */
static int recv_reply(struct vmmio_vhu_conn *c, uint32_t req, void *payload, uint32_t size)
{
	const uint64_t until = now_ms() + c->timeout_ms;
	struct vmmio_vhu_hdr h;
	int rc = recv_all(c, req, &h, sizeof(h), until);

	if (rc)
		return rc;
	if (h.request != req)
		return fail(c, -EPROTO, "the backend answered %s with a reply to %s (request %u)",
			    vmmio_vhu_request_name(req), vmmio_vhu_request_name(h.request), h.request);
	if ((h.flags & VHU_VERSION_MASK) != VHU_VERSION || !(h.flags & VHU_FLAG_REPLY))
		return fail(c, -EPROTO,
			    "the backend's reply to %s has flags 0x%x (expected version 1 and the "
			    "reply bit, 0x5)",
			    vmmio_vhu_request_name(req), h.flags);
	if (h.size != size)
		return fail(c, -EPROTO,
			    "the backend's reply to %s has a payload of %u bytes (expected %u)",
			    vmmio_vhu_request_name(req), h.size, size);
	return recv_all(c, req, payload, size, until);
}

int vmmio_vhu_set(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, const void *payload, uint32_t size,
	    const int *fds, unsigned nfds)
{
	uint64_t status;
	int rc = send_msg(c, req, c->reply_ack ? VHU_FLAG_NEED_REPLY : 0, payload, size, fds,
			  nfds);

	if (rc || !c->reply_ack)
		return rc;
	rc = recv_reply(c, req, &status, sizeof(status));
	if (rc)
		return rc;
	if (status)
		return fail(c, -EREMOTEIO, "the backend refused %s (status %llu)",
			    vmmio_vhu_request_name(req), (unsigned long long)status);
	return 0;
}

int vmmio_vhu_set_u64(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, uint64_t v, const int *fd)
{
	return vmmio_vhu_set(c, req, &v, sizeof(v), fd, fd ? 1 : 0);
}

int vmmio_vhu_get_u64(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, uint64_t *out)
{
	int rc = send_msg(c, req, 0, NULL, 0, NULL, 0);

	return rc ? rc : recv_reply(c, req, out, sizeof(*out));
}

int vmmio_vhu_set_state(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, uint32_t index, uint32_t num)
{
	const uint32_t st[2] = { index, num };

	return vmmio_vhu_set(c, req, st, sizeof(st), NULL, 0);
}

int vmmio_vhu_get_vring_base(struct vmmio_vhu_conn *c, uint32_t index, uint32_t *out)
{
	uint32_t st[2] = { index, 0 };
	int rc = send_msg(c, VHU_GET_VRING_BASE, 0, st, sizeof(st), NULL, 0);

	if (rc)
		return rc;
	rc = recv_reply(c, VHU_GET_VRING_BASE, st, sizeof(st));
	if (rc)
		return rc;
	if (st[0] != index)
		return fail(c, -EPROTO, "GET_VRING_BASE of vring %u: the backend answered for vring %u",
			    index, st[0]);
	*out = st[1];
	return 0;
}

int vmmio_vhu_set_mem_table(struct vmmio_vhu_conn *c, const struct vmmio_vhu_region *r, const int *fds,
		      unsigned n)
{
	struct vmmio_vhu_mem m = { .nregions = n };

	if (n == 0 || n > VHU_MAX_REGIONS)
		return fail(c, -E2BIG, "SET_MEM_TABLE: %u memory regions (the protocol takes 1..%u)",
			    n, VHU_MAX_REGIONS);
	memcpy(m.r, r, n * sizeof(*r));
	return vmmio_vhu_set(c, VHU_SET_MEM_TABLE, &m,
		       (uint32_t)(offsetof(struct vmmio_vhu_mem, r) + n * sizeof(*r)), fds, n);
}
