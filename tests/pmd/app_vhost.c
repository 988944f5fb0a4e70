/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd-vhost: net_virtio_mmio on the vhost bus (dev=vhost:<socket>) against
 * DPDK's own vhost-user backend: Debian's dpdk-testpmd with a net_vhost
 * port, io forwarding (every frame it receives from us goes straight back:
 * a loopback), spawned by this program (stdin a pipe for its commands,
 * stdout and stderr to a file that failures show; --no-flush-rx, so its
 * `start` throws none of our frames away). For split and packed rings, we
 * connecting to the backend or (server) it to us:
 *
 *   traffic     frames of 60..1514 bytes with payload patterns go out and
 *               all come back byte for byte, at most XFER_WINDOW in flight
 *               (the backend drops what our Rx ring has no buffer for); the
 *               port's stats and xstats agree (RX == TX packets and bytes,
 *               no error, no broken queue, the Tx kicks accounted for), and
 *               so do the backend's (its `show port stats 0`: RX == our TX,
 *               TX == our RX; its forwarding dropped nothing)
 *   killed      the backend is SIGKILLed with frames in flight and
 *               restarted on the same socket path, KILL_ROUNDS times in a
 *               row: the PMD raises RTE_ETH_EVENT_INTR_RESET (intr=poll
 *               and intr=interrupt); the app stops, resets, configures,
 *               sets up and starts the port (the start reconnects, waiting
 *               for the new backend), and frames flow again intact; every
 *               mbuf is back at each stop; no fd, thread or memzone is left
 *               behind. Or the app just closes the port after the event.
 *   refused     probes that fail with the bus's or the parser's message:
 *               nobody listening, a stale socket file, wait= outside the
 *               brackets, nobody connecting to our server socket (which
 *               is removed); nothing left behind
 *
 * EAL runs on CPU 1 (main lcore 1, no hugepages: IOVA as VA, which the
 * vhost bus needs), the backend's lcores both on CPU 0. Skips (TAP
 * "1..0 # SKIP") when there is no /usr/bin/dpdk-testpmd (VMMIO_TESTPMD
 * names another). TAP on stdout; DPDK's log on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ethdev_driver.h> /* rte_eth_devices: is the port started? */
#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "app.h"

#define TESTPMD_DEFAULT "/usr/bin/dpdk-testpmd"
/* Generous everywhere: the machine may be loaded, and the backend polls on
 * the other CPU. */
#define BACKEND_UP_MS 30000u /* its prompt */
#define BACKEND_CMD_MS 10000u /* a command's output */
#define BACKEND_EXIT_MS 10000u /* quit to exit */
#define CONNECT_WAIT_MS 30000u /* the devargs' wait= */
#define EVENT_TIMEOUT_MS 5000u /* the kill to RTE_ETH_EVENT_INTR_RESET */
#define XFER_TIMEOUT_MS 30000u
#define TRAFFIC_FRAMES 3000u
#define POOL_MBUFS 4095u
/* Frames in flight at most: fewer than the Rx ring's APP_RING buffers. */
#define XFER_WINDOW 128u

static const char *testpmd = TESTPMD_DEFAULT;
/* The private folder of the sockets and logs; a socket's path takes at most
 * 107 bytes. */
static char dir[80];

/* --- the backend: dpdk-testpmd with a net_vhost port ----------------------------------- */

struct backend {
	pid_t pid; /* > 0 while it runs; -pid once reaped; 0: never spawned */
	int in; /* the pipe to its stdin; -1 */
	char log[128]; /* its stdout and stderr */
	char prefix[64]; /* --file-prefix */
	int status; /* waitpid()'s, once reaped */
};

/* Where EAL puts the files of --file-prefix (eal_create_runtime_dir()). */
static void runtime_dir_of(const char *prefix, char *out, size_t len)
{
	const char *base = getuid() == 0 ? "/var/run" :
			   (getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "/tmp");

	snprintf(out, len, "%s/dpdk/%s", base, prefix);
}

