// Filling gaps from a MoldUDP64 retransmission server. The parser runs with HOLD_RECOVER: a packet
// that opens a gap is held (assembly/parse/arbiter.ts) instead of delivered. This side reads the
// gaps from the parser's memory (the expected sequence and the held packets), requests what is
// missing (split into requests of at most requestMax messages, at most requestRate a second),
// checks each answer (session, range, blocks agreeing with the count) and hands the good ones to
// the parser as packets of LINE_RETRANSMIT, where they close the gap and release what was held. A
// request not answered in time is sent again, its wait doubling each time; after `retries` of them
// the gap is given up (recoverAbandon: declared, with its exact range) and the stream goes on.
// While the hold has no room for another live packet, no live packet is read (livePoll): the feed
// waits in the kernel's buffer (the socket's, or the RX ring, where an overflow is counted and
// becomes a gap requested in turn) until the gap is filled or given up.
//
// Nothing runs while there is no gap: service() is called by the source's poll only when packets
// are held or requests are out (one memory read a poll otherwise).

import { createHistogram, type RecordableHistogram } from "node:perf_hooks";
import * as L from "../../assembly/layout.js";
import { addressOf, libc } from "../../bridge/libc.js";
import { bindUdpSocket, closeSocket, sockaddrIn, RecvVector, SOCKADDR_IN_SIZE } from "../../bridge/udp.js";
import { XdpError } from "../../bridge/errors.js";
import type { WasmMemory } from "../../bridge/wasm.js";
import { exact } from "../feeds/summary.js";
import { encodeRequest, checkAnswer, REQUEST_BYTES, type AnswerProblem } from "./moldudp64.js";

export interface RetransmitOptions {
  /** The retransmission server's IPv4 address and UDP port. */
  host: string;
  port: number;
  /** Most messages one request asks for: the server's limit (default 1000). */
  requestMax?: number;
  /** Milliseconds before an unanswered request is sent again, doubling each time (default 20). */
  requestTimeoutMs?: number;
  /** Requests sent again before a gap is given up (default 4). */
  retries?: number;
  /** Most requests a second (default 10,000, in bursts of up to 64): a burst of loss cannot flood the server. */
  requestRate?: number;
  /**
   * Most messages held while a gap waits (default and maximum L.HOLD_MESSAGES_MAX). With the hold
   * full, live packets are left in the kernel's buffer until the gap is filled or given up.
   */
  holdMax?: number;
  /**
   * The first sequence number expected of a session not seen yet (default 1: a receiver that
   * starts after the session did requests what it missed; 0: the first packet sets it, as without
   * retransmission). A snapshot's start sets its own.
   */
  fromSequence?: number;
}

/** A gap given up, with its exact range [from, to) of sequence numbers. */
export interface LostRange {
  from: number | string;
  to: number | string;
  /** "unanswered": the requests went unanswered; "holdLimit": answers to later gaps filled the hold first. */
  reason: "unanswered" | "holdLimit";
}

export interface RecoveryStats {
  gapsDetected: number;
  /** Gaps for which a request went out (with A/B lines: those missing on both lines). */
  gapsRequested: number;
  gapsRecovered: number;
  gapsUnrecoverable: number;
  /** Messages the answers delivered. */
  messagesRecovered: number;
  requestsSent: number;
  requestsRetried: number;
  /** Answers taken (each a MoldUDP64 packet). */
  answers: number;
  /** Answers ignored, by why. */
  ignored: Record<AnswerProblem, number>;
  /** The gaps given up (the first 100). */
  lost: LostRange[];
  /** Microseconds from a gap's detection to its last message's arrival. */
  recoveryUs: { count: number; p50: number; p99: number; max: number };
}

/** The parser exports used here (assembly/parse/feed-abi.ts). */
export interface RecoveryExports {
  clearRecords(): void;
  recordCount(): number;
  parsePayloads(first: number, n: number, line: number): number;
  recoverAbandon(end: bigint): void;
  rxRecycle?(): void;
}

interface Gap {
  from: bigint;
  to: bigint;
  session: Uint8Array;
  detectedMs: number;
  /** When to send (again), or give up once tries > retries. */
  deadlineMs: number;
  tries: number;
  waitMs: number;
}

