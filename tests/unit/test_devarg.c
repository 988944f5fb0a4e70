/* SPDX-License-Identifier: BSD-3-Clause */
/* The --device argument parser: every option, every error message. */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "vmmio_devarg.h"

static char err[256];

static int parse(const char *s, struct vmmio_devarg *a)
{
	memset(err, 0, sizeof(err));
	return vmmio_devarg_parse(s, a, err, sizeof(err));
}

static void t_types(void)
{
	struct vmmio_devarg a;

	CHECK_EQ(parse("sim:net", &a), 0);
	CHECK_EQ(a.bus, VMMIO_DEVARG_BUS_SIM);
	CHECK_EQ(a.sim.device_id, VMMIO_DEVICE_ID_NET);
	CHECK(!a.sim.legacy && !a.sim.hotplug && a.sim.queues == 0 && a.sim.qsize == 0 && a.sim.n_shm == 0);
	CHECK(a.sim.pairs == 0 && a.sim.mtu == 0 && a.sim.backend == VMMIO_DEVARG_BACKEND_DEFAULT);
	CHECK(!a.sim.sleep_set && a.sim.sleep == 0);
	CHECK(vmmio_feat_empty(&a.sim.refuse));
	CHECK_EQ(err[0], '\0');

	CHECK_EQ(parse("sim:blk", &a), 0);
	CHECK_EQ(a.sim.device_id, VMMIO_DEVICE_ID_BLK);
}

static void t_options(void)
{
	struct vmmio_devarg a;

	CHECK_EQ(parse("sim:net,legacy", &a), 0);
	CHECK(a.sim.legacy);

	CHECK_EQ(parse("sim:net,hotplug=250", &a), 0);
	CHECK(a.sim.hotplug);
	CHECK_EQ(a.sim.hotplug_ms, 250);
	CHECK_EQ(parse("sim:net,hotplug=0", &a), 0);
	CHECK(a.sim.hotplug);
	CHECK_EQ(a.sim.hotplug_ms, 0);
	CHECK_EQ(parse("sim:net,hotplug=2147483647", &a), 0);
	CHECK_EQ(a.sim.hotplug_ms, 2147483647);

	CHECK_EQ(parse("sim:blk,queues=1", &a), 0);
	CHECK_EQ(a.sim.queues, 1);
	CHECK_EQ(parse("sim:blk,queues=16", &a), 0);
	CHECK_EQ(a.sim.queues, 16);

	CHECK_EQ(parse("sim:net,qsize=1", &a), 0);
	CHECK_EQ(a.sim.qsize, 1);
	CHECK_EQ(parse("sim:net,qsize=32768", &a), 0);
	CHECK_EQ(a.sim.qsize, 32768);
	CHECK_EQ(parse("sim:net,qsize=0x100", &a), 0);
	CHECK_EQ(a.sim.qsize, 256);
	CHECK_EQ(parse("sim:net,qsize=0X8000", &a), 0);
	CHECK_EQ(a.sim.qsize, 32768);

	/* All together, in any order. */
	CHECK_EQ(parse("sim:net,qsize=64,legacy,queues=2,hotplug=5", &a), 0);
	CHECK(a.sim.legacy && a.sim.hotplug);
	CHECK_EQ(a.sim.qsize, 64);
	CHECK_EQ(a.sim.queues, 2);
	CHECK_EQ(a.sim.hotplug_ms, 5);
	CHECK_EQ(parse("sim:net,mtu=9000,backend=sink,pairs=4,legacy", &a), 0);
	CHECK(a.sim.legacy);
	CHECK_EQ(a.sim.pairs, 4);
	CHECK_EQ(a.sim.mtu, 9000);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_SINK);
	CHECK_EQ(a.sim.queues, 0);
	CHECK_EQ(parse("sim:net,sleep=8,backend=forward,pairs=2,qsize=64", &a), 0);
	CHECK(a.sim.sleep_set);
	CHECK_EQ(a.sim.sleep, 8);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_FORWARD);
	CHECK_EQ(a.sim.pairs, 2);
	CHECK_EQ(a.sim.qsize, 64);
}

