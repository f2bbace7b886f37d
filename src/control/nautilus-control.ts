import { mkdirSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Signer } from "@mysten/sui/cryptography";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import pino, { type Logger } from "pino";
import {
  createSuiClient,
  EventFollower,
  keypairFromEnv,
  keypairFromKeystore,
  readBillingView,
  readClusterObject,
  SubmissionJournal,
  Submitter,
} from "../chain/index.ts";
import { ensureTenantNamespace, KubeApiClient, TenantExecutor } from "../k8s/index.ts";
import { abortConstantName, DEFAULT_CONFIG } from "../protocol/index.ts";
import { SealedSecretOpener } from "../seal/index.ts";
import { CoalescingLoop } from "../shared/coalescing-loop.ts";
import { type Service, startServices } from "../shared/services.ts";
import {
  type AttestingEnclaveSigner,
  createNitroEnclaveSigner,
  detectEnclave,
  type EnclaveSigner,
  EnclaveSuiSigner,
  isAttestingSigner,
  loadDevEnclaveSigner,
  nsmHelperTransport,
  publishedKeysMatch,
  tlsServerCredentials,
} from "../tee/index.ts";
import { admitRequest, resolvedObjectPolicy } from "./admission/index.ts";
import {
  type BillingConfig,
  BillingMeter,
  BillingMetrics,
  BillingStore,
  resolveBillingConfig,
} from "./billing/index.ts";
import { ConfigError, type ControlConfig } from "./config.ts";
import { EnclavePoster } from "./enclave-poster.ts";
import { type ApiServer, type ReadinessCheck, startApiServer } from "./http/server.ts";
import { type ControlState, type NamespaceClaim, openControlState } from "./inbox/index.ts";
import { ControlMetrics } from "./metrics.ts";
import { Reporter, RequestPipeline } from "./pipeline/index.ts";
import { Reconciler } from "./reconciler.ts";
import { SessionAudit, StreamMetrics, StreamsService } from "./streams/index.ts";
import type { TenantRequest } from "./tenant-request.ts";
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
  /**
   * The enclave signer; default keys generated in memory and attested by the NSM inside a
   * Nitro Enclave (`config.nsmDevice` exists), else the dev key file.
   */
  enclave?: EnclaveSigner | AttestingEnclaveSigner;
  log?: Logger;
  /** Worker management settings over the defaults and K8S_DAAS_WORKERS_* variables. */
  workers?: Partial<WorkerControlConfig>;
  /** Billing settings over the defaults and K8S_DAAS_BILLING_* variables. */
  billing?: Partial<BillingConfig>;
}

