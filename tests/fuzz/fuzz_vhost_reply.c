/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the vhost bus's reading of a backend's replies (lib/bus/vhost_user.c):
 * the backend is another program, so whatever bytes it sends back must give
 * a result or an error naming the request, never a crash, a read past the
 * reply, or a value taken from a reply that did not check out.
 *
 * Input: byte 0 picks the request (and whether REPLY_ACK is on), the rest
 * is what the backend sends, then it closes its end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/bus/vhost_user.h"
#include "fuzz.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_vhost_reply: invariant broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmmio_vhu_conn c = { .timeout_ms = 0 };
	int sv[2], rc = 0;
	uint64_t v = UINT64_C(0x5a5a5a5a5a5a5a5a);
	uint32_t base = 0x5a5a5a5au;
	uint8_t op;

	if (size < 1 || size > 4096)
		return 0;
	op = data[0];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 0;
	/* What the backend says, then end of file: a short reply ends in an
	 * error at once, not at a timeout. */
	if (write(sv[1], data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	c.fd = sv[0];
	c.reply_ack = op & 0x80;
	switch (op & 0x7f) {
	case 0:
		rc = vmmio_vhu_get_u64(&c, VHU_GET_FEATURES, &v);
		break;
	case 1:
		rc = vmmio_vhu_get_u64(&c, VHU_GET_PROTOCOL_FEATURES, &v);
		break;
	case 2:
		rc = vmmio_vhu_get_vring_base(&c, 1, &base);
		check(rc || base != 0x5a5a5a5au || data[1 + 12 + 4] == 0x5a,
		      "the vring base is the reply's");
		break;
	case 3:
		rc = vmmio_vhu_set_state(&c, VHU_SET_VRING_NUM, 0, 256);
		break;
	default:
		rc = vmmio_vhu_set_u64(&c, VHU_SET_FEATURES, 1, NULL);
		break;
	}
	check(rc <= 0, "0 or a negative errno");
	if (rc)
		check(c.err[0] != '\0' && memchr(c.err, '\0', sizeof(c.err)) != NULL,
		      "an error says why, NUL-terminated");
	/* A whole, well-formed reply carries 12 header bytes and the payload. */
	if (!rc && (op & 0x7f) <= 2)
		check(size >= 1 + 12 + 8, "a value only from a whole reply");
	close(sv[0]);
	close(sv[1]);
	return 0;
}