/* sleep=: the device thread's sleep_after, for whoever starts the thread;
 * any device type (the thread services blk's rings too). */
static void t_sleep(void)
{
	struct vmmio_devarg a;

	CHECK_EQ(parse("sim:net,sleep=0", &a), 0);
	CHECK(a.sim.sleep_set);
	CHECK_EQ(a.sim.sleep, 0);
	CHECK_EQ(parse("sim:net,sleep=1", &a), 0);
	CHECK(a.sim.sleep_set);
	CHECK_EQ(a.sim.sleep, 1);
	CHECK_EQ(parse("sim:net,sleep=2147483647", &a), 0);
	CHECK_EQ(a.sim.sleep, VMMIO_DEVARG_MAX_SLEEP);
	CHECK_EQ(parse("sim:net,sleep=0x7fffffff", &a), 0);
	CHECK_EQ(a.sim.sleep, 2147483647u);
	CHECK_EQ(parse("sim:blk,sleep=0x10,backend=sink", &a), 0);
	CHECK(a.sim.sleep_set);
	CHECK_EQ(a.sim.sleep, 16);
	CHECK_EQ(parse("sim:net,legacy,sleep=1000", &a), 0);
	CHECK(a.sim.legacy && a.sim.sleep_set);
	CHECK_EQ(a.sim.sleep, 1000);
	/* not given: not set, whatever else is */
	CHECK_EQ(parse("sim:net,backend=forward", &a), 0);
	CHECK(!a.sim.sleep_set && a.sim.sleep == 0);
}

/* The virtio-net options: pairs=, mtu=, backend= (loopback, forward, sink). */
static void t_net_options(void)
{
	struct vmmio_devarg a;

	CHECK_EQ(parse("sim:net,pairs=1", &a), 0);
	CHECK_EQ(a.sim.pairs, 1);
	CHECK_EQ(parse("sim:net,pairs=7", &a), 0);
	CHECK_EQ(a.sim.pairs, VMMIO_DEVARG_MAX_PAIRS);
	CHECK_EQ(parse("sim:net,pairs=0x3,qsize=64", &a), 0);
	CHECK_EQ(a.sim.pairs, 3);
	CHECK_EQ(a.sim.qsize, 64);

	CHECK_EQ(parse("sim:net,mtu=68", &a), 0);
	CHECK_EQ(a.sim.mtu, 68);
	CHECK_EQ(parse("sim:net,mtu=65535", &a), 0);
	CHECK_EQ(a.sim.mtu, 65535);
	CHECK_EQ(parse("sim:net,mtu=0x5dc", &a), 0);
	CHECK_EQ(a.sim.mtu, 1500);

	CHECK_EQ(parse("sim:net,backend=loopback", &a), 0);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_LOOPBACK);
	CHECK_EQ(parse("sim:net,backend=sink", &a), 0);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_SINK);
	CHECK_EQ(parse("sim:blk,backend=sink", &a), 0);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_SINK);
	CHECK_EQ(parse("sim:net,backend=forward", &a), 0);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_FORWARD);
	CHECK_EQ(parse("sim:net,legacy,pairs=7,backend=forward,mtu=9000", &a), 0);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_FORWARD);
	CHECK_EQ(a.sim.pairs, 7);
}

static void t_refuse(void)
{
	struct vmmio_devarg a;
	struct vmmio_features want = { { 0 } };

	CHECK_EQ(parse("sim:net,refuse=VIRTIO_NET_F_MTU,refuse=virtio_f_event_idx,refuse=33,"
		       "refuse=0x46",
		       &a),
		 0);
	vmmio_feat_set(&want, VMMIO_NET_F_MTU);
	vmmio_feat_set(&want, VMMIO_F_EVENT_IDX);
	vmmio_feat_set(&want, VMMIO_F_ACCESS_PLATFORM);
	vmmio_feat_set(&want, 70);
	CHECK(vmmio_feat_equal(&a.sim.refuse, &want));

	/* Names are looked up for the device type given. */
	CHECK_EQ(parse("sim:blk,refuse=VIRTIO_BLK_F_FLUSH", &a), 0);
	CHECK(vmmio_feat_has(&a.sim.refuse, VMMIO_BLK_F_FLUSH));
	CHECK_EQ(parse("sim:net,refuse=VIRTIO_NET_F_GUEST_RSC4", &a), 0);
	CHECK(vmmio_feat_has(&a.sim.refuse, 41));
	/* Any bit by number, defined or not. */
	CHECK_EQ(parse("sim:net,refuse=127,refuse=0", &a), 0);
	CHECK(vmmio_feat_has(&a.sim.refuse, 127));
	CHECK(vmmio_feat_has(&a.sim.refuse, 0));
}

