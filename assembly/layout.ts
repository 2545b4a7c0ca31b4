// The memory layout of one socket's WebAssembly.Memory: the single source of truth.
//
// This file is both AssemblyScript (compiled into every feed module) and TypeScript
// (imported by bridge/ and src/), so it holds plain integer constants only.
//
// Fixed regions (wasm address = byte offset in the memory):
//
//   offset              size                what
//   0                   AS_REGION_END       AssemblyScript static data and (stub) heap; the hot
//                                           path allocates nothing, start-up checks __heap_base
//   CTL_BASE            CTL_SIZE            control block, below: ring descriptors, UMEM geometry,
//                                           counters; written by TypeScript at open, used by wasm
//   BATCH_BASE          BATCH_SIZE          batch table: one BATCH_ENTRY per frame of the last
//                                           receive (offset u32, length u32)
//   TXFREE_BASE         TXFREE_SIZE         stack of free TX frame addresses (u32 each)
//   TEMPLATE_BASE       TEMPLATE_SIZE       traffic frame template (headers, filled by TypeScript)
//   PSTATS_BASE         PSTATS_SIZE         parser counters and session state (PS_*)
//   BATCH_TS_BASE       BATCH_TS_SIZE       receive timestamp (u64 ns) of each batch-table entry
//                                           (RX: written by the receive loop; files: by TypeScript)
//   SESSIONS_BASE       SESSIONS_SIZE       sequence state and counters per session (SS_*, SN_*)
//   RECORDS_BASE        RECORDS_SIZE        tick records written by the parser (assembly/records.ts)
//   SYMTAB_BASE         SYMTAB_SIZE         instrument ids of feeds that name instruments by symbol;
//                                           SBE feeds: each instrument's RptSeq (parse/rptseq.ts)
//   BOOK_CTL_BASE       BOOK_CTL_SIZE       order book control words and bookBbo() result (BK_*, below)
//   BOOK_DEPTH_BASE     BOOK_DEPTH_SIZE     bookDepth() result: BOOK_DEPTH_MAX levels (BOOK_DEPTH_*)
//   HOLD_BASE           HOLD_SIZE           packets held by A/B arbitration (HOLD_SLOTS x HOLD_SLOT)
//   HWTS_BASE           HWTS_SIZE           NIC receive timestamp of each tick record (u64 ns, record
//                                           i at HWTS_BASE + 8 i), written once a frame has one
//   ANSWERS_BASE        ANSWERS_SIZE        retransmission answers, received and parsed in place
//   DYNAMIC_BASE        ...                 rings and UMEM, placed by bridge/memory-map.ts from the
//                                           ring sizes and XDP_MMAP_OFFSETS, each page aligned:
//                                           FILL, COMPLETION, RX, TX rings (mmapped MAP_FIXED over
//                                           this memory), then the UMEM frames
//
// Control block (CTL_BASE + offset), all fields u32 unless said otherwise:
//
//   offset  field
//   0       RING_FILL        ring descriptor (RING_SIZEOF bytes), producer side
//   32      RING_COMP        ring descriptor, consumer side
//   64      RING_RX          ring descriptor, consumer side
//   96      RING_TX          ring descriptor, producer side
//   128     CTL_UMEM         wasm address of UMEM frame 0 (descriptor addrs are relative to it)
//   132     CTL_FRAME_SIZE   bytes per frame (power of two, >= 2048)
//   136     CTL_RX_FRAMES    frames [0, RX_FRAMES) circulate FILL -> RX -> FILL
//   140     CTL_TX_FRAMES    frames [RX_FRAMES, RX_FRAMES + TX_FRAMES) circulate TX -> COMPLETION
//   144     CTL_TXFREE_TOP   number of addresses on the TX free stack
//   148     CTL_PENDING_FILL frames of the last batch not yet returned to FILL
//   152     CTL_BATCH_CAP    capacity of the batch table (entries)
//   160     CTL_STATS        counters (u64 each), see STAT_*
//   512     CTL_CLOCK_OFFSET i64: CLOCK_REALTIME - CLOCK_MONOTONIC in ns, written by TypeScript at
//                            open (bridge/clock.ts): a frame's driver stamp (CLOCK_MONOTONIC) plus
//                            this is its wall-clock receive time
//   520     CTL_RX_UNSTAMPED frames taken by the receive loop without receive metadata since
//                            TypeScript last cleared it: their timestamps were left 0 for
//                            TypeScript to fill with the poll's time (set by wasm, cleared by TS)
//   524     CTL_RX_TS_LAST   TS_SOURCE_* of the last frame taken by the receive loop
//
// Ring descriptor (mirrors libxdp's struct xsk_ring_prod / xsk_ring_cons):
//
//   offset  field
//   0       RING_PRODUCER    wasm address of the kernel-shared producer index (u32)
//   4       RING_CONSUMER    wasm address of the kernel-shared consumer index (u32)
//   8       RING_FLAGS       wasm address of the kernel-shared flags word (u32)
//   12      RING_DESCS       wasm address of descriptor 0
//   16      RING_MASK        size - 1
//   20      RING_SIZE        number of descriptors (power of two)
//   24      RING_CACHED_PROD producer index as last seen / reserved by us
//   28      RING_CACHED_CONS consumer index as last seen by us (+ size on producer rings, as libxdp)

export const WASM_PAGE: u32 = 65536;
export const OS_PAGE: u32 = 4096;

export const AS_REGION_END: u32 = 0x100000;

export const CTL_BASE: u32 = 0x100000;
export const CTL_SIZE: u32 = 0x1000;

