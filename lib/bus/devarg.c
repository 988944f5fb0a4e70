/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --device argument parser (grammar in vmmio_devarg.h). It works on
 * spans of the caller's string, never copies or allocates, and never looks
 * past the terminating NUL: safe to fuzz and to run on untrusted input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../features/feature_table.h"
#include "vmmio_devarg.h"

/* A piece of the argument: @n bytes at @p (not NUL-terminated). */
struct span {
	const char *p;
	size_t n;
};

struct parser {
	const char *arg; /* the whole argument, for messages */
	char *err;
	size_t errlen;
	struct vmmio_devarg *out;
};

static bool span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

/* Split @s at the first @sep: @head before it, @s after it. False (and
 * @head = all of @s) when there is no @sep. */
static bool span_split(struct span *s, char sep, struct span *head)
{
	const char *at = memchr(s->p, sep, s->n);

	if (!at) {
		*head = *s;
		s->p += s->n;
		s->n = 0;
		return false;
	}
	head->p = s->p;
	head->n = (size_t)(at - s->p);
	s->n -= head->n + 1;
	s->p = at + 1;
	return true;
}

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	memset(ps->out, 0, sizeof(*ps->out));
	if (ps->errlen == 0)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "--device \"%s\": ", ps->arg);
	if (n >= 0 && (size_t)n < ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Where @s starts in the argument, for messages. */
static size_t offset_of(const struct parser *ps, struct span s)
{
	return (size_t)(s.p - ps->arg);
}

enum num_result { NUM_OK, NUM_NOT_A_NUMBER, NUM_TOO_BIG };

/* Decimal, or hexadecimal after "0x"/"0X"; no sign, no blanks. */
static enum num_result parse_u64(struct span s, uint64_t *out)
{
	unsigned base = 10;
	size_t i = 0;
	uint64_t v = 0;
	bool too_big = false;

	if (s.n > 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == s.n)
		return NUM_NOT_A_NUMBER;
	for (; i < s.n; i++) {
		char c = s.p[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return NUM_NOT_A_NUMBER;
		if (v > (UINT64_MAX - d) / base)
			too_big = true;
		else
			v = v * base + d;
	}
	if (too_big)
		return NUM_TOO_BIG;
	*out = v;
	return NUM_OK;
}

/* A number in @min..@max for option @opt (the whole "name=value" span). */
static int option_number(struct parser *ps, struct span opt, struct span val, uint64_t min,
			 uint64_t max, uint64_t *out)
{
	enum num_result r = parse_u64(val, out);

	if (r == NUM_NOT_A_NUMBER)
		return fail(ps, "%.*s: \"%.*s\" is not a number (at offset %zu)", (int)opt.n, opt.p,
			    (int)val.n, val.p, offset_of(ps, val));
	if (r == NUM_TOO_BIG || *out < min || *out > max)
		return fail(ps, "%.*s out of range %llu..%llu (at offset %zu)", (int)opt.n, opt.p,
			    (unsigned long long)min, (unsigned long long)max, offset_of(ps, opt));
	return 0;
}

/* refuse=: a spec name defined for this device type, or a bit number. */
static int option_refuse(struct parser *ps, struct span opt, struct span val)
{
	size_t n;
	const struct vmmio_feature_info *table = vmmio_feature_table(&n);
	uint64_t bit;

	if (val.n > 0 && val.p[0] >= '0' && val.p[0] <= '9') {
		int rc = option_number(ps, opt, val, 0, VMMIO_FEATURE_BITS - 1, &bit);

		if (rc < 0)
			return rc;
		vmmio_feat_set(&ps->out->sim.refuse, (unsigned)bit);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vmmio_feature_info *e = &table[i];

		if ((e->device_id == 0 || e->device_id == ps->out->sim.device_id) &&
		    strlen(e->name) == val.n && strncasecmp(e->name, val.p, val.n) == 0) {
			vmmio_feat_set(&ps->out->sim.refuse, e->bit);
			return 0;
		}
	}
	return fail(ps,
		    "%.*s: unknown feature \"%.*s\" for a %s device (give a spec name such as "
		    "VIRTIO_F_EVENT_IDX, or a bit number 0..%u) (at offset %zu)",
		    (int)opt.n, opt.p, (int)val.n, val.p,
		    ps->out->sim.device_id == VMMIO_DEVICE_ID_NET ? "net" : "blk",
		    VMMIO_FEATURE_BITS - 1, offset_of(ps, val));
}

/* shm=<id>:<base>:<len> */
static int option_shm(struct parser *ps, struct span opt, struct span val)
{
	struct vmmio_devarg_sim *o = &ps->out->sim;
	struct span rest = val, id_s, base_s, len_s;
	struct vmmio_devarg_shm r;
	uint64_t id;

	if (!span_split(&rest, ':', &id_s) || !span_split(&rest, ':', &base_s) ||
	    memchr(rest.p, ':', rest.n))
		return fail(ps, "%.*s: expected shm=<id>:<base>:<len> (at offset %zu)", (int)opt.n,
			    opt.p, offset_of(ps, opt));
	len_s = rest;
	if (o->n_shm == VMMIO_DEVARG_MAX_SHM)
		return fail(ps, "%.*s: more than %u shm regions (at offset %zu)", (int)opt.n, opt.p,
			    VMMIO_DEVARG_MAX_SHM, offset_of(ps, opt));
	/* The PCI transport carries a region's shmid in 8 bits, so device
	 * types allocate ids that fit; vmmio-probe enumerates 0..255. */
	if (parse_u64(id_s, &id) != NUM_OK || id > VMMIO_DEVARG_MAX_SHM_ID)
		return fail(ps, "%.*s: id \"%.*s\" is not a number in 0..%u (at offset %zu)",
			    (int)opt.n, opt.p, (int)id_s.n, id_s.p, VMMIO_DEVARG_MAX_SHM_ID,
			    offset_of(ps, id_s));
	r.id = (uint32_t)id;
	if (parse_u64(base_s, &r.base) != NUM_OK)
		return fail(ps, "%.*s: base \"%.*s\" is not a 64-bit number (at offset %zu)",
			    (int)opt.n, opt.p, (int)base_s.n, base_s.p, offset_of(ps, base_s));
	if (parse_u64(len_s, &r.len) != NUM_OK)
		return fail(ps, "%.*s: length \"%.*s\" is not a 64-bit number (at offset %zu)",
			    (int)opt.n, opt.p, (int)len_s.n, len_s.p, offset_of(ps, len_s));
	if (r.len == 0)
		return fail(ps, "%.*s: length 0 (a region has at least one byte) (at offset %zu)",
			    (int)opt.n, opt.p, offset_of(ps, len_s));
	/* Base and length all ones mean "no such region" ("Shared memory
	 * regions" of the MMIO layout): a region must end inside 64 bits. */
	if (r.base > UINT64_MAX - r.len)
		return fail(ps,
			    "%.*s: region 0x%llx+0x%llx runs past the end of the 64-bit address "
			    "space (at offset %zu)",
			    (int)opt.n, opt.p, (unsigned long long)r.base, (unsigned long long)r.len,
			    offset_of(ps, opt));
	for (unsigned i = 0; i < o->n_shm; i++)
		if (o->shm[i].id == r.id)
			return fail(ps, "%.*s: shm id %u given twice (at offset %zu)", (int)opt.n,
				    opt.p, r.id, offset_of(ps, opt));
	o->shm[o->n_shm++] = r;
	return 0;
}

/* backend=loopback|forward|sink; loopback and forward (the loopback with
 * the MAC addresses swapped) are virtio-net's. */
static int option_backend(struct parser *ps, struct span opt, struct span val)
{
	struct vmmio_devarg_sim *o = &ps->out->sim;
	enum vmmio_devarg_backend b;

	if (span_is(val, "sink")) {
		o->backend = VMMIO_DEVARG_BACKEND_SINK;
		return 0;
	}
	if (span_is(val, "loopback"))
		b = VMMIO_DEVARG_BACKEND_LOOPBACK;
	else if (span_is(val, "forward"))
		b = VMMIO_DEVARG_BACKEND_FORWARD;
	else
		return fail(ps,
			    "%.*s: unknown backend \"%.*s\" (expected loopback, forward or sink) "
			    "(at offset %zu)",
			    (int)opt.n, opt.p, (int)val.n, val.p, offset_of(ps, val));
	if (o->device_id != VMMIO_DEVICE_ID_NET)
		return fail(ps, "%.*s: only a net device loops packets back (at offset %zu)",
			    (int)opt.n, opt.p, offset_of(ps, opt));
	o->backend = b;
	return 0;
}

enum opt_kind {
	OPT_LEGACY,
	OPT_HOTPLUG,
	OPT_QUEUES,
	OPT_QSIZE,
	OPT_REFUSE,
	OPT_SHM,
	OPT_PAIRS,
	OPT_MTU,
	OPT_BACKEND,
	OPT_SLEEP,
	OPT_COUNT
};

static const struct {
	const char *name;
	bool takes_value;
	bool repeats;
} options[OPT_COUNT] = {
	[OPT_LEGACY] = { "legacy", false, false },
	[OPT_HOTPLUG] = { "hotplug", true, false },
	[OPT_QUEUES] = { "queues", true, false },
	[OPT_QSIZE] = { "qsize", true, false },
	[OPT_REFUSE] = { "refuse", true, true },
	[OPT_SHM] = { "shm", true, true },
	[OPT_PAIRS] = { "pairs", true, false },
	[OPT_MTU] = { "mtu", true, false },
	[OPT_BACKEND] = { "backend", true, false },
	[OPT_SLEEP] = { "sleep", true, false },
};

/* pairs= and mtu= are fields of struct virtio_net_config. */
static int net_only(struct parser *ps, struct span opt)
{
	if (ps->out->sim.device_id == VMMIO_DEVICE_ID_NET)
		return 0;
	return fail(ps, "%.*s: only a net device has it (at offset %zu)", (int)opt.n, opt.p,
		    offset_of(ps, opt));
}

static int option(struct parser *ps, struct span opt, unsigned *seen)
{
	struct vmmio_devarg_sim *o = &ps->out->sim;
	struct span val = opt, name;
	bool has_val = span_split(&val, '=', &name);
	unsigned k = 0;
	uint64_t v;
	int rc;

	while (k < OPT_COUNT && !span_is(name, options[k].name))
		k++;
	if (k == OPT_COUNT)
		return fail(ps,
			    "unknown option \"%.*s\" (expected legacy, hotplug=, queues=, qsize=, "
			    "refuse=, shm=, pairs=, mtu=, backend=, sleep=) (at offset %zu)",
			    (int)name.n, name.p, offset_of(ps, opt));
	if (!options[k].repeats && (*seen & (1u << k)))
		return fail(ps, "option %s given twice (at offset %zu)", options[k].name,
			    offset_of(ps, opt));
	*seen |= 1u << k;
	if (has_val && !options[k].takes_value)
		return fail(ps, "option %s takes no value (at offset %zu)", options[k].name,
			    offset_of(ps, opt));
	if (!has_val && options[k].takes_value)
		return fail(ps, "option %s needs a value: %s=<...> (at offset %zu)", options[k].name,
			    options[k].name, offset_of(ps, opt));

	switch ((enum opt_kind)k) {
	case OPT_LEGACY:
		o->legacy = true;
		return 0;
	case OPT_HOTPLUG:
		rc = option_number(ps, opt, val, 0, VMMIO_DEVARG_MAX_HOTPLUG_MS, &v);
		if (rc < 0)
			return rc;
		o->hotplug = true;
		o->hotplug_ms = (uint32_t)v;
		return 0;
	case OPT_QUEUES:
		rc = option_number(ps, opt, val, 1, VMMIO_DEVARG_MAX_QUEUES, &v);
		if (rc < 0)
			return rc;
		o->queues = (uint16_t)v;
		return 0;
	case OPT_QSIZE:
		rc = option_number(ps, opt, val, 1, VMMIO_DEVARG_MAX_QSIZE, &v);
		if (rc < 0)
			return rc;
		o->qsize = (uint32_t)v;
		return 0;
	case OPT_REFUSE:
		return option_refuse(ps, opt, val);
	case OPT_PAIRS:
		rc = net_only(ps, opt);
		if (!rc)
			rc = option_number(ps, opt, val, 1, VMMIO_DEVARG_MAX_PAIRS, &v);
		if (rc < 0)
			return rc;
		o->pairs = (uint16_t)v;
		return 0;
	case OPT_MTU:
		rc = net_only(ps, opt);
		if (!rc)
			rc = option_number(ps, opt, val, VMMIO_DEVARG_MIN_MTU,
					   VMMIO_DEVARG_MAX_MTU, &v);
		if (rc < 0)
			return rc;
		o->mtu = (uint16_t)v;
		return 0;
	case OPT_BACKEND:
		return option_backend(ps, opt, val);
	case OPT_SLEEP:
		/* devsim_thread_opts.sleep_after, for whoever starts the thread */
		rc = option_number(ps, opt, val, 0, VMMIO_DEVARG_MAX_SLEEP, &v);
		if (rc < 0)
			return rc;
		o->sleep_set = true;
		o->sleep = (uint32_t)v;
		return 0;
	case OPT_SHM:
	case OPT_COUNT:
		break;
	}
	return option_shm(ps, opt, val);
}

/* sim:<type>[,<option>...], @rest after "sim:". */
static int parse_sim(struct parser *ps, struct span rest)
{
	struct vmmio_devarg_sim *o = &ps->out->sim;
	struct span type, opt;
	unsigned seen = 0;
	bool more;
	int rc;

	more = span_split(&rest, ',', &type);
	if (span_is(type, "net"))
		o->device_id = VMMIO_DEVICE_ID_NET;
	else if (span_is(type, "blk"))
		o->device_id = VMMIO_DEVICE_ID_BLK;
	else if (type.n == 0)
		return fail(ps, "missing device type after \"sim:\" (expected net or blk)");
	else
		return fail(ps, "unknown device type \"%.*s\" (expected net or blk)", (int)type.n,
			    type.p);

	/* After the type: comma-separated options, none of them empty. */
	while (more) {
		more = span_split(&rest, ',', &opt);
		if (opt.n == 0)
			return fail(ps, "empty option (at offset %zu)", offset_of(ps, opt));
		rc = option(ps, opt, &seen);
		if (rc < 0)
			return rc;
	}
	if (o->legacy && o->n_shm > 0)
		return fail(ps, "shm regions need a Version 2 device (drop legacy)");
	if (o->pairs && o->queues)
		return fail(ps, "pairs= and queues= both give the number of queues (pairs=<n> "
				"makes 2n+1): give one of them");
	return 0;
}

static bool span_digits(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
	return true;
}

/* uio:/dev/uio<N>: the node the UIO core names uio%d, so decimal without
 * leading zeros. */
static int parse_uio_node(struct parser *ps, struct span rest)
{
	static const char prefix[] = "/dev/uio";
	const size_t plen = sizeof(prefix) - 1;
	struct span num = { rest.p + plen, rest.n - plen };
	uint64_t n;

	if (rest.n <= plen || memcmp(rest.p, prefix, plen) != 0 ||
	    (num.n > 1 && num.p[0] == '0') || !span_digits(num))
		return fail(ps,
			    "\"%.*s\" is not /dev/uio<N> (N decimal, no leading zeros) "
			    "(at offset %zu)",
			    (int)rest.n, rest.p, offset_of(ps, rest));
	if (parse_u64(num, &n) != NUM_OK || n > VMMIO_DEVARG_MAX_UIO)
		return fail(ps, "%.*s: N out of range 0..%u (at offset %zu)", (int)rest.n, rest.p,
			    VMMIO_DEVARG_MAX_UIO, offset_of(ps, num));
	ps->out->uio.index = (uint32_t)n;
	return 0;
}

/* A byte a platform device name may have: the kernel's names for
 * virtio-mmio transports (LNRO0005:00, feb02e00.virtio_mmio, virtio-mmio.0)
 * use these. Nothing that could walk out of the sysfs directory ('/'). */
static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '.' || c == '_' || c == '+' || c == '-';
}

/* uio:<platform device name>, resolved at open (lib/bus/uio.c). */
static int parse_uio(struct parser *ps, struct span rest)
{
	struct vmmio_devarg_uio *o = &ps->out->uio;

	if (rest.n == 0)
		return fail(ps, "missing device after \"uio:\" (expected /dev/uio<N> or a platform "
				"device name such as LNRO0005:00)");
	if (rest.p[0] == '/')
		return parse_uio_node(ps, rest);
	for (size_t i = 0; i < rest.n; i++) {
		unsigned char c = (unsigned char)rest.p[i];

		if (c == ',')
			return fail(ps, "uio takes no options (',' at offset %zu)",
				    offset_of(ps, rest) + i);
		if (name_char(rest.p[i]))
			continue;
		if (c > ' ' && c < 0x7f)
			return fail(ps,
				    "platform device name \"%.*s\": '%c' is not allowed (letters, "
				    "digits and : . _ + - only) (at offset %zu)",
				    (int)rest.n, rest.p, c, offset_of(ps, rest) + i);
		return fail(ps,
			    "platform device name: byte 0x%02x is not allowed (letters, digits "
			    "and : . _ + - only) (at offset %zu)",
			    c, offset_of(ps, rest) + i);
	}
	if (span_is(rest, ".") || span_is(rest, ".."))
		return fail(ps, "\"%.*s\" is not a platform device name", (int)rest.n, rest.p);
	if (rest.n >= VMMIO_DEVARG_NAME_MAX)
		return fail(ps,
			    "platform device name of %zu bytes is longer than %u (at offset %zu)",
			    rest.n, VMMIO_DEVARG_NAME_MAX - 1, offset_of(ps, rest));
	o->by_name = true;
	memcpy(o->name, rest.p, rest.n);
	o->name[rest.n] = '\0';
	return 0;
}

/* mem:<base>[,size=<n>] */
static int parse_mem(struct parser *ps, struct span rest)
{
	struct vmmio_devarg_mem *o = &ps->out->mem;
	struct span base_s, opt, name, val;
	bool more = span_split(&rest, ',', &base_s), seen = false, has_val;
	uint64_t v;
	int rc;

	if (base_s.n == 0)
		return fail(ps,
			    "missing physical base address after \"mem:\" (e.g. mem:0xfeb02e00)");
	if (parse_u64(base_s, &o->base) != NUM_OK)
		return fail(ps, "base \"%.*s\" is not a 64-bit number (at offset %zu)",
			    (int)base_s.n, base_s.p, offset_of(ps, base_s));
	/* The registers are 32-bit words the driver accesses aligned ("MMIO
	 * Device Register Layout"), so a window starts on a word. */
	if (o->base & 3)
		return fail(ps,
			    "base 0x%llx is not 4-byte aligned (the registers are 32-bit words) "
			    "(at offset %zu)",
			    (unsigned long long)o->base, offset_of(ps, base_s));
	o->size = VMMIO_DEVARG_MEM_SIZE;
	while (more) {
		more = span_split(&rest, ',', &opt);
		if (opt.n == 0)
			return fail(ps, "empty option (at offset %zu)", offset_of(ps, opt));
		val = opt;
		has_val = span_split(&val, '=', &name);
		if (!span_is(name, "size"))
			return fail(ps, "unknown option \"%.*s\" (expected size=) (at offset %zu)",
				    (int)name.n, name.p, offset_of(ps, opt));
		if (seen)
			return fail(ps, "option size given twice (at offset %zu)",
				    offset_of(ps, opt));
		seen = true;
		if (!has_val)
			return fail(ps, "option size needs a value: size=<...> (at offset %zu)",
				    offset_of(ps, opt));
		rc = option_number(ps, opt, val, VMMIO_DEVARG_MEM_SIZE_MIN,
				   VMMIO_DEVARG_MEM_SIZE_MAX, &v);
		if (rc < 0)
			return rc;
		if (v % 4)
			return fail(ps, "%.*s is not a multiple of 4 (at offset %zu)", (int)opt.n,
				    opt.p, offset_of(ps, opt));
		o->size = (uint32_t)v;
	}
	if (o->base > VMMIO_DEVARG_MEM_END - o->size)
		return fail(ps,
			    "window 0x%llx+0x%x runs past 2^63, the largest offset /dev/mem takes "
			    "(at offset %zu)",
			    (unsigned long long)o->base, o->size, offset_of(ps, base_s));
	return 0;
}

/* vhost:<socket>[,server][,wait=<ms>] */
static int parse_vhost(struct parser *ps, struct span rest)
{
	struct vmmio_devarg_vhost *o = &ps->out->vhost;
	struct span path, opt, name, val;
	bool more = span_split(&rest, ',', &path), has_val, seen_server = false, seen_wait = false;
	uint64_t v;
	int rc;

	if (path.n == 0)
		return fail(ps, "missing socket path after \"vhost:\" (e.g. vhost:/run/vhost0.sock)");
	if (path.n >= VMMIO_DEVARG_VHOST_PATH_MAX)
		return fail(ps,
			    "socket path of %zu bytes is longer than %u, the most a Unix socket "
			    "address holds (at offset %zu)",
			    path.n, VMMIO_DEVARG_VHOST_PATH_MAX - 1, offset_of(ps, path));
	for (size_t i = 0; i < path.n; i++) {
		if ((unsigned char)path.p[i] < 0x20 || path.p[i] == 0x7f)
			return fail(ps,
				    "socket path: control byte 0x%02x is not allowed (at offset %zu)",
				    (unsigned char)path.p[i], offset_of(ps, path) + i);
		/* Brackets delimit a value with commas in the PMD's devargs
		 * (dev=[vhost:...,server]): a path must not end one early. */
		if (path.p[i] == '[' || path.p[i] == ']')
			return fail(ps, "socket path: '%c' is not allowed (at offset %zu)",
				    path.p[i], offset_of(ps, path) + i);
	}
	memcpy(o->path, path.p, path.n);
	o->path[path.n] = '\0';
	o->wait_ms = VMMIO_DEVARG_VHOST_WAIT_MS;
	while (more) {
		more = span_split(&rest, ',', &opt);
		if (opt.n == 0)
			return fail(ps, "empty option (at offset %zu)", offset_of(ps, opt));
		val = opt;
		has_val = span_split(&val, '=', &name);
		if (span_is(name, "server")) {
			if (has_val)
				return fail(ps, "option server takes no value (at offset %zu)",
					    offset_of(ps, opt));
			if (seen_server)
				return fail(ps, "option server given twice (at offset %zu)",
					    offset_of(ps, opt));
			seen_server = o->server = true;
			continue;
		}
		if (!span_is(name, "wait"))
			return fail(ps,
				    "unknown option \"%.*s\" (expected server or wait=) (at offset "
				    "%zu)",
				    (int)name.n, name.p, offset_of(ps, opt));
		if (seen_wait)
			return fail(ps, "option wait given twice (at offset %zu)", offset_of(ps, opt));
		seen_wait = true;
		if (!has_val)
			return fail(ps, "option wait needs a value: wait=<ms> (at offset %zu)",
				    offset_of(ps, opt));
		rc = option_number(ps, opt, val, 0, VMMIO_DEVARG_MAX_WAIT_MS, &v);
		if (rc < 0)
			return rc;
		o->wait_ms = (uint32_t)v;
	}
	return 0;
}

/* The buses and the grammar of what follows "<bus>:". */
static const struct {
	const char *name;
	enum vmmio_devarg_bus bus;
	int (*parse)(struct parser *ps, struct span rest);
} buses[] = {
	{ "sim", VMMIO_DEVARG_BUS_SIM, parse_sim },
	{ "uio", VMMIO_DEVARG_BUS_UIO, parse_uio },
	{ "mem", VMMIO_DEVARG_BUS_MEM, parse_mem },
	{ "vhost", VMMIO_DEVARG_BUS_VHOST, parse_vhost },
};

int vmmio_devarg_parse(const char *s, struct vmmio_devarg *out, char *err, size_t errlen)
{
	struct parser ps = { .arg = s, .err = err, .errlen = errlen, .out = out };
	struct span rest = { s, strlen(s) }, bus;

	memset(out, 0, sizeof(*out));
	if (errlen > 0)
		err[0] = '\0';

	if (!span_split(&rest, ':', &bus))
		return fail(&ps, "expected <bus>:<device>, e.g. sim:net");
	for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		if (span_is(bus, buses[i].name)) {
			out->bus = buses[i].bus;
			return buses[i].parse(&ps, rest);
		}
	}
	return fail(&ps, "unknown bus \"%.*s\" (supported: sim, uio, mem, vhost)", (int)bus.n, bus.p);
}
