/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bus layer (vmmio_bus.h) through the sim bus: a --device argument
 * opens into a register window a driver can probe and initialise, an
 * interrupt fd, the memory the device reaches, and the model behind it;
 * the options reach the model; a bad argument or a bus this build lacks is
 * refused with a message naming it; close releases it all (twice is safe).
 * Linked with libvmmio.a alone, as an application is.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "devsim.h"
#include "tap.h"
#include "vmmio_bus.h"
#include "vmmio_bus_sim.h"
#include "vmmio_vq.h"

static void t_open_sim_net(void)
{
	struct vmmio_bus_dev bd;
	struct vmmio_features want = { { 0 } };
	struct vmmio_vq_params p;
	struct vmmio_vq *vq;
	struct vmmio_dev d;
	char err[256] = "";

	CHECK_EQ(vmmio_bus_open("sim:net,queues=4", NULL, &bd, err, sizeof(err)), 0);
	CHECK_EQ(bd.arg.bus, VMMIO_DEVARG_BUS_SIM);
	CHECK_EQ(bd.arg.sim.queues, 4);
	CHECK(strcmp(bd.name, "sim:net,queues=4") == 0);
	CHECK(bd.win.name == bd.name);
	CHECK(bd.win.irq_fd >= 0);
	CHECK(bd.dma == vmmio_heap_allocator());
	CHECK(vmmio_bus_sim_model(&bd) != NULL);
	/* a driver brings it up through the window, rings from bd.dma */
	CHECK_EQ(vmmio_probe(&d, &bd.win, NULL), 0);
	CHECK_EQ(d.device_id, VMMIO_DEVICE_ID_NET);
	vmmio_feat_set(&want, VMMIO_F_VERSION_1);
	CHECK_EQ(vmmio_init(&d, &want, NULL, NULL), 0);
	vmmio_vq_params_from_dev(&p, &d, 0, 64);
	vq = vmmio_vq_create(&p, bd.dma, err, sizeof(err));
	CHECK(vq != NULL);
	vmmio_vq_destroy(vq);
	CHECK_EQ(vmmio_reset(&d), 0);
	CHECK_EQ(devsim_violation_count(vmmio_bus_sim_model(&bd)), 0);
	vmmio_bus_close(&bd);
	vmmio_bus_close(&bd);
}

