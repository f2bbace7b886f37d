/**
 * Decides what runs next. Priority levels (9 first), FIFO inside a level, round-robin between
 * tenants inside a level so one busy tenant cannot starve the others, at most `concurrency`
 * requests in flight, and at most one in flight per namespace: a tenant's requests on the
 * same namespace run in the order they were accepted (create before delete).
 */
export interface Schedulable {
  requestId: bigint;
  priority: number;
  /** Fairness is between requesters (Sui addresses). */
  tenant: string;
  /** Ordering is kept within a namespace. */
  namespace: string;
}

export class Scheduler<T extends Schedulable> {
  readonly #concurrency: number;
  /** priority → tenant → FIFO; Map keeps insertion order, which is the round-robin order. */
  readonly #levels = new Map<number, Map<string, T[]>>();
  readonly #busyNamespaces = new Set<string>();
  readonly #queued = new Set<bigint>();
  #running = 0;

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive whole number, got ${concurrency}`);
    }
    this.#concurrency = concurrency;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#queued.size;
  }

  /** Queue depth per priority level, for /metrics. */
  depthByPriority(): Map<number, number> {
    const depth = new Map<number, number>();
    for (const [priority, tenants] of this.#levels) {
      let count = 0;
      for (const queue of tenants.values()) count += queue.length;
      depth.set(priority, count);
    }
    return depth;
  }

  /** Adds a request; adding one already queued is a no-op (replays after a restart). */
  enqueue(item: T): void {
    if (this.#queued.has(item.requestId)) return;
    this.#queued.add(item.requestId);
    let tenants = this.#levels.get(item.priority);
    if (!tenants) {
      tenants = new Map();
      this.#levels.set(item.priority, tenants);
    }
    const queue = tenants.get(item.tenant);
    if (queue) queue.push(item);
    else tenants.set(item.tenant, [item]);
  }

  /** Drops a queued request (cancelled on chain); false if it is not queued. */
  remove(requestId: bigint): boolean {
    if (!this.#queued.delete(requestId)) return false;
    for (const tenants of this.#levels.values()) {
      for (const [tenant, queue] of tenants) {
        const index = queue.findIndex((item) => item.requestId === requestId);
        if (index === -1) continue;
        queue.splice(index, 1);
        if (queue.length === 0) tenants.delete(tenant);
        return true;
      }
    }
    return true;
  }

  /**
   * The next request allowed to start, or undefined. The caller must call `finished` for
   * every request it takes.
   */
  take(): T | undefined {
    if (this.#running >= this.#concurrency) return undefined;
    const priorities = [...this.#levels.keys()].sort((a, b) => b - a);
    for (const priority of priorities) {
      const tenants = this.#levels.get(priority);
      if (!tenants) continue;
      for (const [tenant, queue] of tenants) {
        // The first request whose namespace is idle: any earlier one of the same namespace
        // would have been found first, so per-namespace order holds.
        const index = queue.findIndex((item) => !this.#busyNamespaces.has(item.namespace));
        const item = queue[index];
        if (index === -1 || !item) continue;
        queue.splice(index, 1);
        // Round-robin: the tenant that was served goes to the back of its level.
        tenants.delete(tenant);
        if (queue.length > 0) tenants.set(tenant, queue);
        if (tenants.size === 0) this.#levels.delete(priority);
        this.#queued.delete(item.requestId);
        this.#busyNamespaces.add(item.namespace);
        this.#running++;
        return item;
      }
    }
    return undefined;
  }

  finished(item: T): void {
    this.#busyNamespaces.delete(item.namespace);
    this.#running--;
  }
}
