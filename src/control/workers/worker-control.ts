import type { KubeConfig } from "@kubernetes/client-node";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Logger } from "pino";
import { Histogram, type Registry } from "prom-client";
import { chainTimeMs, readClusterObject } from "../../chain/cluster-view.ts";
import { MoveAbortError } from "../../chain/index.ts";
import { KubeApiClient } from "../../k8s/index.ts";
import { sealJoinCredential } from "../../protocol/index.ts";
import { CoalescingLoop } from "../../shared/coalescing-loop.ts";
import type { EnclavePoster } from "../enclave-poster.ts";
import {
  issueBootstrapToken,
  revokeBootstrapToken,
  revokeTokensOf,
  verifyBootstrapToken,
} from "./bootstrap-token.ts";
import { measureClusterState } from "./cluster-state.ts";
import type { WorkerControlConfig } from "./config.ts";
import { workerEncryptionKey } from "./encryption-key.ts";
import { WorkerControlError } from "./errors.ts";
import {
  JOIN_PATH,
  type JoinAnswer,
  type JoinRequest,
  type JoinServer,
  startJoinServer,
} from "./join-server.ts";
import { type KubeRequests, withDeadline } from "./kube-requests.ts";
import { LABEL_WORKER, stakeTier } from "./node-labels.ts";
import type { HeartbeatSeen, WorkerEntry, WorkerRegistry } from "./registry.ts";
import {
  cordonWorkerNode,
  createSimulatedWorkerNode,
  deleteWorkerNode,
  drainWorkerNode,
  labelWorkerNode,
  uncordonWorkerNode,
} from "./worker-nodes.ts";

export interface WorkerControlOptions {
  config: WorkerControlConfig;
  registry: WorkerRegistry;
  poster: EnclavePoster;
  client: SuiGrpcClient;
  kubeConfig: KubeConfig;
  clusterId: string;
  packageId: string;
  log: Logger;
  metricsRegistry: Registry;
}

/** Deadline of one chain read or one signed call (submission and confirmation). */
const CALL_TIMEOUT_MS = 60_000;

/** How long an accepted activation may take to show up as an event before it is retried. */
const ACTIVATION_SETTLE_MS = 60_000;

/** Activations per transaction. */
const ACTIVATION_BATCH = 32;

interface PreparedActivation {
  tokenId: string;
  fields: { node_id: string; encrypted_join_credential: Uint8Array };
}

/** Aborts that mean the chain already moved past what we were about to post. */
const ALREADY_SETTLED = new Set(["EWorkerNotPending", "EWorkerSlashed", "EWorkerNotFound"]);

/**
 * Worker management inside nautilus-control:
 * - admission: a newly registered worker with enough stake gets a bootstrap token, sealed to
 *   its x25519 key and posted with an enclave-signed `activate_worker`;
 * - joining: a simulated worker presents the token at the join endpoint and gets its KWOK
 *   Node; a real one joins with `k3s agent` and its Node is labelled when it shows up;
 * - liveness: an active worker whose last heartbeat (chain time) is more than N heartbeat
 *   periods old is cordoned, drained, then slashed by an enclave-signed verdict;
 * - leaving: a deregistered (unbonding) worker's node is drained and removed;
 * - reporting: `report_cluster_state` every `stateReportIntervalMs`.
 * Every step is driven by the registry (chain events, committed with the cursor) and by
 * Kubernetes state, so a restart repeats only what did not finish. Signed calls go through
 * the shared EnclavePoster queue.
 */
export class WorkerControl {
  readonly #o: WorkerControlOptions;
  readonly #kube: KubeRequests;
  readonly #apiServer: string;
  readonly #abort = new AbortController();
  /** Activations being prepared or posted. */
  readonly #activating = new Set<string>();
  /** Activations the chain accepted whose event has not been ingested yet: node id → when. */
  readonly #activated = new Map<string, number>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly heartbeatLag: Histogram;
  #joinServer: JoinServer | undefined;
  #joinUrl = "";
  readonly #passes: CoalescingLoop;
  #liveness: Promise<void> | undefined;
  #minStakeCache: { value: bigint; readAt: number } | undefined;