static void t_shm(void)
{
	struct vmmio_devarg a;

	CHECK_EQ(parse("sim:net,shm=0:0x100000000:0x200000,shm=255:4096:1", &a), 0);
	CHECK_EQ(a.sim.n_shm, 2);
	CHECK_EQ(a.sim.shm[0].id, 0);
	CHECK(a.sim.shm[0].base == 0x100000000ull);
	CHECK(a.sim.shm[0].len == 0x200000ull);
	CHECK_EQ(a.sim.shm[1].id, 255);
	CHECK_EQ(a.sim.shm[1].base, 4096);
	CHECK_EQ(a.sim.shm[1].len, 1);

	CHECK_EQ(parse("sim:net,shm=1:0:1,shm=2:0:1,shm=3:0:1,shm=4:0:1,shm=5:0:1,shm=6:0:1,"
		       "shm=7:0:1,shm=8:0:1",
		       &a),
		 0);
	CHECK_EQ(a.sim.n_shm, 8);
	CHECK_EQ(a.sim.shm[7].id, 8);

	/* The largest region that still ends inside 64 bits. */
	CHECK_EQ(parse("sim:net,shm=3:0:0xfffffffffffffffe", &a), 0);
	CHECK(a.sim.shm[0].len == 0xfffffffffffffffeull);
	CHECK_EQ(parse("sim:net,shm=3:0xfffffffffffffffe:1", &a), 0);
}

static void t_uio(void)
{
	struct vmmio_devarg a;
	char name[80];

	CHECK_EQ(parse("uio:/dev/uio0", &a), 0);
	CHECK_EQ(a.bus, VMMIO_DEVARG_BUS_UIO);
	CHECK(!a.uio.by_name);
	CHECK_EQ(a.uio.index, 0);
	CHECK_EQ(a.uio.name[0], '\0');
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(parse("uio:/dev/uio17", &a), 0);
	CHECK_EQ(a.uio.index, 17);
	CHECK_EQ(parse("uio:/dev/uio1048575", &a), 0);
	CHECK_EQ(a.uio.index, VMMIO_DEVARG_MAX_UIO);

	/* Platform device names, with their own ':' (ACPI), DT and cmdline. */
	CHECK_EQ(parse("uio:LNRO0005:00", &a), 0);
	CHECK_EQ(a.bus, VMMIO_DEVARG_BUS_UIO);
	CHECK(a.uio.by_name);
	CHECK(strcmp(a.uio.name, "LNRO0005:00") == 0);
	CHECK_EQ(parse("uio:feb02e00.virtio_mmio", &a), 0);
	CHECK(strcmp(a.uio.name, "feb02e00.virtio_mmio") == 0);
	CHECK_EQ(parse("uio:virtio-mmio.0", &a), 0);
	CHECK(strcmp(a.uio.name, "virtio-mmio.0") == 0);
	CHECK_EQ(parse("uio:a+b", &a), 0);
	/* The longest name that fits, with its NUL. */
	memset(name, 0, sizeof(name));
	memcpy(name, "uio:", 4);
	memset(name + 4, 'x', VMMIO_DEVARG_NAME_MAX - 1);
	CHECK_EQ(parse(name, &a), 0);
	CHECK_EQ(strlen(a.uio.name), VMMIO_DEVARG_NAME_MAX - 1);
}

