/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_mmio's devargs (pmd/pmd_args.c), without DPDK: every key and
 * form that parses, with every field checked, and every error with its
 * exact message. Each string is parsed from an exact-size heap copy, so a
 * read past its NUL is an ASan report in sanitized builds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmd_args.h"
#include "tap.h"

/* The words every message that lists them uses, spelled out here rather
 * than taken from the parser, so a change to them shows up as a failure. */
#define KEYS "dev, queues, queue_size, packed, in_order, event_idx, mrg_rxbuf, hotplug_wait, intr"
#define DEV_TAKES                                                                  \
	"a --device argument such as sim:net, uio:/dev/uio0 or mem:0xfeb02e00; one " \
	"with a ',' in brackets: dev=[sim:net,legacy]"
#define DEV_REQUIRED "dev= is required (dev= takes " DEV_TAKES ")"
#define NAN_TAIL ", decimal or 0x-prefixed hex)"

static char err[1024];

/* Parse @s (NULL allowed) from an exact-size copy. */
static int parse_n(const char *s, struct vmmio_pmd_args *a, char *buf, size_t len)
{
	char *copy = s ? strdup(s) : NULL;
	int rc;

	if (s && !copy)
		abort();
	rc = vmmio_pmd_args_parse(copy, a, buf, len);
	free(copy);
	return rc;
}

static int parse(const char *s, struct vmmio_pmd_args *a)
{
	memset(err, 'x', sizeof(err));
	return parse_n(s, a, err, sizeof(err));
}

/* What the parser must leave when nothing was given, built field by field
 * here, not by the parser: zeroed, flags AUTO, intr poll. */
static void defaults(struct vmmio_pmd_args *a)
{
	memset(a, 0, sizeof(*a));
	a->packed = VMMIO_PMD_AUTO;
	a->in_order = VMMIO_PMD_AUTO;
	a->event_idx = VMMIO_PMD_AUTO;
	a->mrg_rxbuf = VMMIO_PMD_AUTO;
	a->intr = VMMIO_PMD_INTR_POLL;
}

struct good {
	const char *arg;
	const char *dev;
	uint16_t queues, queue_size;
	/* packed, in_order, event_idx, mrg_rxbuf: 'a' (AUTO), '0' or '1'; NULL: "aaaa" */
	const char *flags;
	uint32_t hotplug_wait;
	enum vmmio_pmd_intr intr;
};

