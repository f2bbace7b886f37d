// A whole local stack for end-to-end tests: the devnet (in process), a k8s_daas cluster
// object with this control plane's dev enclave key registered, and nautilus-control against
// the shared kube-testenv cluster. Every test gets its own devnet, cluster object and data dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import pino from "pino";
import { chainTimeMs, readClusterObject } from "../../src/chain/cluster-view.ts";
import {
  addCall,
  type CallObjects,
  claimNamespace,
  createClusterWithDevEnclave,
  createdObjectOfType,
  executeSigned,
} from "../../src/chain/k8s-daas.ts";
import { type ControlConfig, defaultConfig, resolveConfig } from "../../src/control/config.ts";
import {
  type NautilusControl,
  type NautilusControlDeps,
  startNautilusControl,
} from "../../src/control/nautilus-control.ts";
import { type Devnet, openDevnet } from "../../src/devnet/index.ts";
import {
  type CallName,
  eventType,
  K8sAPIResultEvent,
  requestIdsOf,
  signingBytes,
} from "../../src/protocol/index.ts";
import { type EnclaveSigner, loadDevEnclaveSigner } from "../../src/tee/index.ts";
import { type ControlFetch, chainPinnedFetch } from "./control-client.ts";

export type ResultEvent = ReturnType<typeof K8sAPIResultEvent.parse>;

export interface Stack {
  devnet: Devnet;
  client: SuiGrpcClient;
  packageId: string;
  clusterId: string;
  /** The cluster's AdminCap, held by `admin`. */
  adminCapId: string;
  admin: Ed25519Keypair;
  operator: Ed25519Keypair;
  enclave: EnclaveSigner;
  kubeConfig: KubeConfig;
  dataDir: string;
  control: NautilusControl | undefined;
  config: ControlConfig;
  /**
   * Starts (or restarts) nautilus-control on this stack; `deps` replace the stack's own
   * (with `enclave`, under those keys from now on, e.g. after a rotation on chain).
   */
  startControl(deps?: NautilusControlDeps): Promise<NautilusControl>;
  /**
   * A request to the running control plane (a path, or its full URL) as clients send it:
   * over HTTPS pinned to the TLS key hash the cluster registered on chain.
   */
  controlFetch: ControlFetch;
  close(): Promise<void>;
}

const FUNDS = 1_000_000_000_000n;