static void t_mem(void)
{
	struct vmmio_devarg a;

	CHECK_EQ(parse("mem:0xfeb02e00", &a), 0);
	CHECK_EQ(a.bus, VMMIO_DEVARG_BUS_MEM);
	CHECK(a.mem.base == 0xfeb02e00ull);
	CHECK_EQ(a.mem.size, 0x200);
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(parse("mem:0xd0000000,size=0x1000", &a), 0);
	CHECK(a.mem.base == 0xd0000000ull);
	CHECK_EQ(a.mem.size, 0x1000);
	CHECK_EQ(parse("mem:4096,size=256", &a), 0);
	CHECK_EQ(a.mem.base, 4096);
	CHECK_EQ(a.mem.size, 256);
	CHECK_EQ(parse("mem:0,size=0x104", &a), 0);
	CHECK_EQ(a.mem.size, 0x104);
	/* The last window that ends at 2^63. */
	CHECK_EQ(parse("mem:0x7ffffffffffffe00", &a), 0);
	CHECK(a.mem.base == 0x7ffffffffffffe00ull);
}

static void t_vhost(void)
{
	struct vmmio_devarg a;
	char path[VMMIO_DEVARG_VHOST_PATH_MAX + 8];

	CHECK_EQ(parse("vhost:/run/vhost0.sock", &a), 0);
	CHECK_EQ(a.bus, VMMIO_DEVARG_BUS_VHOST);
	CHECK(strcmp(a.vhost.path, "/run/vhost0.sock") == 0);
	CHECK(!a.vhost.server);
	CHECK_EQ(a.vhost.wait_ms, VMMIO_DEVARG_VHOST_WAIT_MS);
	CHECK_EQ(err[0], '\0');
	CHECK_EQ(parse("vhost:rel.sock,server,wait=0", &a), 0);
	CHECK(strcmp(a.vhost.path, "rel.sock") == 0);
	CHECK(a.vhost.server);
	CHECK_EQ(a.vhost.wait_ms, 0);
	CHECK_EQ(parse("vhost:/s,wait=0x10,server", &a), 0);
	CHECK_EQ(a.vhost.wait_ms, 16);
	CHECK(a.vhost.server);
	/* The longest path a sockaddr_un holds, and one byte more. */
	memcpy(path, "vhost:", 6);
	memset(path + 6, 'p', VMMIO_DEVARG_VHOST_PATH_MAX - 1);
	path[6 + VMMIO_DEVARG_VHOST_PATH_MAX - 1] = '\0';
	CHECK_EQ(parse(path, &a), 0);
	CHECK_EQ(strlen(a.vhost.path), VMMIO_DEVARG_VHOST_PATH_MAX - 1);
	path[6 + VMMIO_DEVARG_VHOST_PATH_MAX - 1] = 'p';
	path[6 + VMMIO_DEVARG_VHOST_PATH_MAX] = '\0';
	CHECK_EQ(parse(path, &a), -EINVAL);
	CHECK_STR_HAS(err, "socket path of 108 bytes is longer than 107, the most a Unix socket "
			   "address holds (at offset 6)");
}

struct bad {
	const char *arg;
	const char *msg; /* expected in the message, after the quoted argument */
};

