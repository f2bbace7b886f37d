// A period too big for one transaction argument, reported in parts, with the real parts
// (devnet, EnclavePoster, Submitter and its journal, billing.sqlite, kube-testenv): 520
// tenant namespaces with 63-character names, each with a running pod, need at least three
// parts per period. Meters die (their process state dropped, the store closed without
// marking, as a SIGKILL leaves it) right after a middle part landed, before the next part
// was posted, and right after the last part landed; a fresh meter on the same data dir
// takes over each time. Afterwards every period was reported once, contiguous, every
// namespace charged exactly once in every period, and the funded tenant's escrow lost
// exactly what it was charged.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { readBillingView } from "../../../src/chain/index.ts";
import { addCall } from "../../../src/chain/k8s-daas.ts";
import type { ReportPart } from "../../../src/control/billing/index.ts";
import type { EnclavePoster } from "../../../src/control/enclave-poster.ts";
import { clusterLabelValue, LABEL_CLUSTER } from "../../../src/k8s/index.ts";
import { ESCROW_ACTION } from "../../../src/protocol/index.ts";
import { createTestNamespace, testCluster, waitFor } from "../../helpers/cluster.ts";
import { execute, newTenant, openStack, type Stack } from "../../helpers/stack.ts";
import { adminCapOf } from "../../worker/fixtures.ts";
import { assertEveryPeriodOnce, clusterEvents } from "./chain-events.ts";
import { openMeterRig } from "./meter-rig.ts";

/** 63-byte names: 255 fit one part's 16 KiB `vector<String>`, so 520 need three parts. */
const NAMESPACES = 520;
const CONFIG = {
  enabled: true,
  periodMs: 4_000,
  sampleIntervalMs: 250,
  maxGapMs: 2_000,
  suspensionCheckMs: 600_000,
};
const DEPOSIT = 100_000_000_000n;

let stack: Stack;
let core: CoreV1Api;
const suffix = Date.now().toString(36);
const names = Array.from({ length: NAMESPACES }, (_, i) => {
  const head = `parts-${suffix}-${i}-`;
  return `${head}${"x".repeat(62 - head.length)}0`;
});

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  stack = await openStack(cluster.kubeConfig());
});

after(async () => {
  await stack?.close();
  await pool(names, 16, async (name) => {
    await core?.deleteNamespace({ name }).catch(() => undefined);
  });
});

