// The crash windows of reporting, replayed with the real parts (devnet, EnclavePoster,
// Submitter and its journal, billing.sqlite, kube-testenv): a meter dies (its process
// state is dropped, its store closed without marking) right after a report landed on
// chain, and once before a closed period was posted. Each time a fresh meter on the same
// data dir takes over. Afterwards every period from 1 on was reported exactly once,
// contiguously, and the escrow was charged once per period. (A real SIGKILL between
// journaling and sending is the Submitter's own recovery, tested in test/chain.)
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { readBillingView } from "../../../src/chain/index.ts";
import { addCall } from "../../../src/chain/k8s-daas.ts";
import { BillingStore } from "../../../src/control/billing/index.ts";
import type { EnclavePoster } from "../../../src/control/enclave-poster.ts";
import { clusterLabelValue, LABEL_CLUSTER } from "../../../src/k8s/index.ts";
import { ESCROW_ACTION } from "../../../src/protocol/index.ts";
import { createTestNamespace, testCluster, waitFor } from "../../helpers/cluster.ts";
import { execute, newTenant, openStack, type Stack } from "../../helpers/stack.ts";
import { adminCapOf, runningPods } from "../../worker/fixtures.ts";
import { assertEveryPeriodOnce, clusterEvents } from "./chain-events.ts";
import { openMeterRig } from "./meter-rig.ts";

const PERIOD_MS = 1_500;
const CONFIG = {
  enabled: true,
  periodMs: PERIOD_MS,
  sampleIntervalMs: 100,
  maxGapMs: 1_000,
  suspensionCheckMs: 60_000,
};

let stack: Stack;
let core: CoreV1Api;

before(async () => {
  const cluster = await testCluster();
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  stack = await openStack(cluster.kubeConfig());
});

after(async () => {
  await stack?.close();
});

test("a meter that dies around a report loses no period and charges none twice", async () => {
  const cap = await adminCapOf(stack);
  await execute(stack.client, stack.admin, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "set_prices",
      {
        cpu_core_hour_mist: 3_600_000_000_000n,
        memory_gib_hour_mist: 0n,
        storage_gib_hour_mist: 0n,
        treasury_share_bps: 10_000n,
      },
      { cluster: stack.clusterId, cap },
    ),
  );
  // A tenant namespace of this cluster with one pod of 100m, funded for long.
  const tenant = await newTenant(stack, `crash-${stack.clusterId.slice(2, 10)}`);
  await execute(stack.client, tenant.key, (tx) =>
    addCall(
      tx,
      stack.packageId,
      "deposit",
      {},
      { cluster: stack.clusterId, cap: tenant.capId },
      100_000_000_000n,
    ),
  );
  await createTestNamespace(core, tenant.namespace, {
    [LABEL_CLUSTER]: clusterLabelValue(stack.clusterId),
  });
  await core.createNamespacedPod({
    namespace: tenant.namespace,
    body: {
      metadata: { name: "work" },
      spec: {
        containers: [
          { name: "work", image: "nginx:1.27", resources: { requests: { cpu: "100m" } } },
        ],
      },
    },
  });
  await waitFor("the pod running", async () =>
    (await runningPods(core, tenant.namespace)).length === 1 ? true : undefined,
  );

  const rig = openMeterRig(stack, "crash", CONFIG);
  const { poster, meter, view, passUntil } = rig;

  // 1. A meter reports period 1 and 2 normally.
  const first = meter(poster);
  await passUntil(first, async () => (await view()).reportedPeriods >= 2n);
  await first.stop();

  // 2. Dies right after its report of the next period landed: never marks it.
  let landed = 0n;
  const dying = meter({
    post: (async (name, fields, signal) => {
      await poster.post(name, fields, signal);
      landed = (fields as unknown as { period: bigint }).period;
      throw new Error("killed after the report landed");
    }) as EnclavePoster["post"],
  });
  await passUntil(dying, async () => landed > 0n);
  await dying.stop();

  // 3. Dies with a closed period not yet posted (posting fails before anything is signed).
  const cutOff = meter({
    post: (async () => {
      throw new Error("killed before posting");
    }) as EnclavePoster["post"],
  });
  const store = new BillingStore(join(rig.dataDir, "billing.sqlite"));
  await passUntil(cutOff, async () => store.pending().some((p) => BigInt(p.period) > landed));
  store.close();
  await cutOff.stop();

  // 4. A fresh meter takes over and catches up.
  const last = meter(poster);
  await passUntil(last, async () => (await view()).reportedPeriods >= landed + 2n);
  await last.stop();
  rig.close();

  const { chargedMist: total } = await assertEveryPeriodOnce(
    stack.client,
    stack.packageId,
    stack.clusterId,
  );
  // The period that landed while its meter died is on chain once, and was charged.
  const charged = (
    await clusterEvents(stack.client, stack.packageId, stack.clusterId, "EscrowEvent")
  ).filter((event) => event.action === ESCROW_ACTION.charged);
  assert.ok(charged.some((event) => BigInt(event.period) === landed));
  // What was charged is what left the escrow.
  const escrow = (
    await readBillingView(
      stack.client,
      stack.packageId,
      stack.clusterId,
      stack.operator.toSuiAddress(),
      { namespaces: [tenant.namespace] },
    )
  ).escrows.get(tenant.namespace);
  assert.equal(escrow?.balanceMist, 100_000_000_000n - total);
  assert.ok(total > 0n);
});
