/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The devargs of net_virtio_mmio (grammar in pmd_args.h). Like the
 * --device parser it hands dev= to, it works on spans of the caller's
 * string, never allocates, and never looks past the terminating NUL: the
 * string comes from the user's command line and is fuzzed as such.
 *
 * A message quotes the devarg at fault as the user wrote it and ends with
 * its offset in the string (for a duplicate, which of two; for a bad
 * number or bracket, the byte at fault), so it can be found in a long
 * --vdev; whenever a value is wrong it says what the key takes. Only "dev=
 * is required" has nothing to quote.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pmd_args.h"
#include "vmmio_devarg.h"

#define KEYS "dev, queues, queue_size, packed, in_order, event_idx, mrg_rxbuf, hotplug_wait, intr"

/* What dev= takes, for messages: the examples cover each bus, the bracket
 * form the one mistake the grammar invites (a ',' inside the value). */
#define DEV_TAKES                                                                  \
	"a --device argument such as sim:net, uio:/dev/uio0 or mem:0xfeb02e00; one " \
	"with a ',' in brackets: dev=[sim:net,legacy]"

/* A piece of the argument string: @n bytes at @p (not NUL-terminated). */
struct span {
	const char *p;
	size_t n;
};

enum key_kind { KIND_DEV, KIND_NUMBER, KIND_FLAG, KIND_INTR };

enum key {
	KEY_DEV,
	KEY_QUEUES,
	KEY_QUEUE_SIZE,
	KEY_PACKED,
	KEY_IN_ORDER,
	KEY_EVENT_IDX,
	KEY_MRG_RXBUF,
	KEY_HOTPLUG_WAIT,
	KEY_INTR,
	KEY_COUNT
};

/* In the order of KEYS, which the unknown-key message and
 * vmmio_pmd_args_keys() give. */
static const struct {
	const char *name;
	enum key_kind kind;
	uint32_t min, max; /* KIND_NUMBER */
	const char *unit; /* KIND_NUMBER: after the range in messages */
} keys[KEY_COUNT] = {
	[KEY_DEV] = { "dev", KIND_DEV, 0, 0, "" },
	[KEY_QUEUES] = { "queues", KIND_NUMBER, 1, VMMIO_PMD_MAX_PAIRS, "" },
	/* "Queue Size ... maximum 32768", as sim:'s qsize= */
	[KEY_QUEUE_SIZE] = { "queue_size", KIND_NUMBER, 1, VMMIO_DEVARG_MAX_QSIZE, "" },
	[KEY_PACKED] = { "packed", KIND_FLAG, 0, 0, "" },
	[KEY_IN_ORDER] = { "in_order", KIND_FLAG, 0, 0, "" },
	[KEY_EVENT_IDX] = { "event_idx", KIND_FLAG, 0, 0, "" },
	[KEY_MRG_RXBUF] = { "mrg_rxbuf", KIND_FLAG, 0, 0, "" },
	[KEY_HOTPLUG_WAIT] = { "hotplug_wait", KIND_NUMBER, 0, VMMIO_PMD_HOTPLUG_MAX, " seconds" },
	[KEY_INTR] = { "intr", KIND_INTR, 0, 0, "" },
};

struct parser {
	const char *s; /* the whole string, for offsets */
	char *err;
	size_t errlen;
	struct vmmio_pmd_args *out;
};

const char *vmmio_pmd_args_keys(void)
{
	return KEYS;
}

/* Zeroed, then what "not given" means for each key. */
static void set_defaults(struct vmmio_pmd_args *out)
{
	memset(out, 0, sizeof(*out));
	out->packed = VMMIO_PMD_AUTO;
	out->in_order = VMMIO_PMD_AUTO;
	out->event_idx = VMMIO_PMD_AUTO;
	out->mrg_rxbuf = VMMIO_PMD_AUTO;
	out->intr = VMMIO_PMD_INTR_POLL;
}

static bool span_is(struct span s, const char *word)
{
	return s.n == strlen(word) && memcmp(s.p, word, s.n) == 0;
}

