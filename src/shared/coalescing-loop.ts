/**
 * Runs `pass` whenever it is kicked, never two at once: kicks that arrive during a pass
 * collapse into exactly one more pass after it (the work a pass does is "everything that is
 * due", so one more pass covers any number of kicks). A failing pass is reported and does
 * not stop later ones; after `stop()`, kicks are ignored and `stop()` waits for the pass
 * under way.
 */
export class CoalescingLoop {
  readonly #pass: (signal: AbortSignal) => Promise<unknown>;
  readonly #onError: (error: unknown) => void;
  readonly #abort: AbortController;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: {
    pass: (signal: AbortSignal) => Promise<unknown>;
    onError: (error: unknown) => void;
    /** Aborting it stops the loop too (e.g. the owner's shutdown signal). */
    signal?: AbortSignal;
  }) {
    this.#pass = options.pass;
    this.#onError = options.onError;
    this.#abort = new AbortController();
    options.signal?.addEventListener("abort", () => this.#abort.abort(), { once: true });
  }

  /** The pass under way, if any (resolves when the loop is idle again). */
  get idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  kick(): void {
    if (this.#abort.signal.aborted) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#pass(this.#abort.signal);
        } catch (error) {
          if (!this.#abort.signal.aborted) this.#onError(error);
        }
      } while (this.#again && !this.#abort.signal.aborted);
      this.#running = undefined;
    })();
  }

  /** No more passes; resolves once the pass under way (if any) has ended. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }
}
