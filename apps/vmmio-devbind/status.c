/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --status: the devices grouped by binding, as dpdk-devbind shows PCI
 * devices, one line each; --json for scripts.
 */
#include <ctype.h>
#include <string.h>

#include "devbind.h"

static const char *fw_name(enum fw_source fw)
{
	switch (fw) {
	case FW_ACPI:
		return "acpi";
	case FW_DT:
		return "dt";
	case FW_CMDLINE:
		return "cmdline";
	default:
		return "driver";
	}
}

enum group { G_UIO, G_KERNEL, G_NONE };

static enum group group_of(const struct vdev *d)
{
	if (!d->driver[0])
		return G_NONE;
	return d->uio[0] || strcmp(d->driver, DRV_UIO) == 0 ? G_UIO : G_KERNEL;
}

/* VendorID is often four ASCII characters, little endian ("QEMU"). */
static void vendor_str(uint32_t v, char *buf, size_t len)
{
	char c[4];

	for (int i = 0; i < 4; i++) {
		c[i] = (char)(v >> (8 * i));
		if (!isprint((unsigned char)c[i])) {
			strfmt(buf, len, "0x%08x", v);
			return;
		}
	}
	strfmt(buf, len, "%c%c%c%c", c[0], c[1], c[2], c[3]);
}

static void print_line(const struct vdev *d, FILE *f)
{
	char vendor[16];

	fprintf(f, "%s", d->name);
	if (d->id_known) {
		fprintf(f, " '%s' id=%u", device_type_name(d->device_id), d->device_id);
		if (d->version)
			fprintf(f, " version=%u (%s)", d->version,
				d->version == 1 ? "legacy" : "modern");
		else
			fprintf(f, " version=?");
		vendor_str(d->vendor_id, vendor, sizeof(vendor));
		fprintf(f, " vendor=%s", vendor);
	} else {
		fprintf(f, " '?'");
	}
	if (d->has_window && d->size)
		fprintf(f, " window=0x%llx+0x%llx", (unsigned long long)d->base,
			(unsigned long long)d->size);
	else if (d->has_window)
		fprintf(f, " window=0x%llx+?", (unsigned long long)d->base);
	else
		fprintf(f, " window=?");
	if (d->irq >= 0)
		fprintf(f, " irq=%d", d->irq);
	else
		fprintf(f, " irq=?");
	if (d->driver[0])
		fprintf(f, " drv=%s", d->driver);
	if (d->uio[0])
		fprintf(f, " uio=/dev/%s", d->uio);
	if (d->virtio[0])
		fprintf(f, " virtio=%s", d->virtio);
	if (d->override[0] && strcmp(d->override, d->driver) != 0)
		fprintf(f, " driver_override=%s", d->override);
	fprintf(f, " fw=%s", fw_name(d->fw));
	if (!d->id_known && d->id_why[0])
		fprintf(f, " (type unknown: %s)", d->id_why);
	fprintf(f, "\n");
}

static void print_group(const struct vdev_list *l, enum group g, const char *title, FILE *f)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += group_of(&l->v[i]) == g;
	if (!n)
		return;
	fprintf(f, "\n%s\n", title);
	for (size_t i = 0; title[i]; i++)
		fputc('=', f);
	fputc('\n', f);
	for (size_t i = 0; i < l->n; i++)
		if (group_of(&l->v[i]) == g)
			print_line(&l->v[i], f);
}

void print_status(const struct vdev_list *l, FILE *f)
{
	if (!l->n) {
		fprintf(f, "\nNo virtio-mmio devices found\n");
		return;
	}
	print_group(l, G_UIO, "Devices using a UIO driver", f);
	print_group(l, G_KERNEL, "Devices using the kernel driver", f);
	print_group(l, G_NONE, "Devices with no driver", f);
}

static void json_str(FILE *f, const char *s)
{
	if (!s || !s[0]) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void print_status_json(const struct vdev_list *l, FILE *f)
{
	fprintf(f, "{\"devices\": [");
	for (size_t i = 0; i < l->n; i++) {
		const struct vdev *d = &l->v[i];
		char uio[48] = "";

		if (d->uio[0])
			strfmt(uio, sizeof(uio), "/dev/%s", d->uio);
		fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
		json_str(f, d->name);
		fprintf(f, ", \"firmware\": \"%s\", \"base\": ", fw_name(d->fw));
		if (d->has_window)
			fprintf(f, "\"0x%llx\", \"size\": ", (unsigned long long)d->base);
		if (d->has_window && d->size)
			fprintf(f, "%llu", (unsigned long long)d->size);
		else if (d->has_window)
			fprintf(f, "null");
		else
			fprintf(f, "null, \"size\": null");
		if (d->irq >= 0)
			fprintf(f, ", \"irq\": %d", d->irq);
		else
			fprintf(f, ", \"irq\": null");
		fprintf(f, ", \"driver\": ");
		json_str(f, d->driver);
		fprintf(f, ", \"driver_override\": ");
		json_str(f, d->override);
		fprintf(f, ", \"uio\": ");
		json_str(f, uio);
		fprintf(f, ", \"virtio\": ");
		json_str(f, d->virtio);
		if (d->id_known) {
			fprintf(f,
				", \"device_id\": %u, \"type\": \"%s\", \"vendor_id\": \"0x%08x\"",
				d->device_id, device_type_name(d->device_id), d->vendor_id);
			if (d->version)
				fprintf(f, ", \"version\": %u", d->version);
			else
				fprintf(f, ", \"version\": null");
		} else {
			fprintf(f, ", \"device_id\": null, \"type\": null, \"vendor_id\": null"
				   ", \"version\": null");
		}
		fprintf(f, ", \"error\": ");
		json_str(f, d->id_known ? "" : d->id_why);
		fprintf(f, "}");
	}
	fprintf(f, "%s]}\n", l->n ? "\n" : "");
}
