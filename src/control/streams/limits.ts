import { setTimeout as sleep } from "node:timers/promises";
import { StreamError } from "./errors.ts";

/** Per-tenant limits on streams through the control plane. */
export interface StreamLimits {
  /** Streams one tenant (Sui address) may hold open at once. */
  readonly maxConcurrentPerTenant: number;
  /** Bytes per second one tenant's streams may carry together (a token bucket). */
  readonly bytesPerSecondPerTenant: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxConcurrentPerTenant: 16,
  bytesPerSecondPerTenant: 4 * 1024 * 1024,
};

interface TenantBudget {
  open: number;
  tokens: number;
  refilledAt: number;
}

/** One admitted stream; `release` once it ends (idempotent). */
export interface StreamLease {
  readonly tenant: string;
  /** Waits until `bytes` fit the tenant's rate, then spends them. */
  spend(bytes: number, signal?: AbortSignal): Promise<void>;
  release(): void;
}

/**
 * Counts open streams and meters bytes per tenant. A tenant over its stream count is
 * refused (`STREAM_LIMIT_REACHED`, 429); bytes over its rate are delayed, not dropped, so a
 * fast log slows down to the rate instead of losing lines.
 */
export class StreamQuota {
  readonly limits: StreamLimits;
  readonly #tenants = new Map<string, TenantBudget>();

  constructor(limits: Partial<StreamLimits> = {}) {
    this.limits = { ...DEFAULT_STREAM_LIMITS, ...limits };
    if (!(this.limits.maxConcurrentPerTenant >= 1))
      throw new RangeError("maxConcurrentPerTenant must be at least 1");
    if (!(this.limits.bytesPerSecondPerTenant >= 1))
      throw new RangeError("bytesPerSecondPerTenant must be at least 1");
  }

  /** Streams `tenant` has open now. */
  open(tenant: string): number {
    return this.#tenants.get(tenant)?.open ?? 0;
  }

  acquire(tenant: string): StreamLease {
    let budget = this.#tenants.get(tenant);
    if (!budget) {
      budget = {
        open: 0,
        tokens: this.limits.bytesPerSecondPerTenant,
        refilledAt: performance.now(),
      };
      this.#tenants.set(tenant, budget);
    }
    if (budget.open >= this.limits.maxConcurrentPerTenant) {
      throw new StreamError(
        "STREAM_LIMIT_REACHED",
        429,
        `at most ${this.limits.maxConcurrentPerTenant} open streams per tenant`,
      );
    }
    budget.open++;
    const held = budget;
    let released = false;
    return {
      tenant,
      spend: (bytes, signal) => this.#spend(held, bytes, signal),
      release: () => {
        if (released) return;
        released = true;
        held.open--;
        if (held.open === 0) this.#tenants.delete(tenant);
      },
    };
  }

  async #spend(budget: TenantBudget, bytes: number, signal?: AbortSignal): Promise<void> {
    const rate = this.limits.bytesPerSecondPerTenant;
    for (;;) {
      const now = performance.now();
      budget.tokens = Math.min(rate, budget.tokens + ((now - budget.refilledAt) / 1000) * rate);
      budget.refilledAt = now;
      // A chunk larger than a second's budget goes once the bucket is full, into debt.
      if (budget.tokens >= Math.min(bytes, rate)) {
        budget.tokens -= bytes;
        return;
      }
      const waitMs = ((Math.min(bytes, rate) - budget.tokens) / rate) * 1000;
      await sleep(Math.max(1, Math.ceil(waitMs)), undefined, { signal });
    }
  }
}
