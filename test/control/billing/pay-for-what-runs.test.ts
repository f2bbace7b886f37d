// Pay for what runs, end to end: devnet + nautilus-control + the shared kube-testenv
// cluster. Two simulated workers join; a tenant funds an escrow and runs 3 replicas with
// known requests on the workers' nodes; short billing periods pass. For every period the
// pods ran through, the escrow is charged price x usage to the MIST, each worker is
// credited its share of what its node served, and the treasury keeps the rest. The escrow
// runs dry: the namespace is suspended (workloads at zero, objects kept); a top-up resumes
// it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { controlTransport, readBillingView } from "../../../src/chain/index.ts";
import { addCall } from "../../../src/chain/k8s-daas.ts";
import { ControlApi } from "../../../src/cli/control-api.ts";
import { ANNOTATION_SUSPENDED_REPLICAS } from "../../../src/control/billing/index.ts";
import {
  type BillingPrices,
  ESCROW_ACTION,
  EscrowEvent,
  type EventName,
  hourlyCostMist,
  splitCollection,
  usageValueMist,
  WorkerEarningsEvent,
} from "../../../src/protocol/index.ts";
import { ActivationWatcher } from "../../../src/worker/index.ts";
import { testCluster, uniqueNamespace, waitFor } from "../../helpers/cluster.ts";
import {
  execute,
  newTenant,
  openStack,
  type Stack,
  submitRequest,
  waitForResult,
} from "../../helpers/stack.ts";
import {
  adminCapOf,
  newWorker,
  runningPods,
  type TestWorker,
  workerNodes,
} from "../../worker/fixtures.ts";
import { clusterEvents } from "./chain-events.ts";

const PERIOD_MS = 3_000;
const SAMPLE_MS = 200;
const REPLICAS = 3;
const CPU_MILLI = 250n;
const MEMORY_BYTES = 128n * 1024n * 1024n;
const PRICES = {
  cpu_core_hour_mist: 3_600_000_000_000n,
  memory_gib_hour_mist: 3_600_000_000_000n,
  storage_gib_hour_mist: 1_000_000_000n,
  treasury_share_bps: 1_500n,
};
const prices: BillingPrices = {
  cpuCoreHourMist: PRICES.cpu_core_hour_mist,
  memoryGibHourMist: PRICES.memory_gib_hour_mist,
  storageGibHourMist: PRICES.storage_gib_hour_mist,
  treasuryShareBps: PRICES.treasury_share_bps,
};
/** One pod's usage over a whole period. */
const podPeriodUsage = {
  cpuMilliCoreMs: CPU_MILLI * BigInt(PERIOD_MS),
  memoryByteMs: MEMORY_BYTES * BigInt(PERIOD_MS),
  storageByteMs: 0n,
};
const times = (n: bigint) => ({
  cpuMilliCoreMs: podPeriodUsage.cpuMilliCoreMs * n,
  memoryByteMs: podPeriodUsage.memoryByteMs * n,
  storageByteMs: 0n,
});
/** 3 pods for a whole period: 2_250_000_000 (cpu) + 1_125_000_000 (memory) MIST. */
const FULL_PERIOD_CHARGE = usageValueMist(prices, times(BigInt(REPLICAS)));

let stack: Stack;
let core: CoreV1Api;
let apps: AppsV1Api;
let watcher: ActivationWatcher;
const suffix = uniqueNamespace("b").slice(2);
const nodeIds = [`bill-a-${suffix}`, `bill-b-${suffix}`];
const workers: TestWorker[] = [];

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  apps = cluster.kubeConfig().makeApiClient(AppsV1Api);
  stack = await openStack(cluster.kubeConfig());
  const cap = await adminCapOf(stack);
  await execute(stack.client, stack.admin, (tx) =>
    addCall(tx, stack.packageId, "set_prices", PRICES, { cluster: stack.clusterId, cap }),
  );
  await stack.startControl({
    workers: { placeOnWorkers: true, livenessIntervalMs: 250 },
    billing: {
      periodMs: PERIOD_MS,
      sampleIntervalMs: SAMPLE_MS,
      maxGapMs: 2_000,
      suspensionCheckMs: 300,
    },
  });
  watcher = new ActivationWatcher(stack.client, stack.packageId, stack.clusterId);
});