static size_t offset_of(const struct parser *ps, const char *p)
{
	return (size_t)(p - ps->s);
}

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Refuse the string: @out back to the defaults, so nothing half-parsed is
 * used, and the message (if there is room for one). */
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	set_defaults(ps->out);
	if (ps->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int fail_pair(struct parser *ps, struct span pair, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Refuse devarg @pair (as written) for the problem @fmt, found at @at:
 *   devarg "<pair>": <problem> (at offset <at>) */
static int fail_pair(struct parser *ps, struct span pair, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	set_defaults(ps->out);
	if (ps->errlen == 0)
		return -EINVAL;
	n = snprintf(ps->err, ps->errlen, "devarg \"%.*s\": ", (int)pair.n, pair.p);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	m = vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	if (m >= 0 && (size_t)m < ps->errlen - (size_t)n)
		snprintf(ps->err + n + m, ps->errlen - (size_t)n - (size_t)m, " (at offset %zu)",
			 offset_of(ps, at));
	return -EINVAL;
}

/* What key @k takes, for messages: "1..128", "0 or 1", ... */
static const char *takes(enum key k, char *buf, size_t len)
{
	switch (keys[k].kind) {
	case KIND_DEV:
		return DEV_TAKES;
	case KIND_FLAG:
		return "0 or 1";
	case KIND_INTR:
		return "poll or interrupt";
	case KIND_NUMBER:
		break;
	}
	snprintf(buf, len, "%u..%u%s", keys[k].min, keys[k].max, keys[k].unit);
	return buf;
}

enum num_result { NUM_OK, NUM_NOT_A_NUMBER, NUM_JUNK, NUM_TOO_BIG };

/*
 * Decimal, or hexadecimal after "0x"/"0X"; no sign, no blanks. The digits
 * must start the value (else NUM_NOT_A_NUMBER); what follows them is
 * NUM_JUNK, with *@junk its index, so the message can show it. Values
 * beyond 32 bits are NUM_TOO_BIG, however many digits: every key's range
 * fits in 32 bits.
 */
static enum num_result parse_u32(struct span s, uint32_t *out, size_t *junk)
{
	unsigned base = 10;
	size_t i = 0, start;
	uint64_t v = 0;
	bool too_big = false;

	/* "0x" alone is a prefix without digits, not 0 followed by junk. */
	if (s.n >= 2 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	start = i;
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
			break;
		v = v * base + d;
		/* Stop growing once past 32 bits: v stays below 2^37, no wrap. */
		if (v > UINT32_MAX) {
			too_big = true;
			v = (uint64_t)UINT32_MAX + 1;
		}
	}
	if (i == start)
		return NUM_NOT_A_NUMBER;
	if (i < s.n) {
		*junk = i;
		return NUM_JUNK;
	}
	if (too_big)
		return NUM_TOO_BIG;
	*out = (uint32_t)v;
	return NUM_OK;
}

/* A number key: @pair is "<key>=<value>" as written, @val its value. */
static int value_number(struct parser *ps, enum key k, struct span pair, struct span val,
			uint32_t *out)
{
	size_t junk = 0;
	enum num_result r = parse_u32(val, out, &junk);
	const char *name = keys[k].name, *unit = keys[k].unit;
	uint32_t min = keys[k].min, max = keys[k].max;

	if (r == NUM_NOT_A_NUMBER)
		return fail_pair(ps, pair, pair.p,
				 "not a number (%s= takes %u..%u%s, decimal or 0x-prefixed hex)",
				 name, min, max, unit);
	if (r == NUM_JUNK)
		return fail_pair(ps, pair, val.p + junk,
				 "\"%.*s\" after the number (%s= takes %u..%u%s)",
				 (int)(val.n - junk), val.p + junk, name, min, max, unit);
	if (r == NUM_TOO_BIG || *out < min || *out > max)
		return fail_pair(ps, pair, pair.p, "out of range (%s= takes %u..%u%s)", name, min,
				 max, unit);
	return 0;
}

/* dev=: copied into @out->dev (vmmio_devarg_parse() wants a C string) and
 * checked there, so a bad device is refused at probe with the words
 * --device would get, not later at vmmio_bus_open(). */
static int value_dev(struct parser *ps, struct span pair, struct span val)
{
	struct vmmio_devarg da;
	char *msg = NULL;
	size_t msglen = 0;

	if (val.n > VMMIO_PMD_ARG_DEV_MAX - 1)
		return fail_pair(ps, pair, pair.p, "value of %zu bytes is longer than %d", val.n,
				 VMMIO_PMD_ARG_DEV_MAX - 1);
	memcpy(ps->out->dev, val.p, val.n);
	ps->out->dev[val.n] = '\0';

	/* The prefix first, then the --device parser writes its message right
	 * after it (its offsets count in the dev= value, so none of ours); with
	 * no room left, the truncated prefix is the message. */
	if (ps->errlen > 0) {
		int n = snprintf(ps->err, ps->errlen, "devarg \"%.*s\": ", (int)pair.n, pair.p);

		if (n >= 0 && (size_t)n < ps->errlen) {
			msg = ps->err + n;
			msglen = ps->errlen - (size_t)n;
		}
	}
	if (vmmio_devarg_parse(ps->out->dev, &da, msg, msglen) == 0) {
		if (ps->errlen > 0)
			ps->err[0] = '\0';
		return 0;
	}
	set_defaults(ps->out);
	return -EINVAL;
}

static int8_t tri(uint32_t flag)
{
	return flag ? VMMIO_PMD_ON : VMMIO_PMD_OFF;
}

/* The value of key @k, known not empty. */
static int value(struct parser *ps, enum key k, struct span pair, struct span val)
{
	struct vmmio_pmd_args *o = ps->out;
	uint32_t v = 0;
	int rc;

	switch (keys[k].kind) {
	case KIND_DEV:
		return value_dev(ps, pair, val);
	case KIND_INTR:
		if (span_is(val, "poll"))
			o->intr = VMMIO_PMD_INTR_POLL;
		else if (span_is(val, "interrupt"))
			o->intr = VMMIO_PMD_INTR_INTERRUPT;
		else
			return fail_pair(ps, pair, pair.p,
					 "unknown mode (intr= takes poll or interrupt)");
		return 0;
	case KIND_FLAG:
		/* Exactly 0 or 1: "yes", "2" or "00" are more likely a
		 * mistake than a meaning. */
		if (!span_is(val, "0") && !span_is(val, "1"))
			return fail_pair(ps, pair, pair.p, "not a flag (%s= takes 0 or 1)",
					 keys[k].name);
		v = val.p[0] == '1';
		break;
	case KIND_NUMBER:
		rc = value_number(ps, k, pair, val, &v);
		if (rc < 0)
			return rc;
		break;
	}

	switch (k) {
	case KEY_QUEUES:
		o->queues = (uint16_t)v;
		break;
	case KEY_QUEUE_SIZE:
		o->queue_size = (uint16_t)v;
		break;
	case KEY_PACKED:
		o->packed = tri(v);
		break;
	case KEY_IN_ORDER:
		o->in_order = tri(v);
		break;
	case KEY_EVENT_IDX:
		o->event_idx = tri(v);
		break;
	case KEY_MRG_RXBUF:
		o->mrg_rxbuf = tri(v);
		break;
	case KEY_HOTPLUG_WAIT:
		o->hotplug_wait = v;
		break;
	case KEY_DEV:
	case KEY_INTR:
	case KEY_COUNT:
		break;
	}
	return 0;
}

/* Where the next ',' at or after @from is, or the end of the string. */
static size_t next_comma(const struct parser *ps, size_t from, size_t len)
{
	const char *c = memchr(ps->s + from, ',', len - from);

	return c ? offset_of(ps, c) : len;
}

/* What the pairs before have left behind. */
struct state {
	bool seen[KEY_COUNT];
	struct span bare_dev; /* the last pair's value, if it was an unbracketed dev= */
};

/*
 * The pair that starts at *@pos of the @len bytes; *@pos is left where it
 * ends (at the ',' after it, or at @len). A pair ends at the next ',',
 * except dev=[...]: at the first ']' (no --device argument holds one),
 * which ',' or the end must follow.
 */
static int parse_pair(struct parser *ps, size_t *pos, size_t len, struct state *st)
{
	const char *s = ps->s;
	size_t tok_end = next_comma(ps, *pos, len);
	struct span tok = { s + *pos, tok_end - *pos }, name, val, pair;
	const char *eq = memchr(tok.p, '=', tok.n);
	enum key k = 0;
	bool bracketed;
	char buf[32];
	int rc;

	if (tok.n == 0)
		return fail(ps, "empty devarg (expected key=value) (at offset %zu)", *pos);
	name.p = tok.p;
	name.n = eq ? (size_t)(eq - tok.p) : tok.n;
	while (k < KEY_COUNT && !span_is(name, keys[k].name))
		k++;
	/* After "dev=sim:net", ",legacy" most likely belongs to dev=: say
	 * how to keep it there. */
	if (k == KEY_COUNT && st->bare_dev.p)
		return fail(ps,
			    "unknown devarg \"%.*s\" (valid keys: " KEYS "; if it belongs to dev=, "
			    "bracket the value: dev=[%.*s,%.*s]) (at offset %zu)",
			    (int)tok.n, tok.p, (int)st->bare_dev.n, st->bare_dev.p, (int)tok.n,
			    tok.p, *pos);
	if (k == KEY_COUNT)
		return fail(ps, "unknown devarg \"%.*s\" (valid keys: " KEYS ") (at offset %zu)",
			    (int)tok.n, tok.p, *pos);
	if (!eq)
		return fail_pair(ps, tok, tok.p, "missing '=' (%s= takes %s)", keys[k].name,
				 takes(k, buf, sizeof(buf)));

	val.p = eq + 1;
	bracketed = k == KEY_DEV && val.p < s + len && val.p[0] == '[';
	pair.p = tok.p;
	if (bracketed) {
		const char *close = memchr(val.p + 1, ']', (size_t)(s + len - val.p) - 1);
		size_t end;

		if (!close) {
			pair.n = len - *pos;
			return fail_pair(ps, pair, val.p, "'[' without a closing ']'");
		}
		end = offset_of(ps, close) + 1;
		if (end < len && s[end] != ',') {
			size_t junk_end = next_comma(ps, end, len);

			pair.n = junk_end - *pos;
			return fail_pair(ps, pair, s + end,
					 "\"%.*s\" after ']' (expected ',' or the end)",
					 (int)(junk_end - end), s + end);
		}
		val.p++;
		val.n = (size_t)(close - val.p);
		pair.n = end - *pos;
	} else {
		val.n = tok_end - offset_of(ps, val.p);
		pair.n = tok.n;
	}

	if (st->seen[k])
		return fail_pair(ps, pair, pair.p, "%s= given twice", keys[k].name);
	st->seen[k] = true;
	if (val.n == 0)
		return fail_pair(ps, pair, pair.p, "empty value (%s= takes %s)", keys[k].name,
				 takes(k, buf, sizeof(buf)));
	rc = value(ps, k, pair, val);
	if (rc < 0)
		return rc;
	st->bare_dev = k == KEY_DEV && !bracketed ? val : (struct span){ NULL, 0 };
	*pos += pair.n;
	return 0;
}

int vmmio_pmd_args_parse(const char *s, struct vmmio_pmd_args *out, char *err, size_t errlen)
{
	struct parser ps = { .s = s, .err = err, .errlen = errlen, .out = out };
	struct state st = { .seen = { false }, .bare_dev = { NULL, 0 } };
	size_t len = s ? strlen(s) : 0, pos = 0;

	set_defaults(out);
	if (errlen > 0)
		err[0] = '\0';

	/* Comma-separated pairs; an empty string has none, and a trailing ','
	 * leaves an empty one. */
	while (len > 0) {
		int rc = parse_pair(&ps, &pos, len, &st);

		if (rc < 0)
			return rc;
		if (pos == len)
			break;
		pos++;
	}
	if (!st.seen[KEY_DEV])
		return fail(&ps, "dev= is required (dev= takes " DEV_TAKES ")");
	return 0;
}
