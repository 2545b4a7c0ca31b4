// SPDX-License-Identifier: MIT
/*
 * xsk_rx.h: the set-up both C receivers of the benchmarks share (bench/ref/xsk_ref.c, the
 * receive-rate baseline, and bench/latency/xsk_lat.c, the latency baseline): one-line errors,
 * the command line's numbers, and an AF_XDP RX socket on the project's own XDP object.
 *
 *   - the program is loaded here (not libxdp's default program or dispatcher) and attached as a
 *     bpf_link: the kernel detaches it when the last fd goes away, so a crashed or killed
 *     benchmark never leaves a program on the interface. Native first, generic if the driver
 *     has no XDP support;
 *   - the UMEM is page-aligned (the kernel pins it page by page), NUM_FRAMES of FRAME_SIZE;
 *   - the socket is RX only, INHIBIT_PROG_LOAD (our program and xsks_map steer); zero-copy
 *     first, copy if the driver cannot (veth cannot), on the same UMEM;
 *   - the whole FILL ring is handed over up front: only frames 0..FILL_SIZE-1 ever circulate,
 *     each received frame going straight back to FILL;
 *   - the socket goes into xsks_map before the port is enabled, so no frame is redirected to an
 *     empty slot.
 *
 * Every error path ends in die(): exiting without unwinding is safe, the attachment, socket,
 * UMEM and maps being file descriptors the kernel frees at exit.
 */
#ifndef XSK_RX_H
#define XSK_RX_H

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "xdpfeed.h"

#define NUM_FRAMES  4096
#define FRAME_SIZE  XSK_UMEM__DEFAULT_FRAME_SIZE
#define FILL_SIZE   2048
#define RX_SIZE     2048
#define BATCH       64

/* One line on stderr, prefixed with the program's name; exit status 2. */
static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static unsigned long parse_num(const char *name, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		die("invalid %s: '%s'", name, s);
	return v;
}

/* Default object path: <dir of this binary>/../../bpf/xdpfeed.bpf.o, i.e.
 * bench/.build/NAME -> bpf/xdpfeed.bpf.o, independent of the cwd. */
static void default_bpf_path(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		die("readlink(/proc/self/exe): %s", strerror(errno));
	exe[n] = '\0';
	snprintf(out, len, "%s/../../bpf/xdpfeed.bpf.o", dirname(exe));
}