after(async () => {
  for (const worker of workers) await worker.agent.stopHeartbeats();
  await watcher?.close();
  await stack?.close();
  for (const nodeId of nodeIds) await core?.deleteNode({ name: nodeId }).catch(() => undefined);
});

const eventsOf = <N extends EventName>(name: N) =>
  clusterEvents(stack.client, stack.packageId, stack.clusterId, name);

const dryPeriodOf = (event: { period: string }) => BigInt(event.period);

function deposit(tenant: { key: Stack["admin"]; capId: string }, amount: bigint) {
  return execute(stack.client, tenant.key, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "deposit",
      {},
      { cluster: stack.clusterId, cap: tenant.capId },
      amount,
    ),
  );
}

test("escrow charged price x usage, workers credited by what their nodes served, dry escrow suspends, top-up resumes", async () => {
  // --- two workers join ---
  for (const nodeId of nodeIds) {
    const worker = await newWorker(stack, watcher, nodeId, 400);
    workers.push(worker);
    await worker.agent.register(2_000_000_000n);
  }
  for (const worker of workers) {
    await worker.agent.join();
    await worker.agent.startHeartbeats();
  }
  await waitFor("two Ready, untainted worker nodes", async () => {
    const nodes = await workerNodes(core, nodeIds);
    const ready = nodes.filter(
      (node) =>
        node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") &&
        !(node.spec?.taints ?? []).some((taint) => taint.effect === "NoSchedule"),
    );
    return ready.length === 2 ? true : undefined;
  });

  // --- a tenant funds three full periods and a bit, and runs 3 replicas ---
  const namespace = uniqueNamespace("pay");
  const tenant = await newTenant(stack, namespace);
  const escrow = FULL_PERIOD_CHARGE * 3n + FULL_PERIOD_CHARGE / 2n;
  await deposit(tenant, escrow);
  const resources = { cpu: `${CPU_MILLI}m`, memory: `${MEMORY_BYTES}` };
  const manifest = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.27",
              resources: { requests: resources, limits: resources },
            },
          ],
        },
      },
    },
  };
  const requestId = await submitRequest(
    stack,
    tenant.key,
    "execute_k8s_api",
    {
      method: "POST",
      resource: "deployments",
      namespace,
      name: "web",
      payload: JSON.stringify(manifest),
      priority: 5,
    },
    { cap: tenant.capId },
  );
  const result = await waitForResult(stack, requestId);
  assert.equal(result.status_code, 201, result.summary);
  const pods = await waitFor(`${REPLICAS} running pods`, async () => {
    const running = await runningPods(core, namespace);
    return running.length === REPLICAS ? running : undefined;
  });
  const allRunningAt = Date.now();
  const podsPerNode = new Map<string, bigint>();
  for (const pod of pods) {
    const node = pod.spec?.nodeName ?? "";
    podsPerNode.set(node, (podsPerNode.get(node) ?? 0n) + 1n);
  }
  assert.deepEqual(
    [...podsPerNode.keys()].filter((node) => !nodeIds.includes(node)),
    [],
    "pods run on the workers' nodes only",
  );

  // --- usage this period, signed, to the namespace's holder only ---
  const api = (key: Stack["admin"]) =>
    new ControlApi(
      controlTransport({
        url: stack.control?.url ?? "",
        pin: { client: stack.client, clusterId: stack.clusterId },
      }),
      async () => key,
      stack.clusterId,
    );
  const now = await waitFor("the usage route sees the 3 pods", async () => {
    const usage = await api(tenant.key).usage(namespace);
    return usage.rates.cpuMilliCores === String(CPU_MILLI * BigInt(REPLICAS)) ? usage : undefined;
  });
  assert.equal(now.namespace, namespace);
  assert.equal(now.rates.memoryBytes, String(MEMORY_BYTES * BigInt(REPLICAS)));
  assert.equal(now.prices.cpuCoreHourMist, String(prices.cpuCoreHourMist));
  const usageSoFar = {
    cpuMilliCoreMs: BigInt(now.usage.cpuMilliCoreMs),
    memoryByteMs: BigInt(now.usage.memoryByteMs),
    storageByteMs: BigInt(now.usage.storageByteMs),
  };
  assert.equal(BigInt(now.chargeSoFarMist), usageValueMist(prices, usageSoFar));
  const hourly = hourlyCostMist(prices, {
    cpuMilliCores: CPU_MILLI * BigInt(REPLICAS),
    memoryBytes: MEMORY_BYTES * BigInt(REPLICAS),
    storageBytes: 0n,
  });
  assert.equal(BigInt(now.hourlyMist), hourly);
  const remainingMs = BigInt(now.periodEndMs - now.meteredUntilMs);
  assert.equal(
    BigInt(now.projectedChargeMist),
    usageValueMist(prices, {
      cpuMilliCoreMs: usageSoFar.cpuMilliCoreMs + CPU_MILLI * BigInt(REPLICAS) * remainingMs,
      memoryByteMs: usageSoFar.memoryByteMs + MEMORY_BYTES * BigInt(REPLICAS) * remainingMs,
      storageByteMs: usageSoFar.storageByteMs,
    }),
  );
  await assert.rejects(api(Ed25519Keypair.generate()).usage(namespace), {
    code: "NAMESPACE_NOT_OWNED",
  });
  await assert.rejects(api(tenant.key).usage("never-claimed-ns"), {
    code: "NAMESPACE_NOT_CLAIMED",
  });

  // --- the escrow runs dry: suspended, workloads at zero, objects kept ---
  const suspendedEvent = await waitFor(
    "the namespace suspended on chain",
    async () =>
      (await eventsOf("EscrowEvent")).find(
        (event) => event.namespace === namespace && event.action === ESCROW_ACTION.suspended,
      ),
    { timeoutMs: 180_000 },
  );
  await waitFor("workloads scaled to zero", async () => {
    const deployment = await apps.readNamespacedDeployment({ name: "web", namespace });
    return deployment.spec?.replicas === 0 ? deployment : undefined;
  });
  const scaledDown = await apps.readNamespacedDeployment({ name: "web", namespace });
  assert.equal(scaledDown.metadata?.annotations?.[ANNOTATION_SUSPENDED_REPLICAS], String(REPLICAS));
  assert.equal(stack.control?.billing?.isSuspended(namespace), true);
  // What /metrics shows: usage metered for the namespace, reports posted, the suspension.
  const exposition = (await stack.control?.metrics.registry.metrics()) ?? "";
  const sample = (line: string) =>
    Number(
      exposition
        .split("\n")
        .find((l) => l.startsWith(line))
        ?.slice(line.length) ?? Number.NaN,
    );
  assert.ok(sample(`k8s_daas_billing_usage_total{namespace="${namespace}",resource="cpu"} `) > 0);
  assert.ok(sample("k8s_daas_billing_reports_total ") >= Number(dryPeriodOf(suspendedEvent)));
  assert.equal(sample(`k8s_daas_billing_suspended{namespace="${namespace}"} `), 1);

  // --- to the MIST, for every period the pods ran through ---
  const dryPeriod = BigInt(suspendedEvent.period);
  const reports = await eventsOf("UsageReportedEvent");
  const charges = (await eventsOf("EscrowEvent")).filter(
    (event) => event.namespace === namespace && event.action === ESCROW_ACTION.charged,
  );
  const credits = await eventsOf("WorkerEarningsEvent");
  const fullPeriods = reports.filter(
    (report) =>
      Number(report.period_start_ms) >= allRunningAt + SAMPLE_MS &&
      BigInt(report.period) <= dryPeriod,
  );
  assert.ok(
    fullPeriods.length >= 2,
    `${fullPeriods.length} full periods before the escrow ran dry`,
  );
  process.stderr.write(
    `# ${fullPeriods.length} full periods checked to the MIST; dry in period ${dryPeriod}\n`,
  );
  const nodeValues = nodeIds.map((node) =>
    usageValueMist(prices, times(podsPerNode.get(node) ?? 0n)),
  );
  for (const report of fullPeriods) {
    const charge = charges.find((event) => event.period === report.period);
    assert.equal(BigInt(charge?.amount_mist ?? -1), FULL_PERIOD_CHARGE, `period ${report.period}`);
    assert.equal(BigInt(report.billed_mist), FULL_PERIOD_CHARGE);
    const collected = BigInt(report.collected_mist);
    const split = splitCollection(collected, prices.treasuryShareBps, nodeValues);
    nodeIds.forEach((node, i) => {
      const credited = credits.find(
        (event) => event.period === report.period && event.node_id === node,
      );
      assert.equal(
        BigInt(credited?.amount_mist ?? 0),
        split.workerShares[i],
        `${node} in period ${report.period}`,
      );
    });
    assert.equal(BigInt(report.workers_mist), split.workersMist);
    assert.equal(BigInt(report.treasury_mist), split.treasuryMist);
    assert.equal(split.workersMist + split.treasuryMist, collected);
  }
  // Before the dry period every charge was paid in full; in it, only what was left.
  const paidBefore = charges
    .filter((event) => BigInt(event.period) < dryPeriod)
    .reduce((sum, event) => sum + BigInt(event.amount_mist), 0n);
  const dry = reports.find((report) => BigInt(report.period) === dryPeriod);
  assert.equal(BigInt(dry?.collected_mist ?? -1), escrow - paidBefore);
  assert.equal(
    BigInt(suspendedEvent.debt_mist),
    BigInt(dry?.billed_mist ?? 0) - (escrow - paidBefore),
  );
  // No period twice, none skipped.
  const periods = reports.map((report) => Number(report.period));
  assert.deepEqual(
    periods,
    periods.map((_, i) => i + 1),
  );

  // --- a top-up that covers the debt resumes it ---
  const debt = BigInt(
    (await eventsOf("EscrowEvent")).filter((event) => event.namespace === namespace).at(-1)
      ?.debt_mist ?? 0,
  );
  const topUp = await deposit(tenant, debt + FULL_PERIOD_CHARGE * 2n);
  assert.ok(
    EscrowEvent.parse(
      topUp.events?.find((event) => event.eventType.endsWith("::EscrowEvent"))?.bcs ??
        new Uint8Array(),
    ).balance_mist !== "0",
  );
  await waitFor("workloads given back", async () => {
    const deployment = await apps.readNamespacedDeployment({ name: "web", namespace });
    return deployment.spec?.replicas === REPLICAS &&
      deployment.metadata?.annotations?.[ANNOTATION_SUSPENDED_REPLICAS] === undefined
      ? true
      : undefined;
  });
  // The flag drops once every workload is given back (a crash in between resumes again).
  await waitFor("the namespace no longer suspended for admission", async () =>
    stack.control?.billing?.isSuspended(namespace) === false ? true : undefined,
  );
  await waitFor(`${REPLICAS} pods running again`, async () =>
    (await runningPods(core, namespace)).length === REPLICAS ? true : undefined,
  );

  // --- a worker claims what its node earned ---
  const [first] = workers;
  const nodeId = nodeIds[0] ?? "";
  const before = await readBillingView(
    stack.client,
    stack.packageId,
    stack.clusterId,
    stack.admin.toSuiAddress(),
    { nodeIds: [nodeId] },
  );
  assert.ok((before.earnings.get(nodeId) ?? 0n) > 0n);
  const claimed = await first?.chain.claimEarnings(first.agent.capId ?? "");
  const claimEvent = claimed?.transaction?.events?.find((event) =>
    event.eventType.endsWith("::WorkerEarningsEvent"),
  );
  assert.ok(claimEvent);
  // Periods keep being credited meanwhile: the claim takes at least what was read before.
  assert.ok(
    BigInt(WorkerEarningsEvent.parse(claimEvent.bcs).amount_mist) >=
      (before.earnings.get(nodeId) ?? 0n),
  );
});
