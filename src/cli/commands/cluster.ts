import { join } from "node:path";
import type { SuiGrpcClient } from "@mysten/sui/grpc";
import {
  createCluster,
  type ExecuteTransaction,
  registerDevEnclave,
} from "../../chain/k8s-daas.ts";
import {
  type ClusterStateEvent,
  decodeEvent,
  type EventName,
  eventType,
  INSTALLED_ENCLAVE_KEY_KIND,
  WORKER_ACTION,
  type WorkerNodeEvent,
} from "../../protocol/index.ts";
import { loadDevEnclaveSigner } from "../../tee/index.ts";
import { type Command, runAction, stringFlag } from "../command.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, DEFAULT_DATA_DIR } from "../context.ts";
import type { Readiness } from "../control-api.ts";
import { devEnclaveNeedsWarning } from "../dev-enclave.ts";
import { CliError, EXIT } from "../errors.ts";
import { age, printResult, sui } from "../output.ts";
import { Session } from "../session.ts";
import { clusterPrices } from "./billing.ts";
import { clusterEnclave } from "./cluster-enclave.ts";

export const clusterCommand: Command = {
  name: "cluster",
  summary:
    "Operator: create a cluster object, show its state (chain and control plane), set prices, register an attested enclave.",
  usage:
    "k8s-daas cluster create [--name NAME] [--enclave-key-file FILE] [--allow-dev-enclave] | status | prices [set --cpu-core-hour MIST --memory-gib-hour MIST --storage-gib-hour MIST --treasury-share-bps N] | enclave set-pcrs PCR0 PCR1 PCR2 | enclave verify|register --attestation FILE | enclave disable-dev --yes",
  example: "k8s-daas cluster enclave register --attestation attestation.json",
  actions: ["create", "enclave", "prices", "status"],
  options: {
    name: { type: "string" },
    "enclave-key-file": { type: "string" },
    "allow-dev-enclave": { type: "boolean" },
    kubeconfig: { type: "string" },
    "cpu-core-hour": { type: "string" },
    "memory-gib-hour": { type: "string" },
    "storage-gib-hour": { type: "string" },
    "treasury-share-bps": { type: "string" },
    attestation: { type: "string" },
    "nitro-root": { type: "string" },
    yes: { type: "boolean" },
    ...CONNECTION_OPTIONS,
  },
  optionHelp: {
    name: "create: the cluster's name (default k8s-daas)",
    "enclave-key-file":
      "create: dev enclave key to register (default .data/control/enclave-dev-key.json)",
    "allow-dev-enclave":
      "create: register the dev key on a network other than the local devnet (tests only; it is not attested)",
    kubeconfig: "status: the cluster's admin kubeconfig, to list nodes (default: the context's)",
    "cpu-core-hour": "prices set: MIST (or 1.5sui) per CPU-core-hour of requests",
    "memory-gib-hour": "prices set: MIST per GiB-hour of requested memory",
    "storage-gib-hour": "prices set: MIST per GiB-hour of bound volume claims",
    "treasury-share-bps": "prices set: the treasury's share of what is collected, basis points",
    attestation:
      "enclave verify/register: the enclave's attestation document (nautilus-control's /get_attestation JSON, hex or raw CBOR)",
    "nitro-root":
      "enclave verify/register: PEM root the document must chain to instead of AWS's (tests without Nitro hardware)",
    yes: "enclave disable-dev: confirm turning dev enclaves off for good",
    ...CONNECTION_HELP,
  },
  run: (args) =>
    runAction(clusterCommand, args, {
      async create({ values }) {
        const session = new Session(values, { needCluster: false });
        const { packageId } = session.connection;
        const name = stringFlag(values, "name") ?? "k8s-daas";
        if (
          devEnclaveNeedsWarning(
            session.connection.network,
            values["allow-dev-enclave"] === true,
            "cluster create",
          )
        ) {
          process.stderr.write(
            `WARNING: --allow-dev-enclave: a dev enclave key (not attested) becomes the enclave key of a cluster on ${session.connection.network}; whoever holds its file can sign results for it. Use this only for tests.\n`,
          );
        }
        const keyFile =
          stringFlag(values, "enclave-key-file") ??
          join(DEFAULT_DATA_DIR, "control", "enclave-dev-key.json");
        const enclave = loadDevEnclaveSigner(keyFile);
        const execute: ExecuteTransaction = (build) => session.execute(build);
        const { clusterId, adminCapId } = await createCluster(execute, packageId, name);
        await registerDevEnclave(execute, packageId, { clusterId, adminCapId }, enclave);
        const admin = await session.address();
        const data = {
          clusterId,
          adminCapId,
          admin,
          name,
          enclavePublicKey: Buffer.from(enclave.publicKey).toString("hex"),
          enclaveEncryptionKey: Buffer.from(enclave.encryptionKey.publicKey).toString("hex"),
          enclaveKeyFile: keyFile,
        };
        printResult(session.connection.output, data, () =>
          [
            `created cluster ${name}: ${clusterId}`,
            `  AdminCap     ${adminCapId} (held by ${admin})`,
            `  enclave key  ${data.enclavePublicKey} (dev, from ${keyFile})`,
            `serve it: k8s-daas control --network ${session.connection.network} --package-id ${packageId} --cluster-id ${clusterId} --enclave-key-file ${keyFile}`,
          ].join("\n"),
        );
        return EXIT.ok;
      },
      enclave: ({ values }, rest) => clusterEnclave(values, rest),
      prices: ({ values }, rest) => clusterPrices(values, rest),
      async status({ values }) {
        const session = new Session(values);
        const { packageId, clusterId } = session.connection;
        const cluster = await session.cluster();
        const [state, workers] = await session.chain(() =>
          Promise.all([
            lastClusterState(session.client, packageId, clusterId),
            workerSummary(session.client, packageId, clusterId),
          ]),
        );
        const nodes = session.connection.kubeconfig
          ? await kubernetesNodes(session.connection.kubeconfig)
          : undefined;
        let control:
          | {
              url: string;
              readiness?: Readiness;
              queueDepth?: number | undefined;
              inFlight?: number | undefined;
              error?: string;
            }
          | undefined;
        if (session.connection.controlUrl) {
          const api = session.controlApi();
          try {
            const [readiness, metrics] = await Promise.all([api.readiness(), api.metrics()]);
            control = {
              url: api.url,
              readiness,
              queueDepth: metricSum(metrics, "k8s_daas_queue_depth"),
              inFlight: metricSum(metrics, "k8s_daas_requests_in_flight"),
            };
          } catch (error) {
            if (!(error instanceof CliError)) throw error;
            control = { url: api.url, error: error.message };
          }
        }
        const data = {
          clusterId,
          name: cluster.name,
          admin: cluster.admin,
          paused: cluster.paused,
          config: cluster.config,
          treasuryMist: cluster.treasury,
          enclave: {
            publicKey: Buffer.from(cluster.enclave_public_key).toString("hex"),
            encryptionKey: Buffer.from(cluster.enclave_encryption_key).toString("hex"),
            tlsKeySha256: Buffer.from(cluster.enclave_tls_key_sha256).toString("hex"),
            keyKind:
              cluster.enclave_key_kind === INSTALLED_ENCLAVE_KEY_KIND.dev ? "dev" : "attested",
            devAllowed: cluster.allow_dev_enclave,
            lastSequence: cluster.last_sequence,
          },
          requestsSubmitted: cluster.next_request_id,
          lastCheckpoint: state,
          nodes,
          workers,
          control,
        };
        printResult(session.connection.output, data, () => {
          const lines = [
            `cluster ${cluster.name} (${clusterId})${cluster.paused ? "  PAUSED" : ""}`,
            `  admin            ${cluster.admin}`,
            `  request fee      ${sui(cluster.config.request_fee_mist)}; payload limit ${cluster.config.max_payload_bytes} bytes`,
            `  enclave key      ${data.enclave.publicKey ? `${data.enclave.publicKey} (${data.enclave.keyKind})` : "(none registered)"}${cluster.allow_dev_enclave ? " (dev keys allowed)" : ""}`,
            `  encryption key   ${data.enclave.encryptionKey || "(none)"}; ${cluster.config.require_sealed ? "sealed payloads required" : "plaintext payloads accepted"}`,
            `  TLS key sha256   ${data.enclave.tlsKeySha256 || "(none)"} (clients refuse a control plane serving another key)`,
            `  request timeout  ${cluster.config.request_timeout_ms} ms (a pending request is cancellable after it)`,
            `  requests         ${cluster.next_request_id} submitted; treasury ${sui(cluster.treasury)}`,
            ...(nodes
              ? [
                  "error" in nodes
                    ? `  nodes            unknown (${nodes.error})`
                    : `  nodes            ${nodes.filter((node) => node.ready).length}/${nodes.length} Ready${nodes.length <= 5 ? `: ${nodes.map((node) => node.name).join(", ")}` : " (-o yaml lists them)"}`,
                ]
              : []),
            `  workers          ${workers.total} (${
              Object.entries(workers.byStatus)
                .map(([status, count]) => `${count} ${status}`)
                .join(", ") || "none"
            }); min stake ${sui(cluster.config.min_worker_stake_mist)}`,
            state
              ? `  last checkpoint  ${state.ready_node_count}/${state.node_count} nodes ready, ${state.running_pod_count}/${state.pod_count} pods running, ${age(Number(state.timestamp_ms))} ago (seq ${state.sequence})`
              : "  last checkpoint  none reported yet",
          ];
          if (control?.readiness) {
            lines.push(
              `  control plane    ${control.url}: ${control.readiness.ready ? "ready" : "NOT READY"}, queue depth ${control.queueDepth ?? "?"}, in flight ${control.inFlight ?? "?"}`,
            );
            for (const check of control.readiness.checks)
              lines.push(
                `    ${check.ok ? "ok " : "NO "} ${check.name.padEnd(13)} ${check.detail}`,
              );
          } else if (control) {
            lines.push(`  control plane    ${control.error}`);
          }
          return lines.join("\n");
        });
        return EXIT.ok;
      },
    }),
};

