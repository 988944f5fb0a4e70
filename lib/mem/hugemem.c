/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hugepage allocator: DMA ranges carved out of 2 MiB hugepages of one
 * unlinked hugetlbfs file, which grows and shrinks a page at a time.
 *
 * A page is taken by fallocate() on the file, not by faulting a mapping:
 * a hugetlbfs fault that finds no page kills the process with SIGBUS (the
 * reservation mmap() makes is global, so a page bound to a node with none
 * left passes mmap and dies at the touch), while fallocate() fails with
 * ENOSPC, which we turn into the message with the pool's counts. fallocate()
 * allocates under the calling thread's memory policy, not the mapping's,
 * so the thread is bound to the node around it; the mapping is bound too,
 * before its first touch, for any fault that would allocate. The page is
 * then locked (it never moves or goes) and its address asked of the IOVA
 * source once: a range's address is the page's plus its offset.
 *
 * Inside a page, ranges are cut first-fit from a list of free extents in
 * 64-byte grains (no two ranges share a cache line); a page whose last
 * range is freed is punched out of the file, back to the pool. Simple, and
 * plenty for what it serves: rings, indirect tables and buffer pools, all
 * allocated at set-up time.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hugemem_internal.h"

#define PAGE VMMIO_HUGEPAGE_SIZE
#define GRAIN 64u

struct extent {
	size_t off, len;
	struct extent *next; /* sorted by offset, never adjacent */
};

struct hpage {
	struct hugemem *h;
	uint8_t *va;
	uint64_t iova;
	unsigned slot; /* the page's place in the file: offset slot * PAGE */
	int want; /* the node it was asked for */
	int node; /* the node it is on */
	unsigned live; /* ranges in use */
	struct extent *free;
};

struct hugemem {
	struct vmmio_allocator a; /* a.ctx is this */
	struct vmmio_hugemem_env env;
	char *root;
	char mnt[256]; /* the mount point, unprefixed */
	int fd;
	int node; /* opts->node resolved */
	const struct vmmio_iova_source *iova;
	pthread_mutex_t lock;
	struct hpage **slots; /* NULL: the slot is a hole in the file */
	unsigned nslots, held;
	off_t file_size;
};

static const struct vmmio_allocator_ops hugemem_ops;

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* --- extents inside a page -------------------------------------------------------------- */

/* First fit of @len bytes at @align; the offset, or -1. */
static long carve(struct hpage *pg, size_t len, size_t align)
{
	for (struct extent **pe = &pg->free; *pe; pe = &(*pe)->next) {
		struct extent *e = *pe;
		const size_t start = round_up(e->off, align), end = e->off + e->len;

		if (start + len > end)
			continue;
		if (start == e->off && start + len == end) {
			*pe = e->next;
			free(e);
		} else if (start == e->off) {
			e->off += len;
			e->len -= len;
		} else if (start + len == end) {
			e->len = start - e->off;
		} else {
			struct extent *post = malloc(sizeof(*post));

			if (!post)
				return -1;
			*post = (struct extent){ start + len, end - start - len, e->next };
			e->len = start - e->off;
			e->next = post;
		}
		pg->live++;
		return (long)start;
	}
	return -1;
}

/* Give [@off, @off + @len) back, merging with its neighbours. */
static void uncarve(struct hpage *pg, size_t off, size_t len)
{
	struct extent **pe = &pg->free, *prev = NULL, *e;

	while (*pe && (*pe)->off < off) {
		prev = *pe;
		pe = &(*pe)->next;
	}
	if (prev && prev->off + prev->len == off) {
		prev->len += len;
		e = prev;
	} else {
		e = malloc(sizeof(*e));
		if (!e) /* lost to this page until it goes; never wrong */
			goto out;
		*e = (struct extent){ off, len, *pe };
		*pe = e;
	}
	if (e->next && e->off + e->len == e->next->off) {
		struct extent *n = e->next;

		e->len += n->len;
		e->next = n->next;
		free(n);
	}
out:
	pg->live--;
}

/* --- pages ---------------------------------------------------------------------------------- */

/* A mapping of the file's page at @off, 2 MiB aligned (hugetlbfs aligns its
 * mappings itself; a test's tmpfs file needs the aligned spot made). */
