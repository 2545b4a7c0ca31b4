// SPDX-License-Identifier: MIT
/*
 * xsk_ref: minimal AF_XDP reference receiver for the xdpfeed benchmarks.
 *
 * It does the same per-frame work as the TypeScript receiver it is compared
 * with, and nothing else, so the difference in throughput is the cost of the
 * JS/Wasm path rather than of a different amount of work:
 *   - take the UDP payload at the fixed offset 42 (Ethernet 14 + IPv4 20 +
 *     UDP 8; the generator never sends VLAN tags or IP options),
 *   - read the u64 little-endian sequence number at payload offset 0,
 *   - check payload[i] == (uint8_t)(seq * 131 + i) for i in 8..len-1,
 *   - mark seq in a bitmap to count unique frames and duplicates.
 *
 * Usage: xsk_ref --iface IF --queue Q --port P --count N --timeout-ms T
 *                [--busy-poll] [--bpf PATH]
 *
 * Prints READY once the socket is bound and the maps are populated, then one
 * JSON line with the result. Exit code 0 on success, 2 on error (one line on
 * stderr). Set XSK_REF_VERBOSE=1 to see libbpf/libxdp's own log output.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "xdpfeed.h"

#define NUM_FRAMES   4096
#define FRAME_SIZE   XSK_UMEM__DEFAULT_FRAME_SIZE
#define FILL_SIZE    2048
#define RX_SIZE      2048
#define BATCH        64
#define PAYLOAD_OFF  42 /* Ethernet 14 + IPv4 20 + UDP 8 */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/*
 * Every error path ends here. Exiting without unwinding is safe: the XDP
 * attachment is a bpf_link and the socket, UMEM and maps are file
 * descriptors, so the kernel detaches and frees all of it when we exit.
 */
