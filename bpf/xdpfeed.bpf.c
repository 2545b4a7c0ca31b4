// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * xdpfeed: steer market-data UDP into AF_XDP sockets, leave everything else
 * to the kernel so the host stays reachable (ARP, ICMP, SSH, ...).
 * Map layout and stat meanings: see xdpfeed.h.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdpfeed.h"

/* linux/if_vlan.h is not UAPI, so the 4-byte tag is spelled out here. */
struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* Local names: the in6.h IPPROTO_* ones sit behind libc-compat guards. */
#define NH_HOPOPTS  0
#define NH_ROUTING  43
#define NH_DSTOPTS  60

#define IP_FRAG_OFFSET 0x1fff
#define VLAN_MAX 2
#define IPV6_EXT_MAX 4

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDPFEED_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* An array indexed by port costs one bounds check, no hashing, and
 * userspace can toggle ports without the program caring. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFEED_PORTS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} ports_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPFEED_CONFIG_MAX);
	__type(key, __u32);
	__type(value, struct xdpfeed_config);
} config_map SEC(".maps");

/* Per-CPU so the hot path needs no atomics; userspace sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPFEED_STATS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats_map SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&stats_map, &idx);

	if (c)
		*c += 1;
}

/* The NIC's receive timestamp (kernel 6.3+, drivers with xdp_metadata_ops):
 * 0 on success, -ENODATA when the frame has none, -EOPNOTSUPP when the driver
 * has no such hook. Callable only from a device-bound program. Some drivers
 * return 0 with a zero timestamp when they have none (veth, for a frame that
 * came as an skb without a hardware stamp): zero counts as none.
 * __weak: on a kernel without it the object still loads (libbpf fails a whole
 * object over an unresolved strong kfunc, even one in a program it does not
 * load); only xdpfeed_redirect_hw then fails to load, and the loader falls
 * back to xdpfeed_redirect. */
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, __u64 *timestamp) __ksym __weak;

/* Writes the receive metadata in front of the frame (layout: xdpfeed.h). The
 * redirect itself happens after the program returns, so moving data_meta
 * after bpf_redirect_map() is fine. */
static __always_inline void stamp(struct xdp_md *ctx, const int hw)
{
	struct xdpfeed_meta *m;
	__u64 now = bpf_ktime_get_ns(), ts = 0;
	__u32 flags = 0;

	if (hw && bpf_xdp_metadata_rx_timestamp(ctx, &ts) == 0 && ts != 0)
		flags = XDPFEED_META_HW_TS;
	else
		ts = 0;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)) != 0)
		goto none;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		goto none;
	m->magic = XDPFEED_META_MAGIC;
	m->flags = flags;
	m->ktime = now;
	m->hw_ts = ts;
	if (flags)
		count(XDPFEED_STAT_HW_TS);
	return;
none:
	count(XDPFEED_STAT_NO_META);
}

/* Copies the n bytes (n <= ETH_HLEN) at byte offset off of the frame to buf:
 * 0, or -1 when the frame ends before off + n. For the headers whose offset
 * is no constant (after IPv4 options, IPv6 extension headers): without
 * CAP_PERFMON (a loader with CAP_BPF and CAP_NET_ADMIN alone), the verifier
 * refuses any arithmetic between a packet pointer and a register, however
 * well bounded the register is. So the frame's start moves forward until the
 * n bytes end where its first ETH_HLEN bytes end, they are read at a
 * constant offset, and the start moves back. bpf_xdp_adjust_head() keeps at
 * least ETH_HLEN bytes, so it fails exactly when off + n is past the end.
 * off + n >= ETH_HLEN always (off is past the IP header), and the metadata
 * area is still empty: nothing else moves. */
static __always_inline int peek(struct xdp_md *ctx, __u32 off, void *buf, const __u32 n)
{
	int delta = (int)(off + n) - ETH_HLEN;
	void *data, *data_end;
	int ret = -1;

	if (bpf_xdp_adjust_head(ctx, delta) != 0)
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN <= data_end) {
		__builtin_memcpy(buf, data + ETH_HLEN - n, n);
		ret = 0;
	}
	/* Back to where it was, which met both of the helper's bounds. */
	bpf_xdp_adjust_head(ctx, -delta);
	return ret;
}

static __always_inline int classify(struct xdp_md *ctx, const int hw)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *cur = (void *)(long)ctx->data;
	struct xdpfeed_config *cfg;
	struct ethhdr *eth = cur;
	/* The destination address and port are read as numbers: the match
	 * below then tests no packet pointer against NULL, which a loader
	 * without CAP_PERFMON may not do either. */
	__u64 dst6[2] = { 0, 0 };
	__u32 dst4 = 0, key = 0, port, *on;
	/* Byte offsets in the frame: of the IP header, and of the header
	 * after a variable-length part, read with peek(). */
	__u32 l3 = sizeof(*eth), off;
	__be16 proto, dport;
	long ret;
	int i;

	/* Not even an EtherType: nothing to classify, not "too short" IP. */
	if ((void *)(eth + 1) > data_end)
		goto pass;
	proto = eth->h_proto;
	cur = eth + 1;

	/* Single and QinQ tags; a third tag falls through to the final pass. */
