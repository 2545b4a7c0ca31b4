/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Shared between the XDP program (xdpfeed.bpf.c), the TypeScript loader and
 * userspace C (the benchmark). Plain #defines rather than enums so the
 * numbers are trivial to mirror in TypeScript and usable in BPF map
 * definitions. Map names are a contract: userspace finds maps by name.
 *
 *  map         type               key (u32)               value
 *  ----------  -----------------  ----------------------  ---------------------------------
 *  xsks_map    XSKMAP             rx queue index          AF_XDP socket fd (u32); 64 entries.
 *                                                         An empty slot makes the redirect
 *                                                         fall back to XDP_PASS.
 *  ports_map   ARRAY              UDP dst port, host      u32, non-zero = redirect this port.
 *                                 byte order (0..65535)   65536 entries: one lookup, no hashing.
 *  config_map  ARRAY              0 (single entry)        struct xdpfeed_config (24 bytes)
 *  stats_map   PERCPU_ARRAY       XDPFEED_STAT_*          u64 counter per CPU; sum the CPUs.
 *
 * Stats semantics:
 *  REDIRECTED  bpf_redirect_map() returned XDP_REDIRECT.
 *  PASSED      every XDP_PASS, whatever the reason (so PASSED + REDIRECTED
 *              = all frames seen).
 *  TOO_SHORT   EtherType said VLAN/IPv4/IPv6 but the headers up to and
 *              including UDP did not fit, or IPv4 ihl < 5. Also in PASSED.
 *  NO_SOCKET   port matched but xsks_map had no socket for the rx queue.
 *              Also in PASSED.
 */
#ifndef XDPFEED_H
#define XDPFEED_H

#include <linux/types.h>

#define XDPFEED_XSKS_MAP_NAME   "xsks_map"
#define XDPFEED_PORTS_MAP_NAME  "ports_map"
#define XDPFEED_CONFIG_MAP_NAME "config_map"
#define XDPFEED_STATS_MAP_NAME  "stats_map"
#define XDPFEED_PROG_NAME       "xdpfeed_redirect"

#define XDPFEED_XSKS_MAX   64
#define XDPFEED_PORTS_MAX  65536
#define XDPFEED_CONFIG_MAX 1
#define XDPFEED_STATS_MAX  4

#define XDPFEED_STAT_REDIRECTED 0
#define XDPFEED_STAT_PASSED     1
#define XDPFEED_STAT_TOO_SHORT  2
#define XDPFEED_STAT_NO_SOCKET  3

/* Each bit governs only its own address family; clear = any address. */
#define XDPFEED_MATCH_IPV4 (1u << 0)
#define XDPFEED_MATCH_IPV6 (1u << 1)

struct xdpfeed_config {
	__u32 flags;        /* XDPFEED_MATCH_* */
	__u32 dst_ipv4;     /* network byte order, as it appears in the header */
	__u8  dst_ipv6[16]; /* network byte order */
};

#if !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct xdpfeed_config) == 24, "config layout is ABI");
#endif

#endif /* XDPFEED_H */
