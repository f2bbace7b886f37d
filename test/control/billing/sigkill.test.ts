// nautilus-control (the real daemon, `k8s-daas control`) is SIGKILLed while it meters and
// reports, and restarted each time. (1) At random moments, metering one running pod in 1.5 s
// periods. (2) Between the parts of a report: 520 more tenant namespaces (63-character
// names, a pod each) need three parts per period, and each kill lands while the chain holds
// some parts of a period but not the last. Afterwards the chain has every period from 1 on
// exactly once, contiguous, each namespace charged once per period (in (2), every one in
// every period that all pods ran through), and the funded escrow lost exactly what was
// charged.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
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
import { ESCROW_ACTION } from "../../../src/protocol/index.ts";
import { loadDevEnclaveSigner } from "../../../src/tee/index.ts";
import { createTestNamespace, testCluster, waitFor } from "../../helpers/cluster.ts";
import { spawnControlDaemon } from "../../helpers/control-daemon.ts";
import { execute } from "../../helpers/stack.ts";
import { assertEveryPeriodOnce, clusterEvents } from "./chain-events.ts";

const MAX_KILLS = 12;
const KILLS_BETWEEN_PARTS = 4;
const DEPOSIT = 20_000_000_000n;
/** 63-byte names: 255 fit one part's 16 KiB `vector<String>`, so 520 need three parts. */
const MANY = 520;

const dir = mkdtempSync(join(tmpdir(), "k8s-daas-billing-kill-"));
let devnet: DevnetProcess;
let client: SuiGrpcClient;
let core: CoreV1Api;
let kubeconfigPath = "";
let child: ChildProcess | undefined;
const admin = Ed25519Keypair.generate();
const operator = Ed25519Keypair.generate();
const tenant = Ed25519Keypair.generate();
const stamp = Date.now().toString(36);
const created: string[] = [];

before(async () => {
  const cluster = await testCluster();
  kubeconfigPath = cluster.kubeconfigPath;
  core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  devnet = await startDevnetProcess(join(dir, "devnet"));
  client = new SuiGrpcClient({ network: "localnet", baseUrl: devnet.url });
  for (const key of [admin, operator, tenant]) {
    await requestSuiFromFaucetV2({ host: devnet.url, recipient: key.toSuiAddress() });
  }
});

after(async () => {
  child?.kill("SIGKILL");
  await devnet?.stop();
  rmSync(dir, { recursive: true, force: true });
  await pool(created, 16, async (name) => {
    await core?.deleteNamespace({ name }).catch(() => undefined);
  });
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

interface Scenario {
  clusterId: string;
  /** The funded tenant's namespace (a 100m, 64Mi pod). */
  namespace: string;
  /** The unfunded ones (a 1m pod each, charged 0: only memory is priced). */
  others: string[];
  /** Holds the daemon's state (`control/`) and the enclave key. */
  dir: string;
}

/**
 * A cluster on the devnet with memory priced, the tenant's funded namespace and `extra`
 * more tenant namespaces, each with a running pod bound to a simulated node (more pods
 * than the scheduler would place on the shared cluster's nodes; KWOK runs them anyway).
 */
async function scenario(name: string, extra: number): Promise<Scenario> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const enclave = loadDevEnclaveSigner(join(home, "enclave.json"));
  const { clusterId, adminCapId } = await createClusterWithDevEnclave(
    client,
    devnet.packageId,
    admin,
    enclave,
    name,
  );
  await execute(client, admin, (tx) =>
    addCall(
      tx,
      devnet.packageId,
      "set_prices",
      {
        cpu_core_hour_mist: 0n,
        memory_gib_hour_mist: 3_600_000_000_000n,
        storage_gib_hour_mist: 0n,
        treasury_share_bps: 10_000n,
      },
      { cluster: clusterId, cap: adminCapId },
    ),
  );
  const namespace = `kill-${name}-${stamp}`;
  const capId = await claimNamespace(client, devnet.packageId, clusterId, tenant, namespace);
  await execute(client, tenant, (tx) =>
    addCall(tx, devnet.packageId, "deposit", {}, { cluster: clusterId, cap: capId }, DEPOSIT),
  );
  const others = Array.from({ length: extra }, (_, i) => {
    const head = `kill-${name}-${stamp}-${i}-`;
    return `${head}${"x".repeat(62 - head.length)}0`;
  });
  const nodes = (await core.listNode()).items.map((node) => node.metadata?.name ?? "");
  let placed = 0;
  const labels = { [LABEL_CLUSTER]: clusterLabelValue(clusterId) };
  await pool([namespace, ...others], 16, async (ns) => {
    await createTestNamespace(core, ns, labels);
    created.push(ns);
    const memory = ns === namespace ? "64Mi" : "0";
    const cpu = ns === namespace ? "100m" : "1m";
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: "work" },
        spec: {
          nodeName: nodes[placed++ % nodes.length] as string,
          containers: [
            { name: "work", image: "nginx:1.27", resources: { requests: { cpu, memory } } },
          ],
        },
      },
    });
  });
  const all = new Set([namespace, ...others]);
  await waitFor(
    `${all.size} pods running`,
    async () => {
      const running = (
        await core.listPodForAllNamespaces({ fieldSelector: "status.phase=Running" })
      ).items.filter((pod) => all.has(pod.metadata?.namespace ?? ""));
      return running.length === all.size ? true : undefined;
    },
    { timeoutMs: 300_000 },
  );
  return { clusterId, namespace, others, dir: home };
}

