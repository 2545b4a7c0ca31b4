// The open orders of a snapshot tracker, in typed arrays: nothing is allocated per order or per
// message, only when the table doubles. Orders are found by their 64-bit reference number
// through an open-addressing index (linear probing, backward-shift deletion, at most half full)
// and kept in arrival order on a doubly linked list, so that a snapshot lists them in the time
// priority they have on their price levels. A slot holds what an Add Order message needs.

/** Fields of slot i are the arrays' entries at i (stock: bytes 8i .. 8i + 7). */
export class OrderTable {
  refHi!: Uint32Array;
  refLo!: Uint32Array;
  locate!: Uint16Array;
  tracking!: Uint16Array;
  /** Nanoseconds since midnight (48 bits: exact in a double). */
  timestamp!: Float64Array;
  /** The side byte, 'B' or 'S'. */
  side!: Uint8Array;
  shares!: Uint32Array;
  price!: Uint32Array;
  /** The 8-byte stock symbols. */
  stock!: Uint8Array;
  /** Arrival order: the previous and next slot, -1 at the ends. Free slots chain through next. */
  prev!: Int32Array;
  next!: Int32Array;
  /** The oldest and newest order's slots (-1: none). */
  head = -1;
  tail = -1;
  size = 0;
  #free = -1;
  #used = 0;
  #capacity = 0;
  /** Slot + 1 per index position; 0: empty. */
  #index!: Int32Array;
  #bits = 0;

  constructor(initialCapacity = 4096) {
    this.#allocate(Math.max(16, initialCapacity));
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The slot of reference (hi, lo), or -1. */
  find(hi: number, lo: number): number {
    const pos = this.#position(hi, lo);
    return pos < 0 ? -1 : this.#index[pos] - 1;
  }

  /**
   * A new slot for reference (hi, lo), appended to the arrival order (the caller fills its
   * fields); -1 when the reference is already there.
   */
  insert(hi: number, lo: number): number {
    if (this.#position(hi, lo) >= 0) return -1;
    if (this.size === this.#capacity) this.#grow();
    let slot = this.#free;
    if (slot >= 0) this.#free = this.next[slot];
    else slot = this.#used++;
    this.refHi[slot] = hi;
    this.refLo[slot] = lo;
    this.prev[slot] = this.tail;
    this.next[slot] = -1;
    if (this.tail >= 0) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
    this.#place(slot);
    this.size++;
    return slot;
  }

  /** Removes the order in `slot` (from the index and the arrival order). */
  remove(slot: number): void {
    this.#unindex(this.#position(this.refHi[slot], this.refLo[slot]));
    const p = this.prev[slot];
    const n = this.next[slot];
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.next[slot] = this.#free;
    this.#free = slot;
    this.size--;
  }

  clear(): void {
    this.#index.fill(0);
    this.head = this.tail = this.#free = -1;
    this.size = this.#used = 0;
  }

  // Fibonacci hashing of the reference's two halves: consecutive references spread evenly.
  #home(hi: number, lo: number): number {
    return Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> (32 - this.#bits);
  }

  #position(hi: number, lo: number): number {
    const idx = this.#index;
    const mask = idx.length - 1;
    for (let i = this.#home(hi, lo); ; i = (i + 1) & mask) {
      const s = idx[i] - 1;
      if (s < 0) return -1;
      if (this.refLo[s] === lo && this.refHi[s] === hi) return i;
    }
  }

  #place(slot: number): void {
    const idx = this.#index;
    const mask = idx.length - 1;
    let i = this.#home(this.refHi[slot], this.refLo[slot]);
    while (idx[i] !== 0) i = (i + 1) & mask;
    idx[i] = slot + 1;
  }

  // Empties index position i, shifting back the entries after it that probed past it.
  #unindex(i: number): void {
    const idx = this.#index;
    const mask = idx.length - 1;
    for (let j = (i + 1) & mask; idx[j] !== 0; j = (j + 1) & mask) {
      const s = idx[j] - 1;
      const k = this.#home(this.refHi[s], this.refLo[s]);
      // Entry j may move to i when its home is not in the cyclic range (i, j].
      if (i <= j ? k <= i || k > j : k <= i && k > j) {
        idx[i] = idx[j];
        i = j;
      }
    }
    idx[i] = 0;
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.refHi = new Uint32Array(capacity);
    this.refLo = new Uint32Array(capacity);
    this.locate = new Uint16Array(capacity);
    this.tracking = new Uint16Array(capacity);
    this.timestamp = new Float64Array(capacity);
    this.side = new Uint8Array(capacity);
    this.shares = new Uint32Array(capacity);
    this.price = new Uint32Array(capacity);
    this.stock = new Uint8Array(capacity * 8);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.#bits = 32 - Math.clz32(capacity * 2 - 1);
    this.#index = new Int32Array(1 << this.#bits);
  }

  // Doubles every array, keeping slots where they are; rebuilds the index.
  #grow(): void {
    const old = {
      refHi: this.refHi, refLo: this.refLo, locate: this.locate, tracking: this.tracking, timestamp: this.timestamp,
      side: this.side, shares: this.shares, price: this.price, stock: this.stock, prev: this.prev, next: this.next,
    };
    this.#allocate(this.#capacity * 2);
    this.refHi.set(old.refHi);
    this.refLo.set(old.refLo);
    this.locate.set(old.locate);
    this.tracking.set(old.tracking);
    this.timestamp.set(old.timestamp);
    this.side.set(old.side);
    this.shares.set(old.shares);
    this.price.set(old.price);
    this.stock.set(old.stock);
    this.prev.set(old.prev);
    this.next.set(old.next);
    // Every slot is in use when the table is full: index them all.
    for (let s = 0; s < this.#used; s++) this.#place(s);
  }
}
