export interface Schedulable {
  requestId: bigint;
  priority: number;
  /** Fairness is between requesters (Sui addresses). */
  tenant: string;
  /** Ordering is kept within a namespace. */
  namespace: string;
}

interface NamespaceQueue<T> {
  items: T[];
  busy: boolean;
  /** How many queued items have each priority (0..9). */
  byPriority: number[];
}

/**
 * Decides what runs next.
 * - Within a namespace, requests run one at a time in the order the chain accepted them,
 *   whatever their priority: a later PATCH must never be overtaken by an earlier POST of the
 *   same object, or the older write would win.
 * - Between namespaces, the one holding the highest priority request goes first (a waiting
 *   high-priority request lifts its whole namespace, so a low-priority head cannot block it).
 * - Among equals, the tenant served longest ago goes first, so one busy tenant cannot starve
 *   the others; then the oldest request.
 * - At most `concurrency` requests are in flight.
 */
export class Scheduler<T extends Schedulable> {
  readonly #concurrency: number;
  readonly #namespaces = new Map<string, NamespaceQueue<T>>();
  readonly #queued = new Set<bigint>();
  /** tenant → the turn it was last served at. */
  readonly #lastServed = new Map<string, number>();
  #turn = 0;
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
    for (const queue of this.#namespaces.values()) {
      queue.byPriority.forEach((count, priority) => {
        if (count > 0) depth.set(priority, (depth.get(priority) ?? 0) + count);
      });
    }
    return depth;
  }

  /** Adds a request; adding one already queued is a no-op (replays after a restart). */
  enqueue(item: T): void {
    if (this.#queued.has(item.requestId)) return;
    this.#queued.add(item.requestId);
    let queue = this.#namespaces.get(item.namespace);
    if (!queue) {
      queue = { items: [], busy: false, byPriority: [] };
      this.#namespaces.set(item.namespace, queue);
    }
    // Keep acceptance (request id) order even when requests arrive out of order on restart.
    const at = queue.items.findIndex((queued) => queued.requestId > item.requestId);
    if (at === -1) queue.items.push(item);
    else queue.items.splice(at, 0, item);
    queue.byPriority[item.priority] = (queue.byPriority[item.priority] ?? 0) + 1;
  }

  /** Drops a queued request (cancelled on chain); false if it is not queued. */
  remove(requestId: bigint): boolean {
    if (!this.#queued.delete(requestId)) return false;
    for (const [namespace, queue] of this.#namespaces) {
      const index = queue.items.findIndex((item) => item.requestId === requestId);
      if (index === -1) continue;
      const [item] = queue.items.splice(index, 1);
      if (item) queue.byPriority[item.priority] = (queue.byPriority[item.priority] ?? 1) - 1;
      this.#dropIfIdle(namespace, queue);
      return true;
    }
    return true;
  }

  /**
   * The next request allowed to start, or undefined. The caller must call `finished` for
   * every request it takes.
   */
  take(): T | undefined {
    if (this.#running >= this.#concurrency) return undefined;
    let best: { queue: NamespaceQueue<T>; head: T; priority: number; served: number } | undefined;
    for (const queue of this.#namespaces.values()) {
      const head = queue.items[0];
      if (queue.busy || !head) continue;
      const priority = highest(queue.byPriority);
      const served = this.#lastServed.get(head.tenant) ?? -1;
      if (
        !best ||
        priority > best.priority ||
        (priority === best.priority &&
          (served < best.served ||
            (served === best.served && head.requestId < best.head.requestId)))
      ) {
        best = { queue, head, priority, served };
      }
    }
    if (!best) return undefined;
    const { queue, head } = best;
    queue.items.shift();
    queue.byPriority[head.priority] = (queue.byPriority[head.priority] ?? 1) - 1;
    queue.busy = true;
    this.#queued.delete(head.requestId);
    this.#lastServed.set(head.tenant, this.#turn++);
    this.#running++;
    return head;
  }

  finished(item: T): void {
    this.#running--;
    const queue = this.#namespaces.get(item.namespace);
    if (!queue) return;
    queue.busy = false;
    this.#dropIfIdle(item.namespace, queue);
  }

  #dropIfIdle(namespace: string, queue: NamespaceQueue<T>): void {
    if (!queue.busy && queue.items.length === 0) this.#namespaces.delete(namespace);
  }
}

function highest(byPriority: readonly number[]): number {
  for (let priority = byPriority.length - 1; priority >= 0; priority--) {
    if ((byPriority[priority] ?? 0) > 0) return priority;
  }
  return -1;
}
