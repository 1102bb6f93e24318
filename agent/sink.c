/*
 * sink.c: files written atomically.  The bytes go to a temporary beside
 * the target (parent directories made, mode as open() would give it) and
 * are renamed over it only when complete, so a reader never sees a torn
 * file and a write cut short leaves nothing; the temporary is in the
 * target's directory, so the rename never crosses a file system.  Used by
 * PUT /v1/files, OSWorld's /setup/upload and the downloads.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deskd.h"
#include "pyfmt.h"
#include "sink.h"
#include "xmalloc.h"

struct sink {
	int		 fd;
	char		*tmp;
	char		*target;
	off_t		 size;
};

static mode_t	 sink_umask = 022;

void
sink_init(void)
{
	/* Read once, while deskd is single-threaded: umask sets it too. */
	sink_umask = umask(022);
	umask(sink_umask);
}

/* mkdir -p of path's parent directory; -1 with errno and cause. */
static int
sink_mkdir_parent(const char *path, int *errnop, char **cause)
{
	char	*dir, *p;
	int	 rc = 0;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		goto out;
	*p = '\0';
	/* mkdir -p: each prefix in turn, existing ones are fine. */
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			if (*p == '/')
				*p = '\0';
			else
				p = NULL;
			if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
				*errnop = errno;
				*cause = pyfmt_oserror(errno, dir);
				rc = -1;
				goto out;
			}
			if (p == NULL)
				break;
			*p = '/';
		} else if (*p == '\0')
			break;
	}
out:
	free(dir);
	return (rc);
}

/*
 * What an error opening a target is: refused, out of descriptors (the
 * server's condition, not the request's), or a path that cannot be.
 */
static enum deskd_err
sink_kind(int err)
{
	if (err == EACCES || err == EPERM)
		return (DESKD_EDENIED);
	if (err == EMFILE || err == ENFILE)
		return (DESKD_EBUSY);
	return (DESKD_EINPUT);
}

/* ... and committing one: the path's fault, or the disk's. */
static enum deskd_err
sink_commit_kind(int err)
{
	if (err == EACCES || err == EPERM)
		return (DESKD_EDENIED);
	if (err == ENAMETOOLONG || err == ENOTDIR || err == EISDIR ||
	    err == ENOENT || err == ELOOP)
		return (DESKD_EINPUT);
	return (DESKD_ESYSTEM);
}

struct sink *
sink_open(const char *target, enum deskd_err *kind, char **cause)
{
	struct sink		*sk;
	struct stat		 sb;
	char			*real = NULL, *dir, *base, *copy1, *copy2;
	mode_t			 mode;
	int			 err;

	/* Writing through a symlink writes its target, as open() would. */
	if (lstat(target, &sb) == 0 && S_ISLNK(sb.st_mode))
		real = realpath(target, NULL);
	if (real == NULL)
		real = xstrdup(target);
	if (stat(real, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		*kind = DESKD_EINPUT;
		*cause = pyfmt_oserror(EISDIR, target);
		free(real);
		return (NULL);
	}
	if (sink_mkdir_parent(real, &err, cause) == -1) {
		*kind = sink_kind(err);
		free(real);
		return (NULL);
	}
	sk = xcalloc(1, sizeof *sk);
	sk->target = real;
	copy1 = xstrdup(real);
	copy2 = xstrdup(real);
	dir = dirname(copy1);
	base = basename(copy2);
	/* A legal name must not fail for its temporary's longer one. */
	if (strlen(base) + 14 > NAME_MAX)
		xasprintf(&sk->tmp, "%s/.deskd-XXXXXX", dir);
	else
		xasprintf(&sk->tmp, "%s/.%s.deskd-XXXXXX", dir, base);
	free(copy1);
	free(copy2);
	if ((sk->fd = mkostemp(sk->tmp, O_CLOEXEC)) == -1) {
		err = errno;
		*kind = sink_kind(err);
		*cause = pyfmt_oserror(err, real);
		free(sk->tmp);
		free(sk->target);
		free(sk);
		return (NULL);
	}
	/*
	 * mkstemp makes 0600: give what open() would (or keep the old
	 * permissions, never setuid, setgid or sticky bits: writing a file
	 * clears those, and an upload must not make a setuid program).
	 */
	if (stat(real, &sb) == 0)
		mode = sb.st_mode & 0777;
	else
		mode = 0666 & ~sink_umask;
	if (fchmod(sk->fd, mode) == -1) {
		*kind = DESKD_ESYSTEM;
		*cause = pyfmt_oserror(errno, real);
		sink_abort(sk);
		return (NULL);
	}
	return (sk);
}

int
sink_write(struct sink *sk, const void *data, size_t len, char **cause)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		n = write(sk->fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*cause = pyfmt_oserror(errno, sk->target);
			return (-1);
		}
		p += n;
		len -= n;
		sk->size += n;
	}
	return (0);
}

/* After a rename: make the new directory entry durable too. */
static void
sink_sync_dir(const char *path)
{
	char	*copy = xstrdup(path);
	int	 fd;

	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) !=
	    -1) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int
sink_commit(struct sink *sk, enum deskd_err *kind, char **cause)
{
	int	 rc = 0;

	/*
	 * The data reaches the disk before the name does: without it an
	 * answered upload could be a zero-length file after a power loss
	 * (ext4 delayed allocation; rename(2) orders nothing).  The
	 * temporary is beside the target: rename never crosses a mount.
	 */
	if (fsync(sk->fd) == -1 || rename(sk->tmp, sk->target) == -1) {
		*kind = sink_commit_kind(errno);
		*cause = pyfmt_oserror(errno, sk->target);
		rc = -1;
		unlink(sk->tmp);
	} else
		sink_sync_dir(sk->target);
	close(sk->fd);
	free(sk->tmp);
	free(sk->target);
	free(sk);
	return (rc);
}

void
sink_abort(struct sink *sk)
{
	if (sk == NULL)
		return;
	unlink(sk->tmp);
	close(sk->fd);
	free(sk->tmp);
	free(sk->target);
	free(sk);
}

off_t
sink_size(struct sink *sk)
{
	return (sk->size);
}

const char *
sink_target(struct sink *sk)
{
	return (sk->target);
}
