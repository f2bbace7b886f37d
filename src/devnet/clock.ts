import type { LedgerStore } from "./store.ts";

/**
 * The devnet's notion of time, which `0x2::clock::Clock` reads. It follows the wall clock
 * plus an offset that tests move with `advance`/`set` (persisted, so a restart keeps it),
 * and it never runs backwards.
 */
export class DevnetClock {
  readonly #store: LedgerStore;
  #offsetMs: number;
  #lastMs = 0;

  constructor(store: LedgerStore) {
    this.#store = store;
    this.#offsetMs = Number(store.getMeta("clock_offset_ms") ?? "0");
  }

  now(): number {
    this.#lastMs = Math.max(this.#lastMs, Date.now() + this.#offsetMs);
    return this.#lastMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError("the clock only moves forward");
    this.#setOffset(this.#offsetMs + ms);
    return this.now();
  }

  set(ms: number): number {
    if (!Number.isFinite(ms) || ms < this.now()) {
      throw new RangeError(`cannot set the clock back from ${this.now()} to ${ms}`);
    }
    this.#setOffset(ms - Date.now());
    return this.now();
  }

  #setOffset(offsetMs: number): void {
    this.#offsetMs = offsetMs;
    this.#store.setMeta("clock_offset_ms", String(offsetMs));
  }
}
