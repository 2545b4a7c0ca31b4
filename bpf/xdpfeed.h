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
 *  NO_META     redirected without receive metadata: bpf_xdp_adjust_meta()
 *              failed (a driver without metadata support). Also in
 *              REDIRECTED.
 *  HW_TS       redirected with a NIC timestamp in the metadata
 *              (XDPFEED_META_HW_TS). Also in REDIRECTED.
 *
 * Receive metadata. Every redirected frame carries, in the XDP metadata area
 * right in front of its data (bpf_xdp_adjust_meta), a struct xdpfeed_meta:
 * its last byte is the byte before the frame's first byte, in the UMEM too
 * (AF_XDP copy mode copies the metadata with the frame; zero-copy leaves it
 * in place). Readers check the magic, then clear it, so that a later frame
 * in the same UMEM chunk that arrives without metadata is not misread.
 *
 *  offset  field   type  meaning
 *  0       magic   u32   XDPFEED_META_MAGIC
 *  4       flags   u32   XDPFEED_META_HW_TS: hw_ts is valid
 *  8       ktime   u64   bpf_ktime_get_ns() at the redirect: CLOCK_MONOTONIC ns
 *  16      hw_ts   u64   the driver's bpf_xdp_metadata_rx_timestamp() (ns, the
 *                        NIC's clock), 0 when it has none
 *
 * Two programs, one object: XDPFEED_PROG_NAME asks nothing of the driver and
 * loads anywhere; XDPFEED_PROG_HW_NAME (section "?xdp": not loaded unless
 * asked for) also calls the metadata kfunc, which the kernel (6.3+) allows
 * only in a program loaded bound to its device (prog_ifindex and
 * BPF_F_XDP_DEV_BOUND_ONLY) and attached in native mode.
 */
#ifndef XDPFEED_H
#define XDPFEED_H

#include <linux/types.h>

#define XDPFEED_XSKS_MAP_NAME   "xsks_map"
#define XDPFEED_PORTS_MAP_NAME  "ports_map"
#define XDPFEED_CONFIG_MAP_NAME "config_map"
#define XDPFEED_STATS_MAP_NAME  "stats_map"
#define XDPFEED_PROG_NAME       "xdpfeed_redirect"
#define XDPFEED_PROG_HW_NAME    "xdpfeed_redirect_hw"

#define XDPFEED_XSKS_MAX   64
#define XDPFEED_PORTS_MAX  65536
#define XDPFEED_CONFIG_MAX 1
#define XDPFEED_STATS_MAX  6

#define XDPFEED_STAT_REDIRECTED 0
#define XDPFEED_STAT_PASSED     1
#define XDPFEED_STAT_TOO_SHORT  2
#define XDPFEED_STAT_NO_SOCKET  3
#define XDPFEED_STAT_NO_META    4
#define XDPFEED_STAT_HW_TS      5

/* Each bit governs only its own address family; clear = any address. */
#define XDPFEED_MATCH_IPV4 (1u << 0)
#define XDPFEED_MATCH_IPV6 (1u << 1)

struct xdpfeed_config {
	__u32 flags;        /* XDPFEED_MATCH_* */
	__u32 dst_ipv4;     /* network byte order, as it appears in the header */
	__u8  dst_ipv6[16]; /* network byte order */
};

/* "XDPF" in memory order (little-endian u32). */
#define XDPFEED_META_MAGIC 0x46504458u
#define XDPFEED_META_HW_TS (1u << 0)
/* A multiple of 4 and at most 32, as the kernel requires of metadata. */
#define XDPFEED_META_SIZE  24

struct xdpfeed_meta {
	__u32 magic; /* XDPFEED_META_MAGIC */
	__u32 flags; /* XDPFEED_META_HW_TS */
	__u64 ktime; /* CLOCK_MONOTONIC ns */
	__u64 hw_ts; /* NIC timestamp, ns */
};

#if !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct xdpfeed_config) == 24, "config layout is ABI");
_Static_assert(sizeof(struct xdpfeed_meta) == XDPFEED_META_SIZE, "metadata layout is ABI");
#endif

#endif /* XDPFEED_H */