export const RING_SIZEOF: u32 = 32;
export const RING_PRODUCER: u32 = 0;
export const RING_CONSUMER: u32 = 4;
export const RING_FLAGS: u32 = 8;
export const RING_DESCS: u32 = 12;
export const RING_MASK: u32 = 16;
export const RING_SIZE: u32 = 20;
export const RING_CACHED_PROD: u32 = 24;
export const RING_CACHED_CONS: u32 = 28;

export const RING_FILL: u32 = 0;
export const RING_COMP: u32 = 32;
export const RING_RX: u32 = 64;
export const RING_TX: u32 = 96;

export const CTL_UMEM: u32 = 128;
export const CTL_FRAME_SIZE: u32 = 132;
export const CTL_RX_FRAMES: u32 = 136;
export const CTL_TX_FRAMES: u32 = 140;
export const CTL_TXFREE_TOP: u32 = 144;
export const CTL_PENDING_FILL: u32 = 148;
export const CTL_BATCH_CAP: u32 = 152;
export const CTL_STATS: u32 = 160;
export const CTL_CLOCK_OFFSET: u32 = 512;
export const CTL_RX_UNSTAMPED: u32 = 520;
export const CTL_RX_TS_LAST: u32 = 524;

// Counters at CTL_BASE + CTL_STATS + 8 * index (u64, written by wasm only).
export const STAT_RX_FRAMES: u32 = 0;
export const STAT_RX_BYTES: u32 = 1;
export const STAT_RX_BATCHES: u32 = 2;
export const STAT_TX_FRAMES: u32 = 3;
export const STAT_TX_BYTES: u32 = 4;
export const STAT_TX_COMPLETED: u32 = 5;
// Traffic-payload verifier (frames module, assembly/traffic.ts): next expected sequence, frames
// whose payload matched, frames whose payload did not, sequence numbers skipped, frames below the
// expected one.
export const STAT_VERIFY_NEXT: u32 = 6;
export const STAT_VERIFY_OK: u32 = 7;
export const STAT_VERIFY_BAD: u32 = 8;
export const STAT_VERIFY_MISSING: u32 = 9;
export const STAT_VERIFY_LATE: u32 = 10;
// Where the receive loop's timestamps came from: frames stamped by the XDP program, of them frames
// that also carried the NIC's timestamp, and frames without metadata (stamped at the poll).
export const STAT_RX_TS_DRIVER: u32 = 11;
export const STAT_RX_TS_HW: u32 = 12;
export const STAT_RX_TS_POLL: u32 = 13;
export const STAT_COUNT: u32 = 14;

// CTL_RX_TS_LAST: where the last received frame's timestamp came from.
export const TS_SOURCE_NONE: u32 = 0; // no frame yet
export const TS_SOURCE_POLL: u32 = 1; // no metadata: the time of the poll that took it
export const TS_SOURCE_DRIVER: u32 = 2; // the XDP program's bpf_ktime_get_ns()
export const TS_SOURCE_DRIVER_HW: u32 = 3; // that, and the NIC's timestamp (HWTS_BASE)

// Receive metadata: the XDP program (bpf/xdpfeed.bpf.c) puts a struct xdpfeed_meta
// (bpf/xdpfeed.h) in the XDP metadata area of every frame it redirects, so it lies in the
// XDPFEED_META_SIZE bytes right before the frame's first byte in the UMEM. test/layout.test.ts
// checks these against the header. The receive loop (assembly/xsk.ts) reads it when the magic
// matches and then clears the magic, so that a later frame in the same UMEM chunk that arrives
// without metadata is not taken for one with it.
//
//   offset  field   type
//   0       magic   u32   XDPFEED_META_MAGIC
//   4       flags   u32   XDPFEED_META_HW_TS: hw_ts is valid
//   8       ktime   u64   bpf_ktime_get_ns() at the XDP hook: CLOCK_MONOTONIC ns
//   16      hw_ts   u64   the NIC's receive timestamp (ns, the NIC's clock)
export const XDPFEED_META_MAGIC: u32 = 0x46504458;
export const XDPFEED_META_HW_TS: u32 = 1;
export const XDPFEED_META_SIZE: u32 = 24;
export const META_MAGIC: u32 = 0;
export const META_FLAGS: u32 = 4;
export const META_KTIME: u32 = 8;
export const META_HW_TS: u32 = 16;

export const BATCH_BASE: u32 = 0x101000;
export const BATCH_ENTRY: u32 = 8;
export const BATCH_MAX: u32 = 4096;
export const BATCH_SIZE: u32 = 0x8000;

export const TXFREE_BASE: u32 = 0x109000;
export const TXFREE_MAX: u32 = 16384;
export const TXFREE_SIZE: u32 = 0x10000;

export const TEMPLATE_BASE: u32 = 0x119000;
export const TEMPLATE_SIZE: u32 = 0x1000;

