/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the pieces of tests/pmd's pmd-app share: a TAP producer whose state
 * lives in one place (app_common.c; tests/harness/tap.h keeps it per file),
 * ports of net_virtio_mmio on the in-process device, mempools, frames with
 * random payloads, and a loopback transfer that checks what comes back.
 *
 *   test_pmd_app.c  EAL, the case list, the process-wide leak checks
 *   app_common.c    this header's functions
 *   app_data.c      payloads, checksum offload, jumbo frames, MTU, mbuf leaks
 *   app_events.c    link changes, Rx interrupts, DEVICE_NEEDS_RESET, a lying device
 *   app_probe.c     devargs refused at probe, with the exact log message
 *   app_tso.c       TSO (the device cuts the segments) and LRO (GSO passed through)
 *   app_ctrl.c      the control queue: Rx mode, MAC filters and address, queue pairs
 *   app_fwd.c       backend=forward: addresses swapped, the rest intact
 *   app_vhost.c     pmd-vhost, a program of its own (its main(), with this
 *                   file's helpers): the vhost bus against DPDK's vhost backend
 */
#ifndef VMMIO_TEST_PMD_APP_H
#define VMMIO_TEST_PMD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/* --- TAP ----------------------------------------------------------------------------------- */

void app_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A "# " line (printf format, no newline needed). */
void app_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond)                                                  \
	do {                                                         \
		if (!(cond))                                         \
			app_fail(__FILE__, __LINE__, "%s", #cond);   \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long app_a_ = (long long)(a), app_b_ = (long long)(b);             \
		if (app_a_ != app_b_)                                                   \
			app_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, \
				 app_a_, app_b_);                                       \
	} while (0)

/* @needle in @hay: @times times, or (@times < 0) at least once. */
void app_check_has(const char *file, int line, const char *hay, const char *needle, int times);
#define CHECK_STR_HAS(hay, needle) app_check_has(__FILE__, __LINE__, hay, needle, -1)
#define CHECK_STR_HAS_ONCE(hay, needle) app_check_has(__FILE__, __LINE__, hay, needle, 1)

/* Memzones there are now (@list: their names as "# " lines). */
unsigned app_memzones(bool list);

/* Failures of the case running now. */
unsigned app_case_failures(void);
/* Run one case (with its argument) and print its TAP line. */
void app_run(const char *name, void (*fn)(const void *), const void *arg);
/* A case that cannot run here: "ok N - name # SKIP why". */
void app_skip(const char *name, const char *why);
/* The plan; the exit status of main(). */
int app_end(void);

/* --- time ---------------------------------------------------------------------------------- */

uint64_t app_now_ms(void);
void app_sleep_ms(unsigned ms);

/* --- ports on the in-process device --------------------------------------------------------- */

#define APP_RING 256u /* descriptors per queue */
#define APP_BURST 32u
#define APP_MBUF_ROOM RTE_MBUF_DEFAULT_BUF_SIZE /* 2048 bytes of data + headroom */

struct devsim;

struct app_port {
	uint16_t id;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct devsim *sim; /* rte_pmd_vmmio_sim_model() */
	struct rte_mempool *mp;
	uint16_t nb_q;
	uint16_t rx_burst; /* app_xfer()'s Rx burst size; 0: APP_BURST */
	bool open;
};

/* The ring variants each datapath case runs on. */
struct app_ring {
	const char *name; /* "split", "packed" */
	const char *devarg; /* "packed=0" */
};
extern const struct app_ring app_rings[2];

/* rte_vdev_init("net_virtio_mmio<N>", @devargs), N fresh each time; the
 * port id and the device model. Returns rte_vdev_init()'s result. */
int app_port_open(struct app_port *p, const char *devargs);
/* rte_eth_dev_configure() with @nq queue pairs, then APP_RING-descriptor
 * queues on pool @mp. 0 or the first error (diagnosed). */
int app_port_setup(struct app_port *p, const struct rte_eth_conf *conf, uint16_t nq,
		   struct rte_mempool *mp);
/* Stop (if started), close, rte_vdev_uninit(). */
void app_port_close(struct app_port *p);
/* open + setup + start; false (diagnosed, port closed) on any error. */
bool app_port_up(struct app_port *p, const char *devargs, const struct rte_eth_conf *conf,
		 uint16_t nq, struct rte_mempool *mp);