/* Its log, as "# " lines (the last @max bytes). */
static void backend_show(const struct backend *b, size_t max)
{
	FILE *f = fopen(b->log, "r");
	char line[512];
	long size;

	if (!f) {
		app_diag("backend log %s: %s", b->log, strerror(errno));
		return;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	app_diag("backend (pid %d) log %s, %ld bytes%s:", abs((int)b->pid), b->log, size,
		 size > (long)max ? ", the end" : "");
	fseek(f, size > (long)max ? size - (long)max : 0, SEEK_SET);
	while (fgets(line, sizeof(line), f))
		printf("#   | %s%s", line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* @client: the backend connects to our socket (net_vhost's client=1, with
 * its reconnection every second), else it listens there. */
static bool backend_spawn(struct backend *b, const char *sock, bool client)
{
	static unsigned seq;
	char vdev[192], prefix_arg[96];
	char *argv[] = {
		(char *)"stdbuf",
		(char *)"-oL",
		(char *)testpmd,
		(char *)"--lcores",
		(char *)"0@0,1@0",
		(char *)"--no-huge",
		(char *)"-m",
		(char *)"256",
		(char *)"--no-pci",
		(char *)"--no-shconf",
		(char *)"--no-telemetry",
		prefix_arg,
		(char *)"--vdev",
		vdev,
		(char *)"--",
		(char *)"-i",
		(char *)"--forward-mode=io",
		/* `start` drains the Rx queues first, which would throw away
		 * our frames that come in meanwhile. */
		(char *)"--no-flush-rx",
		(char *)"--total-num-mbufs=4096",
		NULL,
	};
	int p[2], out;

	memset(b, 0, sizeof(*b));
	b->in = -1;
	snprintf(b->prefix, sizeof(b->prefix), "vmmio-vhb-%d-%u", (int)getpid(), seq);
	snprintf(b->log, sizeof(b->log), "%s/backend%u.log", dir, seq++);
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", b->prefix);
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=1%s", sock,
		 client ? ",client=1" : "");
	/* DPDK's vhost server does not bind over a socket file left behind
	 * (by the backend killed before this one): take it away, as a
	 * supervisor restarting the backend does. A client's socket is ours. */
	if (!client)
		unlink(sock);
	out = open(b->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0 || pipe2(p, O_CLOEXEC)) {
		app_fail(__FILE__, __LINE__, "backend log or pipe: %s", strerror(errno));
		if (out >= 0)
			close(out);
		return false;
	}
	b->pid = fork();
	if (b->pid == 0) {
		/* Only async-signal-safe calls from here: the parent has threads. */
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* dies with the test */
		if (dup2(p[0], 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
			_exit(126);
		close_range(3, ~0u, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[0]);
	close(out);
	if (b->pid < 0) {
		app_fail(__FILE__, __LINE__, "fork: %s", strerror(errno));
		close(p[1]);
		b->pid = 0;
		return false;
	}
	b->in = p[1];
	return true;
}

static bool backend_send(struct backend *b, const char *cmd)
{
	size_t len = strlen(cmd);

	if (b->in < 0 || write(b->in, cmd, len) != (ssize_t)len) {
		app_diag("backend: cannot send \"%.*s\": %s", (int)strcspn(cmd, "\n"), cmd,
			 b->in < 0 ? "stdin closed" : strerror(errno));
		return false;
	}
	return true;
}

/* Its log from @from on (malloc'd), NULL when there is none. */
static char *backend_text(const struct backend *b, long from)
{
	FILE *f = fopen(b->log, "r");
	char *s;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size < from)
		from = size;
	s = malloc((size_t)(size - from) + 1);
	if (!s)
		abort();
	fseek(f, from, SEEK_SET);
	s[fread(s, 1, (size_t)(size - from), f)] = '\0';
	fclose(f);
	return s;
}

static long backend_log_size(const struct backend *b)
{
	struct stat st;

	return stat(b->log, &st) ? 0 : (long)st.st_size;
}

/* Reap it if it exited; true when it no longer runs. */
static bool backend_reaped(struct backend *b, bool block)
{
	pid_t r;

	if (b->pid <= 0)
		return true;
	do
		r = waitpid(b->pid, &b->status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == b->pid || r < 0) {
		b->pid = -b->pid; /* remembered for the diagnostics; not running */
		return true;
	}
	return false;
}

static bool backend_running(const struct backend *b)
{
	return b->pid > 0;
}

/* Wait until its log after @from holds @needle; the offset just past it, or -1. */
static long backend_wait_for(struct backend *b, long from, const char *needle, unsigned ms)
{
	uint64_t t0 = app_now_ms();

	for (;;) {
		char *s = backend_text(b, from);
		char *hit = s ? strstr(s, needle) : NULL;
		long at = hit ? from + (long)(hit - s) + (long)strlen(needle) : -1;

		free(s);
		if (at >= 0)
			return at;
		if (!backend_running(b) || backend_reaped(b, false) || app_now_ms() - t0 > ms)
			return -1;
		app_sleep_ms(5);
	}
}

/* Its forwarding runs: the prompt after the output of the `start` sent at
 * the spawn (the second prompt). */
static bool backend_forwarding(struct backend *b)
{
	long at = backend_wait_for(b, 0, "testpmd> ", BACKEND_UP_MS);

	if (at < 0 || backend_wait_for(b, at, "testpmd> ", BACKEND_CMD_MS) < 0) {
		app_fail(__FILE__, __LINE__, "the backend's forwarding did not start (%s)",
			 backend_running(b) ? "still running" : "it exited");
		backend_show(b, 4096);
		return false;
	}
	return true;
}

/* SIGKILL (if it runs) and reap; its runtime folder goes too. */
static void backend_kill(struct backend *b)
{
	char rt[PATH_MAX];

	if (backend_running(b)) {
		kill(b->pid, SIGKILL);
		backend_reaped(b, true);
	}
	if (b->in >= 0) {
		close(b->in);
		b->in = -1;
	}
	if (b->prefix[0]) {
		runtime_dir_of(b->prefix, rt, sizeof(rt));
		app_remove_dir(rt);
	}
}

/* `quit` and EOF; true when it exited 0 within BACKEND_EXIT_MS (else killed). */
static bool backend_quit(struct backend *b)
{
	uint64_t t0 = app_now_ms();
	bool ok;

	if (backend_running(b))
		backend_send(b, "quit\n");
	if (b->in >= 0) {
		close(b->in);
		b->in = -1;
	}
	while (!backend_reaped(b, false) && app_now_ms() - t0 < BACKEND_EXIT_MS)
		app_sleep_ms(5);
	ok = !backend_running(b) && WIFEXITED(b->status) && WEXITSTATUS(b->status) == 0;
	if (!ok) {
		app_fail(__FILE__, __LINE__, "the backend did not quit cleanly: %s",
			 backend_running(b) ? "still running, killed" : "exit status");
		if (!backend_running(b))
			app_diag("backend status 0x%x", b->status);
		backend_show(b, 4096);
	}
	backend_kill(b);
	return ok;
}

struct nic_stats {
	uint64_t rx, rx_bytes, rx_errors, tx, tx_bytes, tx_errors;
	uint64_t fwd_tx_dropped; /* what its forwarding could not send back */
};

static bool field(const char *s, const char *name, uint64_t *v)
{
	const char *at = s ? strstr(s, name) : NULL;

	return at && sscanf(at + strlen(name), " %" SCNu64, v) == 1;
}

/* `stop` (its forwarding statistics), then `show port stats 0`: the
 * backend's counters of its vhost port. */
static bool backend_stats(struct backend *b, struct nic_stats *st)
{
	long from = backend_log_size(b), at;
	char *s;
	bool ok;

	if (!backend_send(b, "stop\nshow port stats 0\n"))
		return false;
	at = backend_wait_for(b, from, "NIC statistics for port 0", BACKEND_CMD_MS);
	/* The block ends with the throughput. */
	if (at < 0 || backend_wait_for(b, at, "Tx-bps:", BACKEND_CMD_MS) < 0) {
		app_diag("backend: no port statistics within %u ms", BACKEND_CMD_MS);
		backend_show(b, 4096);
		return false;
	}
	s = backend_text(b, from);
	ok = s && field(strstr(s, "Forward statistics for port 0"), "TX-dropped:",
			&st->fwd_tx_dropped);
	if (ok) {
		const char *nic = strstr(s, "NIC statistics for port 0");

		ok = field(nic, "RX-packets:", &st->rx) && field(nic, "RX-bytes:", &st->rx_bytes) &&
		     field(nic, "RX-errors:", &st->rx_errors) && field(nic, "TX-packets:", &st->tx) &&
		     field(nic, "TX-bytes:", &st->tx_bytes) && field(nic, "TX-errors:", &st->tx_errors);
	}
	if (!ok) {
		app_diag("backend: cannot read its statistics:");
		backend_show(b, 4096);
	}
	free(s);
	return ok;
}

/* --- frames ----------------------------------------------------------------------------- */

/* Sizes at the edges first, then random ones; payloads of four patterns,
 * each stamped with its sequence number. */
static void make_frames(struct app_frame *f, unsigned n, uint64_t *bytes)
{
	static const uint32_t edges[] = { 60,  61,  63,  64,  65,   127,  128, 255,
					  256, 511, 512, 1023, 1024, 1513, 1514 };

	*bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = i < RTE_DIM(edges) ? edges[i] : 60 + app_rand() % (1514 - 60 + 1);

		app_frame_random(&f[i], len); /* pattern 0: random */
		for (uint32_t k = RTE_ETHER_HDR_LEN; k < len; k++)
			switch (i % 4) {
			case 1:
				f[i].data[k] = (uint8_t)(k + i); /* a ramp */
				break;
			case 2:
				f[i].data[k] = 0x00;
				break;
			case 3:
				f[i].data[k] = (k & 1) ? 0xa5 : 0x5a;
				break;
			default:
				break;
			}
		memcpy(f[i].data + RTE_ETHER_HDR_LEN, &i, sizeof(i));
		*bytes += len;
	}
}

/* The frames of one transfer: a received frame that is not the one expected
 * is looked for among the others, to tell a lost or repeated frame (the
 * stream shifted) from a corrupted one. */
struct sent {
	const struct app_frame *f;
	unsigned n;
};

static bool check_frame(const struct rte_mbuf *m, const struct app_frame *f, void *ctx, char *why,
			size_t whylen)
{
	const struct sent *s = ctx;
	const long at = f - s->f;
	char scratch[8];

	if (app_mbuf_equal(m, f->data, f->len, why, whylen))
		return true;
	for (long d = 1; d < 512; d++)
		for (int sign = -1; sign <= 1; sign += 2) {
			long k = at + sign * d;

			if (k >= 0 && k < (long)s->n &&
			    app_mbuf_equal(m, s->f[k].data, s->f[k].len, scratch, sizeof(scratch))) {
				size_t used = strlen(why);

				snprintf(why + used, whylen - used, "; it is frame %ld (%+ld)", k,
					 k - at);
				return false;
			}
		}
	return false;
}

/* app_xfer() with at most @window frames in flight: unlike devsim's
 * loopback, which waits for Rx buffers, DPDK's vhost backend drops what our
 * Rx ring has no buffer for (testpmd counts it as TX-dropped), so a
 * lossless loopback keeps fewer frames in flight than the Rx ring holds. */
static void xfer_window(struct app_port *p, const struct app_frame *f, unsigned n,
			unsigned window, struct app_xfer *r)
{
	struct sent s = { f, n };
	uint64_t deadline = app_now_ms() + XFER_TIMEOUT_MS;
	unsigned shown = 0;
	char why[200];

	memset(r, 0, sizeof(*r));
	while (r->received < n && app_now_ms() < deadline) {
		struct rte_mbuf *tx[APP_BURST], *rx[APP_BURST];
		unsigned want = RTE_MIN(n - r->sent, window - (r->sent - r->received));
		uint16_t k = 0, got, m = 0;

		want = RTE_MIN(want, APP_BURST);
		while (m < want && (tx[m] = app_mbuf(p->mp, &f[r->sent + m])) != NULL)
			m++;
		if (m) {
			k = rte_eth_tx_burst(p->id, 0, tx, m);
			if (k < m)
				rte_pktmbuf_free_bulk(tx + k, m - k);
			r->sent += k;
		}
		got = rte_eth_rx_burst(p->id, 0, rx, APP_BURST);
		for (uint16_t i = 0; i < got; i++) {
			if (r->received >= r->sent) {
				r->extra++;
				continue;
			}
			r->max_segs = RTE_MAX(r->max_segs, (uint32_t)rx[i]->nb_segs);
			r->multi_seg += rx[i]->nb_segs > 1;
			why[0] = '\0';
			if (!check_frame(rx[i], &f[r->received], &s, why, sizeof(why))) {
				r->bad++;
				if (shown++ < 5)
					app_diag("%s: frame %u of %u bytes: %s", p->name, r->received,
						 f[r->received].len, why);
			}
			r->received++;
		}
		rte_pktmbuf_free_bulk(rx, got);
		if (!k && !got)
			sched_yield();
	}
}

/* @n frames of make_frames() out and back, checked; true when all came back intact. */
static bool traffic(struct app_port *p, unsigned n, struct app_xfer *r)
{
	struct app_frame *f = calloc(n, sizeof(*f));
	uint64_t bytes;

	if (!f)
		abort();
	make_frames(f, n, &bytes);
	xfer_window(p, f, n, XFER_WINDOW, r);
	app_frames_free(f, n);
	free(f);
	if (r->sent == n && r->received == n && !r->bad && !r->extra)
		return true;
	app_diag("%s: sent %u of %u, received %u, bad %u, extra %u", p->name, r->sent, n,
		 r->received, r->bad, r->extra);
	return false;
}

/* --- cases ------------------------------------------------------------------------------ */

struct vcase {
	const struct app_ring *ring;
	bool intr; /* intr=interrupt, else intr=poll */
	bool server; /* dev=vhost:<socket>,server: we listen, the backend connects */
};

static const char *intr_name(bool intr)
{
	return intr ? "interrupt" : "poll";
}

static const char *mode_name(const struct vcase *c)
{
	return c->server ? ", server: the backend connects" : "";
}

static void sock_path(char *out, size_t len, const char *what)
{
	static unsigned seq;

	snprintf(out, len, "%s/%s%u.sock", dir, what, seq++);
}

static void devargs_of(char *out, size_t len, const char *sock, const struct vcase *c)
{
	snprintf(out, len, "dev=[vhost:%s,wait=%u%s],%s,intr=%s", sock, CONNECT_WAIT_MS,
		 c->server ? ",server" : "", c->ring->devarg, intr_name(c->intr));
}

/* 1. Traffic both ways, counted on both sides. */
static void t_traffic(const void *arg)
{
	const struct vcase *c = arg;
	struct rte_eth_conf conf = { 0 };
	struct app_frame *f = calloc(TRAFFIC_FRAMES, sizeof(*f));
	struct rte_mempool *mp = NULL;
	struct backend b;
	struct app_port p = { 0 };
	struct app_xfer r;
	struct rte_eth_stats st;
	struct nic_stats bs = { 0 };
	char sock[128], devargs[256];
	uint64_t bytes, kicks, suppressed;
	struct app_leaks l0;

	if (!f)
		abort();
	app_leaks_take(&l0);
	sock_path(sock, sizeof(sock), "traffic");
	make_frames(f, TRAFFIC_FRAMES, &bytes);
	if (!backend_spawn(&b, sock, c->server))
		goto out;
	backend_send(&b, "start\n");
	if (!backend_forwarding(&b))
		goto out;
	mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	devargs_of(devargs, sizeof(devargs), sock, c);
	if (!mp || !app_port_up(&p, devargs, &conf, 1, mp)) {
		backend_show(&b, 4096);
		goto out;
	}
	xfer_window(&p, f, TRAFFIC_FRAMES, XFER_WINDOW, &r);
	if (r.sent != TRAFFIC_FRAMES || r.received != TRAFFIC_FRAMES || r.bad || r.extra) {
		app_fail(__FILE__, __LINE__, "sent %u of %u, received %u, bad %u, extra %u",
			 r.sent, TRAFFIC_FRAMES, r.received, r.bad, r.extra);
		backend_show(&b, 4096);
	}
	CHECK_EQ(r.multi_seg, 0);
	/* Nothing more comes back. */
	app_sleep_ms(50);
	{
		struct rte_mbuf *rx[APP_BURST];
		uint16_t n = rte_eth_rx_burst(p.id, 0, rx, APP_BURST);

		CHECK_EQ(n, 0);
		rte_pktmbuf_free_bulk(rx, n);
	}
	CHECK_EQ(rte_eth_stats_get(p.id, &st), 0);
	kicks = app_xstat(p.id, "tx_q0_kicks");
	suppressed = app_xstat(p.id, "tx_q0_kicks_suppressed");
	app_diag("%s, intr=%s: %u frames (%" PRIu64 " bytes) out and back; port: ipackets %" PRIu64
		 " opackets %" PRIu64 " ibytes %" PRIu64 " obytes %" PRIu64 " ierrors %" PRIu64
		 " oerrors %" PRIu64 " imissed %" PRIu64 " rx_nombuf %" PRIu64 "; tx_q0_kicks %" PRIu64
		 ", tx_q0_kicks_suppressed %" PRIu64 ", rx_q0_interrupts %" PRIu64,
		 c->ring->name, intr_name(c->intr), r.received, bytes, st.ipackets, st.opackets,
		 st.ibytes, st.obytes, st.ierrors, st.oerrors, st.imissed, st.rx_nombuf, kicks,
		 suppressed, app_xstat(p.id, "rx_q0_interrupts"));
	CHECK_EQ(st.opackets, TRAFFIC_FRAMES);
	CHECK_EQ(st.ipackets, st.opackets);
	CHECK_EQ(st.obytes, bytes);
	CHECK_EQ(st.ibytes, st.obytes);
	CHECK_EQ(st.ierrors, 0);
	CHECK_EQ(st.oerrors, 0);
	CHECK_EQ(st.imissed, 0);
	CHECK_EQ(app_xstat(p.id, "rx_q0_packets"), st.ipackets);
	CHECK_EQ(app_xstat(p.id, "tx_q0_packets"), st.opackets);
	CHECK_EQ(app_xstat(p.id, "rx_q0_bytes"), st.ibytes);
	CHECK_EQ(app_xstat(p.id, "tx_q0_bytes"), st.obytes);
	CHECK_EQ(app_xstat(p.id, "rx_q0_errors"), 0);
	CHECK_EQ(app_xstat(p.id, "tx_q0_errors"), 0);
	CHECK_EQ(app_xstat(p.id, "rx_q0_broken"), 0);
	CHECK_EQ(app_xstat(p.id, "tx_q0_broken"), 0);
	/* Each Tx publish either kicked the backend or was suppressed by it. */
	CHECK(kicks != UINT64_MAX && suppressed != UINT64_MAX);
	CHECK(kicks + suppressed > 0);
	/* The backend's side: it received what we sent and sent it all back. */
	if (backend_stats(&b, &bs)) {
		app_diag("backend's port: RX-packets %" PRIu64 " RX-bytes %" PRIu64
			 " RX-errors %" PRIu64 " TX-packets %" PRIu64 " TX-bytes %" PRIu64
			 " TX-errors %" PRIu64 "; its forwarding's TX-dropped %" PRIu64,
			 bs.rx, bs.rx_bytes, bs.rx_errors, bs.tx, bs.tx_bytes, bs.tx_errors,
			 bs.fwd_tx_dropped);
		CHECK_EQ(bs.fwd_tx_dropped, 0);
		CHECK_EQ(bs.rx, st.opackets);
		CHECK_EQ(bs.tx, st.ipackets);
		CHECK_EQ(bs.rx_bytes, st.obytes);
		CHECK_EQ(bs.tx_bytes, st.ibytes);
		CHECK_EQ(bs.rx_errors, 0);
		CHECK_EQ(bs.tx_errors, 0);
	} else {
		CHECK(!"the backend's port statistics");
	}
	app_port_close(&p);
	backend_quit(&b);
out:
	app_port_close(&p);
	backend_kill(&b);
	app_pool_done(mp);
	app_frames_free(f, TRAFFIC_FRAMES);
	free(f);
	unlink(sock);
	app_leaks_check(&l0, "after the case");
}

/* --- 2. the backend killed mid-traffic ------------------------------------------------- */

static uint32_t resets;

static int on_reset(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	(void)port;
	(void)arg;
	(void)ret;
	if (type == RTE_ETH_EVENT_INTR_RESET)
		__atomic_add_fetch(&resets, 1, __ATOMIC_RELEASE);
	return 0;
}

static uint32_t resets_seen(void)
{
	return __atomic_load_n(&resets, __ATOMIC_ACQUIRE);
}

/* Bursts out and in until the event; the backend is killed after
 * @kill_after bursts with frames in flight. What comes back is not checked
 * (frames in flight when the backend died are lost). Returns ms from the
 * kill to the event, or -1. */
static int flood_and_kill(struct app_port *p, struct backend *b, unsigned kill_after,
			  unsigned *sent, unsigned *received, unsigned *in_flight)
{
	uint64_t killed = 0, t0 = app_now_ms();
	const uint32_t base = resets_seen(); /* the events of the rounds before */
	unsigned bursts = 0;

	*sent = *received = 0;
	for (;;) {
		struct rte_mbuf *tx[APP_BURST], *rx[APP_BURST];
		unsigned n = 0;
		uint16_t k, got;

		if (resets_seen() != base)
			return killed ? (int)(app_now_ms() - killed) : -1;
		if (killed && app_now_ms() - killed > EVENT_TIMEOUT_MS)
			return -1;
		/* Frames came back (the backend forwards) and more are on their way. */
		if (!killed && ++bursts > kill_after && *received >= 2 * APP_BURST &&
		    *sent > *received + APP_BURST) {
			*in_flight = *sent - *received;
			kill(b->pid, SIGKILL);
			killed = app_now_ms();
		}
		if (!killed && app_now_ms() - t0 > XFER_TIMEOUT_MS)
			return -1; /* never enough in flight: reported by the caller */
		while (n < APP_BURST) {
			struct app_frame f;

			app_frame_random(&f, 60 + app_rand() % 1455);
			tx[n] = app_mbuf(p->mp, &f);
			free(f.data);
			if (!tx[n])
				break;
			n++;
		}
		k = rte_eth_tx_burst(p->id, 0, tx, (uint16_t)n);
		if (k < n)
			rte_pktmbuf_free_bulk(tx + k, n - k);
		*sent += k;
		got = rte_eth_rx_burst(p->id, 0, rx, APP_BURST);
		*received += got;
		rte_pktmbuf_free_bulk(rx, got);
		if (killed && !k && !got)
			app_sleep_ms(1);
	}
}

/* The backend killed and restarted this many times in a row. */
#define KILL_ROUNDS 2u

/* The flood, the kill and the event; false (diagnosed) when no event came. */
static bool kill_mid_traffic(struct app_port *p, struct backend *b, unsigned round)
{
	unsigned sent, received, in_flight = 0;
	char *log;
	int ms;

	app_log_begin();
	ms = flood_and_kill(p, b, 50, &sent, &received, &in_flight);
	log = app_log_end();
	backend_kill(b);
	if (ms < 0) {
		app_fail(__FILE__, __LINE__,
			 "round %u: no RTE_ETH_EVENT_INTR_RESET within %u ms of the SIGKILL (%s; "
			 "%u frames sent, %u received)",
			 round, EVENT_TIMEOUT_MS,
			 in_flight ? "killed" : "never killed: traffic did not flow", sent, received);
		free(log);
		return false;
	}
	app_diag("round %u: backend SIGKILLed with %u frames in flight (%u sent, %u received in "
		 "all): RTE_ETH_EVENT_INTR_RESET %d ms after the kill",
		 round, in_flight, sent, received, ms);
	CHECK(in_flight > 0);
	CHECK_STR_HAS_ONCE(log, "the device set DEVICE_NEEDS_RESET");
	free(log);
	/* The port answers while it waits for the app. */
	{
		struct rte_mbuf *rx[APP_BURST];
		uint16_t n = rte_eth_rx_burst(p->id, 0, rx, APP_BURST);

		rte_pktmbuf_free_bulk(rx, n);
	}
	return true;
}

static void t_killed(const void *arg)
{
	const struct vcase *c = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = NULL;
	struct backend b[KILL_ROUNDS + 1];
	struct app_port p = { 0 };
	struct app_xfer r;
	char sock[128], devargs[256];
	unsigned before = 0, cur = 0;
	bool registered = false, quit = false;
	struct app_leaks l0;

	for (unsigned i = 0; i <= KILL_ROUNDS; i++)
		b[i] = (struct backend){ .in = -1 };
	app_leaks_take(&l0);
	__atomic_store_n(&resets, 0, __ATOMIC_RELEASE);
	sock_path(sock, sizeof(sock), "killed");
	if (!backend_spawn(&b[0], sock, c->server))
		goto out;
	backend_send(&b[0], "start\n");
	if (!backend_forwarding(&b[0]))
		goto out;
	mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	devargs_of(devargs, sizeof(devargs), sock, c);
	if (!mp || app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		backend_show(&b[0], 4096);
		goto out;
	}
	registered = rte_eth_dev_callback_register(p.id, RTE_ETH_EVENT_INTR_RESET, on_reset,
						   NULL) == 0;
	CHECK(registered);
	if (app_port_setup(&p, &conf, 1, mp)) {
		CHECK(!"port set up");
		goto out;
	}
	before = app_in_use(mp);
	if (rte_eth_dev_start(p.id)) {
		CHECK(!"port starts");
		backend_show(&b[0], 4096);
		goto out;
	}
	if (!traffic(&p, 300, &r)) {
		CHECK(!"traffic before the kill");
		backend_show(&b[0], 4096);
		goto out;
	}
	for (unsigned round = 1; round <= KILL_ROUNDS; round++) {
		unsigned at_stop, at_reset, after;
		uint64_t t_restart;

		if (!kill_mid_traffic(&p, &b[cur], round))
			goto out;
		CHECK_EQ(resets_seen(), round);
		/* A new backend on the same path; the app recovers at once,
		 * its start waiting (wait=) for the backend. */
		t_restart = app_now_ms();
		if (!backend_spawn(&b[++cur], sock, c->server))
			goto out;
		backend_send(&b[cur], "start\n");
		CHECK_EQ(rte_eth_dev_stop(p.id), 0);
		at_stop = app_in_use(mp);
		CHECK_EQ(rte_eth_dev_reset(p.id), 0);
		at_reset = app_in_use(mp);
		if (app_port_setup(&p, &conf, 1, mp) || rte_eth_dev_start(p.id)) {
			CHECK(!"port set up and started again after the reset");
			backend_show(&b[cur], 4096);
			goto out;
		}
		app_diag("round %u: port started again %" PRIu64 " ms after the new backend was "
			 "spawned",
			 round, app_now_ms() - t_restart);
		/* Its frames wait in the ring for the backend's forwarding,
		 * which may start later. */
		if (!backend_forwarding(&b[cur]))
			goto out;
		if (!traffic(&p, 1000, &r)) {
			struct nic_stats bs = { 0 };

			CHECK(!"traffic after the restart");
			app_diag("port: tx_q0_packets %" PRIu64 " rx_q0_packets %" PRIu64
				 " tx_q0_kicks %" PRIu64,
				 app_xstat(p.id, "tx_q0_packets"), app_xstat(p.id, "rx_q0_packets"),
				 app_xstat(p.id, "tx_q0_kicks"));
			if (backend_stats(&b[cur], &bs))
				app_diag("backend's port: RX-packets %" PRIu64 " TX-packets %" PRIu64
					 "; its forwarding's TX-dropped %" PRIu64,
					 bs.rx, bs.tx, bs.fwd_tx_dropped);
			backend_show(&b[cur], 4096);
			goto out;
		}
		CHECK_EQ(app_xstat(p.id, "rx_q0_broken"), 0);
		CHECK_EQ(app_xstat(p.id, "tx_q0_broken"), 0);
		/* Every mbuf back at each stop: the dead backend's frames too. */
		CHECK_EQ(rte_eth_dev_stop(p.id), 0);
		after = app_in_use(mp);
		app_diag("round %u: %s, intr=%s%s: mempool in use: %u before rte_eth_dev_start, %u "
			 "after rte_eth_dev_stop, %u after rte_eth_dev_reset, %u after the "
			 "restarted port's stop",
			 round, c->ring->name, intr_name(c->intr), mode_name(c), before, at_stop,
			 at_reset, after);
		CHECK_EQ(at_stop, before);
		CHECK_EQ(at_reset, before);
		CHECK_EQ(after, before);
		if (round < KILL_ROUNDS && rte_eth_dev_start(p.id)) {
			CHECK(!"port starts again for the next round");
			goto out;
		}
	}
	CHECK_EQ(resets_seen(), KILL_ROUNDS);
	quit = true;
out:
	if (registered)
		rte_eth_dev_callback_unregister(p.id, RTE_ETH_EVENT_INTR_RESET, on_reset, NULL);
	app_port_close(&p);
	/* The port closed first: a backend that quits under a running port
	 * would be one more hang-up. */
	if (quit)
		backend_quit(&b[cur]);
	for (unsigned i = 0; i <= KILL_ROUNDS; i++)
		backend_kill(&b[i]);
	app_pool_done(mp);
	unlink(sock);
	app_leaks_check(&l0, "after the case");
}

/* The backend killed, and the app closes the port instead of resetting it. */
static void t_killed_close(const void *arg)
{
	const struct vcase *c = arg;
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *mp = NULL;
	struct backend b = { .in = -1 };
	struct app_port p = { 0 };
	struct app_xfer r;
	char sock[128], devargs[256];
	bool registered = false;
	struct app_leaks l0;

	app_leaks_take(&l0);
	__atomic_store_n(&resets, 0, __ATOMIC_RELEASE);
	sock_path(sock, sizeof(sock), "closed");
	if (!backend_spawn(&b, sock, c->server))
		goto out;
	backend_send(&b, "start\n");
	if (!backend_forwarding(&b))
		goto out;
	mp = app_pool(POOL_MBUFS, APP_MBUF_ROOM);
	devargs_of(devargs, sizeof(devargs), sock, c);
	if (!mp || app_port_open(&p, devargs)) {
		CHECK(!"port opens");
		goto out;
	}
	registered = rte_eth_dev_callback_register(p.id, RTE_ETH_EVENT_INTR_RESET, on_reset,
						   NULL) == 0;
	CHECK(registered);
	if (app_port_setup(&p, &conf, 1, mp) || rte_eth_dev_start(p.id)) {
		CHECK(!"port starts");
		goto out;
	}
	CHECK(traffic(&p, 300, &r));
	CHECK(kill_mid_traffic(&p, &b, 1));
	CHECK_EQ(resets_seen(), 1);
	CHECK_EQ(rte_eth_dev_stop(p.id), 0);
	CHECK_EQ(app_in_use(mp), 0);
out:
	if (registered)
		rte_eth_dev_callback_unregister(p.id, RTE_ETH_EVENT_INTR_RESET, on_reset, NULL);
	app_port_close(&p);
	backend_kill(&b);
	app_pool_done(mp);
	unlink(sock);
	app_leaks_check(&l0, "after the case");
}

/* --- 3. refusals ----------------------------------------------------------------------- */

enum refusal { NOBODY, STALE, UNBRACKETED, NOBODY_CONNECTS };

struct refused {
	const char *what;
	enum refusal kind;
};

static const struct refused refusals[] = {
	{ "nobody listening, wait=0: probe refused with the bus's message", NOBODY },
	{ "a socket file nobody listens on, wait=0: connection refused", STALE },
	{ "wait= outside dev='s brackets: the parser says to bracket it", UNBRACKETED },
	{ "server, nobody connects within wait=0: probe refused, the socket file removed",
	  NOBODY_CONNECTS },
};

/* A socket file with nobody behind it: bound, never listened on, closed. */
static bool make_stale_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	ok = fd >= 0 && bind(fd, (const struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void t_refused(const void *arg)
{
	const struct refused *c = arg;
	static unsigned seq;
	char name[RTE_DEV_NAME_MAX_LEN], sock[128], dev[160], devargs[192], want[768];
	const char *keys = "dev, queues, queue_size, packed, in_order, event_idx, mrg_rxbuf, "
			   "hotplug_wait, intr";
	uint16_t port;
	struct app_leaks l0;
	uint64_t t0, ms;
	int r, rc;
	char *log;

	app_leaks_take(&l0);
	sock_path(sock, sizeof(sock), "refused");
	snprintf(name, sizeof(name), "net_virtio_mmio_refused%u", seq++);
	snprintf(dev, sizeof(dev), "vhost:%s,%swait=0", sock,
		 c->kind == NOBODY_CONNECTS ? "server," : "");
	snprintf(devargs, sizeof(devargs),
		 c->kind == UNBRACKETED ? "dev=%s" : "dev=[%s]", dev);
	switch (c->kind) {
	case NOBODY:
	case STALE:
		rc = c->kind == NOBODY ? -ENOENT : -ECONNREFUSED;
		snprintf(want, sizeof(want),
			 "net_virtio_mmio: %s: --device \"%s\": cannot connect to the vhost-user "
			 "backend at %s: %s (is the backend running and listening there?)\n",
			 name, dev, sock, strerror(-rc));
		if (c->kind == STALE && !make_stale_socket(sock)) {
			app_fail(__FILE__, __LINE__, "socket file %s: %s", sock, strerror(errno));
			return;
		}
		break;
	case UNBRACKETED:
		rc = -EINVAL;
		snprintf(want, sizeof(want),
			 "net_virtio_mmio: %s: unknown devarg \"wait=0\" (valid keys: %s; if it "
			 "belongs to dev=, bracket the value: dev=[%s]) (at offset %zu) (devargs: "
			 "%s)\n",
			 name, keys, dev, strlen("dev=vhost:") + strlen(sock) + 1, keys);
		break;
	default:
		rc = -ETIMEDOUT;
		snprintf(want, sizeof(want),
			 "net_virtio_mmio: %s: --device \"%s\": no vhost-user backend connected "
			 "within 0 ms\n",
			 name, dev);
		break;
	}
	t0 = app_now_ms();
	app_log_begin();
	r = rte_vdev_init(name, devargs);
	log = app_log_end();
	ms = app_now_ms() - t0;
	app_diag("rte_vdev_init(\"%s\", \"%s\") = %d (%s) after %" PRIu64 " ms", name, devargs,
		 r, r < 0 ? strerror(-r) : "success", ms);
	CHECK_EQ(r, rc);
	CHECK_STR_HAS_ONCE(log, want);
	free(log);
	if (r == 0)
		rte_vdev_uninit(name);
	CHECK(rte_eth_dev_get_port_by_name(name, &port) != 0);
	CHECK_EQ(rte_vdev_uninit(name), -ENOENT);
	/* A listening socket the bus made goes with it; a stale one is not the bus's. */
	if (c->kind == NOBODY_CONNECTS)
		CHECK(access(sock, F_OK) != 0);
	unlink(sock);
	app_leaks_check(&l0, "after the refused probe");
}

/* --- main -------------------------------------------------------------------------------- */

static struct app_leaks base;

static void t_nothing_left(const void *arg)
{
	(void)arg;
	app_leaks_check(&base, "since the start");
}

int main(void)
{
	char runtime[PATH_MAX];
	const char *tmp = getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 48 ? getenv("TMPDIR") :
									 "/tmp";
	static struct vcase cases[6];
	char name[160];
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("VMMIO_TESTPMD"))
		testpmd = getenv("VMMIO_TESTPMD");
	if (access(testpmd, X_OK)) {
		printf("1..0 # SKIP no DPDK testpmd at %s (the vhost-user backend): %s\n", testpmd,
		       strerror(errno));
		return 0;
	}
	/* A backend that dies while we write its stdin must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* mkdtemp: a folder of our own (0700), for the sockets and logs. */
	snprintf(dir, sizeof(dir), "%s/vmmio-vhost-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp(%s): %s\n", dir, strerror(errno));
		return 1;
	}
	if (app_eal_init("test_pmd_vhost", "0@1", "vmmio-vhost", runtime, sizeof(runtime))) {
		app_remove_dir(dir);
		return 1;
	}
	app_diag("backend %s; sockets and logs in %s", testpmd, dir);
	app_leaks_take(&base);

	/* Each ring with intr=poll and intr=interrupt, we connecting; then
	 * one of each ring with the backend connecting to us (server). */
	for (unsigned i = 0; i < 4; i++)
		cases[i] = (struct vcase){ &app_rings[i / 2], i % 2 == 1, false };
	cases[4] = (struct vcase){ &app_rings[0], false, true };
	cases[5] = (struct vcase){ &app_rings[1], true, true };
	for (unsigned i = 0; i < 6; i++) {
		if (i % 2 && !cases[i].server)
			continue; /* intr= changes nothing here */
		snprintf(name, sizeof(name), "vhost: traffic both ways, byte for byte, counted by "
			 "both sides (%s%s)", cases[i].ring->name, mode_name(&cases[i]));
		app_run(name, t_traffic, &cases[i]);
	}
	for (unsigned i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "vhost: backend SIGKILLed mid-traffic and restarted, "
			 "%u times: event, app reset, traffic again, no leak (%s, intr=%s%s)",
			 KILL_ROUNDS, cases[i].ring->name, intr_name(cases[i].intr),
			 mode_name(&cases[i]));
		app_run(name, t_killed, &cases[i]);
	}
	for (unsigned i = 1; i < 4; i += 2) {
		snprintf(name, sizeof(name), "vhost: backend SIGKILLed mid-traffic, the app closes "
			 "the port: nothing left behind (%s, intr=%s)",
			 cases[i].ring->name, intr_name(cases[i].intr));
		app_run(name, t_killed_close, &cases[i]);
	}
	for (size_t i = 0; i < RTE_DIM(refusals); i++) {
		snprintf(name, sizeof(name), "vhost: %s", refusals[i].what);
		app_run(name, t_refused, &refusals[i]);
	}
	app_skip("vhost: refused under IOVA as PA",
		 "needs EAL in IOVA as PA (hugepages and physical addresses); this program runs "
		 "--no-huge, which forces IOVA as VA, and EAL runs once per process");
	app_run("nothing left behind (ports, threads, fds, memzones)", t_nothing_left, NULL);

	rc = app_end();
	rte_eal_cleanup();
	app_remove_dir(runtime);
	/* The backends' logs are kept only when something failed. */
	if (!rc)
		app_remove_dir(dir);
	else
		printf("# the backends' logs are in %s\n", dir);
	return rc;
}
