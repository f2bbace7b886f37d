import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { FollowedEvent, FollowerCursor } from "../../chain/index.ts";
import type { AdmittedOperation, RequestOutcome } from "../../k8s/operations.ts";
import { EXPIRED_STATUS_CODE, NAMESPACE_ACTION } from "../../protocol/index.ts";
import { type BackoffPolicy, backoffDelay, sleep } from "../../shared/backoff.ts";
import { CoalescingLoop } from "../../shared/coalescing-loop.ts";
import {
  type AdmissionContext,
  isKubeWriteRequest,
  type RequestAdmission,
} from "../admission/index.ts";
import type {
  Inbox,
  InboxEvent,
  InboxRequest,
  NamespaceClaim,
  NamespaceStore,
  RequestStore,
} from "../inbox/index.ts";
import type { ControlMetrics } from "../metrics.ts";
import type { TenantRequest } from "../tenant-request.ts";
import { kubeRefusal, outputJson, provisioningRefusal, refusal } from "./outcome.ts";
import type { Reporter } from "./reporter.ts";
import { Scheduler } from "./scheduler.ts";
import { type SealingOptions, unsealRequest } from "./unseal.ts";

/** Admission as the pipeline calls it (src/control/admission: ownership, policy, placement). */
export type AdmitRequest = (
  request: TenantRequest,
  context: Pick<AdmissionContext, "claim">,
) => RequestAdmission;

/** The Kubernetes side (src/k8s): runs one admitted operation as the tenant. */
export interface OperationRunner {
  execute(
    operation: AdmittedOperation,
    requestId: bigint,
    options: { signal?: AbortSignal; resumed?: boolean },
  ): Promise<RequestOutcome>;
}

/**
 * Makes a claimed namespace ready for its tenant (idempotent); a namespace left by a
 * previous claim of the name is deleted first, so every claim starts empty.
 */
export type ProvisionNamespace = (claim: NamespaceClaim) => Promise<void>;

export interface RequestPipelineOptions {
  inbox: Inbox;
  requests: RequestStore;
  namespaces: NamespaceStore;
  admit: AdmitRequest;
  runner: OperationRunner;
  provision: ProvisionNamespace;
  reporter: Reporter;
  metrics: ControlMetrics;
  log: Logger;
  concurrency: number;
  /** The enclave's encryption key and the cluster's sealing rule (./unseal.ts). */
  sealing: SealingOptions;
  /** Retries of an unexpected execution failure before it becomes a final 500. */
  executionRetries?: number;
  executionBackoff?: BackoffPolicy;
  /**
   * The cluster's request timeout (`cluster::request_timeout_ms`): after it the requester may
   * cancel and get the fee back, so a request is never started past half of it.
   */
  requestTimeoutMs: () => number;
  now?: () => number;
  /** Called after every committed batch of events (worker management acts on its own). */
  onIngested?: () => void;
  /** A namespace was released on chain: its objects must go before the name serves again. */
  onNamespaceReleased?: (namespace: string) => void;
}

type Job = InboxRequest & { tenant: string };

const DEFAULT_EXECUTION_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 10_000 };

/**
 * One request's path through nautilus-control, each step a file of this folder or a sibling:
 *
 *   ingest    events + cursor in one inbox transaction (../inbox)
 *   schedule  priority levels, FIFO per level, fair between tenants (./scheduler.ts)
 *   unseal    sealed payloads opened with the enclave's encryption key (./unseal.ts)
 *   admit     expiry, then ownership → policy → worker placement (../admission), when the
 *             request's turn comes: a namespace claim can change while a request waits,
 *             and admission must judge the claim as it stands at execution
 *   execute   provisioning, then the impersonating executor (src/k8s)
 *   record    the outcome persisted before anything is signed (./outcome.ts)
 *   report    enclave-signed `complete` batches (./reporter.ts)
 *
 * Every step reads and writes the inbox, so a crash at any point resumes where it stopped:
 * queued and running requests run (again, idempotently), done ones are reported.
 */