struct rte_mempool *app_pool(unsigned n, uint16_t data_room);
unsigned app_in_use(const struct rte_mempool *mp);
/* The end of a case's pool: every mbuf came back (none leaked), then freed.
 * NULL: nothing. */
void app_pool_done(struct rte_mempool *mp);
/* Entries of a /proc/self folder (threads, file descriptors). */
int app_count_entries(const char *dir);
/* Remove folder @dir and the files in it (EAL's runtime folder outlives
 * rte_eal_cleanup(); a test's own temporary folder). */
void app_remove_dir(const char *dir);

/* What a case may leave behind: threads, fds, memzones, ports. */
struct app_leaks {
	int threads, fds;
	unsigned memzones;
	uint16_t ports;
};
void app_leaks_take(struct app_leaks *l);
/* Checks that nothing grew since @before (taken @when, for the message). */
void app_leaks_check(const struct app_leaks *before, const char *when);

/*
 * rte_eal_init() as the test programs run it: @lcores (an --lcores map),
 * --no-huge -m 256, no PCI, no telemetry, a --file-prefix of @tag and the
 * pid, the PMD's log at info. EAL's runtime folder goes into @runtime.
 * Then the random seed (PMD_APP_SEED, else from the pid), said in a
 * diagnostic. 0, or -1 after a "Bail out!" line.
 */
int app_eal_init(const char *prog, const char *lcores, const char *tag, char *runtime,
		 size_t len);
/* The xstat @name of @port, or UINT64_MAX (diagnosed) when there is none. */
uint64_t app_xstat(uint16_t port, const char *name);

/* --- frames -------------------------------------------------------------------------------- */

void app_seed(uint64_t seed);
uint32_t app_rand(void);

/* A frame to send: its bytes, and how to build its mbuf. */
struct app_frame {
	uint8_t *data; /* malloc'd */
	uint32_t len;
	uint32_t seg_max; /* bytes per segment; 0: one segment */
	bool shared; /* send with refcnt 2 (the header cannot go in its headroom) */
	bool no_headroom; /* data_off 4: no room for the header in front */
	uint64_t ol_flags; /* Tx offload flags, with l2_len, l3_len (l4_len, tso_segsz: TSO) */
	uint8_t l2_len, l3_len, l4_len;
	uint16_t tso_segsz;
};

/* Ethernet header (broadcast, locally administered source, EtherType
 * 0x88b5) and @len - 14 random bytes. */
void app_frame_random(struct app_frame *f, uint32_t len);
void app_frames_free(struct app_frame *f, unsigned n);
/* The mbuf (chain) for @f; NULL when the pool is empty. */
struct rte_mbuf *app_mbuf(struct rte_mempool *mp, const struct app_frame *f);
/* Whether @m holds exactly @len bytes @data; else why not in @why. */
bool app_mbuf_equal(const struct rte_mbuf *m, const uint8_t *data, uint32_t len, char *why,
		    size_t whylen);

/* Check a received frame against the one sent; NULL: app_mbuf_equal(). */
typedef bool app_check_fn(const struct rte_mbuf *m, const struct app_frame *f, void *ctx,
			  char *why, size_t whylen);

struct app_xfer {
	unsigned sent, received, bad, multi_seg, extra;
	uint32_t max_segs;
};

/* Send @n frames on queue @q of @p and receive them on queue @q, in
 * order, within @timeout_ms; each received frame is checked (the first
 * mismatches diagnosed) and freed. */
void app_xfer(struct app_port *p, uint16_t q, const struct app_frame *f, unsigned n,
	      app_check_fn *chk, void *ctx, unsigned timeout_ms, struct app_xfer *r);
/* app_xfer() of @n random frames of @min..@max bytes; true when all came
 * back intact (diagnosed otherwise). */
bool app_traffic(struct app_port *p, uint16_t q, unsigned n, uint32_t min, uint32_t max,
		 unsigned timeout_ms);

/* --- the log ------------------------------------------------------------------------------- */

/* Send DPDK's log to memory until app_log_end(), which returns it
 * (malloc'd, NUL-terminated) and restores the log stream. */
void app_log_begin(void);
char *app_log_end(void);

/* --- cases ------------------------------------------------------------------------------------ */

void app_data_cases(void);
void app_event_cases(void);
void app_probe_cases(void);
void app_tso_cases(void);
void app_ctrl_cases(void);
void app_fwd_cases(void);

#endif /* VMMIO_TEST_PMD_APP_H */
