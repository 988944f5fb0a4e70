/* SPDX-License-Identifier: BSD-3-Clause */
/* The differential tests' buffer model: FIFOs and the buffer pool. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

int fifo_init(struct fifo *f, uint32_t cap)
{
	memset(f, 0, sizeof(*f));
	f->e = calloc(cap ? cap : 1, sizeof(*f->e));
	f->cap = cap;
	return f->e ? 0 : -ENOMEM;
}

void fifo_free(struct fifo *f)
{
	free(f->e);
	memset(f, 0, sizeof(*f));
}

static uint32_t slot(const struct fifo *f, uint32_t i)
{
	uint32_t s = f->head + i;

	return s >= f->cap ? s - f->cap : s;
}

void fifo_push(struct fifo *f, struct rec *r)
{
	if (f->n == f->cap)
		abort(); /* the model never holds more than the queue */
	f->e[slot(f, f->n)] = r;
	f->n++;
}

struct rec *fifo_at(const struct fifo *f, uint32_t i)
{
	return i < f->n ? f->e[slot(f, i)] : NULL;
}

struct rec *fifo_pop(struct fifo *f)
{
	struct rec *r;

	if (!f->n)
		return NULL;
	r = f->e[f->head];
	f->head = slot(f, 1);
	f->n--;
	return r;
}

struct rec *fifo_take(struct fifo *f, uint32_t i)
{
	struct rec *r = fifo_at(f, i);

	f->e[slot(f, i)] = f->e[f->head];
	fifo_pop(f);
	return r;
}

int pool_init(struct pool *p, uint32_t num)
{
	memset(p, 0, sizeof(*p));
	p->recs = calloc(num, sizeof(*p->recs));
	if (!p->recs)
		return -ENOMEM;
	p->num = num;
	for (uint32_t i = num; i-- > 0;) {
		p->recs[i].next_free = p->free_list;
		p->free_list = &p->recs[i];
	}
	return 0;
}

void pool_free(struct pool *p)
{
	for (uint32_t i = 0; i < p->num; i++)
		free(p->recs[i].seg);
	free(p->recs);
	memset(p, 0, sizeof(*p));
}

struct rec *pool_get(struct pool *p, uint16_t n_out, uint16_t n_in, const uint32_t *lens)
{
	struct rec *r = p->free_list;
	const uint32_t n = (uint32_t)n_out + n_in;

	if (!r)
		return NULL;
	free(r->seg);
	r->seg = malloc(n * sizeof(*r->seg));
	if (!r->seg)
		abort();
	p->free_list = r->next_free;
	p->in_use++;
	r->serial = ++p->serial;
	r->n_out = n_out;
	r->n_in = n_in;
	r->out_len = 0;
	r->in_len = 0;
	for (uint32_t i = 0; i < n; i++) {
		r->seg[i].addr = model_seg_addr(r->serial, i);
		r->seg[i].len = lens[i];
		if (i < n_out)
			r->out_len += lens[i];
		else
			r->in_len += lens[i];
	}
	r->st = REC_FREE;
	r->reclaimed = false;
	r->expect_len = 0;
	r->dev_id = 0;
	return r;
}

void pool_put(struct pool *p, struct rec *r)
{
	r->st = REC_FREE;
	free(r->seg);
	r->seg = NULL;
	r->next_free = p->free_list;
	p->free_list = r;
	p->in_use--;
}

bool pool_owns(const struct pool *p, const void *cookie)
{
	const uintptr_t c = (uintptr_t)cookie, base = (uintptr_t)p->recs;

	return c >= base && c < base + p->num * sizeof(*p->recs) &&
	       (c - base) % sizeof(*p->recs) == 0;
}
