/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Is a bound device in use? Unbinding cannot fail in the kernel: it tears
 * the device away from whoever uses it. So before moving a device we look
 * for users, as dpdk-devbind refuses to unbind an interface with routes:
 *   - a process holding its /dev/uioN open (a running vmmio application);
 *   - a virtio-net interface that is up;
 *   - a virtio-blk disk (or a partition of it) that is mounted.
 * --force skips the check.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devbind.h"

#define DEVICES "/sys/bus/platform/devices"

/* The pid of a process that has /dev/@node open, or 0. */
static long uio_user(const char *node)
{
	char p[PATH_LEN], want[64], link[PATH_LEN];
	struct dirent *e;
	long pid = 0;
	DIR *proc;

	strfmt(want, sizeof(want), "/dev/%s", node);
	if (rpath(p, sizeof(p), "/proc") < 0 || !(proc = opendir(p)))
		return 0;
	while (!pid && (e = readdir(proc))) {
		struct dirent *f;
		DIR *fds;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		strfmt(link, sizeof(link), "/proc/%s/fd", e->d_name);
		if (rpath(p, sizeof(p), "%s", link) < 0 || !(fds = opendir(p)))
			continue; /* gone, or not ours to look at */
		while (!pid && (f = readdir(fds))) {
			char target[PATH_LEN];
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			if (rpath(p, sizeof(p), "/proc/%s/fd/%s", e->d_name, f->d_name) < 0)
				continue;
			n = readlink(p, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (strcmp(target, want) == 0)
				pid = strtol(e->d_name, NULL, 10);
		}
		closedir(fds);
	}
	closedir(proc);
	return pid;
}

/* The first child of @dir (a sysfs class directory: net/, block/). */
static bool first_child(const char *dir, char *out, size_t len)
{
	char p[PATH_LEN];
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (rpath(p, sizeof(p), "%s", dir) < 0 || !(d = opendir(p)))
		return false;
	while (!found && (e = readdir(d)))
		if (e->d_name[0] != '.' && strlen(e->d_name) < len) {
			strcpy(out, e->d_name);
			found = true;
		}
	closedir(d);
	return found;
}

/* Is /dev/@disk or one of its partitions mounted? */
static bool disk_mounted(const char *disk)
{
	char p[PATH_LEN], line[1024], want[80];
	bool found = false;
	size_t n;
	FILE *f;

	strfmt(want, sizeof(want), "/dev/%s", disk);
	n = strlen(want);
	if (rpath(p, sizeof(p), "/proc/mounts") < 0 || !(f = fopen(p, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, want, n) == 0 &&
			(line[n] == ' ' || isdigit((unsigned char)line[n]) || line[n] == 'p');
	fclose(f);
	return found;
}

/* Why @d must not be unbound now, in @why; false if it is free. */
bool device_in_use(const struct vdev *d, char *why, size_t len)
{
	char p[PATH_LEN], child[NAME_LEN], state[32];
	long pid;

	if (d->uio[0] && (pid = uio_user(d->uio))) {
		strfmt(why, len, "/dev/%s is open in process %ld", d->uio, pid);
		return true;
	}
	if (!d->virtio[0])
		return false;
	strfmt(p, sizeof(p), DEVICES "/%s/%s/net", d->name, d->virtio);
	if (first_child(p, child, sizeof(child))) {
		strfmt(p, sizeof(p), DEVICES "/%s/%s/net/%s/operstate", d->name, d->virtio,
			 child);
		if (read_text(p, state, sizeof(state)) >= 0 && strcmp(state, "down") != 0) {
			strfmt(why, len, "network interface %s is %s", child, state);
			return true;
		}
	}
	strfmt(p, sizeof(p), DEVICES "/%s/%s/block", d->name, d->virtio);
	if (first_child(p, child, sizeof(child)) && disk_mounted(child)) {
		strfmt(why, len, "disk /dev/%s is mounted", child);
		return true;
	}
	return false;
}
