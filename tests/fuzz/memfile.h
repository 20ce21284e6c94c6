/*
 * tests/fuzz/memfile.h - the loaders of users, tokens, ACL and rules
 * files take a path; the harnesses give them the input as an in-memory
 * file (memfd_create), read back through /proc/self/fd/N.
 */
#ifndef LAB407_TESTS_MEMFILE_H
#define LAB407_TESTS_MEMFILE_H

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

/* Write data into a fresh in-memory file; path gets its name.  The fd is
 * closed with close().  -1 when the kernel refuses. */
static inline int memfile(const uint8_t *data, size_t size, char *path,
			  size_t cap)
{
	int fd = memfd_create("fuzz", 0);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