/**
 * Events of one type in ledger order. Ascending only: the devnet serves no descending
 * queries, and on a public network the package's own history is what we read anyway.
 */
async function* events(client: SuiGrpcClient, packageId: string, name: EventName) {
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<SuiGrpcClient["listEvents"]>> = await client.listEvents({
      filter: { eventType: eventType(packageId, name) },
      limit: 50,
      ...(after ? { after } : {}),
    });
    for (const event of page.events) yield decodeEvent(event.eventType, event.bcs).value;
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
}

async function lastClusterState(client: SuiGrpcClient, packageId: string, clusterId: string) {
  let last: ReturnType<typeof ClusterStateEvent.parse> | undefined;
  for await (const value of events(client, packageId, "ClusterStateEvent")) {
    const state = value as ReturnType<typeof ClusterStateEvent.parse>;
    if (state.cluster_id === clusterId) last = state;
  }
  return last;
}

const ACTION_STATUS: Record<number, string> = {
  [WORKER_ACTION.registered]: "pending",
  [WORKER_ACTION.heartbeat]: "active",
  [WORKER_ACTION.activated]: "active",
  [WORKER_ACTION.deregistered]: "unbonding",
  [WORKER_ACTION.slashed]: "slashed",
  [WORKER_ACTION.refused]: "refused",
};

