// The order book's events (src/book) as the strategy loop reads them: by index, into reused
// objects, so dispatching onBbo and onBook allocates nothing per event.
//
// onBook is conflated per batch: conflate() walks the batch's events once and keeps, per
// instrument, the index of its last depth event and the sides changed by any of them (arrays by
// instrument, stamped with a batch number instead of cleared). Only that last event is delivered,
// and since no later message of the batch changed that instrument's watched levels, the book's
// levels read then are exactly those after its message.
import { EV_DEPTH, EV_DEPTH_BID, EV_DEPTH_ASK } from "../../assembly/book/events.js";
import type { BookView, Depth } from "../book/book.js";
import type { BookHook, BboEvent, BookEvent } from "./strategy.js";

export function bookHook(view: BookView, priceScale = 4): BookHook {
  const b: BboEvent = { instrument: 0, bidPrice: 0, bidQuantity: 0, askPrice: 0, askQuantity: 0, priceScale };
  const ev = view.events;
  const max = view.capacities.maxInstruments;
  const watch = view.capacities.depthWatch;
  const last = new Int32Array(max);
  const sides = new Uint8Array(max);
  const stamp = new Uint32Array(max);
  let batch = 0;
  const d: BookEvent = {
    instrument: 0, bid: false, ask: false, recordIndex: 0,
    depth(side: number, n = watch): Depth {
      return view.depth(d.instrument, side, n);
    },
    copy() {
      const levels = (side: number) => {
        const x = view.depth(d.instrument, side, watch);
        return Array.from({ length: x.count }, (_, i) => ({ price: x.price[i], shares: x.shares[i], orders: x.orders[i] }));
      };
      return { instrument: d.instrument, bid: d.bid, ask: d.ask, recordIndex: d.recordIndex, bids: levels(0), asks: levels(1) };
    },
  };
  return {
    count: () => view.eventCount(),
    enableDepthEvents() {
      view.depthEvents = true;
    },
    recordIndex: (k) => ev.at(k).recordIndex,
    flags: (k) => ev.at(k).flags,
    bbo(k) {
      ev.at(k);
      b.instrument = ev.instrument;
      b.bidPrice = ev.bidPx;
      b.bidQuantity = ev.bidQty;
      b.askPrice = ev.askPx;
      b.askQuantity = ev.askQty;
      return b;
    },
    conflate(n) {
      if (++batch > 0xffffffff) {
        stamp.fill(0);
        batch = 1;
      }
      for (let k = 0; k < n; k++) {
        ev.at(k);
        const f = ev.flags & EV_DEPTH;
        if (f === 0) continue;
        const i = ev.instrument;
        if (stamp[i] !== batch) {
          stamp[i] = batch;
          sides[i] = 0;
        }
        sides[i] |= f;
        last[i] = k;
      }
    },
    depth(k) {
      ev.at(k);
      const i = ev.instrument;
      if (stamp[i] !== batch || last[i] !== k) return null;
      d.instrument = i;
      d.bid = (sides[i] & EV_DEPTH_BID) !== 0;
      d.ask = (sides[i] & EV_DEPTH_ASK) !== 0;
      d.recordIndex = ev.recordIndex;
      return d;
    },
  };
}
