// nautilus-control (the real daemon, `k8s-daas control`) is SIGKILLed at random moments
// while it meters a running pod in 1.5 s billing periods and reports them, and restarted
// each time. Afterwards the chain has every period from 1 on exactly once, contiguous, each
// charged once, and the escrow lost exactly what was charged.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { requestSuiFromFaucetV2 } from "@mysten/sui/faucet";
import { SuiGrpcClient } from "@mysten/sui/grpc";
import { Ed25519Keypair } from "@mysten/sui/keypairs/ed25519";
import { readBillingView } from "../../../src/chain/index.ts";
import {
  addCall,
  claimNamespace,
  createClusterWithDevEnclave,
} from "../../../src/chain/k8s-daas.ts";
import { type DevnetProcess, startDevnetProcess } from "../../../src/devnet/spawn.ts";
import { clusterLabelValue, LABEL_CLUSTER } from "../../../src/k8s/index.ts";
import { loadDevEnclaveSigner } from "../../../src/tee/index.ts";
import { createTestNamespace, testCluster, waitFor } from "../../helpers/cluster.ts";
import { spawnControlDaemon } from "../../helpers/control-daemon.ts";
import { execute } from "../../helpers/stack.ts";
import { runningPods } from "../../worker/fixtures.ts";
import { assertEveryPeriodOnce } from "./chain-events.ts";

const MAX_KILLS = 12;
const DEPOSIT = 50_000_000_000n;

const dir = mkdtempSync(join(tmpdir(), "k8s-daas-billing-kill-"));
let devnet: DevnetProcess;
let client: SuiGrpcClient;
let child: ChildProcess | undefined;
let clusterId = "";
let kubeconfigPath = "";
const operator = Ed25519Keypair.generate();
const namespace = `kill-${Date.now().toString(36)}`;

before(async () => {
  const cluster = await testCluster();
  kubeconfigPath = cluster.kubeconfigPath;
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  devnet = await startDevnetProcess(join(dir, "devnet"));
  client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
  const admin = Ed25519Keypair.generate();
  const tenant = Ed25519Keypair.generate();
  for (const key of [admin, operator, tenant]) {
    await requestSuiFromFaucetV2({ host: devnet.url, recipient: key.toSuiAddress() });
  }
  const enclave = loadDevEnclaveSigner(join(dir, "enclave.json"));
  let adminCapId: string;
  ({ clusterId, adminCapId } = await createClusterWithDevEnclave(
    client,
    devnet.packageId,
    admin,
    enclave,
    "kill",
  ));
  await execute(client, admin, (tx) =>
    addCall(
      tx,
      devnet.packageId,
      "set_prices",
      {
        cpu_core_hour_mist: 3_600_000_000_000n,
        memory_gib_hour_mist: 0n,
        storage_gib_hour_mist: 0n,
        treasury_share_bps: 10_000n,
      },
      { cluster: clusterId, cap: adminCapId },
    ),
  );
  const capId = await claimNamespace(client, devnet.packageId, clusterId, tenant, namespace);
  await execute(client, tenant, (tx) =>
    addCall(tx, devnet.packageId, "deposit", {}, { cluster: clusterId, cap: capId }, DEPOSIT),
  );
  await createTestNamespace(core, namespace, { [LABEL_CLUSTER]: clusterLabelValue(clusterId) });
  await core.createNamespacedPod({
    namespace,
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
    (await runningPods(core, namespace)).length === 1 ? true : undefined,
  );
});

after(async () => {
  child?.kill("SIGKILL");
  await devnet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startControl(): ChildProcess {
  return spawnControlDaemon({
    chainUrl: devnet.url,
    packageId: devnet.packageId,
    clusterId,
    kubeconfigPath,
    dir,
    operator,
    env: {
      K8S_DAAS_BILLING_PERIOD_MS: "1500",
      K8S_DAAS_BILLING_SAMPLE_MS: "100",
      K8S_DAAS_BILLING_MAX_GAP_MS: "1000",
    },
  });
}

const reportedPeriods = async () =>
  (await readBillingView(client, devnet.packageId, clusterId, operator.toSuiAddress()))
    .reportedPeriods;

test("SIGKILLs while metering and reporting lose no period and charge none twice", async () => {
  let kills = 0;
  while (kills < MAX_KILLS) {
    child = startControl();
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 3_000));
    child.kill("SIGKILL");
    await once(child, "exit");
    kills++;
  }
  // One last run, long enough to post what the killed ones left closed.
  child = startControl();
  const target = (await reportedPeriods()) + 3n;
  await waitFor("three more periods reported", async () =>
    (await reportedPeriods()) >= target ? true : undefined,
  );
  child.kill("SIGTERM");
  await once(child, "exit");

  const { periods, chargedMist: total } = await assertEveryPeriodOnce(
    client,
    devnet.packageId,
    clusterId,
  );
  console.log(`# ${kills} SIGKILLs; ${periods} periods reported`);
  assert.ok(total > 0n, "the running pod was charged");
  const view = await readBillingView(client, devnet.packageId, clusterId, operator.toSuiAddress(), {
    namespaces: [namespace],
  });
  assert.equal(view.escrows.get(namespace)?.balanceMist, DEPOSIT - total);
});
