// The billing commands against a devnet process reached by URL: the admin sets and reads
// prices, a tenant funds and drains an escrow and reads its bill, a worker owner reads and
// claims earnings; bad amounts and over-withdrawals fail with a clear error.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type DevnetProcess, startDevnetProcess } from "../../src/devnet/spawn.ts";
import { errorLine, runCli, tempDataDir } from "./harness.ts";

let chain: DevnetProcess;
const dir = tempDataDir("k8s-daas-billing-cli-");
let connection: string[];

async function faucet(url: string, recipient: string): Promise<void> {
  const response = await fetch(`${url}/v2/gas`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ FixedAmountRequest: { recipient } }),
  });
  assert.equal(response.status, 200, await response.text());
}

async function json(args: string[]) {
  const run = await runCli([...args, ...connection, "-o", "json"]);
  assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

before(async () => {
  chain = await startDevnetProcess(join(dir, "chain"), 0);
  const keystore = join(dir, "admin.keystore");
  const created = await runCli(["keys", "new", "--keystore", keystore, "-o", "json"]);
  assert.equal(created.code, 0, created.stderr);
  const { address } = JSON.parse(created.stdout) as { address: string };
  await faucet(chain.url, address);
  const base = [
    "--network",
    chain.url,
    "--package-id",
    chain.packageId,
    "--keystore",
    keystore,
    "--address",
    address,
  ];
  const cluster = await runCli([
    "cluster",
    "create",
    ...base,
    "--allow-dev-enclave",
    "--enclave-key-file",
    join(dir, "enclave.json"),
    "-o",
    "json",
  ]);
  assert.equal(cluster.code, 0, cluster.stderr);
  const { clusterId } = JSON.parse(cluster.stdout) as { clusterId: string };
  connection = [...base, "--cluster-id", clusterId];
});

after(async () => {
  await chain?.stop();
});

test("cluster prices set and read back", async () => {
  await json([
    "cluster",
    "prices",
    "set",
    "--cpu-core-hour",
    "1.5sui",
    "--memory-gib-hour",
    "400000000",
    "--storage-gib-hour",
    "0",
    "--treasury-share-bps",
    "1000",
  ]);
  assert.deepEqual(await json(["cluster", "prices"]), {
    cpuCoreHourMist: "1500000000",
    memoryGibHourMist: "400000000",
    storageGibHourMist: "0",
    treasuryShareBps: "1000",
  });
  const bad = await runCli(["cluster", "prices", "set", "--cpu-core-hour", "1", ...connection]);
  assert.equal(bad.code, 2);
  assert.match(errorLine(bad), /needs --memory-gib-hour/);
});

test("escrow deposit, withdraw, and the bill", async () => {
  await json(["namespace", "claim", "bill-cli"]);
  const deposited = await json(["escrow", "deposit", "1.5sui", "-n", "bill-cli"]);
  assert.equal(deposited.escrowMist, "1500000000");
  const withdrawn = await json(["escrow", "withdraw", "500000000", "-n", "bill-cli"]);
  assert.equal(withdrawn.escrowMist, "1000000000");
  const bill = await json(["billing", "-n", "bill-cli"]);
  assert.equal(bill.escrowMist, "1000000000");
  assert.equal(bill.debtMist, "0");
  assert.equal(bill.suspended, false);
  assert.equal(bill.prices.treasuryShareBps, "1000");
  assert.equal(bill.lastCharge, undefined, "nothing charged before a report");

  const tooMuch = await runCli(["escrow", "withdraw", "5sui", "-n", "bill-cli", ...connection]);
  assert.equal(tooMuch.code, 1);
  assert.match(errorLine(tooMuch), /EInsufficientEscrow.*no gas was paid/);
  const notAnAmount = await runCli(["escrow", "deposit", "lots", "-n", "bill-cli", ...connection]);
  assert.equal(notAnAmount.code, 2);
  assert.match(errorLine(notAnAmount), /AMOUNT must be MIST/);
  const notHeld = await runCli(["escrow", "deposit", "1", "-n", "someone-else", ...connection]);
  assert.match(errorLine(notHeld), /NAMESPACE_NOT_OWNED/);
});

test("deploy, apply and pod create print the hourly cost before submitting", async () => {
  // No control plane here: --no-wait leaves the requests on chain.
  const deploy = await runCli([
    "deploy",
    "web",
    "--image",
    "nginxinc/nginx-unprivileged:1.27",
    "--replicas",
    "3",
    "-n",
    "bill-cli",
    "--no-wait",
    ...connection,
  ]);
  assert.equal(deploy.code, 0, deploy.stderr);
  // Admission's default request per pod (100m, 128Mi): 0.15 + 0.05 SUI, three pods.
  assert.match(deploy.stderr, /hourly cost of what this adds: 0\.6 SUI\/hour/);
  assert.match(
    deploy.stderr,
    /deployment\/web: 0\.6 SUI\/hour \(3 pods, 300m CPU, 0\.375Gi memory\)/,
  );
  const pod = await runCli([
    "pod",
    "create",
    "one",
    "--image",
    "nginxinc/nginx-unprivileged:1.27",
    "-n",
    "bill-cli",
    "--no-wait",
    ...connection,
  ]);
  assert.equal(pod.code, 0, pod.stderr);
  assert.match(pod.stderr, /pod\/one: 0\.2 SUI\/hour/);
  const manifest = [
    "apiVersion: v1",
    "kind: Pod",
    "metadata: {name: big}",
    "spec:",
    "  containers:",
    "    - {name: big, image: nginxinc/nginx-unprivileged:1.27, resources: {limits: {cpu: '2', memory: 1Gi}}}",
  ].join("\n");
  const apply = await runCli(["apply", "-f", "-", "-n", "bill-cli", "--no-wait", ...connection], {
    input: manifest,
  });
  assert.equal(apply.code, 0, apply.stderr);
  // Limits when requests are absent: 2 cores × 1.5 SUI + 1 GiB × 0.4 SUI.
  assert.match(apply.stderr, /pod\/big: 3\.4 SUI\/hour/);
});

test("worker earnings and claim", async () => {
  const workerDir = join(dir, "worker");
  mkdirSync(workerDir, { recursive: true });
  const common = [...connection, "--node-id", "bill-node", "--data-dir", workerDir];
  const registered = await runCli(["worker", "register", "--stake", "1000000000", ...common]);
  assert.equal(registered.code, 0, registered.stderr);
  const earnings = await runCli(["worker", "earnings", ...common]);
  assert.equal(earnings.code, 0, earnings.stderr);
  assert.deepEqual(JSON.parse(earnings.stdout), { nodeId: "bill-node", earningsMist: "0" });
  const claim = await runCli(["worker", "claim", ...common]);
  assert.notEqual(claim.code, 0);
  assert.match(errorLine(claim), /ENothingToClaim/);
});
