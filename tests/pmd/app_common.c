/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd-app's shared pieces (app.h): TAP, ports, pools, frames, the loopback
 * transfer and the log capture.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ethdev_driver.h> /* rte_eth_devices: is the port started? */
#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_memzone.h>

#include "app.h"
#include "rte_pmd_vmmio.h"

/* --- TAP ----------------------------------------------------------------------------------- */

static unsigned tap_count, tap_failed, case_failures;

void app_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	case_failures++;
	printf("# FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void app_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void app_check_has(const char *file, int line, const char *hay, const char *needle, int times)
{
	int n = 0;

	for (const char *h = hay; h && (h = strstr(h, needle)); h += strlen(needle))
		n++;
	if (times < 0 ? n > 0 : n == times)
		return;
	app_fail(file, line, "\"%s\" found %d times (expected %s) in:", needle, n,
		 times < 0 ? "at least once" : "exactly once");
	/* The text, one "# " line per line. */
	for (const char *h = hay; h && *h;) {
		size_t len = strcspn(h, "\n");

		printf("#   | %.*s\n", (int)len, h);
		h += len + (h[len] == '\n');
	}
}

unsigned app_case_failures(void)
{
	return case_failures;
}

/* ethdev's table of ports, made at the first port and kept: not ours. */
static bool memzone_counts(const struct rte_memzone *mz)
{
	return strcmp(mz->name, "rte_eth_dev_data") != 0;
}

static void count_memzone(const struct rte_memzone *mz, void *arg)
{
	*(unsigned *)arg += memzone_counts(mz);
}

static void name_memzone(const struct rte_memzone *mz, void *arg)
{
	(void)arg;
	if (memzone_counts(mz))
		printf("#   memzone %s, %zu bytes\n", mz->name, mz->len);
}

unsigned app_memzones(bool list)
{
	unsigned n = 0;

	rte_memzone_walk(count_memzone, &n);
	if (list)
		rte_memzone_walk(name_memzone, NULL);
	return n;
}

void app_run(const char *name, void (*fn)(const void *), const void *arg)
{
	uint64_t t0 = app_now_ms();
	unsigned mz = app_memzones(false);

	case_failures = 0;
	fn(arg);
	/* Each case gives back every memzone it took (pools, rings, the
	 * PMD's DMA memory). */
	if (app_memzones(false) != mz) {
		app_fail(__FILE__, __LINE__, "memzones: %u before the case, %u after:", mz,
			 app_memzones(false));
		app_memzones(true);
	}
	tap_count++;
	if (case_failures)
		tap_failed++;
	printf("%s %u - %s (%llu ms)\n", case_failures ? "not ok" : "ok", tap_count, name,
	       (unsigned long long)(app_now_ms() - t0));
	fflush(stdout);
}

void app_skip(const char *name, const char *why)
{
	tap_count++;
	printf("ok %u - %s # SKIP %s\n", tap_count, name, why);
	fflush(stdout);
}

int app_end(void)
{
	printf("1..%u\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

/* --- time ---------------------------------------------------------------------------------- */

uint64_t app_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void app_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- ports --------------------------------------------------------------------------------- */

const struct app_ring app_rings[2] = {
	{ "split", "packed=0" },
	{ "packed", "packed=1" },
};

int app_port_open(struct app_port *p, const char *devargs)
{
	static unsigned seq;
	int r;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "net_virtio_mmio%u", seq++);
	r = rte_vdev_init(p->name, devargs);
	if (r)
		return r;
	if (rte_eth_dev_get_port_by_name(p->name, &p->id)) {
		app_diag("%s: probed but no ethdev port of that name", p->name);
		rte_vdev_uninit(p->name);
		return -ENODEV;
	}
	p->sim = rte_pmd_vmmio_sim_model(p->id);
	p->open = true;
	return 0;
}

int app_port_setup(struct app_port *p, const struct rte_eth_conf *conf, uint16_t nq,
		   struct rte_mempool *mp)
{
	int r = rte_eth_dev_configure(p->id, nq, nq, conf);

	if (r) {
		app_diag("%s: rte_eth_dev_configure: %s", p->name, rte_strerror(-r));
		return r;
	}
	p->mp = mp;
	p->nb_q = nq;
	for (uint16_t q = 0; q < nq; q++) {
		r = rte_eth_rx_queue_setup(p->id, q, APP_RING, (unsigned)rte_eth_dev_socket_id(p->id),
					   NULL, mp);
		if (r) {
			app_diag("%s: Rx queue %u setup: %s", p->name, q, rte_strerror(-r));
			return r;
		}
		r = rte_eth_tx_queue_setup(p->id, q, APP_RING, (unsigned)rte_eth_dev_socket_id(p->id),
					   NULL);
		if (r) {
			app_diag("%s: Tx queue %u setup: %s", p->name, q, rte_strerror(-r));
			return r;
		}
	}
	return 0;
}

void app_port_close(struct app_port *p)
{
	int r;

	if (!p->open)
		return;
	/* ethdev complains about stopping a stopped port: ask first. */
	r = rte_eth_devices[p->id].data->dev_started ? rte_eth_dev_stop(p->id) : 0;
	if (r)
		app_fail(__FILE__, __LINE__, "%s: rte_eth_dev_stop: %s", p->name, rte_strerror(-r));
	r = rte_eth_dev_close(p->id);
	if (r)
		app_fail(__FILE__, __LINE__, "%s: rte_eth_dev_close: %s", p->name,
			 rte_strerror(-r));
	r = rte_vdev_uninit(p->name);
	if (r)
		app_fail(__FILE__, __LINE__, "%s: rte_vdev_uninit: %s", p->name, rte_strerror(-r));
	p->open = false;
}

bool app_port_up(struct app_port *p, const char *devargs, const struct rte_eth_conf *conf,
		 uint16_t nq, struct rte_mempool *mp)
{
	int r = app_port_open(p, devargs);

	if (r) {
		app_fail(__FILE__, __LINE__, "rte_vdev_init(%s, \"%s\"): %s", p->name, devargs,
			 rte_strerror(-r));
		return false;
	}
	r = app_port_setup(p, conf, nq, mp);
	if (!r) {
		r = rte_eth_dev_start(p->id);
		if (r)
			app_diag("%s: rte_eth_dev_start: %s", p->name, rte_strerror(-r));
	}
	if (r) {
		app_fail(__FILE__, __LINE__, "%s (\"%s\") did not come up", p->name, devargs);
		app_port_close(p);
		return false;
	}
	return true;
}

struct rte_mempool *app_pool(unsigned n, uint16_t data_room)
{
	static unsigned seq;
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;

	snprintf(name, sizeof(name), "app_mp%u", seq++);
	mp = rte_pktmbuf_pool_create(name, n, 32, 0, data_room, rte_socket_id());
	if (!mp)
		app_fail(__FILE__, __LINE__, "mempool %s of %u mbufs: %s", name, n,
			 rte_strerror(rte_errno));
	return mp;
}

unsigned app_in_use(const struct rte_mempool *mp)
{
	return rte_mempool_in_use_count(mp);
}

void app_pool_done(struct rte_mempool *mp)
{
	if (!mp)
		return;
	CHECK_EQ(app_in_use(mp), 0);
	rte_mempool_free(mp);
}

int app_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

void app_remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

void app_leaks_take(struct app_leaks *l)
{
	l->threads = app_count_entries("/proc/self/task");
	l->fds = app_count_entries("/proc/self/fd");
	l->memzones = app_memzones(false);
	l->ports = rte_eth_dev_count_total();
}

void app_leaks_check(const struct app_leaks *before, const char *when)
{
	struct app_leaks now;

	app_leaks_take(&now);
	app_diag("%s: threads %d -> %d, fds %d -> %d, memzones %u -> %u, ports %u -> %u", when,
		 before->threads, now.threads, before->fds, now.fds, before->memzones,
		 now.memzones, before->ports, now.ports);
	CHECK_EQ(now.threads, before->threads);
	CHECK_EQ(now.fds, before->fds);
	CHECK_EQ(now.memzones, before->memzones);
	CHECK_EQ(now.ports, before->ports);
}

int app_eal_init(const char *prog, const char *lcores, const char *tag, char *runtime,
		 size_t len)
{
	char prefix[64];
	char *argv[] = {
		(char *)prog,
		"--lcores",
		(char *)lcores,
		"--no-huge",
		"-m",
		"256",
		"--no-pci",
		"--no-telemetry",
		prefix,
		"--log-level=pmd.net.virtio_mmio:info",
		NULL,
	};
	uint64_t seed;

	snprintf(prefix, sizeof(prefix), "--file-prefix=%s-%d", tag, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		printf("Bail out! rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	snprintf(runtime, len, "%s", rte_eal_get_runtime_dir());
	seed = getenv("PMD_APP_SEED") ? strtoull(getenv("PMD_APP_SEED"), NULL, 0) :
					 (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
	app_seed(seed);
	app_diag("random seed 0x%llx (PMD_APP_SEED=0x%llx repeats it)", (unsigned long long)seed,
		 (unsigned long long)seed);
	return 0;
}

uint64_t app_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1) {
		app_diag("port %u has no xstat %s", port, name);
		return UINT64_MAX;
	}
	return v;
}

/* --- frames -------------------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

void app_seed(uint64_t seed)
{
	rng = seed ? seed : 1;
}

uint32_t app_rand(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

void app_frame_random(struct app_frame *f, uint32_t len)
{
	static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

	memset(f, 0, sizeof(*f));
	f->data = malloc(len);
	if (!f->data)
		abort();
	f->len = len;
	memset(f->data, 0xff, 6);
	memcpy(f->data + 6, src, 6);
	f->data[12] = 0x88;
	f->data[13] = 0xb5;
	for (uint32_t i = RTE_ETHER_HDR_LEN; i < len; i++)
		f->data[i] = (uint8_t)app_rand();
}

void app_frames_free(struct app_frame *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(f[i].data);
		f[i].data = NULL;
	}
}

struct rte_mbuf *app_mbuf(struct rte_mempool *mp, const struct app_frame *f)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t room, n;

		if (!m) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		if (!head && f->no_headroom)
			m->data_off = 4;
		room = rte_pktmbuf_tailroom(m);
		if (f->seg_max && f->seg_max < room)
			room = f->seg_max;
		n = RTE_MIN(room, f->len - off);
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), f->data + off, n);
		m->data_len = (uint16_t)n;
		off += n;
		if (!head) {
			head = m;
			head->pkt_len = n;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
	} while (off < f->len);
	head->ol_flags = f->ol_flags;
	head->l2_len = f->l2_len;
	head->l3_len = f->l3_len;
	head->l4_len = f->l4_len;
	head->tso_segsz = f->tso_segsz;
	if (f->shared)
		for (struct rte_mbuf *s = head; s; s = s->next)
			rte_mbuf_refcnt_update(s, 1);
	return head;
}

bool app_mbuf_equal(const struct rte_mbuf *m, const uint8_t *data, uint32_t len, char *why,
		    size_t whylen)
{
	uint32_t off = 0, segs = 0;

	if (m->pkt_len != len) {
		snprintf(why, whylen, "pkt_len %u, sent %u", m->pkt_len, len);
		return false;
	}
	for (const struct rte_mbuf *s = m; s; s = s->next, segs++) {
		const uint8_t *p = rte_pktmbuf_mtod(s, const uint8_t *);

		if (off + s->data_len > len) {
			snprintf(why, whylen, "segments hold more than pkt_len %u", len);
			return false;
		}
		for (uint32_t i = 0; i < s->data_len; i++)
			if (p[i] != data[off + i]) {
				snprintf(why, whylen, "byte %u: 0x%02x, sent 0x%02x (segment %u)",
					 off + i, p[i], data[off + i], segs);
				return false;
			}
		off += s->data_len;
	}
	if (off != len || segs != m->nb_segs) {
		snprintf(why, whylen, "segments hold %u bytes in %u, pkt_len %u nb_segs %u", off,
			 segs, m->pkt_len, m->nb_segs);
		return false;
	}
	return true;
}

void app_xfer(struct app_port *p, uint16_t q, const struct app_frame *f, unsigned n,
	      app_check_fn *chk, void *ctx, unsigned timeout_ms, struct app_xfer *r)
{
	struct rte_mbuf *pend[APP_BURST], *rx[APP_BURST];
	bool shared[APP_BURST];
	unsigned npend = 0, next = 0, shown = 0;
	uint64_t deadline = app_now_ms() + timeout_ms;
	char why[160];

	memset(r, 0, sizeof(*r));
	while (r->received < n && app_now_ms() < deadline) {
		uint16_t k = 0, got;

		while (npend < APP_BURST && next < n) {
			struct rte_mbuf *m = app_mbuf(p->mp, &f[next]);

			if (!m)
				break;
			shared[npend] = f[next].shared;
			pend[npend++] = m;
			next++;
		}
		if (npend) {
			k = rte_eth_tx_burst(p->id, q, pend, (uint16_t)npend);
			/* The second reference of a shared mbuf is ours: the
			 * PMD saw refcnt 2 while it described the packet. */
			for (uint16_t i = 0; i < k; i++)
				if (shared[i])
					rte_pktmbuf_free(pend[i]);
			memmove(pend, pend + k, (npend - k) * sizeof(pend[0]));
			memmove(shared, shared + k, (npend - k) * sizeof(shared[0]));
			npend -= k;
			r->sent += k;
		}
		got = rte_eth_rx_burst(p->id, q, rx, p->rx_burst ? p->rx_burst : APP_BURST);
		for (uint16_t i = 0; i < got; i++) {
			struct rte_mbuf *m = rx[i];
			bool ok;

			if (r->received >= n) {
				r->extra++;
				rte_pktmbuf_free(m);
				continue;
			}
			if (m->nb_segs > 1)
				r->multi_seg++;
			r->max_segs = RTE_MAX(r->max_segs, (uint32_t)m->nb_segs);
			why[0] = '\0';
			ok = chk ? chk(m, &f[r->received], ctx, why, sizeof(why)) :
				   app_mbuf_equal(m, f[r->received].data, f[r->received].len, why,
						  sizeof(why));
			if (!ok) {
				r->bad++;
				if (shown++ < 5)
					app_diag("%s queue %u: frame %u of %u bytes: %s", p->name, q,
						 r->received, f[r->received].len, why);
			}
			r->received++;
			rte_pktmbuf_free(m);
		}
		if (!k && !got)
			sched_yield(); /* the device thread may share this CPU */
	}
	for (unsigned i = 0; i < npend; i++) {
		if (shared[i])
			rte_pktmbuf_free(pend[i]);
		rte_pktmbuf_free(pend[i]);
	}
}

