import type { LedgerStore } from "./store.ts";

/**
 * The devnet's notion of time, which `0x2::clock::Clock` reads. By default it follows the
 * wall clock plus an offset that tests move with `advance`/`set` (persisted, so a restart
 * keeps it), and it never runs backwards.
 *
 * A stopped clock (`stoppedAt`) stands still at a given time and moves only by
 * `advance`/`set`: Move unit tests pin the `Clock` to exact values (a signature window's
 * edge, an unbonding period to the millisecond), and their twins on the devnet can only
 * reproduce such boundaries when no wall time slips in between two transactions.
 */
export class DevnetClock {
  readonly #store: LedgerStore;
  readonly #stopped: boolean;
  /** Stopped clocks persist their time, running clocks their offset from the wall clock. */
  readonly #metaKey: string;
  #offsetMs: number;
  #lastMs = 0;

  constructor(store: LedgerStore, options: { stoppedAt?: number } = {}) {
    this.#store = store;
    this.#stopped = options.stoppedAt !== undefined;
    this.#metaKey = this.#stopped ? "clock_stopped_ms" : "clock_offset_ms";
    const saved = store.getMeta(this.#metaKey);
    if (options.stoppedAt !== undefined) {
      if (!Number.isSafeInteger(options.stoppedAt) || options.stoppedAt < 0) {
        throw new RangeError(`a stopped clock needs a time in ms, got ${options.stoppedAt}`);
      }
      // Reopened ledgers keep their time; a new one starts where it was asked to.
      this.#offsetMs = saved === undefined ? options.stoppedAt : Number(saved);
      if (saved === undefined) store.setMeta(this.#metaKey, String(this.#offsetMs));
    } else {
      this.#offsetMs = Number(saved ?? "0");
    }
  }

  now(): number {
    const base = this.#stopped ? 0 : Date.now();
    this.#lastMs = Math.max(this.#lastMs, base + this.#offsetMs);
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
    this.#setOffset(this.#stopped ? ms : ms - Date.now());
    return this.now();
  }

  #setOffset(offsetMs: number): void {
    this.#offsetMs = offsetMs;
    this.#store.setMeta(this.#metaKey, String(offsetMs));
  }
}