static const struct good good_cases[] = {
	/* dev=, bare and bracketed, first, last, for each bus */
	{ "dev=sim:net", "sim:net", 0, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=[sim:net]", "sim:net", 0, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=[sim:net,legacy,queues=4,qsize=256]", "sim:net,legacy,queues=4,qsize=256", 0, 0,
	  NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=[sim:net,legacy],queues=2", "sim:net,legacy", 2, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "queues=2,dev=[sim:net,legacy]", "sim:net,legacy", 2, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "intr=interrupt,dev=sim:net", "sim:net", 0, 0, NULL, 0, VMMIO_PMD_INTR_INTERRUPT },
	{ "dev=[sim:net,hotplug=0],hotplug_wait=5", "sim:net,hotplug=0", 0, 0, NULL, 5,
	  VMMIO_PMD_INTR_POLL },
	{ "dev=[sim:net,refuse=VIRTIO_F_RING_PACKED],packed=1",
	  "sim:net,refuse=VIRTIO_F_RING_PACKED", 0, 0, "1aaa", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=uio:/dev/uio0", "uio:/dev/uio0", 0, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	/* A platform device name has its own ':' */
	{ "dev=uio:LNRO0005:00,intr=interrupt", "uio:LNRO0005:00", 0, 0, NULL, 0,
	  VMMIO_PMD_INTR_INTERRUPT },
	{ "dev=[uio:feb02e00.virtio_mmio]", "uio:feb02e00.virtio_mmio", 0, 0, NULL, 0,
	  VMMIO_PMD_INTR_POLL },
	{ "dev=mem:0xfeb02e00", "mem:0xfeb02e00", 0, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=[mem:0xfeb02e00,size=0x1000],hotplug_wait=0", "mem:0xfeb02e00,size=0x1000", 0, 0,
	  NULL, 0, VMMIO_PMD_INTR_POLL },
	/* queues= */
	{ "dev=sim:net,queues=1", "sim:net", 1, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queues=128", "sim:net", 128, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queues=0x80", "sim:net", 128, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queues=0X1f", "sim:net", 31, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queues=007", "sim:net", 7, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	/* queue_size= */
	{ "dev=sim:net,queue_size=1", "sim:net", 0, 1, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queue_size=256", "sim:net", 0, 256, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queue_size=32768", "sim:net", 0, 32768, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queue_size=0x8000", "sim:net", 0, 32768, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,queue_size=0X100", "sim:net", 0, 256, NULL, 0, VMMIO_PMD_INTR_POLL },
	/* Not a power of 2: packed rings take any size, the device decides. */
	{ "dev=sim:net,queue_size=1000", "sim:net", 0, 1000, NULL, 0, VMMIO_PMD_INTR_POLL },
	/* The flags, each alone, both ways */
	{ "dev=sim:net,packed=0", "sim:net", 0, 0, "0aaa", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,packed=1", "sim:net", 0, 0, "1aaa", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,in_order=0", "sim:net", 0, 0, "a0aa", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,in_order=1", "sim:net", 0, 0, "a1aa", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,event_idx=0", "sim:net", 0, 0, "aa0a", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,event_idx=1", "sim:net", 0, 0, "aa1a", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,mrg_rxbuf=0", "sim:net", 0, 0, "aaa0", 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,mrg_rxbuf=1", "sim:net", 0, 0, "aaa1", 0, VMMIO_PMD_INTR_POLL },
	/* Split IN_ORDER is a ring of its own: no conflict. */
	{ "dev=sim:net,packed=0,in_order=1", "sim:net", 0, 0, "01aa", 0, VMMIO_PMD_INTR_POLL },
	/* hotplug_wait= */
	{ "dev=sim:net,hotplug_wait=0", "sim:net", 0, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,hotplug_wait=30", "sim:net", 0, 0, NULL, 30, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,hotplug_wait=3600", "sim:net", 0, 0, NULL, 3600, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,hotplug_wait=0xe10", "sim:net", 0, 0, NULL, 3600, VMMIO_PMD_INTR_POLL },
	/* intr= */
	{ "dev=sim:net,intr=poll", "sim:net", 0, 0, NULL, 0, VMMIO_PMD_INTR_POLL },
	{ "dev=sim:net,intr=interrupt", "sim:net", 0, 0, NULL, 0, VMMIO_PMD_INTR_INTERRUPT },
	/* Everything, dev= in the middle */
	{ "queues=4,queue_size=512,packed=1,in_order=0,dev=[sim:net,queues=9,qsize=1024],"
	  "event_idx=1,mrg_rxbuf=0,hotplug_wait=60,intr=interrupt",
	  "sim:net,queues=9,qsize=1024", 4, 512, "1010", 60, VMMIO_PMD_INTR_INTERRUPT },
	{ "dev=sim:net,mrg_rxbuf=1,event_idx=0,in_order=1,packed=0,intr=poll,hotplug_wait=3600,"
	  "queue_size=32768,queues=128",
	  "sim:net", 128, 32768, "0101", 3600, VMMIO_PMD_INTR_POLL },
};

static int8_t tri(char c)
{
	return c == '1' ? VMMIO_PMD_ON : c == '0' ? VMMIO_PMD_OFF : VMMIO_PMD_AUTO;
}

static void t_good(const void *arg)
{
	const struct good *g = arg;
	const char *flags = g->flags ? g->flags : "aaaa";
	struct vmmio_pmd_args a, want;

	defaults(&want);
	strcpy(want.dev, g->dev);
	want.queues = g->queues;
	want.queue_size = g->queue_size;
	want.packed = tri(flags[0]);
	want.in_order = tri(flags[1]);
	want.event_idx = tri(flags[2]);
	want.mrg_rxbuf = tri(flags[3]);
	want.hotplug_wait = g->hotplug_wait;
	want.intr = g->intr;

	/* Stale bytes everywhere: all of them must be written over. */
	memset(&a, 0x5a, sizeof(a));
	CHECK_EQ(parse(g->arg, &a), 0);
	CHECK_EQ(err[0], '\0');
	if (strcmp(a.dev, want.dev) != 0) {
		printf("# dev \"%.300s\", expected \"%s\"\n", a.dev, want.dev);
		CHECK(strcmp(a.dev, want.dev) == 0);
	}
	CHECK_EQ(a.queues, want.queues);
	CHECK_EQ(a.queue_size, want.queue_size);
	CHECK_EQ(a.packed, want.packed);
	CHECK_EQ(a.in_order, want.in_order);
	CHECK_EQ(a.event_idx, want.event_idx);
	CHECK_EQ(a.mrg_rxbuf, want.mrg_rxbuf);
	CHECK_EQ(a.hotplug_wait, want.hotplug_wait);
	CHECK_EQ(a.intr, want.intr);
	/* And the rest of dev[] zeroed, no padding left stale. */
	CHECK(memcmp(&a, &want, sizeof(a)) == 0);
}

struct bad {
	const char *arg;
	const char *msg; /* the whole message */
};

static const struct bad bad_cases[] = {
	/* dev= is required */
	{ NULL, DEV_REQUIRED },
	{ "", DEV_REQUIRED },
	{ "queues=2", DEV_REQUIRED },
	{ "queues=2,packed=1,intr=poll", DEV_REQUIRED },
	/* empty devarg */
	{ ",", "empty devarg (expected key=value) (at offset 0)" },
	{ ",dev=sim:net", "empty devarg (expected key=value) (at offset 0)" },
	{ "dev=sim:net,", "empty devarg (expected key=value) (at offset 12)" },
	{ "dev=sim:net,,queues=2", "empty devarg (expected key=value) (at offset 12)" },
	{ "dev=[sim:net,legacy],", "empty devarg (expected key=value) (at offset 21)" },
	/* unknown key */
	{ "queue=2,dev=sim:net",
	  "unknown devarg \"queue=2\" (valid keys: " KEYS ") (at offset 0)" },
	{ "dev=[sim:net],Queues=2",
	  "unknown devarg \"Queues=2\" (valid keys: " KEYS ") (at offset 14)" },
	{ "dev=[sim:net],legacy",
	  "unknown devarg \"legacy\" (valid keys: " KEYS ") (at offset 14)" },
	{ "=1,dev=sim:net", "unknown devarg \"=1\" (valid keys: " KEYS ") (at offset 0)" },
	{ " queues=2", "unknown devarg \" queues=2\" (valid keys: " KEYS ") (at offset 0)" },
	{ "dev=sim:net,queues=2,legacy",
	  "unknown devarg \"legacy\" (valid keys: " KEYS ") (at offset 21)" },
	{ "Dev=[sim:net,legacy]",
	  "unknown devarg \"Dev=[sim:net\" (valid keys: " KEYS ") (at offset 0)" },
	/* unknown key right after an unbracketed dev=: the bracket hint */
	{ "dev=sim:net,legacy",
	  "unknown devarg \"legacy\" (valid keys: " KEYS "; if it belongs to dev=, bracket the "
	  "value: dev=[sim:net,legacy]) (at offset 12)" },
	{ "dev=mem:0xfeb02e00,size=0x1000",
	  "unknown devarg \"size=0x1000\" (valid keys: " KEYS "; if it belongs to dev=, bracket "
	  "the value: dev=[mem:0xfeb02e00,size=0x1000]) (at offset 19)" },
	/* missing '=' */
	{ "dev", "devarg \"dev\": missing '=' (dev= takes " DEV_TAKES ") (at offset 0)" },
	{ "dev,queues=2", "devarg \"dev\": missing '=' (dev= takes " DEV_TAKES ") (at offset 0)" },
	{ "dev=sim:net,queues",
	  "devarg \"queues\": missing '=' (queues= takes 1..128) (at offset 12)" },
	{ "dev=sim:net,queue_size,queues=1",
	  "devarg \"queue_size\": missing '=' (queue_size= takes 1..32768) (at offset 12)" },
	{ "dev=sim:net,packed",
	  "devarg \"packed\": missing '=' (packed= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,hotplug_wait",
	  "devarg \"hotplug_wait\": missing '=' (hotplug_wait= takes 0..3600 seconds) (at "
	  "offset 12)" },
	{ "dev=sim:net,intr",
	  "devarg \"intr\": missing '=' (intr= takes poll or interrupt) (at offset 12)" },
	/* empty value */
	{ "dev=", "devarg \"dev=\": empty value (dev= takes " DEV_TAKES ") (at offset 0)" },
	{ "dev=,queues=2",
	  "devarg \"dev=\": empty value (dev= takes " DEV_TAKES ") (at offset 0)" },
	{ "queues=2,dev=[]",
	  "devarg \"dev=[]\": empty value (dev= takes " DEV_TAKES ") (at offset 9)" },
	{ "dev=sim:net,queues=",
	  "devarg \"queues=\": empty value (queues= takes 1..128) (at offset 12)" },
	{ "dev=sim:net,in_order=,queues=2",
	  "devarg \"in_order=\": empty value (in_order= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,intr=",
	  "devarg \"intr=\": empty value (intr= takes poll or interrupt) (at offset 12)" },
	{ "dev=sim:net,hotplug_wait=",
	  "devarg \"hotplug_wait=\": empty value (hotplug_wait= takes 0..3600 seconds) (at "
	  "offset 12)" },
	/* duplicate key: found before the second value is looked at */
	{ "dev=sim:net,queues=2,queues=2",
	  "devarg \"queues=2\": queues= given twice (at offset 21)" },
	{ "dev=sim:net,dev=sim:blk", "devarg \"dev=sim:blk\": dev= given twice (at offset 12)" },
	{ "dev=[sim:net,legacy],dev=[sim:blk]",
	  "devarg \"dev=[sim:blk]\": dev= given twice (at offset 21)" },
	{ "dev=sim:net,packed=1,packed=x",
	  "devarg \"packed=x\": packed= given twice (at offset 21)" },
	{ "dev=sim:net,intr=poll,intr=", "devarg \"intr=\": intr= given twice (at offset 22)" },
	/* numbers: out of range */
	{ "dev=sim:net,queues=0",
	  "devarg \"queues=0\": out of range (queues= takes 1..128) (at offset 12)" },
	{ "dev=sim:net,queues=129",
	  "devarg \"queues=129\": out of range (queues= takes 1..128) (at offset 12)" },
	{ "dev=sim:net,queues=0x81",
	  "devarg \"queues=0x81\": out of range (queues= takes 1..128) (at offset 12)" },
	{ "dev=sim:net,queues=4294967297",
	  "devarg \"queues=4294967297\": out of range (queues= takes 1..128) (at offset 12)" },
	{ "dev=sim:net,queues=99999999999999999999999",
	  "devarg \"queues=99999999999999999999999\": out of range (queues= takes 1..128) (at "
	  "offset 12)" },
	{ "dev=sim:net,queue_size=0",
	  "devarg \"queue_size=0\": out of range (queue_size= takes 1..32768) (at offset 12)" },
	{ "dev=sim:net,queue_size=32769",
	  "devarg \"queue_size=32769\": out of range (queue_size= takes 1..32768) (at offset 12)" },
	/* would be 0 in the uint16_t */
	{ "dev=sim:net,queue_size=0x10000",
	  "devarg \"queue_size=0x10000\": out of range (queue_size= takes 1..32768) (at offset "
	  "12)" },
	{ "dev=sim:net,hotplug_wait=3601",
	  "devarg \"hotplug_wait=3601\": out of range (hotplug_wait= takes 0..3600 seconds) (at "
	  "offset 12)" },
	/* numbers: not a number */
	{ "dev=sim:net,queues=x",
	  "devarg \"queues=x\": not a number (queues= takes 1..128" NAN_TAIL " (at offset 12)" },
	{ "dev=sim:net,queues=-1",
	  "devarg \"queues=-1\": not a number (queues= takes 1..128" NAN_TAIL " (at offset 12)" },
	{ "dev=sim:net,queues=+1",
	  "devarg \"queues=+1\": not a number (queues= takes 1..128" NAN_TAIL " (at offset 12)" },
	{ "dev=sim:net,queues= 1",
	  "devarg \"queues= 1\": not a number (queues= takes 1..128" NAN_TAIL " (at offset 12)" },
	{ "dev=sim:net,queues=[2]",
	  "devarg \"queues=[2]\": not a number (queues= takes 1..128" NAN_TAIL " (at offset 12)" },
	{ "dev=sim:net,queue_size=0x",
	  "devarg \"queue_size=0x\": not a number (queue_size= takes 1..32768" NAN_TAIL " (at "
	  "offset 12)" },
	{ "dev=sim:net,queue_size=0xg",
	  "devarg \"queue_size=0xg\": not a number (queue_size= takes 1..32768" NAN_TAIL " (at "
	  "offset 12)" },
	{ "dev=sim:net,hotplug_wait=forever",
	  "devarg \"hotplug_wait=forever\": not a number (hotplug_wait= takes 0..3600 seconds"
	  NAN_TAIL " (at offset 12)" },
	/* numbers: trailing junk, at the junk */
	{ "dev=sim:net,queues=2x",
	  "devarg \"queues=2x\": \"x\" after the number (queues= takes 1..128) (at offset 20)" },
	{ "dev=sim:net,queues=2 ",
	  "devarg \"queues=2 \": \" \" after the number (queues= takes 1..128) (at offset 20)" },
	{ "dev=sim:net,queue_size=0x1g",
	  "devarg \"queue_size=0x1g\": \"g\" after the number (queue_size= takes 1..32768) (at "
	  "offset 26)" },
	{ "dev=sim:net,hotplug_wait=1.5",
	  "devarg \"hotplug_wait=1.5\": \".5\" after the number (hotplug_wait= takes 0..3600 "
	  "seconds) (at offset 26)" },
	/* junk is reported before the range */
	{ "dev=sim:net,queues=99999999999999999999s",
	  "devarg \"queues=99999999999999999999s\": \"s\" after the number (queues= takes "
	  "1..128) (at offset 39)" },
	/* flags */
	{ "dev=sim:net,packed=2",
	  "devarg \"packed=2\": not a flag (packed= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,in_order=yes",
	  "devarg \"in_order=yes\": not a flag (in_order= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,event_idx=00",
	  "devarg \"event_idx=00\": not a flag (event_idx= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,mrg_rxbuf=true",
	  "devarg \"mrg_rxbuf=true\": not a flag (mrg_rxbuf= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,packed=0x1",
	  "devarg \"packed=0x1\": not a flag (packed= takes 0 or 1) (at offset 12)" },
	{ "dev=sim:net,packed=-1",
	  "devarg \"packed=-1\": not a flag (packed= takes 0 or 1) (at offset 12)" },
	/* intr= */
	{ "dev=sim:net,intr=irq",
	  "devarg \"intr=irq\": unknown mode (intr= takes poll or interrupt) (at offset 12)" },
	{ "dev=sim:net,intr=Poll",
	  "devarg \"intr=Poll\": unknown mode (intr= takes poll or interrupt) (at offset 12)" },
	{ "dev=sim:net,intr=interrupts",
	  "devarg \"intr=interrupts\": unknown mode (intr= takes poll or interrupt) (at offset "
	  "12)" },
	{ "dev=sim:net,intr=1",
	  "devarg \"intr=1\": unknown mode (intr= takes poll or interrupt) (at offset 12)" },
	/* unterminated '[': the devarg runs to the end, the offset is the '[' */
	{ "dev=[", "devarg \"dev=[\": '[' without a closing ']' (at offset 4)" },
	{ "dev=[sim:net,legacy",
	  "devarg \"dev=[sim:net,legacy\": '[' without a closing ']' (at offset 4)" },
	{ "queues=2,dev=[sim:net,queues=2",
	  "devarg \"dev=[sim:net,queues=2\": '[' without a closing ']' (at offset 13)" },
	/* text after ']': up to the next ',', the offset is the text */
	{ "dev=[sim:net]x",
	  "devarg \"dev=[sim:net]x\": \"x\" after ']' (expected ',' or the end) (at offset 13)" },
	{ "dev=[sim:net]]",
	  "devarg \"dev=[sim:net]]\": \"]\" after ']' (expected ',' or the end) (at offset 13)" },
	{ "dev=[sim:net] ,queues=2",
	  "devarg \"dev=[sim:net] \": \" \" after ']' (expected ',' or the end) (at offset 13)" },
	{ "dev=[sim:net,legacy]queues=2,intr=poll",
	  "devarg \"dev=[sim:net,legacy]queues=2\": \"queues=2\" after ']' (expected ',' or the "
	  "end) (at offset 20)" },
	/* no nesting: the first ']' closes */
	{ "dev=[[sim:net]]",
	  "devarg \"dev=[[sim:net]]\": \"]\" after ']' (expected ',' or the end) (at offset 14)" },
	/* the --device parser's verdict on dev=, after the devarg */
	{ "dev=sim:nett",
	  "devarg \"dev=sim:nett\": --device \"sim:nett\": unknown device type \"nett\" "
	  "(expected net or blk)" },
	{ "dev=[sim:net,legacy,legacy]",
	  "devarg \"dev=[sim:net,legacy,legacy]\": --device \"sim:net,legacy,legacy\": option "
	  "legacy given twice (at offset 15)" },
	{ "dev=[sim:net,]",
	  "devarg \"dev=[sim:net,]\": --device \"sim:net,\": empty option (at offset 8)" },
	{ "dev=net",
	  "devarg \"dev=net\": --device \"net\": expected <bus>:<device>, e.g. sim:net" },
	{ "queues=2,dev=pci:0000:00:01.0",
	  "devarg \"dev=pci:0000:00:01.0\": --device \"pci:0000:00:01.0\": unknown bus \"pci\" "
	  "(supported: sim, uio, mem, vhost)" },
	{ "dev=uio:/dev/uio01",
	  "devarg \"dev=uio:/dev/uio01\": --device \"uio:/dev/uio01\": \"/dev/uio01\" is not "
	  "/dev/uio<N> (N decimal, no leading zeros) (at offset 4)" },
	{ "dev=sim:net]",
	  "devarg \"dev=sim:net]\": --device \"sim:net]\": unknown device type \"net]\" "
	  "(expected net or blk)" },
	{ "dev=mem:0xfeb02e02",
	  "devarg \"dev=mem:0xfeb02e02\": --device \"mem:0xfeb02e02\": base 0xfeb02e02 is not "
	  "4-byte aligned (the registers are 32-bit words) (at offset 4)" },
	/* the first error wins, left to right */
	{ "queues=0,dev=sim:nett",
	  "devarg \"queues=0\": out of range (queues= takes 1..128) (at offset 0)" },
	{ "dev=sim:nett,queues=0",
	  "devarg \"dev=sim:nett\": --device \"sim:nett\": unknown device type \"nett\" "
	  "(expected net or blk)" },
};

static void t_bad(const void *arg)
{
	const struct bad *b = arg;
	struct vmmio_pmd_args a, want;

	defaults(&want);
	memset(&a, 0x5a, sizeof(a));
	CHECK_EQ(parse(b->arg, &a), -EINVAL);
	if (strcmp(err, b->msg) != 0) {
		printf("# got:      %s\n# expected: %s\n", err, b->msg);
		CHECK(strcmp(err, b->msg) == 0);
	}
	/* Nothing half-parsed is left behind: the defaults, dev[] all zero. */
	CHECK(memcmp(&a, &want, sizeof(a)) == 0);
}

/* The list of keys is what the parser takes: each one parses. */
static void t_keys(void)
{
	static const char *const value[] = { "[sim:net]", "2", "256", "1", "1", "1", "1", "9",
					     "interrupt" };
	const char *keys = vmmio_pmd_args_keys();
	const char *p = keys;
	size_t n = 0;

	CHECK(strcmp(keys, KEYS) == 0);
	while (*p) {
		size_t len = strcspn(p, ",");
		char s[64];
		struct vmmio_pmd_args a;

		CHECK(n < sizeof(value) / sizeof(value[0]));
		if (n >= sizeof(value) / sizeof(value[0]))
			break;
		if (n == 0)
			snprintf(s, sizeof(s), "%.*s=%s", (int)len, p, value[n]);
		else
			snprintf(s, sizeof(s), "dev=sim:net,%.*s=%s", (int)len, p, value[n]);
		if (parse(s, &a) != 0)
			printf("# \"%s\": %s\n", s, err);
		CHECK_EQ(parse(s, &a), 0);
		n++;
		p += len;
		p += strspn(p, ", ");
	}
	CHECK_EQ(n, 9);
}

/* A dev= value of 255 bytes fits dev[] with its NUL, bare or bracketed;
 * 256 is refused by length before the --device parser sees it. */
static void t_dev_length(void)
{
	char s[VMMIO_PMD_ARG_DEV_MAX + 64], want[2 * VMMIO_PMD_ARG_DEV_MAX + 128];
	static char huge[8192], huge_err[8192 + 256], huge_want[8192 + 256];
	struct vmmio_pmd_args a;
	int n;

	/* mem:000...0: base 0, any number of digits */
	n = snprintf(s, sizeof(s), "dev=mem:%0251d", 0);
	CHECK_EQ(n, 4 + 255);
	CHECK_EQ(parse(s, &a), 0);
	CHECK_EQ(strlen(a.dev), 255);
	CHECK(strcmp(a.dev, s + 4) == 0);

	/* sim:net,refuse=000...0: bit 0 */
	n = snprintf(s, sizeof(s), "queues=1,dev=[sim:net,refuse=%0240d],intr=poll", 0);
	CHECK_EQ(parse(s, &a), 0);
	CHECK_EQ(strlen(a.dev), 255);
	CHECK(strncmp(a.dev, "sim:net,refuse=000", 18) == 0);
	CHECK_EQ(a.queues, 1);

	snprintf(s, sizeof(s), "dev=mem:%0252d", 0);
	CHECK_EQ(parse(s, &a), -EINVAL);
	snprintf(want, sizeof(want), "devarg \"%s\": value of 256 bytes is longer than 255 (at "
				     "offset 0)", s);
	CHECK(strcmp(err, want) == 0);

	snprintf(s, sizeof(s), "queues=1,dev=[sim:net,refuse=%0241d]", 0);
	CHECK_EQ(parse(s, &a), -EINVAL);
	snprintf(want, sizeof(want), "devarg \"%s\": value of 256 bytes is longer than 255 (at "
				     "offset 9)", s + 9);
	CHECK(strcmp(err, want) == 0);

	/* Far longer: the message quotes it all when there is room. */
	memset(huge, 0, sizeof(huge));
	memcpy(huge, "dev=", 4);
	memset(huge + 4, 'x', sizeof(huge) - 5);
	memset(&a, 0x5a, sizeof(a));
	CHECK_EQ(parse_n(huge, &a, huge_err, sizeof(huge_err)), -EINVAL);
	snprintf(huge_want, sizeof(huge_want), "devarg \"%s\": value of %zu bytes is longer than "
					       "255 (at offset 0)", huge, sizeof(huge) - 5);
	CHECK(strcmp(huge_err, huge_want) == 0);
	CHECK_EQ(a.dev[0], '\0');
}

/*
 * Any @errlen: the same verdict, the message cut to fit (a prefix of the
 * whole one), nothing written past @errlen; with no buffer at all, the
 * verdict alone. The dev= case covers the prefix the PMD writes before the
 * --device parser's message, cut before, at and after its end.
 */
static void check_truncation(const char *s, int want_rc)
{
	char full[1024], buf[1024];
	struct vmmio_pmd_args a;
	size_t len;

	CHECK_EQ(parse_n(s, &a, full, sizeof(full)), want_rc);
	len = strlen(full);
	for (size_t errlen = 1; errlen <= len + 2; errlen++) {
		memset(buf, 'x', sizeof(buf));
		CHECK_EQ(parse_n(s, &a, buf, errlen), want_rc);
		CHECK_EQ(strlen(buf), errlen - 1 < len ? errlen - 1 : len);
		CHECK(strncmp(buf, full, strlen(buf)) == 0);
		CHECK_EQ(buf[errlen], 'x');
	}
	CHECK_EQ(parse_n(s, &a, NULL, 0), want_rc);
}

static void t_error_buffer(void)
{
	struct vmmio_pmd_args a;
	char small[32];

	check_truncation("dev=sim:net,queues=0", -EINVAL);
	check_truncation("dev=sim:net,queues=2x", -EINVAL);
	check_truncation("dev=[sim:net,legacy,legacy]", -EINVAL);
	check_truncation("dev=sim:net,legacy", -EINVAL);
	check_truncation("queues=2", -EINVAL);
	check_truncation("dev=[sim:net,legacy],queues=2", 0);

	/* The dev= prefix exactly filling the buffer: nothing of the
	 * --device parser's message fits. */
	memset(small, 'x', sizeof(small));
	CHECK_EQ(parse_n("dev=sim:nett", &a, small, sizeof("devarg \"dev=sim:nett\": ")), -EINVAL);
	CHECK(strcmp(small, "devarg \"dev=sim:nett\": ") == 0);
	memset(small, 'x', sizeof(small));
	CHECK_EQ(parse_n("dev=sim:nett", &a, small, sizeof("devarg \"dev=sim:nett\": ") + 6),
		 -EINVAL);
	CHECK(strcmp(small, "devarg \"dev=sim:nett\": --devi") == 0);

	/* A success clears a stale message. */
	strcpy(small, "stale");
	CHECK_EQ(parse_n("dev=sim:net", &a, small, sizeof(small)), 0);
	CHECK_EQ(small[0], '\0');
}

int main(void)
{
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		char name[200];

		snprintf(name, sizeof(name), "accepts \"%.160s\"", good_cases[i].arg);
		tap_run_arg(name, t_good, &good_cases[i]);
	}
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		char name[200];

		if (bad_cases[i].arg)
			snprintf(name, sizeof(name), "rejects \"%.160s\"", bad_cases[i].arg);
		else
			snprintf(name, sizeof(name), "rejects NULL");
		tap_run_arg(name, t_bad, &bad_cases[i]);
	}
	TAP_RUN(t_keys);
	TAP_RUN(t_dev_length);
	TAP_RUN(t_error_buffer);
	return tap_end();
}