bool app_traffic(struct app_port *p, uint16_t q, unsigned n, uint32_t min, uint32_t max,
		 unsigned timeout_ms)
{
	struct app_frame *f = calloc(n, sizeof(*f));
	struct app_xfer r;

	if (!f)
		abort();
	for (unsigned i = 0; i < n; i++)
		app_frame_random(&f[i], min + app_rand() % (max - min + 1));
	app_xfer(p, q, f, n, NULL, NULL, timeout_ms, &r);
	app_frames_free(f, n);
	free(f);
	if (r.sent == n && r.received == n && !r.bad && !r.extra)
		return true;
	app_diag("%s queue %u: sent %u of %u, received %u, bad %u, extra %u", p->name, q, r.sent,
		 n, r.received, r.bad, r.extra);
	return false;
}

/* --- the log ------------------------------------------------------------------------------- */

static FILE *log_mem;
static char *log_buf;
static size_t log_len;

void app_log_begin(void)
{
	log_mem = open_memstream(&log_buf, &log_len);
	if (!log_mem || rte_openlog_stream(log_mem))
		abort();
}

char *app_log_end(void)
{
	char *s;

	rte_openlog_stream(NULL); /* back to the default stream */
	fclose(log_mem);
	log_mem = NULL;
	s = log_buf;
	log_buf = NULL;
	return s;
}