/** Each worker's latest event decides its status; withdrawn workers are gone. */
async function workerSummary(client: SuiGrpcClient, packageId: string, clusterId: string) {
  const latest = new Map<string, number>();
  for await (const value of events(client, packageId, "WorkerNodeEvent")) {
    const event = value as ReturnType<typeof WorkerNodeEvent.parse>;
    if (event.cluster_id === clusterId) latest.set(event.node_id, event.action);
  }
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const action of latest.values()) {
    const status = ACTION_STATUS[action];
    if (!status) continue;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    total++;
  }
  return { total, byStatus };
}

/** The cluster's nodes and their Ready condition, read with the admin kubeconfig. */
async function kubernetesNodes(
  kubeconfig: string,
): Promise<{ name: string; ready: boolean }[] | { error: string }> {
  // The Kubernetes client is heavy; only this operator view needs it.
  const { CoreV1Api, KubeConfig } = await import("@kubernetes/client-node");
  try {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    const { items } = await config.makeApiClient(CoreV1Api).listNode();
    return items.map((node) => ({
      name: node.metadata?.name ?? "?",
      ready:
        node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    }));
  } catch (error) {
    return { error: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error) };
  }
}

/** Sum of a Prometheus metric's samples in the text exposition format. */
function metricSum(text: string, name: string): number | undefined {
  const samples = text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .map((line) => Number(line.slice(line.lastIndexOf(" ") + 1)));
  // A labelled gauge with no samples yet is still declared: its sum is 0.
  if (samples.length === 0) return text.includes(`# TYPE ${name} `) ? 0 : undefined;
  return samples.reduce((sum, value) => sum + value, 0);
}
