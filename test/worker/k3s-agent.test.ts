// Real mode without a real k3s: a stand-in `k3s agent` shows what the worker runs (flags,
// token through the environment, restarts), and a Node registered under the worker's name,
// as a kubelet would, is adopted and labelled by the control plane — only when it names the
// join token issued for that worker.
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CoreV1Api } from "@kubernetes/client-node";
import { LABEL_WORKER, LABEL_WORKER_ACTIVE } from "../../src/control/workers/index.ts";
import { ANNOTATION_WORKER_REGISTRATION, LABEL_JOIN_TOKEN_ID } from "../../src/k8s/index.ts";
import { ActivationWatcher, K3sAgentJoiner } from "../../src/worker/index.ts";
import { testCluster, uniqueNamespace, waitFor } from "../helpers/cluster.ts";
import { openStack, type Stack } from "../helpers/stack.ts";
import { newWorker, STAKE_MIST } from "./fixtures.ts";

const FAKE = fileURLToPath(new URL("./fixtures/fake-k3s-agent.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "k8s-daas-k3s-agent-"));
const record = join(dir, "starts.jsonl");
const nodeId = uniqueNamespace("agent");
let stack: Stack;
let core: CoreV1Api;
let watcher: ActivationWatcher;

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  stack = await openStack(cluster.kubeConfig());
  await stack.startControl();
  watcher = new ActivationWatcher(stack.client, stack.packageId, stack.clusterId);
  copyFileSync(FAKE, join(dir, "k3s"));
  chmodSync(join(dir, "k3s"), 0o755);
  process.env.FAKE_K3S_AGENT_RECORD = record;
  process.env.FAKE_K3S_AGENT_CRASH_ONCE = join(dir, "crashed");
});

after(async () => {
  await watcher?.close();
  await stack?.close();
  await core?.deleteNode({ name: nodeId }).catch(() => undefined);
  delete process.env.FAKE_K3S_AGENT_RECORD;
  delete process.env.FAKE_K3S_AGENT_CRASH_ONCE;
  rmSync(dir, { recursive: true, force: true });
});

test("k3s agent runs with the credential, is restarted, and its node is adopted", async () => {
  const worker = await newWorker(stack, watcher, nodeId, 1_000);
  await worker.agent.register(STAKE_MIST);
  const credential = await worker.agent.awaitCredential();
  const joiner = new K3sAgentJoiner({ dataDir: dir, binary: join(dir, "k3s") });
  await joiner.join(nodeId, credential);
  const starts = await waitFor("the agent started again after its crash", async () => {
    const lines = existsSync(record) ? readFileSync(record, "utf8").trim().split("\n") : [];
    return lines.length >= 2 ? lines.map((line) => JSON.parse(line)) : undefined;
  });
  for (const start of starts) {
    assert.deepEqual(start.args.slice(0, 5), [
      "agent",
      "--server",
      credential.server,
      "--node-name",
      nodeId,
    ]);
    assert.equal(start.token, credential.token, "the token comes through K3S_TOKEN");
    assert.ok(!start.args.includes(credential.token), "and never through argv");
  }
  const tokenId = credential.token.split(".")[0] ?? "";
  const labelFlag = starts[0].args.indexOf("--node-label");
  assert.equal(
    starts[0].args[labelFlag + 1],
    `${LABEL_JOIN_TOKEN_ID}=${tokenId}`,
    "the kubelet names its join token on its Node",
  );
  await joiner.stop();

  // What a kubelet would do: register a Node under the worker's name. One that names a
  // token the control plane did not issue for this worker is not adopted.
  const refusals = stack.control?.workers?.nodeRefusals;
  assert.ok(refusals);
  const adoptRefusals = async () =>
    (await refusals.get()).values.find((v) => v.labels.action === "adopt")?.value ?? 0;
  const before = await adoptRefusals();
  const registerNode = (labels: Record<string, string>) =>
    core.createNode({
      body: {
        metadata: { name: nodeId, labels, annotations: { "kwok.x-k8s.io/node": "fake" } },
        status: { allocatable: { cpu: "2", memory: "4Gi", pods: "10" } },
      },
    });
  const stranger = await registerNode({ [LABEL_JOIN_TOKEN_ID]: "zzzzzz" });
  await waitFor("the control plane to refuse adopting a node with another token", async () =>
    (await adoptRefusals()) > before ? true : undefined,
  );
  const untouched = await core.readNode({ name: nodeId });
  assert.equal(untouched.metadata?.uid, stranger.metadata?.uid);
  assert.equal(untouched.metadata?.labels?.[LABEL_WORKER], undefined, "not adopted");
  await core.deleteNode({ name: nodeId, gracePeriodSeconds: 0 });
  await waitFor("the stranger node to be gone", async () =>
    (await core.readNode({ name: nodeId }).catch(() => undefined)) ? undefined : true,
  );

  await registerNode({ [LABEL_JOIN_TOKEN_ID]: tokenId });
  const adopted = await waitFor("the control plane to label the agent's node", async () => {
    const node = await core.readNode({ name: nodeId });
    return node.metadata?.labels?.[LABEL_WORKER] === nodeId ? node : undefined;
  });
  assert.equal(adopted.metadata?.labels?.[LABEL_WORKER_ACTIVE], "true");
  assert.match(
    adopted.metadata?.annotations?.[ANNOTATION_WORKER_REGISTRATION] ?? "",
    /^\w+:\d+$/,
    "bound to the worker's registration",
  );
});
