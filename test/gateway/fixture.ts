// The whole chain behind kubectl: the devnet, a k8s_daas cluster, nautilus-control against
// the shared kube-testenv cluster, a tenant holding a namespace, and `k8s-daas proxy`'s
// gateway in this process with a kubeconfig context for it. Upstream kubectl and helm (the
// binaries built into kube-testenv) run against that context, unwrapped. The control plane
// provisions the tenant's namespace on its first request (a write), as on a real cluster.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { controlTransport } from "../../src/chain/index.ts";
import { type GatewayServer, startGateway, writeProxyContext } from "../../src/gateway/index.ts";
import { ensureBuilt } from "../../src/k8s/testenv/index.ts";
import { type CommandResult, runCommand } from "../../src/k8s/testenv/run-command.ts";
import { eventType } from "../../src/protocol/index.ts";
import { testCluster } from "../helpers/cluster.ts";
import { newTenant, openStack, type Stack } from "../helpers/stack.ts";

export interface GatewayRig {
  stack: Stack;
  tenant: { key: Ed25519Keypair; namespace: string; capId: string };
  gateway: GatewayServer;
  /** A kubeconfig whose current context is the gateway, namespace the tenant's. */
  kubeconfig: string;
  /** The binary that runs `kubectl …` and `helm …` (kube-testenv). */
  tools: string;
  /** The proxy's log lines (one per write). */
  log: string[];
  /** Files for the test (manifests, the editor script, helm's home). */
  workDir: string;
  kubectl(args: readonly string[], env?: Record<string, string>): Promise<CommandResult>;
  helm(args: readonly string[]): Promise<CommandResult>;
  /** Request and result events of the cluster on chain, so far. */
  chainCounts(): Promise<{ requests: number; results: number }>;
  close(): Promise<void>;
}

/** `kubeConfig`: the admin view of another cluster than the shared test one (the bench's). */
export async function openGatewayRig(prefix: string, kubeConfig?: KubeConfig): Promise<GatewayRig> {
  kubeConfig ??= (await testCluster()).kubeConfig();
  const stack = await openStack(kubeConfig);
  const control = await stack.startControl();
  const tenant = await newTenant(stack, `${prefix}-${Date.now().toString(36)}`);
  const workDir = mkdtempSync(join(tmpdir(), `k8s-daas-${prefix}-`));
  const log: string[] = [];
  const gateway = await startGateway({
    client: stack.client,
    signer: tenant.key,
    packageId: stack.packageId,
    clusterId: stack.clusterId,
    control: controlTransport({
      url: control.url,
      pin: { client: stack.client, clusterId: stack.clusterId },
    }),
    dataDir: join(workDir, "data"),
    address: "127.0.0.1",
    port: 0,
    noSeal: false,
    priority: 5,
    log: (line) => log.push(line),
  });
  const kubeconfig = join(workDir, "kubeconfig");
  writeProxyContext(kubeconfig, {
    name: "k8s-daas",
    server: gateway.url,
    namespace: tenant.namespace,
  });
  const { path: tools } = await ensureBuilt({ log: (line) => process.stderr.write(`# ${line}\n`) });
  const helmHome = join(workDir, "helm");
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    HELM_CONFIG_HOME: join(helmHome, "config"),
    HELM_CACHE_HOME: join(helmHome, "cache"),
    HELM_DATA_HOME: join(helmHome, "data"),
  };
  const count = async (name: "K8sAPIRequestEvent" | "K8sAPIResultEvent") => {
    let total = 0;
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Stack["client"]["listEvents"]>> =
        await stack.client.listEvents({
          filter: { eventType: eventType(stack.packageId, name) },
          limit: 50,
          ...(cursor ? { after: cursor } : {}),
        });
      total += page.events.length;
      cursor = page.hasNextPage ? page.endCursor : null;
    } while (cursor);
    return total;
  };
  return {
    stack,
    tenant,
    gateway,
    kubeconfig,
    tools,
    log,
    workDir,
    kubectl: (args, extra = {}) =>
      runCommand(tools, ["kubectl", ...args], { env: { ...env, ...extra }, cwd: workDir }),
    helm: (args) => runCommand(tools, ["helm", ...args], { env, cwd: workDir }),
    chainCounts: async () => ({
      requests: await count("K8sAPIRequestEvent"),
      results: await count("K8sAPIResultEvent"),
    }),
    close: async () => {
      await gateway.close();
      await stack.close();
    },
  };
}