// Parser counters and session state (PSTATS_BASE + offset; u64 unless said otherwise):
//
//   offset  field
//   0       PS_PACKETS          session packets accepted for parsing
//   8       PS_MESSAGES         messages delivered (a record written for each, unless records are on
//                               demand: PS_RECORDS_ON_DEMAND)
//   16      PS_GAPS             sequence gaps (a jump forward)
//   24      PS_GAP_MESSAGES     messages skipped by those gaps
//   32      PS_DUPLICATES       messages dropped because their sequence was already delivered
//   40      PS_RESETS           sequence resets within a session (IEX-TP restarting at 1)
//   48      PS_TRUNCATED_MESSAGES messages a packet's header declared that its cut frame did not
//                               hold: lost to the capture, not a sequence gap
//   56      PS_SESSION          current session's identity (MoldUDP64: 10 bytes; IEX-TP: u32 with
//                               the top bit set), 16 bytes
//   72      PS_RECEIVE_TS       receive timestamp copied into each record: set for each frame by the
//                               receive loop (0: no metadata, filled in by TypeScript after the
//                               poll) or from BATCH_TS for each batch-table entry
//   80      PS_FILTER_PORT      u32: UDP destination port to accept, or'ed with FILTER_ON (0: any)
//   84      PS_RECORDS          u32: records written since the last clear
//   88      PS_FRAMES           frames (or payloads) offered to the parser
//   96      PS_BOOK_EVENTS      u32: book events written since the last clear (reset with PS_RECORDS)
//   104     PS_BOOK_UPDATES     messages that changed the order book
//   112     PS_BOOK_BBO_CHANGES book events (BBO changes) published
//   120     PS_BOOK_DEPTH_CHANGES messages that changed a level among the best BK_DEPTH_N of its side
//   128     PS_BOOK_UNKNOWN_ORDER execute / cancel / delete / replace of an order not on the book
//   136     PS_BOOK_ORDERS_FULL adds skipped: every order slot in use
//   144     PS_BOOK_LEVELS_FULL adds / level updates skipped: every level node in use
//   152     PS_BOOK_DUPLICATE_ORDER adds skipped: the order reference is already on the book
//   160     PS_BOOK_BAD_INSTRUMENT messages skipped: instrument >= BK_MAX_INSTRUMENTS (or IEX id 0)
//   168     PS_BOOK_OVERSIZED   executions / cancels of more shares than the order had (order removed)
//   176     PS_BOOK_INVALID     messages skipped: side not B/S, price not in 1..2^32-1
//   184     PS_BOOK_EVENTS_LOST book events not written: BOOK_EVENT_MAX already since the last clear
//   192     PS_BOOK_WRONG_LOCATE executions / cancels / deletes / replaces whose stock locate is not
//                               their order's (applied to the order's own instrument)
//   200     PS_HW_TS            NIC receive timestamp of the frame being parsed (0: none)
//   208     PS_HW_USED          u32: non-zero once a frame had one: from then on each record's
//                               HWTS_BASE slot is written (kept by resetParser)
//   212     PS_NO_DEDUP         u32: non-zero: messages whose sequence was delivered before are
//                               delivered again, not dropped (captures with made-up sequence
//                               numbers; kept by resetParser)
//   216     PS_TRUNCATED_PACKETS packets cut short of their datagram (a capture's snaplen): their
//                               whole messages delivered, the rest in PS_TRUNCATED_MESSAGES
//   224     PS_NEXT_SEQ         next expected sequence number of the current session (0: none yet)
//   232     PS_HOLD_FLAGS       u32: HOLD_RECOVER: a gap's packets are held until TypeScript fills it
//                               (retransmission) or gives it up (recoverAbandon); HOLD_ALL: every
//                               packet is held until the flag is cleared (holdRelease)
//   236     PS_HOLD_LIMIT       u32: most messages held at once (0, or over HOLD_MESSAGES_MAX: that)
//   240     PS_HELD_MESSAGES    u32: messages in the held packets (their headers' counts, at most
//                               a third of their bytes)
//   244     PS_HOLD_HEAD        u32: index of the hold queue's first entry (a ring of HOLD_MAX)
//   248     PS_START_SEQ        sequence a session seen for the first time starts from, when not 0
//                               (a late start: the snapshot's sequence + 1)
//   256     PS_REJECTED         u64 per reason, REJ_COUNT of them (REJ_*)
//   512     PS_BY_TYPE          u64 per message type byte (256 of them)
//   2560    PS_ARB_PORTS        u32: A/B arbitration: line A's UDP port (low 16 bits), line B's
//                               (high 16); 0: one line, no arbitration
//   2564    PS_HELD             u32: packets held back (waiting for the other line, a retransmission,
//                               or the end of HOLD_ALL)
//   2568    PS_HOLD_FREE        u32: slots on the free stack (HOLD_FREE_BASE)
//   2572    PS_HELD_BYTES       u32: bytes held (their messages still need record room)
//   2576    PS_LINES            LINE_SIZE bytes per line (A, B, then LINE_RETRANSMIT), LN_* below
//   2696    PS_HOLD_RELEASED    u32: slots released since the records were last cleared (their
//                               bytes are still read through the records: freed at the next clear)
//   2700    PS_HOLD_FRESH       u32: slots handed out for the first time so far (up to HOLD_SLOTS)
//   2704    PS_HOLD_DROPPED     packets dropped unparsed because the hold was full under HOLD_ALL
//                               (a snapshot loading slower than the live feed fills the hold)
//   2712    PS_BOOK_ORDERS_OFF_WINDOW adds kept in the order table's hash: their reference was
//                               outside the paged window (older than it, or far above the feed's
//                               newest: out of order or hostile; assembly/book/order-pages.ts)
//   2720    PS_BOOK_ORDERS_EVICTED orders moved from the pages to the hash as the window moved up
//   2728    PS_BOOK_ORDER_PAGES_PAUSED times the order pages were paused because most of their
//                               orders outlived the window (new orders went to the hash a while)
//   2736    PS_RECORDS_ON_DEMAND u32: non-zero: only the messages whose type has its bit in
//                               PS_RECORD_TYPES, and those a book event names, get a tick record;
//                               the others are parsed, counted and applied to the book (feed modules
//                               whose recordsOnDemand() is 1; kept by resetParser)
//   2752    PS_RECORD_TYPES     32 bytes: bit (t & 7) of byte (t >> 3) set: messages of type byte t
//                               get a record (kept by resetParser)
//   2816    PS_MDP_*            the CME MDP 3.0 books' counters (below, to PS_MDP_END)
//   2904    PS_RPT_GAPS         per-instrument sequence gaps (SBE feeds: an entry's RptSeq past the
//                               instrument's next expected one; assembly/parse/rptseq.ts)
//   2912    PS_RPT_GAP_ENTRIES  entries those gaps skipped
//   2920    PS_RPT_STALE        entries whose RptSeq the instrument had already passed (after a snapshot)
//   2928    PS_RPT_FULL         instruments not tracked: the RptSeq table was full
//   2936    PS_DECLARED_COUNT   gaps declared so far (each also counted in PS_GAPS)
//   2944    PS_DECLARED         the last DECLARED_LOG of them, a ring by PS_DECLARED_COUNT: each
//                               [from, to) as two u64 (DECLARED_ENTRY bytes), so that the gap
//                               recovery (src/recovery/retransmitter.ts) tells a gap declared from one
//                               filled
export const PSTATS_BASE: u32 = 0x11a000;
export const PSTATS_SIZE: u32 = 0x1000;
export const PS_PACKETS: u32 = 0;
export const PS_MESSAGES: u32 = 8;
export const PS_GAPS: u32 = 16;
export const PS_GAP_MESSAGES: u32 = 24;
export const PS_DUPLICATES: u32 = 32;
export const PS_RESETS: u32 = 40;
export const PS_TRUNCATED_MESSAGES: u32 = 48;
export const PS_SESSION: u32 = 56;
export const PS_RECEIVE_TS: u32 = 72;
export const PS_FILTER_PORT: u32 = 80;
// PS_FILTER_PORT with this bit set filters on its low 16 bits (port 0 included).
export const FILTER_ON: u32 = 0x10000;
export const PS_RECORDS: u32 = 84;
export const PS_FRAMES: u32 = 88;
export const PS_BOOK_EVENTS: u32 = 96;
export const PS_BOOK_UPDATES: u32 = 104;
export const PS_BOOK_BBO_CHANGES: u32 = 112;
export const PS_BOOK_DEPTH_CHANGES: u32 = 120;
export const PS_BOOK_UNKNOWN_ORDER: u32 = 128;
export const PS_BOOK_ORDERS_FULL: u32 = 136;
export const PS_BOOK_LEVELS_FULL: u32 = 144;
export const PS_BOOK_DUPLICATE_ORDER: u32 = 152;
export const PS_BOOK_BAD_INSTRUMENT: u32 = 160;
export const PS_BOOK_OVERSIZED: u32 = 168;
export const PS_BOOK_INVALID: u32 = 176;
export const PS_BOOK_EVENTS_LOST: u32 = 184;
export const PS_BOOK_WRONG_LOCATE: u32 = 192;
export const PS_HW_TS: u32 = 200;
export const PS_HW_USED: u32 = 208;
export const PS_NO_DEDUP: u32 = 212;
export const PS_TRUNCATED_PACKETS: u32 = 216;
export const PS_NEXT_SEQ: u32 = 224;
export const PS_HOLD_FLAGS: u32 = 232;
export const PS_HOLD_LIMIT: u32 = 236;
export const PS_HELD_MESSAGES: u32 = 240;
export const PS_HOLD_HEAD: u32 = 244;
export const PS_START_SEQ: u32 = 248;
export const HOLD_RECOVER: u32 = 1;
export const HOLD_ALL: u32 = 2;
export const PS_REJECTED: u32 = 256;
export const PS_BY_TYPE: u32 = 512;
export const PS_ARB_PORTS: u32 = 2560;
export const PS_HELD: u32 = 2564;
export const PS_HOLD_FREE: u32 = 2568;
export const PS_HELD_BYTES: u32 = 2572;
export const PS_LINES: u32 = 2576;
export const PS_HOLD_RELEASED: u32 = 2696;
export const PS_HOLD_FRESH: u32 = 2700;
export const PS_HOLD_DROPPED: u32 = 2704;
export const PS_BOOK_ORDERS_OFF_WINDOW: u32 = 2712;
export const PS_BOOK_ORDERS_EVICTED: u32 = 2720;
export const PS_BOOK_ORDER_PAGES_PAUSED: u32 = 2728;
export const PS_RECORDS_ON_DEMAND: u32 = 2736;
export const PS_RECORD_TYPES: u32 = 2752;
export const RECORD_TYPES_SIZE: u32 = 32;
// CME MDP 3.0 books (assembly/book/mdp3.ts), PSTATS_BASE + offset, u64 each, in a block of their
// own: what the market-by-price and market-by-order books could not apply, and their recoveries.
//
//   offset  field
//   2816    PS_MDP_LEVEL_RANGE      price-level entries skipped: level 0 or past the instrument's depth
//   2824    PS_MDP_LEVEL_EMPTY      Change / Delete of a level that held nothing (applied)
//   2832    PS_MDP_INVALID          entries skipped: side not 0/1, MDUpdateAction not 0..5 (0..2 for
//                                   orders), a price-level action in an order entry
//   2840    PS_MDP_INSTRUMENTS_FULL entries skipped: a new SecurityID with every instrument slot in use
//   2848    PS_MDP_UNKNOWN_ORDER    order Change / Delete of an OrderID not on the book
//   2856    PS_MDP_DUPLICATE_ORDER  order New of an OrderID already on the book (skipped)
//   2864    PS_MDP_ORDERS_FULL      order New skipped: every order slot in use
//   2872    PS_MDP_UNKNOWN_INSTRUMENT snapshot ends and depth settings for a SecurityID with no slot
//                                   (table full), and order entries naming another instrument's order
//   2880    PS_MDP_RESETS           channel resets applied (every book emptied)
//   2888    PS_MDP_SNAPSHOTS        instrument snapshots applied
//   2896    PS_MDP_GAPS             RptSeq gaps reported to the book (mdpBookGap: instrument stale)
export const PS_MDP_LEVEL_RANGE: u32 = 2816;
export const PS_MDP_LEVEL_EMPTY: u32 = 2824;
export const PS_MDP_INVALID: u32 = 2832;
export const PS_MDP_INSTRUMENTS_FULL: u32 = 2840;
export const PS_MDP_UNKNOWN_ORDER: u32 = 2848;
export const PS_MDP_DUPLICATE_ORDER: u32 = 2856;
export const PS_MDP_ORDERS_FULL: u32 = 2864;
export const PS_MDP_UNKNOWN_INSTRUMENT: u32 = 2872;
export const PS_MDP_RESETS: u32 = 2880;
export const PS_MDP_SNAPSHOTS: u32 = 2888;
export const PS_MDP_GAPS: u32 = 2896;
export const PS_MDP_END: u32 = 2904;

