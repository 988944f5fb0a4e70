/* SPDX-License-Identifier: BSD-3-Clause */
/* fd-backed DMA memory (memfd_arena.h): first fit over a sorted free list. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memfd_arena.h"

/* A free extent; the list is sorted by offset and never holds two that touch. */
struct extent {
	size_t off, len;
	struct extent *next;
};

struct vmmio_memfd_arena {
	struct vmmio_allocator alloc;
	int fd;
	char *va;
	size_t size;
	pthread_mutex_t lock; /* allocation is control path: a plain lock */
	struct extent *free_list;
};

static int arena_alloc(void *ctx, const struct vmmio_dma_req *req, struct vmmio_dma *out,
		       char *err, size_t errlen)
{
	struct vmmio_memfd_arena *a = ctx;
	const size_t align = req->align ? req->align : 1;
	struct extent **pp, *e;
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!req->len || (align & (align - 1)))
		return -EINVAL;
	pthread_mutex_lock(&a->lock);
	for (pp = &a->free_list; (e = *pp); pp = &e->next) {
		/* Offsets share the mapping's alignment up to a page; beyond
		 * it, align the address. */
		const size_t start =
			(size_t)((((uintptr_t)a->va + e->off + align - 1) & ~(uintptr_t)(align - 1)) -
				 (uintptr_t)a->va);
		const size_t end = start + req->len;

		if (end > e->off + e->len || end < start)
			continue;
		if (req->iova_limit && (uint64_t)(uintptr_t)a->va + end > req->iova_limit)
			continue;
		/* Split: what lies before @start stays free in @e, what lies
		 * after @end becomes a new extent. */
		if (end < e->off + e->len) {
			struct extent *tail = malloc(sizeof(*tail));

			if (!tail)
				break;
			tail->off = end;
			tail->len = e->off + e->len - end;
			tail->next = e->next;
			e->next = tail;
		}
		if (start > e->off) {
			e->len = start - e->off;
		} else {
			*pp = e->next;
			free(e);
		}
		out->va = a->va + start;
		out->iova = (uint64_t)(uintptr_t)out->va;
		out->len = req->len;
		out->fd = a->fd;
		out->fd_off = start;
		out->node = VMMIO_NUMA_ANY;
		out->priv = a;
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&a->lock);
	if (rc) {
		snprintf(err, errlen,
			 "the vhost bus's %zu MiB of shared memory has no free %zu bytes "
			 "(aligned to %zu)",
			 a->size >> 20, req->len, align);
		return rc;
	}
	memset(out->va, 0, out->len);
	return 0;
}

static void arena_free(void *ctx, struct vmmio_dma *m)
{
	struct vmmio_memfd_arena *a = ctx;
	size_t off = m->fd_off, len = m->len;
	struct extent **pp, *e, *n;

	pthread_mutex_lock(&a->lock);
	/* Give the pages back (the file is sparse there again) before the
	 * range can be handed out anew. */
	fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
	for (pp = &a->free_list; *pp && (*pp)->off < off; pp = &(*pp)->next)
		;
	n = malloc(sizeof(*n));
	if (!n) { /* leak the range rather than corrupt the list */
		pthread_mutex_unlock(&a->lock);
		return;
	}
	n->off = off;
	n->len = len;
	n->next = *pp;
	*pp = n;
	/* Merge with the next extent, then let the previous take this one. */
	if (n->next && n->off + n->len == n->next->off) {
		e = n->next;
		n->len += e->len;
		n->next = e->next;
		free(e);
	}
	for (e = a->free_list; e && e->next != n; e = e->next)
		;
	if (e && e->off + e->len == n->off) {
		e->len += n->len;
		e->next = n->next;
		free(n);
	}
	pthread_mutex_unlock(&a->lock);
}

static void *arena_zalloc(void *ctx, size_t len, int node)
{
	(void)ctx;
	(void)node;
	return calloc(1, len);
}

static void arena_zfree(void *ctx, void *p, size_t len)
{
	(void)ctx;
	(void)len;
	free(p);
}

static const struct vmmio_allocator_ops arena_ops = {
	.dma_alloc = arena_alloc,
	.dma_free = arena_free,
	.zalloc = arena_zalloc,
	.free = arena_zfree,
};

struct vmmio_memfd_arena *vmmio_memfd_arena_create(size_t size, char *err, size_t errlen)
{
	struct vmmio_memfd_arena *a = calloc(1, sizeof(*a));

	if (!a || !(a->free_list = calloc(1, sizeof(*a->free_list)))) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->fd = memfd_create("vmmio-vhost", MFD_CLOEXEC);
	if (a->fd < 0 || ftruncate(a->fd, (off_t)size)) {
		snprintf(err, errlen, "memfd of %zu MiB for the vhost bus's shared memory: %s",
			 size >> 20, strerror(errno));
		goto fail;
	}
	a->va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (a->va == MAP_FAILED) {
		snprintf(err, errlen, "mapping %zu MiB of shared memory for the vhost bus: %s",
			 size >> 20, strerror(errno));
		a->va = NULL;
		goto fail;
	}
	a->size = size;
	a->free_list->len = size;
	pthread_mutex_init(&a->lock, NULL);
	a->alloc.ops = &arena_ops;
	a->alloc.ctx = a;
	a->alloc.name = "memfd";
	return a;
fail:
	if (a->fd >= 0)
		close(a->fd);
	free(a->free_list);
	free(a);
	return NULL;
}

void vmmio_memfd_arena_destroy(struct vmmio_memfd_arena *a)
{
	if (!a)
		return;
	while (a->free_list) {
		struct extent *e = a->free_list;

		a->free_list = e->next;
		free(e);
	}
	munmap(a->va, a->size);
	close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const struct vmmio_allocator *vmmio_memfd_arena_allocator(const struct vmmio_memfd_arena *a)
{
	return &a->alloc;
}

void vmmio_memfd_arena_region(const struct vmmio_memfd_arena *a, void **va, size_t *len,
			      int *fd)
{
	*va = a->va;
	*len = a->size;
	*fd = a->fd;
}
