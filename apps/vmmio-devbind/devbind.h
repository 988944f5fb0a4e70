/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vmmio-devbind: find the machine's virtio-mmio devices, show their
 * binding, move them between virtio-mmio and uio_vmmio, reserve hugepages.
 * libc only: it must run in a busybox guest without python or DPDK.
 */
#ifndef VMMIO_DEVBIND_H
#define VMMIO_DEVBIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DEVBIND_PROG "vmmio-devbind"

/* Exit statuses (also in the help text). */
#define EXIT_DONE 0
#define EXIT_FAILED 1 /* nothing changed, or the previous binding was restored */
#define EXIT_USAGE 2
#define EXIT_NOT_RESTORED 3 /* a bind failed and the old binding could not be restored */

#define DRV_VIRTIO "virtio-mmio"
#define DRV_UIO "uio_vmmio"

#define NAME_LEN 128
#define PATH_LEN 512

/* Where a device's description came from. */
enum fw_source { FW_ACPI, FW_DT, FW_CMDLINE, FW_DRIVER };

struct vdev {
	char name[NAME_LEN]; /* platform device name: LNRO0005:17, virtio-mmio.0 */
	enum fw_source fw;
	char driver[NAME_LEN]; /* "" when unbound */
	char override[NAME_LEN]; /* driver_override, "" when not set */
	char of_name[NAME_LEN]; /* device tree node name, for /proc/iomem */
	bool has_window;
	uint64_t base, size;
	int irq; /* -1: unknown */
	char uio[32]; /* uioN when bound to a UIO driver */
	uint64_t uio_addr, uio_size, uio_offset; /* map0 */
	char virtio[32]; /* virtioN when bound to virtio-mmio */

	/* Identity: the four read-only registers, or the virtio driver's view. */
	bool id_known;
	uint32_t device_id, vendor_id;
	uint32_t version; /* 0: unknown (the kernel's view does not say) */
	bool bad_magic;
	uint32_t magic;
	char id_why[256]; /* why the identity is unknown, or "" */
};

struct vdev_list {
	struct vdev *v;
	size_t n, cap;
};

/* paths.c: the (possibly fake) root, small files, programs. */
void strfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rpath(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool fake_root(void);
int read_text(const char *path, char *buf, size_t len);
int read_link_base(const char *path, char *buf, size_t len);
bool path_exists(const char *path);
int sys_write(const char *path, const char *value);
int kernel_mount(const char *fstype, const char *target, const char *options);
int run_prog(const char *const argv[]);
bool prog_on_path(const char *prog);
const char *errno_hint(int err);

/* scan.c: every virtio-mmio device with its window, irq, driver, uio. */
int scan_devices(struct vdev_list *l);
int scan_one(const char *name, struct vdev *d);
bool is_virtio_mmio_device(const char *name, enum fw_source *fw);
void vdev_list_free(struct vdev_list *l);
struct vdev *find_device(struct vdev_list *l, const char *arg);

/* ident.c: DeviceID, Version, VendorID, each the safe way for the binding. */
void identify(struct vdev *d);
const char *device_type_name(uint32_t device_id);

/* status.c */
void print_status(const struct vdev_list *l, FILE *f);
void print_status_json(const struct vdev_list *l, FILE *f);

/* bind.c */
struct bind_opts {
	const char *module; /* --module PATH */
	bool force;
	bool pin;
};
int do_bind(const char *driver, char **devices, int n, const struct bind_opts *o);
int do_unbind(char **devices, int n, const struct bind_opts *o);

/* busy.c */
bool device_in_use(const struct vdev *d, char *why, size_t len);

/* modules.c */
int ensure_driver(const char *driver, const char *module);

/* hugepages.c */
int setup_hugepages(unsigned long n);

#endif /* VMMIO_DEVBIND_H */
