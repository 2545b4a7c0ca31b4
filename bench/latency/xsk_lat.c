// SPDX-License-Identifier: MIT
/*
 * xsk_lat: the C baseline of the wire-to-strategy latency benchmark
 * (bench/latency/run.ts): a minimal busy-polling libxdp receiver, set up by
 * bench/ref/xsk_rx.h as bench/ref/xsk_ref.c is (the same XDP object and maps,
 * native XDP, copy or zero-copy bind, FILL ring handed over up front), that reads each packet of
 * bench/latency/sender.c and records its latency:
 *
 *   - read CLOCK_MONOTONIC as soon as the packet is taken from the RX ring,
 *   - parse Ethernet / IPv4 (IHL) / UDP, check the destination port, then the
 *     MoldUDP64 header (sequence, count 1) and the one ITCH 'A' message,
 *   - latency = (now mod 2^48 - the message's 48-bit timestamp) mod 2^48,
 *   - packets with sequence <= --warmup are not recorded; the others go into
 *     a preallocated array of samples (no allocation, no syscall per packet),
 *     and a bitmap counts them once (duplicates apart).
 *
 * It stops after the packet with sequence --count, after --timeout-ms, or on
 * SIGINT/SIGTERM, sorts the samples and prints one JSON line with the same
 * fields as the JavaScript receivers (bench/latency/rx-*.mjs): received,
 * duplicates, min/p50/p90/p99/p99.9/max/mean in ns, and the percentile
 * distribution as HdrHistogram's percentile output lists it ("dist": rows of
 * [percentile, value ns, count of samples <= value], five rows per halving of
 * 1 - percentile, as bench/latency/hist.mjs computes them). Values are exact
 * (sorted samples); the JavaScript receivers' come from an HDR histogram with
 * 3 significant digits.
 *
 * Usage: xsk_lat --iface IF --queue Q --port P --count N --warmup W
 *                --timeout-ms T [--bpf PATH]
 *
 * Prints READY once it can receive. Exit 0, or 2 with one line on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xsk_rx.h"

#define MASK48      ((1ULL << 48) - 1)
#define MAX_SAMPLE  0x7fffffffULL /* ns: latencies above ~2.1 s are clamped (as in hist.mjs) */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t be(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The sample at percentile p (0..100] of n sorted samples: the smallest value
 * with at least p% of the samples at or below it (HdrHistogram's definition). */
static uint32_t at_percentile(const uint32_t *s, uint64_t n, double p)
{
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return s[rank - 1];
}

/* Samples <= v in the sorted array (binary search for the upper bound). */
static uint64_t count_upto(const uint32_t *s, uint64_t n, uint32_t v)
{
	uint64_t lo = 0, hi = n;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (s[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void usage(void)
{
	die("usage: xsk_lat --iface IF --queue Q --port P --count N --warmup W --timeout-ms T [--bpf PATH]");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "bpf", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *iface = NULL;
	char bpf_path[PATH_MAX] = "";
	unsigned long queue = 0, port = 0, count = 0, warmup = ULONG_MAX, timeout_ms = 0;
	int opt;
	const uint64_t t_start = now_ns();

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': iface = optarg; break;
		case 'q': queue = parse_num("queue", optarg, XDPFEED_XSKS_MAX - 1); break;
		case 'p': port = parse_num("port", optarg, 65535); break;
		case 'c': count = parse_num("count", optarg, 100000000); break;
		case 'w': warmup = parse_num("warmup", optarg, 100000000); break;
		case 't': timeout_ms = parse_num("timeout-ms", optarg, 86400000); break;
		case 'o': snprintf(bpf_path, sizeof(bpf_path), "%s", optarg); break;
		default: usage();
		}
	}
	if (optind != argc || !iface || !port || !count || warmup >= count || !timeout_ms)
		usage();
	if (!bpf_path[0])
		default_bpf_path(bpf_path, sizeof(bpf_path));
	quiet_libs("XSK_LAT_VERBOSE");

	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct xsk_rx r;
	xsk_rx_open(&r, iface, queue, port, bpf_path, 0);

	/* Everything the loop touches, allocated and touched before READY. */
	const uint64_t measured = count - warmup;
	uint32_t *samples = malloc(measured * sizeof(uint32_t));
	uint8_t *seen = calloc(count + 1, 1);
	if (!samples || !seen)
		die("malloc(samples for %lu packets) failed", count);
	memset(samples, 0, measured * sizeof(uint32_t));

	printf("READY\n");
	fflush(stdout);

	uint64_t n = 0, warm = 0, duplicates = 0, out_of_range = 0, bad = 0, frames = 0;
	const uint64_t deadline = t_start + (uint64_t)timeout_ms * 1000000ULL;
	int done = 0;

	while (!stop_flag && !done) {
		__u32 idx_rx, idx_fq;
		__u32 rcvd = xsk_ring_cons__peek(&r.rx, BATCH, &idx_rx);

		if (!rcvd) {
			if (xsk_ring_prod__needs_wakeup(&r.fill))
				recvfrom(r.xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			if (now_ns() >= deadline)
				break;
			continue;
		}
		while (xsk_ring_prod__reserve(&r.fill, rcvd, &idx_fq) != rcvd) {
			if (xsk_ring_prod__needs_wakeup(&r.fill))
				recvfrom(r.xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
			if (stop_flag)
				goto out;
		}
		for (__u32 i = 0; i < rcvd; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&r.rx, idx_rx + i);
			const uint8_t *f = xsk_umem__get_data(r.umem_area, d->addr);
			const uint64_t now = now_ns();
			const uint32_t len = d->len;

			frames++;
			*xsk_ring_prod__fill_addr(&r.fill, idx_fq + i) = d->addr & ~(__u64)(FRAME_SIZE - 1);
			/* Ethernet (no VLAN), IPv4 with its IHL, UDP to our port. */
			if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4) {
				bad++;
				continue;
			}
			const uint32_t l4 = 14 + (uint32_t)(f[14] & 15) * 4;
			if (f[23] != 17 || len < l4 + 8 || be(f + l4 + 2, 2) != port) {
				bad++;
				continue;
			}
			const uint8_t *pl = f + l4 + 8;
			/* MoldUDP64: 20-byte header, count 1, one 36-byte 'A' message. */
			if (len < l4 + 8 + 58 || be(pl + 18, 2) != 1 || be(pl + 20, 2) != 36 || pl[22] != 'A') {
				bad++;
				continue;
			}
			const uint64_t seq = be(pl + 10, 8);
			const uint64_t stamp = be(pl + 27, 6);
			if (seq < 1 || seq > count) {
				out_of_range++;
				continue;
			}
			if (seen[seq]) {
				duplicates++;
				continue;
			}
			seen[seq] = 1;
			if (seq == count)
				done = 1;
			if (seq <= warmup) {
				warm++;
				continue;
			}
			uint64_t lat = ((now & MASK48) - stamp) & MASK48;
			if (lat > MAX_SAMPLE)
				lat = MAX_SAMPLE;
			samples[n++] = (uint32_t)lat;
		}
		xsk_ring_prod__submit(&r.fill, rcvd);
		xsk_ring_cons__release(&r.rx, rcvd);
		if (xsk_ring_prod__needs_wakeup(&r.fill))
			recvfrom(r.xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		if (now_ns() >= deadline)
			break;
	}
out:;
	struct xdp_statistics st = { 0 };
	socklen_t st_len = sizeof(st);
	if (getsockopt(r.xsk_fd, SOL_XDP, XDP_STATISTICS, &st, &st_len))
		die("getsockopt(XDP_STATISTICS): %s", strerror(errno));
	xsk_rx_close(&r);

	qsort(samples, n, sizeof(uint32_t), cmp_u32);
	double sum = 0, sumsq = 0;
	for (uint64_t i = 0; i < n; i++) {
		sum += samples[i];
		sumsq += (double)samples[i] * samples[i];
	}
	const double mean = n ? sum / (double)n : 0;
	const double var = n ? sumsq / (double)n - mean * mean : 0;
	printf("{\"receiver\":\"c\",\"count\":%lu,\"warmup\":%lu,\"received\":%llu,\"warmupReceived\":%llu,"
	       "\"duplicates\":%llu,\"outOfRange\":%llu,\"bad\":%llu,\"frames\":%llu,\"stopped\":\"%s\","
	       "\"xdpMode\":\"%s\",\"bindMode\":\"%s\",",
	       count, warmup, (unsigned long long)n, (unsigned long long)warm, (unsigned long long)duplicates,
	       (unsigned long long)out_of_range, (unsigned long long)bad, (unsigned long long)frames,
	       done ? "last" : stop_flag ? "signal" : "timeout", r.xdp_mode, r.bind_mode);
	printf("\"stats\":{\"rx_dropped\":%llu,\"rx_invalid_descs\":%llu,\"rx_ring_full\":%llu,\"rx_fill_ring_empty_descs\":%llu},",
	       (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
	       (unsigned long long)st.rx_ring_full, (unsigned long long)st.rx_fill_ring_empty_descs);
	if (n) {
		printf("\"ns\":{\"min\":%u,\"p50\":%u,\"p90\":%u,\"p99\":%u,\"p999\":%u,\"max\":%u,\"mean\":%.1f,\"stddev\":%.1f},\"dist\":[",
		       samples[0], at_percentile(samples, n, 50), at_percentile(samples, n, 90),
		       at_percentile(samples, n, 99), at_percentile(samples, n, 99.9), samples[n - 1], mean,
		       var > 0 ? sqrt(var) : 0.0);
		/* HdrHistogram's percentile levels: 5 per halving of (100 - p). */
		double p = 0;
		for (int first = 1;; first = 0) {
			uint32_t v = p > 0 ? at_percentile(samples, n, p) : samples[0];
			uint64_t c = count_upto(samples, n, v);
			uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)n);

			printf("%s[%.12g,%u,%llu]", first ? "" : ",", p, v, (unsigned long long)c);
			if (p >= 100)
				break;
			/* The last level below 100% is the one that reaches the last sample. */
			if (rank >= n) {
				p = 100;
				continue;
			}
			double ticks = 5.0 * pow(2.0, floor(log2(100.0 / (100.0 - p))) + 1);
			p += 100.0 / ticks;
		}
		printf("]}\n");
	} else {
		printf("\"ns\":null,\"dist\":[]}\n");
	}
	fflush(stdout);
	free(samples);
	free(seen);
	return 0;
}