/* The interrupt of the model reaches the window's fd. */
static void t_irq_fd(void)
{
	struct vmmio_bus_dev bd;
	struct pollfd pfd;
	char err[256];

	CHECK_EQ(vmmio_bus_open("sim:blk", NULL, &bd, err, sizeof(err)), 0);
	pfd = (struct pollfd){ .fd = bd.win.irq_fd, .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	devsim_raise_irq(vmmio_bus_sim_model(&bd), VMMIO_ISR_CONFIG_CHANGE);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(bd.win.ops->wait_irq(bd.win.ctx, 0), 1);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	vmmio_bus_close(&bd);
}

/* Enumerate the shared memory regions of a device that has one: the model
 * flags it unless the options said the driver expects them. */
static size_t shm_violations(const struct vmmio_bus_opts *o)
{
	struct vmmio_features want = { { 0 } };
	struct vmmio_shm r[4];
	struct vmmio_bus_dev bd;
	struct vmmio_dev d;
	char err[256];
	size_t n;

	CHECK_EQ(vmmio_bus_open("sim:net,shm=1:0x100000:0x1000", o, &bd, err, sizeof(err)), 0);
	CHECK_EQ(vmmio_probe(&d, &bd.win, NULL), 0);
	vmmio_feat_set(&want, VMMIO_F_VERSION_1);
	CHECK_EQ(vmmio_init(&d, &want, NULL, NULL), 0);
	CHECK_EQ(vmmio_shm_list(&d, 3, r, 4), 1);
	CHECK_EQ(r[0].base, 0x100000);
	n = devsim_violation_count(vmmio_bus_sim_model(&bd));
	vmmio_bus_close(&bd);
	return n;
}

/* The argument's options and the caller's (vmmio_bus_opts) reach the model. */
static void t_sim_options(void)
{
	const struct vmmio_bus_opts expects = { .sim = { .driver_expects_shm = true } };
	struct vmmio_bus_dev bd;
	char err[256];

	CHECK_EQ(vmmio_bus_open("sim:net,legacy", NULL, &bd, err, sizeof(err)), 0);
	CHECK_EQ(bd.win.ops->read(bd.win.ctx, VMMIO_REG_VERSION, 4), 1);
	vmmio_bus_close(&bd);
	CHECK_EQ(shm_violations(&expects), 0);
	CHECK(shm_violations(NULL) > 0);
}

static uint32_t win_rd(struct vmmio_bus_dev *bd, uint32_t off, unsigned size)
{
	return bd->win.ops->read(bd->win.ctx, off, size);
}

/* pairs=, mtu= and backend= reach the virtio-net model. */
static void t_sim_net_options(void)
{
	const struct vmmio_bus_opts sink = { .sim = { .backend = VMMIO_SIM_BACKEND_SINK } };
	struct vmmio_bus_dev bd;
	char err[256];

	CHECK_EQ(vmmio_bus_open("sim:net,pairs=3,mtu=9000", NULL, &bd, err, sizeof(err)), 0);
	bd.win.ops->write(bd.win.ctx, VMMIO_REG_QUEUE_SEL, 4, 6); /* the controlq, 2N */
	CHECK_EQ(win_rd(&bd, VMMIO_REG_QUEUE_NUM_MAX, 4), 256);
	bd.win.ops->write(bd.win.ctx, VMMIO_REG_QUEUE_SEL, 4, 7);
	CHECK_EQ(win_rd(&bd, VMMIO_REG_QUEUE_NUM_MAX, 4), 0);
	CHECK_EQ(win_rd(&bd, VMMIO_REG_CONFIG + 8, 2), 3); /* max_virtqueue_pairs */
	CHECK_EQ(win_rd(&bd, VMMIO_REG_CONFIG + 10, 2), 9000); /* mtu */
	vmmio_bus_close(&bd);

	/* the argument's backend and the program's agree, or it is refused */
	CHECK_EQ(vmmio_bus_open("sim:net,backend=sink", &sink, &bd, err, sizeof(err)), 0);
	vmmio_bus_close(&bd);
	CHECK_EQ(vmmio_bus_open("sim:net,backend=loopback", &sink, &bd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "--device \"sim:net,backend=loopback\": backend=loopback, but the "
			   "program runs the sim device with the sink backend");
	CHECK(bd.win.ops == NULL);
}

/* backend=forward is a backend of its own: it agrees with the program's
 * forward, not with its loopback; sleep= is carried in the argument for
 * whoever starts the device thread (the bus starts none). */
static void t_sim_forward_sleep(void)
{
	const struct vmmio_bus_opts fwd = { .sim = { .backend = VMMIO_SIM_BACKEND_FORWARD } };
	const struct vmmio_bus_opts loop = { .sim = { .backend = VMMIO_SIM_BACKEND_LOOPBACK } };
	struct vmmio_bus_dev bd;
	char err[256];

	CHECK_EQ(vmmio_bus_open("sim:net,backend=forward,sleep=50", NULL, &bd, err, sizeof(err)),
		 0);
	CHECK_EQ(bd.arg.sim.backend, VMMIO_DEVARG_BACKEND_FORWARD);
	CHECK(bd.arg.sim.sleep_set);
	CHECK_EQ(bd.arg.sim.sleep, 50);
	vmmio_bus_close(&bd);
	CHECK_EQ(vmmio_bus_open("sim:net,backend=forward", &fwd, &bd, err, sizeof(err)), 0);
	vmmio_bus_close(&bd);
	CHECK_EQ(vmmio_bus_open("sim:net,pairs=2", &fwd, &bd, err, sizeof(err)), 0);
	vmmio_bus_close(&bd);
	CHECK_EQ(vmmio_bus_open("sim:net,backend=forward", &loop, &bd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "--device \"sim:net,backend=forward\": backend=forward, but the "
			   "program runs the sim device with the loopback backend");
	CHECK(bd.win.ops == NULL);
	CHECK_EQ(vmmio_bus_open("sim:net,backend=loopback", &fwd, &bd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "backend=loopback, but the program runs the sim device with the "
			   "forward backend");
	CHECK_EQ(vmmio_bus_open("sim:blk,backend=forward", NULL, &bd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "backend=forward: only a net device loops packets back");
	/* sim:blk takes sleep= too: its rings have a device thread as well */
	CHECK_EQ(vmmio_bus_open("sim:blk,sleep=0", NULL, &bd, err, sizeof(err)), 0);
	CHECK(bd.arg.sim.sleep_set);
	CHECK_EQ(bd.arg.sim.sleep, 0);
	vmmio_bus_close(&bd);
}

static void t_refusals(void)
{
	struct vmmio_bus_dev bd;
	char err[256];

	CHECK_EQ(vmmio_bus_open("sim:nett", NULL, &bd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "--device \"sim:nett\": unknown device type \"nett\"");
	CHECK(bd.win.ops == NULL);
	CHECK_EQ(bd.win.irq_fd, -1);
	CHECK_EQ(vmmio_bus_open("pci:0000:00:01.0", NULL, &bd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "unknown bus \"pci\"");
	vmmio_bus_close(&bd); /* a failed open leaves nothing to close */
	/* this build's buses (the test is built with the library's defines) */
	CHECK(strncmp(vmmio_bus_names(), "sim", 3) == 0);
#if defined(VMMIO_BUS_UIO) && defined(VMMIO_BUS_MEM)
	CHECK(strcmp(vmmio_bus_names(), "sim, uio, mem, vhost") == 0);
#endif
}

int main(void)
{
	TAP_RUN(t_open_sim_net);
	TAP_RUN(t_irq_fd);
	TAP_RUN(t_sim_options);
	TAP_RUN(t_sim_net_options);
	TAP_RUN(t_sim_forward_sleep);
	TAP_RUN(t_refusals);
	return tap_end();
}
