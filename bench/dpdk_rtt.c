/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk_rtt: round-trip latency of one DPDK port with one packet in flight.
 *
 *   dpdk_rtt EAL-ARGS -- [--count N] [--warmup W] [--timeout-ms T] [--json]
 *
 * Port 0 (whatever --vdev made it: net_virtio_mmio, linked in statically, or
 * net_virtio_user from Debian's plugin folder) gets one Rx and one Tx queue.
 * The app sends one 64-byte frame, busy-polls rte_eth_rx_burst() until that
 * frame comes back (a peer that reflects it: dpdk-testpmd io-forwarding on the
 * vhost-user backend), and timestamps both ends with rte_rdtsc(). Then the
 * next, W unrecorded and N recorded times; prints p50/p99/p99.9/max in ns
 * (with --json, one JSON object on stdout and nothing else there).
 *
 * One packet at a time is the point: what is measured is the driver's own
 * path per packet (add, publish, kick if asked, the backend's poll, reap) with
 * no batching to hide it. A frame that does not come back within the timeout
 * is counted as lost and the next is sent; a late reply is recognised by its
 * sequence number and ignored.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define FRAME_LEN 64       /* with the Ethernet header, without the FCS */
#define ETHERTYPE 0x88b5   /* IEEE local experimental: no stack takes it */
#define MAGIC 0x76726d6d72747431ull /* tags our frames among anything else */
#define NB_DESC 256
#define NB_MBUFS 4095      /* rings' worth and then some; 2^k - 1 per mempool advice */

struct payload {
	uint64_t magic;
	uint64_t seq;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dpdk_rtt EAL-ARGS -- [--count N] [--warmup W] [--timeout-ms T] "
		   "[--json]\n"
		   "  one 64-byte frame in flight on port 0, sent and busy-polled back;\n"
		   "  round trip percentiles in ns (defaults: --count 100000 --warmup 10000\n"
		   "  --timeout-ms 100)\n");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t pct(const uint64_t *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static bool parse_u64(const char *s, uint64_t min, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min)
		return false;
	*out = v;
	return true;
}

static struct rte_mbuf *make_frame(struct rte_mempool *mp, const struct rte_ether_addr *src,
				   uint64_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	struct payload *pl;

	if (!m)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, FRAME_LEN);
	if (!eh) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eh, 0, FRAME_LEN);
	/* A locally administered destination: the reflecting peer does not care. */
	eh->dst_addr = (struct rte_ether_addr){ { 0x02, 0, 0, 0, 0, 0x02 } };
	eh->src_addr = *src;
	eh->ether_type = rte_cpu_to_be_16(ETHERTYPE);
	pl = (struct payload *)(eh + 1);
	pl->magic = MAGIC;
	pl->seq = seq;
	return m;
}

/* Whether @m is our frame number @seq. */
static bool is_reply(struct rte_mbuf *m, uint64_t seq)
{
	const struct rte_ether_hdr *eh;
	struct payload pl;

	if (rte_pktmbuf_pkt_len(m) < sizeof(*eh) + sizeof(pl) || rte_pktmbuf_data_len(m) <
	    sizeof(*eh) + sizeof(pl))
		return false;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(ETHERTYPE))
		return false;
	memcpy(&pl, eh + 1, sizeof(pl));
	return pl.magic == MAGIC && pl.seq == seq;
}