export async function openStack(
  kubeConfig: KubeConfig,
  overrides: Partial<Record<keyof ControlConfig, unknown>> = {},
  options: { listen?: boolean; nitroRootPem?: string } = {},
): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), "k8s-daas-stack-"));
  // `listen`: the devnet also serves gRPC-web on 127.0.0.1, for clients in other processes.
  // `nitroRootPem`: the root its load_nitro_attestation trusts (a test CA's).
  const devnet = await openDevnet({
    ...(options.listen ? { listen: { port: 0 } } : {}),
    ...(options.nitroRootPem ? { nitroRootPem: options.nitroRootPem } : {}),
  });
  const client = new SuiGrpcClient({ network: "localnet", transport: devnet.transport });
  const admin = Ed25519Keypair.generate();
  const operator = Ed25519Keypair.generate();
  await devnet.faucet(admin.toSuiAddress(), FUNDS);
  await devnet.faucet(operator.toSuiAddress(), FUNDS);
  const enclave = loadDevEnclaveSigner(join(dataDir, "enclave.json"));
  const { clusterId, adminCapId } = await createClusterWithDevEnclave(
    client,
    devnet.packageId,
    admin,
    enclave,
    "e2e",
  );
  const config = resolveConfig(defaultConfig(join(dataDir, "control")), {
    packageId: devnet.packageId,
    clusterId,
    listenPort: 0,
    reconcileIntervalMs: 3_600_000,
    drainTimeoutMs: 10_000,
    // Warnings (retries, the dev enclave key) are expected in tests; errors still show.
    logLevel: "error",
    ...overrides,
  });
  const stack: Stack = {
    devnet,
    client,
    packageId: devnet.packageId,
    clusterId,
    adminCapId,
    admin,
    operator,
    enclave,
    kubeConfig,
    dataDir,
    control: undefined,
    config,
    async startControl(deps = {}) {
      stack.enclave = deps.enclave ?? stack.enclave;
      stack.control = await startNautilusControl(config, {
        client,
        kubeConfig,
        operator,
        enclave: stack.enclave,
        log: pino({ level: config.logLevel }, pino.destination(2)),
        ...deps,
      });
      return stack.control;
    },
    controlFetch(pathOrUrl, init) {
      const url = stack.control?.url;
      if (!url) throw new Error("the stack's control plane is not running");
      return chainPinnedFetch(url, client, clusterId)(pathOrUrl, init);
    },
    async close() {
      await stack.control?.stop();
      await devnet.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

export const execute = executeSigned;
export const createdObject = createdObjectOfType;

/** A funded tenant holding a claimed namespace. */
export async function newTenant(stack: Stack, namespace: string) {
  const key = Ed25519Keypair.generate();
  await stack.devnet.faucet(key.toSuiAddress(), FUNDS);
  const capId = await claimNamespace(
    stack.client,
    stack.packageId,
    stack.clusterId,
    key,
    namespace,
  );
  return { key, namespace, capId };
}

/** Submits one request call; returns its request id (from the K8sAPIRequestEvent). */
export async function submitRequest(
  stack: Stack,
  signer: Ed25519Keypair,
  name: CallName,
  values: Record<string, unknown>,
  objects: CallObjects = {},
): Promise<bigint> {
  const result = await execute(stack.client, signer, (tx) =>
    addCall(
      tx,
      stack.packageId,
      name,
      values,
      { cluster: stack.clusterId, ...objects },
      1_000_000n,
    ),
  );
  const [requestId] = requestIdsOf(result.events);
  if (requestId === undefined) throw new Error(`${name} emitted no K8sAPIRequestEvent`);
  return requestId;
}

/** A ConfigMap request through `execute_k8s_api` (POST with a manifest, or DELETE). */
export function submitConfigMap(
  stack: Stack,
  tenant: { key: Ed25519Keypair; namespace: string; capId: string },
  name: string,
  options: { method?: "POST" | "DELETE"; data?: Record<string, string>; priority?: number } = {},
): Promise<bigint> {
  const method = options.method ?? "POST";
  const payload =
    method === "POST"
      ? JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name },
          data: options.data ?? {},
        })
      : "";
  return submitRequest(
    stack,
    tenant.key,
    "execute_k8s_api",
    {
      method,
      resource: "configmaps",
      namespace: tenant.namespace,
      name,
      payload,
      priority: options.priority ?? 1,
    },
    { cap: tenant.capId },
  );
}

/** Every K8sAPIResultEvent on chain for this request of the stack's cluster, oldest first. */
export async function resultsOf(stack: Stack, requestId: bigint): Promise<ResultEvent[]> {
  const type = eventType(stack.packageId, "K8sAPIResultEvent");
  const found: ResultEvent[] = [];
  let after: string | null = null;
  do {
    const page = await stack.client.listEvents({
      filter: { eventType: type },
      limit: 200,
      ...(after ? { after } : {}),
    });
    for (const event of page.events) {
      const result = K8sAPIResultEvent.parse(event.bcs);
      if (result.request_id === String(requestId) && result.cluster_id === stack.clusterId)
        found.push(result);
    }
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return found;
}

/** Waits for the request's K8sAPIResultEvent on chain (the tenant's view). */
export async function waitForResult(
  stack: Stack,
  requestId: bigint,
  timeoutMs = 120_000,
): Promise<ResultEvent> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [result] = await resultsOf(stack, requestId);
    if (result) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no result for request ${requestId} within ${timeoutMs} ms`);
}

/**
 * Rotates the cluster's enclave keys to `next` (signing, encryption, TLS), signed by the keys
 * registered now (`stack.enclave`), as `enclave::rotate_enclave_key` requires. Restart the
 * control plane with `next` afterwards.
 */
export async function rotateEnclave(
  stack: Pick<Stack, "client" | "admin" | "clusterId" | "packageId" | "enclave">,
  next: EnclaveSigner,
): Promise<void> {
  const cluster = await readClusterObject(stack.client, stack.clusterId);
  const sequence = BigInt(cluster.last_sequence) + 1n;
  const timestampMs = await chainTimeMs(stack.client);
  const fields = {
    new_public_key: next.publicKey,
    new_encryption_key: next.encryptionKey.publicKey,
    new_tls_key_sha256: next.tlsKey.spkiSha256,
  };
  const signature = await stack.enclave.sign(
    signingBytes("keyRotation", timestampMs, { cluster_id: stack.clusterId, sequence, ...fields }),
  );
  await execute(stack.client, stack.admin, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "rotate_enclave_key",
      { ...fields, timestamp_ms: timestampMs, sequence, signature },
      { cluster: stack.clusterId },
    ),
  );
}
