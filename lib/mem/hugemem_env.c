/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the hugepage allocator needs from the system, and the words for
 * when it is missing: the 2 MiB hugetlbfs mount (/proc/mounts), the pool's
 * counters (sysfs), and the commands that fix each. Every path goes
 * through the environment's root so the unit tests can fake the lot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "hugemem_internal.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

#define MOUNT_CMD "mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages"
#define POOL_DIR "/sys/kernel/mm/hugepages/hugepages-2048kB"
#define NODE_DIR "/sys/devices/system/node"

const char *vmmio_hugemem_path(const struct vmmio_hugemem_env *env, const char *path, char *buf,
			       size_t len)
{
	const char *root = env && env->root ? env->root : "";

	snprintf(buf, len, "%s%s", root, path);
	return buf;
}

/* /proc/mounts escapes blanks and backslashes in paths as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* "2M", "2048k", "1G", "2097152" in bytes; 0 when it is none of those. */
static unsigned long long parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	return end == s || (*end && *end != ',') ? 0 : v;
}

/* The default hugepage size (meminfo's Hugepagesize), 0 when unknown. */
static unsigned long long default_size(const struct vmmio_hugemem_env *env)
{
	char path[4096], line[256];
	unsigned long long kb = 0;
	FILE *f = fopen(vmmio_hugemem_path(env, "/proc/meminfo", path, sizeof(path)), "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/* The page size of a hugetlbfs mount from its options: pagesize=, else the
 * default size (old kernels print no pagesize for a default mount). */
static unsigned long long mount_page_size(const struct vmmio_hugemem_env *env, const char *opts)
{
	const char *p = opts;

	while ((p = strstr(p, "pagesize="))) {
		if (p == opts || p[-1] == ',')
			return parse_size(p + strlen("pagesize="));
		p++;
	}
	return default_size(env);
}

static int copy_mount(char *mnt, size_t mntlen, const char *dir, char *err, size_t errlen)
{
	if ((size_t)snprintf(mnt, mntlen, "%s", dir) >= mntlen) {
		snprintf(err, errlen, "the hugetlbfs mount point %.64s... is too long (%zu bytes at most)",
			 dir, mntlen - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

int vmmio_hugemem_find_mount(const struct vmmio_hugemem_env *env, const char *given, char *mnt,
			     size_t mntlen, char *err, size_t errlen)
{
	char path[4096], line[4096 + 512], other[256] = "";
	size_t at = 0;
	struct stat st;
	FILE *f;

	if (given) {
		if (stat(vmmio_hugemem_path(env, given, path, sizeof(path)), &st) ||
		    !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen,
				 "hugetlbfs mount %s: not a directory: mount -t hugetlbfs -o pagesize=2M nodev %s",
				 given, given);
			return -ENOENT;
		}
		return copy_mount(mnt, mntlen, given, err, errlen);
	}
	f = fopen(vmmio_hugemem_path(env, "/proc/mounts", path, sizeof(path)), "re");
	if (!f) {
		const int e = errno;

		snprintf(err, errlen, "cannot read %s to find hugetlbfs: %s", path, strerror(e));
		return -e;
	}
	while (fgets(line, sizeof(line), f)) {
		char dir[4096], type[64], opts[512];
		unsigned long long size;

		if (sscanf(line, "%*s %4095s %63s %511s", dir, type, opts) != 3 ||
		    strcmp(type, "hugetlbfs"))
			continue;
		unescape(dir);
		size = mount_page_size(env, opts);
		if (size == VMMIO_HUGEPAGE_SIZE) {
			fclose(f);
			return copy_mount(mnt, mntlen, dir, err, errlen);
		}
		/* Remember the others: "mounted, but with 1 GiB pages" is a
		 * different fix from "not mounted". */
		if (at < sizeof(other))
			at += (size_t)snprintf(other + at, sizeof(other) - at, "%s%s (%llu kB pages)",
					       at ? ", " : "", dir, size >> 10);
	}
	fclose(f);
	if (at)
		snprintf(err, errlen,
			 "no hugetlbfs of 2 MiB pages is mounted (only %s): " MOUNT_CMD
			 ", or vmmio-devbind --setup-hugepages N",
			 other);
	else
		snprintf(err, errlen,
			 "hugetlbfs is not mounted: " MOUNT_CMD ", or vmmio-devbind --setup-hugepages N");
	return -ENOENT;
}

int vmmio_hugemem_check_fs(const struct vmmio_hugemem_env *env, int fd, const char *mnt,
			   char *err, size_t errlen)
{
	struct statfs sf;

	if (env && env->any_fs)
		return 0;
	if (fstatfs(fd, &sf)) {
		const int e = errno;

		snprintf(err, errlen, "cannot statfs %s: %s", mnt, strerror(e));
		return -e;
	}
	if ((unsigned long)sf.f_type != HUGETLBFS_MAGIC) {
		snprintf(err, errlen,
			 "%s is not a hugetlbfs mount: mount -t hugetlbfs -o pagesize=2M nodev %s",
			 mnt, mnt);
		return -EINVAL;
	}
	if ((unsigned long long)sf.f_bsize != VMMIO_HUGEPAGE_SIZE) {
		snprintf(err, errlen,
			 "%s is a hugetlbfs mount of %llu kB pages, not 2 MiB: " MOUNT_CMD
			 " (or name that mount)",
			 mnt, (unsigned long long)sf.f_bsize >> 10);
		return -EINVAL;
	}
	return 0;
}

static int read_ulong(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int read_counter(const struct vmmio_hugemem_env *env, const char *dir, const char *name,
			unsigned long *v)
{
	char rel[256], path[4096];

	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	return read_ulong(vmmio_hugemem_path(env, rel, path, sizeof(path)), v);
}

int vmmio_hugemem_counts(const struct vmmio_hugemem_env *env, struct vmmio_hugepage_counts *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = read_counter(env, POOL_DIR, "nr_hugepages", &c->nr)) ||
	    (r = read_counter(env, POOL_DIR, "free_hugepages", &c->free)) ||
	    (r = read_counter(env, POOL_DIR, "resv_hugepages", &c->resv)))
		return r;
	/* Overcommit is optional: surplus pages the kernel makes on demand. */
	if (read_counter(env, POOL_DIR, "surplus_hugepages", &c->surplus))
		c->surplus = 0;
	if (read_counter(env, POOL_DIR, "nr_overcommit_hugepages", &c->overcommit))
		c->overcommit = 0;
	return 0;
}

int vmmio_hugemem_node_counts(const struct vmmio_hugemem_env *env, int node, unsigned long *nr,
			      unsigned long *free)
{
	char dir[128];
	int r;

	snprintf(dir, sizeof(dir), NODE_DIR "/node%d/hugepages/hugepages-2048kB", node);
	if ((r = read_counter(env, dir, "nr_hugepages", nr)) ||
	    (r = read_counter(env, dir, "free_hugepages", free)))
		return r;
	return 0;
}

unsigned long vmmio_hugemem_available(const struct vmmio_hugepage_counts *c)
{
	const unsigned long free = c->free > c->resv ? c->free - c->resv : 0;

	return free + (c->overcommit > c->surplus ? c->overcommit - c->surplus : 0);
}

/* Whether sysfs shows a 2 MiB pool on a node other than @node. */
static bool several_nodes(const struct vmmio_hugemem_env *env, int node)
{
	unsigned long nr, free;

	for (int n = 0; n < 64; n++)
		if (n != node && !vmmio_hugemem_node_counts(env, n, &nr, &free))
			return true;
	return false;
}

void vmmio_hugemem_no_pages_msg(const struct vmmio_hugemem_env *env, const char *mnt, int node,
				unsigned held, unsigned need, char *err, size_t errlen)
{
	struct vmmio_hugepage_counts c;
	unsigned long avail, short_by, node_nr, node_free;
	char where[160] = "";
	size_t at;

	if (vmmio_hugemem_counts(env, &c)) {
		snprintf(err, errlen,
			 "no free 2 MiB hugepage, and no 2 MiB pool in sysfs (" POOL_DIR
			 "): does the kernel have hugetlbfs and 2 MiB pages?");
		return;
	}
	avail = vmmio_hugemem_available(&c);
	short_by = need > avail ? need - avail : need;
	/* On a machine of several nodes the node's own pool is what counts. */
	if (node >= 0 && several_nodes(env, node) &&
	    !vmmio_hugemem_node_counts(env, node, &node_nr, &node_free))
		snprintf(where, sizeof(where),
			 " (node %d: %lu reserved, %lu free; or echo %lu > " NODE_DIR
			 "/node%d/hugepages/hugepages-2048kB/nr_hugepages)",
			 node, node_nr, node_free, node_nr + need, node);
	at = (size_t)snprintf(err, errlen,
			      "no free 2 MiB hugepage%s: %lu reserved, %lu free, "
			      "%lu of them promised to mappings; "
			      "this allocator holds %u and needs %u more. Reserve more: "
			      "hugeadm --pool-pages-min 2MB:%lu or echo %lu > " POOL_DIR
			      "/nr_hugepages%s",
			      node >= 0 && where[0] ? " on this node" : "", c.nr, c.free, c.resv,
			      held, need, c.nr + short_by, c.nr + short_by, where);
	if (avail >= need && at < errlen)
		snprintf(err + at, errlen - at,
			 " (the pool has %lu available: is the size= limit of the mount %s used up, or a cgroup's hugetlb limit reached?)",
			 avail, mnt);
}
