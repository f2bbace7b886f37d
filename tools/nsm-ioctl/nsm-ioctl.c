/*
 * k8s-daas-nsm: passes one Nitro Security Module request through the NSM device's ioctl.
 *
 *   k8s-daas-nsm [DEVICE] < request.cbor > response.cbor
 *
 * Node.js cannot issue an ioctl, so nautilus-control runs this once per request inside
 * the enclave (src/tee/nsm.ts). It knows nothing of CBOR: it reads the request bytes
 * from stdin, hands them to the driver (NSM_IOCTL_REQUEST with a struct of two iovecs,
 * as the Linux nsm driver defines it), and writes the response bytes to stdout. Exit 0 on
 * success; otherwise 1 with the reason on stderr. DEVICE defaults to /dev/nsm.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

/* Limits of the Linux nsm driver (drivers/misc/nsm.c): 4 KiB in, 12 KiB out. */
#define NSM_REQUEST_MAX 0x1000
#define NSM_RESPONSE_MAX 0x3000

struct nsm_message {
    struct iovec request;
    struct iovec response;
};

/* _IOWR(0x0A, 0, struct nsm_message), from the driver's uapi header. */
#define NSM_IOCTL_REQUEST _IOWR(0x0A, 0, struct nsm_message)

static int fail(const char *what) {
    fprintf(stderr, "k8s-daas-nsm: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv) {
    const char *device = argc > 1 ? argv[1] : "/dev/nsm";
    static uint8_t request[NSM_REQUEST_MAX + 1];
    static uint8_t response[NSM_RESPONSE_MAX];
    size_t length = 0;
    for (;;) {
        ssize_t got = read(STDIN_FILENO, request + length, sizeof request - length);
        if (got < 0) {
            if (errno == EINTR) continue;
            return fail("reading the request");
        }
        if (got == 0) break;
        length += (size_t)got;
        if (length > NSM_REQUEST_MAX) {
            fprintf(stderr, "k8s-daas-nsm: request over %d bytes\n", NSM_REQUEST_MAX);
            return 1;
        }
    }
    if (length == 0) {
        fprintf(stderr, "k8s-daas-nsm: empty request on stdin\n");
        return 1;
    }
    int fd = open(device, O_RDWR | O_CLOEXEC);
    if (fd < 0) return fail(device);
    struct nsm_message message = {
        .request = {.iov_base = request, .iov_len = length},
        .response = {.iov_base = response, .iov_len = sizeof response},
    };
    if (ioctl(fd, NSM_IOCTL_REQUEST, &message) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return fail("NSM ioctl");
    }
    close(fd);
    size_t written = 0;
    while (written < message.response.iov_len) {
        ssize_t put = write(STDOUT_FILENO, response + written, message.response.iov_len - written);
        if (put < 0) {
            if (errno == EINTR) continue;
            return fail("writing the response");
        }
        written += (size_t)put;
    }
    return 0;
}
