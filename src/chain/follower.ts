import type { GrpcTypes, SuiGrpcClient } from "@mysten/sui/grpc";
import { type BackoffPolicy, backoffDelay, DEFAULT_BACKOFF, sleep } from "../shared/backoff.ts";
import { ChainError } from "./errors.ts";
import {
  assertCursorAvailable,
  type DecodedCursor,
  decodeCursor,
  type FollowerCursor,
} from "./event-cursor.ts";
import {
  EVENT_READ_MASK,
  eventTypeFilter,
  normalizeEventTypeFilter,
  type RawChainEvent,
  readEventPage,
  toRawChainEvent,
} from "./event-page.ts";
import { isResumableReadError, rpcErrorCode } from "./rpc-errors.ts";
import { StallDetector } from "./stall-detector.ts";

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: Error };

/** An event with its identity (txDigest, eventIndex), position, raw BCS and decoded value. */
export interface FollowedEvent<T> extends RawChainEvent {
  /** A decode failure is data, not a follower crash: the caller answers it (e.g. rejects). */
  readonly decoded: DecodeResult<T>;
}

export interface EventFollowerOptions<T> {
  client: SuiGrpcClient;
  /**
   * Event types to follow (OR), as `0xPACKAGE::module::Name` or `0xPACKAGE::module`. The
   * package is the one that *defined* the type (the original id, also after upgrades).
   */
  eventTypes: readonly string[];
  /** Resume point; `null` starts at the oldest history the server still has. */
  cursor: FollowerCursor | null;
  decode: (eventType: string, bcs: Uint8Array) => T;
  /**
   * Commits a batch and its cursor atomically. The follower does not persist anything and
   * does not move on until this resolves (back-pressure). `events` may be empty when only
   * the cursor advanced (a scan-limited page). A rejection stops the follower with that error.
   */
  onBatch: (events: FollowedEvent<T>[], nextCursor: FollowerCursor) => Promise<void>;
  /** Subscribe for latency (default). Without it, or if the server lacks it, poll. */
  useSubscription?: boolean;
  pageSize?: number;
  pollIntervalMs?: number;
  /** Deadline of each unary call and each ListEvents page. */
  requestTimeoutMs?: number;
  /** Stream silence, while the chain advances, after which we probe for missed events. */
  stallTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Give up after this many failed connections in a row (default: never). */
  maxConsecutiveFailures?: number;
  random?: () => number;
  now?: () => number;
  /** Observability hook (the caller logs); never receives secrets. */
  onReconnect?: (info: { failures: number; delayMs: number; reason: unknown }) => void;
}

export interface FollowerStats {
  batches: number;
  events: number;
  reconnects: number;
  stalls: number;
  /** Events first seen on the subscription stream, rather than by replay or polling. */
  streamedEvents: number;
  /** Stream events dropped because replay had already delivered them. */
  duplicatesDropped: number;
  /** Set when the server does not implement SubscribeEvents and we poll instead. */
  subscriptionUnavailable: boolean;
}

/** A connection ended in a way that calls for reconnect-and-resume. */
class ConnectionInterrupted extends Error {
  override readonly name = "ConnectionInterrupted";
}

/** Wraps an error thrown by the caller's sink so it is re-thrown untouched, never retried. */
class SinkFailed {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** The events of the newest replayed checkpoint: stream copies of them are dropped. */
class ReplayCoverage {
  checkpoint = -1n;
  readonly #ids = new Set<string>();

  add(events: readonly RawChainEvent[]): void {
    for (const event of events) {
      if (event.checkpoint > this.checkpoint) {
        this.checkpoint = event.checkpoint;
        this.#ids.clear();
      }
      if (event.checkpoint === this.checkpoint) this.#ids.add(idOf(event));
    }
  }

