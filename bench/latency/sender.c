// SPDX-License-Identifier: MIT
/*
 * lat_sender: the paced sender of the wire-to-strategy latency benchmark
 * (bench/latency/run.ts). A plain kernel UDP socket, one MoldUDP64 packet per
 * send, each holding ONE ITCH 5.0 Add Order ('A', 36 bytes):
 *
 *   UDP payload (58 bytes)
 *     0  session        10 ASCII    "XDPLATENCY"
 *    10  sequence       u64 BE      1, 2, 3, ... (packet k holds message k)
 *    18  count          u16 BE      1
 *    20  block length   u16 BE      36
 *    22  ITCH 'A'       36 bytes    type 'A', stockLocate 1, trackingNumber 0,
 *                                   timestamp u48 BE @27 of the payload (@5 of the
 *                                   message) = CLOCK_MONOTONIC ns mod 2^48, read
 *                                   just before sendto(); orderRef = sequence,
 *                                   side 'B', shares 100, stock "XLAT", price 100.0000
 *
 * A receiver computes its latency as (its CLOCK_MONOTONIC ns mod 2^48 - stamp)
 * mod 2^48: both ends share the host's monotonic clock.
 *
 * Pacing: packet k (0-based) is due at t0 + k * 1e9 / rate ns, a schedule
 * computed from the start (no drift); the sender busy-waits on CLOCK_MONOTONIC
 * until then. A packet that is late (the sender was preempted) leaves at once,
 * and so do the packets that fell due meanwhile: the schedule catches up.
 * Except after a long stall: a packet more than --max-late-us late (default
 * 1000) moves the schedule to now (t0 += its lateness, counted as
 * "rescheduled"), so that a stall of the shared machine is not followed by a
 * burst of thousands of back-to-back packets that no longer has the rate
 * being measured. Nothing is skipped.
 *
 * Usage: lat_sender --dst IPV4 --port P --count N --rate PPS [--src-port P]
 *                    [--max-late-us U] [--timeout-ms T]
 *
 * Sends exactly N packets (or fewer if T passes first), then prints one JSON
 * line: sent, seconds, packets/s, sendto errors retried, and how late the
 * sends were against the schedule. Exit 0, or 2 with one line on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD_LEN 58
#define STAMP_OFF   27
#define MASK48      ((1ULL << 48) - 1)

static void __attribute__((noreturn)) die(const char *msg)
{
	fprintf(stderr, "lat_sender: %s\n", msg);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned long num(const char *name, const char *s, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "invalid --%s '%s' (expected %lu..%lu)", name, s, min, max);
		die(msg);
	}
	return v;
}

static void put_be(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "src-port", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "max-late-us", required_argument, NULL, 'l' },
		{ 0 },
	};
	const char *dst = NULL;
	unsigned long port = 0, src_port = 0, count = 0, rate = 0, timeout_ms = 600000, max_late_us = 1000;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': dst = optarg; break;
		case 'p': port = num("port", optarg, 1, 65535); break;
		case 's': src_port = num("src-port", optarg, 1, 65535); break;
		case 'c': count = num("count", optarg, 1, 100000000); break;
		case 'r': rate = num("rate", optarg, 1, 10000000); break;
		case 't': timeout_ms = num("timeout-ms", optarg, 1, 86400000); break;
		case 'l': max_late_us = num("max-late-us", optarg, 1, 86400000000UL); break;
		default: die("usage: lat_sender --dst IPV4 --port P --count N --rate PPS [--src-port P] [--max-late-us U] [--timeout-ms T]");
		}
	}
	if (optind != argc || !dst || !port || !count || !rate)
		die("usage: lat_sender --dst IPV4 --port P --count N --rate PPS [--src-port P] [--max-late-us U] [--timeout-ms T]");

	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, dst, &to.sin_addr) != 1)
		die("--dst is not an IPv4 address");
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket(AF_INET, SOCK_DGRAM) failed");
	if (src_port) {
		struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = htons((uint16_t)src_port) };
		if (bind(fd, (struct sockaddr *)&from, sizeof(from)))
			die("bind(--src-port) failed");
	}

	uint8_t pkt[PAYLOAD_LEN];
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, "XDPLATENCY", 10);
	put_be(pkt + 18, 1, 2);            /* message count */
	put_be(pkt + 20, 36, 2);           /* block length */
	uint8_t *m = pkt + 22;
	m[0] = 'A';
	put_be(m + 1, 1, 2);               /* stock locate */
	put_be(m + 3, 0, 2);               /* tracking number */
	m[19] = 'B';                       /* side @19 (after orderRef @11) */
	put_be(m + 20, 100, 4);            /* shares */
	memcpy(m + 24, "XLAT    ", 8);     /* stock */
	put_be(m + 32, 1000000, 4);        /* price 100.0000 */

	const uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	/* A short lead so the first packet is not already late. */
	uint64_t t0 = now_ns() + 1000000ULL;
	const uint64_t max_late = (uint64_t)max_late_us * 1000ULL;
	uint64_t sent = 0, errors = 0, late1 = 0, late10 = 0, late100 = 0, late_max = 0, rescheduled = 0;
	uint64_t t_first = 0, t_last = 0;
	int timed_out = 0;

	for (uint64_t k = 0; k < count; k++) {
		/* Due time from the start: k * 1e9 / rate, exact in 64 bits. */
		const uint64_t due = t0 + k * 1000000000ULL / rate;
		uint64_t now;

		while ((now = now_ns()) < due)
			;
		if (now >= deadline) {
			timed_out = 1;
			break;
		}
		const uint64_t late = now - due;
		if (late > late_max)
			late_max = late;
		late1 += late > 1000;
		late10 += late > 10000;
		late100 += late > 100000;
		if (late > max_late) {
			t0 += late;
			rescheduled++;
		}

		put_be(pkt + 10, k + 1, 8);    /* MoldUDP64 sequence */
		put_be(m + 11, k + 1, 8);      /* orderRef */
		for (;;) {
			/* The stamp, just before sendto (again on a retry). */
			put_be(m + 5, now_ns() & MASK48, 6);
			if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)sizeof(pkt))
				break;
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				char msg[96];

				snprintf(msg, sizeof(msg), "sendto: %s", strerror(errno));
				die(msg);
			}
			errors++;
			if (now_ns() >= deadline) {
				timed_out = 1;
				goto done;
			}
		}
		t_last = now_ns();
		if (!sent)
			t_first = t_last;
		sent++;
	}
done:
	close(fd);
	double seconds = sent > 1 ? (double)(t_last - t_first) / 1e9 : 0.0;
	printf("{\"sent\":%llu,\"seconds\":%.6f,\"packetsPerSecond\":%.1f,\"rate\":%lu,"
	       "\"sendErrors\":%llu,\"timedOut\":%s,\"late\":{\"over1us\":%llu,\"over10us\":%llu,"
	       "\"over100us\":%llu,\"maxUs\":%.1f},\"rescheduled\":%llu}\n",
	       (unsigned long long)sent, seconds, seconds > 0 ? (double)(sent - 1) / seconds : 0.0, rate,
	       (unsigned long long)errors, timed_out ? "true" : "false", (unsigned long long)late1,
	       (unsigned long long)late10, (unsigned long long)late100, (double)late_max / 1000.0,
	       (unsigned long long)rescheduled);
	return 0;
}
