import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import pino, { type Logger } from "pino";
import { readClusterObject } from "../chain/cluster-view.ts";
import {
  createSuiClient,
  EventFollower,
  keypairFromEnv,
  keypairFromKeystore,
  SubmissionJournal,
  Submitter,
} from "../chain/index.ts";
import { ensureTenantNamespace, KubeApiClient, TenantExecutor } from "../k8s/index.ts";
import { abortConstantName } from "../protocol/index.ts";
import { detectEnclave, type EnclaveSigner, loadDevEnclaveSigner } from "../tee/index.ts";
import { admit } from "./admission/index.ts";
import type { ControlConfig } from "./config.ts";
import { ControlPlane } from "./control-plane.ts";
import { EnclavePoster } from "./enclave-poster.ts";
import { type ApiServer, type ReadinessCheck, startApiServer } from "./http/server.ts";
import { Inbox } from "./inbox.ts";
import { ControlMetrics } from "./metrics.ts";
import { Reconciler } from "./reconciler.ts";
import { Reporter } from "./reporter.ts";
import {
  createWorkerManagement,
  type WorkerControl,
  type WorkerControlConfig,
} from "./workers/index.ts";

export interface NautilusControlDeps {
  /** A client of the chain; default from `config.network`. */
  client?: SuiGrpcClient;
  /** The cluster's admin kubeconfig; default from `config.kubeconfig`. */
  kubeConfig?: KubeConfig;
  /** The operator key; default from the environment variable, else the keystore. */
  operator?: Signer;
  /** The enclave signer; default the dev key file (outside a Nitro Enclave). */
  enclave?: EnclaveSigner;
  log?: Logger;
  /** Worker management settings over the defaults and K8S_DAAS_WORKERS_* variables. */
  workers?: Partial<WorkerControlConfig>;
}

export interface NautilusControl {
  readonly url: string;
  readonly log: Logger;
  readonly inbox: Inbox;
  readonly metrics: ControlMetrics;
  readonly controlPlane: ControlPlane;
  readonly reconciler: Reconciler;
  /** Worker admission, liveness and slashing; undefined when turned off. */
  readonly workers: WorkerControl | undefined;
  readonly enclavePublicKey: Uint8Array;
  /** Graceful: stops following, drains in-flight work, posts what finished. */
  stop(): Promise<void>;
}

/**
 * Starts nautilus-control: follows the cluster's events, executes requests on Kubernetes
 * and answers on chain. Problems it can wait out (chain or API server unreachable, low gas,
 * enclave key not registered yet) show on /readyz and in logs; it does not exit for them.
 */