  /** A checkpoint is indexed whole, so replay saw every event of every checkpoint it reached. */
  covers(event: RawChainEvent): boolean {
    return (
      event.checkpoint < this.checkpoint ||
      (event.checkpoint === this.checkpoint && this.#ids.has(idOf(event)))
    );
  }
}

function idOf(event: RawChainEvent): string {
  return `${event.txDigest}#${event.eventIndex}`;
}

export class EventFollower<T> {
  readonly stats: FollowerStats = {
    batches: 0,
    events: 0,
    reconnects: 0,
    stalls: 0,
    streamedEvents: 0,
    duplicatesDropped: 0,
    subscriptionUnavailable: false,
  };
  readonly #options: EventFollowerOptions<T>;
  readonly #pageSize: number;
  readonly #requestTimeoutMs: number;
  readonly #now: () => number;
  #cursor: FollowerCursor | null;
  #decodedCursor: DecodedCursor | null;
  #progress = 0;
  #running = false;

  constructor(options: EventFollowerOptions<T>) {
    if (options.eventTypes.length === 0) {
      throw new ChainError("CHAIN_EVENT_TYPE_INVALID", "follow at least one event type");
    }
    this.#options = { ...options, eventTypes: options.eventTypes.map(normalizeEventTypeFilter) };
    this.#pageSize = options.pageSize ?? 50;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#cursor = options.cursor;
    // Decoded up front: a malformed stored cursor is a startup error, not a retry loop.
    this.#decodedCursor = options.cursor === null ? null : decodeCursor(options.cursor);
  }

  /** The cursor after the last batch the sink accepted. */
  get cursor(): FollowerCursor | null {
    return this.#cursor;
  }

  /**
   * Follows until `signal` aborts (then resolves, after any batch in flight is committed).
   * Rejects with a ChainError for what retrying cannot fix (pruned cursor, bad filter), or
   * with the sink's own error.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) {
      throw new ChainError("CHAIN_FOLLOWER_FAILED", "this follower is already running");
    }
    this.#running = true;
    try {
      await this.#runLoop(signal);
    } finally {
      this.#running = false;
    }
  }

  async #runLoop(signal: AbortSignal): Promise<void> {
    const backoff = this.#options.backoff ?? DEFAULT_BACKOFF;
    const maxFailures = this.#options.maxConsecutiveFailures ?? Number.POSITIVE_INFINITY;
    let failures = 0;
    while (!signal.aborted) {
      const progressBefore = this.#progress;
      try {
        await this.#connect(signal);
        return;
      } catch (error) {
        if (error instanceof SinkFailed) throw error.error;
        if (signal.aborted) return;
        if (error instanceof ChainError) throw error;
        if (this.#isMissingSubscription(error)) {
          this.stats.subscriptionUnavailable = true;
          continue;
        }
        if (!(error instanceof ConnectionInterrupted) && !isResumableReadError(error)) {
          throw new ChainError("CHAIN_FOLLOWER_FAILED", `event follower failed: ${String(error)}`, {
            cause: error,
          });
        }
        failures = this.#progress > progressBefore ? 1 : failures + 1;
        if (failures > maxFailures) {
          throw new ChainError(
            "CHAIN_FOLLOWER_GAVE_UP",
            `event follower gave up after ${failures - 1} failed connections`,
            { cause: error },
          );
        }
        this.stats.reconnects += 1;
        const delayMs = backoffDelay(backoff, failures - 1, this.#options.random);
        this.#options.onReconnect?.({ failures, delayMs, reason: error });
        await sleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  #isMissingSubscription(error: unknown): boolean {
    return this.#subscribing() && rpcErrorCode(error) === "UNIMPLEMENTED";
  }

  #subscribing(): boolean {
    return (this.#options.useSubscription ?? true) && !this.stats.subscriptionUnavailable;
  }

  async #connect(signal: AbortSignal): Promise<void> {
    const tip = await this.#checkCursorAvailable(signal);
    if (this.#subscribing()) {
      await this.#followSubscription(signal, tip);
    } else {
      await this.#poll(signal);
    }
  }

  /** Fails fast and clearly when the server has pruned the history the cursor points into. */
  async #checkCursorAvailable(signal: AbortSignal): Promise<bigint> {
    const response = await this.#serviceInfo(signal);
    assertCursorAvailable(this.#decodedCursor, response.lowestAvailableCheckpoint ?? 0n);
    return response.checkpointHeight ?? 0n;
  }

