/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost-user protocol, front-end side (the "Vhost-user Protocol"
 * document of QEMU, docs/interop/vhost-user.rst): messages over a Unix
 * socket, file descriptors passed alongside. Only what the vhost bus
 * speaks; every reply is checked before anything in it is used (the
 * backend is another program and may be broken or hostile).
 */
#ifndef VMMIO_VHOST_USER_H
#define VMMIO_VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vmmio_vhu_request {
	VHU_GET_FEATURES = 1,
	VHU_SET_FEATURES = 2,
	VHU_SET_OWNER = 3,
	VHU_SET_MEM_TABLE = 5,
	VHU_SET_VRING_NUM = 8,
	VHU_SET_VRING_ADDR = 9,
	VHU_SET_VRING_BASE = 10,
	VHU_GET_VRING_BASE = 11,
	VHU_SET_VRING_KICK = 12,
	VHU_SET_VRING_CALL = 13,
	VHU_GET_PROTOCOL_FEATURES = 15,
	VHU_SET_PROTOCOL_FEATURES = 16,
	VHU_SET_VRING_ENABLE = 18,
};

/* The features word's bit that says the backend speaks protocol features;
 * not a virtio feature (the spec reserves bit 30 for it). */
#define VHU_F_PROTOCOL_FEATURES 30u
/* Protocol feature: a request with NEED_REPLY gets a u64 status back. */
#define VHU_PROTOCOL_F_REPLY_ACK 3u

#define VHU_MAX_REGIONS 8u /* VHOST_MEMORY_BASELINE_NREGIONS */

struct vmmio_vhu_region {
	uint64_t guest_phys_addr; /* what descriptors and ring addresses name */
	uint64_t memory_size;
	uint64_t userspace_addr; /* the front-end's virtual address */
	uint64_t mmap_offset; /* of the region in the fd */
};

struct vmmio_vhu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc, used, avail, log; /* front-end virtual addresses */
};

/* A connection: the socket, what was negotiated, and the last error. */
struct vmmio_vhu_conn {
	int fd; /* -1: not connected */
	uint32_t timeout_ms; /* for each reply */
	bool reply_ack; /* VHU_PROTOCOL_F_REPLY_ACK negotiated */
	char err[256]; /* why the last call failed */
};

/* Connect to the backend listening at @path, retrying for up to @wait_ms
 * while nobody listens there yet. 0 or -errno (c->err says why). */
int vmmio_vhu_connect(struct vmmio_vhu_conn *c, const char *path, uint32_t wait_ms);
/* Listen at @path (replacing a stale socket file there): returns the
 * listening fd or -errno (c->err). */
int vmmio_vhu_listen(struct vmmio_vhu_conn *c, const char *path);
/* Take one backend from @lfd within @wait_ms: 0 or -errno (c->err). */
int vmmio_vhu_accept(struct vmmio_vhu_conn *c, int lfd, uint32_t wait_ms);
void vmmio_vhu_close(struct vmmio_vhu_conn *c);

/* A request without payload reply. With REPLY_ACK negotiated, waits for
 * the backend's status. @fds: up to VHU_MAX_REGIONS descriptors to pass. */
int vmmio_vhu_set(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, const void *payload, uint32_t size,
	    const int *fds, unsigned nfds);
/* SET_* taking a u64. */
int vmmio_vhu_set_u64(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, uint64_t v, const int *fd);
/* GET_FEATURES / GET_PROTOCOL_FEATURES. */
int vmmio_vhu_get_u64(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, uint64_t *out);
/* SET_VRING_NUM / SET_VRING_BASE / SET_VRING_ENABLE: {index, num}. */
int vmmio_vhu_set_state(struct vmmio_vhu_conn *c, enum vmmio_vhu_request req, uint32_t index, uint32_t num);
/* GET_VRING_BASE: stops the ring in the backend, @out its next index. */
int vmmio_vhu_get_vring_base(struct vmmio_vhu_conn *c, uint32_t index, uint32_t *out);
int vmmio_vhu_set_mem_table(struct vmmio_vhu_conn *c, const struct vmmio_vhu_region *r, const int *fds,
		      unsigned n);

/* A request's name, "SET_VRING_ADDR", for messages. */
const char *vmmio_vhu_request_name(uint32_t req);

#endif /* VMMIO_VHOST_USER_H */