const ANSWER_SLOTS = L.ANSWER_SLOTS;
const SLOT_BYTES = L.ANSWER_SLOT;
const LOST_KEPT = 100;
const REQUEST_BURST = 64;
/** Live packets a poll reads while a gap is held: what one poll adds to the held messages stays small. */
const HELD_POLL = 8;
/** Most messages one held packet can hold: a third of a hold slot's bytes (a block takes 3 or more). */
const PACKET_MESSAGES_MAX = Math.floor(L.HOLD_SLOT / 3);


export class Retransmitter {
  readonly #x: RecoveryExports;
  readonly #u8: Uint8Array;
  readonly #ps32: Uint32Array;
  readonly #ps64: BigUint64Array;
  readonly #table: Uint32Array;
  readonly #ts: BigUint64Array;
  readonly #fd: number;
  readonly #dst: Uint8Array;
  readonly #vec: RecvVector;
  readonly #slotBase: number;
  readonly #requestBytes = new Uint8Array(REQUEST_BYTES);
  readonly #answer = { seq: 0n, count: 0 };
  readonly #requestMax: number;
  readonly #timeoutMs: number;
  readonly #retries: number;
  #tokens = REQUEST_BURST;
  #tokensAtMs = 0;
  readonly #perMs: number;

  #gaps: Gap[] = [];
  /** When each missing range (by its start) was first seen: with A/B lines it may wait for the other line. */
  #seen = new Map<bigint, number>();
  /** Where the first missing range begins, as #track found it this service. */
  #firstMissing: bigint | undefined;
  /** Until when answers to requests already closed may still come. */
  #lateUntilMs = 0;
  /** The parser's count of declared gaps (PS_DECLARED_COUNT) as #track last read it. */
  #declaredSeen = 0n;
  readonly #holdMax: number;
  #closed = false;
  readonly #hist: RecordableHistogram = createHistogram({ lowest: 1, highest: 3_600_000_000, figures: 3 });
  readonly stats: Omit<RecoveryStats, "recoveryUs"> = {
    gapsDetected: 0, gapsRequested: 0, gapsRecovered: 0, gapsUnrecoverable: 0, messagesRecovered: 0, requestsSent: 0, requestsRetried: 0, answers: 0,
    ignored: { malformed: 0, wrongSession: 0, outOfRange: 0 }, lost: [],
  };

  /**
   * Turns retransmission on in the parser whose memory and exports are given, and opens the UDP
   * socket requests go out from and answers come to (into the memory's ANSWERS region).
   */
  constructor(memory: WasmMemory, x: RecoveryExports, o: RetransmitOptions) {
    this.#requestMax = option("requestMax", o.requestMax, 1000, 1, 65534);
    this.#timeoutMs = option("requestTimeoutMs", o.requestTimeoutMs, 20, 1, 60_000);
    this.#retries = option("retries", o.retries, 4, 0, 100);
    this.#perMs = option("requestRate", o.requestRate, 10_000, 1, 1_000_000) / 1000;
    const holdMax = option("holdMax", o.holdMax, L.HOLD_MESSAGES_MAX, 1, L.HOLD_MESSAGES_MAX);
    this.#x = x;
    this.#slotBase = L.ANSWERS_BASE;
    const buf = memory.buffer;
    this.#u8 = new Uint8Array(buf);
    this.#ps32 = new Uint32Array(buf, L.PSTATS_BASE, L.PSTATS_SIZE / 4);
    this.#ps64 = new BigUint64Array(buf, L.PSTATS_BASE, L.PSTATS_SIZE / 8);
    this.#table = new Uint32Array(buf, L.BATCH_BASE, ANSWER_SLOTS * 2);
    this.#ts = new BigUint64Array(buf, L.BATCH_TS_BASE, ANSWER_SLOTS);
    this.#dst = sockaddrIn(o.host, o.port);
    this.#fd = bindUdpSocket({ address: "0.0.0.0", port: 0, reuseAddr: false, receiveBufferBytes: 4 << 20 });
    this.#vec = new RecvVector(ANSWER_SLOTS, addressOf(buf) + BigInt(this.#slotBase), SLOT_BYTES, SLOT_BYTES);
    for (let i = 0; i < ANSWER_SLOTS; i++) this.#vec.rearm(i);
    this.#holdMax = holdMax;
    this.#ps32[L.PS_HOLD_LIMIT / 4] = holdMax;
    this.#ps64[L.PS_START_SEQ / 8] = BigInt(option("fromSequence", o.fromSequence, 1, 0, Number.MAX_SAFE_INTEGER));
    this.#ps32[L.PS_HOLD_FLAGS / 4] |= L.HOLD_RECOVER;
  }