export const PS_RPT_GAPS: u32 = 2904;
export const PS_RPT_GAP_ENTRIES: u32 = 2912;
export const PS_RPT_STALE: u32 = 2920;
export const PS_RPT_FULL: u32 = 2928;
export const PS_DECLARED_COUNT: u32 = 2936;
export const PS_DECLARED: u32 = 2944;
export const DECLARED_LOG: u32 = 16;
export const DECLARED_ENTRY: u32 = 16;
// The lines: A and B (A/B arbitration), and the retransmission server's answers.
export const LINE_A: u32 = 0;
export const LINE_B: u32 = 1;
export const LINE_RETRANSMIT: u32 = 2;
export const LINES: u32 = 3;

// Per line (PSTATS_BASE + PS_LINES + line * LINE_SIZE), u64 each.
export const LINE_SIZE: u32 = 40;
export const LN_RECEIVED: u32 = 0; // messages that arrived on the line
export const LN_WON: u32 = 8; // of them, delivered first (the other line's copy came later or never)
export const LN_LATE: u32 = 16; // of them, already delivered from the other line: dropped
export const LN_MISSING: u32 = 24; // messages the line skipped (its own gaps)
export const LN_NEXT: u32 = 32; // next sequence expected on the line (0: none yet)

// Held packets (HOLD_BASE + offset): HOLD_MAX at once, each copied into a slot of HOLD_SLOT bytes.
// A released packet's slot is freed only when the records are next cleared, so its bytes (which
// records point into) outlive the poll that delivered them: hence twice as many slots.
//
//   offset              what
//   HOLD_QUEUE          HOLD_MAX entries of HOLD_ENTRY bytes, a ring from PS_HOLD_HEAD sorted by
//                       sequence: slot u32, length u32, sequence u64, line u32, message count u32,
//                       then the packet's PS_RECEIVE_TS u64 and PS_HW_TS u64 (its records')
//   HOLD_FREE_BASE      u32 per slot: the free stack (PS_HOLD_FREE of them)
//   HOLD_RELEASED_BASE  u32 per slot: slots released since the last clear (PS_HOLD_RELEASED)
//   HOLD_SLOTS_BASE     HOLD_SLOTS slots of HOLD_SLOT bytes
export const HOLD_MAX: u32 = 512;
// Most messages held at once (PS_HOLD_LIMIT, when set, is lower): all of them may be released into
// the records by one packet, with that packet's own.
export const HOLD_MESSAGES_MAX: u32 = 14336;
export const HOLD_ENTRY: u32 = 40;
export const HOLD_SLOTS: u32 = 1024;
export const HOLD_SLOT: u32 = 2048;
export const HOLD_QUEUE: u32 = 0;
// A hold queue entry's fields.
export const HE_SLOT: u32 = 0;
export const HE_LENGTH: u32 = 4;
export const HE_SEQ: u32 = 8;
export const HE_LINE: u32 = 16;
export const HE_COUNT: u32 = 20;
export const HE_RECEIVE_TS: u32 = 24;
export const HE_HW_TS: u32 = 32;
export const HOLD_FREE_BASE: u32 = 0x5000;
export const HOLD_RELEASED_BASE: u32 = 0x6000;
export const HOLD_SLOTS_BASE: u32 = 0x8000;