static const struct bad bad_cases[] = {
	{ "", "expected <bus>:<device>, e.g. sim:net" },
	{ "net", "expected <bus>:<device>, e.g. sim:net" },
	{ "pci:net", "unknown bus \"pci\" (supported: sim, uio, mem, vhost)" },
	{ ":net", "unknown bus \"\" (supported: sim, uio, mem, vhost)" },
	{ "vhost:", "missing socket path after \"vhost:\" (e.g. vhost:/run/vhost0.sock)" },
	{ "vhost:,server", "missing socket path" },
	{ "vhost:/s,client", "unknown option \"client\" (expected server or wait=) (at offset 9)" },
	{ "vhost:/s,server=1", "option server takes no value (at offset 9)" },
	{ "vhost:/s,server,server", "option server given twice (at offset 16)" },
	{ "vhost:/s,wait", "option wait needs a value: wait=<ms> (at offset 9)" },
	{ "vhost:/s,wait=1,wait=2", "option wait given twice (at offset 16)" },
	{ "vhost:/s,wait=2147483648", "wait=2147483648 out of range 0..2147483647 (at offset 9)" },
	{ "vhost:/s,wait=-1", "wait=-1: \"-1\" is not a number" },
	{ "vhost:/s,", "empty option (at offset 9)" },
	{ "vhost:/a\tb", "socket path: control byte 0x09 is not allowed (at offset 8)" },
	{ "vhost:/a]b", "socket path: ']' is not allowed (at offset 8)" },
	{ "vhost:[/s", "socket path: '[' is not allowed (at offset 6)" },
	{ "UIO:/dev/uio0", "unknown bus \"UIO\"" },
	{ "SIM:net", "unknown bus \"SIM\"" },
	{ "sim:", "missing device type after \"sim:\" (expected net or blk)" },
	{ "sim:,legacy", "missing device type after \"sim:\"" },
	{ "sim:nett", "unknown device type \"nett\" (expected net or blk)" },
	{ "sim:net:legacy", "unknown device type \"net:legacy\"" },
	{ "sim:net,", "empty option (at offset 8)" },
	{ "sim:net,,legacy", "empty option (at offset 8)" },
	{ "sim:net,legacy,", "empty option (at offset 15)" },
	{ "sim:net,fast", "unknown option \"fast\" (expected legacy, hotplug=, queues=, qsize=, "
			  "refuse=, shm=, pairs=, mtu=, backend=, sleep=) (at offset 8)" },
	{ "sim:net,Legacy", "unknown option \"Legacy\"" },
	{ "sim:net,legacy=1", "option legacy takes no value (at offset 8)" },
	{ "sim:net,legacy,legacy", "option legacy given twice (at offset 15)" },
	{ "sim:net,hotplug", "option hotplug needs a value: hotplug=<...> (at offset 8)" },
	{ "sim:net,hotplug=1,hotplug=2", "option hotplug given twice (at offset 18)" },
	{ "sim:net,hotplug=-1", "hotplug=-1: \"-1\" is not a number (at offset 16)" },
	{ "sim:net,hotplug=2147483648", "hotplug=2147483648 out of range 0..2147483647" },
	{ "sim:net,queues=0", "queues=0 out of range 1..16 (at offset 8)" },
	{ "sim:net,queues=17", "queues=17 out of range 1..16" },
	{ "sim:net,queues=1,queues=1", "option queues given twice" },
	{ "sim:net,queues= 1", "queues= 1: \" 1\" is not a number" },
	{ "sim:net,qsize=0", "qsize=0 out of range 1..32768" },
	{ "sim:net,qsize=32769", "qsize=32769 out of range 1..32768" },
	{ "sim:net,qsize=0x", "qsize=0x: \"0x\" is not a number" },
	{ "sim:net,qsize=0x1g", "qsize=0x1g: \"0x1g\" is not a number" },
	{ "sim:net,qsize=12a", "qsize=12a: \"12a\" is not a number" },
	{ "sim:net,qsize=", "qsize=: \"\" is not a number (at offset 14)" },
	{ "sim:net,qsize=18446744073709551616", "qsize=18446744073709551616 out of range 1..32768" },
	{ "sim:net,qsize=1,qsize=2", "option qsize given twice" },
	{ "sim:net,refuse", "option refuse needs a value: refuse=<...>" },
	{ "sim:net,refuse=", "refuse=: unknown feature \"\" for a net device" },
	{ "sim:net,refuse=128", "refuse=128 out of range 0..127" },
	{ "sim:net,refuse=VIRTIO_NET_F_NOPE", "refuse=VIRTIO_NET_F_NOPE: unknown feature "
					      "\"VIRTIO_NET_F_NOPE\" for a net device (give a "
					      "spec name such as VIRTIO_F_EVENT_IDX, or a bit "
					      "number 0..127) (at offset 15)" },
	{ "sim:blk,refuse=VIRTIO_NET_F_MAC", "unknown feature \"VIRTIO_NET_F_MAC\" for a blk device" },
	{ "sim:net,refuse=VIRTIO_NET_F_MAC_", "unknown feature \"VIRTIO_NET_F_MAC_\"" },
	{ "sim:net,shm", "option shm needs a value: shm=<...>" },
	{ "sim:net,shm=1", "shm=1: expected shm=<id>:<base>:<len> (at offset 8)" },
	{ "sim:net,shm=1:2", "shm=1:2: expected shm=<id>:<base>:<len>" },
	{ "sim:net,shm=1:2:3:4", "shm=1:2:3:4: expected shm=<id>:<base>:<len>" },
	{ "sim:net,shm=256:0:1", "shm=256:0:1: id \"256\" is not a number in 0..255 (at offset 12)" },
	{ "sim:net,shm=x:0:1", "id \"x\" is not a number in 0..255" },
	{ "sim:net,shm=1:y:1", "shm=1:y:1: base \"y\" is not a 64-bit number (at offset 14)" },
	{ "sim:net,shm=1:0x10000000000000000:1", "base \"0x10000000000000000\" is not a 64-bit number" },
	{ "sim:net,shm=1:0:", "shm=1:0:: length \"\" is not a 64-bit number (at offset 16)" },
	{ "sim:net,shm=1:0:0", "shm=1:0:0: length 0 (a region has at least one byte) (at offset 16)" },
	{ "sim:net,shm=1:0xffffffffffffffff:1", "region 0xffffffffffffffff+0x1 runs past the end of "
						 "the 64-bit address space (at offset 8)" },
	{ "sim:net,shm=1:1:0xffffffffffffffff", "region 0x1+0xffffffffffffffff runs past the end" },
	{ "sim:net,shm=1:0:1,shm=1:8:1", "shm=1:8:1: shm id 1 given twice (at offset 18)" },
	{ "sim:net,shm=1:0:1,shm=2:0:1,shm=3:0:1,shm=4:0:1,shm=5:0:1,shm=6:0:1,shm=7:0:1,"
	  "shm=8:0:1,shm=9:0:1",
	  "shm=9:0:1: more than 8 shm regions (at offset 88)" },
	{ "sim:net,legacy,shm=1:0:1", "shm regions need a Version 2 device (drop legacy)" },
	/* virtio-net: pairs=, mtu=, backend= */
	{ "sim:net,pairs=0", "pairs=0 out of range 1..7 (at offset 8)" },
	{ "sim:net,pairs=8", "pairs=8 out of range 1..7" },
	{ "sim:net,pairs=two", "pairs=two: \"two\" is not a number (at offset 14)" },
	{ "sim:net,pairs", "option pairs needs a value: pairs=<...> (at offset 8)" },
	{ "sim:net,pairs=2,pairs=2", "option pairs given twice (at offset 16)" },
	{ "sim:net,pairs=2,queues=5", "pairs= and queues= both give the number of queues "
				      "(pairs=<n> makes 2n+1): give one of them" },
	{ "sim:net,queues=5,pairs=2", "pairs= and queues= both give the number of queues" },
	{ "sim:blk,pairs=2", "pairs=2: only a net device has it (at offset 8)" },
	{ "sim:net,mtu=67", "mtu=67 out of range 68..65535 (at offset 8)" },
	{ "sim:net,mtu=65536", "mtu=65536 out of range 68..65535" },
	{ "sim:net,mtu=", "mtu=: \"\" is not a number (at offset 12)" },
	{ "sim:net,mtu=1500,mtu=1500", "option mtu given twice (at offset 17)" },
	{ "sim:blk,mtu=1500", "mtu=1500: only a net device has it (at offset 8)" },
	{ "sim:net,backend=echo", "backend=echo: unknown backend \"echo\" (expected loopback, "
				  "forward or sink) (at offset 16)" },
	{ "sim:net,backend=", "backend=: unknown backend \"\" (expected loopback, forward or "
			      "sink)" },
	{ "sim:net,backend=Sink", "unknown backend \"Sink\"" },
	{ "sim:net,backend=Forward", "backend=Forward: unknown backend \"Forward\" (expected "
				     "loopback, forward or sink) (at offset 16)" },
	{ "sim:net,backend=forwardx", "unknown backend \"forwardx\"" },
	{ "sim:net,backend=macswap", "unknown backend \"macswap\"" },
	{ "sim:net,backend=forward,backend=loopback", "option backend given twice (at offset 24)" },
	{ "sim:net,backend", "option backend needs a value: backend=<...> (at offset 8)" },
	{ "sim:net,backend=sink,backend=sink", "option backend given twice (at offset 21)" },
	{ "sim:blk,backend=loopback", "backend=loopback: only a net device loops packets back (at "
				      "offset 8)" },
	{ "sim:blk,backend=forward", "backend=forward: only a net device loops packets back (at "
				     "offset 8)" },
	{ "sim:blk,legacy,backend=forward", "backend=forward: only a net device loops packets "
					    "back (at offset 15)" },
	/* sleep= */
	{ "sim:net,sleep", "option sleep needs a value: sleep=<...> (at offset 8)" },
	{ "sim:net,sleep=", "sleep=: \"\" is not a number (at offset 14)" },
	{ "sim:net,sleep=-1", "sleep=-1: \"-1\" is not a number (at offset 14)" },
	{ "sim:net,sleep=10ms", "sleep=10ms: \"10ms\" is not a number (at offset 14)" },
	{ "sim:net,sleep=0x", "sleep=0x: \"0x\" is not a number" },
	{ "sim:net,sleep=2147483648", "sleep=2147483648 out of range 0..2147483647 (at offset 8)" },
	{ "sim:net,sleep=0x80000000", "sleep=0x80000000 out of range 0..2147483647" },
	{ "sim:net,sleep=4294967296", "sleep=4294967296 out of range 0..2147483647" },
	{ "sim:net,sleep=18446744073709551616", "sleep=18446744073709551616 out of range "
						"0..2147483647" },
	{ "sim:blk,sleep=1,sleep=1", "option sleep given twice (at offset 16)" },
	{ "sim:net,Sleep=1", "unknown option \"Sleep\"" },
	{ "sim:net,sleep=1,qsize=0", "qsize=0 out of range 1..32768 (at offset 16)" },
	/* uio */
	{ "uio:", "missing device after \"uio:\" (expected /dev/uio<N> or a platform device "
		  "name such as LNRO0005:00)" },
	{ "uio:/dev/uio", "\"/dev/uio\" is not /dev/uio<N> (N decimal, no leading zeros) (at "
			  "offset 4)" },
	{ "uio:/dev/uio01", "\"/dev/uio01\" is not /dev/uio<N> (N decimal, no leading zeros)" },
	{ "uio:/dev/uio0x1", "\"/dev/uio0x1\" is not /dev/uio<N>" },
	{ "uio:/dev/uio-1", "\"/dev/uio-1\" is not /dev/uio<N>" },
	{ "uio:/dev/uio0/../mem", "\"/dev/uio0/../mem\" is not /dev/uio<N>" },
	{ "uio:/dev/vda", "\"/dev/vda\" is not /dev/uio<N>" },
	{ "uio:/dev/uio1048576", "/dev/uio1048576: N out of range 0..1048575 (at offset 12)" },
	{ "uio:/dev/uio99999999999999999999999", "N out of range 0..1048575" },
	{ "uio:LNRO0005:00,legacy", "uio takes no options (',' at offset 15)" },
	{ "uio:../../etc", "platform device name \"../../etc\": '/' is not allowed (letters, "
			   "digits and : . _ + - only) (at offset 6)" },
	{ "uio:a b", "platform device name: byte 0x20 is not allowed (letters, digits and : . _ "
		     "+ - only) (at offset 5)" },
	{ "uio:x\x7f", "byte 0x7f is not allowed" },
	{ "uio:x\xc3\xa9", "byte 0xc3 is not allowed (letters, digits and : . _ + - only) (at "
			     "offset 5)" },
	{ "uio:..", "\"..\" is not a platform device name" },
	{ "uio:.", "\".\" is not a platform device name" },
	{ "uio:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  "platform device name of 64 bytes is longer than 63 (at offset 4)" },
	/* mem */
	{ "mem:", "missing physical base address after \"mem:\" (e.g. mem:0xfeb02e00)" },
	{ "mem:,size=0x200", "missing physical base address after \"mem:\"" },
	{ "mem:xyz", "base \"xyz\" is not a 64-bit number (at offset 4)" },
	{ "mem:-4", "base \"-4\" is not a 64-bit number" },
	{ "mem:0x10000000000000000", "base \"0x10000000000000000\" is not a 64-bit number" },
	{ "mem:0xfeb02e02", "base 0xfeb02e02 is not 4-byte aligned (the registers are 32-bit "
			    "words) (at offset 4)" },
	{ "mem:0xfeb02e00,", "empty option (at offset 15)" },
	{ "mem:0xfeb02e00,,size=0x200", "empty option (at offset 15)" },
	{ "mem:0xfeb02e00,len=4", "unknown option \"len\" (expected size=) (at offset 15)" },
	{ "mem:0xfeb02e00,Size=0x200", "unknown option \"Size\"" },
	{ "mem:0xfeb02e00,size", "option size needs a value: size=<...> (at offset 15)" },
	{ "mem:0xfeb02e00,size=0x200,size=0x200", "option size given twice (at offset 26)" },
	{ "mem:0xfeb02e00,size=0x80", "size=0x80 out of range 256..4096 (at offset 15)" },
	{ "mem:0xfeb02e00,size=0x1004", "size=0x1004 out of range 256..4096" },
	{ "mem:0xfeb02e00,size=0x102", "size=0x102 is not a multiple of 4 (at offset 15)" },
	{ "mem:0xfeb02e00,size=x", "size=x: \"x\" is not a number (at offset 20)" },
	{ "mem:0x7ffffffffffffe04", "window 0x7ffffffffffffe04+0x200 runs past 2^63, the largest "
				    "offset /dev/mem takes (at offset 4)" },
	{ "mem:0x7fffffffffffff00,size=0x200", "window 0x7fffffffffffff00+0x200 runs past 2^63" },
	{ "mem:0xfffffffffffffffc", "window 0xfffffffffffffffc+0x200 runs past 2^63" },
};

static void t_bad(const void *arg)
{
	const struct bad *b = arg;
	struct vmmio_devarg a;
	char prefix[600];

	memset(&a, 0x5a, sizeof(a));
	CHECK_EQ(parse(b->arg, &a), -EINVAL);
	/* Every message quotes the argument first, then says what is wrong. */
	snprintf(prefix, sizeof(prefix), "--device \"%s\": ", b->arg);
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK_STR_HAS(err, b->msg);
	/* Nothing half-parsed is left behind. */
	CHECK_EQ(a.sim.device_id, 0);
	CHECK_EQ(a.sim.n_shm, 0);
	CHECK(!a.sim.sleep_set && a.sim.sleep == 0);
	CHECK_EQ(a.sim.backend, VMMIO_DEVARG_BACKEND_DEFAULT);
	CHECK(vmmio_feat_empty(&a.sim.refuse));
	CHECK_EQ(a.bus, VMMIO_DEVARG_BUS_SIM);
	CHECK_EQ(a.uio.name[0], '\0');
}

static void t_error_buffer_bounds(void)
{
	struct vmmio_devarg a;
	char small[16];

	memset(small, 'x', sizeof(small));
	CHECK_EQ(vmmio_devarg_parse("sim:nett", &a, small, 10), -EINVAL);
	CHECK_EQ(strlen(small), 9);
	CHECK(small[10] == 'x');
	/* No buffer at all is fine too. */
	CHECK_EQ(vmmio_devarg_parse("sim:nett", &a, NULL, 0), -EINVAL);
	CHECK_EQ(vmmio_devarg_parse("sim:net", &a, NULL, 0), 0);
}

int main(void)
{
	TAP_RUN(t_types);
	TAP_RUN(t_options);
	TAP_RUN(t_net_options);
	TAP_RUN(t_sleep);
	TAP_RUN(t_refuse);
	TAP_RUN(t_shm);
	TAP_RUN(t_uio);
	TAP_RUN(t_mem);
	TAP_RUN(t_vhost);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char name[160];

		snprintf(name, sizeof(name), "rejects \"%.120s\"", bad_cases[i].arg);
		tap_run_arg(name, t_bad, &bad_cases[i]);
	}
	TAP_RUN(t_error_buffer_bounds);
	return tap_end();
}
