// The order book's BBO events (src/book) as the strategy loop reads them: by index, into one
// reused object, so dispatching onBbo allocates nothing.
import type { BookView } from "../book/book.js";
import type { BookHook, BboEvent } from "./strategy.js";

export function bookHook(view: BookView, priceScale = 4): BookHook {
  const b: BboEvent = { instrument: 0, bidPrice: 0, bidQuantity: 0, askPrice: 0, askQuantity: 0, priceScale };
  const ev = view.events;
  return {
    count: () => view.eventCount(),
    recordIndex: (k) => ev.at(k).recordIndex,
    bbo(k) {
      ev.at(k);
      b.instrument = ev.instrument;
      b.bidPrice = ev.bidPx;
      b.bidQuantity = ev.bidQty;
      b.askPrice = ev.askPx;
      b.askQuantity = ev.askQty;
      return b;
    },
  };
}
