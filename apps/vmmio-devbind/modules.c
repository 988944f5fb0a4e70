/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Making sure the driver to bind to is registered, loading its module if
 * it is not: virtio-mmio from the kernel's modules (modprobe virtio_mmio),
 * uio_vmmio with modprobe if it is installed, else insmod of --module PATH
 * or of uio_vmmio.ko next to this program. insmod resolves no dependency,
 * so uio (the UIO core) is loaded first.
 */
#include <errno.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

#include "devbind.h"

static bool driver_registered(const char *driver)
{
	char p[PATH_LEN];

	strfmt(p, sizeof(p), "/sys/bus/platform/drivers/%s", driver);
	return path_exists(p);
}

static int modprobe(const char *module, bool quiet)
{
	const char *loud[] = { "modprobe", module, NULL };
	const char *q[] = { "modprobe", "-q", module, NULL };

	return run_prog(quiet ? q : loud);
}

static int load_uio_core(void)
{
	int rc;

	if (path_exists("/sys/module/uio") || path_exists("/sys/class/uio"))
		return 0;
	rc = modprobe("uio", false);
	if (rc != 0) {
		fprintf(stderr, "%s: modprobe uio failed (%s %d): uio_vmmio needs the UIO core\n",
			DEVBIND_PROG, rc < 0 ? "error" : "exit status", rc < 0 ? -rc : rc);
		return -ENOENT;
	}
	return 0;
}

static int insmod(const char *path)
{
	const char *argv[] = { "insmod", path, NULL };
	int rc;

	if (access(path, R_OK) < 0) {
		rc = -errno;
		fprintf(stderr, "%s: module %s: %s\n", DEVBIND_PROG, path, strerror(errno));
		return rc;
	}
	rc = load_uio_core();
	if (rc < 0)
		return rc;
	rc = run_prog(argv);
	if (rc != 0) {
		fprintf(stderr, "%s: insmod %s failed (%s %d)%s\n", DEVBIND_PROG, path,
			rc < 0 ? "error" : "exit status", rc < 0 ? -rc : rc,
			geteuid() ? ": not root?" : "");
		return -EIO;
	}
	printf("loaded %s\n", path);
	return 0;
}

/* uio_vmmio.ko in the directory of this program, if there is one. */
static bool module_next_to_me(char *out, size_t len)
{
	char exe[PATH_LEN], *dir;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return false;
	exe[n] = '\0';
	if (strlen(exe) + sizeof("/" DRV_UIO ".ko") > len)
		return false;
	dir = dirname(exe);
	strfmt(out, len, "%s/" DRV_UIO ".ko", strcmp(dir, "/") ? dir : "");
	return access(out, R_OK) == 0;
}

static int load_uio_vmmio(const char *module)
{
	char ko[PATH_LEN];
	int rc;

	if (module)
		return insmod(module);
	rc = modprobe(DRV_UIO, true);
	if (rc == 0) {
		printf("loaded module " DRV_UIO " (modprobe)\n");
		return 0;
	}
	if (module_next_to_me(ko, sizeof(ko)))
		return insmod(ko);
	fprintf(stderr,
		"%s: driver " DRV_UIO " is not loaded: modprobe " DRV_UIO " failed (%s %d) and "
		"there is no " DRV_UIO ".ko next to this program; give --module PATH\n",
		DEVBIND_PROG, rc < 0 ? "error" : "exit status", rc < 0 ? -rc : rc);
	return -ENOENT;
}

int ensure_driver(const char *driver, const char *module)
{
	int rc;

	if (driver_registered(driver))
		return 0;
	if (strcmp(driver, DRV_UIO) == 0) {
		rc = load_uio_vmmio(module);
	} else {
		rc = modprobe("virtio_mmio", false);
		if (rc != 0) {
			fprintf(stderr, "%s: driver %s is not loaded and modprobe virtio_mmio "
					"failed (%s %d)%s\n",
				DEVBIND_PROG, driver, rc < 0 ? "error" : "exit status",
				rc < 0 ? -rc : rc, geteuid() ? ": not root?" : "");
			return -ENOENT;
		}
		printf("loaded module virtio_mmio (modprobe)\n");
	}
	if (rc < 0)
		return rc;
	if (!driver_registered(driver)) {
		fprintf(stderr, "%s: the module loaded, but no driver %s appeared in "
				"/sys/bus/platform/drivers\n",
			DEVBIND_PROG, driver);
		return -ENOENT;
	}
	return 0;
}