export class RequestPipeline {
  readonly #o: RequestPipelineOptions;
  readonly #scheduler: Scheduler<Job>;
  readonly #inFlight = new Map<bigint, Promise<void>>();
  readonly #abort = new AbortController();
  readonly #reporting: CoalescingLoop;
  /** Claims provisioned by this process, as `namespace\0capId`. */
  readonly #provisionedClaims = new Set<string>();
  /** Pipeline time (ms) spent on a request before it was scheduled: its share of ingest. */
  readonly #ingestShareMs = new Map<bigint, number>();
  #draining = false;

  constructor(options: RequestPipelineOptions) {
    this.#o = options;
    this.#scheduler = new Scheduler(options.concurrency);
    this.#reporting = new CoalescingLoop({
      pass: async (signal) => {
        const n = await this.#o.reporter.reportPending(signal);
        this.#o.metrics.reported.inc(n);
      },
      onError: (error) => this.#o.log.error({ err: error }, "reporting failed"),
    });
  }

  get scheduler(): Scheduler<Job> {
    return this.#scheduler;
  }

  /** Re-queues what a previous run accepted but did not finish; reports what it finished. */
  resume(): void {
    for (const request of this.#o.requests.inState(["queued", "running"])) this.#enqueue(request);
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
    const started = performance.now();
    const batch: InboxEvent[] = events.map((event) => ({
      txDigest: event.txDigest,
      eventIndex: event.eventIndex,
      checkpoint: event.checkpoint,
      eventType: event.eventType,
      bcs: event.bcs,
    }));
    const result = this.#o.inbox.ingest(batch, cursor);
    const { added, cancelled } = this.#o.requests.ingested(result.applied);
    for (const { decoded } of result.applied) {
      this.#o.metrics.eventsIngested.inc({ type: decoded.name });
      if (decoded.name === "NamespaceEvent" && decoded.value.action === NAMESPACE_ACTION.released) {
        this.forgetNamespace(decoded.value.namespace);
        this.#o.onNamespaceReleased?.(decoded.value.namespace);
      }
    }
    this.#o.metrics.duplicateEvents.inc(result.duplicates);
    this.#o.onIngested?.();
    for (const id of cancelled) this.#scheduler.remove(id);
    if (this.#draining) return added.length;
    const share = added.length > 0 ? (performance.now() - started) / added.length : 0;
    for (const request of added) {
      this.#ingestShareMs.set(request.requestId, share);
      this.#enqueue(request);
    }
    this.#pump();
    return added.length;
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
    await this.#reporting.idle;
    await this.#reporting.stop();
  }

  /** Posts persisted outcomes now (coalesces concurrent calls). */
  kickReporter(): void {
    this.#reporting.kick();
  }

  /** Forget a namespace's provisioning (it was released and removed). */
  forgetNamespace(namespace: string): void {
    for (const key of this.#provisionedClaims) {
      if (key.startsWith(`${namespace}\0`)) this.#provisionedClaims.delete(key);
    }
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
    const { requests, log, metrics } = this.#o;
    const started = performance.now();
    requests.markRunning(job.requestId);
    const timing = { ownMs: this.#ingestShareMs.get(job.requestId), executorMs: 0 };
    this.#ingestShareMs.delete(job.requestId);
    let outcome: RequestOutcome;
    try {
      outcome = await this.#decide(job, timing);
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
    requests.recordOutcome(job.requestId, outcome, new Uint8Array(digest), json);
    const total = performance.now() - started;
    metrics.executionSeconds.observe(total / 1000);
    if (timing.ownMs !== undefined) {
      metrics.pipelineOverheadSeconds.observe((timing.ownMs + total - timing.executorMs) / 1000);
    }
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

  /** Expiry, unsealing, admission, provisioning, execution: the first refusal is the answer. */
  async #decide(job: Job, timing: { executorMs: number }): Promise<RequestOutcome> {
    const expired = this.#expired(job);
    if (expired) return expired;
    const opened = unsealRequest(job, this.#o.sealing);
    if (!opened.ok) return opened.refusal;
    return opened.answer(await this.#admitAndExecute(opened.request, timing));
  }

  async #admitAndExecute(job: Job, timing: { executorMs: number }): Promise<RequestOutcome> {
    const claim = this.#o.namespaces.get(job.namespace);
    const admitted = this.#o.admit(job, { claim });
    if (!admitted.ok || !claim) {
      const { code, statusCode, message } = admitted.ok
        ? { code: "NAMESPACE_NOT_CLAIMED", statusCode: 404, message: job.namespace }
        : admitted.rejection;
      return isKubeWriteRequest(job)
        ? kubeRefusal(statusCode, code, message)
        : refusal(statusCode, code, message);
    }
    const executorStarted = performance.now();
    try {
      const claimKey = `${claim.namespace}\0${claim.capId}`;
      if (!this.#provisionedClaims.has(claimKey)) {
        try {
          await this.#o.provision(claim);
        } catch (error) {
          const refused = provisioningRefusal(error);
          if (refused && isKubeWriteRequest(job))
            return kubeRefusal(refused.statusCode, refused.errorCode ?? "", refused.summary);
          if (refused) return refused;
          throw error;
        }
        this.#provisionedClaims.add(claimKey);
      }
      return await this.#execute(admitted.operation, job.requestId);
    } finally {
      timing.executorMs = performance.now() - executorStarted;
    }
  }

  /**
   * A request is started only within the first half of the cluster's request timeout. The
   * requester may cancel (and be refunded) once the whole timeout has passed, so a request
   * started later could be executed and then cancelled: free work. An expired request is
   * answered 408 REQUEST_EXPIRED, which the chain takes as "never executed" and refunds.
   */
  #expired(job: Job): RequestOutcome | undefined {
    const timeoutMs = this.#o.requestTimeoutMs();
    const startBy = job.chainTimestampMs + Math.floor(timeoutMs / 2);
    const now = (this.#o.now ?? Date.now)();
    if (now < startBy) return undefined;
    return refusal(
      EXPIRED_STATUS_CODE,
      "REQUEST_EXPIRED",
      `not started within half of the cluster's ${timeoutMs} ms request timeout (submitted at ${job.chainTimestampMs}); never executed, the fee is refunded`,
    );
  }

  /**
   * The executor answers every Kubernetes failure with an outcome; what it throws is
   * unexpected (a bug, a dropped connection the client library did not classify). Such a
   * failure is retried with backoff (writes are idempotent by request id) before it
   * becomes a final 500 on chain.
   */
  async #execute(operation: AdmittedOperation, requestId: bigint): Promise<RequestOutcome> {
    const retries = this.#o.executionRetries ?? 3;
    const backoff = this.#o.executionBackoff ?? DEFAULT_EXECUTION_BACKOFF;
    const signal = this.#abort.signal;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#o.runner.execute(operation, requestId, {
          signal,
          resumed: attempt > 0,
        });
      } catch (error) {
        if (signal.aborted || attempt >= retries) throw error;
        const delayMs = backoffDelay(backoff, attempt);
        this.#o.log.warn(
          { err: error, requestId: String(requestId), retry: attempt + 1, delayMs },
          "execution failed unexpectedly; retrying",
        );
        this.#o.metrics.executionRetries.inc();
        await sleep(delayMs, signal);
      }
    }
  }

  #updateQueueMetrics(): void {
    this.#o.metrics.queueDepth.reset();
    for (const [priority, depth] of this.#scheduler.depthByPriority()) {
      this.#o.metrics.queueDepth.set({ priority: String(priority) }, depth);
    }
  }
}