  /**
   * Whether service() has anything to do: packets held behind a gap, requests out, or answers that
   * may still come for gaps no longer open (read and counted until their request's time is up).
   */
  due(): boolean {
    if (this.#ps32[L.PS_HELD / 4] !== 0 || this.#gaps.length !== 0) return true;
    if (this.#lateUntilMs === 0) return false;
    if (performance.now() < this.#lateUntilMs) return true;
    this.#lateUntilMs = 0;
    return false;
  }

  /**
   * How many live packets the next poll may read: all of `max` without a gap; while one is held, a
   * few, and none once the hold has no room left for packets of any size (holdMax messages, or
   * HOLD_MAX packets): the rest waits in the kernel's buffer until the gap is filled or given up,
   * rather than push the gap out of the hold. Under HOLD_ALL (a snapshot loading) the hold drops
   * its oldest, counted: a few a poll.
   */
  livePoll(max: number): number {
    const held = this.#ps32[L.PS_HELD / 4];
    if (held === 0) return max;
    const few = Math.min(max, HELD_POLL);
    if ((this.#ps32[L.PS_HOLD_FLAGS / 4] & L.HOLD_ALL) !== 0) return few;
    const messagesRoom = this.#holdMax - this.#ps32[L.PS_HELD_MESSAGES / 4];
    const room = Math.min(L.HOLD_MAX - held, Math.floor(messagesRoom / PACKET_MESSAGES_MAX));
    return room > 0 ? Math.min(few, room) : 0;
  }

  /**
   * Whether a gap is being recovered: packets held behind it (requested or about to be, at the
   * next service) or requests out, not yet filled or given up.
   */
  waiting(): boolean {
    return this.#ps32[L.PS_HELD / 4] !== 0 || this.#gaps.length !== 0;
  }

  /**
   * Takes the answers that came, requests what is missing, gives up what waited too long; returns
   * the records this produced (in the parser's ticks, like a poll).
   */
  service(nowMs = performance.now()): number {
    if (this.#closed) return 0;
    this.#x.rxRecycle?.();
    this.#x.clearRecords();
    this.#takeAnswers();
    // While everything is held for a snapshot's load (HOLD_ALL) nothing is missing yet.
    if ((this.#ps32[L.PS_HOLD_FLAGS / 4] & L.HOLD_ALL) !== 0) return this.#x.recordCount();
    this.#track(nowMs);
    this.#request(nowMs);
    this.#abandon(nowMs);
    return this.#x.recordCount();
  }

  /** The statistics, with the recovery-time histogram read now. */
  report(): RecoveryStats {
    const h = this.#hist;
    const n = h.count;
    return {
      ...this.stats, ignored: { ...this.stats.ignored }, lost: [...this.stats.lost],
      recoveryUs: { count: n, p50: n ? h.percentile(50) : 0, p99: n ? h.percentile(99) : 0, max: n ? h.max : 0 },
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSocket(this.#fd);
  }

  // Answers into the parser, LINE_RETRANSMIT; those failing a check are counted and dropped.
  #takeAnswers(): void {
    const n = this.#vec.receive(this.#fd, 0, ANSWER_SLOTS);
    if (n <= 0) return;
    let k = 0;
    const now = BigInt(Date.now()) * 1_000_000n;
    for (let i = 0; i < n; i++) {
      const at = this.#slotBase + i * SLOT_BYTES;
      const len = this.#vec.length(i);
      this.#vec.rearm(i);
      const problem = this.#vec.truncated(i) ? "malformed" : this.#check(at, len);
      if (problem !== undefined) {
        this.stats.ignored[problem]++;
        continue;
      }
      this.stats.answers++;
      this.#table[k * 2] = at;
      this.#table[k * 2 + 1] = len;
      this.#ts[k] = now;
      k++;
    }
    if (k === 0) return;
    const won = this.#lineWon();
    this.#x.parsePayloads(0, k, L.LINE_RETRANSMIT);
    this.stats.messagesRecovered += this.#lineWon() - won;
  }

  #lineWon(): number {
    return Number(this.#ps64[(L.PS_LINES + L.LINE_RETRANSMIT * L.LINE_SIZE + L.LN_WON) / 8]);
  }

  // An answer must be of a gap's session and within what is missing.
  #check(at: number, len: number): AnswerProblem | undefined {
    const gap = this.#gaps[0];
    if (gap === undefined) return "outOfRange";
    const problem = checkAnswer(this.#u8, at, len, gap.session, this.#answer);
    if (problem !== undefined) return problem;
    const { seq, count } = this.#answer;
    const end = seq + BigInt(count);
    return this.#gaps.some((g) => seq >= g.from && end <= g.to) ? undefined : "outOfRange";
  }

  // The missing ranges now: from the expected sequence through the held packets; gaps no longer
  // missing are closed (recovered, unless the parser declared them: its hold limit reached by
  // answers), new ones are tracked, split at requestMax.
  #track(nowMs: number): void {
    const missing = this.#missing();
    this.#firstMissing = missing[0]?.from;
    const declared = this.#declaredSince();
    const still: Gap[] = [];
    for (const g of this.#gaps) {
      const m = missing.find((r) => r.from < g.to && r.to > g.from);
      const d = m === undefined ? declared.filter((r) => r.from < g.to && r.to > g.from) : [];
      if (m !== undefined) {
        if (m.from > g.from) g.from = m.from;
        still.push(g);
      } else if (d.length > 0) {
        // What of the gap was declared (the rest came before the hold overflowed).
        const from = d.reduce((a, r) => (r.from < a ? r.from : a), g.to);
        const to = d.reduce((a, r) => (r.to > a ? r.to : a), g.from);
        this.#lost({ ...g, from: from > g.from ? from : g.from, to: to < g.to ? to : g.to }, "holdLimit");
      } else {
        this.stats.gapsRecovered++;
        this.#hist.record(Math.max(1, Math.round((nowMs - g.detectedMs) * 1000)));
      }
    }
    // With A/B lines, what one line missed the other may still bring: what both lines have passed
    // is requested, or what has been missing for a request timeout (the other line may be down).
    const passed = this.#bothLinesPassed();
    const seen = new Map<bigint, number>();
    for (const r of missing) {
      const since = this.#seen.get(r.from) ?? nowMs;
      seen.set(r.from, since);
      if (r.from >= passed && nowMs - since < this.#timeoutMs) continue;
      let from = r.from;
      for (const g of still) if (g.from <= from && g.to > from) from = g.to;
      for (; from < r.to; from += BigInt(this.#requestMax)) {
        const to = from + BigInt(this.#requestMax) < r.to ? from + BigInt(this.#requestMax) : r.to;
        if (still.some((g) => g.from < to && g.to > from)) continue;
        this.stats.gapsDetected++;
        still.push({ from, to, session: r.session, detectedMs: nowMs, deadlineMs: nowMs, tries: 0, waitMs: this.#timeoutMs });
      }
    }
    still.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    this.#gaps = still;
    this.#seen = seen;
  }

  // The gaps the parser declared since the last call, from its log (PS_DECLARED). Should more have
  // been declared than the log keeps, every gap closed now counts as declared: none is reported
  // recovered that may not have been.
  #declaredSince(): Array<{ from: bigint; to: bigint }> {
    const count = this.#ps64[L.PS_DECLARED_COUNT / 8];
    const out: Array<{ from: bigint; to: bigint }> = [];
    if (count === this.#declaredSeen) return out;
    const log = BigInt(L.DECLARED_LOG);
    if (count - this.#declaredSeen > log) out.push({ from: 0n, to: 0xffffffffffffffffn });
    else {
      for (let n = this.#declaredSeen; n < count; n++) {
        const e = (L.PS_DECLARED + Number(n % log) * L.DECLARED_ENTRY) / 8;
        out.push({ from: this.#ps64[e], to: this.#ps64[e + 1] });
      }
    }
    this.#declaredSeen = count;
    return out;
  }

  // The sequence both A/B lines have delivered past (no limit without lines).
  #bothLinesPassed(): bigint {
    if (this.#ps32[L.PS_ARB_PORTS / 4] === 0) return 0xffffffffffffffffn;
    const next = (l: number) => this.#ps64[(L.PS_LINES + l * L.LINE_SIZE + L.LN_NEXT) / 8];
    const a = next(L.LINE_A);
    const b = next(L.LINE_B);
    return a < b ? a : b;
  }

  // [from, to) ranges missing before and between the held packets, with their session.
  #missing(): Array<{ from: bigint; to: bigint; session: Uint8Array }> {
    const out: Array<{ from: bigint; to: bigint; session: Uint8Array }> = [];
    const held = this.#ps32[L.PS_HELD / 4];
    const head = this.#ps32[L.PS_HOLD_HEAD / 4];
    // Before any session was entered, a session starts at PS_START_SEQ (assembly/parse/arbiter.ts expected()).
    const entered = new Uint32Array(this.#u8.buffer, L.SESSIONS_BASE + L.SS_CURRENT, 1)[0] !== 0;
    let cursor = this.#ps64[(entered ? L.PS_NEXT_SEQ : L.PS_START_SEQ) / 8];
    if (cursor === 0n) return out;
    const dv = new DataView(this.#u8.buffer);
    for (let k = 0; k < held; k++) {
      const e = L.HOLD_BASE + L.HOLD_QUEUE + ((head + k) % L.HOLD_MAX) * L.HOLD_ENTRY;
      const seq = dv.getBigUint64(e + L.HE_SEQ, true);
      const p = L.HOLD_BASE + L.HOLD_SLOTS_BASE + dv.getUint32(e + L.HE_SLOT, true) * L.HOLD_SLOT;
      const count = dv.getUint16(p + 18);
      if (seq > cursor) out.push({ from: cursor, to: seq, session: this.#u8.slice(p, p + 10) });
      const end = seq + BigInt(count === 0xffff ? 0 : count);
      if (end > cursor) cursor = end;
    }
    return out;
  }

  // Sends the requests that are due, oldest gap first, no faster than requestRate (a token bucket).
  #request(nowMs: number): void {
    this.#tokens = Math.min(REQUEST_BURST, this.#tokens + (nowMs - this.#tokensAtMs) * this.#perMs);
    this.#tokensAtMs = nowMs;
    for (const g of this.#gaps) {
      if (g.tries > this.#retries || nowMs < g.deadlineMs) continue;
      if (this.#tokens < 1) return;
      encodeRequest(this.#requestBytes, g.session, g.from, Number(g.to - g.from));
      if (libc.sendto(this.#fd, this.#requestBytes, REQUEST_BYTES, 0, this.#dst, SOCKADDR_IN_SIZE) < 0) return;
      this.#tokens--;
      this.stats.requestsSent++;
      if (g.tries > 0) this.stats.requestsRetried++;
      else this.stats.gapsRequested++;
      g.tries++;
      g.deadlineMs = nowMs + g.waitMs;
      if (g.deadlineMs > this.#lateUntilMs) this.#lateUntilMs = g.deadlineMs;
      g.waitMs *= 2;
    }
  }

  // The first gap, once its last request has timed out: declared, and what it held released.
  #abandon(nowMs: number): void {
    const g = this.#gaps[0];
    if (g === undefined || g.tries <= this.#retries || nowMs < g.deadlineMs) return;
    if (this.#firstMissing !== g.from) return;
    this.#gaps.shift();
    this.#x.recoverAbandon(g.to);
    this.#lost(g, "unanswered");
  }

  #lost(g: Gap, reason: LostRange["reason"]): void {
    this.stats.gapsUnrecoverable++;
    if (this.stats.lost.length < LOST_KEPT) this.stats.lost.push({ from: exact(g.from), to: exact(g.to), reason });
  }
}

function option(name: string, v: number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw new XdpError("ECONFIG", `retransmit ${name} must be an integer from ${min} to ${max}, got ${v}`);
  return v;
}