static void *map_page(int fd, off_t off)
{
	uint8_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off), *r, *at;

	if (p == MAP_FAILED || !((uintptr_t)p & (PAGE - 1)))
		return p;
	munmap(p, PAGE);
	r = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return r;
	at = (uint8_t *)round_up((uintptr_t)r, PAGE);
	p = mmap(at, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, off);
	/* What is left of the reservation on either side goes. */
	if (at > r)
		munmap(r, (size_t)(at - r));
	munmap(at + PAGE, (size_t)(r + PAGE - at));
	if (p == MAP_FAILED)
		munmap(at, PAGE);
	return p;
}

static void page_release(struct hugemem *h, struct hpage *pg)
{
	const off_t off = (off_t)pg->slot * PAGE;

	munmap(pg->va, PAGE);
	/* Out of the file, so the page is back in the pool now, even while a
	 * peer holds the fd. */
	(void)fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, PAGE);
	while (pg->free) {
		struct extent *n = pg->free->next;

		free(pg->free);
		pg->free = n;
	}
	h->slots[pg->slot] = NULL;
	h->held--;
	free(pg);
}

/* fallocate() under a thread bound to @node: the page comes from there or
 * the call fails, cleanly. */
static int take_page(struct hugemem *h, off_t off, int node, char *err, size_t errlen)
{
	struct vmmio_numa_saved saved;
	int r = vmmio_numa_thread_bind(node, &saved, err, errlen);

	if (r)
		return r;
	r = fallocate(h->fd, 0, off, PAGE) ? -errno : 0;
	vmmio_numa_thread_restore(&saved);
	if (r == -ENOSPC || r == -ENOMEM)
		vmmio_hugemem_no_pages_msg(&h->env, h->mnt, node, h->held, 1, err, errlen);
	else if (r)
		snprintf(err, errlen, "cannot allocate a hugepage in %s: %s", h->mnt,
			 strerror(-r));
	return r;
}

/* A new page on @node, touched, locked, its node and address known. */
static int page_grow(struct hugemem *h, int node, struct hpage **out, char *err, size_t errlen)
{
	unsigned slot = 0;
	struct hpage *pg;
	off_t off;
	int r;

	while (slot < h->nslots && h->slots[slot])
		slot++;
	if (slot == h->nslots) {
		struct hpage **s = realloc(h->slots, (h->nslots + 1) * sizeof(*s));

		if (!s) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		s[h->nslots++] = NULL;
		h->slots = s;
	}
	off = (off_t)slot * PAGE;
	if (off + (off_t)PAGE > h->file_size) {
		if (ftruncate(h->fd, off + (off_t)PAGE)) {
			r = -errno;
			snprintf(err, errlen, "cannot grow the file in %s: %s", h->mnt,
				 strerror(-r));
			return r;
		}
		h->file_size = off + (off_t)PAGE;
	}
	r = take_page(h, off, node, err, errlen);
	if (r)
		return r;
	pg = calloc(1, sizeof(*pg));
	if (!pg) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto punch;
	}
	*pg = (struct hpage){ .h = h, .slot = slot, .want = node };
	pg->va = map_page(h->fd, off);
	if (pg->va == MAP_FAILED) {
		r = -errno;
		snprintf(err, errlen, "cannot map a hugepage of %s: %s", h->mnt, strerror(-r));
		goto free_pg;
	}
	r = vmmio_numa_bind(pg->va, PAGE, node, err, errlen);
	if (r)
		goto unmap;
	/* mlock faults every page in and pins it: the frame the device is told
	 * about stays that page's for as long as we hold it. */
	if (mlock(pg->va, PAGE)) {
		r = -errno;
		snprintf(err, errlen,
			 "cannot lock a hugepage in memory: %s (raise the locked-memory limit: ulimit -l unlimited, or run as root)",
			 strerror(-r));
		goto unmap;
	}
	pg->node = vmmio_numa_node_of(pg->va);
	r = h->iova->iova(h->iova->ctx, pg->va, PAGE, &pg->iova, err, errlen);
	if (r)
		goto unmap;
	if (pg->iova & (PAGE - 1)) {
		snprintf(err, errlen,
			 "the IOVA source %s gave 0x%llx for a hugepage: not 2 MiB aligned",
			 h->iova->name, (unsigned long long)pg->iova);
		r = -EINVAL;
		goto unmap;
	}
	pg->free = malloc(sizeof(*pg->free));
	if (!pg->free) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto unmap;
	}
	*pg->free = (struct extent){ 0, PAGE, NULL };
	h->slots[slot] = pg;
	h->held++;
	*out = pg;
	return 0;