  #serviceInfo(signal: AbortSignal): Promise<GrpcTypes.GetServiceInfoResponse> {
    return this.#withDeadline(
      signal,
      (callSignal) =>
        this.#options.client.ledgerService.getServiceInfo({}, { abort: callSignal }).response,
    );
  }

  async #poll(signal: AbortSignal): Promise<void> {
    const interval = this.#options.pollIntervalMs ?? 1_000;
    for (;;) {
      await this.#replay(signal, new ReplayCoverage());
      await sleep(interval, signal);
    }
  }

  /** Pages ListEvents from the cursor until the server says there is nothing further. */
  async #replay(signal: AbortSignal, coverage: ReplayCoverage): Promise<void> {
    for (;;) {
      const page = await this.#withDeadline(signal, (callSignal) =>
        readEventPage(this.#options.client, {
          eventTypes: this.#options.eventTypes,
          after: this.#decodedCursor,
          limit: this.#pageSize,
          signal: callSignal,
        }),
      );
      if (page.nextCursor !== null && page.nextCursor !== this.#cursor) {
        await this.#deliver(page.events, page.nextCursor);
        coverage.add(page.events);
      }
      if (!page.hasNextPage) return;
    }
  }

  /**
   * Opens the subscription first, then replays from the cursor to the tip, then serves the
   * stream. Anything emitted between the cursor and the stream's first item is therefore
   * covered by the replay; stream items the replay already delivered are dropped.
   */
  async #followSubscription(signal: AbortSignal, tip: bigint): Promise<void> {
    const streamAbort = new AbortController();
    const streamSignal = AbortSignal.any([signal, streamAbort.signal]);
    const call = this.#options.client.subscriptionService.subscribeEvents(
      { readMask: EVENT_READ_MASK, filter: eventTypeFilter(this.#options.eventTypes) },
      { abort: streamSignal },
    );
    ignoreRejection(call.status, call.trailers);
    const frames = call.responses[Symbol.asyncIterator]();
    let next = frames.next();
    // Read while we replay; a failure is seen when we await `next` below.
    ignoreRejection(next);
    try {
      // Headers mean the server has registered the subscription, so replay can close the gap.
      // A server that holds them back is not an error: the stall probe catches any gap.
      // The in-process transport may not settle a stream after its abort: the stop signal
      // is watched here and below, so stopping never waits for a frame or a timeout.
      await resultOrTimeout(call.headers, this.#requestTimeoutMs, signal);
      const coverage = new ReplayCoverage();
      await this.#replay(signal, coverage);
      const stallTimeoutMs = this.#options.stallTimeoutMs ?? 30_000;
      const detector = new StallDetector(stallTimeoutMs, this.#now(), tip);
      const tick = Math.max(50, Math.floor(stallTimeoutMs / 4));
      for (;;) {
        const result = await resultOrTimeout(next, tick, signal);
        if (result === TIMED_OUT) {
          if (detector.isQuiet(this.#now())) await this.#checkForStall(signal, detector);
          continue;
        }
        // Frames that already arrived go into one batch: one sink commit per burst.
        const batch: RawChainEvent[] = [];
        let current: IteratorResult<GrpcTypes.SubscribeEventsResponse> | typeof NOT_READY = result;
        while (current !== NOT_READY && !current.done && batch.length < this.#pageSize) {
          next = frames.next();
          ignoreRejection(next);
          const event = this.#admitStreamFrame(current.value, coverage, detector);
          if (event !== undefined) batch.push(event);
          current = await Promise.race([next, NOT_READY_PROMISE]);
        }
        const last = batch.at(-1);
        if (last !== undefined) {
          this.stats.streamedEvents += batch.length;
          await this.#deliver(batch, last.cursor);
          // Time spent in the sink is back-pressure, not stream silence.
          detector.progress(this.#now());
        }
        if (current !== NOT_READY && current.done) {
          throw new ConnectionInterrupted("server ended the event subscription");
        }
      }
    } finally {
      streamAbort.abort();
    }
  }

  /** The event a stream frame carries, unless replay already delivered it. */
  #admitStreamFrame(
    frame: GrpcTypes.SubscribeEventsResponse,
    coverage: ReplayCoverage,
    detector: StallDetector,
  ): RawChainEvent | undefined {
    if (frame.event === undefined) {
      detector.progress(this.#now(), frame.watermark?.checkpoint);
      return undefined;
    }
    const event = toRawChainEvent(frame.event, frame.watermark);
    detector.progress(this.#now(), event.checkpoint);
    if (coverage.covers(event)) {
      this.stats.duplicatesDropped += 1;
      return undefined;
    }
    return event;
  }

  /** Quiet stream, moving chain: a missed event that ListEvents already has means a stall. */
  async #checkForStall(signal: AbortSignal, detector: StallDetector): Promise<void> {
    const response = await this.#serviceInfo(signal);
    const tip = response.checkpointHeight ?? 0n;
    if (detector.chainMovedOn(tip)) {
      const probe = await this.#withDeadline(signal, (callSignal) =>
        readEventPage(this.#options.client, {
          eventTypes: this.#options.eventTypes,
          after: this.#decodedCursor,
          limit: 1,
          signal: callSignal,
        }),
      );
      if (probe.events.length > 0) {
        this.stats.stalls += 1;
        throw new ConnectionInterrupted("event subscription stalled: ListEvents has newer events");
      }
    }
    detector.progress(this.#now(), tip);
  }

  async #deliver(raw: readonly RawChainEvent[], nextCursor: FollowerCursor): Promise<void> {
    const events = raw.map((event) => ({ ...event, decoded: this.#decode(event) }));
    try {
      await this.#options.onBatch(events, nextCursor);
    } catch (error) {
      throw new SinkFailed(error);
    }
    this.#cursor = nextCursor;
    this.#decodedCursor = decodeCursor(nextCursor);
    this.#progress += 1;
    this.stats.batches += 1;
    this.stats.events += events.length;
  }

  #decode(event: RawChainEvent): DecodeResult<T> {
    try {
      return { ok: true, value: this.#options.decode(event.eventType, event.bcs) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
    }
  }

  /** Runs one call under its own deadline; an expired deadline is a reconnect, not a failure. */
  async #withDeadline<R>(
    signal: AbortSignal,
    call: (signal: AbortSignal) => Promise<R>,
  ): Promise<R> {
    const deadline = AbortSignal.timeout(this.#requestTimeoutMs);
    const callSignal = AbortSignal.any([signal, deadline]);
    try {
      return await abortable(call(callSignal), callSignal);
    } catch (error) {
      if (deadline.aborted && !signal.aborted) {
        throw new ConnectionInterrupted(`call exceeded ${this.#requestTimeoutMs} ms`);
      }
      throw error;
    }
  }
}

/** For promises whose failure is also reported elsewhere (the frames, the awaited call). */
function ignoreRejection(...promises: Promise<unknown>[]): void {
  for (const promise of promises) promise.catch(() => undefined);
}

const TIMED_OUT = Symbol("timed out");
const NOT_READY = Symbol("not ready");
// Settled up front: racing it against a promise that has already settled picks that promise.
const NOT_READY_PROMISE = Promise.resolve(NOT_READY);

/**
 * `promise`'s result, or TIMED_OUT after `ms`; with `signal`, rejects as soon as it aborts
 * (and leaves no timer behind to hold the process open).
 */
async function resultOrTimeout<R>(
  promise: Promise<R>,
  ms: number,
  signal?: AbortSignal,
): Promise<R | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const raced = Promise.race([promise, timeout]);
    return await (signal ? abortable(raced, signal) : raced);
  } finally {
    clearTimeout(timer);
  }
}

/** Some transports ignore the abort signal once a call is underway; do not wait for them. */
function abortable<R>(promise: Promise<R>, signal: AbortSignal): Promise<R> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Convenience: run a follower until `signal` aborts; returns its final stats. */
export async function followEvents<T>(
  options: EventFollowerOptions<T>,
  signal: AbortSignal,
): Promise<FollowerStats> {
  const follower = new EventFollower(options);
  await follower.run(signal);
  return follower.stats;
}