  constructor(options: WorkerControlOptions) {
    this.#o = options;
    const admin = new KubeApiClient(options.kubeConfig);
    this.#kube = withDeadline(admin);
    this.#apiServer = admin.server;
    this.#passes = new CoalescingLoop({
      pass: () => this.#reconcile(),
      onError: (error) => this.#o.log.warn({ err: error }, "worker reconciliation failed"),
      signal: this.#abort.signal,
    });
    this.heartbeatLag = new Histogram({
      name: "k8s_daas_worker_heartbeat_lag_seconds",
      help: "From a heartbeat's chain timestamp to the control plane recording it",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [options.metricsRegistry],
    });
  }

  /**
   * Stop or a deadline, whichever comes first: a chain call that never answers fails its
   * step (retried on the next pass) instead of stalling every later one.
   */
  #deadline(ms = CALL_TIMEOUT_MS): AbortSignal {
    return AbortSignal.any([this.#abort.signal, AbortSignal.timeout(ms)]);
  }

  /** The cluster's minimum stake (for tiers), read at most every 10 s: joins come in bursts. */
  async #minStake(): Promise<bigint> {
    if (!this.#minStakeCache || this.#minStakeCache.readAt < Date.now() - 10_000) {
      const cluster = await readClusterObject(this.#o.client, this.#o.clusterId, this.#deadline());
      this.#minStakeCache = {
        value: BigInt(cluster.config.min_worker_stake_mist),
        readAt: Date.now(),
      };
    }
    return this.#minStakeCache.value;
  }

  /** For the registry: every heartbeat taken in. */
  observeHeartbeat(seen: HeartbeatSeen): void {
    this.heartbeatLag.observe(Math.max(0, seen.seenAtMs - seen.chainMs) / 1000);
  }

  get joinUrl(): string {
    return this.#joinUrl;
  }

  async start(): Promise<void> {
    const { config } = this.#o;
    this.#joinServer = await startJoinServer((request) => this.#join(request), {
      host: config.joinHost,
      port: config.joinPort,
    });
    this.#joinUrl = config.joinUrl ?? `${this.#joinServer.url}${JOIN_PATH}`;
    const every = (ms: number, work: () => void) => {
      const timer = setInterval(work, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(config.livenessIntervalMs, () => this.checkLiveness());
    if (config.stateReportIntervalMs > 0) {
      every(config.stateReportIntervalMs, () => {
        this.reportClusterState().catch((error: unknown) =>
          this.#o.log.warn({ err: error }, "cannot report the cluster state"),
        );
      });
    }
    this.wake();
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#abort.abort();
    await Promise.allSettled([this.#passes.stop(), this.#liveness]);
    await this.#joinServer?.close();
  }

  /** New worker events were committed: act on them (coalesces concurrent calls). */
  wake(): void {
    this.#passes.kick();
  }

  /** One pass: admit pending workers, clear out leaving and slashed ones. */
  async #reconcile(): Promise<void> {
    const { registry } = this.#o;
    const stillPending = registry.inStatus(["pending"]);
    this.#forgetSettledActivations(stillPending);
    const pending = stillPending.filter(
      (w) => !this.#activating.has(w.nodeId) && !this.#activated.has(w.nodeId),
    );
    if (pending.length > 0) {
      const cluster = await readClusterObject(this.#o.client, this.#o.clusterId, this.#deadline());
      const floor = maxBigInt(
        BigInt(cluster.config.min_worker_stake_mist),
        this.#o.config.minStakeMist,
      );
      // Below the floor: stays pending (it can deregister and withdraw).
      await this.#activate(pending.filter((worker) => worker.stakeMist >= floor));
    }
    for (const worker of registry.inStatus(["unbonding", "slashed", "withdrawn"])) {
      if (this.#abort.signal.aborted) return;
      if (worker.nodeState === "removed") continue;
      await this.#retire(worker, worker.status === "unbonding" ? "left" : worker.status);
    }
  }

  /**
   * Activates admitted workers, up to ACTIVATION_BATCH per transaction: each gets a fresh
   * bootstrap token sealed to its own key. A batch refused by an abort is retried one
   * worker at a time (an abort does not say which call failed); a worker the chain already
   * settled (activated meanwhile, slashed, gone) just has its token revoked.
   */
  async #activate(workers: readonly WorkerEntry[]): Promise<void> {
    for (let start = 0; start < workers.length; start += ACTIVATION_BATCH) {
      if (this.#abort.signal.aborted) return;
      const chunk = workers.slice(start, start + ACTIVATION_BATCH);
      for (const worker of chunk) this.#activating.add(worker.nodeId);
      try {
        const prepared = await this.#prepareActivations(chunk);
        if (prepared.length === 0) continue;
        try {
          await this.#o.poster.postBatch(
            "activate_worker",
            prepared.map((p) => p.fields),
            this.#deadline(),
          );
        } catch (error) {
          // Unknown outcome (no answer): the batch may have landed, so its tokens stay valid
          // (they expire); the next pass finds out from the chain (EWorkerNotPending).
          if (!(error instanceof MoveAbortError)) throw error;
          if (prepared.length > 1) {
            for (const one of prepared) await this.#activateOne(one);
            continue;
          }
          await Promise.all(prepared.map((p) => revokeBootstrapToken(this.#kube, p.tokenId)));
          if (!ALREADY_SETTLED.has(error.constantName ?? "")) throw error;
          continue;
        }
        const now = Date.now();
        for (const one of prepared) this.#activated.set(one.fields.node_id, now);
        this.#o.log.info({ workers: prepared.length }, "workers activated");
      } finally {
        // Accepted ones are in #activated until their event arrives; the rest may be retried.
        for (const worker of chunk) this.#activating.delete(worker.nodeId);
      }
    }
  }

  async #activateOne(prepared: PreparedActivation): Promise<void> {
    try {
      await this.#o.poster.post("activate_worker", prepared.fields, this.#deadline());
      this.#activated.set(prepared.fields.node_id, Date.now());
    } catch (error) {
      if (!(error instanceof MoveAbortError)) throw error; // unknown outcome: keep the token
      await revokeBootstrapToken(this.#kube, prepared.tokenId);
      if (!ALREADY_SETTLED.has(error.constantName ?? "")) throw error;
    }
  }

  /** Token and sealed credential per worker; one that cannot be prepared is logged, skipped. */
  async #prepareActivations(workers: readonly WorkerEntry[]): Promise<PreparedActivation[]> {
    const { client, packageId, clusterId, config, log } = this.#o;
    const settled = await Promise.allSettled(
      workers.map(async (worker): Promise<PreparedActivation> => {
        const key = await workerEncryptionKey(
          client,
          packageId,
          worker.registeredTx,
          worker.nodeId,
          this.#deadline(),
        );
        const issued = await issueBootstrapToken(this.#kube, worker.nodeId, config.tokenTtlMs);
        const sealed = sealJoinCredential(
          key,
          {
            v: 1,
            server: config.apiServerUrl ?? this.#apiServer,
            token: issued.token,
            joinUrl: this.#joinUrl,
            expiresAtMs: issued.expiresAtMs,
          },
          { clusterId, nodeId: worker.nodeId },
        );
        return {
          tokenId: issued.id,
          fields: { node_id: worker.nodeId, encrypted_join_credential: sealed },
        };
      }),
    );
    const prepared: PreparedActivation[] = [];
    for (const [index, outcome] of settled.entries()) {
      if (outcome.status === "fulfilled") prepared.push(outcome.value);
      else
        log.warn({ worker: workers[index]?.nodeId, err: outcome.reason }, "cannot activate worker");
    }
    return prepared;
  }

  /**
   * An activation the chain accepted shows in the registry only once its event is ingested;
   * until then (or for ACTIVATION_SETTLE_MS at most) the worker is not activated again.
   */
  #forgetSettledActivations(pending: readonly WorkerEntry[]): void {
    const stillPending = new Set(pending.map((worker) => worker.nodeId));
    const expired = Date.now() - ACTIVATION_SETTLE_MS;
    for (const [nodeId, at] of this.#activated) {
      if (!stillPending.has(nodeId) || at < expired) this.#activated.delete(nodeId);
    }
  }

  /** A simulated worker presents its token: create its Node. */
  async #join(request: JoinRequest): Promise<JoinAnswer> {
    const worker = this.#o.registry.get(request.nodeId);
    const { id } = await verifyBootstrapToken(this.#kube, request.token, request.nodeId);
    if (worker?.status !== "active") {
      throw new WorkerControlError(
        "WORKERS_JOIN_NOT_ACTIVE",
        `worker ${request.nodeId} is ${worker?.status ?? "unknown"}, not active`,
      );
    }
    const outcome = await createSimulatedWorkerNode(this.#kube, {
      clusterId: this.#o.clusterId,
      nodeId: worker.nodeId,
      owner: worker.owner,
      tier: stakeTier(worker.stakeMist, await this.#minStake()),
      resources: this.#o.config.nodeResources,
    });
    this.#o.registry.setNodeState(worker.nodeId, "joined");
    await revokeBootstrapToken(this.#kube, id); // single use
    this.#o.log.info({ worker: worker.nodeId, outcome }, "worker node joined");
    return { node: worker.nodeId, created: outcome === "created" };
  }

  /** Checks every active worker's last heartbeat against the chain's clock. */
  checkLiveness(): Promise<void> {
    this.#liveness ??= this.#checkLiveness()
      .catch((error: unknown) => {
        if (!this.#abort.signal.aborted) this.#o.log.warn({ err: error }, "liveness check failed");
      })
      .finally(() => {
        this.#liveness = undefined;
      });
    return this.#liveness;
  }

  async #checkLiveness(): Promise<void> {
    const active = this.#o.registry.inStatus(["active"]);
    if (active.length === 0) return;
    await this.#adoptAgentNodes(active.filter((worker) => worker.nodeState === "none"));
    const { client, clusterId, config } = this.#o;
    const [cluster, nowMs] = await Promise.all([
      readClusterObject(client, clusterId, this.#deadline()),
      chainTimeMs(client, this.#deadline()),
    ]);
    const allowanceMs = BigInt(cluster.config.heartbeat_period_ms) * BigInt(config.missedPeriods);
    for (const worker of active) {
      if (this.#abort.signal.aborted) return;
      if (BigInt(worker.lastHeartbeatMs) + allowanceMs >= nowMs) continue;
      await this.#lapse(worker, Number(nowMs) - worker.lastHeartbeatMs);
    }
  }

  /**
   * A real worker's `k3s agent` registers its Node itself (named after the node id): once
   * it shows up it is labelled as this worker's and marked active for tenant pods.
   */
  async #adoptAgentNodes(unjoined: readonly WorkerEntry[]): Promise<void> {
    if (unjoined.length === 0) return;
    // Only nodes nobody labelled yet: a worker's KWOK node is created labelled.
    const { body } = await this.#kube.request("GET", "/api/v1/nodes", {
      query: { labelSelector: `!${LABEL_WORKER}` },
    });
    const names = new Set(
      ((body as { items?: { metadata?: { name?: string } }[] }).items ?? []).map(
        (node) => node.metadata?.name,
      ),
    );
    const arrived = unjoined.filter((worker) => names.has(worker.nodeId));
    if (arrived.length === 0) return;
    const cluster = await readClusterObject(this.#o.client, this.#o.clusterId, this.#deadline());
    for (const worker of arrived) {
      const labelled = await labelWorkerNode(this.#kube, {
        clusterId: this.#o.clusterId,
        nodeId: worker.nodeId,
        owner: worker.owner,
        tier: stakeTier(worker.stakeMist, BigInt(cluster.config.min_worker_stake_mist)),
        resources: this.#o.config.nodeResources,
      });
      if (labelled) this.#o.registry.setNodeState(worker.nodeId, "joined");
    }
  }

  /** Cordon, drain, then the slash verdict; a worker that heartbeats meanwhile is spared. */
  async #lapse(worker: WorkerEntry, silentMs: number): Promise<void> {
    const { log, poster, registry } = this.#o;
    log.warn({ worker: worker.nodeId, silentMs }, "worker missed its heartbeats; draining");
    await cordonWorkerNode(this.#kube, worker.nodeId);
    const evicted = await drainWorkerNode(this.#kube, worker.nodeId);
    registry.setNodeState(worker.nodeId, "drained");
    const latest = registry.get(worker.nodeId);
    if (latest && latest.status === "active" && latest.lastHeartbeatMs > worker.lastHeartbeatMs) {
      await uncordonWorkerNode(this.#kube, worker.nodeId);
      registry.setNodeState(worker.nodeId, "joined");
      log.info({ worker: worker.nodeId }, "worker heartbeat arrived during the drain; spared");
      return;
    }
    const reason = `missed heartbeats for ${Math.floor(silentMs / 1000)} s (allowed ${this.#o.config.missedPeriods} periods); ${evicted} pods evicted`;
    try {
      await poster.post(
        "slash_worker",
        { node_id: worker.nodeId, reason: reason.slice(0, 256) },
        this.#deadline(),
      );
      log.warn({ worker: worker.nodeId }, "worker slashed");
    } catch (error) {
      if (!(error instanceof MoveAbortError && ALREADY_SETTLED.has(error.constantName ?? "")))
        throw error;
    }
    await this.#retire({ ...worker, nodeState: "drained" }, "slashed");
  }

  /** A worker that left or was slashed: no node, no token. */
  async #retire(worker: WorkerEntry, why: string): Promise<void> {
    if (worker.nodeState !== "drained") {
      await cordonWorkerNode(this.#kube, worker.nodeId);
      await drainWorkerNode(this.#kube, worker.nodeId);
      this.#o.registry.setNodeState(worker.nodeId, "drained");
    }
    await deleteWorkerNode(this.#kube, worker.nodeId);
    await revokeTokensOf(this.#kube, worker.nodeId);
    this.#o.registry.setNodeState(worker.nodeId, "removed");
    this.#o.log.info({ worker: worker.nodeId, why }, "worker node removed");
  }

  /** Posts the cluster's node and pod counts (`report_cluster_state`). */
  async reportClusterState(): Promise<void> {
    const report = await measureClusterState(this.#kube, this.#o.clusterId, this.#o.registry.all());
    await this.#o.poster.post("report_cluster_state", report, this.#deadline());
  }
}

function maxBigInt(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