unmap:
	munmap(pg->va, PAGE);
free_pg:
	free(pg);
punch:
	(void)fallocate(h->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, PAGE);
	return r;
}

/* --- the allocator's operations ------------------------------------------------------------- */

static int hm_dma_alloc(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
			char *err, size_t errlen)
{
	struct hugemem *h = ctx;
	const size_t len = round_up(req->len, GRAIN);
	const size_t align = req->align > GRAIN ? req->align : GRAIN;
	const uint64_t limit = req->iova_limit ? req->iova_limit : UINT64_MAX;
	char why[768];
	struct hpage *pg = NULL;
	long off = -1;
	int node = h->node, r = 0;

	if (!req->len || req->len > PAGE) {
		snprintf(err, errlen,
			 "hugepages: %zu bytes %s: the most this allocator gives contiguous is one 2 MiB hugepage (max_contig): split the request (a vmmio_pktpool does)",
			 req->len, req->len ? "is more than a hugepage" : "is nothing");
		return -EINVAL;
	}
	if (req->align > PAGE || (req->align & (req->align - 1))) {
		snprintf(err, errlen, "hugepages: alignment %zu is not a power of 2 up to 2 MiB",
			 req->align);
		return -EINVAL;
	}
	if (req->node != VMMIO_NUMA_ANY && vmmio_numa_resolve(req->node, &node, why, sizeof(why))) {
		snprintf(err, errlen, "hugepages: %s", why);
		return -EINVAL;
	}
	pthread_mutex_lock(&h->lock);
	for (unsigned s = 0; s < h->nslots && off < 0; s++) {
		pg = h->slots[s];
		/* A page that reaches beyond the limit is passed over whole. */
		if (pg && pg->want == node && pg->iova + PAGE <= limit)
			off = carve(pg, len, align);
	}
	if (off < 0) {
		r = page_grow(h, node, &pg, why, sizeof(why));
		if (r) {
			snprintf(err, errlen, "hugepages: %s", why);
		} else if (pg->iova + req->len > limit) {
			snprintf(err, errlen,
				 "hugepages: the hugepage at device address 0x%llx (%s) lies beyond what the device reaches, 0x%llx%s",
				 (unsigned long long)pg->iova, h->iova->name,
				 (unsigned long long)limit,
				 limit == 1ull << 44 ? " (a legacy device's 32-bit QueuePFN reaches 16 TiB)"
						     : "");
			page_release(h, pg);
			r = -ENOMEM;
		} else {
			off = carve(pg, len, align);
			if (off < 0) {
				snprintf(err, errlen, "hugepages: out of memory");
				page_release(h, pg);
				r = -ENOMEM;
			}
		}
	}
	pthread_mutex_unlock(&h->lock);
	if (r)
		return r;
	*out = (struct vmmio_dma){
		.va = pg->va + off,
		.iova = pg->iova + (uint64_t)off,
		.len = req->len,
		.fd = h->fd,
		.fd_off = (uint64_t)pg->slot * PAGE + (uint64_t)off,
		.node = pg->node,
		.priv = pg,
	};
	/* A fresh page is zero; a reused extent holds what its last range left. */
	memset(out->va, 0, req->len);
	return 0;
}

static void hm_dma_free(void *ctx, struct vmmio_dma *m)
{
	struct hugemem *h = ctx;
	struct hpage *pg = (struct hpage *)(uintptr_t)m->priv;

	if (!pg || pg->h != h)
		return;
	pthread_mutex_lock(&h->lock);
	uncarve(pg, (size_t)((uint8_t *)m->va - pg->va), round_up(m->len, GRAIN));
	if (!pg->live)
		page_release(h, pg);
	pthread_mutex_unlock(&h->lock);
}

static void *hm_zalloc(void *ctx, size_t len, int node)
{
	const struct hugemem *h = ctx;

	return vmmio_numa_zalloc(len, node == VMMIO_NUMA_ANY ? h->node : node);
}

static void hm_free(void *ctx, void *p, size_t len)
{
	(void)ctx;
	vmmio_numa_free(p, len);
}

static const struct vmmio_allocator_ops hugemem_ops = {
	.dma_alloc = hm_dma_alloc,
	.dma_free = hm_dma_free,
	.zalloc = hm_zalloc,
	.free = hm_free,
};

/* --- create and destroy ----------------------------------------------------------------------- */

