// SPDX-License-Identifier: GPL-2.0
/*
 * uio_vmmio: hand a virtio-mmio transport to userspace through UIO.
 *
 * The device's register window becomes UIO map0 and its interrupt line becomes UIO events, so
 * a userspace driver (vmmio) can run the device without the kernel's virtio_mmio. Distribution
 * kernels lack uio_pdrv_genirq, and that driver binds to DT nodes only; this one binds to
 * platform devices, which is what ACPI (LNRO0005) and DT describe virtio-mmio as.
 *
 * There is deliberately no id table: the driver binds only to a device the administrator
 * hands it with driver_override, never to one the kernel's virtio_mmio would otherwise drive.
 *
 * The interrupt of a virtio-mmio transport is level-triggered and stays asserted until
 * InterruptACK is written. The handler must not touch the device (which registers to read
 * and acknowledge is the userspace driver's business, and reading InterruptStatus here would
 * race with it), so it masks the line and lets userspace acknowledge at the device and then
 * unmask by writing 1 to /dev/uioN.
 */
#include <linux/acpi.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio_driver.h>

#define DRV_NAME "uio_vmmio"
#define DRV_VERSION "0.1"

struct uio_vmmio {
	struct uio_info info;
	struct platform_device *pdev;
	/* Serialises the mask state between the handler and irqcontrol. */
	spinlock_t lock;
	/* True while the line is masked by us, so disable/enable calls stay balanced. */
	bool masked;
};

static irqreturn_t uio_vmmio_handler(int irq, struct uio_info *info)
{
	struct uio_vmmio *priv = info->priv;

	/*
	 * The line is level-triggered and only an InterruptACK from userspace lowers it: mask it
	 * until userspace has acknowledged, or it would fire again at once.
	 */
	spin_lock(&priv->lock);
	if (!priv->masked) {
		priv->masked = true;
		disable_irq_nosync(irq);
	}
	spin_unlock(&priv->lock);

	/* Counted and reported to readers of /dev/uioN by the UIO core. */
	return IRQ_HANDLED;
}

/* A write of 1 to /dev/uioN unmasks the line, 0 masks it. */
static int uio_vmmio_irqcontrol(struct uio_info *info, s32 on)
{
	struct uio_vmmio *priv = info->priv;
	unsigned long flags;

	/*
	 * irqsave: the handler takes the lock in hard-irq context. enable_irq/disable_irq_nosync
	 * may be called with it held (they take the descriptor's own lock only).
	 */
	spin_lock_irqsave(&priv->lock, flags);
	if (on && priv->masked) {
		priv->masked = false;
		enable_irq(info->irq);
	} else if (!on && !priv->masked) {
		priv->masked = true;
		disable_irq_nosync(info->irq);
	}
	spin_unlock_irqrestore(&priv->lock, flags);
	return 0;
}

#ifdef CONFIG_ACPI
static const struct acpi_device_id uio_vmmio_acpi_ids[] = {
	{ "LNRO0005", 0 },	/* what QEMU and Firecracker name virtio-mmio */
	{ }
};
#endif

/* Only a virtio-mmio transport: what we map to userspace must be one. */
static bool uio_vmmio_is_virtio_mmio(struct device *dev)
{
#ifdef CONFIG_ACPI
	if (has_acpi_companion(dev) && acpi_match_device(uio_vmmio_acpi_ids, dev))
		return true;
#endif
	if (dev->of_node && of_device_is_compatible(dev->of_node, "virtio,mmio"))
		return true;
	/* virtio_mmio.device= on the kernel command line makes devices of this name. */
	if (!strcmp(to_platform_device(dev)->name, "virtio-mmio"))
		return true;
	return false;
}

static int uio_vmmio_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct uio_vmmio *priv;
	struct uio_mem *map;
	struct resource *res;
	phys_addr_t start;
	int irq, ret;

	if (!uio_vmmio_is_virtio_mmio(dev)) {
		dev_err(dev, "not a virtio-mmio device (ACPI LNRO0005, DT virtio,mmio): refused\n");
		return -ENODEV;
	}

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res || resource_size(res) == 0) {
		dev_err(dev, "no register window (MEM resource)\n");
		return -ENODEV;
	}
	irq = platform_get_irq(pdev, 0);
	if (irq < 0) {
		dev_err(dev, "no interrupt line: %d\n", irq);
		return irq;
	}

	priv = devm_kzalloc(dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	priv->pdev = pdev;
	spin_lock_init(&priv->lock);

	/*
	 * Several 512-byte windows share a 4 KiB page (QEMU microvm puts them 0x200 apart):
	 * UIO maps whole pages, so map0 starts at the page and the window's place in it is
	 * offs, which sysfs shows as maps/map0/offset. The window is deliberately not
	 * requested: the region stays the device's, as virtio_mmio leaves it.
	 */
	start = res->start;
	map = &priv->info.mem[0];
	map->name = "registers";
	map->memtype = UIO_MEM_PHYS;
	map->addr = start & PAGE_MASK;
	map->offs = start & ~PAGE_MASK;
	map->size = PAGE_ALIGN(map->offs + resource_size(res));
	map->internal_addr = NULL;

	/* The UIO name is also the interrupt's name in /proc/interrupts: the
	 * device's own name there tells which line is whose (vmmio-devbind
	 * --status reads it). */
	priv->info.name = dev_name(dev);
	priv->info.version = DRV_VERSION;
	priv->info.irq = irq;
	/* No IRQF_SHARED: masking a shared line would starve the other device. */
	priv->info.irq_flags = 0;
	priv->info.handler = uio_vmmio_handler;
	priv->info.irqcontrol = uio_vmmio_irqcontrol;
	priv->info.priv = priv;

	ret = devm_uio_register_device(dev, &priv->info);
	if (ret) {
		dev_err(dev, "cannot register the UIO device: %d\n", ret);
		return ret;
	}
	platform_set_drvdata(pdev, priv);
	dev_info(dev, "window %pa size %#llx irq %d as %s\n", &res->start,
		 (unsigned long long)resource_size(res), irq, dev_name(&priv->info.uio_dev->dev));
	return 0;
}

/*
 * No remove callback: devm unregisters the UIO device and frees the line. A line still masked
 * by us needs no unmasking first: freeing the last action shuts the line down and the next
 * request_irq (virtio_mmio's, after a rebind) starts it with a depth of 0.
 */
static struct platform_driver uio_vmmio_driver = {
	.probe = uio_vmmio_probe,
	.driver = {
		.name = DRV_NAME,
	},
};
module_platform_driver(uio_vmmio_driver);

MODULE_DESCRIPTION("UIO driver for virtio-mmio transports, bound by driver_override");
MODULE_AUTHOR("The vmmio authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(DRV_VERSION);