static int port_setup(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	uint16_t nb_rxd = NB_DESC, nb_txd = NB_DESC;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, nb_rxd, rte_eth_dev_socket_id(port), NULL,
					    mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, nb_txd, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

/* Wait (at most 5 s) for the link: a vhost-user peer may still be negotiating. */
static void wait_link(uint16_t port)
{
	uint64_t end = rte_get_timer_cycles() + 5 * rte_get_timer_hz();
	struct rte_eth_link link;

	do {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return;
		rte_delay_ms(10);
	} while (rte_get_timer_cycles() < end);
	fprintf(stderr, "dpdk_rtt: port %u link still down after 5 s; trying anyway\n", port);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 100000, warmup = 10000, timeout_ms = 100, lost = 0, seq = 0;
	bool json = false;
	struct rte_mempool *mp;
	struct rte_ether_addr mac;
	uint64_t *rtt, hz, timeout;
	const uint16_t port = 0;
	int rc, opt, eal;

	eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "dpdk_rtt: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= eal;
	argv += eal;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!parse_u64(optarg, 1, &count))
				goto bad;
			break;
		case 'w':
			if (!parse_u64(optarg, 0, &warmup))
				goto bad;
			break;
		case 't':
			if (!parse_u64(optarg, 1, &timeout_ms))
				goto bad;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			rte_eal_cleanup();
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	if (rte_eth_dev_count_avail() < 1 || !rte_eth_dev_is_valid_port(port)) {
		fprintf(stderr, "dpdk_rtt: no port 0 (give EAL a --vdev)\n");
		rte_eal_cleanup();
		return 1;
	}

	mp = rte_pktmbuf_pool_create("rtt_pool", NB_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	rtt = calloc(count, sizeof(*rtt));
	if (!mp || !rtt) {
		fprintf(stderr, "dpdk_rtt: out of memory (mbuf pool or %" PRIu64 " samples)\n",
			count);
		rte_eal_cleanup();
		return 1;
	}
	rc = port_setup(port, mp);
	if (rc != 0) {
		fprintf(stderr, "dpdk_rtt: port %u setup failed: %s\n", port, rte_strerror(-rc));
		rte_eal_cleanup();
		return 1;
	}
	if (rte_eth_macaddr_get(port, &mac) != 0)
		memset(&mac, 0, sizeof(mac));
	wait_link(port);

	/* rdtsc: constant and invariant on these machines; the EAL measured its rate. */
	hz = rte_get_tsc_hz();
	timeout = timeout_ms * hz / 1000;
	for (uint64_t i = 0; i < warmup + count; i++) {
		struct rte_mbuf *m = NULL, *rx[32];
		uint64_t t0, t1 = 0, this_seq = ++seq;
		bool back = false;

		m = make_frame(mp, &mac, this_seq);
		if (!m) {
			fprintf(stderr, "dpdk_rtt: mbuf pool empty (the driver holds them)\n");
			break;
		}
		t0 = rte_rdtsc();
		while (rte_eth_tx_burst(port, 0, &m, 1) == 0) {
			/* A full Tx ring: the peer is not taking; give up at the timeout. */
			if (rte_rdtsc() - t0 > timeout) {
				rte_pktmbuf_free(m);
				break;
			}
		}
		do {
			uint16_t n = rte_eth_rx_burst(port, 0, rx, RTE_DIM(rx));

			if (n) {
				t1 = rte_rdtsc();
				for (uint16_t k = 0; k < n; k++) {
					back |= is_reply(rx[k], this_seq);
					rte_pktmbuf_free(rx[k]);
				}
			}
		} while (!back && rte_rdtsc() - t0 < timeout);
		if (!back) {
			lost++;
			/* The first ones may be lost while the backend's queue comes up:
			 * those are not measured, so do not count them against the run. */
			if (i < warmup)
				continue;
			i--; /* measure as many as asked */
			if (lost > 100 + count / 100) {
				fprintf(stderr, "dpdk_rtt: %" PRIu64 " frames lost: no reflecting "
						"peer?\n", lost);
				rte_eal_cleanup();
				return 1;
			}
			continue;
		}
		if (i >= warmup)
			rtt[i - warmup] = t1 - t0;
	}

	qsort(rtt, count, sizeof(*rtt), cmp_u64);
	{
		double ns = 1e9 / (double)hz, sum = 0;
		double p50 = (double)pct(rtt, count, 50) * ns, p99 = (double)pct(rtt, count, 99) * ns;
		double p999 = (double)pct(rtt, count, 99.9) * ns, max = (double)rtt[count - 1] * ns;
		double min = (double)rtt[0] * ns;

		for (uint64_t i = 0; i < count; i++)
			sum += (double)rtt[i];
		if (json)
			printf("{\"count\": %" PRIu64 ", \"warmup\": %" PRIu64 ", \"lost\": %" PRIu64
			       ", \"tsc_hz\": %" PRIu64 ", \"min_ns\": %.1f, \"mean_ns\": %.1f, "
			       "\"p50_ns\": %.1f, \"p99_ns\": %.1f, \"p99_9_ns\": %.1f, "
			       "\"max_ns\": %.1f}\n",
			       count, warmup, lost, hz, min, sum / (double)count * ns, p50, p99,
			       p999, max);
		else
			printf("round trip, %" PRIu64 " frames (after %" PRIu64 " warm-up, %" PRIu64
			       " lost): min %.0f ns, p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, "
			       "max %.0f ns\n",
			       count, warmup, lost, min, p50, p99, p999, max);
	}
	fflush(stdout);
	free(rtt);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_cleanup();
	return 0;

bad:
	usage(stderr);
	rte_eal_cleanup();
	return 2;
}