export async function startNautilusControl(
  config: ControlConfig,
  deps: NautilusControlDeps = {},
): Promise<NautilusControl> {
  const log = deps.log ?? pino({ name: "nautilus-control", level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const client = deps.client ?? createSuiClient(config.network);
  const operator = deps.operator ?? (await loadOperator(config));
  const environment = detectEnclave();
  const enclave = deps.enclave ?? loadDevEnclaveSigner(config.enclaveKeyFile);
  if (enclave.mode === "dev") {
    log.warn(
      { reason: environment.kind === "dev" ? environment.reason : undefined },
      "DEV ENCLAVE KEY: results are signed by a key that is not attested",
    );
  }
  const kubeConfig = deps.kubeConfig ?? loadKubeConfig(config.kubeconfig);
  const metrics = new ControlMetrics();
  const inbox = new Inbox(join(config.dataDir, "inbox.sqlite"), config.clusterId);
  const journal = new SubmissionJournal(join(config.dataDir, "journal.sqlite"));
  const submitter = new Submitter({
    client,
    signer: operator,
    journal,
    abortNames: abortConstantName,
  });
  // Every enclave-signed call (results, worker activations, slashes, cluster state) goes
  // through this one queue, so sequence numbers reach the chain in order.
  const poster = new EnclavePoster({
    inbox,
    signer: enclave,
    submitter,
    client,
    packageId: config.packageId,
    clusterId: config.clusterId,
  });
  const reporter = new Reporter({
    inbox,
    poster,
    clusterId: config.clusterId,
    maxBatch: config.reportBatch,
    onProblem: (problem) => {
      metrics.reportProblems.inc({ code: problem.code });
      log.error(problem, "cannot post results");
    },
  });
  const workers = createWorkerManagement(
    {
      inbox,
      poster,
      client,
      kubeConfig,
      packageId: config.packageId,
      clusterId: config.clusterId,
      log,
      metricsRegistry: metrics.registry,
    },
    deps.workers,
  );
  const executor = new TenantExecutor(kubeConfig, {
    onRetry: (event) =>
      log.warn(
        {
          requestId: String(event.requestId),
          retry: event.retry,
          delayMs: event.delayMs,
          error: event.error.message,
        },
        "Kubernetes API unavailable; retrying",
      ),
  });
  const controlPlane = new ControlPlane({
    inbox,
    admit,
    runner: workers.wrapRunner(executor),
    provision: async (namespace, owner) => {
      await ensureTenantNamespace(kubeConfig, { namespace, owner, clusterId: config.clusterId });
    },
    reporter,
    metrics,
    log,
    concurrency: config.concurrency,
    ...(workers.control ? { onIngested: () => workers.control?.wake() } : {}),
  });
  const reconciler = new Reconciler({
    inbox,
    controlPlane,
    client,
    kubeConfig,
    packageId: config.packageId,
    clusterId: config.clusterId,
    metrics,
    log,
  });

  // What a previous process signed but never saw settle comes first: it may hold results.
  const recovered = await submitter.recover().catch((error: unknown) => {
    log.error({ err: error }, "could not settle journaled transactions yet");
    return { settled: [], failed: [] };
  });
  if (recovered.settled.length > 0)
    log.info({ settled: recovered.settled.length }, "settled journaled transactions");
  controlPlane.resume();
  await workers.control?.start();

  const stopAll = new AbortController();
  const follower = new EventFollower({
    client,
    eventTypes: [`${config.packageId}::events`],
    cursor: inbox.cursor(),
    // The inbox decodes each event once, at its boundary; decoding here too would be waste.
    decode: () => undefined,
    onBatch: async (events, cursor) => {
      await controlPlane.ingest(events, cursor);
    },
    onReconnect: ({ failures, delayMs, reason }) => {
      metrics.followerReconnects.inc();
      log.warn(
        { failures, delayMs, reason: reason instanceof Error ? reason.message : String(reason) },
        "event stream interrupted; reconnecting",
      );
    },
  });
  const following = follower.run(stopAll.signal).catch((error: unknown) => {
    if (!stopAll.signal.aborted) log.fatal({ err: error }, "event follower stopped");
  });

  const gas = { balance: -1n };
  const checkGas = async () => {
    try {
      const { balance } = await client.getBalance({ owner: operator.toSuiAddress() });
      gas.balance = BigInt(balance.balance);
      metrics.gasBalance.set(Number(gas.balance));
    } catch (error) {
      log.warn({ err: error }, "cannot read the operator's gas balance");
    }
  };
  await checkGas();
  const timers = [
    setInterval(() => void checkGas(), 30_000),
    setInterval(() => {
      reconciler
        .pass(stopAll.signal)
        .catch((error: unknown) => log.warn({ err: error }, "reconciliation pass failed"));
    }, config.reconcileIntervalMs),
  ];
  for (const timer of timers) timer.unref();

  const readiness: ReadinessCheck[] = [
    {
      name: "chain",
      check: async () => {
        const cluster = await readClusterObject(client, config.clusterId);
        const registered = Buffer.from(cluster.enclave_public_key).equals(
          Buffer.from(enclave.publicKey),
        );
        return registered
          ? { ok: true, detail: `cluster ${cluster.name} reachable; our enclave key is registered` }
          : {
              ok: false,
              detail: "the cluster's registered enclave key is not this control plane's key",
            };
      },
    },
    {
      name: "kubernetes",
      check: () => apiServerAnswers(kubeConfig),
    },
    {
      name: "operator-gas",
      check: async () => ({
        ok: gas.balance >= config.minOperatorGasMist,
        detail: `operator ${operator.toSuiAddress()} holds ${gas.balance < 0n ? "unknown" : gas.balance} MIST (minimum ${config.minOperatorGasMist})`,
      }),
    },
    {
      name: "results",
      check: async () =>
        reporter.problem
          ? { ok: false, detail: reporter.problem.message }
          : { ok: true, detail: "posting results" },
    },
  ];
  let api: ApiServer;
  try {
    api = await startApiServer(
      {
        inbox,
        registry: metrics.registry,
        readiness,
        info: {
          enclave: enclave.mode,
          cluster: config.clusterId,
          operator: operator.toSuiAddress(),
        },
      },
      { host: config.listenHost, port: config.listenPort },
    );
  } catch (error) {
    stopAll.abort();
    await workers.control?.stop();
    inbox.close();
    journal.close();
    throw error;
  }
  log.info(
    { url: api.url, cluster: config.clusterId, network: config.network },
    "nautilus-control ready",
  );

  return {
    url: api.url,
    log,
    inbox,
    metrics,
    controlPlane,
    reconciler,
    workers: workers.control,
    enclavePublicKey: enclave.publicKey,
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      stopAll.abort();
      await following;
      await workers.control?.stop();
      await controlPlane.drain(config.drainTimeoutMs);
      await api.close();
      inbox.close();
      journal.close();
      log.info("nautilus-control stopped");
    },
  };
}

async function loadOperator(config: ControlConfig): Promise<Signer> {
  if (process.env[config.operatorKeyEnv]) return keypairFromEnv(config.operatorKeyEnv);
  return keypairFromKeystore({
    ...(config.operatorKeystore ? { keystorePath: config.operatorKeystore } : {}),
    ...(config.operatorAddress ? { address: config.operatorAddress } : {}),
  });
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** Whether the API server answers (its version endpoint), with the admin credentials. */
async function apiServerAnswers(kubeConfig: KubeConfig): Promise<{ ok: boolean; detail: string }> {
  try {
    const { body } = await new KubeApiClient(kubeConfig).request("GET", "/version", {
      signal: AbortSignal.timeout(3_000),
    });
    return {
      ok: true,
      detail: `Kubernetes ${(body as { gitVersion?: string }).gitVersion ?? "?"}`,
    };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