function startControl(s: Scenario, periodMs: number, sampleMs: number): ChildProcess {
  return spawnControlDaemon({
    chainUrl: devnet.url,
    packageId: devnet.packageId,
    clusterId: s.clusterId,
    kubeconfigPath,
    dir: s.dir,
    operator,
    env: {
      K8S_DAAS_BILLING_PERIOD_MS: String(periodMs),
      K8S_DAAS_BILLING_SAMPLE_MS: String(sampleMs),
      K8S_DAAS_BILLING_MAX_GAP_MS: "1000",
    },
  });
}

const ledger = (s: Scenario) =>
  readBillingView(client, devnet.packageId, s.clusterId, operator.toSuiAddress());

async function kill(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  daemon.kill("SIGKILL");
  await once(daemon, "exit");
}

/** One last run, long enough to post what the killed ones left; then the invariants. */
async function finishAndCheck(s: Scenario, periodMs: number, sampleMs: number) {
  child = startControl(s, periodMs, sampleMs);
  const target = (await ledger(s)).reportedPeriods + 3n;
  await waitFor(
    "three more periods reported",
    async () => ((await ledger(s)).reportedPeriods >= target ? true : undefined),
    { timeoutMs: 300_000 },
  );
  child.kill("SIGTERM");
  await once(child, "exit");
  const checked = await assertEveryPeriodOnce(client, devnet.packageId, s.clusterId);
  const view = await readBillingView(
    client,
    devnet.packageId,
    s.clusterId,
    operator.toSuiAddress(),
    {
      namespaces: [s.namespace],
    },
  );
  assert.ok(checked.chargedMist > 0n, "the running pod was charged");
  assert.equal(view.escrows.get(s.namespace)?.balanceMist, DEPOSIT - checked.chargedMist);
  return checked;
}

test("SIGKILLs while metering and reporting lose no period and charge none twice", async () => {
  const s = await scenario("one", 0);
  let kills = 0;
  while (kills < MAX_KILLS) {
    child = startControl(s, 1_500, 100);
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 3_000));
    await kill(child);
    kills++;
  }
  const { periods } = await finishAndCheck(s, 1_500, 100);
  console.log(`# ${kills} SIGKILLs; ${periods} periods reported`);
});

test("SIGKILLs between the parts of a report lose no part and charge none twice", async () => {
  const s = await scenario("parts", MANY);
  const allRunningAt = Date.now();
  let kills = 0;
  let killedAt = "";
  while (kills < KILLS_BETWEEN_PARTS) {
    child = startControl(s, 3_000, 250);
    // Killed as soon as the chain holds some parts of a period but not its last, and
    // another part landed since the last kill (this daemon's own).
    await waitFor(
      "a period partly reported by this daemon",
      async () => {
        const view = await ledger(s);
        const at = `${view.reportedPeriods}/${view.reportPartsDone}`;
        return view.reportPartsDone > 0n && at !== killedAt ? at : undefined;
      },
      { intervalMs: 50, timeoutMs: 300_000 },
    ).then((at) => {
      killedAt = at;
    });
    await kill(child);
    kills++;
  }
  const { periods } = await finishAndCheck(s, 3_000, 250);
  // Every namespace charged in every period all the pods ran through: no part lost.
  const reports = await clusterEvents(client, devnet.packageId, s.clusterId, "UsageReportedEvent");
  const full = reports.filter((report) => Number(report.period_start_ms) > allRunningAt + 1_000);
  assert.ok(full.length >= 3, `${full.length} periods with every pod running`);
  const charges = (
    await clusterEvents(client, devnet.packageId, s.clusterId, "EscrowEvent")
  ).filter((event) => event.action === ESCROW_ACTION.charged);
  for (const report of full) {
    const charged = new Set(
      charges.filter((event) => event.period === report.period).map((event) => event.namespace),
    );
    assert.equal(charged.size, MANY + 1, `period ${report.period}`);
  }
  console.log(`# ${kills} SIGKILLs between parts; ${periods} periods reported`);
});