// Rejection reasons (index into PS_REJECTED). Names for reports: src/feeds/reasons.ts.
export const REJ_FRAME_SHORT: u32 = 0; // Ethernet/VLAN/IP/UDP headers do not fit the frame
export const REJ_NOT_IP: u32 = 1; // EtherType neither IPv4 nor IPv6
export const REJ_NOT_UDP: u32 = 2;
export const REJ_IP_FRAGMENT: u32 = 3;
export const REJ_BAD_IP_LENGTH: u32 = 4; // IP or UDP length disagrees with the frame
export const REJ_OTHER_PORT: u32 = 5; // UDP destination port filtered out
export const REJ_SESSION_SHORT: u32 = 6; // payload shorter than the session header
export const REJ_COUNT_OVERRUN: u32 = 7; // message count runs past the packet
export const REJ_LENGTH_OVERRUN: u32 = 8; // a message length runs past the packet
export const REJ_ZERO_LENGTH: u32 = 9;
export const REJ_UNKNOWN_TYPE: u32 = 10;
export const REJ_BAD_LENGTH: u32 = 11; // message length wrong for its type
export const REJ_PROTOCOL: u32 = 12; // IEX-TP message protocol id of another feed
export const REJ_TRAILING: u32 = 13; // bytes left after the last counted message
export const REJ_TRUNCATED: u32 = 14; // frame cut short inside its session header (snaplen, file end)
export const REJ_OVERSIZED: u32 = 15; // longer than any UDP datagram can be (FRAME_MAX, PAYLOAD_MAX)
export const REJ_RECORDS_FULL: u32 = 16; // entries of a message past the record region's room (SBE group entries)
export const REJ_COUNT: u32 = 17;

