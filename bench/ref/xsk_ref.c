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
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xsk_rx.h"

#define PAYLOAD_OFF  42 /* Ethernet 14 + IPv4 20 + UDP 8 */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

	quiet_libs("XSK_REF_VERBOSE");

	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct xsk_rx r;
	xsk_rx_open(&r, iface, queue, port, bpf_path, busy_poll);

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
		__u32 rcvd = xsk_ring_cons__peek(&r.rx, want, &idx_rx);

		if (!rcvd) {
			/* need_wakeup: the kernel stopped pulling from FILL
			 * and wants a syscall; busy-poll: the syscall *is*
			 * the NAPI poll. */
			if (busy_poll || xsk_ring_prod__needs_wakeup(&r.fill))
				recvfrom(r.xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			if (now_sec() >= deadline)
				break;
			continue;
		}
		if (!frames)
			t_first = now_sec();

		/* Reserve FILL for the whole batch first; it cannot really
		 * fail (see above), but don't spin without a wakeup if it does. */
		while (xsk_ring_prod__reserve(&r.fill, rcvd, &idx_fq) != rcvd) {
			if (busy_poll || xsk_ring_prod__needs_wakeup(&r.fill))
				recvfrom(r.xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			if (stop_flag)
				goto done;
		}

		for (__u32 i = 0; i < rcvd; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&r.rx, idx_rx + i);
			const uint8_t *pkt = xsk_umem__get_data(r.umem_area, d->addr);
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
			*xsk_ring_prod__fill_addr(&r.fill, idx_fq + i) = d->addr & ~(__u64)(FRAME_SIZE - 1);
		}
		xsk_ring_prod__submit(&r.fill, rcvd);
		xsk_ring_cons__release(&r.rx, rcvd);
		if (xsk_ring_prod__needs_wakeup(&r.fill))
			recvfrom(r.xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);

		frames += rcvd;
		t_last = now_sec();
		if (t_last >= deadline)
			break;
	}

done:;
	struct xdp_statistics st = { 0 };
	socklen_t st_len = sizeof(st);
	if (getsockopt(r.xsk_fd, SOL_XDP, XDP_STATISTICS, &st, &st_len))
		die("getsockopt(XDP_STATISTICS): %s", strerror(errno));

	double seconds = frames ? t_last - t_first : 0.0;
	printf("{\"frames\":%llu,\"unique\":%llu,\"duplicates\":%llu,\"bad\":%llu,"
	       "\"seconds\":%.9f,\"framesPerSecond\":%.1f,\"xdpMode\":\"%s\",\"bindMode\":\"%s\","
	       "\"stats\":{\"rx_dropped\":%llu,\"rx_invalid_descs\":%llu,"
	       "\"rx_ring_full\":%llu,\"rx_fill_ring_empty_descs\":%llu}}\n",
	       (unsigned long long)frames, (unsigned long long)unique,
	       (unsigned long long)duplicates, (unsigned long long)bad,
	       seconds, seconds > 0 ? (double)frames / seconds : 0.0, r.xdp_mode, r.bind_mode,
	       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.rx_ring_full, (unsigned long long)st.rx_fill_ring_empty_descs);
	fflush(stdout);

	xsk_rx_close(&r);
	free(seen);
	return 0;
}
