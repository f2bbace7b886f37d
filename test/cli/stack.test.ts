// The tenant's happy path through the real binary against `k8s-daas up`: claim a namespace,
// create a pod, see it Running in the cluster and its result on chain; deploy, apply, get,
// delete, requests, result, cluster status; then Ctrl-C stops everything and a second `up`
// reuses the ledger and the cluster object.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { createSuiClient } from "../../src/chain/index.ts";
import { ResultWatcher } from "../../src/chain/results.ts";
import { testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import { runCli, startUp, tempDataDir, type UpProcess } from "./harness.ts";

const IMAGE = "nginxinc/nginx-unprivileged:1.27";
let dataDir: string;
let kubeconfig: string;
let stack: UpProcess;
let core: CoreV1Api;
const namespace = uniqueNamespace("cli");

before(async () => {
  const cluster = await testCluster();
  kubeconfig = cluster.kubeconfigPath;
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  dataDir = tempDataDir();
  stack = await startUp(dataDir, kubeconfig);
});

after(async () => {
  if (stack.child.exitCode === null) await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, { env: stack.env });

test("up is ready: chain, cluster object, control plane and funded local keys", async () => {
  assert.equal(stack.ready.ready, true, stack.stderr());
  const second = await runCli([
    "up",
    "--data-dir",
    dataDir,
    "--devnet-port",
    "0",
    "--control-port",
    "0",
  ]);
  assert.equal(second.code, 1, second.stderr);
  assert.match(
    second.stderr,
    /^error\[STACK_RUNNING\]: a local stack is already running from this data dir \(pid \d+\)/m,
  );
  assert.match(stack.ready.network, /^http:\/\/127\.0\.0\.1:\d+$/);

  // `up` wrote the context "local" and made it current: commands given only the config file
  // find the stack, and --version names its package.
  assert.equal(stack.ready.context, "local");
  const onlyConfig = { env: { K8S_DAAS_CONFIG: stack.ready.configFile } };
  assert.equal((await runCli(["config", "current-context"], onlyConfig)).stdout, "local\n");
  const contexts = JSON.parse(
    (await runCli(["config", "get-contexts", "-o", "json"], onlyConfig)).stdout,
  ) as { contexts: Record<string, string>[] };
  assert.deepEqual(contexts.contexts, [
    {
      name: "local",
      network: stack.ready.network,
      packageId: stack.ready.packageId,
      clusterId: stack.ready.clusterId,
      controlUrl: stack.ready.controlUrl,
      kubeconfig: stack.ready.kubeconfig,
      suiConfigDir: stack.ready.suiConfigDir,
      dataDir,
    },
  ]);
  const version = await runCli(["--version"], onlyConfig);
  assert.match(
    version.stdout,
    new RegExp(`^package {3}${stack.ready.packageId} {3}\\(context "local"\\)$`, "m"),
  );
  const keys = await cli("keys", "list", "-o", "json");
  assert.equal(keys.code, 0, keys.stderr);
  const listed = JSON.parse(keys.stdout) as { keys: { address: string; active: boolean }[] };
  assert.deepEqual(
    listed.keys.filter((key) => key.active).map((key) => key.address),
    [stack.ready.tenant],
  );
});

test("claim a namespace, create a pod, see it Running and its result on chain", async () => {
  const claim = await cli("namespace", "claim", namespace);
  assert.equal(claim.code, 0, claim.stderr);
  assert.match(claim.stdout, new RegExp(`claimed namespace ${namespace}`));

  const list = await cli("namespace", "list");
  assert.match(list.stdout, new RegExp(`^${namespace}\\s+0x[0-9a-f]{64}$`, "m"));

  const created = await cli(
    "pod",
    "create",
    "web",
    "--image",
    IMAGE,
    "--port",
    "8080",
    "-o",
    "json",
  );
  assert.equal(created.code, 0, created.stderr);
  const [outcome] = JSON.parse(created.stdout) as {
    requestId: string;
    statusCode: number;
    summary: string;
  }[];
  assert.ok(outcome);
  assert.equal(outcome.statusCode, 201);
  assert.equal(outcome.summary, "201 pod/web created");
  assert.match(created.stderr, /waiting for the result of request \d+ \(pod\/web\)/);

  // The cluster itself: the pod exists with the control plane's restricted defaults.
  const pod = await waitFor("pod web Running", async () => {
    const found = await core.readNamespacedPod({ name: "web", namespace });
    return found.status?.phase === "Running" ? found : undefined;
  });
  assert.equal(pod.spec?.securityContext?.runAsNonRoot, true);
  assert.equal(pod.spec?.containers[0]?.ports?.[0]?.containerPort, 8080);

  // The chain: the result event for that request, read straight from the devnet.
  const watcher = new ResultWatcher(
    createSuiClient(stack.ready.network),
    stack.ready.packageId,
    stack.ready.clusterId,
  );
  const [onChain] = await watcher.waitFor([BigInt(outcome.requestId)]);
  assert.equal(onChain?.event.status_code, 201);
  assert.equal(onChain?.event.requester, stack.ready.tenant);

  const get = await cli("get", "pods");
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  assert.match(get.stdout, /^web\s+1\/1\s+Running\s+0\s+/m);

  const result = await cli("result", outcome.requestId, "-o", "json");
  assert.equal(result.code, 0, result.stderr);
  const full = JSON.parse(result.stdout) as {
    statusCode: number;
    output: { kind: string };
    verified: { onChain: boolean; sha256: string };
  };
  assert.equal(full.statusCode, 201);
  // The served output is the one whose digest the enclave signed on chain.
  assert.equal(full.verified.onChain, true);
  assert.equal(
    full.verified.sha256,
    Buffer.from(onChain?.event.output_sha256 ?? []).toString("hex"),
  );
  assert.equal(full.output.kind, "Pod");
});

test("deploy, apply several documents, delete, and list the requests", async () => {
  const deploy = await cli("deploy", "api", "--image", IMAGE, "--replicas", "2");
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(deploy.stdout, /deployment\.apps\/api created/);

  const manifest = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata: {name: settings}",
    "data: {mode: demo}",
    "---",
    "apiVersion: v1",
    "kind: Service",
    "metadata: {name: web}",
    "spec:",
    "  selector: {app: web}",
    "  ports: [{port: 80, targetPort: 8080}]",
  ].join("\n");
  const apply = await runCli(["apply", "-f", "-"], { env: stack.env, input: manifest });
  assert.equal(apply.code, 0, apply.stderr);
  assert.match(apply.stdout, /configmap\/settings created/);
  assert.match(apply.stdout, /service\/web created/);
  const cm = await core.readNamespacedConfigMap({ name: "settings", namespace });
  assert.equal(cm.data?.mode, "demo");

  const get = await cli("get", "deployment", "api", "-o", "yaml");
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^kind: Deployment$/m);

  const removed = await cli("delete", "configmap", "settings");
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /configmap\/settings deleted/);

  const noWait = await cli("pod", "create", "later", "--image", IMAGE, "--no-wait");
  assert.equal(noWait.code, 0, noWait.stderr);
  const id = /request (\d+) \(pod\/later\) submitted/.exec(noWait.stdout)?.[1];
  assert.ok(id, noWait.stdout);
  const watched = await cli("requests", id, "--watch");
  assert.equal(watched.code, 0, watched.stderr);
  assert.match(watched.stdout, /reported\s+POST\s+pods\s+\S+\s+later\s+201/);

  const requests = await cli("requests", "-o", "json");
  const views = JSON.parse(requests.stdout) as { method: string; resource: string }[];
  assert.ok(views.some((view) => view.method === "DELETE" && view.resource === "configmaps"));
});