// The longest frame that can carry a UDP datagram: Ethernet with two VLAN tags (22 bytes) and the
// largest IP datagram (an IPv6 header and 65535 bytes of payload). Longer ones are rejected unread.
export const FRAME_MAX: u32 = 22 + 40 + 65535;
// The longest UDP payload: the UDP length field's maximum less its 8-byte header.
export const PAYLOAD_MAX: u32 = 65535 - 8;

// Counters that wire values can push far (a sequence number jumping by 2^63) stop at 2^53 - 1,
// the largest integer a JavaScript number holds exactly, instead of wrapping.
export const COUNTER_MAX: u64 = 0x1fffffffffffff;

// Receive timestamps of the batch-table entries (files: the capture's time of each packet).
export const BATCH_TS_BASE: u32 = 0x11b000;
export const BATCH_TS_SIZE: u32 = 0x8000;

// Sequence state per session (SESSIONS_BASE + offset): each session (a MoldUDP64 session name, an
// IEX-TP session id) is its own sequence space. The current one's expected sequence is in
// PS_NEXT_SEQ; on a change of session it is saved into the session's entry and the new one's
// restored. The per-session counters are the global ones' increments while the session was
// current, added into its entry when another becomes current (nothing per message).
//
//   offset  field
//   0       SS_COUNT            u32: entries in use
//   4       SS_CURRENT          u32: index + 1 of the current session's entry (0: none)
//   8       SS_VICTIM           u32: entry reused next when all SESSION_MAX are in use
//   12      SS_FRAMING          u32: how to print the ids: SS_MOLD (10 ASCII bytes), SS_IEXTP (u32),
//                               SS_SBE (u32: the SBE packet header has no session id, always 0)
//   16      SS_EVICTED          u64: sessions forgotten to make room (their counters stay in the totals)
//   24      SS_SNAP             u64 per session counter: its global value when the current session
//                               became current
//   128     SS_ENTRIES          SESSION_MAX entries of SESSION_ENTRY bytes:
//             0   SN_ID                 16 bytes, as PS_SESSION
//             16  SN_NEXT               u64: next expected sequence number while not current
//             24  SN_COUNTERS           u64 per session counter, in PSTATS order
export const SESSIONS_BASE: u32 = 0x123000;
export const SESSIONS_SIZE: u32 = 0x1000;
export const SS_COUNT: u32 = 0;
export const SS_CURRENT: u32 = 4;
export const SS_VICTIM: u32 = 8;
export const SS_FRAMING: u32 = 12;
export const SS_EVICTED: u32 = 16;
export const SS_SNAP: u32 = 24;
export const SS_ENTRIES: u32 = 128;
export const SESSION_MAX: u32 = 32;
export const SESSION_ENTRY: u32 = 96;
export const SN_ID: u32 = 0;
export const SN_NEXT: u32 = 16;
export const SN_COUNTERS: u32 = 24;
export const SS_MOLD: u32 = 1;
export const SS_IEXTP: u32 = 2;
export const SS_SBE: u32 = 3;
// The PSTATS counters kept per session: the first SESSION_COUNTERS u64s (PS_PACKETS to PS_TRUNCATED_MESSAGES).
export const SESSION_COUNTERS: u32 = 7;

// Tick records: RECORD_MAX of RECORD_SIZE bytes; layout in assembly/records.ts.
export const RECORDS_BASE: u32 = 0x124000;
export const RECORDS_SIZE: u32 = 0x180000;
export const RECORD_MAX: u32 = 16384;
// A frame is parsed only when this many records are free: no packet overfills the region.
export const RECORDS_PER_FRAME_MAX: u32 = 1024;

// Symbol table (open addressing, SYM_SLOTS slots of SYM_SLOT bytes: symbol u64, id u32, pad),
// then the symbol of each id (u64 per id, id 0 unused).
export const SYMTAB_BASE: u32 = 0x2a4000;
export const SYMTAB_SIZE: u32 = 0x60000;
export const SYM_SLOTS: u32 = 16384;
export const SYM_SLOT: u32 = 16;
export const SYM_BY_ID: u32 = 0x40000;

