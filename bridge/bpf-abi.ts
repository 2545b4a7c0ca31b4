// Names and numbers shared with the XDP program; they mirror bpf/xdpfeed.h, and
// test/layout.test.ts ("XDP program ABI") parses that header to keep the two equal.

export const XDPFEED_XSKS_MAP_NAME = "xsks_map";
export const XDPFEED_PORTS_MAP_NAME = "ports_map";
export const XDPFEED_CONFIG_MAP_NAME = "config_map";
export const XDPFEED_STATS_MAP_NAME = "stats_map";
export const XDPFEED_PROG_NAME = "xdpfeed_redirect";
export const XDPFEED_PROG_HW_NAME = "xdpfeed_redirect_hw";

export const XDPFEED_XSKS_MAX = 64;
export const XDPFEED_PORTS_MAX = 65536;
export const XDPFEED_CONFIG_MAX = 1;
export const XDPFEED_STATS_MAX = 6;

export const XDPFEED_STAT_REDIRECTED = 0;
export const XDPFEED_STAT_PASSED = 1;
export const XDPFEED_STAT_TOO_SHORT = 2;
export const XDPFEED_STAT_NO_SOCKET = 3;
export const XDPFEED_STAT_NO_META = 4;
export const XDPFEED_STAT_HW_TS = 5;

export const XDPFEED_MATCH_IPV4 = 1;
export const XDPFEED_MATCH_IPV6 = 2;

/** sizeof(struct xdpfeed_config): flags u32, dst_ipv4 u32 (network order), dst_ipv6 u8[16]. */
export const XDPFEED_CONFIG_SIZE = 24;

// The receive metadata in front of each redirected frame: drawn in assembly/layout.ts, which the
// wasm receive loop reads it with.
export { XDPFEED_META_MAGIC, XDPFEED_META_HW_TS, XDPFEED_META_SIZE } from "../assembly/layout.js";
