/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-perf's output: one human block on stdout and, with --json, a JSON
 * document that scripts/bench-compare reads. Figures that do not exist in
 * a run (no throughput phase, no ping-pong, a device that cannot count its
 * interrupts) are null in JSON and "-" for humans.
 */
#include <errno.h>
#include <string.h>

#include "arp.h"
#include "perf.h"
#include "vmmio_features.h"

#ifndef VMMIO_VERSION_STRING
#define VMMIO_VERSION_STRING "unknown"
#endif

/* The figures derived from a result; a negative value means "none". */
struct figures {
	double mpps, ns_per_pkt, kicks_per_pkt, irqs_per_pkt;
};

static void derive(const struct perf_result *r, struct figures *f)
{
	const double total = (double)r->total_packets;

	*f = (struct figures){ -1, -1, -1, -1 };
	if (r->packets && r->seconds > 0) {
		f->mpps = (double)r->packets / r->seconds / 1e6;
		f->ns_per_pkt = r->seconds * 1e9 / (double)r->packets;
	}
	if (r->total_packets) {
		f->kicks_per_pkt = (double)r->kicks / total;
		if (r->irqs >= 0)
			f->irqs_per_pkt = (double)r->irqs / total;
	}
}

static const char *mode_name(enum perf_mode m)
{
	return m == PERF_MODE_RING ? "ring" : m == PERF_MODE_ECHO ? "echo" : "loopback";
}

static bool negotiated(const struct perf_ctx *c, unsigned bit)
{
	return vmmio_feat_has(&c->dev.driver_features, bit);
}

/* The notification suppression scheme in force ("Notification Suppression"). */
static const char *suppression(const struct perf_ctx *c)
{
	if (negotiated(c, VMMIO_F_RING_PACKED))
		return negotiated(c, VMMIO_F_EVENT_IDX) ? "packed event suppression, EVENT_IDX" :
							  "packed event suppression";
	return negotiated(c, VMMIO_F_EVENT_IDX) ? "EVENT_IDX" : "flags, no EVENT_IDX";
}

void perf_report_human(FILE *f, const struct perf_ctx *c, const struct perf_result *r)
{
	const struct perf_opts *o = c->o;
	char feats[1024];
	struct figures fg;

	derive(r, &fg);
	vmmio_features_format(c->dev.device_id, &c->dev.driver_features, " ", feats,
			      sizeof(feats));
	fprintf(f, "%s: %s, %s mode, %s ring, burst %u, qsize %u", PERF_PROG, o->device,
		mode_name(o->mode), o->packed ? "packed" : "split", o->burst, o->qsize);
	if (o->mode == PERF_MODE_LOOPBACK)
		fprintf(f, ", %u-byte packets (+%u header)", o->pkt_size, c->hdr_len);
	if (o->mode == PERF_MODE_ECHO)
		fprintf(f, ", ARP for %u.%u.%u.%u (+%u header); packets are answered requests",
			o->peer_ip >> 24, (o->peer_ip >> 16) & 0xff, (o->peer_ip >> 8) & 0xff,
			o->peer_ip & 0xff, c->hdr_len);
	fprintf(f, "\n  features     %s\n", feats);
	if (c->vhost)
		fprintf(f, "  cpus         driver %d (-1: not pinned), device n/a (the vhost-user "
			   "backend's own)\n",
			o->driver_cpu);
	else
		fprintf(f, "  cpus         driver %d, device %d (-1: not pinned)\n", o->driver_cpu,
			o->device_cpu);
	if (fg.mpps >= 0)
		fprintf(f, "  throughput   %.3f Mpps, %.1f ns/packet (%llu packets in %.3f s)\n",
			fg.mpps, fg.ns_per_pkt, (unsigned long long)r->packets, r->seconds);
	else
		fprintf(f, "  throughput   - (no throughput phase)\n");
	if (r->rtt.samples)
		fprintf(f,
			"  round trip   p50 %llu ns, p99 %llu ns, p99.9 %llu ns, max %llu ns (%u samples)\n",
			(unsigned long long)r->rtt.p50, (unsigned long long)r->rtt.p99,
			(unsigned long long)r->rtt.p999, (unsigned long long)r->rtt.max,
			r->rtt.samples);
	else
		fprintf(f, "  round trip   - (no samples)\n");
	fprintf(f, "  kicks        %.3g per packet (%llu in %llu packets, %s)\n",
		fg.kicks_per_pkt >= 0 ? fg.kicks_per_pkt : 0.0, (unsigned long long)r->kicks,
		(unsigned long long)r->total_packets,
		suppression(c));
	if (fg.irqs_per_pkt >= 0)
		fprintf(f, "  interrupts   %.3g per packet (%lld, interrupts disabled: poll mode)\n",
			fg.irqs_per_pkt, (long long)r->irqs);
	else if (c->vhost)
		fprintf(f, "  interrupts   n/a (the vhost-user backend does not report them)\n");
	else
		fprintf(f, "  interrupts   - (the device does not count them)\n");
	if (o->device_sleep && r->device_sleeps >= 0)
		fprintf(f, "  device       slept %lld times (after %u idle polls), woken by kicks\n",
			(long long)r->device_sleeps, o->device_sleep);
}