test("a period in three or more parts: meters dying between parts lose nothing and charge nothing twice", async () => {
  // Memory is priced, CPU is not: the 520 namespaces (1m CPU each) are reported and
  // charged 0 (no escrow needed, none suspended); the tenant's 64Mi pod costs MIST.
  const cap = await adminCapOf(stack);
  await execute(stack.client, stack.admin, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "set_prices",
      {
        cpu_core_hour_mist: 0n,
        memory_gib_hour_mist: 3_600_000_000_000n,
        storage_gib_hour_mist: 0n,
        treasury_share_bps: 10_000n,
      },
      { cluster: stack.clusterId, cap },
    ),
  );
  const tenant = await newTenant(stack, `parts-tenant-${suffix}`);
  await execute(stack.client, tenant.key, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "deposit",
      {},
      { cluster: stack.clusterId, cap: tenant.capId },
      DEPOSIT,
    ),
  );
  const labels = { [LABEL_CLUSTER]: clusterLabelValue(stack.clusterId) };
  // Bound to the simulated nodes directly: 521 pods are more than the scheduler would
  // place on the shared cluster's three nodes (110 pods each); KWOK runs them anyway.
  const nodes = (await core.listNode()).items.map((node) => node.metadata?.name ?? "");
  let placed = 0;
  const pod = (memory: string) => ({
    metadata: { name: "work" },
    spec: {
      nodeName: nodes[placed++ % nodes.length] as string,
      containers: [
        { name: "work", image: "nginx:1.27", resources: { requests: { cpu: "1m", memory } } },
      ],
    },
  });
  await pool([...names, tenant.namespace], 16, async (namespace) => {
    await createTestNamespace(core, namespace, labels);
    await core.createNamespacedPod({
      namespace,
      body: pod(namespace === tenant.namespace ? "64Mi" : "0"),
    });
  });
  await waitFor(
    `${NAMESPACES + 1} pods running`,
    async () => {
      const running = (
        await core.listPodForAllNamespaces({ fieldSelector: "status.phase=Running" })
      ).items.filter((item) => item.metadata?.namespace?.startsWith(`parts-`));
      return running.length >= NAMESPACES + 1 ? true : undefined;
    },
    { timeoutMs: 300_000 },
  );
  const allRunningAt = Date.now();

  const rig = openMeterRig(stack, "parts", CONFIG);
  const { poster, meter, view, passUntil } = rig;
  /** Every part that landed, as posted. */
  const landed: ReportPart[] = [];
  const post = (async (name, fields, signal) => {
    const result = await poster.post(name, fields, signal);
    landed.push(fields as unknown as ReportPart);
    return result;
  }) as EnclavePoster["post"];
  /** A meter that dies right after the part `dies` picks landed. */
  const dyingAfter = (dies: (part: ReportPart) => boolean) => {
    const died = { part: undefined as ReportPart | undefined };
    const m = meter({
      post: (async (name, fields, signal) => {
        const result = await post(name, fields, signal);
        const part = fields as unknown as ReportPart;
        if (!died.part && dies(part)) {
          died.part = part;
          throw new Error("killed after the part landed");
        }
        return result;
      }) as EnclavePoster["post"],
    });
    return { m, died };
  };

  // 1. Dies right after a middle part of a period in 3+ parts landed (part 0 was marked).
  const middle = dyingAfter((part) => part.parts >= 3n && part.part === 1n);
  await passUntil(middle.m, () => middle.died.part !== undefined);
  await middle.m.stop();
  const split = middle.died.part as ReportPart;
  assert.equal((await view()).reportPartsDone, 2n, "parts 0 and 1 on chain");

  // 2. Dies before posting the next part (nothing signed).
  let refused = 0;
  const cutOff = meter({
    post: (async () => {
      refused++;
      throw new Error("killed before posting");
    }) as EnclavePoster["post"],
  });
  await passUntil(cutOff, () => refused > 0);
  await cutOff.stop();

  // 3. Takes over (its start lines the store up with the chain: part 2 is next). Its first
  //    two parts land but their answers are lost (the poster fails after landing): the
  //    same meter posts each again, the chain refuses it (EPartOutOfOrder, or
  //    EPeriodOutOfOrder for a last part), the store lines up and reporting goes on.
  let lost = 0;
  const flaky = meter({
    post: (async (name, fields, signal) => {
      const result = await post(name, fields, signal);
      if (lost < 2) {
        lost++;
        throw new Error("the answer was lost after the part landed");
      }
      return result;
    }) as EnclavePoster["post"],
  });
  await passUntil(flaky, async () => (await view()).reportedPeriods >= split.period + 1n);
  await flaky.stop();
  assert.equal(lost, 2);

  // 4. Dies right after the last part of the next period landed.
  const reportedBefore = (await view()).reportedPeriods;
  const lastPart = dyingAfter(
    (part) => part.period > reportedBefore && part.part === part.parts - 1n,
  );
  await passUntil(lastPart.m, () => lastPart.died.part !== undefined);
  await lastPart.m.stop();
  const closedBy = lastPart.died.part as ReportPart;
  assert.equal((await view()).reportedPeriods, closedBy.period);

  // 5. A fresh meter: the chain has that whole period; it goes on after it.
  const last = meter({ post });
  await passUntil(last, async () => (await view()).reportedPeriods >= closedBy.period + 1n);
  await last.stop();
  rig.close();

  // The split period's parts landed in order, 3 or more of them; the refused repeats
  // (step 3) never landed.
  const ofSplit = landed.filter((part) => part.period === split.period);
  assert.ok(split.parts >= 3n, `${split.parts} parts`);
  assert.deepEqual(
    ofSplit.map((part) => part.part),
    Array.from({ length: Number(split.parts) }, (_, i) => BigInt(i)),
  );
  const keys = landed.map((part) => `${part.period}/${part.part}`);
  assert.deepEqual(keys, [...new Set(keys)], "no part landed twice");
  const { chargedMist } = await assertEveryPeriodOnce(
    stack.client,
    stack.packageId,
    stack.clusterId,
  );
  // Every namespace charged in every period it ran through: none lost between parts.
  const reports = await clusterEvents(
    stack.client,
    stack.packageId,
    stack.clusterId,
    "UsageReportedEvent",
  );
  const full = reports.filter((report) => Number(report.period_start_ms) > allRunningAt + 1_000);
  assert.ok(full.length >= 2, `${full.length} periods with every pod running`);
  const charges = (
    await clusterEvents(stack.client, stack.packageId, stack.clusterId, "EscrowEvent")
  ).filter((event) => event.action === ESCROW_ACTION.charged);
  for (const report of full) {
    const charged = new Set(
      charges.filter((event) => event.period === report.period).map((event) => event.namespace),
    );
    assert.equal(charged.size, NAMESPACES + 1, `period ${report.period}`);
    assert.ok(charged.has(tenant.namespace));
  }
  // What was charged is what left the escrow (the others were charged 0).
  const escrow = (
    await readBillingView(
      stack.client,
      stack.packageId,
      stack.clusterId,
      stack.operator.toSuiAddress(),
      { namespaces: [tenant.namespace, names[0] as string] },
    )
  ).escrows;
  assert.ok(chargedMist > 0n);
  assert.equal(escrow.get(tenant.namespace)?.balanceMist, DEPOSIT - chargedMist);
  assert.equal(escrow.get(names[0] as string)?.suspended, false);
  process.stderr.write(
    `# period ${split.period} in ${split.parts} parts; ${reports.length} periods, ${full.length} checked per namespace\n`,
  );
});