// Order books (assembly/book/). The control words at BOOK_CTL_BASE + offset, u32 each, are set by
// bookInit() from the capacities TypeScript chooses (src/book/book.ts); the book's own memory is
// BK_BYTES bytes at BK_BASE, an address in the dynamic part of the memory chosen by TypeScript
// (FeedParser: after its input region), laid out by bookInit (64-byte aligned, in this order):
// the book events (BOOK_EVENT_MAX entries, layout in assembly/book/events.ts), the instrument
// table (assembly/book/instruments.ts), the order table's pages, their directory and meta
// (assembly/book/order-pages.ts) and its two hash regions (assembly/book/order-hash.ts), the
// level nodes (assembly/book/level-nodes.ts) and two level hash regions (assembly/book/hash.ts);
// their sizes: assembly/book/setup.ts.
// Links between orders and level nodes are wasm addresses (0: none).
//
//   offset  field
//   0       BK_ENABLED          non-zero: the feed's message handler updates the book
//   4       BK_BASE             wasm address of the book's memory (0: no book)
//   8       BK_BYTES            its size in bytes
//   12      BK_MAX_ORDERS       orders on the book at once (ITCH)
//   16      BK_MAX_LEVELS       price level nodes, all instruments and sides together
//   20      BK_MAX_INSTRUMENTS  instruments 0 .. BK_MAX_INSTRUMENTS - 1 (ITCH locate, IEX symbol id)
//   24      BK_DEPTH_N          depth watched by PS_BOOK_DEPTH_CHANGES (levels per side)
//   28      BK_EVENTS           wasm address of book event 0
//   32      BK_INSTRUMENTS      wasm address of the instrument table
//   36      BK_PAGES            wasm address of the order pages' pool
//   40      BK_ORDER_HASH       wasm address of the order hash in use
//   44      BK_ORDER_MASK       its entries - 1 (it doubles, up to BK_ORDER_HASH_MAX, to stay half empty)
//   48      BK_LEVELS           wasm address of the level nodes
//   52      BK_LEVEL_HASH       wasm address of the level hash in use
//   56      BK_LEVEL_MASK       its entries - 1
//   60      BK_PAGE_DIR         wasm address of the order pages' directory
//   64      BK_PAGE_META        wasm address of the order pages' meta (page number, live orders)
//   68      BK_ORDER_LIVE       orders on the book
//   72      BK_LEVEL_FREE       first free level node (0: none; then nodes above BK_LEVEL_USED)
//   76      BK_LEVEL_USED       level nodes handed out at least once
//   80      BK_LEVEL_LIVE       levels on the book
//   84      BK_ORDER_HASH_ALT   wasm address of the other order table region (the next doubling's)
//   88      BK_ORDER_HASH_MAX   entries each order table region holds (>= 2 * BK_MAX_ORDERS)
//   92      BK_LEVEL_HASH_ALT   wasm address of the other level hash region
//   96      BK_LEVEL_HASH_MAX   entries each level hash region holds (>= 2 * BK_MAX_LEVELS)
//   100     BK_DEPTH_EVENTS     non-zero: a change to the watched depth writes a book event too
//                               (EV_DEPTH_*; off: only BBO changes do, depth changes are counted)
//   104     BK_PAGE_FREE        first order page back in the pool (0: none; then pages above BK_PAGE_USED)
//   108     BK_PAGE_USED        order pages handed out at least once
//   112     BK_PAGE_LIVE        order pages in the window
//   116     BK_ORDER_HASHED     orders in the order hash
//   120     BK_WINDOW_LO        u64: first page number of the order pages' window
//   128     BK_WINDOW_HI        u64: newest page number an add reached
//   136     BK_HASH_TOP         u64: largest reference put in the order hash since it was empty
//   144     BK_WINDOW_SET       non-zero once an add has placed the window
//   148     BK_OFF_RUN          adds in a row that landed far above the window
//   152     BK_PAGE_KEPT        orders that left a page by themselves since the pages last judged
//   156     BK_PAGE_MOVED       orders moved out of pages to the hash since then
//   160     BK_PAGES_PAUSED     adds left before the order pages are used again (0: in use)
//   256     BK_BBO              bookBbo() result, BBO_* layout in assembly/book/events.ts
//
// bookDepth() writes its levels at BOOK_DEPTH_BASE as three arrays of BOOK_DEPTH_MAX entries:
// price f64 at BOOK_DEPTH_PRICES (the level's i64 price; exact below 2^53), orders u32 at
// BOOK_DEPTH_ORDERS, shares f64 at BOOK_DEPTH_SHARES.
export const BOOK_CTL_BASE: u32 = 0x304000;
export const BOOK_CTL_SIZE: u32 = 0x1000;
export const BK_ENABLED: u32 = 0;
export const BK_BASE: u32 = 4;
export const BK_BYTES: u32 = 8;
export const BK_MAX_ORDERS: u32 = 12;
export const BK_MAX_LEVELS: u32 = 16;
export const BK_MAX_INSTRUMENTS: u32 = 20;
export const BK_DEPTH_N: u32 = 24;
export const BK_EVENTS: u32 = 28;
export const BK_INSTRUMENTS: u32 = 32;
export const BK_ORDER_HASH: u32 = 40;
export const BK_ORDER_MASK: u32 = 44;
export const BK_LEVELS: u32 = 48;
export const BK_LEVEL_HASH: u32 = 52;
export const BK_LEVEL_MASK: u32 = 56;
export const BK_ORDER_LIVE: u32 = 68;
export const BK_LEVEL_FREE: u32 = 72;
export const BK_LEVEL_USED: u32 = 76;
export const BK_LEVEL_LIVE: u32 = 80;
export const BK_ORDER_HASH_ALT: u32 = 84;
export const BK_ORDER_HASH_MAX: u32 = 88;
export const BK_LEVEL_HASH_ALT: u32 = 92;
export const BK_LEVEL_HASH_MAX: u32 = 96;
export const BK_DEPTH_EVENTS: u32 = 100;
export const BK_PAGES: u32 = 36;
export const BK_PAGE_DIR: u32 = 60;
export const BK_PAGE_META: u32 = 64;
export const BK_PAGE_FREE: u32 = 104;
export const BK_PAGE_USED: u32 = 108;
export const BK_PAGE_LIVE: u32 = 112;
export const BK_ORDER_HASHED: u32 = 116;
export const BK_WINDOW_LO: u32 = 120;
export const BK_WINDOW_HI: u32 = 128;
export const BK_HASH_TOP: u32 = 136;
export const BK_WINDOW_SET: u32 = 144;
export const BK_OFF_RUN: u32 = 148;
export const BK_PAGE_KEPT: u32 = 152;
export const BK_PAGE_MOVED: u32 = 156;
export const BK_PAGES_PAUSED: u32 = 160;
export const BK_BBO: u32 = 256;
// The order table (assembly/book/orders.ts): pages of ORDER_PAGE_REFS order slots of ORDER_SLOT
// bytes, WINDOW_PAGES of them at most (the window: WINDOW_PAGES * ORDER_PAGE_REFS references),
// PAGE_META bytes of meta per page; the hash's entries are HASH_ORDER bytes.
export const ORDER_SLOT: u32 = 8;
export const ORDER_PAGE_BITS: u32 = 10;
export const ORDER_PAGE_REFS: u32 = 1024;
export const ORDER_PAGE_BYTES: u32 = 8192;
export const WINDOW_PAGES: u32 = 128;
export const PAGE_META: u32 = 16;
export const HASH_ORDER: u32 = 16;
// CME MDP 3.0 books (assembly/book/mdp-slots.ts): control words at BOOK_CTL_BASE + offset, set by
// mdpBookInit(); their memory is BK_MDP_BYTES at BK_MDP_BASE, after the shared book's.
//
//   offset  field
//   384     BK_MDP_BASE         wasm address of the MDP3 memory (0: none)
//   388     BK_MDP_BYTES        its size
//   392     BK_MDP_SLOTS        instrument slots 1 .. BK_MDP_SLOTS - 1 (the book's instruments)
//   396     BK_MDP_USED         slots handed out (the next new SecurityID gets this one)
//   400     BK_MDP_IDS          wasm address of the SecurityID hash (id i32, slot u32 entries)
//   404     BK_MDP_IDS_MASK     its entries - 1
//   408     BK_MDP_TABLE        wasm address of slot 0 of the slot table
//   412     BK_MDP_ORDERS       wasm address of the order table (market by order)
//   416     BK_MDP_ORDERS_MASK  its entries - 1
//   420     BK_MDP_MAX_ORDERS   orders on the book at once
//   424     BK_MDP_ORDER_LIVE   orders on the book
//   428     BK_MDP_TOUCHED      wasm address of the slots the current message changed (u32 each)
//   432     BK_MDP_TOUCHED_N    how many (MDP_TOUCHED_MAX + 1: more; every slot is looked at)
//   436     BK_MDP_DEFAULT_DEPTH  outright depth of an instrument with no definition yet (low 16 bits)
//                               and implied depth (high 16)
export const BK_MDP_BASE: u32 = 384;
export const BK_MDP_BYTES: u32 = 388;
export const BK_MDP_SLOTS: u32 = 392;
export const BK_MDP_USED: u32 = 396;
export const BK_MDP_IDS: u32 = 400;
export const BK_MDP_IDS_MASK: u32 = 404;
export const BK_MDP_TABLE: u32 = 408;
export const BK_MDP_ORDERS: u32 = 412;
export const BK_MDP_ORDERS_MASK: u32 = 416;
export const BK_MDP_MAX_ORDERS: u32 = 420;
export const BK_MDP_ORDER_LIVE: u32 = 424;
export const BK_MDP_TOUCHED: u32 = 428;
export const BK_MDP_TOUCHED_N: u32 = 432;
export const BK_MDP_DEFAULT_DEPTH: u32 = 436;
export const BK_MDP_END: u32 = 440;
// At most one book event per record: the events region holds as many as the records region.
export const BOOK_EVENT_MAX: u32 = 16384;
export const BOOK_MAX_INSTRUMENTS: u32 = 65536;
export const BOOK_DEPTH_BASE: u32 = 0x305000;
export const BOOK_DEPTH_SIZE: u32 = 0x5000;
export const BOOK_DEPTH_MAX: u32 = 1024;
export const BOOK_DEPTH_PRICES: u32 = 0;
export const BOOK_DEPTH_ORDERS: u32 = 0x2000;
export const BOOK_DEPTH_SHARES: u32 = 0x3000;