/* --- JSON --------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		const unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A figure, or null when it does not exist in this run. */
static void json_num(FILE *f, double v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%.9g", v);
}

/* A count, or null when the device does not keep it. */
static void json_count(FILE *f, int64_t v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)v);
}

static void json_features(FILE *f, const struct perf_ctx *c)
{
	bool first = true;

	fputc('[', f);
	for (unsigned bit = 0; bit < VMMIO_FEATURE_BITS; bit++) {
		if (!negotiated(c, bit))
			continue;
		fputs(first ? "" : ", ", f);
		json_str(f, vmmio_feature_name(c->dev.device_id, bit));
		first = false;
	}
	fputc(']', f);
}

static void json_config(FILE *f, const struct perf_ctx *c)
{
	const struct perf_opts *o = c->o;

	fputs("  \"config\": {\n    \"device\": ", f);
	json_str(f, o->device);
	fprintf(f,
		",\n    \"mode\": \"%s\",\n    \"ring\": \"%s\",\n    \"burst\": %u,\n"
		"    \"pkt_size\": %u,\n    \"hdr_len\": %u,\n    \"qsize\": %u,\n"
		"    \"event_idx\": %s,\n    \"duration\": %.9g,\n    \"rtt_samples\": %u,\n"
		"    \"device_sleep\": %u,\n    \"features\": ",
		mode_name(o->mode), o->packed ? "packed" : "split", o->burst,
		o->mode == PERF_MODE_ECHO ? APP_ARP_FRAME_LEN : o->pkt_size,
		o->mode == PERF_MODE_RING ? 0 : c->hdr_len, o->qsize,
		negotiated(c, VMMIO_F_EVENT_IDX) ? "true" : "false", o->duration, o->rtt_samples,
		o->device_sleep);
	json_features(f, c);
	/* vhost: no device thread here; -1 as for one not pinned. */
	fprintf(f, ",\n    \"cpus\": { \"driver\": %d, \"device\": %d }\n  },\n", o->driver_cpu,
		c->vhost ? -1 : o->device_cpu);
}

static void json_rtt(FILE *f, const struct perf_rtt *t)
{
	if (!t->samples) {
		fputs("  \"rtt_ns\": { \"p50\": null, \"p99\": null, \"p999\": null, \"max\": null, \"samples\": 0 },\n",
		      f);
		return;
	}
	fprintf(f,
		"  \"rtt_ns\": { \"p50\": %llu, \"p99\": %llu, \"p999\": %llu, \"max\": %llu, \"samples\": %u },\n",
		(unsigned long long)t->p50, (unsigned long long)t->p99,
		(unsigned long long)t->p999, (unsigned long long)t->max, t->samples);
}

int perf_report_json(FILE *f, const char *path, struct perf_ctx *c, const struct perf_result *r)
{
	struct figures fg;

	derive(r, &fg);
	fputs("{\n  \"tool\": \"" PERF_PROG "\",\n  \"version\": ", f);
	json_str(f, VMMIO_VERSION_STRING);
	fputs(",\n", f);
	json_config(f, c);
	fprintf(f, "  \"packets\": %llu,\n  \"seconds\": %.9g,\n  \"mpps\": ",
		(unsigned long long)r->packets, r->seconds);
	json_num(f, fg.mpps);
	fputs(",\n  \"ns_per_pkt\": ", f);
	json_num(f, fg.ns_per_pkt);
	fputs(",\n", f);
	json_rtt(f, &r->rtt);
	fputs("  \"kicks_per_pkt\": ", f);
	json_num(f, fg.kicks_per_pkt);
	fputs(",\n  \"irqs_per_pkt\": ", f);
	json_num(f, fg.irqs_per_pkt);
	fprintf(f, ",\n  \"totals\": { \"packets\": %llu, \"kicks\": %llu, \"irqs\": ",
		(unsigned long long)r->total_packets, (unsigned long long)r->kicks);
	json_count(f, r->irqs);
	fputs(", \"device_sleeps\": ", f);
	json_count(f, r->device_sleeps);
	fputs(" }\n}\n", f);
	if (ferror(f) | fclose(f))
		return perf_fail(c, "--json %s: write failed: %s", path, strerror(errno));
	return 0;
}