export interface NautilusControl {
  readonly url: string;
  readonly log: Logger;
  /** The inbox and its stores (requests, namespace claims, enclave sequences). */
  readonly state: ControlState;
  readonly metrics: ControlMetrics;
  readonly pipeline: RequestPipeline;
  readonly reconciler: Reconciler;
  /** Worker admission, liveness and slashing; undefined when turned off. */
  readonly workers: WorkerControl | undefined;
  /** Metering, usage reports and suspension; undefined when turned off. */
  readonly billing: BillingMeter | undefined;
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
  const environment = detectEnclave(config.nsmDevice);
  const enclave =
    deps.enclave ??
    (environment.kind === "nitro"
      ? await createNitroEnclaveSigner(nsmHelperTransport(config.nsmHelper, environment.device))
      : loadDevEnclaveSigner(config.enclaveKeyFile));
  if (enclave.mode === "nitro" && config.insecureHttp) {
    // The attested registration installs this enclave's TLS key hash for clients to pin;
    // plain HTTP would let the host read and answer in its place.
    throw new ConfigError([
      "insecureHttp is refused in a Nitro enclave: the API is served over HTTPS with the attested TLS key",
    ]);
  }
  if (enclave.mode === "nitro") {
    log.info(
      {
        enclavePublicKey: Buffer.from(enclave.publicKey).toString("hex"),
        tlsKeySha256: Buffer.from(enclave.tlsKey.spkiSha256).toString("hex"),
      },
      "Nitro enclave: keys generated inside the enclave; register them from GET /get_attestation with 'k8s-daas cluster enclave register'",
    );
  } else {
    log.warn(
      { reason: environment.kind === "dev" ? environment.reason : undefined },
      "DEV ENCLAVE KEY: results are signed by a key that is not attested",
    );
  }
  if (config.insecureHttp) {
    log.warn(
      "INSECURE HTTP: the API is served in plain text; clients cannot pin it to the enclave's TLS key (development only)",
    );
  }
  const kubeConfig = deps.kubeConfig ?? loadKubeConfig(config.kubeconfig);
  const metrics = new ControlMetrics();
  const state = openControlState(join(config.dataDir, "inbox.sqlite"), {
    clusterId: config.clusterId,
    packageId: config.packageId,
  });
  const journal = new SubmissionJournal(join(config.dataDir, "journal.sqlite"));
  // exec/attach/port-forward sessions: who, which pod, what command, when, how many bytes.
  const sessionAudit = new SessionAudit(join(config.dataDir, "sessions.sqlite"));
  const submitter = new Submitter({
    client,
    signer: operator,
    journal,
    abortNames: abortConstantName,
  });
  // Every enclave-signed call (results, worker activations, slashes, cluster state) goes
  // through this one queue, so sequence numbers reach the chain in order.
  const poster = new EnclavePoster({
    sequences: state.sequences,
    signer: enclave,
    submitter,
    client,
    packageId: config.packageId,
    clusterId: config.clusterId,
  });
  const reporter = new Reporter({
    requests: state.requests,
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
      inbox: state.inbox,
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
  const billingConfig = resolveBillingConfig(deps.billing);
  const billing = billingConfig.enabled
    ? new BillingMeter({
        store: new BillingStore(join(config.dataDir, "billing.sqlite")),
        kube: new KubeApiClient(kubeConfig),
        poster,
        readView: (query, signal) =>
          readBillingView(
            client,
            config.packageId,
            config.clusterId,
            operator.toSuiAddress(),
            query,
            signal,
          ),
        clusterId: config.clusterId,
        config: billingConfig,
        log,
        metrics: new BillingMetrics(metrics.registry),
      })
    : undefined;
  const admissionPolicy = {
    appsDomain: config.appsDomain,
    allowedPriorityClasses: config.allowedPriorityClasses,
    maxListItems: config.maxListItems,
  };
  const executor = new TenantExecutor(kubeConfig, {
    resolvedPolicy: resolvedObjectPolicy({
      policy: admissionPolicy,
      placeOnWorkers: workers.config.placeOnWorkers,
      clusterId: config.clusterId,
    }),
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
  /** Admission as every request gets it: the pipeline's, and the gateway's dry runs. */
  const admitTenantRequest = (request: TenantRequest, claim: NamespaceClaim | undefined) =>
    admitRequest(request, {
      claim,
      clusterId: config.clusterId,
      placeOnWorkers: workers.config.placeOnWorkers,
      suspended: billing?.isSuspended(request.namespace) ?? false,
      policy: admissionPolicy,
    });
  /** A claim's namespace made ready for its tenant: before its requests and its first reads. */
  const provisionTenant = async (claim: NamespaceClaim): Promise<void> => {
    await ensureTenantNamespace(kubeConfig, {
      namespace: claim.namespace,
      owner: claim.owner,
      clusterId: config.clusterId,
      claimId: claim.capId,
      tenantClusterRole: config.tenantClusterRole,
      ...(config.ingressControllerNamespace
        ? { ingressControllerNamespace: config.ingressControllerNamespace }
        : {}),
    });
  };
  const pipeline = new RequestPipeline({
    inbox: state.inbox,
    requests: state.requests,
    namespaces: state.namespaces,
    admit: (request, { claim }) => admitTenantRequest(request, claim),
    runner: executor,
    provision: provisionTenant,
    reporter,
    metrics,
    log,
    concurrency: config.concurrency,
    sealing: {
      encryptionKey: enclave.encryptionKey,
      requireSealed: () => clusterSettings.requireSealed,
    },
    // Seal-protected Secrets: key shares fetched as the enclave's address (its session key
    // signed by the enclave key), decrypted here and nowhere else.
    ...(config.sealKeyServers.length > 0
      ? {
          sealedSecrets: new SealedSecretOpener(
            client,
            {
              keyServers: config.sealKeyServers.map((objectId) => ({ objectId })),
              threshold: config.sealThreshold,
            },
            new EnclaveSuiSigner(enclave),
            config.packageId,
          ),
        }
      : {}),
    requestTimeoutMs: () => clusterSettings.requestTimeoutMs,
    ...(workers.control ? { onIngested: () => workers.control?.wake() } : {}),
    onNamespaceReleased: () => namespaceCleanup.kick(),
  });
  const reconciler = new Reconciler({
    requests: state.requests,
    namespaces: state.namespaces,
    pipeline,
    client,
    kubeConfig,
    packageId: config.packageId,
    clusterId: config.clusterId,
    metrics,
    log,
  });

  // A released namespace is removed as soon as the release is seen, not at the next
  // reconciliation pass; a request on a re-claimed name also waits for it (provisioning).
  const namespaceCleanup = new CoalescingLoop({
    pass: (signal) => reconciler.removeReleasedNamespaces(signal),
    onError: (error) => log.warn({ err: error }, "removing released namespaces failed"),
  });
  const gas = { balance: -1n };
  // The cluster's settings the pipeline needs, kept fresh with the gas balance; until the
  // first read succeeds, the package's default.
  const clusterSettings = {
    requestTimeoutMs: Number(DEFAULT_CONFIG.requestTimeoutMs),
    requireSealed: DEFAULT_CONFIG.requireSealed as boolean,
  };
  const checkChain = async () => {
    try {
      const { balance } = await client.getBalance({ owner: operator.toSuiAddress() });
      gas.balance = BigInt(balance.balance);
      metrics.gasBalance.set(Number(gas.balance));
    } catch (error) {
      log.warn({ err: error }, "cannot read the operator's gas balance");
    }
    try {
      const cluster = await readClusterObject(client, config.clusterId);
      clusterSettings.requestTimeoutMs = Number(cluster.config.request_timeout_ms);
      clusterSettings.requireSealed = cluster.config.require_sealed;
    } catch (error) {
      log.warn({ err: error }, "cannot read the cluster's settings");
    }
  };
  const readiness: ReadinessCheck[] = [
    {
      name: "chain",
      check: async () => {
        const cluster = await readClusterObject(client, config.clusterId);
        return publishedKeysMatch(cluster, enclave)
          ? { ok: true, detail: `cluster ${cluster.name} reachable; our enclave key is registered` }
          : {
              ok: false,
              detail:
                "the cluster's registered enclave keys (signing, encryption, TLS key hash) are not this control plane's keys",
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

  const following = new AbortController();
  let api: ApiServer | undefined;
  let followerRun: Promise<void> | undefined;
  const every = (name: string, ms: number, work: () => void): Service => {
    let timer: NodeJS.Timeout | undefined;
    return {
      name,
      start: () => {
        timer = setInterval(work, ms);
        timer.unref();
      },
      stop: () => clearInterval(timer),
    };
  };
  // Started in this order, stopped in reverse. The state files are open before anything
  // else (they start no work); the port is bound next, so a taken port fails the start
  // before any loop, timer or in-flight work exists.
  const services: Service[] = [
    {
      name: "state",
      start: () => {},
      stop: () => {
        state.inbox.close();
        journal.close();
      },
    },
    {
      name: "api",
      start: async () => {
        api = await startApiServer(
          {
            requests: state.requests,
            registry: metrics.registry,
            readiness,
            info: {
              enclave: enclave.mode,
              cluster: config.clusterId,
              operator: operator.toSuiAddress(),
              // Where tenants' CLIs encrypt Seal-protected Secrets to (`secret create`).
              ...(config.sealKeyServers.length > 0
                ? {
                    sealKeyServers: config.sealKeyServers.join(","),
                    sealThreshold: String(config.sealThreshold),
                  }
                : {}),
            },
            clusterId: config.clusterId,
            publicHosts: config.publicHosts,
            ...(isAttestingSigner(enclave) ? { attest: enclave.attest } : {}),
            ...(config.insecureHttp
              ? {}
              : { tls: () => tlsServerCredentials(enclave.tlsKey, certificateHosts(config)) }),
            kube: {
              admin: kubeConfig,
              namespaces: state.namespaces,
              admit: (request, claim) => admitTenantRequest(request, claim),
              provision: provisionTenant,
              dryRun: (operation) => executor.execute(operation, 0n, { dryRun: true }),
            },
            streams: new StreamsService({
              admin: kubeConfig,
              namespaces: state.namespaces,
              limits: {
                maxConcurrentPerTenant: config.streamsPerTenant,
                bytesPerSecondPerTenant: config.streamBytesPerSecond,
              },
              metrics: new StreamMetrics(metrics.registry),
              audit: sessionAudit,
              upstream: config.streamUpstream,
            }),
            ...(billing ? { billing: { meter: billing, namespaces: state.namespaces } } : {}),
          },
          { host: config.listenHost, port: config.listenPort },
        );
      },
      stop: async () => {
        await api?.close();
        sessionAudit.close();
      },
    },
    // The gas balance and the cluster's settings (the request timeout) before any request runs.
    { name: "chain check", start: () => checkChain() },
    {
      // What a previous process signed but never saw settle comes first: it may hold results.
      name: "journal recovery",
      start: async () => {
        const recovered = await submitter.recover().catch((error: unknown) => {
          log.error({ err: error }, "could not settle journaled transactions yet");
          return { settled: [], failed: [] };
        });
        if (recovered.settled.length > 0)
          log.info({ settled: recovered.settled.length }, "settled journaled transactions");
      },
    },
    {
      name: "pipeline",
      start: () => pipeline.resume(),
      stop: () => pipeline.drain(config.drainTimeoutMs),
    },
    {
      name: "namespace cleanup",
      start: () => namespaceCleanup.kick(),
      stop: () => namespaceCleanup.stop(),
    },
    {
      name: "workers",
      start: () => workers.control?.start(),
      stop: () => workers.control?.stop(),
    },
    {
      // After journal recovery: a report an earlier process signed is settled before the
      // meter asks the chain which periods it has.
      name: "billing",
      start: () => billing?.start(),
      stop: () => billing?.stop(),
    },
    {
      name: "follower",
      start: () => {
        const follower = new EventFollower({
          client,
          eventTypes: [`${config.packageId}::events`],
          cursor: state.inbox.cursor(),
          // The inbox decodes each event once, at its boundary; decoding here would be waste.
          decode: () => undefined,
          onBatch: async (events, cursor) => {
            await pipeline.ingest(events, cursor);
          },
          onReconnect: ({ failures, delayMs, reason }) => {
            metrics.followerReconnects.inc();
            log.warn(
              {
                failures,
                delayMs,
                reason: reason instanceof Error ? reason.message : String(reason),
              },
              "event stream interrupted; reconnecting",
            );
          },
        });
        followerRun = follower.run(following.signal).catch((error: unknown) => {
          if (!following.signal.aborted) log.fatal({ err: error }, "event follower stopped");
        });
      },
      stop: async () => {
        following.abort();
        await followerRun;
      },
    },
    every("chain check timer", 30_000, () => void checkChain()),
    every("reconciliation timer", config.reconcileIntervalMs, () => {
      reconciler
        .pass(following.signal)
        .catch((error: unknown) => log.warn({ err: error }, "reconciliation pass failed"));
    }),
  ];
  const stopServices = await startServices(services, (service, error) =>
    log.error({ err: error, service }, "stopping a service failed"),
  );
  const url = api?.url ?? "";
  log.info({ url, cluster: config.clusterId, network: config.network }, "nautilus-control ready");

  return {
    url,
    log,
    state,
    metrics,
    pipeline,
    reconciler,
    workers: workers.control,
    billing,
    enclavePublicKey: enclave.publicKey,
    stop: async () => {
      await stopServices();
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

/**
 * Names the certificate carries (loopback, the listen address, the public hosts). Clients
 * pin the key, not the names; the names let tools that check them (curl with `--cacert`)
 * use the certificate too.
 */
function certificateHosts(config: ControlConfig): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const hosts = ["localhost", "127.0.0.1", "::1", config.listenHost, ...config.publicHosts].map(
    (host) => host.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1"),
  );
  const unique = [
    ...new Set(hosts.filter((host) => host !== "" && host !== "0.0.0.0" && host !== "::")),
  ];
  return {
    dnsNames: unique.filter((host) => isIP(host) === 0),
    ipAddresses: unique.filter((host) => isIP(host) !== 0),
  };
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
