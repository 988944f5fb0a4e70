/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Everything vmmio-devbind asks of the kernel goes through here: reading
 * small sysfs/procfs files, writing sysfs control files, mounting, and
 * running modprobe/insmod/hugeadm.
 *
 * Testing: VMMIO_DEVBIND_ROOT=DIR makes every /sys, /proc and /dev path
 * relative to DIR, so a test can build a fake tree. A fake tree's files
 * are plain files that do nothing when written, so with a fake root
 * VMMIO_DEVBIND_KERNEL=PROG may name a program that plays the kernel's
 * part: each write runs "PROG write PATH VALUE" and each mount
 * "PROG mount FSTYPE TARGET OPTIONS" instead of touching the file; PROG
 * updates the tree and exits 0, or exits with the errno the kernel would
 * have returned. Neither variable does anything without the other's
 * context: without VMMIO_DEVBIND_ROOT the hook is ignored.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devbind.h"

static const char *root(void)
{
	const char *r = getenv("VMMIO_DEVBIND_ROOT");

	return r && r[0] ? r : "";
}

bool fake_root(void)
{
	return root()[0] != '\0';
}

static const char *kernel_hook(void)
{
	const char *k = getenv("VMMIO_DEVBIND_KERNEL");

	return fake_root() && k && k[0] ? k : NULL;
}

/* snprintf for messages and paths that may be cut short (a path too long
 * for PATH_LEN then fails to open, which is reported). */
void strfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* @buf = the root followed by the formatted real path. */
int rpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t r = strlen(root());
	int n;

	if (r >= len)
		return -ENAMETOOLONG;
	memcpy(buf, root(), r);
	va_start(ap, fmt);
	n = vsnprintf(buf + r, len - r, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - r)
		return -ENAMETOOLONG;
	return 0;
}

/* The whole of a small file, trailing white space removed. */
int read_text(const char *path, char *buf, size_t len)
{
	char p[PATH_LEN];
	size_t used = 0;
	int fd, rc = rpath(p, sizeof(p), "%s", path);

	if (rc < 0)
		return rc;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used + 1 < len) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	while (used && (buf[used - 1] == '\n' || buf[used - 1] == ' ' || buf[used - 1] == '\0'))
		buf[--used] = '\0';
	return (int)used;
}

/* The last component of a symlink's target: a "driver" link names the driver. */
int read_link_base(const char *path, char *buf, size_t len)
{
	char p[PATH_LEN], t[PATH_LEN];
	const char *slash;
	ssize_t n;
	int rc = rpath(p, sizeof(p), "%s", path);

	if (rc < 0)
		return rc;
	n = readlink(p, t, sizeof(t) - 1);
	if (n < 0)
		return -errno;
	t[n] = '\0';
	slash = strrchr(t, '/');
	slash = slash ? slash + 1 : t;
	if (strlen(slash) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, slash);
	return 0;
}

bool path_exists(const char *path)
{
	char p[PATH_LEN];

	return rpath(p, sizeof(p), "%s", path) == 0 && access(p, F_OK) == 0;
}

/* Run @argv, stdout sent to stderr (our stdout may be JSON). The exit
 * status, 127 if it could not be run, or -errno. */
static int run(const char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int run_prog(const char *const argv[])
{
	return run(argv);
}

/* The kernel hook's exit status is the errno of the write it stands for. */
static int run_hook(const char *const argv[])
{
	int rc = run(argv);

	if (rc < 0)
		return rc;
	if (rc == 127)
		return -ENOEXEC;
	return -rc;
}

/* Write @value to a sysfs control file in one write(), as the kernel
 * wants it: the store method sees the whole value at once. */
int sys_write(const char *path, const char *value)
{
	const char *hook = kernel_hook();
	char p[PATH_LEN];
	size_t len = strlen(value);
	ssize_t n;
	int fd, rc;

	if (hook) {
		const char *argv[] = { hook, "write", path, value, NULL };

		return run_hook(argv);
	}
	rc = rpath(p, sizeof(p), "%s", path);
	if (rc < 0)
		return rc;
	/* A fake tree's file must show the last value, as a sysfs file would. */
	fd = open(p, O_WRONLY | O_CLOEXEC | (fake_root() ? O_TRUNC : 0));
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (close(fd) < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int kernel_mount(const char *fstype, const char *target, const char *options)
{
	const char *hook = kernel_hook();
	char p[PATH_LEN];
	int rc;

	if (hook) {
		const char *argv[] = { hook, "mount", fstype, target, options, NULL };

		return run_hook(argv);
	}
	if (fake_root())
		return -EOPNOTSUPP; /* never mount over a test's tree for real */
	rc = rpath(p, sizeof(p), "%s", target);
	if (rc < 0)
		return rc;
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("nodev", p, fstype, 0, options) < 0)
		return -errno;
	return 0;
}

bool prog_on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_LEN];

	if (!path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n + 1 + strlen(prog) < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/* What an errno from a sysfs write usually means here. */
const char *errno_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return " (not root? writing sysfs needs root)";
	case EBUSY:
		return " (device busy: its window is claimed, or it already has a driver)";
	case ENODEV:
		return " (no such device, or the driver refused it)";
	case ENOENT:
		return " (no such file: no such device or driver?)";
	default:
		return "";
	}
}
