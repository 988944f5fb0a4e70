/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the --device parser: any bytes (up to the first NUL) must parse or
 * be refused with a message, never crash, and a success must only ever
 * describe a device within the documented bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vmmio_devarg.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_devarg: invariant broken: %s\n", what);
		abort();
	}
}

/* A name sysfs can resolve inside /sys/bus/platform/devices, nothing else. */
static void check_uio(const struct vmmio_devarg_uio *u)
{
	size_t n = strnlen(u->name, sizeof(u->name));

	check(n < sizeof(u->name), "uio name NUL-terminated in its buffer");
	if (!u->by_name) {
		check(n == 0, "no name with /dev/uioN");
		check(u->index <= VMMIO_DEVARG_MAX_UIO, "uio index in range");
		return;
	}
	check(u->index == 0, "no index with a name");
	check(n > 0, "uio name not empty");
	check(strspn(u->name, "abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "0123456789:._+-") == n,
	      "uio name of the allowed bytes only");
	check(strcmp(u->name, ".") != 0 && strcmp(u->name, "..") != 0, "uio name not . or ..");
}

static void check_mem(const struct vmmio_devarg_mem *m)
{
	check(m->base % 4 == 0, "mem base 4-byte aligned");
	check(m->size >= VMMIO_DEVARG_MEM_SIZE_MIN && m->size <= VMMIO_DEVARG_MEM_SIZE_MAX,
	      "mem size in range");
	check(m->size % 4 == 0, "mem size a multiple of 4");
	check(m->base <= VMMIO_DEVARG_MEM_END - m->size, "mem window below 2^63");
}

/* A socket path a sockaddr_un holds: NUL-terminated, non-empty, no control
 * byte, no ',' and no bracket. */
static void check_vhost(const struct vmmio_devarg_vhost *v)
{
	size_t n = strnlen(v->path, sizeof(v->path));

	check(n > 0 && n < sizeof(v->path), "vhost path non-empty, NUL-terminated");
	check(strpbrk(v->path, ",[]") == NULL, "vhost path without ',' or brackets");
	for (size_t i = 0; i < n; i++)
		check((unsigned char)v->path[i] >= 0x20 && v->path[i] != 0x7f,
		      "vhost path without control bytes");
	check(v->wait_ms <= VMMIO_DEVARG_MAX_WAIT_MS, "wait in range");
}

static void check_result(int rc, const struct vmmio_devarg *a, const char *err, size_t errlen)
{
	static const struct vmmio_devarg zero;

	check(rc == 0 || rc == -EINVAL, "returns 0 or -EINVAL");
	if (errlen > 0)
		check(memchr(err, '\0', errlen) != NULL, "message is NUL-terminated in its buffer");
	if (rc < 0) {
		check(memcmp(a, &zero, sizeof(*a)) == 0, "refused argument leaves a zeroed struct");
		if (errlen > 10)
			check(strncmp(err, "--device \"", strlen("--device \"")) == 0,
			      "message quotes the argument");
		return;
	}
	if (errlen > 0)
		check(err[0] == '\0', "no message on success");
	if (a->bus == VMMIO_DEVARG_BUS_UIO) {
		check_uio(&a->uio);
		return;
	}
	if (a->bus == VMMIO_DEVARG_BUS_MEM) {
		check_mem(&a->mem);
		return;
	}
	if (a->bus == VMMIO_DEVARG_BUS_VHOST) {
		check_vhost(&a->vhost);
		return;
	}
	check(a->bus == VMMIO_DEVARG_BUS_SIM, "bus is sim, uio, mem or vhost");
	check(a->sim.device_id == VMMIO_DEVICE_ID_NET || a->sim.device_id == VMMIO_DEVICE_ID_BLK,
	      "device type is net or blk");
	check(a->sim.queues <= VMMIO_DEVARG_MAX_QUEUES, "queues in range");
	check(a->sim.qsize <= VMMIO_DEVARG_MAX_QSIZE, "qsize in range");
	check(a->sim.hotplug || a->sim.hotplug_ms == 0, "hotplug_ms only with hotplug");
	check(a->sim.hotplug_ms <= VMMIO_DEVARG_MAX_HOTPLUG_MS, "hotplug in range");
	check(a->sim.n_shm <= VMMIO_DEVARG_MAX_SHM, "at most 8 shm regions");
	check(!a->sim.legacy || a->sim.n_shm == 0, "no shm on legacy");
	check(a->sim.pairs <= VMMIO_DEVARG_MAX_PAIRS, "pairs in range");
	check(!a->sim.pairs || !a->sim.queues, "pairs and queues not both");
	check(!a->sim.mtu || a->sim.mtu >= VMMIO_DEVARG_MIN_MTU, "mtu in range");
	check(a->sim.device_id == VMMIO_DEVICE_ID_NET ||
		      (!a->sim.pairs && !a->sim.mtu &&
		       a->sim.backend != VMMIO_DEVARG_BACKEND_LOOPBACK &&
		       a->sim.backend != VMMIO_DEVARG_BACKEND_FORWARD),
	      "pairs, mtu, loopback and forward only on net");
	check(a->sim.backend <= VMMIO_DEVARG_BACKEND_FORWARD, "backend known");
	check(a->sim.sleep_set || a->sim.sleep == 0, "sleep only with sleep_set");
	check(a->sim.sleep <= VMMIO_DEVARG_MAX_SLEEP, "sleep in range");
	for (unsigned i = 0; i < a->sim.n_shm; i++) {
		check(a->sim.shm[i].id <= VMMIO_DEVARG_MAX_SHM_ID, "shm id in range");
		check(a->sim.shm[i].len > 0, "shm length non-zero");
		check(a->sim.shm[i].base <= UINT64_MAX - a->sim.shm[i].len, "shm region inside 64 bits");
		for (unsigned j = 0; j < i; j++)
			check(a->sim.shm[i].id != a->sim.shm[j].id, "shm ids unique");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading past the NUL is caught by ASan. */
	char *s = malloc(size + 1);
	struct vmmio_devarg a;
	char err[256];
	char tiny[7];
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	rc = vmmio_devarg_parse(s, &a, err, sizeof(err));
	check_result(rc, &a, err, sizeof(err));

	/* The same verdict with a message buffer too small for any message,
	 * and with none at all. */
	check(vmmio_devarg_parse(s, &a, tiny, sizeof(tiny)) == rc, "verdict independent of errlen");
	check_result(rc, &a, tiny, sizeof(tiny));
	check(vmmio_devarg_parse(s, &a, NULL, 0) == rc, "verdict without a message buffer");

	free(s);
	return 0;
}