static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("xsk_ref: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* libbpf prints multi-line logs (e.g. the verifier log) on its own; keep
 * stderr to the promised single line unless asked for more. */
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

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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
 * bench/.build/xsk_ref -> bpf/xdpfeed.bpf.o, independent of the cwd. */
static void default_bpf_path(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		die("readlink(/proc/self/exe): %s", strerror(errno));
	exe[n] = '\0';
	snprintf(out, len, "%s/../../bpf/xdpfeed.bpf.o", dirname(exe));
}

static void usage(void)
{
	die("usage: xsk_ref --iface IF --queue Q --port P --count N --timeout-ms T [--busy-poll] [--bpf PATH]");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "bpf", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *iface = NULL;
	char bpf_path[PATH_MAX] = "";
	unsigned long queue = ULONG_MAX, port = 0, count = 0, timeout_ms = 0;
	int busy_poll = 0, opt;

	double t_start = now_sec();

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'q': queue = parse_num("queue", optarg, XDPFEED_XSKS_MAX - 1); break;
		case 'p': port = parse_num("port", optarg, 65535); break;
		case 'c': count = parse_num("count", optarg, UINT32_MAX); break;
		case 't': timeout_ms = parse_num("timeout-ms", optarg, UINT32_MAX); break;
		case 'b': busy_poll = 1; break;
		case 'o': snprintf(bpf_path, sizeof(bpf_path), "%s", optarg); break;
		default: usage();
		}
	}
	if (optind != argc || !iface || queue == ULONG_MAX || !port || !count || !timeout_ms)
		usage();
	if (!bpf_path[0])
		default_bpf_path(bpf_path, sizeof(bpf_path));

	if (!getenv("XSK_REF_VERBOSE")) {
		libbpf_set_print(bpf_silent);
		libxdp_set_print(xdp_silent);
	}

	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Root has CAP_IPC_LOCK, but lift the limit anyway in case we run
	 * with only CAP_NET_ADMIN/CAP_BPF; failure is not fatal. */
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	setrlimit(RLIMIT_MEMLOCK, &rl);

	unsigned int ifindex = if_nametoindex(iface);
	if (!ifindex)
		die("if_nametoindex(%s): %s", iface, strerror(errno));

	/* --- XDP program: load it ourselves so the test does not depend on
	 * libxdp's default program or dispatcher. */
	struct bpf_object *obj = bpf_object__open_file(bpf_path, NULL);
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

	/* A bpf_link rather than a netlink attachment: the kernel detaches it
	 * when the last fd goes away, so a crashed or killed benchmark never
	 * leaves a program on the interface. Native first, generic if the
	 * driver has no XDP support. */
	const char *xdp_mode = "native";
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	int link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lopts);
	if (link_fd < 0) {
		int drv_err = errno;

		xdp_mode = "generic";
		lopts.flags = XDP_FLAGS_SKB_MODE;
		link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP, &lopts);
		if (link_fd < 0)
			die("bpf_link_create(%s): native: %s, generic: %s",
			    iface, strerror(drv_err), strerror(errno));
	}

	/* --- UMEM: page-aligned because the kernel pins it page by page. */
	size_t umem_len = (size_t)NUM_FRAMES * FRAME_SIZE;
	void *umem_area = mmap(NULL, umem_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (umem_area == MAP_FAILED)
		die("mmap(umem %zu bytes): %s", umem_len, strerror(errno));

	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp, rx;
	struct xsk_umem *umem;
	const struct xsk_umem_config ucfg = {
		.fill_size = FILL_SIZE,
		.comp_size = XSK_RING_CONS__DEFAULT_NUM_DESCS, /* unused: no TX */
		.frame_size = FRAME_SIZE,
		.frame_headroom = XSK_UMEM__DEFAULT_FRAME_HEADROOM,
		.flags = XSK_UMEM__DEFAULT_FLAGS,
	};
	err = xsk_umem__create(&umem, umem_area, umem_len, &fill, &comp, &ucfg);
	if (err)
		die("xsk_umem__create: %s", strerror(-err));

	/* --- Socket: RX only (tx NULL). INHIBIT_PROG_LOAD because our own
	 * program and xsks_map do the steering. Zero-copy first; if the
	 * driver can't (veth can't), libxdp lets us retry on the same UMEM. */
	struct xsk_socket *xsk;
	struct xsk_socket_config scfg = {
		.rx_size = RX_SIZE,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = 0,
		.bind_flags = XDP_USE_NEED_WAKEUP | XDP_ZEROCOPY,
	};
	const char *bind_mode = "zerocopy";
	err = xsk_socket__create(&xsk, iface, queue, umem, &rx, NULL, &scfg);
	if (err) {
		int zc_err = -err;

		bind_mode = "copy";
		scfg.bind_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
		err = xsk_socket__create(&xsk, iface, queue, umem, &rx, NULL, &scfg);
		if (err)
			die("xsk_socket__create(%s, queue %lu): zerocopy: %s, copy: %s",
			    iface, queue, strerror(zc_err), strerror(-err));
	}
	int xsk_fd = xsk_socket__fd(xsk);

	if (busy_poll) {
		/* Let recvfrom() run the driver's NAPI loop in our context
		 * instead of waiting for softirq. */
		int one = 1, usecs = 20, budget = BATCH;

		if (setsockopt(xsk_fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
		    setsockopt(xsk_fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
		    setsockopt(xsk_fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)))
			die("setsockopt(busy poll): %s", strerror(errno));
	}

	/* Hand the kernel the whole FILL ring up front. Only frames
	 * 0..FILL_SIZE-1 ever circulate: each received frame goes straight
	 * back to FILL, so FILL + RX + in-kernel always hold exactly these. */
	__u32 idx;
	if (xsk_ring_prod__reserve(&fill, FILL_SIZE, &idx) != FILL_SIZE)
		die("xsk_ring_prod__reserve(fill, %d) failed", FILL_SIZE);
	for (__u32 i = 0; i < FILL_SIZE; i++)
		*xsk_ring_prod__fill_addr(&fill, idx + i) = (__u64)i * FRAME_SIZE;
	xsk_ring_prod__submit(&fill, FILL_SIZE);

	/* Socket into xsks_map before the port is enabled, so no frame is
	 * redirected to an empty slot. */
	__u32 key = queue, val = xsk_fd;
	if (bpf_map_update_elem(xsks_fd, &key, &val, BPF_ANY))
		die("bpf_map_update_elem(xsks_map[%u]): %s", key, strerror(errno));
	key = port, val = 1;
	if (bpf_map_update_elem(ports_fd, &key, &val, BPF_ANY))
		die("bpf_map_update_elem(ports_map[%u]): %s", key, strerror(errno));

	uint64_t *seen = calloc((count + 63) / 64, sizeof(uint64_t));
	if (!seen)
		die("calloc(bitmap for %lu): %s", count, strerror(errno));

	printf("READY\n");
	fflush(stdout);

	/* --- Receive loop: busy-poll the RX ring, no poll(). */
	uint64_t frames = 0, unique = 0, duplicates = 0, bad = 0;
	double deadline = t_start + (double)timeout_ms / 1000.0;
	double t_first = 0, t_last = 0;

	while (!stop_flag && frames < count) {
		/* Never take more than we still need, so frames == count. */
		__u32 want = count - frames < BATCH ? (__u32)(count - frames) : BATCH;
		__u32 idx_rx, idx_fq;
		__u32 rcvd = xsk_ring_cons__peek(&rx, want, &idx_rx);

		if (!rcvd) {
			/* need_wakeup: the kernel stopped pulling from FILL
			 * and wants a syscall; busy-poll: the syscall *is*
			 * the NAPI poll. */
			if (busy_poll || xsk_ring_prod__needs_wakeup(&fill))
				recvfrom(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			if (now_sec() >= deadline)
				break;
			continue;
		}
		if (!frames)
			t_first = now_sec();

		/* Reserve FILL for the whole batch first; it cannot really
		 * fail (see above), but don't spin without a wakeup if it does. */
		while (xsk_ring_prod__reserve(&fill, rcvd, &idx_fq) != rcvd) {
			if (busy_poll || xsk_ring_prod__needs_wakeup(&fill))
				recvfrom(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			if (stop_flag)
				goto done;
		}

		for (__u32 i = 0; i < rcvd; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&rx, idx_rx + i);
			const uint8_t *pkt = xsk_umem__get_data(umem_area, d->addr);
			int ok = d->len >= PAYLOAD_OFF + 8;

			if (ok) {
				const uint8_t *pl = pkt + PAYLOAD_OFF;
				__u32 plen = d->len - PAYLOAD_OFF;
				uint64_t seq;

				memcpy(&seq, pl, sizeof(seq));
				seq = le64toh(seq);
				/* (uint8_t)(seq*131 + i) == (uint8_t)(seq*131) + i mod 256 */
				uint8_t expect = (uint8_t)(seq * 131 + 8);
				for (__u32 j = 8; j < plen; j++, expect++)
					if (pl[j] != expect) {
						ok = 0;
						break;
					}
				if (seq < count) {
					uint64_t bit = 1ULL << (seq & 63);

					if (seen[seq >> 6] & bit) {
						duplicates++;
					} else {
						seen[seq >> 6] |= bit;
						unique++;
					}
				} else {
					ok = 0;
				}
			}
			if (!ok)
				bad++;
			/* Recycle the frame: give back its base address (desc
			 * addr may carry an offset into the chunk). */
			*xsk_ring_prod__fill_addr(&fill, idx_fq + i) = d->addr & ~(__u64)(FRAME_SIZE - 1);
		}
		xsk_ring_prod__submit(&fill, rcvd);
		xsk_ring_cons__release(&rx, rcvd);
		if (xsk_ring_prod__needs_wakeup(&fill))
			recvfrom(xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);

		frames += rcvd;
		t_last = now_sec();
		if (t_last >= deadline)
			break;
	}

done:;
	struct xdp_statistics st = { 0 };
	socklen_t st_len = sizeof(st);
	if (getsockopt(xsk_fd, SOL_XDP, XDP_STATISTICS, &st, &st_len))
		die("getsockopt(XDP_STATISTICS): %s", strerror(errno));

	double seconds = frames ? t_last - t_first : 0.0;
	printf("{\"frames\":%llu,\"unique\":%llu,\"duplicates\":%llu,\"bad\":%llu,"
	       "\"seconds\":%.9f,\"framesPerSecond\":%.1f,\"xdpMode\":\"%s\",\"bindMode\":\"%s\","
	       "\"stats\":{\"rx_dropped\":%llu,\"rx_invalid_descs\":%llu,"
	       "\"rx_ring_full\":%llu,\"rx_fill_ring_empty_descs\":%llu}}\n",
	       (unsigned long long)frames, (unsigned long long)unique,
	       (unsigned long long)duplicates, (unsigned long long)bad,
	       seconds, seconds > 0 ? (double)frames / seconds : 0.0, xdp_mode, bind_mode,
	       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.rx_ring_full, (unsigned long long)st.rx_fill_ring_empty_descs);
	fflush(stdout);

	/* Teardown in reverse: detach first so nothing is redirected into a
	 * socket that is going away, then socket before the UMEM it uses. */
	close(link_fd);
	xsk_socket__delete(xsk);
	err = xsk_umem__delete(umem);
	if (err)
		die("xsk_umem__delete: %s", strerror(-err));
	munmap(umem_area, umem_len);
	bpf_object__close(obj);
	free(seen);
	return 0;
}