/* The unlinked file every page lives in. */
static int open_file(struct hugemem *h, char *err, size_t errlen)
{
	char dir[4096], tmpl[4096 + 16];
	int fd;

	vmmio_hugemem_path(&h->env, h->mnt, dir, sizeof(dir));
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && errno != ENOENT && errno != EACCES && errno != EROFS) {
		/* A kernel or file system without O_TMPFILE: create, then unlink. */
		snprintf(tmpl, sizeof(tmpl), "%s/vmmio-XXXXXX", dir);
		fd = mkostemp(tmpl, O_CLOEXEC);
		if (fd >= 0)
			unlink(tmpl);
	}
	if (fd < 0) {
		const int e = errno;

		snprintf(err, errlen, "cannot create a file in %s: %s", h->mnt, strerror(e));
		return -e;
	}
	h->fd = fd;
	return 0;
}

static void hugemem_free(struct hugemem *h)
{
	for (unsigned s = 0; s < h->nslots; s++)
		if (h->slots[s])
			page_release(h, h->slots[s]);
	free(h->slots);
	if (h->fd >= 0)
		close(h->fd);
	pthread_mutex_destroy(&h->lock);
	free(h->root);
	free(h);
}

int vmmio_hugemem_create_env(const struct vmmio_hugemem_opts *o,
			     const struct vmmio_hugemem_env *env, struct vmmio_allocator **out,
			     char *err, size_t errlen)
{
	const struct vmmio_hugemem_opts none = { .node = VMMIO_NUMA_ANY };
	struct vmmio_hugepage_counts c;
	struct hugemem *h;
	struct hpage *probe;
	char why[768];
	int r;

	*out = NULL;
	if (!o)
		o = &none;
	h = calloc(1, sizeof(*h));
	if (!h || (env && env->root && !(h->root = strdup(env->root)))) {
		free(h);
		snprintf(err, errlen, "hugepages: out of memory");
		return -ENOMEM;
	}
	h->fd = -1;
	h->env = (struct vmmio_hugemem_env){ .root = h->root, .any_fs = env && env->any_fs };
	h->iova = o->iova ? o->iova : vmmio_iova_pagemap();
	pthread_mutex_init(&h->lock, NULL);
	h->a = (struct vmmio_allocator){
		.ops = &hugemem_ops, .ctx = h, .name = "hugepages", .max_contig = PAGE
	};
	r = vmmio_numa_resolve(o->node, &h->node, why, sizeof(why));
	if (!r)
		r = vmmio_hugemem_find_mount(&h->env, o->mount, h->mnt, sizeof(h->mnt), why,
					     sizeof(why));
	/* The counters first: "none reserved" is the usual case and its
	 * message the most useful; the fallocate() of the probe decides. */
	if (!r && !vmmio_hugemem_counts(&h->env, &c) && !vmmio_hugemem_available(&c)) {
		vmmio_hugemem_no_pages_msg(&h->env, h->mnt, o->node == VMMIO_NUMA_ANY ? -1 : h->node,
					   0, 1, why, sizeof(why));
		r = -ENOMEM;
	}
	if (!r)
		r = open_file(h, why, sizeof(why));
	if (!r)
		r = vmmio_hugemem_check_fs(&h->env, h->fd, h->mnt, why, sizeof(why));
	/* One page taken, addressed and given back: every later failure of a
	 * range is then one of running out, not of the set-up. */
	if (!r)
		r = page_grow(h, h->node, &probe, why, sizeof(why));
	if (r) {
		snprintf(err, errlen, "hugepages: %s", why);
		hugemem_free(h);
		return r;
	}
	page_release(h, probe);
	*out = &h->a;
	return 0;
}

int vmmio_hugemem_create(const struct vmmio_hugemem_opts *o, struct vmmio_allocator **out,
			 char *err, size_t errlen)
{
	return vmmio_hugemem_create_env(o, NULL, out, err, errlen);
}

void vmmio_hugemem_destroy(struct vmmio_allocator *a)
{
	if (a && a->ops == &hugemem_ops)
		hugemem_free(a->ctx);
}

int vmmio_hugemem_node(const struct vmmio_allocator *a)
{
	return a && a->ops == &hugemem_ops ? ((const struct hugemem *)a->ctx)->node
					   : VMMIO_NUMA_ANY;
}

unsigned vmmio_hugemem_pages_held(const struct vmmio_allocator *a)
{
	return a && a->ops == &hugemem_ops ? ((const struct hugemem *)a->ctx)->held : 0;
}
