/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --setup-hugepages N: the memory a vmmio application gives its devices.
 * Reserve N 2 MiB pages (hugeadm when installed, as its pool accounting
 * is then kept; else the sysfs count), check how many the kernel really
 * reserved (it gives fewer, silently, when memory is short or
 * fragmented), and mount hugetlbfs at /dev/hugepages when no 2 MiB
 * hugetlbfs mount exists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devbind.h"

#define NR_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define MOUNT_POINT "/dev/hugepages"

/* Where a hugetlbfs of 2 MiB pages is mounted, or false. A mount without
 * pagesize= has the default size: 2 MiB on x86. */
static bool hugetlbfs_2m(char *where, size_t len)
{
	char p[PATH_LEN], line[1024];
	bool found = false;
	FILE *f;

	if (rpath(p, sizeof(p), "/proc/mounts") < 0 || !(f = fopen(p, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char dev[256], dir[512], type[64], opts[512];

		if (sscanf(line, "%255s %511s %63s %511s", dev, dir, type, opts) != 4 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		if (strstr(opts, "pagesize=2M") || !strstr(opts, "pagesize=")) {
			strfmt(where, len, "%s", dir);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static int reserve(unsigned long n)
{
	char val[32];
	int rc;

	if (prog_on_path("hugeadm")) {
		char arg[48];
		const char *argv[] = { "hugeadm", "--pool-pages-min", arg, NULL };

		strfmt(arg, sizeof(arg), "2MB:%lu", n);
		rc = run_prog(argv);
		if (rc == 0)
			return 0;
		fprintf(stderr, "%s: hugeadm --pool-pages-min %s failed (%s %d); writing %s\n",
			DEVBIND_PROG, arg, rc < 0 ? "error" : "exit status", rc < 0 ? -rc : rc,
			NR_2M);
	}
	strfmt(val, sizeof(val), "%lu", n);
	rc = sys_write(NR_2M, val);
	if (rc < 0)
		fprintf(stderr, "%s: writing %s to %s: %s%s\n", DEVBIND_PROG, val, NR_2M,
			strerror(-rc), errno_hint(-rc));
	return rc;
}

int setup_hugepages(unsigned long n)
{
	char buf[32], where[512];
	unsigned long got;
	int rc, status = EXIT_DONE;

	if (!path_exists(NR_2M)) {
		fprintf(stderr, "%s: %s: %s (no 2 MiB hugepages in this kernel?)\n", DEVBIND_PROG,
			NR_2M, strerror(ENOENT));
		return EXIT_FAILED;
	}
	if (reserve(n) < 0)
		return EXIT_FAILED;
	rc = read_text(NR_2M, buf, sizeof(buf));
	if (rc < 0) {
		fprintf(stderr, "%s: reading %s: %s\n", DEVBIND_PROG, NR_2M, strerror(-rc));
		return EXIT_FAILED;
	}
	got = strtoul(buf, NULL, 10);
	if (got < n) {
		fprintf(stderr, "%s: only %lu of %lu 2 MiB hugepages reserved (%s says %lu): "
				"not enough free contiguous memory\n",
			DEVBIND_PROG, got, n, NR_2M, got);
		status = EXIT_FAILED;
	} else {
		printf("%lu 2 MiB hugepages reserved (%lu MiB)\n", got, 2 * got);
	}

	if (hugetlbfs_2m(where, sizeof(where))) {
		printf("hugetlbfs (2 MiB pages) already mounted at %s\n", where);
		return status;
	}
	rc = kernel_mount("hugetlbfs", MOUNT_POINT, "pagesize=2M");
	if (rc < 0) {
		fprintf(stderr, "%s: mounting hugetlbfs at %s: %s%s\n", DEVBIND_PROG, MOUNT_POINT,
			strerror(-rc), errno_hint(-rc));
		return EXIT_FAILED;
	}
	printf("mounted hugetlbfs at %s (pagesize=2M)\n", MOUNT_POINT);
	return status;
}