static int bpf_silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int xdp_silent(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* libbpf and libxdp print multi-line logs (the verifier's) on their own: keep stderr to the
 * promised single line unless the environment variable `verbose` is set. */
static void quiet_libs(const char *verbose)
{
	if (!getenv(verbose)) {
		libbpf_set_print(bpf_silent);
		libxdp_set_print(xdp_silent);
	}
}

struct xsk_rx {
	struct bpf_object *obj;
	int link_fd;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp, rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	void *umem_area;
	size_t umem_len;
	int xsk_fd;
	const char *xdp_mode;  /* "native" | "generic" */
	const char *bind_mode; /* "zerocopy" | "copy" */
};

/* Opens r on iface/queue for UDP port `port`; busy_poll: SO_PREFER_BUSY_POLL and friends. */
static void xsk_rx_open(struct xsk_rx *r, const char *iface, unsigned long queue, unsigned long port,
			const char *bpf_path, int busy_poll)
{
	/* Root has CAP_IPC_LOCK, but lift the limit anyway in case we run with only
	 * CAP_NET_ADMIN/CAP_BPF; failure is not fatal. */
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_MEMLOCK, &rl);

	unsigned int ifindex = if_nametoindex(iface);
	if (!ifindex)
		die("if_nametoindex(%s): %s", iface, strerror(errno));

	struct bpf_object *obj = r->obj = bpf_object__open_file(bpf_path, NULL);
	if (!obj)
		die("bpf_object__open_file(%s): %s", bpf_path, strerror(errno));
	int err = bpf_object__load(obj);
	if (err)
		die("bpf_object__load(%s): %s", bpf_path, strerror(-err));
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, XDPFEED_PROG_NAME);
	if (!prog)
		die("program %s not found in %s", XDPFEED_PROG_NAME, bpf_path);
	int xsks_fd = bpf_object__find_map_fd_by_name(obj, XDPFEED_XSKS_MAP_NAME);
	int ports_fd = bpf_object__find_map_fd_by_name(obj, XDPFEED_PORTS_MAP_NAME);
	if (xsks_fd < 0 || ports_fd < 0)
		die("xsks_map/ports_map not found in %s", bpf_path);

	r->xdp_mode = "native";
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	int link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lopts);
	if (link_fd < 0) {
		int drv_err = errno;

		r->xdp_mode = "generic";
		lopts.flags = XDP_FLAGS_SKB_MODE;
		link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lopts);
		if (link_fd < 0)
			die("bpf_link_create(%s): native: %s, generic: %s", iface, strerror(drv_err), strerror(errno));
	}
	r->link_fd = link_fd;

	r->umem_len = (size_t)NUM_FRAMES * FRAME_SIZE;
	r->umem_area = mmap(NULL, r->umem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->umem_area == MAP_FAILED)
		die("mmap(umem %zu bytes): %s", r->umem_len, strerror(errno));
	const struct xsk_umem_config ucfg = {
		.fill_size = FILL_SIZE,
		.comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS, /* unused: no TX */
		.frame_size = FRAME_SIZE,
		.frame_headroom = XSK_UMEM__DEFAULT_FRAME_HEADROOM,
		.flags = XSK_UMEM__DEFAULT_FLAGS,
	};
	err = xsk_umem__create(&r->umem, r->umem_area, r->umem_len, &r->fill, &r->comp, &ucfg);
	if (err)
		die("xsk_umem__create: %s", strerror(-err));

	struct xsk_socket_config scfg = {
		.rx_size = RX_SIZE,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = 0,
		.bind_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY,
	};
	r->bind_mode = "zerocopy";
	err = xsk_socket__create(&r->xsk, iface, queue, r->umem, &r->rx, NULL, &scfg);
	if (err) {
		int zc_err = -err;

		r->bind_mode = "copy";
		scfg.bind_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
		err = xsk_socket__create(&r->xsk, iface, queue, r->umem, &r->rx, NULL, &scfg);
		if (err)
			die("xsk_socket__create(%s, queue %lu): zerocopy: %s, copy: %s",
			    iface, queue, strerror(zc_err), strerror(-err));
	}
	r->xsk_fd = xsk_socket__fd(r->xsk);

	if (busy_poll) {
		/* Let recvfrom() run the driver's NAPI loop in our context instead of waiting for softirq. */
		int one = 1, usecs = 20, budget = BATCH;

		if (setsockopt(r->xsk_fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
		    setsockopt(r->xsk_fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
		    setsockopt(r->xsk_fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)))
			die("setsockopt(busy poll): %s", strerror(errno));
	}

	__u32 idx;
	if (xsk_ring_prod__reserve(&r->fill, FILL_SIZE, &idx) != FILL_SIZE)
		die("xsk_ring_prod__reserve(fill, %d) failed", FILL_SIZE);
	for (__u32 i = 0; i < FILL_SIZE; i++)
		*xsk_ring_prod__fill_addr(&r->fill, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&r->fill, FILL_SIZE);

	__u32 key = queue, val = r->xsk_fd;
	if (bpf_map_update_elem(xsks_fd, &key, &val, BPF_ANY))
		die("bpf_map_update_elem(xsks_map[%u]): %s", key, strerror(errno));
	key = port, val = 1;
	if (bpf_map_update_elem(ports_fd, &key, &val, BPF_ANY))
		die("bpf_map_update_elem(ports_map[%u]): %s", key, strerror(errno));
}

/* Teardown in reverse: detach first so nothing is redirected into a socket that is going away,
 * then the socket before the UMEM it uses. */
static void xsk_rx_close(struct xsk_rx *r)
{
	close(r->link_fd);
	xsk_socket__delete(r->xsk);
	int err = xsk_umem__delete(r->umem);
	if (err)
		die("xsk_umem__delete: %s", strerror(-err));
	munmap(r->umem_area, r->umem_len);
	bpf_object__close(r->obj);
}

#endif