export const HOLD_BASE: u32 = 0x310000;
export const HOLD_SIZE: u32 = 0x208000;

// NIC receive timestamps of the records (PS_HW_USED): RECORD_MAX u64s.
export const HWTS_BASE: u32 = 0x520000;
export const HWTS_SIZE: u32 = 0x20000;

// Answers from a retransmission server (src/recovery/retransmitter.ts): ANSWER_SLOTS UDP payloads
// of up to ANSWER_SLOT bytes, received here by recvmmsg and parsed in place.
export const ANSWERS_BASE: u32 = 0x540000;
export const ANSWERS_SIZE: u32 = 0x20000;
export const ANSWER_SLOTS: u32 = 64;
export const ANSWER_SLOT: u32 = 2048;

export const DYNAMIC_BASE: u32 = 0x560000;

// Descriptor sizes fixed by the kernel ABI (struct xdp_desc, and a u64 address).
export const XDP_DESC_SIZE: u32 = 16;
export const ADDR_DESC_SIZE: u32 = 8;
export const XDP_RING_NEED_WAKEUP: u32 = 1;

// Traffic frames (assembly/traffic.ts): Ethernet + IPv4 (no options) + UDP, then the payload below.
export const GEN_HEADERS: u32 = 42;
// Payload: u64 little-endian sequence number, then byte i (i >= 8) = (seq * GEN_MUL + i) & 0xff.
export const GEN_SEQ_BYTES: u32 = 8;
export const GEN_MUL: u32 = 131;