#pragma unroll
	for (i = 0; i < VLAN_MAX; i++) {
		struct vlan_tag *vt = cur;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vt + 1) > data_end)
			goto too_short;
		proto = vt->proto;
		cur = vt + 1;
		l3 += sizeof(*vt);
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip4 = cur;

		if ((void *)(ip4 + 1) > data_end || ip4->ihl < 5)
			goto too_short;
		if (ip4->protocol != IPPROTO_UDP)
			goto pass;
		/* Later fragments carry no UDP header; the kernel reassembles. */
		if (ip4->frag_off & bpf_htons(IP_FRAG_OFFSET))
			goto pass;
		dst4 = ip4->daddr;
		cur = ip4 + 1;
		if (ip4->ihl == 5)
			goto udp_at_cur;
		off = l3 + ip4->ihl * 4;
		goto udp_at_off;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		__u8 nh;

		if ((void *)(ip6 + 1) > data_end)
			goto too_short;
		nh = ip6->nexthdr;
		/* memcpy keeps this alias-safe; clang lowers it to plain loads. */
		__builtin_memcpy(dst6, &ip6->daddr, sizeof(dst6));
		cur = ip6 + 1;
		if (nh == IPPROTO_UDP)
			goto udp_at_cur;
		off = l3 + sizeof(*ip6);

		/* Bounded walk: unrolled so it costs no loop state and old
		 * verifiers accept it. Fragment (44), ESP etc. end the walk
		 * and are passed below because nh != UDP. */
#pragma unroll
		for (i = 0; i < IPV6_EXT_MAX; i++) {
			struct ipv6_opt_hdr oh;

			if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS)
				break;
			if (peek(ctx, off, &oh, sizeof(oh)) != 0)
				goto too_short;
			nh = oh.nexthdr;
			off += (oh.hdrlen + 1) * 8;
		}
		if (nh != IPPROTO_UDP)
			goto pass;
		goto udp_at_off;
	} else {
		goto pass;
	}

udp_at_off: {
		struct udphdr uh;

		if (peek(ctx, off, &uh, sizeof(uh)) != 0)
			goto too_short;
		dport = uh.dest;
		goto lookup;
	}
udp_at_cur: {
		struct udphdr *udp = cur;

		if ((void *)(udp + 1) > data_end)
			goto too_short;
		dport = udp->dest;
	}

lookup:
	/* Port first: it rejects most non-feed UDP with a single lookup. */
	port = bpf_ntohs(dport);
	on = bpf_map_lookup_elem(&ports_map, &port);
	if (!on || !*on)
		goto pass;

	cfg = bpf_map_lookup_elem(&config_map, &key);
	if (cfg) {
		if (proto == bpf_htons(ETH_P_IP) &&
		    (cfg->flags & XDPFEED_MATCH_IPV4) && dst4 != cfg->dst_ipv4)
			goto pass;
		if (proto == bpf_htons(ETH_P_IPV6) &&
		    (cfg->flags & XDPFEED_MATCH_IPV6)) {
			__u64 b[2];

			__builtin_memcpy(b, cfg->dst_ipv6, sizeof(b));
			if ((dst6[0] ^ b[0]) | (dst6[1] ^ b[1]))
				goto pass;
		}
	}

	/* XDP_PASS in the flags is the fallback when the queue has no
	 * socket, so binding fewer sockets than queues never drops data. */
	ret = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	if (ret == XDP_REDIRECT) {
		count(XDPFEED_STAT_REDIRECTED);
		stamp(ctx, hw);
		return XDP_REDIRECT;
	}
	count(XDPFEED_STAT_NO_SOCKET);
	goto pass;

	/* Truncated/malformed frames still go to the kernel: it drops them
	 * itself, and we never want to blackhole traffic here. */
too_short:
	count(XDPFEED_STAT_TOO_SHORT);
pass:
	count(XDPFEED_STAT_PASSED);
	return XDP_PASS;
}

SEC("xdp")
int xdpfeed_redirect(struct xdp_md *ctx)
{
	return classify(ctx, 0);
}

/* "?": libbpf loads it only when asked to (bpf_program__set_autoload), so
 * that loading the object as it is loads the program above alone. */
SEC("?xdp")
int xdpfeed_redirect_hw(struct xdp_md *ctx)
{
	return classify(ctx, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
