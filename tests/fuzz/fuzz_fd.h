/* For fuzz targets that read a file through infile: the input as the
 * whole content of one unlinked temporary file, reused from input to
 * input.  The descriptor is at offset 0. */
#ifndef MXRAY_FUZZ_FD_H
#define MXRAY_FUZZ_FD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int fuzz_input_fd(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0) {
		char path[] = "/tmp/mxray-fuzz-XXXXXX";
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		unlink(path);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

#endif
