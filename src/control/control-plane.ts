import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { FollowedEvent, FollowerCursor } from "../chain/index.ts";
import type { AdmittedOperation, RequestOutcome, TenantRequest } from "../k8s/operations.ts";
import type { Inbox, InboxEvent, InboxRequest } from "./inbox.ts";
import type { ControlMetrics } from "./metrics.ts";
import type { Reporter } from "./reporter.ts";
import { outputJson } from "./result-summary.ts";
import { Scheduler } from "./scheduler.ts";

/** Admission as the pipeline calls it (src/control/admission). */
export type Admit = (
  request: TenantRequest,
) =>
  | { ok: true; operation: AdmittedOperation }
  | { ok: false; rejection: { code: string; statusCode: number; message: string } };

/** The Kubernetes side (src/k8s): runs one admitted operation as the tenant. */
export interface OperationRunner {
  execute(
    operation: AdmittedOperation,
    requestId: bigint,
    options: { signal?: AbortSignal; resumed?: boolean },
  ): Promise<RequestOutcome>;
}

/** Makes a claimed namespace ready for its tenant (idempotent). */
export type ProvisionNamespace = (namespace: string, owner: string) => Promise<void>;

export interface ControlPlaneOptions {
  inbox: Inbox;
  admit: Admit;
  runner: OperationRunner;
  provision: ProvisionNamespace;
  reporter: Reporter;
  metrics: ControlMetrics;
  log: Logger;
  concurrency: number;
  /** Called after every committed batch of events (worker management acts on its own). */
  onIngested?: () => void;
}

type Job = InboxRequest & { tenant: string };

/**
 * The request pipeline: inbox → ownership and admission → scheduler → executor → persisted
 * outcome → reporter. Every step reads and writes the inbox, so a crash at any point resumes
 * where it stopped: queued and running requests run (again, idempotently), done ones are
 * reported.
 */
export class ControlPlane {
  readonly #o: ControlPlaneOptions;
  readonly #scheduler: Scheduler<Job>;
  readonly #inFlight = new Map<bigint, Promise<void>>();
  readonly #provisioned = new Set<string>();
  readonly #abort = new AbortController();
  #reporting: Promise<void> | undefined;
  #reportAgain = false;
  #draining = false;

  constructor(options: ControlPlaneOptions) {
    this.#o = options;
    this.#scheduler = new Scheduler(options.concurrency);
  }

  get scheduler(): Scheduler<Job> {
    return this.#scheduler;
  }