test("cluster status shows the cluster object, enclave key and control plane", async () => {
  const status = await cli("cluster", "status");
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /enclave key\s+[0-9a-f]{64}/);
  assert.match(status.stdout, /TLS key sha256\s+[0-9a-f]{64}/);
  // HTTPS, pinned to that hash: the status came through the pinned transport.
  assert.match(status.stdout, /control plane\s+https:\/\/127\.0\.0\.1:\d+: ready, queue depth \d+/);
  assert.match(status.stdout, /ok\s+kubernetes/);
  // The shared test cluster may hold other tests' nodes too.
  assert.match(status.stdout, /nodes\s+\d+\/\d+ Ready/);
  assert.match(status.stdout, /request fee\s+0\.001 SUI; payload limit 16384 bytes/);
});

test("Ctrl-C stops everything; the next up reuses the ledger and the cluster object", async () => {
  const { code, stderr } = await stack.stop();
  assert.equal(code, 0, stderr);
  assert.match(stderr, /stopped nautilus-control/);
  assert.match(stderr, /stopped devnet \(exit 0\)/);

  const down = await cli("pod", "create", "nope", "--image", IMAGE);
  assert.equal(down.code, 3, down.stderr);
  assert.match(
    down.stderr,
    /^error\[CHAIN_UNREACHABLE\]: the chain at http:\/\/127\.0\.0\.1:\d+ does not answer/m,
  );

  const first = stack.ready;
  stack = await startUp(dataDir, kubeconfig);
  assert.equal(stack.ready.clusterId, first.clusterId);
  assert.equal(stack.ready.tenant, first.tenant);
  const again = await cli("namespace", "list", "-o", "json");
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(
    (JSON.parse(again.stdout) as { namespace: string }[]).map((entry) => entry.namespace),
    [namespace],
  );
});
