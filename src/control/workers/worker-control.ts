import type { KubeConfig } from "@kubernetes/client-node";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import type { Logger } from "pino";
import { Counter, Histogram, type Registry } from "prom-client";
import { chainTimeMs, readClusterObject } from "../../chain/cluster-view.ts";
import { MoveAbortError } from "../../chain/index.ts";
import {
  ANNOTATION_WORKER_REGISTRATION,
  isK8sError,
  KubeApiClient,
  LABEL_JOIN_TOKEN_ID,
} from "../../k8s/index.ts";
import { LIMITS, sealJoinCredential } from "../../protocol/index.ts";
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
import {
  adoptionRefusal,
  bindingMismatch,
  bindingOf,
  isNotBound,
  type NodeBinding,
  type NodeObject,
} from "./node-binding.ts";
import { stakeTier } from "./node-labels.ts";
import type { HeartbeatSeen, WorkerEntry, WorkerRegistry } from "./registry.ts";
import {
  adoptAgentNode,
  cordonWorkerNode,
  createSimulatedWorkerNode,
  deleteWorkerNode,
  drainWorkerNode,
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

/** What the control plane does to worker Nodes; each is refused for a Node not bound. */
type NodeAction = "activate" | "join" | "adopt" | "cordon" | "uncordon" | "drain" | "delete";

/**
 * Reasons on chain are at most LIMITS.maxWorkerReasonBytes bytes; ours are ASCII (fixed
 * text, DNS-label node names, label values and uids), so characters are bytes.
 */
function chainReason(text: string): string {
  return text.slice(0, LIMITS.maxWorkerReasonBytes);
}

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
  /** Refusals posted (or being posted) on chain: node id → when, like #activated. */
  readonly #refusing = new Map<string, number>();
  /** Refused node actions already logged (worker, action, node uid): one line each, not one per pass. */
  readonly #loggedRefusals = new Set<string>();
  readonly heartbeatLag: Histogram;
  readonly nodeRefusals: Counter<"action">;
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
    this.nodeRefusals = new Counter({
      name: "k8s_daas_worker_node_refusals_total",
      help: "Node actions refused because the Node is not bound to the worker (activate = activation refused)",
      labelNames: ["action"],
      registers: [options.metricsRegistry],
    });
  }

  #binding(worker: WorkerEntry): NodeBinding {
    return bindingOf(worker, this.#o.clusterId);
  }

  /** Counts and logs (once per worker, action and reason) a Node the guard kept us off. */
  #refusedNodeAction(worker: WorkerEntry, action: NodeAction, reason: string): void {
    this.nodeRefusals.inc({ action });
    const key = `${worker.registration}|${action}|${reason}`;
    if (this.#loggedRefusals.has(key)) return;
    if (this.#loggedRefusals.size > 10_000) this.#loggedRefusals.clear();
    this.#loggedRefusals.add(key);
    this.#o.log.warn(
      { worker: worker.nodeId, action, reason, code: "WORKERS_NODE_NOT_BOUND" },
      "node action refused: the node is not bound to this worker",
    );
  }

  /**
   * Runs a guarded node action; a Node that is not the worker's is counted, logged and left
   * alone: the result is "not-bound" and the caller goes on without it.
   */
  async #onBoundNode<T>(
    worker: WorkerEntry,
    action: NodeAction,
    work: () => Promise<T>,
  ): Promise<T | "not-bound"> {
    try {
      return await work();
    } catch (error) {
      if (!isNotBound(error)) throw error;
      this.#refusedNodeAction(worker, action, error.message);
      return "not-bound";
    }
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

  /** The registry's view of one worker (status, node state, refusal), for status and tests. */
  worker(nodeId: string): WorkerEntry | undefined {
    return this.#o.registry.get(nodeId);
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
    await this.#postRefusals(stillPending.filter((worker) => worker.refusal !== undefined));
    const pending = stillPending.filter(
      (w) =>
        w.refusal === undefined &&
        !this.#activating.has(w.nodeId) &&
        !this.#activated.has(w.nodeId),
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
    for (const worker of registry.inStatus(["unbonding", "slashed", "refused", "withdrawn"])) {
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
      workers.map(async (worker): Promise<PreparedActivation | undefined> => {
        if (!(await this.#nodeNameFree(worker))) return undefined;
        const key = await workerEncryptionKey(
          client,
          packageId,
          worker.registeredTx,
          worker.nodeId,
          this.#deadline(),
        );
        const issued = await issueBootstrapToken(this.#kube, worker.nodeId, config.tokenTtlMs);
        // Before the credential leaves: a real worker's Node is adopted only if it names it.
        this.#o.registry.recordJoinToken(worker.registration, issued.id);
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
      if (outcome.status === "fulfilled") {
        if (outcome.value) prepared.push(outcome.value);
      } else
        log.warn({ worker: workers[index]?.nodeId, err: outcome.reason }, "cannot activate worker");
    }
    return prepared;
  }

  /**
   * Whether the worker's node id is free to join under: no Node has that name, or the one
   * that has is already bound to this registration. A Node that was not made for this
   * worker — the k3s server, a node of the test environment, another cluster's worker,
   * anything that existed before — refuses the activation: no credential is issued, the
   * Node is not touched, and the refusal goes on chain. A leftover Node of an earlier
   * registration of the same node id here (that worker withdrew, so it may go) is retired
   * first.
   */
  async #nodeNameFree(worker: WorkerEntry): Promise<boolean> {
    const binding = { ...this.#binding(worker), nodeUid: undefined };
    let node: NodeObject;
    try {
      node = (await this.#kube.request("GET", `/api/v1/nodes/${encodeURIComponent(worker.nodeId)}`))
        .body as NodeObject;
    } catch (error) {
      if (isK8sError(error, "K8S_NOT_FOUND")) return true;
      throw error;
    }
    const mismatch = bindingMismatch(node, binding);
    if (mismatch === undefined) return true;
    const earlier = node.metadata?.annotations?.[ANNOTATION_WORKER_REGISTRATION];
    if (earlier && bindingMismatch(node, { ...binding, registration: earlier }) === undefined) {
      const leftover = { ...binding, registration: earlier };
      this.#o.log.info({ worker: worker.nodeId, earlier }, "retiring a leftover worker node");
      await cordonWorkerNode(this.#kube, leftover);
      await drainWorkerNode(this.#kube, leftover);
      await deleteWorkerNode(this.#kube, leftover);
      return true;
    }
    await this.#refuse(worker, mismatch);
    return false;
  }

  /**
   * Refuses a pending worker's activation: recorded in the registry (it is never activated
   * again), counted, and posted on chain with `refuse_worker` so its owner can withdraw.
   */
  async #refuse(worker: WorkerEntry, reason: string): Promise<void> {
    const text = chainReason(`activation refused: ${reason}`);
    this.#o.registry.setRefusal(worker.nodeId, text);
    this.#refusedNodeAction(worker, "activate", reason);
    await this.#postRefusals([{ ...worker, refusal: text }]);
  }

  /**
   * Posts `refuse_worker` (enclave-signed) for refused workers still pending on chain. Like
   * an activation, an accepted refusal is not posted again until its event had time to
   * arrive; one the chain settled otherwise (activated, gone) is dropped.
   */
  async #postRefusals(refused: readonly WorkerEntry[]): Promise<void> {
    const expired = Date.now() - ACTIVATION_SETTLE_MS;
    for (const [nodeId, at] of this.#refusing) if (at < expired) this.#refusing.delete(nodeId);
    for (const worker of refused) {
      if (this.#abort.signal.aborted || this.#refusing.has(worker.nodeId)) continue;
      this.#refusing.set(worker.nodeId, Date.now());
      try {
        await this.#o.poster.post(
          "refuse_worker",
          { node_id: worker.nodeId, reason: worker.refusal ?? "activation refused" },
          this.#deadline(),
        );
        this.#o.log.warn({ worker: worker.nodeId, reason: worker.refusal }, "worker refused");
      } catch (error) {
        if (error instanceof MoveAbortError && ALREADY_SETTLED.has(error.constantName ?? ""))
          continue;
        this.#refusing.delete(worker.nodeId); // retried on the next pass
        this.#o.log.warn({ worker: worker.nodeId, err: error }, "cannot post a worker refusal");
      }
    }
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

  /**
   * A simulated worker presents its token: create its Node, bound to its registration. A
   * Node of that name that is not bound to it is refused (WORKERS_NODE_NOT_BOUND, 409) and
   * left alone.
   */
  async #join(request: JoinRequest): Promise<JoinAnswer> {
    const worker = this.#o.registry.get(request.nodeId);
    const { id } = await verifyBootstrapToken(this.#kube, request.token, request.nodeId);
    if (worker?.status !== "active") {
      throw new WorkerControlError(
        "WORKERS_JOIN_NOT_ACTIVE",
        `worker ${request.nodeId} is ${worker?.status ?? "unknown"}, not active`,
      );
    }
    let created: Awaited<ReturnType<typeof createSimulatedWorkerNode>>;
    try {
      created = await createSimulatedWorkerNode(this.#kube, {
        binding: this.#binding(worker),
        owner: worker.owner,
        tier: stakeTier(worker.stakeMist, await this.#minStake()),
        resources: this.#o.config.nodeResources,
        joinTokenId: id,
      });
    } catch (error) {
      if (isNotBound(error)) this.#refusedNodeAction(worker, "join", error.message);
      throw error;
    }
    this.#o.registry.bindNode(worker.nodeId, created.uid);
    await revokeBootstrapToken(this.#kube, id); // single use
    this.#o.log.info({ worker: worker.nodeId, outcome: created.outcome }, "worker node joined");
    return { node: worker.nodeId, created: created.outcome === "created" };
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
   * A real worker's `k3s agent` registers its Node itself (named after the node id, with
   * the id of its bootstrap token in LABEL_JOIN_TOKEN_ID). The Node is adopted — bound to
   * the worker's registration and marked active for tenant pods — only if that token is one
   * this control plane issued for this registration: a Node that was there before (the k3s
   * server, another cluster's worker) is never adopted.
   */
  async #adoptAgentNodes(unjoined: readonly WorkerEntry[]): Promise<void> {
    if (unjoined.length === 0) return;
    const { body } = await this.#kube.request("GET", "/api/v1/nodes", {
      query: { labelSelector: LABEL_JOIN_TOKEN_ID },
    });
    const byName = new Map(
      ((body as { items?: NodeObject[] }).items ?? []).map((node) => [node.metadata?.name, node]),
    );
    const arrived = unjoined.filter((worker) => byName.has(worker.nodeId));
    if (arrived.length === 0) return;
    const minStake = await this.#minStake();
    for (const worker of arrived) {
      const node = byName.get(worker.nodeId) ?? {};
      const binding = this.#binding(worker);
      const refusal = adoptionRefusal(
        node,
        binding,
        this.#o.registry.joinTokensOf(worker.registration),
      );
      if (refusal !== undefined) {
        this.#refusedNodeAction(worker, "adopt", refusal);
        continue;
      }
      const uid = await adoptAgentNode(this.#kube, node, {
        binding,
        owner: worker.owner,
        tier: stakeTier(worker.stakeMist, minStake),
        resources: this.#o.config.nodeResources,
        joinTokenId: node.metadata?.labels?.[LABEL_JOIN_TOKEN_ID] ?? "",
      });
      if (uid) this.#o.registry.bindNode(worker.nodeId, uid);
    }
  }

  /** Cordon, drain, then the slash verdict; a worker that heartbeats meanwhile is spared. */
  async #lapse(worker: WorkerEntry, silentMs: number): Promise<void> {
    const { log, poster, registry } = this.#o;
    log.warn({ worker: worker.nodeId, silentMs }, "worker missed its heartbeats; draining");
    const binding = this.#binding(worker);
    const cordoned = await this.#onBoundNode(worker, "cordon", () =>
      cordonWorkerNode(this.#kube, binding),
    );
    const evicted =
      cordoned === true
        ? await this.#onBoundNode(worker, "drain", () => drainWorkerNode(this.#kube, binding))
        : 0;
    registry.setNodeState(worker.nodeId, "drained");
    const latest = registry.get(worker.nodeId);
    if (latest && latest.status === "active" && latest.lastHeartbeatMs > worker.lastHeartbeatMs) {
      if (cordoned === true)
        await this.#onBoundNode(worker, "uncordon", () => uncordonWorkerNode(this.#kube, binding));
      registry.setNodeState(worker.nodeId, worker.nodeState);
      log.info({ worker: worker.nodeId }, "worker heartbeat arrived during the drain; spared");
      return;
    }
    const pods = evicted === "not-bound" ? 0 : evicted;
    const reason = `missed heartbeats for ${Math.floor(silentMs / 1000)} s (allowed ${this.#o.config.missedPeriods} periods); ${pods} pods evicted`;
    try {
      await poster.post(
        "slash_worker",
        { node_id: worker.nodeId, reason: chainReason(reason) },
        this.#deadline(),
      );
      log.warn({ worker: worker.nodeId }, "worker slashed");
    } catch (error) {
      if (!(error instanceof MoveAbortError && ALREADY_SETTLED.has(error.constantName ?? "")))
        throw error;
    }
    await this.#retire({ ...worker, nodeState: "drained" }, "slashed");
  }

  /**
   * A worker that left, was slashed or refused: no node, no token. Only a Node bound to it
   * is cordoned, drained and deleted; one of its name that is not (it never joined, and
   * someone else's Node has the name) is left as it is.
   */
  async #retire(worker: WorkerEntry, why: string): Promise<void> {
    const binding = this.#binding(worker);
    let bound = true;
    if (worker.nodeState !== "drained") {
      const cordoned = await this.#onBoundNode(worker, "cordon", () =>
        cordonWorkerNode(this.#kube, binding),
      );
      bound = cordoned !== "not-bound";
      if (cordoned === true)
        await this.#onBoundNode(worker, "drain", () => drainWorkerNode(this.#kube, binding));
      this.#o.registry.setNodeState(worker.nodeId, "drained");
    }
    if (bound)
      await this.#onBoundNode(worker, "delete", () => deleteWorkerNode(this.#kube, binding));
    await revokeTokensOf(this.#kube, worker.nodeId);
    this.#o.registry.forgetJoinTokens(worker.registration);
    this.#o.registry.setNodeState(worker.nodeId, "removed");
    this.#o.log.info({ worker: worker.nodeId, why, nodeRemoved: bound }, "worker retired");
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