  /** Re-queues what a previous run accepted but did not finish; reports what it finished. */
  resume(): void {
    for (const request of this.#o.inbox.inState(["queued", "running"])) this.#enqueue(request);
    this.#pump();
    this.kickReporter();
  }

  /** Whether a request is executing right now. */
  isRunning(requestId: bigint): boolean {
    return this.#inFlight.has(requestId);
  }

  /**
   * The follower's sink: events and cursor land together, then new work is scheduled.
   * `cursor: null` is a reconciliation re-read: events only, the cursor stays. Returns how
   * many requests were new.
   */
  async ingest(
    events: readonly Omit<FollowedEvent<unknown>, "decoded" | "cursor" | "sender">[],
    cursor: FollowerCursor | null,
  ): Promise<number> {
    const batch: InboxEvent[] = events.map((event) => ({
      txDigest: event.txDigest,
      eventIndex: event.eventIndex,
      checkpoint: event.checkpoint,
      eventType: event.eventType,
      bcs: event.bcs,
    }));
    const result = this.#o.inbox.ingest(batch, cursor);
    for (const event of events) {
      this.#o.metrics.eventsIngested.inc({ type: event.eventType.split("::").at(-1) ?? "unknown" });
    }
    this.#o.metrics.duplicateEvents.inc(result.duplicates);
    this.#o.onIngested?.();
    for (const id of result.cancelled) this.#scheduler.remove(id);
    if (this.#draining) return result.added.length;
    for (const request of result.added) this.#enqueue(request);
    this.#pump();
    return result.added.length;
  }

  /** Stops taking work, waits for what runs, posts what finished. */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    const settled = Promise.allSettled([...this.#inFlight.values()]);
    const timedOut = new Promise<"timeout">((resolve) =>
      setTimeout(resolve, timeoutMs, "timeout").unref(),
    );
    if ((await Promise.race([settled, timedOut])) === "timeout") {
      this.#o.log.warn(
        { inFlight: this.#inFlight.size },
        "drain timed out; unfinished requests resume at next start",
      );
      this.#abort.abort();
    }
    await this.#reporting;
  }

  /** Posts persisted outcomes now (coalesces concurrent calls). */
  kickReporter(): void {
    if (this.#reporting) {
      this.#reportAgain = true;
      return;
    }
    this.#reporting = (async () => {
      do {
        this.#reportAgain = false;
        try {
          const n = await this.#o.reporter.reportPending(this.#abort.signal);
          this.#o.metrics.reported.inc(n);
        } catch (error) {
          this.#o.log.error({ err: error }, "reporting failed");
        }
      } while (this.#reportAgain && !this.#abort.signal.aborted);
      this.#reporting = undefined;
    })();
  }

  #enqueue(request: InboxRequest): void {
    this.#scheduler.enqueue({ ...request, tenant: request.requester });
    this.#updateQueueMetrics();
  }

  #pump(): void {
    if (this.#draining) return;
    for (let job = this.#scheduler.take(); job; job = this.#scheduler.take()) {
      const current = job;
      const run = this.#run(current).finally(() => {
        this.#scheduler.finished(current);
        this.#inFlight.delete(current.requestId);
        this.#o.metrics.inFlight.set(this.#inFlight.size);
        this.#pump();
      });
      this.#inFlight.set(current.requestId, run);
      this.#o.metrics.inFlight.set(this.#inFlight.size);
    }
    this.#updateQueueMetrics();
  }

  async #run(job: Job): Promise<void> {
    const { inbox, log, metrics } = this.#o;
    const started = performance.now();
    inbox.markRunning(job.requestId);
    let outcome: RequestOutcome;
    try {
      outcome = await this.#decide(job);
    } catch (error) {
      if (this.#abort.signal.aborted) return; // shutting down: the next start re-runs it
      log.error({ err: error, requestId: String(job.requestId) }, "request failed unexpectedly");
      outcome = {
        statusCode: 500,
        errorCode: "CONTROL_INTERNAL",
        summary: "the control plane failed while executing this request",
        output: { error: error instanceof Error ? error.message : String(error) },
      };
    }
    const json = outputJson(outcome);
    const digest = createHash("sha256").update(json, "utf8").digest();
    inbox.recordOutcome(job.requestId, outcome, new Uint8Array(digest), json);
    metrics.executionSeconds.observe((performance.now() - started) / 1000);
    metrics.executions.inc({
      status: `${Math.floor(outcome.statusCode / 100)}xx`,
      code: outcome.errorCode ?? "OK",
    });
    log.info(
      {
        requestId: String(job.requestId),
        namespace: job.namespace,
        method: job.method,
        resource: job.resource,
        status: outcome.statusCode,
        code: outcome.errorCode,
      },
      "request finished",
    );
    this.kickReporter();
  }

  /** Ownership, admission, provisioning, execution: the first refusal is the answer. */
  async #decide(job: Job): Promise<RequestOutcome> {
    const claim = this.#o.inbox.namespace(job.namespace);
    if (!claim || claim.released) {
      return refusal(
        404,
        "NAMESPACE_NOT_CLAIMED",
        `namespace ${job.namespace} is not claimed on this cluster`,
      );
    }
    if (claim.owner !== job.requester) {
      return refusal(
        403,
        "NAMESPACE_NOT_OWNED",
        `namespace ${job.namespace} belongs to another tenant`,
      );
    }
    const admitted = this.#o.admit(job);
    if (!admitted.ok) {
      const { code, statusCode, message } = admitted.rejection;
      return refusal(statusCode, code, message);
    }
    if (!this.#provisioned.has(job.namespace)) {
      try {
        await this.#o.provision(job.namespace, claim.owner);
      } catch (error) {
        const refused = provisioningRefusal(error);
        if (refused) return refused;
        throw error;
      }
      this.#provisioned.add(job.namespace);
    }
    return this.#o.runner.execute(admitted.operation, job.requestId, {
      signal: this.#abort.signal,
    });
  }

  /** Forget a namespace's provisioning (it was released and removed). */
  forgetNamespace(namespace: string): void {
    this.#provisioned.delete(namespace);
  }

  #updateQueueMetrics(): void {
    this.#o.metrics.queueDepth.reset();
    for (const [priority, depth] of this.#scheduler.depthByPriority()) {
      this.#o.metrics.queueDepth.set({ priority: String(priority) }, depth);
    }
  }
}

/**
 * The namespace cannot be made the tenant's: it exists and is not ours, belongs to another
 * cluster object, or is still being deleted. Each is a failed result with its own code, not
 * an internal error; anything else (API unreachable past retries) stays an error.
 */
const PROVISIONING_REFUSALS: Record<string, number> = {
  K8S_NAMESPACE_NOT_MANAGED: 409,
  K8S_NAMESPACE_OTHER_CLUSTER: 409,
  K8S_NAMESPACE_TERMINATING: 409,
  K8S_RBAC_NOT_EFFECTIVE: 503,
};

function provisioningRefusal(error: unknown): RequestOutcome | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !(code in PROVISIONING_REFUSALS)) return undefined;
  const message = error instanceof Error ? error.message : String(error);
  return refusal(PROVISIONING_REFUSALS[code] ?? 409, code, message);
}

function refusal(statusCode: number, errorCode: string, message: string): RequestOutcome {
  return { statusCode, errorCode, summary: message, output: { error: errorCode, message } };
}
